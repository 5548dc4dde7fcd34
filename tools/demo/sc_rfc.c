/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 9293 §3.5 and §3.5.1, the anomaly figures:
 *
 *   rfc-fig8   Figure 8  (RFC 793 Figure 9)  recovery from an old duplicate SYN
 *   rfc-fig9   Figure 9  (RFC 793 Figure 10) half-open connection discovery
 *   rfc-fig10  Figure 10 (RFC 793 Figure 11) active side causes half-open discovery
 *   rfc-fig11  Figure 11 (RFC 793 Figure 12) old duplicate SYN resets two passive sockets
 *
 * Old duplicates are hand-built segments sent from the host whose address
 * they carry.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define CTL DEMO_CTL

/* Whether segment i exists, was sent by host and has exactly these control flags. */
static bool is_seg(const struct demo *d, long i, int host, uint8_t ctl)
{
	return i >= 0 && (size_t)i < d->nev && d->ev[i].kind == DEV_SEGMENT && d->ev[i].host == host &&
	       (d->ev[i].seg.flags & CTL) == ctl;
}

/* The index of the k-th segment (0-based) at or after mark; -1 if none. */
static long nth_seg(const struct demo *d, size_t mark, size_t k)
{
	for (size_t i = mark; i < d->nev; i++)
		if (d->ev[i].kind == DEV_SEGMENT && k-- == 0)
			return (long)i;
	return -1;
}

/* ---- Figure 8 ------------------------------------------------------------------------------------- */

static void run_fig8(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, B, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, B, 80);
	struct sf_sim_link slow = { .delay_ns = 5 * (uint64_t)d->opt->delay_ms * DEMO_MS + 10 * DEMO_MS };
	struct sf_sim_link normal = { .delay_ns = (uint64_t)d->opt->delay_ms * DEMO_MS, .loss = d->opt->loss };

	/* Line 2: A's SYN takes a slow path through the network. */
	size_t mark = demo_mark(d);
	sf_sim_set_link(d->sim, A, B, &slow);
	int c = demo_connect(d, A, 5000, &srv);
	sf_sim_set_link(d->sim, A, B, &normal);
	demo_note(d, A, "A's SYN takes a slow path through the network", "A 的 SYN 在网络中走了一条慢路");
	long syn = demo_find_seg(d, mark, A, ALL, SF_TCP_SYN);
	uint32_t iss = demo_seg(d, syn)->seq;

	/* Line 3: an old duplicate SYN of the same 4-tuple, 10 below, arrives first. */
	struct sf_segment dup = {
		.src = demo_addr(d, A), .dst = demo_addr(d, B), .sport = 5000, .dport = 80,
		.seq = iss - 10, .flags = SF_TCP_SYN, .window = 65535, .opt = { .has_mss = 1, .mss = 1460 },
	};
	demo_inject(d, A, &dup, "old duplicate");
	int s = demo_establish(d, A, c, B, lst, 3000);
	demo_settle(d, 100);

	long dupi = nth_seg(d, mark, 1), sa1 = nth_seg(d, mark, 2), rst = nth_seg(d, mark, 3);
	long sa2 = nth_seg(d, mark, 4), ack = nth_seg(d, mark, 5);
	demo_check(d, is_seg(d, sa1, B, SF_TCP_SYN | SF_TCP_ACK) && demo_seg(d, sa1)->ack == iss - 10 + 1,
		   "B answers the old duplicate normally: SYN,ACK with ACK = old SEQ + 1");
	demo_check(d, is_seg(d, rst, A, SF_TCP_RST) && demo_seg(d, rst)->seq == iss - 10 + 1,
		   "A, in SYN-SENT, finds that ACK unacceptable: <SEQ=SEG.ACK><CTL=RST>");
	demo_check(d, demo_drops(d, A, SF_DROP_SYN_SENT_BAD_ACK) == 1, "(drop reason SYN_SENT_BAD_ACK)");
	demo_check(d, demo_saw(d, B, SF_SYN_RECEIVED, SF_LISTEN), "B's embryo goes back to LISTEN on the RST");
	demo_check(d, is_seg(d, dupi, A, SF_TCP_SYN) && d->ev[dupi].crafted && d->ev[dupi].fate_t < d->ev[syn].fate_t,
		   "the old duplicate, sent after A's SYN, arrives before it");
	demo_check(d, d->ev[syn].fate == FATE_DELIVERED && d->ev[syn].fate_t > d->ev[rst].fate_t,
		   "A's real SYN arrives after B has been reset");
	demo_check_exact(d, demo_segs_since(d, mark) == 6, "six segments in all, nothing retransmitted");
	demo_check(d, is_seg(d, sa2, B, SF_TCP_SYN | SF_TCP_ACK) && demo_seg(d, sa2)->ack == iss + 1,
		   "B's new SYN,ACK acknowledges the real ISN + 1");
	demo_check(d, is_seg(d, ack, A, SF_TCP_ACK) && s >= 0, "A's ACK completes the connection");
	demo_check(d, demo_counter(d, A, SF_CTR_TCPSynRetrans) == 0, "A never had to retransmit");
	demo_check(d, demo_counter(d, B, SF_CTR_AttemptFails) == 1 && demo_counter(d, B, SF_CTR_PassiveOpens) == 1,
		   "B counts one failed attempt and one passive open");
	demo_fact(d, "iss", "%" PRIu32, iss);
	demo_fact(d, "old", "%" PRIu32, iss - 10);
	demo_fact(d, "old1", "%" PRIu32, iss - 9);
	demo_close(d, B, lst);
}

