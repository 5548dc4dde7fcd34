/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The service layer: what every part of the stack calls, and which calls
 * nothing above it. The stack's clock in the units records keep; counting
 * and tracing drops, state changes, timers and segments; readiness; socket
 * handles; the stack's local addresses; the keyed 4-tuple hash; the ACKs
 * held back during an input batch.
 */
#ifndef SYNFIN_CORE_SERVICE_H
#define SYNFIN_CORE_SERVICE_H

#include "core/records.h"

/* ---- time (clock.c) ----
 * The stack's clock is st->now_ns, moved only forward by sf_input and
 * sf_advance. Compact records keep 32-bit "stack milliseconds" counted from
 * the stack's creation; everything else keeps nanoseconds. */

/** A duration of ms milliseconds in nanoseconds. */
static inline uint64_t sf_ns_from_ms(uint64_t ms) { return ms * 1000000u; }
/** The time ms milliseconds from now: the deadline of a timer armed "in ms". */
static inline uint64_t sf_after_ms(const struct sf_stack *st, uint64_t ms) { return st->now_ns + sf_ns_from_ms(ms); }
/** Stack milliseconds now, rounded down. */
uint32_t sf_ms(const struct sf_stack *st);
/** Stack milliseconds now, rounded up: a timer run from it never fires early. */
uint32_t sf_ms_ceil(const struct sf_stack *st);
/** A stored stack-millisecond stamp, widened back to nanoseconds relative to now. */
uint64_t sf_ms_stamp_ns(const struct sf_stack *st, uint32_t ms);
/** Whether a stack-millisecond expiry has come (compared modulo 2^32). */
static inline bool sf_ms_due(uint32_t expires, uint32_t now) { return (int32_t)(expires - now) <= 0; }

/* ---- counting and tracing (observe.c) ----
 * Trace events are built only when a tracer is installed. */

static inline bool sf_tracing(const struct sf_stack *st) { return st->cfg.trace != NULL; }
/** Discard a datagram: count it under reason (and InDrops) and trace it. seg is NULL if it did not parse. */
void sf_drop(struct sf_stack *st, const struct sf_segment *seg, enum sf_drop_reason reason);
void sf_trace_transition(struct sf_stack *st, int sock, const struct sf_endpoint *local,
			 const struct sf_endpoint *remote, enum sf_tcp_state from, enum sf_tcp_state to,
			 enum sf_cause cause);
void sf_trace_timer(struct sf_stack *st, int sock, enum sf_timer_kind timer, enum sf_tcp_state state,
		    const struct sf_endpoint *local, const struct sf_endpoint *remote);
/** RFC 9293 §3.8.3 (b): negative advice to IP, whose routing is the driver's, about the path to remote. */
void sf_trace_advice(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote);
/** A connection's path MTU is now mtu, for cause (an SF_CAUSE_PMTU_*). */
void sf_trace_path_mtu(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		       uint32_t mtu, enum sf_cause cause);
void sf_trace_segment_in(struct sf_stack *st, const struct sf_segment *seg, int sock);
/** What a segment going out is, for the counters and the trace. */
enum sf_out_kind {
	SF_OUT_NEW,        /* sent for the first time */
	SF_OUT_RETRANSMIT, /* sent again */
	SF_OUT_MTU_PROBE,  /* new data in a path MTU probe (RFC 4821 §7.5) */
};
void sf_trace_segment_out(struct sf_stack *st, const struct sf_segment *seg, int sock, enum sf_out_kind kind);

/* ---- sockets (sockets.c) ---- */

/** Give sock the lowest free handle. The handle, or -EMFILE / -ENOMEM. */
int sf_handle_alloc(struct sf_stack *st, struct sf_sock *sock);
void sf_handle_release(struct sf_stack *st, uint32_t handle);
/** The socket of a handle, or NULL. */
struct sf_sock *sf_sock_get(const struct sf_stack *st, uint32_t handle);
/** Queue sock's readiness for sf_poll_events, once until it is polled. */
void sf_mark_ready(struct sf_stack *st, struct sf_sock *sock);

