/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receiving half of the data path (RFC 9293 §3.10.7.4 seventh step,
 * §3.8.6): in-order text into the receive queue, out-of-order text held in
 * place until the hole before it fills (SHLD-31), and when to ACK.
 */
#include "tcp/tcp.h"
#include "base/seq.h"

/* As Linux's quick-ACK mode: the first segments of a connection are ACKed
 * at once, so that a sender in slow start is not held up by delayed ACKs. */
#define SF_QUICKACKS 16

/*
 * Held out-of-order bytes that now start at RCV.NXT join the receive queue.
 * Returns whether RCV.NXT moved.
 */
static bool join_held(struct sf_stack *st, struct sf_tcb *tcb)
{
	struct sf_rangeset *held = sf_ring_map(&tcb->rcvq);
	bool moved = false;

	if (!held || !held->n)
		return false;
	uint32_t end = sf_rangeset_take_from(held, tcb->rcv_nxt);
	if (end != tcb->rcv_nxt) {
		sf_ring_commit(&tcb->rcvq, end - tcb->rcv_nxt);
		tcb->bytes_received += end - tcb->rcv_nxt;
		tcb->rcv_nxt = end;
		moved = true;
	}
	sf_rangeset_trim_before(held, tcb->rcv_nxt);
	sf_ring_release_if_empty(&tcb->rcvq, &st->bufs);
	return moved;
}

/*
 * Take the text of an acceptable segment. Bytes before RCV.NXT are
 * duplicates; bytes past the offered window are cut off (§3.10.7.4: "the
 * idealized segment"). In-order bytes join the receive queue, and any held
 * out-of-order bytes they now reach join with them. Later bytes are written
 * where they belong in the queue's storage and remembered in its range map.
 * A FIN is remembered even ahead of a hole and taken once the hole fills
 * (*fin_now). With hold, even in-order bytes are only held: the text of a
 * crossing SYN waits for ESTABLISHED (§3.10.7.3 fourth step). Returns how
 * soon an ACK is due (RFC 5681 §4.2: at once for a duplicate, an
 * out-of-order segment or one that fills a hole).
 */
static enum sf_ack_need take_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg, bool hold,
				  bool *fin_now)
{
	uint32_t seq = sf_segment_text_seq(seg), len = (uint32_t)seg->payload_len;
	const uint8_t *p = seg->payload;
	bool fin = seg->flags & SF_TCP_FIN;
	enum sf_ack_need need = len ? SF_ACK_DELAYED : SF_ACK_NONE;

	*fin_now = false;
	if (seq_lt(seq, tcb->rcv_nxt)) {
		uint32_t skip = tcb->rcv_nxt - seq;
		need = SF_ACK_AT_ONCE; /* a duplicate: tell the sender where we are */
		if (skip > len) {
			/* All old, and so is a FIN that came after it. */
			fin = false;
			len = 0;
		} else {
			p += skip;
			len -= skip;
		}
		seq = tcb->rcv_nxt;
	}
	if (seq_geq(seq, tcb->rcv_adv)) {
		len = 0;
		fin = false;
	} else if (seq_gt(seq + len, tcb->rcv_adv)) {
		len = tcb->rcv_adv - seq;
		fin = false; /* the FIN lies beyond the window */
	}
	if (fin && !tcb->fin_ahead) {
		tcb->fin_ahead = true;
		tcb->fin_seq = seq + len;
	}

	if (len && seq == tcb->rcv_nxt && !hold) {
		uint32_t n = len;
		if (!tcb->rcv_shut) {
			long w = sf_ring_write(&tcb->rcvq, &st->bufs, sf_tcb_rcv_cap(tcb), p, len);
			n = w < 0 ? 0 : (uint32_t)w;
		}
		tcb->rcv_nxt += n;
		tcb->bytes_received += n;
		struct sf_rangeset *held = sf_ring_map(&tcb->rcvq);
		if (held && held->n) {
			need = SF_ACK_AT_ONCE; /* RFC 5681 §4.2: it fills all or part of a hole */
			join_held(st, tcb);
		}
		if (n)
			sf_mark_ready(st, &tcb->sock);
	} else if (len && !tcb->rcv_shut) {
		/* SHLD-31: hold it, in place, until the hole before it fills. */
		long w = sf_ring_write_at(&tcb->rcvq, &st->bufs, sf_tcb_rcv_cap(tcb), seq - tcb->rcv_nxt, p, len);
		struct sf_rangeset *held = sf_ring_map(&tcb->rcvq);
		if (w > 0 && held && sf_rangeset_add(held, seq, seq + (uint32_t)w) == 0)
			st->ctr.TCPOFOQueue++;
		else
			sf_drop(st, seg, SF_DROP_OUT_OF_ORDER_FULL);
		need = SF_ACK_AT_ONCE;
	}
	if (hold)
		return need;

	if (tcb->fin_ahead && tcb->fin_seq == tcb->rcv_nxt) {
		tcb->fin_ahead = false;
		*fin_now = true;
	}
	return need;
}

