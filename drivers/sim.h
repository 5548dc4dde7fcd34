/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * The simulated network: hosts joined by directed links with delay, jitter,
 * loss, duplication, reordering, corruption, bandwidth and queue limits;
 * partitions; host crash and reboot; a virtual clock and a seeded PRNG, so
 * that every run replays exactly from its seed.
 *
 * It moves opaque IP datagrams: a host is anything with the callbacks of
 * struct sf_sim_host_ops (normally an adapter around one synfin stack). The
 * simulator routes a datagram by its IP destination address to the host that
 * owns that address. A driver library (libsynfin-sim, <synfin/sim.h>), not
 * part of the core.
 *
 * Routers. A link from -> to is a path, and it may end in a router that
 * stands before a narrower last hop of no delay: a datagram crosses the
 * link (its delay, faults and queue), and on arrival the router judges it,
 * with the link's properties as they are then (sf_sim_set_link at any time
 * is a route change). A datagram longer than the link's MTU is split if it
 * is IPv4 with DF clear (RFC 791), or else refused: answered with ICMP
 * fragmentation needed (RFC 1191 §4) or ICMPv6 packet too big (RFC 4443
 * §3.1), or dropped unanswered by a black hole (a path whose ICMP is
 * filtered). A rejecting link answers every TCP datagram with destination
 * unreachable. The router's ICMP comes from the router's own address (no
 * host's), quotes as much as RFC 1812 §4.3.2.3 / RFC 4443 §2.4 (c) allow,
 * and travels back over the path from `to` to the offending datagram's
 * source (normally the link to -> from: its delay, faults and router), so
 * it arrives one round trip after the datagram left, as a RST would.
 * Routers do not decrement the TTL; only datagrams of the new kinds of link
 * draw on the PRNG for their ICMP's way back, so an all-zero link behaves as
 * it always did. See router.h for the datagrams themselves.
 */
#ifndef SYNFIN_SIM_H
#define SYNFIN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synfin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sf_sim;
struct sf_pcap;

/** A deadline that never comes: a host's next_deadline when it has no timer armed. */
#define SF_SIM_NEVER UINT64_MAX

/** What a simulated host must provide. Every callback may call sf_sim_send. \headerfile sim.h <synfin/sim.h> */
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

/** What a link's router does with a datagram longer than the MTU that it may not fragment. */
enum sf_sim_too_big {
	SF_SIM_TOO_BIG_ICMP,      /**< drop it and answer: ICMP 3/4 with the next-hop MTU, ICMPv6 packet too big */
	SF_SIM_TOO_BIG_BLACKHOLE, /**< drop it unanswered (an ICMP black hole, RFC 2923 §2.1) */
};

/** A firewall's reject rule: the answer every TCP datagram on the link draws (IPv4 code / ICMPv6 code). */
enum sf_sim_reject {
	SF_SIM_REJECT_NONE,  /**< TCP passes */
	SF_SIM_REJECT_PORT,  /**< port unreachable, 3/3 and 1/4: a hard error (a connect fails ECONNREFUSED) */
	SF_SIM_REJECT_ADMIN, /**< administratively prohibited, 3/13 and 1/1: hard */
	SF_SIM_REJECT_HOST,  /**< host unreachable, 3/1 and address unreachable, 1/3: soft */
	SF_SIM_REJECT_NET,   /**< net unreachable, 3/0 and no route, 1/0: soft */
};

/* The routers' addresses unless a link names its own (RFC 5737 and RFC 3849 documentation ranges). */
/** The routers' IPv4 address unless a link names its own: 203.0.113.1, in RFC 5737's TEST-NET-3. */
#define SF_SIM_ROUTER4 { .family = SF_AF_INET, .bytes = { 203, 0, 113, 1 } }
/** The routers' IPv6 address unless a link names its own: 2001:db8:ffff::1, in RFC 3849's documentation prefix. */
#define SF_SIM_ROUTER6 { .family = SF_AF_INET6, .bytes = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 } }

/** Properties of one direction of a link. All zero is an ideal link with no delay. \headerfile sim.h <synfin/sim.h> */
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
	/* The router at the link's end (see the top of this file). */
	uint32_t mtu;                 /**< longest datagram the last hop carries; 0 = no limit, else at least 68 (RFC 791) */
	enum sf_sim_too_big too_big;  /**< what the router does with a longer one that it may not split */
	enum sf_sim_reject reject;    /**< a firewall's rule for TCP datagrams */
	struct sf_addr router4;       /**< the router's IPv4 address (ICMP source); family 0: SF_SIM_ROUTER4 */
	struct sf_addr router6;       /**< the router's IPv6 address (ICMPv6 source); family 0: SF_SIM_ROUTER6 */
};

