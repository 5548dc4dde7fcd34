/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP out: echo (RFC 792, RFC 1122 §3.2.2.6, RFC 4443 §4.1, §4.2), the
 * errors the stack sends (RFC 1122 §3.2.2, §3.2.2.1; RFC 4443 §2.4, §3.4;
 * RFC 8200 §4, §4.2), the token buckets on ICMP output and on the errors
 * TCP acts on (RFC 5927 §4.3), and the IP-MIB counters (RFC 4293).
 *
 * Datagrams are written out byte by byte here, checksums summed here, so
 * that a reply is compared with what the RFCs say it must be, not with
 * what the stack's own builder makes. The stack is 192.0.2.1 / 2001:db8::1,
 * the peer 192.0.2.2 / 2001:db8::2; time never moves unless h_advance says.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "harness.h"
#include "wire/checksum.h"

#define PEER_ISN 300u
#define ID 0x1234u
#define SEQ 7u

/* One datagram to inject or to expect, by its fields. */
struct pkt {
	int family;
	const struct sf_addr *src, *dst; /* NULL: the peer, the stack */
	uint8_t proto;                   /* the upper layer's (IPv6: after ext) */
	uint8_t tos;                     /* IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;
	uint16_t id;                     /* IPv4 identification */
	uint16_t frag;                   /* IPv4 flags and fragment offset */
	const uint8_t *ext;              /* IPv4 options or IPv6 extension headers, as bytes */
	size_t ext_len;
	uint8_t ext_nh;                  /* IPv6: the base header's next header when ext is given */
	const uint8_t *upper;
	size_t upper_len;
};

static uint8_t big[70000];           /* for datagrams past the stack's own buffers */

static size_t build(struct harness *h, uint8_t *b, const struct pkt *p)
{
	const struct sf_addr *src = p->src ? p->src : &h->peer, *dst = p->dst ? p->dst : &h->local;
	size_t hl;

	if (p->family == 4) {
		hl = 20 + p->ext_len;
		memset(b, 0, 20);
		b[0] = (uint8_t)(0x40 | hl / 4);
		b[1] = p->tos;
		sf_put16(b + 2, (uint16_t)(hl + p->upper_len));
		sf_put16(b + 4, p->id);
		sf_put16(b + 6, p->frag);
		b[8] = p->ttl;
		b[9] = p->proto;
		memcpy(b + 12, src->bytes, 4);
		memcpy(b + 16, dst->bytes, 4);
		if (p->ext_len)
			memcpy(b + 20, p->ext, p->ext_len);
		sf_put16(b + 10, sf_csum_finish(sf_csum_add(0, b, hl)));
	} else {
		hl = 40 + p->ext_len;
		sf_put32(b, 0x60000000u | (uint32_t)p->tos << 20 | (p->tos ? 0xbeefu : 0)); /* a flow label too */
		sf_put16(b + 4, (uint16_t)(p->ext_len + p->upper_len));
		b[6] = p->ext_len ? p->ext_nh : p->proto;
		b[7] = p->ttl;
		memcpy(b + 8, src->bytes, 16);
		memcpy(b + 24, dst->bytes, 16);
		if (p->ext_len)
			memcpy(b + 40, p->ext, p->ext_len);
	}
	if (p->upper_len)
		memmove(b + hl, p->upper, p->upper_len);
	return hl + p->upper_len;
}

/* An ICMP message (family 4) or ICMPv6 one from src to dst into m; its length. */
static size_t icmp_msg(uint8_t *m, int family, const struct sf_addr *src, const struct sf_addr *dst, uint8_t type,
		       uint8_t code, uint32_t word, const uint8_t *body, size_t n)
{
	m[0] = type;
	m[1] = code;
	sf_put16(m + 2, 0);
	sf_put32(m + 4, word);
	if (n)
		memmove(m + 8, body, n);
	uint32_t sum = 0;
	if (family == 6) {
		uint8_t ph[40] = { 0 };
		memcpy(ph, src->bytes, 16);
		memcpy(ph + 16, dst->bytes, 16);
		sf_put32(ph + 32, (uint32_t)(8 + n));
		ph[39] = 58;
		sum = sf_csum_add(0, ph, 40);
	}
	sf_put16(m + 2, sf_csum_finish(sf_csum_add(sum, m, 8 + n)));
	return 8 + n;
}

static uint8_t icmp_proto(int family) { return family == 6 ? 58 : 1; }
static uint8_t echo_request(int family) { return family == 6 ? 128 : 8; }
static uint8_t echo_reply(int family) { return family == 6 ? 129 : 0; }

/* The peer's echo request with n bytes of data (a pattern), from src (NULL: the peer) to dst (NULL: us), injected. */
static void ping_from(struct harness *h, const struct sf_addr *src, const struct sf_addr *dst, size_t n)
{
	static uint8_t data[65535], msg[65535 + 8];
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	const struct sf_addr *s = src ? src : &h->peer, *d = dst ? dst : &h->local;
	size_t m = icmp_msg(msg, h->family, s, d, echo_request(h->family), 0, ID << 16 | SEQ, data, n);
	struct pkt p = { .family = h->family, .src = s, .dst = d, .proto = icmp_proto(h->family), .tos = 0x28, .ttl = 50,
			 .id = 0x5555, .upper = msg, .upper_len = m };
	h_inject_raw(h, big, build(h, big, &p));
}

