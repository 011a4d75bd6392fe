/* scenario/scenario_schema.c - the scenario format: every key, its type, range,
 * default and meaning, one table per YAML mapping (see scenario_schema.h),
 * and the questions asked of it (which keys, what a good value is).
 * To add a key: a member in scenario/scenario.h and a line here. */
#include "scenario/scenario_schema.h"
#include "scenario/scenario_units.h"

#include "allocator/swiotlb.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define F(T, m, ty) \
	.key = #m, .type = (ty), .offset = offsetof(T, m), \
	.size = sizeof(((T *)0)->m)
#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* One segment: the smallest pool the kernel builds. */
#define SEGMENT_BYTES ((uint64_t)IO_TLB_SEGSIZE * IO_TLB_SIZE)

#define COST(m, d) \
	{ F(struct scenario_costs, m, SC_TIME), .def = "0", \
	  .def_doc = "0 (built-in)", .doc = d }

static const struct sc_field costs_fields[] = {
	COST(map_call, "CPU time of a map call besides search, locks and copy"),
	COST(unmap_call, "CPU time of an unmap call besides locks and copy"),
	COST(sync_call, "CPU time of a sync call besides the copy"),
	COST(area_try, "search cost per area tried"),
	COST(slot_examine, "search cost per slot looked at"),
	COST(slot_write, "cost per slot's metadata written (map and release)"),
	COST(pool_step, "cost per pool walked to find a buffer's pool"),
	{ F(struct scenario_costs, copy_bandwidth, SC_BANDWIDTH), .def = "0",
	  .def_doc = "0 (built-in)", .doc = "bounce copy speed of one CPU" },
	COST(lock, "taking and releasing a free area lock"),
	COST(lock_handoff, "passing an area lock to another CPU"),
	COST(slot_line_transfer,
	     "moving one slot-metadata cache line from another CPU"),
	COST(irq, "a device completion interrupt (one for the completions "
		  "that wait for it together)"),
	COST(idle_wakeup, "an interrupt that finds its CPU idle, on top: idle "
			  "exit and the switch to the task it wakes"),
	COST(transient_create, "making a transient pool"),
	COST(transient_page, "per page of a transient pool (decrypting it)"),
	COST(transient_free, "freeing a transient pool"),
	COST(grow_queue, "growth worker: waking the kworker"),
	COST(grow_attempt, "growth worker: one high-order allocation try"),
	COST(page_alloc, "growth worker: allocating one page"),
	COST(page_decrypt,
	     "growth worker: making one page shared (CoCo only)"),
};

static const struct sc_table costs_table = {
	"machine.costs", costs_fields, N_FIELDS(costs_fields),
	sizeof(struct scenario_costs), -1,
};

static const struct sc_name slot_lines[] = {
	{ "touched", SCENARIO_LINES_TOUCHED },
	{ "dirty", SCENARIO_LINES_DIRTY },
	{ NULL, 0 },
};

static const struct sc_name profiles[] = {
	{ "host", SCENARIO_PROFILE_HOST },
	{ "vm", SCENARIO_PROFILE_VM },
	{ "coco-vm", SCENARIO_PROFILE_COCO_VM },
	{ NULL, 0 },
};

