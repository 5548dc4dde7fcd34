/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TCP options beyond the MSS: window scaling and timestamps (RFC 7323),
 * SACK-permitted (RFC 2018), and TIME-WAIT reuse judged by timestamps
 * (RFC 6191), including the edges: the window we keep when the peer refuses
 * scaling, PAWS on the handshake's last ACK, a TSval equal to the last one
 * in TIME-WAIT, and timestamps on RSTs. Every test negotiates with a
 * scripted peer (192.0.2.2 or 2001:db8::2) and checks the exact option
 * fields of what synfin sends, the window fields in both directions, and the
 * counters and drop reasons.
 *
 * Our TSval is the stack's millisecond clock plus a per-connection offset
 * (RFC 7323 §5.4), so tests compare TSvals of one connection by difference.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 5000u
#define PORT 80

static uint8_t payload[32768];

/* ---- option sets the peer sends ---- */

static struct sf_tcp_options o_mss(void)
{
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460 };
	return o;
}

/* MSS 1460, window scale ws, SACK-permitted, timestamp (tsval, tsecr). */
static struct sf_tcp_options o_all(uint8_t ws, uint32_t tsval, uint32_t tsecr)
{
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460, .has_wscale = 1, .wscale = ws,
				    .sack_permitted = 1, .has_timestamp = 1, .ts_val = tsval, .ts_ecr = tsecr };
	return o;
}

static struct sf_tcp_options o_ws(uint8_t ws)
{
	struct sf_tcp_options o = { .has_mss = 1, .mss = 1460, .has_wscale = 1, .wscale = ws };
	return o;
}

/* The timestamp alone: what a peer puts on every non-SYN segment. */
static struct sf_tcp_options o_ts(uint32_t tsval, uint32_t tsecr)
{
	struct sf_tcp_options o = { .has_timestamp = 1, .ts_val = tsval, .ts_ecr = tsecr };
	return o;
}

/* ---- assertions on what we send ---- */

/* No SYN-only option (MSS, WS, SACK-permitted) and no SACK blocks. */
static void assert_no_syn_options(const struct sf_segment *s)
{
	assert_int_equal(s->opt.has_mss, 0);
	assert_int_equal(s->opt.has_wscale, 0);
	assert_int_equal(s->opt.sack_permitted, 0);
	assert_int_equal(s->opt.sack_count, 0);
}

static void assert_ts(const struct sf_segment *s, uint32_t val, uint32_t ecr)
{
	assert_int_equal(s->opt.has_timestamp, 1);
	assert_int_equal(s->opt.ts_val, val);
	assert_int_equal(s->opt.ts_ecr, ecr);
}

static void assert_no_options(const struct sf_segment *s)
{
	assert_no_syn_options(s);
	assert_int_equal(s->opt.has_timestamp, 0);
}

/* The next segment is data: PSH,ACK at seq with len bytes. */
static struct sf_segment expect_data(struct harness *h, uint32_t seq, uint32_t ack, size_t len)
{
	struct sf_segment s = h_expect(h, SF_TCP_PSH | SF_TCP_ACK, seq, ack);
	assert_int_equal(s.payload_len, len);
	return s;
}

/* ---- opening connections ---- */

static void cfg_no_ts(struct sf_config *cfg)
{
	cfg->timestamps = 0;
}

static void cfg_no_ws(struct sf_config *cfg)
{
	cfg->window_scaling = 0;
}

static void cfg_no_sack(struct sf_config *cfg)
{
	cfg->sack = 0;
}

/* connect() to the peer's port 80 (rcvbuf 0 = default); returns the handle, *syn the SYN sent. */
static int open_active(struct harness *h, uint32_t rcvbuf, struct sf_segment *syn)
{
	int s = sf_socket(h->st, h->family);
	assert_true(s >= 0);
	if (rcvbuf)
		assert_int_equal(sf_set_bufsizes(h->st, s, 65536, rcvbuf), 0);
	struct sf_endpoint remote = { .addr = h->peer, .port = PORT };
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	*syn = h_next(h);
	assert_int_equal(syn->flags, SF_TCP_SYN);
	h->peer_port = PORT;
	return s;
}

/* The peer's SYN,ACK (seq PEER_ISN) to our SYN; returns our ACK of it. */
static struct sf_segment synack_in(struct harness *h, const struct sf_segment *syn, uint16_t window,
				   const struct sf_tcp_options *opt)
{
	struct sf_segment ack = h_synack_in(h, syn->sport, PEER_ISN, syn->seq, window, opt);
	h_expect_none(h);
	return ack;
}

/* A SYN (seq PEER_ISN) to our listener on PORT; returns our SYN,ACK. */
static struct sf_segment syn_in(struct harness *h, const struct sf_tcp_options *opt)
{
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, opt);
	h_expect_none(h);
	return sa;
}


/* ======================================================================== */

/* RFC 7323 §2.2-2.3, §3.2, RFC 2018 §2: our SYN offers MSS, WS (smallest shift for rcvbuf), SACK-perm, TS with TSecr 0; SYN window unscaled. */
static void test_active_syn_offers_everything(void **state)
{
	(void)state;
	static const struct {
		uint32_t rcvbuf;
		uint8_t shift;
		uint16_t window;
	} cases[] = {
		{ 0, 1, 65535 },             /* default 65536: 65536 >> 1 fits */
		{ 65535, 0, 65535 },         /* fits unscaled: shift 0 is still offered */
		{ 131072, 2, 65535 },        /* 131072 >> 1 = 65536 does not fit */
		{ 1u << 20, 5, 65535 },      /* the SYN's window is never scaled: 65535 */
		{ 16u << 20, 9, 65535 },
	};
	struct harness *h = h_new(4, NULL);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sf_segment syn;
		(void)open_active(h, cases[i].rcvbuf, &syn);
		assert_int_equal(syn.window, cases[i].window);
		assert_int_equal(syn.opt.has_mss, 1);
		assert_int_equal(syn.opt.mss, 1460);
		assert_int_equal(syn.opt.has_wscale, 1);
		assert_int_equal(syn.opt.wscale, cases[i].shift);
		assert_int_equal(syn.opt.sack_permitted, 1);
		assert_int_equal(syn.opt.has_timestamp, 1);
		assert_int_equal(syn.opt.ts_ecr, 0);
		assert_int_equal(syn.opt.sack_count, 0);
	}
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §3.2, §5.4: a retransmitted SYN offers the same options; TSval has advanced 1 per ms. */
static void test_syn_retransmit_tsval_advances(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;

	(void)open_active(h, 0, &syn);
	h_advance(h, 999);
	h_expect_none(h);
	h_advance(h, 1);
	struct sf_segment again = h_expect(h, SF_TCP_SYN, syn.seq, 0);
	assert_int_equal(again.opt.wscale, 1);
	assert_int_equal(again.opt.sack_permitted, 1);
	assert_int_equal(again.opt.mss, 1460);
	assert_ts(&again, syn.opt.ts_val + 1000, 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 1);
	h_free(h);
}

