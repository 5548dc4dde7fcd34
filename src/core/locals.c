/*
 * The stack's local addresses and the MSS their interfaces allow.
 */
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

