/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5, RFC 5722, RFC 6946,
 * RFC 7112): the peer's SYN (40 bytes of TCP: MSS, SACK, timestamps, window
 * scale) cut into fragments and injected raw; a whole datagram answers with
 * its SYN,ACK, anything else with nothing and a named drop. The stack's own
 * accounting (st->reasm) is checked against its caps.
 */
#include <errno.h>
#include <string.h>

#include "core/service.h"
#include "harness.h"
#include "wire/checksum.h"

#define LPORT 80
#define PEER_ISN 1000u

/* The peer's SYN from src (NULL: the peer) to dst (NULL: the stack) as one whole datagram. */
static size_t whole_syn(struct harness *h, const struct sf_addr *src, const struct sf_addr *dst, uint8_t tclass,
			uint8_t *buf)
{
	struct sf_segment seg = {
		.src = src ? *src : h->peer, .dst = dst ? *dst : h->local, .sport = 40000, .dport = LPORT,
		.seq = PEER_ISN, .flags = SF_TCP_SYN, .window = 65535, .tclass = tclass,
		.opt = { .has_mss = 1, .mss = 1460, .sack_permitted = 1, .has_timestamp = 1, .ts_val = 7,
			 .has_wscale = 1, .wscale = 7 },
	};
	size_t n = sf_segment_build(buf, 2048, &seg);
	assert_int_equal(n, (seg.src.family == SF_AF_INET ? 20u : 40u) + 40u);
	return n;
}

/*
 * One fragment of a whole datagram (its IP header alone unfragmentable), by
 * named fields as h_send's segments: the data [off, off + len) of the whole
 * (or len bytes of data), MF / M more, identification id. IPv6 extras: pre,
 * Destination Options headers put before the Fragment header (the last
 * naming it, 44), and nh, the Fragment header's Next Header (0: the
 * whole's). ce marks the fragment CE.
 */
struct frag_spec {
	uint32_t id, off, len;
	bool more;
	const uint8_t *data;
	const uint8_t *pre;
	size_t npre;
	uint8_t nh;
	bool ce;
};
#define frag(h, w, ...) frag_send((h), (w), &(const struct frag_spec){ __VA_ARGS__ })

static size_t frag_build(const uint8_t *w, const struct frag_spec *f, uint8_t *out)
{
	const uint8_t *data = f->data ? f->data : w + ((w[0] >> 4) == 6 ? 40 : (size_t)(w[0] & 15) * 4) + f->off;
	if ((w[0] >> 4) == 4) {
		size_t hl = (size_t)(w[0] & 15) * 4;
		memcpy(out, w, hl);
		sf_put16(out + 2, (uint16_t)(hl + f->len));
		sf_put16(out + 4, (uint16_t)f->id);
		sf_put16(out + 6, (uint16_t)((f->more ? 0x2000 : 0) | f->off / 8));
		if (f->ce)
			out[1] |= 3;
		sf_put16(out + 10, 0);
		sf_put16(out + 10, sf_csum_finish(sf_csum_add(0, out, hl)));
		memcpy(out + hl, data, f->len);
		return hl + f->len;
	}
	memcpy(out, w, 40);
	if (f->ce)
		out[1] |= 0x30;
	size_t at = 40;
	out[6] = 44;
	if (f->npre) {
		memcpy(out + 40, f->pre, f->npre);
		out[6] = 60;
		at += f->npre;
	}
	out[at] = f->nh ? f->nh : w[6];
	out[at + 1] = 0;
	sf_put16(out + at + 2, (uint16_t)(f->off | (f->more ? 1 : 0)));
	sf_put32(out + at + 4, f->id);
	memcpy(out + at + 8, data, f->len);
	sf_put16(out + 4, (uint16_t)(at + 8 + f->len - 40));
	return at + 8 + f->len;
}

static void frag_send(struct harness *h, const uint8_t *w, const struct frag_spec *f)
{
	uint8_t out[70000];
	h_inject_raw(h, out, frag_build(w, f, out));
}

static void expect_synack(struct harness *h)
{
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ack, PEER_ISN + 1);
	assert_int_equal(sa.opt.has_mss, 1); /* the SYN's options all came through */
	assert_int_equal(sa.opt.has_timestamp, 1);
	assert_int_equal(sa.opt.ts_ecr, 7);
	assert_int_equal(sa.opt.has_wscale, 1);
}

