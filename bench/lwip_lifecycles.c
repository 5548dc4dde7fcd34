/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-lwip-lifecycles: the workload of synfin-bench-lifecycles
 * (connection lifecycles per second, workload 1 of bench/run-all.sh) on lwIP
 * (Debian's liblwip, raw API), for comparison.
 *
 * Each lifecycle: connect, accept, 1 byte each way, the client closes first
 * with tcp_close() (its pcb moves to lwIP's tcp_tw_pcbs list for 2MSL =
 * 2 * TCP_MSL = 120 s of virtual time, which outlasts the run, so TIME-WAIT
 * pcbs pile up), the server sees EOF and closes. With --rst the client calls
 * tcp_abort() instead (RST, no TIME-WAIT). The rate is printed per tenth of
 * the run, so that the cost of a growing tcp_tw_pcbs list shows: lwIP walks
 * that list linearly to demultiplex every segment that matches no active pcb
 * (each SYN to a listener) and, in tcp_connect, to check that the 4-tuple is
 * unique (perf: those two walks are ~96% of the time at 20k TIME-WAIT pcbs).
 * Client and server share the one lwIP instance, so the server's SYN lookup
 * walks the client's TIME-WAIT pcbs; with the server in another lwIP only the
 * tcp_connect walk would remain (synfin's benchmark has two separate stacks).
 *
 * lwIP is driven exactly as synfin-bench-lwip-bulk drives it (see there and
 * bench/README.md): lwip_init() without tcpip_thread, one lwIP instance with
 * two point-to-point netifs (A = 192.0.2.1 client, B = 192.0.2.2 server) whose
 * output() copies each datagram into a fresh pbuf queued for the other netif's
 * input(), every pcb bound to its netif with tcp_bind_netif(), tcp_tmr() every
 * TCP_TMR_INTERVAL (250 ms) of virtual time. The virtual clock moves 1 µs per
 * delivery round, as in synfin-bench-lifecycles. sys_now() is not replaced:
 * lwip_bulk does not either, and lwIP's TCP reads only tcp_ticks (advanced by
 * tcp_tmr), never sys_now(), in this configuration (no timestamps option).
 *
 * Local ports. lwIP's own choice (tcp_new_port(), port 0) refuses any port
 * that any pcb holds, TIME-WAIT pcbs included, whatever the remote end:
 * once the 16383 ports of 0xc000-0xfffe are held by TIME-WAIT pcbs,
 * tcp_connect() fails with ERR_BUF (see it with --ephemeral). So by default
 * the client picks the port itself, from that same range, one per server
 * port in turn (lifecycle i uses server port 1000 + i % 256 and local port
 * 0xc000 + (i / 256) % 16383: unique 4-tuples for 4M lifecycles) with
 * SOF_REUSEADDR, which is how an lwIP application reaches more TIME-WAIT
 * pcbs than ports; tcp_connect() then checks the 4-tuple against the active
 * and TIME-WAIT lists. Debian's build mallocs every pcb (MEMP_MEM_MALLOC), so
 * MEMP_NUM_TCP_PCB (5) does not apply and nothing else limits the list.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle_report.h"
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip_netif.h"

#define NPORTS 256         /* server ports 1000..1255, as in lifecycles.c */
#define PORT_LO 0xc000     /* lwIP's TCP_LOCAL_PORT_RANGE_START (private to tcp.c) */
#define PORT_COUNT 0x3fff  /* ... to TCP_LOCAL_PORT_RANGE_END 0xffff, exclusive */
#define FIFO_SLOTS 64      /* one lifecycle in flight: a few datagrams at most */
#define MAX_ROUNDS 16

struct fifo {
	struct pbuf *p[FIFO_SLOTS];
	unsigned head, tail;
	struct netif *to; /* the netif these datagrams arrive on */
};

static struct fifo ab, ba;
static struct netif nif_a, nif_b;

static err_t nif_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr)
{
	(void)ipaddr;
	struct fifo *f = netif->state;
	struct pbuf *q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
	if (!q || pbuf_copy(q, p) != ERR_OK || f->tail - f->head == FIFO_SLOTS) {
		fprintf(stderr, "lwIP: cannot queue a datagram\n");
		exit(1);
	}
	f->p[f->tail++ % FIFO_SLOTS] = q;
	return ERR_OK;
}

