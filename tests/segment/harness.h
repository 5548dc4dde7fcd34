/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Segment-level tests, packetdrill-style: one synfin stack and a scripted
 * peer. The test injects exact datagrams from the peer and asserts the exact
 * segments the stack sends back (flags, seq, ack, window, options) and the
 * states it goes through. Time is virtual: h_advance moves it.
 *
 * The stack is 192.0.2.1 (or 2001:db8::1); the peer is 192.0.2.2 (2001:db8::2).
 */
#ifndef SYNFIN_TEST_HARNESS_H
#define SYNFIN_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synfin.h"
#include "wire/wire.h"

#define H_MAX_OUT 512
#define H_MAX_TRACE 1024
#define H_MS 1000000ull

struct sf_tcb;

struct h_out {
	uint8_t data[2048];
	size_t len;
};

struct h_state_change {
	int sock;
	enum sf_tcp_state from, to;
	enum sf_cause cause;
};

struct harness {
	sf_stack *st;
	struct sf_config cfg;
	uint64_t now;
	int family;
	struct sf_addr local, peer;
	uint16_t peer_port; /* default source port of injected segments */
	struct h_out out[H_MAX_OUT];
	size_t nout, next_out;
	struct h_state_change states[H_MAX_TRACE];
	size_t nstates;
	enum sf_drop_reason last_drop;
	size_t ndrops;
	size_t nadvice;         /* SF_TRACE_NEGATIVE_ADVICE events seen */
	int advice_sock;        /* ... the last one's sock */
	size_t npath_mtu;       /* SF_TRACE_PATH_MTU events seen */
	size_t nmtu_probes;     /* segments traced out as path MTU probes */
	uint32_t path_mtu;      /* ... the last one's MTU */
	enum sf_cause path_mtu_cause; /* ... and cause */
};

/* Options for h_init: start from sf_config_default and let the test adjust. */
typedef void (*h_config_fn)(struct sf_config *cfg);

/** h_config_fn: RFC 6298 (2.4)'s 1 s RTO floor: after a ~0 RTT sample the RTO is 1 s, backing off 1, 2, 4... s. */
void h_cfg_rfc6298_min_rto(struct sf_config *cfg);

/** A stack at time 1 s with address 192.0.2.1 (family 4) or 2001:db8::1 (6), MTU 1500. */
struct harness *h_new(int family, h_config_fn adjust);
/** Free the stack and the harness. */
void h_free(struct harness *h);

/*
 * A segment from the peer, given by named fields, as in an RFC figure:
 *
 *   h_send(h, .lport = 80, .flags = SF_TCP_ACK, .seq = peer_isn + 1, .ack = iss + 1);
 *   h_send(h, .lport = 80, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = p, .ack = a, .text = "hello");
 *   h_send(h, .lport = 80, .flags = SF_TCP_RST, .seq = p);
 *
 * A field left out is zero, and zero means its default:
 *
 *   lport        the stack's port the segment goes to (always give it)
 *   rport        the peer's port it comes from: 0 = h->peer_port
 *   flags        SF_TCP_*: 0 = no flags at all
 *   seq, ack     as given (0 if left out); ack is put on the wire as it is,
 *                whether or not the flags carry ACK
 *   window       0 = 65535, except on a segment with RST, where it is 0
 *                (a reset offers no window)
 *   zero_window  1: the window field is 0 (the one way to send a zero
 *                window on a segment without RST: `.window = 0` is the
 *                default and means 65535)
 *   text         the payload as a C string (strlen bytes, no NUL), or
 *   data, len    the payload as len bytes (text and data exclude each other)
 *   opt          the options: NULL = none
 *   src, dst     the addresses: NULL = the peer's, the stack's
 *   urgent       the urgent pointer field (meaningful with SF_TCP_URG)
 *   tclass       the IP TOS / traffic class byte: DSCP << 2 | ECN (RFC 3168 §5)
 *
 * h_send is a macro over a compound literal of struct h_seg, so each field is
 * written at most once and the defaults are applied by h_send_seg, not by a
 * second initializer (which gcc's -Woverride-init would flag).
 */
struct h_seg {
	uint16_t lport;
	uint16_t rport;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t window;
	bool zero_window;
	const char *text;
	const void *data;
	size_t len;
	const struct sf_tcp_options *opt;
	const struct sf_addr *src, *dst; /* NULL = h->peer, h->local */
	uint16_t urgent;                 /* the urgent field, as on the wire */
	uint8_t tclass;                  /* the IP TOS / traffic class byte (its low 2 bits: the ECN field) */
};
#define h_send(h, ...) h_send_seg((h), &(const struct h_seg){ __VA_ARGS__ })
/** Inject the segment seg describes (see struct h_seg for the defaults). */
void h_send_seg(struct harness *h, const struct h_seg *seg);
/** Inject raw bytes as a datagram. */
void h_inject_raw(struct harness *h, const void *dgram, size_t len);

