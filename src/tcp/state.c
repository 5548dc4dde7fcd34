/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RFC 9293 Figure 5, the state diagram, as data, and the one place through
 * which every state change goes: a TCB's (sf_tcb_set_state), an embryo's,
 * a TIME-WAIT record's and a listener's. Debug builds (the sanitizer run of
 * the test suite is one) stop at the first change the figure does not allow.
 */
#include <stdlib.h>

#include "tcp/tcp.h"

static const struct sf_transition figure5[] = {
	{ SF_CLOSED, SF_LISTEN, "passive OPEN" },
	{ SF_CLOSED, SF_SYN_SENT, "active OPEN / snd SYN" },
	{ SF_LISTEN, SF_SYN_RECEIVED, "rcv SYN / snd SYN,ACK" },
	{ SF_LISTEN, SF_SYN_SENT, "SEND / snd SYN" },
	{ SF_LISTEN, SF_CLOSED, "CLOSE" },
	{ SF_SYN_SENT, SF_SYN_RECEIVED, "rcv SYN / snd ACK" },
	{ SF_SYN_SENT, SF_ESTABLISHED, "rcv SYN,ACK / snd ACK" },
	{ SF_SYN_SENT, SF_CLOSED, "CLOSE" },
	{ SF_SYN_RECEIVED, SF_ESTABLISHED, "rcv ACK of SYN" },
	{ SF_SYN_RECEIVED, SF_FIN_WAIT_1, "CLOSE / snd FIN" },
	{ SF_SYN_RECEIVED, SF_LISTEN, "rcv RST (Note 1)" },
	{ SF_ESTABLISHED, SF_FIN_WAIT_1, "CLOSE / snd FIN" },
	{ SF_ESTABLISHED, SF_CLOSE_WAIT, "rcv FIN / snd ACK" },
	{ SF_FIN_WAIT_1, SF_FIN_WAIT_2, "rcv ACK of FIN" },
	{ SF_FIN_WAIT_1, SF_CLOSING, "rcv FIN / snd ACK" },
	{ SF_FIN_WAIT_1, SF_TIME_WAIT, "rcv FIN with ACK of FIN / snd ACK (Note 2)" },
	{ SF_FIN_WAIT_2, SF_TIME_WAIT, "rcv FIN / snd ACK" },
	{ SF_CLOSE_WAIT, SF_LAST_ACK, "CLOSE / snd FIN" },
	{ SF_CLOSING, SF_TIME_WAIT, "rcv ACK of FIN" },
	{ SF_LAST_ACK, SF_CLOSED, "rcv ACK of FIN" },
	{ SF_TIME_WAIT, SF_CLOSED, "Timeout=2MSL" },
};

const struct sf_transition *sf_transitions(size_t *count)
{
	if (count)
		*count = sizeof figure5 / sizeof figure5[0];
	return figure5;
}

int sf_transition_allowed(enum sf_tcp_state from, enum sf_tcp_state to)
{
	if ((unsigned)from >= SF_STATE__COUNT || (unsigned)to >= SF_STATE__COUNT || from == to)
		return 0;
	if (to == SF_CLOSED)
		return 1; /* Note 3: RST or ABORT from any state */
	for (size_t i = 0; i < sizeof figure5 / sizeof figure5[0]; i++)
		if (figure5[i].from == from && figure5[i].to == to)
			return 1;
	return 0;
}

/* A compact record's change: its 4-tuple is rebuilt only for a tracer. */
void sf_record_state_change(struct sf_stack *st, sf_ref ref, enum sf_tcp_state from, enum sf_tcp_state to,
			    enum sf_cause cause)
{
	struct sf_endpoint local, remote;
	bool tracing = sf_tracing(st);

	if (tracing)
		sf_demux_endpoints(st, ref, &local, &remote);
	sf_state_change(st, -1, tracing ? &local : NULL, tracing ? &remote : NULL, from, to, cause);
}

void sf_state_change(struct sf_stack *st, int sock, const struct sf_endpoint *local, const struct sf_endpoint *remote,
		     enum sf_tcp_state from, enum sf_tcp_state to, enum sf_cause cause)
{
#ifndef NDEBUG
	if (!sf_transition_allowed(from, to))
		abort();
#endif
	if (sf_tracing(st))
		sf_trace_transition(st, sock, local, remote, from, to, cause);
}
