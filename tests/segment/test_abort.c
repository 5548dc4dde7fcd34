/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Abortive ends (RFC 9293 §3.10.4, §3.10.5; RFC 2525 §2.17; SHLD-3) and the
 * API's argument and state errors (negative errno, as Linux; never a crash).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "harness.h"

#define LPORT 80
#define PEER_ISN 100u

/* The peer sends len bytes at RCV.NXT = seq; the stack ACKs them. */
static void peer_data(struct harness *h, uint32_t seq, uint32_t iss_ack, const char *data, uint32_t len)
{
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = seq, .ack = iss_ack, .data = data,
	       .len = len);
	h_expect(h, SF_TCP_ACK, iss_ack, seq + len);
}

/* The connection is gone: the peer's next ACK reaches the listener (or
 * nothing, for an active open) and gets <SEQ=SEG.ACK><CTL=RST> (RFC 9293
 * §3.10.7.2, §3.10.7.1), counted under why. */
static void peer_finds_nothing(struct harness *h, uint32_t seq, uint32_t ack, enum sf_drop_reason why)
{
	uint64_t before = h_drops(h, why);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = seq, .ack = ack);
	h_expect(h, SF_TCP_RST, ack, 0);
	h_expect_none(h);
	assert_int_equal(h_drops(h, why), before + 1);
}

static void cfg_max_sockets3(struct sf_config *cfg)
{
	cfg->max_sockets = 3;
}

/* ---- abort paths ---- */

/* RFC 2525 §2.17, RFC 9293 SHLD-3: close() with received data unread sends
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, not a FIN (TCPAbortOnClose). */
static void test_close_with_unread_data_resets(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	peer_data(h, PEER_ISN + 1, iss + 1, "data", 4);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 1, PEER_ISN + 5);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnClose), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnLinger), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnUser), 0);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_true(h_saw_state(h, SF_ESTABLISHED, SF_CLOSED));
	assert_int_equal(sf_state(h->st, c), -EBADF);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	peer_finds_nothing(h, PEER_ISN + 5, iss + 1, SF_DROP_LISTEN_ACK);
	h_free(h);
}

/* RFC 2525 §2.17: the same in CLOSE-WAIT, where text and the peer's FIN wait
 * unread; and, for contrast, data that was read leaves an orderly FIN. */
static void test_close_wait_unread_resets_read_closes(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH | SF_TCP_FIN, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .text = "xy");
	h_expect(h, SF_TCP_ACK, iss + 1, PEER_ISN + 4);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 1, PEER_ISN + 4);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnClose), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	h_free(h);

	h = h_new(4, NULL);
	c = h_established(h, LPORT, PEER_ISN, &iss);
	peer_data(h, PEER_ISN + 1, iss + 1, "data", 4);
	char buf[8];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 4);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 5);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnClose), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
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

/* RFC 9293 §3.10.5, SO_LINGER {1,0}: close() aborts: RST at SND.NXT (past the
 * unacknowledged data), TCPAbortOnLinger. A non-zero linger closes normally. */
static void test_linger_zero_close_resets(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	assert_int_equal(sf_send(h->st, c, "abc", 3), 3);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	assert_int_equal(sf_set_linger(h->st, c, 1, 0), 0);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 4, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnLinger), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnClose), 0);
	assert_int_equal(sf_state(h->st, c), -EBADF);
	/* No retransmission of the data that was outstanding. */
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	peer_finds_nothing(h, PEER_ISN + 1, iss + 4, SF_DROP_LISTEN_ACK);
	h_free(h);

	h = h_new(4, NULL);
	c = h_established(h, LPORT, PEER_ISN, &iss);
	assert_int_equal(sf_set_linger(h->st, c, 1, 5), 0);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnLinger), 0);
	h_free(h);
}

/* RFC 9293 §3.10.4 SYN-SENT: close() deletes the TCB and sends nothing; the
 * SYN is not retransmitted, and a late SYN,ACK finds no connection. */
