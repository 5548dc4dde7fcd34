/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The data path between ACKs: the receiver's out-of-order holding, duplicate
 * and overlapping text, trimming to the window and a FIN ahead of a hole
 * (RFC 9293 §3.10.7.4, SHLD-31, RFC 2018); delayed ACKs (RFC 9293
 * §3.8.6.3, RFC 1122 §4.2.3.2) and the ACKs that go at once (a partly filled
 * hole, RFC 5681 §4.2); bare ACKs that cannot start an ACK war (out-of-window
 * ACKs answered at a limited rate, the highest SND.NXT after a timeout);
 * Nagle (§3.7.4); sender and receiver silly
 * window avoidance (§3.8.6.2); zero windows and the persist timer (§3.8.6.1,
 * MUST-36, MUST-37); buffers given back when idle; TCP_USER_TIMEOUT (RFC 5482).
 *
 * synfin is the passive side: the scripted peer (MSS 1460, no timestamps, no
 * window scaling unless said) connects. P is the peer's ISN + 1 (its first
 * data byte); the handshake's ~0 RTT makes the RTO rto_min (200 ms).
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 5000u
#define P (PEER_ISN + 1)
#define PORT 80
#define MSS 1460u
/* Our right edge after the handshake: P + 65535 (rcvbuf 64 KiB, no scaling). */
#define EDGE0 (P + 65535u)

static uint8_t pattern[1u << 18];

struct conn {
	struct harness *h;
	int c;
	uint32_t base; /* our first data byte (ISS + 1) */
	uint32_t rcv;  /* the peer's next sequence number */
};

static void fill_pattern(void)
{
	uint32_t x = 0x9e3779b9u;
	for (size_t i = 0; i < sizeof pattern; i++) {
		x = x * 1664525u + 1013904223u;
		pattern[i] = (uint8_t)(x >> 24);
	}
}

static void cfg_none(struct sf_config *cfg)
{
	(void)cfg;
}

static void cfg_retries2_3(struct sf_config *cfg)
{
	cfg->retries2 = 3;
}

static void cfg_retries2_4(struct sf_config *cfg)
{
	cfg->retries2 = 4;
}

static h_config_fn adjust_cfg = cfg_none; /* the stack configuration open_conn_opts uses */

/* The peer connects with MSS 1460 (SACK-permitted if sack, window scale ws if ws >= 0), window `window`. */
static void open_conn_opts(struct conn *t, bool sack, int ws, uint16_t window, uint32_t rcvbuf)
{
	fill_pattern();
	t->h = h_new(4, adjust_cfg);
	adjust_cfg = cfg_none;
	int l = sf_socket(t->h->st, SF_AF_INET);
	assert_true(l >= 0);
	if (rcvbuf)
		assert_int_equal(sf_set_bufsizes(t->h->st, l, 65536, rcvbuf), 0);
	struct sf_endpoint local = { .addr = { .family = SF_AF_INET }, .port = PORT };
	assert_int_equal(sf_bind(t->h->st, l, &local), 0);
	assert_int_equal(sf_listen(t->h->st, l, 4), 0);
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460, .sack_permitted = sack };
	if (ws >= 0) {
		o.has_wscale = 1;
		o.wscale = (uint8_t)ws;
	}
	h_send(t->h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN, .window = window, .opt = &o);
	struct sf_segment sa = h_next(t->h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.opt.sack_permitted, sack ? 1 : 0);
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = sa.seq + 1, .window = window);
	h_expect_none(t->h);
	t->c = sf_accept(t->h->st, l, NULL);
	assert_true(t->c >= 0);
	t->base = sa.seq + 1;
	t->rcv = P;
	assert_int_equal(h_tcb(t->h, t->c)->rto_ms, 200);
}

static void open_conn(struct conn *t, bool sack)
{
	open_conn_opts(t, sack, -1, 65535, 0);
}

/* The peer sends len bytes of the stream at seq (pattern offset seq - P). */
static void peer_data(struct conn *t, uint32_t seq, uint32_t len, uint8_t extra_flags)
{
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK | extra_flags, .seq = seq, .ack = t->base,
	       .data = pattern + (seq - P), .len = len);
}

/* The next segment is a pure ACK of ack with window win and no SACK blocks. */
static struct sf_segment expect_ack(struct conn *t, uint32_t seq, uint32_t ack, uint16_t win)
{
	struct sf_segment s = h_expect(t->h, SF_TCP_ACK, seq, ack);
	assert_int_equal(s.payload_len, 0);
	assert_int_equal(s.window, win);
	assert_int_equal(s.opt.sack_count, 0);
	return s;
}

/* Read exactly n bytes of the stream, starting at stream sequence number seq. */
static void read_exact(struct conn *t, uint32_t seq, uint32_t n)
{
	static uint8_t buf[1u << 17];
	assert_true(n <= sizeof buf);
	assert_int_equal(sf_recv(t->h->st, t->c, buf, n), (long)n);
	assert_memory_equal(buf, pattern + (seq - P), n);
}

/* Use up the 16 quick ACKs of the start: 16 one-byte segments, each ACKed at once and read. */
static void use_quickacks(struct conn *t)
{
	for (int i = 0; i < 16; i++) {
		peer_data(t, t->rcv, 1, 0);
		t->rcv++;
		expect_ack(t, t->base, t->rcv, (uint16_t)(EDGE0 - t->rcv));
		read_exact(t, t->rcv - 1, 1);
	}
	h_expect_none(t->h);
	assert_int_equal(h_tcb(t->h, t->c)->quickacks, 0);
}

/* ======================================================================== */

