/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire layer: validating parse and build of IPv4/IPv6 + TCP datagrams.
 *
 * Parsing checks every field before it is used and answers with a named drop
 * reason (enum sf_drop_reason in synfin.h) instead of ever reading out of
 * bounds. Building writes a complete datagram with both checksums filled in.
 */
#ifndef SYNFIN_WIRE_H
#define SYNFIN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

/* The TCP flag bits SF_TCP_*, struct sf_tcp_options and struct sf_segment are
 * public (synfin.h): the trace hook reports segments in that form. */

/* TCP option kinds (IANA registry). */
enum {
	SF_TCPOPT_EOL = 0,
	SF_TCPOPT_NOP = 1,
	SF_TCPOPT_MSS = 2,
	SF_TCPOPT_WSCALE = 3,
	SF_TCPOPT_SACK_PERM = 4,
	SF_TCPOPT_SACK = 5,
	SF_TCPOPT_TIMESTAMP = 8,
};

/* IP protocol numbers (IANA). */
#define SF_IPPROTO_ICMP 1
#define SF_IPPROTO_TCP 6
#define SF_IPPROTO_UDP 17
#define SF_IPPROTO_ICMPV6 58

#define SF_IPV4_HEADER_LEN 20
#define SF_IPV6_HEADER_LEN 40
#define SF_TCP_HEADER_LEN 20
#define SF_TCP_MAX_OPTIONS_LEN 40
/** The largest header a built datagram can have: IPv6 + TCP with 40 bytes of options. */
#define SF_MAX_HEADERS_LEN (SF_IPV6_HEADER_LEN + SF_TCP_HEADER_LEN + SF_TCP_MAX_OPTIONS_LEN)

/**
 * Parse and validate an IP datagram carrying TCP. On success fills *seg and
 * returns SF_DROP_NONE; otherwise returns the reason the datagram must be
 * dropped and *seg is unspecified. Never reads outside dgram[0..len).
 *
 * A fragment, once its IP header has passed every check, gives
 * SF_DROP_IPV4_FRAGMENT or SF_DROP_IPV6_FRAGMENT: a whole datagram must
 * first be made of it (sf_wire_parse_fragment, then reassembly).
 *
 * The one flag combination rejected here is SYN+RST, which no legitimate
 * stack sends. Every other combination, SYN+FIN included (a listener drops
 * it, as Linux's does), is left to the RFC 9293 §3.10.7 segment-arrival rules.
 */
enum sf_drop_reason sf_wire_parse(const uint8_t *dgram, size_t len, struct sf_segment *seg);

/** An IP header as parsed: addresses, TTL, traffic class, the upper-layer protocol and where it starts. */
struct sf_ip_view {
	struct sf_addr src, dst;
	uint8_t ttl, tclass;
	uint8_t proto;   /* after IPv6's extension headers */
	uint8_t opt_action; /* SF_DROP_IPV6_OPTION: the two high bits of the option's type (RFC 8200 §4.2) */
	uint16_t opt_ptr;   /* ... and the offset of its type byte in the datagram */
	uint16_t nh_off;    /* the offset of the field that names proto (IPv4 9, IPv6 6 or the last extension header's) */
	size_t hlen;     /* bytes before the upper-layer header */
};
/** The IP part of sf_wire_parse (every length and checksum, IPv4 options, IPv6 extension headers). */
enum sf_drop_reason sf_wire_parse_ip(const uint8_t *dgram, size_t len, struct sf_ip_view *ip);
/** The most IPv6 extension headers one datagram may carry (SF_DROP_IPV6_EXT_CHAIN_LONG beyond). */
#define SF_IPV6_MAX_EXT_HEADERS 8

