/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-bulk: bulk throughput between two synfin stacks in one process,
 * one thread, no network.
 *
 * A (192.0.2.1) sends --bytes to B (192.0.2.2) over IPv4, MTU 1500 (MSS 1460).
 * Each stack's output callback copies the datagram into a preallocated FIFO
 * for the other stack (no malloc per datagram). The loop runs delivery rounds
 * on a virtual clock: each round hands the datagrams that were queued when it
 * began to sf_input, fires the timers that are due (sf_advance), lets the two
 * applications send and read, and moves the clock on by --step-us (10 µs).
 * When nothing is in flight the clock jumps to the next timer deadline (an RTO
 * after a lost tail, a delayed ACK), so timers behave without wall time spent
 * idling. Wall-clock time (CLOCK_MONOTONIC) is measured from ESTABLISHED on
 * both sides to the last byte read by B.
 *
 * A loss rate drops datagrams A->B with a seeded xorshift PRNG before they are
 * queued; nothing is dropped B->A.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "synfin.h"

#define SLOT 1536u /* bytes per FIFO slot: an MTU-1500 datagram fits */

struct fifo {
	uint8_t *data; /* slots * SLOT */
	uint16_t *len;
	uint64_t slots; /* a power of two */
	uint64_t head, tail;
	struct bench_loss loss;
	uint64_t lost, overflow, sent, payload_dgrams;
};

/* Room for two windows of full segments in one direction (at least 8192). */
static void fifo_init(struct fifo *f, uint32_t window, double loss, uint64_t seed)
{
	memset(f, 0, sizeof *f);
	f->slots = 8192;
	while (f->slots < 2ull * window / 1000)
		f->slots *= 2;
	f->data = malloc((size_t)f->slots * SLOT);
	f->len = malloc((size_t)f->slots * sizeof *f->len);
	if (!f->data || !f->len) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	/* touch every page now, not during the measurement */
	memset(f->data, 0, (size_t)f->slots * SLOT);
	bench_loss_init(&f->loss, loss, seed);
}

static void fifo_free(struct fifo *f)
{
	free(f->data);
	free(f->len);
}

/* The output callback of the stack on the sending side of this FIFO. */
static void fifo_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct fifo *f = ctx;
	f->sent++;
	if (bench_tcp_payload(dgram, len))
		f->payload_dgrams++;
	if (bench_loss_drop(&f->loss)) {
		f->lost++;
		return;
	}
	if (f->tail - f->head == f->slots || len > SLOT) {
		f->overflow++; /* a full queue drops at the tail, like a NIC ring */
		return;
	}
	size_t i = (size_t)(f->tail & (f->slots - 1));
	memcpy(f->data + i * SLOT, dgram, len);
	f->len[i] = (uint16_t)len;
	f->tail++;
}

/* Deliver the n oldest datagrams of f to st at time now: one input batch,
 * as a driver reading several datagrams per wake-up hands them over (the
 * receiver then ACKs once per round, RFC 9293 MUST-59), unless --no-batch. */
static void fifo_deliver(struct fifo *f, sf_stack *st, uint64_t now, uint64_t n, int batch)
{
	if (batch)
		sf_input_begin(st);
	for (; n; n--, f->head++) {
		size_t i = (size_t)(f->head & (f->slots - 1));
		sf_input(st, now, f->data + i * SLOT, f->len[i]);
	}
	if (batch)
		sf_input_end(st);
}

static sf_stack *make_stack(struct fifo *out, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t key)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int i = 0; i < 16; i++)
		cfg.secret[i] = (uint8_t)(key * 31 + i * 7);
	cfg.output = fifo_output;
	cfg.output_ctx = out;
	sf_stack *st = sf_stack_new(&cfg, 0);
	struct sf_addr addr = sf_addr_v4(a, b, c, d);
	if (!st || sf_stack_add_address(st, &addr, 1500) != 0) {
		fprintf(stderr, "cannot create a stack\n");
		exit(1);
	}
	return st;
}

static void die_errno(const char *what, long err)
{
	fprintf(stderr, "%s: %s\n", what, strerror((int)-err));
	exit(1);
}

static struct bench_result run(const struct bench_opts *o, double loss)
{
	struct fifo ab, ba; /* A->B and B->A */
	fifo_init(&ab, o->bufsize, loss, o->seed);
	fifo_init(&ba, o->bufsize, 0, 0);
	sf_stack *A = make_stack(&ab, 192, 0, 2, 1, 1);
	sf_stack *B = make_stack(&ba, 192, 0, 2, 2, 2);
	const uint16_t port = 5001;

	int lst = sf_socket(B, SF_AF_INET);
	struct sf_endpoint local = { .addr = sf_addr_v4(192, 0, 2, 2), .port = port };
	long err;
	if (lst < 0)
		die_errno("sf_socket", lst);
	if ((err = sf_set_bufsizes(B, lst, o->bufsize, o->bufsize)) != 0)
		die_errno("sf_set_bufsizes", err);
	if ((err = sf_bind(B, lst, &local)) != 0 || (err = sf_listen(B, lst, 4)) != 0)
		die_errno("bind/listen", err);

	int cs = sf_socket(A, SF_AF_INET);
	if (cs < 0)
		die_errno("sf_socket", cs);
	if ((err = sf_set_bufsizes(A, cs, o->bufsize, o->bufsize)) != 0)
		die_errno("sf_set_bufsizes", err);
	if ((err = sf_set_nodelay(A, cs, 1)) != 0)
		die_errno("sf_set_nodelay", err);
	if ((err = sf_connect(A, cs, &local)) != -EINPROGRESS)
		die_errno("sf_connect", err);

