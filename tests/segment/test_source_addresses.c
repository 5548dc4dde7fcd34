/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Addresses at the edges of a connection (RFC 9293 §3.9.1.1, §3.9.2.3):
 * which local address an unbound active open uses (MUST-44, by RFC 6724),
 * which remote addresses an OPEN refuses (MUST-46), and which sources a
 * segment may not come from if it is to open a connection or be answered
 * (MUST-57, MUST-63): a subnet's broadcast, our own address (LAND), loopback
 * from a network.
 *
 * The stack is 192.0.2.1 (or 2001:db8::1); the peer is 192.0.2.2.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

static struct sf_addr addr(const char *text)
{
	struct sf_addr a;
	assert_int_equal(sf_addr_parse(text, &a), 0);
	return a;
}

/* The source address of an unbound active open to text. */
static struct sf_addr source_toward(struct harness *h, const char *text)
{
	int family = strchr(text, ':') ? SF_AF_INET6 : SF_AF_INET;
	int s = sf_socket(h->st, family);
	struct sf_endpoint remote = { .addr = addr(text), .port = 80 }, local;

	assert_true(s >= 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	assert_int_equal(sf_getsockname(h->st, s, &local), 0);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_memory_equal(&syn.src, &local.addr, sizeof local.addr);
	assert_int_equal(sf_abort(h->st, s), 0);
	h_drain(h);
	return local.addr;
}

static void assert_addr(struct sf_addr got, const char *want)
{
	struct sf_addr w = addr(want);
	char text[64];
	sf_addr_format(&got, text, sizeof text);
	if (memcmp(&got, &w, sizeof w) != 0)
		fail_msg("source %s, want %s", text, want);
}

/*
 * MUST-44 by RFC 6724 §5: a link-local destination gets the link-local
 * source (rule 2, smallest adequate scope), a global one a global source
 * (rule 2: link-local is too small), and among global sources the one
 * sharing the longest prefix with the destination, counted within its own
 * on-link prefix (rule 8).
 */
static void test_source_selection_v6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	struct sf_addr ll = addr("fe80::1"), other = addr("2001:db8:1::1");

	/* 2001:db8::1 comes first: "the first of the family" would use it even toward fe80::2. */
	assert_int_equal(sf_stack_add_address(h->st, &ll, 1500), 0);
	assert_int_equal(sf_stack_add_address(h->st, &other, 1500), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &ll, 64), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 64), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &other, 64), 0);

	assert_addr(source_toward(h, "fe80::2"), "fe80::1");
	assert_addr(source_toward(h, "2001:db8::2"), "2001:db8::1");
	assert_addr(source_toward(h, "2001:db8:1::9"), "2001:db8:1::1");
	/* A destination ours: itself (rule 1). */
	assert_addr(source_toward(h, "2001:db8:1::1"), "2001:db8:1::1");
	/* Far from both globals: equal prefixes, the first added wins. */
	assert_addr(source_toward(h, "2001:db9::5"), "2001:db8::1");
	h_free(h);
}

/* MUST-44 for IPv4: a link-local (169.254/16) source is used only for a link-local destination. */
static void test_source_selection_v4(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr ll = addr("169.254.7.7"), net10 = addr("10.1.2.3");

	/* The link-local address comes second, the 10/8 one third. */
	assert_int_equal(sf_stack_add_address(h->st, &ll, 1500), 0);
	assert_int_equal(sf_stack_add_address(h->st, &net10, 1500), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &ll, 16), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &net10, 8), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	assert_addr(source_toward(h, "169.254.1.1"), "169.254.7.7");
	assert_addr(source_toward(h, "10.200.0.1"), "10.1.2.3");
	assert_addr(source_toward(h, "192.0.2.77"), "192.0.2.1");
	assert_addr(source_toward(h, "198.51.100.1"), "192.0.2.1");
	h_free(h);
}

/* sf_stack_set_prefix's arguments. */
static void test_set_prefix_arguments(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr other = addr("192.0.2.9"), v6 = addr("2001:db8::1");

	assert_int_equal(sf_stack_set_prefix(NULL, &h->local, 24), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, NULL, 24), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, &other, 24), -ENOENT);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 33), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 32), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 0), 0);
	/* 192.0.2.1 is neither the network nor the broadcast address of 192.0.2.0/31 or /24. */
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 31), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	/* An address that is its own subnet's broadcast or network address is refused that prefix. */
	struct sf_addr bcast = addr("198.51.100.255"), net = addr("10.0.0.0");
	assert_int_equal(sf_stack_add_address(h->st, &bcast, 1500), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &bcast, 24), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, &bcast, 31), 0); /* RFC 3021: a /31 has no broadcast */
	assert_int_equal(sf_stack_set_prefix(h->st, &bcast, 32), 0);
	assert_int_equal(sf_stack_add_address(h->st, &net, 1500), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &net, 8), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, &net, 31), 0);
	assert_int_equal(sf_stack_add_address(h->st, &v6, 1500), 0);
	assert_int_equal(sf_stack_set_prefix(h->st, &v6, 129), -EINVAL);
	assert_int_equal(sf_stack_set_prefix(h->st, &v6, 64), 0);
	h_free(h);
}

