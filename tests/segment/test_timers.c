/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connection timers: FIN and data retransmission (RFC 9293 §3.8.1, §3.8.3,
 * §3.10.8; RFC 6298), the orphan limits (orphan_retries, fin_timeout, as
 * Linux) and keepalive (RFC 1122 §4.2.3.6).
 *
 * All times are virtual: advance_exactly steps to one millisecond before a
 * timer is due and then onto it, so each interval is checked exactly.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 100u

/* An active open from port 5000 to the peer's port 80 whose SYN,ACK comes
 * back rtt_ms later: one RTT sample (RFC 6298 §2.2). */
static int active_established(struct harness *h, uint64_t rtt_ms, uint32_t peer_isn, uint32_t *iss)
{
	int s = h_connect(h, 5000, 80, iss);

	h_advance(h, rtt_ms);
	h_synack_in(h, 5000, peer_isn, *iss, 65535, NULL);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	return s;
}

/*
 * Move time ms forward, checking that nothing goes out before the last
 * millisecond. Intervals are measured by stepping, not by asking for
 * sf_next_deadline: the timer wheel may name an earlier wake-up (a cascade
 * point) than the timer's own expiry.
 */
static void advance_exactly(struct harness *h, uint64_t ms)
{
	h_advance(h, ms - 1);
	h_expect_none(h);
	h_advance(h, 1);
}

static void cfg_retries2_3(struct sf_config *cfg)
{
	cfg->retries2 = 3;
	h_cfg_rfc6298_min_rto(cfg);
}

/* RFC 9293 §3.10.8, RFC 6298 §5.5: a lost FIN is retransmitted with exponential backoff (1, 2, 4 s) until ACKed. */
static void test_fin_retransmit_backoff(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 0);
	h_advance(h, 999);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	advance_exactly(h, 4000);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 3);
	assert_int_equal(h_counter(h, SF_CTR_TCPTimeouts), 3);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_1);

	/* The ACK stops the timer: FIN-WAIT-2 of a held handle has none. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 600000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 3);
	h_free(h);
}

/* Linux tcp_orphan_retries (RFC 9293 §3.8.3 R2 for an orphan): the FIN of a closed socket is retried orphan_retries (8) times, then the connection is gone; an R2 of "infinity" the application set goes with it. */
static void test_orphan_fin_gives_up(void **state)
{
	(void)state;
	static const uint64_t backoff_ms[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000 /* rto_max */ };
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_set_retry_thresholds(h->st, c, SF_RETRY_DATA, SF_RETRY_COUNT, 3, SF_RETRY_FOREVER), 0);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	for (size_t i = 0; i < sizeof backoff_ms / sizeof backoff_ms[0]; i++) {
		advance_exactly(h, backoff_ms[i]);
		h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
		h_expect_none(h);
	}
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 8);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	/* The ninth timeout gives up. */
	advance_exactly(h, 120000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 8);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_CLOSED));
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	/* The handle is free again, and the peer's late ACK finds no connection. */
	assert_int_equal(sf_socket(h->st, SF_AF_INET), c);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_RST, iss + 2, 0);
	h_free(h);
}

/* RFC 6298 §5.5: each timeout doubles the RTO (from 1 s here: the handshake's ~0 RTT sample and the RFC's 1 s floor, §2.4); the ACK stops the timer (§5.2). */
static void test_data_rto_initial_and_backoff(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, "abc", 3), 3);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	assert_int_equal(d.payload_len, 3);
	h_advance(h, 999);
	h_expect_none(h);
	h_advance(h, 1);
	d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	assert_int_equal(d.payload_len, 3);
	assert_memory_equal(d.payload, "abc", 3);
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	advance_exactly(h, 4000);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 3);
	assert_int_equal(h_counter(h, SF_CTR_TCPTimeouts), 3);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 4);
	h_expect_none(h);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_free(h);
}

/* RFC 9293 §3.8.3 (MUST-20, R2 = retries2): data unacknowledged through retries2 retransmissions ends the connection with ETIMEDOUT. */
static void test_data_retries2_etimedout(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_retries2_3);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[4];

	assert_int_equal(sf_send(h->st, c, "abc", 3), 3);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	for (uint64_t wait = 1000; wait <= 4000; wait *= 2) {
		advance_exactly(h, wait);
		h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	}
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	advance_exactly(h, 8000);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -ETIMEDOUT);
	assert_int_equal(sf_take_error(h->st, c), 0); /* taken by recv */
	h_free(h);
}

