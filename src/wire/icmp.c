/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP and ICMPv6 error messages about TCP (RFC 792, RFC 4443): checked and
 * reduced to what TCP acts on (RFC 9293 §3.9.2.2): the kind of error, the
 * connection it names by the quoted datagram, and the quoted sequence
 * number (by which RFC 5927 tells a real error from a forged one).
 */
#include <errno.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/wire.h"

#define ICMP_HEADER_LEN SF_ICMP_HEADER_LEN

/* The error types TCP acts on (RFC 792, RFC 4443 §2.1). */
enum {
	ICMP_DEST_UNREACH = SF_ICMP4_DEST_UNREACH, ICMP_SOURCE_QUENCH = 4, ICMP_TIME_EXCEEDED = SF_ICMP4_TIME_EXCEEDED,
	ICMP_PARAM_PROBLEM = SF_ICMP4_PARAM_PROBLEM,
	ICMP6_DEST_UNREACH = SF_ICMP6_DEST_UNREACH, ICMP6_PACKET_TOO_BIG = SF_ICMP6_PACKET_TOO_BIG,
	ICMP6_TIME_EXCEEDED = SF_ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROBLEM = SF_ICMP6_PARAM_PROBLEM,
};

/*
 * What each message means for a connection. Soft errors (RFC 9293
 * §3.9.2.2: IPv4 destination unreachable 0, 1, 5, time exceeded, parameter
 * problem; ICMPv6 destination unreachable 0, 3, time exceeded, parameter
 * problem) never abort (MUST-56); hard ones (IPv4 unreachable 2-4, and
 * beyond the RFC's list Linux's icmp_err_convert for the codes it adds)
 * may. The errno is the one Linux reports for the same message.
 */
static void classify_v4(uint8_t type, uint8_t code, struct sf_icmp_error *e)
{
	static const struct { int err; bool hard; } unreach[16] = {
		{ ENETUNREACH, false },  /* 0 net unreachable */
		{ EHOSTUNREACH, false }, /* 1 host unreachable */
		{ ENOPROTOOPT, true },   /* 2 protocol unreachable */
		{ ECONNREFUSED, true },  /* 3 port unreachable */
		{ EMSGSIZE, false },     /* 4 fragmentation needed: path MTU */
		{ EOPNOTSUPP, false },   /* 5 source route failed */
		{ ENETUNREACH, true },   /* 6 network unknown */
		{ EHOSTDOWN, true },     /* 7 host unknown */
		{ ENONET, true },        /* 8 source host isolated */
		{ ENETUNREACH, true },   /* 9 network administratively prohibited */
		{ EHOSTUNREACH, true },  /* 10 host administratively prohibited */
		{ ENETUNREACH, false },  /* 11 network unreachable for TOS */
		{ EHOSTUNREACH, false }, /* 12 host unreachable for TOS */
		{ EHOSTUNREACH, true },  /* 13 communication administratively prohibited */
		{ EHOSTUNREACH, true },  /* 14 host precedence violation */
		{ EHOSTUNREACH, true },  /* 15 precedence cutoff in effect */
	};
	switch (type) {
	case ICMP_DEST_UNREACH:
		e->kind = code == 4 ? SF_ICMP_PACKET_TOO_BIG : SF_ICMP_UNREACHABLE;
		e->err = code < 16 ? -unreach[code].err : -EHOSTUNREACH;
		e->hard = code < 16 && unreach[code].hard;
		break;
	case ICMP_SOURCE_QUENCH:
		e->kind = SF_ICMP_SOURCE_QUENCH;
		break;
	case ICMP_TIME_EXCEEDED:
		e->kind = SF_ICMP_TIME_EXCEEDED;
		e->err = -EHOSTUNREACH;
		break;
	default: /* ICMP_PARAM_PROBLEM */
		e->kind = SF_ICMP_PARAM_PROBLEM;
		e->err = -EPROTO;
		break;
	}
}