/* RFC 7323 §2.2, §3.2 (IPv6): the SYN offers the same set with the IPv6 MSS 1440. */
static void test_active_syn_offers_everything_ipv6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	struct sf_segment syn;

	(void)open_active(h, 1u << 20, &syn);
	assert_int_equal(syn.window, 65535);
	assert_int_equal(syn.opt.mss, 1440);
	assert_int_equal(syn.opt.has_wscale, 1);
	assert_int_equal(syn.opt.wscale, 5);
	assert_int_equal(syn.opt.sack_permitted, 1);
	assert_int_equal(syn.opt.has_timestamp, 1);
	assert_int_equal(syn.opt.ts_ecr, 0);
	h_free(h);
}

/* RFC 7323 §2.2, §3.2, §4.3: a SYN,ACK with all options: our ACK echoes its TSval and scales our window by our shift. */
static void test_synack_all_options_used(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = open_active(h, 0, &syn);
	struct sf_tcp_options o = o_all(7, 70000, syn.opt.ts_val);

	struct sf_segment ack = synack_in(h, &syn, 65535, &o);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_no_syn_options(&ack);
	assert_ts(&ack, syn.opt.ts_val, 70000);
	assert_int_equal(ack.window, 32768); /* 65536 >> 1 */

	/* 1001 bytes in: 64535 left, rounded up to 32268 << 1 (never short of the edge kept). */
	o = o_ts(70010, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 1001, .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1002);
	assert_int_equal(ack.window, 32268);
	assert_ts(&ack, syn.opt.ts_val, 70010);
	assert_no_syn_options(&ack);

	/* Our data 40 ms later: TSval +40, TSecr the peer's latest. */
	h_advance(h, 40);
	assert_int_equal(sf_send(h->st, s, payload, 10), 10);
	struct sf_segment d = expect_data(h, syn.seq + 1, PEER_ISN + 1002, 10);
	assert_ts(&d, syn.opt.ts_val + 40, 70010);
	assert_int_equal(d.window, 32268);
	assert_no_syn_options(&d);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §2.2, §3.2: a SYN,ACK without WS and TS: neither is used; window fields are bytes both ways. */
static void test_synack_no_options_none_used(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = open_active(h, 1u << 20, &syn);
	assert_int_equal(syn.opt.wscale, 5);
	struct sf_tcp_options o = o_mss();

	struct sf_segment ack = synack_in(h, &syn, 1000, &o);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_no_options(&ack);
	assert_int_equal(ack.window, 65535); /* not 1 MiB >> 5 = 32768 */

	/* The peer's window field is bytes: 1000 means 1000, in the SYN,ACK and after. */
	assert_int_equal(sf_send(h->st, s, payload, 3000), 3000);
	struct sf_segment d = expect_data(h, syn.seq + 1, PEER_ISN + 1, 1000);
	assert_no_options(&d);
	assert_int_equal(d.window, 65535);
	h_expect_none(h);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = syn.seq + 1001, .window = 1000);
	d = expect_data(h, syn.seq + 1001, PEER_ISN + 1, 1000);
	assert_no_options(&d);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 0);
	h_free(h);
}

/* RFC 7323 §2.2: the window field of a SYN,ACK is not scaled, later ones are (peer shift 2: field 500 = 2000 bytes). */
static void test_peer_window_scaled_after_syn(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	/* Segments of 500 bytes, so that 2000 bytes are exactly 4 of them. */
	assert_int_equal(sf_set_maxseg(h->st, s, 500), 0);
	struct sf_endpoint remote = { .addr = h->peer, .port = PORT };
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_int_equal(syn.opt.mss, 500);
	h->peer_port = PORT;
	struct sf_tcp_options o = o_ws(2);
	uint32_t iss = syn.seq;

	struct sf_segment ack = synack_in(h, &syn, 500, &o);
	assert_int_equal(ack.window, 32768);
	assert_int_equal(ack.opt.has_timestamp, 0);
	assert_int_equal(sf_send(h->st, s, payload, 5000), 5000);
	expect_data(h, iss + 1, PEER_ISN + 1, 500); /* the SYN,ACK's field, unscaled */
	h_expect_none(h);

	/* ACK of those 500 with field 500: now 2000 bytes may be in flight. */
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 501, .window = 500);
	for (uint32_t i = 0; i < 4; i++)
		expect_data(h, iss + 501 + 500 * i, PEER_ISN + 1, 500);
	h_expect_none(h);

	/* Half of it ACKed, same field: the right edge moves by 1000 to iss + 3501. */
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1501, .window = 500);
	expect_data(h, iss + 2501, PEER_ISN + 1, 500);
	expect_data(h, iss + 3001, PEER_ISN + 1, 500);
	h_expect_none(h);
	h_free(h);
}

/*
 * Open the congestion window (RFC 5681 slow start) well past 16384 bytes, so
 * that only the peer's window limits what follows: 14600 bytes out from
 * snd_nxt, every segment ACKed on its own with window field `field`. Then a
 * window update to field 1. Returns SND.NXT.
 */
static uint32_t open_cwnd_then_window_1(struct harness *h, int s, uint16_t lport, uint32_t snd_nxt, uint16_t field)
{
	uint32_t next = snd_nxt;

	assert_int_equal(sf_send(h->st, s, payload, 14600), 14600);
	while (next != snd_nxt + 14600) {
		assert_true(h_pending(h) > 0);
		struct sf_segment d = expect_data(h, next, PEER_ISN + 1, 1460);
		next = d.seq + 1460;
		h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = next, .window = field);
	}
	h_expect_none(h);
	h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = next, .window = 1);
	h_expect_none(h);
	return next;
}

/* With the peer's window field 1 at shift 14: 16384 bytes. 11 full segments
 * fit; the 324 left over wait (sender SWS avoidance: short of half the
 * largest window). With the shift taken as 20 (1 MiB), more would go. */
static void expect_16384_window(struct harness *h, int s, uint32_t next)
{
	assert_int_equal(sf_send(h->st, s, payload, 20000), 20000);
	for (uint32_t i = 0; i < 11; i++)
		expect_data(h, next + 1460 * i, PEER_ISN + 1, 1460);
	h_expect_none(h);
}

