/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SEGMENT ARRIVES for a connection with a TCB: RFC 9293 §3.10.7.3 (SYN-SENT)
 * and §3.10.7.4 (the other states), in the RFC's order: sequence number, RST,
 * (security: synfin carries no IP security compartments), SYN, ACK, URG,
 * text, FIN. Embryos of a listener (listen.c) and TIME-WAIT
 * (timewait.c) have their own compact records.
 */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "base/seq.h"

/* The peer's window in bytes: scaled by its shift except in a SYN (RFC 7323 §2.2). */
static uint32_t seg_window(const struct sf_tcb *tcb, const struct sf_segment *seg, bool syn)
{
	return syn ? seg->window : (uint32_t)seg->window << tcb->snd_wscale;
}

static void establish(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg, uint32_t wnd,
		      bool retransmitted, enum sf_cause cause)
{
	sf_tcb_set_handshake_rto(st, tcb, retransmitted);
	sf_tcb_take_send_window(tcb, wnd, seg->seq, seg->ack);
	sf_tcb_set_state(st, tcb, SF_ESTABLISHED, cause);
	sf_tcb_start_quickack(tcb);
	sf_tcb_cc_init(tcb);
	sf_mark_ready(st, &tcb->sock);
	sf_tcb_start_keepalive(st, tcb);
	/* A shutdown(SHUT_WR) or close() made during the handshake queued a
	 * FIN (RFC 9293 §3.10.4: "queue for processing after entering
	 * ESTABLISHED"): now it goes, after any queued data. */
	if (tcb->fin_queued)
		sf_tcb_set_state(st, tcb, SF_FIN_WAIT_1, SF_CAUSE_QUEUED_CLOSE);
}

/*
 * RFC 9293 §3.10.7.3 + §3.10.7.4 fifth (ESTABLISHED): a new ACK advances
 * SND.UNA, frees what it covers from the send queue, takes an RTT sample if
 * it covers the timed segment, and restarts or stops the retransmission
 * timer (RFC 6298 §5.2, §5.3).
 */
static void ack_advance(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	uint32_t ack = seg->ack;
	uint32_t acked = ack - tcb->snd_una;

	if (tcb->snd_una == tcb->iss)
		acked--; /* our SYN */
	if (tcb->fin_sent && ack == tcb->snd_max)
		acked--; /* our FIN */
	struct sf_rangeset *sacked = sf_ring_map(&tcb->sndq);
	if (sacked)
		sf_rangeset_trim_before(sacked, ack); /* before the drop, which may free it */
	sf_ring_drop(&tcb->sndq, &st->bufs, acked);
	tcb->bytes_acked += acked;
	tcb->snd_una = ack;
	if (seq_lt(tcb->snd_nxt, tcb->snd_una))
		tcb->snd_nxt = tcb->snd_una;
	if (tcb->ts_ok && seg->opt.has_timestamp && seg->opt.ts_ecr) {
		/* RFC 7323 §4.1: the echoed timestamp times every ACK of new data,
		 * retransmitted or not (it names the transmission it answers). */
		uint32_t rtt_ms = sf_tcb_tsval(st, tcb) - seg->opt.ts_ecr;
		if (rtt_ms < (1u << 31))
			sf_tcb_rtt_sample(st, tcb, sf_ns_from_ms(rtt_ms));
		tcb->rtt_timing = false;
	} else if (tcb->rtt_timing && seq_geq(ack, tcb->rtt_seq)) {
		tcb->rtt_timing = false;
		sf_tcb_rtt_sample(st, tcb, st->now_ns - tcb->rtt_start_ns);
	}
	sf_tcb_peer_answered(st, tcb, true);
	if (tcb->snd_una == tcb->snd_max)
		sf_tcb_disarm(st, tcb, SF_TIMER_RETRANSMIT);
	else
		sf_tcb_arm_in(st, tcb, SF_TIMER_RETRANSMIT, tcb->rto_ms);
	if (acked)
		sf_mark_ready(st, &tcb->sock);
}

/* ---- RFC 9293 §3.10.7.3: SYN-SENT ---- */

