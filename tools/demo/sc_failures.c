/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backlog (the listener's two queues under pressure), half-open (a crash and
 * reboot leave a half-open connection) and keepalive (finding a dead peer).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "demo.h"

#define ALL DEMO_ALL
#define CTL DEMO_CTL

/* ---- backlog: the connection queues --------------------------------------------------------------------------- */

#define NCLIENTS 6
#define SYN_BACKLOG 3

static void syn_backlog_small(struct sf_config *cfg)
{
	cfg->syn_backlog = SYN_BACKLOG;
	cfg->syncookies = 0; /* the queues alone: a cookie would answer what the full SYN queue drops */
}

struct queues {
	struct demo *d;
	int C, S, lst;
	int backlog;
	int client[NCLIENTS];
	int accepted[NCLIENTS];
	int naccepted;
	uint64_t first_accept;
	uint64_t max_queue, max_embryos;
};

/* The server application: asleep for 5 s, then one accept() every 500 ms. */
static void accept_tick(void *ctx, uint64_t now)
{
	struct queues *q = ctx;
	int h = demo_accept(q->d, q->S, q->lst);

	if (h >= 0) {
		if (!q->naccepted)
			q->first_accept = now;
		q->accepted[q->naccepted++] = h;
	}
	if (q->naccepted < NCLIENTS)
		sf_sim_at(q->d->sim, now + 500 * DEMO_MS, accept_tick, q);
}

static bool all_in(struct demo *d, void *ctx)
{
	struct queues *q = ctx;
	uint64_t depth = demo_counter(d, q->S, SF_CTR_PassiveOpens) - (uint64_t)q->naccepted;
	uint64_t emb = demo_counter(d, q->S, SF_CTR_SynRecvCurrent);

	if (depth > q->max_queue)
		q->max_queue = depth;
	if (emb > q->max_embryos)
		q->max_embryos = emb;
	if (q->naccepted < NCLIENTS)
		return false;
	for (int i = 0; i < NCLIENTS; i++)
		if (sf_state(demo_stack(d, q->C), q->client[i]) != SF_ESTABLISHED)
			return false;
	return true;
}

