/* SPEC 13.1: the three-way handshake both ways and the orderly close (RFC 9293 §3.5, §3.6). */
#include <errno.h>
#include <string.h>

#include "harness.h"

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

/* Passive close (SPEC 13.7): peer FIN ACKed at once, CLOSE-WAIT, recv 0; close -> LAST-ACK. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_open),
		cmocka_unit_test(test_passive_open),
		cmocka_unit_test(test_active_close),
		cmocka_unit_test(test_passive_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
