/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Path MTU discovery (RFC 1191, RFC 8201) and packetization-layer path MTU
 * discovery (RFC 4821). Each connection is the stack's passive open from
 * the peer (MSS 1460, no timestamps) on an interface of MTU 1500: full
 * segments carry 1460 bytes (IPv4) or 1440 (IPv6). Errors come from a
 * router and quote a datagram the stack really sent (h_icmp_error).
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PORT 80
#define PEER_ISN 5000u

static uint8_t data[1024 * 1024];

static void fill(void)
{
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 9));
}

static uint8_t ptb_type(const struct harness *h) { return h->family == 6 ? 2 : 3; }
static uint8_t ptb_code(const struct harness *h) { return h->family == 6 ? 0 : 4; }
/* The MTU as the message carries it: ICMPv6's 32-bit field, or IPv4's low 16 bits (RFC 1191 §4). */
static uint32_t ptb_word(const struct harness *h, uint32_t mtu) { return h->family == 6 ? mtu : mtu & 0xffff; }

struct conn {
	struct harness *h;
	int c;
	uint32_t base;  /* our first data byte's sequence number */
	uint32_t full;  /* a full segment's payload at MTU 1500 */
	uint32_t hdrs;  /* IP + TCP header bytes */
};

static void open_conn(struct conn *t, int family, h_config_fn adjust)
{
	uint32_t iss;
	fill();
	t->h = h_new(family, adjust);
	t->c = h_established(t->h, PORT, PEER_ISN, &iss);
	t->base = iss + 1;
	t->hdrs = family == 6 ? 60 : 40;
	t->full = 1500 - t->hdrs;
}

/* Queue len bytes and take the segments that leave: their count; each must be of payload seg_len but the last. */
static size_t take_data(struct conn *t, uint32_t seq, uint32_t seg_len, size_t max_segments)
{
	size_t n = 0;
	while (h_pending(t->h) && n < max_segments) {
		struct sf_segment s = h_next(t->h);
		assert_int_equal(s.seq, seq);
		assert_true(s.payload_len <= seg_len);
		assert_true(h_last_len(t->h) <= seg_len + t->hdrs);
		assert_memory_equal(s.payload, data + (seq - t->base), s.payload_len);
		seq += (uint32_t)s.payload_len;
		n++;
	}
	return n;
}

static void peer_ack(struct conn *t, uint32_t ack)
{
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = ack);
}

/* A packet too big reporting mtu about the first segment of the initial window. */
static void send_iw_and_ptb(struct conn *t, uint32_t mtu, const struct h_out **first)
{
	assert_int_equal(sf_send(t->h->st, t->c, data, 10 * t->full), (long)(10 * t->full));
	assert_int_equal(h_pending(t->h), 10);
	h_next(t->h);
	*first = h_last_sent(t->h);
	assert_int_equal(h_last_len(t->h), 1500);
	h_drain(t->h);
	h_icmp_error(t->h, ptb_type(t->h), ptb_code(t->h), (*first)->data, (*first)->len, 0, ptb_word(t->h, mtu));
}

/*
 * RFC 1191 §6.3, RFC 8201 §4/§5.4: the path's MTU comes down to the reported
 * one; what was in flight is sent again at once, in segments that fit, and
 * the congestion window keeps its 10 segments (now smaller). A second
 * message for the same flight teaches nothing.
 */
static void ptb_lowers_and_resends(int family)
{
	struct conn t;
	const struct h_out *first;
	open_conn(&t, family, NULL);
	send_iw_and_ptb(&t, 1280, &first);
	uint32_t small = 1280 - t.hdrs;
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), (int)small);
	assert_int_equal(take_data(&t, t.base, small, 100), 10);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 10 * small);
	assert_int_equal(h_counter(t.h, SF_CTR_PMTUDecreases), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 10);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 0);
	assert_int_equal(t.h->path_mtu, 1280);
	assert_int_equal(t.h->path_mtu_cause, SF_CAUSE_PMTU_ICMP);
	/* The other nine segments each drew a message too. */
	h_icmp_error(t.h, ptb_type(t.h), ptb_code(t.h), first->data, first->len, 0, ptb_word(t.h, 1280));
	h_expect_none(t.h);
	assert_int_equal(h_drops(t.h, SF_DROP_ICMP_PACKET_TOO_BIG), 1);
	/* The rest of the stream follows in the new size. */
	peer_ack(&t, t.base + 10 * small);
	assert_true(take_data(&t, t.base + 10 * small, small, 100) > 0);
	h_free(t.h);
}

