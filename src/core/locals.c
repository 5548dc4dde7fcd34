/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stack's local addresses: the MSS their interfaces allow, the subnets
 * they sit on, and which of them speaks to a given destination.
 */
#include <errno.h>
#include <string.h>

#include "core/service.h"

uint32_t sf_local_id(const struct sf_stack *st, const struct sf_addr *addr)
{
	for (uint32_t i = 0; i < st->nlocals; i++)
		if (memcmp(&st->locals[i].addr, addr, sizeof *addr) == 0)
			return i;
	return UINT32_MAX;
}

/*
 * RFC 9293 §3.7.1 (MUST-67): the MSS we announce is what one datagram on our
 * interface can carry, less the IP and TCP headers: 1460 for IPv4 and 1440 for
 * IPv6 at an MTU of 1500.
 */
uint16_t sf_local_mss(const struct sf_stack *st, const struct sf_addr *local)
{
	uint32_t id = sf_local_id(st, local);
	uint32_t mtu = id == UINT32_MAX ? (local->family == SF_AF_INET ? 576u : 1280u) : st->locals[id].mtu;
	uint32_t hdr = (local->family == SF_AF_INET ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN) + SF_TCP_HEADER_LEN;
	return (uint16_t)(mtu - hdr);
}


static uint32_t addr_bits(const struct sf_addr *a)
{
	return a->family == SF_AF_INET ? 32 : 128;
}

/* How many leading bits a and b share (same family). */
static uint32_t common_prefix_len(const struct sf_addr *a, const struct sf_addr *b)
{
	uint32_t bytes = addr_bits(a) / 8, n = 0;

	for (uint32_t i = 0; i < bytes; i++) {
		uint8_t x = a->bytes[i] ^ b->bytes[i];
		if (x == 0) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x <<= 1;
			n++;
		}
		break;
	}
	return n;
}

/* Whether addr is the network or broadcast address of l's IPv4 subnet. */
static bool is_broadcast_of(const struct sf_local *l, const struct sf_addr *addr)
{
	/* IPv6 has no broadcast (RFC 4291 §2); /31 (RFC 3021) and /32 none either. */
	if (addr->family != SF_AF_INET || l->addr.family != SF_AF_INET || l->prefix_len > 30)
		return false;
	if (common_prefix_len(&l->addr, addr) < l->prefix_len)
		return false;
	uint32_t a = (uint32_t)addr->bytes[0] << 24 | (uint32_t)addr->bytes[1] << 16 | (uint32_t)addr->bytes[2] << 8 |
		     addr->bytes[3];
	uint32_t host = ~0u >> l->prefix_len;
	/* All ones is the directed broadcast; all zeros its old form
	 * (RFC 1122 §3.2.1.3 {<Network>, 0}), which Linux also treats so. */
	return (a & host) == host || (a & host) == 0;
}

bool sf_is_subnet_broadcast(const struct sf_stack *st, const struct sf_addr *addr)
{
	for (uint32_t i = 0; i < st->nlocals; i++)
		if (is_broadcast_of(&st->locals[i], addr))
			return true;
	return false;
}

int sf_local_set_prefix(struct sf_stack *st, uint32_t id, unsigned prefix_len)
{
	struct sf_local *l = &st->locals[id];
	struct sf_local with = *l;

	if (prefix_len > (l->addr.family == SF_AF_INET ? 32u : 128u))
		return -EINVAL;
	with.prefix_len = (uint8_t)prefix_len;
	if (is_broadcast_of(&with, &l->addr))
		return -EINVAL; /* a host address cannot be its own subnet's broadcast */
	l->prefix_len = with.prefix_len;
	return 0;
}

/*
 * RFC 9293 §3.9.2.3 (MUST-63, MUST-57): a segment from an address that
 * cannot be a peer's is ignored. The wire layer has already refused
 * unspecified, multicast, limited-broadcast and stray loopback sources; what
 * needs the stack's own addresses is a subnet-directed broadcast and our own
 * address as the source (a LAND attack, or our own datagram looped back),
 * which only a stack talking to itself over loopback may see.
 */
enum sf_drop_reason sf_source_check(const struct sf_stack *st, const struct sf_addr *src)
{
	if (sf_is_subnet_broadcast(st, src))
		return SF_DROP_MARTIAN_SOURCE;
	if (!sf_addr_is_loopback(src) && sf_local_id(st, src) != UINT32_MAX)
		return SF_DROP_SOURCE_IS_OURS;
	return SF_DROP_NONE;
}

/* RFC 6724 §3.1 and §3.2 (IPv4 by its mapping): link-local 2, site-local 5, global 14. */
static int addr_scope(const struct sf_addr *a)
{
	const uint8_t *b = a->bytes;

	if (sf_addr_is_loopback(a))
		return 2;
	if (a->family == SF_AF_INET)
		return (b[0] == 169 && b[1] == 254) ? 2 : 14;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return 2;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return 5;
	return 14;
}

/*
 * RFC 9293 MUST-44 asks IP for the source address of an active open; this is
 * that choice, by the rules of RFC 6724 §5 that apply to a host with no
 * deprecated, home, temporary or labelled addresses: the destination itself
 * if it is ours (rule 1), then the smallest scope that still reaches the
 * destination (rule 2), then the longest prefix shared with it, counted
 * within the source's own on-link prefix (rule 8). Ties go to the address
 * added first.
 */
uint32_t sf_select_source(const struct sf_stack *st, const struct sf_addr *dst)
{
	uint32_t best = UINT32_MAX;
	int dscope = addr_scope(dst);
	int best_scope = 0;
	uint32_t best_prefix = 0;

	for (uint32_t i = 0; i < st->nlocals; i++) {
		const struct sf_local *l = &st->locals[i];
		if (l->addr.family != dst->family)
			continue;
		if (memcmp(l->addr.bytes, dst->bytes, sizeof dst->bytes) == 0)
			return i; /* rule 1 */
		int scope = addr_scope(&l->addr);
		uint32_t prefix = common_prefix_len(&l->addr, dst);
		if (prefix > l->prefix_len)
			prefix = l->prefix_len;
		if (best != UINT32_MAX) {
			/* Rule 2: a scope too small for dst loses to any that
			 * reaches it; among those that reach it, the smaller wins. */
			if (scope != best_scope) {
				bool better = best_scope < dscope ? scope > best_scope : (scope >= dscope && scope < best_scope);
				if (!better)
					continue;
			} else if (prefix <= best_prefix) {
				continue; /* rule 8 */
			}
		}
		best = i;
		best_scope = scope;
		best_prefix = prefix;
	}
	return best;
}
