/*
 * The stack object: configuration, handles, time, input dispatch, timers,
 * counters, readiness and the trace hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "siphash.h"

void sf_config_default(struct sf_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->msl_ms = 120000;
	cfg->syn_retries = 6;
	cfg->synack_retries = 5;
	cfg->retries2 = 15;
	cfg->orphan_retries = 8;
	cfg->fin_timeout_ms = 60000;
	cfg->syn_backlog = 1000;
	cfg->somaxconn = 128;
	cfg->rto_initial_ms = 1000;
	cfg->rto_min_ms = 200;
	cfg->rto_max_ms = 120000;
	cfg->keepalive_idle_ms = 7200000;
	cfg->keepalive_intvl_ms = 75000;
	cfg->keepalive_probes = 9;
	cfg->challenge_ack_limit = 10;
	cfg->delack_ms = 40;
	cfg->ephemeral_lo = 32768;
	cfg->ephemeral_hi = 60999;
	cfg->max_sockets = 1u << 24;
	cfg->rfc1337 = 1;
	cfg->window_scaling = 1;
	cfg->timestamps = 1;
	cfg->sack = 1;
	cfg->isn_mode = SF_ISN_RFC6528;
}

static bool config_ok(const struct sf_config *cfg)
{
	/* Compact records keep 32-bit millisecond expiries compared modulo
	 * 2^32, so every wait they hold must stay well under 2^31 ms. */
	return cfg && cfg->output && cfg->msl_ms > 0 && cfg->msl_ms <= (1u << 29) &&
	       cfg->rto_max_ms <= (1u << 29) && cfg->ephemeral_lo > 0 &&
	       cfg->ephemeral_lo <= cfg->ephemeral_hi && cfg->synack_retries <= SF_MAX_SYNACK_RETRIES &&
	       cfg->rto_initial_ms > 0 && cfg->rto_min_ms > 0 && cfg->rto_min_ms <= cfg->rto_max_ms &&
	       cfg->syn_backlog > 0 && cfg->somaxconn > 0 && cfg->max_sockets > 0 && cfg->delack_ms < 500 &&
	       cfg->max_sockets <= SF_REF_INDEX_MASK && cfg->isn_mode <= SF_ISN_CLOCK_ONLY &&
	       cfg->keepalive_intvl_ms >= SF_KEEPALIVE_MIN_INTVL_MS;
}

sf_stack *sf_stack_new(const struct sf_config *cfg, uint64_t now_ns)
{
	if (!config_ok(cfg))
		return NULL;
	struct sf_stack *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->cfg = *cfg;
	st->prf_k0 = sf_siphash_key_word(cfg->secret, 0);
	st->prf_k1 = sf_siphash_key_word(cfg->secret, 1);
	st->prf_memo = &st->prf_memo_store;
	st->now_ns = now_ns;
	st->epoch_ns = now_ns;
	sf_wheel_init(&st->wheel, now_ns);
	st->out_cap = 65535;
	st->out = malloc(st->out_cap);
	if (!st->out || sf_demux_init(st) != 0) {
		free(st->out);
		free(st->buckets);
		free(st);
		return NULL;
	}
	return st;
}

void sf_stack_free(sf_stack *st)
{
	if (!st)
		return;
	for (uint32_t h = 0; h < st->socks_hwm; h++) {
		struct sf_sock *sock = st->socks[h];
		if (!sock)
			continue;
		if (sock->kind == SF_SOCK_TCB)
			sf_ring_free(&((struct sf_tcb *)sock)->sndq, &st->bufs), sf_ring_free(&((struct sf_tcb *)sock)->rcvq, &st->bufs);
		free(sock);
	}
	sf_bufcache_destroy(&st->bufs);
	free(st->socks);
	free(st->free_handles);
	free(st->ready);
	free(st->locals);
	free(st->out);
	free(st->held_acks);
	sf_demux_destroy(st);
	free(st);
}

