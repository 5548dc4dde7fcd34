/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP: the transmission control block and its timers, segment arrival (RFC
 * 9293 §3.10.7), segments out, options, the sending and receiving halves of
 * the data path, listeners with their embryos, and TIME-WAIT records. The one
 * header of the layer; its files call each other (input <-> output <-> timers)
 * and everything below them.
 */
#ifndef SYNFIN_TCP_TCP_H
#define SYNFIN_TCP_TCP_H

#include "base/seq.h"
#include "demux/demux.h"


/* The receive ring's storage: the buffer plus the slack a rounded-up scaled
 * window may let the peer fill (sf_tcb_advertise_window). A buffer made
 * smaller on a connection may be short of the window already offered, which
 * is never taken back (RFC 9293 §3.8.6.2): storage taken then holds it all. */
static inline uint32_t sf_tcb_rcv_cap(const struct sf_tcb *tcb)
{
	uint32_t offered = tcb->rcv_adv - tcb->rcv_nxt;
	return (offered > tcb->sock.rcvbuf ? offered : tcb->sock.rcvbuf) + (1u << tcb->rcv_wscale);
}

/* ---- output.c ---- */
void sf_emit(struct sf_stack *st, const struct sf_segment *seg, const uint8_t *tail, size_t tail_len, int sock,
	     enum sf_out_kind kind);
/* sf_emit for a connection's own segment: counts its retransmissions (sf_conn_info). */
void sf_tcb_emit(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg, const uint8_t *tail,
		 size_t tail_len, enum sf_out_kind kind);
void sf_send_rst_reply(struct sf_stack *st, const struct sf_segment *seg, int sock);
void sf_send_ctl(struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t window, int sock, const struct sf_tcp_options *opt,
		 struct sf_ip_marks marks);
