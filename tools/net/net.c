/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared parts of `synfin serve` and `synfin connect`: flags, the trace hook,
 * the reports (the connection table like `ss -tanoi`, the counters like
 * `nstat`; drivers/report.h) and signals.
 */
#define _POSIX_C_SOURCE 200809L
#include "net.h"

#include <net/if.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "report.h"

volatile sig_atomic_t net_sig_usr1;
volatile sig_atomic_t net_sig_stop;

static uint64_t start_ns;

static int trace_on;
static FILE *trace_json;

void net_report(sf_stack *st)
{
	sf_report_conns(stderr, st);
	sf_report_counters(stderr, st, net_elapsed(sf_now(st)));
}

double net_elapsed(uint64_t now_ns)
{
	return (double)(now_ns - start_ns) / 1e9;
}

static void trace_hook(void *ctx, const struct sf_trace_event *ev)
{
	(void)ctx;
	if (trace_json)
		sf_report_trace_json(trace_json, ev);
	/* The text trace prints state changes, drops of parsed segments,
	 * negative advice and path MTU changes; segments and timers only go to
	 * the JSON trace. */
	if (!trace_on || ev->kind == SF_TRACE_SEGMENT_IN || ev->kind == SF_TRACE_SEGMENT_OUT ||
	    ev->kind == SF_TRACE_TIMER || (ev->kind == SF_TRACE_DROP && !ev->seg))
		return;
	char l[80], r[80];
	double t = net_elapsed(ev->now_ns);
	sf_report_endpoint_text(&ev->local, l, sizeof l);
	sf_report_endpoint_text(&ev->remote, r, sizeof r);
	switch (ev->kind) {
	case SF_TRACE_STATE:
		fprintf(stderr, "synfin: %9.6f state %s %s %s -> %s (%s)\n", t, l, r, sf_state_name(ev->old_state),
			sf_state_name(ev->new_state), sf_cause_text(ev->cause));
		break;
	case SF_TRACE_DROP:
		fprintf(stderr, "synfin: %9.6f drop %s %s %s (%s)\n", t, l, r, sf_drop_reason_name(ev->drop),
			sf_drop_reason_text(ev->drop));
		break;
	case SF_TRACE_NEGATIVE_ADVICE:
		/* RFC 9293 §3.8.3 (b): a TUN device has one route; say so, for the operator. */
		fprintf(stderr, "synfin: %9.6f negative advice %s %s (R1 passed: the path may be dead)\n", t, l, r);
		break;
	case SF_TRACE_PATH_MTU:
		fprintf(stderr, "synfin: %9.6f path mtu %s %s %u (%s)\n", t, l, r, ev->mtu, sf_cause_text(ev->cause));
		break;
	default:
		break;
	}
}

enum {
	O_TUN = CLI_LONG,
	O_ADDR,
	O_PCAP,
	O_PORT,
	O_LPORT,
	O_MTU,
	O_MSL,
	O_BACKLOG,
	O_ACCEPT_DELAY,
	O_TIMEOUT,
	O_RFC1337,
	O_STRICT_TIME_WAIT,
	O_TTL,
	O_TOS,
	O_DROP_EVERY,
	O_HOLD_SYN,
	O_URGENT,
	O_ECN,
	O_TRACE,
	O_TRACE_JSON,
	O_SYNCOOKIES,
	O_IDLE_TIMEOUT,
};

#define SERVE (1u << NET_SERVE)
#define CONNECT (1u << NET_CONNECT)

