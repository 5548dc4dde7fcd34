/*
 * A byte ring for the send and receive queues. The storage is allocated on
 * first write, at the capacity the socket's buffer size gives, and kept until
 * the connection is freed (no allocation per segment).
 */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <stdint.h>

struct sf_ring {
	uint8_t *buf;
	uint32_t cap;  /* bytes of storage (0 until the first write) */
	uint32_t head; /* offset of the first byte held */
	uint32_t len;  /* bytes held */
};

/** Append up to n bytes, allocating cap bytes of storage on first use. Bytes taken, or -ENOMEM. */
long sf_ring_write(struct sf_ring *ring, uint32_t cap, const void *data, uint32_t n);
/** Remove up to n bytes from the front into out. Bytes taken. */
uint32_t sf_ring_read(struct sf_ring *ring, void *out, uint32_t n);
/** Discard up to n bytes from the front. */
void sf_ring_drop(struct sf_ring *ring, uint32_t n);
/**
 * Point at n bytes starting off bytes into the ring, in at most two pieces
 * (the second is empty unless the range wraps). off + n must be <= len.
 */
void sf_ring_peek(const struct sf_ring *ring, uint32_t off, uint32_t n, const uint8_t **p1, uint32_t *n1,
		  const uint8_t **p2, uint32_t *n2);
/** Room left before the ring holds cap bytes (cap as would be used on first write). */
static inline uint32_t sf_ring_room(const struct sf_ring *ring, uint32_t cap)
{
	uint32_t c = ring->cap ? ring->cap : cap;
	return c - ring->len;
}
void sf_ring_free(struct sf_ring *ring);

#endif
