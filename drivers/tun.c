/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TUN driver (see tun.h). Linux only.
 */
#define _GNU_SOURCE
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "pcap.h"

#define TUN_MAX_WATCH 8
#define TUN_BUF 65536
#define TUN_READ_BATCH 64

struct sf_tun {
	int fd;
	char name[IFNAMSIZ];
	uint32_t mtu;
	sf_stack *stack;
	struct sf_pcap *pcap;
	int write_error; /* last -errno from a write, reported once */
	int hold_syn;    /* 1: hold the first SYN; 2: holding it; 0: done */
	unsigned drop_every, data_seen; /* sf_tun_drop_every */
	uint8_t held[2048];
	size_t held_len;
	struct sf_events *events; /* sf_tun_set_events */
	/* sf_tun_stop, which a signal handler or another thread may call: the
	 * code to return, and an eventfd that wakes the loop's poll(), so that
	 * a stop between the loop's check and its sleep is not missed. */
	volatile sig_atomic_t stop_rc;
	int wake_fd;
	struct pollfd watch[TUN_MAX_WATCH];
	int nwatch;
	uint8_t buf[TUN_BUF];
};

uint64_t sf_tun_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The TCP flags of an IPv4 or IPv6 datagram carrying TCP, or -1. */
static int tcp_flags(const uint8_t *d, size_t len)
{
	if (len >= 20 && (d[0] >> 4) == 4 && d[9] == 6) {
		size_t ihl = (size_t)(d[0] & 15) * 4;
		return len >= ihl + 14 ? d[ihl + 13] : -1;
	}
	if (len >= 54 && (d[0] >> 4) == 6 && d[6] == 6)
		return d[53];
	return -1;
}

#define FLAG_SYN 0x02
#define FLAG_ACK 0x10

void sf_tun_hold_first_syn(struct sf_tun *t)
{
	t->hold_syn = 1;
}

void sf_tun_drop_every(struct sf_tun *t, unsigned n)
{
	t->drop_every = n;
}

/* Whether an IPv4 or IPv6 datagram carries TCP data (not just headers). */
static int carries_tcp_data(const uint8_t *d, size_t len)
{
	size_t ip = (d[0] >> 4) == 4 ? (size_t)(d[0] & 15) * 4 : 40;
	return tcp_flags(d, len) >= 0 && len >= ip + 13 && len > ip + (size_t)(d[ip + 12] >> 4) * 4;
}

static void tun_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct sf_tun *t = ctx;
	/* Held until the peer's SYN arrives: a retransmission replaces it, or
	 * it could reach the peer first and the SYNs would not cross. */
	if (t->hold_syn && (tcp_flags(dgram, len) & (FLAG_SYN | FLAG_ACK)) == FLAG_SYN && len <= sizeof t->held) {
		memcpy(t->held, dgram, len);
		t->held_len = len;
		t->hold_syn = 2;
		return;
	}
	if (t->pcap)
		sf_pcap_write(t->pcap, sf_tun_now_ns(), dgram, len);
	/* A TUN write hands the datagram to the kernel's receive path; it does
	 * not block. A failure is a lost datagram, which TCP repairs. */
	if (write(t->fd, dgram, len) < 0 && errno != EAGAIN && errno != EINTR)
		t->write_error = -errno;
}

static int fill_secret(uint8_t *secret, size_t len, char *err, size_t errcap)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(secret + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errcap, "getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/* A socket for the device ioctls, and ifr naming the device: the socket, or -errno. */
static int device_ctl(const char *name, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", name);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s < 0 ? -errno : s;
}

static int device_mtu(const char *name, uint32_t *mtu)
{
	struct ifreq ifr;
	int s = device_ctl(name, &ifr);
	if (s < 0)
		return s;
	int rc = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : 0;
	close(s);
	if (rc == 0)
		*mtu = (uint32_t)ifr.ifr_mtu;
	return rc;
}

/* The kernel queues the datagrams bound for the stack in the device's
 * txqueuelen (500 by default), and a thousand connections opening at once
 * overflow it before the loop has read them: raise it to
 * SF_TUN_TXQUEUELEN when it is lower. Best effort: the device works without. */
static void raise_txqueuelen(const char *name)
{
	struct ifreq ifr;
	int s = device_ctl(name, &ifr);
	if (s < 0)
		return;
	if (ioctl(s, SIOCGIFTXQLEN, &ifr) == 0 && ifr.ifr_qlen < SF_TUN_TXQUEUELEN) {
		ifr.ifr_qlen = SF_TUN_TXQUEUELEN;
		(void)ioctl(s, SIOCSIFTXQLEN, &ifr);
	}
	close(s);
}

/* Attaching gives the device its carrier, but the kernel applies the change
 * later (its link watch runs up to a second behind), and until then drops
 * what it sends through the device: a first SYN,ACK, a first SYN. So wait,
 * at most 2 s, until an administratively up device is running. */
static void wait_running(const char *name)
{
	struct ifreq ifr;
	int s = device_ctl(name, &ifr);
	if (s < 0)
		return;
	for (int i = 0; i < 200; i++) {
		if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP) || (ifr.ifr_flags & IFF_RUNNING))
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	close(s);
}

