/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP out (RFC 792, RFC 1122 §3.2.2, RFC 4443 §2.4): echo replies, and
 * the errors the stack sends about datagrams it cannot take (protocol
 * unreachable, parameter problem, and for reassembly time exceeded). Every
 * message passes one token bucket (cfg.icmp_rate, as Linux's
 * icmp_msgs_per_sec and icmp_msgs_burst; RFC 4443 §2.4(f) requires a
 * limit, RFC 1812 §4.3.2.8 describes it); a second one bounds the errors
 * about TCP the stack acts on (RFC 5927 §4.3).
 */
#include <string.h>

#include "core/service.h"
#include "wire/wire.h"

/* How long an error may be: RFC 1812 §4.3.2.3 (IPv4: as much of the
 * offending datagram as fits in 576 bytes), RFC 4443 §2.4(c) (the IPv6
 * minimum MTU, 1280). */
#define ICMP_ERROR_MAX_V4 576u
#define ICMP_ERROR_MAX_V6 1280u
#define IPV6_HOP_BY_HOP 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_AH 51
#define IPV6_DEST_OPTIONS 60

void sf_icmp_init(struct sf_stack *st)
{
	sf_bucket_fill(st, &st->icmp_out, st->cfg.icmp_burst);
	sf_bucket_fill(st, &st->icmp_err, st->cfg.icmp_error_burst);
}

bool sf_icmp_error_budget(struct sf_stack *st)
{
	return sf_bucket_take(st, &st->icmp_err, st->cfg.icmp_error_rate, st->cfg.icmp_error_burst);
}

/*
 * The one limit on what ICMP sends. Linux exempts echo replies from its
 * (icmp_ratemask covers only the errors); synfin holds them to it too, so
 * that a flood of requests costs the driver at most icmp_rate datagrams a
 * second, whatever it asks for. As Linux, one bucket serves ICMP and
 * ICMPv6, and a message over the limit counts IcmpOutRateLimitGlobal.
 * Unlike Linux the bucket is not randomized: the stack is deterministic.
 */
static bool output_allowed(struct sf_stack *st)
{
	if (sf_bucket_take(st, &st->icmp_out, st->cfg.icmp_rate, st->cfg.icmp_burst))
		return true;
	st->ctr.IcmpOutRateLimitGlobal++;
	return false;
}

/* RFC 4293 icmpStatsOutMsgs and icmpMsgStatsOutPkts, by the names Linux's nstat gives them. */
static void count_out(struct sf_stack *st, bool v6, uint8_t type)
{
	if (v6) {
		st->ctr.Icmp6OutMsgs++;
		switch (type) {
		case SF_ICMP6_ECHO_REPLY: st->ctr.Icmp6OutEchoReplies++; break;
		case SF_ICMP6_DEST_UNREACH: st->ctr.Icmp6OutDestUnreachs++; break;
		case SF_ICMP6_TIME_EXCEEDED: st->ctr.Icmp6OutTimeExcds++; break;
		case SF_ICMP6_PARAM_PROBLEM: st->ctr.Icmp6OutParmProblems++; break;
		default: break;
		}
		return;
	}
	st->ctr.IcmpOutMsgs++;
	switch (type) {
	case SF_ICMP4_ECHO_REPLY: st->ctr.IcmpOutEchoReps++; break;
	case SF_ICMP4_DEST_UNREACH: st->ctr.IcmpOutDestUnreachs++; break;
	case SF_ICMP4_TIME_EXCEEDED: st->ctr.IcmpOutTimeExcds++; break;
	case SF_ICMP4_PARAM_PROBLEM: st->ctr.IcmpOutParmProbs++; break;
	default: break;
	}
}

static void send_icmp(struct sf_stack *st, const struct sf_icmp_out *m)
{
	size_t len = sf_wire_build_icmp(st->out, st->out_cap, m);

	if (len == 0)
		return; /* cannot happen: every message is cut to fit its interface */
	count_out(st, m->src.family == SF_AF_INET6, m->type);
	sf_ip_output(st, st->out, len);
}

