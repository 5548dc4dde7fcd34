/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: one stack holding a listener and connections in many
 * states, fed an arbitrary sequence of events decoded from the input:
 *   raw datagrams (anything at all),
 *   well-formed segments aimed at the connections (valid checksums, flags,
 *     sequence and ACK numbers near the connection's own, options, data),
 *   ICMP errors quoting the last datagram the stack sent (fragmentation
 *     needed / packet too big among them, with any MTU, the quoted sequence
 *     number near or at the real one), time advances, and API calls on the
 *     stack's handles.
 * The stack must never crash, leak, hang or trip a sanitizer, and the
 * debug build's transition check must hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synfin.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

struct world {
	sf_stack *st;
	uint64_t now;
	uint32_t last_seq, last_ack; /* from the stack's last segment: aim near them */
	uint16_t last_sport, last_dport;
	uint8_t last_dgram[128]; /* the head of the stack's last datagram, for ICMP to quote */
	size_t last_len;
	int socks[16];
};

static void capture(void *ctx, const uint8_t *dgram, size_t len)
{
	struct world *w = ctx;
	struct sf_segment seg;
	w->last_len = len < sizeof w->last_dgram ? len : sizeof w->last_dgram;
	memcpy(w->last_dgram, dgram, w->last_len);
	if (sf_wire_parse(dgram, len, &seg) == SF_DROP_NONE) {
		w->last_seq = seg.seq;
		w->last_ack = seg.ack;
		w->last_sport = seg.sport;
		w->last_dport = seg.dport;
	}
}

static void structured_segment(struct world *w, struct input *in)
{
	static const uint16_t ports[] = { 80, 81, 5000, 40000, 40001 };
	uint8_t buf[2048];
	uint8_t payload[600];
	uint32_t sel = take(in, 1);
	struct sf_segment seg = {
		.src = sf_addr_v4(192, 0, 2, 2), .dst = sf_addr_v4(192, 0, 2, 1),
		.sport = (sel & 0x80) ? w->last_dport : ports[sel % 5],
		.dport = (sel & 0x40) ? w->last_sport : ports[(sel >> 3) % 5],
		.flags = (uint8_t)take(in, 1),
		.window = (uint16_t)take(in, 2),
	};
	/* Near the numbers the stack is using, or anywhere. */
	int32_t dseq = (int32_t)(int16_t)take(in, 2), dack = (int32_t)(int16_t)take(in, 2);
	seg.seq = (sel & 0x20) ? w->last_ack + (uint32_t)dseq : take(in, 4);
	seg.ack = (sel & 0x10) ? w->last_seq + (uint32_t)dack : take(in, 4);
	uint32_t o = take(in, 1);
	seg.opt.has_mss = o & 1;
	seg.opt.mss = (uint16_t)take(in, 2);
	seg.opt.has_wscale = (o >> 1) & 1;
	seg.opt.wscale = (uint8_t)take(in, 1);
	seg.opt.sack_permitted = (o >> 2) & 1;
	seg.opt.has_timestamp = (o >> 3) & 1;
	seg.opt.ts_val = take(in, 4);
	seg.opt.ts_ecr = take(in, 4);
	seg.opt.sack_count = (o >> 4) & 3;
	for (int i = 0; i < seg.opt.sack_count; i++) {
		seg.opt.sack[i].left = w->last_seq + (uint32_t)(int32_t)(int16_t)take(in, 2);
		seg.opt.sack[i].right = seg.opt.sack[i].left + take(in, 2);
	}
	size_t len = take(in, 2) % sizeof payload;
	memset(payload, 'x', len);
	seg.payload = payload;
	seg.payload_len = len;
	size_t n = sf_wire_build(buf, sizeof buf, &seg, NULL, 0);
	if (n)
		sf_input(w->st, w->now, buf, n);
}

/* An ICMP error from a router about the stack's last datagram: mostly
 * fragmentation needed / packet too big, its MTU and the quoted sequence
 * number from the input. */
static void icmp_about_last(struct world *w, struct input *in)
{
	uint8_t quote[sizeof w->last_dgram], buf[256];
	uint32_t sel = take(in, 1), word = take(in, 4);
	int32_t dseq = (int32_t)(int8_t)take(in, 1);

	if (!w->last_len)
		return;
	bool v6 = (w->last_dgram[0] >> 4) == 6;
	size_t qlen = w->last_len, seq_at = (v6 ? 40 : (size_t)(w->last_dgram[0] & 15) * 4) + 4;
	memcpy(quote, w->last_dgram, qlen);
	if ((sel & 0x80) && seq_at + 4 <= qlen)
		sf_put32(quote + seq_at, sf_get32(quote + seq_at) + (uint32_t)dseq);
	static const uint8_t types4[] = { 3, 3, 3, 11, 12, 4 }, types6[] = { 2, 2, 1, 3, 4 };
	struct sf_icmp_out m = {
		.type = v6 ? types6[sel % 5] : types4[sel % 6],
		.code = (uint8_t)((sel & 0x40) ? take(in, 1) : (v6 ? 0 : 4)),
		.word = word, .body = quote, .body_len = qlen,
	};
	if (sf_addr_parse(v6 ? "2001:db8:ff::7" : "198.51.100.7", &m.src) != 0)
		return;
	m.dst = v6 ? sf_addr_v6(quote + 8) : sf_addr_v4(quote[12], quote[13], quote[14], quote[15]);
	size_t n = sf_wire_build_icmp(buf, sizeof buf, &m);
	if (n)
		sf_input(w->st, w->now, buf, n);
}

static void api_call(struct world *w, struct input *in)
{
	uint32_t op = take(in, 1), which = take(in, 1) % 16;
	int s = w->socks[which];
	char buf[3000];
	struct sf_endpoint ep = { .addr = sf_addr_v4(192, 0, 2, (op & 1) ? 2 : 1), .port = (uint16_t)take(in, 2) };
	struct sf_event ev[8];

	switch (op % 18) {
	case 0: w->socks[which] = sf_socket(w->st, SF_AF_INET); break;
	case 1: sf_bind(w->st, s, &ep); break;
	case 2: sf_listen(w->st, s, (int)(take(in, 1) % 8)); break;
	case 3: w->socks[which] = sf_accept(w->st, s, &ep); break;
	case 4: sf_connect(w->st, s, &ep); break;
	case 5: memset(buf, 'y', sizeof buf); sf_send(w->st, s, buf, take(in, 2) % sizeof buf); break;
	case 6: sf_recv(w->st, s, buf, take(in, 2) % sizeof buf); break;
	case 7: sf_shutdown(w->st, s, (int)(take(in, 1) % 4)); break;
	case 8: sf_close(w->st, s); break;
	case 9: sf_abort(w->st, s); break;
	case 10: sf_set_linger(w->st, s, 1, 0); break;
	case 11: sf_set_keepalive(w->st, s, 1, 1000, SF_KEEPALIVE_MIN_INTVL_MS, 2); break;
	case 12: sf_set_nodelay(w->st, s, 1); break;
	case 13: sf_poll_events(w->st, ev, 8); break;
	case 14: sf_state(w->st, s); sf_take_error(w->st, s); break;
	case 15: sf_input_begin(w->st); break; /* the datagrams that follow are one batch */
	case 16: sf_input_end(w->st); break;
	default: sf_set_bufsizes(w->st, s, 1024 + take(in, 2), 1024 + take(in, 2)); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world w = { .now = 1000000000ull };
	struct sf_config cfg;
	struct input in = { data, size };

	sf_config_default(&cfg);
	memcpy(cfg.secret, "fuzz secret 0123", 16);
	cfg.output = capture;
	cfg.output_ctx = &w;
	cfg.msl_ms = 1000;
	cfg.syn_backlog = 4;
	cfg.somaxconn = 2;
	cfg.reasm_max_bytes = 8192; /* a few fragments reach the caps: eviction runs */
	w.st = sf_stack_new(&cfg, w.now);
	if (!w.st)
		return 0;
	struct sf_addr a = sf_addr_v4(192, 0, 2, 1);
	sf_stack_add_address(w.st, &a, 1500);
	static const uint8_t a6_bytes[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct sf_addr a6 = sf_addr_v6(a6_bytes); /* so IPv6 fragments are ours to reassemble */
	sf_stack_add_address(w.st, &a6, 1500);
	for (int i = 0; i < 16; i++)
		w.socks[i] = -1;
	/* A listener on 80 and an active open to the peer's 5000, to start from. */
	w.socks[0] = sf_socket(w.st, SF_AF_INET);
	struct sf_endpoint any = { .addr = { .family = SF_AF_INET }, .port = 80 };
	sf_bind(w.st, w.socks[0], &any);
	sf_listen(w.st, w.socks[0], 2);
	w.socks[1] = sf_socket(w.st, SF_AF_INET);
	struct sf_endpoint peer = { .addr = sf_addr_v4(192, 0, 2, 2), .port = 5000 };
	sf_connect(w.st, w.socks[1], &peer);

	for (int steps = 0; in.n && steps < 2000; steps++) {
		switch (take(&in, 1) % 8) { /* 0 raw, 1 time, 2-3 API, 4-6 segment, 7 ICMP */
		case 0: { /* raw bytes */
			size_t len = take(&in, 1);
			if (len > in.n)
				len = in.n;
			sf_input(w.st, w.now, in.p, len);
			in.p += len;
			in.n -= len;
			break;
		}
		case 1:
			w.now += (uint64_t)take(&in, 2) * 1000000u; /* up to 65 s */
			sf_advance(w.st, w.now);
			break;
		case 2:
		case 3:
			api_call(&w, &in);
			break;
		case 7:
			icmp_about_last(&w, &in);
			break;
		default:
			structured_segment(&w, &in);
			break;
		}
	}
	/* Close any batch, then let every timer run out: the stack must wind
	 * down and free cleanly. */
	sf_input_end(w.st);
	for (int i = 0; i < 64 && sf_next_deadline(w.st) != UINT64_MAX; i++) {
		w.now = sf_next_deadline(w.st) > w.now ? sf_next_deadline(w.st) : w.now + 1;
		sf_advance(w.st, w.now);
	}
	sf_stack_free(w.st);
	return 0;
}
