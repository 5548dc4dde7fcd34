/* SPDX-License-Identifier: BSD-2-Clause */
#include "harness.h"

#include "tcp/tcp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void h_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct harness *h = ctx;

	assert_true(h->nout < H_MAX_OUT);
	assert_true(len <= sizeof h->out[0].data);
	memcpy(h->out[h->nout].data, dgram, len);
	h->out[h->nout].len = len;
	h->nout++;
}

static void h_trace(void *ctx, const struct sf_trace_event *ev)
{
	struct harness *h = ctx;

	if (ev->kind == SF_TRACE_STATE && h->nstates < H_MAX_TRACE) {
		struct h_state_change *c = &h->states[h->nstates++];
		c->sock = ev->sock;
		c->from = ev->old_state;
		c->to = ev->new_state;
		c->cause = ev->cause;
	}
	if (ev->kind == SF_TRACE_DROP) {
		h->last_drop = ev->drop;
		h->ndrops++;
	}
	if (ev->kind == SF_TRACE_SEGMENT_OUT && ev->mtu_probe)
		h->nmtu_probes++;
	if (ev->kind == SF_TRACE_PATH_MTU) {
		h->path_mtu = ev->mtu;
		h->path_mtu_cause = ev->cause;
		h->npath_mtu++;
	}
	if (ev->kind == SF_TRACE_NEGATIVE_ADVICE) {
		h->advice_sock = ev->sock;
		h->nadvice++;
	}
}

void h_cfg_rfc6298_min_rto(struct sf_config *cfg)
{
	cfg->rto_min_ms = 1000;
}

struct harness *h_new(int family, h_config_fn adjust)
{
	struct harness *h = calloc(1, sizeof *h);

	assert_non_null(h);
	h->family = family;
	sf_config_default(&h->cfg);
	for (int i = 0; i < 16; i++)
		h->cfg.secret[i] = (uint8_t)(0xa0 + i);
	h->cfg.output = h_output;
	h->cfg.output_ctx = h;
	h->cfg.trace = h_trace;
	h->cfg.trace_ctx = h;
	if (adjust)
		adjust(&h->cfg);
	h->now = 1000 * H_MS;
	h->st = sf_stack_new(&h->cfg, h->now);
	assert_non_null(h->st);
	if (family == 4) {
		h->local = sf_addr_v4(192, 0, 2, 1);
		h->peer = sf_addr_v4(192, 0, 2, 2);
	} else {
		assert_int_equal(sf_addr_parse("2001:db8::1", &h->local), 0);
		assert_int_equal(sf_addr_parse("2001:db8::2", &h->peer), 0);
	}
	assert_int_equal(sf_stack_add_address(h->st, &h->local, 1500), 0);
	h->peer_port = 40000;
	return h;
}

void h_free(struct harness *h)
{
	sf_stack_free(h->st);
	free(h);
}

void h_send_seg(struct harness *h, const struct h_seg *s)
{
	uint8_t buf[2048];
	uint16_t window = s->window;

	if (!window && !s->zero_window)
		window = (s->flags & SF_TCP_RST) ? 0 : 65535;
	if (s->zero_window)
		assert_int_equal(s->window, 0);
	const void *data = s->data;
	size_t len = s->len;
	if (s->text) {
		assert_null(s->data);
		assert_int_equal(s->len, 0);
		data = s->text;
		len = strlen(s->text);
	}
	struct sf_segment seg = {
		.src = s->src ? *s->src : h->peer, .dst = s->dst ? *s->dst : h->local, .sport = s->rport ? s->rport : h->peer_port, .dport = s->lport,
		.seq = s->seq, .ack = s->ack, .flags = s->flags, .window = window, .urgent = s->urgent,
		.tclass = s->tclass,
		.payload = data, .payload_len = len,
	};
	if (s->opt)
		seg.opt = *s->opt;
	size_t n = sf_wire_build(buf, sizeof buf, &seg, NULL, 0);
	assert_true(n > 0);
	sf_input(h->st, h->now, buf, n);
}

void h_inject_raw(struct harness *h, const void *dgram, size_t len)
{
	sf_input(h->st, h->now, dgram, len);
}

size_t h_pending(const struct harness *h)
{
	return h->nout - h->next_out;
}

struct sf_segment h_next(struct harness *h)
{
	struct sf_segment seg;

	if (h->next_out >= h->nout)
		fail_msg("expected a segment from the stack, none was sent");
	struct h_out *o = &h->out[h->next_out++];
	assert_int_equal(sf_wire_parse(o->data, o->len, &seg), SF_DROP_NONE);
	/* Keep payload valid while the harness lives (outputs are not reused). */
	return seg;
}

size_t h_last_len(const struct harness *h)
{
	assert_true(h->next_out > 0);
	return h->out[h->next_out - 1].len;
}

