/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The transmission control block: creation, state changes, timers, and the
 * ways a connection ends (RFC 9293 §3.10.4, §3.10.5, §3.10.8).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

#define SF_DEFAULT_BUF (64u * 1024u)

/* A TCB is born CLOSED (a new socket), or in SYN-RECEIVED when an embryo
 * that was already there becomes one: either way no state changes. */
struct sf_tcb *sf_tcb_new(struct sf_stack *st, int family, enum sf_tcp_state born_in)
{
	struct sf_tcb *tcb = calloc(1, sizeof *tcb);

	if (!tcb)
		return NULL;
	tcb->sock.kind = SF_SOCK_TCB;
	tcb->sock.family = (uint8_t)family;
	tcb->sock.sndbuf = SF_DEFAULT_BUF;
	tcb->sock.rcvbuf = SF_DEFAULT_BUF;
	tcb->state = born_in;
	tcb->cc = &sf_cc_newreno;
	tcb->listener = SF_NO_HANDLE;
	tcb->rto_ms = st->cfg.rto_initial_ms;
	for (int i = 0; i < SF_TCB_TIMERS; i++)
		tcb->due[i] = SF_TIME_NEVER;
	if (sf_handle_alloc(st, &tcb->sock) < 0) {
		free(tcb);
		return NULL;
	}
	return tcb;
}

static bool counts_as_established(enum sf_tcp_state s)
{
	/* RFC 4022 tcpCurrEstab: ESTABLISHED or CLOSE-WAIT. */
	return s == SF_ESTABLISHED || s == SF_CLOSE_WAIT;
}

void sf_tcb_set_state(struct sf_stack *st, struct sf_tcb *tcb, enum sf_tcp_state to, enum sf_cause cause)
{
	enum sf_tcp_state from = tcb->state;

	if (from == to)
		return;
	sf_state_change(st, (int)tcb->sock.handle, &tcb->sock.local, &tcb->sock.remote, from, to, cause);
	if (counts_as_established(from) && !counts_as_established(to))
		st->ctr.CurrEstab--;
	if (!counts_as_established(from) && counts_as_established(to))
		st->ctr.CurrEstab++;
	tcb->state = to;
}

void sf_tcb_hash(struct sf_stack *st, struct sf_tcb *tcb)
{
	sf_demux_insert(st, sf_ref_make(SF_REF_SOCK, tcb->sock.handle), &tcb->sock.local, &tcb->sock.remote);
	tcb->hashed = true;
	sf_port_add_user(st, tcb->sock.local.port);
}

void sf_tcb_unhash(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (!tcb->hashed)
		return;
	sf_demux_remove(st, sf_ref_make(SF_REF_SOCK, tcb->sock.handle), &tcb->sock.local, &tcb->sock.remote);
	tcb->hashed = false;
	sf_port_remove_user(st, tcb->sock.local.port);
}

/* Free the TCB and its handle. */
void sf_tcb_destroy(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (counts_as_established(tcb->state))
		st->ctr.CurrEstab--;
	if (tcb->orphan)
		st->ctr.TCPOrphans--;
	sf_wheel_cancel(&st->wheel, &tcb->timer);
	sf_tcb_unhash(st, tcb);
	sf_sock_unbind(st, &tcb->sock);
	sf_ring_free(&tcb->sndq, &st->bufs);
	sf_ring_free(&tcb->rcvq, &st->bufs);
	sf_handle_release(st, tcb->sock.handle);
	free(tcb);
}

/*
 * The connection is over ("delete the TCB, enter the CLOSED state"). If the
 * application still holds the handle, the TCB stays as a closed socket that
 * reports error (0 for an orderly end) until the application closes it;
 * otherwise it is freed at once.
 */
void sf_tcb_end(struct sf_stack *st, struct sf_tcb *tcb, int error, enum sf_cause cause)
{
	sf_tcb_set_state(st, tcb, SF_CLOSED, cause);
	if (tcb->orphan) {
		sf_tcb_destroy(st, tcb);
		return;
	}
	/* Still held by the application, or waiting unaccepted in a listener's
	 * queue (accept returns it and the error shows there, as on Linux). */
	sf_tcb_stop_timers(st, tcb);
	sf_tcb_unhash(st, tcb);
	tcb->soft_error = 0; /* the connection's end is its error now */
	if (error)
		tcb->sock.error = error;
	sf_mark_ready(st, &tcb->sock);
}

