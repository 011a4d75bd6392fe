/* workloads/network_rx.c - the receive side of the NIC: rings of posted
 * buffers, packet arrivals, the completion path (sync, unmap) and the
 * NAPI-style refill with its empty-ring timer. */
#include "workloads/network_impl.h"

#include "base/error.h"

#include <assert.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

/* ---- the ring ------------------------------------------------------------ */

static void ring_push(struct net_rxq *q, struct machine_mapping *mp)
{
	uint32_t size = q->net->cfg.ring_size;

	assert(q->nposted < size);
	q->posted[(q->head + q->nposted) % size] = mp;
	q->nposted++;
}

static struct machine_mapping *ring_pop(struct net_rxq *q)
{
	struct machine_mapping *mp = q->posted[q->head];

	assert(q->nposted > 0);
	q->head = (q->head + 1) % q->net->cfg.ring_size;
	q->nposted--;
	return mp;
}

/* Puts a buffer back where ring_pop() took it. */
static void ring_unpop(struct net_rxq *q, struct machine_mapping *mp)
{
	uint32_t size = q->net->cfg.ring_size;

	q->head = (q->head + size - 1) % size;
	q->posted[q->head] = mp;
	q->nposted++;
}

/* Slots with no buffer and no refill map under way. */
static uint32_t ring_missing(const struct net_rxq *q)
{
	return q->net->cfg.ring_size - q->nposted - q->in_use -
	       (q->refilling ? 1 : 0);
}

/* ---- refill -------------------------------------------------------------- */

static void rx_timer_action(struct sim_engine *eng, void *subject,
			    uint64_t arg)
{
	struct net_rxq *q = subject;

	(void)eng;
	(void)arg;
	q->timer = 0;
	q->net->c.rx_refill_timer_runs++;
	net_rx_refill(q);
}

/* A ring a failed refill left with no posted buffer gets no packet, hence
 * no NAPI poll, to retry: virtio-net's refill work does it instead. */
static void rx_arm_timer(struct net_rxq *q)
{
	struct network *net = q->net;

	if (q->timer || q->nposted || net->w->stopped ||
	    !net->cfg.rx_refill_retry_ns)
		return;
	q->timer = sim_schedule_in(machine_engine(net->m),
				   net->cfg.rx_refill_retry_ns,
				   rx_timer_action, q, 0);
}

static void rx_refilled(struct machine *m, void *ctx,
			const struct machine_map_result *res)
{
	struct net_rxq *q = ctx;
	struct network *net = q->net;

	(void)m;
	q->refilling = false;
	net->w->stats.maps++;
	if (res->status == MACHINE_MAP_OK) {
		ring_push(q, res->mapping);
		net_rx_refill(q);
		return;
	}
	net->w->stats.map_failures++;
	net->c.ring_shortfall_events++;
	rx_arm_timer(q);
}

void net_rx_refill(struct net_rxq *q)
{
	struct network *net = q->net;
	uint64_t bytes = net->cfg.rx_buffer_bytes;
	uint64_t orig;

	if (q->refilling || !ring_missing(q))
		return;
	orig = net_next_orig(&net->rx_orig, NETWORK_RX_ORIG_BASE, bytes);
	if (machine_map(net->m, q->cpu, net->dev, orig, (size_t)bytes,
			DMA_FROM_DEVICE, 0, rx_refilled, q)) {
		net_out_of_memory(net);
		return;
	}
	q->refilling = true;
	net->c.rx_refill_maps++;
}

/* ---- the completion path ------------------------------------------------- */

/* The packet's unmap or its receive path's CPU is over; both: done. */
static void rx_step_done(struct machine *m, void *ctx,
			 const struct machine_op_result *res)
{
	struct net_packet *p = ctx;
	struct network *net = p->net;

	(void)m;
	(void)res;
	if (--p->pending)
		return;
	net_request_done(net, p);
	net->c.rx_packets++;
	net->c.rx_bytes += p->bytes;
	net_packet_put(net, p);
}

/* The packet's DMA is done and its interrupt handled on the queue's CPU:
 * what follows runs there at interrupt priority (NAPI poll). */
static void rx_dma_done(struct machine *m, void *ctx,
			const struct machine_io_result *res)
{
	struct net_packet *p = ctx;
	struct network *net = p->net;
	struct net_rxq *q = p->q;

	(void)res;
	p->pending = net->cfg.rx_cost_ns ? 2 : 1;
	if (machine_sync(m, q->cpu, p->mapping, MACHINE_SYNC_FOR_CPU,
			 (size_t)p->bytes, NULL, NULL) ||
	    machine_unmap(m, q->cpu, p->mapping, net->cfg.rx_unmap_skip_sync,
			  rx_step_done, p) ||
	    (net->cfg.rx_cost_ns &&
	     machine_cpu_work(m, q->cpu, net->cfg.rx_cost_ns, rx_step_done,
			      p))) {
		net_out_of_memory(net);
		return;
	}
	net->w->stats.syncs++;
	net->w->stats.unmaps++;
	q->in_use--;
	net_rx_refill(q);
}