/* The next segment is "abc" from ISS + 1, and nothing else. */
static void expect_abc(struct harness *h, uint32_t iss)
{
	assert_int_equal(h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1).payload_len, 3);
	h_expect_none(h);
}

/* Connection c sends "abc"; with thresholds (unit, r1, r2) for its data first, unless unit is 0. */
static void send_abc(struct harness *h, int c, uint32_t iss, int unit, uint32_t r1, uint32_t r2)
{
	if (unit)
		assert_int_equal(sf_set_retry_thresholds(h->st, c, SF_RETRY_DATA, unit, r1, r2), 0);
	assert_int_equal(sf_send(h->st, c, "abc", 3), 3);
	expect_abc(h, iss);
}

/* At RTO 1 s, "abc" goes again at +1 and +3 s; R1 (1 retransmission, or 2 s) is passed at the second. */
static void abc_again_past_r1(struct harness *h, int c, uint32_t iss)
{
	advance_exactly(h, 1000);
	expect_abc(h, iss);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	advance_exactly(h, 2000);
	expect_abc(h, iss);
	assert_int_equal(sf_soft_error(h->st, c), -ETIMEDOUT);
}

/* An established connection (RTO 1 s) with (unit, r1, r2) for its data sends "abc", unanswered: returns it past R1 (abc_again_past_r1). */
static int abc_past_r1(struct harness *h, int unit, uint32_t r1, uint32_t r2, uint32_t *iss)
{
	int c = h_established(h, 80, PEER_ISN, iss);

	send_abc(h, c, *iss, unit, r1, r2);
	abc_again_past_r1(h, c, *iss);
	return c;
}

/*
 * RFC 9293 §3.8.3 (b), (e), SHLD-9, SHLD-10, MUST-47: with R1 (retries1, 3)
 * retransmissions unanswered, the 4th passes negative advice to IP and the
 * application is told once (SF_EV_SOFT_ERROR, sf_soft_error -ETIMEDOUT);
 * every later one advises again; the peer's ACK ends the report.
 */
static void test_r1_advice_and_soft_error(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	send_abc(h, c, iss, 0, 0, 0);
	h_events(h, c);
	for (uint64_t wait = 1000; wait <= 4000; wait *= 2) {
		advance_exactly(h, wait);
		expect_abc(h, iss);
		assert_int_equal(h->nadvice, 0);
		assert_int_equal(sf_soft_error(h->st, c), 0);
		assert_int_equal(h_events(h, c), 0);
	}
	advance_exactly(h, 8000);
	expect_abc(h, iss);
	assert_int_equal(h->nadvice, 1);
	assert_int_equal(h->advice_sock, c);
	assert_int_equal(sf_soft_error(h->st, c), -ETIMEDOUT);
	uint32_t ev = h_events(h, c);
	assert_true(ev & SF_EV_SOFT_ERROR);
	assert_false(ev & SF_EV_ERROR);
	advance_exactly(h, 16000);
	expect_abc(h, iss);
	assert_int_equal(h->nadvice, 2);
	assert_int_equal(h_events(h, c), 0); /* told once */
	assert_int_equal(sf_soft_error(h->st, c), -ETIMEDOUT);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 4);
	h_expect_none(h);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	ev = h_events(h, c);
	assert_true(ev & SF_EV_WRITABLE);
	assert_false(ev & SF_EV_SOFT_ERROR);
	h_free(h);
}

/* RFC 9293 §3.8.3 (d), MUST-21: the application sets R1 = 1 and R2 = 2 retransmissions for its data: resent at +1 and +3 s (told at the second), given up at +7 s with ETIMEDOUT; the soft error ends with the connection. */
static void test_r2_count_per_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = abc_past_r1(h, SF_RETRY_COUNT, 1, 2, &iss);

	assert_int_equal(h->nadvice, 1);
	h_events(h, c);
	h_expect_closed_after(h, c, 4000, SF_ESTABLISHED);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	uint32_t ev = h_events(h, c);
	assert_true(ev & SF_EV_ERROR);
	assert_false(ev & SF_EV_SOFT_ERROR);
	assert_int_equal(sf_take_error(h->st, c), -ETIMEDOUT);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h->nadvice, 1);
	h_free(h);
}