static void syn_sent_input(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	bool has_ack = seg->flags & SF_TCP_ACK;

	/* First, check the ACK bit: it must fall in (ISS, SND.NXT]. */
	if (has_ack && (seq_leq(seg->ack, tcb->iss) || seq_gt(seg->ack, tcb->snd_max))) {
		if (!(seg->flags & SF_TCP_RST))
			sf_send_rst_reply(st, seg, (int)tcb->sock.handle);
		sf_drop(st, seg, SF_DROP_SYN_SENT_BAD_ACK);
		return;
	}
	/* Second, check the RST bit: with an acceptable ACK the peer refused us
	 * (connect reports ECONNREFUSED); without one it proves nothing. */
	if (seg->flags & SF_TCP_RST) {
		if (!has_ack) {
			sf_drop(st, seg, SF_DROP_SYN_SENT_RST_NO_ACK);
			return;
		}
		st->ctr.AttemptFails++;
		sf_tcb_end(st, tcb, -ECONNREFUSED, SF_CAUSE_RCV_RST_SYN_SENT);
		return;
	}
	/* Fourth, check the SYN bit (the third, security, does not apply). */
	if (!(seg->flags & SF_TCP_SYN)) {
		sf_drop(st, seg, SF_DROP_SYN_SENT_NO_SYN);
		return;
	}
	sf_tcb_init_rcv(st, tcb, seg->seq);
	/* RFC 3168 §6.1.1: only a SYN,ACK agrees to ECN; after crossing SYNs
	 * (a simultaneous open) it stays off, as on Linux, since neither SYN
	 * answers the other's request. */
	tcb->ecn_ok = has_ack && sf_ecn_agreed_synack(&st->cfg, seg);
	/* The window our SYN offered now starts at RCV.NXT = IRS+1 (init_rcv
	 * collapsed it to zero): without this, text on the SYN,ACK would be
	 * trimmed away as outside the window (§3.10.7.3 fourth: "Data or
	 * controls ... queued for processing"; MUST-58: one ACK covers it). */
	sf_tcb_agree_options(st, tcb, seg);
	(void)sf_tcb_advertise_window(st, tcb, true); /* the window our SYN offered (unscaled) */
	tcb->last_heard_ns = st->now_ns;
	if (!has_ack) {
		/* SYNs crossed (RFC 9293 Figure 8): SYN-RECEIVED, and our
		 * SYN goes again with the ACK of theirs. Text and FIN on their
		 * SYN are queued for processing once ESTABLISHED is reached
		 * (§3.10.7.3 fourth step): held in the receive queue, not yet
		 * ACKed, taken with the first segment processed in ESTABLISHED. */
		sf_tcb_take_send_window(tcb, seg->window, seg->seq, seg->ack);
		sf_tcb_set_state(st, tcb, SF_SYN_RECEIVED, SF_CAUSE_RCV_SYN_SIMULTANEOUS);
		sf_tcb_send_syn(st, tcb, false);
		if (seg->payload_len || (seg->flags & SF_TCP_FIN))
			sf_tcb_hold_syn_text(st, tcb, seg);
		return;
	}
	bool syn_retransmitted = tcb->rtx_count != 0; /* ack_advance clears it */
	ack_advance(st, tcb, seg);
	establish(st, tcb, seg, seg_window(tcb, seg, true), syn_retransmitted, SF_CAUSE_RCV_SYNACK);

	/* Any text or FIN on the SYN,ACK continues at the sixth step (its text
	 * starts after the SYN); one ACK, or data carrying it, answers
	 * everything (MUST-58). */
	if (seg->payload_len || (seg->flags & SF_TCP_FIN)) {
		sf_tcb_take_urgent(st, tcb, seg);
		sf_tcb_input_text_and_fin(st, tcb, seg);
		return;
	}
	if (sf_tcb_output(st, tcb) == 0)
		sf_tcb_send_ack(st, tcb);
}

/* ---- RFC 9293 §3.10.7.4: the other states ---- */

/* Second: the RST bit, with RFC 5961 §3's exact-match rule. */
static void rst_arrives(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (seg->seq != tcb->rcv_nxt) {
		sf_tcb_challenge_ack(st, tcb, false);
		sf_drop(st, seg, SF_DROP_RST_CHALLENGED);
		return;
	}
	switch (tcb->state) {
	case SF_SYN_RECEIVED:
		/* Only active opens have a TCB in SYN-RECEIVED: connection refused. */
		st->ctr.AttemptFails++;
		sf_tcb_end(st, tcb, -ECONNREFUSED, SF_CAUSE_RCV_RST_SYN_RECEIVED);
		break;
	case SF_ESTABLISHED:
	case SF_CLOSE_WAIT:
		st->ctr.EstabResets++;
		/* Linux reports EPIPE once the peer had already closed. */
		sf_tcb_end(st, tcb, tcb->state == SF_CLOSE_WAIT ? -EPIPE : -ECONNRESET, SF_CAUSE_RCV_RST);
		break;
	default:
		sf_tcb_end(st, tcb, -ECONNRESET, SF_CAUSE_RCV_RST);
		break;
	}
}

