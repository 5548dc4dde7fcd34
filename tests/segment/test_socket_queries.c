/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket queries and the options that may change on a connection, with
 * Linux's answers as the reference: TCP_MAXSEG read and set after connect;
 * the queues (SIOCINQ, SIOCOUTQ, SIOCOUTQNSD); SO_SNDBUF / SO_RCVBUF read,
 * set one at a time and changed on a connection (RFC 9293 §3.8.6.2: the
 * window's right edge never moves left); MSG_PEEK; level-triggered
 * readiness beside the edge-triggered events; and each call's errors.
 *
 * synfin is the passive side unless said: the scripted peer connects with MSS
 * 1460 and no other option. P is the peer's first data byte.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 5000u
#define P (PEER_ISN + 1)
#define PORT 80

static uint8_t pattern[1u << 16];

static void fill_pattern(void)
{
	uint32_t x = 0x2545f491u;
	for (size_t i = 0; i < sizeof pattern; i++) {
		x = x * 1664525u + 1013904223u;
		pattern[i] = (uint8_t)(x >> 24);
	}
}

/* A listener on PORT with receive buffer rcvbuf (0: the default), the peer's
 * passive open accepted: ESTABLISHED, nothing else sent; *iss is our ISN. */
static int accept_with_rcvbuf(struct harness *h, uint32_t rcvbuf, uint32_t *iss)
{
	int l = sf_socket(h->st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = PORT };

	fill_pattern();
	assert_true(l >= 0);
	assert_int_equal(sf_set_bufsizes(h->st, l, 0, rcvbuf), 0);
	assert_int_equal(sf_bind(h->st, l, &any), 0);
	assert_int_equal(sf_listen(h->st, l, 8), 0);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, &(struct sf_tcp_options){ .has_mss = 1, .mss = 1460 });
	assert_int_equal(sa.window, rcvbuf ? rcvbuf : 65535);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = sa.seq + 1);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	h_expect_none(h);
	*iss = sa.seq;
	return c;
}

/* The peer sends pattern[off, off + n) and we ACK it at once (the first 16
 * segments of a connection are ACKed at once) with window win. */
static void data_acked(struct harness *h, uint32_t iss, uint32_t off, uint32_t n, uint16_t win)
{
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + off, .ack = iss + 1, .data = pattern + off, .len = n);
	struct sf_segment a = h_expect(h, SF_TCP_ACK, iss + 1, P + off + n);
	assert_int_equal(a.payload_len, 0);
	assert_int_equal(a.window, win);
}

/* Read exactly n bytes, which must be pattern[off, off + n). */
static void read_exact(struct harness *h, int c, uint32_t off, uint32_t n)
{
	static uint8_t buf[sizeof pattern];
	assert_int_equal(sf_recv(h->st, c, buf, n), (long)n);
	assert_memory_equal(buf, pattern + off, n);
}

/* Our next segment carries pattern[off, off + n) at iss + 1 + off. */
static void expect_data(struct harness *h, uint32_t iss, uint32_t off, uint32_t n)
{
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1 + off, P);
	assert_int_equal(d.payload_len, n);
	assert_memory_equal(d.payload, pattern + off, n);
}

static struct sf_queue_info queued(struct harness *h, int c)
{
	struct sf_queue_info q;
	memset(&q, 0xa5, sizeof q);
	assert_int_equal(sf_queued(h->st, c, &q), 0);
	return q;
}

static void expect_queued(struct harness *h, int c, uint32_t readable, uint32_t unacked, uint32_t unsent)
{
	struct sf_queue_info q = queued(h, c);
	assert_int_equal(q.readable, readable);
	assert_int_equal(q.unacked, unacked);
	assert_int_equal(q.unsent, unsent);
}

/* ---- TCP_MAXSEG ---- */

/* Linux's getsockopt TCP_MAXSEG before a connection: the value set, or 536;
 * on a listener likewise; once the peer's MSS is known, the MSS in use
 * (RFC 9293 §3.7.1, MUST-16: the smaller of the peer's and our interface's). */
