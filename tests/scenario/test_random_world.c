/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Randomized world simulation: deterministic from one 64-bit seed.
 *
 * Each seed builds a world of 2-8 synfin hosts on the simulated network, with
 * random faults per link direction (loss 0-30 %, duplication, reordering,
 * delay and jitter, corruption, bottlenecks with tail drop), partitions that
 * start and heal, host crashes with reboot, random knobs per host (MSL 1-5 s,
 * retries, SYN backlog, somaxconn, RTO bounds, delayed-ACK time, narrow
 * ephemeral ranges, rfc1337, strict_time_wait, abort_on_overflow, window
 * scaling/timestamps/SACK, MTU, IPv6), and random applications: servers on a
 * few ports with small backlogs and slow accepts, whose listeners may close
 * and come back; clients in connect storms moving random amounts of data
 * written and read in random chunks (each direction's bytes come from its own
 * generator, so every byte read is checked), half-close, simultaneous open,
 * simultaneous close, sf_abort, SO_LINGER {1,0}, close with unread data, early
 * close, idle keepalive connections, small buffers, TCP_NODELAY, TCP_MAXSEG.
 * Applications act on sf_poll_events readiness and on their own timers, at
 * one-millisecond resolution. Routers: some worlds have a link whose router
 * rejects TCP with destination unreachable (port, prohibited, host or net),
 * and some a third host that forges ICMP errors at live connections, most
 * quoting a sequence number outside [SND.UNA, SND.NXT) (RFC 5927: dropped),
 * some inside it on a synchronized connection (a soft error at most, RFC
 * 5461 §4). Some links have a smaller MTU (576 at least, 1280 for IPv6),
 * whose router answers (RFC 1191, RFC 8201) or is a black hole (RFC 4821;
 * 1280 at least, above the search's base), and some MTUs change during a
 * run: path MTU discovery has to get every stream through.
 *
 * Invariants (a breach fails the seed with a one-line replay command and the
 * last events of the hosts involved):
 *  - data: every byte read is the peer's next byte (no gap, no duplicate, no
 *    byte not yet written); end of stream only after exactly the bytes the
 *    peer wrote before its FIN;
 *  - delivery: a connection nothing excuses (no crash of either host, no
 *    abortive application action, no listener closed under it, no timeout on
 *    either side) delivers everything both ways, ends in EOF where the
 *    application waits for it, and reports no error; an application never
 *    waits on it for ever; errors are only ECONNRESET, ECONNREFUSED,
 *    ETIMEDOUT and EPIPE; on a path that loses nothing (no loss, corruption,
 *    queue drops or partition between the two hosts, no listener overflow)
 *    only a handshake may time out; when one side saw its own close complete
 *    cleanly, the other side's application reads all it was sent;
 *  - readiness: an application that finds work to do when its patience runs
 *    out was not told by an event;
 *  - transitions: every SF_TRACE_STATE is legal (RFC 9293 Figure 5 with
 *    §3.10.7.4's FIN-WAIT-1 -> TIME-WAIT, any state -> CLOSED for RST, abort
 *    and timeouts, an embryo's LISTEN -> SYN-RECEIVED -> LISTEN) and starts
 *    from the state this harness's own model has for the 4-tuple;
 *    sf_state() agrees with the model;
 *  - counters: CurrEstab, TimeWaitCurrent, SynRecvCurrent and TCPOrphans equal
 *    the traced states, and ActiveOpens, PassiveOpens, AttemptFails,
 *    EstabResets, TW, TWRecycled, TWKilled and the TCPAbortOn* and timeout
 *    counters equal the traced transitions, after every tick on every host;
 *  - ICMP: only a router's real error ends a connection (a rejecting link on
 *    its path); forged ones never do, and the errors only such links and
 *    landed forgeries explain (EHOSTUNREACH, EACCES, ...) are reported only
 *    by the pairs they touched;
 *  - quiescence: once faults stop and the applications have closed, every
 *    stack is empty within 20 virtual minutes (gauges 0, no socket, no
 *    4-tuple, sf_next_deadline() == UINT64_MAX); the stacks are then freed
 *    and ASan/LeakSanitizer look for anything left.
 *
 * Command line (what `./run sim` passes): --seeds N seeds from --from S
 * (default 1; naming a start skips the regression seeds), --verbose prints
 * the world and every event, --max-failures K (10) stops a long run early.
 * The same as environment variables: SYNFIN_WORLD_SEEDS, SYNFIN_WORLD_FROM,
 * SYNFIN_WORLD_VERBOSE, SYNFIN_WORLD_MAX_FAILURES. Without them the
 * regression seeds below and the default range run.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, for the summary's wall time */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tcp/tcp.h" /* internals: ISS/IRS to pair the two ends; the final "nothing left" check */
#include "router.h"
#include "sim.h"
#include "simhost.h"
#include "synfin.h"

#define MS ((uint64_t)1000000)
#define SEC ((uint64_t)1000 * MS)
#define NEVER UINT64_MAX
#define MAX_HOSTS 8
#define MAX_SERVERS 6
#define RING 64
#define PATIENCE ((uint64_t)150 * SEC) /* longer than any stack's own give-up time here */
#define DRAIN ((uint64_t)20 * 60 * SEC)


/*
 * Seeds that once failed and were fixed: run every time. A seed names a world
 * only for this file's generator: whoever changes how the world is drawn
 * must check that these still reach the code they were kept for.
 */
static const uint64_t regression_seeds[] = {
	/* stack bugs: each fails on the sources before its fix */
	24, 52, 53, 57,      /* a timer that armed nothing lost the TCB's other timers (tcb.c) */
	382, 1353, 1398,     /* close in a simultaneous open's SYN-RECEIVED: data resent from ISS (tcb.c) */
	46, 133, 148,        /* a closed listener's embryo died untraced and uncounted (listen.c) */
	5041, 13443, 17917,  /* an embryo's ACK without the agreed timestamp (listen.c) */
	21494,               /* orphaned at its R2 on a black-hole path: no last try at the base size (tcb.c) */
	/* harness mistakes found on the way */
	849, 1442,           /* TIME-WAIT may end before the peer's retransmitted FIN comes back */
	19793, 47891,        /* connect() after close() of the same 4-tuple in one instant: same ISS */
	16535, 25651,        /* accept-queue overflow drops are losses */
	10687, 15779,        /* a crash makes the path lossy for its peers' orphans */
	79945, 98309,        /* patience across a slow peer; simultaneous close wakes its peer */
	329378,              /* a slow but live transfer outlasting a 30-minute backstop */
};

#ifndef SYNFIN_WORLD_DEFAULT_SEEDS
#define SYNFIN_WORLD_DEFAULT_SEEDS 1000 /* about 30 s in the clang ASan Debug build, 2 s in gcc Release */
#endif

/* ---------------------------------------------------------------------------
 * A small PRNG for building the world (the simulator has its own for links).
 * ------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

/* Uniform in [lo, hi]. */
static uint64_t rnd_in(struct rng *r, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + rnd(r) % (hi - lo + 1);
}

/* Log-uniform in [lo, hi] (lo >= 1): small and large values alike. */
static uint64_t rnd_log(struct rng *r, uint64_t lo, uint64_t hi)
{
	unsigned bits_lo = 63 - (unsigned)__builtin_clzll(lo), bits_hi = 63 - (unsigned)__builtin_clzll(hi);
	unsigned b = (unsigned)rnd_in(r, bits_lo, bits_hi);
	uint64_t v = rnd_in(r, 1ull << b, (2ull << b) - 1);
	return v < lo ? lo : v > hi ? hi : v;
}

/* True with probability pct percent. */
static bool pct(struct rng *r, unsigned p)
{
	return rnd(r) % 100 < p;
}

/* The content of a stream: byte off of the stream with this seed. */
static uint8_t byte_at(uint64_t seed, uint64_t off)
{
	return (uint8_t)(mix64(seed + (off >> 3) * 0x9e3779b97f4a7c15ull) >> (8 * (off & 7)));
}

static void fill(uint8_t *buf, uint64_t seed, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = byte_at(seed, off + i);
}

/* ---------------------------------------------------------------------------
 * The world
 * ------------------------------------------------------------------------- */

enum base_mode {
	B_SHUT,    /* write all, shutdown(SHUT_WR), read to EOF, close */
	B_RESPOND, /* read to EOF while writing, finish writing, close */
	B_SIM,     /* write all, read all, both sides close in the same tick */
};
static const char *const base_names[] = { "shut", "respond", "simclose" };

enum bad_action {
	BAD_NONE,
	BAD_ABORT,        /* sf_abort at a random moment */
	BAD_LINGER0,      /* SO_LINGER {1,0}, close at a random moment */
	BAD_CLOSE_UNREAD, /* close at a random moment, whatever is unread */
	BAD_EARLY_CLOSE,  /* close (not shutdown) as soon as the writing is done */
};
static const char *const bad_names[] = { "-", "abort", "linger0", "close-unread", "early-close" };

struct side_plan {
	uint64_t total; /* bytes to write */
	uint8_t base, bad;
	bool nodelay, wait_full, keepalive;
	uint32_t bad_delay_ms, idle_ms;
	uint32_t wchunk, rchunk, pause_ms;
	uint32_t sndbuf, rcvbuf; /* 0: default (client only; servers take the listener's) */
	uint16_t maxseg;
	uint32_t ka_idle, ka_intvl, ka_probes;
};

struct pair {
	int id;
	struct side_plan plan[2]; /* 0: the connector; 1: the acceptor, or the other connector */
	int ep[2];                /* endpoint records, -1 until they exist */
	int host[2];
	int server;               /* index of the server, -1 for a simultaneous open */
	bool simopen;
	int family;
	uint16_t fixed_port[2];   /* simultaneous open */
	uint64_t start_ns;
	bool started, nostart;
	/* why the pair may fall short of perfect delivery (first reason kept) */
	const char *excuse;
	bool gave_up;
	bool overflowed; /* a listener dropped some of its segments (queue full) */
	bool icmp_landed; /* a forged error inside its window: a soft error may stay */
	bool cookie;      /* its server answered with a SYN cookie, keeping nothing */
};

struct ep {
	int pair, side, host;
	unsigned boot;
	int handle;
	struct sf_endpoint local, remote;
	uint32_t iss;
	uint64_t out_seed, out_sent;
	uint64_t in_read;
	uint64_t fin_at; /* out_sent when the app closed its sending half */
	uint64_t born, next_wake, last_progress;
	bool fin_issued, eof, concluded, crashed, gave_up, self_ended, sim_ready, clean_close, woken;
	int err;
};

struct tentry {
	struct sf_endpoint l, r;
	uint8_t state;
	bool embryo, orphan;
	int pair, ep;
	uint32_t irs;
};

/* One traced event, kept for the failure report. */
struct tev {
	uint64_t t;
	uint8_t kind; /* enum sf_trace_kind, or TEV_APP */
	int32_t sock;
	uint8_t flags, old_state, new_state, timer, drop, retrans;
	uint16_t lport, rport;
	uint32_t seq, ack, len, win;
	const char *text; /* static strings only */
	int64_t val;
};
#define TEV_APP 100

struct world;

struct hostm {
	struct world *w;
	int idx;
	struct sf_simhost *sh;
	struct sf_config cfg;
	struct sf_addr v4, v6;
	bool has_v6, down;
	uint32_t mtu;
	struct tentry *ents;
	size_t nents, cap;
	int cnt[SF_STATE__COUNT];
	int embryos, orphans;
	uint64_t want[SF_CTR__COUNT]; /* event counters as the trace tells them */
	struct tev ring[RING];
	uint64_t ring_n;
	int *by_handle; /* ep index + 1, or -(server index + 1) */
	size_t nbh;
	/* the last segment in, to learn an embryo's IRS */
	struct sf_endpoint in_l, in_r;
	uint32_t in_seq;
	bool in_syn;
	uint16_t next_fixed_port;
	unsigned crashes;
};

struct server {
	int host, family;
	uint16_t port;
	bool specific; /* bound to the host's address rather than the wildcard */
	int backlog;
	uint32_t accept_delay_max;
	uint32_t sndbuf, rcvbuf;
	uint16_t maxseg;
	int lsock;
	uint64_t close_at, reopen_at, wake;
	bool woken, up; /* up: the app wants the listener open */
};

enum act_kind { ACT_PART_ON, ACT_PART_OFF, ACT_CRASH, ACT_REBOOT, ACT_FAULTS_END, ACT_FORGE, ACT_MTU };

struct action {
	struct world *w;
	int kind, a, b;
};

struct world {
	uint64_t seed;
	struct rng r;
	struct rng rr; /* routers and forgeries: a stream of their own, so the rest of the world is as it was */
	bool regression; /* a regression seed: its world exactly as recorded, no routers */
	struct sf_sim *sim;
	int nhosts;
	struct hostm h[MAX_HOSTS];
	struct pair *pairs;
	int npairs;
	struct ep *eps;
	int neps, epcap;
	struct server servers[MAX_SERVERS];
	int nservers;
	struct action *acts;
	int nacts;
	struct sf_sim_link links[MAX_HOSTS][MAX_HOSTS];
	bool ever_cut[MAX_HOSTS][MAX_HOSTS];
	uint64_t now, t_active_end;
	bool faults_over, verbose, activity;
	bool failed;
	char msg[1024];
	unsigned fail_hosts; /* bitmask */
	/* stats */
	uint64_t bytes, errors, eofs, gaveups;
	uint64_t forged, forged_in_window;
};

