/* workloads/network.h - a NIC: receive rings kept full of bounce-mapped
 * buffers that arriving packets consume, and transmitted packets mapped,
 * sent and unmapped.
 *
 * Contract
 * --------
 * Receive. Each rx queue has a ring of `ring_size` slots, its interrupts on
 * one CPU. start() fills every ring with buffers of `rx_buffer_bytes`
 * (machine_map DMA_FROM_DEVICE on the queue's CPU, one after the other).
 * Packets arrive (Poisson, periodic, or a timed list) and are steered to a
 * queue. An arriving packet takes the oldest posted buffer of its queue; a
 * queue with no posted buffer drops it (rx drop). The device DMAs the
 * packet's bytes (machine_device_submit, completion interrupt on the queue's
 * CPU); then on that CPU, at interrupt priority: sync for the CPU of the
 * packet's bytes, unmap (skip_cpu_sync by default, as drivers do after the
 * sync), rx_cost_ns of CPU for the packet's way up the stack, and the
 * ring refill, NAPI's way: maps one buffer after another
 * until the ring is full again or a map fails. A failed refill map leaves
 * the ring short (a shortfall event) and the refill is tried again at the
 * queue's next packet; when a ring is left with no posted buffer at all, a
 * refill timer (virtio-net's refill work) also retries it after
 * `rx_refill_retry_ns`. The packet is done when its unmap and its
 * rx_cost_ns are.
 *
 * Transmit. Packets of sizes from `tx_sizes` arrive at `tx_rate_pps` on the
 * CPUs of the list (each on one CPU, picked uniformly at random):
 * tx_cost_ns of CPU (the send path), map DMA_TO_DEVICE on that CPU, hand
 * the bytes to the device (completion
 * interrupt on the same CPU, as XPS pins a CPU's tx queue), unmap on
 * completion. A failed map drops the packet (tx drop). Each CPU's tx
 * queue holds at most `tx_ring_size` packets between their arrival and
 * their unmap; one arriving at a full ring is dropped (tx_ring_full), as
 * a stopped queue would make the qdisc drop (its own queue is not
 * modelled). One mapping per packet: a real skb's head and fragments map
 * separately.
 *
 * A request (struct workload_stats) is a packet, rx or tx: issued when it
 * arrives, completed when its unmap returns, or dropped. in_flight =
 * issued - completed - dropped. After stop() no packet arrives; packets in
 * flight complete and rings are still refilled, but the refill timer is no
 * longer armed.
 *
 * Randomness: rx arrivals, queue steering and rx sizes draw from the
 * workload's stream ("workload:<name>"), tx from "workload:<name>:tx", so
 * turning tx on or off leaves the rx sequence unchanged.
 *
 * Buffer addresses (orig_addr) are synthetic: each new buffer or packet
 * takes the next 64-byte-aligned address of its own region (rx from
 * NETWORK_RX_ORIG_BASE, tx from NETWORK_TX_ORIG_BASE, each wrapping after
 * NETWORK_ORIG_SPAN); they matter only with a device min_align_mask.
 */
#ifndef SWSIM_WORKLOADS_NETWORK_H
#define SWSIM_WORKLOADS_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"
#include "workloads/workload.h"

/* Defaults (documented in the config struct below). */
#define NETWORK_DEFAULT_RING_SIZE 1024
#define NETWORK_DEFAULT_RX_BUFFER_BYTES 1518      /* 1500 MTU + headers */
#define NETWORK_DEFAULT_RX_SIZES "1500"
#define NETWORK_DEFAULT_TX_SIZES "1500"
#define NETWORK_DEFAULT_TX_RING_SIZE 1024
#define NETWORK_DEFAULT_REFILL_RETRY_NS 500000000ULL  /* virtio-net: HZ/2 */
#define NETWORK_MAX_RING_SIZE 65536
#define NETWORK_MAX_QUEUES 4096

#define NETWORK_RX_ORIG_BASE 0x100000000ULL
#define NETWORK_TX_ORIG_BASE 0x200000000ULL
#define NETWORK_ORIG_SPAN (1ULL << 32)
#define NETWORK_ORIG_ALIGN 64

/* How arrivals are spaced in time. */
enum network_arrival {
	NETWORK_ARRIVAL_POISSON,    /* exponential gaps of mean 1 / rate */
	NETWORK_ARRIVAL_PERIODIC,   /* exactly 1 / rate apart, the first one
				       1 / rate after start */
};

/* How an rx packet picks its queue (when the timed list does not say). */
enum network_steering {
	NETWORK_STEER_RANDOM,       /* RSS over many flows: uniform */
	NETWORK_STEER_ROUND_ROBIN,  /* queue 0, 1, ..., q-1, 0, ... */
};