const struct demo_scenario demo_sc_fig8 = {
	.id = "rfc-fig8",
	.section = "RFC 9293 §3.5 Figure 8 (RFC 793 Figure 9); §3.10.7.3",
	.title_en = "Recovery from an old duplicate SYN",
	.title_zh = "从旧的重复 SYN 中恢复",
	.run = run_fig8,
	.explain_en =
		"RFC 9293's Figure 8, played by two synfin stacks. A opens from port 5000 with ISN {iss}, but its "
		"SYN is slow on the way. Meanwhile an old duplicate SYN of an earlier incarnation of the same "
		"4-tuple (SEQ {old}, hand-built here) reaches B first. B cannot know it is old: it answers with a "
		"SYN,ACK acknowledging {old1}.\n"
		"A is in SYN-SENT and that ACK does not acknowledge anything A sent (it is outside (ISS, SND.NXT]), so "
		"A answers with <SEQ=SEG.ACK><CTL=RST> (§3.10.7.3). B, in SYN-RECEIVED, accepts the RST and goes back "
		"to LISTEN, dropping the embryo (§3.10.7.4: a passive open returns to LISTEN). When A's real SYN "
		"arrives, B answers it properly, and the handshake completes without A ever retransmitting.\n"
		"This is why the three-way handshake exists: the third segment (or a RST) lets the side that "
		"opened confirm that the SYN being answered is its own.\n"
		"Rules: RFC 9293 §3.5 (Figure 8), §3.10.7.3 (SYN-SENT: a bad ACK draws a RST), §3.10.7.4 "
		"(SYN-RECEIVED: RST returns a passively opened connection to LISTEN).",
	.explain_zh =
		"由两个 synfin 协议栈演出的 RFC 9293 图 8。A 从端口 5000 以 ISN {iss} 发起连接，但它的 SYN 在路上走得很慢。"
		"与此同时，同一四元组早先某个化身的旧重复 SYN（SEQ {old}，这里是手工构造的）先到达 B。B 无法知道它是旧的："
		"回一个确认 {old1} 的 SYN,ACK。\n"
		"A 处于 SYN-SENT，这个 ACK 并不确认 A 发送过的任何东西（不在 (ISS, SND.NXT] 之内），所以 A 回 "
		"<SEQ=SEG.ACK><CTL=RST>（§3.10.7.3）。处于 SYN-RECEIVED 的 B 接受这个 RST，丢弃半连接，回到 LISTEN"
		"（§3.10.7.4：被动打开的连接回到 LISTEN）。当 A 真正的 SYN 到达时，B 正常应答，握手完成，A 一次也没有重传。\n"
		"这就是三次握手存在的原因：第三个报文段（或一个 RST）让发起方能够确认对方应答的是自己的 SYN。\n"
		"规则：RFC 9293 §3.5（图 8），§3.10.7.3（SYN-SENT：错误的 ACK 招来 RST），§3.10.7.4"
		"（SYN-RECEIVED：RST 使被动打开的连接回到 LISTEN）。",
};