/* RFC 7323 §2.3: a shift above 14 is used as 14 (active side): field 1 is 16384 bytes, no more. */
static void test_wscale_above_14_active(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = open_active(h, 0, &syn);
	struct sf_tcp_options o = o_ws(20);

	(void)synack_in(h, &syn, 65535, &o);
	uint32_t next = open_cwnd_then_window_1(h, s, syn.sport, syn.seq + 1, 2);
	expect_16384_window(h, s, next);
	h_free(h);
}

/* RFC 7323 §2.3: a shift above 14 is used as 14 (passive side); our SYN,ACK still offers our own shift. */
static void test_wscale_above_14_passive(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_ws(20);

	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.has_wscale, 1);
	assert_int_equal(sa.opt.wscale, 1);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 2, NULL);
	uint32_t next = open_cwnd_then_window_1(h, c, PORT, sa.seq + 1, 2);
	expect_16384_window(h, c, next);
	h_free(h);
}

/* RFC 7323 §2.2: the handshake's final ACK is not a SYN: its window field is scaled by the peer's shift (2). */
static void test_passive_final_ack_window_scaled(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_ws(2);

	/* Field 730 << 2 = 2920 bytes: two full segments (unscaled, 730 would go alone). */
	struct sf_segment sa = syn_in(h, &o);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 730, NULL);
	assert_int_equal(sf_send(h->st, c, payload, 5000), 5000);
	expect_data(h, sa.seq + 1, PEER_ISN + 1, 1460);
	struct sf_segment d = expect_data(h, sa.seq + 1461, PEER_ISN + 1, 1460);
	assert_int_equal(d.window, 32768); /* ours, scaled by our shift 1 */
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §1.3, §2.2, §3.2, RFC 2018 §2: a SYN with every option: the SYN,ACK answers each, TSecr = the SYN's TSval. */
static void test_passive_synack_answers_all(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_all(7, 123456, 0);

	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.window, 65535);
	assert_int_equal(sa.opt.has_mss, 1);
	assert_int_equal(sa.opt.mss, 1460);
	assert_int_equal(sa.opt.has_wscale, 1);
	assert_int_equal(sa.opt.wscale, 1);
	assert_int_equal(sa.opt.sack_permitted, 1);
	assert_int_equal(sa.opt.has_timestamp, 1);
	assert_int_equal(sa.opt.ts_ecr, 123456);
	assert_int_equal(sa.opt.sack_count, 0);

	/* The connection's TSval continues the SYN,ACK's clock (one offset per connection). */
	h_advance(h, 30);
	o = o_ts(123486, sa.opt.ts_val);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);
	h_advance(h, 20);
	assert_int_equal(sf_send(h->st, c, payload, 1), 1);
	struct sf_segment d = expect_data(h, sa.seq + 1, PEER_ISN + 1, 1);
	assert_ts(&d, sa.opt.ts_val + 50, 123486);
	assert_int_equal(d.window, 32768);
	assert_no_syn_options(&d);
	h_free(h);
}

/* RFC 7323 §2.2, §3.2, RFC 2018 §2: a SYN with only MSS gets a SYN,ACK with only MSS. */
static void test_passive_synack_mss_only(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_mss();

	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.has_mss, 1);
	assert_int_equal(sa.opt.mss, 1460);
	assert_int_equal(sa.opt.has_wscale, 0);
	assert_int_equal(sa.opt.sack_permitted, 0);
	assert_int_equal(sa.opt.has_timestamp, 0);
	assert_int_equal(sa.window, 65535);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, NULL);
	assert_int_equal(sf_send(h->st, c, payload, 1), 1);
	struct sf_segment d = expect_data(h, sa.seq + 1, PEER_ISN + 1, 1);
	assert_no_options(&d);
	assert_int_equal(d.window, 65535);
	h_free(h);
}

/* RFC 7323 §2.3 (IPv6): the listener's shift follows its rcvbuf (1 MiB: 5); MSS 1440. */
static void test_passive_synack_ipv6_big_buffer(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	int l = sf_socket(h->st, SF_AF_INET6);
	assert_true(l >= 0);
	assert_int_equal(sf_set_bufsizes(h->st, l, 65536, 1u << 20), 0);
	struct sf_endpoint local = { .addr = { .family = SF_AF_INET6 }, .port = PORT };
	assert_int_equal(sf_bind(h->st, l, &local), 0);
	assert_int_equal(sf_listen(h->st, l, 8), 0);
	struct sf_tcp_options o = o_all(3, 42, 0);

	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.window, 65535);
	assert_int_equal(sa.opt.mss, 1440);
	assert_int_equal(sa.opt.wscale, 5);
	assert_int_equal(sa.opt.sack_permitted, 1);
	assert_int_equal(sa.opt.ts_ecr, 42);
	o = o_ts(43, sa.opt.ts_val);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);
	assert_int_equal(sf_send(h->st, c, payload, 1), 1);
	struct sf_segment d = expect_data(h, sa.seq + 1, PEER_ISN + 1, 1);
	assert_int_equal(d.window, 32768); /* 1 MiB >> 5 */
	assert_ts(&d, sa.opt.ts_val, 43);
	h_free(h);
}

/* RFC 7323 §2.2: a SYN without WS: the SYN,ACK has none and our later window fields are bytes. */
static void test_passive_no_ws_window_unscaled(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_all(0, 100, 0);
	o.has_wscale = 0;

	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.has_wscale, 0);
	assert_int_equal(sa.opt.sack_permitted, 1);
	assert_int_equal(sa.opt.ts_ecr, 100);
	o = o_ts(101, sa.opt.ts_val);
	(void)h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);
	o = o_ts(102, sa.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = sa.seq + 1,
	       .data = payload, .len = 1001, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1002);
	assert_int_equal(ack.window, 65535 - 1001);
	assert_ts(&ack, sa.opt.ts_val, 102);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §2.2: a SYN,ACK without window scale means neither side scales,
 * so the window we keep is the unscaled one our SYN offered (65535), even
 * with a 1 MiB buffer: a byte at RCV.NXT+65535 is outside it. */
static void test_no_ws_window_is_the_syn_window(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_set_bufsizes(h->st, s, 1u << 20, 1u << 20), 0);
	struct sf_endpoint to = { .addr = h->peer, .port = 80 }, me;
	assert_int_equal(sf_connect(h->st, s, &to), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	sf_getsockname(h->st, s, &me);
	h->peer_port = 80;
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };
	struct sf_segment ack = h_synack_in(h, me.port, PEER_ISN, syn.seq, 65535, &mss);
	assert_int_equal(ack.window, 65535);
	h_send(h, .lport = me.port, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1 + 65535, .ack = syn.seq + 1, .text = "x");
	h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOFOQueue), 0);
	h_free(h);
}

