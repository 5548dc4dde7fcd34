/* SPDX-License-Identifier: BSD-2-Clause */
/* The scenarios in the order `synfin demo all` plays them. */
#include <string.h>

#include "demo.h"

const struct demo_scenario *const demo_scenarios[] = {
	&demo_sc_handshake,  &demo_sc_handshake_loss, &demo_sc_half_close,       &demo_sc_simultaneous,
	&demo_sc_isn,        &demo_sc_isn_clock,      &demo_sc_mss,              &demo_sc_mss_none,
	&demo_sc_mss_mtu,    &demo_sc_pmtu,           &demo_sc_pmtu_blackhole,   &demo_sc_time_wait,      &demo_sc_time_wait_reuse,  &demo_sc_time_wait_strict,
	&demo_sc_close_wait, &demo_sc_close_wait_done, &demo_sc_backlog,         &demo_sc_syncookies,     &demo_sc_half_open,
	&demo_sc_keepalive,  &demo_sc_assassination,  &demo_sc_assassination_classic,
	&demo_sc_fig8,       &demo_sc_fig9,           &demo_sc_fig10,            &demo_sc_fig11,
};

const size_t demo_nscenarios = sizeof demo_scenarios / sizeof demo_scenarios[0];

const struct demo_scenario *demo_find_scenario(const char *id)
{
	for (size_t i = 0; i < demo_nscenarios; i++)
		if (!strcmp(demo_scenarios[i]->id, id))
			return demo_scenarios[i];
	return NULL;
}