/* Our FIN is ACKed in FIN-WAIT-1. */
static void enter_fin_wait_2(struct sf_stack *st, struct sf_tcb *tcb)
{
	sf_tcb_set_state(st, tcb, SF_FIN_WAIT_2, SF_CAUSE_RCV_ACK_OF_FIN);
	sf_tcb_arm_fin_timeout(st, tcb);
}

/*
 * Fifth: the ACK field. Returns false when processing of the segment ends here
 * (dropped, or the connection is gone).
 */
static bool ack_arrives(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg, uint32_t wnd)
{
	if (!(seg->flags & SF_TCP_ACK)) {
		sf_drop(st, seg, SF_DROP_NO_ACK);
		return false;
	}
	if (tcb->state == SF_SYN_RECEIVED) {
		if (!(seq_gt(seg->ack, tcb->snd_una) && seq_leq(seg->ack, tcb->snd_max))) {
			sf_send_rst_reply(st, seg, (int)tcb->sock.handle);
			sf_drop(st, seg, SF_DROP_SYN_RECEIVED_BAD_ACK);
			return false;
		}
		establish(st, tcb, seg, wnd, tcb->rtx_count != 0, SF_CAUSE_RCV_ACK_OF_SYN);
	}
	/* RFC 5961 §5.2: acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT]. */
	if (seq_gt(seg->ack, tcb->snd_max) || seq_lt(seg->ack, tcb->snd_una - tcb->max_snd_wnd)) {
		sf_tcb_challenge_ack(st, tcb, false);
		sf_drop(st, seg, SF_DROP_ACK_CHALLENGED);
		return false;
	}
	sf_tcb_take_sack(st, tcb, seg);
	uint32_t acked = 0;
	bool dup = false;
	if (seq_gt(seg->ack, tcb->snd_una)) {
		acked = seg->ack - tcb->snd_una;
		ack_advance(st, tcb, seg);
	} else {
		/* RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries
		 * no data, SYN or FIN, leaves the window as it was, and comes
		 * while data is outstanding. */
		dup = seg->ack == tcb->snd_una && seg->payload_len == 0 &&
		      !(seg->flags & (SF_TCP_SYN | SF_TCP_FIN)) && tcb->snd_max != tcb->snd_una && wnd == tcb->snd_wnd;
	}
	/* The send window is updated only by segments newer than the last
	 * update (SND.WL1, SND.WL2) so old segments cannot shrink it. */
	if (seq_lt(tcb->snd_wl1, seg->seq) || (tcb->snd_wl1 == seg->seq && seq_leq(tcb->snd_wl2, seg->ack)))
		sf_tcb_take_send_window(tcb, wnd, seg->seq, seg->ack);
	sf_tcb_sender_ack(st, tcb, acked, dup);
	/* RFC 3168 §6.1.2, after the loss rules: an ACK that starts loss
	 * recovery answers that congestion once, not twice. */
	if ((seg->flags & SF_TCP_ECE) && tcb->ecn_ok)
		sf_tcb_ecn_echo(st, tcb);
	if (!sf_tcb_fin_acked(tcb))
		return true;
	switch (tcb->state) {
	case SF_FIN_WAIT_1:
		/* RFC 9293 Figure 5 note 2, §3.10.7.4 eighth ("If our FIN has been
		 * ACKed (perhaps in this segment), then enter TIME-WAIT"): a FIN
		 * riding with the ACK of ours goes FIN-WAIT-1 -> TIME-WAIT at the
		 * FIN step. If that FIN cannot be taken, the text step falls back
		 * to FIN-WAIT-2 (sf_tcb_input_text_and_fin). */
		if (!(seg->flags & SF_TCP_FIN))
			enter_fin_wait_2(st, tcb);
		return true;
	case SF_CLOSING:
		sf_tcb_set_state(st, tcb, SF_TIME_WAIT, SF_CAUSE_RCV_ACK_OF_FIN);
		sf_tw_enter(st, tcb);
		return false;
	case SF_LAST_ACK:
		sf_tcb_end(st, tcb, 0, SF_CAUSE_RCV_ACK_OF_FIN);
		return false;
	default:
		return true;
	}
}

/*
 * Seventh and eighth: the text and the FIN. Text is accepted only at RCV.NXT
 * (reassembly of later segments is the data-transfer layer's); a FIN counts
 * only once everything before it has arrived. Ends by sending one ACK, or
 * data that carries it (MUST-58, MUST-59).
 */
