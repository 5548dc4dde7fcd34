/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 5961 (blind in-window attacks) as RFC 9293 §3.10.7.4 takes it up in
 * its first, second, fourth and fifth steps: RST only at exactly RCV.NXT, a
 * challenge ACK for an in-window RST, for any SYN and for an ACK outside
 * [SND.UNA - MAX.SND.WND, SND.NXT]; a per-connection limit on challenge ACKs
 * (RFC 5961 §7, not one global counter: CVE-2016-5696); and a duplicate ACK
 * for unacceptable data.
 *
 * Each test accepts a connection on port 80 from the peer (ISN 100, window
 * 65535), so RCV.NXT = 101, SND.NXT = ISS+1 and both windows are 65535.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 100u
#define RCV_NXT (PEER_ISN + 1)
#define WND 65535u

struct conn {
	struct harness *h;
	int sock;
	uint32_t iss;
};

static struct conn established(int family)
{
	struct conn c;

	c.h = h_new(family, NULL);
	c.sock = h_established(c.h, 80, PEER_ISN, &c.iss);
	return c;
}

/* Assert the next segment is an ACK with exactly our numbers and our window:
 * the right edge we offered stays put while less than an MSS of room has
 * opened (receiver SWS avoidance, RFC 9293 §3.8.6.2.2), so after a few bytes
 * received the field may be that many below WND. */
static void expect_our_ack(struct harness *h, uint32_t snd_nxt, uint32_t rcv_nxt)
{
	struct sf_segment a = h_expect(h, SF_TCP_ACK, snd_nxt, rcv_nxt);
	assert_true(a.window <= WND && a.window >= WND - 16);
	assert_int_equal(a.payload_len, 0);
	assert_int_equal(a.dport, h->peer_port);
}

/* RFC 5961 §3.2 / §3.10.7.4 second: a RST with SEQ == RCV.NXT resets the connection: -ECONNRESET, EstabResets. */
static void rst_at_rcv_nxt_resets(int family)
{
	struct conn c = established(family);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_CLOSED);
	assert_true(h_saw_state(h, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 0);
	assert_int_equal(sf_take_error(h->st, c.sock), -ECONNRESET);
	/* The 4-tuple is gone: what the peer sends next is answered as to no connection. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 1);
	h_expect(h, SF_TCP_RST, c.iss + 1, 0);
	h_free(h);
}

static void test_rst_at_rcv_nxt_v4(void **state)
{
	(void)state;
	rst_at_rcv_nxt_resets(4);
}

static void test_rst_at_rcv_nxt_v6(void **state)
{
	(void)state;
	rst_at_rcv_nxt_resets(6);
}

/* RFC 5961 §3.2: an exact RST with the ACK bit (as Linux sends it) resets too; recv and send see -ECONNRESET. */
static void test_rst_ack_at_rcv_nxt_resets(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;
	char buf[4];

	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 1);
	h_expect_none(h);
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), -ECONNRESET);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 1);
	h_free(h);
}

/*
 * RFC 5961 §3.2 / §3.10.7.4 second: a RST in the window but not at RCV.NXT
 * draws a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; the connection
 * stays (TCPChallengeACK, RST_CHALLENGED). Both ends of the window.
 */
static void rst_in_window_challenged(int family)
{
	struct conn c = established(family);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 1);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = RCV_NXT + WND - 1, .ack = 0xabcdef01u);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	assert_int_equal(sf_take_error(h->st, c.sock), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 2);
	assert_int_equal(h_counter(h, SF_CTR_TCPSYNChallenge), 0);
	assert_int_equal(h_drops(h, SF_DROP_RST_CHALLENGED), 2);
	assert_int_equal(h->last_drop, SF_DROP_RST_CHALLENGED);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 0);
	/* The peer answers the challenge with the exact RST (RFC 5961 §3.2): now it resets. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT);
	h_expect_none(h);
	assert_int_equal(sf_take_error(h->st, c.sock), -ECONNRESET);
	h_free(h);
}

static void test_rst_in_window_v4(void **state)
{
	(void)state;
	rst_in_window_challenged(4);
}

static void test_rst_in_window_v6(void **state)
{
	(void)state;
	rst_in_window_challenged(6);
}

/* RFC 5961 §3.2 / §3.10.7.4 first: a RST outside the window is dropped silently: no segment, no challenge. */
static void test_rst_out_of_window_silent(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + WND);     /* just past the right edge */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT - 1);       /* just before RCV.NXT */
	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = RCV_NXT + 0x80000000u, .ack = c.iss + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 3);
	assert_int_equal(h->last_drop, SF_DROP_SEQ_UNACCEPTABLE);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 0);
	assert_int_equal(h_counter(h, SF_CTR_InRsts), 3);
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 1); /* the handshake's SYN,ACK, nothing since */
	h_free(h);
}

