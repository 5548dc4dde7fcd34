/*
 * The synfin command.
 *
 *   synfin demo      a client and a server on the simulated network: the
 *                    three-way handshake, a little data, the orderly close and
 *                    TIME-WAIT (SPEC 13.1), printed event by event on virtual
 *                    time. The full per-section demo grows from this.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "simhost.h"
#include "synfin.h"

#define MS 1000000ull

struct demo_host {
	const char *name;
	int column;
};

static void flags_text(uint8_t f, char *buf, size_t cap)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = { { SF_TCP_SYN, "SYN" }, { SF_TCP_FIN, "FIN" }, { SF_TCP_RST, "RST" },
		      { SF_TCP_PSH, "PSH" }, { SF_TCP_ACK, "ACK" } };
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(f & names[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i].name);
		if (n >= cap)
			break;
	}
}

static void demo_trace(void *ctx, const struct sf_trace_event *ev)
{
	const struct demo_host *h = ctx;
	double ms = (double)ev->now_ns / 1e6;
	char fl[32];

	switch (ev->kind) {
	case SF_TRACE_SEGMENT_OUT:
		flags_text(ev->seg->flags, fl, sizeof fl);
		printf("%9.3f ms  %-6s  sends    <%s> seq=%" PRIu32 " ack=%" PRIu32 " win=%u len=%zu", ms, h->name,
		       fl, ev->seg->seq, ev->seg->ack, ev->seg->window, ev->seg->payload_len);
		if (ev->seg->opt.has_mss)
			printf(" <mss %u>", ev->seg->opt.mss);
		printf("\n");
		break;
	case SF_TRACE_STATE:
		printf("%9.3f ms  %-6s  %s -> %s  (%s)\n", ms, h->name, sf_state_name(ev->old_state),
		       sf_state_name(ev->new_state), ev->cause ? ev->cause : "");
		break;
	case SF_TRACE_TIMER:
		printf("%9.3f ms  %-6s  timer %s fires\n", ms, h->name, sf_timer_name(ev->timer));
		break;
	case SF_TRACE_DROP:
		printf("%9.3f ms  %-6s  drops a segment: %s\n", ms, h->name, sf_drop_reason_text(ev->drop));
		break;
	default:
		break;
	}
}

static int demo(void)
{
	struct sf_sim *sim = sf_sim_new(1);
	struct sf_sim_link link = { .delay_ns = 10 * MS };
	struct demo_host hc = { "client", 0 }, hs = { "server", 1 };
	struct sf_config cfg;
	struct sf_addr ca = sf_addr_v4(192, 0, 2, 1), sa = sf_addr_v4(192, 0, 2, 2);

	if (!sim)
		return 1;
	sf_sim_set_all_links(sim, &link);
	sf_config_default(&cfg);
	cfg.msl_ms = 30000;
	cfg.trace = demo_trace;
	cfg.trace_ctx = &hc;
	memcpy(cfg.secret, "synfin demo key!", 16);
	struct sf_simhost *client = sf_simhost_new(sim, "client", &ca, 1500, &cfg);
	cfg.trace_ctx = &hs;
	cfg.secret[0] ^= 0x55;
	struct sf_simhost *server = sf_simhost_new(sim, "server", &sa, 1500, &cfg);
	if (!client || !server)
		return 1;
	sf_stack *cs = sf_simhost_stack(client), *ss = sf_simhost_stack(server);

	printf("SPEC 13.1: connection establishment and termination (virtual time, 10 ms links, MSL 30 s)\n\n");
	int lsock = sf_socket(ss, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 80 };
	sf_bind(ss, lsock, &any);
	sf_listen(ss, lsock, 16);
	int c = sf_socket(cs, SF_AF_INET);
	struct sf_endpoint srv = { .addr = sa, .port = 80 };
	sf_connect(cs, c, &srv);
	sf_sim_run_until(sim, 100 * MS);
	int s = sf_accept(ss, lsock, NULL);
	sf_send(cs, c, "hello", 5);
	sf_sim_run_until(sim, 200 * MS);
	char buf[16];
	long n = sf_recv(ss, s, buf, sizeof buf);
	printf("           server  app reads %ld bytes\n", n);
	sf_close(cs, c);
	sf_sim_run_until(sim, 300 * MS);
	printf("           server  app reads %ld (end of stream)\n", sf_recv(ss, s, buf, sizeof buf));
	sf_close(ss, s);
	sf_sim_run(sim, 120000 * MS);
	sf_close(ss, lsock);
	sf_simhost_free(client);
	sf_simhost_free(server);
	sf_sim_free(sim);
	return 0;
}

static int usage(FILE *out)
{
	fprintf(out, "usage: synfin demo\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "demo") == 0)
		return demo();
	return usage(stderr);
}
