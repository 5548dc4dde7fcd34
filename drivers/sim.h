/*
 * The simulated network: hosts joined by directed links with delay, jitter,
 * loss, duplication, reordering, corruption, bandwidth and queue limits;
 * partitions; host crash and reboot; a virtual clock and a seeded PRNG, so
 * that every run replays exactly from its seed.
 *
 * It moves opaque IP datagrams: a host is anything with the callbacks of
 * struct sf_sim_host_ops (normally an adapter around one synfin stack). The
 * simulator routes a datagram by its IP destination address to the host that
 * owns that address. A driver, not part of the core library.
 */
#ifndef SYNFIN_SIM_H
#define SYNFIN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

struct sf_sim;
struct sf_pcap;

#define SF_SIM_NEVER UINT64_MAX

/** What a simulated host must provide. Every callback may call sf_sim_send. */
struct sf_sim_host_ops {
	/** A datagram arrives at the host (required). */
	void (*deliver)(void *ctx, uint64_t now_ns, const uint8_t *dgram, size_t len);
	/** When the host next wants advance() called; SF_SIM_NEVER for never (optional). */
	uint64_t (*next_deadline)(void *ctx);
	/** Time has reached now_ns: fire due timers (optional). */
	void (*advance)(void *ctx, uint64_t now_ns);
	/** The host crashed: it loses all state (optional). */
	void (*crash)(void *ctx, uint64_t now_ns);
	/** The host comes back up after a crash, with fresh state (optional). */
	void (*reboot)(void *ctx, uint64_t now_ns);
};

/** Properties of one direction of a link. All zero is an ideal link with no delay. */
struct sf_sim_link {
	uint64_t delay_ns;         /**< one-way propagation delay */
	uint64_t jitter_ns;        /**< extra delay drawn uniformly from [0, jitter_ns] */
	double loss;               /**< probability a datagram is lost */
	double duplicate;          /**< probability a datagram is delivered twice */
	double reorder;            /**< probability a datagram is held back by reorder_delay_ns */
	uint64_t reorder_delay_ns; /**< extra delay for reordered datagrams */
	double corrupt;            /**< probability one random bit of the datagram is flipped */
	uint64_t bandwidth_bps;    /**< serialisation rate; 0 = infinite */
	size_t queue_limit_bytes;  /**< bytes waiting for the wire before tail drop; 0 = unlimited */
};

/** Why the simulator did not deliver a datagram. */
enum sf_sim_drop {
	SF_SIM_DROP_LOSS,      /**< random loss on the link */
	SF_SIM_DROP_SCRIPTED,  /**< sf_sim_drop_nth or the filter chose it */
	SF_SIM_DROP_QUEUE,     /**< link queue full */
	SF_SIM_DROP_PARTITION, /**< the two hosts are partitioned */
	SF_SIM_DROP_HOST_DOWN, /**< sender or receiver is crashed */
	SF_SIM_DROP_NO_ROUTE,  /**< no host owns the destination address */
};

/** Events reported to an observer (for diagrams, traces and tests). */
enum sf_sim_event_kind {
	SF_SIM_EV_SEND,    /**< a host handed a datagram to the network */
	SF_SIM_EV_DELIVER, /**< a datagram reached its host (possibly corrupted or duplicated) */
	SF_SIM_EV_DROP,    /**< a datagram died; see drop */
};

struct sf_sim_event {
	enum sf_sim_event_kind kind;
	uint64_t time_ns;
	int from;               /**< sending host */
	int to;                 /**< receiving host, -1 if unroutable */
	enum sf_sim_drop drop;  /**< for SF_SIM_EV_DROP */
	bool corrupted;         /**< a bit was flipped on the way */
	bool duplicate;         /**< this is the extra copy of a duplicated datagram */
	const uint8_t *dgram;
	size_t len;
};

typedef void (*sf_sim_observer_fn)(void *ctx, const struct sf_sim_event *ev);
/** Return true to drop this datagram (scripted fault injection). */
typedef bool (*sf_sim_filter_fn)(void *ctx, int from, int to, const uint8_t *dgram, size_t len);
typedef void (*sf_sim_action_fn)(void *ctx, uint64_t now_ns);

