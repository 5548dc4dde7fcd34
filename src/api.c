/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket-like API (RFC 9293 §3.9.1 user calls, in the shape of BSD
 * sockets): small integer handles, never blocking, negative errno results as
 * Linux gives them. Every argument is checked; a bad one is an error, never a
 * crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

/* Every call that can change the stack starts here: -EINVAL without a
 * stack, -EBUSY from inside one of its callbacks (the re-entry rule of
 * synfin.h: the stack is part way through a change when it calls out). */
static int api_entry(const struct sf_stack *st)
{
	if (!st)
		return -EINVAL;
	return st->in_callback ? -EBUSY : 0;
}

static struct sf_sock *user_sock(const struct sf_stack *st, int handle)
{
	if (!st || handle < 0)
		return NULL;
	struct sf_sock *s = sf_sock_get(st, (uint32_t)handle);
	return s && s->user_open ? s : NULL;
}

static struct sf_tcb *user_tcb(const struct sf_stack *st, int handle)
{
	struct sf_sock *s = user_sock(st, handle);
	return s && s->kind == SF_SOCK_TCB ? (struct sf_tcb *)s : NULL;
}

/* api_entry, then the handle: the socket, or NULL with *err set. */
static inline struct sf_sock *api_sock(sf_stack *st, int handle, int *err)
{
	*err = api_entry(st);
	if (*err)
		return NULL;
	struct sf_sock *sock = user_sock(st, handle);
	if (!sock)
		*err = -EBADF;
	return sock;
}

static bool ever_connected(const struct sf_tcb *tcb)
{
	return tcb->sock.remote.port != 0;
}

int sf_socket(sf_stack *st, int family)
{
	int busy = api_entry(st);
	if (busy)
		return busy;
	if (family != SF_AF_INET && family != SF_AF_INET6)
		return -EAFNOSUPPORT;
	if (st->nfree == 0 && st->socks_hwm >= st->cfg.max_sockets)
		return -EMFILE;
	struct sf_tcb *tcb = sf_tcb_new(st, family, SF_CLOSED);
	if (!tcb)
		return -ENOMEM;
	tcb->sock.user_open = true;
	tcb->sock.local.addr.family = (uint8_t)family;
	tcb->sock.ka_idle_ms = st->cfg.keepalive_idle_ms;
	tcb->sock.ka_intvl_ms = st->cfg.keepalive_intvl_ms;
	tcb->sock.ka_probes = st->cfg.keepalive_probes;
	return (int)tcb->sock.handle;
}

/* Would binding sock to (addr, port) clash with what already uses the port? */
static bool port_conflict(struct sf_stack *st, const struct sf_sock *sock, const struct sf_addr *addr, uint16_t port)
{
	const struct sf_port_use *use = sf_port_find(st, port);

	if (!use)
		return false;
	/* Connections and TIME-WAIT records on the port block a bind without
	 * SO_REUSEADDR, as on Linux. */
	if (use->users && !sock->reuseaddr)
		return true;
	for (uint32_t h = use->bound_head; h; h = st->socks[h - 1]->bind_next) {
		const struct sf_sock *o = st->socks[h - 1];
		if (o->family != addr->family)
			continue;
		bool overlap = sf_addr_is_unspecified(addr) || sf_addr_is_unspecified(&o->local.addr) ||
			       memcmp(&o->local.addr, addr, sizeof *addr) == 0;
		if (!overlap)
			continue;
		/* SO_REUSEADDR on both lets them share, unless one listens. */
		if (!(sock->reuseaddr && o->reuseaddr) || o->kind == SF_SOCK_LISTENER)
			return true;
	}
	return false;
}

/*
 * listen(2) checks the port again, as Linux's inet_csk_listen_start does:
 * SO_REUSEADDR lets sockets share a port only while none of them listens, so
 * a socket bound beside one that has since begun listening on the same
 * address may not listen too (-EADDRINUSE): a SYN would have two listeners
 * and sf_listener_lookup no rule to choose. An exact address beside the
 * wildcard stays allowed (the exact one wins the lookup, as on the BSDs).
 */
static bool listen_conflict(struct sf_stack *st, const struct sf_sock *sock)
{
	const struct sf_port_use *use = sf_port_find(st, sock->local.port);

	for (uint32_t h = use ? use->bound_head : 0; h; h = st->socks[h - 1]->bind_next) {
		const struct sf_sock *o = st->socks[h - 1];
		if (o != sock && o->kind == SF_SOCK_LISTENER && o->family == sock->family &&
		    memcmp(&o->local.addr, &sock->local.addr, sizeof sock->local.addr) == 0)
			return true;
	}
	return false;
}

static int do_bind(struct sf_stack *st, struct sf_sock *sock, const struct sf_addr *addr, uint16_t port)
{
	if (port == 0) {
		uint32_t lo = st->cfg.ephemeral_lo, range = (uint32_t)st->cfg.ephemeral_hi - lo + 1;
		uint32_t count;
		for (count = 0; count < range; count++) {
			uint16_t p = (uint16_t)(lo + (st->ephemeral_next + count) % range);
			const struct sf_port_use *use = sf_port_find(st, p);
			if ((!use || (!use->bound_head && !use->users)) && !port_conflict(st, sock, addr, p)) {
				port = p;
				break;
			}
		}
		if (count == range)
			return -EADDRINUSE;
		st->ephemeral_next += count + 1;
	} else if (port_conflict(st, sock, addr, port)) {
		return -EADDRINUSE;
	}
	struct sf_port_use *use = sf_port_find_or_add(st, port);
	if (!use)
		return -ENOMEM;
	sock->local.addr = *addr;
	sock->local.port = port;
	sf_sock_bind_link(sock, use);
	return 0;
}

