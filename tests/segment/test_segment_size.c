/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The size of the data segments we send (RFC 9293 §3.7.1, MUST-16, and RFC
 * 6691): the MSS option counts no options, so every option byte a segment
 * carries comes out of its data: the timestamp on every segment once agreed,
 * and SACK blocks on the segments that go while we hold out-of-order data.
 * A full-sized segment is then a datagram of exactly the 1500-byte MTU, over
 * IPv4 and IPv6, never more; without options it carries the whole MSS. The
 * congestion window keeps counting segments of the MSS less the timestamp
 * (Linux's mss_cache), and Nagle, SWS avoidance and the retransmissions size
 * "a full segment" by what the segment really carries.
 *
 * synfin is the passive side. The scripted peer (MSS 1460, window 65535, no
 * window scaling) connects with the options a test names, then sends 100-byte
 * islands out of order, so that what we send carries SACK blocks. P is the
 * peer's first data byte; our own first data byte is t.base. The handshake's
 * ~0 RTT makes the RTO rto_min (200 ms).
 */
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 5000u
#define P (PEER_ISN + 1)
#define PORT 80
#define MTU 1500u

static uint8_t pattern[1u << 16];

struct conn {
	struct harness *h;
	int c;
	uint32_t base;   /* our first data byte (ISS + 1) */
	bool ts;         /* timestamps agreed */
	bool sack;       /* SACK agreed */
	uint32_t seq;    /* the peer's next in-order sequence number */
	uint32_t tsval;  /* the peer's last TSval */
	uint32_t tsecr;  /* what the peer echoes: our SYN,ACK's TSval */
	uint32_t blocks; /* islands the peer has sent */
};

/* The options of the peer's next non-SYN segment: the timestamp, if agreed, with a TSval one newer. */
static const struct sf_tcp_options *peer_opt(struct conn *t, struct sf_tcp_options *o)
{
	if (!t->ts)
		return NULL;
	*o = (struct sf_tcp_options){ .has_timestamp = 1, .ts_val = ++t->tsval, .ts_ecr = t->tsecr };
	return o;
}

/* The peer (MSS 1460, SACK-permitted if sack, timestamps if ts) connects and we accept. */
static void open_conn(struct conn *t, int family, bool ts, bool sack)
{
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 13 + 7);
	memset(t, 0, sizeof *t);
	t->h = h_new(family, NULL);
	int l = h_listen(t->h, PORT, 8);
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460, .sack_permitted = sack, .has_timestamp = ts,
				    .ts_val = 100 };
	struct sf_segment sa = h_syn_in(t->h, PORT, PEER_ISN, &o);
	assert_int_equal(sa.opt.sack_permitted, sack);
	assert_int_equal(sa.opt.has_timestamp, ts);
	t->ts = ts;
	t->sack = sack;
	t->seq = P;
	t->tsval = 100;
	t->tsecr = sa.opt.ts_val;
	t->c = h_complete(t->h, l, PORT, PEER_ISN, sa.seq, 65535, peer_opt(t, &o));
	t->base = sa.seq + 1;
}

/* The peer's next island: 100 bytes at P + 1000 + 2000 * k, beyond a hole;
 * our ACK of it goes at once, with as many SACK blocks as fit (RFC 2018 §3)
 * if SACK was agreed. */
static void island(struct conn *t)
{
	struct sf_tcp_options o;
	uint32_t seq = P + 1000 + 2000 * t->blocks++;
	uint32_t room = !t->sack ? 0 : t->ts ? 3 : 4;
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = seq, .ack = t->base, .data = pattern, .len = 100,
	       .opt = peer_opt(t, &o));
	struct sf_segment a = h_expect(t->h, SF_TCP_ACK, t->base, P);
	assert_int_equal(a.payload_len, 0);
	assert_int_equal(a.opt.sack_count, t->blocks < room ? t->blocks : room);
	h_expect_none(t->h);
}

/* The next segment is our data at seq: PSH,ACK <ACK=P>, len bytes of the
 * stream, `sacks` SACK blocks, the timestamp if agreed; returns the
 * datagram's length. */
static size_t expect_data(struct conn *t, uint32_t seq, uint32_t len, uint32_t sacks)
{
	struct sf_segment d = h_expect(t->h, SF_TCP_PSH | SF_TCP_ACK, seq, P);
	assert_int_equal(d.payload_len, len);
	assert_memory_equal(d.payload, pattern + (seq - t->base), len);
	assert_int_equal(d.opt.sack_count, sacks);
	assert_int_equal(d.opt.has_timestamp, t->ts);
	assert_int_equal(d.opt.has_mss, 0);
	return h_last_len(t->h);
}

