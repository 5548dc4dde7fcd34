#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

long sf_ring_write(struct sf_ring *ring, uint32_t cap, const void *data, uint32_t n)
{
	const uint8_t *src = data;

	if (!ring->buf) {
		ring->buf = malloc(cap);
		if (!ring->buf)
			return -ENOMEM;
		ring->cap = cap;
		ring->head = 0;
		ring->len = 0;
	}
	if (n > ring->cap - ring->len)
		n = ring->cap - ring->len;
	uint32_t tail = (ring->head + ring->len) % ring->cap;
	uint32_t first = ring->cap - tail < n ? ring->cap - tail : n;
	memcpy(ring->buf + tail, src, first);
	memcpy(ring->buf, src + first, n - first);
	ring->len += n;
	return n;
}

void sf_ring_peek(const struct sf_ring *ring, uint32_t off, uint32_t n, const uint8_t **p1, uint32_t *n1,
		  const uint8_t **p2, uint32_t *n2)
{
	*p1 = *p2 = NULL;
	*n1 = *n2 = 0;
	if (n == 0 || !ring->buf)
		return;
	uint32_t start = (ring->head + off) % ring->cap;
	uint32_t first = ring->cap - start < n ? ring->cap - start : n;
	*p1 = ring->buf + start;
	*n1 = first;
	if (first < n) {
		*p2 = ring->buf;
		*n2 = n - first;
	}
}

uint32_t sf_ring_read(struct sf_ring *ring, void *out, uint32_t n)
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
	sf_ring_drop(ring, n);
	return n;
}

void sf_ring_drop(struct sf_ring *ring, uint32_t n)
{
	if (n > ring->len)
		n = ring->len;
	if (n == 0)
		return;
	ring->head = (ring->head + n) % ring->cap;
	ring->len -= n;
	if (ring->len == 0)
		ring->head = 0;
}

void sf_ring_free(struct sf_ring *ring)
{
	free(ring->buf);
	memset(ring, 0, sizeof *ring);
}