/* ---- arrivals ------------------------------------------------------------ */

static void rx_packet_arrives(struct network *net, struct net_rxq *q,
			      uint64_t bytes)
{
	struct net_packet *p;

	net->w->stats.requests_issued++;
	net->c.rx_arrived++;
	if (bytes > net->cfg.rx_buffer_bytes) {
		bytes = net->cfg.rx_buffer_bytes;
		net->c.rx_truncated++;
	}
	if (!q->nposted) {
		net->c.rx_drops++;
		net->w->stats.drops++;
		return;
	}
	p = net_packet_get(net);
	if (!p) {
		net_out_of_memory(net);
		return;
	}
	p->q = q;
	p->cpu = q->cpu;
	p->bytes = bytes;
	p->arrived = machine_now(net->m);
	p->mapping = ring_pop(q);
	if (machine_device_submit(net->m, net->dev, bytes, q->cpu,
				  rx_dma_done, p)) {
		ring_unpop(q, p->mapping);
		net_packet_put(net, p);
		net_out_of_memory(net);
		return;
	}
	q->in_use++;
}

static unsigned int rx_steer(struct network *net)
{
	unsigned int q;

	if (net->cfg.rx_steering == NETWORK_STEER_ROUND_ROBIN) {
		q = net->rx_rr;
		net->rx_rr = (net->rx_rr + 1) % net->nrxq;
		return q;
	}
	return (unsigned int)rng_uniform_int(net->w->rng, net->nrxq);
}

static void rx_arrival_action(struct sim_engine *eng, void *subject,
			      uint64_t arg);

/* Schedules the next arrival of the timed list or of the rate. */
static void rx_schedule_next(struct network *net)
{
	struct sim_engine *eng = machine_engine(net->m);
	const struct network_config *cfg = &net->cfg;

	net->rx_event = 0;
	if (net->w->stopped)
		return;
	if (cfg->rx_npackets) {
		if (net->rx_next < cfg->rx_npackets)
			net->rx_event = sim_schedule_at(
				eng, net->started +
				cfg->rx_packets[net->rx_next].t_ns,
				rx_arrival_action, net, 0);
		return;
	}
	if (cfg->rx_rate_pps > 0.0)
		net->rx_event = sim_schedule_in(
			eng, net_gap_ns(cfg->rx_arrival, cfg->rx_rate_pps,
					net->w->rng),
			rx_arrival_action, net, 0);
}

static void rx_arrival_action(struct sim_engine *eng, void *subject,
			      uint64_t arg)
{
	struct network *net = subject;
	const struct network_config *cfg = &net->cfg;
	unsigned int q;
	uint64_t bytes;

	(void)eng;
	(void)arg;
	net->rx_event = 0;
	if (cfg->rx_npackets) {
		const struct network_rx_packet *e =
			&cfg->rx_packets[net->rx_next++];

		q = e->queue >= 0 ? (unsigned int)e->queue : rx_steer(net);
		bytes = e->bytes ? e->bytes :
				   sizedist_sample(&net->rx_sizes, net->w->rng);
	} else {
		q = rx_steer(net);
		bytes = sizedist_sample(&net->rx_sizes, net->w->rng);
	}
	rx_packet_arrives(net, &net->rxq[q], bytes);
	rx_schedule_next(net);
}

/* ---- life cycle ---------------------------------------------------------- */

int net_rx_init(struct network *net, char *err, size_t errlen)
{
	net->rxq = calloc(net->nrxq, sizeof(*net->rxq));
	if (!net->rxq)
		return error_oom(err, errlen, net->nrxq * sizeof(*net->rxq),
				 "%u rx queues", net->nrxq);
	for (unsigned int i = 0; i < net->nrxq; i++) {
		struct net_rxq *q = &net->rxq[i];
		size_t bytes = net->cfg.ring_size * sizeof(*q->posted);

		q->net = net;
		q->index = i;
		q->cpu = net->cpus[i % net->ncpus];
		q->posted = malloc(bytes);
		if (!q->posted)
			return error_oom(err, errlen, bytes,
					 "rx ring of %u buffers",
					 net->cfg.ring_size);
	}
	return 0;
}

void net_rx_destroy(struct network *net)
{
	for (unsigned int i = 0; net->rxq && i < net->nrxq; i++)
		free(net->rxq[i].posted);
	free(net->rxq);
	net->rxq = NULL;
}

void net_rx_start(struct network *net)
{
	for (unsigned int i = 0; i < net->nrxq; i++)
		net_rx_refill(&net->rxq[i]);
	rx_schedule_next(net);
}

void net_rx_stop(struct network *net)
{
	struct sim_engine *eng = machine_engine(net->m);

	if (net->rx_event)
		sim_cancel(eng, net->rx_event);
	net->rx_event = 0;
	for (unsigned int i = 0; i < net->nrxq; i++) {
		if (net->rxq[i].timer)
			sim_cancel(eng, net->rxq[i].timer);
		net->rxq[i].timer = 0;
	}
}
