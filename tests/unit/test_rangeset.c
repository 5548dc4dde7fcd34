/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Range set (src/rangeset.h): merging, capacity, trimming, taking, coverage
 * and the RFC 2018 §4 order of SACK blocks.
 *
 * The scenario tests take a base sequence number as their cmocka state and
 * run twice: once far from the wrap and once with the base 256 below 2^32,
 * so that their ranges (offsets roughly 0..1000) lie on both sides of, and
 * straddle, 0xffffffff -> 0. A comparison with plain < instead of seq.h fails
 * the second run. A randomized test checks the set against a bitmap model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/rangeset.h"
#include "base/seq.h"

#define WRAP_BASE (0u - 256u)

/* The set is well formed: non-empty, sorted, non-adjacent, distinct stamps. */
static void check_invariants(const struct sf_rangeset *rs)
{
	uint32_t i, j;

	assert_true(rs->n <= SF_RANGESET_MAX);
	for (i = 0; i < rs->n; i++) {
		assert_true(seq_lt(rs->r[i].start, rs->r[i].end));
		if (i + 1 < rs->n)
			assert_true(seq_lt(rs->r[i].end, rs->r[i + 1].start));
		assert_true(rs->r[i].stamp != 0 && rs->r[i].stamp <= rs->clock);
		for (j = i + 1; j < rs->n; j++)
			assert_true(rs->r[i].stamp != rs->r[j].stamp);
	}
}

/* The set holds exactly the n ranges want[] (offsets from base). */
static void expect_ranges(const struct sf_rangeset *rs, uint32_t base, const uint32_t want[][2], uint32_t n)
{
	uint32_t i;

	check_invariants(rs);
	assert_int_equal(rs->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(rs->r[i].start, base + want[i][0]);
		assert_int_equal(rs->r[i].end, base + want[i][1]);
	}
}

static int add(struct sf_rangeset *rs, uint32_t base, uint32_t start, uint32_t end)
{
	return sf_rangeset_add(rs, base + start, base + end);
}

static uint32_t base_of(void **state)
{
	return *(const uint32_t *)*state;
}

static void test_add_disjoint(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	const uint32_t want[][2] = { { 100, 200 }, { 300, 400 }, { 500, 600 } };

	sf_rangeset_init(&rs);
	expect_ranges(&rs, b, want, 0);
	/* Added out of order, kept in sequence order. */
	assert_int_equal(add(&rs, b, 300, 400), 0);
	assert_int_equal(add(&rs, b, 500, 600), 0);
	assert_int_equal(add(&rs, b, 100, 200), 0);
	expect_ranges(&rs, b, want, 3);
}

static void test_add_overlapping(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	const uint32_t want1[][2] = { { 100, 400 } };
	const uint32_t want2[][2] = { { 50, 400 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 300), 0);
	assert_int_equal(add(&rs, b, 250, 400), 0); /* overlaps the end */
	expect_ranges(&rs, b, want1, 1);
	assert_int_equal(add(&rs, b, 50, 120), 0); /* overlaps the start */
	expect_ranges(&rs, b, want2, 1);
}

static void test_add_adjacent(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	const uint32_t want[][2] = { { 50, 350 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 200), 0);
	assert_int_equal(add(&rs, b, 200, 300), 0); /* touches the end */
	assert_int_equal(add(&rs, b, 50, 100), 0);  /* touches the start */
	assert_int_equal(add(&rs, b, 300, 350), 0);
	expect_ranges(&rs, b, want, 1);
}

static void test_add_contained(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	struct sf_sack_block blk[2];
	const uint32_t want[][2] = { { 100, 400 }, { 500, 600 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 400), 0);
	assert_int_equal(add(&rs, b, 500, 600), 0);
	assert_int_equal(add(&rs, b, 200, 300), 0);
	assert_int_equal(add(&rs, b, 100, 400), 0); /* the same range again */
	expect_ranges(&rs, b, want, 2);
	/* Data already held still counts as the most recent (RFC 2018 §4). */
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 2), 2);
	assert_int_equal(blk[0].left, b + 100);
	assert_int_equal(blk[0].right, b + 400);
}

