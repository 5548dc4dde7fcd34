/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 9293 §3.10.7.1 (CLOSED: no connection) and §3.10.7.2 (LISTEN): what
 * the stack answers to segments that find no connection, and to segments
 * that reach a listener.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

/* Build a datagram from the peer as h_send would, into buf; returns its length. */
static size_t build(struct harness *h, uint8_t *buf, size_t cap, const struct sf_addr *dst, uint16_t dport,
		    uint8_t flags, uint32_t seq, uint32_t ack, const void *data, size_t len)
{
	struct sf_segment seg = {
		.src = h->peer, .dst = *dst, .sport = h->peer_port, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags, .window = 65535,
		.payload = data, .payload_len = len,
	};
	size_t n = sf_wire_build(buf, cap, &seg, NULL, 0);

	assert_true(n > 0);
	return n;
}

/* Check the RST reply's addressing: it goes back to the sender, from the port it hit. */
static void assert_reply_to_peer(const struct harness *h, const struct sf_segment *rst, uint16_t lport)
{
	assert_memory_equal(&rst->src, &h->local, sizeof rst->src);
	assert_memory_equal(&rst->dst, &h->peer, sizeof rst->dst);
	assert_int_equal(rst->sport, lport);
	assert_int_equal(rst->dport, h->peer_port);
	assert_int_equal(rst->window, 0);
	assert_int_equal(rst->payload_len, 0);
}

/* ---- §3.10.7.1 CLOSED ---------------------------------------------------- */

/* §3.10.7.1: SYN (ACK off) to a closed port -> <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, what makes a connect() fail with ECONNREFUSED. */
static void closed_syn_gets_rst_ack(int family)
{
	struct harness *h = h_new(family, NULL);

	h_send(h, .lport = 81, .flags = SF_TCP_SYN, .seq = 1000);
	struct sf_segment rst = h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 1001);
	assert_reply_to_peer(h, &rst, 81);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 1);
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 1);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), 1);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(h->last_drop, SF_DROP_NO_CONNECTION);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 1);
	h_free(h);
}

static void test_closed_syn_v4(void **state)
{
	(void)state;
	closed_syn_gets_rst_ack(4);
}

static void test_closed_syn_v6(void **state)
{
	(void)state;
	closed_syn_gets_rst_ack(6);
}

/* §3.10.7.1: SEG.LEN counts SYN, data and FIN: ACK = SEG.SEQ + SEG.LEN. */
static void test_closed_seg_len_counts_syn_fin_data(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	static const char data[10] = "0123456789";

	/* SYN with 10 bytes of text: 1 + 10. */
	h_send(h, .lport = 81, .flags = SF_TCP_SYN, .seq = 5000, .data = data, .len = sizeof data);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 5011);
	/* FIN with text, ACK bit off: 10 + 1. */
	h_send(h, .lport = 81, .flags = SF_TCP_FIN, .seq = 7000, .data = data, .len = sizeof data);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 7011);
	/* Bare FIN: 1. */
	h_send(h, .lport = 81, .flags = SF_TCP_FIN, .seq = 8000);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 8001);
	/* No flags at all, just text: 10. */
	h_send(h, .lport = 81, .flags = 0, .seq = 9000, .data = data, .len = sizeof data);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 9010);
	/* Nothing at all (a zero-length segment without flags): ACK = SEG.SEQ. */
	h_send(h, .lport = 81, .flags = 0, .seq = 9500);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 9500);
	/* The sum wraps modulo 2^32. */
	h_send(h, .lport = 81, .flags = SF_TCP_SYN, .seq = 0xfffffffbu, .data = data, .len = sizeof data);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 6);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 6);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 6);
	h_free(h);
}

/* §3.10.7.1: ACK on -> <SEQ=SEG.ACK><CTL=RST>, no ACK bit, whatever else the segment carries. */
static void closed_ack_gets_rst(int family)
{
	struct harness *h = h_new(family, NULL);
	static const char data[5] = "hello";

	h_send(h, .lport = 81, .flags = SF_TCP_ACK, .seq = 1000, .ack = 0xdeadbeefu);
	struct sf_segment rst = h_expect(h, SF_TCP_RST, 0xdeadbeefu, 0);
	assert_int_equal(rst.ack, 0);
	assert_reply_to_peer(h, &rst, 81);
	/* A SYN,ACK: the ACK rule wins (SEQ=SEG.ACK). */
	h_send(h, .lport = 81, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = 2000, .ack = 77);
	h_expect(h, SF_TCP_RST, 77, 0);
	/* FIN,ACK with text. */
	h_send(h, .lport = 81, .flags = SF_TCP_FIN | SF_TCP_ACK | SF_TCP_PSH, .seq = 3000, .ack = 12345, .data = data,
	       .len = sizeof data);
	h_expect(h, SF_TCP_RST, 12345, 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 3);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 3);
	h_free(h);
}