/** Why the simulator did not deliver a datagram. */
enum sf_sim_drop {
	SF_SIM_DROP_LOSS,      /**< random loss on the link */
	SF_SIM_DROP_SCRIPTED,  /**< sf_sim_drop_nth or the filter chose it */
	SF_SIM_DROP_QUEUE,     /**< link queue full */
	SF_SIM_DROP_PARTITION, /**< the two hosts are partitioned */
	SF_SIM_DROP_HOST_DOWN, /**< sender or receiver is crashed */
	SF_SIM_DROP_NO_ROUTE,  /**< no host owns the destination address */
	SF_SIM_DROP_MTU,       /**< longer than the link's MTU and not split: refused by its router */
	SF_SIM_DROP_REJECTED,  /**< a TCP datagram the link's router rejects */
};

/** Events reported to an observer (for diagrams, traces and tests). */
enum sf_sim_event_kind {
	SF_SIM_EV_SEND,    /**< a host handed a datagram to the network */
	SF_SIM_EV_DELIVER, /**< a datagram reached its host (possibly corrupted or duplicated) */
	SF_SIM_EV_DROP,    /**< a datagram died; see drop */
	/**
	 * The router of the link from -> to made a datagram: an ICMP error
	 * about one it refused (just reported as a drop), on its way back to
	 * that one's source, or a fragment of one it split, on its way to `to`
	 * (the split datagram itself is neither delivered nor dropped).
	 */
	SF_SIM_EV_ROUTER,
};

/**
 * What an observer is told (sf_sim_set_observer). It and the datagram are
 * the simulator's, valid only during the call. \headerfile sim.h <synfin/sim.h>
 */
struct sf_sim_event {
	enum sf_sim_event_kind kind; /**< send, delivery, drop or a router's datagram */
	uint64_t time_ns;       /**< virtual time of the event (sf_sim_now) */
	int from;               /**< sending host */
	int to;                 /**< receiving host, -1 if unroutable */
	enum sf_sim_drop drop;  /**< for SF_SIM_EV_DROP */
	bool corrupted;         /**< a bit was flipped on the way */
	bool duplicate;         /**< this is the extra copy of a duplicated datagram */
	const uint8_t *dgram;   /**< the datagram, as the receiver gets it for a delivery (corruption included) */
	size_t len;             /**< its length in bytes */
	/**
	 * A router made this datagram (always for SF_SIM_EV_ROUTER). Its
	 * delivery and drop events name the link it crossed: for an ICMP
	 * error, from is the host behind the router that sent it.
	 */
	bool router;
};

/** Told of each event (sf_sim_set_observer); ev is valid only during the call. */
typedef void (*sf_sim_observer_fn)(void *ctx, const struct sf_sim_event *ev);
/** Return true to drop this datagram (scripted fault injection). */
typedef bool (*sf_sim_filter_fn)(void *ctx, int from, int to, const uint8_t *dgram, size_t len);
/** A script step, run when virtual time reaches the time given to sf_sim_at. */
typedef void (*sf_sim_action_fn)(void *ctx, uint64_t now_ns);

/**
 * What the simulator has done since sf_sim_new, datagram by datagram. Every
 * copy is accounted for: sent + duplicated + icmp_sent + fragments =
 * delivered + drops + fragmented, where drops is the sum of lost and the
 * *_drops, mtu_drops and rejected counts. \headerfile sim.h <synfin/sim.h>
 */
