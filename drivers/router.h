/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * The datagrams a simulated router reads and makes: IPv4 and IPv6 headers
 * read as a router reads them, ICMP and ICMPv6 errors (RFC 792, RFC 1191,
 * RFC 4443, with RFC 1812 §4.3.2's rules for routers) and IPv4 fragments
 * (RFC 791). The simulator's routers use them (sim.c), and so do tests that
 * forge an error or check one. A driver: it knows nothing of the library's
 * internals, only the datagram formats.
 */
#ifndef SYNFIN_ROUTER_H
#define SYNFIN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

/** IPv4 protocol number of ICMP (RFC 792). */
#define SF_SIM_IPPROTO_ICMP 1
/** IPv4 protocol and IPv6 next header number of TCP (RFC 9293). */
#define SF_SIM_IPPROTO_TCP 6
/** IPv6 next header number of ICMPv6 (RFC 4443). */
#define SF_SIM_IPPROTO_ICMPV6 58

/* RFC 792 and RFC 4443 §2.1 type numbers of the errors a router sends. */
/** ICMP destination unreachable (RFC 792); code 4: fragmentation needed and DF set (RFC 1191). */
#define SF_SIM_ICMP_DEST_UNREACH 3
/** ICMPv6 destination unreachable (RFC 4443 §3.1). */
#define SF_SIM_ICMP6_DEST_UNREACH 1
/** ICMPv6 packet too big (RFC 4443 §3.2). */
#define SF_SIM_ICMP6_PACKET_TOO_BIG 2

/** The most an ICMP error may be, in bytes: RFC 1812 §4.3.2.3. */
#define SF_SIM_ICMP_MAX 576
/** The most an ICMPv6 error may be, in bytes: RFC 4443 §2.4 (c), the IPv6 minimum MTU. */
#define SF_SIM_ICMP6_MAX 1280

/** What a router reads of an IP header. \headerfile router.h <synfin/router.h> */
struct sf_sim_ip {
	int version;      /**< 4 or 6 */
	size_t hlen;      /**< the IPv4 header with its options; 40 for IPv6 */
	uint8_t proto;    /**< IPv4 protocol; IPv6 next header (no extension header is walked) */
	bool df;          /**< IPv4 don't fragment; true for IPv6, which routers never fragment */
	bool mf;          /**< IPv4 more fragments */
	uint16_t offset;  /**< IPv4 fragment offset, in 8-byte units */
	struct sf_addr src; /**< the source address */
	struct sf_addr dst; /**< the destination address */
};

/**
 * Read the header of dgram as a router must before it acts on it: the
 * version, a length field that matches len, and for IPv4 an IHL of at least
 * 5 and a correct header checksum (RFC 1812 §5.2.2). 0, or -EINVAL.
 */
int sf_sim_ip_read(const uint8_t *dgram, size_t len, struct sf_sim_ip *ip);

/**
 * Whether RFC 1812 §4.3.2.7 (IPv4) or RFC 4443 §2.4 (e) (IPv6) lets a
 * router send an ICMP error of this type about dgram: never about an ICMP
 * error, a fragment other than the first, a datagram from an address that
 * names no single host (unspecified, multicast, broadcast), or (but for
 * packet too big) one sent to a multicast or broadcast address.
 */
bool sf_sim_icmp_may_answer(const struct sf_sim_ip *ip, const uint8_t *dgram, size_t len, uint8_t type);

/** An ICMP or ICMPv6 error to build. \headerfile router.h <synfin/router.h> */
struct sf_sim_icmp {
	struct sf_addr src; /**< the reporter (a router's own address); its family picks ICMP or ICMPv6 */
	uint8_t type;       /**< the ICMP or ICMPv6 type (SF_SIM_ICMP_DEST_UNREACH, ...) */
	uint8_t code;       /**< the code within the type */
	uint32_t word;      /**< the 4 bytes after the checksum: RFC 1191 §4's next-hop MTU (low 16 bits), RFC 4443 §3.1's MTU */
	uint16_t ip_id;     /**< the IPv4 identification */
};

/**
 * The error m about the datagram about (its first about_len bytes, at
 * least its IP header), sent to about's source address: an IPv4 header
 * (precedence 6, RFC 1812 §4.3.2.5; TTL 64) or an IPv6 header (hop limit
 * 64), the ICMP header, and as much of about as the limit of 576 (IPv4) or
 * 1280 (IPv6) bytes leaves room for; both checksums right (ICMPv6's over
 * RFC 8200 §8.1's pseudo-header). Returns the length written to out, or 0
 * if about is not a datagram of m->src's family or cap is too small.
 */
size_t sf_sim_icmp_build(uint8_t *out, size_t cap, const struct sf_sim_icmp *m, const uint8_t *about, size_t about_len);

/** Called with each fragment in turn; the buffer is the caller's until it returns. 0, or a negative errno to stop. */
typedef int (*sf_sim_fragment_fn)(void *ctx, const uint8_t *frag, size_t len);

/**
 * Split an IPv4 datagram whose DF is clear into fragments of at most mtu
 * bytes (RFC 791 §3.2): each one's data a multiple of 8 bytes but the last,
 * its header copied (options only in the first, but those whose copied flag
 * is set), MF and the offset set (counted from the datagram's own offset,
 * so a fragment is split again rightly), its header checksum computed
 * afresh. Returns the number of fragments, or -EINVAL (not IPv4, DF set,
 * unreadable, or an MTU too small for a header and 8 bytes), or the first
 * error emit returned.
 */
int sf_sim_fragment(const uint8_t *dgram, size_t len, uint32_t mtu, sf_sim_fragment_fn emit, void *ctx);

/** The Internet checksum (RFC 1071) of n bytes: 0 over bytes that carry a right one. */
uint16_t sf_sim_checksum(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
