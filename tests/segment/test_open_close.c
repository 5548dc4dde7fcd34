/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening and closing a connection, RFC 9293 §3.5 and §3.6: the three-way
 * handshake both ways and simultaneous open (Figures 6 and 7); the orderly
 * close from either side (Figure 12), the half-close (§3.6.1, shutdown),
 * crossing FINs (Figure 13) and the FIN-WAIT-1 shortcuts of the state
 * diagram (Figure 5); and CLOSE-WAIT, which lasts as long as the application
 * keeps the connection open.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 100u

/* Active open: SYN with MSS 1460; SYN+ACK in; ACK ISN(s)+1 out; ESTABLISHED. */
static void test_active_open(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint remote = { .addr = h->peer, .port = 80 };
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_true(syn.opt.has_mss);
	assert_int_equal(syn.opt.mss, 1460);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	uint16_t lport = h_local_port(h, s);
	assert_true(lport >= 32768 && lport <= 60999);

	h->peer_port = 80;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1000 };
	h_synack_in(h, lport, 5000, syn.seq, 65535, &opt);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_ESTABLISHED));
	assert_int_equal(h_counter(h, SF_CTR_ActiveOpens), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 1);
	h_free(h);
}

/* Passive open: SYN in, SYN+ACK (ACK = ISN(c)+1, MSS) out, ACK in, accept. */
static void test_passive_open(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	struct sf_segment sa = h_syn_in(h, 80, 7000, &opt);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, 1460);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 7001, .ack = sa.seq + 1);
	h_expect_none(h);
	struct sf_endpoint peer;
	int c = sf_accept(h->st, l, &peer);
	assert_true(c >= 0);
	assert_int_equal(peer.port, 40000);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	h_free(h);
}

static void cfg_syn_retries_2(struct sf_config *cfg)
{
	cfg->syn_retries = 2;
}

/* RFC 9293 §3.8.3 (MUST-22, MUST-23), as Linux's tcp_write_timeout: in a simultaneous open's SYN-RECEIVED our SYN goes again with the ACK under the SYN's limit, syn_retries (2; synack_retries, 5, is the passive embryos'): resent at +1 and +3 s, given up at +7 s. */
static void test_simultaneous_open_syn_retries(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_syn_retries_2);
	uint32_t iss;
	const uint32_t their_isn = 300000;
	int s = h_connect(h, 7777, 8888, &iss);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };

	h_send(h, .lport = 7777, .flags = SF_TCP_SYN, .seq = their_isn, .opt = &opt);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, their_isn + 1);
	assert_int_equal(sf_state(h->st, s), SF_SYN_RECEIVED);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, their_isn + 1);
	h_advance(h, 2000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, their_isn + 1);
	h_expect_closed_after(h, s, 4000, SF_SYN_RECEIVED);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_CLOSED));
	assert_int_equal(sf_take_error(h->st, s), -ETIMEDOUT);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnTimeout), 1);
	h_free(h);
}

/* RFC 9293 §3.5 Figure 7: simultaneous open by injection: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED, 4 segments, no bare ACK. */
static void test_simultaneous_open(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	const uint32_t their_isn = 300000;
	int s = h_connect(h, 7777, 8888, &iss); /* segment 1: our SYN */

	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	/* Segment 2: their SYN crosses ours. */
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 7777, .flags = SF_TCP_SYN, .seq = their_isn, .opt = &opt);
	/* Segment 3: our SYN,ACK <SEQ=ISS><ACK=their ISN+1>. */
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, their_isn + 1);
	assert_true(sa.opt.has_mss);
	assert_int_equal(sa.opt.mss, 1460);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_SYN_RECEIVED);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_SYN_RECEIVED));
	/* Segment 4: their SYN,ACK <SEQ=their ISN><ACK=ISS+1>. Nothing answers it. */
	h_send(h, .lport = 7777, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = their_isn, .ack = iss + 1, .opt = &opt);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_ESTABLISHED));
	assert_int_equal(h->nout, 2); /* we sent 2 of the 4 */
	assert_int_equal(h_counter(h, SF_CTR_ActiveOpens), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 0);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 0);
	/* The SYN,ACK timer is off: nothing more goes out while idle. */
	h_advance(h, 10000);
	h_expect_none(h);

	/* Both directions are synchronized: data goes out and in. */
	assert_int_equal(sf_send(h->st, s, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, their_isn + 1);
	h_send(h, .lport = 7777, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = their_isn + 1, .ack = iss + 2, .text = "y");
	h_expect(h, SF_TCP_ACK, iss + 2, their_isn + 2);
	char buf[4];
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), 1);
	assert_int_equal(buf[0], 'y');
	h_free(h);
}

