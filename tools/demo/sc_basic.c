/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * handshake (establishment and termination), handshake-loss (the same with a
 * lost SYN and a lost FIN), half-close, simultaneous (simultaneous open and
 * close).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define CTL DEMO_CTL

static uint32_t msl_of(const struct demo *d, int host)
{
	return d->host[host].cfg.msl_ms;
}

/* Whether the TIME-WAIT that host entered at or after mark lasted exactly 2MSL from `from_t`. */
static bool twait_ran_2msl(const struct demo *d, size_t mark, int host, uint64_t from_t)
{
	uint64_t end = demo_saw_at(d, mark, host, SF_TIME_WAIT, SF_CLOSED);
	uint64_t want = from_t + 2ull * msl_of(d, host) * DEMO_MS;
	return end != DEMO_NEVER && end >= want && end <= want + DEMO_MS;
}

/* ---- handshake --------------------------------------------------------------------------- */

static void run_handshake(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	char buf[16];

	/* Open. */
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);
	long syn = demo_find_seg(d, 0, C, ALL, SF_TCP_SYN);
	long synack = demo_find_seg(d, 0, S, ALL, SF_TCP_SYN | SF_TCP_ACK);
	long ack = demo_find_seg(d, (size_t)(synack < 0 ? 0 : synack), C, CTL, SF_TCP_ACK);
	uint32_t isn_c = demo_seg(d, syn)->seq, isn_s = demo_seg(d, synack)->seq;
	demo_check(d, s >= 0, "the server accepted the connection");
	demo_check(d, syn >= 0 && demo_seg(d, syn)->opt.has_mss && demo_seg(d, syn)->opt.mss == 1460,
		   "the client's SYN carries ISN(c) and MSS 1460 (1500 - 20 - 20)");
	demo_check(d, synack >= 0 && demo_seg(d, synack)->ack == isn_c + 1 && demo_seg(d, synack)->opt.has_mss,
		   "the server's SYN,ACK carries ISN(s) and ACK = ISN(c) + 1");
	demo_check(d, ack >= 0 && demo_seg(d, ack)->seq == isn_c + 1 && demo_seg(d, ack)->ack == isn_s + 1,
		   "the client's ACK has SEQ = ISN(c) + 1 and ACK = ISN(s) + 1");
	demo_check(d, demo_saw(d, C, SF_CLOSED, SF_SYN_SENT) && demo_saw(d, C, SF_SYN_SENT, SF_ESTABLISHED),
		   "client: CLOSED -> SYN-SENT -> ESTABLISHED");
	demo_check(d, demo_saw(d, S, SF_LISTEN, SF_SYN_RECEIVED) && demo_saw(d, S, SF_SYN_RECEIVED, SF_ESTABLISHED),
		   "server: LISTEN -> SYN-RECEIVED -> ESTABLISHED");
	demo_fact(d, "isn_c", "%" PRIu32, isn_c);
	demo_fact(d, "isn_c1", "%" PRIu32, isn_c + 1);
	demo_fact(d, "isn_s", "%" PRIu32, isn_s);
	demo_fact(d, "isn_s1", "%" PRIu32, isn_s + 1);

	/* A little data each way. */
	demo_send_text(d, C, c, "hello");
	size_t got = demo_read(d, S, s, buf, 5, 2000);
	demo_check(d, got == 5 && !memcmp(buf, "hello", 5), "the server reads \"hello\"");
	demo_send_text(d, S, s, "hi!");
	got = demo_read(d, C, c, buf, 3, 2000);
	demo_check(d, got == 3 && !memcmp(buf, "hi!", 3), "the client reads \"hi!\"");
	demo_settle(d, 100);

	/* Close: the client first. */
	size_t mark = demo_mark(d);
	demo_close(d, C, c);
	long eof = demo_read_eof(d, S, s, 2000);
	demo_check(d, eof == 0, "the server's recv() returns 0 (end of stream) after the client's FIN");
	demo_check(d, sf_state(demo_stack(d, S), s) == SF_CLOSE_WAIT, "the server is in CLOSE-WAIT");
	demo_settle(d, 100);
	demo_close(d, S, s);
	demo_settle(d, 100);
	long fin = demo_find_seg(d, mark, C, SF_TCP_FIN, SF_TCP_FIN);
	long fin_ack = demo_find_seg(d, (size_t)(fin < 0 ? 0 : fin), S, CTL, SF_TCP_ACK);
	long sfin = demo_find_seg(d, mark, S, SF_TCP_FIN, SF_TCP_FIN);
	long last = demo_find_seg(d, (size_t)(sfin < 0 ? 0 : sfin), C, CTL, SF_TCP_ACK);
	uint32_t K = demo_seg(d, fin)->seq, L = demo_seg(d, sfin)->seq;
	demo_check(d, fin >= 0 && K == isn_c + 1 + 5, "the client's FIN has SEQ K = ISN(c) + 1 + 5 (SYN and data before it)");
	demo_check(d, fin >= 0 && demo_seg(d, fin)->ack == isn_s + 1 + 3, "the FIN also ACKs all the server sent");
	demo_check(d, fin_ack >= 0 && demo_seg(d, fin_ack)->ack == K + 1, "the server ACKs K + 1: the FIN took one number");
	demo_check(d, sfin >= 0 && L == isn_s + 1 + 3, "the server's FIN has SEQ L = ISN(s) + 1 + 3");
	demo_check(d, last >= 0 && demo_seg(d, last)->ack == L + 1, "the client's last ACK is L + 1");
	demo_check(d, demo_saw(d, C, SF_ESTABLISHED, SF_FIN_WAIT_1) && demo_saw(d, C, SF_FIN_WAIT_1, SF_FIN_WAIT_2) &&
			      demo_saw(d, C, SF_FIN_WAIT_2, SF_TIME_WAIT),
		   "client: ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT");
	demo_check(d, demo_saw(d, S, SF_ESTABLISHED, SF_CLOSE_WAIT) && demo_saw(d, S, SF_CLOSE_WAIT, SF_LAST_ACK) &&
			      demo_saw(d, S, SF_LAST_ACK, SF_CLOSED),
		   "server: ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED");
	demo_fact(d, "K", "%" PRIu32, K);
	demo_fact(d, "K1", "%" PRIu32, K + 1);
	demo_fact(d, "L", "%" PRIu32, L);
	demo_fact(d, "L1", "%" PRIu32, L + 1);

	/* TIME-WAIT runs its 2MSL. */
	uint64_t tw = demo_saw_at(d, mark, C, SF_FIN_WAIT_2, SF_TIME_WAIT);
	demo_run_for(d, 2ull * msl_of(d, C) + 1000);
	demo_check(d, tw != DEMO_NEVER && twait_ran_2msl(d, mark, C, tw), "the client's TIME-WAIT lasts 2MSL = %u s",
		   2 * msl_of(d, C) / 1000);
	demo_check(d, demo_counter(d, C, SF_CTR_TW) == 1 && demo_counter(d, C, SF_CTR_TimeWaitCurrent) == 0,
		   "counter TW = 1: one TIME-WAIT ran to its end");
	demo_check_exact(d, demo_counter(d, C, SF_CTR_RetransSegs) == 0 && demo_counter(d, S, SF_CTR_RetransSegs) == 0,
			 "nothing was retransmitted");
	demo_check(d, demo_counter(d, C, SF_CTR_ActiveOpens) == 1 && demo_counter(d, S, SF_CTR_PassiveOpens) == 1,
		   "ActiveOpens 1 on the client, PassiveOpens 1 on the server");
	demo_fact(d, "msl", "%u", msl_of(d, C) / 1000);
	demo_fact(d, "twait", "%u", 2 * msl_of(d, C) / 1000);
	demo_close(d, S, lst);
}

