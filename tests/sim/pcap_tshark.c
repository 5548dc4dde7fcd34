/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes a pcap of a scripted TCP exchange carried by the simulator over a
 * link that corrupts and duplicates, for check_pcap_tshark.sh to hold against
 * tshark's own dissection and checksum verification.
 *
 * usage: sim_pcap_tshark OUT.pcap CORRUPTED.txt [CLASSES.txt]
 *
 * Two hosts, A and B. Both sides of three connections (IPv4, IPv6, IPv4
 * again) are played from a script built with sf_wire_build: handshake with
 * MSS, window scale, SACK-permitted and timestamps; data both ways, each
 * segment acknowledged; FIN/ACK each way. Every delivered datagram lands in
 * the pcap, so frame n is the nth delivery. CORRUPTED.txt lists, one per line,
 * the frame numbers of deliveries with a flipped bit. CLASSES.txt has a line
 * "FRAME CLASS" for each of them, saying where the bit was flipped:
 *
 *   checked        somewhere a checksum or a length check covers: every IPv4
 *                  header bit but the version, every TCP bit, the IPv6
 *                  addresses (in the TCP pseudo-header) and payload length;
 *   unprotected    the IPv6 traffic class, flow label or hop limit, which no
 *                  checksum covers: the datagram is still perfectly valid
 *                  TCP/IPv6 and no receiver, tshark included, can tell;
 *   reinterpreted  the IP version nibble or the IPv6 next header: the bytes
 *                  now claim to be another protocol, and are no longer TCP.
 *
 * The last stdout line is "frames=N", the number of deliveries.
 * SIM_PCAP_SEED in the environment overrides the built-in seed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"
#include "sim.h"
#include "wire/wire.h"

#define SEED 320u /* chosen so that every class of flip below occurs */
#define MAX_STEPS 160
#define STEP_NS 2000000ull /* 2 ms between script steps, more than the link delay */
#define HOP_LIMIT 64

enum { HOST_A, HOST_B };

struct step {
	int from;
	struct sf_segment seg;
	uint8_t payload[1200];
};

/* A sent datagram, kept to find which bit a corrupted delivery had flipped. */
struct sent {
	uint8_t *data;
	size_t len;
};

struct run {
	struct sf_sim *sim;
	struct step steps[MAX_STEPS];
	size_t nsteps;
	struct sent sent[MAX_STEPS];
	size_t nsent;
	uint64_t frames, corrupted, nclass[3];
	FILE *corrupted_out, *classes_out;
	bool failed;
};

static void fail(struct run *r, const char *msg)
{
	fprintf(stderr, "sim_pcap_tshark: %s\n", msg);
	r->failed = true;
}

/* One TCP connection as the script plays it: A the client, B the server. */
struct conn {
	struct sf_addr a, b;
	uint16_t pa, pb;
	uint32_t a_nxt, b_nxt; /* next sequence number each side sends */
	uint32_t ts_base;
};

static struct step *add_step(struct run *r, struct conn *c, int from, uint8_t flags, size_t len)
{
	if (r->nsteps == MAX_STEPS) {
		fail(r, "script too long");
		exit(1);
	}
	struct step *s = &r->steps[r->nsteps];
	struct sf_segment *g = &s->seg;
	uint32_t ts_now = c->ts_base + (uint32_t)r->nsteps * 2;

	memset(s, 0, sizeof(*s));
	s->from = from;
	g->src = from == HOST_A ? c->a : c->b;
	g->dst = from == HOST_A ? c->b : c->a;
	g->sport = from == HOST_A ? c->pa : c->pb;
	g->dport = from == HOST_A ? c->pb : c->pa;
	g->seq = from == HOST_A ? c->a_nxt : c->b_nxt;
	g->ack = !(flags & SF_TCP_ACK) ? 0 : from == HOST_A ? c->b_nxt : c->a_nxt;
	g->flags = flags;
	g->window = 502;
	g->ttl = HOP_LIMIT;
	g->opt.has_timestamp = true;
	g->opt.ts_val = ts_now + (from == HOST_A ? 0 : 100000);
	g->opt.ts_ecr = (flags & SF_TCP_ACK) ? ts_now - 1 + (from == HOST_A ? 100000 : 0) : 0;
	for (size_t i = 0; i < len; i++)
		s->payload[i] = (uint8_t)("synfin says hello over a lossy wire. "[i % 37]);
	g->payload = s->payload;
	g->payload_len = len;
	if (from == HOST_A)
		c->a_nxt += sf_segment_seq_len(g);
	else
		c->b_nxt += sf_segment_seq_len(g);
	r->nsteps++;
	return s;
}

