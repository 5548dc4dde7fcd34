/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket events and write buffers (drivers/events.h) as an application uses
 * them: an echo server and a client on the simulated network, the client
 * writing far more than a send buffer holds in one call over a lossy link,
 * every octet echoed back in order; the graceful close after the buffered
 * octets; a reset reaching the closed handler; the buffer's limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "events.h"
#include "sim.h"
#include "simhost.h"

#define PORT 7
#define TOTAL (300u * 1024u)

struct world {
	struct sf_sim *sim;
	struct sf_simhost *server_host, *client_host;
	struct sf_events *server, *client;
	int client_sock, server_sock;
	uint8_t sent[TOTAL], got[TOTAL];
	size_t ngot;
	int accepted, connected, closed_calls, closed_error;
};

static void server_readable(void *ctx, struct sf_events *ev, int sock)
{
	(void)ctx;
	uint8_t buf[4096];
	long n;
	while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0)
		assert_int_equal(sf_events_write(ev, sock, buf, (size_t)n), n);
	if (n == 0)
		assert_int_equal(sf_events_close(ev, sock), 0);
}

static void server_accepted(void *ctx, struct sf_events *ev, int listener, int sock, const struct sf_endpoint *peer)
{
	struct world *w = ctx;
	(void)ev;
	(void)listener;
	assert_int_equal(peer->addr.family, SF_AF_INET);
	w->accepted++;
	w->server_sock = sock;
}

static void server_closed(void *ctx, struct sf_events *ev, int sock, int error)
{
	struct world *w = ctx;
	(void)ev;
	(void)sock;
	w->closed_calls++;
	w->closed_error = error;
}

static void client_connected(void *ctx, struct sf_events *ev, int sock)
{
	struct world *w = ctx;
	w->connected++;
	/* All of it in one call: the stack takes what its buffer holds, the rest waits. */
	assert_int_equal(sf_events_write(ev, sock, w->sent, TOTAL), (long)TOTAL);
	assert_true(sf_events_pending(ev, sock) > 0);
}

static void client_readable(void *ctx, struct sf_events *ev, int sock)
{
	struct world *w = ctx;
	long n;
	while ((n = sf_recv(sf_events_stack(ev), sock, w->got + w->ngot, TOTAL - w->ngot)) > 0)
		w->ngot += (size_t)n;
	if (w->ngot == TOTAL)
		assert_int_equal(sf_events_close(ev, sock), 0);
}

static void world_up(struct world *w, double loss)
{
	static const struct sf_events_handlers server_h = {
		.accepted = server_accepted, .readable = server_readable, .closed = server_closed};
	static const struct sf_events_handlers client_h = {.connected = client_connected, .readable = client_readable};
	struct sf_config cfg;
	struct sf_addr sa = sf_addr_v4(10, 0, 0, 1), ca = sf_addr_v4(10, 0, 0, 2);

	memset(w, 0, sizeof *w);
	for (size_t i = 0; i < TOTAL; i++)
		w->sent[i] = (uint8_t)(i * 7 + i / 251);
	w->sim = sf_sim_new(42);
	sf_sim_set_all_links(w->sim, &(struct sf_sim_link){.delay_ns = 5000000, .loss = loss});
	sf_config_default(&cfg);
	memset(cfg.secret, 0x5a, sizeof cfg.secret);
	w->server_host = sf_simhost_new(w->sim, "server", &sa, 1500, &cfg);
	cfg.secret[0] ^= 1;
	w->client_host = sf_simhost_new(w->sim, "client", &ca, 1500, &cfg);
	assert_non_null(w->server_host);
	assert_non_null(w->client_host);
	w->server = sf_events_new(sf_simhost_stack(w->server_host), &server_h, w);
	w->client = sf_events_new(sf_simhost_stack(w->client_host), &client_h, w);
	assert_true(sf_events_listen(w->server, SF_AF_INET, PORT, 16) >= 0);
	sf_stack *cst = sf_simhost_stack(w->client_host);
	w->client_sock = sf_socket(cst, SF_AF_INET);
	assert_int_equal(sf_connect(cst, w->client_sock, &(struct sf_endpoint){.addr = sa, .port = PORT}), -EINPROGRESS);
}

/* Steps the simulator, dispatching both sides' events, until done says so or 60 virtual seconds pass. */
static void run(struct world *w, int (*done)(const struct world *))
{
	while (!done(w) && sf_sim_now(w->sim) < 60000000000ull) {
		if (!sf_sim_step(w->sim))
			break;
		sf_events_dispatch(w->server);
		sf_events_dispatch(w->client);
	}
}

static void world_down(struct world *w)
{
	sf_events_free(w->server);
	sf_events_free(w->client);
	sf_simhost_free(w->server_host);
	sf_simhost_free(w->client_host);
	sf_sim_free(w->sim);
}

