/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulated network (see sim.h for the contract).
 *
 * Everything that happens is an event on one queue ordered by (virtual time,
 * insertion number), plus the hosts' own timer deadlines, which are asked for
 * afresh at every step rather than queued (a host's deadline changes with
 * every datagram it handles; asking is simpler than keeping a queued copy in
 * step). All randomness comes from one xoshiro256** generator inside the
 * simulator, drawn in a fixed order, so the same seed and the same calls give
 * the same run, bit for bit.
 *
 * Per-link state is created on first use and kept in a hash table keyed by
 * (from, to), and addresses are found through a hash table too, so that a
 * simulation of thousands of hosts costs memory in proportion to the links
 * actually used rather than hosts squared.
 */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"
#include "router.h"

#define SIM_MAX_DGRAM 65535u
#define NS_PER_SEC 1000000000ull

/* ---------------------------------------------------------------------------
 * PRNG: xoshiro256** seeded through splitmix64 (Blackman and Vigna). Small,
 * fast, statistically strong, and never all-zero state after seeding.
 * ------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

struct prng {
	uint64_t s[4];
};

static void prng_seed(struct prng *p, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&seed);
}

static uint64_t prng_next(struct prng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 bits of precision. */
static double prng_unit(struct prng *p)
{
	return (double)(prng_next(p) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, bound] inclusive, without modulo bias (rejection). */
static uint64_t prng_upto(struct prng *p, uint64_t bound)
{
	if (bound == UINT64_MAX)
		return prng_next(p);
	uint64_t range = bound + 1;
	/* Largest multiple of range that fits: draws at or above it are rejected. */
	uint64_t limit = UINT64_MAX - (UINT64_MAX % range + 1) % range;
	uint64_t x;

	do
		x = prng_next(p);
	while (x > limit);
	return x % range;
}

/*
 * A Bernoulli trial. Draws nothing when the probability is zero, so that an
 * ideal link consumes no randomness and traffic over it does not perturb the
 * sequence a script sees from sf_sim_random.
 */
static bool prng_chance(struct prng *p, double prob)
{
	if (!(prob > 0.0))
		return false;
	return prng_unit(p) < prob;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---------------------------------------------------------------------------
 * Data structures
 * ------------------------------------------------------------------------- */

struct sim_host {
	char *name;
	struct sf_sim_host_ops ops;
	void *ctx;
	bool up;
};

/* A datagram's serialisation on a link: it leaves the queue at departure. */
struct sim_txq_entry {
	uint64_t departure;
	size_t len;
};

struct sim_link {
	int from, to;
	struct sf_sim_link cfg;
	bool partitioned;
	uint64_t busy_until;    /* when the wire finishes the last queued datagram */
	/* Ring of datagrams still being serialised, oldest first (departures are monotonic). */
	struct sim_txq_entry *txq;
	size_t txq_head, txq_count, txq_cap;
	size_t txq_bytes;
	/* sf_sim_drop_nth: datagrams counted so far and the counts to drop at. */
	uint64_t nsent;
	uint64_t *drop_at;
	size_t ndrop_at, drop_at_cap;
};

struct sim_addr_entry {
	struct sf_addr addr;
	int host;
};

enum sim_event_kind {
	SIM_EV_DELIVER,
	SIM_EV_ACTION,
};

struct sim_event {
	uint64_t time;
	uint64_t seq;   /* insertion order: breaks ties so equal times are FIFO */
	enum sim_event_kind kind;
	/* SIM_EV_DELIVER: the link from -> to, and what happened on it */
	int from, to;
	uint8_t *data;
	size_t len;
	bool corrupted, duplicate;
	bool router_made; /* a router's ICMP error or fragment */
	bool past_router; /* a fragment on the last hop: the router has judged it */
	/* SIM_EV_ACTION */
	sf_sim_action_fn fn;
	void *ctx;
};

struct sf_sim {
	struct prng prng;
	uint64_t now;
	uint64_t next_seq;

	struct sim_host *hosts;
	int nhosts, hosts_cap;

	/* Addresses: a dense array plus an open-addressing index into it. */
	struct sim_addr_entry *addrs;
	size_t naddrs, addrs_cap;
	int32_t *addr_index; /* -1 empty, else index into addrs */
	size_t addr_index_cap;

	/* Links: open-addressing table of pointers, NULL empty. */
	struct sim_link **links;
	size_t nlinks, links_cap;
	struct sf_sim_link default_link;

	/* Binary min-heap of events. */
	struct sim_event *heap;
	size_t nheap, heap_cap;

	sf_sim_filter_fn filter;
	void *filter_ctx;
	sf_sim_observer_fn observer;
	void *observer_ctx;
	struct sf_pcap *pcap;

	struct sf_sim_stats stats;
	uint16_t router_ip_id; /* the identification of the routers' IPv4 ICMP */
};

static bool host_valid(const struct sf_sim *sim, int host)
{
	return sim && host >= 0 && host < sim->nhosts;
}

/* ---------------------------------------------------------------------------
 * Event heap
 * ------------------------------------------------------------------------- */

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->seq < b->seq;
}

static void heap_swap(struct sim_event *h, size_t i, size_t j)
{
	struct sim_event t = h[i];

	h[i] = h[j];
	h[j] = t;
}

/* Takes ownership of ev->data on success only. */
static int heap_push(struct sf_sim *sim, struct sim_event *ev)
{
	if (sim->nheap == sim->heap_cap) {
		size_t cap = sim->heap_cap ? sim->heap_cap * 2 : 64;
		struct sim_event *h = realloc(sim->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		sim->heap = h;
		sim->heap_cap = cap;
	}
	ev->seq = sim->next_seq++;
	size_t i = sim->nheap++;

	sim->heap[i] = *ev;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!ev_before(&sim->heap[i], &sim->heap[parent]))
			break;
		heap_swap(sim->heap, i, parent);
		i = parent;
	}
	return 0;
}