static void ping(struct harness *h, size_t n) { ping_from(h, NULL, NULL, n); }

/* The echo reply RFC 792 / RFC 4443 §4.2 ask for the request ping sent with n bytes: into out, its length. */
static size_t expected_reply(struct harness *h, uint8_t *out, size_t n)
{
	static uint8_t data[65535], msg[65535 + 8];
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	size_t m = icmp_msg(msg, h->family, &h->local, &h->peer, echo_reply(h->family), 0, ID << 16 | SEQ, data, n);
	/* TTL 64 (cfg.ttl), traffic class 0, DF and ID 0 as every datagram synfin sends. */
	struct pkt p = { .family = h->family, .src = &h->local, .dst = &h->peer, .proto = icmp_proto(h->family),
			 .ttl = 64, .frag = 0x4000, .upper = msg, .upper_len = m };
	return build(h, out, &p);
}

/* The next datagram the stack sent, raw (h_next parses TCP only). */
static const struct h_out *next_raw(struct harness *h)
{
	if (h->next_out >= h->nout)
		fail_msg("expected a datagram from the stack, none was sent");
	return &h->out[h->next_out++];
}

static void expect_bytes(struct harness *h, const uint8_t *want, size_t len)
{
	const struct h_out *o = next_raw(h);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->data, want, len);
}

/* ---- echo ---- */

/* Replied byte for byte: same identifier, sequence and data, from the address asked, TTL 64, class 0, no options. */
static void echo_replied(int family)
{
	static const size_t sizes[] = { 0, 56, 1400 };
	struct harness *h = h_new(family, NULL);
	uint8_t want[2048];

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		ping(h, sizes[i]);
		expect_bytes(h, want, expected_reply(h, want, sizes[i]));
	}
	h_expect_none(h);
	bool v6 = family == 6;
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InEchos : SF_CTR_IcmpInEchos), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InMsgs : SF_CTR_IcmpInMsgs), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6OutEchoReplies : SF_CTR_IcmpOutEchoReps), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6OutMsgs : SF_CTR_IcmpOutMsgs), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6OutRequests : SF_CTR_IpOutRequests), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InDelivers : SF_CTR_IpInDelivers), 3);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_IcmpOutMsgs : SF_CTR_Icmp6OutMsgs), 0);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), 0);
	assert_int_equal(h_counter(h, SF_CTR_InDrops), 0);
	h_free(h);
}

static void test_echo_v4(void **state) { (void)state; echo_replied(4); }
static void test_echo_v6(void **state) { (void)state; echo_replied(6); }

/* A reply that would pass the interface's MTU (1500) is cut to it (RFC 1122 §3.2.2.6: no fragmentation on output). */
static void echo_truncated(int family)
{
	struct harness *h = h_new(family, NULL);
	static uint8_t want[70000];
	size_t keep = 1500 - (family == 6 ? 40u : 20u) - 8;

	ping(h, 65000);
	expect_bytes(h, want, expected_reply(h, want, keep));
	h_free(h);
}

static void test_echo_65000_cut_to_mtu_v4(void **state) { (void)state; echo_truncated(4); }
static void test_echo_65000_cut_to_mtu_v6(void **state) { (void)state; echo_truncated(6); }

/* IPv4 options of the request are not echoed (a record route here): the reply has the plain header. */
static void test_echo_options_not_echoed(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 }; /* record route with room for one, then EOL */
	uint8_t msg[64], want[256];
	size_t m = icmp_msg(msg, 4, &h->peer, &h->local, 8, 0, ID << 16 | SEQ, NULL, 0);
	struct pkt p = { .family = 4, .proto = 1, .ttl = 64, .ext = rr, .ext_len = sizeof rr, .upper = msg, .upper_len = m };
	uint8_t buf[256];

	h_inject_raw(h, buf, build(h, buf, &p));
	expect_bytes(h, want, expected_reply(h, want, 0));
	h_free(h);
}

/* A wrong checksum (RFC 792): dropped with its reason, counted in IcmpInErrors, not answered. */
static void bad_checksum(int family)
{
	struct harness *h = h_new(family, NULL);
	uint8_t msg[64], buf[256];
	size_t m = icmp_msg(msg, family, &h->peer, &h->local, echo_request(family), 0, ID << 16 | SEQ, (const uint8_t *)"abcd", 4);
	msg[9] ^= 1;
	struct pkt p = { .family = family, .proto = icmp_proto(family), .ttl = 64, .upper = msg, .upper_len = m };

	h_inject_raw(h, buf, build(h, buf, &p));
	h_expect_none(h);
	bool v6 = family == 6;
	assert_int_equal(h_drops(h, SF_DROP_ICMP_CHECKSUM), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InErrors : SF_CTR_IcmpInErrors), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InMsgs : SF_CTR_IcmpInMsgs), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InEchos : SF_CTR_IcmpInEchos), 0);
	/* Shorter than the 8-byte header. */
	p.upper_len = 6;
	h_inject_raw(h, buf, build(h, buf, &p));
	assert_int_equal(h_drops(h, SF_DROP_ICMP_TRUNCATED), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InErrors : SF_CTR_IcmpInErrors), 2);
	h_expect_none(h);
	h_free(h);
}

