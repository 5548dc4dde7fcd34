/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The list of connections that owe an ACK at the end of an input batch
 * (RFC 9293 MUST-58, MUST-59; sf_input_begin and sf_input_end).
 */
#include <stdlib.h>

#include "core/service.h"

bool sf_batch_defer_ack(struct sf_stack *st, uint32_t handle)
{
	if (!st->in_batch)
		return false;
	if (st->nheld_acks == st->held_acks_cap) {
		uint32_t cap = st->held_acks_cap ? st->held_acks_cap * 2 : 64;
		uint32_t *grown = realloc(st->held_acks, cap * sizeof *grown);
		if (!grown)
			return false;
		st->held_acks = grown;
		st->held_acks_cap = cap;
	}
	st->held_acks[st->nheld_acks++] = handle;
	return true;
}
