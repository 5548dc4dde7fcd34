/* The scenarios in the order `synfin demo all` plays them. */
#include <string.h>

#include "demo.h"

const struct demo_scenario *const demo_scenarios[] = {
	&demo_sc_13_1,       &demo_sc_13_1_loss,   &demo_sc_13_2,        &demo_sc_13_3,
	&demo_sc_13_4,       &demo_sc_13_4_clock,  &demo_sc_13_5,        &demo_sc_13_5_nomss,
	&demo_sc_13_5_mtu,   &demo_sc_13_6,        &demo_sc_13_6_reuse,  &demo_sc_13_6_strict,
	&demo_sc_13_7,       &demo_sc_13_7_close,  &demo_sc_13_8,        &demo_sc_13_9,
	&demo_sc_13_9_keepalive, &demo_sc_13_10,   &demo_sc_13_10_classic, &demo_sc_fig8,
	&demo_sc_fig9,       &demo_sc_fig10,       &demo_sc_fig11,
};

const size_t demo_nscenarios = sizeof demo_scenarios / sizeof demo_scenarios[0];

const struct demo_scenario *demo_find_scenario(const char *id)
{
	for (size_t i = 0; i < demo_nscenarios; i++)
		if (!strcmp(demo_scenarios[i]->id, id))
			return demo_scenarios[i];
	return NULL;
}
