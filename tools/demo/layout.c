/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Events to rows. Every event of the trace becomes one row (a segment's
 * label wraps onto more); long quiet stretches become one "... later" row,
 * so a 4-minute TIME-WAIT costs one line.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#define GAP_ROW_NS (1000 * DEMO_MS) /* quiet time worth a row of its own */

static struct row *add_row(struct layout *L, enum row_kind kind, long ev, uint64_t t)
{
	if (L->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 256;
		struct row *r = realloc(L->rows, cap * sizeof *r);
		if (!r)
			return NULL;
		L->rows = r;
		L->cap = cap;
	}
	struct row *r = &L->rows[L->n++];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->ev = ev;
	r->t = t;
	r->peer = -1;
	r->died_at = -1;
	return r;
}

enum row_color demo_seg_color(const struct sf_segment *seg)
{
	if (seg->flags & SF_TCP_RST)
		return COL_RST;
	if (seg->flags & SF_TCP_SYN)
		return COL_SYN;
	if (seg->flags & SF_TCP_FIN)
		return COL_FIN;
	if (seg->payload_len)
		return COL_DATA;
	return COL_NONE;
}

/* Split text into lines of at most w columns at spaces; returns the count. */
static int split(const char *text, int w, char lines[][192], int max)
{
	int n = 0;
	const char *p = text;

	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		/* take words while they fit */
		const char *end = p, *best = NULL;
		int cols = 0;
		while (*end) {
			const char *sp = strchr(end, ' ');
			size_t wl = sp ? (size_t)(sp - end) : strlen(end);
			char word[192];
			snprintf(word, sizeof word, "%.*s", (int)(wl < sizeof word ? wl : sizeof word - 1), end);
			int ww = demo_text_width(word);
			if (cols + (best ? 1 : 0) + ww > w && best)
				break;
			cols += (best ? 1 : 0) + ww;
			best = end + wl;
			end = sp ? sp + 1 : end + wl;
			if (!sp)
				break;
		}
		size_t len = (size_t)(best - p);
		if (len >= 191)
			len = 191;
		memcpy(lines[n], p, len);
		lines[n][len] = 0;
		n++;
		p = best;
	}
	return n;
}

#define NOBREAK '\x1f' /* a space the label must not break at */

static void nobreak(char *s)
{
	for (; *s; s++)
		if (*s == ' ')
			*s = NOBREAK;
}

/*
 * A datagram's label as lines that fit w columns: its head, then its tail
 * with how it ended (lost, or still travelling) added. Spaces marked
 * NOBREAK hold a phrase on one line.
 */
static int label_lines(const struct demo *d, const struct demo_event *e, const char *head, char *tail, size_t tcap,
		       int w, char lines[][192], int max)
{
	if (e->fate == FATE_LOST || (e->fate == FATE_IN_FLIGHT && e->peer >= 0)) {
		char extra[160];
		size_t n = strlen(tail);
		snprintf(extra, sizeof extra, "(%s)",
			 e->fate == FATE_LOST ? demo_lost_text(e->lost, d->opt->lang) : demo_tr(d, "in flight at the end"));
		nobreak(extra);
		snprintf(tail + n, tcap - n, "%s%s", n ? " " : "", extra);
	}
	int k = split(head, w, lines, max);
	k += split(tail, w, lines + k, max - k);
	for (int i = 0; i < k; i++)
		for (char *p = lines[i]; *p; p++)
			if (*p == NOBREAK)
				*p = ' ';
	return k;
}

/* The label of a segment, in lines that fit w columns. */
static int seg_label(const struct demo *d, const struct demo_event *e, int w, char lines[][192], int max)
{
	const struct sf_segment *s = &e->seg;
	char head[192], tail[512], fl[48], opts[160], conn[16];
	size_t n = 0;

	demo_conn_label(d, e->conn, conn, sizeof conn);
	demo_flags_text(s->flags, fl, sizeof fl);
	if (s->flags & SF_TCP_ACK)
		snprintf(head, sizeof head, "%s%s%s seq=%" PRIu32 " ack=%" PRIu32, conn, *conn ? " " : "", fl, s->seq,
			 s->ack);
	else
		snprintf(head, sizeof head, "%s%s%s seq=%" PRIu32, conn, *conn ? " " : "", fl, s->seq);
	demo_options_text(&s->opt, (s->flags & SF_TCP_SYN) != 0, opts, sizeof opts);
	n += (size_t)snprintf(tail + n, sizeof tail - n, "win=%u len=%zu", s->window, s->payload_len);
	if (*opts)
		n += (size_t)snprintf(tail + n, sizeof tail - n, " <%s>", opts);
	char extra[160] = "";
	if (e->retransmit)
		snprintf(extra, sizeof extra, "[%s]", demo_tr(d, "retransmission"));
	else if (e->mtu_probe)
		snprintf(extra, sizeof extra, "[%s]", demo_tr(d, "path MTU probe"));
	else if (e->crafted && (e->tag || d->host[e->host].sh))
		snprintf(extra, sizeof extra, "[%s]", demo_tr(d, e->tag ? e->tag : "crafted"));
	if (*extra) {
		nobreak(extra);
		n += (size_t)snprintf(tail + n, sizeof tail - n, " %s", extra);
	}
	return label_lines(d, e, head, tail, sizeof tail, w, lines, max);
}

