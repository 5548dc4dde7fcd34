/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sending half of the data path: what to send and when.
 *
 *  - flow control: never past the peer's window (RFC 9293 §3.8.6), with the
 *    sender's silly window avoidance and Nagle (§3.8.6.2.1, §3.7.4), and
 *    zero-window probing on the persist timer (§3.8.6.1, MUST-36, MUST-37);
 *  - congestion control: slow start and congestion avoidance (RFC 5681 §3.1)
 *    from an initial window of 10 segments (RFC 6928), restart after idle
 *    (RFC 5681 §4.1), through the TCB's struct sf_cc_ops (cc.c);
 *  - loss recovery: fast retransmit and NewReno fast recovery (RFC 5681 §3.2,
 *    RFC 6582), or SACK-based recovery (RFC 6675) when SACK was agreed;
 *    retransmission timeouts (RFC 6298 §5, RFC 5681 §3.1).
 */
#include <errno.h>

#include "tcp/tcp.h"
#include "base/seq.h"

#define DUPTHRESH 3 /* RFC 5681 §3.2, RFC 6675 §2 */

/* ---- the SACK scoreboard (RFC 6675 §3) ---- */

static struct sf_rangeset *scoreboard(struct sf_tcb *tcb)
{
	struct sf_rangeset *sb = sf_ring_map(&tcb->sndq);
	return tcb->sack_ok && sb && sb->n ? sb : NULL;
}

/* Note the SACK blocks of an arriving ACK. A block must lie inside
 * (SND.UNA, SND.MAX] and not be reversed; others (including D-SACK reports
 * below SND.UNA, RFC 2883) are counted and ignored: a peer cannot make us
 * believe it holds data we never sent. */
void sf_tcb_take_sack(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	struct sf_rangeset *sb = sf_ring_map(&tcb->sndq);

	if (!tcb->sack_ok || !seg->opt.sack_count)
		return;
	for (int i = 0; i < seg->opt.sack_count; i++) {
		uint32_t l = seg->opt.sack[i].left, r = seg->opt.sack[i].right;
		if (!sb || !seq_lt(l, r) || !seq_gt(l, tcb->snd_una) || seq_gt(r, tcb->snd_max) ||
		    sf_rangeset_add(sb, l, r) != 0)
			st->ctr.TCPSACKDiscard++;
	}
}

/* SACKed bytes above seq, and how many SACKed ranges lie above it. */
static uint32_t sacked_above(const struct sf_rangeset *sb, uint32_t seq, uint32_t *ranges)
{
	uint32_t bytes = 0;
	*ranges = 0;
	for (uint32_t i = 0; i < sb->n; i++) {
		if (seq_leq(sb->r[i].end, seq))
			continue;
		uint32_t from = seq_max(sb->r[i].start, seq);
		bytes += sb->r[i].end - from;
		(*ranges)++;
	}
	return bytes;
}

/* RFC 6675 §4 IsLost: DupThresh discontiguous SACKed ranges above it, or
 * more than (DupThresh - 1) * SMSS bytes SACKed above it. */
static bool is_lost(const struct sf_tcb *tcb, const struct sf_rangeset *sb, uint32_t seq)
{
	uint32_t ranges, bytes = sacked_above(sb, seq, &ranges);
	return ranges >= DUPTHRESH || bytes > (DUPTHRESH - 1) * (uint32_t)tcb->snd_mss;
}

/*
 * RFC 6675 §4 NextSeg rule 1: the first byte at or above HighRxt that is in a
 * hole (not SACKed, below the highest SACKed byte) and is lost. Returns
 * false if there is none; else *seq and *len (at most one segment of mss,
 * within the hole).
 */
static bool next_lost(const struct sf_tcb *tcb, const struct sf_rangeset *sb, uint32_t mss, uint32_t *seq,
		      uint32_t *len)
{
	uint32_t hole = tcb->snd_una;

	for (uint32_t i = 0; i < sb->n; i++) {
		uint32_t a = seq_max(hole, tcb->high_rxt), b = sb->r[i].start;
		hole = seq_max(hole, sb->r[i].end);
		if (!seq_lt(a, b) || !is_lost(tcb, sb, a))
			continue;
		*seq = a;
		*len = b - a < mss ? b - a : mss;
		return true;
	}
	return false;
}

