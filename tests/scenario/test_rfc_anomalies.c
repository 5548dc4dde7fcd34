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
#include "seq.h"
#include "wire.h"

#define MAX_REC 1024
#define CTL (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST | SF_TCP_ACK)

/* ---- the recorder ----------------------------------------------------------- */

struct rec_seg {
	uint64_t t;
	int from, to;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t sport, dport;
	size_t len;
};

struct rec {
	struct scenario *sc;
	struct rec_seg seg[MAX_REC];
	size_t n;
};

static void rec_observer(void *ctx, const struct sf_sim_event *ev)
{
	struct rec *r = ctx;
	struct sf_segment s;

	if (ev->kind != SF_SIM_EV_SEND)
		return;
	r->sc->segments_sent++;
	if (sf_wire_parse(ev->dgram, ev->len, &s) != SF_DROP_NONE || r->n >= MAX_REC)
		return;
	r->seg[r->n++] = (struct rec_seg){
		.t = ev->time_ns, .from = ev->from, .to = ev->to, .flags = s.flags, .seq = s.seq, .ack = s.ack,
		.sport = s.sport, .dport = s.dport, .len = s.payload_len,
	};
}

static struct rec *rec_install(struct scenario *sc)
{
	struct rec *r = calloc(1, sizeof *r);

	assert_non_null(r);
	r->sc = sc;
	sf_sim_set_observer(sc->sim, rec_observer, r);
	return r;
}

