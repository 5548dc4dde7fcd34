/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_keepalive: an HTTP/1.1 server with persistent connections on a
 * Linux TUN device (the TUN driver's loop and <synfin/events.h>).
 *
 *     http_keepalive DEVICE ADDRESS PORT     e.g.  http_keepalive sf0 192.0.2.2 80
 *
 * Every request is answered 200 with a short text body naming it and the
 * connection's request count, and with Content-Length, so that the client
 * knows where the response ends and may send its next request on the same
 * connection (RFC 9112 §6.3, §9.3). Requests may arrive split across
 * segments or several in one (pipelined, RFC 9112 §9.3.2): they are held
 * until their head is complete and answered in order. A request's body
 * (Content-Length) is read and discarded. "Connection: close" (or HTTP/1.0
 * without keep-alive) is answered, then the connection closed (RFC 9112
 * §9.6). What cannot be parsed is answered 400 and the connection closed;
 * a head longer than REQ_MAX 431; chunked bodies 501.
 *
 * Memory is bounded: REQ_MAX octets of request per connection, at most
 * MAX_CONNS connections, and a write buffer limit for a client that sends
 * requests and never reads the answers (it is reset).
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synfin.h>
#include <synfin/events.h>
#include <synfin/tun.h>

#define REQ_MAX 8192
#define MAX_CONNS 256
#define WRITE_LIMIT (256 * 1024)

/* A connection's request bytes not yet answered. */
struct conn {
	unsigned requests;  /* answered so far */
	unsigned long long skip; /* octets of the last request's body still to discard */
	size_t len;         /* octets in buf */
	char buf[REQ_MAX];
};

/* The connections by socket handle (handles are small integers, reused). */
static struct conn **conns;
static size_t nconns, live;
static struct sf_tun *tun;

static void on_signal(int sig)
{
	sf_tun_stop(tun, sig); /* async-signal-safe: the loop wakes and returns */
}

static struct conn *conn_of(int sock)
{
	return sock >= 0 && (size_t)sock < nconns ? conns[sock] : NULL;
}

static void conn_free(int sock)
{
	if (conn_of(sock)) {
		free(conns[sock]);
		conns[sock] = NULL;
		live--;
	}
}

/* Close after what is written has gone: the FIN follows the last response. */
static void finish(struct sf_events *ev, int sock)
{
	conn_free(sock);
	sf_events_close(ev, sock);
}

static void accepted(void *ctx, struct sf_events *ev, int listener, int sock, const struct sf_endpoint *peer)
{
	(void)ctx, (void)listener, (void)peer;
	if ((size_t)sock >= nconns) {
		size_t n = nconns ? nconns : 64;
		while (n <= (size_t)sock)
			n *= 2;
		struct conn **c = realloc(conns, n * sizeof *c);
		if (!c) {
			sf_abort(sf_events_stack(ev), sock);
			return;
		}
		memset(c + nconns, 0, (n - nconns) * sizeof *c);
		conns = c;
		nconns = n;
	}
	if (live == MAX_CONNS || !(conns[sock] = calloc(1, sizeof(struct conn)))) {
		sf_abort(sf_events_stack(ev), sock); /* RST: no room for one more (RFC 9293 §3.10.5) */
		return;
	}
	live++;
}

static int is_tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Whether the n octets at s are the word lit, in any case (header names and
 * connection options are case-insensitive, RFC 9110 §5.1, §7.6.1). */
static int word_is(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != lit[i])
			return 0;
	return 1;
}

/* The line at *p (up to end), without its CRLF; *p moves past it. */
static size_t next_line(const char **p, const char *end, const char **line)
{
	const char *s = *p, *e = s;
	while (e + 1 < end && !(e[0] == '\r' && e[1] == '\n'))
		e++;
	*line = s;
	*p = e + 2;
	return (size_t)(e - s);
}

/* What a request head says about the connection's future. */
struct head {
	int bad;        /* 400 */
	int chunked;    /* Transfer-Encoding: 501 */
	int keep;       /* the connection persists after the answer */
	int http10;     /* an HTTP/1.0 request */
	unsigned long long body; /* Content-Length */
	const char *method, *target;
	size_t method_len, target_len;
};

