/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Text: segment fields and options as words, display widths of UTF-8 (CJK
 * counts two columns), word wrapping for English and Chinese, the
 * explanation templates filled with the run's facts, counters, and the short
 * phrases of the diagram in both languages.
 */
#include <inttypes.h>
#include <string.h>

#include "demo.h"

void demo_flags_text(uint8_t f, char *buf, size_t cap)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = { { SF_TCP_SYN, "SYN" }, { SF_TCP_FIN, "FIN" }, { SF_TCP_RST, "RST" }, { SF_TCP_PSH, "PSH" },
		      { SF_TCP_ACK, "ACK" },  { SF_TCP_URG, "URG" }, { SF_TCP_ECE, "ECE" }, { SF_TCP_CWR, "CWR" } };
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && n < cap; i++)
		if (f & names[i].bit)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i].name);
	if (!f)
		snprintf(buf, cap, "(none)");
}

void demo_options_text(const struct sf_tcp_options *o, bool syn, char *buf, size_t cap)
{
	size_t n = 0;

	(void)syn;
	buf[0] = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < cap)                                                                       \
			n += (size_t)snprintf(buf + n, cap - n, "%s", n ? "," : "");             \
		if (n < cap)                                                                       \
			n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);                      \
	} while (0)
	if (o->has_mss)
		ADD("mss=%u", o->mss);
	if (o->sack_permitted)
		ADD("sackOK");
	if (o->has_timestamp)
		ADD("TS=%" PRIu32 "/%" PRIu32, o->ts_val, o->ts_ecr);
	if (o->has_wscale)
		ADD("ws=%u", o->wscale);
	for (unsigned i = 0; i < o->sack_count && i < SF_TCP_MAX_SACK_BLOCKS; i++)
		ADD("sack=%" PRIu32 "-%" PRIu32, o->sack[i].left, o->sack[i].right);
#undef ADD
}

void demo_time_text(uint64_t t, char *buf, size_t cap)
{
	snprintf(buf, cap, "%llu.%03llu", (unsigned long long)(t / DEMO_MS), (unsigned long long)(t % DEMO_MS / 1000));
}

/* Decode one UTF-8 sequence: its code point and length (1 for a bad byte). */
static uint32_t utf8_next(const char *s, int *len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*len = 1;
		return u[0];
	}
	if ((u[0] & 0xe0) == 0xc0 && (u[1] & 0xc0) == 0x80) {
		*len = 2;
		return ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
	}
	if ((u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
		*len = 3;
		return ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
	}
	if ((u[0] & 0xf8) == 0xf0 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 && (u[3] & 0xc0) == 0x80) {
		*len = 4;
		return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
		       ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
	}
	*len = 1;
	return '?';
}

static bool is_wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
}

int demo_text_width(const char *s)
{
	int w = 0, len;

	while (*s) {
		uint32_t c = utf8_next(s, &len);
		w += is_wide(c) ? 2 : 1;
		s += len;
	}
	return w;
}

/* Characters a line must not begin with (Chinese punctuation and closing marks). */
static bool no_break_before(uint32_t c)
{
	return c == 0xff0c || c == 0x3002 || c == 0xff1a || c == 0xff1b || c == 0x3001 || c == 0xff09 ||
	       c == 0x300d || c == 0x300f || c == 0xff01 || c == 0xff1f || c == ')' || c == ',' || c == '.' ||
	       c == ';' || c == ':' || c == 0x201d;
}

/*
 * Wrap one paragraph. Tokens are runs of non-space ASCII (words) or single
 * wide characters; a line breaks at a space or between two tokens where one
 * of them is wide. Leading spaces of the paragraph are kept as its indent
 * (so "  - item" lines hang under their text).
 */
