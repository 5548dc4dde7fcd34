/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-lwip-bulk: the workload of synfin-bench-bulk on lwIP (Debian's
 * liblwip, raw API), for comparison.
 *
 * Debian builds lwIP with NO_SYS=0 (the unix port, pthreads, core locking),
 * but nothing forces its threads on us: lwip_init() initializes the core
 * without starting tcpip_thread, and the port's core-locking check only bites
 * once a thread has marked itself the tcpip thread (sys_mark_tcpip_thread(),
 * which only tcpip_init() calls). So this program drives lwIP from one thread
 * like a NO_SYS system: it calls the raw API, feeds datagrams to netif->input
 * and calls tcp_tmr() every TCP_TMR_INTERVAL (250 ms) of virtual time. It
 * never calls sys_check_timeouts() (the other cyclic timers: ARP, IP
 * reassembly, ND6, IGMP/MLD are not involved in a TCP transfer between two
 * address-less-link netifs).
 *
 * One lwIP instance holds both ends (lwIP has global state; there cannot be two
 * instances in a process). Two netifs, A = 192.0.2.1/32 and B = 192.0.2.2/32,
 * MTU 1500, no Ethernet/ARP: each one's output() copies the datagram into a new
 * pbuf and queues it for the other netif. Each TCP pcb is bound to its netif
 * (tcp_bind_netif), so A's segments leave through netif A instead of being
 * looped back inside lwIP. The delivery loop, virtual clock, loss PRNG, byte
 * pattern and measurements are those of synfin-bench-bulk.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip_netif.h"

#define FIFO_SLOTS 8192u

struct fifo {
	struct pbuf *p[FIFO_SLOTS];
	uint64_t head, tail;
	struct bench_loss loss;
	uint64_t lost, overflow, sent, payload_dgrams;
	struct netif *to; /* the netif these datagrams arrive on */
};

static struct fifo ab, ba;
static struct netif nif_a, nif_b;

/* What the library really announces in its SYN and SYN,ACK (its build, not the header we compiled against). */
static struct {
	int seen;
	unsigned mss, window, wscale;
} syn_info[2]; /* [0]: A's SYN, [1]: B's SYN,ACK */

static void snoop_syn(int side, const uint8_t *d, size_t len)
{
	if (syn_info[side].seen || len < 40 || (d[0] >> 4) != 4)
		return;
	size_t ihl = (size_t)(d[0] & 15) * 4;
	const uint8_t *t = d + ihl;
	if (ihl + 20 > len || !(t[13] & 0x02))
		return;
	size_t doff = (size_t)(t[12] >> 4) * 4;
	if (ihl + doff > len)
		return;
	syn_info[side].seen = 1;
	syn_info[side].window = (unsigned)t[14] << 8 | t[15];
	for (size_t i = 20; i < doff;) {
		uint8_t kind = t[i];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff || t[i + 1] < 2)
			break;
		if (kind == 2 && t[i + 1] == 4)
			syn_info[side].mss = (unsigned)t[i + 2] << 8 | t[i + 3];
		if (kind == 3 && t[i + 1] == 3)
			syn_info[side].wscale = t[i + 2];
		i += t[i + 1];
	}
}

static err_t nif_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr)
{
	(void)ipaddr;
	struct fifo *f = netif->state;
	f->sent++;
	/* The datagram as one contiguous pbuf: the copy that hands it to the other netif. */
	struct pbuf *q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
	if (!q) {
		f->overflow++;
		return ERR_MEM;
	}
	if (pbuf_copy(q, p) != ERR_OK) {
		pbuf_free(q);
		f->overflow++;
		return ERR_BUF;
	}
	if (bench_tcp_payload(q->payload, q->len))
		f->payload_dgrams++;
	else
		snoop_syn(f == &ab ? 0 : 1, q->payload, q->len);
	if (bench_loss_drop(&f->loss)) {
		f->lost++;
		pbuf_free(q);
		return ERR_OK;
	}
	if (f->tail - f->head == FIFO_SLOTS) {
		f->overflow++;
		pbuf_free(q);
		return ERR_OK;
	}
	f->p[f->tail % FIFO_SLOTS] = q;
	f->tail++;
	return ERR_OK;
}

static err_t nif_init(struct netif *netif)
{
	return bench_lwip_netif_setup(netif, 'b', netif == &nif_a ? 'a' : 'b', nif_output);
}

