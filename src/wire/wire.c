/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire layer: validating parse and build of IPv4/IPv6 + TCP datagrams.
 *
 * Every length is checked against the bytes actually present before the field
 * it guards is read; a bad datagram is answered with the one drop reason of
 * the first check it fails, in the order documented in wire.h's contract.
 */
#include <string.h>

#include "wire/checksum.h"
#include "wire/wire.h"

#define IPV4_DF 0x4000u
#define IPV4_MF 0x2000u
#define IPV4_FRAG_OFFSET 0x1fffu
#define IP_MAX_LEN 0xffffu
#define DEFAULT_TTL 64

bool sf_addr_is_unicast(const struct sf_addr *addr)
{
	static const uint8_t zero[16];
	static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *b = addr->bytes;

	switch (addr->family) {
	case SF_AF_INET:
		/*
		 * 0.0.0.0/8 is "this network" and only a source during
		 * bootstrap (RFC 1122 §3.2.1.3); 224.0.0.0/4 is multicast and
		 * 240.0.0.0/4 reserved, which also covers the limited broadcast
		 * 255.255.255.255 (RFC 1122 §3.2.1.3, RFC 1112 §4).
		 */
		return b[0] != 0 && b[0] < 224;
	case SF_AF_INET6:
		/* The unspecified address (RFC 4291 §2.5.2) is never a peer. */
		if (memcmp(b, zero, 16) == 0)
			return false;
		/* ff00::/8 is multicast (RFC 4291 §2.7). */
		if (b[0] == 0xff)
			return false;
		/*
		 * IPv4-mapped addresses only represent IPv4 peers inside a
		 * host's API; on the wire they are a spoofing vector
		 * (RFC 4942 §2.2).
		 */
		if (memcmp(b, mapped_prefix, sizeof(mapped_prefix)) == 0)
			return false;
		return true;
	default:
		return false;
	}
}

/*
 * Parse the options area (RFC 9293 §3.2). EOL ends the list, NOP is a single
 * byte, every other kind carries a length that counts its kind and length
 * bytes. Lengths are checked against the area before anything is read.
 */
static enum sf_drop_reason parse_options(const uint8_t *o, size_t n, struct sf_tcp_options *opt)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = o[i];
		size_t olen;
		unsigned int k;

		if (kind == SF_TCPOPT_EOL)
			break;
		if (kind == SF_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2)
			return SF_DROP_TCP_OPT_LENGTH;
		olen = o[i + 1];
		if (olen < 2 || olen > n - i)
			return SF_DROP_TCP_OPT_LENGTH;
		/* A repeated option simply overwrites: the last one wins. */
		switch (kind) {
		case SF_TCPOPT_MSS: /* RFC 9293 §3.2 */
			if (olen != 4)
				return SF_DROP_TCP_OPT_MSS;
			opt->has_mss = true;
			opt->mss = sf_get16(o + i + 2);
			break;
		case SF_TCPOPT_WSCALE: /* RFC 7323 §2.2 */
			if (olen != 3)
				return SF_DROP_TCP_OPT_WSCALE;
			opt->has_wscale = true;
			opt->wscale = o[i + 2];
			break;
		case SF_TCPOPT_SACK_PERM: /* RFC 2018 §2 */
			if (olen != 2)
				return SF_DROP_TCP_OPT_SACK_PERM;
			opt->sack_permitted = true;
			break;
		case SF_TCPOPT_SACK:
			/*
			 * RFC 2018 §3: 2 + 8n bytes. A 40-byte options area
			 * cannot hold n > 4, but the bound is kept because it
			 * is what keeps the copy inside opt->sack[].
			 */
			if (olen < 10 || (olen - 2) % 8 != 0 ||
			    (olen - 2) / 8 > SF_TCP_MAX_SACK_BLOCKS)
				return SF_DROP_TCP_OPT_SACK;
			opt->sack_count = (uint8_t)((olen - 2) / 8);
			for (k = 0; k < opt->sack_count; k++) {
				opt->sack[k].left = sf_get32(o + i + 2 + 8 * k);
				opt->sack[k].right = sf_get32(o + i + 6 + 8 * k);
			}
			break;
		case SF_TCPOPT_TIMESTAMP: /* RFC 7323 §3.2 */
			if (olen != 10)
				return SF_DROP_TCP_OPT_TIMESTAMP;
			opt->has_timestamp = true;
			opt->ts_val = sf_get32(o + i + 2);
			opt->ts_ecr = sf_get32(o + i + 6);
			break;
		default:
			/* Unknown kinds are skipped by their length (RFC 9293 §3.1). */
			break;
		}
		i += olen;
	}
	return SF_DROP_NONE;
}