/* RFC 6675 §4 SetPipe, in bytes: what is in flight, less what the peer has
 * SACKed and what is lost and not yet sent again. */
static uint32_t pipe_size(const struct sf_tcb *tcb, const struct sf_rangeset *sb)
{
	uint32_t pipe = sf_flight_size(tcb), hole = tcb->snd_una;

	for (uint32_t i = 0; i < sb->n; i++) {
		pipe -= sb->r[i].end - sb->r[i].start;
		uint32_t a = seq_max(hole, tcb->high_rxt), b = sb->r[i].start;
		hole = seq_max(hole, sb->r[i].end);
		if (seq_lt(a, b) && is_lost(tcb, sb, a))
			pipe -= b - a;
	}
	return pipe;
}

/* ---- sending ---- */

static bool can_send_data(enum sf_tcp_state s)
{
	/* RFC 9293 §3.10.2: SEND is served in ESTABLISHED and CLOSE-WAIT; queued
	 * data still drains after CLOSE in FIN-WAIT-1, CLOSING and LAST-ACK. */
	return s == SF_ESTABLISHED || s == SF_CLOSE_WAIT || s == SF_FIN_WAIT_1 || s == SF_CLOSING ||
	       s == SF_LAST_ACK;
}

/* Everything queued is out: the data up to the end of the queue, and our
 * FIN, if one is queued, sent and not rewound by a timeout. */
static bool all_out(const struct sf_tcb *tcb)
{
	return tcb->snd_nxt - tcb->snd_una >= tcb->sndq.len &&
	       (!tcb->fin_queued || (tcb->fin_sent && tcb->snd_nxt == tcb->snd_max));
}

/* One segment of queued data from seq (len bytes, maybe with the FIN),
 * straight from the send ring: no copy before the datagram is built. */
static void send_segment(struct sf_stack *st, struct sf_tcb *tcb, uint32_t seq, uint32_t len, bool fin)
{
	struct sf_segment seg;
	uint8_t flags = SF_TCP_ACK | (len ? SF_TCP_PSH : 0) | (fin ? SF_TCP_FIN : 0);
	bool again = seq_lt(seq, tcb->snd_max);
	const uint8_t *p2;
	uint32_t n1, n2;

	if (again && sf_tcb_probe_covers(tcb, seq, len))
		sf_tcb_probe_lost(st, tcb);
	sf_tcb_prepare_segment(st, tcb, &seg, flags, seq);
	if (len && !again)
		sf_tcb_ecn_new_data(tcb, &seg);
	sf_ring_peek(&tcb->sndq, seq - tcb->snd_una, len, &seg.payload, &n1, &p2, &n2);
	seg.payload_len = n1;
	sf_tcb_emit(st, tcb, &seg, p2, n2,
		    again ? SF_OUT_RETRANSMIT : sf_tcb_probe_covers(tcb, seq, len) ? SF_OUT_MTU_PROBE : SF_OUT_NEW);
	uint32_t end = seq + len + (fin ? 1u : 0u);
	/* RFC 6298 §3 / Karn (MUST-18): time one new segment at a time. */
	if (!again && !tcb->rtt_timing && !tcb->ts_ok) {
		tcb->rtt_timing = true;
		tcb->rtt_seq = end;
		tcb->rtt_start_ns = st->now_ns;
	}
	if (fin)
		tcb->fin_sent = true;
	if (tcb->snd_max == tcb->snd_una)
		tcb->unacked_since_ns = st->now_ns;
	if (seq_gt(end, tcb->snd_max))
		tcb->snd_max = end;
	tcb->last_send_ns = st->now_ns;
	if (tcb->due[SF_TIMER_RETRANSMIT] == SF_TIME_NEVER)
		sf_tcb_arm_in(st, tcb, SF_TIMER_RETRANSMIT, tcb->rto_ms);
	sf_tcb_disarm(st, tcb, SF_TIMER_PERSIST);
}