/* ---- Figure 9: half-open discovery ---------------------------------------------------------------------------- */

static void run_fig9(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, B, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, B, 80);
	char buf[8];
	int c = demo_connect(d, A, 5000, &srv);
	int s1 = demo_establish(d, A, c, B, lst, 5000);
	demo_send_text(d, A, c, "hello");
	demo_read(d, B, s1, buf, 5, 2000);
	demo_settle(d, 100);

	/* Line 1: A crashes and comes back with no memory of the connection. */
	demo_crash(d, A);
	demo_run_for(d, 500);
	demo_reboot(d, A);
	demo_run_for(d, 500);
	demo_check(d, sf_state(demo_stack(d, B), s1) == SF_ESTABLISHED, "B still believes in the old connection");

	/* Line 3: A's user opens again, from the same port. */
	size_t mark = demo_mark(d);
	int c2 = demo_connect(d, A, 5000, &srv);
	int s2 = demo_establish(d, A, c2, B, lst, 5000);
	long syn = nth_seg(d, mark, 0), chack = nth_seg(d, mark, 1), rst = nth_seg(d, mark, 2);
	long syn2 = nth_seg(d, mark, 3), sa = nth_seg(d, mark, 4), ack = nth_seg(d, mark, 5);
	demo_check(d, is_seg(d, syn, A, SF_TCP_SYN), "A's new SYN");
	demo_check(d, is_seg(d, chack, B, SF_TCP_ACK) && demo_seg(d, chack)->payload_len == 0,
		   "B, synchronized, answers with its own numbers: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
	demo_check(d, demo_counter(d, B, SF_CTR_TCPSYNChallenge) == 1, "(a challenge ACK: RFC 5961 §4)");
	demo_check(d, is_seg(d, rst, A, SF_TCP_RST) && demo_seg(d, rst)->seq == demo_seg(d, chack)->ack,
		   "A, in SYN-SENT, finds that ACK unacceptable: <SEQ=SEG.ACK><CTL=RST>");
	demo_check(d, demo_saw(d, B, SF_ESTABLISHED, SF_CLOSED) && demo_counter(d, B, SF_CTR_EstabResets) == 1,
		   "B's half-open connection is reset (ESTABLISHED -> CLOSED)");
	demo_check(d, is_seg(d, syn2, A, SF_TCP_SYN) && demo_seg(d, syn2)->seq == demo_seg(d, syn)->seq &&
			      d->ev[syn2].retransmit,
		   "A's SYN is retransmitted (1 s later) ...");
	demo_check(d, is_seg(d, sa, B, SF_TCP_SYN | SF_TCP_ACK) && is_seg(d, ack, A, SF_TCP_ACK) && s2 >= 0,
		   "... and now the handshake completes normally");
	long r = demo_recv(d, B, s1, buf, sizeof buf);
	demo_check(d, r == -ECONNRESET, "B's application learns of the reset: -ECONNRESET");
	demo_close(d, B, s1);
	demo_close(d, B, lst);
}