static void test_closed_ack_v4(void **state)
{
	(void)state;
	closed_ack_gets_rst(4);
}

static void test_closed_ack_v6(void **state)
{
	(void)state;
	closed_ack_gets_rst(6);
}

/* §3.10.7.1: "An incoming segment containing a RST is discarded": no RST in answer to a RST. */
static void test_closed_rst_never_answered(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);

	h_send(h, .lport = 81, .flags = SF_TCP_RST, .seq = 1000);
	h_send(h, .lport = 81, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 1000, .ack = 555);
	h_send(h, .lport = 81, .flags = SF_TCP_RST | SF_TCP_FIN | SF_TCP_ACK, .seq = 1000, .ack = 555, .text = "x");
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 0);
	assert_int_equal(h_counter(h, SF_CTR_InRsts), 3);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 3);
	h_free(h);
}

/* §3.10.7.1: a port with a bound but not listening socket, or with a connection
 * to another peer port, is still "no connection" for this 4-tuple. */
static void test_closed_bound_port_and_other_tuple(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = h->local, .port = 81 };

	assert_int_equal(sf_bind(h->st, s, &local), 0);
	h_send(h, .lport = 81, .flags = SF_TCP_SYN, .seq = 1000);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 1001);

	/* A connection 192.0.2.1:5000 <-> peer:80; a SYN from peer:40001 to port 5000 finds nothing. */
	uint32_t iss;
	int c = h_connect(h, 5000, 80, &iss);
	h_synack_in(h, 5000, 300, iss, 65535, NULL);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h->peer_port = 40001;
	h_send(h, .lport = 5000, .flags = SF_TCP_ACK, .seq = 301, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 2);
	h_free(h);
}

/* §3.10.7.1 after CLOSE of a listener (§3.10.4 LISTEN): its port is CLOSED again. */
static void test_closed_after_listener_closed(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);

	assert_int_equal(sf_close(h->st, l), 0);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 1000);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 1001);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	h_free(h);
}

/* RFC 1122 §3.3.4.2 / §3.2.1.3: a datagram to an address that is not ours is dropped (NOT_LOCAL), not answered. */
static void not_local_dropped(int family)
{
	struct harness *h = h_new(family, NULL);
	uint8_t buf[256];
	struct sf_addr other;

	h_listen(h, 80, 8);
	if (family == 4)
		other = sf_addr_v4(192, 0, 2, 99);
	else
		assert_int_equal(sf_addr_parse("2001:db8::99", &other), 0);
	/* Even to a port that has a wildcard listener, and with a SYN or an ACK. */
	size_t n = build(h, buf, sizeof buf, &other, 80, SF_TCP_SYN, 1000, 0, NULL, 0);
	h_inject_raw(h, buf, n);
	n = build(h, buf, sizeof buf, &other, 81, SF_TCP_ACK, 1000, 42, NULL, 0);
	h_inject_raw(h, buf, n);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_NOT_LOCAL), 2);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h->last_drop, SF_DROP_NOT_LOCAL);
	h_free(h);
}

static void test_not_local_v4(void **state)
{
	(void)state;
	not_local_dropped(4);
}

static void test_not_local_v6(void **state)
{
	(void)state;
	not_local_dropped(6);
}

/* RFC 9293 §3.1 (MUST-2, MUST-3): a bad TCP checksum is an error (InErrs, TCP_CHECKSUM) and never answered. */
static void bad_checksum_dropped(int family)
{
	struct harness *h = h_new(family, NULL);
	uint8_t buf[256];
	size_t iphl = family == 4 ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN;

	h_listen(h, 80, 8);
	/* A SYN to a listener and an ACK to a closed port would both be answered if intact. */
	size_t n = build(h, buf, sizeof buf, &h->local, 80, SF_TCP_SYN, 1000, 0, NULL, 0);
	buf[iphl + 16] ^= 0x01; /* the TCP checksum field */
	h_inject_raw(h, buf, n);
	n = build(h, buf, sizeof buf, &h->local, 81, SF_TCP_ACK, 1000, 42, "abc", 3);
	buf[n - 1] ^= 0x40; /* a payload bit: the checksum no longer matches */
	h_inject_raw(h, buf, n);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TCP_CHECKSUM), 2);
	assert_int_equal(h_counter(h, SF_CTR_InErrs), 2);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), 2);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 0);
	assert_int_equal(h->last_drop, SF_DROP_TCP_CHECKSUM);

	/* The same datagram intact is answered: the drop was the checksum's doing. */
	n = build(h, buf, sizeof buf, &h->local, 81, SF_TCP_ACK, 1000, 42, "abc", 3);
	h_inject_raw(h, buf, n);
	h_expect(h, SF_TCP_RST, 42, 0);
	assert_int_equal(h_counter(h, SF_CTR_InErrs), 2);
	h_free(h);
}