const struct demo_scenario demo_sc_handshake = {
	.id = "handshake",
	.section = "RFC 9293 §3.5, §3.6",
	.title_en = "Connection establishment and termination: handshake, a little data, orderly close",
	.title_zh = "TCP 连接的建立与终止：三次握手、少量数据、有序关闭",
	.run = run_handshake,
	.explain_en =
		"Open (three segments). The client's connect() sends a SYN carrying its initial sequence number "
		"ISN(c) = {isn_c} and the MSS option: 1460, its 1500-byte MTU less 20 bytes of IP and 20 of TCP header "
		"(`synfin demo mss`). The server answers with a SYN,ACK carrying its own ISN(s) = {isn_s} and ACK = ISN(c)+1 = "
		"{isn_c1}: a SYN occupies one sequence number, which is what lets it be acknowledged and, if lost, "
		"retransmitted. The client's ACK = ISN(s)+1 = {isn_s1} completes the three-way handshake; the client "
		"is ESTABLISHED when the SYN,ACK arrives, the server when that ACK arrives.\n"
		"Data. \"hello\" goes one way, \"hi!\" the other; each is acknowledged at once (a new connection "
		"starts in quick-ACK mode, as on Linux, instead of delaying ACKs), and each data segment carries "
		"the current ACK of the other direction as well.\n"
		"Close (four segments). The client's close() sends FIN with SEQ K = {K}, which also ACKs everything it "
		"received. The server ACKs K+1 = {K1} (a FIN, like a SYN, takes one sequence number) and is now in "
		"CLOSE-WAIT: its application is told of the close by recv() returning 0. When that application "
		"closes too, the server sends its own FIN with SEQ L = {L}, and the client's final ACK is L+1 = {L1}.\n"
		"The client sent the last ACK after both FINs, so it is the one that waits in TIME-WAIT, 2 x MSL = "
		"{twait} s (MSL {msl} s), in case that ACK is lost and the server repeats its FIN (`synfin demo time-wait`). The "
		"server is CLOSED as soon as the ACK of its FIN arrives.\n"
		"Rules: RFC 9293 §3.5 (Figure 6, the three-way handshake), §3.6 (Figure 12, normal close), §3.4 "
		"(SYN and FIN each take one sequence number), §3.3.2 (the state diagram).",
	.explain_zh =
		"建立（三个报文段）。客户端 connect() 发出 SYN，携带初始序列号 ISN(c) = {isn_c} 和 MSS 选项：1460，"
		"即 1500 字节的 MTU 减去 20 字节 IP 首部和 20 字节 TCP 首部（见 `synfin demo mss`）。服务器回送 SYN,ACK，携带自己的 "
		"ISN(s) = {isn_s}，ACK = ISN(c)+1 = {isn_c1}：SYN 占用一个序号，所以它能被确认，丢失后也会被重传。"
		"客户端回 ACK = ISN(s)+1 = {isn_s1}，三次握手完成；客户端在收到 SYN,ACK 时进入 ESTABLISHED，"
		"服务器在收到这个 ACK 时进入 ESTABLISHED。\n"
		"数据。\"hello\" 从客户端到服务器，\"hi!\" 反方向；每段数据都立即得到确认（新连接像 Linux 一样以快速确认模式开始，"
		"而不是延迟 ACK），每个数据报文段也同时携带另一方向的当前确认号。\n"
		"关闭（四个报文段）。客户端 close() 发出 FIN，序号 K = {K}，同时确认已收到的全部数据。服务器确认 "
		"K+1 = {K1}（FIN 和 SYN 一样占一个序号），进入 CLOSE-WAIT：应用程序通过 recv() 返回 0 得知对方已关闭。"
		"应用程序也关闭后，服务器发出自己的 FIN，序号 L = {L}；客户端最后的 ACK 为 L+1 = {L1}。\n"
		"客户端在两个 FIN 之后发出了最后的 ACK，所以由它在 TIME-WAIT 中等待 2 x MSL = {twait} 秒"
		"（MSL {msl} 秒），以防这个 ACK 丢失而服务器重发 FIN（见 `synfin demo time-wait`）。服务器一收到对其 FIN 的确认就进入 CLOSED。\n"
		"规则：RFC 9293 §3.5（图 6，三次握手），§3.6（图 12，正常关闭），§3.4（SYN 与 FIN 各占一个序号），"
		"§3.3.2（状态图）。",
};