static void test_add_superset(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	const uint32_t want[][2] = { { 100, 400 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 200, 250), 0);
	assert_int_equal(add(&rs, b, 300, 350), 0);
	assert_int_equal(add(&rs, b, 100, 400), 0);
	expect_ranges(&rs, b, want, 1);
}

static void test_add_empty_reversed(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs, before;
	const uint32_t want[][2] = { { 100, 200 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 200, 200), 0);
	assert_int_equal(add(&rs, b, 300, 200), 0);
	expect_ranges(&rs, b, want, 0);
	assert_int_equal(rs.clock, 0);

	assert_int_equal(add(&rs, b, 100, 200), 0);
	before = rs;
	/* Empty at an edge, or reversed over the range: nothing, not even a stamp. */
	assert_int_equal(add(&rs, b, 200, 200), 0);
	assert_int_equal(add(&rs, b, 150, 150), 0);
	assert_int_equal(add(&rs, b, 250, 50), 0);
	assert_memory_equal(&rs, &before, sizeof(rs));
	expect_ranges(&rs, b, want, 1);
}

/* Eight disjoint ranges [100 i, 100 i + 50), i = 0..7. */
static void fill(struct sf_rangeset *rs, uint32_t b)
{
	uint32_t i;

	sf_rangeset_init(rs);
	for (i = 0; i < SF_RANGESET_MAX; i++)
		assert_int_equal(add(rs, b, 100 * i, 100 * i + 50), 0);
	assert_int_equal(rs->n, SF_RANGESET_MAX);
}

static void test_capacity(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs, before;
	const uint32_t merged[][2] = {
		{ 0, 60 },    { 100, 150 }, { 200, 250 }, { 300, 350 },
		{ 390, 450 }, { 500, 550 }, { 600, 650 }, { 700, 800 },
	};
	const uint32_t bridged[][2] = { { 0, 350 }, { 390, 450 }, { 500, 550 }, { 600, 650 }, { 700, 800 } };

	fill(&rs, b);
	before = rs;
	/* A ninth disjoint range is refused and changes nothing. */
	assert_int_equal(add(&rs, b, 900, 950), -ENOSPC);
	assert_int_equal(add(&rs, b, 160, 170), -ENOSPC); /* in a gap */
	assert_int_equal(add(&rs, b, 1000, 1100), -ENOSPC);
	assert_memory_equal(&rs, &before, sizeof(rs));

	/* Ranges that merge need no slot. */
	assert_int_equal(add(&rs, b, 50, 60), 0);   /* adjacent */
	assert_int_equal(add(&rs, b, 390, 410), 0); /* overlapping */
	assert_int_equal(add(&rs, b, 750, 800), 0);
	assert_int_equal(add(&rs, b, 110, 120), 0); /* contained */
	expect_ranges(&rs, b, merged, 8);

	/* A bridge frees slots, which new ranges may then take. */
	assert_int_equal(add(&rs, b, 40, 310), 0);
	expect_ranges(&rs, b, bridged, 5);
	assert_int_equal(add(&rs, b, 900, 950), 0);
	assert_int_equal(rs.n, 6);
}

static void test_bridge(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	const uint32_t want1[][2] = { { 100, 450 }, { 600, 650 } };
	const uint32_t want2[][2] = { { 100, 650 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 150), 0);
	assert_int_equal(add(&rs, b, 200, 250), 0);
	assert_int_equal(add(&rs, b, 300, 350), 0);
	assert_int_equal(add(&rs, b, 400, 450), 0);
	assert_int_equal(add(&rs, b, 600, 650), 0);
	/* Overlaps the first, contains two, overlaps the fourth. */
	assert_int_equal(add(&rs, b, 140, 410), 0);
	expect_ranges(&rs, b, want1, 2);
	/* Touching at both ends is enough to join. */
	assert_int_equal(add(&rs, b, 450, 600), 0);
	expect_ranges(&rs, b, want2, 1);
}