/* RFC 9293 §3.10.7.4 (SHLD-31), RFC 2018 §4, RFC 5681 §4.2: out-of-order text is held and SACKed at once; the filled hole is ACKed at once. */
static void test_out_of_order_held_and_sacked(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	use_quickacks(&t);
	uint32_t r = t.rcv;
	/* A hole of 100 bytes, then 100 bytes: an immediate duplicate ACK with one SACK block. */
	peer_data(&t, r + 100, 100, 0);
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, t.base, r);
	assert_int_equal(a.payload_len, 0);
	assert_int_equal(a.window, EDGE0 - r);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(a.opt.sack[0].left, r + 100);
	assert_int_equal(a.opt.sack[0].right, r + 200);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPOFOQueue), 1);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	/* A second island: two blocks, the most recent first. */
	peer_data(&t, r + 300, 50, 0);
	a = h_expect(t.h, SF_TCP_ACK, t.base, r);
	assert_int_equal(a.opt.sack_count, 2);
	assert_int_equal(a.opt.sack[0].left, r + 300);
	assert_int_equal(a.opt.sack[0].right, r + 350);
	assert_int_equal(a.opt.sack[1].left, r + 100);
	assert_int_equal(a.opt.sack[1].right, r + 200);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPOFOQueue), 2);
	/* Overlapping both islands and the gap between: they merge into one block. */
	peer_data(&t, r + 150, 170, 0);
	a = h_expect(t.h, SF_TCP_ACK, t.base, r);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(a.opt.sack[0].left, r + 100);
	assert_int_equal(a.opt.sack[0].right, r + 350);
	h_expect_none(t.h);
	/* The hole fills: RCV.NXT jumps over everything held, ACKed at once, no SACK left. */
	peer_data(&t, r, 100, 0);
	expect_ack(&t, t.base, r + 350, (uint16_t)(EDGE0 - (r + 350)));
	h_expect_none(t.h);
	read_exact(&t, r, 350);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	/* An old duplicate (all before RCV.NXT): not acceptable, ACKed at once, not delivered again. */
	uint64_t unacc = h_drops(t.h, SF_DROP_SEQ_UNACCEPTABLE);
	peer_data(&t, r, 100, 0);
	expect_ack(&t, t.base, r + 350, (uint16_t)(EDGE0 - (r + 350)));
	assert_int_equal(h_drops(t.h, SF_DROP_SEQ_UNACCEPTABLE), unacc + 1);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	/* Half old, half new: only the 50 new bytes are delivered; ACKed at once (it repeats data). */
	peer_data(&t, r + 300, 100, 0);
	expect_ack(&t, t.base, r + 400, (uint16_t)(EDGE0 - (r + 400)));
	h_expect_none(t.h);
	read_exact(&t, r + 350, 50);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPOFOQueue), 3);
	h_free(t.h);
}

/* RFC 9293 §3.10.7.4 seventh ("the idealized segment"): text beyond the window is cut off; a segment wholly beyond it is dropped and ACKed. */
static void test_data_beyond_window_trimmed(void **state)
{
	(void)state;
	struct conn t;
	open_conn_opts(&t, true, -1, 65535, 4096); /* we offer 4096 bytes */
	uint32_t edge = P + 4096;
	/* Out of order and straddling the right edge: only [P+4000, P+4096) is held. */
	peer_data(&t, P + 4000, 200, 0);
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, t.base, P);
	assert_int_equal(a.window, 4096);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(a.opt.sack[0].left, P + 4000);
	assert_int_equal(a.opt.sack[0].right, edge);
	/* Wholly beyond the edge: unacceptable, ACKed, dropped. */
	peer_data(&t, edge, 100, 0);
	a = h_expect(t.h, SF_TCP_ACK, t.base, P);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(h_drops(t.h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	/* In order (the island still SACKed), then running past the edge: everything up to the edge is taken, no more. */
	peer_data(&t, P, 1460, 0);
	a = h_expect(t.h, SF_TCP_ACK, t.base, P + 1460);
	assert_int_equal(a.window, 4096 - 1460);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(a.opt.sack[0].left, P + 4000);
	assert_int_equal(a.opt.sack[0].right, edge);
	peer_data(&t, P + 1460, 1460, 0);
	a = h_expect(t.h, SF_TCP_ACK, t.base, P + 2920);
	assert_int_equal(a.window, 4096 - 2920);
	assert_int_equal(a.opt.sack_count, 1);
	peer_data(&t, P + 2920, 1460, 0); /* cut to 1176 bytes (the last 96 over the held ones): the window is full */
	expect_ack(&t, t.base, edge, 0);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->rcvq.len, 4096);
	read_exact(&t, P, 4096);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	/* Reading it all reopens the window: a window update ACK. */
	expect_ack(&t, t.base, edge, 4096);
	h_free(t.h);
}

/* RFC 9293 §3.10.7.4 eighth: a FIN ahead of a hole is taken when the hole fills: CLOSE-WAIT, the data, then end of stream. */
static void test_fin_ahead_of_hole(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	use_quickacks(&t);
	uint32_t r = t.rcv;
	peer_data(&t, r + 100, 100, SF_TCP_FIN);
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, t.base, r);
	assert_int_equal(a.opt.sack_count, 1);
	assert_int_equal(a.opt.sack[0].left, r + 100);
	assert_int_equal(a.opt.sack[0].right, r + 200);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	/* The hole fills: the data and the FIN are taken, ACKed at once (FIN counted). */
	peer_data(&t, r, 100, 0);
	expect_ack(&t, t.base, r + 201, (uint16_t)(EDGE0 - (r + 201)));
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_CLOSE_WAIT);
	assert_true(h_saw_state(t.h, SF_ESTABLISHED, SF_CLOSE_WAIT));
	read_exact(&t, r, 200);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), 0);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.3 (MUST-40), RFC 1122 §4.2.3.2: after the quick ACKs, one small segment is ACKed delack_ms (40 ms) later, not before. */
