/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Byte rings (src/ring.h): append, read, peek and wrap; out-of-order writes
 * committed later; storage taken on first use and given back when empty to a
 * per-stack cache of buffers, reused by capacity without a new allocation;
 * the range map keeping storage alive; the cache's bound; copying without
 * taking (a peek); growing storage that already holds bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/ring.h"

static const uint8_t abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* Read n bytes and check them against want. */
static void read_expect(struct sf_ring *r, struct sf_bufcache *c, const char *want, uint32_t n)
{
	uint8_t buf[64];
	assert_true(n <= sizeof buf);
	assert_int_equal(sf_ring_read(r, c, buf, n), n);
	assert_memory_equal(buf, want, n);
}

/* RFC 9293 §3.3.1 queues as byte rings: storage is taken on the first write only, with the capacity asked for. */
static void test_write_read_basic(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_null(r.b);
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 0), 0);
	assert_null(r.b); /* an empty write takes nothing */
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 5), 5);
	assert_non_null(r.b);
	assert_int_equal(r.b->cap, 16);
	assert_int_equal(r.len, 5);
	assert_int_equal(sf_ring_room(&r, 16), 11);
	read_expect(&r, &cache, "abc", 3);
	assert_int_equal(r.len, 2);
	read_expect(&r, &cache, "de", 2);
	assert_int_equal(r.len, 0);
	sf_ring_free(&r, &cache);
	sf_bufcache_destroy(&cache);
}

/* RFC 9293 §3.9.1.2 (SEND takes what the buffer holds): a write beyond the capacity is cut to what fits; a full ring takes nothing. */
static void test_write_truncates_when_full(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 20), 16);
	assert_int_equal(sf_ring_room(&r, 16), 0);
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 1), 0);
	/* Reading more than is held returns what is held. */
	uint8_t buf[32];
	assert_int_equal(sf_ring_read(&r, &cache, buf, sizeof buf), 16);
	assert_memory_equal(buf, abc, 16);
	assert_null(r.b);
	sf_bufcache_destroy(&cache);
}

/* RFC 9293 §3.3.1: sequence space wraps in the ring: peek returns two pieces, read joins them. */
static void test_wrap_and_peek(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };
	const uint8_t *p1, *p2;
	uint32_t n1, n2;

	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 10), 10);
	read_expect(&r, &cache, "abcdef", 6); /* head at 6, 4 held */
	assert_int_equal(r.head, 6);
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc + 10, 10), 10); /* "klmnopqrst": 6 fit before the end */
	assert_int_equal(r.len, 14);
	/* All 14 bytes: "ghij" "klmnop" up to the end, then "qrst" from the start. */
	sf_ring_peek(&r, 0, 14, &p1, &n1, &p2, &n2);
	assert_ptr_equal(p1, r.b->data + 6);
	assert_int_equal(n1, 10);
	assert_memory_equal(p1, "ghijklmnop", 10);
	assert_ptr_equal(p2, r.b->data);
	assert_int_equal(n2, 4);
	assert_memory_equal(p2, "qrst", 4);
	/* From an offset inside the second piece: one piece. */
	sf_ring_peek(&r, 11, 3, &p1, &n1, &p2, &n2);
	assert_ptr_equal(p1, r.b->data + 1);
	assert_int_equal(n1, 3);
	assert_memory_equal(p1, "rst", 3);
	assert_null(p2);
	assert_int_equal(n2, 0);
	/* Nothing: no pieces. */
	sf_ring_peek(&r, 0, 0, &p1, &n1, &p2, &n2);
	assert_null(p1);
	assert_int_equal(n1, 0);
	/* Drop 2, read the rest across the wrap. */
	sf_ring_drop(&r, &cache, 2);
	read_expect(&r, &cache, "ijklmnopqrst", 12);
	assert_null(r.b);
	sf_bufcache_destroy(&cache);
}

/* RFC 9293 SHLD-31 in the ring: bytes written past the in-order data stay outside it until committed. */
static void test_write_at_and_commit(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_int_equal(sf_ring_write(&r, &cache, 16, "abcd", 4), 4);
	/* A gap of 2, then "XY" at offset 2 past the in-order data. */
	assert_int_equal(sf_ring_write_at(&r, &cache, 16, 2, "XY", 2), 2);
	assert_int_equal(r.len, 4);
	/* The gap fills with an ordinary append, then the held bytes join. */
	assert_int_equal(sf_ring_write(&r, &cache, 16, "ef", 2), 2);
	sf_ring_commit(&r, 2);
	assert_int_equal(r.len, 8);
	read_expect(&r, &cache, "abcdefXY", 8);
	/* Past the end of the storage: cut (12 of room, offset 10: 2 fit), or nothing at all. */
	assert_int_equal(sf_ring_write(&r, &cache, 16, "0123", 4), 4);
	assert_int_equal(sf_ring_write_at(&r, &cache, 16, 10, "wxyz", 4), 2);
	assert_int_equal(sf_ring_write_at(&r, &cache, 16, 12, "z", 1), 0);
	/* A commit is bounded by the storage too. */
	sf_ring_commit(&r, 100);
	assert_int_equal(r.len, 16);
	uint8_t buf[16];
	assert_int_equal(sf_ring_read(&r, &cache, buf, 16), 16);
	assert_memory_equal(buf, "0123", 4);
	assert_memory_equal(buf + 14, "wx", 2);
	sf_bufcache_destroy(&cache);
}