/* Parse the head in buf[0, n), its final empty line included (RFC 9112 §2.1). */
static struct head parse(const char *buf, size_t n)
{
	struct head h = { 0 };
	const char *p = buf, *end = buf + n, *l, *le;
	size_t len = next_line(&p, end, &l);
	le = l + len;
	/* request-line = method SP request-target SP HTTP-version (RFC 9112 §3) */
	h.method = l;
	while (l < le && is_tchar((unsigned char)*l))
		l++;
	h.method_len = (size_t)(l - h.method);
	if (h.method_len == 0 || l == le || *l++ != ' ')
		return h.bad = 1, h;
	h.target = l;
	while (l < le && *l > ' ' && *l < 127)
		l++;
	h.target_len = (size_t)(l - h.target);
	if (h.target_len == 0 || l == le || *l++ != ' ' || le - l != 8 || memcmp(l, "HTTP/1.", 7) != 0 ||
	    (l[7] != '0' && l[7] != '1'))
		return h.bad = 1, h;
	int http11 = l[7] == '1', close = 0, keep_alive = 0, host = 0, length_seen = 0;
	/* field-line = field-name ":" OWS field-value OWS (RFC 9112 §5) */
	while ((len = next_line(&p, end, &l)) > 0) {
		const char *colon = memchr(l, ':', len), *v, *ve = l + len;
		if (!colon || colon == l)
			return h.bad = 1, h;
		for (const char *c = l; c < colon; c++)
			if (!is_tchar((unsigned char)*c))
				return h.bad = 1, h; /* also a space before the colon, or an obs-fold (§5.1, §5.2) */
		size_t name_len = (size_t)(colon - l);
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (word_is(l, name_len, "host")) {
			host++;
		} else if (word_is(l, name_len, "transfer-encoding")) {
			h.chunked = 1;
		} else if (word_is(l, name_len, "content-length")) {
			/* Digits only; a second, different value is an error (RFC 9112 §6.3). */
			unsigned long long cl = 0;
			if (v == ve || ve - v > 15)
				return h.bad = 1, h;
			for (const char *d = v; d < ve; d++) {
				if (!isdigit((unsigned char)*d))
					return h.bad = 1, h;
				cl = cl * 10 + (unsigned)(*d - '0');
			}
			if (length_seen++ && cl != h.body)
				return h.bad = 1, h;
			h.body = cl;
		} else if (word_is(l, name_len, "connection")) {
			/* A list of options: "close", "keep-alive", others ignored (RFC 9110 §7.6.1). */
			for (const char *o = v; o < ve;) {
				const char *oe = memchr(o, ',', (size_t)(ve - o));
				oe = oe ? oe : ve;
				const char *a = o, *b = oe;
				while (a < b && (*a == ' ' || *a == '\t'))
					a++;
				while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
					b--;
				close |= word_is(a, (size_t)(b - a), "close");
				keep_alive |= word_is(a, (size_t)(b - a), "keep-alive");
				o = oe + 1;
			}
		}
	}
	/* HTTP/1.1 needs exactly one Host (RFC 9112 §3.2). */
	if (http11 && host != 1)
		return h.bad = 1, h;
	/* HTTP/1.1 persists unless closed, HTTP/1.0 only if asked (RFC 9112 §9.3). */
	h.keep = !close && (http11 || keep_alive);
	h.http10 = !http11;
	return h;
}

/* Write the response; 0 if the write buffer is past its limit. */
static int respond(struct sf_events *ev, int sock, const char *status, const char *conn_hdr, const char *body,
		   int with_body)
{
	char out[REQ_MAX + 512];
	size_t blen = strlen(body);
	int n = snprintf(out, sizeof out, "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n%s",
			 status, blen, conn_hdr, with_body ? body : "");
	return n > 0 && (size_t)n < sizeof out && sf_events_write(ev, sock, out, (size_t)n) == n;
}

