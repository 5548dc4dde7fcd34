/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Socket events and write buffers for applications (see events.h).
 */
#include "events.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* What is kept per socket handle: octets the stack has not taken yet. */
struct wbuf {
	unsigned char *data;
	size_t head, len, cap; /* the octets are data[head, head + len) */
	bool closing;          /* sf_events_close: close once len is 0 */
	bool told_connected;   /* the connected handler ran (readiness keeps reporting CONNECTED) */
};

struct sf_events {
	sf_stack *st;
	struct sf_events_handlers h;
	void *ctx;
	size_t limit;
	struct wbuf *bufs; /* by handle */
	size_t nbufs;
};

struct sf_events *sf_events_new(sf_stack *st, const struct sf_events_handlers *h, void *ctx)
{
	if (!st || !h)
		return NULL;
	struct sf_events *ev = calloc(1, sizeof *ev);
	if (!ev)
		return NULL;
	ev->st = st;
	ev->h = *h;
	ev->ctx = ctx;
	ev->limit = SF_EVENTS_DEFAULT_LIMIT;
	return ev;
}

void sf_events_free(struct sf_events *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nbufs; i++)
		free(ev->bufs[i].data);
	free(ev->bufs);
	free(ev);
}

sf_stack *sf_events_stack(const struct sf_events *ev)
{
	return ev->st;
}

void sf_events_set_limit(struct sf_events *ev, size_t bytes)
{
	ev->limit = bytes;
}

/* The buffer of handle sock, created (empty) if grow; NULL if none or no memory. */
static struct wbuf *wbuf_of(struct sf_events *ev, int sock, bool grow)
{
	if (sock < 0)
		return NULL;
	size_t i = (size_t)sock;
	if (i >= ev->nbufs) {
		if (!grow)
			return NULL;
		size_t n = ev->nbufs ? ev->nbufs : 16;
		while (n <= i)
			n *= 2;
		struct wbuf *b = realloc(ev->bufs, n * sizeof *b);
		if (!b)
			return NULL;
		memset(b + ev->nbufs, 0, (n - ev->nbufs) * sizeof *b);
		ev->bufs = b;
		ev->nbufs = n;
	}
	return &ev->bufs[i];
}

/* A handle's buffer is forgotten when the handle is closed: the stack reuses handles. */
static void wbuf_reset(struct sf_events *ev, int sock)
{
	struct wbuf *b = wbuf_of(ev, sock, false);
	if (!b)
		return;
	free(b->data);
	*b = (struct wbuf){0};
}

int sf_events_listen(struct sf_events *ev, int family, uint16_t port, int backlog)
{
	int s = sf_socket(ev->st, family);
	if (s < 0)
		return s;
	struct sf_endpoint any = {.addr = {.family = (uint8_t)family}, .port = port};
	int rc = sf_set_reuseaddr(ev->st, s, 1);
	if (rc == 0)
		rc = sf_bind(ev->st, s, &any);
	if (rc == 0)
		rc = sf_listen(ev->st, s, backlog);
	if (rc < 0) {
		sf_close(ev->st, s);
		return rc;
	}
	return s;
}

/* Hand the stack what it will take; close the socket if that empties a closing buffer. */
static void flush(struct sf_events *ev, int sock, struct wbuf *b)
{
	while (b->len) {
		long n = sf_send(ev->st, sock, b->data + b->head, b->len);
		if (n <= 0)
			break; /* -EAGAIN: the next WRITABLE event resumes; an error ends the connection */
		b->head += (size_t)n;
		b->len -= (size_t)n;
	}
	if (b->len == 0)
		b->head = 0;
	if (b->closing && b->len == 0) {
		sf_close(ev->st, sock);
		wbuf_reset(ev, sock);
	}
}

