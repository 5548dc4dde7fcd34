/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small set of disjoint sequence-number ranges [start, end), kept in
 * sequence order, with the recency of each range remembered. One structure
 * serves three purposes of the data path:
 *  - the receiver's out-of-order map: which bytes beyond RCV.NXT are already
 *    in the receive buffer (RFC 9293 SHLD-31: hold segments for later);
 *  - the SACK blocks the receiver reports, most recently changed first
 *    (RFC 2018 §4);
 *  - the sender's scoreboard of SACKed ranges above SND.UNA (RFC 6675).
 * Fixed capacity, no allocation: a peer cannot make it grow.
 */
#ifndef SYNFIN_RANGESET_H
#define SYNFIN_RANGESET_H

#include <stdbool.h>
#include <stdint.h>

#include "synfin.h"

#define SF_RANGESET_MAX 8

struct sf_range {
	uint32_t start;
	uint32_t end;   /* one past the last sequence number */
	uint32_t stamp; /* when it was last added to or extended (larger = more recent) */
};

struct sf_rangeset {
	struct sf_range r[SF_RANGESET_MAX]; /* r[0..n) ordered by start, disjoint, not adjacent */
	uint32_t n;
	uint32_t clock; /* source of stamps */
};

void sf_rangeset_init(struct sf_rangeset *rs);

/**
 * Add [start, end) (empty or reversed ranges are ignored and return 0).
 * Overlapping and adjacent ranges merge. Returns 0, or -ENOSPC when the range
 * would need a new slot and all SF_RANGESET_MAX are taken (the set is then
 * unchanged).
 */
int sf_rangeset_add(struct sf_rangeset *rs, uint32_t start, uint32_t end);

/** Forget everything before seq: ranges that end at or before it go, one that straddles it is cut. */
void sf_rangeset_trim_before(struct sf_rangeset *rs, uint32_t seq);

/**
 * If some range contains seq (start <= seq < end) or starts exactly at seq,
 * remove it and return its end; otherwise return seq. The receiver uses this
 * to advance RCV.NXT over data that was waiting out of order.
 */
uint32_t sf_rangeset_take_from(struct sf_rangeset *rs, uint32_t seq);

/** Whether [start, end) lies entirely inside one range. */
bool sf_rangeset_covers(const struct sf_rangeset *rs, uint32_t start, uint32_t end);

/** Total sequence space covered. */
uint32_t sf_rangeset_bytes(const struct sf_rangeset *rs);

/**
 * Write up to max SACK blocks, the most recently added/extended range first,
 * then the rest from most to least recent (RFC 2018 §4). Returns how many.
 */
int sf_rangeset_sack_blocks(const struct sf_rangeset *rs, struct sf_sack_block *out, int max);

#endif