/* SACK recovery (RFC 6675 §5 step C): while the pipe leaves room in cwnd,
 * send the next lost segment again, in segments of mss (sf_tcb_send_mss).
 * New data follows in sf_tcb_output. */
static int sack_retransmit(struct sf_stack *st, struct sf_tcb *tcb, uint32_t mss)
{
	struct sf_rangeset *sb = scoreboard(tcb);
	int sent = 0;
	uint32_t seq, len;

	while (sb && pipe_size(tcb, sb) < tcb->cwnd && next_lost(tcb, sb, mss, &seq, &len)) {
		send_segment(st, tcb, seq, len, false);
		tcb->high_rxt = seq + len;
		st->ctr.TCPFastRetrans++;
		sent++;
	}
	return sent;
}

/* How far past SND.NXT the peer's window lets us go (RFC 9293 §3.8.6). */
static uint32_t window_room(const struct sf_tcb *tcb)
{
	uint32_t wnd_end = tcb->snd_una + tcb->snd_wnd;
	return seq_lt(tcb->snd_nxt, wnd_end) ? wnd_end - tcb->snd_nxt : 0;
}

/* How far past SND.NXT the window and the congestion window let us go,
 * with segments of mss. cwnd counts in segments of snd_mss (as Linux's, in
 * packets): while options shrink each segment to mss it admits as many
 * segments, each of mss, and leaves no sliver over. */
static uint32_t allowance(const struct sf_tcb *tcb, uint32_t mss)
{
	uint32_t wnd_room = window_room(tcb);
	const struct sf_rangeset *sb = tcb->in_recovery ? scoreboard((struct sf_tcb *)tcb) : NULL;
	uint32_t used = sb ? pipe_size(tcb, sb) : tcb->snd_nxt - tcb->snd_una;
	uint32_t cwnd = mss == tcb->snd_mss ? tcb->cwnd : (uint32_t)((uint64_t)tcb->cwnd * mss / tcb->snd_mss);
	uint32_t cc_room = cwnd > used ? cwnd - used : 0;
	return wnd_room < cc_room ? wnd_room : cc_room;
}

/*
 * Send what may be sent: first, in SACK recovery, lost segments again; then
 * data from SND.NXT in segments of at most the effective MSS (MUST-16), and
 * the FIN after the last queued byte. A short segment goes only if it empties
 * the queue and nothing is unacknowledged (Nagle, unless TCP_NODELAY, urgent
 * data is waiting, or the app has closed), or if it is at least half the largest window the peer has
 * offered (sender SWS avoidance, RFC 9293 §3.8.6.2.1). If the peer's window
 * stops us with nothing in flight, the persist timer will probe it.
 */