int sf_stack_add_address(sf_stack *st, const struct sf_addr *addr, uint32_t mtu)
{
	if (!st || !addr || (addr->family != SF_AF_INET && addr->family != SF_AF_INET6) ||
	    !sf_addr_is_unicast(addr) || mtu > 65535)
		return -EINVAL;
	/* RFC 791 / RFC 8200 §5: every link carries at least 576 (IPv4) / 1280 (IPv6) bytes. */
	if (mtu < (addr->family == SF_AF_INET ? 576u : 1280u))
		return -EINVAL;
	if (sf_local_id(st, addr) != UINT32_MAX)
		return -EEXIST;
	if (st->nlocals >= UINT16_MAX)
		return -ENOSPC;
	struct sf_local *l = realloc(st->locals, (st->nlocals + 1) * sizeof *l);
	if (!l)
		return -ENOMEM;
	st->locals = l;
	l[st->nlocals].addr = *addr;
	l[st->nlocals].mtu = mtu;
	st->nlocals++;
	return 0;
}

uint32_t sf_local_id(const struct sf_stack *st, const struct sf_addr *addr)
{
	for (uint32_t i = 0; i < st->nlocals; i++)
		if (memcmp(&st->locals[i].addr, addr, sizeof *addr) == 0)
			return i;
	return UINT32_MAX;
}

/*
 * RFC 9293 §3.7.1 (MUST-67): the MSS we announce is what one datagram on our
 * interface can carry, less the IP and TCP headers: 1460 for IPv4 and 1440 for
 * IPv6 at an MTU of 1500 (SPEC 13.5).
 */
uint16_t sf_mss_for(const struct sf_stack *st, const struct sf_addr *local)
{
	uint32_t id = sf_local_id(st, local);
	uint32_t mtu = id == UINT32_MAX ? (local->family == SF_AF_INET ? 576u : 1280u) : st->locals[id].mtu;
	uint32_t hdr = (local->family == SF_AF_INET ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN) + SF_TCP_HEADER_LEN;
	return (uint16_t)(mtu - hdr);
}

/*
 * RFC 9293 §3.4.1 (MUST-8, SHLD-1) and RFC 6528 §3: ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey), M a clock ticking every 4 µs
 * and F SipHash-2-4 keyed with the stack's secret (SPEC 13.4). The clock alone
 * (SF_ISN_CLOCK_ONLY) is the predictable RFC 793 scheme, kept for teaching.
 */
uint32_t sf_isn(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	uint32_t clock = (uint32_t)(st->now_ns / 4000);

	if (st->cfg.isn_mode == SF_ISN_CLOCK_ONLY)
		return clock;
	return clock + (uint32_t)sf_tuple_prf(st, SF_PRF_ISN, local, remote);
}

/* Bytes i..i+3 of an address as the low or high half of a little-endian word. */
static inline uint64_t le32_at(const uint8_t *b)
{
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
}

static inline uint64_t le64_at(const uint8_t *b)
{
	return le32_at(b) | le32_at(b + 4) << 32;
}

/* The tuple as SipHash message words, the domain left out (zero in its byte). */
static size_t pack_tuple(const struct sf_endpoint *local, const struct sf_endpoint *remote, uint64_t w[5])
{
	uint64_t tail = (uint64_t)local->port | (uint64_t)remote->port << 16 | (uint64_t)local->addr.family << 40;

	if (local->addr.family == SF_AF_INET) {
		w[0] = le32_at(local->addr.bytes) | le32_at(remote->addr.bytes) << 32;
		w[1] = tail;
		return 2;
	}
	w[0] = le64_at(local->addr.bytes);
	w[1] = le64_at(local->addr.bytes + 8);
	w[2] = le64_at(remote->addr.bytes);
	w[3] = le64_at(remote->addr.bytes + 8);
	w[4] = tail;
	return 5;
}

/*
 * The keyed hash of a 4-tuple: SipHash-2-4 under the stack's secret, with a
 * domain byte so that what one use reveals (an ISN, a timestamp offset)
 * tells nothing about another (a hash bucket, a port offset).
 *
 * The message is the tuple packed into whole words, as short as the family
 * allows (an IPv4 tuple is two words, an IPv6 one five): the demux hashes
 * every datagram that misses its cache and every connection is hashed for
 * its ISN, timestamp offset and table slot, so each word saved is paid for
 * at a million connections a second. The family is in the message, so an
 * IPv4 tuple never hashes like an IPv6 one.
 */
static uint64_t hash_packed(const struct sf_stack *st, enum sf_prf_domain domain, uint64_t w[5], size_t n)
{
	w[n - 1] |= (uint64_t)domain << 32;
	return sf_siphash24_words(st->prf_k0, st->prf_k1, w, n);
}

