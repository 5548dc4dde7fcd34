/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071) and the TCP pseudo-header sums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/checksum.h"
#include "wire/wire.h"

/* Fold a running sum to 16 bits without complementing it. */
static uint16_t folded(uint32_t sum)
{
	return (uint16_t)~sf_csum_finish(sum);
}

/* RFC 1071 §3: the worked numerical example. */
static void test_rfc1071_example(void **state)
{
	static const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	uint32_t sum = sf_csum_add(0, data, sizeof(data));

	(void)state;
	assert_int_equal(folded(sum), 0xddf2);
	assert_int_equal(sf_csum_finish(sum), 0x220d);
}

/* An odd final byte is padded with a zero low byte (RFC 1071 §1). */
static void test_odd_length(void **state)
{
	static const uint8_t odd[] = {0x01, 0x02, 0x03};
	static const uint8_t padded[] = {0x01, 0x02, 0x03, 0x00};

	(void)state;
	/* 0x0102 + 0x0300 */
	assert_int_equal(folded(sf_csum_add(0, odd, sizeof(odd))), 0x0402);
	assert_int_equal(sf_csum_add(0, odd, sizeof(odd)), sf_csum_add(0, padded, sizeof(padded)));
	/* A lone byte is the high half of a word, not the low. */
	assert_int_equal(folded(sf_csum_add(0, odd, 1)), 0x0100);
	assert_int_equal(sf_csum_finish(sf_csum_add(0, odd, 0)), 0xffff);
}

/* Chained calls with even-length pieces equal one call over everything. */
static void test_chained_equals_oneshot(void **state)
{
	uint8_t data[301];
	size_t i, cut1, cut2;
	uint16_t want;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	want = sf_csum_finish(sf_csum_add(0, data, sizeof(data)));
	for (cut1 = 0; cut1 <= sizeof(data); cut1 += 2) {
		for (cut2 = cut1; cut2 <= sizeof(data); cut2 += 34) {
			uint32_t s = sf_csum_add(0, data, cut1);

			s = sf_csum_add(s, data + cut1, cut2 - cut1);
			s = sf_csum_add(s, data + cut2, sizeof(data) - cut2);
			assert_int_equal(sf_csum_finish(s), want);
		}
	}
}

/* RFC 1071 §1 taken literally: big-endian 16-bit words, an odd last byte
 * padded with zero, end-around carries folded at the end. */
static uint16_t reference_sum(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Against the literal definition: every length up to two MTUs and beyond a
 * jumbo frame, at every alignment, random bytes, summed and copy-summed. */
static void test_matches_reference_sum(void **state)
{
	(void)state;
	static uint8_t src[9100 + 8], dst[9100 + 8];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof src; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		src[i] = (uint8_t)x;
	}
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 9100; len += (len < 3100 ? 1 : 97)) {
			uint16_t want = reference_sum(src + off, len);
			assert_int_equal(folded(sf_csum_add(0, src + off, len)), want);
			assert_int_equal(folded(sf_csum_copy(dst + (7 - off), src + off, len)), want);
		}
	}
}

/* Carries must not be lost on buffers far larger than 65536 words. */
static void test_large_buffer_carries(void **state)
{
	size_t len = 1u << 20;
	uint8_t *data = malloc(len);
	uint32_t s;

	(void)state;
	assert_non_null(data);
	/* All ones: every word is 0xffff, so the folded sum stays 0xffff. */
	memset(data, 0xff, len);
	s = sf_csum_add(0, data, len);
	assert_int_equal(folded(s), 0xffff);
	assert_int_equal(sf_csum_finish(s), 0);
	/* A running sum near 2^32 must also fold correctly. */
	s = sf_csum_add(0xffffffffu, data, len);
	assert_int_equal(folded(s), 0xffff);
	/* 0x0101 words: 2^19 of them sum to 0x0101 * 2^19 mod 0xffff. */
	memset(data, 0x01, len);
	s = sf_csum_add(0, data, len);
	assert_int_equal(folded(s), (uint16_t)((0x0101ull << 19) % 0xffff));
	free(data);
}

/* A real IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199) with checksum 0xb861. */
static void test_ipv4_header_checksum(void **state)
{
	uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	(void)state;
	/* Summing a correct header including its checksum gives zero. */
	assert_int_equal(sf_csum_finish(sf_csum_add(0, hdr, sizeof(hdr))), 0);
	hdr[10] = 0;
	hdr[11] = 0;
	assert_int_equal(sf_csum_finish(sf_csum_add(0, hdr, sizeof(hdr))), 0xb861);
}

/* RFC 9293 §3.1: the 12-byte IPv4 pseudo-header laid out by hand. */
static void test_pseudo_v4_layout(void **state)
{
	struct sf_addr src = sf_addr_v4(192, 0, 2, 1);
	struct sf_addr dst = sf_addr_v4(198, 51, 100, 254);
	static const uint8_t ph[12] = {192, 0, 2, 1, 198, 51, 100, 254, 0, 6, 0x05, 0xdc};

	(void)state;
	assert_int_equal(folded(sf_csum_pseudo(&src, &dst, 1500)), folded(sf_csum_add(0, ph, sizeof(ph))));
	/* The sum depends on the length and on both addresses. */
	assert_int_not_equal(folded(sf_csum_pseudo(&src, &dst, 1501)), folded(sf_csum_add(0, ph, sizeof(ph))));
	assert_int_not_equal(folded(sf_csum_pseudo(&dst, &dst, 1500)), folded(sf_csum_add(0, ph, sizeof(ph))));
}