static const struct sc_field machine_fields[] = {
	{ F(struct scenario_machine, cpus, SC_INT), .def = "4", .min = 1,
	  .max = SCENARIO_MAX_CPUS, .doc = "CPUs (num_possible_cpus())" },
	{ F(struct scenario_machine, memory, SC_SIZE), .def = "16GiB",
	  .min = 1, .doc = "guest memory; sizes the pool when swiotlb.coco; a "
			   "device whose DMA mask reaches all of it and that "
			   "is not forced to bounce has no swiotlb segment "
			   "limit" },
	{ F(struct scenario_machine, page_size, SC_SIZE), .def = "4096",
	  .min = 4096, .max = 1ULL << 30, .flags = SC_POW2,
	  .expect = "a power of two from 4k to 1G", .doc = "page size" },
	{ F(struct scenario_machine, slot_lines, SC_ENUM), .def = "touched",
	  .names = slot_lines,
	  .doc = "slot-metadata lines a lock holder fetches from the CPU that "
		 "held the lock last: touched, every line it reads or writes "
		 "(an upper bound); dirty, only lines another CPU wrote and no "
		 "CPU has read since" },
	{ F(struct scenario_machine, profile, SC_ENUM), .names = profiles,
	  .flags = SC_COMPUTED,
	  .def_doc = "coco-vm when swiotlb.coco, else host",
	  .doc = "where the CPUs run: the defaults of machine.costs (host; vm "
		 "adds interrupt exits and a host wake-up of halted vCPUs; "
		 "coco-vm more of both, and page decryption)" },
	{ F(struct scenario_machine, cpu_slowdown, SC_REAL), .def = "1",
	  .fmin = 0.001, .fmax = 1e6,
	  .doc = "every CPU cost this many times longer: a slow or emulated "
		 "CPU (QEMU TCG ~50); devices keep their speed" },
	{ F(struct scenario_machine, host_cores, SC_INT), .def = "0",
	  .max = SCENARIO_MAX_CPUS, .def_doc = "0 (one per CPU)",
	  .doc = "host cores the CPUs run on; fewer: busy CPUs take turns, "
		 "a work item at a time (an overcommitted host; 1 for "
		 "single-threaded TCG)" },
	{ F(struct scenario_machine, hz, SC_INT), .def = "250", .min = 1,
	  .max = 100000,
	  .doc = "the kernel's CONFIG_HZ: timers fire on its ticks" },
	{ F(struct scenario_machine, costs, SC_MAP), .sub = &costs_table,
	  .doc = "cost model; every key optional, 0 = the profile's default "
		 "(machine/costs.h)" },
};

static const struct sc_table machine_table = {
	"machine", machine_fields, N_FIELDS(machine_fields),
	sizeof(struct scenario_machine), -1,
};

static const struct sc_field swiotlb_fields[] = {
	{ F(struct scenario_swiotlb, param, SC_STRING), .def = "",
	  .expect = "the kernel's swiotlb= syntax "
		    "NSLABS[,NAREAS][,force|noforce]",
	  .doc = "the kernel's swiotlb= parameter; when set, slabs, areas "
		 "and force must be absent" },
	{ F(struct scenario_swiotlb, slabs, SC_INT), .def = "0", .min = 128,
	  .max = SWIOTLB_MAX_NSLABS,
	  .flags = SC_ZERO_OK | SC_POOL | SC_NOT_WITH_PARAM,
	  .expect = "0 for the kernel's default, or 128..16777216 slabs",
	  .def_doc = "0 (kernel default: 32768, 64MiB)",
	  .doc = "pool size in 2KiB slabs" },
	{ F(struct scenario_swiotlb, areas, SC_INT), .def = "0", .max = 65536,
	  .flags = SC_NOT_WITH_PARAM, .def_doc = "0 (from machine.cpus)",
	  .doc = "areas (rounded up to a power of two)" },
	{ F(struct scenario_swiotlb, force, SC_BOOL), .def = "false",
	  .flags = SC_NOT_WITH_PARAM,
	  .doc = "swiotlb=force: every map of a device whose bounce is auto "
		 "bounces; false: only buffers beyond its DMA mask" },
	{ F(struct scenario_swiotlb, coco, SC_BOOL), .def = "false",
	  .doc = "confidential VM: every map of a device whose bounce is "
		 "auto bounces, and the pool is 6% of machine.memory, clamped "
		 "to [64MiB, 1GiB], unless slabs or param set it" },
	{ F(struct scenario_swiotlb, dynamic, SC_BOOL), .def = "false",
	  .doc = "CONFIG_SWIOTLB_DYNAMIC: grow pools, transient pools" },
	{ F(struct scenario_swiotlb, growth_failure_probability, SC_REAL),
	  .def = "0", .fmin = 0, .fmax = 1,
	  .doc = "chance that a growth allocation fails" },
	{ F(struct scenario_swiotlb, max_pool_size, SC_SIZE), .def = "4MiB",
	  .min = SEGMENT_BYTES, .flags = SC_POW2 | SC_POOL,
	  .expect = "a power of two >= 256KiB",
	  .doc = "largest contiguous allocation for a dynamic pool" },
	{ F(struct scenario_swiotlb, atomic_pool, SC_SIZE), .def = "0",
	  .def_doc = "0 (128KiB per GiB of memory, 128KiB to 4MiB)",
	  .doc = "atomic pool: the budget for transient pools" },
	{ F(struct scenario_swiotlb, start, SC_UINT), .def = "0x80000000",
	  .flags = SC_HEX, .doc = "physical address of the default pool "
				  "(a multiple of machine.page_size)" },
};

