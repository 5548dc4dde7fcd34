/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared pieces of the bulk-throughput benchmarks (synfin and lwIP): command
 * line, the byte pattern both senders send, the seeded loss PRNG, the wall
 * clock, and the result row (table + CSV). Nothing here reads a clock for the
 * stacks: only the benchmark's own wall-clock measurement uses CLOCK_MONOTONIC.
 */
#ifndef SYNFIN_BENCH_COMMON_H
#define SYNFIN_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The stream is a 64 KiB random pattern repeated: byte k of the stream is
 * bench_pattern[k % BENCH_PATTERN]. Senders hand out chunks of it straight from
 * this static buffer; receivers read into bench_rxbuf at offset (received %
 * BENCH_PATTERN), so that once the transfer is over bench_rxbuf must equal the
 * pattern (the last lap of the stream): one memcmp at the end, no per-byte cost. */
#define BENCH_PATTERN (64u * 1024u)
extern uint8_t bench_pattern[BENCH_PATTERN];
extern uint8_t bench_rxbuf[BENCH_PATTERN];

struct bench_opts {
	uint64_t bytes;        /* --bytes: payload A sends to B */
	double loss[4];        /* --loss (repeatable): loss rates A->B to run */
	int nloss;
	uint64_t seed;         /* --seed: loss PRNG seed */
	uint64_t step_ns;      /* --step-us: virtual time per delivery round */
	uint32_t bufsize;      /* --bufsize: socket buffers (synfin only) */
	int no_batch;          /* --no-batch: one sf_input per datagram, no input batches (synfin only) */
	int verify;            /* --verify: memcmp every read against the pattern */
	int repeat;            /* --repeat: runs per loss rate; the median (by wall time) is reported */
	int header;            /* print the table header (--no-header turns it off) */
	const char *csv;       /* --csv: CSV file to append to (header written if new) */
	const char *label;     /* --label: stack name in the output */
};

/* Parse argv into opts (defaults filled in first). Exits with usage on error. */
void bench_parse(int argc, char **argv, struct bench_opts *opts, const char *default_label,
		 int allow_bufsize);

/* Fill the pattern and clear the receive buffer. */
void bench_init_pattern(void);

/* xorshift64* PRNG for loss decisions. */
struct bench_loss {
	uint64_t state;
	uint64_t threshold; /* drop when the next draw is below this */
	int on;
};
void bench_loss_init(struct bench_loss *l, double rate, uint64_t seed);
/* xorshift64*: the next of the sequence in *state (never 0). */
static inline uint64_t bench_rand64(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ull;
}

static inline int bench_loss_drop(struct bench_loss *l)
{
	if (!l->on)
		return 0;
	return bench_rand64(&l->state) < l->threshold;
}

/* Payload bytes of an IPv4 TCP datagram (0 for a bare ACK, or if it does not parse). */
static inline size_t bench_tcp_payload(const uint8_t *d, size_t len)
{
	if (len < 40 || (d[0] >> 4) != 4)
		return 0;
	size_t ihl = (size_t)(d[0] & 15) * 4;
	size_t tot = (size_t)d[2] << 8 | d[3];
	if (tot > len || ihl + 20 > tot)
		return 0;
	size_t doff = (size_t)(d[ihl + 12] >> 4) * 4;
	return tot > ihl + doff ? tot - ihl - doff : 0;
}

/* Monotonic wall clock in ns (CLOCK_MONOTONIC). */
uint64_t bench_wall_ns(void);

/* Receiver side accounting shared by both benchmarks. */
struct bench_rx {
	uint64_t got;
	int bad; /* --verify found a wrong byte */
};
/* Where the next read goes and how much room there is before the wrap. */
static inline uint8_t *bench_rx_ptr(const struct bench_rx *rx, size_t *room)
{
	size_t off = (size_t)(rx->got % BENCH_PATTERN);
	*room = BENCH_PATTERN - off;
	return bench_rxbuf + off;
}
void bench_rx_done(struct bench_rx *rx, size_t n, int verify);
/* The end-of-transfer check: 1 if the last lap of the stream is intact. */
int bench_rx_check_tail(const struct bench_rx *rx);

/* One measured run. */
struct bench_result {
	const char *stack;
	double loss;
	uint64_t bytes;
	uint32_t bufsize;     /* socket buffers / window the stack had */
	uint64_t wall_ns;
	uint64_t data_segs;   /* A->B datagrams carrying payload, as sent (dropped ones included) */
	uint64_t retrans;     /* retransmitted data segments; UINT64_MAX if the stack does not count them */
	uint64_t acks;        /* B->A datagrams */
	uint64_t lost;        /* datagrams the loss PRNG dropped */
	uint64_t rounds;      /* delivery rounds */
	uint64_t virt_ns;     /* virtual time the transfer took */
	int ok;               /* byte count and end check passed */
	char note[200];       /* free text for the CSV (counters the stack keeps) */
};
void bench_print_header(void);
void bench_report(const struct bench_opts *opts, const struct bench_result *r);

/* Run fn opts->repeat times for each loss rate, report the median runs.
 * Returns the exit status: 0 if every run passed its checks. */
typedef struct bench_result (*bench_run_fn)(const struct bench_opts *opts, double loss);
int bench_run_all(const struct bench_opts *opts, bench_run_fn fn);

#endif