static void test_delayed_ack_40ms(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	use_quickacks(&t);
	uint32_t r = t.rcv;
	peer_data(&t, r, 10, SF_TCP_PSH);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->due[SF_TIMER_DELACK], t.h->now + 40 * H_MS);
	h_advance(t.h, 39);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPDelayedACKs), 0);
	h_advance(t.h, 1);
	expect_ack(&t, t.base, r + 10, (uint16_t)(EDGE0 - (r + 10)));
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPDelayedACKs), 1);
	assert_int_equal(h_tcb(t.h, t.c)->due[SF_TIMER_DELACK], SF_TIME_NEVER);
	read_exact(&t, r, 10);
	h_free(t.h);
}

/* RFC 1122 §4.2.3.2, RFC 5681 §4.2: an ACK SHOULD be sent for at least every second full-sized segment: the second is ACKed at once. */
static void test_every_second_full_segment_acked(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	use_quickacks(&t);
	uint32_t r = t.rcv;
	peer_data(&t, r, MSS, 0);
	h_expect_none(t.h);
	peer_data(&t, r + MSS, MSS, 0);
	expect_ack(&t, t.base, r + 2 * MSS, (uint16_t)(EDGE0 - (r + 2 * MSS)));
	h_expect_none(t.h);
	/* The delayed-ACK timer went with that ACK. */
	assert_int_equal(h_tcb(t.h, t.c)->due[SF_TIMER_DELACK], SF_TIME_NEVER);
	h_advance(t.h, 100);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPDelayedACKs), 0);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.3 / §3.10.7.4: data we send carries the ACK (piggybacking) and the delayed ACK is cancelled. */
static void test_data_carries_delayed_ack(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	use_quickacks(&t);
	uint32_t r = t.rcv;
	peer_data(&t, r, 10, SF_TCP_PSH);
	h_expect_none(t.h);
	h_advance(t.h, 20);
	assert_int_equal(sf_send(t.h->st, t.c, "reply", 5), 5);
	struct sf_segment d = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, r + 10);
	assert_int_equal(d.payload_len, 5);
	assert_memory_equal(d.payload, "reply", 5);
	h_expect_none(t.h);
	/* No ACK at the 40 ms mark: the timer was cancelled. */
	assert_int_equal(h_tcb(t.h, t.c)->due[SF_TIMER_DELACK], SF_TIME_NEVER);
	h_advance(t.h, 30);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPDelayedACKs), 0);
	h_free(t.h);
}

/* RFC 5681 §4.2: a segment that fills part of a hole is ACKed at once, even
 * when delayed ACKs are in force (the quick ACKs of the start used up). */
static void test_partial_hole_fill_acked_at_once(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	uint32_t iss;
	int c = h_accept_new(h, l, 80, PEER_ISN, &iss);
	uint32_t seq = PEER_ISN + 1;
	char buf[64];
	for (int i = 0; i < 20; i++, seq += 10) {
		h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = seq, .ack = iss + 1, .text = "0123456789");
		assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 10);
	}
	h_drain(h);
	h_advance(h, 100); /* any delayed ACK goes out */
	h_drain(h);
	/* A hole of 20 bytes, then data beyond it: ACKed at once (out of order). */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = seq + 20, .ack = iss + 1, .text = "abcdefghij");
	h_expect(h, SF_TCP_ACK, iss + 1, seq);
	/* 10 of the 20 missing bytes: part of the hole, ACKed at once too. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = seq, .ack = iss + 1, .text = "0123456789");
	h_expect(h, SF_TCP_ACK, iss + 1, seq + 10);
	/* An ordinary small in-order segment now waits for the delayed ACK. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = seq + 10, .ack = iss + 1, .text = "0123456789");
	struct sf_segment a = h_expect(h, SF_TCP_ACK, iss + 1, seq + 30); /* the hole is closed: at once */
	(void)a;
	h_free(h);
}

/* A bare ACK whose sequence number is out of the window is answered at most
 * once per 500 ms (as Linux's tcp_invalid_ratelimit), so two ends can never
 * ping-pong ACKs; data out of the window is still answered every time. */
static void test_bare_oow_acks_rate_limited(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	uint32_t iss;
	h_accept_new(h, l, 80, PEER_ISN, &iss);
	for (int i = 0; i < 5; i++)
		h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN - 100, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 5);
	h_advance(h, 500);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN - 100, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN - 100, .ack = iss + 1, .text = "old");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_free(h);
}

/* After a timeout sends data again from SND.UNA, a bare ACK still carries
 * the highest sequence number sent (the RFC's SND.NXT), never the rewound
 * one, so a peer that already holds later data does not find it old. */
static void test_bare_ack_after_timeout_carries_snd_max(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	uint32_t iss;
	int c = h_accept_new(h, l, 80, PEER_ISN, &iss);
	assert_int_equal(sf_set_nodelay(h->st, c, 1), 0);
	static char data[3000];
	assert_int_equal(sf_send(h->st, c, data, sizeof data), (long)sizeof data);
	h_drain(h);
	h_advance(h, 250); /* the RTO (200 ms after a ~0 RTT handshake): the first segment again */
	struct sf_segment r = h_next(h);
	assert_int_equal(r.seq, iss + 1);
	/* Peer data arrives (it needs an ACK of its own). */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1, .text = "zz");
	struct sf_segment a = h_next(h);
	assert_int_equal(a.payload_len, 0);
	assert_int_equal(a.seq, iss + 1 + sizeof data); /* snd_max, not the rewound snd_nxt */
	h_free(h);
}