/* The label of a router's ICMP error: what it says, what it quotes, and its fate. */
static int icmp_label(const struct demo *d, const struct demo_event *e, int w, char lines[][192], int max)
{
	char head[192], tail[512];

	demo_icmp_text(e->dgram, e->dlen, d->opt->lang, head, sizeof head, tail, sizeof tail);
	return label_lines(d, e, head, tail, sizeof tail, w, lines, max);
}

static const char *timer_zh(enum sf_timer_kind t)
{
	switch (t) {
	case SF_TIMER_RETRANSMIT: return "重传";
	case SF_TIMER_TIME_WAIT: return "2MSL";
	case SF_TIMER_FIN_WAIT_2: return "FIN-WAIT-2 超时";
	case SF_TIMER_KEEPALIVE: return "保活";
	case SF_TIMER_SYNACK: return "SYN+ACK 重传";
	case SF_TIMER_DELACK: return "延迟 ACK";
	case SF_TIMER_PERSIST: return "零窗口探测";
	default: return "?";
	}
}

static const char *drop_zh(enum sf_drop_reason r)
{
	switch (r) {
	case SF_DROP_NO_CONNECTION: return "没有对应的连接（§3.10.7.1），回 RST";
	case SF_DROP_LISTEN_ACK: return "发给监听套接字的 ACK，回 RST（§3.10.7.2）";
	case SF_DROP_LISTEN_OVERFLOW: return "全连接（accept）队列已满";
	case SF_DROP_SYN_QUEUE_FULL: return "半连接（SYN）队列已满";
	case SF_DROP_TIME_WAIT_ACKED: return "发往 TIME-WAIT 的报文：回 ACK（§3.10.7.4）";
	case SF_DROP_TIME_WAIT_ACK: return "发往 TIME-WAIT 的纯 ACK（位于 RCV.NXT）：重启 2MSL，不回复";
	case SF_DROP_TIME_WAIT_RST: return "TIME-WAIT 中忽略 RST（RFC 1337）";
	case SF_DROP_TIME_WAIT_SYN: return "不允许重开 TIME-WAIT 的 SYN：回 ACK";
	case SF_DROP_SYN_SENT_BAD_ACK: return "SYN-SENT：ACK 不在 (ISS, SND.NXT] 内（§3.10.7.3）";
	case SF_DROP_SYN_CHALLENGED: return "已同步状态收到 SYN：回挑战 ACK（RFC 5961 §4）";
	case SF_DROP_SEQ_UNACCEPTABLE: return "序号不在接收窗口内（§3.10.7.4）";
	case SF_DROP_RST_CHALLENGED: return "窗口内但不等于 RCV.NXT 的 RST：挑战 ACK";
	case SF_DROP_PAWS: return "时间戳比 TS.Recent 旧：旧重复报文（PAWS）";
	case SF_DROP_SYN_RECEIVED_BAD_ACK: return "SYN-RECEIVED：ACK 不是确认我们的 SYN，回 RST";
	case SF_DROP_ICMP_PACKET_TOO_BIG: return "ICMP 报告的 MTU 不比路径当前的小（RFC 8201 §4）";
	default: return NULL;
	}
}

static const char *path_mtu_zh(enum sf_cause why)
{
	switch (why) {
	case SF_CAUSE_PMTU_ICMP: return "收到 ICMP 需要分片 / 包过大";
	case SF_CAUSE_PMTU_BLACK_HOLE: return "满长报文段连续 R1 次超时丢失：黑洞";
	case SF_CAUSE_PMTU_PROBE_ACKED: return "路径 MTU 探测报文被确认";
	case SF_CAUSE_PMTU_AGED: return "学到的路径 MTU 已过期（RFC 1191 §6.3）";
	default: return NULL;
	}
}

/* The text of a note row (timer, discard, app, crash, reboot, remark, path MTU). */
static enum row_color note_text(const struct demo *d, const struct demo_event *e, char *buf, size_t cap)
{
	bool zh = d->opt->lang == DEMO_ZH;
	char conn[16];

