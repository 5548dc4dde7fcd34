/* SPEC 13.8 "no connection is lost": an embryo whose final ACK found the
 * accept queue full is remembered as complete and queued by its own timer
 * once there is room; if room never comes, its peer is told with a RST. */
#include <errno.h>
#include <string.h>

#include "harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acked_embryo_queued_by_its_timer),
		cmocka_unit_test(test_acked_embryo_given_up_with_rst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
