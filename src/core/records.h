/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a stack holds, as data: the stack object itself, its sockets, its
 * connections (TCBs), listeners, and the compact embryo and TIME-WAIT records,
 * and the references by which the demux table names them. Every layer above
 * shares these definitions; the functions that act on them live in the layer
 * that owns the behaviour (core/service.h, demux/demux.h, tcp/tcp.h).
 * Everything hangs off one struct sf_stack: no global state.
 */
#ifndef SYNFIN_CORE_RECORDS_H
#define SYNFIN_CORE_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ilist.h"
#include "base/pool.h"
#include "base/ring.h"
#include "base/timer.h"
#include "synfin.h"
#include "wire/wire.h"

struct sf_cc_ops;

/* ---- references into the demux table ------------------------------------
 * A 4-tuple maps to one of three kinds of record. A reference packs the kind
 * into the top two bits and an index (socket handle or pool index) below. */
typedef uint32_t sf_ref;
enum { SF_REF_NONE = 0, SF_REF_SOCK = 1, SF_REF_EMBRYO = 2, SF_REF_TW = 3 };
#define SF_REF_INDEX_MASK 0x3fffffffu
static inline sf_ref sf_ref_make(uint32_t kind, uint32_t index) { return (kind << 30) | index; }
static inline uint32_t sf_ref_kind(sf_ref r) { return r >> 30; }
static inline uint32_t sf_ref_index(sf_ref r) { return r & SF_REF_INDEX_MASK; }

#define SF_NO_HANDLE UINT32_MAX
#define SF_MAX_SYNACK_RETRIES 15


/** What the IP header of a segment carries for its connection: TTL / hop limit, TOS / traffic class. */
#define SF_ECN_MASK 0x03 /* the ECN field of the TOS / traffic class (RFC 3168 §5) */
enum { SF_ECN_NOT_ECT = 0, SF_ECN_ECT1 = 1, SF_ECN_ECT0 = 2, SF_ECN_CE = 3 }; /* its codepoints (§5) */
struct sf_ip_marks {
	uint8_t ttl;
	uint8_t tclass;
};

/** A local address the stack owns, and the MTU of its interface. */
struct sf_local {
	struct sf_addr addr;
	uint32_t mtu;
	uint8_t prefix_len;      /* the on-link prefix: 32 / 128 until sf_stack_set_prefix */
};

/** What the stack has learned of one destination's path MTU (core/pmtu.c). */
struct sf_pmtu_entry {
	uint64_t expires_ns;     /* RFC 1191 §6.3: forgotten then, when the path may have grown back */
	uint8_t addr[16];
	uint8_t family;
	uint16_t mtu;            /* 0: an empty way */
};

struct sf_pmtu_cache {
	struct sf_pmtu_entry *slots; /* nsets sets of 4 ways; NULL until the first path MTU is learned */
	uint32_t nsets;
	uint32_t gen;            /* changes with every entry: connections resynchronise on it */
};

/**
 * An embryo: a connection in SYN-RECEIVED after a passive open, kept as a
 * compact record, not a TCB, in the manner of FreeBSD's syncache: a SYN flood
 * costs 60 bytes per SYN. It becomes a TCB only when the handshake completes.
 */
struct sf_embryo {
	sf_ref hash_next;
	struct sf_ilink timer;   /* in stack->embryo_fifo[retries]; due as listen.c's embryo_expires_ms says */
	uint8_t raddr[16];
	uint16_t lport, rport;
	uint16_t laddr_id;       /* index into stack->locals */
	uint8_t retries;         /* SYN+ACK retransmissions so far */
	uint8_t opt_flags;       /* EMBRYO_* (listen.c): the options the SYNs agreed on */
	uint32_t listener;       /* handle of the listener */
	uint32_t iss, irs;
	uint16_t peer_mss;       /* 0: the option was absent */
	uint16_t peer_window;
	uint32_t ts_recent;
	uint32_t sent_ms;        /* when the last SYN,ACK left (sf_ms_ceil): the timer runs from here,
				    and with none retransmitted it is the handshake's RTT sample */
};

/**
 * A connection in TIME-WAIT, kept as a compact record once the TCB is freed
 * (as Linux's tcp_timewait_sock, at a quarter of its size): just what is
 * needed to re-ACK a retransmitted FIN, judge a new SYN (RFC 6191) and let
 * the 2MSL timer run out.
 */