long sf_events_write(struct sf_events *ev, int sock, const void *buf, size_t len)
{
	struct wbuf *b = wbuf_of(ev, sock, true);
	if (!b)
		return sock < 0 ? -EBADF : -ENOMEM;
	if (b->closing)
		return -EPIPE;
	if (!buf && len)
		return -EINVAL;
	size_t taken = 0;
	if (b->len == 0 && len) {
		long n = sf_send(ev->st, sock, buf, len);
		if (n < 0 && n != -EAGAIN)
			return n;
		taken = n > 0 ? (size_t)n : 0;
	}
	size_t rest = len - taken;
	if (rest == 0)
		return (long)len;
	if (ev->limit && b->len + rest > ev->limit) {
		/* Nothing half-taken: what the stack took is sent, so report it. */
		return taken ? (long)taken : -ENOBUFS;
	}
	if (b->head + b->len + rest > b->cap) {
		if (b->len)
			memmove(b->data, b->data + b->head, b->len);
		b->head = 0;
		if (b->len + rest > b->cap) {
			size_t cap = b->cap ? b->cap : 4096;
			while (cap < b->len + rest)
				cap *= 2;
			unsigned char *d = realloc(b->data, cap);
			if (!d)
				return taken ? (long)taken : -ENOMEM;
			b->data = d;
			b->cap = cap;
		}
	}
	memcpy(b->data + b->head + b->len, (const unsigned char *)buf + taken, rest);
	b->len += rest;
	return (long)len;
}

size_t sf_events_pending(const struct sf_events *ev, int sock)
{
	return sock >= 0 && (size_t)sock < ev->nbufs ? ev->bufs[sock].len : 0;
}

int sf_events_close(struct sf_events *ev, int sock)
{
	if (sf_state(ev->st, sock) < 0)
		return -EBADF;
	struct wbuf *b = wbuf_of(ev, sock, true);
	if (!b || b->len == 0) {
		sf_close(ev->st, sock);
		wbuf_reset(ev, sock);
		return 0;
	}
	b->closing = true;
	return 0;
}

static void accept_all(struct sf_events *ev, int listener)
{
	struct sf_endpoint peer;
	int s;
	while ((s = sf_accept(ev->st, listener, &peer)) >= 0) {
		wbuf_reset(ev, s);
		if (ev->h.accepted)
			ev->h.accepted(ev->ctx, ev, listener, s, &peer);
	}
}

static void handle(struct sf_events *ev, int sock, uint32_t events)
{
	struct wbuf *b = wbuf_of(ev, sock, false);
	if (sf_state(ev->st, sock) == SF_LISTEN) {
		if (events & (SF_EV_ACCEPT | SF_EV_READABLE))
			accept_all(ev, sock);
		return;
	}
	if (b && b->closing) {
		/* The application is done with it: only its buffered octets matter. */
		if (events & (SF_EV_HUP | SF_EV_ERROR)) {
			sf_close(ev->st, sock);
			wbuf_reset(ev, sock);
		} else {
			flush(ev, sock, b);
		}
		return;
	}
	if ((events & SF_EV_CONNECTED) && (!b || !b->told_connected)) {
		b = wbuf_of(ev, sock, true);
		if (b)
			b->told_connected = true;
		if (ev->h.connected)
			ev->h.connected(ev->ctx, ev, sock);
		b = wbuf_of(ev, sock, false);
	}
	if ((events & SF_EV_WRITABLE) && b && b->len)
		flush(ev, sock, b);
	/* A reset or a timeout: what was unread is gone with it (RFC 9293 §3.10.7.4). */
	if (events & SF_EV_ERROR) {
		int err = sf_take_error(ev->st, sock);
		if (ev->h.closed)
			ev->h.closed(ev->ctx, ev, sock, err);
		sf_close(ev->st, sock);
		wbuf_reset(ev, sock);
		return;
	}
	if ((events & SF_EV_READABLE) && ev->h.readable && sf_state(ev->st, sock) >= 0) {
		ev->h.readable(ev->ctx, ev, sock);
		b = wbuf_of(ev, sock, false);
		if (sf_state(ev->st, sock) < 0 || (b && b->closing))
			return; /* the handler closed it */
	}
	if (events & SF_EV_HUP) {
		if (ev->h.closed)
			ev->h.closed(ev->ctx, ev, sock, 0);
		sf_close(ev->st, sock);
		wbuf_reset(ev, sock);
	}
}

/* Until the queue is empty: handlers queue events of their own (sf_accept
 * queues the new connection's readiness, a close or a send changes one),
 * and a loop that went to sleep with those left would not see them until
 * something else woke it: a request that came with the handshake's ACK
 * would wait unanswered. */
int sf_events_dispatch(struct sf_events *ev)
{
	struct sf_event batch[64];
	int total = 0;
	for (;;) {
		int n = sf_poll_events(ev->st, batch, 64);
		if (n <= 0)
			return n < 0 ? n : total;
		for (int i = 0; i < n; i++)
			handle(ev, batch[i].sock, batch[i].events);
		total += n;
	}
}