static void test_echo_bad_checksum_v4(void **state) { (void)state; bad_checksum(4); }
static void test_echo_bad_checksum_v6(void **state) { (void)state; bad_checksum(6); }

/* Not ours, broadcast, multicast (icmp_echo_ignore_broadcasts), or from a source that names no single host: no reply. */
static void test_echo_not_local_or_broadcast_not_answered(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr other = sf_addr_v4(192, 0, 2, 9), all = sf_addr_v4(255, 255, 255, 255),
		       subnet = sf_addr_v4(192, 0, 2, 255), group = sf_addr_v4(224, 0, 0, 1);

	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	ping_from(h, NULL, &other, 8);
	ping_from(h, NULL, &subnet, 8);
	assert_int_equal(h_drops(h, SF_DROP_NOT_LOCAL), 2);
	ping_from(h, NULL, &all, 8);
	ping_from(h, NULL, &group, 8);
	assert_int_equal(h_drops(h, SF_DROP_MARTIAN_DEST), 2);
	assert_int_equal(h_counter(h, SF_CTR_IpInAddrErrors), 4);
	ping_from(h, &subnet, NULL, 8);  /* a smurf: the reply would go to the whole subnet */
	assert_int_equal(h_drops(h, SF_DROP_MARTIAN_SOURCE), 1);
	ping_from(h, &h->local, NULL, 8); /* LAND: we would answer ourselves */
	assert_int_equal(h_drops(h, SF_DROP_SOURCE_IS_OURS), 1);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutMsgs), 0);
	assert_int_equal(h_counter(h, SF_CTR_IpInReceives), 6);
	h_free(h);

	h = h_new(6, NULL);
	struct sf_addr nodes, v6other;
	assert_int_equal(sf_addr_parse("ff02::1", &nodes), 0);
	assert_int_equal(sf_addr_parse("2001:db8::9", &v6other), 0);
	ping_from(h, NULL, &nodes, 8);
	ping_from(h, NULL, &v6other, 8);
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_MARTIAN_DEST), 1);
	assert_int_equal(h_drops(h, SF_DROP_NOT_LOCAL), 1);
	assert_int_equal(h_counter(h, SF_CTR_Ip6InAddrErrors), 2);
	h_free(h);
}

/* RFC 1122 §3.2.2: nothing answers an echo reply, another informational message or an error. */
static void no_answer_to_replies_and_errors(int family)
{
	struct harness *h = h_new(family, NULL);
	bool v6 = family == 6;
	uint8_t msg[256], buf[512], quote[48] = { 0 };
	quote[0] = v6 ? 0x60 : 0x45;
	const uint8_t types4[] = { 0, 3, 11, 12, 13, 5 }, types6[] = { 129, 1, 3, 4, 200, 137 };

	for (size_t i = 0; i < sizeof types4; i++) {
		uint8_t type = v6 ? types6[i] : types4[i];
		size_t m = icmp_msg(msg, family, &h->peer, &h->local, type, 0, 0, quote, sizeof quote);
		struct pkt p = { .family = family, .proto = icmp_proto(family), .ttl = 64, .upper = msg, .upper_len = m };
		h_inject_raw(h, buf, build(h, buf, &p));
	}
	h_expect_none(h);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InMsgs : SF_CTR_IcmpInMsgs), 6);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6OutMsgs : SF_CTR_IcmpOutMsgs), 0);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_NOT_AN_ERROR), 3); /* echo reply, timestamp / unassigned, redirect */
	assert_int_equal(h_drops(h, SF_DROP_ICMP_QUOTE), 3);        /* errors quoting nothing of ours */
	h_free(h);
}

static void test_no_answer_to_replies_and_errors_v4(void **state) { (void)state; no_answer_to_replies_and_errors(4); }
static void test_no_answer_to_replies_and_errors_v6(void **state) { (void)state; no_answer_to_replies_and_errors(6); }

/* ---- the output bucket ---- */

static size_t replies(struct harness *h)
{
	size_t n = 0;
	for (; h_pending(h); n++)
		next_raw(h);
	return n;
}

/*
 * 10,000 requests in the same instant: exactly icmp_burst (50) answered,
 * the rest dropped and counted. The bucket then refills at icmp_rate
 * (1000/s) of virtual time: one a millisecond, never past the burst.
 */
