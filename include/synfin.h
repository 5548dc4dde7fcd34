/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file synfin.h
 * synfin — a userspace TCP/IP stack whose heart is TCP connection management.
 *
 * This is the one public header of libsynfin. The library is sans-IO: it never
 * reads a clock, a random source, a socket or a device. Drivers feed it IP
 * datagrams and times and carry away what it emits. It keeps no global mutable
 * state: any number of stacks may live in one process.
 *
 * Errors are reported as negative errno values (as Linux returns them).
 *
 * THE CONTRACT
 *
 * Time. The stack has no clock of its own. Every datagram arrives with a
 * time (sf_input), and time passes when the driver says so (sf_advance);
 * an earlier time than the last one given is taken as the last one, so the
 * stack's clock never runs backwards. sf_next_deadline says when sf_advance
 * must next be called. Socket calls (sf_connect, sf_send, sf_close, ...)
 * act at the stack's current time, sf_now(): the latest time it was given.
 *
 * Output. cfg.output is called synchronously, once per datagram, from inside
 * sf_input, sf_input_end, sf_advance and the socket calls that send
 * (sf_connect, sf_send, sf_recv and sf_recv_flags when they reopen the
 * window, sf_shutdown, sf_close, sf_abort, sf_set_nodelay). The buffer belongs to the stack and is valid only until the
 * callback returns: send or copy it before returning. The same holds for
 * the struct sf_trace_event given to cfg.trace, and for its seg.
 *
 * Re-entry. A callback runs while the stack is part way through a change, so
 * from inside cfg.output or cfg.trace a program may only read: sf_now,
 * sf_next_deadline, sf_stack_counters, sf_state, sf_getsockname,
 * sf_getpeername, sf_get_maxseg, sf_get_bufsizes, sf_queued, sf_poll,
 * sf_urgent_left, sf_soft_error, sf_conn_info, sf_segment_parse, sf_segment_build and the
 * *_name and *_text functions. Every other call with that stack fails with -EBUSY;
 * sf_input drops its datagram (counted as SF_DROP_CALLED_FROM_CALLBACK);
 * sf_advance, sf_input_begin, sf_input_end and sf_stack_free do nothing.
 * To answer a datagram from a callback, queue the work and do it after the
 * call that invoked the callback has returned.
 *
 * Threads. A stack is not locked: use each stack from one thread at a time.
 * Different stacks share nothing and may run on different threads.
 *
 * Configuration. struct sf_config only grows at its end; fill it with
 * sf_config_default (which records its size) and change what you need, so
 * a program built against this header keeps working with later libraries.
 * The secret must be 16 random bytes: an all-zero one is refused unless
 * deterministic_insecure is set (RFC 9293 MUST-9).
 *
 * Ownership. The stack copies what it is given (the configuration, the
 * datagrams, the bytes of sf_send) and keeps no pointer into the caller's
 * memory; sf_stack_free frees everything and sends nothing.
 */
#ifndef SYNFIN_H
#define SYNFIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SYNFIN_BUILDING) && defined(__GNUC__)
#define SF_API __attribute__((visibility("default")))
#else
/** Marks what the shared library exports (every function declared here). */
#define SF_API
#endif

/* ---------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------- */

/**
 * The version of this header. Versions follow Semantic Versioning: before
 * 1.0.0 a minor release may change the API; from 1.0.0 on, only a major one.
 * The shared library's soname names the ABI: libsynfin.so.0.MINOR before
 * 1.0.0, libsynfin.so.MAJOR after.
 */
#define SYNFIN_VERSION_MAJOR 0
#define SYNFIN_VERSION_MINOR 1 /**< the minor version of this header */
#define SYNFIN_VERSION_PATCH 0 /**< the patch version of this header */
#define SYNFIN_VERSION "0.1.0" /**< the version of this header as a string, MAJOR.MINOR.PATCH */
/** The version as one number, for preprocessor comparisons: 0.1.0 is 100. */
#define SYNFIN_VERSION_NUMBER (SYNFIN_VERSION_MAJOR * 10000 + SYNFIN_VERSION_MINOR * 100 + SYNFIN_VERSION_PATCH)

/**
 * The version of the library the program runs with ("0.1.0"), which may be
 * newer than the header it was built with (SYNFIN_VERSION).
 */
SF_API const char *sf_version(void);

/* ---------------------------------------------------------------------------
 * Addresses
 * ------------------------------------------------------------------------- */

/** Address family tags used in struct sf_addr. */
enum sf_family {
	SF_AF_NONE = 0, /**< no address (unset) */
	SF_AF_INET = 4,  /**< IPv4: the address is in bytes[0..3] */
	SF_AF_INET6 = 6, /**< IPv6: the address is in bytes[0..15] */
};

/** An IPv4 or IPv6 address. Unused bytes are zero so that memcmp compares. */
struct sf_addr {
	uint8_t family; /**< enum sf_family */
	uint8_t bytes[16]; /**< the address in network byte order, the unused bytes zero */
};

/** An address and a TCP port (host byte order). */
struct sf_endpoint {
	struct sf_addr addr; /**< the IP address */
	uint16_t port;      /**< the TCP port, in host byte order */
};

/** Build an IPv4 address from its four dotted-quad parts. */
SF_API struct sf_addr sf_addr_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/** Build an IPv6 address from its 16 bytes in network order. */
SF_API struct sf_addr sf_addr_v6(const uint8_t bytes[16]);
/**
 * Parse a textual address ("192.0.2.1" or "2001:db8::1").
 * Returns 0 on success, -EINVAL if the text is not an address.
 */
SF_API int sf_addr_parse(const char *text, struct sf_addr *out);
/**
 * Format an address into buf (at least 46 bytes for IPv6).
 * Returns the string length, or -ENOSPC if buf is too small.
 */
SF_API int sf_addr_format(const struct sf_addr *addr, char *buf, size_t cap);

/* ---------------------------------------------------------------------------
 * Drop reasons
 *
 * Every datagram the stack discards is counted under exactly one of these
 * reasons and reported through the trace hook. The list is an X-macro so that
 * the enum and the names can never disagree.
 * ------------------------------------------------------------------------- */
/**
 * The drop reasons, one X(NAME, text) each: enum sf_drop_reason has SF_DROP_NAME
 * for each, sf_drop_reason_name gives NAME, sf_drop_reason_text the text.
 */