	demo_conn_label(d, e->conn, conn, sizeof conn);
	switch (e->kind) {
	case DEV_TIMER:
		if (zh)
			snprintf(buf, cap, "%s%s%s定时器到期（%s）", conn, *conn ? " " : "", timer_zh(e->timer),
				 sf_state_name(e->to));
		else
			snprintf(buf, cap, "%s%stimer: %s fires (%s)", conn, *conn ? " " : "", sf_timer_name(e->timer),
				 sf_state_name(e->to));
		return COL_TIMER;
	case DEV_DROP: {
		const char *z = zh ? drop_zh(e->drop) : NULL;
		char fl[48] = "";
		if (e->seg.flags || e->seg.seq)
			demo_flags_text(e->seg.flags, fl, sizeof fl);
		if (z)
			snprintf(buf, cap, "%s%s丢弃%s%s：%s", conn, *conn ? " " : "", *fl ? " " : "", fl, z);
		else
			snprintf(buf, cap, "%s%s%s%s%s: %s", conn, *conn ? " " : "", demo_tr(d, "discards"), *fl ? " " : "", fl,
				 sf_drop_reason_text(e->drop));
		return COL_DIM;
	}
	case DEV_APP:
		snprintf(buf, cap, "%s: %s", demo_tr(d, "app"), zh ? e->text_zh : e->text);
		return COL_APP;
	case DEV_NOTE:
		snprintf(buf, cap, "* %s", zh ? e->text_zh : e->text);
		return COL_NOTE;
	case DEV_PATH_MTU: {
		const char *z = zh ? path_mtu_zh(e->why) : NULL;
		if (zh)
			snprintf(buf, cap, "%s%s路径 MTU 改为 %" PRIu32 "（%s）", conn, *conn ? " " : "", e->mtu, z ? z : e->cause);
		else
			snprintf(buf, cap, "%s%spath MTU now %" PRIu32 " (%s)", conn, *conn ? " " : "", e->mtu, e->cause);
		return COL_NOTE;
	}
	case DEV_CRASH:
		snprintf(buf, cap, "%s", demo_tr(d, "CRASH: all connection state lost"));
		return COL_CRASH;
	case DEV_REBOOT:
		snprintf(buf, cap, "%s", demo_tr(d, "REBOOT: up again, knows no connection"));
		return COL_CRASH;
	default:
		buf[0] = 0;
		return COL_NONE;
	}
}

/* Why a state changed, in Chinese (the stack's words for the common causes). */
static const char *cause_zh(const char *en)
{
	static const struct {
		const char *en, *zh;
	} map[] = {
		{ "rcv SYN", "收到 SYN" },
		{ "rcv SYN,ACK", "收到 SYN,ACK" },
		{ "rcv ACK of SYN", "收到对 SYN 的确认" },
		{ "rcv FIN", "收到 FIN" },
		{ "rcv ACK of FIN", "收到对 FIN 的确认" },
		{ "rcv RST", "收到 RST" },
		{ "rcv SYN (simultaneous open)", "收到 SYN（同时打开）" },
		{ "rcv FIN (simultaneous close)", "收到 FIN（同时关闭）" },
		{ "rcv FIN (our FIN ACKed)", "收到 FIN（我方 FIN 已被确认）" },
		{ "rcv RST (TIME-WAIT assassinated)", "收到 RST（TIME-WAIT 被暗杀）" },
		{ "rcv RST in SYN-RECEIVED", "SYN-RECEIVED 中收到 RST" },
		{ "rcv RST in SYN-SENT", "SYN-SENT 中收到 RST" },
		{ "rcv SYN in window", "窗口内收到 SYN" },
		{ "2MSL timeout", "2MSL 超时" },
		{ "fin_timeout in FIN-WAIT-2", "FIN-WAIT-2 超时（fin_timeout）" },
		{ "keepalive: peer silent", "保活：对端无响应" },
		{ "new SYN reopens the 4-tuple (RFC 6191)", "新 SYN 重新打开四元组（RFC 6191）" },
		{ "retransmission limit", "达到重传上限" },
		{ "SYN,ACK retries exhausted", "SYN,ACK 重试耗尽" },
		{ "listener closed", "监听套接字已关闭" },
		{ "data after close", "关闭后收到数据" },
		{ "rcv ACK of SYN cookie", "收到对 SYN cookie 的确认" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i].en, en))
			return map[i].zh;
	return en;
}

static int state_label(const struct demo *d, const struct demo_event *e, char *buf, size_t cap)
{
	char conn[16];
	demo_conn_label(d, e->conn, conn, sizeof conn);
	return snprintf(buf, cap, "%s%s%s", conn, *conn ? " " : "", sf_state_name(e->to));
}

