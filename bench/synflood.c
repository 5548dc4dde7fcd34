/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-synflood: a listener under a SYN flood (workload 4 of
 * bench/run-all.sh).
 *
 * One server stack (192.0.2.2) listens on port 80 with backlog 128. It
 * receives --syns SYNs from random spoofed IPv4 sources at a fixed virtual
 * rate (--rate, SYNs per virtual second; default runs 10k/s and 1M/s); their
 * SYN,ACKs go to a sink and are never answered, so each SYN that finds room
 * holds a SYN-RECEIVED record until synack_retries (5) retransmissions run
 * out: 1+2+4+8+16+32 = 63 s. Spread uniformly through the flood, --clients
 * legitimate clients on a second stack (192.0.2.1) connect, send 1 byte, read
 * a 1-byte reply and close. With SYN cookies (--syncookies 1, the default,
 * as Linux's tcp_syncookies) a SYN that finds the SYN queue full is answered
 * with a cookie and nothing is kept (RFC 4987 §3.6); with --syncookies 0 a
 * full SYN queue (sf_config.syn_backlog, per listener) drops SYNs, legitimate
 * ones too, and their senders can only retransmit (1, 3, 7, 15, 31, 63,
 * 127 s; ETIMEDOUT at 247 s, syn_retries 7); --syncookies 2 answers every
 * SYN with a cookie.
 *
 * Time: flood SYNs enter at their exact virtual times, with the server's
 * timers fired between them. Everything else moves in slices of SLICE_NS:
 * datagrams queued between the stacks during one slice are delivered at its
 * end (100 us one way), then timers, then the applications. Idle stretches
 * are skipped to the next event. Each rate runs in a child process of its
 * own, so its peak RSS (VmHWM) is its own.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "synfin.h"

#define QCAP (1u << 14)
#define SLOT 256
#define SLICE_NS 100000u
#define CLIENT_ADDR 0xc0000201u /* 192.0.2.1 */
#define SERVER_ADDR 0xc0000202u /* 192.0.2.2 */
#define PORT 80

struct fifo {
	uint8_t data[QCAP][SLOT];
	uint16_t len[QCAP];
	unsigned head, tail;
};

enum { C_WAITING, C_CONNECTING, C_CONNECTED, C_OK, C_FAILED };
struct client {
	uint64_t start_ns, done_ns;
	int state, err;
};

static struct opts {
	uint64_t syns, clients;
	double rates[8];
	int nrates;
	uint32_t syn_backlog; /* 0: the stack's default */
	double deadline_s;
	const char *csv;
	int recycle;          /* --syn-queue-recycle: sf_config.syn_queue_recycle = 1 */
	int syncookies;       /* --syncookies: sf_config.syncookies; -1 the stack's default */
} opt = { 1000000, 1000, { 0 }, 0, 0, 10, NULL, 0, -1 };

/* The SYN cookie mode the server runs with. */
static int cookies_mode(void)
{
	struct sf_config def;
	sf_config_default(&def);
	return opt.syncookies >= 0 ? opt.syncookies : def.syncookies;
}

static struct fifo to_cli, to_srv;
static sf_stack *cli, *srv;
static int lst;
static uint64_t sunk; /* datagrams to spoofed sources */
static struct client *clients;
static uint32_t *cmap, cmap_cap; /* client handle -> client index + 1 */
static uint64_t resolved, legit_drops[SF_DROP__COUNT];

#define die(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), exit(1))

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A /proc/self/status field in bytes (VmRSS now, VmHWM the peak). */
static double status_bytes(const char *field)
{
	char line[256];
	double kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, field, strlen(field)))
			kb = strtod(line + strlen(field) + 1, NULL);
	if (f)
		fclose(f);
	return kb * 1024;
}

static void report(const char *phase, const char *metric, double value, const char *unit)
{
	printf("  %-34s %16.2f  %s\n", metric, value, unit);
	if (!opt.csv)
		return;
	FILE *f = fopen(opt.csv, "a");
	if (!f)
		die("cannot open %s", opt.csv);
	fseek(f, 0, SEEK_END);
	if (ftell(f) == 0)
		fprintf(f, "bench,phase,n,metric,value,unit\n");
	fprintf(f, "synflood,%s,%llu,%s,%.10g,%s\n", phase, (unsigned long long)opt.syns, metric, value, unit);
	fclose(f);
}