void sf_tcb_input_text_and_fin(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *in)
{
	enum sf_ack_need need = SF_ACK_NONE;
	bool fin_now = false;

	if (in->payload_len) {
		if (tcb->state != SF_ESTABLISHED && tcb->state != SF_FIN_WAIT_1 && tcb->state != SF_FIN_WAIT_2) {
			/* CLOSE-WAIT, CLOSING, LAST-ACK: the peer has sent its FIN. */
			sf_drop(st, in, SF_DROP_DATA_AFTER_FIN);
			return;
		}
		if (tcb->orphan && seq_gt(sf_segment_text_seq(in) + (uint32_t)in->payload_len, tcb->rcv_nxt)) {
			/* SHLD-3 and RFC 2525 §2.17: new data after CLOSE is lost: say so. */
			st->ctr.TCPAbortOnData++;
			sf_tcb_send_rst(st, tcb);
			sf_tcb_end(st, tcb, -ECONNRESET, SF_CAUSE_DATA_AFTER_CLOSE);
			return;
		}
	}
	if (in->payload_len || (in->flags & SF_TCP_FIN) || tcb->syn_text_held)
		need = sf_tcb_take_text(st, tcb, in, &fin_now);

	if (fin_now) {
		/* Eighth: the FIN. Advance RCV.NXT over it, ACK it at once
		 * and tell the application: recv returns 0 after the data. */
		tcb->rcv_nxt++;
		tcb->eof = true;
		need = SF_ACK_NOW;
		sf_mark_ready(st, &tcb->sock);
		switch (tcb->state) {
		case SF_SYN_RECEIVED:
		case SF_ESTABLISHED:
			sf_tcb_set_state(st, tcb, SF_CLOSE_WAIT, SF_CAUSE_RCV_FIN);
			break;
		case SF_FIN_WAIT_1:
			if (sf_tcb_fin_acked(tcb)) {
				sf_tcb_send_ack(st, tcb);
				sf_tcb_set_state(st, tcb, SF_TIME_WAIT, SF_CAUSE_RCV_FIN_OUR_FIN_ACKED);
				sf_tw_enter(st, tcb);
				return;
			}
			sf_tcb_set_state(st, tcb, SF_CLOSING, SF_CAUSE_RCV_FIN_SIMULTANEOUS);
			break;
		case SF_FIN_WAIT_2:
			sf_tcb_send_ack(st, tcb);
			sf_tcb_set_state(st, tcb, SF_TIME_WAIT, SF_CAUSE_RCV_FIN);
			sf_tw_enter(st, tcb);
			return;
		default:
			break; /* CLOSE-WAIT, CLOSING, LAST-ACK: remain */
		}
	}
	/* The segment ACKed our FIN but its own FIN was not taken (out of
	 * order, or beyond the window): ack_arrives left FIN-WAIT-1 to us. */
	if (tcb->state == SF_FIN_WAIT_1 && sf_tcb_fin_acked(tcb))
		enter_fin_wait_2(st, tcb);
	if (sf_tcb_output(st, tcb) == 0)
		sf_tcb_schedule_ack(st, tcb, need);
}