/* ---- timers: one wheel slot per TCB, armed at the earliest of due[] ---- */

void sf_tcb_stop_timers(struct sf_stack *st, struct sf_tcb *tcb)
{
	sf_wheel_cancel(&st->wheel, &tcb->timer);
	for (int i = 0; i < SF_TCB_TIMERS; i++)
		tcb->due[i] = SF_TIME_NEVER;
}

static void rearm(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint64_t next = SF_TIME_NEVER;

	for (int i = 0; i < SF_TCB_TIMERS; i++)
		if (tcb->due[i] < next)
			next = tcb->due[i];
	if (next == SF_TIME_NEVER)
		sf_wheel_cancel(&st->wheel, &tcb->timer);
	else if (!sf_timer_armed(&tcb->timer) || tcb->timer.expires_ns != next)
		sf_wheel_schedule(&st->wheel, &tcb->timer, next);
}

void sf_tcb_arm(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind, uint64_t when_ns)
{
	tcb->due[kind] = when_ns;
	rearm(st, tcb);
}

/* RFC 1122 §4.2.3.6: the first probe waits keepalive idle time from the
 * connection's start (off unless asked for, MUST-24). */
void sf_tcb_start_keepalive(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (tcb->sock.keepalive_on)
		sf_tcb_arm_in(st, tcb, SF_TIMER_KEEPALIVE, tcb->sock.ka_idle_ms);
}

void sf_tcb_disarm(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind)
{
	if (tcb->due[kind] == SF_TIME_NEVER)
		return;
	tcb->due[kind] = SF_TIME_NEVER;
	rearm(st, tcb);
}

/* RFC 6298 §2 and §3: fold one round-trip sample into SRTT and RTTVAR and
 * derive the RTO, clamped to [rto_min, rto_max]. */
void sf_tcb_rtt_sample(struct sf_stack *st, struct sf_tcb *tcb, uint64_t rtt_ns)
{
	uint32_t r = rtt_ns / 1000u > UINT32_MAX / 8 ? UINT32_MAX / 8 : (uint32_t)(rtt_ns / 1000u);

	if (tcb->srtt_us == 0) {
		tcb->srtt_us = r ? r : 1;
		tcb->rttvar_us = r / 2;
	} else {
		uint32_t diff = tcb->srtt_us > r ? tcb->srtt_us - r : r - tcb->srtt_us;
		tcb->rttvar_us = (3 * tcb->rttvar_us + diff) / 4;
		tcb->srtt_us = (7 * tcb->srtt_us + r) / 8;
		/* 0 means "no sample yet": timestamps time in whole milliseconds
		 * (RFC 7323 §4.1), so a path faster than that gives samples of 0,
		 * which must not take SRTT back to knowing nothing. */
		if (tcb->srtt_us == 0)
			tcb->srtt_us = 1;
	}
	uint64_t var = 4ull * tcb->rttvar_us < 1000 ? 1000 : 4ull * tcb->rttvar_us; /* G = 1 ms */
	uint64_t rto_ms = (tcb->srtt_us + var + 999) / 1000;
	if (rto_ms < st->cfg.rto_min_ms)
		rto_ms = st->cfg.rto_min_ms;
	if (rto_ms > st->cfg.rto_max_ms)
		rto_ms = st->cfg.rto_max_ms;
	tcb->rto_ms = (uint32_t)rto_ms;
}

/*
 * RFC 6298 §5.7: if the SYN or SYN,ACK had to be retransmitted and Karn's
 * rule left no RTT sample, data starts with an RTO of 3 s (or the configured
 * initial RTO if larger), not the backed-off one.
 */
void sf_tcb_set_handshake_rto(struct sf_stack *st, struct sf_tcb *tcb, bool retransmitted)
{
	if (!retransmitted || tcb->srtt_us)
		return;
	uint32_t rto = st->cfg.rto_initial_ms < 3000 ? 3000 : st->cfg.rto_initial_ms;
	tcb->rto_ms = rto > st->cfg.rto_max_ms ? st->cfg.rto_max_ms : rto;
}