/* RFC 7323 §3.2, §5.4: once agreed, the timestamp rides on every segment (data, ACK, FIN) and TSval counts milliseconds. */
static void test_timestamp_on_every_segment(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = open_active(h, 0, &syn);
	uint32_t iss = syn.seq, t0 = syn.opt.ts_val;
	struct sf_tcp_options o = o_all(0, 1000, t0);

	struct sf_segment ack = synack_in(h, &syn, 65535, &o);
	assert_ts(&ack, t0, 1000);

	h_advance(h, 100);
	assert_int_equal(sf_send(h->st, s, payload, 10), 10);
	struct sf_segment d = expect_data(h, iss + 1, PEER_ISN + 1, 10);
	assert_ts(&d, t0 + 100, 1000);

	h_advance(h, 7);
	o = o_ts(1107, t0 + 100);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 11,
	       .data = payload, .len = 5, .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, iss + 11, PEER_ISN + 6);
	assert_ts(&ack, t0 + 107, 1107);

	char buf[8];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 5);
	h_advance(h, 43);
	assert_int_equal(sf_close(h->st, s), 0);
	struct sf_segment fin = h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 11, PEER_ISN + 6);
	assert_ts(&fin, t0 + 150, 1107);
	assert_no_syn_options(&fin);

	h_advance(h, 10);
	o = o_ts(1160, t0 + 150);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 6, .ack = iss + 12,
	       .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, iss + 12, PEER_ISN + 7);
	assert_ts(&ack, t0 + 160, 1160);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_TIME_WAIT));
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §3.2: a RST on a connection with timestamps carries one too. */
static void test_rst_carries_timestamp(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 7 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 8, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &ts);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_abort(h->st, c), 0);
	struct sf_segment r = h_expect(h, SF_TCP_RST | SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1);
	assert_true(r.opt.has_timestamp);
	assert_int_equal(r.opt.ts_ecr, 8);
	h_free(h);
}

/* An established active connection with timestamps (the peer's SYN,ACK TSval 1000); returns the handle. */
static int ts_established(struct harness *h, struct sf_segment *syn, bool sack)
{
	int s = open_active(h, 0, syn);
	struct sf_tcp_options o = o_all(0, 1000, syn->opt.ts_val);
	o.sack_permitted = sack;
	struct sf_segment ack = synack_in(h, syn, 65535, &o);
	assert_ts(&ack, syn->opt.ts_val, 1000);
	return s;
}

/* RFC 7323 §5.3 R1: TSval older than TS.Recent: dropped (PAWS), answered with an ACK; an equal TSval passes. */
static void test_paws_drops_old_tsval(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);
	uint32_t iss = syn.seq;
	char buf[64];

	h_advance(h, 5);
	struct sf_tcp_options o = o_ts(999, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .data = payload, .len = 20, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_ts(&ack, syn.opt.ts_val + 5, 1000);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -EAGAIN);

	/* TSval == TS.Recent is not "older" (SEG.TSval < TS.Recent is the test). */
	o = o_ts(1000, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .data = payload, .len = 20, .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 21);
	assert_ts(&ack, syn.opt.ts_val + 5, 1000);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 20);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	h_free(h);
}

/* RFC 7323 §5.2, §5.3: TSvals compare modulo 2^32: past the wrap is newer, just before TS.Recent is older. */
static void test_paws_tsval_wraps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	(void)open_active(h, 0, &syn);
	struct sf_tcp_options o = o_all(0, 0xffffff00u, syn.opt.ts_val);
	(void)synack_in(h, &syn, 65535, &o);

	o = o_ts(0xfffffe00u, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 10, .opt = &o);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_ts(&a, syn.opt.ts_val, 0xffffff00u);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);

	o = o_ts(0x10, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 10, .opt = &o);
	a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 11);
	assert_ts(&a, syn.opt.ts_val, 0x10);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §5.5: a TS.Recent idle for more than 24 days is not judged by: PAWS spares the segment and TS.Recent takes its TSval. */
static void test_paws_ts_recent_stale_after_24_days(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	(void)ts_established(h, &syn, true);
	const uint64_t days24 = 24ull * 24 * 3600 * 1000;

	h_advance(h, days24);
	struct sf_tcp_options o = o_ts(999, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 10, .opt = &o);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_ts(&a, syn.opt.ts_val + (uint32_t)days24, 1000);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);

	h_advance(h, 1);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 10, .opt = &o);
	a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 11);
	assert_ts(&a, syn.opt.ts_val + (uint32_t)days24 + 1, 999);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §5.3 R1 on the handshake's last ACK: an older TSval than the
 * SYN's is an old duplicate (ACKed and dropped, as Linux's tcp_check_req);
 * a missing timestamp is dropped (§3.2); the embryo waits for a good ACK. */
static void test_final_ack_paws(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 1000 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	assert_true(sa.opt.has_timestamp);
	struct sf_tcp_options old = { .has_timestamp = 1, .ts_val = 900, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &old);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, sa.seq + 1, PEER_ISN + 1);
	assert_int_equal(a.opt.ts_ecr, 1000);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 1);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	struct sf_tcp_options good = { .has_timestamp = 1, .ts_val = 1001, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &good);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_send(h->st, c, "a", 1), 1);
	struct sf_segment d = h_next(h);
	assert_int_equal(d.opt.ts_ecr, 1001);
	h_free(h);
}

/* RFC 7323 §5.3 R1 ("the RST bit is not set"): a RST with an old TSval at RCV.NXT still resets. */
static void test_paws_spares_rst(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);
	struct sf_tcp_options o = o_ts(1, 0);

	h_send(h, .lport = syn.sport, .flags = SF_TCP_RST, .seq = PEER_ISN + 1, .opt = &o);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(sf_take_error(h->st, s), -ECONNRESET);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 1);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 0);
	h_free(h);
}

/* RFC 7323 §3.2: a RST without a timestamp is still processed (only non-RST segments must carry one). */
static void test_rst_without_timestamp_accepted(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);

	h_send(h, .lport = syn.sport, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = syn.seq + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 1);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 0);
	h_free(h);
}

/* RFC 7323 §3.2: a non-RST segment without a timestamp on a connection that agreed to them is silently dropped. */
static void test_missing_timestamp_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);
	uint32_t iss = syn.seq;
	char buf[64];

	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .data = payload, .len = 20);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 1);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -EAGAIN);

	/* A FIN without one is dropped the same way: no CLOSE-WAIT. */
	h_send(h, .lport = syn.sport, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 2);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);

	/* The same data with a timestamp is taken. */
	struct sf_tcp_options o = o_ts(1001, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .data = payload, .len = 20, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 21);
	assert_ts(&ack, syn.opt.ts_val, 1001);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 20);
	h_free(h);
}