static void test_maxseg_read(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;

	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_get_maxseg(h->st, s), 536);
	assert_int_equal(sf_set_maxseg(h->st, s, 1000), 0);
	assert_int_equal(sf_get_maxseg(h->st, s), 1000);
	int l = h_listen(h, PORT, 8);
	assert_int_equal(sf_get_maxseg(h->st, l), 536);
	assert_int_equal(sf_set_maxseg(h->st, l, 1200), 0);
	assert_int_equal(sf_get_maxseg(h->st, l), 1200);

	/* The peer's MSS 1000 below the listener's 1200 and our 1460: 1000. */
	int c = h_accept_opt(h, l, PORT, PEER_ISN, &(struct sf_tcp_options){ .has_mss = 1, .mss = 1000 }, &iss);
	assert_int_equal(sf_get_maxseg(h->st, c), 1000);
	/* Reset (CLOSED): the value set is reported again, as Linux does in CLOSE. */
	h_send(h, .lport = PORT, .flags = SF_TCP_RST, .seq = P);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	assert_int_equal(sf_get_maxseg(h->st, c), 1200);
	/* The listener's cap below the peer's 1460: 1200. */
	h->peer_port = 40001;
	int d = h_accept_new(h, l, PORT, PEER_ISN, &iss);
	assert_int_equal(sf_get_maxseg(h->st, d), 1200);
	h_expect_none(h);
	h_free(h);
}

/* With timestamps the option's 12 bytes come out of every segment (RFC 7323
 * §3.2, RFC 6691): the MSS in use is 1448 for the peer's 1460, and a cap of
 * 1000 set after the handshake leaves 988, as Linux reports it. */
static void test_maxseg_read_with_timestamps(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, PORT, &iss);

	assert_int_equal(sf_get_maxseg(h->st, s), 536); /* SYN-SENT: the peer's MSS not known yet */
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460, .has_timestamp = 1, .ts_val = 7 };
	h_synack_in(h, 5000, PEER_ISN, iss, 65535, &opt);
	assert_int_equal(sf_get_maxseg(h->st, s), 1448);
	assert_int_equal(sf_set_maxseg(h->st, s, 1000), 0);
	assert_int_equal(sf_get_maxseg(h->st, s), 1448); /* settled by the handshake, as Linux */
	h_expect_none(h);
	h_free(h);
}

/* TCP_MAXSEG on an established connection, as Linux: accepted (out of
 * 88..65495 it is -EINVAL), but the MSS the handshake settled stays: the
 * segments keep their size and the MSS read back is unchanged. */
static void test_maxseg_set_after_connect(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = accept_with_rcvbuf(h, 0, &iss);

	assert_int_equal(sf_set_nodelay(h->st, c, 1), 0);
	assert_int_equal(sf_set_maxseg(h->st, c, 87), -EINVAL);
	assert_int_equal(sf_set_maxseg(h->st, c, 65496), -EINVAL);
	assert_int_equal(sf_get_maxseg(h->st, c), 1460);
	assert_int_equal(sf_set_maxseg(h->st, c, 500), 0);
	assert_int_equal(sf_get_maxseg(h->st, c), 1460);
	h_expect_none(h);
	assert_int_equal(sf_send(h->st, c, pattern, 1200), 1200);
	expect_data(h, iss, 0, 1200);
	h_expect_none(h);
	h_free(h);
}

/* TCP_MAXSEG set in SYN-SENT: the SYN already went with 1460, and the
 * peer's SYN,ACK is capped by the new value when it comes, as Linux does. */
static void test_maxseg_set_in_syn_sent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, PORT, &iss);

	assert_int_equal(sf_set_maxseg(h->st, s, 600), 0);
	h_synack_in(h, 5000, PEER_ISN, iss, 65535, &(struct sf_tcp_options){ .has_mss = 1, .mss = 1460 });
	assert_int_equal(sf_get_maxseg(h->st, s), 600);
	assert_int_equal(sf_set_nodelay(h->st, s, 1), 0);
	fill_pattern();
	assert_int_equal(sf_send(h->st, s, pattern, 1000), 1000);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1);
	assert_int_equal(d.payload_len, 600);
	d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 601, PEER_ISN + 1);
	assert_int_equal(d.payload_len, 400);
	h_expect_none(h);
	h_free(h);
}

