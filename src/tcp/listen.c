/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Passive open: listeners, the SYN queue of embryos (compact SYN-RECEIVED records), and the
 * accept queue (RFC 9293 §3.10.7.2, §3.10.7.4 for SYN-RECEIVED;
 * the queue limits and overflow policy as Linux).
 *
 * A SYN to a listener does not create a TCB. It creates a 60-byte record
 * (struct sf_embryo) that answers with SYN,ACK, retransmits it with backoff, and
 * becomes a full connection only when the peer's ACK completes the handshake.
 * Its retransmission timer is one of SF_MAX_SYNACK_RETRIES+1 FIFO lists, one
 * per retry count: every record in a list waits the same time, so appending
 * keeps each list sorted and no timer structure is touched per tick.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

#define EMBRYO_LINK offsetof(struct sf_embryo, timer)

/* A listener on exactly this address first, else one on the wildcard. */
struct sf_listener *sf_listener_lookup(const struct sf_stack *st, const struct sf_addr *addr, uint16_t port)
{
	const struct sf_port_use *use = sf_port_find(st, port);
	struct sf_listener *wildcard = NULL;

	for (uint32_t h = use ? use->bound_head : 0; h; h = st->socks[h - 1]->bind_next) {
		struct sf_sock *s = st->socks[h - 1];
		if (s->kind != SF_SOCK_LISTENER || s->family != addr->family)
			continue;
		if (memcmp(&s->local.addr, addr, sizeof *addr) == 0)
			return (struct sf_listener *)s;
		if (sf_addr_is_unspecified(&s->local.addr))
			wildcard = (struct sf_listener *)s;
	}
	return wildcard;
}

static struct sf_listener *embryo_listener(const struct sf_stack *st, const struct sf_embryo *emb)
{
	return (struct sf_listener *)st->socks[emb->listener];
}

static uint16_t embryo_window(const struct sf_listener *lst)
{
	return (uint16_t)(lst->sock.rcvbuf > 65535 ? 65535 : lst->sock.rcvbuf);
}

/* What the SYNs agreed on (struct sf_embryo's opt_flags): ECN (RFC 3168
 * §6.1.1), SACK and timestamps; window scaling in the high nibble, 0 when
 * not agreed, else the peer's shift (at most 14) plus one. */
enum { EMBRYO_ECN = 1, EMBRYO_SACK = 2, EMBRYO_TS = 4, EMBRYO_ACKED = 8 /* its final ACK came while the queue was full */ };

static uint8_t pack_agreement(const struct sf_syn_agreement *ag)
{
	return (uint8_t)((ag->ws ? (ag->peer_wscale + 1) << 4 : 0) | (ag->sack ? EMBRYO_SACK : 0) |
			 (ag->ts ? EMBRYO_TS : 0));
}

static struct sf_syn_agreement embryo_agreement(const struct sf_embryo *emb)
{
	uint8_t ws = emb->opt_flags >> 4;
	return (struct sf_syn_agreement){ .ws = ws != 0, .sack = (emb->opt_flags & EMBRYO_SACK) != 0,
					  .ts = (emb->opt_flags & EMBRYO_TS) != 0,
					  .peer_wscale = ws ? (uint8_t)(ws - 1) : 0 };
}

/* An embryo whose handshake is complete but could not be queued gets this
 * many more SYN,ACK rounds (at rto_max) before it is given up with a RST. */
#define ACKED_EXTRA_RETRIES 5

/* Which FIFO list a record waits in: one per retry count, the last shared by
 * every count beyond it (they all wait the same capped time). */
static uint32_t embryo_level(const struct sf_embryo *emb)
{
	return emb->retries < SF_MAX_SYNACK_RETRIES ? emb->retries : SF_MAX_SYNACK_RETRIES;
}

/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS (§3.10.7.2 third), and
 * of the other options just those the peer offered (RFC 7323 §1.3, §2.2;
 * RFC 2018 §2); with ECE when we agree to the ECN the SYN asked for (RFC
 * 3168 §6.1.1: ECE without CWR, and never ECT), retransmissions too. */
static void send_synack(struct sf_stack *st, const struct sf_embryo *emb, uint32_t tsval, bool retransmit)
{
	struct sf_endpoint local, remote;
	const struct sf_listener *lst = embryo_listener(st, emb);

	sf_embryo_endpoints(st, emb, &local, &remote);
	struct sf_ip_marks marks = sf_sock_marks(st, &lst->sock);
	struct sf_segment seg = {
		.src = local.addr, .dst = remote.addr, .sport = local.port, .dport = remote.port,
		.seq = emb->iss, .ack = emb->irs + 1, .window = embryo_window(lst),
		.flags = SF_TCP_SYN | SF_TCP_ACK | ((emb->opt_flags & EMBRYO_ECN) ? SF_TCP_ECE : 0),
		.ttl = marks.ttl, .tclass = marks.tclass,
	};
	struct sf_syn_agreement use = embryo_agreement(emb);
	sf_syn_options(&seg.opt, sf_own_mss(st, &lst->sock, &local.addr), &use, sf_wscale_for(lst->sock.rcvbuf),
		       use.ts ? tsval : 0, emb->ts_recent);
	sf_emit(st, &seg, NULL, 0, -1, retransmit ? SF_OUT_RETRANSMIT : SF_OUT_NEW);
}