static void run_backlog(struct demo *d)
{
	static struct queues q;
	memset(&q, 0, sizeof q);
	q.d = d;
	q.C = demo_add_host(d, "clients", "192.0.2.1", 1500, NULL);
	q.S = demo_add_host(d, "server", "192.0.2.2", 1500, syn_backlog_small);
	q.backlog = demo_backlog(d, 2);
	q.lst = demo_listen(d, q.S, SF_AF_INET, 80, 2);
	struct sf_endpoint srv = demo_ep(d, q.S, 80);
	uint32_t synb = d->host[q.S].cfg.syn_backlog;

	demo_note(d, q.S, "the server application sleeps 5 s before its first accept()",
		  "服务器应用程序在第一次 accept() 之前睡眠 5 秒");
	for (int i = 0; i < NCLIENTS; i++)
		q.client[i] = demo_connect(d, q.C, (uint16_t)(40001 + i), &srv);
	sf_sim_at(d->sim, 5000 * DEMO_MS, accept_tick, &q);

	bool all = demo_run_until(d, all_in, &q, 300000);
	demo_settle(d, 100);
	demo_check(d, all && q.naccepted == NCLIENTS, "all %d clients are connected and accepted in the end", NCLIENTS);
	demo_check(d, q.first_accept >= 5000 * DEMO_MS, "the first accept() came 5 s late");
	demo_check(d, q.max_queue == (uint64_t)q.backlog, "the accept queue filled to its limit, %d, and never beyond",
		   q.backlog);
	demo_check(d, q.max_embryos <= synb, "the SYN queue never held more than syn_backlog = %u", synb);
	uint64_t over = demo_counter(d, q.S, SF_CTR_ListenOverflows);
	uint64_t synfull = demo_counter(d, q.S, SF_CTR_TCPReqQFullDrop);
	demo_check_exact(d, over > 0, "SYNs and final ACKs met a full accept queue: ListenOverflows %" PRIu64, over);
	demo_check_exact(d, synfull > 0, "SYNs met a full SYN queue: TCPReqQFullDrop %" PRIu64, synfull);
	demo_check(d, demo_counter(d, q.S, SF_CTR_ListenDrops) == over + synfull,
		   "every refusal is counted: ListenDrops = ListenOverflows + TCPReqQFullDrop");
	demo_check(d, demo_drops(d, q.S, SF_DROP_LISTEN_OVERFLOW) == over && demo_drops(d, q.S, SF_DROP_SYN_QUEUE_FULL) == synfull,
		   "and each has its drop reason (LISTEN_OVERFLOW, SYN_QUEUE_FULL)");
	uint64_t synrt = demo_counter(d, q.C, SF_CTR_TCPSynRetrans);
	uint64_t sart = demo_counter(d, q.S, SF_CTR_TCPSynRetrans);
	demo_check_exact(d, synrt > 0, "the clients retransmitted refused SYNs (%" PRIu64 ")", synrt);
	demo_check(d, demo_counter(d, q.S, SF_CTR_PassiveOpens) == NCLIENTS && demo_counter(d, q.S, SF_CTR_AttemptFails) == 0 &&
			      demo_counter(d, q.C, SF_CTR_AttemptFails) == 0 && demo_counter(d, q.C, SF_CTR_EstabResets) == 0,
		   "no connection was lost or reset (AttemptFails 0, EstabResets 0)");
	demo_check(d, sf_accept(demo_stack(d, q.S), q.lst, NULL) == -EAGAIN, "nothing was accepted beyond the %d clients",
		   NCLIENTS);
	bool distinct = true;
	for (int i = 0; i < q.naccepted; i++)
		for (int j = 0; j < i; j++) {
			struct sf_endpoint a, b;
			sf_getpeername(demo_stack(d, q.S), q.accepted[i], &a);
			sf_getpeername(demo_stack(d, q.S), q.accepted[j], &b);
			distinct &= a.port != b.port;
		}
	demo_check(d, distinct, "each client was accepted exactly once");
	uint64_t last = 0;
	for (size_t i = 0; i < d->nev; i++)
		if (d->ev[i].kind == DEV_STATE && d->ev[i].host == q.C && d->ev[i].to == SF_ESTABLISHED)
			last = d->ev[i].t;
	demo_fact(d, "backlog", "%d", q.backlog);
	demo_fact(d, "synb", "%u", synb);
	demo_fact(d, "n", "%d", NCLIENTS);
	demo_fact(d, "over", "%" PRIu64, over);
	demo_fact(d, "synfull", "%" PRIu64, synfull);
	demo_fact(d, "synrt", "%" PRIu64, synrt);
	demo_fact(d, "sart", "%" PRIu64, sart);
	demo_fact(d, "last", "%.3f", (double)last / 1e9);
}

