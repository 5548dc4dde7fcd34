/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `synfin serve` and `synfin connect`: a synfin stack on a TUN device
 * (drivers/tun.h) against real peers, normally the host kernel's TCP inside a
 * network namespace (docs/INTEROP.md).
 */
#ifndef SYNFIN_TOOLS_NET_H
#define SYNFIN_TOOLS_NET_H

#include <signal.h>
#include <stdint.h>

#include "synfin.h"
#include "tun.h"

struct net_opts {
	const char *tun;
	const char *addr_text;
	struct sf_addr addr;
	const char *pcap;
	uint32_t mtu;         /* 0: the device's */
	uint32_t msl_ms;      /* 0: the stack's default */
	int backlog;          /* serve */
	int accept_delay_ms;  /* serve: accept at most one connection per this many ms */
	int port;             /* serve: the listening port; connect: the local port (0 ephemeral) */
	int rfc1337;          /* -1 default, 0 off, 1 on */
	int strict_time_wait;
	int trace;
	const char *trace_json; /* every trace event as a JSON line (docs/TRACE.md) to this file */
	int hold_syn;         /* connect: hold our SYN until the peer's arrives (simultaneous open) */
	int timeout_s;        /* 0: none */
	int ttl;              /* 0: the stack's default (64) */
	int urgent;           /* connect: send stdin as urgent data (MSG_OOB) */
	int drop_every;       /* drop every nth data segment received (a lossy path), 0: none */
	int tos;              /* -1: none (0) */
	int ecn;              /* --ecn: ask for ECN on active opens (cfg.ecn 1); else the default, 2 */
	int syncookies;       /* serve: --syncookies 0|1|2 (cfg.syncookies), -1 the default */
	int idle_timeout_s;   /* serve http: an idle persistent connection is closed after this (60) */
	int service;          /* serve: the index in echo, discard, chargen, http */
	struct sf_endpoint remote; /* connect: HOST PORT */
};

enum net_cmd { NET_SERVE, NET_CONNECT };

/* Parse the arguments of serve or connect (usage: the --help text), all of
 * them checked before anything is opened; 0, or 2 after printing a message
 * on a usage error. */
int net_parse(int argc, char **argv, struct net_opts *o, enum net_cmd cmd, const char *usage);

/* Build the config (trace hook into the connection table), open the device. NULL on error (printed). */
struct sf_tun *net_open(const struct net_opts *o);

/* Apply --ttl and --tos to a socket (a listener's connections inherit them); 0 or -errno. */
int net_apply_socket_opts(const struct net_opts *o, sf_stack *st, int sock);

/* The connection table (like ss -tanoi) and the counters (like nstat) on stderr. */
void net_report(sf_stack *st);
/* Close the device and the JSON trace. t may be NULL. */
void net_close(struct sf_tun *t);

/* Signal flags: SIGUSR1 (print the report), SIGINT/SIGTERM (stop). */
extern volatile sig_atomic_t net_sig_usr1;
extern volatile sig_atomic_t net_sig_stop;
void net_signals_install(void);
/* Handle the signal flags: prints the report on SIGUSR1; 1 if the tool should stop. */
int net_signals_poll(sf_stack *st);
/* Seconds since start, for messages. */
double net_elapsed(uint64_t now_ns);
/* 1 once the --timeout has passed. */
int net_timed_out(const struct net_opts *o, uint64_t now_ns);

int net_serve_main(int argc, char **argv);
int net_connect_main(int argc, char **argv);

#endif