/* RFC 9293 §3.7.4 (Nagle, SHLD-7): with a small segment unacknowledged, new small data waits for the ACK, then goes as one segment. */
static void test_nagle(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_send(t.h->st, t.c, "a", 1), 1);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(s.payload_len, 1);
	assert_int_equal(sf_send(t.h->st, t.c, "b", 1), 1);
	h_expect_none(t.h);
	assert_int_equal(sf_send(t.h->st, t.c, "cd", 2), 2);
	h_expect_none(t.h);
	/* The ACK of "a": "bcd" goes, as one segment. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 1);
	s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 1, P);
	assert_int_equal(s.payload_len, 3);
	assert_memory_equal(s.payload, "bcd", 3);
	h_expect_none(t.h);
	/* A full segment is never held by Nagle, even with "bcd" outstanding. */
	assert_int_equal(sf_send(t.h->st, t.c, pattern, MSS + 10), (long)(MSS + 10));
	s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 4, P);
	assert_int_equal(s.payload_len, MSS);
	h_expect_none(t.h); /* the 10-byte tail waits */
	h_free(t.h);
}

/* RFC 9293 §3.7.4 (MUST-17): with TCP_NODELAY, small segments go at once; setting it sends what Nagle held. */
static void test_nodelay(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_send(t.h->st, t.c, "a", 1), 1);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(sf_send(t.h->st, t.c, "b", 1), 1);
	h_expect_none(t.h);
	assert_int_equal(sf_set_nodelay(t.h->st, t.c, 1), 0);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 1, P);
	assert_int_equal(s.payload_len, 1);
	assert_memory_equal(s.payload, "b", 1);
	assert_int_equal(sf_send(t.h->st, t.c, "c", 1), 1);
	s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 2, P);
	assert_int_equal(s.payload_len, 1);
	assert_memory_equal(s.payload, "c", 1);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.2.1: a window under one MSS, under the queued data and under half the largest window seen sends nothing. */
static void test_sender_sws_small_window_held(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(h_tcb(t.h, t.c)->max_snd_wnd, 65535);
	/* A window update: 100. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 100);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 1000), 1000);
	h_expect_none(t.h);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 999);
	h_expect_none(t.h);
	/* The whole queue fits: it goes (§3.8.6.2.1: "all queued data can be sent"). */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 1000);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(s.payload_len, 1000);
	assert_memory_equal(s.payload, pattern, 1000);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.2.1 (Fs = 1/2): a piece of at least half the largest window the peer has offered goes. */
static void test_sender_sws_half_max_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn_opts(&t, false, -1, 2000, 0); /* the peer's largest window: 2000 */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 100);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 3000), 3000);
	h_expect_none(t.h);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 999);
	h_expect_none(t.h); /* 999 < 2000/2 */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 1000);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(s.payload_len, 1000);
	assert_memory_equal(s.payload, pattern, 1000);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 9293 §3.10.7.4: with our window closed, a segment at RCV.NXT still
 * has its ACK processed, but its text and FIN lie beyond the window. A
 * FIN,ACK that ACKs our FIN then moves FIN-WAIT-1 to FIN-WAIT-2 without
 * taking the FIN; once the application reads, the peer's FIN again is taken
 * and TIME-WAIT follows. */
static void test_zero_window_fin_ack_of_our_fin(void **state)
{
	(void)state;
	struct conn t;
	char buf[2048];
	open_conn_opts(&t, false, -1, 65535, 1024);
	peer_data(&t, P, 1024, 0);
	struct sf_segment a = h_next(t.h);
	assert_int_equal(a.ack, P + 1024);
	assert_int_equal(a.window, 0);
	h_drain(t.h);
	assert_int_equal(sf_shutdown(t.h->st, t.c, SF_SHUT_WR), 0);
	h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK, t.base, P + 1024);
	assert_int_equal(sf_state(t.h->st, t.c), SF_FIN_WAIT_1);

	h_send(t.h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = P + 1024, .ack = t.base + 1);
	assert_int_equal(sf_state(t.h->st, t.c), SF_FIN_WAIT_2);
	a = h_expect(t.h, SF_TCP_ACK, t.base + 1, P + 1024); /* the FIN is not ACKed */
	assert_int_equal(a.window, 0);
	h_expect_none(t.h);

	assert_int_equal(sf_recv(t.h->st, t.c, buf, sizeof buf), 1024);
	a = h_expect(t.h, SF_TCP_ACK, t.base + 1, P + 1024); /* the window reopens */
	assert_true(a.window > 0);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = P + 1024, .ack = t.base + 1);
	h_expect(t.h, SF_TCP_ACK, t.base + 1, P + 1025);
	assert_int_equal(sf_state(t.h->st, t.c), SF_TIME_WAIT);
	h_free(t.h);
}

/* RFC 9293 MUST-66: with our receive window at zero, a RST at RCV.NXT still resets the connection; one elsewhere is dropped silently (RFC 5961 §3.2). */
static void test_zero_window_rst_at_rcv_nxt_resets(void **state)
{
	(void)state;
	struct conn t;
	open_conn_opts(&t, false, -1, 65535, 1024);
	peer_data(&t, P, 1024, 0);
	struct sf_segment a = h_next(t.h);
	assert_int_equal(a.window, 0);
	h_drain(t.h);

	h_send(t.h, .lport = PORT, .flags = SF_TCP_RST, .seq = P + 1025);
	h_expect_none(t.h);
	assert_int_equal(h_drops(t.h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = P + 1024, .ack = t.base, .text = "bye");
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_CLOSED);
	assert_int_equal(sf_take_error(t.h->st, t.c), -ECONNRESET);
	h_free(t.h);
}

/*
 * SHLD-2: a RST may carry text (a diagnostic, RFC 9293 §3.5.3). It is judged
 * by its sequence number alone: at RCV.NXT it resets; one starting before
 * RCV.NXT whose text reaches into the window is still out of the window,
 * dropped silently rather than challenged (RFC 5961 §3.2).
 */
static void test_rst_with_text_judged_by_sequence(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);

	h_send(t.h, .lport = PORT, .flags = SF_TCP_RST, .seq = P - 2, .text = "reason");
	h_expect_none(t.h);
	assert_int_equal(h_drops(t.h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPChallengeACK), 0);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_RST, .seq = P + 10, .text = "reason");
	h_expect(t.h, SF_TCP_ACK, t.base, P); /* in the window, not at RCV.NXT: challenge ACK */
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_RST, .seq = P, .text = "connection refused by policy");
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_CLOSED);
	assert_int_equal(sf_take_error(t.h->st, t.c), -ECONNRESET);
	h_free(t.h);
}

