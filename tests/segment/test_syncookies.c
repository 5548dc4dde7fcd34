/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SYN cookies (RFC 4987 §3.6; Linux's tcp_syncookies): a listener answers a
 * SYN without keeping anything, and the final ACK's acknowledgment number
 * brings the state back. One test per rule: the modes, what the cookie
 * carries with and without timestamps (RFC 7323), its lifetime, its key,
 * and how it meets the accept queue, syn_queue_recycle, TIME-WAIT reuse
 * (RFC 6191) and a simultaneous open.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PORT 80
#define PEER_ISN 7000u
#define P (PEER_ISN + 1)

static void cfg_always(struct sf_config *cfg)
{
	cfg->syncookies = 2;
}

static void cfg_when_full(struct sf_config *cfg)
{
	cfg->syncookies = 1;
	cfg->syn_backlog = 2;
}

static void cfg_when_full_recycle(struct sf_config *cfg)
{
	cfg_when_full(cfg);
	cfg->syn_queue_recycle = 1;
}

static void cfg_never(struct sf_config *cfg)
{
	cfg->syncookies = 0;
	cfg->syn_backlog = 2;
}

static void cfg_always_other_secret(struct sf_config *cfg)
{
	cfg->syncookies = 2;
	cfg->secret[0] ^= 0x5a;
}

static void cfg_always_ecn(struct sf_config *cfg)
{
	cfg->syncookies = 2;
	cfg->ecn = 1;
}

static const struct sf_tcp_options syn_ts = { .has_mss = 1, .mss = 1460, .has_wscale = 1, .wscale = 7,
					       .sack_permitted = 1, .has_timestamp = 1, .ts_val = 5000 };
static const struct sf_tcp_options syn_plain = { .has_mss = 1, .mss = 1460 };

/* The final ACK for a SYN,ACK sa: timestamps echoed when it had them. */
static void final_ack(struct harness *h, const struct sf_segment *sa, const void *data, size_t len, uint8_t flags)
{
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 5001, .ts_ecr = sa->opt.ts_val };
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | flags, .seq = P, .ack = sa->seq + 1, .data = data, .len = len,
	       .opt = sa->opt.has_timestamp ? &ts : NULL);
}

/* syncookies 2: no embryo for the SYN; the final ACK makes the connection,
 * with the MSS, window scale and SACK the SYN offered (the TSval carried
 * them), and the data riding on it is kept. */
static void test_always_cookie_makes_the_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &syn_ts);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0); /* nothing kept */
	assert_false(h_saw_state(h, SF_LISTEN, SF_SYN_RECEIVED));
	/* The SYN,ACK offers what an embryo's would. */
	assert_true(sa.opt.has_mss && sa.opt.has_wscale && sa.opt.sack_permitted && sa.opt.has_timestamp);
	assert_int_equal(sa.opt.ts_ecr, syn_ts.ts_val);

	final_ack(h, &sa, "hello", 5, SF_TCP_PSH);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesRecv), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 1);
	assert_true(h_saw_state(h, SF_LISTEN, SF_SYN_RECEIVED)); /* the state the cookie stood for */
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_ESTABLISHED));
	h_expect(h, SF_TCP_ACK, sa.seq + 1, P + 5); /* the data acknowledged */
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	char buf[16];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	struct sf_conn_info info;
	assert_int_equal(sf_conn_info(h->st, c, &info, sizeof info), 0);
	assert_int_equal(info.options, SF_CONN_OPT_TIMESTAMPS | SF_CONN_OPT_SACK | SF_CONN_OPT_WSCALE);
	assert_int_equal(info.snd_wscale, 7);
	assert_int_equal(info.peer_mss, 1460);
	assert_int_equal(h_tcb(h, c)->iss, sa.seq);
	assert_int_equal(h_tcb(h, c)->irs, PEER_ISN);
	h_free(h);
}

/* Without timestamps there is nowhere to carry window scale, SACK or ECN:
 * the SYN,ACK offers none of them, and the connection does without. The MSS
 * is the largest of the four a cookie says that is not above the peer's. */
