/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * isn, isn-clock (initial sequence numbers: RFC 6528 and the bare clock) and
 * mss, mss-none, mss-mtu (the MSS option: IPv4 and IPv6 on Ethernet, a SYN
 * without the option, hosts with different MTUs).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define CTL DEMO_CTL

struct socks {
	int host;
	int n;
	int s[8];
};

static bool all_established(struct demo *d, void *ctx)
{
	const struct socks *k = ctx;
	for (int i = 0; i < k->n; i++)
		if (sf_state(demo_stack(d, k->host), k->s[i]) != SF_ESTABLISHED)
			return false;
	return true;
}

/* ---- isn --------------------------------------------------------------------------------- */

#define ISN_T0 (3600 * DEMO_SEC + 1234567) /* an hour after boot, at an odd instant */

static void clock_only(struct sf_config *cfg)
{
	cfg->isn_mode = SF_ISN_CLOCK_ONLY;
}

/*
 * A opens three connections to B:80 in one instant and two more 250 ms
 * later. Returns the number of SYN and SYN,ACK segments; the table of their
 * ISNs (with the clock part and what is left) goes into the facts.
 */
static size_t isn_run(struct demo *d, bool clock)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, clock ? clock_only : NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, clock ? clock_only : NULL);
	struct sf_endpoint srv = demo_ep(d, B, 80);
	struct socks k = { .host = A };

	demo_run_to(d, ISN_T0);
	demo_listen(d, B, SF_AF_INET, 80, 16);
	for (int i = 0; i < 3; i++)
		k.s[k.n++] = demo_connect(d, A, 0, &srv);
	demo_run_to(d, ISN_T0 + 250 * DEMO_MS + 1234);
	for (int i = 0; i < 2; i++)
		k.s[k.n++] = demo_connect(d, A, 0, &srv);
	bool up = demo_run_until(d, all_established, &k, 5000);
	demo_settle(d, 100);
	demo_check(d, up, "all five connections are established");

	char table[1536];
	size_t n = 0, count = 0;
	uint32_t isn0 = 0;
	uint64_t t0 = 0;
	size_t predicted = 0, distinct = 0;
	uint32_t isns[16];
	n += (size_t)snprintf(table + n, sizeof table - n, "  %-13s  %14s  %11s  %11s  %11s\n", "segment", "sent at (s)",
			      "M = t/4us", "ISN", "ISN - M");
	for (size_t i = 0; i < d->nev && count < 16; i++) {
		const struct demo_event *e = &d->ev[i];
		if (e->kind != DEV_SEGMENT || !(e->seg.flags & SF_TCP_SYN))
			continue;
		uint32_t clk = (uint32_t)(e->t / 4000);
		uint32_t isn = e->seg.seq;
		if (!count) {
			isn0 = isn;
			t0 = e->t;
		} else if (isn == isn0 + (uint32_t)(e->t / 4000 - t0 / 4000)) {
			predicted++;
		}
		bool dup = false;
		for (size_t j = 0; j < count; j++)
			dup |= isns[j] == isn;
		distinct += !dup;
		isns[count++] = isn;
		char fl[16];
		demo_flags_text(e->seg.flags, fl, sizeof fl);
		char lbl[24];
		snprintf(lbl, sizeof lbl, "#%d %s", e->conn, fl);
		if (n < sizeof table)
			n += (size_t)snprintf(table + n, sizeof table - n, "  %-13s  %4" PRIu64 ".%09" PRIu64 "  %11" PRIu32
					      "  %11" PRIu32 "  %11" PRIu32 "\n",
					      lbl, e->t / DEMO_SEC, e->t % DEMO_SEC, clk, isn, isn - clk);
	}
	if (n && table[n - 1] == '\n')
		table[n - 1] = 0;
	demo_fact(d, "table", "%s", table);
	demo_fact(d, "n", "%zu", count);
	demo_fact(d, "distinct", "%zu", distinct);
	demo_fact(d, "predicted", "%zu", predicted);
	demo_fact(d, "later", "%zu", count ? count - 1 : 0);
	demo_check_exact(d, count == 10, "10 SYNs and SYN,ACKs, nothing retransmitted");
	if (clock) {
		demo_check(d, count > 1 && predicted == count - 1,
			   "an observer who saw the first SYN predicts every later ISN exactly (%zu of %zu)", predicted,
			   count - 1);
		bool clockish = true;
		for (size_t i = 0; i < d->nev; i++)
			if (d->ev[i].kind == DEV_SEGMENT && (d->ev[i].seg.flags & SF_TCP_SYN))
				clockish &= d->ev[i].seg.seq == (uint32_t)(d->ev[i].t / 4000);
		demo_check(d, clockish, "every ISN is exactly the 4 us clock: t/4000 mod 2^32");
		demo_check(d, distinct < count, "connections opened in the same instant share an ISN");
	} else {
		demo_check(d, distinct == count, "all %zu ISNs differ", count);
		demo_check(d, predicted == 0, "the clock predicts none of them");
		/* The three SYNs of one instant: only the hash of the 4-tuple tells them apart. */
		long s1 = demo_find_seg(d, 0, A, ALL, SF_TCP_SYN);
		long s2 = demo_find_seg(d, (size_t)s1 + 1, A, ALL, SF_TCP_SYN);
		long s3 = demo_find_seg(d, (size_t)s2 + 1, A, ALL, SF_TCP_SYN);
		demo_check(d, s3 >= 0 && d->ev[s1].t == d->ev[s3].t && demo_seg(d, s1)->seq != demo_seg(d, s2)->seq &&
				      demo_seg(d, s2)->seq != demo_seg(d, s3)->seq && demo_seg(d, s1)->seq != demo_seg(d, s3)->seq,
			   "three SYNs sent in the same nanosecond get three different ISNs");
	}
	return count;
}

