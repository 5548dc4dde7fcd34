/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-concurrent: what it costs to hold many connections (workload
 * 2 of bench/run-all.sh). Memory per connection is the figure that matters
 * here, so each phase runs in a fresh child process and reads its own resident
 * set (/proc/self/statm, after malloc_trim(0) so that freed heap pages do not
 * count) before and after:
 *
 *   pair      N ESTABLISHED idle connections between two synfin stacks, all
 *             accepted; 10 s of virtual idle time; then all closed, client
 *             first (client TIME-WAIT records; server CLOSE-WAIT -> LAST-ACK
 *             -> CLOSED).
 *   client    the same N connections with only the client stack in the
 *   server    process, or only the server stack: the other end is a scripted
 *             peer (a few lines that answer the handshake and keep nothing),
 *             so the RSS growth is one side's cost.
 *   timewait  N lifecycles in batches (open, accept, close both ends): only
 *             the client's N TIME-WAIT records (and their hash slots) stay.
 *   embryo    N crafted SYNs from distinct sources to one listener whose SYN
 *             queue (sf_config.syn_backlog) is raised to N; the SYN,ACKs go
 *             to a sink. N SYN-RECEIVED records stay.
 *
 * Wall time is the benchmark's (CLOCK_MONOTONIC); the stacks run on a virtual
 * clock moved STEP_NS per delivery round. Datagrams travel through FIFOs as in
 * bench/lifecycles.c. Results are printed and appended to --csv as rows
 * bench,phase,n,metric,value,unit.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "synfin.h"

#define QCAP (1u << 14)
#define SLOT 128          /* handshake and FIN segments: 40 + options <= 80 bytes */
#define BATCH 4096u       /* connections opened (or closed) per round trip */
#define PER_PORT 25000u   /* connections per server port: below RFC 6056's 28232 ephemeral ports */
#define STEP_NS 10000u    /* virtual time per delivery round */
#define CLIENT_ADDR 0xc0000201u /* 192.0.2.1 */
#define SERVER_ADDR 0xc0000202u /* 192.0.2.2 */
#define PEER_ISS 0x10000000u

struct fifo {
	uint8_t data[QCAP][SLOT];
	uint16_t len[QCAP];
	unsigned head, tail;
};

/* End 0 is the client side, end 1 the server side; in[k] holds datagrams
 * for st[k]. An end without a stack is scripted (or absent). */
static struct fifo in[2];
static sf_stack *st[2];
static uint64_t now_ns = 1000000;
static uint64_t sunk; /* datagrams the sink swallowed */
static const char *csv_path;

#define die(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), exit(1))

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resident bytes. malloc_trim first: the heap keeps freed chunks (a demux
 * table that doubled leaves its old half behind), and we want what is live. */
static double rss(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	long size = 0, pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%ld %ld", &size, &pages) != 2)
		die("cannot read /proc/self/statm");
	fclose(f);
	return (double)pages * (double)sysconf(_SC_PAGESIZE);
}

/* One figure: a table line and a CSV row (the header only into a new file). */
static void report(const char *phase, uint64_t n, const char *metric, double value, const char *unit)
{
	printf("  %-30s %16.2f  %s\n", metric, value, unit);
	if (!csv_path)
		return;
	FILE *f = fopen(csv_path, "a");
	if (!f)
		die("cannot open %s", csv_path);
	fseek(f, 0, SEEK_END);
	if (ftell(f) == 0)
		fprintf(f, "bench,phase,n,metric,value,unit\n");
	fprintf(f, "concurrent,%s,%llu,%s,%.10g,%s\n", phase, (unsigned long long)n, metric, value, unit);
	fclose(f);
}

/* ---- the wire ---------------------------------------------------------- */

static void enqueue(void *ctx, const uint8_t *d, size_t n)
{
	struct fifo *q = ctx;
	if (q->tail - q->head == QCAP || n > SLOT)
		die("queue overflow (%zu bytes)", n);
	memcpy(q->data[q->tail % QCAP], d, n);
	q->len[q->tail % QCAP] = (uint16_t)n;
	q->tail++;
}

static void sink(void *ctx, const uint8_t *d, size_t n)
{
	(void)ctx, (void)d, (void)n;
	sunk++;
}

static void deliver(int k)
{
	while (in[k].head != in[k].tail) {
		unsigned i = in[k].head++ % QCAP;
		sf_input(st[k], now_ns, in[k].data[i], in[k].len[i]);
	}
}

