/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The point-to-point netif both lwIP benchmarks give each end: MTU 1500, no
 * broadcast and no ARP, IPv4 only. The output function (how a datagram gets
 * onto the benchmark's wire) is each program's own.
 */
#ifndef SYNFIN_BENCH_LWIP_NETIF_H
#define SYNFIN_BENCH_LWIP_NETIF_H

#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/netif.h"

static inline err_t bench_lwip_no_ip6(struct netif *netif, struct pbuf *p, const ip6_addr_t *ipaddr)
{
	(void)netif;
	(void)p;
	(void)ipaddr;
	return ERR_OK; /* no IPv6 here: nothing to carry */
}

static inline err_t bench_lwip_netif_setup(struct netif *netif, char kind, char end, netif_output_fn output)
{
	netif->name[0] = kind;
	netif->name[1] = end;
	netif->output = output;
	netif->output_ip6 = bench_lwip_no_ip6;
	netif->mtu = 1500;
	netif->flags = 0;
	return ERR_OK;
}

/*
 * lwip_init() (no tcpip thread: the benchmark drives lwIP from one thread)
 * and the two ends, 192.0.2.1/32 (a) and 192.0.2.2/32 (b), up, each the
 * other's gateway; state_a/state_b become each netif's state (the FIFO its
 * output feeds). Returns -1 if lwIP refuses a netif.
 */
static inline int bench_lwip_two_ends(struct netif *a, struct netif *b, void *state_a, void *state_b,
				      netif_init_fn init)
{
	ip4_addr_t addr_a, addr_b, mask;

	lwip_init();
	IP4_ADDR(&addr_a, 192, 0, 2, 1);
	IP4_ADDR(&addr_b, 192, 0, 2, 2);
	IP4_ADDR(&mask, 255, 255, 255, 255);
	if (!netif_add(a, &addr_a, &mask, &addr_b, state_a, init, ip_input) ||
	    !netif_add(b, &addr_b, &mask, &addr_a, state_b, init, ip_input))
		return -1;
	netif_set_up(a);
	netif_set_link_up(a);
	netif_set_up(b);
	netif_set_link_up(b);
	return 0;
}

#endif