static void test_close_in_syn_sent_silent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5555, 8888, &iss);

	assert_int_equal(sf_close(h->st, s), 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), -EBADF);
	assert_true(h_saw_state(h, SF_SYN_SENT, SF_CLOSED));
	h_advance(h, 10000);
	h_expect_none(h);
	h_send(h, .lport = 5555, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = 9000, .ack = iss + 1);
	h_expect(h, SF_TCP_RST, iss + 1, 0);
	assert_int_equal(h_drops(h, SF_DROP_NO_CONNECTION), 1);
	h_free(h);
}

/* RFC 9293 §3.10.5 ABORT in ESTABLISHED: <SEQ=SND.NXT><CTL=RST> (with ACK),
 * TCPAbortOnUser; the handle is invalid afterwards. */
static void test_abort_established(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	assert_int_equal(sf_abort(h->st, c), 0);
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnUser), 1);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 1);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_int_equal(sf_state(h->st, c), -EBADF);
	assert_int_equal(sf_send(h->st, c, "x", 1), -EBADF);
	assert_int_equal(sf_abort(h->st, c), -EBADF);
	assert_int_equal(sf_close(h->st, c), -EBADF);
	peer_finds_nothing(h, PEER_ISN + 1, iss + 1, SF_DROP_LISTEN_ACK);
	h_free(h);
}

/* RFC 9293 §3.10.5 ABORT in SYN-SENT: nothing to reset, so no segment. */
static void test_abort_syn_sent_silent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	int s = h_connect(h, 0, 8888, NULL);

	assert_int_equal(sf_abort(h->st, s), 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnUser), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutRsts), 0);
	assert_int_equal(sf_state(h->st, s), -EBADF);
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	h_free(h);
}

/* RFC 9293 SHLD-3, RFC 2525 §2.17: data arriving after the application
 * closed (orphan in FIN-WAIT-1) cannot be delivered: RST, TCPAbortOnData. */
static void test_data_after_close_fin_wait_1(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 1,
	       .text = "late");
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 2, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnData), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_int_equal(h_counter(h, SF_CTR_CurrEstab), 0);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_CLOSED));
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	peer_finds_nothing(h, PEER_ISN + 5, iss + 2, SF_DROP_LISTEN_ACK);
	h_free(h);
}

/* The same in FIN-WAIT-2 (our FIN ACKed, the peer keeps sending). */
static void test_data_after_close_fin_wait_2(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK, .seq = PEER_ISN + 1, .ack = iss + 2);
	h_expect_none(h);
	assert_true(h_saw_state(h, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	h_send(h, .lport = LPORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = PEER_ISN + 1, .ack = iss + 2,
	       .text = "late");
	h_expect(h, SF_TCP_RST | SF_TCP_ACK, iss + 2, PEER_ISN + 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_TCPAbortOnData), 1);
	assert_int_equal(h_counter(h, SF_CTR_TCPOrphans), 0);
	assert_true(h_saw_state(h, SF_FIN_WAIT_2, SF_CLOSED));
	/* The fin_timeout timer went with the connection. */
	assert_int_equal(sf_next_deadline(h->st), UINT64_MAX);
	assert_int_equal(h_counter(h, SF_CTR_TCPFinWait2Timeouts), 0);
	peer_finds_nothing(h, PEER_ISN + 5, iss + 2, SF_DROP_LISTEN_ACK);
	h_free(h);
}

/* RFC 9293 §3.10.7.4 second, SYN-RECEIVED reached by an active OPEN
 * (simultaneous open, §3.5 Figure 7): a RST means "connection refused". */