/*
 * RFC 3168 §6.1.3: a CE mark on a data segment (one with text or a FIN:
 * only those come here) is echoed: our ACKs carry ECE
 * (sf_tcb_prepare_segment) until a data segment with CWR says the sender
 * has reduced its window (CWR rides only on new data, §6.1.2). CWR is taken
 * first, so a CE on the CWR segment itself starts the echo again. As Linux
 * (tcp_ecn_accept_cwr, tcp_ecn_check_ce), ACKs that matter to a sender that
 * may be down to a small window are not delayed: the one for a CWR segment,
 * and for the CE that starts an echo, that one and the next (quick-ACK).
 */
static void take_ecn(struct sf_tcb *tcb, const struct sf_segment *seg)
{
	uint8_t quick = 0;

	if (seg->flags & SF_TCP_CWR) {
		tcb->ecn_ece = false;
		quick = 1;
	}
	if ((seg->tclass & SF_ECN_MASK) == SF_ECN_CE && !tcb->ecn_ece) {
		tcb->ecn_ece = true;
		quick = 2;
	}
	if (tcb->quickacks < quick)
		tcb->quickacks = quick;
}

enum sf_ack_need sf_tcb_take_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg,
				  bool *fin_now)
{
	if (tcb->ecn_ok)
		take_ecn(tcb, seg);
	if (tcb->syn_text_held) {
		/* The first segment processed in ESTABLISHED: what came on the
		 * crossing SYN is processed now (§3.10.7.3 fourth step). */
		tcb->syn_text_held = false;
		if (join_held(st, tcb)) {
			sf_mark_ready(st, &tcb->sock);
			enum sf_ack_need need = take_text(st, tcb, seg, false, fin_now);
			return need > SF_ACK_NOW ? need : SF_ACK_NOW;
		}
	}
	return take_text(st, tcb, seg, false, fin_now);
}

void sf_tcb_hold_syn_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	bool fin_now;

	(void)take_text(st, tcb, seg, true, &fin_now);
	tcb->syn_text_held = true;
}

/*
 * The sixth step (RFC 9293 §3.10.7.4, §3.8.5): RCV.UP <- max(RCV.UP,
 * SEG.SEQ + SEG.UP), the pointer naming the octet after the urgent data
 * (MUST-62, as every implementation reads it: RFC 6093 §2), of any length
 * (MUST-31). Urgent bytes stay in the stream (inline, as RFC 6093 §5
 * advises); the application is told when a pointer arrives with no urgent
 * data pending or advances (MUST-32: the socket becomes ready with
 * SF_EV_URGENT) and can ask how much remains (MUST-33: sf_urgent_left).
 * After the peer's FIN (CLOSE-WAIT and later) there is nothing to mark: ignored.
 */
void sf_tcb_take_urgent(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg)
{
	if (!(seg->flags & SF_TCP_URG) || seg->urgent == 0)
		return;
	if (tcb->state != SF_ESTABLISHED && tcb->state != SF_FIN_WAIT_1 && tcb->state != SF_FIN_WAIT_2)
		return;
	uint32_t up = seg->seq + seg->urgent;
	if (seq_leq(up, sf_tcb_read_seq(tcb)))
		return; /* urgent data the application has already read */
	if (tcb->urg_pending && seq_leq(up, tcb->rcv_up))
		return; /* the pointer cannot recede (§3.8.5) */
	tcb->rcv_up = up;
	tcb->urg_pending = true;
	sf_mark_ready(st, &tcb->sock);
}

uint32_t sf_tcb_urgent_left(const struct sf_tcb *tcb)
{
	uint32_t at = sf_tcb_read_seq(tcb);
	return tcb->urg_pending && seq_gt(tcb->rcv_up, at) ? tcb->rcv_up - at : 0;
}

/*
 * Send the ACK now, or let it wait (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2):
 * at least every second full-sized segment is ACKed at once, and no ACK
 * waits longer than delack_ms. Any segment we send carries the ACK and
 * cancels the wait (sf_tcb_prepare_segment).
 */
void sf_tcb_schedule_ack(struct sf_stack *st, struct sf_tcb *tcb, enum sf_ack_need need)
{
	if (need == SF_ACK_NONE)
		return;
	if (need == SF_ACK_AT_ONCE) {
		sf_tcb_send_ack(st, tcb);
		return;
	}
	uint32_t full = tcb->rcv_mss > sf_tcb_ts_space(tcb) ? tcb->rcv_mss - sf_tcb_ts_space(tcb) : 1u;
	if (need == SF_ACK_DELAYED && tcb->quickacks) {
		tcb->quickacks--;
		need = SF_ACK_NOW;
	}
	if (need == SF_ACK_NOW || tcb->rcv_nxt - tcb->last_ack_sent >= 2 * full) {
		/* Inside an input batch the ACK waits for its end (MUST-59). */
		if (tcb->ack_held)
			return;
		if (sf_batch_defer_ack(st, tcb->sock.handle)) {
			tcb->ack_held = true;
			return;
		}
		sf_tcb_send_ack(st, tcb);
		return;
	}
	if (tcb->due[SF_TIMER_DELACK] == SF_TIME_NEVER)
		sf_tcb_arm_in(st, tcb, SF_TIMER_DELACK, st->cfg.delack_ms);
}

void sf_tcb_start_quickack(struct sf_tcb *tcb)
{
	tcb->quickacks = SF_QUICKACKS;
}
