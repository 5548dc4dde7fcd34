/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket handles (small integers, freed ones reused) and the readiness queue
 * behind sf_poll_events.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/service.h"

struct sf_sock *sf_sock_get(const struct sf_stack *st, uint32_t handle)
{
	return handle < st->socks_hwm ? st->socks[handle] : NULL;
}

int sf_handle_alloc(struct sf_stack *st, struct sf_sock *sock)
{
	uint32_t h;

	if (st->nfree) {
		h = st->free_handles[--st->nfree];
	} else {
		if (st->socks_hwm >= st->cfg.max_sockets)
			return -EMFILE;
		if (st->socks_hwm == st->socks_cap) {
			uint32_t cap = st->socks_cap ? st->socks_cap * 2 : 64;
			struct sf_sock **s = realloc(st->socks, cap * sizeof *s);
			if (!s)
				return -ENOMEM;
			st->socks = s;
			uint32_t *f = realloc(st->free_handles, cap * sizeof *f);
			if (!f)
				return -ENOMEM;
			st->free_handles = f;
			st->socks_cap = cap;
		}
		h = st->socks_hwm++;
	}
	st->socks[h] = sock;
	sock->handle = h;
	return (int)h;
}

void sf_handle_release(struct sf_stack *st, uint32_t handle)
{
	st->socks[handle] = NULL;
	st->free_handles[st->nfree++] = handle;
}

/* ---- readiness ---- */

void sf_mark_ready(struct sf_stack *st, struct sf_sock *sock)
{
	if (sock->in_ready || !sock->user_open)
		return;
	if (st->nready == st->ready_cap) {
		uint32_t cap = st->ready_cap ? st->ready_cap * 2 : 64;
		uint32_t *r = realloc(st->ready, cap * sizeof *r);
		if (!r)
			return; /* the app still sees the state through its next call */
		st->ready = r;
		st->ready_cap = cap;
	}
	st->ready[st->nready++] = sock->handle;
	sock->in_ready = true;
}

