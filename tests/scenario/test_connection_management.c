/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connection management between two synfin stacks on the simulated network
 * (10 ms one way), driven on virtual time, with the faults that test it: a
 * lost SYN and FIN, the half-close, crossing SYNs and FINs, TIME-WAIT and
 * the reuse of its 4-tuple, a peer that never closes, a full accept queue, a
 * crashed host found by its half-open connection or by keepalive, and a
 * stray old segment that tries to end TIME-WAIT. Each test pins what the
 * stack must show: the states it passes through, the segments on the wire,
 * the counters and what the application is told.
 *
 * A recorder replaces the harness's sim observer so that the tests can see
 * every datagram handed to the network (flags, numbers, times); it keeps
 * sc->segments_sent counting as the harness does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "base/seq.h"
#include "wire/wire.h"

#define MAX_REC 4096

#define ALL_FLAGS 0xff

/* ---- the applications ------------------------------------------------------ */

/* host streams len bytes to the peer, which reads them as they come. */
struct stream {
	int host, sock, phost, psock;
	size_t len, sent, got;
};

static bool stream_step(struct scenario *sc, void *ctx)
{
	struct stream *x = ctx;
	static uint8_t chunk[16384];
	long n;

	while (x->sent < x->len) {
		size_t want = x->len - x->sent < sizeof chunk ? x->len - x->sent : sizeof chunk;
		n = sf_send(sc_stack(sc, x->host), x->sock, chunk, want);
		if (n <= 0)
			break;
		x->sent += (size_t)n;
	}
	while ((n = sf_recv(sc_stack(sc, x->phost), x->psock, chunk, sizeof chunk)) > 0)
		x->got += (size_t)n;
	return x->got == x->len;
}

static void stream(struct scenario *sc, int host, int sock, int phost, int psock, size_t len, uint64_t limit_ms)
{
	struct stream x = { host, sock, phost, psock, len, 0, 0 };

	sc_app(sc, host);
	assert_true(sc_run_until(sc, stream_step, &x, limit_ms));
}

static void cfg_msl_1s(struct sf_config *cfg)
{
	cfg->msl_ms = 1000;
}

/* ---- a lost SYN and a lost FIN ---------------------------------------------- */

