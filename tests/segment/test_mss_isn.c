/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The MSS option (RFC 9293 §3.7.1, MUST-14/15/16, RFC 6691) and initial
 * sequence numbers (RFC 9293 §3.4.1, RFC 6528).
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 100u

static uint8_t payload[4096];

/*
 * Take the data segments the stack sends for `total` bytes starting at seq,
 * ACKing each flight so that no congestion or Nagle hold-back can stall the
 * transfer, and record each segment's length. Returns the segment count.
 */
static size_t collect(struct harness *h, uint16_t lport, uint32_t seq, uint32_t peer_nxt, size_t total,
		      size_t *lens, size_t max)
{
	size_t n = 0, got = 0;

	while (got < total) {
		assert_true(h_pending(h) > 0);
		while (h_pending(h)) {
			struct sf_segment d = h_next(h);
			assert_true(d.flags & SF_TCP_ACK);
			assert_false(d.flags & (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST));
			assert_int_equal(d.seq, seq + (uint32_t)got);
			assert_int_equal(d.ack, peer_nxt);
			assert_memory_equal(d.payload, payload + got, d.payload_len);
			assert_true(n < max);
			lens[n++] = d.payload_len;
			got += d.payload_len;
		}
		h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = peer_nxt, .ack = seq + (uint32_t)got);
	}
	h_expect_none(h);
	assert_int_equal(got, total);
	return n;
}

/* Send `total` bytes and check they go out in segments of exactly `mss` bytes, the last one holding the rest. */
static void expect_segmentation(struct harness *h, int s, uint16_t lport, uint32_t iss, uint32_t peer_nxt,
				size_t total, size_t mss)
{
	size_t lens[64];

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(sf_send(h->st, s, payload, total), (long)total);
	size_t n = collect(h, lport, iss + 1, peer_nxt, total, lens, 64);
	assert_int_equal(n, (total + mss - 1) / mss);
	for (size_t i = 0; i + 1 < n; i++)
		assert_int_equal(lens[i], mss);
	assert_int_equal(lens[n - 1], total - (n - 1) * mss);
}

/* Active open from port 5000 to the peer's port 80, answered by a SYN,ACK carrying `opt`. */
static int connect_with(struct harness *h, const struct sf_tcp_options *opt, uint32_t *iss, struct sf_segment *syn)
{
	int s = sf_socket(h->st, h->family);
	struct sf_endpoint local = { .addr = h->local, .port = 5000 };
	struct sf_endpoint remote = { .addr = h->peer, .port = 80 };

	assert_true(s >= 0);
	assert_int_equal(sf_bind(h->st, s, &local), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	*syn = h_next(h);
	*iss = syn->seq;
	h->peer_port = 80;
	h_synack_in(h, 5000, PEER_ISN, *iss, 65535, opt);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	return s;
}

static void cfg_clock_only(struct sf_config *cfg)
{
	cfg->isn_mode = SF_ISN_CLOCK_ONLY;
}

static void cfg_other_secret(struct sf_config *cfg)
{
	cfg->secret[0] ^= 0x01;
}

/* RFC 9293 §3.7.1 MUST-14: at MTU 1500 the SYN and the SYN,ACK announce 1460 (IPv4). */
static void test_mss_announced_ipv4(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment syn;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };

	int s = connect_with(h, &opt, &iss, &syn);
	assert_true(s >= 0);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_true(syn.opt.has_mss);
	assert_int_equal(syn.opt.mss, 1460);

	h->peer_port = 40000;
	h_listen(h, 80, 8);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, 1460);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-14: at MTU 1500 the SYN and the SYN,ACK announce 1440 (IPv6: 1500-40-20). */
static void test_mss_announced_ipv6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint32_t iss;
	struct sf_segment syn;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1440 };

	int s = connect_with(h, &opt, &iss, &syn);
	assert_true(s >= 0);
	assert_int_equal(syn.opt.mss, 1440);

	h->peer_port = 40000;
	h_listen(h, 80, 8);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, 1440);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-67: the announced MSS is the interface MTU - 40 (IPv4) / - 60 (IPv6): 9000 -> 8960, 576 -> 536. */