/* RFC 5961 §4.2 / §3.10.7.4 fourth: a SYN in ESTABLISHED, in or out of the window, draws a challenge ACK; the connection stays. */
static void syn_challenged(int family)
{
	struct conn c = established(family);
	struct harness *h = c.h;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 536 };

	/* In the window, with the attacker's own ACK number (ignored). */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = RCV_NXT + 1000, .opt = &opt);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	/* The peer's old SYN again (left of the window). */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN, .opt = &opt);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	/* Far outside the window, with an ACK and text. */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = RCV_NXT + 0x40000000u, .ack = 0x11111111u,
	       .text = "x");
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	assert_int_equal(sf_take_error(h->st, c.sock), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPSYNChallenge), 3);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 3);
	assert_int_equal(h_drops(h, SF_DROP_SYN_CHALLENGED), 3);
	assert_int_equal(h->last_drop, SF_DROP_SYN_CHALLENGED);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 0);
	char buf[4];
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), -EAGAIN);
	h_free(h);
}

static void test_syn_challenged_v4(void **state)
{
	(void)state;
	syn_challenged(4);
}

static void test_syn_challenged_v6(void **state)
{
	(void)state;
	syn_challenged(6);
}

/* RFC 5961 §5.2 / §3.10.7.4 fifth: an ACK beyond SND.NXT draws a challenge ACK (ACK_CHALLENGED); its text is not taken. */
static void test_ack_beyond_snd_nxt_challenged(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 2);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = RCV_NXT, .ack = c.iss + 100000, .text = "evil");
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_ACK_CHALLENGED), 2);
	assert_int_equal(h->last_drop, SF_DROP_ACK_CHALLENGED);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 2);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), -EAGAIN);
	/* The same text with a good ACK is taken: RCV.NXT moves on. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = RCV_NXT, .ack = c.iss + 1, .text = "good");
	h_expect(h, SF_TCP_ACK, c.iss + 1, RCV_NXT + 4);
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), 4);
	h_free(h);
}

/*
 * RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND draws a challenge
 * ACK; one exactly at that bound is acceptable (a duplicate: ignored, nothing
 * sent). MAX.SND.WND is the peer's 65535.
 */
static void test_ack_too_old_challenged(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;
	uint32_t snd_una = c.iss + 1;

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = snd_una - WND);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 0);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = snd_una - WND - 1);
	expect_our_ack(h, snd_una, RCV_NXT);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = RCV_NXT, .ack = snd_una - 0x10000000u,
	       .text = "evil");
	expect_our_ack(h, snd_una, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_ACK_CHALLENGED), 2);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 2);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), -EAGAIN);
	h_free(h);
}

/*
 * RFC 5961 §3.2, §4.2, §5.2: the challenge ACK carries our current SND.NXT and
 * RCV.NXT (after data both ways), never numbers from the segment that drew it.
 */
static void test_challenge_ack_carries_our_numbers(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;
	char buf[16];

	/* 5 bytes in, 3 bytes out (not yet ACKed: SND.UNA = ISS+1, SND.NXT = ISS+4). */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = RCV_NXT, .ack = c.iss + 1, .text = "hello");
	h_expect(h, SF_TCP_ACK, c.iss + 1, RCV_NXT + 5);
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), 5);
	assert_int_equal(sf_send(h->st, c.sock, "abc", 3), 3);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, c.iss + 1, RCV_NXT + 5);

	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = RCV_NXT + 777, .ack = c.iss + 2);
	expect_our_ack(h, c.iss + 4, RCV_NXT + 5);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 0x55555555u);
	expect_our_ack(h, c.iss + 4, RCV_NXT + 5);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT + 5, .ack = c.iss + 5);
	expect_our_ack(h, c.iss + 4, RCV_NXT + 5);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 3);
	/* And the connection still works: the peer ACKs our 3 bytes. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT + 5, .ack = c.iss + 4);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	h_free(h);
}

/*
 * RFC 5961 §7 (challenge_ack_limit, default 10 per second per connection):
 * RST, SYN and ACK challenges share one budget; the 11th in the same virtual
 * second is suppressed (TCPChallengeACKLimited); a second connection keeps
 * its own budget (CVE-2016-5696: no global counter an attacker can drain and
 * observe); one virtual second later the budget is full again.
 */
