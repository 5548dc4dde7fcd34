/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Congestion control and loss recovery on the send path: the initial window
 * (RFC 6928), slow start and congestion avoidance (RFC 5681 §3.1), fast
 * retransmit and NewReno fast recovery (RFC 5681 §3.2, RFC 6582), SACK-based
 * recovery (RFC 6675), the retransmission timeout (RFC 6298 §5, RFC 5681
 * §3.1) and restart after idle (RFC 5681 §4.1).
 *
 * synfin is the passive side: the scripted peer (MSS 1460, no timestamps, no
 * window scaling, window 65535) connects, and synfin sends. Segments are full
 * 1460-byte ones, numbered from 0: SEG(i) is the first sequence number of
 * segment i. The handshake's RTT is ~0, so the RTO is rto_min (200 ms); ACKs
 * come at the same virtual time as the data, so it stays there.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 5000u
#define PORT 80
#define MSS 1460u
#define SNDBUF 65536u

static uint8_t pattern[1u << 18];

/* One connection under test. */
struct conn {
	struct harness *h;
	int c;
	uint32_t base; /* ISS + 1: the first data byte */
	uint32_t peer_seq;
	bool sack;
};

#define SEG(t, i) ((t)->base + (uint32_t)(i) * MSS)

static void fill_pattern(void)
{
	uint32_t x = 0x12345678u;
	for (size_t i = 0; i < sizeof pattern; i++) {
		x = x * 1103515245u + 12345u;
		pattern[i] = (uint8_t)(x >> 16);
	}
}

/* The peer connects (SACK-permitted if sack), synfin accepts; adjust may change the stack's config. */
static void open_conn_cfg(struct conn *t, bool sack, h_config_fn adjust)
{
	fill_pattern();
	t->h = h_new(4, adjust);
	t->sack = sack;
	int l = h_listen(t->h, PORT, 4);
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460, .sack_permitted = sack };
	h_send(t->h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &o);
	struct sf_segment sa = h_next(t->h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.opt.sack_permitted, sack ? 1 : 0);
	assert_int_equal(sa.opt.has_timestamp, 0);
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	h_expect_none(t->h);
	t->c = sf_accept(t->h->st, l, NULL);
	assert_true(t->c >= 0);
	t->base = sa.seq + 1;
	t->peer_seq = PEER_ISN + 1;
	assert_int_equal(h_tcb(t->h, t->c)->snd_mss, MSS);
	assert_int_equal(h_tcb(t->h, t->c)->rto_ms, 200);
}

static void open_conn(struct conn *t, bool sack)
{
	open_conn_cfg(t, sack, NULL);
}

/* Repeated timeouts here are the timer's, not a black hole's: the size stays (test_path_mtu.c has those). */
static void cfg_no_mtu_probing(struct sf_config *cfg)
{
	cfg->mtu_probing = 0;
}

/* Queue 64 KiB (the send buffer) and take the initial window of 10 segments. */
static void send_and_take_iw(struct conn *t);

/* The next segment is data: PSH,ACK at seq with len bytes of the stream, our window 65535, no SACK. */
static void expect_bytes(struct conn *t, uint32_t seq, uint32_t len)
{
	struct sf_segment s = h_expect(t->h, SF_TCP_PSH | SF_TCP_ACK, seq, PEER_ISN + 1);
	assert_int_equal(s.payload_len, len);
	assert_int_equal(s.window, 65535);
	assert_int_equal(s.opt.sack_count, 0);
	assert_memory_equal(s.payload, pattern + (seq - t->base), len);
}

/* The next segment is the full segment i. */
static void expect_seg(struct conn *t, uint32_t i)
{
	expect_bytes(t, SEG(t, i), MSS);
}

/* The next n segments are the full segments first..first+n-1, then nothing. */
static void expect_segs(struct conn *t, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		expect_seg(t, first + i);
	h_expect_none(t->h);
}

static void send_and_take_iw(struct conn *t)
{
	assert_int_equal(sf_send(t->h->st, t->c, pattern, 100000), (long)SNDBUF);
	expect_segs(t, 0, 10);
}

