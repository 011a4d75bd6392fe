/* tests/workloads/test_network.c - the network generator with exact expectations:
 * full rings hold r * q mappings, a pool too small for the rings counts
 * shortfalls and leaks nothing, the empty-ring timer, tx counts, a timed
 * rx list, determinism by seed, configuration errors. */
#include <stdlib.h>
#include <string.h>

#include "tests/machine_fixture.h"
#include "workloads/network.h"

/* The defaults without the per-packet CPU costs (the machine is quiet
 * too): each test turns on only what it checks. */
static void quiet_network_config(struct network_config *c, const char *dev)
{
	network_config_init(c, dev);
	c->tx_cost_ns = 0;
	c->rx_cost_ns = 0;
}

static struct machine_device_config nic;

/* ncpus CPUs, a pool of nslabs in nareas areas, quiet costs, device nic0. */
static bool nic_machine(struct fixture *f, unsigned int ncpus, uint64_t nslabs,
			uint64_t nareas, uint64_t seed)
{
	struct machine_config cfg;

	fixture_config(&cfg, ncpus, nslabs, nareas, false);
	quiet_device(&nic, "nic0");
	cfg.devices = &nic;
	cfg.ndevices = 1;
	cfg.seed = seed;
	return fixture_new(f, &cfg);
}

static struct workload *nic_new(struct fixture *f,
				const struct network_config *nc)
{
	char err[256] = "";
	struct workload *w = network_new(f->m, "net0", nc, err, sizeof(err));

	if (!w)
		fprintf(stderr, "network_new: %s\n", err);
	else if (workload_start(w, err, sizeof(err)))
		fprintf(stderr, "start: %s\n", err);
	return w;
}

/* Stops arrivals at `until` and lets everything in flight finish. */
static void run_then_drain(struct fixture *f, struct workload *w,
			   sim_time_t until)
{
	machine_run_until(f->m, until);
	workload_stop(w);
	machine_run(f->m);
}

static uint64_t used_slots(const struct fixture *f)
{
	return machine_mem(f->m)->used;
}

/* Every request accounted for: issued = completed + dropped. */
static void check_balanced(const struct workload *w)
{
	const struct workload_stats *s = &w->stats;

	CHECK_EQ(workload_in_flight(w), 0);
	CHECK_EQ(s->requests_issued, s->requests_completed + s->drops);
}

/* q rings of r buffers, a big pool: after traffic, exactly r * q mappings
 * of slots_per_buffer slots each are live, one ring per queue. */
