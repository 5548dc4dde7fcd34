/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin connect --tun NAME --addr A [flags] HOST PORT
 *
 * An active open from a synfin stack over a TUN device. Sends stdin; at its
 * end half-closes (SHUT_WR) and keeps printing what comes back until the
 * peer's FIN; then closes and stays until the stack is idle (TIME-WAIT, if
 * this side closed first, lasts 2*MSL: see --msl), so that the close can be
 * watched with --trace or SIGUSR1. Exit status 0, or 1 with the error
 * (e.g. "connect: Connection refused (-ECONNREFUSED)").
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

static const char usage_text[] =
	"usage: synfin connect --tun NAME --addr A [options] HOST PORT\n"
	"  --tun NAME         the TUN device to attach to (docs/INTEROP.md)\n"
	"  --addr A           the stack's own IPv4 or IPv6 address on it\n"
	"  HOST PORT          the peer, an address of --addr's family and a port\n"
	"  -h, --help         this text\n"
	"  --lport P          local port (default: ephemeral; --port is the same)\n"
	"  --hold-syn         hold our SYN until the peer's SYN arrives, so they cross\n"
	"                     (a simultaneous open: both connect() to each other)\n"
	"  --mtu N            MTU for the stack's address (default: the device's)\n"
	"  --msl MS           Maximum Segment Lifetime (TIME-WAIT lasts 2*MSL)\n"
	"  --rfc1337=on|off   off: let a RST end TIME-WAIT (RFC 1337; default on)\n"
	"  --strict-time-wait no SYN reopens a 4-tuple in TIME-WAIT\n"
	"  --pcap FILE        record every datagram in and out\n"
	"  --urgent           send stdin as urgent data (MSG_OOB: each read's last byte the mark)\n"
	"  --drop-every N     drop every Nth data segment received (a lossy path, for tests)\n"
	"  --ttl N            TTL / hop limit of the segments sent (IP_TTL; default 64)\n"
	"  --tos N            TOS / traffic class byte, ECN bits left to the stack (IP_TOS)\n"
	"  --ecn              ask for ECN (RFC 3168) in the SYN, as net.ipv4.tcp_ecn=1\n"
	"                     (without it, as tcp_ecn=2: never asked for)\n"
	"  --trace            state changes (and drops) on stderr as they happen\n"
	"  --trace-json FILE  every trace event as a line of JSON (docs/TRACE.md)\n"
	"  --timeout SEC      give up after SEC seconds (exit 1)\n"
	"Every option with a value takes it as --opt VALUE or --opt=VALUE.\n"
	"SIGUSR1 prints the connection table (as ss -tanoi) and the counters (as nstat)\n"
	"on stderr; so does exit.\n";

struct client {
	struct net_opts o;
	int sock;
	int connected;
	uint8_t buf[65536];
	size_t len, off;
	int in_eof, shut, peer_eof, closed;
	int status;
};

static const char *errno_name(int e)
{
	switch (e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EPIPE: return "EPIPE";
	default: return "?";
	}
}

static int fail(struct client *c, sf_stack *st, const char *what, long rc)
{
	int e = (int)-rc;
	fprintf(stderr, "synfin connect: %s: %s (-%s)\n", what, strerror(e), errno_name(e));
	if (!c->closed) {
		sf_close(st, c->sock);
		c->closed = 1;
	}
	c->status = 1;
	return 1;
}