/* RFC 9293 §3.5 Figure 6 and §3.6 Figure 12, RFC 6298 §5: the SYN and the FIN are lost and retransmitted; the numbers of all seven segments. */
static void test_lost_syn_and_lost_fin(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(131, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);

	/* Open with the client's SYN lost: it goes again after the initial RTO of 1 s. */
	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	int c = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	int s = sc_establish(sc, A, c, B, lst, 5000);
	assert_int_equal(r->n, 4);
	const struct sc_rec_seg *syn = &r->seg[0], *resyn = &r->seg[1], *synack = &r->seg[2], *ack = &r->seg[3];
	assert_int_equal(syn->from, A);
	assert_int_equal(syn->flags, SF_TCP_SYN);
	assert_true(syn->has_mss);
	assert_int_equal(syn->mss, 1460);
	assert_int_equal(resyn->flags, SF_TCP_SYN);
	assert_int_equal(resyn->seq, syn->seq);
	assert_int_equal(resyn->t - syn->t, 1000 * SC_MS);
	assert_int_equal(synack->from, B);
	assert_int_equal(synack->flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(synack->ack, syn->seq + 1);      /* ISN(c) + 1 */
	assert_true(synack->has_mss);
	assert_int_equal(ack->from, A);
	assert_int_equal(ack->flags & SC_CTL, SF_TCP_ACK);
	assert_int_equal(ack->seq, syn->seq + 1);         /* the SYN took one number */
	assert_int_equal(ack->ack, synack->seq + 1);      /* ISN(s) + 1 */
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_RetransSegs), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_ActiveOpens), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_PassiveOpens), 1);
	assert_true(sc_saw(sc, A, SF_SYN_SENT, SF_ESTABLISHED));
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_ESTABLISHED));

	char got[8];
	sc_send_all(sc, A, c, "hello", 5);
	sc_read_exactly(sc, B, s, got, 5, 1000);
	assert_memory_equal(got, "hello", 5);

	/* Close with the client's FIN lost: it is retransmitted until ACKed. */
	size_t mark = r->n;
	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	sc_read_eof(sc, B, s, 10000);
	long f1 = sc_rec_find(r, mark, A, SF_TCP_FIN, SF_TCP_FIN);
	assert_true(f1 >= 0);
	long f2 = sc_rec_find(r, (size_t)f1 + 1, A, SF_TCP_FIN, SF_TCP_FIN);
	assert_true(f2 >= 0);
	uint32_t K = r->seg[f1].seq;
	assert_int_equal(K, syn->seq + 1 + 5);            /* after the SYN and the data */
	assert_int_equal(r->seg[f2].seq, K);
	assert_true(r->seg[f2].t > r->seg[f1].t);
	assert_int_equal(sc_counter(sc, A, SF_CTR_RetransSegs), 2);
	long fa = sc_rec_find(r, (size_t)f2, B, SC_CTL, SF_TCP_ACK);
	assert_true(fa >= 0);
	assert_int_equal(r->seg[fa].ack, K + 1);          /* the FIN took one number */
	assert_int_equal(sf_state(sc_stack(sc, B), s), SF_CLOSE_WAIT);
	sc_run_for(sc, 100); /* the ACK of the FIN reaches the client */
	assert_true(sc_saw(sc, A, SF_FIN_WAIT_1, SF_FIN_WAIT_2));

	/* The server closes: FIN L, the final ACK L+1, the client in TIME-WAIT. */
	mark = r->n;
	assert_int_equal(sf_close(sc_app(sc, B), s), 0);
	sc_run_for(sc, 100);
	long bf = sc_rec_find(r, mark, B, SF_TCP_FIN, SF_TCP_FIN);
	assert_true(bf >= 0);
	uint32_t L = r->seg[bf].seq;
	assert_int_equal(r->seg[bf].ack, K + 1);
	long last = sc_rec_find(r, (size_t)bf, A, SC_CTL, SF_TCP_ACK);
	assert_true(last >= 0);
	assert_int_equal(r->seg[last].seq, K + 1);
	assert_int_equal(r->seg[last].ack, L + 1);
	assert_true(sc_saw(sc, A, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_true(sc_saw(sc, B, SF_CLOSE_WAIT, SF_LAST_ACK));
	assert_true(sc_saw(sc, B, SF_LAST_ACK, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPOrphans), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

static void no_timestamps(struct sf_config *cfg)
{
	cfg->timestamps = 0;
}

/* RFC 6298 §5.7 and Karn's algorithm (RFC 9293 MUST-18): after a lost SYN (and without timestamps, which would time it unambiguously) no RTT sample is taken and the RTO for data is 3 s. */
static void test_rto_after_syn_timeout(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1312, 10);
	int A = sc_add_host(sc, "client", no_timestamps), B = sc_add_host(sc, "server", no_timestamps);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);

	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	int c = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	int s = sc_establish(sc, A, c, B, lst, 5000);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 1);

	/* The first data segment is lost: its retransmission waits 3 s, not
	 * the 3.06 s an RTT "sample" of 1.02 s from the ambiguous SYN would give. */
	size_t mark = r->n;
	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	sc_send_all(sc, A, c, "data", 4);
	char got[4];
	sc_read_exactly(sc, B, s, got, 4, 10000);
	long d1 = sc_rec_find(r, mark, A, SF_TCP_PSH, SF_TCP_PSH);
	assert_true(d1 >= 0);
	long d2 = sc_rec_find(r, (size_t)d1 + 1, A, SF_TCP_PSH, SF_TCP_PSH);
	assert_true(d2 >= 0);
	assert_int_equal(r->seg[d2].seq, r->seg[d1].seq);
	assert_int_equal(r->seg[d2].t - r->seg[d1].t, 3000 * SC_MS);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- the half-close --------------------------------------------------------- */

/* RFC 9293 §3.6.1: the client half-closes with shutdown(SHUT_WR) and still reads 10 kB the server sends from CLOSE-WAIT. */
static void test_half_close(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(132, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);

	assert_int_equal(sf_shutdown(sc_app(sc, A), c, SF_SHUT_WR), 0);
	sc_read_eof(sc, B, s, 1000);
	struct sc_want half[] = { { A, c, SF_FIN_WAIT_2 }, { B, s, SF_CLOSE_WAIT }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, half, 1000));
	assert_int_equal(sf_send(sc_app(sc, A), c, "x", 1), -EPIPE); /* its sending half is closed */

	/* The server, in CLOSE-WAIT, still sends 10 kB; the client reads it all. */
	enum { N = 10240 };
	static uint8_t out[N], in[N];
	for (size_t i = 0; i < N; i++)
		out[i] = (uint8_t)(i * 7 + i / 251);
	size_t mark = r->n;
	sc_send_all(sc, B, s, out, N);
	sc_read_exactly(sc, A, c, in, N, 5000);
	assert_memory_equal(in, out, N);
	size_t bytes = 0;
	for (size_t i = mark; i < r->n; i++) {
		if (r->seg[i].from != B)
			continue;
		assert_true(r->seg[i].len <= 1460); /* the MSS the client announced (RFC 9293 §3.7.1) */
		bytes += r->seg[i].len;
	}
	assert_int_equal(bytes, N);
	assert_int_equal(sc_counter(sc, B, SF_CTR_RetransSegs), 0);

	/* Now the server closes: the client gets end of stream and sits in TIME-WAIT. */
	assert_int_equal(sf_close(sc_app(sc, B), s), 0);
	sc_read_eof(sc, A, c, 1000);
	struct sc_want end[] = { { A, c, SF_TIME_WAIT }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, end, 1000));
	sc_run_for(sc, 100);
	assert_true(sc_saw(sc, A, SF_ESTABLISHED, SF_FIN_WAIT_1));
	assert_true(sc_saw(sc, A, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	assert_true(sc_saw(sc, A, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_true(sc_saw(sc, B, SF_ESTABLISHED, SF_CLOSE_WAIT));
	assert_true(sc_saw(sc, B, SF_CLOSE_WAIT, SF_LAST_ACK));
	assert_true(sc_saw(sc, B, SF_LAST_ACK, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_EstabResets), 0);

	/* The client application lets go of its handle: nothing is left behind
	 * but the TIME-WAIT record (no orphan that never ends). */
	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	assert_int_equal(sf_state(sc_stack(sc, A), c), -EBADF);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);
	sc_run_for(sc, 240000);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TW), 1);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- simultaneous open and close -------------------------------------------- */

/* RFC 9293 §3.5 Figure 7 (MUST-10) and §3.6 Figure 13: crossing SYNs make one connection in 4 segments; crossing FINs close it in 4. */
static void test_simultaneous_open_and_close(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(133, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);

	/* Both open actively at the same virtual time. */
	int a = sc_connect(sc, A, 7777, false, sc_ep(B, 8888));
	int b = sc_connect(sc, B, 8888, false, sc_ep(A, 7777));
	struct sc_want est[] = { { A, a, SF_ESTABLISHED }, { B, b, SF_ESTABLISHED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, est, 1000));
	sc_run_for(sc, 5000); /* no bare ACK follows, nothing is retransmitted */
	assert_int_equal(r->n, 4);
	assert_int_equal(sc->segments_sent, 4);
	long sa = sc_rec_find(r, 0, A, ALL_FLAGS, SF_TCP_SYN), sb = sc_rec_find(r, 0, B, ALL_FLAGS, SF_TCP_SYN);
	long saa = sc_rec_find(r, 0, A, ALL_FLAGS, SF_TCP_SYN | SF_TCP_ACK);
	long sba = sc_rec_find(r, 0, B, ALL_FLAGS, SF_TCP_SYN | SF_TCP_ACK);
	assert_true(sa >= 0 && sb >= 0 && saa >= 0 && sba >= 0);
	assert_true(sa < saa && sb < sba);
	/* Each SYN,ACK repeats its own SYN's number and ACKs the other's. */
	assert_int_equal(r->seg[saa].seq, r->seg[sa].seq);
	assert_int_equal(r->seg[saa].ack, r->seg[sb].seq + 1);
	assert_int_equal(r->seg[sba].seq, r->seg[sb].seq);
	assert_int_equal(r->seg[sba].ack, r->seg[sa].seq + 1);
	for (int h = A; h <= B; h++) {
		assert_true(sc_saw(sc, h, SF_CLOSED, SF_SYN_SENT));
		assert_true(sc_saw(sc, h, SF_SYN_SENT, SF_SYN_RECEIVED));
		assert_true(sc_saw(sc, h, SF_SYN_RECEIVED, SF_ESTABLISHED));
		assert_false(sc_saw(sc, h, SF_SYN_SENT, SF_ESTABLISHED));
		assert_int_equal(sc_counter(sc, h, SF_CTR_ActiveOpens), 1);
		assert_int_equal(sc_counter(sc, h, SF_CTR_PassiveOpens), 0);
		assert_int_equal(sc_counter(sc, h, SF_CTR_CurrEstab), 1);
		assert_int_equal(sc_counter(sc, h, SF_CTR_RetransSegs), 0);
		assert_int_equal(sc_counter(sc, h, SF_CTR_OutRsts), 0);
	}

	/* One connection: data flows both ways. */
	char got[4];
	sc_send_all(sc, A, a, "ping", 4);
	sc_read_exactly(sc, B, b, got, 4, 1000);
	assert_memory_equal(got, "ping", 4);
	sc_send_all(sc, B, b, "pong", 4);
	sc_read_exactly(sc, A, a, got, 4, 1000);
	assert_memory_equal(got, "pong", 4);
	sc_run_for(sc, 100);

	/* Both close at the same virtual time: the FINs cross. */
	size_t mark = r->n;
	assert_int_equal(sf_close(sc_app(sc, A), a), 0);
	assert_int_equal(sf_close(sc_app(sc, B), b), 0);
	sc_run_for(sc, 1000);
	assert_int_equal(r->n - mark, 4);
	assert_int_equal(sc_rec_count(r, mark, A, SC_CTL, SF_TCP_FIN | SF_TCP_ACK), 1);
	assert_int_equal(sc_rec_count(r, mark, B, SC_CTL, SF_TCP_FIN | SF_TCP_ACK), 1);
	assert_int_equal(sc_rec_count(r, mark, A, SC_CTL, SF_TCP_ACK), 1);
	assert_int_equal(sc_rec_count(r, mark, B, SC_CTL, SF_TCP_ACK), 1);
	for (int h = A; h <= B; h++) {
		assert_true(sc_saw(sc, h, SF_ESTABLISHED, SF_FIN_WAIT_1));
		assert_true(sc_saw(sc, h, SF_FIN_WAIT_1, SF_CLOSING));
		assert_true(sc_saw(sc, h, SF_CLOSING, SF_TIME_WAIT));
		assert_false(sc_saw(sc, h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
		assert_int_equal(sc_counter(sc, h, SF_CTR_TimeWaitCurrent), 1);
		assert_int_equal(sc_counter(sc, h, SF_CTR_CurrEstab), 0);
		assert_int_equal(sc_counter(sc, h, SF_CTR_TCPOrphans), 0);
	}
	free(r);
	sc_free(sc);
}

/* ---- TIME-WAIT -------------------------------------------------------------- */

static void cfg_two_ephemeral_ports(struct sf_config *cfg)
{
	cfg->ephemeral_lo = 40000;
	cfg->ephemeral_hi = 40001;
}

/* Connect client -> server:80, exchange a byte, and let the side `first` close first. */
static void open_and_close(struct scenario *sc, int A, int B, int c, int s, int first)
{
	int second = first == A ? B : A;
	int fs = first == A ? c : s, ss = first == A ? s : c;
	char x;

	sc_send_all(sc, A, c, "x", 1);
	sc_read_exactly(sc, B, s, &x, 1, 1000);
	assert_int_equal(sf_close(sc_app(sc, first), fs), 0);
	sc_read_eof(sc, second, ss, 1000);
	assert_int_equal(sf_close(sc_app(sc, second), ss), 0);
	sc_run_for(sc, 100);
	assert_int_equal(sc_counter(sc, first, SF_CTR_TimeWaitCurrent), 1);
	assert_true(sc_saw(sc, second, SF_LAST_ACK, SF_CLOSED));
}

/* RFC 9293 §3.6.1 MUST-13: a 4-tuple in TIME-WAIT on the client cannot be opened again: bind+connect gets -EADDRNOTAVAIL, ephemeral ports skip it. */
static void test_client_time_wait_blocks_the_4tuple(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(136, 10);
	int A = sc_add_host(sc, "client", cfg_two_ephemeral_ports), B = sc_add_host(sc, "server", NULL);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);
	uint16_t P = sc_local_port(sc, A, c);
	assert_true(P == 40000 || P == 40001);
	open_and_close(sc, A, B, c, s, A);

	/* The same port again: taken without SO_REUSEADDR; with it the bind
	 * succeeds but the 4-tuple is still in TIME-WAIT. */
	sf_stack *st = sc_app(sc, A);
	struct sf_endpoint local = sc_ep(A, P), srv = sc_ep(B, 80);
	int n = sf_socket(st, SF_AF_INET);
	assert_int_equal(sf_bind(st, n, &local), -EADDRINUSE);
	assert_int_equal(sf_set_reuseaddr(st, n, 1), 0);
	assert_int_equal(sf_bind(st, n, &local), 0);
	assert_int_equal(sf_connect(st, n, &srv), -EADDRNOTAVAIL);
	assert_int_equal(sf_close(st, n), 0);

	/* An ephemeral port is never the TIME-WAIT one: the other port of the two. */
	int e = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	assert_int_equal(sc_local_port(sc, A, e), P == 40000 ? 40001 : 40000);
	int s2 = sc_establish(sc, A, e, B, lst, 1000);
	/* With the one other port busy too, there is none to give. */
	st = sc_app(sc, A);
	int f = sf_socket(st, SF_AF_INET);
	assert_int_equal(sf_connect(st, f, &srv), -EADDRNOTAVAIL);
	assert_int_equal(sf_close(st, f), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);

	/* 2MSL later (MSL 120 s by default) the 4-tuple is free again. */
	sc_run_for(sc, 240000);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TW), 1);
	int again = sc_connect(sc, A, P, true, sc_ep(B, 80));
	int s3 = sc_establish(sc, A, again, B, lst, 1000);
	(void)s2;
	(void)s3;
	sc_free(sc);
}

