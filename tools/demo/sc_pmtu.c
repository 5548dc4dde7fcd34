/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pmtu, pmtu-blackhole: a router between the hosts whose next hop carries
 * only 1400 bytes. It answers a longer datagram (every TCP datagram has DF
 * set) with ICMP "fragmentation needed", or, with its ICMP filtered, drops
 * it unanswered: path MTU discovery (RFC 1191), and black-hole detection
 * with packetization-layer probing (RFC 4821) when no answer comes.
 */
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define ROUTER_MTU 1400
#define TS_ROOM 12 /* the timestamps option, on every segment */

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)('a' + i % 26);
}

/* The router's ICMP errors since mark: how many, and how many reached their host. */
static size_t icmp_errors(const struct demo *d, size_t mark, size_t *delivered)
{
	size_t n = 0;
	*delivered = 0;
	for (size_t i = mark; i < d->nev; i++)
		if (d->ev[i].kind == DEV_ICMP) {
			n++;
			*delivered += d->ev[i].fate == FATE_DELIVERED;
		}
	return n;
}

/* Segments of host's since mark that the router refused as too long. */
static size_t refused(const struct demo *d, size_t mark, int host)
{
	size_t n = 0;
	for (size_t i = mark; i < d->nev; i++)
		n += d->ev[i].kind == DEV_SEGMENT && d->ev[i].host == host && d->ev[i].fate == FATE_LOST &&
		     d->ev[i].lost == SF_SIM_DROP_MTU;
	return n;
}

/* The path MTU host's connections moved to for cause since mark (the last such change), or 0. */
static uint32_t path_mtu_now(const struct demo *d, size_t mark, int host, enum sf_cause cause, size_t *count)
{
	uint32_t mtu = 0;
	*count = 0;
	for (size_t i = mark; i < d->nev; i++)
		if (d->ev[i].kind == DEV_PATH_MTU && d->ev[i].host == host && d->ev[i].why == cause) {
			mtu = d->ev[i].mtu;
			++*count;
		}
	return mtu;
}

/* Path MTU probes host sent since mark: how many, and how many the router refused. */
static size_t probes(const struct demo *d, size_t mark, int host, size_t *lost)
{
	size_t n = 0;
	*lost = 0;
	for (size_t i = mark; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		if (e->kind != DEV_SEGMENT || e->host != host || !e->mtu_probe)
			continue;
		n++;
		*lost += e->fate == FATE_LOST && e->lost == SF_SIM_DROP_MTU;
	}
	return n;
}

/* Retransmission timeouts host had since mark. */
static size_t timeouts(const struct demo *d, size_t mark, int host)
{
	size_t n = 0;
	for (size_t i = mark; i < d->nev; i++)
		n += d->ev[i].kind == DEV_TIMER && d->ev[i].host == host && d->ev[i].timer == SF_TIMER_RETRANSMIT;
	return n;
}

/* The largest payload of host's segments since mark that got through. */
static size_t largest_delivered(const struct demo *d, size_t mark, int host)
{
	size_t max = 0;
	for (size_t i = mark; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		if (e->kind == DEV_SEGMENT && e->host == host && e->fate == FATE_DELIVERED && e->seg.payload_len > max)
			max = e->seg.payload_len;
	}
	return max;
}

struct path {
	int client, router, server, lsock;
	struct sf_endpoint srv;
};

static void set_up(struct demo *d, struct path *p, enum sf_sim_too_big too_big)
{
	p->client = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	p->router = demo_add_router(d, "router", "203.0.113.1");
	p->server = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	demo_route(d, p->client, p->server, ROUTER_MTU, too_big);
	if (too_big == SF_SIM_TOO_BIG_ICMP)
		demo_note(d, p->router, "next hop: MTU 1400; longer datagrams with DF set are refused, with ICMP",
			  "下一跳 MTU 1400；更长且置 DF 的数据报被拒绝，并回 ICMP");
	else
		demo_note(d, p->router, "next hop: MTU 1400; longer datagrams are dropped, its ICMP is filtered",
			  "下一跳 MTU 1400；更长的数据报被丢弃，它的 ICMP 被过滤");
	p->lsock = demo_listen(d, p->server, SF_AF_INET, 80, 16);
	p->srv = demo_ep(d, p->server, 80);
}

