/* SPDX-License-Identifier: BSD-2-Clause */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sc_observer(void *ctx, const struct sf_sim_event *ev)
{
	struct scenario *sc = ctx;
	if (ev->kind == SF_SIM_EV_SEND)
		sc->segments_sent++;
}

static void sc_trace(void *ctx, const struct sf_trace_event *ev)
{
	struct sc_host_ctx *hc = ctx;
	struct scenario *sc = hc->sc;

	if (getenv("SYNFIN_SC_TRACE")) {
		/* Debugging aid: every event of every host, one line each. */
		if (ev->kind == SF_TRACE_STATE)
			printf("%10.3f h%d s%d %s -> %s (%s)\n", ev->now_ns / 1e6, hc->host, ev->sock,
			       sf_state_name(ev->old_state), sf_state_name(ev->new_state), sf_cause_text(ev->cause));
		else if (ev->kind == SF_TRACE_SEGMENT_OUT || ev->kind == SF_TRACE_SEGMENT_IN)
			printf("%10.3f h%d s%d %s %u:%u fl=%02x seq=%u ack=%u win=%u len=%zu sack=%u\n", ev->now_ns / 1e6,
			       hc->host, ev->sock, ev->kind == SF_TRACE_SEGMENT_OUT ? "out" : "in ", ev->local.port,
			       ev->remote.port, ev->seg->flags, ev->seg->seq, ev->seg->ack, ev->seg->window,
			       ev->seg->payload_len, ev->seg->opt.sack_count);
		else if (ev->kind == SF_TRACE_TIMER)
			printf("%10.3f h%d s%d timer %s\n", ev->now_ns / 1e6, hc->host, ev->sock, sf_timer_name(ev->timer));
		else if (ev->kind == SF_TRACE_PATH_MTU)
			printf("%10.3f h%d s%d path mtu %u (%s)\n", ev->now_ns / 1e6, hc->host, ev->sock, ev->mtu,
			       sf_cause_text(ev->cause));
		else if (ev->kind == SF_TRACE_DROP)
			printf("%10.3f h%d drop %s\n", ev->now_ns / 1e6, hc->host, sf_drop_reason_name(ev->drop));
	}

	if (ev->kind != SF_TRACE_STATE || sc->nstates >= SC_MAX_EVENTS)
		return;
	struct sc_state_event *e = &sc->states[sc->nstates++];
	e->host = hc->host;
	e->sock = ev->sock;
	e->from = ev->old_state;
	e->to = ev->new_state;
	e->time_ns = ev->now_ns;
}

struct scenario *sc_new(uint64_t seed, uint64_t delay_ms)
{
	struct scenario *sc = calloc(1, sizeof *sc);
	assert_non_null(sc);
	sc->sim = sf_sim_new(seed);
	assert_non_null(sc->sim);
	struct sf_sim_link link = { .delay_ns = delay_ms * SC_MS };
	sf_sim_set_all_links(sc->sim, &link);
	sf_sim_set_observer(sc->sim, sc_observer, sc);
	return sc;
}

struct sf_addr sc_addr(int host)
{
	return sf_addr_v4(192, 0, 2, (uint8_t)(host + 1));
}

struct sf_endpoint sc_ep(int host, uint16_t port)
{
	struct sf_endpoint e = { .addr = sc_addr(host), .port = port };
	return e;
}

struct sf_addr sc_addr6(int host)
{
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)(host + 1) };
	return sf_addr_v6(b);
}

struct sf_endpoint sc_ep6(int host, uint16_t port)
{
	struct sf_endpoint e = { .addr = sc_addr6(host), .port = port };
	return e;
}

void sc_add_v6(struct scenario *sc, int host)
{
	struct sf_addr a = sc_addr6(host);
	assert_int_equal(sf_simhost_add_addr(sc->hosts[host], &a, 1500), 0);
}

void sc_set_link(struct scenario *sc, int from, int to, const struct sf_sim_link *link)
{
	assert_int_equal(sf_sim_set_link(sc->sim, from, to, link), 0);
}

int sc_add_host(struct scenario *sc, const char *name, void (*adjust)(struct sf_config *cfg))
{
	int i = sc->nhosts;
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int k = 0; k < 16; k++)
		cfg.secret[k] = (uint8_t)(k * 17 + i * 101 + 3);
	if (adjust)
		adjust(&cfg);
	return sc_add_host_cfg(sc, name, 1500, &cfg);
}