/* A pure ACK from the peer (window 65535), with SACK blocks if n > 0. */
static void peer_ack(struct conn *t, uint32_t ack, const struct sf_sack_block *blocks, int n)
{
	struct sf_tcp_options o = { .sack_count = (uint8_t)n };
	for (int i = 0; i < n; i++)
		o.sack[i] = blocks[i];
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t->peer_seq, .ack = ack, .opt = n ? &o : NULL);
}

static struct sf_sack_block blk(uint32_t left, uint32_t right)
{
	struct sf_sack_block b = { left, right };
	return b;
}

/* ======================================================================== */

/* RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)) = 10 full segments; no more until an ACK comes. */
static void test_initial_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	uint64_t out0 = h_counter(t.h, SF_CTR_OutSegs);
	send_and_take_iw(&t);
	assert_int_equal(h_counter(t.h, SF_CTR_OutSegs) - out0, 10);
	assert_int_equal(h_tcb(t.h, t.c)->snd_max - t.base, 14600);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 14600);
	/* The peer's window (65535) would allow more: cwnd is what stops it. */
	h_advance(t.h, 199);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 0);
	/* One ACK opens the door again. */
	peer_ack(&t, SEG(&t, 1), NULL, 0);
	expect_segs(&t, 10, 2);
	h_free(t.h);
}

/* RFC 5681 §3.1: in slow start each ACK adds min(N, SMSS): one segment ACKed lets two out; an ACK of two, three. */
static void test_slow_start(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_and_take_iw(&t);
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 0x7fffffffu);
	/* Segment by segment: flight stays, cwnd grows by one: two out per ACK. */
	uint32_t next = 10;
	for (uint32_t a = 1; a <= 3; a++) {
		peer_ack(&t, SEG(&t, a), NULL, 0);
		expect_segs(&t, next, 2);
		next += 2;
		assert_int_equal(h_tcb(t.h, t.c)->cwnd, (10 + a) * MSS);
	}
	/* An ACK of two segments still adds one SMSS (not 2): three out, not four. */
	peer_ack(&t, SEG(&t, 5), NULL, 0);
	expect_segs(&t, next, 3);
	next += 3;
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 14 * MSS);
	assert_int_equal(h_tcb(t.h, t.c)->snd_max - h_tcb(t.h, t.c)->snd_una, 14 * MSS);
	/* A partial-segment ACK adds only the bytes ACKed (N < SMSS). */
	peer_ack(&t, SEG(&t, 5) + 100, NULL, 0);
	h_expect_none(t.h); /* 200 bytes of room: less than a segment, held (sender SWS) */
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 14 * MSS + 100);
	peer_ack(&t, SEG(&t, 6), NULL, 0);
	expect_segs(&t, next, 2); /* +1360: cwnd 15 segments, flight 13 */
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 15 * MSS);
	h_free(t.h);
}

/* RFC 5681 §3.1: after a loss (RTO: ssthresh = FlightSize/2 = 5 segments), slow start to ssthresh, then one SMSS per cwnd of data ACKed. */
static void test_congestion_avoidance_after_loss(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_and_take_iw(&t);
	h_advance(t.h, 200);
	expect_segs(&t, 0, 1); /* the RTO: segment 0 again, cwnd 1 segment */
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 5 * MSS);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, MSS);
	/* The peer had 1..9: one ACK covers everything sent. */
	static const struct {
		uint32_t ack;  /* segments ACKed (cumulative) */
		uint32_t sent; /* new segments this ACK lets out */
		uint32_t cwnd; /* in segments, after the ACK */
	} steps[] = {
		{ 10, 2, 2 },  /* slow start: 1 -> 2 */
		{ 11, 2, 3 },
		{ 12, 2, 4 },
		{ 13, 2, 5 },  /* cwnd reaches ssthresh: congestion avoidance from here */
		{ 14, 1, 5 },
		{ 15, 1, 5 },
		{ 16, 1, 5 },
		{ 17, 1, 5 },
		{ 18, 2, 6 },  /* 5 segments (one cwnd) ACKed: +1 segment */
		{ 19, 1, 6 },
		{ 20, 1, 6 },
		{ 21, 1, 6 },
		{ 22, 1, 6 },
		{ 23, 1, 6 },
		{ 24, 2, 7 },  /* 6 more ACKed: +1 */
	};
	uint32_t next = 10;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		peer_ack(&t, SEG(&t, steps[i].ack), NULL, 0);
		expect_segs(&t, next, steps[i].sent);
		next += steps[i].sent;
		assert_int_equal(h_tcb(t.h, t.c)->cwnd, steps[i].cwnd * MSS);
		assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 5 * MSS);
	}
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 0);
	h_free(t.h);
}