static void test_echo_rate_limited(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);

	for (int i = 0; i < 10000; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 50);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_RATE_LIMITED), 9950);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutRateLimitGlobal), 9950);
	assert_int_equal(h_counter(h, SF_CTR_IcmpInEchos), 10000);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutEchoReps), 50);
	h_advance(h, 1);
	for (int i = 0; i < 10; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 1);
	h_advance(h, 20);
	for (int i = 0; i < 100; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 20);
	h_advance(h, 10000); /* a long quiet spell fills the bucket to its burst, no more */
	for (int i = 0; i < 100; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 50);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutEchoReps), 121);
	h_free(h);
}

static void cfg_rate_2_burst_3(struct sf_config *cfg)
{
	cfg->icmp_rate = 2;
	cfg->icmp_burst = 3;
}

static void cfg_unlimited(struct sf_config *cfg)
{
	cfg->icmp_rate = 0;
}

/* The knobs: icmp_rate 2/s with a burst of 3 (one bucket for ICMP and ICMPv6 messages, replies and errors); 0 is no limit. */
static void test_rate_knobs(void **state)
{
	(void)state;
	struct harness *h = h_new(4, cfg_rate_2_burst_3);
	uint8_t buf[64];
	struct pkt udp = { .family = 4, .proto = 17, .ttl = 64, .upper = (const uint8_t *)"12345678", .upper_len = 8 };

	for (int i = 0; i < 5; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 3);
	h_advance(h, 499);
	ping(h, 8);
	assert_int_equal(replies(h), 0);
	h_advance(h, 1); /* half a second: one token */
	h_inject_raw(h, buf, build(h, buf, &udp)); /* the protocol unreachable takes it */
	ping(h, 8);
	assert_int_equal(replies(h), 1);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutDestUnreachs), 1);
	h_inject_raw(h, buf, build(h, buf, &udp));
	assert_int_equal(replies(h), 0);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutRateLimitGlobal), 5);
	assert_int_equal(h_drops(h, SF_DROP_NOT_TCP), 2); /* the error's datagram keeps its own reason */
	h_free(h);

	h = h_new(6, cfg_unlimited);
	for (int i = 0; i < 400; i++)
		ping(h, 8);
	assert_int_equal(replies(h), 400);
	h_free(h);
}

static void discard(void *ctx, const uint8_t *dgram, size_t len)
{
	(void)ctx, (void)dgram, (void)len;
}

/* Burst 0 is refused (a bucket that can never send); the defaults are Linux's. */
static void test_rate_config(void **state)
{
	(void)state;
	struct sf_config cfg;
	sf_config_default(&cfg);
	assert_int_equal(cfg.icmp_rate, 1000);
	assert_int_equal(cfg.icmp_burst, 50);
	assert_int_equal(cfg.icmp_error_rate, 1000);
	assert_int_equal(cfg.icmp_error_burst, 50);
	cfg.output = discard;
	cfg.deterministic_insecure = 1;
	sf_stack *st = sf_stack_new(&cfg, 0);
	assert_non_null(st);
	sf_stack_free(st);
	cfg.icmp_burst = 0;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.icmp_burst = 50;
	cfg.icmp_error_burst = 0;
	assert_null(sf_stack_new(&cfg, 0));
	cfg.icmp_error_burst = (1u << 20) + 1;
	assert_null(sf_stack_new(&cfg, 0));
}

/* ---- errors sent ---- */

/* The error the stack should send about dgram: from us, to the peer, quoting at most max bytes in all. */
static size_t expected_error(struct harness *h, uint8_t *out, uint8_t type, uint8_t code, uint32_t word,
			     const uint8_t *dgram, size_t len, size_t max)
{
	static uint8_t msg[2048];
	size_t room = max - (h->family == 6 ? 40u : 20u) - 8;
	size_t m = icmp_msg(msg, h->family, &h->local, &h->peer, type, code, word, dgram, len < room ? len : room);
	struct pkt p = { .family = h->family, .src = &h->local, .dst = &h->peer, .proto = icmp_proto(h->family),
			 .ttl = 64, .frag = 0x4000, .upper = msg, .upper_len = m };
	return build(h, out, &p);
}

static uint8_t payload[1400];

/*
 * RFC 1122 §3.2.2.1: an IPv4 protocol synfin lacks (UDP, 17: synfin has
 * none, so not port unreachable) draws protocol unreachable, code 2,
 * quoting the datagram, options and all; a long one cut so the error is
 * 576 bytes (RFC 1812 §4.3.2.3).
 */