/* RFC 7323 §5.3 R1 + RFC 5961 §4.2: a SYN with an old TSval in ESTABLISHED gets a challenge ACK. */
static void test_old_tsval_syn_challenged(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);
	struct sf_tcp_options o = o_all(0, 500, 0);

	h_send(h, .lport = syn.sport, .flags = SF_TCP_SYN, .seq = PEER_ISN + 1, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_ts(&ack, syn.opt.ts_val, 1000);
	assert_no_syn_options(&ack);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_TCPSYNChallenge), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 1);
	assert_int_equal(h_drops(h, SF_DROP_SYN_CHALLENGED), 1);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 0);
	h_free(h);
}

/* RFC 7323 §4.3, §5.3 R3 + RFC 5961 §4-5: a challenged SYN or ACK does not set TS.Recent (else PAWS would reject the real peer). */
static void test_challenged_segments_leave_ts_recent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	int s = ts_established(h, &syn, true);
	char buf[64];

	struct sf_tcp_options o = o_all(0, 2000, 0);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_SYN, .seq = PEER_ISN + 1, .opt = &o);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_ts(&a, syn.opt.ts_val, 1000);
	assert_int_equal(h_drops(h, SF_DROP_SYN_CHALLENGED), 1);

	/* An ACK of data never sent (RFC 5961 §5.2): challenged, TS.Recent unchanged. */
	o = o_ts(3000, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = syn.seq + 100000, .opt = &o);
	a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 1);
	assert_ts(&a, syn.opt.ts_val, 1000);
	assert_int_equal(h_drops(h, SF_DROP_ACK_CHALLENGED), 1);

	/* The real peer's next segment (TSval 1500) is therefore no PAWS victim. */
	o = o_ts(1500, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = syn.seq + 1,
	       .data = payload, .len = 10, .opt = &o);
	a = h_expect(h, SF_TCP_ACK, syn.seq + 1, PEER_ISN + 11);
	assert_ts(&a, syn.opt.ts_val, 1500);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 10);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 0);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §4.3 (2): TS.Recent takes SEG.TSval only when SEG.SEQ <= Last.ACK.sent: not from a segment beyond a hole. */
static void test_ts_recent_only_from_in_sequence(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	(void)ts_established(h, &syn, false);
	uint32_t iss = syn.seq;

	struct sf_tcp_options o = o_ts(1100, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .data = payload, .len = 100, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 101);
	assert_ts(&ack, syn.opt.ts_val, 1100);

	/* Beyond a hole (SEG.SEQ > Last.ACK.sent): the duplicate ACK still echoes 1100. */
	o = o_ts(1300, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1001, .ack = iss + 1,
	       .data = payload, .len = 100, .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 101);
	assert_ts(&ack, syn.opt.ts_val, 1100);
	assert_int_equal(ack.opt.sack_count, 0); /* SACK was not agreed */
	h_expect_none(h);

	/* So a later in-order segment with TSval 1200 (< 1300) is not a PAWS victim, and is echoed. */
	o = o_ts(1200, syn.opt.ts_val);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 101, .ack = iss + 1,
	       .data = payload, .len = 100, .opt = &o);
	ack = h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 201);
	assert_ts(&ack, syn.opt.ts_val, 1200);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 0);
	h_free(h);
}

static void assert_sack(const struct sf_segment *s, int n, const uint32_t *left, const uint32_t *right)
{
	assert_int_equal(s->opt.sack_count, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(s->opt.sack[i].left, left[i]);
		assert_int_equal(s->opt.sack[i].right, right[i]);
	}
}

/* len bytes from the peer at PEER_ISN + off (with a timestamp if ts); returns our ACK, which must ack `ack`. */
static struct sf_segment data_in(struct harness *h, const struct sf_segment *syn, uint32_t off, uint32_t len,
				 bool ts, uint32_t tsval, uint32_t ack)
{
	struct sf_tcp_options o = o_ts(tsval, syn->opt.ts_val);
	h_send(h, .lport = syn->sport, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + off, .ack = syn->seq + 1,
	       .data = payload, .len = len, .opt = ts ? &o : NULL);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, syn->seq + 1, ack);
	h_expect_none(h);
	return a;
}

/* RFC 2018 §3-4 + RFC 7323 §3.2: SACK blocks on our ACKs, the newest first, at most 3 beside a timestamp. */
static void test_sack_blocks_with_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	(void)ts_established(h, &syn, true);
	const uint32_t P = PEER_ISN;

	struct sf_segment a = data_in(h, &syn, 2001, 100, true, 1001, P + 1);
	assert_sack(&a, 1, (uint32_t[]){ P + 2001 }, (uint32_t[]){ P + 2101 });
	assert_ts(&a, syn.opt.ts_val, 1000); /* beyond a hole: TS.Recent kept */
	a = data_in(h, &syn, 4001, 100, true, 1002, P + 1);
	assert_sack(&a, 2, (uint32_t[]){ P + 4001, P + 2001 }, (uint32_t[]){ P + 4101, P + 2101 });
	a = data_in(h, &syn, 1001, 100, true, 1003, P + 1);
	assert_sack(&a, 3, (uint32_t[]){ P + 1001, P + 4001, P + 2001 }, (uint32_t[]){ P + 1101, P + 4101, P + 2101 });
	a = data_in(h, &syn, 3001, 100, true, 1004, P + 1);
	assert_sack(&a, 3, (uint32_t[]){ P + 3001, P + 1001, P + 4001 }, (uint32_t[]){ P + 3101, P + 1101, P + 4101 });
	/* Extending a block makes it the newest. */
	a = data_in(h, &syn, 1101, 100, true, 1005, P + 1);
	assert_sack(&a, 3, (uint32_t[]){ P + 1001, P + 3001, P + 4001 }, (uint32_t[]){ P + 1201, P + 3101, P + 4101 });
	/* The hole at the front fills: ACK jumps over the held block; the rest stay reported. */
	a = data_in(h, &syn, 1, 1000, true, 1006, P + 1201);
	assert_sack(&a, 3, (uint32_t[]){ P + 3001, P + 4001, P + 2001 }, (uint32_t[]){ P + 3101, P + 4101, P + 2101 });
	assert_ts(&a, syn.opt.ts_val, 1006);
	assert_int_equal(h_counter(h, SF_CTR_TCPOFOQueue), 5);
	h_free(h);
}