struct sf_tw {
	sf_ref hash_next;
	struct sf_ilink fifo;    /* in stack->tw_fifo, ordered by expiry */
	uint32_t expires_ms;
	uint8_t raddr[16];
	uint16_t lport, rport;
	uint16_t laddr_id;
	uint8_t flags;           /* SF_TW_TS: timestamps were in use */
	uint8_t rcv_wscale;
	uint32_t snd_nxt, rcv_nxt;
	uint32_t ts_recent;      /* the peer's last TSval (RFC 6191) */
	uint32_t ts_offset;      /* ours, to keep TSval running in our ACKs */
	uint16_t rcv_wnd;        /* window to advertise in ACKs, as on the wire */
	struct sf_ip_marks marks; /* the connection's TTL and traffic class, for its ACKs */
};
#define SF_TW_TS 1

/* The memory budget (docs/PERFORMANCE.md): with its share of a demux bucket (2-4 bytes at
 * the table's load of two) each record must stay within 64 bytes. */
_Static_assert(sizeof(struct sf_embryo) <= 60, "an embryo must stay within 60 bytes");
_Static_assert(sizeof(struct sf_tw) <= 60, "a TIME-WAIT record must stay within 60 bytes");

/* ---- sockets --------------------------------------------------------------- */
enum sf_sock_kind { SF_SOCK_TCB = 1, SF_SOCK_LISTENER = 2 };

/** R1 and R2 as an application set them (sf_set_retry_thresholds). */
struct sf_retry_thresholds {
	uint32_t r1, r2;
	uint8_t unit;            /* enum sf_retry_unit; SF_RETRY_DEFAULT: the stack's */
};

/** What every socket has; the first member of a TCB and of a listener. */
struct sf_sock {
	uint8_t kind;            /* enum sf_sock_kind */
	uint8_t family;
	bool user_open;          /* the application holds the handle */
	bool bound;              /* on its port's bound list (explicit bind or listen) */
	bool reuseaddr;
	bool linger_on;
	bool keepalive_on;
	bool in_ready;           /* queued on stack->ready */
	uint16_t linger_s;
	uint16_t maxseg;         /* TCP_MAXSEG, 0 = none */
	uint8_t ttl;             /* IP_TTL / IPV6_UNICAST_HOPS, 0 = the stack's cfg.ttl (MUST-49) */
	uint8_t tclass;          /* IP_TOS / IPV6_TCLASS: the DSCP, ECN bits clear (MUST-48) */
	uint32_t handle;
	uint32_t bind_next;      /* next handle + 1 on the port's bound list */
	struct sf_endpoint local;
	struct sf_endpoint remote;
	int error;               /* pending error for sf_take_error */
	uint32_t sndbuf, rcvbuf;
	uint32_t ka_idle_ms, ka_intvl_ms, ka_probes;
	struct sf_retry_thresholds retry[2]; /* per enum sf_retry_kind */
};

struct sf_listener {
	struct sf_sock sock;
	uint32_t backlog;        /* accept queue limit */
	uint32_t accept_head;    /* handle + 1 of the oldest completed connection */
	uint32_t accept_tail;
	uint32_t accept_count;
	uint32_t syn_count;      /* embryos that name this listener */
	uint64_t cookie_sent_ns; /* when it last answered a SYN with a cookie; 0: never */
	bool zombie;             /* closed by the app; the handle stays reserved until syn_count is 0 */
};

/* Per-connection timers, multiplexed onto one wheel slot. */
enum { SF_TCB_TIMERS = SF_TIMER__COUNT };