static uint64_t ctr(const struct harness *h, enum sf_counter_id v4, enum sf_counter_id v6)
{
	return h_counter(h, h->family == 6 ? v6 : v4);
}

/* Nothing held: no queue, no source, no byte. */
static void expect_nothing_held(const struct harness *h)
{
	assert_int_equal(h->st->reasm.nqueues, 0);
	assert_int_equal(h->st->reasm.bytes, 0);
}

/*
 * The SYN in n pieces (2: 24 + 16 bytes; 3: 24 + 8 + 8; an IPv6 first
 * fragment holds the whole TCP header, RFC 7112), sent in the order
 * given: nothing answers until the last, which makes it whole and draws the
 * SYN,ACK; nothing is left held and nothing was dropped.
 */
static void syn_in_pieces(int family, size_t n, const size_t *order)
{
	static const uint32_t cut2[] = { 0, 24, 40 }, cut3[] = { 0, 24, 32, 40 };
	const uint32_t *cut = n == 2 ? cut2 : cut3;
	struct harness *h = h_new(family, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);

	for (size_t i = 0; i < n; i++) {
		size_t k = order[i];
		frag(h, w, .id = 77, .off = cut[k], .len = cut[k + 1] - cut[k], .more = k + 1 < n);
		if (i + 1 < n) {
			h_expect_none(h);
			assert_int_equal(h->st->reasm.nqueues, 1);
			assert_true(h->st->reasm.bytes > 0);
		}
	}
	expect_synack(h);
	expect_nothing_held(h);
	assert_int_equal(ctr(h, SF_CTR_IpReasmReqds, SF_CTR_Ip6ReasmReqds), n);
	assert_int_equal(ctr(h, SF_CTR_IpReasmOKs, SF_CTR_Ip6ReasmOKs), 1);
	assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 0);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 0);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), 1); /* TCP saw one segment */
	assert_int_equal(sf_reasm_next_deadline(h->st), UINT64_MAX);
	h_free(h);
}

static void test_syn_in_two_fragments(void **state)
{
	(void)state;
	static const size_t in_order[] = { 0, 1 }, reversed[] = { 1, 0 };
	for (int fam = 4; fam <= 6; fam += 2) {
		syn_in_pieces(fam, 2, in_order);
		syn_in_pieces(fam, 2, reversed);
	}
}

static void test_syn_in_three_fragments(void **state)
{
	(void)state;
	static const size_t orders[][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 }, { 2, 1, 0 } };
	for (int fam = 4; fam <= 6; fam += 2)
		for (size_t i = 0; i < 4; i++)
			syn_in_pieces(fam, 3, orders[i]);
}

/* RFC 8200 §4.5: the Next Header of fragments after the first may differ; only the first's counts. */
static void test_v6_later_next_header_ignored(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	frag(h, w, .id = 5, .off = 24, .len = 16, .nh = 17);
	frag(h, w, .id = 5, .off = 0, .len = 24, .more = true);
	expect_synack(h);
	h_free(h);
}

/* The unfragmentable part keeps its headers: the Next Header that named the Fragment header now names TCP. */
static void test_v6_unfragmentable_headers_kept(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	static const uint8_t dst_opts[8] = { 44, 0, 1, 4, 0, 0, 0, 0 }; /* Destination Options, PadN */
	frag(h, w, .id = 6, .off = 0, .len = 24, .more = true, .pre = dst_opts, .npre = 8);
	frag(h, w, .id = 6, .off = 24, .len = 16, .pre = dst_opts, .npre = 8);
	expect_synack(h);
	assert_int_equal(h_counter(h, SF_CTR_Ip6ReasmOKs), 1);
	h_free(h);
}

/* RFC 6946: an atomic fragment (offset 0, M 0) is a whole datagram, processed at once and never queued. */
static void test_v6_atomic_fragment_at_once(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	frag(h, w, .id = 9, .off = 0, .len = 40);
	expect_synack(h);
	assert_int_equal(h_counter(h, SF_CTR_Ip6ReasmReqds), 0);
	assert_int_equal(h_counter(h, SF_CTR_Ip6ReasmOKs), 0);
	expect_nothing_held(h);
	h_free(h);
}