int sc_add_host_cfg(struct scenario *sc, const char *name, uint32_t mtu, struct sf_config *cfg)
{
	assert_true(sc->nhosts < SC_MAX_HOSTS);
	int i = sc->nhosts;
	sc->hctx[i].sc = sc;
	sc->hctx[i].host = i;
	if (!cfg->trace) {
		cfg->trace = sc_trace;
		cfg->trace_ctx = &sc->hctx[i];
	}
	struct sf_addr a = sc_addr(i);
	sc->hosts[i] = sf_simhost_new(sc->sim, name, &a, mtu, cfg);
	assert_non_null(sc->hosts[i]);
	assert_int_equal(sf_simhost_index(sc->hosts[i]), i);
	sc->nhosts++;
	return i;
}

void sc_free(struct scenario *sc)
{
	for (int i = 0; i < sc->nhosts; i++)
		sf_simhost_free(sc->hosts[i]);
	sf_sim_free(sc->sim);
	free(sc);
}

sf_stack *sc_stack(struct scenario *sc, int host)
{
	return sf_simhost_stack(sc->hosts[host]);
}

bool sc_run_until(struct scenario *sc, bool (*cond)(struct scenario *sc, void *ctx), void *ctx, uint64_t limit_ms)
{
	uint64_t limit = sf_sim_now(sc->sim) + limit_ms * SC_MS;

	while (!cond(sc, ctx)) {
		if (sf_sim_now(sc->sim) >= limit)
			return false;
		if (!sf_sim_step(sc->sim) || sf_sim_now(sc->sim) > limit) {
			/* Nothing pending (or past the limit): let time pass to the limit. */
			if (sf_sim_now(sc->sim) < limit)
				sf_sim_run_until(sc->sim, limit);
			return cond(sc, ctx);
		}
		sf_sim_sync_hosts(sc->sim); /* the app in cond acts at the simulator's time */
	}
	return true;
}

void sc_run_for(struct scenario *sc, uint64_t ms)
{
	sf_sim_run_until(sc->sim, sf_sim_now(sc->sim) + ms * SC_MS);
}

size_t sc_saw_count(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->nstates; i++)
		if (sc->states[i].host == host && sc->states[i].from == from && sc->states[i].to == to)
			n++;
	return n;
}

uint64_t sc_saw_at(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	for (size_t i = 0; i < sc->nstates; i++)
		if (sc->states[i].host == host && sc->states[i].from == from && sc->states[i].to == to)
			return sc->states[i].time_ns;
	return SC_NEVER;
}

bool sc_saw(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	return sc_saw_at(sc, host, from, to) != SC_NEVER;
}

uint64_t sc_counter(struct scenario *sc, int host, enum sf_counter_id id)
{
	sf_stack *st = sc_stack(sc, host);
	return st ? sf_counter_value(sf_stack_counters(st), id) : 0;
}

uint64_t sc_drops(struct scenario *sc, int host, enum sf_drop_reason reason)
{
	return sf_stack_counters(sc_stack(sc, host))->drops[reason];
}

/* ---- the recorder ---- */

static void rec_observer(void *ctx, const struct sf_sim_event *ev)
{
	struct sc_rec *r = ctx;
	struct sf_segment s;

	if (ev->kind == SF_SIM_EV_DELIVER && ev->to >= 0 && ev->to < SC_MAX_HOSTS)
		r->last_delivery[ev->to] = ev->time_ns;
	sc_observer(r->sc, ev); /* sc->segments_sent */
	if (ev->kind != SF_SIM_EV_SEND)
		return;
	if (sf_wire_parse(ev->dgram, ev->len, &s) != SF_DROP_NONE || r->n >= r->max)
		return;
	r->seg[r->n++] = (struct sc_rec_seg){
		.t = ev->time_ns, .from = ev->from, .to = ev->to, .family = s.src.family, .flags = s.flags,
		.seq = s.seq, .ack = s.ack, .sport = s.sport, .dport = s.dport, .len = s.payload_len,
		.has_mss = s.opt.has_mss, .mss = s.opt.mss, .has_ts = s.opt.has_timestamp,
		.ts_val = s.opt.ts_val, .ts_ecr = s.opt.ts_ecr,
	};
}

struct sc_rec *sc_rec_install(struct scenario *sc, size_t max)
{
	struct sc_rec *r = calloc(1, sizeof *r + max * sizeof r->seg[0]);

	assert_non_null(r);
	r->sc = sc;
	r->max = max;
	sf_sim_set_observer(sc->sim, rec_observer, r);
	return r;
}

long sc_rec_find(const struct sc_rec *r, size_t i, int from, uint8_t mask, uint8_t flags)
{
	for (; i < r->n; i++)
		if (r->seg[i].from == from && (r->seg[i].flags & mask) == flags)
			return (long)i;
	return -1;
}

size_t sc_rec_count(const struct sc_rec *r, size_t i, int from, uint8_t mask, uint8_t flags)
{
	size_t n = 0;

	for (; i < r->n; i++)
		if (r->seg[i].from == from && (r->seg[i].flags & mask) == flags)
			n++;
	return n;
}