/* RFC 5681 §3.2, RFC 6582 §3.2: 3 dupACKs retransmit SND.UNA once; dupACKs inflate; partial ACK resends the next hole; full ACK deflates. */
static void test_fast_retransmit_newreno(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_and_take_iw(&t);
	/* Segment 0 is lost: the peer ACKs SND.UNA again for 1, 2, ... */
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	h_expect_none(t.h);
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 0);
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	expect_segs(&t, 0, 1); /* exactly one retransmission, at once */
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 0);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 0);
	/* ssthresh = FlightSize/2 = 5 segments, cwnd = ssthresh + 3 segments. */
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 5 * MSS);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 8 * MSS);
	/* Each further dupACK inflates cwnd by one segment; new data goes once cwnd passes the flight (10). */
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	h_expect_none(t.h); /* cwnd 9 */
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	h_expect_none(t.h); /* cwnd 10 */
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	expect_segs(&t, 10, 1); /* cwnd 11 */
	peer_ack(&t, SEG(&t, 0), NULL, 0);
	expect_segs(&t, 11, 1); /* cwnd 12 */
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 1); /* not retransmitted again */
	/* Partial ACK (RFC 6582 §3.2 step 4): 0..2 arrived, 3 was lost too: sent again at once,
	 * cwnd deflated by the 3 segments ACKed and one added back (12 - 3 + 1 = 10), so
	 * with 9 in flight one new segment follows. */
	peer_ack(&t, SEG(&t, 3), NULL, 0);
	expect_seg(&t, 3);
	expect_segs(&t, 12, 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 2);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 2);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 10 * MSS);
	assert_true(h_tcb(t.h, t.c)->in_recovery);
	/* Full ACK of everything up to "recover" (the end of segment 9): recovery ends with
	 * cwnd = min(ssthresh, FlightSize + SMSS) = min(5, 3 + 1) = 4 segments: one new goes. */
	peer_ack(&t, SEG(&t, 10), NULL, 0);
	expect_segs(&t, 13, 1);
	assert_false(h_tcb(t.h, t.c)->in_recovery);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 4 * MSS);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 2);
	h_free(t.h);
}