static void test_ptb_lowers_and_resends_v4(void **state)
{
	(void)state;
	ptb_lowers_and_resends(4);
}

static void test_ptb_lowers_and_resends_v6(void **state)
{
	(void)state;
	ptb_lowers_and_resends(6);
}

/* RFC 8201 §4: a packet too big below IPv6's 1280 "must" be discarded. */
static void test_ptb_below_ipv6_minimum_discarded(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 6, NULL);
	send_iw_and_ptb(&t, 1000, &first);
	h_expect_none(t.h);
	assert_int_equal(h_drops(t.h, SF_DROP_ICMP_PMTU_BELOW_MINIMUM), 1);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 1440);
	h_free(t.h);
}

/* RFC 5927 §7.2: a forged "MTU 68" cannot cut IPv4 segments below 576 bytes of datagram. */
static void test_ptb_tiny_mtu_floored_at_576(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 4, NULL);
	send_iw_and_ptb(&t, 68, &first);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 536);
	assert_true(take_data(&t, t.base, 536, 100) > 0);
	h_free(t.h);
}

/* RFC 1191 §5 and §7: a router that gives no MTU (an RFC 792 one): the next plateau below the datagram's 1500 bytes, 1492. */
static void test_ptb_without_mtu_uses_plateau(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 4, NULL);
	send_iw_and_ptb(&t, 0, &first);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 1452);
	assert_int_equal(t.h->path_mtu, 1492);
	h_free(t.h);
}

/* RFC 8201 §4: "must not increase its estimate" on a packet too big. */
static void test_ptb_never_raises(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 4, NULL);
	send_iw_and_ptb(&t, 1280, &first);
	h_drain(t.h);
	h_icmp_error(t.h, 3, 4, first->data, first->len, 0, 1400);
	h_expect_none(t.h);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 1240);
	assert_int_equal(h_counter(t.h, SF_CTR_PMTUDecreases), 1);
	h_free(t.h);
}

/*
 * RFC 5927 §7: a blind attacker must guess a sequence number in flight.
 * 100,000 forged packet too big messages with random sequence numbers and
 * MTU 576 against a connection with 14,600 bytes in flight: none lowers it.
 */
static void cfg_no_error_budget(struct sf_config *cfg)
{
	cfg->icmp_error_rate = 0; /* each forgery judged by its sequence number alone */
}

static void test_forged_ptb_blind(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_no_error_budget);
	assert_int_equal(sf_send(t.h->st, t.c, data, 10 * t.full), (long)(10 * t.full));
	h_next(t.h);
	const struct h_out *first = h_last_sent(t.h);
	uint8_t quote[1500];
	size_t qlen = first->len;
	memcpy(quote, first->data, qlen);
	h_drain(t.h);
	uint32_t x = 12345, hits = 0;
	for (int i = 0; i < 100000; i++) {
		x = x * 1664525u + 1013904223u;
		uint32_t seq = x;
		if (seq - t.base < 10 * t.full) {
			hits++; /* a lucky guess is a real error: leave it out */
			continue;
		}
		h_icmp_error(t.h, 3, 4, quote, qlen, seq ? seq : 1, 576);
	}
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 1460);
	assert_int_equal(h_counter(t.h, SF_CTR_PMTUDecreases), 0);
	assert_int_equal(h_drops(t.h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 100000 - hits);
	h_expect_none(t.h);
	h_free(t.h);
}

/*
 * The path MTU is the destination's, not the connection's (RFC 1191 §5):
 * a connection opened after the message starts with it, one already open
 * takes it at its next transmission.
 */
