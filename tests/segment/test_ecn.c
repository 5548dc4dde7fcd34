/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Explicit Congestion Notification (RFC 3168; RFC 9293 SHLD-8), as Linux
 * does it: cfg.ecn 0 (off), 1 (ask on active opens, agree on passive ones)
 * or 2 (agree only, the default). The negotiation in the SYNs (§6.1.1), the
 * sender's ECT(0) on new data only and its one reduction per window for an
 * ECE, with CWR on the next new data segment (§6.1.2, §6.1.5), and the
 * receiver's ECE on every ACK from a CE mark until the peer's CWR (§6.1.3).
 *
 * Unless a test says otherwise synfin is the passive side: the scripted
 * peer (MSS 1460, no timestamps, no window scaling, window 65535) connects
 * and synfin sends in full 1460-byte segments, SEG(i) being the first
 * sequence number of segment i. The handshake's RTT is ~0, so the RTO is
 * rto_min (200 ms).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 5000u
#define PORT 80
#define MSS 1460u
#define DSCP 0x28u /* AF11: the socket's own bits, which ECN must leave alone */
#define ECE SF_TCP_ECE
#define CWR SF_TCP_CWR
#define DATA (SF_TCP_PSH | SF_TCP_ACK)

static uint8_t pattern[1u << 16];

static void cfg_ecn0(struct sf_config *cfg) { cfg->ecn = 0; }
static void cfg_ecn1(struct sf_config *cfg) { cfg->ecn = 1; }
static void cfg_ecn2(struct sf_config *cfg) { cfg->ecn = 2; }
static const h_config_fn ecn_cfg[3] = { cfg_ecn0, cfg_ecn1, cfg_ecn2 };

/* A caller built before cfg.ecn existed: it sets a 0 there that the stack must not see. */
static void cfg_before_ecn(struct sf_config *cfg)
{
	cfg->ecn = 0;
	cfg->size = (uint32_t)offsetof(struct sf_config, ecn);
}

/* One connection under test. */
struct conn {
	struct harness *h;
	int c;
	uint32_t base;     /* our ISS + 1: the first data byte */
	uint32_t peer_seq; /* the peer's next sequence number */
	uint16_t lport;    /* synfin's port */
	uint16_t rport;    /* the peer's */
};

#define SEG(t, i) ((t)->base + (uint32_t)(i) * MSS)

/* The peer's SYN (SYN | extra, its IP ECN field tclass) to a listener on PORT; the SYN,ACK it draws. */
static struct sf_segment peer_syn(struct harness *h, uint8_t extra, uint8_t tclass)
{
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN | extra, .seq = PEER_ISN, .opt = &o, .tclass = tclass);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags & (SF_TCP_SYN | SF_TCP_ACK | SF_TCP_RST), SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ack, PEER_ISN + 1);
	return sa;
}

/*
 * The peer connects with SYN | syn_extra to a listener with DSCP set, and
 * synfin accepts. Asserts the SYN,ACK: ECE exactly when want_ece, never
 * CWR, never ECT (§6.1.1).
 */
static void open_passive(struct conn *t, int family, h_config_fn cfg, uint8_t syn_extra, bool want_ece)
{
	t->h = h_new(family, cfg);
	int l = h_listen(t->h, PORT, 4);
	assert_int_equal(sf_set_tclass(t->h->st, l, DSCP), 0);
	struct sf_segment sa = peer_syn(t->h, syn_extra, 0);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK | (want_ece ? ECE : 0));
	assert_int_equal(sa.tclass, DSCP);
	h_send(t->h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	h_expect_none(t->h);
	t->c = sf_accept(t->h->st, l, NULL);
	assert_true(t->c >= 0);
	t->base = sa.seq + 1;
	t->peer_seq = PEER_ISN + 1;
	t->lport = PORT;
	t->rport = t->h->peer_port;
	assert_int_equal(h_tcb(t->h, t->c)->snd_mss, MSS);
	assert_int_equal(h_tcb(t->h, t->c)->ecn_ok, want_ece);
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
}

/* The usual connection: the peer asks for ECN and synfin (cfg.ecn 2) agrees. */
static void open_ecn(struct conn *t)
{
	open_passive(t, 4, NULL, ECE | CWR, true);
}