/* Delivery rounds until nothing is in flight. */
static void pump(void)
{
	while (in[0].head != in[0].tail || in[1].head != in[1].tail) {
		now_ns += STEP_NS;
		if (st[1])
			deliver(1);
		if (st[0])
			deliver(0);
	}
}

/* Readiness events are drained as an application would: left alone, the
 * ready list would grow by 4 bytes a connection and be counted as theirs. */
static void drain(void)
{
	struct sf_event ev[256];
	for (int k = 0; k < 2; k++)
		while (st[k] && sf_poll_events(st[k], ev, 256) == 256)
			;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }

/* The Internet checksum of n bytes (n even), s being a sum carried in. */
static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += get16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A 40-byte IPv4 datagram: a TCP header without options, checksums right. */
static void craft(uint8_t p[40], uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq,
		  uint32_t ack, uint8_t flags)
{
	memset(p, 0, 40);
	p[0] = 0x45, p[3] = 40, p[6] = 0x40 /* DF */, p[8] = 64, p[9] = 6;
	put32(p + 12, src), put32(p + 16, dst);
	put16(p + 10, csum(p, 20, 0));
	uint8_t *t = p + 20;
	put16(t, sport), put16(t + 2, dport), put32(t + 4, seq), put32(t + 8, ack);
	t[12] = 5 << 4, t[13] = flags;
	put16(t + 14, 65535);
	put16(t + 16, csum(t, 20, (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 20));
}

/* Scripted client i's SYN: from 10.0.x.y, 32768 source ports an address. */
static void client_syn(uint8_t p[40], uint64_t i, uint16_t port)
{
	craft(p, 0x0a000001u + (uint32_t)(i >> 15), SERVER_ADDR, (uint16_t)(32768 + (i & 32767)), port,
	      (uint32_t)(i * 2654435761u), 0, SF_TCP_SYN);
}

/* The scripted peer: SYN -> SYN,ACK and SYN,ACK -> ACK; anything else is
 * swallowed. It keeps no state, so the process holds one side only. ctx is
 * the FIFO back to the stack that sent. */
static void peer_answer(void *ctx, const uint8_t *d, size_t n)
{
	uint8_t r[40];
	if (n < 40 || d[0] >> 4 != 4)
		return;
	const uint8_t *t = d + (d[0] & 15) * 4;
	uint32_t src = get32(d + 12), dst = get32(d + 16), seq = get32(t + 4), ack = get32(t + 8);
	uint8_t f = t[13] & (SF_TCP_SYN | SF_TCP_ACK | SF_TCP_RST | SF_TCP_FIN);
	if (f == SF_TCP_SYN)
		craft(r, dst, src, get16(t + 2), get16(t), PEER_ISS, seq + 1, SF_TCP_SYN | SF_TCP_ACK);
	else if (f == (SF_TCP_SYN | SF_TCP_ACK))
		craft(r, dst, src, get16(t + 2), get16(t), ack, seq + 1, SF_TCP_ACK);
	else
		return;
	enqueue(ctx, r, sizeof r);
}

/* ---- stacks and connections --------------------------------------------- */

static struct sf_addr v4(uint32_t a)
{
	return sf_addr_v4((uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a);
}

static sf_stack *make_stack(sf_output_fn out, void *ctx, uint32_t addr, uint32_t syn_backlog)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int i = 0; i < 16; i++)
		cfg.secret[i] = (uint8_t)(addr * 31 + (uint32_t)i);
	cfg.output = out;
	cfg.output_ctx = ctx;
	cfg.somaxconn = 2 * BATCH;      /* a whole batch waits in the accept queue */
	cfg.syn_backlog = syn_backlog;  /* and, before that, in the SYN queue */
	sf_stack *s = sf_stack_new(&cfg, now_ns);
	struct sf_addr a = v4(addr);
	if (!s || sf_stack_add_address(s, &a, 1500))
		die("cannot create a stack");
	return s;
}

static int listen_on(sf_stack *s, uint16_t port)
{
	int l = sf_socket(s, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = port };
	if (l < 0 || sf_bind(s, l, &any) || sf_listen(s, l, 2 * BATCH))
		die("listen on %u failed", port);
	return l;
}

