/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin demo: TCP's connection management (opening and closing, lost
 * segments, half-close, simultaneous open, initial sequence numbers, the MSS
 * option, TIME-WAIT, CLOSE-WAIT, the listen queues, half-open connections,
 * keepalive, TIME-WAIT assassination) and the RFC 9293 §3.5 anomaly figures
 * played as scenarios between synfin stacks on the simulated network, on
 * virtual time, and drawn the way TCP/IP Illustrated draws them.
 *
 *   engine.c      the simulator, the hosts, the event trace (trace hooks and
 *                 the simulator's observer), connection numbering
 *   app.c         the applications' socket calls, shown in the diagram
 *   expect.c      expectations (checks), facts for the explanations, queries
 *   layout.c      events -> rows (shared by the text and SVG renderers)
 *   render_text.c the terminal diagram (UTF-8 or ASCII, colour on a TTY)
 *   render_svg.c  the same diagram as an SVG figure
 *   render_json.c the event trace as JSON; the pcap capture
 *   explain.c     explanations (English, Chinese), counters, wrapping
 *   sc_*.c        the scenario scripts, each with its explanation
 *   scenarios.c   the list of scenarios
 *   cli.c         `synfin demo` options
 */
#ifndef SYNFIN_DEMO_H
#define SYNFIN_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"
#include "simhost.h"
#include "synfin.h"

/*
 * The counters a scenario's summary shows: TCP's (TCP-MIB and Linux's
 * TcpExt). The IP-MIB's (IpInReceives .. Icmp6OutParmProblems, the end of
 * SF_COUNTERS) count datagrams, which in scenarios of TCP alone only
 * repeat InSegs and OutSegs.
 */
static inline bool demo_counter_shown(int id)
{
	return id < SF_CTR_IpInReceives || id > SF_CTR_Icmp6OutParmProblems;
}

#define DEMO_MS ((uint64_t)1000000)
#define DEMO_SEC ((uint64_t)1000000000)
#define DEMO_MAX_HOSTS 4
#define DEMO_NEVER UINT64_MAX

#if defined(__GNUC__)
#define DEMO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DEMO_PRINTF(a, b)
#endif

/* ---- options (the command line's knobs) ------------------------------------ */

enum demo_lang { DEMO_EN, DEMO_ZH };

struct demo_opts {
	uint64_t seed;
	double loss;          /* random loss on every link, 0..1 */
	uint32_t msl_ms;      /* 0: the scenario's own choice */
	int rfc1337;          /* -1: the scenario's choice; 0 off; 1 on */
	bool strict_time_wait;
	int backlog;          /* 0: the scenario's choice */
	uint32_t delay_ms;    /* one-way link delay */
	bool ascii;
	bool color;
	enum demo_lang lang;
	int width;            /* diagram width in columns */
};

/* ---- the event trace ---------------------------------------------------------- */

enum demo_ev_kind {
	DEV_SEGMENT, /* a datagram handed to the network (an arrow) */
	DEV_STATE,   /* a connection changed state */
	DEV_TIMER,   /* a timer fired */
	DEV_DROP,    /* the stack discarded a datagram (a named reason) */
	DEV_APP,     /* what the application did or was told */
	DEV_CRASH,   /* the host crashed (all state lost) */
	DEV_REBOOT,  /* the host came back up, empty */
	DEV_NOTE,    /* a remark of the scenario's own */
	DEV_ICMP,    /* an ICMP error a router made (an arrow from the router) */
	DEV_PATH_MTU, /* the path MTU a connection sizes its segments by changed */
};

enum demo_fate {
	FATE_IN_FLIGHT, /* still travelling when the scenario ended */
	FATE_DELIVERED,
	FATE_LOST,
};

struct demo_event {
	enum demo_ev_kind kind;
	uint64_t t;
	int host;   /* where it happened (the sender, for a segment) */
	int peer;   /* the receiver of a segment (-1 if unroutable) */
	int conn;   /* connection number (1, 2, ...), 0 for none or a listener */
	/* DEV_SEGMENT, DEV_ICMP (which has no seg) */
	struct sf_segment seg; /* payload pointer cleared */
	uint8_t *dgram;        /* a copy of the datagram (for pcap) */
	size_t dlen;
	bool retransmit, mtu_probe, crafted, duplicate;
	const char *tag;       /* "old duplicate", ... for crafted segments */
	enum demo_fate fate;
	uint64_t fate_t;       /* when it arrived or died */
	enum sf_sim_drop lost; /* why it died */
	/* DEV_STATE, DEV_PATH_MTU */
	enum sf_tcp_state from, to;
	char cause[64];
	enum sf_cause why;     /* DEV_PATH_MTU */
	uint32_t mtu;          /* DEV_PATH_MTU: the path MTU now used */
	/* DEV_TIMER */
	enum sf_timer_kind timer;
	/* DEV_DROP */
	enum sf_drop_reason drop;
	/* DEV_APP, DEV_NOTE: text in English and Chinese */
	char text[128];
	char text_zh[128];
};

/* One connection: a 4-tuple in one incarnation. */
struct demo_conn {
	struct sf_endpoint a, b; /* a < b (so both ends map to one record) */
	bool used[DEMO_MAX_HOSTS];           /* the host took part */
	bool done[DEMO_MAX_HOSTS];           /* and its part is over */
	enum sf_tcp_state state[DEMO_MAX_HOSTS];
};

struct demo_check {
	bool ok;
	bool skipped;
	char text[160];
};

struct demo_fact {
	char key[24];
	char value[1536];
};

struct demo_host_info {
	char name[16];
	char addr[48];
	struct sf_simhost *sh;   /* NULL for a raw (scripted) host */
	int index;
	uint32_t mtu;
	bool up;
	struct sf_config cfg;    /* as the stack was started (knobs applied) */
	/* a raw host: datagrams delivered to it go to this callback */
	void (*raw_deliver)(void *ctx, int host, uint64_t now, const struct sf_segment *seg);
	void *raw_ctx;
};

struct demo_scenario;
struct demo;

struct demo_hctx {
	struct demo *d;
	int host;
};

struct demo {
	const struct demo_scenario *sc;
	const struct demo_opts *opt;
	struct sf_sim *sim;
	int nhosts;
	struct demo_host_info host[DEMO_MAX_HOSTS];
	struct demo_hctx hctx[DEMO_MAX_HOSTS];
	/* the trace */
	struct demo_event *ev;
	size_t nev, cap;
	struct demo_conn *conn;
	int nconn, conn_cap;
	/* SEGMENT_OUT from the trace hook, waiting for the datagram's SEND */
	struct { bool valid, retransmit, mtu_probe; } pending[DEMO_MAX_HOSTS];
	const char *next_tag[DEMO_MAX_HOSTS];
	/* expectations and facts */
	struct demo_check *checks;
	int nchecks, checks_cap;
	struct demo_fact facts[40];
	int nfacts;
	bool exact; /* no random faults: exact expectations apply */
	int router; /* the router's column (demo_add_router), -1 for none */
	uint64_t start_ns;
};

/* ---- scenarios ------------------------------------------------------------------ */

struct demo_scenario {
	const char *id;        /* what the user types: "handshake", "rfc-fig8" */
	const char *section;   /* the rules it illustrates: "RFC 9293 §3.5, §3.6", "RFC 9293 §3.5 Figure 8" */
	const char *title_en;
	const char *title_zh;
	void (*run)(struct demo *d);
	const char *explain_en; /* templates: {fact} is replaced by the run's value */
	const char *explain_zh;
};

extern const struct demo_scenario *const demo_scenarios[];
extern const size_t demo_nscenarios;
const struct demo_scenario *demo_find_scenario(const char *id);

/* The scenarios (sc_*.c). */
extern const struct demo_scenario demo_sc_handshake, demo_sc_handshake_loss, demo_sc_half_close,
	demo_sc_simultaneous;
extern const struct demo_scenario demo_sc_isn, demo_sc_isn_clock, demo_sc_mss, demo_sc_mss_none, demo_sc_mss_mtu;
extern const struct demo_scenario demo_sc_time_wait, demo_sc_time_wait_reuse, demo_sc_time_wait_strict,
	demo_sc_close_wait, demo_sc_close_wait_done, demo_sc_assassination, demo_sc_assassination_classic;
extern const struct demo_scenario demo_sc_backlog, demo_sc_syncookies, demo_sc_half_open, demo_sc_keepalive;
extern const struct demo_scenario demo_sc_fig8, demo_sc_fig9, demo_sc_fig10, demo_sc_fig11;
extern const struct demo_scenario demo_sc_pmtu, demo_sc_pmtu_blackhole;

/* ---- the engine (engine.c) --------------------------------------------------------- */

/** Set up a run of scenario sc with the options; 0 or -ENOMEM. */
int demo_init(struct demo *d, const struct demo_scenario *sc, const struct demo_opts *opt);
/** Free the simulator, the hosts and the trace. */
void demo_fini(struct demo *d);

/** Host configuration hook: adjust a host's config before its stack starts. */
typedef void (*demo_adjust_fn)(struct sf_config *cfg);

/** Add a synfin host "name" with address text and MTU. Returns its index. */
int demo_add_host(struct demo *d, const char *name, const char *addr, uint32_t mtu, demo_adjust_fn adjust);
/** Add a second address to a synfin host. */
void demo_add_addr(struct demo *d, int host, const char *addr, uint32_t mtu);
/** Add a raw host: no stack, the script answers what reaches it. */
int demo_add_raw_host(struct demo *d, const char *name, const char *addr,
		      void (*deliver)(void *ctx, int host, uint64_t now, const struct sf_segment *seg), void *ctx);
/**
 * Add a router's column: the router at the end of the links demo_route
 * sets up (drawn between the hosts it joins, so add it between them). It
 * answers from addr (IPv4), and its ICMP errors are drawn as its arrows.
 */
int demo_add_router(struct demo *d, const char *name, const char *addr);
/**
 * The path between hosts a and b (both ways) runs through the router, whose
 * next hop carries datagrams of at most mtu bytes; too_big says whether it
 * answers a longer one with ICMP or drops it unanswered (a black hole).
 */
void demo_route(struct demo *d, int a, int b, uint32_t mtu, enum sf_sim_too_big too_big);
/** Send a hand-built segment from host (as if it came from there); tag names it in the diagram. */
void demo_inject(struct demo *d, int host, const struct sf_segment *seg, const char *tag);
/** Send a datagram as it is (an old copy kept by the network). */
void demo_resend(struct demo *d, int host, const uint8_t *dgram, size_t len, const char *tag);

struct sf_addr demo_addr(const struct demo *d, int host);
struct sf_endpoint demo_ep(const struct demo *d, int host, uint16_t port);
/** The host's stack, brought up to the simulator's time (NULL while crashed). */
sf_stack *demo_stack(struct demo *d, int host);
uint64_t demo_now(const struct demo *d);

/* Time. */
void demo_run_for(struct demo *d, uint64_t ms);
/** Let what is in flight settle: ms at the default 10 ms delay, longer on slower links (--delay). */
void demo_settle(struct demo *d, uint64_t ms);
void demo_run_to(struct demo *d, uint64_t t_ns);
bool demo_run_until(struct demo *d, bool (*cond)(struct demo *d, void *ctx), void *ctx, uint64_t limit_ms);

/* The application (each call is shown in the diagram). */
/** The listen backlog: --backlog if given, else dflt. */
int demo_backlog(const struct demo *d, int dflt);
int demo_listen(struct demo *d, int host, int family, uint16_t port, int backlog);
int demo_connect(struct demo *d, int host, uint16_t lport, const struct sf_endpoint *remote);
/** Run until the client is ESTABLISHED and the server accepted it: the accepted handle, or -1. */
int demo_establish(struct demo *d, int chost, int csock, int shost, int lsock, uint64_t limit_ms);
int demo_accept(struct demo *d, int host, int lsock);
long demo_send(struct demo *d, int host, int sock, const void *buf, size_t len);
long demo_send_text(struct demo *d, int host, int sock, const char *text);
/** Read what is there now (shown). */
long demo_recv(struct demo *d, int host, int sock, void *buf, size_t cap);
/** Run until len bytes were read (or EOF/error); returns the bytes read. */
size_t demo_read(struct demo *d, int host, int sock, void *buf, size_t len, uint64_t limit_ms);
/** Run until recv returns 0 (end of stream) or an error: that result. */
long demo_read_eof(struct demo *d, int host, int sock, uint64_t limit_ms);
int demo_close(struct demo *d, int host, int sock);
int demo_shutdown(struct demo *d, int host, int sock, int how);
/** Run until the socket is in state (or limit). */
bool demo_wait_state(struct demo *d, int host, int sock, enum sf_tcp_state state, uint64_t limit_ms);
void demo_crash(struct demo *d, int host);
void demo_reboot(struct demo *d, int host);

/* Notes in the diagram: what the application saw, or a remark. */
void demo_app(struct demo *d, int host, const char *en, const char *zh);
void demo_note(struct demo *d, int host, const char *en, const char *zh);
/** A raw host's pretend state change (drawn like a stack's). */
void demo_raw_state(struct demo *d, int host, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		    enum sf_tcp_state from, enum sf_tcp_state to, const char *cause);

/* Expectations. */
void demo_check(struct demo *d, bool ok, const char *fmt, ...) DEMO_PRINTF(3, 4);
/** An exact expectation: skipped when random faults (--loss) make the run differ. */
void demo_check_exact(struct demo *d, bool ok, const char *fmt, ...) DEMO_PRINTF(3, 4);
int demo_failed(const struct demo *d);

/* Facts for the explanation templates. */
void demo_fact(struct demo *d, const char *key, const char *fmt, ...) DEMO_PRINTF(3, 4);
const char *demo_fact_get(const struct demo *d, const char *key);

/* Looking back at the trace. */
uint64_t demo_counter(struct demo *d, int host, enum sf_counter_id id);
uint64_t demo_drops(struct demo *d, int host, enum sf_drop_reason reason);
/** Index of the first segment at or after i sent by host whose flags & mask == flags; -1 if none. */
long demo_find_seg(const struct demo *d, size_t i, int host, uint8_t mask, uint8_t flags);
size_t demo_count_segs(const struct demo *d, size_t i, int host, uint8_t mask, uint8_t flags);
/** Segments with data host sent at or after i; *max gets the largest payload. */
size_t demo_data_segs(const struct demo *d, size_t i, int host, size_t *max);
/** Segments sent (all hosts) at or after event index i. */
size_t demo_segs_since(const struct demo *d, size_t i);
const struct sf_segment *demo_seg(const struct demo *d, long i);
/** When host first went from -> to at or after event i (DEMO_NEVER if it did not). */
uint64_t demo_saw_at(const struct demo *d, size_t i, int host, enum sf_tcp_state from, enum sf_tcp_state to);
bool demo_saw(const struct demo *d, int host, enum sf_tcp_state from, enum sf_tcp_state to);
size_t demo_saw_count(const struct demo *d, int host, enum sf_tcp_state from, enum sf_tcp_state to);
/** The trace's current length (a mark for the functions above). */
size_t demo_mark(const struct demo *d);

/* Control-flag mask: SYN, FIN, RST, ACK. */
#define DEMO_CTL (SF_TCP_SYN | SF_TCP_FIN | SF_TCP_RST | SF_TCP_ACK)
#define DEMO_ALL 0xff

/* ---- text helpers (explain.c) ------------------------------------------------------ */

/** "SYN,ACK" for the flag bits. */
void demo_flags_text(uint8_t flags, char *buf, size_t cap);
/** Options as tcpdump-like text: "mss 1460,sackOK,TS 1/0,ws 7"; empty if none. */
void demo_options_text(const struct sf_tcp_options *opt, bool syn, char *buf, size_t cap);
/** Virtual time as "12.345" (ms with three decimals). */
void demo_time_text(uint64_t t_ns, char *buf, size_t cap);
/** Display columns of a UTF-8 string (CJK and fullwidth count two). */
int demo_text_width(const char *s);
/** Print text wrapped to width columns, each line indented by indent spaces. */
void demo_wrap(FILE *out, const char *text, int width, int indent);
/** An ICMP error datagram as two lines of text: what it says, and what it quotes. */
void demo_icmp_text(const uint8_t *dgram, size_t len, enum demo_lang lang, char *head, size_t hcap, char *tail,
		    size_t tcap);
/** A short name of why the simulator lost a datagram. */
const char *demo_lost_text(enum sf_sim_drop why, enum demo_lang lang);
/** The explanation (template filled in) to out. */
void demo_explain(FILE *out, const struct demo *d);
/** The connection label "#n" text for conn (empty when the scenario has only one). */
void demo_conn_label(const struct demo *d, int conn, char *buf, size_t cap);
/** Counters that are not zero, one host a line. */
void demo_print_counters(FILE *out, struct demo *d);
/** With --ascii, replace the few non-ASCII symbols of English text in place ("§" -> "sec. "). */
void demo_asciify(const struct demo *d, char *s, size_t cap);
/** Translated short phrases used in diagrams ("timer", "lost", ...). */
const char *demo_tr(const struct demo *d, const char *en);

/* ---- output ------------------------------------------------------------------------------ */

void demo_render_text(FILE *out, const struct demo *d);
int demo_render_svg(const char *path, const struct demo *d);
void demo_render_json(FILE *out, struct demo *d);
int demo_write_pcap(const char *path, const struct demo *d);

/** The command `synfin demo ...` (argv[0] is "demo"). */
int demo_main(int argc, char **argv);

#endif
