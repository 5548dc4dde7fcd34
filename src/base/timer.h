/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hierarchical timing wheel (Varghese and Lauck, 1987) for connection
 * timers: O(1) schedule and cancel, and expiry work proportional to the
 * timers that are due (plus at most one cascade per level per slot), never
 * to the number of timers armed.
 *
 * Time is in nanoseconds as the driver gives it; the wheel counts ticks of
 * SF_WHEEL_TICK_NS. A timer never fires before its expiry: an expiry inside a
 * tick is rounded up to the end of that tick.
 */
#ifndef SYNFIN_TIMER_H
#define SYNFIN_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define SF_WHEEL_TICK_NS 1000000ull /* 1 ms */
#define SF_WHEEL_LEVELS 6
#define SF_WHEEL_SLOT_BITS 6
#define SF_WHEEL_SLOTS (1u << SF_WHEEL_SLOT_BITS) /* 64 slots per level: 6 levels cover 2^36 ms */
#define SF_TIME_NEVER UINT64_MAX

/** Intrusive timer: embed one in the object that owns it. Zero-initialised = not armed. */
struct sf_timer {
	struct sf_timer *next;
	struct sf_timer *prev;
	uint64_t expires_ns; /* as given to sf_wheel_schedule */
	uint64_t expires_tick; /* ceil(expires_ns / tick); the wheel's now_tick if already past */
	bool armed;
};

struct sf_wheel {
	uint64_t now_tick; /* every tick < now_tick has been processed; timers due at now_tick may be waiting */
	uint64_t now_ns; /* latest time given to init or expire: expiries at or before it are past */
	uint64_t occupied[SF_WHEEL_LEVELS]; /* bit s set = slot s of that level is non-empty */
	struct sf_timer *slots[SF_WHEEL_LEVELS][SF_WHEEL_SLOTS]; /* circular lists, NULL = empty */
	uint64_t count; /* armed timers */
};

/** Start an empty wheel at time now_ns. */
void sf_wheel_init(struct sf_wheel *wheel, uint64_t now_ns);

/**
 * Arm t to expire at expires_ns (re-arms it if already armed). An expiry in
 * the past or present fires at the next sf_wheel_expire call.
 */
void sf_wheel_schedule(struct sf_wheel *wheel, struct sf_timer *t, uint64_t expires_ns);

/** Disarm t; a no-op if it is not armed. */
void sf_wheel_cancel(struct sf_wheel *wheel, struct sf_timer *t);

static inline bool sf_timer_armed(const struct sf_timer *t) { return t->armed; }

/**
 * A time at or before the earliest armed expiry (rounded up to its tick) at
 * which sf_wheel_expire must next be called: exact for timers within the
 * lowest level, otherwise the start of the next slot to cascade.
 * SF_TIME_NEVER when nothing is armed. O(levels).
 */
uint64_t sf_wheel_next_deadline(const struct sf_wheel *wheel);

/**
 * Advance the wheel to now_ns and remove and return one timer whose expiry
 * (rounded up to its tick) is <= now_ns, or NULL when none is due. Call in a
 * loop; the caller may schedule timers (also the returned one) in between.
 * The order is deterministic: the same calls give the same sequence. The
 * wheel's clock never goes back: a now_ns before the latest one given acts as
 * that latest one.
 */
struct sf_timer *sf_wheel_expire(struct sf_wheel *wheel, uint64_t now_ns);

#endif