static void classify_v6(uint8_t type, uint8_t code, struct sf_icmp_error *e)
{
	/* RFC 4443 §3.1 codes, with Linux's icmpv6_err_convert. */
	static const struct { int err; bool hard; } unreach[7] = {
		{ ENETUNREACH, false },  /* 0 no route to destination */
		{ EACCES, true },        /* 1 administratively prohibited */
		{ EHOSTUNREACH, false }, /* 2 beyond scope of source address */
		{ EHOSTUNREACH, false }, /* 3 address unreachable */
		{ ECONNREFUSED, true },  /* 4 port unreachable */
		{ EACCES, true },        /* 5 source address failed policy */
		{ EACCES, true },        /* 6 reject route to destination */
	};
	switch (type) {
	case ICMP6_DEST_UNREACH:
		e->kind = SF_ICMP_UNREACHABLE;
		e->err = code < 7 ? -unreach[code].err : -EHOSTUNREACH;
		e->hard = code < 7 && unreach[code].hard;
		break;
	case ICMP6_PACKET_TOO_BIG:
		e->kind = SF_ICMP_PACKET_TOO_BIG;
		e->err = -EMSGSIZE;
		break;
	case ICMP6_TIME_EXCEEDED:
		e->kind = SF_ICMP_TIME_EXCEEDED;
		e->err = -EHOSTUNREACH;
		break;
	default: /* ICMP6_PARAM_PROBLEM */
		e->kind = SF_ICMP_PARAM_PROBLEM;
		e->err = -EPROTO;
		break;
	}
}

/*
 * ICMPv6 says it by the type's high bit (RFC 4443 §2.1: 0-127 are errors).
 * ICMP has no such rule: RFC 792's errors are destination unreachable,
 * source quench, redirect, time exceeded and parameter problem (RFC 1122
 * §3.2.2 lists the same); redirect is one too, though TCP does nothing
 * with it.
 */
bool sf_icmp_type_is_error(bool v6, uint8_t type)
{
	if (v6)
		return type < 128;
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == 5 || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAM_PROBLEM;
}

/* The errors TCP acts on (RFC 9293 §3.9.2.2); redirects and unassigned ICMPv6 errors are not among them. */
static bool is_error_for_tcp(bool v6, uint8_t type)
{
	if (v6)
		return type >= ICMP6_DEST_UNREACH && type <= ICMP6_PARAM_PROBLEM;
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAM_PROBLEM;
}

enum sf_drop_reason sf_wire_check_icmp(const uint8_t *dgram, size_t len, const struct sf_ip_view *ip)
{
	bool v6 = ip->src.family == SF_AF_INET6;
	const uint8_t *icmp = dgram + ip->hlen;
	size_t n = len - ip->hlen;

	if (n < ICMP_HEADER_LEN)
		return SF_DROP_ICMP_TRUNCATED;
	/* RFC 4443 §2.3: ICMPv6's checksum covers the RFC 8200 §8.1 pseudo-header. */
	uint32_t sum = v6 ? sf_csum_pseudo_for(&ip->src, &ip->dst, (uint32_t)n, SF_IPPROTO_ICMPV6) : 0;
	if (sf_csum_finish(sf_csum_add(sum, icmp, n)) != 0)
		return SF_DROP_ICMP_CHECKSUM;
	return SF_DROP_NONE;
}

size_t sf_wire_build_icmp(uint8_t *buf, size_t cap, const struct sf_icmp_out *m)
{
	bool v6 = m->src.family == SF_AF_INET6;

	if (m->src.family != m->dst.family || (m->src.family != SF_AF_INET && !v6) || (m->body_len && !m->body))
		return 0;
	size_t ip_hlen = v6 ? SF_IPV6_HEADER_LEN : SF_IPV4_HEADER_LEN;
	/* IPv4's total length covers its header, IPv6's payload length does not. */
	if (m->body_len > 0xffff - ICMP_HEADER_LEN - (v6 ? 0 : ip_hlen))
		return 0;
	size_t n = ICMP_HEADER_LEN + m->body_len;
	if (!buf || cap < ip_hlen + n)
		return 0;
	uint8_t proto = v6 ? SF_IPPROTO_ICMPV6 : SF_IPPROTO_ICMP;
	sf_wire_build_ip(buf, &m->src, &m->dst, 0, m->ttl, proto, n);
	uint8_t *icmp = buf + ip_hlen;
	icmp[0] = m->type;
	icmp[1] = m->code;
	sf_put16(icmp + 2, 0);
	sf_put32(icmp + 4, m->word);
	uint32_t sum = v6 ? sf_csum_pseudo_for(&m->src, &m->dst, (uint32_t)n, proto) : 0;
	sum = sf_csum_add(sum, icmp, ICMP_HEADER_LEN);
	sum += sf_csum_copy(icmp + ICMP_HEADER_LEN, m->body, m->body_len);
	sf_put16(icmp + 2, sf_csum_finish(sum));
	return ip_hlen + n;
}