struct sf_sim_stats {
	uint64_t sent, delivered, lost, duplicated, reordered, corrupted;
	uint64_t queue_drops, partition_drops, host_down_drops, no_route_drops, scripted_drops;
};

struct sf_sim *sf_sim_new(uint64_t seed);
void sf_sim_free(struct sf_sim *sim);

/** Add a host; returns its index (0, 1, ...) or a negative errno. */
int sf_sim_add_host(struct sf_sim *sim, const char *name, const struct sf_sim_host_ops *ops, void *ctx);
/** Give a host an address (datagrams to it are routed there). 0 or -EINVAL/-EEXIST/-ENOMEM. */
int sf_sim_add_addr(struct sf_sim *sim, int host, const struct sf_addr *addr);
const char *sf_sim_host_name(const struct sf_sim *sim, int host);

/** Set the properties of the directed link from -> to. 0 or -EINVAL. */
int sf_sim_set_link(struct sf_sim *sim, int from, int to, const struct sf_sim_link *link);
/** Set every directed link between existing hosts (and the default for later ones). */
void sf_sim_set_all_links(struct sf_sim *sim, const struct sf_sim_link *link);

/** A host sends a datagram; routed by its IP destination. 0 or a negative errno for bad arguments. */
int sf_sim_send(struct sf_sim *sim, int from, const uint8_t *dgram, size_t len);

/** Virtual time now, in nanoseconds since the simulation began (starts at 0). */
uint64_t sf_sim_now(const struct sf_sim *sim);
/** Run fn(ctx, t) when virtual time reaches t (script steps). 0 or -ENOMEM. */
int sf_sim_at(struct sf_sim *sim, uint64_t t_ns, sf_sim_action_fn fn, void *ctx);
/** Process the next event (delivery, host deadline or action). false if nothing is pending. */
bool sf_sim_step(struct sf_sim *sim);
/** Process every event due at or before t_ns, then set the clock to t_ns (and sync the hosts). */
void sf_sim_run_until(struct sf_sim *sim, uint64_t t_ns);
/**
 * Call every up host's advance with the current time, so that a host that
 * heard nothing lately is at the simulator's time before the caller makes
 * application calls on it (stacks act at the last time they were given).
 */
void sf_sim_sync_hosts(struct sf_sim *sim);
/** Run until nothing is pending or the clock would pass limit_ns; returns the time reached. */
uint64_t sf_sim_run(struct sf_sim *sim, uint64_t limit_ns);

/** Cut (on=true) or heal (on=false) both directions between hosts a and b. */
void sf_sim_partition(struct sf_sim *sim, int a, int b, bool on);
/** Crash a host: its crash callback runs, datagrams to and from it are dropped. */
void sf_sim_crash(struct sf_sim *sim, int host);
/** Bring a crashed host back: its reboot callback runs. */
void sf_sim_reboot(struct sf_sim *sim, int host);
bool sf_sim_host_up(const struct sf_sim *sim, int host);

/** Drop the nth datagram (1 = the next one) that from sends to to, counting from this call. */
int sf_sim_drop_nth(struct sf_sim *sim, int from, int to, unsigned n);
/** Consulted for every datagram before the link's random faults; NULL removes it. */
void sf_sim_set_filter(struct sf_sim *sim, sf_sim_filter_fn fn, void *ctx);
/** Told of every send, delivery and drop; NULL removes it. */
void sf_sim_set_observer(struct sf_sim *sim, sf_sim_observer_fn fn, void *ctx);
/** Capture every delivered datagram (as the receiver sees it) into pcap; NULL stops. */
void sf_sim_set_pcap(struct sf_sim *sim, struct sf_pcap *pcap);

/** The simulator's seeded PRNG, for scripts and random applications. */
uint64_t sf_sim_random(struct sf_sim *sim);
const struct sf_sim_stats *sf_sim_get_stats(const struct sf_sim *sim);

#endif
