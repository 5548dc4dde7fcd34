/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Counting and tracing: every discard is counted under its reason, and the
 * trace hook sees segments in and out, state changes with their causes,
 * timers, drops and the negative advice meant for IP. Events are built only
 * when a tracer is installed.
 */
#include "core/service.h"

static void trace(struct sf_stack *st, struct sf_trace_event *ev)
{
	ev->now_ns = st->now_ns;
	st->in_callback = true;
	st->cfg.trace(st->cfg.trace_ctx, ev);
	st->in_callback = false;
}

void sf_drop(struct sf_stack *st, const struct sf_segment *seg, enum sf_drop_reason reason)
{
	st->ctr.drops[reason]++;
	st->ctr.InDrops++;
	/* Not traced from inside a callback (a datagram a callback fed back):
	 * the stack never calls a callback from inside another. */
	if (!sf_tracing(st) || st->in_callback)
		return;
	struct sf_trace_event ev = { .kind = SF_TRACE_DROP, .sock = -1, .seg = seg, .drop = reason };
	if (seg) {
		ev.local = (struct sf_endpoint){ seg->dst, seg->dport };
		ev.remote = (struct sf_endpoint){ seg->src, seg->sport };
	}
	trace(st, &ev);
}

void sf_trace_transition(struct sf_stack *st, int sock, const struct sf_endpoint *local,
			 const struct sf_endpoint *remote, enum sf_tcp_state from, enum sf_tcp_state to,
			 enum sf_cause cause)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_STATE, .sock = sock, .old_state = from, .new_state = to, .cause = cause,
		.local = *local, .remote = *remote,
	};
	trace(st, &ev);
}

void sf_trace_timer(struct sf_stack *st, int sock, enum sf_timer_kind timer, enum sf_tcp_state state,
		    const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_TIMER, .sock = sock, .timer = timer, .new_state = state,
		.local = *local, .remote = *remote,
	};
	trace(st, &ev);
}

void sf_trace_advice(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_NEGATIVE_ADVICE, .sock = sock, .local = *local, .remote = *remote,
	};
	trace(st, &ev);
}

void sf_trace_path_mtu(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		       uint32_t mtu, enum sf_cause cause)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_PATH_MTU, .sock = sock, .local = *local, .remote = *remote, .mtu = mtu, .cause = cause,
	};
	trace(st, &ev);
}

void sf_trace_segment_in(struct sf_stack *st, const struct sf_segment *seg, int sock)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_SEGMENT_IN, .sock = sock, .seg = seg,
		.local = { seg->dst, seg->dport }, .remote = { seg->src, seg->sport },
	};
	trace(st, &ev);
}

void sf_trace_segment_out(struct sf_stack *st, const struct sf_segment *seg, int sock, enum sf_out_kind kind)
{
	if (!sf_tracing(st))
		return;
	struct sf_trace_event ev = {
		.kind = SF_TRACE_SEGMENT_OUT, .sock = sock, .seg = seg,
		.retransmit = kind == SF_OUT_RETRANSMIT, .mtu_probe = kind == SF_OUT_MTU_PROBE,
		.local = { seg->src, seg->sport }, .remote = { seg->dst, seg->dport },
	};
	trace(st, &ev);
}