static void test_mss_from_mtu(void **state)
{
	(void)state;
	static const struct {
		int family;
		const char *addr;
		uint32_t mtu;
		uint16_t mss;
	} cases[] = {
		{ 4, "192.0.2.10", 9000, 8960 },
		{ 4, "192.0.2.11", 576, 536 },
		{ 6, "2001:db8::10", 9000, 8940 },
		{ 6, "2001:db8::11", 1280, 1220 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct harness *h = h_new(cases[i].family, NULL);
		struct sf_addr a;
		assert_int_equal(sf_addr_parse(cases[i].addr, &a), 0);
		assert_int_equal(sf_stack_add_address(h->st, &a, cases[i].mtu), 0);

		/* Active open from that address. */
		int s = sf_socket(h->st, cases[i].family);
		struct sf_endpoint local = { .addr = a, .port = 5000 };
		struct sf_endpoint remote = { .addr = h->peer, .port = 80 };
		assert_int_equal(sf_bind(h->st, s, &local), 0);
		assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
		struct sf_segment syn = h_next(h);
		assert_int_equal(syn.flags, SF_TCP_SYN);
		assert_int_equal(syn.opt.mss, cases[i].mss);

		/* Passive open to that address on a wildcard listener. */
		h_listen(h, 80, 8);
		h->local = a;
		struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
		h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
		struct sf_segment sa = h_next(h);
		assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
		assert_int_equal(sa.opt.mss, cases[i].mss);
		h_free(h);
	}
}

/* RFC 9293 §3.7.1 MUST-15: a peer SYN without the MSS option means at most 536 bytes per segment (IPv4). */
static void test_mss_absent_ipv4_536(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_accept_opt(h, h_listen(h, 80, 8), 80, PEER_ISN, NULL, &iss);

	expect_segmentation(h, c, 80, iss, PEER_ISN + 1, 3000, 536);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-15: a peer SYN without the MSS option means at most 1220 bytes per segment (IPv6). */
static void test_mss_absent_ipv6_1220(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint32_t iss;
	int c = h_accept_opt(h, h_listen(h, 80, 8), 80, PEER_ISN, NULL, &iss);

	expect_segmentation(h, c, 80, iss, PEER_ISN + 1, 3000, 1220);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-15 on an active open: a SYN,ACK without the MSS option also means 536. */
static void test_mss_absent_on_syn_ack(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment syn;
	int s = connect_with(h, NULL, &iss, &syn);

	assert_true(s >= 0);
	expect_segmentation(h, s, 5000, iss, PEER_ISN + 1, 3000, 536);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-16: the send MSS is the peer's MSS when it is below ours: 1000 -> segments of 1000. */
static void test_mss_peer_1000(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1000 };
	int c = h_accept_opt(h, h_listen(h, 80, 8), 80, PEER_ISN, &opt, &iss);

	expect_segmentation(h, c, 80, iss, PEER_ISN + 1, 3000, 1000);
	h_free(h);
}

/* RFC 9293 §3.7.1 MUST-16: a peer MSS above what our interface carries is capped by our own: 9000 -> 1460. */
static void test_mss_peer_above_own(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 9000 };
	int c = h_accept_opt(h, h_listen(h, 80, 8), 80, PEER_ISN, &opt, &iss);

	expect_segmentation(h, c, 80, iss, PEER_ISN + 1, 3000, 1460);
	h_free(h);
}

/* sf_tcb_set_peer_mss: a peer MSS below 64 (here 10) is raised to 64 (cf. Linux's TCP_MIN_SND_MSS, CVE-2019-11479). */
static void test_mss_peer_tiny_clamped_64(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 10 };
	int c = h_accept_opt(h, h_listen(h, 80, 8), 80, PEER_ISN, &opt, &iss);

	expect_segmentation(h, c, 80, iss, PEER_ISN + 1, 200, 64);
	h_free(h);
}

/* TCP_MAXSEG 1000 on an active open lowers the MSS announced in the SYN and the segments sent. */
static void test_maxseg_active(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint remote = { .addr = h->peer, .port = 80 };

	assert_int_equal(sf_set_maxseg(h->st, s, 87), -EINVAL);
	assert_int_equal(sf_set_maxseg(h->st, s, 1000), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_int_equal(syn.opt.mss, 1000);
	struct sf_endpoint l;
	assert_int_equal(sf_getsockname(h->st, s, &l), 0);
	h->peer_port = 80;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_synack_in(h, l.port, PEER_ISN, syn.seq, 65535, &opt);
	expect_segmentation(h, s, l.port, syn.seq, PEER_ISN + 1, 3000, 1000);
	h_free(h);
}

/* TCP_MAXSEG 1000 on a listener: its SYN,ACK announces 1000 and the accepted connection sends 1000-byte segments. */
static void test_maxseg_listener(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 80 };

	assert_int_equal(sf_bind(h->st, l, &any), 0);
	assert_int_equal(sf_set_maxseg(h->st, l, 1000), 0);
	assert_int_equal(sf_listen(h->st, l, 8), 0);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.opt.mss, 1000);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	expect_segmentation(h, c, 80, sa.seq, PEER_ISN + 1, 3000, 1000);
	h_free(h);
}

