/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TIME-WAIT and its 2MSL wait (RFC 9293 §3.6 MUST-13, §3.10.7.4 TIME-WAIT,
 * RFC 1122 §4.2.2.13, RFC 6191) and TIME-WAIT assassination (RFC 1337).
 *
 * Every test drives one connection into TIME-WAIT with a scripted peer
 * (192.0.2.2) and then pokes the compact record that replaced the TCB.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define MSL_DEFAULT_MS 120000u
#define PEER_ISN 100u /* the peer's ISN on passive opens: its FIN is 101, RCV.NXT after it 102 */

static struct sf_endpoint peer_ep(const struct harness *h, uint16_t port)
{
	struct sf_endpoint e = { .addr = h->peer, .port = port };
	return e;
}

/*
 * Passive open on port 80, then our application closes first: FIN out,
 * the peer ACKs it and sends its own FIN, we ACK it and enter TIME-WAIT.
 * Afterwards the old SND.NXT is *iss + 2 (SYN + FIN) and RCV.NXT is 102.
 * Returns the listener.
 */
static int passive_then_active_close(struct harness *h, uint32_t *iss)
{
	int l = h_listen(h, 80, 8);
	int c = h_accept_new(h, l, 80, PEER_ISN, iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, *iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = *iss + 2);
	h_expect_none(h);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = *iss + 2);
	h_expect(h, SF_TCP_ACK, *iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	/* The listener stays open so that a new SYN has somewhere to go. */
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	return l;
}

/*
 * Active open from lport (0 = ephemeral) to the peer's rport, then an
 * orderly close that we start: TIME-WAIT on our side. Returns the local port.
 */
static uint16_t active_open_and_close(struct harness *h, uint16_t lport, uint16_t rport, uint32_t peer_isn)
{
	uint32_t iss;
	int s = h_connect(h, lport, rport, &iss);
	uint16_t port = h_local_port(h, s);

	h_synack_in(h, port, peer_isn, iss, 65535, NULL);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(sf_close(h->st, s), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, peer_isn + 1);
	h_send(h, .lport = port, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = peer_isn + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, peer_isn + 2);
	h_expect_none(h);
	return port;
}

static void cfg_msl30(struct sf_config *cfg)
{
	cfg->msl_ms = 30000;
}

static void cfg_strict(struct sf_config *cfg)
{
	cfg->strict_time_wait = 1;
}

static void cfg_no_rfc1337(struct sf_config *cfg)
{
	cfg->rfc1337 = 0;
}

static void cfg_two_ephemeral_ports(struct sf_config *cfg)
{
	cfg->ephemeral_lo = 50000;
	cfg->ephemeral_hi = 50001;
}

/* RFC 9293 §3.6 MUST-13: TIME-WAIT lasts exactly 2*MSL (default MSL 120 s). */
static void test_tw_lasts_2msl_default(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	assert_true(h_saw_state(h, SF_FIN_WAIT_2, SF_TIME_WAIT));
	assert_int_equal(sf_next_deadline(h->st), h->now + 2ull * MSL_DEFAULT_MS * H_MS);
	h_advance(h, 2 * MSL_DEFAULT_MS - 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TW), 0);
	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	assert_true(h_saw_state(h, SF_TIME_WAIT, SF_CLOSED));
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_expect_none(h);
	h_free(h);
}

/* MSL is configurable; with 30 s, TIME-WAIT lasts exactly 60 s. */
static void test_tw_lasts_2msl_msl30(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_msl30);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	assert_int_equal(sf_next_deadline(h->st), h->now + 60000 * H_MS);
	h_advance(h, 59999);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	h_free(h);
}

