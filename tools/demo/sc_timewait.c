/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * time-wait, time-wait-reuse, time-wait-strict (TIME-WAIT: 2MSL, the
 * re-ACKed FIN, reconnecting on the same 4-tuple under RFC 6191 and in strict
 * mode), close-wait, close-wait-done (CLOSE-WAIT: an application that forgets
 * to close, and one that closes) and assassination, assassination-classic
 * (TIME-WAIT assassination, RFC 1337 on and off).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define CTL DEMO_CTL

static uint16_t local_port(struct demo *d, int host, int sock)
{
	struct sf_endpoint e = { .port = 0 };
	sf_getsockname(demo_stack(d, host), sock, &e);
	return e.port;
}

static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

struct count_want {
	size_t mark;
	int host;
	uint8_t mask, flags;
	size_t n;
};

static bool have_count(struct demo *d, void *ctx)
{
	const struct count_want *w = ctx;
	return demo_count_segs(d, w->mark, w->host, w->mask, w->flags) >= w->n;
}

/* ---- time-wait: 2MSL, and a retransmitted FIN re-ACKed ---------------------------------------------------- */

static void run_time_wait(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	uint32_t msl = d->host[C].cfg.msl_ms;
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);
	uint16_t P = local_port(d, C, c);

	/* The client closes first; the server's FIN follows and the client's last ACK is lost. */
	demo_close(d, C, c);
	demo_read_eof(d, S, s, 2000);
	demo_settle(d, 50);
	size_t mark = demo_mark(d);
	sf_sim_drop_nth(d->sim, C, S, 1);
	demo_close(d, S, s);
	struct count_want w = { mark, C, CTL, SF_TCP_ACK, 2 };
	bool reacked = demo_run_until(d, have_count, &w, 10000);
	uint64_t reack_t = demo_now(d);
	demo_note(d, C, "the 2MSL wait starts over from this ACK", "2MSL 等待从这个 ACK 重新开始");
	long f1 = demo_find_seg(d, mark, S, SF_TCP_FIN, SF_TCP_FIN);
	long f2 = demo_find_seg(d, (size_t)f1 + 1, S, SF_TCP_FIN, SF_TCP_FIN);
	long a1 = demo_find_seg(d, mark, C, CTL, SF_TCP_ACK);
	long a2 = demo_find_seg(d, (size_t)a1 + 1, C, CTL, SF_TCP_ACK);
	demo_check(d, reacked && f2 >= 0 && demo_seg(d, f2)->seq == demo_seg(d, f1)->seq,
		   "the server, its FIN unacknowledged, sends it again (same SEQ)");
	demo_check(d, a2 >= 0 && demo_seg(d, a2)->ack == demo_seg(d, f1)->seq + 1 && demo_seg(d, a2)->seq == demo_seg(d, a1)->seq,
		   "the client in TIME-WAIT ACKs the repeated FIN again (same ACK)");
	demo_check(d, demo_drops(d, C, SF_DROP_TIME_WAIT_ACKED) == 1, "the TIME-WAIT record re-ACKed one segment");
	demo_settle(d, 100);
	demo_check(d, demo_saw(d, S, SF_LAST_ACK, SF_CLOSED), "the server gets the ACK and is CLOSED");

	/* During TIME-WAIT the 4-tuple cannot be used again. */
	demo_settle(d, 1000);
	int again = demo_connect(d, C, P, &srv);
	demo_check(d, again == -EADDRNOTAVAIL,
		   "connect() from the same port to the same server during TIME-WAIT fails with -EADDRNOTAVAIL");

	demo_run_to(d, reack_t + 2 * (uint64_t)msl * DEMO_MS + 1000 * DEMO_MS);
	uint64_t tw_in = demo_saw_at(d, 0, C, SF_FIN_WAIT_2, SF_TIME_WAIT);
	uint64_t tw_end = demo_saw_at(d, 0, C, SF_TIME_WAIT, SF_CLOSED);
	demo_check(d, tw_end != DEMO_NEVER && tw_end >= reack_t + 2 * (uint64_t)msl * DEMO_MS &&
			      tw_end <= reack_t + 2 * (uint64_t)msl * DEMO_MS + DEMO_MS,
		   "TIME-WAIT ends 2MSL (%u s) after the re-ACK, not after it began", 2 * msl / 1000);
	demo_check(d, demo_counter(d, C, SF_CTR_TW) == 1, "counter TW = 1");

	/* Now the same 4-tuple may be used again. */
	int c2 = demo_connect(d, C, P, &srv);
	int s2 = demo_establish(d, C, c2, S, lst, 5000);
	demo_check(d, c2 >= 0 && s2 >= 0, "after 2MSL the same port connects again");
	demo_fact(d, "msl", "%u", msl / 1000);
	demo_fact(d, "twait", "%u", 2 * msl / 1000);
	demo_fact(d, "port", "%u", P);
	demo_fact(d, "rto", "%" PRIu64, f2 >= 0 ? (d->ev[f2].t - d->ev[f1].t) / DEMO_MS : 0);
	demo_fact(d, "total", "%.3f", tw_in != DEMO_NEVER && tw_end != DEMO_NEVER ? (double)(tw_end - tw_in) / 1e9 : 0.0);
}

