/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Input batches (sf_input_begin / sf_input_end): RFC 9293 MUST-58 (aggregate
 * ACKs whenever possible) and MUST-59 (process a series of queued segments
 * before sending any ACK). The in-order ACKs a batch calls for become one
 * ACK per connection after the batch; duplicate and out-of-order data are
 * still ACKed at once (RFC 5681 §4.2); a connection the batch ended owes
 * nothing.
 *
 * synfin is the passive side; the peer (ISN PEER_ISN, no options) connects
 * and sends; its data starts at P. Connections start in quick-ack mode, so
 * outside a batch every data segment is ACKed at once.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"

#define PEER_ISN 7000u
#define P (PEER_ISN + 1)
#define PORT 80

static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* A stack with one ESTABLISHED connection (handle in *c, our ISS in *iss). */
static struct harness *established(uint32_t *iss, int *c)
{
	struct harness *h = h_new(4, NULL);
	int s = h_established(h, PORT, PEER_ISN, iss);
	if (c)
		*c = s;
	return h;
}

static void data_in(struct harness *h, uint32_t seq, uint32_t iss, const char *d, size_t n, uint8_t extra)
{
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH | extra, .seq = seq, .ack = iss + 1, .data = d,
	       .len = n);
}

/* Control: without a batch, three segments draw three ACKs (quick-ack). */
static void test_without_batch_each_segment_acked(void **state)
{
	(void)state;
	uint32_t iss;
	struct harness *h = established(&iss, NULL);

	for (uint32_t i = 0; i < 3; i++) {
		data_in(h, P + 10 * i, iss, text + 10 * i, 10, 0);
		h_expect(h, SF_TCP_ACK, iss + 1, P + 10 * (i + 1));
	}
	h_expect_none(h);
	h_free(h);
}

/* MUST-59: three in-order segments in one batch, one ACK after the last. */
static void test_batch_acks_once_at_the_end(void **state)
{
	(void)state;
	uint32_t iss;
	int c;
	struct harness *h = established(&iss, &c);

	sf_input_begin(h->st);
	for (uint32_t i = 0; i < 3; i++)
		data_in(h, P + 10 * i, iss, text + 10 * i, 10, 0);
	h_expect_none(h); /* nothing yet: the batch is still being read */
	sf_input_end(h->st);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 30);
	h_expect_none(h);
	char buf[64];
	assert_int_equal(sf_recv(h->st, c, buf, sizeof buf), 30);
	assert_memory_equal(buf, text, 30);
	/* A second end, or an end without a begin, sends nothing. */
	sf_input_end(h->st);
	h_expect_none(h);
	/* After the batch, quick-ack as before. */
	data_in(h, P + 30, iss, text + 30, 6, 0);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 36);
	h_free(h);
}

/* Data, then the FIN (ESTABLISHED -> CLOSE-WAIT), then a retransmitted FIN:
 * the duplicate is ACKed at once (RFC 5681 §4.2) and that ACK already covers
 * everything, so the end of the batch adds none. */
static void test_batch_data_fin_and_duplicate(void **state)
{
	(void)state;
	uint32_t iss;
	int c;
	struct harness *h = established(&iss, &c);

	sf_input_begin(h->st);
	data_in(h, P, iss, text, 10, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = P + 10, .ack = iss + 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSE_WAIT);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_FIN, .seq = P + 10, .ack = iss + 1);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 11);
	sf_input_end(h->st);
	h_expect_none(h);

	/* Without the duplicate: one ACK for data and FIN, at the end. */
	uint32_t iss2;
	struct harness *h2 = established(&iss2, NULL);
	sf_input_begin(h2->st);
	data_in(h2, P, iss2, text, 10, SF_TCP_FIN);
	sf_input_end(h2->st);
	h_expect(h2, SF_TCP_ACK, iss2 + 1, P + 11);
	h_expect_none(h2);
	h_free(h2);
	h_free(h);
}

/* An out-of-order segment is ACKed at once even in a batch (the duplicate
 * ACK the sender's fast retransmit counts); the segment that fills the hole
 * is too; in-order data after it waits for the end. */
static void test_batch_out_of_order_acked_at_once(void **state)
{
	(void)state;
	uint32_t iss;
	struct harness *h = established(&iss, NULL);

	sf_input_begin(h->st);
	data_in(h, P + 10, iss, text + 10, 10, 0);
	h_expect(h, SF_TCP_ACK, iss + 1, P); /* duplicate ACK: the hole is at P */
	data_in(h, P, iss, text, 10, 0);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 20); /* fills the hole */
	data_in(h, P + 20, iss, text + 20, 10, 0);
	h_expect_none(h);
	sf_input_end(h->st);
	h_expect(h, SF_TCP_ACK, iss + 1, P + 30);
	h_expect_none(h);
	h_free(h);
}

/* Data then a RST in one batch: the connection is gone, no ACK follows. */
static void test_batch_connection_reset_owes_nothing(void **state)
{
	(void)state;
	uint32_t iss;
	int c;
	struct harness *h = established(&iss, &c);

	sf_input_begin(h->st);
	data_in(h, P, iss, text, 10, 0);
	h_send(h, .lport = PORT, .flags = SF_TCP_RST, .seq = P + 10);
	sf_input_end(h->st);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_CLOSED);
	h_free(h);
}

/* Anything the connection sends during the batch carries the ACK: here the
 * application answers inside the batch and the end adds nothing. */
static void test_batch_ack_carried_by_data(void **state)
{
	(void)state;
	uint32_t iss;
	int c;
	struct harness *h = established(&iss, &c);

	sf_input_begin(h->st);
	data_in(h, P, iss, text, 10, 0);
	assert_int_equal(sf_send(h->st, c, "reply", 5), 5);
	struct sf_segment s = h_expect(h, SF_TCP_ACK | SF_TCP_PSH, iss + 1, P + 10);
	assert_int_equal(s.payload_len, 5);
	sf_input_end(h->st);
	h_expect_none(h);
	h_free(h);
}

static void test_batch_null_stack(void **state)
{
	(void)state;
	sf_input_begin(NULL);
	sf_input_end(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_batch_each_segment_acked),
		cmocka_unit_test(test_batch_acks_once_at_the_end),
		cmocka_unit_test(test_batch_data_fin_and_duplicate),
		cmocka_unit_test(test_batch_out_of_order_acked_at_once),
		cmocka_unit_test(test_batch_connection_reset_owes_nothing),
		cmocka_unit_test(test_batch_ack_carried_by_data),
		cmocka_unit_test(test_batch_null_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
