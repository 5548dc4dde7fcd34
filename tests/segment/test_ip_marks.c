/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the IP header of our segments carries for a connection (RFC 9293
 * §3.9.1.9, §3.9.2): the TTL or hop limit, configurable for the stack and
 * per socket (MUST-49, IP_TTL / IPV6_UNICAST_HOPS), and the Differentiated
 * Services field, set and changed by the application and passed to IP
 * unchanged (MUST-48, SHLD-21, SHLD-22; IP_TOS / IPV6_TCLASS).
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 1000u

static void cfg_ttl_100(struct sf_config *cfg)
{
	cfg->ttl = 100;
}

/* MUST-49: the stack's TTL is cfg.ttl, 64 by default, for IPv4 and IPv6 alike. */
static void test_stack_ttl_default_and_configured(void **state)
{
	(void)state;
	for (int family = 4; family <= 6; family += 2) {
		struct harness *h = h_new(family, NULL);
		int s = sf_socket(h->st, family == 4 ? SF_AF_INET : SF_AF_INET6);
		struct sf_endpoint peer = { .addr = h->peer, .port = 80 };
		assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
		struct sf_segment syn = h_next(h);
		assert_int_equal(syn.ttl, 64);
		assert_int_equal(syn.tclass, 0);
		h_free(h);

		h = h_new(family, cfg_ttl_100);
		s = sf_socket(h->st, family == 4 ? SF_AF_INET : SF_AF_INET6);
		assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
		assert_int_equal(h_next(h).ttl, 100);
		/* A RST to a closed port carries the stack's TTL too. */
		h_send(h, .lport = 9, .flags = SF_TCP_ACK, .seq = 1, .ack = 2);
		struct sf_segment rst = h_expect(h, SF_TCP_RST, 2, 0);
		assert_int_equal(rst.ttl, 100);
		h_free(h);
	}
}

static void discard(void *ctx, const uint8_t *dgram, size_t len)
{
	(void)ctx;
	(void)dgram;
	(void)len;
}

/* cfg.ttl 0 is no TTL at all: sf_stack_new refuses it. */
static void test_stack_ttl_zero_refused(void **state)
{
	(void)state;
	struct sf_config cfg;
	sf_config_default(&cfg);
	assert_int_equal(cfg.ttl, 64);
	cfg.output = discard;
	cfg.deterministic_insecure = 1;
	cfg.ttl = 0;
	assert_null(sf_stack_new(&cfg, 0));
}

/* MUST-49 per socket, MUST-48 and SHLD-21: set before connect, changed on an established connection, each from the next segment on; -1 gives the default back. */
static void test_socket_ttl_and_tclass(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint peer = { .addr = h->peer, .port = 80 };

	assert_int_equal(sf_set_ttl(h->st, s, 7), 0);
	assert_int_equal(sf_set_tclass(h->st, s, 0x28), 0); /* DSCP 10 (AF11) */
	assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.ttl, 7);
	assert_int_equal(syn.tclass, 0x28);
	h_send(h, .lport = syn.sport, .rport = 80, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN,
	       .ack = syn.seq + 1);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(ack.ttl, 7);
	assert_int_equal(ack.tclass, 0x28);

	/* SHLD-21: the application changes the field during the connection. */
	assert_int_equal(sf_set_tclass(h->st, s, 0xb8), 0); /* EF */
	assert_int_equal(sf_set_ttl(h->st, s, -1), 0);
	assert_int_equal(sf_send(h->st, s, "x", 1), 1);
	struct sf_segment data = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(data.ttl, 64);
	assert_int_equal(data.tclass, 0xb8);
	h_free(h);
}

/* The ECN bits (RFC 3168) are the stack's: a value with them set keeps only its DSCP (as Linux does for TCP). */
static void test_tclass_ecn_bits_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	int s = sf_socket(h->st, SF_AF_INET6);
	struct sf_endpoint peer = { .addr = h->peer, .port = 80 };

	assert_int_equal(sf_set_tclass(h->st, s, 0xbb), 0);
	assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
	assert_int_equal(h_next(h).tclass, 0xb8);
	h_free(h);
}

/* Bad arguments: a clear errno, nothing changed. */
static void test_ttl_and_tclass_arguments(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);

	assert_int_equal(sf_set_ttl(h->st, s, 0), -EINVAL);
	assert_int_equal(sf_set_ttl(h->st, s, 256), -EINVAL);
	assert_int_equal(sf_set_ttl(h->st, s, -2), -EINVAL);
	assert_int_equal(sf_set_ttl(h->st, s, 255), 0);
	assert_int_equal(sf_set_ttl(h->st, s, 1), 0);
	assert_int_equal(sf_set_tclass(h->st, s, 256), -EINVAL);
	assert_int_equal(sf_set_tclass(h->st, s, -2), -EINVAL);
	assert_int_equal(sf_set_tclass(h->st, s, -1), 0);
	assert_int_equal(sf_set_ttl(h->st, 12345, 5), -EBADF);
	assert_int_equal(sf_set_tclass(h->st, -1, 5), -EBADF);
	assert_int_equal(sf_set_ttl(NULL, s, 5), -EINVAL);
	assert_int_equal(sf_set_tclass(NULL, s, 5), -EINVAL);
	struct sf_endpoint peer = { .addr = h->peer, .port = 80 };
	assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.ttl, 1);
	assert_int_equal(syn.tclass, 0);
	h_free(h);
}

/*
 * A listener's TTL and Differentiated Services field go on its SYN,ACKs,
 * pass to the connections it accepts, and stay with a connection into
 * TIME-WAIT, whose ACKs carry them too.
 */
static void test_listener_marks_inherited_to_time_wait(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };

	assert_int_equal(sf_set_ttl(h->st, l, 33), 0);
	assert_int_equal(sf_set_tclass(h->st, l, 0x48), 0);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &mss);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ttl, 33);
	assert_int_equal(sa.tclass, 0x48);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);

	assert_int_equal(sf_close(h->st, c), 0);
	struct sf_segment fin = h_expect(h, SF_TCP_FIN | SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1);
	assert_int_equal(fin.ttl, 33);
	assert_int_equal(fin.tclass, 0x48);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 2);
	struct sf_segment last = h_expect(h, SF_TCP_ACK, sa.seq + 2, PEER_ISN + 2);
	assert_int_equal(last.ttl, 33);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	/* The retransmitted FIN finds the TIME-WAIT record. */
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 2);
	struct sf_segment again = h_expect(h, SF_TCP_ACK, sa.seq + 2, PEER_ISN + 2);
	assert_int_equal(again.ttl, 33);
	assert_int_equal(again.tclass, 0x48);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_ttl_default_and_configured),
		cmocka_unit_test(test_stack_ttl_zero_refused),
		cmocka_unit_test(test_socket_ttl_and_tclass),
		cmocka_unit_test(test_tclass_ecn_bits_ignored),
		cmocka_unit_test(test_ttl_and_tclass_arguments),
		cmocka_unit_test(test_listener_marks_inherited_to_time_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
