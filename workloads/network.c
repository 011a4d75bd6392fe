/* workloads/network.c - the network generator's set-up: configuration
 * checks, the workload interface (start, stop, in flight, JSON), packets'
 * memory and the helpers rx and tx share. */
#include "workloads/network_impl.h"

#include "base/error.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define PACKET_CHUNK 256

struct net_packet_chunk {
	struct net_packet_chunk *next;
	struct net_packet packets[PACKET_CHUNK];
};

void network_config_init(struct network_config *cfg, const char *device)
{
	*cfg = (struct network_config){
		.device = device,
		.cpus = NULL,
		.rx_queues = 0,
		.ring_size = NETWORK_DEFAULT_RING_SIZE,
		.rx_buffer_bytes = NETWORK_DEFAULT_RX_BUFFER_BYTES,
		.rx_rate_pps = 0.0,
		.rx_arrival = NETWORK_ARRIVAL_POISSON,
		.rx_steering = NETWORK_STEER_RANDOM,
		.rx_sizes = NETWORK_DEFAULT_RX_SIZES,
		.rx_unmap_skip_sync = true,
		.rx_refill_retry_ns = NETWORK_DEFAULT_REFILL_RETRY_NS,
		.tx_rate_pps = 0.0,
		.tx_arrival = NETWORK_ARRIVAL_POISSON,
		.tx_sizes = NETWORK_DEFAULT_TX_SIZES,
		.tx_ring_size = NETWORK_DEFAULT_TX_RING_SIZE,
		.tx_cost_ns = COST_NET_TX_NS,
		.rx_cost_ns = COST_NET_RX_NS,
	};
}

/* ---- packets ------------------------------------------------------------- */

struct net_packet *net_packet_get(struct network *net)
{
	struct net_packet *p = net->free_packets;

	if (!p) {
		struct net_packet_chunk *ch = calloc(1, sizeof(*ch));

		if (!ch) {
			workload_fail_oom(net->w, sizeof(*ch), "packets");
			return NULL;
		}
		ch->next = net->chunks;
		net->chunks = ch;
		for (size_t i = PACKET_CHUNK; i-- > 0;) {
			ch->packets[i].next_free = net->free_packets;
			net->free_packets = &ch->packets[i];
		}
		p = net->free_packets;
	}
	net->free_packets = p->next_free;
	*p = (struct net_packet){ .net = net };
	return p;
}

void net_packet_put(struct network *net, struct net_packet *p)
{
	p->next_free = net->free_packets;
	net->free_packets = p;
}

/* ---- helpers ------------------------------------------------------------- */

uint64_t net_next_orig(uint64_t *cursor, uint64_t base, uint64_t bytes)
{
	uint64_t span = (bytes + NETWORK_ORIG_ALIGN - 1) &
			~(uint64_t)(NETWORK_ORIG_ALIGN - 1);
	uint64_t addr;

	if (*cursor + span > NETWORK_ORIG_SPAN)
		*cursor = 0;
	addr = base + *cursor;
	*cursor += span;
	return addr;
}

sim_time_t net_gap_ns(enum network_arrival kind, double rate_pps,
		      gsl_rng *rng)
{
	double mean = 1e9 / rate_pps;

	if (kind == NETWORK_ARRIVAL_PERIODIC)
		return (sim_time_t)rng_llround(mean);
	return (sim_time_t)rng_llround(rng_exponential(rng, mean));
}

void net_request_done(struct network *net, const struct net_packet *p)
{
	struct workload_stats *s = &net->w->stats;

	s->requests_completed++;
	s->bytes += p->bytes;
	stats_hist_add(&s->latency, machine_now(net->m) - p->arrived);
}

void net_out_of_memory(struct network *net)
{
	workload_stop(net->w);
}

/* ---- configuration checks ------------------------------------------------ */

static int check_rates(const struct network_config *cfg, char *err,
		       size_t errlen)
{
	if (!(cfg->rx_rate_pps >= 0.0) || !isfinite(cfg->rx_rate_pps) ||
	    !(cfg->tx_rate_pps >= 0.0) || !isfinite(cfg->tx_rate_pps)) {
		snprintf(err, errlen, "rx_rate_pps and tx_rate_pps must be "
			 "finite and >= 0");
		return -1;
	}
	if (cfg->rx_arrival > NETWORK_ARRIVAL_PERIODIC ||
	    cfg->tx_arrival > NETWORK_ARRIVAL_PERIODIC ||
	    cfg->rx_steering > NETWORK_STEER_ROUND_ROBIN) {
		snprintf(err, errlen, "unknown arrival or steering kind");
		return -1;
	}
	return 0;
}