/* synfin connects from port 7000 to the peer's 80 (cfg), the peer answers
 * SYN,ACK | synack_extra, and synfin's ACK completes it: a bare ACK, no
 * ECE (it is no echo of a CE), not ECT. Returns our SYN's flags. */
static uint8_t open_active(struct conn *t, h_config_fn cfg, uint8_t synack_extra)
{
	t->h = h_new(4, cfg);
	int s = sf_socket(t->h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = t->h->local, .port = 7000 }, peer = { .addr = t->h->peer, .port = PORT };
	assert_int_equal(sf_bind(t->h->st, s, &local), 0);
	assert_int_equal(sf_connect(t->h->st, s, &peer), -EINPROGRESS);
	struct sf_segment syn = h_next(t->h);
	assert_int_equal(syn.tclass, 0); /* a SYN is never ECT (§6.1.1) */
	t->c = s;
	t->base = syn.seq + 1;
	t->lport = 7000;
	t->rport = PORT;
	t->h->peer_port = PORT;
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460 };
	h_send(t->h, .lport = 7000, .flags = SF_TCP_SYN | SF_TCP_ACK | synack_extra, .seq = PEER_ISN,
	       .ack = syn.seq + 1, .opt = &o);
	struct sf_segment ack = h_expect(t->h, SF_TCP_ACK, t->base, PEER_ISN + 1);
	assert_int_equal(ack.tclass, 0);
	assert_int_equal(sf_state(t->h->st, s), SF_ESTABLISHED);
	t->peer_seq = PEER_ISN + 1;
	return syn.flags;
}

/* The next segment: data (PSH,ACK | extra) at seq of len bytes, with the IP ECN field ecn. */
static struct sf_segment expect_data(struct conn *t, uint8_t extra, uint32_t seq, uint32_t len, uint8_t tclass)
{
	struct sf_segment s = h_expect(t->h, DATA | extra, seq, t->peer_seq);
	assert_int_equal(s.payload_len, len);
	assert_int_equal(s.tclass, tclass);
	return s;
}

/* The next segment is the full segment i, new data: ECT(0), CWR as extra says. */
static void expect_seg(struct conn *t, uint8_t extra, uint32_t i)
{
	expect_data(t, extra, SEG(t, i), MSS, DSCP | SF_ECN_ECT0);
}

/* A pure ACK from the peer (window 65535), with extra flags (ECE). */
static void peer_ack(struct conn *t, uint32_t ack, uint8_t extra)
{
	h_send(t->h, .lport = t->lport, .rport = t->rport, .flags = SF_TCP_ACK | extra, .seq = t->peer_seq, .ack = ack);
}

/* len bytes of data from the peer with extra flags and the IP ECN field tclass. */
static void peer_data(struct conn *t, uint32_t len, uint8_t extra, uint8_t tclass)
{
	h_send(t->h, .lport = t->lport, .rport = t->rport, .flags = DATA | extra, .seq = t->peer_seq, .ack = t->base,
	       .data = pattern, .len = len, .tclass = tclass);
	t->peer_seq += len;
}

/* ======================================================================== */

/* cfg.ecn: 2 by default (Linux's tcp_ecn), 0..2 taken, above 2 refused. */
static void test_config(void **state)
{
	(void)state;
	struct sf_config cfg;
	sf_config_default(&cfg);
	assert_int_equal(cfg.ecn, 2);
	struct harness *h = h_new(4, NULL); /* a valid configuration to start from */
	cfg = h->cfg;
	for (int v = 0; v <= 3; v++) {
		cfg.ecn = (uint8_t)v;
		sf_stack *st = sf_stack_new(&cfg, 0);
		if (v <= 2)
			assert_non_null(st);
		else
			assert_null(st);
		sf_stack_free(st);
	}
	h_free(h);
}

/* A caller that knows no cfg.ecn (a shorter struct sf_config) gets the default, 2: a listener agrees. */
static void test_config_older_caller_gets_default(void **state)
{
	(void)state;
	struct conn t;
	open_passive(&t, 4, cfg_before_ecn, ECE | CWR, true);
	h_free(t.h);
}