static void test_ptb_shared_by_destination(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 4, NULL);
	int l2 = h_listen(t.h, 81, 4);
	uint32_t iss2;
	t.h->peer_port = 40001;
	int older = h_accept_new(t.h, l2, 81, 9000, &iss2);
	h_drain(t.h);
	send_iw_and_ptb(&t, 1300, &first);
	h_drain(t.h);
	assert_int_equal(sf_send(t.h->st, older, data, 3000), 3000);
	struct sf_segment s = h_next(t.h);
	assert_int_equal(s.payload_len, 1260);
	assert_int_equal(sf_get_maxseg(t.h->st, older), 1260);
	h_drain(t.h);
	uint32_t iss3;
	t.h->peer_port = 40002;
	int newer = h_accept_new(t.h, l2, 81, 20000, &iss3);
	assert_int_equal(sf_get_maxseg(t.h->st, newer), 1260);
	h_free(t.h);
}

/* RFC 1191 §6.3: ten minutes on, the learned MTU is forgotten and full segments are tried again. */
static void test_learned_mtu_ages_out(void **state)
{
	(void)state;
	struct conn t;
	const struct h_out *first;
	open_conn(&t, 4, NULL);
	send_iw_and_ptb(&t, 1280, &first);
	h_drain(t.h);
	peer_ack(&t, t.base + 10 * t.full);
	h_drain(t.h);
	h_advance(t.h, 599000);
	assert_int_equal(sf_send(t.h->st, t.c, data, 1240), 1240);
	assert_int_equal(h_next(t.h).payload_len, 1240);
	peer_ack(&t, t.base + 10 * t.full + 1240);
	h_advance(t.h, 1000);
	assert_int_equal(sf_send(t.h->st, t.c, data, 2000), 2000);
	assert_int_equal(h_next(t.h).payload_len, 1460);
	assert_int_equal(t.h->path_mtu, 1500);
	assert_int_equal(t.h->path_mtu_cause, SF_CAUSE_PMTU_AGED);
	h_free(t.h);
}

/* One connection acts on at most 10 ICMP errors a second, however good their guesses. */
static void test_icmp_budget_per_connection(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, NULL);
	assert_int_equal(sf_send(t.h->st, t.c, data, 1000), 1000);
	h_next(t.h);
	const struct h_out *seg = h_last_sent(t.h);
	for (int i = 0; i < 11; i++)
		h_icmp_error(t.h, 3, 1, seg->data, seg->len, 0, 0); /* host unreachable: soft */
	assert_int_equal(h_drops(t.h, SF_DROP_ICMP_CONNECTION_BUDGET), 1);
	h_advance(t.h, 1000);
	h_drain(t.h);
	h_icmp_error(t.h, 3, 1, seg->data, seg->len, 0, 0);
	assert_int_equal(h_drops(t.h, SF_DROP_ICMP_CONNECTION_BUDGET), 1);
	assert_int_equal(sf_soft_error(t.h->st, t.c), -EHOSTUNREACH);
	h_free(t.h);
}

/* Lose everything: the retransmission timer fires n times; returns the payload of the last retransmission. */
static size_t lose_flight(struct conn *t, int n)
{
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 100 && !h_pending(t->h); k++)
			h_advance_to_deadline(t->h); /* the wheel's deadlines may come early */
		struct sf_segment s = h_next(t->h);
		assert_int_equal(s.seq, t->base);
		len = s.payload_len;
		h_drain(t->h);
	}
	return len;
}

/*
 * RFC 4821 §7.7 (black-hole detection): the initial window vanishes without
 * a word (ICMP filtered). Two timeouts send a full segment again; the
 * third (R1, retries1), finding full-size segments lost each time, sends it
 * in the base size, 1024 bytes of datagram, which gets through.
 */