const struct demo_scenario demo_sc_time_wait = {
	.id = "time-wait",
	.section = "RFC 9293 §3.6.1, §3.10.7.4",
	.title_en = "TIME-WAIT: the 2MSL wait, a lost last ACK and the FIN re-ACKed with the timer restarted",
	.title_zh = "TIME-WAIT：2MSL 等待，最后的 ACK 丢失，重传的 FIN 被再次确认且定时器重启",
	.run = run_time_wait,
	.explain_en =
		"The client closes first, so it is the side that will send the last ACK after both FINs and wait "
		"in TIME-WAIT. Here that last ACK is lost. The server, in LAST-ACK, never hears that its FIN "
		"arrived, so its retransmission timer fires ({rto} ms later) and it sends the FIN again. This is "
		"exactly why TIME-WAIT exists: the client still remembers the connection, recognises the repeated "
		"FIN, ACKs it again (the \"discards\" note: re-ACKed and dropped) and restarts its 2MSL timer, so "
		"that it outlives any further copy. Without TIME-WAIT the FIN would have found no connection and "
		"drawn a RST, and the server's close would have ended in an error.\n"
		"The wait is 2 x MSL = {twait} s (MSL {msl} s), counted from the re-ACK: TIME-WAIT lasted {total} s "
		"in all. 2MSL is long enough for the ACK to die and for any FIN still in the network to arrive; "
		"it also lets every old segment of the connection expire before the 4-tuple is used again.\n"
		"Meanwhile the 4-tuple is taken: the client application's attempt to connect again from port {port} "
		"to the same server fails with -EADDRNOTAVAIL (as on Linux); an ephemeral port would simply never "
		"be this one. Once the record is gone the same port connects again as connection #2.\n"
		"synfin keeps TIME-WAIT as a compact record, not a full connection, so thousands of them are cheap.\n"
		"Rules: RFC 9293 §3.6.1 (MUST-13: a connection in TIME-WAIT keeps its 4-tuple for 2MSL), "
		"§3.10.7.4 TIME-WAIT \"eighth, check the FIN bit\" (ACK it and restart the 2MSL timeout), §3.3.2.",
	.explain_zh =
		"客户端先关闭，所以它将在两个 FIN 之后发出最后的 ACK，并在 TIME-WAIT 中等待。这里这个最后的 ACK 丢失了。"
		"处于 LAST-ACK 的服务器一直不知道自己的 FIN 是否到达，于是重传定时器到期（{rto} ms 后），再次发送 FIN。"
		"这正是 TIME-WAIT 存在的原因：客户端仍记得这个连接，认出重复的 FIN，再次确认它（图中的\"丢弃\"说明："
		"回 ACK 后丢弃），并重启 2MSL 定时器，以便比任何后续的副本活得更久。如果没有 TIME-WAIT，这个 FIN 会找不到连接，"
		"招来一个 RST，服务器的关闭就会以错误告终。\n"
		"等待时间是 2 x MSL = {twait} 秒（MSL {msl} 秒），从再次确认时算起：TIME-WAIT 总共持续了 {total} 秒。"
		"2MSL 足够让 ACK 消亡、让网络中可能还在的 FIN 到达；也让这个连接的所有旧报文段在四元组被再次使用之前过期。\n"
		"在此期间这个四元组被占用：客户端应用程序试图再从端口 {port} 连接同一台服务器，得到 -EADDRNOTAVAIL"
		"（与 Linux 相同）；临时端口则根本不会选到这个端口。记录消失之后，同一个端口就能再次连接，成为连接 #2。\n"
		"synfin 把 TIME-WAIT 保存为一个紧凑的记录而不是完整的连接，所以成千上万个也不昂贵。\n"
		"规则：RFC 9293 §3.6.1（MUST-13：TIME-WAIT 中的连接在 2MSL 内占用其四元组），§3.10.7.4 TIME-WAIT "
		"\"第八步，检查 FIN 位\"（确认并重启 2MSL 超时），§3.3.2。",
};

/* ---- time-wait-reuse, time-wait-strict: reconnecting on the same 4-tuple ------------------------------------------------------------- */

static void strict_msl_30s(struct sf_config *cfg)
{
	cfg->strict_time_wait = 1;
	cfg->msl_ms = 30000;
}

