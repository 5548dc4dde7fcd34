/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/pool.h"

#include <stdlib.h>
#include <string.h>

void sf_pool_init(struct sf_pool *pool, uint32_t elem_size)
{
	memset(pool, 0, sizeof *pool);
	pool->elem_size = elem_size < sizeof(uint32_t) ? (uint32_t)sizeof(uint32_t) : elem_size;
	pool->next_fresh = 1; /* index 0 means "none" */
}

void sf_pool_destroy(struct sf_pool *pool)
{
	for (uint32_t i = 0; i < pool->nchunks; i++)
		free(pool->chunks[i]);
	free(pool->chunks);
	sf_pool_init(pool, pool->elem_size);
}

/* The chunk table doubles, so adding a chunk is O(1) amortised: at ten
 * million records (ten thousand chunks) no allocation copies the table. */
static int pool_grow(struct sf_pool *pool)
{
	if (pool->nchunks == pool->chunks_cap) {
		uint32_t cap = pool->chunks_cap ? pool->chunks_cap * 2 : 16;
		uint8_t **chunks = realloc(pool->chunks, cap * sizeof *chunks);
		if (!chunks)
			return -1;
		pool->chunks = chunks;
		pool->chunks_cap = cap;
	}
	pool->chunks[pool->nchunks] = malloc((size_t)SF_POOL_CHUNK_LEN * pool->elem_size);
	if (!pool->chunks[pool->nchunks])
		return -1;
	pool->nchunks++;
	return 0;
}

uint32_t sf_pool_alloc(struct sf_pool *pool)
{
	uint32_t index = pool->free_head;

	if (index) {
		memcpy(&pool->free_head, sf_pool_get(pool, index), sizeof pool->free_head);
	} else {
		if (pool->next_fresh > SF_POOL_MAX_INDEX)
			return 0;
		if ((pool->next_fresh >> SF_POOL_CHUNK_SHIFT) >= pool->nchunks && pool_grow(pool) != 0)
			return 0;
		index = pool->next_fresh++;
	}
	memset(sf_pool_get(pool, index), 0, pool->elem_size);
	pool->live++;
	return index;
}

void sf_pool_free(struct sf_pool *pool, uint32_t index)
{
	memcpy(sf_pool_get(pool, index), &pool->free_head, sizeof pool->free_head);
	pool->free_head = index;
	pool->live--;
}

size_t sf_pool_footprint(const struct sf_pool *pool)
{
	return (size_t)pool->nchunks * (size_t)SF_POOL_CHUNK_LEN * pool->elem_size +
	       (size_t)pool->chunks_cap * sizeof(uint8_t *);
}