/* §6.1.1: only cfg.ecn 1 makes the SYN of an active open ask (ECE and CWR); 0 and 2 never ask. */
static void test_active_syn_flags_by_config(void **state)
{
	(void)state;
	for (int v = 0; v <= 2; v++) {
		struct harness *h = h_new(4, ecn_cfg[v]);
		int s = sf_socket(h->st, SF_AF_INET);
		struct sf_endpoint peer = { .addr = h->peer, .port = PORT };
		assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
		struct sf_segment syn = h_next(h);
		assert_int_equal(syn.flags, SF_TCP_SYN | (v == 1 ? ECE | CWR : 0));
		assert_int_equal(syn.tclass, 0);
		h_expect_none(h);
		h_free(h);
	}
}

/*
 * §6.1.1: a listener with cfg.ecn 1 or 2 answers an ECN-setup SYN (ECE and
 * CWR) with ECE alone; with 0, or to any other SYN (neither, one of the
 * two, or an ECN-setup SYN that arrives ECT-marked, as Linux refuses it),
 * with a plain SYN,ACK. The SYN,ACK is never ECT.
 */
static void test_passive_synack_by_config(void **state)
{
	(void)state;
	static const struct {
		uint8_t flags, tclass;
		bool ecn_setup;
	} syns[] = {
		{ ECE | CWR, 0, true },
		{ 0, 0, false },
		{ ECE, 0, false },
		{ CWR, 0, false },
		{ ECE | CWR, SF_ECN_ECT0, false },
		{ ECE | CWR, SF_ECN_CE, false },
	};
	for (int v = 0; v <= 2; v++) {
		for (size_t i = 0; i < sizeof syns / sizeof syns[0]; i++) {
			struct harness *h = h_new(4, ecn_cfg[v]);
			h_listen(h, PORT, 4);
			struct sf_segment sa = peer_syn(h, syns[i].flags, syns[i].tclass);
			bool agree = v != 0 && syns[i].ecn_setup;
			assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK | (agree ? ECE : 0));
			assert_int_equal(sa.tclass, 0);
			h_free(h);
		}
	}
}

/*
 * The embryo keeps the agreement (a flag of its 60 bytes): the retransmitted
 * SYN,ACK says ECE again, and the TCB the handshake makes has ECN on, so its
 * data goes out ECT(0) over IPv4 and IPv6, the socket's DSCP kept. A
 * connection that did not agree sends its data not-ECT.
 */
static void test_passive_agreement_kept_to_the_connection(void **state)
{
	(void)state;
	for (int family = 4; family <= 6; family += 2) {
		for (int ecn = 0; ecn <= 1; ecn++) {
			struct harness *h = h_new(family, NULL);
			int l = h_listen(h, PORT, 4);
			assert_int_equal(sf_set_tclass(h->st, l, DSCP), 0);
			struct sf_segment sa = peer_syn(h, ecn ? ECE | CWR : 0, 0);
			assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK | (ecn ? ECE : 0));
			h_advance(h, 1000); /* the SYN,ACK's RTO */
			struct sf_segment again = h_expect(h, SF_TCP_SYN | SF_TCP_ACK | (ecn ? ECE : 0), sa.seq, PEER_ISN + 1);
			assert_int_equal(again.tclass, DSCP);
			h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
			h_expect_none(h);
			int c = sf_accept(h->st, l, NULL);
			assert_true(c >= 0);
			assert_int_equal(sf_send(h->st, c, "hello", 5), 5);
			struct sf_segment d = h_expect(h, DATA, sa.seq + 1, PEER_ISN + 1);
			assert_int_equal(d.tclass, DSCP | (ecn ? SF_ECN_ECT0 : 0));
			h_free(h);
		}
	}
}

/*
 * §6.1.1 for the active side: ECN is on only when cfg.ecn 1 asked and the
 * SYN,ACK has ECE without CWR. A SYN,ACK with both (a peer that reflects
 * flags it does not know), or with neither, leaves it off; so does an ECE
 * that answers a SYN that never asked (cfg.ecn 0 or 2).
 */