static void script_conn(struct run *r, struct conn *c)
{
	struct step *s;

	s = add_step(r, c, HOST_A, SF_TCP_SYN, 0);
	s->seg.opt.has_mss = true;
	s->seg.opt.mss = c->a.family == SF_AF_INET ? 1460 : 1440;
	s->seg.opt.has_wscale = true;
	s->seg.opt.wscale = 7;
	s->seg.opt.sack_permitted = true;
	s->seg.window = 64240;

	s = add_step(r, c, HOST_B, SF_TCP_SYN | SF_TCP_ACK, 0);
	s->seg.opt.has_mss = true;
	s->seg.opt.mss = 1400;
	s->seg.opt.has_wscale = true;
	s->seg.opt.wscale = 9;
	s->seg.opt.sack_permitted = true;
	s->seg.window = 65160;

	add_step(r, c, HOST_A, SF_TCP_ACK, 0);
	for (int i = 0; i < 8; i++) {
		add_step(r, c, HOST_A, SF_TCP_ACK | SF_TCP_PSH, 100 + (size_t)i * 130);
		add_step(r, c, HOST_B, SF_TCP_ACK, 0);
	}
	for (int i = 0; i < 5; i++) {
		add_step(r, c, HOST_B, SF_TCP_ACK | SF_TCP_PSH, 1200 - (size_t)i * 200);
		add_step(r, c, HOST_A, SF_TCP_ACK, 0);
	}
	add_step(r, c, HOST_A, SF_TCP_FIN | SF_TCP_ACK, 0);
	add_step(r, c, HOST_B, SF_TCP_ACK, 0);
	add_step(r, c, HOST_B, SF_TCP_FIN | SF_TCP_ACK, 0);
	add_step(r, c, HOST_A, SF_TCP_ACK, 0);
}

struct step_ctx {
	struct run *run;
	size_t i;
};

static void play_step(void *ctx, uint64_t now)
{
	struct step_ctx *sc = ctx;
	struct run *r = sc->run;
	struct step *s = &r->steps[sc->i];
	uint8_t buf[SF_MAX_HEADERS_LEN + sizeof(s->payload)];
	size_t len = sf_wire_build(buf, sizeof(buf), &s->seg, NULL, 0);

	(void)now;
	if (!len) {
		fail(r, "sf_wire_build refused a scripted segment");
		return;
	}
	/* The flip classification below relies on these IPv6 fields being known. */
	if (buf[0] >> 4 == 6 && (sf_get32(buf) != 0x60000000u || buf[7] != HOP_LIMIT))
		fail(r, "IPv6 header with unexpected traffic class, flow label or hop limit");
	r->sent[r->nsent].data = malloc(len);
	if (!r->sent[r->nsent].data) {
		fail(r, "out of memory");
		return;
	}
	memcpy(r->sent[r->nsent].data, buf, len);
	r->sent[r->nsent].len = len;
	r->nsent++;
	if (sf_sim_send(r->sim, s->from, buf, len))
		fail(r, "sf_sim_send failed");
}

enum flip_class { FLIP_CHECKED, FLIP_UNPROTECTED, FLIP_REINTERPRETED };

static const char *const flip_class_name[] = { "checked", "unprotected", "reinterpreted" };

/* Where a flip of bit (0 = the most significant bit of byte 0) lands. */
static enum flip_class classify_flip(bool v6, size_t bit)
{
	if (bit < 4)
		return FLIP_REINTERPRETED;      /* IP version */
	if (v6 && bit / 8 == 6)
		return FLIP_REINTERPRETED;      /* IPv6 next header */
	if (v6 && (bit < 32 || bit / 8 == 7))
		return FLIP_UNPROTECTED;        /* traffic class, flow label, hop limit */
	return FLIP_CHECKED;
}

/*
 * The class of a corrupted delivery's flip, found by comparing it with the
 * original it differs from in exactly one bit. -1 if no original matches,
 * -2 if two originals match with different answers.
 */
static int flip_class_of(const struct run *r, const uint8_t *d, size_t len)
{
	int verdict = -1;

	for (size_t k = 0; k < r->nsent; k++) {
		const struct sent *s = &r->sent[k];
		size_t bit = 0, nbits = 0;

		if (s->len != len)
			continue;
		for (size_t i = 0; i < len && nbits < 2; i++) {
			uint8_t x = s->data[i] ^ d[i];

			for (int b = 7; b >= 0; b--) {
				if (x >> b & 1) {
					bit = i * 8 + (size_t)(7 - b);
					nbits++;
				}
			}
		}
		if (nbits != 1)
			continue;
		int c = (int)classify_flip(s->data[0] >> 4 == 6, bit);

		if (verdict >= 0 && verdict != c)
			return -2;
		verdict = c;
	}
	return verdict;
}

