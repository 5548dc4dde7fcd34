/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-lifecycles: connection lifecycles per second between two
 * synfin stacks in one process, one thread (workload 1 of bench/run-all.sh).
 * Each lifecycle: connect, accept, 1 byte each way, the client closes first
 * (graceful: its side keeps a TIME-WAIT record for 2MSL, which here outlasts
 * the run, so records pile up), the server reads EOF and closes.
 * With --rst the client aborts instead (RST, no TIME-WAIT).
 *
 * The rate is printed for each tenth of the run, so a slowdown as TIME-WAIT
 * records accumulate shows. Wall time (CLOCK_MONOTONIC) is the benchmark's;
 * the stacks run on a virtual clock advanced 1 µs per round. Server ports
 * rotate over 256 so that there are enough 4-tuples for a million lifecycles
 * from one client address (RFC 6056 gives 28232 ephemeral ports).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle_report.h"
#include "synfin.h"

#define NPORTS 256
#define QCAP 4096
#define SLOT 256

struct queue {
	uint8_t data[QCAP][SLOT];
	uint16_t len[QCAP];
	unsigned head, tail;
};

static void enqueue(void *ctx, const uint8_t *d, size_t n)
{
	struct queue *q = ctx;
	if (q->tail - q->head == QCAP || n > SLOT) {
		fprintf(stderr, "queue overflow\n");
		exit(1);
	}
	memcpy(q->data[q->tail % QCAP], d, n);
	q->len[q->tail % QCAP] = (uint16_t)n;
	q->tail++;
}

static int deliver(struct queue *q, sf_stack *st, uint64_t now)
{
	int n = 0;
	while (q->head != q->tail) {
		unsigned i = q->head++ % QCAP;
		sf_input(st, now, q->data[i], q->len[i]);
		n++;
	}
	return n;
}

static sf_stack *make(struct queue *out, uint8_t last, uint32_t max_sockets)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int i = 0; i < 16; i++)
		cfg.secret[i] = (uint8_t)(last * 17 + i);
	cfg.output = enqueue;
	cfg.output_ctx = out;
	cfg.somaxconn = 4096;
	cfg.max_sockets = max_sockets;
	sf_stack *st = sf_stack_new(&cfg, 0);
	struct sf_addr a = sf_addr_v4(192, 0, 2, last);
	if (!st || sf_stack_add_address(st, &a, 1500)) {
		fprintf(stderr, "cannot create a stack\n");
		exit(1);
	}
	return st;
}

int main(int argc, char **argv)
{
	/* --csv: one row per tenth, appended; the format shared by the lwIP and kernel lifecycle benchmarks. */
	struct lc_run run;
	lc_begin(&run, "synfin", argc, argv, 0, NULL);
	uint64_t n = run.opts.n;
	static struct queue to_server, to_client;
	sf_stack *cli = make(&to_server, 1, 1u << 20), *srv = make(&to_client, 2, 1u << 20);
	int listeners[NPORTS];
	for (int p = 0; p < NPORTS; p++) {
		listeners[p] = sf_socket(srv, SF_AF_INET);
		struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = (uint16_t)(1000 + p) };
		if (sf_bind(srv, listeners[p], &any) || sf_listen(srv, listeners[p], 64)) {
			fprintf(stderr, "listen failed\n");
			return 1;
		}
	}
	uint64_t now = 1000000;
	lc_start(&run); /* before the header, as it always was: the header's printf is timed */
	char b;
	lc_print_header(&run, NULL);
	for (uint64_t i = 0; i < n; i++) {
		int p = (int)(i % NPORTS);
		int c = sf_socket(cli, SF_AF_INET);
		struct sf_endpoint to = { .addr = sf_addr_v4(192, 0, 2, 2), .port = (uint16_t)(1000 + p) };
		if (c < 0 || sf_connect(cli, c, &to) != -EINPROGRESS) {
			fprintf(stderr, "connect failed at %llu\n", (unsigned long long)i);
			return 1;
		}
		int s = -1;
		for (int round = 0; round < 16 && s < 0; round++) {
			now += 1000;
			deliver(&to_server, srv, now);
			deliver(&to_client, cli, now);
			s = sf_accept(srv, listeners[p], NULL);
		}
		if (s < 0) {
			fprintf(stderr, "accept failed at %llu\n", (unsigned long long)i);
			return 1;
		}
		sf_send(cli, c, "q", 1);
		sf_send(srv, s, "r", 1);
		for (int round = 0; round < 4; round++) {
			now += 1000;
			deliver(&to_server, srv, now);
			deliver(&to_client, cli, now);
		}
		sf_recv(cli, c, &b, 1);
		sf_recv(srv, s, &b, 1);
		if (run.opts.rst)
			sf_abort(cli, c);
		else
			sf_close(cli, c);
		for (int round = 0; round < 4; round++) {
			now += 1000;
			deliver(&to_server, srv, now);
			deliver(&to_client, cli, now);
			if (round == 0) {
				sf_recv(srv, s, &b, 1);
				sf_close(srv, s);
			}
		}
		sf_advance(cli, now);
		sf_advance(srv, now);
		if (lc_lifecycle_done(&run))
			lc_tenth_done(&run, (long long)sf_stack_counters(cli)->TimeWaitCurrent);
	}
	lc_end(&run);
	lc_finish(&run, "; client TIME-WAIT records %llu, server CurrEstab %llu",
		  (unsigned long long)sf_stack_counters(cli)->TimeWaitCurrent,
		  (unsigned long long)sf_stack_counters(srv)->CurrEstab);
	sf_stack_free(cli);
	sf_stack_free(srv);
	return 0;
}