struct sf_tun *sf_tun_open(const char *name, const struct sf_config *cfg, const struct sf_addr *addr, uint32_t mtu,
			   const char *pcap_path, char *err, size_t errcap)
{
	if (!name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errcap, "TUN device name must be 1..%d characters", IFNAMSIZ - 1);
		return NULL;
	}
	struct sf_tun *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->wake_fd < 0) {
		snprintf(err, errcap, "eventfd: %s", strerror(errno));
		free(t);
		return NULL;
	}
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		int e = errno;
		snprintf(err, errcap, "cannot open /dev/net/tun: %s%s", strerror(e),
			 e == ENOENT ? " (no TUN support: modprobe tun?)"
			 : (e == EACCES || e == EPERM) ? " (needs CAP_NET_ADMIN: run as root or in a namespace you own)"
						       : "");
		close(t->wake_fd);
		free(t);
		return NULL;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		snprintf(err, errcap, "cannot attach to TUN device %s: %s%s", name, strerror(e),
			 e == EPERM ? " (needs CAP_NET_ADMIN, or the device belongs to another user)"
			 : e == EBUSY ? " (another process holds it, or it is not a TUN device without packet info)"
			 : e == EINVAL ? " (a device of that name exists and is not a TUN device)"
				       : "");
		goto fail;
	}
	snprintf(t->name, sizeof t->name, "%s", ifr.ifr_name);
	raise_txqueuelen(t->name);
	wait_running(t->name);
	if (mtu == 0) {
		int rc = device_mtu(t->name, &mtu);
		if (rc < 0) {
			snprintf(err, errcap, "cannot read the MTU of %s: %s", t->name, strerror(-rc));
			goto fail;
		}
	}
	t->mtu = mtu;
	struct sf_config c = *cfg;
	c.output = tun_output;
	c.output_ctx = t;
	if (fill_secret(c.secret, sizeof c.secret, err, errcap) < 0)
		goto fail;
	t->stack = sf_stack_new(&c, sf_tun_now_ns());
	if (!t->stack) {
		snprintf(err, errcap, "sf_stack_new failed (bad configuration?)");
		goto fail;
	}
	int rc = sf_stack_add_address(t->stack, addr, mtu);
	if (rc < 0) {
		snprintf(err, errcap, "sf_stack_add_address (MTU %u): %s", (unsigned)mtu, strerror(-rc));
		goto fail;
	}
	if (pcap_path) {
		size_t plen = strlen(pcap_path);
		bool ng = plen > 7 && strcmp(pcap_path + plen - 7, ".pcapng") == 0;
		t->pcap = sf_pcap_open_format(pcap_path, ng ? SF_PCAP_NG : SF_PCAP_CLASSIC);
		if (!t->pcap) {
			snprintf(err, errcap, "cannot write pcap %s: %s", pcap_path, strerror(errno));
			goto fail;
		}
	}
	return t;
fail:
	sf_stack_free(t->stack);
	close(t->fd);
	close(t->wake_fd);
	free(t);
	return NULL;
}

void sf_tun_close(struct sf_tun *t)
{
	if (!t)
		return;
	sf_stack_free(t->stack);
	sf_pcap_close(t->pcap);
	close(t->fd);
	close(t->wake_fd);
	free(t);
}

sf_stack *sf_tun_stack(const struct sf_tun *t) { return t->stack; }
uint32_t sf_tun_mtu(const struct sf_tun *t) { return t->mtu; }
const char *sf_tun_name(const struct sf_tun *t) { return t->name; }

int sf_tun_watch_fd(struct sf_tun *t, int fd, short events)
{
	for (int i = 0; i < t->nwatch; i++) {
		if (t->watch[i].fd == fd) {
			t->watch[i].events = events;
			return 0;
		}
	}
	if (t->nwatch == TUN_MAX_WATCH)
		return -ENOSPC;
	t->watch[t->nwatch++] = (struct pollfd){ .fd = fd, .events = events };
	return 0;
}

