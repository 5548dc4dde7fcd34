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
 * Take the text of an acceptable segment. Bytes before RCV.NXT are
 * duplicates; bytes past the offered window are cut off (§3.10.7.4: "the
 * idealized segment"). In-order bytes join the receive queue, and any held
 * out-of-order bytes they now reach join with them. Later bytes are written
 * where they belong in the queue's storage and remembered in its range map.
 * A FIN is remembered even ahead of a hole and taken once the hole fills
 * (*fin_now). Returns how soon an ACK is due (RFC 5681 §4.2: at once for a
 * duplicate, an out-of-order segment or one that fills a hole).
 */
enum sf_ack_need sf_tcb_take_text(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_segment *seg,
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

	if (len && seq == tcb->rcv_nxt) {
		uint32_t n = len;
		if (!tcb->rcv_shut) {
			long w = sf_ring_write(&tcb->rcvq, &st->bufs, sf_tcb_rcv_cap(tcb), p, len);
			n = w < 0 ? 0 : (uint32_t)w;
		}
		tcb->rcv_nxt += n;
		struct sf_rangeset *held = sf_ring_map(&tcb->rcvq);
		if (held && held->n) {
			need = SF_ACK_AT_ONCE; /* RFC 5681 §4.2: it fills all or part of a hole */
			uint32_t end = sf_rangeset_take_from(held, tcb->rcv_nxt);
			if (end != tcb->rcv_nxt) {
				sf_ring_commit(&tcb->rcvq, end - tcb->rcv_nxt);
				tcb->rcv_nxt = end;
			}
			sf_rangeset_trim_before(held, tcb->rcv_nxt);
			sf_ring_release_if_empty(&tcb->rcvq, &st->bufs);
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

	if (tcb->fin_ahead && tcb->fin_seq == tcb->rcv_nxt) {
		tcb->fin_ahead = false;
		*fin_now = true;
	}
	return need;
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
