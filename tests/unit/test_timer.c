/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hierarchical timing wheel: exact firing at the rounded-up tick and not
 * a nanosecond before, past expiries, next_deadline as a lower bound that
 * always lets sf_wheel_expire make progress, cancel and reschedule (also of
 * cascaded timers and from inside the expire loop), long idle jumps whose
 * cost does not grow with the time skipped, determinism, and expiries beyond
 * the wheel's top level. Random schedules come from a fixed-seed PRNG and
 * are checked against a sorted reference.
 */
#define _POSIX_C_SOURCE 200809L /* alarm(): a wheel that loops forever must fail, not hang */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/timer.h"

#define T SF_WHEEL_TICK_NS
#define MS(x) ((uint64_t)(x) * T)
#define NTIMERS 10000

struct item {
	struct sf_timer timer;
	size_t idx;
	uint64_t expect_tick; /* the tick at which it must fire */
	uint64_t fired_at; /* the now_ns it fired at */
	unsigned int fired;
};

static struct item *item_of(struct sf_timer *t)
{
	return (struct item *)(void *)((char *)t - offsetof(struct item, timer));
}

/* splitmix64 (Steele, Lea and Flood): a small, fixed-seed, portable PRNG. */
static uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Log-uniform below 2^max_bits: every level of the wheel gets its share. */
static uint64_t prng_log(uint64_t *state, unsigned int max_bits)
{
	unsigned int bits = (unsigned int)(prng_next(state) % (max_bits + 1));

	if (bits == 0)
		return 0;
	return prng_next(state) & ((UINT64_C(1) << bits) - 1);
}