/* Active close: FIN (seq K, ACKing what was received) -> FIN-WAIT-1; ACK K+1 ->
 * FIN-WAIT-2; peer FIN (seq L) -> ACK L+1, TIME-WAIT; 2MSL later CLOSED. */
static void test_active_close(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, 100, &iss);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, 101);
	assert_true(h_saw_state(h, SF_ESTABLISHED, SF_FIN_WAIT_1));
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = iss + 2);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	h_expect_none(h);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = 101, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, 102);
	assert_true(h_saw_state(h, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_advance(h, 2 * 120000 - 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	h_free(h);
}

/* Passive close (RFC 9293 §3.6 case 2): peer FIN ACKed at once, CLOSE-WAIT, recv 0; close -> LAST-ACK. */
static void test_passive_close(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, 100, &iss);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = 101, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, 102);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	assert_int_equal(sf_send(h->st, c, "hi", 2), 2);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, 102);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 3, 102);
	assert_true(h_saw_state(h, SF_CLOSE_WAIT, SF_LAST_ACK));
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 102, .ack = iss + 4);
	assert_true(h_saw_state(h, SF_LAST_ACK, SF_CLOSED));
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	h_free(h);
}

/* RFC 9293 §3.6.1 (half-close): shutdown(SHUT_WR) sends a FIN; data keeps arriving in FIN-WAIT-2, readable and ACKed, until the peer's FIN. */
static void test_half_close_shutdown_wr(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[32];

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_1);
	assert_int_equal(sf_send(h->st, c, "no", 2), -EPIPE);

	/* Data before the peer ACKs our FIN: still taken in FIN-WAIT-1. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1, .text = "hello");
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 6);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_1);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 6, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 6, .ack = iss + 2, .text = " world");
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 12);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -EAGAIN);

	/* The peer's FIN ends the receiving half: ACK, TIME-WAIT, end of stream. */
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 12, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 13);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	assert_true(h_saw_state(h, SF_FIN_WAIT_2, SF_TIME_WAIT));
	h_free(h);
}

/* RFC 9293 §3.6 case 2, §3.6.1: after the peer half-closes we are in CLOSE-WAIT and may still send; the data goes out and is ACKed. */
static void test_half_close_peer_first(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[8];

	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 1);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);

	assert_int_equal(sf_send(h->st, c, "first", 5), 5);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 2);
	assert_int_equal(d.payload_len, 5);
	assert_memory_equal(d.payload, "first", 5);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 6);
	h_expect_none(h);
	assert_int_equal(sf_send(h->st, c, "second", 6), 6);
	d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 6, PEER_ISN + 2);
	assert_int_equal(d.payload_len, 6);
	assert_memory_equal(d.payload, "second", 6);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 12);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);

	/* Data the peer sends after its FIN is not taken (§3.10.7.4 seventh). */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 2, .ack = iss + 12, .text = "late");
	assert_int_equal(h_drops(h, SF_DROP_DATA_AFTER_FIN), 1);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);

	/* Our own half-close: FIN -> LAST-ACK -> CLOSED on its ACK. */
	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 12, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_LAST_ACK);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 13);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0); /* the passive closer does not wait */
	assert_int_equal(sf_take_error(h->st, c), 0);
	h_free(h);
}