static void test_trim_before(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs, before;
	const uint32_t want1[][2] = { { 300, 400 }, { 500, 600 } };
	const uint32_t want2[][2] = { { 350, 400 }, { 500, 600 } };
	const uint32_t want3[][2] = { { 500, 600 } };
	uint32_t stamp;

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 200), 0);
	assert_int_equal(add(&rs, b, 300, 400), 0);
	assert_int_equal(add(&rs, b, 500, 600), 0);

	before = rs;
	sf_rangeset_trim_before(&rs, b + 50);  /* before everything */
	sf_rangeset_trim_before(&rs, b + 100); /* at a start */
	assert_memory_equal(&rs, &before, sizeof(rs));

	sf_rangeset_trim_before(&rs, b + 200); /* ends exactly there: dropped */
	expect_ranges(&rs, b, want1, 2);

	stamp = rs.r[0].stamp;
	sf_rangeset_trim_before(&rs, b + 350); /* straddles: cut */
	expect_ranges(&rs, b, want2, 2);
	assert_int_equal(rs.r[0].stamp, stamp); /* a cut is not an addition */

	before = rs;
	sf_rangeset_trim_before(&rs, b + 350); /* again: nothing more to do */
	assert_memory_equal(&rs, &before, sizeof(rs));

	sf_rangeset_trim_before(&rs, b + 450); /* in a gap: drops what is below */
	expect_ranges(&rs, b, want3, 1);

	sf_rangeset_trim_before(&rs, b + 700);
	expect_ranges(&rs, b, want1, 0);
}

static void test_take_from(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs, before;
	const uint32_t want1[][2] = { { 100, 200 } };

	sf_rangeset_init(&rs);
	assert_int_equal(add(&rs, b, 100, 200), 0);
	assert_int_equal(add(&rs, b, 300, 400), 0);

	/* No range holds seq: seq comes back and nothing changes. */
	before = rs;
	assert_int_equal(sf_rangeset_take_from(&rs, b + 99), b + 99);
	assert_int_equal(sf_rangeset_take_from(&rs, b + 200), b + 200); /* end is exclusive */
	assert_int_equal(sf_rangeset_take_from(&rs, b + 250), b + 250);
	assert_int_equal(sf_rangeset_take_from(&rs, b + 400), b + 400);
	assert_memory_equal(&rs, &before, sizeof(rs));

	/* Exactly at the start. */
	assert_int_equal(sf_rangeset_take_from(&rs, b + 300), b + 400);
	expect_ranges(&rs, b, want1, 1);
	/* Inside: the whole range goes, also the part before seq. */
	assert_int_equal(sf_rangeset_take_from(&rs, b + 199), b + 200);
	expect_ranges(&rs, b, want1, 0);
	assert_int_equal(sf_rangeset_take_from(&rs, b + 150), b + 150);
}

static void test_covers(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;

	sf_rangeset_init(&rs);
	assert_false(sf_rangeset_covers(&rs, b + 100, b + 101));
	assert_int_equal(add(&rs, b, 100, 200), 0);
	assert_int_equal(add(&rs, b, 300, 400), 0);

	assert_true(sf_rangeset_covers(&rs, b + 100, b + 200));
	assert_true(sf_rangeset_covers(&rs, b + 150, b + 160));
	assert_true(sf_rangeset_covers(&rs, b + 199, b + 200));
	assert_true(sf_rangeset_covers(&rs, b + 300, b + 400));
	assert_false(sf_rangeset_covers(&rs, b + 99, b + 150));  /* starts early */
	assert_false(sf_rangeset_covers(&rs, b + 150, b + 201)); /* ends late */
	assert_false(sf_rangeset_covers(&rs, b + 150, b + 350)); /* spans a hole */
	assert_false(sf_rangeset_covers(&rs, b + 200, b + 300)); /* the hole */
	assert_false(sf_rangeset_covers(&rs, b + 50, b + 450));
	/* Empty is trivially covered; reversed never is. */
	assert_true(sf_rangeset_covers(&rs, b + 250, b + 250));
	assert_false(sf_rangeset_covers(&rs, b + 160, b + 150));
}

static void test_bytes(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;

	sf_rangeset_init(&rs);
	assert_int_equal(sf_rangeset_bytes(&rs), 0);
	assert_int_equal(add(&rs, b, 100, 200), 0);
	assert_int_equal(add(&rs, b, 300, 450), 0);
	assert_int_equal(sf_rangeset_bytes(&rs), 250);
	assert_int_equal(add(&rs, b, 150, 320), 0); /* overlap is not counted twice */
	assert_int_equal(sf_rangeset_bytes(&rs), 350);
	sf_rangeset_trim_before(&rs, b + 400);
	assert_int_equal(sf_rangeset_bytes(&rs), 50);
}