static bool in_syn_state(const struct sf_tcb *tcb)
{
	return tcb->state == SF_SYN_SENT || tcb->state == SF_SYN_RECEIVED;
}

/*
 * R1 and R2 (RFC 9293 §3.8.3) for what the TCB is sending again: the
 * application's for its SYN or its data (sf_set_retry_thresholds), else the
 * stack's counts. A TCB in SYN-RECEIVED is an active open's (a simultaneous
 * one; passive opens are embryos): its SYN, sent again with the ACK, keeps
 * the SYN's limit, MUST-23's 3 minutes (as Linux's tcp_write_timeout). An
 * orphan's data has orphan_retries, as Linux's tcp_orphan_retries: the
 * application that chose otherwise is gone.
 */
static struct sf_retry_thresholds thresholds(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	bool syn = in_syn_state(tcb);
	const struct sf_retry_thresholds *own = &tcb->sock.retry[syn ? SF_RETRY_SYN : SF_RETRY_DATA];
	struct sf_retry_thresholds th = { .unit = SF_RETRY_COUNT, .r1 = st->cfg.retries1 };

	if (!syn && tcb->orphan) {
		th.r2 = st->cfg.orphan_retries;
		return th;
	}
	if (own->unit != SF_RETRY_DEFAULT)
		return *own;
	th.r2 = syn ? st->cfg.syn_retries : st->cfg.retries2;
	return th;
}

/* What the timer of kind sends again: a window probe (MUST-37) from the
 * persist timer, and from the retransmission timer when the peer's window
 * has closed under data in flight (SHLD-17; sf_tcb_sender_timeout sends
 * the probe, as Linux's tcp_retransmit_timer does not time such a
 * connection out while its probes are answered). Else a retransmission. */
static bool sends_probe(const struct sf_tcb *tcb, enum sf_timer_kind kind)
{
	return kind == SF_TIMER_PERSIST || (!in_syn_state(tcb) && tcb->snd_wnd == 0);
}

/* When the series now counted began: the segment's wait for its ACK (a
 * retransmission), or the first unanswered probe (now, before there is one). */
static uint64_t series_start(const struct sf_stack *st, const struct sf_tcb *tcb, bool probe)
{
	if (!probe)
		return tcb->unacked_since_ns;
	return tcb->probes_out ? tcb->probes_since_ns : st->now_ns;
}

/* When a threshold of r ms is reached by a series begun at since
 * (§3.8.3 (a), time units); SF_TIME_NEVER for a count or "infinity". */
static uint64_t time_threshold(const struct sf_retry_thresholds *th, uint32_t r, uint64_t since)
{
	return th->unit == SF_RETRY_MS && r != SF_RETRY_FOREVER ? since + sf_ns_from_ms(r) : SF_TIME_NEVER;
}

/* Whether threshold r is reached: tries unanswered so far, or the time. */
static bool reached(const struct sf_stack *st, const struct sf_retry_thresholds *th, uint32_t r, uint32_t tries,
		    uint64_t since)
{
	if (th->unit == SF_RETRY_COUNT)
		return r != SF_RETRY_FOREVER && tries >= r;
	return st->now_ns >= time_threshold(th, r, since);
}

/* TCP_USER_TIMEOUT (RFC 9293 §3.10.8 USER TIMEOUT, RFC 5482): sent data
 * (or the SYN) has waited this long for an ACK, whatever the count, and
 * answers with a zero window do not stop that clock (as Linux). */
static uint64_t user_timeout_at(const struct sf_tcb *tcb)
{
	if (!tcb->user_timeout_ms || tcb->snd_una == tcb->snd_max)
		return SF_TIME_NEVER;
	return tcb->unacked_since_ns + sf_ns_from_ms(tcb->user_timeout_ms);
}

/*
 * RFC 9293 §3.8.3 (b) and (e): R1 is passed. Each retransmission from here
 * passes negative advice to IP, the driver's (sf_trace_advice), and the
 * application is told once, until the peer answers (SHLD-9, MUST-47: the
 * soft error and its event).
 */