/* ring.h (idle connections hold no buffer): storage goes back to the cache when empty and is reused by capacity: no new malloc. */
static void test_storage_returned_and_reused(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 }, other = { 0 };

	assert_int_equal(sf_ring_write(&r, &cache, 32, abc, 10), 10);
	struct sf_rbuf *first = r.b;
	sf_ring_drop(&r, &cache, 10);
	assert_null(r.b);
	assert_int_equal(r.head, 0);
	assert_int_equal(cache.n, 1);
	assert_ptr_equal(cache.free[0], first);
	/* Another ring, same capacity: the very same buffer, and its map starts empty. */
	first->map.n = 3; /* as if left over */
	assert_int_equal(sf_ring_write(&other, &cache, 32, abc, 1), 1);
	assert_ptr_equal(other.b, first);
	assert_int_equal(other.b->map.n, 0);
	assert_int_equal(cache.n, 0);
	/* A different capacity does not take a cached buffer of another size. */
	read_expect(&other, &cache, "a", 1);
	assert_int_equal(cache.n, 1);
	assert_int_equal(sf_ring_write(&r, &cache, 64, abc, 1), 1);
	assert_ptr_not_equal(r.b, first);
	assert_int_equal(r.b->cap, 64);
	assert_int_equal(cache.n, 1);
	sf_ring_free(&r, &cache);
	assert_int_equal(cache.n, 2);
	/* Newest of the right size first. */
	assert_int_equal(sf_ring_write(&other, &cache, 32, abc, 1), 1);
	assert_ptr_equal(other.b, first);
	sf_ring_free(&other, &cache);
	sf_bufcache_destroy(&cache);
	assert_int_equal(cache.n, 0);
}

/* RFC 9293 SHLD-31 / RFC 6675 §3: the range map (held out-of-order data, SACK scoreboard) keeps the storage with nothing in order. */
static void test_release_if_empty_keeps_mapped_storage(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_int_equal(sf_ring_write_at(&r, &cache, 16, 4, "held", 4), 4);
	assert_int_equal(sf_rangeset_add(sf_ring_map(&r), 1004, 1008), 0);
	assert_int_equal(r.len, 0);
	sf_ring_release_if_empty(&r, &cache);
	assert_non_null(r.b);
	assert_int_equal(cache.n, 0);
	/* A drop of nothing checks too: still kept. */
	sf_ring_drop(&r, &cache, 0);
	assert_non_null(r.b);
	/* The map empties: now it goes. */
	sf_rangeset_trim_before(sf_ring_map(&r), 1008);
	sf_ring_release_if_empty(&r, &cache);
	assert_null(r.b);
	assert_null(sf_ring_map(&r));
	assert_int_equal(cache.n, 1);
	/* Nothing to release on a ring without storage. */
	sf_ring_release_if_empty(&r, &cache);
	assert_int_equal(cache.n, 1);
	sf_bufcache_destroy(&cache);
}

/* RFC 9293 §3.10.5 (ABORT flushes the queues): sf_ring_free gives the storage back whatever it holds. */
static void test_free_with_data(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 7), 7);
	sf_ring_drop(&r, &cache, 3);
	struct sf_rbuf *b = r.b;
	sf_ring_free(&r, &cache);
	assert_null(r.b);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.head, 0);
	assert_int_equal(cache.n, 1);
	assert_ptr_equal(cache.free[0], b);
	/* Given back without a cache, it is freed (LeakSanitizer checks). */
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 7), 7);
	assert_ptr_equal(r.b, b);
	sf_ring_free(&r, NULL);
	assert_null(r.b);
	assert_int_equal(cache.n, 0);
	sf_bufcache_destroy(&cache);
}