/* RFC 9293 §3.6 Figure 13: FINs cross; FIN-WAIT-1 -> CLOSING (ACK of their FIN sent) -> TIME-WAIT on the ACK of ours. */
static void test_simultaneous_close(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	/* Their FIN, sent before ours arrived, does not ACK it. */
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_CLOSING));
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	/* Their ACK of our FIN. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_CLOSING, SF_TIME_WAIT));
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	/* After the handshake's SYN,ACK we sent our FIN and one ACK: with the
	 * peer's FIN and ACK, 4 segments in all (Figure 13). */
	assert_int_equal(h->nout, 3);
	h_free(h);
}

/* RFC 9293 §3.6 Figure 13 on a held handle: the same crossing FINs after shutdown(SHUT_WR); the state reads CLOSING, then TIME-WAIT. */
static void test_simultaneous_close_states(void **state)
{
	(void)state;
	struct harness *h = h_new(4, h_cfg_rfc6298_min_rto);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(sf_state(h->st, c), SF_CLOSING);
	/* CLOSING retransmits the FIN until it is ACKed (RFC 9293 §3.10.8). */
	h_advance(h, 1000);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 2);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);
	char buf[4];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	h_free(h);
}

/* RFC 9293 Figure 5 note 2, §3.10.7.4 eighth (FIN-WAIT-1: "our FIN has been ACKed (perhaps in this segment)"): FIN+ACK of our FIN -> TIME-WAIT directly. */
static void test_fin_wait_1_fin_ack_to_time_wait(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_TIME_WAIT));
	assert_false(h_saw_state(h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	assert_false(h_saw_state(h, SF_FIN_WAIT_1, SF_CLOSING));
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_count_states(h, SF_FIN_WAIT_2, SF_TIME_WAIT), 0);
	h_free(h);
}

/* RFC 9293 Figure 5 note 2 with text: data + FIN + ACK of our FIN in one segment -> data readable, TIME-WAIT directly. */
static void test_fin_wait_1_data_fin_ack_to_time_wait(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[8];

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 2,
	       .text = "bye");
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 5);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_TIME_WAIT));
	assert_false(h_saw_state(h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 3);
	assert_memory_equal(buf, "bye", 3);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 fifth: in FIN-WAIT-1 an ACK of our FIN whose own FIN cannot be taken yet (out of order) still moves us to FIN-WAIT-2. */
static void test_fin_wait_1_ack_with_out_of_order_fin(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	/* Bytes 101..103 are missing: the FIN at 107 cannot count yet. */
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 4, .ack = iss + 2,
	       .text = "lat");
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 1); /* duplicate ACK for the hole */
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);
	h_free(h);
}

/* RFC 9293 §3.6 case 2: CLOSE-WAIT lasts as long as the application does not close: after 1 hour still CLOSE-WAIT, nothing sent, recv returns 0. */
static void test_close_wait_forever(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[8];

	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 2);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 3600ull * 1000);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 1);
	/* Still able to finish: close() now sends the FIN. */
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 2);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_open),
		cmocka_unit_test(test_passive_open),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_simultaneous_open_syn_retries),
		cmocka_unit_test(test_active_close),
		cmocka_unit_test(test_passive_close),
		cmocka_unit_test(test_half_close_shutdown_wr),
		cmocka_unit_test(test_half_close_peer_first),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_simultaneous_close_states),
		cmocka_unit_test(test_fin_wait_1_fin_ack_to_time_wait),
		cmocka_unit_test(test_fin_wait_1_data_fin_ack_to_time_wait),
		cmocka_unit_test(test_fin_wait_1_ack_with_out_of_order_fin),
		cmocka_unit_test(test_close_wait_forever),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
