/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Congestion control (RFC 5681 §3.1): the initial window (RFC 6928) and the
 * algorithm each TCB calls through its struct sf_cc_ops, NewReno's window
 * growth and ssthresh rule by default, and the answer to an ECN-Echo
 * (RFC 3168 §6.1.2). Loss recovery itself (fast retransmit, NewReno and
 * SACK recovery) is in send.c.
 */
#include "tcp/tcp.h"
#include "base/seq.h"


/* RFC 5681 §3.1: slow start adds at most one SMSS per ACK (2.2's N <= SMSS
 * rule); congestion avoidance adds one SMSS per window of data ACKed,
 * counted in bytes (RFC 5681 §3.1, equation 3's byte-counting form). */
static void newreno_on_ack(struct sf_tcb *tcb, uint32_t acked)
{
	if (tcb->cwnd < tcb->ssthresh) {
		tcb->cwnd += acked < tcb->snd_mss ? acked : tcb->snd_mss;
		return;
	}
	tcb->ca_acked += acked;
	if (tcb->ca_acked >= tcb->cwnd) {
		tcb->ca_acked -= tcb->cwnd;
		tcb->cwnd += tcb->snd_mss;
	}
}

/* RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
static uint32_t newreno_ssthresh(const struct sf_tcb *tcb)
{
	uint32_t half = sf_flight_size(tcb) / 2, floor = 2u * tcb->snd_mss;
	return half > floor ? half : floor;
}

const struct sf_cc_ops sf_cc_newreno = { "newreno", newreno_on_ack, newreno_ssthresh };

void sf_tcb_cc_init(struct sf_tcb *tcb)
{
	tcb->cwnd = sf_initial_window(tcb->snd_mss);
	tcb->ssthresh = 0x7fffffffu; /* RFC 5681 §3.1: arbitrarily high at first */
	tcb->recover = tcb->snd_una;
	tcb->high_rxt = tcb->snd_una;
	tcb->ecn_cwr_end = tcb->snd_una;
}

/*
 * RFC 3168 §6.1.2: an ECE reports congestion as a dropped segment would,
 * with nothing lost. The window is reduced as for a loss, by the
 * algorithm's own ssthresh rule (NewReno: max(FlightSize / 2, 2 * SMSS)),
 * with cwnd set to it, and the next new data segment carries CWR
 * (sf_tcb_ecn_new_data). At most once per window of data: not for ECEs
 * that still answer data sent before the last reduction, ECN's
 * (ecn_cwr_end) or a loss's ("recover", SND.MAX when recovery began or the
 * timer fired, so loss recovery itself is such a window): the receiver
 * echoes until our CWR reaches it, so those ECEs report the congestion
 * already answered.
 */
void sf_tcb_ecn_echo(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (!seq_gt(tcb->snd_una, tcb->ecn_cwr_end) || !seq_gt(tcb->snd_una, tcb->recover))
		return;
	tcb->ssthresh = tcb->cc->ssthresh(tcb);
	tcb->cwnd = tcb->ssthresh;
	tcb->ca_acked = 0; /* congestion avoidance counts afresh from the new window (as Linux) */
	tcb->ecn_cwr_end = tcb->snd_max;
	sf_tcb_ecn_window_reduced(tcb);
	st->ctr.TCPECNReduce++;
}
