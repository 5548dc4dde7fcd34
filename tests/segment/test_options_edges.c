/*
 * Edges of the options and ACK machinery found by review: the offered
 * window when the peer refuses scaling, PAWS on the handshake's last ACK,
 * RFC 6191's equal-timestamp case, timestamps on RSTs, immediate ACKs for a
 * partly filled hole, and bare ACKs that can never start an ACK war.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 5000u

static void big_buffers(struct sf_config *cfg)
{
	(void)cfg;
}

/* RFC 7323 §2.2: a SYN,ACK without window scale means neither side scales,
 * so the window we keep is the unscaled one our SYN offered (65535), even
 * with a 1 MiB buffer: a byte at RCV.NXT+65535 is outside it. */
static void test_no_ws_window_is_the_syn_window(void **state)
{
	(void)state;
	struct harness *h = h_new(4, big_buffers);
	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_set_bufsizes(h->st, s, 1u << 20, 1u << 20), 0);
	struct sf_endpoint to = { .addr = h->peer, .port = 80 }, me;
	assert_int_equal(sf_connect(h->st, s, &to), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	sf_getsockname(h->st, s, &me);
	h->peer_port = 80;
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };
	struct sf_segment ack = h_synack_in(h, me.port, PEER_ISN, syn.seq, 65535, &mss);
	assert_int_equal(ack.window, 65535);
	h_send(h, .lport = me.port, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1 + 65535, .ack = syn.seq + 1, .text = "x");
	h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOFOQueue), 0);
	h_free(h);
}

/* RFC 7323 §5.3 R1 on the handshake's last ACK: an older TSval than the
 * SYN's is an old duplicate (ACKed and dropped, as Linux's tcp_check_req);
 * a missing timestamp is dropped (§3.2); the embryo waits for a good ACK. */
static void test_final_ack_paws(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 1000 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	assert_true(sa.opt.has_timestamp);
	struct sf_tcp_options old = { .has_timestamp = 1, .ts_val = 900, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &old);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1);
	assert_int_equal(a.opt.ts_ecr, 1000);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 1);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	struct sf_tcp_options good = { .has_timestamp = 1, .ts_val = 1001, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &good);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_send(h->st, c, "a", 1), 1);
	struct sf_segment d = h_next(h);
	assert_int_equal(d.opt.ts_ecr, 1001);
	h_free(h);
}

/* TIME-WAIT for a connection that used timestamps, entered by our close. */
static void time_wait_with_timestamps(struct harness *h, uint32_t *iss)
{
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 5000 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	*iss = sa.seq;
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 5001, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &ts);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_close(h->st, c), 0);
	h_next(h); /* our FIN */
	ts.ts_val = 5003;
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = PEER_ISN + 1, .ack = sa.seq + 2, .opt = &ts);
	h_next(h); /* the last ACK */
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
}

/* RFC 6191 §2: a SYN whose TSval equals the last one seen falls back to the
 * sequence-number rule: beyond the old RCV.NXT, it reopens the 4-tuple. */
static void test_tw_equal_tsval_uses_sequence(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	time_wait_with_timestamps(h, &iss);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 5003 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN + 100000, .opt = &syn);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	h_free(h);
}

/* RFC 7323 §3.2: a RST on a connection with timestamps carries one too. */
static void test_rst_carries_timestamp(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 7 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 8, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &ts);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_abort(h->st, c), 0);
	struct sf_segment r = h_expect(h, SF_TCP_RST | SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1);
	assert_true(r.opt.has_timestamp);
	assert_int_equal(r.opt.ts_ecr, 8);
	h_free(h);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_ws_window_is_the_syn_window),
		cmocka_unit_test(test_final_ack_paws),
		cmocka_unit_test(test_tw_equal_tsval_uses_sequence),
		cmocka_unit_test(test_rst_carries_timestamp),
		cmocka_unit_test(test_partial_hole_fill_acked_at_once),
		cmocka_unit_test(test_bare_oow_acks_rate_limited),
		cmocka_unit_test(test_bare_ack_after_timeout_carries_snd_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