#define SF_DROP_REASONS(X)                                                              \
	X(NONE, "not dropped")                                                          \
	/* IP layer */                                                                  \
	X(TRUNCATED, "datagram shorter than its IP header")                             \
	X(IP_VERSION, "IP version is neither 4 nor 6")                                  \
	X(IPV4_IHL, "IPv4 header length below 5 words or past the datagram")            \
	X(IP_LENGTH, "IP total/payload length disagrees with the datagram size")        \
	X(IPV4_CHECKSUM, "IPv4 header checksum is wrong")                               \
	X(IPV4_FRAGMENT, "IPv4 fragment: not a whole datagram, sf_input reassembles it (RFC 791 §3.2)") \
	X(IPV4_OPTIONS, "IPv4 options malformed (RFC 791 §3.1)")                        \
	X(IPV4_SOURCE_ROUTE, "IPv4 source route option: dropped (RFC 7126 §4.3, §4.4)") \
	X(IPV6_EXT_HEADER, "IPv6 extension header not handled (ESP, AH, ..., routing with segments left)") \
	X(IPV6_EXT_MALFORMED, "IPv6 extension header past the datagram, Hop-by-Hop not first, or a second Fragment header (RFC 8200 §4)") \
	X(IPV6_OPTION, "IPv6 option whose type says to discard the datagram (RFC 8200 §4.2)") \
	X(IPV6_FRAGMENT, "IPv6 fragment: not a whole datagram, sf_input reassembles it (RFC 8200 §4.5)") \
	X(IPV6_EXT_CHAIN_LONG, "more than 8 IPv6 extension headers in one datagram")  \
	X(IPV6_ROUTING_TYPE0, "IPv6 type 0 Routing header with segments left: deprecated (RFC 5095 §3)") \
	X(FRAG_BAD_LENGTH, "fragment but the last whose data is not a positive multiple of 8 bytes (RFC 791, RFC 8200 §4.5)") \
	X(FRAG_TOO_LONG, "fragment ending past the largest datagram: 65535 bytes (RFC 791, RFC 8200 §4.5)") \
	X(FRAG_HEADERS_INCOMPLETE, "first IPv6 fragment without every header up to the upper-layer one (RFC 7112, RFC 8200 §4.5)") \
	X(NOT_TCP, "IP protocol synfin lacks (neither TCP nor ICMP): protocol unreachable or parameter problem sent (RFC 1122 §3.2.2.1, RFC 8200 §4), none for No Next Header") \
	X(MARTIAN_SOURCE, "source address is unspecified, multicast, broadcast or loopback from elsewhere") \
	X(MARTIAN_DEST, "destination address is unspecified, multicast or broadcast")   \
	/* TCP header */                                                                \
	X(TCP_TRUNCATED, "TCP segment shorter than 20 bytes")                           \
	X(TCP_DATA_OFFSET, "TCP data offset below 5 or past the segment end")           \
	X(TCP_CHECKSUM, "TCP checksum is wrong")                                        \
	X(TCP_PORT_ZERO, "TCP source or destination port is zero")                      \
	X(TCP_FLAGS_SYN_RST, "SYN and RST together")                                    \
	/* TCP options */                                                               \
	X(TCP_OPT_LENGTH, "TCP option length 0 or 1, or option runs past the header")   \
	X(TCP_OPT_MSS, "MSS option with a length other than 4")                         \
	X(TCP_OPT_WSCALE, "window scale option with a length other than 3")             \
	X(TCP_OPT_SACK_PERM, "SACK-permitted option with a length other than 2")        \
	X(TCP_OPT_SACK, "SACK option length is not 2 + 8n with 1 <= n <= 4")            \
	X(TCP_OPT_TIMESTAMP, "timestamp option with a length other than 10")            \
	/* ICMP and ICMPv6 errors (RFC 792, RFC 4443) */                                \
	X(ICMP_TRUNCATED, "ICMP message shorter than its 8-byte header")                \
	X(ICMP_CHECKSUM, "ICMP checksum is wrong")                                      \
	X(ICMP_NOT_AN_ERROR, "ICMP message neither an echo request nor an error about TCP (echo reply, redirect, ...)") \
	X(ICMP_QUOTE, "ICMP error quoting no TCP segment of ours")                      \
	X(ICMP_SOURCE_QUENCH, "ICMP source quench: discarded (RFC 9293 MUST-55)")       \
	X(ICMP_PACKET_TOO_BIG, "ICMP packet too big reporting no smaller MTU than the path's (RFC 8201 §4)") \
	X(ICMP_PMTU_BELOW_MINIMUM, "ICMPv6 packet too big reporting an MTU below 1280 (RFC 8201 §4)") \
	X(ICMP_CONNECTION_BUDGET, "ICMP error past its connection's budget of 10 a second (RFC 5927)") \
	X(ICMP_NO_CONNECTION, "ICMP error for no connection or embryo of ours")         \
	X(ICMP_SEQ_OUT_OF_WINDOW, "ICMP error quoting a sequence number outside [SND.UNA, SND.NXT) (RFC 5927)") \
	X(ICMP_ERROR_BUDGET, "ICMP error about TCP past icmp_error_rate: not acted on (RFC 5927 §4.3)") \
	X(ICMP_RATE_LIMITED, "echo request not answered: ICMP output past icmp_rate (as Linux's icmp_msgs_per_sec)") \
	/* IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5, RFC 5722) */            \
	X(REASM_OVERLAP, "fragment overlapping another of its datagram: the whole datagram discarded (RFC 5722 §4)") \
	X(REASM_DISCARDED, "fragment of a datagram discarded for an overlap, until its reassembly timeout (RFC 5722 §4)") \
	X(REASM_DUPLICATE, "fragment with the offset and length of one held: dropped alone")        \
	X(REASM_INCONSISTENT, "fragment past the end a last fragment set, or a second last fragment: datagram discarded") \
	X(REASM_TIMEOUT, "fragment of a datagram not whole within the reassembly timeout (30 s IPv4, 60 s IPv6)") \
	X(REASM_EVICTED, "fragment of the oldest incomplete datagram, dropped to keep reassembly under its memory caps") \
	X(REASM_NO_ROOM, "fragment that no eviction makes room for under reasm_max_bytes (0: reassembly off)") \
	X(REASM_NO_MEMORY, "no memory to hold a fragment")                              \
	/* Demux and connection state (RFC 9293 §3.10.7) */                             \
	X(NOT_LOCAL, "destination address is not one of this stack's")                  \
	X(SOURCE_IS_OURS, "source address is this stack's own: LAND or a loop (RFC 1122 §3.2.1.3)") \
	X(NO_CONNECTION, "no connection, listener or TIME-WAIT record (§3.10.7.1)")     \
	X(LISTEN_RST, "RST to a listener (§3.10.7.2)")                                  \
	X(LISTEN_ACK, "ACK to a listener, answered with RST (§3.10.7.2)")               \
	X(SYN_COOKIE_INVALID, "ACK to a listener with SYN cookies out, not one of them: dropped without RST, as it may be a later segment of a cookie's connection (RFC 4987 §3.6)") \
	X(LISTEN_NO_SYN, "neither SYN, ACK nor RST to a listener (§3.10.7.2)")          \
	X(LISTEN_SYN_FIN, "SYN and FIN together to a listener (as Linux)")              \
	X(LISTEN_OVERFLOW, "accept queue full (backlog reached)")                       \
	X(SYN_QUEUE_FULL, "SYN queue full: syn_backlog reached")                        \
	X(LISTENER_GONE, "the embryo's listener was closed")                            \
	X(NO_MEMORY, "no memory for a new connection")                                  \
	X(SYN_SENT_BAD_ACK, "SYN-SENT: ACK outside (ISS, SND.NXT] (§3.10.7.3)")         \
	X(SYN_SENT_NO_SYN, "SYN-SENT: neither SYN nor RST (§3.10.7.3)")                 \
	X(SYN_SENT_RST_NO_ACK, "SYN-SENT: RST without an acceptable ACK (§3.10.7.3)")   \
	X(SYN_IN_EMBRYO_WINDOW, "SYN in an embryo's window: back to LISTEN (§3.10.7.4)") \
	X(SEQ_UNACCEPTABLE, "sequence number outside the receive window (§3.10.7.4)")   \
	X(RST_CHALLENGED, "in-window RST not at RCV.NXT: challenge ACK (RFC 5961 §3)")  \
	X(SYN_CHALLENGED, "SYN in a synchronized state: challenge ACK (RFC 5961 §4)")   \
	X(ACK_CHALLENGED, "ACK outside [SND.UNA-MAX.SND.WND, SND.NXT] (RFC 5961 §5)")   \
	X(NO_ACK, "ACK bit off in a synchronized state (§3.10.7.4)")                    \
	X(SYN_RECEIVED_BAD_ACK, "SYN-RECEIVED: ACK not of our SYN, answered with RST")  \
	X(DATA_AFTER_FIN, "text after the peer's FIN (§3.10.7.4 seventh)")              \
	X(TIME_WAIT_RST, "RST in TIME-WAIT ignored (RFC 1337)")                         \
	X(TIME_WAIT_ACKED, "segment to TIME-WAIT: ACKed (§3.10.7.4)")                   \
	X(TIME_WAIT_ACK, "bare ACK at RCV.NXT to TIME-WAIT: 2MSL restarted, not answered") \
	X(TIME_WAIT_SYN, "SYN to TIME-WAIT not allowed to reopen it: ACKed")            \
	X(OUT_OF_ORDER_FULL, "out-of-order data past the reassembly map's capacity")    \
	X(PAWS, "timestamp older than TS.Recent: old duplicate (RFC 7323 §5.3)")        \
	X(TS_MISSING, "no timestamp on a connection that agreed to them (RFC 7323 §3.2)") \
	/* The API */                                                                   \
	X(CALLED_FROM_CALLBACK, "sf_input called from inside a callback: ignored")

/** Why a datagram was dropped: SF_DROP_ and each name SF_DROP_REASONS lists, in its order, then SF_DROP__COUNT. */
enum sf_drop_reason {
#define SF_DROP_ENUM_(name, text) SF_DROP_##name,
	SF_DROP_REASONS(SF_DROP_ENUM_)
#undef SF_DROP_ENUM_
	SF_DROP__COUNT
};

/** The short name of a drop reason ("TCP_CHECKSUM"), or "?" if out of range. */
SF_API const char *sf_drop_reason_name(enum sf_drop_reason reason);
/** A one-line description of a drop reason. */
SF_API const char *sf_drop_reason_text(enum sf_drop_reason reason);


/* ---------------------------------------------------------------------------
 * Segments as the trace hook reports them (the parsed wire fields).
 * ------------------------------------------------------------------------- */

/** TCP header flags (RFC 9293 §3.1; ECE/CWR from RFC 3168). */
enum {
	SF_TCP_FIN = 0x01,
	SF_TCP_SYN = 0x02,
	SF_TCP_RST = 0x04,
	SF_TCP_PSH = 0x08,
	SF_TCP_ACK = 0x10,
	SF_TCP_URG = 0x20,
	SF_TCP_ECE = 0x40,
	SF_TCP_CWR = 0x80,
};

/** The most SACK blocks a segment carries (RFC 2018 §3: at most 4 in 40 bytes of options). */
#define SF_TCP_MAX_SACK_BLOCKS 4

/** One SACK block (RFC 2018 §3): received data beyond a hole. */
struct sf_sack_block {
	uint32_t left;  /**< first sequence number of the block */
	uint32_t right; /**< sequence number just past the block */
};

/** TCP options as parsed from, or to be written to, a segment. */
struct sf_tcp_options {
	uint8_t has_mss;        /**< 1: the MSS option is present (mss) */
	uint8_t has_wscale;     /**< 1: the window scale option is present (wscale) */
	uint8_t sack_permitted; /**< 1: the SACK-permitted option is present (RFC 2018 §2) */
	uint8_t has_timestamp;  /**< 1: the timestamp option is present (ts_val, ts_ecr) */
	uint16_t mss;           /**< maximum segment size (RFC 9293 §3.7.1) */
	uint8_t wscale; /**< as received; users clamp to 14 (RFC 7323 §2.3) */
	uint8_t sack_count;     /**< how many of sack[] are used, 0 without a SACK option */
	uint32_t ts_val;        /**< TSval (RFC 7323 §3.2) */
	uint32_t ts_ecr;        /**< TSecr (RFC 7323 §3.2) */
	struct sf_sack_block sack[SF_TCP_MAX_SACK_BLOCKS]; /**< the SACK blocks (RFC 2018 §3) */
};

/** One TCP segment with its IP addressing. */
struct sf_segment {
	struct sf_addr src; /**< IP source address */
	struct sf_addr dst; /**< IP destination address */
	uint16_t sport;     /**< TCP source port */
	uint16_t dport;     /**< TCP destination port */
	uint32_t seq;       /**< sequence number */
	uint32_t ack;       /**< acknowledgment number (meaningful with SF_TCP_ACK) */
	uint8_t flags;   /**< SF_TCP_* */
	uint16_t window; /**< as on the wire, unscaled */
	uint16_t urgent; /**< urgent pointer (meaningful with SF_TCP_URG) */
	uint8_t ttl;     /**< IPv4 TTL or IPv6 hop limit */
	uint8_t tclass;  /**< IPv4 TOS / IPv6 traffic class: DSCP << 2 | ECN (RFC 2474, RFC 3168) */
	struct sf_tcp_options opt; /**< the TCP options */
	const uint8_t *payload;    /**< the segment's data (payload_len bytes) */
	size_t payload_len;        /**< bytes of data */
};