static int check_ring(struct network *net, char *err, size_t errlen)
{
	const struct network_config *cfg = &net->cfg;
	uint64_t max_seg = machine_device_max_segment(net->dev);

	if (cfg->ring_size < 1 || cfg->ring_size > NETWORK_MAX_RING_SIZE) {
		snprintf(err, errlen, "ring_size %" PRIu32 ": expected 1 to %d",
			 cfg->ring_size, NETWORK_MAX_RING_SIZE);
		return -1;
	}
	if (cfg->rx_queues > NETWORK_MAX_QUEUES) {
		snprintf(err, errlen, "rx_queues %u: at most %d",
			 cfg->rx_queues, NETWORK_MAX_QUEUES);
		return -1;
	}
	if (cfg->rx_buffer_bytes < 1 || cfg->rx_buffer_bytes > max_seg) {
		snprintf(err, errlen, "rx_buffer_bytes %" PRIu64 ": expected 1 "
			 "to the device's maximum segment (%" PRIu64 ")",
			 cfg->rx_buffer_bytes, max_seg);
		return -1;
	}
	return 0;
}

static int check_rx_list(const struct network *net,
			 const struct network_config *cfg, char *err,
			 size_t errlen)
{
	for (size_t i = 0; i < cfg->rx_npackets; i++) {
		const struct network_rx_packet *p = &cfg->rx_packets[i];

		if (i && p->t_ns < cfg->rx_packets[i - 1].t_ns) {
			snprintf(err, errlen, "rx_packets[%zu]: t_ns %" PRIu64
				 " is before the previous one", i, p->t_ns);
			return -1;
		}
		if (p->queue < -1 || (p->queue >= 0 &&
				      (unsigned int)p->queue >= net->nrxq)) {
			snprintf(err, errlen, "rx_packets[%zu]: queue %" PRId32
				 " (there are %u)", i, p->queue, net->nrxq);
			return -1;
		}
	}
	return 0;
}

/* Writes "prefix: " into err; returns where the rest of the message goes
 * (err itself when it has no room). */
static char *err_prefix(char *err, size_t *errlen, const char *prefix)
{
	int n = snprintf(err, *errlen, "%s: ", prefix);

	if (n < 0 || (size_t)n >= *errlen)
		return err;
	*errlen -= (size_t)n;
	return err + n;
}

/* A size text of the configuration (NULL: the default). */
static int parse_sizes(const char *text, const char *fallback,
		       const char *what, struct sizedist *out, char *err,
		       size_t errlen)
{
	char *rest = err_prefix(err, &errlen, what);

	return sizedist_parse(text ? text : fallback, out, rest, errlen) ?
		-1 : 0;
}

/* Copies the configuration and checks everything that needs no memory
 * beyond the CPU list. */
static int network_configure(struct network *net,
			     const struct network_config *cfg, char *err,
			     size_t errlen)
{
	int n;

	net->cfg = *cfg;
	net->cfg.rx_packets = NULL;
	net->dev = cfg->device ? machine_device_find(net->m, cfg->device) :
				 NULL;
	if (!net->dev) {
		snprintf(err, errlen, "device \"%s\" is not in the machine",
			 cfg->device ? cfg->device : "(none)");
		return -1;
	}
	if (check_rates(cfg, err, errlen) || check_ring(net, err, errlen) ||
	    parse_sizes(cfg->rx_sizes, NETWORK_DEFAULT_RX_SIZES, "rx_sizes",
			&net->rx_sizes, err, errlen) ||
	    parse_sizes(cfg->tx_sizes, NETWORK_DEFAULT_TX_SIZES, "tx_sizes",
			&net->tx_sizes, err, errlen))
		return -1;
	n = workload_parse_cpus(cfg->cpus, machine_ncpus(net->m), &net->cpus,
				err, errlen);
	if (n < 0)
		return -1;
	net->ncpus = (unsigned int)n;
	net->nrxq = cfg->rx_queues ? cfg->rx_queues : net->ncpus;
	return check_rx_list(net, cfg, err, errlen);
}

/* ---- the workload interface ---------------------------------------------- */

static int network_start(struct workload *w, char *err, size_t errlen)
{
	struct network *net = net_of(w);

	(void)err;
	(void)errlen;
	net->started = machine_now(net->m);
	net_rx_start(net);
	net_tx_start(net);
	return 0;
}

static void network_stop(struct workload *w)
{
	struct network *net = net_of(w);

	net_rx_stop(net);
	net_tx_stop(net);
}

static uint64_t network_in_flight(const struct workload *w)
{
	const struct workload_stats *s = &w->stats;

	return s->requests_issued - s->requests_completed - s->drops;
}