static uint64_t ceil_tick(uint64_t ns)
{
	return ns / T + (ns % T != 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Fire everything due at now; returns how many fired. */
static unsigned int drain(struct sf_wheel *w, uint64_t now)
{
	unsigned int n = 0;

	while (sf_wheel_expire(w, now))
		n++;
	return n;
}

/* A single timer: nothing at deadline - 1 ns, fired at the deadline, then gone. */
static void test_fires_exactly_at_tick(void **state)
{
	static const uint64_t ticks[] = { 0, 1, 5, 63, 64, 65, 100000, (UINT64_C(1) << 30) + 7 };
	struct sf_wheel w;
	struct sf_timer t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		uint64_t at = MS(ticks[i]);

		memset(&t, 0, sizeof(t));
		sf_wheel_init(&w, 0);
		assert_true(sf_wheel_next_deadline(&w) == SF_TIME_NEVER);
		sf_wheel_schedule(&w, &t, at);
		assert_true(sf_timer_armed(&t));
		assert_true(w.count == 1);
		assert_true(t.expires_tick == ticks[i]);
		if (at > 0) {
			unsigned int steps = 0;

			/* Walk every cascade point below the deadline: none fires it. */
			while (sf_wheel_next_deadline(&w) < at) {
				assert_true(++steps < SF_WHEEL_LEVELS);
				assert_null(sf_wheel_expire(&w, sf_wheel_next_deadline(&w)));
			}
			assert_true(sf_wheel_next_deadline(&w) == at);
			assert_null(sf_wheel_expire(&w, at - 1));
			assert_true(sf_timer_armed(&t));
			assert_true(sf_wheel_next_deadline(&w) == at);
		}
		assert_ptr_equal(sf_wheel_expire(&w, at), &t);
		assert_false(sf_timer_armed(&t));
		assert_true(w.count == 0);
		assert_null(sf_wheel_expire(&w, at));
		assert_true(sf_wheel_next_deadline(&w) == SF_TIME_NEVER);
	}

	/* The same from a start that is neither zero nor tick-aligned. */
	sf_wheel_init(&w, MS(12345) + 678);
	memset(&t, 0, sizeof(t));
	sf_wheel_schedule(&w, &t, MS(12345 + 4000));
	assert_null(sf_wheel_expire(&w, MS(12345 + 4000) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS(12345 + 4000)), &t);
}

/* An expiry inside a tick waits for the end of that tick. */
static void test_rounds_up(void **state)
{
	struct sf_wheel w;
	struct sf_timer a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	sf_wheel_init(&w, 0);
	sf_wheel_schedule(&w, &a, MS(5) + 1);
	sf_wheel_schedule(&w, &b, MS(70) - 1);
	assert_true(a.expires_tick == 6);
	assert_true(b.expires_tick == 70);
	assert_true(sf_wheel_next_deadline(&w) == MS(6));
	assert_null(sf_wheel_expire(&w, MS(5) + 1));
	assert_null(sf_wheel_expire(&w, MS(6) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS(6)), &a);
	assert_null(sf_wheel_expire(&w, MS(70) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS(70)), &b);
}

/* Expiries at or before the wheel's clock fire at the very next call. */
static void test_past_fires_at_once(void **state)
{
	struct sf_wheel w;
	struct sf_timer a, b, c, d;
	uint64_t now = MS(10) + MS(1) / 2;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	sf_wheel_init(&w, now);
	sf_wheel_schedule(&w, &a, MS(3));
	sf_wheel_schedule(&w, &b, now - 1); /* in the current tick: rounding up would say 11 ms */
	sf_wheel_schedule(&w, &c, now);
	sf_wheel_schedule(&w, &d, 0);
	assert_true(w.count == 4);
	assert_true(sf_wheel_next_deadline(&w) <= now);
	/* Order among timers due together is not promised, only that each fires once. */
	assert_true(drain(&w, now) == 4);
	assert_false(sf_timer_armed(&a) || sf_timer_armed(&b) || sf_timer_armed(&c) || sf_timer_armed(&d));
	assert_true(w.count == 0);

	/* After the wheel has moved on, and even if the caller's clock steps back. */
	now = MS(100000) + 7;
	assert_null(sf_wheel_expire(&w, now));
	sf_wheel_schedule(&w, &a, MS(50));
	assert_true(sf_wheel_next_deadline(&w) <= now);
	assert_ptr_equal(sf_wheel_expire(&w, 0), &a);
	assert_null(sf_wheel_expire(&w, now));
}

struct fleet {
	struct item *items;
	uint64_t *ref; /* expected ticks, sorted */
	size_t n;
	uint64_t start;
};

/*
 * NTIMERS timers with log-uniform offsets up to 2^34 ms from start (and a
 * few in the past), at arbitrary nanoseconds so that rounding is exercised.
 */
static void fleet_build(struct fleet *f, struct sf_wheel *w, uint64_t start, uint64_t seed)
{
	size_t i;

	f->n = NTIMERS;
	f->start = start;
	f->items = calloc(f->n, sizeof(*f->items));
	f->ref = calloc(f->n, sizeof(*f->ref));
	assert_non_null(f->items);
	assert_non_null(f->ref);
	sf_wheel_init(w, start);
	for (i = 0; i < f->n; i++) {
		struct item *it = &f->items[i];
		uint64_t at;

		if (prng_next(&seed) % 100 == 0)
			at = start - prng_next(&seed) % (start + 1);
		else
			at = start + prng_log(&seed, 34) * T + prng_next(&seed) % T;
		it->idx = i;
		it->expect_tick = at <= start ? start / T : ceil_tick(at);
		f->ref[i] = it->expect_tick;
		sf_wheel_schedule(w, &it->timer, at);
		assert_true(it->timer.expires_ns == at);
	}
	assert_true(w->count == f->n);
	qsort(f->ref, f->n, sizeof(*f->ref), cmp_u64);
}

static void fleet_free(struct fleet *f)
{
	free(f->items);
	free(f->ref);
}

/*
 * Drive the wheel only by jumping to sf_wheel_next_deadline(): every timer
 * fires once, exactly at the deadline equal to its rounded expiry, in sorted
 * order; every deadline is at or before the earliest pending expiry; and
 * deadlines strictly increase, so each one made progress.
 */
static void drive_by_deadline(uint64_t start, uint64_t seed)
{
	struct sf_wheel w;
	struct fleet f;
	uint64_t d, prev = 0;
	size_t fired = 0, steps = 0;
	struct sf_timer *t;

	fleet_build(&f, &w, start, seed);
	while ((d = sf_wheel_next_deadline(&w)) != SF_TIME_NEVER) {
		assert_true(fired < f.n);
		assert_true(d <= f.ref[fired] * T);
		if (steps > 0)
			assert_true(d > prev);
		prev = d;
		steps++;
		/* A timer cascades at most once per level, so this bounds the steps. */
		assert_true(steps <= f.n * (SF_WHEEL_LEVELS + 1));
		while ((t = sf_wheel_expire(&w, d)) != NULL) {
			struct item *it = item_of(t);

			assert_false(sf_timer_armed(t));
			assert_true(it->fired == 0);
			it->fired++;
			it->fired_at = d;
			assert_true(it->expect_tick * T == d);
			assert_true(f.ref[fired] == it->expect_tick);
			/* Never early: the wheel's clock (at least start) has reached the expiry. */
			assert_true((d > start ? d : start) >= t->expires_ns);
			fired++;
			assert_true(w.count == f.n - fired);
		}
		assert_true(sf_wheel_next_deadline(&w) > d);
	}
	assert_true(fired == f.n);
	assert_true(w.count == 0);
	fleet_free(&f);
}

static void test_many_by_deadline(void **state)
{
	(void)state;
	drive_by_deadline(0, 1);
	drive_by_deadline(MS(UINT64_C(1) << 33) + 123456789, 2);
	drive_by_deadline((UINT64_C(1) << 36) * T - MS(3) + 1, 3); /* straddles a top-level block */
}

/*
 * Drive the wheel by a clock that jumps by random amounts (1 ns to weeks):
 * after each call batch exactly the timers with rounded expiry <= now have
 * fired, each one in the first batch at or after its expiry; the loop
 * "while (next_deadline <= now) expire(now)" always terminates.
 */
static void test_many_by_clock(void **state)
{
	struct sf_wheel w;
	struct fleet f;
	uint64_t seed = 42, now = MS(777) + 5, prev_now = 0;
	size_t fired = 0, steps = 0;

	(void)state;
	fleet_build(&f, &w, now, 7);
	while (fired < f.n) {
		size_t due = fired, calls = 0;

		/* Expected: every reference tick whose start is <= now. */
		while (due < f.n && f.ref[due] * T <= now)
			due++;
		while (sf_wheel_next_deadline(&w) <= now) {
			struct sf_timer *t = sf_wheel_expire(&w, now);
			struct item *it;

			/* Each call that returns NULL has processed all up to now. */
			assert_true(++calls <= f.n + 1);
			if (!t)
				continue;
			it = item_of(t);
			assert_true(it->fired == 0);
			it->fired++;
			assert_true(it->expect_tick * T <= now);
			/* Not already due at the previous call (past ones were due at start). */
			if (steps > 0)
				assert_true(it->expect_tick * T > prev_now);
			fired++;
		}
		assert_true(fired == due);
		assert_true(w.count == f.n - fired);
		assert_null(sf_wheel_expire(&w, now));
		prev_now = now;
		now += prng_log(&seed, 52) + 1;
		steps++;
		assert_true(steps < 100000);
	}
	fleet_free(&f);
}

/*
 * Deadlines name cascade points exactly: tick 100000 is digits (24, 26, 32)
 * in base 64, so the wheel stops at 24 * 4096, then 24 * 4096 + 26 * 64,
 * then 100000: three steps, not one per tick.
 */
static void test_deadline_steps(void **state)
{
	struct sf_wheel w;
	struct sf_timer t;

	(void)state;
	memset(&t, 0, sizeof(t));
	sf_wheel_init(&w, 0);
	sf_wheel_schedule(&w, &t, MS(100000));
	assert_true(sf_wheel_next_deadline(&w) == MS(98304));
	assert_null(sf_wheel_expire(&w, MS(98304)));
	assert_true(sf_wheel_next_deadline(&w) == MS(99968));
	assert_null(sf_wheel_expire(&w, MS(99968)));
	assert_true(sf_wheel_next_deadline(&w) == MS(100000));
	assert_null(sf_wheel_expire(&w, MS(100000) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS(100000)), &t);
	assert_true(sf_wheel_next_deadline(&w) == SF_TIME_NEVER);
}

static void test_cancel(void **state)
{
	struct sf_wheel w;
	struct sf_timer a, b, c, d, e, zero;
	struct sf_timer *t;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	memset(&zero, 0, sizeof(zero));
	sf_wheel_init(&w, 0);

	/* Cancelling what was never armed, or twice, changes nothing. */
	sf_wheel_cancel(&w, &zero);
	assert_true(w.count == 0);
	assert_false(sf_timer_armed(&zero));

	/* Before it is due: a goes, b stays. */
	sf_wheel_schedule(&w, &a, MS(10));
	sf_wheel_schedule(&w, &b, MS(20));
	sf_wheel_cancel(&w, &a);
	assert_false(sf_timer_armed(&a));
	assert_true(w.count == 1);
	sf_wheel_cancel(&w, &a);
	sf_wheel_cancel(&w, &zero);
	assert_true(w.count == 1);
	assert_true(sf_wheel_next_deadline(&w) == MS(20));
	assert_null(sf_wheel_expire(&w, MS(19)));
	assert_ptr_equal(sf_wheel_expire(&w, MS(20)), &b);
	assert_true(w.count == 0);

	/* From the head, middle and tail of one slot's list. */
	sf_wheel_schedule(&w, &a, MS(30));
	sf_wheel_schedule(&w, &b, MS(30));
	sf_wheel_schedule(&w, &c, MS(30));
	sf_wheel_schedule(&w, &d, MS(30));
	sf_wheel_schedule(&w, &e, MS(30));
	sf_wheel_cancel(&w, &c);
	sf_wheel_cancel(&w, &a);
	sf_wheel_cancel(&w, &e);
	assert_true(w.count == 2);
	t = sf_wheel_expire(&w, MS(30));
	assert_true(t == &b || t == &d);
	assert_ptr_equal(sf_wheel_expire(&w, MS(30)), t == &b ? &d : &b);
	assert_null(sf_wheel_expire(&w, MS(30)));

	/* A timer cascaded down twice (100030 ms is digits 24, 26, 62 from 30). */
	sf_wheel_schedule(&w, &c, MS(100030));
	sf_wheel_schedule(&w, &d, MS(100031));
	assert_null(sf_wheel_expire(&w, MS(98304)));
	assert_null(sf_wheel_expire(&w, MS(99968)));
	assert_true(sf_wheel_next_deadline(&w) == MS(100030));
	sf_wheel_cancel(&w, &c);
	assert_true(w.count == 1);
	assert_true(sf_wheel_next_deadline(&w) == MS(100031));
	assert_null(sf_wheel_expire(&w, MS(100030)));
	assert_ptr_equal(sf_wheel_expire(&w, MS(100031)), &d);
	sf_wheel_cancel(&w, &d); /* already fired: a no-op */
	assert_true(w.count == 0);

	/* The last one out of the wheel: nothing left to fire, ever. */
	sf_wheel_schedule(&w, &e, MS(UINT64_C(1) << 40));
	sf_wheel_cancel(&w, &e);
	assert_true(sf_wheel_next_deadline(&w) == SF_TIME_NEVER);
	assert_null(sf_wheel_expire(&w, UINT64_MAX));
	assert_true(w.count == 0);
}

static void test_reschedule(void **state)
{
	struct sf_wheel w;
	struct sf_timer a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	sf_wheel_init(&w, 0);

	/* Earlier: from a high level into level 0; it must not fire twice. */
	sf_wheel_schedule(&w, &a, MS(100000));
	sf_wheel_schedule(&w, &a, MS(10));
	assert_true(w.count == 1);
	assert_true(sf_wheel_next_deadline(&w) == MS(10));
	assert_ptr_equal(sf_wheel_expire(&w, MS(10)), &a);
	assert_null(sf_wheel_expire(&w, MS(200000)));
	assert_true(w.count == 0);

	/* Later: not at the old time, at the new one. */
	sf_wheel_schedule(&w, &a, MS(200010));
	sf_wheel_schedule(&w, &a, MS(205000));
	assert_true(w.count == 1);
	assert_null(sf_wheel_expire(&w, MS(200010)));
	assert_null(sf_wheel_expire(&w, MS(205000) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS(205000)), &a);

	/* To the same time, and into the past. */
	sf_wheel_schedule(&w, &a, MS(205100));
	sf_wheel_schedule(&w, &a, MS(205100));
	sf_wheel_schedule(&w, &b, MS(205200));
	sf_wheel_schedule(&w, &b, MS(1));
	assert_true(w.count == 2);
	assert_ptr_equal(sf_wheel_expire(&w, MS(205000)), &b);
	assert_null(sf_wheel_expire(&w, MS(205000)));
	assert_ptr_equal(sf_wheel_expire(&w, MS(205100)), &a);
	assert_true(w.count == 0);
}

/* A periodic timer re-armed from the expire loop, and one timer cancelling another there. */
static void test_reschedule_in_loop(void **state)
{
	struct sf_wheel w;
	struct sf_timer p, q, r;
	struct sf_timer *t;
	uint64_t now, next = MS(7);
	unsigned int fires = 0, again = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	sf_wheel_init(&w, 0);
	sf_wheel_schedule(&w, &p, next);
	for (now = 0; now <= MS(100000); now += MS(3) + 17) {
		while ((t = sf_wheel_expire(&w, now)) != NULL) {
			assert_ptr_equal(t, &p);
			assert_true(now >= next && now - next < MS(3) + 17);
			fires++;
			next += MS(7);
			sf_wheel_schedule(&w, &p, next);
		}
	}
	assert_true(fires == 100000 / 7);
	sf_wheel_cancel(&w, &p);

	/* Re-armed to now from within the loop: it comes round again at once. */
	sf_wheel_schedule(&w, &p, now + MS(5));
	now += MS(6); /* now is not tick-aligned: the expiry rounds up to the next tick */
	while ((t = sf_wheel_expire(&w, now)) != NULL) {
		assert_ptr_equal(t, &p);
		if (again++ < 3)
			sf_wheel_schedule(&w, &p, now);
	}
	assert_true(again == 4);

	/* Due together: the first one to fire cancels the other, which then must not fire. */
	sf_wheel_schedule(&w, &q, now + MS(2000));
	sf_wheel_schedule(&w, &r, now + MS(2000));
	now = ceil_tick(now + MS(2000)) * T;
	t = sf_wheel_expire(&w, now);
	assert_non_null(t);
	sf_wheel_cancel(&w, t == &q ? &r : &q);
	assert_true(w.count == 0);
	assert_null(sf_wheel_expire(&w, now));
	assert_true(w.count == 0);
}

/*
 * After a long idle gap one call fires what is due and no more, without
 * walking the ticks in between: 2^35 ms jumped here is 3.4e10 ticks, hours of
 * work for a tick-by-tick wheel, so a tight CPU-time bound catches that.
 */
static void test_long_idle_jump(void **state)
{
	struct sf_wheel w;
	struct sf_timer a, b, c, d;
	clock_t begin = clock();
	uint64_t now, dl;
	unsigned int steps = 0;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	sf_wheel_init(&w, 0);
	sf_wheel_schedule(&w, &a, MS(5));
	sf_wheel_schedule(&w, &b, UINT64_C(999999999999));
	sf_wheel_schedule(&w, &c, MS(UINT64_C(1) << 35) + 1);

	now = UINT64_C(1000000000000); /* 10^12 ns */
	assert_ptr_equal(sf_wheel_expire(&w, now), &a);
	assert_ptr_equal(sf_wheel_expire(&w, now), &b);
	assert_null(sf_wheel_expire(&w, now));
	assert_true(sf_timer_armed(&c));
	assert_true(w.count == 1);
	dl = sf_wheel_next_deadline(&w);
	assert_true(dl > now && dl <= MS(UINT64_C(1) << 35) + MS(1));

	/* Timers armed after the jump are relative to the new time. */
	sf_wheel_schedule(&w, &d, now + MS(1));
	assert_true(sf_wheel_next_deadline(&w) == now + MS(1));
	assert_null(sf_wheel_expire(&w, now + MS(1) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, now + MS(1)), &d);

	/* One call across 2^35 ms, just short of c, then to it. */
	assert_null(sf_wheel_expire(&w, MS(UINT64_C(1) << 35)));
	assert_null(sf_wheel_expire(&w, MS((UINT64_C(1) << 35) + 1) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS((UINT64_C(1) << 35) + 1)), &c);

	/* Driven by deadlines, a lone far timer takes one step per level at most. */
	sf_wheel_schedule(&w, &c, MS((UINT64_C(3) << 34) + 12345) + 3);
	while ((dl = sf_wheel_next_deadline(&w)) != SF_TIME_NEVER) {
		assert_true(++steps <= SF_WHEEL_LEVELS);
		drain(&w, dl);
	}
	assert_false(sf_timer_armed(&c));
	assert_true((double)(clock() - begin) / CLOCKS_PER_SEC < 1.0);
}

/* Replays one schedule (with ties, cancels and reschedules) and logs the firing order. */
static void replay(struct sf_wheel *w, struct sf_timer *timers, size_t n, size_t *log, size_t *len)
{
	uint64_t seed = 99, now = MS(1) / 3;
	size_t i;
	struct sf_timer *t;

	*len = 0;
	memset(timers, 0, n * sizeof(*timers));
	sf_wheel_init(w, now);
	for (i = 0; i < n; i++)
		sf_wheel_schedule(w, &timers[i], now + MS(prng_next(&seed) % 5000));
	for (i = 0; i < n / 10; i++)
		sf_wheel_cancel(w, &timers[prng_next(&seed) % n]);
	for (i = 0; i < n / 10; i++)
		sf_wheel_schedule(w, &timers[prng_next(&seed) % n], now + MS(prng_next(&seed) % 300));
	while (w->count > 0) {
		now += MS(prng_next(&seed) % 40);
		while ((t = sf_wheel_expire(w, now)) != NULL) {
			size_t idx = (size_t)(t - timers);

			log[(*len)++] = idx;
			if (idx % 7 == 0 && *len < 2 * n)
				sf_wheel_schedule(w, t, now + MS(idx % 50));
		}
	}
}

/* Same calls, same sequence: independent of the timers' addresses and of any earlier use. */
static void test_determinism(void **state)
{
	enum { N = 2000 };
	struct sf_wheel w1, w2;
	struct sf_timer *t1 = calloc(N, sizeof(*t1));
	struct sf_timer *t2 = calloc(N + 1, sizeof(*t2));
	size_t *log1 = calloc(3 * N, sizeof(*log1));
	size_t *log2 = calloc(3 * N, sizeof(*log2));
	size_t len1, len2;

	(void)state;
	assert_true(t1 && t2 && log1 && log2);
	replay(&w1, t1, N, log1, &len1);
	replay(&w2, t2 + 1, N, log2, &len2);
	assert_true(len1 > N);
	assert_true(len1 == len2);
	assert_memory_equal(log1, log2, len1 * sizeof(*log1));
	/* The same wheel again, after all that use. */
	replay(&w1, t1, N, log2, &len2);
	assert_true(len1 == len2);
	assert_memory_equal(log1, log2, len1 * sizeof(*log1));
	free(t1);
	free(t2);
	free(log1);
	free(log2);
}

/*
 * Beyond 2^36 ticks the wheel parks timers and looks at them again at each
 * top-level block: they still fire exactly on time, never early. An expiry
 * of SF_TIME_NEVER rounds up past the last representable tick and never
 * fires; the last tick that can be reached does.
 */
static void test_far_beyond_range(void **state)
{
	static const uint64_t ms[] = {
		UINT64_C(1) << 36,
		(UINT64_C(1) << 36) + 1,
		(UINT64_C(1) << 37) + 5,
		(UINT64_C(1) << 42) + (UINT64_C(1) << 35) + 64,
		UINT64_MAX / T, /* the last tick whose start fits in 64 bits */
	};
	enum { NF = sizeof(ms) / sizeof(ms[0]) };
	struct sf_wheel w;
	struct sf_timer far[NF], never;
	struct sf_timer *t;
	uint64_t dl, prev = 0;
	unsigned int steps = 0, fired = 0;
	size_t i;

	(void)state;
	memset(far, 0, sizeof(far));
	memset(&never, 0, sizeof(never));
	sf_wheel_init(&w, 0);
	sf_wheel_schedule(&w, &never, SF_TIME_NEVER);
	for (i = 0; i < NF; i++)
		sf_wheel_schedule(&w, &far[i], MS(ms[i]));

	/* One jump to a nanosecond short of the first. */
	assert_null(sf_wheel_expire(&w, MS(ms[0]) - 1));
	assert_true(sf_wheel_next_deadline(&w) == MS(ms[0]));

	while ((dl = sf_wheel_next_deadline(&w)) != SF_TIME_NEVER) {
		assert_true(dl > prev);
		prev = dl;
		/* One step per top-level block crossed up to the end of time, plus cascades. */
		assert_true(++steps <= (UINT64_MAX / T >> 36) + 1 + NF * (SF_WHEEL_LEVELS + 1));
		if (dl > 0)
			assert_null(sf_wheel_expire(&w, dl - 1));
		while ((t = sf_wheel_expire(&w, dl)) != NULL) {
			assert_true(t != &never);
			assert_true(fired < NF);
			assert_ptr_equal(t, &far[fired]);
			assert_true(dl == MS(ms[fired]));
			fired++;
		}
	}
	assert_true(fired == NF);
	assert_true(sf_timer_armed(&never));
	assert_true(w.count == 1);
	assert_null(sf_wheel_expire(&w, UINT64_MAX));
	sf_wheel_cancel(&w, &never);
	assert_true(w.count == 0);

	/* Out of range by a few ticks only, from just below a top-level block boundary. */
	sf_wheel_init(&w, MS((UINT64_C(1) << 36) - 2));
	sf_wheel_schedule(&w, &far[0], MS((UINT64_C(1) << 36) + 1));
	sf_wheel_schedule(&w, &far[1], MS((UINT64_C(1) << 37) + 3));
	sf_wheel_schedule(&w, &far[2], MS((UINT64_C(1) << 36) - 1));
	assert_true(sf_wheel_next_deadline(&w) == MS((UINT64_C(1) << 36) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS((UINT64_C(1) << 36) - 1)), &far[2]);
	assert_null(sf_wheel_expire(&w, MS((UINT64_C(1) << 36) + 1) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS((UINT64_C(1) << 36) + 1)), &far[0]);
	assert_null(sf_wheel_expire(&w, MS((UINT64_C(1) << 37) + 3) - 1));
	assert_ptr_equal(sf_wheel_expire(&w, MS((UINT64_C(1) << 37) + 3)), &far[1]);
	assert_true(w.count == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_exactly_at_tick),
		cmocka_unit_test(test_rounds_up),
		cmocka_unit_test(test_past_fires_at_once),
		cmocka_unit_test(test_many_by_deadline),
		cmocka_unit_test(test_many_by_clock),
		cmocka_unit_test(test_deadline_steps),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_reschedule),
		cmocka_unit_test(test_reschedule_in_loop),
		cmocka_unit_test(test_long_idle_jump),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_far_beyond_range),
	};

	/* The whole run takes well under a second; SIGALRM's default action ends it. */
	alarm(120);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
