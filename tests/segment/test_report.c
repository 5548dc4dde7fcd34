/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The operator's view as text (drivers/report.h): the connection table reads
 * as `ss -tanoi` does, the counters as `nstat` prints them with Linux's
 * names, and each trace event is one line of JSON. The JSON's schema is
 * checked separately (tests/report/check_trace_schema.py); here the contents.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"
#include "report.h"

#define PORT 80
#define PEER_ISN 5000u
#define P (PEER_ISN + 1)

struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static void text_open(struct text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
}

static void text_close(struct text *t)
{
	assert_int_equal(fclose(t->f), 0);
}

/* The line holding every one of the words (NULL-terminated); fails if none does. */
static const char *line_with(const char *text, const char *const *words)
{
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)n, l);
		int all = 1;
		for (const char *const *w = words; *w; w++)
			all = all && strstr(line, *w) != NULL;
		if (all)
			return l;
		l = end ? end + 1 : NULL;
	}
	fail_msg("no line with all of the words, starting \"%s\", in:\n%s", words[0], text);
	return NULL;
}

#define LINE_WITH(text, ...) line_with((text), (const char *const[]){ __VA_ARGS__, NULL })

/* The line after l. */
static const char *next_line(const char *l)
{
	const char *end = strchr(l, '\n');
	assert_non_null(end);
	return end + 1;
}

static void test_table_as_ss(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	uint8_t data[100] = {0};

	int l = h_listen(h, PORT, 8);
	h->peer_port = 40001;
	struct sf_tcp_options syn_opts = { .has_mss = 1, .mss = 1400, .sack_permitted = 1, .has_wscale = 1, .wscale = 7 };
	h_accept_opt(h, l, PORT, PEER_ISN, &syn_opts, &iss);
	h_send(h, .lport = PORT, .flags = SF_TCP_ACK | SF_TCP_PSH, .seq = P, .ack = iss + 1, .data = data, .len = 100);
	h_drain(h);
	h->peer_port = 40002;
	h_syn_in(h, PORT, PEER_ISN, NULL); /* an embryo */
	h->peer_port = 40004;
	int tw = h_accept_new(h, l, PORT, PEER_ISN, &iss);
	h_drain(h);
	h_close_to_time_wait(h, tw, PORT, iss, P);

	struct text t;
	text_open(&t);
	assert_int_equal(sf_report_conns(t.f, h->st), 4);
	text_close(&t);

	LINE_WITH(t.buf, "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port");
	/* A listener: Recv-Q is the accept queue, Send-Q the backlog (as ss). */
	const char *lst = LINE_WITH(t.buf, "LISTEN ", "0      8 ", "0.0.0.0:80", "*:*");
	LINE_WITH(next_line(lst), "\t synq:1 accept:0/8");
	/* A connection: 100 octets unread; the details on the next line. */
	const char *e = LINE_WITH(t.buf, "ESTAB ", "100    0 ", "192.0.2.1:80", "192.0.2.2:40001");
	LINE_WITH(next_line(e), "\t sack wscale:7,", " rto:", " mss:1400 ", " cwnd:", " bytes_received:100 ");
	/* The embryo's SYN,ACK timer (RFC 6298's initial RTO: 1 s), no retransmission yet. */
	LINE_WITH(t.buf, "SYN-RECV ", "192.0.2.2:40002", " timer:(on,1.000sec,0)");
	/* TIME-WAIT for 2MSL: the default MSL is 2 minutes. */
	LINE_WITH(t.buf, "TIME-WAIT ", "192.0.2.2:40004", " timer:(timewait,4min0sec,0)");

	assert_int_equal(sf_report_conns(NULL, h->st), -EINVAL);
	assert_int_equal(sf_report_conns(stderr, NULL), -EINVAL);
	free(t.buf);
	h_free(h);
}