int sf_bind(sf_stack *st, int handle, const struct sf_endpoint *local)
{
	int busy = api_entry(st);
	if (busy)
		return busy;
	struct sf_tcb *tcb = user_tcb(st, handle);

	if (!user_sock(st, handle))
		return -EBADF;
	if (!tcb || tcb->sock.bound || tcb->state != SF_CLOSED || ever_connected(tcb) || !local)
		return -EINVAL;
	if (local->addr.family != tcb->sock.family)
		return -EAFNOSUPPORT;
	if (!sf_addr_is_unspecified(&local->addr) && sf_local_id(st, &local->addr) == UINT32_MAX)
		return -EADDRNOTAVAIL;
	return do_bind(st, &tcb->sock, &local->addr, local->port);
}

int sf_listen(sf_stack *st, int handle, int backlog)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	uint32_t limit = backlog < 1 ? 1u : (uint32_t)backlog;
	if (limit > st->cfg.somaxconn)
		limit = st->cfg.somaxconn;
	if (sock->kind == SF_SOCK_LISTENER) {
		((struct sf_listener *)sock)->backlog = limit; /* as Linux: listen() again resizes */
		return 0;
	}
	struct sf_tcb *tcb = (struct sf_tcb *)sock;
	if (tcb->state != SF_CLOSED || ever_connected(tcb))
		return -EINVAL;
	if (!sock->bound) {
		struct sf_addr any = { .family = sock->family };
		err = do_bind(st, sock, &any, 0);
		if (err)
			return err;
	} else if (listen_conflict(st, sock)) {
		return -EADDRINUSE;
	}
	struct sf_listener *lst = calloc(1, sizeof *lst);
	if (!lst)
		return -ENOMEM;
	lst->sock = tcb->sock;
	lst->sock.kind = SF_SOCK_LISTENER;
	lst->sock.in_ready = false;
	lst->backlog = limit;
	st->socks[handle] = &lst->sock; /* the port's bound list names the handle, not the pointer */
	struct sf_endpoint none = { .addr = { .family = sock->family } };
	sf_state_change(st, handle, &lst->sock.local, &none, SF_CLOSED, SF_LISTEN, SF_CAUSE_LISTEN);
	if (tcb->sock.in_ready) {
		/* drop the stale ready entry's target: poll skips non-TCB kinds safely */
	}
	sf_ring_free(&tcb->sndq, &st->bufs);
	sf_ring_free(&tcb->rcvq, &st->bufs);
	free(tcb);
	return 0;
}

int sf_accept(sf_stack *st, int handle, struct sf_endpoint *peer)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind != SF_SOCK_LISTENER)
		return -EINVAL;
	struct sf_listener *lst = (struct sf_listener *)sock;
	if (!lst->accept_head)
		return -EAGAIN;
	struct sf_tcb *tcb = (struct sf_tcb *)st->socks[lst->accept_head - 1];
	lst->accept_head = tcb->accept_next;
	if (!lst->accept_head)
		lst->accept_tail = 0;
	lst->accept_count--;
	tcb->accept_next = 0;
	tcb->listener = SF_NO_HANDLE;
	tcb->sock.user_open = true;
	if (peer)
		*peer = tcb->sock.remote;
	sf_mark_ready(st, &tcb->sock);
	return (int)tcb->sock.handle;
}

