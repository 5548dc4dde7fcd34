/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 9293 §3.10.7.3 (SEGMENT ARRIVES in SYN-SENT), the SYN retransmission
 * timer (RFC 6298) and CLOSE in SYN-SENT (§3.10.4).
 *
 * Every test opens from 192.0.2.1:5000 (or [2001:db8::1]:5000) to the peer's
 * port 80; the peer's ISN is 300.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define LPORT 5000
#define RPORT 80
#define PEER_ISN 300u

static void syn_retries_2(struct sf_config *cfg)
{
	cfg->syn_retries = 2;
}

/* Assert the next segment is our SYN again: same ISN, same MSS, marked as a retransmission by the counters. */
static void expect_syn(struct harness *h, uint32_t iss, uint16_t mss)
{
	struct sf_segment syn = h_expect(h, SF_TCP_SYN, iss, 0);
	assert_true(syn.opt.has_mss);
	assert_int_equal(syn.opt.mss, mss);
	assert_int_equal(syn.dport, RPORT);
	assert_int_equal(syn.sport, LPORT);
	assert_int_equal(syn.payload_len, 0);
}

/* Whether any pending event for sock has all the bits in want. */
static int event_has(struct harness *h, int sock, uint32_t want)
{
	struct sf_event ev[16];
	int n = sf_poll_events(h->st, ev, 16);

	for (int i = 0; i < n; i++)
		if (ev[i].sock == sock && (ev[i].events & want) == want)
			return 1;
	return 0;
}

/* §3.10.7.3 first: an ACK outside (ISS, SND.NXT] -> <SEQ=SEG.ACK><CTL=RST>, segment dropped, still SYN-SENT. */
static void test_bad_ack_gets_rst(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	/* SEG.ACK =< ISS. */
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN, .ack = iss);
	struct sf_segment rst = h_expect(h, SF_TCP_RST, iss, 0);
	assert_int_equal(rst.ack, 0);
	assert_int_equal(rst.dport, RPORT);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN, .ack = iss - 1000);
	h_expect(h, SF_TCP_RST, iss - 1000, 0);
	/* SEG.ACK > SND.NXT (= ISS+1). */
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 2);
	h_expect(h, SF_TCP_RST, iss + 2, 0);
	/* A SYN,ACK with a bad ACK (an old duplicate) is reset too and does not
	 * synchronize us: RCV.NXT stays unset (no ACK of its SYN goes out). */
	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 100);
	h_expect(h, SF_TCP_RST, iss + 100, 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(h_drops(h, SF_DROP_SYN_SENT_BAD_ACK), 4);
	assert_int_equal(h->last_drop, SF_DROP_SYN_SENT_BAD_ACK);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 4);
	assert_int_equal(sf_take_error(h->st, s), 0);

	/* The real SYN,ACK still completes the handshake. */
	h_synack_in(h, LPORT, PEER_ISN, iss, 65535, NULL);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	h_free(h);
}

/* §3.10.7.3 first: a bad ACK on a segment that carries RST is dropped without a reply (never RST a RST). */
static void test_bad_ack_with_rst_silent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss);
	h_send(h, .lport = LPORT, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_SENT_BAD_ACK), 2);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_InRsts), 2);
	/* The RST did not refuse the connection: it was not for our SYN. */
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(sf_take_error(h->st, s), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	h_free(h);
}

/*
 * §3.10.7.3 second (SYN to a closed port): a RST whose ACK covers
 * our SYN refuses the connection: CLOSED, -ECONNREFUSED, AttemptFails; nothing
 * sent, no SYN retransmission afterwards.
 */
static void refused(int family)
{
	struct harness *h = h_new(family, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_CLOSED));
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 0);
	assert_int_equal(h_counter(h, SF_CTR_InRsts), 1);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_true(event_has(h, s, SF_EV_ERROR));
	assert_int_equal(sf_take_error(h->st, s), -ECONNREFUSED);
	assert_int_equal(sf_take_error(h->st, s), 0); /* read once, like SO_ERROR */
	/* The timer went with the connection: no SYN ever again. */
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 200000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 0);
	/* The 4-tuple is free: the peer's late SYN,ACK finds no connection (§3.10.7.1). */
	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sf_close(h->st, s), 0);
	h_free(h);
}

static void test_refused_v4(void **state)
{
	(void)state;
	refused(4);
}

static void test_refused_v6(void **state)
{
	(void)state;
	refused(6);
}

