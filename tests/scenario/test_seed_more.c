/*
 * More of SPEC 13.x on the simulated network: two or three synfin stacks
 * (10 ms one way), virtual time only.
 *
 *   13.4  every connection gets its own ISN (RFC 6528); the bare 4 µs clock
 *         of RFC 793 (isn_mode SF_ISN_CLOCK_ONLY) is predictable to the ns
 *   13.5  the MSS option: Ethernet IPv4 and IPv6, a jumbo host against an
 *         Ethernet one, TCP_MAXSEG on a listener
 *   RFC 5961 blind in-window attacks from a third host that spoofs one end:
 *         RST, SYN and data with a bad ACK are answered with a challenge ACK
 *         and change nothing; only a RST at exactly RCV.NXT resets; challenge
 *         ACKs are rate limited
 *   abortive close and refusals between two stacks: close with unread data,
 *         SO_LINGER {1,0}, sf_abort, close in SYN-SENT, no listener (13.9),
 *         shutdown(SHUT_RD)
 *
 * A recorder replaces the harness's sim observer (keeping sc->segments_sent
 * counting) and parses every datagram handed to the network, so the tests
 * can check the segments themselves: flags, numbers, MSS, payload sizes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "base/seq.h"
#include "wire/wire.h"

#define MAX_REC 8192
#define TS_ROOM 12 /* the timestamp option and its 2 NOPs: RFC 6691, RFC 7323 §3.2 */

/* ---- the recorder: every datagram sent, parsed ------------------------------- */

/* The last segment host `from` sent to host `to`. */
static const struct sc_rec_seg *rec_last(const struct sc_rec *r, int from, int to)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->seg[i].from == from && r->seg[i].to == to)
			return &r->seg[i];
	fail_msg("no segment from host %d to host %d", from, to);
	return NULL;
}

/* Payload-carrying segments from `from` at or after mark: the largest payload,
 * whether that one carried a timestamp, and the byte total. */
struct payloads {
	size_t max, total, count;
	bool max_has_ts;
};

static struct payloads rec_payloads(const struct sc_rec *r, size_t mark, int from)
{
	struct payloads p = { 0, 0, 0, false };

	for (size_t i = mark; i < r->n; i++) {
		const struct sc_rec_seg *s = &r->seg[i];
		if (s->from != from || !s->len)
			continue;
		p.total += s->len;
		p.count++;
		if (s->len > p.max) {
			p.max = s->len;
			p.max_has_ts = s->has_ts;
		}
	}
	return p;
}

/* ---- hosts --------------------------------------------------------------------- */

/* sc_add_host with another MTU (and its own secrets): host i at 192.0.2.(i+1). */
static int add_host_mtu(struct scenario *sc, const char *name, uint32_t mtu)
{
	int i = sc->nhosts;
	struct sf_config cfg;

	sf_config_default(&cfg);
	for (int k = 0; k < 16; k++)
		cfg.secret[k] = (uint8_t)(k * 29 + i * 71 + 5);
	return sc_add_host_cfg(sc, name, mtu, &cfg);
}

/* ---- the applications -------------------------------------------------------------- */

static void fill(uint8_t *buf, size_t n, unsigned salt)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131u + (i >> 9) + salt);
}

/* One direction of a transfer: what a host sends and what its peer reads. */
struct xfer {
	int host, sock;         /* sender */
	int phost, psock;       /* receiver */
	uint8_t *out, *in;
	size_t len, sent, got;
};

static void xfer_pump(struct scenario *sc, struct xfer *x)
{
	long n;

	while (x->sent < x->len && (n = sf_send(sc_stack(sc, x->host), x->sock, x->out + x->sent,
						 x->len - x->sent)) > 0)
		x->sent += (size_t)n;
	while (x->got < x->len &&
	       (n = sf_recv(sc_stack(sc, x->phost), x->psock, x->in + x->got, x->len - x->got)) > 0)
		x->got += (size_t)n;
}

static bool exchange_step(struct scenario *sc, void *ctx)
{
	struct xfer *x = ctx;

	xfer_pump(sc, &x[0]);
	xfer_pump(sc, &x[1]);
	return x[0].got == x[0].len && x[1].got == x[1].len;
}

/* h0 sends n0 bytes to h1 while h1 sends n1 bytes to h0, both at once; both
 * streams must arrive byte-exact. */
static void exchange(struct scenario *sc, int h0, int s0, size_t n0, int h1, int s1, size_t n1)
{
	struct xfer x[2] = {
		{ h0, s0, h1, s1, malloc(n0 + 1), malloc(n0 + 1), n0, 0, 0 },
		{ h1, s1, h0, s0, malloc(n1 + 1), malloc(n1 + 1), n1, 0, 0 },
	};

	for (int i = 0; i < 2; i++) {
		assert_non_null(x[i].out);
		assert_non_null(x[i].in);
		fill(x[i].out, x[i].len, (unsigned)(i * 77 + 3));
	}
	sc_app(sc, h0);
	sc_app(sc, h1);
	assert_true(sc_run_until(sc, exchange_step, x, 30000));
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(x[i].in, x[i].out, x[i].len);
		free(x[i].out);
		free(x[i].in);
	}
}

