/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The operator's view as text (report.h). Everything here is read through
 * the public API, so it shows what any program could compute; the formats
 * follow the Linux tools operators already read (ss, nstat) so that their
 * habits and scripts carry over.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The connection table
 * ---------------------------------------------------------------------- */

/* ss's short state names (iproute2 misc/ss.c sstate_name), so that scripts
 * written for `ss -tan` read this table too. */
static const char *ss_state(enum sf_tcp_state s)
{
	switch (s) {
	case SF_CLOSED: return "UNCONN";
	case SF_LISTEN: return "LISTEN";
	case SF_SYN_SENT: return "SYN-SENT";
	case SF_SYN_RECEIVED: return "SYN-RECV";
	case SF_ESTABLISHED: return "ESTAB";
	case SF_FIN_WAIT_1: return "FIN-WAIT-1";
	case SF_FIN_WAIT_2: return "FIN-WAIT-2";
	case SF_CLOSE_WAIT: return "CLOSE-WAIT";
	case SF_CLOSING: return "CLOSING";
	case SF_LAST_ACK: return "LAST-ACK";
	case SF_TIME_WAIT: return "TIME-WAIT";
	case SF_STATE__COUNT: break;
	}
	return "UNKNOWN";
}

/* ss -o's timer names. Linux shows an orphaned FIN-WAIT-2 as a timewait
 * socket, so fin_timeout reads "timewait" too; ss never shows the delayed
 * ACK timer, which synfin names rather than hide. */
static const char *ss_timer(enum sf_timer_kind t)
{
	switch (t) {
	case SF_TIMER_RETRANSMIT:
	case SF_TIMER_SYNACK: return "on";
	case SF_TIMER_KEEPALIVE: return "keepalive";
	case SF_TIMER_TIME_WAIT:
	case SF_TIMER_FIN_WAIT_2: return "timewait";
	case SF_TIMER_PERSIST: return "persist";
	case SF_TIMER_DELACK: return "delack";
	case SF_TIMER__COUNT: break;
	}
	return "unknown";
}

const char *sf_report_endpoint_text(const struct sf_endpoint *ep, char *buf, size_t cap)
{
	char a[64];
	if (ep->addr.family == SF_AF_NONE) {
		if (ep->port)
			snprintf(buf, cap, "*:%u", (unsigned)ep->port);
		else
			snprintf(buf, cap, "*:*");
		return buf;
	}
	if (sf_addr_format(&ep->addr, a, sizeof a) < 0)
		snprintf(a, sizeof a, "?");
	snprintf(buf, cap, ep->addr.family == SF_AF_INET6 ? "[%s]:%u" : "%s:%u", a, (unsigned)ep->port);
	return buf;
}

/* A time left as ss writes it: "180ms", "1.204sec", "59sec", "1min30sec", "119min". */
static void duration_text(uint64_t ns, char *buf, size_t cap)
{
	uint64_t ms = ns / 1000000u;
	if (ms < 1000)
		snprintf(buf, cap, "%" PRIu64 "ms", ms);
	else if (ms < 10000)
		snprintf(buf, cap, "%" PRIu64 ".%03" PRIu64 "sec", ms / 1000, ms % 1000);
	else if (ms < 60000)
		snprintf(buf, cap, "%" PRIu64 "sec", ms / 1000);
	else if (ms < 600000)
		snprintf(buf, cap, "%" PRIu64 "min%" PRIu64 "sec", ms / 60000, ms / 1000 % 60);
	else
		snprintf(buf, cap, "%" PRIu64 "min", ms / 60000);
}

struct conns_walk {
	FILE *out;
	const sf_stack *stack;
	uint64_t now_ns;
};