/* ---- the applications ---- */

sf_stack *sc_app(struct scenario *sc, int host)
{
	sf_stack *st = sc_stack(sc, host);

	if (st)
		sf_advance(st, sf_sim_now(sc->sim));
	return st;
}

int sc_listen(struct scenario *sc, int host, int family, uint16_t port, int backlog, int maxseg)
{
	sf_stack *st = sc_app(sc, host);
	int l = sf_socket(st, family);
	struct sf_endpoint any = { .addr = { .family = (uint8_t)family }, .port = port };

	assert_true(l >= 0);
	if (maxseg)
		assert_int_equal(sf_set_maxseg(st, l, maxseg), 0);
	assert_int_equal(sf_bind(st, l, &any), 0);
	assert_int_equal(sf_listen(st, l, backlog), 0);
	return l;
}

int sc_connect(struct scenario *sc, int host, uint16_t lport, bool reuse, struct sf_endpoint remote)
{
	sf_stack *st = sc_app(sc, host);
	int c = sf_socket(st, remote.addr.family);

	assert_true(c >= 0);
	if (reuse)
		assert_int_equal(sf_set_reuseaddr(st, c, 1), 0);
	if (lport) {
		struct sf_endpoint local = sc_ep(host, lport);
		assert_int_equal(sf_bind(st, c, &local), 0);
	}
	assert_int_equal(sf_connect(st, c, &remote), -EINPROGRESS);
	return c;
}

struct pair {
	int chost, csock;   /* the client */
	int shost, lsock;   /* the server's listener ... */
	int ssock;          /* ... and the accepted connection (-1 until then) */
};

static bool pair_up(struct scenario *sc, void *ctx)
{
	struct pair *p = ctx;

	if (p->ssock < 0)
		p->ssock = sf_accept(sc_stack(sc, p->shost), p->lsock, NULL);
	return p->ssock >= 0 && sf_state(sc_stack(sc, p->chost), p->csock) == SF_ESTABLISHED;
}

int sc_establish(struct scenario *sc, int chost, int csock, int shost, int lsock, uint64_t limit_ms)
{
	struct pair p = { chost, csock, shost, lsock, -1 };

	assert_true(sc_run_until(sc, pair_up, &p, limit_ms));
	return p.ssock;
}

int sc_open_pair(struct scenario *sc, int chost, uint16_t lport, int shost, uint16_t port, uint64_t limit_ms, int *lsock,
		 int *csock)
{
	*lsock = sc_listen(sc, shost, SF_AF_INET, port, 16, 0);
	*csock = sc_connect(sc, chost, lport, false, sc_ep(shost, port));
	return sc_establish(sc, chost, *csock, shost, *lsock, limit_ms);
}

void sc_send_all(struct scenario *sc, int host, int sock, const void *buf, size_t len)
{
	assert_int_equal(sf_send(sc_app(sc, host), sock, buf, len), (long)len);
}

struct reader {
	int host, sock;
	uint8_t *buf;
	size_t cap, got;
	long last;         /* last sf_recv result */
	bool eof;
};

static bool read_some(struct scenario *sc, void *ctx)
{
	struct reader *rd = ctx;

	for (;;) {
		rd->last = sf_recv(sc_stack(sc, rd->host), rd->sock, rd->buf + rd->got, rd->cap - rd->got);
		if (rd->last <= 0)
			break;
		rd->got += (size_t)rd->last;
		if (rd->got == rd->cap)
			break;
	}
	if (rd->last == 0 && rd->got < rd->cap)
		rd->eof = true;
	return rd->got == rd->cap || rd->eof || (rd->last < 0 && rd->last != -EAGAIN);
}

void sc_read_exactly(struct scenario *sc, int host, int sock, void *buf, size_t len, uint64_t limit_ms)
{
	struct reader rd = { host, sock, buf, len, 0, 0, false };

	assert_true(sc_run_until(sc, read_some, &rd, limit_ms));
	assert_int_equal(rd.got, len);
}

void sc_read_eof(struct scenario *sc, int host, int sock, uint64_t limit_ms)
{
	uint8_t b;
	struct reader rd = { host, sock, &b, 1, 0, 0, false };

	assert_true(sc_run_until(sc, read_some, &rd, limit_ms));
	assert_true(rd.eof);
	assert_int_equal(rd.got, 0);
}

uint16_t sc_local_port(struct scenario *sc, int host, int sock)
{
	struct sf_endpoint e;

	assert_int_equal(sf_getsockname(sc_stack(sc, host), sock, &e), 0);
	return e.port;
}