int sf_connect(sf_stack *st, int handle, const struct sf_endpoint *remote)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind == SF_SOCK_LISTENER)
		return -EISCONN;
	struct sf_tcb *tcb = (struct sf_tcb *)sock;
	if (tcb->state == SF_SYN_SENT || tcb->state == SF_SYN_RECEIVED)
		return -EALREADY;
	if (tcb->state != SF_CLOSED || ever_connected(tcb))
		return -EISCONN;
	if (!remote || remote->port == 0 || !sf_addr_is_unicast(&remote->addr))
		return -EINVAL;
	if (remote->addr.family != sock->family)
		return -EAFNOSUPPORT;
	/* MUST-46: no OPEN to a broadcast address, a subnet's included; and
	 * loopback is reachable only from a loopback address of ours (Linux
	 * answers both with -ENETUNREACH). */
	if (sf_is_subnet_broadcast(st, &remote->addr))
		return -ENETUNREACH;

	/* MUST-44: the local address is ours to choose when not bound to one. */
	struct sf_endpoint local = sock->local;
	if (!sock->bound || sf_addr_is_unspecified(&local.addr)) {
		uint32_t i = sf_select_source(st, &remote->addr);
		if (i == UINT32_MAX)
			return -EADDRNOTAVAIL;
		local.addr = st->locals[i].addr;
	}
	if (sf_addr_is_loopback(&remote->addr) != sf_addr_is_loopback(&local.addr))
		return -ENETUNREACH;
	if (sock->bound) {
		/* A 4-tuple held by a connection, an embryo or a
		 * TIME-WAIT record cannot be opened again: -EADDRNOTAVAIL, as Linux. */
		if (sf_demux_lookup(st, &local, remote) != SF_REF_NONE)
			return -EADDRNOTAVAIL;
	} else {
		err = sf_pick_ephemeral(st, &local.addr, remote, &local.port);
		if (err)
			return err;
	}
	sock->local = local;
	sock->remote = *remote;
	tcb->iss = sf_isn(st, &local, remote);
	tcb->snd_una = tcb->iss;
	tcb->snd_nxt = tcb->snd_max = tcb->iss + 1;
	tcb->rcv_mss = sf_own_mss(st, sock, &local.addr);
	/* Offered in the SYN; kept only if the peer offers it too. */
	tcb->rcv_wscale = st->cfg.window_scaling ? sf_wscale_for(sock->rcvbuf) : 0;
	tcb->ts_offset = sf_ts_offset(st, &local, remote);
	tcb->rtt_timing = true;
	tcb->rtt_seq = tcb->iss + 1;
	tcb->rtt_start_ns = st->now_ns;
	tcb->unacked_since_ns = st->now_ns; /* the SYN's wait for its ACK starts (time limits, sf_tcb_retry) */
	sf_tcb_set_state(st, tcb, SF_SYN_SENT, SF_CAUSE_CONNECT);
	sf_tcb_hash(st, tcb);
	st->ctr.ActiveOpens++;
	sf_tcb_send_syn(st, tcb, false);
	return -EINPROGRESS;
}

static int take_error(struct sf_sock *sock)
{
	int err = sock->error;
	sock->error = 0;
	return err;
}

/* sf_send and sf_recv: a connection's TCB and a buffer for len bytes, or
 * NULL with *err set. */
static struct sf_tcb *data_tcb(sf_stack *st, int handle, const void *buf, size_t len, int *err)
{
	struct sf_sock *sock = api_sock(st, handle, err);

	if (!sock)
		return NULL;
	if (sock->kind != SF_SOCK_TCB)
		*err = -ENOTCONN;
	else if (!buf && len)
		*err = -EINVAL;
	return *err ? NULL : (struct sf_tcb *)sock;
}

/* sf_send and sf_send_flags: one body, inlined into each (the data path). */
static inline long send_data(sf_stack *st, int handle, const void *buf, size_t len, int flags)
{
	int err;
	struct sf_tcb *tcb = data_tcb(st, handle, buf, len, &err);

	if (!tcb)
		return err;
	if ((flags & ~SF_MSG_OOB) || ((flags & SF_MSG_OOB) && len == 0))
		return -EINVAL; /* §3.8.5: urgent data needs at least one octet */
	struct sf_sock *sock = &tcb->sock;
	if (sock->error)
		return take_error(sock);
	switch (tcb->state) {
	case SF_SYN_SENT:
	case SF_SYN_RECEIVED:
	case SF_ESTABLISHED:
	case SF_CLOSE_WAIT:
		break; /* §3.10.2: queued until ESTABLISHED, or sent */
	case SF_CLOSED:
		return ever_connected(tcb) ? -EPIPE : -ENOTCONN;
	default:
		return -EPIPE; /* "error: connection closing" */
	}
	if (tcb->fin_queued)
		return -EPIPE;
	if (len == 0)
		return 0;
	/* The storage may be larger than the buffer, once shrunk (sf_set_bufsizes). */
	uint32_t room = sf_ring_room(&tcb->sndq, sock->sndbuf);
	uint32_t n = len > room ? room : (uint32_t)len;
	long taken = sf_ring_write(&tcb->sndq, &st->bufs, sock->sndbuf, buf, n);
	if (taken < 0)
		return taken;
	if (taken == 0)
		return -EAGAIN;
	if (flags & SF_MSG_OOB) {
		/* SND.UP: the octet after the last urgent byte, the one just queued
		 * (sndq holds the bytes from SND.UNA, or from ISS+1 before the
		 * SYN is acknowledged). */
		uint32_t first = tcb->snd_una == tcb->iss ? tcb->iss + 1 : tcb->snd_una;
		tcb->snd_up = first + tcb->sndq.len;
		tcb->urg_mode = true;
	}
	sf_tcb_output(st, tcb);
	return taken;
}

long sf_send(sf_stack *st, int handle, const void *buf, size_t len)
{
	return send_data(st, handle, buf, len, 0);
}

long sf_send_flags(sf_stack *st, int handle, const void *buf, size_t len, int flags)
{
	return send_data(st, handle, buf, len, flags);
}

long sf_recv(sf_stack *st, int handle, void *buf, size_t len)
{
	return sf_recv_flags(st, handle, buf, len, 0);
}