/* ---- handshake-loss: the same with a lost SYN and a lost FIN ------------------------------------------------- */

static void run_handshake_loss(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	char buf[8];

	/* The first two SYNs die on the way. */
	sf_sim_drop_nth(d->sim, C, S, 1);
	sf_sim_drop_nth(d->sim, C, S, 2);
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 20000);
	long syn1 = demo_find_seg(d, 0, C, ALL, SF_TCP_SYN);
	long syn2 = demo_find_seg(d, (size_t)syn1 + 1, C, ALL, SF_TCP_SYN);
	long syn3 = demo_find_seg(d, (size_t)syn2 + 1, C, ALL, SF_TCP_SYN);
	demo_check(d, s >= 0, "the connection is established in the end");
	demo_check(d, syn1 >= 0 && syn2 >= 0 && syn3 >= 0 && demo_seg(d, syn2)->seq == demo_seg(d, syn1)->seq &&
			      demo_seg(d, syn3)->seq == demo_seg(d, syn1)->seq,
		   "the SYN is sent three times with the same ISN");
	uint64_t g1 = syn2 >= 0 ? d->ev[syn2].t - d->ev[syn1].t : 0, g2 = syn3 >= 0 ? d->ev[syn3].t - d->ev[syn2].t : 0;
	demo_check_exact(d, g1 == 1000 * DEMO_MS, "first retransmission after the initial RTO of 1 s");
	demo_check_exact(d, g2 == 2000 * DEMO_MS, "second after 2 s: the RTO doubled (exponential backoff)");
	demo_check_exact(d, demo_counter(d, C, SF_CTR_TCPSynRetrans) == 2, "TCPSynRetrans = 2");
	demo_fact(d, "isn_c", "%" PRIu32, demo_seg(d, syn1)->seq);

	demo_send_text(d, C, c, "hello");
	size_t got = demo_read(d, S, s, buf, 5, 5000);
	demo_check(d, got == 5, "the data arrives");
	demo_settle(d, 200);

	/* The first FIN and its first retransmission die. */
	size_t mark = demo_mark(d);
	sf_sim_drop_nth(d->sim, C, S, 1);
	sf_sim_drop_nth(d->sim, C, S, 2);
	demo_close(d, C, c);
	long eof = demo_read_eof(d, S, s, 20000);
	long f1 = demo_find_seg(d, mark, C, SF_TCP_FIN, SF_TCP_FIN);
	long f2 = demo_find_seg(d, (size_t)f1 + 1, C, SF_TCP_FIN, SF_TCP_FIN);
	long f3 = demo_find_seg(d, (size_t)f2 + 1, C, SF_TCP_FIN, SF_TCP_FIN);
	demo_check(d, eof == 0, "the server reads end of stream once a FIN gets through");
	demo_check(d, f1 >= 0 && f2 >= 0 && f3 >= 0 && demo_seg(d, f2)->seq == demo_seg(d, f1)->seq &&
			      demo_seg(d, f3)->seq == demo_seg(d, f1)->seq,
		   "the FIN is sent three times with the same SEQ K");
	uint64_t h1 = f2 >= 0 ? d->ev[f2].t - d->ev[f1].t : 0, h2 = f3 >= 0 ? d->ev[f3].t - d->ev[f2].t : 0;
	demo_check_exact(d, h1 > 0 && h2 == 2 * h1, "the FIN's RTO doubles too (%" PRIu64 " ms, then %" PRIu64 " ms)",
			 h1 / DEMO_MS, h2 / DEMO_MS);
	demo_check_exact(d, h1 >= 200 * DEMO_MS && h1 < 1000 * DEMO_MS,
			 "the FIN's first RTO comes from the measured RTT (RFC 6298 §2.3, at least rto_min 200 ms)");
	long fa = demo_find_seg(d, (size_t)(f3 < 0 ? 0 : f3), S, CTL, SF_TCP_ACK);
	demo_check(d, fa >= 0 && demo_seg(d, fa)->ack == demo_seg(d, f1)->seq + 1, "the server ACKs K + 1");
	demo_fact(d, "rto1", "%" PRIu64, h1 / DEMO_MS);
	demo_fact(d, "rto2", "%" PRIu64, h2 / DEMO_MS);
	demo_fact(d, "K", "%" PRIu32, demo_seg(d, f1)->seq);
	demo_settle(d, 100);
	demo_close(d, S, s);
	demo_wait_state(d, C, c, SF_TIME_WAIT, 5000);
	demo_settle(d, 100);
	demo_check(d, demo_saw(d, C, SF_FIN_WAIT_2, SF_TIME_WAIT) && demo_saw(d, S, SF_LAST_ACK, SF_CLOSED),
		   "the close completes: client TIME-WAIT, server CLOSED");
	demo_check_exact(d, demo_counter(d, C, SF_CTR_RetransSegs) == 4, "RetransSegs = 4 on the client (2 SYNs, 2 FINs)");
	demo_check_exact(d, demo_counter(d, C, SF_CTR_TCPTimeouts) == 4, "TCPTimeouts = 4: each retransmission was a timeout");
	demo_close(d, S, lst);
}