static void test_protocol_unreachable_v4(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	static const uint8_t nop4[4] = { 1, 1, 1, 0 };
	uint8_t dgram[1500], want[2048];
	struct pkt udp = { .family = 4, .proto = 17, .ttl = 33, .id = 99, .ext = nop4, .ext_len = 4,
			   .upper = payload, .upper_len = 100 };

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)i;
	size_t n = build(h, dgram, &udp);
	h_inject_raw(h, dgram, n);
	expect_bytes(h, want, expected_error(h, want, 3, 2, 0, dgram, n, 576));
	udp.upper_len = 1400;
	n = build(h, dgram, &udp);
	h_inject_raw(h, dgram, n);
	size_t wn = expected_error(h, want, 3, 2, 0, dgram, n, 576);
	assert_int_equal(wn, 576);
	expect_bytes(h, want, wn);
	/* An ICMPv6 message in IPv4 is a protocol synfin lacks too. */
	udp.proto = 58;
	udp.upper_len = 16;
	n = build(h, dgram, &udp);
	h_inject_raw(h, dgram, n);
	expect_bytes(h, want, expected_error(h, want, 3, 2, 0, dgram, n, 576));
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_IpInUnknownProtos), 3);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutDestUnreachs), 3);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutMsgs), 3);
	assert_int_equal(h_counter(h, SF_CTR_IpOutRequests), 3);
	assert_int_equal(h_counter(h, SF_CTR_IpInDelivers), 0);
	assert_int_equal(h_drops(h, SF_DROP_NOT_TCP), 3);
	h_free(h);
}

/*
 * RFC 8200 §4, RFC 4443 §3.4: an unknown next header draws Parameter
 * Problem code 1 pointing at the Next Header field naming it: the base
 * header's (6), or the last extension header's. Cut to 1280 bytes
 * (RFC 4443 §2.4(c)). No Next Header (59) draws nothing (RFC 8200 §4.7).
 */
static void test_param_problem_unknown_next_header_v6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	static const uint8_t dopt[16] = { 17, 1, 1, 12 }; /* Destination Options, PadN of 14, then UDP */
	uint8_t dgram[1500], want[2048];
	struct pkt udp = { .family = 6, .proto = 17, .ttl = 64, .upper = payload, .upper_len = 100 };

	size_t n = build(h, dgram, &udp);
	h_inject_raw(h, dgram, n);
	expect_bytes(h, want, expected_error(h, want, 4, 1, 6, dgram, n, 1280));
	udp.ext = dopt;
	udp.ext_len = sizeof dopt;
	udp.ext_nh = 60;
	udp.upper_len = 1400;
	n = build(h, dgram, &udp);
	h_inject_raw(h, dgram, n);
	size_t wn = expected_error(h, want, 4, 1, 40, dgram, n, 1280);
	assert_int_equal(wn, 1280);
	expect_bytes(h, want, wn);
	struct pkt none = { .family = 6, .proto = 59, .ttl = 64, .upper = payload, .upper_len = 8 };
	h_inject_raw(h, dgram, build(h, dgram, &none));
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_Ip6InUnknownProtos), 2);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutParmProblems), 2);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutMsgs), 2);
	assert_int_equal(h_counter(h, SF_CTR_Ip6OutRequests), 2);
	assert_int_equal(h_counter(h, SF_CTR_Ip6InDelivers), 1);
	assert_int_equal(h_drops(h, SF_DROP_NOT_TCP), 3);
	h_free(h);
}

/*
 * RFC 8200 §4.2: an unrecognized option of action 10 or 11 in a datagram
 * to us draws Parameter Problem code 2 pointing at the option's type;
 * action 01 discards in silence. Behind it TCP or not, the datagram is
 * dropped as IPV6_OPTION and counted a header error.
 */
static void test_param_problem_option_v6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t dgram[256], want[512];
	static const uint8_t acts[] = { 0x9e, 0xde, 0x5e };

	for (size_t i = 0; i < sizeof acts; i++) {
		uint8_t dopt[8] = { 6, 0, 1, 0, acts[i], 0, 0, 0 }; /* PadN(2), then the option (no data), Pad1 x 2 */
		struct pkt p = { .family = 6, .proto = 6, .ttl = 64, .ext = dopt, .ext_len = 8, .ext_nh = 60,
				 .upper = payload, .upper_len = 20 };
		size_t n = build(h, dgram, &p);
		h_inject_raw(h, dgram, n);
		if (i < 2)
			expect_bytes(h, want, expected_error(h, want, 4, 2, 40 + 4, dgram, n, 1280));
	}
	h_expect_none(h);
	assert_int_equal(h_drops(h, SF_DROP_IPV6_OPTION), 3);
	assert_int_equal(h_counter(h, SF_CTR_Ip6InHdrErrors), 3);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutParmProblems), 2);
	/* To an address not ours: no error (a host processes no one else's options). */
	struct sf_addr other;
	assert_int_equal(sf_addr_parse("2001:db8::9", &other), 0);
	uint8_t dopt[8] = { 6, 0, 0x9e, 0, 1, 0, 0, 0 };
	struct pkt p = { .family = 6, .dst = &other, .proto = 6, .ttl = 64, .ext = dopt, .ext_len = 8, .ext_nh = 60,
			 .upper = payload, .upper_len = 20 };
	h_inject_raw(h, dgram, build(h, dgram, &p));
	h_expect_none(h);
	h_free(h);
}

