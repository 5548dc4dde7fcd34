/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A listener's two queues, as Linux keeps them (RFC 9293 leaves them to the
 * implementation). The SYN queue holds embryonic (SYN-RECEIVED) records up to
 * syn_backlog; the accept queue holds completed connections up to
 * min(backlog, somaxconn), at least 1. What happens when either is full (no
 * connection is lost: an embryo whose final ACK found the accept queue full
 * is queued later by its own timer), what closing a listener does to both
 * (RFC 9293 §3.10.4 LISTEN, §3.10.7.1), and a new listener on the port.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define LPORT 80

/* The peer at source port pport sends a SYN (ISN isn, MSS 1460) to lport.
 * Asserts the SYN,ACK that answers it and returns our ISS. */
static uint32_t syn_from(struct harness *h, uint16_t pport, uint16_t lport, uint32_t isn)
{
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };

	h->peer_port = pport;
	struct sf_segment sa = h_syn_in(h, lport, isn, &opt);
	assert_int_equal(sa.sport, lport);
	assert_int_equal(sa.dport, pport);
	return sa.seq;
}

/* The peer at pport sends a SYN that the stack must not answer. */
static void syn_ignored(struct harness *h, uint16_t pport, uint16_t lport, uint32_t isn)
{
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };

	h->peer_port = pport;
	h_send(h, .lport = lport, .flags = SF_TCP_SYN, .seq = isn, .opt = &opt);
	h_expect_none(h);
}

/* The peer's third segment of the handshake: <SEQ=isn+1><ACK=iss+1><CTL=ACK>. */
static void ack_from(struct harness *h, uint16_t pport, uint16_t lport, uint32_t isn, uint32_t iss)
{
	h->peer_port = pport;
	h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = isn + 1, .ack = iss + 1);
}

/* A full handshake from pport that lands on the accept queue. Returns our ISS. */
static uint32_t complete_from(struct harness *h, uint16_t pport, uint16_t lport, uint32_t isn)
{
	uint32_t iss = syn_from(h, pport, lport, isn);
	ack_from(h, pport, lport, isn, iss);
	h_expect_none(h);
	return iss;
}

/* Accept one connection and check it is the one from pport. */
static int accept_from(struct harness *h, int l, uint16_t pport)
{
	struct sf_endpoint peer;
	int c = sf_accept(h->st, l, &peer);

	assert_true(c >= 0);
	assert_int_equal(peer.port, pport);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	return c;
}

static void cfg_somaxconn2(struct sf_config *cfg)
{
	cfg->somaxconn = 2;
}

static void cfg_abort_on_overflow(struct sf_config *cfg)
{
	cfg->abort_on_overflow = 1;
}

static void cfg_syn_backlog2(struct sf_config *cfg)
{
	cfg->syn_backlog = 2;
	cfg->syncookies = 0; /* the SYN queue's own policy; tests/segment/test_syncookies.c has the cookies */
}

static void cfg_syn_backlog2_recycle(struct sf_config *cfg)
{
	cfg->syn_backlog = 2;
	cfg->syncookies = 0; /* the SYN queue's own policy; tests/segment/test_syncookies.c has the cookies */
	cfg->syn_queue_recycle = 1;
}

static void cfg_max_sockets2(struct sf_config *cfg)
{
	cfg->max_sockets = 2;
}

static void cfg_max_sockets8(struct sf_config *cfg)
{
	cfg->max_sockets = 8;
}

/* With the accept queue (backlog 2) full a new SYN gets no answer
 * and is counted (ListenOverflows, ListenDrops, LISTEN_OVERFLOW); it is
 * answered again once the application accepts. */
static void test_full_accept_queue_drops_syn(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, LPORT, 2);

	complete_from(h, 40001, LPORT, 1000);
	complete_from(h, 40002, LPORT, 2000);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 2);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 0);

	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenDrops), 1);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_OVERFLOW), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQFullDrop), 0);

	/* The client's SYN retransmission gets in once there is room. */
	accept_from(h, l, 40001);
	syn_from(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	h_free(h);
}

