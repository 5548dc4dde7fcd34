/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP and ICMPv6 errors (RFC 9293 §3.9.2.2, MUST-54..56, SHLD-25, SHLD-26;
 * RFC 5927 against forgery). Each test quotes a datagram the stack really
 * sent (the harness keeps its bytes) inside an error from a router,
 * 198.51.100.7 or 2001:db8:ff::7.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"
#include "wire/checksum.h"

#define PEER_ISN 300u

/* The error as destination unreachable: port (hard) or host (soft), IPv4 and ICMPv6 codes. */
static uint8_t unreach_type(const struct harness *h) { return h->family == 6 ? 1 : 3; }
static uint8_t port_code(const struct harness *h) { return h->family == 6 ? 4 : 3; }
static uint8_t host_code(const struct harness *h) { return h->family == 6 ? 3 : 1; }

/* SHLD-26, MUST-54: a port unreachable for our SYN ends the connect at once with ECONNREFUSED (as Linux); nothing is sent. */
static void port_unreachable_fails_connect(int family)
{
	struct harness *h = h_new(family, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = h_last_sent(h);

	h_icmp_error(h, unreach_type(h), port_code(h), syn->data, syn->len, 0, 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(sf_take_error(h->st, s), -ECONNREFUSED);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_CLOSED));
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, family == 6 ? SF_CTR_Icmp6InDestUnreachs : SF_CTR_IcmpInDestUnreachs), 1);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX); /* no SYN retransmission left */
	h_free(h);
}

static void test_port_unreachable_fails_connect_v4(void **state)
{
	(void)state;
	port_unreachable_fails_connect(4);
}

static void test_port_unreachable_fails_connect_v6(void **state)
{
	(void)state;
	port_unreachable_fails_connect(6);
}

static void cfg_two_syn_retries(struct sf_config *cfg)
{
	cfg->syn_retries = 2;
}

/*
 * MUST-56, SHLD-25: a host unreachable for our SYN is a soft error: the
 * connect goes on (the SYN is retried), the application is told
 * (SF_EV_SOFT_ERROR, sf_soft_error), and if the attempt then times out it
 * fails with that error, not ETIMEDOUT (as Linux's tcp_write_err).
 */
static void test_host_unreachable_in_syn_sent_is_soft(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_two_syn_retries);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = h_last_sent(h);

	(void)h_events(h, s);
	h_icmp_error(h, unreach_type(h), host_code(h), syn->data, syn->len, 0, 0);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(sf_soft_error(h->st, s), -EHOSTUNREACH);
	assert_true(h_events(h, s) & SF_EV_SOFT_ERROR);
	h_expect_none(h);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN, iss, 0);
	h_advance(h, 2000);
	h_expect(h, SF_TCP_SYN, iss, 0);
	h_advance(h, 4000);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(sf_take_error(h->st, s), -EHOSTUNREACH);
	h_free(h);
}

/*
 * RFC 5461 §4, as Linux: on an established connection even a hard error is
 * reported as a soft one and the connection goes on; the peer's next ACK of
 * new data ends the report. Time exceeded and parameter problem likewise.
 */
static void test_errors_on_established_are_soft(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, "hello", 5), 5);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	const struct h_out *data = h_last_sent(h);
	h_icmp_error(h, unreach_type(h), port_code(h), data->data, data->len, 0, 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(sf_soft_error(h->st, c), -ECONNREFUSED);
	h_icmp_error(h, 3, 0, data->data, data->len, 0, 0); /* time exceeded */
	assert_int_equal(sf_soft_error(h->st, c), -EHOSTUNREACH);
	h_icmp_error(h, 4, 0, data->data, data->len, 0, 0); /* parameter problem */
	assert_int_equal(sf_soft_error(h->st, c), -EPROTO);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6InTimeExcds), 1);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6InParmProblems), 1);
	h_expect_none(h);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 6);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_free(h);
}

