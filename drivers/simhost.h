/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * A synfin stack as a host of the simulated network: its output goes onto
 * the simulated links, datagrams delivered to the host go into sf_input, the
 * simulator's clock drives sf_advance. A crash frees the stack (all state
 * lost); a reboot creates a fresh one with a new secret, as a real reboot
 * would. A driver library (libsynfin-sim, <synfin/simhost.h>), not part of
 * the core.
 */
#ifndef SYNFIN_SIMHOST_H
#define SYNFIN_SIMHOST_H

#include "sim.h"
#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sf_simhost;

/**
 * Add a host named name with one address (MTU mtu) to sim. cfg gives the
 * stack's knobs and trace hook (its output fields are replaced; its secret
 * is used as given for the first boot). NULL on bad arguments or no memory.
 */
struct sf_simhost *sf_simhost_new(struct sf_sim *sim, const char *name, const struct sf_addr *addr, uint32_t mtu,
				  const struct sf_config *cfg);
/** Another address on the same host (e.g. IPv6 beside IPv4). 0 or a negative errno. */
int sf_simhost_add_addr(struct sf_simhost *host, const struct sf_addr *addr, uint32_t mtu);
/**
 * Free the host's stack and the adapter. The simulator still calls the
 * adapter for the host, so free it only when the simulation will not run
 * again (before or after sf_sim_free). NULL is a no-op.
 */
void sf_simhost_free(struct sf_simhost *host);

/** The host's stack, or NULL while it is crashed. Changes across reboots. */
sf_stack *sf_simhost_stack(const struct sf_simhost *host);
/** The host's index in the simulator (for links, partitions, crash and reboot). */
int sf_simhost_index(const struct sf_simhost *host);
/** Times this host has booted (1 after creation). */
unsigned sf_simhost_boots(const struct sf_simhost *host);

#ifdef __cplusplus
}
#endif
#endif
