/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), for IPv4 and IPv6
 * alike.
 *
 * A queue per datagram being made whole, keyed as the RFCs key it: IPv4 by
 * source, destination, protocol and identification; IPv6 by source,
 * destination and identification (RFC 8200 §4.5: the Next Header of the
 * fragments after the first may differ, only the first's counts). Queues
 * hang off a hash table keyed by SipHash under the stack's secret, so a
 * sender cannot aim its fragments at one bucket.
 *
 * A queue holds its fragments as a list in offset order; since no overlap
 * is allowed (below), the datagram is whole when the first and the last
 * fragment are in and the bytes held add up to the length the last one set.
 *
 * Overlaps (RFC 5722 §4, and for IPv4 too, as Linux since 2018): a fragment
 * overlapping one held discards the whole datagram, and its queue stays as
 * a dead record until its timeout so that the fragments still to come are
 * dropped as well. A fragment with exactly the offset and length of one
 * held is a duplicate, and only it is dropped (as Linux).
 *
 * Memory is bounded: every fragment, queue and source record is counted with
 * its bookkeeping and an allocator's overhead against cfg.reasm_max_bytes,
 * and one source may hold a quarter of that. A fragment that would pass a
 * cap first evicts the oldest queue: of its own source for the per-source
 * cap, of anyone for the global one. Evicting rather than refusing (Linux
 * refuses new fragments above ipfrag_high_thresh since 4.17) because a real
 * datagram's fragments arrive within a round trip while a flood's wait for
 * nothing: with eviction a flood has to fill the cap within that round trip
 * to break a real datagram; with refusal, filling it once a timeout (30 s)
 * stops all reassembly. The per-source cap keeps one source (a spoofer
 * included) from taking the room of every other.
 *
 * Time: every IPv4 queue lives at most 30 s (Linux's ipfrag_time), every
 * IPv6 one 60 s (RFC 8200 §4.5), from its first fragment. One FIFO per
 * family is therefore sorted by expiry: sf_advance pops from its head, O(1)
 * per queue, and the FIFOs also give the oldest queue to evict.
 *
 * Every fragment that arrives ends one way: in a datagram made whole, or
 * dropped under one reason (those it held when its datagram was given up
 * too, under the reason it was given up for).
 */
#include <stdlib.h>
#include <string.h>

#include "core/service.h"
#include "wire/checksum.h"

#define V4_TIMEOUT_NS (30ull * 1000000000ull)
#define V6_TIMEOUT_NS (60ull * 1000000000ull)
/* What an allocator keeps beside each block (glibc: 8 to 16 bytes). */
#define ALLOC_OVERHEAD 16u
/* One source may hold 1/SOURCE_SHARE of cfg.reasm_max_bytes. */
#define SOURCE_SHARE 4u
/* The largest datagram made whole: IPv6's header and 65535 bytes of payload. */
#define BUF_LEN (SF_IPV6_HEADER_LEN + 65535u)
#define MIN_BUCKETS 16u
#define MAX_BUCKETS (1u << 18)
/* IPv4's flags and fragment offset field (RFC 791 §3.1). */
#define IPV4_MF 0x2000u
#define IPV4_OFFSET 0x1fffu
#define IPV6_M 0x0001u /* the Fragment header's more-fragments flag */

struct frag {
	struct frag *next;      /* in offset order */
	uint32_t offset, len;   /* of its data, in the datagram's */
	uint32_t hdr;           /* the first: its header (unfragmentable part) is kept before the data */
	bool more;
	uint8_t data[];
};

struct sf_reasm_queue {
	struct sf_reasm_queue *hnext, **hpprev;
	struct sf_reasm_link age;       /* in fifo[family], oldest first */
	struct sf_reasm_link by_source; /* in its source's list, oldest first */
	struct sf_reasm_source *source;
	uint64_t created_ns;
	struct sf_addr src, dst;
	uint32_t id;
	uint8_t proto;                  /* IPv4's; 0 for IPv6, whose key has none */
	bool dead;                      /* discarded for an overlap; kept to drop the rest (RFC 5722 §4) */
	bool have_last;
	bool ce;                        /* a fragment arrived marked CE (RFC 3168 §5.3) */
	uint8_t first_nh;               /* IPv6: the first fragment's Fragment header's Next Header */
	uint32_t nh_at;                 /* IPv6: in the first's header, the byte naming the Fragment header */
	uint32_t total;                 /* the data's length, once the last fragment is in */
	uint32_t held;                  /* data bytes held */
	uint32_t max_end;               /* where the furthest fragment held ends */
	size_t cost;                    /* counted for it: itself and its fragments */
	struct frag *frags;
};

struct sf_reasm_source {
	struct sf_reasm_source *hnext, **hpprev;
	struct sf_addr addr;
	struct sf_reasm_link queues;    /* its queues, oldest first */
	size_t bytes;                   /* counted for it: itself and its queues */
};

#define QUEUE_COST (sizeof(struct sf_reasm_queue) + ALLOC_OVERHEAD)
#define SOURCE_COST (sizeof(struct sf_reasm_source) + ALLOC_OVERHEAD)
static size_t frag_cost(size_t bytes) { return sizeof(struct frag) + bytes + ALLOC_OVERHEAD; }

#define QUEUE_OF(link, member) \
	((struct sf_reasm_queue *)(void *)((char *)(link) - offsetof(struct sf_reasm_queue, member)))

static void link_init(struct sf_reasm_link *l) { l->prev = l->next = l; }
static bool link_empty(const struct sf_reasm_link *head) { return head->next == head; }
static void link_append(struct sf_reasm_link *head, struct sf_reasm_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}
static void link_remove(struct sf_reasm_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static int fam_index(const struct sf_addr *a) { return a->family == SF_AF_INET6; }
static uint64_t timeout_ns(int fam) { return fam ? V6_TIMEOUT_NS : V4_TIMEOUT_NS; }

static void count_fail(struct sf_stack *st, int fam)
{
	if (fam)
		st->ctr.Ip6ReasmFails++;
	else
		st->ctr.IpReasmFails++;
}

/* A fragment refused by reassembly: a failure as well as a drop (RFC 4293 ipSystemStatsReasmFails). */
static void refuse(struct sf_stack *st, int fam, enum sf_drop_reason why)
{
	count_fail(st, fam);
	sf_drop(st, NULL, why);
}

static uint64_t queue_hash(const struct sf_stack *st, const struct sf_addr *src, const struct sf_addr *dst, uint32_t id)
{
	struct sf_endpoint local = { *dst, (uint16_t)id }, remote = { *src, (uint16_t)(id >> 16) };
	return sf_tuple_prf_uncached(st, SF_PRF_REASM, &local, &remote);
}

static uint64_t source_hash(const struct sf_stack *st, const struct sf_addr *src)
{
	struct sf_endpoint e = { *src, 0 };
	return sf_tuple_prf_uncached(st, SF_PRF_REASM, &e, &e);
}

static bool addr_eq(const struct sf_addr *a, const struct sf_addr *b) { return memcmp(a, b, sizeof *a) == 0; }

static struct sf_reasm_source *find_source(const struct sf_stack *st, const struct sf_addr *src)
{
	if (!st->reasm.sources)
		return NULL;
	for (struct sf_reasm_source *s = st->reasm.sources[source_hash(st, src) & st->reasm.source_mask]; s; s = s->hnext)
		if (addr_eq(&s->addr, src))
			return s;
	return NULL;
}

void sf_reasm_init(struct sf_stack *st)
{
	memset(&st->reasm, 0, sizeof st->reasm);
	link_init(&st->reasm.fifo[0]);
	link_init(&st->reasm.fifo[1]);
}

/* The tables and the buffer, at the first fragment: most stacks never see one. */
static bool tables_ready(struct sf_stack *st)
{
	struct sf_reasm *ra = &st->reasm;
	if (ra->queues)
		return true;
	/* About one bucket per queue the cap lets live (a queue with one
	 * small fragment costs some 250 bytes), so chains stay short. */
	uint32_t n = MIN_BUCKETS;
	while (n < MAX_BUCKETS && n < st->cfg.reasm_max_bytes / 256)
		n <<= 1;
	ra->queues = calloc(n, sizeof *ra->queues);
	ra->sources = calloc(n / 4, sizeof *ra->sources);
	ra->buf = malloc(BUF_LEN);
	if (!ra->queues || !ra->sources || !ra->buf) {
		free(ra->queues);
		free(ra->sources);
		free(ra->buf);
		ra->queues = NULL;
		ra->sources = NULL;
		ra->buf = NULL;
		return false;
	}
	ra->queue_mask = n - 1;
	ra->source_mask = n / 4 - 1;
	return true;
}

static void charge(struct sf_stack *st, struct sf_reasm_queue *q, struct sf_reasm_source *s, size_t bytes)
{
	st->reasm.bytes += bytes;
	s->bytes += bytes;
	if (q)
		q->cost += bytes;
}

static void refund(struct sf_stack *st, struct sf_reasm_queue *q, struct sf_reasm_source *s, size_t bytes)
{
	st->reasm.bytes -= bytes;
	s->bytes -= bytes;
	if (q)
		q->cost -= bytes;
}

/* Free a queue's fragments, each dropped under why (SF_DROP_NONE: it went into its datagram). */
static void free_frags(struct sf_stack *st, struct sf_reasm_queue *q, enum sf_drop_reason why)
{
	for (struct frag *f = q->frags, *next; f; f = next) {
		next = f->next;
		if (why != SF_DROP_NONE)
			sf_drop(st, NULL, why);
		free(f);
	}
	q->frags = NULL;
	q->held = 0;
	refund(st, q, q->source, q->cost - QUEUE_COST);
}

/* The queue gone, its fragments dropped under why; its source too when it holds no other. */
static void end_queue(struct sf_stack *st, struct sf_reasm_queue *q, enum sf_drop_reason why)
{
	struct sf_reasm_source *s = q->source;

	free_frags(st, q, why);
	*q->hpprev = q->hnext;
	if (q->hnext)
		q->hnext->hpprev = q->hpprev;
	link_remove(&q->age);
	link_remove(&q->by_source);
	refund(st, NULL, s, QUEUE_COST);
	st->reasm.nqueues--;
	free(q);
	if (link_empty(&s->queues)) {
		*s->hpprev = s->hnext;
		if (s->hnext)
			s->hnext->hpprev = s->hpprev;
		st->reasm.bytes -= SOURCE_COST;
		free(s);
	}
}

/* RFC 5722 §4: the datagram is discarded, fragments held and to come; the record stays till its timeout. */
static void kill_queue(struct sf_stack *st, struct sf_reasm_queue *q, enum sf_drop_reason why)
{
	free_frags(st, q, why);
	q->dead = true;
	count_fail(st, fam_index(&q->src));
}

static void evict(struct sf_stack *st, struct sf_reasm_queue *q)
{
	if (!q->dead)
		count_fail(st, fam_index(&q->src));
	end_queue(st, q, SF_DROP_REASM_EVICTED);
}

/* The oldest queue of either family, but keep; NULL if there is none. */
static struct sf_reasm_queue *oldest(struct sf_stack *st, const struct sf_reasm_queue *keep)
{
	struct sf_reasm_queue *best = NULL;
	for (int fam = 0; fam < 2; fam++) {
		struct sf_reasm_link *l = st->reasm.fifo[fam].next;
		if (l != &st->reasm.fifo[fam] && QUEUE_OF(l, age) == keep)
			l = l->next;
		if (l == &st->reasm.fifo[fam])
			continue;
		struct sf_reasm_queue *q = QUEUE_OF(l, age);
		if (!best || q->created_ns < best->created_ns)
			best = q;
	}
	return best;
}

/* Whether q is the only queue of its source (whose record goes with it). */
static bool only_queue(const struct sf_reasm_queue *q)
{
	return q->by_source.next == q->by_source.prev;
}

/*
 * Room for cost more bytes for queue q (NULL: a new one) from source *s
 * (NULL: one not holding any yet, whose record costs SOURCE_COST more),
 * evicting the oldest queues but q: of *s while it is over its share, then
 * of anyone while the whole is over the cap. *s becomes NULL if its last
 * queue goes. False if even that leaves no room.
 */
static bool make_room(struct sf_stack *st, struct sf_reasm_source **s, const struct sf_reasm_queue *q, size_t cost)
{
	size_t cap = st->cfg.reasm_max_bytes, share = cap / SOURCE_SHARE;

	if (cost + SOURCE_COST > share)
		return false;
	while (*s && (*s)->bytes + cost > share) {
		struct sf_reasm_link *l = (*s)->queues.next;
		if (QUEUE_OF(l, by_source) == q)
			l = l->next;
		if (l == &(*s)->queues)
			return false; /* q alone is over the share */
		struct sf_reasm_queue *victim = QUEUE_OF(l, by_source);
		bool last = only_queue(victim);
		evict(st, victim);
		if (last)
			*s = NULL;
	}
	while (st->reasm.bytes + cost + (*s ? 0 : SOURCE_COST) > cap) {
		struct sf_reasm_queue *victim = oldest(st, q);
		if (!victim)
			return false;
		if (victim->source == *s && only_queue(victim))
			*s = NULL;
		evict(st, victim);
	}
	return true;
}

/*
 * The datagram made whole in st->reasm.buf: the first fragment's header,
 * then every fragment's data. IPv4: MF and the offset cleared, the total
 * length and the checksum anew. IPv6: the Fragment header left out, the
 * Next Header that named it now naming what it named, the payload length
 * anew. Its length, or 0 if the header and data pass the largest datagram.
 */
static size_t assemble(struct sf_stack *st, const struct sf_reasm_queue *q)
{
	uint8_t *b = st->reasm.buf;
	const struct frag *first = q->frags;
	size_t at = first->hdr;
	bool v6 = q->src.family == SF_AF_INET6;

	/* Each fragment was checked with its own header; the first's may be longer. */
	if (at + q->total > (v6 ? BUF_LEN : 65535u))
		return 0;
	memcpy(b, first->data, at);
	for (const struct frag *f = q->frags; f; f = f->next) {
		memcpy(b + at, f->data + f->hdr, f->len);
		at += f->len;
	}
	/* RFC 3168 §5.3: a CE mark on any fragment marks the datagram, if it is ECN-capable. */
	if (v6) {
		b[q->nh_at] = q->first_nh;
		sf_put16(b + 4, (uint16_t)(at - SF_IPV6_HEADER_LEN));
		if (q->ce && (b[1] & 0x30) != 0)
			b[1] |= 0x30;
	} else {
		sf_put16(b + 2, (uint16_t)at);
		sf_put16(b + 6, (uint16_t)(sf_get16(b + 6) & ~(IPV4_MF | IPV4_OFFSET)));
		if (q->ce && (b[1] & SF_ECN_MASK) != SF_ECN_NOT_ECT)
			b[1] |= SF_ECN_CE;
		sf_put16(b + 10, 0);
		sf_put16(b + 10, sf_csum_finish(sf_csum_add(0, b, first->hdr)));
	}
	return at;
}

/* A new queue for f, with its source, or NULL (no memory; nothing changed). */
static struct sf_reasm_queue *new_queue(struct sf_stack *st, const struct sf_ip_fragment *f, uint64_t hash,
					struct sf_reasm_source **sp)
{
	struct sf_reasm *ra = &st->reasm;
	struct sf_reasm_queue *q = calloc(1, sizeof *q);
	struct sf_reasm_source *s = *sp;

	if (!q)
		return NULL;
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s) {
			free(q);
			return NULL;
		}
		s->addr = f->src;
		link_init(&s->queues);
		struct sf_reasm_source **b = &ra->sources[source_hash(st, &f->src) & ra->source_mask];
		s->hnext = *b;
		s->hpprev = b;
		if (*b)
			(*b)->hpprev = &s->hnext;
		*b = s;
		s->bytes = SOURCE_COST;
		ra->bytes += SOURCE_COST;
		*sp = s;
	}
	q->src = f->src;
	q->dst = f->dst;
	q->id = f->id;
	q->proto = f->src.family == SF_AF_INET ? f->proto : 0;
	q->created_ns = st->now_ns;
	q->source = s;
	struct sf_reasm_queue **b = &ra->queues[hash & ra->queue_mask];
	q->hnext = *b;
	q->hpprev = b;
	if (*b)
		(*b)->hpprev = &q->hnext;
	*b = q;
	link_append(&ra->fifo[fam_index(&f->src)], &q->age);
	link_append(&s->queues, &q->by_source);
	ra->nqueues++;
	charge(st, q, s, QUEUE_COST);
	return q;
}

static struct sf_reasm_queue *find_queue(const struct sf_stack *st, const struct sf_ip_fragment *f, uint64_t hash)
{
	uint8_t proto = f->src.family == SF_AF_INET ? f->proto : 0;
	for (struct sf_reasm_queue *q = st->reasm.queues[hash & st->reasm.queue_mask]; q; q = q->hnext)
		if (q->id == f->id && q->proto == proto && addr_eq(&q->src, &f->src) && addr_eq(&q->dst, &f->dst))
			return q;
	return NULL;
}

/* The fragment checked against what q holds: SF_DROP_NONE with where it goes (after *prev), or why not. */
static enum sf_drop_reason place(const struct sf_reasm_queue *q, const struct sf_ip_fragment *f, struct frag **prev)
{
	uint32_t end = f->offset + (uint32_t)f->payload_len;

	/* The last fragment fixes the length: nothing may end past it, and a
	 * second last fragment must agree (RFC 791 §3.2, RFC 8200 §4.5). */
	if (!f->more && ((q->have_last && end != q->total) || end < q->max_end))
		return SF_DROP_REASM_INCONSISTENT;
	if (f->more && q->have_last && end > q->total)
		return SF_DROP_REASM_INCONSISTENT;
	struct frag *before = NULL, *after = q->frags;
	while (after && after->offset < f->offset) {
		before = after;
		after = after->next;
	}
	if (after && after->offset == f->offset && after->len == f->payload_len && after->more == f->more)
		return SF_DROP_REASM_DUPLICATE;
	if ((before && before->offset + before->len > f->offset) || (after && after->offset < end))
		return SF_DROP_REASM_OVERLAP;
	*prev = before;
	return SF_DROP_NONE;
}

bool sf_reasm_input(struct sf_stack *st, const uint8_t **dgram, size_t *len)
{
	struct sf_ip_fragment f;
	int fam = (**dgram >> 4) == 6;

	if (fam)
		st->ctr.Ip6ReasmReqds++;
	else
		st->ctr.IpReasmReqds++;
	enum sf_drop_reason r = sf_wire_parse_fragment(*dgram, *len, &f);
	if (r == SF_DROP_FRAG_BAD_LENGTH || r == SF_DROP_FRAG_TOO_LONG || r == SF_DROP_FRAG_HEADERS_INCOMPLETE) {
		refuse(st, fam, r);
		return false;
	}
	if (r == SF_DROP_NONE && sf_local_id(st, &f.dst) == UINT32_MAX)
		r = SF_DROP_NOT_LOCAL; /* a host keeps no fragments for others */
	if (r != SF_DROP_NONE) {
		sf_drop(st, NULL, r);
		return false;
	}
	if (st->cfg.reasm_max_bytes == 0 || !tables_ready(st)) {
		refuse(st, fam, st->cfg.reasm_max_bytes == 0 ? SF_DROP_REASM_NO_ROOM : SF_DROP_REASM_NO_MEMORY);
		return false;
	}

	uint64_t hash = queue_hash(st, &f.src, &f.dst, f.id);
	struct sf_reasm_queue *q = find_queue(st, &f, hash);
	struct frag *prev = NULL;
	if (q && q->dead) {
		sf_drop(st, NULL, SF_DROP_REASM_DISCARDED);
		return false;
	}
	if (q) {
		r = place(q, &f, &prev);
		if (r == SF_DROP_REASM_DUPLICATE) {
			sf_drop(st, NULL, r);
			return false;
		}
		if (r != SF_DROP_NONE) {
			kill_queue(st, q, r);
			sf_drop(st, NULL, r);
			return false;
		}
	}

	size_t keep = f.payload_len + (f.offset == 0 ? f.unfrag_len : 0);
	size_t cost = frag_cost(keep) + (q ? 0 : QUEUE_COST);
	struct sf_reasm_source *s = q ? q->source : find_source(st, &f.src);
	if (!make_room(st, &s, q, cost)) {
		refuse(st, fam, SF_DROP_REASM_NO_ROOM);
		return false;
	}
	struct frag *fr = malloc(sizeof *fr + keep);
	if (!fr || (!q && !(q = new_queue(st, &f, hash, &s)))) {
		free(fr);
		refuse(st, fam, SF_DROP_REASM_NO_MEMORY);
		return false;
	}
	fr->offset = f.offset;
	fr->len = (uint32_t)f.payload_len;
	fr->more = f.more;
	fr->hdr = 0;
	if (f.offset == 0) {
		/* The first: its header is the datagram's (RFC 791 §3.2, RFC 8200 §4.5). */
		fr->hdr = (uint32_t)f.unfrag_len;
		memcpy(fr->data, *dgram, f.unfrag_len);
		q->nh_at = (uint32_t)f.nh_at;
		q->first_nh = f.proto;
	}
	memcpy(fr->data + fr->hdr, *dgram + f.payload_off, f.payload_len);
	struct frag **link = prev ? &prev->next : &q->frags;
	fr->next = *link;
	*link = fr;
	charge(st, q, q->source, frag_cost(keep));
	uint32_t end = f.offset + (uint32_t)f.payload_len;
	q->held += fr->len;
	if (end > q->max_end)
		q->max_end = end;
	if (!f.more) {
		q->have_last = true;
		q->total = end;
	}
	if ((f.tclass & SF_ECN_MASK) == SF_ECN_CE)
		q->ce = true;

	if (!q->have_last || q->frags->offset != 0 || q->held != q->total)
		return false; /* held for the rest */
	size_t n = assemble(st, q);
	if (n == 0) {
		count_fail(st, fam);
		end_queue(st, q, SF_DROP_FRAG_TOO_LONG); /* this fragment among them */
		return false;
	}
	if (fam)
		st->ctr.Ip6ReasmOKs++;
	else
		st->ctr.IpReasmOKs++;
	end_queue(st, q, SF_DROP_NONE);
	*dgram = st->reasm.buf;
	*len = n;
	return true;
}

/*
 * RFC 792 and RFC 8200 §4.5: a datagram not made whole in time draws an ICMP
 * Time Exceeded, code 1 (fragment reassembly time exceeded), to its source,
 * if its first fragment came: the error quotes that fragment as it arrived
 * (an IPv6 one with its Fragment header put back). sf_icmp_send_error
 * applies the rules of what may be answered and the rate limit.
 */
static void time_exceeded(struct sf_stack *st, const struct sf_reasm_queue *q, int fam)
{
	uint8_t quote[SF_IPV6_HEADER_LEN + 1240];
	const struct frag *first = q->frags;

	if (!first || first->offset != 0 || first->hdr > 512)
		return;
	size_t n = first->hdr, data = first->len;
	memcpy(quote, first->data, n);
	if (fam) {
		/* The Fragment header (RFC 8200 §4.5) after the unfragmentable
		 * part, which still names it. */
		quote[n] = q->first_nh;
		quote[n + 1] = 0;
		sf_put16(quote + n + 2, IPV6_M);
		sf_put32(quote + n + 4, q->id);
		n += 8;
		sf_put16(quote + 4, (uint16_t)(n - SF_IPV6_HEADER_LEN + data));
	}
	if (data > sizeof quote - n)
		data = sizeof quote - n;
	memcpy(quote + n, first->data + first->hdr, data);
	if (fam)
		sf_icmp_send_error(st, quote, n + data, SF_ICMP6_TIME_EXCEEDED, 1, 0);
	else
		sf_icmp_send_error(st, quote, n + data, SF_ICMP4_TIME_EXCEEDED, 1, 0);
}

void sf_reasm_expire(struct sf_stack *st)
{
	for (int fam = 0; fam < 2; fam++) {
		struct sf_reasm_link *head = &st->reasm.fifo[fam];
		while (!link_empty(head)) {
			struct sf_reasm_queue *q = QUEUE_OF(head->next, age);
			if (st->now_ns - q->created_ns < timeout_ns(fam))
				break;
			/* A dead queue's datagram was counted as failed when it died. */
			if (!q->dead) {
				if (fam)
					st->ctr.Ip6ReasmTimeout++;
				else
					st->ctr.IpReasmTimeout++;
				count_fail(st, fam);
				time_exceeded(st, q, fam);
			}
			end_queue(st, q, SF_DROP_REASM_TIMEOUT);
		}
	}
}

uint64_t sf_reasm_next_deadline(const struct sf_stack *st)
{
	uint64_t d = UINT64_MAX;
	for (int fam = 0; fam < 2; fam++) {
		const struct sf_reasm_link *head = &st->reasm.fifo[fam];
		if (link_empty(head))
			continue;
		uint64_t when = QUEUE_OF(head->next, age)->created_ns + timeout_ns(fam);
		if (when < d)
			d = when;
	}
	return d;
}

size_t sf_reasm_source_bytes(const struct sf_stack *st, const struct sf_addr *src)
{
	const struct sf_reasm_source *s = find_source(st, src);
	return s ? s->bytes : 0;
}

void sf_reasm_destroy(struct sf_stack *st)
{
	for (int fam = 0; fam < 2; fam++)
		while (!link_empty(&st->reasm.fifo[fam]))
			end_queue(st, QUEUE_OF(st->reasm.fifo[fam].next, age), SF_DROP_NONE);
	free(st->reasm.queues);
	free(st->reasm.sources);
	free(st->reasm.buf);
	sf_reasm_init(st);
}