/* RFC 5681 §2 (DUPLICATE ACKNOWLEDGMENT): an ACK that carries data or changes the window is not a duplicate. */
static void test_dupack_with_data_or_window_not_counted(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_and_take_iw(&t);
	peer_ack(&t, SEG(&t, 0), NULL, 0); /* dupACK 1 */
	h_expect_none(t.h);
	/* Same ACK number, but with 100 bytes of data: not a duplicate (we ACK the data). */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = t.peer_seq, .ack = SEG(&t, 0),
	       .text = "0123456789" "0123456789" "0123456789" "0123456789" "0123456789"
		       "0123456789" "0123456789" "0123456789" "0123456789" "0123456789");
	t.peer_seq += 100;
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, SEG(&t, 10), t.peer_seq);
	assert_int_equal(a.payload_len, 0);
	h_expect_none(t.h);
	/* Same ACK number, window changed: a window update, not a duplicate. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = SEG(&t, 0), .window = 65000);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->snd_wnd, 65000);
	assert_int_equal(h_tcb(t.h, t.c)->dupacks, 1);
	/* Two more true duplicates (window 65000 now) make three: then, and only then, the retransmission. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = SEG(&t, 0), .window = 65000);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 0);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = SEG(&t, 0), .window = 65000);
	struct sf_segment r = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, SEG(&t, 0), t.peer_seq);
	assert_int_equal(r.payload_len, MSS);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 1);
	h_free(t.h);
}

/* RFC 6675 §4-5: IsLost(SND.UNA) with > 2*SMSS SACKed above it starts recovery before 3 dupACKs; then pipe, not dupACKs, clocks data. */
static void test_sack_recovery_one_hole(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	send_and_take_iw(&t);
	/* Segment 0 lost; 1-2 SACKed: exactly 2*SMSS above it, not lost yet. */
	struct sf_sack_block b = blk(SEG(&t, 1), SEG(&t, 3));
	peer_ack(&t, SEG(&t, 0), &b, 1);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 0);
	/* 1-3 SACKed: 3 segments > 2*SMSS above SND.UNA: lost, at the 2nd dupACK. */
	b = blk(SEG(&t, 1), SEG(&t, 4));
	peer_ack(&t, SEG(&t, 0), &b, 1);
	expect_segs(&t, 0, 1);
	assert_int_equal(h_tcb(t.h, t.c)->dupacks, 2);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 0);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	/* cwnd = ssthresh = 5 segments; pipe = 10 - 3 SACKed = 7 (0 counts once, resent). */
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 5 * MSS);
	/* Each SACKed segment takes one out of the pipe; no NewReno inflation. */
	b = blk(SEG(&t, 1), SEG(&t, 5));
	peer_ack(&t, SEG(&t, 0), &b, 1);
	h_expect_none(t.h); /* pipe 6 */
	b = blk(SEG(&t, 1), SEG(&t, 6));
	peer_ack(&t, SEG(&t, 0), &b, 1);
	h_expect_none(t.h); /* pipe 5 */
	b = blk(SEG(&t, 1), SEG(&t, 7));
	peer_ack(&t, SEG(&t, 0), &b, 1);
	expect_segs(&t, 10, 1); /* pipe 4: room for one */
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 1);
	/* Full ACK past "recover" (segment 10's start): recovery ends,
	 * cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) = 2 segments. */
	peer_ack(&t, SEG(&t, 11), NULL, 0);
	expect_segs(&t, 11, 2);
	assert_false(h_tcb(t.h, t.c)->in_recovery);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 2 * MSS);
	h_free(t.h);
}

/* RFC 6675 §5 (C) / NextSeg rule 1: two lost holes are both retransmitted, in sequence order, then new data as pipe allows. */
static void test_sack_recovery_two_holes(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	send_and_take_iw(&t);
	/* Segments 0 and 2 lost. First dupACK: only 1 SACKed. */
	struct sf_sack_block b1 = blk(SEG(&t, 1), SEG(&t, 2));
	peer_ack(&t, SEG(&t, 0), &b1, 1);
	h_expect_none(t.h);
	/* Second dupACK: 3..9 too (most recent block first). Both holes are lost. */
	struct sf_sack_block b2[2] = { blk(SEG(&t, 3), SEG(&t, 10)), blk(SEG(&t, 1), SEG(&t, 2)) };
	peer_ack(&t, SEG(&t, 0), b2, 2);
	expect_seg(&t, 0);
	expect_seg(&t, 2);
	/* pipe = the two retransmissions; cwnd = ssthresh = 5: three new segments. */
	expect_segs(&t, 10, 3);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 2);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 2);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 0);
	/* Another dupACK with nothing new SACKed sends nothing: nothing else is lost, pipe = cwnd. */
	peer_ack(&t, SEG(&t, 0), b2, 2);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 2);
	h_free(t.h);
}

/* RFC 6675 §5 (C), NextSeg rule 1: every lost hole goes again in one pass while pipe < cwnd, lowest first, then new data (rule 2). */
static void test_sack_recovery_three_holes_at_once(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	send_and_take_iw(&t);
	/* 0, 2 and 4 lost; 1, 3, 5..9 SACKed in the first dupACK: three ranges, 7 segments. */
	struct sf_sack_block b[3] = { blk(SEG(&t, 5), SEG(&t, 10)), blk(SEG(&t, 3), SEG(&t, 4)),
				      blk(SEG(&t, 1), SEG(&t, 2)) };
	peer_ack(&t, SEG(&t, 0), b, 3);
	expect_seg(&t, 0);
	expect_seg(&t, 2);
	expect_seg(&t, 4);
	expect_segs(&t, 10, 2); /* pipe 3 of cwnd 5 */
	assert_int_equal(h_tcb(t.h, t.c)->dupacks, 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPFastRetrans), 3);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 3);
	h_free(t.h);
}