/* Totals over all seeds, for the summary line. */
static struct {
	uint64_t seeds, pairs, perfect, bytes, errors, crashes, hosts, failures;
	uint64_t rejecting_links, forged, forged_in_window, mtu_links;
} g_tot;

static struct world *g_world; /* for the crash handlers */
static const char *g_argv0 = "scenario_test_random_world";

static void print_report(struct world *w);

static void wfail(struct world *w, unsigned hostmask, const char *fmt, ...)
{
	if (w->failed)
		return;
	w->failed = true;
	w->fail_hosts = hostmask;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof w->msg, fmt, ap);
	va_end(ap);
}

static sf_stack *stack_of(struct world *w, int host)
{
	return sf_simhost_stack(w->h[host].sh);
}

static bool ep_eq(const struct sf_endpoint *a, const struct sf_endpoint *b)
{
	return a->port == b->port && a->addr.family == b->addr.family &&
	       memcmp(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes) == 0;
}

/* ---------------------------------------------------------------------------
 * The event ring and the report
 * ------------------------------------------------------------------------- */

static struct tev *ring_push(struct hostm *h)
{
	struct tev *t = &h->ring[h->ring_n++ % RING];
	memset(t, 0, sizeof *t);
	t->t = h->w->now;
	return t;
}

static void print_tev(FILE *f, int host, const struct tev *t)
{
	char fl[8];
	int k = 0;
	fprintf(f, "  %4" PRIu64 ".%06" PRIu64 " h%d ", t->t / SEC, (t->t % SEC) / 1000, host);
	switch (t->kind) {
	case SF_TRACE_SEGMENT_IN:
	case SF_TRACE_SEGMENT_OUT:
		if (t->flags & SF_TCP_SYN)
			fl[k++] = 'S';
		if (t->flags & SF_TCP_FIN)
			fl[k++] = 'F';
		if (t->flags & SF_TCP_RST)
			fl[k++] = 'R';
		if (t->flags & SF_TCP_PSH)
			fl[k++] = 'P';
		if (t->flags & SF_TCP_ACK)
			fl[k++] = '.';
		fl[k] = 0;
		fprintf(f, "%s %u>%u [%s] seq=%u ack=%u len=%u win=%u sock=%d%s\n",
			t->kind == SF_TRACE_SEGMENT_IN ? "in " : "out", t->lport, t->rport, fl, t->seq, t->ack,
			t->len, t->win, t->sock, t->retrans ? " (rtx)" : "");
		break;
	case SF_TRACE_STATE:
		fprintf(f, "state %u>%u %s -> %s (%s) sock=%d\n", t->lport, t->rport, sf_state_name(t->old_state),
			sf_state_name(t->new_state), t->text ? t->text : "", t->sock);
		break;
	case SF_TRACE_TIMER:
		fprintf(f, "timer %u>%u %s in %s sock=%d\n", t->lport, t->rport, sf_timer_name(t->timer),
			sf_state_name(t->new_state), t->sock);
		break;
	case SF_TRACE_DROP:
		fprintf(f, "drop  %u>%u %s seq=%u ack=%u len=%u\n", t->lport, t->rport,
			sf_drop_reason_name(t->drop), t->seq, t->ack, t->len);
		break;
	default:
		fprintf(f, "app   %u>%u %s sock=%d val=%" PRId64 "\n", t->lport, t->rport, t->text, t->sock, t->val);
		break;
	}
}

static void app_note(struct world *w, int host, const struct sf_endpoint *l, const struct sf_endpoint *r, int sock,
		     const char *text, int64_t val)
{
	struct tev *t = ring_push(&w->h[host]);
	t->kind = TEV_APP;
	t->sock = sock;
	t->text = text;
	t->val = val;
	t->lport = l ? l->port : 0;
	t->rport = r ? r->port : 0;
	if (w->verbose)
		print_tev(stderr, host, t);
}

static void print_world(struct world *w, FILE *f)
{
	fprintf(f, "world seed=%" PRIu64 ": %d hosts, %d servers, %d pairs, faults until %" PRIu64 " ms\n", w->seed,
		w->nhosts, w->nservers, w->npairs, w->t_active_end / MS);
	for (int i = 0; i < w->nhosts; i++) {
		const struct sf_config *c = &w->h[i].cfg;
		fprintf(f,
			"  h%d mtu=%u v6=%d msl=%u syn_retries=%u synack_retries=%u retries1=%u retries2=%u orphan_retries=%u "
			"fin_timeout=%u syn_backlog=%u somaxconn=%u rto=%u/%u/%u delack=%u eph=%u-%u strict_tw=%u "
			"rfc1337=%u abort_on_overflow=%u syn_queue_recycle=%u syncookies=%u ws=%u ts=%u sack=%u\n",
			i, w->h[i].mtu, w->h[i].has_v6, c->msl_ms, c->syn_retries, c->synack_retries, c->retries1, c->retries2,
			c->orphan_retries, c->fin_timeout_ms, c->syn_backlog, c->somaxconn, c->rto_initial_ms,
			c->rto_min_ms, c->rto_max_ms, c->delack_ms, c->ephemeral_lo, c->ephemeral_hi,
			c->strict_time_wait, c->rfc1337, c->abort_on_overflow, c->syn_queue_recycle, c->syncookies, c->window_scaling,
			c->timestamps,
			c->sack);
	}
	for (int i = 0; i < w->nhosts; i++) {
		for (int j = 0; j < w->nhosts; j++) {
			const struct sf_sim_link *l = &w->links[i][j];
			if (i == j)
				continue;
			fprintf(f, "  link h%d->h%d delay=%" PRIu64 "ms jitter=%" PRIu64 "ms loss=%.3f dup=%.3f "
				   "reorder=%.3f/%" PRIu64 "ms corrupt=%.3f bw=%" PRIu64 " queue=%zu mtu=%u%s reject=%d%s\n",
				i, j, l->delay_ns / MS, l->jitter_ns / MS, l->loss, l->duplicate, l->reorder,
				l->reorder_delay_ns / MS, l->corrupt, l->bandwidth_bps, l->queue_limit_bytes, l->mtu,
				l->too_big == SF_SIM_TOO_BIG_BLACKHOLE ? " (black hole)" : "", (int)l->reject,
				w->ever_cut[i][j] ? " (cut)" : "");
		}
	}
	for (int i = 0; i < w->nservers; i++) {
		const struct server *s = &w->servers[i];
		fprintf(f, "  server %d: h%d v%d port %u backlog %d accept_delay<=%u close_at=%" PRId64
			   " reopen_at=%" PRId64 "\n",
			i, s->host, s->family, s->port, s->backlog, s->accept_delay_max,
			s->close_at == NEVER ? (int64_t)-1 : (int64_t)(s->close_at / MS),
			s->reopen_at == NEVER ? (int64_t)-1 : (int64_t)(s->reopen_at / MS));
	}
	for (int i = 0; i < w->npairs; i++) {
		const struct pair *p = &w->pairs[i];
		fprintf(f, "  pair %d: h%d -> h%d %s at %" PRIu64 " ms", i, p->host[0], p->host[1],
			p->simopen ? "simopen" : "connect", p->start_ns / MS);
		for (int s = 0; s < 2; s++) {
			const struct side_plan *P = &p->plan[s];
			fprintf(f, " | %s %" PRIu64 "B bad=%s@%ums idle=%u ka=%d wait_full=%d", base_names[P->base],
				P->total, bad_names[P->bad], P->bad_delay_ms, P->idle_ms, P->keepalive, P->wait_full);
		}
		fprintf(f, "\n");
	}
	for (int i = 0; i < w->nacts; i++) {
		static const char *const names[] = { "partition", "heal", "crash", "reboot", "faults end", "forge ICMP",
						     "MTU" };
		fprintf(f, "  action %s %d %d\n", names[w->acts[i].kind], w->acts[i].a, w->acts[i].b);
	}
}

static void print_report(struct world *w)
{
	fprintf(stderr, "\nFAIL seed %" PRIu64 " at %" PRIu64 ".%06" PRIu64 " s: %s\n", w->seed, w->now / SEC,
		(w->now % SEC) / 1000, w->msg);
	fprintf(stderr, "replay: ./run sim --from %" PRIu64 " --seeds 1 --verbose   (or: %s --from %" PRIu64
			" --seeds 1 --verbose)\n", w->seed, g_argv0, w->seed);
	print_world(w, stderr);
	unsigned mask = w->fail_hosts ? w->fail_hosts : (1u << w->nhosts) - 1;
	for (int i = 0; i < w->nhosts; i++) {
		if (!(mask & (1u << i)))
			continue;
		struct hostm *h = &w->h[i];
		uint64_t n = h->ring_n < 50 ? h->ring_n : 50;
		fprintf(stderr, " last %" PRIu64 " events of h%d (%s, %u crashes):\n", n, i, h->down ? "down" : "up",
			h->crashes);
		for (uint64_t k = h->ring_n - n; k < h->ring_n; k++)
			print_tev(stderr, i, &h->ring[k % RING]);
	}
}

/* ---------------------------------------------------------------------------
 * The model of each host's connections, kept from the trace hook alone
 * ------------------------------------------------------------------------- */

static struct tentry *ent_find(struct hostm *h, const struct sf_endpoint *l, const struct sf_endpoint *r)
{
	for (size_t i = 0; i < h->nents; i++)
		if (ep_eq(&h->ents[i].l, l) && ep_eq(&h->ents[i].r, r))
			return &h->ents[i];
	return NULL;
}

static void ent_account(struct hostm *h, const struct tentry *e, int d)
{
	h->cnt[e->state] += d;
	if (e->embryo && e->state == SF_SYN_RECEIVED)
		h->embryos += d;
	if (e->orphan && e->state != SF_TIME_WAIT)
		h->orphans += d;
}

static struct tentry *ent_add(struct hostm *h, const struct sf_endpoint *l, const struct sf_endpoint *r,
			      uint8_t state, bool embryo)
{
	if (h->nents == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->ents = realloc(h->ents, h->cap * sizeof *h->ents);
		assert_non_null(h->ents);
	}
	struct tentry *e = &h->ents[h->nents++];
	memset(e, 0, sizeof *e);
	e->l = *l;
	e->r = *r;
	e->state = state;
	e->embryo = embryo;
	e->pair = e->ep = -1;
	ent_account(h, e, +1);
	return e;
}

static void ent_remove(struct hostm *h, struct tentry *e)
{
	ent_account(h, e, -1);
	*e = h->ents[--h->nents];
}

static void host_model_reset(struct hostm *h)
{
	h->nents = 0;
	memset(h->cnt, 0, sizeof h->cnt);
	h->embryos = h->orphans = 0;
	memset(h->want, 0, sizeof h->want);
	for (size_t i = 0; i < h->nbh; i++)
		h->by_handle[i] = 0;
}

/* RFC 9293 Figure 5 with its notes (the library's table, sf_transitions);
 * CLOSED -> CLOSED is no transition. */
static bool legal(int from, int to)
{
	return sf_transition_allowed((enum sf_tcp_state)from, (enum sf_tcp_state)to) != 0;
}

/* Causes of an end to CLOSED that come from outside the stack's own
 * correctness: time running out under loss or partition, the application,
 * overload policy. A RST, by contrast, must be explained by one of these
 * (or a crash) somewhere. */
static bool external_cause(enum sf_cause cause)
{
	switch (cause) {
	case SF_CAUSE_RETRANSMISSION_LIMIT:
	case SF_CAUSE_KEEPALIVE_TIMEOUT:
	case SF_CAUSE_FIN_TIMEOUT:
	case SF_CAUSE_PROBES_UNANSWERED:
	case SF_CAUSE_SYNACK_RETRIES:
	case SF_CAUSE_ACCEPT_QUEUE_FULL:
	case SF_CAUSE_LISTENER_CLOSED:
	case SF_CAUSE_TIME_WAIT_NO_MEMORY:
	case SF_CAUSE_SYN_QUEUE_RECYCLED:
		return true;
	default:
		return false;
	}
}

/* A router between hosts a and b rejects TCP, either way. */
static bool path_rejects(const struct world *w, int a, int b)
{
	return a >= 0 && b >= 0 && (w->links[a][b].reject != SF_SIM_REJECT_NONE ||
				    w->links[b][a].reject != SF_SIM_REJECT_NONE);
}

/* The host of one of the world's addresses (10.0.0.(i+1), fd00::(i+1)). */
static int host_of(const struct world *w, const struct sf_addr *a)
{
	int i = (a->family == SF_AF_INET ? a->bytes[3] : a->bytes[15]) - 1;
	return i >= 0 && i < w->nhosts ? i : -1;
}

/* Both directions between the pair's hosts lose nothing, were never cut, and
 * neither host has crashed (its orphans' peers time out against it); no
 * router rejects. (A router with a smaller MTU is no excuse: path MTU
 * discovery, RFC 1191, RFC 8201, RFC 4821, must find the way through.) */
static bool path_clean(const struct world *w, const struct pair *p)
{
	int a = p->host[0], b = p->host[1];
	const struct sf_sim_link *ab = &w->links[a][b], *ba = &w->links[b][a];
	return !w->ever_cut[a][b] && !w->h[a].crashes && !w->h[b].crashes && ab->loss == 0 && ba->loss == 0 &&
	       ab->corrupt == 0 && ba->corrupt == 0 && ab->queue_limit_bytes == 0 && ba->queue_limit_bytes == 0 &&
	       !path_rejects(w, a, b);
}