static void test_bad_checksum_v4(void **state)
{
	(void)state;
	bad_checksum_dropped(4);
}

static void test_bad_checksum_v6(void **state)
{
	(void)state;
	bad_checksum_dropped(6);
}

/* ---- §3.10.7.2 LISTEN ---------------------------------------------------- */

/* §3.10.7.2 first: an incoming RST to a listener is ignored (LISTEN_RST), with or without ACK. */
static void test_listen_rst_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);

	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = 1000);
	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 1000, .ack = 99);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_RST), 2);
	assert_int_equal(h->last_drop, SF_DROP_LISTEN_RST);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	h_free(h);
}

/* §3.10.7.2 second: any ACK to a listener -> <SEQ=SEG.ACK><CTL=RST> (LISTEN_ACK); the listener stays. */
static void listen_ack_gets_rst(int family)
{
	struct harness *h = h_new(family, NULL);
	int l = h_listen(h, 80, 8);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 1000, .ack = 0x12345678u);
	struct sf_segment rst = h_expect(h, SF_TCP_RST, 0x12345678u, 0);
	assert_reply_to_peer(h, &rst, 80);
	/* A SYN,ACK is an ACK first: RST, no SYN-RECEIVED. */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = 2000, .ack = 4242);
	h_expect(h, SF_TCP_RST, 4242, 0);
	/* Data with an ACK (a half-open peer, RFC 9293 §3.5.1). */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 3000, .ack = 777, .text = "data");
	h_expect(h, SF_TCP_RST, 777, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_ACK), 3);
	assert_int_equal(h->last_drop, SF_DROP_LISTEN_ACK);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 3);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_free(h);
}

static void test_listen_ack_v4(void **state)
{
	(void)state;
	listen_ack_gets_rst(4);
}

static void test_listen_ack_v6(void **state)
{
	(void)state;
	listen_ack_gets_rst(6);
}

/* §3.10.7.2 fourth ("Any other control or text-bearing segment"): neither SYN, ACK nor RST -> dropped, LISTEN_NO_SYN. */
static void test_listen_no_syn_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);

	h_send(h, .lport = 80, .flags = SF_TCP_FIN, .seq = 1000);
	h_send(h, .lport = 80, .flags = 0, .seq = 1000, .text = "text");
	h_send(h, .lport = 80, .flags = SF_TCP_PSH | SF_TCP_URG | SF_TCP_FIN, .seq = 1000, .text = "text");
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_NO_SYN), 3);
	assert_int_equal(h->last_drop, SF_DROP_LISTEN_NO_SYN);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	h_free(h);
}

/* §3.10.7.2 third, §3.7.1: SYN -> <SEQ=ISS><ACK=SEG.SEQ+1><CTL=SYN,ACK> with MSS (1460 v4, 1440 v6). */
static void listen_syn_gets_synack(int family, uint16_t mss)
{
	struct harness *h = h_new(family, NULL);
	int l = h_listen(h, 80, 8);

	struct sf_segment sa = h_syn_in(h, 80, 0xfffffff0u, NULL);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, mss);
	assert_int_equal(sa.window, 65535);
	assert_int_equal(sa.payload_len, 0);
	assert_memory_equal(&sa.src, &h->local, sizeof sa.src);
	assert_int_equal(sa.sport, 80);
	assert_int_equal(sa.dport, 40000);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_true(h_saw_state(h, SF_LISTEN, SF_SYN_RECEIVED));
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);

	/* A second peer port gets its own SYN,ACK, with its own ISN. */
	h->peer_port = 40001;
	struct sf_segment sb = h_syn_in(h, 80, 9, NULL);
	assert_int_equal(sb.dport, 40001);
	assert_int_not_equal(sb.seq, sa.seq);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	h_free(h);
}

static void test_listen_syn_v4(void **state)
{
	(void)state;
	listen_syn_gets_synack(4, 1460);
}

