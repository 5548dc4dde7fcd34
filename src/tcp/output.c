/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Segments out: building them from a TCB or a bare reply, counting them,
 * tracing them and handing them to the driver.
 */
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

void sf_emit(struct sf_stack *st, const struct sf_segment *seg, const uint8_t *tail, size_t tail_len, int sock,
	     enum sf_out_kind kind)
{
	size_t len = sf_wire_build(st->out, st->out_cap, seg, tail, tail_len);

	if (len == 0)
		return; /* cannot happen for segments the stack forms; nothing to send */
	if (kind == SF_OUT_RETRANSMIT)
		st->ctr.RetransSegs++;
	else
		st->ctr.OutSegs++;
	if (seg->flags & SF_TCP_RST)
		st->ctr.OutRsts++;
	sf_trace_segment_out(st, seg, sock, kind);
	sf_ip_output(st, st->out, len);
}

void sf_send_ctl(struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote, uint32_t seq,
		 uint32_t ack, uint8_t flags, uint16_t window, int sock, const struct sf_tcp_options *opt,
		 struct sf_ip_marks marks)
{
	struct sf_segment seg = {
		.src = local->addr, .dst = remote->addr, .sport = local->port, .dport = remote->port,
		.seq = seq, .ack = (flags & SF_TCP_ACK) ? ack : 0, .flags = flags, .window = window,
		.ttl = marks.ttl, .tclass = marks.tclass,
	};
	if (opt)
		seg.opt = *opt;
	sf_emit(st, &seg, NULL, 0, sock, SF_OUT_NEW);
}

/*
 * RFC 9293 §3.10.7.1 (and the bad-ACK cases of §3.10.7.2-4): a reset formed
 * so the sender will accept it, <SEQ=SEG.ACK><CTL=RST> for a segment with an
 * ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. sock is the handle it
 * is traced under (-1: none). Never in answer to a RST (checked by callers).
 */
void sf_tcb_emit(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg, const uint8_t *tail,
		 size_t tail_len, enum sf_out_kind kind)
{
	if (kind == SF_OUT_RETRANSMIT)
		tcb->total_retrans++;
	sf_emit(st, seg, tail, tail_len, (int)tcb->sock.handle, kind);
}

void sf_send_rst_reply(struct sf_stack *st, const struct sf_segment *in, int sock)
{
	struct sf_endpoint local = { in->dst, in->dport }, remote = { in->src, in->sport };

	if (in->flags & SF_TCP_ACK)
		sf_send_ctl(st, &local, &remote, in->ack, 0, SF_TCP_RST, 0, sock, NULL, sf_stack_marks(st));
	else
		sf_send_ctl(st, &local, &remote, 0, in->seq + sf_segment_seq_len(in), SF_TCP_RST | SF_TCP_ACK, 0, sock,
			    NULL, sf_stack_marks(st));
}

/*
 * The window to advertise as the header field: sf_tcb_window_offer, scaled
 * by our shift except in SYNs (RFC 7323 §2.2). A scaled field is rounded up,
 * not down, so the edge the peer sees is never short of the one we keep; the
 * receive ring has 2^shift bytes of slack for that (sf_tcb_rcv_cap).
 */
uint16_t sf_tcb_advertise_window(struct sf_stack *st, struct sf_tcb *tcb, bool syn)
{
	(void)st;
	uint32_t shift = syn ? 0 : tcb->rcv_wscale;
	uint32_t wnd = sf_tcb_window_offer(tcb, syn);
	uint32_t field = (wnd + (1u << shift) - 1) >> shift;
	if (field > 65535)
		field = 65535;
	uint32_t edge = tcb->rcv_nxt + (field << shift);
	if (seq_gt(edge, tcb->rcv_adv))
		tcb->rcv_adv = edge;
	tcb->rcv_wnd = tcb->rcv_adv - tcb->rcv_nxt;
	return (uint16_t)field;
}

/* A segment of this connection with our addresses, the ACK, the window and
 * the options every segment carries; the caller adds data. */
/*
 * RFC 9293 §3.8.5: while our urgent data is not all acknowledged, every
 * segment carries URG and SEG.UP = SND.UP - SEG.SEQ, the octet after the
 * urgent data (MUST-62). A pointer more than 65535 ahead is sent as 65535,
 * the farthest the field reaches (RFC 6093 §4 notes the limit; Linux does
 * the same), and moves up as the segments do. Urgent mode ends when the
 * peer has all of it.
 */
static void mark_urgent(struct sf_tcb *tcb, struct sf_segment *seg)
{
	if (seq_geq(tcb->snd_una, tcb->snd_up)) {
		tcb->urg_mode = false;
		return;
	}
	if (!seq_lt(seg->seq, tcb->snd_up))
		return;
	uint32_t ahead = tcb->snd_up - seg->seq;
	seg->flags |= SF_TCP_URG;
	seg->urgent = (uint16_t)(ahead > 0xffff ? 0xffff : ahead);
}