static void test_black_hole_sizes_down(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, NULL);
	assert_int_equal(sf_send(t.h->st, t.c, data, 10 * t.full), (long)(10 * t.full));
	h_drain(t.h);
	assert_int_equal(lose_flight(&t, 2), 1460);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 0);
	assert_int_equal(lose_flight(&t, 1), 984);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 1);
	assert_int_equal(t.h->path_mtu, 1024);
	assert_int_equal(t.h->path_mtu_cause, SF_CAUSE_PMTU_BLACK_HOLE);
	h_free(t.h);
}

/* Once the path has carried a full segment, losing them takes a route change to explain: three timeouts more than R1 before the size is blamed. */
static void test_black_hole_after_proven_size(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, NULL);
	assert_int_equal(sf_send(t.h->st, t.c, data, t.full), (long)t.full);
	h_drain(t.h);
	peer_ack(&t, t.base + t.full);
	assert_int_equal(sf_send(t.h->st, t.c, data + t.full, 10 * t.full), (long)(10 * t.full));
	h_drain(t.h);
	t.base += t.full; /* lose_flight expects its retransmissions here */
	assert_int_equal(lose_flight(&t, 5), 1460);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 0);
	assert_int_equal(lose_flight(&t, 1), 984);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 1);
	h_free(t.h);
}

static void cfg_two_orphan_retries(struct sf_config *cfg)
{
	cfg->orphan_retries = 2;
}

/* An orphan allowed two retransmissions (fewer than R1) makes its last one in the base size. */
static void test_black_hole_before_last_try(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_two_orphan_retries);
	assert_int_equal(sf_send(t.h->st, t.c, data, 10 * t.full), (long)(10 * t.full));
	assert_int_equal(sf_close(t.h->st, t.c), 0);
	h_drain(t.h);
	assert_int_equal(lose_flight(&t, 1), 1460);
	assert_int_equal(lose_flight(&t, 1), 984);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 1);
	h_free(t.h);
}

/*
 * The application closes after two timeouts, when the count has already
 * reached the orphan's R2 (2): the try that remains, which the timeouts
 * never saw coming as the last, still goes in the base size, once.
 */
static void test_black_hole_orphaned_late(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_two_orphan_retries);
	assert_int_equal(sf_send(t.h->st, t.c, data, 10 * t.full), (long)(10 * t.full));
	h_drain(t.h);
	assert_int_equal(lose_flight(&t, 2), 1460);
	assert_int_equal(sf_close(t.h->st, t.c), 0);
	h_drain(t.h);
	assert_int_equal(lose_flight(&t, 1), 984);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 1);
	/* Lost too: that was the last. */
	for (int k = 0; k < 100 && !h_counter(t.h, SF_CTR_TCPAbortOnTimeout); k++)
		h_advance_to_deadline(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPAbortOnTimeout), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 4);
	h_expect_none(t.h);
	h_free(t.h);
}

static void cfg_no_probing(struct sf_config *cfg)
{
	cfg->mtu_probing = 0;
}

/* mtu_probing 0: timeouts never change the segment size. */
static void test_black_hole_detection_off(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_no_probing);
	assert_int_equal(sf_send(t.h->st, t.c, data, 10 * t.full), (long)(10 * t.full));
	h_drain(t.h);
	assert_int_equal(lose_flight(&t, 4), 1460);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 0);
	h_free(t.h);
}

/* Segments only as big as the base go through after a black hole: ACK what arrives (1024-byte datagrams) and nothing larger. */
struct path {
	struct conn *t;
	uint32_t mtu;        /* what the path carries */
	uint32_t acked;      /* the peer's RCV.NXT */
};

static uint8_t arrived[sizeof data]; /* the peer's receive buffer: which bytes it holds */

/* Deliver what the stack sent over a path of p->mtu: larger datagrams vanish; the peer keeps what arrives out of order and ACKs cumulatively (a hole makes duplicate ACKs). */
static void path_round(struct path *p)
{
	struct conn *t = p->t;
	while (h_pending(t->h)) {
		struct sf_segment s = h_next(t->h);
		if (h_last_len(t->h) > p->mtu)
			continue;
		memset(arrived + (s.seq - t->base), 1, s.payload_len);
		while (p->acked - t->base < sizeof data && arrived[p->acked - t->base])
			p->acked++;
		peer_ack(t, p->acked);
	}
	h_forget_taken(t->h);
}

