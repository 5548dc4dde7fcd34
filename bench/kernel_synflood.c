/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-kernel-synflood: how many spoofed SYNs a second a listener
 * processes with SYN cookies on, the Linux kernel's and synfin's, in the
 * same run on the same datagrams.
 *
 * The kernel: a fresh network namespace (unshare(CLONE_NEWNET), so root is
 * needed; it dies with the process and no host setting is touched) with
 * net.ipv4.tcp_syncookies = 1, a TUN device 10.0.0.1/24 and a listener on
 * 10.0.0.1:80 (backlog 128). --syns SYNs from random spoofed sources in
 * 10.0.0.0/24, each with the options a Linux client sends (MSS, SACK,
 * timestamps, window scale), are written to the device as fast as one thread
 * can; each write() runs the kernel's receive path to the listener. Its
 * SYN,ACKs are read back and counted (a cookie SYN,ACK is one with no
 * request socket behind it: TcpExtSyncookiesSent in the namespace's
 * /proc/net/netstat).
 *
 * synfin: the same datagrams, built the same way, fed to sf_input of a stack
 * with syncookies 1 (the default), syn_backlog 128 to match the kernel's
 * queue, backlog 128; its SYN,ACKs go to a counting sink.
 *
 * Both rates are wall time over all the SYNs: the kernel's includes the
 * write() system call per SYN and the reads of its answers, as a driver
 * reading a real NIC would not pay; synfin's includes building nothing (the
 * datagrams are built before the clock starts, for both). Exit status 77
 * (skipped) without the privilege to make the namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "synfin.h"

#define DGRAM 64 /* IPv4 20 + TCP 20 + options 20, rounded up */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* n SYNs to 10.0.0.1:80 from spoofed 10.0.0.2-254, random ports and ISNs. */
static uint8_t *build_syns(uint64_t n, size_t *lens)
{
	uint8_t *all = malloc(n * DGRAM);
	uint64_t s = 0x5eed5eedull;
	if (!all)
		return NULL;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = bench_rand64(&s);
		struct sf_segment seg = {
			.src = sf_addr_v4(10, 0, 0, (uint8_t)(2 + r % 253)), .dst = sf_addr_v4(10, 0, 0, 1),
			.sport = (uint16_t)(1024 + (r >> 8) % 64000), .dport = 80, .seq = (uint32_t)(r >> 32),
			.flags = SF_TCP_SYN, .window = 64240, .ttl = 64,
			.opt = { .has_mss = 1, .mss = 1460, .sack_permitted = 1, .has_timestamp = 1,
				 .ts_val = (uint32_t)r, .has_wscale = 1, .wscale = 7 },
		};
		lens[i] = sf_segment_build(all + i * DGRAM, DGRAM, &seg);
		if (!lens[i]) {
			free(all);
			return NULL;
		}
	}
	return all;
}

static int sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

/* A TcpExt counter of this namespace (/proc/net/netstat: a names line, then a values line). */
static long long netstat(const char *name)
{
	FILE *f = fopen("/proc/net/netstat", "r");
	char names[8192], values[8192];
	long long v = -1;
	while (f && fgets(names, sizeof names, f) && fgets(values, sizeof values, f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		char *sn, *sv;
		char *n = strtok_r(names, " \n", &sn), *val = strtok_r(values, " \n", &sv);
		while (n && val) {
			if (!strcmp(n, name))
				v = atoll(val);
			n = strtok_r(NULL, " \n", &sn);
			val = strtok_r(NULL, " \n", &sv);
		}
	}
	if (f)
		fclose(f);
	return v;
}

static int tun_up(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strcpy(ifr.ifr_name, "sfk0");
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0)
		return -1;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(0x0a000001);
	if (s < 0 || ioctl(s, SIOCSIFADDR, &ifr) < 0)
		return -1;
	a->sin_addr.s_addr = htonl(0xffffff00);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -1;
	close(s);
	return fd;
}

static uint64_t drain(int fd)
{
	uint8_t buf[2048];
	uint64_t n = 0;
	while (read(fd, buf, sizeof buf) > 0)
		n++;
	return n;
}

