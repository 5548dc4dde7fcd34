/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The demux table (4-tuple -> TCB, embryo or TIME-WAIT record), the compact
 * records' pools, the per-port use table and ephemeral port choice.
 */
#ifndef SYNFIN_DEMUX_DEMUX_H
#define SYNFIN_DEMUX_DEMUX_H

#include "core/service.h"

int sf_demux_init(struct sf_stack *st);
void sf_demux_destroy(struct sf_stack *st);
sf_ref sf_demux_lookup(const struct sf_stack *st, const struct sf_endpoint *local, const struct sf_endpoint *remote);
bool sf_demux_matches(const struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote);
int sf_demux_insert(struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		    const struct sf_endpoint *remote);
void sf_demux_remove(struct sf_stack *st, sf_ref ref, const struct sf_endpoint *local,
		     const struct sf_endpoint *remote);
/** The 4-tuple of the record ref names (a TCB, an embryo or a TIME-WAIT record). */
void sf_demux_endpoints(const struct sf_stack *st, sf_ref ref, struct sf_endpoint *local, struct sf_endpoint *remote);
struct sf_embryo *sf_embryo_at(const struct sf_stack *st, uint32_t index);
struct sf_tw *sf_tw_at(const struct sf_stack *st, uint32_t index);
void sf_embryo_endpoints(const struct sf_stack *st, const struct sf_embryo *emb, struct sf_endpoint *local,
		      struct sf_endpoint *remote);
void sf_tw_endpoints(const struct sf_stack *st, const struct sf_tw *tw, struct sf_endpoint *local,
		     struct sf_endpoint *remote);
/** The port's use record, or NULL if nothing ever used the port's page. */
struct sf_port_use *sf_port_find(const struct sf_stack *st, uint16_t port);
/** The same, created if needed (NULL only when memory runs out). */
struct sf_port_use *sf_port_find_or_add(struct sf_stack *st, uint16_t port);
void sf_port_add_user(struct sf_stack *st, uint16_t port);
void sf_port_remove_user(struct sf_stack *st, uint16_t port);
void sf_sock_bind_link(struct sf_sock *sock, struct sf_port_use *use);
void sf_sock_unbind(struct sf_stack *st, struct sf_sock *sock);
int sf_pick_ephemeral(struct sf_stack *st, const struct sf_addr *laddr, const struct sf_endpoint *remote,
		      uint16_t *port_out);

#endif