/* The events queued for sock, or-ed together (others are dropped). */
static uint32_t events_for(sf_stack *st, int sock)
{
	struct sf_event ev[32];
	uint32_t all = 0;
	int n;

	while ((n = sf_poll_events(st, ev, 32)) > 0)
		for (int i = 0; i < n; i++)
			if (ev[i].sock == sock)
				all |= ev[i].events;
	return all;
}

/* ---- 13.4 initial sequence numbers ---------------------------------------------------- */

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

/* SPEC 13.4, RFC 9293 §3.4.1 (MUST-8, SHLD-1), RFC 6528: 5+2 connections between two hosts, 14 SYNs and SYN,ACKs, 14 different ISNs; the clock does not predict them. */
static void test_13_4_every_isn_differs(void **unused)
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

/* SPEC 13.4, RFC 6528 §1 (the RFC 793 clock is predictable): with isn_mode SF_ISN_CLOCK_ONLY every ISN is now_ns/4000 mod 2^32 and the observer predicts all 13 later ones exactly. */
static void test_13_4_clock_only_isn_is_predictable(void **unused)
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

/* ---- 13.5 MSS -------------------------------------------------------------------------- */

/* The SYN from `from` (flags exactly SYN or SYN,ACK): it must carry an MSS option; returns it. */
static uint16_t syn_mss(const struct sc_rec *r, int from, uint8_t flags)
{
	long i = sc_rec_find(r, 0, from, SC_CTL, flags);

	assert_true(i >= 0);
	assert_true(r->seg[i].has_mss);
	return r->seg[i].mss;
}

/* Data from `from` after mark: every segment within `limit`, the largest
 * exactly `limit` less the timestamp's room if it carried one (RFC 6691: the
 * sender fills its segments), and n bytes in all (nothing resent). */
static void check_payloads(const struct sc_rec *r, size_t mark, int from, size_t limit, size_t n)
{
	struct payloads p = rec_payloads(r, mark, from);

	assert_true(p.count > 1);
	assert_true(p.max <= limit);
	assert_int_equal(p.max, limit - (p.max_has_ts ? TS_ROOM : 0));
	assert_int_equal(p.total, n);
}

/* SPEC 13.5, RFC 9293 §3.7.1 (MUST-67, MUST-16), RFC 6691: IPv4 on MTU 1500: both SYNs announce 1460; 20 kB each way in segments of at most 1460 bytes. */
static void test_13_5_mss_ethernet_ipv4(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(135, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 5000, &lst, &c);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1460);                /* 1500 - 20 - 20 */
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 1460);
	size_t mark = r->n;
	exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 1460, 20000);
	check_payloads(r, mark, B, 1460, 20000);
	assert_int_equal(r->seg[mark].family, SF_AF_INET);
	assert_int_equal(sc_counter(sc, A, SF_CTR_RetransSegs), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_RetransSegs), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* SPEC 13.5, RFC 9293 §3.7.1 MUST-16 (send MSS = min(peer's MSS, own)): a jumbo host (MTU 9000) announces 8960, its Ethernet peer 1460; data both ways at most 1460. */
static void test_13_5_mss_jumbo_meets_ethernet(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1352, 10);
	int J = add_host_mtu(sc, "jumbo", 9000), E = add_host_mtu(sc, "ethernet", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, J, 0, E, 80, 5000, &lst, &c);

	assert_int_equal(syn_mss(r, J, SF_TCP_SYN), 8960);                 /* 9000 - 20 - 20 */
	assert_int_equal(syn_mss(r, E, SF_TCP_SYN | SF_TCP_ACK), 1460);
	size_t mark = r->n;
	exchange(sc, J, c, 20000, E, s, 20000);
	check_payloads(r, mark, J, 1460, 20000); /* the jumbo host keeps to its peer's 1460 */
	check_payloads(r, mark, E, 1460, 20000); /* the other keeps to its own MTU */
	sf_close(sc_app(sc, E), lst);
	free(r);
	sc_free(sc);
}

/* SPEC 13.5, RFC 9293 §3.7.1 (the MSS announced is the receiver's choice), TCP_MAXSEG: a listener capped at 536 announces 536 and the client's data keeps to it. */
static void test_13_5_mss_listener_maxseg(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1353, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 536);
	struct sf_endpoint srv = sc_ep(B, 80);
	int c = sc_connect(sc, A, 0, false, srv);
	int s = sc_establish(sc, A, c, B, lst, 5000);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1460);
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 536);
	size_t mark = r->n;
	exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 536, 20000);
	/* TCP_MAXSEG caps what the server sends as well (inherited by the
	 * accepted connection), though its peer offered 1460. */
	check_payloads(r, mark, B, 536, 20000);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* SPEC 13.5, RFC 9293 §3.7.1, RFC 8200 (40-byte header): IPv6 on MTU 1500: both SYNs announce 1440; 20 kB each way in segments of at most 1440. */