/* Connection i goes to server port 1000 + i / PER_PORT: the connections to one
 * port are opened together, so RFC 6056's walk finds each port free at once. */
static uint32_t port_index(uint64_t i) { return (uint32_t)(i / PER_PORT); }

static int *listeners(uint64_t n)
{
	int *lst = malloc((port_index(n - 1) + 1) * sizeof *lst);
	if (!lst)
		die("out of memory");
	for (uint32_t p = 0; p <= port_index(n - 1); p++)
		lst[p] = listen_on(st[1], (uint16_t)(1000 + p));
	return lst;
}

/* Open connections [i0, i1) from st[0] (NULL: scripted clients' SYNs) and
 * accept them on st[1]'s listeners lst (NULL: the server is scripted).
 * Handles go to cli[] and srv[]. */
static void open_batch(uint64_t i0, uint64_t i1, int *cli, int *srv, const int *lst)
{
	uint8_t syn[40];
	for (uint64_t i = i0; i < i1; i++) {
		struct sf_endpoint to = { v4(SERVER_ADDR), (uint16_t)(1000 + port_index(i)) };
		if (!st[0]) {
			client_syn(syn, i, to.port);
			enqueue(&in[1], syn, sizeof syn);
			continue;
		}
		int c = sf_socket(st[0], SF_AF_INET);
		if (c < 0 || sf_connect(st[0], c, &to) != -EINPROGRESS)
			die("connect failed at %llu (%d)", (unsigned long long)i, c);
		cli[i - i0] = c;
	}
	pump();
	uint64_t k = 0;
	for (uint32_t p = port_index(i0); lst && p <= port_index(i1 - 1); p++)
		for (int s; (s = sf_accept(st[1], lst[p], NULL)) >= 0;)
			srv[k++] = s;
	drain();
	if (lst && k != i1 - i0)
		die("accepted %llu of %llu", (unsigned long long)k, (unsigned long long)(i1 - i0));
}

/* Close k connections: the client first (FIN-WAIT -> TIME-WAIT), then, once
 * its FIN is in, the server (CLOSE-WAIT -> LAST-ACK -> CLOSED). */
static void close_batch(const int *cli, const int *srv, uint64_t k)
{
	for (uint64_t i = 0; i < k; i++)
		sf_close(st[0], cli[i]);
	pump();
	for (uint64_t i = 0; i < k; i++)
		sf_close(st[1], srv[i]);
	pump();
	drain();
}

static uint64_t ctr(int k, enum sf_counter_id id) { return sf_counter_value(sf_stack_counters(st[k]), id); }

static double secs_to_deadline(int k)
{
	uint64_t d = sf_next_deadline(st[k]);
	return d == UINT64_MAX ? -1 : (double)(d - now_ns) / 1e9;
}

/* ---- phases --------------------------------------------------------------- */

