/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stack object: configuration, handles, time, input dispatch, timers,
 * counters, readiness and the trace hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/siphash.h"
#include "tcp/tcp.h"

const char *sf_version(void)
{
	return SYNFIN_VERSION;
}

void sf_config_default(struct sf_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->size = sizeof *cfg;
	cfg->msl_ms = 120000;
	cfg->syn_retries = 7;
	cfg->synack_retries = 5;
	cfg->retries2 = 15;
	cfg->retries1 = 3;
	cfg->orphan_retries = 8;
	cfg->fin_timeout_ms = 60000;
	cfg->syn_backlog = 1000;
	cfg->somaxconn = 128;
	cfg->rto_initial_ms = 1000;
	cfg->rto_min_ms = 200;
	cfg->rto_max_ms = 120000;
	cfg->keepalive_idle_ms = 7200000;
	cfg->keepalive_intvl_ms = 75000;
	cfg->keepalive_probes = 9;
	cfg->challenge_ack_limit = 10;
	cfg->delack_ms = 40;
	cfg->ephemeral_lo = 32768;
	cfg->ephemeral_hi = 60999;
	cfg->max_sockets = 1u << 24;
	cfg->rfc1337 = 1;
	cfg->window_scaling = 1;
	cfg->timestamps = 1;
	cfg->sack = 1;
	cfg->isn_mode = SF_ISN_RFC6528;
	cfg->ttl = 64; /* as Linux's ip_default_ttl and IPv6 hop_limit */
	cfg->ecn = 2;  /* as Linux's tcp_ecn: agree when asked, never ask */
	cfg->pmtu_expires_ms = 600000;
	cfg->pmtu_cache_size = 1024;
	cfg->mtu_probing = 1;
	cfg->icmp_rate = 1000; /* as Linux's icmp_msgs_per_sec */
	cfg->icmp_burst = 50;  /* as Linux's icmp_msgs_burst */
	cfg->icmp_error_rate = 1000;
	cfg->icmp_error_burst = 50;
	cfg->reasm_max_bytes = 4u << 20; /* as Linux's ipfrag_high_thresh */
	cfg->syncookies = 1;             /* as Linux's tcp_syncookies */
}

static bool secret_is_zero(const uint8_t secret[16])
{
	uint8_t any = 0;
	for (int i = 0; i < 16; i++)
		any |= secret[i];
	return any == 0;
}

/* A bucket holds at least one token, and few enough that its credit in
 * billionths of a token stays far from overflow. */
static bool bucket_ok(uint32_t burst)
{
	return burst >= 1 && burst <= (1u << 20);
}

static bool config_ok(const struct sf_config *cfg)
{
	/* Compact records keep 32-bit millisecond expiries compared modulo
	 * 2^32, so every wait they hold must stay well under 2^31 ms. */
	return cfg->output && (!secret_is_zero(cfg->secret) || cfg->deterministic_insecure) && cfg->msl_ms > 0 && cfg->msl_ms <= (1u << 29) &&
	       cfg->rto_max_ms <= (1u << 29) && cfg->ephemeral_lo > 0 &&
	       cfg->ephemeral_lo <= cfg->ephemeral_hi && cfg->synack_retries <= SF_MAX_SYNACK_RETRIES &&
	       cfg->rto_initial_ms > 0 && cfg->rto_min_ms > 0 && cfg->rto_min_ms <= cfg->rto_max_ms &&
	       cfg->syn_backlog > 0 && cfg->somaxconn > 0 && cfg->max_sockets > 0 && cfg->delack_ms < 500 &&
	       cfg->max_sockets <= SF_REF_INDEX_MASK && cfg->isn_mode <= SF_ISN_CLOCK_ONLY &&
	       cfg->keepalive_intvl_ms >= SF_KEEPALIVE_MIN_INTVL_MS && cfg->ttl > 0 &&
	       cfg->retries1 >= 1 && cfg->ecn <= 2 && cfg->pmtu_expires_ms > 0 &&
	       cfg->pmtu_expires_ms <= (1u << 30) && cfg->pmtu_cache_size >= 4 &&
	       cfg->pmtu_cache_size <= (1u << 24) && cfg->mtu_probing <= 2 &&
	       bucket_ok(cfg->icmp_burst) && bucket_ok(cfg->icmp_error_burst) &&
	       cfg->reasm_max_bytes <= (1u << 30) && cfg->syncookies <= 2;
}