static const struct sc_table swiotlb_table = {
	"swiotlb", swiotlb_fields, N_FIELDS(swiotlb_fields),
	sizeof(struct scenario_swiotlb), -1,
};

static const struct sc_name device_kinds[] = {
	{ "generic", SCENARIO_DEVICE_GENERIC },
	{ "nvme", SCENARIO_DEVICE_NVME },
	{ "nic", SCENARIO_DEVICE_NIC },
	{ NULL, 0 },
};

static const struct sc_name bounces[] = {
	{ "auto", SCENARIO_BOUNCE_AUTO },
	{ "always", SCENARIO_BOUNCE_ALWAYS },
	{ "never", SCENARIO_BOUNCE_NEVER },
	{ NULL, 0 },
};

static const struct sc_name jitters[] = {
	{ "none", SCENARIO_JITTER_NONE },
	{ "exponential", SCENARIO_JITTER_EXPONENTIAL },
	{ "lognormal", SCENARIO_JITTER_LOGNORMAL },
	{ NULL, 0 },
};

#define DEV(m, ty) F(struct scenario_device, m, ty)
#define NVME SC_KIND(SCENARIO_DEVICE_NVME)
#define NIC SC_KIND(SCENARIO_DEVICE_NIC)
#define ALL_KINDS (~0u)

static const struct sc_field device_fields[] = {
	{ DEV(name, SC_STRING), .required = ALL_KINDS, .flags = SC_UNIQUE,
	  .expect = "a name no other device has",
	  .doc = "the device's name, which workloads use" },
	{ DEV(kind, SC_ENUM), .def = "generic", .names = device_kinds,
	  .doc = "sets defaults: nvme has min_align_mask and virt_boundary "
		 "0xfff" },
	{ DEV(queue_depth, SC_INT), .def = "1024", .min = 1,
	  .doc = "requests in flight at most" },
	{ DEV(latency, SC_TIME), .def = "10us",
	  .doc = "service time of a request besides its transfer" },
	{ DEV(bandwidth, SC_BANDWIDTH), .def = "3GB/s", .min = 1,
	  .doc = "the device's link speed, shared by the requests in service "
		 "(transfers one at a time, first come first served)" },
	{ DEV(jitter, SC_ENUM), .def = "none", .names = jitters,
	  .doc = "distribution of the service time around its mean" },
	{ DEV(jitter_cv, SC_REAL), .def = "0.1", .fmin = 0, .fmax = HUGE_VAL,
	  .doc = "coefficient of variation of the jitter" },
	{ DEV(min_align_mask, SC_MASK), .def = "0", .def_alt_kinds = NVME,
	  .def_alt = "0xfff", .def_doc = "0 (nvme: 0xfff)",
	  .doc = "dma_get_min_align_mask()" },
	{ DEV(seg_boundary, SC_MASK), .def = "0xffffffff", .min = 0x7ff,
	  .doc = "dma_get_seg_boundary()" },
	{ DEV(dma_bits, SC_INT), .def = "64", .min = 1, .max = 64,
	  .doc = "DMA mask width" },
	{ DEV(bounce, SC_ENUM), .def = "auto", .names = bounces,
	  .doc = "auto: bounce all maps under swiotlb.force or coco, else "
		 "only buffers beyond the DMA mask; always; never (an IOMMU "
		 "or a trusted device)" },
	{ DEV(max_segments, SC_INT), .def = "128", .min = 1,
	  .doc = "segments per request" },
	{ DEV(max_segment_size, SC_SIZE), .def = "0",
	  .def_doc = "0 (swiotlb_max_mapping_size())",
	  .doc = "largest segment" },
	{ DEV(virt_boundary, SC_MASK), .def = "0", .def_alt_kinds = NVME,
	  .def_alt = "0xfff", .def_doc = "0 (nvme: 0xfff)",
	  .doc = "segments may not cross this boundary inside a request" },
	{ DEV(iops_limit, SC_RATE), .def = "0", .def_doc = "0 (none)",
	  .doc = "throttle: requests per second at most" },
	{ DEV(bandwidth_limit, SC_BANDWIDTH), .def = "0",
	  .def_doc = "0 (none)", .doc = "throttle: throughput at most" },
	{ DEV(restricted_pool, SC_SIZE), .def = "0", .min = SEGMENT_BYTES,
	  .flags = SC_ZERO_OK | SC_POOL,
	  .expect = "0 for none, or a size >= 256KiB",
	  .def_doc = "0 (the default swiotlb)",
	  .doc = "the device's own restricted pool (a multiple of "
		 "machine.page_size); its maps always bounce into it" },
	{ DEV(completion_cpu, SC_INT), .def = "-1", .min = -1,
	  .max = SCENARIO_MAX_CPUS - 1,
	  .def_doc = "-1 (the submitting CPU)",
	  .doc = "CPU that handles completions" },
	{ DEV(submit_cost, SC_TIME), .def = "1200ns", .def_alt_kinds = NIC,
	  .def_alt = "1500ns", .def_doc = "`1200ns` (nic: `1500ns`)",
	  .doc = "CPU per storage request before its maps (application, "
		 "block layer, driver), or per packet sent before its map" },
	{ DEV(complete_cost, SC_TIME), .def = "800ns", .def_alt_kinds = NIC,
	  .def_alt = "2000ns", .def_doc = "`800ns` (nic: `2000ns`)",
	  .doc = "CPU per storage request after its unmaps (its end, the "
		 "application's reap), or per packet received after its "
		 "unmap (the stack, the reader)" },
};