/* A timer due wait ms from now (and not before) sends the zero-window probe <SEQ=SND.UNA-1>, no data, and nothing else. */
static void expect_probe(struct conn *t, uint64_t wait, uint32_t una)
{
	h_advance(t->h, wait - 1);
	h_expect_none(t->h);
	h_advance(t->h, 1);
	assert_int_equal(h_expect(t->h, SF_TCP_ACK, una - 1, P).payload_len, 0);
	h_expect_none(t->h);
}

/* wait ms from now (still ESTABLISHED a millisecond before), total_ms after t0, the probes are given up: <SEQ=seq><CTL=RST,ACK> with window 0, and ETIMEDOUT. */
static void expect_probes_given_up(struct conn *t, uint64_t wait, uint64_t t0, uint64_t total_ms, uint32_t seq)
{
	h_advance(t->h, wait - 1);
	h_expect_none(t->h);
	assert_int_equal(sf_state(t->h->st, t->c), SF_ESTABLISHED);
	h_advance(t->h, 1);
	assert_int_equal(t->h->now - t0, total_ms * H_MS);
	assert_int_equal(h_expect(t->h, SF_TCP_RST | SF_TCP_ACK, seq, P).window, 0);
	h_expect_none(t->h);
	assert_int_equal(sf_state(t->h->st, t->c), SF_CLOSED);
	assert_int_equal(sf_take_error(t->h->st, t->c), -ETIMEDOUT);
	assert_int_equal(h_counter(t->h, SF_CTR_TCPAbortOnTimeout), 1);
}

/* RFC 9293 §3.8.6.1 (MUST-36, SHLD-29, SHLD-30), MUST-37: zero window: probes <SEQ=SND.UNA-1> at the RTO, doubling; answered probes keep it open. */
static void test_zero_window_persist(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 1000), 1000);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(s.payload_len, 1000);
	assert_int_equal(sf_send(t.h->st, t.c, pattern + 1000, 500), 500); /* held by Nagle */
	h_expect_none(t.h);
	/* Everything ACKed, window 0: the 500 bytes stay queued. */
	uint32_t una = t.base + 1000;
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una, .zero_window = 1);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->sndq.len, 500);
	/* Probes at 200, then 400, 800, ... ms after the last, capped at rto_max (120 s). */
	uint64_t wait = 200;
	for (int i = 0; i < 24; i++) {
		expect_probe(&t, wait, una);
		assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), (uint64_t)i + 1);
		/* The peer answers each probe: still window 0. */
		h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una, .zero_window = 1);
		h_expect_none(t.h);
		assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
		wait = wait * 2 > 120000 ? 120000 : wait * 2;
	}
	assert_int_equal(h_counter(t.h, SF_CTR_TCPAbortOnTimeout), 0);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 0);
	/* The window opens: the data goes at once, and the persist timer is off. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una);
	s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, una, P);
	assert_int_equal(s.payload_len, 500);
	assert_memory_equal(s.payload, pattern + 1000, 500);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->due[SF_TIMER_PERSIST], SF_TIME_NEVER);
	h_free(t.h);
}

/*
 * The peer's window closes: with nodelay, sent bytes go out in full-sized
 * segments, the peer ACKs the first acked of them with window 0, and queued
 * more wait behind the closed window. Returns SND.UNA.
 */
static uint32_t close_window(struct conn *t, uint32_t sent, uint32_t acked, uint32_t queued)
{
	assert_int_equal(sf_set_nodelay(t->h->st, t->c, 1), 0);
	assert_int_equal(sf_send(t->h->st, t->c, pattern, sent), (long)sent);
	for (uint32_t off = 0; off < sent; off += MSS)
		assert_int_equal(h_expect(t->h, SF_TCP_PSH | SF_TCP_ACK, t->base + off, P).payload_len,
				 sent - off < MSS ? sent - off : MSS);
	h_expect_none(t->h);
	uint32_t una = t->base + acked;
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una, .zero_window = 1);
	if (queued)
		assert_int_equal(sf_send(t->h->st, t->c, pattern, queued), (long)queued);
	h_expect_none(t->h);
	return una;
}

/* n probes from a timer backing off from 200 ms, the first answered of them answered with window 0; returns the wait for the next expiry. */
static uint64_t probes_some_answered(struct conn *t, uint32_t una, int n, int answered)
{
	uint64_t wait = 200;
	for (int i = 1; i <= n; i++, wait *= 2) {
		expect_probe(t, wait, una);
		if (i <= answered)
			h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una, .zero_window = 1);
	}
	return wait;
}

/* 100 bytes sent and ACKed with window 0, 100 more queued, nothing in flight: the persist timer's case. */
static uint32_t zero_window_with_data_queued(struct conn *t)
{
	return close_window(t, 100, 100, 100);
}

/* RFC 9293 §3.8.6.1 (MUST-37) with §3.8.3 R2, as Linux's tcp_probe_timer: only unanswered probes count: retries2 (3) of them in a row, and the next expiry gives up. */
static void test_zero_window_unanswered_probes_give_up(void **state)
{
	(void)state;
	struct conn t;
	adjust_cfg = cfg_retries2_3;
	open_conn(&t, false);
	uint32_t una = zero_window_with_data_queued(&t);
	uint64_t t0 = t.h->now;
	/* Probes 1 and 2 answered, 3..5 not (retries2): the 6th expiry resets the connection. */
	uint64_t wait = probes_some_answered(&t, una, 5, 2);
	expect_probes_given_up(&t, wait, t0, 12600, una);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 5);
	h_free(t.h);
}

