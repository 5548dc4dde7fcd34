/* SPDX-License-Identifier: BSD-2-Clause */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

uint8_t bench_pattern[BENCH_PATTERN];
uint8_t bench_rxbuf[BENCH_PATTERN];

static void usage(const char *prog, int allow_bufsize)
{
	fprintf(stderr,
		"usage: %s [--bytes N[K|M|G]] [--loss RATE]... [--seed S] [--step-us U]%s\n"
		"          [--repeat N] [--verify] [--csv PATH] [--label NAME] [--no-header]\n"
		"  --bytes    payload sent A->B (default 1G; K/M/G are powers of 1024)\n"
		"  --loss     loss rate A->B, 0..1; repeat for several runs (default: 0 and 0.01)\n"
		"  --seed     seed of the loss PRNG (default 1)\n"
		"  --step-us  virtual time per delivery round in microseconds (default 10)\n"
		"%s"
		"  --repeat   runs per loss rate; the median by wall time is reported (default 1)\n"
		"  --verify   compare every byte read against the pattern (default: count +\n"
		"             a check of the last 64 KiB lap at the end)\n"
		"  --csv      append one CSV row per run to PATH (header written when new)\n",
		prog, allow_bufsize ? " [--bufsize N[K|M]] [--no-batch]" : "",
		allow_bufsize ? "  --bufsize  SO_SNDBUF/SO_RCVBUF of both sockets (default 4M)\n"
				"  --no-batch hand each datagram to sf_input alone (default: each delivery\n"
				"             round is one sf_input_begin/sf_input_end batch)\n" : "");
	exit(2);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

void bench_parse(int argc, char **argv, struct bench_opts *o, const char *default_label, int allow_bufsize)
{
	memset(o, 0, sizeof *o);
	o->bytes = 1ull << 30;
	o->seed = 1;
	o->step_ns = 10000;
	o->bufsize = 4u << 20;
	o->header = 1;
	o->repeat = 1;
	o->label = default_label;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		if (!strcmp(a, "--verify")) {
			o->verify = 1;
		} else if (allow_bufsize && !strcmp(a, "--no-batch")) {
			o->no_batch = 1;
		} else if (!strcmp(a, "--no-header")) {
			o->header = 0;
		} else if (!v) {
			usage(argv[0], allow_bufsize);
		} else if (!strcmp(a, "--bytes")) {
			if (parse_size(v, &n) || n == 0)
				usage(argv[0], allow_bufsize);
			o->bytes = n;
			i++;
		} else if (!strcmp(a, "--loss")) {
			char *end;
			double r = strtod(v, &end);
			if (*end || !(r >= 0 && r < 1) || o->nloss == 4)
				usage(argv[0], allow_bufsize);
			o->loss[o->nloss++] = r;
			i++;
		} else if (!strcmp(a, "--seed")) {
			if (parse_size(v, &n))
				usage(argv[0], allow_bufsize);
			o->seed = n;
			i++;
		} else if (!strcmp(a, "--repeat")) {
			if (parse_size(v, &n) || n == 0 || n > 99)
				usage(argv[0], allow_bufsize);
			o->repeat = (int)n;
			i++;
		} else if (!strcmp(a, "--step-us")) {
			if (parse_size(v, &n) || n == 0)
				usage(argv[0], allow_bufsize);
			o->step_ns = n * 1000;
			i++;
		} else if (allow_bufsize && !strcmp(a, "--bufsize")) {
			if (parse_size(v, &n) || n < 1024 || n > (16u << 20))
				usage(argv[0], allow_bufsize);
			o->bufsize = (uint32_t)n;
			i++;
		} else if (!strcmp(a, "--csv")) {
			o->csv = v;
			i++;
		} else if (!strcmp(a, "--label")) {
			o->label = v;
			i++;
		} else {
			usage(argv[0], allow_bufsize);
		}
	}
	if (o->nloss == 0) {
		o->loss[0] = 0;
		o->loss[1] = 0.01;
		o->nloss = 2;
	}
}

void bench_init_pattern(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < BENCH_PATTERN; i++) {
		bench_pattern[i] = (uint8_t)(bench_rand64(&x) >> 56);
	}
	memset(bench_rxbuf, 0, sizeof bench_rxbuf);
}

void bench_loss_init(struct bench_loss *l, double rate, uint64_t seed)
{
	l->state = seed ? seed * 0x9e3779b97f4a7c15ull : 0x2545f4914f6cdd1dull;
	if (!l->state)
		l->state = 1;
	l->on = rate > 0;
	/* rate * 2^64, rate < 1 */
	l->threshold = (uint64_t)(rate * 18446744073709551616.0);
}