/* RFC 2018 §3: without timestamps, up to 4 SACK blocks fit in the 40 bytes of options. */
static void test_sack_blocks_without_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_segment syn;
	(void)open_active(h, 0, &syn);
	struct sf_tcp_options o = o_all(0, 0, 0);
	o.has_timestamp = 0;
	struct sf_segment a = synack_in(h, &syn, 65535, &o);
	assert_no_options(&a);
	const uint32_t P = PEER_ISN;

	(void)data_in(h, &syn, 2001, 100, false, 0, P + 1);
	(void)data_in(h, &syn, 4001, 100, false, 0, P + 1);
	(void)data_in(h, &syn, 1001, 100, false, 0, P + 1);
	a = data_in(h, &syn, 3001, 100, false, 0, P + 1);
	assert_int_equal(a.opt.has_timestamp, 0);
	assert_sack(&a, 4, (uint32_t[]){ P + 3001, P + 1001, P + 4001, P + 2001 },
		    (uint32_t[]){ P + 3101, P + 1101, P + 4101, P + 2101 });
	/* The holes fill one by one; when none is left, no SACK option. */
	a = data_in(h, &syn, 1, 1000, false, 0, P + 1101);
	assert_sack(&a, 3, (uint32_t[]){ P + 3001, P + 4001, P + 2001 }, (uint32_t[]){ P + 3101, P + 4101, P + 2101 });
	a = data_in(h, &syn, 1101, 900, false, 0, P + 2101);
	assert_sack(&a, 2, (uint32_t[]){ P + 3001, P + 4001 }, (uint32_t[]){ P + 3101, P + 4101 });
	a = data_in(h, &syn, 2101, 900, false, 0, P + 3101);
	assert_sack(&a, 1, (uint32_t[]){ P + 4001 }, (uint32_t[]){ P + 4101 });
	a = data_in(h, &syn, 3101, 900, false, 0, P + 4101);
	assert_int_equal(a.opt.sack_count, 0);
	h_free(h);
}

/* RFC 6691, RFC 7323 §3.2: the effective MSS leaves 12 bytes for the timestamp: 1448 with it, 1460 without. */
static void test_effective_mss_room_for_timestamp(void **state)
{
	(void)state;
	for (int ts = 0; ts <= 1; ts++) {
		struct harness *h = h_new(4, NULL);
		struct sf_segment syn;
		int s = open_active(h, 0, &syn);
		struct sf_tcp_options o = o_all(0, 1000, syn.opt.ts_val);
		o.has_timestamp = (uint8_t)ts;
		(void)synack_in(h, &syn, 65535, &o);
		uint32_t mss = ts ? 1448 : 1460;

		assert_int_equal(sf_set_nodelay(h->st, s, 1), 0); /* the short tail goes too */
		assert_int_equal(sf_send(h->st, s, payload, 3000), 3000);
		struct sf_segment d = expect_data(h, syn.seq + 1, PEER_ISN + 1, mss);
		assert_int_equal(d.opt.has_timestamp, ts);
		expect_data(h, syn.seq + 1 + mss, PEER_ISN + 1, mss);
		expect_data(h, syn.seq + 1 + 2 * mss, PEER_ISN + 1, 3000 - 2 * mss);
		h_expect_none(h);
		h_free(h);
	}
}

/* RFC 6691, RFC 7323 §3.2 (passive side): timestamps agreed in SYN/SYN,ACK: data segments of 1448. */
static void test_effective_mss_passive(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_all(0, 10, 0);

	struct sf_segment sa = syn_in(h, &o);
	o = o_ts(11, sa.opt.ts_val);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);
	assert_int_equal(sf_set_nodelay(h->st, c, 1), 0);
	assert_int_equal(sf_send(h->st, c, payload, 2000), 2000);
	struct sf_segment d = expect_data(h, sa.seq + 1, PEER_ISN + 1, 1448);
	assert_ts(&d, sa.opt.ts_val, 11);
	expect_data(h, sa.seq + 1449, PEER_ISN + 1, 552);
	h_expect_none(h);
	h_free(h);
}

/* RFC 7323 §4.1 + RFC 6298 §2.2: RTT from the echoed TSval (300 ms, not the 500 ms of the timed segment): RTO 900 ms. */
static void test_rtt_from_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_all(0, 100, 0);

	/* The SYN,ACK is retransmitted, so the handshake gives no sample (Karn). */
	struct sf_segment sa = syn_in(h, &o);
	h_advance(h, 1000);
	struct sf_segment sa2 = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, sa.seq, PEER_ISN + 1);
	assert_ts(&sa2, sa.opt.ts_val + 1000, 100);
	o = o_ts(200, sa2.opt.ts_val);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);
	uint32_t iss = sa.seq;
	assert_int_equal(sf_set_nodelay(h->st, c, 1), 0); /* the second small segment goes at once */

	assert_int_equal(sf_send(h->st, c, payload, 100), 100);
	struct sf_segment d1 = expect_data(h, iss + 1, PEER_ISN + 1, 100);
	h_advance(h, 200);
	assert_int_equal(sf_send(h->st, c, payload, 100), 100);
	struct sf_segment d2 = expect_data(h, iss + 101, PEER_ISN + 1, 100);
	assert_int_equal(d2.opt.ts_val, d1.opt.ts_val + 200);
	/* 500 ms after the first segment, one ACK covers both and echoes the second's TSval. */
	h_advance(h, 300);
	o = o_ts(300, d2.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 201, .opt = &o);
	h_expect_none(h);

	/* SRTT 300, RTTVAR 150: RTO = 300 + 4 * 150 = 900 ms. */
	assert_int_equal(sf_send(h->st, c, payload, 100), 100);
	struct sf_segment d3 = expect_data(h, iss + 201, PEER_ISN + 1, 100);
	uint64_t rtx_before = h_counter(h, SF_CTR_RetransSegs);
	h_advance(h, 899);
	h_expect_none(h);
	h_advance(h, 1);
	struct sf_segment r = expect_data(h, iss + 201, PEER_ISN + 1, 100);
	assert_ts(&r, d3.opt.ts_val + 900, 300);
	assert_int_equal(h_counter(h, SF_CTR_RetransSegs), rtx_before + 1);
	h_free(h);
}

/*
 * Passive open on PORT with timestamps (the peer's TSvals 5000..5003), then
 * we close first and reach TIME-WAIT. Old SND.NXT = *iss + 2, RCV.NXT =
 * PEER_ISN + 2, the peer's last TSval 5003. *last is our final ACK.
 */