/*
 * The peer shrinks its window to zero with data outstanding (1460 and 540
 * bytes out, the first ACKed with window 0). The retransmission timer's
 * segments are window probes, and a probe's answer is the peer alive.
 */
static uint32_t zero_window_under_flight(struct conn *t)
{
	return close_window(t, 2000, MSS, 0);
}

/*
 * RFC 9293 §3.8.6 (SHLD-17: no timeout for unACKed data beyond the right
 * edge) and §3.8.6.1 (MUST-37), as Linux's tcp_retransmit_timer: with data
 * outstanding when the window closes, the retransmission timer probes the
 * window, and while every probe is answered the connection stays open: 20
 * probes over 25 minutes, far past retries2 (4). Then the window opens and
 * the data goes.
 */
static void test_zero_window_under_flight_answered_stays_open(void **state)
{
	(void)state;
	struct conn t;
	adjust_cfg = cfg_retries2_4;
	open_conn(&t, false);
	uint32_t una = zero_window_under_flight(&t);
	uint64_t t0 = t.h->now, wait = 200;
	for (int i = 0; i < 20; i++) {
		expect_probe(&t, wait, una);
		h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una, .zero_window = 1);
		h_expect_none(t.h);
		assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
		wait = wait * 2 > 120000 ? 120000 : wait * 2;
	}
	assert_int_equal(t.h->now - t0, (204600 + 10 * 120000) * H_MS);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 20);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPAbortOnTimeout), 0);
	assert_int_equal(t.h->nadvice, 0); /* no delivery problem: R1 never reached */
	assert_int_equal(sf_soft_error(t.h->st, t.c), 0);
	/* The window opens: the 540 bytes beyond the old edge go at once. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = una);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, una, P);
	assert_int_equal(s.payload_len, 2000 - MSS);
	assert_memory_equal(s.payload, pattern + MSS, 2000 - MSS);
	h_expect_none(t.h);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 2000);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->sndq.len, 0);
	assert_int_equal(sf_next_deadline(t.h->st), UINT64_MAX);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	h_free(t.h);
}

/*
 * RFC 9293 §3.8.3 (R2 = retries2, 4) for the same probes, as Linux's
 * tcp_probe_timer: only consecutive unanswered ones count. Probes 1-3 are
 * answered, 4-7 are not: the 7th, past R1 (3), passes negative advice and
 * tells the application, and the expiry after it gives up with a RST and
 * ETIMEDOUT.
 */
static void test_zero_window_under_flight_unanswered_gives_up(void **state)
{
	(void)state;
	struct conn t;
	adjust_cfg = cfg_retries2_4;
	open_conn(&t, false);
	uint32_t una = zero_window_under_flight(&t);
	uint64_t t0 = t.h->now;
	uint64_t wait = probes_some_answered(&t, una, 6, 3);
	assert_int_equal(t.h->nadvice, 0);
	assert_int_equal(sf_soft_error(t.h->st, t.c), 0);
	expect_probe(&t, wait, una);
	assert_int_equal(t.h->nadvice, 1);
	assert_int_equal(sf_soft_error(t.h->st, t.c), -ETIMEDOUT);
	wait *= 2;
	expect_probes_given_up(&t, wait, t0, 51000, t.base + 2000);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 7);
	assert_true(h_saw_state(t.h, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(t.h->states[t.h->nstates - 1].cause, SF_CAUSE_PROBES_UNANSWERED);
	h_free(t.h);
}

/* RFC 9293 §3.8.3 (a) with §3.8.6.1: R2 in time for the persist timer's probes, 5 s from the first unanswered one (R1 1 s): probes at +0.2, +0.6, +1.4 (told), +3.0 s, then the RST at +5.2 s, before the next probe is due (+6.2 s). */
static void test_zero_window_probes_r2_time(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_set_retry_thresholds(t.h->st, t.c, SF_RETRY_DATA, SF_RETRY_MS, 1000, 5000), 0);
	uint32_t una = zero_window_with_data_queued(&t);
	uint64_t t0 = t.h->now, wait = 200;
	for (int i = 1; i <= 4; i++) {
		expect_probe(&t, wait, una);
		assert_int_equal(sf_soft_error(t.h->st, t.c), i >= 3 ? -ETIMEDOUT : 0);
		wait *= 2;
	}
	expect_probes_given_up(&t, 2200, t0, 5200, una);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 4);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.2.1 (override timeout) and §3.8.6.1: a window too small to use is probed at the RTO with what fits in it. */
static void test_small_window_persist_sends_data(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base, .window = 100);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 1000), 1000);
	h_expect_none(t.h);
	h_advance(t.h, 199);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	struct sf_segment s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	assert_int_equal(s.payload_len, 100);
	assert_memory_equal(s.payload, pattern, 100);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 0);
	/* The peer takes it and offers 900: the rest fits, and goes at once. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 100, .window = 900);
	s = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 100, P);
	assert_int_equal(s.payload_len, 900);
	assert_memory_equal(s.payload, pattern + 100, 900);
	h_expect_none(t.h);
	h_free(t.h);
}

/* Next ACK: check it is a pure ACK and that its right edge (window scaled by our shift) never moves left; returns its ACK number. */
static uint32_t ack_edge(struct conn *t, uint32_t *edge, unsigned shift)
{
	struct sf_segment a = h_next(t->h);
	assert_int_equal(a.flags, SF_TCP_ACK);
	assert_int_equal(a.seq, t->base);
	assert_int_equal(a.payload_len, 0);
	uint32_t e = a.ack + ((uint32_t)a.window << shift);
	assert_true((int32_t)(e - *edge) >= 0);
	*edge = e;
	return a.ack;
}