/* RFC 4443 §2.4(e.1): an ICMPv6 error behind a bad option of action 10 draws nothing; an echo request would. */
static void test_no_error_about_an_icmp_error_v6(void **state)
{
	(void)state;
	struct harness *h = h_new(6, NULL);
	uint8_t dgram[256], msg[64], want[512];
	uint8_t dopt[8] = { 58, 0, 0x9e, 0, 1, 0, 0, 0 };

	size_t m = icmp_msg(msg, 6, &h->peer, &h->local, 1, 4, 0, payload, 48);
	struct pkt p = { .family = 6, .proto = 58, .ttl = 64, .ext = dopt, .ext_len = 8, .ext_nh = 60, .upper = msg, .upper_len = m };
	h_inject_raw(h, dgram, build(h, dgram, &p));
	h_expect_none(h);
	m = icmp_msg(msg, 6, &h->peer, &h->local, 128, 0, 0, payload, 48);
	size_t n = build(h, dgram, &p);
	h_inject_raw(h, dgram, n);
	expect_bytes(h, want, expected_error(h, want, 4, 2, 42, dgram, n, 1280));
	h_free(h);
}

/* No protocol unreachable toward a source that is a broadcast, our own address, or to a broadcast. */
static void test_no_error_to_or_from_broadcast(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	struct sf_addr subnet = sf_addr_v4(192, 0, 2, 255), all = sf_addr_v4(255, 255, 255, 255);
	uint8_t dgram[256];

	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	struct pkt p = { .family = 4, .src = &subnet, .proto = 17, .ttl = 64, .upper = payload, .upper_len = 8 };
	h_inject_raw(h, dgram, build(h, dgram, &p));
	p.src = &h->local;
	h_inject_raw(h, dgram, build(h, dgram, &p));
	p.src = NULL;
	p.dst = &all;
	h_inject_raw(h, dgram, build(h, dgram, &p));
	p.dst = &subnet;
	h_inject_raw(h, dgram, build(h, dgram, &p));
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutMsgs), 0);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutRateLimitGlobal), 0);
	h_free(h);
}

/* The sender's rules, called as fragment reassembly will call it (Time Exceeded code 1, RFC 792 / RFC 4443 §3.3). */
static void test_error_sender_rules(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint8_t dgram[256], msg[64], want[512];
	struct pkt p = { .family = 4, .proto = 17, .ttl = 64, .frag = 0x2000 /* MF: a first fragment */, .upper = payload,
			 .upper_len = 40 };

	size_t n = build(h, dgram, &p);
	sf_icmp_send_error(h->st, dgram, n, 11, 1, 0);
	expect_bytes(h, want, expected_error(h, want, 11, 1, 0, dgram, n, 576));
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutTimeExcds), 1);
	/* RFC 1122 §3.2.2: not about a non-initial fragment, */
	p.frag = 0x2000 | 5;
	n = build(h, dgram, &p);
	sf_icmp_send_error(h->st, dgram, n, 11, 1, 0);
	/* nor an ICMP error (here a destination unreachable), nor a message too short to show its type; */
	size_t m = icmp_msg(msg, 4, &h->peer, &h->local, 3, 1, 0, payload, 28);
	struct pkt e = { .family = 4, .proto = 1, .ttl = 64, .upper = msg, .upper_len = m };
	n = build(h, dgram, &e);
	sf_icmp_send_error(h->st, dgram, n, 12, 0, 0);
	sf_icmp_send_error(h->st, dgram, 20, 12, 0, 0);
	/* nor one to a broadcast or multicast address (RFC 1122 §3.2.2), as reassembly might hold one; */
	struct sf_addr subnet = sf_addr_v4(192, 0, 2, 255), all = sf_addr_v4(255, 255, 255, 255),
		       group4 = sf_addr_v4(224, 0, 0, 9);
	const struct sf_addr *dsts[] = { &subnet, &all, &group4 };
	assert_int_equal(sf_stack_set_prefix(h->st, &h->local, 24), 0);
	for (size_t i = 0; i < 3; i++) {
		p.frag = 0;
		p.dst = dsts[i];
		n = build(h, dgram, &p);
		sf_icmp_send_error(h->st, dgram, n, 11, 1, 0);
	}
	/* nor anything not an IP datagram. */
	sf_icmp_send_error(h->st, dgram, 19, 12, 0, 0);
	sf_icmp_send_error(h->st, NULL, 0, 12, 0, 0);
	dgram[0] = 0x55;
	sf_icmp_send_error(h->st, dgram, n, 12, 0, 0);
	h_expect_none(h);
	/* An informational message may draw one: a parameter problem with its pointer in the top byte. */
	m = icmp_msg(msg, 4, &h->peer, &h->local, 8, 0, 0, payload, 28);
	n = build(h, dgram, &e);
	sf_icmp_send_error(h->st, dgram, n, 12, 0, 9u << 24);
	expect_bytes(h, want, expected_error(h, want, 12, 0, 9u << 24, dgram, n, 576));
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutParmProbs), 1);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutMsgs), 2);
	h_free(h);

	h = h_new(6, NULL);
	uint8_t frag[8] = { 17, 0, 0, 1, 0, 0, 0, 1 }; /* offset 0, more fragments: a first fragment */
	struct pkt f = { .family = 6, .proto = 17, .ttl = 64, .ext = frag, .ext_len = 8, .ext_nh = 44, .upper = payload,
			 .upper_len = 40 };
	n = build(h, dgram, &f);
	sf_icmp_send_error(h->st, dgram, n, 3, 1, 0);
	expect_bytes(h, want, expected_error(h, want, 3, 1, 0, dgram, n, 1280));
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutTimeExcds), 1);
	frag[2] = 1; /* offset 32: not the first */
	n = build(h, dgram, &f);
	sf_icmp_send_error(h->st, dgram, n, 3, 1, 0);
	sf_icmp_send_error(h->st, dgram, 39, 3, 1, 0);
	/* ICMPv6 redirects draw nothing either (RFC 4443 §2.4(e.2)), nor an error to a multicast source. */
	m = icmp_msg(msg, 6, &h->peer, &h->local, 137, 0, 0, payload, 32);
	struct pkt r = { .family = 6, .proto = 58, .ttl = 255, .upper = msg, .upper_len = m };
	n = build(h, dgram, &r);
	sf_icmp_send_error(h->st, dgram, n, 4, 0, 0);
	struct sf_addr group;
	assert_int_equal(sf_addr_parse("ff05::2", &group), 0);
	r.src = &group;
	r.upper = payload;
	r.upper_len = 8;
	r.proto = 17;
	n = build(h, dgram, &r);
	sf_icmp_send_error(h->st, dgram, n, 4, 0, 0);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutDestUnreachs), 0);
	/* Destination unreachable counts as such. */
	r.src = NULL;
	n = build(h, dgram, &r);
	sf_icmp_send_error(h->st, dgram, n, 1, 4, 0);
	expect_bytes(h, want, expected_error(h, want, 1, 4, 0, dgram, n, 1280));
	assert_int_equal(h_counter(h, SF_CTR_Icmp6OutDestUnreachs), 1);
	h_free(h);
}