/* ring.h cache bound: at most SF_BUFCACHE_SLOTS (64) buffers are kept; the 65th given back is freed (LeakSanitizer checks). */
static void test_cache_bound(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring rings[SF_BUFCACHE_SLOTS + 1];

	memset(rings, 0, sizeof rings);
	for (int i = 0; i <= SF_BUFCACHE_SLOTS; i++)
		assert_int_equal(sf_ring_write(&rings[i], &cache, 128, abc, 1), 1);
	assert_int_equal(cache.n, 0);
	for (int i = 0; i <= SF_BUFCACHE_SLOTS; i++) {
		sf_ring_drop(&rings[i], &cache, 1);
		assert_null(rings[i].b);
		assert_int_equal(cache.n, i < SF_BUFCACHE_SLOTS ? (uint32_t)i + 1 : SF_BUFCACHE_SLOTS);
	}
	assert_int_equal(cache.n, 64);
	sf_bufcache_destroy(&cache);
	assert_int_equal(cache.n, 0);
}

/* ring.h: no storage of zero capacity (-ENOMEM, as an allocation failure). */
static void test_zero_capacity_is_enomem(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };

	assert_int_equal(sf_ring_write(&r, &cache, 0, abc, 1), -ENOMEM);
	assert_int_equal(sf_ring_write_at(&r, &cache, 0, 0, abc, 1), -ENOMEM);
	assert_null(r.b);
}

/* sf_ring_copy (MSG_PEEK's read): the bytes come out, across the wrap, and stay in the ring. */
static void test_copy_leaves_bytes(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };
	uint8_t buf[32];

	assert_int_equal(sf_ring_copy(&r, buf, 4), 0); /* no storage: nothing */
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 10), 10);
	read_expect(&r, &cache, "abcdef", 6);
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc + 10, 10), 10); /* wraps */
	assert_int_equal(sf_ring_copy(&r, buf, sizeof buf), 14);
	assert_memory_equal(buf, "ghijklmnopqrst", 14);
	assert_int_equal(r.len, 14);
	assert_int_equal(sf_ring_copy(&r, buf, 3), 3);
	assert_memory_equal(buf, "ghi", 3);
	read_expect(&r, &cache, "ghijklmnopqrst", 14);
	sf_bufcache_destroy(&cache);
}

/* sf_ring_grow: wrapped in-order bytes, out-of-order bytes past them and the range map move to the larger storage; the room then counts the new limit. */
static void test_grow_keeps_bytes_and_map(void **state)
{
	(void)state;
	struct sf_bufcache cache = { 0 };
	struct sf_ring r = { 0 };
	uint8_t buf[32];

	assert_int_equal(sf_ring_grow(&r, &cache, 64), 0);
	assert_null(r.b); /* no storage: none is taken */
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc, 12), 12);
	read_expect(&r, &cache, "abcdefgh", 8);
	assert_int_equal(sf_ring_write(&r, &cache, 16, abc + 12, 8), 8); /* "ijkl" + "mnopqrst": wraps */
	assert_int_equal(sf_ring_write_at(&r, &cache, 16, 2, "XY", 2), 2);  /* held past a gap of 2 */
	assert_int_equal(sf_rangeset_add(&r.b->map, 100, 102), 0);
	assert_int_equal(sf_ring_grow(&r, &cache, 8), 0); /* smaller: kept */
	assert_int_equal(r.b->cap, 16);
	assert_int_equal(sf_ring_grow(&r, &cache, 64), 0);
	assert_int_equal(r.b->cap, 64);
	assert_int_equal(r.head, 0);
	assert_int_equal(r.len, 12);
	assert_int_equal(r.b->map.n, 1);
	assert_true(sf_rangeset_covers(&r.b->map, 100, 102));
	assert_int_equal(cache.n, 1); /* the old storage went back to the cache */
	assert_int_equal(sf_ring_room(&r, 60), 48);
	assert_int_equal(sf_ring_write(&r, &cache, 60, "uv", 2), 2); /* fills the gap */
	sf_ring_commit(&r, 2);
	assert_int_equal(sf_ring_write(&r, &cache, 60, abc, 30), 30); /* more than the old storage held */
	assert_int_equal(sf_ring_read(&r, &cache, buf, 16), 16);
	assert_memory_equal(buf, "ijklmnopqrstuvXY", 16);
	r.b->map.n = 0;
	sf_ring_free(&r, &cache);
	sf_bufcache_destroy(&cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_basic),
		cmocka_unit_test(test_write_truncates_when_full),
		cmocka_unit_test(test_wrap_and_peek),
		cmocka_unit_test(test_write_at_and_commit),
		cmocka_unit_test(test_storage_returned_and_reused),
		cmocka_unit_test(test_release_if_empty_keeps_mapped_storage),
		cmocka_unit_test(test_free_with_data),
		cmocka_unit_test(test_cache_bound),
		cmocka_unit_test(test_zero_capacity_is_enomem),
		cmocka_unit_test(test_copy_leaves_bytes),
		cmocka_unit_test(test_grow_keeps_bytes_and_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