static void reuse_run(struct demo *d, bool strict)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, strict ? strict_msl_30s : NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	uint32_t msl = d->host[S].cfg.msl_ms;
	bool is_strict = d->host[S].cfg.strict_time_wait;
	char x[4];

	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);
	uint16_t P = local_port(d, C, c);
	long syn1 = demo_find_seg(d, 0, C, ALL, SF_TCP_SYN);
	demo_send_text(d, S, s, "bye");
	demo_read(d, C, c, x, 3, 2000);

	/* The server closes first: the server is the one in TIME-WAIT. */
	demo_close(d, S, s);
	demo_read_eof(d, C, c, 2000);
	demo_close(d, C, c);
	demo_settle(d, 100);
	long fin = demo_find_seg(d, 0, S, SF_TCP_FIN, SF_TCP_FIN);
	uint32_t L = demo_seg(d, fin)->seq;
	uint64_t tw_start = demo_saw_at(d, 0, S, SF_FIN_WAIT_2, SF_TIME_WAIT);
	demo_check(d, tw_start != DEMO_NEVER && demo_counter(d, S, SF_CTR_TimeWaitCurrent) == 1, "the server is in TIME-WAIT");
	demo_settle(d, 1000);

	/* The client comes back from the same port at once (as Linux clients do). */
	size_t mark = demo_mark(d);
	int c2 = demo_connect(d, C, P, &srv);
	int s2 = demo_establish(d, C, c2, S, lst, 300000);
	long syn = demo_find_seg(d, mark, C, ALL, SF_TCP_SYN);
	demo_check(d, syn >= 0 && seq_after(demo_seg(d, syn)->seq, demo_seg(d, syn1)->seq + 2),
		   "the new SYN's sequence number is beyond the old connection's");
	demo_fact(d, "port", "%u", P);
	demo_fact(d, "L1", "%" PRIu32, L + 1);
	demo_fact(d, "msl", "%u", msl / 1000);
	demo_fact(d, "twait", "%u", 2 * msl / 1000);
	bool zh = d->opt->lang == DEMO_ZH;
	demo_fact(d, "isn2", "-");
	demo_fact(d, "refused", "0");
	if (is_strict != strict)
		demo_fact(d, "override", "%s",
			  is_strict ? (zh ? "\n（本次运行给了 --strict-time-wait，所以上图按严格规则进行，见 time-wait-strict。）"
					  : "\n(This run was given --strict-time-wait, so the diagram follows the strict rule: see time-wait-strict.)")
				    : (zh ? "\n（本次运行改变了配置，所以上图按 RFC 6191 规则进行，见 time-wait-reuse。）"
					  : "\n(This run's configuration turned strict mode off, so the diagram follows the RFC 6191 rule: see time-wait-reuse.)"));
	else
		demo_fact(d, "override", "%s", "");
	if (!is_strict) {
		long sa = demo_find_seg(d, mark, S, ALL, SF_TCP_SYN | SF_TCP_ACK);
		demo_check(d, s2 >= 0, "the new connection is accepted at once");
		demo_check_exact(d, demo_segs_since(d, mark) == 3, "a plain three-way handshake: SYN, SYN,ACK, ACK");
		demo_check(d, sa >= 0 && seq_after(demo_seg(d, sa)->seq, L + 1),
			   "the server's new ISN is above the old connection's last sequence number");
		demo_check(d, demo_counter(d, S, SF_CTR_TWRecycled) == 1, "TWRecycled = 1: the TIME-WAIT record was reused");
		demo_check(d, demo_counter(d, S, SF_CTR_TW) == 0 && demo_counter(d, S, SF_CTR_TimeWaitCurrent) == 0,
			   "the TIME-WAIT record is gone without running out");
		demo_fact(d, "isn2", "%" PRIu32, demo_seg(d, sa)->seq);
	} else {
		long ack = demo_find_seg(d, mark, S, CTL, SF_TCP_ACK);
		long rst = demo_find_seg(d, mark, C, ALL, SF_TCP_RST);
		uint64_t refused = demo_drops(d, S, SF_DROP_TIME_WAIT_SYN);
		uint64_t tw_end = demo_saw_at(d, 0, S, SF_TIME_WAIT, SF_CLOSED);
		bool in_time = tw_start + 2 * (uint64_t)msl * DEMO_MS < d->ev[syn].t + 120 * DEMO_SEC;
		demo_check(d, ack >= 0 && demo_seg(d, ack)->seq == L + 1,
			   "TIME-WAIT answers the SYN with an ACK of the old connection (SEQ L + 1)");
		demo_check(d, rst >= 0 && demo_seg(d, rst)->seq == demo_seg(d, ack)->ack,
			   "the client, in SYN-SENT, finds that ACK unacceptable and sends <SEQ=SEG.ACK><CTL=RST>");
		demo_check(d, refused >= 1 && demo_counter(d, S, SF_CTR_TCPTWRstIgnored) == refused,
			   "every SYN before 2MSL is refused, every RST ignored (RFC 1337)");
		demo_check(d, tw_end != DEMO_NEVER && tw_end >= tw_start + 2 * (uint64_t)msl * DEMO_MS,
			   "TIME-WAIT runs its full 2MSL");
		demo_check(d, demo_counter(d, S, SF_CTR_TWRecycled) == 0, "TWRecycled = 0");
		if (in_time)
			demo_check(d, s2 >= 0, "a SYN retransmitted after 2MSL connects");
		else
			demo_check(d, s2 < 0 && sf_take_error(demo_stack(d, C), c2) == -ETIMEDOUT,
				   "2MSL outlasts the client's SYN retries: connect() fails with -ETIMEDOUT");
		demo_fact(d, "refused", "%" PRIu64, refused);
	}
	(void)s2;
}

static void run_time_wait_reuse(struct demo *d)
{
	reuse_run(d, false);
}

static void run_time_wait_strict(struct demo *d)
{
	reuse_run(d, true);
}

const struct demo_scenario demo_sc_time_wait_reuse = {
	.id = "time-wait-reuse",
	.section = "RFC 9293 §3.6.1 MAY-2; RFC 6191; RFC 1122 §4.2.2.13",
	.title_en = "Reconnecting on a 4-tuple in TIME-WAIT: allowed by the RFC 6191 rule (the default)",
	.title_zh = "在处于 TIME-WAIT 的四元组上重新连接：按 RFC 6191 规则允许（默认）",
	.run = run_time_wait_reuse,
	.explain_en =
		"This time the server closes first, so the server holds the TIME-WAIT record for the 4-tuple "
		"(client port {port}, server port 80). One second later the client connects again from the same "
		"port, as Linux clients that bind their source port do; the new SYN reaches the server's TIME-WAIT.\n"
		"The basic rule (RFC 9293 §3.6.1, MUST-13) is that a connection in TIME-WAIT lingers for 2MSL, so no "
		"new connection may use its 4-tuple until then. Taken "
		"literally, the server would make the client wait {twait} s. Real stacks (Linux, FreeBSD) make one "
		"safe exception, RFC 1122 §4.2.2.13 and RFC 6191: a SYN whose sequence number (or timestamp) is "
		"beyond anything the old connection used cannot be confused with an old duplicate, so it may "
		"reopen the 4-tuple. synfin does that by default: connection #2 is set up with a plain three-way "
		"handshake, the new ISN ({isn2}) is chosen above the old connection's last sequence number "
		"({L1}), so old segments still in the network cannot fall into the new window, and TWRecycled counts "
		"the reuse.\n"
		"`synfin demo time-wait-strict` (or this scenario with --strict-time-wait) shows the strict rule.\n"
		"Rules: RFC 9293 §3.6.1 (MAY-2: reopen from TIME-WAIT with a larger sequence number), RFC 1122 "
		"§4.2.2.13, RFC 6191 (the timestamp variant).{override}",
	.explain_zh =
		"这次服务器先关闭，所以由服务器为这个四元组（客户端端口 {port}，服务器端口 80）保存 TIME-WAIT 记录。"
		"一秒钟后客户端从同一个端口再次连接，就像绑定源端口的 Linux 客户端那样；新的 SYN 到达服务器的 TIME-WAIT。\n"
		"基本规则（RFC 9293 §3.6.1，MUST-13）是 TIME-WAIT 中的连接要停留 2MSL，在此之前不能用它的四元组建立新连接。按字面执行，服务器会让客户端等 {twait} 秒。"
		"真实的协议栈（Linux、FreeBSD）有一个安全的例外，即 RFC 1122 §4.2.2.13 和 RFC 6191：序号（或时间戳）"
		"超出旧连接用过的一切的 SYN 不可能与旧的重复报文混淆，因此可以重新打开这个四元组。synfin 默认这样做："
		"连接 #2 用普通的三次握手建立，新的 ISN（{isn2}）选在旧连接最后序号（{L1}）之上，"
		"这样网络中残留的旧报文段不会落入新窗口，计数器 TWRecycled 记录了这次复用。\n"
		"`synfin demo time-wait-strict`（或本场景加 --strict-time-wait）展示严格规则。\n"
		"规则：RFC 9293 §3.6.1（MAY-2：以更大的序号从 TIME-WAIT 重新打开），RFC 1122 §4.2.2.13，RFC 6191（时间戳变体）。{override}",
};

