/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the socket API driven by the input. Two stacks wired to
 * each other (every datagram one sends is delivered to the other on the next
 * step), and a script of calls with arbitrary arguments on arbitrary handles
 * of either stack, interleaved with time. Every call must return a result or
 * a negative errno; the stacks must never crash, leak or trip a sanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synfin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QCAP 256

struct wire {
	uint8_t buf[QCAP][1600];
	uint16_t len[QCAP];
	unsigned n;
};

static void queue_out(void *ctx, const uint8_t *d, size_t n)
{
	struct wire *w = ctx;
	if (w->n < QCAP && n <= sizeof w->buf[0]) {
		memcpy(w->buf[w->n], d, n);
		w->len[w->n++] = (uint16_t)n;
	}
}

static void deliver(struct wire *w, sf_stack *to, uint64_t now)
{
	unsigned n = w->n;
	w->n = 0;
	for (unsigned i = 0; i < n; i++)
		sf_input(to, now, w->buf[i], w->len[i]);
}

static sf_stack *make(struct wire *out, uint8_t last)
{
	struct sf_config cfg;
	sf_config_default(&cfg);
	memset(cfg.secret, last, sizeof cfg.secret);
	cfg.deterministic_insecure = 1; /* last may be 0 */
	cfg.output = queue_out;
	cfg.output_ctx = out;
	cfg.msl_ms = 500;
	cfg.max_sockets = 32;
	sf_stack *st = sf_stack_new(&cfg, 0);
	struct sf_addr a = sf_addr_v4(192, 0, 2, last);
	if (st)
		sf_stack_add_address(st, &a, 1500);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire ab, ba;
	static char buf[70000];
	struct sf_event ev[8];
	uint64_t now = 0;

	ab.n = ba.n = 0;
	sf_stack *a = make(&ab, 1), *b = make(&ba, 2);
	if (!a || !b) {
		sf_stack_free(a);
		sf_stack_free(b);
		return 0;
	}
	for (size_t i = 0; i + 4 <= size; i += 4) {
		const uint8_t *c = data + i;
		sf_stack *st = (c[0] & 0x80) ? b : a;
		int h = (int)(c[1] % 40) - 4; /* some invalid handles too */
		uint16_t arg = (uint16_t)(c[2] << 8 | c[3]);
		struct sf_endpoint ep = { .addr = sf_addr_v4(192, 0, 2, (c[2] & 1) ? 2 : 1), .port = arg % 8 + 1 };
		switch (c[0] & 0x1f) {
		case 0: sf_socket(st, (c[2] & 3) == 0 ? SF_AF_INET6 : SF_AF_INET); break;
		case 1: sf_bind(st, h, &ep); break;
		case 2: sf_listen(st, h, (int)(int8_t)c[2]); break;
		case 3: sf_accept(st, h, (c[2] & 1) ? &ep : NULL); break;
		case 4: sf_connect(st, h, &ep); break;
		/* At most the buffer: a larger length would be the harness reading
		 * past buf (found by AFL++ once sf_set_bufsizes made room). */
		case 5: sf_send_flags(st, h, buf, arg * 2u < sizeof buf ? arg * 2u : sizeof buf, (c[3] & 0x80) ? SF_MSG_OOB : 0); break;
		case 6: sf_recv(st, h, buf, arg); break;
		case 7: sf_shutdown(st, h, c[2] % 4); break;
		case 8: sf_close(st, h); break;
		case 9: sf_abort(st, h); break;
		case 10: sf_set_linger(st, h, c[2] & 1, (int)(int8_t)c[3]); break;
		case 11:
			sf_set_reuseaddr(st, h, c[2] & 1);
			if (c[2] & 2) {
				sf_set_ttl(st, h, (int)c[3] - 1);
				sf_set_tclass(st, h, (int)c[3] - 1);
			}
			break;
		case 12: sf_set_maxseg(st, h, arg); break;
		case 13: sf_set_keepalive(st, h, c[2] & 1, arg, arg / 2, c[3]); break;
		case 14: sf_set_bufsizes(st, h, (uint32_t)arg * 64, (uint32_t)arg * 32); break;
		case 15: sf_set_nodelay(st, h, c[2] & 1); break;
		case 16: sf_set_user_timeout(st, h, arg); break;
		case 17: sf_getsockname(st, h, &ep); sf_getpeername(st, h, &ep); break;
		case 18: sf_state(st, h); sf_take_error(st, h); sf_urgent_left(st, h); break;
		case 19: sf_poll_events(st, ev, (int)(c[2] % 9)); break;
		case 20: /* kinds, units and thresholds both valid and not; FOREVER too */
			sf_set_retry_thresholds(st, h, c[2] % 3, c[3] % 4, c[3] >> 5, (c[2] & 0x80) ? SF_RETRY_FOREVER : arg % 64);
			sf_soft_error(st, h);
			break;
		case 29: sf_recv_flags(st, h, buf, arg, (c[2] & 1) ? SF_MSG_PEEK : c[3]); break;
		case 30: {
			struct sf_queue_info q;
			uint32_t snd, rcv;
			sf_get_maxseg(st, h);
			sf_get_bufsizes(st, h, (c[2] & 1) ? &snd : NULL, &rcv);
			sf_queued(st, h, (c[2] & 2) ? &q : NULL);
			sf_poll(st, h);
			break;
		}
		/* One size at a time (0 leaves the other as it is). */
		case 31: sf_set_bufsizes(st, h, (c[2] & 1) ? (uint32_t)arg * 64 : 0, (c[2] & 2) ? (uint32_t)arg * 32 : 0); break;
		default: /* 21 .. 28 */
			now += (uint64_t)arg * 100000u; /* up to 6.5 s */
			deliver(&ab, b, now);
			deliver(&ba, a, now);
			sf_advance(a, now);
			sf_advance(b, now);
			break;
		}
	}
	/* Wind down: deliver and advance until both stacks are quiet. */
	for (int i = 0; i < 200 && (ab.n || ba.n || sf_next_deadline(a) != UINT64_MAX ||
				   sf_next_deadline(b) != UINT64_MAX); i++) {
		now += 50000000u;
		deliver(&ab, b, now);
		deliver(&ba, a, now);
		sf_advance(a, now);
		sf_advance(b, now);
	}
	sf_stack_free(a);
	sf_stack_free(b);
	return 0;
}