/* An ICMP error can come in fragments too: made whole, it goes the not-TCP way and ends the connect. */
static void fragmented_icmp_error(int family)
{
	struct harness *h = h_new(family, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = &h->out[h->next_out - 1];
	bool v6 = family == 6;
	uint8_t buf[2048];
	size_t ip = v6 ? 40 : 20, icmp_len = 8 + syn->len, len = ip + icmp_len;
	struct sf_addr router;
	assert_int_equal(sf_addr_parse(v6 ? "2001:db8:ff::7" : "198.51.100.7", &router), 0);

	/* Port unreachable (hard), quoting the whole SYN. */
	memset(buf, 0, len);
	uint8_t *icmp = buf + ip;
	icmp[0] = v6 ? 1 : 3;
	icmp[1] = v6 ? 4 : 3;
	memcpy(icmp + 8, syn->data, syn->len);
	uint32_t sum = 0;
	if (v6) {
		buf[0] = 0x60;
		sf_put16(buf + 4, (uint16_t)icmp_len);
		buf[6] = 58;
		buf[7] = 64;
		memcpy(buf + 8, router.bytes, 16);
		memcpy(buf + 24, h->local.bytes, 16);
		sum = sf_csum_pseudo_for(&router, &h->local, (uint32_t)icmp_len, 58);
	} else {
		buf[0] = 0x45;
		sf_put16(buf + 2, (uint16_t)len);
		buf[8] = 64;
		buf[9] = 1;
		memcpy(buf + 12, router.bytes, 4);
		memcpy(buf + 16, h->local.bytes, 4);
	}
	sf_put16(icmp + 2, sf_csum_finish(sf_csum_add(sum, icmp, icmp_len)));
	frag(h, buf, .id = 3, .off = 32, .len = (uint32_t)icmp_len - 32);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	frag(h, buf, .id = 3, .off = 0, .len = 32, .more = true);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(sf_take_error(h->st, s), -ECONNREFUSED);
	assert_int_equal(ctr(h, SF_CTR_IpReasmOKs, SF_CTR_Ip6ReasmOKs), 1);
	assert_int_equal(ctr(h, SF_CTR_IcmpInDestUnreachs, SF_CTR_Icmp6InDestUnreachs), 1);
	h_expect_none(h);
	h_free(h);
}

static void test_fragmented_icmp_error(void **state)
{
	(void)state;
	fragmented_icmp_error(4);
	fragmented_icmp_error(6);
}

/*
 * RFC 5722 §4 (and IPv4 as Linux): a fragment overlapping one held discards
 * the whole datagram, and every fragment of it that comes later until the
 * reassembly timeout, even a complete new set. Then it can be sent again.
 */
static void overlap_kills_datagram(int family, uint32_t off, uint32_t len, bool more)
{
	struct harness *h = h_new(family, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	uint64_t timeout = (family == 6 ? 60 : 30) * 1000;

	frag(h, w, .id = 1, .off = 16, .len = 16, .more = true);
	frag(h, w, .id = 1, .off = off, .len = len, .more = more);
	assert_int_equal(h_drops(h, SF_DROP_REASM_OVERLAP), 2); /* the one held and the one overlapping */
	assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 1);
	assert_int_equal(h->st->reasm.nqueues, 1); /* the dead record */
	frag(h, w, .id = 1, .off = 32, .len = 8);
	assert_int_equal(h_drops(h, SF_DROP_REASM_DISCARDED), 1);
	frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
	frag(h, w, .id = 1, .off = 24, .len = 8, .more = true);
	frag(h, w, .id = 1, .off = 32, .len = 8);
	assert_int_equal(h_drops(h, SF_DROP_REASM_DISCARDED), 4);
	h_expect_none(h);
	/* Another identification is another datagram. */
	frag(h, w, .id = 2, .off = 0, .len = 24, .more = true);
	frag(h, w, .id = 2, .off = 24, .len = 16);
	expect_synack(h);
	/* The dead record goes at its timeout, counted as nothing more. */
	h_advance(h, timeout);
	expect_nothing_held(h);
	assert_int_equal(ctr(h, SF_CTR_IpReasmTimeout, SF_CTR_Ip6ReasmTimeout), 0);
	assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 1);
	assert_int_equal(h_drops(h, SF_DROP_REASM_TIMEOUT), 0);
	h_free(h);
}

