/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP sequence-number arithmetic (RFC 9293 §3.4): 32-bit numbers compared
 * modulo 2^32: a is "before" b when a - b, taken modulo 2^32, has its top bit
 * set, i.e. b - a lies in (0, 2^31]. At exactly 2^31 apart each is "before" the
 * other (as with Linux's before()); the window rules keep the numbers compared
 * far closer than that. All arithmetic is on uint32_t, so wraparound is defined.
 */
#ifndef SYNFIN_SEQ_H
#define SYNFIN_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/** a < b in sequence space. */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return ((uint32_t)(a - b) & 0x80000000u) != 0;
}

/** a <= b in sequence space. */
static inline bool seq_leq(uint32_t a, uint32_t b)
{
	return a == b || seq_lt(a, b);
}

static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_lt(b, a); }
static inline bool seq_geq(uint32_t a, uint32_t b) { return seq_leq(b, a); }

/** lo <= x < hi in sequence space (an empty range when lo == hi). */
static inline bool seq_in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}

/** The later of two sequence numbers. */
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? b : a;
}

/** The earlier of two sequence numbers. */
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

#endif