/* MUST-46: OPEN to a broadcast address, of our subnet too, is refused (-ENETUNREACH, as Linux); multicast and limited broadcast are -EINVAL. Nothing is sent. */
static void test_connect_to_broadcast_refused(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	static const char *const refused[] = { "192.0.2.255", "192.0.2.0" };
	static const char *const invalid[] = { "255.255.255.255", "224.0.0.1", "0.0.0.0" };

	for (size_t i = 0; i < 2; i++) {
		int s = sf_socket(h->st, SF_AF_INET);
		struct sf_endpoint remote = { .addr = addr(refused[i]), .port = 80 };
		assert_int_equal(sf_connect(h->st, s, &remote), -ENETUNREACH);
		assert_int_equal(sf_state(h->st, s), SF_CLOSED);
		assert_int_equal(sf_close(h->st, s), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		int s = sf_socket(h->st, SF_AF_INET);
		struct sf_endpoint remote = { .addr = addr(invalid[i]), .port = 80 };
		assert_int_equal(sf_connect(h->st, s, &remote), -EINVAL);
		assert_int_equal(sf_close(h->st, s), 0);
	}
	/* Outside our /24 the same last octet is an ordinary host. */
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint remote = { .addr = addr("198.51.100.255"), .port = 80 };
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	assert_int_equal(h_next(h).flags, SF_TCP_SYN);
	h_free(h);
}

/* Loopback is reachable only from a loopback address of ours: without one, OPEN to 127.0.0.1 or ::1 is -ENETUNREACH. */
static void test_connect_to_loopback_needs_loopback(void **state)
{
	(void)state;
	for (int family = 4; family <= 6; family += 2) {
		struct harness *h = h_new(family, NULL);
		int s = sf_socket(h->st, family == 4 ? SF_AF_INET : SF_AF_INET6);
		struct sf_endpoint remote = { .addr = addr(family == 4 ? "127.0.0.1" : "::1"), .port = 80 };
		assert_int_equal(sf_connect(h->st, s, &remote), -ENETUNREACH);
		h_expect_none(h);
		/* With a loopback address the stack talks to itself. */
		struct sf_addr lo = remote.addr;
		assert_int_equal(sf_stack_add_address(h->st, &lo, 65535), 0);
		assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
		struct sf_segment syn = h_next(h);
		assert_memory_equal(&syn.src, &lo, sizeof lo);
		h_free(h);
	}
}

/*
 * MUST-57, MUST-63 (RFC 1122 §3.2.1.3): a SYN from a subnet-directed
 * broadcast address is ignored: no SYN,ACK, no embryo. A segment from one to
 * a closed port gets no RST either (a RST to a broadcast address would go
 * to every host on the subnet).
 */
static void test_syn_from_subnet_broadcast_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	h_listen(h, 80, 8);
	struct sf_addr bcast = addr("192.0.2.255"), net = addr("192.0.2.0");
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };

	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &mss, .src = &bcast);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &mss, .src = &net);
	h_send(h, .lport = 81, .flags = SF_TCP_ACK, .seq = 100, .ack = 5, .src = &bcast);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_MARTIAN_SOURCE), 3);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	/* The peer, an ordinary host of the subnet, still connects. */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &mss);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ack, 101);
	h_free(h);
}

/*
 * MUST-63: the LAND attack: a SYN from our own address and port to itself.
 * Ignored, whichever port it names: no SYN,ACK (which we would send to
 * ourselves), no RST, no embryo.
 */
static void test_land_syn_ignored(void **state)
{
	(void)state;
	for (int family = 4; family <= 6; family += 2) {
		struct harness *h = h_new(family, NULL);
		h_listen(h, 80, 8);
		struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };
		h_send(h, .lport = 80, .rport = 80, .flags = SF_TCP_SYN, .seq = 7, .opt = &mss, .src = &h->local);
		h_send(h, .lport = 81, .rport = 81, .flags = SF_TCP_SYN, .seq = 7, .opt = &mss, .src = &h->local);
		h_expect_none(h);
		assert_int_equal(h_drops(h, SF_DROP_SOURCE_IS_OURS), 2);
		assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
		h_free(h);
	}
}

/* RFC 1122 §3.2.1.3: a loopback source from the network is dropped before TCP sees it. */
static void test_loopback_source_from_network_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	h_listen(h, 80, 8);
	struct sf_addr lo = addr("127.0.0.1");
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };

	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 7, .opt = &mss, .src = &lo);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_MARTIAN_SOURCE), 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_selection_v6),
		cmocka_unit_test(test_source_selection_v4),
		cmocka_unit_test(test_set_prefix_arguments),
		cmocka_unit_test(test_connect_to_broadcast_refused),
		cmocka_unit_test(test_connect_to_loopback_needs_loopback),
		cmocka_unit_test(test_syn_from_subnet_broadcast_ignored),
		cmocka_unit_test(test_land_syn_ignored),
		cmocka_unit_test(test_loopback_source_from_network_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