#define IPV4_OPT_EOL 0
#define IPV4_OPT_NOP 1
#define IPV4_OPT_LSRR 131
#define IPV4_OPT_SSRR 137

/*
 * IPv4 options (RFC 791 §3.1): every option but EOL and NOP carries a
 * length that counts its type and length bytes. Options synfin does not
 * understand are ignored (RFC 9293 MUST-50), except source routes: synfin
 * does no source routing (RFC 9293 §3.9.2.1 therefore has nothing to
 * honour), and RFC 7126 §4.3 and §4.4 advise dropping datagrams that
 * carry one, as Linux does by default (accept_source_route = 0).
 */
static enum sf_drop_reason check_ipv4_options(const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t type = o[i];
		if (type == IPV4_OPT_EOL)
			break;
		if (type == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i)
			return SF_DROP_IPV4_OPTIONS;
		if (type == IPV4_OPT_LSRR || type == IPV4_OPT_SSRR)
			return SF_DROP_IPV4_SOURCE_ROUTE;
		i += o[i + 1];
	}
	return SF_DROP_NONE;
}

/*
 * 127.0.0.0/8 and ::1 never come from a network (RFC 1122 §3.2.1.3: "MUST
 * NOT appear outside a host"): a loopback source is accepted only on a
 * datagram to a loopback address, a stack talking to itself.
 */
bool sf_addr_is_loopback(const struct sf_addr *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	return a->family == SF_AF_INET ? a->bytes[0] == 127 : memcmp(a->bytes, v6_loopback, 16) == 0;
}

#define IPV6_HOP_BY_HOP 0
#define IPV6_ROUTING 43
#define IPV6_DEST_OPTIONS 60

static bool is_ipv6_ext_header(uint8_t nh)
{
	/*
	 * Hop-by-hop, routing, fragment, ESP, AH, destination options,
	 * mobility, HIP, shim6 and the two experimental values
	 * (RFC 8200 §4, IANA "IPv6 Extension Header Types").
	 */
	switch (nh) {
	case 0: case 43: case 44: case 50: case 51: case 60:
	case 135: case 139: case 140: case 253: case 254:
		return true;
	default:
		return false;
	}
}

/*
 * Where a walk of the IPv6 header chain stands: the next header nh starts at
 * at, and the byte naming it is at nh_at; count headers were walked so far.
 * A first fragment's walk goes on past its Fragment header (in_fragment),
 * where a header cut short means the fragment was, not the datagram.
 */
struct v6_walk {
	size_t at, nh_at;
	uint8_t nh;
	uint8_t count;
	bool in_fragment;
	uint16_t opt_ptr;   /* SF_DROP_IPV6_OPTION: where the option is (RFC 8200 §4.2's Parameter Problem pointer) */
	uint8_t opt_action; /* ... and its type's two high bits */
};

/*
 * The options of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2):
 * Pad1 is one byte, every other option a type, a length and its data. An
 * option synfin does not know is skipped if the two high bits of its type
 * say so (00), and discards the datagram otherwise (RFC 9293 MUST-50 ignores
 * what IPv6 lets be ignored, no more). The discarding option's place (from
 * the datagram's start, base is where o lies) and those two bits go into ip:
 * 10 and 11 ask for a Parameter Problem pointing at it.
 */
static enum sf_drop_reason check_ipv6_options(const uint8_t *o, size_t n, size_t base, struct v6_walk *w)
{
	size_t i = 0;

