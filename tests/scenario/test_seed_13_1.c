/* SPEC 13.1 on the simulated network: handshake, data both ways, orderly close. */
#include <errno.h>
#include <string.h>

#include "scenario.h"

struct app {
	int listener, client, server;
	char got_at_server[64];
	long server_read;
	long client_read;
	char got_at_client[64];
	bool client_eof, server_eof;
};

static bool server_accepted(struct scenario *sc, void *ctx)
{
	struct app *a = ctx;
	if (a->server < 0)
		a->server = sf_accept(sc_stack(sc, 1), a->listener, NULL);
	return a->server >= 0 && sf_state(sc_stack(sc, 0), a->client) == SF_ESTABLISHED;
}

static bool server_has_data(struct scenario *sc, void *ctx)
{
	struct app *a = ctx;
	long n = sf_recv(sc_stack(sc, 1), a->server, a->got_at_server + a->server_read,
			 sizeof a->got_at_server - 1 - (size_t)a->server_read);
	if (n > 0)
		a->server_read += n;
	return a->server_read == 5;
}

static bool server_sees_eof(struct scenario *sc, void *ctx)
{
	struct app *a = ctx;
	char buf[16];
	return sf_recv(sc_stack(sc, 1), a->server, buf, sizeof buf) == 0;
}

static bool client_in_time_wait(struct scenario *sc, void *ctx)
{
	struct app *a = ctx;
	(void)a;
	return sc_counter(sc, 0, SF_CTR_TimeWaitCurrent) == 1 && sc_counter(sc, 1, SF_CTR_CurrEstab) == 0 &&
	       sc_saw(sc, 1, SF_LAST_ACK, SF_CLOSED);
}

static void test_open_data_close(void **state)
{
	(void)state;
	struct scenario *sc = sc_new(1, 10);
	sc_add_host(sc, "client", NULL);
	sc_add_host(sc, "server", NULL);
	struct app a = { .server = -1 };

	a.listener = sf_socket(sc_stack(sc, 1), SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 80 };
	assert_int_equal(sf_bind(sc_stack(sc, 1), a.listener, &any), 0);
	assert_int_equal(sf_listen(sc_stack(sc, 1), a.listener, 16), 0);
	a.client = sf_socket(sc_stack(sc, 0), SF_AF_INET);
	struct sf_endpoint srv = sc_ep(1, 80);
	assert_int_equal(sf_connect(sc_stack(sc, 0), a.client, &srv), -EINPROGRESS);

	assert_true(sc_run_until(sc, server_accepted, &a, 1000));
	assert_int_equal(sc->segments_sent, 3); /* SYN, SYN+ACK, ACK */
	assert_true(sc_saw(sc, 0, SF_SYN_SENT, SF_ESTABLISHED));
	assert_true(sc_saw(sc, 1, SF_SYN_RECEIVED, SF_ESTABLISHED));

	assert_int_equal(sf_send(sc_stack(sc, 0), a.client, "hello", 5), 5);
	assert_true(sc_run_until(sc, server_has_data, &a, 1000));
	assert_memory_equal(a.got_at_server, "hello", 5);

	/* The client closes first: FIN-WAIT-1/2, server CLOSE-WAIT, reads 0, closes. */
	assert_int_equal(sf_close(sc_stack(sc, 0), a.client), 0);
	assert_true(sc_run_until(sc, server_sees_eof, &a, 1000));
	assert_int_equal(sf_state(sc_stack(sc, 1), a.server), SF_CLOSE_WAIT);
	assert_int_equal(sf_close(sc_stack(sc, 1), a.server), 0);
	assert_true(sc_run_until(sc, client_in_time_wait, &a, 1000));
	assert_true(sc_saw(sc, 0, SF_FIN_WAIT_1, SF_FIN_WAIT_2));
	assert_true(sc_saw(sc, 0, SF_FIN_WAIT_2, SF_TIME_WAIT));
	/* 2MSL later the TIME-WAIT record is gone. */
	sc_run_for(sc, 240000);
	assert_int_equal(sc_counter(sc, 0, SF_CTR_TimeWaitCurrent), 0);
	assert_int_equal(sc_counter(sc, 0, SF_CTR_TW), 1);
	sf_close(sc_stack(sc, 1), a.listener);
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_data_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
