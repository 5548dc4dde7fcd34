/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tun_echo: a TCP echo server (RFC 862) on a Linux TUN device, built from
 * the TUN driver's loop and the socket events of <synfin/events.h>.
 *
 *     tun_echo DEVICE ADDRESS PORT          e.g.  tun_echo sf0 192.0.2.2 7
 *
 * The device must exist and be up, with the kernel's address in the same
 * subnet (examples/README.md has the commands). SIGINT or SIGTERM stops it;
 * it then exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <synfin.h>
#include <synfin/events.h>
#include <synfin/tun.h>

static struct sf_tun *tun;

/* sf_tun_stop is async-signal-safe: the loop wakes and sf_tun_run returns. */
static void on_signal(int sig)
{
	sf_tun_stop(tun, sig);
}

/* Write back all that arrived. sf_events_write keeps what the send buffer
 * cannot take yet, so a short send never loses a byte; past its limit (a
 * peer sending 4 MiB without reading) the connection is reset instead. */
static void readable(void *ctx, struct sf_events *ev, int sock)
{
	char buf[16384];
	long n;
	(void)ctx;
	while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0)
		if (sf_events_write(ev, sock, buf, (size_t)n) != n) {
			sf_abort(sf_events_stack(ev), sock);
			return;
		}
	/* The peer's FIN: ours follows the last echoed byte (RFC 9293 §3.6). */
	if (n == 0)
		sf_events_close(ev, sock);
}

int main(int argc, char **argv)
{
	struct sf_config cfg;
	struct sf_addr addr;
	char err[256];
	if (argc != 4 || sf_addr_parse(argv[2], &addr) < 0) {
		fprintf(stderr, "usage: tun_echo DEVICE ADDRESS PORT\n");
		return 2;
	}
	sf_config_default(&cfg); /* the secret is filled by sf_tun_open, from getrandom() */
	if (!(tun = sf_tun_open(argv[1], &cfg, &addr, 0, NULL, err, sizeof err))) {
		fprintf(stderr, "tun_echo: %s\n", err);
		return 1;
	}
	struct sf_events_handlers h = { .readable = readable }; /* accepted, connected, closed: not needed */
	struct sf_events *ev = sf_events_new(sf_tun_stack(tun), &h, NULL);
	if (!ev || sf_events_listen(ev, addr.family, (uint16_t)atoi(argv[3]), 128) < 0) {
		fprintf(stderr, "tun_echo: cannot listen on port %s\n", argv[3]);
		return 1;
	}
	sf_tun_set_events(tun, ev);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("echo server on %s port %s\n", argv[2], argv[3]);
	int rc = sf_tun_run(tun, NULL, NULL); /* until a signal, or a device error */
	sf_events_free(ev);
	sf_tun_close(tun);
	return rc == SIGINT || rc == SIGTERM ? 0 : 1;
}