static void test_challenge_ack_limit(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;
	int l2;

	/* 4 RST + 3 SYN + 3 ACK challenges: 10 ACKs. */
	for (int i = 0; i < 4; i++) {
		h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 10 + (uint32_t)i);
		expect_our_ack(h, c.iss + 1, RCV_NXT);
	}
	for (int i = 0; i < 3; i++) {
		h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = RCV_NXT + 20 + (uint32_t)i);
		expect_our_ack(h, c.iss + 1, RCV_NXT);
	}
	for (int i = 0; i < 3; i++) {
		h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 50 + (uint32_t)i);
		expect_our_ack(h, c.iss + 1, RCV_NXT);
	}
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 10);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACKLimited), 0);

	/* The 11th, 12th and 13th (one of each kind): nothing sent, still dropped. */
	h_advance(h, 999);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 30);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = RCV_NXT + 31);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 60);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 10);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACKLimited), 3);
	assert_int_equal(h_drops(h, SF_DROP_RST_CHALLENGED), 5);
	assert_int_equal(h_drops(h, SF_DROP_SYN_CHALLENGED), 4);
	assert_int_equal(h_drops(h, SF_DROP_ACK_CHALLENGED), 4);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);

	/* A second connection (peer port 40001) has its own budget, in the same second. */
	l2 = h_listen(h, 81, 8);
	h->peer_port = 40001;
	uint32_t iss2;
	int s2 = h_accept_new(h, l2, 81, 5000, &iss2);
	h_send(h, .lport = 81, .flags = SF_TCP_RST, .seq = 5001 + 10);
	expect_our_ack(h, iss2 + 1, 5001);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 11);
	assert_int_equal(sf_state(h->st, s2), SF_ESTABLISHED);

	/* The first is still limited in this second ... */
	h->peer_port = 40000;
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 40);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACKLimited), 4);
	/* ... and has a full budget in the next one. */
	h_advance(h, 1);
	for (int i = 0; i < 10; i++) {
		h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 50 + (uint32_t)i);
		expect_our_ack(h, c.iss + 1, RCV_NXT);
	}
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 70);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 21);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACKLimited), 5);
	/* The limit never blocks the exact RST. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT);
	assert_int_equal(sf_take_error(h->st, c.sock), -ECONNRESET);
	h_free(h);
}

static void limit_3(struct sf_config *cfg)
{
	cfg->challenge_ack_limit = 3;
}

/* RFC 5961 §7: the limit is the configured challenge_ack_limit, not a constant. */
static void test_challenge_ack_limit_configurable(void **state)
{
	(void)state;
	struct harness *h = h_new(4, limit_3);
	uint32_t iss;

	h_established(h, 80, PEER_ISN, &iss);
	for (int i = 0; i < 3; i++) {
		h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 1 + (uint32_t)i);
		expect_our_ack(h, iss + 1, RCV_NXT);
	}
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 9);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 3);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACKLimited), 1);
	h_free(h);
}

/*
 * §3.10.7.4 first: an unacceptable segment with text (old, or beyond the
 * window) is answered by <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped
 * (SEQ_UNACCEPTABLE); its text is not delivered.
 */
static void test_unacceptable_data_dup_ack(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;
	char buf[16];

	/* Wholly old: ends before RCV.NXT. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN - 9, .ack = c.iss + 1,
	       .text = "old-data");
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	/* Beyond the right edge. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = RCV_NXT + WND, .ack = c.iss + 1, .text = "far");
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	/* An empty ACK left of the window is unacceptable too. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = RCV_NXT - 1, .ack = c.iss + 1);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 3);
	assert_int_equal(h->last_drop, SF_DROP_SEQ_UNACCEPTABLE);
	/* These are not challenge ACKs: no RFC 5961 budget is used. */
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 0);
	assert_int_equal(sf_recv(h->st, c.sock, buf, sizeof buf), -EAGAIN);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	h_free(h);
}

/* RFC 5961 §3.2 in CLOSE-WAIT: the exact RST resets (EstabResets; Linux reports EPIPE there); in-window is challenged. */
static void test_rst_in_close_wait(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = RCV_NXT, .ack = c.iss + 1);
	h_expect(h, SF_TCP_ACK, c.iss + 1, RCV_NXT + 1);
	assert_int_equal(sf_state(h->st, c.sock), SF_CLOSE_WAIT);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 2);
	expect_our_ack(h, c.iss + 1, RCV_NXT + 1);
	assert_int_equal(sf_state(h->st, c.sock), SF_CLOSE_WAIT);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = RCV_NXT + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c.sock), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(sf_take_error(h->st, c.sock), -EPIPE);
	h_free(h);
}

/* A SYN with FIN in ESTABLISHED is a SYN there (§3.10.7.4 fourth, as Linux): challenge ACK; its FIN is not taken. */
static void test_syn_fin_challenged(void **state)
{
	(void)state;
	struct conn c = established(4);
	struct harness *h = c.h;

	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_FIN, .seq = RCV_NXT);
	expect_our_ack(h, c.iss + 1, RCV_NXT);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SYN_CHALLENGED), 1);
	assert_int_equal(sf_state(h->st, c.sock), SF_ESTABLISHED);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_at_rcv_nxt_v4),
		cmocka_unit_test(test_rst_at_rcv_nxt_v6),
		cmocka_unit_test(test_rst_ack_at_rcv_nxt_resets),
		cmocka_unit_test(test_rst_in_window_v4),
		cmocka_unit_test(test_rst_in_window_v6),
		cmocka_unit_test(test_rst_out_of_window_silent),
		cmocka_unit_test(test_syn_challenged_v4),
		cmocka_unit_test(test_syn_challenged_v6),
		cmocka_unit_test(test_syn_fin_challenged),
		cmocka_unit_test(test_ack_beyond_snd_nxt_challenged),
		cmocka_unit_test(test_ack_too_old_challenged),
		cmocka_unit_test(test_challenge_ack_carries_our_numbers),
		cmocka_unit_test(test_challenge_ack_limit),
		cmocka_unit_test(test_challenge_ack_limit_configurable),
		cmocka_unit_test(test_unacceptable_data_dup_ack),
		cmocka_unit_test(test_rst_in_close_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