/* ---- pmtu: the router answers --------------------------------------------------------------------------- */

static void run_pmtu(struct demo *d)
{
	static uint8_t data[4000], buf[sizeof data];
	struct path p;
	fill(data, sizeof data);
	set_up(d, &p, SF_SIM_TOO_BIG_ICMP);

	int c = demo_connect(d, p.client, 0, &p.srv);
	int s = demo_establish(d, p.client, c, p.server, p.lsock, 5000);
	long syn = demo_find_seg(d, 0, p.client, ALL, SF_TCP_SYN);
	demo_check(d, s >= 0 && syn >= 0 && demo_seg(d, syn)->opt.mss == 1460,
		   "the SYN announces 1460, from the client's own MTU: the MSS option cannot know the path");

	size_t mark = demo_mark(d), icmp_in;
	demo_send(d, p.client, c, data, sizeof data);
	size_t got = demo_read(d, p.server, s, buf, sizeof buf, 5000);
	size_t icmp = icmp_errors(d, mark, &icmp_in), nref = refused(d, mark, p.client), changes;
	uint32_t mtu = path_mtu_now(d, mark, p.client, SF_CAUSE_PMTU_ICMP, &changes);
	size_t max = largest_delivered(d, mark, p.client);
	demo_check(d, nref >= 1, "the router refuses the client's 1500-byte datagrams");
	demo_check(d, icmp == nref && icmp_in == icmp, "and answers each with ICMP fragmentation needed, which arrives");
	demo_check(d, mtu == ROUTER_MTU, "the client takes the path MTU down to the 1400 the ICMP reports");
	demo_check(d, max == ROUTER_MTU - 40 - TS_ROOM, "and resends in segments of 1348 bytes (1400 - 20 - 20 - 12)");
	demo_check(d, got == sizeof data && !memcmp(buf, data, sizeof data), "all 4000 bytes arrive");
	demo_check_exact(d, timeouts(d, mark, p.client) == 0,
			 "at once: no retransmission timeout, the ICMP itself starts the resend");
	demo_check_exact(d, demo_counter(d, p.client, SF_CTR_PMTUDecreases) == 1,
			 "one change of the path MTU (PMTUDecreases 1): the later ICMP errors repeat it");
	demo_fact(d, "refused", "%zu", nref);
	demo_fact(d, "max", "%zu", max);

	/* A second connection: the path MTU is a property of the path, kept for it. */
	demo_close(d, p.client, c);
	demo_read_eof(d, p.server, s, 1000);
	demo_close(d, p.server, s);
	demo_settle(d, 100);
	size_t mark2 = demo_mark(d);
	int c2 = demo_connect(d, p.client, 0, &p.srv);
	int s2 = demo_establish(d, p.client, c2, p.server, p.lsock, 5000);
	demo_send(d, p.client, c2, data, sizeof data);
	size_t got2 = demo_read(d, p.server, s2, buf, sizeof buf, 5000);
	size_t icmp2 = icmp_errors(d, mark2, &icmp_in), max2 = largest_delivered(d, mark2, p.client);
	demo_check(d, got2 == sizeof data && icmp2 == 0 && refused(d, mark2, p.client) == 0 &&
			      max2 == ROUTER_MTU - 40 - TS_ROOM,
		   "a second connection starts at 1348 bytes: the path MTU is remembered for the destination");
	demo_close(d, p.client, c2);
	demo_read_eof(d, p.server, s2, 1000);
	demo_close(d, p.server, s2);
	demo_settle(d, 100);
	demo_close(d, p.server, p.lsock);
	demo_fact(d, "max2", "%zu", max2);
}