/* A pure ACK from the peer: ack, window 65535, the SACK blocks given (n of them). */
static void peer_ack(struct conn *t, uint32_t ack, const struct sf_sack_block *sack, uint8_t n)
{
	struct sf_tcp_options o = { 0 };
	peer_opt(t, &o);
	o.sack_count = n;
	for (uint8_t i = 0; i < n; i++)
		o.sack[i] = sack[i];
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t->seq, .ack = ack, .opt = &o);
}

/* open_conn, then `islands` islands: our segments carry that many SACK blocks (as many as fit). */
static void open_with_islands(struct conn *t, int family, bool ts, bool sack, uint32_t islands)
{
	open_conn(t, family, ts, sack);
	for (uint32_t i = 0; i < islands; i++)
		island(t);
}

/* Queue `total` bytes: the initial window (RFC 6928: 10 segments) goes as
 * exactly 10 segments of len bytes with `sacks` SACK blocks, each a datagram
 * of exactly the MTU, and nothing more (no sliver of the window left over by
 * the smaller segments). */
static void send_take_iw(struct conn *t, uint32_t total, uint32_t len, uint32_t sacks)
{
	assert_int_equal(sf_send(t->h->st, t->c, pattern, total), (long)total);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(expect_data(t, t->base + len * i, len, sacks), MTU);
	h_expect_none(t->h);
}

/* With `islands` held out of order, 20000 bytes to send: 10 segments of len bytes (send_take_iw). */
static void full_segments(int family, bool ts, bool sack, uint32_t islands, uint32_t len, uint32_t sacks)
{
	struct conn t;
	open_with_islands(&t, family, ts, sack, islands);
	send_take_iw(&t, 20000, len, sacks);
	h_free(t.h);
}

/* ======================================================================== */

/* MUST-16, RFC 6691 (IPv4): timestamp (12) + 3 SACK blocks (28): 1460 - 40 = 1420 bytes of data, 1500-byte datagrams. */
static void test_ts_three_sack_blocks_ipv4(void **state)
{
	(void)state;
	full_segments(4, true, true, 3, 1420, 3);
}

/* MUST-16, RFC 6691 (IPv6): timestamp + 3 SACK blocks: 1440 - 40 = 1400 bytes, 1500-byte datagrams. */
static void test_ts_three_sack_blocks_ipv6(void **state)
{
	(void)state;
	full_segments(6, true, true, 3, 1400, 3);
}

/* MUST-16, RFC 6691: timestamp + 1 SACK block (12): 1460 - 24 = 1436 bytes. */
static void test_ts_one_sack_block_ipv4(void **state)
{
	(void)state;
	full_segments(4, true, true, 1, 1436, 1);
}

/* MUST-16, RFC 2018 §3: no timestamp, 4 SACK blocks (36): 1460 - 36 = 1424 (IPv4), 1440 - 36 = 1404 (IPv6). */
static void test_four_sack_blocks(void **state)
{
	(void)state;
	full_segments(4, false, true, 4, 1424, 4);
	full_segments(6, false, true, 4, 1404, 4);
}

/* MUST-16: no options agreed: out-of-order data held, but no SACK blocks: the whole MSS, 1460 (IPv4) and 1440 (IPv6). */
static void test_no_options_full_mss(void **state)
{
	(void)state;
	full_segments(4, false, false, 2, 1460, 0);
	full_segments(6, false, false, 2, 1440, 0);
}

/* MUST-16, RFC 6691: the size follows the options of each segment: once the holes fill and no SACK block is left, segments are 1448 again. */
static void test_size_returns_when_holes_fill(void **state)
{
	(void)state;
	struct conn t;
	struct sf_tcp_options o;
	open_with_islands(&t, 4, true, true, 2);
	send_take_iw(&t, 30000, 1428, 2); /* 1460 - 12 - 20 */
	/* The holes fill: [P, P+1000) and [P+1100, P+3000); RCV.NXT = P + 3100, no block left. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .data = pattern, .len = 1000,
	       .opt = peer_opt(&t, &o));
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, t.base + 14280, P + 1100);
	assert_int_equal(a.opt.sack_count, 1);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + 1100, .ack = t.base, .data = pattern, .len = 1000,
	       .opt = peer_opt(&t, &o));
	a = h_expect(t.h, SF_TCP_ACK, t.base + 14280, P + 2100);
	assert_int_equal(a.opt.sack_count, 1);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + 2100, .ack = t.base, .data = pattern, .len = 900,
	       .opt = peer_opt(&t, &o));
	a = h_expect(t.h, SF_TCP_ACK, t.base + 14280, P + 3100);
	assert_int_equal(a.opt.sack_count, 0);
	h_expect_none(t.h);
	t.seq = P + 3100;
	/* The peer ACKs the first segment: slow start sends two more, now of 1448 (1500-byte datagrams). */
	peer_ack(&t, t.base + 1428, NULL, 0);
	struct sf_segment d = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 14280, P + 3100);
	assert_int_equal(d.payload_len, 1448);
	assert_int_equal(d.opt.sack_count, 0);
	assert_int_equal(h_last_len(t.h), MTU);
	d = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 15728, P + 3100);
	assert_int_equal(d.payload_len, 1448);
	assert_int_equal(h_last_len(t.h), MTU);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 9293 §3.7.4 (Nagle) with MUST-16: a segment of the full effective size (1420 beside 3 SACK blocks) is not held back for being short of 1448. */