void sf_tcb_send_syn(struct sf_stack *st, struct sf_tcb *tcb, bool retransmit);
void sf_tcb_send_ack(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_challenge_ack(struct sf_stack *st, struct sf_tcb *tcb, bool for_syn);
void sf_tcb_send_rst(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_send_probe(struct sf_stack *st, struct sf_tcb *tcb, bool retransmit);
int sf_tcb_output(struct sf_stack *st, struct sf_tcb *tcb); /* segments sent */
uint16_t sf_tcb_advertise_window(struct sf_stack *st, struct sf_tcb *tcb, bool syn);
void sf_tcb_prepare_segment(struct sf_stack *st, struct sf_tcb *tcb, struct sf_segment *seg, uint8_t flags, uint32_t seq);

/* ---- state.c ---- */
/**
 * Every state change of a TCB, embryo, TIME-WAIT record or listener: checked
 * against RFC 9293 Figure 5 in debug builds, then traced. local and remote
 * are read only when a tracer is installed (they may be NULL otherwise).
 */
void sf_state_change(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		     enum sf_tcp_state from, enum sf_tcp_state to, enum sf_cause cause);
/** The same for an embryo or TIME-WAIT record, named by its demux reference. */
void sf_record_state_change(struct sf_stack *st, sf_ref ref, enum sf_tcp_state from, enum sf_tcp_state to,
			    enum sf_cause cause);

/* ---- tcb.c ---- */
uint32_t sf_isn(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote);
struct sf_tcb *sf_tcb_new(struct sf_stack *st, int family, enum sf_tcp_state born_in);
void sf_tcb_set_state(struct sf_stack *st, struct sf_tcb *tcb, enum sf_tcp_state to, enum sf_cause cause);
void sf_tcb_hash(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_unhash(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_destroy(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_end(struct sf_stack *st, struct sf_tcb *tcb, int error, enum sf_cause cause);
void sf_tcb_arm(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind, uint64_t when_ns);
void sf_tcb_start_keepalive(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_disarm(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind);
void sf_tcb_stop_timers(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_timer_fired(struct sf_stack *st, struct sf_tcb *tcb);
bool sf_tcb_retry(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind); /* false: given up */
void sf_tcb_retry_clamp(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind);
/* ---- segment size and the path (pmtu.c) ---- */
/** The peer's MSS (0: the SYN had none); sizes the segments by it, our interface and the path (MUST-16). */
void sf_tcb_set_peer_mss(struct sf_stack *st, struct sf_tcb *tcb, uint16_t peer_mss);
void sf_tcb_path_resync(struct sf_stack *st, struct sf_tcb *tcb);
/** Before sending: take what the stack's path MTU cache learned or forgot since the connection last looked. */
static inline void sf_tcb_path_check(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (tcb->pmtu_gen != st->pmtu.gen || st->now_ns >= tcb->pmtu_expires_ns)
		sf_tcb_path_resync(st, tcb);
}
/** A validated ICMP fragmentation needed / packet too big about a segment of tcb in flight. */
void sf_tcb_packet_too_big(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_icmp_error *e);
/** The retransmission timer is about to send data again (last_try: R2 allows no more): RFC 4821 black-hole detection. */
/** True if it sized the segments down. */
bool sf_tcb_black_hole_check(struct sf_stack *st, struct sf_tcb *tcb, bool last_try);
/** RFC 4821 probing: the payload of a probe that may go now at SND.NXT, or 0 (it is then marked in flight). */
uint32_t sf_tcb_probe_due(struct sf_stack *st, struct sf_tcb *tcb, uint32_t mss, uint32_t avail, uint32_t room);
void sf_tcb_probe_sent(struct sf_tcb *tcb, uint32_t seq, uint32_t len);
void sf_tcb_probe_acked(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_probe_lost(struct sf_stack *st, struct sf_tcb *tcb);
/** Whether [seq, seq+len) overlaps the probe in flight. */
bool sf_tcb_probe_covers(const struct sf_tcb *tcb, uint32_t seq, uint32_t len);
void sf_tcb_init_rcv(struct sf_stack *st, struct sf_tcb *tcb, uint32_t irs);
bool sf_tcb_fin_acked(const struct sf_tcb *tcb);
void sf_tcb_rtt_sample(struct sf_stack *st, struct sf_tcb *tcb, uint64_t rtt_ns);
void sf_tcb_set_handshake_rto(struct sf_stack *st, struct sf_tcb *tcb, bool retransmitted);
void sf_tcb_start_close(struct sf_stack *st, struct sf_tcb *tcb, enum sf_cause cause);

/* ---- options.c ---- */
/** Timestamps compare modulo 2^32 (RFC 7323 §5.3): is a older than b? */
static inline bool sf_ts_older(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
/** ... and newer? (Not !older: at 2^31 apart neither is.) */
static inline bool sf_ts_newer(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/** Which of the SYN options both sides use (or, offered, may use). */
struct sf_syn_agreement {
	bool ws, sack, ts;
	uint8_t peer_wscale;     /* the peer's shift, at most 14; 0 without ws */
};
void sf_syn_options(struct sf_tcp_options *opt, uint16_t mss, const struct sf_syn_agreement *use, uint8_t our_wscale,
		    uint32_t tsval, uint32_t tsecr);
uint8_t sf_wscale_for(uint32_t bufsize);

/* ---- SYN cookies (syncookie.c, RFC 4987 §3.6) ---- */
/** The ISN that is the cookie of a SYN from remote to local: peer_isn is its SEQ, peer_mss its MSS (536 if none). */
uint32_t sf_cookie_make(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote,
			uint32_t peer_isn, uint16_t peer_mss);
/** The MSS a cookie (SEG.ACK - 1 of the final ACK, whose SEQ - 1 is peer_isn) says, or 0 if it is none of ours. */
uint16_t sf_cookie_check(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote,
			 uint32_t peer_isn, uint32_t cookie);
/** Whether a cookie sent at sent_ns may still come back valid (two counter periods). */
bool sf_cookie_live(const struct sf_stack *st, uint64_t sent_ns);
/** A SYN,ACK's TSval carrying the agreement's window scale, SACK and ECN in its low bits, not above tsval. */
uint32_t sf_cookie_tsval(uint32_t tsval, const struct sf_syn_agreement *ag, bool ecn);
/** The agreement a final ACK's TSecr carries back (timestamps agreed, by its presence). */
void sf_cookie_ts_decode(uint32_t tsecr, struct sf_syn_agreement *ag, bool *ecn);
uint32_t sf_ts_offset(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote);
uint32_t sf_tcb_tsval(const struct sf_stack *st, const struct sf_tcb *tcb);
void sf_tcb_syn_options(const struct sf_stack *st, const struct sf_tcb *tcb, struct sf_tcp_options *opt);
void sf_tcb_agree_options(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *syn);
void sf_tcb_segment_options(struct sf_stack *st, struct sf_tcb *tcb, uint8_t flags, struct sf_tcp_options *opt);
uint32_t sf_tcb_sack_send_mss(const struct sf_tcb *tcb, const struct sf_rangeset *ooo);
enum sf_drop_reason sf_tcb_check_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);
void sf_tcb_note_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);

/* ---- cc.c ---- */
/* A congestion control algorithm: how the window grows on an ACK of new
 * data outside recovery, and what ssthresh becomes on a loss. */
struct sf_cc_ops {
	const char *name;
	void (*on_ack)(struct sf_tcb *tcb, uint32_t acked);
	uint32_t (*ssthresh)(const struct sf_tcb *tcb);
};
extern const struct sf_cc_ops sf_cc_newreno;
/** cwnd and ssthresh at the start of the connection (tcb->cc: NewReno from sf_tcb_new). */
void sf_tcb_cc_init(struct sf_tcb *tcb);
/** An acceptable ACK with ECE on a connection that agreed to ECN (RFC 3168 §6.1.2). */
void sf_tcb_ecn_echo(struct sf_stack *st, struct sf_tcb *tcb);

/* ---- send.c ---- */
void sf_tcb_take_sack(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);
void sf_tcb_sender_ack(struct sf_stack *st, struct sf_tcb *tcb, uint32_t acked, bool dup);
void sf_tcb_sender_timeout(struct sf_stack *st, struct sf_tcb *tcb);
/** Segments shrank under data in flight: send it all again now, in the new size (not a congestion signal). */
void sf_tcb_resend_flight(struct sf_stack *st, struct sf_tcb *tcb);
void sf_tcb_persist_timeout(struct sf_stack *st, struct sf_tcb *tcb);

/* ---- recv.c ---- */
/* NOW may wait for the end of an input batch (MUST-59); AT_ONCE, for a
 * duplicate or out-of-order segment, never waits (RFC 5681 §4.2). */
enum sf_ack_need { SF_ACK_NONE, SF_ACK_DELAYED, SF_ACK_NOW, SF_ACK_AT_ONCE };
enum sf_ack_need sf_tcb_take_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg,
				  bool *fin_now);
/* §3.10.7.4 sixth step: the peer's urgent pointer (§3.8.5). */
void sf_tcb_take_urgent(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);
/* The sequence number of the next byte the application will read. */
static inline uint32_t sf_tcb_read_seq(const struct sf_tcb *tcb)
{
	return tcb->rcv_nxt - tcb->rcvq.len;
}
/* Bytes from the read point to the end of the urgent data (0: none left,
 * "normal mode" in §3.8.5's words). */
uint32_t sf_tcb_urgent_left(const struct sf_tcb *tcb);
/* §3.10.7.3 fourth step: text (and FIN) on a crossing SYN waits for ESTABLISHED. */
void sf_tcb_hold_syn_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);
void sf_tcb_schedule_ack(struct sf_stack *st, struct sf_tcb *tcb, enum sf_ack_need need);
void sf_tcb_start_quickack(struct sf_tcb *tcb);

/* ---- input.c ---- */
void sf_tcb_input(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);
void sf_tcb_input_text_and_fin(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg);

/* ---- icmp.c ---- */
/* An ICMP or ICMPv6 error about one of our segments (RFC 9293 §3.9.2.2). */
void sf_tcp_icmp_error(struct sf_stack *st, const struct sf_icmp_error *e);

/* ---- listen.c ---- */
struct sf_listener *sf_listener_lookup(const struct sf_stack *st, const struct sf_addr *addr, uint16_t port);
void sf_listen_input(struct sf_stack *st, struct sf_listener *lst, const struct sf_segment *seg,
		     const uint32_t *iss_floor);
void sf_embryo_input(struct sf_stack *st, uint32_t index, const struct sf_segment *seg);
void sf_embryo_free(struct sf_stack *st, uint32_t index);
void sf_embryo_expire(struct sf_stack *st);
/* When an embryo's SYN,ACK timer fires, on the stack's clock. */
uint64_t sf_embryo_expires_ns(const struct sf_stack *st, const struct sf_embryo *emb);
uint64_t sf_embryo_next_deadline(const struct sf_stack *st);
void sf_listener_close(struct sf_stack *st, struct sf_listener *lst, enum sf_cause cause);

/* ---- timewait.c ---- */
void sf_tw_enter(struct sf_stack *st, struct sf_tcb *tcb);
/* Returns true when seg is a SYN that may reopen the 4-tuple: the record is gone and *iss_floor set. */
bool sf_tw_input(struct sf_stack *st, uint32_t index, const struct sf_segment *seg, uint32_t *iss_floor);
void sf_tw_free(struct sf_stack *st, uint32_t index);
void sf_tw_expire(struct sf_stack *st);
uint64_t sf_tw_next_deadline(const struct sf_stack *st);

/* ---- small rules every file of the layer uses, inline for the fast path ---- */

/* The peer answered (RFC 9293 §3.8.3, MUST-37): any ACK ends a series of
 * unanswered probes, an ACK of new data (progress) one of retransmissions;
 * either way the delivery problem the application was told of is over. */
static inline void sf_tcb_peer_answered(struct sf_stack *st, struct sf_tcb *tcb, bool progress)
{
	tcb->probes_out = 0;
	if (progress)
		tcb->rtx_count = 0;
	if (tcb->soft_error) {
		tcb->soft_error = 0;
		sf_mark_ready(st, &tcb->sock);
	}
}

/* RFC 9293 §3.10.7.4 first step, Table 6: the four acceptability tests of
 * a segment against the window [rcv_nxt, rcv_nxt + rcv_wnd), for the TCB,
 * the embryo and the TIME-WAIT record alike. A RST is judged by its
 * sequence number alone (RFC 5961 §3.2), whatever text it carries (SHLD-2)
 * and even when the window is zero (MUST-66): one at exactly RCV.NXT is
 * always acceptable. */
static inline bool sf_seq_acceptable(const struct sf_segment *seg, uint32_t rcv_nxt, uint32_t rcv_wnd)
{
	uint32_t len = (seg->flags & SF_TCP_RST) ? 0 : sf_segment_seq_len(seg);
	uint32_t end = rcv_nxt + rcv_wnd;

	if (len == 0)
		return rcv_wnd == 0 ? seg->seq == rcv_nxt : seq_in_range(seg->seq, rcv_nxt, end);
	if (rcv_wnd == 0)
		return false;
	return seq_in_range(seg->seq, rcv_nxt, end) || seq_in_range(seg->seq + len - 1, rcv_nxt, end);
}

/* RFC 9293 §3.10.7.4 fifth: the send window, from a segment newer than the
 * last update (SND.WL1, SND.WL2 are where it came from). */
static inline void sf_tcb_take_send_window(struct sf_tcb *tcb, uint32_t wnd, uint32_t seq, uint32_t ack)
{
	tcb->snd_wnd = wnd;
	tcb->snd_wl1 = seq;
	tcb->snd_wl2 = ack;
	if (tcb->snd_wnd > tcb->max_snd_wnd)
		tcb->max_snd_wnd = tcb->snd_wnd;
}

/*
 * RFC 7323 §3.2 and §5.3 R1 (PAWS), for a connection whose SYNs agreed on
 * timestamps: a segment without one (other than a RST) is dropped, and one
 * whose TSval is older than TS.Recent is an old duplicate. RSTs are not
 * judged. Returns the drop reason, or SF_DROP_NONE. The TCB and the embryo
 * both judge by this.
 */
static inline enum sf_drop_reason sf_paws_check(uint32_t ts_recent, const struct sf_segment *seg)
{
	if (seg->flags & SF_TCP_RST)
		return SF_DROP_NONE;
	if (!seg->opt.has_timestamp)
		return SF_DROP_TS_MISSING;
	return sf_ts_older(seg->opt.ts_val, ts_recent) ? SF_DROP_PAWS : SF_DROP_NONE;
}

/* What our SYN offers: every option the configuration allows. */
static inline struct sf_syn_agreement sf_syn_offer(const struct sf_config *cfg)
{
	return (struct sf_syn_agreement){ .ws = cfg->window_scaling != 0, .sack = cfg->sack != 0,
					  .ts = cfg->timestamps != 0 };
}

/*
 * The peer's SYN (or SYN,ACK) settles what is used: window scaling only if
 * both sides send the option, else neither side scales (RFC 7323 §2.2), and
 * a shift above 14 is taken as 14 (§2.3); timestamps (RFC 7323 §3.2) and
 * SACK (RFC 2018 §2) likewise need both. The listener's embryos and the TCBs
 * of active opens agree by this one rule.
 */
static inline struct sf_syn_agreement sf_syn_agree(const struct sf_config *cfg, const struct sf_tcp_options *peer)
{
	struct sf_syn_agreement ours = sf_syn_offer(cfg);
	bool ws = peer->has_wscale && ours.ws;
	return (struct sf_syn_agreement){
		.ws = ws,
		.sack = peer->sack_permitted && ours.sack,
		.ts = peer->has_timestamp && ours.ts,
		.peer_wscale = ws ? (peer->wscale > 14 ? 14 : peer->wscale) : 0,
	};
}

/*
 * RFC 3168 §6.1.1: a SYN asks for ECN by carrying both ECE and CWR (an
 * "ECN-setup SYN"). A listener agrees unless cfg.ecn is 0. SYNs are never
 * ECT (§6.1.1), so one that arrives with the ECN field set has passed
 * something that rewrites the field: refused, as Linux's
 * tcp_ecn_create_request does.
 */
static inline bool sf_ecn_accept_syn(const struct sf_config *cfg, const struct sf_segment *syn)
{
	return cfg->ecn != 0 && (syn->flags & (SF_TCP_ECE | SF_TCP_CWR)) == (SF_TCP_ECE | SF_TCP_CWR) &&
	       (syn->tclass & SF_ECN_MASK) == SF_ECN_NOT_ECT;
}

/* RFC 3168 §6.1.1: our ECN-setup SYN (cfg.ecn 1 asks) is agreed to by an
 * ECN-setup SYN,ACK: ECE without CWR. A SYN,ACK with both is a peer that
 * reflects the flags without knowing them (§6.1.1's broken responder): no
 * ECN, as Linux's tcp_ecn_rcv_synack. */
static inline bool sf_ecn_agreed_synack(const struct sf_config *cfg, const struct sf_segment *synack)
{
	return cfg->ecn == 1 && (synack->flags & (SF_TCP_ECE | SF_TCP_CWR)) == SF_TCP_ECE;
}

/* RFC 3168 §6.1.2: "when an ECN-Capable TCP sender reduces its congestion
 * window for any reason" (an ECE, a fast retransmit, a timeout), the first
 * new data segment after it carries CWR, as Linux's tcp_ecn_queue_cwr. */
static inline void sf_tcb_ecn_window_reduced(struct sf_tcb *tcb)
{
	tcb->ecn_cwr = tcb->ecn_ok;
}

/* RFC 3168 §6.1.2, §6.1.5: with ECN agreed, a segment of new data goes out
 * ECT(0), and the first after a window reduction carries CWR. Everything
 * else (pure ACKs, probes, keepalives, RSTs, retransmissions, SYNs) stays
 * not-ECT: the socket's traffic class has the ECN bits clear. */
static inline void sf_tcb_ecn_new_data(struct sf_tcb *tcb, struct sf_segment *seg)
{
	if (!tcb->ecn_ok)
		return;
	seg->tclass |= SF_ECN_ECT0;
	if (tcb->ecn_cwr) {
		tcb->ecn_cwr = false;
		seg->flags |= SF_TCP_CWR;
	}
}

/* RFC 7323 §3.2, RFC 6691: once agreed, the timestamp option rides on every
 * segment, in 12 bytes (10, and 2 NOPs that align it, as sf_wire_build lays
 * it out), and those bytes come out of every segment's data. */
static inline uint32_t sf_tcb_ts_space(const struct sf_tcb *tcb)
{
	return tcb->ts_ok ? 12u : 0u;
}

/*
 * The window RCV.WND we would offer now (RFC 9293 §3.8.6), in bytes from
 * RCV.NXT: the right edge RCV.NXT+RCV.WND never moves left (§3.10.7.4
 * seventh), and moves right only by at least min(half the buffer, one MSS)
 * at a time: the receiver's side of silly window avoidance (§3.8.6.2.2). A
 * SYN offers all the room it has, at most 65535 (RFC 7323 §2.2).
 */
static inline uint32_t sf_tcb_window_offer(const struct sf_tcb *tcb, bool syn)
{
	uint32_t buf = tcb->sock.rcvbuf;
	uint32_t room = tcb->rcv_shut ? buf : sf_ring_room(&tcb->rcvq, buf);
	uint32_t max = 65535u << (syn ? 0 : tcb->rcv_wscale);
	uint32_t wnd = tcb->rcv_adv - tcb->rcv_nxt;
	uint32_t step = buf / 2 < tcb->rcv_mss ? buf / 2 : tcb->rcv_mss;

	if (room > max)
		room = max;
	if (seq_gt(tcb->rcv_adv, tcb->rcv_nxt + max))
		wnd = max; /* a SYN cannot offer more than 65535 */
	/* A closed window reopens by the same step (§3.8.6.2.2): offering the
	 * few bytes a read has freed would be the silly window itself. */
	if (room > wnd && (room - wnd >= step || syn))
		wnd = room;
	return wnd;
}

/* What we hold out of order, when SACK was agreed and there is any: the
 * ranges our ACKs report (RFC 2018 §4); else NULL. */
static inline const struct sf_rangeset *sf_tcb_sack_to_report(struct sf_tcb *tcb)
{
	const struct sf_rangeset *ooo = sf_ring_map(&tcb->rcvq);
	return tcb->sack_ok && ooo && ooo->n ? ooo : NULL;
}

/*
 * The effective send MSS of the segments that go now (RFC 9293 §3.7.1,
 * MUST-16, and RFC 6691): the MSS option counts no options, so every option
 * byte a segment carries comes out of its data. snd_mss already leaves room
 * for the timestamp every segment carries; SACK blocks, on our segments while
 * we hold data out of order, take their bytes as well (as Linux's
 * tcp_current_mss). Congestion control keeps counting in snd_mss.
 */
static inline uint32_t sf_tcb_send_mss(struct sf_tcb *tcb)
{
	const struct sf_rangeset *ooo = sf_tcb_sack_to_report(tcb);
	return ooo ? sf_tcb_sack_send_mss(tcb, ooo) : tcb->snd_mss;
}

static inline uint32_t sf_tsval(const struct sf_stack *st, uint32_t ts_offset)
{
	return sf_ms(st) + ts_offset;
}

/* RFC 9293 §3.7.1 (MUST-67): the MSS we announce is what our interface
 * carries, capped by the socket's TCP_MAXSEG. */
static inline uint16_t sf_own_mss(const struct sf_stack *st, const struct sf_sock *sock, const struct sf_addr *local)
{
	uint16_t mss = sf_local_mss(st, local);
	return sock->maxseg && sock->maxseg < mss ? sock->maxseg : mss;
}

/* RFC 6928 §2: IW = min(10 * MSS, max(2 * MSS, 14600)). */
static inline uint32_t sf_initial_window(uint32_t mss)
{
	uint32_t a = 10u * mss, b = 2u * mss > 14600u ? 2u * mss : 14600u;
	return a < b ? a : b;
}

static inline uint32_t sf_flight_size(const struct sf_tcb *tcb)
{
	return tcb->snd_max - tcb->snd_una;
}

static inline void sf_tcb_arm_in(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind, uint64_t ms)
{
	sf_tcb_arm(st, tcb, kind, sf_after_ms(st, ms));
}

/* An orphan in FIN-WAIT-2 waits only fin_timeout for the peer's FIN
 * (Linux's tcp_fin_timeout), not forever. */
static inline void sf_tcb_arm_fin_timeout(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (tcb->orphan && tcb->state == SF_FIN_WAIT_2)
		sf_tcb_arm_in(st, tcb, SF_TIMER_FIN_WAIT_2, st->cfg.fin_timeout_ms);
}

/* The agreement settles the TCB's options: a side that does not scale
 * makes neither scale (RFC 7323 §2.2). */
static inline void sf_tcb_take_agreement(struct sf_tcb *tcb, const struct sf_syn_agreement *ag)
{
	tcb->ws_ok = ag->ws;
	tcb->snd_wscale = ag->peer_wscale;
	if (!ag->ws)
		tcb->rcv_wscale = 0;
	tcb->sack_ok = ag->sack;
	tcb->ts_ok = ag->ts;
}

#endif