static void flag_text(uint8_t f, char *buf)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	buf[0] = 0;
	for (int i = 0; i < 8; i++)
		if (f & (1u << i)) {
			strcat(buf, names[i]);
			strcat(buf, " ");
		}
}

struct sf_segment h_expect(struct harness *h, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct sf_segment seg = h_next(h);
	if (seg.flags != flags) {
		char want[64], got[64];
		flag_text(flags, want);
		flag_text(seg.flags, got);
		fail_msg("flags: want [%s] got [%s] (seq %u ack %u)", want, got, seg.seq, seg.ack);
	}
	assert_int_equal(seg.seq, seq);
	if (flags & SF_TCP_ACK)
		assert_int_equal(seg.ack, ack);
	return seg;
}

void h_expect_none(struct harness *h)
{
	if (h->next_out < h->nout) {
		struct sf_segment seg = h_next(h);
		char got[64];
		flag_text(seg.flags, got);
		fail_msg("expected no segment, got [%s] seq %u ack %u len %zu", got, seg.seq, seg.ack, seg.payload_len);
	}
}

size_t h_drain(struct harness *h)
{
	size_t n = 0;

	for (; h_pending(h); n++)
		h_next(h);
	return n;
}

void h_advance(struct harness *h, uint64_t ms)
{
	uint64_t target = h->now + ms * H_MS;

	for (;;) {
		uint64_t d = sf_next_deadline(h->st);
		if (d > target)
			break;
		if (d > h->now)
			h->now = d;
		sf_advance(h->st, h->now);
	}
	h->now = target;
	sf_advance(h->st, h->now);
}

uint64_t h_advance_to_deadline(struct harness *h)
{
	uint64_t d = sf_next_deadline(h->st);

	assert_true(d != UINT64_MAX);
	uint64_t moved = d > h->now ? d - h->now : 0;
	if (d > h->now)
		h->now = d;
	sf_advance(h->st, h->now);
	return moved / H_MS;
}

static struct sf_endpoint ep(const struct sf_addr *a, uint16_t port)
{
	struct sf_endpoint e = { .addr = *a, .port = port };
	return e;
}

int h_listen(struct harness *h, uint16_t port, int backlog)
{
	int s = sf_socket(h->st, h->family);
	assert_true(s >= 0);
	struct sf_endpoint local = ep(&h->local, port);
	memset(local.addr.bytes, 0, sizeof local.addr.bytes); /* wildcard */
	assert_int_equal(sf_bind(h->st, s, &local), 0);
	assert_int_equal(sf_listen(h->st, s, backlog), 0);
	return s;
}

int h_connect(struct harness *h, uint16_t lport, uint16_t rport, uint32_t *iss)
{
	int s = sf_socket(h->st, h->family);
	assert_true(s >= 0);
	if (lport) {
		struct sf_endpoint local = ep(&h->local, lport);
		assert_int_equal(sf_bind(h->st, s, &local), 0);
	}
	struct sf_endpoint remote = ep(&h->peer, rport);
	assert_int_equal(sf_connect(h->st, s, &remote), -EINPROGRESS);
	struct sf_segment syn = h_next(h);
	assert_int_equal(syn.flags, SF_TCP_SYN);
	assert_int_equal(syn.dport, rport);
	h->peer_port = rport;
	if (iss)
		*iss = syn.seq;
	return s;
}

struct sf_segment h_syn_in(struct harness *h, uint16_t lport, uint32_t isn, const struct sf_tcp_options *opt)
{
	h_send(h, .lport = lport, .flags = SF_TCP_SYN, .seq = isn, .opt = opt);
	struct sf_segment sa = h_next(h);
	assert_int_equal(sa.flags, SF_TCP_SYN | SF_TCP_ACK);
	assert_int_equal(sa.ack, isn + 1);
	return sa;
}

struct sf_segment h_synack_in(struct harness *h, uint16_t lport, uint32_t peer_isn, uint32_t iss, uint16_t window,
			      const struct sf_tcp_options *opt)
{
	h_send(h, .lport = lport, .flags = SF_TCP_SYN | SF_TCP_ACK, .seq = peer_isn, .ack = iss + 1, .window = window,
	       .zero_window = !window, .opt = opt);
	return h_expect(h, SF_TCP_ACK, iss + 1, peer_isn + 1);
}

int h_accept_opt(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, const struct sf_tcp_options *opt,
		 uint32_t *iss)
{
	struct sf_segment sa = h_syn_in(h, lport, peer_isn, opt);
	h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = peer_isn + 1, .ack = sa.seq + 1);
	struct sf_endpoint peer;
	int s = sf_accept(h->st, listener, &peer);
	assert_true(s >= 0);
	if (iss)
		*iss = sa.seq;
	return s;
}

