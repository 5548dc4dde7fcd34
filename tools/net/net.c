/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared parts of `synfin serve` and `synfin connect`: flags, the trace hook,
 * the connection table (printed like `ss -tan`) and signals.
 */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t net_sig_usr1;
volatile sig_atomic_t net_sig_stop;

static uint64_t start_ns;

struct table_entry {
	struct sf_endpoint local, remote;
	enum sf_tcp_state state;
};

static struct table_entry *table;
static size_t table_len, table_cap;
static int trace_on;

static int ep_eq(const struct sf_endpoint *a, const struct sf_endpoint *b)
{
	return a->port == b->port && a->addr.family == b->addr.family &&
	       memcmp(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes) == 0;
}

static void ep_format(const struct sf_endpoint *ep, char *buf, size_t cap)
{
	char a[64];
	if (ep->addr.family == SF_AF_NONE) {
		snprintf(buf, cap, "*:%s", ep->port ? "" : "*");
		if (ep->port)
			snprintf(buf, cap, "*:%u", (unsigned)ep->port);
		return;
	}
	if (sf_addr_format(&ep->addr, a, sizeof a) < 0)
		snprintf(a, sizeof a, "?");
	if (ep->addr.family == SF_AF_INET6)
		snprintf(buf, cap, "[%s]:%u", a, (unsigned)ep->port);
	else
		snprintf(buf, cap, "%s:%u", a, (unsigned)ep->port);
}

static void table_update(const struct sf_trace_event *ev)
{
	size_t i;
	for (i = 0; i < table_len; i++)
		if (ep_eq(&table[i].local, &ev->local) && ep_eq(&table[i].remote, &ev->remote))
			break;
	int gone = ev->new_state == SF_CLOSED || (ev->new_state == SF_LISTEN && ev->remote.addr.family != SF_AF_NONE);
	if (gone) {
		if (i < table_len)
			table[i] = table[--table_len];
		return;
	}
	if (i == table_len) {
		if (table_len == table_cap) {
			size_t cap = table_cap ? table_cap * 2 : 64;
			struct table_entry *n = realloc(table, cap * sizeof *n);
			if (!n)
				return;
			table = n;
			table_cap = cap;
		}
		table[table_len++] = (struct table_entry){ ev->local, ev->remote, ev->new_state };
		return;
	}
	table[i].state = ev->new_state;
}

void net_table_print(void)
{
	fprintf(stderr, "%-13s %-24s %-24s\n", "State", "Local Address:Port", "Peer Address:Port");
	for (size_t i = 0; i < table_len; i++) {
		char l[80], r[80];
		ep_format(&table[i].local, l, sizeof l);
		ep_format(&table[i].remote, r, sizeof r);
		fprintf(stderr, "%-13s %-24s %-24s\n", sf_state_name(table[i].state), l, r);
	}
	fflush(stderr);
}

double net_elapsed(uint64_t now_ns)
{
	return (double)(now_ns - start_ns) / 1e9;
}

static void trace_hook(void *ctx, const struct sf_trace_event *ev)
{
	(void)ctx;
	char l[80], r[80];
	if (ev->kind == SF_TRACE_STATE) {
		table_update(ev);
		if (!trace_on)
			return;
		ep_format(&ev->local, l, sizeof l);
		ep_format(&ev->remote, r, sizeof r);
		fprintf(stderr, "synfin: %9.6f state %s %s %s -> %s (%s)\n", net_elapsed(ev->now_ns), l, r,
			sf_state_name(ev->old_state), sf_state_name(ev->new_state), sf_cause_text(ev->cause));
	} else if (ev->kind == SF_TRACE_DROP && trace_on && ev->seg) {
		ep_format(&ev->local, l, sizeof l);
		ep_format(&ev->remote, r, sizeof r);
		fprintf(stderr, "synfin: %9.6f drop %s %s %s (%s)\n", net_elapsed(ev->now_ns), l, r,
			sf_drop_reason_name(ev->drop), sf_drop_reason_text(ev->drop));
	} else if (ev->kind == SF_TRACE_NEGATIVE_ADVICE && trace_on) {
		/* RFC 9293 §3.8.3 (b): a TUN device has one route; say so, for the operator. */
		ep_format(&ev->local, l, sizeof l);
		ep_format(&ev->remote, r, sizeof r);
		fprintf(stderr, "synfin: %9.6f negative advice %s %s (R1 passed: the path may be dead)\n",
			net_elapsed(ev->now_ns), l, r);
	} else if (ev->kind == SF_TRACE_PATH_MTU && trace_on) {
		ep_format(&ev->local, l, sizeof l);
		ep_format(&ev->remote, r, sizeof r);
		fprintf(stderr, "synfin: %9.6f path mtu %s %s %u (%s)\n", net_elapsed(ev->now_ns), l, r, ev->mtu,
			sf_cause_text(ev->cause));
	}
}

