/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bulk transfers between two stacks over faulty links (RFC 9293 §3.8, data
 * communication): both directions at once, every byte checked against the
 * sender's generator as it is read (in order, no gap, no duplicate,
 * bit-exact), then an orderly close on both sides. Sizes from 1 kB to 64 MB; loss, duplication,
 * reordering, corruption (bit flips the checksum must catch) and delay.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

struct stream {
	uint64_t gen_tx, gen_rx; /* generator states: next byte to send / to expect */
	uint64_t total, sent, got;
	bool shut, eof, bad;
};

static uint8_t next_byte(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(*s >> 56);
}

struct end {
	int host, sock;
	struct stream out; /* what this end sends */
	struct stream *in; /* the peer's stream, checked as we read it */
	int error;
	bool closed;
};

static void pump(struct scenario *sc, struct end *e)
{
	sf_stack *st = sc_stack(sc, e->host);
	uint8_t buf[16384];

	if (e->closed)
		return;
	while (e->out.sent < e->out.total) {
		uint64_t left = e->out.total - e->out.sent;
		size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
		uint64_t g = e->out.gen_tx;
		for (size_t i = 0; i < n; i++)
			buf[i] = next_byte(&g);
		long m = sf_send(st, e->sock, buf, n);
		if (m <= 0) {
			if (m != -EAGAIN)
				e->error = (int)m;
			break;
		}
		/* advance the generator by exactly what was taken */
		for (long i = 0; i < m; i++)
			next_byte(&e->out.gen_tx);
		e->out.sent += (uint64_t)m;
	}
	if (e->out.sent == e->out.total && !e->out.shut) {
		assert_int_equal(sf_shutdown(st, e->sock, SF_SHUT_WR), 0);
		e->out.shut = true;
	}
	for (;;) {
		long m = sf_recv(st, e->sock, buf, sizeof buf);
		if (m > 0) {
			for (long i = 0; i < m; i++)
				if (buf[i] != next_byte(&e->in->gen_rx))
					e->in->bad = true;
			e->in->got += (uint64_t)m;
			continue;
		}
		if (m == 0)
			e->in->eof = true;
		else if (m != -EAGAIN)
			e->error = (int)m;
		break;
	}
	if (e->in->eof && e->out.shut && !e->closed) {
		sf_close(st, e->sock);
		e->closed = true;
	}
}

/* sc_run_until: neither host holds a connection or a TIME-WAIT record. */
static bool all_closed(struct scenario *sc, void *ctx)
{
	(void)ctx;
	for (int h = 0; h < 2; h++) {
		const struct sf_counters *k = sf_stack_counters(sc_stack(sc, h));
		if (k->CurrEstab || k->TimeWaitCurrent || k->TCPOrphans)
			return false;
	}
	return true;
}

struct bulk_case {
	const char *name;
	uint64_t a_to_b, b_to_a;
	uint64_t delay_ms;
	double loss, dup, reorder, corrupt;
};