static void test_active_agreement(void **state)
{
	(void)state;
	static const struct {
		h_config_fn cfg;
		uint8_t synack;
		bool on;
	} cases[] = {
		{ cfg_ecn1, ECE, true },   { cfg_ecn1, ECE | CWR, false }, { cfg_ecn1, 0, false },
		{ cfg_ecn1, CWR, false },  { cfg_ecn2, ECE, false },       { cfg_ecn0, ECE, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conn t;
		open_active(&t, cases[i].cfg, cases[i].synack);
		assert_int_equal(h_tcb(t.h, t.c)->ecn_ok, cases[i].on);
		assert_int_equal(sf_send(t.h->st, t.c, "hello", 5), 5);
		expect_data(&t, 0, t.base, 5, cases[i].on ? SF_ECN_ECT0 : 0);
		h_expect_none(t.h);
		h_free(t.h);
	}
}

/*
 * §6.1.1.1, as Linux (tcp_ecn_clear_syn): only the first SYN asks; its
 * retransmissions carry neither ECE nor CWR. A SYN,ACK with ECE that still
 * answers the first one turns ECN on.
 */
static void test_syn_retransmissions_do_not_ask(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_ecn1);
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = h->local, .port = 7000 }, peer = { .addr = h->peer, .port = PORT };
	assert_int_equal(sf_bind(h->st, s, &local), 0);
	assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
	struct sf_segment syn = h_expect(h, SF_TCP_SYN | ECE | CWR, h_tcb(h, s)->iss, 0);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN, syn.seq, 0);
	h_advance(h, 2000);
	h_expect(h, SF_TCP_SYN, syn.seq, 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 2);
	h_send(h, .lport = 7000, .rport = PORT, .flags = SF_TCP_SYN | SF_TCP_ACK | ECE, .seq = PEER_ISN, .ack = syn.seq + 1);
	h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(sf_send(h->st, s, "x", 1), 1);
	struct sf_segment d = h_expect(h, DATA, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(d.tclass, SF_ECN_ECT0);
	h_free(h);
}

/*
 * Simultaneous open (RFC 9293 Figure 8): neither SYN answers the other's
 * request, so ECN stays off, as on Linux: our SYN,ACK has no ECE even to an
 * ECN-setup SYN, the peer's ECE on its SYN,ACK changes nothing, and data is
 * not ECT.
 */
static void test_simultaneous_open_stays_off(void **state)
{
	(void)state;
	/* Their SYN asks (ECE and CWR), or looks like an agreement (ECE alone). */
	for (int k = 0; k < 2; k++) {
		uint8_t their_flags = k ? ECE : ECE | CWR;
		struct harness *h = h_new(4, cfg_ecn1);
		uint32_t their_isn = 300000;
		int s = sf_socket(h->st, SF_AF_INET);
		struct sf_endpoint local = { .addr = h->local, .port = 7777 }, peer = { .addr = h->peer, .port = 8888 };
		assert_int_equal(sf_bind(h->st, s, &local), 0);
		assert_int_equal(sf_connect(h->st, s, &peer), -EINPROGRESS);
		struct sf_segment syn = h_expect(h, SF_TCP_SYN | ECE | CWR, h_tcb(h, s)->iss, 0);
		h->peer_port = 8888;
		h_send(h, .lport = 7777, .flags = SF_TCP_SYN | their_flags, .seq = their_isn);
		struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, syn.seq, their_isn + 1);
		assert_int_equal(sa.tclass, 0);
		h_send(h, .lport = 7777, .flags = SF_TCP_SYN | SF_TCP_ACK | ECE, .seq = their_isn, .ack = syn.seq + 1);
		h_expect_none(h);
		assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
		assert_false(h_tcb(h, s)->ecn_ok);
		assert_int_equal(sf_send(h->st, s, "x", 1), 1);
		struct sf_segment d = h_expect(h, DATA, syn.seq + 1, their_isn + 1);
		assert_int_equal(d.tclass, 0);
		h_free(h);
	}
}

/*
 * §6.1.5 and §6.1.6: only new data is ECT(0). A retransmission (after the
 * RTO), a pure ACK, a zero-window probe, a keepalive probe, a lone FIN and
 * a RST are not-ECT; the socket's DSCP is on all of them.
 */
