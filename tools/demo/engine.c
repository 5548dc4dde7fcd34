/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scenario engine: a simulated network of synfin stacks (and scripted raw
 * hosts), the event trace gathered from every stack's trace hook and from the
 * simulator's observer, the numbering of connections, notes and crashes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

/* ---- the trace ------------------------------------------------------------------ */

static struct demo_event *new_event(struct demo *d, enum demo_ev_kind kind, int host)
{
	if (d->nev == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct demo_event *ev = realloc(d->ev, cap * sizeof *ev);
		if (!ev) {
			fprintf(stderr, "synfin demo: out of memory\n");
			exit(1);
		}
		d->ev = ev;
		d->cap = cap;
	}
	struct demo_event *e = &d->ev[d->nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->t = sf_sim_now(d->sim);
	e->host = host;
	e->peer = -1;
	return e;
}

static int ep_cmp(const struct sf_endpoint *x, const struct sf_endpoint *y)
{
	int c = memcmp(&x->addr, &y->addr, sizeof x->addr);
	if (c)
		return c;
	return (int)x->port - (int)y->port;
}

static bool ep_unset(const struct sf_endpoint *e)
{
	static const uint8_t zero[16];
	return e->port == 0 || e->addr.family == SF_AF_NONE || !memcmp(e->addr.bytes, zero, 16);
}

/*
 * The connection number of a 4-tuple, seen from host (-1: nobody's view).
 * A connection is a 4-tuple in one incarnation. A host's events belong to
 * the incarnation it is alive in. A host starting a new life (CLOSED or
 * LISTEN -> SYN-SENT or SYN-RECEIVED) joins the latest incarnation if it has
 * no part in it yet, or if the other end is still opening it (SYN-SENT: an
 * embryo reset back to LISTEN answers the same attempt again); otherwise -
 * a reconnect after TIME-WAIT, a reopen after a crash - it starts a new one.
 */
static int conn_of(struct demo *d, int host, const struct sf_endpoint *l, const struct sf_endpoint *r, bool newlife)
{
	if (ep_unset(l) || ep_unset(r))
		return 0;
	const struct sf_endpoint *a = ep_cmp(l, r) < 0 ? l : r, *b = a == l ? r : l;
	int latest = -1, alive = -1;
	for (int i = 0; i < d->nconn; i++) {
		if (ep_cmp(&d->conn[i].a, a) || ep_cmp(&d->conn[i].b, b))
			continue;
		latest = i;
		if (host >= 0 && d->conn[i].used[host] && !d->conn[i].done[host])
			alive = i;
	}
	if (latest >= 0 && host >= 0 && newlife) {
		struct demo_conn *c = &d->conn[latest];
		bool peer_opening = false;
		for (int h = 0; h < DEMO_MAX_HOSTS; h++)
			peer_opening |= h != host && c->used[h] && !c->done[h] && c->state[h] == SF_SYN_SENT;
		if (!c->used[host] || !c->done[host] || peer_opening) {
			c->used[host] = true;
			c->done[host] = false;
			return latest + 1;
		}
	} else if (alive >= 0) {
		return alive + 1;
	} else if (latest >= 0) {
		if (host >= 0 && !d->conn[latest].used[host]) {
			d->conn[latest].used[host] = true;
			d->conn[latest].state[host] = SF_CLOSED;
		}
		return latest + 1;
	}
	if (d->nconn == d->conn_cap) {
		int cap = d->conn_cap ? d->conn_cap * 2 : 16;
		struct demo_conn *c = realloc(d->conn, (size_t)cap * sizeof *c);
		if (!c) {
			fprintf(stderr, "synfin demo: out of memory\n");
			exit(1);
		}
		d->conn = c;
		d->conn_cap = cap;
	}
	struct demo_conn *c = &d->conn[d->nconn++];
	memset(c, 0, sizeof *c);
	c->a = *a;
	c->b = *b;
	if (host >= 0)
		c->used[host] = true;
	return d->nconn;
}

/* Keep the connection's view of host's state: the state, and whether its life there ended. */
static void conn_state(struct demo *d, int conn, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	if (!conn || host < 0)
		return;
	struct demo_conn *c = &d->conn[conn - 1];
	c->state[host] = to;
	if (to == SF_CLOSED || (from == SF_SYN_RECEIVED && to == SF_LISTEN))
		c->done[host] = true;
}

static void trace_hook(void *ctx, const struct sf_trace_event *ev)
{
	const struct demo_hctx *hc = ctx;
	struct demo *d = hc->d;
	int host = hc->host;
	struct demo_event *e;

	switch (ev->kind) {
	case SF_TRACE_SEGMENT_OUT:
		/* The datagram itself follows at once through the observer. */
		d->pending[host].valid = true;
		d->pending[host].retransmit = ev->retransmit != 0;
		d->pending[host].mtu_probe = ev->mtu_probe != 0;
		break;
	case SF_TRACE_SEGMENT_IN:
		break;
	case SF_TRACE_STATE: {
		bool newlife = (ev->old_state == SF_CLOSED || ev->old_state == SF_LISTEN) &&
			       (ev->new_state == SF_SYN_SENT || ev->new_state == SF_SYN_RECEIVED);
		e = new_event(d, DEV_STATE, host);
		e->t = ev->now_ns;
		e->conn = conn_of(d, host, &ev->local, &ev->remote, newlife);
		e->from = ev->old_state;
		e->to = ev->new_state;
		snprintf(e->cause, sizeof e->cause, "%s", sf_cause_text(ev->cause));
		conn_state(d, e->conn, host, ev->old_state, ev->new_state);
		break;
	}
	case SF_TRACE_TIMER:
		e = new_event(d, DEV_TIMER, host);
		e->t = ev->now_ns;
		e->conn = conn_of(d, host, &ev->local, &ev->remote, false);
		e->timer = ev->timer;
		e->from = e->to = ev->new_state;
		break;
	case SF_TRACE_DROP:
		e = new_event(d, DEV_DROP, host);
		e->t = ev->now_ns;
		e->drop = ev->drop;
		if (ev->seg) {
			e->seg = *ev->seg;
			e->seg.payload = NULL;
			e->conn = conn_of(d, host, &ev->local, &ev->remote, false);
		}
		break;
	case SF_TRACE_PATH_MTU:
		e = new_event(d, DEV_PATH_MTU, host);
		e->t = ev->now_ns;
		e->conn = conn_of(d, host, &ev->local, &ev->remote, false);
		e->mtu = ev->mtu;
		e->why = ev->cause;
		snprintf(e->cause, sizeof e->cause, "%s", sf_cause_text(ev->cause));
		break;
	case SF_TRACE_NEGATIVE_ADVICE:
		break; /* the diagrams draw what the segments show */
	}
}

/*
 * The oldest datagram still travelling from -> to with exactly these bytes:
 * a host's segment, or (router) a router's ICMP on its way to `to`.
 */
static struct demo_event *in_flight(struct demo *d, int from, int to, bool router, const uint8_t *dgram, size_t len)
{
	struct demo_event *loose = NULL;

