/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TUN loop's stop (drivers/tun.h): sf_tun_stop ends sf_tun_run even
 * while the loop sleeps with no deadline, whether it comes from another
 * thread, from a signal handler, or before the loop starts, and a stop is
 * taken once. The test makes its own network namespace (unshare), so the
 * TUN device it creates exists only there; without root or /dev/net/tun it
 * is skipped.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tun.h"

static struct sf_tun *open_tun(void)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	struct sf_addr addr = sf_addr_v4(192, 0, 2, 2);
	char err[256];
	struct sf_tun *t = sf_tun_open("sfstop0", &cfg, &addr, 1500, NULL, err, sizeof err);
	if (!t)
		print_message("sf_tun_open: %s\n", err);
	return t;
}

static int setup(void **state)
{
	/* Our own namespace: the device never appears in the caller's. */
	if (unshare(CLONE_NEWNET) < 0 || access("/dev/net/tun", R_OK | W_OK) < 0) {
		*state = NULL;
		return 0;
	}
	*state = open_tun();
	return 0;
}

static int teardown(void **state)
{
	sf_tun_close(*state);
	return 0;
}

struct runner {
	struct sf_tun *tun;
	int rc;
};

static void *run_loop(void *arg)
{
	struct runner *r = arg;
	r->rc = sf_tun_run(r->tun, NULL, NULL);
	return NULL;
}

/* Join the loop's thread within 3 s; 0 if it returned in time. */
static int join_within(pthread_t th)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	return pthread_timedjoin_np(th, NULL, &until);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void test_stop_before_run(void **state)
{
	struct sf_tun *t = *state;
	if (!t)
		skip();
	sf_tun_stop(t, 42);
	struct runner r = { t, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_loop, &r), 0);
	if (join_within(th) != 0)
		fail_msg("a stop before sf_tun_run was lost");
	assert_int_equal(r.rc, 42);
	/* Taken once: the next run sleeps until the next stop. */
	assert_int_equal(pthread_create(&th, NULL, run_loop, &r), 0);
	sleep_ms(100);
	assert_int_equal(pthread_tryjoin_np(th, NULL), EBUSY);
	sf_tun_stop(t, 0);
	assert_int_equal(join_within(th), 0);
	assert_int_equal(r.rc, 1);
}

/* The loop sleeps in poll() with no timeout (an idle stack has no timer):
 * a stop from another thread, which interrupts nothing, must still end it. */
static void test_stop_from_another_thread(void **state)
{
	struct sf_tun *t = *state;
	if (!t)
		skip();
	assert_int_equal(sf_next_deadline(sf_tun_stack(t)), UINT64_MAX);
	struct runner r = { t, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_loop, &r), 0);
	sleep_ms(200);
	sf_tun_stop(t, 7);
	if (join_within(th) != 0)
		fail_msg("sf_tun_run still sleeps 3 s after sf_tun_stop");
	assert_int_equal(r.rc, 7);
}

static struct sf_tun *signalled;
static void on_signal(int sig)
{
	sf_tun_stop(signalled, 128 + sig);
}

/* The handler runs on a thread other than the loop's (the loop's thread has
 * the signal blocked), as it may in any threaded program. */
static void test_stop_from_a_signal_handler(void **state)
{
	struct sf_tun *t = *state;
	if (!t)
		skip();
	signalled = t;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	struct runner r = { t, 0 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_loop, &r), 0); /* inherits the block */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sleep_ms(200);
	assert_int_equal(kill(getpid(), SIGUSR1), 0); /* only this thread can take it */
	if (join_within(th) != 0)
		fail_msg("sf_tun_run still sleeps 3 s after a signal handler's sf_tun_stop");
	assert_int_equal(r.rc, 128 + SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
}

/* The device's queue toward the stack is raised from the default 500 (which
 * a thousand connections opening at once overflow) to SF_TUN_TXQUEUELEN. */
static void test_device_queue_raised(void **state)
{
	struct sf_tun *t = *state;
	if (!t)
		skip();
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", sf_tun_name(t));
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCGIFTXQLEN, &ifr), 0);
	close(s);
	assert_int_equal(ifr.ifr_qlen, SF_TUN_TXQUEUELEN);
}

/* On a persistent device that is up (as `ip tuntap add` and `ip link set
 * up` leave it), sf_tun_open returns once the kernel has it running
 * (IFF_RUNNING): before that the kernel drops what it sends to the stack. */
static void test_open_waits_until_running(void **state)
{
	struct sf_tun *t = *state;
	if (!t)
		skip();
	sf_tun_close(t);
	*state = NULL;
	int fd = open("/dev/net/tun", O_RDWR);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "sfrun0");
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	assert_int_equal(ioctl(fd, TUNSETPERSIST, 1), 0);
	close(fd);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	struct sf_config cfg;
	sf_config_default(&cfg);
	struct sf_addr addr = sf_addr_v4(192, 0, 2, 2);
	char err[256];
	for (int round = 0; round < 3; round++) { /* each close takes the carrier away again */
		t = sf_tun_open("sfrun0", &cfg, &addr, 1500, NULL, err, sizeof err);
		assert_non_null(t);
		assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
		assert_true(ifr.ifr_flags & IFF_RUNNING);
		sf_tun_close(t);
	}
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stop_before_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_another_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_a_signal_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_queue_raised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_waits_until_running, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