sf_stack *sf_stack_new(const struct sf_config *cfg, uint64_t now_ns)
{
	if (!cfg || cfg->size < SF_CONFIG_MIN_SIZE || cfg->size > sizeof *cfg)
		return NULL;
	/* A caller built against an older, shorter struct gets the defaults
	 * for the fields it does not know. */
	struct sf_config full;
	sf_config_default(&full);
	memcpy(&full, cfg, cfg->size);
	full.size = sizeof full;
	if (!config_ok(&full))
		return NULL;
	struct sf_stack *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->cfg = full;
	st->prf_k0 = sf_siphash_key_word(st->cfg.secret, 0);
	st->prf_k1 = sf_siphash_key_word(st->cfg.secret, 1);
	st->prf_memo = &st->prf_memo_store;
	st->now_ns = now_ns;
	st->epoch_ns = now_ns;
	sf_icmp_init(st);
	sf_reasm_init(st);
	sf_wheel_init(&st->wheel, now_ns);
	st->out_cap = 65535;
	st->out = malloc(st->out_cap);
	if (!st->out || sf_demux_init(st) != 0) {
		free(st->out);
		free(st->buckets);
		free(st);
		return NULL;
	}
	return st;
}

void sf_stack_free(sf_stack *st)
{
	if (!st || st->in_callback)
		return;
	for (uint32_t h = 0; h < st->socks_hwm; h++) {
		struct sf_sock *sock = st->socks[h];
		if (!sock)
			continue;
		if (sock->kind == SF_SOCK_TCB)
			sf_ring_free(&((struct sf_tcb *)sock)->sndq, &st->bufs), sf_ring_free(&((struct sf_tcb *)sock)->rcvq, &st->bufs);
		free(sock);
	}
	sf_bufcache_destroy(&st->bufs);
	free(st->socks);
	free(st->free_handles);
	free(st->ready);
	free(st->locals);
	free(st->out);
	free(st->held_acks);
	sf_pmtu_destroy(st);
	sf_reasm_destroy(st);
	sf_demux_destroy(st);
	free(st);
}

int sf_stack_add_address(sf_stack *st, const struct sf_addr *addr, uint32_t mtu)
{
	if (st && st->in_callback)
		return -EBUSY;
	if (!st || !addr || (addr->family != SF_AF_INET && addr->family != SF_AF_INET6) ||
	    !sf_addr_is_unicast(addr) || mtu > 65535)
		return -EINVAL;
	/* RFC 791 / RFC 8200 §5: every link carries at least 576 (IPv4) / 1280 (IPv6) bytes. */
	if (mtu < (addr->family == SF_AF_INET ? 576u : 1280u))
		return -EINVAL;
	if (sf_local_id(st, addr) != UINT32_MAX)
		return -EEXIST;
	if (st->nlocals >= UINT16_MAX)
		return -ENOSPC;
	struct sf_local *l = realloc(st->locals, (st->nlocals + 1) * sizeof *l);
	if (!l)
		return -ENOMEM;
	st->locals = l;
	l[st->nlocals].addr = *addr;
	l[st->nlocals].mtu = mtu;
	l[st->nlocals].prefix_len = addr->family == SF_AF_INET ? 32 : 128;
	st->nlocals++;
	return 0;
}

int sf_stack_set_prefix(sf_stack *st, const struct sf_addr *addr, unsigned prefix_len)
{
	if (st && st->in_callback)
		return -EBUSY;
	if (!st || !addr)
		return -EINVAL;
	uint32_t id = sf_local_id(st, addr);
	if (id == UINT32_MAX)
		return -ENOENT;
	return sf_local_set_prefix(st, id, prefix_len);
}

/* ---- time ---- */

uint64_t sf_now(const sf_stack *st)
{
	return st ? st->now_ns : 0;
}

static void set_time(struct sf_stack *st, uint64_t now_ns)
{
	if (now_ns > st->now_ns)
		st->now_ns = now_ns;
}

/* ---- input batches (RFC 9293 MUST-58, MUST-59) ---- */