long sf_recv_flags(sf_stack *st, int handle, void *buf, size_t len, int flags)
{
	int err;
	struct sf_tcb *tcb = data_tcb(st, handle, buf, len, &err);

	if (!tcb)
		return err;
	if (flags & ~SF_MSG_PEEK)
		return -EINVAL;
	struct sf_sock *sock = &tcb->sock;
	if (tcb->rcvq.len && len) {
		/* As Linux with urgent data inline: a read stops short of the last
		 * urgent byte, so that it starts the next read (sf_urgent_left 1,
		 * sockatmark's "at the mark"). */
		uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		uint32_t urgent_left = sf_tcb_urgent_left(tcb);
		if (urgent_left > 1 && want > urgent_left - 1)
			want = urgent_left - 1;
		if (flags & SF_MSG_PEEK)
			return sf_ring_copy(&tcb->rcvq, buf, want); /* the window stays as it is */
		uint32_t n = sf_ring_read(&tcb->rcvq, &st->bufs, buf, want);
		/* A window update only when the read lets the window we offer
		 * (sf_tcb_window_offer: moved by the §3.8.6.2.2 step or not at
		 * all) at least double the one the peer holds, as Linux's
		 * __tcp_cleanup_rbuf; a closed or small window (less than the
		 * step) doubles as soon as it reopens. Not after every MSS read:
		 * the peer is not stopped by a window it still has, and the next
		 * ACK brings the rest. Not once the peer has sent its FIN. */
		uint32_t adv = tcb->rcv_adv - tcb->rcv_nxt;
		uint32_t offer = sf_tcb_window_offer(tcb, false);
		if (offer > adv && offer >= 2 * adv && tcb->state != SF_CLOSED && tcb->hashed && !tcb->eof)
			sf_tcb_send_ack(st, tcb);
		if (tcb->urg_pending && !sf_tcb_urgent_left(tcb))
			tcb->urg_pending = false; /* read past the urgent data: "normal mode" (§3.8.5) */
		return n;
	}
	if (tcb->eof || tcb->rcv_shut)
		return 0;
	if (sock->error)
		return take_error(sock);
	if (tcb->state == SF_CLOSED)
		return ever_connected(tcb) ? 0 : -ENOTCONN;
	return len ? -EAGAIN : 0;
}

int sf_shutdown(sf_stack *st, int handle, int how)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (how != SF_SHUT_RD && how != SF_SHUT_WR && how != SF_SHUT_RDWR)
		return -EINVAL;
	if (sock->kind != SF_SOCK_TCB)
		return -ENOTCONN;
	struct sf_tcb *tcb = (struct sf_tcb *)sock;
	if (tcb->state == SF_CLOSED)
		return -ENOTCONN;
	if (how != SF_SHUT_WR) {
		tcb->rcv_shut = true;
		sf_ring_drop(&tcb->rcvq, &st->bufs, tcb->rcvq.len);
		sf_mark_ready(st, sock);
	}
	if (how != SF_SHUT_RD)
		sf_tcb_start_close(st, tcb, SF_CAUSE_SHUTDOWN); /* RFC 9293 §3.6.1 half-close */
	return 0;
}

static bool synchronized(enum sf_tcp_state s)
{
	return s == SF_SYN_RECEIVED || s == SF_ESTABLISHED || s == SF_FIN_WAIT_1 || s == SF_FIN_WAIT_2 ||
	       s == SF_CLOSE_WAIT;
}

/* RFC 9293 §3.10.5 ABORT: RST where the peer has a connection, then gone. */
static void abort_tcb(struct sf_stack *st, struct sf_tcb *tcb, bool data_lost, enum sf_cause cause)
{
	if (tcb->went_time_wait) {
		/* The connection lives on as a TIME-WAIT record: only the handle goes. */
		sf_tcb_destroy(st, tcb);
		return;
	}
	/* §3.10.5 resets the synchronized states; when received data is being
	 * thrown away (RFC 2525 §2.17) the peer is told in CLOSING and LAST-ACK
	 * too, as Linux does. */
	if (synchronized(tcb->state) || (data_lost && (tcb->state == SF_CLOSING || tcb->state == SF_LAST_ACK)))
		sf_tcb_send_rst(st, tcb);
	/* RFC 4022 tcpAttemptFails counts every SYN-SENT/SYN-RECEIVED -> CLOSED. */
	if (tcb->state == SF_SYN_SENT || tcb->state == SF_SYN_RECEIVED)
		st->ctr.AttemptFails++;
	if (tcb->state != SF_CLOSED)
		sf_tcb_set_state(st, tcb, SF_CLOSED, cause);
	sf_tcb_destroy(st, tcb);
}

/* close() and abort() of a listener end it alike (RFC 9293 §3.10.4,
 * §3.10.5 in LISTEN); for a connection, the TCB, or NULL with *err set
 * (0 once a listener has been closed). */
static struct sf_tcb *tcb_to_close(sf_stack *st, int handle, enum sf_cause cause, int *err)
{
	struct sf_sock *sock = api_sock(st, handle, err);

	if (!sock)
		return NULL;
	if (sock->kind == SF_SOCK_LISTENER) {
		sf_listener_close(st, (struct sf_listener *)sock, cause);
		return NULL;
	}
	return (struct sf_tcb *)sock;
}

