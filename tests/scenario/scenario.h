/*
 * Scenario tests: two or more synfin stacks on the simulated network, on
 * virtual time. Applications are the test's own code, run between simulator
 * steps (sc_run_until with a condition, or sf_sim_at actions).
 */
#ifndef SYNFIN_TEST_SCENARIO_H
#define SYNFIN_TEST_SCENARIO_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim.h"
#include "simhost.h"
#include "synfin.h"

#define SC_MS 1000000ull
#define SC_MAX_HOSTS 8
#define SC_MAX_EVENTS 4096

struct sc_state_event {
	int host;
	int sock;
	enum sf_tcp_state from, to;
	uint64_t time_ns;
};

struct scenario {
	struct sf_sim *sim;
	struct sf_simhost *hosts[SC_MAX_HOSTS];
	int nhosts;
	struct sc_state_event states[SC_MAX_EVENTS];
	size_t nstates;
	uint64_t segments_sent; /* datagrams handed to the network */
	struct sc_host_ctx {
		struct scenario *sc;
		int host;
	} hctx[SC_MAX_HOSTS];
};

/** A simulator with seed and the given one-way delay on every link (ms). */
struct scenario *sc_new(uint64_t seed, uint64_t delay_ms);
/** Add host "name" with IPv4 address 192.0.2.(index+1) and MTU 1500; adjust may change its config. */
int sc_add_host(struct scenario *sc, const char *name, void (*adjust)(struct sf_config *cfg));
void sc_free(struct scenario *sc);

sf_stack *sc_stack(struct scenario *sc, int host);
struct sf_addr sc_addr(int host);
struct sf_endpoint sc_ep(int host, uint16_t port);

/** Run the simulation until cond(ctx) is true or limit_ms of virtual time passes; returns cond's last value. */
bool sc_run_until(struct scenario *sc, bool (*cond)(struct scenario *sc, void *ctx), void *ctx, uint64_t limit_ms);
/** Run for ms of virtual time. */
void sc_run_for(struct scenario *sc, uint64_t ms);

/** Whether host saw a state change from -> to. */
bool sc_saw(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to);
uint64_t sc_counter(struct scenario *sc, int host, enum sf_counter_id id);

#endif