static void test_ect_on_new_data_only(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	const uint8_t ect = DSCP | SF_ECN_ECT0, not_ect = DSCP;

	assert_int_equal(sf_send(t.h->st, t.c, pattern, 1000), 1000);
	expect_data(&t, 0, t.base, 1000, ect);
	h_advance(t.h, 200); /* RFC 6298 §5.4: the RTO resends it */
	expect_data(&t, 0, t.base, 1000, not_ect);
	assert_int_equal(h_counter(t.h, SF_CTR_RetransSegs), 1);
	h_expect_none(t.h);

	/* The peer ACKs it and sends data: our pure ACK. */
	uint32_t una = t.base + 1000;
	h_send(t.h, .lport = PORT, .flags = DATA, .seq = t.peer_seq, .ack = una, .text = "hi");
	t.peer_seq += 2;
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, una, t.peer_seq);
	assert_int_equal(a.tclass, not_ect);

	/* The window closes with data queued: the probe <SEQ=SND.UNA-1>. */
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = una, .zero_window = 1);
	assert_int_equal(sf_send(t.h->st, t.c, pattern, 500), 500);
	h_expect_none(t.h);
	h_advance_to_deadline(t.h);
	struct sf_segment p = h_expect(t.h, SF_TCP_ACK, una - 1, t.peer_seq);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.tclass, not_ect);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPWinProbe), 1);
	/* It opens: the 500 bytes are new data, the first since the timeout
	 * reduced the window, so with CWR (test_cwr_after_timeout). */
	peer_ack(&t, una, 0);
	expect_data(&t, CWR, una, 500, ect);
	una += 500;
	peer_ack(&t, una, 0);
	h_expect_none(t.h);

	/* A keepalive probe is <SEQ=SND.UNA-1> too, without data. */
	assert_int_equal(sf_set_keepalive(t.h->st, t.c, 1, 5000, 5000, 3), 0);
	h_advance(t.h, 5000);
	struct sf_segment k = h_expect(t.h, SF_TCP_ACK, una - 1, t.peer_seq);
	assert_int_equal(k.tclass, not_ect);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPKeepAliveProbes), 1);
	peer_ack(&t, una, 0);
	h_expect_none(t.h);

	/* A FIN alone carries no data. */
	assert_int_equal(sf_shutdown(t.h->st, t.c, SF_SHUT_WR), 0);
	struct sf_segment f = h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK, una, t.peer_seq);
	assert_int_equal(f.tclass, not_ect);
	/* And the RST of an abort. */
	assert_int_equal(sf_abort(t.h->st, t.c), 0);
	struct sf_segment r = h_expect(t.h, SF_TCP_RST | SF_TCP_ACK, una + 1, t.peer_seq);
	assert_int_equal(r.tclass, not_ect);
	h_expect_none(t.h);
	h_free(t.h);
}

/* Take the 16 ACKs a new connection sends at once (quick-ACK), so the next ACK is a delayed one. */
static void use_up_quickacks(struct conn *t)
{
	for (int i = 0; i < 16; i++) {
		peer_data(t, 1, 0, 0);
		struct sf_segment a = h_expect(t->h, SF_TCP_ACK, t->base, t->peer_seq);
		assert_int_equal(a.tclass, DSCP);
	}
	h_expect_none(t->h);
}

/*
 * §6.1.3: a CE mark on data makes every ACK we send carry ECE (our data
 * segments too, which carry the ACK) until a segment with CWR comes; a
 * CWR on a segment that is itself CE-marked is taken first, so the echo
 * starts again. As Linux: the ACK for the first CE goes at once, and so
 * does the next one (quick-ACK), then delayed ACKs resume; a CWR data
 * segment is ACKed at once. CE on a pure ACK is nothing to echo. Every
 * CE-marked datagram counts as InCEPkts.
 */