void sf_input_begin(sf_stack *st)
{
	if (st && !st->in_callback)
		st->in_batch = true;
}

/* One ACK per connection that still owes one: anything it sent during the
 * batch carried the ACK and cleared ack_held. A handle whose TCB ended in
 * the batch may now name another socket, whose flag is its own. */
void sf_input_end(sf_stack *st)
{
	if (!st || !st->in_batch || st->in_callback)
		return;
	st->in_batch = false;
	for (uint32_t i = 0; i < st->nheld_acks; i++) {
		struct sf_sock *sock = sf_sock_get(st, st->held_acks[i]);
		if (!sock || sock->kind != SF_SOCK_TCB)
			continue;
		struct sf_tcb *tcb = (struct sf_tcb *)sock;
		/* A connection the batch ended (a RST, TIME-WAIT) owes nothing. */
		bool ended = tcb->state == SF_CLOSED || tcb->state == SF_TIME_WAIT || tcb->went_time_wait;
		if (tcb->ack_held && !ended)
			sf_tcb_send_ack(st, tcb);
		tcb->ack_held = false;
	}
	st->nheld_acks = 0;
}

/* ---- input ---- */

#define IPV6_NO_NEXT_HEADER 59

/* RFC 4293 ipSystemStatsInHdrErrors: "errors in their IP headers ...
 * errors discovered in processing their IP options". A martian source is
 * one, as Linux's ip6_rcv_core counts it; a fragment is not (it is
 * reassembly's). */
static bool is_header_error(enum sf_drop_reason r)
{
	switch (r) {
	case SF_DROP_TRUNCATED: case SF_DROP_IPV4_IHL: case SF_DROP_IP_LENGTH: case SF_DROP_IPV4_CHECKSUM:
	case SF_DROP_IPV4_OPTIONS: case SF_DROP_IPV4_SOURCE_ROUTE: case SF_DROP_IPV6_EXT_HEADER:
	case SF_DROP_IPV6_EXT_MALFORMED: case SF_DROP_IPV6_OPTION: case SF_DROP_MARTIAN_SOURCE:
		return true;
	default:
		return false;
	}
}

/*
 * RFC 8200 §4.2: an unrecognized option whose type's two high bits are 10
 * asks for an ICMPv6 Parameter Problem, code 2, pointing at it; 11 the same
 * unless the destination was multicast (the error sender refuses those
 * anyway: synfin joins no group). Only for a datagram to one of our
 * addresses: a host processes no one else's options.
 */
static void ipv6_option_problem(struct sf_stack *st, const uint8_t *dgram, size_t len)
{
	struct sf_ip_view ip;

	if (sf_wire_parse_ip(dgram, len, &ip) != SF_DROP_IPV6_OPTION || ip.opt_action < 2 ||
	    sf_local_id(st, &ip.dst) == UINT32_MAX)
		return;
	sf_icmp_send_error(st, dgram, len, SF_ICMP6_PARAM_PROBLEM, 2, ip.opt_ptr);
}

/* An ICMP message to one of our addresses (RFC 792, RFC 4443): an echo
 * request is answered; an error about TCP goes to TCP (RFC 9293 §3.9.2.2). */
static void icmp_input(struct sf_stack *st, const uint8_t *dgram, size_t len, const struct sf_ip_view *ip)
{
	bool v6 = ip->src.family == SF_AF_INET6;

	v6 ? st->ctr.Icmp6InMsgs++ : st->ctr.IcmpInMsgs++;
	enum sf_drop_reason r = sf_wire_check_icmp(dgram, len, ip);
	if (r != SF_DROP_NONE) {
		v6 ? st->ctr.Icmp6InErrors++ : st->ctr.IcmpInErrors++;
		sf_drop(st, NULL, r);
		return;
	}
	uint8_t type = dgram[ip->hlen];
	if (type == (v6 ? SF_ICMP6_ECHO_REQUEST : SF_ICMP4_ECHO_REQUEST)) {
		v6 ? st->ctr.Icmp6InEchos++ : st->ctr.IcmpInEchos++;
		r = sf_icmp_echo(st, dgram, len, ip);
		if (r != SF_DROP_NONE)
			sf_drop(st, NULL, r);
		return;
	}
	/* Never an answer to an echo reply or an error (RFC 1122 §3.2.2):
	 * an error is TCP's to act on, the rest is dropped. */
	struct sf_icmp_error e;
	r = sf_wire_parse_icmp(dgram, len, &e);
	if (r == SF_DROP_NONE && sf_local_id(st, &e.local.addr) == UINT32_MAX)
		r = SF_DROP_NOT_LOCAL;
	if (r == SF_DROP_NONE)
		sf_tcp_icmp_error(st, &e);
	else
		sf_drop(st, NULL, r); /* not a TCP segment: InSegs does not count it */
}

