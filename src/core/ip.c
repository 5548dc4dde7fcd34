/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IP out: the one place every datagram leaves the stack, where the IP-MIB
 * counts it; and the token buckets that bound what ICMP sends and acts on,
 * timed by the stack's clock (never the wall's: the stack has none).
 */
#include "core/service.h"

#define NANO 1000000000u

void sf_ip_output(struct sf_stack *st, const uint8_t *dgram, size_t len)
{
	/* RFC 4293 ipSystemStatsOutRequests: datagrams the host's own protocols
	 * hand to IP for sending (ICMP included). */
	SF_IP_CTR(st, (dgram[0] >> 4) == 6, OutRequests)++;
	st->in_callback = true;
	st->cfg.output(st->cfg.output_ctx, dgram, len);
	st->in_callback = false;
}

void sf_bucket_fill(struct sf_stack *st, struct sf_bucket *b, uint32_t burst)
{
	b->credit = (uint64_t)burst * NANO;
	b->last_ns = st->now_ns;
}

bool sf_bucket_take(struct sf_stack *st, struct sf_bucket *b, uint32_t rate, uint32_t burst)
{
	if (rate == 0)
		return true;
	uint64_t cap = (uint64_t)burst * NANO, elapsed = st->now_ns - b->last_ns;
	b->last_ns = st->now_ns;
	/* Compared before multiplying, so a long quiet spell cannot overflow. */
	if (elapsed >= (cap - b->credit) / rate + 1)
		b->credit = cap;
	else
		b->credit += elapsed * rate;
	if (b->credit > cap)
		b->credit = cap;
	if (b->credit < NANO)
		return false;
	b->credit -= NANO;
	return true;
}
