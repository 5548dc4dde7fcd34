/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct sf_rbuf *buf_get(struct sf_bufcache *cache, uint32_t cap)
{
	/* Newest first: the buffer just given back is the one most likely warm. */
	for (uint32_t i = cache->n; i-- > 0;) {
		if (cache->free[i]->cap != cap)
			continue;
		struct sf_rbuf *b = cache->free[i];
		cache->free[i] = cache->free[--cache->n];
		sf_rangeset_init(&b->map);
		return b;
	}
	struct sf_rbuf *b = malloc(sizeof *b + cap);
	if (!b)
		return NULL;
	b->cap = cap;
	sf_rangeset_init(&b->map);
	return b;
}

static void buf_put(struct sf_bufcache *cache, struct sf_rbuf *b)
{
	if (cache && cache->n < SF_BUFCACHE_SLOTS)
		cache->free[cache->n++] = b;
	else
		free(b);
}

static int ensure(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap)
{
	if (ring->b)
		return 0;
	if (cap == 0)
		return -ENOMEM;
	ring->b = buf_get(cache, cap);
	if (!ring->b)
		return -ENOMEM;
	ring->head = 0;
	ring->len = 0;
	return 0;
}

/* Copy n bytes into the ring at logical position pos (from head), wrapping. */
static void copy_in(struct sf_ring *ring, uint32_t pos, const uint8_t *src, uint32_t n)
{
	uint32_t cap = ring->b->cap;
	uint32_t at = (uint32_t)(((uint64_t)ring->head + pos) % cap);
	uint32_t first = cap - at < n ? cap - at : n;

	memcpy(ring->b->data + at, src, first);
	memcpy(ring->b->data, src + first, n - first);
}

long sf_ring_write(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap, const void *data, uint32_t n)
{
	if (n == 0)
		return 0;
	if (ensure(ring, cache, cap) != 0)
		return -ENOMEM;
	if (n > ring->b->cap - ring->len)
		n = ring->b->cap - ring->len;
	copy_in(ring, ring->len, data, n);
	ring->len += n;
	return n;
}

long sf_ring_write_at(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap, uint32_t off, const void *data,
		      uint32_t n)
{
	if (n == 0)
		return 0;
	if (ensure(ring, cache, cap) != 0)
		return -ENOMEM;
	uint32_t room = ring->b->cap - ring->len;
	if (off >= room)
		return 0;
	if (n > room - off)
		n = room - off;
	copy_in(ring, ring->len + off, data, n);
	return n;
}

void sf_ring_commit(struct sf_ring *ring, uint32_t n)
{
	if (!ring->b)
		return;
	if (n > ring->b->cap - ring->len)
		n = ring->b->cap - ring->len;
	ring->len += n;
}

void sf_ring_peek(const struct sf_ring *ring, uint32_t off, uint32_t n, const uint8_t **p1, uint32_t *n1,
		  const uint8_t **p2, uint32_t *n2)
{
	*p1 = *p2 = NULL;
	*n1 = *n2 = 0;
	if (n == 0 || !ring->b)
		return;
	uint32_t cap = ring->b->cap;
	uint32_t start = (uint32_t)(((uint64_t)ring->head + off) % cap);
	uint32_t first = cap - start < n ? cap - start : n;
	*p1 = ring->b->data + start;
	*n1 = first;
	if (first < n) {
		*p2 = ring->b->data;
		*n2 = n - first;
	}
}

uint32_t sf_ring_copy(const struct sf_ring *ring, void *out, uint32_t n)
{
	const uint8_t *p1, *p2;
	uint32_t n1, n2;

	if (n > ring->len)
		n = ring->len;
	sf_ring_peek(ring, 0, n, &p1, &n1, &p2, &n2);
	if (n1)
		memcpy(out, p1, n1);
	if (n2)
		memcpy((uint8_t *)out + n1, p2, n2);
	return n;
}

uint32_t sf_ring_read(struct sf_ring *ring, struct sf_bufcache *cache, void *out, uint32_t n)
{
	n = sf_ring_copy(ring, out, n);
	sf_ring_drop(ring, cache, n);
	return n;
}

int sf_ring_grow(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap)
{
	if (!ring->b || cap <= ring->b->cap)
		return 0;
	struct sf_rbuf *old = ring->b, *b = buf_get(cache, cap);
	if (!b)
		return -ENOMEM;
	/* The whole old storage from head on, so bytes held out of order past
	 * the in-order ones keep their offsets. */
	uint32_t first = old->cap - ring->head;
	memcpy(b->data, old->data + ring->head, first);
	memcpy(b->data + first, old->data, ring->head);
	b->map = old->map;
	ring->b = b;
	ring->head = 0;
	buf_put(cache, old);
	return 0;
}

void sf_ring_drop(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t n)
{
	if (n > ring->len)
		n = ring->len;
	if (n) {
		ring->head = (uint32_t)(((uint64_t)ring->head + n) % ring->b->cap);
		ring->len -= n;
	}
	sf_ring_release_if_empty(ring, cache);
}

void sf_ring_release_if_empty(struct sf_ring *ring, struct sf_bufcache *cache)
{
	if (ring->b && ring->len == 0 && ring->b->map.n == 0) {
		buf_put(cache, ring->b);
		ring->b = NULL;
		ring->head = 0;
	}
}

void sf_ring_free(struct sf_ring *ring, struct sf_bufcache *cache)
{
	if (ring->b)
		buf_put(cache, ring->b);
	ring->b = NULL;
	ring->head = ring->len = 0;
}

void sf_bufcache_destroy(struct sf_bufcache *cache)
{
	for (uint32_t i = 0; i < cache->n; i++)
		free(cache->free[i]);
	cache->n = 0;
}