/* sf_listen: the queue holds at least one connection, whatever
 * backlog (0 or negative) the application asked for. */
static void test_backlog_at_least_one(void **state)
{
	(void)state;
	static const int backlogs[] = { 0, -5 };

	for (size_t i = 0; i < sizeof backlogs / sizeof backlogs[0]; i++) {
		struct harness *h = h_new(4, NULL);
		int l = h_listen(h, LPORT, backlogs[i]);
		complete_from(h, 40001, LPORT, 1000);
		syn_ignored(h, 40002, LPORT, 2000);
		assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
		accept_from(h, l, 40001);
		assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
		h_free(h);
	}
}

/* somaxconn caps a larger backlog (listen(1000) holds 2). */
static void test_somaxconn_caps_backlog(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_somaxconn2);
	int l = h_listen(h, LPORT, 1000);

	complete_from(h, 40001, LPORT, 1000);
	complete_from(h, 40002, LPORT, 2000);
	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_OVERFLOW), 1);
	accept_from(h, l, 40001);
	accept_from(h, l, 40002);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_free(h);
}

/* As Linux: listen() on a listener resizes its accept queue, both
 * ways, and is still capped by somaxconn. */
static void test_listen_again_resizes(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_somaxconn2);
	int l = h_listen(h, LPORT, 1);

	complete_from(h, 40001, LPORT, 1000);
	syn_ignored(h, 40002, LPORT, 2000);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);

	/* Grow to 2 (asked 50, capped by somaxconn 2): one more fits, not two. */
	assert_int_equal(sf_listen(h->st, l, 50), 0);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	complete_from(h, 40002, LPORT, 2000);
	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 2);

	/* Shrink to 1 with 2 waiting: accepting one still leaves it full. */
	assert_int_equal(sf_listen(h->st, l, 1), 0);
	accept_from(h, l, 40001);
	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 3);
	accept_from(h, l, 40002);
	syn_from(h, 40003, LPORT, 3000);
	h_free(h);
}

/* Linux's behaviour: a final ACK that finds the accept queue full
 * is dropped, the embryo stays and retransmits its SYN,ACK at its timeout;
 * the peer's ACK to that retransmission completes the handshake once the app
 * has accepted. Nothing is accepted beyond the limit. */
static void test_final_ack_on_full_queue_keeps_embryo(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, LPORT, 1);

	uint32_t iss_a = syn_from(h, 40001, LPORT, 1000);
	uint32_t iss_b = syn_from(h, 40002, LPORT, 2000);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	ack_from(h, 40001, LPORT, 1000, iss_a);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);

	/* B's ACK: the queue (1) is full. Dropped silently, the record stays. */
	ack_from(h, 40002, LPORT, 2000, iss_b);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenDrops), 1);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_OVERFLOW), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 1);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);

	/* B's SYN,ACK goes again at its RTO (1 s after B's SYN), unchanged. */
	h_advance(h, 999);
	h_expect_none(h);
	h_advance(h, 1);
	struct sf_segment sa = h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss_b, 2001);
	assert_int_equal(sa.dport, 40002);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 1);

	/* Its ACK still finds the queue full: dropped again. */
	ack_from(h, 40002, LPORT, 2000, iss_b);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 2);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);

	/* The app takes A; only A is there. */
	accept_from(h, l, 40001);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);

	/* The peer's ACK now completes B. */
	ack_from(h, 40002, LPORT, 2000, iss_b);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 2);
	int b = accept_from(h, l, 40002);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 2);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);

	/* And B works: its data is ACKed from ISS+1. */
	h->peer_port = 40002;
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 2001, .ack = iss_b + 1, .text = "x");
	h_expect(h, SF_TCP_ACK, iss_b + 1, 2002);
	char c;
	assert_int_equal(sf_recv(h->st, b, &c, 1), 1);
	assert_int_equal(c, 'x');
	h_free(h);
}