static int parse_int(const char *flag, const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || *end || end == v || n < lo || n > hi) {
		fprintf(stderr, "synfin: %s wants a number in %ld..%ld\n", flag, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

int net_parse(int argc, char **argv, struct net_opts *o, const char *usage)
{
	memset(o, 0, sizeof *o);
	o->rfc1337 = -1;
	o->backlog = 128;
	o->tos = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (strcmp(a, "--hold-syn") == 0) {
			o->hold_syn = 1;
		} else if (strcmp(a, "--tun") == 0 && v) {
			o->tun = v, i++;
		} else if (strcmp(a, "--addr") == 0 && v) {
			o->addr_text = v, i++;
		} else if (strcmp(a, "--pcap") == 0 && v) {
			o->pcap = v, i++;
		} else if (strcmp(a, "--port") == 0 || strcmp(a, "--lport") == 0) {
			if (parse_int(a, v, 0, 65535, &n) < 0)
				return 2;
			o->port = (int)n, i++;
		} else if (strcmp(a, "--mtu") == 0) {
			if (parse_int(a, v, 576, 65535, &n) < 0)
				return 2;
			o->mtu = (uint32_t)n, i++;
		} else if (strcmp(a, "--msl") == 0) {
			if (parse_int(a, v, 1, 3600000, &n) < 0)
				return 2;
			o->msl_ms = (uint32_t)n, i++;
		} else if (strcmp(a, "--backlog") == 0) {
			if (parse_int(a, v, 1, 65535, &n) < 0)
				return 2;
			o->backlog = (int)n, i++;
		} else if (strcmp(a, "--accept-delay") == 0) {
			if (parse_int(a, v, 0, 600000, &n) < 0)
				return 2;
			o->accept_delay_ms = (int)n, i++;
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_int(a, v, 0, 86400, &n) < 0)
				return 2;
			o->timeout_s = (int)n, i++;
		} else if (strcmp(a, "--rfc1337=off") == 0) {
			o->rfc1337 = 0;
		} else if (strcmp(a, "--rfc1337=on") == 0) {
			o->rfc1337 = 1;
		} else if (strcmp(a, "--strict-time-wait") == 0) {
			o->strict_time_wait = 1;
		} else if (strcmp(a, "--ttl") == 0) {
			if (parse_int(a, v, 1, 255, &n) < 0)
				return 2;
			o->ttl = (int)n, i++;
		} else if (strcmp(a, "--tos") == 0) {
			if (parse_int(a, v, 0, 255, &n) < 0)
				return 2;
			o->tos = (int)n, i++;
		} else if (strcmp(a, "--drop-every") == 0) {
			if (parse_int(a, v, 2, 1000000, &n) < 0)
				return 2;
			o->drop_every = (int)n, i++;
		} else if (strcmp(a, "--urgent") == 0) {
			o->urgent = 1;
		} else if (strcmp(a, "--ecn") == 0) {
			o->ecn = 1;
		} else if (strcmp(a, "--trace") == 0) {
			o->trace = 1;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "synfin: unknown option or missing value: %s\n%s", a, usage);
			return 2;
		} else if (o->npos < (int)(sizeof o->pos / sizeof o->pos[0])) {
			o->pos[o->npos++] = a;
		} else {
			fprintf(stderr, "synfin: too many arguments\n%s", usage);
			return 2;
		}
	}
	if (!o->tun || !o->addr_text) {
		fprintf(stderr, "synfin: --tun and --addr are required\n%s", usage);
		return 2;
	}
	if (sf_addr_parse(o->addr_text, &o->addr) < 0) {
		fprintf(stderr, "synfin: --addr %s is not an address\n", o->addr_text);
		return 2;
	}
	return 0;
}

struct sf_tun *net_open(const struct net_opts *o)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	if (o->msl_ms)
		cfg.msl_ms = o->msl_ms;
	if (o->rfc1337 >= 0)
		cfg.rfc1337 = (uint8_t)o->rfc1337;
	cfg.strict_time_wait = (uint8_t)o->strict_time_wait;
	if (o->ecn)
		cfg.ecn = 1;
	cfg.trace = trace_hook;
	trace_on = o->trace;
	start_ns = sf_tun_now_ns();
	char err[256];
	struct sf_tun *t = sf_tun_open(o->tun, &cfg, &o->addr, o->mtu, o->pcap, err, sizeof err);
	if (!t)
		fprintf(stderr, "synfin: %s\n", err);
	else if (o->hold_syn)
		sf_tun_hold_first_syn(t);
	if (t && o->drop_every)
		sf_tun_drop_every(t, (unsigned)o->drop_every);
	if (t && o->trace)
		fprintf(stderr, "synfin: on %s as %s, MTU %u\n", sf_tun_name(t), o->addr_text, (unsigned)sf_tun_mtu(t));
	return t;
}

int net_apply_socket_opts(const struct net_opts *o, sf_stack *st, int sock)
{
	int rc = o->ttl ? sf_set_ttl(st, sock, o->ttl) : 0;
	if (rc == 0 && o->tos >= 0)
		rc = sf_set_tclass(st, sock, o->tos);
	return rc;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		net_sig_usr1 = 1;
	else
		net_sig_stop = 1;
}

void net_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR and the loop looks at the flags */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int net_signals_poll(void)
{
	if (net_sig_usr1) {
		net_sig_usr1 = 0;
		net_table_print();
	}
	return net_sig_stop != 0;
}

int net_timed_out(const struct net_opts *o, uint64_t now_ns)
{
	return o->timeout_s > 0 && now_ns - start_ns >= (uint64_t)o->timeout_s * 1000000000u;
}