static void test_simultaneous_open_rst_refused(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 7777, 8888, &iss);

	h_send(h, .lport = 7777, .flags = SF_TCP_SYN, .seq = 5000);
	h_expect(h, SF_TCP_SYN | SF_TCP_ACK, iss, 5001);
	assert_int_equal(sf_state(h->st, s), SF_SYN_RECEIVED);
	h_send(h, .lport = 7777, .flags = SF_TCP_RST, .seq = 5001);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_true(h_saw_state(h, SF_SYN_RECEIVED, SF_CLOSED));
	assert_int_equal(h_counter(h, SF_CTR_AttemptFails), 1);
	assert_int_equal(h_counter(h, SF_CTR_EstabResets), 0);
	assert_int_equal(sf_take_error(h->st, s), -ECONNREFUSED);
	assert_int_equal(sf_take_error(h->st, s), 0);
	/* Nothing retransmits for a refused connection. */
	h_advance(h, 10000);
	h_expect_none(h);
	assert_int_equal(sf_close(h->st, s), 0);
	h_free(h);
}

/* ---- API argument and state errors ---- */

/* Every call on handle s reports -EBADF (valid pointers everywhere). */
static void all_calls_ebadf(struct harness *h, int s)
{
	struct sf_endpoint ep = { .addr = h->peer, .port = 80 };
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 0 };
	char buf[4];

	assert_int_equal(sf_bind(h->st, s, &any), -EBADF);
	assert_int_equal(sf_listen(h->st, s, 8), -EBADF);
	assert_int_equal(sf_accept(h->st, s, &ep), -EBADF);
	assert_int_equal(sf_connect(h->st, s, &ep), -EBADF);
	assert_int_equal(sf_send(h->st, s, "x", 1), -EBADF);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -EBADF);
	assert_int_equal(sf_shutdown(h->st, s, SF_SHUT_WR), -EBADF);
	assert_int_equal(sf_getsockname(h->st, s, &ep), -EBADF);
	assert_int_equal(sf_getpeername(h->st, s, &ep), -EBADF);
	assert_int_equal(sf_state(h->st, s), -EBADF);
	assert_int_equal(sf_take_error(h->st, s), -EBADF);
	assert_int_equal(sf_set_linger(h->st, s, 1, 0), -EBADF);
	assert_int_equal(sf_set_reuseaddr(h->st, s, 1), -EBADF);
	assert_int_equal(sf_set_maxseg(h->st, s, 1000), -EBADF);
	assert_int_equal(sf_set_keepalive(h->st, s, 1, 0, 0, 0), -EBADF);
	assert_int_equal(sf_set_bufsizes(h->st, s, 4096, 4096), -EBADF);
	assert_int_equal(sf_recv_flags(h->st, s, buf, sizeof buf, SF_MSG_PEEK), -EBADF);
	assert_int_equal(sf_get_maxseg(h->st, s), -EBADF);
	assert_int_equal(sf_get_bufsizes(h->st, s, &(uint32_t){ 0 }, &(uint32_t){ 0 }), -EBADF);
	assert_int_equal(sf_queued(h->st, s, &(struct sf_queue_info){ 0 }), -EBADF);
	assert_int_equal(sf_poll(h->st, s), -EBADF);
	assert_int_equal(sf_abort(h->st, s), -EBADF);
	assert_int_equal(sf_close(h->st, s), -EBADF);
}

/* API: a bad handle is -EBADF in every call: negative, huge, never issued,
 * closed, and closed handles whose connection or listener lingers inside
 * (an orphan in FIN-WAIT-1, a listener kept for its embryo). */