static int client_app(void *ctx, struct sf_tun *t, uint64_t now, int *wake_ms)
{
	struct client *c = ctx;
	sf_stack *st = sf_tun_stack(t);
	if (net_signals_poll(st))
		return 1;
	if (net_timed_out(&c->o, now)) {
		fprintf(stderr, "synfin connect: timed out after %d s\n", c->o.timeout_s);
		c->status = 1;
		return 1;
	}
	if (c->o.timeout_s > 0)
		*wake_ms = 1000;
	struct sf_event ev[16];
	for (int guard = 0; guard < 1000 && sf_poll_events(st, ev, 16) == 16; guard++)
		;
	if (c->closed) /* stay until the stack has nothing left to do (TIME-WAIT over) */
		return sf_next_deadline(st) == UINT64_MAX ? 1 : 0;
	int err = sf_take_error(st, c->sock);
	if (err < 0)
		return fail(c, st, c->connected ? "connection" : "connect", err);
	int state = sf_state(st, c->sock);
	if (!c->connected) {
		if (state == SF_SYN_SENT || state == SF_SYN_RECEIVED)
			return 0;
		if (state == SF_CLOSED)
			return fail(c, st, "connect", -ECONNREFUSED);
		c->connected = 1;
		sf_tun_watch_fd(t, 0, POLLIN); /* only now: stdin at EOF would keep poll() awake */
	}
	for (int guard = 0; guard < 256; guard++) {
		int progress = 0;
		if (c->off < c->len) {
			long n = sf_send_flags(st, c->sock, c->buf + c->off, c->len - c->off, c->o.urgent ? SF_MSG_OOB : 0);
			if (n > 0)
				c->off += (size_t)n, progress = 1;
			else if (n < 0 && n != -EAGAIN)
				return fail(c, st, "send", n);
		}
		if (c->off == c->len && !c->in_eof) {
			c->off = c->len = 0;
			struct pollfd p = { .fd = 0, .events = POLLIN };
			if (poll(&p, 1, 0) > 0) {
				ssize_t n = read(0, c->buf, sizeof c->buf);
				if (n > 0)
					c->len = (size_t)n, progress = 1;
				else if (n == 0 || (errno != EINTR && errno != EAGAIN))
					c->in_eof = 1, progress = 1;
			}
		}
		if (c->in_eof && c->off == c->len && !c->shut) {
			sf_shutdown(st, c->sock, SF_SHUT_WR);
			sf_tun_unwatch_fd(t, 0);
			c->shut = 1;
		}
		if (!c->peer_eof) {
			uint8_t in[16384];
			long n = sf_recv(st, c->sock, in, sizeof in);
			if (n > 0) {
				fwrite(in, 1, (size_t)n, stdout);
				progress = 1;
			} else if (n == 0) {
				c->peer_eof = 1, progress = 1;
			} else if (n != -EAGAIN) {
				return fail(c, st, "recv", n);
			}
		}
		if (!progress)
			break;
	}
	fflush(stdout);
	if (c->shut && c->peer_eof && !c->closed) {
		sf_close(st, c->sock);
		c->closed = 1;
		return sf_next_deadline(st) == UINT64_MAX ? 1 : 0;
	}
	return 0;
}

int net_connect_main(int argc, char **argv)
{
	static struct client c;
	int rc = net_parse(argc, argv, &c.o, NET_CONNECT, usage_text);
	if (rc)
		return rc;
	struct sf_endpoint remote = c.o.remote;
	struct sf_tun *t = net_open(&c.o);
	if (!t)
		return 1;
	net_signals_install();
	sf_stack *st = sf_tun_stack(t);
	c.sock = sf_socket(st, c.o.addr.family);
	struct sf_endpoint local = { c.o.addr, (uint16_t)c.o.port };
	if (c.sock < 0 || (rc = net_apply_socket_opts(&c.o, st, c.sock)) < 0 || (rc = sf_bind(st, c.sock, &local)) < 0) {
		fprintf(stderr, "synfin connect: socket/bind: %s\n", strerror(c.sock < 0 ? -c.sock : -rc));
		net_close(t);
		return 1;
	}
	rc = sf_connect(st, c.sock, &remote);
	if (rc < 0 && rc != -EINPROGRESS) {
		fprintf(stderr, "synfin connect: connect: %s\n", strerror(-rc));
		net_close(t);
		return 1;
	}
	rc = sf_tun_run(t, client_app, &c);
	if (rc < 0) {
		fprintf(stderr, "synfin connect: device error: %s\n", strerror(-rc));
		c.status = 1;
	}
	net_report(sf_tun_stack(t));
	net_close(t);
	return c.status;
}