/* RFC 6675 §4 IsLost: DupThresh (3) discontiguous SACKed ranges above a byte mark it lost, however few bytes they hold. */
static void test_sack_islost_by_ranges(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	send_and_take_iw(&t);
	/* Two small ranges: neither 3 ranges nor more than 2*SMSS: nothing. */
	struct sf_sack_block b[3] = { blk(SEG(&t, 3), SEG(&t, 3) + 100), blk(SEG(&t, 2), SEG(&t, 2) + 100),
				      blk(SEG(&t, 1), SEG(&t, 1) + 100) };
	peer_ack(&t, SEG(&t, 0), b + 1, 2);
	h_expect_none(t.h);
	/* A third range (300 bytes SACKed in all): segment 0 is lost. */
	peer_ack(&t, SEG(&t, 0), b, 3);
	expect_segs(&t, 0, 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 1);
	assert_int_equal(h_tcb(t.h, t.c)->dupacks, 2);
	h_free(t.h);
}

/* RFC 2018 §4, RFC 6675 §4: SACK blocks outside (SND.UNA, SND.MAX] or reversed are ignored and counted (TCPSACKDiscard). */
static void test_sack_blocks_out_of_range_discarded(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, true);
	send_and_take_iw(&t);
	/* Four bad blocks, each of which, believed, would mark segment 0 lost. */
	struct sf_sack_block bad[4] = {
		blk(SEG(&t, 1), SEG(&t, 11)),         /* right edge beyond SND.MAX (SEG 10) */
		blk(SEG(&t, 0) - 5000, SEG(&t, 0)),   /* below SND.UNA (D-SACK style) */
		blk(SEG(&t, 9), SEG(&t, 1)),          /* reversed */
		blk(SEG(&t, 0), SEG(&t, 4)),          /* left edge at SND.UNA, not above it */
	};
	peer_ack(&t, SEG(&t, 0), bad, 4);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSACKDiscard), 4);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 0);
	assert_int_equal(sf_ring_map(&h_tcb(t.h, t.c)->sndq)->n, 0);
	/* A good block beside a bad one: only the good one counts, and it is enough (3 segments). */
	struct sf_sack_block mix[2] = { blk(SEG(&t, 9), SEG(&t, 11)), blk(SEG(&t, 1), SEG(&t, 4)) };
	peer_ack(&t, SEG(&t, 0), mix, 2);
	expect_segs(&t, 0, 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSACKDiscard), 5);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSackRecovery), 1);
	const struct sf_rangeset *sb = sf_ring_map(&h_tcb(t.h, t.c)->sndq);
	assert_int_equal(sb->n, 1);
	assert_int_equal(sb->r[0].start, SEG(&t, 1));
	assert_int_equal(sb->r[0].end, SEG(&t, 4));
	/* A block whose right edge is exactly SND.MAX is in range. */
	struct sf_sack_block edge = blk(SEG(&t, 9), SEG(&t, 10));
	peer_ack(&t, SEG(&t, 0), &edge, 1);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPSACKDiscard), 5);
	assert_int_equal(sf_ring_map(&h_tcb(t.h, t.c)->sndq)->n, 2);
	h_free(t.h);
}

/* RFC 6298 §5.4-5.6, RFC 5681 §3.1 eq. 4: at the RTO one segment goes again (cwnd = 1 SMSS), two after its ACK; the RTO doubles. */
static void test_rto_one_segment_then_slow_start(void **state)
{
	(void)state;
	struct conn t;
	open_conn_cfg(&t, false, cfg_no_mtu_probing);
	send_and_take_iw(&t);
	uint64_t t0 = t.h->now;
	h_advance(t.h, 199);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	expect_segs(&t, 0, 1);
	assert_int_equal(t.h->now - t0, 200 * H_MS);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 5 * MSS); /* max(FlightSize/2, 2*SMSS) */
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, MSS);
	/* Backoff: 400 ms, then 800 ms, one segment each time. */
	h_advance(t.h, 399);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	expect_segs(&t, 0, 1);
	h_advance(t.h, 799);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	expect_segs(&t, 0, 1);
	assert_int_equal(t.h->now - t0, 1400 * H_MS);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 3);
	assert_int_equal(h_tcb(t.h, t.c)->rto_ms, 1600);
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 5 * MSS);
	/* Its ACK: slow start again, two segments (1 and 2, sent again from SND.UNA). */
	peer_ack(&t, SEG(&t, 1), NULL, 0);
	expect_segs(&t, 1, 2);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 2 * MSS);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 5);
	/* Karn (RFC 6298 §5.7 / §3): no sample from retransmitted data, so the backed-off RTO stays. */
	h_advance(t.h, 1599);
	h_expect_none(t.h);
	h_advance(t.h, 1);
	expect_segs(&t, 1, 1);
	h_free(t.h);
}

