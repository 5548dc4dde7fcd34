/* RFC 9293 Figure 5: the only state changes a TCB may make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tcp/tcp.h"

/* Figure 5's arrows, written out from the figure (and Notes 1-3). */
static const struct {
	enum sf_tcp_state from, to;
} figure5[] = {
	{ SF_CLOSED, SF_LISTEN },          /* passive OPEN */
	{ SF_CLOSED, SF_SYN_SENT },        /* active OPEN */
	{ SF_LISTEN, SF_SYN_RECEIVED },    /* rcv SYN */
	{ SF_LISTEN, SF_SYN_SENT },        /* SEND */
	{ SF_SYN_SENT, SF_SYN_RECEIVED },  /* rcv SYN (simultaneous open) */
	{ SF_SYN_SENT, SF_ESTABLISHED },   /* rcv SYN,ACK */
	{ SF_SYN_RECEIVED, SF_ESTABLISHED }, /* rcv ACK of SYN */
	{ SF_SYN_RECEIVED, SF_FIN_WAIT_1 },  /* CLOSE */
	{ SF_SYN_RECEIVED, SF_LISTEN },      /* rcv RST (Note 1) */
	{ SF_ESTABLISHED, SF_FIN_WAIT_1 },   /* CLOSE */
	{ SF_ESTABLISHED, SF_CLOSE_WAIT },   /* rcv FIN */
	{ SF_FIN_WAIT_1, SF_FIN_WAIT_2 },    /* rcv ACK of FIN */
	{ SF_FIN_WAIT_1, SF_CLOSING },       /* rcv FIN */
	{ SF_FIN_WAIT_1, SF_TIME_WAIT },     /* rcv FIN with ACK of FIN (Note 2) */
	{ SF_FIN_WAIT_2, SF_TIME_WAIT },     /* rcv FIN */
	{ SF_CLOSE_WAIT, SF_LAST_ACK },      /* CLOSE */
	{ SF_CLOSING, SF_TIME_WAIT },        /* rcv ACK of FIN */
};

static int in_figure(enum sf_tcp_state from, enum sf_tcp_state to)
{
	if (to == SF_CLOSED)
		return 1; /* Note 3: RST or ABORT from any state; timeouts; LAST-ACK and TIME-WAIT ends */
	for (size_t i = 0; i < sizeof figure5 / sizeof figure5[0]; i++)
		if (figure5[i].from == from && figure5[i].to == to)
			return 1;
	return 0;
}

static void test_transition_table_is_figure_5(void **state)
{
	(void)state;
	for (int from = 0; from < SF_STATE__COUNT; from++)
		for (int to = 0; to < SF_STATE__COUNT; to++) {
			if (from == to)
				continue;
			if (sf_state_transition_legal((enum sf_tcp_state)from, (enum sf_tcp_state)to) !=
			    (bool)in_figure((enum sf_tcp_state)from, (enum sf_tcp_state)to))
				fail_msg("%s -> %s", sf_state_name((enum sf_tcp_state)from),
					 sf_state_name((enum sf_tcp_state)to));
		}
}

static void test_state_names_are_the_rfcs(void **state)
{
	(void)state;
	static const char *const rfc[] = { "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
					   "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT" };
	assert_int_equal(SF_STATE__COUNT, 11);
	for (int i = 0; i < SF_STATE__COUNT; i++)
		assert_string_equal(sf_state_name((enum sf_tcp_state)i), rfc[i]);
	assert_string_equal(sf_state_name((enum sf_tcp_state)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table_is_figure_5),
		cmocka_unit_test(test_state_names_are_the_rfcs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