	while (i < n) {
		uint8_t type = o[i];
		if (type == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] > n - i - 2)
			return SF_DROP_IPV6_EXT_MALFORMED;
		if (type != 1 && (type >> 6) != 0) { /* PadN, or "skip over this option" */
			w->opt_ptr = (uint16_t)(base + i);
			w->opt_action = (uint8_t)(type >> 6);
			return SF_DROP_IPV6_OPTION;
		}
		i += 2 + (size_t)o[i + 1];
	}
	return SF_DROP_NONE;
}

#define IPV6_FRAGMENT_HDR 44
#define IPV6_FRAGMENT_HDR_LEN 8
#define IPV6_FRAG_OFFSET 0xfff8u
#define IPV6_FRAG_M 0x0001u
#define IPV6_RH_TYPE0 0


/*
 * Walk the extension headers after the IPv6 header (RFC 8200 §4): Hop-by-Hop
 * (first only), Destination Options and a Routing header with no segments
 * left are processed and passed, and so is an atomic fragment's Fragment
 * header (offset 0, M 0: RFC 6946 §4, not a fragment at all); a Routing
 * header with segments left (synfin does not forward), ESP, AH and the rest
 * end the walk with a drop, and a Fragment header with SF_DROP_IPV6_FRAGMENT
 * (at standing on it) for reassembly. On success w->nh is the upper-layer
 * protocol and w->at where its header starts.
 */
static enum sf_drop_reason walk_ipv6_headers(const uint8_t *d, size_t len, struct v6_walk *w)
{
	enum sf_drop_reason cut = w->in_fragment ? SF_DROP_FRAG_HEADERS_INCOMPLETE : SF_DROP_IPV6_EXT_MALFORMED;

	for (;;) {
		uint8_t nh = w->nh;
		size_t at = w->at, hlen;

		if (!is_ipv6_ext_header(nh))
			return SF_DROP_NONE;
		/* A bound on the work one datagram can ask for: no host needs
		 * more than a few (RFC 8200 §4.1 lists six kinds, each once,
		 * Destination Options at most twice). */
		if (++w->count > SF_IPV6_MAX_EXT_HEADERS)
			return SF_DROP_IPV6_EXT_CHAIN_LONG;
		if (nh == IPV6_FRAGMENT_HDR) {
			/* RFC 8200 §4.5: a fixed 8 bytes, no length field. */
			if (len - at < IPV6_FRAGMENT_HDR_LEN)
				return cut;
			if ((sf_get16(d + at + 2) & (IPV6_FRAG_OFFSET | IPV6_FRAG_M)) != 0) {
				/* Inside a fragment, a second one (RFC 8200 §4.1: once). */
				return w->in_fragment ? SF_DROP_IPV6_EXT_MALFORMED : SF_DROP_IPV6_FRAGMENT;
			}
			hlen = IPV6_FRAGMENT_HDR_LEN;
		} else {
			if (nh != IPV6_HOP_BY_HOP && nh != IPV6_DEST_OPTIONS && nh != IPV6_ROUTING)
				return SF_DROP_IPV6_EXT_HEADER;
			if (nh == IPV6_HOP_BY_HOP && w->count != 1)
				return SF_DROP_IPV6_EXT_MALFORMED;
			/* Each header is (Hdr Ext Len + 1) 8-byte units, at least 8 bytes. */
			if (len - at < 8 || (size_t)(d[at + 1] + 1) * 8 > len - at)
				return cut;
			hlen = (size_t)(d[at + 1] + 1) * 8;
			if (nh == IPV6_ROUTING) {
				/* Segments left: only a router would go on. RFC 5095
				 * §3 deprecates type 0 and has it treated as an
				 * unknown type (RFC 8200 §4.4: skipped with none
				 * left); it gets its reason, being an attack's. */
				if (d[at + 3] != 0)
					return d[at + 2] == IPV6_RH_TYPE0 ? SF_DROP_IPV6_ROUTING_TYPE0 : SF_DROP_IPV6_EXT_HEADER;
			} else {
				enum sf_drop_reason r = check_ipv6_options(d + at + 2, hlen - 2, at + 2, w);
				if (r != SF_DROP_NONE)
					return r;
			}
		}
		w->nh = d[at];
		w->nh_at = at;
		w->at = at + hlen;
	}
}

