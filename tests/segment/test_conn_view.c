/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The operator's view: sf_conn_list walks every record the stack holds, as
 * `ss -tan` lists a host's sockets (listeners with their SYN and accept
 * queues, connections with their queues and next timer, embryos and
 * TIME-WAIT records), and sf_conn_info reports one connection as Linux's
 * TCP_INFO does (RTT estimators of RFC 6298, windows, MSS, the options the
 * SYNs agreed on, retransmissions, octets acknowledged and received).
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PORT 80
#define PEER_ISN 5000u
#define P (PEER_ISN + 1)

struct seen {
	struct sf_conn conn[16];
	int n;
	int stop_after; /* 0: never */
};

static int collect(void *ctx, const struct sf_conn *c)
{
	struct seen *s = ctx;
	assert_true(s->n < 16);
	s->conn[s->n++] = *c;
	return s->stop_after && s->n >= s->stop_after;
}

static const struct sf_conn *find(const struct seen *s, enum sf_conn_kind kind, enum sf_tcp_state state,
				  uint16_t rport)
{
	for (int i = 0; i < s->n; i++)
		if (s->conn[i].kind == kind && s->conn[i].state == state && s->conn[i].remote.port == rport)
			return &s->conn[i];
	fail_msg("no %d record in %s from port %u", kind, sf_state_name(state), rport);
	return NULL;
}

/* Every kind of record, each listed once with what ss would show for it. */
static void test_list_every_record(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	uint8_t data[100] = {0};

	int l = h_listen(h, PORT, 8);
	int idle = sf_socket(h->st, SF_AF_INET);
	/* An established connection holding 100 unread octets. */
	h->peer_port = 40001;
	int est = h_accept_new(h, l, PORT, PEER_ISN, &iss);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P, .ack = iss + 1, .data = data, .len = 100);
	h_drain(h);
	/* An embryo: the peer's SYN answered, its ACK not yet come. */
	h->peer_port = 40002;
	h_syn_in(h, PORT, PEER_ISN, NULL);
	/* A connection we closed first, now a TIME-WAIT record. */
	h->peer_port = 40004;
	int tw = h_accept_new(h, l, PORT, PEER_ISN, &iss);
	h_drain(h);
	h_close_to_time_wait(h, tw, PORT, iss, P);
	/* A connection in the accept queue, not accepted. */
	h->peer_port = 40003;
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = sa.seq + 1);

	struct seen s = {0};
	assert_int_equal(sf_conn_list(h->st, collect, &s), 6);
	assert_int_equal(s.n, 6);

	/* Sockets first, in handle order. */
	assert_int_equal(s.conn[0].kind, SF_CONN_SOCKET);
	assert_int_equal(s.conn[0].sock, l);
	assert_int_equal(s.conn[0].state, SF_LISTEN);
	assert_int_equal(s.conn[0].local.port, PORT);
	assert_int_equal(s.conn[0].recv_q, 1);   /* the accept queue */
	assert_int_equal(s.conn[0].send_q, 8);   /* the backlog */
	assert_int_equal(s.conn[0].syn_queue, 1);
	assert_false(s.conn[0].timer_on);
	assert_int_equal(s.conn[1].sock, idle);
	assert_int_equal(s.conn[1].state, SF_CLOSED);

	const struct sf_conn *c = find(&s, SF_CONN_SOCKET, SF_ESTABLISHED, 40001);
	assert_int_equal(c->sock, est);
	assert_int_equal(c->listener, -1);
	assert_int_equal(c->recv_q, 100);
	assert_int_equal(c->send_q, 0);
	assert_false(c->orphan);

	c = find(&s, SF_CONN_SOCKET, SF_ESTABLISHED, 40003);
	assert_int_equal(c->sock, -1); /* no handle until sf_accept */
	assert_int_equal(c->listener, l);
	assert_false(c->orphan);

	/* Then the embryos, with the SYN,ACK timer (RFC 6298: the initial RTO). */
	c = find(&s, SF_CONN_EMBRYO, SF_SYN_RECEIVED, 40002);
	assert_int_equal(s.conn[4].kind, SF_CONN_EMBRYO);
	assert_int_equal(c->sock, -1);
	assert_int_equal(c->listener, l);
	assert_int_equal(c->local.port, PORT);
	assert_true(c->timer_on);
	assert_int_equal(c->timer, SF_TIMER_SYNACK);
	assert_true(c->timer_expires_ns > sf_now(h->st));
	assert_true(c->timer_expires_ns <= sf_now(h->st) + (uint64_t)h->cfg.rto_initial_ms * 1000000u);
	assert_int_equal(c->retransmits, 0);

	/* Then TIME-WAIT, 2MSL to go. */
	c = find(&s, SF_CONN_TIME_WAIT, SF_TIME_WAIT, 40004);
	assert_int_equal(s.conn[5].kind, SF_CONN_TIME_WAIT);
	assert_int_equal(c->sock, -1);
	assert_true(c->timer_on);
	assert_int_equal(c->timer, SF_TIMER_TIME_WAIT);
	assert_true(c->timer_expires_ns > sf_now(h->st) + (uint64_t)h->cfg.msl_ms * 1000000u);

	/* After a SYN,ACK retransmission the embryo shows it. */
	h_advance(h, h->cfg.rto_initial_ms);
	h_drain(h);
	s = (struct seen){0};
	sf_conn_list(h->st, collect, &s);
	assert_int_equal(find(&s, SF_CONN_EMBRYO, SF_SYN_RECEIVED, 40002)->retransmits, 1);
	h_free(h);
}

