/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The demux table: a keyed hash of 4-tuples to TCBs, embryos and
 * TIME-WAIT records; the per-port use table; ephemeral port choice.
 *
 * The hash is SipHash-2-4 under a key derived from the stack's secret, so a
 * remote host cannot aim its 4-tuples at one bucket (hash flooding).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demux/demux.h"

#define SF_DEMUX_MIN_BUCKETS 256u
#define SF_DEMUX_LOAD 2u         /* records per bucket, on average, before doubling */
#define SF_DEMUX_MIGRATE_STEP 2u /* old buckets moved per insert or remove while growing */

struct sf_embryo *sf_embryo_at(const struct sf_stack *st, uint32_t index)
{
	return sf_pool_get(&st->embryos, index);
}

struct sf_tw *sf_tw_at(const struct sf_stack *st, uint32_t index)
{
	return sf_pool_get(&st->tws, index);
}

static void compact_endpoints(const struct sf_stack *st, uint16_t laddr_id, const uint8_t raddr[16],
			      uint16_t lport, uint16_t rport, struct sf_endpoint *local,
			      struct sf_endpoint *remote)
{
	local->addr = st->locals[laddr_id].addr;
	local->port = lport;
	memset(&remote->addr, 0, sizeof remote->addr);
	remote->addr.family = local->addr.family;
	memcpy(remote->addr.bytes, raddr, local->addr.family == SF_AF_INET ? 4 : 16);
	remote->port = rport;
}

void sf_embryo_endpoints(const struct sf_stack *st, const struct sf_embryo *emb, struct sf_endpoint *local,
		      struct sf_endpoint *remote)
{
	compact_endpoints(st, emb->laddr_id, emb->raddr, emb->lport, emb->rport, local, remote);
}

void sf_tw_endpoints(const struct sf_stack *st, const struct sf_tw *tw, struct sf_endpoint *local,
		     struct sf_endpoint *remote)
{
	compact_endpoints(st, tw->laddr_id, tw->raddr, tw->lport, tw->rport, local, remote);
}

static uint32_t tuple_hash(const struct sf_stack *st, const struct sf_endpoint *local,
			   const struct sf_endpoint *remote)
{
	return (uint32_t)sf_tuple_prf(st, SF_PRF_DEMUX, local, remote);
}

static sf_ref *next_link(const struct sf_stack *st, sf_ref ref)
{
	switch (sf_ref_kind(ref)) {
	case SF_REF_SOCK:
		return &((struct sf_tcb *)st->socks[sf_ref_index(ref)])->hash_next;
	case SF_REF_EMBRYO:
		return &sf_embryo_at(st, sf_ref_index(ref))->hash_next;
	default:
		return &sf_tw_at(st, sf_ref_index(ref))->hash_next;
	}
}

bool sf_demux_matches(const struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote)
{
	struct sf_endpoint l, r;

	if (sf_ref_kind(ref) == SF_REF_SOCK) {
		const struct sf_tcb *tcb = (const struct sf_tcb *)st->socks[sf_ref_index(ref)];
		l = tcb->sock.local;
		r = tcb->sock.remote;
	} else if (sf_ref_kind(ref) == SF_REF_EMBRYO) {
		sf_embryo_endpoints(st, sf_embryo_at(st, sf_ref_index(ref)), &l, &r);
	} else {
		sf_tw_endpoints(st, sf_tw_at(st, sf_ref_index(ref)), &l, &r);
	}
	return l.port == local->port && r.port == remote->port &&
	       memcmp(&l.addr, &local->addr, sizeof l.addr) == 0 &&
	       memcmp(&r.addr, &remote->addr, sizeof r.addr) == 0;
}

int sf_demux_init(struct sf_stack *st)
{
	st->buckets = calloc(SF_DEMUX_MIN_BUCKETS, sizeof *st->buckets);
	if (!st->buckets)
		return -ENOMEM;
	st->bucket_mask = SF_DEMUX_MIN_BUCKETS - 1;
	st->old_buckets = NULL;
	st->hashed = 0;
	sf_pool_init(&st->embryos, sizeof(struct sf_embryo));
	sf_pool_init(&st->tws, sizeof(struct sf_tw));
	return 0;
}

void sf_demux_destroy(struct sf_stack *st)
{
	free(st->buckets);
	free(st->old_buckets);
	st->buckets = st->old_buckets = NULL;
	sf_pool_destroy(&st->embryos);
	sf_pool_destroy(&st->tws);
	for (unsigned i = 0; i < SF_PORT_PAGES; i++) {
		free(st->ports[i]);
		st->ports[i] = NULL;
	}
}