const struct demo_scenario demo_sc_fig9 = {
	.id = "rfc-fig9",
	.section = "RFC 9293 §3.5.1 Figure 9 (RFC 793 Figure 10); RFC 5961 §4",
	.title_en = "Half-open connection discovery: the crashed side reconnects",
	.title_zh = "发现半开连接：崩溃的一方重新连接",
	.run = run_fig9,
	.explain_en =
		"RFC 9293's Figure 9. A and B are connected (A from port 5000) when A crashes; it reboots with no "
		"memory of the connection, while B, which was told nothing, is still ESTABLISHED: the connection is "
		"half-open.\n"
		"A's user opens again from the same port, so A's new SYN lands on B's old connection. B is "
		"synchronized, and a SYN there is not acceptable: B answers with an ACK carrying its own current "
		"numbers (RFC 5961 §4 calls it a challenge ACK; RFC 793 sent the same ACK for an out-of-window "
		"SYN). A, in SYN-SENT, sees an ACK of nothing it sent and answers <SEQ=SEG.ACK><CTL=RST>. That RST "
		"is exactly at B's RCV.NXT, so B accepts it and aborts its half-open connection; B's application "
		"gets -ECONNRESET. A's SYN, retransmitted by its timer, now finds B's listener and the new "
		"connection (#2) opens normally.\n"
		"Rules: RFC 9293 §3.5.1 (Figure 9), §3.10.7.4 (SYN in a synchronized state; RST processing), "
		"§3.10.7.3, RFC 5961 §4 (challenge ACK for a SYN) and §3 (a RST must match RCV.NXT exactly).",
	.explain_zh =
		"RFC 9293 的图 9。A 和 B 已连接（A 从端口 5000），这时 A 崩溃；它重启后不记得这个连接，而没有得到任何通知的 B "
		"仍处于 ESTABLISHED：连接是半开的。\n"
		"A 的用户从同一个端口再次打开，所以 A 新的 SYN 落到了 B 的旧连接上。B 已同步，在这种状态下 SYN 不可接受："
		"B 回一个带自己当前序号的 ACK（RFC 5961 §4 称之为挑战 ACK；RFC 793 对窗口外的 SYN 也发同样的 ACK）。"
		"处于 SYN-SENT 的 A 看到一个并非确认自己所发内容的 ACK，回 <SEQ=SEG.ACK><CTL=RST>。这个 RST 正好等于 B 的 "
		"RCV.NXT，于是 B 接受它并终止半开连接；B 的应用程序得到 -ECONNRESET。A 的 SYN 由定时器重传，"
		"这次找到了 B 的监听套接字，新连接（#2）正常建立。\n"
		"规则：RFC 9293 §3.5.1（图 9），§3.10.7.4（已同步状态收到 SYN；RST 处理），§3.10.7.3，"
		"RFC 5961 §4（对 SYN 回挑战 ACK）与 §3（RST 必须恰好等于 RCV.NXT）。",
};

/* ---- Figure 10: the active side causes half-open discovery ----------------------------------------------------- */

static void run_fig10(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, B, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, B, 80);
	char buf[8];
	int c = demo_connect(d, A, 5000, &srv);
	int s = demo_establish(d, A, c, B, lst, 5000);
	demo_send_text(d, B, s, "hello");
	demo_read(d, A, c, buf, 5, 2000);
	demo_settle(d, 100);

	/* B reboots and its server application listens again on port 80. */
	demo_crash(d, B);
	demo_settle(d, 2000);
	demo_reboot(d, B);
	demo_listen(d, B, SF_AF_INET, 80, 16);
	demo_settle(d, 100);
	demo_check(d, sf_state(demo_stack(d, A), c) == SF_ESTABLISHED, "A is still ESTABLISHED");

	size_t mark = demo_mark(d);
	demo_send_text(d, A, c, "0123456789");
	demo_wait_state(d, A, c, SF_CLOSED, 2000);
	long data = nth_seg(d, mark, 0), rst = nth_seg(d, mark, 1);
	demo_check(d, is_seg(d, data, A, SF_TCP_ACK) && demo_seg(d, data)->payload_len == 10, "A's 10 bytes of data");
	demo_check(d, is_seg(d, rst, B, SF_TCP_RST) && demo_seg(d, rst)->seq == demo_seg(d, data)->ack,
		   "B's listener answers the ACK with <SEQ=SEG.ACK><CTL=RST> (§3.10.7.2)");
	demo_check(d, demo_drops(d, B, SF_DROP_LISTEN_ACK) == 1, "(drop reason LISTEN_ACK)");
	demo_check(d, demo_saw(d, A, SF_ESTABLISHED, SF_CLOSED) && demo_counter(d, A, SF_CTR_EstabResets) == 1,
		   "A aborts: ESTABLISHED -> CLOSED");
	long r = demo_recv(d, A, c, buf, sizeof buf);
	demo_check(d, r == -ECONNRESET, "A's application gets -ECONNRESET");
	demo_close(d, A, c);
}

