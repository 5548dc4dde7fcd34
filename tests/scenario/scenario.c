#include "scenario.h"

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
			       sf_state_name(ev->old_state), sf_state_name(ev->new_state), ev->cause);
		else if (ev->kind == SF_TRACE_SEGMENT_OUT || ev->kind == SF_TRACE_SEGMENT_IN)
			printf("%10.3f h%d s%d %s %u:%u fl=%02x seq=%u ack=%u win=%u len=%zu sack=%u\n", ev->now_ns / 1e6,
			       hc->host, ev->sock, ev->kind == SF_TRACE_SEGMENT_OUT ? "out" : "in ", ev->local.port,
			       ev->remote.port, ev->seg->flags, ev->seg->seq, ev->seg->ack, ev->seg->window,
			       ev->seg->payload_len, ev->seg->opt.sack_count);
		else if (ev->kind == SF_TRACE_TIMER)
			printf("%10.3f h%d s%d timer %s\n", ev->now_ns / 1e6, hc->host, ev->sock, sf_timer_name(ev->timer));
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

int sc_add_host(struct scenario *sc, const char *name, void (*adjust)(struct sf_config *cfg))
{
	assert_true(sc->nhosts < SC_MAX_HOSTS);
	int i = sc->nhosts;
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int k = 0; k < 16; k++)
		cfg.secret[k] = (uint8_t)(k * 17 + i * 101 + 3);
	sc->hctx[i].sc = sc;
	sc->hctx[i].host = i;
	cfg.trace = sc_trace;
	cfg.trace_ctx = &sc->hctx[i];
	if (adjust)
		adjust(&cfg);
	struct sf_addr a = sc_addr(i);
	sc->hosts[i] = sf_simhost_new(sc->sim, name, &a, 1500, &cfg);
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

bool sc_saw(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to)
{
	for (size_t i = 0; i < sc->nstates; i++)
		if (sc->states[i].host == host && sc->states[i].from == from && sc->states[i].to == to)
			return true;
	return false;
}

uint64_t sc_counter(struct scenario *sc, int host, enum sf_counter_id id)
{
	sf_stack *st = sc_stack(sc, host);
	return st ? sf_counter_value(sf_stack_counters(st), id) : 0;
}