static void fifo_deliver(struct fifo *f, uint64_t n)
{
	for (; n; n--, f->head++) {
		struct pbuf *p = f->p[f->head % FIFO_SLOTS];
		if (f->to->input(p, f->to) != ERR_OK)
			pbuf_free(p);
	}
}

static void fifo_drain(struct fifo *f)
{
	for (; f->head != f->tail; f->head++)
		pbuf_free(f->p[f->head % FIFO_SLOTS]);
}

/* The applications. */
static struct tcp_pcb *client, *server;
static struct bench_rx rx;
static int verify, failed;

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (!p || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		failed = 1; /* FIN or error before the end */
		return ERR_OK;
	}
	u16_t total = p->tot_len, done = 0;
	while (done < total) {
		size_t room;
		uint8_t *dst = bench_rx_ptr(&rx, &room);
		size_t left = (size_t)total - done;
		u16_t n = (u16_t)(left < room ? left : room);
		pbuf_copy_partial(p, dst, n, done);
		bench_rx_done(&rx, n, verify);
		done = (u16_t)(done + n);
	}
	tcp_recved(pcb, total);
	pbuf_free(p);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	fprintf(stderr, "lwIP: %s connection error %d\n", (const char *)arg, (int)err);
	failed = 1;
	if (!strcmp((const char *)arg, "client"))
		client = NULL;
	else
		server = NULL;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	server = pcb;
	tcp_arg(pcb, (void *)"server");
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	return ERR_OK;
}

static int connected;
static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	(void)pcb;
	if (err == ERR_OK)
		connected = 1;
	return ERR_OK;
}

static struct bench_result run(const struct bench_opts *o, double loss)
{
	memset(&ab, 0, sizeof ab);
	memset(&ba, 0, sizeof ba);
	bench_loss_init(&ab.loss, loss, o->seed);
	bench_loss_init(&ba.loss, 0, 0);
	ab.to = &nif_b;
	ba.to = &nif_a;
	memset(&rx, 0, sizeof rx);
	memset(syn_info, 0, sizeof syn_info);
	verify = o->verify;
	failed = connected = 0;
	client = server = NULL;

	ip_addr_t a = IPADDR4_INIT_BYTES(192, 0, 2, 1), b = IPADDR4_INIT_BYTES(192, 0, 2, 2);
	const uint16_t port = 5001;