/* What may still time out on a path that loses nothing: a handshake that met
 * a full SYN or accept queue; retransmissions a full accept queue dropped
 * (data or a FIN riding on the final ACK of the handshake); an orphan
 * waiting for a slow peer's FIN; and the listener-side ends that are policy.
 * Never a keepalive or a window probe: a live peer answers both. */
static bool timeout_ok_on_clean_path(const struct pair *p, int from, enum sf_cause cause)
{
	if (cause == SF_CAUSE_RETRANSMISSION_LIMIT)
		return from == SF_SYN_SENT || from == SF_SYN_RECEIVED || p->overflowed;
	/* A client whose cookie ACK a full accept queue dropped is connected
	 * alone: its probes meet the same full queue. */
	if (cause == SF_CAUSE_KEEPALIVE_TIMEOUT && p->cookie && p->overflowed)
		return true;
	return cause != SF_CAUSE_KEEPALIVE_TIMEOUT && cause != SF_CAUSE_PROBES_UNANSWERED;
}

static struct {
	const char *why;
	uint64_t n;
} g_excuses[32];

static void excuse(struct world *w, int pair, const char *why)
{
	if (pair >= 0 && !w->pairs[pair].excuse) {
		for (size_t i = 0; i < sizeof g_excuses / sizeof g_excuses[0]; i++) {
			if (!g_excuses[i].why || strcmp(g_excuses[i].why, why) == 0) {
				g_excuses[i].why = why;
				g_excuses[i].n++;
				break;
			}
		}
	}
	if (pair >= 0 && !w->pairs[pair].excuse)
		w->pairs[pair].excuse = why;
}

/* How often each transition was seen, over all seeds (coverage report). */
static uint64_t g_transitions[SF_STATE__COUNT][SF_STATE__COUNT];

/* The event counters each transition must move (as synfin.h defines them). */
static void count_transition(struct hostm *h, const struct tentry *e, int from, int to, enum sf_cause cause)
{
	uint64_t *c = h->want;
	g_transitions[from][to]++;
	if (e->embryo && from == SF_SYN_RECEIVED && to == SF_ESTABLISHED)
		c[SF_CTR_PassiveOpens]++;
	if ((from == SF_SYN_SENT || from == SF_SYN_RECEIVED) && (to == SF_CLOSED || to == SF_LISTEN))
		c[SF_CTR_AttemptFails]++;
	if (to != SF_CLOSED)
		return;
	if ((from == SF_ESTABLISHED || from == SF_CLOSE_WAIT) && cause == SF_CAUSE_RCV_RST)
		c[SF_CTR_EstabResets]++;
	if (cause == SF_CAUSE_TIME_WAIT_DONE)
		c[SF_CTR_TW]++;
	if (cause == SF_CAUSE_TIME_WAIT_REOPENED)
		c[SF_CTR_TWRecycled]++;
	if (cause == SF_CAUSE_RCV_RST_TIME_WAIT)
		c[SF_CTR_TWKilled]++;
	if (cause == SF_CAUSE_RETRANSMISSION_LIMIT || cause == SF_CAUSE_PROBES_UNANSWERED)
		c[SF_CTR_TCPAbortOnTimeout]++;
	if (cause == SF_CAUSE_KEEPALIVE_TIMEOUT)
		c[SF_CTR_TCPKeepAliveTimeouts]++;
	if (cause == SF_CAUSE_FIN_TIMEOUT)
		c[SF_CTR_TCPFinWait2Timeouts]++;
	if (cause == SF_CAUSE_CLOSE_LINGER_ZERO)
		c[SF_CTR_TCPAbortOnLinger]++;
	if (cause == SF_CAUSE_CLOSE_UNREAD)
		c[SF_CTR_TCPAbortOnClose]++;
	if (cause == SF_CAUSE_DATA_AFTER_CLOSE)
		c[SF_CTR_TCPAbortOnData]++;
	if (cause == SF_CAUSE_ABORT &&
	    (from == SF_SYN_RECEIVED || from == SF_ESTABLISHED || from == SF_FIN_WAIT_1 || from == SF_FIN_WAIT_2 ||
	     from == SF_CLOSE_WAIT))
		c[SF_CTR_TCPAbortOnUser]++;
}

static void model_state(struct hostm *h, const struct sf_trace_event *ev)
{
	struct world *w = h->w;
	int from = ev->old_state, to = ev->new_state;
	unsigned me = 1u << h->idx;

	if (!legal(from, to)) {
		wfail(w, me, "h%d: illegal transition %s -> %s (%s), port %u>%u", h->idx, sf_state_name(from),
		     sf_state_name(to), sf_cause_text(ev->cause), ev->local.port, ev->remote.port);
		return;
	}
	if (ev->remote.port == 0) {
		/* A listener (listen() traces CLOSED -> LISTEN). */
		if (!((from == SF_CLOSED && to == SF_LISTEN) || (from == SF_LISTEN && to == SF_CLOSED)))
			wfail(w, me, "h%d: %s -> %s for a socket with no peer", h->idx, sf_state_name(from),
			     sf_state_name(to));
		return;
	}
	struct tentry *e = ent_find(h, &ev->local, &ev->remote);
	if (!e) {
		if (from == SF_CLOSED && to == SF_SYN_SENT) {
			ent_add(h, &ev->local, &ev->remote, SF_SYN_SENT, false);
			h->want[SF_CTR_ActiveOpens]++;
			g_transitions[from][to]++;
		} else if (from == SF_LISTEN && to == SF_SYN_RECEIVED) {
			/* An embryo opens on a SYN; the SYN-RECEIVED a SYN cookie
			 * stood for opens on the ACK that brings the cookie back. */
			bool cookie = ev->cause == SF_CAUSE_SYN_COOKIE;
			e = ent_add(h, &ev->local, &ev->remote, SF_SYN_RECEIVED, true);
			g_transitions[from][to]++;
			if (h->in_syn == cookie || !ep_eq(&h->in_l, &ev->local) || !ep_eq(&h->in_r, &ev->remote)) {
				wfail(w, me, "h%d: %s %u>%u without a %s for it", h->idx, cookie ? "cookie connection" : "embryo",
				     ev->local.port, ev->remote.port, cookie ? "final ACK" : "SYN");
				return;
			}
			e->irs = cookie ? h->in_seq - 1 : h->in_seq;
			/* Which client opened it: its 4-tuple and ISS (the newest
			 * such: a connect() right after close() of the same 4-tuple
			 * in the same instant draws the same clock-based ISS). */
			for (int i = w->neps - 1; i >= 0; i--) {
				struct ep *c = &w->eps[i];
				if (c->iss == e->irs && ep_eq(&c->local, &ev->remote) && ep_eq(&c->remote, &ev->local)) {
					e->pair = c->pair;
					break;
				}
			}
		} else {
			wfail(w, me, "h%d: %s -> %s (%s) for %u>%u, which the trace never opened", h->idx,
			     sf_state_name(from), sf_state_name(to), sf_cause_text(ev->cause), ev->local.port,
			     ev->remote.port);
		}
		return;
	}
	if (e->state != from) {
		wfail(w, me, "h%d: trace says %s -> %s (%s) for %u>%u, the model has it in %s", h->idx,
		     sf_state_name(from), sf_state_name(to), sf_cause_text(ev->cause), ev->local.port,
		     ev->remote.port, sf_state_name(e->state));
		return;
	}
	if ((from == SF_SYN_RECEIVED && to == SF_LISTEN) && !e->embryo) {
		wfail(w, me, "h%d: a connection that was never an embryo went SYN-RECEIVED -> LISTEN", h->idx);
		return;
	}
	if (from == SF_CLOSED || (from == SF_LISTEN && to != SF_CLOSED)) {
		wfail(w, me, "h%d: %s -> %s for a 4-tuple already in use", h->idx, sf_state_name(from),
		     sf_state_name(to));
		return;
	}
	if (ev->cause == SF_CAUSE_ICMP_UNREACHABLE) {
		/* RFC 5927: only a real router's error may end a connection. */
		if (!path_rejects(w, h->idx, host_of(w, &ev->remote.addr))) {
			wfail(w, me, "h%d: %s -> %s (%s) for %u>%u, and no router on its path rejects", h->idx,
			      sf_state_name(from), sf_state_name(to), sf_cause_text(ev->cause), ev->local.port,
			      ev->remote.port);
			return;
		}
		excuse(w, e->pair, "a router rejected it");
	}
	count_transition(h, e, from, to, ev->cause);
	ent_account(h, e, -1);
	e->state = (uint8_t)to;
	if (to == SF_ESTABLISHED)
		e->embryo = false;
	ent_account(h, e, +1);
	if (e->ep >= 0)
		w->eps[e->ep].last_progress = w->now;
	if (to == SF_CLOSED || to == SF_LISTEN) {
		if (external_cause(ev->cause) && e->pair >= 0 && !w->pairs[e->pair].excuse &&
		    path_clean(w, &w->pairs[e->pair]) && !timeout_ok_on_clean_path(&w->pairs[e->pair], from, ev->cause)) {
			wfail(w, (1u << w->pairs[e->pair].host[0]) | (1u << w->pairs[e->pair].host[1]),
			      "h%d: pair %d: %s -> CLOSED (%s) on a path with no loss, no partition, no crash",
			      h->idx, e->pair, sf_state_name(from), sf_cause_text(ev->cause));
			return;
		}
		if (external_cause(ev->cause))
			excuse(w, e->pair, sf_cause_text(ev->cause));
		/* TIME-WAIT over while the other end still waits for the ACK of
		 * its FIN (that ACK was lost, and its retransmitted FIN did not
		 * come back within 2MSL): that FIN now draws a RST. TCP's own
		 * ambiguity, not a fault. */
		if (from == SF_TIME_WAIT && e->pair >= 0) {
			const struct pair *p = &w->pairs[e->pair];
			int mine = e->ep >= 0 ? w->eps[e->ep].side : p->host[0] == h->idx ? 0 : 1;
			int other = p->ep[1 - mine];
			if (other >= 0 && !w->eps[other].concluded)
				excuse(w, e->pair, "TIME-WAIT ended first");
		}
		ent_remove(h, e);
	}
}

static void on_trace(void *ctx, const struct sf_trace_event *ev)
{
	struct hostm *h = ctx;
	struct tev *t = ring_push(h);

	t->t = ev->now_ns;
	t->kind = (uint8_t)ev->kind;
	t->sock = ev->sock;
	t->lport = ev->local.port;
	t->rport = ev->remote.port;
	if (ev->seg) {
		t->flags = ev->seg->flags;
		t->seq = ev->seg->seq;
		t->ack = ev->seg->ack;
		t->len = (uint32_t)ev->seg->payload_len;
		t->win = ev->seg->window;
	}
	t->retrans = (uint8_t)ev->retransmit;
	t->old_state = (uint8_t)ev->old_state;
	t->new_state = (uint8_t)ev->new_state;
	t->timer = (uint8_t)ev->timer;
	t->drop = (uint8_t)ev->drop;
	t->text = ev->kind == SF_TRACE_STATE ? sf_cause_text(ev->cause) : NULL;
	if (h->w->verbose)
		print_tev(stderr, h->idx, t);

	switch (ev->kind) {
	case SF_TRACE_SEGMENT_IN:
		h->in_l = ev->local;
		h->in_r = ev->remote;
		h->in_seq = ev->seg->seq;
		h->in_syn = (ev->seg->flags & SF_TCP_SYN) != 0;
		break;
	case SF_TRACE_STATE:
		model_state(h, ev);
		break;
	case SF_TRACE_SEGMENT_OUT:
		/* A SYN,ACK of no embryo carries a SYN cookie (RFC 4987 §3.6). The
		 * server then holds nothing: if the client's final ACK is lost and
		 * the client has nothing to send, nobody ever retransmits, and a
		 * duplicate of that ACK after the connection's end opens it anew. */
		if ((ev->seg->flags & (SF_TCP_SYN | SF_TCP_ACK)) == (SF_TCP_SYN | SF_TCP_ACK) && ev->sock < 0 &&
		    !ent_find(h, &ev->local, &ev->remote)) {
			for (int i = h->w->neps - 1; i >= 0; i--) {
				struct ep *c = &h->w->eps[i];
				if (c->side == 0 && c->iss == ev->seg->ack - 1 && ep_eq(&c->local, &ev->remote) &&
				    ep_eq(&c->remote, &ev->local)) {
					h->w->pairs[c->pair].cookie = true;
					break;
				}
			}
		}
		break;
	case SF_TRACE_DROP:
		if (ev->drop == SF_DROP_LISTEN_OVERFLOW || ev->drop == SF_DROP_SYN_QUEUE_FULL) {
			struct tentry *e = ev->seg ? ent_find(h, &ev->local, &ev->remote) : NULL;
			if (e && e->pair >= 0)
				h->w->pairs[e->pair].overflowed = true;
			/* A cookie's final ACK has no entry: its pair by the client's end. */
			for (int i = h->w->neps - 1; !e && ev->seg && i >= 0; i--) {
				struct ep *c = &h->w->eps[i];
				if (c->side == 0 && ep_eq(&c->local, &ev->remote) && ep_eq(&c->remote, &ev->local)) {
					h->w->pairs[c->pair].overflowed = true;
					break;
				}
			}
		}
		break;
	default:
		break;
	}
}