/* ---- the queues ---- */

/* SIOCINQ: bytes received and not read; SIOCOUTQ: bytes not yet ACKed, sent
 * or not; SIOCOUTQNSD: bytes not yet sent (here held by Nagle, §3.7.4). Our
 * FIN counts one while unacknowledged, as on Linux (sequence space). */
static void test_queued_counts(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = accept_with_rcvbuf(h, 0, &iss);

	expect_queued(h, c, 0, 0, 0);
	data_acked(h, iss, 0, 5, 65535 - 5);
	expect_queued(h, c, 5, 0, 0);
	read_exact(h, c, 0, 2);
	expect_queued(h, c, 3, 0, 0);
	/* 3000 bytes: two full segments go, the last 80 wait for their ACK. */
	assert_int_equal(sf_send(h->st, c, pattern, 3000), 3000);
	h_next(h);
	h_next(h);
	h_expect_none(h);
	expect_queued(h, c, 3, 3000, 80);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + 5, .ack = iss + 1 + 2920);
	h_next(h); /* the 80 */
	expect_queued(h, c, 3, 80, 0);
	assert_int_equal(sf_shutdown(h->st, c, SF_SHUT_WR), 0);
	h_expect(h, SF_TCP_ACK | SF_TCP_FIN, iss + 1 + 3000, P + 5);
	expect_queued(h, c, 3, 81, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P + 5, .ack = iss + 1 + 3001);
	expect_queued(h, c, 3, 0, 0);
	h_free(h);
}

/* Before the handshake is done Linux reports 0 for SIOCOUTQ and SIOCOUTQNSD,
 * even with data queued in SYN-SENT (RFC 9293 §3.10.2); so does synfin. */
static void test_queued_in_syn_sent(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = sf_socket(h->st, SF_AF_INET);

	expect_queued(h, s, 0, 0, 0);
	assert_int_equal(sf_close(h->st, s), 0);
	s = h_connect(h, 5000, PORT, &iss);
	assert_int_equal(sf_send(h->st, s, "hello", 5), 5);
	expect_queued(h, s, 0, 0, 0);
	h_expect_none(h);
	h_send(h, .lport = 5000, .rport = PORT, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = PEER_ISN, .ack = iss + 1);
	struct sf_segment d = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, PEER_ISN + 1); /* the data, with the ACK */
	assert_int_equal(d.payload_len, 5);
	expect_queued(h, s, 0, 5, 0);
	h_free(h);
}

/* ---- buffer sizes ---- */

/* SO_SNDBUF / SO_RCVBUF read back as set, one at a time with 0 for "as it
 * is"; a size out of 1024 .. 16 MiB is -EINVAL and changes neither. */
static void test_bufsizes_read_and_set_one(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t snd = 0, rcv = 0;
	int s = sf_socket(h->st, SF_AF_INET);

	assert_int_equal(sf_get_bufsizes(h->st, s, &snd, &rcv), 0);
	assert_int_equal(snd, 65536);
	assert_int_equal(rcv, 65536);
	assert_int_equal(sf_set_bufsizes(h->st, s, 0, 4096), 0);
	assert_int_equal(sf_get_bufsizes(h->st, s, &snd, &rcv), 0);
	assert_int_equal(snd, 65536);
	assert_int_equal(rcv, 4096);
	assert_int_equal(sf_set_bufsizes(h->st, s, 8192, 0), 0);
	assert_int_equal(sf_set_bufsizes(h->st, s, 0, 0), 0);
	assert_int_equal(sf_get_bufsizes(h->st, s, &snd, NULL), 0);
	assert_int_equal(snd, 8192);
	assert_int_equal(sf_get_bufsizes(h->st, s, NULL, &rcv), 0);
	assert_int_equal(rcv, 4096);
	assert_int_equal(sf_set_bufsizes(h->st, s, 1023, 0), -EINVAL);
	assert_int_equal(sf_set_bufsizes(h->st, s, 2048, 1023), -EINVAL);
	assert_int_equal(sf_set_bufsizes(h->st, s, (16u << 20) + 1, 2048), -EINVAL);
	assert_int_equal(sf_set_bufsizes(h->st, s, 2048, (16u << 20) + 1), -EINVAL);
	assert_int_equal(sf_get_bufsizes(h->st, s, &snd, &rcv), 0);
	assert_int_equal(snd, 8192);
	assert_int_equal(rcv, 4096);
	assert_int_equal(sf_set_bufsizes(h->st, s, 1024, 16u << 20), 0);
	assert_int_equal(sf_get_bufsizes(h->st, s, &snd, &rcv), 0);
	assert_int_equal(snd, 1024);
	assert_int_equal(rcv, 16u << 20);
	h_free(h);
}