/* §3.10.7.3: the refusal shows on recv and on send as well (the first call that looks takes it). */
static void test_refused_seen_by_recv_and_send(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	char buf[8];
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss + 1);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -ECONNREFUSED);
	assert_int_equal(sf_take_error(h->st, s), 0);
	assert_int_equal(sf_close(h->st, s), 0);

	s = h_connect(h, LPORT + 1, RPORT, &iss);
	h_send(h, .lport = LPORT + 1, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss + 1);
	assert_int_equal(sf_send(h->st, s, "x", 1), -ECONNREFUSED);
	assert_int_equal(sf_take_error(h->st, s), 0);
	/* Afterwards a send finds a dead connection: EPIPE, as Linux. */
	assert_int_equal(sf_send(h->st, s, "x", 1), -EPIPE);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 2);
	h_free(h);
}

/* §3.10.7.3 second: a RST without ACK proves nothing in SYN-SENT: dropped, no reply, the SYN timer runs on. */
static void test_rst_without_ack_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = 0);
	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = PEER_ISN);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 2);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(sf_take_error(h->st, s), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	h_advance(h, 1000);
	expect_syn(h, iss, 1460);
	h_free(h);
}

/* §3.10.7.3 fifth: neither SYN nor RST -> drop (SYN_SENT_NO_SYN), no reply; the handshake is unharmed. */
static void test_no_syn_no_rst_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .text = "data");
	h_send(h, .lport = LPORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_FIN, .seq = PEER_ISN + 1);
	h_send(h, .lport = LPORT, .flags = 0, .seq = PEER_ISN + 1, .text = "text");
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_SENT_NO_SYN), 5);
	assert_int_equal(h->last_drop, SF_DROP_SYN_SENT_NO_SYN);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);

	/* None of that counted: RCV.NXT is ISN(s)+1 after the SYN,ACK, no data, no EOF. */
	h_synack_in(h, LPORT, PEER_ISN, iss, 65535, NULL);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	char buf[8];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -EAGAIN);
	h_free(h);
}

/* §3.10.7.3 fourth: text on the SYN,ACK is delivered at once and one ACK covers SYN and text (MUST-58). */
static void synack_with_data(int family)
{
	struct harness *h = h_new(family, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);
	static const char text[] = "hello, world";

	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN, .ack = iss + 1,
	       .data = text, .len = sizeof text - 1);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1 + sizeof text - 1);
	assert_int_equal(ack.payload_len, 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	char buf[32];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), sizeof text - 1);
	assert_memory_equal(buf, text, sizeof text - 1);
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 2); /* the SYN and the one ACK */
	h_free(h);
}

static void test_synack_with_data_v4(void **state)
{
	(void)state;
	synack_with_data(4);
}

static void test_synack_with_data_v6(void **state)
{
	(void)state;
	synack_with_data(6);
}

/*
 * §3.10.7.3 fourth: the text on a SYN,ACK must fit the window our SYN offered
 * (65535): what lies beyond it is trimmed and the ACK covers only what was taken.
 */
static void test_synack_data_beyond_window_trimmed(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = h->local, .port = LPORT };
	struct sf_endpoint remote = { .addr = h->peer, .port = RPORT };
	static char text[1400];

	/* A 1024-byte receive buffer: the SYN offers a window of 1024. */
	assert_int_equal(sf_set_bufsizes(h->st, s, 4096, 1024), 0);
	assert_int_equal(sf_bind(h->st, s, &local), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	iss = syn.seq;
	assert_int_equal(syn.window, 1024);
	h->peer_port = RPORT;
	memset(text, 'x', sizeof text);
	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 1, .data = text,
	       .len = sizeof text);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1 + 1024);
	h_expect_none(h);
	char buf[2048];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 1024);
	h_free(h);
}

/*
 * RFC 6298 §5.5 (back off the timer) and RFC 6298 §2.1 (initial RTO
 * 1 s): the SYN is resent after 1, 2, 4, 8, 16, 32 and 64 s (syn_retries =
 * 7); 120 s (rto_max) after the last one, 247 s after connect() and so past
 * RFC 9293 MUST-23's 3 minutes, the attempt fails: -ETIMEDOUT, CLOSED,
 * TCPAbortOnTimeout and AttemptFails, and nothing more is sent.
 */
