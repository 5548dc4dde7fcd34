/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim_loss: an application tested on a bad network, deterministically.
 * Two stacks on the simulated network (<synfin/sim.h>, <synfin/simhost.h>)
 * joined by a link that loses 7% of the datagrams each way, reorders 5% and
 * queues behind 20 Mbit/s; the client sends 1 MiB and closes, the server
 * checks every byte as it arrives and closes when it reads the client's
 * FIN. Everything random comes from the seed: the same seed replays the
 * same run, datagram for datagram.
 *
 *     sim_loss [SEED]
 *
 * Exits 0 if all of the 1 MiB arrived intact and in order, then the end of
 * the stream; prints what the link did and how TCP repaired it (RFC 6298
 * timeouts, RFC 5681 fast retransmits, RFC 6675 SACK recoveries).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <synfin.h>
#include <synfin/events.h>
#include <synfin/sim.h>
#include <synfin/simhost.h>

#define TOTAL (1u << 20)
#define PORT 9
#define TICK_NS 1000000u               /* the applications run every millisecond of virtual time */
#define LIMIT_NS (600ull * 1000000000u) /* give up after 10 virtual minutes */

/* The byte at offset i of the stream: a hash of i, so that a byte lost,
 * duplicated or out of place shows (a repeating pattern could hide one). */
static uint8_t pattern(uint64_t i)
{
	i = (i ^ (i >> 31)) * 0x7fb5d329728ea185u;
	return (uint8_t)(i >> 56);
}

struct server {
	uint64_t received; /* bytes checked so far */
	int intact, eof;   /* every byte as expected; the client's FIN read */
};

static void server_readable(void *ctx, struct sf_events *ev, int sock)
{
	struct server *s = ctx;
	uint8_t buf[8192];
	long n;
	while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0)
		for (long i = 0; i < n; i++)
			if (buf[i] != pattern(s->received++))
				s->intact = 0;
	if (n == 0) {
		s->eof = 1;
		sf_events_close(ev, sock);
	}
}

static struct sf_simhost *add_host(struct sf_sim *sim, const char *name, struct sf_addr addr)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	/* The secret from the seed too, so that ISNs and ports replay; on a
	 * real network it must be 16 random bytes (RFC 9293 MUST-9). */
	for (size_t i = 0; i < sizeof cfg.secret; i++)
		cfg.secret[i] = (uint8_t)sf_sim_random(sim);
	cfg.secret[0] |= 1; /* never all zero, which sf_stack_new refuses */
	return sf_simhost_new(sim, name, &addr, 1500, &cfg);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	struct sf_sim *sim = sf_sim_new(seed);
	struct sf_addr caddr = sf_addr_v4(192, 0, 2, 1), saddr = sf_addr_v4(192, 0, 2, 2);
	struct sf_simhost *ch = add_host(sim, "client", caddr), *sh = add_host(sim, "server", saddr);
	if (!ch || !sh) {
		fprintf(stderr, "sim_loss: cannot create the hosts\n");
		return 1;
	}
	struct sf_sim_link link = {
		.delay_ns = 10000000,        /* 10 ms each way */
		.jitter_ns = 1000000,
		.loss = 0.07,
		.reorder = 0.05,
		.reorder_delay_ns = 4000000, /* held back 4 ms: arrives after later datagrams */
		.bandwidth_bps = 20000000,
		.queue_limit_bytes = 128 * 1024,
	};
	sf_sim_set_all_links(sim, &link);

	struct server srv = { .intact = 1 };
	struct sf_events_handlers sh_handlers = { .readable = server_readable };
	struct sf_events_handlers no_handlers = { 0 };
	struct sf_events *sev = sf_events_new(sf_simhost_stack(sh), &sh_handlers, &srv);
	struct sf_events *cev = sf_events_new(sf_simhost_stack(ch), &no_handlers, NULL);
	sf_stack *cst = sf_simhost_stack(ch);
	int cs = sf_socket(cst, SF_AF_INET);
	struct sf_endpoint remote = { .addr = saddr, .port = PORT };
	if (!sev || !cev || sf_events_listen(sev, SF_AF_INET, PORT, 8) < 0 || sf_connect(cst, cs, &remote) != -EINPROGRESS) {
		fprintf(stderr, "sim_loss: listen or connect failed\n");
		return 1;
	}
	/* The whole megabyte at once: the events' write buffer holds what the
	 * stack cannot take yet (the handshake is not even done), and the FIN
	 * follows its last byte. */
	static uint8_t data[TOTAL];
	for (uint64_t i = 0; i < TOTAL; i++)
		data[i] = pattern(i);
	if (sf_events_write(cev, cs, data, TOTAL) != TOTAL || sf_events_close(cev, cs) < 0) {
		fprintf(stderr, "sim_loss: sf_events_write failed\n");
		return 1;
	}

	/* Run the network a tick at a time, and the applications after each. */
	uint64_t t = 0, done_ns = 0;
	while (!srv.eof && t < LIMIT_NS) {
		t += TICK_NS;
		sf_sim_run_until(sim, t);
		sf_events_dispatch(cev);
		sf_events_dispatch(sev);
		done_ns = t;
	}
	sf_sim_run(sim, t + LIMIT_NS); /* the closes finish, TIME-WAIT runs out */

	const struct sf_sim_stats *ls = sf_sim_get_stats(sim);
	const struct sf_counters *cc = sf_stack_counters(sf_simhost_stack(ch));
	const struct sf_counters *sc = sf_stack_counters(sf_simhost_stack(sh));
	int ok = srv.intact && srv.eof && srv.received == TOTAL && cc->CurrEstab == 0 && sc->CurrEstab == 0;
	printf("seed %" PRIu64 ": %" PRIu64 " of %u bytes %s in %.3f s of virtual time\n", seed, srv.received, TOTAL,
	       ok ? "arrived intact" : "FAILED", (double)done_ns / 1e9);
	printf("link:   %" PRIu64 " datagrams sent, %" PRIu64 " lost, %" PRIu64 " queue drops, %" PRIu64 " reordered\n",
	       ls->sent, ls->lost, ls->queue_drops, ls->reordered);
	printf("client: %" PRIu64 " segments out, %" PRIu64 " retransmitted (%" PRIu64 " fast, %" PRIu64
	       " timeouts), %" PRIu64 " SACK and %" PRIu64 " NewReno recoveries\n",
	       cc->OutSegs, cc->RetransSegs, cc->TCPFastRetrans, cc->TCPTimeouts, cc->TCPSackRecovery, cc->TCPRenoRecovery);
	printf("server: %" PRIu64 " segments held out of order, %" PRIu64 " retransmitted\n", sc->TCPOFOQueue,
	       sc->RetransSegs);
	sf_events_free(cev);
	sf_events_free(sev);
	sf_simhost_free(ch);
	sf_simhost_free(sh);
	sf_sim_free(sim);
	return ok ? 0 : 1;
}