/**
 * Parse and check an IP datagram carrying TCP exactly as sf_input does
 * (every length, checksum and option; never a read outside dgram[0..len)).
 * SF_DROP_NONE with *seg filled (seg->payload points into dgram), or the
 * reason sf_input would drop it (SF_DROP_TRUNCATED for a NULL seg, or a NULL
 * dgram with len > 0). For drivers, capture tools and tests.
 */
SF_API enum sf_drop_reason sf_segment_parse(const void *dgram, size_t len, struct sf_segment *seg);
/**
 * Build the IP datagram for seg into buf (IPv4 with DF, or IPv6; TTL or hop
 * limit seg->ttl, 64 if 0; TOS / traffic class seg->tclass; both checksums
 * computed). The datagram's length,
 * or 0 if it does not fit in cap, the options do not fit in 40 bytes, or the
 * addresses' families differ or are unset.
 */
SF_API size_t sf_segment_build(void *buf, size_t cap, const struct sf_segment *seg);

/* ---------------------------------------------------------------------------
 * TCP states (RFC 9293 §3.3.2), with the RFC's names.
 * ------------------------------------------------------------------------- */
/** The TCP states, one X(NAME, text) each: SF_NAME in enum sf_tcp_state, text its RFC name. */
#define SF_TCP_STATES(X)                                                                \
	X(CLOSED, "CLOSED")                                                             \
	X(LISTEN, "LISTEN")                                                             \
	X(SYN_SENT, "SYN-SENT")                                                         \
	X(SYN_RECEIVED, "SYN-RECEIVED")                                                 \
	X(ESTABLISHED, "ESTABLISHED")                                                   \
	X(FIN_WAIT_1, "FIN-WAIT-1")                                                     \
	X(FIN_WAIT_2, "FIN-WAIT-2")                                                     \
	X(CLOSE_WAIT, "CLOSE-WAIT")                                                     \
	X(CLOSING, "CLOSING")                                                           \
	X(LAST_ACK, "LAST-ACK")                                                         \
	X(TIME_WAIT, "TIME-WAIT")

/** A TCP state (RFC 9293 §3.3.2): SF_NAME for each X(NAME, text) of SF_TCP_STATES, SF_CLOSED first. */
enum sf_tcp_state {
#define SF_STATE_ENUM_(name, text) SF_##name,
	SF_TCP_STATES(SF_STATE_ENUM_)
#undef SF_STATE_ENUM_
	SF_STATE__COUNT
};

/** The RFC name of a state ("SYN-RECEIVED"), or "?" if out of range. */
SF_API const char *sf_state_name(enum sf_tcp_state state);

/** One arrow of RFC 9293 Figure 5, with the event the figure writes on it. */
struct sf_transition {
	enum sf_tcp_state from, to; /**< the arrow's ends: from one state to another */
	const char *event;          /**< the event as the figure writes it */
};
/**
 * Figure 5's arrows, including Note 2 (FIN-WAIT-1 -> TIME-WAIT when a FIN
 * comes with the ACK of ours); *count is set to how many. Note 3 (a RST or
 * ABORT takes any state to CLOSED) is not listed arrow by arrow:
 * sf_transition_allowed adds it. Every state change synfin makes, and
 * reports through the trace hook, is one of these.
 */
SF_API const struct sf_transition *sf_transitions(size_t *count);
/** 1 if from -> to is an arrow of Figure 5 or a Note 3 move to CLOSED, else 0. */
SF_API int sf_transition_allowed(enum sf_tcp_state from, enum sf_tcp_state to);

/* ---------------------------------------------------------------------------
 * Why a connection changed state (SF_TRACE_STATE events carry one) or its
 * path MTU (SF_TRACE_PATH_MTU). Each has a short name ("RCV_SYN") and the
 * words the trace and the demo print ("rcv SYN"); other events carry
 * SF_CAUSE_NONE.
 * ------------------------------------------------------------------------- */
/** The causes, one X(NAME, text) each: SF_CAUSE_NAME in enum sf_cause, sf_cause_name and sf_cause_text. */
#define SF_CAUSES(X)                                                                    \
	X(NONE, "")                                                                     \
	X(CONNECT, "connect()")                                                         \
	X(LISTEN, "listen()")                                                           \
	X(CLOSE, "close()")                                                             \
	X(SHUTDOWN, "shutdown(SHUT_WR)")                                                \
	X(ABORT, "abort()")                                                             \
	X(CLOSE_UNREAD, "close() with unread data")                                     \
	X(CLOSE_LINGER_ZERO, "close() with SO_LINGER {1,0}")                            \
	X(QUEUED_CLOSE, "queued close")                                                 \
	X(RCV_SYN, "rcv SYN")                                                           \
	X(RCV_SYN_SIMULTANEOUS, "rcv SYN (simultaneous open)")                          \
	X(RCV_SYN_IN_WINDOW, "rcv SYN in window")                                       \
	X(RCV_SYNACK, "rcv SYN,ACK")                                                    \
	X(RCV_ACK_OF_SYN, "rcv ACK of SYN")                                             \
	X(RCV_FIN, "rcv FIN")                                                           \
	X(RCV_FIN_SIMULTANEOUS, "rcv FIN (simultaneous close)")                         \
	X(RCV_FIN_OUR_FIN_ACKED, "rcv FIN (our FIN ACKed)")                             \
	X(RCV_ACK_OF_FIN, "rcv ACK of FIN")                                             \
	X(RCV_RST, "rcv RST")                                                           \
	X(RCV_RST_SYN_SENT, "rcv RST in SYN-SENT")                                      \
	X(RCV_RST_SYN_RECEIVED, "rcv RST in SYN-RECEIVED")                              \
	X(RCV_RST_TIME_WAIT, "rcv RST (TIME-WAIT assassinated)")                        \
	X(DATA_AFTER_CLOSE, "data after close")                                         \
	X(RETRANSMISSION_LIMIT, "retransmission limit")                                 \
	X(PROBES_UNANSWERED, "zero-window probes unanswered")                           \
	X(KEEPALIVE_TIMEOUT, "keepalive: peer silent")                                  \
	X(FIN_TIMEOUT, "fin_timeout in FIN-WAIT-2")                                     \
	X(TIME_WAIT_DONE, "2MSL timeout")                                               \
	X(TIME_WAIT_REOPENED, "new SYN reopens the 4-tuple (RFC 6191)")                 \
	X(TIME_WAIT_NO_MEMORY, "no memory for TIME-WAIT")                               \
	X(LISTENER_CLOSED, "listener closed")                                           \
	X(SYNACK_RETRIES, "SYN,ACK retries exhausted")                                  \
	X(ACCEPT_QUEUE_FULL, "accept queue full (abort_on_overflow)")                   \
	X(SYN_QUEUE_RECYCLED, "recycled: SYN queue full (syn_queue_recycle)")            \
	X(SYN_COOKIE, "rcv ACK of SYN cookie")                                          \
	X(ICMP_UNREACHABLE, "ICMP destination unreachable (a hard error)")              \
	/* Why a connection's path MTU changed (SF_TRACE_PATH_MTU) */                    \
	X(PMTU_ICMP, "ICMP fragmentation needed / packet too big")                      \
	X(PMTU_BLACK_HOLE, "full-size segments lost to R1 timeouts: black hole")         \
	X(PMTU_PROBE_ACKED, "path MTU probe acknowledged")                              \
	X(PMTU_AGED, "learned path MTU aged out (RFC 1191 §6.3)")

/** Why a connection changed state or path MTU: SF_CAUSE_NAME for each X(NAME, text) of SF_CAUSES. */
enum sf_cause {
#define SF_CAUSE_ENUM_(name, text) SF_CAUSE_##name,
	SF_CAUSES(SF_CAUSE_ENUM_)
#undef SF_CAUSE_ENUM_
	SF_CAUSE__COUNT
};

/** The short name of a cause ("RCV_SYN"), or "?" if out of range. */
SF_API const char *sf_cause_name(enum sf_cause cause);
/** The words for a cause ("rcv SYN"), or "?" if out of range. */
SF_API const char *sf_cause_text(enum sf_cause cause);

/* ---------------------------------------------------------------------------
 * Counters, named as in the TCP-MIB (RFC 4022) and Linux's nstat.
 * ------------------------------------------------------------------------- */
