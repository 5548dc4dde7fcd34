/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TIME-WAIT (RFC 9293 §3.6, MUST-13; RFC 1337, RFC 6191).
 *
 * Entering TIME-WAIT frees the TCB: a compact record (struct sf_tw, as
 * Linux's TIME-WAIT minisocket) takes its place in the demux table. It
 * re-ACKs the peer's retransmitted FIN, restarts the 2MSL wait when one
 * comes, judges whether a new SYN may reopen the 4-tuple (RFC 1122
 * §4.2.2.13, MAY-2; RFC 6191), and by default ignores RSTs (RFC 1337).
 * All records wait the same 2*MSL, so one FIFO list sorted by expiry is
 * their whole timer: a restarted record moves to the tail.
 */
#include <stddef.h>
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

#define TW_LINK offsetof(struct sf_tw, fifo)

static void tw_arm(struct sf_stack *st, uint32_t index, struct sf_tw *tw)
{
	tw->expires_ms = sf_ms_ceil(st) + 2 * st->cfg.msl_ms;
	sf_ilist_push_tail(&st->tws, TW_LINK, &st->tw_fifo, index);
}

void sf_tw_enter(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint32_t index = sf_pool_alloc(&st->tws);

	if (!index) {
		/* No memory for the record: end the connection as Linux does when
		 * its TIME-WAIT table overflows. */
		sf_tcb_end(st, tcb, 0, SF_CAUSE_TIME_WAIT_NO_MEMORY);
		return;
	}
	struct sf_tw *tw = sf_tw_at(st, index);
	memcpy(tw->raddr, tcb->sock.remote.addr.bytes, sizeof tw->raddr);
	tw->lport = tcb->sock.local.port;
	tw->rport = tcb->sock.remote.port;
	tw->laddr_id = (uint16_t)sf_local_id(st, &tcb->sock.local.addr);
	tw->snd_nxt = tcb->snd_max;
	tw->rcv_nxt = tcb->rcv_nxt;
	tw->rcv_wnd = sf_tcb_advertise_window(st, tcb, false);
	tw->rcv_wscale = tcb->rcv_wscale;
	tw->marks = sf_sock_marks(st, &tcb->sock);
	if (tcb->ts_ok) {
		tw->flags |= SF_TW_TS;
		tw->ts_recent = tcb->ts_recent;
		tw->ts_offset = tcb->ts_offset;
	}

	sf_tcb_unhash(st, tcb);
	sf_demux_insert(st, sf_ref_make(SF_REF_TW, index), &tcb->sock.local, &tcb->sock.remote);
	sf_port_add_user(st, tw->lport);
	tw_arm(st, index, tw);
	st->ctr.TimeWaitCurrent++;

	if (tcb->orphan) {
		sf_tcb_destroy(st, tcb);
		return;
	}
	/* The application still holds the handle: it keeps a closed socket
	 * whose state reads TIME-WAIT while the record lives (sf_state). */
	sf_tcb_stop_timers(st, tcb);
	tcb->went_time_wait = true;
	sf_mark_ready(st, &tcb->sock);
}

void sf_tw_free(struct sf_stack *st, uint32_t index)
{
	struct sf_tw *tw = sf_tw_at(st, index);
	struct sf_endpoint local, remote;

	sf_tw_endpoints(st, tw, &local, &remote);
	sf_demux_remove(st, sf_ref_make(SF_REF_TW, index), &local, &remote);
	sf_port_remove_user(st, tw->lport);
	sf_ilist_remove(&st->tws, TW_LINK, &st->tw_fifo, index);
	sf_pool_free(&st->tws, index);
	st->ctr.TimeWaitCurrent--;
}

/* The connection's last ACK again; with its timestamp when they were in
 * use, or a peer that checks RFC 7323 §3.2 would drop it. */
static void tw_send_ack(struct sf_stack *st, const struct sf_tw *tw)
{
	struct sf_endpoint local, remote;
	struct sf_tcp_options opt = { 0 };

	sf_tw_endpoints(st, tw, &local, &remote);
	if (tw->flags & SF_TW_TS) {
		opt.has_timestamp = 1;
		opt.ts_val = sf_tsval(st, tw->ts_offset);
		opt.ts_ecr = tw->ts_recent;
	}
	sf_send_ctl(st, &local, &remote, tw->snd_nxt, tw->rcv_nxt, SF_TCP_ACK, tw->rcv_wnd, -1, &opt, tw->marks);
}

/*
 * RFC 6191 §2 (and RFC 1122 §4.2.2.13, MAY-2): may this SYN reopen the
 * 4-tuple? With timestamps on both the old connection and the SYN, a TSval
 * newer than the last one seen proves the SYN is new, whatever its sequence
 * number. Without them, its sequence number must lie beyond everything the
 * old connection used.
 */
static bool syn_is_new(const struct sf_tw *tw, const struct sf_segment *seg)
{
	if ((tw->flags & SF_TW_TS) && seg->opt.has_timestamp && seg->opt.ts_val != tw->ts_recent)
		return sf_ts_newer(seg->opt.ts_val, tw->ts_recent);
	/* No timestamps on one side, or equal ones: RFC 6191 §2 falls back to
	 * the sequence number. */
	return seq_gt(seg->seq, tw->rcv_nxt);
}

static void tw_restart(struct sf_stack *st, uint32_t index, struct sf_tw *tw)
{
	sf_ilist_remove(&st->tws, TW_LINK, &st->tw_fifo, index);
	tw_arm(st, index, tw);
}

/*
 * A segment for a TIME-WAIT record, by the steps of RFC 9293 §3.10.7.4.
 * The peer has sent everything (its FIN is in), so nothing it sends now
 * carries news; what matters is that it hears our last ACK again and that
 * the 2MSL wait restarts while it is still talking (fifth and eighth
 * steps). Returns true when a SYN may reopen the 4-tuple: the record is
 * gone and *iss_floor is where the new ISN must start.
 */
bool sf_tw_input(struct sf_stack *st, uint32_t index, const struct sf_segment *seg, uint32_t *iss_floor)
{
	struct sf_tw *tw = sf_tw_at(st, index);
	uint32_t len = sf_segment_seq_len(seg);
	bool syn_alone = (seg->flags & (SF_TCP_SYN | SF_TCP_RST | SF_TCP_ACK)) == SF_TCP_SYN;

	if (syn_alone) {
		/* MAY-2 / RFC 1122 §4.2.2.13 (and Linux, FreeBSD): a SYN whose
		 * sequence number is beyond everything the old connection used
		 * cannot be confused with it, so it may reopen the 4-tuple. The
		 * new ISN starts above the old SND.NXT. strict_time_wait refuses
		 * any reuse until 2MSL is over, and a SYN with FIN, which no
		 * listener would take, reopens nothing. */
		if (!st->cfg.strict_time_wait && !(seg->flags & SF_TCP_FIN) && syn_is_new(tw, seg)) {
			*iss_floor = tw->snd_nxt + 65535 + 2;
			st->ctr.TWRecycled++;
			sf_record_state_change(st, sf_ref_make(SF_REF_TW, index), SF_TIME_WAIT, SF_CLOSED, SF_CAUSE_TIME_WAIT_REOPENED);
			sf_tw_free(st, index);
			return true;
		}
		/* Refused: ACK it (§3.10.7.4 fourth, RFC 5961 §4). A client in
		 * SYN-SENT answers that ACK with a RST (ignored below) and
		 * retries after its SYN timeout. The 2MSL wait is not restarted:
		 * an ACK-less SYN may be an old duplicate (as Linux). */
		tw_send_ack(st, tw);
		sf_drop(st, seg, SF_DROP_TIME_WAIT_SYN);
		return false;
	}
	uint32_t wnd = (uint32_t)tw->rcv_wnd << tw->rcv_wscale;
	bool acceptable = sf_seq_acceptable(seg, tw->rcv_nxt, wnd);
	if (seg->flags & SF_TCP_RST) {
		/* RFC 1337 (TIME-WAIT assassination): a RST must not
		 * cut the 2MSL wait short. With rfc1337 off, the classic rule of
		 * §3.10.7.4 applies, with RFC 5961 §3's exact match. */
		if (st->cfg.rfc1337) {
			st->ctr.TCPTWRstIgnored++;
			sf_drop(st, seg, SF_DROP_TIME_WAIT_RST);
			return false;
		}
		if (seg->seq == tw->rcv_nxt) {
			st->ctr.TWKilled++;
			sf_record_state_change(st, sf_ref_make(SF_REF_TW, index), SF_TIME_WAIT, SF_CLOSED, SF_CAUSE_RCV_RST_TIME_WAIT);
			sf_tw_free(st, index);
			return false;
		}
		if (acceptable) {
			st->ctr.TCPChallengeACK++;
			tw_send_ack(st, tw);
			sf_drop(st, seg, SF_DROP_RST_CHALLENGED);
		} else {
			sf_drop(st, seg, SF_DROP_SEQ_UNACCEPTABLE);
		}
		return false;
	}
	if (tw->flags & SF_TW_TS) {
		/* RFC 7323 §3.2 and §5.3 R1, as in every synchronized state. */
		enum sf_drop_reason ts = sf_paws_check(tw->ts_recent, seg);
		if (ts == SF_DROP_PAWS)
			tw_send_ack(st, tw); /* as for any unacceptable segment */
		if (ts != SF_DROP_NONE) {
			sf_drop(st, seg, ts);
			return false;
		}
		/* RFC 7323 §4.3: TS.Recent follows segments that start at or
		 * below RCV.NXT (Last.ACK.sent), a retransmitted FIN among them. */
		if (seq_leq(seg->seq, tw->rcv_nxt) && sf_ts_newer(seg->opt.ts_val, tw->ts_recent))
			tw->ts_recent = seg->opt.ts_val;
	}
	if (!acceptable) {
		/* §3.10.7.4 first: ACK what is unacceptable. The peer's
		 * retransmitted FIN (it lost our last ACK) ends just before
		 * RCV.NXT: re-ACK it and restart the 2MSL wait (eighth). */
		tw_send_ack(st, tw);
		if ((seg->flags & SF_TCP_FIN) && seg->seq + len == tw->rcv_nxt)
			tw_restart(st, index, tw);
		sf_drop(st, seg, SF_DROP_TIME_WAIT_ACKED);
		return false;
	}
	if (!(seg->flags & SF_TCP_ACK)) {
		/* §3.10.7.4 fifth: with the ACK bit off, drop (as FreeBSD). */
		sf_drop(st, seg, SF_DROP_NO_ACK);
		return false;
	}
	/* An acceptable segment with an ACK. §3.10.7.4 fifth: "acknowledge
	 * it, and restart the 2 MSL timeout"; eighth: a FIN restarts it too.
	 * The one exception, as Linux and FreeBSD: a bare ACK at RCV.NXT is
	 * not answered, or two TIME-WAIT ends would ACK each other forever. */
	tw_restart(st, index, tw);
	if (!(seg->flags & (SF_TCP_SYN | SF_TCP_FIN)) && seg->payload_len == 0 && seg->seq == tw->rcv_nxt) {
		sf_drop(st, seg, SF_DROP_TIME_WAIT_ACK);
		return false;
	}
	if (seg->flags & SF_TCP_SYN) {
		/* A SYN,ACK, or SYN with an ACK: RFC 5961 §4 challenge ACK. */
		st->ctr.TCPChallengeACK++;
		tw_send_ack(st, tw);
		sf_drop(st, seg, SF_DROP_SYN_CHALLENGED);
		return false;
	}
	tw_send_ack(st, tw);
	sf_drop(st, seg, SF_DROP_TIME_WAIT_ACKED);
	return false;
}

void sf_tw_expire(struct sf_stack *st)
{
	uint32_t now = sf_ms(st);

	while (st->tw_fifo.head && sf_ms_due(sf_tw_at(st, st->tw_fifo.head)->expires_ms, now)) {
		uint32_t index = st->tw_fifo.head;
		struct sf_tw *tw = sf_tw_at(st, index);
		struct sf_endpoint local, remote;
		sf_tw_endpoints(st, tw, &local, &remote);
		sf_trace_timer(st, -1, SF_TIMER_TIME_WAIT, SF_TIME_WAIT, &local, &remote);
		sf_record_state_change(st, sf_ref_make(SF_REF_TW, index), SF_TIME_WAIT, SF_CLOSED, SF_CAUSE_TIME_WAIT_DONE);
		st->ctr.TW++;
		sf_tw_free(st, index);
	}
}

uint64_t sf_tw_next_deadline(const struct sf_stack *st)
{
	return st->tw_fifo.head ? sf_ms_stamp_ns(st, sf_tw_at(st, st->tw_fifo.head)->expires_ms) : SF_TIME_NEVER;
}