/* A larger receive buffer on a connection opens the window on the next
 * segment we send (nothing is sent, and no event queued, for it alone), and
 * the bytes already queued move to storage that holds the whole new window. */
static void test_rcvbuf_grown_on_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = accept_with_rcvbuf(h, 4096, &iss);

	data_acked(h, iss, 0, 1000, 3096);
	(void)h_events(h, c);
	assert_int_equal(sf_set_bufsizes(h->st, c, 0, 32768), 0);
	h_expect_none(h);
	assert_int_equal(h_events(h, c), 0); /* readiness unchanged: no event */
	data_acked(h, iss, 1000, 1000, 32768 - 2000);
	uint32_t off = 2000;
	for (int i = 0; i < 14; i++, off += 1460)
		data_acked(h, iss, off, 1460, (uint16_t)(32768 - off - 1460));
	expect_queued(h, c, off, 0, 0);
	read_exact(h, c, 0, off);
	h_free(h);
}

/* A smaller receive buffer on a connection never takes back window already
 * offered (RFC 9293 §3.8.6.2): the peer may fill the whole old window, even
 * into storage taken after the change, and once it is read the window
 * reopens to the new size only. */
static void test_rcvbuf_shrunk_keeps_right_edge(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss, rcv = 0;
	int c = accept_with_rcvbuf(h, 8192, &iss);

	assert_int_equal(sf_set_bufsizes(h->st, c, 0, 2048), 0);
	assert_int_equal(sf_get_bufsizes(h->st, c, NULL, &rcv), 0);
	assert_int_equal(rcv, 2048);
	h_expect_none(h);
	uint32_t off = 0;
	for (int i = 0; i < 5; i++, off += 1460)
		data_acked(h, iss, off, 1460, (uint16_t)(8192 - off - 1460));
	data_acked(h, iss, off, 8192 - off, 0);
	read_exact(h, c, 0, 8192);
	struct sf_segment u = h_expect(h, SF_TCP_ACK, iss + 1, P + 8192);
	assert_int_equal(u.window, 2048);
	h_expect_none(h);
	h_free(h);
}

/* A larger send buffer on a connection lets sf_send queue more at once (and
 * the socket becomes writable, as an event too); the bytes already queued,
 * sent or not, keep their places. With a smaller one sf_send takes nothing
 * until the queue has drained below it. */
static void test_sndbuf_changed_on_connection(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = accept_with_rcvbuf(h, 0, &iss);

	assert_int_equal(sf_set_bufsizes(h->st, c, 4096, 0), 0);
	(void)h_events(h, c);
	assert_int_equal(sf_send(h->st, c, pattern, 10000), 4096);
	expect_data(h, iss, 0, 1460);
	expect_data(h, iss, 1460, 1460);
	h_expect_none(h); /* the last 1176 wait for an ACK (Nagle) */
	assert_int_equal(sf_send(h->st, c, pattern + 4096, 10000), -EAGAIN);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED);

	assert_int_equal(sf_set_bufsizes(h->st, c, 16384, 0), 0);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE);
	assert_int_equal(h_events(h, c), SF_EV_CONNECTED | SF_EV_WRITABLE);
	assert_int_equal(sf_send(h->st, c, pattern + 4096, 10000), 10000);
	for (uint32_t off = 2920; off < 2920 + 7 * 1460; off += 1460)
		expect_data(h, iss, off, 1460);
	h_expect_none(h);
	expect_queued(h, c, 0, 14096, 956);

	assert_int_equal(sf_set_bufsizes(h->st, c, 1024, 0), 0);
	assert_int_equal(sf_send(h->st, c, pattern + 14096, 5000), -EAGAIN);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1 + 13140);
	expect_data(h, iss, 13140, 956);
	h_expect_none(h);
	assert_int_equal(sf_send(h->st, c, pattern + 14096, 5000), 1024 - 956);
	h_expect_none(h);
	expect_queued(h, c, 0, 1024, 1024 - 956);
	h_free(h);
}