const struct demo_scenario demo_sc_backlog = {
	.id = "backlog",
	.section = "RFC 9293 §3.10.1; Linux tcp_max_syn_backlog, somaxconn",
	.title_en = "Connection queues: tiny backlog and syn_backlog, more clients than room, a late accept()",
	.title_zh = "连接队列：很小的 backlog 和 syn_backlog，客户端多于容量，迟到的 accept()",
	.run = run_backlog,
	.explain_en =
		"A listener has two queues. Embryonic connections (SYN received, SYN,ACK sent, handshake not "
		"finished: SYN-RECEIVED) are limited by syn_backlog, here {synb} (Linux's tcp_max_syn_backlog, "
		"1000 by default). Connections whose handshake is complete but which the application has not "
		"accept()ed yet are limited by the listen backlog, here {backlog} (usually 128, capped by "
		"somaxconn). {n} clients connect at once and the application does not call accept() for 5 s, then "
		"takes one connection every 500 ms.\n"
		"What to notice, in order:\n"
		"- The first {synb} SYNs become embryos and get SYN,ACKs; the others find the SYN queue full and are "
		"dropped without an answer (\"new connections are refused\": TCPReqQFullDrop).\n"
		"- {backlog} handshake(s) complete and fill the accept queue. The next final ACK finds it full: the "
		"server drops that ACK but keeps the embryo, so its SYN,ACK timer later sends the SYN,ACK again. "
		"The client, ESTABLISHED on its side since the first SYN,ACK, answers the repeat with an ACK (a "
		"challenge ACK, RFC 5961 §4, as Linux does), and that ACK completes the handshake once there is "
		"room.\n"
		"- While the accept queue is full the server does not answer SYNs at all (\"TCP delays its response "
		"to the SYN\"): the clients' retransmission timers send them again with backoff (1, 2, 4, 8 s...).\n"
		"- Each accept() makes room; the next retransmitted SYN or SYN,ACK then completes a handshake.\n"
		"Every client is connected in the end (the last at {last} s), none was reset, nothing beyond the "
		"limit was ever queued, and every refusal is counted: ListenOverflows {over}, TCPReqQFullDrop "
		"{synfull}, ListenDrops their sum; the clients retransmitted {synrt} SYNs and the server {sart} "
		"SYN,ACKs. (With abort_on_overflow = 1 a full queue would answer the final ACK with a RST instead, "
		"like Linux's tcp_abort_on_overflow.) Try --backlog 4, or --backlog 1: an embryo whose final ACK "
		"found the queue full is remembered as complete, and its SYN,ACK timer queues it as soon as "
		"there is room, so even then no client is lost (Linux would drop it after synack_retries and "
		"leave the client half-open).\n"
		"SYN cookies, on by default when the SYN queue is full (as Linux's tcp_syncookies = 1), are off here: "
		"with them the SYNs past syn_backlog would be answered statelessly instead of dropped (RFC 4987 §3.6).\n"
		"Rules: RFC 9293 §3.10.1 (OPEN, the backlog is an implementation matter), §3.10.7.2 (SYN in LISTEN), "
		"RFC 6298 (SYN backoff); Linux's behaviour as the reference.",
	.explain_zh =
		"监听套接字有两个队列。半连接（收到了 SYN、发出了 SYN,ACK、握手未完成：SYN-RECEIVED）受 syn_backlog 限制，"
		"这里是 {synb}（Linux 的 tcp_max_syn_backlog，默认 1000）。握手已完成但应用程序还没有 accept() 的连接受 "
		"listen 的 backlog 限制，这里是 {backlog}（通常是 128，受 somaxconn 上限约束）。{n} 个客户端同时连接，"
		"应用程序 5 秒内不调用 accept()，之后每 500 ms 取走一个连接。\n"
		"按顺序注意：\n"
		"- 前 {synb} 个 SYN 成为半连接并得到 SYN,ACK；其余的发现 SYN 队列已满，被直接丢弃、不作应答"
		"（\"新的连接就被拒绝\"：TCPReqQFullDrop）。\n"
		"- {backlog} 个握手完成，填满 accept 队列。下一个最后的 ACK 发现队列已满：服务器丢弃这个 ACK，"
		"但保留半连接，于是它的 SYN,ACK 定时器之后会重发 SYN,ACK。客户端在收到第一个 SYN,ACK 时就已 "
		"ESTABLISHED，它用一个 ACK 回应重发的 SYN,ACK（挑战 ACK，RFC 5961 §4，与 Linux 相同），"
		"一旦队列有空位，这个 ACK 就完成握手。\n"
		"- accept 队列满时服务器根本不应答 SYN（\"TCP 就会延迟对 SYN 的响应\"）：客户端的重传定时器按退避"
		"（1、2、4、8 秒……）再次发送它们。\n"
		"- 每次 accept() 腾出空间；下一个重传的 SYN 或 SYN,ACK 就能完成一次握手。\n"
		"最终每个客户端都连上了（最后一个在 {last} 秒），没有连接被重置，队列从未超过限制，每次拒绝都有计数："
		"ListenOverflows {over}，TCPReqQFullDrop {synfull}，ListenDrops 是两者之和；客户端重传了 {synrt} 个 SYN，"
		"服务器重传了 {sart} 个 SYN,ACK。（若 abort_on_overflow = 1，队列满时会用 RST 回应最后的 ACK，"
		"就像 Linux 的 tcp_abort_on_overflow。）可以试试 --backlog 4 或 --backlog 1：最后的 ACK 遇到队列已满的半连接会被记作已完成，"
		"一旦有空位，它的 SYN,ACK 定时器就把它放进 accept 队列，所以即使那样也没有客户端丢失"
		"（Linux 会在 synack_retries 用完后丢弃它，留下半开的客户端）。\n"
		"SYN cookie 默认在 SYN 队列满时启用（与 Linux 的 tcp_syncookies = 1 相同），这里关闭了："
		"启用时，超出 syn_backlog 的 SYN 会得到无状态的应答，而不是被丢弃（RFC 4987 §3.6）。\n"
		"规则：RFC 9293 §3.10.1（OPEN，backlog 由实现决定），§3.10.7.2（LISTEN 中收到 SYN），RFC 6298（SYN 退避）；"
		"以 Linux 的行为为参照。",
};

