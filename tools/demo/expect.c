/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Expectations (what --check reports), facts for the explanation templates,
 * and looking back at the recorded trace.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

/* ---- expectations and facts ----------------------------------------------------------- */

static void add_check(struct demo *d, bool ok, bool skipped, const char *fmt, va_list ap)
{
	if (d->nchecks == d->checks_cap) {
		int cap = d->checks_cap ? d->checks_cap * 2 : 32;
		struct demo_check *c = realloc(d->checks, (size_t)cap * sizeof *c);
		if (!c)
			exit(1);
		d->checks = c;
		d->checks_cap = cap;
	}
	struct demo_check *c = &d->checks[d->nchecks++];
	c->ok = ok;
	c->skipped = skipped;
	vsnprintf(c->text, sizeof c->text, fmt, ap);
}

void demo_check(struct demo *d, bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_check(d, ok, false, fmt, ap);
	va_end(ap);
}

void demo_check_exact(struct demo *d, bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_check(d, d->exact ? ok : true, !d->exact, fmt, ap);
	va_end(ap);
}

int demo_failed(const struct demo *d)
{
	int n = 0;
	for (int i = 0; i < d->nchecks; i++)
		n += !d->checks[i].ok;
	return n;
}

void demo_fact(struct demo *d, const char *key, const char *fmt, ...)
{
	struct demo_fact *f = NULL;
	for (int i = 0; i < d->nfacts; i++)
		if (!strcmp(d->facts[i].key, key))
			f = &d->facts[i];
	if (!f) {
		if (d->nfacts == (int)(sizeof d->facts / sizeof d->facts[0]))
			return;
		f = &d->facts[d->nfacts++];
		snprintf(f->key, sizeof f->key, "%s", key);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof f->value, fmt, ap);
	va_end(ap);
}

const char *demo_fact_get(const struct demo *d, const char *key)
{
	for (int i = 0; i < d->nfacts; i++)
		if (!strcmp(d->facts[i].key, key))
			return d->facts[i].value;
	return NULL;
}

/* ---- looking back ------------------------------------------------------------------------- */

uint64_t demo_counter(struct demo *d, int host, enum sf_counter_id id)
{
	sf_stack *st = d->host[host].sh ? sf_simhost_stack(d->host[host].sh) : NULL;
	return st ? sf_counter_value(sf_stack_counters(st), id) : 0;
}

uint64_t demo_drops(struct demo *d, int host, enum sf_drop_reason reason)
{
	sf_stack *st = d->host[host].sh ? sf_simhost_stack(d->host[host].sh) : NULL;
	return st ? sf_stack_counters(st)->drops[reason] : 0;
}

long demo_find_seg(const struct demo *d, size_t i, int host, uint8_t mask, uint8_t flags)
{
	for (; i < d->nev; i++)
		if (d->ev[i].kind == DEV_SEGMENT && d->ev[i].host == host && (d->ev[i].seg.flags & mask) == flags)
			return (long)i;
	return -1;
}

size_t demo_count_segs(const struct demo *d, size_t i, int host, uint8_t mask, uint8_t flags)
{
	size_t n = 0;
	for (; i < d->nev; i++)
		n += d->ev[i].kind == DEV_SEGMENT && d->ev[i].host == host && (d->ev[i].seg.flags & mask) == flags;
	return n;
}

size_t demo_data_segs(const struct demo *d, size_t i, int host, size_t *max)
{
	size_t n = 0;
	if (max)
		*max = 0;
	for (; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		if (e->kind != DEV_SEGMENT || e->host != host || !e->seg.payload_len)
			continue;
		n++;
		if (max && e->seg.payload_len > *max)
			*max = e->seg.payload_len;
	}
	return n;
}

size_t demo_segs_since(const struct demo *d, size_t i)
{
	size_t n = 0;
	for (; i < d->nev; i++)
		n += d->ev[i].kind == DEV_SEGMENT;
	return n;
}

const struct sf_segment *demo_seg(const struct demo *d, long i)
{
	static const struct sf_segment none;
	return i >= 0 && (size_t)i < d->nev ? &d->ev[i].seg : &none;
}

uint64_t demo_saw_at(const struct demo *d, size_t i, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	for (; i < d->nev; i++)
		if (d->ev[i].kind == DEV_STATE && d->ev[i].host == host && d->ev[i].from == from && d->ev[i].to == to)
			return d->ev[i].t;
	return DEMO_NEVER;
}

bool demo_saw(const struct demo *d, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	return demo_saw_at(d, 0, host, from, to) != DEMO_NEVER;
}

size_t demo_saw_count(const struct demo *d, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nev; i++)
		n += d->ev[i].kind == DEV_STATE && d->ev[i].host == host && d->ev[i].from == from && d->ev[i].to == to;
	return n;
}

size_t demo_mark(const struct demo *d)
{
	return d->nev;
}