void sf_tun_unwatch_fd(struct sf_tun *t, int fd)
{
	for (int i = 0; i < t->nwatch; i++) {
		if (t->watch[i].fd == fd) {
			t->watch[i] = t->watch[--t->nwatch];
			return;
		}
	}
}

/* Read what the device has (a bounded batch, so timers and the app keep
 * running under load). 0, or a negative errno on a device error. */
static int read_datagrams(struct sf_tun *t)
{
	for (int i = 0; i < TUN_READ_BATCH; i++) {
		ssize_t n = read(t->fd, t->buf, sizeof t->buf);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		if (n == 0)
			return 0;
		uint64_t now = sf_tun_now_ns();
		bool lose = t->drop_every && carries_tcp_data(t->buf, (size_t)n) && ++t->data_seen % t->drop_every == 0;
		if (t->pcap)
			sf_pcap_write_comment(t->pcap, now, t->buf, (size_t)n, lose ? "dropped: on purpose (drop every nth)" : NULL);
		if (t->hold_syn == 2 && (tcp_flags(t->buf, (size_t)n) & (FLAG_SYN | FLAG_ACK)) == FLAG_SYN) {
			/* The peer's SYN is here: ours goes first, so they cross. */
			t->hold_syn = 0;
			tun_output(t, t->held, t->held_len);
		}
		if (lose)
			continue; /* a loss, on purpose (sf_tun_drop_every) */
		sf_input(t->stack, now, t->buf, (size_t)n);
	}
	return 0;
}

/* The datagrams of one wake-up are one input batch: the stack ACKs each
 * connection once, after all of them (RFC 9293 MUST-59). */
static int read_batch(struct sf_tun *t)
{
	sf_input_begin(t->stack);
	int r = read_datagrams(t);
	sf_input_end(t->stack);
	return r;
}

void sf_tun_set_events(struct sf_tun *t, struct sf_events *ev)
{
	t->events = ev;
}

void sf_tun_stop(struct sf_tun *t, int rc)
{
	/* Only async-signal-safe work here: a store and a write(2). */
	int saved = errno;
	uint64_t one = 1;
	t->stop_rc = rc ? rc : 1;
	if (write(t->wake_fd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is full, the loop is woken already. */
	}
	errno = saved;
}

int sf_tun_run(struct sf_tun *t, sf_tun_app_fn app, void *ctx)
{
	struct pollfd pfd[2 + TUN_MAX_WATCH];
	for (;;) {
		uint64_t now = sf_tun_now_ns();
		sf_advance(t->stack, now);
		if (t->events)
			sf_events_dispatch(t->events);
		int wake_ms = -1;
		int rc = app ? app(ctx, t, now, &wake_ms) : 0;
		if (rc == 0 && t->stop_rc != 0) {
			/* A stop is taken once: a later sf_tun_run runs again. */
			uint64_t count;
			rc = t->stop_rc;
			t->stop_rc = 0;
			if (read(t->wake_fd, &count, sizeof count) < 0) {
				/* EAGAIN: nothing to drain */
			}
		}
		if (rc != 0)
			return rc;
		if (t->write_error) {
			fprintf(stderr, "synfin: write to %s: %s (datagram lost)\n", t->name,
				strerror(-t->write_error));
			t->write_error = 0;
		}
		/* Sleep until the stack's next deadline, the app's wish or input. */
		int timeout = -1;
		uint64_t deadline = sf_next_deadline(t->stack);
		now = sf_tun_now_ns();
		if (deadline != UINT64_MAX) {
			uint64_t ms = deadline <= now ? 0 : (deadline - now + 999999) / 1000000;
			timeout = ms > INT_MAX ? INT_MAX : (int)ms;
		}
		if (wake_ms >= 0 && (timeout < 0 || wake_ms < timeout))
			timeout = wake_ms;
		pfd[0] = (struct pollfd){ .fd = t->fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = t->wake_fd, .events = POLLIN };
		for (int i = 0; i < t->nwatch; i++) {
			pfd[2 + i] = t->watch[i];
			pfd[2 + i].revents = 0;
		}
		int n = poll(pfd, (nfds_t)(2 + t->nwatch), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (pfd[0].revents & POLLIN) {
			rc = read_batch(t);
			if (rc < 0)
				return rc;
		}
	}
}