static void test_syn_backoff_then_timeout(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);
	static const uint64_t wait_ms[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000 };

	for (size_t i = 0; i < sizeof wait_ms / sizeof wait_ms[0]; i++) {
		h_advance(h, wait_ms[i] - 1);
		h_expect_none(h);
		h_advance(h, 1);
		expect_syn(h, iss, 1460);
		h_expect_none(h);
		assert_int_equal(h_counter(h, SF_CTR_RetransSegs), i + 1);
		assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), i + 1);
		assert_int_equal(h_counter(h, SF_CTR_TCPTimeouts), i + 1);
		assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	}
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 1);
	h_advance(h, 120000 - 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_CLOSED));
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPTimeouts), 8);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 7);
	assert_int_equal(sf_take_error(h->st, s), -ETIMEDOUT);
	char buf[4];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 0);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	/* 247 s after connect(). */
	assert_int_equal(h->now, (1000 + 247000) * H_MS);
	h_free(h);
}

/* Bind socket s to LPORT and connect it to the peer: returns s, the SYN taken (*iss). */
static int connect_from_lport(struct harness *h, int s, uint32_t *iss)
{
	struct sf_endpoint local = { .addr = h->local, .port = LPORT }, remote = { .addr = h->peer, .port = RPORT };

	assert_int_equal(sf_bind(h->st, s, &local), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	*iss = syn.seq;
	return s;
}

/* wait ms on (and not before), the SYN goes again (with MSS mss). */
static void expect_syn_after(struct harness *h, uint64_t wait, uint32_t iss, uint16_t mss)
{
	h_advance(h, wait - 1);
	h_expect_none(h);
	h_advance(h, 1);
	expect_syn(h, iss, mss);
}

/* ms on (still SYN-SENT a millisecond before), the attempt fails with ETIMEDOUT and nothing sent. */
static void attempt_fails_after(struct harness *h, int s, uint64_t ms)
{
	h_expect_closed_after(h, s, ms, SF_SYN_SENT);
	assert_int_equal(sf_take_error(h->st, s), -ETIMEDOUT);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
}

/* RFC 5482 §3, RFC 9293 §3.10.8 (USER TIMEOUT), as Linux: a user timeout set before connect() bounds the SYN's retransmissions too, from connect(): SYN at 0, +1 s, +3 s, and at +5 s the attempt fails, before the next one is due (+7 s). */
static void test_user_timeout_bounds_syn(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = sf_socket(h->st, SF_AF_INET);

	h_advance(h, 10000); /* the stack's clock is well past the timeout */
	assert_int_equal(sf_set_user_timeout(h->st, s, 5000), 0);
	connect_from_lport(h, s, &iss);
	expect_syn_after(h, 1000, iss, 1460);
	expect_syn_after(h, 2000, iss, 1460);
	attempt_fails_after(h, s, 2000);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 2);
	h_free(h);
}

/* A socket with R1 and R2 set for its SYN (unit, r1, r2), connected from LPORT: returns it, the SYN taken (*iss). */
static int connect_with_thresholds(struct harness *h, int unit, uint32_t r1, uint32_t r2, uint32_t *iss)
{
	int s = sf_socket(h->st, SF_AF_INET);

	assert_int_equal(sf_set_retry_thresholds(h->st, s, SF_RETRY_SYN, unit, r1, r2), 0);
	return connect_from_lport(h, s, iss);
}

/* RFC 9293 §3.8.3 (MUST-21, MUST-22: SYNs "in the general way ... including notification of the application layer"): R1 = 1, R2 = 2 for the SYN: resent at +1 and +3 s; at +3 s the connecting application is told (SF_EV_SOFT_ERROR in SYN-SENT) and IP advised; at +7 s the attempt fails. */
static void test_syn_thresholds_count(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = connect_with_thresholds(h, SF_RETRY_COUNT, 1, 2, &iss);

	expect_syn_after(h, 1000, iss, 1460);
	assert_int_equal(h_events(h, s), 0);
	expect_syn_after(h, 2000, iss, 1460);
	assert_int_equal(h_events(h, s), SF_EV_SOFT_ERROR);
	assert_int_equal(sf_soft_error(h->st, s), -ETIMEDOUT);
	assert_int_equal(h->nadvice, 1);
	attempt_fails_after(h, s, 4000);
	h_free(h);
}