/*
 * The IP header; the addresses into src and dst, which the caller has zeroed
 * (an IPv4 address fills only the first 4 of its 16 bytes). Inline, and
 * with the addresses apart: the TCP fast path parses into its segment in
 * place.
 */
#if defined(__GNUC__)
#define SF_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SF_ALWAYS_INLINE inline
#endif

static SF_ALWAYS_INLINE enum sf_drop_reason parse_ip(const uint8_t *dgram, size_t len, struct sf_ip_view *ip, struct sf_addr *src,
					    struct sf_addr *dst)
{
	enum sf_drop_reason r;

	if (len < 1)
		return SF_DROP_TRUNCATED;
	uint8_t version = dgram[0] >> 4;
	if (version == 4) {
		/* RFC 791 §3.1 */
		if (len < SF_IPV4_HEADER_LEN)
			return SF_DROP_TRUNCATED;
		ip->hlen = (size_t)(dgram[0] & 0x0f) * 4;
		if (ip->hlen < SF_IPV4_HEADER_LEN || ip->hlen > len)
			return SF_DROP_IPV4_IHL;
		/*
		 * Link-layer padding is the driver's business: the datagram
		 * handed in must be exactly the total length.
		 */
		size_t total = sf_get16(dgram + 2);
		if (total != len || total < ip->hlen)
			return SF_DROP_IP_LENGTH;
		if (sf_csum_finish(sf_csum_add(0, dgram, ip->hlen)) != 0)
			return SF_DROP_IPV4_CHECKSUM;
		if (ip->hlen > SF_IPV4_HEADER_LEN) {
			r = check_ipv4_options(dgram + SF_IPV4_HEADER_LEN, ip->hlen - SF_IPV4_HEADER_LEN);
			if (r != SF_DROP_NONE)
				return r;
		}
		ip->proto = dgram[9];
		ip->nh_off = 9;
		ip->ttl = dgram[8];
		ip->tclass = dgram[1];
		src->family = SF_AF_INET;
		memcpy(src->bytes, dgram + 12, 4);
		dst->family = SF_AF_INET;
		memcpy(dst->bytes, dgram + 16, 4);
		/* A fragment has passed every check of its header: the caller
		 * hands it to reassembly (sf_wire_parse_fragment). */
		if (sf_get16(dgram + 6) & (IPV4_MF | IPV4_FRAG_OFFSET))
			return SF_DROP_IPV4_FRAGMENT;
	} else if (version == 6) {
		/* RFC 8200 §3 */
		if (len < SF_IPV6_HEADER_LEN)
			return SF_DROP_TRUNCATED;
		ip->hlen = SF_IPV6_HEADER_LEN;
		/* Payload length 0 announces a jumbogram (RFC 2675): unsupported. */
		size_t plen = sf_get16(dgram + 4);
		if (plen == 0 || plen + SF_IPV6_HEADER_LEN != len)
			return SF_DROP_IP_LENGTH;
		ip->proto = dgram[6];
		ip->nh_off = 6;
		ip->ttl = dgram[7];
		ip->tclass = (uint8_t)(sf_get16(dgram) >> 4);
		*src = sf_addr_v6(dgram + 8);
		*dst = sf_addr_v6(dgram + 24);
		if (ip->proto != SF_IPPROTO_TCP) {
			struct v6_walk w = { .at = SF_IPV6_HEADER_LEN, .nh_at = 6, .nh = dgram[6] };
			r = walk_ipv6_headers(dgram, len, &w);
			ip->opt_ptr = w.opt_ptr;
			ip->opt_action = w.opt_action;
			if (r != SF_DROP_NONE)
				return r;
			ip->hlen = w.at;
			ip->proto = w.nh;
			ip->nh_off = (uint16_t)w.nh_at;
		}
	} else {
		return SF_DROP_IP_VERSION;
	}
	return SF_DROP_NONE;
}