/*
 * The table grows by doubling, incrementally: the old array stays beside the
 * new one while every insert and remove moves a few of its buckets across
 * (SF_DEMUX_MIGRATE_STEP), so no single datagram or call pays for rehashing
 * a million records. Old buckets below old_next have moved; the others may
 * still hold records, and a lookup whose hash falls there looks in both.
 */
static sf_ref *old_bucket_of(const struct sf_stack *st, uint32_t h)
{
	if (!st->old_buckets || (h & st->old_mask) < st->old_next)
		return NULL;
	return &st->old_buckets[h & st->old_mask];
}

static sf_ref chain_find(const struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
			 const struct sf_endpoint *remote)
{
	while (ref != SF_REF_NONE) {
		if (sf_demux_matches(st, ref, local, remote))
			return ref;
		ref = *next_link(st, ref);
	}
	return SF_REF_NONE;
}

sf_ref sf_demux_lookup(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	uint32_t h = tuple_hash(st, local, remote);
	sf_ref ref = chain_find(st, st->buckets[h & st->bucket_mask], local, remote);
	const sf_ref *old = old_bucket_of(st, h);

	return ref == SF_REF_NONE && old ? chain_find(st, *old, local, remote) : ref;
}

void sf_demux_endpoints(const struct sf_stack *st, sf_ref ref, struct sf_endpoint *l, struct sf_endpoint *r)
{
	if (sf_ref_kind(ref) == SF_REF_SOCK) {
		const struct sf_tcb *tcb = (const struct sf_tcb *)st->socks[sf_ref_index(ref)];
		*l = tcb->sock.local;
		*r = tcb->sock.remote;
	} else if (sf_ref_kind(ref) == SF_REF_EMBRYO) {
		sf_embryo_endpoints(st, sf_embryo_at(st, sf_ref_index(ref)), l, r);
	} else {
		sf_tw_endpoints(st, sf_tw_at(st, sf_ref_index(ref)), l, r);
	}
}

/* Move up to `count` old buckets into the new array; free the old one when
 * the last has moved. Each record is rehashed without the memo, which keeps
 * the tuple the caller is working on. */
static void migrate(struct sf_stack *st, uint32_t count)
{
	while (st->old_buckets && count--) {
		sf_ref ref = st->old_buckets[st->old_next];
		while (ref != SF_REF_NONE) {
			sf_ref next = *next_link(st, ref);
			struct sf_endpoint l, r;
			sf_demux_endpoints(st, ref, &l, &r);
			sf_ref *head = &st->buckets[(uint32_t)sf_tuple_prf_uncached(st, SF_PRF_DEMUX, &l, &r) &
						    st->bucket_mask];
			*next_link(st, ref) = *head;
			*head = ref;
			ref = next;
		}
		st->old_buckets[st->old_next] = SF_REF_NONE;
		if (st->old_next++ == st->old_mask) {
			free(st->old_buckets);
			st->old_buckets = NULL;
		}
	}
}

/* Double once the table averages SF_DEMUX_LOAD records a bucket. A doubling
 * needs as many new records as it has old buckets times SF_DEMUX_LOAD, and
 * each insert moves SF_DEMUX_MIGRATE_STEP buckets, so the previous move has
 * always finished; if memory runs out the old table stays (longer chains,
 * still correct). */
static void maybe_grow(struct sf_stack *st)
{
	if (st->hashed < SF_DEMUX_LOAD * (st->bucket_mask + 1) || st->bucket_mask >= 0x3fffffffu)
		return;
	migrate(st, UINT32_MAX); /* only if an earlier move is somehow unfinished */
	uint32_t n = (st->bucket_mask + 1) * 2;
	sf_ref *nb = calloc(n, sizeof *nb);
	if (!nb)
		return;
	st->old_buckets = st->buckets;
	st->old_mask = st->bucket_mask;
	st->old_next = 0;
	st->buckets = nb;
	st->bucket_mask = n - 1;
}

int sf_demux_insert(struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		    const struct sf_endpoint *remote)
{
	uint32_t h = tuple_hash(st, local, remote);

	maybe_grow(st);
	migrate(st, SF_DEMUX_MIGRATE_STEP);
	sf_ref *head = &st->buckets[h & st->bucket_mask];
	*next_link(st, ref) = *head;
	*head = ref;
	st->hashed++;
	return 0;
}