uint64_t bench_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_rx_done(struct bench_rx *rx, size_t n, int verify)
{
	if (verify) {
		size_t off = (size_t)(rx->got % BENCH_PATTERN);
		if (memcmp(bench_rxbuf + off, bench_pattern + off, n) != 0)
			rx->bad = 1;
	}
	rx->got += n;
}

int bench_rx_check_tail(const struct bench_rx *rx)
{
	size_t n = rx->got < BENCH_PATTERN ? (size_t)rx->got : BENCH_PATTERN;
	return !rx->bad && memcmp(bench_rxbuf, bench_pattern, n) == 0;
}

void bench_print_header(void)
{
	printf("%-14s %6s %7s %8s %8s %10s %8s %7s %8s %9s %5s\n", "stack", "loss", "window", "Gbit/s",
	       "ns/seg", "data segs", "retrans", "lost", "B->A", "virt ms", "check");
}

void bench_report(const struct bench_opts *o, const struct bench_result *r)
{
	double secs = (double)r->wall_ns / 1e9;
	double gbps = secs > 0 ? (double)r->bytes * 8 / secs / 1e9 : 0;
	double nsps = r->data_segs ? (double)r->wall_ns / (double)r->data_segs : 0;
	char win[32], retr[24];
	if (r->retrans == UINT64_MAX)
		snprintf(retr, sizeof retr, "n/a");
	else
		snprintf(retr, sizeof retr, "%llu", (unsigned long long)r->retrans);
	if (r->bufsize >= (1u << 20) && r->bufsize % (1u << 20) == 0)
		snprintf(win, sizeof win, "%uM", r->bufsize >> 20);
	else if (r->bufsize % 1024 == 0)
		snprintf(win, sizeof win, "%uK", r->bufsize >> 10);
	else
		snprintf(win, sizeof win, "%u", r->bufsize);
	printf("%-14s %5.1f%% %7s %8.3f %8.0f %10llu %8s %7llu %8llu %9.1f %5s\n", r->stack, r->loss * 100, win,
	       gbps, nsps, (unsigned long long)r->data_segs, retr, (unsigned long long)r->lost,
	       (unsigned long long)r->acks, (double)r->virt_ns / 1e6, r->ok ? "ok" : "FAIL");
	fflush(stdout);
	if (!o->csv)
		return;
	struct stat st;
	int fresh = stat(o->csv, &st) != 0 || st.st_size == 0;
	FILE *f = fopen(o->csv, "a");
	if (!f) {
		fprintf(stderr, "cannot open %s: %s\n", o->csv, strerror(errno));
		return;
	}
	if (fresh)
		fprintf(f, "stack,loss,bytes,window,seconds,gbit_s,data_segs,ns_per_seg,retrans,lost,b_to_a,"
			   "rounds,virtual_ms,check,note\n");
	fprintf(f, "%s,%.4f,%llu,%u,%.6f,%.4f,%llu,%.1f,%lld,%llu,%llu,%llu,%.3f,%s,%s\n", r->stack, r->loss,
		(unsigned long long)r->bytes, r->bufsize, secs, gbps, (unsigned long long)r->data_segs, nsps,
		r->retrans == UINT64_MAX ? -1ll : (long long)r->retrans, (unsigned long long)r->lost, (unsigned long long)r->acks,
		(unsigned long long)r->rounds, (double)r->virt_ns / 1e6, r->ok ? "ok" : "FAIL",
		r->note);
	fclose(f);
}

static int by_wall(const void *a, const void *b)
{
	const struct bench_result *x = a, *y = b;
	return x->wall_ns < y->wall_ns ? -1 : x->wall_ns > y->wall_ns;
}

int bench_run_all(const struct bench_opts *o, bench_run_fn fn)
{
	struct bench_result runs[99];
	int ok = 1;
	if (o->header)
		bench_print_header();
	for (int i = 0; i < o->nloss; i++) {
		for (int k = 0; k < o->repeat; k++) {
			runs[k] = fn(o, o->loss[i]);
			ok &= runs[k].ok;
			if (getenv("SYNFIN_BENCH_VERBOSE"))
				fprintf(stderr, "  [%s loss %.3f run %d] %.3f s wall, %llu rounds, %.1f ms virtual; %s\n",
					runs[k].stack, runs[k].loss, k + 1, (double)runs[k].wall_ns / 1e9,
					(unsigned long long)runs[k].rounds, (double)runs[k].virt_ns / 1e6,
					runs[k].note);
		}
		qsort(runs, (size_t)o->repeat, sizeof runs[0], by_wall);
		struct bench_result med = runs[o->repeat / 2];
		if (!ok)
			med.ok = 0;
		bench_report(o, &med);
	}
	return ok ? 0 : 1;
}