enum sf_drop_reason sf_wire_parse_icmp(const uint8_t *dgram, size_t len, struct sf_icmp_error *e)
{
	struct sf_ip_view ip, inner;
	enum sf_drop_reason r = sf_wire_parse_ip(dgram, len, &ip);

	memset(e, 0, sizeof *e);
	if (r != SF_DROP_NONE)
		return r;
	bool v6 = ip.src.family == SF_AF_INET6;
	if (ip.proto != (v6 ? SF_IPPROTO_ICMPV6 : SF_IPPROTO_ICMP))
		return SF_DROP_NOT_TCP;
	r = sf_wire_check_addresses(&ip);
	if (r != SF_DROP_NONE)
		return r;
	r = sf_wire_check_icmp(dgram, len, &ip);
	if (r != SF_DROP_NONE)
		return r;
	const uint8_t *icmp = dgram + ip.hlen;
	size_t n = len - ip.hlen;
	uint8_t type = icmp[0], code = icmp[1];
	if (!is_error_for_tcp(v6, type))
		return SF_DROP_ICMP_NOT_AN_ERROR; /* echo and the rest: not TCP's */
	e->reporter = ip.src;
	if (v6)
		classify_v6(type, code, e);
	else
		classify_v4(type, code, e);
	if (e->kind == SF_ICMP_PACKET_TOO_BIG)
		e->mtu = v6 ? sf_get32(icmp + 4) : sf_get16(icmp + 6);

	/*
	 * The quoted datagram: our own, so its source is us and its
	 * destination the peer. An error quotes at least the IP header and
	 * the first 8 bytes beyond it (RFC 792; ICMPv6 as much as fits), which
	 * hold TCP's ports and sequence number. Its lengths need not match the
	 * truncated quote; its checksum is not checked (routers may rewrite).
	 */
	const uint8_t *q = icmp + ICMP_HEADER_LEN;
	size_t qn = n - ICMP_HEADER_LEN;
	memset(&inner, 0, sizeof inner);
	if (!v6) {
		if (qn < SF_IPV4_HEADER_LEN || (q[0] >> 4) != 4)
			return SF_DROP_ICMP_QUOTE;
		inner.hlen = (size_t)(q[0] & 0x0f) * 4;
		if (inner.hlen < SF_IPV4_HEADER_LEN || qn < inner.hlen + 8 || q[9] != SF_IPPROTO_TCP)
			return SF_DROP_ICMP_QUOTE;
		inner.src.family = inner.dst.family = SF_AF_INET;
		memcpy(inner.src.bytes, q + 12, 4);
		memcpy(inner.dst.bytes, q + 16, 4);
		e->quoted_len = sf_get16(q + 2);
	} else {
		/* Only a quote whose next header is TCP itself: synfin sends no
		 * extension headers. */
		if (qn < SF_IPV6_HEADER_LEN + 8 || (q[0] >> 4) != 6 || q[6] != SF_IPPROTO_TCP)
			return SF_DROP_ICMP_QUOTE;
		inner.hlen = SF_IPV6_HEADER_LEN;
		inner.src = sf_addr_v6(q + 8);
		inner.dst = sf_addr_v6(q + 24);
		e->quoted_len = SF_IPV6_HEADER_LEN + (uint32_t)sf_get16(q + 4);
	}
	/* The error comes to the datagram's sender: us, at the quoted source. */
	if (memcmp(&inner.src, &ip.dst, sizeof inner.src) != 0)
		return SF_DROP_ICMP_QUOTE;
	const uint8_t *tcp = q + inner.hlen;
	e->local.addr = inner.src;
	e->local.port = sf_get16(tcp);
	e->remote.addr = inner.dst;
	e->remote.port = sf_get16(tcp + 2);
	e->seq = sf_get32(tcp + 4);
	return SF_DROP_NONE;
}