/* ---- MSG_PEEK ---- */

/* A peek copies the bytes and leaves them: the window stays closed and no
 * window update goes, where reading them all sends one (RFC 9293 §3.8.6.2.2).
 * At end of stream a peek says 0, with nothing queued -EAGAIN, as recv. */
static void test_peek(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	uint8_t buf[4096];
	int c = accept_with_rcvbuf(h, 4096, &iss);

	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), -EAGAIN);
	data_acked(h, iss, 0, 1460, 4096 - 1460);
	data_acked(h, iss, 1460, 1460, 4096 - 2920);
	data_acked(h, iss, 2920, 1176, 0);
	uint32_t edge = h_tcb(h, c)->rcv_adv;
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), 4096);
	assert_memory_equal(buf, pattern, 4096);
	assert_int_equal(sf_recv_flags(h->st, c, buf, 10, SF_MSG_PEEK), 10);
	assert_memory_equal(buf, pattern, 10);
	h_expect_none(h);
	assert_int_equal(h_tcb(h, c)->rcv_adv, edge);
	expect_queued(h, c, 4096, 0, 0);
	assert_int_equal(sf_recv_flags(h->st, c, buf, 0, SF_MSG_PEEK), 0);
	/* Flags 0 is recv: the bytes go and the window reopens. */
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, 0), 4096);
	assert_memory_equal(buf, pattern, 4096);
	struct sf_segment u = h_expect(h, SF_TCP_ACK, iss + 1, P + 4096);
	assert_int_equal(u.window, 4096);
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), -EAGAIN);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = P + 4096, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 4097);
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), 0);
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), 0);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 0);
	h_expect_none(h);
	h_free(h);
}

/* ---- level-triggered readiness ---- */

/* sf_poll reads readiness without taking events: it says the same while the
 * state lasts, where sf_poll_events says each change once. A listener with a
 * completed connection is readable as well as accept-ready; a connection
 * ended by a RST is readable (the next read returns its error) and hung up. */
static void test_poll_levels(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	char buf[8];

	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_poll(h->st, s), 0);
	int l = h_listen(h, PORT, 8);
	assert_int_equal(sf_poll(h->st, l), 0);
	struct sf_segment sa = h_syn_in(h, PORT, PEER_ISN, NULL);
	assert_int_equal(sf_poll(h->st, l), 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = sa.seq + 1);
	assert_int_equal(sf_poll(h->st, l), SF_EV_ACCEPT | SF_EV_READABLE);
	assert_int_equal(h_events(h, l), SF_EV_ACCEPT | SF_EV_READABLE);
	assert_int_equal(h_events(h, l), 0);
	assert_int_equal(sf_poll(h->st, l), SF_EV_ACCEPT | SF_EV_READABLE);
	int c = sf_accept(h->st, l, NULL);
	assert_true(c >= 0);
	iss = sa.seq;
	assert_int_equal(sf_poll(h->st, l), 0);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE);

	h_send(h, .lport = PORT, .flags = SF_TCP_ACK, .seq = P, .ack = iss + 1, .text = "abc");
	h_expect(h, SF_TCP_ACK, iss + 1, P + 3);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE | SF_EV_READABLE);
	assert_int_equal(h_events(h, c), SF_EV_CONNECTED | SF_EV_WRITABLE | SF_EV_READABLE);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE | SF_EV_READABLE);
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 3);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE);
	/* The peer's FIN: end of stream is readable. */
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = P + 3, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 4);
	assert_int_equal(sf_poll(h->st, c), SF_EV_CONNECTED | SF_EV_WRITABLE | SF_EV_READABLE);
	/* A RST in CLOSE-WAIT: the error (-EPIPE, as Linux) is pending, the connection over. */
	h_send(h, .lport = PORT, .flags = SF_TCP_RST, .seq = P + 4);
	assert_int_equal(sf_poll(h->st, c), SF_EV_ERROR | SF_EV_READABLE | SF_EV_HUP);
	assert_int_equal(sf_take_error(h->st, c), -EPIPE);
	assert_int_equal(sf_poll(h->st, c), SF_EV_READABLE | SF_EV_HUP);
	h_free(h);
}

