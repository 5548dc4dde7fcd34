/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A simulated router's datagrams (see router.h). Everything here is a pure
 * function of its arguments: the simulator stays deterministic.
 */
#include "router.h"

#include <errno.h>
#include <string.h>

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define ICMP_HLEN 8
#define IPV4_RF 0x8000u /* reserved flag: kept as it came */
#define IPV4_DF 0x4000u
#define IPV4_MF 0x2000u
#define IPV4_OFFSET 0x1fffu
#define IPOPT_COPIED 0x80u
#define IPOPT_END 0
#define IPOPT_NOP 1

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The one's-complement sum of 16-bit words, not yet folded (RFC 1071). */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (i < n)
		sum += (uint64_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t sf_sim_checksum(const uint8_t *p, size_t n)
{
	return csum_fold(csum_add(0, p, n));
}

int sf_sim_ip_read(const uint8_t *d, size_t len, struct sf_sim_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (!d || len < 1)
		return -EINVAL;
	ip->version = d[0] >> 4;
	if (ip->version == 4) {
		ip->hlen = (size_t)(d[0] & 0x0f) * 4;
		if (len < IPV4_HLEN || ip->hlen < IPV4_HLEN || ip->hlen > len || get16(d + 2) != len ||
		    sf_sim_checksum(d, ip->hlen) != 0)
			return -EINVAL;
		uint16_t frag = get16(d + 6);
		ip->df = (frag & IPV4_DF) != 0;
		ip->mf = (frag & IPV4_MF) != 0;
		ip->offset = frag & IPV4_OFFSET;
		ip->proto = d[9];
		ip->src.family = ip->dst.family = SF_AF_INET;
		memcpy(ip->src.bytes, d + 12, 4);
		memcpy(ip->dst.bytes, d + 16, 4);
		return 0;
	}
	if (ip->version == 6) {
		if (len < IPV6_HLEN || (size_t)get16(d + 4) + IPV6_HLEN != len)
			return -EINVAL;
		ip->hlen = IPV6_HLEN;
		ip->df = true;
		ip->proto = d[6];
		ip->src.family = ip->dst.family = SF_AF_INET6;
		memcpy(ip->src.bytes, d + 8, 16);
		memcpy(ip->dst.bytes, d + 24, 16);
		return 0;
	}
	return -EINVAL;
}

/* An ICMP error message itself (RFC 1812 §4.3.2.7; RFC 4443 §2.4 (e.1):
 * ICMPv6 types below 128). One too short to tell is taken as one. */
static bool is_icmp_error(const struct sf_sim_ip *ip, const uint8_t *d, size_t len)
{
	if (ip->version == 4) {
		if (ip->proto != SF_SIM_IPPROTO_ICMP)
			return false;
		if (len <= ip->hlen)
			return true;
		uint8_t t = d[ip->hlen];
		return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
	}
	if (ip->proto != SF_SIM_IPPROTO_ICMPV6)
		return false;
	return len <= ip->hlen || d[ip->hlen] < 128;
}

/* An address that names no one host as a source: unspecified, multicast,
 * limited broadcast, class E (RFC 1812 §4.3.2.7; RFC 4443 §2.4 (e.6)). */
static bool not_a_host(const struct sf_addr *a)
{
	if (a->family == SF_AF_INET) {
		static const uint8_t zero[4], bcast[4] = { 255, 255, 255, 255 };
		return !memcmp(a->bytes, zero, 4) || !memcmp(a->bytes, bcast, 4) || a->bytes[0] >= 224;
	}
	static const uint8_t zero6[16];
	return !memcmp(a->bytes, zero6, 16) || a->bytes[0] == 0xff;
}

static bool group_address(const struct sf_addr *a)
{
	if (a->family == SF_AF_INET) {
		static const uint8_t bcast[4] = { 255, 255, 255, 255 };
		return !memcmp(a->bytes, bcast, 4) || (a->bytes[0] >= 224 && a->bytes[0] < 240);
	}
	return a->bytes[0] == 0xff;
}

bool sf_sim_icmp_may_answer(const struct sf_sim_ip *ip, const uint8_t *d, size_t len, uint8_t type)
{
	if (is_icmp_error(ip, d, len) || not_a_host(&ip->src))
		return false;
	if (ip->version == 4 && ip->offset != 0)
		return false;
	/* RFC 4443 §2.4 (e.3): packet too big goes to a multicast sender too. */
	if (group_address(&ip->dst) && !(ip->version == 6 && type == SF_SIM_ICMP6_PACKET_TOO_BIG))
		return false;
	return true;
}

size_t sf_sim_icmp_build(uint8_t *out, size_t cap, const struct sf_sim_icmp *m, const uint8_t *about, size_t about_len)
{
	bool v6 = m->src.family == SF_AF_INET6;
	size_t iph = v6 ? IPV6_HLEN : IPV4_HLEN;
	size_t max = v6 ? SF_SIM_ICMP6_MAX : SF_SIM_ICMP_MAX;

	if (!about || about_len < iph || (about[0] >> 4) != (v6 ? 6 : 4))
		return 0;
	size_t quote = about_len < max - iph - ICMP_HLEN ? about_len : max - iph - ICMP_HLEN;
	size_t icmp_len = ICMP_HLEN + quote, len = iph + icmp_len;
	if (len > cap)
		return 0;
	memset(out, 0, iph + ICMP_HLEN);
	uint8_t *icmp = out + iph;
	icmp[0] = m->type;
	icmp[1] = m->code;
	put32(icmp + 4, m->word);
	memcpy(icmp + ICMP_HLEN, about, quote);

	uint64_t sum = 0;
	if (v6) {
		/* The error goes back to the datagram's source. */
		out[0] = 0x60;
		put16(out + 4, (uint16_t)icmp_len);
		out[6] = SF_SIM_IPPROTO_ICMPV6;
		out[7] = 64;
		memcpy(out + 8, m->src.bytes, 16);
		memcpy(out + 24, about + 8, 16);
		/* RFC 8200 §8.1: source, destination, upper-layer length, next header. */
		uint8_t ph[8] = { 0 };
		put32(ph, (uint32_t)icmp_len);
		ph[7] = SF_SIM_IPPROTO_ICMPV6;
		sum = csum_add(csum_add(sum, out + 8, 32), ph, sizeof ph);
	} else {
		out[0] = 0x45;
		out[1] = 0xc0; /* precedence 6, internetwork control (RFC 1812 §4.3.2.5) */
		put16(out + 2, (uint16_t)len);
		put16(out + 4, m->ip_id);
		out[8] = 64;
		out[9] = SF_SIM_IPPROTO_ICMP;
		memcpy(out + 12, m->src.bytes, 4);
		memcpy(out + 16, about + 12, 4);
		put16(out + 10, sf_sim_checksum(out, IPV4_HLEN));
	}
	put16(icmp + 2, csum_fold(csum_add(sum, icmp, icmp_len)));
	return len;
}

/*
 * The options a fragment after the first carries (RFC 791 §3.1: those with
 * the copied flag), padded with end-of-options to a multiple of 4 bytes.
 * Returns their length; a malformed option ends the list there.
 */
static size_t copied_options(const uint8_t *opt, size_t n, uint8_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		uint8_t type = opt[i];
		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
			break;
		size_t olen = opt[i + 1];
		if (type & IPOPT_COPIED) {
			memcpy(out + k, opt + i, olen);
			k += olen;
		}
		i += olen;
	}
	while (k % 4)
		out[k++] = IPOPT_END;
	return k;
}