static void embryo_send_synack(struct sf_stack *st, const struct sf_embryo *emb, bool retransmit)
{
	struct sf_endpoint local, remote;
	sf_embryo_endpoints(st, emb, &local, &remote);
	send_synack(st, emb, sf_tsval(st, sf_ts_offset(st, &local, &remote)), retransmit);
}

/* A record's SYN,ACK timer is due its level's backed-off RTO (RFC 6298 §5.5)
 * after its last SYN,ACK: computed, not stored, which keeps the record at
 * 60 bytes. */
static uint32_t embryo_expires_ms(const struct sf_stack *st, const struct sf_embryo *emb)
{
	uint64_t wait = (uint64_t)st->cfg.rto_initial_ms << embryo_level(emb);
	if (wait > st->cfg.rto_max_ms)
		wait = st->cfg.rto_max_ms;
	return emb->sent_ms + (uint32_t)wait;
}

/* sent_ms is rounded up, so the timer never fires before a full RTO. */
static void embryo_arm(struct sf_stack *st, uint32_t index, struct sf_embryo *emb)
{
	emb->sent_ms = sf_ms_ceil(st);
	sf_ilist_push_tail(&st->embryos, EMBRYO_LINK, &st->embryo_fifo[embryo_level(emb)], index);
}

static void listener_free_if_done(struct sf_stack *st, struct sf_listener *lst)
{
	if (lst->zombie && lst->syn_count == 0) {
		sf_handle_release(st, lst->sock.handle);
		free(lst);
	}
}

void sf_embryo_free(struct sf_stack *st, uint32_t index)
{
	struct sf_embryo *emb = sf_embryo_at(st, index);
	struct sf_endpoint local, remote;
	struct sf_listener *lst = embryo_listener(st, emb);

	sf_embryo_endpoints(st, emb, &local, &remote);
	sf_demux_remove(st, sf_ref_make(SF_REF_EMBRYO, index), &local, &remote);
	sf_ilist_remove(&st->embryos, EMBRYO_LINK, &st->embryo_fifo[embryo_level(emb)], index);
	sf_pool_free(&st->embryos, index);
	st->ctr.SynRecvCurrent--;
	lst->syn_count--;
	listener_free_if_done(st, lst);
}

/*
 * RFC 4987 §3.4, "recycling the oldest half-open TCB": with the SYN queue
 * full, a new SYN takes the place of the listener's oldest embryo whose
 * handshake has not completed. Spoofed SYNs never complete, so under a flood
 * each holds a slot for (queue size / flood rate) instead of the whole
 * SYN,ACK retry schedule (63 s by default), and a real client whose ACK comes
 * back within that time still gets through. The oldest embryos are at the
 * head of a retry level's FIFO (the most retried level holds the oldest);
 * only the first RECYCLE_LOOK of each level are looked at, so this is
 * O(retry levels), and when none belongs to this listener the SYN is dropped
 * as without the option.
 */
#define RECYCLE_LOOK 4
static bool recycle_oldest(struct sf_stack *st, struct sf_listener *lst)
{
	for (int level = SF_MAX_SYNACK_RETRIES; level >= 0; level--) {
		uint32_t index = st->embryo_fifo[level].head;
		for (int k = 0; index && k < RECYCLE_LOOK; k++, index = sf_embryo_at(st, index)->timer.next) {
			struct sf_embryo *emb = sf_embryo_at(st, index);
			if (emb->listener != lst->sock.handle || (emb->opt_flags & EMBRYO_ACKED))
				continue;
			st->ctr.TCPReqQRecycled++;
			st->ctr.AttemptFails++;
			sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_CLOSED,
					SF_CAUSE_SYN_QUEUE_RECYCLED);
			sf_embryo_free(st, index);
			return true;
		}
	}
	return false;
}

/* What an embryo keeps of the segment that opens it (a SYN, or a cookie's
 * final ACK): where it is from, to which listener, the peer's window. */
static void embryo_address(struct sf_stack *st, const struct sf_listener *lst, const struct sf_segment *seg,
			   struct sf_embryo *emb)
{
	memcpy(emb->raddr, seg->src.bytes, sizeof emb->raddr);
	emb->lport = seg->dport;
	emb->rport = seg->sport;
	emb->laddr_id = (uint16_t)sf_local_id(st, &seg->dst);
	emb->listener = lst->sock.handle;
	emb->peer_window = seg->window;
}