/** The counters, one X(Name, text) each: a field of struct sf_counters and SF_CTR_Name in enum sf_counter_id. */
#define SF_COUNTERS(X)                                                                  \
	X(ActiveOpens, "connections that went SYN-SENT (active open)")                  \
	X(PassiveOpens, "connections that went SYN-RECEIVED -> ESTABLISHED from a listener") \
	X(AttemptFails, "SYN-SENT/SYN-RECEIVED -> CLOSED, or SYN-RECEIVED -> LISTEN")   \
	X(EstabResets, "ESTABLISHED/CLOSE-WAIT -> CLOSED by a RST")                     \
	X(CurrEstab, "connections now in ESTABLISHED or CLOSE-WAIT (a gauge)")          \
	X(InSegs, "segments received, including those in error")                        \
	X(OutSegs, "segments sent, excluding retransmissions")                          \
	X(RetransSegs, "segments retransmitted")                                        \
	X(InErrs, "segments received in error (bad checksum, malformed)")               \
	X(IcmpInDestUnreachs, "ICMP destination unreachable messages about TCP")         \
	X(IcmpInTimeExcds, "ICMP time exceeded messages about TCP")                     \
	X(IcmpInParmProbs, "ICMP parameter problem messages about TCP")                 \
	X(IcmpInSrcQuenchs, "ICMP source quench messages (discarded, MUST-55)")         \
	X(Icmp6InDestUnreachs, "ICMPv6 destination unreachable messages about TCP")     \
	X(Icmp6InPktTooBigs, "ICMPv6 packet too big messages about TCP")                \
	X(Icmp6InTimeExcds, "ICMPv6 time exceeded messages about TCP")                  \
	X(Icmp6InParmProblems, "ICMPv6 parameter problem messages about TCP")           \
	X(OutRsts, "segments sent with RST")                                            \
	X(InRsts, "segments received with RST")                                         \
	X(ListenOverflows, "SYNs or final ACKs dropped because the accept queue was full") \
	X(ListenDrops, "SYNs or final ACKs a listener dropped for any reason")          \
	X(TCPReqQFullDrop, "SYNs dropped because the SYN queue was full")               \
	X(TCPReqQRecycled, "embryos dropped to make room for a new SYN (syn_queue_recycle)") \
	X(SyncookiesSent, "SYN,ACKs sent with a SYN cookie instead of an embryo (RFC 4987 §3.6)") \
	X(SyncookiesRecv, "ACKs that carried a valid SYN cookie")                       \
	X(SyncookiesFailed, "ACKs to a listener that had sent cookies, with none valid") \
	X(TW, "TIME-WAIT records that ran their 2MSL to the end")                       \
	X(TWRecycled, "TIME-WAIT 4-tuples reopened by a new SYN (RFC 6191)")            \
	X(TWKilled, "TIME-WAIT records ended early by a RST (rfc1337 off)")             \
	X(TCPTWRstIgnored, "RSTs ignored in TIME-WAIT (RFC 1337)")                      \
	X(TCPAbortOnClose, "connections reset because close() left unread data")        \
	X(TCPAbortOnData, "connections reset because data arrived after close()")       \
	X(TCPAbortOnLinger, "connections reset by close() with SO_LINGER {1,0}")        \
	X(TCPAbortOnTimeout, "connections dropped after too many retransmissions")      \
	X(TCPAbortOnUser, "connections reset by sf_abort()")                            \
	X(TCPChallengeACK, "challenge ACKs sent (RFC 5961)")                            \
	X(TCPSYNChallenge, "challenge ACKs sent for a SYN in a synchronized state")     \
	X(TCPChallengeACKLimited, "challenge ACKs suppressed by the per-connection limit") \
	X(TCPTimeouts, "retransmission timer expirations")                              \
	X(TCPSynRetrans, "SYN and SYN+ACK retransmissions")                             \
	X(TCPKeepAliveProbes, "keepalive probes sent")                                  \
	X(TCPOFOQueue, "segments held out of order for reassembly")                     \
	X(TCPFastRetrans, "segments sent again by fast retransmit / loss recovery")     \
	X(TCPRenoRecovery, "NewReno fast recoveries entered (RFC 6582)")                \
	X(TCPSackRecovery, "SACK-based loss recoveries entered (RFC 6675)")             \
	X(TCPSACKDiscard, "SACK blocks ignored as out of range or reversed")            \
	X(TCPECNReduce, "congestion window reductions for an ECN-Echo (RFC 3168 §6.1.2)") \
	X(InCEPkts, "datagrams received marked CE, congestion experienced (RFC 3168 §5; Linux's IpExt)") \
	X(TCPWinProbe, "zero-window probes sent")                                       \
	X(PMTUDecreases, "path MTUs lowered by ICMP fragmentation needed / packet too big") \
	X(TCPMTUPBlackHole, "full-size segments lost to R1 timeouts in a row: segments sized down (RFC 4821)") \
	X(TCPMTUPSuccess, "path MTU probes acknowledged: segments sized up (RFC 4821)")  \
	X(TCPMTUPFail, "path MTU probes lost (RFC 4821)")                               \
	X(TCPDelayedACKs, "ACKs sent by the delayed-ACK timer")                         \
	X(TCPKeepAliveTimeouts, "connections dropped by keepalive")                     \
	X(TCPFinWait2Timeouts, "orphaned FIN-WAIT-2 connections ended by fin_timeout")  \
	X(TCPOrphans, "connections closed by the application and not yet gone")         \
	X(TimeWaitCurrent, "TIME-WAIT records now held (a gauge)")                      \
	X(SynRecvCurrent, "embryos (SYN-RECEIVED records) now held (a gauge)")          \
	X(InDrops, "datagrams dropped for any named reason (see the drop reasons)")   \
	/* The IP-MIB (RFC 4293 ipSystemStats*, icmpStats*, icmpMsgStats*), with   \
	 * Linux's nstat names; Ip* count IPv4, Ip6* IPv6. A datagram whose first  \
	 * four bits are neither 4 nor 6 is in none of them. */                    \
	X(IpInReceives, "IPv4 datagrams given to sf_input (not from a callback), those in error included") \
	X(IpInHdrErrors, "IPv4 datagrams dropped for their IP header: truncated, bad length, IHL or checksum, malformed or source-route options, a martian source") \
	X(IpInAddrErrors, "IPv4 datagrams dropped for their destination: not unicast, or not one of this stack's addresses") \
	X(IpInUnknownProtos, "IPv4 datagrams to one of our addresses for a protocol synfin lacks (neither TCP nor ICMP)") \
	X(IpInDelivers, "IPv4 datagrams to one of our addresses handed to TCP or ICMP, those they find in error included") \
	X(IpOutRequests, "IPv4 datagrams handed to cfg.output (TCP segments and ICMP messages alike)") \
	X(Ip6InReceives, "IPv6 datagrams given to sf_input (not from a callback), those in error included") \
	X(Ip6InHdrErrors, "IPv6 datagrams dropped for their IP header: truncated, bad length, malformed or unhandled extension headers, an option to discard, a martian source") \
	X(Ip6InAddrErrors, "IPv6 datagrams dropped for their destination: not unicast, or not one of this stack's addresses") \
	X(Ip6InUnknownProtos, "IPv6 datagrams to one of our addresses whose next header synfin lacks (neither TCP, ICMPv6 nor No Next Header)") \
	X(Ip6InDelivers, "IPv6 datagrams to one of our addresses handed to TCP or ICMPv6 (or ending in No Next Header), those found in error included") \
	X(Ip6OutRequests, "IPv6 datagrams handed to cfg.output (TCP segments and ICMPv6 messages alike)") \
	X(IcmpInMsgs, "ICMP messages to one of our addresses, IcmpInErrors included")  \
	X(IcmpInErrors, "ICMP messages dropped as truncated (under 8 bytes) or with a wrong checksum") \
	X(IcmpInEchos, "ICMP echo requests received (checksum right), answered or not") \
	X(IcmpOutMsgs, "ICMP messages sent")                                            \
	X(IcmpOutEchoReps, "ICMP echo replies sent")                                    \
	X(IcmpOutDestUnreachs, "ICMP destination unreachable messages sent")           \
	X(IcmpOutTimeExcds, "ICMP time exceeded messages sent")                         \
	X(IcmpOutParmProbs, "ICMP parameter problem messages sent")                     \
	X(IcmpOutRateLimitGlobal, "ICMP and ICMPv6 messages not sent: past icmp_rate (one bucket for both, as Linux)") \
	X(Icmp6InMsgs, "ICMPv6 messages to one of our addresses, Icmp6InErrors included") \
	X(Icmp6InErrors, "ICMPv6 messages dropped as truncated (under 8 bytes) or with a wrong checksum") \
	X(Icmp6InEchos, "ICMPv6 echo requests received (checksum right), answered or not") \
	X(Icmp6OutMsgs, "ICMPv6 messages sent")                                         \
	X(Icmp6OutEchoReplies, "ICMPv6 echo replies sent")                              \
	X(Icmp6OutDestUnreachs, "ICMPv6 destination unreachable messages sent")        \
	X(Icmp6OutTimeExcds, "ICMPv6 time exceeded messages sent")                      \
	X(Icmp6OutParmProblems, "ICMPv6 parameter problem messages sent") \
	X(IpReasmReqds, "IPv4 fragments received for reassembly (RFC 4293 ipSystemStatsReasmReqds)") \
	X(IpReasmOKs, "IPv4 datagrams reassembled")                                     \
	X(IpReasmFails, "IPv4 reassembly failures: datagrams given up (timeout, overlap, eviction) and fragments refused") \
	X(IpReasmTimeout, "IPv4 datagrams whose reassembly timed out (30 s)")           \
	X(Ip6ReasmReqds, "IPv6 fragments received for reassembly")                      \
	X(Ip6ReasmOKs, "IPv6 datagrams reassembled")                                    \
	X(Ip6ReasmFails, "IPv6 reassembly failures: datagrams given up (timeout, overlap, eviction) and fragments refused") \
	X(Ip6ReasmTimeout, "IPv6 datagrams whose reassembly timed out (60 s)")

/** The stack's counters (sf_stack_counters): one uint64_t for each X(Name, text) of SF_COUNTERS, then drops. */
struct sf_counters {
#define SF_COUNTER_FIELD_(name, text) uint64_t name;
	SF_COUNTERS(SF_COUNTER_FIELD_)
#undef SF_COUNTER_FIELD_
	/** Datagrams dropped, per reason (index: enum sf_drop_reason). */
	uint64_t drops[SF_DROP__COUNT];
};

/** A counter by id: SF_CTR_Name for each X(Name, text) of SF_COUNTERS (sf_counter_name, sf_counter_value). */
enum sf_counter_id {
#define SF_COUNTER_ID_(name, text) SF_CTR_##name,
	SF_COUNTERS(SF_COUNTER_ID_)
#undef SF_COUNTER_ID_
	SF_CTR__COUNT
};

/** The name of a counter ("ListenOverflows"), or "?" if out of range. */
SF_API const char *sf_counter_name(enum sf_counter_id id);
/** The value of a counter by id (0 if out of range). */
SF_API uint64_t sf_counter_value(const struct sf_counters *counters, enum sf_counter_id id);