/* A connection the application closed is still listed, marked an orphan,
 * with the data it still owes and its retransmission timer. */
static void test_list_orphan(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	uint8_t data[300] = {0};
	int c = h_established(h, PORT, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, data, sizeof data), (long)sizeof data);
	assert_int_equal(sf_close(h->st, c), 0);
	h_drain(h);
	struct seen s = {0};
	sf_conn_list(h->st, collect, &s);
	const struct sf_conn *o = find(&s, SF_CONN_SOCKET, SF_FIN_WAIT_1, h->peer_port);
	assert_int_equal(o->sock, -1);
	assert_true(o->orphan);
	assert_int_equal(o->send_q, 301); /* the data and the FIN (SIOCOUTQ) */
	assert_true(o->timer_on);
	assert_int_equal(o->timer, SF_TIMER_RETRANSMIT);
	h_free(h);
}

/* The walk stops when the callback says so, and obeys the re-entry rule. */
static int close_from_walk(void *ctx, const struct sf_conn *c)
{
	sf_stack *st = ctx;
	assert_int_equal(sf_close(st, c->sock), -EBUSY);
	assert_int_equal(sf_conn_list(st, close_from_walk, st), -EBUSY);
	assert_int_equal(sf_state(st, c->sock), (int)c->state); /* reading is allowed */
	return 0;
}

static void test_list_stop_and_reentry(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	int l = h_listen(h, PORT, 8);
	h_accept_new(h, l, PORT, PEER_ISN, &iss);
	struct seen s = {.stop_after = 1};
	assert_int_equal(sf_conn_list(h->st, collect, &s), 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(sf_conn_list(h->st, NULL, NULL), -EINVAL);
	assert_int_equal(sf_conn_list(NULL, collect, &s), -EINVAL);
	s = (struct seen){.stop_after = 1};
	assert_int_equal(sf_conn_list(h->st, close_from_walk, h->st), 2);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	assert_int_equal(sf_close(h->st, l), 0); /* the walk left the stack usable */
	h_free(h);
}

static struct sf_conn_info info_of(struct harness *h, int sock)
{
	struct sf_conn_info info;
	memset(&info, 0xa5, sizeof info);
	assert_int_equal(sf_conn_info(h->st, sock, &info, sizeof info), 0);
	return info;
}

/* What the SYNs agreed and what the data did: as Linux's TCP_INFO. */
static void test_info_of_a_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options opt = {.has_mss = 1, .mss = 1460, .has_wscale = 1, .wscale = 3,
				     .sack_permitted = 1, .has_timestamp = 1, .ts_val = 100};
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &opt);
	iss = sa.seq;
	struct sf_tcp_options ts = {.has_timestamp = 1, .ts_val = 101, .ts_ecr = sa.opt.ts_val};
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1, .window = 1000, .opt = &ts);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);

	struct sf_conn_info info = info_of(h, c);
	assert_int_equal(info.state, SF_ESTABLISHED);
	assert_int_equal(info.options, SF_CONN_OPT_TIMESTAMPS | SF_CONN_OPT_SACK | SF_CONN_OPT_WSCALE);
	assert_int_equal(info.snd_wscale, 3);
	assert_int_equal(info.rcv_wscale, h_tcb(h, c)->rcv_wscale);
	assert_int_equal(info.snd_mss, 1448); /* 1460 less the timestamp option (RFC 7323, RFC 6691) */
	assert_int_equal(info.peer_mss, 1460);
	assert_int_equal(info.rcv_mss, 1460);
	assert_int_equal(info.pmtu, 1500);
	assert_int_equal(info.rto_us, h_tcb(h, c)->rto_ms * 1000u);
	assert_int_equal(info.snd_cwnd, h_tcb(h, c)->cwnd);
	assert_int_equal(info.unacked, 0);
	assert_int_equal(info.total_retrans, 0);
	assert_int_equal(info.backlog, 0);
	assert_int_equal(info.bytes_acked, 0);
	assert_int_equal(info.bytes_received, 0);

	/* 1000 octets out, lost once (the RTO resends them), then acknowledged. */
	static uint8_t data[1000];
	assert_int_equal(sf_set_nodelay(h->st, c, 1), 0);
	assert_int_equal(sf_send(h->st, c, data, sizeof data), 1000);
	struct sf_segment d = h_next(h);
	assert_int_equal(d.payload_len, 1000);
	assert_int_equal(info_of(h, c).unacked, 1000);
	uint32_t rto_us = info_of(h, c).rto_us;
	h_advance(h, rto_us / 1000);
	d = h_next(h);
	assert_int_equal(d.payload_len, 1000);
	info = info_of(h, c);
	assert_int_equal(info.retransmits, 1);
	assert_int_equal(info.total_retrans, 1);
	assert_int_equal(info.rto_us, 2 * rto_us); /* backed off (RFC 6298 §5.5) */
	h_advance(h, 30); /* the round trip */
	ts = (struct sf_tcp_options){.has_timestamp = 1, .ts_val = 200, .ts_ecr = d.opt.ts_val};
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1001, .window = 1000, .opt = &ts);
	/* And 500 octets in. */
	static uint8_t in[500];
	ts.ts_val = 201;
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P, .ack = iss + 1001, .window = 1000,
	       .data = in, .len = sizeof in, .opt = &ts);
	h_drain(h);
	info = info_of(h, c);
	assert_int_equal(info.unacked, 0);
	assert_int_equal(info.retransmits, 0);
	assert_int_equal(info.total_retrans, 1);
	assert_int_equal(info.bytes_acked, 1000);
	assert_int_equal(info.bytes_received, 500);
	assert_true(info.rtt_us > 0); /* the timestamp echo timed it (RFC 7323 §4.1) */
	assert_int_equal(info.rtt_us, h_tcb(h, c)->srtt_us);
	assert_int_equal(info.rttvar_us, h_tcb(h, c)->rttvar_us);
	assert_int_equal(info.snd_wnd, 1000u << 3);
	h_free(h);
}