static void ts_time_wait(struct harness *h, uint32_t *iss, struct sf_segment *last)
{
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options o = o_all(0, 5000, 0);
	struct sf_segment sa = syn_in(h, &o);
	*iss = sa.seq;
	o = o_ts(5001, sa.opt.ts_val);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, &o);

	assert_int_equal(sf_close(h->st, c), 0);
	struct sf_segment fin = h_expect(h, SF_TCP_FIN | SF_TCP_ACK, *iss + 1, PEER_ISN + 1);
	assert_ts(&fin, sa.opt.ts_val, 5001);
	o = o_ts(5002, fin.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = *iss + 2, .opt = &o);
	h_expect_none(h);
	o = o_ts(5003, fin.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = *iss + 2, .opt = &o);
	*last = h_expect(h, SF_TCP_ACK, *iss + 2, PEER_ISN + 2);
	assert_ts(last, sa.opt.ts_val, 5003);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
}

/* RFC 6191 §2: in TIME-WAIT, a SYN with a newer TSval reopens even with a sequence number below the old RCV.NXT. */
static void test_time_wait_newer_tsval_reopens(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);

	struct sf_tcp_options o = o_all(0, 5100, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN - 1000, .opt = &o);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss + 2 + 65537, PEER_ISN - 999);
	assert_int_equal(sa.opt.has_timestamp, 1);
	assert_int_equal(sa.opt.ts_ecr, 5100);
	assert_int_equal(sa.opt.mss, 1460);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_free(h);
}

/* RFC 6191 §2: in TIME-WAIT, a SYN with an older TSval is refused even with a sequence number above RCV.NXT. */
static void test_time_wait_older_tsval_refused(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);

	h_advance(h, 10);
	struct sf_tcp_options o = o_all(0, 4000, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN + 100000, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_ts(&ack, last.opt.ts_val + 10, 5003);
	assert_no_syn_options(&ack);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 1);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	h_free(h);
}

/* RFC 6191 §2 (third case): a SYN without timestamps falls back to the sequence number rule. */
static void test_time_wait_syn_without_ts_by_seq(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);
	struct sf_tcp_options o = o_mss();

	/* Below RCV.NXT: refused. */
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_ts(&ack, last.opt.ts_val, 5003);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 1);
	/* Above it: reopens, and the new SYN,ACK carries no timestamp. */
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN + 100000, .opt = &o);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss + 2 + 65537, PEER_ISN + 100001);
	assert_int_equal(sa.opt.has_timestamp, 0);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	h_expect_none(h);
	h_free(h);
}

/* TIME-WAIT for a connection that used timestamps, entered by our close. */
static void time_wait_with_timestamps(struct harness *h, uint32_t *iss)
{
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 5000 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &syn);
	struct sf_segment sa = h_next(h);
	*iss = sa.seq;
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 5001, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = sa.seq + 1, .opt = &ts);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_close(h->st, c), 0);
	h_next(h); /* our FIN */
	ts.ts_val = 5003;
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = PEER_ISN + 1, .ack = sa.seq + 2, .opt = &ts);
	h_next(h); /* the last ACK */
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
}

/* RFC 6191 §2: a SYN whose TSval equals the last one seen falls back to the
 * sequence-number rule: beyond the old RCV.NXT, it reopens the 4-tuple. */
static void test_tw_equal_tsval_uses_sequence(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	time_wait_with_timestamps(h, &iss);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 5003 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN + 100000, .opt = &syn);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	h_free(h);
}

/* RFC 7323 §3.2, §4.3 + RFC 9293 §3.10.7.4: the re-ACK of a retransmitted FIN in TIME-WAIT carries a timestamp echoing the peer's latest TSval. */
static void test_time_wait_reack_has_timestamp(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);

	h_advance(h, 100);
	struct sf_tcp_options o = o_ts(5103, last.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_ts(&ack, last.opt.ts_val + 100, 5103);
	assert_no_syn_options(&ack);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_ACKED), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_free(h);
}

/* RFC 7323 §5.3 R1 in TIME-WAIT: a segment whose TSval is older than TS.Recent is an old duplicate: ACKed, dropped, the 2MSL wait not restarted. */
static void test_time_wait_paws_rejects_old_tsval(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);
	uint64_t expiry = sf_next_deadline(h->st);

	h_advance(h, 100);
	struct sf_tcp_options o = o_ts(4000, last.opt.ts_val);
	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_ts(&ack, last.opt.ts_val + 100, 5003);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_PAWS), 1);
	assert_int_equal(sf_next_deadline(h->st), expiry);
	h_free(h);
}

/* RFC 7323 §3.2 in TIME-WAIT: a non-RST segment without a timestamp, on a connection that agreed to them, is dropped silently. */
static void test_time_wait_drops_segment_without_ts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	struct sf_segment last;
	ts_time_wait(h, &iss, &last);

	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 1);
	h_free(h);
}

/*
 * RFC 9293 SHLD-4 / RFC 6191 §2: a TIME-WAIT record of a connection that
 * used no timestamps judges a SYN by its sequence number alone, whatever
 * TSval the SYN carries: below the old RCV.NXT it is refused even with a
 * large TSval, above it the 4-tuple reopens and the new connection agrees
 * on timestamps.
 */
static void test_time_wait_without_ts_judges_ts_syn_by_seq(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int l = h_listen(h, PORT, 8);
	int c = h_accept_new(h, l, PORT, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);

	struct sf_tcp_options o = o_all(0, 0x7fffffff, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN - 1000, .opt = &o);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(ack.opt.has_timestamp, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 1);

	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN + 100000, .opt = &o);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss + 2 + 65537, PEER_ISN + 100001);
	assert_ts(&sa, sa.opt.ts_val, 0x7fffffff);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	h_free(h);
}

/* RFC 7323 §3.2 (MAY offer): cfg.timestamps = 0: no TS in our SYN; a peer's TS is ignored both ways; full MSS. */
static void test_knob_timestamps_off(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_ts);
	struct sf_segment syn;
	int s = open_active(h, 0, &syn);
	assert_int_equal(syn.opt.has_timestamp, 0);
	assert_int_equal(syn.opt.has_wscale, 1);
	assert_int_equal(syn.opt.sack_permitted, 1);

	/* A SYN,ACK with a timestamp we never offered: not used. */
	struct sf_tcp_options o = o_all(0, 1000, 0);
	struct sf_segment ack = synack_in(h, &syn, 65535, &o);
	assert_no_options(&ack);
	assert_int_equal(sf_send(h->st, s, payload, 2920), 2920);
	struct sf_segment d = expect_data(h, syn.seq + 1, PEER_ISN + 1, 1460); /* full MSS: no room kept for TS */
	assert_no_options(&d);
	expect_data(h, syn.seq + 1461, PEER_ISN + 1, 1460);
	h_expect_none(h);

	/* Passive: the SYN's TS is not answered; segments without TS are accepted. */
	int l = h_listen(h, PORT, 8);
	h->peer_port = 40000;
	o = o_all(0, 77, 0);
	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.has_timestamp, 0);
	assert_int_equal(sa.opt.has_wscale, 1);
	assert_int_equal(sa.opt.sack_permitted, 1);
	(void)h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, NULL);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = sa.seq + 1,
	       .data = payload, .len = 10);
	ack = h_expect(h, SF_TCP_ACK, sa.seq + 1, PEER_ISN + 11);
	assert_no_options(&ack);
	assert_int_equal(h_drops(h, SF_DROP_TS_MISSING), 0);
	h_free(h);
}