static void test_overlap_kills_datagram(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		overlap_kills_datagram(fam, 24, 16, false); /* over its end */
		overlap_kills_datagram(fam, 8, 16, true);   /* over its start */
		overlap_kills_datagram(fam, 16, 8, true);   /* the same start, shorter */
		overlap_kills_datagram(fam, 16, 24, false); /* the same start, longer */
		overlap_kills_datagram(fam, 16, 16, false); /* the same range, but the last */
	}
}

/* An exact duplicate (same offset and length) drops only itself, as Linux. */
static void test_duplicate_fragment_tolerated(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, NULL);
		uint8_t w[2048];
		whole_syn(h, NULL, NULL, 0, w);
		h_listen(h, LPORT, 8);
		frag(h, w, .id = 4, .off = 24, .len = 16);
		frag(h, w, .id = 4, .off = 24, .len = 16);
		assert_int_equal(h_drops(h, SF_DROP_REASM_DUPLICATE), 1);
		frag(h, w, .id = 4, .off = 0, .len = 24, .more = true);
		expect_synack(h);
		assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 0);
		assert_int_equal(ctr(h, SF_CTR_IpReasmReqds, SF_CTR_Ip6ReasmReqds), 3);
		expect_nothing_held(h);
		h_free(h);
	}
}

/* The last fragment sets the length: a fragment past it, or a second last one elsewhere, discards the datagram. */
static void test_inconsistent_end_discards(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, NULL);
		uint8_t w[2048];
		whole_syn(h, NULL, NULL, 0, w);
		frag(h, w, .id = 8, .off = 16, .len = 8);            /* last: ends at 24 */
		frag(h, w, .id = 8, .off = 24, .len = 16, .more = true);
		assert_int_equal(h_drops(h, SF_DROP_REASM_INCONSISTENT), 2);
		frag(h, w, .id = 9, .off = 32, .len = 8);            /* last: ends at 40 */
		frag(h, w, .id = 9, .off = 16, .len = 8);            /* a second last, ending at 24 */
		assert_int_equal(h_drops(h, SF_DROP_REASM_INCONSISTENT), 4);
		assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 2);
		h_free(h);
	}
}

/*
 * RFC 8200 §4.5 (60 s), Linux's ipfrag_time (30 s): a datagram not whole in
 * time from its first fragment is given up, its fragments dropped and their
 * memory freed. Until then they are held, not dropped.
 */
static void timeout_frees(int family)
{
	struct harness *h = h_new(family, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	uint64_t timeout_ms = family == 6 ? 60000 : 30000;
	uint64_t start = h->now;

	frag(h, w, .id = 11, .off = 0, .len = 24, .more = true);
	assert_int_equal(sf_next_deadline(h->st), start + timeout_ms * H_MS);
	h_advance(h, 20000);
	frag(h, w, .id = 11, .off = 32, .len = 8); /* later fragments do not restart the clock */
	assert_int_equal(sf_next_deadline(h->st), start + timeout_ms * H_MS);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 0);
	h_advance(h, timeout_ms - 20000 - 1);
	assert_int_equal(h->st->reasm.nqueues, 1);
	h_advance(h, 1);
	expect_nothing_held(h);
	assert_int_equal(ctr(h, SF_CTR_IpReasmTimeout, SF_CTR_Ip6ReasmTimeout), 1);
	assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 1);
	assert_int_equal(h_drops(h, SF_DROP_REASM_TIMEOUT), 2);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 2);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	/* RFC 792, RFC 8200 §4.5: its first fragment came, so the source
	 * hears of it: Time Exceeded, code 1, quoting that fragment as sent. */
	assert_int_equal(h_pending(h), 1);
	const struct h_out *te = &h->out[h->next_out++];
	size_t ip = family == 6 ? 40 : 20;
	uint8_t first[128];
	size_t fn = frag_build(w, &(const struct frag_spec){ .id = 11, .off = 0, .len = 24, .more = true }, first);
	assert_int_equal(te->data[ip], family == 6 ? 3 : 11);
	assert_int_equal(te->data[ip + 1], 1);
	assert_int_equal(te->len, ip + 8 + fn);
	assert_memory_equal(te->data + ip + 8, first, fn);
	assert_int_equal(ctr(h, SF_CTR_IcmpOutTimeExcds, SF_CTR_Icmp6OutTimeExcds), 1);
	/* The missing piece now is a fragment of a new datagram, held anew;
	 * without its first fragment, its timeout tells no one. */
	frag(h, w, .id = 11, .off = 24, .len = 8, .more = true);
	assert_int_equal(h->st->reasm.nqueues, 1);
	h_advance(h, timeout_ms);
	expect_nothing_held(h);
	h_expect_none(h);
	assert_int_equal(ctr(h, SF_CTR_IcmpOutTimeExcds, SF_CTR_Icmp6OutTimeExcds), 1);
	h_free(h);
}