/* RFC 9293 §3.8.3 (a), (d): R1 = 2 s and R2 = 10 s in time: resent at +1, +3 and +7 s (told at +3 s), and given up at +10 s exactly, not at the next backoff (+15 s). */
static void test_r2_time_per_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = abc_past_r1(h, SF_RETRY_MS, 2000, 10000, &iss);

	advance_exactly(h, 4000);
	expect_abc(h, iss);
	assert_int_equal(h->nadvice, 2);
	h_expect_closed_after(h, c, 3000, SF_ESTABLISHED);
	assert_int_equal(sf_take_error(h->st, c), -ETIMEDOUT);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 3);
	h_free(h);
}

/* RFC 9293 §3.8.3 (d): R2 "infinity": the data goes on being retransmitted far past the stack's retries2 (3), 20 times over 28 minutes, and the connection lives when the ACK comes. */
static void test_r2_forever(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_retries2_3);
	uint32_t iss;
	int c = abc_past_r1(h, SF_RETRY_COUNT, 1, SF_RETRY_FOREVER, &iss);

	uint64_t wait = 4000;
	for (int i = 2; i < 20; i++) {
		advance_exactly(h, wait);
		expect_abc(h, iss);
		wait = wait * 2 > 120000 ? 120000 : wait * 2;
	}
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(h->nadvice, 19);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 4);
	h_expect_none(h);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 0);
	h_free(h);
}

/* A listener's R1 and R2 pass to the connections it accepts (as its other options do): given up after 2 retransmissions. */
static void test_retry_thresholds_inherited(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int l = h_listen(h, 80, 8);

	assert_int_equal(sf_set_retry_thresholds(h->st, l, SF_RETRY_DATA, SF_RETRY_COUNT, 1, 2), 0);
	int c = h_accept_new(h, l, 80, PEER_ISN, &iss);
	send_abc(h, c, iss, 0, 0, 0);
	abc_again_past_r1(h, c, iss);
	h_expect_closed_after(h, c, 4000, SF_ESTABLISHED);
	assert_int_equal(sf_take_error(h->st, c), -ETIMEDOUT);
	h_free(h);
}

/* The call's arguments: R2 above R1 (RFC 9293 §3.8.3 (c)), R1 at least 1, a known kind and unit; SF_RETRY_DEFAULT (with zeros) returns to the stack's. */
static void test_retry_thresholds_arguments(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	sf_stack *st = h->st;

	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_COUNT, 5, 4), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_COUNT, 4, 4), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_SYN, SF_RETRY_MS, 0, 1000), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_COUNT, SF_RETRY_FOREVER,
						 SF_RETRY_FOREVER), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, 2, SF_RETRY_COUNT, 1, 2), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, 3, 1, 2), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_DEFAULT, 1, 2), -EINVAL);
	assert_int_equal(sf_set_retry_thresholds(st, c + 1, SF_RETRY_DATA, SF_RETRY_COUNT, 1, 2), -EBADF);
	assert_int_equal(sf_set_retry_thresholds(NULL, c, SF_RETRY_DATA, SF_RETRY_COUNT, 1, 2), -EINVAL);
	assert_int_equal(sf_soft_error(st, c + 1), -EBADF);
	assert_int_equal(sf_soft_error(NULL, c), -EINVAL);
	assert_int_equal(h_tcb(h, c)->sock.retry[SF_RETRY_DATA].unit, SF_RETRY_DEFAULT);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_MS, 1, SF_RETRY_FOREVER), 0);
	assert_int_equal(h_tcb(h, c)->sock.retry[SF_RETRY_DATA].unit, SF_RETRY_MS);
	assert_int_equal(sf_set_retry_thresholds(st, c, SF_RETRY_DATA, SF_RETRY_DEFAULT, 0, 0), 0);
	assert_int_equal(h_tcb(h, c)->sock.retry[SF_RETRY_DATA].unit, SF_RETRY_DEFAULT);
	h_free(h);
}