static void phase_pair(uint64_t n)
{
	const char *ph = "pair";
	st[0] = make_stack(enqueue, &in[1], CLIENT_ADDR, 2 * BATCH);
	st[1] = make_stack(enqueue, &in[0], SERVER_ADDR, 2 * BATCH);
	int *lst = listeners(n), *cli = malloc(n * sizeof *cli), *srv = malloc(n * sizeof *srv);
	if (!cli || !srv)
		die("out of memory");
	memset(cli, 0, n * sizeof *cli), memset(srv, 0, n * sizeof *srv); /* touched before the baseline */
	double base = rss(), t0 = wall();
	for (uint64_t i = 0; i < n; i += BATCH)
		open_batch(i, i + BATCH < n ? i + BATCH : n, cli + i, srv + i, lst);
	double t_open = wall() - t0, open_rss = rss();
	printf("pair: %llu idle ESTABLISHED connections, both stacks in this process (%u server ports)\n",
	       (unsigned long long)n, port_index(n - 1) + 1);
	report(ph, n, "open_time", t_open, "s");
	report(ph, n, "open_rate", (double)n / t_open, "conn/s");
	report(ph, n, "rss_delta_open", (open_rss - base) / 1048576, "MiB");
	report(ph, n, "bytes_per_pair", (open_rss - base) / (double)n, "B/conn pair");
	report(ph, n, "client_CurrEstab", (double)ctr(0, SF_CTR_CurrEstab), "count");
	report(ph, n, "server_CurrEstab", (double)ctr(1, SF_CTR_CurrEstab), "count");

	/* Idle: no data was sent, keepalive is off by default, so nothing should
	 * be armed and 10 s of 1 ms sf_advance steps should do nothing. */
	report(ph, n, "client_next_deadline", secs_to_deadline(0), "s (-1 = none armed)");
	report(ph, n, "server_next_deadline", secs_to_deadline(1), "s (-1 = none armed)");
	uint64_t segs = ctr(0, SF_CTR_OutSegs) + ctr(1, SF_CTR_OutSegs);
	t0 = wall();
	for (int ms = 0; ms < 10000; ms++) {
		now_ns += 1000000;
		sf_advance(st[0], now_ns);
		sf_advance(st[1], now_ns);
	}
	double t_idle = wall() - t0;
	report(ph, n, "idle_10s_advance_wall", t_idle * 1e3, "ms (20000 sf_advance calls)");
	report(ph, n, "idle_ns_per_advance", t_idle * 1e9 / 20000, "ns");
	report(ph, n, "idle_segments_sent", (double)(ctr(0, SF_CTR_OutSegs) + ctr(1, SF_CTR_OutSegs) - segs), "count");

	t0 = wall();
	for (uint64_t i = 0; i < n; i += BATCH)
		close_batch(cli + i, srv + i, (i + BATCH < n ? i + BATCH : n) - i);
	double t_close = wall() - t0, close_rss = rss();
	report(ph, n, "close_time", t_close, "s");
	report(ph, n, "close_rate", (double)n / t_close, "conn/s");
	report(ph, n, "client_TimeWaitCurrent", (double)ctr(0, SF_CTR_TimeWaitCurrent), "count");
	report(ph, n, "client_CurrEstab", (double)ctr(0, SF_CTR_CurrEstab), "count");
	report(ph, n, "server_CurrEstab", (double)ctr(1, SF_CTR_CurrEstab), "count");
	report(ph, n, "aborts", (double)(ctr(0, SF_CTR_TCPAbortOnClose) + ctr(1, SF_CTR_TCPAbortOnClose)), "count");
	/* An upper bound: the handle tables and both demux tables keep the size
	 * they grew to. The timewait phase measures the records alone. */
	report(ph, n, "rss_after_close", (close_rss - base) / 1048576, "MiB over baseline");
	report(ph, n, "bytes_per_tw_upper_bound", (close_rss - base) / (double)n, "B/TIME-WAIT");
}

/* One side alone: the other end is peer_answer. */
static void phase_side(uint64_t n, int side)
{
	const char *ph = side ? "server" : "client";
	int *hs = malloc(n * sizeof *hs), *lst = NULL;
	if (!hs)
		die("out of memory");
	memset(hs, 0, n * sizeof *hs); /* touched before the baseline */
	if (side == 0) {
		st[0] = make_stack(peer_answer, &in[0], CLIENT_ADDR, 2 * BATCH);
	} else {
		st[1] = make_stack(peer_answer, &in[1], SERVER_ADDR, 2 * BATCH);
		lst = listeners(n);
	}
	double base = rss(), t0 = wall();
	for (uint64_t i = 0; i < n; i += BATCH)
		open_batch(i, i + BATCH < n ? i + BATCH : n, hs + i, hs + i, lst);
	double t_open = wall() - t0, open_rss = rss();
	printf("%s: %llu idle ESTABLISHED connections, %s stack only (the peer is scripted)\n", ph,
	       (unsigned long long)n, ph);
	report(ph, n, "open_time", t_open, "s");
	report(ph, n, "rss_delta_open", (open_rss - base) / 1048576, "MiB");
	report(ph, n, "bytes_per_conn", (open_rss - base) / (double)n, "B/conn");
	report(ph, n, "CurrEstab", (double)ctr(side, SF_CTR_CurrEstab), "count");
	report(ph, n, "next_deadline", secs_to_deadline(side), "s (-1 = none armed)");
}

