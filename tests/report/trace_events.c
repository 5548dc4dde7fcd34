/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes JSON trace lines (drivers/report.h) for check_trace_schema.py to
 * hold against docs/trace.schema.json: first a real connection's life on the
 * simulated network (handshake, data, a partition long enough for
 * retransmissions past R1, so negative advice, the close and 2MSL, a runt
 * datagram dropped), then one hand-made event of every kind with every
 * field set, IPv6 among them, so that no field escapes the schema.
 *
 * usage: report_trace_events > trace.jsonl
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "sim.h"
#include "simhost.h"

#define PORT 80
#define MS 1000000ull

struct app {
	struct sf_sim *sim;
	struct sf_simhost *client, *server;
	int cs, ls, ss;
	size_t received, sent;
	int server_closed, client_closed;
};

static uint8_t payload[20000];

/* The applications' work every 10 ms of virtual time: the client sends and
 * then closes, the server reads until the FIN and closes. */
static void tick(void *ctx, uint64_t now)
{
	struct app *a = ctx;
	sf_stack *c = sf_simhost_stack(a->client), *s = sf_simhost_stack(a->server);
	sf_sim_sync_hosts(a->sim);
	if (a->sent < sizeof payload) {
		long n = sf_send(c, a->cs, payload + a->sent, sizeof payload - a->sent);
		if (n > 0)
			a->sent += (size_t)n;
	} else if (!a->client_closed) {
		sf_close(c, a->cs);
		a->client_closed = 1;
	}
	if (a->ss < 0)
		a->ss = sf_accept(s, a->ls, NULL);
	if (a->ss >= 0 && !a->server_closed) {
		uint8_t buf[4096];
		long n;
		while ((n = sf_recv(s, a->ss, buf, sizeof buf)) > 0)
			a->received += (size_t)n;
		if (n == 0) {
			sf_close(s, a->ss);
			a->server_closed = 1;
		}
	}
	if (now < 60000 * MS)
		sf_sim_at(a->sim, now + 10 * MS, tick, a);
}

static void partition(void *ctx, uint64_t now)
{
	struct app *a = ctx;
	(void)now;
	sf_sim_partition(a->sim, sf_simhost_index(a->client), sf_simhost_index(a->server), true);
}

static void heal(void *ctx, uint64_t now)
{
	struct app *a = ctx;
	(void)now;
	sf_sim_partition(a->sim, sf_simhost_index(a->client), sf_simhost_index(a->server), false);
}

static int real_connection(void)
{
	struct app a = { .cs = -1, .ls = -1, .ss = -1 };
	struct sf_config cfg;
	struct sf_addr ca = sf_addr_v4(10, 0, 0, 1), sa = sf_addr_v4(10, 0, 0, 2);
	sf_config_default(&cfg);
	cfg.msl_ms = 1000;
	cfg.trace = sf_report_trace_json_hook;
	cfg.trace_ctx = stdout;
	a.sim = sf_sim_new(7);
	memset(cfg.secret, 1, sizeof cfg.secret);
	a.client = sf_simhost_new(a.sim, "client", &ca, 1500, &cfg);
	memset(cfg.secret, 2, sizeof cfg.secret);
	a.server = sf_simhost_new(a.sim, "server", &sa, 1500, &cfg);
	if (!a.client || !a.server)
		return 1;
	sf_stack *c = sf_simhost_stack(a.client), *s = sf_simhost_stack(a.server);
	struct sf_sim_link link = { .delay_ns = 5 * MS, .bandwidth_bps = 1000000 }; /* 160 ms for the payload */
	sf_sim_set_all_links(a.sim, &link);

	a.ls = sf_socket(s, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = PORT };
	if (sf_bind(s, a.ls, &any) < 0 || sf_listen(s, a.ls, 8) < 0)
		return 1;
	a.cs = sf_socket(c, SF_AF_INET);
	struct sf_endpoint to = { sa, PORT };
	sf_connect(c, a.cs, &to);
	sf_sim_at(a.sim, 10 * MS, tick, &a);
	sf_sim_at(a.sim, 50 * MS, partition, &a);
	sf_sim_at(a.sim, 8000 * MS, heal, &a);
	sf_sim_run(a.sim, 70000 * MS);

	/* A datagram too short for an IP header: a drop with no segment. */
	static const uint8_t runt[8] = { 0x45 };
	sf_input(c, sf_now(c), runt, sizeof runt);

	int ok = a.received == sizeof payload && a.server_closed && a.client_closed;
	if (!ok)
		fprintf(stderr, "report_trace_events: the transfer did not finish (%zu of %zu octets)\n", a.received,
			sizeof payload);
	sf_simhost_free(a.client);
	sf_simhost_free(a.server);
	sf_sim_free(a.sim);
	return ok ? 0 : 1;
}

/* One event of each kind by hand, every optional field present. */
static int every_kind(void)
{
	struct sf_addr a6, b6;
	if (sf_addr_parse("2001:db8::1", &a6) < 0 || sf_addr_parse("2001:db8::2", &b6) < 0)
		return 1;
	uint8_t data[5] = { 0 };
	struct sf_segment seg = { .src = b6, .dst = a6, .sport = 40000, .dport = 443, .seq = 4294967295u,
				  .ack = 1, .flags = 0xff, .window = 0, .urgent = 65535, .ttl = 255, .tclass = 255,
				  .payload = data, .payload_len = sizeof data };
	seg.opt = (struct sf_tcp_options){ .has_mss = 1, .mss = 1220, .has_wscale = 1, .wscale = 14,
					   .sack_permitted = 1, .has_timestamp = 1, .ts_val = 1, .ts_ecr = 2,
					   .sack_count = SF_TCP_MAX_SACK_BLOCKS };
	struct sf_endpoint local = { a6, 443 }, remote = { b6, 40000 }, wild = { .port = 443 };
	const struct sf_trace_event evs[] = {
		{ .kind = SF_TRACE_SEGMENT_IN, .now_ns = 1, .sock = 0, .seg = &seg, .local = local, .remote = remote },
		{ .kind = SF_TRACE_SEGMENT_OUT, .now_ns = 2, .sock = 0, .seg = &seg, .retransmit = 1, .mtu_probe = 1,
		  .local = local, .remote = remote },
		{ .kind = SF_TRACE_STATE, .now_ns = 3, .sock = 0, .old_state = SF_CLOSED, .new_state = SF_LISTEN,
		  .cause = SF_CAUSE_LISTEN, .local = wild },
		{ .kind = SF_TRACE_TIMER, .now_ns = 4, .sock = -1, .timer = SF_TIMER_PERSIST,
		  .new_state = SF_ESTABLISHED, .local = local, .remote = remote },
		{ .kind = SF_TRACE_DROP, .now_ns = 5, .sock = -1, .seg = &seg, .drop = SF_DROP_TCP_CHECKSUM,
		  .local = local, .remote = remote },
		{ .kind = SF_TRACE_DROP, .now_ns = 6, .sock = -1, .drop = SF_DROP_TRUNCATED },
		{ .kind = SF_TRACE_NEGATIVE_ADVICE, .now_ns = 7, .sock = -1, .local = local, .remote = remote },
		{ .kind = SF_TRACE_PATH_MTU, .now_ns = 8, .sock = 0, .mtu = 1280, .cause = SF_CAUSE_PMTU_ICMP,
		  .local = local, .remote = remote },
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (sf_report_trace_json(stdout, &evs[i]) != 0)
			return 1;
	return 0;
}

int main(void)
{
	int rc = real_connection() | every_kind();
	return fflush(stdout) == 0 ? rc : 1;
}