static void wrap_para(FILE *out, const char *p, size_t n, int width, int indent)
{
	int lead = 0;
	while ((size_t)lead < n && p[lead] == ' ')
		lead++;
	int hang = lead;
	if ((size_t)lead + 1 < n && (p[lead] == '-' || p[lead] == '*') && p[lead + 1] == ' ')
		hang = lead + 2;
	int col = 0;
	size_t i = (size_t)lead;
	bool first = true, pending_space = false;

	fprintf(out, "%*s%*s", indent, "", lead, "");
	col = lead;
	while (i < n) {
		if (p[i] == ' ') {
			pending_space = true;
			i++;
			continue;
		}
		/* the next token */
		size_t j = i;
		int w = 0, len;
		uint32_t c = utf8_next(p + i, &len);
		if (is_wide(c)) {
			j = i + (size_t)len;
			w = 2;
			/* keep closing punctuation with the character before it */
			while (j < n) {
				int l2;
				uint32_t c2 = utf8_next(p + j, &l2);
				if (!no_break_before(c2))
					break;
				j += (size_t)l2;
				w += is_wide(c2) ? 2 : 1;
			}
		} else {
			while (j < n && p[j] != ' ') {
				int l2;
				uint32_t c2 = utf8_next(p + j, &l2);
				if (is_wide(c2) && !no_break_before(c2))
					break;
				j += (size_t)l2;
				w += is_wide(c2) ? 2 : 1;
			}
		}
		int need = w + (pending_space && !first ? 1 : 0);
		if (!first && col + need > width) {
			fprintf(out, "\n%*s%*s", indent, "", hang, "");
			col = hang;
			pending_space = false;
			need = w;
		}
		if (pending_space && !first)
			fputc(' ', out);
		fwrite(p + i, 1, j - i, out);
		col += need;
		first = false;
		pending_space = false;
		i = j;
	}
	fputc('\n', out);
}

void demo_wrap(FILE *out, const char *text, int width, int indent)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		bool fits = false;
		if (n < sizeof line) {
			memcpy(line, p, n);
			line[n] = 0;
			fits = demo_text_width(line) <= width - indent; /* tables keep their spacing */
		}
		if (n == 0)
			fputc('\n', out);
		else if (fits)
			fprintf(out, "%*s%s\n", indent, "", line);
		else
			wrap_para(out, p, n, width - indent, indent);
		if (!nl)
			break;
		p = nl + 1;
	}
}

const char *demo_lost_text(enum sf_sim_drop why, enum demo_lang lang)
{
	bool zh = lang == DEMO_ZH;
	switch (why) {
	case SF_SIM_DROP_LOSS: return zh ? "随机丢失" : "lost on the link";
	case SF_SIM_DROP_SCRIPTED: return zh ? "按脚本丢弃" : "lost: scripted drop";
	case SF_SIM_DROP_QUEUE: return zh ? "队列满被丢" : "lost: queue full";
	case SF_SIM_DROP_PARTITION: return zh ? "网络分区" : "lost: network partition";
	case SF_SIM_DROP_HOST_DOWN: return zh ? "主机已宕机" : "lost: host is down";
	case SF_SIM_DROP_NO_ROUTE: return zh ? "无路由" : "lost: no route";
	case SF_SIM_DROP_MTU: return zh ? "超过下一跳 MTU，被路由器丢弃" : "refused: longer than the next hop's MTU";
	case SF_SIM_DROP_REJECTED: return zh ? "被路由器拒绝" : "lost: rejected by a router";
	}
	return "?";
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return be16(p) << 16 | be16(p + 2);
}

/*
 * What the quoted datagram was: its TCP sequence number and payload length,
 * read from the quoted IP header's own length (the quote itself may be cut
 * short), so the error can be matched with the segment it speaks of.
 */
