/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Urgent data (RFC 9293 §3.8.5, §3.10.7.4 sixth step; RFC 6093): the
 * receiving side, then the sending one (sf_send_flags with SF_MSG_OOB). The urgent pointer names the octet after the urgent data
 * (MUST-62), urgent data may be of any length (MUST-31), the application is
 * told when a pointer arrives or advances (MUST-32) and can ask how much
 * urgent data remains (MUST-33). Urgent bytes stay in the stream (inline).
 *
 * Each test accepts a connection on port 80 from the peer (ISN 100), so the
 * peer's first byte is 101.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

#define PEER_ISN 100u
#define P (PEER_ISN + 1)

/*
 * MUST-62, MUST-32, MUST-33: "abcdef" with URG and SEG.UP 6 makes all six
 * bytes urgent, 'f' the last. The socket reports SF_EV_URGENT, six bytes of
 * urgent data remain, and a read stops short of 'f' (as Linux does inline):
 * then 'f' is at the mark (1 left) and the next read takes it; urgent mode
 * is over and SF_EV_URGENT is gone.
 */
static void test_urgent_pointer_reported_and_read_inline(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[64];

	(void)h_events(h, c);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG | SF_TCP_PSH, .seq = P, .ack = iss + 1,
	       .text = "abcdef", .urgent = 6);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 6);
	assert_true(h_events(h, c) & SF_EV_URGENT);
	assert_int_equal(sf_urgent_left(h->st, c), 6);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 5);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(sf_urgent_left(h->st, c), 1);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 1);
	assert_int_equal(buf[0], 'f');
	assert_int_equal(sf_urgent_left(h->st, c), 0);

	/* Normal data afterwards is read in full, and no urgent event comes. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P + 6, .ack = iss + 1, .text = "ghij");
	assert_false(h_events(h, c) & SF_EV_URGENT);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 4);
	h_free(h);
}

/*
 * MUST-32: the application is told again when the pointer advances; a
 * pointer that would recede, or one at data already read, changes nothing
 * (§3.8.5: the pointer cannot recede; a receiver must be robust to it).
 */
static void test_urgent_pointer_advances_never_recedes(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[64];

	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P, .ack = iss + 1, .text = "0123", .urgent = 2);
	assert_true(h_events(h, c) & SF_EV_URGENT);
	assert_int_equal(sf_urgent_left(h->st, c), 2);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P + 4, .ack = iss + 1, .text = "4567", .urgent = 3);
	assert_true(h_events(h, c) & SF_EV_URGENT);
	assert_int_equal(sf_urgent_left(h->st, c), 7); /* up to and including '6' */
	/* A retransmission whose pointer lies behind the current one: ignored, no new event. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P, .ack = iss + 1, .text = "0123", .urgent = 1);
	assert_int_equal(sf_urgent_left(h->st, c), 7);
	assert_false(h_events(h, c) & SF_EV_URGENT);
	h_drain(h);
	h_free(h);

	/* A pointer at data already read is no urgent data at all. */
	h = h_new(4, NULL);
	c = h_established(h, 80, PEER_ISN, &iss);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1, .text = "0123");
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 4);
	(void)h_events(h, c);
	/* A retransmission of those bytes, now with URG pointing inside them. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P, .ack = iss + 1, .text = "0123", .urgent = 2);
	assert_int_equal(sf_urgent_left(h->st, c), 0);
	assert_false(h_events(h, c) & SF_EV_URGENT);
	/* URG with SEG.UP 0 points at SEG.SEQ itself: nothing urgent. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P + 4, .ack = iss + 1, .text = "45");
	assert_int_equal(sf_urgent_left(h->st, c), 0);
	h_free(h);
}

/* MUST-31: urgent data of any length: a pointer beyond what has arrived counts the urgent bytes still to come. */
static void test_urgent_data_longer_than_segment(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);
	char buf[64];

	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P, .ack = iss + 1, .text = "xyz", .urgent = 3000);
	assert_int_equal(sf_urgent_left(h->st, c), 3000);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 3); /* all that is there; the mark is far ahead */
	assert_int_equal(sf_urgent_left(h->st, c), 2997);
	h_free(h);
}

/* MUST-66: with our receive window at zero, the URG of a segment at RCV.NXT is still taken (its text is not). */
static void test_urgent_at_zero_window(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = { .family = SF_AF_INET }, .port = 80 };
	uint32_t iss;
	static char fill[1024];

	assert_int_equal(sf_set_bufsizes(h->st, l, 65536, 1024), 0);
	assert_int_equal(sf_bind(h->st, l, &local), 0);
	assert_int_equal(sf_listen(h->st, l, 4), 0);
	int c = h_accept_new(h, l, 80, PEER_ISN, &iss);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1, .data = fill, .len = sizeof fill);
	struct sf_segment a = h_next(h);
	assert_int_equal(a.window, 0);
	h_drain(h);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P + 1024, .ack = iss + 1, .text = "!", .urgent = 1);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 1024);
	assert_int_equal(sf_urgent_left(h->st, c), 1024 + 1);
	h_free(h);
}