/* RFC 6298 §5.5 / RFC 5681 eq. 4: ssthresh has a floor of 2*SMSS when the flight is small. */
static void test_rto_ssthresh_floor(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_true(sf_set_nodelay(t.h->st, t.c, 1) == 0);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 2000), 2000);
	expect_bytes(&t, t.base, MSS);
	expect_bytes(&t, t.base + MSS, 540);
	h_advance(t.h, 200);
	expect_bytes(&t, t.base, MSS);
	h_expect_none(t.h);
	assert_int_equal(h_tcb(t.h, t.c)->ssthresh, 2 * MSS); /* 2000/2 < 2920 */
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, MSS);
	h_free(t.h);
}

/* Take everything synfin sends as the peer would, ACKing one segment per ACK, until all of 64 KiB from `from` is ACKed. */
static void drain_acking(struct conn *t, uint32_t from, uint32_t total)
{
	uint32_t sent = from, acked = from;
	while (acked != from + total) {
		while (h_pending(t->h)) {
			struct sf_segment s = h_next(t->h);
			assert_int_equal(s.seq, sent);
			sent += (uint32_t)s.payload_len;
		}
		uint32_t next = sent - acked > MSS ? acked + MSS : sent;
		assert_true(next != acked);
		acked = next;
		peer_ack(t, acked, NULL, 0);
	}
	h_expect_none(t->h);
}

/* Count the full segments sent back to back from seq; then nothing. */
static uint32_t burst_size(struct conn *t, uint32_t seq)
{
	uint32_t n = 0;
	while (h_pending(t->h)) {
		expect_bytes(t, seq, MSS);
		seq += MSS;
		n++;
	}
	return n;
}

/* RFC 5681 §4.1: after no data was sent for more than an RTO, a burst is limited to the restart window (IW, 10 segments). */
static void test_restart_after_idle(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, SNDBUF), (long)SNDBUF);
	drain_acking(&t, t.base, SNDBUF);
	uint32_t cwnd = h_tcb(t.h, t.c)->cwnd;
	assert_true(cwnd > 40 * MSS);
	assert_int_equal(h_tcb(t.h, t.c)->rto_ms, 200);
	/* Idle exactly one RTO: not "exceeding" it: the large cwnd stands; the peer's window limits the burst to 44. */
	h_advance(t.h, 200);
	h_expect_none(t.h);
	uint32_t base2 = t.base + SNDBUF;
	assert_int_equal(sf_send(t.h->st, t.c, pattern + SNDBUF, SNDBUF), (long)SNDBUF);
	assert_int_equal(burst_size(&t, base2), 44);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, cwnd);
	peer_ack(&t, base2 + 44 * MSS, NULL, 0);
	expect_bytes(&t, base2 + 44 * MSS, SNDBUF - 44 * MSS);
	h_expect_none(t.h);
	peer_ack(&t, base2 + SNDBUF, NULL, 0);
	h_expect_none(t.h);
	assert_true(h_tcb(t.h, t.c)->cwnd > 40 * MSS);
	/* Idle 201 ms: more than the RTO: cwnd back to the initial window. */
	h_advance(t.h, 201);
	uint32_t base3 = base2 + SNDBUF;
	assert_int_equal(sf_send(t.h->st, t.c, pattern + 2 * SNDBUF, SNDBUF), (long)SNDBUF);
	assert_int_equal(burst_size(&t, base3), 10);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 10 * MSS);
	h_free(t.h);
}