/* ---- half-open: crash and reboot ------------------------------------------------------------------------ */

static void run_half_open(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	char buf[8];
	int c = demo_connect(d, C, 0, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);
	demo_send_text(d, C, c, "abc");
	demo_read(d, S, s, buf, 3, 2000);
	demo_settle(d, 100);

	/* The server host crashes: no FIN, no RST, nothing. */
	demo_crash(d, S);
	demo_run_for(d, 30000);
	demo_check(d, sf_state(demo_stack(d, C), c) == SF_ESTABLISHED, "the client notices nothing: still ESTABLISHED");
	demo_reboot(d, S);
	demo_run_for(d, 30000);
	demo_check(d, sf_state(demo_stack(d, C), c) == SF_ESTABLISHED,
		   "after the server's reboot the client still believes in the connection (half-open)");

	/* The client sends: the rebooted server knows nothing and resets. */
	size_t mark = demo_mark(d);
	demo_send_text(d, C, c, "more");
	demo_wait_state(d, C, c, SF_CLOSED, 5000);
	long data = demo_find_seg(d, mark, C, SF_TCP_PSH, SF_TCP_PSH);
	long rst = demo_find_seg(d, mark, S, ALL, SF_TCP_RST);
	demo_check(d, data >= 0 && rst >= 0 && demo_seg(d, rst)->seq == demo_seg(d, data)->ack,
		   "the data draws <SEQ=SEG.ACK><CTL=RST> from the server");
	demo_check(d, demo_drops(d, S, SF_DROP_NO_CONNECTION) == 1, "the server dropped it: no connection (§3.10.7.1)");
	long r = demo_recv(d, C, c, buf, sizeof buf);
	demo_check(d, r == -ECONNRESET, "the client application gets -ECONNRESET");
	demo_check(d, demo_saw(d, C, SF_ESTABLISHED, SF_CLOSED) && demo_counter(d, C, SF_CTR_EstabResets) == 1,
		   "client: ESTABLISHED -> CLOSED by the RST (EstabResets 1)");
	demo_close(d, C, c);
}