struct sink {
	uint64_t n;
};

static void sink_output(void *ctx, const uint8_t *dgram, size_t len)
{
	(void)dgram, (void)len;
	((struct sink *)ctx)->n++;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--syns") && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: synfin-bench-kernel-synflood [--syns N]\n");
			return 2;
		}
	}
	size_t *lens = calloc(n ? n : 1, sizeof *lens);
	uint8_t *syns = lens ? build_syns(n, lens) : NULL;
	if (!syns) {
		fprintf(stderr, "no memory for %llu SYNs\n", (unsigned long long)n);
		return 1;
	}

	/* synfin first: it needs no privilege. */
	struct sink sink = { 0 };
	struct sf_config cfg;
	sf_config_default(&cfg);
	for (int i = 0; i < 16; i++)
		cfg.secret[i] = (uint8_t)(0x30 + i);
	cfg.output = sink_output;
	cfg.output_ctx = &sink;
	cfg.syn_backlog = 128;
	uint64_t t = 1000000000ull;
	sf_stack *st = sf_stack_new(&cfg, t);
	struct sf_addr me = sf_addr_v4(10, 0, 0, 1);
	int l = st ? sf_socket(st, SF_AF_INET) : -1;
	struct sf_endpoint ep = { me, 80 };
	if (!st || sf_stack_add_address(st, &me, 1500) < 0 || l < 0 || sf_bind(st, l, &ep) < 0 || sf_listen(st, l, 128) < 0) {
		fprintf(stderr, "cannot set up the synfin listener\n");
		return 1;
	}
	double t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		t += 1000; /* 1 M SYN/s of virtual time */
		sf_input(st, t, syns + i * DGRAM, lens[i]);
	}
	double synfin_s = now_s() - t0;
	const struct sf_counters *c = sf_stack_counters(st);
	printf("synfin  %llu SYNs in %.3f s: %.0f SYN/s; %llu SYN,ACKs, %llu of them cookies, %llu embryos held\n",
	       (unsigned long long)n, synfin_s, (double)n / synfin_s, (unsigned long long)sink.n,
	       (unsigned long long)c->SyncookiesSent, (unsigned long long)c->SynRecvCurrent);
	sf_stack_free(st);

	if (unshare(CLONE_NEWNET) != 0) {
		printf("linux   skipped: a network namespace needs root (unshare: %s)\n", strerror(errno));
		return 77;
	}
	int tun = tun_up();
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80), .sin_addr.s_addr = htonl(0x0a000001) };
	if (tun < 0 || sysctl_write("/proc/sys/net/ipv4/tcp_syncookies", "1") < 0 || ls < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 128) < 0) {
		fprintf(stderr, "cannot set up the kernel's listener on a TUN device: %s\n", strerror(errno));
		return 1;
	}
	long long cookies0 = netstat("SyncookiesSent"), drops0 = netstat("ListenDrops");
	uint64_t answers = 0;
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		if (write(tun, syns + i * DGRAM, lens[i]) < 0 && errno != EAGAIN) {
			fprintf(stderr, "write to the TUN device: %s\n", strerror(errno));
			return 1;
		}
		if ((i & 255) == 255)
			answers += drain(tun);
	}
	answers += drain(tun);
	double linux_s = now_s() - t0;
	long long cookies = netstat("SyncookiesSent") - cookies0, drops = netstat("ListenDrops") - drops0;
	printf("linux   %llu SYNs in %.3f s: %.0f SYN/s; %llu SYN,ACKs read, %lld cookies (TcpExtSyncookiesSent), "
	       "%lld ListenDrops\n",
	       (unsigned long long)n, linux_s, (double)n / linux_s, (unsigned long long)answers, cookies, drops);
	printf("ratio   synfin / linux = %.2f\n", linux_s / synfin_s);
	free(syns);
	free(lens);
	/* Every SYN answered by a SYN,ACK or counted as dropped, or the run measured nothing. */
	return cookies > 0 && (long long)answers + drops >= (long long)(n * 9 / 10) ? 0 : 1;
}