/* §3.10.7.4 sixth step: in CLOSE-WAIT (after the peer's FIN) URG is ignored. */
static void test_urgent_ignored_after_fin(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = P, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 1);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_URG, .seq = P + 1, .ack = iss + 1, .urgent = 5);
	assert_int_equal(sf_urgent_left(h->st, c), 0);
	h_free(h);
}

/* sf_urgent_left's arguments. */
static void test_urgent_left_arguments(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int l = h_listen(h, 80, 4);
	int s = sf_socket(h->st, SF_AF_INET);

	assert_int_equal(sf_urgent_left(NULL, s), -EINVAL);
	assert_int_equal(sf_urgent_left(h->st, 4242), -EBADF);
	assert_int_equal(sf_urgent_left(h->st, -1), -EBADF);
	assert_int_equal(sf_urgent_left(h->st, l), -ENOTCONN);
	assert_int_equal(sf_urgent_left(h->st, s), 0);
	h_free(h);
}

/* MUST-30, MUST-62: urgent data sent: URG with the pointer at the octet after the last urgent byte. */
static void test_send_urgent_marks_segment(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send_flags(h->st, c, "abc", 3, SF_MSG_OOB), 3);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH | SF_TCP_URG, iss + 1, P);
	assert_int_equal(d.payload_len, 3);
	assert_int_equal(d.urgent, 3);
	/* Once the peer has it all, urgent mode is over: ordinary data carries no URG. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 4);
	assert_int_equal(sf_send(h->st, c, "de", 2), 2);
	d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 4, P);
	assert_int_equal(d.urgent, 0);
	h_free(h);
}

/*
 * Urgent data goes at once, past Nagle (as Linux's tcp_nagle_test), and
 * until it is acknowledged every segment we send that starts before the
 * pointer carries it, relative to its own sequence number.
 */
static void test_send_urgent_past_nagle_and_on_every_segment(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, "0123456789", 10), 10);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, P);
	/* Unacknowledged data is out: Nagle would hold a short segment. */
	assert_int_equal(sf_send(h->st, c, "x", 1), 1);
	h_expect_none(h);
	assert_int_equal(sf_send_flags(h->st, c, "!", 1, SF_MSG_OOB), 1);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH | SF_TCP_URG, iss + 11, P);
	assert_int_equal(d.payload_len, 2); /* "x!" */
	assert_int_equal(d.urgent, 2);
	/* A bare ACK starts at SND.UP itself: nothing urgent lies ahead of it, no URG. */
	h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P, .ack = iss + 11, .text = "hi");
	struct sf_segment a = h_next(h);
	assert_int_equal(a.flags, SF_TCP_ACK);
	assert_int_equal(a.seq, iss + 13);
	/* The retransmission of the unacknowledged "x!" carries the pointer again. */
	h_advance(h, 3000);
	struct sf_segment r = h_expect(h, SF_TCP_ACK | SF_TCP_PSH | SF_TCP_URG, iss + 11, P + 2);
	assert_int_equal(r.urgent, 2);
	h_free(h);
}

/* Urgent data longer than 65535 bytes (MUST-31): the pointer is sent as 65535 until it comes within reach. */
static void test_send_urgent_pointer_beyond_field(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int l = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint local = { .addr = { .family = SF_AF_INET }, .port = 80 };
	static char big[100000];

	assert_int_equal(sf_set_bufsizes(h->st, l, 200000, 0), 0);
	assert_int_equal(sf_bind(h->st, l, &local), 0);
	assert_int_equal(sf_listen(h->st, l, 4), 0);
	int c = h_accept_new(h, l, 80, PEER_ISN, &iss);
	assert_int_equal(sf_send_flags(h->st, c, big, sizeof big, SF_MSG_OOB), (long)sizeof big);
	struct sf_segment d = h_next(h);
	assert_true(d.flags & SF_TCP_URG);
	assert_int_equal(d.seq, iss + 1);
	assert_int_equal(d.urgent, 0xffff);
	h_drain(h);
	h_free(h);
}

/* sf_send_flags' arguments: an unknown flag, or urgent data of no bytes (§3.8.5: at least one octet). */
static void test_send_flags_arguments(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, 80, PEER_ISN, &iss);

	assert_int_equal(sf_send_flags(h->st, c, "a", 1, 0x100), -EINVAL);
	assert_int_equal(sf_send_flags(h->st, c, "a", 0, SF_MSG_OOB), -EINVAL);
	assert_int_equal(sf_send_flags(h->st, c, "a", 1, SF_MSG_PEEK), -EINVAL);
	assert_int_equal(sf_send_flags(h->st, 4242, "a", 1, SF_MSG_OOB), -EBADF);
	assert_int_equal(sf_send_flags(h->st, c, "a", 1, 0), 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urgent_pointer_reported_and_read_inline),
		cmocka_unit_test(test_urgent_pointer_advances_never_recedes),
		cmocka_unit_test(test_urgent_data_longer_than_segment),
		cmocka_unit_test(test_urgent_at_zero_window),
		cmocka_unit_test(test_urgent_ignored_after_fin),
		cmocka_unit_test(test_urgent_left_arguments),
		cmocka_unit_test(test_send_urgent_marks_segment),
		cmocka_unit_test(test_send_urgent_past_nagle_and_on_every_segment),
		cmocka_unit_test(test_send_urgent_pointer_beyond_field),
		cmocka_unit_test(test_send_flags_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