/* Two handshakes against backlog 1: the second's final ACK is dropped. */
static uint32_t fill_and_overflow(struct harness *h, int l, int *first)
{
	struct sf_tcp_options mss = { .has_mss = 1, .mss = 1460 };
	h->peer_port = 41000;
	*first = h_accept_new(h, l, 80, 100, NULL); /* accepted: the queue is empty again */
	h->peer_port = 41001;
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 200, .opt = &mss);
	struct sf_segment a = h_next(h);
	h->peer_port = 41002;
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 300, .opt = &mss);
	struct sf_segment b = h_next(h);
	h->peer_port = 41001;
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 201, .ack = a.seq + 1); /* fills the queue */
	h->peer_port = 41002;
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 301, .ack = b.seq + 1); /* finds it full */
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	return b.seq;
}

/* No connection is lost (as Linux): an embryo whose final ACK found the accept
 * queue full is remembered as complete, and once there is room its own
 * SYN,ACK timer queues it, with no further word from the peer. */
static void test_acked_embryo_queued_by_its_timer(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 1), first;
	uint32_t iss = fill_and_overflow(h, l, &first);
	struct sf_endpoint peer;
	int c1 = sf_accept(h->st, l, &peer);
	assert_int_equal(peer.port, 41001);
	(void)c1;
	/* Room now; the embryo's SYN,ACK timer (1 s) queues it without a
	 * SYN,ACK or any word from the peer. */
	h_advance(h, 999);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_advance(h, 1);
	h_expect_none(h);
	int c2 = sf_accept(h->st, l, &peer);
	assert_true(c2 >= 0);
	assert_int_equal(peer.port, 41002);
	assert_int_equal(sf_state(h->st, c2), SF_ESTABLISHED);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 0);
	/* The connection works: data from the peer arrives. */
	h->peer_port = 41002;
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 301, .ack = iss + 1, .text = "hi");
	h_expect(h, SF_TCP_ACK, iss + 1, 303);
	char buf[4];
	assert_int_equal(sf_recv(h->st, c2, buf, sizeof buf), 2);
	h_free(h);
}

/* The same embryo when room never comes: after its SYN,ACK retries its peer
 * is told with a RST rather than left half-open. */
static void test_acked_embryo_given_up_with_rst(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 1), first;
	uint32_t iss = fill_and_overflow(h, l, &first);
	/* Nobody accepts: SYN,ACKs go again (5 retries, then 5 more at most
	 * rto_max apart), and then the peer is reset rather than left
	 * half-open. */
	int synacks = 0;
	struct sf_segment last = { 0 };
	for (int i = 0; i < 40 && h_counter(h, SF_CTR_SynRecvCurrent); i++) {
		h_advance(h, 60000);
		while (h_pending(h)) {
			last = h_next(h);
			if (last.flags == (SF_TCP_SYN | SF_TCP_ACK))
				synacks++;
		}
	}
	assert_int_equal(synacks, 10);
	assert_int_equal(last.flags, SF_TCP_RST | SF_TCP_ACK);
	assert_int_equal(last.seq, iss + 1);
	assert_int_equal(last.ack, 301);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	h_free(h);
}

/* Like Linux's tcp_abort_on_overflow: the final ACK that finds the
 * accept queue full is answered with RST and the embryo is dropped. */
