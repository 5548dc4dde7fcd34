/*
 * The Internet checksum (RFC 1071) and the TCP pseudo-header sums
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
 */
#include "checksum.h"

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

uint32_t sf_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	size_t i;

	/*
	 * A 64-bit accumulator cannot overflow for any buffer that fits in
	 * memory (2^48 words would be needed), so carries are deferred to the
	 * end (RFC 1071 §2(B)).
	 */
	for (i = 0; i + 1 < len; i += 2)
		s += ((uint32_t)p[i] << 8) | p[i + 1];
	/* An odd final byte is the high half of a word padded with zero (RFC 1071 §1). */
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return fold32(s);
}

uint16_t sf_csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t sf_csum_pseudo(const struct sf_addr *src, const struct sf_addr *dst, uint32_t tcp_len)
{
	uint64_t s;

	if (src->family == SF_AF_INET) {
		/*
		 * RFC 9293 §3.1: source, destination, zero, PTCL (6) and the
		 * 16-bit TCP length.
		 */
		s = sf_csum_add(0, src->bytes, 4);
		s += sf_csum_add(0, dst->bytes, 4);
		s += 6;
		s += tcp_len & 0xffffu;
	} else {
		/*
		 * RFC 8200 §8.1: source, destination, the 32-bit upper-layer
		 * packet length, three zero bytes and the next header (6).
		 */
		s = sf_csum_add(0, src->bytes, 16);
		s += sf_csum_add(0, dst->bytes, 16);
		s += tcp_len >> 16;
		s += tcp_len & 0xffffu;
		s += 6;
	}
	return fold32(s);
}