struct sf_tcb {
	struct sf_sock sock;
	enum sf_tcp_state state;
	sf_ref hash_next;
	bool hashed;
	bool passive;            /* reached SYN-RECEIVED by a passive OPEN (MUST-11) */
	bool orphan;             /* the app closed the handle; the stack finishes the connection */
	bool fin_queued;         /* the app closed its sending half: FIN after the queued data */
	bool fin_sent;
	bool rcv_shut;           /* SHUT_RD: further data is discarded */
	bool eof;                /* the peer's FIN was received (recv returns 0 when drained) */
	bool ack_held;           /* owes an ACK at the end of the input batch (sf_input_end) */
	bool went_time_wait;     /* handed over to a TIME-WAIT record */
	uint32_t rtx_count;      /* retransmissions of the same segment since an ACK of new data */
	uint32_t total_retrans;  /* segments retransmitted over the connection's life */
	uint64_t bytes_acked;    /* octets of data the peer has acknowledged (RFC 4898 ThruOctetsAcked) */
	uint64_t bytes_received; /* octets of data received in order (RFC 4898 ThruOctetsReceived) */
	uint8_t ka_probes_sent;
	uint32_t listener;       /* handle of the listener while unaccepted, else SF_NO_HANDLE */
	uint32_t accept_next;    /* next handle + 1 in the listener's accept queue */

	/* RFC 9293 §3.3.1 send sequence variables. snd_max is the highest
	 * sequence number sent (RFC 9293's SND.NXT); snd_nxt is where the next
	 * transmission starts, moved back to snd_una by a retransmission timeout. */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	/* receive sequence variables */
	uint32_t irs, rcv_nxt, rcv_wnd;
	uint32_t rcv_adv;        /* right edge of the window last advertised: never moved left */
	uint16_t snd_mss;        /* effective send MSS (MUST-16), less the room options take (RFC 6691) */
	uint16_t rcv_mss;        /* the MSS we announced */
	uint16_t peer_mss;       /* the MSS the peer announced, 0 if none */
	/* The path (tcp/pmtu.c): segments are sized by the smaller of pmtu and,
	 * while RFC 4821 probing is on, probe_lo. */
	uint16_t pmtu;           /* our interface's MTU, lowered by ICMP (RFC 1191, RFC 8201) */
	uint16_t probe_lo;       /* RFC 4821: the largest MTU known to get through; 0 = not probing */
	uint16_t probe_hi;       /* the largest worth trying */
	uint16_t probe_size;     /* the MTU of the probe in flight, 0 = none */
	uint8_t probe_fails;     /* probes of the size being tried lost in a row */
	bool mss_proven;         /* a full segment of snd_mss (or more) has been acknowledged */
	uint32_t probe_seq, probe_end; /* its sequence space */
	uint64_t probe_after_ns; /* no probe before then */
	uint32_t pmtu_gen;       /* the stack's path MTU cache as pmtu last saw it */
	uint64_t pmtu_expires_ns; /* when the cached path MTU pmtu came from is forgotten */
	uint64_t icmp_second;    /* ICMP errors acted on: the second it counts ... */
	uint32_t icmp_count;     /* ... and how many (RFC 5927) */

	/* Options agreed in the SYNs (RFC 7323, RFC 2018): each only if both sides offered it. */
	bool ws_ok, ts_ok, sack_ok;
	bool nodelay;            /* TCP_NODELAY: no Nagle (MUST-17) */
	uint8_t snd_wscale;      /* the peer's shift, applied to the windows it sends */
	uint8_t rcv_wscale;      /* our shift, applied to the windows we send */
	/* ECN (RFC 3168 §6.1): agreed in the SYNs; our sender owes CWR on its
	 * next new data segment (§6.1.2); our ACKs echo CE with ECE until the
	 * peer's CWR (§6.1.3, kept with the ACK policy below: ecn_ece). */
	bool ecn_ok;
	bool ecn_cwr;
	uint32_t ts_recent;      /* TS.Recent (RFC 7323 §4.3) */
	uint32_t ts_recent_ms;   /* stack ms when TS.Recent was taken (PAWS: 24 days, §5.5) */
	uint32_t ts_offset;      /* our TSval = stack ms + offset (RFC 7323 §5.4: per connection) */
	uint32_t last_ack_sent;  /* RCV.NXT as carried by our last segment (Last.ACK.sent) */

	/* ACK policy (RFC 9293 §3.8.6.3, RFC 5681 §4.2) */
	uint8_t quickacks;       /* segments still ACKed at once (as Linux, early in a connection) */
	bool fin_ahead;          /* the peer's FIN arrived ahead of a hole... */
	bool ecn_ece;            /* a CE arrived: every ACK carries ECE until a CWR (RFC 3168 §6.1.3) */
	uint32_t fin_seq;        /* ...at this sequence number */
	bool syn_text_held;      /* text on a crossing SYN, held until ESTABLISHED (§3.10.7.3) */
	bool urg_pending;        /* urgent data not all read: RCV.UP is ahead of the read point (§3.8.5) */
	uint32_t rcv_up;         /* RCV.UP: the octet after the peer's urgent data (MUST-62) */
	bool urg_mode;           /* our urgent data is not all acknowledged */
	uint32_t snd_up;         /* SND.UP: the octet after our last urgent byte */