int sf_close(sf_stack *st, int handle)
{
	int err;
	struct sf_tcb *tcb = tcb_to_close(st, handle, SF_CAUSE_CLOSE, &err);

	if (!tcb)
		return err;
	struct sf_sock *sock = &tcb->sock;
	if (tcb->went_time_wait) {
		/* The connection already lives on as a TIME-WAIT record
		 * (or has ended); there is nothing left to close. Orphaning this
		 * husk would leak it: no timer or segment would ever free it. */
		sf_tcb_destroy(st, tcb);
		return 0;
	}
	switch (tcb->state) {
	case SF_CLOSED:
		sf_tcb_destroy(st, tcb);
		return 0;
	case SF_SYN_SENT:
		/* §3.10.4: delete the TCB; no segment is sent. The attempt
		 * failed (RFC 4022 tcpAttemptFails: SYN-SENT -> CLOSED). */
		st->ctr.AttemptFails++;
		sf_tcb_set_state(st, tcb, SF_CLOSED, SF_CAUSE_CLOSE);
		sf_tcb_destroy(st, tcb);
		return 0;
	default:
		break;
	}
	if (sock->linger_on && sock->linger_s == 0) {
		st->ctr.TCPAbortOnLinger++;
		abort_tcb(st, tcb, false, SF_CAUSE_CLOSE_LINGER_ZERO);
		return 0;
	}
	if (tcb->rcvq.len) {
		/* RFC 2525 §2.17, SHLD-3: closing with unread data loses it; a
		 * RST tells the peer so instead of a FIN that claims all is well. */
		st->ctr.TCPAbortOnClose++;
		abort_tcb(st, tcb, true, SF_CAUSE_CLOSE_UNREAD);
		return 0;
	}
	sock->user_open = false;
	tcb->orphan = true;
	st->ctr.TCPOrphans++;
	sf_tcb_start_close(st, tcb, SF_CAUSE_CLOSE);
	sf_tcb_arm_fin_timeout(st, tcb);
	return 0;
}

int sf_abort(sf_stack *st, int handle)
{
	int err;
	struct sf_tcb *tcb = tcb_to_close(st, handle, SF_CAUSE_ABORT, &err);

	if (!tcb)
		return err;
	if (synchronized(tcb->state))
		st->ctr.TCPAbortOnUser++;
	abort_tcb(st, tcb, false, SF_CAUSE_ABORT);
	return 0;
}

/* The reading calls (which work from callbacks: no api_entry): the socket,
 * or NULL with *err -EINVAL without a stack, else -EBADF. */
static const struct sf_sock *read_sock(const sf_stack *st, int handle, int *err)
{
	const struct sf_sock *sock = user_sock(st, handle);

	*err = st ? -EBADF : -EINVAL;
	return sock;
}

int sf_getsockname(const sf_stack *st, int handle, struct sf_endpoint *local)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (!local)
		return -EINVAL;
	*local = sock->local;
	return 0;
}

int sf_getpeername(const sf_stack *st, int handle, struct sf_endpoint *remote)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);
	const struct sf_tcb *tcb = user_tcb(st, handle);

	if (!sock)
		return err;
	if (!remote)
		return -EINVAL;
	if (!tcb || !ever_connected(tcb) || tcb->state == SF_CLOSED)
		return -ENOTCONN;
	*remote = tcb->sock.remote;
	return 0;
}


int sf_state(const sf_stack *st, int handle)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind == SF_SOCK_LISTENER)
		return SF_LISTEN;
	const struct sf_tcb *tcb = (const struct sf_tcb *)sock;
	if (tcb->went_time_wait) {
		/* The TCB was freed into a TIME-WAIT record; the record tells. */
		sf_ref ref = sf_demux_lookup(st, &sock->local, &sock->remote);
		return sf_ref_kind(ref) == SF_REF_TW ? SF_TIME_WAIT : SF_CLOSED;
	}
	return tcb->state;
}

int sf_take_error(sf_stack *st, int handle)
{
	int busy = api_entry(st);
	if (busy)
		return busy;
	struct sf_sock *sock = user_sock(st, handle);
	return sock ? take_error(sock) : -EBADF;
}

int sf_soft_error(const sf_stack *st, int handle)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	return sock->kind == SF_SOCK_TCB ? ((const struct sf_tcb *)sock)->soft_error : 0;
}

long sf_urgent_left(const sf_stack *st, int handle)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind != SF_SOCK_TCB)
		return -ENOTCONN;
	return sf_tcb_urgent_left((const struct sf_tcb *)sock);
}

static void tcb_queues(const struct sf_tcb *tcb, struct sf_queue_info *out)
{
	out->readable = tcb->rcvq.len;
	/* As Linux's SIOCOUTQ and SIOCOUTQNSD (write_seq - snd_una, write_seq -
	 * snd_nxt): in sequence space, so a FIN queued and not acknowledged is
	 * one more; during the handshake both are 0. */
	if (tcb->state == SF_SYN_SENT || tcb->state == SF_SYN_RECEIVED) {
		out->unacked = out->unsent = 0;
		return;
	}
	uint32_t fin = tcb->fin_queued && !sf_tcb_fin_acked(tcb) ? 1u : 0u;
	uint32_t in_flight = tcb->snd_max - tcb->snd_una;
	out->unacked = tcb->sndq.len + fin;
	out->unsent = out->unacked > in_flight ? out->unacked - in_flight : 0;
}

int sf_queued(const sf_stack *st, int handle, struct sf_queue_info *out)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (!out || sock->kind != SF_SOCK_TCB)
		return -EINVAL;
	tcb_queues((const struct sf_tcb *)sock, out);
	return 0;
}

