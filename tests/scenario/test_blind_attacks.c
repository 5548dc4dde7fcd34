/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 5961 blind in-window attacks on the simulated network: a third host
 * forges segments as one end of a connection between two synfin stacks
 * (10 ms one way, virtual time only). A forged RST, SYN or data with a bad
 * ACK is answered with a challenge ACK to the real peer and changes nothing;
 * only a RST at exactly RCV.NXT resets; challenge ACKs are rate limited. A
 * recorder parses every datagram handed to the network, so the tests check
 * each forgery and each answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "wire/wire.h"

#define MAX_REC 8192

/* A (client) and B (server, port 80) with data flowing; C is an attacker on
 * the same network that forges segments with A's address and port. */
struct duel {
	struct scenario *sc;
	struct sc_rec *r;
	int A, B, C;
	int lst, a, b;
	uint16_t aport;
	uint32_t ts_ahead;  /* how far the forgeries' TSval runs ahead of A's */
};

static void duel_open(struct duel *d, uint64_t seed)
{
	d->ts_ahead = 0;
	d->sc = sc_new(seed, 10);
	d->A = sc_add_host(d->sc, "A", NULL);
	d->B = sc_add_host(d->sc, "B", NULL);
	d->C = sc_add_host(d->sc, "attacker", NULL);
	d->r = sc_rec_install(d->sc, MAX_REC);
	d->b = sc_open_pair(d->sc, d->A, 0, d->B, 80, 5000, &d->lst, &d->a);
	d->aport = sc_local_port(d->sc, d->A, d->a);
	sc_exchange(d->sc, d->A, d->a, 6000, d->B, d->b, 6000);
	sc_run_for(d->sc, 1000); /* quiet: every ACK (delayed ones too) delivered */
}

static void duel_close(struct duel *d)
{
	free(d->r);
	sc_free(d->sc);
}

/* What the attacker needs, seen from the wire of a quiet connection: B's
 * RCV.NXT and SND.NXT (B's last ACK), and the timestamps both ends use. */
struct view {
	uint32_t rcv_nxt, snd_nxt;
	uint32_t ts_a, ts_b;
};

static struct view duel_view(const struct duel *d)
{
	const struct sc_rec_seg *la = sc_rec_last(d->r, d->A, d->B), *lb = sc_rec_last(d->r, d->B, d->A);
	struct view v = { lb->ack, lb->seq + (uint32_t)lb->len, la->ts_val, lb->ts_val };

	assert_int_equal(la->seq + (uint32_t)la->len, v.rcv_nxt); /* nothing of A's in flight */
	assert_int_equal(la->ack, v.snd_nxt);                     /* nor of B's */
	return v;
}

/* C sends a segment forged as A's to B. Non-RST segments carry a timestamp
 * (the connection agreed to them; RFC 7323 §3.2 drops a segment without one)
 * with A's current TSval (plus d->ts_ahead), so PAWS lets them through to the
 * RFC 5961 checks. */
static void spoof(struct duel *d, uint8_t flags, uint32_t seq, uint32_t ack, const void *payload, size_t len)
{
	struct view v = duel_view(d);
	struct sf_segment s;

	memset(&s, 0, sizeof s);
	s.src = sc_addr(d->A);
	s.dst = sc_addr(d->B);
	s.sport = d->aport;
	s.dport = 80;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.window = 1000;
	if (!(flags & SF_TCP_RST)) {
		s.opt.has_timestamp = 1;
		s.opt.ts_val = v.ts_a + d->ts_ahead;
		s.opt.ts_ecr = v.ts_b;
	}
	s.payload = payload;
	s.payload_len = len;
	sc_inject(d->sc, d->C, &s);
}

/* After mark: C's forgery went to B, and B answered with exactly one segment,
 * to the real A, 10 ms later: a bare ACK carrying B's own SND.NXT and RCV.NXT
 * (never numbers taken from the forgery). A says nothing. */
static void expect_challenge_ack(const struct duel *d, size_t mark, const struct view *v)
{
	const struct sc_rec *r = d->r;

	assert_int_equal(r->n - mark, 2);
	const struct sc_rec_seg *forged = &r->seg[mark], *chack = &r->seg[mark + 1];
	assert_int_equal(forged->from, d->C);
	assert_int_equal(forged->to, d->B);
	assert_int_equal(chack->from, d->B);
	assert_int_equal(chack->to, d->A);
	assert_int_equal(chack->flags & SC_CTL, SF_TCP_ACK);
	assert_int_equal(chack->len, 0);
	assert_int_equal(chack->seq, v->snd_nxt);
	assert_int_equal(chack->ack, v->rcv_nxt);
	assert_int_equal(chack->t, forged->t + 10 * SC_MS);
}

