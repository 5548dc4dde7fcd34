/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncookies: a listener under a SYN flood. The flood fills the SYN queue;
 * the next SYN, a real client's, is answered with a SYN cookie (RFC 4987
 * §3.6) instead of being dropped, and its final ACK makes the connection
 * without the server having kept anything.
 */
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define SYN_BACKLOG 3
#define FLOOD 4

static void cfg_flooded(struct sf_config *cfg)
{
	cfg->syn_backlog = SYN_BACKLOG;
	cfg->syncookies = 1; /* the default, said here because it is the point */
}

/* The flood's source answers nothing: its SYN,ACKs are lost on it. */
static void flood_deliver(void *ctx, int host, uint64_t now, const struct sf_segment *seg)
{
	(void)ctx, (void)host, (void)now, (void)seg;
}

static void run_syncookies(struct demo *d)
{
	int F = demo_add_raw_host(d, "flood", "198.51.100.66", flood_deliver, NULL);
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, cfg_flooded);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);

	/* The flood: SYNs from a source that never answers, one more than the SYN queue holds. */
	for (int i = 0; i < FLOOD; i++) {
		struct sf_segment syn = {
			.src = demo_addr(d, F), .dst = srv.addr, .sport = (uint16_t)(1001 + i), .dport = 80,
			.seq = 1000000u * (uint32_t)(i + 1), .flags = SF_TCP_SYN, .window = 65535,
			.opt = { .has_mss = 1, .mss = 1460 },
		};
		demo_inject(d, F, &syn, "flood");
	}
	demo_settle(d, 30);
	demo_note(d, S, "the SYN queue is full (3 embryos); the 4th SYN got a SYN cookie, and nothing was kept",
		  "SYN 队列已满（3 个半连接）；第 4 个 SYN 得到一个 SYN cookie，服务器什么也没保存");

	size_t mark = demo_mark(d);
	int c = demo_connect(d, C, 40000, &srv);
	int s = demo_establish(d, C, c, S, lst, 3000);
	demo_check(d, s >= 0, "the client's connection is made and accepted");
	demo_send_text(d, C, c, "GET / HTTP/1.0\r\n\r\n");
	char req[64] = "";
	demo_read(d, S, s, req, 18, 1000);
	demo_send_text(d, S, s, "HTTP/1.0 200 OK\r\n\r\n");
	demo_close(d, S, s);
	char rsp[64] = "";
	demo_read(d, C, c, rsp, 19, 1000);
	demo_read_eof(d, C, c, 1000);
	demo_close(d, C, c);
	demo_settle(d, 200);

	long sa = demo_find_seg(d, mark, S, SF_TCP_SYN | SF_TCP_ACK, SF_TCP_SYN | SF_TCP_ACK);
	uint64_t sent = demo_counter(d, S, SF_CTR_SyncookiesSent), recv = demo_counter(d, S, SF_CTR_SyncookiesRecv);
	demo_check(d, demo_counter(d, S, SF_CTR_SynRecvCurrent) == SYN_BACKLOG,
		   "the flood still holds the SYN queue: %d embryos (syn_backlog)", SYN_BACKLOG);
	demo_check(d, sent == 2, "two SYNs found the SYN queue full and got a cookie: the flood's 4th and the client's");
	demo_check(d, demo_counter(d, S, SF_CTR_TCPReqQFullDrop) == 0, "no SYN was dropped (TCPReqQFullDrop 0)");
	demo_check(d, recv == 1, "the client's final ACK brought a valid cookie back (SyncookiesRecv 1)");
	demo_check(d, demo_counter(d, C, SF_CTR_TCPSynRetrans) == 0, "the client got in on its first SYN");
	demo_check(d, memcmp(req, "GET / HTTP/1.0\r\n\r\n", 18) == 0 && memcmp(rsp, "HTTP/1.0 200 OK\r\n\r\n", 19) == 0,
		   "the request and the answer went through");
	demo_check(d, sa >= 0 && demo_seg(d, sa)->opt.has_timestamp && demo_seg(d, sa)->opt.has_wscale &&
			      demo_seg(d, sa)->opt.sack_permitted,
		   "the cookie's SYN,ACK offered timestamps, window scale and SACK: the TSval carries the last two");
	demo_fact(d, "synb", "%d", SYN_BACKLOG);
	demo_fact(d, "flood", "%d", FLOOD);
	demo_fact(d, "sent", "%" PRIu64, sent);
	demo_fact(d, "cookie", "%" PRIu32, sa >= 0 ? demo_seg(d, sa)->seq : 0);
}