static void run_isn(struct demo *d)
{
	isn_run(d, false);
}

static void run_isn_clock(struct demo *d)
{
	isn_run(d, true);
}

const struct demo_scenario demo_sc_isn = {
	.id = "isn",
	.section = "RFC 9293 §3.4.1; RFC 6528",
	.title_en = "Initial sequence numbers: a 4 us clock plus a keyed hash of the 4-tuple (RFC 6528)",
	.title_zh = "初始序列号：4 微秒时钟加上四元组的带密钥哈希（RFC 6528）",
	.run = run_isn,
	.explain_en =
		"A opens three connections to B:80 in the same instant and two more 250 ms later; B answers each. "
		"These are the {n} initial sequence numbers on the wire, each split the way RFC 6528 builds it, "
		"ISN = M + F(4-tuple, secret), where M is the RFC 793 clock (a 32-bit counter that ticks every "
		"4 us) and F a keyed hash (SipHash-2-4 with the host's secret) of the addresses and ports:\n"
		"{table}\n"
		"Every connection gets a different ISN ({distinct} distinct of {n}), even the three that left A in "
		"the same nanosecond: their clock parts are equal, and only F, different for each source port, sets "
		"them apart. Someone who sees one SYN learns nothing about the next connection's ISN, because F is "
		"different for every 4-tuple and the secret never leaves the host; the clock alone predicts {predicted} "
		"of them. Yet for one 4-tuple F is constant, so a new incarnation of the same connection still gets "
		"an ISN that grows with time, which is what the clock was for: old segments of an earlier "
		"incarnation are unlikely to fall in the new one's window.\n"
		"Compare `synfin demo isn-clock`, where the stack uses the bare clock.\n"
		"Rules: RFC 9293 §3.4.1 (MUST-8: a clock-driven ISN; SHLD-1: RFC 6528's keyed hash), RFC 6528 §3.",
	.explain_zh =
		"A 在同一时刻向 B:80 打开三个连接，250 ms 后再打开两个；B 逐一应答。下表是线路上的 {n} 个初始序列号，"
		"每个都按 RFC 6528 的构造方法拆开：ISN = M + F(四元组, 密钥)，其中 M 是 RFC 793 的时钟"
		"（每 4 微秒加 1 的 32 位计数器），F 是对地址和端口的带密钥哈希（用主机密钥的 SipHash-2-4）：\n"
		"{table}\n"
		"每个连接的 ISN 都不同（{n} 个中有 {distinct} 个不同），即使是同一纳秒从 A 发出的三个：它们的时钟部分相同，"
		"只有 F（每个源端口都不同）把它们区分开。看到一个 SYN 的人对下一个连接的 ISN 一无所知，"
		"因为 F 对每个四元组都不同，而密钥从不离开主机；单靠时钟只能预测其中 {predicted} 个。"
		"但对同一个四元组 F 是常数，所以同一连接的新化身得到的 ISN 仍随时间增长，这正是时钟的用途："
		"旧化身的旧报文段不太可能落在新化身的窗口里。\n"
		"对照 `synfin demo isn-clock`，那里协议栈只用裸时钟。\n"
		"规则：RFC 9293 §3.4.1（MUST-8：由时钟驱动的 ISN；SHLD-1：RFC 6528 的带密钥哈希），RFC 6528 §3。",
};

