/* SPDX-License-Identifier: BSD-2-Clause */
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

#include "router.h"
#include "sim.h"
#include "simhost.h"
#include "synfin.h"
#include "wire/wire.h"

#define SC_MS 1000000ull
#define SC_MAX_HOSTS 8
#define SC_MAX_EVENTS 4096
#define SC_NEVER UINT64_MAX

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
/** Add host "name" at 192.0.2.(index+1) with this MTU and config (trace hook unset: the scenario's state recorder). */
int sc_add_host_cfg(struct scenario *sc, const char *name, uint32_t mtu, struct sf_config *cfg);
/** Free the hosts and the simulator. */
void sc_free(struct scenario *sc);

/** host's stack (NULL while it is crashed). */
sf_stack *sc_stack(struct scenario *sc, int host);
/** host's IPv4 address, 192.0.2.(host+1). */
struct sf_addr sc_addr(int host);
/** host's IPv4 address and port. */
struct sf_endpoint sc_ep(int host, uint16_t port);

/** host's IPv6 address, 2001:db8::(host+1), once sc_add_v6 has given it. */
struct sf_addr sc_addr6(int host);
/** host's IPv6 address and port. */
struct sf_endpoint sc_ep6(int host, uint16_t port);
/** Give host its IPv6 address too (MTU 1500). */
void sc_add_v6(struct scenario *sc, int host);
/** Set the directed link from -> to (its delay included: sc_new's is replaced). */
void sc_set_link(struct scenario *sc, int from, int to, const struct sf_sim_link *link);

/** Run the simulation until cond(ctx) is true or limit_ms of virtual time passes; returns cond's last value. */
bool sc_run_until(struct scenario *sc, bool (*cond)(struct scenario *sc, void *ctx), void *ctx, uint64_t limit_ms);
/** Run for ms of virtual time. */
void sc_run_for(struct scenario *sc, uint64_t ms);

/** Whether host saw a state change from -> to. */
bool sc_saw(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to);
/** How many state changes from -> to host saw. */
size_t sc_saw_count(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to);
/** When host first changed from -> to (virtual ns; SC_NEVER if it did not). */
uint64_t sc_saw_at(const struct scenario *sc, int host, enum sf_tcp_state from, enum sf_tcp_state to);
/** A counter of host's stack (0 while it is crashed). */
uint64_t sc_counter(struct scenario *sc, int host, enum sf_counter_id id);
/** How many datagrams host dropped for reason (counters->drops[]). */
uint64_t sc_drops(struct scenario *sc, int host, enum sf_drop_reason reason);

/* ---- the recorder: every datagram handed to the network, parsed ---- */

/** The control flags: what an exact flag check looks at (PSH, URG, ECE, CWR left out). */
#define SC_CTL (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST | SF_TCP_ACK)

struct sc_rec_seg {
	uint64_t t; /* when it was sent */
	int from, to;
	uint8_t family;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t sport, dport;
	size_t len;
	uint8_t has_mss, has_ts;
	uint16_t mss;
	uint32_t ts_val, ts_ecr;
};

struct sc_rec {
	struct scenario *sc;
	size_t n, max;
	uint64_t last_delivery[SC_MAX_HOSTS]; /* when a datagram last reached each host */
	struct sc_rec_seg seg[];
};

/** A recorder of the first max segments, installed as the sim observer (sc->segments_sent keeps counting); free() it. */
struct sc_rec *sc_rec_install(struct scenario *sc, size_t max);
/** The first segment at or after index i from host `from` whose flags, under mask, are `flags`; -1 if none. */
long sc_rec_find(const struct sc_rec *r, size_t i, int from, uint8_t mask, uint8_t flags);
/** How many segments at or after index i from host `from` have, under mask, these flags (mask 0: all of them). */
size_t sc_rec_count(const struct sc_rec *r, size_t i, int from, uint8_t mask, uint8_t flags);
/** The last segment host `from` sent to host `to`; fails the test if there is none. */
const struct sc_rec_seg *sc_rec_last(const struct sc_rec *r, int from, int to);