const struct demo_scenario demo_sc_half_open = {
	.id = "half-open",
	.section = "RFC 9293 §3.5.1, §3.10.7.1",
	.title_en = "Half-open connection: the server crashes and reboots; the client's next data draws a RST",
	.title_zh = "半开连接：服务器崩溃并重启；客户端的下一次数据招来 RST",
	.run = run_half_open,
	.explain_en =
		"The connection is up and idle when the server host crashes: it loses all its state and sends "
		"nothing, neither FIN nor RST. The client cannot tell a crashed peer from a quiet one; for 30 s, "
		"and for 30 s more after the server has rebooted, it sits in ESTABLISHED. The connection is "
		"half-open: one end believes in it, the other has never heard of it. (A host with many such "
		"clients keeps their connections, ports and buffers for nothing.)\n"
		"The half-open state is found out only when the survivor sends. The client's data reaches the "
		"rebooted server, which has no connection for that 4-tuple and answers as RFC 9293 §3.10.7.1 "
		"requires: a RST with SEQ = the segment's ACK, so that the client will accept it. The client "
		"resets the connection and its application gets -ECONNRESET.\n"
		"`synfin demo keepalive` shows how the survivor can find out without sending data; "
		"`synfin demo rfc-fig10` is the same discovery with a restarted listener, `rfc-fig9` the other "
		"way round.\n"
		"Rules: RFC 9293 §3.5.1 (half-open connections and other anomalies), §3.10.7.1 (a segment for a "
		"CLOSED connection draws a RST), §3.10.7.4 (RST in ESTABLISHED: \"connection reset\").",
	.explain_zh =
		"连接已建立并且空闲，这时服务器主机崩溃：它丢失全部状态，什么也不发，既没有 FIN 也没有 RST。"
		"客户端无法区分崩溃的对端和安静的对端；30 秒内，以及服务器重启后的又 30 秒内，它一直处于 ESTABLISHED。"
		"这个连接是半开的：一端相信它存在，另一端从未听说过它。（有很多这样的客户端的主机会白白占着这些连接、端口和缓冲区。）\n"
		"只有幸存者发送数据时，半开状态才会被发现。客户端的数据到达重启后的服务器，服务器没有这个四元组的连接，"
		"按 RFC 9293 §3.10.7.1 的要求回答：一个 SEQ 等于该报文段 ACK 的 RST，这样客户端会接受它。"
		"客户端重置连接，应用程序得到 -ECONNRESET。\n"
		"`synfin demo keepalive` 展示幸存者如何不发送数据就发现问题；`synfin demo rfc-fig10` "
		"是监听套接字已重启时的同样发现过程，`rfc-fig9` 则方向相反。\n"
		"规则：RFC 9293 §3.5.1（半开连接及其他异常），§3.10.7.1（发给 CLOSED 连接的报文段招来 RST），"
		"§3.10.7.4（ESTABLISHED 中收到 RST：\"连接被重置\"）。",
};

/* ---- keepalive ------------------------------------------------------------------------------------------- */

static void run_keepalive(struct demo *d)
{
	int C = demo_add_host(d, "client", "192.0.2.1", 1500, NULL);
	int S = demo_add_host(d, "server", "192.0.2.2", 1500, NULL);
	int lst = demo_listen(d, S, SF_AF_INET, 80, 16);
	struct sf_endpoint srv = demo_ep(d, S, 80);
	sf_stack *st = demo_stack(d, C);
	int c = sf_socket(st, SF_AF_INET);
	const uint32_t idle = 10000, intvl = 2000, probes = 3;

	sf_set_keepalive(st, c, 1, idle, intvl, probes);
	demo_app(d, C, "setsockopt(SO_KEEPALIVE: idle 10 s, interval 2 s, 3 probes)",
		 "setsockopt(SO_KEEPALIVE：空闲 10 秒，间隔 2 秒，3 次探测)");
	sf_connect(st, c, &srv);
	int s = demo_establish(d, C, c, S, lst, 5000);
	(void)s;

	/* A live peer answers the probe. */
	demo_run_for(d, 12000);
	demo_check(d, sf_state(demo_stack(d, C), c) == SF_ESTABLISHED && demo_counter(d, C, SF_CTR_TCPKeepAliveProbes) == 1,
		   "after 10 s of silence one probe goes out and the live server answers it");

	/* The server crashes and stays down. */
	demo_crash(d, S);
	uint64_t last_heard = 0;
	for (size_t i = 0; i < d->nev; i++)
		if (d->ev[i].kind == DEV_SEGMENT && d->ev[i].peer == C && d->ev[i].fate == FATE_DELIVERED)
			last_heard = d->ev[i].fate_t;
	size_t mark = demo_mark(d);
	demo_wait_state(d, C, c, SF_CLOSED, 60000);
	uint64_t gone = demo_saw_at(d, mark, C, SF_ESTABLISHED, SF_CLOSED);
	uint64_t want = last_heard + (idle + probes * intvl) * DEMO_MS;
	demo_check(d, gone != DEMO_NEVER && gone >= want && gone <= want + DEMO_MS,
		   "the connection is dropped idle + 3 x interval = 16 s after the server was last heard");
	size_t probes_sent = demo_count_segs(d, mark, C, CTL, SF_TCP_ACK);
	demo_check_exact(d, probes_sent == probes, "three unanswered probes");
	long rst = demo_find_seg(d, mark, C, SF_TCP_RST, SF_TCP_RST);
	demo_check(d, rst >= 0, "then a RST (as Linux sends) as the connection is given up");
	demo_check(d, demo_counter(d, C, SF_CTR_TCPKeepAliveTimeouts) == 1, "TCPKeepAliveTimeouts = 1");
	char b;
	long r = demo_recv(d, C, c, &b, 1);
	demo_check(d, r == -ETIMEDOUT, "the application gets -ETIMEDOUT");
	demo_close(d, C, c);
}