/*
 * RFC 4987 §3.6: answer the SYN with a cookie, keeping nothing. The SYN,ACK
 * is the one an embryo would send, but with the cookie as its ISN and,
 * without timestamps to carry them back (syncookie.c), none of window
 * scaling, SACK and ECN agreed.
 */
static void send_cookie(struct sf_stack *st, struct sf_listener *lst, const struct sf_segment *seg)
{
	struct sf_endpoint local = { seg->dst, seg->dport }, remote = { seg->src, seg->sport };
	struct sf_embryo emb = { 0 };
	embryo_address(st, lst, seg, &emb);
	emb.irs = seg->seq;
	struct sf_syn_agreement ag = sf_syn_agree(&st->cfg, &seg->opt);
	bool ecn = sf_ecn_accept_syn(&st->cfg, seg);
	if (!ag.ts)
		ag = (struct sf_syn_agreement){ 0 }, ecn = false;
	emb.opt_flags = pack_agreement(&ag) | (ecn ? EMBRYO_ECN : 0);
	if (ag.ts)
		emb.ts_recent = seg->opt.ts_val;
	emb.iss = sf_cookie_make(st, &local, &remote, seg->seq, seg->opt.has_mss ? seg->opt.mss : 0);
	send_synack(st, &emb, ag.ts ? sf_cookie_tsval(sf_tsval(st, sf_ts_offset(st, &local, &remote)), &ag, ecn) : 0,
		    false);
	st->ctr.SyncookiesSent++;
	lst->cookie_sent_ns = st->now_ns ? st->now_ns : 1; /* 0 is "never" */
}

static struct sf_tcb *handshake_done(struct sf_stack *st, struct sf_listener *lst, uint32_t index,
				     const struct sf_embryo *emb, uint32_t wl1, bool sample);

/*
 * An ACK to a listener that may be the final ACK of a cookie's handshake
 * (RFC 4987 §3.6): always with syncookies 2; with 1 only while cookies it
 * sent may still be answered, so that a listener under no flood is not open
 * to blind ACKs at all (as Linux's tcp_synq_no_recent_overflow). Returns
 * false if the ACK is no cookie of ours.
 */
static bool cookie_ack_expected(const struct sf_stack *st, const struct sf_listener *lst)
{
	return st->cfg.syncookies == 2 ||
	       (st->cfg.syncookies == 1 && lst->cookie_sent_ns && sf_cookie_live(st, lst->cookie_sent_ns));
}

static bool cookie_accept(struct sf_stack *st, struct sf_listener *lst, const struct sf_segment *seg)
{
	struct sf_endpoint local = { seg->dst, seg->dport }, remote = { seg->src, seg->sport };
	/* The peer's SEQ is its ISN + 1 only on its first segment after the
	 * SYN: a cookie is checked against that (as Linux's). A bare ACK may
	 * also be a keepalive probe (RFC 9293 §3.8.4: SEG.SEQ = SND.NXT - 1,
	 * the ISN itself) from a peer whose final ACK was lost and that has
	 * sent nothing since: honouring it heals the connection the peer
	 * believes in, where no SYN,ACK will ever be retransmitted. */
	uint32_t isn = seg->seq - 1;
	uint16_t mss = sf_cookie_check(st, &local, &remote, isn, seg->ack - 1);
	if (!mss && !seg->payload_len && !(seg->flags & SF_TCP_FIN)) {
		isn = seg->seq;
		mss = sf_cookie_check(st, &local, &remote, isn, seg->ack - 1);
	}
	if (!mss)
		return false;
	st->ctr.SyncookiesRecv++;
	/* The accept queue is full: drop it. The peer, ESTABLISHED, sends the
	 * ACK again with its data (or retransmits that), and the cookie holds
	 * for as long as it is live. */
	if (lst->accept_count >= lst->backlog) {
		st->ctr.ListenOverflows++;
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_LISTEN_OVERFLOW);
		return true;
	}
	struct sf_embryo emb = { 0 };
	embryo_address(st, lst, seg, &emb);
	emb.irs = isn;
	emb.iss = seg->ack - 1;
	emb.peer_mss = mss;
	struct sf_syn_agreement ag = { 0 };
	bool ecn = false;
	if (seg->opt.has_timestamp && st->cfg.timestamps) {
		sf_cookie_ts_decode(seg->opt.ts_ecr, &ag, &ecn);
		ag.ws = ag.ws && st->cfg.window_scaling;
		ag.sack = ag.sack && st->cfg.sack;
		ecn = ecn && st->cfg.ecn;
		emb.ts_recent = seg->opt.ts_val;
	}
	emb.opt_flags = pack_agreement(&ag) | (ecn ? EMBRYO_ECN : 0);
	struct sf_tcb *tcb = handshake_done(st, lst, 0, &emb, isn + 1, false);
	if (!tcb) {
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_NO_MEMORY);
		return true;
	}
	/* Sixth on: text and FIN carried by the completing ACK. A probe's
	 * byte is below the window: it is answered with an ACK, as probes are. */
	if (isn == seg->seq)
		sf_tcb_send_ack(st, tcb);
	else if (seg->payload_len || (seg->flags & SF_TCP_FIN))
		sf_tcb_input_text_and_fin(st, tcb, seg);
	return true;
}