/* RFC 8200 §8.1: the 40-byte IPv6 pseudo-header with a 32-bit length. */
static void test_pseudo_v6_layout(void **state)
{
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
	uint8_t b[16] = {0xfe, 0x80, [8] = 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	struct sf_addr src = sf_addr_v6(a);
	struct sf_addr dst = sf_addr_v6(b);
	uint8_t ph[40];
	uint32_t lens[] = {20, 1500, 65535, 0x00012345u};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(ph, 0, sizeof(ph));
		memcpy(ph, a, 16);
		memcpy(ph + 16, b, 16);
		sf_put32(ph + 32, lens[i]);
		ph[39] = 6;
		assert_int_equal(folded(sf_csum_pseudo(&src, &dst, lens[i])),
				 folded(sf_csum_add(0, ph, sizeof(ph))));
	}
}

/*
 * Build real datagrams and check that pseudo-header + TCP segment sums to all
 * ones, and that one flipped bit breaks it.
 */
static void check_built_segment(struct sf_addr src, struct sf_addr dst, size_t ip_hlen)
{
	static const uint8_t payload[] = "odd-length payload!";
	struct sf_segment seg;
	uint8_t buf[200];
	size_t len;
	uint32_t s;

	memset(&seg, 0, sizeof(seg));
	seg.src = src;
	seg.dst = dst;
	seg.sport = 40000;
	seg.dport = 80;
	seg.seq = 0x01020304;
	seg.flags = SF_TCP_ACK | SF_TCP_PSH;
	seg.window = 1000;
	seg.payload = payload;
	seg.payload_len = sizeof(payload) - 1;
	len = sf_wire_build(buf, sizeof(buf), &seg, NULL, 0);
	assert_int_equal(len, ip_hlen + 20 + seg.payload_len);
	s = sf_csum_pseudo(&src, &dst, (uint32_t)(len - ip_hlen));
	s = sf_csum_add(s, buf + ip_hlen, len - ip_hlen);
	assert_int_equal(folded(s), 0xffff);
	assert_int_equal(sf_csum_finish(s), 0);
	buf[len - 1] ^= 0x10;
	s = sf_csum_pseudo(&src, &dst, (uint32_t)(len - ip_hlen));
	s = sf_csum_add(s, buf + ip_hlen, len - ip_hlen);
	assert_int_not_equal(sf_csum_finish(s), 0);
}

static void test_pseudo_v4_datagram(void **state)
{
	(void)state;
	check_built_segment(sf_addr_v4(10, 0, 0, 1), sf_addr_v4(10, 0, 0, 2), 20);
}

static void test_pseudo_v6_datagram(void **state)
{
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
	uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, 0xcd};

	(void)state;
	check_built_segment(sf_addr_v6(a), sf_addr_v6(b), 40);
}

/* sf_csum_copy copies and sums in one pass: the same sum as sf_csum_add over
 * the same bytes, at every length and alignment, and overlapping buffers are
 * moved as by memmove. */
static void test_copy_and_sum(void **state)
{
	(void)state;
	uint8_t src[160], dst[160 + 8], ref[160];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof src; i++) {
		x = x * 1103515245u + 12345u;
		src[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 150; len++) {
			memset(dst, 0xee, sizeof dst);
			uint32_t got = sf_csum_copy(dst + off, src + (7 - off), len);
			assert_memory_equal(dst + off, src + (7 - off), len);
			assert_int_equal(sf_csum_finish(got), sf_csum_finish(sf_csum_add(0, src + (7 - off), len)));
		}
	}
	/* Overlap, both directions. */
	memcpy(ref, src, sizeof src);
	uint32_t s1 = sf_csum_copy(src + 3, src, 100);
	assert_memory_equal(src + 3, ref, 100);
	assert_int_equal(sf_csum_finish(s1), sf_csum_finish(sf_csum_add(0, ref, 100)));
	memcpy(src, ref, sizeof ref);
	uint32_t s2 = sf_csum_copy(src, src + 5, 100);
	assert_memory_equal(src, ref + 5, 100);
	assert_int_equal(sf_csum_finish(s2), sf_csum_finish(sf_csum_add(0, ref + 5, 100)));
}

/* A block summed on its own but lying at an odd offset of the whole is
 * byte-swapped when combined (RFC 1071 §2(B)): odd + rest == whole. */
static void test_odd_offset_swap(void **state)
{
	(void)state;
	static const uint8_t data[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb };
	for (size_t split = 1; split < sizeof data; split += 2) {
		uint32_t a = sf_csum_add(0, data, split);
		uint32_t b = sf_csum_swap(sf_csum_add(0, data + split, sizeof data - split));
		assert_int_equal(sf_csum_finish(a + b), sf_csum_finish(sf_csum_add(0, data, sizeof data)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_and_sum),
		cmocka_unit_test(test_odd_offset_swap),
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_odd_length),
		cmocka_unit_test(test_chained_equals_oneshot),
		cmocka_unit_test(test_matches_reference_sum),
		cmocka_unit_test(test_large_buffer_carries),
		cmocka_unit_test(test_ipv4_header_checksum),
		cmocka_unit_test(test_pseudo_v4_layout),
		cmocka_unit_test(test_pseudo_v6_layout),
		cmocka_unit_test(test_pseudo_v4_datagram),
		cmocka_unit_test(test_pseudo_v6_datagram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