/*
 * RFC 4821 §7: after the black hole, probes search upward between 1024 and
 * 1500. On a path of 1280: probes of 1262 and 1271 (say) pass and raise the
 * segment size; larger ones are lost, and a size fails after MAX_PROBES (3,
 * RFC 8899 §5.1.2) of it are lost in a row. The search settles within 8 bytes below 1280,
 * and the stream arrives whole. Lost probes cost no congestion response
 * (RFC 4821 §7.6.2): ssthresh is not lowered.
 */
static void test_probing_finds_the_path_mtu(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, NULL);
	const size_t total = sizeof data;
	size_t queued = 0;
	long n = sf_send(t.h->st, t.c, data, total);
	assert_true(n > 0);
	queued = (size_t)n;
	h_drain(t.h);
	lose_flight(&t, 2);
	struct path p = { .t = &t, .mtu = 1280, .acked = t.base };
	memset(arrived, 0, sizeof arrived);
	/* The second timeout's base-size retransmission gets through. */
	while (!h_pending(t.h))
		h_advance_to_deadline(t.h);
	uint32_t ssthresh_segments = h_tcb(t.h, t.c)->ssthresh / h_tcb(t.h, t.c)->snd_mss;
	for (int round = 0; round < 20000 && p.acked != t.base + total; round++) {
		path_round(&p);
		if (queued < total) {
			n = sf_send(t.h->st, t.c, data + queued, total - queued);
			if (n > 0)
				queued += (size_t)n;
		}
		if (!h_pending(t.h) && p.acked != t.base + total) {
			if (sf_next_deadline(t.h->st) == UINT64_MAX)
				fail_msg("stalled: acked %u of %zu, queued %zu, snd_una %u snd_nxt %u snd_max %u cwnd %u", p.acked - t.base, total, queued,
					 h_tcb(t.h, t.c)->snd_una - t.base, h_tcb(t.h, t.c)->snd_nxt - t.base, h_tcb(t.h, t.c)->snd_max - t.base, h_tcb(t.h, t.c)->cwnd);
			h_advance_to_deadline(t.h);
		}
	}
	assert_int_equal(p.acked, t.base + total);
	uint32_t mss = (uint32_t)sf_get_maxseg(t.h->st, t.c);
	assert_true(mss + 40 <= 1280);
	assert_true(mss + 40 > 1280 - 8);
	assert_true(h_counter(t.h, SF_CTR_TCPMTUPSuccess) >= 2);
	/* Sizes above 1280 were tried and failed MAX_PROBES times each. */
	assert_true(h_counter(t.h, SF_CTR_TCPMTUPFail) >= 6);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPMTUPBlackHole), 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPTimeouts), 3);
	/* No lost probe was taken for congestion: ssthresh kept its segments. */
	assert_true(h_tcb(t.h, t.c)->ssthresh / h_tcb(t.h, t.c)->snd_mss + 1 >= ssthresh_segments);
	h_free(t.h);
}

static void cfg_always_probe(struct sf_config *cfg)
{
	cfg->mtu_probing = 2;
}

/* mtu_probing 2: every connection starts at the base size and probes up from the first flight. */
static void test_always_probe_starts_at_base(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_always_probe);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 984);
	assert_int_equal(sf_send(t.h->st, t.c, data, 60000), 60000);
	struct sf_segment s = h_next(t.h);
	assert_int_equal(s.payload_len, 984 + (1262 - 1024)); /* the probe: halfway to 1500 */
	assert_int_equal(h_next(t.h).payload_len, 984);
	assert_int_equal(t.h->nmtu_probes, 1); /* the trace tells the probe from the rest */
	h_free(t.h);
}

/*
 * An ACK-clocked transfer probes too: with the window nearly full, the
 * probe goes as soon as it fits, and the three segments behind it (which
 * would tell of its loss by duplicate ACKs) follow as ACKs open the
 * window. Here 8 segments are in flight of a window of 10: room for the
 * probe, not for the probe and three more.
 */