	for (size_t i = 0; i < d->nev; i++) {
		struct demo_event *e = &d->ev[i];
		if (e->kind != (router ? DEV_ICMP : DEV_SEGMENT) || e->fate != FATE_IN_FLIGHT || e->peer != to ||
		    (!router && e->host != from))
			continue;
		if (e->dlen == len && !memcmp(e->dgram, dgram, len))
			return e;
		if (!loose && e->dlen == len)
			loose = e; /* corrupted on the way */
	}
	return loose;
}

static struct demo_event *new_datagram(struct demo *d, enum demo_ev_kind kind, int host, const struct sf_sim_event *ev)
{
	struct demo_event *e = new_event(d, kind, host);
	e->t = ev->time_ns;
	e->dgram = malloc(ev->len ? ev->len : 1);
	if (!e->dgram) {
		fprintf(stderr, "synfin demo: out of memory\n");
		exit(1);
	}
	memcpy(e->dgram, ev->dgram, ev->len);
	e->dlen = ev->len;
	return e;
}

/* An ICMP or ICMPv6 datagram (as routers make them: no IPv6 extension header). */
static bool is_icmp(const uint8_t *dgram, size_t len)
{
	if (len >= 20 && dgram[0] >> 4 == 4)
		return dgram[9] == 1;
	return len >= 40 && dgram[0] >> 4 == 6 && dgram[6] == 58;
}

static void observer(void *ctx, const struct sf_sim_event *ev)
{
	struct demo *d = ctx;
	struct demo_event *e;

	switch (ev->kind) {
	case SF_SIM_EV_SEND: {
		e = new_datagram(d, DEV_SEGMENT, ev->from, ev);
		e->peer = ev->to;
		if (sf_segment_parse(ev->dgram, ev->len, &e->seg) == SF_DROP_NONE) {
			e->seg.payload = NULL;
			struct sf_endpoint l = { e->seg.src, e->seg.sport }, r = { e->seg.dst, e->seg.dport };
			e->conn = conn_of(d, ev->from, &l, &r, false);
		}
		if (ev->from >= 0 && ev->from < DEMO_MAX_HOSTS && d->pending[ev->from].valid) {
			e->retransmit = d->pending[ev->from].retransmit;
			e->mtu_probe = d->pending[ev->from].mtu_probe;
			d->pending[ev->from].valid = false;
		} else {
			e->crafted = true;
			if (ev->from >= 0 && ev->from < DEMO_MAX_HOSTS) {
				e->tag = d->next_tag[ev->from];
				d->next_tag[ev->from] = NULL;
			}
		}
		break;
	}
	case SF_SIM_EV_DELIVER:
	case SF_SIM_EV_DROP: {
		/* A drop at the moment of sending is the datagram just recorded. */
		e = NULL;
		if (ev->kind == SF_SIM_EV_DROP && d->nev) {
			struct demo_event *last = &d->ev[d->nev - 1];
			for (size_t i = d->nev; i-- > 0;) {
				if (d->ev[i].kind == DEV_SEGMENT) {
					last = &d->ev[i];
					break;
				}
			}
			if (last->kind == DEV_SEGMENT && last->fate == FATE_IN_FLIGHT && last->t == ev->time_ns &&
			    last->host == ev->from && last->dlen == ev->len && !memcmp(last->dgram, ev->dgram, ev->len))
				e = last;
		}
		if (!e)
			e = in_flight(d, ev->from, ev->to, ev->router, ev->dgram, ev->len);
		if (!e)
			break;
		e->fate = ev->kind == SF_SIM_EV_DELIVER ? FATE_DELIVERED : FATE_LOST;
		e->fate_t = ev->time_ns;
		e->lost = ev->drop;
		break;
	}
	case SF_SIM_EV_ROUTER:
		/* An error about a datagram of from's that the router refused, on
		 * its way back to from. (A fragment of a datagram it split is not
		 * drawn: synfin's TCP sets DF, and no scenario sends without it.) */
		if (!is_icmp(ev->dgram, ev->len))
			break;
		e = new_datagram(d, DEV_ICMP, d->router >= 0 ? d->router : ev->to, ev);
		e->peer = ev->from;
		break;
	}
}

/* ---- setup ---------------------------------------------------------------------- */

int demo_init(struct demo *d, const struct demo_scenario *sc, const struct demo_opts *opt)
{
	memset(d, 0, sizeof *d);
	d->sc = sc;
	d->opt = opt;
	d->sim = sf_sim_new(opt->seed);
	if (!d->sim)
		return -ENOMEM;
	struct sf_sim_link link = { .delay_ns = opt->delay_ms * DEMO_MS, .loss = opt->loss };
	sf_sim_set_all_links(d->sim, &link);
	sf_sim_set_observer(d->sim, observer, d);
	d->exact = opt->loss <= 0;
	d->router = -1;
	return 0;
}

void demo_fini(struct demo *d)
{
	for (int i = 0; i < d->nhosts; i++)
		sf_simhost_free(d->host[i].sh);
	sf_sim_free(d->sim);
	for (size_t i = 0; i < d->nev; i++)
		free(d->ev[i].dgram);
	free(d->ev);
	free(d->conn);
	free(d->checks);
	memset(d, 0, sizeof *d);
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct sf_addr parse_addr(const char *text)
{
	struct sf_addr a;
	if (sf_addr_parse(text, &a) != 0) {
		fprintf(stderr, "synfin demo: bad address %s\n", text);
		exit(1);
	}
	return a;
}

int demo_add_host(struct demo *d, const char *name, const char *addr, uint32_t mtu, demo_adjust_fn adjust)
{
	int i = d->nhosts;
	struct sf_config cfg;
	struct sf_addr a = parse_addr(addr);
	uint64_t x = d->opt->seed * 1000003u + (uint64_t)i * 7919u;

	if (i >= DEMO_MAX_HOSTS)
		exit(1);
	sf_config_default(&cfg);
	for (int k = 0; k < 16; k += 8) {
		uint64_t r = splitmix(&x);
		memcpy(cfg.secret + k, &r, 8);
	}
	if (adjust)
		adjust(&cfg);
	if (d->opt->msl_ms)
		cfg.msl_ms = d->opt->msl_ms;
	if (d->opt->rfc1337 >= 0)
		cfg.rfc1337 = (uint8_t)d->opt->rfc1337;
	if (d->opt->strict_time_wait)
		cfg.strict_time_wait = 1;
	d->hctx[i].d = d;
	d->hctx[i].host = i;
	cfg.trace = trace_hook;
	cfg.trace_ctx = &d->hctx[i];
	struct demo_host_info *h = &d->host[i];
	snprintf(h->name, sizeof h->name, "%s", name);
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	h->mtu = mtu;
	h->up = true;
	h->cfg = cfg;
	h->sh = sf_simhost_new(d->sim, name, &a, mtu, &cfg);
	if (!h->sh) {
		fprintf(stderr, "synfin demo: cannot create host %s\n", name);
		exit(1);
	}
	h->index = sf_simhost_index(h->sh);
	d->nhosts++;
	return i;
}

void demo_add_addr(struct demo *d, int host, const char *addr, uint32_t mtu)
{
	struct sf_addr a = parse_addr(addr);
	size_t n = strlen(d->host[host].addr);

	int r = d->host[host].sh ? sf_simhost_add_addr(d->host[host].sh, &a, mtu) : sf_sim_add_addr(d->sim, host, &a);
	if (r != 0) {
		fprintf(stderr, "synfin demo: cannot add %s\n", addr);
		exit(1);
	}
	snprintf(d->host[host].addr + n, sizeof d->host[host].addr - n, " %s", addr);
}

static void raw_deliver(void *ctx, uint64_t now, const uint8_t *dgram, size_t len)
{
	const struct demo_hctx *hc = ctx;
	struct demo *d = hc->d;
	int host = hc->host;
	struct sf_segment seg;

	if (sf_segment_parse(dgram, len, &seg) != SF_DROP_NONE || !d->host[host].raw_deliver)
		return;
	d->host[host].raw_deliver(d->host[host].raw_ctx, host, now, &seg);
}

static const struct sf_sim_host_ops raw_ops = { .deliver = raw_deliver };

int demo_add_raw_host(struct demo *d, const char *name, const char *addr,
		      void (*deliver)(void *ctx, int host, uint64_t now, const struct sf_segment *seg), void *ctx)
{
	int i = d->nhosts;
	struct sf_addr a = parse_addr(addr);

	if (i >= DEMO_MAX_HOSTS)
		exit(1);
	d->hctx[i].d = d;
	d->hctx[i].host = i;
	struct demo_host_info *h = &d->host[i];
	snprintf(h->name, sizeof h->name, "%s", name);
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	h->up = true;
	h->raw_deliver = deliver;
	h->raw_ctx = ctx;
	h->index = sf_sim_add_host(d->sim, name, &raw_ops, &d->hctx[i]);
	if (h->index != i || sf_sim_add_addr(d->sim, i, &a) != 0)
		exit(1);
	d->nhosts++;
	return i;
}

int demo_add_router(struct demo *d, const char *name, const char *addr)
{
	/* A raw host that nothing is sent to: the simulator's router at the end
	 * of the links is what acts; this is its column and its address. */
	int i = demo_add_raw_host(d, name, addr, NULL, NULL);
	d->router = i;
	return i;
}

void demo_route(struct demo *d, int a, int b, uint32_t mtu, enum sf_sim_too_big too_big)
{
	struct sf_sim_link link = {
		.delay_ns = d->opt->delay_ms * DEMO_MS,
		.loss = d->opt->loss,
		.mtu = mtu,
		.too_big = too_big,
		.router4 = d->router >= 0 ? demo_addr(d, d->router) : (struct sf_addr){ 0 },
	};
	if (sf_sim_set_link(d->sim, a, b, &link) != 0 || sf_sim_set_link(d->sim, b, a, &link) != 0) {
		fprintf(stderr, "synfin demo: cannot set up the route\n");
		exit(1);
	}
}

void demo_inject(struct demo *d, int host, const struct sf_segment *seg, const char *tag)
{
	uint8_t buf[2048];
	size_t len = sf_segment_build(buf, sizeof buf, seg);

	if (!len) {
		fprintf(stderr, "synfin demo: cannot build a segment\n");
		exit(1);
	}
	demo_resend(d, host, buf, len, tag);
}

void demo_resend(struct demo *d, int host, const uint8_t *dgram, size_t len, const char *tag)
{
	d->next_tag[host] = tag;
	d->pending[host].valid = false;
	sf_sim_send(d->sim, host, dgram, len);
	d->next_tag[host] = NULL;
}

struct sf_addr demo_addr(const struct demo *d, int host)
{
	char first[48];
	snprintf(first, sizeof first, "%s", d->host[host].addr);
	char *sp = strchr(first, ' ');
	if (sp)
		*sp = 0;
	return parse_addr(first);
}

struct sf_endpoint demo_ep(const struct demo *d, int host, uint16_t port)
{
	struct sf_endpoint e = { .addr = demo_addr(d, host), .port = port };
	return e;
}

sf_stack *demo_stack(struct demo *d, int host)
{
	sf_stack *st = d->host[host].sh ? sf_simhost_stack(d->host[host].sh) : NULL;

	if (st)
		sf_advance(st, sf_sim_now(d->sim)); /* user calls act at the stack's own time */
	return st;
}

uint64_t demo_now(const struct demo *d)
{
	return sf_sim_now(d->sim);
}

/* ---- time ------------------------------------------------------------------------- */

void demo_run_for(struct demo *d, uint64_t ms)
{
	sf_sim_run_until(d->sim, sf_sim_now(d->sim) + ms * DEMO_MS);
}

void demo_settle(struct demo *d, uint64_t ms)
{
	uint64_t delay = d->opt->delay_ms;
	demo_run_for(d, delay > 10 ? ms * delay / 10 : ms);
}

void demo_run_to(struct demo *d, uint64_t t_ns)
{
	if (t_ns > sf_sim_now(d->sim))
		sf_sim_run_until(d->sim, t_ns);
}

bool demo_run_until(struct demo *d, bool (*cond)(struct demo *d, void *ctx), void *ctx, uint64_t limit_ms)
{
	uint64_t limit = sf_sim_now(d->sim) + limit_ms * DEMO_MS;

	sf_sim_sync_hosts(d->sim);
	while (!cond(d, ctx)) {
		if (sf_sim_now(d->sim) >= limit)
			return false;
		if (!sf_sim_step(d->sim) || sf_sim_now(d->sim) > limit) {
			if (sf_sim_now(d->sim) < limit)
				sf_sim_run_until(d->sim, limit);
			sf_sim_sync_hosts(d->sim);
			return cond(d, ctx);
		}
		sf_sim_sync_hosts(d->sim); /* the application in cond acts at the simulator's time */
	}
	return true;
}

/* ---- notes, crashes ------------------------------------------------------------------------- */

void demo_app(struct demo *d, int host, const char *en, const char *zh)
{
	struct demo_event *e = new_event(d, DEV_APP, host);
	snprintf(e->text, sizeof e->text, "%s", en);
	snprintf(e->text_zh, sizeof e->text_zh, "%s", zh ? zh : en);
}

void demo_note(struct demo *d, int host, const char *en, const char *zh)
{
	struct demo_event *e = new_event(d, DEV_NOTE, host);
	snprintf(e->text, sizeof e->text, "%s", en);
	snprintf(e->text_zh, sizeof e->text_zh, "%s", zh ? zh : en);
}

void demo_raw_state(struct demo *d, int host, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		    enum sf_tcp_state from, enum sf_tcp_state to, const char *cause)
{
	bool newlife = (from == SF_CLOSED || from == SF_LISTEN) && (to == SF_SYN_SENT || to == SF_SYN_RECEIVED);
	int conn = conn_of(d, host, local, remote, newlife);
	struct demo_event *e = new_event(d, DEV_STATE, host);

	e->conn = conn;
	e->from = from;
	e->to = to;
	snprintf(e->cause, sizeof e->cause, "%s", cause);
	conn_state(d, conn, host, from, to);
}

void demo_crash(struct demo *d, int host)
{
	new_event(d, DEV_CRASH, host);
	d->host[host].up = false;
	for (int i = 0; i < d->nconn; i++)
		if (d->conn[i].used[host])
			d->conn[i].done[host] = true; /* every connection of the host is forgotten */
	sf_sim_crash(d->sim, host);
}

void demo_reboot(struct demo *d, int host)
{
	new_event(d, DEV_REBOOT, host);
	d->host[host].up = true;
	sf_sim_reboot(d->sim, host);
}
