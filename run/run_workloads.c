/* run/run_workloads.c - from a scenario's workloads to the generators'
 * configurations, one constructor per kind. */
#include "run/run.h"

#include "base/error.h"

#include "workloads/mapbench.h"
#include "workloads/network.h"
#include "workloads/storage.h"
#include "workloads/tracewl.h"

#include <stdlib.h>

static const struct scenario_device *wl_device(const struct scenario *s,
					       const struct scenario_workload *w)
{
	return w->device_index >= 0 ? &s->devices[w->device_index] : NULL;
}

static struct workload *make_storage(const struct scenario *s,
				     const struct scenario_workload *w,
				     struct machine *m, char *err, size_t len)
{
	const struct scenario_device *d = wl_device(s, w);
	struct storage_config c;

	storage_config_init(&c);
	c.device = w->device;
	c.cpus = w->cpus.text;
	c.queue_depth = w->queue_depth;
	c.sizes = w->size.text;
	c.read_fraction = w->read_fraction;
	c.loop = w->rate > 0 ? STORAGE_OPEN_LOOP : STORAGE_CLOSED_LOOP;
	c.rate_iops = w->rate;
	c.huge_page_fraction = w->huge_page_fraction;
	c.adjacent_page_probability = w->adjacent_page_probability;
	c.retry = w->retry == SCENARIO_RETRY_FIXED ? STORAGE_RETRY_FIXED :
						     STORAGE_RETRY_BLK_MQ;
	c.requeue_delay_ns = w->requeue_delay;
	c.submit_cost_ns = w->submit_cost;
	c.complete_cost_ns = w->complete_cost;
	if (d) {
		c.max_segments = d->max_segments;
		c.completion_cpu = d->completion_cpu;
		/* NVMe ends requests in batches (blk_mq_end_request_batch),
		 * which rerun no queue; other drivers end them one by one. */
		c.restart_on_completion = d->kind != SCENARIO_DEVICE_NVME;
	}
	return storage_new(m, w->name, &c, err, len);
}

static struct workload *make_network(const struct scenario_workload *w,
				     struct machine *m, char *err, size_t len)
{
	struct network_config c;

	network_config_init(&c, w->device);
	c.cpus = w->cpus.text;
	c.rx_queues = w->rx_queues;
	c.ring_size = w->ring_size;
	c.rx_buffer_bytes = w->rx_buffer;
	c.rx_rate_pps = w->rx_rate;
	c.tx_rate_pps = w->tx_rate;
	c.tx_sizes = w->tx_size.text;
	c.tx_cost_ns = w->submit_cost;
	c.rx_cost_ns = w->complete_cost;
	return network_new(m, w->name, &c, err, len);
}

static struct workload *make_mapbench(const struct scenario_workload *w,
				      struct machine *m, char *err, size_t len)
{
	struct mapbench_config c;

	mapbench_config_init(&c);
	c.device = w->device;
	c.cpus = w->cpus.text;
	c.threads = w->threads;
	c.granule = w->granule;
	c.dir = (enum dma_data_direction)w->direction;
	c.delay_ns = w->delay;
	return mapbench_new(m, w->name, &c, err, len);
}

static struct workload *make_trace(const struct scenario_workload *w,
				   struct machine *m, char *err, size_t len)
{
	struct tracewl_config c;

	tracewl_config_init(&c, w->file_path);
	c.retry_delay_ns = w->retry_delay;
	return tracewl_new(m, w->name, &c, err, len);
}

static struct workload *make_one(const struct scenario *s,
				 const struct scenario_workload *w,
				 struct machine *m, char *err, size_t len)
{
	switch (w->kind) {
	case SCENARIO_WORKLOAD_STORAGE: return make_storage(s, w, m, err, len);
	case SCENARIO_WORKLOAD_NETWORK: return make_network(w, m, err, len);
	case SCENARIO_WORKLOAD_MAPBENCH: return make_mapbench(w, m, err, len);
	case SCENARIO_WORKLOAD_TRACE: return make_trace(w, m, err, len);
	}
	snprintf(err, len, "unknown workload kind");
	return NULL;
}

int run_make_workloads(const struct scenario *s, struct machine *m,
		       struct workload ***out, char *err, size_t errlen)
{
	struct workload **wls = calloc(s->nworkloads ? s->nworkloads : 1,
				       sizeof(*wls));
	char why[512];

	if (!wls)
		return error_oom(err, errlen, (s->nworkloads ? s->nworkloads :
					       1) * sizeof(*wls),
				 "%zu workloads", s->nworkloads);
	for (size_t i = 0; i < s->nworkloads; i++) {
		wls[i] = make_one(s, &s->workloads[i], m, why, sizeof(why));
		if (!wls[i]) {
			snprintf(err, errlen, "workloads[%zu] (%s): %s", i,
				 s->workloads[i].name, why);
			while (i--)
				workload_destroy(wls[i]);
			free(wls);
			return -1;
		}
	}
	*out = wls;
	return 0;
}
