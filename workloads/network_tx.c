/* workloads/network_tx.c - the transmit side of the NIC: packets map
 * DMA_TO_DEVICE on a CPU of the list, go to the device, and are unmapped
 * at their completion interrupt on the same CPU; a failed map drops. */
#include "workloads/network_impl.h"

#include <gsl/gsl_rng.h>

static void tx_unmapped(struct machine *m, void *ctx,
			const struct machine_op_result *res)
{
	struct net_packet *p = ctx;
	struct network *net = p->net;

	(void)m;
	(void)res;
	net_request_done(net, p);
	net->c.tx_packets++;
	net->c.tx_bytes += p->bytes;
	net->tx_in_flight[p->cpu]--;
	net_packet_put(net, p);
}

/* Completion interrupt on the sending CPU: the driver's tx clean-up. */
static void tx_sent(struct machine *m, void *ctx,
		    const struct machine_io_result *res)
{
	struct net_packet *p = ctx;

	(void)res;
	if (machine_unmap(m, p->cpu, p->mapping, false, tx_unmapped, p)) {
		net_out_of_memory(p->net);
		return;
	}
	p->net->w->stats.unmaps++;
}

static void tx_mapped(struct machine *m, void *ctx,
		      const struct machine_map_result *res)
{
	struct net_packet *p = ctx;
	struct network *net = p->net;

	net->w->stats.maps++;
	if (res->status != MACHINE_MAP_OK) {
		net->w->stats.map_failures++;
		net->w->stats.drops++;
		net->c.tx_drops++;
		net->tx_in_flight[p->cpu]--;
		net_packet_put(net, p);
		return;
	}
	p->mapping = res->mapping;
	if (machine_device_submit(m, net->dev, p->bytes, p->cpu, tx_sent, p)) {
		/* Give the buffer back; the packet is lost. */
		machine_unmap(m, p->cpu, p->mapping, true, NULL, NULL);
		net->tx_in_flight[p->cpu]--;
		net_packet_put(net, p);
		net_out_of_memory(net);
	}
}

static void tx_arrival_action(struct sim_engine *eng, void *subject,
			      uint64_t arg);

static void tx_schedule_next(struct network *net)
{
	net->tx_event = 0;
	if (net->w->stopped || !(net->cfg.tx_rate_pps > 0.0))
		return;
	net->tx_event = sim_schedule_in(
		machine_engine(net->m),
		net_gap_ns(net->cfg.tx_arrival, net->cfg.tx_rate_pps,
			   net->tx_rng),
		tx_arrival_action, net, 0);
}

static void tx_map(struct network *net, struct net_packet *p)
{
	uint64_t orig = net_next_orig(&net->tx_orig, NETWORK_TX_ORIG_BASE,
				      p->bytes);

	if (machine_map(net->m, p->cpu, net->dev, orig, (size_t)p->bytes,
			DMA_TO_DEVICE, 0, tx_mapped, p)) {
		net->tx_in_flight[p->cpu]--;
		net_packet_put(net, p);
		net_out_of_memory(net);
		return;
	}
}

/* The send path's CPU is over: the packet is mapped. */
static void tx_sent_path(struct machine *m, void *ctx,
			 const struct machine_op_result *res)
{
	struct net_packet *p = ctx;

	(void)m;
	(void)res;
	tx_map(p->net, p);
}

/* A packet to send on cpu: the send path, then its map, unless its tx
 * ring is full. */
static void tx_packet(struct network *net, unsigned int cpu, uint64_t bytes)
{
	struct net_packet *p;

	net->w->stats.requests_issued++;
	if (net->cfg.tx_ring_size &&
	    net->tx_in_flight[cpu] >= net->cfg.tx_ring_size) {
		net->c.tx_ring_full++;
		net->w->stats.drops++;
		return;
	}
	p = net_packet_get(net);
	if (!p) {
		net_out_of_memory(net);
		return;
	}
	p->cpu = cpu;
	p->bytes = bytes;
	p->arrived = machine_now(net->m);
	net->tx_in_flight[cpu]++;
	if (!net->cfg.tx_cost_ns) {
		tx_map(net, p);
	} else if (machine_cpu_work(net->m, cpu, net->cfg.tx_cost_ns,
				    tx_sent_path, p)) {
		net->tx_in_flight[cpu]--;
		net_packet_put(net, p);
		net_out_of_memory(net);
	}
}

static void tx_arrival_action(struct sim_engine *eng, void *subject,
			      uint64_t arg)
{
	struct network *net = subject;
	unsigned int cpu;
	uint64_t bytes;

	(void)eng;
	(void)arg;
	net->tx_event = 0;
	cpu = net->cpus[rng_uniform_int(net->tx_rng, net->ncpus)];
	bytes = sizedist_sample(&net->tx_sizes, net->tx_rng);
	tx_packet(net, cpu, bytes);
	tx_schedule_next(net);
}

void net_tx_start(struct network *net)
{
	tx_schedule_next(net);
}

void net_tx_stop(struct network *net)
{
	if (net->tx_event)
		sim_cancel(machine_engine(net->m), net->tx_event);
	net->tx_event = 0;
}