static void test_listen_syn_v6(void **state)
{
	(void)state;
	listen_syn_gets_synack(6, 1440);
}

/* §3.10.7.2 third: text on a SYN is not acknowledged by the SYN,ACK (synfin does not queue it): ACK = SEG.SEQ+1. */
static void test_listen_syn_with_data(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);

	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 500, .text = "early");
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ack, 501);
	h_expect_none(h);
	/* The peer resends the text after the handshake; it is delivered once. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 501, .ack = sa.seq + 1, .text = "early");
	h_expect(h, SF_TCP_ACK, sa.seq + 1, 506);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	char buf[16];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 5);
	assert_memory_equal(buf, "early", 5);
	h_free(h);
}

/*
 * On port, a wildcard and an exact-address socket, both SO_REUSEADDR, both
 * bound (bind lets them share while neither listens), then both listen; the
 * exact one is bound and listens first if exact_first. The API may take the second listen()
 * (BSD: the exact listener is preferred) or refuse it with -EADDRINUSE (as
 * Linux's listen() does); either way no SYN may reach the wrong listener:
 * a SYN to 192.0.2.1 goes to the exact listener, a SYN to the stack's other
 * address (second) to the wildcard one, or gets RST,ACK if it was refused.
 */
static void exact_and_wildcard(struct harness *h, const struct sf_addr *second, uint16_t port, int exact_first)
{
	struct sf_endpoint exact = { .addr = h->local, .port = port };
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = port };
	int wild = sf_socket(h->st, SF_AF_INET);
	int spec = sf_socket(h->st, SF_AF_INET);
	int wild_ok, spec_ok;

	assert_int_equal(sf_set_reuseaddr(h->st, wild, 1), 0);
	assert_int_equal(sf_set_reuseaddr(h->st, spec, 1), 0);
	if (exact_first) {
		assert_int_equal(sf_bind(h->st, spec, &exact), 0);
		assert_int_equal(sf_bind(h->st, wild, &any), 0);
		assert_int_equal(sf_listen(h->st, spec, 8), 0);
		int r = sf_listen(h->st, wild, 8);
		assert_true(r == 0 || r == -EADDRINUSE);
		spec_ok = 1;
		wild_ok = r == 0;
	} else {
		assert_int_equal(sf_bind(h->st, wild, &any), 0);
		assert_int_equal(sf_bind(h->st, spec, &exact), 0);
		assert_int_equal(sf_listen(h->st, wild, 8), 0);
		int r = sf_listen(h->st, spec, 8);
		assert_true(r == 0 || r == -EADDRINUSE);
		wild_ok = 1;
		spec_ok = r == 0;
	}
	assert_int_equal(sf_state(h->st, wild), wild_ok ? SF_LISTEN : SF_CLOSED);
	assert_int_equal(sf_state(h->st, spec), spec_ok ? SF_LISTEN : SF_CLOSED);

	/* To 192.0.2.1: the exact listener if it listens, else the wildcard one. */
	int expect = spec_ok ? spec : wild;
	h->peer_port = 40000;
	int conn = h_accept_new(h, expect, port, 100, NULL);
	struct sf_endpoint name;
	assert_int_equal(sf_getsockname(h->st, conn, &name), 0);
	assert_memory_equal(&name.addr, &h->local, sizeof name.addr);
	if (spec_ok && wild_ok)
		assert_int_equal(sf_accept(h->st, wild, NULL), -EAGAIN);

	/* To the other address: only a wildcard listener may take it. */
	uint8_t buf[256];
	h->peer_port = 40001;
	size_t n = build(h, buf, sizeof buf, second, port, SF_TCP_SYN, 200, 0, NULL, 0);
	h_inject_raw(h, buf, n);
	struct sf_segment sa = h_next(h);
	assert_memory_equal(&sa.src, second, sizeof sa.src);
	assert_int_equal(sa.ack, 201);
	if (!wild_ok) {
		assert_int_equal(sa.flags, SF_TCP_RST | SF_TCP_ACK);
		assert_int_equal(sa.seq, 0);
		h_expect_none(h);
		return;
	}
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	n = build(h, buf, sizeof buf, second, port, SF_TCP_ACK, 201, sa.seq + 1, NULL, 0);
	h_inject_raw(h, buf, n);
	h_expect_none(h);
	if (spec_ok)
		assert_int_equal(sf_accept(h->st, spec, NULL), -EAGAIN);
	int conn2 = sf_accept(h->st, wild, NULL);
	assert_true(conn2 >= 0);
	assert_int_equal(sf_getsockname(h->st, conn2, &name), 0);
	assert_memory_equal(&name.addr, second, sizeof name.addr);
	assert_int_equal(sf_state(h->st, conn2), SF_ESTABLISHED);
}