static void test_timeout_frees_memory(void **state)
{
	(void)state;
	timeout_frees(4);
	timeout_frees(6);
}

static void cfg_small_cap(struct sf_config *cfg) { cfg->reasm_max_bytes = 64 * 1024; }

static struct sf_addr source_n(int family, unsigned n)
{
	if (family == 4)
		return sf_addr_v4(198, 51, 100, (uint8_t)n);
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = (uint8_t)n };
	return sf_addr_v6(b);
}

/*
 * A flood of incomplete datagrams (first fragments, distinct
 * identifications) from one source never holds more than its quarter of
 * reasm_max_bytes, evicting its own oldest; another source still gets its
 * datagram made whole. Every fragment is held or dropped as evicted.
 */
static void flood_one_source(int family, uint32_t cap, unsigned count)
{
	struct harness *h = h_new(family, NULL);
	assert_int_equal(h->cfg.reasm_max_bytes, cap);
	uint8_t w[2048], other[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	size_t max_seen = 0;

	for (unsigned i = 0; i < count; i++) {
		frag(h, w, .id = i, .off = 0, .len = 24, .more = true);
		size_t src_bytes = sf_reasm_source_bytes(h->st, &h->peer);
		assert_true(src_bytes <= cap / 4);
		assert_true(h->st->reasm.bytes <= cap);
		if (src_bytes > max_seen)
			max_seen = src_bytes;
	}
	assert_true(max_seen > cap / 4 - 1024); /* the share was used, not wasted */
	assert_int_equal(h_drops(h, SF_DROP_REASM_EVICTED) + h->st->reasm.nqueues, count);
	assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), h_drops(h, SF_DROP_REASM_EVICTED));
	h_expect_none(h);

	struct sf_addr b = source_n(family, 200);
	whole_syn(h, &b, NULL, 0, other);
	frag(h, other, .id = 1, .off = 24, .len = 16);
	frag(h, other, .id = 1, .off = 0, .len = 24, .more = true);
	expect_synack(h);
	h_free(h);
}

static void test_flood_from_one_source_bounded(void **state)
{
	(void)state;
	flood_one_source(4, 4u << 20, 100000);
	flood_one_source(6, 4u << 20, 100000);
}

/* Many sources: the whole stays under reasm_max_bytes (the oldest evicted first), and one more source still gets through. */
static void test_flood_from_many_sources_bounded(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, cfg_small_cap);
		uint32_t cap = h->cfg.reasm_max_bytes;
		uint8_t w[8][2048], other[2048];
		for (unsigned k = 0; k < 8; k++) {
			struct sf_addr a = source_n(fam, 10 + k);
			whole_syn(h, &a, NULL, 0, w[k]);
		}
		h_listen(h, LPORT, 8);
		for (unsigned i = 0; i < 20000; i++) {
			frag(h, w[i % 8], .id = i, .off = 0, .len = 24, .more = true);
			assert_true(h->st->reasm.bytes <= cap);
			for (unsigned k = 0; k < 8; k++) {
				struct sf_addr a = source_n(fam, 10 + k);
				assert_true(sf_reasm_source_bytes(h->st, &a) <= cap / 4);
			}
		}
		assert_true(h->st->reasm.bytes > cap - 1024);
		assert_int_equal(h_drops(h, SF_DROP_REASM_EVICTED) + h->st->reasm.nqueues, 20000);
		struct sf_addr b = source_n(fam, 200);
		whole_syn(h, &b, NULL, 0, other);
		frag(h, other, .id = 1, .off = 24, .len = 16);
		frag(h, other, .id = 1, .off = 0, .len = 24, .more = true);
		expect_synack(h);
		h_free(h);
	}
}

static void cfg_tiny_cap(struct sf_config *cfg) { cfg->reasm_max_bytes = 4096; }
static void cfg_no_reasm(struct sf_config *cfg) { cfg->reasm_max_bytes = 0; }