/* ---- the budget for errors acted on ---- */

/* An ICMP error from a router about the datagram d (its TCP sequence number replaced by seq). */
static void error_in(struct harness *h, uint8_t type, uint8_t code, const uint8_t *d, size_t dlen, uint32_t seq)
{
	static uint8_t q[2048], msg[2048], buf[4096];
	struct sf_addr router = sf_addr_v4(198, 51, 100, 7);
	memcpy(q, d, dlen);
	sf_put32(q + 20 + 4, seq);
	size_t m = icmp_msg(msg, 4, &router, &h->local, type, code, 0, q, dlen);
	struct pkt p = { .family = 4, .src = &router, .proto = 1, .ttl = 64, .upper = msg, .upper_len = m };
	h_inject_raw(h, buf, build(h, buf, &p));
}

/*
 * RFC 5927 §4.3: a flood of valid-looking errors (10,000 in an instant)
 * is acted on icmp_error_burst (50) times, the rest dropped unexamined;
 * even a true one then waits for the budget to refill (1000/s).
 */
static void test_error_budget(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint32_t iss;
	int s = h_connect(h, 5000, 80, &iss);
	const struct h_out *syn = &h->out[h->next_out - 1];
	uint8_t syn_copy[128];
	size_t syn_len = syn->len;
	memcpy(syn_copy, syn->data, syn_len);

	for (int i = 0; i < 10000; i++)
		error_in(h, 3, 3, syn_copy, syn_len, iss + 1 + (uint32_t)i); /* outside [SND.UNA, SND.NXT) */
	assert_int_equal(h_drops(h, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW), 50);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_ERROR_BUDGET), 9950);
	assert_int_equal(h_counter(h, SF_CTR_IcmpInDestUnreachs), 10000);
	error_in(h, 3, 3, syn_copy, syn_len, iss);
	assert_int_equal(h_drops(h, SF_DROP_ICMP_ERROR_BUDGET), 9951);
	assert_int_equal(sf_state(h->st, s), SF_SYN_SENT);
	h_advance(h, 1);
	error_in(h, 3, 3, syn_copy, syn_len, iss);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
	assert_int_equal(sf_take_error(h->st, s), -ECONNREFUSED);
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_IcmpOutMsgs), 0);
	h_free(h);
}

/* ---- the IP-MIB ---- */