/* RFC 9293 §3.6.1 MAY-2, RFC 6191: by default a SYN beyond the old connection reopens a 4-tuple in TIME-WAIT on the server, with a higher ISN. */
static void test_server_time_wait_recycled(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1362, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	int c = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	uint32_t old_c_iss = r->seg[0].seq;
	int s = sc_establish(sc, A, c, B, lst, 1000);
	uint16_t P = sc_local_port(sc, A, c);
	/* The server sends far more than its ISN clock (250 000 a second) will
	 * have moved on by the time the client comes back: a fresh RFC 6528 ISN
	 * for the same 4-tuple would then fall inside the old sequence space;
	 * only the floor set by TIME-WAIT keeps the new ISN above it. */
	uint64_t t_open = sf_sim_now(sc->sim);
	stream(sc, B, s, A, c, 512 * 1024, 10000);
	open_and_close(sc, A, B, c, s, B);
	long bf = sc_rec_find(r, 0, B, SF_TCP_FIN, SF_TCP_FIN);
	assert_true(bf >= 0);
	uint32_t L = r->seg[bf].seq;
	assert_int_equal(sc_counter(sc, B, SF_CTR_TimeWaitCurrent), 1);

	/* The client comes back from the same port at once. */
	sc_run_for(sc, 100);
	assert_true((sf_sim_now(sc->sim) - t_open) / 4000 < 512 * 1024); /* the premise above */
	size_t mark = r->n;
	int c2 = sc_connect(sc, A, P, true, sc_ep(B, 80));
	int s2 = sc_establish(sc, A, c2, B, lst, 1000);
	assert_int_equal(r->n - mark, 3); /* SYN, SYN,ACK, ACK: no ACK-RST dance */
	const struct sc_rec_seg *syn = &r->seg[mark], *synack = &r->seg[mark + 1];
	assert_int_equal(syn->flags, SF_TCP_SYN);
	assert_true(seq_gt(syn->seq, old_c_iss + 1 + 1 + 1)); /* beyond SYN, 1 byte, FIN */
	assert_int_equal(synack->flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(synack->ack, syn->seq + 1);
	assert_true(seq_gt(synack->seq, L + 1)); /* the new ISN is above the old SND.NXT */
	assert_int_equal(sc_counter(sc, B, SF_CTR_TWRecycled), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TW), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), 0);
	char got[2];
	sc_send_all(sc, A, c2, "ok", 2);
	sc_read_exactly(sc, B, s2, got, 2, 1000);
	assert_memory_equal(got, "ok", 2);
	free(r);
	sc_free(sc);
}