/* The gauges agree with the traced states. */
static void check_counters(struct world *w, int host)
{
	struct hostm *h = &w->h[host];
	sf_stack *st = stack_of(w, host);
	if (!st || w->failed)
		return;
	const struct sf_counters *c = sf_stack_counters(st);
	uint64_t estab = (uint64_t)(h->cnt[SF_ESTABLISHED] + h->cnt[SF_CLOSE_WAIT]);
	if (c->CurrEstab != estab)
		wfail(w, 1u << host, "h%d: CurrEstab %" PRIu64 " but the trace has %" PRIu64
				    " in ESTABLISHED/CLOSE-WAIT", host, c->CurrEstab, estab);
	else if (c->TimeWaitCurrent != (uint64_t)h->cnt[SF_TIME_WAIT])
		wfail(w, 1u << host, "h%d: TimeWaitCurrent %" PRIu64 " but the trace has %d in TIME-WAIT", host,
		     c->TimeWaitCurrent, h->cnt[SF_TIME_WAIT]);
	else if (c->SynRecvCurrent != (uint64_t)h->embryos)
		wfail(w, 1u << host, "h%d: SynRecvCurrent %" PRIu64 " but the trace has %d embryos", host,
		     c->SynRecvCurrent, h->embryos);
	else if (c->TCPOrphans != (uint64_t)h->orphans)
		wfail(w, 1u << host, "h%d: TCPOrphans %" PRIu64 " but %d closed connections live on", host,
		     c->TCPOrphans, h->orphans);
	static const enum sf_counter_id events[] = {
		SF_CTR_ActiveOpens, SF_CTR_PassiveOpens, SF_CTR_AttemptFails, SF_CTR_EstabResets,
		SF_CTR_TW, SF_CTR_TWRecycled, SF_CTR_TWKilled, SF_CTR_TCPAbortOnTimeout,
		SF_CTR_TCPKeepAliveTimeouts, SF_CTR_TCPFinWait2Timeouts, SF_CTR_TCPAbortOnLinger,
		SF_CTR_TCPAbortOnClose, SF_CTR_TCPAbortOnData, SF_CTR_TCPAbortOnUser,
	};
	for (size_t i = 0; i < sizeof events / sizeof events[0] && !w->failed; i++) {
		uint64_t have = sf_counter_value(c, events[i]);
		if (have != h->want[events[i]])
			wfail(w, 1u << host, "h%d: %s is %" PRIu64 " but the traced transitions make it %" PRIu64, host,
			      sf_counter_name(events[i]), have, h->want[events[i]]);
	}
}

/* ---------------------------------------------------------------------------
 * Applications
 * ------------------------------------------------------------------------- */

static void set_handle(struct world *w, int host, int handle, int value)
{
	struct hostm *h = &w->h[host];
	if ((size_t)handle >= h->nbh) {
		size_t n = h->nbh ? h->nbh : 64;
		while (n <= (size_t)handle)
			n *= 2;
		h->by_handle = realloc(h->by_handle, n * sizeof *h->by_handle);
		assert_non_null(h->by_handle);
		for (size_t i = h->nbh; i < n; i++)
			h->by_handle[i] = 0;
		h->nbh = n;
	}
	h->by_handle[handle] = value;
}

static struct ep *peer_of(struct world *w, const struct ep *e)
{
	int p = w->pairs[e->pair].ep[1 - e->side];
	return p >= 0 ? &w->eps[p] : NULL;
}

static uint64_t side_seed(const struct world *w, int pair, int side)
{
	return mix64(w->seed * 0x2545f4914f6cdd1dull + (uint64_t)pair * 2 + (uint64_t)side + 1);
}

static int new_ep(struct world *w, int pair, int side, int host)
{
	if (w->neps == w->epcap) {
		w->epcap = w->epcap ? w->epcap * 2 : 64;
		w->eps = realloc(w->eps, (size_t)w->epcap * sizeof *w->eps);
		assert_non_null(w->eps);
	}
	int i = w->neps++;
	struct ep *e = &w->eps[i];
	memset(e, 0, sizeof *e);
	e->pair = pair;
	e->side = side;
	e->host = host;
	e->boot = sf_simhost_boots(w->h[host].sh);
	e->handle = -1;
	e->out_seed = side_seed(w, pair, side);
	e->born = e->last_progress = w->now;
	e->next_wake = NEVER;
	w->pairs[pair].ep[side] = i;
	return i;
}

static void wake_at(struct ep *e, uint64_t t)
{
	if (t < e->next_wake)
		e->next_wake = t;
}

/* After the app closed or aborted a handle: if the connection lives on, it is an orphan. */
static void after_close(struct world *w, struct ep *e)
{
	struct hostm *h = &w->h[e->host];
	set_handle(w, e->host, e->handle, 0);
	struct tentry *t = ent_find(h, &e->local, &e->remote);
	if (t && t->ep == (int)(e - w->eps) && t->state != SF_TIME_WAIT && !t->orphan) {
		ent_account(h, t, -1);
		t->orphan = true;
		ent_account(h, t, +1);
	}
	e->handle = -1;
	e->concluded = true;
	e->last_progress = w->now;
	/* The peer's application may be waiting on this one (simultaneous close). */
	struct ep *peer = peer_of(w, e);
	if (peer && !peer->concluded)
		wake_at(peer, w->now);
}

static void app_close(struct world *w, struct ep *e, const char *why)
{
	sf_stack *st = stack_of(w, e->host);
	app_note(w, e->host, &e->local, &e->remote, e->handle, why, (int64_t)e->in_read);
	if (w->pairs[e->pair].plan[e->side].bad == BAD_LINGER0)
		excuse(w, e->pair, "linger0"); /* any close of it is an abort */
	int r = sf_close(st, e->handle);
	if (r != 0)
		wfail(w, 1u << e->host, "h%d: sf_close(%d) = %d", e->host, e->handle, r);
	after_close(w, e);
}

/* The errors of TCP itself; and those of ICMP (Linux's errnos: hard ones in
 * an opening connection, soft ones in place of ETIMEDOUT) where a rejecting
 * router is on the pair's path or a forgery landed in its window. */
static bool allowed_error(const struct world *w, const struct ep *e, int err)
{
	if (err == -ECONNRESET || err == -ECONNREFUSED || err == -ETIMEDOUT || err == -EPIPE)
		return true;
	const struct pair *p = &w->pairs[e->pair];
	if (!p->icmp_landed && !path_rejects(w, p->host[0], p->host[1]))
		return false;
	return err == -ENETUNREACH || err == -EHOSTUNREACH || err == -EACCES || err == -EPROTO ||
	       err == -ENOPROTOOPT || err == -EHOSTDOWN || err == -ENONET || err == -EOPNOTSUPP || err == -EMSGSIZE;
}

static void conclude_error(struct world *w, struct ep *e, int err)
{
	if (!allowed_error(w, e, err)) {
		wfail(w, 1u << e->host, "h%d: pair %d side %d: unexpected error %d", e->host, e->pair, e->side, err);
		return;
	}
	e->err = err;
	w->errors++;
	app_close(w, e, "error, close");
}

/* The app closes its sending half (shutdown or close): what the peer may read before EOF. */
static void note_fin(struct ep *e)
{
	if (!e->fin_issued) {
		e->fin_issued = true;
		e->fin_at = e->out_sent;
	}
}

static void check_bytes(struct world *w, struct ep *e, const uint8_t *buf, size_t n)
{
	struct ep *peer = peer_of(w, e);
	uint64_t seed = side_seed(w, e->pair, 1 - e->side);
	if (!peer || e->in_read + n > peer->out_sent) {
		wfail(w, (1u << e->host) | (peer ? 1u << peer->host : 0),
		     "h%d: pair %d side %d read %zu bytes at offset %" PRIu64 " but the peer wrote only %" PRIu64,
		     e->host, e->pair, e->side, n, e->in_read, peer ? peer->out_sent : 0);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != byte_at(seed, e->in_read + i)) {
			wfail(w, (1u << e->host) | (1u << peer->host),
			     "h%d: pair %d side %d: byte %" PRIu64 " is %#x, the peer wrote %#x", e->host, e->pair,
			     e->side, e->in_read + i, buf[i], byte_at(seed, e->in_read + i));
			return;
		}
	}
}

static void got_eof(struct world *w, struct ep *e)
{
	struct ep *peer = peer_of(w, e);
	if (!peer || !peer->fin_issued) {
		wfail(w, (1u << e->host) | (peer ? 1u << peer->host : 0),
		     "h%d: pair %d side %d: end of stream after %" PRIu64 " bytes, but the peer never closed", e->host,
		     e->pair, e->side, e->in_read);
		return;
	}
	if (e->in_read != peer->fin_at) {
		wfail(w, (1u << e->host) | (1u << peer->host),
		     "h%d: pair %d side %d: end of stream after %" PRIu64 " bytes, the peer wrote %" PRIu64
		     " before its FIN",
		     e->host, e->pair, e->side, e->in_read, peer->fin_at);
		return;
	}
	e->eof = true;
	w->eofs++;
	e->last_progress = w->now;
	app_note(w, e->host, &e->local, &e->remote, e->handle, "EOF", (int64_t)e->in_read);
}

static void bad_end(struct world *w, struct ep *e, const struct side_plan *P)
{
	sf_stack *st = stack_of(w, e->host);
	if (P->bad != BAD_EARLY_CLOSE) /* that one is orderly if all was read: the caller judges */
		excuse(w, e->pair, bad_names[P->bad]);
	e->self_ended = true;
	if (P->bad == BAD_ABORT) {
		app_note(w, e->host, &e->local, &e->remote, e->handle, "abort", 0);
		int r = sf_abort(st, e->handle);
		if (r != 0)
			wfail(w, 1u << e->host, "h%d: sf_abort = %d", e->host, r);
		after_close(w, e);
		return;
	}
	if (P->bad == BAD_CLOSE_UNREAD || P->bad == BAD_EARLY_CLOSE)
		note_fin(e); /* a FIN if nothing is unread, else a RST */
	app_close(w, e, bad_names[P->bad]);
}

/* Write as much as this step allows. Returns false if the ep concluded. */
static bool ep_write(struct world *w, struct ep *e, const struct side_plan *P, sf_stack *st)
{
	uint8_t buf[16384];
	/* Chunks of any size, but at least 2 kB a step: a slow app, not a stuck one. */
	uint64_t budget = (uint64_t)P->wchunk * rnd_in(&w->r, 1, 4);
	if (budget < 2048)
		budget = 2048;

	while (budget && e->out_sent < P->total) {
		uint64_t n = P->wchunk;
		if (n > sizeof buf)
			n = sizeof buf;
		if (n > budget)
			n = budget;
		if (n > P->total - e->out_sent)
			n = P->total - e->out_sent;
		fill(buf, e->out_seed, e->out_sent, (size_t)n);
		long r = sf_send(st, e->handle, buf, (size_t)n);
		if (r > 0) {
			if ((uint64_t)r > n) {
				wfail(w, 1u << e->host, "h%d: sf_send took %ld of %" PRIu64, e->host, r, n);
				return false;
			}
			e->out_sent += (uint64_t)r;
			budget -= (uint64_t)r;
			e->last_progress = w->now;
			w->activity = true;
			continue;
		}
		if (r == -EAGAIN)
			return true;
		conclude_error(w, e, (int)r);
		return false;
	}
	if (e->out_sent < P->total)
		wake_at(e, w->now + MS + (pct(&w->r, 12) ? rnd_in(&w->r, 0, P->pause_ms) * MS : 0));
	return true;
}

static bool ep_read(struct world *w, struct ep *e, const struct side_plan *P, sf_stack *st)
{
	uint8_t buf[16384];
	/* Chunks of any size, but at least 2 kB a step: a slow app, not a stuck one. */
	uint64_t budget = (uint64_t)P->rchunk * rnd_in(&w->r, 1, 4);
	if (budget < 2048)
		budget = 2048;

	while (budget && !e->eof) {
		uint64_t n = P->rchunk;
		if (n > sizeof buf)
			n = sizeof buf;
		if (n > budget)
			n = budget;
		long r = sf_recv(st, e->handle, buf, (size_t)n);
		if (r > 0) {
			if ((uint64_t)r > n) {
				wfail(w, 1u << e->host, "h%d: sf_recv gave %ld of %" PRIu64, e->host, r, n);
				return false;
			}
			check_bytes(w, e, buf, (size_t)r);
			e->in_read += (uint64_t)r;
			w->bytes += (uint64_t)r;
			budget -= (uint64_t)r;
			e->last_progress = w->now;
			w->activity = true;
			continue;
		}
		if (r == 0) {
			got_eof(w, e);
			return !w->failed;
		}
		if (r == -EAGAIN)
			return true;
		conclude_error(w, e, (int)r);
		return false;
	}
	if (!e->eof)
		wake_at(e, w->now + MS + (pct(&w->r, 12) ? rnd_in(&w->r, 0, P->pause_ms) * MS : 0));
	return true;
}

/* sf_state() agrees with the traced state of the handle's connection (CLOSED
 * once the trace has ended it), unless its 4-tuple now belongs to another. */
static void check_state_api(struct world *w, const struct ep *e, sf_stack *st)
{
	const struct tentry *t = ent_find(&w->h[e->host], &e->local, &e->remote);
	if (t && t->ep != (int)(e - w->eps))
		return;
	int want = t ? t->state : SF_CLOSED, have = sf_state(st, e->handle);
	if (have != want)
		wfail(w, 1u << e->host, "h%d: pair %d side %d: sf_state() says %s, the trace %s", e->host, e->pair,
		      e->side, have >= 0 ? sf_state_name(have) : "an error", sf_state_name(want));
}