static void info_line(FILE *out, const struct sf_conn *c, const struct sf_conn_info *i)
{
	if (c->state == SF_LISTEN) {
		fprintf(out, "\t synq:%" PRIu32 " accept:%" PRIu32 "/%" PRIu32 "\n", i->syn_queue, i->accept_queue,
			i->backlog);
		return;
	}
	fputc('\t', out);
	if (i->options & SF_CONN_OPT_TIMESTAMPS)
		fputs(" ts", out);
	if (i->options & SF_CONN_OPT_SACK)
		fputs(" sack", out);
	if (i->options & SF_CONN_OPT_ECN)
		fputs(" ecn", out);
	if (i->options & SF_CONN_OPT_WSCALE)
		fprintf(out, " wscale:%u,%u", (unsigned)i->snd_wscale, (unsigned)i->rcv_wscale);
	/* ss gives times in milliseconds and windows in segments. */
	fprintf(out, " rto:%g", i->rto_us / 1000.0);
	if (i->rtt_us)
		fprintf(out, " rtt:%g/%g", i->rtt_us / 1000.0, i->rttvar_us / 1000.0);
	fprintf(out, " mss:%" PRIu32 " pmtu:%" PRIu32 " rcvmss:%" PRIu32, i->snd_mss, i->pmtu, i->rcv_mss);
	if (i->peer_mss)
		fprintf(out, " peermss:%" PRIu32, i->peer_mss);
	uint32_t mss = i->snd_mss ? i->snd_mss : 1;
	fprintf(out, " cwnd:%" PRIu32, i->snd_cwnd / mss);
	if (i->snd_ssthresh < 0x7fffffffu) /* "arbitrarily high" until the first loss: ss omits it too */
		fprintf(out, " ssthresh:%" PRIu32, i->snd_ssthresh / mss);
	fprintf(out, " bytes_acked:%" PRIu64 " bytes_received:%" PRIu64, i->bytes_acked, i->bytes_received);
	if (i->retransmits || i->total_retrans)
		fprintf(out, " retrans:%" PRIu32 "/%" PRIu32, i->retransmits, i->total_retrans);
	fprintf(out, " snd_wnd:%" PRIu32 " rcv_wnd:%" PRIu32 " unacked:%" PRIu32, i->snd_wnd, i->rcv_wnd, i->unacked);
	if (i->in_recovery)
		fputs(" recovery", out);
	fputc('\n', out);
}

static int conn_row(void *ctx, const struct sf_conn *c)
{
	struct conns_walk *w = ctx;
	char l[80], r[80], timer[96] = "";
	sf_report_endpoint_text(&c->local, l, sizeof l);
	sf_report_endpoint_text(&c->remote, r, sizeof r);
	if (c->timer_on) {
		char left[32];
		duration_text(c->timer_expires_ns > w->now_ns ? c->timer_expires_ns - w->now_ns : 0, left, sizeof left);
		snprintf(timer, sizeof timer, " timer:(%s,%s,%" PRIu32 ")", ss_timer(c->timer), left, c->retransmits);
	}
	fprintf(w->out, "%-10s %-6" PRIu32 " %-6" PRIu32 " %-26s %-26s%s%s\n", ss_state(c->state), c->recv_q, c->send_q, l,
		r, timer, c->orphan ? " orphan" : "");
	struct sf_conn_info info;
	if (c->kind == SF_CONN_SOCKET && c->sock >= 0 && c->state != SF_CLOSED &&
	    sf_conn_info(w->stack, c->sock, &info, sizeof info) == 0)
		info_line(w->out, c, &info);
	return 0;
}

int sf_report_conns(FILE *out, sf_stack *stack)
{
	if (!out || !stack)
		return -EINVAL;
	struct conns_walk w = { out, stack, sf_now(stack) };
	fprintf(out, "%-10s %-6s %-6s %-26s %-26s%s\n", "State", "Recv-Q", "Send-Q", "Local Address:Port",
		"Peer Address:Port", " Timer");
	long n = sf_conn_list(stack, conn_row, &w);
	fflush(out);
	return (int)n;
}

/* ------------------------------------------------------------------------
 * Counters, as nstat names them
 * ---------------------------------------------------------------------- */

const char *sf_report_nstat_name(enum sf_counter_id id)
{
	/* Every name in each spelling; the switch below picks one. All const:
	 * nothing is built at run time. */
	static const char *const plain[] = {
#define PLAIN_(name, text) #name,
		SF_COUNTERS(PLAIN_)
#undef PLAIN_
	};
	static const char *const tcp[] = {
#define TCP_(name, text) "Tcp" #name,
		SF_COUNTERS(TCP_)
#undef TCP_
	};
	static const char *const tcp_ext[] = {
#define TCPEXT_(name, text) "TcpExt" #name,
		SF_COUNTERS(TCPEXT_)
#undef TCPEXT_
	};
	if ((unsigned)id >= SF_CTR__COUNT)
		return "?";
	switch (id) {
	/* The TCP-MIB (RFC 4022 tcpActiveOpens ...): Linux's Tcp line. */
	case SF_CTR_ActiveOpens:
	case SF_CTR_PassiveOpens:
	case SF_CTR_AttemptFails:
	case SF_CTR_EstabResets:
	case SF_CTR_CurrEstab:
	case SF_CTR_InSegs:
	case SF_CTR_OutSegs:
	case SF_CTR_RetransSegs:
	case SF_CTR_InErrs:
	case SF_CTR_OutRsts: return tcp[id];
	case SF_CTR_InCEPkts: return "IpExtInCEPkts";
	case SF_CTR_TCPDelayedACKs: return "TcpExtDelayedACKs";
	case SF_CTR_InDrops: return "SynfinInDrops";
	default: break;
	}
	/* The IP-MIB's counters carry their group in their names already. */
	if (!strncmp(plain[id], "Ip", 2) || !strncmp(plain[id], "Icmp", 4))
		return plain[id];
	return tcp_ext[id];
}