/* blk[0..n) are the ranges named by offsets want[0..n), in that order. */
static void expect_blocks(const struct sf_sack_block *blk, uint32_t b, const uint32_t want[][2], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(blk[i].left, b + want[i][0]);
		assert_int_equal(blk[i].right, b + want[i][1]);
	}
}

static void test_sack_blocks_order(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	struct sf_sack_block blk[SF_RANGESET_MAX];
	const uint32_t order1[][2] = { { 700, 750 }, { 500, 550 }, { 300, 350 }, { 100, 150 } };
	const uint32_t order2[][2] = { { 100, 150 }, { 700, 750 }, { 500, 550 }, { 300, 350 } };
	const uint32_t order3[][2] = { { 300, 360 }, { 100, 150 }, { 700, 750 } };
	const uint32_t order4[][2] = { { 100, 360 }, { 700, 750 }, { 500, 550 } };

	sf_rangeset_init(&rs);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 4), 0);

	assert_int_equal(add(&rs, b, 100, 150), 0);
	assert_int_equal(add(&rs, b, 300, 350), 0);
	assert_int_equal(add(&rs, b, 500, 550), 0);
	assert_int_equal(add(&rs, b, 700, 750), 0);
	/* Most recent first, whatever the sequence order. */
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, SF_RANGESET_MAX), 4);
	expect_blocks(blk, b, order1, 4);

	/* Data inside the oldest range makes it the first block. */
	assert_int_equal(add(&rs, b, 120, 130), 0);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 4), 4);
	expect_blocks(blk, b, order2, 4);

	/* Extending moves a range to the front; max limits the count. */
	assert_int_equal(add(&rs, b, 350, 360), 0);
	memset(blk, 0xee, sizeof(blk));
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 3), 3);
	expect_blocks(blk, b, order3, 3);
	assert_int_equal(blk[3].left, 0xeeeeeeeeu); /* nothing written past max */

	/* A merged range is new as a whole. */
	assert_int_equal(add(&rs, b, 150, 300), 0);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 4), 3);
	expect_blocks(blk, b, order4, 3);

	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 1), 1);
	expect_blocks(blk, b, order4, 1);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 0), 0);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, NULL, 0), 0);
}

/* After 2^32 stamps the clock restarts without upsetting the order. */
static void test_stamp_clock_wrap(void **state)
{
	uint32_t b = base_of(state);
	struct sf_rangeset rs;
	struct sf_sack_block blk[4];
	const uint32_t order1[][2] = { { 500, 550 }, { 100, 150 }, { 300, 350 } };
	const uint32_t order2[][2] = { { 700, 750 }, { 300, 350 }, { 500, 550 }, { 100, 150 } };

	sf_rangeset_init(&rs);
	rs.clock = UINT32_MAX - 2;
	assert_int_equal(add(&rs, b, 300, 350), 0);
	assert_int_equal(add(&rs, b, 100, 150), 0); /* stamp UINT32_MAX */
	assert_int_equal(add(&rs, b, 500, 550), 0); /* renumbered here */
	check_invariants(&rs);
	assert_true(rs.clock < 10);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 4), 3);
	expect_blocks(blk, b, order1, 3);
	assert_int_equal(add(&rs, b, 310, 320), 0);
	assert_int_equal(add(&rs, b, 700, 750), 0);
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 4), 4);
	expect_blocks(blk, b, order2, 4);
}

