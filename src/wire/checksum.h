/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Internet checksum (RFC 1071) and the TCP pseudo-header sums
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
 */
#ifndef SYNFIN_CHECKSUM_H
#define SYNFIN_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

/**
 * Add the 16-bit big-endian words of data to a running 32-bit one's-complement
 * accumulator (an odd final byte is padded with zero). Chained calls must give
 * every piece but the last an even length.
 */
uint32_t sf_csum_add(uint32_t sum, const void *data, size_t len);

/**
 * Copy len bytes from src to dst and return their running sum (as
 * sf_csum_add(0, src, len)), in one pass. Overlapping buffers are handled
 * (copied as by memmove, then summed).
 */
uint32_t sf_csum_copy(void *dst, const void *src, size_t len);

/** The sum of a block that starts at an odd offset of the segment: byte-swapped (RFC 1071 §2(B)). */
uint32_t sf_csum_swap(uint32_t sum);

/** Fold a running sum to 16 bits and complement it: the value to put on the wire. */
uint16_t sf_csum_finish(uint32_t sum);

/** The running sum of the pseudo-header for src, dst (same family), the upper-layer length and protocol. */
uint32_t sf_csum_pseudo_for(const struct sf_addr *src, const struct sf_addr *dst, uint32_t len, uint8_t proto);

/** The running sum of the TCP pseudo-header for src, dst (same family) and tcp_len. */
static inline uint32_t sf_csum_pseudo(const struct sf_addr *src, const struct sf_addr *dst, uint32_t tcp_len)
{
	return sf_csum_pseudo_for(src, dst, tcp_len, 6);
}

#endif