static const struct sc_table device_table = {
	"a device", device_fields, N_FIELDS(device_fields),
	sizeof(struct scenario_device), 1,
};

static const struct sc_name workload_kinds[] = {
	{ "storage", SCENARIO_WORKLOAD_STORAGE },
	{ "network", SCENARIO_WORKLOAD_NETWORK },
	{ "mapbench", SCENARIO_WORKLOAD_MAPBENCH },
	{ "trace", SCENARIO_WORKLOAD_TRACE },
	{ NULL, 0 },
};

static const struct sc_name directions[] = {
	{ "bidirectional", SCENARIO_DIR_BIDIRECTIONAL },
	{ "to_device", SCENARIO_DIR_TO_DEVICE },
	{ "from_device", SCENARIO_DIR_FROM_DEVICE },
	{ NULL, 0 },
};

static const struct sc_name retries[] = {
	{ "blk-mq", SCENARIO_RETRY_BLK_MQ },
	{ "fixed", SCENARIO_RETRY_FIXED },
	{ NULL, 0 },
};

#define WL(m, ty) F(struct scenario_workload, m, ty)
#define STORAGE SC_KIND(SCENARIO_WORKLOAD_STORAGE)
#define NETWORK SC_KIND(SCENARIO_WORKLOAD_NETWORK)
#define MAPBENCH SC_KIND(SCENARIO_WORKLOAD_MAPBENCH)
#define TRACE SC_KIND(SCENARIO_WORKLOAD_TRACE)