struct sf_sim_stats {
	uint64_t sent;            /**< datagrams hosts handed to sf_sim_send */
	uint64_t delivered;       /**< copies that reached their host */
	uint64_t lost;            /**< random losses on a link (SF_SIM_DROP_LOSS) */
	uint64_t duplicated;      /**< extra copies a link made */
	uint64_t reordered;       /**< copies held back by a link's reorder delay (still delivered) */
	uint64_t corrupted;       /**< copies that had a bit flipped (still delivered) */
	uint64_t queue_drops;     /**< tail drops of a full link queue (SF_SIM_DROP_QUEUE) */
	uint64_t partition_drops; /**< drops between partitioned hosts (SF_SIM_DROP_PARTITION) */
	uint64_t host_down_drops; /**< drops because the sender or receiver was crashed (SF_SIM_DROP_HOST_DOWN) */
	uint64_t no_route_drops;  /**< datagrams to an address no host owns (SF_SIM_DROP_NO_ROUTE) */
	uint64_t scripted_drops;  /**< drops by sf_sim_drop_nth or the filter (SF_SIM_DROP_SCRIPTED) */
	/* Routers. */
	uint64_t mtu_drops;       /**< datagrams a router refused for their size (SF_SIM_DROP_MTU) */
	uint64_t rejected;        /**< TCP datagrams a router's reject rule refused (SF_SIM_DROP_REJECTED) */
	uint64_t icmp_sent;       /**< ICMP and ICMPv6 errors the routers sent */
	uint64_t fragmented;      /**< IPv4 datagrams a router split (neither delivered nor dropped themselves) */
	uint64_t fragments;       /**< the fragments made of them */
};

/**
 * A new simulation with no hosts, at virtual time 0, its PRNG seeded with
 * seed: the same seed and the same script replay exactly. NULL without memory.
 */
struct sf_sim *sf_sim_new(uint64_t seed);
/** Free the simulation and the datagrams in flight (not the hosts' contexts, nor a pcap given to it). NULL is a no-op. */
void sf_sim_free(struct sf_sim *sim);

/** Add a host; returns its index (0, 1, ...) or a negative errno. */
int sf_sim_add_host(struct sf_sim *sim, const char *name, const struct sf_sim_host_ops *ops, void *ctx);
/** Give a host an address (datagrams to it are routed there). 0 or -EINVAL/-EEXIST/-ENOMEM. */
int sf_sim_add_addr(struct sf_sim *sim, int host, const struct sf_addr *addr);
/** The name the host was added with (for traces and diagrams). */
const char *sf_sim_host_name(const struct sf_sim *sim, int host);

/** Set the properties of the directed link from -> to, at any time (a route change). 0 or -EINVAL. */
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
/** Whether the host is up (not crashed). */
bool sf_sim_host_up(const struct sf_sim *sim, int host);

/** Drop the nth datagram (1 = the next one) that host from sends to to, counting from this call. */
int sf_sim_drop_nth(struct sf_sim *sim, int from, int to, unsigned n);
/** Consulted for every datagram a host sends (not a router's) before the link's random faults; NULL removes it. */
void sf_sim_set_filter(struct sf_sim *sim, sf_sim_filter_fn fn, void *ctx);
/** Told of every send, delivery and drop; NULL removes it. */
void sf_sim_set_observer(struct sf_sim *sim, sf_sim_observer_fn fn, void *ctx);
/** The reason in words, as pcapng comments give it: "lost", "dropped: link queue full", ... */
const char *sf_sim_drop_text(enum sf_sim_drop why);
/**
 * Capture every delivered datagram (as the receiver sees it) into pcap; NULL
 * stops. A pcapng capture (sf_pcap_open_format) also keeps every datagram
 * that died, commented with why ("lost", "dropped: network partition"), and
 * marks duplicated and corrupted deliveries.
 */
void sf_sim_set_pcap(struct sf_sim *sim, struct sf_pcap *pcap);

/** The simulator's seeded PRNG, for scripts and random applications. */
uint64_t sf_sim_random(struct sf_sim *sim);
/** The counts so far; the pointer stays valid, and its counts current, until sf_sim_free. */
const struct sf_sim_stats *sf_sim_get_stats(const struct sf_sim *sim);

#ifdef __cplusplus
}
#endif
#endif