const struct demo_scenario demo_sc_time_wait_strict = {
	.id = "time-wait-strict",
	.section = "RFC 9293 §3.6.1 MUST-13, §3.10.7.4",
	.title_en = "The same in strict mode (cfg.strict_time_wait, MSL 30 s): refused until 2MSL has passed",
	.title_zh = "同上，严格模式（cfg.strict_time_wait，MSL 30 秒）：在 2MSL 之前一直拒绝",
	.run = run_time_wait_strict,
	.explain_en =
		"The same reconnect, but the server runs with strict_time_wait = 1 and an MSL of {msl} s (2MSL = "
		"{twait} s). Now the 4-tuple is not available until 2MSL has passed, whatever the SYN carries.\n"
		"The SYN reaches the TIME-WAIT record, which treats it like any other unacceptable segment: it "
		"answers with an ACK carrying the old connection's numbers (SEQ L+1 = {L1}). The client, in "
		"SYN-SENT, gets an ACK that does not acknowledge its SYN and answers it as RFC 9293 §3.10.7.3 says, "
		"with <SEQ=SEG.ACK><CTL=RST>. The server's TIME-WAIT ignores that RST (RFC 1337; `synfin demo assassination`). The "
		"client's SYN is retransmitted with backoff (1, 2, 4, 8, 16, 32 s): {refused} SYNs were refused this "
		"way. When the 2MSL timer ends the record is gone, the next retransmitted SYN finds the listener, "
		"and the connection (#2) is set up normally.\n"
		"The cost of the strict rule is that delay, and with the default MSL of 2 minutes (4-minute "
		"TIME-WAIT) it outlasts the client's SYN retries and connect() fails with -ETIMEDOUT; try "
		"--msl 120000.\n"
		"Rules: RFC 9293 §3.6.1 (MUST-13), §3.10.7.4 (TIME-WAIT: an unacceptable segment draws an ACK), "
		"§3.10.7.3 (SYN-SENT: a bad ACK draws a RST), RFC 6298 (SYN backoff).{override}",
	.explain_zh =
		"同样的重新连接，但服务器设置了 strict_time_wait = 1，MSL 为 {msl} 秒（2MSL = {twait} 秒）。"
		"现在无论 SYN 携带什么，四元组都要等 2MSL 过去后才能使用。\n"
		"SYN 到达 TIME-WAIT 记录，被当作任何不可接受的报文段处理：回一个带旧连接序号的 ACK（SEQ L+1 = {L1}）。"
		"处于 SYN-SENT 的客户端收到一个并不确认其 SYN 的 ACK，按 RFC 9293 §3.10.7.3 的规定回 "
		"<SEQ=SEG.ACK><CTL=RST>。服务器的 TIME-WAIT 忽略这个 RST（RFC 1337，见 `synfin demo assassination`）。客户端的 SYN "
		"按退避重传（1、2、4、8、16、32 秒）：共有 {refused} 个 SYN 这样被拒绝。2MSL 定时器结束后记录消失，"
		"下一个重传的 SYN 找到监听套接字，连接（#2）正常建立。\n"
		"严格规则的代价就是这段延迟；在默认的 MSL 2 分钟（TIME-WAIT 4 分钟）下，它比客户端的 SYN 重试还长，"
		"connect() 会以 -ETIMEDOUT 失败；可以试试 --msl 120000。\n"
		"规则：RFC 9293 §3.6.1（MUST-13），§3.10.7.4（TIME-WAIT：不可接受的报文段招来 ACK），"
		"§3.10.7.3（SYN-SENT：错误的 ACK 招来 RST），RFC 6298（SYN 退避）。{override}",
};

/* ---- close-wait ---------------------------------------------------------------------------------- */