static void test_abort_on_overflow_resets(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_abort_on_overflow);
	int l = h_listen(h, LPORT, 1);

	uint32_t iss_a = syn_from(h, 40001, LPORT, 1000);
	uint32_t iss_b = syn_from(h, 40002, LPORT, 2000);
	ack_from(h, 40001, LPORT, 1000, iss_a);
	h_expect_none(h);

	ack_from(h, 40002, LPORT, 2000, iss_b);
	struct sf_segment rst = h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss_b + 1, 2001);
	assert_int_equal(rst.dport, 40002);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenDrops), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_OVERFLOW), 1);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_CLOSED));

	/* The record is gone: no SYN,ACK retransmission, and a later ACK
	 * reaches the listener, which resets it (§3.10.7.2). */
	h_advance(h, 2000);
	h_expect_none(h);
	ack_from(h, 40002, LPORT, 2000, iss_b);
	h_expect(h, SF_TCP_RST, iss_b + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_LISTEN_ACK), 1);
	accept_from(h, l, 40001);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_free(h);
}

/* With syn_backlog embryos held, a new SYN is dropped unanswered
 * (TCPReqQFullDrop, ListenDrops, SYN_QUEUE_FULL); room returns as embryos
 * complete. The limit is per listener. */
static void test_syn_backlog_full_drops_syn(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_syn_backlog2);
	int l = h_listen(h, LPORT, 8);

	uint32_t iss_a = syn_from(h, 40001, LPORT, 1000);
	syn_from(h, 40002, LPORT, 2000);
	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQFullDrop), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenDrops), 1);
	assert_int_equal(h_counter(h, SF_CTR_ListenOverflows), 0);
	assert_int_equal(h_drops(h, SF_DROP_SYN_QUEUE_FULL), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);

	/* Another listener has its own SYN queue. */
	h_listen(h, 81, 8);
	syn_from(h, 40003, 81, 3000);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 3);

	/* A completes: its slot in port 80's SYN queue frees up. */
	ack_from(h, 40001, LPORT, 1000, iss_a);
	h_expect_none(h);
	syn_from(h, 40004, LPORT, 4000);
	syn_ignored(h, 40005, LPORT, 5000);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQFullDrop), 2);
	accept_from(h, l, 40001);
	h_free(h);
}

/* RFC 4987 §3.4 (syn_queue_recycle): a SYN that finds the SYN queue full
 * takes the oldest unanswered embryo's place: the new one is answered, the
 * old one is gone (its late ACK meets the listener and is reset), counted
 * as TCPReqQRecycled and AttemptFails, not as a drop. */
static void test_syn_queue_recycle_replaces_oldest(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_syn_backlog2_recycle);
	int l = h_listen(h, LPORT, 8);

	uint32_t iss_a = syn_from(h, 40001, LPORT, 1000);
	uint32_t iss_b = syn_from(h, 40002, LPORT, 2000);
	uint32_t iss_c = syn_from(h, 40003, LPORT, 3000); /* answered: A's slot */
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQRecycled), 1);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQFullDrop), 0);
	assert_int_equal(h_counter(h, SF_CTR_ListenDrops), 0);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);

	/* A's ACK finds no embryo: the listener answers <SEQ=SEG.ACK><CTL=RST>. */
	ack_from(h, 40001, LPORT, 1000, iss_a);
	h_expect(h, SF_TCP_RST, iss_a + 1, 0);
	ack_from(h, 40002, LPORT, 2000, iss_b);
	h_expect_none(h);
	ack_from(h, 40003, LPORT, 3000, iss_c);
	h_expect_none(h);
	accept_from(h, l, 40002);
	accept_from(h, l, 40003);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_free(h);
}

/* Only the first few (4) embryos of each retry level are candidates: when
 * they belong to another listener the new SYN is dropped as without the
 * option; and an embryo whose handshake completed (waiting for accept room)
 * is never recycled. */