/* Explicit numbers around 2^32, independent of the base. */
static void test_wrap_explicit(void **state)
{
	struct sf_rangeset rs;
	struct sf_sack_block blk[2];

	(void)state;
	sf_rangeset_init(&rs);
	assert_int_equal(sf_rangeset_add(&rs, 0x8, 0x10), 0);
	assert_int_equal(sf_rangeset_add(&rs, 0xfffffff0u, 0xfffffff8u), 0);
	/* 0xfffffff0 comes first in sequence order despite being larger. */
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].start, 0xfffffff0u);
	assert_int_equal(rs.r[1].start, 0x8);
	assert_false(sf_rangeset_covers(&rs, 0xfffffff0u, 0x10));

	/* A range across the wrap joins both. */
	assert_int_equal(sf_rangeset_add(&rs, 0xfffffff8u, 0x8), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].start, 0xfffffff0u);
	assert_int_equal(rs.r[0].end, 0x10);
	assert_int_equal(sf_rangeset_bytes(&rs), 32);
	assert_true(sf_rangeset_covers(&rs, 0xfffffff0u, 0x10));
	assert_true(sf_rangeset_covers(&rs, 0xfffffffcu, 0x4));
	assert_false(sf_rangeset_covers(&rs, 0xffffffefu, 0x4));
	assert_int_equal(sf_rangeset_sack_blocks(&rs, blk, 2), 1);
	assert_int_equal(blk[0].left, 0xfffffff0u);
	assert_int_equal(blk[0].right, 0x10);

	/* A range ending exactly at 0 (2^32) is adjacent to one starting there. */
	sf_rangeset_trim_before(&rs, 0x2);
	assert_int_equal(rs.r[0].start, 0x2);
	assert_int_equal(sf_rangeset_bytes(&rs), 14);
	assert_int_equal(sf_rangeset_add(&rs, 0xffffff00u, 0x0), 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(sf_rangeset_add(&rs, 0x0, 0x2), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].start, 0xffffff00u);
	assert_int_equal(sf_rangeset_take_from(&rs, 0xffffffffu), 0x10);
	assert_int_equal(rs.n, 0);
}

/*
 * Randomized comparison with a bitmap over a 4096-byte window that straddles
 * 2^32. Since ranges never touch, the maximal runs of set bits are exactly the
 * ranges, so the model predicts the set completely.
 */
#define WIN 4096u
#define RAND_BASE (0u - WIN / 2)
#define RAND_OPS 20000

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* Number of runs of set bits; their bounds go to runs[] (if it has room). */
static uint32_t model_runs(const bool *bits, uint32_t runs[][2], uint32_t room)
{
	uint32_t i = 0, n = 0;

	while (i < WIN) {
		if (!bits[i]) {
			i++;
			continue;
		}
		if (n < room)
			runs[n][0] = i;
		while (i < WIN && bits[i])
			i++;
		if (n < room)
			runs[n][1] = i;
		n++;
	}
	return n;
}

static void check_against_model(const struct sf_rangeset *rs, const bool *bits, uint32_t *rng,
				const uint32_t *last)
{
	uint32_t runs[SF_RANGESET_MAX + 1][2];
	struct sf_sack_block blk[SF_RANGESET_MAX];
	uint32_t nruns, i, j, bytes = 0, prev_stamp = UINT32_MAX;
	int max, got;

	nruns = model_runs(bits, runs, SF_RANGESET_MAX + 1);
	expect_ranges(rs, RAND_BASE, (const uint32_t(*)[2])runs, nruns);
	for (i = 0; i < WIN; i++)
		bytes += bits[i];
	assert_int_equal(sf_rangeset_bytes(rs), bytes);

	/* Blocks: distinct ranges, newest first, the last add in the first. */
	max = (int)(xorshift32(rng) % 5);
	got = sf_rangeset_sack_blocks(rs, blk, max);
	assert_int_equal(got, (int)(rs->n < (uint32_t)max ? rs->n : (uint32_t)max));
	for (j = 0; j < (uint32_t)got; j++) {
		for (i = 0; i < rs->n; i++)
			if (rs->r[i].start == blk[j].left && rs->r[i].end == blk[j].right)
				break;
		assert_true(i < rs->n);
		assert_true(rs->r[i].stamp < prev_stamp);
		prev_stamp = rs->r[i].stamp;
	}
	if (last && got > 0) {
		assert_true(seq_leq(blk[0].left, RAND_BASE + last[0]));
		assert_true(seq_leq(RAND_BASE + last[1], blk[0].right));
	}
}