/** Take the next segment the stack sent; fails the test if there is none. */
struct sf_segment h_next(struct harness *h);
/** Assert the next segment has exactly these flags, seq and ack (ack checked only with ACK). */
struct sf_segment h_expect(struct harness *h, uint8_t flags, uint32_t seq, uint32_t ack);
/** The IP datagram length (headers included) of the segment h_next or h_expect took last. */
size_t h_last_len(const struct harness *h);
/** Assert nothing more was sent. */
void h_expect_none(struct harness *h);
/** Number of segments sent and not yet taken. */
size_t h_pending(const struct harness *h);

/** Move virtual time forward by ms, firing timers exactly at their deadlines. */
void h_advance(struct harness *h, uint64_t ms);
/** Move time to the stack's next deadline (fails if none); returns ms moved. */
uint64_t h_advance_to_deadline(struct harness *h);

/** Forget the segments already taken, making room for more (h_last_sent and h_last_len lose them): for long transfers. */
void h_forget_taken(struct harness *h);
/** Take and discard every segment sent so far; returns how many. */
size_t h_drain(struct harness *h);

/** A listener on port (backlog). Returns its handle. */
int h_listen(struct harness *h, uint16_t port, int backlog);
/** Active open from lport (0 = ephemeral) to the peer's rport; returns the handle; takes the SYN and returns its ISN. */
int h_connect(struct harness *h, uint16_t lport, uint16_t rport, uint32_t *iss);
/** The peer's SYN (ISN isn, window 65535, options opt or none) to lport; asserts SYN,ACK <ACK=isn+1>, returns it. */
struct sf_segment h_syn_in(struct harness *h, uint16_t lport, uint32_t isn, const struct sf_tcp_options *opt);
/** The peer's SYN,ACK <SEQ=peer_isn><ACK=iss+1> to lport; asserts our ACK <SEQ=iss+1><ACK=peer_isn+1>, returns it. */
struct sf_segment h_synack_in(struct harness *h, uint16_t lport, uint32_t peer_isn, uint32_t iss, uint16_t window,
			      const struct sf_tcp_options *opt);
/** Drive a passive open to ESTABLISHED (SYN in, SYN+ACK out, ACK in) and accept it. Returns the handle; *iss set. */
int h_accept_new(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, uint32_t *iss);
/** h_accept_new with the peer's SYN carrying opt (NULL: no options) instead of MSS 1460. */
int h_accept_opt(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, const struct sf_tcp_options *opt,
		 uint32_t *iss);
/** The handshake's last ACK <SEQ=peer_isn+1><ACK=iss+1> (window, opt) to lport: nothing sent, accepted, ESTABLISHED. */
int h_complete(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, uint32_t iss, uint16_t window,
	       const struct sf_tcp_options *opt);
/** A listener on port (backlog 8), the peer's passive open (ISN peer_isn) accepted: ESTABLISHED, nothing else sent. */
int h_established(struct harness *h, uint16_t port, uint32_t peer_isn, uint32_t *iss);
/**
 * Close connection s (local port lport, ISN iss, nothing sent yet) first:
 * our FIN, the peer's FIN,ACK at peer_seq acknowledging it, our ACK. The
 * connection is then a TIME-WAIT record; nothing is left to take.
 */
void h_close_to_time_wait(struct harness *h, int s, uint16_t lport, uint32_t iss, uint32_t peer_seq);
/** The local port of handle s (sf_getsockname). */
uint16_t h_local_port(struct harness *h, int s);
/** The TCB behind connection handle s (internal, for checks of the stack's variables). */
struct sf_tcb *h_tcb(struct harness *h, int s);

/** Take every queued readiness event (sf_poll_events); the bits reported for sock, 0 if none. */
uint32_t h_events(struct harness *h, int sock);

/** The bytes of the last segment the stack sent and the test took. */
const struct h_out *h_last_sent(const struct harness *h);
/*
 * An ICMP (family 4) or ICMPv6 error of type/code quoting the first bytes
 * (up to 1200) of dgram, with seq_override (when not 0) written over the
 * quoted TCP sequence number; word is the 4 bytes after type, code and
 * checksum (the MTU of a packet too big). Injected from a router,
 * 198.51.100.7 or 2001:db8:ff::7, to the stack.
 */
void h_icmp_error(struct harness *h, uint8_t type, uint8_t code, const uint8_t *dgram, size_t dlen,
		  uint32_t seq_override, uint32_t word);

/** Whether the trace saw a state change from -> to (on any connection). */
int h_saw_state(const struct harness *h, enum sf_tcp_state from, enum sf_tcp_state to);
/** How many state changes from -> to the trace saw (on all connections). */
size_t h_count_states(const struct harness *h, enum sf_tcp_state from, enum sf_tcp_state to);
/** A counter of the stack (sf_counter_value). */
uint64_t h_counter(const struct harness *h, enum sf_counter_id id);
/** How many datagrams the stack dropped for reason (counters->drops[]). */
uint64_t h_drops(const struct harness *h, enum sf_drop_reason reason);
/** ms on connection s is CLOSED, nothing sent; a millisecond before it was still in state before. */
void h_expect_closed_after(struct harness *h, int s, uint64_t ms, enum sf_tcp_state before);

#endif