static void observe(void *ctx, const struct sf_sim_event *ev)
{
	struct run *r = ctx;

	if (ev->kind == SF_SIM_EV_DROP) {
		fail(r, "a datagram was dropped; this link only corrupts and duplicates");
		return;
	}
	if (ev->kind != SF_SIM_EV_DELIVER)
		return;
	r->frames++;
	if (!ev->corrupted)
		return;
	r->corrupted++;
	fprintf(r->corrupted_out, "%llu\n", (unsigned long long)r->frames);
	int c = flip_class_of(r, ev->dgram, ev->len);

	if (c < 0) {
		fail(r, "cannot tell which bit of a corrupted datagram was flipped");
		return;
	}
	r->nclass[c]++;
	if (r->classes_out)
		fprintf(r->classes_out, "%llu %s\n", (unsigned long long)r->frames, flip_class_name[c]);
}

static void deliver(void *ctx, uint64_t now, const uint8_t *d, size_t len)
{
	/* Both hosts play from the script; what arrives is only recorded. */
	(void)ctx;
	(void)now;
	(void)d;
	(void)len;
}

int main(int argc, char **argv)
{
	static struct run r;
	static struct step_ctx sc[MAX_STEPS];
	const struct sf_sim_host_ops ops = { .deliver = deliver };
	const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct conn conns[] = {
		{ sf_addr_v4(192, 0, 2, 1), sf_addr_v4(192, 0, 2, 2), 40001, 80, 1000, 3000000000u, 100 },
		{ sf_addr_v6(a6), sf_addr_v6(b6), 40002, 443, 0xfffff000u, 77, 5000 },
		{ sf_addr_v4(192, 0, 2, 1), sf_addr_v4(192, 0, 2, 2), 40003, 8080, 123456, 654321, 9000 },
	};
	struct sf_sim_link link = { .delay_ns = 1000000, .corrupt = 0.10, .duplicate = 0.05 };
	struct sf_pcap *pcap;
	int rc = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s OUT.pcap CORRUPTED.txt [CLASSES.txt]\n", argv[0]);
		return 2;
	}
	r.corrupted_out = fopen(argv[2], "w");
	r.classes_out = argc > 3 ? fopen(argv[3], "w") : NULL;
	pcap = sf_pcap_open(argv[1]);
	if (!r.corrupted_out || (argc > 3 && !r.classes_out) || !pcap) {
		perror("sim_pcap_tshark: open output");
		return 1;
	}

	const char *seed_env = getenv("SIM_PCAP_SEED");
	uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0) : SEED;

	r.sim = sf_sim_new(seed);
	if (!r.sim)
		return 1;
	if (sf_sim_add_host(r.sim, "A", &ops, NULL) != HOST_A ||
	    sf_sim_add_host(r.sim, "B", &ops, NULL) != HOST_B ||
	    sf_sim_add_addr(r.sim, HOST_A, &conns[0].a) || sf_sim_add_addr(r.sim, HOST_B, &conns[0].b) ||
	    sf_sim_add_addr(r.sim, HOST_A, &conns[1].a) || sf_sim_add_addr(r.sim, HOST_B, &conns[1].b)) {
		fprintf(stderr, "sim_pcap_tshark: setting up hosts failed\n");
		return 1;
	}
	sf_sim_set_all_links(r.sim, &link);
	sf_sim_set_observer(r.sim, observe, &r);
	sf_sim_set_pcap(r.sim, pcap);

	for (size_t i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
		script_conn(&r, &conns[i]);
	for (size_t i = 0; i < r.nsteps; i++) {
		sc[i] = (struct step_ctx){ &r, i };
		if (sf_sim_at(r.sim, i * STEP_NS, play_step, &sc[i])) {
			fprintf(stderr, "sim_pcap_tshark: out of memory\n");
			return 1;
		}
	}
	sf_sim_run(r.sim, SF_SIM_NEVER);

	const struct sf_sim_stats *st = sf_sim_get_stats(r.sim);

	if (sf_pcap_count(pcap) != r.frames || st->delivered != r.frames)
		fail(&r, "pcap records disagree with deliveries");
	if (st->sent != r.nsteps || st->delivered != st->sent + st->duplicated)
		fail(&r, "not every scripted datagram was delivered");
	printf("sim_pcap_tshark: seed %llu: %zu datagrams sent, %llu delivered (%llu duplicates); "
	       "%llu corrupted: %llu checked, %llu unprotected, %llu reinterpreted\n",
	       (unsigned long long)seed, r.nsteps, (unsigned long long)r.frames,
	       (unsigned long long)st->duplicated, (unsigned long long)r.corrupted,
	       (unsigned long long)r.nclass[FLIP_CHECKED], (unsigned long long)r.nclass[FLIP_UNPROTECTED],
	       (unsigned long long)r.nclass[FLIP_REINTERPRETED]);
	printf("frames=%llu\n", (unsigned long long)r.frames);

	if (sf_pcap_close(pcap))
		fail(&r, "closing the pcap failed");
	if (fclose(r.corrupted_out) || (r.classes_out && fclose(r.classes_out)))
		fail(&r, "writing the frame lists failed");
	sf_sim_free(r.sim);
	for (size_t i = 0; i < r.nsent; i++)
		free(r.sent[i].data);
	if (r.failed)
		rc = 1;
	return rc;
}