/* RFC 5927 §4.1: an error quoting a sequence number outside [SND.UNA, SND.NXT) is a forgery or stale: dropped, no effect. */
static void test_error_outside_window_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = h_last_sent(h);

	h_icmp_error(h, 3, 3, syn->data, syn->len, iss + 1, 0); /* past SND.NXT */
	h_icmp_error(h, 3, 3, syn->data, syn->len, iss - 1, 0); /* before SND.UNA */
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 2);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(sf_soft_error(h->st, s), 0);

	h_synack_in(h, 5000, PEER_ISN, iss, 65535, NULL);
	assert_int_equal(sf_send(h->st, s, "0123456789", 10), 10);
	h_next(h);
	const struct h_out *data = h_last_sent(h);
	h_icmp_error(h, 3, 1, data->data, data->len, iss + 11, 0); /* SND.NXT itself: not sent */
	h_icmp_error(h, 3, 1, data->data, data->len, iss, 0);      /* the SYN, acknowledged */
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 4);
	assert_int_equal(sf_soft_error(h->st, s), 0);
	h_icmp_error(h, 3, 1, data->data, data->len, iss + 10, 0); /* the last byte in flight */
	assert_int_equal(sf_soft_error(h->st, s), -EHOSTUNREACH);
	h_free(h);
}

/* MUST-55: source quench is discarded; path MTU messages are counted and dropped (not tracked yet). */
static void test_source_quench_and_packet_too_big_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_next(h);
	const struct h_out *data = h_last_sent(h);
	h_icmp_error(h, 4, 0, data->data, data->len, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SOURCE_QUENCH), 1);
	assert_int_equal(h_counter(h, SF_CTR_IcmpInSrcQuenchs), 1);
	h_icmp_error(h, 3, 4, data->data, data->len, 0, 1280);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_PACKET_TOO_BIG), 1);
	assert_int_equal(sf_soft_error(h->st, c), 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_expect_none(h);
	h_free(h);
}

/* An embryo's SYN,ACK drawing a port unreachable (its ISS quoted) is dropped; with another number the error is ignored. */
static void test_embryo_hard_error(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	h_listen(h, 80, 8);
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };

	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &mss);
	struct sf_segment sa = h_next(h);
	const struct h_out *synack = h_last_sent(h);
	h_icmp_error(h, 3, 3, synack->data, synack->len, sa.seq + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_icmp_error(h, 3, 1, synack->data, synack->len, 0, 0); /* soft: the SYN,ACK timer goes on */
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_icmp_error(h, 3, 3, synack->data, synack->len, 0, 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_CLOSED));
	h_expect_none(h);
	h_free(h);
}

/* Malformed or foreign ICMP: each has its drop reason, and TCP's counters do not count it. */
static void test_icmp_drop_reasons(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = h_last_sent(h);
	uint8_t copy[128];
	uint64_t in_segs = h_counter(h, SF_CTR_InSegs);

	/* An echo reply is not an error about TCP (echo requests are answered: test_ping.c). */
	h_icmp_error(h, 0, 0, syn->data, syn->len, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_NOT_AN_ERROR), 1);
	/* The quote is a UDP datagram. */
	memcpy(copy, syn->data, syn->len);
	copy[9] = 17;
	h_icmp_error(h, 3, 3, copy, syn->len, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_QUOTE), 1);
	/* Too short a quote: IP header and 4 bytes of TCP. */
	h_icmp_error(h, 3, 3, syn->data, 24, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_QUOTE), 2);
	/* A quote of some other connection of ours: none. */
	memcpy(copy, syn->data, syn->len);
	sf_put16(copy + 20, 5001);
	h_icmp_error(h, 3, 3, copy, syn->len, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_NO_CONNECTION), 1);
	/* A quote whose source is not the address the error came to. */
	memcpy(copy, syn->data, syn->len);
	copy[15] ^= 1;
	h_icmp_error(h, 3, 3, copy, syn->len, 0, 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_QUOTE), 3);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);

	/* Truncated and bad-checksum messages, by hand. */
	uint8_t bad[28] = { 0x45, 0, 0, 24, 0, 0, 0, 0, 64, 1 };
	memcpy(bad + 12, (uint8_t[]){ 198, 51, 100, 7 }, 4);
	memcpy(bad + 16, h->local.bytes, 4);
	sf_put16(bad + 10, sf_csum_finish(sf_csum_add(0, bad, 20)));
	h_inject_raw(h, bad, 24);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_TRUNCATED), 1);
	sf_put16(bad + 2, 28);
	sf_put16(bad + 10, 0);
	sf_put16(bad + 10, sf_csum_finish(sf_csum_add(0, bad, 20)));
	bad[20] = 3;
	bad[22] = 0x12; /* not the checksum */
	h_inject_raw(h, bad, 28);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_CHECKSUM), 1);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), in_segs);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	h_free(h);
}