/* RFC 9293 §3.8.6.2.2 (receiver SWS), §3.10.7.4: the window shrinks as data waits unread; it reopens by min(buffer/2, MSS) steps; the edge never moves left. */
static void test_receive_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	uint32_t edge = EDGE0;
	/* Ten 1000-byte segments, not read: each ACK (quick ACKs) offers 1000 bytes less, same right edge. */
	for (uint32_t k = 1; k <= 10; k++) {
		peer_data(&t, P + 1000 * (k - 1), 1000, 0);
		expect_ack(&t, t.base, P + 1000 * k, (uint16_t)(65535 - 1000 * k));
	}
	h_expect_none(t.h);
	/* Reading everything opens the window by 10000, to its 65535 maximum,
	 * but not to twice the 55535 the peer still has: no window update
	 * (the next ACK carries it). */
	read_exact(&t, P, 1459);
	h_expect_none(t.h);
	read_exact(&t, P + 1459, 10000 - 1459);
	h_expect_none(t.h);

	/* Fill the window completely, unread: whatever ACKs go, the edge never moves left. */
	uint32_t seq = P + 10000, last = 0;
	while (seq != edge) {
		uint32_t n = edge - seq < MSS ? edge - seq : MSS;
		peer_data(&t, seq, n, 0);
		seq += n;
		while (h_pending(t.h))
			last = ack_edge(&t, &edge, 0);
	}
	h_advance(t.h, 40); /* a delayed ACK, if one is pending */
	while (h_pending(t.h))
		last = ack_edge(&t, &edge, 0);
	assert_int_equal(last, edge);
	assert_int_equal(h_tcb(t.h, t.c)->rcv_adv, edge);
	assert_int_equal(h_tcb(t.h, t.c)->rcvq.len, 65536); /* the whole buffer */
	/* Read 100: 100 bytes of room is silly: the window stays closed, also when a probe asks. */
	read_exact(&t, P + 10000, 100);
	h_expect_none(t.h);
	/* A zero-window probe. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = edge, .ack = t.base, .text = "x");
	expect_ack(&t, t.base, edge, 0);
	h_expect_none(t.h);
	/* Read up to 1460 in all (1460 of room): it opens, with a window update. */
	read_exact(&t, P + 10100, 1359);
	h_expect_none(t.h);
	read_exact(&t, P + 11459, 1);
	expect_ack(&t, t.base, edge, 1460);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.2.2, as Linux's __tcp_cleanup_rbuf: reading one MSS at a time sends no window update until the window offered at least doubles the one the peer has. */
static void test_window_update_when_window_doubles(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	/* 24 full segments, unread: the last ACK offers 65535 - 35040 = 30495. */
	for (uint32_t k = 0; k < 24; k++)
		peer_data(&t, P + MSS * k, MSS, 0);
	struct sf_segment a = { 0 };
	while (h_pending(t.h))
		a = h_next(t.h);
	assert_int_equal(a.ack, P + 24 * MSS);
	assert_int_equal(a.window, 30495);
	/* Reads of one MSS each: the window we could offer grows by 1460 a read
	 * (each past the SWS step), but stays short of 2 x 30495 for 20 reads. */
	for (uint32_t k = 0; k < 20; k++) {
		read_exact(&t, P + MSS * k, MSS);
		h_expect_none(t.h);
	}
	/* The 21st read: 30496 + 21 x 1460 = 61156 >= 60990: the window update. */
	read_exact(&t, P + MSS * 20, MSS);
	expect_ack(&t, t.base, P + 24 * MSS, 61156);
	h_expect_none(t.h);
	/* The rest: 65535 at most, not twice 61156: no more updates. */
	read_exact(&t, P + MSS * 21, 3 * MSS);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 9293 §3.8.6.2.2: a near-closed window (100 of 4096) reopens with an update once the room has grown by the SWS step (1460), not before; then doubling again sends one, growing less does not. */
static void test_window_update_reopens_small_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn_opts(&t, false, -1, 65535, 4096);
	peer_data(&t, P, MSS, 0);
	expect_ack(&t, t.base, P + MSS, 4096 - MSS);
	peer_data(&t, P + MSS, MSS, 0);
	expect_ack(&t, t.base, P + 2 * MSS, 4096 - 2 * MSS);
	peer_data(&t, P + 2 * MSS, 1076, 0);
	expect_ack(&t, t.base, P + 3996, 100);
	h_expect_none(t.h);
	/* 1100 of room: short of 100 + 1460: the window stays at 100, silently. */
	read_exact(&t, P, 1000);
	h_expect_none(t.h);
	/* 1560 of room: it reopens, with an update. */
	read_exact(&t, P + 1000, 460);
	expect_ack(&t, t.base, P + 3996, 1560);
	h_expect_none(t.h);
	/* 3120: twice 1560: an update. */
	read_exact(&t, P + 1460, 1560);
	expect_ack(&t, t.base, P + 3996, 3120);
	h_expect_none(t.h);
	/* All of it, 4096: neither a step past 3120 nor twice it: none. */
	read_exact(&t, P + 3020, 976);
	h_expect_none(t.h);
	assert_int_equal(sf_recv(t.h->st, t.c, (uint8_t[8]){ 0 }, 8), -EAGAIN);
	h_expect_none(t.h);
	h_free(t.h);
}

/* RFC 7323 §2.3 with RFC 9293 §3.10.7.4: with window scaling (our shift 1) the advertised edge, rounded up, never moves left. */
static void test_receive_window_scaled_edge(void **state)
{
	(void)state;
	struct conn t;
	open_conn_opts(&t, false, 7, 65535, 0);
	assert_int_equal(h_tcb(t.h, t.c)->rcv_wscale, 1);
	uint32_t edge = P + 65535, seq = P;
	/* Odd sizes: the field is rounded up, the edge kept. */
	static const uint32_t sizes[] = { 1, 3, 1001, 7, 1460, 999, 5, 1459 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		peer_data(&t, seq, sizes[i], 0);
		seq += sizes[i];
		while (h_pending(t.h))
			assert_int_equal(ack_edge(&t, &edge, 1), seq);
	}
	assert_true((int32_t)(h_tcb(t.h, t.c)->rcv_adv - edge) >= 0);
	h_free(t.h);
}