static void test_ce_echoed_until_cwr(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	use_up_quickacks(&t);

	peer_ack(&t, t.base, 0);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_ACK, .seq = t.peer_seq, .ack = t.base, .tclass = SF_ECN_CE);
	peer_data(&t, 1, 0, SF_ECN_ECT0);
	h_expect_none(t.h); /* delayed: nothing to echo yet */
	assert_false(h_tcb(t.h, t.c)->ecn_ece);
	assert_int_equal(h_counter(t.h, SF_CTR_InCEPkts), 1);

	peer_data(&t, 1, 0, SF_ECN_CE);
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK | ECE, t.base, t.peer_seq);
	assert_int_equal(a.tclass, DSCP);
	assert_int_equal(h_counter(t.h, SF_CTR_InCEPkts), 2);
	peer_data(&t, 1, 0, SF_ECN_ECT0);
	h_expect(t.h, SF_TCP_ACK | ECE, t.base, t.peer_seq); /* the second quick ACK */
	peer_data(&t, 1, 0, SF_ECN_ECT0);
	h_expect_none(t.h);
	h_advance(t.h, 40); /* the delayed ACK echoes too */
	h_expect(t.h, SF_TCP_ACK | ECE, t.base, t.peer_seq);
	peer_data(&t, 1, 0, SF_ECN_CE); /* more CE while echoing: no quick ACK again */
	h_expect_none(t.h);
	h_advance(t.h, 40);
	h_expect(t.h, SF_TCP_ACK | ECE, t.base, t.peer_seq);
	assert_int_equal(h_counter(t.h, SF_CTR_InCEPkts), 3);
	assert_int_equal(sf_send(t.h->st, t.c, "data", 4), 4);
	expect_data(&t, ECE, t.base, 4, DSCP | SF_ECN_ECT0);
	uint32_t una = t.base + 4;

	/* CWR: the echo stops, and this ACK goes at once. */
	h_send(t.h, .lport = PORT, .flags = DATA | CWR, .seq = t.peer_seq, .ack = una, .text = "c", .tclass = SF_ECN_ECT0);
	t.peer_seq++;
	h_expect(t.h, SF_TCP_ACK, una, t.peer_seq);
	assert_false(h_tcb(t.h, t.c)->ecn_ece);
	peer_data(&t, 1, 0, SF_ECN_ECT0);
	h_expect_none(t.h);
	h_advance(t.h, 40);
	h_expect(t.h, SF_TCP_ACK, una, t.peer_seq);

	/* CWR and CE on one segment: cleared, then set again. */
	h_send(t.h, .lport = PORT, .flags = DATA | CWR, .seq = t.peer_seq, .ack = una, .text = "c", .tclass = SF_ECN_CE);
	t.peer_seq++;
	h_expect(t.h, SF_TCP_ACK | ECE, una, t.peer_seq);
	assert_true(h_tcb(t.h, t.c)->ecn_ece);
	assert_int_equal(h_counter(t.h, SF_CTR_InCEPkts), 4);
	h_expect_none(t.h);
	h_free(t.h);
}

/* Without ECN agreed a CE mark is not echoed (it is still counted). */
static void test_ce_not_echoed_without_ecn(void **state)
{
	(void)state;
	struct conn t;
	open_passive(&t, 4, NULL, 0, false);
	use_up_quickacks(&t);
	peer_data(&t, 1, 0, SF_ECN_CE);
	h_expect_none(t.h);
	h_advance(t.h, 40);
	h_expect(t.h, SF_TCP_ACK, t.base, t.peer_seq);
	assert_int_equal(h_counter(t.h, SF_CTR_InCEPkts), 1);
	assert_int_equal(sf_send(t.h->st, t.c, "data", 4), 4);
	expect_data(&t, 0, t.base, 4, DSCP);
	h_free(t.h);
}

/* Queue 64 KiB (the send buffer) and take the initial window: segments 0..9, ECT(0), no CWR. */
static void send_and_take_iw(struct conn *t)
{
	assert_int_equal(sf_send(t->h->st, t->c, pattern, sizeof pattern), (long)sizeof pattern);
	for (uint32_t i = 0; i < 10; i++)
		expect_seg(t, 0, i);
	h_expect_none(t->h);
}

static void assert_window(struct conn *t, uint32_t cwnd, uint32_t ssthresh)
{
	assert_int_equal(h_tcb(t->h, t->c)->cwnd, cwnd);
	assert_int_equal(h_tcb(t->h, t->c)->ssthresh, ssthresh);
}