/* The connection is unharmed: both ends ESTABLISHED, no RST, data flows byte-exact both ways. */
static void expect_survives(struct duel *d)
{
	struct scenario *sc = d->sc;

	assert_int_equal(sf_state(sc_stack(sc, d->A), d->a), SF_ESTABLISHED);
	assert_int_equal(sf_state(sc_stack(sc, d->B), d->b), SF_ESTABLISHED);
	sc_exchange(sc, d->A, d->a, 10000, d->B, d->b, 10000);
	assert_false(sc_saw(sc, d->B, SF_ESTABLISHED, SF_CLOSED));
	assert_false(sc_saw(sc, d->A, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sc_counter(sc, d->B, SF_CTR_EstabResets), 0);
	assert_int_equal(sc_counter(sc, d->A, SF_CTR_EstabResets), 0);
	assert_int_equal(sc_counter(sc, d->A, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(sc, d->B, SF_CTR_OutRsts), 0);
	assert_int_equal(sc_counter(sc, d->B, SF_CTR_CurrEstab), 1);
}

/* RFC 5961 §3.2, RFC 9293 §3.10.7.4 second (RST): a forged RST inside B's window but not at RCV.NXT draws a challenge ACK to the real A and resets nothing. */
static void test_5961_rst_in_window_is_challenged(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 5961);
	struct view v = duel_view(&d);
	size_t mark = d.r->n;

	spoof(&d, SF_TCP_RST, v.rcv_nxt + 1000, 0, NULL, 0);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 1);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACKLimited), 0);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_InRsts), 1);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_RST_CHALLENGED), 1);
	expect_survives(&d);
	duel_close(&d);
}

/* RFC 5961 §4.2, RFC 9293 §3.10.7.4 fourth (SYN): a forged SYN, at a random sequence number and at one inside the window, each draws a challenge ACK; no SYN,ACK, no RST, the connection goes on. */
static void test_5961_syn_is_challenged(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 59612);
	struct view v = duel_view(&d);
	size_t mark = d.r->n;

	uint32_t random_seq = (uint32_t)sf_sim_random(d.sc->sim);
	spoof(&d, SF_TCP_SYN, random_seq, 0, NULL, 0);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);

	mark = d.r->n;
	spoof(&d, SF_TCP_SYN, v.rcv_nxt + 100, 0, NULL, 0);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);

	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPSYNChallenge), 2);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 2);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_SYN_CHALLENGED), 2);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_PassiveOpens), 1); /* no new connection */
	expect_survives(&d);
	duel_close(&d);
}

/* RFC 5961 §5.2, RFC 9293 §3.10.7.4 fifth (ACK): forged data at exactly RCV.NXT whose ACK lies outside [SND.UNA - MAX.SND.WND, SND.NXT] (above, then below) is dropped with a challenge ACK; B's application never sees a byte of it. */
static void test_5961_data_with_bad_ack_is_dropped(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 59613);
	struct view v = duel_view(&d);
	static const char evil[] = "EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL EVIL!";
	uint8_t buf[64];

	size_t mark = d.r->n;
	spoof(&d, SF_TCP_ACK | SF_TCP_PSH, v.rcv_nxt, v.snd_nxt + 0x40000000u, evil, sizeof evil - 1);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v); /* its ACK does not cover the forged bytes */
	assert_int_equal(sf_recv(sc_app(d.sc, d.B), d.b, buf, sizeof buf), -EAGAIN);

	mark = d.r->n;
	spoof(&d, SF_TCP_ACK | SF_TCP_PSH, v.rcv_nxt, v.snd_nxt - 0x40000000u, evil, sizeof evil - 1);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);
	assert_int_equal(sf_recv(sc_app(d.sc, d.B), d.b, buf, sizeof buf), -EAGAIN);

	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 2);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_ACK_CHALLENGED), 2);
	/* The real A's next bytes take that very sequence space and arrive
	 * exactly as sent (expect_survives checks the streams byte for byte). */
	expect_survives(&d);
	duel_close(&d);
}

/* RFC 5961 §5.2 with RFC 7323 §4.3/§5.3 (TS.Recent is taken only from acceptable segments; Linux commit bd090dfc634d): forged data with a bad ACK and a TSval far ahead is dropped without moving TS.Recent, so A's real segments still pass PAWS. */
static void test_5961_rejected_forgery_keeps_ts_recent(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 59616);
	d.ts_ahead = 0x20000000u; /* 2^29 ahead: still "newer" for PAWS */
	struct view v = duel_view(&d);
	static const char evil[] = "EVIL";
	uint8_t buf[8];

	size_t mark = d.r->n;
	spoof(&d, SF_TCP_ACK | SF_TCP_PSH, v.rcv_nxt, v.snd_nxt + 0x40000000u, evil, sizeof evil - 1);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_ACK_CHALLENGED), 1);
	assert_int_equal(sf_recv(sc_app(d.sc, d.B), d.b, buf, sizeof buf), -EAGAIN);
	/* TS.Recent is taken only after the RST, SYN and ACK checks pass (RFC
	 * 7323 §5.3 R3): the rejected forgery's TSval did not poison PAWS. */
	expect_survives(&d);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_PAWS), 0);
	duel_close(&d);
}

