/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stacks behind the simulator's routers: a firewall that rejects TCP with
 * destination unreachable (RFC 792, RFC 4443 §3.1), soft errors from a
 * router on a working connection (RFC 9293 §3.9.2.2, MUST-56; RFC 5461 §4),
 * forged errors (RFC 5927), and paths whose MTU is smaller than the hosts'
 * (RFC 1191, RFC 8201; black holes, RFC 2923 §2.1, RFC 4821).

 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define DELAY_MS 10
#define MAX_REC 8192

/* Two hosts 10 ms apart, A and B, with IPv6 addresses too if v6. */
static struct scenario *two_hosts(uint64_t seed, bool v6, int *A, int *B)
{
	struct scenario *sc = sc_new(seed, DELAY_MS);

	*A = sc_add_host(sc, "A", NULL);
	*B = sc_add_host(sc, "B", NULL);
	if (v6) {
		sc_add_v6(sc, *A);
		sc_add_v6(sc, *B);
	}
	return sc;
}

static struct sf_sim_link link_with(enum sf_sim_reject reject, uint32_t mtu, enum sf_sim_too_big too_big)
{
	struct sf_sim_link l = { .delay_ns = DELAY_MS * SC_MS, .reject = reject, .mtu = mtu, .too_big = too_big };
	return l;
}

/* ---- a firewall that rejects ---- */

/*
 * RFC 9293 §3.9.2.2 (SHLD-26) and RFC 1122 §4.2.3.9: port unreachable is a
 * hard error, and a connection in SYN-SENT ends at once with ECONNREFUSED
 * (as Linux): one round trip, no SYN sent again.
 */
static void refused_by_firewall(bool v6, enum sf_sim_reject how, int want)
{
	int A, B;
	struct scenario *sc = two_hosts(v6 ? 31 : 30, v6, &A, &B);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	struct sf_sim_link fw = link_with(how, 0, SF_SIM_TOO_BIG_ICMP);
	int lst = sc_listen(sc, B, v6 ? SF_AF_INET6 : SF_AF_INET, 80, 16, 0);

	sc_set_link(sc, A, B, &fw);
	uint64_t t0 = sf_sim_now(sc->sim);
	int c = sc_connect(sc, A, 0, false, v6 ? sc_ep6(B, 80) : sc_ep(B, 80));
	struct sc_want closed[] = { { A, c, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, closed, 1000));
	/* One round trip: the SYN to the router at B's end, its answer back. */
	assert_int_equal(sc_saw_at(sc, A, SF_SYN_SENT, SF_CLOSED) - t0, 2 * DELAY_MS * SC_MS);
	sf_stack *st = sc_app(sc, A);
	assert_true(sc_events_for(st, c) & SF_EV_ERROR);
	assert_int_equal(sf_take_error(st, c), want);
	assert_int_equal(sc_counter(sc, A, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, A, v6 ? SF_CTR_Icmp6InDestUnreachs : SF_CTR_IcmpInDestUnreachs), 1);
	sc_run_for(sc, 10000);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 0);
	assert_int_equal(sc_rec_count(r, 0, A, 0, 0), 1); /* the SYN, and nothing more */
	assert_int_equal(sc_counter(sc, B, SF_CTR_InSegs), 0);
	assert_int_equal(sf_sim_get_stats(sc->sim)->rejected, 1);
	assert_int_equal(sf_sim_get_stats(sc->sim)->icmp_sent, 1);
	assert_int_equal(sf_close(st, c), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

static void test_connect_through_reject_is_refused(void **unused)
{
	(void)unused;
	refused_by_firewall(false, SF_SIM_REJECT_PORT, -ECONNREFUSED);
}

static void test_connect_through_reject_is_refused_v6(void **unused)
{
	(void)unused;
	refused_by_firewall(true, SF_SIM_REJECT_PORT, -ECONNREFUSED);
}

/* Administratively prohibited: hard too, with Linux's errnos (IPv4 3/13
 * EHOSTUNREACH, ICMPv6 1/1 EACCES). */
static void test_connect_through_prohibit(void **unused)
{
	(void)unused;
	refused_by_firewall(false, SF_SIM_REJECT_ADMIN, -EHOSTUNREACH);
	refused_by_firewall(true, SF_SIM_REJECT_ADMIN, -EACCES);
}

/*
 * The server's SYN,ACK meets the firewall: the embryo's error quotes its
 * ISS, and a hard error ends it (as Linux's tcp_req_err): SYN-RECEIVED ->
 * CLOSED, AttemptFails, SynRecvCurrent back to 0, one round trip after the
 * SYN,ACK left.
 */
static void test_embryo_freed_by_reject(void **unused)
{
	(void)unused;
	int A, B;
	struct scenario *sc = two_hosts(32, false, &A, &B);
	struct sf_sim_link fw = link_with(SF_SIM_REJECT_PORT, 0, SF_SIM_TOO_BIG_ICMP);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);

	sc_set_link(sc, B, A, &fw);
	int c = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	sc_run_for(sc, DELAY_MS + 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 1);
	sc_run_for(sc, 2 * DELAY_MS);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_CLOSED));
	assert_int_equal(sc_saw_at(sc, B, SF_SYN_RECEIVED, SF_CLOSED) - sc_saw_at(sc, B, SF_LISTEN, SF_SYN_RECEIVED),
			 2 * DELAY_MS * SC_MS);
	assert_int_equal(sc_counter(sc, B, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_IcmpInDestUnreachs), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_OutSegs), 1); /* the one SYN,ACK: no retransmission */
	/* The client, which heard nothing, is still trying. */
	assert_int_equal(sf_state(sc_app(sc, A), c), SF_SYN_SENT);
	sf_close(sc_app(sc, A), c);
	sf_close(sc_app(sc, B), lst);
	sc_free(sc);
}

