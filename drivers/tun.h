/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * The TUN driver: a synfin stack on a Linux TUN device (IFF_TUN | IFF_NO_PI,
 * so every read and write is one bare IPv4 or IPv6 datagram). It reads
 * datagrams into sf_input with CLOCK_MONOTONIC times, writes the stack's
 * output to the device, sleeps in poll() until the stack's next deadline and
 * calls sf_advance. The stack's secret comes from getrandom(). An optional
 * capture records both directions (pcap.h; pcapng when the path ends in
 * ".pcapng", with the datagrams sf_tun_drop_every drops commented). With
 * sf_tun_set_events the loop also dispatches socket events to handlers and
 * buffers writes (events.h), so a server is a few handlers and sf_tun_run.
 *
 * A driver library (libsynfin-tun, <synfin/tun.h>), not part of the core:
 * this is where the OS APIs live. Linux only.
 */
#ifndef SYNFIN_TUN_H
#define SYNFIN_TUN_H

#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sf_tun;
struct sf_events;

/**
 * Called once per loop iteration, after input and timers, so that a tool can
 * do its socket work (sf_accept, sf_recv, sf_send ...). Return 0 to go on,
 * anything else to end sf_tun_run (which returns that value). *wake_ms may be
 * lowered to wake the loop sooner (it starts at -1: no wish).
 */
typedef int (*sf_tun_app_fn)(void *ctx, struct sf_tun *tun, uint64_t now_ns, int *wake_ms);

/** The device queue (txqueuelen) sf_tun_open raises a shorter one to. */
#define SF_TUN_TXQUEUELEN 4096

/**
 * Attach to (or create) the TUN device name. Its txqueuelen, where the
 * kernel holds the datagrams the stack has not read yet, is raised to
 * SF_TUN_TXQUEUELEN if it is shorter (500 is the default, and a thousand
 * connections opening at once overflow it). If the device is up, this waits
 * (at most 2 s) until the kernel has it running: until then it drops what it
 * sends through it, so the stack's first handshake would lose a segment. cfg gives the stack's knobs and
 * trace hook; its output fields are replaced and its secret is filled from
 * getrandom(). pcap_path may be NULL. mtu 0 means "the device's MTU"
 * (SIOCGIFMTU). addr is the stack's own address on the device.
 * NULL on failure, with a human-readable reason in err.
 */
struct sf_tun *sf_tun_open(const char *name, const struct sf_config *cfg, const struct sf_addr *addr, uint32_t mtu,
			   const char *pcap_path, char *err, size_t errcap);
/** Close the device and the pcap file, free the stack. NULL is a no-op. */
void sf_tun_close(struct sf_tun *tun);

/** The stack on the device, for socket calls; freed by sf_tun_close. */
sf_stack *sf_tun_stack(const struct sf_tun *tun);
/** The MTU the stack's address was added with. */
uint32_t sf_tun_mtu(const struct sf_tun *tun);
/** The kernel's name of the device (as given, or as the kernel chose). */
const char *sf_tun_name(const struct sf_tun *tun);

/** Also wake the loop when fd has events (POLLIN etc.); at most 8 fds. 0 or -ENOSPC. */
int sf_tun_watch_fd(struct sf_tun *tun, int fd, short events);
/**
 * Hold back the stack's first SYN until a SYN from the peer arrives, then
 * send it just before the stack takes the peer's: the two SYNs cross, a
 * simultaneous open (RFC 9293 Figure 8), even when the peer's SYN would
 * otherwise only come later. Its retransmissions are held the same way.
 */
void sf_tun_hold_first_syn(struct sf_tun *tun);

/**
 * For tests of loss recovery on a path that loses nothing: drop every nth
 * datagram read that carries TCP data (never a handshake or a bare ACK),
 * before the stack sees it; 0 drops none.
 */
void sf_tun_drop_every(struct sf_tun *tun, unsigned n);

/** Stop watching fd. */
void sf_tun_unwatch_fd(struct sf_tun *tun, int fd);

/** CLOCK_MONOTONIC in nanoseconds. */
uint64_t sf_tun_now_ns(void);

/**
 * Dispatch ev's socket events (events.h) in every loop iteration, after
 * input and timers and before app; NULL stops. ev must be of this device's
 * stack. The loop does not free it.
 */
void sf_tun_set_events(struct sf_tun *tun, struct sf_events *ev);

/**
 * End sf_tun_run after this iteration, or at once if it sleeps (or, called
 * before it, as soon as it starts); it returns rc (0 is taken as 1). Safe
 * to call from a signal handler and from another thread: it only stores rc
 * and writes to an eventfd the loop polls, so a stop is never missed, even
 * one that comes just before the loop goes to sleep.
 *
 *     static struct sf_tun *tun;
 *     static void on_signal(int sig) { sf_tun_stop(tun, 128 + sig); }
 */
void sf_tun_stop(struct sf_tun *tun, int rc);

/**
 * Run the loop until app returns non-zero (that value is returned), until
 * sf_tun_stop, or an I/O error on the device (a negative errno is
 * returned). app may be NULL (a program driven by sf_tun_set_events alone;
 * a signal handler then ends the loop with sf_tun_stop). EINTR is not an
 * error: the app runs and may look at its signal flags.
 */
int sf_tun_run(struct sf_tun *tun, sf_tun_app_fn app, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
