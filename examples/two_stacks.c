/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * two_stacks: two synfin stacks in one process, joined by nothing but two
 * queues and a virtual clock. No socket, no device, no real time: each
 * stack's cfg.output queues its datagrams for the other's sf_input, and
 * the clock jumps to whatever comes next, a datagram's arrival or a
 * stack's deadline (sf_next_deadline), so TIME-WAIT's 2 MSL (four minutes
 * by default) pass in a moment.
 *
 * The client connects, sends a message and closes once the server has
 * echoed it; the server closes when it reads the client's FIN. The program
 * prints every segment and state change, and exits 0 only if the echo came
 * back whole and both connections ended as RFC 9293 §3.6 says: the client,
 * which closed first, through TIME-WAIT to CLOSED, the server through
 * LAST-ACK to CLOSED.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <synfin.h>

#define DELAY_NS 5000000u /* one-way delay of the virtual link: 5 ms */
#define QLEN 64           /* datagrams in flight per direction */
#define PORT 7

/* A datagram on its way, and the queue of one direction (FIFO: with one
 * fixed delay, arrivals are in the order of sending). */
struct packet {
	uint64_t arrives_ns;
	size_t len;
	uint8_t data[1500];
};
struct queue {
	struct packet q[QLEN];
	size_t head, count;
	unsigned dropped;
};

struct host {
	const char *name;
	sf_stack *st;
	struct queue *out; /* what this stack sends, on its way to the other */
	enum sf_tcp_state last; /* the state its connection changed to last */
	int closed_from;        /* the state its connection left for CLOSED */
};

static uint64_t now_ns; /* the virtual clock */

/* cfg.output: copy the datagram (the buffer is the stack's, valid only
 * during the call) and queue it. Nothing else happens here: a callback may
 * not call back into a stack (THE CONTRACT in synfin.h). */
static void output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct host *h = ctx;
	struct queue *q = h->out;
	if (q->count == QLEN || len > sizeof q->q[0].data) {
		q->dropped++; /* a full queue loses it, as a router would; TCP sends it again */
		return;
	}
	struct packet *p = &q->q[(q->head + q->count++) % QLEN];
	p->arrives_ns = now_ns + DELAY_NS;
	p->len = len;
	memcpy(p->data, dgram, len);
}

/* cfg.trace: the transcript. */
static void trace(void *ctx, const struct sf_trace_event *ev)
{
	struct host *h = ctx;
	double ms = (double)ev->now_ns / 1e6;
	if (ev->kind == SF_TRACE_SEGMENT_OUT) {
		const struct sf_segment *s = ev->seg;
		char flags[8], *f = flags;
		if (s->flags & SF_TCP_SYN) *f++ = 'S';
		if (s->flags & SF_TCP_FIN) *f++ = 'F';
		if (s->flags & SF_TCP_RST) *f++ = 'R';
		if (s->flags & SF_TCP_PSH) *f++ = 'P';
		if (s->flags & SF_TCP_ACK) *f++ = '.';
		*f = '\0';
		printf("%9.3f ms  %-6s sends [%s] seq %" PRIu32 " ack %" PRIu32 " len %zu\n", ms, h->name, flags, s->seq,
		       s->ack, s->payload_len);
	} else if (ev->kind == SF_TRACE_STATE) {
		printf("%9.3f ms  %-6s %s -> %s (%s)\n", ms, h->name, sf_state_name(ev->old_state),
		       sf_state_name(ev->new_state), sf_cause_text(ev->cause));
		h->last = ev->new_state;
		if (ev->new_state == SF_CLOSED)
			h->closed_from = (int)ev->old_state;
	}
}

static sf_stack *make_stack(struct host *h, struct sf_addr addr, uint8_t key)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	/* A stack on a network needs 16 random bytes here (RFC 9293 MUST-9,
	 * RFC 6528). These two talk only to each other, and a fixed secret
	 * makes the transcript the same every run. */
	memset(cfg.secret, key, sizeof cfg.secret);
	cfg.output = output;
	cfg.output_ctx = h;
	cfg.trace = trace;
	cfg.trace_ctx = h;
	h->st = sf_stack_new(&cfg, now_ns);
	if (h->st && sf_stack_add_address(h->st, &addr, 1500) < 0) {
		sf_stack_free(h->st);
		h->st = NULL;
	}
	h->closed_from = -1;
	return h->st;
}