const struct demo_scenario demo_sc_fig10 = {
	.id = "rfc-fig10",
	.section = "RFC 9293 §3.5.1 Figure 10 (RFC 793 Figure 11); §3.10.7.2",
	.title_en = "Active side causes half-open connection discovery",
	.title_zh = "主动一方引发半开连接的发现",
	.run = run_fig10,
	.explain_en =
		"RFC 9293's Figure 10. B crashes and reboots, and its server application listens on port 80 again. "
		"A still has the old connection and, not knowing any better, sends data on it.\n"
		"The segment reaches B's new listener. A listener expects SYNs; any ACK it receives belongs to no "
		"connection it has, so it answers <SEQ=SEG.ACK><CTL=RST> (§3.10.7.2) - with SEQ taken from the "
		"segment's ACK field so that A will find it acceptable. A accepts the RST, aborts the connection "
		"and tells its application: -ECONNRESET. The half-open connection is gone after one round trip.\n"
		"Rules: RFC 9293 §3.5.1 (Figure 10), §3.10.7.2 (LISTEN: an ACK draws a RST), §3.10.7.4 (RST in "
		"ESTABLISHED).",
	.explain_zh =
		"RFC 9293 的图 10。B 崩溃并重启，它的服务器应用程序再次监听 80 端口。A 仍持有旧连接，并且不知情地在上面发送数据。\n"
		"报文段到达 B 新的监听套接字。监听套接字期待的是 SYN；它收到的任何 ACK 都不属于它拥有的连接，"
		"所以回 <SEQ=SEG.ACK><CTL=RST>（§3.10.7.2）——SEQ 取自该报文段的 ACK 字段，这样 A 会认为它可接受。"
		"A 接受 RST，终止连接并通知应用程序：-ECONNRESET。一个往返之后半开连接就消失了。\n"
		"规则：RFC 9293 §3.5.1（图 10），§3.10.7.2（LISTEN：ACK 招来 RST），§3.10.7.4（ESTABLISHED 中的 RST）。",
};

/* ---- Figure 11: old duplicate SYN, two passive sockets ------------------------------------------------------------- */