const struct demo_scenario demo_sc_handshake_loss = {
	.id = "handshake-loss",
	.section = "RFC 9293 §3.5, §3.6; RFC 6298 §5",
	.title_en = "The same with a lost SYN and a lost FIN: retransmission with backoff",
	.title_zh = "SYN 和 FIN 丢失：超时重传与指数退避",
	.run = run_handshake_loss,
	.explain_en =
		"The network loses the client's first two SYNs (marked where they die). Nothing comes back, so the "
		"client's retransmission timer fires and the SYN goes again with the same ISN(c) = {isn_c}: the SYN "
		"occupies a sequence number, and until it is acknowledged it is retransmitted like data. The first "
		"wait is the initial RTO of 1 s (RFC 6298 §2.1); each timeout doubles it (§5.5, exponential backoff), "
		"so the third SYN leaves 2 s after the second. It gets through and the handshake completes as in `synfin demo handshake`.\n"
		"The close loses the client's FIN twice. By now the client has measured the round-trip time (20 ms), "
		"so its RTO is the RFC 6298 estimate held at the 200 ms minimum: the FIN is repeated after {rto1} ms, "
		"then after {rto2} ms (doubled), always with the same SEQ K = {K}, until the server's ACK of K+1 "
		"arrives: like a SYN, a FIN is sent again until it is acknowledged.\n"
		"What to notice: a retransmission is the same segment again (same sequence number), not a new one; "
		"the server never knew about the lost ones; the counters count every retransmission "
		"(RetransSegs, TCPSynRetrans, TCPTimeouts).\n"
		"Rules: RFC 9293 §3.5 and §3.6 (SYN and FIN are retransmitted until acknowledged), §3.8.1 and RFC "
		"6298 (the retransmission timer, backoff, Karn's rule).",
	.explain_zh =
		"网络丢掉了客户端的前两个 SYN（在它们消失的地方标了 ✕）。没有任何回应，客户端的重传定时器到期，"
		"用同一个 ISN(c) = {isn_c} 再次发送 SYN：SYN 占一个序号，在被确认之前像数据一样会被重传。"
		"第一次等待的是初始 RTO 1 秒（RFC 6298 §2.1）；每次超时 RTO 加倍（§5.5，指数退避），所以第三个 SYN "
		"在第二个之后 2 秒发出。它到达了，握手和 `synfin demo handshake` 一样完成。\n"
		"关闭时客户端的 FIN 丢了两次。这时客户端已经测量过往返时间（20 ms），RTO 是 RFC 6298 的估计值，"
		"并受 200 ms 下限约束：FIN 在 {rto1} ms 后重发，再过 {rto2} ms（加倍）又重发，序号始终是 K = {K}，"
		"直到服务器确认 K+1：FIN 和 SYN 一样，在被确认之前一直重发。\n"
		"注意：重传的是同一个报文段（同一个序号），不是新的报文段；服务器根本不知道丢失的那些；"
		"计数器记录了每一次重传（RetransSegs、TCPSynRetrans、TCPTimeouts）。\n"
		"规则：RFC 9293 §3.5、§3.6（SYN 和 FIN 在被确认前一直重传），§3.8.1 与 RFC 6298（重传定时器、退避、Karn 算法）。",
};