/* RFC 9293 §3.10.7.2: LISTEN. */
void sf_listen_input(struct sf_stack *st, struct sf_listener *lst, const struct sf_segment *seg,
		     const uint32_t *iss_floor)
{
	/* First: a RST cannot be for anything we sent. Ignore it. */
	if (seg->flags & SF_TCP_RST) {
		sf_drop(st, seg, SF_DROP_LISTEN_RST);
		return;
	}
	/* Second: any ACK is bad here: <SEQ=SEG.ACK><CTL=RST>, unless it
	 * completes a handshake a SYN cookie stands for. */
	if (seg->flags & SF_TCP_ACK) {
		if (!(seg->flags & SF_TCP_SYN) && cookie_ack_expected(st, lst)) {
			if (cookie_accept(st, lst, seg))
				return;
			/* A cookie is checked against the peer's first segment
			 * only (its SEQ is the ISN + 1), and a later one may come
			 * first: data overtaking it on a path that reorders, or
			 * the challenge ACK a duplicated SYN,ACK draws. A RST
			 * would kill the connection the first is about to create,
			 * so while cookies are out such an ACK is dropped in
			 * silence (unlike Linux, which resets), and the peer's
			 * retransmission or its first segment makes it good. A
			 * forged ACK gets no answer to reflect either. */
			st->ctr.SyncookiesFailed++;
			sf_drop(st, seg, SF_DROP_SYN_COOKIE_INVALID);
			return;
		}
		sf_send_rst_reply(st, seg, -1);
		sf_drop(st, seg, SF_DROP_LISTEN_ACK);
		return;
	}
	/* Fourth (no third: no security compartments): only a SYN belongs here. */
	if (!(seg->flags & SF_TCP_SYN)) {
		sf_drop(st, seg, SF_DROP_LISTEN_NO_SYN);
		return;
	}
	/* A SYN with FIN is a scan, not a client (RFC 9293 leaves it to the
	 * FIN step, after the connection is open). As Linux, only a listener
	 * drops it; elsewhere it is a SYN like any other (a crossing SYN in
	 * SYN-SENT, challenged in a synchronized state). */
	if (seg->flags & SF_TCP_FIN) {
		sf_drop(st, seg, SF_DROP_LISTEN_SYN_FIN);
		return;
	}
	/* With the accept queue full we do not answer; the client's SYN
	 * retransmission tries again later. Linux does the same. */
	if (lst->accept_count >= lst->backlog) {
		st->ctr.ListenOverflows++;
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_LISTEN_OVERFLOW);
		return;
	}
	/* RFC 4987 §3.6: a cookie instead of an embryo, always (2) or once the
	 * SYN queue is full (1), before recycling, which still keeps state. A
	 * SYN reopening a TIME-WAIT 4-tuple needs an ISN above the old
	 * connection's (iss_floor), which a cookie cannot promise; with
	 * timestamps it needs none, PAWS keeping the old duplicates out
	 * (RFC 6191 §2). */
	bool full = lst->syn_count >= st->cfg.syn_backlog;
	if ((st->cfg.syncookies == 2 || (st->cfg.syncookies == 1 && full)) &&
	    (!iss_floor || (seg->opt.has_timestamp && st->cfg.timestamps))) {
		send_cookie(st, lst, seg);
		return;
	}
	if (full && !(st->cfg.syn_queue_recycle && recycle_oldest(st, lst))) {
		st->ctr.TCPReqQFullDrop++;
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_SYN_QUEUE_FULL);
		return;
	}
	uint32_t index = sf_pool_alloc(&st->embryos);
	if (!index) {
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_NO_MEMORY);
		return;
	}
	struct sf_embryo *emb = sf_embryo_at(st, index);
	struct sf_endpoint local = { seg->dst, seg->dport }, remote = { seg->src, seg->sport };
	embryo_address(st, lst, seg, emb);
	emb->irs = seg->seq;
	/* A SYN that reopens a TIME-WAIT 4-tuple gets an ISN above the old
	 * connection's so its old duplicates stay outside the new window
	 * (RFC 1122 §4.2.2.13; Linux uses the old SND.NXT + 65537). */
	emb->iss = iss_floor ? *iss_floor : sf_isn(st, &local, &remote);
	emb->peer_mss = seg->opt.has_mss ? seg->opt.mss : 0;
	struct sf_syn_agreement ag = sf_syn_agree(&st->cfg, &seg->opt);
	emb->opt_flags = pack_agreement(&ag) | (sf_ecn_accept_syn(&st->cfg, seg) ? EMBRYO_ECN : 0);
	if (ag.ts)
		emb->ts_recent = seg->opt.ts_val;
	sf_demux_insert(st, sf_ref_make(SF_REF_EMBRYO, index), &local, &remote);
	lst->syn_count++;
	st->ctr.SynRecvCurrent++;
	sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_LISTEN, SF_SYN_RECEIVED, SF_CAUSE_RCV_SYN);
	/* Any text on the SYN is not ACKed: the peer sends it again (§3.10.7.2
	 * allows queuing it; synfin does not implement data on SYN yet). */
	embryo_send_synack(st, emb, false);
	embryo_arm(st, index, emb);
}