/* The whole life of one end of a connection, one step at a time. */
static void ep_step(struct world *w, int ei)
{
	struct ep *e = &w->eps[ei];
	if (e->concluded || w->failed)
		return;
	struct pair *p = &w->pairs[e->pair];
	const struct side_plan *P = &p->plan[e->side];
	sf_stack *st = stack_of(w, e->host);
	uint64_t now = w->now;

	e->next_wake = NEVER;
	check_state_api(w, e, st);
	if (w->failed)
		return;
	if (P->bad != BAD_NONE && P->bad != BAD_EARLY_CLOSE) {
		uint64_t t = e->born + (uint64_t)P->bad_delay_ms * MS;
		if (now >= t) {
			bad_end(w, e, P);
			return;
		}
		wake_at(e, t);
	}
	if (!ep_read(w, e, P, st))
		return;
	bool idle = now < e->born + (uint64_t)P->idle_ms * MS;
	if (idle)
		wake_at(e, e->born + (uint64_t)P->idle_ms * MS);
	else if (!ep_write(w, e, P, st))
		return;
	if (idle || e->out_sent < P->total)
		return;

	/* Everything is written. */
	struct ep *peer = peer_of(w, e);
	uint64_t peer_total = p->plan[1 - e->side].total;
	if (P->bad == BAD_EARLY_CLOSE) {
		if (e->in_read < peer_total)
			excuse(w, e->pair, "early close, unread data to come");
		if (sf_state(st, e->handle) == SF_SYN_SENT)
			excuse(w, e->pair, "close in SYN-SENT"); /* RFC 9293 §3.10.4: the connection is deleted */
		bad_end(w, e, P);
		return;
	}
	bool shut = false;
	switch (P->base) {
	case B_SHUT:
		shut = true;
		break;
	case B_RESPOND:
		if (!e->eof)
			return;
		if (!P->wait_full) {
			note_fin(e);
			app_close(w, e, "close after EOF");
			return;
		}
		shut = true;
		break;
	case B_SIM:
		if (e->in_read == peer_total && !e->sim_ready) {
			e->sim_ready = true;
			e->last_progress = now;
		}
		if (e->sim_ready && (!peer || peer->concluded) && p->ep[1 - e->side] >= 0) {
			/* The peer is gone: close alone. */
			note_fin(e);
			app_close(w, e, "simclose alone");
		}
		return;
	}
	if (shut && !e->fin_issued) {
		int r = sf_shutdown(st, e->handle, SF_SHUT_WR);
		app_note(w, e->host, &e->local, &e->remote, e->handle, "shutdown(WR)", r);
		if (r == -ENOTCONN) {
			int err = sf_take_error(st, e->handle);
			conclude_error(w, e, err ? err : -ENOTCONN);
			return;
		}
		if (r != 0) {
			wfail(w, 1u << e->host, "h%d: sf_shutdown = %d", e->host, r);
			return;
		}
		note_fin(e);
		e->last_progress = now;
	}
	if (!e->eof)
		return;
	if (P->wait_full) {
		int s = sf_state(st, e->handle);
		if (s == SF_TIME_WAIT || s == SF_CLOSED) {
			int err = sf_take_error(st, e->handle);
			if (err) {
				conclude_error(w, e, err);
				return;
			}
			e->clean_close = true;
			app_close(w, e, s == SF_TIME_WAIT ? "close in TIME-WAIT" : "close when CLOSED");
			return;
		}
		if (s < 0) {
			wfail(w, 1u << e->host, "h%d: sf_state = %d", e->host, s);
			return;
		}
		wake_at(e, now + 10 * MS);
		return;
	}
	app_close(w, e, "close after EOF");
}

/* Socket options an end's plan asks for. */
static void apply_options(struct world *w, struct ep *e, const struct side_plan *P, sf_stack *st, bool before_connect)
{
	int r = 0;
	if (before_connect) {
		if (P->sndbuf)
			r |= sf_set_bufsizes(st, e->handle, P->sndbuf, P->rcvbuf);
		if (P->maxseg)
			r |= sf_set_maxseg(st, e->handle, P->maxseg);
	}
	if (P->nodelay)
		r |= sf_set_nodelay(st, e->handle, 1);
	if (P->keepalive)
		r |= sf_set_keepalive(st, e->handle, 1, P->ka_idle, P->ka_intvl, P->ka_probes);
	if (P->bad == BAD_LINGER0)
		r |= sf_set_linger(st, e->handle, 1, 0);
	if (r)
		wfail(w, 1u << e->host, "h%d: setting socket options failed", e->host);
}

/* An active open for side s of pair p. */
static void start_connector(struct world *w, int pi, int side)
{
	struct pair *p = &w->pairs[pi];
	int host = p->host[side];
	sf_stack *st = stack_of(w, host);
	int ei = new_ep(w, pi, side, host);
	struct ep *e = &w->eps[ei];
	const struct side_plan *P = &p->plan[side];

	e->handle = sf_socket(st, p->family);
	if (e->handle < 0) {
		wfail(w, 1u << host, "h%d: sf_socket = %d", host, e->handle);
		return;
	}
	set_handle(w, host, e->handle, ei + 1);
	apply_options(w, e, P, st, true);
	struct sf_endpoint remote;
	if (p->simopen) {
		int other = p->host[1 - side];
		struct sf_endpoint local = { .addr = w->h[host].v4, .port = p->fixed_port[side] };
		remote = (struct sf_endpoint){ .addr = w->h[other].v4, .port = p->fixed_port[1 - side] };
		sf_set_reuseaddr(st, e->handle, 1);
		int r = sf_bind(st, e->handle, &local);
		if (r != 0) {
			wfail(w, 1u << host, "h%d: bind to fixed port %u = %d", host, local.port, r);
			return;
		}
	} else {
		const struct server *s = &w->servers[p->server];
		remote.addr = s->family == SF_AF_INET6 ? w->h[s->host].v6 : w->h[s->host].v4;
		remote.port = s->port;
		if (s->lsock < 0)
			excuse(w, pi, "listener down at connect");
	}
	int r = sf_connect(st, e->handle, &remote);
	sf_getsockname(st, e->handle, &e->local);
	e->remote = remote;
	app_note(w, host, &e->local, &e->remote, e->handle, "connect", r);
	if (r == -EADDRNOTAVAIL || r == -EADDRINUSE) {
		excuse(w, pi, "no port");
		p->nostart = true;
		e->self_ended = true;
		app_close(w, e, "no port, close");
		return;
	}
	if (r != -EINPROGRESS) {
		wfail(w, 1u << host, "h%d: sf_connect = %d", host, r);
		return;
	}
	e->iss = ((struct sf_tcb *)st->socks[e->handle])->iss;
	struct tentry *t = ent_find(&w->h[host], &e->local, &e->remote);
	if (!t || t->state != SF_SYN_SENT) {
		wfail(w, 1u << host, "h%d: connect() left no SYN-SENT in the trace", host);
		return;
	}
	t->pair = pi;
	t->ep = ei;
	ep_step(w, ei);
}

static void open_listener(struct world *w, int si)
{
	struct server *s = &w->servers[si];
	sf_stack *st = stack_of(w, s->host);
	if (!st)
		return;
	int h = sf_socket(st, s->family);
	if (h < 0) {
		wfail(w, 1u << s->host, "h%d: sf_socket = %d", s->host, h);
		return;
	}
	struct sf_endpoint local = { .port = s->port };
	if (s->specific)
		local.addr = s->family == SF_AF_INET6 ? w->h[s->host].v6 : w->h[s->host].v4;
	else
		local.addr.family = (uint8_t)s->family;
	int r = sf_set_reuseaddr(st, h, 1);
	if (s->sndbuf)
		r |= sf_set_bufsizes(st, h, s->sndbuf, s->rcvbuf);
	if (s->maxseg)
		r |= sf_set_maxseg(st, h, s->maxseg);
	r |= sf_bind(st, h, &local);
	r |= sf_listen(st, h, s->backlog);
	if (r != 0) {
		wfail(w, 1u << s->host, "h%d: listening on port %u failed (%d)", s->host, s->port, r);
		return;
	}
	s->lsock = h;
	s->wake = NEVER;
	set_handle(w, s->host, h, -(si + 1));
	app_note(w, s->host, &local, NULL, h, "listen", s->backlog);
}

static void close_listener(struct world *w, int si, const char *why)
{
	struct server *s = &w->servers[si];
	sf_stack *st = stack_of(w, s->host);
	if (s->lsock < 0 || !st)
		return;
	/* Connections it still holds unaccepted are reset: not the stack's fault. */
	for (int i = 0; i < w->npairs; i++)
		if (w->pairs[i].server == si && w->pairs[i].started && w->pairs[i].ep[1] < 0)
			excuse(w, i, "listener closed");
	app_note(w, s->host, NULL, NULL, s->lsock, why, 0);
	set_handle(w, s->host, s->lsock, 0);
	if (sf_close(st, s->lsock) != 0)
		wfail(w, 1u << s->host, "h%d: closing the listener failed", s->host);
	s->lsock = -1;
}

static void server_step(struct world *w, int si)
{
	struct server *s = &w->servers[si];
	sf_stack *st = stack_of(w, s->host);
	if (!st || s->lsock < 0 || w->failed)
		return;
	s->wake = NEVER;
	while (!w->failed) {
		struct sf_endpoint peer, local;
		int a = sf_accept(st, s->lsock, &peer);
		if (a == -EAGAIN)
			return;
		if (a < 0) {
			wfail(w, 1u << s->host, "h%d: sf_accept = %d", s->host, a);
			return;
		}
		w->activity = true;
		sf_getsockname(st, a, &local);
		uint32_t irs = ((struct sf_tcb *)st->socks[a])->irs;
		int pi = -1;
		for (int i = w->neps - 1; i >= 0; i--) { /* the newest incarnation, as in model_state */
			struct ep *c = &w->eps[i];
			if (c->side == 0 && !w->pairs[c->pair].simopen && c->iss == irs && ep_eq(&c->local, &peer) &&
			    ep_eq(&c->remote, &local)) {
				pi = c->pair;
				break;
			}
		}
		if (pi >= 0 && w->pairs[pi].ep[1] >= 0 && w->pairs[pi].cookie) {
			/* A duplicate of a cookie's final ACK, after the
			 * connection it made is gone: the ghost it opens is
			 * reset, as the client would reset it. */
			sf_abort(st, a);
			continue;
		}
		if (pi < 0 || w->pairs[pi].ep[1] >= 0) {
			wfail(w, 1u << s->host, "h%d: accepted %u>%u (IRS %u), %s", s->host, local.port, peer.port, irs,
			     pi < 0 ? "which no client opened" : "a second time");
			return;
		}
		if (w->pairs[pi].server != si) {
			wfail(w, 1u << s->host, "h%d: pair %d accepted by server %d, not %d", s->host, pi, si,
			     w->pairs[pi].server);
			return;
		}
		int ei = new_ep(w, pi, 1, s->host);
		struct ep *e = &w->eps[ei];
		e->handle = a;
		e->local = local;
		e->remote = peer;
		set_handle(w, s->host, a, ei + 1);
		app_note(w, s->host, &local, &peer, a, "accept", pi);
		struct tentry *t = ent_find(&w->h[s->host], &local, &peer);
		if (t) {
			t->ep = ei;
			t->pair = pi;
		}
		apply_options(w, e, &w->pairs[pi].plan[1], st, false);
		ep_step(w, ei);
		uint64_t d = rnd_in(&w->r, 0, s->accept_delay_max);
		if (d) {
			s->wake = w->now + d * MS;
			return;
		}
	}
}

/* ---------------------------------------------------------------------------
 * Faults
 * ------------------------------------------------------------------------- */

static void crash_host(struct world *w, int host)
{
	struct hostm *h = &w->h[host];
	if (h->down)
		return;
	app_note(w, host, NULL, NULL, -1, "CRASH", 0);
	sf_sim_crash(w->sim, host);
	h->down = true;
	h->crashes++;
	host_model_reset(h);
	/* Connections whose applications are both done have their outcome already. */
	for (int i = 0; i < w->npairs; i++) {
		const struct pair *p = &w->pairs[i];
		bool done = p->ep[0] >= 0 && p->ep[1] >= 0 && w->eps[p->ep[0]].concluded && w->eps[p->ep[1]].concluded;
		if (p->started && !done && (p->host[0] == host || p->host[1] == host))
			excuse(w, i, "crash");
	}
	for (int i = 0; i < w->neps; i++) {
		struct ep *e = &w->eps[i];
		if (e->host == host && !e->concluded) {
			e->concluded = e->crashed = true;
			e->handle = -1;
			struct ep *peer = peer_of(w, e);
			if (peer && !peer->concluded)
				wake_at(peer, w->now);
		}
	}
	for (int i = 0; i < w->nservers; i++)
		if (w->servers[i].host == host)
			w->servers[i].lsock = -1;
}

static void reboot_host(struct world *w, int host)
{
	struct hostm *h = &w->h[host];
	if (!h->down)
		return;
	sf_sim_reboot(w->sim, host);
	h->down = false;
	app_note(w, host, NULL, NULL, -1, "REBOOT", 0);
	/* Servers come back with the host. */
	for (int i = 0; i < w->nservers; i++)
		if (w->servers[i].host == host && w->servers[i].up)
			open_listener(w, i);
}

/*
 * A third host forges an ICMP error at a live connection: from a made-up
 * router or from the peer's own address, of a random kind, quoting the
 * connection's 4-tuple and a sequence number behind SND.UNA (so still
 * outside [SND.UNA, SND.NXT) when it lands, however the window moves), or
 * now and then one inside the window of a synchronized connection, which
 * may become its soft error but must never end it.
 */