/* Answer every complete request held; 0 once the connection is done with. */
static int serve(struct sf_events *ev, int sock, struct conn *c)
{
	for (;;) {
		/* The rest of a body, and the empty lines a client may send between
		 * requests (RFC 9112 §2.2), are discarded. */
		size_t drop = c->skip < c->len ? (size_t)c->skip : c->len, i;
		c->skip -= drop;
		while (c->skip == 0 && drop + 1 < c->len && c->buf[drop] == '\r' && c->buf[drop + 1] == '\n')
			drop += 2;
		memmove(c->buf, c->buf + drop, c->len - drop);
		c->len -= drop;
		for (i = 3; i < c->len; i++)
			if (memcmp(c->buf + i - 3, "\r\n\r\n", 4) == 0)
				break;
		if (c->skip || i >= c->len)
			return 1; /* wait for more */
		struct head h = parse(c->buf, i + 1);
		char body[REQ_MAX + 128];
		c->requests++;
		if (h.bad || h.chunked) {
			respond(ev, sock, h.bad ? "400 Bad Request" : "501 Not Implemented", "Connection: close\r\n",
				h.bad ? "bad request\n" : "chunked bodies are not supported\n", 1);
			return 0;
		}
		snprintf(body, sizeof body, "request %u on this connection: %.*s %.*s\n", c->requests, (int)h.method_len,
			 h.method, (int)h.target_len, h.target);
		/* An HTTP/1.0 client is told that the connection persists. */
		const char *conn_hdr = !h.keep ? "Connection: close\r\n" : h.http10 ? "Connection: keep-alive\r\n" : "";
		if (!respond(ev, sock, "200 OK", conn_hdr, body, !word_is(h.method, h.method_len, "head")))
			return -1;
		if (!h.keep)
			return 0;
		c->skip = h.body;
		memmove(c->buf, c->buf + i + 1, c->len - (i + 1));
		c->len -= i + 1;
	}
}

static void readable(void *ctx, struct sf_events *ev, int sock)
{
	struct conn *c = conn_of(sock);
	long n = 1;
	(void)ctx;
	while (c && (n = sf_recv(sf_events_stack(ev), sock, c->buf + c->len, sizeof c->buf - c->len)) > 0) {
		c->len += (size_t)n;
		int more = serve(ev, sock, c);
		if (more < 0) {
			conn_free(sock); /* it reads no answers: reset it rather than hold them all */
			sf_abort(sf_events_stack(ev), sock);
			return;
		}
		if (more == 0) {
			finish(ev, sock);
			return;
		}
		if (c->len == sizeof c->buf) {
			respond(ev, sock, "431 Request Header Fields Too Large", "Connection: close\r\n", "too large\n", 1);
			finish(ev, sock);
			return;
		}
	}
	if (n == 0)
		finish(ev, sock); /* the client closed: ours goes after the answers (RFC 9293 §3.6) */
}

static void closed(void *ctx, struct sf_events *ev, int sock, int error)
{
	(void)ctx, (void)ev, (void)error;
	conn_free(sock);
}

int main(int argc, char **argv)
{
	struct sf_config cfg;
	struct sf_addr addr;
	char err[256];
	if (argc != 4 || sf_addr_parse(argv[2], &addr) < 0) {
		fprintf(stderr, "usage: http_keepalive DEVICE ADDRESS PORT\n");
		return 2;
	}
	sf_config_default(&cfg);
	if (!(tun = sf_tun_open(argv[1], &cfg, &addr, 0, NULL, err, sizeof err))) {
		fprintf(stderr, "http_keepalive: %s\n", err);
		return 1;
	}
	struct sf_events_handlers h = { .accepted = accepted, .readable = readable, .closed = closed };
	struct sf_events *ev = sf_events_new(sf_tun_stack(tun), &h, NULL);
	if (!ev || sf_events_listen(ev, addr.family, (uint16_t)atoi(argv[3]), 128) < 0) {
		fprintf(stderr, "http_keepalive: cannot listen on port %s\n", argv[3]);
		return 1;
	}
	sf_events_set_limit(ev, WRITE_LIMIT);
	sf_tun_set_events(tun, ev);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("http server on %s port %s\n", argv[2], argv[3]);
	int rc = sf_tun_run(tun, NULL, NULL);
	for (size_t i = 0; i < nconns; i++)
		free(conns[i]);
	free(conns);
	sf_events_free(ev);
	sf_tun_close(tun);
	return rc == SIGINT || rc == SIGTERM ? 0 : 1;
}
