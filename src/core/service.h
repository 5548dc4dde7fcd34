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
void sf_trace_segment_in(struct sf_stack *st, const struct sf_segment *seg, int sock);
void sf_trace_segment_out(struct sf_stack *st, const struct sf_segment *seg, int sock, bool retransmit);

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

/* ---- the keyed 4-tuple hash (prf.c) ---- */

/** SipHash-2-4 of the 4-tuple under the stack's secret, in its own domain; remembers the last tuple's hashes. */
uint64_t sf_tuple_prf(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote);
/** The same, computed afresh and not remembered (for bulk rehashing). */
uint64_t sf_tuple_prf_uncached(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			       const struct sf_endpoint *remote);

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