/* Entering TIME-WAIT frees the TCB (orphan and handle gone); a compact record holds the 4-tuple. */
static void test_tw_frees_tcb(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	assert_int_equal(sf_state(h->st, c), -EBADF); /* the application gave the handle up */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	/* The freed handle is the next one handed out: nothing holds it. */
	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(s, c);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 TIME-WAIT: a retransmitted FIN is re-ACKed and the 2MSL timer restarts from that moment. */
static void test_tw_fin_retransmit_restarts_2msl(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(ack.payload_len, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_ACKED), 1);
	assert_int_equal(sf_next_deadline(h->st), h->now + 2ull * MSL_DEFAULT_MS * H_MS);
	/* The old expiry (140 s from here) passes: still waiting. */
	h_advance(h, 2 * MSL_DEFAULT_MS - 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	h_free(h);
}

/* RFC 9293 §3.6.1 MUST-13 (as Linux): connect() from an explicitly bound port to a 4-tuple in TIME-WAIT fails with -EADDRNOTAVAIL until 2MSL ends. */
static void test_tw_bound_connect_eaddrnotavail(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);

	assert_int_equal(active_open_and_close(h, 5000, 80, 7000), 5000);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);

	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = h->local, .port = 5000 };
	/* Without SO_REUSEADDR the port itself is taken by the record (Linux). */
	assert_int_equal(sf_bind(h->st, s, &local), -EADDRINUSE);
	assert_int_equal(sf_set_reuseaddr(h->st, s, 1), 0);
	assert_int_equal(sf_bind(h->st, s, &local), 0);
	struct sf_endpoint remote = peer_ep(h, 80);
	assert_int_equal(sf_connect(h->st, s, &remote), -EADDRNOTAVAIL);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	h_advance(h, 2 * MSL_DEFAULT_MS - 1);
	assert_int_equal(sf_connect(h->st, s, &remote), -EADDRNOTAVAIL);
	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_int_equal(syn.sport, 5000);
	assert_int_equal(syn.dport, 80);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	h_free(h);
}

/* RFC 6056: an ephemeral connect never picks a port whose 4-tuple to that destination is in TIME-WAIT. */
static void test_tw_ephemeral_skips_time_wait(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_two_ephemeral_ports);

	uint16_t p1 = active_open_and_close(h, 0, 80, 7000);
	uint16_t p2 = active_open_and_close(h, 0, 80, 8000);
	assert_true(p1 >= 50000 && p1 <= 50001);
	assert_true(p2 >= 50000 && p2 <= 50001);
	assert_int_not_equal(p1, p2);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 2);

	/* Both 4-tuples to peer:80 are in TIME-WAIT: no port is left. */
	int s = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint remote = peer_ep(h, 80);
	assert_int_equal(sf_connect(h->st, s, &remote), -EADDRNOTAVAIL);
	h_expect_none(h);

	/* To peer:81 the same local ports make new 4-tuples. */
	int s2 = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint other = peer_ep(h, 81);
	assert_int_equal(sf_connect(h->st, s2, &other), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_int_equal(syn.dport, 81);
	assert_int_equal(sf_abort(h->st, s2), 0);

	/* Once 2MSL is over a port is free again. */
	h_advance(h, 2 * MSL_DEFAULT_MS);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_true(syn.sport == p1 || syn.sport == p2);
	h_free(h);
}

/* RFC 1122 §4.2.2.13, RFC 6191: a SYN with SEQ > old RCV.NXT reopens the 4-tuple with ISN = old SND.NXT + 65537 (Linux). */
static void test_tw_higher_syn_reopens(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int l = passive_then_active_close(h, &iss);
	uint32_t old_snd_nxt = iss + 2, old_rcv_nxt = PEER_ISN + 2;
	h_advance(h, 1000);
	/* The smallest sequence number that is beyond the old connection. */
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = old_rcv_nxt + 1, .opt = &opt);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, old_snd_nxt + 65537, old_rcv_nxt + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TW), 0); /* reopened, not run out */

	/* The handshake completes into a new connection. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = old_rcv_nxt + 2, .ack = sa.seq + 1);
	h_expect_none(h);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 2);
	/* No stale 2MSL timer fires on the new connection. */
	h_advance(h, 2 * MSL_DEFAULT_MS);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	h_expect_none(h);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 TIME-WAIT: a SYN with SEQ <= old RCV.NXT is only ACKed (TIME_WAIT_SYN); no SYN,ACK. */
static void test_tw_old_syn_acked(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	uint64_t expiry = sf_next_deadline(h->st);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_advance(h, 500);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN + 2, .opt = &opt); /* == RCV.NXT */
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN - 50, .opt = &opt); /* below it */
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 2);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	/* A refused SYN does not restart the 2MSL wait. */
	assert_int_equal(sf_next_deadline(h->st), expiry);
	h_free(h);
}

/* RFC 9293 §3.6.1 MUST-13, strictly: strict_time_wait=1 refuses even a higher SYN until 2MSL ends; then the SYN is accepted. */
static void test_tw_strict_refuses_until_2msl(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_strict);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN + 1000, .opt = &opt);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	h_advance(h, 2 * MSL_DEFAULT_MS - 1);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN + 1000, .opt = &opt);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 2);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);

	h_advance(h, 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	h_syn_in(h, 80, PEER_ISN + 1000, &opt);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_free(h);
}