const struct demo_scenario demo_sc_syncookies = {
	.id = "syncookies",
	.section = "RFC 4987 §3.6; Linux tcp_syncookies",
	.title_en = "SYN cookies: a flood fills the SYN queue, a real client still gets in",
	.title_zh = "SYN cookie：洪泛占满了 SYN 队列，真正的客户端照样连得上",
	.run = run_syncookies,
	.explain_en =
		"A SYN flood sends SYNs from sources that never answer. Each SYN that finds room becomes an embryo "
		"(SYN-RECEIVED) and waits for a final ACK that never comes, through the whole SYN,ACK schedule. Here the "
		"SYN queue holds {synb} (syn_backlog) and the flood sends {flood} SYNs.\n"
		"What to notice, in order:\n"
		"- The first {synb} flood SYNs become embryos. The next finds the SYN queue full. Without cookies it would "
		"be dropped, and so would every real client's SYN until an embryo timed out (see the backlog scenario).\n"
		"- With syncookies = 1 (the default, as Linux's tcp_syncookies) it is answered with a SYN cookie and "
		"nothing is kept: the SYN,ACK's sequence number, {cookie}, is a SipHash MAC of the 4-tuple, a counter that "
		"rolls each minute and the client's ISN, plus an index for the client's MSS. The client's window scale and "
		"SACK ride in the low bits of the TSval, which the client echoes.\n"
		"- The real client's SYN gets a cookie too ({sent} cookies in all). Its final ACK acknowledges the "
		"cookie + 1: the server checks the MAC, rebuilds the SYN-RECEIVED state (the trace shows LISTEN -> "
		"SYN-RECEIVED with the cause \"rcv ACK of SYN cookie\") and the connection is ESTABLISHED at once.\n"
		"- The request and the answer go through as usual. The client never retransmitted its SYN.\n"
		"A cookie is only checked against the client's first segment after its SYN. A later one that overtakes it "
		"is dropped without a RST, and a lost final ACK is never retransmitted by the server, which remembers "
		"nothing. A client that then has nothing to send is healed by its keepalive probe. synfin-bench-synflood "
		"measures a million spoofed SYNs: every legitimate client gets in on its first SYN, and memory stays flat.\n"
		"Rules: RFC 4987 §3.6 (SYN cookies), RFC 7323 §3.2 (the echoed TSval), RFC 9293 §3.10.7.2 (SYN in LISTEN); "
		"Linux's encoding, with the client's ISN also in the MAC.",
	.explain_zh =
		"SYN 洪泛从永不应答的源地址发出 SYN。每个找到空位的 SYN 都成为一个半连接（SYN-RECEIVED），"
		"在整个 SYN,ACK 重传周期里等待一个永远不会到来的最后 ACK。这里 SYN 队列容量为 {synb}（syn_backlog），"
		"洪泛发出 {flood} 个 SYN。\n"
		"按顺序注意：\n"
		"- 前 {synb} 个洪泛 SYN 成为半连接。下一个发现 SYN 队列已满。没有 cookie 时它会被丢弃，"
		"真正客户端的 SYN 也一样，直到某个半连接超时（见 backlog 场景）。\n"
		"- 在 syncookies = 1（默认值，与 Linux 的 tcp_syncookies 相同）时，它得到一个 SYN cookie 应答，"
		"服务器什么也不保存：SYN,ACK 的序号 {cookie} 是对四元组、每分钟滚动一次的计数器和客户端 ISN 的 "
		"SipHash MAC，再加上客户端 MSS 的索引。客户端的窗口缩放和 SACK 放在 TSval 的低位里，由客户端回显。\n"
		"- 真正客户端的 SYN 也得到 cookie（共 {sent} 个）。它的最后 ACK 确认 cookie + 1：服务器校验 MAC，"
		"重建 SYN-RECEIVED 状态（轨迹里显示 LISTEN -> SYN-RECEIVED，原因是“收到对 SYN cookie 的确认”），"
		"连接立即进入 ESTABLISHED。\n"
		"- 请求和应答照常通过。客户端从未重传它的 SYN。\n"
		"cookie 只对照客户端在 SYN 之后的第一个报文段校验。抢先到达的后续报文段会被丢弃而不发 RST；"
		"丢失的最后 ACK 不会由服务器重传，因为它什么也不记得。此后无数据可发的客户端由它的保活探测修复。"
		"synfin-bench-synflood 测量了一百万个伪造 SYN：每个合法客户端都在第一个 SYN 就连上，内存保持平稳。\n"
		"规则：RFC 4987 §3.6（SYN cookie），RFC 7323 §3.2（回显的 TSval），RFC 9293 §3.10.7.2（LISTEN 中收到 SYN）；"
		"Linux 的编码方式，另把客户端的 ISN 也纳入 MAC。",
};
