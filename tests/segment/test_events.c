/* SPDX-License-Identifier: BSD-2-Clause */
/* Readiness events (epoll-like), counters by name, and the trace hook. */
#include <errno.h>
#include <string.h>

#include "harness.h"

/* A listener is reported accept-ready (and readable, as poll(2) says) once a
 * handshake completes; the accepted socket is writable and connected; data
 * makes it readable; FIN makes it readable with end of stream. */
static void test_passive_events(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	assert_int_equal(h_events(h, l), 0);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(h_events(h, l), 0); /* embryonic: nothing to accept yet */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = sa.seq + 1);
	assert_int_equal(h_events(h, l), SF_EV_ACCEPT | SF_EV_READABLE);
	/* Edge-triggered: nothing new, nothing reported. */
	assert_int_equal(h_events(h, l), 0);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(h_events(h, c), SF_EV_WRITABLE | SF_EV_CONNECTED);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = 101, .ack = sa.seq + 1, .text = "abc");
	h_expect(h, SF_TCP_ACK, sa.seq + 1, 104);
	assert_true(h_events(h, c) & SF_EV_READABLE);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 3);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), -EAGAIN);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = 104, .ack = sa.seq + 1);
	assert_true(h_events(h, c) & SF_EV_READABLE);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	h_free(h);
}

/* An active open reports CONNECTED on SYN,ACK, and ERROR with the refusal on RST. */
static void test_active_events(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	assert_int_equal(h_events(h, s), 0);
	h_synack_in(h, 5000, 900, iss, 65535, NULL);
	assert_int_equal(h_events(h, s), SF_EV_WRITABLE | SF_EV_CONNECTED);

	int t = h_connect(h, 5001, 81, &iss);
	h_send(h, .lport = 5001, .flags = SF_TCP_RST | SF_TCP_ACK, .seq = 0, .ack = iss + 1);
	uint32_t ev = h_events(h, t);
	assert_true(ev & SF_EV_ERROR);
	assert_true(ev & SF_EV_HUP);
	assert_int_equal(sf_take_error(h->st, t), -ECONNREFUSED);
	assert_int_equal(sf_take_error(h->st, t), 0);
	h_free(h);
}

/* Events can be taken a few at a time, in the order they arose. */
static void test_events_in_order_and_bounded(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 8);
	int c[3];
	for (int i = 0; i < 3; i++) {
		h->peer_port = (uint16_t)(41000 + i);
		c[i] = h_accept_new(h, l, 80, 1000u * (unsigned)i, NULL);
	}
	struct sf_event ev[2];
	/* Each accepted socket was queued once, in order; the listener was
	 * queued too but has nothing left to accept, so it is not reported
	 * (readiness is read when events are taken). */
	int n = sf_poll_events(h->st, ev, 2);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].sock, c[0]);
	assert_int_equal(ev[1].sock, c[1]);
	n = sf_poll_events(h->st, ev, 2);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].sock, c[2]);
	/* A completed handshake nobody accepted: the listener is accept-ready. */
	h->peer_port = 41010;
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 5000, .opt = &opt);
	struct sf_segment sa = h_next(h);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 5001, .ack = sa.seq + 1);
	n = sf_poll_events(h->st, ev, 2);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].sock, l);
	assert_int_equal(ev[0].events, SF_EV_ACCEPT | SF_EV_READABLE);
	assert_int_equal(sf_poll_events(h->st, ev, 2), 0);
	assert_int_equal(sf_poll_events(h->st, NULL, 2), 0);
	assert_int_equal(sf_poll_events(NULL, ev, 2), 0);
	h_free(h);
}

/* Counters are reachable by name and by field, and agree. */
static void test_counter_names(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	h_send(h, .lport = 9, .flags = SF_TCP_SYN, .seq = 1, .window = 1000); /* closed port: RST */
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, 0, 2);
	const struct sf_counters *c = sf_stack_counters(h->st);
	assert_string_equal(sf_counter_name(SF_CTR_OutRsts), "OutRsts");
	assert_string_equal(sf_counter_name(SF_CTR_ListenOverflows), "ListenOverflows");
	assert_string_equal(sf_counter_name((enum sf_counter_id)SF_CTR__COUNT), "?");
	assert_int_equal(c->OutRsts, 1);
	assert_int_equal(sf_counter_value(c, SF_CTR_OutRsts), 1);
	assert_int_equal(sf_counter_value(c, SF_CTR_InSegs), 1);
	assert_int_equal(c->drops[SF_DROP_NO_CONNECTION], 1);
	assert_int_equal(c->InDrops, 1);
	h_free(h);
}

/* The trace reports segments in and out with their fields, state changes with
 * their causes, timers, drops and negative advice. */
struct trace_log {
	int in, out, states, timers, drops, advice, path_mtu;
	enum sf_cause first_cause;
	uint32_t out_seq;
};

static void log_trace(void *ctx, const struct sf_trace_event *ev)
{
	struct trace_log *t = ctx;
	switch (ev->kind) {
	case SF_TRACE_SEGMENT_IN:
		t->in++;
		break;
	case SF_TRACE_SEGMENT_OUT:
		if (!t->out++)
			t->out_seq = ev->seg->seq;
		break;
	case SF_TRACE_STATE:
		if (!t->states++)
			t->first_cause = ev->cause;
		break;
	case SF_TRACE_TIMER:
		t->timers++;
		break;
	case SF_TRACE_DROP:
		t->drops++;
		break;
	case SF_TRACE_NEGATIVE_ADVICE:
		t->advice++;
		break;
	case SF_TRACE_PATH_MTU:
		t->path_mtu++;
		break;
	}
}

static void test_trace_hook(void **state)
{
	(void)state;
	struct trace_log log = { 0 };
	struct harness *h = h_new(4, NULL);
	/* Swap the harness's trace for ours on a fresh stack with the same output. */
	struct sf_config cfg = h->cfg;
	cfg.trace = log_trace;
	cfg.trace_ctx = &log;
	sf_stack_free(h->st);
	h->st = sf_stack_new(&cfg, h->now);
	assert_int_equal(sf_stack_add_address(h->st, &h->local, 1500), 0);

	uint32_t iss;
	h_connect(h, 5000, 80, &iss);
	assert_int_equal(log.out, 1);
	assert_int_equal(log.out_seq, iss);
	assert_int_equal(log.states, 1);
	assert_int_equal(log.first_cause, SF_CAUSE_CONNECT);
	assert_string_equal(sf_cause_text(log.first_cause), "connect()");
	assert_string_equal(sf_cause_name(log.first_cause), "CONNECT");
	assert_string_equal(sf_cause_text(SF_CAUSE__COUNT), "?");
	assert_string_equal(sf_cause_name((enum sf_cause)-1), "?");
	h_advance(h, 1000); /* SYN retransmission timer */
	assert_int_equal(log.timers, 1);
	assert_int_equal(log.out, 2);
	h_send(h, .lport = 5000, .flags = SF_TCP_ACK, .seq = 1, .ack = 12345, .window = 100); /* bad ACK in SYN-SENT */
	assert_int_equal(log.in, 1);
	assert_int_equal(log.drops, 1);
	assert_int_equal(log.advice, 0);
	h_advance(h, 2000 + 4000 + 8000); /* SYN retransmissions 2, 3 and 4: R1 (3) passed at the 4th */
	assert_int_equal(log.timers, 4);
	assert_int_equal(log.advice, 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passive_events),
		cmocka_unit_test(test_active_events),
		cmocka_unit_test(test_events_in_order_and_bounded),
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test(test_trace_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
