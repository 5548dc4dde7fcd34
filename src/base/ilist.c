/* SPDX-License-Identifier: BSD-2-Clause */
#include "base/ilist.h"

static struct sf_ilink *ilink(struct sf_pool *pool, size_t off, uint32_t index)
{
	return (struct sf_ilink *)((uint8_t *)sf_pool_get(pool, index) + off);
}

void sf_ilist_push_tail(struct sf_pool *pool, size_t link_off, struct sf_ilist *list, uint32_t index)
{
	struct sf_ilink *l = ilink(pool, link_off, index);

	l->next = 0;
	l->prev = list->tail;
	if (list->tail)
		ilink(pool, link_off, list->tail)->next = index;
	else
		list->head = index;
	list->tail = index;
}

void sf_ilist_remove(struct sf_pool *pool, size_t link_off, struct sf_ilist *list, uint32_t index)
{
	struct sf_ilink *l = ilink(pool, link_off, index);

	if (l->prev)
		ilink(pool, link_off, l->prev)->next = l->next;
	else
		list->head = l->next;
	if (l->next)
		ilink(pool, link_off, l->next)->prev = l->prev;
	else
		list->tail = l->prev;
	l->prev = l->next = 0;
}