static void test_random_vs_bitmap(void **state)
{
	bool bits[WIN];
	struct sf_rangeset rs, before;
	uint32_t rng = 0x2018u; /* fixed seed: a failure reproduces */
	uint32_t op, a, len, i, ret, want, last[2] = { 0, 0 };
	uint32_t runs[SF_RANGESET_MAX + 1][2];
	unsigned int enospc = 0, merges = 0, takes = 0;
	bool touches, all;
	int rc;

	(void)state;
	memset(bits, 0, sizeof(bits));
	sf_rangeset_init(&rs);
	rs.clock = UINT32_MAX - 1000; /* the stamp clock wraps early in the run */
	for (op = 0; op < RAND_OPS; op++) {
		uint32_t kind = xorshift32(&rng) % 100;
		bool added = false;

		a = xorshift32(&rng) % WIN;
		len = xorshift32(&rng) % 10 == 0 ? xorshift32(&rng) % 600 : xorshift32(&rng) % 48;
		if (len > WIN - a)
			len = WIN - a;

		if (kind < 55) {
			/* add; sometimes reversed, which must do nothing */
			before = rs;
			if (kind < 3 && len > 0) {
				assert_int_equal(sf_rangeset_add(&rs, RAND_BASE + a + len, RAND_BASE + a), 0);
				assert_memory_equal(&rs, &before, sizeof(rs));
				continue;
			}
			touches = false;
			for (i = a > 0 ? a - 1 : 0; i < a + len + 1 && i < WIN; i++)
				touches = touches || bits[i];
			rc = sf_rangeset_add(&rs, RAND_BASE + a, RAND_BASE + a + len);
			if (len > 0 && !touches && model_runs(bits, runs, 0) == SF_RANGESET_MAX) {
				assert_int_equal(rc, -ENOSPC);
				assert_memory_equal(&rs, &before, sizeof(rs));
				enospc++;
			} else {
				assert_int_equal(rc, 0);
				memset(&bits[a], 1, len);
				merges += touches;
				added = len > 0;
				last[0] = a;
				last[1] = a + len;
			}
		} else if (kind < 75) {
			/* take_from: the whole run holding a goes */
			ret = sf_rangeset_take_from(&rs, RAND_BASE + a);
			want = a;
			if (bits[a]) {
				for (i = a; i > 0 && bits[i - 1]; i--)
					;
				for (; i < WIN && bits[i]; i++)
					bits[i] = false;
				want = i;
				takes++;
			}
			assert_int_equal(ret, RAND_BASE + want);
		} else if (kind < 80) {
			/* trim_before, mostly near the low end so data stays */
			a = xorshift32(&rng) % 4 == 0 ? a : a / 8;
			sf_rangeset_trim_before(&rs, RAND_BASE + a);
			memset(bits, 0, a);
		} else {
			/* covers: all bytes set and (so) in one run */
			all = true;
			for (i = a; i < a + len; i++)
				all = all && bits[i];
			assert_int_equal(sf_rangeset_covers(&rs, RAND_BASE + a, RAND_BASE + a + len), all);
		}
		check_against_model(&rs, bits, &rng, added ? last : NULL);
	}
	/* The run exercised every path, not only the easy ones. */
	assert_true(enospc > 100);
	assert_true(merges > 100);
	assert_true(takes > 100);
	assert_true(rs.clock < RAND_OPS); /* it did wrap */
}

/* Each scenario test once far from the wrap and once across it. */
#define BOTH_BASES(f) \
	{ #f " (base 1000)", f, NULL, NULL, &low }, { #f " (across 2^32)", f, NULL, NULL, &wrap }

int main(void)
{
	uint32_t low = 1000, wrap = WRAP_BASE;
	const struct CMUnitTest tests[] = {
		BOTH_BASES(test_add_disjoint),
		BOTH_BASES(test_add_overlapping),
		BOTH_BASES(test_add_adjacent),
		BOTH_BASES(test_add_contained),
		BOTH_BASES(test_add_superset),
		BOTH_BASES(test_add_empty_reversed),
		BOTH_BASES(test_capacity),
		BOTH_BASES(test_bridge),
		BOTH_BASES(test_trim_before),
		BOTH_BASES(test_take_from),
		BOTH_BASES(test_covers),
		BOTH_BASES(test_bytes),
		BOTH_BASES(test_sack_blocks_order),
		BOTH_BASES(test_stamp_clock_wrap),
		cmocka_unit_test(test_wrap_explicit),
		cmocka_unit_test(test_random_vs_bitmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