/* ---------------------------------------------------------------------------
 * The stack
 * ------------------------------------------------------------------------- */
/** A stack: opaque, made by sf_stack_new and freed by sf_stack_free. */
typedef struct sf_stack sf_stack;

/** Receives every datagram the stack sends. The buffer is the stack's, valid only during the call (see THE CONTRACT). */
typedef void (*sf_output_fn)(void *ctx, const uint8_t *dgram, size_t len);

/** What a trace event reports. */
enum sf_trace_kind {
	SF_TRACE_SEGMENT_IN,  /**< a valid segment arrived (seg) */
	SF_TRACE_SEGMENT_OUT, /**< a segment was sent (seg; retransmit says if again) */
	SF_TRACE_STATE,       /**< a connection changed state (old_state -> new_state, cause) */
	SF_TRACE_TIMER,       /**< a timer fired (timer) */
	SF_TRACE_DROP,        /**< a datagram was dropped (drop; seg if it parsed) */
	/**
	 * Negative advice to the IP layer (RFC 9293 §3.8.3 (b), RFC 1122
	 * §3.3.1.4): a retransmission of the same segment at or past R1, so the
	 * path to remote may be dead. synfin has no routes: the IP layer that
	 * chooses gateways is the driver's, and this event is how the advice
	 * reaches it (a driver that routes may try another gateway). sock is -1
	 * for an embryo's SYN,ACK.
	 */
	SF_TRACE_NEGATIVE_ADVICE,
	/** The path MTU a connection sizes its segments by changed (mtu; cause: why). */
	SF_TRACE_PATH_MTU,
};

/** Timers the trace hook names. */
#define SF_TIMERS(X)                                                                    \
	X(RETRANSMIT, "retransmit")                                                     \
	X(TIME_WAIT, "2MSL")                                                            \
	X(FIN_WAIT_2, "fin_timeout")                                                    \
	X(KEEPALIVE, "keepalive")                                                       \
	X(SYNACK, "SYN+ACK retransmit")                                                  \
	X(DELACK, "delayed ACK")                                                        \
	X(PERSIST, "zero-window probe")

/** A timer: SF_TIMER_NAME for each X(NAME, text) of SF_TIMERS. */
enum sf_timer_kind {
#define SF_TIMER_ENUM_(name, text) SF_TIMER_##name,
	SF_TIMERS(SF_TIMER_ENUM_)
#undef SF_TIMER_ENUM_
	SF_TIMER__COUNT
};

/** The words for a timer ("2MSL"), or "?" if out of range. */
SF_API const char *sf_timer_name(enum sf_timer_kind timer);

/** What the trace hook (cfg.trace) is given; which fields count depends on kind. Valid only during the call (see THE CONTRACT). */
struct sf_trace_event {
	enum sf_trace_kind kind; /**< what happened */
	uint64_t now_ns;         /**< the stack's time when it happened */
	int sock;                        /**< handle, or -1 (embryo, TIME-WAIT, no connection) */
	const struct sf_segment *seg;    /**< for SEGMENT_IN/OUT and DROP (NULL if it did not parse) */
	int retransmit;                  /**< SEGMENT_OUT: 1 if this is a retransmission */
	int mtu_probe;                   /**< SEGMENT_OUT: 1 if this is a path MTU probe (RFC 4821 §7.5) */
	enum sf_tcp_state old_state;     /**< STATE */
	enum sf_tcp_state new_state;     /**< STATE, and the state a TIMER fired in */
	enum sf_cause cause;             /**< STATE, PATH_MTU: why (sf_cause_text gives it in words) */
	enum sf_timer_kind timer;        /**< TIMER */
	enum sf_drop_reason drop;        /**< DROP */
	struct sf_endpoint local;        /**< the connection, where known */
	struct sf_endpoint remote;       /**< the peer, where known */
	uint32_t mtu;                    /**< PATH_MTU: the path MTU now used */
};

/** Receives every trace event (cfg.trace); the event is valid only during the call (see THE CONTRACT). */
typedef void (*sf_trace_fn)(void *ctx, const struct sf_trace_event *ev);

/** How initial sequence numbers are chosen (RFC 9293 §3.4.1). */
enum sf_isn_mode {
	SF_ISN_RFC6528 = 0,   /**< 4 µs clock + SipHash-2-4(4-tuple, secret): the default */
	SF_ISN_CLOCK_ONLY = 1 /**< the bare RFC 793 4 µs clock: predictable; for teaching only */
};

/**
 * Stack configuration. Fill with sf_config_default(), then change what you
 * need. Times are in milliseconds unless named otherwise.
 *
 * The struct grows only at its end, and size says how much of it the caller
 * knows: sf_config_default sets it to the size of the struct the caller was
 * compiled with, so a program built against an older synfin.h keeps working
 * with a newer library, which takes the defaults for the fields the program
 * has never heard of.
 */
struct sf_config {
	uint32_t size;                /**< sizeof(struct sf_config) as the caller knows it (set by sf_config_default) */
	uint8_t secret[16];           /**< key for ISNs and hash tables: give 16 random bytes (RFC 9293 MUST-9) */
	sf_output_fn output;          /**< required */
	void *output_ctx;             /**< passed to output as its ctx */
	sf_trace_fn trace;            /**< optional */
	void *trace_ctx;              /**< passed to trace as its ctx */

	uint32_t msl_ms;              /**< Maximum Segment Lifetime; TIME-WAIT lasts 2*msl (120000) */
	/**
	 * R2 for a SYN (RFC 9293 §3.8.3): retransmissions before the attempt
	 * ends with ETIMEDOUT (7). Counted as Linux counts tcp_syn_retries: with
	 * the 1 s initial RTO the SYN goes at 0, 1, 3, 7, 15, 31, 63 and 127 s
	 * and the attempt ends at 247 s (the last backoff capped at rto_max),
	 * past the 3 minutes of MUST-23. (Linux's default, 6, ends at 127 s.) A
	 * smaller rto_initial_ms or rto_max_ms shortens the schedule.
	 */
	uint32_t syn_retries;
	uint32_t synack_retries;      /**< SYN+ACK retransmissions before the embryo is dropped (5) */
	uint32_t retries2;            /**< R2 for data and FIN: retransmissions (or unanswered window probes) before the connection is dropped (15) */
	uint32_t orphan_retries;      /**< FIN retransmissions once the app has closed (8) */
	uint32_t fin_timeout_ms;      /**< orphaned FIN-WAIT-2 lifetime (60000) */
	uint32_t syn_backlog;         /**< embryos (SYN-RECEIVED) per listener (1000) */
	uint32_t somaxconn;           /**< cap on every listen() backlog (128) */
	uint32_t rto_initial_ms;      /**< RFC 6298 §2.1 initial RTO (1000) */
	uint32_t rto_min_ms;          /**< lower bound of the RTO (200, as Linux) */
	uint32_t rto_max_ms;          /**< upper bound of the RTO (120000) */
	uint32_t keepalive_idle_ms;   /**< idle time before the first probe (7200000: RFC 1122 MUST-28) */
	uint32_t keepalive_intvl_ms;  /**< time between probes, at least SF_KEEPALIVE_MIN_INTVL_MS (75000) */
	uint32_t keepalive_probes;    /**< unanswered probes before the connection is dropped (9) */
	uint32_t challenge_ack_limit; /**< challenge ACKs per connection per second (10; RFC 5961 §7) */
	uint32_t delack_ms;           /**< longest an ACK is delayed (40; RFC 9293 MUST-40: < 500) */
	uint16_t ephemeral_lo;        /**< ephemeral port range, inclusive (32768) */
	uint16_t ephemeral_hi;        /**< (60999) */
	uint32_t max_sockets;         /**< handles at most (1 << 24) */
	uint8_t strict_time_wait;     /**< 1: no SYN reopens a 4-tuple in TIME-WAIT before 2MSL ends (0) */
	uint8_t rfc1337;              /**< 1: ignore RST in TIME-WAIT (RFC 1337) (1) */
	uint8_t abort_on_overflow;    /**< 1: answer a final ACK that finds the accept queue full with RST (0) */
	uint8_t syn_queue_recycle;    /**< 1: a SYN that finds the SYN queue full takes the place of the
				           listener's oldest unanswered embryo (RFC 4987 §3.4) instead of
				           being dropped: a SYN flood then holds each slot only briefly (0) */
	uint8_t isn_mode;             /**< enum sf_isn_mode (SF_ISN_RFC6528) */
	uint8_t window_scaling;       /**< 1: offer and accept RFC 7323 window scaling (1) */
	uint8_t timestamps;           /**< 1: offer and accept RFC 7323 timestamps (1) */
	uint8_t sack;                 /**< 1: offer and accept RFC 2018 SACK (1) */
	/**
	 * 1: accept an all-zero secret (0). Without this sf_stack_new refuses
	 * one: ISNs keyed by a secret everyone knows are computable from outside,
	 * which RFC 9293 MUST-9 (and RFC 6528) forbid. Tests, simulations and
	 * demos that want the same numbers every run set it; nothing on a
	 * network should.
	 */
	uint8_t deterministic_insecure;
	uint8_t ttl;                  /**< IPv4 TTL / IPv6 hop limit of the segments sent, 1-255 (64; RFC 9293 MUST-49); sf_set_ttl per socket */
	/**
	 * R1 (RFC 9293 §3.8.3), for SYNs and data alike: with this many
	 * retransmissions of the same segment (or window probes) unanswered,
	 * each further one passes negative advice to the IP layer
	 * (SF_TRACE_NEGATIVE_ADVICE) and the application is told of the
	 * delivery problem (SF_EV_SOFT_ERROR, sf_soft_error) (3: SHLD-10, as
	 * Linux's tcp_retries1). At least 1. RFC 9293 (c) has R2 greater than
	 * R1; a limit at or below it (syn_retries 2, say, as a caller built
	 * before this field may have) ends the connection with no report first.
	 * Orphans and embryos, which have no application to tell, only pass the
	 * advice.
	 */
	uint32_t retries1;
	/**
	 * Explicit Congestion Notification (RFC 3168; RFC 9293 SHLD-8), as
	 * Linux's net.ipv4.tcp_ecn: 0 off; 1 ask for it in active opens and
	 * agree to it in passive ones; 2 agree to it when a peer asks, never
	 * ask (2). With ECN agreed, new data goes out ECT(0), a CE mark is
	 * echoed with ECE until the peer's CWR, and an ECE reduces the
	 * congestion window once per window of data.
	 */
	uint8_t ecn;
	/**
	 * Path MTU discovery (RFC 1191, RFC 8201): a path MTU learned from an
	 * ICMP "fragmentation needed" / "packet too big" message is kept this
	 * long, then forgotten so that a path that has grown is used in full
	 * again (600000: RFC 1191 §6.3's ten minutes, as Linux's mtu_expires).
	 */
	uint32_t pmtu_expires_ms;
	/** Destinations whose path MTU the stack remembers (1024); the oldest make room. At least 4. */
	uint32_t pmtu_cache_size;
	/**
	 * Packetization-layer path MTU discovery (RFC 4821), for paths whose
	 * ICMP is filtered, as Linux's net.ipv4.tcp_mtu_probing: 0 never; 1
	 * once full-size segments are lost to retries1 timeouts in a row (a
	 * black hole): segments drop to 1024 bytes of IPv4 (1280 of IPv6) and
	 * probes find the largest size that gets through (1); 2 always, from
	 * the start.
	 */
	uint8_t mtu_probing;
	/**
	 * ICMP output (RFC 1122 §3.2.2, RFC 4443 §2.4(f)): one token bucket for
	 * every ICMP and ICMPv6 message the stack sends, echo replies and
	 * errors alike: icmp_rate messages a second (1000; 0: no limit), at
	 * most icmp_burst at once (50, at least 1), as Linux's
	 * icmp_msgs_per_sec and icmp_msgs_burst. Timed by the stack's clock.
	 */
	uint32_t icmp_rate;
	uint32_t icmp_burst; /**< the ICMP output bucket's depth (50): see icmp_rate */
	/**
	 * How many ICMP errors about TCP the stack acts on (RFC 5927 §4.3):
	 * icmp_error_rate a second (1000; 0: no limit), icmp_error_burst at
	 * once (50, at least 1). The rest are dropped as ICMP_ERROR_BUDGET.
	 */
	uint32_t icmp_error_rate;
	uint32_t icmp_error_burst; /**< the ICMP error bucket's depth (50): see icmp_error_rate */
	/**
	 * The memory IP fragments waiting for reassembly (RFC 791 §3.2, RFC
	 * 8200 §4.5) may hold, in bytes, each fragment's and each pending
	 * datagram's bookkeeping counted with its data (4194304: Linux's
	 * ipfrag_high_thresh; at most 1 GiB; 0 turns reassembly off). One
	 * source may hold a quarter of it. A fragment that would pass a cap
	 * evicts the oldest incomplete datagram (of that source, or of all)
	 * first. Fixed besides, once the first fragment comes: the hash
	 * tables (160 KiB at the default, at most 2.5 MiB) and one 64 KiB
	 * buffer for the datagram being made whole.
	 */
	uint32_t reasm_max_bytes;
	/**
	 * SYN cookies (RFC 4987 §3.6), as Linux's net.ipv4.tcp_syncookies:
	 * 0 never; 1 when a listener's SYN queue is full (syn_backlog), so
	 * that a flood of spoofed SYNs cannot keep real clients out and holds
	 * no memory; 2 for every SYN (1). A cookie is the SYN,ACK's sequence
	 * number: a SipHash MAC of the 4-tuple under the secret, a counter
	 * that rolls each minute (valid for two), and the peer's MSS as one of
	 * four values. When the SYN carries timestamps (RFC 7323), its window
	 * scale, SACK and ECN ride in the low bits of the SYN,ACK's TSval;
	 * without them the connection does without all three. Its final ACK
	 * creates the connection directly; data on it is kept.
	 */
	uint8_t syncookies;
};

