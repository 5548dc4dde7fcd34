/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP and ICMPv6 errors given to the connection that caused them (RFC 9293
 * §3.9.2.2, MUST-54; RFC 1122 §4.2.3.9), after the checks RFC 5927 asks for
 * so that a blind attacker cannot use them: the quoted segment must be one
 * the connection has sent and not yet had acknowledged.
 *
 * Soft errors never abort (MUST-56): they are reported (SHLD-25: the soft
 * error and its event, sf_soft_error) and, should the connection then time
 * out, its error instead of ETIMEDOUT. Hard errors abort an opening
 * connection (SHLD-26); in a synchronized state they are reported as soft
 * ones, as RFC 5461 §4 describes of implementations and Linux does (a
 * router's momentary unreachable must not end a working connection).
 * Source quench is discarded (MUST-55). Fragmentation needed / packet too
 * big lowers the connection's path MTU (pmtu.c).
 */
#include "tcp/tcp.h"
#include "base/seq.h"
#include "demux/demux.h"

static void count(struct sf_stack *st, const struct sf_icmp_error *e)
{
	bool v6 = e->reporter.family == SF_AF_INET6;

	switch (e->kind) {
	case SF_ICMP_UNREACHABLE:
		v6 ? st->ctr.Icmp6InDestUnreachs++ : st->ctr.IcmpInDestUnreachs++;
		break;
	case SF_ICMP_PACKET_TOO_BIG:
		v6 ? st->ctr.Icmp6InPktTooBigs++ : st->ctr.IcmpInDestUnreachs++;
		break;
	case SF_ICMP_SOURCE_QUENCH:
		st->ctr.IcmpInSrcQuenchs++;
		break;
	case SF_ICMP_TIME_EXCEEDED:
		v6 ? st->ctr.Icmp6InTimeExcds++ : st->ctr.IcmpInTimeExcds++;
		break;
	case SF_ICMP_PARAM_PROBLEM:
		v6 ? st->ctr.Icmp6InParmProblems++ : st->ctr.IcmpInParmProbs++;
		break;
	}
}

/* However well forged messages are filtered, one connection acts on at most
 * ICMP_PER_SECOND of them a second: a flood that guesses right now and then
 * cannot keep a connection's segments small or its errors coming. */
#define ICMP_PER_SECOND 10

static bool connection_budget(struct sf_stack *st, struct sf_tcb *tcb)
{
	uint64_t second = st->now_ns / 1000000000u;
	if (second != tcb->icmp_second) {
		tcb->icmp_second = second;
		tcb->icmp_count = 0;
	}
	return tcb->icmp_count++ < ICMP_PER_SECOND;
}

static void tcb_error(struct sf_stack *st, struct sf_tcb *tcb, const struct sf_icmp_error *e)
{
	/* RFC 5927 §4.1: only a segment sent and not yet acknowledged can have
	 * drawn a real error; any other number is a guess. (As a range: with
	 * nothing in flight it is empty, even for SND.UNA + 2^31, which both
	 * seq_geq and seq_lt would take.) */
	if (!seq_in_range(e->seq, tcb->snd_una, tcb->snd_max)) {
		sf_drop(st, NULL, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW);
		return;
	}
	if (!connection_budget(st, tcb)) {
		sf_drop(st, NULL, SF_DROP_ICMP_CONNECTION_BUDGET);
		return;
	}
	if (e->kind == SF_ICMP_PACKET_TOO_BIG) {
		sf_tcb_packet_too_big(st, tcb, e);
		return;
	}
	bool opening = tcb->state == SF_SYN_SENT || (tcb->state == SF_SYN_RECEIVED && !tcb->passive);
	if (e->hard && opening) {
		st->ctr.AttemptFails++;
		sf_tcb_end(st, tcb, e->err, SF_CAUSE_ICMP_UNREACHABLE);
		return;
	}
	if (tcb->soft_error != e->err) {
		tcb->soft_error = e->err;
		sf_mark_ready(st, &tcb->sock);
	}
}

/* An embryo has sent only its SYN,ACK: the error must quote its ISS (as
 * Linux's tcp_req_err). A hard one ends it; a soft one has no application
 * to tell, and the SYN,ACK timer carries on. */
static void embryo_error(struct sf_stack *st, uint32_t index, const struct sf_icmp_error *e)
{
	struct sf_embryo *emb = sf_embryo_at(st, index);

	if (e->seq != emb->iss) {
		sf_drop(st, NULL, SF_DROP_ICMP_SEQ_OUT_OF_WINDOW);
		return;
	}
	if (e->kind == SF_ICMP_PACKET_TOO_BIG) {
		sf_drop(st, NULL, SF_DROP_ICMP_PACKET_TOO_BIG);
		return;
	}
	if (e->hard) {
		st->ctr.AttemptFails++;
		sf_record_state_change(st, sf_ref_make(SF_REF_EMBRYO, index), SF_SYN_RECEIVED, SF_CLOSED,
				       SF_CAUSE_ICMP_UNREACHABLE);
		sf_embryo_free(st, index);
	}
}

void sf_tcp_icmp_error(struct sf_stack *st, const struct sf_icmp_error *e)
{
	count(st, e);
	if (!sf_icmp_error_budget(st)) { /* RFC 5927 §4.3: a flood of errors is not all acted on */
		sf_drop(st, NULL, SF_DROP_ICMP_ERROR_BUDGET);
		return;
	}
	if (e->kind == SF_ICMP_SOURCE_QUENCH) {
		sf_drop(st, NULL, SF_DROP_ICMP_SOURCE_QUENCH);
		return;
	}
	sf_ref ref = sf_demux_lookup(st, &e->local, &e->remote);
	switch (sf_ref_kind(ref)) {
	case SF_REF_SOCK:
		tcb_error(st, (struct sf_tcb *)st->socks[sf_ref_index(ref)], e);
		return;
	case SF_REF_EMBRYO:
		embryo_error(st, sf_ref_index(ref), e);
		return;
	default:
		/* No connection, or TIME-WAIT, where the peer has all it needs. */
		sf_drop(st, NULL, SF_DROP_ICMP_NO_CONNECTION);
		return;
	}
}
