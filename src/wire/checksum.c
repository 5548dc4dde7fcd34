/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071) and the TCP pseudo-header sums
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
 */
#include "wire/checksum.h"

#include <stdbool.h>
#include <string.h>

/*
 * Fold a wide accumulator back into 32 bits with end-around carry. Because
 * 2^16 == 1 modulo 0xffff, folding at any multiple of 16 bits keeps the
 * one's-complement value (RFC 1071 §2(B), "deferred carries").
 */
static uint32_t fold32(uint64_t s)
{
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static bool little_endian(void)
{
	const uint16_t one = 1;
	uint8_t first;
	memcpy(&first, &one, 1);
	return first == 1;
}

/* Fold a 64-bit sum of words in the machine's order to 16 bits, then put it
 * in network order (RFC 1071 §2(B): swapping the sum swaps the words). */
static uint32_t fold_native(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	uint32_t word = (uint32_t)acc;
	if (little_endian())
		word = ((word & 0xffu) << 8) | (word >> 8);
	return word;
}

/* The two 32-bit halves of a 64-bit word, added into a 64-bit sum: since
 * 2^32 == 1 modulo 0xffff, this keeps the one's-complement value, and with no
 * carry to propagate, independent sums can run side by side. */
static inline uint64_t halves(uint64_t w)
{
	return (w & 0xffffffffu) + (w >> 32);
}

/*
 * RFC 1071 §2(B): the one's-complement sum does not depend on byte order,
 * so it can be taken over words in the machine's own order, eight bytes at
 * a time, and swapped once at the end (§2(A): wider words, folded back).
 * This is the hottest loop of the data path: every byte sent and received
 * passes through it.
 */
uint32_t sf_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, a, b, c, d;

	/* Four independent sums, no carry chain: the loop runs at the
	 * machine's load rate, not at one dependent add per word. Each sum
	 * takes at most two 32-bit values per 32 bytes, far from overflowing
	 * 64 bits for any datagram. */
	while (len >= 32) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		s0 += halves(a);
		s1 += halves(b);
		s2 += halves(c);
		s3 += halves(d);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&a, p, 8);
		s0 += halves(a);
		p += 8;
		len -= 8;
	}
	uint64_t acc = s0 + s1 + s2 + s3;
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	/* An odd final byte is the first byte of a word padded with zero
	 * (RFC 1071 §1): in the machine's own order that is its low byte on a
	 * little-endian machine, its high byte on a big-endian one. */
	if (len)
		acc += little_endian() ? p[0] : (uint64_t)p[0] << 8;
	return fold32((uint64_t)sum + fold_native(acc));
}

uint32_t sf_csum_copy(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uintptr_t ds = (uintptr_t)d, ss = (uintptr_t)s;

	if (len == 0)
		return 0;
	if ((ds < ss + len && ss < ds + len)) {
		memmove(d, s, len);
		return sf_csum_add(0, d, len);
	}
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, a, b, c, e;
	size_t n = len;
	while (n >= 32) {
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		memcpy(&c, s + 16, 8);
		memcpy(&e, s + 24, 8);
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		memcpy(d + 16, &c, 8);
		memcpy(d + 24, &e, 8);
		s0 += halves(a);
		s1 += halves(b);
		s2 += halves(c);
		s3 += halves(e);
		s += 32;
		d += 32;
		n -= 32;
	}
	uint64_t acc = s0 + s1 + s2 + s3;
	/* The last few bytes through the ordinary sum, at an even offset. */
	memcpy(d, s, n);
	uint32_t rest = sf_csum_add(0, s, n);
	return fold32((uint64_t)fold_native(acc) + rest);
}

uint32_t sf_csum_swap(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return ((sum & 0xffu) << 8) | (sum >> 8);
}

uint16_t sf_csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t sf_csum_pseudo_for(const struct sf_addr *src, const struct sf_addr *dst, uint32_t len, uint8_t proto)
{
	uint64_t s;

	if (src->family == SF_AF_INET) {
		/*
		 * RFC 9293 §3.1: source, destination, zero, the protocol (PTCL, 6 for TCP) and the
		 * 16-bit TCP length. The two addresses are summed as machine
		 * words and folded once (RFC 1071 §2(B)): every segment in and
		 * out pays for this.
		 */
		uint32_t a, b;
		memcpy(&a, src->bytes, 4);
		memcpy(&b, dst->bytes, 4);
		s = fold_native((uint64_t)a + b);
		s += proto;
		s += len & 0xffffu;
	} else {
		/*
		 * RFC 8200 §8.1: source, destination, the 32-bit upper-layer
		 * packet length, three zero bytes and the next header (6 for TCP).
		 */
		s = sf_csum_add(0, src->bytes, 16);
		s += sf_csum_add(0, dst->bytes, 16);
		s += len >> 16;
		s += len & 0xffffu;
		s += proto;
	}
	return fold32(s);
}