/* ---- the operator's view: sf_conn_list, sf_conn_info ---- */

static void conn_timer(struct sf_conn *c, enum sf_timer_kind kind, uint64_t expires_ns)
{
	c->timer_on = expires_ns != SF_TIME_NEVER;
	c->timer = kind;
	c->timer_expires_ns = c->timer_on ? expires_ns : 0;
}

static void conn_of_sock(const struct sf_sock *sock, struct sf_conn *c)
{
	*c = (struct sf_conn){.kind = SF_CONN_SOCKET, .sock = sock->user_open ? (int)sock->handle : -1,
			      .listener = -1, .local = sock->local, .remote = sock->remote};
	conn_timer(c, SF_TIMER_RETRANSMIT, SF_TIME_NEVER);
	if (sock->kind == SF_SOCK_LISTENER) {
		const struct sf_listener *lst = (const struct sf_listener *)sock;
		c->state = SF_LISTEN;
		c->recv_q = lst->accept_count;
		c->send_q = lst->backlog;
		c->syn_queue = lst->syn_count;
		return;
	}
	const struct sf_tcb *tcb = (const struct sf_tcb *)sock;
	struct sf_queue_info q;
	tcb_queues(tcb, &q);
	c->state = tcb->state;
	c->recv_q = q.readable;
	c->send_q = q.unacked;
	if (tcb->listener != SF_NO_HANDLE)
		c->listener = (int)tcb->listener;
	c->retransmits = tcb->rtx_count;
	c->orphan = tcb->orphan;
	for (int k = 0; k < SF_TCB_TIMERS; k++)
		if (tcb->due[k] != SF_TIME_NEVER && (!c->timer_on || tcb->due[k] < c->timer_expires_ns))
			conn_timer(c, (enum sf_timer_kind)k, tcb->due[k]);
}

long sf_conn_list(sf_stack *st, sf_conn_fn fn, void *ctx)
{
	int busy = api_entry(st);
	if (busy)
		return busy;
	if (!fn)
		return -EINVAL;
	/* The walk is a callback like cfg.output: the re-entry rule holds in it. */
	st->in_callback = true;
	long seen = 0;
	bool stop = false;
	struct sf_conn c;
	for (uint32_t h = 0; h < st->socks_hwm && !stop; h++) {
		const struct sf_sock *sock = sf_sock_get(st, h);
		/* A listener the application closed lingers only to answer its embryos. */
		if (!sock || (sock->kind == SF_SOCK_LISTENER && !sock->user_open))
			continue;
		conn_of_sock(sock, &c);
		seen++;
		stop = fn(ctx, &c) != 0;
	}
	for (uint32_t level = 0; level <= SF_MAX_SYNACK_RETRIES && !stop; level++) {
		for (uint32_t i = st->embryo_fifo[level].head; i && !stop;) {
			const struct sf_embryo *emb = sf_embryo_at(st, i);
			c = (struct sf_conn){.kind = SF_CONN_EMBRYO, .sock = -1, .listener = (int)emb->listener,
					     .state = SF_SYN_RECEIVED, .retransmits = emb->retries};
			sf_embryo_endpoints(st, emb, &c.local, &c.remote);
			conn_timer(&c, SF_TIMER_SYNACK, sf_embryo_expires_ns(st, emb));
			seen++;
			stop = fn(ctx, &c) != 0;
			i = emb->timer.next;
		}
	}
	for (uint32_t i = st->tw_fifo.head; i && !stop;) {
		const struct sf_tw *tw = sf_tw_at(st, i);
		c = (struct sf_conn){.kind = SF_CONN_TIME_WAIT, .sock = -1, .listener = -1, .state = SF_TIME_WAIT};
		sf_tw_endpoints(st, tw, &c.local, &c.remote);
		conn_timer(&c, SF_TIMER_TIME_WAIT, sf_ms_stamp_ns(st, tw->expires_ms));
		seen++;
		stop = fn(ctx, &c) != 0;
		i = tw->fifo.next;
	}
	st->in_callback = false;
	return seen;
}

int sf_conn_info(const sf_stack *st, int handle, struct sf_conn_info *out, size_t size)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (!out || size == 0)
		return -EINVAL;
	struct sf_conn_info info = {0};
	if (sock->kind == SF_SOCK_LISTENER) {
		const struct sf_listener *lst = (const struct sf_listener *)sock;
		info.state = SF_LISTEN;
		info.backlog = lst->backlog;
		info.accept_queue = lst->accept_count;
		info.syn_queue = lst->syn_count;
	} else {
		const struct sf_tcb *tcb = (const struct sf_tcb *)sock;
		info.state = tcb->state;
		info.options = (tcb->ts_ok ? SF_CONN_OPT_TIMESTAMPS : 0u) | (tcb->sack_ok ? SF_CONN_OPT_SACK : 0u) |
			       (tcb->ws_ok ? SF_CONN_OPT_WSCALE : 0u) | (tcb->ecn_ok ? SF_CONN_OPT_ECN : 0u);
		info.snd_wscale = tcb->ws_ok ? tcb->snd_wscale : 0;
		info.rcv_wscale = tcb->ws_ok ? tcb->rcv_wscale : 0;
		info.rto_us = tcb->rto_ms * 1000u;
		info.rtt_us = tcb->srtt_us;
		info.rttvar_us = tcb->rttvar_us;
		info.snd_mss = tcb->snd_mss;
		info.rcv_mss = tcb->rcv_mss;
		info.peer_mss = tcb->peer_mss;
		info.pmtu = tcb->pmtu;
		info.snd_cwnd = tcb->cwnd;
		info.snd_ssthresh = tcb->ssthresh;
		info.snd_wnd = tcb->snd_wnd;
		info.rcv_wnd = tcb->rcv_wnd;
		info.unacked = tcb->snd_max - tcb->snd_una;
		info.retransmits = tcb->rtx_count;
		info.total_retrans = tcb->total_retrans;
		info.in_recovery = tcb->in_recovery;
		info.bytes_acked = tcb->bytes_acked;
		info.bytes_received = tcb->bytes_received;
	}
	/* A program built against a later header may pass a larger struct: what
	 * this library does not know of reads as zero. */
	memset(out, 0, size);
	memcpy(out, &info, size < sizeof info ? size : sizeof info);
	return 0;
}