/*
 * §6.1.2: an ECE halves the window as a loss would (ssthresh =
 * max(FlightSize / 2, 2 * SMSS), cwnd = ssthresh), once per window of data:
 * the ECEs that follow for data sent before the reduction, up to and
 * including the ACK of its last byte, change nothing. The first new data
 * segment after it, and only that one, carries CWR. An ECE for data sent
 * after the reduction is new congestion: the window is reduced again.
 */
static void test_ece_reduces_once_per_window(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	send_and_take_iw(&t);

	/* Segments 0-4 ACKed with ECE: 5 left in flight, ssthresh 3650. */
	peer_ack(&t, SEG(&t, 5), ECE);
	h_expect_none(t.h);
	assert_window(&t, 3650, 3650);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 1);
	assert_int_equal(h_tcb(t.h, t.c)->ecn_cwr_end, SEG(&t, 10));
	/* The peer echoes until our CWR reaches it: these are the same congestion. */
	peer_ack(&t, SEG(&t, 6), ECE);
	h_expect_none(t.h);
	peer_ack(&t, SEG(&t, 8), ECE);
	/* Congestion avoidance has grown cwnd to 5110: room for one segment, with CWR. */
	expect_seg(&t, CWR, 10);
	h_expect_none(t.h);
	assert_window(&t, 5110, 3650);
	/* The ACK of the last byte sent before the reduction is still its window's. */
	peer_ack(&t, SEG(&t, 10), ECE);
	expect_seg(&t, 0, 11);
	expect_seg(&t, 0, 12);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 1);
	assert_window(&t, 5110, 3650);
	/* An ECE that ACKs segment 10, sent after the reduction: a second one. */
	peer_ack(&t, SEG(&t, 11), ECE);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 2);
	assert_window(&t, 2920, 2920); /* 2 segments in flight: the 2 * SMSS floor */
	peer_ack(&t, SEG(&t, 13), 0);
	expect_seg(&t, CWR, 13);
	expect_seg(&t, 0, 14);
	expect_seg(&t, 0, 15);
	h_expect_none(t.h);
	assert_window(&t, 4380, 2920);
	/* A third, in congestion avoidance part way to the next step: the step
	 * counts afresh from the reduced window (as Linux). */
	peer_ack(&t, SEG(&t, 14), 0);
	expect_seg(&t, 0, 16);
	assert_int_equal(h_tcb(t.h, t.c)->ca_acked, MSS);
	peer_ack(&t, SEG(&t, 15), ECE);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 3);
	assert_window(&t, 2920, 2920);
	assert_int_equal(h_tcb(t.h, t.c)->ca_acked, 0);
	peer_ack(&t, SEG(&t, 16), 0);
	expect_seg(&t, CWR, 17);
	h_expect_none(t.h);
	assert_window(&t, 2920, 2920);
	h_free(t.h);
}

/*
 * §6.1.2: no ECE reduction during loss recovery (the loss has reduced the
 * window already), nor for the ECE on the full ACK that ends it (data sent
 * before recovery began); the first new data after the fast retransmit
 * carries CWR, the retransmission itself does not (and is not ECT). After
 * recovery, an ECE for later data reduces the window.
 */
static void test_no_reduction_in_loss_recovery(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	send_and_take_iw(&t);
	peer_ack(&t, SEG(&t, 1), 0);
	expect_seg(&t, 0, 10);
	expect_seg(&t, 0, 11);
	h_expect_none(t.h);
	/* Segment 1 is lost: three duplicates start NewReno recovery. */
	peer_ack(&t, SEG(&t, 1), 0);
	peer_ack(&t, SEG(&t, 1), 0);
	h_expect_none(t.h);
	peer_ack(&t, SEG(&t, 1), 0);
	expect_data(&t, 0, SEG(&t, 1), MSS, DSCP);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPRenoRecovery), 1);
	assert_window(&t, 8030 + 3 * MSS, 8030);
	/* Further duplicates with ECE only inflate the window (RFC 5681 §3.2 step 4). */
	for (int i = 0; i < 3; i++)
		peer_ack(&t, SEG(&t, 1), ECE);
	h_expect_none(t.h);
	assert_window(&t, 8030 + 6 * MSS, 8030);
	peer_ack(&t, SEG(&t, 1), ECE);
	expect_seg(&t, CWR, 12); /* the first new data since the window was reduced */
	peer_ack(&t, SEG(&t, 1), ECE);
	expect_seg(&t, 0, 13);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 0);
	/* The full ACK (of all sent before recovery) with ECE ends recovery, no reduction. */
	peer_ack(&t, SEG(&t, 12), ECE);
	expect_seg(&t, 0, 14);
	h_expect_none(t.h);
	assert_false(h_tcb(t.h, t.c)->in_recovery);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 0);
	assert_window(&t, 4380, 8030);
	/* An ECE for segments 12 and 13, sent during recovery: reduced. */
	peer_ack(&t, SEG(&t, 14), ECE);
	expect_seg(&t, CWR, 15);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 1);
	assert_window(&t, 2920, 2920);
	h_free(t.h);
}