const struct demo_scenario demo_sc_keepalive = {
	.id = "keepalive",
	.section = "RFC 1122 §4.2.3.6; RFC 9293 §3.8.4",
	.title_en = "Keepalive finds a dead peer: probes after idle time, then the connection is dropped",
	.title_zh = "保活机制发现死去的对端：空闲后发送探测，然后放弃连接",
	.run = run_keepalive,
	.explain_en =
		"The client turns keepalive on for its socket (idle 10 s, interval 2 s, 3 probes; the RFC 1122 "
		"default idle time is two hours, far too long for a demo). After 10 s without a segment the "
		"keepalive timer fires and sends a probe: an ACK with SEQ = SND.NXT - 1 and no data, a sequence "
		"number the peer has already acknowledged, so a live peer must answer it with an ACK (§3.10.7.4: an "
		"unacceptable segment draws an ACK). The server answers, and the connection is known to be alive.\n"
		"Then the server crashes. The next probes find nobody: one every 2 s, three of them. When the "
		"third goes unanswered the client gives the connection up (a RST on the way out, as Linux does), "
		"and the application, which never sent anything, learns of it from recv(): -ETIMEDOUT. Without "
		"keepalive this connection would have stayed half-open forever (`synfin demo half-open`).\n"
		"Rules: RFC 1122 §4.2.3.6 (keep-alives: MAY be offered, MUST default off, idle interval MUST be "
		"configurable and default no less than two hours), RFC 9293 §3.8.4.",
	.explain_zh =
		"客户端为其套接字打开保活（空闲 10 秒，间隔 2 秒，3 次探测；RFC 1122 的默认空闲时间是两小时，"
		"对演示来说太长了）。10 秒内没有任何报文段后，保活定时器到期并发出一个探测：一个 SEQ = SND.NXT - 1、"
		"不带数据的 ACK，这个序号对方早已确认过，所以活着的对方必须回一个 ACK（§3.10.7.4：不可接受的报文段招来 ACK）。"
		"服务器应答了，于是知道连接还活着。\n"
		"然后服务器崩溃。接下来的探测无人应答：每 2 秒一个，共三个。第三个也没有回应时，客户端放弃连接"
		"（像 Linux 一样，离开时发一个 RST），从未发送过任何数据的应用程序从 recv() 得知这一点：-ETIMEDOUT。"
		"如果没有保活，这个连接会永远保持半开状态（见 `synfin demo half-open`）。\n"
		"规则：RFC 1122 §4.2.3.6（保活：MAY 提供，MUST 默认关闭，空闲间隔 MUST 可配置且默认不少于两小时），RFC 9293 §3.8.4。",
};