/*
 * RFC 5927 as the measure of a blind attack: a third host that cannot see
 * the connection forges 10^6 errors with random quoted sequence numbers,
 * hard and soft, against an established connection with 14600 bytes in
 * flight and against a connection in SYN-SENT. Neither is reset, the
 * established one's window is not shrunk, and only guesses inside the
 * window (expected a few in 10^6 for the established one, none for the
 * one-number window of SYN-SENT) get as far as a soft error.
 */
static void cfg_no_error_budget(struct sf_config *cfg)
{
	cfg->icmp_error_rate = 0; /* every forgery reaches the RFC 5927 check (the budget: test_ping.c) */
}

static void test_blind_icmp_attack_never_succeeds(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_error_budget);
	uint32_t iss, ciss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	static char payload[14600];

	assert_int_equal(sf_send(h->st, c, payload, sizeof payload), (long)sizeof payload);
	size_t sent = h_drain(h);
	assert_int_equal(sent, 10);
	const struct h_out *data = &h->out[h->next_out - 1];
	uint8_t data_copy[2048];
	size_t data_len = data->len;
	memcpy(data_copy, data->data, data_len);
	int s = h_connect(h, 5000, 8080, &ciss);
	const struct h_out *syn = h_last_sent(h);
	uint8_t syn_copy[128];
	size_t syn_len = syn->len;
	memcpy(syn_copy, syn->data, syn_len);

	uint32_t cwnd = h_tcb(h, c)->cwnd, x = 0x12345678u;
	uint64_t in_window = 0;
	for (int i = 0; i < 1000000; i++) {
		x = x * 1664525u + 1013904223u;
		uint32_t seq = x | 1u; /* never 0: 0 means "as quoted" */
		uint8_t code = (i & 1) ? 3 : 1;
		if (i & 2)
			h_icmp_error(h, 3, code, data_copy, 48, seq, 0);
		else
			h_icmp_error(h, 3, code, syn_copy, 48, seq, 0);
		if ((i & 2) && seq - iss - 1 < sizeof payload)
			in_window++;
		if (h->next_out != h->nout)
			fail_msg("the attack made the stack send something (message %d)", i);
	}
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	assert_int_equal(h_tcb(h, c)->cwnd, cwnd);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 1000000 - in_window);
	print_message("blind ICMP: 10^6 forged errors, 0 resets, 0 shrunk windows, %llu guesses inside the window\n",
		      (unsigned long long)in_window);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_unreachable_fails_connect_v4),
		cmocka_unit_test(test_port_unreachable_fails_connect_v6),
		cmocka_unit_test(test_host_unreachable_in_syn_sent_is_soft),
		cmocka_unit_test(test_errors_on_established_are_soft),
		cmocka_unit_test(test_error_outside_window_ignored),
		cmocka_unit_test(test_source_quench_and_packet_too_big_dropped),
		cmocka_unit_test(test_embryo_hard_error),
		cmocka_unit_test(test_icmp_drop_reasons),
		cmocka_unit_test(test_blind_icmp_attack_never_succeeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