static void forge(struct world *w)
{
	struct rng *r = &w->rr;
	if (!w->neps)
		return;
	int start = (int)rnd_in(r, 0, (uint64_t)w->neps - 1);
	for (int k = 0; k < w->neps; k++) {
		struct ep *e = &w->eps[(start + k) % w->neps];
		sf_stack *st = stack_of(w, e->host);
		if (e->concluded || !st || e->handle < 0 || !st->socks[e->handle] ||
		    st->socks[e->handle]->kind != SF_SOCK_TCB)
			continue;
		int state = sf_state(st, e->handle);
		if (state == SF_CLOSED || state == SF_TIME_WAIT || state < 0)
			continue;
		const struct sf_tcb *tcb = (const struct sf_tcb *)st->socks[e->handle];
		int peer = host_of(w, &e->remote.addr), attacker = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		for (int tries = 0; (attacker == e->host || attacker == peer) && tries < 2 * MAX_HOSTS; tries++)
			attacker = (attacker + 1) % w->nhosts;
		if (attacker == e->host || attacker == peer)
			return;
		bool v6 = e->local.addr.family == SF_AF_INET6;
		bool synced = state != SF_SYN_SENT && state != SF_SYN_RECEIVED;
		bool inside = synced && tcb->snd_max != tcb->snd_una && pct(r, 20);
		uint32_t seq = inside ? tcb->snd_una + (uint32_t)rnd_in(r, 0, tcb->snd_max - tcb->snd_una - 1)
				      : tcb->snd_una - 1 - (uint32_t)rnd_in(r, 0, 0x7ff00000);
		struct sf_sim_icmp m = { .type = v6 ? 1 : 3, .code = (uint8_t)rnd_in(r, 0, v6 ? 6 : 15) };
		switch (rnd_in(r, 0, 5)) {
		case 0: /* time exceeded */
			m.type = v6 ? 3 : 11;
			m.code = 0;
			break;
		case 1: /* parameter problem */
			m.type = v6 ? 4 : 12;
			m.code = 0;
			break;
		case 2: /* path MTU, only ever outside the window (what it would do inside is PMTUD's) */
			if (!inside) {
				m.type = v6 ? 2 : 3;
				m.code = v6 ? 0 : 4;
				m.word = (uint32_t)rnd_in(r, 68, 1500);
			}
			break;
		default:
			break;
		}
		if (inside && !v6 && m.type == 3 && m.code == 4)
			m.code = 1;
		if (pct(r, 50)) {
			m.src = e->remote.addr;
		} else if (v6) {
			uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, [15] = (uint8_t)rnd_in(r, 1, 254) };
			m.src = sf_addr_v6(b);
		} else {
			m.src = sf_addr_v4(198, 51, 100, (uint8_t)rnd_in(r, 1, 254));
		}
		struct sf_segment q;
		memset(&q, 0, sizeof q);
		q.src = e->local.addr;
		q.dst = e->remote.addr;
		q.sport = e->local.port;
		q.dport = e->remote.port;
		q.seq = seq;
		q.ack = tcb->rcv_nxt;
		q.flags = SF_TCP_ACK;
		q.window = 1000;
		uint8_t about[128], icmp[SF_SIM_ICMP6_MAX];
		size_t alen = sf_segment_build(about, sizeof about, &q);
		size_t n = alen ? sf_sim_icmp_build(icmp, sizeof icmp, &m, about, alen) : 0;
		if (!n) {
			wfail(w, 0, "could not build a forged ICMP error");
			return;
		}
		app_note(w, e->host, &e->local, &e->remote, e->handle, inside ? "forged ICMP, in window" : "forged ICMP",
			 m.type * 256 + m.code);
		if (inside) {
			w->pairs[e->pair].icmp_landed = true;
			w->forged_in_window++;
		}
		w->forged++;
		sf_sim_send(w->sim, attacker, icmp, n);
		return;
	}
}

/* A route change: link a (from * MAX_HOSTS + to) now carries mtu bytes (0: any). */
static void change_mtu(struct world *w, int a, uint32_t mtu)
{
	int from = a / MAX_HOSTS, to = a % MAX_HOSTS;
	w->links[from][to].mtu = mtu;
	sf_sim_set_link(w->sim, from, to, &w->links[from][to]);
	app_note(w, from, NULL, NULL, to, "MTU now", mtu);
}

static void do_action(void *ctx, uint64_t now)
{
	struct action *a = ctx;
	struct world *w = a->w;
	w->now = now;
	switch (a->kind) {
	case ACT_PART_ON:
		sf_sim_partition(w->sim, a->a, a->b, true);
		w->ever_cut[a->a][a->b] = w->ever_cut[a->b][a->a] = true;
		app_note(w, a->a, NULL, NULL, a->b, "partition from", a->b);
		break;
	case ACT_PART_OFF:
		sf_sim_partition(w->sim, a->a, a->b, false);
		app_note(w, a->a, NULL, NULL, a->b, "heal with", a->b);
		break;
	case ACT_CRASH:
		crash_host(w, a->a);
		break;
	case ACT_REBOOT:
		reboot_host(w, a->a);
		break;
	case ACT_FORGE:
		forge(w);
		break;
	case ACT_MTU:
		change_mtu(w, a->a, (uint32_t)a->b);
		break;
	case ACT_FAULTS_END:
		for (int i = 0; i < w->nhosts; i++)
			for (int j = i + 1; j < w->nhosts; j++)
				sf_sim_partition(w->sim, i, j, false);
		for (int i = 0; i < w->nhosts; i++)
			reboot_host(w, i);
		w->faults_over = true;
		break;
	}
	w->activity = true;
}

/* ---------------------------------------------------------------------------
 * Building the world from the seed
 * ------------------------------------------------------------------------- */

static void random_link(struct rng *r, struct sf_sim_link *l, unsigned harsh)
{
	memset(l, 0, sizeof *l);
	l->delay_ns = rnd_in(r, 0, 50) * MS / (pct(r, 20) ? 10 : 1);
	if (pct(r, 50))
		l->jitter_ns = rnd_in(r, 0, 20) * MS;
	if (!harsh || pct(r, 30))
		return;
	static const double losses[] = { 0, 0.001, 0.01, 0.03, 0.1, 0.2, 0.3 };
	l->loss = losses[rnd_in(r, 0, harsh >= 2 ? 6 : 4)];
	if (pct(r, 30))
		l->duplicate = (double)rnd_in(r, 1, 50) / 1000.0;
	if (pct(r, 40)) {
		l->reorder = (double)rnd_in(r, 1, 100) / 1000.0;
		l->reorder_delay_ns = rnd_in(r, 1, 30) * MS;
	}
	if (pct(r, 25))
		l->corrupt = (double)rnd_in(r, 1, 20) / 1000.0;
	if (pct(r, 15)) {
		l->bandwidth_bps = rnd_log(r, 1000000, 100000000);
		l->queue_limit_bytes = (size_t)rnd_log(r, 8192, 262144);
	}
}

static void random_config(struct rng *r, struct sf_config *c)
{
	sf_config_default(c);
	for (int i = 0; i < 16; i++)
		c->secret[i] = (uint8_t)rnd(r);
	c->msl_ms = (uint32_t)rnd_in(r, 1000, 5000);
	c->syn_retries = (uint32_t)rnd_in(r, 3, 6);
	c->synack_retries = (uint32_t)rnd_in(r, 2, 5);
	c->retries2 = (uint32_t)rnd_in(r, 3, 8);
	c->orphan_retries = (uint32_t)rnd_in(r, 2, 6);
	c->fin_timeout_ms = (uint32_t)rnd_in(r, 2000, 15000);
	c->syn_backlog = pct(r, 70) ? (uint32_t)rnd_in(r, 1, 32) : 1000;
	c->somaxconn = pct(r, 70) ? (uint32_t)rnd_in(r, 1, 16) : 128;
	c->rto_initial_ms = (uint32_t)rnd_in(r, 200, 1000);
	c->rto_min_ms = (uint32_t)rnd_in(r, 20, 200);
	c->rto_max_ms = (uint32_t)rnd_in(r, 2000, 10000);
	c->delack_ms = (uint32_t)rnd_in(r, 1, 200);
	if (pct(r, 30)) {
		/* A narrow ephemeral range: ports are reused, TIME-WAIT is met. */
		c->ephemeral_lo = (uint16_t)rnd_in(r, 40000, 50000);
		c->ephemeral_hi = (uint16_t)(c->ephemeral_lo + rnd_in(r, 4, 64));
	}
	c->strict_time_wait = pct(r, 30);
	c->rfc1337 = pct(r, 70);
	c->abort_on_overflow = pct(r, 15);
	/* Knobs added after the regression seeds were recorded draw from a
	 * side stream (a copy of the generator, perturbed), so every seed keeps
	 * building the same world as before and only gains the new knob. */
	struct rng side = { r->s ^ 0x5ca1ab1e0ddba11ull };
	c->syn_queue_recycle = pct(&side, 30);
	/* SYN cookies: mostly the default (when the SYN queue is full), some
	 * hosts never, some for every SYN. */
	struct rng side2 = { r->s ^ 0xc00c1e5ull };
	uint32_t mode = (uint32_t)(rnd(&side2) % 10);
	c->syncookies = mode < 6 ? 1 : mode < 8 ? 0 : 2;
	c->window_scaling = pct(r, 80);
	c->timestamps = pct(r, 80);
	c->sack = pct(r, 80);
}

static void random_side(struct rng *r, struct side_plan *P, uint64_t max_bytes)
{
	P->total = pct(r, 20) ? 0 : rnd_log(r, 1, max_bytes);
	P->wchunk = (uint32_t)rnd_log(r, 1, 16384);
	P->rchunk = (uint32_t)rnd_log(r, 1, 16384);
	P->pause_ms = pct(r, 50) ? 0 : (uint32_t)rnd_log(r, 1, 300);
	P->nodelay = pct(r, 30);
	P->wait_full = pct(r, 30);
	if (pct(r, 25)) {
		P->sndbuf = (uint32_t)rnd_log(r, 1024, 262144);
		P->rcvbuf = (uint32_t)rnd_log(r, 1024, 262144);
	}
	if (pct(r, 15))
		P->maxseg = (uint16_t)rnd_in(r, 88, 1460);
	if (pct(r, 20)) {
		P->bad = (uint8_t)rnd_in(r, BAD_ABORT, BAD_EARLY_CLOSE);
		P->bad_delay_ms = (uint32_t)rnd_log(r, 1, 8000);
	}
	if (pct(r, 20)) {
		P->keepalive = true;
		P->ka_idle = (uint32_t)rnd_in(r, 100, 3000);
		P->ka_intvl = (uint32_t)rnd_in(r, 800, 2000);
		if (P->ka_intvl < SF_KEEPALIVE_MIN_INTVL_MS) /* the API refuses less (same draws as before) */
			P->ka_intvl = SF_KEEPALIVE_MIN_INTVL_MS;
		P->ka_probes = (uint32_t)rnd_in(r, 1, 5);
	}
}

/*
 * Routers, from their own stream of numbers (and never for a regression
 * seed): a link that rejects TCP; forgeries from a third host; and links
 * with a smaller MTU (576 at least, 1280 if either end has IPv6 or for a
 * black hole) that answer or are black holes, some changing during the run.
 */
static void build_routers(struct world *w)
{
	struct rng *r = &w->rr;
	if (pct(r, 15)) {
		int a = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		int b = (int)((a + rnd_in(r, 1, (uint64_t)w->nhosts - 1)) % (uint64_t)w->nhosts);
		w->links[a][b].reject = (enum sf_sim_reject)rnd_in(r, SF_SIM_REJECT_PORT, SF_SIM_REJECT_NET);
		sf_sim_set_link(w->sim, a, b, &w->links[a][b]);
		g_tot.rejecting_links++;
	}
	if (w->nhosts >= 3 && pct(r, 30)) {
		int n = (int)rnd_in(r, 5, 40);
		for (int i = 0; i < n; i++) {
			w->acts[w->nacts++] = (struct action){ w, ACT_FORGE, 0, 0 };
			sf_sim_at(w->sim, rnd_in(r, 0, w->t_active_end / MS) * MS, do_action, &w->acts[w->nacts - 1]);
		}
	}
	int nlinks = pct(r, 40) ? (int)rnd_in(r, 1, 3) : 0;
	for (int i = 0; i < nlinks; i++) {
		static const uint32_t mtus[] = { 576, 1006, 1280, 1400, 1492 };
		int a = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		int b = (int)((a + rnd_in(r, 1, (uint64_t)w->nhosts - 1)) % (uint64_t)w->nhosts);
		bool v6 = w->h[a].has_v6 || w->h[b].has_v6;
		struct sf_sim_link *l = &w->links[a][b];
		l->too_big = pct(r, 30) ? SF_SIM_TOO_BIG_BLACKHOLE : SF_SIM_TOO_BIG_ICMP;
		/* A black hole narrower than RFC 4821's base (1024) has no way
		 * through: the search starts there. */
		bool hole = l->too_big == SF_SIM_TOO_BIG_BLACKHOLE;
		l->mtu = mtus[rnd_in(r, v6 || hole ? 2 : 0, 4)];
		sf_sim_set_link(w->sim, a, b, l);
		g_tot.mtu_links++;
		if (pct(r, 50)) {
			/* The route changes: wider, no limit, or narrower still. */
			uint32_t to = pct(r, 50) ? 0 : mtus[rnd_in(r, v6 || hole ? 2 : 0, 4)];
			w->acts[w->nacts++] = (struct action){ w, ACT_MTU, a * MAX_HOSTS + b, (int)to };
			sf_sim_at(w->sim, rnd_in(r, 0, w->t_active_end / MS) * MS, do_action, &w->acts[w->nacts - 1]);
		}
	}
}