/*
 * A datagram that is not TCP. ICMP is delivered; any other protocol is one
 * synfin lacks, and the sender is told (RFC 1122 §3.2.2.1 SHOULD; RFC 8200
 * §4 and RFC 4443 §3.4: code 1, pointing at the Next Header field that
 * names it). UDP is among them: Linux answers UDP to a closed port with
 * port unreachable because it has UDP; synfin has no UDP at all, so
 * protocol unreachable is the true answer.
 */
static void input_not_tcp(struct sf_stack *st, const uint8_t *dgram, size_t len)
{
	struct sf_ip_view ip;
	enum sf_drop_reason r = sf_wire_parse_ip(dgram, len, &ip); /* passed in sf_wire_parse */
	bool v6 = ip.src.family == SF_AF_INET6;

	if (r == SF_DROP_NONE)
		r = sf_wire_check_addresses(&ip);
	if (r == SF_DROP_NONE && sf_local_id(st, &ip.dst) == UINT32_MAX)
		r = SF_DROP_NOT_LOCAL;
	if (r != SF_DROP_NONE) {
		if (r == SF_DROP_MARTIAN_SOURCE)
			SF_IP_CTR(st, v6, InHdrErrors)++;
		else
			SF_IP_CTR(st, v6, InAddrErrors)++;
		sf_drop(st, NULL, r);
		return;
	}
	if (ip.proto == (v6 ? SF_IPPROTO_ICMPV6 : SF_IPPROTO_ICMP)) {
		SF_IP_CTR(st, v6, InDelivers)++;
		icmp_input(st, dgram, len, &ip);
		return;
	}
	/* RFC 8200 §4.7: No Next Header says nothing follows; nothing is
	 * missing, so nothing is said (Linux discards it so too). */
	if (v6 && ip.proto == IPV6_NO_NEXT_HEADER) {
		SF_IP_CTR(st, v6, InDelivers)++;
		sf_drop(st, NULL, SF_DROP_NOT_TCP);
		return;
	}
	SF_IP_CTR(st, v6, InUnknownProtos)++;
	if (v6)
		sf_icmp_send_error(st, dgram, len, SF_ICMP6_PARAM_PROBLEM, 1, ip.nh_off);
	else
		sf_icmp_send_error(st, dgram, len, SF_ICMP4_DEST_UNREACH, 2, 0);
	sf_drop(st, NULL, SF_DROP_NOT_TCP);
}

/* What sf_wire_parse refused: not TCP, or a bad IP header or TCP segment. */
static void input_refused(struct sf_stack *st, const uint8_t *dgram, size_t len, enum sf_drop_reason r,
			  const struct sf_segment *seg)
{
	bool v6 = (dgram[0] >> 4) == 6;

	if (r == SF_DROP_NOT_TCP) {
		input_not_tcp(st, dgram, len);
		return;
	}
	if (r >= SF_DROP_TCP_TRUNCATED) {
		/* IP delivered it, TCP found it in error: InSegs counts what
		 * reached TCP, errors included (RFC 4022 tcpInSegs). */
		st->ctr.InSegs++;
		st->ctr.InErrs++;
		if (sf_local_id(st, &seg->dst) == UINT32_MAX)
			SF_IP_CTR(st, v6, InAddrErrors)++;
		else
			SF_IP_CTR(st, v6, InDelivers)++;
	} else if (r == SF_DROP_MARTIAN_DEST) {
		SF_IP_CTR(st, v6, InAddrErrors)++;
	} else if (is_header_error(r)) {
		SF_IP_CTR(st, v6, InHdrErrors)++;
	}
	if (r == SF_DROP_IPV6_OPTION)
		ipv6_option_problem(st, dgram, len);
	sf_drop(st, NULL, r); /* the segment did not parse: nothing to show */
}