/*
 * The reply carries the request's identifier, sequence number and data
 * (RFC 792; RFC 1122 §3.2.2.6 MUST, RFC 4443 §4.2 MUST), from the address
 * the request was sent to (RFC 1122 §3.2.2.6, RFC 4443 §4.2), with the
 * stack's TTL and traffic class 0.
 *
 * Not echoed: the request's IPv4 options. RFC 1122 §3.2.2.6 says a Record
 * Route or Timestamp option SHOULD be updated and returned, and Linux does
 * (icmp_reply calls ip_options_echo). synfin declines the SHOULD: a
 * Timestamp wants milliseconds since midnight UT, which a stack with no
 * wall clock does not have; Record Route alone maps the path and the
 * host's addresses for a prober (RFC 7126 §4.5, §4.7 on both), and without
 * options every reply has the plain 20-byte header. Source-routed requests never get here
 * (RFC 7126 §4.3, §4.4: dropped by the wire layer).
 *
 * A request whose reply would not fit the interface's MTU is answered
 * with its data cut to fit: RFC 1122 §3.2.2.6 asks exactly that of a host
 * that does not fragment on output ("the datagram MUST be truncated to
 * maximum transmission size"), and synfin fragments nothing. For ICMPv6,
 * RFC 4443 §4.2 wants the data returned entire, which would take the
 * fragmentation synfin lacks; the same cut is the lesser departure (ping
 * reports a short reply rather than none).
 */
enum sf_drop_reason sf_icmp_echo(struct sf_stack *st, const uint8_t *dgram, size_t len, const struct sf_ip_view *ip)
{
	bool v6 = ip->src.family == SF_AF_INET6;
	uint32_t id = sf_local_id(st, &ip->dst);

	if (id == UINT32_MAX)
		return SF_DROP_NOT_LOCAL;
	/* A reply to a subnet broadcast or to ourselves would be a smurf
	 * amplifier or a loop (RFC 1122 §3.2.1.3, §3.2.2). */
	enum sf_drop_reason r = sf_source_check(st, &ip->src);
	if (r != SF_DROP_NONE)
		return r;
	if (!output_allowed(st))
		return SF_DROP_ICMP_RATE_LIMITED;
	const uint8_t *icmp = dgram + ip->hlen;
	size_t data = len - ip->hlen - SF_ICMP_HEADER_LEN;
	size_t room = st->locals[id].mtu - (v6 ? SF_IPV6_HEADER_LEN : SF_IPV4_HEADER_LEN) - SF_ICMP_HEADER_LEN;
	struct sf_icmp_out m = {
		.src = ip->dst, .dst = ip->src, .ttl = st->cfg.ttl,
		.type = v6 ? SF_ICMP6_ECHO_REPLY : SF_ICMP4_ECHO_REPLY, .code = 0,
		.word = sf_get32(icmp + 4), /* identifier and sequence number */
		.body = icmp + SF_ICMP_HEADER_LEN, .body_len = data < room ? data : room,
	};
	send_icmp(st, &m);
	return SF_DROP_NONE;
}

/*
 * The upper-layer protocol of an IPv6 datagram, past the extension headers
 * whose length it can read, into *proto and its offset into *off; false for
 * a fragment other than the first, about which no error goes (its upper
 * header is not there to judge, and RFC 8200 §4.5 sends even Time Exceeded
 * only for a first fragment). A chain that runs out of bytes ends at the
 * header it could not read, which is not ICMPv6.
 */
