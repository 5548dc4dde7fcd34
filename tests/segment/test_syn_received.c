/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SYN-RECEIVED after a passive OPEN, held as a compact embryonic record
 * (struct sf_embryo): SYN,ACK retransmission (RFC 6298 §5.5 backoff,
 * synack_retries), the RTT sample the handshake gives (or, after a
 * retransmission, does not give: RFC 6298 §5.7), and the segment-arrival
 * checks of RFC 9293 §3.10.7.4 for SYN-RECEIVED with RFC 5961's RST rule.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define LPORT 80
#define PEER_ISN 1000u /* IRS */

/* A listener on LPORT and the peer's SYN (ISN PEER_ISN, MSS 1460). Asserts
 * the SYN,ACK <SEQ=ISS><ACK=IRS+1> with our MSS and returns ISS. */
static uint32_t open_embryo(struct harness *h, int *listener)
{
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	int l = h_listen(h, LPORT, 8);

	if (listener)
		*listener = l;
	struct sf_segment sa = h_syn_in(h, LPORT, PEER_ISN, &opt);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, 1460);
	assert_int_equal(sa.window, 65535);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	return sa.seq;
}

/* The handshake's last ACK completes: one connection on the accept queue. */
static int complete(struct harness *h, int l, uint32_t iss)
{
	int c = h_complete(h, l, LPORT, PEER_ISN, iss, 65535, NULL);

	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	return c;
}

static void cfg_synack_retries2(struct sf_config *cfg)
{
	cfg->synack_retries = 2;
}

/* RFC 6298 §5.5: the SYN,ACK goes again after 1, 2, 4, 8, 16 s
 * (at +1, +3, +7, +15, +31 s); after synack_retries (5) the record waits one
 * more doubled RTO (32 s) and is dropped silently. RFC 9293 §3.8.3 (b),
 * MUST-22: the 4th and 5th, past R1 (retries1, 3), pass negative advice to
 * IP (sock -1: an embryo has no handle). */
static void test_synack_backoff_exact(void **state)
{
	(void)state;
	static const uint64_t gaps_ms[] = { 1000, 2000, 4000, 8000, 16000 };
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	for (size_t i = 0; i < sizeof gaps_ms / sizeof gaps_ms[0]; i++) {
		h_advance(h, gaps_ms[i] - 1);
		h_expect_none(h);
		h_advance(h, 1);
		struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, PEER_ISN + 1);
		assert_true(sa.opt.has_mss);
		assert_int_equal(sa.opt.mss, 1460);
		h_expect_none(h);
		assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), i + 1);
		assert_int_equal(h_counter(h, SF_CTR_RetransSegs), i + 1);
		assert_int_equal(h->nadvice, i < 3 ? 0 : i - 2);
	}
	assert_int_equal(h->advice_sock, -1);
	h_advance(h, 32000 - 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 5);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_CLOSED));
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);

	/* The peer's late ACK now reaches the listener: <SEQ=SEG.ACK><CTL=RST>. */
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_ACK), 1);
	h_free(h);
}

/* synack_retries is honoured (2: resent at +1 and +3 s, dropped at +7 s). */
static void test_synack_retries_config(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_synack_retries2);
	uint32_t iss = open_embryo(h, NULL);

	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, PEER_ISN + 1);
	h_advance(h, 2000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, PEER_ISN + 1);
	h_advance(h, 4000 - 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 2);
	h_free(h);
}

/* RFC 6298 §2.2, §3: the SYN,ACK -> ACK exchange is the first RTT sample of a
 * passive open: 300 ms gives SRTT 300, RTTVAR 150, RTO 900 ms. */
static void test_passive_handshake_rtt_sample(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &opt);
	struct sf_segment sa = h_next(h);
	h_advance(h, 300);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_advance(h, 899);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_free(h);
}

/* RFC 6298 §5.7: the SYN,ACK was retransmitted, so no sample: data starts at 3 s. */
static void test_passive_handshake_retransmitted_rto_3s(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100);
	struct sf_segment sa = h_next(h);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, sa.seq, 101);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_advance(h, 2999);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 first (SEG.SEQ = IRS is before RCV.NXT): a repeated SYN
 * means our SYN,ACK was lost; it is sent again, and no second record made. */
