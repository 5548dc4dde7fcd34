/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The demux table on its own: TIME-WAIT-kind records inserted, found and
 * removed by 4-tuple while the table doubles underneath. Growth is
 * incremental (an insert or remove moves at most SF_DEMUX_MIGRATE_STEP old
 * buckets), so these check that every record stays findable at every step of
 * a move, that a move finishes before the next doubling, and that no call
 * does more than its share of the work.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcp/tcp.h"

#define N 20000u

static void discard(void *ctx, const uint8_t *d, size_t n)
{
	(void)ctx, (void)d, (void)n;
}

static sf_stack *new_stack(void)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	cfg.output = discard;
	cfg.deterministic_insecure = 1;
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	struct sf_addr a = sf_addr_v4(192, 0, 2, 1);
	assert_int_equal(sf_stack_add_address(st, &a, 1500), 0);
	return st;
}

/* Record i: 192.0.2.1:80 <-> 198.51.100.(i % 200):(1024 + i / 200). */
static void tuple(uint32_t i, struct sf_endpoint *local, struct sf_endpoint *remote)
{
	*local = (struct sf_endpoint){ .addr = sf_addr_v4(192, 0, 2, 1), .port = 80 };
	*remote = (struct sf_endpoint){ .addr = sf_addr_v4(198, 51, 100, (uint8_t)(i % 200)),
					.port = (uint16_t)(1024 + i / 200) };
}

static sf_ref add_record(struct sf_stack *st, uint32_t i)
{
	struct sf_endpoint l, r;
	tuple(i, &l, &r);
	uint32_t index = sf_pool_alloc(&st->tws);
	assert_true(index != 0);
	struct sf_tw *tw = sf_tw_at(st, index);
	memcpy(tw->raddr, r.addr.bytes, sizeof tw->raddr);
	tw->lport = l.port;
	tw->rport = r.port;
	tw->laddr_id = 0;
	sf_ref ref = sf_ref_make(SF_REF_TW, index);
	assert_int_equal(sf_demux_insert(st, ref, &l, &r), 0);
	return ref;
}

static sf_ref find(const struct sf_stack *st, uint32_t i)
{
	struct sf_endpoint l, r;
	tuple(i, &l, &r);
	return sf_demux_lookup(st, &l, &r);
}

static void test_every_record_found_while_growing(void **state)
{
	(void)state;
	sf_stack *st = new_stack();
	static sf_ref refs[N];
	uint32_t doublings = 0, moves_seen = 0, last_mask = st->bucket_mask;

	for (uint32_t i = 0; i < N; i++) {
		bool moving_before = st->old_buckets != NULL;
		uint32_t next_before = st->old_next;
		refs[i] = add_record(st, i);
		if (st->bucket_mask != last_mask) {
			/* A doubling starts only once the previous move is over. */
			assert_false(moving_before);
			assert_int_equal(st->bucket_mask, last_mask * 2 + 1);
			last_mask = st->bucket_mask;
			doublings++;
		} else if (moving_before) {
			/* No insert moves more than its share. */
			uint32_t moved = st->old_buckets ? st->old_next - next_before : st->old_mask + 1 - next_before;
			assert_true(moved <= 2);
		}
		if (st->old_buckets) {
			moves_seen++;
			/* Mid-move: every record so far is found, wherever it is. */
			if (i % 61 == 0)
				for (uint32_t j = 0; j <= i; j++)
					assert_int_equal(find(st, j), refs[j]);
		}
		assert_int_equal(find(st, i), refs[i]);
	}
	assert_int_equal(st->hashed, N);
	assert_true(doublings >= 5);
	assert_true(moves_seen > 0);
	/* At most two records a bucket on average once grown. */
	assert_true(st->hashed <= 2 * (st->bucket_mask + 1));
	for (uint32_t j = 0; j < N; j++)
		assert_int_equal(find(st, j), refs[j]);

	/* Remove the even ones (removals also move buckets along). */
	for (uint32_t j = 0; j < N; j += 2) {
		struct sf_endpoint l, r;
		tuple(j, &l, &r);
		sf_demux_remove(st, refs[j], &l, &r);
		sf_pool_free(&st->tws, sf_ref_index(refs[j]));
	}
	assert_int_equal(st->hashed, N / 2);
	for (uint32_t j = 0; j < N; j++)
		assert_int_equal(find(st, j), j % 2 ? refs[j] : SF_REF_NONE);
	for (uint32_t j = 1; j < N; j += 2) {
		struct sf_endpoint l, r;
		tuple(j, &l, &r);
		sf_demux_remove(st, refs[j], &l, &r);
		sf_pool_free(&st->tws, sf_ref_index(refs[j]));
	}
	assert_int_equal(st->hashed, 0);
	sf_stack_free(st);
}

/* A record inserted mid-move and removed before its old bucket has moved is
 * removed from wherever it went; the count stays right. */
static void test_remove_during_move(void **state)
{
	(void)state;
	sf_stack *st = new_stack();
	static sf_ref refs[N];
	uint32_t n = 0;

	while (!st->old_buckets) {
		refs[n] = add_record(st, n);
		n++;
	}
	uint32_t first_new = n;
	refs[n] = add_record(st, n);
	n++;
	assert_non_null(st->old_buckets);
	struct sf_endpoint l, r;
	tuple(first_new, &l, &r);
	sf_demux_remove(st, refs[first_new], &l, &r);
	assert_int_equal(find(st, first_new), SF_REF_NONE);
	assert_int_equal(st->hashed, n - 1);
	for (uint32_t j = 0; j < n; j++)
		if (j != first_new)
			assert_int_equal(find(st, j), refs[j]);
	sf_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_record_found_while_growing),
		cmocka_unit_test(test_remove_during_move),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