const struct demo_scenario demo_sc_isn_clock = {
	.id = "isn-clock",
	.section = "RFC 793 §3.3; RFC 6528 §1",
	.title_en = "The same with cfg.isn_mode = SF_ISN_CLOCK_ONLY: the bare clock, and how an observer predicts it",
	.title_zh = "同上，但 cfg.isn_mode = SF_ISN_CLOCK_ONLY：裸时钟，以及观察者如何预测它",
	.run = run_isn_clock,
	.explain_en =
		"The same five connections, with both stacks configured with isn_mode = SF_ISN_CLOCK_ONLY: the ISN "
		"is the RFC 793 clock alone, a 32-bit counter that ticks every 4 us (t/4000 mod 2^32, t in ns):\n"
		"{table}\n"
		"The last column is zero: nothing but the clock. An observer who saw only the first SYN (its ISN "
		"and when it was sent) predicts every later ISN as ISN + (t'/4 us - t/4 us) and is right about {predicted} "
		"of the {later} later ones. Worse, the connections opened in the same instant share one ISN. This is "
		"the weakness RFC 6528 §1 describes: a predictable ISN makes a connection easy to forge, because knowing "
		"the endpoints and the sequence number is enough to forge a TCP segment (Morris 1985, Bellovin "
		"1989). An attacker who can guess the ISN of a connection he cannot see can complete a handshake "
		"in someone else's name and inject data into it.\n"
		"The mode exists only for teaching; the default, SF_ISN_RFC6528, adds a keyed hash of the 4-tuple "
		"(`synfin demo isn`).\n"
		"Rules: RFC 793 §3.3 (the 4 us clock), RFC 6528 §1-§3 (why the clock alone is unsafe, and the fix), "
		"RFC 9293 §3.4.1.",
	.explain_zh =
		"同样的五个连接，但两个协议栈都配置为 isn_mode = SF_ISN_CLOCK_ONLY：ISN 只是 RFC 793 的时钟，"
		"一个每 4 微秒加 1 的 32 位计数器（t/4000 mod 2^32，t 以纳秒计）：\n"
		"{table}\n"
		"最后一列全是零：除了时钟什么也没有。只看到第一个 SYN（它的 ISN 和发送时间）的观察者用 "
		"ISN + (t'/4us - t/4us) 预测后面每一个 ISN，后面 {later} 个中猜对 {predicted} 个。更糟的是，"
		"同一时刻打开的连接共用同一个 ISN。这正是 RFC 6528 §1 所描述的弱点：可预测的 ISN 让连接容易被伪造，"
		"因为只要知道端点和序列号，就可以伪造出一个 TCP 报文段（Morris 1985，Bellovin 1989）。"
		"能猜出一个他看不到的连接的 ISN 的攻击者，可以冒用别人的名义完成握手并注入数据。\n"
		"这个模式只用于教学；默认的 SF_ISN_RFC6528 会加上四元组的带密钥哈希（`synfin demo isn`）。\n"
		"规则：RFC 793 §3.3（4 微秒时钟），RFC 6528 §1-§3（为什么只用时钟不安全，以及修正），RFC 9293 §3.4.1。",
};

/* ---- mss ------------------------------------------------------------------------------- */

static void fill(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)('A' + i % 26);
}

/* Each side sends n bytes to the other; true if both arrive. */
static bool both_ways(struct demo *d, int A, int a, int B, int b, size_t n)
{
	static uint8_t out[8192], in[8192];
	if (n > sizeof out)
		n = sizeof out;
	fill(out, n);
	demo_send(d, A, a, out, n);
	size_t g1 = demo_read(d, B, b, in, n, 5000);
	bool ok = g1 == n && !memcmp(in, out, n);
	demo_send(d, B, b, out, n);
	size_t g2 = demo_read(d, A, a, in, n, 5000);
	return ok && g2 == n && !memcmp(in, out, n);
}

#define TS_ROOM 12 /* the timestamp option and two NOPs (RFC 7323 §3.2, RFC 6691) */