static void build_world(struct world *w)
{
	struct rng *r = &w->r;
	w->sim = sf_sim_new(w->seed);
	assert_non_null(w->sim);
	w->nhosts = (int)rnd_in(r, 2, MAX_HOSTS);
	unsigned harsh = (unsigned)rnd_in(r, 0, 2);
	w->t_active_end = rnd_in(r, 3, 25) * SEC;

	for (int i = 0; i < w->nhosts; i++) {
		struct hostm *h = &w->h[i];
		h->w = w;
		h->idx = i;
		random_config(r, &h->cfg);
		h->cfg.trace = on_trace;
		h->cfg.trace_ctx = h;
		h->v4 = sf_addr_v4(10, 0, 0, (uint8_t)(i + 1));
		uint8_t b6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(i + 1) };
		h->v6 = sf_addr_v6(b6);
		h->has_v6 = pct(r, 40);
		static const uint32_t mtus[] = { 576, 1280, 1500, 1500, 9000 };
		h->mtu = mtus[rnd_in(r, h->has_v6 ? 1 : 0, 4)];
		char name[16];
		snprintf(name, sizeof name, "h%d", i);
		h->sh = sf_simhost_new(w->sim, name, &h->v4, h->mtu, &h->cfg);
		assert_non_null(h->sh);
		if (h->has_v6)
			assert_int_equal(sf_simhost_add_addr(h->sh, &h->v6, h->mtu), 0);
		h->next_fixed_port = 20000;
	}
	for (int i = 0; i < w->nhosts; i++) {
		for (int j = 0; j < w->nhosts; j++) {
			struct sf_sim_link l;
			random_link(r, &l, i == j ? 0 : harsh);
			sf_sim_set_link(w->sim, i, j, &l);
			w->links[i][j] = l;
		}
	}

	/* Servers. */
	w->nservers = (int)rnd_in(r, 1, 4);
	for (int i = 0; i < w->nservers; i++) {
		struct server *s = &w->servers[i];
		memset(s, 0, sizeof *s);
		s->host = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		s->family = w->h[s->host].has_v6 && pct(r, 50) ? SF_AF_INET6 : SF_AF_INET;
		s->port = (uint16_t)(80 + i);
		s->specific = pct(r, 30);
		s->backlog = (int)rnd_in(r, 1, 8);
		s->accept_delay_max = pct(r, 50) ? 0 : (uint32_t)rnd_log(r, 1, 500);
		if (pct(r, 25)) {
			s->sndbuf = (uint32_t)rnd_log(r, 1024, 262144);
			s->rcvbuf = (uint32_t)rnd_log(r, 1024, 262144);
		}
		if (pct(r, 15))
			s->maxseg = (uint16_t)rnd_in(r, 88, 1460);
		s->close_at = s->reopen_at = NEVER;
		if (pct(r, 20)) {
			s->close_at = rnd_in(r, 0, w->t_active_end);
			if (pct(r, 70))
				s->reopen_at = s->close_at + rnd_in(r, 1, 5000) * MS;
		}
		s->lsock = -1;
		s->wake = NEVER;
		s->up = true;
	}

	/* Connections. */
	int n = (int)rnd_in(r, 3, 30);
	w->pairs = calloc((size_t)n, sizeof *w->pairs);
	assert_non_null(w->pairs);
	uint64_t budget = rnd_log(r, 16384, 2u << 20), max_bytes = rnd_log(r, 64, 262144);
	uint64_t storm_t = 0;
	for (int i = 0; i < n; i++) {
		struct pair *p = &w->pairs[i];
		p->id = i;
		p->ep[0] = p->ep[1] = -1;
		p->simopen = pct(r, 10);
		if (p->simopen) {
			p->server = -1;
			p->family = SF_AF_INET;
			p->host[0] = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
			p->host[1] = (int)((p->host[0] + rnd_in(r, 1, (uint64_t)w->nhosts - 1)) % (uint64_t)w->nhosts);
			for (int s = 0; s < 2; s++)
				p->fixed_port[s] = w->h[p->host[s]].next_fixed_port++;
		} else {
			p->server = (int)rnd_in(r, 0, (uint64_t)w->nservers - 1);
			const struct server *s = &w->servers[p->server];
			p->family = s->family;
			p->host[1] = s->host;
			/* A client host that has the server's family; sometimes the server's own host. */
			int tries = 0;
			do
				p->host[0] = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
			while ((p->host[0] == s->host && !pct(r, 10) && tries++ < 20) ||
			       (p->family == SF_AF_INET6 && !w->h[p->host[0]].has_v6));
		}
		/* Connect storms: several pairs starting within a few ms. */
		if (!storm_t || pct(r, 40))
			storm_t = rnd_in(r, 0, w->t_active_end * 8 / 10 / MS) * MS;
		p->start_ns = storm_t + rnd_in(r, 0, 5) * MS;
		for (int s = 0; s < 2; s++)
			random_side(r, &p->plan[s], max_bytes);
		for (int s = 0; s < 2; s++) {
			if (p->plan[s].total > budget)
				p->plan[s].total = budget;
			budget -= p->plan[s].total;
		}
		unsigned m = (unsigned)rnd_in(r, 0, 99);
		if (m < 40) {
			p->plan[0].base = B_SHUT;
			p->plan[1].base = B_RESPOND;
		} else if (m < 60) {
			p->plan[0].base = B_RESPOND;
			p->plan[1].base = B_SHUT;
		} else if (m < 85) {
			p->plan[0].base = p->plan[1].base = B_SHUT;
		} else {
			p->plan[0].base = p->plan[1].base = B_SIM;
		}
		if (pct(r, 10)) {
			/* An idle connection kept by keepalive. */
			uint32_t idle = (uint32_t)rnd_in(r, 500, 20000);
			for (int s = 0; s < 2; s++) {
				struct side_plan *P = &p->plan[s];
				P->idle_ms = idle;
				P->keepalive = true;
				P->ka_idle = (uint32_t)rnd_in(r, 100, 2000);
				P->ka_intvl = (uint32_t)rnd_in(r, 800, 2000);
				if (P->ka_intvl < SF_KEEPALIVE_MIN_INTVL_MS) /* the API refuses less (same draws as before) */
					P->ka_intvl = SF_KEEPALIVE_MIN_INTVL_MS;
				P->ka_probes = (uint32_t)rnd_in(r, 1, 5);
			}
		}
	}
	w->npairs = n;

	/* Faults, all within the active phase. */
	w->acts = calloc(16 + 48, sizeof *w->acts); /* faults, then forgeries and route changes */
	assert_non_null(w->acts);
	int nparts = pct(r, 50) ? (int)rnd_in(r, 1, 3) : 0;
	for (int i = 0; i < nparts; i++) {
		int a = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		int b = (int)((a + rnd_in(r, 1, (uint64_t)w->nhosts - 1)) % (uint64_t)w->nhosts);
		uint64_t t0 = rnd_in(r, 0, w->t_active_end / MS) * MS;
		uint64_t t1 = t0 + rnd_log(r, 100, 15000) * MS;
		if (t1 > w->t_active_end)
			t1 = w->t_active_end;
		w->acts[w->nacts++] = (struct action){ w, ACT_PART_ON, a, b };
		sf_sim_at(w->sim, t0, do_action, &w->acts[w->nacts - 1]);
		w->acts[w->nacts++] = (struct action){ w, ACT_PART_OFF, a, b };
		sf_sim_at(w->sim, t1, do_action, &w->acts[w->nacts - 1]);
	}
	int ncrash = pct(r, 35) ? (int)rnd_in(r, 1, 2) : 0;
	for (int i = 0; i < ncrash; i++) {
		int a = (int)rnd_in(r, 0, (uint64_t)w->nhosts - 1);
		uint64_t t0 = rnd_in(r, 0, w->t_active_end / MS) * MS;
		uint64_t t1 = t0 + rnd_in(r, 0, 5000) * MS;
		if (t1 > w->t_active_end)
			t1 = w->t_active_end;
		w->acts[w->nacts++] = (struct action){ w, ACT_CRASH, a, 0 };
		sf_sim_at(w->sim, t0, do_action, &w->acts[w->nacts - 1]);
		w->acts[w->nacts++] = (struct action){ w, ACT_REBOOT, a, 0 };
		sf_sim_at(w->sim, t1, do_action, &w->acts[w->nacts - 1]);
	}
	w->acts[w->nacts++] = (struct action){ w, ACT_FAULTS_END, 0, 0 };
	sf_sim_at(w->sim, w->t_active_end, do_action, &w->acts[w->nacts - 1]);
	if (!w->regression)
		build_routers(w);
}

/* ---------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------- */

static void poll_host(struct world *w, int host)
{
	sf_stack *st = stack_of(w, host);
	struct sf_event evs[64];
	int n;
	if (!st)
		return;
	while ((n = sf_poll_events(st, evs, 64)) > 0) {
		for (int i = 0; i < n; i++) {
			struct hostm *h = &w->h[host];
			if (evs[i].sock < 0 || (size_t)evs[i].sock >= h->nbh || !h->by_handle[evs[i].sock]) {
				wfail(w, 1u << host, "h%d: event %#x for handle %d the app does not hold", host,
				     evs[i].events, evs[i].sock);
				return;
			}
			int v = h->by_handle[evs[i].sock];
			if (v > 0)
				w->eps[v - 1].woken = true;
			else
				w->servers[-v - 1].woken = true;
			w->activity = true;
		}
	}
}

static bool ep_alive(struct world *w, const struct ep *e)
{
	return !e->concluded && !w->h[e->host].down;
}

static void give_up(struct world *w, struct ep *e)
{
	struct pair *p = &w->pairs[e->pair];
	if (p->cookie && !peer_of(w, e))
		excuse(w, e->pair, "SYN cookie: a lost final ACK is never retransmitted (RFC 4987 §3.6)");
	if (!p->excuse) {
		struct ep *peer = peer_of(w, e);
		int s = sf_state(stack_of(w, e->host), e->handle);
		wfail(w, (1u << e->host) | (1u << p->host[1 - e->side]),
		     "h%d: pair %d side %d stalled for %" PRIu64 " s with nothing to excuse it: state %s, wrote %" PRIu64
		     "/%" PRIu64 ", read %" PRIu64 "/%" PRIu64 " eof=%d fin=%d; peer %s",
		     e->host, e->pair, e->side, PATIENCE / SEC, s >= 0 ? sf_state_name(s) : "?", e->out_sent,
		     p->plan[e->side].total, e->in_read, p->plan[1 - e->side].total, e->eof, e->fin_issued,
		     !peer ? "never accepted" : peer->concluded ? "concluded" : "still open");
		return;
	}
	e->gave_up = true;
	p->gave_up = true;
	w->gaveups++;
	note_fin(e);
	app_close(w, e, "give up");
}

/* One tick of the applications at w->now. */
static void apps_tick(struct world *w)
{
	uint64_t now = w->now;

	for (int i = 0; i < w->npairs && !w->failed; i++) {
		struct pair *p = &w->pairs[i];
		if (p->started || p->start_ns > now)
			continue;
		if (w->h[p->host[0]].down || (p->simopen && w->h[p->host[1]].down))
			continue; /* the host is down: start when it is back */
		p->started = true;
		w->activity = true;
		start_connector(w, i, 0);
		if (p->simopen && !w->failed)
			start_connector(w, i, 1);
	}
	for (int i = 0; i < w->nservers && !w->failed; i++) {
		struct server *s = &w->servers[i];
		if (s->up && now >= s->close_at) {
			s->up = false;
			s->close_at = NEVER;
			close_listener(w, i, "close listener");
		}
		if (!s->up && now >= s->reopen_at) {
			s->up = true;
			s->reopen_at = NEVER;
		}
		if (s->up && s->lsock < 0 && !w->h[s->host].down)
			open_listener(w, i);
	}
	for (int i = 0; i < w->nhosts && !w->failed; i++)
		poll_host(w, i);
	for (int i = 0; i < w->nservers && !w->failed; i++) {
		struct server *s = &w->servers[i];
		if (s->woken || s->wake <= now) {
			s->woken = false;
			server_step(w, i);
		}
	}
	for (int i = 0; i < w->neps && !w->failed; i++) {
		struct ep *e = &w->eps[i];
		if (!ep_alive(w, e))
			continue;
		if (e->woken || e->next_wake <= now) {
			e->woken = false;
			ep_step(w, i);
		}
	}
	/* Simultaneous close: both ends ready close in the same tick. */
	for (int i = 0; i < w->npairs && !w->failed; i++) {
		struct pair *p = &w->pairs[i];
		if (p->ep[0] < 0 || p->ep[1] < 0)
			continue;
		struct ep *a = &w->eps[p->ep[0]], *b = &w->eps[p->ep[1]];
		if (a->sim_ready && b->sim_ready && ep_alive(w, a) && ep_alive(w, b)) {
			note_fin(a);
			note_fin(b);
			app_close(w, a, "simultaneous close");
			app_close(w, b, "simultaneous close");
		}
	}
	/* Patience. Before giving up, one more step: if it makes progress, the
	 * stack failed to report readiness. */
	for (int i = 0; i < w->neps && !w->failed; i++) {
		struct ep *e = &w->eps[i];
		/* A side waiting on a slow peer application is not stalled. */
		struct ep *peer = peer_of(w, e);
		uint64_t last = e->last_progress;
		if (peer && peer->last_progress > last)
			last = peer->last_progress;
		if (!ep_alive(w, e) || now - last < PATIENCE || e->next_wake <= now + 10 * MS)
			continue;
		uint64_t rd = e->in_read, wr = e->out_sent;
		bool eof = e->eof;
		ep_step(w, i);
		if (w->failed)
			break;
		if (e->in_read != rd || e->out_sent != wr || e->eof != eof || e->concluded) {
			wfail(w, 1u << e->host, "h%d: pair %d side %d could make progress but no event said so",
			     e->host, e->pair, e->side);
			break;
		}
		give_up(w, e);
	}
}