static void run_close_wait(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);

	demo_close(d, C, c);
	long eof = demo_read_eof(d, S, s, 2000);
	demo_note(d, S, "the application never calls close()", "应用程序一直不调用 close()");
	demo_settle(d, 100);
	demo_check(d, eof == 0 && sf_state(demo_stack(d, S), s) == SF_CLOSE_WAIT,
		   "the server ACKs the FIN at once, reads end of stream and is in CLOSE-WAIT");
	uint64_t fw2 = demo_saw_at(d, 0, C, SF_FIN_WAIT_1, SF_FIN_WAIT_2);

	size_t mark = demo_mark(d);
	demo_run_for(d, 600000);
	size_t quiet = demo_segs_since(d, mark);
	demo_check(d, quiet == 0, "ten quiet minutes: nothing on the wire");
	demo_check(d, sf_state(demo_stack(d, S), s) == SF_CLOSE_WAIT && demo_counter(d, S, SF_CTR_CurrEstab) == 1,
		   "after 10 minutes the server is still in CLOSE-WAIT, holding the connection (CurrEstab 1)");
	uint64_t gone = demo_saw_at(d, 0, C, SF_FIN_WAIT_2, SF_CLOSED);
	uint32_t fin_to = d->host[C].cfg.fin_timeout_ms;
	demo_check(d, gone != DEMO_NEVER && fw2 != DEMO_NEVER && gone - fw2 >= (uint64_t)fin_to * DEMO_MS &&
			      gone - fw2 <= (uint64_t)fin_to * DEMO_MS + DEMO_MS,
		   "the client, closed and orphaned, gave up FIN-WAIT-2 after fin_timeout (%u s)", fin_to / 1000);
	demo_check(d, demo_counter(d, C, SF_CTR_TCPFinWait2Timeouts) == 1, "TCPFinWait2Timeouts = 1");

	/* Ten minutes late, the application closes. */
	size_t m2 = demo_mark(d);
	demo_close(d, S, s);
	demo_settle(d, 1000);
	long fin = demo_find_seg(d, m2, S, SF_TCP_FIN, SF_TCP_FIN);
	long rst = demo_find_seg(d, m2, C, ALL, SF_TCP_RST);
	demo_check(d, fin >= 0 && rst >= 0 && demo_seg(d, rst)->seq == demo_seg(d, fin)->ack,
		   "its late FIN finds no connection on the client and draws <SEQ=SEG.ACK><CTL=RST>");
	demo_check(d, demo_saw(d, S, SF_CLOSE_WAIT, SF_LAST_ACK) && demo_saw(d, S, SF_LAST_ACK, SF_CLOSED),
		   "the server goes LAST-ACK -> CLOSED (by the RST)");
	demo_fact(d, "fin_timeout", "%u", fin_to / 1000);
	demo_close(d, S, lst);
}

const struct demo_scenario demo_sc_close_wait = {
	.id = "close-wait",
	.section = "RFC 9293 §3.6 case 2, §3.10.7.4",
	.title_en = "CLOSE-WAIT: an application that forgets to close (stuck for ten minutes)",
	.title_zh = "CLOSE-WAIT：忘记关闭的应用程序（卡了十分钟）",
	.run = run_close_wait,
	.explain_en =
		"The client closes. Its FIN reaches the server, whose TCP ACKs it at once (no application involved) "
		"and moves to CLOSE-WAIT; the application learns of it when recv() returns 0. CLOSE-WAIT means "
		"\"waiting for the local application to close\": the peer has finished sending, and only the "
		"application knows whether it still has something to say. This one never calls close().\n"
		"Nothing can end that wait from outside. For ten minutes nothing is sent, and the server still "
		"holds the connection in CLOSE-WAIT, counted in CurrEstab, with its buffers and its port pair. A "
		"server with this bug collects CLOSE-WAIT connections until it runs out of descriptors or memory "
		"(`ss -tan state close-wait` is how one finds them on Linux).\n"
		"The client's side did not wait: it had closed its socket, so nobody could ever read from it, and "
		"its FIN-WAIT-2 was given up after fin_timeout ({fin_timeout} s), as Linux does for such orphans.\n"
		"When the application finally closes, its FIN goes to a client that has forgotten the connection, "
		"which answers with a RST (§3.10.7.1), and the server's connection ends there.\n"
		"Compare `synfin demo close-wait-done`, where the application does its part.\n"
		"Rules: RFC 9293 §3.6 (case 2: the remote TCP closes first; the local user is told and must close), "
		"§3.10.7.4 (FIN: enter CLOSE-WAIT), §3.10.4 (CLOSE in CLOSE-WAIT: send FIN, enter LAST-ACK).",
	.explain_zh =
		"客户端关闭。它的 FIN 到达服务器，服务器的 TCP 立即确认（不需要应用程序参与）并进入 CLOSE-WAIT；"
		"应用程序在 recv() 返回 0 时得知这一点。CLOSE-WAIT 的意思是\"等待本地应用程序关闭\"：对方已经发送完毕，"
		"只有应用程序知道自己是否还有话要说。而这个应用程序一直不调用 close()。\n"
		"外界没有任何办法结束这种等待。十分钟内什么都没有发送，服务器仍把连接保持在 CLOSE-WAIT，计入 CurrEstab，"
		"占着缓冲区和端口对。有这种缺陷的服务器会不断积累 CLOSE-WAIT 连接，直到耗尽描述符或内存"
		"（在 Linux 上用 `ss -tan state close-wait` 找出它们）。\n"
		"客户端这边没有等：它已经关闭了套接字，再也没有人能从中读取，于是它的 FIN-WAIT-2 在 fin_timeout"
		"（{fin_timeout} 秒）后被放弃，Linux 对这种孤儿连接也是这样处理的。\n"
		"当应用程序终于关闭时，它的 FIN 发给了一个已经忘记这个连接的客户端，客户端回一个 RST（§3.10.7.1），"
		"服务器的连接就此结束。\n"
		"对照 `synfin demo close-wait-done`，那里应用程序尽到了自己的责任。\n"
		"规则：RFC 9293 §3.6（情形 2：远端 TCP 先关闭；通知本地用户，用户必须关闭），"
		"§3.10.7.4（FIN：进入 CLOSE-WAIT），§3.10.4（CLOSE-WAIT 中的 CLOSE：发送 FIN，进入 LAST-ACK）。",
};

