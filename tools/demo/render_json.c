/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event trace as JSON (one event a line, for diffs), and the pcap
 * capture: every datagram as it left its sender, lost ones included, with
 * its virtual time stamp.
 */
#include <inttypes.h>
#include <string.h>

#include "demo.h"
#include "pcap.h"
#include "report.h"

static void addr_json(FILE *out, const struct sf_addr *a)
{
	char b[64];
	if (sf_addr_format(a, b, sizeof b) < 0)
		snprintf(b, sizeof b, "?");
	sf_report_json_string(out, b);
}

static const char *kind_name(enum demo_ev_kind k)
{
	switch (k) {
	case DEV_SEGMENT: return "segment";
	case DEV_STATE: return "state";
	case DEV_TIMER: return "timer";
	case DEV_DROP: return "discard";
	case DEV_APP: return "app";
	case DEV_CRASH: return "crash";
	case DEV_REBOOT: return "reboot";
	case DEV_NOTE: return "note";
	case DEV_ICMP: return "icmp";
	case DEV_PATH_MTU: return "path_mtu";
	}
	return "?";
}

static const char *sim_drop_name(enum sf_sim_drop why)
{
	switch (why) {
	case SF_SIM_DROP_LOSS: return "loss";
	case SF_SIM_DROP_SCRIPTED: return "scripted";
	case SF_SIM_DROP_QUEUE: return "queue";
	case SF_SIM_DROP_PARTITION: return "partition";
	case SF_SIM_DROP_HOST_DOWN: return "host_down";
	case SF_SIM_DROP_NO_ROUTE: return "no_route";
	case SF_SIM_DROP_MTU: return "mtu";
	case SF_SIM_DROP_REJECTED: return "rejected";
	}
	return "?";
}

static void fate_json(FILE *out, const struct demo_event *e)
{
	switch (e->fate) {
	case FATE_DELIVERED:
		fprintf(out, ", \"fate\": \"delivered\", \"arrive_ns\": %" PRIu64, e->fate_t);
		break;
	case FATE_LOST:
		fprintf(out, ", \"fate\": \"lost\", \"lost_ns\": %" PRIu64 ", \"lost_why\": \"%s\"", e->fate_t,
			sim_drop_name(e->lost));
		break;
	case FATE_IN_FLIGHT:
		fputs(", \"fate\": \"in_flight\"", out);
		break;
	}
}

static void icmp_json(FILE *out, const struct demo_event *e)
{
	char head[192], tail[192];

	demo_icmp_text(e->dgram, e->dlen, DEMO_EN, head, sizeof head, tail, sizeof tail);
	fprintf(out, ", \"to\": %d, \"text\": ", e->peer);
	sf_report_json_string(out, head);
	fputs(", \"quote\": ", out);
	sf_report_json_string(out, tail);
	fate_json(out, e);
}

static void segment_json(FILE *out, const struct demo_event *e)
{
	const struct sf_segment *s = &e->seg;
	char fl[48];

	demo_flags_text(s->flags, fl, sizeof fl);
	fprintf(out, ", \"to\": %d, \"src\": ", e->peer);
	addr_json(out, &s->src);
	fprintf(out, ", \"sport\": %u, \"dst\": ", s->sport);
	addr_json(out, &s->dst);
	fprintf(out, ", \"dport\": %u, \"flags\": ", s->dport);
	sf_report_json_string(out, fl);
	fprintf(out, ", \"seq\": %" PRIu32 ", \"ack\": %" PRIu32 ", \"win\": %u, \"len\": %zu", s->seq, s->ack, s->window,
		s->payload_len);
	fputs(", \"options\": {", out);
	const char *sep = "";
	if (s->opt.has_mss) {
		fprintf(out, "\"mss\": %u", s->opt.mss);
		sep = ", ";
	}
	if (s->opt.has_wscale) {
		fprintf(out, "%s\"wscale\": %u", sep, s->opt.wscale);
		sep = ", ";
	}
	if (s->opt.sack_permitted) {
		fprintf(out, "%s\"sack_permitted\": true", sep);
		sep = ", ";
	}
	if (s->opt.has_timestamp) {
		fprintf(out, "%s\"ts_val\": %" PRIu32 ", \"ts_ecr\": %" PRIu32, sep, s->opt.ts_val, s->opt.ts_ecr);
		sep = ", ";
	}
	if (s->opt.sack_count) {
		fprintf(out, "%s\"sack\": [", sep);
		for (unsigned i = 0; i < s->opt.sack_count && i < SF_TCP_MAX_SACK_BLOCKS; i++)
			fprintf(out, "%s[%" PRIu32 ", %" PRIu32 "]", i ? ", " : "", s->opt.sack[i].left, s->opt.sack[i].right);
		fputc(']', out);
	}
	fputc('}', out);
	fprintf(out, ", \"retransmit\": %s", e->retransmit ? "true" : "false");
	if (e->mtu_probe)
		fputs(", \"mtu_probe\": true", out);
	if (e->crafted) {
		fputs(", \"crafted\": ", out);
		sf_report_json_string(out, e->tag ? e->tag : "crafted");
	}
	fate_json(out, e);
}