	struct tcp_pcb *l = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!l || tcp_bind(l, &b, port) != ERR_OK) {
		fprintf(stderr, "lwIP: cannot bind the listener\n");
		exit(1);
	}
	tcp_bind_netif(l, &nif_b);
	struct tcp_pcb *lst = tcp_listen(l);
	if (!lst) {
		fprintf(stderr, "lwIP: tcp_listen failed\n");
		exit(1);
	}
	tcp_accept(lst, on_accept);

	client = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!client || tcp_bind(client, &a, 0) != ERR_OK) {
		fprintf(stderr, "lwIP: cannot bind the client\n");
		exit(1);
	}
	tcp_bind_netif(client, &nif_a);
	tcp_nagle_disable(client);
	tcp_arg(client, (void *)"client");
	tcp_err(client, on_err);
	if (tcp_connect(client, &b, port, on_connected) != ERR_OK) {
		fprintf(stderr, "lwIP: tcp_connect failed\n");
		exit(1);
	}

	const uint64_t tick = (uint64_t)TCP_TMR_INTERVAL * 1000000ull;
	uint64_t now = 0, next_tick = tick, sent = 0, rounds = 0;
	uint64_t t0 = 0, v0 = 0, segs0 = 0, acks0 = 0, lost0 = 0;
	int started = 0;
	uint64_t idle_since = 0;

	for (;;) {
		uint64_t nab = ab.tail - ab.head, nba = ba.tail - ba.head;
		fifo_deliver(&ab, nab);
		fifo_deliver(&ba, nba);
		while (next_tick <= now) {
			tcp_tmr();
			next_tick += tick;
		}
		if (started)
			rounds++;
		if (failed || !client) {
			fprintf(stderr, "lwIP: the connection failed (%llu/%llu bytes)\n", (unsigned long long)rx.got,
				(unsigned long long)o->bytes);
			exit(1);
		}

		if (!started && connected && server) {
			started = 1;
			t0 = bench_wall_ns();
			v0 = now;
			segs0 = ab.payload_dgrams;
			acks0 = ba.sent;
			lost0 = ab.lost;
		}
		if (started) {
			int wrote = 0;
			while (sent < o->bytes) {
				size_t off = (size_t)(sent % BENCH_PATTERN);
				uint64_t left = o->bytes - sent;
				size_t n = BENCH_PATTERN - off;
				if (left < n)
					n = (size_t)left;
				u16_t room = tcp_sndbuf(client);
				if (room == 0)
					break;
				if (n > room)
					n = room;
				err_t e = tcp_write(client, bench_pattern + off, (u16_t)n, TCP_WRITE_FLAG_COPY);
				if (e == ERR_MEM)
					break; /* TCP_SND_QUEUELEN reached */
				if (e != ERR_OK) {
					fprintf(stderr, "lwIP: tcp_write: %d\n", (int)e);
					exit(1);
				}
				sent += n;
				wrote = 1;
			}
			if (wrote)
				tcp_output(client);
			if (rx.got >= o->bytes)
				break;
		}

		if (ab.tail == ab.head && ba.tail == ba.head) {
			/* nothing in flight: the next thing that can happen is a timer tick */
			if (!idle_since)
				idle_since = now ? now : 1;
			else if (now - idle_since > 600ull * 1000000000ull) {
				fprintf(stderr, "lwIP: stalled for ten virtual minutes (%llu/%llu bytes)\n",
					(unsigned long long)rx.got, (unsigned long long)o->bytes);
				exit(1);
			}
			now = next_tick > now + o->step_ns ? next_tick : now + o->step_ns;
		} else {
			idle_since = 0;
			now += o->step_ns;
		}
	}
	uint64_t t1 = bench_wall_ns();

	struct bench_result r = { .stack = o->label, .loss = loss, .bytes = o->bytes, .bufsize = TCP_WND };
	r.wall_ns = t1 - t0;
	r.virt_ns = now - v0;
	r.rounds = rounds;
	r.data_segs = ab.payload_dgrams - segs0;
	r.retrans = UINT64_MAX; /* LWIP_STATS is 0 in Debian's build: lwIP does not count them */
	r.acks = ba.sent - acks0;
	r.lost = ab.lost - lost0;
	r.ok = rx.got == o->bytes && bench_rx_check_tail(&rx) && ab.overflow == 0 && ba.overflow == 0;
	if (ab.overflow || ba.overflow)
		fprintf(stderr, "warning: FIFO overflow (%llu A->B, %llu B->A)\n", (unsigned long long)ab.overflow,
			(unsigned long long)ba.overflow);
	snprintf(r.note, sizeof r.note,
		 "lwIP %s TCP_MSS %d TCP_WND %d TCP_SND_BUF %d TCP_SND_QUEUELEN %d SACK %d; on the wire: SYN mss %u "
		 "win %u wscale %u / SYN-ACK mss %u win %u wscale %u",
		 LWIP_VERSION_STRING, (int)TCP_MSS, (int)TCP_WND, (int)TCP_SND_BUF, (int)TCP_SND_QUEUELEN,
		 (int)LWIP_TCP_SACK_OUT, syn_info[0].mss, syn_info[0].window, syn_info[0].wscale, syn_info[1].mss,
		 syn_info[1].window, syn_info[1].wscale);

	/* Tear down without running the close handshake (not measured). */
	tcp_err(client, NULL);
	tcp_abort(client);
	client = NULL;
	if (server) {
		tcp_err(server, NULL);
		tcp_abort(server);
	}
	server = NULL;
	tcp_close(lst);
	fifo_drain(&ab);
	fifo_drain(&ba);
	return r;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse(argc, argv, &o, "lwip", 0);
	bench_init_pattern();

	if (bench_lwip_two_ends(&nif_a, &nif_b, &ab, &ba, nif_init)) {
		fprintf(stderr, "lwIP: netif_add failed\n");
		return 1;
	}

	fprintf(stderr, "lwIP %s: TCP_MSS %d, TCP_WND %d (window scale %d, shift %d), TCP_SND_BUF %d, "
			"TCP_SND_QUEUELEN %d, SACK %d, timestamps %d, NO_SYS %d\n",
		LWIP_VERSION_STRING, (int)TCP_MSS, (int)TCP_WND, (int)LWIP_WND_SCALE, (int)TCP_RCV_SCALE,
		(int)TCP_SND_BUF, (int)TCP_SND_QUEUELEN, (int)LWIP_TCP_SACK_OUT, (int)LWIP_TCP_TIMESTAMPS, (int)NO_SYS);
	return bench_run_all(&o, run);
}