/* A fragment no eviction makes room for (over a source's share by itself; reassembly off) is refused. */
static void test_no_room(void **state)
{
	(void)state;
	static const uint8_t zeros[1200];
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, cfg_tiny_cap);
		uint8_t w[2048];
		whole_syn(h, NULL, NULL, 0, w);
		frag(h, w, .id = 1, .off = 0, .len = 1200, .more = true, .data = zeros);
		assert_int_equal(h_drops(h, SF_DROP_REASM_NO_ROOM), 1);
		assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 1);
		expect_nothing_held(h);
		/* A small one fits. */
		frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
		assert_int_equal(h->st->reasm.nqueues, 1);
		h_free(h);

		h = h_new(fam, cfg_no_reasm);
		whole_syn(h, NULL, NULL, 0, w);
		h_listen(h, LPORT, 8);
		frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
		frag(h, w, .id = 1, .off = 24, .len = 16);
		assert_int_equal(h_drops(h, SF_DROP_REASM_NO_ROOM), 2);
		h_expect_none(h);
		assert_null(h->st->reasm.buf); /* nothing was ever allocated */
		h_free(h);
	}
}

/* RFC 791, RFC 8200 §4.5: a fragment ending past 65535 bytes of datagram is dropped, nothing held. */
static void test_too_long_dropped(void **state)
{
	(void)state;
	static const uint8_t zeros[16];
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, NULL);
		uint8_t w[2048];
		whole_syn(h, NULL, NULL, 0, w);
		frag(h, w, .id = 1, .off = 65520, .len = 16, .data = zeros);
		assert_int_equal(h_drops(h, SF_DROP_FRAG_TOO_LONG), 1);
		assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 1);
		/* Not a multiple of 8 though more follow. */
		frag(h, w, .id = 1, .off = 8, .len = 12, .more = true);
		assert_int_equal(h_drops(h, SF_DROP_FRAG_BAD_LENGTH), 1);
		expect_nothing_held(h);
		h_free(h);
	}
}

/* RFC 7112, RFC 8200 §4.5: a first IPv6 fragment without the whole TCP header is dropped. */
static void test_v6_first_fragment_without_upper_header(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	frag(h, w, .id = 1, .off = 0, .len = 16, .more = true);
	assert_int_equal(h_drops(h, SF_DROP_FRAG_HEADERS_INCOMPLETE), 1);
	assert_int_equal(h_counter(h, SF_CTR_Ip6ReasmFails), 1);
	expect_nothing_held(h);
	/* 24 bytes hold it. */
	frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
	frag(h, w, .id = 1, .off = 24, .len = 16);
	expect_synack(h);
	h_free(h);
}

/* The whole IPv6 SYN w with the extension headers ext (n bytes, the last naming TCP) after its header; into out. */
static size_t syn_with_ext(const uint8_t *w, uint8_t first, const uint8_t *ext, size_t n, uint8_t *out)
{
	memcpy(out, w, 40);
	memcpy(out + 40, ext, n);
	memcpy(out + 40 + n, w + 40, 40);
	out[6] = first;
	sf_put16(out + 4, (uint16_t)(40 + n));
	return 80 + n;
}

/* RFC 5095 §3: a type 0 Routing header with segments left is dropped under its own reason; with none left it is passed. */
static void test_v6_routing_type0(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048], d[2048];
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	uint8_t rh0[24] = { 6, 2, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, [23] = 9 };
	h_inject_raw(h, d, syn_with_ext(w, 43, rh0, sizeof rh0, d));
	assert_int_equal(h_drops(h, SF_DROP_IPV6_ROUTING_TYPE0), 1);
	h_expect_none(h);
	rh0[3] = 0;
	h_inject_raw(h, d, syn_with_ext(w, 43, rh0, sizeof rh0, d));
	expect_synack(h);
	h_free(h);
}