int sf_tcb_output(struct sf_stack *st, struct sf_tcb *tcb)
{
	int sent = 0;

	if (!can_send_data(tcb->state) || (!tcb->in_recovery && all_out(tcb)))
		return 0; /* and nothing waits for the window */
	sf_tcb_path_check(st, tcb);
	/* Every segment of this call carries the same options, so one effective
	 * MSS sizes them all, and Nagle, SWS avoidance and the persist test
	 * judge "a full segment" by it too (as Linux's mss_now). */
	uint32_t mss = sf_tcb_send_mss(tcb);
	if (tcb->in_recovery)
		sent += sack_retransmit(st, tcb, mss);
	/* RFC 5681 §4.1: after an idle period longer than the RTO, start again
	 * from at most the initial window. */
	if (tcb->snd_una == tcb->snd_max && tcb->last_send_ns &&
	    st->now_ns - tcb->last_send_ns > sf_ns_from_ms(tcb->rto_ms)) {
		uint32_t iw = sf_initial_window(tcb->snd_mss);
		if (tcb->cwnd > iw)
			tcb->cwnd = iw;
	}
	for (;;) {
		if (all_out(tcb))
			break;
		uint32_t off = tcb->snd_nxt - tcb->snd_una;
		uint32_t queued = tcb->sndq.len;
		uint32_t avail = off < queued ? queued - off : 0;
		uint32_t room = allowance(tcb, mss);
		uint32_t len = avail < room ? avail : room;
		uint32_t probe = tcb->probe_lo ? sf_tcb_probe_due(st, tcb, mss, avail, room) : 0;
		if (probe) {
			/* RFC 4821 §7.5: one segment of the size being tried. */
			sf_tcb_probe_sent(tcb, tcb->snd_nxt, probe);
			send_segment(st, tcb, tcb->snd_nxt, probe, false);
			tcb->snd_nxt += probe;
			sent++;
			continue;
		}
		if (len > mss)
			len = mss;
		/* The FIN follows the last byte, and like a byte needs room in the
		 * peer's window. Alone it carries no data to congest the path, so
		 * the congestion window does not hold it back (as Linux's
		 * tcp_cwnd_test lets the final FIN through): after the last of
		 * the data, close sends it at once, not an RTT or an RTO later. */
		bool fin = tcb->fin_queued && off + len == queued && (len ? room > len : window_room(tcb) > 0);
		if (len == 0 && !fin)
			break;
		bool fresh = seq_geq(tcb->snd_nxt, tcb->snd_max); /* retransmissions are not held back */
		if (fresh && len < mss && len < avail) {
			/* Window-limited to a piece short of a segment: SWS avoidance. */
			if (len < tcb->max_snd_wnd / 2)
				break;
		} else if (fresh && len < mss && !fin && tcb->snd_max != tcb->snd_una && !tcb->nodelay &&
			   !tcb->fin_queued && !tcb->urg_mode) {
			break; /* Nagle (RFC 9293 §3.7.4): wait for the ACK of what is out */
		}
		send_segment(st, tcb, tcb->snd_nxt, len, fin);
		tcb->snd_nxt += len + (fin ? 1u : 0u);
		sent++;
		if (fin)
			break;
	}
	/* Data or a FIN waits, the peer's window is the reason, and nothing is
	 * in flight to bring an ACK: probe the window (MUST-36). */
	bool waiting = tcb->snd_nxt - tcb->snd_una < tcb->sndq.len || (tcb->fin_queued && !tcb->fin_sent);
	if (waiting && tcb->snd_una == tcb->snd_max && tcb->snd_wnd < mss &&
	    tcb->due[SF_TIMER_PERSIST] == SF_TIME_NEVER) {
		uint64_t wait = (uint64_t)tcb->rto_ms << (tcb->persist_backoff < 16 ? tcb->persist_backoff : 16);
		if (wait > st->cfg.rto_max_ms)
			wait = st->cfg.rto_max_ms;
		sf_tcb_arm_in(st, tcb, SF_TIMER_PERSIST, wait);
	}
	return sent;
}

/*
 * The persist timer fired (RFC 9293 §3.8.6.1): probe the closed window with
 * <SEQ=SND.UNA-1><ACK>, which any receiver must answer with an ACK carrying
 * its current window (as Linux does; it sends no data into a closed window).
 * The interval backs off; the connection stays open as long as the probes
 * are answered (MUST-37), and is given up after R2 unanswered ones
 * (sf_tcb_retry).
 */
void sf_tcb_persist_timeout(struct sf_stack *st, struct sf_tcb *tcb)
{
	tcb->due[SF_TIMER_PERSIST] = SF_TIME_NEVER;
	if (tcb->snd_wnd >= sf_tcb_send_mss(tcb) || tcb->snd_una != tcb->snd_max) {
		sf_tcb_output(st, tcb);
		return;
	}
	/* RFC 9293 §3.8.6.2.1 (RFC 1122 §4.2.3.4) case (4): a window that is
	 * open but too small for SWS avoidance to use is filled when the
	 * override timeout (this timer) fires; probing it with no data would
	 * deadlock with a peer that keeps offering the same small window. */
	uint32_t queued = tcb->sndq.len - (tcb->snd_nxt - tcb->snd_una);
	if (tcb->snd_wnd && queued) {
		uint32_t len = queued < tcb->snd_wnd ? queued : tcb->snd_wnd;
		send_segment(st, tcb, tcb->snd_nxt, len, false);
		tcb->snd_nxt += len;
		return;
	}
	/* MUST-37: only probes the peer left unanswered count toward giving up
	 * (probes_out is cleared by any ACK, sf_tcb_sender_ack). */
	if (!sf_tcb_retry(st, tcb, SF_TIMER_PERSIST))
		return;
	sf_tcb_send_probe(st, tcb, false);
	st->ctr.TCPWinProbe++;
	tcb->persist_backoff++;
	sf_tcb_output(st, tcb); /* re-arms the persist timer */
	sf_tcb_retry_clamp(st, tcb, SF_TIMER_PERSIST);
}