static void test_bad_handles_ebadf(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	all_calls_ebadf(h, -1);
	all_calls_ebadf(h, INT_MIN);
	all_calls_ebadf(h, INT_MAX);
	all_calls_ebadf(h, 0); /* nothing issued yet */

	int l = h_listen(h, LPORT, 8);
	int c = h_accept_new(h, l, LPORT, PEER_ISN, &iss);
	assert_int_equal(sf_close(h->st, c), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	int s = sf_socket(h->st, SF_AF_INET);
	assert_true(s >= 0);
	assert_int_equal(sf_close(h->st, s), 0);
	all_calls_ebadf(h, s);  /* closed, its slot free */
	all_calls_ebadf(h, c);  /* closed, its connection still in FIN-WAIT-1 */
	all_calls_ebadf(h, s + 1000);

	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	h->peer_port = 40001;
	h_syn_in(h, LPORT, 7000, &opt);
	assert_int_equal(sf_close(h->st, l), 0);
	all_calls_ebadf(h, l);  /* closed listener, kept for its embryo */
	h_expect_none(h);       /* none of those calls sent anything */
	assert_int_equal(h_counter(h, SF_CTR_SynRecvCurrent), 1);
	h_free(h);
}

/* API: NULL where a pointer is required is -EINVAL (a NULL buffer with
 * length 0 is fine); NULL optional outputs are allowed. */
static void test_null_pointers_einval(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr a;
	uint32_t iss;

	assert_int_equal(sf_socket(NULL, SF_AF_INET), -EINVAL);
	assert_null(sf_stack_new(NULL, 0));
	assert_int_equal(sf_addr_parse(NULL, &a), -EINVAL);
	assert_int_equal(sf_addr_parse("192.0.2.9", NULL), -EINVAL);
	assert_int_equal(sf_stack_add_address(h->st, NULL, 1500), -EINVAL);

	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_bind(h->st, s, NULL), -EINVAL);
	assert_int_equal(sf_connect(h->st, s, NULL), -EINVAL);
	assert_int_equal(sf_send(h->st, s, NULL, 5), -EINVAL);
	assert_int_equal(sf_recv(h->st, s, NULL, 5), -EINVAL);
	assert_int_equal(sf_getsockname(h->st, s, NULL), -EINVAL);
	assert_int_equal(sf_getpeername(h->st, s, NULL), -EINVAL);
	assert_int_equal(sf_poll_events(h->st, NULL, 4), 0);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED); /* none of it changed the socket */

	int c = h_established(h, LPORT, PEER_ISN, &iss);
	assert_int_equal(sf_send(h->st, c, NULL, 5), -EINVAL);
	assert_int_equal(sf_recv(h->st, c, NULL, 5), -EINVAL);
	assert_int_equal(sf_send(h->st, c, NULL, 0), 0);
	assert_int_equal(sf_recv(h->st, c, NULL, 0), 0);
	assert_int_equal(sf_getpeername(h->st, c, NULL), -EINVAL);
	h_expect_none(h);
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
	assert_int_equal(sf_recv_flags(NULL, 0, b, 1, SF_MSG_PEEK), -EINVAL);
	assert_int_equal(sf_get_maxseg(NULL, 0), -EINVAL);
	assert_int_equal(sf_get_bufsizes(NULL, 0, &(uint32_t){ 0 }, NULL), -EINVAL);
	assert_int_equal(sf_queued(NULL, 0, &(struct sf_queue_info){ 0 }), -EINVAL);
	assert_int_equal(sf_poll(NULL, 0), -EINVAL);
	assert_int_equal(sf_poll_events(NULL, &ev, 1), 0);
	assert_null(sf_stack_counters(NULL));
	assert_int_equal(sf_now(NULL), 0);
}

/* API (Linux bind(2)): a second bind is -EINVAL; a non-local address
 * -EADDRNOTAVAIL; another family -EAFNOSUPPORT; a port in use -EADDRINUSE,
 * unless both sockets set SO_REUSEADDR and neither listens. */