/** The smallest sf_config.size sf_stack_new accepts: every field up to deterministic_insecure (the first release with size). */
#define SF_CONFIG_MIN_SIZE (offsetof(struct sf_config, deterministic_insecure) + 1)

/** Fill cfg with the defaults given in parentheses above (secret zero, no callbacks). */
SF_API void sf_config_default(struct sf_config *cfg);

/**
 * Create a stack at time now_ns. Returns NULL on bad configuration (size
 * outside [SF_CONFIG_MIN_SIZE, sizeof(struct sf_config)], no output callback,
 * an all-zero secret without deterministic_insecure, ephemeral range empty,
 * zero MSL, ...) or when memory runs out. The stack keeps its own copy of cfg.
 */
SF_API sf_stack *sf_stack_new(const struct sf_config *cfg, uint64_t now_ns);
/** Free a stack and everything it holds, sending nothing. NULL is a no-op. */
SF_API void sf_stack_free(sf_stack *stack);

/**
 * Give the stack a local address on an interface with the given MTU (the MSS
 * it advertises is derived from it: RFC 9293 §3.7.1, MUST-67). Datagrams to
 * other addresses are dropped. 0, -EINVAL (bad address, MTU below the
 * family's minimum of 576/1280) or -EEXIST.
 */
SF_API int sf_stack_add_address(sf_stack *stack, const struct sf_addr *addr, uint32_t mtu);

/**
 * The on-link prefix of a local address, as `ip addr add 192.0.2.1/24` gives
 * it (until set: the address alone, /32 or /128). With it the stack knows the
 * subnet's broadcast addresses, to or from which no connection may be made
 * (RFC 9293 MUST-46, MUST-57, MUST-63), and picks the source address of an
 * unbound active open by RFC 6724's longest matching prefix (MUST-44).
 * 0, -ENOENT (not a local address), or -EINVAL (prefix_len over 32 / 128,
 * or the address is its own subnet's network or broadcast address).
 */
SF_API int sf_stack_set_prefix(sf_stack *stack, const struct sf_addr *addr, unsigned prefix_len);

/**
 * A datagram arrived at time now_ns. Time never runs backwards: an earlier
 * now_ns is treated as the stack's current time. The stack does not keep dgram.
 */
SF_API void sf_input(sf_stack *stack, uint64_t now_ns, const void *dgram, size_t len);
/**
 * Bracket datagrams that arrived together (a driver's read of several at
 * once): between sf_input_begin and sf_input_end the in-order ACKs that
 * sf_input would send at once are held, and sf_input_end sends one ACK per
 * connection that still owes one, after the whole batch (RFC 9293 MUST-58,
 * MUST-59: aggregate ACKs, process all queued segments before ACKing).
 * ACKs for out-of-order or duplicate data still go at once (RFC 5681 §4.2),
 * as does anything else sent meanwhile, which carries the ACK and ends the
 * wait. A begin inside a batch does nothing.
 */
SF_API void sf_input_begin(sf_stack *stack);
/** End the batch sf_input_begin began: one ACK for each connection that owes one. */
SF_API void sf_input_end(sf_stack *stack);
/** Time has reached now_ns: fire every timer due. */
SF_API void sf_advance(sf_stack *stack, uint64_t now_ns);
/** When sf_advance must next be called; UINT64_MAX if no timer is armed. */
SF_API uint64_t sf_next_deadline(const sf_stack *stack);
/** The stack's current time: the latest now_ns it was given. User calls act at this time. */
SF_API uint64_t sf_now(const sf_stack *stack);

/** The stack's counters (NULL for a NULL stack). */
SF_API const struct sf_counters *sf_stack_counters(const sf_stack *stack);

/* ---------------------------------------------------------------------------
 * Sockets: small integer handles, non-blocking, negative errno results.
 * Every call returns -EINVAL for a NULL stack and -EBADF for a handle that is
 * not an open socket of this stack.
 * ------------------------------------------------------------------------- */

/** Create a TCP socket of family SF_AF_INET or SF_AF_INET6. A handle >= 0, or -EAFNOSUPPORT/-EMFILE/-ENOMEM. */
SF_API int sf_socket(sf_stack *stack, int family);
/** Bind to a local address (unspecified = any of the stack's) and port (0 = ephemeral). */
SF_API int sf_bind(sf_stack *stack, int sock, const struct sf_endpoint *local);
/** Passive open (RFC 9293 §3.10.1). The accept queue holds min(backlog, somaxconn) connections, at least 1. */
SF_API int sf_listen(sf_stack *stack, int sock, int backlog);
/** Take a completed connection: a new handle, or -EAGAIN when none is waiting. peer may be NULL. */
SF_API int sf_accept(sf_stack *stack, int sock, struct sf_endpoint *peer);
/** Active open (RFC 9293 §3.10.1). Returns -EINPROGRESS: completion is reported by events. */
SF_API int sf_connect(sf_stack *stack, int sock, const struct sf_endpoint *remote);
/** Queue data to send. Bytes taken (may be fewer than len), or -EAGAIN/-EPIPE/-ENOTCONN/-ECONNRESET/... */
SF_API long sf_send(sf_stack *stack, int sock, const void *buf, size_t len);
/** Take received data. Bytes, 0 at end of stream (peer's FIN), or -EAGAIN/-ENOTCONN/-ECONNRESET/... */
SF_API long sf_recv(sf_stack *stack, int sock, void *buf, size_t len);