static void rings_full(uint64_t buffer, uint64_t slots_per_buffer,
		       unsigned int queues)
{
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;
	const uint32_t r = 256;

	if (!nic_machine(&f, 4, 32768, 4, 1))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = r;
	nc.rx_queues = queues;
	nc.rx_buffer_bytes = buffer;
	nc.rx_sizes = "64-1500";
	nc.rx_rate_pps = 2e6;
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	run_then_drain(&f, w, SIM_MS(2));
	c = network_counters(w);
	CHECK_EQ(network_rx_queues(w), queues);
	CHECK_EQ(network_ring_fill_total(w), (uint64_t)r * queues);
	for (unsigned int q = 0; q < queues; q++) {
		CHECK_EQ(network_ring_fill(w, q), r);
		CHECK_EQ(network_rx_queue_cpu(w, q), q % 4);
	}
	CHECK_EQ(machine_live_mappings(f.m), (uint64_t)r * queues);
	CHECK_EQ(used_slots(&f), (uint64_t)r * queues * slots_per_buffer);
	/* ~4000 packets arrived; none dropped, none short. */
	CHECK(c->rx_packets > 3000 && c->rx_packets < 5000);
	CHECK_EQ(c->rx_drops, 0);
	CHECK_EQ(c->ring_shortfall_events, 0);
	CHECK_EQ(c->rx_packets, c->rx_arrived);
	CHECK_EQ(c->rx_refill_maps, (uint64_t)r * queues + c->rx_packets);
	CHECK_EQ(w->stats.maps, c->rx_refill_maps);
	CHECK_EQ(w->stats.unmaps, c->rx_packets);
	CHECK_EQ(w->stats.syncs, c->rx_packets);
	CHECK_EQ(w->stats.bytes, c->rx_bytes);
	CHECK_EQ(stats_counters(machine_stats(f.m))->io_completed,
		 c->rx_packets);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

static void test_rings_full_1518(void) { rings_full(1518, 1, 4); }
static void test_rings_full_page(void) { rings_full(4096, 2, 4); }
static void test_rings_full_jumbo(void) { rings_full(9018, 5, 6); }

/* Default machine costs and an NVMe-like device latency: the same
 * steady state, now with time passing in every call. */
static void test_rings_full_with_costs(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct network_config nc;
	struct workload *w;

	machine_config_init(&cfg, 2);
	machine_device_config_init(&nic, "nic0");
	cfg.devices = &nic;
	cfg.ndevices = 1;
	cfg.sample_interval_ns = 0;
	if (!fixture_new(&f, &cfg))
		return;
	quiet_network_config(&nc, "nic0");
	nc.rx_rate_pps = 2e5;
	nc.tx_rate_pps = 1e5;
	nc.tx_sizes = "64:50,1500:50";
	w = nic_new(&f, &nc);
	if (w) {
		run_then_drain(&f, w, SIM_MS(5));
		CHECK_EQ(network_ring_fill_total(w), 2 * 1024);
		CHECK_EQ(machine_live_mappings(f.m), 2 * 1024);
		CHECK_EQ(used_slots(&f), 2 * 1024);
		CHECK_EQ(network_counters(w)->rx_drops, 0);
		CHECK_EQ(network_counters(w)->tx_drops, 0);
		CHECK(network_counters(w)->tx_packets > 400);
		check_balanced(w);
		workload_destroy(w);
	}
	fixture_free(&f);
}

/* Two rings of 256 on a 256-slot pool: the initial fills share the pool
 * (the two chains alternate) and each stops at its first failure. Every
 * packet then frees one slot, its queue maps it again, and the chain's
 * next map fails: one shortfall per packet. */
static void test_pool_too_small(void)
{
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;

	if (!nic_machine(&f, 2, 256, 1, 1))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 256;
	nc.rx_rate_pps = 1e6;
	nc.rx_arrival = NETWORK_ARRIVAL_PERIODIC;
	nc.rx_steering = NETWORK_STEER_ROUND_ROBIN;
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	machine_run_until(f.m, SIM_NS(500));
	CHECK_EQ(network_ring_fill(w, 0), 128);
	CHECK_EQ(network_ring_fill(w, 1), 128);
	CHECK_EQ(network_counters(w)->ring_shortfall_events, 2);
	run_then_drain(&f, w, SIM_MS(1));
	c = network_counters(w);
	CHECK_EQ(c->rx_arrived, 1000);
	CHECK_EQ(c->rx_packets, 1000);
	CHECK_EQ(c->rx_drops, 0);
	CHECK_EQ(c->ring_shortfall_events, 2 + 1000);
	CHECK_EQ(c->rx_refill_maps,
		 256 + c->rx_packets + c->ring_shortfall_events);
	CHECK_EQ(w->stats.map_failures, c->ring_shortfall_events);
	CHECK_EQ(stats_counters(machine_stats(f.m))->full_events,
		 c->ring_shortfall_events);
	/* No leak: what is live is exactly what the rings hold. */
	CHECK_EQ(network_ring_fill_total(w), 256);
	CHECK_EQ(machine_live_mappings(f.m), network_ring_fill_total(w));
	CHECK_EQ(used_slots(&f), 256);
	CHECK_EQ(c->rx_refill_timer_runs, 0);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* A pool already full when the NIC starts: the initial fill fails at once,
 * so the ring is empty and every packet drops until the refill timer
 * (1 ms) runs after half the pool was freed at 0.5 ms. */
static void test_empty_ring_timer(void)
{
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;
	struct map_log hog = { 0 };

	if (!nic_machine(&f, 1, 256, 1, 1))
		return;
	struct machine_device *d = machine_device_find(f.m, "nic0");
	machine_map(f.m, 0, d, 0, 256 << 10, DMA_TO_DEVICE, 0, on_map, &hog);
	machine_map(f.m, 0, d, 0, 256 << 10, DMA_TO_DEVICE, 0, on_map, &hog);
	machine_run(f.m);
	CHECK_EQ(hog.n, 2);
	CHECK_EQ(used_slots(&f), 256);
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 256;
	nc.rx_rate_pps = 1e5;                   /* one packet every 10 us */
	nc.rx_arrival = NETWORK_ARRIVAL_PERIODIC;
	nc.rx_refill_retry_ns = SIM_MS(1);
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	machine_run_until(f.m, SIM_US(500));
	c = network_counters(w);
	CHECK_EQ(c->ring_shortfall_events, 1);
	CHECK_EQ(c->rx_drops, 50);
	machine_unmap(f.m, 0, hog.r[0].mapping, false, NULL, NULL);
	/* The arrival at 1 ms was scheduled before the timer's refill map
	 * finishes at the same instant: it drops too. */
	machine_run_until(f.m, SIM_MS(1));
	CHECK_EQ(c->rx_refill_timer_runs, 1);
	CHECK_EQ(c->rx_drops, 100);
	CHECK_EQ(network_ring_fill(w, 0), 128);
	CHECK_EQ(c->ring_shortfall_events, 2);
	run_then_drain(&f, w, SIM_MS(2));
	CHECK_EQ(c->rx_arrived, 200);
	CHECK_EQ(c->rx_packets, 100);
	CHECK_EQ(c->rx_drops, 100);
	CHECK_EQ(c->ring_shortfall_events, 2 + 100);
	CHECK_EQ(c->rx_refill_timer_runs, 1);
	CHECK_EQ(network_ring_fill(w, 0), 128);
	CHECK_EQ(machine_live_mappings(f.m), 128 + 1);   /* + the hog left */
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* tx alone, periodic, fixed size: exact counts, nothing left mapped. */
static void test_tx_exact(void)
{
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;
	const struct stats_counters *mc;

	if (!nic_machine(&f, 2, 1024, 2, 1))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 16;
	nc.tx_rate_pps = 1e6;
	nc.tx_arrival = NETWORK_ARRIVAL_PERIODIC;
	nc.tx_sizes = "1500";
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	run_then_drain(&f, w, SIM_MS(1));
	c = network_counters(w);
	mc = stats_counters(machine_stats(f.m));
	CHECK_EQ(c->tx_packets, 1000);
	CHECK_EQ(c->tx_bytes, 1000 * 1500);
	CHECK_EQ(c->tx_drops, 0);
	CHECK_EQ(w->stats.requests_issued, 1000);
	CHECK_EQ(w->stats.requests_completed, 1000);
	CHECK_EQ(w->stats.bytes, 1000 * 1500);
	CHECK_EQ(w->stats.maps, 1000 + 2 * 16);
	CHECK_EQ(w->stats.unmaps, 1000);
	CHECK_EQ(mc->io_completed, 1000);
	CHECK_EQ(mc->io_bytes, 1000 * 1500);
	CHECK_EQ(machine_live_mappings(f.m), 2 * 16);   /* the rx rings */
	CHECK_EQ(w->stats.latency.n, 1000);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* Poisson tx: the count is random but every packet is accounted for, and
 * packets above the maximum mapping size are dropped at their map. */
static void test_tx_poisson_and_drops(void)
{
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;

	if (!nic_machine(&f, 2, 1024, 2, 7))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 8;
	nc.tx_rate_pps = 1e6;
	nc.tx_sizes = "1500:90,300000:10";     /* 300000 > 256 KiB: fails */
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	run_then_drain(&f, w, SIM_MS(10));
	c = network_counters(w);
	CHECK(w->stats.requests_issued > 10000 - 500 &&
	      w->stats.requests_issued < 10000 + 500);     /* 5 sigma */
	CHECK_EQ(c->tx_packets + c->tx_drops, w->stats.requests_issued);
	CHECK(c->tx_drops > 700 && c->tx_drops < 1300);
	CHECK_EQ(c->tx_bytes, c->tx_packets * 1500);
	CHECK_EQ(w->stats.map_failures, c->tx_drops);
	CHECK_EQ(machine_live_mappings(f.m), 2 * 8);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* A slow device and a small tx ring: beyond tx_ring_size packets in
 * flight on a CPU, arrivals are dropped. */
static void test_tx_ring_full(void)
{
	struct machine_config cfg;
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;

	fixture_config(&cfg, 1, 1024, 1, false);
	quiet_device(&nic, "nic0");
	nic.latency_ns = SIM_MS(1);
	cfg.devices = &nic;
	cfg.ndevices = 1;
	if (!fixture_new(&f, &cfg))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 4;
	nc.tx_rate_pps = 1e6;
	nc.tx_arrival = NETWORK_ARRIVAL_PERIODIC;
	nc.tx_ring_size = 10;
	w = nic_new(&f, &nc);
	if (w) {
		run_then_drain(&f, w, SIM_US(100));
		c = network_counters(w);
		CHECK_EQ(w->stats.requests_issued, 100);
		CHECK_EQ(c->tx_packets, 10);
		CHECK_EQ(c->tx_ring_full, 90);
		CHECK_EQ(c->tx_drops, 0);
		CHECK_EQ(w->stats.drops, 90);
		CHECK_EQ(machine_now(f.m), SIM_US(10) + SIM_MS(1));
		check_balanced(w);
		workload_destroy(w);
	}
	fixture_free(&f);
}

/* A timed list: explicit queues and sizes, steering for the rest, sizes
 * above the buffer cut to it. */
static void test_timed_list(void)
{
	static const struct network_rx_packet list[] = {
		{ 1000, 0, 100 }, { 1000, 1, 200 }, { 2000, 2, 5000 },
		{ 3000, -1, 0 }, { 3000, -1, 0 }, { 9000, 1, 64 },
	};
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct network_counters *c;

	if (!nic_machine(&f, 3, 1024, 1, 1))
		return;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 4;
	nc.rx_steering = NETWORK_STEER_ROUND_ROBIN;
	nc.rx_sizes = "1000";
	nc.rx_packets = list;
	nc.rx_npackets = sizeof(list) / sizeof(list[0]);
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	machine_run(f.m);
	c = network_counters(w);
	CHECK_EQ(c->rx_packets, 6);
	CHECK_EQ(c->rx_truncated, 1);
	CHECK_EQ(c->rx_bytes, 100 + 200 + 1518 + 1000 + 1000 + 64);
	CHECK_EQ(machine_now(f.m), 9000);
	CHECK_EQ(machine_live_mappings(f.m), 3 * 4);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* Per-packet CPU: a received packet is done rx_cost after its unmap, a
 * sent one is mapped tx_cost after it arrives; on one CPU with an instant
 * device, each packet's latency is exactly its cost. */
static void test_packet_costs(void)
{
	static const struct network_rx_packet list[] = { { 1000, 0, 100 } };
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	const struct stats_hist *lat;

	if (!nic_machine(&f, 1, 1024, 1, 1))
		return;
	network_config_init(&nc, "nic0");
	CHECK_EQ(nc.tx_cost_ns, COST_NET_TX_NS);
	CHECK_EQ(nc.rx_cost_ns, COST_NET_RX_NS);
	nc.rx_cost_ns = 2000;
	nc.tx_cost_ns = 1500;
	nc.ring_size = 1;
	nc.rx_packets = list;
	nc.rx_npackets = 1;
	nc.tx_rate_pps = 100000;
	nc.tx_arrival = NETWORK_ARRIVAL_PERIODIC;
	w = nic_new(&f, &nc);
	if (!w)
		goto out;
	/* tx at 10, 20, 30 us; rx at 1 us */
	run_then_drain(&f, w, SIM_US(35));
	lat = &w->stats.latency;
	CHECK_EQ(network_counters(w)->rx_packets, 1);
	CHECK_EQ(network_counters(w)->tx_packets, 3);
	CHECK_EQ(lat->n, 4);
	CHECK_EQ(lat->min, 1500);
	CHECK_EQ(lat->max, 2000);
	CHECK_EQ(lat->sum, 2000 + 3 * 1500);
	check_balanced(w);
	workload_destroy(w);
out:
	fixture_free(&f);
}

/* The JSON of one mixed run with default costs and a jittery device. */
static char *run_json(uint64_t seed)
{
	struct machine_config cfg;
	struct fixture f;
	struct network_config nc;
	struct workload *w;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	machine_config_init(&cfg, 4);
	machine_device_config_init(&nic, "nic0");
	nic.jitter.kind = MACHINE_JITTER_EXPONENTIAL;
	nic.jitter.a = 2000;
	cfg.devices = &nic;
	cfg.ndevices = 1;
	cfg.sample_interval_ns = 0;
	cfg.boot.param.nslabs_set = true;
	cfg.boot.param.nslabs = 4096;
	cfg.seed = seed;
	if (!fixture_new(&f, &cfg))
		return NULL;
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 512;
	nc.rx_sizes = "64:40,576:20,1500:40";
	nc.rx_rate_pps = 5e5;
	nc.tx_rate_pps = 3e5;
	nc.tx_sizes = "lognormal:1k,1";
	w = nic_new(&f, &nc);
	out = open_memstream(&buf, &len);
	if (w && out) {
		run_then_drain(&f, w, SIM_MS(4));
		CHECK_EQ(workload_write_json(w, out), 0);
	}
	if (out)
		fclose(out);
	workload_destroy(w);
	fixture_free(&f);
	return buf;
}

static void test_same_seed_same_json(void)
{
	char *a = run_json(1), *b = run_json(1), *c = run_json(2);

	CHECK(a && b && c);
	if (a && b && c) {
		CHECK(strcmp(a, b) == 0);
		CHECK(strcmp(a, c) != 0);
		CHECK(strstr(a, "\"kind\": \"network\"") != NULL);
		CHECK(strstr(a, "\"ring_shortfall_events\": ") != NULL);
		CHECK(strstr(a, "\"ring_fill\": 2048") != NULL);
	}
	free(a);
	free(b);
	free(c);
}

static bool new_fails(struct fixture *f, const struct network_config *nc,
		      const char *needle)
{
	char err[256] = "";
	struct workload *w = network_new(f->m, "bad", nc, err, sizeof(err));

	workload_destroy(w);
	if (!w && strstr(err, needle))
		return true;
	fprintf(stderr, "  expected an error with \"%s\", got \"%s\"\n",
		needle, w ? "(none)" : err);
	return false;
}

static void test_config_errors(void)
{
	static const struct network_rx_packet backwards[] = {
		{ 2000, -1, 0 }, { 1000, -1, 0 },
	};
	static const struct network_rx_packet bad_queue[] = { { 0, 2, 0 } };
	struct fixture f;
	struct network_config nc;

	if (!nic_machine(&f, 2, 1024, 1, 1))
		return;
	network_config_init(&nc, "eth9");
	CHECK(new_fails(&f, &nc, "device \"eth9\" is not in the machine"));
	quiet_network_config(&nc, "nic0");
	nc.rx_buffer_bytes = 300000;
	CHECK(new_fails(&f, &nc, "rx_buffer_bytes 300000"));
	quiet_network_config(&nc, "nic0");
	nc.ring_size = 0;
	CHECK(new_fails(&f, &nc, "ring_size 0"));
	quiet_network_config(&nc, "nic0");
	nc.cpus = "0-5";
	CHECK(new_fails(&f, &nc, "CPU 5"));
	quiet_network_config(&nc, "nic0");
	nc.tx_sizes = "12q";
	CHECK(new_fails(&f, &nc, "tx_sizes:"));
	quiet_network_config(&nc, "nic0");
	nc.rx_rate_pps = -1;
	CHECK(new_fails(&f, &nc, "rx_rate_pps"));
	quiet_network_config(&nc, "nic0");
	nc.rx_packets = backwards;
	nc.rx_npackets = 2;
	CHECK(new_fails(&f, &nc, "rx_packets[1]"));
	nc.rx_packets = bad_queue;
	nc.rx_npackets = 1;
	CHECK(new_fails(&f, &nc, "queue 2 (there are 2)"));
	fixture_free(&f);
}

int main(void)
{
	RUN(test_rings_full_1518);
	RUN(test_rings_full_page);
	RUN(test_rings_full_jumbo);
	RUN(test_rings_full_with_costs);
	RUN(test_pool_too_small);
	RUN(test_empty_ring_timer);
	RUN(test_tx_exact);
	RUN(test_tx_poisson_and_drops);
	RUN(test_tx_ring_full);
	RUN(test_timed_list);
	RUN(test_packet_costs);
	RUN(test_same_seed_same_json);
	RUN(test_config_errors);
	return tu_finish();
}