static void cfg_strict_msl_1s(struct sf_config *cfg)
{
	cfg->strict_time_wait = 1;
	cfg->msl_ms = 1000;
}

/* strict_time_wait, RFC 9293 §3.6.1 MUST-13: the server's TIME-WAIT ACKs the new SYN, the client RSTs it, and the connection forms only after 2MSL, by SYN retransmission. */
static void test_strict_time_wait(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1363, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", cfg_strict_msl_1s);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);
	uint16_t P = sc_local_port(sc, A, c);
	open_and_close(sc, A, B, c, s, B);
	uint64_t tw_start = sc_saw_at(sc, B, SF_FIN_WAIT_2, SF_TIME_WAIT);
	assert_true(tw_start != SC_NEVER);
	long bf = sc_rec_find(r, 0, B, SF_TCP_FIN, SF_TCP_FIN);
	uint32_t L = r->seg[bf].seq;

	size_t mark = r->n;
	int c2 = sc_connect(sc, A, P, true, sc_ep(B, 80));
	int s2 = sc_establish(sc, A, c2, B, lst, 20000);

	/* The first SYN got TIME-WAIT's ACK (its old numbers), which the client
	 * in SYN-SENT answered with <SEQ=SEG.ACK><CTL=RST>. */
	const struct sc_rec_seg *syn = &r->seg[mark], *twack = &r->seg[mark + 1], *rst = &r->seg[mark + 2];
	assert_int_equal(syn->flags, SF_TCP_SYN);
	assert_int_equal(twack->from, B);
	assert_int_equal(twack->flags & SC_CTL, SF_TCP_ACK);
	assert_int_equal(twack->seq, L + 1);
	assert_int_equal(rst->from, A);
	assert_int_equal(rst->flags, SF_TCP_RST);
	assert_int_equal(rst->seq, twack->ack);

	/* TIME-WAIT ran its full 2MSL; the connection formed after it ended. */
	uint64_t tw_end = sc_saw_at(sc, B, SF_TIME_WAIT, SF_CLOSED);
	assert_true(tw_end != SC_NEVER);
	assert_true(tw_end - tw_start >= 2000 * SC_MS && tw_end - tw_start <= 2001 * SC_MS);
	uint64_t formed = SC_NEVER;
	for (size_t i = 0; i < sc->nstates; i++) /* the second connection's: the last one */
		if (sc->states[i].host == B && sc->states[i].to == SF_ESTABLISHED)
			formed = sc->states[i].time_ns;
	assert_true(formed > tw_end);
	assert_true(sc_saw_at(sc, A, SF_SYN_SENT, SF_ESTABLISHED) != SC_NEVER);
	uint64_t refused = sc_drops(sc, B, SF_DROP_TIME_WAIT_SYN);
	assert_true(refused >= 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPTWRstIgnored), refused); /* each RST ignored (RFC 1337) */
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), refused);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), refused);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TW), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TWRecycled), 0);
	char got[2];
	sc_send_all(sc, A, c2, "ok", 2);
	sc_read_exactly(sc, B, s2, got, 2, 1000);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.10.7.4 (TIME-WAIT, eighth): a retransmitted FIN is re-ACKed and the 2MSL wait starts over. */