const struct demo_scenario demo_sc_pmtu = {
	.id = "pmtu",
	.section = "RFC 1191; RFC 9293 §3.7.3",
	.title_en = "Path MTU discovery: a router with a narrower next hop answers with ICMP, the sender shrinks",
	.title_zh = "路径 MTU 发现：下一跳更窄的路由器回 ICMP，发送方缩小报文段",
	.run = run_pmtu,
	.explain_en =
		"Both hosts are on Ethernet (MTU 1500) and announce MSS 1460, but the path between them runs "
		"through a router whose next hop (a tunnel, say) carries only 1400 bytes. The MSS option speaks "
		"only of the two ends; what lies between is found by path MTU discovery. Every TCP datagram "
		"leaves with Don't Fragment set, so the router may not split the client's 1500-byte datagrams: "
		"it drops them ({refused} here) and answers each with ICMP destination unreachable, code 4, "
		"\"fragmentation needed\", which carries the next hop's MTU and quotes the start of the "
		"refused datagram.\n"
		"The quote names the connection and a sequence number the client has sent and not yet had "
		"acknowledged, so the client can believe it (RFC 5927 §4.1). It takes its path MTU down to 1400 "
		"and sends what is in flight again at once, in {max}-byte segments (1400 less 20 + 20 bytes of "
		"headers and 12 of timestamps), with no congestion response: the segments were too big, not "
		"lost to congestion. The later errors about the same flight change nothing more: the MTU is "
		"only ever lowered by ICMP, never raised.\n"
		"The path MTU is remembered for the destination, so the second connection sends {max2}-byte "
		"segments from its first: no datagram is refused again. The entry ages out after ten minutes "
		"(RFC 1191 §6.3), in case the path has grown.\n"
		"Rules: RFC 1191 §3-§6, RFC 9293 §3.7.3 (MUST-16: implement path MTU discovery; SHOULD: "
		"RFC 1191 and RFC 8201), RFC 5927 (which ICMP errors to believe), RFC 1122 §4.2.3.9.",
	.explain_zh =
		"两台主机都在以太网上（MTU 1500），都声明 MSS 1460，但它们之间的路径经过一台路由器，它的下一跳"
		"（比如一条隧道）只能承载 1400 字节。MSS 选项只说明两端的能力；中间的情况要靠路径 MTU 发现。"
		"每个 TCP 数据报都带着\"不分片\"（DF）位发出，所以路由器不能拆分客户端 1500 字节的数据报："
		"它丢弃它们（这里共 {refused} 个），并对每一个回复 ICMP 目的不可达、代码 4\"需要分片\"，"
		"其中带有下一跳的 MTU，并引用被拒绝数据报的开头。\n"
		"引用的内容指明了连接和一个客户端已发出、尚未被确认的序号，所以客户端可以相信它（RFC 5927 §4.1）。"
		"客户端把路径 MTU 降到 1400，并立即以 {max} 字节的报文段（1400 减去 20 + 20 字节首部和 12 字节时间戳）"
		"重发在途的数据，而且不做拥塞响应：这些报文段是太大，而不是因拥塞丢失。之后关于同一批数据的 ICMP "
		"不再改变什么：ICMP 只会降低 MTU，从不提高它。\n"
		"路径 MTU 按目的地记住，所以第二条连接从第一个报文段起就发送 {max2} 字节的报文段，不再有数据报被拒绝。"
		"这条记录十分钟后过期（RFC 1191 §6.3），以防路径变宽。\n"
		"规则：RFC 1191 §3-§6，RFC 9293 §3.7.3（MUST-16：实现路径 MTU 发现；SHOULD：RFC 1191 与 RFC 8201），"
		"RFC 5927（该相信哪些 ICMP 差错），RFC 1122 §4.2.3.9。",
};