/* ---- ACKs and timeouts ---- */

/* Fast retransmit (RFC 5681 §3.2 step 2, RFC 6582 §3.2 steps 2 and 4,
 * RFC 6675 §5 step 4.1): send the first unacknowledged segment again: at
 * most one effective MSS (MUST-16), and never past what was sent (SND.MAX).
 * Returns the sequence space it covers (the FIN counts when it is all that
 * is left). */
static uint32_t retransmit_first_unacked(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint32_t flight = sf_flight_size(tcb), mss = sf_tcb_send_mss(tcb);
	uint32_t len = flight < mss ? flight : mss;
	uint32_t data = len < tcb->sndq.len ? len : tcb->sndq.len;

	if (data)
		send_segment(st, tcb, tcb->snd_una, data, false);
	st->ctr.TCPFastRetrans++;
	return len;
}

/* congestion is false when what was lost is a path MTU probe, whose loss
 * says its size was too big, not that the path is congested (RFC 4821
 * §7.6.2): the lost data is recovered the same way, the window kept. */
static void enter_recovery(struct sf_stack *st, struct sf_tcb *tcb, bool congestion)
{
	const struct sf_rangeset *sb = scoreboard(tcb);

	tcb->in_recovery = true;
	tcb->recover = tcb->snd_max;
	if (congestion) {
		tcb->ssthresh = tcb->cc->ssthresh(tcb);
		sf_tcb_ecn_window_reduced(tcb);
	}
	tcb->high_rxt = tcb->snd_una;
	if (sb) {
		/* RFC 6675 §5 (4.2): cwnd = ssthresh, then send while pipe allows. */
		st->ctr.TCPSackRecovery++;
		if (congestion)
			tcb->cwnd = tcb->ssthresh;
		/* Nothing judged lost yet: the first unACKed segment is (3 dupacks). */
		if (!sack_retransmit(st, tcb, sf_tcb_send_mss(tcb)))
			tcb->high_rxt = tcb->snd_una + retransmit_first_unacked(st, tcb);
		return;
	}
	/* RFC 6582 §3.2 step 2: retransmit the first unACKed segment and
	 * inflate cwnd by the three segments that have left the network. */
	st->ctr.TCPRenoRecovery++;
	retransmit_first_unacked(st, tcb);
	if (congestion)
		tcb->cwnd = tcb->ssthresh + DUPTHRESH * (uint32_t)tcb->snd_mss;
}

/*
 * An ACK arrived (after RFC 9293 §3.10.7.4's checks, SND.UNA already moved
 * over acked bytes). acked == 0 with dup set is a duplicate ACK in RFC 5681
 * §2's sense.
 */
