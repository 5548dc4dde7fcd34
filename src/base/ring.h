/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Byte rings for the send and receive queues.
 *
 * Storage is taken when the first byte arrives and given back as soon as the
 * ring is empty again, so an idle connection holds no buffer at all (an idle
 * established connection costs only its control block). Given-back
 * buffers wait in a small per-stack cache, so a connection that empties and
 * refills its queue does not go to the allocator each time.
 *
 * Each buffer carries a range map beside its bytes: for the receive queue,
 * which bytes beyond the in-order data have already arrived (out-of-order
 * segments written in place, RFC 9293 SHLD-31); for the send queue, which
 * bytes the peer has SACKed (RFC 6675 scoreboard). Both exist only while there
 * is data, so they live with the data.
 */
#ifndef SYNFIN_RING_H
#define SYNFIN_RING_H

#include <stdint.h>

#include "base/rangeset.h"

struct sf_rbuf {
	uint32_t cap;            /* bytes of data[] */
	struct sf_rangeset map;  /* see above; sequence numbers of the queue's owner */
	uint8_t data[];
};

#define SF_BUFCACHE_SLOTS 64

/** Empty buffers kept for reuse, per stack. */
struct sf_bufcache {
	struct sf_rbuf *free[SF_BUFCACHE_SLOTS];
	uint32_t n;
};

struct sf_ring {
	struct sf_rbuf *b; /* NULL while the ring holds nothing */
	uint32_t head;     /* offset of the first byte held */
	uint32_t len;      /* bytes held in order */
};

/** Append up to n bytes (storage of cap bytes is taken on first use). Bytes taken, or -ENOMEM. */
long sf_ring_write(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap, const void *data, uint32_t n);
/**
 * Write up to n bytes off bytes past the in-order data, without making them
 * part of it (an out-of-order segment). Bytes written (less than n where they
 * would pass the end of the storage), or -ENOMEM.
 */
long sf_ring_write_at(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap, uint32_t off, const void *data,
		      uint32_t n);
/** Make n bytes already written past the in-order data part of it. */
void sf_ring_commit(struct sf_ring *ring, uint32_t n);
/** Copy up to n bytes from the front into out, leaving them in the ring. Bytes copied. */
uint32_t sf_ring_copy(const struct sf_ring *ring, void *out, uint32_t n);
/** Remove up to n bytes from the front into out. Bytes taken. */
uint32_t sf_ring_read(struct sf_ring *ring, struct sf_bufcache *cache, void *out, uint32_t n);
/** Discard up to n bytes from the front. */
void sf_ring_drop(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t n);
/**
 * Point at n bytes starting off bytes into the ring, in at most two pieces
 * (the second is empty unless the range wraps). off + n must be <= len.
 */
void sf_ring_peek(const struct sf_ring *ring, uint32_t off, uint32_t n, const uint8_t **p1, uint32_t *n1,
		  const uint8_t **p2, uint32_t *n2);
/** Room left before the ring holds cap bytes. */
static inline uint32_t sf_ring_room(const struct sf_ring *ring, uint32_t cap)
{
	return ring->len >= cap ? 0 : cap - ring->len;
}
/** The buffer's range map, or NULL while the ring has no storage. */
static inline struct sf_rangeset *sf_ring_map(struct sf_ring *ring)
{
	return ring->b ? &ring->b->map : NULL;
}
/**
 * Make the storage hold at least cap bytes: storage is sized once, when the
 * first byte arrives, so a queue whose limit grows meanwhile moves what it
 * holds (in order, out of order beyond it, and the range map) to a larger
 * buffer. Nothing to do without storage or when it is large enough already.
 * 0, or -ENOMEM with the ring unchanged.
 */
int sf_ring_grow(struct sf_ring *ring, struct sf_bufcache *cache, uint32_t cap);
/** Give the storage back if nothing is held in order or out of order. */
void sf_ring_release_if_empty(struct sf_ring *ring, struct sf_bufcache *cache);
/** Give the storage back whatever it holds. */
void sf_ring_free(struct sf_ring *ring, struct sf_bufcache *cache);
/** Free every cached buffer. */
void sf_bufcache_destroy(struct sf_bufcache *cache);

#endif
