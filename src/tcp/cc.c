/*
 * Congestion control (RFC 5681 §3.1): the initial window (RFC 6928) and the
 * algorithm each TCB calls through its struct sf_cc_ops, NewReno's window
 * growth and ssthresh rule by default. Loss recovery itself (fast
 * retransmit, NewReno and SACK recovery) is in send.c.
 */
#include "tcp/tcp.h"


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
}