static err_t nif_init(struct netif *netif)
{
	return bench_lwip_netif_setup(netif, 'l', netif == &nif_a ? 'a' : 'b', nif_output);
}

static int fifo_deliver(struct fifo *f)
{
	int n = 0;
	for (; f->head != f->tail; f->head++, n++) {
		struct pbuf *p = f->p[f->head % FIFO_SLOTS];
		if (f->to->input(p, f->to) != ERR_OK)
			pbuf_free(p);
	}
	return n;
}

/* Virtual clock: one delivery round is 1 µs; tcp_tmr() every 250 ms of it. */
static uint64_t now_ns, next_tick_ns;
static const uint64_t tick_ns = (uint64_t)TCP_TMR_INTERVAL * 1000000ull;

static int round_trip(void)
{
	now_ns += 1000;
	int n = fifo_deliver(&ab) + fifo_deliver(&ba);
	while (next_tick_ns <= now_ns) {
		tcp_tmr();
		next_tick_ns += tick_ns;
	}
	return n;
}

/* The two applications; one lifecycle at a time, so one of each. Callbacks
 * get a struct side as arg; a pcb the application has closed gets NULL (lwIP
 * still calls its recv with NULL when the peer's FIN arrives in FIN-WAIT-2). */
struct side {
	struct tcp_pcb *pcb;
	int connected, got, eof, err;
};
static struct side cli, srv;

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct side *s = arg;
	(void)err;
	if (!p) {
		if (s)
			s->eof = 1;
		return ERR_OK;
	}
	if (s)
		s->got += p->tot_len;
	/* Needed: tcp_close() sends RST instead of FIN if received data was not tcp_recved(). */
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
	struct side *s = arg;
	if (s) {
		s->pcb = NULL; /* lwIP has freed it */
		s->err = err;
	}
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	srv.pcb = pcb;
	tcp_arg(pcb, &srv);
	tcp_recv(pcb, on_recv);
	tcp_err(pcb, on_err);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)pcb;
	if (err == ERR_OK)
		((struct side *)arg)->connected = 1;
	return ERR_OK;
}

static uint64_t count(struct tcp_pcb *list)
{
	uint64_t n = 0;
	for (; list; list = list->next)
		n++;
	return n;
}

static void fail(const char *what, uint64_t i, int e)
{
	fprintf(stderr, "lwIP: %s failed at lifecycle %llu (err %d, TIME-WAIT pcbs %llu)\n", what,
		(unsigned long long)i, e, (unsigned long long)count(tcp_tw_pcbs));
	exit(1);
}