static void test_time_wait_reacks_fin_and_restarts(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1364, 10);
	int A = sc_add_host(sc, "client", cfg_msl_1s), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);

	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	sc_read_eof(sc, B, s, 1000);
	sc_run_for(sc, 100);
	/* The client's last ACK is lost: the server repeats its FIN. */
	size_t mark = r->n;
	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	assert_int_equal(sf_close(sc_app(sc, B), s), 0);
	sc_run_for(sc, 5000);
	assert_int_equal(sc_rec_count(r, mark, B, SF_TCP_FIN, SF_TCP_FIN), 2);
	long f1 = sc_rec_find(r, mark, B, SF_TCP_FIN, SF_TCP_FIN);
	long a1 = sc_rec_find(r, mark, A, SC_CTL, SF_TCP_ACK);
	long f2 = sc_rec_find(r, (size_t)f1 + 1, B, SF_TCP_FIN, SF_TCP_FIN);
	long a2 = sc_rec_find(r, (size_t)a1 + 1, A, SC_CTL, SF_TCP_ACK);
	assert_true(a1 >= 0 && f2 >= 0 && a2 >= 0);
	assert_int_equal(r->seg[f2].seq, r->seg[f1].seq);
	assert_int_equal(r->seg[a1].ack, r->seg[f1].seq + 1);
	assert_int_equal(r->seg[a2].ack, r->seg[f1].seq + 1);
	assert_int_equal(r->seg[a2].seq, r->seg[a1].seq);
	assert_int_equal(sc_drops(sc, A, SF_DROP_TIME_WAIT_ACKED), 1);
	assert_true(sc_saw(sc, B, SF_LAST_ACK, SF_CLOSED));

	/* 2MSL (2 s) counted from the re-ACK, not from entering TIME-WAIT. */
	uint64_t tw_end = sc_saw_at(sc, A, SF_TIME_WAIT, SF_CLOSED);
	assert_true(tw_end != SC_NEVER);
	assert_true(tw_end >= r->seg[a2].t + 2000 * SC_MS);
	assert_true(tw_end <= r->seg[a2].t + 2001 * SC_MS);
	assert_true(r->seg[a2].t - r->seg[a1].t >= 200 * SC_MS);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TW), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- a CLOSE-WAIT that never ends ------------------------------------------- */

/* RFC 9293 §3.6 case 2: the server sits in CLOSE-WAIT for 10 minutes; the orphaned client ends by fin_timeout after 60 s; the server's late FIN meets a RST. */
static void test_close_wait_forever(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(137, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);

	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	sc_read_eof(sc, B, s, 1000);
	sc_run_for(sc, 100);
	assert_int_equal(sf_state(sc_stack(sc, B), s), SF_CLOSE_WAIT);
	uint64_t fw2 = sc_saw_at(sc, A, SF_FIN_WAIT_1, SF_FIN_WAIT_2);
	assert_true(fw2 != SC_NEVER);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPOrphans), 1);

	/* Ten quiet minutes: nothing on the wire, the server stays in CLOSE-WAIT. */
	size_t mark = r->n;
	sc_run_for(sc, 600000);
	assert_int_equal(r->n, mark);
	assert_int_equal(sf_state(sc_stack(sc, B), s), SF_CLOSE_WAIT);
	assert_int_equal(sc_counter(sc, B, SF_CTR_CurrEstab), 1);
	/* The orphaned client gave up FIN-WAIT-2 after fin_timeout (60 s). */
	uint64_t gone = sc_saw_at(sc, A, SF_FIN_WAIT_2, SF_CLOSED);
	assert_true(gone != SC_NEVER);
	assert_true(gone - fw2 >= 60000 * SC_MS && gone - fw2 <= 60001 * SC_MS);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPFinWait2Timeouts), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 0);

	/* The server finally closes: LAST-ACK; the client has no connection and
	 * answers the FIN with <SEQ=SEG.ACK><CTL=RST> (§3.10.7.1). */
	assert_int_equal(sf_close(sc_app(sc, B), s), 0);
	sc_run_for(sc, 1000);
	long fin = sc_rec_find(r, mark, B, SF_TCP_FIN, SF_TCP_FIN);
	long rst = sc_rec_find(r, mark, A, ALL_FLAGS, SF_TCP_RST);
	assert_true(fin >= 0 && rst >= 0);
	assert_int_equal(r->seg[rst].seq, r->seg[fin].ack);
	assert_int_equal(r->n - mark, 2);
	assert_true(sc_saw(sc, B, SF_CLOSE_WAIT, SF_LAST_ACK));
	assert_true(sc_saw(sc, B, SF_LAST_ACK, SF_CLOSED));
	assert_int_equal(sc_drops(sc, A, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_InRsts), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TimeWaitCurrent), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- the listener's queues -------------------------------------------------- */