static void quoted_text(const uint8_t *q, size_t qlen, bool zh, char *buf, size_t cap)
{
	size_t ihl, total;
	uint8_t proto;

	buf[0] = 0;
	if (qlen >= 20 && q[0] >> 4 == 4) {
		ihl = (size_t)(q[0] & 15) * 4;
		total = be16(q + 2);
		proto = q[9];
	} else if (qlen >= 40 && q[0] >> 4 == 6) {
		ihl = 40;
		total = 40 + be16(q + 4);
		proto = q[6];
	} else {
		return;
	}
	if (proto != 6 || qlen < ihl + 14)
		return;
	size_t doff = (size_t)(q[ihl + 12] >> 4) * 4, hdr = ihl + doff;
	snprintf(buf, cap, "%s seq=%" PRIu32 " len=%zu", zh ? "引用" : "quoting", be32(q + ihl + 4),
		 total > hdr ? total - hdr : 0);
}

void demo_icmp_text(const uint8_t *dg, size_t len, enum demo_lang lang, char *head, size_t hcap, char *tail,
		    size_t tcap)
{
	bool zh = lang == DEMO_ZH;
	size_t off;

	tail[0] = 0;
	if (len >= 20 && dg[0] >> 4 == 4 && len >= (size_t)(dg[0] & 15) * 4 + 8) {
		off = (size_t)(dg[0] & 15) * 4;
		uint8_t type = dg[off], code = dg[off + 1];
		if (type == 3 && code == 4)
			snprintf(head, hcap, "ICMP 3/4 %s mtu=%" PRIu32, zh ? "需要分片" : "fragmentation needed",
				 be16(dg + off + 6));
		else if (type == 3)
			snprintf(head, hcap, "ICMP 3/%u %s", code, zh ? "目的不可达" : "destination unreachable");
		else
			snprintf(head, hcap, "ICMP %u/%u", type, code);
	} else if (len >= 48 && dg[0] >> 4 == 6) {
		off = 40;
		uint8_t type = dg[off], code = dg[off + 1];
		if (type == 2)
			snprintf(head, hcap, "ICMPv6 %s mtu=%" PRIu32, zh ? "包过大" : "packet too big", be32(dg + off + 4));
		else if (type == 1)
			snprintf(head, hcap, "ICMPv6 1/%u %s", code, zh ? "目的不可达" : "destination unreachable");
		else
			snprintf(head, hcap, "ICMPv6 %u/%u", type, code);
	} else {
		snprintf(head, hcap, "ICMP ?");
		return;
	}
	quoted_text(dg + off + 8, len - off - 8, zh, tail, tcap);
}

/* Short phrases of the diagram. */
static const struct {
	const char *en, *zh;
} phrases[] = {
	{ "timer", "定时器" },
	{ "fires", "到期" },
	{ "discards", "丢弃" },
	{ "app", "应用" },
	{ "CRASH: all connection state lost", "崩溃：全部连接状态丢失" },
	{ "REBOOT: up again, knows no connection", "重启：恢复运行，不记得任何连接" },
	{ "retransmission", "重传" },
	{ "path MTU probe", "路径 MTU 探测" },
	{ "later", "之后" },
	{ "time (ms)", "时间 (ms)" },
	{ "Connections", "连接" },
	{ "What happened and why", "发生了什么，为什么" },
	{ "Counters (nstat names), not zero", "计数器（nstat 名称），非零项" },
	{ "Expectations", "预期检查" },
	{ "all hold", "全部成立" },
	{ "FAILED", "失败" },
	{ "skipped", "跳过" },
	{ "drops", "丢弃" },
	{ "in flight at the end", "结束时仍在途中" },
	{ "crafted", "伪造" },
	{ "old duplicate", "旧的重复报文" },
};

const char *demo_tr(const struct demo *d, const char *en)
{
	if (d->opt->lang != DEMO_ZH)
		return en;
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (!strcmp(phrases[i].en, en))
			return phrases[i].zh;
	return en;
}

