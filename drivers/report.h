/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file report.h
 * \brief The operator's view as text: a connection table like `ss -tanoi`,
 * the counters like `nstat`, and the trace as JSON lines.
 *
 * A driver library (libsynfin-report, `<synfin/report.h>`), not part of the
 * core, because it writes to stdio streams. It reads the stack through its
 * public calls only (sf_conn_list, sf_conn_info, sf_stack_counters), so a
 * program on any driver prints what `synfin serve` and `synfin connect`
 * print:
 *
 *     sf_report_conns(stderr, stack);                  // on SIGUSR1, say
 *     sf_report_counters(stderr, stack, seconds_up);   // and at exit
 *     cfg.trace = sf_report_trace_json_hook;           // every event, a line
 *     cfg.trace_ctx = file;
 *
 * The JSON-lines schema is documented in docs/TRACE.md and, machine-readably,
 * in docs/trace.schema.json.
 */
#ifndef SYNFIN_REPORT_H
#define SYNFIN_REPORT_H

#include <stdio.h>

#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An endpoint as the table writes it: "192.0.2.2:80", "[2001:db8::2]:80",
 * "*:80" for a wildcard address, "*:*" for none. Returns buf.
 */
const char *sf_report_endpoint_text(const struct sf_endpoint *ep, char *buf, size_t cap);

/**
 * Print every connection of the stack as `ss -tanoi` prints a host's: a
 * header line, then per record its state (ss's names: ESTAB, SYN-RECV,
 * UNCONN, ...), Recv-Q, Send-Q (for a listener: the accept queue and its
 * limit), the local and peer address, and the running timer as
 * `timer:(on|keepalive|timewait|persist|delack,TIME,RETRANSMITS)`. A socket's
 * second line, indented by a tab, has sf_conn_info's details in ss's words
 * (`ts sack wscale:S,R rto: rtt:SRTT/RTTVAR mss: pmtu: cwnd: ...`; cwnd and
 * ssthresh in segments, as ss); a listener's gives its SYN queue. Must not
 * be called from inside one of the stack's callbacks. Returns how many
 * records were printed, or a negative errno (sf_conn_list's).
 */
int sf_report_conns(FILE *out, sf_stack *stack);

/**
 * The name `nstat` gives a counter: the TCP-MIB's under `Tcp`
 * ("TcpActiveOpens"), the IP-MIB's as they are ("IpInReceives",
 * "Icmp6InPktTooBigs"), ECN's CE count under `IpExt` ("IpExtInCEPkts"),
 * Linux's own names where it has the same counter ("TcpExtDelayedACKs"),
 * and every other TCP counter under `TcpExt` ("TcpExtListenOverflows").
 * Counters Linux does not have keep their synfin name after the prefix;
 * InDrops, about datagrams of every protocol, is "SynfinInDrops". "?" out of range.
 */
const char *sf_report_nstat_name(enum sf_counter_id id);

/**
 * Print the stack's counters as `nstat` does: a "#synfin" line, then each
 * counter that is not zero as NAME VALUE RATE, the rate being VALUE per
 * second over up_s seconds (0.0 for gauges, and when up_s is not positive).
 * Then the drop reasons that counted, as "SynfinDrop_NAME" (the names of
 * sf_drop_reason_name). Returns how many lines followed the header.
 */
int sf_report_counters(FILE *out, const sf_stack *stack, double up_s);

/**
 * Write ev as one line of JSON (docs/TRACE.md): 0, or -EIO if the stream
 * reports an error, -EINVAL for a NULL out or ev.
 */
int sf_report_trace_json(FILE *out, const struct sf_trace_event *ev);

/** Write s as a JSON string, quoted and escaped (RFC 8259 §7). */
void sf_report_json_string(FILE *out, const char *s);

/** An sf_trace_fn: ctx is the FILE * that sf_report_trace_json writes each event to. */
void sf_report_trace_json_hook(void *ctx, const struct sf_trace_event *ev);

#ifdef __cplusplus
}
#endif
#endif