void sc_inject(struct scenario *sc, int from, const struct sf_segment *seg)
{
	uint8_t buf[2048];
	size_t len = sf_wire_build(buf, sizeof buf, seg, NULL, 0);

	assert_true(len > 0);
	assert_int_equal(sf_sim_send(sc->sim, from, buf, len), 0);
}

void sc_inject_icmp(struct scenario *sc, int from, const struct sc_icmp *m)
{
	struct sf_segment seg;
	uint8_t about[128], buf[SF_SIM_ICMP6_MAX];

	memset(&seg, 0, sizeof seg);
	seg.src = m->victim.addr;
	seg.dst = m->peer.addr;
	seg.sport = m->victim.port;
	seg.dport = m->peer.port;
	seg.seq = m->seq;
	seg.flags = SF_TCP_ACK;
	seg.window = 1000;
	size_t alen = sf_wire_build(about, sizeof about, &seg, NULL, 0);
	assert_true(alen > 0);
	struct sf_sim_icmp icmp = { .src = m->reporter, .type = m->type, .code = m->code, .word = m->word };
	assert_int_equal(m->reporter.family, m->victim.addr.family);
	size_t len = sf_sim_icmp_build(buf, sizeof buf, &icmp, about, alen);
	assert_true(len > 0);
	assert_int_equal(sf_sim_send(sc->sim, from, buf, len), 0);
}

bool sc_reached(struct scenario *sc, void *ctx)
{
	for (const struct sc_want *w = ctx; w->host >= 0; w++)
		if (sf_state(sc_stack(sc, w->host), w->sock) != w->state)
			return false;
	return true;
}

/* ---- helpers shared by the scenario tests ---- */

const struct sc_rec_seg *sc_rec_last(const struct sc_rec *r, int from, int to)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->seg[i].from == from && r->seg[i].to == to)
			return &r->seg[i];
	fail_msg("no segment from host %d to host %d", from, to);
	return NULL;
}

struct sc_payloads sc_rec_payloads(const struct sc_rec *r, size_t mark, int from)
{
	struct sc_payloads p = { 0, 0, 0, false };

	for (size_t i = mark; i < r->n; i++) {
		const struct sc_rec_seg *s = &r->seg[i];
		if (s->from != from || !s->len)
			continue;
		p.total += s->len;
		p.count++;
		if (s->len > p.max) {
			p.max = s->len;
			p.max_has_ts = s->has_ts;
		}
	}
	return p;
}

void sc_fill(uint8_t *buf, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131u + (i >> 9) + salt);
}

/* One direction of a transfer: what a host sends and what its peer reads. */
struct xfer {
	int host, sock;         /* sender */
	int phost, psock;       /* receiver */
	uint8_t *out, *in;
	size_t len, sent, got;
};

static void xfer_pump(struct scenario *sc, struct xfer *x)
{
	long n;

	while (x->sent < x->len && (n = sf_send(sc_stack(sc, x->host), x->sock, x->out + x->sent,
						 x->len - x->sent)) > 0)
		x->sent += (size_t)n;
	while (x->got < x->len &&
	       (n = sf_recv(sc_stack(sc, x->phost), x->psock, x->in + x->got, x->len - x->got)) > 0)
		x->got += (size_t)n;
}

static bool exchange_step(struct scenario *sc, void *ctx)
{
	struct xfer *x = ctx;

	xfer_pump(sc, &x[0]);
	xfer_pump(sc, &x[1]);
	return x[0].got == x[0].len && x[1].got == x[1].len;
}

void sc_exchange(struct scenario *sc, int h0, int s0, size_t n0, int h1, int s1, size_t n1)
{
	struct xfer x[2] = {
		{ h0, s0, h1, s1, malloc(n0 + 1), malloc(n0 + 1), n0, 0, 0 },
		{ h1, s1, h0, s0, malloc(n1 + 1), malloc(n1 + 1), n1, 0, 0 },
	};

	for (int i = 0; i < 2; i++) {
		assert_non_null(x[i].out);
		assert_non_null(x[i].in);
		sc_fill(x[i].out, x[i].len, (unsigned)(i * 77 + 3));
	}
	sc_app(sc, h0);
	sc_app(sc, h1);
	assert_true(sc_run_until(sc, exchange_step, x, 30000));
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(x[i].in, x[i].out, x[i].len);
		free(x[i].out);
		free(x[i].in);
	}
}

uint32_t sc_events_for(sf_stack *st, int sock)
{
	struct sf_event ev[32];
	uint32_t all = 0;
	int n;

	while ((n = sf_poll_events(st, ev, 32)) > 0)
		for (int i = 0; i < n; i++)
			if (ev[i].sock == sock)
				all |= ev[i].events;
	return all;
}