uint64_t sf_tuple_prf_uncached(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			       const struct sf_endpoint *remote)
{
	uint64_t w[5];
	size_t n = pack_tuple(local, remote, w);

	return hash_packed(st, domain, w, n);
}

uint64_t sf_tuple_prf(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote)
{
	/* The ephemeral-port offset hashes (address, 0, remote): kept out of the
	 * memo, it would only evict the tuple the candidate port then makes. */
	if (domain == SF_PRF_EPHEMERAL)
		return sf_tuple_prf_uncached(st, domain, local, remote);

	struct sf_prf_memo *m = st->prf_memo;
	uint64_t w[5];
	size_t n = pack_tuple(local, remote, w);
	if (m->nwords != n || memcmp(m->words, w, n * sizeof w[0]) != 0) {
		memcpy(m->words, w, n * sizeof w[0]);
		m->nwords = (uint8_t)n;
		m->have = 0;
	}
	if (!(m->have & (1u << domain))) {
		m->value[domain] = hash_packed(st, domain, w, n);
		m->have |= (uint8_t)(1u << domain);
	}
	return m->value[domain];
}

/* ---- time ---- */

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
uint64_t sf_ms_to_ns(const struct sf_stack *st, uint32_t ms)
{
	uint64_t now_ms = (st->now_ns - st->epoch_ns) / 1000000u;
	int64_t delta = (int32_t)(ms - (uint32_t)now_ms);
	int64_t t = (int64_t)now_ms + delta;
	return t <= 0 ? st->epoch_ns : st->epoch_ns + (uint64_t)t * 1000000u;
}

uint64_t sf_now(const sf_stack *st)
{
	return st ? st->now_ns : 0;
}

static void set_time(struct sf_stack *st, uint64_t now_ns)
{
	if (now_ns > st->now_ns)
		st->now_ns = now_ns;
}

/* ---- handles ---- */

struct sf_sock *sf_sock_get(const struct sf_stack *st, uint32_t handle)
{
	return handle < st->socks_hwm ? st->socks[handle] : NULL;
}

int sf_handle_alloc(struct sf_stack *st, struct sf_sock *sock)
{
	uint32_t h;

	if (st->nfree) {
		h = st->free_handles[--st->nfree];
	} else {
		if (st->socks_hwm >= st->cfg.max_sockets)
			return -EMFILE;
		if (st->socks_hwm == st->socks_cap) {
			uint32_t cap = st->socks_cap ? st->socks_cap * 2 : 64;
			struct sf_sock **s = realloc(st->socks, cap * sizeof *s);
			if (!s)
				return -ENOMEM;
			st->socks = s;
			uint32_t *f = realloc(st->free_handles, cap * sizeof *f);
			if (!f)
				return -ENOMEM;
			st->free_handles = f;
			st->socks_cap = cap;
		}
		h = st->socks_hwm++;
	}
	st->socks[h] = sock;
	sock->handle = h;
	return (int)h;
}

void sf_handle_release(struct sf_stack *st, uint32_t handle)
{
	st->socks[handle] = NULL;
	st->free_handles[st->nfree++] = handle;
}

/* ---- readiness ---- */

void sf_mark_ready(struct sf_stack *st, struct sf_sock *sock)
{
	if (sock->in_ready || !sock->user_open)
		return;
	if (st->nready == st->ready_cap) {
		uint32_t cap = st->ready_cap ? st->ready_cap * 2 : 64;
		uint32_t *r = realloc(st->ready, cap * sizeof *r);
		if (!r)
			return; /* the app still sees the state through its next call */
		st->ready = r;
		st->ready_cap = cap;
	}
	st->ready[st->nready++] = sock->handle;
	sock->in_ready = true;
}

/* ---- trace ---- */

static void trace(struct sf_stack *st, struct sf_trace_event *ev)
{
	if (!st->cfg.trace)
		return;
	ev->now_ns = st->now_ns;
	st->cfg.trace(st->cfg.trace_ctx, ev);
}

void sf_trace_state(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		    enum sf_tcp_state from, enum sf_tcp_state to, const char *cause)
{
	if (!st->cfg.trace)
		return; /* every event below is built only for a tracer: none, no cost */
	struct sf_trace_event ev = {
		.kind = SF_TRACE_STATE, .sock = sock, .old_state = from, .new_state = to, .cause = cause,
		.local = *local, .remote = *remote,
	};
	trace(st, &ev);
}