/* The peer's final ACK of the handshake, as the embryo keeps it: its
 * window and TSval wait in the record while the accept queue is full. */
static void embryo_take_final_ack(struct sf_embryo *emb, const struct sf_segment *seg)
{
	emb->peer_window = seg->window;
	if (seg->opt.has_timestamp && (emb->opt_flags & EMBRYO_TS))
		emb->ts_recent = seg->opt.ts_val; /* not older than the SYN's: checked */
}

/* The handshake is complete: the record becomes a TCB on the accept queue.
 * The peer's final ACK (embryo_take_final_ack) carried sequence number
 * wl1; sample says whether its arrival times the SYN,ACK's round trip. */
static struct sf_tcb *embryo_complete(struct sf_stack *st, uint32_t index, uint32_t wl1, bool sample)
{
	struct sf_embryo *emb = sf_embryo_at(st, index);
	return handshake_done(st, embryo_listener(st, emb), index, emb, wl1, sample);
}

/* A TCB on lst's accept queue from the handshake emb describes: the embryo
 * at index, freed here, or (index 0) what a SYN cookie's ACK rebuilt. */
static struct sf_tcb *handshake_done(struct sf_stack *st, struct sf_listener *lst, uint32_t index,
				     const struct sf_embryo *emb, uint32_t wl1, bool sample)
{
	struct sf_tcb *tcb = sf_tcb_new(st, lst->sock.family, SF_SYN_RECEIVED); /* the embryo's state */

	if (!tcb)
		return NULL;
	sf_embryo_endpoints(st, emb, &tcb->sock.local, &tcb->sock.remote);
	/* Children inherit the listener's options, as sockets do on Linux. */
	tcb->sock.maxseg = lst->sock.maxseg;
	tcb->sock.sndbuf = lst->sock.sndbuf;
	tcb->sock.rcvbuf = lst->sock.rcvbuf;
	tcb->sock.linger_on = lst->sock.linger_on;
	tcb->sock.linger_s = lst->sock.linger_s;
	tcb->sock.keepalive_on = lst->sock.keepalive_on;
	tcb->sock.ka_idle_ms = lst->sock.ka_idle_ms;
	tcb->sock.ka_intvl_ms = lst->sock.ka_intvl_ms;
	tcb->sock.ka_probes = lst->sock.ka_probes;
	tcb->sock.ttl = lst->sock.ttl;
	tcb->sock.tclass = lst->sock.tclass;
	memcpy(tcb->sock.retry, lst->sock.retry, sizeof tcb->sock.retry);
	tcb->passive = true; /* MUST-11 */
	tcb->iss = emb->iss;
	tcb->snd_una = tcb->snd_nxt = tcb->snd_max = emb->iss + 1;
	tcb->total_retrans = emb->retries;
	sf_tcb_init_rcv(st, tcb, emb->irs);
	tcb->rcv_adv = tcb->rcv_nxt + embryo_window(lst);
	tcb->rcv_mss = sf_own_mss(st, &lst->sock, &tcb->sock.local.addr);
	struct sf_syn_agreement ag = embryo_agreement(emb);
	tcb->rcv_wscale = sf_wscale_for(tcb->sock.rcvbuf);
	sf_tcb_take_agreement(tcb, &ag);
	tcb->ecn_ok = emb->opt_flags & EMBRYO_ECN; /* RFC 3168 §6.1.1: agreed in the SYN,ACK */
	tcb->ts_offset = sf_ts_offset(st, &tcb->sock.local, &tcb->sock.remote);
	tcb->ts_recent = emb->ts_recent;
	tcb->ts_recent_ms = sf_ms(st);
	tcb->last_ack_sent = tcb->rcv_nxt;
	sf_tcb_set_peer_mss(st, tcb, emb->peer_mss);
	/* The completing ACK is not a SYN: its window is scaled (RFC 7323 §2.2). */
	sf_tcb_take_send_window(tcb, (uint32_t)emb->peer_window << tcb->snd_wscale, wl1, emb->iss + 1);
	tcb->last_heard_ns = st->now_ns;
	tcb->listener = lst->sock.handle;
	/* RFC 6298 §2.2 / §3: the handshake gives the first RTT sample, unless
	 * the SYN,ACK was retransmitted (Karn); then §5.7's 3 s applies. */
	if (sample && emb->retries == 0) {
		/* sent_ms was rounded up: a sample within its millisecond is 0. */
		int32_t rtt_ms = (int32_t)(sf_ms(st) - emb->sent_ms);
		sf_tcb_rtt_sample(st, tcb, rtt_ms > 0 ? sf_ns_from_ms(rtt_ms) : 0);
	}
	sf_tcb_set_handshake_rto(st, tcb, !(sample && emb->retries == 0));
	sf_tcb_start_keepalive(st, tcb);

	if (index) {
		lst->syn_count++; /* keep the listener while the record goes */
		sf_embryo_free(st, index);
		lst->syn_count--;
	}
	sf_tcb_hash(st, tcb);
	if (!index) /* the SYN-RECEIVED the cookie stood for, its LISTEN -> SYN-RECEIVED arrow */
		sf_state_change(st, (int)tcb->sock.handle, &tcb->sock.local, &tcb->sock.remote, SF_LISTEN,
				SF_SYN_RECEIVED, SF_CAUSE_SYN_COOKIE);
	sf_tcb_set_state(st, tcb, SF_ESTABLISHED, SF_CAUSE_RCV_ACK_OF_SYN);
	sf_tcb_start_quickack(tcb);
	sf_tcb_cc_init(tcb);
	st->ctr.PassiveOpens++;

	tcb->accept_next = 0;
	if (lst->accept_tail)
		((struct sf_tcb *)st->socks[lst->accept_tail - 1])->accept_next = tcb->sock.handle + 1;
	else
		lst->accept_head = tcb->sock.handle + 1;
	lst->accept_tail = tcb->sock.handle + 1;
	lst->accept_count++;
	sf_mark_ready(st, &lst->sock);
	return tcb;
}