/* ---- pmtu-blackhole: the router's ICMP is filtered ------------------------------------------------------------ */

static void run_pmtu_blackhole(struct demo *d)
{
	static uint8_t data[4000], more[25000], buf[sizeof more];
	struct path p;
	fill(data, sizeof data);
	fill(more, sizeof more);
	set_up(d, &p, SF_SIM_TOO_BIG_BLACKHOLE);

	int c = demo_connect(d, p.client, 0, &p.srv);
	int s = demo_establish(d, p.client, c, p.server, p.lsock, 5000);
	demo_check(d, s >= 0, "the handshake passes: its segments are small");

	/* The first request: lost until the client sizes down. */
	size_t mark = demo_mark(d), icmp_in, changes, acked;
	demo_send(d, p.client, c, data, sizeof data);
	size_t got = demo_read(d, p.server, s, buf, sizeof data, 30000);
	size_t nref = refused(d, mark, p.client), rto = timeouts(d, mark, p.client);
	uint32_t base = path_mtu_now(d, mark, p.client, SF_CAUSE_PMTU_BLACK_HOLE, &changes);
	demo_check(d, nref >= 3 && icmp_errors(d, mark, &icmp_in) == 0,
		   "the router drops the client's 1500-byte datagrams and nothing comes back");
	demo_check_exact(d, rto == 3 && changes == 1 && base == 1024,
			 "after three retransmission timeouts in a row the client takes the path for a black hole "
			 "and sizes down to 1024");
	demo_check(d, got == sizeof data && !memcmp(buf, data, sizeof data), "then all 4000 bytes arrive");
	size_t max = largest_delivered(d, mark, p.client);
	demo_check(d, max == 1024 - 40 - TS_ROOM, "in segments of 972 bytes (1024 - 20 - 20 - 12)");

	/* The second: probes search upward. */
	size_t mark2 = demo_mark(d);
	demo_send(d, p.client, c, more, sizeof more);
	size_t got2 = demo_read(d, p.server, s, buf, sizeof more, 30000);
	uint32_t found = path_mtu_now(d, mark2, p.client, SF_CAUSE_PMTU_PROBE_ACKED, &acked);
	size_t lost, sent = probes(d, mark2, p.client, &lost);
	demo_check(d, sent >= 2 && acked >= 1 && found > 1024 && found <= ROUTER_MTU,
		   "probes of larger sizes that get through raise the size, never above the router's 1400");
	demo_check(d, lost >= 1 && refused(d, mark2, p.client) == lost &&
			      demo_counter(d, p.client, SF_CTR_TCPMTUPFail) == lost,
		   "a probe too big for the router is lost, and nothing else is");
	demo_check_exact(d, timeouts(d, mark2, p.client) == 0,
			 "a lost probe is repaired by fast retransmission, with no timeout");
	demo_check(d, got2 == sizeof more && !memcmp(buf, more, sizeof more), "all 25000 bytes arrive, in order");
	demo_fact(d, "refused", "%zu", nref);
	demo_fact(d, "rto", "%zu", rto);
	demo_fact(d, "max", "%zu", max);
	demo_fact(d, "acked", "%zu", acked);
	demo_fact(d, "found", "%u", (unsigned)found);
	demo_fact(d, "probes", "%zu", sent);
	demo_fact(d, "lost", "%zu", lost);
	demo_close(d, p.client, c);
	demo_read_eof(d, p.server, s, 1000);
	demo_close(d, p.server, s);
	demo_settle(d, 100);
	demo_close(d, p.server, p.lsock);
}