/* Deliver the datagrams due by now_ns to st. */
static void deliver(struct queue *q, sf_stack *st)
{
	while (q->count && q->q[q->head].arrives_ns <= now_ns) {
		sf_input(st, now_ns, q->q[q->head].data, q->q[q->head].len);
		q->head = (q->head + 1) % QLEN;
		q->count--;
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int main(void)
{
	static struct queue to_server, to_client;
	struct host client = { .name = "client", .out = &to_server };
	struct host server = { .name = "server", .out = &to_client };
	struct sf_addr caddr = sf_addr_v4(192, 0, 2, 1), saddr = sf_addr_v4(192, 0, 2, 2);
	if (!make_stack(&client, caddr, 0xc1) || !make_stack(&server, saddr, 0x5e)) {
		fprintf(stderr, "two_stacks: sf_stack_new failed\n");
		return 1;
	}

	int listener = sf_socket(server.st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = PORT };
	struct sf_endpoint remote = { .addr = saddr, .port = PORT };
	int cs = sf_socket(client.st, SF_AF_INET);
	if (sf_bind(server.st, listener, &any) < 0 || sf_listen(server.st, listener, 8) < 0 ||
	    sf_connect(client.st, cs, &remote) != -EINPROGRESS) {
		fprintf(stderr, "two_stacks: listen or connect failed\n");
		return 1;
	}

	const char msg[] = "hello, other stack";
	char echo[sizeof msg], buf[256];
	size_t sent = 0, echoed = 0;
	int ss = -1, client_open = 1, server_open = 1;
	for (int round = 0; round < 10000; round++) {
		/* The application's turn: plain non-blocking calls, -EAGAIN when
		 * there is nothing to do yet. */
		if (client_open && sent < sizeof msg && sf_state(client.st, cs) == SF_ESTABLISHED) {
			long n = sf_send(client.st, cs, msg + sent, sizeof msg - sent);
			sent += n > 0 ? (size_t)n : 0;
		}
		long n = -EAGAIN;
		while (client_open && (n = sf_recv(client.st, cs, echo + echoed, sizeof echo - echoed)) > 0)
			echoed += (size_t)n;
		if (client_open && echoed == sizeof msg) {
			sf_close(client.st, cs); /* the active close: this side will hold TIME-WAIT */
			client_open = 0;
		}
		if (ss < 0)
			ss = sf_accept(server.st, listener, NULL);
		n = -EAGAIN;
		while (server_open && ss >= 0 && (n = sf_recv(server.st, ss, buf, sizeof buf)) > 0)
			sf_send(server.st, ss, buf, (size_t)n); /* small: the send buffer takes it all */
		if (server_open && ss >= 0 && n == 0) {
			sf_close(server.st, ss); /* the client's FIN read: close too (CLOSE-WAIT -> LAST-ACK) */
			server_open = 0;
		}

		/* The network's turn: jump to the next arrival or deadline. */
		uint64_t next = min_u64(sf_next_deadline(client.st), sf_next_deadline(server.st));
		if (to_server.count)
			next = min_u64(next, to_server.q[to_server.head].arrives_ns);
		if (to_client.count)
			next = min_u64(next, to_client.q[to_client.head].arrives_ns);
		if (next == UINT64_MAX)
			break; /* nothing in flight, no timer armed: both stacks are idle */
		now_ns = next > now_ns ? next : now_ns;
		deliver(&to_server, server.st);
		deliver(&to_client, client.st);
		sf_advance(client.st, now_ns);
		sf_advance(server.st, now_ns);
	}

	const struct sf_counters *cc = sf_stack_counters(client.st);
	int ok = echoed == sizeof msg && memcmp(echo, msg, sizeof msg) == 0 && client.closed_from == SF_TIME_WAIT &&
		 server.closed_from == SF_LAST_ACK && cc->TW == 1 && cc->TimeWaitCurrent == 0 &&
		 sf_stack_counters(server.st)->CurrEstab == 0;
	printf("echoed \"%s\": %s; client CLOSED from %s, server CLOSED from %s at %.3f s\n", echoed ? echo : "",
	       echoed == sizeof msg && memcmp(echo, msg, sizeof msg) == 0 ? "intact" : "WRONG",
	       client.closed_from >= 0 ? sf_state_name((enum sf_tcp_state)client.closed_from) : "-",
	       server.closed_from >= 0 ? sf_state_name((enum sf_tcp_state)server.closed_from) : "-", (double)now_ns / 1e9);
	sf_stack_free(client.st);
	sf_stack_free(server.st);
	if (!ok)
		fprintf(stderr, "two_stacks: the exchange did not complete as it should\n");
	return ok ? 0 : 1;
}
