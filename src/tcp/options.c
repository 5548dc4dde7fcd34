/* SPDX-License-Identifier: BSD-2-Clause */
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
	return sf_tsval(st, tcb->ts_offset);
}

/*
 * The options of a SYN or SYN,ACK: our MSS (MUST-14), and of the others
 * those in use: all that are offered in a SYN, only the agreed ones in a
 * SYN,ACK (RFC 7323 §1.3, RFC 2018 §2). tsecr is 0 in a SYN.
 */
void sf_syn_options(struct sf_tcp_options *opt, uint16_t mss, const struct sf_syn_agreement *use, uint8_t our_wscale,
		    uint32_t tsval, uint32_t tsecr)
{
	memset(opt, 0, sizeof *opt);
	opt->has_mss = 1;
	opt->mss = mss;
	if (use->ws) {
		opt->has_wscale = 1;
		opt->wscale = our_wscale;
	}
	opt->sack_permitted = use->sack;
	if (use->ts) {
		opt->has_timestamp = 1;
		opt->ts_val = tsval;
		opt->ts_ecr = tsecr;
	}
}

/* Our SYN (everything offered) or our SYN,ACK in a simultaneous open. */
void sf_tcb_syn_options(const struct sf_stack *st, const struct sf_tcb *tcb, struct sf_tcp_options *opt)
{
	bool offer = tcb->state == SF_SYN_SENT;
	struct sf_syn_agreement use = offer ? sf_syn_offer(&st->cfg)
					    : (struct sf_syn_agreement){ .ws = tcb->ws_ok, .sack = tcb->sack_ok,
									 .ts = tcb->ts_ok };

	sf_syn_options(opt, tcb->rcv_mss, &use, tcb->rcv_wscale, sf_tcb_tsval(st, tcb), offer ? 0 : tcb->ts_recent);
}

/* The peer's SYN (or SYN,ACK) to an active open. The effective MSS leaves
 * room for the timestamp option on every segment (RFC 6691, RFC 7323 §3.2). */
void sf_tcb_agree_options(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *syn)
{
	struct sf_syn_agreement ag = sf_syn_agree(&st->cfg, &syn->opt);

	sf_tcb_take_agreement(tcb, &ag);
	if (tcb->ts_ok) {
		tcb->ts_recent = syn->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
	}
	sf_tcb_set_peer_mss(st, tcb, syn->opt.has_mss ? syn->opt.mss : 0);
}

/* RFC 2018 §3: 3 SACK blocks fit in the 40 bytes of options beside a
 * timestamp, 4 without. */
static int sack_room(const struct sf_tcb *tcb)
{
	return tcb->ts_ok ? 3 : 4;
}

/* Options on a segment of an established connection: the timestamp on every
 * one (RFC 7323 §3.2), SACK blocks for what is held out of order (RFC 2018 §4:
 * the most recent first). */
void sf_tcb_segment_options(struct sf_stack *st, struct sf_tcb *tcb, uint8_t flags, struct sf_tcp_options *opt)
{
	memset(opt, 0, sizeof *opt);
	if (tcb->ts_ok) { /* RFC 7323 §3.2: also on a RST (SHOULD) */
		opt->has_timestamp = 1;
		opt->ts_val = sf_tcb_tsval(st, tcb);
		opt->ts_ecr = tcb->ts_recent;
	}
	const struct sf_rangeset *ooo = sf_tcb_sack_to_report(tcb);
	if ((flags & SF_TCP_ACK) && !(flags & SF_TCP_RST) && ooo)
		opt->sack_count = (uint8_t)sf_rangeset_sack_blocks(ooo, opt->sack, sack_room(tcb));
}

/* sf_tcb_send_mss while SACK blocks ride on our segments: they take their
 * bytes, laid out as sf_wire_build lays them beside the timestamp. */
uint32_t sf_tcb_sack_send_mss(const struct sf_tcb *tcb, const struct sf_rangeset *ooo)
{
	int room = sack_room(tcb);
	struct sf_tcp_options with = { .has_timestamp = tcb->ts_ok,
				       .sack_count = (uint8_t)((int)ooo->n < room ? (int)ooo->n : room) };
	uint32_t extra = (uint32_t)sf_wire_options_len(&with) - sf_tcb_ts_space(tcb);
	/* snd_mss is at least 64 and extra at most 36; the floor only keeps a
	 * broken invariant from wrapping. */
	return tcb->snd_mss > extra ? tcb->snd_mss - extra : 1u;
}

/* The TCB's PAWS check; a TS.Recent idle for over 24 days may be stale (the
 * peer's clock may have wrapped) and is replaced, not judged by (§5.5). */
enum sf_drop_reason sf_tcb_check_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!tcb->ts_ok)
		return SF_DROP_NONE;
	/* A SYN may come from a peer that rebooted without timestamps: it goes
	 * on to the challenge ACK of RFC 5961 §4 after the sequence check. */
	if (!seg->opt.has_timestamp && (seg->flags & SF_TCP_SYN))
		return SF_DROP_NONE;
	enum sf_drop_reason r = sf_paws_check(tcb->ts_recent, seg);
	if (r == SF_DROP_PAWS && sf_ms(st) - tcb->ts_recent_ms > PAWS_IDLE_MS) {
		tcb->ts_recent = seg->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
		return SF_DROP_NONE;
	}
	return r;
}

/* RFC 7323 §4.3 (R3): keep the TSval of the segment that covers the ACK we
 * last sent: SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent. */
void sf_tcb_note_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!tcb->ts_ok || !seg->opt.has_timestamp)
		return;
	if (!sf_ts_older(seg->opt.ts_val, tcb->ts_recent) && seq_leq(seg->seq, tcb->last_ack_sent)) {
		tcb->ts_recent = seg->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
	}
}
