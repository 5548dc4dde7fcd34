/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The MSS option between two synfin stacks on the simulated network (10 ms
 * one way), virtual time only (RFC 9293 §3.7.1, RFC 6691): Ethernet IPv4 and
 * IPv6, a jumbo host against an Ethernet one, TCP_MAXSEG on a listener. A
 * recorder parses every datagram handed to the network, so the tests check
 * the MSS each SYN announces and the size of every data segment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "wire/wire.h"

#define MAX_REC 8192

#define TS_ROOM 12 /* the timestamp option and its 2 NOPs: RFC 6691, RFC 7323 §3.2 */

/* sc_add_host with another MTU (and its own secrets): host i at 192.0.2.(i+1). */
static int add_host_mtu(struct scenario *sc, const char *name, uint32_t mtu)
{
	int i = sc->nhosts;
	struct sf_config cfg;

	sf_config_default(&cfg);
	for (int k = 0; k < 16; k++)
		cfg.secret[k] = (uint8_t)(k * 29 + i * 71 + 5);
	return sc_add_host_cfg(sc, name, mtu, &cfg);
}

/* The SYN from `from` (flags exactly SYN or SYN,ACK): it must carry an MSS option; returns it. */
static uint16_t syn_mss(const struct sc_rec *r, int from, uint8_t flags)
{
	long i = sc_rec_find(r, 0, from, SC_CTL, flags);

	assert_true(i >= 0);
	assert_true(r->seg[i].has_mss);
	return r->seg[i].mss;
}

/* Data from `from` after mark: every segment within `limit`, the largest
 * exactly `limit` less the timestamp's room if it carried one (RFC 6691: the
 * sender fills its segments), and n bytes in all (nothing resent). */
static void check_payloads(const struct sc_rec *r, size_t mark, int from, size_t limit, size_t n)
{
	struct sc_payloads p = sc_rec_payloads(r, mark, from);

	assert_true(p.count > 1);
	assert_true(p.max <= limit);
	assert_int_equal(p.max, limit - (p.max_has_ts ? TS_ROOM : 0));
	assert_int_equal(p.total, n);
}

/* RFC 9293 §3.7.1 (MUST-67, MUST-16), RFC 6691: IPv4 on MTU 1500: both SYNs announce 1460; 20 kB each way in segments of at most 1460 bytes. */
static void test_mss_ethernet_ipv4(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(135, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, A, 0, B, 80, 5000, &lst, &c);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1460);                /* 1500 - 20 - 20 */
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 1460);
	size_t mark = r->n;
	sc_exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 1460, 20000);
	check_payloads(r, mark, B, 1460, 20000);
	assert_int_equal(r->seg[mark].family, SF_AF_INET);
	assert_int_equal(sc_counter(sc, A, SF_CTR_RetransSegs), 0);
	assert_int_equal(sc_counter(sc, B, SF_CTR_RetransSegs), 0);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.7.1 MUST-16 (send MSS = min(peer's MSS, own)): a jumbo host (MTU 9000) announces 8960, its Ethernet peer 1460; data both ways at most 1460. */
static void test_mss_jumbo_meets_ethernet(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1352, 10);
	int J = add_host_mtu(sc, "jumbo", 9000), E = add_host_mtu(sc, "ethernet", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst, c;
	int s = sc_open_pair(sc, J, 0, E, 80, 5000, &lst, &c);

	assert_int_equal(syn_mss(r, J, SF_TCP_SYN), 8960);                 /* 9000 - 20 - 20 */
	assert_int_equal(syn_mss(r, E, SF_TCP_SYN | SF_TCP_ACK), 1460);
	size_t mark = r->n;
	sc_exchange(sc, J, c, 20000, E, s, 20000);
	check_payloads(r, mark, J, 1460, 20000); /* the jumbo host keeps to its peer's 1460 */
	check_payloads(r, mark, E, 1460, 20000); /* the other keeps to its own MTU */
	sf_close(sc_app(sc, E), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.7.1 (the MSS announced is the receiver's choice), TCP_MAXSEG: a listener capped at 536 announces 536 and the client's data keeps to it. */
static void test_mss_listener_maxseg(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1353, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	int lst = sc_listen(sc, B, SF_AF_INET, 80, 16, 536);
	struct sf_endpoint srv = sc_ep(B, 80);
	int c = sc_connect(sc, A, 0, false, srv);
	int s = sc_establish(sc, A, c, B, lst, 5000);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1460);
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 536);
	size_t mark = r->n;
	sc_exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 536, 20000);
	/* TCP_MAXSEG caps what the server sends as well (inherited by the
	 * accepted connection), though its peer offered 1460. */
	check_payloads(r, mark, B, 536, 20000);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

/* RFC 9293 §3.7.1, RFC 8200 (40-byte header): IPv6 on MTU 1500: both SYNs announce 1440; 20 kB each way in segments of at most 1440. */
static void test_mss_ethernet_ipv6(void **unused)
{
	(void)unused;
	struct scenario *sc = sc_new(1356, 10);
	int A = add_host_mtu(sc, "A", 1500), B = add_host_mtu(sc, "B", 1500);
	struct sc_rec *r = sc_rec_install(sc, MAX_REC);
	struct sf_addr a6, b6;
	assert_int_equal(sf_addr_parse("2001:db8::1", &a6), 0);
	assert_int_equal(sf_addr_parse("2001:db8::2", &b6), 0);
	assert_int_equal(sf_simhost_add_addr(sc->hosts[A], &a6, 1500), 0);
	assert_int_equal(sf_simhost_add_addr(sc->hosts[B], &b6, 1500), 0);
	int lst = sc_listen(sc, B, SF_AF_INET6, 80, 16, 0);
	struct sf_endpoint srv = { .addr = b6, .port = 80 };
	int c = sc_connect(sc, A, 0, false, srv);
	int s = sc_establish(sc, A, c, B, lst, 5000);
	struct sf_endpoint peer;
	assert_int_equal(sf_getpeername(sc_stack(sc, B), s, &peer), 0);
	assert_memory_equal(&peer.addr, &a6, sizeof a6);

	assert_int_equal(syn_mss(r, A, SF_TCP_SYN), 1440);                /* 1500 - 40 - 20 */
	assert_int_equal(syn_mss(r, B, SF_TCP_SYN | SF_TCP_ACK), 1440);
	size_t mark = r->n;
	sc_exchange(sc, A, c, 20000, B, s, 20000);
	check_payloads(r, mark, A, 1440, 20000);
	check_payloads(r, mark, B, 1440, 20000);
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(r->seg[i].family, SF_AF_INET6);
	sf_close(sc_app(sc, B), lst);
	free(r);
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mss_ethernet_ipv4),
		cmocka_unit_test(test_mss_jumbo_meets_ethernet),
		cmocka_unit_test(test_mss_listener_maxseg),
		cmocka_unit_test(test_mss_ethernet_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