/* RFC 6298 §2.2-2.4: after the first RTT sample R, RTO = SRTT + 4*RTTVAR = R + 2R (R = 100 ms -> 300 ms), doubling on timeout. */
static void test_rto_follows_rtt_sample(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = active_established(h, 100, 9000, &iss);

	assert_int_equal(sf_send(h->st, s, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	h_advance(h, 299);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	advance_exactly(h, 600);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	h_free(h);
}

/* RFC 6298 §2.4 (rto_min as Linux, 200 ms): a 10 ms sample gives SRTT + 4*RTTVAR = 30 ms, raised to rto_min. */
static void test_rto_at_least_rto_min(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = active_established(h, 10, 9000, &iss);

	assert_int_equal(sf_send(h->st, s, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	h_advance(h, 199);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	advance_exactly(h, 400);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	h_free(h);
}

/* RFC 6298 §2.3, §3 (MUST take an RTT sample per RTT): a data ACK 20 ms after a 100 ms SYN sample gives RTTVAR 57.5, SRTT 90 -> RTO 320 ms. */
static void test_rto_follows_data_samples(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = active_established(h, 100, 9000, &iss);

	assert_int_equal(sf_send(h->st, s, "a", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	h_advance(h, 20);
	h_send(h, .lport = 5000, .flags = SF_TCP_ACK, .seq = 9001, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(sf_send(h->st, s, "b", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 2, 9001);
	h_advance(h, 319);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 2, 9001);
	h_free(h);
}

/* RFC 6298 §3, RFC 9293 MUST-18 (Karn): the ACK of a retransmitted segment gives no sample; the backed-off RTO stays (§5). */
static void test_rto_karn_no_sample_from_retransmission(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = active_established(h, 100, 9000, &iss); /* RTO 300 ms */

	assert_int_equal(sf_send(h->st, s, "a", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001);
	advance_exactly(h, 300);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 9001); /* RTO now 600 ms */
	/* The ACK 350 ms after the first send: ambiguous, not a sample. A
	 * sample of 350 ms would give RTTVAR 100, SRTT 131.25 -> RTO 532 ms. */
	h_advance(h, 50);
	h_send(h, .lport = 5000, .flags = SF_TCP_ACK, .seq = 9001, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(sf_send(h->st, s, "b", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 2, 9001);
	/* RFC 6298 §5 (after 5.7): the doubled RTO stays until a new sample. */
	advance_exactly(h, 600);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 2, 9001);
	h_free(h);
}

/* Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 (app closed, peer ACKed our FIN, never sends its FIN) ends after fin_timeout (60 s). */
static void test_orphan_fin_wait_2_timeout(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_advance(h, 100); /* inside the 200 ms RTO the ~0 handshake RTT gives */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	h_advance(h, 59999);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 0);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_true(h_saw_state(h, SF_FIN_WAIT_2, SF_CLOSED));
	/* The peer's late FIN finds no connection: RST (§3.10.7.1). */
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_RST, iss + 2, 0);
	h_free(h);
}

/* RFC 9293 §3.6.1: a FIN-WAIT-2 the app still holds (shutdown only) is not timed out; close() later starts fin_timeout. */
static void test_held_fin_wait_2_stays(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_advance(h, 3600ull * 1000);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 0);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect_none(h);
	h_advance(h, 59999);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	h_free(h);
}

/* RFC 1122 §4.2.3.6 (MUST-25: off by default): an idle connection sends no probe even after 3 hours. */
static void test_keepalive_off_by_default(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 3ull * 3600 * 1000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveProbes), 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_free(h);
}

/* RFC 1122 §4.2.3.6 (MUST-28: idle default >= 2 h): keepalive on with the defaults probes after exactly 2 hours, then every 75 s. */
static void test_keepalive_defaults(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_set_keepalive(h->st, c, 1, 0, 0, 0), 0);
	h_advance(h, 7200ull * 1000 - 1);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	advance_exactly(h, 75000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveProbes), 2);
	h_free(h);
}

/* RFC 1122 §4.2.3.6: probes are <SEQ=SND.NXT-1><ACK=RCV.NXT> at idle, then every intvl; `probes` unanswered probes end it with ETIMEDOUT. */
static void test_keepalive_probes_then_timeout(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[4];

	assert_int_equal(sf_set_keepalive(h->st, c, 1, 10000, 2000, 3), 0);
	h_advance(h, 9999);
	h_expect_none(h);
	h_advance(h, 1);
	struct sf_segment p = h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	assert_int_equal(p.payload_len, 0);
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveProbes), 3);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);

	advance_exactly(h, 2000);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveTimeouts), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveProbes), 3);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -ETIMEDOUT);
	/* No further probe. (Linux also sends a RST here; synfin may or may not:
	 * whatever goes out must be that RST, never another probe.) */
	while (h_pending(h)) {
		struct sf_segment r = h_next(h);
		assert_true(r.flags & SF_TCP_RST);
		assert_int_equal(r.seq, iss + 1);
	}
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_free(h);
}

