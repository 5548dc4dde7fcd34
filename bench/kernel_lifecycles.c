/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-kernel-lifecycles: the workload of synfin-bench-lifecycles
 * (connection lifecycles per second, workload 1 of bench/run-all.sh) on the
 * Linux kernel's TCP over loopback, for comparison.
 *
 * One thread, blocking sockets, 127.0.0.1 to 127.0.0.1. Each lifecycle:
 * socket, connect to one of 256 listeners (the ports rotate, as in
 * lifecycles.c; the listen backlog lets a blocking connect complete before
 * accept), accept, 1 byte each way, the client closes first (so the client
 * side keeps TIME-WAIT for 60 s, which outlasts most runs), the server reads
 * EOF and closes. With --rst the client sets SO_LINGER {1, 0} and closes:
 * RST, no TIME-WAIT. Loopback delivery runs in softirq context on the sending
 * CPU, so every step has completed (or completes under a blocking call) before
 * the next one starts.
 *
 * The run happens in a fresh network namespace (unshare(CLONE_NEWNET), then
 * lo brought up) when that is allowed (root): the TIME-WAIT count is then the
 * benchmark's own, the namespace's sysctls are the defaults, and everything
 * dies with the process. Otherwise (or with --host-netns) it uses the host's
 * loopback. Host sysctls are never changed.
 *
 * TIME-WAIT sockets are counted from /proc/net/sockstat ("TCP: ... tw N",
 * per namespace) at each tenth's end, outside the timed part of the tenth.
 * The kernel keeps at most net.ipv4.tcp_max_tw_buckets of them: past that a
 * closing socket is destroyed instead of entering TIME-WAIT and TcpExt
 * TCPTimeWaitOverflow counts it ("time wait bucket table overflow"), so the
 * TIME-WAIT column stops growing there; the program reports when that
 * happens. Ephemeral ports: connect() picks from ip_local_port_range (28232
 * ports by default) per destination, and the 256 server ports give each its
 * own 4-tuple space, so 1M lifecycles need ~3900 ports per destination.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lifecycle_report.h"

#define NPORTS 256
#define BASE_PORT 20000 /* unprivileged, below the ephemeral range */

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* TIME-WAIT sockets of this namespace, from "TCP: inuse I orphan O tw N ...". */
static long long sockstat_tw(void)
{
	char line[256];
	long long tw = -1;
	FILE *f = fopen("/proc/net/sockstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		const char *p = strstr(line, " tw ");
		if (!strncmp(line, "TCP:", 4) && p)
			tw = strtoll(p + 4, NULL, 10);
	}
	fclose(f);
	return tw;
}

/* One TcpExt counter from /proc/net/netstat (a line of names, then a line of values). */
static long long tcpext(const char *name)
{
	static char names[8192], values[8192];
	long long v = -1;
	FILE *f = fopen("/proc/net/netstat", "r");
	if (!f)
		return -1;
	while (fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		char *ns, *vs, *n = strtok_r(names, " \n", &ns), *val = strtok_r(values, " \n", &vs);
		for (; n && val; n = strtok_r(NULL, " \n", &ns), val = strtok_r(NULL, " \n", &vs))
			if (!strcmp(n, name))
				v = strtoll(val, NULL, 10);
	}
	fclose(f);
	return v;
}

/* A fresh network namespace with lo up; 0 on success, else errno (and we stay in the host's). */
static int enter_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return errno;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		perror("lo");
		exit(1);
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr)) { /* in a namespace we own this cannot fail: no fallback */
		perror("bringing lo up");
		exit(1);
	}
	close(fd);
	return 0;
}

