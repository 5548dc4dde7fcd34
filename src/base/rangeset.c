/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Set of disjoint sequence ranges (see rangeset.h). Its users are the
 * receiver's out-of-order map (RFC 9293 SHLD-31), the SACK blocks it reports
 * (RFC 2018 §4) and the sender's SACK scoreboard (RFC 6675).
 *
 * The ranges are few (SF_RANGESET_MAX), so everything is a linear scan over a
 * sorted array. Sequence numbers wrap at 2^32, so every comparison goes
 * through seq.h: the ranges in one set always lie within 2^31 of each other,
 * which makes "ordered by start" meaningful even across 0xffffffff -> 0.
 */
#include "base/rangeset.h"

#include <errno.h>
#include <string.h>

#include "base/seq.h"

void sf_rangeset_init(struct sf_rangeset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

/* Remove r[from..to) and close the gap. */
static void remove_ranges(struct sf_rangeset *rs, uint32_t from, uint32_t to)
{
	memmove(&rs->r[from], &rs->r[to], (rs->n - to) * sizeof(rs->r[0]));
	rs->n -= to - from;
}

/*
 * A fresh stamp, larger than every stamp in the set. Only the order of
 * stamps matters, so before the clock would wrap (after 2^32 adds on a
 * long-lived connection) the stamps are renumbered 1..n keeping their order;
 * a plain wrap would make the oldest range look the newest.
 */
static uint32_t next_stamp(struct sf_rangeset *rs)
{
	uint32_t rank[SF_RANGESET_MAX];
	uint32_t i, j;

	if (rs->clock == UINT32_MAX) {
		for (i = 0; i < rs->n; i++) {
			rank[i] = 1;
			for (j = 0; j < rs->n; j++)
				if (rs->r[j].stamp < rs->r[i].stamp)
					rank[i]++;
		}
		for (i = 0; i < rs->n; i++)
			rs->r[i].stamp = rank[i];
		rs->clock = rs->n;
	}
	return ++rs->clock;
}

int sf_rangeset_add(struct sf_rangeset *rs, uint32_t start, uint32_t end)
{
	uint32_t lo, hi, stamp;

	if (!seq_lt(start, end))
		return 0;

	/*
	 * Ranges are sorted and disjoint, so their ends increase too: lo is the
	 * first range that does not end before start, and r[lo..hi) are the
	 * ones that also begin no later than end, i.e. every range that overlaps
	 * or touches [start, end).
	 */
	for (lo = 0; lo < rs->n && seq_lt(rs->r[lo].end, start); lo++)
		;
	for (hi = lo; hi < rs->n && seq_leq(rs->r[hi].start, end); hi++)
		;

	/* Nothing to merge with: the range needs a slot of its own. */
	if (lo == hi && rs->n == SF_RANGESET_MAX)
		return -ENOSPC;

	/*
	 * Even a range that adds nothing new counts as recent: RFC 2018 §4 wants
	 * the first SACK block to be the one holding the segment that triggered
	 * the ACK, duplicates included. The stamp is taken before the array
	 * changes, so a renumbering sees only real ranges.
	 */
	stamp = next_stamp(rs);
	if (lo == hi) {
		memmove(&rs->r[lo + 1], &rs->r[lo], (rs->n - lo) * sizeof(rs->r[0]));
		rs->n++;
		rs->r[lo].start = start;
		rs->r[lo].end = end;
	} else {
		/* Fold r[lo..hi) and the new range into r[lo]. */
		rs->r[lo].start = seq_min(start, rs->r[lo].start);
		rs->r[lo].end = seq_max(end, rs->r[hi - 1].end);
		remove_ranges(rs, lo + 1, hi);
	}
	rs->r[lo].stamp = stamp;
	return 0;
}

void sf_rangeset_trim_before(struct sf_rangeset *rs, uint32_t seq)
{
	uint32_t k;

	/* Ranges entirely before seq form a prefix of the sorted array. */
	for (k = 0; k < rs->n && seq_leq(rs->r[k].end, seq); k++)
		;
	remove_ranges(rs, 0, k);
	/* A cut is not an addition, so the stamp stays. */
	if (rs->n > 0 && seq_lt(rs->r[0].start, seq))
		rs->r[0].start = seq;
}

uint32_t sf_rangeset_take_from(struct sf_rangeset *rs, uint32_t seq)
{
	uint32_t i, end;

	/* Ranges are never empty, so "starts at seq" is part of "contains seq". */
	for (i = 0; i < rs->n; i++) {
		if (seq_in_range(seq, rs->r[i].start, rs->r[i].end)) {
			end = rs->r[i].end;
			remove_ranges(rs, i, i + 1);
			return end;
		}
	}
	return seq;
}

bool sf_rangeset_covers(const struct sf_rangeset *rs, uint32_t start, uint32_t end)
{
	uint32_t i;

	/*
	 * An empty range is trivially covered. A reversed one is not: the safe
	 * answer for a confused caller (the sender would retransmit rather than
	 * skip data it believes SACKed).
	 */
	if (start == end)
		return true;
	if (!seq_lt(start, end))
		return false;
	for (i = 0; i < rs->n; i++)
		if (seq_leq(rs->r[i].start, start) && seq_leq(end, rs->r[i].end))
			return true;
	return false;
}

uint32_t sf_rangeset_bytes(const struct sf_rangeset *rs)
{
	uint32_t i, sum = 0;

	for (i = 0; i < rs->n; i++)
		sum += rs->r[i].end - rs->r[i].start;
	return sum;
}

int sf_rangeset_sack_blocks(const struct sf_rangeset *rs, struct sf_sack_block *out, int max)
{
	uint32_t order[SF_RANGESET_MAX];
	uint32_t i, j;
	int count = 0;

	/*
	 * RFC 2018 §4: the first block is the most recently changed range, and
	 * the rest follow by recency so that a block lost with one ACK is
	 * repeated in the next ones. Insertion sort by stamp, newest first.
	 */
	for (i = 0; i < rs->n; i++) {
		for (j = i; j > 0 && rs->r[order[j - 1]].stamp < rs->r[i].stamp; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < rs->n && count < max; i++, count++) {
		out[count].left = rs->r[order[i]].start;
		out[count].right = rs->r[order[i]].end;
	}
	return count;
}