static bool all_done(struct world *w)
{
	if (!w->faults_over)
		return false;
	for (int i = 0; i < w->npairs; i++)
		if (!w->pairs[i].started)
			return false;
	for (int i = 0; i < w->neps; i++)
		if (!w->eps[i].concluded)
			return false;
	return true;
}

static uint64_t next_time(struct world *w, uint64_t step)
{
	uint64_t t = w->now + step;
	for (int i = 0; i < w->neps; i++)
		if (!w->eps[i].concluded && w->eps[i].next_wake < t)
			t = w->eps[i].next_wake;
	for (int i = 0; i < w->npairs; i++)
		if (!w->pairs[i].started && w->pairs[i].start_ns < t)
			t = w->pairs[i].start_ns;
	for (int i = 0; i < w->nservers; i++) {
		const struct server *s = &w->servers[i];
		if (s->wake < t)
			t = s->wake;
		if (s->close_at < t)
			t = s->close_at;
		if (s->reopen_at < t)
			t = s->reopen_at;
	}
	return t > w->now ? t : w->now + MS;
}

/* The end: every stack empty, nothing armed. */
static void check_quiet(struct world *w)
{
	for (int i = 0; i < w->nhosts && !w->failed; i++) {
		struct sf_stack *st = stack_of(w, i);
		if (!st)
			continue;
		const struct sf_counters *c = sf_stack_counters(st);
		uint32_t socks = 0;
		for (uint32_t k = 0; k < st->socks_hwm; k++)
			socks += st->socks[k] != NULL;
		if (c->CurrEstab || c->TimeWaitCurrent || c->SynRecvCurrent || c->TCPOrphans || socks || st->hashed ||
		    sf_next_deadline(st) != UINT64_MAX || w->h[i].nents) {
			wfail(w, 1u << i,
			     "h%d not quiet %" PRIu64 " s after the apps closed: CurrEstab=%" PRIu64
			     " TimeWaitCurrent=%" PRIu64 " SynRecvCurrent=%" PRIu64 " TCPOrphans=%" PRIu64
			     " sockets=%u hashed=%u traced=%zu deadline=%" PRIu64,
			     i, DRAIN / SEC, c->CurrEstab, c->TimeWaitCurrent, c->SynRecvCurrent, c->TCPOrphans, socks,
			     st->hashed, w->h[i].nents, sf_next_deadline(st));
			for (size_t k = 0; k < w->h[i].nents && k < 4; k++)
				fprintf(stderr, "  h%d still traced: %u>%u %s%s pair %d\n", i, w->h[i].ents[k].l.port,
					w->h[i].ents[k].r.port, sf_state_name(w->h[i].ents[k].state),
					w->h[i].ents[k].orphan ? " (orphan)" : "", w->h[i].ents[k].pair);
		}
	}
}

/* Delivery promises, judged at the end. */
static void check_pairs(struct world *w)
{
	for (int i = 0; i < w->npairs && !w->failed; i++) {
		struct pair *p = &w->pairs[i];
		g_tot.pairs++;
		if (!p->started)
			continue;
		/* A side that saw its own close finish cleanly: the other application read everything. */
		for (int s = 0; s < 2; s++) {
			if (p->ep[s] < 0 || p->ep[1 - s] < 0)
				continue;
			struct ep *wtr = &w->eps[p->ep[s]], *rdr = &w->eps[p->ep[1 - s]];
			if (wtr->clean_close && !rdr->crashed && !rdr->self_ended && !rdr->err &&
			    rdr->in_read != wtr->fin_at) {
				wfail(w, (1u << wtr->host) | (1u << rdr->host),
				     "pair %d: side %d closed cleanly after writing %" PRIu64 " bytes, side %d read %" PRIu64,
				     i, s, wtr->fin_at, 1 - s, rdr->in_read);
				return;
			}
		}
		if (p->excuse)
			continue;
		unsigned mask = (1u << p->host[0]) | (1u << p->host[1]);
		if (p->ep[0] < 0 || p->ep[1] < 0) {
			wfail(w, mask, "pair %d: side %d never came to be, and nothing excuses it", i,
			     p->ep[0] < 0 ? 0 : 1);
			return;
		}
		for (int s = 0; s < 2; s++) {
			struct ep *e = &w->eps[p->ep[s]];
			uint64_t want = p->plan[1 - s].total;
			/* A close after everything was read (simultaneous or early) does not wait for EOF. */
			bool wants_eof = p->plan[s].base != B_SIM && p->plan[s].bad != BAD_EARLY_CLOSE;
			if (e->err || e->gave_up || e->in_read != want || (wants_eof && !e->eof) ||
			    e->out_sent != p->plan[s].total) {
				wfail(w, mask,
				     "pair %d (undisturbed): side %d error=%d gave_up=%d read %" PRIu64 "/%" PRIu64
				     " eof=%d wrote %" PRIu64 "/%" PRIu64,
				     i, s, e->err, e->gave_up, e->in_read, want, e->eof, e->out_sent, p->plan[s].total);
				return;
			}
		}
		g_tot.perfect++;
	}
}

static void free_world(struct world *w)
{
	for (int i = 0; i < w->nhosts; i++) {
		sf_simhost_free(w->h[i].sh);
		free(w->h[i].ents);
		free(w->h[i].by_handle);
	}
	sf_sim_free(w->sim);
	free(w->pairs);
	free(w->eps);
	free(w->acts);
}

static bool run_seed(uint64_t seed, bool verbose, bool regression)
{
	struct world *w = calloc(1, sizeof *w);
	assert_non_null(w);
	w->seed = seed;
	w->r.s = mix64(seed ^ 0x5eed5eed5eed5eedull);
	w->rr.s = mix64(seed ^ 0x70a7e570a7e570a7ull);
	w->regression = regression;
	w->verbose = verbose;
	g_world = w;
	build_world(w);
	if (verbose)
		print_world(w, stderr);
	for (int i = 0; i < w->nservers; i++)
		open_listener(w, i);

	uint64_t step = MS;
	uint64_t limit = w->t_active_end + 3 * 3600 * SEC; /* a backstop: stalls are caught by patience */
	while (!w->failed) {
		uint64_t t = next_time(w, step);
		sf_sim_run_until(w->sim, t);
		w->now = t;
		w->activity = false;
		if (w->failed)
			break;
		apps_tick(w);
		for (int i = 0; i < w->nhosts; i++)
			check_counters(w, i);
		if (all_done(w))
			break;
		if (w->now > limit) {
			for (int i = 0; i < w->neps; i++) {
				const struct ep *e = &w->eps[i];
				if (e->concluded)
					continue;
				int st = sf_state(stack_of(w, e->host), e->handle);
				wfail(w, (1u << e->host) | (1u << w->pairs[e->pair].host[1 - e->side]),
				      "pair %d side %d (h%d) did not finish within 3 virtual hours of the faults "
				      "ending: state %s, wrote %" PRIu64 ", read %" PRIu64 ", eof=%d, last progress at %" PRIu64
				      " ms, next wake %" PRId64,
				      e->pair, e->side, e->host, st >= 0 ? sf_state_name(st) : "?", e->out_sent, e->in_read,
				      e->eof, e->last_progress / MS,
				      e->next_wake == NEVER ? (int64_t)-1 : (int64_t)(e->next_wake / MS));
				break;
			}
			wfail(w, 0, "the applications did not finish within 3 virtual hours of the faults ending");
			break;
		}
		step = w->activity ? MS : (step * 2 > 64 * MS ? 64 * MS : step * 2);
	}
	if (!w->failed) {
		/* The servers shut down; the stacks finish on their own. */
		for (int i = 0; i < w->nservers; i++) {
			w->servers[i].up = false;
			close_listener(w, i, "server exits");
		}
		for (int i = 0; i < w->nhosts; i++)
			check_counters(w, i);
		uint64_t end = w->now + DRAIN;
		sf_sim_run(w->sim, end);
		sf_sim_run_until(w->sim, end);
		w->now = end;
		for (int i = 0; i < w->nhosts; i++)
			check_counters(w, i);
		check_quiet(w);
		check_pairs(w);
	}
	bool ok = !w->failed;
	if (!ok)
		print_report(w);
	g_tot.seeds++;
	g_tot.hosts += (uint64_t)w->nhosts;
	g_tot.bytes += w->bytes;
	g_tot.errors += w->errors;
	g_tot.forged += w->forged;
	g_tot.forged_in_window += w->forged_in_window;
	for (int i = 0; i < w->nhosts; i++)
		g_tot.crashes += w->h[i].crashes;
	g_world = NULL;
	free_world(w);
	free(w);
	return ok;
}

/* ---------------------------------------------------------------------------
 * A crash inside the stack (a debug-build abort on an illegal transition, a
 * sanitizer report) still names the seed that caused it.
 * ------------------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define WORLD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORLD_ASAN 1
#endif
#endif

static void death_report(void)
{
	struct world *w = g_world;
	if (!w)
		return;
	g_world = NULL;
	if (!w->failed)
		wfail(w, 0, "the process is dying (abort, signal or sanitizer report)");
	print_report(w);
}

#ifdef WORLD_ASAN
void __sanitizer_set_death_callback(void (*callback)(void));
#endif

static void on_signal(int sig)
{
	death_report();
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void test_random_world(void **state)
{
	(void)state;
	uint64_t from = env_u64("SYNFIN_WORLD_FROM", 1);
	uint64_t n = env_u64("SYNFIN_WORLD_SEEDS", SYNFIN_WORLD_DEFAULT_SEEDS);
	bool verbose = env_u64("SYNFIN_WORLD_VERBOSE", 0) != 0;
	bool only_range = getenv("SYNFIN_WORLD_FROM") != NULL;
	uint64_t failures = 0, max_fail = env_u64("SYNFIN_WORLD_MAX_FAILURES", 10);
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!only_range) {
		for (size_t i = 0; i < sizeof regression_seeds / sizeof regression_seeds[0]; i++)
			if (!run_seed(regression_seeds[i], verbose, true))
				failures++;
	}
	for (uint64_t s = from; s < from + n && failures < max_fail; s++)
		if (!run_seed(s, verbose, false))
			failures++;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("random world: %" PRIu64 " seeds (%" PRIu64 " hosts, %" PRIu64 " crashes), %" PRIu64
	       " connections (%" PRIu64 " undisturbed and perfect), %" PRIu64 " bytes read, %" PRIu64
	       " errors reported, %" PRIu64 " failing seeds, %.1f s\n",
	       g_tot.seeds, g_tot.hosts, g_tot.crashes, g_tot.pairs, g_tot.perfect, g_tot.bytes, g_tot.errors,
	       failures, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("random world: routers: %" PRIu64 " rejecting links, %" PRIu64 " links with an MTU, %" PRIu64
	       " forged ICMP errors (%" PRIu64 " inside the window)\n",
	       g_tot.rejecting_links, g_tot.mtu_links, g_tot.forged, g_tot.forged_in_window);
	printf("random world: transitions seen:");
	for (int a = 0; a < SF_STATE__COUNT; a++)
		for (int b = 0; b < SF_STATE__COUNT; b++)
			if (g_transitions[a][b])
				printf(" %s>%s:%" PRIu64, sf_state_name(a), sf_state_name(b), g_transitions[a][b]);
	printf("\n");
	printf("random world: first reasons a connection was excused from perfect delivery:");
	for (size_t i = 0; i < sizeof g_excuses / sizeof g_excuses[0] && g_excuses[i].why; i++)
		printf("%s %s: %" PRIu64, i ? "," : "", g_excuses[i].why, g_excuses[i].n);
	printf("\n");
	assert_int_equal(failures, 0);
}

/* The command line becomes the environment the test reads, so that cmocka's
 * test function stays argument-free and both ways of asking agree. */
static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *name = NULL;
		if (!strcmp(argv[i], "--seeds"))
			name = "SYNFIN_WORLD_SEEDS";
		else if (!strcmp(argv[i], "--from"))
			name = "SYNFIN_WORLD_FROM";
		else if (!strcmp(argv[i], "--max-failures"))
			name = "SYNFIN_WORLD_MAX_FAILURES";
		else if (!strcmp(argv[i], "--verbose")) {
			setenv("SYNFIN_WORLD_VERBOSE", "1", 1);
			continue;
		}
		if (!name || i + 1 >= argc) {
			fprintf(stderr, "usage: %s [--seeds N] [--from S] [--max-failures K] [--verbose]\n", argv[0]);
			return -1;
		}
		setenv(name, argv[++i], 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	g_argv0 = argv[0];
	if (parse_args(argc, argv))
		return 2;
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
#ifdef WORLD_ASAN
	__sanitizer_set_death_callback(death_report);
#endif
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_world),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
