/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Abortive close and refused connections between two synfin stacks on the
 * simulated network (10 ms one way), virtual time only: close with unread
 * data, SO_LINGER {1,0}, sf_abort, close in SYN-SENT, a SYN to a port with
 * no listener, and shutdown(SHUT_RD). A recorder parses every datagram
 * handed to the network, so the tests check the RSTs and FINs themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "wire/wire.h"

#define MAX_REC 8192

struct conn {
	struct scenario *sc;
	struct sc_rec *r;
	int A, B, lst, a, b;
};

static void conn_open(struct conn *x, uint64_t seed)
{
	x->sc = sc_new(seed, 10);
	x->A = sc_add_host(x->sc, "A", NULL);
	x->B = sc_add_host(x->sc, "B", NULL);
	x->r = sc_rec_install(x->sc, MAX_REC);
	x->b = sc_open_pair(x->sc, x->A, 0, x->B, 80, 5000, &x->lst, &x->a);
	sc_exchange(x->sc, x->A, x->a, 3000, x->B, x->b, 3000);
	sc_run_for(x->sc, 1000);
}

static void conn_close(struct conn *x)
{
	free(x->r);
	sc_free(x->sc);
}

/* A aborted: exactly one segment left A after mark, a RST carrying A's
 * SND.NXT (B's RCV.NXT, so B accepts it under RFC 5961's exact match) and no
 * FIN; A went ESTABLISHED -> CLOSED with no TIME-WAIT; B was reset. */
static void expect_reset_by_a(struct conn *x, size_t mark)
{
	const struct sc_rec_seg *lb = sc_rec_last(x->r, x->B, x->A);
	long rst = sc_rec_find(x->r, mark, x->A, SF_TCP_RST, SF_TCP_RST);

	sc_run_for(x->sc, 100);
	assert_true(rst >= 0);
	assert_int_equal(sc_rec_count(x->r, mark, x->A, 0, 0), 1);
	assert_int_equal(x->r->seg[rst].seq, lb->ack);
	assert_int_equal(sc_rec_find(x->r, mark, x->A, SF_TCP_FIN, SF_TCP_FIN), -1);
	assert_int_equal(sc_rec_count(x->r, mark, x->B, 0, 0), 0); /* B answers a RST with nothing */
	assert_true(sc_saw(x->sc, x->A, SF_ESTABLISHED, SF_CLOSED));
	assert_true(sc_saw(x->sc, x->B, SF_ESTABLISHED, SF_CLOSED));
	assert_false(sc_saw(x->sc, x->A, SF_ESTABLISHED, SF_FIN_WAIT_1));
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_OutRsts), 1);
	assert_int_equal(sc_counter(x->sc, x->B, SF_CTR_InRsts), 1);
	assert_int_equal(sc_counter(x->sc, x->B, SF_CTR_EstabResets), 1);
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_EstabResets), 0);
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(x->sc, x->B, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sc_counter(x->sc, x->B, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sf_state(sc_stack(x->sc, x->A), x->a), -EBADF); /* the handle is gone */
	/* Nothing more: no retransmission, no TIME-WAIT expiring later. */
	mark = x->r->n;
	sc_run_for(x->sc, 300000);
	assert_int_equal(x->r->n, mark);
	assert_int_equal(sc_counter(x->sc, x->A, SF_CTR_TW), 0);
}

/* RFC 9293 §3.10.4 (SHLD-3) and RFC 2525 §2.17: A closes with B's data unread: a RST, not a FIN; B's recv gets -ECONNRESET; TCPAbortOnClose. */
static void test_abort_close_with_unread_data(void **unused)
{
	(void)unused;
	struct conn x;
	conn_open(&x, 910);
	uint8_t buf[16];

	assert_int_equal(sf_send(sc_app(x.sc, x.B), x.b, "unread", 6), 6);
	sc_run_for(x.sc, 500); /* it reached A and was ACKed; A's app never reads it */
	size_t mark = x.r->n;
	assert_int_equal(sf_close(sc_app(x.sc, x.A), x.a), 0);
	expect_reset_by_a(&x, mark);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnClose), 1);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnLinger), 0);
	sf_stack *st = sc_app(x.sc, x.B);
	assert_true(sc_events_for(st, x.b) & SF_EV_ERROR);
	assert_int_equal(sf_recv(st, x.b, buf, sizeof buf), -ECONNRESET);
	assert_int_equal(sf_send(st, x.b, "x", 1), -EPIPE);
	conn_close(&x);
}

