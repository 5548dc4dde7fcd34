/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stack's clock. Time only enters through sf_input and sf_advance; the
 * library never reads a clock of its own.
 */
#include "core/service.h"

uint32_t sf_ms(const struct sf_stack *st)
{
	return (uint32_t)((st->now_ns - st->epoch_ns) / 1000000u);
}

uint32_t sf_ms_ceil(const struct sf_stack *st)
{
	return (uint32_t)((st->now_ns - st->epoch_ns + 999999u) / 1000000u);
}

/* Compact records keep 32-bit millisecond expiries (49 days of range, far
 * beyond 2*MSL); widen one back to nanoseconds relative to now. */
uint64_t sf_ms_stamp_ns(const struct sf_stack *st, uint32_t ms)
{
	uint64_t now_ms = (st->now_ns - st->epoch_ns) / 1000000u;
	int64_t delta = (int32_t)(ms - (uint32_t)now_ms);
	int64_t t = (int64_t)now_ms + delta;
	return t <= 0 ? st->epoch_ns : st->epoch_ns + sf_ns_from_ms((uint64_t)t);
}
