/* SPDX-License-Identifier: BSD-2-Clause */
/* The plain life of a connection on the simulated network (RFC 9293 §3.5 Figure 6, §3.6 Figure 12): the
 * three-way handshake, data, the orderly close, TIME-WAIT and its end after 2MSL. */
#include <errno.h>
#include <string.h>

#include "scenario.h"

static bool client_in_time_wait(struct scenario *sc, void *ctx)
{
	(void)ctx;
	return sc_counter(sc, 0, SF_CTR_TimeWaitCurrent) == 1 && sc_counter(sc, 1, SF_CTR_CurrEstab) == 0 &&
	       sc_saw(sc, 1, SF_LAST_ACK, SF_CLOSED);
}

static void test_open_data_close(void **state)
{
	(void)state;
	struct scenario *sc = sc_new(1, 10);
	sc_add_host(sc, "client", NULL);
	sc_add_host(sc, "server", NULL);
	char got[5];

	int listener, client;
	int server = sc_open_pair(sc, 0, 0, 1, 80, 1000, &listener, &client);
	assert_int_equal(sc->segments_sent, 3); /* SYN, SYN+ACK, ACK */
	assert_true(sc_saw(sc, 0, SF_SYN_SENT, SF_ESTABLISHED));
	assert_true(sc_saw(sc, 1, SF_SYN_RECEIVED, SF_ESTABLISHED));

	assert_int_equal(sf_send(sc_stack(sc, 0), client, "hello", 5), 5);
	sc_read_exactly(sc, 1, server, got, 5, 1000);
	assert_memory_equal(got, "hello", 5);

	/* The client closes first: FIN-WAIT-1/2, server CLOSE-WAIT, reads 0, closes. */
	assert_int_equal(sf_close(sc_stack(sc, 0), client), 0);
	sc_read_eof(sc, 1, server, 1000);
	assert_int_equal(sf_state(sc_stack(sc, 1), server), SF_CLOSE_WAIT);
	assert_int_equal(sf_close(sc_stack(sc, 1), server), 0);
	assert_true(sc_run_until(sc, client_in_time_wait, NULL, 1000));
	assert_true(sc_saw(sc, 0, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	assert_true(sc_saw(sc, 0, SF_FIN_WAIT_2, SF_TIME_WAIT));
	/* 2MSL later the TIME-WAIT record is gone. */
	sc_run_for(sc, 240000);
	assert_int_equal(sc_counter(sc, 0, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, 0, SF_CTR_TW), 1);
	sf_close(sc_stack(sc, 1), listener);
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_data_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