static void run_close_wait_done(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	char buf[16];
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);

	/* The client says its last words and half-closes. */
	demo_send_text(d, C, c, "QUIT");
	demo_shutdown(d, C, c, SF_SHUT_WR);
	demo_read(d, S, s, buf, 4, 2000);
	long eof = demo_read_eof(d, S, s, 2000);
	demo_check(d, eof == 0 && sf_state(demo_stack(d, S), s) == SF_CLOSE_WAIT, "the server reads QUIT and end of stream: CLOSE-WAIT");
	uint64_t cw = demo_saw_at(d, 0, S, SF_ESTABLISHED, SF_CLOSE_WAIT);

	/* It still may send, and then closes: its FIN rides on the last data. */
	size_t mark = demo_mark(d);
	demo_send_text(d, S, s, "221 bye");
	demo_close(d, S, s);
	uint64_t la = demo_saw_at(d, mark, S, SF_CLOSE_WAIT, SF_LAST_ACK);
	size_t got = demo_read(d, C, c, buf, 7, 2000);
	long eof2 = demo_read_eof(d, C, c, 2000);
	demo_settle(d, 100);
	long fin = demo_find_seg(d, mark, S, SF_TCP_FIN, SF_TCP_FIN);
	demo_check(d, got == 7 && eof2 == 0, "the client reads \"221 bye\" and then end of stream");
	long data = demo_find_seg(d, mark, S, SF_TCP_PSH, SF_TCP_PSH);
	demo_check(d, data >= 0 && fin > data && demo_seg(d, data)->payload_len == 7 &&
			      demo_seg(d, fin)->seq == demo_seg(d, data)->seq + 7,
		   "the server's FIN follows its last 7 bytes (SEQ right after them)");
	demo_check(d, la != DEMO_NEVER && cw != DEMO_NEVER, "the server passed CLOSE-WAIT -> LAST-ACK");
	demo_check(d, demo_saw(d, S, SF_LAST_ACK, SF_CLOSED), "LAST-ACK -> CLOSED when the ACK of its FIN arrives");
	demo_check(d, demo_saw(d, C, SF_FIN_WAIT_2, SF_TIME_WAIT), "the client, which sent the last ACK, is in TIME-WAIT");
	demo_check(d, demo_counter(d, S, SF_CTR_CurrEstab) == 0 && demo_counter(d, S, SF_CTR_TCPOrphans) == 0,
		   "nothing is left on the server");
	demo_fact(d, "cw_ms", "%" PRIu64, la != DEMO_NEVER && cw != DEMO_NEVER ? (la - cw) / DEMO_MS : 0);
	demo_close(d, C, c);
	demo_close(d, S, lst);
}

const struct demo_scenario demo_sc_close_wait_done = {
	.id = "close-wait-done",
	.section = "RFC 9293 §3.6, §3.10.4",
	.title_en = "CLOSE-WAIT done right: the application still sends, then closes (LAST-ACK -> CLOSED)",
	.title_zh = "正确处理 CLOSE-WAIT：应用程序仍可发送，然后关闭（LAST-ACK -> CLOSED）",
	.run = run_close_wait_done,
	.explain_en =
		"The client sends QUIT and half-closes (shutdown(SHUT_WR)). The server's TCP ACKs the FIN and "
		"enters CLOSE-WAIT; the application reads QUIT and then 0, end of stream.\n"
		"This is what CLOSE-WAIT is for: the application checks whether it still has data to send to the "
		"other side and, when it has none left, closes the socket. The application here has one more line to send, and "
		"CLOSE-WAIT allows that (only the peer's direction is finished). Right after send() it calls "
		"close(): the connection goes to LAST-ACK and its FIN is queued behind the data, taking the "
		"sequence number right after the last 7 bytes. The server spent {cw_ms} ms in CLOSE-WAIT. When the ACK of "
		"its FIN arrives it is CLOSED and nothing is left behind; the client, which sent that last ACK, "
		"waits in TIME-WAIT.\n"
		"Rules: RFC 9293 §3.6 (case 2), §3.10.4 (CLOSE in CLOSE-WAIT: queue a FIN after the pending data, "
		"enter LAST-ACK), §3.10.7.4 (LAST-ACK: the ACK of our FIN closes the connection).",
	.explain_zh =
		"客户端发送 QUIT 并半关闭（shutdown(SHUT_WR)）。服务器的 TCP 确认 FIN 并进入 CLOSE-WAIT；"
		"应用程序读到 QUIT，然后读到 0，即数据流结束。\n"
		"这正是 CLOSE-WAIT 的用途：应用程序查看自己是否还有数据要发给对方，没有的话就关闭套接字。"
		"这里的应用程序还有一行要发，CLOSE-WAIT 允许这样做（结束的只是对方的方向）。send() 之后它立即调用 "
		"close()：连接进入 LAST-ACK，FIN 排在数据之后，占用紧跟最后 7 个字节的那个序号。服务器在 CLOSE-WAIT "
		"中停留了 {cw_ms} ms。收到对其 FIN 的确认后它进入 CLOSED，什么也没留下；发出最后 ACK 的客户端在 TIME-WAIT 中等待。\n"
		"规则：RFC 9293 §3.6（情形 2），§3.10.4（CLOSE-WAIT 中的 CLOSE：在待发数据之后排入 FIN，进入 LAST-ACK），"
		"§3.10.7.4（LAST-ACK：对我方 FIN 的确认关闭连接）。",
};

/* ---- assassination, assassination-classic ------------------------------------------------------------------------ */

/* Keeps a copy of the first data segment from one host to another (without dropping it). */
struct copier {
	int from, to;
	bool have;
	uint8_t buf[2048];
	size_t len;
};

static bool copy_filter(void *ctx, int from, int to, const uint8_t *dgram, size_t len)
{
	struct copier *cp = ctx;
	/* IPv4 total length 20 + TCP data offset: a datagram longer than its headers carries data. */
	if (!cp->have && from == cp->from && to == cp->to && len <= sizeof cp->buf && len > 20 &&
	    len > 20 + (size_t)((dgram[32] >> 4) * 4)) {
		memcpy(cp->buf, dgram, len);
		cp->len = len;
		cp->have = true;
	}
	return false;
}

static void rfc1337_off(struct sf_config *cfg)
{
	cfg->rfc1337 = 0;
}