/* <SEQ=ISS+1><ACK=RCV.NXT><CTL=ACK> from an embryo, with the timestamp
 * option when the SYNs agreed on it: RFC 7323 §3.2 puts it on every segment
 * after the SYN, and a peer that checks (synfin does, as TS_MISSING) drops an
 * ACK without it. The peer may be ESTABLISHED already (its final ACK met a
 * full accept queue) and wait for this very ACK to answer a keepalive probe. */
static void embryo_send_ack(struct sf_stack *st, const struct sf_embryo *emb, const struct sf_endpoint *local,
			 const struct sf_endpoint *remote, uint32_t wnd)
{
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_ecr = emb->ts_recent,
				     .ts_val = sf_tsval(st, sf_ts_offset(st, local, remote)) };
	sf_send_ctl(st, local, remote, emb->iss + 1, emb->irs + 1, SF_TCP_ACK, (uint16_t)wnd, -1,
		    (emb->opt_flags & EMBRYO_TS) ? &ts : NULL, sf_sock_marks(st, &embryo_listener(st, emb)->sock));
}

/* RFC 9293 §3.10.7.4 for SYN-RECEIVED reached by a passive OPEN. */
void sf_embryo_input(struct sf_stack *st, uint32_t index, const struct sf_segment *seg)
{
	struct sf_embryo *emb = sf_embryo_at(st, index);
	struct sf_listener *lst = embryo_listener(st, emb);
	struct sf_endpoint local = { seg->dst, seg->dport }, remote = { seg->src, seg->sport };
	uint32_t rcv_nxt = emb->irs + 1, wnd = embryo_window(lst);

	if (lst->zombie) {
		/* The listener was closed: the embryo dies. If a new listener has
		 * the port now, the segment is its business (a retransmitted SYN
		 * starts afresh there, as on Linux); otherwise the peer hears a
		 * reset as from no connection (§3.10.7.1). The embryo's end is a
		 * transition like any other (SYN-RECEIVED -> CLOSED, RFC 9293
		 * §3.10.4 CLOSE of its LISTEN) and a failed attempt (RFC 4022). */
		st->ctr.AttemptFails++;
		sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_CLOSED, SF_CAUSE_LISTENER_CLOSED);
		sf_embryo_free(st, index);
		struct sf_listener *now = sf_listener_lookup(st, &seg->dst, seg->dport);
		if (now) {
			sf_listen_input(st, now, seg, NULL);
			return;
		}
		if (!(seg->flags & SF_TCP_RST))
			sf_send_rst_reply(st, seg, -1);
		sf_drop(st, seg, SF_DROP_LISTENER_GONE);
		return;
	}
	/* RFC 7323 §5.3 R1 and §3.2, before the sequence check, as in an
	 * established connection: timestamps agreed in the SYN must be on every
	 * segment and must not go back (as Linux's tcp_check_req does). */
	enum sf_drop_reason ts = (emb->opt_flags & EMBRYO_TS) ? sf_paws_check(emb->ts_recent, seg) : SF_DROP_NONE;
	if (ts != SF_DROP_NONE) {
		if (ts == SF_DROP_PAWS)
			embryo_send_ack(st, emb, &local, &remote, wnd); /* as for any unacceptable segment */
		sf_drop(st, seg, ts);
		return;
	}
	/* First: the sequence number (Table 6). */
	bool acceptable = sf_seq_acceptable(seg, rcv_nxt, wnd);
	if (!acceptable) {
		if (seg->flags & SF_TCP_RST) {
			sf_drop(st, seg, SF_DROP_SEQ_UNACCEPTABLE);
			return;
		}
		if ((seg->flags & SF_TCP_SYN) && seg->seq == emb->irs) {
			/* The peer repeats its SYN: our SYN,ACK was lost. Repeat it
			 * (an ACK alone would not acknowledge anything it sent). */
			st->ctr.TCPSynRetrans++;
			embryo_send_synack(st, emb, true);
		} else {
			embryo_send_ack(st, emb, &local, &remote, wnd);
		}
		sf_drop(st, seg, SF_DROP_SEQ_UNACCEPTABLE);
		return;
	}
	/* Second: RST. Exactly at RCV.NXT it returns us to LISTEN (the record
	 * goes, the app never knew); elsewhere in the window: challenge ACK. */
	if (seg->flags & SF_TCP_RST) {
		if (seg->seq == rcv_nxt) {
			st->ctr.AttemptFails++;
			sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_LISTEN, SF_CAUSE_RCV_RST);
			sf_embryo_free(st, index);
		} else {
			st->ctr.TCPChallengeACK++;
			embryo_send_ack(st, emb, &local, &remote, wnd);
			sf_drop(st, seg, SF_DROP_RST_CHALLENGED);
		}
		return;
	}
	/* Fourth: a SYN in the window: "return this connection to the LISTEN state". */
	if (seg->flags & SF_TCP_SYN) {
		st->ctr.AttemptFails++;
		sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_LISTEN, SF_CAUSE_RCV_SYN_IN_WINDOW);
		sf_embryo_free(st, index);
		sf_drop(st, seg, SF_DROP_SYN_IN_EMBRYO_WINDOW);
		return;
	}
	/* Fifth: the ACK must acknowledge our SYN, else <SEQ=SEG.ACK><CTL=RST>. */
	if (!(seg->flags & SF_TCP_ACK)) {
		sf_drop(st, seg, SF_DROP_NO_ACK);
		return;
	}
	if (seg->ack != emb->iss + 1) {
		sf_send_rst_reply(st, seg, -1);
		sf_drop(st, seg, SF_DROP_SYN_RECEIVED_BAD_ACK);
		return;
	}
	/* The accept queue is full (as Linux). Drop the ACK but keep the record:
	 * its SYN,ACK retransmission draws another ACK, which gets in once the
	 * application has accepted. abort_on_overflow answers RST instead. */
	if (lst->accept_count >= lst->backlog) {
		st->ctr.ListenOverflows++;
		st->ctr.ListenDrops++;
		/* The peer is ESTABLISHED now: remember that the handshake is done,
		 * so the record's timer can queue it as soon as there is room. */
		emb->opt_flags |= EMBRYO_ACKED;
		embryo_take_final_ack(emb, seg);
		if (st->cfg.abort_on_overflow) {
			sf_send_ctl(st, &local, &remote, emb->iss + 1, rcv_nxt, SF_TCP_RST | SF_TCP_ACK, 0, -1, NULL,
				    sf_sock_marks(st, &lst->sock));
			sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_CLOSED, SF_CAUSE_ACCEPT_QUEUE_FULL);
			st->ctr.AttemptFails++;
			sf_embryo_free(st, index);
		}
		sf_drop(st, seg, SF_DROP_LISTEN_OVERFLOW);
		return;
	}
	embryo_take_final_ack(emb, seg);
	struct sf_tcb *tcb = embryo_complete(st, index, seg->seq, true);
	if (!tcb) {
		st->ctr.ListenDrops++;
		sf_drop(st, seg, SF_DROP_NO_MEMORY);
		return;
	}
	/* Sixth on: text and FIN carried by the completing ACK. */
	if (seg->payload_len || (seg->flags & SF_TCP_FIN))
		sf_tcb_input_text_and_fin(st, tcb, seg);
}