static void test_13_5_mss_ethernet_ipv6(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1356, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	struct sf_addr a6, b6;
	assert_int_equal(sf_addr_parse("2001:db8::1", &a6), 0);
	assert_int_equal(sf_addr_parse("2001:db8::2", &b6), 0);
	assert_int_equal(sf_simhost_add_addr(sc->hosts[A], &a6, 1500), 0);
	assert_int_equal(sf_simhost_add_addr(sc->hosts[B], &b6, 1500), 0);
	int lst = sc_listen(sc, B, SF_AF_INET6, 80, 16, 0);
	struct sf_endpoint srv = { .addr = b6, .port = 80 };
	int c = sc_connect(sc, A, 0, false, srv);
	int s = sc_establish(sc, A, c, B, lst, 5000);
	struct sf_endpoint peer;
	assert_int_equal(sf_getpeername(sc_stack(sc, B), s, &peer), 0);
	assert_memory_equal(&peer.addr, &a6, sizeof a6);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1440);                /* 1500 - 40 - 20 */
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 1440);
	size_t mark = r->n;
	exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 1440, 20000);
	check_payloads(r, mark, B, 1440, 20000);
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(r->seg[i].family, SF_AF_INET6);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* ---- RFC 5961: blind in-window attacks from a third host --------------------------------- */

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
	exchange(d->sc, d->A, d->a, 6000, d->B, d->b, 6000);
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
	const struct sc_rec_seg *la = rec_last(d->r, d->A, d->B), *lb = rec_last(d->r, d->B, d->A);
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
	exchange(sc, d->A, d->a, 10000, d->B, d->b, 10000);
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
	assert_true(events_for(sc_app(d.sc, d.B), d.b) & SF_EV_ERROR);
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

/* ---- abortive close and refusals ------------------------------------------------------------ */

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
	exchange(x->sc, x->A, x->a, 3000, x->B, x->b, 3000);
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
	const struct sc_rec_seg *lb = rec_last(x->r, x->B, x->A);
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
	assert_true(events_for(st, x.b) & SF_EV_ERROR);
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
	assert_true(events_for(st, x.b) & SF_EV_ERROR);
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

/* SPEC 13.9, RFC 9293 §3.10.7.1 and §3.10.7.3 (RST with an acceptable ACK in SYN-SENT): a SYN to a port with no listener draws <SEQ=0><ACK=ISN+1><CTL=RST,ACK>; connect fails with -ECONNREFUSED. */
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
	uint32_t ev = events_for(st, c);
	assert_true(ev & SF_EV_ERROR);
	assert_false(ev & SF_EV_CONNECTED);
	assert_int_equal(sf_take_error(st, c), -ECONNREFUSED);
	assert_int_equal(sf_close(st, c), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.10.2/§3.10.3 with shutdown(SHUT_RD) (SPEC 13.2's other half): B's recv returns 0 at once; data A sends afterwards is still ACKed (no RST, no retransmission) and discarded; B can still send; the connection closes cleanly. */
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
	fill(out, sizeof out, 9);
	size_t mark = x.r->n;
	assert_int_equal(sf_send(sc_app(x.sc, x.A), x.a, out, sizeof out), (long)sizeof out);
	sc_run_for(x.sc, 1000);
	struct payloads p = rec_payloads(x.r, mark, x.A);
	assert_int_equal(p.total, sizeof out);
	const struct sc_rec_seg *la = rec_last(x.r, x.A, x.B), *lb = rec_last(x.r, x.B, x.A);
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
		cmocka_unit_test(test_13_4_every_isn_differs),
		cmocka_unit_test(test_13_4_clock_only_isn_is_predictable),
		cmocka_unit_test(test_13_5_mss_ethernet_ipv4),
		cmocka_unit_test(test_13_5_mss_jumbo_meets_ethernet),
		cmocka_unit_test(test_13_5_mss_listener_maxseg),
		cmocka_unit_test(test_13_5_mss_ethernet_ipv6),
		cmocka_unit_test(test_5961_rst_in_window_is_challenged),
		cmocka_unit_test(test_5961_syn_is_challenged),
		cmocka_unit_test(test_5961_data_with_bad_ack_is_dropped),
		cmocka_unit_test(test_5961_rejected_forgery_keeps_ts_recent),
		cmocka_unit_test(test_5961_rst_at_rcv_nxt_resets),
		cmocka_unit_test(test_5961_challenge_ack_limit),
		cmocka_unit_test(test_abort_close_with_unread_data),
		cmocka_unit_test(test_abort_linger_zero),
		cmocka_unit_test(test_abort_user_abort),
		cmocka_unit_test(test_close_in_syn_sent_sends_nothing),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_shutdown_rd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