/*
 * §6.1.2: a retransmission timeout reduces the window too: the resent
 * segment is not ECT and has no CWR, the first new data segment after it
 * has CWR; an ECE on the ACK of the data sent before the timeout is that
 * window's and changes nothing.
 */
static void test_cwr_after_timeout(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	send_and_take_iw(&t);
	h_advance(t.h, 200);
	expect_data(&t, 0, SEG(&t, 0), MSS, DSCP);
	h_expect_none(t.h);
	peer_ack(&t, SEG(&t, 10), ECE);
	expect_seg(&t, CWR, 10);
	expect_seg(&t, 0, 11);
	h_expect_none(t.h);
	assert_int_equal(h_counter(t.h, SF_CTR_TCPECNReduce), 0);
	h_free(t.h);
}

/*
 * The connection's ACKs echo CE to the end, its FIN and its last ACK
 * included; the TIME-WAIT record's re-ACK of a retransmitted FIN carries no
 * ECE (as Linux's TIME-WAIT ACKs) and is not ECT, with the socket's DSCP.
 */
static void test_time_wait_acks_no_ece(void **state)
{
	(void)state;
	struct conn t;
	open_ecn(&t);
	peer_data(&t, 3, 0, SF_ECN_CE);
	h_expect(t.h, SF_TCP_ACK | ECE, t.base, t.peer_seq);
	char buf[8];
	assert_int_equal(sf_recv(t.h->st, t.c, buf, sizeof buf), 3);
	assert_int_equal(sf_close(t.h->st, t.c), 0);
	struct sf_segment f = h_expect(t.h, SF_TCP_FIN | SF_TCP_ACK | ECE, t.base, t.peer_seq);
	assert_int_equal(f.tclass, DSCP);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = t.peer_seq, .ack = t.base + 1);
	h_expect(t.h, SF_TCP_ACK | ECE, t.base + 1, t.peer_seq + 1);
	assert_int_equal(h_counter(t.h, SF_CTR_TimeWaitCurrent), 1);
	h_send(t.h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = t.peer_seq, .ack = t.base + 1);
	struct sf_segment a = h_expect(t.h, SF_TCP_ACK, t.base + 1, t.peer_seq + 1);
	assert_int_equal(a.tclass, DSCP);
	h_expect_none(t.h);
	h_free(t.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_older_caller_gets_default),
		cmocka_unit_test(test_active_syn_flags_by_config),
		cmocka_unit_test(test_passive_synack_by_config),
		cmocka_unit_test(test_passive_agreement_kept_to_the_connection),
		cmocka_unit_test(test_active_agreement),
		cmocka_unit_test(test_syn_retransmissions_do_not_ask),
		cmocka_unit_test(test_simultaneous_open_stays_off),
		cmocka_unit_test(test_ect_on_new_data_only),
		cmocka_unit_test(test_ce_echoed_until_cwr),
		cmocka_unit_test(test_ce_not_echoed_without_ecn),
		cmocka_unit_test(test_ece_reduces_once_per_window),
		cmocka_unit_test(test_no_reduction_in_loss_recovery),
		cmocka_unit_test(test_cwr_after_timeout),
		cmocka_unit_test(test_time_wait_acks_no_ece),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