static void delivery_problem(struct sf_stack *st, struct sf_tcb *tcb)
{
	sf_trace_advice(st, (int)tcb->sock.handle, &tcb->sock.local, &tcb->sock.remote);
	if (tcb->soft_error)
		return;
	tcb->soft_error = -ETIMEDOUT;
	sf_mark_ready(st, &tcb->sock);
}

/*
 * RFC 9293 §3.8.3 (MUST-20, MUST-22): the timer of kind is about to send
 * the same segment again: a retransmission, or a window probe
 * (sends_probe). Retransmissions count until an ACK of new data
 * (rtx_count); probes only while unanswered, since any ACK is the peer alive
 * (probes_out; MUST-37). At R2, or with the user timeout passed, the
 * connection is given up with ETIMEDOUT and false returned (the TCB is
 * closed or gone). Otherwise this one is counted, past R1 with the advice
 * and the report.
 */
bool sf_tcb_retry(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind)
{
	bool probe = sends_probe(tcb, kind);
	struct sf_retry_thresholds th = thresholds(st, tcb);
	uint32_t *tries = probe ? &tcb->probes_out : &tcb->rtx_count;
	uint64_t since = series_start(st, tcb, probe);

	if (!reached(st, &th, th.r2, *tries, since) && st->now_ns < user_timeout_at(tcb)) {
		if (reached(st, &th, th.r1, *tries, since))
			delivery_problem(st, tcb);
		if (probe && !*tries)
			tcb->probes_since_ns = st->now_ns;
		(*tries)++;
		return true;
	}
	if (in_syn_state(tcb))
		st->ctr.AttemptFails++;
	st->ctr.TCPAbortOnTimeout++;
	if (!probe) {
		/* As Linux's tcp_write_err: a soft error seen on the way (an ICMP
		 * unreachable, say) explains the failure better than ETIMEDOUT. */
		sf_tcb_end(st, tcb, tcb->soft_error ? tcb->soft_error : -ETIMEDOUT, SF_CAUSE_RETRANSMISSION_LIMIT);
		return false;
	}
	/* As keepalive: a RST in case the peer is alive and only its answers
	 * are lost, so it does not keep its half of the connection. */
	sf_tcb_send_rst(st, tcb);
	sf_tcb_end(st, tcb, -ETIMEDOUT, SF_CAUSE_PROBES_UNANSWERED);
	return false;
}

/* RFC 5482 §3, RFC 9293 §3.10.8 (USER TIMEOUT) and §3.8.3 (an R2 in time):
 * a time limit is a deadline of its own: the backed-off timer of kind must
 * not carry the connection past it (as Linux's
 * tcp_clamp_rto_to_user_timeout). */
void sf_tcb_retry_clamp(struct sf_stack *st, struct sf_tcb *tcb, enum sf_timer_kind kind)
{
	struct sf_retry_thresholds th = thresholds(st, tcb);
	uint64_t at = time_threshold(&th, th.r2, series_start(st, tcb, sends_probe(tcb, kind)));
	uint64_t ut = user_timeout_at(tcb);

	if (ut < at)
		at = ut;
	if (tcb->due[kind] != SF_TIME_NEVER && tcb->due[kind] > at)
		sf_tcb_arm(st, tcb, kind, at > st->now_ns ? at : st->now_ns);
}


/* R2 is a count of retransmissions, and the count has reached it. */
static bool r2_count_reached(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	struct sf_retry_thresholds th = thresholds(st, tcb);

	return th.unit == SF_RETRY_COUNT && reached(st, &th, th.r2, tcb->rtx_count, 0);
}

/*
 * RFC 4821: the last try R2 allows goes at the base size. The check at each
 * timeout sees it coming, but an application that closes part way through
 * the series makes an orphan whose R2 (orphan_retries) its count may
 * already have reached: that try is taken now, once, if the segments can
 * still size down.
 */
static bool last_try_at_base(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (in_syn_state(tcb) || sends_probe(tcb, SF_TIMER_RETRANSMIT) || !r2_count_reached(st, tcb) ||
	    st->now_ns >= user_timeout_at(tcb))
		return false;
	return sf_tcb_black_hole_check(st, tcb, true);
}