/* RFC 9293 §3.10.5 ABORT via close() with SO_LINGER {1,0}: a RST, no FIN and no TIME-WAIT on A; B's send gets -ECONNRESET; TCPAbortOnLinger. */
static void test_abort_linger_zero(void **unused)
{
	(void)unused;
	struct conn x;
	conn_open(&x, 911);

	assert_int_equal(sf_set_linger(sc_app(x.sc, x.A), x.a, 1, 0), 0);
	size_t mark = x.r->n;
	assert_int_equal(sf_close(sc_app(x.sc, x.A), x.a), 0);
	expect_reset_by_a(&x, mark);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnLinger), 1);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnClose), 0);
	assert_false(sc_saw(x.sc, x.A, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_int_equal(sf_send(sc_app(x.sc, x.B), x.b, "x", 1), -ECONNRESET);
	conn_close(&x);
}

/* RFC 9293 §3.10.5 ABORT (sf_abort): a RST, no TIME-WAIT; B's pending error is -ECONNRESET; TCPAbortOnUser. */
static void test_abort_user_abort(void **unused)
{
	(void)unused;
	struct conn x;
	conn_open(&x, 912);

	size_t mark = x.r->n;
	assert_int_equal(sf_abort(sc_app(x.sc, x.A), x.a), 0);
	expect_reset_by_a(&x, mark);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnUser), 1);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnClose), 0);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnLinger), 0);
	sf_stack *st = sc_app(x.sc, x.B);
	assert_true(sc_events_for(st, x.b) & SF_EV_ERROR);
	assert_int_equal(sf_take_error(st, x.b), -ECONNRESET);
	assert_int_equal(sf_take_error(st, x.b), 0);
	conn_close(&x);
}