/* ---- half-close -------------------------------------------------------------------------- */

static void run_half_close(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	static uint8_t reply[3000], in[3000];
	char req[16];

	for (size_t i = 0; i < sizeof reply; i++)
		reply[i] = (uint8_t)('a' + i % 26);
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);

	/* The client sends its whole request, then half-closes: "I am done sending". */
	demo_send_text(d, C, c, "sort this");
	demo_shutdown(d, C, c, SF_SHUT_WR);
	size_t got = demo_read(d, S, s, req, 9, 2000);
	long eof = demo_read_eof(d, S, s, 2000);
	demo_check(d, got == 9 && eof == 0, "the server reads the request, then end of stream");
	demo_settle(d, 50);
	demo_check(d, sf_state(demo_stack(d, C), c) == SF_FIN_WAIT_2, "the client is in FIN-WAIT-2 (half-closed)");
	demo_check(d, sf_state(demo_stack(d, S), s) == SF_CLOSE_WAIT, "the server is in CLOSE-WAIT, and may still send");
	long r = demo_send_text(d, C, c, "more?");
	demo_check(d, r == -EPIPE, "the client can no longer send: -EPIPE");

	/* The server, in CLOSE-WAIT, still sends 3000 bytes; the client reads them all. */
	size_t mark = demo_mark(d);
	demo_send(d, S, s, reply, sizeof reply);
	got = demo_read(d, C, c, in, sizeof in, 5000);
	demo_check(d, got == sizeof in && !memcmp(in, reply, sizeof in),
		   "the half-closed client still receives all 3000 bytes");
	size_t segs = demo_data_segs(d, mark, S, NULL);
	demo_check_exact(d, demo_counter(d, S, SF_CTR_RetransSegs) == 0, "nothing retransmitted");
	demo_fact(d, "segs", "%zu", segs);
	demo_settle(d, 100);

	/* Now the server closes: the client's recv() sees end of stream; TIME-WAIT. */
	demo_close(d, S, s);
	long eof2 = demo_read_eof(d, C, c, 2000);
	demo_wait_state(d, C, c, SF_TIME_WAIT, 2000);
	demo_settle(d, 50);
	demo_check(d, eof2 == 0, "the client reads end of stream after the server's FIN");
	demo_check(d, demo_saw(d, C, SF_ESTABLISHED, SF_FIN_WAIT_1) && demo_saw(d, C, SF_FIN_WAIT_1, SF_FIN_WAIT_2) &&
			      demo_saw(d, C, SF_FIN_WAIT_2, SF_TIME_WAIT),
		   "client: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT");
	demo_check(d, demo_saw(d, S, SF_ESTABLISHED, SF_CLOSE_WAIT) && demo_saw(d, S, SF_CLOSE_WAIT, SF_LAST_ACK) &&
			      demo_saw(d, S, SF_LAST_ACK, SF_CLOSED),
		   "server: CLOSE-WAIT -> LAST-ACK -> CLOSED");
	demo_close(d, C, c);
	demo_run_for(d, 2ull * d->host[C].cfg.msl_ms + 1000);
	demo_check(d, demo_counter(d, C, SF_CTR_TW) == 1 && demo_counter(d, C, SF_CTR_TCPOrphans) == 0,
		   "the client's TIME-WAIT ran out; nothing is left behind");
	demo_close(d, S, lst);
}