/* An app-held handle whose connection went to TIME-WAIT reads TIME-WAIT, then CLOSED after 2MSL; close() frees it. */
static void test_tw_state_on_held_handle(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	assert_int_equal(sf_state(h->st, c), SF_FIN_WAIT_2);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	assert_int_equal(sf_send(h->st, c, "x", 1), -EPIPE);

	h_advance(h, 2 * MSL_DEFAULT_MS - 1);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);
	h_advance(h, 1);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);

	/* close() now has nothing left to finish: the handle is freed, not orphaned. */
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(sf_state(h->st, c), -EBADF);
	assert_int_equal(sf_socket(h->st, SF_AF_INET), c);
	h_free(h);
}

/* close() of a held handle while its record is still in TIME-WAIT frees the handle; the record runs its 2MSL alone. */
static void test_tw_close_held_handle_during_time_wait(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(sf_state(h->st, c), SF_TIME_WAIT);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(sf_socket(h->st, SF_AF_INET), c);
	h_advance(h, 2 * MSL_DEFAULT_MS);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 1);
	h_free(h);
}

/* RFC 1337: by default a RST in TIME-WAIT is ignored (TCPTWRstIgnored) and the record lives on. */
static void test_tw_rst_ignored_by_default(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	uint64_t expiry = sf_next_deadline(h->st);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 2);
	h_send(h, .lport = 80, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPTWRstIgnored), 2);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_RST), 2);
	assert_int_equal(h_counter(h, SF_CTR_TWKilled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(sf_next_deadline(h->st), expiry);
	h_free(h);
}

/* TIME-WAIT assassination (classic behaviour, rfc1337=0, RFC 5961 §3): only a RST with SEQ == RCV.NXT ends TIME-WAIT (TWKilled). */
static void test_tw_rst_kills_when_rfc1337_off(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_rfc1337);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	/* In the window but not at RCV.NXT: challenge ACK, record stays. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 3);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_RST_CHALLENGED), 1);
	/* Outside the window, or just before it: silently dropped. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 2 + 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_SEQ_UNACCEPTABLE), 2);
	assert_int_equal(h_counter(h, SF_CTR_TWKilled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPTWRstIgnored), 0);

	/* Exactly at RCV.NXT: the record dies early, nothing is sent. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWKilled), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TW), 0);
	assert_true(h_saw_state(h, SF_TIME_WAIT, SF_CLOSED));
	/* The 4-tuple now belongs to no one: a segment for it draws a RST. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect(h, SF_TCP_RST, iss + 2, 0);
	h_free(h);
}

/* RFC 1337: a stray old segment from the peer in TIME-WAIT is ACKed with <SEQ=old SND.NXT><ACK=RCV.NXT>; the peer's RST answer is ignored. */
static void test_tw_assassination_attempt(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	uint64_t expiry = sf_next_deadline(h->st);
	h_advance(h, 30000);
	/* An old duplicate of data the peer sent long ago. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN - 20, .ack = iss + 1, .text = "old");
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(ack.payload_len, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_ACKED), 1);
	/* Only a FIN restarts the wait. */
	assert_int_equal(sf_next_deadline(h->st), expiry);
	/* The peer, without a connection, answers our ACK with <SEQ=ACK's ack><RST>. */
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPTWRstIgnored), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_free(h);
}

/* With rfc1337=0, RFC 9293 §3.10.7.4 TIME-WAIT second (a RST ends it): the same stray segment lets the peer's RST assassinate TIME-WAIT. */
static void test_tw_assassination_classic(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_no_rfc1337);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN - 20, .ack = iss + 1, .text = "old");
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TWKilled), 1);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 0);
	h_free(h);
}

/*
 * RFC 9293 §3.10.7.4 fifth and eighth steps (as Linux and FreeBSD): an
 * acceptable segment that reaches a TIME-WAIT record is ACKed and restarts
 * the 2MSL wait. Each case below starts 100 s into TIME-WAIT, so the old
 * expiry would be 140 s away.
 */
static void expect_acked_and_restarted(struct harness *h, uint32_t iss, enum sf_drop_reason reason)
{
	struct sf_segment ack = h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	assert_int_equal(ack.payload_len, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, reason), 1);
	assert_int_equal(sf_next_deadline(h->st), h->now + 2ull * MSL_DEFAULT_MS * H_MS);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
}

