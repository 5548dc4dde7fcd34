/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pool of fixed-size records addressed by 32-bit index, allocated in chunks
 * so that records never move. Compact records (embryos,
 * TIME-WAIT) link to each other by index rather than by pointer: half the
 * size on 64-bit machines, which is what lets a million of them fit in tens of
 * megabytes. Index 0 is never handed out, so 0 can mean "none".
 */
#ifndef SYNFIN_POOL_H
#define SYNFIN_POOL_H

#include <stddef.h>
#include <stdint.h>

#define SF_POOL_CHUNK_SHIFT 10
#define SF_POOL_CHUNK_LEN (1u << SF_POOL_CHUNK_SHIFT)
#define SF_POOL_MAX_INDEX 0x3fffffffu /* indices fit the 30 bits of a demux reference */

struct sf_pool {
	uint8_t **chunks;
	uint32_t nchunks;
	uint32_t chunks_cap; /* room in chunks[] */
	uint32_t elem_size;  /* at least 4: a free record holds the next free index */
	uint32_t next_fresh; /* first index never handed out */
	uint32_t free_head;  /* most recently freed index, 0 = none */
	uint32_t live;       /* records in use */
};

void sf_pool_init(struct sf_pool *pool, uint32_t elem_size);
/** Release every chunk; records still live are gone. */
void sf_pool_destroy(struct sf_pool *pool);
/** A zeroed record's index, or 0 when memory (or index space) runs out. */
uint32_t sf_pool_alloc(struct sf_pool *pool);
void sf_pool_free(struct sf_pool *pool, uint32_t index);

/** The record at a live index. */
static inline void *sf_pool_get(const struct sf_pool *pool, uint32_t index)
{
	return pool->chunks[index >> SF_POOL_CHUNK_SHIFT] +
	       (size_t)(index & (SF_POOL_CHUNK_LEN - 1)) * pool->elem_size;
}

/** Bytes the pool holds from the allocator (chunks and the chunk table). */
size_t sf_pool_footprint(const struct sf_pool *pool);

#endif
