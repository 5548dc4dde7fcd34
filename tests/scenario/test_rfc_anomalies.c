/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 9293 §3.5 and §3.5.1, the anomaly figures, reproduced with two synfin
 * stacks on the simulated network (10 ms one way):
 *
 *   Figure 8  (RFC 793 Figure 9)  recovery from an old duplicate SYN
 *   Figure 9  (RFC 793 Figure 10) half-open connection discovery
 *   Figure 10 (RFC 793 Figure 11) active side causes half-open discovery
 *   Figure 11 (RFC 793 Figure 12) old duplicate SYN resets two passive sockets
 *
 * Old duplicates are crafted with sf_wire_build and handed to the network
 * from the host whose address they carry; a "hold" filter delays a real
 * segment by taking it off the wire and sending it again later. A recorder
 * (the sim observer) sees every datagram sent, so the tests can check the
 * numbers each figure shows line by line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "base/seq.h"
#include "wire/wire.h"

#define MAX_REC 1024

/* ---- the recorder (sc_rec_install) ------------------------------------------- */

/* Assert segment i: from host, exactly these control flags. */
static const struct sc_rec_seg *expect_seg(const struct sc_rec *r, size_t i, int from, uint8_t ctl)
{
	assert_true(i < r->n);
	assert_int_equal(r->seg[i].from, from);
	assert_int_equal(r->seg[i].flags & SC_CTL, ctl);
	return &r->seg[i];
}

/* ---- holding a segment back (a slow path through the network) ---------------- */

struct hold {
	struct scenario *sc;
	int from, to;
	bool armed, held;
	uint8_t buf[2048];
	size_t len;
};

/* Takes the first datagram from -> to off the wire once armed. */
static bool hold_filter(void *ctx, int from, int to, const uint8_t *dgram, size_t len)
{
	struct hold *h = ctx;

	if (!h->armed || h->held || from != h->from || to != h->to || len > sizeof h->buf)
		return false;
	memcpy(h->buf, dgram, len);
	h->len = len;
	h->held = true;
	return true;
}

/* sf_sim_at action: the held datagram finally goes on its way. */
static void hold_release(void *ctx, uint64_t now)
{
	struct hold *h = ctx;

	(void)now;
	assert_true(h->held);
	h->armed = false;
	assert_int_equal(sf_sim_send(h->sc->sim, h->from, h->buf, h->len), 0);
}

/* ---- the applications --------------------------------------------------------- */

/* host sends text on sock and the peer reads exactly it on psock. */
static void transfer(struct scenario *sc, int host, int sock, int phost, int psock, const char *text)
{
	char buf[64];
	size_t len = strlen(text);

	assert_true(len <= sizeof buf);
	sc_send_all(sc, host, sock, text, len);
	sc_read_exactly(sc, phost, psock, buf, len, 1000);
	assert_memory_equal(buf, text, len);
}

/* ---- the figures ---------------------------------------------------------------- */