/* Each datagram in one IP-MIB counter; TCP's own counters go on as before. */
static void ip_mib(int family)
{
	struct harness *h = h_new(family, NULL);
	bool v6 = family == 6;
	uint8_t buf[2048];
	struct sf_addr other;
	assert_int_equal(sf_addr_parse(v6 ? "2001:db8::9" : "192.0.2.9", &other), 0);

	h_listen(h, 80, 8);
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = PEER_ISN);      /* delivered; SYN,ACK out */
	h_send(h, .lport = 81, .flags = SF_TCP_SYN, .seq = PEER_ISN);      /* delivered; RST out */
	h_send(h, .lport = 80, .flags = SF_TCP_SYN, .seq = 1, .dst = &other); /* not ours */
	assert_int_equal(h_drain(h), 2);
	ping(h, 8);                                                         /* delivered; reply out */
	next_raw(h);
	struct pkt udp = { .family = family, .proto = 17, .ttl = 64, .upper = payload, .upper_len = 8 };
	h_inject_raw(h, buf, build(h, buf, &udp));                          /* unknown protocol; error out */
	next_raw(h);
	/* A TCP segment with a wrong checksum: IP delivered it, TCP found it in error. */
	struct sf_segment seg = { .src = h->peer, .dst = h->local, .sport = 1, .dport = 80, .flags = SF_TCP_SYN };
	size_t n = sf_wire_build(buf, sizeof buf, &seg, NULL, 0);
	buf[n - 3] ^= 0x40;
	h_inject_raw(h, buf, n);
	/* A header error: truncated below the IP header (its version still shows). */
	h_inject_raw(h, buf, 12);
	/* A datagram of neither version counts in neither family. */
	buf[0] = 0x50;
	h_inject_raw(h, buf, n);
	h_expect_none(h);

	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InReceives : SF_CTR_IpInReceives), 7);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InDelivers : SF_CTR_IpInDelivers), 4);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InAddrErrors : SF_CTR_IpInAddrErrors), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InUnknownProtos : SF_CTR_IpInUnknownProtos), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6InHdrErrors : SF_CTR_IpInHdrErrors), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Ip6OutRequests : SF_CTR_IpOutRequests), 4);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_IpInReceives : SF_CTR_Ip6InReceives), 0);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_IpOutRequests : SF_CTR_Ip6OutRequests), 0);
	assert_int_equal(h_counter(h, SF_CTR_OutSegs), 2);
	assert_int_equal(h_counter(h, SF_CTR_InSegs), 4);
	assert_int_equal(h_counter(h, SF_CTR_InErrs), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6InMsgs : SF_CTR_IcmpInMsgs), 1);
	assert_int_equal(h_counter(h, v6 ? SF_CTR_Icmp6OutMsgs : SF_CTR_IcmpOutMsgs), 2);
	assert_int_equal(h_drops(h, SF_DROP_IP_VERSION), 1);
	h_free(h);
}

static void test_ip_mib_v4(void **state) { (void)state; ip_mib(4); }
static void test_ip_mib_v6(void **state) { (void)state; ip_mib(6); }

/* IPv4 header errors the IP-MIB names: a bad header checksum, a source route, a martian source. */
static void test_ip_mib_header_errors_v4(void **state)
{
	(void)state;
	struct harness *h = h_new(4, NULL);
	uint8_t buf[256];
	struct sf_addr zero = sf_addr_v4(0, 0, 0, 0);
	static const uint8_t lsrr[8] = { 131, 7, 4, 0, 0, 0, 0, 0 };
	struct pkt p = { .family = 4, .proto = 17, .ttl = 64, .upper = payload, .upper_len = 8 };

	size_t n = build(h, buf, &p);
	buf[10] ^= 1;
	h_inject_raw(h, buf, n);
	p.ext = lsrr;
	p.ext_len = 8;
	h_inject_raw(h, buf, build(h, buf, &p));
	p.ext = NULL;
	p.ext_len = 0;
	p.src = &zero;
	h_inject_raw(h, buf, build(h, buf, &p));
	h_expect_none(h);
	assert_int_equal(h_counter(h, SF_CTR_IpInHdrErrors), 3);
	assert_int_equal(h_counter(h, SF_CTR_IpInReceives), 3);
	assert_int_equal(h_counter(h, SF_CTR_IpInUnknownProtos), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_v4),
		cmocka_unit_test(test_echo_v6),
		cmocka_unit_test(test_echo_65000_cut_to_mtu_v4),
		cmocka_unit_test(test_echo_65000_cut_to_mtu_v6),
		cmocka_unit_test(test_echo_options_not_echoed),
		cmocka_unit_test(test_echo_bad_checksum_v4),
		cmocka_unit_test(test_echo_bad_checksum_v6),
		cmocka_unit_test(test_echo_not_local_or_broadcast_not_answered),
		cmocka_unit_test(test_no_answer_to_replies_and_errors_v4),
		cmocka_unit_test(test_no_answer_to_replies_and_errors_v6),
		cmocka_unit_test(test_echo_rate_limited),
		cmocka_unit_test(test_rate_knobs),
		cmocka_unit_test(test_rate_config),
		cmocka_unit_test(test_protocol_unreachable_v4),
		cmocka_unit_test(test_param_problem_unknown_next_header_v6),
		cmocka_unit_test(test_param_problem_option_v6),
		cmocka_unit_test(test_no_error_about_an_icmp_error_v6),
		cmocka_unit_test(test_no_error_to_or_from_broadcast),
		cmocka_unit_test(test_error_sender_rules),
		cmocka_unit_test(test_error_budget),
		cmocka_unit_test(test_ip_mib_v4),
		cmocka_unit_test(test_ip_mib_v6),
		cmocka_unit_test(test_ip_mib_header_errors_v4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