void sf_input(sf_stack *st, uint64_t now_ns, const void *dgram, size_t len)
{
	struct sf_segment seg;

	if (!st || (!dgram && len))
		return;
	if (st->in_callback) {
		/* The re-entry rule (synfin.h): a callback cannot feed the stack. */
		sf_drop(st, NULL, SF_DROP_CALLED_FROM_CALLBACK);
		return;
	}
	set_time(st, now_ns);
	enum sf_drop_reason r = sf_wire_parse(dgram, len, &seg);
	/* RFC 4293 ipSystemStatsInReceives: every datagram, those in error
	 * included, by its version (none for another); a datagram made whole
	 * from fragments was counted as its fragments. */
	bool whole = false;
	if (r == SF_DROP_IPV4_FRAGMENT || r == SF_DROP_IPV6_FRAGMENT) {
		/* A fragment waits for the rest of its datagram (RFC 791 §3.2,
		 * RFC 8200 §4.5); the datagram it makes whole goes on from here
		 * as any other. Once only: a whole datagram is no fragment. */
		SF_IP_CTR(st, r == SF_DROP_IPV6_FRAGMENT, InReceives)++;
		const uint8_t *d = dgram;
		if (!sf_reasm_input(st, &d, &len))
			return;
		dgram = d;
		whole = true;
		r = sf_wire_parse(dgram, len, &seg);
	}
	if (r != SF_DROP_NONE) {
		unsigned version = len ? ((const uint8_t *)dgram)[0] >> 4 : 0;
		if (version != 4 && version != 6) {
			sf_drop(st, NULL, r);
			return;
		}
		if (!whole)
			SF_IP_CTR(st, version == 6, InReceives)++;
		input_refused(st, dgram, len, r, &seg);
		return;
	}
	bool v6 = seg.dst.family == SF_AF_INET6;
	if (!whole)
		SF_IP_CTR(st, v6, InReceives)++;
	st->ctr.InSegs++;
	if (seg.flags & SF_TCP_RST)
		st->ctr.InRsts++;
	/* Counted where Linux counts IpExtInCEPkts: every datagram that arrives
	 * marked, whatever becomes of it (RFC 3168 §5). */
	if ((seg.tclass & SF_ECN_MASK) == SF_ECN_CE)
		st->ctr.InCEPkts++;
	if (sf_local_id(st, &seg.dst) == UINT32_MAX) {
		SF_IP_CTR(st, v6, InAddrErrors)++;
		sf_drop(st, &seg, SF_DROP_NOT_LOCAL);
		return;
	}
	SF_IP_CTR(st, v6, InDelivers)++;

	struct sf_endpoint local = { seg.dst, seg.dport }, remote = { seg.src, seg.sport };
	/* A stream of segments for one connection skips the hash (one compare). */
	sf_ref ref = st->last_hit;
	if (ref == SF_REF_NONE || !sf_demux_matches(st, ref, &local, &remote)) {
		ref = sf_demux_lookup(st, &local, &remote);
		st->last_hit = ref;
	}
	if (sf_tracing(st))
		sf_trace_segment_in(st, &seg, sf_ref_kind(ref) == SF_REF_SOCK ? (int)sf_ref_index(ref) : -1);

	uint32_t iss_floor;
	const uint32_t *floor = NULL;
	switch (sf_ref_kind(ref)) {
	case SF_REF_SOCK:
		sf_tcb_input(st, (struct sf_tcb *)st->socks[sf_ref_index(ref)], &seg);
		return;
	case SF_REF_EMBRYO:
		sf_embryo_input(st, sf_ref_index(ref), &seg);
		return;
	case SF_REF_TW:
		if (!sf_tw_input(st, sf_ref_index(ref), &seg, &iss_floor))
			return;
		floor = &iss_floor; /* a SYN reopening a TIME-WAIT 4-tuple goes to the listener */
		break;
	default:
		break;
	}
	/* RFC 9293 §3.9.2.3: a segment from a source that cannot be a peer's
	 * opens nothing and is not answered. Connections, embryos and TIME-WAIT
	 * records only exist for sources that passed this check, so it is made
	 * here, where a new one could be made or a RST sent. */
	enum sf_drop_reason bad_source = sf_source_check(st, &seg.src);
	if (bad_source != SF_DROP_NONE) {
		sf_drop(st, &seg, bad_source);
		return;
	}
	struct sf_listener *lst = sf_listener_lookup(st, &seg.dst, seg.dport);
	if (lst) {
		sf_listen_input(st, lst, &seg, floor);
		return;
	}
	/* RFC 9293 §3.10.7.1: no connection. Answer with RST unless it is one. */
	if (!(seg.flags & SF_TCP_RST))
		sf_send_rst_reply(st, &seg, -1);
	sf_drop(st, &seg, SF_DROP_NO_CONNECTION);
}