/* A timer's time left in ss's words. */
static void test_table_timer_units(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int c = h_established(h, PORT, PEER_ISN, &iss);
	uint8_t data[10] = {0};

	assert_int_equal(sf_send(h->st, c, data, sizeof data), 10);
	h_drain(h);
	/* The handshake's RTT of ~0 gives the 200 ms floor (rto_min_ms, as Linux). */
	struct text t;
	text_open(&t);
	sf_report_conns(t.f, h->st);
	text_close(&t);
	LINE_WITH(t.buf, "ESTAB ", "0      10 ", " timer:(on,200ms,0)");
	free(t.buf);
	/* Unanswered, the timer backs off (RFC 6298 (5.5)): 0.2 + 0.4 + 0.8 + 1.6 s
	 * are four retransmissions by 3 s, the next due 3.2 s later. */
	h_advance(h, 3000);
	h_drain(h);
	text_open(&t);
	sf_report_conns(t.f, h->st);
	text_close(&t);
	const char *e = LINE_WITH(t.buf, "ESTAB ", "0      10 ", " timer:(on,3.200sec,4)");
	LINE_WITH(next_line(e), " rto:3200 ", " retrans:4/4", " unacked:10");
	free(t.buf);
	h_free(h);
}

static void test_nstat_names(void **state)
{
	(void)state;
	/* The TCP-MIB under Tcp, as Linux's /proc/net/snmp. */
	assert_string_equal(sf_report_nstat_name(SF_CTR_ActiveOpens), "TcpActiveOpens");
	assert_string_equal(sf_report_nstat_name(SF_CTR_OutRsts), "TcpOutRsts");
	assert_string_equal(sf_report_nstat_name(SF_CTR_CurrEstab), "TcpCurrEstab");
	/* Linux's extensions under TcpExt, with Linux's own spelling where it differs. */
	assert_string_equal(sf_report_nstat_name(SF_CTR_ListenOverflows), "TcpExtListenOverflows");
	assert_string_equal(sf_report_nstat_name(SF_CTR_TCPChallengeACK), "TcpExtTCPChallengeACK");
	assert_string_equal(sf_report_nstat_name(SF_CTR_TW), "TcpExtTW");
	assert_string_equal(sf_report_nstat_name(SF_CTR_TCPDelayedACKs), "TcpExtDelayedACKs");
	/* The IP-MIB's names carry their group. */
	assert_string_equal(sf_report_nstat_name(SF_CTR_IpInReceives), "IpInReceives");
	assert_string_equal(sf_report_nstat_name(SF_CTR_Icmp6InPktTooBigs), "Icmp6InPktTooBigs");
	assert_string_equal(sf_report_nstat_name(SF_CTR_IcmpInDestUnreachs), "IcmpInDestUnreachs");
	assert_string_equal(sf_report_nstat_name(SF_CTR_InCEPkts), "IpExtInCEPkts");
	assert_string_equal(sf_report_nstat_name(SF_CTR_InDrops), "SynfinInDrops");
	assert_string_equal(sf_report_nstat_name(SF_CTR__COUNT), "?");
	/* Every name distinct, so that an nstat reader never merges two. */
	for (int i = 0; i < SF_CTR__COUNT; i++)
		for (int j = i + 1; j < SF_CTR__COUNT; j++)
			assert_string_not_equal(sf_report_nstat_name((enum sf_counter_id)i),
						sf_report_nstat_name((enum sf_counter_id)j));
}

static void test_counters_as_nstat(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	h_established(h, PORT, PEER_ISN, &iss);
	/* A datagram shorter than an IP header: counted as a drop with its reason. */
	static const uint8_t runt[10] = { 0x45 };
	h_inject_raw(h, runt, sizeof runt);

	struct text t;
	text_open(&t);
	int lines = sf_report_counters(t.f, h->st, 2.0);
	text_close(&t);
	assert_true(lines > 3);
	assert_memory_equal(t.buf, "#synfin\n", 8);
	/* nstat's columns: the name in 32, the value in 16, the rate as %6.1f. */
	char want[128];
	uint64_t in = h_counter(h, SF_CTR_InSegs);
	snprintf(want, sizeof want, "TcpInSegs                       %-16llu%6.1f", (unsigned long long)in,
		 (double)in / 2.0);
	LINE_WITH(t.buf, want);
	/* A gauge has no rate. */
	LINE_WITH(t.buf, "TcpCurrEstab                    1                  0.0");
	LINE_WITH(t.buf, "TcpPassiveOpens ");
	LINE_WITH(t.buf, "SynfinDrop_TRUNCATED            1 ");
	/* Counters at zero are left out, as nstat leaves them. */
	assert_null(strstr(t.buf, "TcpExtTW "));
	int newlines = 0;
	for (const char *c = t.buf; *c; c++)
		newlines += *c == '\n';
	assert_int_equal(lines, newlines - 1); /* all but the header */
	free(t.buf);

	assert_int_equal(sf_report_counters(stderr, NULL, 1.0), -EINVAL);
	h_free(h);
}