static void test_nagle_full_segment_with_sack_blocks(void **state)
{
	(void)state;
	struct conn t;
	open_with_islands(&t, 4, true, true, 3);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 1), 1);
	expect_data(&t, t.base, 1, 3);
	/* One byte unacknowledged; 1430 more: a full 1420 goes, the 10 left wait for the ACK. */
	assert_int_equal(sf_send(t.h->st, t.c, pattern + 1, 1430), 1430);
	assert_int_equal(expect_data(&t, t.base + 1, 1420, 3), MTU);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 5681 §3.1, RFC 6298 §5.4 with MUST-16: after the timeout cwnd is one segment, and that is one segment of 1420, not 1420 and a 28-byte sliver. */
static void test_timeout_resends_one_segment(void **state)
{
	(void)state;
	struct conn t;
	open_with_islands(&t, 4, true, true, 3);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 2840), 2840);
	expect_data(&t, t.base, 1420, 3);
	expect_data(&t, t.base + 1420, 1420, 3);
	h_expect_none(t.h);
	h_advance(t.h, 199);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	assert_int_equal(expect_data(&t, t.base, 1420, 3), MTU);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	h_free(t.h);
}

/* RFC 5681 §3.2, RFC 6582 §3.2 with MUST-16: the fast retransmit is one segment of the effective size, 1420. */
static void test_fast_retransmit_size(void **state)
{
	(void)state;
	struct conn t;
	open_with_islands(&t, 4, true, true, 3);
	send_take_iw(&t, 14200, 1420, 3);
	for (int i = 0; i < 3; i++)
		peer_ack(&t, t.base, NULL, 0);
	assert_int_equal(expect_data(&t, t.base, 1420, 3), MTU);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 1);
	h_free(t.h);
}

/* RFC 6675 §5 with MUST-16: SACK recovery resends a 2840-byte hole as two segments of 1420, then new data in segments of 1420 as the pipe allows. */
static void test_sack_recovery_segment_size(void **state)
{
	(void)state;
	struct conn t;
	open_with_islands(&t, 4, true, true, 3);
	send_take_iw(&t, 20000, 1420, 3);
	/* The peer has all but the first two segments: the hole is lost at once (more than 2 SMSS SACKed above). */
	struct sf_sack_block b = { t.base + 2840, t.base + 14200 };
	peer_ack(&t, t.base, &b, 1);
	assert_int_equal(expect_data(&t, t.base, 1420, 3), MTU);
	assert_int_equal(expect_data(&t, t.base + 1420, 1420, 3), MTU);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 1);
	/* cwnd = ssthresh = 7100 (1448-byte units), 4.9 segments of 1420: two new ones fit beside the pipe's two. */
	assert_int_equal(expect_data(&t, t.base + 14200, 1420, 3), MTU);
	assert_int_equal(expect_data(&t, t.base + 15620, 1420, 3), MTU);
	h_expect_none(t.h);
	h_free(t.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ts_three_sack_blocks_ipv4),
		cmocka_unit_test(test_ts_three_sack_blocks_ipv6),
		cmocka_unit_test(test_ts_one_sack_block_ipv4),
		cmocka_unit_test(test_four_sack_blocks),
		cmocka_unit_test(test_no_options_full_mss),
		cmocka_unit_test(test_size_returns_when_holes_fill),
		cmocka_unit_test(test_nagle_full_segment_with_sack_blocks),
		cmocka_unit_test(test_timeout_resends_one_segment),
		cmocka_unit_test(test_fast_retransmit_size),
		cmocka_unit_test(test_sack_recovery_segment_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