/* An in-window FIN,ACK at RCV.NXT (a peer that thinks its FIN is still to come) is ACKed; 2MSL restarts. */
static void test_tw_in_window_fin_acked_restarts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	expect_acked_and_restarted(h, iss, SF_DROP_TIME_WAIT_ACKED);
	h_free(h);
}

/* A bare ACK above RCV.NXT, inside the window, is ACKed; 2MSL restarts. */
static void test_tw_ack_above_rcv_nxt_acked_restarts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2 + 1000, .ack = iss + 2);
	expect_acked_and_restarted(h, iss, SF_DROP_TIME_WAIT_ACKED);
	h_free(h);
}

/* Text in the window (§3.10.7.4 seventh: ignored) is still ACKed, not taken; 2MSL restarts. */
static void test_tw_in_window_text_acked_restarts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 2, .ack = iss + 2, .text = "late");
	expect_acked_and_restarted(h, iss, SF_DROP_TIME_WAIT_ACKED);
	h_free(h);
}

/* A SYN,ACK in the window: the challenge ACK of RFC 5961 §4 (§3.10.7.4 fourth); 2MSL restarts. */
static void test_tw_synack_challenged_restarts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	expect_acked_and_restarted(h, iss, SF_DROP_SYN_CHALLENGED);
	assert_int_equal(h_counter(h, SF_CTR_TCPChallengeACK), 1);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	h_free(h);
}

/* A bare ACK exactly at RCV.NXT restarts 2MSL but is not answered (as Linux): no ACK ping-pong. */
static void test_tw_bare_ack_at_rcv_nxt_restarts_silently(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = PEER_ISN + 2, .ack = iss + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_ACK), 1);
	assert_int_equal(sf_next_deadline(h->st), h->now + 2ull * MSL_DEFAULT_MS * H_MS);
	h_free(h);
}

/* §3.10.7.4 fifth: an in-window segment with the ACK bit off is dropped: no reply, no restart. */
static void test_tw_in_window_without_ack_dropped(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	uint64_t expiry = sf_next_deadline(h->st);
	h_advance(h, 100000);
	h_send(h, .lport = 80, .flags = SF_TCP_FIN, .seq = PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_NO_ACK), 1);
	assert_int_equal(sf_next_deadline(h->st), expiry);
	h_free(h);
}

/* A SYN with FIN to TIME-WAIT, even one beyond the old RCV.NXT, reopens nothing (as Linux, whose listener would drop it): it is ACKed as a refused SYN. */
static void test_tw_syn_fin_does_not_reopen(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	passive_then_active_close(h, &iss);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN | SF_TCP_FIN, .seq = PEER_ISN + 100000, .opt = &opt);
	h_expect(h, SF_TCP_ACK, iss + 2, PEER_ISN + 2);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_TIME_WAIT_SYN), 1);
	assert_int_equal(h_counter(h, SF_CTR_TWRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TimeWaitCurrent), 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tw_lasts_2msl_default),
		cmocka_unit_test(test_tw_lasts_2msl_msl30),
		cmocka_unit_test(test_tw_frees_tcb),
		cmocka_unit_test(test_tw_fin_retransmit_restarts_2msl),
		cmocka_unit_test(test_tw_bound_connect_eaddrnotavail),
		cmocka_unit_test(test_tw_ephemeral_skips_time_wait),
		cmocka_unit_test(test_tw_higher_syn_reopens),
		cmocka_unit_test(test_tw_old_syn_acked),
		cmocka_unit_test(test_tw_strict_refuses_until_2msl),
		cmocka_unit_test(test_tw_state_on_held_handle),
		cmocka_unit_test(test_tw_close_held_handle_during_time_wait),
		cmocka_unit_test(test_tw_rst_ignored_by_default),
		cmocka_unit_test(test_tw_rst_kills_when_rfc1337_off),
		cmocka_unit_test(test_tw_assassination_attempt),
		cmocka_unit_test(test_tw_assassination_classic),
		cmocka_unit_test(test_tw_in_window_fin_acked_restarts),
		cmocka_unit_test(test_tw_ack_above_rcv_nxt_acked_restarts),
		cmocka_unit_test(test_tw_in_window_text_acked_restarts),
		cmocka_unit_test(test_tw_synack_challenged_restarts),
		cmocka_unit_test(test_tw_bare_ack_at_rcv_nxt_restarts_silently),
		cmocka_unit_test(test_tw_in_window_without_ack_dropped),
		cmocka_unit_test(test_tw_syn_fin_does_not_reopen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