static void test_bind_errors(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_endpoint mine = { .addr = h->local, .port = 5000 };
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 5000 };
	struct sf_endpoint other = { .addr = sf_addr_v4(198, 51, 100, 7), .port = 5001 };
	struct sf_addr v6;
	assert_int_equal(sf_addr_parse("2001:db8::1", &v6), 0);
	struct sf_endpoint wrong = { .addr = v6, .port = 5002 };

	int s1 = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_bind(h->st, s1, &other), -EADDRNOTAVAIL);
	assert_int_equal(sf_bind(h->st, s1, &wrong), -EAFNOSUPPORT);
	assert_int_equal(sf_bind(h->st, s1, &mine), 0);
	assert_int_equal(sf_bind(h->st, s1, &mine), -EINVAL);
	struct sf_endpoint got;
	assert_int_equal(sf_getsockname(h->st, s1, &got), 0);
	assert_int_equal(got.port, 5000);

	int s2 = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_bind(h->st, s2, &mine), -EADDRINUSE);
	assert_int_equal(sf_bind(h->st, s2, &any), -EADDRINUSE); /* the wildcard overlaps */
	assert_int_equal(sf_set_reuseaddr(h->st, s2, 1), 0);
	assert_int_equal(sf_bind(h->st, s2, &mine), -EADDRINUSE); /* s1 has no SO_REUSEADDR */
	h_free(h);

	h = h_new(4, NULL);
	s1 = sf_socket(h->st, SF_AF_INET);
	s2 = sf_socket(h->st, SF_AF_INET);
	int s3 = sf_socket(h->st, SF_AF_INET);
	int s4 = sf_socket(h->st, SF_AF_INET);
	for (int s = s1; s <= s4; s++)
		assert_int_equal(sf_set_reuseaddr(h->st, s, 1), 0);
	assert_int_equal(sf_bind(h->st, s1, &mine), 0);
	assert_int_equal(sf_bind(h->st, s2, &any), 0);
	assert_int_equal(sf_bind(h->st, s3, &mine), 0);
	/* One of them listens: no one else may bind there now ... */
	assert_int_equal(sf_listen(h->st, s1, 8), 0);
	assert_int_equal(sf_bind(h->st, s4, &mine), -EADDRINUSE);
	/* ... nor listen on the same address beside it, as Linux's listen()
	 * says (EADDRINUSE): a SYN would have two listeners. */
	assert_int_equal(sf_listen(h->st, s3, 8), -EADDRINUSE);
	assert_int_equal(sf_state(h->st, s3), SF_CLOSED);
	/* Once the listener is gone the port can be shared again. */
	assert_int_equal(sf_close(h->st, s1), 0);
	assert_int_equal(sf_bind(h->st, s4, &mine), 0);
	assert_int_equal(sf_listen(h->st, s3, 8), 0);
	assert_int_equal(sf_listen(h->st, s4, 8), -EADDRINUSE);
	h_free(h);
}

/* API (Linux connect(2)): a second connect is -EALREADY while SYN-SENT and
 * -EISCONN once established (or on a listener); bind after connect -EINVAL. */
static void test_connect_twice(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_endpoint remote = { .addr = h->peer, .port = 8888 };
	uint32_t iss;
	int s = h_connect(h, 0, 8888, &iss);

	assert_int_equal(sf_connect(h->st, s, &remote), -EALREADY);
	h_expect_none(h); /* no second SYN */
	struct sf_endpoint local;
	assert_int_equal(sf_getsockname(h->st, s, &local), 0);
	assert_int_equal(sf_bind(h->st, s, &local), -EINVAL);

	h_synack_in(h, local.port, 9000, iss, 65535, NULL);
	assert_int_equal(sf_state(h->st, s), SF_ESTABLISHED);
	assert_int_equal(sf_connect(h->st, s, &remote), -EISCONN);
	h_expect_none(h);

	int l = h_listen(h, LPORT, 8);
	assert_int_equal(sf_connect(h->st, l, &remote), -EISCONN);
	assert_int_equal(sf_state(h->st, l), SF_LISTEN);
	h_free(h);
}

/* API: send/recv before connect -ENOTCONN; send after shutdown(SHUT_WR)
 * -EPIPE (and recv still works); recv on a listener -ENOTCONN; accept on a
 * socket that does not listen -EINVAL. */
