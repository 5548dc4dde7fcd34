/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/seq.h"

static void test_plain_order(void **state)
{
	(void)state;
	assert_true(seq_lt(1, 2));
	assert_false(seq_lt(2, 1));
	assert_false(seq_lt(5, 5));
	assert_true(seq_leq(5, 5));
	assert_true(seq_leq(4, 5));
	assert_false(seq_leq(6, 5));
	assert_true(seq_gt(2, 1));
	assert_false(seq_gt(1, 2));
	assert_false(seq_gt(7, 7));
	assert_true(seq_geq(7, 7));
	assert_true(seq_geq(8, 7));
	assert_false(seq_geq(6, 7));
}

/* Numbers just below 2^32 come before small numbers after the wrap. */
static void test_wraparound(void **state)
{
	(void)state;
	assert_true(seq_lt(0xfffffff0u, 0x10));
	assert_false(seq_lt(0x10, 0xfffffff0u));
	assert_true(seq_gt(0x10, 0xfffffff0u));
	assert_true(seq_leq(0xffffffffu, 0));
	assert_true(seq_geq(0, 0xffffffffu));
	assert_true(seq_lt(0xffffffffu, 0));
	assert_false(seq_gt(0xffffffffu, 0));
	assert_int_equal(seq_max(0xfffffff0u, 0x10), 0x10);
	assert_int_equal(seq_max(0x10, 0xfffffff0u), 0x10);
	assert_int_equal(seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
	assert_int_equal(seq_min(0x10, 0xfffffff0u), 0xfffffff0u);
}

/*
 * Comparisons are meaningful only for numbers less than 2^31 apart
 * (RFC 9293 §3.4). Check both sides of that boundary from several bases,
 * including bases where a + 2^31 wraps.
 */
static void test_half_space_boundary(void **state)
{
	uint32_t bases[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0x12345678u};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint32_t a = bases[i];

		/* 2^31 - 1 ahead is still "after". */
		assert_true(seq_lt(a, a + 0x7fffffffu));
		assert_false(seq_gt(a, a + 0x7fffffffu));
		assert_true(seq_gt(a + 0x7fffffffu, a));
		/* 2^31 + 1 ahead has wrapped to "before". */
		assert_true(seq_gt(a, a + 0x80000001u));
		assert_false(seq_lt(a, a + 0x80000001u));
	}
	/*
	 * Exactly 2^31 apart the order is undefined by the RFC; seq.h, like
	 * Linux's before(), then calls each number earlier than the other.
	 * Pinned here so that a change of that corner is a conscious one.
	 */
	assert_true(seq_lt(0, 0x80000000u));
	assert_true(seq_lt(0x80000000u, 0));
}

static void test_in_range(void **state)
{
	(void)state;
	assert_true(seq_in_range(5, 5, 10));
	assert_true(seq_in_range(9, 5, 10));
	assert_false(seq_in_range(10, 5, 10));
	assert_false(seq_in_range(4, 5, 10));
	/* A window that wraps around 2^32. */
	assert_true(seq_in_range(0xfffffff0u, 0xfffffff0u, 0x10));
	assert_true(seq_in_range(0xffffffffu, 0xfffffff0u, 0x10));
	assert_true(seq_in_range(0, 0xfffffff0u, 0x10));
	assert_true(seq_in_range(0xf, 0xfffffff0u, 0x10));
	assert_false(seq_in_range(0x10, 0xfffffff0u, 0x10));
	assert_false(seq_in_range(0xffffffefu, 0xfffffff0u, 0x10));
	assert_false(seq_in_range(0x80000000u, 0xfffffff0u, 0x10));
}

/* lo == hi is an empty range: nothing is in it, not even lo. */
static void test_empty_range(void **state)
{
	uint32_t xs[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		for (j = 0; j < sizeof(xs) / sizeof(xs[0]); j++)
			assert_false(seq_in_range(xs[i], xs[j], xs[j]));
}

static void test_max_min(void **state)
{
	(void)state;
	assert_int_equal(seq_max(3, 7), 7);
	assert_int_equal(seq_max(7, 3), 7);
	assert_int_equal(seq_min(3, 7), 3);
	assert_int_equal(seq_min(7, 3), 3);
	assert_int_equal(seq_max(9, 9), 9);
	assert_int_equal(seq_min(9, 9), 9);
	/* Crossing 2^31 numerically is ordinary order, not a wrap. */
	assert_int_equal(seq_max(0x7ffffff0u, 0x80000010u), 0x80000010u);
	assert_int_equal(seq_max(0x7fffffffu, 0x80000000u), 0x80000000u);
	assert_int_equal(seq_min(0x7fffffffu, 0x80000000u), 0x7fffffffu);
	assert_int_equal(seq_min(0xffffff00u, 0x00000100u), 0xffffff00u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_order),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_half_space_boundary),
		cmocka_unit_test(test_in_range),
		cmocka_unit_test(test_empty_range),
		cmocka_unit_test(test_max_min),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