static void test_syn_queue_recycle_only_own_unanswered(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_syn_backlog2_recycle);
	h_listen(h, LPORT, 8);
	h_listen(h, 81, 8);
	h_listen(h, 82, 8);

	/* The four oldest embryos, all of other listeners (two each, their
	 * SYN queues full). */
	for (uint16_t i = 0; i < 4; i++)
		syn_from(h, (uint16_t)(40010 + i), (uint16_t)(81 + i / 2), 9000);
	h_advance(h, 10);
	syn_from(h, 40001, LPORT, 1000);
	syn_from(h, 40002, LPORT, 2000);
	syn_ignored(h, 40003, LPORT, 3000);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQRecycled), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQFullDrop), 1);
	assert_int_equal(h_drops(h, SF_DROP_SYN_QUEUE_FULL), 1);
	h_free(h);

	/* Accept queue of 2, SYN queue of 2: C's handshake completes while
	 * the accept queue is full, so C stays an embryo marked ACKED. */
	h = h_new(4, cfg_syn_backlog2_recycle);
	int l = h_listen(h, LPORT, 2);
	uint32_t iss_c = syn_from(h, 40003, LPORT, 3000);
	complete_from(h, 40001, LPORT, 1000);
	complete_from(h, 40002, LPORT, 2000);
	ack_from(h, 40003, LPORT, 3000, iss_c);
	h_expect_none(h);
	accept_from(h, l, 40001);
	uint32_t iss_d = syn_from(h, 40004, LPORT, 4000);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	/* E takes the place of D, the oldest unanswered one, not of C. */
	syn_from(h, 40005, LPORT, 5000);
	assert_int_equal(h_counter(h, SF_CTR_TCPReqQRecycled), 1);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	ack_from(h, 40004, LPORT, 4000, iss_d);
	h_expect(h, SF_TCP_RST, iss_d + 1, 0);
	/* C is still there: its SYN,ACK timer finds room and queues it. */
	h_advance(h, 1100);
	accept_from(h, l, 40002);
	accept_from(h, l, 40003);
	h_free(h);
}

/* RFC 9293 §3.10.4 (CLOSE in LISTEN): closing a listener resets
 * the connections waiting in its accept queue, <SEQ=SND.NXT><ACK=RCV.NXT>
 * <CTL=RST,ACK>, and they are gone. */
static void test_close_listener_resets_accept_queue(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, LPORT, 8);

	uint32_t iss_a = complete_from(h, 40001, LPORT, 1000);
	uint32_t iss_b = syn_from(h, 40002, LPORT, 2000);
	ack_from(h, 40002, LPORT, 2000, iss_b);
	/* B has sent data that nobody read yet: the RST ACKs it. */
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 2001, .ack = iss_b + 1, .text = "abc");
	h_expect(h, SF_TCP_ACK, iss_b + 1, 2004);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 2);

	assert_int_equal(h_count_states(h, SF_LISTEN, SF_CLOSED), 0);
	assert_int_equal(sf_close(h->st, l), 0);
	/* The listener's own end is traced, as its listen() was. */
	assert_int_equal(h_count_states(h, SF_CLOSED, SF_LISTEN), 1);
	assert_int_equal(h_count_states(h, SF_LISTEN, SF_CLOSED), 1);
	struct sf_segment r1 = h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss_a + 1, 1001);
	assert_int_equal(r1.dport, 40001);
	struct sf_segment r2 = h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss_b + 1, 2004);
	assert_int_equal(r2.dport, 40002);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 2);
	assert_int_equal(sf_accept(h->st, l, NULL), -EBADF);
	assert_int_equal(sf_state(h->st, l), -EBADF);

	/* Gone: the peer's next segment finds no connection (§3.10.7.1). */
	h->peer_port = 40001;
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = 1001, .ack = iss_a + 1);
	h_expect(h, SF_TCP_RST, iss_a + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	/* And no timer of theirs fires later. */
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_free(h);
}

/* RFC 9293 §3.10.7.1: an embryo whose listener was closed dies
 * when its ACK comes (answered with <SEQ=SEG.ACK><CTL=RST>). Until then the
 * listener's handle stays reserved: with max_sockets 8, new sockets get the
 * 7 other handles, never l; once the embryo is gone, l is the one left. */