/* Open from bound port lport to peer:80 and return the ISN of its SYN. */
static uint32_t isn_of_connect(struct harness *h, uint16_t lport, int *sock)
{
	uint32_t iss;

	*sock = h_connect(h, lport, 80, &iss);
	return iss;
}

/* RFC 9293 §3.4.1 MUST-8: two connections to different 4-tuples at the same moment get different ISNs. */
static void test_isn_differs_between_tuples(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s1, s2;
	uint32_t a = isn_of_connect(h, 5001, &s1);
	uint32_t b = isn_of_connect(h, 5002, &s2);

	assert_int_not_equal(a, b);

	/* Passive opens too: two SYNs from different peer ports. */
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_listen(h, 80, 8);
	h->peer_port = 40000;
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa1 = h_next(h);
	h->peer_port = 40001;
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa2 = h_next(h);
	assert_int_equal(sa1.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa2.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_not_equal(sa1.seq, sa2.seq);
	h_free(h);
}

/* RFC 793 clock (SF_ISN_CLOCK_ONLY): the ISN is exactly now_ns / 4000, so connects 1 ms apart differ by 250. */
static void test_isn_clock_only(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_clock_only);
	int s1, s2;

	assert_int_equal(h->now, 1000 * H_MS);
	uint32_t a = isn_of_connect(h, 5001, &s1);
	assert_int_equal(a, (uint32_t)(h->now / 4000));
	assert_int_equal(a, 250000);
	h_advance(h, 1);
	uint32_t b = isn_of_connect(h, 5002, &s2);
	assert_int_equal(b, (uint32_t)(h->now / 4000));
	assert_int_equal(b - a, 250);

	/* A listener's SYN,ACK takes the same clock. */
	h_advance(h, 3);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_listen(h, 80, 8);
	h->peer_port = 40000;
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.seq, a + 250 * 4);
	h_free(h);
}

/* RFC 6528 §3: ISN = clock + F(4-tuple, secret): F differs between 4-tuples, and is stable for one 4-tuple while the clock advances 250 per ms. */
static void test_isn_rfc6528(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s1, s2, s3, s4;
	uint32_t clock0 = (uint32_t)(h->now / 4000);
	uint32_t a = isn_of_connect(h, 5001, &s1);
	uint32_t b = isn_of_connect(h, 5002, &s2);
	uint32_t fa = a - clock0, fb = b - clock0;

	assert_int_not_equal(fa, fb);
	assert_int_not_equal(fa, 0); /* not the bare clock */
	assert_int_equal(sf_abort(h->st, s2), 0); /* no SYN retransmission gets in the way */

	/* The same 4-tuple 1 ms later: same hash part, clock + 250. */
	assert_int_equal(sf_abort(h->st, s1), 0);
	h_advance(h, 1);
	uint32_t a2 = isn_of_connect(h, 5001, &s3);
	assert_int_equal(a2 - (uint32_t)(h->now / 4000), fa);
	assert_int_equal(a2 - a, 250);
	/* And 1 s later still: clock + 250000. */
	assert_int_equal(sf_abort(h->st, s3), 0);
	h_advance(h, 1000);
	h_expect_none(h);
	uint32_t a3 = isn_of_connect(h, 5001, &s4);
	assert_int_equal(a3 - a2, 250000);
	assert_int_equal(a3 - (uint32_t)(h->now / 4000), fa);
	h_free(h);

	/* The hash is keyed: another secret gives another ISN for the same 4-tuple and time. */
	h = h_new(4, cfg_other_secret);
	uint32_t other = isn_of_connect(h, 5001, &s1);
	assert_int_not_equal(other, a);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mss_announced_ipv4),
		cmocka_unit_test(test_mss_announced_ipv6),
		cmocka_unit_test(test_mss_from_mtu),
		cmocka_unit_test(test_mss_absent_ipv4_536),
		cmocka_unit_test(test_mss_absent_ipv6_1220),
		cmocka_unit_test(test_mss_absent_on_syn_ack),
		cmocka_unit_test(test_mss_peer_1000),
		cmocka_unit_test(test_mss_peer_above_own),
		cmocka_unit_test(test_mss_peer_tiny_clamped_64),
		cmocka_unit_test(test_maxseg_active),
		cmocka_unit_test(test_maxseg_listener),
		cmocka_unit_test(test_isn_differs_between_tuples),
		cmocka_unit_test(test_isn_clock_only),
		cmocka_unit_test(test_isn_rfc6528),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
