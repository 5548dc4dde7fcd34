/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The size of a connection's segments: the peer's MSS (RFC 9293 §3.7.1),
 * and the path between us.
 *
 * Path MTU discovery (RFC 1191, RFC 8201): every datagram carries DF (IPv6
 * never fragments in routers), so a router whose next link is smaller drops
 * it and says so with ICMP "fragmentation needed" / "packet too big". Once
 * icmp.c has checked that the message quotes a segment we have in flight
 * (RFC 5927 §7), the path's MTU is lowered, remembered for the destination
 * (core/pmtu.c), and what is in flight is sent again at once in segments of
 * the new size, as Linux's tcp_simple_retransmit: the router dropped it, and
 * waiting for a timeout would only add a second of silence.
 *
 * Packetization-layer path MTU discovery (RFC 4821) for paths whose ICMP
 * is filtered, where the full-size segments simply vanish (a black hole, RFC
 * 2923 §2.1): full-size segments lost to R1 timeouts in a row make the
 * connection fall back to a size that gets through almost everywhere, then
 * search upward: one probe segment at a time, of a size halfway between
 * what is known to pass and what may. An acknowledged probe raises the
 * size; three lost in a row (retransmitted) lower the ceiling, and their
 * loss is not taken for congestion (§7.6.2). With the range narrower than 8 bytes (as
 * Linux's tcp_probe_threshold) the search rests, and starts again ten
 * minutes later (Linux's tcp_probe_interval), should the path have grown.
 */
#include "tcp/tcp.h"
#include "base/seq.h"

#define PROBE_RANGE_DONE 8
#define PROBE_INTERVAL_MS 600000u
/* RFC 4821 §7.2: the search's starting point: 1024 bytes for IPv4, and
 * IPv6's minimum link MTU, which every path carries (RFC 8200 §5). */
#define BASE_MTU_V4 1024u
#define MIN_MTU_V4 576u  /* what every IPv4 host accepts (RFC 791, RFC 1122 §3.3.3) */
/* MAX_PROBES (RFC 8899 §5.1.2, for RFC 4821's search): a size fails after this many probes of it in a row are lost. */
#define MAX_PROBES 3
#define MIN_MTU_V6 1280u /* RFC 8200 §5 */

static uint32_t headers_len(const struct sf_tcb *tcb)
{
	return (tcb->sock.family == SF_AF_INET ? SF_IPV4_HEADER_LEN : SF_IPV6_HEADER_LEN) + SF_TCP_HEADER_LEN;
}

/* Our interface's MTU: the most any path from it carries. */
static uint32_t link_mtu(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	return sf_local_mss(st, &tcb->sock.local.addr) + headers_len(tcb);
}

/* The MTU the connection sizes its segments by. */
static uint32_t path_mtu(const struct sf_tcb *tcb)
{
	return tcb->probe_lo && tcb->probe_lo < tcb->pmtu ? tcb->probe_lo : tcb->pmtu;
}

static uint32_t peer_mss(const struct sf_tcb *tcb)
{
	uint32_t peer = tcb->peer_mss ? tcb->peer_mss : (tcb->sock.family == SF_AF_INET ? 536u : 1220u);
	return peer < 64 ? 64 : peer;
}

/* The largest datagram worth probing for: neither the peer nor our interface takes more. */
static uint32_t probe_ceiling(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	uint32_t own = sf_own_mss(st, &tcb->sock, &tcb->sock.local.addr), mss = peer_mss(tcb);
	uint32_t most = (mss < own ? mss : own) + headers_len(tcb);
	return most < tcb->pmtu ? most : tcb->pmtu;
}

/*
 * RFC 9293 §3.7.1 (MUST-15, MUST-16) and RFC 6691: the effective send MSS is
 * the smallest of the peer's announced MSS (536 for IPv4 or 1220 for IPv6
 * when it sent none), what our own interface carries, and what the path
 * does. A peer's MSS below 64 is raised to 64 so that no one can make us cut
 * the stream into confetti.
 */
static void size_segments(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint32_t own = sf_own_mss(st, &tcb->sock, &tcb->sock.local.addr);
	uint32_t path = path_mtu(tcb) - headers_len(tcb), mss = peer_mss(tcb);

	if (own < mss)
		mss = own;
	if (path < mss)
		mss = path;
	/* RFC 6691 / RFC 7323 §3.2: the timestamp comes out of every segment's
	 * data; SACK blocks come out of the segments they ride on
	 * (sf_tcb_send_mss). */
	if (mss > 64 + sf_tcb_ts_space(tcb))
		mss -= sf_tcb_ts_space(tcb);
	tcb->snd_mss = (uint16_t)mss;
}

static uint32_t scaled(uint32_t bytes, uint32_t to, uint32_t from)
{
	return (uint32_t)((uint64_t)bytes * to / from);
}

/* Size the segments anew. The congestion window counts segments (as
 * Linux's, in packets): its bytes follow the segment size. */
static void resize(struct sf_stack *st, struct sf_tcb *tcb, enum sf_cause cause)
{
	uint32_t old = tcb->snd_mss;

	size_segments(st, tcb);
	if (tcb->snd_mss > old)
		tcb->mss_proven = false;
	if (old && tcb->cwnd && tcb->snd_mss != old) {
		tcb->cwnd = scaled(tcb->cwnd, tcb->snd_mss, old);
		if (tcb->cwnd < tcb->snd_mss)
			tcb->cwnd = tcb->snd_mss;
		if (tcb->ssthresh < 0x7fffffffu) {
			tcb->ssthresh = scaled(tcb->ssthresh, tcb->snd_mss, old);
			if (tcb->ssthresh < 2u * tcb->snd_mss)
				tcb->ssthresh = 2u * tcb->snd_mss;
		}
	}
	sf_trace_path_mtu(st, (int)tcb->sock.handle, &tcb->sock.local, &tcb->sock.remote, path_mtu(tcb), cause);
}

/* The path MTU for the peer: our interface's, or less if the cache knows
 * less; notes the cache's generation and when its entry ages out. */
static uint32_t known_path_mtu(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint64_t expires = UINT64_MAX;
	uint32_t link = link_mtu(st, tcb), known = sf_pmtu_lookup(st, &tcb->sock.remote.addr, &expires);

	tcb->pmtu_gen = st->pmtu.gen;
	tcb->pmtu_expires_ns = known ? expires : UINT64_MAX;
	return known && known < link ? known : link;
}

/* Take the path MTU the stack knows for the peer: lower, when another
 * connection has learned it, or back to the interface's when it aged out. */
void sf_tcb_path_resync(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint32_t mtu = known_path_mtu(st, tcb);

	if (mtu == tcb->pmtu)
		return;
	enum sf_cause cause = mtu < tcb->pmtu ? SF_CAUSE_PMTU_ICMP : SF_CAUSE_PMTU_AGED;
	tcb->pmtu = (uint16_t)mtu;
	if (tcb->probe_hi > mtu)
		tcb->probe_hi = (uint16_t)mtu;
	resize(st, tcb, cause);
}

void sf_tcb_set_peer_mss(struct sf_stack *st, struct sf_tcb *tcb, uint16_t mss)
{
	tcb->peer_mss = mss;
	tcb->pmtu = (uint16_t)known_path_mtu(st, tcb);
	uint32_t base = tcb->sock.family == SF_AF_INET ? BASE_MTU_V4 : MIN_MTU_V6;
	if (st->cfg.mtu_probing == 2 && tcb->pmtu > base) {
		tcb->probe_lo = (uint16_t)base;
		tcb->probe_hi = (uint16_t)probe_ceiling(st, tcb);
		tcb->probe_after_ns = st->now_ns;
	}
	size_segments(st, tcb);
}

/*
 * A "fragmentation needed" / "packet too big" about a segment in flight
 * (RFC 1191 §6.3, RFC 8201 §4/§5.4). The reported MTU may lower the path's,
 * never raise it; IPv4's may be absent (an RFC 792 router), and is then
 * guessed from the quoted datagram's length by RFC 1191 §7's plateaus.
 */
void sf_tcb_packet_too_big(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_icmp_error *e)
{
	static const uint16_t plateaus[] = { 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };
	bool v6 = tcb->sock.family == SF_AF_INET6;
	uint32_t mtu = e->mtu;

	if (!v6 && mtu == 0)
		for (unsigned i = 0; i < sizeof plateaus / sizeof plateaus[0] && !mtu; i++)
			if (plateaus[i] < e->quoted_len)
				mtu = plateaus[i];
	if (v6 && mtu < MIN_MTU_V6) {
		/* RFC 8201 §4: such a message "must" be discarded. */
		sf_drop(st, NULL, SF_DROP_ICMP_PMTU_BELOW_MINIMUM);
		return;
	}
	/* IPv4 (RFC 1191 §3) allows 68, but every IPv4 host takes 576: no
	 * forged message can shrink our segments further than that
	 * (RFC 5927 §7.2). */
	if (!v6 && mtu < MIN_MTU_V4)
		mtu = MIN_MTU_V4;
	/* Not smaller than the path's, or not smaller than the datagram said
	 * to be too big for it: nothing to learn. Every segment of a flight a
	 * router dropped draws the same message; the first one did the work. */
	if (mtu >= tcb->pmtu || (e->quoted_len && mtu >= e->quoted_len)) {
		sf_drop(st, NULL, SF_DROP_ICMP_PACKET_TOO_BIG);
		return;
	}
	st->ctr.PMTUDecreases++;
	sf_pmtu_learn(st, &tcb->sock.remote.addr, mtu);
	tcb->pmtu = (uint16_t)mtu;
	tcb->pmtu_gen = st->pmtu.gen;
	tcb->pmtu_expires_ns = st->now_ns + sf_ns_from_ms(st->cfg.pmtu_expires_ms);
	/* A probe this router dropped stays marked: its retransmission counts
	 * it lost, and its loss is still not congestion. */
	if (tcb->probe_hi > mtu)
		tcb->probe_hi = (uint16_t)mtu;
	uint32_t before = tcb->snd_mss;
	resize(st, tcb, SF_CAUSE_PMTU_ICMP);
	if (tcb->snd_mss < before)
		sf_tcb_resend_flight(st, tcb);
}

/*
 * The retransmission timer fired for the R1th time in a row on data
 * (cfg.retries1, 3: RFC 4821 §7.7 wants "repeated" loss of full-size
 * segments, and as Linux's tcp_mtu_probing the timeout that passes R1 is
 * the one that suspects the path; fewer would take random loss for a black
 * hole); three more once a segment of this size has been acknowledged,
 * when random loss is likelier than a new route; and, whatever the count,
 * before the last try R2 allows, which would otherwise be lost the same
 * way (an orphan's few, say). If what is lost would
 * fill a datagram bigger than the base, segments drop to the base, which gets
 * through almost any path, so that the retransmission does; probing then
 * looks for the real size.
 */
bool sf_tcb_black_hole_check(struct sf_stack *st, struct sf_tcb *tcb, bool last_try)
{
	/* A size the path has carried fails only with a route change: that
	 * takes three more timeouts to believe. */
	uint32_t needed = st->cfg.retries1 + (tcb->mss_proven ? 3u : 0u);
	if (!st->cfg.mtu_probing || (tcb->rtx_count < needed && !last_try))
		return false;
	uint32_t now = path_mtu(tcb), base = tcb->sock.family == SF_AF_INET6 ? MIN_MTU_V6 : BASE_MTU_V4;
	/* Not below the base: RFC 4821 §7.2 takes it to pass nearly every
	 * path, and under random loss a size smaller still would be a cost
	 * taken for nothing, with a window too small to probe back up. */
	/* What goes again, one segment of the flight, must be too big for the base. */
	uint32_t flight = sf_flight_size(tcb), lost = flight < tcb->snd_mss ? flight : tcb->snd_mss;
	if (now <= base || lost + headers_len(tcb) + sf_tcb_ts_space(tcb) <= base)
		return false;
	/* A timeout proves nothing of the size: the search may climb back to
	 * all the peer and our interface take, should loss, not size, have
	 * been the cause. */
	tcb->probe_hi = (uint16_t)probe_ceiling(st, tcb);
	tcb->probe_lo = (uint16_t)base;
	tcb->probe_size = 0;
	tcb->probe_fails = 0;
	tcb->probe_after_ns = st->now_ns;
	st->ctr.TCPMTUPBlackHole++;
	resize(st, tcb, SF_CAUSE_PMTU_BLACK_HOLE);
	return true;
}

/*
 * The payload of a probe that may go now, at SND.NXT, or 0. mss is this
 * transmission's effective MSS, avail the bytes queued past SND.NXT and room
 * what window and congestion window allow now. A probe is only sent with at
 * least three segments of data queued behind it, and windows that hold it
 * and them, so that if it is lost their ACKs tell of it by duplicates
 * rather than by a timeout (as Linux's tcp_mtu_probe). Those three follow
 * as ACKs of what went before open the window: the probe itself need only
 * fit now, or an ACK-clocked transfer, whose window never opens by more
 * than an ACK's worth at a time, would never probe.
 */
uint32_t sf_tcb_probe_due(struct sf_stack *st, struct sf_tcb *tcb, uint32_t mss, uint32_t avail, uint32_t room)
{
	if (!tcb->probe_lo || tcb->probe_size || tcb->in_recovery || tcb->snd_nxt != tcb->snd_max ||
	    st->now_ns < tcb->probe_after_ns || (tcb->state != SF_ESTABLISHED && tcb->state != SF_CLOSE_WAIT))
		return 0;
	uint32_t lo = path_mtu(tcb);
	if (tcb->probe_hi < lo + PROBE_RANGE_DONE) {
		/* The search has rested its interval: look again above. */
		tcb->probe_hi = (uint16_t)probe_ceiling(st, tcb);
		if (tcb->probe_hi < lo + PROBE_RANGE_DONE) {
			tcb->probe_after_ns = st->now_ns + sf_ns_from_ms(PROBE_INTERVAL_MS);
			return 0;
		}
	}
	uint32_t size = (lo + tcb->probe_hi + 1) / 2, len = mss + (size - lo);
	uint32_t with_three = len + 3 * mss;
	if (avail < with_three || room < len || tcb->cwnd < with_three || tcb->snd_wnd < with_three)
		return 0;
	tcb->probe_size = (uint16_t)size;
	return len;
}

/* After each probe: with the range this narrow the search rests. */
static void search_step(struct sf_stack *st, struct sf_tcb *tcb)
{
	if (tcb->probe_hi < path_mtu(tcb) + PROBE_RANGE_DONE)
		tcb->probe_after_ns = st->now_ns + sf_ns_from_ms(PROBE_INTERVAL_MS);
}

void sf_tcb_probe_sent(struct sf_tcb *tcb, uint32_t seq, uint32_t len)
{
	tcb->probe_seq = seq;
	tcb->probe_end = seq + len;
}

void sf_tcb_probe_acked(struct sf_stack *st, struct sf_tcb *tcb)
{
	tcb->probe_lo = tcb->probe_size;
	tcb->probe_size = 0;
	tcb->probe_fails = 0;
	st->ctr.TCPMTUPSuccess++;
	resize(st, tcb, SF_CAUSE_PMTU_PROBE_ACKED);
	search_step(st, tcb);
}

/* The probe is being sent again: it did not get through. A probe lost
 * looks the same whether its size or congestion lost it (§7.6.2), so only
 * MAX_PROBES of one size lost in a row bring the ceiling below it. */
void sf_tcb_probe_lost(struct sf_stack *st, struct sf_tcb *tcb)
{
	st->ctr.TCPMTUPFail++;
	if (++tcb->probe_fails >= MAX_PROBES) {
		if (tcb->probe_hi >= tcb->probe_size)
			tcb->probe_hi = (uint16_t)(tcb->probe_size - 1);
		tcb->probe_fails = 0;
	}
	tcb->probe_size = 0;
	search_step(st, tcb);
}

bool sf_tcb_probe_covers(const struct sf_tcb *tcb, uint32_t seq, uint32_t len)
{
	return tcb->probe_size && seq_lt(seq, tcb->probe_end) && seq_gt(seq + len, tcb->probe_seq);
}
