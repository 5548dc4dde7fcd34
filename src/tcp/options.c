/*
 * TCP options beyond the MSS: window scale and timestamps (RFC 7323), and
 * SACK-permitted (RFC 2018). Offered in every SYN, agreed only when both SYNs
 * carry them, then used on every segment of the connection.
 */
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

/* RFC 7323 §5.5: a TS.Recent older than 24 days may be stale (the peer's
 * clock may have wrapped); PAWS does not judge by it. */
#define PAWS_IDLE_MS (24u * 24u * 3600u * 1000u)

/* RFC 7323 §2.3: the smallest shift that lets the whole buffer be offered,
 * at most 14. */
uint8_t sf_wscale_for(uint32_t bufsize)
{
	uint8_t shift = 0;
	while (shift < 14 && (bufsize >> shift) > 65535)
		shift++;
	return shift;
}

/* RFC 7323 §5.4 recommends a random offset per connection for TSval, so that
 * timestamps reveal neither uptime nor a shared clock: the keyed hash of the
 * 4-tuple, in its own domain of the secret. */
uint32_t sf_ts_offset(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	return (uint32_t)sf_tuple_prf(st, SF_PRF_TS_OFFSET, local, remote);
}

uint32_t sf_tcb_tsval(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	return sf_ms(st) + tcb->ts_offset;
}

/*
 * The options of our SYN (everything offered) or of our SYN,ACK in a
 * simultaneous open (only what both SYNs carry: RFC 7323 §1.3, RFC 2018 §2).
 */
void sf_tcb_syn_options(const struct sf_stack *st, const struct sf_tcb *tcb, struct sf_tcp_options *opt)
{
	bool offer = tcb->state == SF_SYN_SENT;

	memset(opt, 0, sizeof *opt);
	opt->has_mss = 1;
	opt->mss = tcb->rcv_mss;
	if (offer ? st->cfg.window_scaling : tcb->ws_ok) {
		opt->has_wscale = 1;
		opt->wscale = tcb->rcv_wscale;
	}
	if (offer ? st->cfg.sack : tcb->sack_ok)
		opt->sack_permitted = 1;
	if (offer ? st->cfg.timestamps : tcb->ts_ok) {
		opt->has_timestamp = 1;
		opt->ts_val = sf_tcb_tsval(st, tcb);
		opt->ts_ecr = offer ? 0 : tcb->ts_recent;
	}
}

/*
 * The peer's SYN (or SYN,ACK) settles what is used: window scaling only if
 * both sides sent the option, else neither side scales (RFC 7323 §2.2); a
 * shift above 14 is taken as 14 (§2.3); timestamps and SACK likewise need
 * both. The effective MSS leaves room for the timestamp option on every
 * segment (RFC 6691, RFC 7323 §3.2).
 */
void sf_tcb_agree_options(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *syn)
{
	tcb->ws_ok = syn->opt.has_wscale && st->cfg.window_scaling;
	tcb->snd_wscale = tcb->ws_ok ? (syn->opt.wscale > 14 ? 14 : syn->opt.wscale) : 0;
	if (!tcb->ws_ok)
		tcb->rcv_wscale = 0;
	tcb->sack_ok = syn->opt.sack_permitted && st->cfg.sack;
	tcb->ts_ok = syn->opt.has_timestamp && st->cfg.timestamps;
	if (tcb->ts_ok) {
		tcb->ts_recent = syn->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
	}
	sf_tcb_set_peer_mss(st, tcb, syn);
}

/* Options on a segment of an established connection: the timestamp on every
 * one (RFC 7323 §3.2), SACK blocks for what is held out of order (RFC 2018 §4:
 * the most recent first; 3 fit beside a timestamp, 4 without). */
void sf_tcb_segment_options(struct sf_stack *st, struct sf_tcb *tcb, uint8_t flags, struct sf_tcp_options *opt)
{
	memset(opt, 0, sizeof *opt);
	if (tcb->ts_ok) { /* RFC 7323 §3.2: also on a RST (SHOULD) */
		opt->has_timestamp = 1;
		opt->ts_val = sf_tcb_tsval(st, tcb);
		opt->ts_ecr = tcb->ts_recent;
	}
	const struct sf_rangeset *ooo = sf_ring_map(&tcb->rcvq);
	if (tcb->sack_ok && (flags & SF_TCP_ACK) && !(flags & SF_TCP_RST) && ooo && ooo->n)
		opt->sack_count = (uint8_t)sf_rangeset_sack_blocks(ooo, opt->sack, tcb->ts_ok ? 3 : 4);
}

/*
 * RFC 7323 §5.3 (PAWS), R1: a segment whose TSval is older than TS.Recent is
 * an old duplicate, unless it is a RST or TS.Recent is over 24 days old. And
 * §3.2: once timestamps are agreed, a segment without one (other than a RST)
 * is dropped. Returns the drop reason, or SF_DROP_NONE.
 */
enum sf_drop_reason sf_tcb_check_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!tcb->ts_ok || (seg->flags & SF_TCP_RST))
		return SF_DROP_NONE;
	if (!seg->opt.has_timestamp)
		/* A SYN may come from a peer that rebooted without timestamps:
		 * it goes on to the challenge ACK of RFC 5961 §4 instead. */
		return (seg->flags & SF_TCP_SYN) ? SF_DROP_NONE : SF_DROP_TS_MISSING;
	if ((int32_t)(seg->opt.ts_val - tcb->ts_recent) < 0) {
		if (sf_ms(st) - tcb->ts_recent_ms > PAWS_IDLE_MS) {
			tcb->ts_recent = seg->opt.ts_val; /* §5.5: too old to judge by */
			tcb->ts_recent_ms = sf_ms(st);
			return SF_DROP_NONE;
		}
		return SF_DROP_PAWS;
	}
	return SF_DROP_NONE;
}

/* RFC 7323 §4.3 (R3): keep the TSval of the segment that covers the ACK we
 * last sent: SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent. */
void sf_tcb_note_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!tcb->ts_ok || !seg->opt.has_timestamp)
		return;
	if ((int32_t)(seg->opt.ts_val - tcb->ts_recent) >= 0 && seq_leq(seg->seq, tcb->last_ack_sent)) {
		tcb->ts_recent = seg->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
	}
}
