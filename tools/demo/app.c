/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The applications of the scenarios: socket calls on a host's stack at the
 * simulator's time, each shown in the diagram (what was called, what it
 * returned), and waiting on virtual time for what they need.
 */
#include <errno.h>
#include <string.h>

#include "demo.h"

/* ---- the application --------------------------------------------------------------- */

static const char *errname(long e)
{
	switch (-e) {
	case EAGAIN: return "-EAGAIN";
	case ECONNRESET: return "-ECONNRESET";
	case ECONNREFUSED: return "-ECONNREFUSED";
	case ETIMEDOUT: return "-ETIMEDOUT";
	case EPIPE: return "-EPIPE";
	case ENOTCONN: return "-ENOTCONN";
	case EADDRNOTAVAIL: return "-EADDRNOTAVAIL";
	case EADDRINUSE: return "-EADDRINUSE";
	case EINPROGRESS: return "-EINPROGRESS";
	case EBADF: return "-EBADF";
	case EINVAL: return "-EINVAL";
	default: return "-E?";
	}
}

static void app_result(struct demo *d, int host, const char *call, long r)
{
	char en[128], zh[128];
	snprintf(en, sizeof en, "%s = %s", call, errname(r));
	snprintf(zh, sizeof zh, "%s 返回 %s", call, errname(r));
	demo_app(d, host, en, zh);
}

int demo_backlog(const struct demo *d, int dflt)
{
	return d->opt->backlog > 0 ? d->opt->backlog : dflt;
}

int demo_listen(struct demo *d, int host, int family, uint16_t port, int backlog)
{
	sf_stack *st = demo_stack(d, host);
	int l = sf_socket(st, family);
	struct sf_endpoint any = { .addr = { .family = (uint8_t)family }, .port = port };
	int r;

	if (l < 0)
		return l;
	if ((r = sf_bind(st, l, &any)) != 0 || (r = sf_listen(st, l, demo_backlog(d, backlog))) != 0) {
		app_result(d, host, "listen()", r);
		return r;
	}
	return l;
}

int demo_connect(struct demo *d, int host, uint16_t lport, const struct sf_endpoint *remote)
{
	sf_stack *st = demo_stack(d, host);
	int c = sf_socket(st, remote->addr.family);
	int r;

	if (c < 0)
		return c;
	if (lport) {
		struct sf_endpoint local = { .addr = demo_addr(d, host), .port = lport };
		if (remote->addr.family != local.addr.family)
			local.addr = (struct sf_addr){ .family = remote->addr.family };
		sf_set_reuseaddr(st, c, 1);
		if ((r = sf_bind(st, c, &local)) != 0) {
			app_result(d, host, "bind()", r);
			sf_close(st, c);
			return r;
		}
	}
	r = sf_connect(st, c, remote);
	if (r != -EINPROGRESS) {
		char call[64];
		snprintf(call, sizeof call, "connect(:%u)", remote->port);
		app_result(d, host, call, r);
		sf_close(st, c);
		return r;
	}
	return c;
}

int demo_accept(struct demo *d, int host, int lsock)
{
	struct sf_endpoint peer;
	int s = sf_accept(demo_stack(d, host), lsock, &peer);

	if (s >= 0) {
		char en[128], zh[128];
		snprintf(en, sizeof en, "accept() = socket %d (peer port %u)", s, peer.port);
		snprintf(zh, sizeof zh, "accept() 得到套接字 %d（对端端口 %u）", s, peer.port);
		demo_app(d, host, en, zh);
	}
	return s;
}

struct pair {
	int chost, csock, shost, lsock, ssock;
};

static bool pair_up(struct demo *d, void *ctx)
{
	struct pair *p = ctx;

	if (p->ssock < 0 && d->host[p->shost].up) {
		sf_stack *st = sf_simhost_stack(d->host[p->shost].sh);
		struct sf_endpoint peer;
		int s = sf_accept(st, p->lsock, &peer);
		if (s >= 0) {
			char en[128], zh[128];
			p->ssock = s;
			snprintf(en, sizeof en, "accept() = socket %d (peer port %u)", s, peer.port);
			snprintf(zh, sizeof zh, "accept() 得到套接字 %d（对端端口 %u）", s, peer.port);
			demo_app(d, p->shost, en, zh);
		}
	}
	return p->ssock >= 0 && d->host[p->chost].up &&
	       sf_state(sf_simhost_stack(d->host[p->chost].sh), p->csock) == SF_ESTABLISHED;
}

int demo_establish(struct demo *d, int chost, int csock, int shost, int lsock, uint64_t limit_ms)
{
	struct pair p = { chost, csock, shost, lsock, -1 };

	demo_run_until(d, pair_up, &p, limit_ms);
	return p.ssock;
}

static void quote(char *out, size_t cap, const void *buf, size_t n)
{
	const unsigned char *b = buf;
	size_t k = 0, shown = n < 24 ? n : 24;

	if (cap < 8) {
		out[0] = 0;
		return;
	}
	out[k++] = '"';
	for (size_t i = 0; i < shown && k + 6 < cap; i++)
		out[k++] = (b[i] >= 32 && b[i] < 127 && b[i] != '"') ? (char)b[i] : '.';
	if (shown < n && k + 5 < cap) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k++] = '"';
	out[k] = 0;
}