/* ---- the wire ---------------------------------------------------------- */

static void enqueue(void *ctx, const uint8_t *d, size_t n)
{
	struct fifo *q = ctx;
	if (q->tail - q->head == QCAP || n > SLOT)
		die("queue overflow");
	memcpy(q->data[q->tail % QCAP], d, n);
	q->len[q->tail % QCAP] = (uint16_t)n;
	q->tail++;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }

/* The server's output: to the legitimate client's FIFO, or (the SYN,ACKs to
 * spoofed sources) to the sink. */
static void srv_out(void *ctx, const uint8_t *d, size_t n)
{
	if (n >= 20 && get32(d + 16) == CLIENT_ADDR)
		enqueue(ctx, d, n);
	else
		sunk++;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A 40-byte IPv4 SYN without options, as flood tools send, checksums right. */
static void craft_syn(uint8_t p[40], uint32_t src, uint16_t sport, uint32_t seq)
{
	memset(p, 0, 40);
	p[0] = 0x45, p[3] = 40, p[8] = 64, p[9] = 6;
	put32(p + 12, src), put32(p + 16, SERVER_ADDR);
	put16(p + 10, fold(sum16(p, 20, 0)));
	uint8_t *t = p + 20;
	put16(t, sport), put16(t + 2, PORT), put32(t + 4, seq);
	t[12] = 5 << 4, t[13] = SF_TCP_SYN;
	put16(t + 14, 64240);
	put16(t + 16, fold(sum16(t, 20, sum16(p + 12, 8, 6 + 20))));
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd32(void)
{
	return (uint32_t)(bench_rand64(&rng) >> 32);
}

/* A random unicast source that is neither ours nor 0/8, 10/8, 127/8, 224/3. */
static uint32_t spoofed_source(void)
{
	for (;;) {
		uint32_t a = rnd32(), top = a >> 24;
		if (top != 0 && top != 10 && top != 127 && top < 224 && (a >> 8) != (CLIENT_ADDR >> 8))
			return a;
	}
}

/* Datagrams from the legitimate client: each drop the server makes of one is
 * attributed to its reason by comparing the drop counters around sf_input. */
static void deliver_to_srv(uint64_t now)
{
	const struct sf_counters *k = sf_stack_counters(srv);
	while (to_srv.head != to_srv.tail) {
		unsigned i = to_srv.head++ % QCAP;
		struct sf_counters before = *k;
		sf_input(srv, now, to_srv.data[i], to_srv.len[i]);
		for (int r = 0; k->InDrops != before.InDrops && r < SF_DROP__COUNT; r++)
			legit_drops[r] += k->drops[r] - before.drops[r];
	}
}

static void deliver_to_cli(uint64_t now)
{
	while (to_cli.head != to_cli.tail) {
		unsigned i = to_cli.head++ % QCAP;
		sf_input(cli, now, to_cli.data[i], to_cli.len[i]);
	}
}

/* ---- the applications -------------------------------------------------- */

/* Server: echo one byte for each byte read; close at end of stream. */
static void serve(int s)
{
	char b[16];
	for (;;) {
		long r = sf_recv(srv, s, b, sizeof b);
		if (r > 0) {
			sf_send(srv, s, "r", 1);
			continue;
		}
		if (r != -EAGAIN)
			sf_close(srv, s);
		return;
	}
}

static void server_app(void)
{
	struct sf_event ev[64];
	int n;
	while ((n = sf_poll_events(srv, ev, 64)) > 0)
		for (int i = 0; i < n; i++) {
			if (ev[i].sock != lst) {
				serve(ev[i].sock);
				continue;
			}
			/* Data may have come with the final ACK, before the accept:
			 * no event will say so, so look at once. */
			for (int s; (s = sf_accept(srv, lst, NULL)) >= 0;)
				serve(s);
		}
}

static void client_done(int s, struct client *c, int state, int err, uint64_t now)
{
	c->state = state, c->err = err, c->done_ns = now;
	resolved++;
	cmap[s] = 0;
	sf_close(cli, s);
}

static void client_app(uint64_t now)
{
	struct sf_event ev[64];
	char b;
	int n;
	while ((n = sf_poll_events(cli, ev, 64)) > 0)
		for (int i = 0; i < n; i++) {
			int s = ev[i].sock;
			if ((uint32_t)s >= cmap_cap || !cmap[s])
				continue;
			struct client *c = &clients[cmap[s] - 1];
			if ((ev[i].events & SF_EV_CONNECTED) && c->state == C_CONNECTING) {
				c->state = C_CONNECTED;
				sf_send(cli, s, "q", 1);
			}
			if (c->state == C_CONNECTED && sf_recv(cli, s, &b, 1) == 1)
				client_done(s, c, C_OK, 0, now);
			else if (ev[i].events & (SF_EV_ERROR | SF_EV_HUP))
				client_done(s, c, C_FAILED, sf_take_error(cli, s), now);
		}
}

static void start_client(uint64_t j, uint64_t now)
{
	struct sf_endpoint to = { sf_addr_v4(192, 0, 2, 2), PORT };
	sf_advance(cli, now); /* the connect acts at the client stack's time */
	int s = sf_socket(cli, SF_AF_INET);
	if (s < 0 || (uint32_t)s >= cmap_cap || sf_connect(cli, s, &to) != -EINPROGRESS)
		die("client %llu cannot connect (%d)", (unsigned long long)j, s);
	cmap[s] = (uint32_t)j + 1;
	clients[j].state = C_CONNECTING;
	clients[j].start_ns = now;
}

static sf_stack *make_stack(sf_output_fn out, void *ctx, uint32_t addr)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int i = 0; i < 16; i++)
		cfg.secret[i] = (uint8_t)(addr * 29 + (uint32_t)i);
	cfg.output = out, cfg.output_ctx = ctx;
	if (opt.syn_backlog)
		cfg.syn_backlog = opt.syn_backlog;
	cfg.syn_queue_recycle = (uint8_t)opt.recycle;
	if (opt.syncookies >= 0)
		cfg.syncookies = (uint8_t)opt.syncookies;
	sf_stack *s = sf_stack_new(&cfg, 0);
	struct sf_addr a = sf_addr_v4((uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr);
	if (!s || sf_stack_add_address(s, &a, 1500))
		die("cannot create a stack");
	return s;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

/* ---- one flood ------------------------------------------------------------ */

static void run(double rate)
{
	char ph[32];
	uint8_t syn[40];
	snprintf(ph, sizeof ph, "rate%.0f%s-cookies%d", rate, opt.recycle ? "-recycle" : "", cookies_mode());
	memset(&to_cli, 0, sizeof to_cli), memset(&to_srv, 0, sizeof to_srv);
	srv = make_stack(srv_out, &to_cli, SERVER_ADDR);
	cli = make_stack(enqueue, &to_srv, CLIENT_ADDR);
	lst = sf_socket(srv, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = PORT };
	if (lst < 0 || sf_bind(srv, lst, &any) || sf_listen(srv, lst, 128))
		die("listen failed");
	uint64_t n = opt.syns, m = opt.clients;
	clients = calloc(m, sizeof *clients);
	cmap_cap = (uint32_t)m + 64;
	cmap = calloc(cmap_cap, sizeof *cmap);
	uint64_t *lat = calloc(m, sizeof *lat);
	if (!clients || !cmap || !lat)
		die("out of memory");

	const struct sf_counters *ks = sf_stack_counters(srv), *kc = sf_stack_counters(cli);
	const uint64_t t0 = 1000000, dur = (uint64_t)((double)n * 1e9 / rate), never = UINT64_MAX;
	const uint64_t cap = t0 + dur + 300000000000ull; /* every client resolves by 247 s after its start */
	uint64_t fi = 0, cj = 0, now = t0, peak = 0, last = t0;
	double base = status_bytes("VmRSS:"), flood_wall = 0, w0 = wall();
#define FLOOD_AT(i) (t0 + (uint64_t)((double)(i) * 1e9 / rate))
#define START_AT(j) (t0 + (uint64_t)(((double)(j) + 0.5) * (double)dur / (double)m))
	/* Until every client has its answer and the flood's last embryo is gone:
	 * the SYN,ACK retransmissions and expiries are part of the flood's cost. */
	while ((resolved < m || fi < n || ks->SynRecvCurrent) && now < cap) {
		uint64_t end = now + SLICE_NS;
		double w = wall();
		for (uint64_t t; fi < n && (t = FLOOD_AT(fi)) <= end; fi++) {
			if (sf_next_deadline(srv) <= t)
				sf_advance(srv, t); /* embryos expire between the SYNs, not in bulk */
			craft_syn(syn, spoofed_source(), (uint16_t)(1024 + rnd32() % 64512), rnd32());
			sf_input(srv, t, syn, sizeof syn);
			if (ks->SynRecvCurrent > peak)
				peak = ks->SynRecvCurrent;
		}
		flood_wall += wall() - w;
		now = last = end;
		sf_advance(srv, now);
		sf_advance(cli, now);
		deliver_to_srv(now);
		deliver_to_cli(now);
		server_app();
		for (; cj < m && START_AT(cj) <= now; cj++)
			start_client(cj, now);
		client_app(now);
		if (ks->SynRecvCurrent > peak)
			peak = ks->SynRecvCurrent;
		/* Nothing in flight: jump to the next thing that happens. */
		if (to_srv.head == to_srv.tail && to_cli.head == to_cli.tail) {
			uint64_t next = min3(fi < n ? FLOOD_AT(fi) : never, cj < m ? START_AT(cj) : never,
					     sf_next_deadline(srv));
			next = min3(next, sf_next_deadline(cli), never);
			if (next != never && next > now + SLICE_NS)
				now = next - SLICE_NS;
		}
	}
	double total_wall = wall() - w0, hwm = status_bytes("VmHWM:");

	uint64_t ok_deadline = 0, ok = 0, timedout = 0, other = 0, unresolved = 0;
	for (uint64_t j = 0; j < m; j++) {
		struct client *c = &clients[j];
		if (c->state == C_OK) {
			lat[ok++] = c->done_ns - c->start_ns;
			ok_deadline += c->done_ns - c->start_ns <= (uint64_t)(opt.deadline_s * 1e9);
		} else if (c->state == C_FAILED) {
			timedout += c->err == -ETIMEDOUT;
			other += c->err != -ETIMEDOUT;
		} else {
			unresolved++;
		}
	}
	qsort(lat, ok, sizeof *lat, cmp_u64);
	struct sf_config def;
	sf_config_default(&def);

	printf("%s: %llu spoofed SYNs at %.0f/s virtual (%.3f s), %llu legitimate clients, backlog 128, syn_backlog %u, "
	       "syn_queue_recycle %d, syncookies %d\n",
	       ph, (unsigned long long)n, rate, (double)dur / 1e9, (unsigned long long)m,
	       opt.syn_backlog ? opt.syn_backlog : def.syn_backlog, opt.recycle, cookies_mode());
	report(ph, "virtual_time_simulated", (double)(last - t0) / 1e9, "s");
	report(ph, "wall_total", total_wall, "s");
	report(ph, "flood_wall", flood_wall, "s (flood sf_input + server timers)");
	report(ph, "flood_syn_rate_wall", (double)n / flood_wall, "SYN/s");
	report(ph, "syn_backlog", opt.syn_backlog ? opt.syn_backlog : def.syn_backlog, "embryos/listener");
	report(ph, "embryo_peak", (double)peak, "SYN-RECEIVED records");
	report(ph, "rss_peak_delta", (hwm - base) / 1048576, "MiB (VmHWM - RSS at start)");
	report(ph, "rss_peak", hwm / 1048576, "MiB (VmHWM)");
	report(ph, "srv_TCPReqQFullDrop", (double)ks->TCPReqQFullDrop, "SYNs (all sources)");
	report(ph, "srv_ListenOverflows", (double)ks->ListenOverflows, "count");
	report(ph, "srv_ListenDrops", (double)ks->ListenDrops, "count");
	report(ph, "srv_synack_retrans", (double)ks->TCPSynRetrans, "SYN-ACKs (TCPSynRetrans)");
	report(ph, "srv_embryos_expired", (double)ks->AttemptFails, "count (AttemptFails)");
	report(ph, "srv_PassiveOpens", (double)ks->PassiveOpens, "count");
	report(ph, "srv_SyncookiesSent", (double)ks->SyncookiesSent, "SYN,ACKs");
	report(ph, "srv_SyncookiesRecv", (double)ks->SyncookiesRecv, "ACKs");
	report(ph, "srv_SyncookiesFailed", (double)ks->SyncookiesFailed, "ACKs");
	report(ph, "synacks_to_spoofed", (double)sunk, "datagrams");
	report(ph, "legit_clients", (double)m, "count");
	report(ph, "legit_ok_within_deadline", (double)ok_deadline, "clients (reply within deadline)");
	report(ph, "legit_deadline", opt.deadline_s, "s");
	report(ph, "legit_success_rate", 100.0 * (double)ok_deadline / (double)m, "%");
	report(ph, "legit_ok_eventually", (double)ok, "clients");
	report(ph, "legit_failed_ETIMEDOUT", (double)timedout, "clients");
	report(ph, "legit_failed_other", (double)other, "clients");
	report(ph, "legit_unresolved", (double)unresolved, "clients");
	if (ok) {
		report(ph, "legit_latency_p50", (double)lat[ok / 2] / 1e6, "ms virtual (connect to reply)");
		report(ph, "legit_latency_p90", (double)lat[ok * 9 / 10] / 1e6, "ms");
		report(ph, "legit_latency_max", (double)lat[ok - 1] / 1e6, "ms");
	}
	report(ph, "legit_syns_sent", (double)(kc->ActiveOpens + kc->TCPSynRetrans), "SYNs (first + retransmitted)");
	for (int r = 0; r < SF_DROP__COUNT; r++)
		if (legit_drops[r]) {
			char name[64];
			snprintf(name, sizeof name, "legit_drop_%s", sf_drop_reason_name((enum sf_drop_reason)r));
			report(ph, name, (double)legit_drops[r], "datagrams");
		}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v && !strcmp(a, "--syns"))
			opt.syns = strtoull(v, NULL, 10), i++;
		else if (v && !strcmp(a, "--clients"))
			opt.clients = strtoull(v, NULL, 10), i++;
		else if (v && !strcmp(a, "--rate") && opt.nrates < 8)
			opt.rates[opt.nrates++] = strtod(v, NULL), i++;
		else if (v && !strcmp(a, "--syn-backlog"))
			opt.syn_backlog = (uint32_t)strtoul(v, NULL, 10), i++;
		else if (v && !strcmp(a, "--deadline"))
			opt.deadline_s = strtod(v, NULL), i++;
		else if (v && !strcmp(a, "--csv"))
			opt.csv = v, i++;
		else if (!strcmp(a, "--syn-queue-recycle"))
			opt.recycle = 1;
		else if (v && !strcmp(a, "--syncookies") && v[0] >= '0' && v[0] <= '2' && !v[1])
			opt.syncookies = v[0] - '0', i++;
		else {
			fprintf(stderr, "usage: %s [--syns N] [--clients M] [--rate SYN/s]... [--syn-backlog Q]\n"
					"       [--syn-queue-recycle] [--syncookies 0|1|2] [--deadline S] [--csv PATH]\n", argv[0]);
			return 2;
		}
	}
	if (!opt.syns || !opt.clients || opt.clients > 10000000)
		die("--syns and --clients must be positive (clients at most 10M)");
	if (!opt.nrates)
		opt.rates[opt.nrates++] = 10000, opt.rates[opt.nrates++] = 1000000;
	int failed = 0;
	for (int i = 0; i < opt.nrates; i++) {
		if (!(opt.rates[i] > 0))
			die("--rate must be positive");
		fflush(stdout);
		pid_t pid = fork(); /* a process per rate: a fresh heap and its own VmHWM */
		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			run(opt.rates[i]);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	return failed;
}
