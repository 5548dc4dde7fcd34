/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hierarchical timing wheel: scheme 7 of Varghese and Lauck, "Hashed and
 * Hierarchical Timing Wheels: Data Structures for the Efficient
 * Implementation of a Timer Facility" (SOSP 1987). Level L has
 * SF_WHEEL_SLOTS slots, each SF_WHEEL_SLOTS^L ticks wide; a timer waits in a
 * coarse slot until the wheel reaches that slot, then is cascaded into a
 * finer level, and fires from level 0 exactly at its tick.
 *
 * Placement. The expiry tick e and the current tick n are read as base-64
 * numbers (one digit per level). A timer goes into the level of the most
 * significant digit in which e and n differ, in the slot named by e's digit
 * there: then e - n < 64^(L+1), so the distance fits the level, and the
 * slot's index is e's own bits as in the paper. Choosing the level by the
 * differing digit rather than by the distance alone means e and n agree on
 * every digit above L, so e's digit at L is above n's: occupied slots never
 * wrap round past the current one. This buys three things:
 *
 *  - the occupied slot nearest in time at any level is just its lowest set
 *    bit, with no rotation of the bitmap by n's digit;
 *  - a slot is cascaded when the wheel enters it and then holds only timers
 *    that are due within it, never ones waiting for the next lap round;
 *  - while a timer waits, n stays in the same 64^(L+1) block below e's
 *    slot, so (e, n) still name the timer's slot and cancel needs no
 *    stored position.
 *
 * Invariants, with d_L(n) the digit of n at level L:
 *  - level 0 slot s (s >= d_0(n)) holds timers with e = n - d_0(n) + s;
 *    slot d_0(n) holds the ones due now (also past expiries, clamped to n);
 *  - level L >= 1 slot s (s > d_L(n)) holds timers whose e is in that slot's
 *    64^L ticks within n's 64^(L+1) block;
 *  - slot 0 of the top level can never hold an in-range timer (its digit
 *    would have to be above n's), so it parks timers beyond the wheel's
 *    range, those whose e differs from n above the top digit. That is the
 *    farthest slot in time: it is cascaded when n enters the next
 *    top-level block, and each timer in it is placed again, back into it if
 *    it is still out of range. A timer is never put where it could fire
 *    early.
 *
 * The next event is the nearest occupied slot of the lowest non-empty level:
 * a level's occupied slots lie inside n's 64^(L+1) block, and every slot of
 * a higher level starts beyond it. So sf_wheel_next_deadline and each step of
 * sf_wheel_expire cost O(levels), and sf_wheel_expire jumps from event to
 * event instead of walking ticks: its work is one step per timer fired or
 * slot cascaded (a timer cascades at most once per level), plus one per
 * top-level block crossed while timers are parked out of range (one per
 * 2^36 ticks with the default geometry).
 */
#include <stddef.h>

#include "base/timer.h"

#define TICK_NS SF_WHEEL_TICK_NS
#define SLOT_MASK ((uint64_t)SF_WHEEL_SLOTS - 1)
#define TOP_LEVEL (SF_WHEEL_LEVELS - 1)
#define RANGE_BITS (SF_WHEEL_LEVELS * SF_WHEEL_SLOT_BITS)

_Static_assert(SF_WHEEL_SLOT_BITS >= 1 && SF_WHEEL_SLOT_BITS <= 6,
	       "one uint64_t occupancy bitmap per level");
_Static_assert(SF_WHEEL_LEVELS >= 2, "the out-of-range park is slot 0 of a level above 0");
_Static_assert(RANGE_BITS < 64, "shifts by the wheel's range must stay below 64");

static inline unsigned int level_shift(unsigned int level)
{
	return level * SF_WHEEL_SLOT_BITS;
}

/* The slot that holds (or will hold) a timer expiring at tick; tick >= now_tick. */
static void locate(const struct sf_wheel *wheel, uint64_t tick,
		   unsigned int *level, unsigned int *slot)
{
	uint64_t diff = tick ^ wheel->now_tick;
	unsigned int l;

	if (diff >> RANGE_BITS) {
		*level = TOP_LEVEL;
		*slot = 0;
		return;
	}
	/* diff == 0 is a timer due now; __builtin_clzll(0) is undefined. */
	l = diff ? (unsigned int)(63 - __builtin_clzll(diff)) / SF_WHEEL_SLOT_BITS : 0;
	*level = l;
	*slot = (unsigned int)((tick >> level_shift(l)) & SLOT_MASK);
}

/* Append, so that timers of one slot leave it in the order they came. */
static void slot_add(struct sf_wheel *wheel, unsigned int level, unsigned int slot,
		     struct sf_timer *t)
{
	struct sf_timer *head = wheel->slots[level][slot];

	if (!head) {
		t->next = t;
		t->prev = t;
		wheel->slots[level][slot] = t;
		wheel->occupied[level] |= UINT64_C(1) << slot;
		return;
	}
	t->next = head;
	t->prev = head->prev;
	head->prev->next = t;
	head->prev = t;
}

static void slot_del(struct sf_wheel *wheel, unsigned int level, unsigned int slot,
		     struct sf_timer *t)
{
	if (t->next == t) {
		wheel->slots[level][slot] = NULL;
		wheel->occupied[level] &= ~(UINT64_C(1) << slot);
	} else {
		t->prev->next = t->next;
		t->next->prev = t->prev;
		if (wheel->slots[level][slot] == t)
			wheel->slots[level][slot] = t->next;
	}
	t->next = NULL;
	t->prev = NULL;
}

static void place(struct sf_wheel *wheel, struct sf_timer *t)
{
	unsigned int level, slot;

	locate(wheel, t->expires_tick, &level, &slot);
	slot_add(wheel, level, slot, t);
}

/*
 * The next tick at which something happens (a level-0 slot fires, or a
 * higher slot is entered and must cascade) and where: returns the level, or
 * -1 when the wheel is empty. By the invariants the lowest non-empty level
 * holds the nearest event, and within a level the lowest set bit does.
 */
static int next_event(const struct sf_wheel *wheel, uint64_t *tick, unsigned int *slot)
{
	uint64_t n = wheel->now_tick;
	unsigned int l;

	for (l = 0; l < SF_WHEEL_LEVELS; l++) {
		uint64_t bits = wheel->occupied[l];
		uint64_t block;

		if (!bits)
			continue;
		if (l == TOP_LEVEL) {
			if (!(bits & ~UINT64_C(1))) {
				/* Only the out-of-range park: look again at the next top-level block. */
				*tick = (n | ((UINT64_C(1) << RANGE_BITS) - 1)) + 1;
				*slot = 0;
				return (int)l;
			}
			bits &= ~UINT64_C(1);
		}
		*slot = (unsigned int)__builtin_ctzll(bits);
		block = n & ~((UINT64_C(1) << level_shift(l + 1)) - 1);
		*tick = block | ((uint64_t)*slot << level_shift(l));
		return (int)l;
	}
	return -1;
}

/*
 * The wheel has just entered this slot: move its timers to finer levels (or,
 * for the out-of-range park, back into it if still out of range). The list
 * is detached first so a timer put back into the same slot is not met again.
 */
static void cascade(struct sf_wheel *wheel, unsigned int level, unsigned int slot)
{
	struct sf_timer *t = wheel->slots[level][slot];
	struct sf_timer *next;

	wheel->slots[level][slot] = NULL;
	wheel->occupied[level] &= ~(UINT64_C(1) << slot);
	t->prev->next = NULL;
	for (; t; t = next) {
		next = t->next;
		place(wheel, t);
	}
}

void sf_wheel_init(struct sf_wheel *wheel, uint64_t now_ns)
{
	unsigned int l, s;

	wheel->now_tick = now_ns / TICK_NS;
	wheel->now_ns = now_ns;
	for (l = 0; l < SF_WHEEL_LEVELS; l++) {
		wheel->occupied[l] = 0;
		for (s = 0; s < SF_WHEEL_SLOTS; s++)
			wheel->slots[l][s] = NULL;
	}
	wheel->count = 0;
}

void sf_wheel_schedule(struct sf_wheel *wheel, struct sf_timer *t, uint64_t expires_ns)
{
	if (t->armed)
		sf_wheel_cancel(wheel, t);
	t->expires_ns = expires_ns;
	/*
	 * An expiry the wheel's clock has already reached is due now, even if
	 * rounding up would name a later tick: it goes into the current level-0
	 * slot. Otherwise ceil(expires_ns / tick) is past now_tick, as
	 * now_tick * tick <= now_ns < expires_ns. Written so as not to overflow.
	 */
	if (expires_ns <= wheel->now_ns)
		t->expires_tick = wheel->now_tick;
	else
		t->expires_tick = expires_ns / TICK_NS + (expires_ns % TICK_NS != 0);
	t->armed = true;
	wheel->count++;
	place(wheel, t);
}

void sf_wheel_cancel(struct sf_wheel *wheel, struct sf_timer *t)
{
	unsigned int level, slot;

	if (!t->armed)
		return;
	locate(wheel, t->expires_tick, &level, &slot);
	slot_del(wheel, level, slot, t);
	t->armed = false;
	wheel->count--;
}

uint64_t sf_wheel_next_deadline(const struct sf_wheel *wheel)
{
	uint64_t tick;
	unsigned int slot;

	if (next_event(wheel, &tick, &slot) < 0)
		return SF_TIME_NEVER;
	/*
	 * A tick whose start does not fit in 64 bits of ns can never be reached
	 * by any now_ns (e.g. an expiry of SF_TIME_NEVER rounds up past it), so
	 * nothing at or after it will ever fire.
	 */
	if (tick > UINT64_MAX / TICK_NS)
		return SF_TIME_NEVER;
	return tick * TICK_NS;
}

struct sf_timer *sf_wheel_expire(struct sf_wheel *wheel, uint64_t now_ns)
{
	uint64_t target, tick;
	unsigned int slot;
	struct sf_timer *t;
	int level;

	if (now_ns < wheel->now_ns)
		now_ns = wheel->now_ns;
	wheel->now_ns = now_ns;
	target = now_ns / TICK_NS; /* the last tick whose start now_ns has reached */

	for (;;) {
		level = next_event(wheel, &tick, &slot);
		if (level < 0 || tick > target) {
			/*
			 * No slot starts in (now_tick, target], so moving there
			 * skips nothing and keeps every timer in its slot.
			 */
			wheel->now_tick = target;
			return NULL;
		}
		wheel->now_tick = tick;
		if (level == 0) {
			t = wheel->slots[0][slot];
			slot_del(wheel, 0, slot, t);
			t->armed = false;
			wheel->count--;
			return t;
		}
		cascade(wheel, (unsigned int)level, slot);
	}
}