void sf_tcb_input(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (tcb->state == SF_SYN_SENT) {
		syn_sent_input(st, tcb, seg);
		return;
	}
	if (tcb->state == SF_CLOSED || tcb->state == SF_LISTEN || tcb->state == SF_TIME_WAIT) {
		/* Not hashed in these states; kept for safety (§3.10.7.1). */
		if (!(seg->flags & SF_TCP_RST))
			sf_send_rst_reply(st, seg, -1);
		sf_drop(st, seg, SF_DROP_NO_CONNECTION);
		return;
	}

	uint32_t wnd = seg_window(tcb, seg, (seg->flags & SF_TCP_SYN) != 0);
	/* RFC 9293 Figure 8, line 6: in a simultaneous open the peer's SYN,ACK
	 * repeats the SYN we already took (SEG.SEQ = IRS) and ACKs ours. Only
	 * its ACK (and any text after the SYN) is news: the segment passes the
	 * sequence and SYN checks, so the handshake ends in 4 segments with no
	 * bare ACK (Linux does the same). */
	bool syn_repeated = tcb->state == SF_SYN_RECEIVED && !tcb->passive &&
			    (seg->flags & (SF_TCP_SYN | SF_TCP_ACK | SF_TCP_RST)) == (SF_TCP_SYN | SF_TCP_ACK) &&
			    seg->seq == tcb->irs && seg->ack == tcb->snd_max;

	/* RFC 7323 §5.3 R1 (PAWS) comes before the sequence check: an old
	 * duplicate whose sequence number has wrapped into the window. */
	enum sf_drop_reason ts = sf_tcb_check_timestamp(st, tcb, seg);
	if (ts != SF_DROP_NONE) {
		if ((seg->flags & SF_TCP_SYN) && !syn_repeated) {
			/* As Linux: an old-stamped SYN (a peer that rebooted) gets
			 * the rate-limited challenge ACK of RFC 5961 §4. */
			sf_tcb_challenge_ack(st, tcb, true);
			sf_drop(st, seg, SF_DROP_SYN_CHALLENGED);
			return;
		}
		if (ts == SF_DROP_PAWS)
			sf_tcb_send_ack(st, tcb); /* as for any unacceptable segment */
		sf_drop(st, seg, ts);
		return;
	}
	/* First: the sequence number. */
	if (!syn_repeated && !sf_seq_acceptable(seg, tcb->rcv_nxt, tcb->rcv_adv - tcb->rcv_nxt)) {
		if (seg->flags & SF_TCP_RST) {
			sf_drop(st, seg, SF_DROP_SEQ_UNACCEPTABLE); /* RFC 5961 §3.2: silently */
			return;
		}
		/* A zero window still takes a valid ACK (§3.10.7.4): process the
		 * ACK of a segment that starts at RCV.NXT, without its text. */
		if (tcb->rcv_adv == tcb->rcv_nxt && seg->seq == tcb->rcv_nxt && (seg->flags & SF_TCP_ACK) &&
		    !(seg->flags & SF_TCP_SYN)) {
			if (!ack_arrives(st, tcb, seg, wnd))
				return;
			/* MUST-66: its URG is taken too; its FIN, like its text,
			 * lies beyond the window: not taken. */
			sf_tcb_take_urgent(st, tcb, seg);
			if (tcb->state == SF_FIN_WAIT_1 && sf_tcb_fin_acked(tcb))
				enter_fin_wait_2(st, tcb);
			sf_tcb_send_ack(st, tcb);
			return;
		}
		if (seg->flags & SF_TCP_SYN) {
			/* RFC 5961 §4.2 (as Linux): a SYN outside the window is
			 * answered by the same challenge ACK as one inside it. */
			sf_tcb_challenge_ack(st, tcb, true);
			sf_drop(st, seg, SF_DROP_SYN_CHALLENGED);
			return;
		}
		/* The RFC's duplicate ACK, except that a bare ACK answering a
		 * bare ACK is sent at most every 500 ms (as Linux's
		 * tcp_invalid_ratelimit): two ends that each find the other's
		 * ACKs old must not ping-pong for ever. */
		bool bare = seg->payload_len == 0 && !(seg->flags & SF_TCP_FIN);
		if (!bare) {
			sf_tcb_send_ack(st, tcb);
		} else if (!tcb->last_oow_ack_ns || st->now_ns - tcb->last_oow_ack_ns >= sf_ns_from_ms(500)) {
			tcb->last_oow_ack_ns = st->now_ns;
			sf_tcb_send_ack(st, tcb);
		}
		sf_drop(st, seg, SF_DROP_SEQ_UNACCEPTABLE);
		return;
	}
	tcb->last_heard_ns = st->now_ns;
	tcb->ka_probes_sent = 0;

	/* Second: RST. */
	if (seg->flags & SF_TCP_RST) {
		rst_arrives(st, tcb, seg);
		return;
	}
	/* Fourth: SYN in a synchronized state (RFC 5961 §4.2: challenge ACK). */
	if ((seg->flags & SF_TCP_SYN) && !syn_repeated) {
		sf_tcb_challenge_ack(st, tcb, true);
		sf_drop(st, seg, SF_DROP_SYN_CHALLENGED);
		return;
	}
	/* Fifth: ACK. */
	if (!ack_arrives(st, tcb, seg, wnd))
		return;
	/* RFC 7323 §5.3 R3, only now that the RST, SYN and ACK checks have
	 * passed: a forged segment that is challenged and dropped must not set
	 * TS.Recent, or PAWS would then reject the real peer (as Linux fixed). */
	sf_tcb_note_timestamp(st, tcb, seg);
	/* Sixth: URG. Seventh and eighth: text and FIN. */
	sf_tcb_take_urgent(st, tcb, seg);
	sf_tcb_input_text_and_fin(st, tcb, seg);
}