/* RFC 9293 MUST-48, MUST-49: what a socket's segments carry in the IP header. */
static inline struct sf_ip_marks sf_sock_marks(const struct sf_stack *st, const struct sf_sock *sock)
{
	return (struct sf_ip_marks){ .ttl = sock->ttl ? sock->ttl : st->cfg.ttl, .tclass = sock->tclass };
}

/* The same for segments of no socket (RSTs to closed ports). */
static inline struct sf_ip_marks sf_stack_marks(const struct sf_stack *st)
{
	return (struct sf_ip_marks){ .ttl = st->cfg.ttl, .tclass = 0 };
}

/* ---- local addresses (locals.c) ---- */

/** The index of addr in the stack's address table, or UINT32_MAX if it is not local. */
uint32_t sf_local_id(const struct sf_stack *st, const struct sf_addr *addr);
/** The MSS that one datagram on local's interface carries (RFC 9293 §3.7.1, MUST-67). */
uint16_t sf_local_mss(const struct sf_stack *st, const struct sf_addr *local);
/* An IPv4 subnet's network or broadcast address, for a prefix of ours (RFC 1122 §3.2.1.3, RFC 919). */
bool sf_is_subnet_broadcast(const struct sf_stack *st, const struct sf_addr *addr);
/* Set locals[id]'s on-link prefix: 0, or -EINVAL (too long, or it makes the address a broadcast one). */
int sf_local_set_prefix(struct sf_stack *st, uint32_t id, unsigned prefix_len);
/* Why a segment's source may not open or be answered (RFC 9293 §3.9.2.3, MUST-63), or SF_DROP_NONE. */
enum sf_drop_reason sf_source_check(const struct sf_stack *st, const struct sf_addr *src);
/* The local address to use toward dst when the application named none (MUST-44), or UINT32_MAX. */
uint32_t sf_select_source(const struct sf_stack *st, const struct sf_addr *dst);

/* ---- path MTUs (pmtu.c) ---- */

/** The path MTU learned for dst, and when it will be forgotten; 0 if none is known. */
uint32_t sf_pmtu_lookup(const struct sf_stack *st, const struct sf_addr *dst, uint64_t *expires_ns);
/** Remember that the path to dst carries at most mtu bytes; true if that lowered what was known. */
bool sf_pmtu_learn(struct sf_stack *st, const struct sf_addr *dst, uint32_t mtu);
void sf_pmtu_destroy(struct sf_stack *st);

/* ---- the keyed 4-tuple hash (prf.c) ---- */

/** SipHash-2-4 of the 4-tuple under the stack's secret, in its own domain; remembers the last tuple's hashes. */
uint64_t sf_tuple_prf(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote);
/** The keyed hash of the 4-tuple and one more word (a SYN cookie's minute and ISN), in its own domain; not remembered. */
uint64_t sf_tuple_prf_counted(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			      const struct sf_endpoint *remote, uint64_t word);
/** The same, computed afresh and not remembered (for bulk rehashing). */
uint64_t sf_tuple_prf_uncached(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			       const struct sf_endpoint *remote);

/* ---- IP output and the IP-MIB (ip.c) ---- */

/** An IP-MIB counter of the family's: SF_IP_CTR(st, v6, InReceives) is Ip6InReceives or IpInReceives. */
#define SF_IP_CTR(st, v6, name) (*((v6) ? &(st)->ctr.Ip6##name : &(st)->ctr.Ip##name))
/**
 * Hand a datagram to cfg.output: the one place every datagram leaves the
 * stack, counted as IpOutRequests or Ip6OutRequests, the callback run with
 * in_callback set (the re-entry rule of synfin.h).
 */