static void run_mss(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	demo_add_addr(d, A, "2001:db8::1", 1500);
	demo_add_addr(d, B, "2001:db8::2", 1500);
	int l4 = demo_listen(d, B, SF_AF_INET, 80, 16);
	int l6 = demo_listen(d, B, SF_AF_INET6, 80, 16);
	struct sf_endpoint srv4 = demo_ep(d, B, 80), srv6 = { .port = 80 };
	sf_addr_parse("2001:db8::2", &srv6.addr);

	/* IPv4. */
	size_t m4 = demo_mark(d);
	int a4 = demo_connect(d, A, 0, &srv4);
	int b4 = demo_establish(d, A, a4, B, l4, 5000);
	long syn4 = demo_find_seg(d, m4, A, ALL, SF_TCP_SYN), sa4 = demo_find_seg(d, m4, B, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check(d, syn4 >= 0 && demo_seg(d, syn4)->opt.mss == 1460, "IPv4 SYN: MSS 1460 = 1500 - 20 (IPv4) - 20 (TCP)");
	demo_check(d, sa4 >= 0 && demo_seg(d, sa4)->opt.mss == 1460, "IPv4 SYN,ACK: MSS 1460");
	size_t dm4 = demo_mark(d), max4a, max4b;
	bool ok4 = both_ways(d, A, a4, B, b4, 3000);
	demo_data_segs(d, dm4, A, &max4a);
	demo_data_segs(d, dm4, B, &max4b);
	demo_check(d, ok4, "3000 bytes each way over IPv4");
	demo_check(d, max4a == 1460 - TS_ROOM && max4b == 1460 - TS_ROOM,
		   "IPv4 data segments are full-sized at 1460 - 12 (timestamps) = 1448 bytes");

	/* IPv6. */
	size_t m6 = demo_mark(d);
	int a6 = demo_connect(d, A, 0, &srv6);
	int b6 = demo_establish(d, A, a6, B, l6, 5000);
	long syn6 = demo_find_seg(d, m6, A, ALL, SF_TCP_SYN), sa6 = demo_find_seg(d, m6, B, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check(d, syn6 >= 0 && demo_seg(d, syn6)->opt.mss == 1440, "IPv6 SYN: MSS 1440 = 1500 - 40 (IPv6) - 20 (TCP)");
	demo_check(d, sa6 >= 0 && demo_seg(d, sa6)->opt.mss == 1440, "IPv6 SYN,ACK: MSS 1440");
	size_t dm6 = demo_mark(d), max6a, max6b;
	bool ok6 = both_ways(d, A, a6, B, b6, 3000);
	demo_data_segs(d, dm6, A, &max6a);
	demo_data_segs(d, dm6, B, &max6b);
	demo_check(d, ok6, "3000 bytes each way over IPv6");
	demo_check(d, max6a == 1440 - TS_ROOM && max6b == 1440 - TS_ROOM,
		   "IPv6 data segments are full-sized at 1440 - 12 = 1428 bytes");
	demo_check_exact(d, demo_counter(d, A, SF_CTR_RetransSegs) + demo_counter(d, B, SF_CTR_RetransSegs) == 0,
			 "nothing retransmitted");
	demo_fact(d, "max4", "%zu", max4a);
	demo_fact(d, "max6", "%zu", max6a);
}

const struct demo_scenario demo_sc_mss = {
	.id = "mss",
	.section = "RFC 9293 §3.7.1; RFC 6691; RFC 8200",
	.title_en = "The MSS option on Ethernet (MTU 1500): 1460 for IPv4, 1440 for IPv6",
	.title_zh = "以太网（MTU 1500）上的 MSS 选项：IPv4 为 1460，IPv6 为 1440",
	.run = run_mss,
	.explain_en =
		"Two hosts on Ethernet (MTU 1500) with an IPv4 and an IPv6 address each. Connection #1 runs over "
		"IPv4: each SYN announces MSS 1460, the MTU less a 20-byte IPv4 header and a 20-byte TCP header. "
		"Connection #2 runs over IPv6, whose header is 40 bytes: MSS 1440. The MSS counts TCP payload only, "
		"and it is what the sender of the SYN is prepared to receive; each side may announce a different one.\n"
		"Then 3000 bytes go each way over each connection. The largest data segments carry {max4} bytes over "
		"IPv4 and {max6} over IPv6, not 1460 and 1440: the two stacks agreed on timestamps, and the 12 bytes of "
		"the timestamp option on every segment come out of the MSS (RFC 6691: the MSS is the payload a "
		"segment may carry with no options; options shrink it). 1448 + 12 + 20 + 20 = 1500 exactly: the "
		"datagrams fill the MTU, no fragmentation.\n"
		"Rules: RFC 9293 §3.7.1 (MUST-14: send MSS = min(peer's MSS, own MTU-derived); MUST-67), RFC 6691 "
		"(options and the MSS), RFC 8200 (the 40-byte IPv6 header), RFC 879.",
	.explain_zh =
		"两台以太网（MTU 1500）上的主机，各有一个 IPv4 地址和一个 IPv6 地址。连接 #1 走 IPv4：每个 SYN 都声明 "
		"MSS 1460，即 MTU 减去 20 字节 IPv4 首部和 20 字节 TCP 首部。连接 #2 走 IPv6，首部 40 字节：MSS 1440。"
		"MSS 只计算 TCP 数据，是 SYN 的发送方愿意接收的大小；双方可以声明不同的值。\n"
		"接着每个连接上双向各传 3000 字节。最大的数据报文段在 IPv4 上是 {max4} 字节，在 IPv6 上是 {max6} 字节，"
		"而不是 1460 和 1440：两个协议栈协商使用了时间戳，每个报文段上 12 字节的时间戳选项要从 MSS 中扣除"
		"（RFC 6691：MSS 是不带选项时报文段可携带的数据量，选项会使它减小）。1448 + 12 + 20 + 20 = 1500："
		"数据报正好填满 MTU，不需要分片。\n"
		"规则：RFC 9293 §3.7.1（MUST-14：发送 MSS = min(对方的 MSS, 自己由 MTU 得出的值)；MUST-67），"
		"RFC 6691（选项与 MSS），RFC 8200（40 字节的 IPv6 首部），RFC 879。",
};

/* ---- mss-none: a SYN without the MSS option ------------------------------------------------------------ */

/*
 * An old host that sends SYNs without any option: a scripted raw host. It
 * answers a SYN,ACK with an ACK, ACKs every data segment, and answers a FIN
 * with an ACK and a FIN of its own.
 */
struct oldhost {
	struct demo *d;
	int host;
	struct {
		struct sf_endpoint local, remote;
		uint32_t snd_nxt, rcv_nxt;
		enum sf_tcp_state state;
	} c[2];
	int nc;
};

static void old_send(struct oldhost *o, int i, uint8_t flags)
{
	struct sf_segment s = {
		.src = o->c[i].local.addr, .dst = o->c[i].remote.addr, .sport = o->c[i].local.port,
		.dport = o->c[i].remote.port, .seq = o->c[i].snd_nxt, .ack = o->c[i].rcv_nxt, .flags = flags,
		.window = 8192,
	};
	demo_inject(o->d, o->host, &s, NULL);
	o->c[i].snd_nxt += (flags & (SF_TCP_SYN | SF_TCP_FIN)) ? 1 : 0;
}

static void old_state(struct oldhost *o, int i, enum sf_tcp_state to, const char *cause)
{
	demo_raw_state(o->d, o->host, &o->c[i].local, &o->c[i].remote, o->c[i].state, to, cause);
	o->c[i].state = to;
}

static void old_deliver(void *ctx, int host, uint64_t now, const struct sf_segment *seg)
{
	struct oldhost *o = ctx;
	(void)host;
	(void)now;
	for (int i = 0; i < o->nc; i++) {
		if (seg->dport != o->c[i].local.port || memcmp(&seg->src, &o->c[i].remote.addr, sizeof seg->src))
			continue;
		if ((seg->flags & (SF_TCP_SYN | SF_TCP_ACK)) == (SF_TCP_SYN | SF_TCP_ACK) && o->c[i].state == SF_SYN_SENT) {
			o->c[i].rcv_nxt = seg->seq + 1;
			old_state(o, i, SF_ESTABLISHED, "rcv SYN,ACK");
			old_send(o, i, SF_TCP_ACK);
			return;
		}
		if (seg->payload_len && seg->seq == o->c[i].rcv_nxt) {
			o->c[i].rcv_nxt += (uint32_t)seg->payload_len;
			if (!(seg->flags & SF_TCP_FIN)) {
				old_send(o, i, SF_TCP_ACK);
				return;
			}
		}
		if ((seg->flags & SF_TCP_FIN) && o->c[i].state == SF_ESTABLISHED) {
			o->c[i].rcv_nxt += 1;
			old_state(o, i, SF_CLOSE_WAIT, "rcv FIN");
			old_send(o, i, SF_TCP_ACK);
			old_state(o, i, SF_LAST_ACK, "close()");
			old_send(o, i, SF_TCP_FIN | SF_TCP_ACK);
			return;
		}
		if ((seg->flags & SF_TCP_ACK) && o->c[i].state == SF_LAST_ACK && seg->ack == o->c[i].snd_nxt) {
			old_state(o, i, SF_CLOSED, "rcv ACK of FIN");
			return;
		}
	}
}

static void old_connect(struct oldhost *o, const char *local, uint16_t lport, const struct sf_endpoint *remote,
			uint32_t iss)
{
	int i = o->nc++;
	sf_addr_parse(local, &o->c[i].local.addr);
	o->c[i].local.port = lport;
	o->c[i].remote = *remote;
	o->c[i].snd_nxt = iss;
	o->c[i].state = SF_CLOSED;
	old_state(o, i, SF_SYN_SENT, "connect()");
	old_send(o, i, SF_TCP_SYN); /* no MSS option, nor any other */
}

/* The server's data segments to the old host on conn: their largest payload and total. */
static void server_data(const struct demo *d, size_t mark, int host, int conn, size_t *max, size_t *total)
{
	*max = *total = 0;
	for (size_t i = mark; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		if (e->kind != DEV_SEGMENT || e->host != host || e->conn != conn || !e->seg.payload_len)
			continue;
		*total += e->seg.payload_len;
		if (e->seg.payload_len > *max)
			*max = e->seg.payload_len;
	}
}

static void run_mss_none(struct demo *d)
{
	static struct oldhost o;
	memset(&o, 0, sizeof o);
	o.d = d;
	o.host = demo_add_raw_host(d, "old-host", "192.0.2.9", old_deliver, &o);
	demo_add_addr(d, o.host, "2001:db8::9", 1500);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	demo_add_addr(d, S, "2001:db8::2", 1500);
	int l4 = demo_listen(d, S, SF_AF_INET, 80, 16);
	int l6 = demo_listen(d, S, SF_AF_INET6, 80, 16);
	static uint8_t data[2000];
	fill(data, sizeof data);

	/* IPv4: the SYN has no MSS option, so the server assumes 536. */
	struct sf_endpoint srv4 = demo_ep(d, S, 80), srv6 = { .port = 80 };
	sf_addr_parse("2001:db8::2", &srv6.addr);
	size_t m4 = demo_mark(d);
	old_connect(&o, "192.0.2.9", 1025, &srv4, 1000);
	demo_settle(d, 50);
	int s4 = demo_accept(d, S, l4);
	demo_check(d, s4 >= 0, "the server accepts the old host's IPv4 connection");
	long sa4 = demo_find_seg(d, m4, S, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check(d, sa4 >= 0 && demo_seg(d, sa4)->opt.has_mss && demo_seg(d, sa4)->opt.mss == 1460,
		   "the server still announces its own MSS, 1460");
	demo_check(d, sa4 >= 0 && !demo_seg(d, sa4)->opt.has_timestamp && !demo_seg(d, sa4)->opt.has_wscale &&
			      !demo_seg(d, sa4)->opt.sack_permitted,
		   "and offers no option the old host did not offer (timestamps, window scale, SACK)");
	size_t dm4 = demo_mark(d), max4, tot4;
	demo_send(d, S, s4, data, sizeof data);
	demo_settle(d, 200);
	server_data(d, dm4, S, demo_seg(d, sa4) ? d->ev[sa4].conn : 0, &max4, &tot4);
	demo_check(d, tot4 == sizeof data, "all 2000 bytes are sent");
	demo_check(d, max4 == 536, "IPv4 data segments carry at most 536 bytes (576 - 20 - 20)");
	demo_close(d, S, s4);
	demo_settle(d, 200);
	demo_check(d, demo_saw(d, S, SF_LAST_ACK, SF_CLOSED) || demo_saw(d, S, SF_FIN_WAIT_2, SF_TIME_WAIT),
		   "the IPv4 connection closes");

	/* IPv6: the default without the option is 1220 (1280 - 40 - 20). */
	size_t m6 = demo_mark(d);
	old_connect(&o, "2001:db8::9", 1026, &srv6, 5000);
	demo_settle(d, 50);
	int s6 = demo_accept(d, S, l6);
	long sa6 = demo_find_seg(d, m6, S, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check(d, s6 >= 0 && sa6 >= 0 && demo_seg(d, sa6)->opt.mss == 1440,
		   "the IPv6 connection: the server announces 1440");
	size_t dm6 = demo_mark(d), max6, tot6;
	demo_send(d, S, s6, data, sizeof data);
	demo_settle(d, 200);
	server_data(d, dm6, S, sa6 >= 0 ? d->ev[sa6].conn : 0, &max6, &tot6);
	demo_check(d, tot6 == sizeof data && max6 == 1220, "IPv6 data segments carry at most 1220 bytes (1280 - 40 - 20)");
	demo_close(d, S, s6);
	demo_settle(d, 200);
	demo_check_exact(d, demo_counter(d, S, SF_CTR_RetransSegs) == 0, "nothing retransmitted");
	demo_fact(d, "max4", "%zu", max4);
	demo_fact(d, "max6", "%zu", max6);
}

const struct demo_scenario demo_sc_mss_none = {
	.id = "mss-none",
	.section = "RFC 9293 §3.7.1 MUST-15; RFC 879",
	.title_en = "A SYN without the MSS option: the default 536 (IPv4) and 1220 (IPv6)",
	.title_zh = "不带 MSS 选项的 SYN：默认值 536（IPv4）与 1220（IPv6）",
	.run = run_mss_none,
	.explain_en =
		"A synfin stack always sends the MSS option, so the left host here is not a synfin stack: it is a "
		"scripted \"old host\" that sends hand-built SYNs with no options at all, ACKs what it receives and "
		"closes when told to (its states are drawn as if it were a stack).\n"
		"Without the option, the server must assume the peer can take only the default: 536 bytes for IPv4 "
		"(the 576-byte datagram every IPv4 host must accept, less 20 + 20 bytes of headers) and 1220 for "
		"IPv6 (its 1280-byte minimum MTU, less 40 + 20). The server still announces its own MSS (1460, "
		"1440) in the SYN,ACK, and since the old host offered no timestamps, window scaling or SACK, it "
		"offers none either (RFC 7323, RFC 2018: an option is used only if both SYNs carry it).\n"
		"The 2000-byte answers go out in segments of at most {max4} bytes over IPv4 and {max6} over IPv6, "
		"however big the server's own MTU is: the send MSS is the smaller of what the peer can take and what "
		"the own interface allows. The last, short piece of each answer leaves only when the earlier "
		"ones are ACKed: Nagle's algorithm does not send a less-than-full segment while data is "
		"unacknowledged (RFC 9293 §3.7.4).\n"
		"Rules: RFC 9293 §3.7.1 (MUST-15: without the option assume 536 for IPv4, 1220 for IPv6; MUST-14: "
		"send MSS = min of both), RFC 879, RFC 8200 §5 (1280).",
	.explain_zh =
		"synfin 协议栈总是发送 MSS 选项，所以左边这台主机不是 synfin 协议栈，而是一个脚本化的\"老主机\"："
		"它发送手工构造的、不带任何选项的 SYN，确认收到的数据，并按要求关闭（图中把它的状态画得像协议栈一样）。\n"
		"没有这个选项，服务器只能假定对方只能接受默认值：IPv4 为 536 字节（每台 IPv4 主机都必须能接收的 "
		"576 字节数据报，减去 20 + 20 字节首部），IPv6 为 1220 字节（最小 MTU 1280，减去 40 + 20）。"
		"服务器在 SYN,ACK 中仍然声明自己的 MSS（1460、1440）；由于老主机没有提供时间戳、窗口扩大或 SACK，"
		"服务器也都不提供（RFC 7323、RFC 2018：只有双方的 SYN 都携带某选项时才使用它）。\n"
		"2000 字节的应答在 IPv4 上以最多 {max4} 字节、在 IPv6 上以最多 {max6} 字节的报文段发出，"
		"无论服务器自己的 MTU 有多大：发送 MSS 取对方能接收的和本地接口允许的两者中较小的一个。"
		"每个应答最后那段较短的数据要等前面的报文段被确认后才发出：Nagle 算法在有未确认数据时不发送不满长的报文段"
		"（RFC 9293 §3.7.4）。\n"
		"规则：RFC 9293 §3.7.1（MUST-15：没有该选项时 IPv4 假定 536、IPv6 假定 1220；MUST-14：发送 MSS 取两者最小值），"
		"RFC 879，RFC 8200 §5（1280）。",
};

/* ---- mss-mtu: hosts with different MTUs ---------------------------------------------------------------------- */

static void run_mss_mtu(struct demo *d)
{
	int J = demo_add_host(d, "jumbo", "192.0.2.1", 9000, NULL);
	int E = demo_add_host(d, "ethernet", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, E, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, E, 80);
	int c = demo_connect(d, J, 0, &srv);
	int s = demo_establish(d, J, c, E, lst, 5000);
	long syn = demo_find_seg(d, 0, J, ALL, SF_TCP_SYN), sa = demo_find_seg(d, 0, E, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check(d, syn >= 0 && demo_seg(d, syn)->opt.mss == 8960, "the jumbo host (MTU 9000) announces 8960");
	demo_check(d, sa >= 0 && demo_seg(d, sa)->opt.mss == 1460, "the Ethernet host (MTU 1500) announces 1460");
	size_t mark = demo_mark(d), mj, me;
	bool ok = both_ways(d, J, c, E, s, 4000);
	demo_data_segs(d, mark, J, &mj);
	demo_data_segs(d, mark, E, &me);
	demo_check(d, ok, "4000 bytes each way");
	demo_check(d, mj == 1460 - TS_ROOM, "the jumbo host keeps to its peer's 1460 (1448 with timestamps)");
	demo_check(d, me == 1460 - TS_ROOM, "the Ethernet host keeps to its own MTU: 1448 too, not 8960");
	demo_fact(d, "mj", "%zu", mj);
	demo_fact(d, "me", "%zu", me);
	demo_close(d, E, lst);
}

const struct demo_scenario demo_sc_mss_mtu = {
	.id = "mss-mtu",
	.section = "RFC 9293 §3.7.1 MUST-14, MUST-67",
	.title_en = "Hosts with different MTUs (9000 and 1500): each sends what the smaller side can take",
	.title_zh = "不同 MTU 的主机（9000 与 1500）：双方都按较小一方的能力发送",
	.run = run_mss_mtu,
	.explain_en =
		"The left host sits on a jumbo-frame network (MTU 9000) and announces MSS 8960 (9000 - 20 - 20); "
		"the right one is on Ethernet (MTU 1500) and announces 1460. An MSS is an upper bound on what the "
		"announcing side will receive, not a negotiation: the two values differ and both stand.\n"
		"Each side then sends at most min(the peer's MSS, its own MTU-derived MSS), less the options it "
		"carries: the jumbo host keeps to the 1460 its peer announced, and the Ethernet host, though the "
		"jumbo host would take 8960, cannot send more than its own 1500-byte MTU allows. Both end up with "
		"{mj}- and {me}-byte segments (1460 less the 12 bytes of timestamps).\n"
		"Path MTU discovery (RFC 1191, RFC 8201, RFC 4821) lowers this further when a narrower link "
		"lies between them; here there is none (`synfin demo pmtu` has one).\n"
		"Rules: RFC 9293 §3.7.1 (MUST-14: effective send MSS = min(SendMSS, MMS_S - 20) less options; "
		"MUST-67: derive the announced MSS from the MTU), RFC 6691.",
	.explain_zh =
		"左边的主机在巨帧网络上（MTU 9000），声明 MSS 8960（9000 - 20 - 20）；右边的在以太网上（MTU 1500），"
		"声明 1460。MSS 是声明方愿意接收的上限，不是协商：两个值不同，各自有效。\n"
		"然后每一方最多发送 min(对方的 MSS, 自己由 MTU 得出的 MSS)，再减去所带的选项：巨帧主机遵守对方声明的 "
		"1460；以太网主机虽然对方能接收 8960，但自己的 1500 字节 MTU 不允许发更大的。结果双方的报文段都是 "
		"{mj} 和 {me} 字节（1460 减去 12 字节的时间戳）。\n"
		"如果两者之间有更窄的链路，路径 MTU 发现（RFC 1191、RFC 8201、RFC 4821）还会把它降得更低；这里没有这样的链路"
		"（`synfin demo pmtu` 中有一条）。\n"
		"规则：RFC 9293 §3.7.1（MUST-14：有效发送 MSS = min(SendMSS, MMS_S - 20) 再减去选项；"
		"MUST-67：由 MTU 得出声明的 MSS），RFC 6691。",
};