/*
 * §3.10.7.2 (which listener a SYN reaches) with BSD/Linux bind rules: bind
 * refuses an exact-address/wildcard overlap on a port unless both sockets set
 * SO_REUSEADDR and neither listens yet; where two overlapping listeners then
 * exist, the one bound to the exact destination address is preferred over the
 * wildcard one, and the wildcard one serves the stack's other addresses.
 */
static void test_listen_address_match(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr second = sf_addr_v4(192, 0, 2, 3);
	struct sf_endpoint exact = { .addr = h->local, .port = 80 };
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 80 };

	assert_int_equal(sf_stack_add_address(h->st, &second, 1500), 0);

	/* Without SO_REUSEADDR the overlap is refused at bind. */
	int a = sf_socket(h->st, SF_AF_INET);
	int b = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_bind(h->st, a, &exact), 0);
	assert_int_equal(sf_bind(h->st, b, &any), -EADDRINUSE);
	/* Next to a listener even SO_REUSEADDR on both does not help. */
	assert_int_equal(sf_listen(h->st, a, 8), 0);
	int c = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_set_reuseaddr(h->st, c, 1), 0);
	assert_int_equal(sf_set_reuseaddr(h->st, a, 1), 0);
	assert_int_equal(sf_bind(h->st, c, &any), -EADDRINUSE);
	assert_int_equal(sf_close(h->st, a), 0);
	assert_int_equal(sf_close(h->st, b), 0);
	assert_int_equal(sf_close(h->st, c), 0);
	/* ...and the other way round: wildcard first, then the exact address. */
	struct sf_endpoint any82 = { .addr = { .family = SF_AF_INET }, .port = 82 };
	struct sf_endpoint exact82 = { .addr = h->local, .port = 82 };
	a = sf_socket(h->st, SF_AF_INET);
	b = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_bind(h->st, a, &any82), 0);
	assert_int_equal(sf_bind(h->st, b, &exact82), -EADDRINUSE);
	assert_int_equal(sf_close(h->st, a), 0);
	assert_int_equal(sf_close(h->st, b), 0);

	/* Overlapping listeners with SO_REUSEADDR, in both orders (a first-match
	 * lookup would pick the wildcard listener in one of them). */
	exact_and_wildcard(h, &second, 80, 1);
	exact_and_wildcard(h, &second, 81, 0);
	h_free(h);
}

/* As Linux: a SYN with FIN to a listener is dropped silently (LISTEN_SYN_FIN): no SYN,ACK, no embryo, no RST. To a closed port it is answered like any segment, its SYN and FIN each counted: <SEQ=0><ACK=SEG.SEQ+2><CTL=RST,ACK>. */
static void test_syn_fin_to_listener_and_closed_port(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };

	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_FIN, .seq = 1000, .opt = &mss);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_FIN | SF_TCP_PSH, .seq = 1000, .opt = &mss, .text = "x");
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_SYN_FIN), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	h_send(h, .lport = 81, .flags = SF_TCP_SYN | SF_TCP_FIN, .seq = 1000, .opt = &mss);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 1002);
	h_expect_none(h);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_syn_v4),
		cmocka_unit_test(test_closed_syn_v6),
		cmocka_unit_test(test_closed_seg_len_counts_syn_fin_data),
		cmocka_unit_test(test_closed_ack_v4),
		cmocka_unit_test(test_closed_ack_v6),
		cmocka_unit_test(test_closed_rst_never_answered),
		cmocka_unit_test(test_closed_bound_port_and_other_tuple),
		cmocka_unit_test(test_closed_after_listener_closed),
		cmocka_unit_test(test_not_local_v4),
		cmocka_unit_test(test_not_local_v6),
		cmocka_unit_test(test_bad_checksum_v4),
		cmocka_unit_test(test_bad_checksum_v6),
		cmocka_unit_test(test_listen_rst_ignored),
		cmocka_unit_test(test_listen_ack_v4),
		cmocka_unit_test(test_listen_ack_v6),
		cmocka_unit_test(test_listen_no_syn_dropped),
		cmocka_unit_test(test_syn_fin_to_listener_and_closed_port),
		cmocka_unit_test(test_listen_syn_v4),
		cmocka_unit_test(test_listen_syn_v6),
		cmocka_unit_test(test_listen_syn_with_data),
		cmocka_unit_test(test_listen_address_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