void sf_tcb_sender_ack(struct sf_stack *st, struct sf_tcb *tcb, uint32_t acked, bool dup)
{
	sf_tcb_peer_answered(st, tcb, false); /* RFC 9293 §3.8.6.1, MUST-37 */
	if (acked) {
		tcb->dupacks = 0;
		tcb->persist_backoff = 0;
		if (tcb->probe_size && seq_geq(tcb->snd_una, tcb->probe_end))
			sf_tcb_probe_acked(st, tcb); /* RFC 4821 §7.6.1 */
		if (acked >= tcb->snd_mss)
			tcb->mss_proven = true; /* the path carries this size (sf_tcb_black_hole_check) */
		if (tcb->snd_una != tcb->snd_max)
			tcb->unacked_since_ns = st->now_ns;
		if (!tcb->in_recovery) {
			tcb->cc->on_ack(tcb, acked);
			return;
		}
		if (seq_geq(tcb->snd_una, tcb->recover)) {
			/* RFC 6582 §3.2 step 3 (full ACK): deflate, leave recovery. */
			uint32_t f = sf_flight_size(tcb), mss = tcb->snd_mss;
			uint32_t cap = (f > mss ? f : mss) + mss;
			tcb->cwnd = tcb->ssthresh < cap ? tcb->ssthresh : cap;
			tcb->in_recovery = false;
			return;
		}
		if (scoreboard(tcb) || tcb->sack_ok)
			return; /* RFC 6675: the pipe governs; sf_tcb_output continues */
		/* RFC 6582 §3.2 step 4 (partial ACK): the next hole is lost too:
		 * send it again, deflate by what was ACKed, add one SMSS back. */
		retransmit_first_unacked(st, tcb);
		tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
		tcb->cwnd += tcb->snd_mss;
		return;
	}
	if (!dup)
		return;
	tcb->dupacks++;
	if (tcb->in_recovery) {
		if (!tcb->sack_ok)
			tcb->cwnd += tcb->snd_mss; /* RFC 5681 §3.2 step 4: inflate */
		return;
	}
	/* RFC 6582 §3.2 step 1 / RFC 6675 §5: three duplicates (or SACK showing
	 * the first segment lost) start recovery, unless this loss belongs to a
	 * window already recovered (SND.UNA not past "recover"). */
	const struct sf_rangeset *sb = scoreboard(tcb);
	bool lost = tcb->dupacks >= DUPTHRESH || (sb && is_lost(tcb, sb, tcb->snd_una));
	if (lost && seq_gt(tcb->snd_una, tcb->recover - 1) && tcb->sndq.len) {
		bool probe = sf_tcb_probe_covers(tcb, tcb->snd_una, 1);
		if (probe)
			sf_tcb_probe_lost(st, tcb);
		enter_recovery(st, tcb, !probe);
	}
}

/* Send everything from SND.UNA again: recovery and the SACK scoreboard are
 * forgotten (RFC 6675 §5.1), and "recover" moves to SND.MAX, so the
 * duplicate ACKs the old flight still draws start no fast retransmit
 * (RFC 6582 §3.2 step 1). */
static void go_back(struct sf_tcb *tcb)
{
	struct sf_rangeset *sb = sf_ring_map(&tcb->sndq);

	tcb->in_recovery = false;
	tcb->dupacks = 0;
	tcb->recover = tcb->snd_max;
	tcb->high_rxt = tcb->snd_una;
	if (sb)
		sf_rangeset_init(sb);
	tcb->snd_nxt = tcb->snd_una;
}

/*
 * The retransmission timer fired with data outstanding (RFC 6298 §5.4-5.6,
 * RFC 5681 §3.1): ssthresh from the flight, cwnd down to one segment (the
 * loss window), recovery and the SACK scoreboard forgotten (RFC 6675 §5.1),
 * and everything from SND.UNA is sent again as the window reopens.
 */
void sf_tcb_sender_timeout(struct sf_stack *st, struct sf_tcb *tcb)
{
	tcb->ssthresh = tcb->cc->ssthresh(tcb);
	tcb->cwnd = tcb->snd_mss;
	sf_tcb_ecn_window_reduced(tcb);
	tcb->ca_acked = 0;
	go_back(tcb);
	if (sf_tcb_output(st, tcb) == 0 && tcb->snd_wnd == 0) {
		/* The window closed under data in flight: probe it instead. */
		sf_tcb_send_probe(st, tcb, true);
		st->ctr.TCPWinProbe++;
	}
}

/*
 * The path's MTU came down under data in flight (RFC 1191 §6.5, RFC 8201
 * §5.4): a router dropped what was bigger. Send everything from SND.UNA
 * again now, cut to the new size, as a timeout would but without its
 * congestion response: nothing was lost to congestion (as Linux's
 * tcp_simple_retransmit).
 */
void sf_tcb_resend_flight(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (tcb->snd_una == tcb->snd_max || !can_send_data(tcb->state))
		return;
	go_back(tcb);
	tcb->rtt_timing = false; /* Karn's rule (MUST-18) */
	sf_tcb_output(st, tcb);
}