#define NCLIENTS 10

static void cfg_syn_backlog_4(struct sf_config *cfg)
{
	cfg->syn_backlog = 4;
	/* The queues' own policy. With cookies the SYNs past the SYN queue get
	 * a cookie, and the final ACKs that then meet the full accept queue are
	 * lost for clients with nothing to send (RFC 4987 §3.6, as on Linux). */
	cfg->syncookies = 0;
}

struct queues {
	struct scenario *sc;
	int A, B, lst;
	int client[NCLIENTS];
	int accepted[NCLIENTS];
	int naccepted;
	uint64_t first_accept;
	uint64_t max_queue;    /* completed but not accepted, at its highest */
	uint64_t max_embryos;  /* SYN-RECEIVED records, at their highest */
	uint64_t prev_depth, prev_syns;
	uint64_t syns_while_full; /* SYNs answered while the accept queue was full */
};

/* Called after every simulator step: each step delivers one datagram or
 * fires one host's timers, so nothing slips between two looks. */
static void track_queues(struct scenario *sc, struct queues *q)
{
	uint64_t done = sc_counter(sc, q->B, SF_CTR_PassiveOpens);
	uint64_t depth = done - (uint64_t)q->naccepted;
	uint64_t emb = sc_counter(sc, q->B, SF_CTR_SynRecvCurrent);
	uint64_t syns = sc_saw_count(sc, q->B, SF_LISTEN, SF_SYN_RECEIVED);

	if (depth > q->max_queue)
		q->max_queue = depth;
	if (emb > q->max_embryos)
		q->max_embryos = emb;
	if (q->prev_depth >= 2 && depth >= 2 && syns > q->prev_syns)
		q->syns_while_full += syns - q->prev_syns;
	q->prev_depth = depth;
	q->prev_syns = syns;
}

/* The server application: nothing for 5 s, then one accept every 100 ms. */
static void accept_tick(void *ctx, uint64_t now)
{
	struct queues *q = ctx;
	int h = sf_accept(sc_app(q->sc, q->B), q->lst, NULL);
	if (h >= 0) {
		if (!q->naccepted)
			q->first_accept = now;
		q->accepted[q->naccepted++] = h;
	}
	if (q->naccepted < NCLIENTS)
		sf_sim_at(q->sc->sim, now + 100 * SC_MS, accept_tick, q);
}

static bool all_accepted(struct scenario *sc, void *ctx)
{
	struct queues *q = ctx;

	track_queues(sc, q);
	if (q->naccepted < NCLIENTS)
		return false;
	for (int i = 0; i < NCLIENTS; i++)
		if (sf_state(sc_stack(sc, q->A), q->client[i]) != SF_ESTABLISHED)
			return false;
	return true;
}

/* The listener's queues, as Linux keeps them: backlog 2, syn_backlog 4, 10 clients at once and a slow acceptor: all 10 connect, none is lost, the accept queue never holds more than 2, every drop is counted. */
static void test_connection_queues(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(138, 10);
	struct queues q = { .sc = sc };
	q.A = sc_add_host(sc, "clients", NULL);
	q.B = sc_add_host(sc, "server", cfg_syn_backlog_4);
	q.lst = sc_listen(sc, q.B, SF_AF_INET, 80, 2, 0);
	for (int i = 0; i < NCLIENTS; i++)
		q.client[i] = sc_connect(sc, q.A, 0, false, sc_ep(q.B, 80));
	assert_int_equal(sf_sim_at(sc->sim, 5000 * SC_MS, accept_tick, &q), 0);

	assert_true(sc_run_until(sc, all_accepted, &q, 300000));
	assert_int_equal(q.naccepted, NCLIENTS);
	assert_true(q.first_accept >= 5000 * SC_MS);
	/* The accept queue filled to its limit and never beyond; likewise the SYN queue. */
	assert_int_equal(q.max_queue, 2);
	assert_int_equal(q.max_embryos, 4);
	/* While the accept queue is full a SYN gets no answer (the client
	 * retransmits later) rather than an embryo that could not complete. */
	assert_int_equal(q.syns_while_full, 0);
	assert_int_equal(sf_accept(sc_app(sc, q.B), q.lst, NULL), -EAGAIN);
	assert_int_equal(sc_counter(sc, q.B, SF_CTR_PassiveOpens), NCLIENTS);

	/* Ten distinct clients, each accepted once, each still connected. */
	for (int i = 0; i < NCLIENTS; i++) {
		struct sf_endpoint peer;
		assert_int_equal(sf_getpeername(sc_stack(sc, q.B), q.accepted[i], &peer), 0);
		assert_int_equal(sf_state(sc_stack(sc, q.B), q.accepted[i]), SF_ESTABLISHED);
		for (int j = 0; j < i; j++) {
			struct sf_endpoint other;
			assert_int_equal(sf_getpeername(sc_stack(sc, q.B), q.accepted[j], &other), 0);
			assert_int_not_equal(peer.port, other.port);
		}
		assert_int_equal(sf_take_error(sc_stack(sc, q.A), q.client[i]), 0);
	}
	assert_int_equal(sc_counter(sc, q.A, SF_CTR_CurrEstab), NCLIENTS);
	assert_int_equal(sc_counter(sc, q.B, SF_CTR_CurrEstab), NCLIENTS);
	assert_int_equal(sc_counter(sc, q.A, SF_CTR_AttemptFails), 0);
	assert_int_equal(sc_counter(sc, q.B, SF_CTR_AttemptFails), 0);
	assert_int_equal(sc_counter(sc, q.A, SF_CTR_EstabResets), 0);

	/* Every refusal is counted: SYNs and final ACKs against the full accept
	 * queue, SYNs against the full SYN queue. */
	uint64_t over = sc_counter(sc, q.B, SF_CTR_ListenOverflows);
	uint64_t synfull = sc_counter(sc, q.B, SF_CTR_TCPReqQFullDrop);
	assert_true(over > 0);
	assert_true(synfull > 0);
	assert_int_equal(sc_counter(sc, q.B, SF_CTR_ListenDrops), over + synfull);
	assert_int_equal(sc_drops(sc, q.B, SF_DROP_LISTEN_OVERFLOW), over);
	assert_int_equal(sc_drops(sc, q.B, SF_DROP_SYN_QUEUE_FULL), synfull);
	assert_int_equal(sc_counter(sc, q.B, SF_CTR_SynRecvCurrent), 0);

	/* Data flows on the last one accepted. */
	char got[2];
	int last = q.accepted[NCLIENTS - 1];
	struct sf_endpoint peer;
	assert_int_equal(sf_getpeername(sc_stack(sc, q.B), last, &peer), 0);
	int who = -1;
	for (int i = 0; i < NCLIENTS; i++)
		if (sc_local_port(sc, q.A, q.client[i]) == peer.port)
			who = q.client[i];
	assert_true(who >= 0);
	sc_send_all(sc, q.A, who, "hi", 2);
	sc_read_exactly(sc, q.B, last, got, 2, 1000);
	assert_memory_equal(got, "hi", 2);
	sc_free(sc);
}