const struct demo_scenario demo_sc_half_close = {
	.id = "half-close",
	.section = "RFC 9293 §3.6.1",
	.title_en = "Half-close: shutdown(SHUT_WR), then the other side keeps sending",
	.title_zh = "半关闭：shutdown(SHUT_WR) 之后对方继续发送",
	.run = run_half_close,
	.explain_en =
		"The client sends its request and calls shutdown(SHUT_WR) instead of close(): a FIN goes out, "
		"meaning \"I have nothing more to send\", but the client keeps its receiving half open. The server's "
		"recv() returns the request and then 0 (end of stream); it is in CLOSE-WAIT, the client in "
		"FIN-WAIT-2.\n"
		"A half-closed connection still carries data the other way: the server sends its 3000-byte answer "
		"({segs} segments, each within the client's MSS) and the client, in FIN-WAIT-2, reads and ACKs all "
		"of it. Only the client's sending half is closed: its own send() fails with -EPIPE.\n"
		"When the server has said everything it closes; its FIN completes the close and the client, which "
		"sent the last ACK, waits in TIME-WAIT.\n"
		"This is how a program like `sort` over a socket works: the input's end has to be signalled before "
		"the output can be produced. Either side may half-close.\n"
		"Rules: RFC 9293 §3.6.1 (half-closed connections), §3.10.4 (CLOSE in ESTABLISHED enters "
		"FIN-WAIT-1), §3.10.7.4 (FIN-WAIT-2 still accepts text).",
	.explain_zh =
		"客户端发出请求后调用 shutdown(SHUT_WR) 而不是 close()：发出一个 FIN，意思是\"我没有更多数据要发了\"，"
		"但接收方向仍然打开。服务器的 recv() 先读到请求，再返回 0（数据流结束）；服务器处于 CLOSE-WAIT，"
		"客户端处于 FIN-WAIT-2。\n"
		"半关闭的连接仍能在另一个方向传数据：服务器发送 3000 字节的应答（{segs} 个报文段，每个都不超过客户端的 "
		"MSS），处于 FIN-WAIT-2 的客户端全部读到并确认。只有客户端的发送方向关闭了：它再调用 send() 会得到 -EPIPE。\n"
		"服务器把话说完后关闭；它的 FIN 完成了关闭过程，发出最后 ACK 的客户端进入 TIME-WAIT。\n"
		"像通过套接字运行 `sort` 这样的程序就是这样工作的：必须先通知输入结束，才能产生输出。任何一方都可以半关闭。\n"
		"规则：RFC 9293 §3.6.1（半关闭连接），§3.10.4（ESTABLISHED 中的 CLOSE 进入 FIN-WAIT-1），"
		"§3.10.7.4（FIN-WAIT-2 仍接收数据）。",
};