const struct demo_scenario demo_sc_pmtu_blackhole = {
	.id = "pmtu-blackhole",
	.section = "RFC 4821; RFC 2923 §2.1; RFC 9293 §3.7.3",
	.title_en = "A path MTU black hole: no ICMP comes back, the sender finds the size by loss and probing",
	.title_zh = "路径 MTU 黑洞：没有 ICMP 返回，发送方靠丢包与探测找到合适的大小",
	.run = run_pmtu_blackhole,
	.explain_en =
		"The same router as in `pmtu`, but its ICMP is filtered on the way back (a firewall that drops "
		"all ICMP, say): the client's 1500-byte datagrams vanish without a word ({refused} of them "
		"here). To the client this looks like any loss, and its retransmission timer fires, backing off "
		"each time, while the handshake and the server's ACKs, which are small, pass.\n"
		"Black-hole detection (RFC 4821 §7.6; Linux's tcp_mtu_probing, on by default here) stops the "
		"stall: after {rto} timeouts in a row of segments bigger than 1024 bytes, the client takes the "
		"path for a black hole and sizes its segments down to 1024 bytes (IPv6: 1280), which nearly every "
		"path carries. The same bytes go again in {max}-byte segments, and arrive.\n"
		"Loss, not size, could have caused those timeouts, so the client then searches upward with "
		"packetization-layer probes (RFC 4821 §7.5): one segment of a size halfway between what is "
		"known to pass and what might, sent with at least three segments' worth of data queued behind "
		"it. An acknowledged probe raises the size ({acked} did, to {found}); a lost one tells of its "
		"loss by the duplicate ACKs of the segments after it and is repaired by fast retransmission in "
		"the size that works, with no congestion response, since a probe lost to its size says nothing "
		"of congestion (§7.6.2). Of {probes} probes, the router refused {lost}. After three "
		"losses of one size (MAX_PROBES, RFC 8899 §5.1.2) the search takes it as too big, and it rests "
		"once it is within 8 bytes, to look again after ten minutes.\n"
		"Rules: RFC 4821 §7 (probing, black-hole detection), RFC 2923 §2.1 (the black hole), "
		"RFC 9293 §3.7.3 (MUST-16; MAY: RFC 4821), RFC 8899 §5.1.2.",
	.explain_zh =
		"路由器与 `pmtu` 中相同，但它的 ICMP 在回程上被过滤了（比如一个丢弃所有 ICMP 的防火墙）："
		"客户端 1500 字节的数据报无声无息地消失（这里共 {refused} 个）。在客户端看来这和普通丢包一样，"
		"它的重传定时器一次次到期、每次退避；而握手报文和服务器的 ACK 都很小，可以通过。\n"
		"黑洞检测（RFC 4821 §7.6；即 Linux 的 tcp_mtu_probing，这里默认开启）打破了僵局：大于 1024 字节的"
		"报文段连续 {rto} 次超时之后，客户端认为路径上有黑洞，把报文段缩小到 1024 字节（IPv6 为 1280），"
		"几乎所有路径都能承载这个大小。同样的数据以 {max} 字节的报文段重发，顺利到达。\n"
		"那几次超时也可能是丢包而不是报文太大造成的，所以客户端随后用分组层探测（RFC 4821 §7.5）向上搜索："
		"发送一个大小介于已知能通过与可能通过之间的报文段，并且它后面至少排着三个报文段的数据。"
		"探测报文被确认就提高报文段大小（这里有 {acked} 个被确认，升到 {found}）；丢失的探测报文由它后面"
		"那些报文段引起的重复 ACK 发现，并以可行的大小快速重传，不做拥塞响应，因为因尺寸而丢失的探测"
		"并不说明拥塞（§7.6.2）。{probes} 个探测报文中有 {lost} 个被路由器拒绝。同一大小丢失三次"
		"（MAX_PROBES，RFC 8899 §5.1.2）后，搜索就认定它太大；范围缩小到 8 字节以内时搜索暂停，十分钟后再试。\n"
		"规则：RFC 4821 §7（探测、黑洞检测），RFC 2923 §2.1（黑洞），RFC 9293 §3.7.3（MUST-16；MAY：RFC 4821），"
		"RFC 8899 §5.1.2。",
};