int sf_sim_fragment(const uint8_t *d, size_t len, uint32_t mtu, sf_sim_fragment_fn emit, void *ctx)
{
	struct sf_sim_ip ip;
	uint8_t hdr[60], later_opts[40];

	if (sf_sim_ip_read(d, len, &ip) != 0 || ip.version != 4 || ip.df)
		return -EINVAL;
	size_t later_hlen = IPV4_HLEN + copied_options(d + IPV4_HLEN, ip.hlen - IPV4_HLEN, later_opts);
	const uint8_t *data = d + ip.hlen;
	size_t dlen = len - ip.hlen, pos = 0;
	uint16_t reserved = get16(d + 6) & IPV4_RF;
	uint8_t frag[65535];
	int n = 0;

	/* Check before emitting anything: every fragment must carry 8 bytes. */
	if (mtu < ip.hlen + 8 || (dlen > mtu - ip.hlen && mtu < later_hlen + 8))
		return -EINVAL;
	while (pos < dlen) {
		size_t hlen = pos == 0 ? ip.hlen : later_hlen;
		size_t room = mtu - hlen;
		bool last = dlen - pos <= room;
		size_t take = last ? dlen - pos : room & ~(size_t)7;
		size_t offset = ip.offset + pos / 8;

		if (offset > IPV4_OFFSET)
			return -EINVAL;
		memcpy(hdr, d, IPV4_HLEN);
		if (pos == 0)
			memcpy(hdr + IPV4_HLEN, d + IPV4_HLEN, ip.hlen - IPV4_HLEN);
		else
			memcpy(hdr + IPV4_HLEN, later_opts, later_hlen - IPV4_HLEN);
		hdr[0] = (uint8_t)(0x40 | hlen / 4);
		put16(hdr + 2, (uint16_t)(hlen + take));
		put16(hdr + 6, (uint16_t)(reserved | (!last || ip.mf ? IPV4_MF : 0) | offset));
		put16(hdr + 10, 0);
		put16(hdr + 10, sf_sim_checksum(hdr, hlen));
		memcpy(frag, hdr, hlen);
		memcpy(frag + hlen, data + pos, take);
		int err = emit(ctx, frag, hlen + take);
		if (err)
			return err;
		n++;
		pos += take;
	}
	return n;
}
