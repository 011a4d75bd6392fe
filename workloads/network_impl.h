/* workloads/network_impl.h - the network generator's private types, shared
 * by network.c (set-up, statistics), network_rx.c and network_tx.c. */
#ifndef SWSIM_WORKLOADS_NETWORK_IMPL_H
#define SWSIM_WORKLOADS_NETWORK_IMPL_H

#include "workloads/network.h"
#include "base/sizedist.h"

struct network;

/* One rx queue and its ring. Slots are either posted (a mapped buffer the
 * device may fill, kept in FIFO order), in use (taken by a packet whose
 * completion has not been handled yet), being refilled (a map in flight),
 * or missing (no buffer, no map in flight). */
struct net_rxq {
	struct network *net;
	unsigned int index;
	unsigned int cpu;
	struct machine_mapping **posted;    /* ring_size entries, circular */
	uint32_t head, nposted;
	uint32_t in_use;
	bool refilling;                     /* a refill map is in flight */
	sim_event_id timer;                 /* pending refill timer; 0: none */
};

/* A packet in flight (rx or tx). */
struct net_packet {
	struct net_packet *next_free;
	struct network *net;
	struct net_rxq *q;                  /* rx only */
	unsigned int cpu;
	uint64_t bytes;
	struct machine_mapping *mapping;
	sim_time_t arrived;
	uint32_t pending;                   /* rx: unmap and CPU cost to end */
};

struct net_packet_chunk;

struct network {
	struct workload *w;
	struct machine *m;
	struct machine_device *dev;
	struct network_config cfg;          /* rx_packets points at our copy */
	struct sizedist rx_sizes, tx_sizes;
	unsigned int *cpus;
	unsigned int ncpus;
	struct net_rxq *rxq;
	unsigned int nrxq;
	gsl_rng *tx_rng;
	uint32_t *tx_in_flight;             /* per machine CPU */
	struct network_counters c;
	/* arrivals */
	size_t rx_next;                     /* next entry of the timed list */
	unsigned int rx_rr;                 /* round-robin steering */
	sim_time_t started;
	sim_event_id rx_event, tx_event;    /* pending arrivals; 0: none */
	uint64_t rx_orig, tx_orig;          /* next synthetic addresses */
	/* packets: a free list over chunks */
	struct net_packet *free_packets;
	struct net_packet_chunk *chunks;
};

static inline struct network *net_of(const struct workload *w)
{
	return w->impl;
}

/* Packets from the free list (NULL: out of memory, and the run stops) and
 * back. */
struct net_packet *net_packet_get(struct network *net);
void net_packet_put(struct network *net, struct net_packet *p);

/* The next synthetic buffer address of a region, `bytes` long. */
uint64_t net_next_orig(uint64_t *cursor, uint64_t base, uint64_t bytes);

/* Gap to the next arrival at `rate_pps` packets per second, in whole ns
 * (a Poisson gap may round to 0). */
sim_time_t net_gap_ns(enum network_arrival kind, double rate_pps,
		      gsl_rng *rng);

/* A request that ended: counted completed with its latency and bytes. */
void net_request_done(struct network *net, const struct net_packet *p);

/* Ran out of memory inside a callback (a packet, or a machine call that
 * returned -1): the run stops with that error (machine_fail_oom()), and
 * so does the workload. */
void net_out_of_memory(struct network *net);

/* network_rx.c */
int net_rx_init(struct network *net, char *err, size_t errlen);
void net_rx_destroy(struct network *net);
void net_rx_start(struct network *net);
void net_rx_stop(struct network *net);
/* Starts the refill chain of q unless it runs or the ring is complete. */
void net_rx_refill(struct net_rxq *q);

/* network_tx.c */
void net_tx_start(struct network *net);
void net_tx_stop(struct network *net);

#endif