/** An IPv4 or IPv6 fragment as reassembly needs it (RFC 791 §3.2, RFC 8200 §4.5). */
struct sf_ip_fragment {
	struct sf_addr src, dst;  /* src.family is the family */
	uint8_t ttl, tclass;
	uint8_t proto;            /* IPv4's protocol; the Fragment header's Next Header */
	bool more;                /* more fragments follow (MF, M) */
	uint32_t id;              /* identification: 16 bits in IPv4, 32 in IPv6 */
	uint32_t offset;          /* where the data goes in the datagram's, in bytes */
	size_t unfrag_len;        /* the header kept in front: IPv4's, or IPv6's up to the Fragment header */
	size_t nh_at;             /* IPv6: the Next Header byte that names the Fragment header */
	size_t payload_off;       /* where the fragment's data starts in it */
	size_t payload_len;
};
/**
 * The checks of sf_wire_parse_ip and sf_wire_check_addresses, then the rules
 * of fragments: every one but the last carries a positive multiple of 8
 * bytes, none ends past the largest datagram (65535 bytes of IPv4 total
 * length, of IPv6 payload length), and IPv6's first holds every header up to
 * the upper-layer one (RFC 7112). SF_DROP_NONE with *f filled for a fragment;
 * a whole datagram also gives SF_DROP_NONE, with offset 0 and more false.
 */
enum sf_drop_reason sf_wire_parse_fragment(const uint8_t *dgram, size_t len, struct sf_ip_fragment *f);

/** What an ICMP or ICMPv6 error means to TCP (RFC 9293 §3.9.2.2). */
enum sf_icmp_kind {
	SF_ICMP_UNREACHABLE = 1,  /* destination unreachable (but fragmentation needed) */
	SF_ICMP_PACKET_TOO_BIG,   /* IPv4 fragmentation needed, ICMPv6 packet too big: path MTU */
	SF_ICMP_SOURCE_QUENCH,    /* discarded (MUST-55) */
	SF_ICMP_TIME_EXCEEDED,
	SF_ICMP_PARAM_PROBLEM,
};
struct sf_icmp_error {
	enum sf_icmp_kind kind;
	bool hard;                /* may abort a connection (SHLD-26); else a soft error (MUST-56) */
	int err;                  /* -errno to report, as Linux maps the message */
	uint32_t mtu;             /* SF_ICMP_PACKET_TOO_BIG: the next-hop MTU given (0: none) */
	struct sf_addr reporter;  /* who sent the error */
	struct sf_endpoint local, remote; /* the connection, from the quoted datagram */
	uint32_t seq;             /* the quoted segment's sequence number (RFC 5927 §4.1) */
	uint32_t quoted_len;      /* the quoted datagram's length, as its IP header gives it */
};
/**
 * Parse an ICMP or ICMPv6 error about a TCP segment this host sent (the
 * IP checks of sf_wire_parse, the ICMP checksum, the quoted IP header and
 * the first 8 bytes of TCP). SF_DROP_NOT_TCP when the datagram is not ICMP
 * at all.
 */
enum sf_drop_reason sf_wire_parse_icmp(const uint8_t *dgram, size_t len, struct sf_icmp_error *e);
/** Whether an ICMP (v6 false) or ICMPv6 type is an error message (RFC 792; RFC 4443 §2.1: types below 128). */
bool sf_icmp_type_is_error(bool v6, uint8_t type);
/** The ICMP message after ip (parsed from dgram): its 8-byte header present and its checksum right (SF_DROP_ICMP_*). */
enum sf_drop_reason sf_wire_check_icmp(const uint8_t *dgram, size_t len, const struct sf_ip_view *ip);

/* ICMP types synfin sends or answers (RFC 792, RFC 4443 §2.1). */
enum {
	SF_ICMP4_ECHO_REPLY = 0, SF_ICMP4_DEST_UNREACH = 3, SF_ICMP4_ECHO_REQUEST = 8, SF_ICMP4_TIME_EXCEEDED = 11,
	SF_ICMP4_PARAM_PROBLEM = 12,
	SF_ICMP6_DEST_UNREACH = 1, SF_ICMP6_PACKET_TOO_BIG = 2, SF_ICMP6_TIME_EXCEEDED = 3, SF_ICMP6_PARAM_PROBLEM = 4,
	SF_ICMP6_ECHO_REQUEST = 128, SF_ICMP6_ECHO_REPLY = 129, SF_ICMP6_REDIRECT = 137,
};
#define SF_ICMP_HEADER_LEN 8

