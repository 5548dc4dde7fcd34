/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the simulator's pcapng capture of a TCP transfer between two synfin
 * stacks over faulty links, for check_pcapng_tshark.sh to read back with
 * tshark: a pcapng capture keeps the datagrams that died too, each commented
 * with why (sf_sim_drop_text), and marks duplicated and corrupted deliveries.
 *
 * usage: sim_pcapng_tshark OUT.pcapng EXPECTED.txt
 *
 * A client sends 256 KiB to a server over links that lose, duplicate and
 * corrupt datagrams; on top of that the script drops a few of the client's
 * datagrams (sf_sim_drop_nth), partitions the two hosts for a while, and a
 * second client socket connects to an address no host owns (its SYNs have no
 * route). The client's uplink is narrow, with a short queue (tail drops).
 *
 * Every record of the capture is a delivery or a drop the observer is told
 * of, in the same order, so frame n is the nth of them. EXPECTED.txt has a
 * line for each frame, tab-separated: the frame number, "delivered" or
 * "dropped", the capture time as seconds.nanoseconds (virtual time since 0),
 * and the comment the frame must carry (empty for a plain delivery).
 * The last stdout line is "frames=N".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "pcap.h"
#include "sim.h"
#include "simhost.h"

#define SEED 7u
#define PORT 5001
#define TOTAL (256u * 1024u)
#define LIMIT_NS 120000000000ull /* 120 virtual seconds */

struct run {
	struct sf_sim *sim;
	struct sf_simhost *server_host, *client_host;
	struct sf_events *server, *client;
	int client_sock, server_host_i, client_host_i;
	uint8_t *sent;
	size_t ngot;
	bool failed, done;
	FILE *expected;
	uint64_t frames, drops, marked, by_reason[SF_SIM_DROP_REJECTED + 1];
};

static void fail(struct run *r, const char *msg)
{
	fprintf(stderr, "sim_pcapng_tshark: %s\n", msg);
	r->failed = true;
}

/* What the capture must say of each record, in the order the simulator writes them. */
static void observe(void *ctx, const struct sf_sim_event *ev)
{
	struct run *r = ctx;
	const char *kind, *comment;

	if (ev->kind == SF_SIM_EV_DELIVER) {
		kind = "delivered";
		comment = ev->corrupted ? (ev->duplicate ? "duplicate, corrupted" : "corrupted")
			  : ev->duplicate ? "duplicate" : "";
		if (*comment)
			r->marked++;
	} else if (ev->kind == SF_SIM_EV_DROP && ev->dgram) {
		kind = "dropped";
		comment = sf_sim_drop_text(ev->drop);
		r->drops++;
		r->by_reason[ev->drop]++;
	} else {
		return;
	}
	r->frames++;
	fprintf(r->expected, "%llu\t%s\t%llu.%09llu\t%s\n", (unsigned long long)r->frames, kind,
		(unsigned long long)(ev->time_ns / 1000000000u), (unsigned long long)(ev->time_ns % 1000000000u),
		comment);
}

static void server_accepted(void *ctx, struct sf_events *ev, int listener, int sock, const struct sf_endpoint *peer)
{
	(void)ctx;
	(void)ev;
	(void)listener;
	(void)sock;
	(void)peer;
}

static void server_readable(void *ctx, struct sf_events *ev, int sock)
{
	struct run *r = ctx;
	uint8_t buf[8192];
	long n;

	while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0) {
		if (r->ngot + (size_t)n > TOTAL || memcmp(buf, r->sent + r->ngot, (size_t)n)) {
			fail(r, "the server received other octets than the client sent");
			return;
		}
		r->ngot += (size_t)n;
	}
	if (n == 0) { /* the client's FIN: all of it is here */
		r->done = true;
		sf_events_close(ev, sock);
	}
}

static void server_closed(void *ctx, struct sf_events *ev, int sock, int error)
{
	struct run *r = ctx;

	(void)ev;
	(void)sock;
	if (error)
		fail(r, "the server's connection failed");
}

static void client_connected(void *ctx, struct sf_events *ev, int sock)
{
	struct run *r = ctx;

	if (sock != r->client_sock)
		return;
	if (sf_events_write(ev, sock, r->sent, TOTAL) != (long)TOTAL || sf_events_close(ev, sock))
		fail(r, "the client could not write");
}

static void partition_on(void *ctx, uint64_t now)
{
	struct run *r = ctx;

	(void)now;
	sf_sim_partition(r->sim, r->client_host_i, r->server_host_i, true);
}

static void partition_off(void *ctx, uint64_t now)
{
	struct run *r = ctx;

	(void)now;
	sf_sim_partition(r->sim, r->client_host_i, r->server_host_i, false);
}