/* RFC 5961 §3.2 (the exact-match rule), RFC 9293 §3.10.7.4 second: a forged RST at exactly RCV.NXT does reset B (-ECONNRESET, EstabResets); the still-ESTABLISHED A finds out by the RST its next data draws. */
static void test_5961_rst_at_rcv_nxt_resets(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 59614);
	struct view v = duel_view(&d);
	size_t mark = d.r->n;
	uint8_t buf[8];

	spoof(&d, SF_TCP_RST, v.rcv_nxt, 0, NULL, 0);
	sc_run_for(d.sc, 100);
	assert_int_equal(d.r->n - mark, 1); /* no challenge ACK: B just goes */
	assert_true(sc_saw(d.sc, d.B, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_EstabResets), 1);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 0);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_CurrEstab), 0);
	assert_true(sc_events_for(sc_app(d.sc, d.B), d.b) & SF_EV_ERROR);
	assert_int_equal(sf_recv(sc_app(d.sc, d.B), d.b, buf, sizeof buf), -ECONNRESET);

	/* A knows nothing until it sends. */
	assert_int_equal(sf_state(sc_stack(d.sc, d.A), d.a), SF_ESTABLISHED);
	assert_int_equal(sf_send(sc_app(d.sc, d.A), d.a, "late", 4), 4);
	struct sc_want closed[] = { { d.A, d.a, SF_CLOSED }, { -1, 0, 0 } };
	assert_true(sc_run_until(d.sc, sc_reached, closed, 1000));
	assert_int_equal(sf_recv(sc_app(d.sc, d.A), d.a, buf, sizeof buf), -ECONNRESET);
	assert_int_equal(sc_counter(d.sc, d.A, SF_CTR_EstabResets), 1);
	/* B's listener on port 80 answered the ACK-bearing data with a RST (§3.10.7.2). */
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_LISTEN_ACK), 1);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_OutRsts), 1);
	duel_close(&d);
}

/* RFC 5961 §7 (challenge_ack_limit 10 per connection per second): 50 in-window RSTs within one virtual second draw 10 challenge ACKs, 40 are counted as limited; the next second has a fresh budget. */
static void test_5961_challenge_ack_limit(void **unused)
{
	(void)unused;
	struct duel d;
	duel_open(&d, 59615);
	struct view v = duel_view(&d);

	/* One forged RST every 10 ms, all arriving in [k+0.11 s, k+0.60 s]. */
	uint64_t k = sf_sim_now(d.sc->sim) / 1000000000u + 1;
	size_t mark = d.r->n;
	for (uint32_t i = 0; i < 50; i++) {
		sf_sim_run_until(d.sc->sim, k * 1000000000u + (100 + 10 * (uint64_t)i) * SC_MS);
		spoof(&d, SF_TCP_RST, v.rcv_nxt + 1 + i, 0, NULL, 0);
	}
	sf_sim_run_until(d.sc->sim, k * 1000000000u + 900 * SC_MS);
	assert_int_equal(sc_rec_count(d.r, mark, d.C, 0, 0), 50);
	assert_int_equal(sc_rec_count(d.r, mark, d.B, 0, 0), 10);
	assert_int_equal(sc_rec_count(d.r, mark, d.A, 0, 0), 0);
	for (size_t i = mark; i < d.r->n; i++) {
		const struct sc_rec_seg *s = &d.r->seg[i];
		if (s->from != d.B)
			continue;
		assert_int_equal(s->flags & SC_CTL, SF_TCP_ACK);
		assert_int_equal(s->seq, v.snd_nxt);
		assert_int_equal(s->ack, v.rcv_nxt);
	}
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 10);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACKLimited), 40);
	assert_int_equal(sc_drops(d.sc, d.B, SF_DROP_RST_CHALLENGED), 50);
	assert_int_equal(sf_state(sc_stack(d.sc, d.B), d.b), SF_ESTABLISHED);

	/* A second later the budget is back: the next forgery is challenged again. */
	sf_sim_run_until(d.sc->sim, (k + 1) * 1000000000u + 500 * SC_MS);
	mark = d.r->n;
	spoof(&d, SF_TCP_RST, v.rcv_nxt + 77, 0, NULL, 0);
	sc_run_for(d.sc, 100);
	expect_challenge_ack(&d, mark, &v);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACK), 11);
	assert_int_equal(sc_counter(d.sc, d.B, SF_CTR_TCPChallengeACKLimited), 40);
	expect_survives(&d);
	duel_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_5961_rst_in_window_is_challenged),
		cmocka_unit_test(test_5961_syn_is_challenged),
		cmocka_unit_test(test_5961_data_with_bad_ack_is_dropped),
		cmocka_unit_test(test_5961_rejected_forgery_keeps_ts_recent),
		cmocka_unit_test(test_5961_rst_at_rcv_nxt_resets),
		cmocka_unit_test(test_5961_challenge_ack_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