/* Payload-carrying segments from one host: the largest payload, whether that
 * one carried a timestamp, their number and the byte total. */
struct sc_payloads {
	size_t max, total, count;
	bool max_has_ts;
};
/** The payload-carrying segments from host `from` at or after index mark. */
struct sc_payloads sc_rec_payloads(const struct sc_rec *r, size_t mark, int from);

/* ---- the applications: user calls on a host's stack ---- */

/** host's stack brought up to the simulator's clock first: user calls act at the stack's own time. */
sf_stack *sc_app(struct scenario *sc, int host);
/** A listener on host: the wildcard address of family, port, backlog; TCP_MAXSEG maxseg if nonzero. */
int sc_listen(struct scenario *sc, int host, int family, uint16_t port, int backlog, int maxseg);
/** A socket on host (remote's family), SO_REUSEADDR if reuse, bound to lport if nonzero, connecting to remote. */
int sc_connect(struct scenario *sc, int host, uint16_t lport, bool reuse, struct sf_endpoint remote);
/** Run until the client csock is ESTABLISHED and listener lsock on shost accepted it; returns the accepted handle. */
int sc_establish(struct scenario *sc, int chost, int csock, int shost, int lsock, uint64_t limit_ms);
/** A listener on shost:port (IPv4, backlog 16) and a connection to it from chost (bound to lport if nonzero),
 * established within limit_ms: *lsock the listener, *csock the client's socket; returns the accepted handle. */
int sc_open_pair(struct scenario *sc, int chost, uint16_t lport, int shost, uint16_t port, uint64_t limit_ms, int *lsock,
		 int *csock);
/** send() on host's sock (at the simulator's time) takes all of buf at once. */
void sc_send_all(struct scenario *sc, int host, int sock, const void *buf, size_t len);
/** Run until host's sock has given exactly len bytes into buf (or fail the test). */
void sc_read_exactly(struct scenario *sc, int host, int sock, void *buf, size_t len, uint64_t limit_ms);
/** Run until recv on host's sock reports the end of the stream (0) with nothing before it. */
void sc_read_eof(struct scenario *sc, int host, int sock, uint64_t limit_ms);
/** The local port of host's sock (sf_getsockname). */
uint16_t sc_local_port(struct scenario *sc, int host, int sock);
/** A crafted segment (sf_wire_build) handed to the network as if host `from` sent it. */
void sc_inject(struct scenario *sc, int from, const struct sf_segment *seg);

/**
 * A forged (or any crafted) ICMP error: from `reporter`, of type and code
 * (IPv4's or ICMPv6's, by the victim's family), word the 4 bytes after the
 * checksum (an MTU), quoting a TCP segment the victim would have sent to
 * peer: ACK, sequence number seq.
 */
struct sc_icmp {
	struct sf_addr reporter;
	uint8_t type, code;
	uint32_t word;
	struct sf_endpoint victim, peer;
	uint32_t seq;
};
/** Build m and hand it to the network as if host `from` sent it (to m->victim's address). */
void sc_inject_icmp(struct scenario *sc, int from, const struct sc_icmp *m);

/** One socket and the state it must reach; a list for sc_reached ends with host -1. */
struct sc_want {
	int host, sock, state;
};

/** sc_run_until condition: every socket of the sc_want list ctx is in its state. */
bool sc_reached(struct scenario *sc, void *ctx);

/** n bytes of a pattern into buf; salt makes different streams differ. */
void sc_fill(uint8_t *buf, size_t n, unsigned salt);
/** h0 sends n0 bytes (sock s0) to h1 while h1 sends n1 bytes (sock s1) to h0, both at once; both streams must arrive byte-exact within 30 s. */
void sc_exchange(struct scenario *sc, int h0, int s0, size_t n0, int h1, int s1, size_t n1);
/** The events queued on st for sock, or-ed together (those of other sockets are taken and dropped). */
uint32_t sc_events_for(sf_stack *st, int sock);

#endif
