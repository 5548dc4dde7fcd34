/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SYN cookies (RFC 4987 §3.6): a listener answers a SYN without keeping
 * anything, and the state the embryo would have held travels in the
 * SYN,ACK's sequence number, to come back in the final ACK's
 * acknowledgment number, less one.
 *
 * The encoding is Linux's (net/ipv4/syncookies.c), so that its properties
 * are the known ones, with one change:
 *
 *     cookie = H1(tuple) + ISN(peer) + (count << 24) + ((H2(tuple, count, ISN(peer)) + mss_index) mod 2^24)
 *
 * H1 whitens the sequence space so that the counter's byte is not visible;
 * H2, a MAC over the 4-tuple, the counter and the peer's ISN, is what a
 * forger must guess. Linux leaves the ISN out of H2, so only the difference
 * SEG.ACK - SEG.SEQ is checked: an old ACK of a connection that has ended
 * (its data having moved both numbers by nearly the same amount) can then
 * pass as a cookie and open a ghost connection. With the ISN in the MAC,
 * any segment but the first after the SYN fails like a forgery.
 * count is the minute of the stack's clock; a cookie is honoured in the
 * minute it was made and the next. Both hashes are SipHash-2-4 under the
 * stack's secret, each in its own domain (prf.c).
 *
 * A forged ACK passes when its counter byte is one of the 2 live values out
 * of 256 and its low 24 bits land on one of the 4 MSS indexes: a chance of
 * 2/2^8 * 4/2^24 = 2^-29 per try.
 *
 * What the cookie cannot hold (window scale, SACK, ECN) rides in the low 6
 * bits of the SYN,ACK's TSval when the peer sent timestamps, and comes back
 * in the final ACK's TSecr (RFC 7323 §3.2 makes the peer echo it). Without
 * timestamps the SYN,ACK offers none of the three, so that neither side
 * believes in an option the other will not use.
 */
#include "tcp/tcp.h"

#define COOKIE_COUNT_NS (60ull * 1000000000ull) /* the counter rolls each minute */
#define COOKIE_MAC_BITS 24
#define COOKIE_MAC_MASK ((1u << COOKIE_MAC_BITS) - 1)
#define COOKIE_LIVE_COUNTS 2                    /* this minute's and the last */

/* The MSS values a cookie can say, as Linux's: the common ones of each
 * family. A peer gets the largest that is not above what it announced. */
static const uint16_t mss_v4[] = { 536, 1300, 1440, 1460 };
static const uint16_t mss_v6[] = { 1220, 1420, 1440, 8940 };
#define MSS_VALUES 4

static const uint16_t *mss_table(const struct sf_endpoint *local)
{
	return local->addr.family == SF_AF_INET6 ? mss_v6 : mss_v4;
}

static uint64_t cookie_count(const struct sf_stack *st)
{
	return (st->now_ns - st->epoch_ns) / COOKIE_COUNT_NS;
}

static uint32_t whitening(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	return (uint32_t)sf_tuple_prf(st, SF_PRF_COOKIE_SEQ, local, remote);
}

static uint32_t mac(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		    uint64_t count, uint32_t peer_isn)
{
	uint64_t word = (count & 0xffffffffu) | (uint64_t)peer_isn << 32;
	return (uint32_t)sf_tuple_prf_counted(st, SF_PRF_COOKIE_MAC, local, remote, word) & COOKIE_MAC_MASK;
}

uint32_t sf_cookie_make(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote,
			uint32_t peer_isn, uint16_t peer_mss)
{
	const uint16_t *t = mss_table(local);
	uint32_t index = MSS_VALUES - 1;
	while (index > 0 && peer_mss < t[index])
		index--;
	uint64_t count = cookie_count(st);
	return whitening(st, local, remote) + peer_isn + ((uint32_t)count << COOKIE_MAC_BITS) +
	       ((mac(st, local, remote, count, peer_isn) + index) & COOKIE_MAC_MASK);
}

uint16_t sf_cookie_check(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote,
			 uint32_t peer_isn, uint32_t cookie)
{
	uint32_t v = cookie - whitening(st, local, remote) - peer_isn;
	uint64_t now = cookie_count(st);
	uint32_t age = ((uint32_t)now - (v >> COOKIE_MAC_BITS)) & 0xffu;
	if (age >= COOKIE_LIVE_COUNTS || age > now)
		return 0;
	uint32_t index = ((v & COOKIE_MAC_MASK) - mac(st, local, remote, now - age, peer_isn)) & COOKIE_MAC_MASK;
	return index < MSS_VALUES ? mss_table(local)[index] : 0;
}

bool sf_cookie_live(const struct sf_stack *st, uint64_t sent_ns)
{
	return st->now_ns - sent_ns < COOKIE_LIVE_COUNTS * COOKIE_COUNT_NS;
}

/* The low bits of a cookie TSval: the peer's window shift (0xf: none), SACK, ECN. */
#define TS_WSCALE_MASK 0x0fu
#define TS_WSCALE_NONE 0x0fu
#define TS_SACK 0x10u
#define TS_ECN 0x20u
#define TS_BITS 0x3fu

uint32_t sf_cookie_tsval(uint32_t tsval, const struct sf_syn_agreement *ag, bool ecn)
{
	uint32_t bits = (ag->ws ? ag->peer_wscale : TS_WSCALE_NONE) | (ag->sack ? TS_SACK : 0) | (ecn ? TS_ECN : 0);
	uint32_t v = (tsval & ~TS_BITS) | bits;
	/* Never ahead of the clock: later TSvals must not go back (RFC 7323 §5.3). */
	return v > tsval ? v - (TS_BITS + 1) : v;
}

void sf_cookie_ts_decode(uint32_t tsecr, struct sf_syn_agreement *ag, bool *ecn)
{
	uint32_t ws = tsecr & TS_WSCALE_MASK;
	ag->ts = true;
	ag->ws = ws != TS_WSCALE_NONE;
	ag->peer_wscale = ag->ws ? (uint8_t)(ws > 14 ? 14 : ws) : 0; /* RFC 7323 §2.3: at most 14 */
	ag->sack = (tsecr & TS_SACK) != 0;
	*ecn = (tsecr & TS_ECN) != 0;
}