void sf_trace_drop(struct sf_stack *st, const struct sf_segment *seg, enum sf_drop_reason reason)
{
	st->ctr.drops[reason]++;
	st->ctr.InDrops++;
	if (!st->cfg.trace)
		return;
	struct sf_trace_event ev = { .kind = SF_TRACE_DROP, .sock = -1, .seg = seg, .drop = reason };
	if (seg) {
		ev.local = (struct sf_endpoint){ seg->dst, seg->dport };
		ev.remote = (struct sf_endpoint){ seg->src, seg->sport };
	}
	trace(st, &ev);
}

void sf_trace_timer(struct sf_stack *st, int sock, enum sf_timer_kind timer, enum sf_tcp_state state,
		    const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	if (!st->cfg.trace)
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_TIMER, .sock = sock, .timer = timer, .new_state = state,
		.local = *local, .remote = *remote,
	};
	trace(st, &ev);
}

void sf_emit_trace(struct sf_stack *st, const struct sf_segment *seg, int sock, bool retransmit)
{
	if (!st->cfg.trace)
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_SEGMENT_OUT, .sock = sock, .seg = seg, .retransmit = retransmit,
		.local = { seg->src, seg->sport }, .remote = { seg->dst, seg->dport },
	};
	trace(st, &ev);
}

/* ---- input batches (RFC 9293 MUST-58, MUST-59) ---- */

void sf_input_begin(sf_stack *st)
{
	if (st)
		st->in_batch = true;
}

/* Inside a batch, note that tcb owes an ACK instead of sending it; false
 * outside one (or if the list cannot grow: then the ACK goes at once). */
bool sf_hold_ack(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (!st->in_batch)
		return false;
	if (tcb->ack_held)
		return true;
	if (st->nheld_acks == st->held_acks_cap) {
		uint32_t cap = st->held_acks_cap ? st->held_acks_cap * 2 : 64;
		uint32_t *grown = realloc(st->held_acks, cap * sizeof *grown);
		if (!grown)
			return false;
		st->held_acks = grown;
		st->held_acks_cap = cap;
	}
	st->held_acks[st->nheld_acks++] = tcb->sock.handle;
	tcb->ack_held = true;
	return true;
}

/* One ACK per connection that still owes one: anything it sent during the
 * batch carried the ACK and cleared ack_held. A handle whose TCB ended in
 * the batch may now name another socket, whose flag is its own. */
void sf_input_end(sf_stack *st)
{
	if (!st || !st->in_batch)
		return;
	st->in_batch = false;
	for (uint32_t i = 0; i < st->nheld_acks; i++) {
		struct sf_sock *sock = sf_sock_get(st, st->held_acks[i]);
		if (!sock || sock->kind != SF_SOCK_TCB)
			continue;
		struct sf_tcb *tcb = (struct sf_tcb *)sock;
		/* A connection the batch ended (a RST, TIME-WAIT) owes nothing. */
		bool ended = tcb->state == SF_CLOSED || tcb->state == SF_TIME_WAIT || tcb->went_time_wait;
		if (tcb->ack_held && !ended)
			sf_tcb_send_ack(st, tcb);
		tcb->ack_held = false;
	}
	st->nheld_acks = 0;
}

/* ---- input ---- */