	/* Congestion control and loss recovery (RFC 5681, 6582, 6675) */
	const struct sf_cc_ops *cc; /* the algorithm (tcp/cc.c); NewReno by default */
	uint32_t cwnd, ssthresh;
	uint32_t ca_acked;       /* bytes ACKed toward the next congestion-avoidance step */
	uint32_t recover;        /* NewReno's "recover" (RFC 6582 §3.2) */
	uint32_t high_rxt;       /* SACK recovery: highest sequence retransmitted (RFC 6675 HighRxt) */
	uint8_t dupacks;
	bool in_recovery;
	uint8_t persist_backoff;
	uint32_t probes_out;     /* window probes sent since the peer last ACKed anything (MUST-37) */
	uint64_t probes_since_ns; /* when the first of them went */
	int soft_error;          /* sf_soft_error: -ETIMEDOUT once R1 is passed, until the peer answers */
	uint64_t last_send_ns;   /* restart after idle (RFC 5681 §4.1) */
	uint32_t user_timeout_ms; /* 0: none; else give up when data waits that long for an ACK */
	uint32_t ecn_cwr_end;    /* SND.MAX at the last ECN reduction: ECEs for data up to here
				    are that window's, not news (RFC 3168 §6.1.2) */
	uint64_t unacked_since_ns; /* when SND.UNA last moved with data outstanding, or the SYN first went */

	struct sf_ring sndq;     /* bytes from snd_una on (not counting SYN/FIN) */
	struct sf_ring rcvq;     /* in-order bytes not yet read */

	uint32_t rto_ms;         /* current retransmission timeout (RFC 6298) */
	uint32_t srtt_us, rttvar_us; /* RFC 6298 §2 estimators; srtt_us 0 = no sample yet */
	uint32_t rtt_seq;        /* timing the segment that ends here ... */
	uint64_t rtt_start_ns;   /* ... sent at this time */
	bool rtt_timing;         /* cleared by a retransmission (Karn's rule, MUST-18) */
	struct sf_timer timer;   /* armed at the earliest of due[] */
	uint64_t due[SF_TCB_TIMERS]; /* per enum sf_timer_kind, SF_TIME_NEVER = off */
	uint64_t last_heard_ns;  /* last segment from the peer (keepalive idle) */

	uint64_t last_oow_ack_ns; /* last ACK sent for a bare out-of-window ACK */
	uint64_t chack_second;   /* RFC 5961 challenge ACK budget: the second it counts */
	uint32_t chack_count;
};

/** One port's use: the sockets bound to it, and connections/TIME-WAIT records using it. */
struct sf_port_use {
	uint32_t bound_head;     /* handle + 1 */
	uint32_t users;          /* hashed TCBs and TIME-WAIT records with this local port */
};
#define SF_PORT_PAGE_BITS 8
#define SF_PORT_PAGES (65536 >> SF_PORT_PAGE_BITS)

/* What a keyed 4-tuple hash is for: each use has its own domain (stack.c). */
enum sf_prf_domain {
	SF_PRF_ISN,
	SF_PRF_DEMUX,
	SF_PRF_TS_OFFSET,
	SF_PRF_EPHEMERAL,
	SF_PRF_REASM,
	SF_PRF_COOKIE_SEQ, /* a SYN cookie's whitening of the sequence space (syncookie.c) */
	SF_PRF_COOKIE_MAC, /* ... and its MAC, with the counter (sf_tuple_prf_counted) */
	SF_PRF__COUNT
};

/*
 * The keyed hashes of the last 4-tuple hashed, one per domain as they were
 * asked for. Handling one segment hashes the same tuple several times (the
 * demux lookup, then inserting the embryo or connection it creates or
 * removing the one it ends; the ISN and timestamp offset of a new
 * connection), so the second and later ask for a compare, not a SipHash.
 */