/* RFC 9293 §3.5 Figure 8 (RFC 793 Figure 9), §3.10.7.3 and §3.10.7.4 (SYN-RECEIVED RST): an old duplicate SYN(90) beats SYN(100); A resets B's SYN,ACK(ack 91); B returns to LISTEN; the real SYN then connects. */
static void test_fig8_recovery_from_old_duplicate_syn(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(8, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	struct hold h = { .sc = sc, .from = A, .to = B, .armed = true };
	sf_sim_set_filter(sc->sim, hold_filter, &h);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 0);

	/* Line 2: A's SYN sets out, but takes the slow path (held for 40 ms). */
	int c = sc_connect(sc, A, 5000, false, sc_ep(B, 80));
	assert_true(h.held);
	assert_int_equal(r->n, 1);
	uint32_t iss = r->seg[0].seq;
	assert_int_equal(r->seg[0].flags, SF_TCP_SYN);
	assert_int_equal(sf_sim_at(sc->sim, 40 * SC_MS, hold_release, &h), 0);

	/* Line 3: an old duplicate SYN of the same 4-tuple, 10 below, arrives first. */
	struct sf_segment dup = {
		.src = sc_addr(A), .dst = sc_addr(B), .sport = 5000, .dport = 80,
		.seq = iss - 10, .flags = SF_TCP_SYN, .window = 65535,
		.opt = { .has_mss = 1, .mss = 1460 },
	};
	sc_inject(sc, A, &dup);
	int s = sc_establish(sc, A, c, B, lst, 900);

	assert_int_equal(r->n, 7);
	/* Line 4: B answers the duplicate normally: <ACK=91><CTL=SYN,ACK>. */
	const struct sc_rec_seg *sa1 = expect_seg(r, 2, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa1->ack, iss - 10 + 1);
	/* Line 5: A, in SYN-SENT, sees an unacceptable ACK: <SEQ=91><CTL=RST>. */
	const struct sc_rec_seg *rst = expect_seg(r, 3, A, SF_TCP_RST);
	assert_int_equal(rst->seq, iss - 10 + 1);
	assert_int_equal(sc_drops(sc, A, SF_DROP_SYN_SENT_BAD_ACK), 1);
	/* Lines 6-8: the real SYN, B's new SYN,ACK, A's ACK. */
	const struct sc_rec_seg *syn = expect_seg(r, 4, A, SF_TCP_SYN);
	assert_int_equal(syn->seq, iss);
	const struct sc_rec_seg *sa2 = expect_seg(r, 5, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa2->ack, iss + 1);
	const struct sc_rec_seg *ack = expect_seg(r, 6, A, SF_TCP_ACK);
	assert_int_equal(ack->seq, iss + 1);
	assert_int_equal(ack->ack, sa2->seq + 1);

	/* B went SYN-RECEIVED -> LISTEN (the embryo dropped) and then again to ESTABLISHED. */
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_LISTEN));
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_ESTABLISHED));
	assert_int_equal(sc_counter(sc, B, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_PassiveOpens), 1);
	assert_int_equal(sf_accept(sc_app(sc, B), lst, NULL), -EAGAIN);
	/* A never left SYN-SENT and never had to retransmit. */
	assert_true(sc_saw(sc, A, SF_SYN_SENT, SF_ESTABLISHED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_AttemptFails), 0);
	transfer(sc, A, c, B, s, "one connection");
	transfer(sc, B, s, A, c, "both ways");
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.5.1 Figure 9 (RFC 793 Figure 10), RFC 5961 §4: A reboots and reopens from the same port; B's stale connection answers the SYN with an ACK, A resets it, B aborts, and A's retransmitted SYN connects. */
static void test_fig9_half_open_discovery(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(9, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s1 = sc_open_pair(sc, A, 5000, B, 80, 1000, &lst, &c);
	transfer(sc, A, c, B, s1, "before the crash");
	sc_run_for(sc, 100);

	/* Line 1: A crashes and comes back with no memory of the connection. */
	sf_sim_crash(sc->sim, A);
	sc_run_for(sc, 500);
	sf_sim_reboot(sc->sim, A);
	sc_run_for(sc, 500);
	assert_int_equal(sf_state(sc_stack(sc, B), s1), SF_ESTABLISHED);

	/* Line 3: A's user opens again, from the same port. */
	size_t mark = r->n;
	int c2 = sc_connect(sc, A, 5000, false, sc_ep(B, 80));
	int s2 = sc_establish(sc, A, c2, B, lst, 5000);

	const struct sc_rec_seg *syn = expect_seg(r, mark, A, SF_TCP_SYN);
	/* Line 4: B, synchronized, answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
	const struct sc_rec_seg *chack = expect_seg(r, mark + 1, B, SF_TCP_ACK);
	assert_int_equal(chack->len, 0);
	/* Line 5: A, in SYN-SENT, finds the ACK unacceptable: <SEQ=SEG.ACK><CTL=RST>. */
	const struct sc_rec_seg *rst = expect_seg(r, mark + 2, A, SF_TCP_RST);
	assert_int_equal(rst->seq, chack->ack);
	/* Line 7: A's SYN again (its retransmission, 1 s later), now a plain handshake. */
	const struct sc_rec_seg *syn2 = expect_seg(r, mark + 3, A, SF_TCP_SYN);
	assert_int_equal(syn2->seq, syn->seq);
	assert_int_equal(syn2->t - syn->t, 1000 * SC_MS);
	const struct sc_rec_seg *sa = expect_seg(r, mark + 4, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa->ack, syn->seq + 1);
	expect_seg(r, mark + 5, A, SF_TCP_ACK);
	assert_int_equal(r->n, mark + 6);

	/* Line 5-6: B aborted its half-open connection and told its user. */
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPSYNChallenge), 1);
	assert_int_equal(sc_drops(sc, B, SF_DROP_SYN_CHALLENGED), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_EstabResets), 1);
	assert_true(sc_saw(sc, B, SF_ESTABLISHED, SF_CLOSED));
	char b;
	assert_int_equal(sf_recv(sc_app(sc, B), s1, &b, 1), -ECONNRESET);
	assert_int_equal(sf_close(sc_app(sc, B), s1), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 1);
	assert_int_equal(sc_drops(sc, A, SF_DROP_SYN_SENT_BAD_ACK), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_PassiveOpens), 2);
	transfer(sc, A, c2, B, s2, "after the reboot");
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.5.1 (the user at B sends on a connection A no longer has) and §3.10.7.1: A crashed and rebooted; B's data draws <SEQ=SEG.ACK><CTL=RST>; B's user gets -ECONNRESET. */
static void test_fig9_survivor_sends_to_rebooted_peer(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(91, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 5000, B, 80, 1000, &lst, &c);
	transfer(sc, A, c, B, s, "hello");
	sc_run_for(sc, 100); /* B's ACK of it lands before the crash */

	sf_sim_crash(sc->sim, A);
	sf_sim_reboot(sc->sim, A);
	sc_run_for(sc, 1000);

	size_t mark = r->n;
	assert_int_equal(sf_send(sc_app(sc, B), s, "anyone?", 7), 7);
	struct sc_want w[] = { { B, s, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, w, 1000));
	const struct sc_rec_seg *data = expect_seg(r, mark, B, SF_TCP_ACK);
	assert_int_equal(data->len, 7);
	const struct sc_rec_seg *rst = expect_seg(r, mark + 1, A, SF_TCP_RST);
	assert_int_equal(rst->seq, data->ack);
	assert_int_equal(r->n, mark + 2);
	assert_int_equal(sc_drops(sc, A, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sf_recv(sc_app(sc, B), s, (char[8]){ 0 }, 8), -ECONNRESET);
	assert_int_equal(sc_counter(sc, B, SF_CTR_EstabResets), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_CurrEstab), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_RetransSegs), 0);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.5.1 Figure 10 (RFC 793 Figure 11), §3.10.7.2 (an ACK to a listener): B crashed and its server restarted; A's data <SEQ=300><ACK=100><DATA=10> draws <SEQ=100><CTL=RST>; A aborts with -ECONNRESET. */
