/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * Socket events for applications: the stack's readiness events
 * (sf_poll_events) turned into calls of the application's handlers, and a
 * write buffer per socket, so that an application writes whole messages and
 * never handles a short send. Works over any driver: the TUN driver's loop
 * calls sf_events_dispatch itself (sf_tun_set_events), a program on the
 * simulator or its own loop calls it after feeding the stack.
 *
 * A driver library (libsynfin-events, <synfin/events.h>), not part of the core: it allocates
 * the write buffers. Like a stack, it is used from one thread at a time.
 *
 *     static void echo(void *ctx, struct sf_events *ev, int sock)
 *     {
 *             char buf[4096];
 *             long n;
 *             while ((n = sf_recv(sf_events_stack(ev), sock, buf, sizeof buf)) > 0)
 *                     sf_events_write(ev, sock, buf, (size_t)n);
 *             if (n == 0)
 *                     sf_events_close(ev, sock);   // the peer closed: FIN after what is buffered
 *     }
 */
#ifndef SYNFIN_EVENTS_H
#define SYNFIN_EVENTS_H

#include <stddef.h>

#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sf_events;

/** What sf_events_dispatch calls. Every handler is optional. \headerfile events.h <synfin/events.h> */
struct sf_events_handlers {
	/** A listener's new connection, already accepted: sock is the application's. */
	void (*accepted)(void *ctx, struct sf_events *ev, int listener, int sock, const struct sf_endpoint *peer);
	/** An active open (sf_connect) reached ESTABLISHED. */
	void (*connected)(void *ctx, struct sf_events *ev, int sock);
	/** Data (or the end of the stream) to read: sf_recv until it says -EAGAIN or 0 (the peer's FIN). */
	void (*readable)(void *ctx, struct sf_events *ev, int sock);
	/**
	 * The connection is over: error is 0 when both sides closed (after
	 * readable saw the end of the stream, if the application did not close
	 * then), else why (-ECONNRESET, -ETIMEDOUT, -ECONNREFUSED, ...; octets
	 * not yet read are gone with the connection). The handle is closed when
	 * the handler returns; octets still buffered are discarded.
	 */
	void (*closed)(void *ctx, struct sf_events *ev, int sock, int error);
};

/** The most a socket's write buffer holds unless sf_events_set_limit says otherwise. */
#define SF_EVENTS_DEFAULT_LIMIT (4u << 20)

/** Events of stack st for handlers h (copied) with ctx. NULL without memory or with a NULL st or h. */
struct sf_events *sf_events_new(sf_stack *st, const struct sf_events_handlers *h, void *ctx);
/** Free the buffers (the sockets stay as they are). NULL is a no-op. */
void sf_events_free(struct sf_events *ev);
/** The stack the events are of. */
sf_stack *sf_events_stack(const struct sf_events *ev);
/** The most one socket's write buffer may hold (0: no limit). */
void sf_events_set_limit(struct sf_events *ev, size_t bytes);

/**
 * socket, SO_REUSEADDR, bind to the wildcard address of family and port,
 * listen: the listener's handle, or a negative errno (the socket is then
 * closed).
 */
int sf_events_listen(struct sf_events *ev, int family, uint16_t port, int backlog);

/**
 * Send all of buf: what the stack takes now goes at once, the rest is kept
 * in order and handed to the stack as its send buffer drains. Returns len,
 * or a negative errno: -ENOBUFS (and nothing taken) if the buffer would pass
 * its limit, -EPIPE after sf_events_close, or sf_send's errors (-ENOTCONN,
 * -EPIPE, -EBADF, ...).
 */
long sf_events_write(struct sf_events *ev, int sock, const void *buf, size_t len);
/** Octets written and not yet taken by the stack. */
size_t sf_events_pending(const struct sf_events *ev, int sock);
/**
 * Close sock gracefully once its buffered octets are all with the stack
 * (sf_close then sends FIN after them, RFC 9293 §3.10.4). 0, or -EBADF.
 * No handler is called for sock afterwards.
 */
int sf_events_close(struct sf_events *ev, int sock);

/**
 * Take the stack's queued events, move buffered octets into send buffers
 * that have room, and call the handlers, until no event is left, those the
 * handlers' own calls queue included (a connection just accepted, with data
 * already waiting, is read in the same call). Call it after each round of
 * sf_input / sf_advance (the TUN loop does). Returns how many events were
 * handled, or -EBUSY if called from inside one of the stack's callbacks.
 */
int sf_events_dispatch(struct sf_events *ev);

#ifdef __cplusplus
}
#endif
#endif