/* Every option of serve and connect, and which of them takes it. */
static const struct {
	struct option o;
	unsigned cmds;
} net_options[] = {
	{ { "help", no_argument, NULL, 'h' }, SERVE | CONNECT },
	{ { "tun", required_argument, NULL, O_TUN }, SERVE | CONNECT },
	{ { "addr", required_argument, NULL, O_ADDR }, SERVE | CONNECT },
	{ { "pcap", required_argument, NULL, O_PCAP }, SERVE | CONNECT },
	{ { "port", required_argument, NULL, O_PORT }, SERVE | CONNECT }, /* connect: --lport */
	{ { "lport", required_argument, NULL, O_LPORT }, SERVE | CONNECT }, /* serve: --port */
	{ { "mtu", required_argument, NULL, O_MTU }, SERVE | CONNECT },
	{ { "msl", required_argument, NULL, O_MSL }, SERVE | CONNECT },
	{ { "backlog", required_argument, NULL, O_BACKLOG }, SERVE },
	{ { "accept-delay", required_argument, NULL, O_ACCEPT_DELAY }, SERVE },
	{ { "timeout", required_argument, NULL, O_TIMEOUT }, SERVE | CONNECT },
	{ { "rfc1337", required_argument, NULL, O_RFC1337 }, SERVE | CONNECT },
	{ { "strict-time-wait", no_argument, NULL, O_STRICT_TIME_WAIT }, SERVE | CONNECT },
	{ { "ttl", required_argument, NULL, O_TTL }, SERVE | CONNECT },
	{ { "tos", required_argument, NULL, O_TOS }, SERVE | CONNECT },
	{ { "drop-every", required_argument, NULL, O_DROP_EVERY }, SERVE | CONNECT },
	{ { "hold-syn", no_argument, NULL, O_HOLD_SYN }, CONNECT },
	{ { "urgent", no_argument, NULL, O_URGENT }, CONNECT },
	{ { "ecn", no_argument, NULL, O_ECN }, SERVE | CONNECT },
	{ { "trace", no_argument, NULL, O_TRACE }, SERVE | CONNECT },
	{ { "trace-json", required_argument, NULL, O_TRACE_JSON }, SERVE | CONNECT },
	{ { "syncookies", required_argument, NULL, O_SYNCOOKIES }, SERVE },
	{ { "idle-timeout", required_argument, NULL, O_IDLE_TIMEOUT }, SERVE },
};
#define N_NET_OPTIONS (sizeof net_options / sizeof net_options[0])

/* The option at hand (p->opt, p->value) into o: 0, or 2 after the message. */
static int net_option(const struct cli *p, int val, enum net_cmd cmd, struct net_opts *o)
{
	static const char *const onoff[] = { "off", "on", "0", "1", NULL };
	int k, rc = 0;
	switch (val) {
	case O_TUN:
		o->tun = p->value;
		if (strlen(o->tun) >= IF_NAMESIZE)
			rc = cli_bad(p, "a TUN device name has at most %d characters", IF_NAMESIZE - 1);
		break;
	case O_ADDR:
		o->addr_text = p->value;
		if (sf_addr_parse(o->addr_text, &o->addr) < 0)
			rc = cli_bad(p, "not an IPv4 or IPv6 address");
		break;
	case O_PCAP: o->pcap = p->value; break;
	case O_PORT:
	case O_LPORT: /* serve: the port to listen on; connect: the local port, 0 ephemeral */
		rc = cli_int(p, cmd == NET_SERVE ? 1 : 0, 65535, &o->port);
		break;
	case O_MTU:
		if (!(rc = cli_int(p, 576, 65535, &k)))
			o->mtu = (uint32_t)k;
		break;
	case O_MSL:
		if (!(rc = cli_int(p, 1, 3600000, &k)))
			o->msl_ms = (uint32_t)k;
		break;
	case O_BACKLOG: rc = cli_int(p, 1, 65535, &o->backlog); break;
	case O_ACCEPT_DELAY: rc = cli_int(p, 0, 600000, &o->accept_delay_ms); break;
	case O_TIMEOUT: rc = cli_int(p, 0, 86400, &o->timeout_s); break;
	case O_RFC1337:
		if (!(rc = cli_choice(p, onoff, &k)))
			o->rfc1337 = k & 1;
		break;
	case O_STRICT_TIME_WAIT: o->strict_time_wait = 1; break;
	case O_TTL: rc = cli_int(p, 1, 255, &o->ttl); break;
	case O_TOS: rc = cli_int(p, 0, 255, &o->tos); break;
	case O_DROP_EVERY: rc = cli_int(p, 2, 1000000, &o->drop_every); break;
	case O_HOLD_SYN: o->hold_syn = 1; break;
	case O_URGENT: o->urgent = 1; break;
	case O_ECN: o->ecn = 1; break;
	case O_TRACE: o->trace = 1; break;
	case O_TRACE_JSON: o->trace_json = p->value; break;
	case O_SYNCOOKIES: rc = cli_int(p, 0, 2, &o->syncookies); break;
	case O_IDLE_TIMEOUT: rc = cli_int(p, 1, 86400, &o->idle_timeout_s); break;
	}
	return rc;
}

static const char *const services[] = { "echo", "discard", "chargen", "http", NULL };

