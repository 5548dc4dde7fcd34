/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The re-entry rule of synfin.h: from inside the output or trace callback,
 * the calls that change the stack fail with -EBUSY (sf_input's datagram is
 * dropped as CALLED_FROM_CALLBACK; sf_advance, the batch calls and
 * sf_stack_free do nothing), while the calls that only read still answer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "synfin.h"

struct probe {
	sf_stack *st;
	int sock;
	int calls;            /* callbacks seen */
	int busy;             /* changing calls that returned -EBUSY */
	int answered;         /* reading calls that answered as outside */
	uint8_t last[2048];   /* the output callback's datagram, copied: the buffer is the stack's */
	size_t last_len;
};

static void try_everything(struct probe *p)
{
	sf_stack *st = p->st;
	struct sf_endpoint ep = { .addr = sf_addr_v4(192, 0, 2, 2), .port = 80 };
	struct sf_event ev[4];
	char buf[8] = "x";
	const long rc[] = {
		sf_socket(st, SF_AF_INET),
		sf_bind(st, p->sock, &ep),
		sf_listen(st, p->sock, 4),
		sf_accept(st, p->sock, NULL),
		sf_connect(st, p->sock, &ep),
		sf_send(st, p->sock, buf, 1),
		sf_recv(st, p->sock, buf, sizeof buf),
		sf_recv_flags(st, p->sock, buf, sizeof buf, SF_MSG_PEEK),
		sf_shutdown(st, p->sock, SF_SHUT_WR),
		sf_close(st, p->sock),
		sf_abort(st, p->sock),
		sf_take_error(st, p->sock),
		sf_set_nodelay(st, p->sock, 1),
		sf_set_linger(st, p->sock, 1, 0),
		sf_set_maxseg(st, p->sock, 1000),
		sf_set_bufsizes(st, p->sock, 4096, 4096),
		sf_poll_events(st, ev, 4),
		sf_stack_add_address(st, &ep.addr, 1500),
		sf_stack_set_prefix(st, &ep.addr, 24),
		sf_set_ttl(st, p->sock, 9),
		sf_set_tclass(st, p->sock, 0x20),
		sf_send_flags(st, p->sock, buf, 1, SF_MSG_OOB),
	};
	for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++)
		if (rc[i] == -EBUSY)
			p->busy++;
		else
			fail_msg("changing call %zu answered %ld inside a callback", i, rc[i]);
	/* Feeding the stack from inside is dropped with its reason. */
	uint64_t before = sf_stack_counters(st)->drops[SF_DROP_CALLED_FROM_CALLBACK];
	sf_input(st, sf_now(st), p->last, p->last_len);
	assert_int_equal(sf_stack_counters(st)->drops[SF_DROP_CALLED_FROM_CALLBACK], before + 1);
	sf_input_begin(st);
	sf_input_end(st);
	sf_advance(st, sf_now(st) + 10000000000ull);
	sf_stack_free(st); /* ignored: the stack is mid-call */
	/* Reading is allowed. */
	struct sf_endpoint local;
	struct sf_queue_info q;
	uint32_t sndbuf = 0;
	if (sf_state(st, p->sock) == SF_SYN_SENT && sf_getsockname(st, p->sock, &local) == 0 &&
	    sf_stack_counters(st) != NULL && sf_now(st) == 1000000000ull && sf_get_maxseg(st, p->sock) == 536 &&
	    sf_get_bufsizes(st, p->sock, &sndbuf, NULL) == 0 && sndbuf == 65536 &&
	    sf_queued(st, p->sock, &q) == 0 && q.unacked == 0 && sf_poll(st, p->sock) == 0)
		p->answered++;
}

static void on_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct probe *p = ctx;
	p->calls++;
	memcpy(p->last, dgram, len < sizeof p->last ? len : sizeof p->last);
	p->last_len = len;
	try_everything(p);
}

static void on_trace(void *ctx, const struct sf_trace_event *ev)
{
	struct probe *p = ctx;
	if (ev->kind != SF_TRACE_STATE)
		return;
	p->calls++;
	try_everything(p);
}

static sf_stack *probe_stack(struct probe *p, int with_trace)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	memcpy(cfg.secret, "callback rules..", 16);
	cfg.output = on_output;
	cfg.output_ctx = p;
	if (with_trace) {
		cfg.trace = on_trace;
		cfg.trace_ctx = p;
	}
	sf_stack *st = sf_stack_new(&cfg, 1000000000ull);
	assert_non_null(st);
	struct sf_addr a = sf_addr_v4(192, 0, 2, 1);
	assert_int_equal(sf_stack_add_address(st, &a, 1500), 0);
	p->st = st;
	p->sock = sf_socket(st, SF_AF_INET);
	assert_true(p->sock >= 0);
	return st;
}

/* connect() sends a SYN: the output callback runs inside sf_connect, tries
 * every call, and the connection is unharmed: one SYN, SYN-SENT, and the
 * stack still works once the callback has returned. */
static void test_output_callback_cannot_reenter(void **state)
{
	(void)state;
	struct probe p = { 0 };
	sf_stack *st = probe_stack(&p, 0);
	struct sf_endpoint peer = { .addr = sf_addr_v4(192, 0, 2, 2), .port = 80 };
	p.sock = sf_socket(st, SF_AF_INET);
	assert_int_equal(sf_connect(st, p.sock, &peer), -EINPROGRESS);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.busy, 22);
	assert_int_equal(p.answered, 1);
	assert_int_equal(sf_state(st, p.sock), SF_SYN_SENT);
	assert_int_equal(sf_stack_counters(st)->OutSegs, 1);
	/* Outside the callback the same calls work again. */
	assert_int_equal(sf_set_nodelay(st, p.sock, 1), 0);
	assert_true(sf_socket(st, SF_AF_INET) >= 0);
	sf_stack_free(st);
}

/* The trace callback is held to the same rule (CLOSED -> SYN-SENT is traced
 * before the SYN leaves). */
static void test_trace_callback_cannot_reenter(void **state)
{
	(void)state;
	struct probe p = { 0 };
	sf_stack *st = probe_stack(&p, 1);
	struct sf_endpoint peer = { .addr = sf_addr_v4(192, 0, 2, 2), .port = 80 };
	p.sock = sf_socket(st, SF_AF_INET);
	assert_int_equal(sf_connect(st, p.sock, &peer), -EINPROGRESS);
	assert_int_equal(p.calls, 2); /* the state change and the SYN */
	assert_int_equal(p.busy, 44);
	assert_int_equal(sf_state(st, p.sock), SF_SYN_SENT);
	sf_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_callback_cannot_reenter),
		cmocka_unit_test(test_trace_callback_cannot_reenter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