/* The SYN,ACK retransmission timers (RFC 6298 §5; at most synack_retries). */
void sf_embryo_expire(struct sf_stack *st)
{
	uint32_t now = sf_ms(st);

	for (uint32_t level = 0; level <= SF_MAX_SYNACK_RETRIES; level++) {
		struct sf_ilist *list = &st->embryo_fifo[level];
		while (list->head && sf_ms_due(embryo_expires_ms(st, sf_embryo_at(st, list->head)), now)) {
			uint32_t index = list->head;
			struct sf_embryo *emb = sf_embryo_at(st, index);
			struct sf_listener *lst = embryo_listener(st, emb);
			struct sf_endpoint local, remote;
			sf_embryo_endpoints(st, emb, &local, &remote);
			sf_trace_timer(st, -1, SF_TIMER_SYNACK, SF_SYN_RECEIVED, &local, &remote);
			bool acked = emb->opt_flags & EMBRYO_ACKED;
			if (acked && !lst->zombie && lst->accept_count < lst->backlog) {
				/* No connection is lost to a full queue: the handshake was
				 * complete and there is room now: queue it without
				 * waiting for the peer to ACK our SYN,ACK again. */
				if (embryo_complete(st, index, emb->irs + 1, false))
					continue;
			}
			uint32_t limit = st->cfg.synack_retries + (acked ? ACKED_EXTRA_RETRIES : 0);
			if (lst->zombie || emb->retries >= limit) {
				st->ctr.AttemptFails++;
				/* A peer that completed its handshake believes it is
				 * connected: tell it, rather than leave it half-open. */
				if (acked && !lst->zombie)
					sf_send_ctl(st, &local, &remote, emb->iss + 1, emb->irs + 1, SF_TCP_RST | SF_TCP_ACK,
						    0, -1, NULL, sf_sock_marks(st, &lst->sock));
				sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_CLOSED, SF_CAUSE_SYNACK_RETRIES);
				sf_embryo_free(st, index);
				continue;
			}
			/* RFC 9293 §3.8.3 (b), MUST-22: past R1 the SYN,ACK passes
			 * negative advice to IP; there is no application to tell. */
			if (emb->retries >= st->cfg.retries1)
				sf_trace_advice(st, -1, &local, &remote);
			sf_ilist_remove(&st->embryos, EMBRYO_LINK, list, index);
			emb->retries++;
			st->ctr.TCPSynRetrans++;
			st->ctr.TCPTimeouts++;
			embryo_send_synack(st, emb, true);
			embryo_arm(st, index, emb);
		}
	}
}