/* The positional arguments: serve's service, connect's HOST PORT. */
static int net_positionals(struct cli *p, enum net_cmd cmd, struct net_opts *o, char **pos, int npos)
{
	if (cmd == NET_SERVE) {
		if (npos == 0)
			return cli_error(p, "no service given (echo, discard, chargen or http)");
		if (npos > 1)
			return cli_error(p, "unexpected argument '%s' after the service %s", pos[1], pos[0]);
		p->opt = "service", p->value = pos[0];
		return cli_choice(p, services, &o->service);
	}
	if (npos < 2)
		return cli_error(p, "need HOST PORT, the peer to connect to");
	if (npos > 2)
		return cli_error(p, "unexpected argument '%s' after HOST PORT", pos[2]);
	p->opt = "HOST", p->value = pos[0];
	if (sf_addr_parse(pos[0], &o->remote.addr) < 0)
		return cli_bad(p, "not an IPv4 or IPv6 address");
	p->opt = "PORT", p->value = pos[1];
	int port;
	int rc = cli_int(p, 1, 65535, &port);
	o->remote.port = (uint16_t)port;
	return rc;
}

int net_parse(int argc, char **argv, struct net_opts *o, enum net_cmd cmd, const char *usage)
{
	struct option options[N_NET_OPTIONS + 1];
	size_t n = 0;
	for (size_t i = 0; i < N_NET_OPTIONS; i++)
		if (net_options[i].cmds & (1u << cmd))
			options[n++] = net_options[i].o;
	options[n] = (struct option){ NULL, 0, NULL, 0 };

	memset(o, 0, sizeof *o);
	o->rfc1337 = -1;
	o->backlog = 128;
	o->tos = -1;
	o->syncookies = -1;
	o->idle_timeout_s = 60;

	struct cli p;
	char *pos[3];
	int npos = 0, val, rc;
	cli_init(&p, cmd == NET_SERVE ? "serve" : "connect", usage, NULL, options, argc, argv);
	while ((val = cli_next(&p)) != CLI_END) {
		if (val == CLI_ERROR)
			return 2;
		if (val == CLI_ARG) {
			if (npos < 3)
				pos[npos++] = (char *)p.value;
		} else if ((rc = net_option(&p, val, cmd, o))) {
			return rc;
		}
	}
	int nrest;
	char **rest = cli_rest(&p, &nrest);
	for (int i = 0; i < nrest && npos < 3; i++)
		pos[npos++] = rest[i];
	if (!o->tun)
		return cli_error(&p, "--tun NAME is required (the TUN device)");
	if (!o->addr_text)
		return cli_error(&p, "--addr A is required (the stack's own address)");
	if (cmd == NET_SERVE && !o->port)
		return cli_error(&p, "--port P is required (the port to listen on)");
	if ((rc = net_positionals(&p, cmd, o, pos, npos)))
		return rc;
	if (cmd == NET_CONNECT && o->remote.addr.family != o->addr.family) {
		p.opt = "HOST", p.value = pos[0];
		return cli_bad(&p, "not of the family of --addr %s", o->addr_text);
	}
	if (o->pcap) {
		p.opt = "--pcap", p.value = o->pcap;
		if ((rc = cli_check_output(&p, o->pcap)))
			return rc;
	}
	if (o->trace_json) {
		p.opt = "--trace-json", p.value = o->trace_json;
		if ((rc = cli_check_output(&p, o->trace_json)))
			return rc;
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
	if (o->syncookies >= 0)
		cfg.syncookies = (uint8_t)o->syncookies;
	cfg.trace = trace_hook;
	trace_on = o->trace;
	if (o->trace_json && !(trace_json = fopen(o->trace_json, "w"))) {
		fprintf(stderr, "synfin: cannot write %s: %s\n", o->trace_json, strerror(errno));
		return NULL;
	}
	start_ns = sf_tun_now_ns();
	char err[256];
	struct sf_tun *t = sf_tun_open(o->tun, &cfg, &o->addr, o->mtu, o->pcap, err, sizeof err);
	if (!t) {
		fprintf(stderr, "synfin: %s\n", err);
		net_close(NULL);
	}
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

void net_close(struct sf_tun *t)
{
	sf_tun_close(t);
	if (trace_json && fclose(trace_json) != 0)
		fprintf(stderr, "synfin: writing the JSON trace: %s\n", strerror(errno));
	trace_json = NULL;
}

int net_signals_poll(sf_stack *st)
{
	if (net_sig_usr1) {
		net_sig_usr1 = 0;
		net_report(st);
	}
	return net_sig_stop != 0;
}

int net_timed_out(const struct net_opts *o, uint64_t now_ns)
{
	return o->timeout_s > 0 && now_ns - start_ns >= (uint64_t)o->timeout_s * 1000000000u;
}