static void test_probe_in_a_nearly_full_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_always_probe);
	const uint32_t mss = 984, probe = 984 + (1262 - 1024);
	/* Each write is less than a probe and three segments: no probe yet. */
	assert_int_equal(sf_send(t.h->st, t.c, data, 4 * mss), (long)(4 * mss));
	assert_int_equal(sf_send(t.h->st, t.c, data + 4 * mss, 4 * mss), (long)(4 * mss));
	assert_int_equal(take_data(&t, t.base, mss, 100), 8);
	assert_int_equal(h_tcb(t.h, t.c)->cwnd, 10 * mss);
	assert_int_equal(sf_send(t.h->st, t.c, data + 8 * mss, 20000), 20000);
	struct sf_segment s = h_next(t.h);
	assert_int_equal(s.seq, t.base + 8 * mss);
	assert_int_equal(s.payload_len, probe);
	assert_int_equal(t.h->nmtu_probes, 1);
	/* The window is full; an ACK of two segments (slow start: the window
	 * grows by two) lets the three behind it follow. */
	h_expect_none(t.h);
	peer_ack(&t, t.base + 2 * mss);
	assert_int_equal(take_data(&t, t.base + 8 * mss + probe, mss, 100), 3);
	assert_int_equal(t.h->nmtu_probes, 1);
	h_free(t.h);
}

/* Nor is a probe sent into a congestion window that cannot hold three segments behind it. */
static void test_no_probe_in_a_small_window(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_always_probe);
	h_tcb(t.h, t.c)->cwnd = 4 * 984; /* the probe and 2.75 segments */
	assert_int_equal(sf_send(t.h->st, t.c, data, 60000), 60000);
	assert_int_equal(take_data(&t, t.base, 984, 100), 4);
	assert_int_equal(t.h->nmtu_probes, 0);
	h_free(t.h);
}

/* A router that says a probe was too big sets the ceiling of the search (and the path MTU) at once. */
static void test_ptb_for_a_probe(void **state)
{
	(void)state;
	struct conn t;
	open_conn(&t, 4, cfg_always_probe);
	assert_int_equal(sf_send(t.h->st, t.c, data, 60000), 60000);
	h_next(t.h);
	const struct h_out *probe = h_last_sent(t.h);
	assert_int_equal(probe->len, 1262);
	h_icmp_error(t.h, 3, 4, probe->data, probe->len, 0, 1100);
	assert_int_equal(h_counter(t.h, SF_CTR_PMTUDecreases), 1);
	assert_int_equal(h_tcb(t.h, t.c)->probe_hi, 1100);
	assert_int_equal(sf_get_maxseg(t.h->st, t.c), 984); /* the base still fits */
	h_free(t.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptb_lowers_and_resends_v4),
		cmocka_unit_test(test_ptb_lowers_and_resends_v6),
		cmocka_unit_test(test_ptb_below_ipv6_minimum_discarded),
		cmocka_unit_test(test_ptb_tiny_mtu_floored_at_576),
		cmocka_unit_test(test_ptb_without_mtu_uses_plateau),
		cmocka_unit_test(test_ptb_never_raises),
		cmocka_unit_test(test_forged_ptb_blind),
		cmocka_unit_test(test_ptb_shared_by_destination),
		cmocka_unit_test(test_learned_mtu_ages_out),
		cmocka_unit_test(test_icmp_budget_per_connection),
		cmocka_unit_test(test_black_hole_sizes_down),
		cmocka_unit_test(test_black_hole_after_proven_size),
		cmocka_unit_test(test_black_hole_before_last_try),
		cmocka_unit_test(test_black_hole_orphaned_late),
		cmocka_unit_test(test_black_hole_detection_off),
		cmocka_unit_test(test_probing_finds_the_path_mtu),
		cmocka_unit_test(test_always_probe_starts_at_base),
		cmocka_unit_test(test_ptb_for_a_probe),
		cmocka_unit_test(test_probe_in_a_nearly_full_window),
		cmocka_unit_test(test_no_probe_in_a_small_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