static void test_cookie_without_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1400, .has_wscale = 1, .wscale = 7, .sack_permitted = 1 };
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &opt);
	assert_true(sa.opt.has_mss);
	assert_false(sa.opt.has_wscale);
	assert_false(sa.opt.sack_permitted);
	assert_false(sa.opt.has_timestamp);
	final_ack(h, &sa, NULL, 0, 0);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	struct sf_conn_info info;
	sf_conn_info(h->st, c, &info, sizeof info);
	assert_int_equal(info.options, 0);
	assert_int_equal(info.peer_mss, 1300); /* 1400 is between 1300 and 1440 */
	h_free(h);
}

/* ECN (RFC 3168 §6.1.1) rides in the TSval too: agreed with timestamps,
 * refused (no ECE on the SYN,ACK) without them. */
static void test_cookie_ecn(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always_ecn);
	int l = h_listen(h, PORT, 8);
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN | SF_TCP_ECE | SF_TCP_CWR, .seq = PEER_ISN, .opt = &syn_ts);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK | SF_TCP_ECE);
	final_ack(h, &sa, NULL, 0, 0);
	int c = sf_accept(h->st, l, NULL);
	struct sf_conn_info info;
	sf_conn_info(h->st, c, &info, sizeof info);
	assert_true(info.options & SF_CONN_OPT_ECN);

	h->peer_port = 40100;
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN | SF_TCP_ECE | SF_TCP_CWR, .seq = PEER_ISN, .opt = &syn_plain);
	assert_int_equal(h_next(h).flags, SF_TCP_SYN | SF_TCP_ACK); /* no ECE */
	h_free(h);
}

/* syncookies 1: embryos while the SYN queue has room, cookies once it is
 * full; recycling (which keeps state) is not needed then. */
static void test_cookies_when_the_syn_queue_is_full(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_when_full_recycle);
	int l = h_listen(h, PORT, 8);
	for (uint16_t i = 0; i < 2; i++) {
		h->peer_port = (uint16_t)(40000 + i);
		h_syn_in(h, PORT, PEER_ISN, &syn_ts);
	}
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), 0);
	h->peer_port = 40002;
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &syn_ts);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	final_ack(h, &sa, NULL, 0, 0);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesRecv), 1);
	struct sf_endpoint peer;
	int c = sf_accept(h->st, l, &peer);
	assert_true(c >= 0);
	assert_int_equal(peer.port, 40002);
	h_free(h);
}

/* syncookies 0: a full SYN queue drops the SYN, an ACK to the listener is
 * answered with RST, as without cookies. */
static void test_never(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_never);
	h_listen(h, PORT, 8);
	for (uint16_t i = 0; i < 2; i++) {
		h->peer_port = (uint16_t)(40000 + i);
		h_syn_in(h, PORT, PEER_ISN, NULL);
	}
	h->peer_port = 40002;
	h_send(h, .lport = PORT, .flags = SF_TCP_SYN, .seq = PEER_ISN);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_QUEUE_FULL), 1);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = 12345);
	h_expect(h, SF_TCP_RST, 12345, 0);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesFailed), 0);
	h_free(h);
}

/* An ACK that is no cookie: with none sent lately (syncookies 1) it is the
 * plain LISTEN case, a RST; with cookies out it is dropped without one, as
 * it may be a later segment of a cookie's connection. */
static void test_invalid_cookie(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_when_full);
	h_listen(h, PORT, 8);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = 12345);
	h_expect(h, SF_TCP_RST, 12345, 0);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_ACK), 1);
	for (uint16_t i = 0; i < 3; i++) { /* the third gets a cookie */
		h->peer_port = (uint16_t)(40000 + i);
		h_syn_in(h, PORT, PEER_ISN, NULL);
	}
	h->peer_port = 41000;
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = 12345);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_COOKIE_INVALID), 1);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesFailed), 1);
	/* Two counter periods later the cookies are dead: RST again. */
	h_advance(h, 120000);
	h_drain(h);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = 12345);
	h_expect(h, SF_TCP_RST, 12345, 0);
	h_free(h);
}