static int network_write_json(const struct workload *w, FILE *out)
{
	const struct network *net = net_of(w);
	const struct network_counters *c = &net->c;

	fprintf(out, "\"rx_queues\": %u, \"ring_size\": %" PRIu32
		", \"rx_buffer_bytes\": %" PRIu64 ", \"rx_arrived\": %" PRIu64
		", \"rx_packets\": %" PRIu64 ", \"rx_bytes\": %" PRIu64
		", \"rx_drops\": %" PRIu64 ", \"rx_truncated\": %" PRIu64
		", \"rx_refill_maps\": %" PRIu64
		", \"ring_shortfall_events\": %" PRIu64
		", \"rx_refill_timer_runs\": %" PRIu64
		", \"ring_fill\": %" PRIu64 ", \"ring_fill_per_queue\": [",
		net->nrxq, net->cfg.ring_size, net->cfg.rx_buffer_bytes,
		c->rx_arrived, c->rx_packets, c->rx_bytes, c->rx_drops,
		c->rx_truncated, c->rx_refill_maps, c->ring_shortfall_events,
		c->rx_refill_timer_runs, network_ring_fill_total(w));
	for (unsigned int q = 0; q < net->nrxq; q++)
		fprintf(out, "%s%" PRIu32, q ? ", " : "", net->rxq[q].nposted);
	fprintf(out, "], \"tx_packets\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		", \"tx_drops\": %" PRIu64 ", \"tx_ring_full\": %" PRIu64
		", \"tx_cost_ns\": %" PRIu64 ", \"rx_cost_ns\": %" PRIu64,
		c->tx_packets, c->tx_bytes, c->tx_drops, c->tx_ring_full,
		net->cfg.tx_cost_ns, net->cfg.rx_cost_ns);
	return ferror(out) ? -1 : 0;
}

static void network_destroy(struct workload *w)
{
	struct network *net = net_of(w);

	if (!net)
		return;
	net_rx_destroy(net);
	while (net->chunks) {
		struct net_packet_chunk *ch = net->chunks;

		net->chunks = ch->next;
		free(ch);
	}
	if (net->tx_rng)
		gsl_rng_free(net->tx_rng);
	free((void *)net->cfg.rx_packets);
	free(net->tx_in_flight);
	free(net->cpus);
	free(net);
	w->impl = NULL;
}

static void network_measure_from_now(struct workload *w)
{
	memset(&net_of(w)->c, 0, sizeof(net_of(w)->c));
}

static const struct workload_ops network_ops = {
	.start = network_start,
	.stop = network_stop,
	.in_flight = network_in_flight,
	.measure_from_now = network_measure_from_now,
	.write_json = network_write_json,
	.destroy = network_destroy,
};

/* The parts that allocate: the timed list's copy, the tx stream, rings. */
static int network_alloc(struct network *net,
			 const struct network_config *cfg, char *err,
			 size_t errlen)
{
	char stream[96];
	unsigned int ncpus = machine_ncpus(net->m);

	if (cfg->rx_npackets) {
		size_t bytes = cfg->rx_npackets * sizeof(*cfg->rx_packets);
		struct network_rx_packet *copy = malloc(bytes);

		if (!copy)
			return error_oom(err, errlen, bytes,
					 "%zu timed packets", cfg->rx_npackets);
		memcpy(copy, cfg->rx_packets, bytes);
		net->cfg.rx_packets = copy;
	}
	snprintf(stream, sizeof(stream), "workload:%s:tx", net->w->name);
	net->tx_rng = machine_rng_new(net->m, stream, err, errlen);
	if (!net->tx_rng)
		return -1;
	net->tx_in_flight = calloc(ncpus, sizeof(*net->tx_in_flight));
	if (!net->tx_in_flight)
		return error_oom(err, errlen,
				 ncpus * sizeof(*net->tx_in_flight),
				 "tx rings of %u CPUs", ncpus);
	return net_rx_init(net, err, errlen);
}

struct workload *network_new(struct machine *m, const char *name,
			     const struct network_config *cfg, char *err,
			     size_t errlen)
{
	struct workload *w = calloc(1, sizeof(*w));
	struct network *net = calloc(1, sizeof(*net));
	char who[96];
	char *msg;

	assert(m && name && cfg && err);
	if (!w || !net) {
		error_oom(err, errlen, w ? sizeof(*net) : sizeof(*w),
			  "workload %s", name);
		free(w);
		free(net);
		return NULL;
	}
	if (workload_init(w, m, name, "network", &network_ops, err, errlen)) {
		free(w);
		free(net);
		return NULL;
	}
	w->impl = net;
	net->w = w;
	net->m = m;
	snprintf(who, sizeof(who), "network %s", name);
	msg = err_prefix(err, &errlen, who);
	if (network_configure(net, cfg, msg, errlen) ||
	    network_alloc(net, cfg, msg, errlen)) {
		workload_destroy(w);
		return NULL;
	}
	return w;
}

/* ---- accessors ----------------------------------------------------------- */

const struct network_counters *network_counters(const struct workload *w)
{
	return &net_of(w)->c;
}

unsigned int network_rx_queues(const struct workload *w)
{
	return net_of(w)->nrxq;
}

uint32_t network_ring_fill(const struct workload *w, unsigned int q)
{
	assert(q < net_of(w)->nrxq);
	return net_of(w)->rxq[q].nposted;
}

uint64_t network_ring_fill_total(const struct workload *w)
{
	const struct network *net = net_of(w);
	uint64_t n = 0;

	for (unsigned int q = 0; q < net->nrxq; q++)
		n += net->rxq[q].nposted;
	return n;
}

unsigned int network_rx_queue_cpu(const struct workload *w, unsigned int q)
{
	assert(q < net_of(w)->nrxq);
	return net_of(w)->rxq[q].cpu;
}