void sf_input(sf_stack *st, uint64_t now_ns, const void *dgram, size_t len)
{
	struct sf_segment seg;

	if (!st || (!dgram && len))
		return;
	set_time(st, now_ns);
	enum sf_drop_reason r = sf_wire_parse(dgram, len, &seg);
	if (r != SF_DROP_NONE) {
		/* InSegs counts what reached TCP, errors included (RFC 4022 tcpInSegs). */
		if (r >= SF_DROP_TCP_TRUNCATED) {
			st->ctr.InSegs++;
			st->ctr.InErrs++;
		}
		sf_trace_drop(st, NULL, r); /* the segment did not parse: nothing to show */
		return;
	}
	st->ctr.InSegs++;
	if (seg.flags & SF_TCP_RST)
		st->ctr.InRsts++;
	if (sf_local_id(st, &seg.dst) == UINT32_MAX) {
		sf_trace_drop(st, &seg, SF_DROP_NOT_LOCAL);
		return;
	}

	struct sf_endpoint local = { seg.dst, seg.dport }, remote = { seg.src, seg.sport };
	/* A stream of segments for one connection skips the hash (one compare). */
	sf_ref ref = st->last_hit;
	if (ref == SF_REF_NONE || !sf_demux_matches(st, ref, &local, &remote)) {
		ref = sf_demux_lookup(st, &local, &remote);
		st->last_hit = ref;
	}
	if (st->cfg.trace) {
		int sock = ref != SF_REF_NONE && sf_ref_kind(ref) == SF_REF_SOCK ? (int)sf_ref_index(ref) : -1;
		struct sf_trace_event ev = { .kind = SF_TRACE_SEGMENT_IN, .sock = sock, .seg = &seg, .local = local,
					     .remote = remote };
		trace(st, &ev);
	}

	uint32_t iss_floor;
	const uint32_t *floor = NULL;
	switch (sf_ref_kind(ref)) {
	case SF_REF_SOCK:
		sf_tcb_input(st, (struct sf_tcb *)st->socks[sf_ref_index(ref)], &seg);
		return;
	case SF_REF_REQ:
		sf_req_input(st, sf_ref_index(ref), &seg);
		return;
	case SF_REF_TW:
		if (!sf_tw_input(st, sf_ref_index(ref), &seg, &iss_floor))
			return;
		floor = &iss_floor; /* a SYN reopening a TIME-WAIT 4-tuple goes to the listener */
		break;
	default:
		break;
	}
	struct sf_listener *lst = sf_listener_lookup(st, &seg.dst, seg.dport);
	if (lst) {
		sf_listen_input(st, lst, &seg, floor);
		return;
	}
	/* RFC 9293 §3.10.7.1: no connection. Answer with RST unless it is one. */
	if (!(seg.flags & SF_TCP_RST))
		sf_send_rst_reply(st, &seg);
	sf_trace_drop(st, &seg, SF_DROP_NO_CONNECTION);
}

/* ---- timers ---- */

void sf_advance(sf_stack *st, uint64_t now_ns)
{
	struct sf_timer *t;

	if (!st)
		return;
	set_time(st, now_ns);
	while ((t = sf_wheel_expire(&st->wheel, st->now_ns)) != NULL) {
		struct sf_tcb *tcb = (struct sf_tcb *)((uint8_t *)t - offsetof(struct sf_tcb, timer));
		sf_tcb_timer_fired(st, tcb);
	}
	sf_req_expire(st);
	sf_tw_expire(st);
}

uint64_t sf_next_deadline(const sf_stack *st)
{
	if (!st)
		return UINT64_MAX;
	uint64_t d = sf_wheel_next_deadline(&st->wheel);
	uint64_t r = sf_req_next_deadline(st);
	uint64_t w = sf_tw_next_deadline(st);
	if (r < d)
		d = r;
	if (w < d)
		d = w;
	return d;
}

/* ---- names and counters ---- */

const char *sf_state_name(enum sf_tcp_state state)
{
	static const char *const names[] = {
#define SF_STATE_NAME_(name, text) text,
		SF_TCP_STATES(SF_STATE_NAME_)
#undef SF_STATE_NAME_
	};
	return (unsigned)state < SF_STATE__COUNT ? names[state] : "?";
}

const char *sf_timer_name(enum sf_timer_kind timer)
{
	static const char *const names[] = {
#define SF_TIMER_NAME_(name, text) text,
		SF_TIMERS(SF_TIMER_NAME_)
#undef SF_TIMER_NAME_
	};
	return (unsigned)timer < SF_TIMER__COUNT ? names[timer] : "?";
}

const char *sf_counter_name(enum sf_counter_id id)
{
	static const char *const names[] = {
#define SF_COUNTER_NAME_(name, text) #name,
		SF_COUNTERS(SF_COUNTER_NAME_)
#undef SF_COUNTER_NAME_
	};
	return (unsigned)id < SF_CTR__COUNT ? names[id] : "?";
}

uint64_t sf_counter_value(const struct sf_counters *c, enum sf_counter_id id)
{
	const uint64_t *values[] = {
#define SF_COUNTER_PTR_(name, text) &c->name,
		SF_COUNTERS(SF_COUNTER_PTR_)
#undef SF_COUNTER_PTR_
	};
	return (unsigned)id < SF_CTR__COUNT ? *values[id] : 0;
}

const struct sf_counters *sf_stack_counters(const sf_stack *st)
{
	return st ? &st->ctr : NULL;
}