/* The counter rolls each minute and a cookie is honoured for two: the
 * minute it was made in and the next. */
static void test_cookie_lifetime(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	h_advance(h, 59000);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);
	h_advance(h, 61000 - 1); /* 119.999 s: the next minute */
	final_ack(h, &sa, NULL, 0, 0);
	assert_true(sf_accept(h->st, l, NULL) >= 0);

	h->peer_port = 40200;
	sa = h_syn_in(h, PORT, PEER_ISN, NULL); /* at 119.999 s: minute 1 */
	h_advance(h, 1);                        /* 120 s: minute 2, still live */
	h->peer_port = 40201;
	struct sf_segment sb = h_syn_in(h, PORT, PEER_ISN, NULL); /* minute 2 */
	h_advance(h, 60000);                    /* 180 s: minute 3 */
	h->peer_port = 40200;
	final_ack(h, &sa, NULL, 0, 0);          /* made in minute 1: dead */
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_COOKIE_INVALID), 1);
	h->peer_port = 40201;
	final_ack(h, &sb, NULL, 0, 0);          /* made in minute 2: live */
	assert_true(sf_accept(h->st, l, NULL) >= 0);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesRecv), 2);
	h_free(h);
}

/* The MAC is keyed by the secret: another stack's cookie is not valid here. */
static void test_cookie_of_another_secret(void **state)
{
	(void)state;
	struct harness *a = h_new(4, cfg_always), *b = h_new(4, cfg_always_other_secret);
	h_listen(a, PORT, 8);
	h_listen(b, PORT, 8);
	struct sf_segment sa = h_syn_in(a, PORT, PEER_ISN, &syn_ts);
	final_ack(b, &sa, NULL, 0, 0);
	assert_int_equal(h_drops(b, SF_DROP_SYN_COOKIE_INVALID), 1);
	assert_int_equal(h_counter(b, SF_CTR_PassiveOpens), 0);
	final_ack(a, &sa, NULL, 0, 0);
	assert_int_equal(h_counter(a, SF_CTR_PassiveOpens), 1);
	h_free(a);
	h_free(b);
}

/* Only the peer's first segment after the SYN carries SEQ = ISN + 1. A
 * later one that overtakes it is dropped without a RST, which would kill
 * the connection the first is about to make; and an old ACK of a connection
 * that has ended, with both numbers moved on, is no cookie (the ISN is in
 * the MAC, not only in the difference SEG.ACK - SEG.SEQ). */
static void test_later_segments_are_no_cookie(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &syn_ts); /* MSS 1460: the cookie's highest index */
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P + 100, .ack = sa.seq + 1, .text = "late");
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_COOKIE_INVALID), 1);
	for (uint32_t k = 1; k <= 8; k++) { /* the old ACKs of a finished exchange */
		h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + k, .ack = sa.seq + 1 + k - 1);
		h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + k + 2, .ack = sa.seq + 1 + k);
	}
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 0);
	h_expect_none(h);
	final_ack(h, &sa, NULL, 0, 0);
	assert_true(sf_accept(h->st, l, NULL) >= 0);
	h_free(h);
}

/* A peer whose final ACK was lost and that has nothing to send only ever
 * sends keepalive probes (RFC 9293 §3.8.4: SEG.SEQ = SND.NXT - 1, its
 * ISN): the probe's cookie makes the connection, and is answered. */
static void test_keepalive_probe_heals(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);
	h_advance(h, 10000);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = PEER_ISN, .ack = sa.seq + 1);
	h_expect(h, SF_TCP_ACK, sa.seq + 1, P);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(h_tcb(h, c)->irs, PEER_ISN);
	h_free(h);
}

/* A valid cookie whose ACK finds the accept queue full is dropped (as
 * Linux), no RST: the peer sends it again with its data, and the cookie,
 * still live, then makes the connection. */