/* RFC 1122 §4.2.3.6: an ACK answering a probe resets keepalive: the next probe comes a full idle time after it. */
/* Probes closer than SF_KEEPALIVE_MIN_INTVL_MS would meet the peer's 500 ms
 * limit on answers to out-of-window segments and kill a live connection:
 * refused, in the call and in the stack's configuration. */
static void discard(void *ctx, const uint8_t *d, size_t n)
{
	(void)ctx, (void)d, (void)n;
}

static void test_keepalive_interval_floor(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_set_keepalive(h->st, c, 1, 10000, SF_KEEPALIVE_MIN_INTVL_MS - 1, 3), -EINVAL);
	assert_int_equal(sf_set_keepalive(h->st, c, 1, 10000, 300, 3), -EINVAL);
	assert_int_equal(sf_set_keepalive(h->st, c, 1, 10000, SF_KEEPALIVE_MIN_INTVL_MS, 3), 0);
	h_free(h);

	struct sf_config cfg;
	sf_config_default(&cfg);
	cfg.output = discard;
	cfg.deterministic_insecure = 1;
	cfg.keepalive_intvl_ms = SF_KEEPALIVE_MIN_INTVL_MS - 1;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.keepalive_intvl_ms = SF_KEEPALIVE_MIN_INTVL_MS;
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
}

static void test_keepalive_answer_resets(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_set_keepalive(h->st, c, 1, 10000, 2000, 3), 0);
	h_advance(h, 10000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	h_advance(h, 1000);
	h_expect_none(h);
	h_advance(h, 500);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect_none(h); /* the answer itself needs no answer */
	/* Not at +2 s (intvl) after the probe, but at idle after the answer. */
	h_advance(h, 9999);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveProbes), 2);
	/* The count of unanswered probes restarted too: 3 more before giving up. */
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	advance_exactly(h, 2000);
	h_expect(h, SF_TCP_ACK, iss, PEER_ISN + 1);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	advance_exactly(h, 2000);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_TCPKeepAliveTimeouts), 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fin_retransmit_backoff),
		cmocka_unit_test(test_orphan_fin_gives_up),
		cmocka_unit_test(test_data_rto_initial_and_backoff),
		cmocka_unit_test(test_data_retries2_etimedout),
		cmocka_unit_test(test_r1_advice_and_soft_error),
		cmocka_unit_test(test_r2_count_per_connection),
		cmocka_unit_test(test_r2_time_per_connection),
		cmocka_unit_test(test_r2_forever),
		cmocka_unit_test(test_retry_thresholds_inherited),
		cmocka_unit_test(test_retry_thresholds_arguments),
		cmocka_unit_test(test_rto_follows_rtt_sample),
		cmocka_unit_test(test_rto_at_least_rto_min),
		cmocka_unit_test(test_rto_follows_data_samples),
		cmocka_unit_test(test_rto_karn_no_sample_from_retransmission),
		cmocka_unit_test(test_orphan_fin_wait_2_timeout),
		cmocka_unit_test(test_held_fin_wait_2_stays),
		cmocka_unit_test(test_keepalive_off_by_default),
		cmocka_unit_test(test_keepalive_defaults),
		cmocka_unit_test(test_keepalive_probes_then_timeout),
		cmocka_unit_test(test_keepalive_interval_floor),
		cmocka_unit_test(test_keepalive_answer_resets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