uint64_t sf_embryo_expires_ns(const struct sf_stack *st, const struct sf_embryo *emb)
{
	return sf_ms_stamp_ns(st, embryo_expires_ms(st, emb));
}

uint64_t sf_embryo_next_deadline(const struct sf_stack *st)
{
	uint64_t next = SF_TIME_NEVER;

	for (uint32_t level = 0; level <= SF_MAX_SYNACK_RETRIES; level++) {
		uint32_t head = st->embryo_fifo[level].head;
		if (!head)
			continue;
		uint64_t t = sf_embryo_expires_ns(st, sf_embryo_at(st, head));
		if (t < next)
			next = t;
	}
	return next;
}

/*
 * Closing a listener (RFC 9293 §3.10.4 LISTEN): connections
 * waiting in its accept queue are reset; embryos die when next
 * touched (their ACK is answered with RST, their timer drops them), and the
 * handle stays reserved until the last of them is gone.
 */
void sf_listener_close(struct sf_stack *st, struct sf_listener *lst, enum sf_cause cause)
{
	while (lst->accept_head) {
		struct sf_tcb *tcb = (struct sf_tcb *)st->socks[lst->accept_head - 1];
		lst->accept_head = tcb->accept_next;
		lst->accept_count--;
		if (tcb->state != SF_CLOSED)
			sf_tcb_send_rst(st, tcb);
		sf_tcb_set_state(st, tcb, SF_CLOSED, SF_CAUSE_LISTENER_CLOSED);
		sf_tcb_destroy(st, tcb);
	}
	lst->accept_tail = 0;
	/* RFC 9293 §3.10.4, CLOSE in LISTEN: any outstanding RECEIVEs return
	 * "closing", the TCB is deleted, state CLOSED. Traced like listen(),
	 * before the handle can be reused. */
	struct sf_endpoint none = { .addr = { .family = lst->sock.family } };
	sf_state_change(st, (int)lst->sock.handle, &lst->sock.local, &none, SF_LISTEN, SF_CLOSED, cause);
	sf_sock_unbind(st, &lst->sock);
	lst->sock.user_open = false;
	lst->zombie = true;
	listener_free_if_done(st, lst);
}