/* ---- half-open connections and dead peers ----------------------------------- */

/* RFC 9293 §3.5.1 and §3.10.7.1: after the server host crashed and rebooted, the client's data draws a RST and the client application gets -ECONNRESET. */
static void test_half_open_reset_after_reboot(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(139, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);
	char got[3];
	sc_send_all(sc, A, c, "abc", 3);
	sc_read_exactly(sc, B, s, got, 3, 1000);
	sc_run_for(sc, 100);

	sf_sim_crash(sc->sim, B);
	sc_run_for(sc, 1000);
	sf_sim_reboot(sc->sim, B);
	assert_int_equal(sf_simhost_boots(sc->hosts[B]), 2);
	/* The survivor noticed nothing. */
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_ESTABLISHED);
	sc_run_for(sc, 1000);
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_ESTABLISHED);

	size_t mark = r->n;
	sc_send_all(sc, A, c, "more", 4);
	struct sc_want closed[] = { { A, c, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, closed, 1000));
	long data = sc_rec_find(r, mark, A, SF_TCP_PSH, SF_TCP_PSH);
	long rst = sc_rec_find(r, mark, B, ALL_FLAGS, SF_TCP_RST);
	assert_true(data >= 0 && rst >= 0);
	assert_int_equal(r->seg[rst].seq, r->seg[data].ack); /* <SEQ=SEG.ACK><CTL=RST> */
	assert_int_equal(sc_drops(sc, B, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_OutRsts), 1);

	sf_stack *st = sc_app(sc, A);
	assert_int_equal(sf_recv(st, c, got, sizeof got), -ECONNRESET);
	assert_int_equal(sf_send(st, c, "x", 1), -EPIPE);
	assert_true(sc_saw(sc, A, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_EstabResets), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_InRsts), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_CurrEstab), 0);
	assert_int_equal(sf_close(st, c), 0);
	free(r);
	sc_free(sc);
}

/* RFC 1122 §4.2.3.6: keepalive set before connect (idle 10 s, interval 1 s, 3 probes) keeps a live peer and finds a crashed one after idle + 3 x interval = 13 s: -ETIMEDOUT. */
static void test_keepalive_finds_dead_peer(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1392, 10);
	int A = sc_add_host(sc, "client", NULL), B = sc_add_host(sc, "server", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	sf_stack *st = sc_app(sc, A);
	int c = sf_socket(st, SF_AF_INET);
	assert_int_equal(sf_set_keepalive(st, c, 1, 10000, 1000, 3), 0);
	struct sf_endpoint srv = sc_ep(B, 80);
	assert_int_equal(sf_connect(st, c, &srv), -EINPROGRESS);
	int s = sc_establish(sc, A, c, B, lst, 1000);
	(void)s;

	/* The peer is alive: probes every 10 s of silence are answered. */
	sc_run_for(sc, 25000);
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_ESTABLISHED);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPKeepAliveProbes), 2);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPKeepAliveTimeouts), 0);

	/* The server crashes and stays down. */
	sf_sim_crash(sc->sim, B);
	uint64_t last = r->last_delivery[A];
	size_t mark = r->n;
	struct sc_want closed[] = { { A, c, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, closed, 60000));
	uint64_t gone = sc_saw_at(sc, A, SF_ESTABLISHED, SF_CLOSED);
	assert_true(gone >= last + 13000 * SC_MS && gone <= last + 13001 * SC_MS);
	/* Three probes, then (as Linux) a RST as the connection is dropped. */
	assert_int_equal(r->n - mark, 4);
	for (size_t i = mark; i < mark + 3; i++) {
		/* <SEQ=SND.NXT-1><ACK=RCV.NXT> with no data, 10 s, 11 s, 12 s after the last word. */
		assert_int_equal(r->seg[i].from, A);
		assert_int_equal(r->seg[i].flags & SC_CTL, SF_TCP_ACK);
		assert_int_equal(r->seg[i].len, 0);
		assert_int_equal(r->seg[i].t - last, (10000 + 1000 * (i - mark)) * SC_MS);
	}
	assert_int_equal(r->seg[mark + 3].from, A);
	assert_true(r->seg[mark + 3].flags & SF_TCP_RST);
	assert_int_equal(r->seg[mark + 3].t - last, 13000 * SC_MS);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPKeepAliveProbes), 5);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPKeepAliveTimeouts), 1);
	char b;
	assert_int_equal(sf_recv(sc_app(sc, A), c, &b, 1), -ETIMEDOUT);
	assert_int_equal(sc_counter(sc, A, SF_CTR_CurrEstab), 0);
	free(r);
	sc_free(sc);
}