/* One packet of a timed rx list. */
struct network_rx_packet {
	uint64_t t_ns;              /* after start; never decreasing */
	int32_t queue;              /* -1: by `rx_steering` */
	uint64_t bytes;             /* 0: drawn from `rx_sizes` */
};

struct network_config {
	/* Machine device that is the NIC (required). */
	const char *device;
	/* CPUs that take rx interrupts and send tx ("0-3,8"); NULL or "":
	 * every CPU. */
	const char *cpus;
	/* rx queues; 0: one per CPU of the list. Queue i's interrupts go to
	 * the list's CPU i mod (CPUs in the list). */
	unsigned int rx_queues;
	/* Slots per rx ring (default 1024), 1 to NETWORK_MAX_RING_SIZE. */
	uint32_t ring_size;
	/* Bytes of each rx buffer (default 1518: virtio-net small buffers,
	 * 1500 MTU + headers; 2048; 4096 for page buffers; 9018+ or 64 KiB
	 * for jumbo/GRO). At most the device's maximum segment. */
	uint64_t rx_buffer_bytes;
	/* rx arrivals: total rate over all queues in packets per second
	 * (each queue sees rx_rate_pps / queues on average); 0: none. */
	double rx_rate_pps;
	enum network_arrival rx_arrival;      /* default POISSON */
	enum network_steering rx_steering;    /* default RANDOM */
	/* rx packet sizes (sizedist grammar; default "1500"); a size above
	 * rx_buffer_bytes is cut to it (counted as rx_truncated). */
	const char *rx_sizes;
	/* A timed list instead of rx_rate_pps (when rx_npackets > 0);
	 * copied. */
	const struct network_rx_packet *rx_packets;
	size_t rx_npackets;
	/* Unmap rx buffers with DMA_ATTR_SKIP_CPU_SYNC after the sync for
	 * the CPU (default true, as igb/ixgbe/mlx5 do); false copies the
	 * whole buffer back again at unmap. */
	bool rx_unmap_skip_sync;
	/* Refill timer for a ring left empty by a failed refill (default
	 * 500 ms, virtio-net's HZ/2); 0: only packets retry refills. */
	uint64_t rx_refill_retry_ns;
	/* tx: total rate in packets per second over the CPU list; 0: none. */
	double tx_rate_pps;
	enum network_arrival tx_arrival;      /* default POISSON */
	/* tx packet sizes (sizedist grammar; default "1500"). */
	const char *tx_sizes;
	/* tx packets in flight per CPU (default 1024); 0: no limit. */
	uint32_t tx_ring_size;
	/* CPU per packet at native speed (machine cpu_slowdown applies):
	 * a sent packet's send path before its map, a received packet's
	 * receive path after its unmap (defaults COST_NET_TX_NS and
	 * COST_NET_RX_NS of machine/costs.h). */
	uint64_t tx_cost_ns, rx_cost_ns;
};

/* Fills cfg with the defaults above for `device`. */
void network_config_init(struct network_config *cfg, const char *device);

/* What the network generator counts beyond struct workload_stats. */
struct network_counters {
	uint64_t rx_arrived;        /* packets that reached the NIC */
	uint64_t rx_packets;        /* delivered: unmapped after their DMA */
	uint64_t rx_bytes;
	uint64_t rx_drops;          /* arrived at a ring with no buffer */
	uint64_t rx_truncated;      /* size cut to the buffer */
	uint64_t rx_refill_maps;    /* refill maps issued (initial fill too) */
	uint64_t ring_shortfall_events;  /* refill maps that failed */
	uint64_t rx_refill_timer_runs;   /* refill timer expiries */
	uint64_t tx_packets;        /* sent and unmapped */
	uint64_t tx_bytes;
	uint64_t tx_drops;          /* tx map failed */
	uint64_t tx_ring_full;      /* dropped: the CPU's tx ring was full */
};

/* Builds the generator on m (see the contract). Returns NULL with a
 * message (unknown device, bad CPU list or size text, a buffer above the
 * device's maximum segment, a timed list out of order or naming a queue
 * that does not exist, out of memory). */
struct workload *network_new(struct machine *m, const char *name,
			     const struct network_config *cfg, char *err,
			     size_t errlen);

/* For a workload network_new() made. */
const struct network_counters *network_counters(const struct workload *w);
unsigned int network_rx_queues(const struct workload *w);
/* Buffers posted (mapped, waiting for a packet) on queue q / on all. */
uint32_t network_ring_fill(const struct workload *w, unsigned int q);
uint64_t network_ring_fill_total(const struct workload *w);
/* CPU that takes queue q's interrupts. */
unsigned int network_rx_queue_cpu(const struct workload *w, unsigned int q);

#endif