void demo_asciify(const struct demo *d, char *s, size_t cap)
{
	static const struct {
		const char *from, *to;
	} map[] = { { "§", "sec. " }, { "—", "--" }, { "–", "-" }, { "…", "..." }, { "×", "x" }, { "µ", "u" } };

	if (!d->opt->ascii)
		return;
	for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
		size_t fl = strlen(map[k].from), tl = strlen(map[k].to);
		char *p = s;
		while ((p = strstr(p, map[k].from)) != NULL) {
			size_t rest = strlen(p + fl);
			if ((size_t)(p - s) + tl + rest + 1 > cap)
				break;
			memmove(p + tl, p + fl, rest + 1);
			memcpy(p, map[k].to, tl);
			p += tl;
		}
	}
}

void demo_conn_label(const struct demo *d, int conn, char *buf, size_t cap)
{
	if (d->nconn > 1 && conn > 0)
		snprintf(buf, cap, "#%d", conn);
	else
		buf[0] = 0;
}

/* Fill {key} placeholders from the run's facts; unknown keys stay as they are. */
static void fill_template(const struct demo *d, const char *tpl, char *out, size_t cap)
{
	size_t n = 0;

	while (*tpl && n + 1 < cap) {
		if (*tpl == '{') {
			const char *end = strchr(tpl, '}');
			if (end && end - tpl < 24) {
				char key[24];
				memcpy(key, tpl + 1, (size_t)(end - tpl - 1));
				key[end - tpl - 1] = 0;
				const char *v = demo_fact_get(d, key);
				if (v) {
					n += (size_t)snprintf(out + n, cap - n, "%s", v);
					if (n >= cap)
						n = cap - 1;
					tpl = end + 1;
					continue;
				}
			}
		}
		out[n++] = *tpl++;
	}
	out[n] = 0;
}

void demo_explain(FILE *out, const struct demo *d)
{
	static char buf[16384];
	const char *tpl = d->opt->lang == DEMO_ZH && d->sc->explain_zh ? d->sc->explain_zh : d->sc->explain_en;

	fill_template(d, tpl, buf, sizeof buf);
	demo_asciify(d, buf, sizeof buf);
	fprintf(out, "%s\n", demo_tr(d, "What happened and why"));
	demo_wrap(out, buf, 78, 2);
}

void demo_print_counters(FILE *out, struct demo *d)
{
	fprintf(out, "%s\n", demo_tr(d, "Counters (nstat names), not zero"));
	for (int h = 0; h < d->nhosts; h++) {
		sf_stack *st = d->host[h].sh ? sf_simhost_stack(d->host[h].sh) : NULL;
		if (!st)
			continue;
		const struct sf_counters *c = sf_stack_counters(st);
		char head[64];
		int col = snprintf(head, sizeof head, "  %s%s: ", d->host[h].name,
				   sf_simhost_boots(d->host[h].sh) > 1 ? (d->opt->lang == DEMO_ZH ? "（重启后）" : " (after reboot)") : "");
		int indent = demo_text_width(head);
		fputs(head, out);
		col = indent;
		int items = 0;
		for (int k = 0; k < SF_CTR__COUNT + SF_DROP__COUNT; k++) {
			char item[96];
			uint64_t v;
			if (k < SF_CTR__COUNT) {
				v = demo_counter_shown(k) ? sf_counter_value(c, (enum sf_counter_id)k) : 0;
				snprintf(item, sizeof item, "%s %" PRIu64, sf_counter_name((enum sf_counter_id)k), v);
			} else {
				int r = k - SF_CTR__COUNT;
				v = r ? c->drops[r] : 0;
				snprintf(item, sizeof item, "%s %s %" PRIu64, demo_tr(d, "drops"), sf_drop_reason_name((enum sf_drop_reason)r), v);
			}
			if (!v)
				continue;
			int w = demo_text_width(item);
			if (items) {
				fputc(',', out);
				col++;
				if (col + 1 + w > 80) {
					fprintf(out, "\n%*s", indent, "");
					col = indent;
				} else {
					fputc(' ', out);
					col++;
				}
			}
			fputs(item, out);
			col += w;
			items++;
		}
		fputs(items ? "\n" : "-\n", out);
	}
}