/* ---- readiness ---- */

/* What sf_poll_events and sf_poll report. READABLE means the next read will
 * not say -EAGAIN, as poll(2)'s POLLIN; a listener's read is sf_accept. (An
 * error is pending only once the connection has ended, which is readable.) */
static uint32_t readiness(const struct sf_sock *sock)
{
	uint32_t ev = sock->error ? SF_EV_ERROR : 0;

	if (sock->kind == SF_SOCK_LISTENER)
		return ev | (((const struct sf_listener *)sock)->accept_count ? SF_EV_ACCEPT | SF_EV_READABLE : 0);
	const struct sf_tcb *tcb = (const struct sf_tcb *)sock;
	bool ended = (tcb->state == SF_CLOSED && ever_connected(tcb)) || tcb->went_time_wait;
	if (tcb->rcvq.len || tcb->eof || tcb->rcv_shut || ended)
		ev |= SF_EV_READABLE;
	if ((tcb->state == SF_ESTABLISHED || tcb->state == SF_CLOSE_WAIT) && !tcb->fin_queued &&
	    sf_ring_room(&tcb->sndq, sock->sndbuf) > 0)
		ev |= SF_EV_WRITABLE;
	if (tcb->state != SF_SYN_SENT && tcb->state != SF_CLOSED && !(tcb->state == SF_SYN_RECEIVED))
		ev |= SF_EV_CONNECTED;
	if (ended || (tcb->eof && tcb->fin_queued))
		ev |= SF_EV_HUP;
	if (sf_tcb_urgent_left(tcb))
		ev |= SF_EV_URGENT;
	if (tcb->soft_error)
		ev |= SF_EV_SOFT_ERROR;
	return ev;
}

/* ---- options ---- */


int sf_set_linger(sf_stack *st, int handle, int on, int seconds)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (seconds < 0 || seconds > 65535)
		return -EINVAL;
	sock->linger_on = on != 0;
	sock->linger_s = (uint16_t)seconds;
	return 0;
}

int sf_set_reuseaddr(sf_stack *st, int handle, int on)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	sock->reuseaddr = on != 0;
	return 0;
}

int sf_set_maxseg(sf_stack *st, int handle, int mss)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (mss < 88 || mss > 65495)
		return -EINVAL;
	/* As Linux: the value is the cap the SYNs are judged by (ours
	 * announces it, the peer's is bounded by it when it comes). Once the
	 * peer's MSS has been taken, the MSS in use stays as the handshake
	 * settled it (Linux's mss_clamp); the value is kept, and reported
	 * again once the connection is CLOSED. */
	sock->maxseg = (uint16_t)mss;
	return 0;
}

int sf_get_maxseg(const sf_stack *st, int handle)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	const struct sf_tcb *tcb = sock->kind == SF_SOCK_TCB ? (const struct sf_tcb *)sock : NULL;
	/* As Linux's tcp_getsockopt: the MSS in use, except that a closed socket
	 * (or one without a peer's MSS yet) reports the value set, or 536. */
	if (tcb && tcb->snd_mss && (tcb->state != SF_CLOSED || !sock->maxseg))
		return tcb->snd_mss;
	return sock->maxseg ? sock->maxseg : 536;
}

int sf_set_keepalive(sf_stack *st, int handle, int on, uint32_t idle_ms, uint32_t intvl_ms, uint32_t probes)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (probes > 255 || (intvl_ms && intvl_ms < SF_KEEPALIVE_MIN_INTVL_MS))
		return -EINVAL;
	sock->keepalive_on = on != 0; /* MUST-24: per connection; MUST-25: off unless asked */
	sock->ka_idle_ms = idle_ms ? idle_ms : st->cfg.keepalive_idle_ms;
	sock->ka_intvl_ms = intvl_ms ? intvl_ms : st->cfg.keepalive_intvl_ms;
	sock->ka_probes = probes ? probes : st->cfg.keepalive_probes;
	if (sock->kind == SF_SOCK_TCB) {
		struct sf_tcb *tcb = (struct sf_tcb *)sock;
		if (!sock->keepalive_on)
			sf_tcb_disarm(st, tcb, SF_TIMER_KEEPALIVE);
		else if (tcb->hashed && tcb->state != SF_SYN_SENT)
			sf_tcb_arm(st, tcb, SF_TIMER_KEEPALIVE, tcb->last_heard_ns + sf_ns_from_ms(sock->ka_idle_ms));
	}
	return 0;
}