static bool ipv6_upper(const uint8_t *d, size_t len, uint8_t *proto, size_t *off)
{
	uint8_t nh = d[6];
	size_t at = SF_IPV6_HEADER_LEN;

	for (;;) {
		size_t hl;
		if (len - at < 8)
			break;
		switch (nh) {
		case IPV6_HOP_BY_HOP: case IPV6_ROUTING: case IPV6_DEST_OPTIONS:
			hl = ((size_t)d[at + 1] + 1) * 8; /* RFC 8200 §4.3, §4.4, §4.6 */
			break;
		case IPV6_FRAGMENT:
			if (sf_get16(d + at + 2) & 0xfff8) /* RFC 8200 §4.5: a fragment offset */
				return false;
			hl = 8;
			break;
		case IPV6_AH:
			hl = ((size_t)d[at + 1] + 2) * 4; /* RFC 4302 §2.2 */
			break;
		default:
			*proto = nh;
			*off = at;
			return true;
		}
		if (hl > len - at)
			break;
		nh = d[at];
		at += hl;
	}
	*proto = nh;
	*off = at;
	return true;
}

void sf_icmp_send_error(struct sf_stack *st, const uint8_t *off, size_t len, uint8_t type, uint8_t code,
			uint32_t param)
{
	struct sf_addr src = { 0 }, dst = { 0 };
	uint8_t proto;
	size_t hlen;

	if (!off || len < 1)
		return;
	unsigned version = off[0] >> 4;
	if (version == 4) {
		if (len < SF_IPV4_HEADER_LEN)
			return;
		hlen = (size_t)(off[0] & 0x0f) * 4;
		/* RFC 1122 §3.2.2: not about "a non-initial fragment". */
		if (hlen < SF_IPV4_HEADER_LEN || hlen > len || (sf_get16(off + 6) & 0x1fff))
			return;
		proto = off[9];
		src.family = dst.family = SF_AF_INET;
		memcpy(src.bytes, off + 12, 4);
		memcpy(dst.bytes, off + 16, 4);
	} else if (version == 6) {
		if (len < SF_IPV6_HEADER_LEN || !ipv6_upper(off, len, &proto, &hlen))
			return;
		src = sf_addr_v6(off + 8);
		dst = sf_addr_v6(off + 24);
	} else {
		return;
	}
	bool v6 = version == 6;
	/* RFC 1122 §3.2.2, RFC 4443 §2.4(e.3): not about a datagram to a
	 * multicast or broadcast address (synfin joins no group, so the RFC
	 * 4443 exceptions for one never arise); nor (§3.2.2, (e.6)) to a
	 * source that names no single host, or that is our own. */
	if (!sf_addr_is_unicast(&dst) || sf_is_subnet_broadcast(st, &dst))
		return;
	if (!sf_addr_is_unicast(&src) || (sf_addr_is_loopback(&src) && !sf_addr_is_loopback(&dst)) ||
	    sf_source_check(st, &src) != SF_DROP_NONE)
		return;
	/* RFC 1122 §3.2.2, RFC 4443 §2.4(e.1), (e.2): never about an ICMP
	 * error or an ICMPv6 redirect, so two hosts cannot answer each other's
	 * errors for ever. A message too short to show its type is not judged
	 * harmless. */
	if (proto == (v6 ? SF_IPPROTO_ICMPV6 : SF_IPPROTO_ICMP)) {
		if (hlen >= len || sf_icmp_type_is_error(v6, off[hlen]) || (v6 && off[hlen] == SF_ICMP6_REDIRECT))
			return;
	}
	/* From the address the datagram came to, or the one we would use
	 * toward its sender (RFC 6724) when it came to none of ours. */
	uint32_t id = sf_local_id(st, &dst);
	if (id == UINT32_MAX)
		id = sf_select_source(st, &src);
	if (id == UINT32_MAX || !output_allowed(st))
		return;
	size_t max = v6 ? ICMP_ERROR_MAX_V6 : ICMP_ERROR_MAX_V4;
	size_t room = max - (v6 ? SF_IPV6_HEADER_LEN : SF_IPV4_HEADER_LEN) - SF_ICMP_HEADER_LEN;
	struct sf_icmp_out m = {
		.src = st->locals[id].addr, .dst = src, .ttl = st->cfg.ttl, .type = type, .code = code, .word = param,
		.body = off, .body_len = len < room ? len : room,
	};
	send_icmp(st, &m);
}