/** Flags of sf_send_flags and sf_recv_flags (the values are Linux's MSG_OOB, MSG_PEEK). */
enum {
	SF_MSG_OOB = 0x1, /**< sf_send_flags: the bytes are urgent data, the last of them the mark (RFC 9293 §3.8.5) */
	SF_MSG_PEEK = 0x2 /**< sf_recv_flags: copy the bytes and leave them queued, to be read again */
};
/**
 * send(2) with flags: 0 is sf_send. With SF_MSG_OOB the bytes are queued as
 * urgent data (RFC 9293 §3.8.5, MUST-30): every segment sent until they are
 * acknowledged carries URG and an urgent pointer to the octet after the last
 * of them (MUST-62), and they go at once, past Nagle (as Linux). At least one
 * byte must be sent (-EINVAL for none); -EINVAL for any other flag.
 */
SF_API long sf_send_flags(sf_stack *stack, int sock, const void *buf, size_t len, int flags);
/**
 * recv(2) with flags: 0 is sf_recv. With SF_MSG_PEEK the bytes are copied and
 * stay in the receive queue: the window is unchanged, so nothing is sent (no
 * window update). The same results as sf_recv (end of stream, a pending
 * error and -EAGAIN alike), and -EINVAL for a flag other than SF_MSG_PEEK.
 */
SF_API long sf_recv_flags(sf_stack *stack, int sock, void *buf, size_t len, int flags);

/** How sf_shutdown closes: the values are shutdown(2)'s SHUT_RD, SHUT_WR, SHUT_RDWR. */
enum { SF_SHUT_RD = 0, SF_SHUT_WR = 1, SF_SHUT_RDWR = 2 };
/** Half-close (RFC 9293 §3.6.1): SHUT_WR sends a FIN and keeps receiving. */
SF_API int sf_shutdown(sf_stack *stack, int sock, int how);
/** Close the handle (RFC 9293 §3.10.4); the connection finishes on its own. */
SF_API int sf_close(sf_stack *stack, int sock);
/** Abort (RFC 9293 §3.10.5): send RST where a connection exists, free the handle. */
SF_API int sf_abort(sf_stack *stack, int sock);

/** getsockname(2): the socket's local address and port. 0, -EINVAL (NULL local), -EBADF. */
SF_API int sf_getsockname(const sf_stack *stack, int sock, struct sf_endpoint *local);
/** getpeername(2): the connection's remote address and port. 0, -ENOTCONN, -EINVAL (NULL remote), -EBADF. */
SF_API int sf_getpeername(const sf_stack *stack, int sock, struct sf_endpoint *remote);
/** The state of the socket's connection (enum sf_tcp_state), or -EBADF. */
SF_API int sf_state(const sf_stack *stack, int sock);
/** Take the pending error (like SO_ERROR): 0 or a negative errno, cleared by reading. */
SF_API int sf_take_error(sf_stack *stack, int sock);
/**
 * The soft error (RFC 9293 §3.9.1.8, MUST-47): -ETIMEDOUT while a segment
 * of the connection has been retransmitted (or the peer's window probed)
 * R1 times or for R1 ms without an answer (§3.8.3 (e), SHLD-9), else 0.
 * Reading does not clear it; the peer's next ACK does, as does the
 * connection's end (whose error is sf_take_error's). SF_EV_SOFT_ERROR tells
 * when it is set and when it clears. -EBADF, -EINVAL as every call.
 */
SF_API int sf_soft_error(const sf_stack *stack, int sock);

/** What a connection's queues hold, as Linux counts them. */
struct sf_queue_info {
	uint32_t readable; /**< received in order and not yet read: what sf_recv takes now (SIOCINQ, FIONREAD) */
	uint32_t unacked;  /**< bytes given to sf_send and not yet acknowledged, sent or not, and 1 for a FIN
			        likewise (SIOCOUTQ); 0 during the handshake, as Linux */
	uint32_t unsent;   /**< of unacked, what was never sent yet (SIOCOUTQNSD) */
};
/**
 * Fill *out with the socket's queues (all 0 before a connection has any).
 * 0, or -EINVAL for a NULL out or a listener (as Linux's SIOCINQ and
 * SIOCOUTQ on a listening socket), -EBADF.
 */
SF_API int sf_queued(const sf_stack *stack, int sock, struct sf_queue_info *out);

/* ---------------------------------------------------------------------------
 * The operator's view: every connection (as ss -tan lists them), and one
 * connection in detail (as Linux's TCP_INFO)
 * ------------------------------------------------------------------------- */

/** What kind of record a struct sf_conn describes. */
enum sf_conn_kind {
	SF_CONN_SOCKET = 1,    /**< a socket the stack holds: connection, listener, or not yet connected */
	SF_CONN_EMBRYO = 2,    /**< a compact SYN-RECEIVED record in a listener's SYN queue (no handle) */
	SF_CONN_TIME_WAIT = 3, /**< a compact TIME-WAIT record (no handle) */
};

/** One entry of sf_conn_list. */
struct sf_conn {
	enum sf_conn_kind kind;   /**< which record this is */
	int sock;                 /**< the handle of a socket; -1 for an embryo, a TIME-WAIT record, or
				       a connection the application closed that the stack still finishes */
	int listener;             /**< the listener an embryo or an unaccepted connection waits in, else -1 */
	enum sf_tcp_state state;  /**< its RFC 9293 state */
	struct sf_endpoint local; /**< the local address and port (unspecified if not bound) */
	struct sf_endpoint remote; /**< the peer (unspecified for listeners and unconnected sockets) */
	/** Connections: octets received and not read (ss's Recv-Q).
	 *  Listeners: connections waiting for sf_accept (the accept queue). */
	uint32_t recv_q;
	/** Connections: octets sent or queued and not acknowledged (ss's Send-Q).
	 *  Listeners: the backlog, the accept queue's limit. */
	uint32_t send_q;
	uint32_t syn_queue;       /**< listeners: embryos in the SYN queue; else 0 */
	int timer_on;             /**< 1 if a timer is running; then timer and timer_expires_ns say which and when */
	enum sf_timer_kind timer; /**< the next timer to fire */
	uint64_t timer_expires_ns; /**< when, on the stack's clock */
	uint32_t retransmits;     /**< retransmissions of the segment now timed, as ss's timer:(on,...,N) */
	int orphan;               /**< 1 if the application has closed it and the stack finishes it alone */
};

/**
 * Called by sf_conn_list once per record; return 0 to go on, anything else
 * to stop the walk. It may make only the read-only calls of the re-entry rule
 * (see the top of this header); every other call with the stack fails with
 * -EBUSY.
 */
typedef int (*sf_conn_fn)(void *ctx, const struct sf_conn *conn);

/**
 * Walk every connection the stack holds, each once: sockets in handle order
 * (listeners with their queues, connections, sockets not yet connected, and
 * connections the application closed), then the embryos of every SYN queue,
 * then the TIME-WAIT records, oldest first. The walk is O(records), for
 * operators and tools, not for a data path. Returns how many records fn saw
 * (counting the one that stopped it), -EINVAL for a NULL stack or fn, -EBUSY
 * from inside a callback.
 */
SF_API long sf_conn_list(sf_stack *stack, sf_conn_fn fn, void *ctx);

/** Options a connection's SYNs agreed on, the bits of sf_conn_info.options (as TCPI_OPT_*). */
enum sf_conn_options {
	SF_CONN_OPT_TIMESTAMPS = 1, /**< RFC 7323 timestamps */
	SF_CONN_OPT_SACK = 2,       /**< RFC 2018 selective acknowledgments */
	SF_CONN_OPT_WSCALE = 4,     /**< RFC 7323 window scaling */
	SF_CONN_OPT_ECN = 8,        /**< RFC 3168 explicit congestion notification */
};

/**
 * One connection in detail, in the spirit of Linux's struct tcp_info. It only
 * grows at its end: pass sizeof of the struct you were built with.
 */
struct sf_conn_info {
	enum sf_tcp_state state;  /**< its RFC 9293 state */
	uint32_t options;         /**< enum sf_conn_options bits */
	uint8_t snd_wscale;       /**< the peer's window shift, applied to the windows it sends */
	uint8_t rcv_wscale;       /**< ours, applied to the windows we send */
	uint32_t rto_us;          /**< the retransmission timeout now (RFC 6298) */
	uint32_t rtt_us;          /**< the smoothed round-trip time, SRTT; 0 before the first sample */
	uint32_t rttvar_us;       /**< its variation, RTTVAR */
	uint32_t snd_mss;         /**< the MSS our segments are sized by (RFC 9293 MUST-16) */
	uint32_t rcv_mss;         /**< the MSS we announced */
	uint32_t peer_mss;        /**< the MSS the peer announced, 0 if it sent none */
	uint32_t pmtu;            /**< the path MTU the connection sizes segments by */
	uint32_t snd_cwnd;        /**< the congestion window, in octets */
	uint32_t snd_ssthresh;    /**< the slow-start threshold, in octets */
	uint32_t snd_wnd;         /**< the peer's window, as last received and scaled */
	uint32_t rcv_wnd;         /**< the window we offer now */
	uint32_t unacked;         /**< octets sent and not acknowledged */
	uint32_t retransmits;     /**< retransmissions of the segment now timed */
	uint32_t total_retrans;   /**< segments retransmitted over the connection's life */
	uint32_t backlog;         /**< listeners: the accept queue's limit; else 0 */
	uint32_t accept_queue;    /**< listeners: connections waiting for sf_accept; else 0 */
	uint32_t syn_queue;       /**< listeners: embryos in the SYN queue; else 0 */
	int in_recovery;          /**< 1 during fast recovery (RFC 6582, RFC 6675) */
	uint64_t bytes_acked;     /**< octets of data the peer acknowledged (RFC 4898 ThruOctetsAcked) */
	uint64_t bytes_received;  /**< octets of data received in order (RFC 4898 ThruOctetsReceived) */
};

/**
 * Fill the size bytes at out with the socket's details (pass sizeof(struct
 * sf_conn_info)). A socket not yet connected reports CLOSED and its
 * defaults, a listener its queues; bytes beyond what this library's struct
 * holds are zeroed. 0, or -EBADF, -EINVAL for a NULL out or a size of 0.
 */