/* A handshake whose SYN,ACK was retransmitted counts it in the connection. */
static void test_info_counts_synack_retransmission(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 8);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);

	h_advance(h, h->cfg.rto_initial_ms);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, sa.seq, P);
	int c = h_complete(h, l, PORT, PEER_ISN, sa.seq, 65535, NULL);
	assert_int_equal(info_of(h, c).total_retrans, 1);
	h_free(h);
}

/* A listener reports its queues; an unconnected socket CLOSED; sizes and errors. */
static void test_info_listener_sizes_and_errors(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, PORT, 5);
	h_syn_in(h, PORT, PEER_ISN, NULL);

	struct sf_conn_info info = info_of(h, l);
	assert_int_equal(info.state, SF_LISTEN);
	assert_int_equal(info.backlog, 5);
	assert_int_equal(info.syn_queue, 1);
	assert_int_equal(info.accept_queue, 0);
	int s = sf_socket(h->st, SF_AF_INET6);
	assert_int_equal(info_of(h, s).state, SF_CLOSED);

	/* An older program's smaller struct gets its prefix; a newer one's larger
	 * struct gets zeros beyond this library's. */
	uint8_t small[sizeof(enum sf_tcp_state)];
	assert_int_equal(sf_conn_info(h->st, l, (struct sf_conn_info *)(void *)small, sizeof small), 0);
	assert_memory_equal(small, &info, sizeof small);
	struct {
		struct sf_conn_info info;
		uint8_t later[32];
	} big;
	memset(&big, 0xa5, sizeof big);
	assert_int_equal(sf_conn_info(h->st, l, &big.info, sizeof big), 0);
	assert_int_equal(big.info.backlog, 5);
	for (size_t i = 0; i < sizeof big.later; i++)
		assert_int_equal(big.later[i], 0);

	assert_int_equal(sf_conn_info(h->st, l, &info, 0), -EINVAL);
	assert_int_equal(sf_conn_info(h->st, l, NULL, sizeof info), -EINVAL);
	assert_int_equal(sf_conn_info(h->st, 999, &info, sizeof info), -EBADF);
	assert_int_equal(sf_conn_info(h->st, -1, &info, sizeof info), -EBADF);
	assert_int_equal(sf_conn_info(NULL, l, &info, sizeof info), -EINVAL);
	h_free(h);
}

/* A path faster than the timestamp clock's millisecond: every echo times 0,
 * and SRTT must still say a sample was taken (0 means none), as it did over
 * a TUN device against the kernel, where the RTT is some microseconds. */
static void test_rtt_below_a_millisecond(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int l = h_listen(h, PORT, 8);
	struct sf_tcp_options syn = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 100 };
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &syn);
	iss = sa.seq;
	struct sf_tcp_options ack = { .has_timestamp = 1, .ts_val = 100, .ts_ecr = sa.opt.ts_val };
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1, .opt = &ack);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	uint8_t byte = 'x';
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(sf_send(h->st, c, &byte, 1), 1);
		struct sf_segment d = h_next(h);
		struct sf_tcp_options ts = { .has_timestamp = 1, .ts_val = 101 + i, .ts_ecr = d.opt.ts_val };
		h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 2 + i, .opt = &ts);
		assert_int_equal(info_of(h, c).bytes_acked, i + 1);
		assert_true(info_of(h, c).rtt_us > 0);
	}
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_every_record),
		cmocka_unit_test(test_list_orphan),
		cmocka_unit_test(test_list_stop_and_reentry),
		cmocka_unit_test(test_info_of_a_connection),
		cmocka_unit_test(test_rtt_below_a_millisecond),
		cmocka_unit_test(test_info_counts_synack_retransmission),
		cmocka_unit_test(test_info_listener_sizes_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