struct sf_prf_memo {
	uint64_t words[5];            /* the tuple as packed for SipHash, domain left out */
	uint64_t value[SF_PRF__COUNT];
	uint8_t nwords;               /* 2 for IPv4, 5 for IPv6, 0 before the first */
	uint8_t have;                 /* bit d: value[d] is valid for words */
};

/*
 * A token bucket timed by the stack's clock: credit in billionths of a
 * token, so that a rate of r a second adds exactly r per elapsed
 * nanosecond, and no fraction is lost between takes.
 */
struct sf_bucket {
	uint64_t credit;
	uint64_t last_ns;
};

/*
 * IP fragment reassembly (core/reasm.c): one queue per datagram being made
 * whole, found by a keyed hash, and one record per source holding any, for
 * the per-source cap. What a queue and a source hold is reasm.c's own.
 */
struct sf_reasm_link {
	struct sf_reasm_link *prev, *next; /* circular, through a head that is no record */
};
struct sf_reasm_queue;
struct sf_reasm_source;
struct sf_reasm {
	struct sf_reasm_queue **queues;    /* hash buckets; NULL until the first fragment */
	struct sf_reasm_source **sources;
	uint32_t queue_mask, source_mask;
	/* Per family (IPv4, IPv6), the queues oldest first: each family's
	 * timeout is fixed, so this is also their order of expiry. */
	struct sf_reasm_link fifo[2];
	size_t bytes;                      /* held: fragments, queues and sources, bookkeeping counted */
	uint32_t nqueues;
	uint8_t *buf;                      /* the datagram last made whole */
};

struct sf_stack {
	struct sf_config cfg;
	uint64_t prf_k0, prf_k1; /* cfg.secret as SipHash's two key words, loaded once */
	/* Points at prf_memo_store: a cache, so the hash functions that take a
	 * const stack (nothing they compute depends on it) may still fill it. */
	struct sf_prf_memo *prf_memo;
	struct sf_prf_memo prf_memo_store;
	bool in_callback;        /* inside cfg.output or cfg.trace: calls that change the stack fail */
	/* sf_input_begin .. sf_input_end: handles of TCBs holding an ACK */
	bool in_batch;
	uint32_t *held_acks;
	uint32_t nheld_acks, held_acks_cap;
	uint64_t now_ns;
	uint64_t epoch_ns;       /* creation time: stack milliseconds count from here */
	struct sf_counters ctr;

	struct sf_local *locals;
	uint32_t nlocals;
	struct sf_pmtu_cache pmtu;

	/* sockets, by handle */
	struct sf_sock **socks;
	uint32_t socks_cap;
	uint32_t socks_hwm;      /* handles below this have been used */
	uint32_t *free_handles;
	uint32_t nfree;

	/* demux: 4-tuple -> TCB / embryo / TIME-WAIT */
	sf_ref last_hit;         /* the record the last datagram found: bulk flows find it again */
	sf_ref *buckets;
	uint32_t bucket_mask;
	uint32_t hashed;
	sf_ref *old_buckets;     /* while growing: the previous array (demux.c) */
	uint32_t old_mask;
	uint32_t old_next;       /* old buckets below this have moved */
	struct sf_pool embryos;
	struct sf_pool tws;

	struct sf_port_use *ports[SF_PORT_PAGES];
	uint32_t ephemeral_next; /* RFC 6056 Algorithm 3 "next_ephemeral" */

	/* timers */
	struct sf_wheel wheel;
	struct sf_ilist tw_fifo;
	struct sf_ilist embryo_fifo[SF_MAX_SYNACK_RETRIES + 1];

	/* readiness */
	uint32_t *ready;
	uint32_t ready_head, nready, ready_cap; /* FIFO: entries [ready_head, nready) */

	struct sf_bucket icmp_out;   /* every ICMP message sent (cfg.icmp_rate, icmp_burst) */
	struct sf_bucket icmp_err;   /* ICMP errors TCP acts on (cfg.icmp_error_rate, RFC 5927 §4.3) */
	struct sf_reasm reasm;   /* IP fragments waiting for the rest of their datagram */

	struct sf_bufcache bufs; /* empty ring buffers kept for reuse */
	uint8_t *out;            /* scratch for building one datagram */
	size_t out_cap;
};

#endif