int main(int argc, char **argv)
{
	static struct run r;
	static const struct sf_events_handlers server_h = {
		.accepted = server_accepted, .readable = server_readable, .closed = server_closed};
	static const struct sf_events_handlers client_h = {.connected = client_connected};
	struct sf_addr sa = sf_addr_v4(192, 0, 2, 1), ca = sf_addr_v4(192, 0, 2, 2);
	struct sf_addr nowhere = sf_addr_v4(192, 0, 2, 99);
	struct sf_sim_link faulty = {.delay_ns = 5000000, .jitter_ns = 1000000, .loss = 0.03, .duplicate = 0.02,
				     .corrupt = 0.01};
	struct sf_sim_link uplink = faulty;
	struct sf_config cfg;
	struct sf_pcap *pcap;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT.pcapng EXPECTED.txt\n", argv[0]);
		return 2;
	}
	r.expected = fopen(argv[2], "w");
	pcap = sf_pcap_open_format(argv[1], SF_PCAP_NG);
	r.sent = malloc(TOTAL);
	if (!r.expected || !pcap || !r.sent) {
		perror("sim_pcapng_tshark: open output");
		return 1;
	}
	for (size_t i = 0; i < TOTAL; i++)
		r.sent[i] = (uint8_t)(i * 7 + i / 251);

	r.sim = sf_sim_new(SEED);
	if (!r.sim)
		return 1;
	sf_sim_set_all_links(r.sim, &faulty);
	sf_config_default(&cfg);
	memset(cfg.secret, 0x5a, sizeof cfg.secret);
	r.server_host = sf_simhost_new(r.sim, "server", &sa, 1500, &cfg);
	cfg.secret[0] ^= 1;
	r.client_host = sf_simhost_new(r.sim, "client", &ca, 1500, &cfg);
	if (!r.server_host || !r.client_host)
		return 1;
	r.server_host_i = sf_simhost_index(r.server_host);
	r.client_host_i = sf_simhost_index(r.client_host);
	/* The client's uplink: 20 Mbit/s with room for four full datagrams, so a growing window overflows it. */
	uplink.bandwidth_bps = 20000000;
	uplink.queue_limit_bytes = 6000;
	if (sf_sim_set_link(r.sim, r.client_host_i, r.server_host_i, &uplink))
		return 1;
	sf_sim_set_observer(r.sim, observe, &r);
	sf_sim_set_pcap(r.sim, pcap);

	r.server = sf_events_new(sf_simhost_stack(r.server_host), &server_h, &r);
	r.client = sf_events_new(sf_simhost_stack(r.client_host), &client_h, &r);
	if (!r.server || !r.client || sf_events_listen(r.server, SF_AF_INET, PORT, 16) < 0)
		return 1;
	sf_stack *cst = sf_simhost_stack(r.client_host);

	r.client_sock = sf_socket(cst, SF_AF_INET);
	int lost_sock = sf_socket(cst, SF_AF_INET);

	if (sf_connect(cst, r.client_sock, &(struct sf_endpoint){.addr = sa, .port = PORT}) != -EINPROGRESS ||
	    sf_connect(cst, lost_sock, &(struct sf_endpoint){.addr = nowhere, .port = PORT}) != -EINPROGRESS)
		fail(&r, "connect did not start");
	/* Scripted drops of the client's 20th and (counting anew) 40th datagrams to the server... */
	if (sf_sim_drop_nth(r.sim, r.client_host_i, r.server_host_i, 20) ||
	    sf_sim_drop_nth(r.sim, r.client_host_i, r.server_host_i, 40))
		fail(&r, "sf_sim_drop_nth failed");
	/* ... and 300 ms of partition in the middle of the transfer. */
	if (sf_sim_at(r.sim, 150000000, partition_on, &r) || sf_sim_at(r.sim, 450000000, partition_off, &r))
		fail(&r, "sf_sim_at failed");

	while (!r.done && !r.failed && sf_sim_now(r.sim) < LIMIT_NS) {
		if (!sf_sim_step(r.sim))
			break;
		sf_events_dispatch(r.server);
		sf_events_dispatch(r.client);
	}
	/* A second more for the FINs and their ACKs. */
	sf_sim_run_until(r.sim, sf_sim_now(r.sim) + 1000000000u);
	sf_close(cst, lost_sock);

	const struct sf_sim_stats *st = sf_sim_get_stats(r.sim);

	if (r.ngot != TOTAL || !r.done)
		fail(&r, "the transfer did not complete");
	if (sf_pcap_count(pcap) != r.frames)
		fail(&r, "the capture has other records than the observer was told of");
	if (st->delivered + st->lost + st->queue_drops + st->partition_drops + st->no_route_drops +
		    st->scripted_drops + st->host_down_drops != r.frames)
		fail(&r, "the capture does not hold every delivery and drop");
	/* Every fault of the script happened. */
	if (!st->lost || !st->queue_drops || !st->partition_drops || !st->no_route_drops || !st->scripted_drops ||
	    !st->duplicated || !st->corrupted)
		fail(&r, "a fault of the script did not happen (see the counts)");
	printf("sim_pcapng_tshark: seed %u: %llu frames: %llu delivered (%llu duplicated, %llu corrupted), "
	       "%llu dropped (%llu lost, %llu queue, %llu partition, %llu no route, %llu scripted)\n",
	       SEED, (unsigned long long)r.frames, (unsigned long long)st->delivered,
	       (unsigned long long)st->duplicated, (unsigned long long)st->corrupted, (unsigned long long)r.drops,
	       (unsigned long long)st->lost, (unsigned long long)st->queue_drops,
	       (unsigned long long)st->partition_drops, (unsigned long long)st->no_route_drops,
	       (unsigned long long)st->scripted_drops);
	printf("frames=%llu\n", (unsigned long long)r.frames);

	if (sf_pcap_close(pcap))
		fail(&r, "closing the capture failed");
	if (fclose(r.expected))
		fail(&r, "writing the expected comments failed");
	sf_events_free(r.server);
	sf_events_free(r.client);
	sf_simhost_free(r.server_host);
	sf_simhost_free(r.client_host);
	sf_sim_free(r.sim);
	free(r.sent);
	return r.failed ? 1 : 0;
}