static void assassination(struct demo *d, bool classic)
{
	int A = demo_add_host(d, "A", "192.0.2.1", 1500, classic ? rfc1337_off : NULL);
	int B = demo_add_host(d, "B", "192.0.2.2", 1500, NULL);
	static struct copier cp;
	char got[10];

	memset(&cp, 0, sizeof cp);
	cp.from = B;
	cp.to = A;
	sf_sim_set_filter(d->sim, copy_filter, &cp);
	bool rfc1337 = d->host[A].cfg.rfc1337;
	uint32_t msl = d->host[A].cfg.msl_ms;
	int lst = demo_listen(d, B, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, B, 80);
	int c = demo_connect(d, A, 0, &srv);
	int s = demo_establish(d, A, c, B, lst, 5000);
	demo_close(d, B, lst); /* B will know of no connection at all */

	/* B sends some data; the network keeps a stray copy of it. */
	demo_send_text(d, B, s, "old data!!");
	demo_read(d, A, c, got, 10, 2000);
	demo_check(d, cp.have, "the network kept a copy of B's data segment");

	/* A closes first and sits in TIME-WAIT; B's connection ends. */
	demo_close(d, A, c);
	demo_read_eof(d, B, s, 2000);
	demo_close(d, B, s);
	demo_settle(d, 100);
	demo_check(d, demo_saw(d, B, SF_LAST_ACK, SF_CLOSED) && demo_counter(d, A, SF_CTR_TimeWaitCurrent) == 1,
		   "B is CLOSED, A is in TIME-WAIT");
	demo_settle(d, 2000);

	/* The stray old duplicate reaches A. */
	size_t mark = demo_mark(d);
	uint64_t t0 = demo_now(d);
	demo_note(d, B, "the network delivers a stray old copy of B's data", "网络送来 B 的数据的一个迷途旧副本");
	demo_resend(d, B, cp.buf, cp.len, "old duplicate");
	demo_settle(d, 1000);
	long stray = demo_find_seg(d, mark, B, 0, 0);
	long ack = demo_find_seg(d, mark, A, CTL, SF_TCP_ACK);
	long rst = demo_find_seg(d, mark, B, ALL, SF_TCP_RST);
	demo_check_exact(d, demo_segs_since(d, mark) == 3, "three segments: the stray data, A's ACK, B's RST");
	demo_check(d, stray >= 0 && demo_seg(d, stray)->payload_len == 10, "the stray segment is B's old data");
	/* With timestamps, PAWS (RFC 7323 §5.3) knows the copy for an old duplicate. */
	enum sf_drop_reason why = d->host[A].cfg.timestamps ? SF_DROP_PAWS : SF_DROP_TIME_WAIT_ACKED;
	demo_check(d, ack >= 0 && demo_drops(d, A, why) == 1, "A's TIME-WAIT ACKs it (and drops it)");
	demo_check(d, rst >= 0 && demo_seg(d, rst)->seq == demo_seg(d, ack)->ack && demo_drops(d, B, SF_DROP_NO_CONNECTION) == 1,
		   "B has no connection and answers the ACK with <SEQ=SEG.ACK><CTL=RST>");
	if (rfc1337) {
		demo_check(d, demo_counter(d, A, SF_CTR_TCPTWRstIgnored) == 1 && demo_drops(d, A, SF_DROP_TIME_WAIT_RST) == 1,
			   "RFC 1337: A ignores the RST in TIME-WAIT (TCPTWRstIgnored 1)");
		demo_check(d, demo_counter(d, A, SF_CTR_TimeWaitCurrent) == 1, "the TIME-WAIT record survives");
		demo_run_for(d, 2ull * msl + 1000);
		demo_check(d, demo_counter(d, A, SF_CTR_TW) == 1 && demo_counter(d, A, SF_CTR_TWKilled) == 0,
			   "TIME-WAIT runs its full 2MSL (TW 1, TWKilled 0)");
	} else {
		uint64_t killed = demo_saw_at(d, mark, A, SF_TIME_WAIT, SF_CLOSED);
		demo_check(d, demo_counter(d, A, SF_CTR_TWKilled) == 1 && demo_counter(d, A, SF_CTR_TimeWaitCurrent) == 0,
			   "rfc1337 off: the RST kills TIME-WAIT at once (TWKilled 1)");
		demo_check_exact(d, killed == t0 + 3 * (uint64_t)d->opt->delay_ms * DEMO_MS,
				 "TIME-WAIT ends when the RST arrives, long before 2MSL");
		demo_fact(d, "early", "%.3f", killed != DEMO_NEVER ? (double)(2ull * msl * DEMO_MS - (killed - demo_saw_at(d, 0, A, SF_FIN_WAIT_2, SF_TIME_WAIT))) / 1e9 : 0.0);
		demo_run_for(d, 2ull * msl + 1000);
		demo_check(d, demo_counter(d, A, SF_CTR_TW) == 0, "no TIME-WAIT ran to its end (TW 0)");
	}
	demo_fact(d, "twait", "%u", 2 * msl / 1000);
	bool zh = d->opt->lang == DEMO_ZH;
	if (rfc1337)
		demo_fact(d, "early", "0");
	if (rfc1337 == classic)
		demo_fact(d, "override", "%s",
			  rfc1337 ? (zh ? "\n（本次运行给了 --rfc1337=on，所以上图中 RST 被忽略，见 assassination。）"
					: "\n(This run was given --rfc1337=on, so the diagram shows the RST ignored: see assassination.)")
				  : (zh ? "\n（本次运行给了 --rfc1337=off，所以上图中 TIME-WAIT 被暗杀，见 assassination-classic。）"
					: "\n(This run was given --rfc1337=off, so the diagram shows TIME-WAIT assassinated: see assassination-classic.)"));
	else
		demo_fact(d, "override", "%s", "");
	sf_sim_set_filter(d->sim, NULL, NULL);
}

static void run_assassination(struct demo *d)
{
	assassination(d, false);
}

static void run_assassination_classic(struct demo *d)
{
	assassination(d, true);
}