static void test_fig10_active_side_discovers_half_open(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(10, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 5000, B, 80, 1000, &lst, &c);
	transfer(sc, B, s, A, c, "hello");
	sc_run_for(sc, 100);

	/* B reboots and its server application listens again on port 80. */
	sf_sim_crash(sc->sim, B);
	sc_run_for(sc, 2000);
	sf_sim_reboot(sc->sim, B);
	sc_listen(sc, B, SF_AF_INET, 80, 16, 0);
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_ESTABLISHED);

	size_t mark = r->n;
	assert_int_equal(sf_send(sc_app(sc, A), c, "0123456789", 10), 10);
	struct sc_want w[] = { { A, c, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(sc, sc_reached, w, 1000));
	const struct sc_rec_seg *data = expect_seg(r, mark, A, SF_TCP_ACK);
	assert_int_equal(data->len, 10);
	const struct sc_rec_seg *rst = expect_seg(r, mark + 1, B, SF_TCP_RST);
	assert_int_equal(rst->seq, data->ack);
	assert_int_equal(r->n, mark + 2);
	assert_int_equal(sc_drops(sc, B, SF_DROP_LISTEN_ACK), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_true(sc_saw(sc, A, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_EstabResets), 1);
	char b;
	assert_int_equal(sf_recv(sc_app(sc, A), c, &b, 1), -ECONNRESET);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.5.1 Figure 11 (RFC 793 Figure 12), §3.10.7.2 and §3.10.7.4: A and B both LISTEN; an old duplicate SYN(Z) reaches B; A resets B's SYN,ACK with <SEQ=Z+1><CTL=RST>; B returns to LISTEN. */
static void test_fig11_old_duplicate_syn_two_passive_sockets(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(11, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int la = sc_listen(sc, A, SF_AF_INET, 7000, 16, 0), lb = sc_listen(sc, B, SF_AF_INET, 8000, 16, 0);

	const uint32_t Z = 0x12345678;
	struct sf_segment dup = {
		.src = sc_addr(A), .dst = sc_addr(B), .sport = 7000, .dport = 8000,
		.seq = Z, .flags = SF_TCP_SYN, .window = 65535, .opt = { .has_mss = 1, .mss = 1460 },
	};
	sc_inject(sc, A, &dup);
	sc_run_for(sc, 10000); /* long enough for any SYN,ACK retransmission */

	assert_int_equal(r->n, 3);
	expect_seg(r, 0, A, SF_TCP_SYN);
	/* Line 3: <SEQ=X><ACK=Z+1><CTL=SYN,ACK> from B's SYN-RECEIVED. */
	const struct sc_rec_seg *sa = expect_seg(r, 1, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa->ack, Z + 1);
	/* Line 4: A's listener: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>. */
	const struct sc_rec_seg *rst = expect_seg(r, 2, A, SF_TCP_RST);
	assert_int_equal(rst->seq, Z + 1);
	assert_int_equal(sc_drops(sc, A, SF_DROP_LISTEN_ACK), 1);
	/* Line 4-5: B accepts the reset and is back in LISTEN, its embryo gone. */
	assert_true(sc_saw(sc, B, SF_LISTEN, SF_SYN_RECEIVED));
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_LISTEN));
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPSynRetrans), 0);
	for (int h = A; h <= B; h++) {
		int l = h == A ? la : lb;
		assert_int_equal(sf_state(sc_stack(sc, h), l), SF_LISTEN);
		assert_int_equal(sf_accept(sc_app(sc, h), l, NULL), -EAGAIN);
		assert_int_equal(sc_counter(sc, h, SF_CTR_PassiveOpens), 0);
		assert_int_equal(sc_counter(sc, h, SF_CTR_CurrEstab), 0);
	}

	/* Both listeners still work. */
	int c = sc_connect(sc, A, 5000, false, sc_ep(B, 8000));
	int s = sc_establish(sc, A, c, B, lb, 1000);
	transfer(sc, A, c, B, s, "still listening");
	free(r);
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fig8_recovery_from_old_duplicate_syn),
		cmocka_unit_test(test_fig9_half_open_discovery),
		cmocka_unit_test(test_fig9_survivor_sends_to_rebooted_peer),
		cmocka_unit_test(test_fig10_active_side_discovers_half_open),
		cmocka_unit_test(test_fig11_old_duplicate_syn_two_passive_sockets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