/* ---- soft errors on a working connection ---- */

static bool soft_error_is(struct scenario *sc, void *ctx)
{
	const int *want = ctx; /* host, sock, errno */
	return sf_soft_error(sc_stack(sc, want[0]), want[1]) == want[2];
}

/*
 * A router on the way says host unreachable about our data (a soft error,
 * RFC 9293 §3.9.2.2): it is reported (SHLD-25: the event and
 * sf_soft_error) and never aborts (MUST-56); a hard one (port unreachable)
 * in ESTABLISHED is a soft one too (RFC 5461 §4, as Linux). When the path
 * heals the data goes through, the peer's ACK clears the soft error, and
 * the stream is whole.
 */
static void soft_errors_on_established(bool v6)
{
	int A, B, lst, c;
	struct scenario *sc = two_hosts(v6 ? 34 : 33, v6, &A, &B);
	lst = sc_listen(sc, B, v6 ? SF_AF_INET6 : SF_AF_INET, 80, 16, 0);
	c = sc_connect(sc, A, 0, false, v6 ? sc_ep6(B, 80) : sc_ep(B, 80));
	int s = sc_establish(sc, A, c, B, lst, 1000);
	sc_events_for(sc_app(sc, A), c);

	static const enum sf_sim_reject kinds[] = { SF_SIM_REJECT_HOST, SF_SIM_REJECT_NET, SF_SIM_REJECT_PORT };
	/* Linux's errnos, the same for both families here. */
	static const int errs[] = { -EHOSTUNREACH, -ENETUNREACH, -ECONNREFUSED };
	uint8_t out[3000], in[3000];
	sc_fill(out, sizeof out, 5);
	for (size_t k = 0; k < 3; k++) {
		struct sf_sim_link fw = link_with(kinds[k], 0, SF_SIM_TOO_BIG_ICMP);
		struct sf_sim_link open = link_with(SF_SIM_REJECT_NONE, 0, SF_SIM_TOO_BIG_ICMP);
		int want[3] = { A, c, errs[k] };

		sc_set_link(sc, A, B, &fw);
		sc_send_all(sc, A, c, out + k * 1000, 1000);
		assert_true(sc_run_until(sc, soft_error_is, want, 1000));
		assert_true(sc_events_for(sc_app(sc, A), c) & SF_EV_SOFT_ERROR);
		sc_run_for(sc, 3000); /* retransmissions meet the same answer */
		assert_int_equal(sf_state(sc_app(sc, A), c), SF_ESTABLISHED);
		assert_int_equal(sf_soft_error(sc_stack(sc, A), c), want[2]);
		sc_set_link(sc, A, B, &open);
		sc_read_exactly(sc, B, s, in + k * 1000, 1000, 10000);
		sc_run_for(sc, 100);
		assert_int_equal(sf_soft_error(sc_stack(sc, A), c), 0); /* the peer answered */
	}
	assert_memory_equal(in, out, sizeof out);
	assert_false(sc_saw(sc, A, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sf_take_error(sc_app(sc, A), c), 0);
	assert_true(sf_sim_get_stats(sc->sim)->icmp_sent >= 3);
	sf_close(sc_app(sc, A), c);
	sf_close(sc_app(sc, B), s);
	sf_close(sc_app(sc, B), lst);
	sc_free(sc);
}

static void test_soft_errors_never_abort(void **unused)
{
	(void)unused;
	soft_errors_on_established(false);
}

static void test_soft_errors_never_abort_v6(void **unused)
{
	(void)unused;
	soft_errors_on_established(true);
}

/* ---- forged errors (RFC 5927) ---- */

/*
 * A third host forges port unreachable and host unreachable about a
 * connection, from a router's address it makes up: while the connection
 * opens (SYN-SENT, where a hard error would end it) and once established,
 * quoting sequence numbers outside [SND.UNA, SND.NXT). Every one is dropped
 * (SF_DROP_ICMP_SEQ_OUT_OF_WINDOW); the connection opens and carries its
 * data as if nothing had come.
 */
static void test_forged_errors_are_ignored(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(35, DELAY_MS);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL), C = sc_add_host(sc, "C", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	struct sf_sim_link slow = { .delay_ns = 200 * SC_MS };

	sc_set_link(sc, A, B, &slow); /* time to forge while A waits in SYN-SENT */
	int c = sc_connect(sc, A, 0, false, sc_ep(B, 80));
	sc_run_for(sc, 1);
	uint32_t iss = r->seg[sc_rec_find(r, 0, A, SC_CTL, SF_TCP_SYN)].seq;
	struct sc_icmp m = {
		.reporter = sf_addr_v4(198, 51, 100, 66), .type = 3, .code = 3,
		.victim = { sc_addr(A), sc_local_port(sc, A, c) }, .peer = sc_ep(B, 80),
	};
	/* Half the sequence space away is a guess too: with nothing in flight the window is empty. */
	static const uint32_t guesses[] = { 0, 1, 0x7fffffff, 0x80000000 };
	size_t forged = 0;
	for (size_t i = 0; i < 4; i++) {
		m.seq = iss + guesses[i] + 1; /* never the ISS itself */
		m.code = i & 1 ? 1 : 3;
		sc_inject_icmp(sc, C, &m);
		forged++;
	}
	int s = sc_establish(sc, A, c, B, lst, 2000);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 0);
	/* Established: the window is [SND.UNA, SND.NXT), empty with nothing in flight. */
	for (size_t i = 0; i < 4; i++) {
		m.seq = iss + 1 + guesses[i];
		m.code = i & 1 ? 1 : 3;
		sc_inject_icmp(sc, C, &m);
		forged++;
	}
	sc_run_for(sc, 100);
	assert_int_equal(sc_drops(sc, A, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), forged);
	assert_int_equal(sf_soft_error(sc_stack(sc, A), c), 0);
	assert_int_equal(sf_state(sc_app(sc, A), c), SF_ESTABLISHED);
	sc_exchange(sc, A, c, 20000, B, s, 20000);
	sf_close(sc_app(sc, A), c);
	sf_close(sc_app(sc, B), s);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- path MTU (RFC 1191, RFC 8201, RFC 4821) ---- */

/* A bulk transfer A -> B: the writer keeps the send queue full, the reader takes all. */
struct bulk {
	int a, ca, b, sb;
	uint8_t *out, *in;
	size_t len, sent, got;
	size_t pace; /* bytes the writer may have written: len unless paced */
};

static void bulk_pump(struct scenario *sc, struct bulk *x)
{
	long n;

	while (x->sent < x->pace && (n = sf_send(sc_stack(sc, x->a), x->ca, x->out + x->sent, x->pace - x->sent)) > 0)
		x->sent += (size_t)n;
	while (x->got < x->len && (n = sf_recv(sc_stack(sc, x->b), x->sb, x->in + x->got, x->len - x->got)) > 0)
		x->got += (size_t)n;
}

static bool bulk_done(struct scenario *sc, void *ctx)
{
	struct bulk *x = ctx;

	bulk_pump(sc, x);
	return x->got == x->len;
}

/* What a path MTU test holds, so that its teardown frees it also when an
 * assertion ends the test early (they fail until path MTU discovery lands). */
static struct {
	struct scenario *sc;
	struct sc_rec *r;
	uint8_t *out, *in; /* the test's struct bulk is gone by then: its buffers are here */
} g_held;

static void bulk_init(struct bulk *x, size_t len)
{
	x->len = x->pace = len;
	x->sent = x->got = 0;
	x->out = malloc(len);
	x->in = malloc(len);
	assert_non_null(x->out);
	assert_non_null(x->in);
	sc_fill(x->out, len, 77);
	g_held.out = x->out;
	g_held.in = x->in;
}

/* All of x from A to B, byte-exact, within limit_ms. */
static void bulk_over(struct scenario *sc, struct bulk *x, uint64_t limit_ms)
{
	sc_app(sc, x->a);
	sc_app(sc, x->b);
	assert_true(sc_run_until(sc, bulk_done, x, limit_ms));
	assert_memory_equal(x->in, x->out, x->len);
}

/* A connection A -> B across a link A -> B of mtu bytes (both hosts' MTU 1500). */
static struct scenario *narrow_path(uint64_t seed, bool v6, uint32_t mtu, enum sf_sim_too_big too_big,
				    struct sc_rec **r, struct bulk *x)
{
	int A, B, lst;
	struct scenario *sc = two_hosts(seed, v6, &A, &B);
	struct sf_sim_link narrow = link_with(0, mtu, too_big);

	*r = sc_rec_install(sc, 1u << 16);
	lst = sc_listen(sc, B, v6 ? SF_AF_INET6 : SF_AF_INET, 80, 16, 0);
	int c = sc_connect(sc, A, 0, false, v6 ? sc_ep6(B, 80) : sc_ep(B, 80));
	int s = sc_establish(sc, A, c, B, lst, 1000);
	sf_close(sc_app(sc, B), lst);
	sc_set_link(sc, A, B, &narrow);
	*x = (struct bulk){ .a = A, .ca = c, .b = B, .sb = s };
	g_held.sc = sc;
	g_held.r = *r;
	return sc;
}

static void bulk_free(struct scenario *sc, struct sc_rec *r, struct bulk *x)
{
	free(x->out);
	free(x->in);
	free(r);
	sc_free(sc);
	memset(&g_held, 0, sizeof g_held);
}

static int pmtu_teardown(void **unused)
{
	(void)unused;
	if (g_held.sc) {
		struct bulk x = { .out = g_held.out, .in = g_held.in };
		bulk_free(g_held.sc, g_held.r, &x);
	}
	return 0;
}

/*
 * 2 MB over a path whose middle carries 1280 bytes and says so (ICMP
 * fragmentation needed with the next-hop MTU, ICMPv6 packet too big): the
 * sender lowers its segments at the first message, so the stream arrives
 * whole in a few seconds and only the first window meets the wall.
 */
static void pmtu_icmp(bool v6)
{
	struct sc_rec *r;
	struct bulk x;
	struct scenario *sc = narrow_path(v6 ? 41 : 40, v6, 1280, SF_SIM_TOO_BIG_ICMP, &r, &x);

	bulk_init(&x, 2u << 20);
	bulk_over(sc, &x, 30000);
	const struct sf_sim_stats *st = sf_sim_get_stats(sc->sim);
	assert_true(st->mtu_drops >= 1 && st->mtu_drops <= 20);
	assert_int_equal(st->icmp_sent, st->mtu_drops);
	assert_true(sc_counter(sc, x.a, v6 ? SF_CTR_Icmp6InPktTooBigs : SF_CTR_IcmpInDestUnreachs) >= 1);
	assert_int_equal(sf_state(sc_app(sc, x.a), x.ca), SF_ESTABLISHED);
	bulk_free(sc, r, &x);
}

static void test_pmtu_icmp(void **unused)
{
	(void)unused;
	pmtu_icmp(false);
}

static void test_pmtu_icmp_v6(void **unused)
{
	(void)unused;
	pmtu_icmp(true);
}

/*
 * The same path with its ICMP filtered (a black hole, RFC 2923 §2.1): only
 * the sender's own probing (RFC 4821) finds the smaller size, after
 * retransmission timeouts; the stream still arrives whole, within two
 * minutes.
 */
static void test_pmtu_blackhole(void **unused)
{
	(void)unused;
	struct sc_rec *r;
	struct bulk x;
	struct scenario *sc = narrow_path(42, false, 1280, SF_SIM_TOO_BIG_BLACKHOLE, &r, &x);

	bulk_init(&x, 2u << 20);
	bulk_over(sc, &x, 120000);
	assert_int_equal(sf_sim_get_stats(sc->sim)->icmp_sent, 0);
	assert_int_equal(sf_state(sc_app(sc, x.a), x.ca), SF_ESTABLISHED);
	bulk_free(sc, r, &x);
}

struct route_change {
	struct scenario *sc;
	struct bulk *x;
	int a, b;
	uint64_t narrow_at, wide_at;
};

static void set_path(struct route_change *rc, uint32_t mtu)
{
	struct sf_sim_link l = link_with(0, mtu, SF_SIM_TOO_BIG_ICMP);
	sc_set_link(rc->sc, rc->a, rc->b, &l);
}

static void narrow(void *ctx, uint64_t now)
{
	(void)now;
	set_path(ctx, 1280);
}

static void widen(void *ctx, uint64_t now)
{
	(void)now;
	set_path(ctx, 1500);
}

/* The application writes 2 kB a second: the transfer outlasts both route changes. */
static void pace(void *ctx, uint64_t now)
{
	struct route_change *rc = ctx;
	struct bulk *x = rc->x;

	x->pace = x->pace + 2048 < x->len ? x->pace + 2048 : x->len;
	sf_advance(sc_stack(rc->sc, x->a), now);
	bulk_pump(rc->sc, x);
	if (x->pace < x->len)
		assert_int_equal(sf_sim_at(rc->sc->sim, now + 1000 * SC_MS, pace, rc), 0);
}

/*
 * A route change mid-transfer: the path narrows from 1500 to 1280 after a
 * minute, and widens again ten minutes later (RFC 1191 §6.3's ten minutes
 * before a host tries a larger size). The stream arrives whole, with few
 * datagrams refused: the sender followed the path down at once.
 */
static void test_pmtu_route_change(void **unused)
{
	(void)unused;
	struct sc_rec *r;
	struct bulk x;
	struct scenario *sc = narrow_path(43, false, 1500, SF_SIM_TOO_BIG_ICMP, &r, &x);
	uint64_t t0 = sf_sim_now(sc->sim);
	struct route_change rc = { sc, &x, x.a, x.b, t0 + 60000 * SC_MS, t0 + 660000 * SC_MS };

	bulk_init(&x, 2u << 20);
	x.pace = 0;
	assert_int_equal(sf_sim_at(sc->sim, rc.narrow_at, narrow, &rc), 0);
	assert_int_equal(sf_sim_at(sc->sim, rc.wide_at, widen, &rc), 0);
	assert_int_equal(sf_sim_at(sc->sim, t0, pace, &rc), 0);
	bulk_over(sc, &x, 1100000);
	const struct sf_sim_stats *st = sf_sim_get_stats(sc->sim);
	assert_true(st->mtu_drops >= 1 && st->mtu_drops <= 20);
	/* While the path was narrow, nothing longer than it was carried. */
	for (size_t i = 0; i < r->n; i++)
		if (r->seg[i].from == x.a && r->seg[i].t > rc.narrow_at + 1000 * SC_MS && r->seg[i].t < rc.wide_at)
			assert_true(r->seg[i].len <= 1280 - 40);
	assert_int_equal(sf_state(sc_app(sc, x.a), x.ca), SF_ESTABLISHED);
	bulk_free(sc, r, &x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_through_reject_is_refused),
		cmocka_unit_test(test_connect_through_reject_is_refused_v6),
		cmocka_unit_test(test_connect_through_prohibit),
		cmocka_unit_test(test_embryo_freed_by_reject),
		cmocka_unit_test(test_soft_errors_never_abort),
		cmocka_unit_test(test_soft_errors_never_abort_v6),
		cmocka_unit_test(test_forged_errors_are_ignored),
	};
	const struct CMUnitTest pmtu_tests[] = {
		cmocka_unit_test_teardown(test_pmtu_icmp, pmtu_teardown),
		cmocka_unit_test_teardown(test_pmtu_icmp_v6, pmtu_teardown),
		cmocka_unit_test_teardown(test_pmtu_blackhole, pmtu_teardown),
		cmocka_unit_test_teardown(test_pmtu_route_change, pmtu_teardown),
	};
	int failed = cmocka_run_group_tests_name("routers", tests, NULL, NULL);

	failed += cmocka_run_group_tests_name("path MTU", pmtu_tests, NULL, NULL);
	return failed;
}