/* RFC 9293 §3.3.1 queues, ring.h design: once everything is sent, ACKed (SND.UNA = SND.NXT) and read, neither queue holds storage. */
static void test_idle_connection_holds_no_buffer(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	struct sf_tcb *tcb = h_tcb(t.h, t.c);
	assert_null(tcb->sndq.b);
	assert_null(tcb->rcvq.b);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 3000), 3000);
	h_next(t.h);
	h_next(t.h);
	h_expect_none(t.h); /* 80 bytes held by Nagle */
	assert_non_null(tcb->sndq.b);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 2920);
	h_next(t.h); /* the last 80 */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 3000);
	assert_null(tcb->sndq.b);
	/* Data in, out of order first (held in the buffer), then filled and read. */
	peer_data(&t, P + 500, 500, 0);
	h_next(t.h);
	assert_non_null(tcb->rcvq.b);
	peer_data(&t, P, 500, 0);
	h_next(t.h);
	read_exact(&t, P, 1000);
	assert_null(tcb->rcvq.b);
	assert_null(tcb->sndq.b);
	assert_int_equal(t.h->st->bufs.n, 2); /* both given back to the stack's cache */
	h_free(t.h);
}

/* RFC 5482 §3, RFC 9293 §3.10.8 (USER TIMEOUT): data unacknowledged for the user timeout ends the connection with ETIMEDOUT, long before retries2. */
static void test_user_timeout(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_set_user_timeout(t.h->st, t.c, 1000), 0);
	assert_int_equal(sf_send(t.h->st, t.c, "data", 4), 4);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	uint64_t t0 = t.h->now;
	/* Retransmissions at 200 and 600 ms; none answered. */
	h_advance(t.h, 200);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	h_advance(t.h, 400);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	h_advance(t.h, 399);
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	/* 1000 ms after the data went: given up, with nothing more sent. */
	h_advance(t.h, 1);
	assert_int_equal(t.h->now - t0, 1000 * H_MS);
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_CLOSED);
	assert_int_equal(sf_take_error(t.h->st, t.c), -ETIMEDOUT);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 2);
	h_free(t.h);
}

/* RFC 5482 §3: the user timeout runs while data waits for an ACK; an ACK of progress starts it again (synfin: from when SND.UNA last moved). */
static void test_user_timeout_restarts_on_progress(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_set_user_timeout(t.h->st, t.c, 1000), 0);
	assert_int_equal(sf_set_nodelay(t.h->st, t.c, 1), 0);
	uint64_t t0 = t.h->now;
	assert_int_equal(sf_send(t.h->st, t.c, "ab", 2), 2);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base, P);
	h_advance(t.h, 100);
	assert_int_equal(sf_send(t.h->st, t.c, "cd", 2), 2);
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 2, P);
	h_advance(t.h, 50);
	/* "ab" ACKed at 150 ms; "cd" stays unACKed: the RTO (200 ms) restarts from here. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = t.base + 2);
	h_expect_none(t.h);
	h_advance(t.h, 200); /* 350 ms */
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 2, P);
	h_advance(t.h, 400); /* 750 ms */
	h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, t.base + 2, P);
	/* 1000 ms after the first send: still open (the clock restarted at 150 ms). */
	h_advance(t.h, 250);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	/* 1150 ms: 1000 ms after the ACK, before the backed-off RTO (1550 ms). */
	h_advance(t.h, 149);
	assert_int_equal(sf_state(t.h->st, t.c), SF_ESTABLISHED);
	h_advance(t.h, 1);
	assert_int_equal(t.h->now - t0, 1150 * H_MS);
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_CLOSED);
	assert_int_equal(sf_take_error(t.h->st, t.c), -ETIMEDOUT);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPAbortOnTimeout), 1);
	h_free(t.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_order_held_and_sacked),
		cmocka_unit_test(test_data_beyond_window_trimmed),
		cmocka_unit_test(test_fin_ahead_of_hole),
		cmocka_unit_test(test_delayed_ack_40ms),
		cmocka_unit_test(test_every_second_full_segment_acked),
		cmocka_unit_test(test_data_carries_delayed_ack),
		cmocka_unit_test(test_partial_hole_fill_acked_at_once),
		cmocka_unit_test(test_bare_oow_acks_rate_limited),
		cmocka_unit_test(test_bare_ack_after_timeout_carries_snd_max),
		cmocka_unit_test(test_nagle),
		cmocka_unit_test(test_nodelay),
		cmocka_unit_test(test_sender_sws_small_window_held),
		cmocka_unit_test(test_sender_sws_half_max_window),
		cmocka_unit_test(test_zero_window_fin_ack_of_our_fin),
		cmocka_unit_test(test_zero_window_rst_at_rcv_nxt_resets),
		cmocka_unit_test(test_rst_with_text_judged_by_sequence),
		cmocka_unit_test(test_zero_window_persist),
		cmocka_unit_test(test_zero_window_unanswered_probes_give_up),
		cmocka_unit_test(test_zero_window_under_flight_answered_stays_open),
		cmocka_unit_test(test_zero_window_under_flight_unanswered_gives_up),
		cmocka_unit_test(test_zero_window_probes_r2_time),
		cmocka_unit_test(test_small_window_persist_sends_data),
		cmocka_unit_test(test_receive_window),
		cmocka_unit_test(test_receive_window_scaled_edge),
		cmocka_unit_test(test_window_update_when_window_doubles),
		cmocka_unit_test(test_window_update_reopens_small_window),
		cmocka_unit_test(test_idle_connection_holds_no_buffer),
		cmocka_unit_test(test_user_timeout),
		cmocka_unit_test(test_user_timeout_restarts_on_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