static bool chain_unlink(struct sf_stack *st, sf_ref *link, sf_ref ref)
{
	while (*link != SF_REF_NONE) {
		if (*link == ref) {
			*link = *next_link(st, ref);
			*next_link(st, ref) = SF_REF_NONE;
			return true;
		}
		link = next_link(st, *link);
	}
	return false;
}

void sf_demux_remove(struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		     const struct sf_endpoint *remote)
{
	uint32_t h = tuple_hash(st, local, remote);
	sf_ref *old = old_bucket_of(st, h);

	if (chain_unlink(st, &st->buckets[h & st->bucket_mask], ref) || (old && chain_unlink(st, old, ref))) {
		if (st->last_hit == ref)
			st->last_hit = SF_REF_NONE;
		st->hashed--;
	}
	migrate(st, SF_DEMUX_MIGRATE_STEP);
}

/* ---- ports ---- */

struct sf_port_use *sf_port_find(const struct sf_stack *st, uint16_t port)
{
	struct sf_port_use *page = st->ports[port >> SF_PORT_PAGE_BITS];
	return page ? &page[port & ((1u << SF_PORT_PAGE_BITS) - 1)] : NULL;
}

struct sf_port_use *sf_port_find_or_add(struct sf_stack *st, uint16_t port)
{
	struct sf_port_use **page = &st->ports[port >> SF_PORT_PAGE_BITS];

	if (!*page) {
		*page = calloc(1u << SF_PORT_PAGE_BITS, sizeof **page);
		if (!*page)
			return NULL;
	}
	return &(*page)[port & ((1u << SF_PORT_PAGE_BITS) - 1)];
}

/* A connection or TIME-WAIT record holds the port: a bind without
 * SO_REUSEADDR must fail while it does. */
void sf_port_add_user(struct sf_stack *st, uint16_t port)
{
	struct sf_port_use *use = sf_port_find_or_add(st, port);
	if (use)
		use->users++;
}

void sf_port_remove_user(struct sf_stack *st, uint16_t port)
{
	struct sf_port_use *use = sf_port_find(st, port);
	if (use && use->users)
		use->users--;
}

void sf_sock_bind_link(struct sf_sock *sock, struct sf_port_use *use)
{
	sock->bind_next = use->bound_head;
	use->bound_head = sock->handle + 1;
	sock->bound = true;
}

void sf_sock_unbind(struct sf_stack *st, struct sf_sock *sock)
{
	if (!sock->bound)
		return;
	struct sf_port_use *use = sf_port_find(st, sock->local.port);
	for (uint32_t *link = use ? &use->bound_head : NULL; link && *link; link = &st->socks[*link - 1]->bind_next) {
		if (st->socks[*link - 1] == sock) {
			*link = sock->bind_next;
			break;
		}
	}
	sock->bound = false;
	sock->bind_next = 0;
}

/*
 * RFC 6056 §3.3.3 (Algorithm 3, simple hash-based): start each destination at
 * its own keyed offset so ports are hard to guess, and walk from there. A port
 * qualifies when no socket is bound to it explicitly and the 4-tuple it would
 * make is free: no connection, embryo or TIME-WAIT record holds it (an active open
 * never picks a 4-tuple in TIME-WAIT). Each candidate costs one
 * hash lookup; the walk is bounded by the size of the range.
 */
int sf_pick_ephemeral(struct sf_stack *st, const struct sf_addr *laddr, const struct sf_endpoint *remote,
		      uint16_t *port_out)
{
	uint32_t lo = st->cfg.ephemeral_lo, range = (uint32_t)st->cfg.ephemeral_hi - lo + 1;
	struct sf_endpoint any_port = { .addr = *laddr, .port = 0 };
	uint32_t offset = (uint32_t)(sf_tuple_prf(st, SF_PRF_EPHEMERAL, &any_port, remote) >> 32);

	for (uint32_t count = 0; count < range; count++) {
		uint16_t port = (uint16_t)(lo + (offset + st->ephemeral_next + count) % range);
		const struct sf_port_use *use = sf_port_find(st, port);
		if (use && use->bound_head)
			continue;
		struct sf_endpoint local = { .addr = *laddr, .port = port };
		if (sf_demux_lookup(st, &local, remote) != SF_REF_NONE)
			continue;
		st->ephemeral_next += count + 1;
		*port_out = port;
		return 0;
	}
	return -EADDRNOTAVAIL;
}