/* RFC 9293 §3.10.4 CLOSE in SYN-SENT ("delete the TCB"): the SYN was lost and B never answered; after close() no segment leaves A, the SYN is not retransmitted. */
static void test_close_in_syn_sent_sends_nothing(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(913, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	struct sf_endpoint srv = sc_ep(B, 80);

	assert_int_equal(sf_sim_drop_nth(sc->sim, A, B, 1), 0);
	int c = sc_connect(sc, A, 0, false, srv);
	sc_run_for(sc, 500); /* half the initial RTO: no retransmission yet */
	assert_int_equal(r->n, 1);
	assert_int_equal(r->seg[0].flags, SF_TCP_SYN);
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_SYN_SENT);
	size_t mark = r->n;
	assert_int_equal(sf_close(sc_app(sc, A), c), 0);
	sc_run_for(sc, 200000); /* past every SYN retransmission that would have been */
	assert_int_equal(sc_rec_count(r, mark, A, 0, 0), 0);
	assert_int_equal(r->n, mark);
	assert_true(sc_saw(sc, A, SF_SYN_SENT, SF_CLOSED));
	assert_int_equal(sf_state(sc_stack(sc, A), c), -EBADF);
	assert_int_equal(sc_counter(sc, A, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_InSegs), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_PassiveOpens), 0);
	assert_int_equal(sf_next_deadline(sc_stack(sc, A)), UINT64_MAX); /* no timer left behind */
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.10.7.1 and §3.10.7.3 (RST with an acceptable ACK in SYN-SENT): a SYN to a port with no listener draws <SEQ=0><ACK=ISN+1><CTL=RST,ACK>; connect fails with -ECONNREFUSED. */
static void test_connect_refused(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(914, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0); /* a listener, but on another port */
	struct sf_endpoint srv = sc_ep(B, 81);

	int c = sc_connect(sc, A, 0, false, srv);
	struct sc_want closed[] = { { A, c, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, closed, 1000));
	sc_run_for(sc, 10000);
	assert_int_equal(r->n, 2); /* SYN, RST: nothing retransmitted */
	assert_int_equal(r->seg[0].from, A);
	assert_int_equal(r->seg[0].flags, SF_TCP_SYN);
	assert_int_equal(r->seg[1].from, B);
	assert_int_equal(r->seg[1].flags, SF_TCP_RST | SF_TCP_ACK);
	assert_int_equal(r->seg[1].seq, 0);
	assert_int_equal(r->seg[1].ack, r->seg[0].seq + 1);
	assert_true(sc_saw(sc, A, SF_SYN_SENT, SF_CLOSED));
	assert_false(sc_saw(sc, A, SF_SYN_SENT, SF_ESTABLISHED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_InRsts), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_OutRsts), 1);
	assert_int_equal(sc_drops(sc, B, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_ListenDrops), 0);
	sf_stack *st = sc_app(sc, A);
	uint32_t ev = sc_events_for(st, c);
	assert_true(ev & SF_EV_ERROR);
	assert_false(ev & SF_EV_CONNECTED);
	assert_int_equal(sf_take_error(st, c), -ECONNREFUSED);
	assert_int_equal(sf_close(st, c), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.10.2/§3.10.3 with shutdown(SHUT_RD) (the receiving half of a half-close): B's recv returns 0 at once; data A sends afterwards is still ACKed (no RST, no retransmission) and discarded; B can still send; the connection closes cleanly. */
static void test_shutdown_rd(void **unused)
{
	(void)unused;
	struct conn x;
	conn_open(&x, 915);
	sf_stack *sb = sc_app(x.sc, x.B);
	uint8_t buf[64];

	assert_int_equal(sf_shutdown(sb, x.b, SF_SHUT_RD), 0);
	assert_int_equal(sf_recv(sb, x.b, buf, sizeof buf), 0);          /* at once */
	assert_int_equal(sf_state(sb, x.b), SF_ESTABLISHED);

	/* A sends 8000 bytes: every one is ACKed by B. */
	static uint8_t out[8000];
	sc_fill(out, sizeof out, 9);
	size_t mark = x.r->n;
	assert_int_equal(sf_send(sc_app(x.sc, x.A), x.a, out, sizeof out), (long)sizeof out);
	sc_run_for(x.sc, 1000);
	struct sc_payloads p = sc_rec_payloads(x.r, mark, x.A);
	assert_int_equal(p.total, sizeof out);
	const struct sc_rec_seg *la = sc_rec_last(x.r, x.A, x.B), *lb = sc_rec_last(x.r, x.B, x.A);
	assert_int_equal(lb->ack, la->seq + (uint32_t)la->len);          /* all of it */
	assert_true(lb->flags & SF_TCP_ACK);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_RetransSegs), 0);
	assert_int_equal(sc_counter(x.sc, x.B, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TCPAbortOnData), 0);
	assert_int_equal(sf_recv(sc_app(x.sc, x.B), x.b, buf, sizeof buf), 0); /* discarded */
	assert_int_equal(sf_state(sc_stack(x.sc, x.A), x.a), SF_ESTABLISHED);

	/* B's sending half is untouched. */
	assert_int_equal(sf_send(sc_app(x.sc, x.B), x.b, "still here", 10), 10);
	sc_run_for(x.sc, 500);
	assert_int_equal(sf_recv(sc_app(x.sc, x.A), x.a, buf, sizeof buf), 10);
	assert_memory_equal(buf, "still here", 10);

	/* An orderly close: A first, then B; no RST anywhere. */
	assert_int_equal(sf_close(sc_app(x.sc, x.A), x.a), 0);
	sc_run_for(x.sc, 500);
	assert_int_equal(sf_state(sc_stack(x.sc, x.B), x.b), SF_CLOSE_WAIT);
	assert_int_equal(sf_close(sc_app(x.sc, x.B), x.b), 0);
	sc_run_for(x.sc, 500);
	assert_true(sc_saw(x.sc, x.A, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_true(sc_saw(x.sc, x.B, SF_CLOSE_WAIT, SF_LAST_ACK));
	assert_true(sc_saw(x.sc, x.B, SF_LAST_ACK, SF_CLOSED));
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(x.sc, x.B, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_EstabResets), 0);
	assert_int_equal(sc_counter(x.sc, x.B, SF_CTR_EstabResets), 0);
	assert_int_equal(sc_counter(x.sc, x.B, SF_CTR_TCPAbortOnClose), 0);
	assert_int_equal(sc_counter(x.sc, x.A, SF_CTR_TimeWaitCurrent), 1);
	conn_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_close_with_unread_data),
		cmocka_unit_test(test_abort_linger_zero),
		cmocka_unit_test(test_abort_user_abort),
		cmocka_unit_test(test_close_in_syn_sent_sends_nothing),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_shutdown_rd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