int sf_set_nodelay(sf_stack *st, int handle, int on)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind != SF_SOCK_TCB)
		return -EINVAL;
	struct sf_tcb *tcb = (struct sf_tcb *)sock;
	tcb->nodelay = on != 0;
	if (tcb->nodelay)
		sf_tcb_output(st, tcb); /* what Nagle held goes now */
	return 0;
}

int sf_set_ttl(sf_stack *st, int handle, int ttl)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (ttl < -1 || ttl == 0 || ttl > 255)
		return -EINVAL;
	sock->ttl = ttl == -1 ? 0 : (uint8_t)ttl;
	return 0;
}

int sf_set_tclass(sf_stack *st, int handle, int tclass)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (tclass < -1 || tclass > 255)
		return -EINVAL;
	sock->tclass = tclass == -1 ? 0 : (uint8_t)(tclass & ~SF_ECN_MASK);
	return 0;
}

int sf_set_user_timeout(sf_stack *st, int handle, uint32_t ms)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sock->kind != SF_SOCK_TCB || ms > (1u << 30))
		return -EINVAL;
	((struct sf_tcb *)sock)->user_timeout_ms = ms;
	return 0;
}

/* RFC 9293 §3.8.3 (d), MUST-21: the application sets R2 (and R1) for its
 * connection, as a count or in time ((a)), R2 above R1 ((c)). */
int sf_set_retry_thresholds(sf_stack *st, int handle, int kind, int unit, uint32_t r1, uint32_t r2)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (kind != SF_RETRY_SYN && kind != SF_RETRY_DATA)
		return -EINVAL;
	if (unit == SF_RETRY_DEFAULT ? r1 || r2
				     : (unit != SF_RETRY_COUNT && unit != SF_RETRY_MS) || r1 == 0 || r2 <= r1)
		return -EINVAL;
	sock->retry[kind] = (struct sf_retry_thresholds){ .r1 = r1, .r2 = r2, .unit = (uint8_t)unit };
	return 0;
}

/* 0 leaves a size as it is. */
static bool bufsize_ok(uint32_t size)
{
	return size == 0 || (size >= 1024 && size <= (16u << 20));
}

int sf_set_bufsizes(sf_stack *st, int handle, uint32_t sndbuf, uint32_t rcvbuf)
{
	int err;
	struct sf_sock *sock = api_sock(st, handle, &err);

	if (!sock)
		return err;
	if (!bufsize_ok(sndbuf) || !bufsize_ok(rcvbuf))
		return -EINVAL;
	uint32_t old_snd = sock->sndbuf, old_rcv = sock->rcvbuf, was = readiness(sock);
	sock->sndbuf = sndbuf ? sndbuf : old_snd;
	sock->rcvbuf = rcvbuf ? rcvbuf : old_rcv;
	if (sock->kind != SF_SOCK_TCB)
		return 0;
	/* A queue's storage is sized when its first byte arrives: what a queue
	 * holds now moves to storage of the new size, so the window the next
	 * segment offers (sf_tcb_advertise_window) and what sf_send takes fit in
	 * it. A smaller buffer keeps its storage until the queue drains. */
	struct sf_tcb *tcb = (struct sf_tcb *)sock;
	if (sf_ring_grow(&tcb->sndq, &st->bufs, sock->sndbuf) < 0 ||
	    sf_ring_grow(&tcb->rcvq, &st->bufs, sf_tcb_rcv_cap(tcb)) < 0) {
		sock->sndbuf = old_snd;
		sock->rcvbuf = old_rcv;
		return -ENOMEM;
	}
	if (readiness(sock) != was)
		sf_mark_ready(st, sock); /* room to send now */
	return 0;
}

int sf_get_bufsizes(const sf_stack *st, int handle, uint32_t *sndbuf, uint32_t *rcvbuf)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	if (!sock)
		return err;
	if (sndbuf)
		*sndbuf = sock->sndbuf;
	if (rcvbuf)
		*rcvbuf = sock->rcvbuf;
	return 0;
}

/* ---- events ---- */

int sf_poll_events(sf_stack *st, struct sf_event *events, int max)
{
	int n = 0;

	if (st && st->in_callback)
		return -EBUSY;
	if (!st || !events || max <= 0)
		return 0;
	while (n < max && st->ready_head < st->nready) {
		uint32_t h = st->ready[st->ready_head++];
		struct sf_sock *sock = sf_sock_get(st, h);
		if (!sock || !sock->in_ready)
			continue;
		sock->in_ready = false;
		if (!sock->user_open)
			continue;
		uint32_t ev = readiness(sock);
		if (ev) {
			events[n].sock = (int)h;
			events[n].events = ev;
			n++;
		}
	}
	if (st->ready_head == st->nready)
		st->ready_head = st->nready = 0;
	return n;
}

int sf_poll(const sf_stack *st, int handle)
{
	int err;
	const struct sf_sock *sock = read_sock(st, handle, &err);

	return sock ? (int)readiness(sock) : err;
}
