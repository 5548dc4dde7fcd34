/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The path MTU cache (RFC 1191 §5, RFC 8201 §5.2): what ICMP "fragmentation
 * needed" / "packet too big" messages have taught the stack about each
 * destination, shared by every connection to it.
 *
 * Bounded by construction: a table of cfg.pmtu_cache_size entries in sets
 * of four, allocated when the first path MTU is learned. A destination hashes
 * (SipHash under the stack's secret, so that no one can aim addresses at one
 * set) to one set; a new one takes an empty or aged-out way, else the one
 * that ages first. Entries age out after cfg.pmtu_expires_ms (RFC 1191 §6.3:
 * "ten minutes", as Linux's mtu_expires), when the path's MTU may have grown
 * back: nothing scans the table, an entry simply stops answering.
 *
 * Connections keep their own copy of their path's MTU; pmtu_gen changes
 * whenever an entry does, so that each notices at its next transmission
 * (one compare) instead of the cache walking the connections.
 */
#include <stdlib.h>
#include <string.h>

#include "base/siphash.h"
#include "core/service.h"

#define WAYS 4

static uint64_t addr_hash(const struct sf_stack *st, const struct sf_addr *dst)
{
	uint64_t w[3] = { 0, 0, dst->family };
	memcpy(w, dst->bytes, 16);
	return sf_siphash24_words(st->prf_k0, st->prf_k1, w, 3);
}

static struct sf_pmtu_entry *set_of(const struct sf_stack *st, const struct sf_addr *dst)
{
	uint32_t nsets = st->pmtu.nsets;
	return &st->pmtu.slots[(addr_hash(st, dst) % nsets) * WAYS];
}

static bool live(const struct sf_stack *st, const struct sf_pmtu_entry *e)
{
	return e->mtu && st->now_ns < e->expires_ns;
}

static bool same(const struct sf_pmtu_entry *e, const struct sf_addr *dst)
{
	return e->family == dst->family && memcmp(e->addr, dst->bytes, 16) == 0;
}

uint32_t sf_pmtu_lookup(const struct sf_stack *st, const struct sf_addr *dst, uint64_t *expires_ns)
{
	if (!st->pmtu.slots)
		return 0;
	const struct sf_pmtu_entry *set = set_of(st, dst);
	for (int i = 0; i < WAYS; i++)
		if (live(st, &set[i]) && same(&set[i], dst)) {
			*expires_ns = set[i].expires_ns;
			return set[i].mtu;
		}
	return 0;
}

bool sf_pmtu_learn(struct sf_stack *st, const struct sf_addr *dst, uint32_t mtu)
{
	if (!st->pmtu.slots) {
		uint32_t nsets = (st->cfg.pmtu_cache_size + WAYS - 1) / WAYS;
		st->pmtu.slots = calloc((size_t)nsets * WAYS, sizeof *st->pmtu.slots);
		if (!st->pmtu.slots)
			return false; /* the connection that learned it still uses it */
		st->pmtu.nsets = nsets;
	}
	struct sf_pmtu_entry *set = set_of(st, dst), *slot = NULL;
	for (int i = 0; i < WAYS && !slot; i++)
		if (same(&set[i], dst) && live(st, &set[i]))
			slot = &set[i];
	if (slot && slot->mtu <= mtu)
		return false; /* RFC 8201 §4: a message never raises the estimate */
	for (int i = 0; i < WAYS && !slot; i++)
		if (!live(st, &set[i]))
			slot = &set[i];
	if (!slot) {
		slot = &set[0];
		for (int i = 1; i < WAYS; i++)
			if (set[i].expires_ns < slot->expires_ns)
				slot = &set[i];
	}
	slot->family = dst->family;
	memcpy(slot->addr, dst->bytes, 16);
	slot->mtu = (uint16_t)mtu;
	slot->expires_ns = st->now_ns + sf_ns_from_ms(st->cfg.pmtu_expires_ms);
	st->pmtu.gen++;
	return true;
}

void sf_pmtu_destroy(struct sf_stack *st)
{
	free(st->pmtu.slots);
	st->pmtu.slots = NULL;
}