/* ---- errors ---- */

/* Each query on a NULL stack is -EINVAL and on a bad handle -EBADF; a
 * listener has no queues (-EINVAL, as Linux's SIOCINQ) and nothing to read
 * (-ENOTCONN); a socket never connected has nothing to read (-ENOTCONN);
 * a flag other than SF_MSG_PEEK is -EINVAL; none of it sends anything. */
static void test_query_errors(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_queue_info q;
	uint32_t snd, rcv, iss;
	char buf[8];

	assert_int_equal(sf_get_maxseg(NULL, 0), -EINVAL);
	assert_int_equal(sf_get_bufsizes(NULL, 0, &snd, &rcv), -EINVAL);
	assert_int_equal(sf_queued(NULL, 0, &q), -EINVAL);
	assert_int_equal(sf_poll(NULL, 0), -EINVAL);
	assert_int_equal(sf_recv_flags(NULL, 0, buf, sizeof buf, SF_MSG_PEEK), -EINVAL);
	const int bad[] = { -1, 0, 99 }; /* 0: nothing issued yet */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(sf_get_maxseg(h->st, bad[i]), -EBADF);
		assert_int_equal(sf_get_bufsizes(h->st, bad[i], &snd, &rcv), -EBADF);
		assert_int_equal(sf_queued(h->st, bad[i], &q), -EBADF);
		assert_int_equal(sf_poll(h->st, bad[i]), -EBADF);
		assert_int_equal(sf_recv_flags(h->st, bad[i], buf, sizeof buf, SF_MSG_PEEK), -EBADF);
	}
	int l = h_listen(h, PORT, 8);
	assert_int_equal(sf_queued(h->st, l, &q), -EINVAL);
	assert_int_equal(sf_recv_flags(h->st, l, buf, sizeof buf, SF_MSG_PEEK), -ENOTCONN);
	assert_int_equal(sf_get_bufsizes(h->st, l, &snd, &rcv), 0);
	int s = sf_socket(h->st, SF_AF_INET);
	assert_int_equal(sf_recv_flags(h->st, s, buf, sizeof buf, SF_MSG_PEEK), -ENOTCONN);
	assert_int_equal(sf_queued(h->st, s, NULL), -EINVAL);
	int c = h_accept_new(h, l, PORT, PEER_ISN, &iss);
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, 0x1), -EINVAL); /* MSG_OOB */
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK | 0x40), -EINVAL);
	assert_int_equal(sf_recv_flags(h->st, c, NULL, 5, SF_MSG_PEEK), -EINVAL);
	assert_int_equal(sf_recv_flags(h->st, c, buf, sizeof buf, SF_MSG_PEEK), -EAGAIN);
	assert_int_equal(sf_close(h->st, s), 0);
	assert_int_equal(sf_get_maxseg(h->st, s), -EBADF);
	assert_int_equal(sf_poll(h->st, s), -EBADF);
	h_expect_none(h);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maxseg_read),
		cmocka_unit_test(test_maxseg_read_with_timestamps),
		cmocka_unit_test(test_maxseg_set_after_connect),
		cmocka_unit_test(test_maxseg_set_in_syn_sent),
		cmocka_unit_test(test_queued_counts),
		cmocka_unit_test(test_queued_in_syn_sent),
		cmocka_unit_test(test_bufsizes_read_and_set_one),
		cmocka_unit_test(test_rcvbuf_grown_on_connection),
		cmocka_unit_test(test_rcvbuf_shrunk_keeps_right_edge),
		cmocka_unit_test(test_sndbuf_changed_on_connection),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_poll_levels),
		cmocka_unit_test(test_query_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