/* Send exactly the initial window (10 segments, 14600 bytes) and take it: cwnd is full. */
static void send_iw_exactly(struct conn *t)
{
	assert_int_equal(sf_send(t->h->st, t->c, pattern, 10 * MSS), (long)(10 * MSS));
	expect_segs(t, 0, 10);
	assert_int_equal(h_tcb(t->h, t->c)->cwnd, 10 * MSS);
}

/* RFC 9293 §3.10.4 with RFC 5681 §3.1 (as Linux's tcp_cwnd_test): with a full cwnd of data unACKed, shutdown's lone FIN goes at once. */
static void test_lone_fin_passes_full_cwnd_shutdown(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_iw_exactly(&t);
	assert_int_equal(sf_shutdown(t.h->st, t.c, SF_SHUT_WR), 0);
	struct sf_segment f = h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK, SEG(&t, 10), PEER_ISN + 1);
	assert_int_equal(f.payload_len, 0);
	assert_int_equal(f.window, 65535);
	assert_int_equal(f.opt.sack_count, 0);
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_FIN_WAIT_1);
	/* The peer ACKs data and FIN: FIN-WAIT-2, nothing resent. */
	peer_ack(&t, SEG(&t, 10) + 1, NULL, 0);
	h_expect_none(t.h);
	assert_int_equal(sf_state(t.h->st, t.c), SF_FIN_WAIT_2);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 0);
	h_free(t.h);
}

/* RFC 9293 §3.10.4 CLOSE with RFC 5681 §3.1: the same for close: the lone FIN goes at once past the full cwnd. */
static void test_lone_fin_passes_full_cwnd_close(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	send_iw_exactly(&t);
	assert_int_equal(sf_close(t.h->st, t.c), 0);
	struct sf_segment f = h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK, SEG(&t, 10), PEER_ISN + 1);
	assert_int_equal(f.payload_len, 0);
	h_expect_none(t.h);
	assert_true(h_saw_state(t.h, SF_ESTABLISHED, SF_FIN_WAIT_1));
	h_free(t.h);
}

/* RFC 5681 §3.1, RFC 9293 §3.8.6: only a lone FIN passes cwnd; data waiting for cwnd keeps the FIN behind it, and a FIN needs one byte of the peer's window. */
static void test_fin_behind_data_or_full_window_waits(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, false);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 10 * MSS + 100), (long)(10 * MSS + 100));
	expect_segs(&t, 0, 10);
	assert_int_equal(sf_shutdown(t.h->st, t.c, SF_SHUT_WR), 0);
	h_expect_none(t.h); /* the 100 bytes wait for cwnd, and the FIN behind them */
	/* One segment ACKed, the peer's window now ends at SEG(10) + 100: the 100 bytes go, and the FIN cannot. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = SEG(&t, 1), .window = 9 * MSS + 100);
	struct sf_segment d = h_expect(t.h, SF_TCP_PSH | SF_TCP_ACK, SEG(&t, 10), PEER_ISN + 1);
	assert_int_equal(d.payload_len, 100);
	h_expect_none(t.h);
	/* One more byte of window: the lone FIN goes. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = SEG(&t, 1), .window = 9 * MSS + 101);
	h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK, SEG(&t, 10) + 100, PEER_ISN + 1);
	h_expect_none(t.h);
	h_free(t.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_window),
		cmocka_unit_test(test_slow_start),
		cmocka_unit_test(test_congestion_avoidance_after_loss),
		cmocka_unit_test(test_fast_retransmit_newreno),
		cmocka_unit_test(test_dupack_with_data_or_window_not_counted),
		cmocka_unit_test(test_sack_recovery_one_hole),
		cmocka_unit_test(test_sack_recovery_two_holes),
		cmocka_unit_test(test_sack_recovery_three_holes_at_once),
		cmocka_unit_test(test_sack_islost_by_ranges),
		cmocka_unit_test(test_sack_blocks_out_of_range_discarded),
		cmocka_unit_test(test_rto_one_segment_then_slow_start),
		cmocka_unit_test(test_rto_ssthresh_floor),
		cmocka_unit_test(test_restart_after_idle),
		cmocka_unit_test(test_lone_fin_passes_full_cwnd_shutdown),
		cmocka_unit_test(test_lone_fin_passes_full_cwnd_close),
		cmocka_unit_test(test_fin_behind_data_or_full_window_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