/* ---- simultaneous: open and close ------------------------------------------------------------- */

static void run_simultaneous(struct demo *d)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	struct sf_endpoint to_b = demo_ep(d, B, 8888), to_a = demo_ep(d, A, 7777);
	char buf[8];

	/* Both open actively at the same instant: A:7777 -> B:8888 and B:8888 -> A:7777. */
	int a = demo_connect(d, A, 7777, &to_b);
	int b = demo_connect(d, B, 8888, &to_a);
	demo_wait_state(d, A, a, SF_ESTABLISHED, 5000);
	demo_wait_state(d, B, b, SF_ESTABLISHED, 5000);
	demo_settle(d, 100);
	long sa = demo_find_seg(d, 0, A, ALL, SF_TCP_SYN), sb = demo_find_seg(d, 0, B, ALL, SF_TCP_SYN);
	long saa = demo_find_seg(d, 0, A, ALL, SF_TCP_SYN | SF_TCP_ACK);
	long sba = demo_find_seg(d, 0, B, ALL, SF_TCP_SYN | SF_TCP_ACK);
	demo_check_exact(d, demo_segs_since(d, 0) == 4, "the open took 4 segments: SYN, SYN, SYN,ACK, SYN,ACK (no final ACK)");
	demo_check(d, sa >= 0 && sb >= 0 && saa >= 0 && sba >= 0, "each side sent a SYN and then a SYN,ACK");
	demo_check(d, saa >= 0 && demo_seg(d, saa)->seq == demo_seg(d, sa)->seq && demo_seg(d, saa)->ack == demo_seg(d, sb)->seq + 1,
		   "A's SYN,ACK repeats A's ISN and ACKs B's ISN + 1");
	demo_check(d, sba >= 0 && demo_seg(d, sba)->seq == demo_seg(d, sb)->seq && demo_seg(d, sba)->ack == demo_seg(d, sa)->seq + 1,
		   "B's SYN,ACK repeats B's ISN and ACKs A's ISN + 1");
	for (int h = A; h <= B; h++) {
		demo_check(d, demo_saw(d, h, SF_CLOSED, SF_SYN_SENT) && demo_saw(d, h, SF_SYN_SENT, SF_SYN_RECEIVED) &&
				      demo_saw(d, h, SF_SYN_RECEIVED, SF_ESTABLISHED) && !demo_saw(d, h, SF_SYN_SENT, SF_ESTABLISHED),
			   "%s: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED", d->host[h].name);
		demo_check(d, demo_counter(d, h, SF_CTR_ActiveOpens) == 1 && demo_counter(d, h, SF_CTR_PassiveOpens) == 0,
			   "%s: one active open, no passive one", d->host[h].name);
	}
	demo_check(d, d->nconn == 1, "one connection, not two");
	demo_fact(d, "isn_a", "%" PRIu32, demo_seg(d, sa)->seq);
	demo_fact(d, "isn_b", "%" PRIu32, demo_seg(d, sb)->seq);

	demo_send_text(d, A, a, "ping");
	size_t got = demo_read(d, B, b, buf, 4, 2000);
	demo_send_text(d, B, b, "pong");
	size_t got2 = demo_read(d, A, a, buf, 4, 2000);
	demo_check(d, got == 4 && got2 == 4, "data flows both ways on the one connection");
	demo_settle(d, 200);

	/* Both close at the same instant: the FINs cross. */
	size_t mark = demo_mark(d);
	demo_close(d, A, a);
	demo_close(d, B, b);
	demo_settle(d, 1000);
	demo_check_exact(d, demo_segs_since(d, mark) == 4, "the close took 4 segments: FIN, FIN, ACK, ACK");
	for (int h = A; h <= B; h++)
		demo_check(d, demo_saw(d, h, SF_ESTABLISHED, SF_FIN_WAIT_1) && demo_saw(d, h, SF_FIN_WAIT_1, SF_CLOSING) &&
				      demo_saw(d, h, SF_CLOSING, SF_TIME_WAIT) && !demo_saw(d, h, SF_FIN_WAIT_1, SF_FIN_WAIT_2),
			   "%s: FIN-WAIT-1 -> CLOSING -> TIME-WAIT", d->host[h].name);
	demo_check(d, demo_counter(d, A, SF_CTR_TimeWaitCurrent) == 1 && demo_counter(d, B, SF_CTR_TimeWaitCurrent) == 1,
		   "both ends hold a TIME-WAIT record");
	demo_run_for(d, 2ull * d->host[A].cfg.msl_ms + 1000);
	demo_check(d, demo_counter(d, A, SF_CTR_TW) == 1 && demo_counter(d, B, SF_CTR_TW) == 1,
		   "both TIME-WAITs ran out after 2MSL");
}