static void test_duplicate_syn_gets_synack(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_advance(h, 500);
	h_send(h, .lport = LPORT, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, PEER_ISN + 1);
	assert_true(sa.opt.has_mss);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	complete(h, l, iss);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 second, RFC 5961 §3.2: a RST exactly at RCV.NXT (IRS+1)
 * returns the passive embryo to LISTEN silently (AttemptFails); after that the
 * peer's ACK is reset as one for no connection. */
static void test_rst_exact_drops_embryo(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_InRsts), 1);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_LISTEN));
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_ACK), 1);
	h_free(h);
}

/* RFC 5961 §3.2: a RST in the window but not at RCV.NXT draws a challenge
 * ACK <SEQ=ISS+1><ACK=IRS+1>; one outside the window is dropped silently.
 * Either way the embryo lives on. */
static void test_rst_in_window_challenged(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = PEER_ISN + 1 + 100);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(ack.window, 65535);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 1);
	assert_int_equal(h_drops(h, SF_DROP_RST_CHALLENGED), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);

	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = PEER_ISN + 1 + 70000);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_RST, .seq = PEER_ISN);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	complete(h, l, iss);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 fifth (SYN-RECEIVED): an ACK that does not acknowledge
 * our SYN is answered <SEQ=SEG.ACK><CTL=RST>; the embryo stays. */
static void test_bad_ack_gets_rst(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 5);
	h_expect(h, SF_TCP_RST, iss + 5, 0);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss);
	h_expect(h, SF_TCP_RST, iss, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_RECEIVED_BAD_ACK), 2);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 0);
	complete(h, l, iss);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 fifth: "if the ACK bit is off, drop the segment and
 * return": no answer, even for text or a FIN, and nothing is queued. */
static void test_segment_without_ack_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_PSH, .seq = PEER_ISN + 1, .text = "abc");
	h_expect_none(h);
	h_send(h, .lport = LPORT, .flags = SF_TCP_FIN, .seq = PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_NO_ACK), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);

	/* The handshake then completes with nothing received. */
	int c = complete(h, l, iss);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -EAGAIN);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 first: an unacceptable segment (before RCV.NXT or past
 * the window we offered, 65535) is answered <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>. */
static void test_unacceptable_seq_acked(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1 + 65535, .ack = iss + 1);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(a.window, 65535);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN - 10, .ack = iss + 1,
	       .text = "0123456789");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 2);
	/* Neither completed the handshake, though both ACKed our SYN. */
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 0);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	complete(h, l, iss);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 sixth/seventh: text on the ACK that completes the
 * handshake is delivered to the accepted socket and ACKed. */
static void test_data_on_completing_ack(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .text = "hello");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 6);
	h_expect_none(h);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	char buf[16];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -EAGAIN);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 1);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 eighth: a FIN on the completing ACK puts the
 * accepted socket in CLOSE-WAIT; recv gives the text, then 0. */
static void test_fin_on_completing_ack(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l;
	uint32_t iss = open_embryo(h, &l);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH | SF_TCP_FIN, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .text = "bye");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1 + 3 + 1);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_ESTABLISHED, SF_CLOSE_WAIT));
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 1);
	char buf[16];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 3);
	assert_memory_equal(buf, "bye", 3);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);

	/* And the close that follows is LAST-ACK: FIN <SEQ=ISS+1>. */
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 5);
	h_free(h);
}

/* core/records.h: the compact embryonic and TIME-WAIT records stay
 * within 64 bytes (a SYN flood costs 64 bytes a SYN). */
static void test_compact_record_sizes(void **state)
{
	(void)state;
	assert_true(sizeof(struct sf_embryo) <= 64);
	assert_true(sizeof(struct sf_tw) <= 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synack_backoff_exact),
		cmocka_unit_test(test_synack_retries_config),
		cmocka_unit_test(test_passive_handshake_rtt_sample),
		cmocka_unit_test(test_passive_handshake_retransmitted_rto_3s),
		cmocka_unit_test(test_duplicate_syn_gets_synack),
		cmocka_unit_test(test_rst_exact_drops_embryo),
		cmocka_unit_test(test_rst_in_window_challenged),
		cmocka_unit_test(test_bad_ack_gets_rst),
		cmocka_unit_test(test_segment_without_ack_dropped),
		cmocka_unit_test(test_unacceptable_seq_acked),
		cmocka_unit_test(test_data_on_completing_ack),
		cmocka_unit_test(test_fin_on_completing_ack),
		cmocka_unit_test(test_compact_record_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