static void die(const char *what, unsigned long long i)
{
	fprintf(stderr, "%s failed at lifecycle %llu: %s\n", what, i, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct lc_run run; /* the CSV is opened here, before unshare: the path is the caller's either way */
	lc_begin(&run, "linux", argc, argv, LC_BUDGET | LC_UNTIMED_REPORT, "--host-netns");
	int host = run.opts.extra;
	char where[96];
	int e = host ? -1 : enter_netns();
	if (e == 0)
		snprintf(where, sizeof where, "a fresh network namespace");
	else if (host)
		snprintf(where, sizeof where, "the host's namespace (--host-netns)");
	else
		snprintf(where, sizeof where, "the host's namespace (unshare: %s)", strerror(e));

	/* /proc/sys/net and /proc/net show the namespace we are in now. */
	long long max_tw = read_ll("/proc/sys/net/ipv4/tcp_max_tw_buckets");
	long long reuse = read_ll("/proc/sys/net/ipv4/tcp_tw_reuse");
	long long lo = -1, hi = -1;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f) {
		if (fscanf(f, "%lld %lld", &lo, &hi) != 2)
			lo = hi = -1;
		fclose(f);
	}
	long long tw0 = sockstat_tw(), overflow0 = tcpext("TCPTimeWaitOverflow"), recycled0 = tcpext("TWRecycled");

	int listeners[NPORTS];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	for (int p = 0; p < NPORTS; p++) {
		int one = 1;
		listeners[p] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sa.sin_port = htons((uint16_t)(BASE_PORT + p));
		if (listeners[p] < 0 || setsockopt(listeners[p], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
		    bind(listeners[p], (struct sockaddr *)&sa, sizeof sa) || listen(listeners[p], 128))
			die("listen", 0);
	}

	struct utsname u;
	uname(&u);
	char stack_line[1024]; /* room for any %.0f budget */
	snprintf(stack_line, sizeof stack_line,
		 "stack Linux %s, loopback in %s; tcp_max_tw_buckets %lld, tcp_tw_reuse %lld, ip_local_port_range "
		 "%lld-%lld; TIME-WAIT at start %lld; budget %.0f s wall",
		 u.release, where, max_tw, reuse, lo, hi, tw0, run.opts.max_seconds);
	lc_print_header(&run, stack_line);

	const struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };
	long long cap_tenth = 0, tw;
	lc_start(&run);
	char b;
	for (uint64_t i = 0; i < run.opts.n; i++) {
		if (lc_budget_exceeded(&run))
			break;
		int p = (int)(i % NPORTS);
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0)
			die("socket", i);
		sa.sin_port = htons((uint16_t)(BASE_PORT + p));
		if (connect(c, (struct sockaddr *)&sa, sizeof sa)) {
			if (errno != EADDRNOTAVAIL)
				die("connect", i);
			lc_stop(&run, "connect: no free local port (EADDRNOTAVAIL)");
			close(c);
			break;
		}
		int s = accept4(listeners[p], NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			die("accept", i);
		if (write(c, "q", 1) != 1 || write(s, "r", 1) != 1)
			die("write", i);
		if (read(s, &b, 1) != 1 || read(c, &b, 1) != 1)
			die("read", i);
		if (run.opts.rst && setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close))
			die("SO_LINGER", i);
		close(c);
		/* EOF after the client's FIN; ECONNRESET after its RST. */
		ssize_t r = read(s, &b, 1);
		if (!(r == 0 || (run.opts.rst && r < 0 && errno == ECONNRESET)))
			die("server read of EOF", i);
		close(s);

		if (lc_lifecycle_done(&run)) {
			/* Reading /proc costs ~10-50 µs: outside the timed part of the tenth. */
			tw = sockstat_tw();
			if (!cap_tenth && tcpext("TCPTimeWaitOverflow") > overflow0)
				cap_tenth = (long long)(run.done / run.tenth);
			lc_tenth_done(&run, tw);
		}
	}
	lc_end(&run);
	tw = sockstat_tw();
	lc_stopped(&run, tw);
	long long overflow = tcpext("TCPTimeWaitOverflow") - overflow0, recycled = tcpext("TWRecycled") - recycled0;
	if (overflow > 0)
		printf("TIME-WAIT cap: tcp_max_tw_buckets (%lld) reached in tenth %lld; %lld client sockets closed "
		       "without TIME-WAIT (TcpExt TCPTimeWaitOverflow)\n",
		       max_tw, cap_tenth ? cap_tenth : (long long)(run.done / run.tenth + 1), overflow);
	/* connect() may take over a TIME-WAIT socket's 4-tuple (tcp_tw_reuse): that one leaves the count. */
	if (recycled > 0)
		printf("TIME-WAIT reuse: connect() took over %lld TIME-WAIT 4-tuples (TcpExt TWRecycled)\n", recycled);
	lc_finish(&run, "; TIME-WAIT sockets %lld", tw);
	return 0;
}