/* Counters that say how many there are now, not how many ever were: no rate. */
static int is_gauge(enum sf_counter_id id)
{
	return id == SF_CTR_CurrEstab || id == SF_CTR_TimeWaitCurrent || id == SF_CTR_SynRecvCurrent ||
	       id == SF_CTR_TCPOrphans;
}

static void nstat_line(FILE *out, const char *prefix, const char *name, uint64_t v, double rate)
{
	char id[96];
	snprintf(id, sizeof id, "%s%s", prefix, name);
	/* nstat's own layout: name in 32 columns, value in 16, rate %6.1f. */
	fprintf(out, "%-32s%-16" PRIu64 "%6.1f\n", id, v, rate);
}

int sf_report_counters(FILE *out, const sf_stack *stack, double up_s)
{
	const struct sf_counters *c = sf_stack_counters(stack);
	if (!out || !c)
		return -EINVAL;
	int lines = 0;
	fputs("#synfin\n", out);
	for (int i = 0; i < SF_CTR__COUNT; i++) {
		uint64_t v = sf_counter_value(c, (enum sf_counter_id)i);
		if (!v)
			continue;
		double rate = up_s > 0 && !is_gauge((enum sf_counter_id)i) ? (double)v / up_s : 0.0;
		nstat_line(out, "", sf_report_nstat_name((enum sf_counter_id)i), v, rate);
		lines++;
	}
	for (int r = 1; r < SF_DROP__COUNT; r++) {
		if (!c->drops[r])
			continue;
		nstat_line(out, "SynfinDrop_", sf_drop_reason_name((enum sf_drop_reason)r), c->drops[r],
			   up_s > 0 ? (double)c->drops[r] / up_s : 0.0);
		lines++;
	}
	fflush(out);
	return lines;
}

/* ------------------------------------------------------------------------
 * The trace as JSON lines (docs/TRACE.md)
 * ---------------------------------------------------------------------- */

/* Every string the trace writes comes from synfin's own tables or address
 * formatter, but escape anyway: the output must parse whatever a future
 * name holds. */
void sf_report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_key_string(FILE *out, const char *key, const char *value)
{
	fprintf(out, ",\"%s\":", key);
	sf_report_json_string(out, value);
}

static void json_endpoint(FILE *out, const char *key, const struct sf_endpoint *ep)
{
	if (ep->addr.family == SF_AF_NONE && !ep->port)
		return;
	char buf[80];
	sf_report_endpoint_text(ep, buf, sizeof buf);
	json_key_string(out, key, buf);
}

static void json_addr(FILE *out, const char *key, const struct sf_addr *a)
{
	char buf[64];
	if (sf_addr_format(a, buf, sizeof buf) < 0)
		snprintf(buf, sizeof buf, "?");
	json_key_string(out, key, buf);
}

static const char *trace_kind_name(enum sf_trace_kind k)
{
	switch (k) {
	case SF_TRACE_SEGMENT_IN: return "segment_in";
	case SF_TRACE_SEGMENT_OUT: return "segment_out";
	case SF_TRACE_STATE: return "state";
	case SF_TRACE_TIMER: return "timer";
	case SF_TRACE_DROP: return "drop";
	case SF_TRACE_NEGATIVE_ADVICE: return "negative_advice";
	case SF_TRACE_PATH_MTU: return "path_mtu";
	}
	return "unknown";
}

static const char *timer_id(enum sf_timer_kind t)
{
	static const char *const ids[] = {
#define TIMER_ID_(name, text) #name,
		SF_TIMERS(TIMER_ID_)
#undef TIMER_ID_
	};
	return (unsigned)t < SF_TIMER__COUNT ? ids[t] : "?";
}

