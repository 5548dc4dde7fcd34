/* SPDX-License-Identifier: BSD-2-Clause */
/* A program that uses the installed driver libraries: the simulator, a pcapng capture, socket events, the report. */
#include <stdio.h>
#include <string.h>
#include <synfin.h>
#include <synfin/events.h>
#include <synfin/pcap.h>
#include <synfin/report.h>
#include <synfin/sim.h>
#include <synfin/simhost.h>

int main(void)
{
	struct sf_sim *sim = sf_sim_new(1);
	struct sf_config cfg;
	struct sf_addr a = sf_addr_v4(10, 0, 0, 1);
	FILE *f = tmpfile();
	struct sf_pcap *pcap = f ? sf_pcap_open_stream_format(f, SF_PCAP_NG) : NULL;

	sf_config_default(&cfg);
	memset(cfg.secret, 1, sizeof cfg.secret);
	struct sf_simhost *h = sim ? sf_simhost_new(sim, "a", &a, 1500, &cfg) : NULL;
	struct sf_events *ev = h ? sf_events_new(sf_simhost_stack(h), &(struct sf_events_handlers){0}, NULL) : NULL;
	if (!pcap || !ev || sf_events_listen(ev, SF_AF_INET, 80, 8) < 0)
		return 1;
	sf_sim_set_pcap(sim, pcap);
	sf_sim_run(sim, 1000000000ull);
	if (sf_report_conns(stdout, sf_simhost_stack(h)) != 1 || sf_report_counters(stdout, sf_simhost_stack(h), 1.0) < 0)
		return 1;
	puts(sf_sim_drop_text(SF_SIM_DROP_LOSS));
	sf_events_free(ev);
	sf_simhost_free(h);
	sf_sim_free(sim);
	return sf_pcap_close(pcap) == 0 ? 0 : 1;
}