SF_API int sf_conn_info(const sf_stack *stack, int sock, struct sf_conn_info *out, size_t size);

/* Socket options. Each returns 0 or a negative errno (-EBADF, -EINVAL, -EISCONN). */
/** SO_LINGER: on with 0 s makes close() abort with RST (RFC 9293 §3.10.5). */
SF_API int sf_set_linger(sf_stack *stack, int sock, int on, int seconds);
/** SO_REUSEADDR: allow bind to a port whose old connections linger in TIME-WAIT. */
SF_API int sf_set_reuseaddr(sf_stack *stack, int sock, int on);
/**
 * TCP_MAXSEG (88..65495 bytes, else -EINVAL). Set before connect or listen it
 * caps the MSS announced in the SYN and the one used for sending; set in
 * SYN-SENT it caps the MSS the peer's SYN,ACK allows when it comes. As on
 * Linux, once the handshake has settled the MSS a later value changes
 * nothing on that connection (it is accepted and kept).
 */
SF_API int sf_set_maxseg(sf_stack *stack, int sock, int mss);
/**
 * getsockopt TCP_MAXSEG as Linux answers it: on a connection whose peer's MSS
 * is known (and not yet CLOSED), the MSS in use for sending: the data a full
 * segment carries, the room the options take already left out. Otherwise
 * the value sf_set_maxseg set, or else 536 (RFC 9293 §3.7.1's default).
 * The MSS, -EINVAL for a NULL stack or -EBADF.
 */
SF_API int sf_get_maxseg(const sf_stack *stack, int sock);
/**
 * Keepalive (RFC 1122 §4.2.3.6): on/off; idle/interval in ms and probe count
 * (0 = stack default). An interval below SF_KEEPALIVE_MIN_INTVL_MS is
 * -EINVAL: a peer answers a bare out-of-window segment at most every 500 ms
 * (synfin and Linux alike, against ACK wars), so faster probes would go
 * unanswered and end a live connection. (Linux's TCP_KEEPINTVL minimum is
 * also 1 s.)
 */
#define SF_KEEPALIVE_MIN_INTVL_MS 1000u
/** Keepalive (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT): on/off, idle and interval in ms, probe count; 0 for the stack's default (see SF_KEEPALIVE_MIN_INTVL_MS). 0 or -EINVAL. */
SF_API int sf_set_keepalive(sf_stack *stack, int sock, int on, uint32_t idle_ms, uint32_t intvl_ms,
			    uint32_t probes);
/** TCP_NODELAY: 1 sends short segments at once instead of waiting for ACKs (no Nagle, MUST-17). */
SF_API int sf_set_nodelay(sf_stack *stack, int sock, int on);
/**
 * Urgent data (RFC 9293 §3.8.5, MUST-33): how many bytes remain to be read
 * up to and including the last urgent byte the peer marked, 0 when none.
 * Urgent bytes are delivered in the stream (inline, RFC 6093 §5); sf_recv
 * stops short of the last urgent byte so that it starts a read of its own,
 * and 1 here means the next byte read is that byte (sockatmark). The
 * socket's events carry SF_EV_URGENT while this is not 0. -EBADF, or
 * -ENOTCONN for a listener.
 */
SF_API long sf_urgent_left(const sf_stack *stack, int sock);
/** TCP_USER_TIMEOUT (RFC 5482): give up with -ETIMEDOUT when sent data (or a SYN) waits ms for an ACK; 0 = off. */
SF_API int sf_set_user_timeout(sf_stack *stack, int sock, uint32_t ms);
/**
 * IP_TTL / IPV6_UNICAST_HOPS: the TTL (hop limit) of the socket's segments,
 * 1-255, or -1 for the stack's cfg.ttl (RFC 9293 MUST-49). A listener's
 * connections inherit it. Takes effect on the next segment. 0 or -EINVAL.
 */
SF_API int sf_set_ttl(sf_stack *stack, int sock, int ttl);
/**
 * IP_TOS / IPV6_TCLASS: the Differentiated Services field of the socket's
 * segments (RFC 9293 MUST-48, SHLD-21, SHLD-22), 0-255, or -1 for 0. As on
 * Linux, the two ECN bits (RFC 3168) belong to the stack and are ignored
 * here. A listener's connections inherit it; a change applies from the
 * next segment. 0 or -EINVAL.
 */
SF_API int sf_set_tclass(sf_stack *stack, int sock, int tclass);
/** Which segments an R1/R2 pair governs (RFC 9293 §3.8.3: they "may be different for SYN and data segments"). */
enum sf_retry_kind {
	SF_RETRY_SYN = 0,  /**< the SYN of an active open (SYN-SENT, and SYN-RECEIVED of a simultaneous one) */
	SF_RETRY_DATA = 1, /**< data and FIN, and probes of a closed window */
};
/** How R1 and R2 are measured (§3.8.3 (a): "in time units or as a count of retransmissions"). */
enum sf_retry_unit {
	SF_RETRY_DEFAULT = 0, /**< the stack's: retries1, with syn_retries or retries2 */
	SF_RETRY_COUNT = 1,   /**< retransmissions of the same segment (or window probes) gone unanswered */
	SF_RETRY_MS = 2,      /**< milliseconds the segment has waited for its ACK (probes: since the first unanswered one) */
};
/** R2 "infinity" (§3.8.3 (d)): the connection is never given up; the application decides when. */
#define SF_RETRY_FOREVER UINT32_MAX
/**
 * R1 and R2 of this connection (RFC 9293 §3.8.3, MUST-21, MUST-22) for its
 * SYN or its data (kind), in unit. Past R1 each retransmission passes
 * negative advice to IP (SF_TRACE_NEGATIVE_ADVICE) and the application is
 * told (SF_EV_SOFT_ERROR, sf_soft_error); at R2 the connection is given up
 * with -ETIMEDOUT (after unanswered window probes, with a RST). A count of
 * R is reached at the timeout that finds R retransmissions unanswered; a
 * time, at the first timeout R ms after the segment began to wait (R2 ms
 * exactly: the timer is cut short to it). r1 >= 1 and r2 > r1 ((c)), r2 may
 * be SF_RETRY_FOREVER; SF_RETRY_DEFAULT with r1 = r2 = 0 returns to the
 * stack's. TCP_USER_TIMEOUT, when set, still gives up at its own time. A
 * listener's settings pass to the connections it accepts; an orphan (closed
 * by the application) has orphan_retries. 0, -EINVAL, -EBADF.
 */
SF_API int sf_set_retry_thresholds(sf_stack *stack, int sock, int kind, int unit, uint32_t r1, uint32_t r2);
/**
 * SO_SNDBUF / SO_RCVBUF in bytes, 1024 .. 16 MiB each (else -EINVAL), or 0
 * to leave that one as it is; taken as given (Linux doubles the value for
 * its bookkeeping). A listener passes them to the connections it accepts.
 * They may change on a connection too. A larger receive buffer opens the
 * window on the next segment sent (within what the window scale agreed in
 * the SYNs can express); a smaller one closes it as data arrives but never
 * takes back window already offered (RFC 9293 §3.8.6.2: the right edge does
 * not move left). A larger send buffer lets sf_send queue more; with a
 * smaller one, sf_send takes nothing until the queue has drained below it.
 * 0, or -EINVAL, -EBADF, -ENOMEM (nothing changed).
 */
SF_API int sf_set_bufsizes(sf_stack *stack, int sock, uint32_t sndbuf, uint32_t rcvbuf);
/** The socket's SO_SNDBUF and SO_RCVBUF sizes; either pointer may be NULL. 0, -EINVAL (NULL stack), -EBADF. */
SF_API int sf_get_bufsizes(const sf_stack *stack, int sock, uint32_t *sndbuf, uint32_t *rcvbuf);

/* ---------------------------------------------------------------------------
 * Readiness events (epoll-like, edge-triggered): each socket whose readiness
 * changed is queued once; sf_poll_events reports its current readiness.
 * sf_poll reads one socket's readiness at any time (level-triggered, as
 * poll(2)).
 * ------------------------------------------------------------------------- */
enum {
	SF_EV_READABLE = 1 << 0,  /**< sf_recv (on a listener, sf_accept) will not say -EAGAIN: data to read, end of
				       stream, a connection ended (with its error), or a completed connection to accept */
	SF_EV_WRITABLE = 1 << 1,  /**< room in the send buffer */
	SF_EV_ACCEPT = 1 << 2,    /**< a listener has a completed connection */
	SF_EV_CONNECTED = 1 << 3, /**< an active open reached ESTABLISHED */
	SF_EV_HUP = 1 << 4,       /**< the connection is over in both directions */
	SF_EV_ERROR = 1 << 5,     /**< an error is pending (sf_take_error) */
	SF_EV_URGENT = 1 << 6,    /**< urgent data is still to be read (sf_urgent_left; RFC 9293 §3.8.5, MUST-32) */
	/** A delivery problem: R1 passed, the peer silent (sf_soft_error; RFC 9293
	 * SHLD-9). Polled, never called up: an application that does not want
	 * the report ignores the bit (SHLD-20). */
	SF_EV_SOFT_ERROR = 1 << 7,
};

/** One readiness event of sf_poll_events. */
struct sf_event {
	int sock;        /**< the socket's handle */
	uint32_t events; /**< SF_EV_* */
};

/** Take up to max queued events. Returns how many were written (0 for a NULL stack or events, or max <= 0), or -EBUSY from a callback. */
SF_API int sf_poll_events(sf_stack *stack, struct sf_event *events, int max);
/**
 * The socket's readiness now, the SF_EV_* bits sf_poll_events would report
 * for it (0: none), whether or not it is queued; it takes no event off the
 * queue. -EINVAL for a NULL stack, -EBADF.
 */
SF_API int sf_poll(const sf_stack *stack, int sock);

#ifdef __cplusplus
}
#endif
#endif /* SYNFIN_H */