/*
 * RFC 9293 §3.10.8 and RFC 6298 §5.4-5.6: retransmit the earliest
 * unacknowledged segment and back the timer off (doubling, capped at
 * rto_max), until sf_tcb_retry gives up.
 */
static void retransmit_timeout(struct sf_stack *st, struct sf_tcb *tcb)
{
	st->ctr.TCPTimeouts++;
	if (last_try_at_base(st, tcb))
		tcb->rtx_count++;
	else if (!sf_tcb_retry(st, tcb, SF_TIMER_RETRANSMIT))
		return;
	tcb->rtt_timing = false; /* Karn's rule (MUST-18): no sample from a retransmitted segment */
	tcb->rto_ms = tcb->rto_ms * 2 > st->cfg.rto_max_ms ? st->cfg.rto_max_ms : tcb->rto_ms * 2;
	tcb->due[SF_TIMER_RETRANSMIT] = SF_TIME_NEVER;
	if (in_syn_state(tcb)) {
		st->ctr.TCPSynRetrans++;
		sf_tcb_send_syn(st, tcb, true);
	} else {
		/* RFC 4821: sized down before it goes again; at the latest for
		 * the last try R2 allows (orphans have few). */
		sf_tcb_black_hole_check(st, tcb, r2_count_reached(st, tcb));
		sf_tcb_sender_timeout(st, tcb);
		if (tcb->due[SF_TIMER_RETRANSMIT] == SF_TIME_NEVER && tcb->snd_una != tcb->snd_max)
			sf_tcb_arm_in(st, tcb, SF_TIMER_RETRANSMIT, tcb->rto_ms);
	}
	sf_tcb_retry_clamp(st, tcb, SF_TIMER_RETRANSMIT);
}

/* RFC 1122 §4.2.3.6: a probe is <SEQ=SND.UNA-1> with no data, which the
 * peer must answer with an ACK; keepalive_probes unanswered probes end it. */
static void keepalive_timeout(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint64_t idle_ns = sf_ns_from_ms(tcb->sock.ka_idle_ms);
	uint64_t quiet = st->now_ns - tcb->last_heard_ns;

	tcb->due[SF_TIMER_KEEPALIVE] = SF_TIME_NEVER;
	if (!tcb->sock.keepalive_on || (tcb->state != SF_ESTABLISHED && tcb->state != SF_CLOSE_WAIT &&
					tcb->state != SF_FIN_WAIT_2))
		return;
	/* MUST-26: only when nothing sent is outstanding and the peer has been quiet. */
	if (tcb->snd_una != tcb->snd_max || quiet < idle_ns) {
		tcb->ka_probes_sent = 0;
		sf_tcb_arm(st, tcb, SF_TIMER_KEEPALIVE,
			   (quiet < idle_ns ? tcb->last_heard_ns + idle_ns : st->now_ns + idle_ns));
		return;
	}
	if (tcb->ka_probes_sent >= tcb->sock.ka_probes) {
		st->ctr.TCPKeepAliveTimeouts++;
		/* As Linux: a RST in case the peer is alive but its answers are lost. */
		sf_tcb_send_rst(st, tcb);
		sf_tcb_end(st, tcb, -ETIMEDOUT, SF_CAUSE_KEEPALIVE_TIMEOUT);
		return;
	}
	tcb->ka_probes_sent++;
	st->ctr.TCPKeepAliveProbes++;
	sf_tcb_send_probe(st, tcb, false);
	sf_tcb_arm_in(st, tcb, SF_TIMER_KEEPALIVE, tcb->sock.ka_intvl_ms);
}