/* At most 8 extension headers: 8 Destination Options headers pass, 9 are dropped. */
static void test_v6_extension_chain_limit(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t w[2048], d[2048], chain[9 * 8] = { 0 };
	whole_syn(h, NULL, NULL, 0, w);
	h_listen(h, LPORT, 8);
	for (size_t i = 0; i < 9; i++) {
		chain[8 * i] = i == 8 ? 6 : 60;
		chain[8 * i + 2] = 1;
		chain[8 * i + 3] = 4;
	}
	h_inject_raw(h, d, syn_with_ext(w, 60, chain, sizeof chain, d));
	assert_int_equal(h_drops(h, SF_DROP_IPV6_EXT_CHAIN_LONG), 1);
	h_expect_none(h);
	h_inject_raw(h, d, syn_with_ext(w, 60, chain + 8, sizeof chain - 8, d));
	expect_synack(h);
	h_free(h);
}

/* Fragments to an address not ours are not kept; a martian source's are dropped as any datagram's. */
static void test_not_ours_not_held(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, NULL);
		uint8_t w[2048];
		struct sf_addr elsewhere = source_n(fam, 99);
		whole_syn(h, NULL, &elsewhere, 0, w);
		frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
		assert_int_equal(h_drops(h, SF_DROP_NOT_LOCAL), 1);
		struct sf_addr multicast;
		assert_int_equal(sf_addr_parse(fam == 4 ? "224.0.0.9" : "ff02::9", &multicast), 0);
		whole_syn(h, &multicast, NULL, 0, w);
		frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
		assert_int_equal(h_drops(h, SF_DROP_MARTIAN_SOURCE), 1);
		expect_nothing_held(h);
		assert_int_equal(ctr(h, SF_CTR_IpReasmFails, SF_CTR_Ip6ReasmFails), 0);
		h_free(h);
	}
}

/* RFC 3168 §5.3: a CE mark on any fragment of an ECN-capable datagram marks the datagram made whole. */
static void test_ce_on_a_fragment_marks_datagram(void **state)
{
	(void)state;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct harness *h = h_new(fam, NULL);
		uint8_t w[2048];
		whole_syn(h, NULL, NULL, SF_ECN_ECT0, w);
		h_listen(h, LPORT, 8);
		frag(h, w, .id = 1, .off = 0, .len = 24, .more = true);
		frag(h, w, .id = 1, .off = 24, .len = 16, .ce = true);
		expect_synack(h);
		assert_int_equal(h_counter(h, SF_CTR_InCEPkts), 1);
		h_free(h);
	}
}

static void no_output(void *ctx, const uint8_t *dgram, size_t len)
{
	(void)ctx, (void)dgram, (void)len;
}

static void cfg_huge_cap(struct sf_config *cfg) { cfg->reasm_max_bytes = (1u << 30) + 1; }

/* reasm_max_bytes: 4 MiB by default (Linux's ipfrag_high_thresh), at most 1 GiB. */
static void test_config(void **state)
{
	(void)state;
	struct sf_config cfg;
	sf_config_default(&cfg);
	assert_int_equal(cfg.reasm_max_bytes, 4u << 20);
	cfg.output = no_output;
	cfg.deterministic_insecure = 1;
	cfg_huge_cap(&cfg);
	assert_null(sf_stack_new(&cfg, 0));
	cfg.reasm_max_bytes = 1u << 30;
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
	/* A caller built before the field gets the default. */
	cfg.size = (uint32_t)offsetof(struct sf_config, reasm_max_bytes);
	st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	assert_int_equal(st->cfg.reasm_max_bytes, 4u << 20);
	sf_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_in_two_fragments),
		cmocka_unit_test(test_syn_in_three_fragments),
		cmocka_unit_test(test_v6_later_next_header_ignored),
		cmocka_unit_test(test_v6_unfragmentable_headers_kept),
		cmocka_unit_test(test_v6_atomic_fragment_at_once),
		cmocka_unit_test(test_fragmented_icmp_error),
		cmocka_unit_test(test_overlap_kills_datagram),
		cmocka_unit_test(test_duplicate_fragment_tolerated),
		cmocka_unit_test(test_inconsistent_end_discards),
		cmocka_unit_test(test_timeout_frees_memory),
		cmocka_unit_test(test_flood_from_one_source_bounded),
		cmocka_unit_test(test_flood_from_many_sources_bounded),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_too_long_dropped),
		cmocka_unit_test(test_v6_first_fragment_without_upper_header),
		cmocka_unit_test(test_v6_routing_type0),
		cmocka_unit_test(test_v6_extension_chain_limit),
		cmocka_unit_test(test_not_ours_not_held),
		cmocka_unit_test(test_ce_on_a_fragment_marks_datagram),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