int demo_layout(const struct demo *d, struct layout *L)
{
	memset(L, 0, sizeof *L);
	L->nhosts = d->nhosts;

	/* The state columns hold the longest state label (at least "SYN-RECEIVED"). */
	int sw = 12;
	for (size_t i = 0; i < d->nev; i++)
		if (d->ev[i].kind == DEV_STATE) {
			char b[64];
			int w = state_label(d, &d->ev[i], b, sizeof b);
			if (w > sw)
				sw = w;
		}
	L->state_w = sw;
	L->time_w = 11;
	if (d->nev) {
		char tb[32];
		demo_time_text(d->ev[d->nev - 1].t, tb, sizeof tb);
		if ((int)strlen(tb) + 2 > L->time_w)
			L->time_w = (int)strlen(tb) + 2;
	}
	int n = d->nhosts > 1 ? d->nhosts : 2;
	int width = d->opt->width > 0 ? d->opt->width : 100;
	int gap = (width - L->time_w - 2 * (sw + 1) - n) / (n - 1);
	if (gap < 36)
		gap = 36;
	L->gap = gap;
	for (int h = 0; h < n && h < DEMO_MAX_HOSTS; h++)
		L->x[h] = L->time_w + sw + 1 + h * (gap + 1);
	L->width = L->x[n - 1] + 1 + sw + 1;

	uint8_t down = 0;
	uint64_t last_t = d->nev ? d->ev[0].t : 0;
	bool any = false;
	for (size_t i = 0; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		struct row *r;

		if (any && e->t >= last_t + GAP_ROW_NS) {
			r = add_row(L, ROW_GAP, -1, e->t);
			if (!r)
				return -1;
			char tb[32];
			demo_time_text(e->t - last_t, tb, sizeof tb);
			double sec = (double)(e->t - last_t) / 1e9;
			if (d->opt->lang == DEMO_ZH)
				snprintf(r->text, sizeof r->text, "…… %.3f 秒之后 ……", sec);
			else
				snprintf(r->text, sizeof r->text, "... %.3f s later ...", sec);
			r->down = down;
		}
		any = true;
		last_t = e->t;
		if (e->kind == DEV_CRASH)
			down |= (uint8_t)(1u << e->host);
		if (e->kind == DEV_REBOOT)
			down &= (uint8_t)~(1u << e->host);

		switch (e->kind) {
		case DEV_SEGMENT:
		case DEV_ICMP: {
			char lines[8][192];
			int k = e->kind == DEV_ICMP ? icmp_label(d, e, gap - 6, lines, 8) : seg_label(d, e, gap - 6, lines, 8);
			for (int j = 0; j < k; j++) {
				r = add_row(L, j ? ROW_LABEL : ROW_ARROW, (long)i, e->t);
				if (!r)
					return -1;
				r->show_time = j == 0;
				r->host = e->host;
				r->peer = e->peer;
				r->lost = e->fate == FATE_LOST;
				r->at_receiver = r->lost && e->lost == SF_SIM_DROP_HOST_DOWN;
				if (r->lost && (e->lost == SF_SIM_DROP_MTU || e->lost == SF_SIM_DROP_REJECTED))
					r->died_at = d->router;
				r->color = e->kind == DEV_ICMP ? COL_RST : demo_seg_color(&e->seg);
				r->down = down;
				snprintf(r->text, sizeof r->text, "%.191s", lines[j]);
			}
			break;
		}
		case DEV_STATE:
			r = add_row(L, ROW_STATE, (long)i, e->t);
			if (!r)
				return -1;
			r->show_time = true;
			r->host = e->host;
			r->color = COL_STATE;
			r->down = down;
			state_label(d, e, r->text, sizeof r->text);
			snprintf(r->cause, sizeof r->cause, "%s", d->opt->lang == DEMO_ZH ? cause_zh(e->cause) : e->cause);
			break;
		default: {
			char text[256], lines[6][192];
			enum row_color c = note_text(d, e, text, sizeof text);
			demo_asciify(d, text, sizeof text);
			int k = split(text, gap - 3, lines, 6);
			for (int j = 0; j < k; j++) {
				r = add_row(L, ROW_NOTE, (long)i, e->t);
				if (!r)
					return -1;
				r->show_time = j == 0;
				r->host = e->host;
				r->color = c;
				r->down = down;
				snprintf(r->text, sizeof r->text, "%.191s", lines[j]);
			}
			break;
		}
		}
	}
	return 0;
}

void demo_layout_free(struct layout *L)
{
	free(L->rows);
	memset(L, 0, sizeof *L);
}