void sf_tcb_timer_fired(struct sf_stack *st, struct sf_tcb *tcb)
{
	for (int kind = 0; kind < SF_TCB_TIMERS; kind++) {
		if (tcb->due[kind] > st->now_ns)
			continue;
		sf_trace_timer(st, (int)tcb->sock.handle, (enum sf_timer_kind)kind, tcb->state, &tcb->sock.local,
			       &tcb->sock.remote);
		/* The wheel let go of this TCB's one slot to fire it. Put the slot
		 * back at the earliest timer still due before a handler runs: a
		 * handler that returns without arming anything (a keepalive timer
		 * firing in LAST-ACK) would otherwise leave the others, e.g. the
		 * retransmission of a lost FIN, never to fire (RFC 9293 §3.8.1,
		 * MUST-20 needs that timer). Handlers that end the connection stop
		 * or free the slot themselves. */
		tcb->due[kind] = SF_TIME_NEVER;
		rearm(st, tcb);
		switch (kind) {
		case SF_TIMER_RETRANSMIT:
			retransmit_timeout(st, tcb);
			return; /* the TCB may be gone */
		case SF_TIMER_FIN_WAIT_2:
			/* Linux's tcp_fin_timeout: an orphan that the peer never
			 * finishes is not kept forever (Linux's tcp_fin_timeout). */
			st->ctr.TCPFinWait2Timeouts++;
			sf_tcb_end(st, tcb, 0, SF_CAUSE_FIN_TIMEOUT);
			return;
		case SF_TIMER_KEEPALIVE:
			keepalive_timeout(st, tcb);
			return;
		case SF_TIMER_PERSIST:
			sf_tcb_persist_timeout(st, tcb);
			return;
		case SF_TIMER_DELACK:
			st->ctr.TCPDelayedACKs++;
			sf_tcb_send_ack(st, tcb); /* disarms nothing else; re-arms below */
			break;
		default:
			break;
		}
	}
	rearm(st, tcb);
}

void sf_tcb_init_rcv(struct sf_stack *st, struct sf_tcb *tcb, uint32_t irs)
{
	(void)st;
	tcb->irs = irs;
	tcb->rcv_nxt = irs + 1;
	tcb->rcv_adv = tcb->rcv_nxt;
}

bool sf_tcb_fin_acked(const struct sf_tcb *tcb)
{
	return tcb->fin_sent && tcb->snd_una == tcb->snd_max;
}

/*
 * RFC 9293 §3.10.4: CLOSE (or shutdown SHUT_WR) in a synchronized state queues
 * a FIN after the data already queued. ESTABLISHED goes to FIN-WAIT-1,
 * CLOSE-WAIT to LAST-ACK; in SYN-SENT and SYN-RECEIVED the FIN waits for
 * ESTABLISHED ("queue for processing after entering ESTABLISHED state").
 * A TCB in SYN-RECEIVED comes from a simultaneous open and its SYN is not yet
 * ACKed: taken to FIN-WAIT-1 it would treat the peer's SYN,ACK as a SYN in a
 * synchronized state and, on a timeout, resend data from SND.UNA = ISS, the
 * SYN's own sequence number (the stream shifted by a byte). The RFC's one
 * exception, a FIN at once when nothing was ever sent, is not taken: the FIN
 * simply leaves when the handshake completes (establish(), input.c).
 */
void sf_tcb_start_close(struct sf_stack *st, struct sf_tcb *tcb, enum sf_cause cause)
{
	if (tcb->fin_queued)
		return;
	tcb->fin_queued = true;
	if (tcb->state == SF_ESTABLISHED)
		sf_tcb_set_state(st, tcb, SF_FIN_WAIT_1, cause);
	else if (tcb->state == SF_CLOSE_WAIT)
		sf_tcb_set_state(st, tcb, SF_LAST_ACK, cause);
	sf_tcb_output(st, tcb);
}
/*
 * RFC 9293 §3.4.1 (MUST-8, SHLD-1) and RFC 6528 §3: ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey), M a clock ticking every 4 µs
 * and F SipHash-2-4 keyed with the stack's secret. The clock alone
 * (SF_ISN_CLOCK_ONLY) is the predictable RFC 793 scheme, kept for teaching.
 */
uint32_t sf_isn(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	uint32_t clock = (uint32_t)(st->now_ns / 4000);

	if (st->cfg.isn_mode == SF_ISN_CLOCK_ONLY)
		return clock;
	return clock + (uint32_t)sf_tuple_prf(st, SF_PRF_ISN, local, remote);
}
