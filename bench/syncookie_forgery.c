/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * synfin-bench-syncookie-forgery: how often a blind attacker's ACK passes as
 * a SYN cookie (RFC 4987 §3.6), measured through sf_input.
 *
 * A listener with syncookies = 2 (every ACK to it is checked as a cookie)
 * receives --tries ACKs with random source address and port, sequence and
 * acknowledgment numbers, half of them carrying a byte of data, over a
 * virtual stretch of several cookie minutes. Every one that the stack takes
 * for a cookie (SyncookiesRecv) is a successful forgery. The design says a
 * try succeeds with probability 2/2^8 (a live counter byte) * 4/2^24 (one of
 * four MSS indexes) = 2^-29, twice that for a bare ACK (it may also be a
 * keepalive probe, checked with SEG.SEQ as the ISN).
 *
 * Then --cross real cookies: SYNs to a first stack, whose SYN,ACKs carry
 * valid cookies, and their final ACKs to a second stack with another secret.
 * None may pass.
 *
 * Exit status 1 if the measured rate is above the 2^-24 the documentation
 * promises as a bound (with fewer than 2^24 tries that takes a hit at all),
 * or if any cross-stack cookie passes.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "synfin.h"

#define SERVER 0xc0000202u /* 192.0.2.2 */
#define PORT 80

struct sink {
	uint8_t last[2048];
	size_t last_len;
	uint64_t count;
};

static void sink_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct sink *s = ctx;
	s->count++;
	if (len <= sizeof s->last) {
		memcpy(s->last, dgram, len);
		s->last_len = len;
	}
}

static sf_stack *server(struct sink *sink, uint8_t secret_byte, uint64_t now)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	memset(cfg.secret, secret_byte, sizeof cfg.secret);
	cfg.output = sink_output;
	cfg.output_ctx = sink;
	cfg.syncookies = 2;
	cfg.somaxconn = 1u << 20; /* the cross check's connections all wait in the accept queue */
	sf_stack *st = sf_stack_new(&cfg, now);
	struct sf_addr a = sf_addr_v4(192, 0, 2, 2);
	if (!st || sf_stack_add_address(st, &a, 1500) < 0)
		return NULL;
	int l = sf_socket(st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = PORT };
	if (l < 0 || sf_bind(st, l, &any) < 0 || sf_listen(st, l, 1 << 20) < 0)
		return NULL;
	return st;
}

static size_t segment(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport, uint32_t seq, uint32_t ack,
		      uint8_t flags, size_t len)
{
	static const uint8_t byte = 'x';
	struct sf_segment seg = {
		.src = sf_addr_v4((uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src),
		.dst = sf_addr_v4(192, 0, 2, 2), .sport = sport, .dport = PORT, .seq = seq, .ack = ack,
		.flags = flags, .window = 65535, .payload = len ? &byte : NULL, .payload_len = len,
	};
	return sf_segment_build(buf, cap, &seg);
}

int main(int argc, char **argv)
{
	uint64_t tries = 10000000, cross = 100000, seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tries") && i + 1 < argc)
			tries = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--cross") && i + 1 < argc)
			cross = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: synfin-bench-syncookie-forgery [--tries N] [--cross N] [--seed S]\n");
			return 2;
		}
	}
	uint64_t s = seed * 0x9e3779b97f4a7c15ull | 1;
	uint64_t now = 1000000000ull, step = 600ull * 1000000000ull / (tries ? tries : 1); /* 10 minutes in all */
	struct sink sink = { 0 };
	sf_stack *st = server(&sink, 0x5a, now);
	if (!st) {
		fprintf(stderr, "cannot make the server stack\n");
		return 1;
	}
	uint8_t buf[128];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t bare = 0;
	for (uint64_t i = 0; i < tries; i++) {
		uint64_t r = bench_rand64(&s), r2 = bench_rand64(&s);
		uint32_t src = 0xc6120000u | (uint32_t)(r & 0xffff); /* 198.18.0.0/16 */
		size_t len = (r >> 16) & 1;
		bare += !len;
		size_t n = segment(buf, sizeof buf, src, (uint16_t)(1024 + ((r >> 17) % 64000)), (uint32_t)r2,
				   (uint32_t)(r2 >> 32), SF_TCP_ACK, len);
		now += step;
		sf_input(st, now, buf, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	const struct sf_counters *c = sf_stack_counters(st);
	uint64_t hits = c->SyncookiesRecv, failed = c->SyncookiesFailed;
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double expect = (double)bare * ldexp(1, -28) + (double)(tries - bare) * ldexp(1, -29);
	/* No hit in n tries: the rate is below 3/n with 95 % confidence (the rule of three). */
	double bound = hits ? (double)hits / (double)tries : 3.0 / (double)tries;
	printf("forged ACKs                 %llu (%llu bare, %llu with data), %.1f s virtual, %.2f s wall (%.0f/s)\n",
	       (unsigned long long)tries, (unsigned long long)bare, (unsigned long long)(tries - bare),
	       (double)(now - 1000000000ull) / 1e9, wall, (double)tries / wall);
	printf("checked as cookies          %llu (SyncookiesFailed %llu)\n", (unsigned long long)(hits + failed),
	       (unsigned long long)failed);
	printf("taken for cookies           %llu\n", (unsigned long long)hits);
	printf("expected by the MAC's width %.4f (2^-29 per ACK with data, 2^-28 per bare ACK)\n", expect);
	printf("measured rate               %s %.3g per try (2^%.1f)\n", hits ? "=" : "<", bound, log2(bound));
	int rc = hits > 0 && (double)hits / (double)tries > ldexp(1, -24);
	sf_stack_free(st);

	/* Real cookies of one stack, offered to another with a different secret. */
	struct sink sa = { 0 }, sb = { 0 };
	sf_stack *a = server(&sa, 0x11, now), *b = server(&sb, 0x22, now);
	if (!a || !b) {
		fprintf(stderr, "cannot make the cross-check stacks\n");
		return 1;
	}
	uint64_t made = 0;
	for (uint64_t i = 0; i < cross; i++) {
		uint64_t r = bench_rand64(&s);
		uint32_t src = 0xc6130000u | (uint32_t)(r & 0xffff), isn = (uint32_t)(r >> 16);
		uint16_t sport = (uint16_t)(1024 + ((r >> 48) % 64000));
		size_t n = segment(buf, sizeof buf, src, sport, isn, 0, SF_TCP_SYN, 0);
		now += 1000;
		uint64_t before = sa.count;
		sf_input(a, now, buf, n);
		struct sf_segment synack;
		if (sa.count != before + 1 || sf_segment_parse(sa.last, sa.last_len, &synack) != SF_DROP_NONE ||
		    synack.flags != (SF_TCP_SYN | SF_TCP_ACK))
			continue;
		made++;
		n = segment(buf, sizeof buf, src, sport, isn + 1, synack.seq + 1, SF_TCP_ACK, 0);
		sf_input(b, now, buf, n);
		sf_input(a, now, buf, n); /* and to their own stack, which must take every one */
	}
	uint64_t cross_hits = sf_stack_counters(b)->SyncookiesRecv, own = sf_stack_counters(a)->SyncookiesRecv;
	printf("cookies of another secret   %llu offered, %llu taken (their own stack took %llu)\n",
	       (unsigned long long)made, (unsigned long long)cross_hits, (unsigned long long)own);
	/* A random 4-tuple can repeat one already connected: that SYN makes no cookie. */
	rc |= cross_hits != 0 || made == 0 || own != made;
	sf_stack_free(a);
	sf_stack_free(b);
	return rc;
}