/* Every field the JSON line holds, for one real segment and a state change. */
static void test_trace_json_contents(void **state)
{
	(void)state;
	struct sf_addr a = sf_addr_v4(192, 0, 2, 1), b = sf_addr_v4(192, 0, 2, 2);
	uint8_t payload[3] = { 1, 2, 3 };
	struct sf_segment seg = { .src = b, .dst = a, .sport = 40000, .dport = 80, .seq = 7, .ack = 9,
				  .flags = SF_TCP_SYN | SF_TCP_ACK | SF_TCP_URG, .window = 65535, .urgent = 2,
				  .ttl = 64, .tclass = 2, .payload = payload, .payload_len = 3 };
	seg.opt = (struct sf_tcp_options){ .has_mss = 1, .mss = 1460, .has_wscale = 1, .wscale = 7,
					   .sack_permitted = 1, .has_timestamp = 1, .ts_val = 11, .ts_ecr = 12,
					   .sack_count = 2, .sack = { { 100, 200 }, { 300, 400 } } };
	struct sf_trace_event ev = { .kind = SF_TRACE_SEGMENT_OUT, .now_ns = 1500, .sock = 3, .seg = &seg,
				     .retransmit = 1, .local = { a, 80 }, .remote = { b, 40000 } };
	struct text t;
	text_open(&t);
	assert_int_equal(sf_report_trace_json(t.f, &ev), 0);
	ev = (struct sf_trace_event){ .kind = SF_TRACE_STATE, .now_ns = 2, .sock = -1, .old_state = SF_SYN_RECEIVED,
				      .new_state = SF_ESTABLISHED, .cause = SF_CAUSE_RCV_ACK_OF_SYN };
	assert_int_equal(sf_report_trace_json(t.f, &ev), 0);
	text_close(&t);
	assert_string_equal(
		t.buf,
		"{\"t_ns\":1500,\"event\":\"segment_out\",\"sock\":3,\"local\":\"192.0.2.1:80\",\"remote\":\"192.0.2.2:40000\","
		"\"retransmit\":true,\"mtu_probe\":false,\"seg\":{\"flags\":[\"SYN\",\"ACK\",\"URG\"],\"src\":\"192.0.2.2\","
		"\"dst\":\"192.0.2.1\",\"sport\":40000,\"dport\":80,\"seq\":7,\"ack\":9,\"win\":65535,\"len\":3,\"ttl\":64,"
		"\"tos\":2,\"urg\":2,\"opts\":{\"mss\":1460,\"wscale\":7,\"sack_perm\":true,\"ts\":[11,12],"
		"\"sack\":[[100,200],[300,400]]}}}\n"
		"{\"t_ns\":2,\"event\":\"state\",\"sock\":-1,\"from\":\"SYN-RECEIVED\",\"to\":\"ESTABLISHED\","
		"\"cause\":\"RCV_ACK_OF_SYN\",\"cause_text\":\"rcv ACK of SYN\"}\n");
	assert_int_equal(sf_report_trace_json(NULL, &ev), -EINVAL);
	assert_int_equal(sf_report_trace_json(stderr, NULL), -EINVAL);
	free(t.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_as_ss),
		cmocka_unit_test(test_table_timer_units),
		cmocka_unit_test(test_nstat_names),
		cmocka_unit_test(test_counters_as_nstat),
		cmocka_unit_test(test_trace_json_contents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