/* ---- TIME-WAIT assassination ------------------------------------------------ */

/* Copies (without dropping) the first datagram from one host to another that carries data. */
struct copier {
	int from, to;
	bool have;
	uint8_t buf[2048];
	size_t len;
};

static bool copy_filter(void *ctx, int from, int to, const uint8_t *dgram, size_t len)
{
	struct copier *cp = ctx;
	struct sf_segment s;

	if (!cp->have && from == cp->from && to == cp->to && len <= sizeof cp->buf &&
	    sf_wire_parse(dgram, len, &s) == SF_DROP_NONE && s.payload_len) {
		memcpy(cp->buf, dgram, len);
		cp->len = len;
		cp->have = true;
	}
	return false;
}

static void cfg_rfc1337_off(struct sf_config *cfg)
{
	cfg->rfc1337 = 0;
}

static void assassination(bool rfc1337)
{
	struct scenario *sc = sc_new(1310 + rfc1337, 10);
	int A = sc_add_host(sc, "A", rfc1337 ? NULL : cfg_rfc1337_off), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	struct copier cp = { .from = B, .to = A };
	sf_sim_set_filter(sc->sim, copy_filter, &cp);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 1000, &lst, &c);
	assert_int_equal(sf_close(sc_app(sc, B), lst), 0); /* B will have no connection at all */

	/* B sends some data; the network keeps a copy of it. */
	char got[10];
	sc_send_all(sc, B, s, "old data!!", 10);
	sc_read_exactly(sc, A, c, got, 10, 1000);
	assert_true(cp.have);

	/* A closes first and sits in TIME-WAIT; B's connection ends. */
	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	sc_read_eof(sc, B, s, 1000);
	assert_int_equal(sf_close(sc_app(sc, B), s), 0);
	sc_run_for(sc, 100);
	assert_true(sc_saw(sc, B, SF_LAST_ACK, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);

	/* The stray old duplicate of B's data reaches A. */
	size_t mark = r->n;
	uint64_t t0 = sf_sim_now(sc->sim);
	assert_int_equal(sf_sim_send(sc->sim, B, cp.buf, cp.len), 0);
	sc_run_for(sc, 1000);
	assert_int_equal(r->n - mark, 3);
	const struct sc_rec_seg *stray = &r->seg[mark], *ack = &r->seg[mark + 1], *rst = &r->seg[mark + 2];
	assert_int_equal(stray->len, 10);
	assert_int_equal(ack->from, A);                 /* A's TIME-WAIT ACKs it ... */
	assert_int_equal(ack->flags & SC_CTL, SF_TCP_ACK);
	assert_int_equal(rst->from, B);                 /* ... and B, knowing nothing, resets */
	assert_int_equal(rst->flags, SF_TCP_RST);
	assert_int_equal(rst->seq, ack->ack);
	/* The copy's timestamp is older than TS.Recent: PAWS (RFC 7323 §5.3). */
	assert_int_equal(sc_drops(sc, A, SF_DROP_PAWS), 1);
	assert_int_equal(sc_drops(sc, B, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_InRsts), 1);

	if (rfc1337) {
		/* RFC 1337: the RST is ignored; TIME-WAIT lives out its 2MSL. */
		assert_int_equal(sc_counter(sc, A, SF_CTR_TCPTWRstIgnored), 1);
		assert_int_equal(sc_drops(sc, A, SF_DROP_TIME_WAIT_RST), 1);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TWKilled), 0);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 1);
		sc_run_for(sc, 240000);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TW), 1);
	} else {
		/* The classic behaviour: the RST assassinates TIME-WAIT at once. */
		assert_int_equal(sc_counter(sc, A, SF_CTR_TWKilled), 1);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TCPTWRstIgnored), 0);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TimeWaitCurrent), 0);
		uint64_t killed = sc_saw_at(sc, A, SF_TIME_WAIT, SF_CLOSED);
		assert_int_equal(killed, t0 + 30 * SC_MS);
		sc_run_for(sc, 240000);
		assert_int_equal(sc_counter(sc, A, SF_CTR_TW), 0);
	}
	assert_int_equal(sc_saw_count(sc, A, SF_TIME_WAIT, SF_CLOSED), 1);
	free(r);
	sc_free(sc);
}

/* RFC 1337: by default a RST cannot end TIME-WAIT early (TCPTWRstIgnored, the record survives). */
static void test_assassination_ignored(void **unused)
{
	(void)unused;
	assassination(true);
}

/* With rfc1337=0, RFC 9293 §3.10.7.4 TIME-WAIT second: the classic stack lets the RST kill TIME-WAIT (TWKilled). */
static void test_assassination_classic(void **unused)
{
	(void)unused;
	assassination(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_syn_and_lost_fin),
		cmocka_unit_test(test_rto_after_syn_timeout),
		cmocka_unit_test(test_half_close),
		cmocka_unit_test(test_simultaneous_open_and_close),
		cmocka_unit_test(test_client_time_wait_blocks_the_4tuple),
		cmocka_unit_test(test_server_time_wait_recycled),
		cmocka_unit_test(test_strict_time_wait),
		cmocka_unit_test(test_time_wait_reacks_fin_and_restarts),
		cmocka_unit_test(test_close_wait_forever),
		cmocka_unit_test(test_connection_queues),
		cmocka_unit_test(test_half_open_reset_after_reboot),
		cmocka_unit_test(test_keepalive_finds_dead_peer),
		cmocka_unit_test(test_assassination_ignored),
		cmocka_unit_test(test_assassination_classic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