/* RFC 9293 §3.8.3 (a), (d), MUST-23: R2 for the SYN in time, 300 s: the SYN is resent an 8th time at +247 s (past syn_retries 7), and the attempt fails at +300 s exactly, not at the next backoff (+367 s). The SYN,ACK ends the report. */
static void test_syn_thresholds_time(void **state)
{
	(void)state;
	static const uint64_t wait_ms[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000 };
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = connect_with_thresholds(h, SF_RETRY_MS, 3000, 300000, &iss);
	uint64_t t0 = h->now;

	for (size_t i = 0; i < sizeof wait_ms / sizeof wait_ms[0]; i++) {
		expect_syn_after(h, wait_ms[i], iss, 1460);
		assert_int_equal(sf_soft_error(h->st, s), i >= 1 ? -ETIMEDOUT : 0); /* +3 s: R1 */
	}
	attempt_fails_after(h, s, 53000);
	assert_int_equal(h->now - t0, 300000 * H_MS);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 8);

	/* Another attempt, answered after the report: the report ends. */
	h->peer_port = RPORT;
	int t = h_connect(h, LPORT + 1, RPORT, &iss);
	assert_int_equal(sf_set_retry_thresholds(h->st, t, SF_RETRY_SYN, SF_RETRY_COUNT, 1, 5), 0);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN, iss, 0);
	h_advance(h, 2000);
	h_expect(h, SF_TCP_SYN, iss, 0);
	assert_int_equal(sf_soft_error(h->st, t), -ETIMEDOUT);
	h_synack_in(h, LPORT + 1, PEER_ISN, iss, 65535, NULL);
	assert_int_equal(sf_soft_error(h->st, t), 0);
	assert_int_equal(h_events(h, t), SF_EV_WRITABLE | SF_EV_CONNECTED);
	h_free(h);
}

/* sf_config.syn_retries: with 2, the SYN goes at 0, +1 s, +3 s and the attempt fails at +7 s. */
static void test_syn_retries_config(void **state)
{
	(void)state;
	struct harness *h = h_new(6, syn_retries_2);
	uint32_t iss;
	char buf[4];
	int s = h_connect(h, LPORT, RPORT, &iss);

	expect_syn_after(h, 1000, iss, 1440);
	expect_syn_after(h, 2000, iss, 1440);
	h_expect_closed_after(h, s, 4000, SF_SYN_SENT);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 2);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	/* The error shows on the next call that looks (here recv). */
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -ETIMEDOUT);
	h_free(h);
}

/*
 * RFC 6298 §3 (Karn, RFC 9293 MUST-18) and §5.7: a SYN,ACK after a SYN
 * retransmission gives no RTT sample (it may answer either SYN), and the RTO
 * for the data that follows is 3 s, not 1 s and not derived from the ambiguous
 * round trip.
 */
static void test_syn_retransmit_rto_3s(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_advance(h, 1000);
	expect_syn(h, iss, 1460);
	h_advance(h, 100);
	h_synack_in(h, LPORT, PEER_ISN, iss, 65535, NULL);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(sf_send(h->st, s, "ping", 4), 4);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	h_advance(h, 3000 - 1);
	h_expect_none(h);
	h_advance(h, 1);
	struct sf_segment again = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	assert_int_equal(again.payload_len, 4);
	h_free(h);
}

/* RFC 6298 §2.2 (the contrast): with no retransmission the SYN,ACK is a clean 300 ms sample: RTO = 300 + 4*150 = 900 ms. */
static void test_syn_rtt_sample_without_retransmit(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	h_advance(h, 300);
	h_synack_in(h, LPORT, PEER_ISN, iss, 65535, NULL);
	assert_int_equal(sf_send(h->st, s, "ping", 4), 4);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	h_advance(h, 900 - 1);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	h_free(h);
}

/*
 * §3.10.4 CLOSE in SYN-SENT: "Delete the TCB": no segment, no timer; the
 * attempt counts in AttemptFails (RFC 4022: SYN-SENT -> CLOSED); a late
 * SYN,ACK then finds no connection and is reset (§3.10.7.1).
 */
static void test_close_in_syn_sent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	assert_int_equal(sf_close(h->st, s), 0);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_CLOSED));
	assert_int_equal(sf_state(h->st, s), -EBADF);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 10000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	h_free(h);
}

/* §3.10.5 ABORT in SYN-SENT: like CLOSE, nothing is sent (the peer has no connection to reset). */
static void test_abort_in_syn_sent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, LPORT, RPORT, &iss);

	assert_int_equal(sf_abort(h->st, s), 0);
	h_expect_none(h);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnUser), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	h_free(h);
}