void demo_render_json(FILE *out, struct demo *d)
{
	fputs("{\n  \"scenario\": ", out);
	sf_report_json_string(out, d->sc->id);
	fputs(", \"section\": ", out);
	sf_report_json_string(out, d->sc->section);
	fputs(", \"title\": ", out);
	sf_report_json_string(out, d->sc->title_en);
	fprintf(out, ",\n  \"seed\": %" PRIu64 ", \"delay_ms\": %u, \"loss\": %g,\n  \"hosts\": [", d->opt->seed,
		d->opt->delay_ms, d->opt->loss);
	for (int h = 0; h < d->nhosts; h++) {
		fprintf(out, "%s\n    {\"host\": %d, \"name\": ", h ? "," : "", h);
		sf_report_json_string(out, d->host[h].name);
		fputs(", \"addr\": ", out);
		sf_report_json_string(out, d->host[h].addr);
		if (d->host[h].sh)
			fprintf(out, ", \"mtu\": %u, \"msl_ms\": %u, \"rfc1337\": %u, \"strict_time_wait\": %u}", d->host[h].mtu,
				d->host[h].cfg.msl_ms, d->host[h].cfg.rfc1337, d->host[h].cfg.strict_time_wait);
		else if (h == d->router)
			fputs(", \"router\": true}", out);
		else
			fputs(", \"raw\": true}", out);
	}
	fputs("\n  ],\n  \"connections\": [", out);
	for (int i = 0; i < d->nconn; i++) {
		fprintf(out, "%s\n    {\"conn\": %d, \"a\": ", i ? "," : "", i + 1);
		addr_json(out, &d->conn[i].a.addr);
		fprintf(out, ", \"a_port\": %u, \"b\": ", d->conn[i].a.port);
		addr_json(out, &d->conn[i].b.addr);
		fprintf(out, ", \"b_port\": %u}", d->conn[i].b.port);
	}
	fputs("\n  ],\n  \"events\": [", out);
	for (size_t i = 0; i < d->nev; i++) {
		const struct demo_event *e = &d->ev[i];
		fprintf(out, "%s\n    {\"t_ns\": %" PRIu64 ", \"kind\": \"%s\", \"host\": %d", i ? "," : "", e->t,
			kind_name(e->kind), e->host);
		if (e->conn)
			fprintf(out, ", \"conn\": %d", e->conn);
		switch (e->kind) {
		case DEV_SEGMENT:
			segment_json(out, e);
			break;
		case DEV_ICMP:
			icmp_json(out, e);
			break;
		case DEV_PATH_MTU:
			fprintf(out, ", \"mtu\": %" PRIu32 ", \"cause\": \"%s\"", e->mtu, sf_cause_name(e->why));
			break;
		case DEV_STATE:
			fprintf(out, ", \"from\": \"%s\", \"to\": \"%s\", \"cause\": ", sf_state_name(e->from),
				sf_state_name(e->to));
			sf_report_json_string(out, e->cause);
			break;
		case DEV_TIMER:
			fprintf(out, ", \"timer\": \"%s\", \"state\": \"%s\"", sf_timer_name(e->timer), sf_state_name(e->to));
			break;
		case DEV_DROP: {
			char fl[48];
			demo_flags_text(e->seg.flags, fl, sizeof fl);
			fprintf(out, ", \"reason\": \"%s\", \"flags\": \"%s\"", sf_drop_reason_name(e->drop), fl);
			break;
		}
		case DEV_APP:
		case DEV_NOTE:
			fputs(", \"text\": ", out);
			sf_report_json_string(out, e->text);
			break;
		case DEV_CRASH:
		case DEV_REBOOT:
			break;
		}
		fputc('}', out);
	}
	fputs("\n  ],\n  \"counters\": {", out);
	for (int h = 0; h < d->nhosts; h++) {
		fprintf(out, "%s\n    ", h ? "," : "");
		sf_report_json_string(out, d->host[h].name);
		fputs(": {", out);
		sf_stack *st = d->host[h].sh ? sf_simhost_stack(d->host[h].sh) : NULL;
		if (st) {
			const struct sf_counters *c = sf_stack_counters(st);
			const char *sep = "";
			for (int k = 0; k < SF_CTR__COUNT; k++) {
				uint64_t v = demo_counter_shown(k) ? sf_counter_value(c, (enum sf_counter_id)k) : 0;
				if (!v)
					continue;
				fprintf(out, "%s\"%s\": %" PRIu64, sep, sf_counter_name((enum sf_counter_id)k), v);
				sep = ", ";
			}
			for (int k = 1; k < SF_DROP__COUNT; k++)
				if (c->drops[k]) {
					fprintf(out, "%s\"drop.%s\": %" PRIu64, sep, sf_drop_reason_name((enum sf_drop_reason)k),
						c->drops[k]);
					sep = ", ";
				}
		}
		fputc('}', out);
	}
	fputs("\n  },\n  \"checks\": [", out);
	for (int i = 0; i < d->nchecks; i++) {
		fprintf(out, "%s\n    {\"ok\": %s%s, \"text\": ", i ? "," : "", d->checks[i].ok ? "true" : "false",
			d->checks[i].skipped ? ", \"skipped\": true" : "");
		sf_report_json_string(out, d->checks[i].text);
		fputc('}', out);
	}
	fputs("\n  ]\n}\n", out);
}

int demo_write_pcap(const char *path, const struct demo *d)
{
	struct sf_pcap *p = sf_pcap_open(path);
	int rc = 0;

	if (!p)
		return -1;
	for (size_t i = 0; i < d->nev && !rc; i++)
		if (d->ev[i].kind == DEV_SEGMENT || d->ev[i].kind == DEV_ICMP)
			rc = sf_pcap_write(p, d->ev[i].t, d->ev[i].dgram, d->ev[i].dlen);
	if (sf_pcap_close(p) != 0)
		rc = -1;
	return rc;
}