static void heap_pop(struct sf_sim *sim, struct sim_event *out)
{
	struct sim_event *h = sim->heap;

	*out = h[0];
	h[0] = h[--sim->nheap];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < sim->nheap && ev_before(&h[l], &h[m]))
			m = l;
		if (r < sim->nheap && ev_before(&h[r], &h[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(h, i, m);
		i = m;
	}
}

/* ---------------------------------------------------------------------------
 * Address table
 * ------------------------------------------------------------------------- */

/* FNV-1a over the family and the meaningful address bytes. */
static uint64_t addr_hash(const struct sf_addr *a)
{
	size_t n = a->family == SF_AF_INET ? 4 : 16;
	uint64_t h = 0xcbf29ce484222325ull;

	h = (h ^ a->family) * 0x100000001b3ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->bytes[i]) * 0x100000001b3ull;
	return h;
}

static bool addr_equal(const struct sf_addr *a, const struct sf_addr *b)
{
	size_t n = a->family == SF_AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

static int addr_lookup(const struct sf_sim *sim, const struct sf_addr *a)
{
	if (!sim->addr_index_cap)
		return -1;
	size_t mask = sim->addr_index_cap - 1;

	for (size_t i = addr_hash(a) & mask;; i = (i + 1) & mask) {
		int32_t k = sim->addr_index[i];

		if (k < 0)
			return -1;
		if (addr_equal(&sim->addrs[k].addr, a))
			return sim->addrs[k].host;
	}
}

static void addr_index_insert(int32_t *index, size_t cap, const struct sim_addr_entry *addrs, int32_t k)
{
	size_t mask = cap - 1;
	size_t i = addr_hash(&addrs[k].addr) & mask;

	while (index[i] >= 0)
		i = (i + 1) & mask;
	index[i] = k;
}

/* Keep the index at most half full so probes stay short and always end. */
static int addr_index_reserve(struct sf_sim *sim, size_t n)
{
	if (n * 2 <= sim->addr_index_cap)
		return 0;
	size_t cap = sim->addr_index_cap ? sim->addr_index_cap * 2 : 16;

	while (n * 2 > cap)
		cap *= 2;
	int32_t *index = malloc(cap * sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		index[i] = -1;
	for (size_t k = 0; k < sim->naddrs; k++)
		addr_index_insert(index, cap, sim->addrs, (int32_t)k);
	free(sim->addr_index);
	sim->addr_index = index;
	sim->addr_index_cap = cap;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Link table
 * ------------------------------------------------------------------------- */

static size_t link_slot(int from, int to, size_t mask)
{
	uint64_t k = ((uint64_t)(uint32_t)from << 32) | (uint32_t)to;

	k *= 0x9e3779b97f4a7c15ull; /* Fibonacci hashing: spreads nearby pairs */
	return (size_t)(k >> 17) & mask;
}

static struct sim_link *link_find(const struct sf_sim *sim, int from, int to)
{
	if (!sim->links_cap)
		return NULL;
	size_t mask = sim->links_cap - 1;

	for (size_t i = link_slot(from, to, mask);; i = (i + 1) & mask) {
		struct sim_link *l = sim->links[i];

		if (!l)
			return NULL;
		if (l->from == from && l->to == to)
			return l;
	}
}

static void link_table_insert(struct sim_link **table, size_t cap, struct sim_link *l)
{
	size_t mask = cap - 1;
	size_t i = link_slot(l->from, l->to, mask);

	while (table[i])
		i = (i + 1) & mask;
	table[i] = l;
}

/* The state of link from -> to, created with the default properties on first use. */
static struct sim_link *link_get(struct sf_sim *sim, int from, int to)
{
	struct sim_link *l = link_find(sim, from, to);

	if (l)
		return l;
	if ((sim->nlinks + 1) * 2 > sim->links_cap) {
		size_t cap = sim->links_cap ? sim->links_cap * 2 : 16;
		struct sim_link **table = calloc(cap, sizeof(*table));

		if (!table)
			return NULL;
		for (size_t i = 0; i < sim->links_cap; i++)
			if (sim->links[i])
				link_table_insert(table, cap, sim->links[i]);
		free(sim->links);
		sim->links = table;
		sim->links_cap = cap;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->from = from;
	l->to = to;
	l->cfg = sim->default_link;
	link_table_insert(sim->links, sim->links_cap, l);
	sim->nlinks++;
	return l;
}

static void link_free(struct sim_link *l)
{
	free(l->txq);
	free(l->drop_at);
	free(l);
}

/* Forget datagrams whose serialisation has finished by now. */
static void txq_prune(struct sim_link *l, uint64_t now)
{
	while (l->txq_count && l->txq[l->txq_head].departure <= now) {
		l->txq_bytes -= l->txq[l->txq_head].len;
		l->txq_head = (l->txq_head + 1) % l->txq_cap;
		l->txq_count--;
	}
}

static int txq_push(struct sim_link *l, uint64_t departure, size_t len)
{
	if (l->txq_count == l->txq_cap) {
		size_t cap = l->txq_cap ? l->txq_cap * 2 : 16;
		struct sim_txq_entry *q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < l->txq_count; i++)
			q[i] = l->txq[(l->txq_head + i) % l->txq_cap];
		free(l->txq);
		l->txq = q;
		l->txq_cap = cap;
		l->txq_head = 0;
	}
	l->txq[(l->txq_head + l->txq_count) % l->txq_cap] = (struct sim_txq_entry){ departure, len };
	l->txq_count++;
	l->txq_bytes += len;
	return 0;
}

/* Count one datagram on the link; true if a pending drop_nth chose it. */
static bool link_drop_nth_hit(struct sim_link *l)
{
	bool hit = false;

	l->nsent++;
	for (size_t i = 0; i < l->ndrop_at;) {
		if (l->drop_at[i] == l->nsent) {
			l->drop_at[i] = l->drop_at[--l->ndrop_at];
			hit = true;
		} else {
			i++;
		}
	}
	return hit;
}

/* ---------------------------------------------------------------------------
 * Lifetime and configuration
 * ------------------------------------------------------------------------- */

struct sf_sim *sf_sim_new(uint64_t seed)
{
	struct sf_sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	prng_seed(&sim->prng, seed);
	return sim;
}

void sf_sim_free(struct sf_sim *sim)
{
	if (!sim)
		return;
	for (size_t i = 0; i < sim->nheap; i++)
		free(sim->heap[i].data);
	free(sim->heap);
	for (size_t i = 0; i < sim->links_cap; i++)
		if (sim->links[i])
			link_free(sim->links[i]);
	free(sim->links);
	free(sim->addrs);
	free(sim->addr_index);
	for (int i = 0; i < sim->nhosts; i++)
		free(sim->hosts[i].name);
	free(sim->hosts);
	free(sim);
}

static char *copy_name(const char *name, int index)
{
	char buf[32];

	if (!name) {
		snprintf(buf, sizeof(buf), "host%d", index);
		name = buf;
	}
	size_t n = strlen(name) + 1;
	char *s = malloc(n);

	if (s)
		memcpy(s, name, n);
	return s;
}

int sf_sim_add_host(struct sf_sim *sim, const char *name, const struct sf_sim_host_ops *ops, void *ctx)
{
	if (!sim || !ops || !ops->deliver)
		return -EINVAL;
	if (sim->nhosts == sim->hosts_cap) {
		if (sim->hosts_cap > (1 << 29))
			return -ENOMEM;
		int cap = sim->hosts_cap ? sim->hosts_cap * 2 : 8;
		struct sim_host *h = realloc(sim->hosts, (size_t)cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		sim->hosts = h;
		sim->hosts_cap = cap;
	}
	int idx = sim->nhosts;
	char *s = copy_name(name, idx);

	if (!s)
		return -ENOMEM;
	sim->hosts[idx] = (struct sim_host){ .name = s, .ops = *ops, .ctx = ctx, .up = true };
	sim->nhosts++;
	return idx;
}

int sf_sim_add_addr(struct sf_sim *sim, int host, const struct sf_addr *addr)
{
	if (!host_valid(sim, host) || !addr ||
	    (addr->family != SF_AF_INET && addr->family != SF_AF_INET6))
		return -EINVAL;
	if (addr_lookup(sim, addr) >= 0)
		return -EEXIST;
	if (sim->naddrs >= INT32_MAX)
		return -ENOMEM;
	if (sim->naddrs == sim->addrs_cap) {
		size_t cap = sim->addrs_cap ? sim->addrs_cap * 2 : 8;
		struct sim_addr_entry *a = realloc(sim->addrs, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		sim->addrs = a;
		sim->addrs_cap = cap;
	}
	if (addr_index_reserve(sim, sim->naddrs + 1))
		return -ENOMEM;
	/* Store a canonical copy: bytes past an IPv4 address zeroed, as synfin.h promises. */
	struct sim_addr_entry *e = &sim->addrs[sim->naddrs];

	memset(e, 0, sizeof(*e));
	e->addr.family = addr->family;
	memcpy(e->addr.bytes, addr->bytes, addr->family == SF_AF_INET ? 4 : 16);
	e->host = host;
	addr_index_insert(sim->addr_index, sim->addr_index_cap, sim->addrs, (int32_t)sim->naddrs);
	sim->naddrs++;
	return 0;
}

const char *sf_sim_host_name(const struct sf_sim *sim, int host)
{
	return host_valid(sim, host) ? sim->hosts[host].name : NULL;
}

/* RFC 791: every link carries 68 bytes unfragmented; the enums in range. */
static bool link_valid(const struct sf_sim_link *link)
{
	return link && (link->mtu == 0 || link->mtu >= 68) && link->too_big <= SF_SIM_TOO_BIG_BLACKHOLE &&
	       link->reject <= SF_SIM_REJECT_NET;
}

int sf_sim_set_link(struct sf_sim *sim, int from, int to, const struct sf_sim_link *link)
{
	if (!host_valid(sim, from) || !host_valid(sim, to) || !link_valid(link))
		return -EINVAL;
	struct sim_link *l = link_get(sim, from, to);

	if (!l)
		return -ENOMEM;
	l->cfg = *link;
	return 0;
}

void sf_sim_set_all_links(struct sf_sim *sim, const struct sf_sim_link *link)
{
	if (!sim || !link_valid(link))
		return;
	/*
	 * Links not yet created take the default when first used, which is
	 * the same as setting them now; only existing records need updating.
	 */
	sim->default_link = *link;
	for (size_t i = 0; i < sim->links_cap; i++)
		if (sim->links[i])
			sim->links[i]->cfg = *link;
}

void sf_sim_set_filter(struct sf_sim *sim, sf_sim_filter_fn fn, void *ctx)
{
	if (!sim)
		return;
	sim->filter = fn;
	sim->filter_ctx = ctx;
}

void sf_sim_set_observer(struct sf_sim *sim, sf_sim_observer_fn fn, void *ctx)
{
	if (!sim)
		return;
	sim->observer = fn;
	sim->observer_ctx = ctx;
}

void sf_sim_set_pcap(struct sf_sim *sim, struct sf_pcap *pcap)
{
	if (sim)
		sim->pcap = pcap;
}

uint64_t sf_sim_random(struct sf_sim *sim)
{
	return prng_next(&sim->prng);
}

const struct sf_sim_stats *sf_sim_get_stats(const struct sf_sim *sim)
{
	return &sim->stats;
}

uint64_t sf_sim_now(const struct sf_sim *sim)
{
	return sim->now;
}

/* ---------------------------------------------------------------------------
 * Faults: partition, crash, scripted drops
 * ------------------------------------------------------------------------- */

void sf_sim_partition(struct sf_sim *sim, int a, int b, bool on)
{
	if (!host_valid(sim, a) || !host_valid(sim, b))
		return;
	struct sim_link *ab = link_get(sim, a, b);
	struct sim_link *ba = link_get(sim, b, a);

	/*
	 * Out of memory here would leave a partition half-applied; healing a
	 * link that was never created needs no record, and cutting one that
	 * cannot be created is the one case we cannot honour.
	 */
	if (ab)
		ab->partitioned = on;
	if (ba)
		ba->partitioned = on;
}

void sf_sim_crash(struct sf_sim *sim, int host)
{
	if (!host_valid(sim, host) || !sim->hosts[host].up)
		return;
	/* Down before the callback, so that anything it sends is dropped. */
	sim->hosts[host].up = false;
	if (sim->hosts[host].ops.crash)
		sim->hosts[host].ops.crash(sim->hosts[host].ctx, sim->now);
}

void sf_sim_reboot(struct sf_sim *sim, int host)
{
	if (!host_valid(sim, host) || sim->hosts[host].up)
		return;
	sim->hosts[host].up = true;
	if (sim->hosts[host].ops.reboot)
		sim->hosts[host].ops.reboot(sim->hosts[host].ctx, sim->now);
}

bool sf_sim_host_up(const struct sf_sim *sim, int host)
{
	return host_valid(sim, host) && sim->hosts[host].up;
}

int sf_sim_drop_nth(struct sf_sim *sim, int from, int to, unsigned n)
{
	if (!host_valid(sim, from) || !host_valid(sim, to) || n == 0)
		return -EINVAL;
	struct sim_link *l = link_get(sim, from, to);

	if (!l)
		return -ENOMEM;
	if (l->ndrop_at == l->drop_at_cap) {
		size_t cap = l->drop_at_cap ? l->drop_at_cap * 2 : 4;
		uint64_t *d = realloc(l->drop_at, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		l->drop_at = d;
		l->drop_at_cap = cap;
	}
	l->drop_at[l->ndrop_at++] = l->nsent + n;
	return 0;
}

/* ---------------------------------------------------------------------------
 * Sending
 * ------------------------------------------------------------------------- */

/* Tell the observer: ev is filled in but for the time. */
static void observe(struct sf_sim *sim, struct sf_sim_event ev)
{
	if (!sim->observer)
		return;
	ev.time_ns = sim->now;
	sim->observer(sim->observer_ctx, &ev);
}

static void count_drop(struct sf_sim *sim, enum sf_sim_drop why)
{
	switch (why) {
	case SF_SIM_DROP_LOSS:
		sim->stats.lost++;
		break;
	case SF_SIM_DROP_SCRIPTED:
		sim->stats.scripted_drops++;
		break;
	case SF_SIM_DROP_QUEUE:
		sim->stats.queue_drops++;
		break;
	case SF_SIM_DROP_PARTITION:
		sim->stats.partition_drops++;
		break;
	case SF_SIM_DROP_HOST_DOWN:
		sim->stats.host_down_drops++;
		break;
	case SF_SIM_DROP_NO_ROUTE:
		sim->stats.no_route_drops++;
		break;
	case SF_SIM_DROP_MTU:
		sim->stats.mtu_drops++;
		break;
	case SF_SIM_DROP_REJECTED:
		sim->stats.rejected++;
		break;
	}
}

const char *sf_sim_drop_text(enum sf_sim_drop why)
{
	switch (why) {
	case SF_SIM_DROP_LOSS: return "lost";
	case SF_SIM_DROP_SCRIPTED: return "dropped: by the script";
	case SF_SIM_DROP_QUEUE: return "dropped: link queue full";
	case SF_SIM_DROP_PARTITION: return "dropped: network partition";
	case SF_SIM_DROP_HOST_DOWN: return "dropped: host down";
	case SF_SIM_DROP_NO_ROUTE: return "dropped: no route";
	case SF_SIM_DROP_MTU: return "dropped: longer than the link MTU";
	case SF_SIM_DROP_REJECTED: return "dropped: rejected by a firewall";
	}
	return "dropped";
}

/* A datagram dies: what is known of it (from, to, flags, bytes) in ev, the reason in why.
 * A pcapng capture keeps it, with why as its comment; classic pcap holds deliveries only. */
static void drop(struct sf_sim *sim, enum sf_sim_drop why, struct sf_sim_event ev)
{
	count_drop(sim, why);
	if (sim->pcap && sf_pcap_format(sim->pcap) == SF_PCAP_NG && ev.dgram)
		sf_pcap_write_comment(sim->pcap, sim->now, ev.dgram, ev.len, sf_sim_drop_text(why));
	ev.kind = SF_SIM_EV_DROP;
	ev.drop = why;
	observe(sim, ev);
}

/* What the observer is told of a datagram sent on from -> to. */
static struct sf_sim_event ev_of(int from, int to, bool router, const uint8_t *dgram, size_t len)
{
	/* drop is read only for SF_SIM_EV_DROP; the other kinds carry NO_ROUTE, as they always have. */
	return (struct sf_sim_event){
		.from = from, .to = to, .drop = SF_SIM_DROP_NO_ROUTE, .router = router, .dgram = dgram, .len = len,
	};
}

/*
 * The host owning the datagram's destination, or -1. Only the version nibble
 * and the destination address are read, each after checking the length: the
 * rest of the datagram is the receiver's business, and garbage must not crash
 * the network.
 */
static int route(const struct sf_sim *sim, const uint8_t *dgram, size_t len)
{
	struct sf_addr dst = { 0 };

	if (len < 1)
		return -1;
	switch (dgram[0] >> 4) {
	case 4:
		if (len < 20)
			return -1;
		dst.family = SF_AF_INET;
		memcpy(dst.bytes, dgram + 16, 4);
		break;
	case 6:
		if (len < 40)
			return -1;
		dst.family = SF_AF_INET6;
		memcpy(dst.bytes, dgram + 24, 16);
		break;
	default:
		return -1;
	}
	return addr_lookup(sim, &dst);
}

/*
 * Put one copy of a datagram in flight: its own jitter, reorder hold-back and
 * corruption, arriving at departure plus all of that. The random draws happen
 * in a fixed order (jitter, reorder, corruption) for reproducibility.
 */
static int launch_copy(struct sf_sim *sim, const struct sim_link *l, uint64_t departure,
		       const uint8_t *dgram, size_t len, bool duplicate, bool router_made)
{
	const struct sf_sim_link *c = &l->cfg;
	uint64_t arrival = sat_add(departure, c->delay_ns);

	if (c->jitter_ns)
		arrival = sat_add(arrival, prng_upto(&sim->prng, c->jitter_ns));
	if (prng_chance(&sim->prng, c->reorder)) {
		arrival = sat_add(arrival, c->reorder_delay_ns);
		sim->stats.reordered++;
	}

	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, dgram, len);

	bool corrupted = false;

	if (prng_chance(&sim->prng, c->corrupt)) {
		uint64_t bit = prng_upto(&sim->prng, (uint64_t)len * 8 - 1);

		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		corrupted = true;
		sim->stats.corrupted++;
	}

	struct sim_event ev = {
		.time = arrival,
		.kind = SIM_EV_DELIVER,
		.from = l->from,
		.to = l->to,
		.data = copy,
		.len = len,
		.corrupted = corrupted,
		.duplicate = duplicate,
		.router_made = router_made,
	};

	if (heap_push(sim, &ev)) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

/* Ceiling of len * 8e9 / bps: a datagram never leaves faster than the link allows. */
static uint64_t serialisation_ns(size_t len, uint64_t bps)
{
	if (!bps)
		return 0;
	/* len <= 65535, so len * 8e9 < 2^49 and cannot overflow. */
	uint64_t bits_ns = (uint64_t)len * 8 * NS_PER_SEC;

	return bits_ns / bps + (bits_ns % bps != 0);
}

/*
 * Carry a datagram over link l: its partition, the script (for a host's
 * datagram: drop_nth, counted before any fault so "the nth datagram sent"
 * means exactly that, and the filter), loss, the queue and the wire, and
 * duplication. A router's datagram is not the script's: only the link's
 * own faults touch it.
 */
static int carry(struct sf_sim *sim, struct sim_link *l, const uint8_t *dgram, size_t len, bool router_made)
{
	struct sf_sim_event dead = ev_of(l->from, l->to, router_made, dgram, len);
	bool nth = !router_made && link_drop_nth_hit(l);

	if ((!router_made && !sim->hosts[l->from].up) || !sim->hosts[l->to].up) {
		drop(sim, SF_SIM_DROP_HOST_DOWN, dead);
		return 0;
	}
	if (l->partitioned) {
		drop(sim, SF_SIM_DROP_PARTITION, dead);
		return 0;
	}
	if (nth || (!router_made && sim->filter && sim->filter(sim->filter_ctx, l->from, l->to, dgram, len))) {
		drop(sim, SF_SIM_DROP_SCRIPTED, dead);
		return 0;
	}
	if (prng_chance(&sim->prng, l->cfg.loss)) {
		drop(sim, SF_SIM_DROP_LOSS, dead);
		return 0;
	}

	/*
	 * The queue holds every byte whose serialisation has not finished,
	 * the one on the wire included; a datagram that would overfill it is
	 * tail-dropped.
	 */
	txq_prune(l, sim->now);
	if (l->cfg.queue_limit_bytes && l->txq_bytes + len > l->cfg.queue_limit_bytes) {
		drop(sim, SF_SIM_DROP_QUEUE, dead);
		return 0;
	}

	uint64_t start = l->busy_until > sim->now ? l->busy_until : sim->now;
	uint64_t departure = sat_add(start, serialisation_ns(len, l->cfg.bandwidth_bps));

	if (departure > sim->now) {
		if (txq_push(l, departure, len))
			return -ENOMEM;
		l->busy_until = departure;
	}

	/* Drawn before either copy's own draws: the order of draws per datagram is fixed. */
	bool dup = prng_chance(&sim->prng, l->cfg.duplicate);
	int err = launch_copy(sim, l, departure, dgram, len, false, router_made);

	if (err)
		return err;
	if (dup) {
		/* The extra copy appears after the bottleneck: no second serialisation. */
		sim->stats.duplicated++;
		err = launch_copy(sim, l, departure, dgram, len, true, router_made);
	}
	return err;
}

int sf_sim_send(struct sf_sim *sim, int from, const uint8_t *dgram, size_t len)
{
	if (!host_valid(sim, from) || (!dgram && len))
		return -EINVAL;
	if (len > SIM_MAX_DGRAM)
		return -EMSGSIZE;

	sim->stats.sent++;
	int to = route(sim, dgram, len);
	struct sf_sim_event ev = ev_of(from, to, false, dgram, len);

	ev.kind = SF_SIM_EV_SEND;
	observe(sim, ev);
	if (to < 0) {
		drop(sim, SF_SIM_DROP_NO_ROUTE, ev);
		return 0;
	}

	struct sim_link *l = link_get(sim, from, to);

	if (!l)
		return -ENOMEM;
	return carry(sim, l, dgram, len, false);
}

/* ---------------------------------------------------------------------------
 * Routers (see sim.h for the model, router.h for the datagrams)
 * ------------------------------------------------------------------------- */

/* The router of link l answers the datagram ev with an ICMP error. */
static void router_answer(struct sf_sim *sim, const struct sim_link *l, const struct sim_event *ev,
			  const struct sf_sim_ip *ip, uint8_t type, uint8_t code, uint32_t word)
{
	static const struct sf_addr dflt4 = SF_SIM_ROUTER4, dflt6 = SF_SIM_ROUTER6;
	const struct sf_sim_link *c = &l->cfg;
	uint8_t buf[SF_SIM_ICMP6_MAX];
	struct sf_sim_icmp m = { .type = type, .code = code, .word = word };

	if (!sf_sim_icmp_may_answer(ip, ev->data, ev->len, type))
		return;
	if (ip->version == 4)
		m.src = c->router4.family == SF_AF_INET ? c->router4 : dflt4;
	else
		m.src = c->router6.family == SF_AF_INET6 ? c->router6 : dflt6;
	m.ip_id = sim->router_ip_id++;
	size_t n = sf_sim_icmp_build(buf, sizeof buf, &m, ev->data, ev->len);

	if (!n)
		return;
	sim->stats.icmp_sent++;
	struct sf_sim_event rev = ev_of(l->from, l->to, true, buf, n);

	rev.kind = SF_SIM_EV_ROUTER;
	observe(sim, rev);
	/* Back from where the router stands, at the link's far end, to the
	 * datagram's source: normally over the link to -> from. */
	int back_to = route(sim, buf, n);

	if (back_to < 0) {
		drop(sim, SF_SIM_DROP_NO_ROUTE, ev_of(l->to, -1, true, buf, n));
		return;
	}
	struct sim_link *back = link_get(sim, l->to, back_to);

	if (back)
		carry(sim, back, buf, n, true);
}

struct split {
	struct sf_sim *sim;
	const struct sim_event *ev;
	int err;
};

/* One fragment onto the last hop: delivered at once, past the router. */
static int split_emit(void *ctx, const uint8_t *frag, size_t len)
{
	struct split *sp = ctx;
	struct sf_sim *sim = sp->sim;
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, frag, len);
	struct sim_event fev = {
		.time = sim->now,
		.kind = SIM_EV_DELIVER,
		.from = sp->ev->from,
		.to = sp->ev->to,
		.data = copy,
		.len = len,
		.corrupted = sp->ev->corrupted,
		.duplicate = sp->ev->duplicate,
		.router_made = true,
		.past_router = true,
	};

	if (heap_push(sim, &fev)) {
		free(copy);
		return -ENOMEM;
	}
	sim->stats.fragments++;
	struct sf_sim_event rev = ev_of(fev.from, fev.to, true, frag, len);

	rev.kind = SF_SIM_EV_ROUTER;
	observe(sim, rev);
	return 0;
}

/*
 * The router at the end of link l judges a datagram that crossed it: true
 * if it took it (refused it or split it), false to let it reach the host.
 * It reads only a datagram it must act on; one whose header it cannot read
 * (corrupted on the way, say) it does not reject, and does not split.
 */
static bool router_takes(struct sf_sim *sim, const struct sim_link *l, const struct sim_event *ev)
{
	const struct sf_sim_link *c = &l->cfg;
	bool too_big = c->mtu && ev->len > c->mtu;
	struct sf_sim_ip ip;

	if (!too_big && c->reject == SF_SIM_REJECT_NONE)
		return false;
	bool readable = sf_sim_ip_read(ev->data, ev->len, &ip) == 0;
	struct sf_sim_event dead = ev_of(ev->from, ev->to, ev->router_made, ev->data, ev->len);

	dead.corrupted = ev->corrupted;
	dead.duplicate = ev->duplicate;
	if (c->reject != SF_SIM_REJECT_NONE && readable && ip.proto == SF_SIM_IPPROTO_TCP) {
		/* IPv4 code, ICMPv6 code, per enum sf_sim_reject. */
		static const uint8_t code[][2] = { { 0, 0 }, { 3, 4 }, { 13, 1 }, { 1, 3 }, { 0, 0 } };
		bool v6 = ip.version == 6;

		drop(sim, SF_SIM_DROP_REJECTED, dead);
		router_answer(sim, l, ev, &ip, v6 ? SF_SIM_ICMP6_DEST_UNREACH : SF_SIM_ICMP_DEST_UNREACH,
			      code[c->reject][v6], 0);
		return true;
	}
	if (!too_big)
		return false;
	if (readable && ip.version == 4 && !ip.df) {
		struct split sp = { sim, ev, 0 };

		if (sf_sim_fragment(ev->data, ev->len, c->mtu, split_emit, &sp) > 0) {
			sim->stats.fragmented++;
			return true;
		}
		/* An MTU too small for a header and 8 bytes, or no memory part
		 * way: what was not split is lost. */
	}
	drop(sim, SF_SIM_DROP_MTU, dead);
	if (readable && c->too_big == SF_SIM_TOO_BIG_ICMP) {
		/* RFC 1191 §4: the next-hop MTU in the low 16 bits; RFC 4443 §3.1: all 32. */
		if (ip.version == 4)
			router_answer(sim, l, ev, &ip, SF_SIM_ICMP_DEST_UNREACH, 4, c->mtu & 0xffff);
		else
			router_answer(sim, l, ev, &ip, SF_SIM_ICMP6_PACKET_TOO_BIG, 0, c->mtu);
	}
	return true;
}

/* ---------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------- */

int sf_sim_at(struct sf_sim *sim, uint64_t t_ns, sf_sim_action_fn fn, void *ctx)
{
	if (!sim || !fn)
		return -EINVAL;
	/* The past is gone: an action for it runs now. */
	struct sim_event ev = {
		.time = t_ns > sim->now ? t_ns : sim->now,
		.kind = SIM_EV_ACTION,
		.fn = fn,
		.ctx = ctx,
	};

	return heap_push(sim, &ev);
}

/* The earliest deadline of any up host, SF_SIM_NEVER if none wants one. */
static uint64_t hosts_next_deadline(const struct sf_sim *sim)
{
	uint64_t best = SF_SIM_NEVER;

	for (int i = 0; i < sim->nhosts; i++) {
		const struct sim_host *h = &sim->hosts[i];

		/* A deadline nobody can act on would stall the clock forever. */
		if (!h->up || !h->ops.next_deadline || !h->ops.advance)
			continue;
		uint64_t d = h->ops.next_deadline(h->ctx);

		if (d < best)
			best = d;
	}
	return best;
}

/*
 * When the next step will happen (never earlier than now), and whether it
 * is a queued event rather than host timers. A queued event at the same time
 * as a deadline goes first: a datagram arriving at t is seen before the timers
 * due at t fire, as an ACK racing a retransmission timer would be on a real
 * host that polls its input before its timers.
 */
static bool next_step(const struct sf_sim *sim, uint64_t *when, bool *is_event)
{
	uint64_t host_t = hosts_next_deadline(sim);
	bool have_event = sim->nheap > 0;

	if (!have_event && host_t == SF_SIM_NEVER)
		return false;
	if (have_event && sim->heap[0].time <= host_t) {
		*when = sim->heap[0].time;
		*is_event = true;
	} else {
		*when = host_t;
		*is_event = false;
	}
	if (*when < sim->now)
		*when = sim->now;
	return true;
}

static void deliver(struct sf_sim *sim, struct sim_event *ev)
{
	/* The router at the link's end first: it stands before the host. */
	if (!ev->past_router) {
		const struct sim_link *l = link_find(sim, ev->from, ev->to);

		if (l && router_takes(sim, l, ev))
			return;
	}
	struct sf_sim_event oev = ev_of(ev->from, ev->to, ev->router_made, ev->data, ev->len);

	oev.corrupted = ev->corrupted;
	oev.duplicate = ev->duplicate;
	/*
	 * The receiver's state is judged on arrival: down now means the
	 * datagram is lost; a host that crashed and came back meanwhile gets
	 * it, as a real rebooted host receives old segments still in flight.
	 */
	if (!sim->hosts[ev->to].up) {
		drop(sim, SF_SIM_DROP_HOST_DOWN, oev);
		return;
	}
	sim->stats.delivered++;
	if (sim->pcap)
		sf_pcap_write_comment(sim->pcap, sim->now, ev->data, ev->len,
				      oev.corrupted ? (oev.duplicate ? "duplicate, corrupted" : "corrupted")
				      : oev.duplicate ? "duplicate" : NULL);
	oev.kind = SF_SIM_EV_DELIVER;
	observe(sim, oev);
	/* The ops are re-read here: callbacks may have added hosts and moved the array. */
	sim->hosts[ev->to].ops.deliver(sim->hosts[ev->to].ctx, sim->now, ev->data, ev->len);
}

static void advance_hosts(struct sf_sim *sim)
{
	/*
	 * Indexes, not pointers: a host's advance may add hosts (moving the
	 * array) or crash others, so each is looked up afresh.
	 */
	for (int i = 0; i < sim->nhosts; i++) {
		if (!sim->hosts[i].up || !sim->hosts[i].ops.next_deadline || !sim->hosts[i].ops.advance)
			continue;
		if (sim->hosts[i].ops.next_deadline(sim->hosts[i].ctx) <= sim->now)
			sim->hosts[i].ops.advance(sim->hosts[i].ctx, sim->now);
	}
}

/* Carry out the step next_step chose. */
static void do_step(struct sf_sim *sim, uint64_t when, bool is_event)
{
	sim->now = when;
	if (!is_event) {
		advance_hosts(sim);
		return;
	}

	/* Popped into a local copy, so callbacks may push freely meanwhile. */
	struct sim_event ev;

	heap_pop(sim, &ev);
	if (ev.kind == SIM_EV_ACTION)
		ev.fn(ev.ctx, sim->now);
	else
		deliver(sim, &ev);
	free(ev.data);
}

bool sf_sim_step(struct sf_sim *sim)
{
	uint64_t when;
	bool is_event;

	if (!next_step(sim, &when, &is_event))
		return false;
	do_step(sim, when, is_event);
	return true;
}

void sf_sim_run_until(struct sf_sim *sim, uint64_t t_ns)
{
	uint64_t when;
	bool is_event;

	while (next_step(sim, &when, &is_event) && when <= t_ns)
		do_step(sim, when, is_event);
	if (t_ns > sim->now)
		sim->now = t_ns;
	sf_sim_sync_hosts(sim);
}

void sf_sim_sync_hosts(struct sf_sim *sim)
{
	/* Hosts learn the time only from events; before the caller acts on
	 * them as an application would, bring every clock up to now. */
	for (int i = 0; sim && i < sim->nhosts; i++)
		if (sim->hosts[i].up && sim->hosts[i].ops.advance)
			sim->hosts[i].ops.advance(sim->hosts[i].ctx, sim->now);
}

uint64_t sf_sim_run(struct sf_sim *sim, uint64_t limit_ns)
{
	uint64_t when;
	bool is_event;

	while (next_step(sim, &when, &is_event) && when <= limit_ns)
		do_step(sim, when, is_event);
	return sim->now;
}