static const struct sc_field workload_fields[] = {
	{ WL(name, SC_STRING), .required = ALL_KINDS, .flags = SC_UNIQUE,
	  .expect = "a name no other workload has",
	  .doc = "the workload's name" },
	{ WL(kind, SC_ENUM), .required = ALL_KINDS, .names = workload_kinds,
	  .doc = "which generator; decides the keys below" },
	{ WL(device, SC_STRING), .required = STORAGE | NETWORK | MAPBENCH,
	  .expect = "the name of a device",
	  .def_doc = "required (optional for trace)",
	  .doc = "the device it drives" },
	{ WL(cpus, SC_CPU_LIST), .flags = SC_COMPUTED,
	  .def_doc = "all CPUs", .doc = "CPUs that submit" },
	{ WL(queue_depth, SC_INT), .kinds = STORAGE, .def = "32", .min = 1,
	  .doc = "requests in flight per submitting CPU" },
	{ WL(size, SC_SIZE_DIST), .kinds = STORAGE, .def = "4k",
	  .doc = "request sizes" },
	{ WL(read_fraction, SC_REAL), .kinds = STORAGE, .def = "1",
	  .fmin = 0, .fmax = 1, .doc = "share of reads" },
	{ WL(rate, SC_RATE), .kinds = STORAGE, .def = "0",
	  .def_doc = "0 (closed loop)", .doc = "requests per second" },
	{ WL(huge_page_fraction, SC_REAL), .kinds = STORAGE, .def = "0",
	  .fmin = 0, .fmax = 1, .doc = "share of buffers in huge pages" },
	{ WL(adjacent_page_probability, SC_REAL), .kinds = STORAGE,
	  .def = "0", .fmin = 0, .fmax = 1,
	  .doc = "chance that a buffer's next page is adjacent in memory" },
	{ WL(retry, SC_ENUM), .kinds = STORAGE, .def = "blk-mq",
	  .names = retries,
	  .doc = "a request whose map failed: blk-mq, the kernel's dispatch "
		 "list and queue runs (a completion reruns the queue unless "
		 "the device is nvme); fixed, tried again after "
		 "requeue_delay" },
	{ WL(requeue_delay, SC_TIME), .kinds = STORAGE, .def = "20us",
	  .doc = "retry: fixed: wait before retrying a request whose map "
		 "failed" },
	{ WL(submit_cost, SC_TIME), .kinds = STORAGE | NETWORK,
	  .flags = SC_COMPUTED, .def_doc = "the device's",
	  .doc = "CPU per request (packet sent) before its maps" },
	{ WL(complete_cost, SC_TIME), .kinds = STORAGE | NETWORK,
	  .flags = SC_COMPUTED, .def_doc = "the device's",
	  .doc = "CPU per request (packet received) after its unmaps" },
	{ WL(rx_queues, SC_INT), .kinds = NETWORK, .def = "0", .max = 65536,
	  .def_doc = "0 (one per CPU)", .doc = "receive queues" },
	{ WL(ring_size, SC_INT), .kinds = NETWORK, .def = "1024", .min = 1,
	  .doc = "buffers per receive ring" },
	{ WL(rx_buffer, SC_SIZE), .kinds = NETWORK, .def = "1518", .min = 1,
	  .doc = "receive buffer size" },
	{ WL(rx_rate, SC_RATE), .kinds = NETWORK, .def = "0",
	  .doc = "packets received per second" },
	{ WL(tx_rate, SC_RATE), .kinds = NETWORK, .def = "0",
	  .doc = "packets sent per second" },
	{ WL(tx_size, SC_SIZE_DIST), .kinds = NETWORK, .def = "1500",
	  .doc = "sizes of sent packets" },
	{ WL(threads, SC_INT), .kinds = MAPBENCH, .def = "1", .min = 1,
	  .max = 65536, .doc = "threads looping map and unmap" },
	{ WL(granule, SC_INT), .kinds = MAPBENCH, .def = "1", .min = 1,
	  .max = 1024, .doc = "pages per map" },
	{ WL(delay, SC_TIME), .kinds = MAPBENCH, .def = "0",
	  .doc = "time a mapping is held" },
	{ WL(direction, SC_ENUM), .kinds = MAPBENCH, .def = "bidirectional",
	  .names = directions, .doc = "DMA direction" },
	{ WL(file, SC_STRING), .kinds = TRACE, .required = TRACE,
	  .expect = "the path of an op trace",
	  .doc = "op trace, relative to the scenario file's folder" },
	{ WL(retry_delay, SC_TIME), .kinds = TRACE, .def = "20us",
	  .doc = "wait before retrying an op whose map failed" },
};

static const struct sc_table workload_table = {
	"a workload", workload_fields, N_FIELDS(workload_fields),
	sizeof(struct scenario_workload), 1,
};

