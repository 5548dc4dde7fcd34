/*
 * synfin-bench-kernel-lifecycles: the workload of synfin-bench-lifecycles
 * (connection lifecycles per second, issue 8 workload 1) on the Linux kernel's
 * TCP over loopback, for comparison.
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
#include <time.h>
#include <unistd.h>

#define NPORTS 256
#define BASE_PORT 20000 /* unprivileged, below the ephemeral range */

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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
	uint64_t n = 100000;
	int rst = 0, host = 0;
	double max_seconds = 60;
	const char *csv_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rst"))
			rst = 1;
		else if (!strcmp(argv[i], "--host-netns"))
			host = 1;
		else if (!strcmp(argv[i], "--n") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc)
			max_seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			csv_path = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--n LIFECYCLES] [--rst] [--csv PATH] [--max-seconds S] [--host-netns]\n",
				argv[0]);
			return 2;
		}
	}
	FILE *csv = NULL;
	if (csv_path) { /* opened before unshare: the path is the caller's either way */
		csv = fopen(csv_path, "a");
		if (!csv) {
			perror(csv_path);
			return 1;
		}
		fseek(csv, 0, SEEK_END);
		if (ftell(csv) == 0)
			fprintf(csv, "stack,close,n,tenth,conn_per_s,time_wait,ns_per_conn\n");
	}
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
	uint64_t tenth = n / 10 ? n / 10 : 1, done = 0;
	printf("lifecycles %llu, close by %s\n", (unsigned long long)n, rst ? "RST (abort)" : "FIN (TIME-WAIT kept)");
	printf("stack Linux %s, loopback in %s; tcp_max_tw_buckets %lld, tcp_tw_reuse %lld, ip_local_port_range "
	       "%lld-%lld; TIME-WAIT at start %lld; budget %.0f s wall\n",
	       u.release, where, max_tw, reuse, lo, hi, tw0, max_seconds);
	printf("%-8s %12s %14s %12s\n", "tenth", "conn/s", "TIME-WAIT", "ns/conn");
	fflush(stdout);

	const struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };
	char why[128] = "";
	long long cap_tenth = 0, tw = tw0;
	double t0 = wall(), tenth_start = t0, untimed = 0;
	char b;
	for (uint64_t i = 0; i < n; i++) {
		if (i % 64 == 0 && wall() - t0 > max_seconds) {
			snprintf(why, sizeof why, "budget (%.0f s)", max_seconds);
			break;
		}
		int p = (int)(i % NPORTS);
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0)
			die("socket", i);
		sa.sin_port = htons((uint16_t)(BASE_PORT + p));
		if (connect(c, (struct sockaddr *)&sa, sizeof sa)) {
			if (errno != EADDRNOTAVAIL)
				die("connect", i);
			snprintf(why, sizeof why, "connect: no free local port (EADDRNOTAVAIL)");
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
		if (rst && setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close))
			die("SO_LINGER", i);
		close(c);
		/* EOF after the client's FIN; ECONNRESET after its RST. */
		ssize_t r = read(s, &b, 1);
		if (!(r == 0 || (rst && r < 0 && errno == ECONNRESET)))
			die("server read of EOF", i);
		close(s);
		done = i + 1;

		if (done % tenth == 0) {
			double t = wall();
			/* Reading /proc costs ~10-50 µs: outside the timed part of the tenth. */
			tw = sockstat_tw();
			if (!cap_tenth && tcpext("TCPTimeWaitOverflow") > overflow0)
				cap_tenth = (long long)(done / tenth);
			double cps = (double)tenth / (t - tenth_start), ns = (t - tenth_start) * 1e9 / (double)tenth;
			printf("%-8llu %12.0f %14lld %12.0f\n", (unsigned long long)(done / tenth), cps, tw, ns);
			fflush(stdout);
			if (csv)
				fprintf(csv, "linux,%s,%llu,%llu,%.0f,%lld,%.0f\n", rst ? "rst" : "fin",
					(unsigned long long)n, (unsigned long long)(done / tenth), cps, tw, ns);
			tenth_start = wall();
			untimed += tenth_start - t;
		}
	}
	double end = wall(), total = end - t0 - untimed;
	tw = sockstat_tw();
	if (why[0]) {
		uint64_t part = done % tenth;
		printf("stopped: %s, in tenth %llu after %llu lifecycles (%llu into it, %.0f conn/s; TIME-WAIT %lld)\n",
		       why, (unsigned long long)(done / tenth + 1), (unsigned long long)done, (unsigned long long)part,
		       part ? (double)part / (end - tenth_start) : 0.0, tw);
	}
	long long overflow = tcpext("TCPTimeWaitOverflow") - overflow0, recycled = tcpext("TWRecycled") - recycled0;
	if (overflow > 0)
		printf("TIME-WAIT cap: tcp_max_tw_buckets (%lld) reached in tenth %lld; %lld client sockets closed "
		       "without TIME-WAIT (TcpExt TCPTimeWaitOverflow)\n",
		       max_tw, cap_tenth ? cap_tenth : (long long)(done / tenth + 1), overflow);
	/* connect() may take over a TIME-WAIT socket's 4-tuple (tcp_tw_reuse): that one leaves the count. */
	if (recycled > 0)
		printf("TIME-WAIT reuse: connect() took over %lld TIME-WAIT 4-tuples (TcpExt TWRecycled)\n", recycled);
	printf("total: %.0f lifecycles/s (%.0f ns each) over %llu; TIME-WAIT sockets %lld\n",
	       done ? (double)done / total : 0.0, done ? total * 1e9 / (double)done : 0.0, (unsigned long long)done, tw);
	if (csv)
		fclose(csv);
	return 0;
}