static void test_send_recv_accept_state_errors(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	char buf[8];
	uint32_t iss;

	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_send(h->st, s, "x", 1), -ENOTCONN);
	assert_int_equal(sf_recv(h->st, s, buf, sizeof buf), -ENOTCONN);
	assert_int_equal(sf_shutdown(h->st, s, SF_SHUT_WR), -ENOTCONN);
	assert_int_equal(sf_accept(h->st, s, NULL), -EINVAL);
	h_expect_none(h);

	int c = h_established(h, LPORT, PEER_ISN, &iss);
	assert_int_equal(sf_accept(h->st, c, NULL), -EINVAL);
	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, PEER_ISN + 1);
	assert_int_equal(sf_send(h->st, c, "x", 1), -EPIPE);
	h_expect_none(h);
	peer_data(h, PEER_ISN + 1, iss + 2, "in", 2);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 2);

	int l = h_listen(h, 81, 8);
	assert_int_equal(sf_recv(h->st, l, buf, sizeof buf), -ENOTCONN);
	assert_int_equal(sf_accept(h->st, l, NULL), -EAGAIN);
	h_free(h);
}

/* API (Linux socket(2)): only SF_AF_INET and SF_AF_INET6 exist. */
static void test_socket_family(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);

	assert_int_equal(sf_socket(h->st, 5), -EAFNOSUPPORT);
	assert_int_equal(sf_socket(h->st, 0), -EAFNOSUPPORT);
	assert_int_equal(sf_socket(h->st, -4), -EAFNOSUPPORT);
	assert_true(sf_socket(h->st, SF_AF_INET6) >= 0);
	assert_true(sf_socket(h->st, SF_AF_INET) >= 0);
	h_free(h);
}

/* API: max_sockets handles at most (-EMFILE), and a closed one can be had again. */
static void test_max_sockets_emfile(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_max_sockets3);
	int s[3];

	for (int i = 0; i < 3; i++) {
		s[i] = sf_socket(h->st, SF_AF_INET);
		assert_true(s[i] >= 0);
	}
	assert_int_equal(sf_socket(h->st, SF_AF_INET), -EMFILE);
	assert_int_equal(sf_socket(h->st, SF_AF_INET6), -EMFILE);
	assert_int_equal(sf_close(h->st, s[1]), 0);
	int again = sf_socket(h->st, SF_AF_INET);
	assert_true(again >= 0);
	assert_int_equal(sf_socket(h->st, SF_AF_INET), -EMFILE);
	assert_int_equal(sf_state(h->st, s[0]), SF_CLOSED);
	assert_int_equal(sf_state(h->st, s[2]), SF_CLOSED);
	h_free(h);
}

/* API (Linux shutdown(2)): how outside SHUT_RD/WR/RDWR is -EINVAL, and
 * changes nothing. */
static void test_shutdown_bad_how(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, LPORT, PEER_ISN, &iss);

	assert_int_equal(sf_shutdown(h->st, c, 7), -EINVAL);
	assert_int_equal(sf_shutdown(h->st, c, -1), -EINVAL);
	assert_int_equal(sf_shutdown(h->st, c, 3), -EINVAL);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	assert_int_equal(sf_send(h->st, c, "ok", 2), 2);
	h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_with_unread_data_resets),
		cmocka_unit_test(test_close_wait_unread_resets_read_closes),
		cmocka_unit_test(test_close_unread_in_last_ack_resets),
		cmocka_unit_test(test_linger_zero_close_resets),
		cmocka_unit_test(test_close_in_syn_sent_silent),
		cmocka_unit_test(test_abort_established),
		cmocka_unit_test(test_abort_syn_sent_silent),
		cmocka_unit_test(test_data_after_close_fin_wait_1),
		cmocka_unit_test(test_data_after_close_fin_wait_2),
		cmocka_unit_test(test_simultaneous_open_rst_refused),
		cmocka_unit_test(test_bad_handles_ebadf),
		cmocka_unit_test(test_null_pointers_einval),
		cmocka_unit_test(test_null_stack),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_connect_twice),
		cmocka_unit_test(test_send_recv_accept_state_errors),
		cmocka_unit_test(test_socket_family),
		cmocka_unit_test(test_max_sockets_emfile),
		cmocka_unit_test(test_shutdown_bad_how),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