const struct demo_scenario demo_sc_assassination = {
	.id = "assassination",
	.section = "RFC 1337; RFC 9293 §3.10.7.4",
	.title_en = "TIME-WAIT assassination, prevented: the RST is ignored in TIME-WAIT (rfc1337 on, the default)",
	.title_zh = "TIME-WAIT 暗杀被阻止：TIME-WAIT 中忽略 RST（rfc1337 开启，默认）",
	.run = run_assassination,
	.explain_en =
		"A closed first and is in TIME-WAIT; B has closed completely (and has no listener either). Then an "
		"old duplicate of B's earlier data, delayed somewhere in the network, arrives at A. A's TIME-WAIT "
		"does what TIME-WAIT must do with such a segment: it is not acceptable, so A ACKs it with its "
		"current numbers (and drops it). That ACK reaches B, which has no connection for it and answers, "
		"as any TCP must, with a RST.\n"
		"In the classic stack that RST, in window and for A's connection, would end A's TIME-WAIT early "
		"(RFC 1337 calls it TIME-WAIT assassination), and with it the protection TIME-WAIT gives: old "
		"segments could then corrupt a new connection on the same 4-tuple. synfin, like Linux and "
		"FreeBSD, applies RFC 1337's fix by default: a RST in TIME-WAIT is ignored (counted as "
		"TCPTWRstIgnored, discarded with reason TIME_WAIT_RST), and TIME-WAIT lives out its {twait} s.\n"
		"This is the common practice RFC 1337 recommends: in TIME-WAIT a reset is not acted on. "
		"Ignoring RSTs does not make TIME-WAIT a trap: a newer SYN still reopens it (`synfin demo time-wait-reuse`).\n"
		"Compare `synfin demo assassination-classic` (or --rfc1337=off).\n"
		"Rules: RFC 1337 (hazards H1-H3 and fix F1), RFC 9293 §3.10.7.4 (TIME-WAIT, second: RST), "
		"§3.10.7.1 (a segment for no connection draws a RST).{override}",
	.explain_zh =
		"A 先关闭，处于 TIME-WAIT；B 已经完全关闭（也没有监听套接字）。这时 B 早先数据的一个旧的重复副本，"
		"在网络某处被耽搁后到达 A。A 的 TIME-WAIT 对这样的报文段做它必须做的事：报文不可接受，"
		"于是 A 用当前的序号回一个 ACK（并丢弃报文）。这个 ACK 到达 B，B 没有对应的连接，像任何 TCP 一样回一个 RST。\n"
		"在经典协议栈中，这个在窗口内、属于 A 的连接的 RST 会提前结束 A 的 TIME-WAIT（RFC 1337 称之为 TIME-WAIT "
		"暗杀），TIME-WAIT 提供的保护也随之消失：旧报文段可能会破坏同一四元组上的新连接。synfin 与 Linux、"
		"FreeBSD 一样，默认采用 RFC 1337 的修正：TIME-WAIT 中的 RST 被忽略（计入 TCPTWRstIgnored，"
		"以原因 TIME_WAIT_RST 丢弃），TIME-WAIT 完整地度过它的 {twait} 秒。\n"
		"这是 RFC 1337 推荐、许多系统采用的做法：处于 TIME-WAIT 时不理会重置报文。忽略 RST 并不会让 TIME-WAIT "
		"变成陷阱：更新的 SYN 仍然可以重新打开它（见 `synfin demo time-wait-reuse`）。\n"
		"对照 `synfin demo assassination-classic`（或 --rfc1337=off）。\n"
		"规则：RFC 1337（危害 H1-H3 与修正 F1），RFC 9293 §3.10.7.4（TIME-WAIT，第二步：RST），"
		"§3.10.7.1（发给不存在连接的报文段招来 RST）。{override}",
};

const struct demo_scenario demo_sc_assassination_classic = {
	.id = "assassination-classic",
	.section = "RFC 1337 §2; RFC 9293 §3.10.7.4",
	.title_en = "TIME-WAIT assassination, classic behaviour (cfg.rfc1337 = 0): the RST ends TIME-WAIT early",
	.title_zh = "TIME-WAIT 暗杀，经典行为（cfg.rfc1337 = 0）：RST 提前结束 TIME-WAIT",
	.run = run_assassination_classic,
	.explain_en =
		"The same events with A configured as a classic stack (rfc1337 = 0). The stray old segment draws "
		"A's ACK, the ACK draws B's RST, and this time A accepts the RST: its TIME-WAIT record is deleted on "
		"the spot, {early} s before its 2MSL would have ended (counter TWKilled).\n"
		"So a RST from the peer makes the side in TIME-WAIT enter CLOSED early. The danger (RFC 1337 hazards H1-H3): with the TIME-WAIT record gone, the 4-tuple may be "
		"reused at once, and old duplicates of the previous connection still in the network can be "
		"accepted into the new one, desynchronise it or reset it. TIME-WAIT existed precisely to let them "
		"die first.\n"
		"Rules: RFC 1337 §2 (the hazards) and §3 (fix F1: ignore RST in TIME-WAIT), RFC 9293 §3.10.7.4 "
		"(TIME-WAIT, second: if the RST bit is set, enter CLOSED, the classic rule).{override}",
	.explain_zh =
		"同样的事件，但 A 配置为经典协议栈（rfc1337 = 0）。迷途的旧报文段招来 A 的 ACK，ACK 招来 B 的 RST，"
		"而这次 A 接受了 RST：它的 TIME-WAIT 记录当场被删除，比 2MSL 本应结束的时间早了 {early} 秒（计数器 TWKilled）。\n"
		"也就是说，对端的 RST 让处于 TIME-WAIT 的一方提前进入 CLOSED。危险在于"
		"（RFC 1337 危害 H1-H3）：TIME-WAIT 记录没了，四元组可以立即被重用，网络中残留的前一个连接的旧重复报文"
		"可能被新连接接受、使其失步或将其重置。TIME-WAIT 的存在恰恰是为了让它们先消亡。\n"
		"规则：RFC 1337 §2（危害）和 §3（修正 F1：TIME-WAIT 中忽略 RST），RFC 9293 §3.10.7.4"
		"（TIME-WAIT，第二步：若 RST 位置位则进入 CLOSED，即经典规则）。{override}",
};
