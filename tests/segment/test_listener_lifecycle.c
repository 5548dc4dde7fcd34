/* Passive opens: the handshake's RTT sample, a listener replaced while an
 * embryo of the old one lives, and API calls on a NULL stack. */
#include <errno.h>
#include <string.h>

#include "harness.h"

/* RFC 6298 §2.2, §3: the SYN,ACK -> ACK exchange is the first RTT sample of a
 * passive open: 300 ms gives SRTT 300, RTTVAR 150, RTO 900 ms. */
static void test_passive_handshake_rtt_sample(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100, .opt = &opt);
	struct sf_segment sa = h_next(h);
	h_advance(h, 300);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_advance(h, 899);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_free(h);
}

/* RFC 6298 §5.7: the SYN,ACK was retransmitted, so no sample: data starts at 3 s. */
static void test_passive_handshake_retransmitted_rto_3s(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 100);
	struct sf_segment sa = h_next(h);
	h_advance(h, 1000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, sa.seq, 101);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = 101, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
	h_advance(h, 2999);
	h_expect_none(h);
	h_advance(h, 1);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, sa.seq + 1, 101);
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

/* RFC 2525 §2.17 (as Linux): close() that throws away received data resets
 * the connection even in LAST-ACK. */
static void test_close_unread_in_last_ack_resets(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	uint32_t iss;
	int c = h_accept_new(h, l, 80, 100, &iss);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH | SF_TCP_FIN, .seq = 101, .ack = iss + 1,
	       .text = "data");
	h_expect(h, SF_TCP_ACK, iss + 1, 106);
	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0); /* CLOSE-WAIT -> LAST-ACK, data unread */
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, 106);
	assert_int_equal(sf_state(h->st, c), SF_LAST_ACK);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 2, 106);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnClose), 1);
	h_free(h);
}

/* Every socket call on a NULL stack is -EINVAL; other pointer-returning calls give NULL or 0. */
static void test_null_stack(void **state)
{
	(void)state;
	struct sf_endpoint ep = { .addr = sf_addr_v4(192, 0, 2, 1), .port = 1 };
	char b[4];
	struct sf_event ev;
	assert_int_equal(sf_socket(NULL, SF_AF_INET), -EINVAL);
	assert_int_equal(sf_bind(NULL, 0, &ep), -EINVAL);
	assert_int_equal(sf_listen(NULL, 0, 1), -EINVAL);
	assert_int_equal(sf_accept(NULL, 0, NULL), -EINVAL);
	assert_int_equal(sf_connect(NULL, 0, &ep), -EINVAL);
	assert_int_equal(sf_send(NULL, 0, b, 1), -EINVAL);
	assert_int_equal(sf_recv(NULL, 0, b, 1), -EINVAL);
	assert_int_equal(sf_shutdown(NULL, 0, SF_SHUT_WR), -EINVAL);
	assert_int_equal(sf_close(NULL, 0), -EINVAL);
	assert_int_equal(sf_abort(NULL, 0), -EINVAL);
	assert_int_equal(sf_getsockname(NULL, 0, &ep), -EINVAL);
	assert_int_equal(sf_getpeername(NULL, 0, &ep), -EINVAL);
	assert_int_equal(sf_state(NULL, 0), -EINVAL);
	assert_int_equal(sf_take_error(NULL, 0), -EINVAL);
	assert_int_equal(sf_set_linger(NULL, 0, 1, 0), -EINVAL);
	assert_int_equal(sf_set_reuseaddr(NULL, 0, 1), -EINVAL);
	assert_int_equal(sf_set_maxseg(NULL, 0, 1000), -EINVAL);
	assert_int_equal(sf_set_keepalive(NULL, 0, 1, 0, 0, 0), -EINVAL);
	assert_int_equal(sf_set_bufsizes(NULL, 0, 4096, 4096), -EINVAL);
	assert_int_equal(sf_poll_events(NULL, &ev, 1), 0);
	assert_null(sf_stack_counters(NULL));
	assert_int_equal(sf_now(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passive_handshake_rtt_sample),
		cmocka_unit_test(test_passive_handshake_retransmitted_rto_3s),
		cmocka_unit_test(test_new_listener_takes_over_embryo_peer),
		cmocka_unit_test(test_close_unread_in_last_ack_resets),
		cmocka_unit_test(test_null_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