	int ss = -1;
	uint64_t now = 0, sent = 0, rounds = 0;
	uint64_t t0 = 0, v0 = 0, segs0 = 0, acks0 = 0, lost0 = 0, out0 = 0, re0 = 0, fr0 = 0, sr0 = 0, to0 = 0;
	struct bench_rx rx = { 0 };
	int started = 0;
	struct bench_result r = { .stack = o->label, .loss = loss, .bytes = o->bytes, .bufsize = o->bufsize };
	uint64_t idle_since = 0;

	for (;;) {
		/* one delivery round: what was queued before it began */
		uint64_t nab = ab.tail - ab.head, nba = ba.tail - ba.head;
		fifo_deliver(&ab, B, now, nab, !o->no_batch);
		fifo_deliver(&ba, A, now, nba, !o->no_batch);
		if (sf_next_deadline(A) <= now)
			sf_advance(A, now);
		if (sf_next_deadline(B) <= now)
			sf_advance(B, now);
		if (started)
			rounds++;

		/* the applications */
		if (ss < 0) {
			ss = sf_accept(B, lst, NULL);
			if (ss < 0 && ss != -EAGAIN)
				die_errno("sf_accept", ss);
		}
		if (!started && ss >= 0 && sf_state(A, cs) == SF_ESTABLISHED) {
			started = 1;
			t0 = bench_wall_ns();
			v0 = now;
			const struct sf_counters *k = sf_stack_counters(A);
			out0 = k->OutSegs;
			re0 = k->RetransSegs;
			fr0 = k->TCPFastRetrans;
			sr0 = k->TCPSackRecovery;
			to0 = k->TCPTimeouts;
			segs0 = ab.payload_dgrams;
			acks0 = ba.sent;
			lost0 = ab.lost;
		}
		if (started) {
			while (sent < o->bytes) {
				size_t off = (size_t)(sent % BENCH_PATTERN);
				uint64_t left = o->bytes - sent;
				size_t n = BENCH_PATTERN - off;
				if (left < n)
					n = (size_t)left;
				long m = sf_send(A, cs, bench_pattern + off, n);
				if (m == -EAGAIN)
					break;
				if (m <= 0)
					die_errno("sf_send", m);
				sent += (uint64_t)m;
			}
			for (;;) {
				size_t room;
				uint8_t *p = bench_rx_ptr(&rx, &room);
				long m = sf_recv(B, ss, p, room);
				if (m > 0) {
					bench_rx_done(&rx, (size_t)m, o->verify);
					continue;
				}
				if (m != -EAGAIN)
					die_errno("sf_recv", m == 0 ? -EPIPE : m);
				break;
			}
			if (rx.got >= o->bytes)
				break;
		}

		/* the clock */
		if (ab.tail == ab.head && ba.tail == ba.head) {
			uint64_t da = sf_next_deadline(A), db = sf_next_deadline(B);
			uint64_t next = da < db ? da : db;
			if (next == UINT64_MAX) {
				fprintf(stderr, "stalled: nothing in flight and no timer armed (%llu/%llu bytes)\n",
					(unsigned long long)rx.got, (unsigned long long)o->bytes);
				exit(1);
			}
			if (!idle_since)
				idle_since = now ? now : 1;
			else if (now - idle_since > 600ull * 1000000000ull) {
				fprintf(stderr, "stalled: ten virtual minutes without a datagram (%llu/%llu bytes)\n",
					(unsigned long long)rx.got, (unsigned long long)o->bytes);
				exit(1);
			}
			now = next > now + o->step_ns ? next : now + o->step_ns;
		} else {
			idle_since = 0;
			now += o->step_ns;
		}
	}
	uint64_t t1 = bench_wall_ns();

	const struct sf_counters *k = sf_stack_counters(A);
	r.wall_ns = t1 - t0;
	r.virt_ns = now - v0;
	r.rounds = rounds;
	r.data_segs = ab.payload_dgrams - segs0;
	r.retrans = k->RetransSegs - re0;
	r.acks = ba.sent - acks0;
	r.lost = ab.lost - lost0;
	r.ok = rx.got == o->bytes && bench_rx_check_tail(&rx) && ab.overflow == 0 && ba.overflow == 0;
	if (ab.overflow || ba.overflow)
		fprintf(stderr, "warning: FIFO overflow (%llu A->B, %llu B->A)\n", (unsigned long long)ab.overflow,
			(unsigned long long)ba.overflow);
	/* Cross-check the wire count against the stack's own counters. */
	uint64_t by_counters = (k->OutSegs - out0) + r.retrans;
	if (by_counters < r.data_segs)
		fprintf(stderr, "warning: A's OutSegs+RetransSegs (%llu) below the data segments seen (%llu)\n",
			(unsigned long long)by_counters, (unsigned long long)r.data_segs);
	snprintf(r.note, sizeof r.note, "OutSegs %llu RetransSegs %llu FastRetrans %llu SackRecovery %llu Timeouts %llu",
		 (unsigned long long)(k->OutSegs - out0), (unsigned long long)r.retrans,
		 (unsigned long long)(k->TCPFastRetrans - fr0), (unsigned long long)(k->TCPSackRecovery - sr0),
		 (unsigned long long)(k->TCPTimeouts - to0));

	sf_close(B, ss);
	sf_close(B, lst);
	sf_close(A, cs);
	sf_stack_free(A);
	sf_stack_free(B);
	fifo_free(&ab);
	fifo_free(&ba);
	return r;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse(argc, argv, &o, "synfin", 1);
	bench_init_pattern();
	return bench_run_all(&o, run);
}