/* ---- timers ---- */

void sf_advance(sf_stack *st, uint64_t now_ns)
{
	struct sf_timer *t;

	if (!st || st->in_callback)
		return;
	set_time(st, now_ns);
	while ((t = sf_wheel_expire(&st->wheel, st->now_ns)) != NULL) {
		struct sf_tcb *tcb = (struct sf_tcb *)((uint8_t *)t - offsetof(struct sf_tcb, timer));
		sf_tcb_timer_fired(st, tcb);
	}
	sf_embryo_expire(st);
	sf_tw_expire(st);
	sf_reasm_expire(st);
}

uint64_t sf_next_deadline(const sf_stack *st)
{
	if (!st)
		return UINT64_MAX;
	uint64_t d = sf_wheel_next_deadline(&st->wheel);
	uint64_t r = sf_embryo_next_deadline(st);
	uint64_t w = sf_tw_next_deadline(st);
	if (r < d)
		d = r;
	if (w < d)
		d = w;
	uint64_t f = sf_reasm_next_deadline(st);
	if (f < d)
		d = f;
	return d;
}

/* ---- names and counters ---- */

const char *sf_state_name(enum sf_tcp_state state)
{
	static const char *const names[] = {
#define SF_STATE_NAME_(name, text) text,
		SF_TCP_STATES(SF_STATE_NAME_)
#undef SF_STATE_NAME_
	};
	return (unsigned)state < SF_STATE__COUNT ? names[state] : "?";
}

const char *sf_cause_name(enum sf_cause cause)
{
	static const char *const names[] = {
#define SF_CAUSE_NAME_(name, text) #name,
		SF_CAUSES(SF_CAUSE_NAME_)
#undef SF_CAUSE_NAME_
	};
	return (unsigned)cause < SF_CAUSE__COUNT ? names[cause] : "?";
}

const char *sf_cause_text(enum sf_cause cause)
{
	static const char *const texts[] = {
#define SF_CAUSE_TEXT_(name, text) text,
		SF_CAUSES(SF_CAUSE_TEXT_)
#undef SF_CAUSE_TEXT_
	};
	return (unsigned)cause < SF_CAUSE__COUNT ? texts[cause] : "?";
}

const char *sf_timer_name(enum sf_timer_kind timer)
{
	static const char *const names[] = {
#define SF_TIMER_NAME_(name, text) text,
		SF_TIMERS(SF_TIMER_NAME_)
#undef SF_TIMER_NAME_
	};
	return (unsigned)timer < SF_TIMER__COUNT ? names[timer] : "?";
}

const char *sf_counter_name(enum sf_counter_id id)
{
	static const char *const names[] = {
#define SF_COUNTER_NAME_(name, text) #name,
		SF_COUNTERS(SF_COUNTER_NAME_)
#undef SF_COUNTER_NAME_
	};
	return (unsigned)id < SF_CTR__COUNT ? names[id] : "?";
}

uint64_t sf_counter_value(const struct sf_counters *c, enum sf_counter_id id)
{
	const uint64_t *values[] = {
#define SF_COUNTER_PTR_(name, text) &c->name,
		SF_COUNTERS(SF_COUNTER_PTR_)
#undef SF_COUNTER_PTR_
	};
	return (unsigned)id < SF_CTR__COUNT ? *values[id] : 0;
}

const struct sf_counters *sf_stack_counters(const sf_stack *st)
{
	return st ? &st->ctr : NULL;
}
