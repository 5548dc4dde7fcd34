/* SPDX-License-Identifier: BSD-2-Clause */
/* RFC 9293 Figure 5: the only state changes a TCB may make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "synfin.h"

static int listed(enum sf_tcp_state from, enum sf_tcp_state to)
{
	size_t n;
	const struct sf_transition *t = sf_transitions(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].from == from && t[i].to == to)
			return 1;
	return 0;
}

/* sf_transition_allowed is the listed arrows plus Note 3 (anything may go
 * to CLOSED), and never a state to itself. */
static void test_allowed_is_the_figure_plus_note_3(void **state)
{
	(void)state;
	for (int from = 0; from < SF_STATE__COUNT; from++)
		for (int to = 0; to < SF_STATE__COUNT; to++) {
			int want = from != to && (listed((enum sf_tcp_state)from, (enum sf_tcp_state)to) || to == SF_CLOSED);
			if (sf_transition_allowed((enum sf_tcp_state)from, (enum sf_tcp_state)to) != want)
				fail_msg("%s -> %s", sf_state_name((enum sf_tcp_state)from),
					 sf_state_name((enum sf_tcp_state)to));
		}
	assert_int_equal(sf_transition_allowed((enum sf_tcp_state)99, SF_CLOSED), 0);
	assert_int_equal(sf_transition_allowed(SF_CLOSED, (enum sf_tcp_state)-1), 0);
}

/* The figure's shape: 21 arrows, each with its event, none twice; every
 * state is reached from CLOSED and leads back to CLOSED along its arrows
 * alone (without Note 3); LISTEN is left only for SYN-RECEIVED, SYN-SENT or
 * CLOSED, and TIME-WAIT only for CLOSED. */
static void test_figure_5_shape(void **state)
{
	(void)state;
	size_t n;
	const struct sf_transition *t = sf_transitions(&n);
	assert_int_equal(n, 21);
	assert_ptr_equal(sf_transitions(NULL), t);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].event);
		assert_true(t[i].event[0] != 0);
		assert_int_not_equal(t[i].from, t[i].to);
		for (size_t k = i + 1; k < n; k++)
			assert_false(t[i].from == t[k].from && t[i].to == t[k].to);
	}
	bool from_closed[SF_STATE__COUNT] = { [SF_CLOSED] = true }, to_closed[SF_STATE__COUNT] = { [SF_CLOSED] = true };
	for (size_t round = 0; round < SF_STATE__COUNT; round++)
		for (size_t i = 0; i < n; i++) {
			if (from_closed[t[i].from])
				from_closed[t[i].to] = true;
			if (to_closed[t[i].to])
				to_closed[t[i].from] = true;
		}
	for (int s = 0; s < SF_STATE__COUNT; s++) {
		if (!from_closed[s] || !to_closed[s])
			fail_msg("%s is cut off", sf_state_name((enum sf_tcp_state)s));
	}
	for (int to = 0; to < SF_STATE__COUNT; to++) {
		assert_int_equal(listed(SF_TIME_WAIT, (enum sf_tcp_state)to), to == SF_CLOSED);
		assert_int_equal(listed(SF_LISTEN, (enum sf_tcp_state)to),
				 to == SF_SYN_RECEIVED || to == SF_SYN_SENT || to == SF_CLOSED);
	}
	assert_true(listed(SF_FIN_WAIT_1, SF_TIME_WAIT)); /* Note 2 */
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
		cmocka_unit_test(test_allowed_is_the_figure_plus_note_3),
		cmocka_unit_test(test_figure_5_shape),
		cmocka_unit_test(test_state_names_are_the_rfcs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