static void test_cookie_meets_full_accept_queue(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 1);
	h->peer_port = 40000;
	struct sf_segment s1 = h_syn_in(h, PORT, PEER_ISN, NULL);
	h->peer_port = 40001;
	struct sf_segment s2 = h_syn_in(h, PORT, PEER_ISN, NULL);
	h->peer_port = 40000;
	final_ack(h, &s1, NULL, 0, 0);
	h->peer_port = 40001;
	final_ack(h, &s2, "x", 1, SF_TCP_PSH);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_OVERFLOW), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_true(sf_accept(h->st, l, NULL) >= 0);
	final_ack(h, &s2, "x", 1, SF_TCP_PSH); /* the peer's retransmission */
	h_expect(h, SF_TCP_ACK, s2.seq + 1, P + 1);
	assert_true(sf_accept(h->st, l, NULL) >= 0);
	h_free(h);
}

/* A SYN that reopens a 4-tuple in TIME-WAIT (RFC 6191) needs an ISN above
 * the old connection's, which a cookie cannot promise: without timestamps
 * it gets an embryo; with them (PAWS keeps old duplicates out) a cookie. */
static void test_time_wait_reuse(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	/* A first connection, by cookie, that we close first: TIME-WAIT here. */
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);
	final_ack(h, &sa, NULL, 0, 0);
	int c = sf_accept(h->st, l, NULL);
	h_close_to_time_wait(h, c, PORT, sa.seq, P);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	uint64_t sent = h_counter(h, SF_CTR_SyncookiesSent);
	/* A new SYN, no timestamps, above the old sequence space. */
	struct sf_segment s2 = h_syn_in(h, PORT, P + 100000, NULL);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), sent);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1); /* an embryo */
	assert_true(seq_gt(s2.seq, sa.seq + 2));                   /* above the old SND.NXT */
	h_free(h);
}

static void test_time_wait_reuse_with_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	int l = h_listen(h, PORT, 8);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &syn_ts);
	final_ack(h, &sa, NULL, 0, 0);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_close(h->st, c), 0);
	struct sf_segment fin = h_next(h);
	assert_int_equal(fin.flags, SF_TCP_FIN | SF_TCP_ACK);
	struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 5002, .ts_ecr = fin.opt.ts_val };
	h_send(h, .lport = PORT, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = P, .ack = sa.seq + 2, .opt = &ts);
	h_drain(h);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	struct sf_tcp_options syn2 = syn_ts;
	syn2.ts_val = 6000; /* newer than the old connection's (RFC 6191 §2) */
	h_syn_in(h, PORT, P + 100000, &syn2);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	h_free(h);
}

/* A SYN for a socket in SYN-SENT is a simultaneous open (RFC 9293 Figure
 * 8), the connection's business, never a listener's: its SYN-RECEIVED is a
 * TCB even with cookies for every SYN, and its ACK completes it as usual. */
static void test_simultaneous_open_is_not_a_cookie(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_always);
	h_listen(h, PORT, 8);
	uint32_t iss;
	int s = h_connect(h, 40600, 9000, &iss);
	h->peer_port = 9000;
	h_send(h, .lport = 40600, .flags = SF_TCP_SYN, .seq = PEER_ISN);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, P);
	assert_int_equal(sf_state(h->st, s), SF_SYN_RECEIVED);
	h_send(h, .lport = 40600, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesSent), 0);
	assert_int_equal(h_counter(h, SF_CTR_SyncookiesRecv), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_always_cookie_makes_the_connection),
		cmocka_unit_test(test_cookie_without_timestamps),
		cmocka_unit_test(test_cookie_ecn),
		cmocka_unit_test(test_cookies_when_the_syn_queue_is_full),
		cmocka_unit_test(test_never),
		cmocka_unit_test(test_invalid_cookie),
		cmocka_unit_test(test_cookie_lifetime),
		cmocka_unit_test(test_cookie_of_another_secret),
		cmocka_unit_test(test_later_segments_are_no_cookie),
		cmocka_unit_test(test_keepalive_probe_heals),
		cmocka_unit_test(test_cookie_meets_full_accept_queue),
		cmocka_unit_test(test_time_wait_reuse),
		cmocka_unit_test(test_time_wait_reuse_with_timestamps),
		cmocka_unit_test(test_simultaneous_open_is_not_a_cookie),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
