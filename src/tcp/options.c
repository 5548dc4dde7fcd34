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

uint32_t sf_tsval(const struct sf_stack *st, uint32_t ts_offset)
{
	return sf_ms(st) + ts_offset;
}

uint32_t sf_tcb_tsval(const struct sf_stack *st, const struct sf_tcb *tcb)
{
	return sf_tsval(st, tcb->ts_offset);
}

/* RFC 9293 §3.7.1 (MUST-67): the MSS we announce is what our interface
 * carries, capped by the socket's TCP_MAXSEG. */
uint16_t sf_own_mss(const struct sf_stack *st, const struct sf_sock *sock, const struct sf_addr *local)
{
	uint16_t mss = sf_local_mss(st, local);
	return sock->maxseg && sock->maxseg < mss ? sock->maxseg : mss;
}

/* What our SYN offers: every option the configuration allows. */
struct sf_syn_agreement sf_syn_offer(const struct sf_config *cfg)
{
	return (struct sf_syn_agreement){ .ws = cfg->window_scaling != 0, .sack = cfg->sack != 0,
					  .ts = cfg->timestamps != 0 };
}

/*
 * The peer's SYN (or SYN,ACK) settles what is used: window scaling only if
 * both sides send the option, else neither side scales (RFC 7323 §2.2), and
 * a shift above 14 is taken as 14 (§2.3); timestamps (RFC 7323 §3.2) and
 * SACK (RFC 2018 §2) likewise need both. The listener's embryos and the TCBs
 * of active opens agree by this one rule.
 */
struct sf_syn_agreement sf_syn_agree(const struct sf_config *cfg, const struct sf_tcp_options *peer)
{
	struct sf_syn_agreement ours = sf_syn_offer(cfg);
	bool ws = peer->has_wscale && ours.ws;
	return (struct sf_syn_agreement){
		.ws = ws,
		.sack = peer->sack_permitted && ours.sack,
		.ts = peer->has_timestamp && ours.ts,
		.peer_wscale = ws ? (peer->wscale > 14 ? 14 : peer->wscale) : 0,
	};
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

/* The agreement settles the TCB's options: a side that does not scale
 * makes neither scale (RFC 7323 §2.2). */
void sf_tcb_take_agreement(struct sf_tcb *tcb, const struct sf_syn_agreement *ag)
{
	tcb->ws_ok = ag->ws;
	tcb->snd_wscale = ag->peer_wscale;
	if (!ag->ws)
		tcb->rcv_wscale = 0;
	tcb->sack_ok = ag->sack;
	tcb->ts_ok = ag->ts;
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
 * RFC 7323 §3.2 and §5.3 R1 (PAWS), for a connection whose SYNs agreed on
 * timestamps: a segment without one (other than a RST) is dropped, and one
 * whose TSval is older than TS.Recent is an old duplicate. RSTs are not
 * judged. Returns the drop reason, or SF_DROP_NONE. The TCB and the embryo
 * both judge by this.
 */
enum sf_drop_reason sf_paws_check(uint32_t ts_recent, const struct sf_segment *seg)
{
	if (seg->flags & SF_TCP_RST)
		return SF_DROP_NONE;
	if (!seg->opt.has_timestamp)
		return SF_DROP_TS_MISSING;
	return sf_ts_older(seg->opt.ts_val, ts_recent) ? SF_DROP_PAWS : SF_DROP_NONE;
}

/* The TCB's PAWS check; a TS.Recent idle for over 24 days may be stale (the
 * peer's clock may have wrapped) and is replaced, not judged by (§5.5). */
enum sf_drop_reason sf_tcb_check_timestamp(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!tcb->ts_ok)
		return SF_DROP_NONE;
	if (seg->opt.has_timestamp && sf_ms(st) - tcb->ts_recent_ms > PAWS_IDLE_MS &&
	    sf_ts_older(seg->opt.ts_val, tcb->ts_recent)) {
		tcb->ts_recent = seg->opt.ts_val;
		tcb->ts_recent_ms = sf_ms(st);
	}
	return sf_paws_check(tcb->ts_recent, seg);
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