int main(int argc, char **argv)
{
	struct lc_run run;
	lc_begin(&run, "lwip", argc, argv, LC_BUDGET | LC_UNTIMED_REPORT, "--ephemeral");
	int ephemeral = run.opts.extra;

	ab.to = &nif_b;
	ba.to = &nif_a;
	if (bench_lwip_two_ends(&nif_a, &nif_b, &ab, &ba, nif_init)) {
		fprintf(stderr, "lwIP: netif_add failed\n");
		return 1;
	}
	ip_addr_t a = IPADDR4_INIT_BYTES(192, 0, 2, 1), b = IPADDR4_INIT_BYTES(192, 0, 2, 2);

	for (int p = 0; p < NPORTS; p++) {
		struct tcp_pcb *l = tcp_new_ip_type(IPADDR_TYPE_V4);
		if (!l || tcp_bind(l, &b, (u16_t)(1000 + p)) != ERR_OK || !(l = tcp_listen(l))) {
			fprintf(stderr, "lwIP: listen failed\n");
			return 1;
		}
		tcp_bind_netif(l, &nif_b);
		tcp_accept(l, on_accept);
	}

	char stack_line[1024]; /* room for any %.0f budget */
	snprintf(stack_line, sizeof stack_line,
		 "stack lwIP %s (raw API, one instance, two netifs); local ports %s; budget %.0f s wall",
		 LWIP_VERSION_STRING, ephemeral ? "chosen by lwIP (tcp_new_port)" : "chosen by the client, SOF_REUSEADDR",
		 run.opts.max_seconds);
	lc_print_header(&run, stack_line);
	now_ns = 1000000;
	next_tick_ns = now_ns + tick_ns;
	lc_start(&run);
	for (uint64_t i = 0; i < run.opts.n; i++) {
		if (lc_budget_exceeded(&run))
			break;
		int p = (int)(i % NPORTS);
		memset(&cli, 0, sizeof cli);
		memset(&srv, 0, sizeof srv);
		struct tcp_pcb *c = tcp_new_ip_type(IPADDR_TYPE_V4);
		if (!c)
			fail("tcp_new", i, 0);
		u16_t lport = 0;
		if (!ephemeral) {
			ip_set_option(c, SOF_REUSEADDR);
			lport = (u16_t)(PORT_LO + (i / NPORTS) % PORT_COUNT);
		}
		err_t e = tcp_bind(c, &a, lport);
		if (e == ERR_BUF && ephemeral) { /* tcp_new_port() found no free port */
			tcp_abort(c);
			lc_stop(&run, "no free local port (tcp_bind port 0: ERR_BUF)");
			break;
		}
		if (e != ERR_OK)
			fail("tcp_bind", i, e);
		tcp_bind_netif(c, &nif_a);
		tcp_arg(c, &cli);
		tcp_recv(c, on_recv);
		tcp_err(c, on_err);
		cli.pcb = c;
		if ((e = tcp_connect(c, &b, (u16_t)(1000 + p), on_connected)) != ERR_OK)
			fail("tcp_connect", i, e);
		for (int r = 0; r < MAX_ROUNDS && !(cli.connected && srv.pcb); r++)
			round_trip();
		if (!cli.connected || !srv.pcb)
			fail("connect/accept", i, cli.err);

		if (tcp_write(cli.pcb, "q", 1, TCP_WRITE_FLAG_COPY) != ERR_OK ||
		    tcp_write(srv.pcb, "r", 1, TCP_WRITE_FLAG_COPY) != ERR_OK)
			fail("tcp_write", i, 0);
		tcp_output(cli.pcb);
		tcp_output(srv.pcb);
		for (int r = 0; r < MAX_ROUNDS && !(cli.got && srv.got); r++)
			round_trip();
		if (!cli.got || !srv.got)
			fail("1-byte exchange", i, 0);

		if (run.opts.rst) {
			tcp_err(c, NULL); /* we know it is gone */
			tcp_abort(c);
		} else {
			tcp_arg(c, NULL); /* the pcb is lwIP's now: TIME-WAIT after the handshake below */
			if ((e = tcp_close(c)) != ERR_OK)
				fail("tcp_close (client)", i, e);
		}
		cli.pcb = NULL;
		/* The server reads EOF (recv NULL) and closes, or is reset (err callback). */
		for (int r = 0; r < MAX_ROUNDS && srv.pcb && !srv.eof; r++)
			round_trip();
		if (srv.pcb) {
			if (!srv.eof)
				fail("server EOF", i, 0);
			tcp_arg(srv.pcb, NULL);
			if ((e = tcp_close(srv.pcb)) != ERR_OK)
				fail("tcp_close (server)", i, e);
			srv.pcb = NULL;
		} else if (!run.opts.rst) {
			fail("server close", i, srv.err);
		}
		/* Until quiet: the server's FIN, the client's last ACK. */
		for (int r = 0; r < MAX_ROUNDS && round_trip(); r++)
			;

		/* Walking the list is O(TIME-WAIT pcbs): outside the timed part of the tenth. */
		if (lc_lifecycle_done(&run))
			lc_tenth_done(&run, (long long)count(tcp_tw_pcbs));
	}
	lc_end(&run); /* the total leaves out the list walks and printing at tenth boundaries */
	uint64_t tw = count(tcp_tw_pcbs), active = count(tcp_active_pcbs);
	lc_stopped(&run, (long long)tw);
	lc_finish(&run, "; TIME-WAIT pcbs %llu, other active pcbs %llu; virtual time %.3f s (2MSL %.0f s)",
		  (unsigned long long)tw, (unsigned long long)active, (double)(now_ns - 1000000) / 1e9,
		  2.0 * TCP_MSL / 1000.0);
	return 0;
}