void sf_tcb_prepare_segment(struct sf_stack *st, struct sf_tcb *tcb, struct sf_segment *seg, uint8_t flags, uint32_t seq)
{
	memset(seg, 0, sizeof *seg);
	seg->src = tcb->sock.local.addr;
	seg->dst = tcb->sock.remote.addr;
	seg->sport = tcb->sock.local.port;
	seg->dport = tcb->sock.remote.port;
	seg->seq = seq;
	seg->flags = flags;
	struct sf_ip_marks marks = sf_sock_marks(st, &tcb->sock);
	seg->ttl = marks.ttl;
	seg->tclass = marks.tclass;
	if (flags & SF_TCP_ACK) {
		seg->ack = tcb->rcv_nxt;
		if (tcb->ecn_ece)
			seg->flags |= SF_TCP_ECE; /* RFC 3168 §6.1.3: every ACK until the peer's CWR */
		tcb->last_ack_sent = tcb->rcv_nxt;
		tcb->ack_held = false; /* this segment is the ACK the batch held */
		sf_tcb_disarm(st, tcb, SF_TIMER_DELACK);
	}
	if (tcb->urg_mode && !(flags & SF_TCP_SYN))
		mark_urgent(tcb, seg);
	if (flags & SF_TCP_SYN) {
		seg->window = sf_tcb_advertise_window(st, tcb, true);
		sf_tcb_syn_options(st, tcb, &seg->opt);
	} else {
		seg->window = sf_tcb_advertise_window(st, tcb, false);
		sf_tcb_segment_options(st, tcb, flags, &seg->opt);
	}
}

/* RFC 9293 §3.10.1 / §3.10.7.2-3: <SEQ=ISS><CTL=SYN>, or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
 * once the peer's SYN is known; both carry our MSS (MUST-14). With cfg.ecn 1
 * the SYN asks for ECN (RFC 3168 §6.1.1); only the first: as Linux
 * (tcp_ecn_clear_syn), its retransmissions go without ECE and CWR, in case
 * those are what a middlebox drops (§6.1.1.1). The SYN,ACK of a
 * simultaneous open never agrees to ECN. */
void sf_tcb_send_syn(struct sf_stack *st, struct sf_tcb *tcb, bool retransmit)
{
	struct sf_segment seg;
	uint8_t flags = tcb->state == SF_SYN_SENT ? SF_TCP_SYN : SF_TCP_SYN | SF_TCP_ACK;

	if (flags == SF_TCP_SYN && st->cfg.ecn == 1 && !retransmit)
		flags |= SF_TCP_ECE | SF_TCP_CWR;

	sf_tcb_prepare_segment(st, tcb, &seg, flags, tcb->iss);
	sf_tcb_emit(st, tcb, &seg, NULL, 0, retransmit ? SF_OUT_RETRANSMIT : SF_OUT_NEW);
	if (!sf_timer_armed(&tcb->timer) || tcb->due[SF_TIMER_RETRANSMIT] == SF_TIME_NEVER)
		sf_tcb_arm_in(st, tcb, SF_TIMER_RETRANSMIT, tcb->rto_ms);
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (RFC 9293 §3.10.7.4). The RFC's
 * SND.NXT is our snd_max: after a timeout snd_nxt goes back to resend, but a
 * bare ACK must carry the highest number sent, or the peer, which may already
 * hold data beyond snd_nxt, would find it old and ACK back (an ACK war). */
void sf_tcb_send_ack(struct sf_stack *st, struct sf_tcb *tcb)
{
	struct sf_segment seg;

	sf_tcb_prepare_segment(st, tcb, &seg, SF_TCP_ACK, tcb->snd_max);
	sf_emit(st, &seg, NULL, 0, (int)tcb->sock.handle, SF_OUT_NEW);
}

/*
 * RFC 5961 §3.2, §4.2, §5.2: the challenge ACK, carrying our own SND.NXT and
 * RCV.NXT, never numbers taken from the segment that provoked it. Limited per
 * connection (RFC 5961 §7), not by one stack-wide counter whose exhaustion an
 * off-path attacker can observe (CVE-2016-5696).
 */
void sf_tcb_challenge_ack(struct sf_stack *st, struct sf_tcb *tcb, bool for_syn)
{
	uint64_t second = st->now_ns / sf_ns_from_ms(1000);

	if (second != tcb->chack_second) {
		tcb->chack_second = second;
		tcb->chack_count = 0;
	}
	if (tcb->chack_count >= st->cfg.challenge_ack_limit) {
		st->ctr.TCPChallengeACKLimited++;
		return;
	}
	tcb->chack_count++;
	st->ctr.TCPChallengeACK++;
	if (for_syn)
		st->ctr.TCPSYNChallenge++;
	sf_tcb_send_ack(st, tcb);
}

/*
 * <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>: a segment the peer has already
 * seen, which it must answer with an ACK of its current state (RFC 9293
 * §3.10.7.4 first: an unacceptable segment is ACKed). The keepalive probe
 * (RFC 1122 §4.2.3.6) and the zero-window probe (§3.8.6.1, as Linux probes
 * without data) are this segment.
 */
void sf_tcb_send_probe(struct sf_stack *st, struct sf_tcb *tcb, bool retransmit)
{
	struct sf_segment seg;

	sf_tcb_prepare_segment(st, tcb, &seg, SF_TCP_ACK, tcb->snd_una - 1);
	sf_tcb_emit(st, tcb, &seg, NULL, 0, retransmit ? SF_OUT_RETRANSMIT : SF_OUT_NEW);
}

/* RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>; with the ACK bit as well, as
 * Linux sends it, so a peer that checks RFC 5961 §3 sees RCV.NXT exactly. */
void sf_tcb_send_rst(struct sf_stack *st, struct sf_tcb *tcb)
{
	struct sf_segment seg;

	sf_tcb_prepare_segment(st, tcb, &seg, SF_TCP_RST | SF_TCP_ACK, tcb->snd_max);
	seg.window = 0;
	sf_emit(st, &seg, NULL, 0, (int)tcb->sock.handle, SF_OUT_NEW);
}