enum sf_drop_reason sf_wire_parse_ip(const uint8_t *dgram, size_t len, struct sf_ip_view *ip)
{
	memset(ip, 0, sizeof *ip);
	return parse_ip(dgram, len, ip, &ip->src, &ip->dst);
}

static inline enum sf_drop_reason check_addresses(const struct sf_addr *src, const struct sf_addr *dst)
{
	if (!sf_addr_is_unicast(src) || (sf_addr_is_loopback(src) && !sf_addr_is_loopback(dst)))
		return SF_DROP_MARTIAN_SOURCE;
	if (!sf_addr_is_unicast(dst))
		return SF_DROP_MARTIAN_DEST;
	return SF_DROP_NONE;
}

enum sf_drop_reason sf_wire_check_addresses(const struct sf_ip_view *ip)
{
	return check_addresses(&ip->src, &ip->dst);
}

/* The upper-layer header a first fragment must hold (RFC 7112 §5, RFC 8200
 * §4.5), as Linux's ipv6frag_thdr_truncated: the fixed part of those it knows. */
static size_t upper_header_len(uint8_t proto)
{
	switch (proto) {
	case SF_IPPROTO_TCP:
		return SF_TCP_HEADER_LEN;
	case SF_IPPROTO_UDP:
	case SF_IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

enum sf_drop_reason sf_wire_parse_fragment(const uint8_t *dgram, size_t len, struct sf_ip_fragment *f)
{
	struct sf_ip_view ip;

	memset(f, 0, sizeof *f);
	memset(&ip, 0, sizeof ip);
	enum sf_drop_reason r = parse_ip(dgram, len, &ip, &ip.src, &ip.dst);
	if (r == SF_DROP_NONE)
		return r; /* whole already: offset 0, more 0 */
	if (r != SF_DROP_IPV4_FRAGMENT && r != SF_DROP_IPV6_FRAGMENT)
		return r;
	r = check_addresses(&ip.src, &ip.dst);
	if (r != SF_DROP_NONE)
		return r;
	f->src = ip.src;
	f->dst = ip.dst;
	f->ttl = ip.ttl;
	f->tclass = ip.tclass;
	size_t room; /* how long the reassembled data may be */
	if (ip.src.family == SF_AF_INET) {
		/* RFC 791 §3.1: the offset counts 8-byte units; MF. */
		uint16_t frag = sf_get16(dgram + 6);
		f->id = sf_get16(dgram + 4);
		f->proto = dgram[9];
		f->offset = (uint32_t)(frag & IPV4_FRAG_OFFSET) * 8;
		f->more = (frag & IPV4_MF) != 0;
		f->unfrag_len = ip.hlen;
		f->payload_off = ip.hlen;
		/* The total length field holds the whole datagram, header too. */
		room = IP_MAX_LEN - ip.hlen;
	} else {
		/* The walk again, now to stand on the Fragment header. */
		struct v6_walk w = { .at = SF_IPV6_HEADER_LEN, .nh_at = 6, .nh = dgram[6] };
		(void)walk_ipv6_headers(dgram, len, &w); /* gives SF_DROP_IPV6_FRAGMENT, as parse_ip saw */
		const uint8_t *fh = dgram + w.at;
		uint16_t off = sf_get16(fh + 2);
		f->id = sf_get32(fh + 4);
		f->proto = fh[0];
		f->offset = off & IPV6_FRAG_OFFSET; /* 13 bits of 8-byte units, in place */
		f->more = (off & IPV6_FRAG_M) != 0;
		f->unfrag_len = w.at;
		f->nh_at = w.nh_at;
		f->payload_off = w.at + IPV6_FRAGMENT_HDR_LEN;
		/* The payload length field holds all but the fixed header. */
		room = IP_MAX_LEN - (w.at - SF_IPV6_HEADER_LEN);
		if (f->offset == 0) {
			/* RFC 8200 §4.5, RFC 7112 §5: the first fragment holds
			 * the whole chain through the upper-layer header. */
			w.nh = fh[0];
			w.nh_at = w.at;
			w.at = f->payload_off;
			w.in_fragment = true;
			r = walk_ipv6_headers(dgram, len, &w);
			if (r != SF_DROP_NONE)
				return r;
			if (len - w.at < upper_header_len(w.nh))
				return SF_DROP_FRAG_HEADERS_INCOMPLETE;
		}
	}
	f->payload_len = len - f->payload_off;
	/* RFC 791 §3.2 "fragment ... on 8 octet boundary", RFC 8200 §4.5:
	 * every fragment but the last carries a multiple of 8 bytes (and an
	 * empty one would only take a queue). */
	if (f->more && (f->payload_len == 0 || f->payload_len % 8 != 0))
		return SF_DROP_FRAG_BAD_LENGTH;
	/* RFC 8200 §4.5: a fragment whose end would take the reassembled
	 * length past 65535 is discarded; the same bound holds for IPv4. */
	if (f->offset + f->payload_len > room)
		return SF_DROP_FRAG_TOO_LONG;
	return SF_DROP_NONE;
}

enum sf_drop_reason sf_wire_parse(const uint8_t *dgram, size_t len, struct sf_segment *seg)
{
	const uint8_t *tcp;
	size_t ip_hlen, tcp_len, doff;
	uint32_t sum;
	enum sf_drop_reason r;
	struct sf_ip_view ip;

	/* Zero first so that unused address bytes and absent options are 0. */
	memset(seg, 0, sizeof(*seg));
	r = parse_ip(dgram, len, &ip, &seg->src, &seg->dst);
	if (r != SF_DROP_NONE)
		return r;
	if (ip.proto != SF_IPPROTO_TCP)
		return SF_DROP_NOT_TCP;
	r = check_addresses(&seg->src, &seg->dst);
	if (r != SF_DROP_NONE)
		return r;
	ip_hlen = ip.hlen;
	seg->ttl = ip.ttl;
	seg->tclass = ip.tclass;

	/* RFC 9293 §3.1 */
	tcp = dgram + ip_hlen;
	tcp_len = len - ip_hlen;
	if (tcp_len < SF_TCP_HEADER_LEN)
		return SF_DROP_TCP_TRUNCATED;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < SF_TCP_HEADER_LEN || doff > tcp_len)
		return SF_DROP_TCP_DATA_OFFSET;
	/* Summing a correct checksum in with the rest gives all ones. */
	sum = sf_csum_pseudo(&seg->src, &seg->dst, (uint32_t)tcp_len);
	sum = sf_csum_add(sum, tcp, tcp_len);
	if (sf_csum_finish(sum) != 0)
		return SF_DROP_TCP_CHECKSUM;
	seg->sport = sf_get16(tcp);
	seg->dport = sf_get16(tcp + 2);
	/* Port 0 is reserved and never a valid endpoint (RFC 6335 §6). */
	if (seg->sport == 0 || seg->dport == 0)
		return SF_DROP_TCP_PORT_ZERO;
	seg->flags = tcp[13];
	if ((seg->flags & (SF_TCP_SYN | SF_TCP_RST)) == (SF_TCP_SYN | SF_TCP_RST))
		return SF_DROP_TCP_FLAGS_SYN_RST;
	seg->seq = sf_get32(tcp + 4);
	seg->ack = sf_get32(tcp + 8);
	seg->window = sf_get16(tcp + 14);
	seg->urgent = sf_get16(tcp + 18);
	r = parse_options(tcp + SF_TCP_HEADER_LEN, doff - SF_TCP_HEADER_LEN, &seg->opt);
	if (r != SF_DROP_NONE)
		return r;
	seg->payload = tcp + doff;
	seg->payload_len = tcp_len - doff;
	return SF_DROP_NONE;
}

/*
 * The one place that knows the option layout: returns the length, and writes
 * the bytes too when out is non-NULL. The order and NOP padding follow Linux
 * (tcp_options_write) so that every multi-byte field lands 4-byte aligned and
 * captures look familiar. The length is computed from the flags and
 * sack_count alone, so a sack_count above SF_TCP_MAX_SACK_BLOCKS yields a
 * length over 40 without the blocks being read; callers must check the
 * length before asking for the bytes.
 */
static size_t options_layout(const struct sf_tcp_options *opt, uint8_t *out)
{
	size_t n = 0;
	unsigned int k;

	if (opt->has_mss) {
		if (out) {
			out[n] = SF_TCPOPT_MSS;
			out[n + 1] = 4;
			sf_put16(out + n + 2, opt->mss);
		}
		n += 4;
	}
	if (opt->has_timestamp) {
		if (out) {
			if (opt->sack_permitted) {
				out[n] = SF_TCPOPT_SACK_PERM;
				out[n + 1] = 2;
			} else {
				out[n] = SF_TCPOPT_NOP;
				out[n + 1] = SF_TCPOPT_NOP;
			}
			out[n + 2] = SF_TCPOPT_TIMESTAMP;
			out[n + 3] = 10;
			sf_put32(out + n + 4, opt->ts_val);
			sf_put32(out + n + 8, opt->ts_ecr);
		}
		n += 12;
	} else if (opt->sack_permitted) {
		if (out) {
			out[n] = SF_TCPOPT_NOP;
			out[n + 1] = SF_TCPOPT_NOP;
			out[n + 2] = SF_TCPOPT_SACK_PERM;
			out[n + 3] = 2;
		}
		n += 4;
	}
	if (opt->has_wscale) {
		if (out) {
			out[n] = SF_TCPOPT_NOP;
			out[n + 1] = SF_TCPOPT_WSCALE;
			out[n + 2] = 3;
			out[n + 3] = opt->wscale;
		}
		n += 4;
	}
	if (opt->sack_count > 0) {
		if (out) {
			out[n] = SF_TCPOPT_NOP;
			out[n + 1] = SF_TCPOPT_NOP;
			out[n + 2] = SF_TCPOPT_SACK;
			out[n + 3] = (uint8_t)(2 + 8 * opt->sack_count);
			for (k = 0; k < opt->sack_count; k++) {
				sf_put32(out + n + 4 + 8 * k, opt->sack[k].left);
				sf_put32(out + n + 8 + 8 * k, opt->sack[k].right);
			}
		}
		n += 4 + 8 * (size_t)opt->sack_count;
	}
	return n;
}

size_t sf_wire_options_len(const struct sf_tcp_options *opt)
{
	return options_layout(opt, NULL);
}

static size_t ip_header_len(const struct sf_segment *seg)
{
	/* An unset family counts as the larger header, so sizing errs safe. */
	return seg->src.family == SF_AF_INET ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN;
}

size_t sf_wire_headers_len(const struct sf_segment *seg)
{
	return ip_header_len(seg) + SF_TCP_HEADER_LEN + sf_wire_options_len(&seg->opt);
}

/*
 * The IP header of every datagram synfin sends, upper_len bytes of upper
 * layer after it: IPv4 (RFC 791 §3.1) with DF set as for path MTU discovery
 * (RFC 1191) and ID 0, which RFC 6864 §4.1 allows for atomic datagrams; or
 * IPv6 (RFC 8200 §3) with flow label 0.
 */
static SF_ALWAYS_INLINE void ip_header(uint8_t *buf, const struct sf_addr *src, const struct sf_addr *dst, uint8_t tclass,
				       uint8_t ttl, uint8_t proto, size_t upper_len)
{
	if (src->family == SF_AF_INET) {
		buf[0] = 0x45;
		buf[1] = tclass;
		sf_put16(buf + 2, (uint16_t)(SF_IPV4_HEADER_LEN + upper_len));
		sf_put16(buf + 4, 0);
		sf_put16(buf + 6, IPV4_DF);
		buf[8] = ttl;
		buf[9] = proto;
		sf_put16(buf + 10, 0);
		memcpy(buf + 12, src->bytes, 4);
		memcpy(buf + 16, dst->bytes, 4);
		sf_put16(buf + 10, sf_csum_finish(sf_csum_add(0, buf, SF_IPV4_HEADER_LEN)));
	} else {
		sf_put32(buf, 0x60000000u | (uint32_t)tclass << 20);
		sf_put16(buf + 4, (uint16_t)upper_len);
		buf[6] = proto;
		buf[7] = ttl;
		memcpy(buf + 8, src->bytes, 16);
		memcpy(buf + 24, dst->bytes, 16);
	}
}

size_t sf_wire_build_ip(uint8_t *buf, const struct sf_addr *src, const struct sf_addr *dst, uint8_t tclass, uint8_t ttl,
			uint8_t proto, size_t upper_len)
{
	ip_header(buf, src, dst, tclass, ttl ? ttl : DEFAULT_TTL, proto, upper_len);
	return src->family == SF_AF_INET ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN;
}

size_t sf_wire_build(uint8_t *buf, size_t cap, const struct sf_segment *seg,
		     const uint8_t *tail, size_t tail_len)
{
	size_t ip_hlen, opt_len, tcp_hlen, tcp_len, total;
	uint8_t *tcp;
	uint8_t ttl;
	uint32_t sum;

	if (seg->src.family != seg->dst.family ||
	    (seg->src.family != SF_AF_INET && seg->src.family != SF_AF_INET6))
		return 0;
	if ((seg->payload_len && !seg->payload) || (tail_len && !tail))
		return 0;
	opt_len = sf_wire_options_len(&seg->opt);
	if (opt_len > SF_TCP_MAX_OPTIONS_LEN)
		return 0;
	ip_hlen = ip_header_len(seg);
	tcp_hlen = SF_TCP_HEADER_LEN + opt_len;
	/* Compare piecewise so that huge lengths cannot wrap the sum. */
	if (seg->payload_len > IP_MAX_LEN || tail_len > IP_MAX_LEN)
		return 0;
	tcp_len = tcp_hlen + seg->payload_len + tail_len;
	/* IPv4's total length covers its header; IPv6's payload length does not. */
	if ((seg->src.family == SF_AF_INET ? ip_hlen + tcp_len : tcp_len) > IP_MAX_LEN)
		return 0;
	total = ip_hlen + tcp_len;
	if (!buf || cap < total)
		return 0;

	ttl = seg->ttl ? seg->ttl : DEFAULT_TTL;
	ip_header(buf, &seg->src, &seg->dst, seg->tclass, ttl, SF_IPPROTO_TCP, tcp_len);

	/* RFC 9293 §3.1 */
	tcp = buf + ip_hlen;
	sf_put16(tcp, seg->sport);
	sf_put16(tcp + 2, seg->dport);
	sf_put32(tcp + 4, seg->seq);
	sf_put32(tcp + 8, seg->ack);
	tcp[12] = (uint8_t)((tcp_hlen / 4) << 4);
	tcp[13] = seg->flags;
	sf_put16(tcp + 14, seg->window);
	sf_put16(tcp + 16, 0);
	sf_put16(tcp + 18, seg->urgent);
	options_layout(&seg->opt, tcp + SF_TCP_HEADER_LEN);

	/* Copy the data and sum it in the same pass (the data path's hottest
	 * loop); the header is summed apart. A tail that starts at an odd
	 * offset has its sum byte-swapped (RFC 1071 §2(B)). */
	sum = sf_csum_pseudo(&seg->src, &seg->dst, (uint32_t)tcp_len);
	sum = sf_csum_add(sum, tcp, tcp_hlen);
	sum += sf_csum_copy(tcp + tcp_hlen, seg->payload, seg->payload_len);
	if (tail_len) {
		uint32_t t = sf_csum_copy(tcp + tcp_hlen + seg->payload_len, tail, tail_len);
		sum += (seg->payload_len & 1) ? sf_csum_swap(t) : t;
	}
	sf_put16(tcp + 16, sf_csum_finish(sum));
	return total;
}

enum sf_drop_reason sf_segment_parse(const void *dgram, size_t len, struct sf_segment *seg)
{
	if (!seg || (!dgram && len))
		return SF_DROP_TRUNCATED;
	return sf_wire_parse(dgram, len, seg);
}

size_t sf_segment_build(void *buf, size_t cap, const struct sf_segment *seg)
{
	if (!buf || !seg)
		return 0;
	return sf_wire_build(buf, cap, seg, NULL, 0);
}
