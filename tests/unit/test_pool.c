/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The record pool behind embryonic and TIME-WAIT records: indices from 1,
 * zeroed records that never move, freed indices reused first, and a chunk
 * table that grows by doubling (no copy of the table per chunk).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/pool.h"

#define RECORDS (20u * SF_POOL_CHUNK_LEN + 7u)

struct rec {
	uint32_t id;
	uint8_t pad[56];
};

static void test_alloc_free_reuse_and_growth(void **state)
{
	(void)state;
	struct sf_pool pool;
	static uint32_t idx[RECORDS];
	static struct rec *where[RECORDS];
	uint32_t reallocs = 0, last_cap = 0;

	sf_pool_init(&pool, sizeof(struct rec));
	for (uint32_t i = 0; i < RECORDS; i++) {
		idx[i] = sf_pool_alloc(&pool);
		assert_int_equal(idx[i], i + 1); /* fresh indices in order, 0 never */
		struct rec *r = sf_pool_get(&pool, idx[i]);
		for (size_t b = 0; b < sizeof *r; b++)
			assert_int_equal(((uint8_t *)r)[b], 0);
		r->id = i;
		where[i] = r;
		if (pool.chunks_cap != last_cap) {
			reallocs++;
			last_cap = pool.chunks_cap;
		}
	}
	assert_int_equal(pool.live, RECORDS);
	assert_int_equal(pool.nchunks, 21);
	/* 16 -> 32 chunks: two table allocations for 21 chunks, not 21. */
	assert_int_equal(reallocs, 2);
	assert_int_equal(pool.chunks_cap, 32);
	assert_true(sf_pool_footprint(&pool) >= (size_t)RECORDS * sizeof(struct rec));
	/* Records never moved while the pool grew. */
	for (uint32_t i = 0; i < RECORDS; i++) {
		assert_ptr_equal(sf_pool_get(&pool, idx[i]), where[i]);
		assert_int_equal(where[i]->id, i);
	}

	/* A freed index comes back first (most recent first), zeroed. */
	sf_pool_free(&pool, idx[5]);
	sf_pool_free(&pool, idx[9]);
	assert_int_equal(pool.live, RECORDS - 2);
	assert_int_equal(sf_pool_alloc(&pool), idx[9]);
	assert_int_equal(((struct rec *)sf_pool_get(&pool, idx[9]))->id, 0);
	assert_int_equal(sf_pool_alloc(&pool), idx[5]);
	assert_int_equal(sf_pool_alloc(&pool), RECORDS + 1);
	sf_pool_destroy(&pool);
	assert_int_equal(pool.nchunks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_free_reuse_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