static void run_fig11(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	int la = demo_listen(d, A, SF_AF_INET, 7000, 16);
	int lb = demo_listen(d, B, SF_AF_INET, 8000, 16);
	const uint32_t Z = 0x12345678;
	struct sf_segment dup = {
		.src = demo_addr(d, A), .dst = demo_addr(d, B), .sport = 7000, .dport = 8000,
		.seq = Z, .flags = SF_TCP_SYN, .window = 65535, .opt = { .has_mss = 1, .mss = 1460 },
	};

	demo_run_for(d, 10);
	size_t mark = demo_mark(d);
	demo_inject(d, A, &dup, "old duplicate");
	demo_run_for(d, 10000);
	long sa = nth_seg(d, mark, 1), rst = nth_seg(d, mark, 2);
	demo_check_exact(d, demo_segs_since(d, mark) == 3, "three segments: the old SYN, B's SYN,ACK, A's RST");
	demo_check(d, is_seg(d, sa, B, SF_TCP_SYN | SF_TCP_ACK) && demo_seg(d, sa)->ack == Z + 1,
		   "B answers the old SYN: <ACK=Z+1><CTL=SYN,ACK>");
	demo_check(d, is_seg(d, rst, A, SF_TCP_RST) && demo_seg(d, rst)->seq == Z + 1,
		   "A's listener resets it: <SEQ=Z+1><CTL=RST>");
	demo_check(d, demo_saw(d, B, SF_LISTEN, SF_SYN_RECEIVED) && demo_saw(d, B, SF_SYN_RECEIVED, SF_LISTEN),
		   "B: LISTEN -> SYN-RECEIVED -> LISTEN");
	demo_check(d, demo_counter(d, B, SF_CTR_SynRecvCurrent) == 0 && demo_counter(d, B, SF_CTR_TCPSynRetrans) == 0,
		   "B's embryo is gone, its SYN,ACK never retransmitted");
	demo_check(d, sf_state(demo_stack(d, A), la) == SF_LISTEN && sf_state(demo_stack(d, B), lb) == SF_LISTEN,
		   "both are still listening");
	demo_fact(d, "Z", "%" PRIu32, Z);
	demo_fact(d, "Z1", "%" PRIu32, Z + 1);
}

const struct demo_scenario demo_sc_fig11 = {
	.id = "rfc-fig11",
	.section = "RFC 9293 §3.5.1 Figure 11 (RFC 793 Figure 12); §3.10.7.2",
	.title_en = "Old duplicate SYN initiates a reset on two passive sockets",
	.title_zh = "旧的重复 SYN 引发两个被动套接字之间的重置",
	.run = run_fig11,
	.explain_en =
		"RFC 9293's Figure 11. A listens on port 7000 and B on port 8000; nobody connects. An old duplicate "
		"SYN from A:7000 to B:8000 (SEQ Z = {Z}), left over from some earlier connection, reaches B. B's "
		"listener cannot tell it is old and does what it does for any SYN: it creates an embryo in "
		"SYN-RECEIVED and answers SYN,ACK with ACK = Z+1 = {Z1}.\n"
		"A has no connection on that 4-tuple, only a listener, and a listener treats any ACK as bogus: it "
		"answers <SEQ=SEG.ACK><CTL=RST> = <SEQ={Z1}><CTL=RST> (§3.10.7.2). B accepts the RST (its sequence "
		"number is exactly right), drops the embryo and is back in LISTEN; its SYN,ACK is never "
		"retransmitted and neither side's application ever saw anything.\n"
		"Rules: RFC 9293 §3.5.1 (Figure 11), §3.10.7.2 (LISTEN: an ACK draws a RST), §3.10.7.4 "
		"(SYN-RECEIVED: RST returns to LISTEN).",
	.explain_zh =
		"RFC 9293 的图 11。A 监听 7000 端口，B 监听 8000 端口；没有人发起连接。一个从 A:7000 到 B:8000 的旧重复 SYN"
		"（SEQ Z = {Z}），是早先某个连接的残留，到达了 B。B 的监听套接字无法知道它是旧的，像对待任何 SYN 一样："
		"创建一个 SYN-RECEIVED 的半连接，回 SYN,ACK，ACK = Z+1 = {Z1}。\n"
		"A 在这个四元组上没有连接，只有一个监听套接字，而监听套接字把任何 ACK 都视为伪造的：回 "
		"<SEQ=SEG.ACK><CTL=RST> = <SEQ={Z1}><CTL=RST>（§3.10.7.2）。B 接受这个 RST（序号完全正确），"
		"丢弃半连接，回到 LISTEN；它的 SYN,ACK 从未重传，双方的应用程序都没有看到任何东西。\n"
		"规则：RFC 9293 §3.5.1（图 11），§3.10.7.2（LISTEN：ACK 招来 RST），§3.10.7.4（SYN-RECEIVED：RST 使其回到 LISTEN）。",
};