static void json_segment(FILE *out, const struct sf_segment *s)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} flags[] = { { SF_TCP_SYN, "SYN" }, { SF_TCP_FIN, "FIN" }, { SF_TCP_RST, "RST" }, { SF_TCP_PSH, "PSH" },
		      { SF_TCP_ACK, "ACK" }, { SF_TCP_URG, "URG" }, { SF_TCP_ECE, "ECE" }, { SF_TCP_CWR, "CWR" } };
	fputs(",\"seg\":{", out);
	fputs("\"flags\":[", out);
	int first = 1;
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (s->flags & flags[i].bit) {
			fprintf(out, "%s\"%s\"", first ? "" : ",", flags[i].name);
			first = 0;
		}
	fputc(']', out);
	json_addr(out, "src", &s->src);
	json_addr(out, "dst", &s->dst);
	fprintf(out,
		",\"sport\":%u,\"dport\":%u,\"seq\":%" PRIu32 ",\"ack\":%" PRIu32
		",\"win\":%u,\"len\":%zu,\"ttl\":%u,\"tos\":%u",
		(unsigned)s->sport, (unsigned)s->dport, s->seq, s->ack, (unsigned)s->window, s->payload_len,
		(unsigned)s->ttl, (unsigned)s->tclass);
	if (s->flags & SF_TCP_URG)
		fprintf(out, ",\"urg\":%u", (unsigned)s->urgent);
	const struct sf_tcp_options *o = &s->opt;
	fputs(",\"opts\":{", out);
	const char *sep = "";
	if (o->has_mss) {
		fprintf(out, "\"mss\":%u", (unsigned)o->mss);
		sep = ",";
	}
	if (o->has_wscale) {
		fprintf(out, "%s\"wscale\":%u", sep, (unsigned)o->wscale);
		sep = ",";
	}
	if (o->sack_permitted) {
		fprintf(out, "%s\"sack_perm\":true", sep);
		sep = ",";
	}
	if (o->has_timestamp) {
		fprintf(out, "%s\"ts\":[%" PRIu32 ",%" PRIu32 "]", sep, o->ts_val, o->ts_ecr);
		sep = ",";
	}
	if (o->sack_count) {
		fprintf(out, "%s\"sack\":[", sep);
		for (unsigned i = 0; i < o->sack_count && i < SF_TCP_MAX_SACK_BLOCKS; i++)
			fprintf(out, "%s[%" PRIu32 ",%" PRIu32 "]", i ? "," : "", o->sack[i].left, o->sack[i].right);
		fputc(']', out);
	}
	fputs("}}", out);
}

int sf_report_trace_json(FILE *out, const struct sf_trace_event *ev)
{
	if (!out || !ev)
		return -EINVAL;
	fprintf(out, "{\"t_ns\":%" PRIu64 ",\"event\":\"%s\",\"sock\":%d", ev->now_ns, trace_kind_name(ev->kind),
		ev->sock);
	json_endpoint(out, "local", &ev->local);
	json_endpoint(out, "remote", &ev->remote);
	switch (ev->kind) {
	case SF_TRACE_SEGMENT_OUT:
		fprintf(out, ",\"retransmit\":%s,\"mtu_probe\":%s", ev->retransmit ? "true" : "false",
			ev->mtu_probe ? "true" : "false");
		/* fall through */
	case SF_TRACE_SEGMENT_IN:
		if (ev->seg)
			json_segment(out, ev->seg);
		break;
	case SF_TRACE_STATE:
		json_key_string(out, "from", sf_state_name(ev->old_state));
		json_key_string(out, "to", sf_state_name(ev->new_state));
		json_key_string(out, "cause", sf_cause_name(ev->cause));
		json_key_string(out, "cause_text", sf_cause_text(ev->cause));
		break;
	case SF_TRACE_TIMER:
		json_key_string(out, "timer", timer_id(ev->timer));
		json_key_string(out, "state", sf_state_name(ev->new_state));
		break;
	case SF_TRACE_DROP:
		json_key_string(out, "reason", sf_drop_reason_name(ev->drop));
		json_key_string(out, "reason_text", sf_drop_reason_text(ev->drop));
		if (ev->seg)
			json_segment(out, ev->seg);
		break;
	case SF_TRACE_NEGATIVE_ADVICE: break;
	case SF_TRACE_PATH_MTU:
		fprintf(out, ",\"mtu\":%" PRIu32, ev->mtu);
		json_key_string(out, "cause", sf_cause_name(ev->cause));
		json_key_string(out, "cause_text", sf_cause_text(ev->cause));
		break;
	}
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}

void sf_report_trace_json_hook(void *ctx, const struct sf_trace_event *ev)
{
	sf_report_trace_json(ctx, ev);
}