static const struct sc_field run_fields[] = {
	{ F(struct scenario_run, duration, SC_TIME), .def = "1s", .min = 1,
	  .doc = "simulated time" },
	{ F(struct scenario_run, warmup, SC_TIME), .def = "0",
	  .doc = "time before statistics start (less than duration)" },
	{ F(struct scenario_run, sample_interval, SC_TIME), .def = "10ms",
	  .min = 1, .doc = "time between timeseries rows" },
	{ F(struct scenario_run, seed, SC_UINT), .def = "1",
	  .doc = "random seed" },
	{ F(struct scenario_run, output, SC_STRING), .flags = SC_COMPUTED,
	  .def_doc = "`results/<name>`",
	  .doc = "results directory" },
};

static const struct sc_table run_table = {
	"run", run_fields, N_FIELDS(run_fields), sizeof(struct scenario_run),
	-1,
};

static const struct sc_field sweep_vary_fields[] = {
	{ F(struct scenario_sweep_vary, key, SC_STRING), .required = ALL_KINDS,
	  .expect = "a scenario key path such as swiotlb.slabs",
	  .doc = "the key to vary, as --set names it" },
	{ F(struct scenario_sweep_vary, values, SC_STRING),
	  .required = ALL_KINDS,
	  .expect = "a list 1,2,4 or a range a..b+step or a..b*factor",
	  .doc = "its values: a list `1,2,4` (`;` separated if values hold "
		 "commas), a linear range `a..b+step`, a geometric range "
		 "`a..b*factor`" },
};

static const struct sc_table sweep_vary_table = {
	"a varied key", sweep_vary_fields, N_FIELDS(sweep_vary_fields),
	sizeof(struct scenario_sweep_vary), -1,
};

static const struct sc_field sweep_fields[] = {
	{ F(struct scenario_sweep, replications, SC_INT), .def = "1",
	  .min = 1, .max = 100000,
	  .doc = "runs of each grid point, with seeds derived from run.seed" },
	{ F(struct scenario_sweep, vary, SC_LIST), .sub = &sweep_vary_table,
	  .count_offset = offsetof(struct scenario_sweep, nvary),
	  .def_doc = "none", .doc = "the grid: the product of these keys' "
				   "values" },
	{ F(struct scenario_sweep, output, SC_STRING), .def = "",
	  .def_doc = "`results/<name>-sweep`",
	  .doc = "the sweep's folder (sweep.csv, points/)" },
};

static const struct sc_table sweep_table = {
	"sweep", sweep_fields, N_FIELDS(sweep_fields),
	sizeof(struct scenario_sweep), -1,
};

static const struct sc_field scenario_fields[] = {
	{ F(struct scenario, name, SC_STRING), .flags = SC_COMPUTED,
	  .def_doc = "the file's name without .yaml",
	  .doc = "the run's name" },
	{ F(struct scenario, description, SC_STRING), .def = "",
	  .doc = "free text" },
	{ F(struct scenario, machine, SC_MAP), .sub = &machine_table,
	  .doc = "the simulated computer" },
	{ F(struct scenario, swiotlb, SC_MAP), .sub = &swiotlb_table,
	  .doc = "the bounce-buffer allocator" },
	{ F(struct scenario, devices, SC_LIST), .sub = &device_table,
	  .count_offset = offsetof(struct scenario, ndevices),
	  .def_doc = "none", .doc = "DMA devices" },
	{ F(struct scenario, workloads, SC_LIST), .sub = &workload_table,
	  .count_offset = offsetof(struct scenario, nworkloads),
	  .def_doc = "none", .doc = "what drives the devices" },
	{ F(struct scenario, run, SC_MAP), .sub = &run_table,
	  .doc = "length, sampling, seed, output" },
	{ F(struct scenario, sweep, SC_MAP), .sub = &sweep_table,
	  .doc = "the grid `swiotlb-sim sweep` runs; `run` ignores it" },
};

const struct sc_table sc_scenario_table = {
	"the scenario", scenario_fields, N_FIELDS(scenario_fields),
	sizeof(struct scenario), -1,
};

const struct sc_field *sc_find(const struct sc_table *t, const char *key)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].key, key))
			return &t->fields[i];
	return NULL;
}

bool sc_applies(const struct sc_field *f, int kind)
{
	return !f->kinds || kind < 0 || (f->kinds & SC_KIND(kind));
}

int sc_enum_value(const struct sc_name *names, const char *name)
{
	for (; names->name; names++)
		if (!strcmp(names->name, name))
			return names->value;
	return -1;
}

