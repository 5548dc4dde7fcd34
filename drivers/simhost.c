/* SPDX-License-Identifier: BSD-2-Clause */
#include "simhost.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SIMHOST_MAX_ADDRS 4

struct sf_simhost {
	struct sf_sim *sim;
	int index;
	sf_stack *stack;
	struct sf_config cfg;
	struct sf_addr addrs[SIMHOST_MAX_ADDRS];
	uint32_t mtus[SIMHOST_MAX_ADDRS];
	unsigned naddrs;
	unsigned boots;
};

static void host_output(void *ctx, const uint8_t *dgram, size_t len)
{
	struct sf_simhost *h = ctx;
	sf_sim_send(h->sim, h->index, dgram, len);
}

static int boot(struct sf_simhost *h, uint64_t now)
{
	struct sf_config cfg = h->cfg;

	/* A rebooted host draws a new secret: its ISNs and ports differ. */
	cfg.secret[0] ^= (uint8_t)h->boots;
	cfg.secret[1] ^= (uint8_t)(h->boots >> 8);
	cfg.output = host_output;
	cfg.output_ctx = h;
	h->stack = sf_stack_new(&cfg, now);
	if (!h->stack)
		return -ENOMEM;
	for (unsigned i = 0; i < h->naddrs; i++)
		if (sf_stack_add_address(h->stack, &h->addrs[i], h->mtus[i]) != 0)
			return -EINVAL;
	h->boots++;
	return 0;
}

static void host_deliver(void *ctx, uint64_t now, const uint8_t *dgram, size_t len)
{
	struct sf_simhost *h = ctx;
	if (h->stack)
		sf_input(h->stack, now, dgram, len);
}

static uint64_t host_deadline(void *ctx)
{
	struct sf_simhost *h = ctx;
	return h->stack ? sf_next_deadline(h->stack) : SF_SIM_NEVER;
}

static void host_advance(void *ctx, uint64_t now)
{
	struct sf_simhost *h = ctx;
	if (h->stack)
		sf_advance(h->stack, now);
}

static void host_crash(void *ctx, uint64_t now)
{
	struct sf_simhost *h = ctx;
	(void)now;
	sf_stack_free(h->stack);
	h->stack = NULL;
}

static void host_reboot(void *ctx, uint64_t now)
{
	struct sf_simhost *h = ctx;
	if (!h->stack)
		boot(h, now);
}

static const struct sf_sim_host_ops simhost_ops = {
	.deliver = host_deliver,
	.next_deadline = host_deadline,
	.advance = host_advance,
	.crash = host_crash,
	.reboot = host_reboot,
};

struct sf_simhost *sf_simhost_new(struct sf_sim *sim, const char *name, const struct sf_addr *addr, uint32_t mtu,
				  const struct sf_config *cfg)
{
	if (!sim || !addr || !cfg)
		return NULL;
	struct sf_simhost *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->sim = sim;
	h->cfg = *cfg;
	h->addrs[0] = *addr;
	h->mtus[0] = mtu;
	h->naddrs = 1;
	h->index = sf_sim_add_host(sim, name, &simhost_ops, h);
	if (h->index < 0 || sf_sim_add_addr(sim, h->index, addr) != 0 || boot(h, sf_sim_now(sim)) != 0) {
		sf_stack_free(h->stack);
		free(h);
		return NULL;
	}
	return h;
}

int sf_simhost_add_addr(struct sf_simhost *h, const struct sf_addr *addr, uint32_t mtu)
{
	if (!h || !addr || h->naddrs == SIMHOST_MAX_ADDRS)
		return -EINVAL;
	int err = sf_sim_add_addr(h->sim, h->index, addr);
	if (err)
		return err;
	if (h->stack && (err = sf_stack_add_address(h->stack, addr, mtu)) != 0)
		return err;
	h->addrs[h->naddrs] = *addr;
	h->mtus[h->naddrs] = mtu;
	h->naddrs++;
	return 0;
}

void sf_simhost_free(struct sf_simhost *h)
{
	if (!h)
		return;
	sf_stack_free(h->stack);
	free(h);
}

sf_stack *sf_simhost_stack(const struct sf_simhost *h)
{
	return h->stack;
}

int sf_simhost_index(const struct sf_simhost *h)
{
	return h->index;
}

unsigned sf_simhost_boots(const struct sf_simhost *h)
{
	return h->boots;
}