static void test_close_listener_embryo_ack_gets_rst(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_max_sockets8);
	int l = h_listen(h, LPORT, 8);
	int got = 0;

	uint32_t iss = syn_from(h, 40001, LPORT, 1000);
	assert_int_equal(sf_close(h->st, l), 0);
	h_expect_none(h); /* the embryo hears nothing until it speaks */
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	assert_int_equal(sf_state(h->st, l), -EBADF);

	for (;;) {
		int s = sf_socket(h->st, SF_AF_INET);
		if (s < 0) {
			assert_int_equal(s, -EMFILE);
			break;
		}
		assert_int_not_equal(s, l);
		got++;
	}
	assert_int_equal(got, 7);

	ack_from(h, 40001, LPORT, 1000, iss);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_drops(h, SF_DROP_LISTENER_GONE), 1);
	assert_int_equal(h_counter(h, SF_CTR_PassiveOpens), 0);

	/* The handle is free again; the embryo's timer is gone with it. */
	assert_int_equal(sf_socket(h->st, SF_AF_INET), l);
	assert_int_equal(sf_socket(h->st, SF_AF_INET), -EMFILE);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_advance(h, 5000);
	h_expect_none(h);

	/* A later segment on that 4-tuple finds no connection. */
	ack_from(h, 40001, LPORT, 1000, iss);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	h_free(h);
}

/* An embryo of a closed listener is also dropped by its own timer,
 * without a SYN,ACK retransmission, and that frees the listener's handle. */
static void test_close_listener_embryo_timer_drops(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_max_sockets2);
	int l = h_listen(h, LPORT, 8);

	uint32_t iss = syn_from(h, 40001, LPORT, 1000);
	syn_from(h, 40002, LPORT, 2000);
	assert_int_equal(sf_close(h->st, l), 0);
	int s1 = sf_socket(h->st, SF_AF_INET);
	assert_true(s1 >= 0);
	assert_int_equal(sf_socket(h->st, SF_AF_INET), -EMFILE);

	h_advance(h, 999);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 2);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPSynRetrans), 0);
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 2);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);

	assert_true(sf_socket(h->st, SF_AF_INET) >= 0);
	/* Nothing is left of the embryo: its ACK finds no connection. */
	ack_from(h, 40001, LPORT, 1000, iss);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	h_free(h);
}

/* A listener closed and a new one opened on the port while an embryo of the
 * old one lives: the peer's retransmitted SYN goes to the new listener (the
 * old embryo is dropped), as on Linux, instead of drawing a RST. */
static void test_new_listener_takes_over_embryo_peer(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l1 = h_listen(h, 80, 4);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100);
	h_next(h);
	assert_int_equal(sf_close(h->st, l1), 0);
	int l2 = h_listen(h, 80, 4);
	assert_true(l2 != l1); /* the old handle is still reserved by the embryo */
	h_accept_opt(h, l2, 80, 100, NULL, NULL);
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_accept_queue_drops_syn),
		cmocka_unit_test(test_backlog_at_least_one),
		cmocka_unit_test(test_somaxconn_caps_backlog),
		cmocka_unit_test(test_listen_again_resizes),
		cmocka_unit_test(test_final_ack_on_full_queue_keeps_embryo),
		cmocka_unit_test(test_acked_embryo_queued_by_its_timer),
		cmocka_unit_test(test_acked_embryo_given_up_with_rst),
		cmocka_unit_test(test_abort_on_overflow_resets),
		cmocka_unit_test(test_syn_queue_recycle_replaces_oldest),
		cmocka_unit_test(test_syn_queue_recycle_only_own_unanswered),
		cmocka_unit_test(test_syn_backlog_full_drops_syn),
		cmocka_unit_test(test_close_listener_resets_accept_queue),
		cmocka_unit_test(test_close_listener_embryo_ack_gets_rst),
		cmocka_unit_test(test_close_listener_embryo_timer_drops),
		cmocka_unit_test(test_new_listener_takes_over_embryo_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