/** An ICMP or ICMPv6 message to build (the family is src's). */
struct sf_icmp_out {
	struct sf_addr src, dst;
	uint8_t ttl;          /* 0: 64 */
	uint8_t type, code;
	uint32_t word;        /* the 4 bytes after the checksum: echo identifier and sequence, a pointer, an MTU */
	const uint8_t *body;  /* what follows: echo data, or the quoted datagram */
	size_t body_len;
};
/**
 * Build the datagram for m into buf: the IP header of sf_wire_build_ip
 * (traffic class 0), the ICMP header and body, the checksum computed
 * (ICMPv6's over the RFC 8200 §8.1 pseudo-header, RFC 4443 §2.3). Its
 * length, or 0 if it does not fit in cap or in one datagram, or the
 * addresses' families differ or are unset.
 */
size_t sf_wire_build_icmp(uint8_t *buf, size_t cap, const struct sf_icmp_out *m);
/** Write the IP header for upper_len bytes of protocol proto (TTL 0: 64); its length, 20 or 40. */
size_t sf_wire_build_ip(uint8_t *buf, const struct sf_addr *src, const struct sf_addr *dst, uint8_t tclass, uint8_t ttl,
			uint8_t proto, size_t upper_len);

/** Unicast source and destination, loopback only to loopback (SF_DROP_MARTIAN_*), or SF_DROP_NONE. */
enum sf_drop_reason sf_wire_check_addresses(const struct sf_ip_view *ip);

/** Length of the TCP options that sf_wire_build writes for opt (a multiple of 4, at most 40). */
size_t sf_wire_options_len(const struct sf_tcp_options *opt);

/** Total header length (IP + TCP + options) sf_wire_build writes for seg. */
size_t sf_wire_headers_len(const struct sf_segment *seg);

/**
 * Build a complete datagram for seg into buf: IP header (IPv4 with DF set and
 * TTL/hop limit seg->ttl, 64 if zero), TCP header, options, then the payload
 * (seg->payload, seg->payload_len) followed by the optional tail (tail,
 * tail_len; lets a caller send a range that wraps around a ring buffer without
 * copying it first). Checksums are computed. Returns the datagram length, or 0
 * if cap is too small, the options do not fit in 40 bytes, or the families of
 * src and dst differ or are unset.
 */
size_t sf_wire_build(uint8_t *buf, size_t cap, const struct sf_segment *seg,
		     const uint8_t *tail, size_t tail_len);

/** The RFC 9293 segment length: payload bytes plus one each for SYN and FIN. */
static inline uint32_t sf_segment_seq_len(const struct sf_segment *seg)
{
	return (uint32_t)seg->payload_len + ((seg->flags & SF_TCP_SYN) ? 1u : 0u) +
	       ((seg->flags & SF_TCP_FIN) ? 1u : 0u);
}

/** The sequence number of the segment's first data octet: SEG.SEQ, or SEG.SEQ+1 when a SYN takes the first (RFC 9293 §3.4). */
static inline uint32_t sf_segment_text_seq(const struct sf_segment *seg)
{
	return seg->seq + ((seg->flags & SF_TCP_SYN) ? 1u : 0u);
}

/** Whether addr is the unspecified address of its family (all zero: 0.0.0.0, ::). */
static inline bool sf_addr_is_unspecified(const struct sf_addr *addr)
{
	uint8_t any = 0;
	for (int i = 0; i < 16; i++)
		any |= addr->bytes[i];
	return any == 0;
}

/** Whether addr may appear as a unicast source or destination (not unspecified, multicast, broadcast). */
bool sf_addr_is_unicast(const struct sf_addr *addr);
/* 127.0.0.0/8 or ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
bool sf_addr_is_loopback(const struct sf_addr *addr);

/* Big-endian field access without alignment assumptions. */
static inline uint16_t sf_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t sf_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void sf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void sf_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