/*
 * Our SYN is out; the peer's SYN (with extra flags and text) crosses it.
 * Asserts our SYN,ACK acknowledges the SYN alone and that we wait in
 * SYN-RECEIVED. Returns the handle; *iss is our ISN.
 */
/* One bare ACK covers the crossing SYN's "hello"; ESTABLISHED; the application reads it once. */
static void expect_hello_delivered_once(struct harness *h, int s, uint32_t iss)
{
	char buf[16];
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 6);

	assert_int_equal(ack.payload_len, 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -EAGAIN);
}

static int crossed_by_syn(struct harness *h, uint8_t flags, const char *text, uint32_t *iss)
{
	int s = h_connect(h, LPORT, RPORT, iss);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1400 };

	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | flags, .seq = PEER_ISN, .opt = &opt, .text = text);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, *iss, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_SYN_RECEIVED);
	return s;
}

/*
 * §3.10.7.3 fourth step, SYNs crossed: text on the peer's SYN is "queued for
 * processing after the ESTABLISHED state has been reached". Our SYN,ACK
 * acknowledges the SYN alone, the application reads nothing in
 * SYN-RECEIVED, and the ACK that completes the handshake makes the text
 * readable and is answered with one ACK covering it.
 */
static void test_crossing_syn_text_waits_for_established(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = crossed_by_syn(h, 0, "hello", &iss);
	char buf[16];

	assert_true(sf_recv(h->st, s, buf, sizeof buf) < 0);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 6, .ack = iss + 1);
	expect_hello_delivered_once(h, s, iss);
	h_free(h);
}

/* The same, when the peer's handshake-completing segment carries more text: both parts arrive, in order, under one ACK. */
static void test_crossing_syn_text_then_more_text(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint32_t iss;
	int s = crossed_by_syn(h, 0, "hello", &iss);
	char buf[16];

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 6, .ack = iss + 1, .text = "world");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 11);
	h_expect_none(h);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 10);
	assert_memory_equal(buf, "helloworld", 10);
	h_free(h);
}

/*
 * RFC 9293 Figure 8 line 6: the peer's SYN,ACK repeats its SYN, with the same
 * text. The held text and the repeated one are the same bytes: the
 * application reads them once.
 */
static void test_crossing_syn_text_repeated_on_synack(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = crossed_by_syn(h, 0, "hello", &iss);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1400 };

	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 1, .opt = &opt,
	       .text = "hello");
	expect_hello_delivered_once(h, s, iss);
	h_free(h);
}

/*
 * A SYN with FIN crossing ours is a crossing SYN (as Linux): SYN-RECEIVED and
 * our SYN,ACK for the SYN alone. Its FIN is queued with the other controls
 * (§3.10.7.3 fourth step) and taken once ESTABLISHED: CLOSE-WAIT, the FIN ACKed.
 */
static void test_crossing_syn_fin_closes_after_established(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = crossed_by_syn(h, SF_TCP_FIN, NULL, &iss);
	char buf[8];

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSE_WAIT);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_ESTABLISHED));
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_ack_gets_rst),
		cmocka_unit_test(test_bad_ack_with_rst_silent),
		cmocka_unit_test(test_refused_v4),
		cmocka_unit_test(test_refused_v6),
		cmocka_unit_test(test_refused_seen_by_recv_and_send),
		cmocka_unit_test(test_rst_without_ack_ignored),
		cmocka_unit_test(test_no_syn_no_rst_dropped),
		cmocka_unit_test(test_synack_with_data_v4),
		cmocka_unit_test(test_synack_with_data_v6),
		cmocka_unit_test(test_synack_data_beyond_window_trimmed),
		cmocka_unit_test(test_syn_backoff_then_timeout),
		cmocka_unit_test(test_syn_retries_config),
		cmocka_unit_test(test_user_timeout_bounds_syn),
		cmocka_unit_test(test_syn_thresholds_count),
		cmocka_unit_test(test_syn_thresholds_time),
		cmocka_unit_test(test_syn_retransmit_rto_3s),
		cmocka_unit_test(test_syn_rtt_sample_without_retransmit),
		cmocka_unit_test(test_close_in_syn_sent),
		cmocka_unit_test(test_abort_in_syn_sent),
		cmocka_unit_test(test_crossing_syn_text_waits_for_established),
		cmocka_unit_test(test_crossing_syn_text_then_more_text),
		cmocka_unit_test(test_crossing_syn_text_repeated_on_synack),
		cmocka_unit_test(test_crossing_syn_fin_closes_after_established),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