const char *sc_enum_name(const struct sc_name *names, int value)
{
	for (; names->name; names++)
		if (names->value == value)
			return names->name;
	return "?";
}

int sc_kind_of(const struct sc_table *t, const void *obj)
{
	int kind;

	if (t->kind_field < 0)
		return -1;
	memcpy(&kind, (const char *)obj + t->fields[t->kind_field].offset,
	       sizeof(kind));
	return kind;
}

void sc_kind_noun(const struct sc_table *t, int kind, char *buf, size_t len)
{
	const char *noun = t->what;

	if (!strncmp(noun, "a ", 2))
		noun += 2;
	if (t->kind_field >= 0 && kind >= 0)
		snprintf(buf, len, "a %s %s",
			 sc_enum_name(t->fields[t->kind_field].names, kind),
			 noun);
	else
		snprintf(buf, len, "%s", t->what);
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void sc_key_list(const struct sc_table *t, int kind, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < t->nfields; i++)
		if (sc_applies(&t->fields[i], kind))
			append(buf, len, "%s%s", buf[0] ? ", " : "",
			       t->fields[i].key);
}

void sc_expect(const struct sc_field *f, char *buf, size_t len)
{
	char lo[UNITS_BUF];

	buf[0] = '\0';
	if (f->expect) {
		snprintf(buf, len, "%s", f->expect);
		return;
	}
	switch (f->type) {
	case SC_STRING:
		snprintf(buf, len, "a string");
		break;
	case SC_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case SC_INT:
		if (f->max)
			snprintf(buf, len, "an integer in %" PRId64 "..%"
				 PRIu64, f->min, f->max);
		else
			snprintf(buf, len, "an integer >= %" PRId64, f->min);
		break;
	case SC_UINT:
		snprintf(buf, len, "an integer, decimal or 0x hex");
		break;
	case SC_REAL:
		if (f->fmax == HUGE_VAL)
			snprintf(buf, len, "a number >= %g", f->fmin);
		else
			snprintf(buf, len, "a number in %g..%g", f->fmin,
				 f->fmax);
		break;
	case SC_SIZE:
		snprintf(buf, len, "a size such as 4096, 4k, 64MiB or 1G");
		if (f->min > 1) {
			units_format_size((uint64_t)f->min, lo);
			append(buf, len, ", at least %s", lo);
		} else if (f->min == 1) {
			append(buf, len, ", above 0");
		}
		break;
	case SC_TIME:
		snprintf(buf, len, "a time such as 100ns, 20us, 1.5ms or 2s");
		if (f->min)
			append(buf, len, ", above 0");
		break;
	case SC_BANDWIDTH:
		snprintf(buf, len,
			 "a bandwidth such as 3GB/s, 100MiB/s or 25Gbit/s");
		if (f->min)
			append(buf, len, ", above 0");
		break;
	case SC_RATE:
		snprintf(buf, len, "a rate such as 2000/s or 1M/s");
		break;
	case SC_MASK:
		snprintf(buf, len, "a mask of the form 2^n-1 such as 0xfff");
		if (f->min)
			append(buf, len, ", at least 0x%" PRIx64,
			       (uint64_t)f->min);
		break;
	case SC_ENUM:
		snprintf(buf, len, "one of ");
		for (const struct sc_name *n = f->names; n->name; n++)
			append(buf, len, "%s%s", n == f->names ? "" : ", ",
			       n->name);
		break;
	case SC_SIZE_DIST:
		snprintf(buf, len, "a size distribution: 128k, 4k-256k, "
			 "4k:70,64k:20 or lognormal:64k,2.0");
		break;
	case SC_CPU_LIST:
		snprintf(buf, len, "a CPU list such as 0-3,8");
		break;
	case SC_MAP:
		snprintf(buf, len, "a mapping with the keys ");
		sc_key_list(f->sub, -1, buf + strlen(buf),
			    len - strlen(buf));
		break;
	case SC_LIST:
		snprintf(buf, len, "a list of %ss", f->sub->what + 2);
		break;
	}
}

const char *sc_default(const struct sc_field *f, int kind)
{
	if (kind >= 0 && (f->def_alt_kinds & SC_KIND(kind)))
		return f->def_alt;
	return f->def;
}