/* RFC 7323 §2.2 (both must send WS): cfg.window_scaling = 0: no WS in our SYN or SYN,ACK; no scaling either way. */
static void test_knob_window_scaling_off(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_ws);
	struct sf_segment syn;
	int s = open_active(h, 1u << 20, &syn);
	assert_int_equal(syn.opt.has_wscale, 0);
	assert_int_equal(syn.opt.has_timestamp, 1);
	assert_int_equal(syn.opt.sack_permitted, 1);

	/* The peer answers with WS 7 anyway: ignored, its later field 600 is 600 bytes (not 76800). */
	struct sf_tcp_options o = o_ws(7);
	struct sf_segment ack = synack_in(h, &syn, 1000, &o);
	assert_int_equal(ack.window, 65535);
	h_send(h, .lport = syn.sport, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = syn.seq + 1, .window = 600);
	assert_int_equal(sf_send(h->st, s, payload, 2000), 2000);
	expect_data(h, syn.seq + 1, PEER_ISN + 1, 600);
	h_expect_none(h);

	/* Passive: a SYN with WS 7 gets a SYN,ACK without WS; the final ACK's 500 is 500 bytes. */
	int l = h_listen(h, PORT, 8);
	h->peer_port = 40000;
	o = o_ws(7);
	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.has_wscale, 0);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 500, NULL);
	assert_int_equal(sf_send(h->st, c, payload, 1000), 1000);
	struct sf_segment d = expect_data(h, sa.seq + 1, PEER_ISN + 1, 500);
	assert_int_equal(d.window, 65535);
	h_expect_none(h);
	h_free(h);
}

/* RFC 2018 §2 (SACK-permitted only in SYNs, only if offered): cfg.sack = 0: not offered, not answered. */
static void test_knob_sack_off(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_sack);
	struct sf_segment syn;
	(void)open_active(h, 0, &syn);
	assert_int_equal(syn.opt.sack_permitted, 0);
	assert_int_equal(syn.opt.has_wscale, 1);
	assert_int_equal(syn.opt.has_timestamp, 1);
	/* A SYN,ACK with SACK-permitted anyway: out-of-order data gets no SACK blocks. */
	struct sf_tcp_options so = o_all(0, 1000, syn.opt.ts_val);
	(void)synack_in(h, &syn, 65535, &so);
	struct sf_segment a = data_in(h, &syn, 2001, 100, true, 1001, PEER_ISN + 1);
	assert_int_equal(a.opt.sack_count, 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPOFOQueue), 1);

	(void)h_listen(h, PORT, 8);
	h->peer_port = 40000;
	struct sf_tcp_options o = o_all(2, 9, 0);
	struct sf_segment sa = syn_in(h, &o);
	assert_int_equal(sa.opt.sack_permitted, 0);
	assert_int_equal(sa.opt.has_wscale, 1);
	assert_int_equal(sa.opt.has_timestamp, 1);
	assert_int_equal(sa.opt.ts_ecr, 9);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_syn_offers_everything),
		cmocka_unit_test(test_syn_retransmit_tsval_advances),
		cmocka_unit_test(test_active_syn_offers_everything_ipv6),
		cmocka_unit_test(test_synack_all_options_used),
		cmocka_unit_test(test_synack_no_options_none_used),
		cmocka_unit_test(test_peer_window_scaled_after_syn),
		cmocka_unit_test(test_wscale_above_14_active),
		cmocka_unit_test(test_wscale_above_14_passive),
		cmocka_unit_test(test_passive_final_ack_window_scaled),
		cmocka_unit_test(test_passive_synack_answers_all),
		cmocka_unit_test(test_passive_synack_mss_only),
		cmocka_unit_test(test_passive_synack_ipv6_big_buffer),
		cmocka_unit_test(test_passive_no_ws_window_unscaled),
		cmocka_unit_test(test_no_ws_window_is_the_syn_window),
		cmocka_unit_test(test_timestamp_on_every_segment),
		cmocka_unit_test(test_rst_carries_timestamp),
		cmocka_unit_test(test_paws_drops_old_tsval),
		cmocka_unit_test(test_paws_tsval_wraps),
		cmocka_unit_test(test_paws_ts_recent_stale_after_24_days),
		cmocka_unit_test(test_final_ack_paws),
		cmocka_unit_test(test_paws_spares_rst),
		cmocka_unit_test(test_rst_without_timestamp_accepted),
		cmocka_unit_test(test_missing_timestamp_dropped),
		cmocka_unit_test(test_old_tsval_syn_challenged),
		cmocka_unit_test(test_challenged_segments_leave_ts_recent),
		cmocka_unit_test(test_ts_recent_only_from_in_sequence),
		cmocka_unit_test(test_sack_blocks_with_timestamps),
		cmocka_unit_test(test_sack_blocks_without_timestamps),
		cmocka_unit_test(test_effective_mss_room_for_timestamp),
		cmocka_unit_test(test_effective_mss_passive),
		cmocka_unit_test(test_rtt_from_timestamps),
		cmocka_unit_test(test_time_wait_newer_tsval_reopens),
		cmocka_unit_test(test_time_wait_older_tsval_refused),
		cmocka_unit_test(test_time_wait_syn_without_ts_by_seq),
		cmocka_unit_test(test_tw_equal_tsval_uses_sequence),
		cmocka_unit_test(test_time_wait_reack_has_timestamp),
		cmocka_unit_test(test_time_wait_paws_rejects_old_tsval),
		cmocka_unit_test(test_time_wait_drops_segment_without_ts),
		cmocka_unit_test(test_time_wait_without_ts_judges_ts_syn_by_seq),
		cmocka_unit_test(test_knob_timestamps_off),
		cmocka_unit_test(test_knob_window_scaling_off),
		cmocka_unit_test(test_knob_sack_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
