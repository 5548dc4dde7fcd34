/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Doubly linked lists of pool records, linked by 32-bit index (0 = none)
 * rather than by pointer: the compact embryo and TIME-WAIT records keep their
 * timer links in 8 bytes this way.
 */
#ifndef SYNFIN_BASE_ILIST_H
#define SYNFIN_BASE_ILIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/pool.h"

struct sf_ilink {
	uint32_t prev;
	uint32_t next;
};

struct sf_ilist {
	uint32_t head;
	uint32_t tail;
};

/* link_off is the offset of the record's struct sf_ilink (offsetof). */
void sf_ilist_push_tail(struct sf_pool *pool, size_t link_off, struct sf_ilist *list, uint32_t index);
void sf_ilist_remove(struct sf_pool *pool, size_t link_off, struct sf_ilist *list, uint32_t index);

#endif
