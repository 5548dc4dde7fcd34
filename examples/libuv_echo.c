/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libuv_echo: the synfin core driven from a foreign event loop, libuv's,
 * instead of the TUN driver's. The program opens the TUN device itself and
 * does what any driver does (THE CONTRACT at the top of synfin.h):
 *
 *   - the device's fd is a uv_poll_t; each datagram read goes to sf_input,
 *     the datagrams of one wake-up between sf_input_begin and sf_input_end
 *     (one ACK per connection for the lot, RFC 9293 MUST-58, MUST-59);
 *   - a uv_timer_t, re-armed from sf_next_deadline after every call into the
 *     stack, calls sf_advance: the stack's timers (retransmission, RFC 6298;
 *     delayed ACK; TIME-WAIT) run on libuv's clock;
 *   - cfg.output writes each datagram to the fd, and does nothing else;
 *   - the secret is 16 bytes from getrandom() (RFC 9293 MUST-9, RFC 6528).
 *
 * The echo itself is <synfin/events.h>, which works over any driver.
 *
 *     libuv_echo DEVICE ADDRESS PORT         e.g.  libuv_echo sf0 192.0.2.2 7
 *
 * SIGINT or SIGTERM stops it (exit 0).
 */
#define _GNU_SOURCE /* getrandom */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>
#include <uv.h>

#include <synfin.h>
#include <synfin/events.h>

#define MTU 1500 /* a new TUN device's; drivers/tun.c asks the device (SIOCGIFMTU) */

struct app {
	uv_loop_t *loop;
	uv_poll_t poll;
	uv_timer_t timer;
	uv_signal_t sigint, sigterm;
	int fd;
	sf_stack *st;
	struct sf_events *ev;
	uint8_t buf[65536];
};

/* The TUN device name, one bare IP datagram per read and write (IFF_NO_PI). */
static int tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* cfg.output runs inside sf_input, sf_advance and the socket calls, while
 * the stack is part way through a change: it may not call the stack (those
 * calls would fail with -EBUSY), only copy the datagram out. A TUN write
 * does not block; a failed one is a lost datagram, which TCP repairs. */
static void output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct app *a = ctx;
	if (write(a->fd, dgram, len) < 0 && errno != EAGAIN)
		perror("libuv_echo: write");
}

static void on_timer(uv_timer_t *t);

/* After every call into the stack: run the application (outside any stack
 * callback, so it may call anything), then sleep until the next deadline,
 * which both the stack's work and the application's calls may have moved. */
static void after_stack_work(struct app *a)
{
	sf_events_dispatch(a->ev);
	uint64_t deadline = sf_next_deadline(a->st);
	if (deadline == UINT64_MAX) {
		uv_timer_stop(&a->timer);
		return;
	}
	uint64_t now = uv_hrtime();
	uint64_t ms = deadline <= now ? 0 : (deadline - now + 999999) / 1000000;
	uv_timer_start(&a->timer, on_timer, ms, 0);
}

static void on_timer(uv_timer_t *t)
{
	struct app *a = t->data;
	sf_advance(a->st, uv_hrtime());
	after_stack_work(a);
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	struct app *a = p->data;
	(void)events;
	if (status < 0) {
		fprintf(stderr, "libuv_echo: poll: %s\n", uv_strerror(status));
		uv_stop(a->loop);
		return;
	}
	sf_input_begin(a->st);
	for (int i = 0; i < 64; i++) { /* a bounded batch: timers run under load too */
		ssize_t n = read(a->fd, a->buf, sizeof a->buf);
		if (n <= 0)
			break; /* EAGAIN: all read */
		sf_input(a->st, uv_hrtime(), a->buf, (size_t)n);
	}
	sf_input_end(a->st);
	after_stack_work(a);
}

/* The echo (as tun_echo.c): all that arrives is written back, and the
 * peer's FIN is answered with ours after the last byte (RFC 9293 §3.6). */
static void readable(void *ctx, struct sf_events *ev, int sock)
{
	char buf[16384];
	long n;
	(void)ctx;
	while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0)
		if (sf_events_write(ev, sock, buf, (size_t)n) != n) {
			sf_abort(sf_events_stack(ev), sock); /* past the write buffer's limit */
			return;
		}
	if (n == 0)
		sf_events_close(ev, sock);
}

static void on_signal(uv_signal_t *s, int sig)
{
	(void)sig;
	uv_stop(s->loop);
}

static void close_handle(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int main(int argc, char **argv)
{
	static struct app a;
	struct sf_addr addr;
	struct sf_config cfg;
	if (argc != 4 || sf_addr_parse(argv[2], &addr) < 0) {
		fprintf(stderr, "usage: libuv_echo DEVICE ADDRESS PORT\n");
		return 2;
	}
	if ((a.fd = tun_open(argv[1])) < 0) {
		fprintf(stderr, "libuv_echo: cannot attach to TUN device %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sf_config_default(&cfg);
	if (getrandom(cfg.secret, sizeof cfg.secret, 0) != (ssize_t)sizeof cfg.secret) {
		perror("libuv_echo: getrandom");
		return 1;
	}
	cfg.output = output;
	cfg.output_ctx = &a;
	a.st = sf_stack_new(&cfg, uv_hrtime());
	struct sf_events_handlers h = { .readable = readable };
	if (!a.st || sf_stack_add_address(a.st, &addr, MTU) < 0 || !(a.ev = sf_events_new(a.st, &h, NULL)) ||
	    sf_events_listen(a.ev, addr.family, (uint16_t)atoi(argv[3]), 128) < 0) {
		fprintf(stderr, "libuv_echo: cannot set up the stack on %s port %s\n", argv[2], argv[3]);
		return 1;
	}

	a.loop = uv_default_loop();
	uv_poll_init(a.loop, &a.poll, a.fd);
	uv_timer_init(a.loop, &a.timer);
	a.poll.data = a.timer.data = &a;
	uv_poll_start(&a.poll, UV_READABLE, on_readable);
	uv_signal_init(a.loop, &a.sigint);
	uv_signal_init(a.loop, &a.sigterm);
	uv_signal_start(&a.sigint, on_signal, SIGINT);
	uv_signal_start(&a.sigterm, on_signal, SIGTERM);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("echo server (libuv %s) on %s port %s\n", uv_version_string(), argv[2], argv[3]);
	after_stack_work(&a); /* the first deadline, if the stack has one */
	uv_run(a.loop, UV_RUN_DEFAULT);

	/* Stopped by a signal: close every handle, let libuv finish the closes. */
	uv_walk(a.loop, close_handle, NULL);
	uv_run(a.loop, UV_RUN_DEFAULT);
	uv_loop_close(a.loop);
	sf_events_free(a.ev);
	sf_stack_free(a.st);
	close(a.fd);
	return 0;
}