static void run_case(const struct bulk_case *bc, uint64_t seed)
{
	struct scenario *sc = sc_new(seed, bc->delay_ms);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sf_sim_link link = {
		.delay_ns = bc->delay_ms * SC_MS, .jitter_ns = bc->reorder > 0 ? 2 * SC_MS : 0,
		.loss = bc->loss, .duplicate = bc->dup, .reorder = bc->reorder,
		.reorder_delay_ns = 3 * bc->delay_ms * SC_MS / 2 + SC_MS, .corrupt = bc->corrupt,
	};
	sf_sim_set_all_links(sc->sim, &link);

	sf_stack *sa = sc_stack(sc, A), *sb = sc_stack(sc, B);
	int lst = sf_socket(sb, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 9 };
	assert_int_equal(sf_bind(sb, lst, &any), 0);
	assert_int_equal(sf_listen(sb, lst, 4), 0);
	struct end ea = { .host = A, .sock = sf_socket(sa, SF_AF_INET) };
	struct end eb = { .host = B, .sock = -1 };
	ea.out = (struct stream){ .gen_tx = seed * 3 + 1, .gen_rx = seed * 3 + 1, .total = bc->a_to_b };
	eb.out = (struct stream){ .gen_tx = seed * 5 + 2, .gen_rx = seed * 5 + 2, .total = bc->b_to_a };
	ea.in = &eb.out;
	eb.in = &ea.out;
	struct sf_endpoint to = sc_ep(B, 9);
	assert_int_equal(sf_connect(sa, ea.sock, &to), -EINPROGRESS);

	uint64_t ms;
	for (ms = 0; ms < 3600 * 1000; ms++) {
		sc_run_for(sc, 1);
		if (eb.sock < 0)
			eb.sock = sf_accept(sb, lst, NULL);
		if (sf_state(sa, ea.sock) == SF_SYN_SENT)
			continue;
		pump(sc, &ea);
		if (eb.sock >= 0)
			pump(sc, &eb);
		if (ea.error || eb.error)
			fail_msg("%s: error %d / %d after %llu ms", bc->name, ea.error, eb.error,
				 (unsigned long long)ms);
		if (ea.closed && eb.closed)
			break;
	}
	if (!(ea.closed && eb.closed))
		fail_msg("%s: not done after an hour: A->B %llu/%llu, B->A %llu/%llu", bc->name,
			 (unsigned long long)eb.in->got, (unsigned long long)bc->a_to_b,
			 (unsigned long long)ea.in->got, (unsigned long long)bc->b_to_a);
	assert_false(ea.out.bad);
	assert_false(eb.out.bad);
	assert_int_equal(ea.out.got, bc->a_to_b);
	assert_int_equal(eb.out.got, bc->b_to_a);
	/* Both ends close cleanly: nothing left after the TIME-WAIT of the
	 * first closer (or of both, after a simultaneous close whose last ACK
	 * a lossy path delayed by a few backed-off FINs). */
	assert_true(sc_run_until(sc, all_closed, NULL, 3600 * 1000));
	for (int h = 0; h < 2; h++) {
		const struct sf_counters *k = sf_stack_counters(sc_stack(sc, h));
		assert_int_equal(k->CurrEstab, 0);
		assert_int_equal(k->TimeWaitCurrent, 0);
		assert_int_equal(k->TCPOrphans, 0);
		assert_int_equal(k->EstabResets, 0);
	}
	if (getenv("SYNFIN_BULK_VERBOSE"))
		printf("%-28s %6.1f s virtual, retrans A %llu B %llu, fast A %llu, timeouts A %llu\n", bc->name,
		       (double)sf_sim_now(sc->sim) / 1e9 - 300,
		       (unsigned long long)sf_stack_counters(sa)->RetransSegs,
		       (unsigned long long)sf_stack_counters(sb)->RetransSegs,
		       (unsigned long long)sf_stack_counters(sa)->TCPFastRetrans,
		       (unsigned long long)sf_stack_counters(sa)->TCPTimeouts);
	sf_close(sb, lst);
	sc_free(sc);
}

#define KB 1024ull
#define MB (1024ull * 1024ull)

static const struct bulk_case cases[] = {
	{ "1 kB each way, clean", 1 * KB, 1 * KB, 10, 0, 0, 0, 0 },
	{ "1 MB each way, clean", 1 * MB, 1 * MB, 5, 0, 0, 0, 0 },
	{ "64 MB each way, clean", 64 * MB, 64 * MB, 1, 0, 0, 0, 0 },
	{ "4 MB each way, 1% loss", 4 * MB, 4 * MB, 5, 0.01, 0, 0, 0 },
	{ "1 MB each way, 5% loss", 1 * MB, 1 * MB, 5, 0.05, 0, 0, 0 },
	{ "256 kB each way, 20% loss", 256 * KB, 256 * KB, 5, 0.20, 0, 0, 0 },
	{ "1 MB each way, 20% loss, delay", 1 * MB, 1 * MB, 30, 0.20, 0, 0, 0 },
	{ "1 MB, reorder 20%", 1 * MB, 1 * MB, 5, 0, 0, 0.20, 0 },
	{ "1 MB, duplicate 10%", 1 * MB, 1 * MB, 5, 0, 0.10, 0, 0 },
	{ "1 MB, corrupt 5%", 1 * MB, 1 * MB, 5, 0, 0, 0, 0.05 },
	{ "1 MB, everything at once", 1 * MB, 1 * MB, 20, 0.05, 0.05, 0.10, 0.02 },
};

static void test_bulk(void **state)
{
	(void)state;
	const char *only = getenv("SYNFIN_BULK_CASE");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (!only || strstr(cases[i].name, only))
			run_case(&cases[i], 1000 + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