static void phase_timewait(uint64_t n)
{
	const char *ph = "timewait";
	static int cli[BATCH], srv[BATCH];
	st[0] = make_stack(enqueue, &in[1], CLIENT_ADDR, 2 * BATCH);
	st[1] = make_stack(enqueue, &in[0], SERVER_ADDR, 2 * BATCH);
	int *lst = listeners(n);
	/* The first batch warms up: BATCH TCBs a side, their handle slots and
	 * buffers are the working set of every later batch, freed but kept by
	 * malloc. The baseline is taken after it, so the growth is the records. */
	uint64_t v0 = now_ns, warm = n < BATCH ? n : BATCH;
	double base = 0, t0 = wall();
	for (uint64_t i = 0; i < n; i += BATCH) {
		uint64_t i1 = i + BATCH < n ? i + BATCH : n;
		open_batch(i, i1, cli, srv, lst);
		close_batch(cli, srv, i1 - i);
		if (i == 0)
			base = rss();
	}
	double t = wall() - t0, after = rss();
	printf("timewait: %llu lifecycles in batches of %u, client closes first (its records stay: %.3f s virtual < 2MSL)\n",
	       (unsigned long long)n, BATCH, (double)(now_ns - v0) / 1e9);
	report(ph, n, "lifecycle_time", t, "s");
	report(ph, n, "lifecycle_rate", (double)n / t, "conn/s");
	report(ph, n, "client_TimeWaitCurrent", (double)ctr(0, SF_CTR_TimeWaitCurrent), "count");
	report(ph, n, "server_CurrEstab", (double)ctr(1, SF_CTR_CurrEstab), "count");
	report(ph, n, "rss_total", after / 1048576, "MiB");
	report(ph, n, "rss_delta", (after - base) / 1048576, "MiB");
	report(ph, n, "bytes_per_tw", n > warm ? (after - base) / (double)(n - warm) : 0, "B/TIME-WAIT (after warm-up)");
}

static void phase_embryo(uint64_t n)
{
	const char *ph = "embryo";
	uint8_t syn[40];
	/* The SYN queue is per listener, 1000 by default: raise it to n. */
	st[1] = make_stack(sink, NULL, SERVER_ADDR, (uint32_t)n);
	listen_on(st[1], 80);
	double base = rss(), t0 = wall();
	for (uint64_t i = 0; i < n; i++) {
		client_syn(syn, i, 80);
		now_ns += 100; /* 0.1 s of virtual time per million: no SYN,ACK timer is due yet */
		sf_input(st[1], now_ns, syn, sizeof syn);
	}
	double t = wall() - t0, after = rss();
	printf("embryo: %llu SYNs to one listener (syn_backlog %llu), SYN,ACKs to a sink\n", (unsigned long long)n,
	       (unsigned long long)n);
	report(ph, n, "syn_time", t, "s");
	report(ph, n, "syn_rate", (double)n / t, "SYN/s");
	report(ph, n, "SynRecvCurrent", (double)ctr(1, SF_CTR_SynRecvCurrent), "count");
	report(ph, n, "synacks_sunk", (double)sunk, "count");
	report(ph, n, "ListenDrops", (double)ctr(1, SF_CTR_ListenDrops), "count");
	report(ph, n, "rss_delta", (after - base) / 1048576, "MiB");
	report(ph, n, "bytes_per_embryo", (after - base) / (double)n, "B/SYN-RECEIVED");
}

static const char *const phases[] = { "pair", "client", "server", "timewait", "embryo" };

static void run_phase(int p, uint64_t n)
{
	memset(in, 0, sizeof in); /* the FIFOs' pages are resident before any baseline */
	if (p == 0)
		phase_pair(n);
	else if (p <= 2)
		phase_side(n, p - 1);
	else if (p == 3)
		phase_timewait(n);
	else
		phase_embryo(n);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000;
	int only = -1; /* --phase: one phase, in this process */
	for (int i = 1; i < argc; i++) {
		int known = -1;
		for (int p = 0; i + 1 < argc && p < 5; p++)
			known = strcmp(argv[i + 1], phases[p]) ? known : p;
		if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			csv_path = argv[++i];
		else if (!strcmp(argv[i], "--phase") && known >= 0)
			only = known, i++;
		else
			die("usage: %s [--n N] [--csv PATH] [--phase pair|client|server|timewait|embryo]", argv[0]);
	}
	if (n == 0 || n > 100000000)
		die("--n must be 1 .. 100000000");
	if (only >= 0)
		return run_phase(only, n), 0;

	/* Each phase in a child of its own: a fresh heap, so one phase's freed
	 * memory cannot hide another's growth. */
	int failed = 0;
	for (int p = 0; p < 5; p++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			run_phase(p, n), _exit(0);
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1, fprintf(stderr, "phase %s failed\n", phases[p]);
	}
	return failed;
}