long demo_send(struct demo *d, int host, int sock, const void *buf, size_t len)
{
	/* The note goes in before the call, so that it precedes the segments the call sends. */
	size_t at = d->nev;
	demo_app(d, host, "send()", NULL);
	long r = sf_send(demo_stack(d, host), sock, buf, len);
	struct demo_event *e = &d->ev[at];
	char q[40];

	if (len <= 24)
		quote(q, sizeof q, buf, len);
	else
		snprintf(q, sizeof q, "%zu bytes", len);
	if (r < 0) {
		snprintf(e->text, sizeof e->text, "send(%s) = %s", q, errname(r));
		snprintf(e->text_zh, sizeof e->text_zh, "send(%s) 返回 %s", q, errname(r));
	} else {
		snprintf(e->text, sizeof e->text, "send(%s) = %ld", q, r);
		snprintf(e->text_zh, sizeof e->text_zh, "send(%s) 写入 %ld 字节", q, r);
	}
	return r;
}

long demo_send_text(struct demo *d, int host, int sock, const char *text)
{
	return demo_send(d, host, sock, text, strlen(text));
}

long demo_recv(struct demo *d, int host, int sock, void *buf, size_t cap)
{
	long r = sf_recv(demo_stack(d, host), sock, buf, cap);
	char en[128], zh[128];

	if (r > 0) {
		char q[40];
		quote(q, sizeof q, buf, (size_t)r);
		snprintf(en, sizeof en, "recv() = %ld %s", r, r <= 24 ? q : "bytes");
		snprintf(zh, sizeof zh, "recv() 读到 %ld 字节 %s", r, r <= 24 ? q : "");
		demo_app(d, host, en, zh);
	} else if (r == 0) {
		demo_app(d, host, "recv() = 0: end of stream (peer sent FIN)", "recv() = 0：数据流结束（对端发来 FIN）");
	} else if (r != -EAGAIN) {
		app_result(d, host, "recv()", r);
	}
	return r;
}

struct reader {
	int host, sock;
	uint8_t *buf;
	size_t len, got;
	long last;
};

static bool read_step(struct demo *d, void *ctx)
{
	struct reader *rd = ctx;

	if (!d->host[rd->host].up)
		return false;
	while (rd->got < rd->len) {
		rd->last = sf_recv(sf_simhost_stack(d->host[rd->host].sh), rd->sock, rd->buf + rd->got, rd->len - rd->got);
		if (rd->last <= 0)
			break;
		rd->got += (size_t)rd->last;
	}
	return rd->got == rd->len || (rd->last <= 0 && rd->last != -EAGAIN);
}

size_t demo_read(struct demo *d, int host, int sock, void *buf, size_t len, uint64_t limit_ms)
{
	struct reader rd = { host, sock, buf, len, 0, -EAGAIN };
	char en[128], zh[128];

	demo_run_until(d, read_step, &rd, limit_ms);
	if (rd.got) {
		char q[40];
		quote(q, sizeof q, buf, rd.got);
		if (rd.got <= 24) {
			snprintf(en, sizeof en, "recv() = %zu %s", rd.got, q);
			snprintf(zh, sizeof zh, "recv() 读到 %zu 字节 %s", rd.got, q);
		} else {
			snprintf(en, sizeof en, "recv() = %zu bytes in all", rd.got);
			snprintf(zh, sizeof zh, "recv() 共读到 %zu 字节", rd.got);
		}
		demo_app(d, host, en, zh);
	}
	if (rd.last == 0 && rd.got < len)
		demo_app(d, host, "recv() = 0: end of stream (peer sent FIN)", "recv() = 0：数据流结束（对端发来 FIN）");
	else if (rd.last < 0 && rd.last != -EAGAIN)
		app_result(d, host, "recv()", rd.last);
	return rd.got;
}

struct eofwait {
	int host, sock;
	long r;
};

static bool eof_step(struct demo *d, void *ctx)
{
	struct eofwait *w = ctx;
	uint8_t b[512];

	if (!d->host[w->host].up)
		return false;
	w->r = sf_recv(sf_simhost_stack(d->host[w->host].sh), w->sock, b, sizeof b);
	return w->r != -EAGAIN && w->r <= 0;
}

long demo_read_eof(struct demo *d, int host, int sock, uint64_t limit_ms)
{
	struct eofwait w = { host, sock, -EAGAIN };

	demo_run_until(d, eof_step, &w, limit_ms);
	if (w.r == 0)
		demo_app(d, host, "recv() = 0: end of stream (peer sent FIN)", "recv() = 0：数据流结束（对端发来 FIN）");
	else if (w.r != -EAGAIN)
		app_result(d, host, "recv()", w.r);
	return w.r;
}

int demo_close(struct demo *d, int host, int sock)
{
	int r = sf_close(demo_stack(d, host), sock);
	if (r)
		app_result(d, host, "close()", r);
	return r;
}

int demo_shutdown(struct demo *d, int host, int sock, int how)
{
	int r = sf_shutdown(demo_stack(d, host), sock, how);
	if (r)
		app_result(d, host, "shutdown()", r);
	return r;
}

struct statewait {
	int host, sock;
	enum sf_tcp_state state;
};

static bool state_step(struct demo *d, void *ctx)
{
	struct statewait *w = ctx;
	return d->host[w->host].up && sf_state(sf_simhost_stack(d->host[w->host].sh), w->sock) == (int)w->state;
}

bool demo_wait_state(struct demo *d, int host, int sock, enum sf_tcp_state state, uint64_t limit_ms)
{
	struct statewait w = { host, sock, state };
	return demo_run_until(d, state_step, &w, limit_ms);
}