void sf_ip_output(struct sf_stack *st, const uint8_t *dgram, size_t len);
/** Fill a bucket to burst tokens at the stack's current time. */
void sf_bucket_fill(struct sf_stack *st, struct sf_bucket *b, uint32_t burst);
/** Take a token: refill rate a second since the last take (at most burst), then false if none is left. rate 0: no limit. */
bool sf_bucket_take(struct sf_stack *st, struct sf_bucket *b, uint32_t rate, uint32_t burst);

/* ---- ICMP out (icmp.c) ---- */

/** Fill the ICMP buckets (at stack creation). */
void sf_icmp_init(struct sf_stack *st);
/**
 * RFC 5927 §4.3: whether TCP may act on one more ICMP error now
 * (cfg.icmp_error_rate, icmp_error_burst). Takes a token when it says yes.
 */
bool sf_icmp_error_budget(struct sf_stack *st);
/**
 * Send an ICMP (IPv4) or ICMPv6 (IPv6) error of type and code about the
 * datagram offending[0..len), by its version: it quotes the offending IP
 * header and as much after it as keeps the error within 576 bytes (RFC 1812
 * §4.3.2.3) or 1280 (RFC 4443 §2.4(c)). param is the 4 bytes after the
 * checksum as they go on the wire: an ICMPv6 pointer or MTU, an IPv4
 * parameter problem pointer in its top byte (RFC 792), 0 for none.
 * Nothing is sent (RFC 1122 §3.2.2, RFC 4443 §2.4(e)) about an ICMP error
 * or an ICMPv6 redirect, a fragment other than the first, a datagram to a
 * multicast or broadcast address, or from one that names no single host;
 * nor past cfg.icmp_rate (counted in IcmpOutRateLimitGlobal).
 */
void sf_icmp_send_error(struct sf_stack *st, const uint8_t *offending, size_t len, uint8_t type, uint8_t code,
			uint32_t param);
/**
 * Answer an echo request (RFC 792, RFC 1122 §3.2.2.6, RFC 4443 §4.2), whose
 * IP header ip is, addressed to one of our unicast addresses, its ICMP
 * checksum checked. SF_DROP_NONE when the reply went, or why it did not.
 */
enum sf_drop_reason sf_icmp_echo(struct sf_stack *st, const uint8_t *dgram, size_t len, const struct sf_ip_view *ip);

/* ---- IP fragment reassembly (reasm.c; RFC 791 §3.2, RFC 8200 §4.5) ---- */

/** An empty reassembly: nothing allocated until the first fragment. */
void sf_reasm_init(struct sf_stack *st);
/** Free every queue, fragment and table, dropping and counting nothing. */
void sf_reasm_destroy(struct sf_stack *st);
/**
 * A datagram sf_wire_parse found to be a fragment. True when it made its
 * datagram whole: *dgram and *len are then that datagram, in the stack's
 * reassembly buffer, valid until the next fragment comes (sf_input is never
 * re-entered, so until it returns). False when it is held for the rest or
 * was dropped, counted under its reason.
 */
bool sf_reasm_input(struct sf_stack *st, const uint8_t **dgram, size_t *len);
/** Give up the datagrams whose reassembly timeout has passed. */
void sf_reasm_expire(struct sf_stack *st);
/** When the oldest queue times out; UINT64_MAX if none. */
uint64_t sf_reasm_next_deadline(const struct sf_stack *st);
/** The bytes held for fragments from src (what the per-source cap bounds). */
size_t sf_reasm_source_bytes(const struct sf_stack *st, const struct sf_addr *src);

/* ---- input batches (batch.c) ---- */

/**
 * Inside an input batch (RFC 9293 MUST-58, MUST-59), put handle on the list
 * of connections that owe an ACK at its end. False outside a batch, or when
 * the list cannot grow: then the caller sends the ACK at once.
 */
bool sf_batch_defer_ack(struct sf_stack *st, uint32_t handle);

#endif
