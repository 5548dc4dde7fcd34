/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Initial sequence numbers between two synfin stacks on the simulated
 * network (10 ms one way), virtual time only: every connection gets its own
 * ISN (RFC 9293 §3.4.1, RFC 6528), while the bare 4 µs clock of RFC 793
 * (isn_mode SF_ISN_CLOCK_ONLY) is predictable to the nanosecond. A recorder
 * parses every datagram handed to the network, so the tests read the ISNs
 * off the SYNs and SYN,ACKs themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "wire/wire.h"

#define MAX_REC 8192

#define ISN_MAX 16
#define ISN_START_NS (18000ull * 1000000000ull + 1234567ull) /* 5 h: past one 2^32 x 4 µs wrap */

struct isn_run {
	size_t n;
	uint32_t isn[ISN_MAX];
	uint64_t t[ISN_MAX];
	int from[ISN_MAX];
	uint8_t flags[ISN_MAX];
	size_t exact;      /* later ISNs the observer predicted exactly from the first SYN */
};

static void cfg_clock_only(struct sf_config *cfg)
{
	cfg->isn_mode = SF_ISN_CLOCK_ONLY;
}

/* A opens 5 connections to B:80 at one instant; 777 ms later B opens 2 to
 * A:8080. Every SYN and SYN,ACK on the wire is collected; an observer who saw
 * only the first SYN (ISN at time t) predicts each later ISN by the 4 µs clock:
 * ISN' = ISN + (t'/4000 - t/4000). */
static void isn_run(uint64_t seed, bool clock_only, struct isn_run *out)
{
	struct scenario *sc = sc_new(seed, 10);
	int A = sc_add_host(sc, "A", clock_only ? cfg_clock_only : NULL);
	int B = sc_add_host(sc, "B", clock_only ? cfg_clock_only : NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lb = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	int la = sc_listen(sc, A, SF_AF_INET, 8080, 16, 0);
	struct sc_want est[8];
	int k = 0;

	sf_sim_run_until(sc->sim, ISN_START_NS);
	for (int i = 0; i < 5; i++) {
		struct sf_endpoint srv = sc_ep(B, 80);
		est[k++] = (struct sc_want){ A, sc_connect(sc, A, 0, false, srv), SF_ESTABLISHED };
	}
	est[k] = (struct sc_want){ -1, 0, 0 };
	assert_true(sc_run_until(sc, sc_reached, est, 1000));
	sf_sim_run_until(sc->sim, ISN_START_NS + 777 * SC_MS + 4321);
	for (int i = 0; i < 2; i++) {
		struct sf_endpoint srv = sc_ep(A, 8080);
		est[k++] = (struct sc_want){ B, sc_connect(sc, B, 0, false, srv), SF_ESTABLISHED };
	}
	est[k] = (struct sc_want){ -1, 0, 0 };
	assert_true(sc_run_until(sc, sc_reached, est, 1000));
	/* Five different source ports on A. */
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < i; j++)
			assert_int_not_equal(sc_local_port(sc, A, est[i].sock), sc_local_port(sc, A, est[j].sock));

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < r->n; i++) {
		if (!(r->seg[i].flags & SF_TCP_SYN))
			continue;
		assert_true(out->n < ISN_MAX);
		out->isn[out->n] = r->seg[i].seq;
		out->t[out->n] = r->seg[i].t;
		out->from[out->n] = r->seg[i].from;
		out->flags[out->n] = r->seg[i].flags;
		out->n++;
	}
	assert_int_equal(out->n, 14); /* 7 SYNs, 7 SYN,ACKs: nothing retransmitted */
	assert_int_equal(out->flags[0], SF_TCP_SYN);
	assert_int_equal(out->from[0], A);
	uint32_t offset = out->isn[0] - (uint32_t)(out->t[0] / 4000);
	for (size_t i = 1; i < out->n; i++)
		out->exact += out->isn[i] == (uint32_t)(out->t[i] / 4000) + offset;
	sf_close(sc_app(sc, A), la);
	sf_close(sc_app(sc, B), lb);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.4.1 (MUST-8, SHLD-1), RFC 6528: 5+2 connections between two hosts, 14 SYNs and SYN,ACKs, 14 different ISNs; the clock does not predict them. */
static void test_every_isn_differs(void **unused)
{
	(void)unused;
	struct isn_run run;

	isn_run(134, false, &run);
	for (size_t i = 0; i < run.n; i++)
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(run.isn[i], run.isn[j]);
	/* Five SYNs left A at the same nanosecond: only the keyed hash of the
	 * 4-tuple told their ISNs apart. */
	for (size_t i = 1; i < 5; i++) {
		assert_int_equal(run.from[i], 0);
		assert_int_equal(run.flags[i], SF_TCP_SYN);
		assert_int_equal(run.t[i], run.t[0]);
	}
	/* The hash moves the ISN off the bare clock, and differently per
	 * 4-tuple: the observer's prediction misses every one. */
	assert_int_not_equal(run.isn[0], (uint32_t)(run.t[0] / 4000));
	assert_int_equal(run.exact, 0);
}

/* RFC 6528 §1 (the RFC 793 clock is predictable): with isn_mode SF_ISN_CLOCK_ONLY every ISN is now_ns/4000 mod 2^32 and the observer predicts all 13 later ones exactly. */
static void test_clock_only_isn_is_predictable(void **unused)
{
	(void)unused;
	struct isn_run run;

	assert_true(ISN_START_NS / 4000 > UINT32_MAX); /* the counter has wrapped once */
	isn_run(1342, true, &run);
	for (size_t i = 0; i < run.n; i++)
		assert_int_equal(run.isn[i], (uint32_t)(run.t[i] / 4000));
	assert_int_equal(run.exact, run.n - 1);
	/* Worse: the five connections A opened in one instant share one ISN. */
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(run.isn[i], run.isn[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_isn_differs),
		cmocka_unit_test(test_clock_only_isn_is_predictable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