static int all_echoed_and_closed(const struct world *w)
{
	return w->ngot == TOTAL && sf_sim_get_stats(w->sim)->sent > 0 &&
	       sf_state(sf_simhost_stack(w->client_host), w->client_sock) < 0;
}

static void test_echo_over_a_lossy_link(void **state)
{
	(void)state;
	static struct world w;
	world_up(&w, 0.03);
	run(&w, all_echoed_and_closed);
	assert_int_equal(w.accepted, 1);
	assert_int_equal(w.connected, 1);
	assert_int_equal(w.ngot, TOTAL);
	assert_memory_equal(w.got, w.sent, TOTAL);
	assert_true(sf_sim_get_stats(w.sim)->lost > 0);
	/* The client's handle is closed (its FIN went after the data); the server closed on the FIN. */
	sf_sim_run(w.sim, sf_sim_now(w.sim) + 10000000000ull);
	sf_events_dispatch(w.server);
	assert_int_equal(w.closed_calls, 0);
	assert_int_equal(sf_events_pending(w.client, w.client_sock), 0);
	world_down(&w);
}

static int server_saw_close(const struct world *w)
{
	return w->closed_calls > 0;
}

static int have_some(const struct world *w)
{
	return w->ngot > 0;
}

/* A reset reaches the closed handler with its error; the handle is closed after it. */
static void test_reset_reaches_closed(void **state)
{
	(void)state;
	static struct world w;
	world_up(&w, 0);
	run(&w, have_some);
	assert_true(w.ngot > 0);
	assert_int_equal(sf_abort(sf_simhost_stack(w.client_host), w.client_sock), 0);
	run(&w, server_saw_close);
	assert_int_equal(w.closed_calls, 1);
	assert_int_equal(w.closed_error, -ECONNRESET);
	world_down(&w);
}

/* The limit: a write that would pass it takes nothing and says -ENOBUFS; bad handles, writes after close. */
static void test_limit_and_errors(void **state)
{
	(void)state;
	static struct world w;
	static const uint8_t big[TOTAL];
	world_up(&w, 0);
	/* SYN-SENT: the stack queues what its send buffer holds, the rest is buffered. */
	assert_int_equal(sf_events_write(w.client, w.client_sock, big, TOTAL), (long)TOTAL);
	size_t pending = sf_events_pending(w.client, w.client_sock);
	assert_true(pending > 0 && pending < TOTAL);
	sf_events_set_limit(w.client, pending + 10);
	assert_int_equal(sf_events_write(w.client, w.client_sock, big, 11), -ENOBUFS);
	assert_int_equal(sf_events_pending(w.client, w.client_sock), pending);
	assert_int_equal(sf_events_write(w.client, w.client_sock, big, 10), 10);
	assert_int_equal(sf_events_pending(w.client, w.client_sock), pending + 10);
	assert_int_equal(sf_events_write(w.client, -1, big, 1), -EBADF);
	assert_int_equal(sf_events_close(w.client, 999), -EBADF);
	assert_int_equal(sf_events_close(w.client, w.client_sock), 0);
	assert_int_equal(sf_events_write(w.client, w.client_sock, big, 1), -EPIPE);
	assert_null(sf_events_new(NULL, &(struct sf_events_handlers){0}, NULL));
	world_down(&w);
}

/* Data that came with the handshake's last ACK is read in the dispatch that
 * accepts its connection: sf_accept queues the new socket's readiness, and
 * dispatch goes on until the queue is empty, or a loop that then sleeps
 * would leave the request unanswered until something else woke it. */
static void test_data_with_the_handshake(void **state)
{
	(void)state;
	static struct world w;
	world_up(&w, 0);
	sf_stack *sst = sf_simhost_stack(w.server_host);
	/* In SYN-SENT the stack queues it; it goes with the ACK of the SYN,ACK. */
	assert_int_equal(sf_send(sf_simhost_stack(w.client_host), w.client_sock, w.sent, 100), 100);
	sf_sim_run_until(w.sim, 20000000); /* both ways twice: SYN, SYN,ACK, ACK with the data */
	assert_int_equal(sf_stack_counters(sst)->PassiveOpens, 1);
	assert_true(sf_events_dispatch(w.server) >= 2); /* the listener's and the new connection's */
	assert_int_equal(w.accepted, 1);
	struct sf_queue_info q;
	assert_int_equal(sf_queued(sst, w.server_sock, &q), 0);
	assert_int_equal(q.readable, 0);
	assert_int_equal(q.unacked, 100); /* echoed */
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_over_a_lossy_link),
		cmocka_unit_test(test_reset_reaches_closed),
		cmocka_unit_test(test_limit_and_errors),
		cmocka_unit_test(test_data_with_the_handshake),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