int h_accept_new(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, uint32_t *iss)
{
	struct sf_tcp_options opt = { .has_mss = 1, .mss = 1460 };
	return h_accept_opt(h, listener, lport, peer_isn, &opt, iss);
}

int h_complete(struct harness *h, int listener, uint16_t lport, uint32_t peer_isn, uint32_t iss, uint16_t window,
	       const struct sf_tcp_options *opt)
{
	h_send(h, .lport = lport, .flags = SF_TCP_ACK, .seq = peer_isn + 1, .ack = iss + 1, .window = window,
	       .zero_window = !window, .opt = opt);
	h_expect_none(h);
	int c = sf_accept(h->st, listener, NULL);
	assert_true(c >= 0);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	return c;
}

int h_established(struct harness *h, uint16_t port, uint32_t peer_isn, uint32_t *iss)
{
	int l = h_listen(h, port, 8);
	int c = h_accept_new(h, l, port, peer_isn, iss);

	h_expect_none(h);
	assert_int_equal(sf_state(h->st, c), SF_ESTABLISHED);
	return c;
}

void h_close_to_time_wait(struct harness *h, int s, uint16_t lport, uint32_t iss, uint32_t peer_seq)
{
	assert_int_equal(sf_close(h->st, s), 0);
	h_expect(h, SF_TCP_FIN | SF_TCP_ACK, iss + 1, peer_seq);
	h_send(h, .lport = lport, .flags = SF_TCP_FIN | SF_TCP_ACK, .seq = peer_seq, .ack = iss + 2);
	h_expect(h, SF_TCP_ACK, iss + 2, peer_seq + 1);
	h_drain(h);
}

uint16_t h_local_port(struct harness *h, int s)
{
	struct sf_endpoint l;

	assert_int_equal(sf_getsockname(h->st, s, &l), 0);
	return l.port;
}

struct sf_tcb *h_tcb(struct harness *h, int s)
{
	struct sf_sock *k = sf_sock_get(h->st, (uint32_t)s);
	assert_non_null(k);
	assert_int_equal(k->kind, SF_SOCK_TCB);
	return (struct sf_tcb *)k;
}

size_t h_count_states(const struct harness *h, enum sf_tcp_state from, enum sf_tcp_state to)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nstates; i++)
		if (h->states[i].from == from && h->states[i].to == to)
			n++;
	return n;
}

uint32_t h_events(struct harness *h, int sock)
{
	struct sf_event ev[64];
	uint32_t mask = 0;
	int n;

	while ((n = sf_poll_events(h->st, ev, 64)) > 0)
		for (int i = 0; i < n; i++)
			if (ev[i].sock == sock)
				mask |= ev[i].events;
	return mask;
}

int h_saw_state(const struct harness *h, enum sf_tcp_state from, enum sf_tcp_state to)
{
	return h_count_states(h, from, to) > 0;
}

uint64_t h_counter(const struct harness *h, enum sf_counter_id id)
{
	return sf_counter_value(sf_stack_counters(h->st), id);
}

uint64_t h_drops(const struct harness *h, enum sf_drop_reason reason)
{
	return sf_stack_counters(h->st)->drops[reason];
}

void h_expect_closed_after(struct harness *h, int s, uint64_t ms, enum sf_tcp_state before)
{
	h_advance(h, ms - 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), before);
	h_advance(h, 1);
	h_expect_none(h);
	assert_int_equal(sf_state(h->st, s), SF_CLOSED);
}


const struct h_out *h_last_sent(const struct harness *h)
{
	assert_true(h->next_out > 0);
	return &h->out[h->next_out - 1];
}

void h_icmp_error(struct harness *h, uint8_t type, uint8_t code, const uint8_t *dgram, size_t dlen,
		  uint32_t seq_override, uint32_t word)
{
	uint8_t quote[1200], buf[2048];
	size_t qlen = dlen > sizeof quote ? sizeof quote : dlen;

	memcpy(quote, dgram, qlen);
	if (seq_override)
		sf_put32(quote + (h->family == 6 ? 40 : (size_t)(dgram[0] & 15) * 4) + 4, seq_override);
	struct sf_icmp_out m = { .dst = h->local, .type = type, .code = code, .word = word, .body = quote, .body_len = qlen };
	assert_int_equal(sf_addr_parse(h->family == 6 ? "2001:db8:ff::7" : "198.51.100.7", &m.src), 0);
	size_t len = sf_wire_build_icmp(buf, sizeof buf, &m);
	assert_true(len > 0);
	h_inject_raw(h, buf, len);
}


void h_forget_taken(struct harness *h)
{
	size_t left = h->nout - h->next_out;
	memmove(h->out, h->out + h->next_out, left * sizeof h->out[0]);
	h->nout = left;
	h->next_out = 0;
}