const struct demo_scenario demo_sc_simultaneous = {
	.id = "simultaneous",
	.section = "RFC 9293 §3.5 Figure 7, §3.6 Figure 13",
	.title_en = "Simultaneous open (A:7777 <-> B:8888, SYNs crossing) and simultaneous close",
	.title_zh = "同时打开（A:7777 <-> B:8888，SYN 交叉）与同时关闭",
	.run = run_simultaneous,
	.explain_en =
		"Both applications open actively at the same moment, each towards the other's port: A from 7777 to "
		"B:8888, B from 8888 to A:7777. The two SYNs cross in the network. Each host, in SYN-SENT, receives a "
		"SYN without an ACK: it moves to SYN-RECEIVED and sends a SYN,ACK that repeats its own SYN (same ISN: "
		"A {isn_a}, B {isn_b}) and acknowledges the other's. When those SYN,ACKs arrive both ends are "
		"ESTABLISHED. Four segments, not six, and no final bare ACK: each SYN,ACK is the ACK the other side "
		"needs. Neither host was a server (no listen(), PassiveOpens 0 on both), and there is one "
		"connection, not two, because both sides name the same 4-tuple.\n"
		"Simultaneous close: both applications close at the same moment, so the FINs cross too. Each host, "
		"in FIN-WAIT-1, receives a FIN before the ACK of its own: it ACKs it and moves to CLOSING (the only "
		"way into that state). When the ACK of its FIN arrives it enters TIME-WAIT. Four segments again "
		"(FIN, FIN, ACK, ACK), and both ends wait 2MSL, since both sent a \"last\" ACK after both FINs.\n"
		"Rules: RFC 9293 §3.5 Figure 7 (simultaneous connection synchronization; MUST-10: a TCP must support "
		"it), §3.6 Figure 13 (simultaneous close), §3.10.7.3 (SYN in SYN-SENT).",
	.explain_zh =
		"两个应用程序在同一时刻主动打开，各自连向对方的端口：A 从 7777 连 B:8888，B 从 8888 连 A:7777。"
		"两个 SYN 在网络中交叉。每台主机在 SYN-SENT 状态收到一个不带 ACK 的 SYN：进入 SYN-RECEIVED，"
		"并发出一个 SYN,ACK，重复自己的 SYN（同一个 ISN：A {isn_a}，B {isn_b}）并确认对方的 SYN。"
		"这两个 SYN,ACK 到达后双方都进入 ESTABLISHED。只需 4 个报文段而不是 6 个，也没有最后的单独 ACK："
		"每个 SYN,ACK 正是对方所需要的 ACK。两台主机都不是服务器（没有 listen()，PassiveOpens 都是 0），"
		"而且只有一个连接而不是两个，因为双方指的是同一个四元组。\n"
		"同时关闭：两个应用程序同时关闭，两个 FIN 也交叉。每台主机在 FIN-WAIT-1 中先收到对方的 FIN，"
		"而不是对自己 FIN 的确认：它确认这个 FIN 并进入 CLOSING（进入这个状态的唯一途径）。"
		"收到对自己 FIN 的确认后进入 TIME-WAIT。同样是 4 个报文段（FIN、FIN、ACK、ACK），"
		"并且双方都等待 2MSL，因为双方都在两个 FIN 之后发出了\"最后的\"ACK。\n"
		"规则：RFC 9293 §3.5 图 7（同时打开；MUST-10：TCP 必须支持），§3.6 图 13（同时关闭），"
		"§3.10.7.3（SYN-SENT 中收到 SYN）。",
};