/* Assert segment i: from host, exactly these control flags. */
static const struct rec_seg *expect_seg(const struct rec *r, size_t i, int from, uint8_t ctl)
{
	assert_true(i < r->n);
	assert_int_equal(r->seg[i].from, from);
	assert_int_equal(r->seg[i].flags & CTL, ctl);
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

/* A crafted datagram, sent as if by host `from` (an old duplicate the network kept). */
static void inject(struct scenario *sc, int from, const struct sf_segment *seg)
{
	uint8_t buf[256];
	size_t len = sf_wire_build(buf, sizeof buf, seg, NULL, 0);

	assert_true(len > 0);
	assert_int_equal(sf_sim_send(sc->sim, from, buf, len), 0);
}

/* ---- the applications --------------------------------------------------------- */

static sf_stack *app(struct scenario *sc, int host)
{
	sf_stack *st = sc_stack(sc, host);

	if (st)
		sf_advance(st, sf_sim_now(sc->sim)); /* user calls act at the stack's time */
	return st;
}

static int do_listen(struct scenario *sc, int host, uint16_t port)
{
	sf_stack *st = app(sc, host);
	int l = sf_socket(st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = port };

	assert_true(l >= 0);
	assert_int_equal(sf_bind(st, l, &any), 0);
	assert_int_equal(sf_listen(st, l, 16), 0);
	return l;
}

static int do_connect(struct scenario *sc, int host, uint16_t lport, int rhost, uint16_t rport)
{
	sf_stack *st = app(sc, host);
	int c = sf_socket(st, SF_AF_INET);
	struct sf_endpoint local = sc_ep(host, lport), remote = sc_ep(rhost, rport);

	assert_true(c >= 0);
	assert_int_equal(sf_bind(st, c, &local), 0);
	assert_int_equal(sf_connect(st, c, &remote), -EINPROGRESS);
	return c;
}

struct pair {
	int chost, csock, shost, lsock, ssock;
};

static bool pair_up(struct scenario *sc, void *ctx)
{
	struct pair *p = ctx;

	if (p->ssock < 0)
		p->ssock = sf_accept(sc_stack(sc, p->shost), p->lsock, NULL);
	return p->ssock >= 0 && sf_state(sc_stack(sc, p->chost), p->csock) == SF_ESTABLISHED;
}

static int establish(struct scenario *sc, int chost, int csock, int shost, int lsock, uint64_t limit_ms)
{
	struct pair p = { chost, csock, shost, lsock, -1 };

	assert_true(sc_run_until(sc, pair_up, &p, limit_ms));
	return p.ssock;
}

struct sockstate {
	int host, sock, state;
};

static bool in_state(struct scenario *sc, void *ctx)
{
	const struct sockstate *w = ctx;
	return sf_state(sc_stack(sc, w->host), w->sock) == w->state;
}

struct reader {
	int host, sock;
	char *buf;
	size_t len, got;
};

static bool read_all(struct scenario *sc, void *ctx)
{
	struct reader *rd = ctx;
	long n = sf_recv(sc_stack(sc, rd->host), rd->sock, rd->buf + rd->got, rd->len - rd->got);

	if (n > 0)
		rd->got += (size_t)n;
	return rd->got == rd->len;
}

/* host sends text on sock and the peer reads exactly it on psock. */
static void transfer(struct scenario *sc, int host, int sock, int phost, int psock, const char *text)
{
	char buf[64];
	size_t len = strlen(text);
	struct reader rd = { phost, psock, buf, len, 0 };

	assert_true(len <= sizeof buf);
	assert_int_equal(sf_send(app(sc, host), sock, text, len), (long)len);
	assert_true(sc_run_until(sc, read_all, &rd, 1000));
	assert_memory_equal(buf, text, len);
}

static uint64_t drops(struct scenario *sc, int host, enum sf_drop_reason reason)
{
	return sf_stack_counters(sc_stack(sc, host))->drops[reason];
}

/* ---- the figures ---------------------------------------------------------------- */

/* RFC 9293 §3.5 Figure 8 (RFC 793 Figure 9), §3.10.7.3 and §3.10.7.4 (SYN-RECEIVED RST): an old duplicate SYN(90) beats SYN(100); A resets B's SYN,ACK(ack 91); B returns to LISTEN; the real SYN then connects. */
static void test_fig8_recovery_from_old_duplicate_syn(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(8, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct rec *r = rec_install(sc);
	struct hold h = { .sc = sc, .from = A, .to = B, .armed = true };
	sf_sim_set_filter(sc->sim, hold_filter, &h);
	int lst = do_listen(sc, B, 80);

	/* Line 2: A's SYN sets out, but takes the slow path (held for 40 ms). */
	int c = do_connect(sc, A, 5000, B, 80);
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
	inject(sc, A, &dup);
	int s = establish(sc, A, c, B, lst, 900);

	assert_int_equal(r->n, 7);
	/* Line 4: B answers the duplicate normally: <ACK=91><CTL=SYN,ACK>. */
	const struct rec_seg *sa1 = expect_seg(r, 2, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa1->ack, iss - 10 + 1);
	/* Line 5: A, in SYN-SENT, sees an unacceptable ACK: <SEQ=91><CTL=RST>. */
	const struct rec_seg *rst = expect_seg(r, 3, A, SF_TCP_RST);
	assert_int_equal(rst->seq, iss - 10 + 1);
	assert_int_equal(drops(sc, A, SF_DROP_SYN_SENT_BAD_ACK), 1);
	/* Lines 6-8: the real SYN, B's new SYN,ACK, A's ACK. */
	const struct rec_seg *syn = expect_seg(r, 4, A, SF_TCP_SYN);
	assert_int_equal(syn->seq, iss);
	const struct rec_seg *sa2 = expect_seg(r, 5, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa2->ack, iss + 1);
	const struct rec_seg *ack = expect_seg(r, 6, A, SF_TCP_ACK);
	assert_int_equal(ack->seq, iss + 1);
	assert_int_equal(ack->ack, sa2->seq + 1);

	/* B went SYN-RECEIVED -> LISTEN (the embryo dropped) and then again to ESTABLISHED. */
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_LISTEN));
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_ESTABLISHED));
	assert_int_equal(sc_counter(sc, B, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_PassiveOpens), 1);
	assert_int_equal(sf_accept(app(sc, B), lst, NULL), -EAGAIN);
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
	struct rec *r = rec_install(sc);
	int lst = do_listen(sc, B, 80);
	int c = do_connect(sc, A, 5000, B, 80);
	int s1 = establish(sc, A, c, B, lst, 1000);
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
	int c2 = do_connect(sc, A, 5000, B, 80);
	int s2 = establish(sc, A, c2, B, lst, 5000);

	const struct rec_seg *syn = expect_seg(r, mark, A, SF_TCP_SYN);
	/* Line 4: B, synchronized, answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
	const struct rec_seg *chack = expect_seg(r, mark + 1, B, SF_TCP_ACK);
	assert_int_equal(chack->len, 0);
	/* Line 5: A, in SYN-SENT, finds the ACK unacceptable: <SEQ=SEG.ACK><CTL=RST>. */
	const struct rec_seg *rst = expect_seg(r, mark + 2, A, SF_TCP_RST);
	assert_int_equal(rst->seq, chack->ack);
	/* Line 7: A's SYN again (its retransmission, 1 s later), now a plain handshake. */
	const struct rec_seg *syn2 = expect_seg(r, mark + 3, A, SF_TCP_SYN);
	assert_int_equal(syn2->seq, syn->seq);
	assert_int_equal(syn2->t - syn->t, 1000 * SC_MS);
	const struct rec_seg *sa = expect_seg(r, mark + 4, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa->ack, syn->seq + 1);
	expect_seg(r, mark + 5, A, SF_TCP_ACK);
	assert_int_equal(r->n, mark + 6);

	/* Line 5-6: B aborted its half-open connection and told its user. */
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPSYNChallenge), 1);
	assert_int_equal(drops(sc, B, SF_DROP_SYN_CHALLENGED), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_EstabResets), 1);
	assert_true(sc_saw(sc, B, SF_ESTABLISHED, SF_CLOSED));
	char b;
	assert_int_equal(sf_recv(app(sc, B), s1, &b, 1), -ECONNRESET);
	assert_int_equal(sf_close(app(sc, B), s1), 0);
	assert_int_equal(sc_counter(sc, A, SF_CTR_OutRsts), 1);
	assert_int_equal(sc_counter(sc, A, SF_CTR_TCPSynRetrans), 1);
	assert_int_equal(drops(sc, A, SF_DROP_SYN_SENT_BAD_ACK), 1);
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
	struct rec *r = rec_install(sc);
	int lst = do_listen(sc, B, 80);
	int c = do_connect(sc, A, 5000, B, 80);
	int s = establish(sc, A, c, B, lst, 1000);
	transfer(sc, A, c, B, s, "hello");
	sc_run_for(sc, 100); /* B's ACK of it lands before the crash */

	sf_sim_crash(sc->sim, A);
	sf_sim_reboot(sc->sim, A);
	sc_run_for(sc, 1000);

	size_t mark = r->n;
	assert_int_equal(sf_send(app(sc, B), s, "anyone?", 7), 7);
	struct sockstate w = { B, s, SF_CLOSED };
	assert_true(sc_run_until(sc, in_state, &w, 1000));
	const struct rec_seg *data = expect_seg(r, mark, B, SF_TCP_ACK);
	assert_int_equal(data->len, 7);
	const struct rec_seg *rst = expect_seg(r, mark + 1, A, SF_TCP_RST);
	assert_int_equal(rst->seq, data->ack);
	assert_int_equal(r->n, mark + 2);
	assert_int_equal(drops(sc, A, SF_DROP_NO_CONNECTION), 1);
	assert_int_equal(sf_recv(app(sc, B), s, (char[8]){ 0 }, 8), -ECONNRESET);
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
	struct rec *r = rec_install(sc);
	int lst = do_listen(sc, B, 80);
	int c = do_connect(sc, A, 5000, B, 80);
	int s = establish(sc, A, c, B, lst, 1000);
	transfer(sc, B, s, A, c, "hello");
	sc_run_for(sc, 100);

	/* B reboots and its server application listens again on port 80. */
	sf_sim_crash(sc->sim, B);
	sc_run_for(sc, 2000);
	sf_sim_reboot(sc->sim, B);
	do_listen(sc, B, 80);
	assert_int_equal(sf_state(sc_stack(sc, A), c), SF_ESTABLISHED);

	size_t mark = r->n;
	assert_int_equal(sf_send(app(sc, A), c, "0123456789", 10), 10);
	struct sockstate w = { A, c, SF_CLOSED };
	assert_true(sc_run_until(sc, in_state, &w, 1000));
	const struct rec_seg *data = expect_seg(r, mark, A, SF_TCP_ACK);
	assert_int_equal(data->len, 10);
	const struct rec_seg *rst = expect_seg(r, mark + 1, B, SF_TCP_RST);
	assert_int_equal(rst->seq, data->ack);
	assert_int_equal(r->n, mark + 2);
	assert_int_equal(drops(sc, B, SF_DROP_LISTEN_ACK), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_true(sc_saw(sc, A, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sc_counter(sc, A, SF_CTR_EstabResets), 1);
	char b;
	assert_int_equal(sf_recv(app(sc, A), c, &b, 1), -ECONNRESET);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.5.1 Figure 11 (RFC 793 Figure 12), §3.10.7.2 and §3.10.7.4: A and B both LISTEN; an old duplicate SYN(Z) reaches B; A resets B's SYN,ACK with <SEQ=Z+1><CTL=RST>; B returns to LISTEN. */
static void test_fig11_old_duplicate_syn_two_passive_sockets(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(11, 10);
	int A = sc_add_host(sc, "A", NULL), B = sc_add_host(sc, "B", NULL);
	struct rec *r = rec_install(sc);
	int la = do_listen(sc, A, 7000), lb = do_listen(sc, B, 8000);

	const uint32_t Z = 0x12345678;
	struct sf_segment dup = {
		.src = sc_addr(A), .dst = sc_addr(B), .sport = 7000, .dport = 8000,
		.seq = Z, .flags = SF_TCP_SYN, .window = 65535, .opt = { .has_mss = 1, .mss = 1460 },
	};
	inject(sc, A, &dup);
	sc_run_for(sc, 10000); /* long enough for any SYN,ACK retransmission */

	assert_int_equal(r->n, 3);
	expect_seg(r, 0, A, SF_TCP_SYN);
	/* Line 3: <SEQ=X><ACK=Z+1><CTL=SYN,ACK> from B's SYN-RECEIVED. */
	const struct rec_seg *sa = expect_seg(r, 1, B, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa->ack, Z + 1);
	/* Line 4: A's listener: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>. */
	const struct rec_seg *rst = expect_seg(r, 2, A, SF_TCP_RST);
	assert_int_equal(rst->seq, Z + 1);
	assert_int_equal(drops(sc, A, SF_DROP_LISTEN_ACK), 1);
	/* Line 4-5: B accepts the reset and is back in LISTEN, its embryo gone. */
	assert_true(sc_saw(sc, B, SF_LISTEN, SF_SYN_RECEIVED));
	assert_true(sc_saw(sc, B, SF_SYN_RECEIVED, SF_LISTEN));
	assert_int_equal(sc_counter(sc, B, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_AttemptFails), 1);
	assert_int_equal(sc_counter(sc, B, SF_CTR_TCPSynRetrans), 0);
	for (int h = A; h <= B; h++) {
		int l = h == A ? la : lb;
		assert_int_equal(sf_state(sc_stack(sc, h), l), SF_LISTEN);
		assert_int_equal(sf_accept(app(sc, h), l, NULL), -EAGAIN);
		assert_int_equal(sc_counter(sc, h, SF_CTR_PassiveOpens), 0);
		assert_int_equal(sc_counter(sc, h, SF_CTR_CurrEstab), 0);
	}

	/* Both listeners still work. */
	int c = do_connect(sc, A, 5000, B, 8000);
	int s = establish(sc, A, c, B, lb, 1000);
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
