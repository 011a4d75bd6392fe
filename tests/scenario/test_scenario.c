/* tests/scenario/test_scenario.c - the scenario loader: defaults, every key, the
 * units grammar, one test per class of bad input (file, line, column and
 * key in the message), --set overrides, dump -> load round trips, and the
 * key reference that docs/scenario-keys.md carries. Scenario files live in
 * tests/data/scenarios/. */
#include "scenario/scenario.h"
#include "scenario/scenario_units.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define US 1000ULL
#define MS 1000000ULL
#define SEC 1000000000ULL

/* The path of a file in tests/data/scenarios/. */
static const char *data(const char *name)
{
	static char path[1024];
	const char *src = getenv("SWSIM_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/tests/data/scenarios/%s",
		 src ? src : ".", name);
	return path;
}

static bool load(const char *name, const char *const *ov, size_t nov,
		 struct scenario *s)
{
	char err[SCENARIO_ERR_MAX];

	if (scenario_load(data(name), ov, nov, s, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "load %s: %s", name, err);
		return false;
	}
	return true;
}

/* Checks that err's first line starts with `prefix` and says `reason`. */
static void check_message(const char *err, const char *prefix,
			  const char *reason, int line)
{
	size_t first = strcspn(err, "\n");
	const char *at = strstr(err, reason);

	if (strncmp(err, prefix, strlen(prefix)))
		tu_fail(__FILE__, line, "message \"%s\" does not start with "
			"\"%s\"", err, prefix);
	if (!at || (size_t)(at - err) >= first)
		tu_fail(__FILE__, line, "message \"%s\" does not say \"%s\" "
			"on its first line", err, reason);
}

/* Loading data file `name` fails with "PATH:" + where_key + ...reason. */
static void file_error(const char *name, const char *const *ov, size_t nov,
		       const char *where_key, const char *reason, int line)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX], prefix[1200];

	tu_checks++;
	if (!scenario_load(data(name), ov, nov, &s, err, sizeof(err))) {
		tu_fail(__FILE__, line, "%s loaded", name);
		scenario_free(&s);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s:%s", data(name), where_key);
	check_message(err, prefix, reason, line);
}

/* Loading `text` (named t.yaml) with overrides fails with `prefix`. */
static void text_error(const char *text, const char *const *ov, size_t nov,
		       const char *prefix, const char *reason, int line)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX];

	tu_checks++;
	if (!scenario_load_string(text, strlen(text), "t.yaml", ov, nov, &s,
				  err, sizeof(err))) {
		tu_fail(__FILE__, line, "loaded:\n%s", text);
		scenario_free(&s);
		return;
	}
	check_message(err, prefix, reason, line);
}

#define FILE_ERROR(name, where_key, reason) \
	file_error(name, NULL, 0, where_key, reason, __LINE__)
#define TEXT_ERROR(text, prefix, reason) \
	text_error(text, NULL, 0, prefix, reason, __LINE__)
#define SET_ERROR(text, ov, prefix, reason) \
	text_error(text, ov, sizeof(ov) / sizeof(ov[0]), prefix, reason, \
		   __LINE__)

static void test_minimal_defaults(void)
{
	struct scenario s;
	const struct scenario_device *d;
	const struct scenario_workload *w;
	const struct scenario_costs zero = { 0 };

	if (!load("minimal.yaml", NULL, 0, &s))
		return;
	CHECK(!strcmp(s.name, "minimal"));
	CHECK(!strcmp(s.description, ""));
	CHECK(strstr(s.dir, "tests/data/scenarios") != NULL);
	CHECK_EQ(s.machine.cpus, 4);
	CHECK_EQ(s.machine.memory, 16 * GiB);
	CHECK_EQ(s.machine.page_size, 4096);
	CHECK(!memcmp(&s.machine.costs, &zero, sizeof(zero)));
	CHECK(!strcmp(s.swiotlb.param, ""));
	CHECK_EQ(s.swiotlb.slabs, 0);
	CHECK_EQ(s.swiotlb.areas, 0);
	CHECK(!s.swiotlb.force && !s.swiotlb.coco && !s.swiotlb.dynamic);
	CHECK(s.swiotlb.growth_failure_probability == 0);
	CHECK_EQ(s.swiotlb.max_pool_size, 4 * MiB);
	CHECK_EQ(s.swiotlb.atomic_pool, 0);   /* from machine.memory at run time */
	CHECK_EQ(s.swiotlb.start, 0x80000000ULL);

	CHECK_EQ(s.ndevices, 1);
	d = &s.devices[0];
	CHECK(!strcmp(d->name, "nvme0"));
	CHECK_EQ(d->kind, SCENARIO_DEVICE_NVME);
	CHECK_EQ(d->queue_depth, 1024);
	CHECK_EQ(d->latency, 10 * US);
	CHECK(d->bandwidth == 3.0);                /* 3 GB/s in bytes/ns */
	CHECK_EQ(d->jitter, SCENARIO_JITTER_NONE);
	CHECK(d->jitter_cv == 0.1);
	CHECK_EQ(d->min_align_mask, 0xfff);        /* nvme's default */
	CHECK_EQ(d->seg_boundary, 0xffffffffULL);
	CHECK_EQ(d->dma_bits, 64);
	CHECK_EQ(d->bounce, SCENARIO_BOUNCE_AUTO);
	CHECK_EQ(d->max_segments, 128);
	CHECK_EQ(d->max_segment_size, 0);
	CHECK_EQ(d->virt_boundary, 0xfff);         /* nvme's default */
	CHECK(d->iops_limit == 0 && d->bandwidth_limit == 0);
	CHECK_EQ(d->restricted_pool, 0);
	CHECK_EQ(d->completion_cpu, -1);

	CHECK_EQ(s.nworkloads, 1);
	w = &s.workloads[0];
	CHECK(!strcmp(w->name, "fio"));
	CHECK_EQ(w->kind, SCENARIO_WORKLOAD_STORAGE);
	CHECK(!strcmp(w->device, "nvme0"));
	CHECK_EQ(w->device_index, 0);
	CHECK(!strcmp(w->cpus.text, "0-3"));
	CHECK_EQ(w->cpus.n, 4);
	CHECK_EQ(w->cpus.cpu[3], 3);
	CHECK_EQ(w->queue_depth, 32);
	CHECK(!strcmp(w->size.text, "4k"));
	CHECK_EQ(w->size.dist.kind, SIZEDIST_FIXED);
	CHECK_EQ(w->size.dist.lo, 4096);
	CHECK_EQ(w->size.dist.hi, 4096);
	CHECK(w->read_fraction == 1.0 && w->rate == 0);
	CHECK(w->huge_page_fraction == 0 && w->adjacent_page_probability == 0);
	CHECK_EQ(w->requeue_delay, 20 * US);
	/* Keys of other kinds hold their defaults too. */
	CHECK_EQ(w->ring_size, 1024);
	CHECK_EQ(w->rx_buffer, 1518);
	CHECK(!strcmp(w->tx_size.text, "1500"));
	CHECK_EQ(w->threads, 1);
	CHECK_EQ(w->granule, 1);
	CHECK_EQ(w->direction, SCENARIO_DIR_BIDIRECTIONAL);
	CHECK_EQ(w->retry_delay, 20 * US);
	CHECK(w->file == NULL && w->file_path == NULL);

	CHECK_EQ(s.run.duration, SEC);
	CHECK_EQ(s.run.warmup, 0);
	CHECK_EQ(s.run.sample_interval, 10 * MS);
	CHECK_EQ(s.run.seed, 1);
	CHECK(!strcmp(s.run.output, "results/minimal"));
	scenario_free(&s);
}

static void test_empty_document(void)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX];

	CHECK(!scenario_load_string("", 0, "dir/empty.yml", NULL, 0, &s, err,
				    sizeof(err)));
	CHECK(!strcmp(s.name, "empty"));
	CHECK(!strcmp(s.dir, "dir"));
	CHECK_EQ(s.ndevices, 0);
	CHECK_EQ(s.nworkloads, 0);
	CHECK_EQ(s.machine.cpus, 4);
	scenario_free(&s);
	/* Sections written with nothing in them are empty, not errors. */
	CHECK(!scenario_load_string("machine:\ndevices: ~\n", 19, "e.yaml",
				    NULL, 0, &s, err, sizeof(err)));
	CHECK_EQ(s.machine.cpus, 4);
	scenario_free(&s);
}

static void test_full(void)
{
	struct scenario s;
	const struct scenario_device *d, *nic;
	const struct scenario_workload *w;

	if (!load("full.yaml", NULL, 0, &s))
		return;
	CHECK(!strcmp(s.name, "full-example"));
	CHECK_EQ(s.machine.cpus, 16);
	CHECK_EQ(s.machine.page_size, 16 * KiB);
	CHECK(s.machine.costs.copy_bandwidth == 6.5);
	CHECK_EQ(s.machine.costs.page_decrypt, 5 * US);
	CHECK_EQ(s.machine.costs.irq, 2 * US);
	CHECK_EQ(s.swiotlb.slabs, 65536);
	CHECK_EQ(s.swiotlb.areas, 8);
	CHECK(s.swiotlb.force && s.swiotlb.coco && s.swiotlb.dynamic);
	CHECK(s.swiotlb.growth_failure_probability == 0.25);
	CHECK_EQ(s.swiotlb.start, 0x100000000ULL);
	d = &s.devices[0];
	nic = &s.devices[1];
	CHECK_EQ(d->jitter, SCENARIO_JITTER_LOGNORMAL);
	CHECK_EQ(d->min_align_mask, 0x7ff);
	CHECK_EQ(d->seg_boundary, 0xfffff);
	CHECK_EQ(d->max_segment_size, 128 * KiB);
	CHECK(d->iops_limit == 1e6);
	CHECK(d->bandwidth_limit == 3.125);         /* 25 Gbit/s */
	CHECK_EQ(d->restricted_pool, 4 * MiB);
	CHECK_EQ(d->bounce, SCENARIO_BOUNCE_ALWAYS);
	CHECK_EQ(nic->bounce, SCENARIO_BOUNCE_NEVER);
	CHECK_EQ(d->completion_cpu, 3);
	CHECK_EQ(nic->kind, SCENARIO_DEVICE_NIC);
	CHECK_EQ(nic->min_align_mask, 0);           /* only nvme has 0xfff */
	CHECK(nic->bandwidth == 100 * 1048576e-9);  /* 100 MiB/s */

	w = &s.workloads[0];
	CHECK_EQ(w->cpus.n, 5);
	CHECK_EQ(w->cpus.cpu[4], 8);
	CHECK_EQ(w->size.dist.kind, SIZEDIST_MIX);
	CHECK_EQ(w->size.dist.n, 3);
	CHECK_EQ(w->size.dist.entry[1].size, 64 * KiB);
	CHECK(w->size.dist.entry[2].weight == 10);
	CHECK(w->rate == 2000);
	CHECK_EQ(w->requeue_delay, 1500 * US);
	w = &s.workloads[1];
	CHECK_EQ(w->kind, SCENARIO_WORKLOAD_NETWORK);
	CHECK_EQ(w->device_index, 1);
	CHECK_EQ(w->rx_buffer, 9018);
	CHECK(w->rx_rate == 1e5);
	CHECK_EQ(w->tx_size.dist.kind, SIZEDIST_LOGNORMAL);
	CHECK(w->tx_size.dist.median == 1024);
	CHECK(w->tx_size.dist.sigma == 0.5);
	w = &s.workloads[2];
	CHECK_EQ(w->threads, 8);
	CHECK_EQ(w->direction, SCENARIO_DIR_TO_DEVICE);
	w = &s.workloads[3];
	CHECK_EQ(w->kind, SCENARIO_WORKLOAD_TRACE);
	CHECK(w->device == NULL);
	CHECK_EQ(w->device_index, -1);
	CHECK(!strcmp(w->cpus.text, "0-15"));
	CHECK(strstr(w->file_path, "tests/data/scenarios/traces/real.trace"));
	CHECK_EQ(s.run.seed, UINT64_MAX);
	CHECK(!strcmp(s.run.output, "out/full"));
	scenario_free(&s);
}

static void test_param(void)
{
	struct scenario s;

	if (!load("param.yaml", NULL, 0, &s))
		return;
	CHECK(!strcmp(s.swiotlb.param, "4096,2,force"));
	CHECK_EQ(s.swiotlb.slabs, 0);
	scenario_free(&s);
	TEXT_ERROR("swiotlb:\n  param: 4096,2,sometimes\n",
		   "t.yaml:2:10: swiotlb.param: ", "expected the kernel's");
}

struct size_case {
	const char *text;
	uint64_t want;        /* UINT64_MAX: an error */
};

static void test_units(void)
{
	static const struct size_case sizes[] = {
		{ "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 },
		{ "4Ki", 4096 }, { "4KiB", 4096 }, { "4kB", 4000 },
		{ "4KB", 4000 }, { "64MiB", 64 * MiB }, { "64M", 64 * MiB },
		{ "64MB", 64000000 }, { "1G", GiB }, { "1GiB", GiB },
		{ "1GB", 1000000000 }, { "2T", 2ULL << 40 }, { "1.5k", 1536 },
		{ "0.5MiB", 512 * KiB }, { "64 MiB", 64 * MiB },
		{ "0x1000", 4096 }, { "7B", 7 }, { "0", 0 },
		{ "-4k", UINT64_MAX }, { "1.3k", UINT64_MAX },
		{ "4q", UINT64_MAX }, { "k", UINT64_MAX }, { "", UINT64_MAX },
		{ "99999999T", UINT64_MAX }, { "4 k B", UINT64_MAX },
	};
	static const struct size_case times[] = {
		{ "100", UINT64_MAX }, { "0", 0 }, { "0.0", 0 },
		{ "100ns", 100 }, { "500us", 500 * US },
		{ "500\xc2\xb5s", 500 * US }, { "10ms", 10 * MS },
		{ "1.5ms", 1500 * US }, { "2s", 2 * SEC },
		{ "0.25s", 250 * MS },
		{ "1.5ns", UINT64_MAX }, { "-1ms", UINT64_MAX },
		{ "10m", UINT64_MAX }, { "fast", UINT64_MAX },
	};
	static const struct { const char *text; double want; } bws[] = {
		{ "3GB/s", 3.0 }, { "6.5GB/s", 6.5 }, { "1000MB/s", 1.0 },
		{ "25Gbit/s", 3.125 }, { "100MiB/s", 100 * 1048576e-9 },
		{ "1GiB/s", 1073741824e-9 }, { "2e9B/s", 2.0 },
		{ "8bit/s", 1e-9 }, { "0", 0 }, { "-1GB/s", -1 },
		{ "3G", -1 }, { "inf", -1 },
	};
	static const struct { const char *text; double want; } rates[] = {
		{ "2000/s", 2000 }, { "2000", 2000 }, { "1M/s", 1e6 },
		{ "100k/s", 1e5 }, { "2.5k", 2500 }, { "1G/s", 1e9 },
		{ "5/ms", -1 }, { "-3/s", -1 },
	};
	char why[256], buf[UNITS_BUF];
	uint64_t v;
	double d;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int r = units_parse_size(sizes[i].text, &v, why, sizeof(why));

		if (sizes[i].want == UINT64_MAX ? !r : r || v != sizes[i].want)
			tu_fail(__FILE__, __LINE__, "size \"%s\"",
				sizes[i].text);
	}
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int r = units_parse_time(times[i].text, &v, why, sizeof(why));

		if (times[i].want == UINT64_MAX ? !r : r || v != times[i].want)
			tu_fail(__FILE__, __LINE__, "time \"%s\"",
				times[i].text);
	}
	for (size_t i = 0; i < sizeof(bws) / sizeof(bws[0]); i++) {
		int r = units_parse_bandwidth(bws[i].text, &d, why,
					      sizeof(why));

		if (bws[i].want < 0 ? !r : r || d != bws[i].want)
			tu_fail(__FILE__, __LINE__, "bandwidth \"%s\"",
				bws[i].text);
	}
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		int r = units_parse_rate(rates[i].text, &d, why, sizeof(why));

		if (rates[i].want < 0 ? !r : r || d != rates[i].want)
			tu_fail(__FILE__, __LINE__, "rate \"%s\"",
				rates[i].text);
	}
	/* Messages quote the text and say what is wrong with it. */
	units_parse_size("1.3k", &v, why, sizeof(why));
	CHECK(!strcmp(why, "\"1.3k\" is not a whole number of bytes"));
	units_parse_size("4q", &v, why, sizeof(why));
	CHECK(!strcmp(why, "\"4q\" has an unknown unit \"q\""));
	/* Formatters pick the largest exact unit. */
	units_format_size(64 * MiB, buf);
	CHECK(!strcmp(buf, "64MiB"));
	units_format_size(1518, buf);
	CHECK(!strcmp(buf, "1518"));
	units_format_time(1500 * US, buf);
	CHECK(!strcmp(buf, "1500us"));
	units_format_bandwidth(100 * 1048576e-9, buf);
	CHECK(!strcmp(buf, "100MiB/s"));
	units_format_rate(2000, buf);
	CHECK(!strcmp(buf, "2k/s"));
}

static void test_value_grammars(void)
{
	uint32_t *cpu, n;
	char why[256];
	uint64_t m;

	/* Size distributions are the workloads' grammar (tests/test_sizedist.c);
	 * the scenario only has to refuse what the workloads would. */
	CHECK(!units_parse_cpu_list("8,0-3,2", &cpu, &n, why, sizeof(why)));
	CHECK_EQ(n, 5);
	CHECK(cpu[0] == 0 && cpu[3] == 3 && cpu[4] == 8);
	free(cpu);
	CHECK(units_parse_cpu_list("3-1", &cpu, &n, why, sizeof(why)));
	CHECK(units_parse_cpu_list("a", &cpu, &n, why, sizeof(why)));
	CHECK(units_parse_cpu_list("0-99999", &cpu, &n, why, sizeof(why)));
	CHECK(!units_parse_uint("0xfff", &m, why, sizeof(why)) && m == 0xfff);
	CHECK(units_parse_uint("010x", &m, why, sizeof(why)));
}

/* One test per class of bad input, each from its own file. */

static void test_error_unknown_key(void)
{
	FILE_ERROR("bad-unknown-key.yaml", "4:3: machine.cpu_count: ",
		   "unknown key (expected one of: cpus, memory, page_size, "
		   "slot_lines, profile, cpu_slowdown, host_cores, hz, "
		   "costs)");
	TEXT_ERROR("runn:\n  duration: 1s\n", "t.yaml:1:1: runn: ",
		   "unknown key");
}

static void test_error_wrong_type(void)
{
	FILE_ERROR("bad-wrong-type.yaml", "3:9: machine.cpus: ",
		   "\"many\" is not an integer (expected an integer in "
		   "1..8192)");
	TEXT_ERROR("devices: nvme0\n", "t.yaml:1:10: devices: ",
		   "found a single value (expected a list of devices)");
	TEXT_ERROR("machine:\n  cpus: [1, 2]\n", "t.yaml:2:9: machine.cpus: ",
		   "found a list");
	TEXT_ERROR("swiotlb:\n  dynamic: maybe\n",
		   "t.yaml:2:12: swiotlb.dynamic: ", "\"maybe\" is not a "
		   "boolean (expected true or false)");
	TEXT_ERROR("devices:\n  - name: d\n    kind: ssd\n",
		   "t.yaml:3:11: devices[0].kind: ", "(expected one of "
		   "generic, nvme, nic)");
}

static void test_error_zero_cpus(void)
{
	FILE_ERROR("bad-zero-cpus.yaml", "3:9: machine.cpus: ",
		   "\"0\" is out of range (expected an integer in 1..8192)");
}

static void test_error_negative_size(void)
{
	FILE_ERROR("bad-negative-size.yaml", "3:11: machine.memory: ",
		   "\"-16GiB\" is negative (expected a size");
}

static void test_error_bad_mask(void)
{
	FILE_ERROR("bad-mask.yaml", "5:21: devices[0].min_align_mask: ",
		   "\"0xffe\" is not of the form 2^n-1");
	TEXT_ERROR("devices:\n  - name: d\n    seg_boundary: 0x3ff\n",
		   "t.yaml:3:19: devices[0].seg_boundary: ",
		   "\"0x3ff\" is below 0x7ff");
}

static void test_error_unknown_device(void)
{
	FILE_ERROR("bad-unknown-device.yaml", "8:13: workloads[0].device: ",
		   "no device named \"nvme1\" (expected one of: nvme0)");
	TEXT_ERROR("workloads:\n  - name: w\n    kind: mapbench\n",
		   "t.yaml:2:5: workloads[0].device: ", "missing");
}

static void test_error_small_pool(void)
{
	FILE_ERROR("bad-small-pool.yaml", "3:10: swiotlb.slabs: ",
		   "\"64\" is smaller than one segment");
	TEXT_ERROR("devices:\n  - name: d\n    restricted_pool: 128KiB\n",
		   "t.yaml:3:22: devices[0].restricted_pool: ",
		   "smaller than one segment");
	TEXT_ERROR("swiotlb:\n  max_pool_size: 64k\n",
		   "t.yaml:2:18: swiotlb.max_pool_size: ",
		   "smaller than one segment");
}

static void test_error_syntax(void)
{
	FILE_ERROR("bad-syntax.yaml", "9:4: workloads[0].cpus: ",
		   "YAML syntax error: did not find expected ',' or ']' "
		   "(while parsing a flow sequence started at line 8, "
		   "column 11)");
	TEXT_ERROR("a: 1\n---\nb: 2\n", "t.yaml:2:1: (document): ",
		   "a second YAML document");
}

static void test_error_duplicate_device(void)
{
	FILE_ERROR("bad-duplicate-device.yaml", "5:11: devices[1].name: ",
		   "\"nvme0\" is also the name of devices[0]");
	TEXT_ERROR("machine:\n  cpus: 2\n  cpus: 3\n",
		   "t.yaml:3:3: machine.cpus: ",
		   "duplicate key, also at line 2, column 3");
}

static void test_error_param_with_slabs(void)
{
	FILE_ERROR("bad-param-with-slabs.yaml", "4:3: swiotlb.slabs: ",
		   "cannot be set together with swiotlb.param");
}

static void test_error_kind_key(void)
{
	FILE_ERROR("bad-kind-key.yaml", "8:5: workloads[0].ring_size: ",
		   "not a key of a storage workload (expected one of: name, "
		   "kind, device, cpus, queue_depth, size");
}

static void test_error_cross_checks(void)
{
	TEXT_ERROR("run:\n  duration: 1s\n  warmup: 2s\n",
		   "t.yaml:3:11: run.warmup: ", "is not shorter than "
		   "run.duration");
	TEXT_ERROR("devices:\n  - name: d\n    completion_cpu: 4\n",
		   "t.yaml:3:21: devices[0].completion_cpu: ",
		   "CPU 4 does not exist");
	TEXT_ERROR("devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
		   "    kind: storage\n    device: d\n    cpus: 2-5\n",
		   "t.yaml:7:11: workloads[0].cpus: ", "CPU 5 does not exist");
	TEXT_ERROR("machine:\n  page_size: 5000\n",
		   "t.yaml:2:14: machine.page_size: ", "not a power of two");
	TEXT_ERROR("swiotlb:\n  start: 0x80000800\n",
		   "t.yaml:2:10: swiotlb.start: ", "not a multiple of the "
		   "page size");
	TEXT_ERROR("workloads:\n  - {name: a, kind: trace}\n",
		   "t.yaml:2:5: workloads[0].file: ", "missing");
	TEXT_ERROR("workloads:\n  - {name: a, kind: trace, file: x}\n"
		   "  - {name: a, kind: trace, file: y}\n",
		   "t.yaml:3:12: workloads[1].name: ", "also the name of "
		   "workloads[0]");
	TEXT_ERROR("devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
		   "    kind: storage\n    device: d\n    size: 4k:70,x:30\n",
		   "t.yaml:7:11: workloads[0].size: ",
		   "size distribution \"4k:70,x:30\": \"x\" is not a size");
	/* What the storage workload cannot take is refused at load time. */
	TEXT_ERROR("devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
		   "    kind: storage\n    device: d\n    size: 1.5k\n",
		   "t.yaml:7:11: workloads[0].size: ", "\"1.5k\" is not a size");
	TEXT_ERROR("devices:\n  - name: d\n    restricted_pool: 1MiB\n"
		   "    bounce: never\n",
		   "t.yaml:4:13: devices[0].bounce: ", "restricted pool");
	TEXT_ERROR("devices:\n  - {name: d, bounce: sometimes}\n",
		   "t.yaml:2:23: devices[0].bounce: ", "expected one of auto, "
		   "always, never");
}

/* Every error of a file at once, in file order, one line each, each
 * FILE:LINE:COLUMN: KEY: message; a bad value does not hide the checks
 * after it. */
static void test_all_errors_at_once(void)
{
	static const char *const want[] = {
		"4:3: machine.memry: unknown key; did you mean `memory`?",
		"8:14: devices[0].latency: \"fast\" is not a number",
		"9:5: devices[0].iodepth: unknown key; did you mean "
		"`queue_depth`? (fio's iodepth)",
		"13:13: workloads[0].device: no device named \"nvme1\"",
		"14:5: workloads[0].bs: unknown key; did you mean `size`?",
		"15:5: workloads[0].numjobs: unknown key; did you mean "
		"`cpus`? (fio's numjobs: one CPU per job",
		"16:11: workloads[0].cpus: \"0-7\": CPU 7 does not exist",
		"19:11: run.warmup: 20ms is not shorter than run.duration",
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	struct scenario s;
	char err[SCENARIO_ERRS_LEN], prefix[1200];
	const char *line = err;

	if (!scenario_load(data("bad-many.yaml"), NULL, 0, &s, err,
			   sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "bad-many.yaml loaded");
		scenario_free(&s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%s:%s",
			 data("bad-many.yaml"), want[i]);
		CHECK(line && !strncmp(line, prefix, strlen(prefix)));
		line = strchr(line ? line : "", '\n');
		line = line ? line + 1 : NULL;
	}
	CHECK(!line);                    /* nothing else */
}

/* At most SCENARIO_ERRORS_MAX errors, then a line saying more follow; a
 * buffer too short for all keeps whole lines. */
static void test_error_limit(void)
{
	char text[4096] = "machine:\n", err[SCENARIO_ERRS_LEN];
	char small[300];
	struct scenario s;
	size_t lines = 0;

	for (int i = 0; i < SCENARIO_ERRORS_MAX + 5; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "  k%02d: 1\n", i);
	CHECK(scenario_load_string(text, strlen(text), "t.yaml", NULL, 0,
				   &s, err, sizeof(err)));
	for (const char *p = err; p; p = strchr(p + 1, '\n'))
		lines++;
	CHECK_EQ(lines, SCENARIO_ERRORS_MAX + 1);
	CHECK(strstr(err, "t.yaml:21:3: machine.k19: unknown key") != NULL);
	CHECK(strstr(err, "k20") == NULL);
	CHECK(strstr(err, "t.yaml: more errors follow; the first 20 are "
		      "above") != NULL);
	CHECK(scenario_load_string(text, strlen(text), "t.yaml", NULL, 0,
				   &s, small, sizeof(small)));
	CHECK(!strncmp(small, "t.yaml:2:3: machine.k00: unknown key", 36));
	CHECK(small[strlen(small) - 1] == ')');   /* a whole line */
}

/* "did you mean": a slip of one or two letters, another case or a dash,
 * and fio's names; nothing for a word that is not close. */
static void test_did_you_mean(void)
{
	const char *wl = "devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
			 "    kind: storage\n    device: d\n";
	static const char *const typo[] = { "workloads.0.queu_depth=8" };
	static const char *const dash[] = { "workloads.0.Queue-Depth=8" };
	static const char *const fio_bs[] = { "workloads.0.blocksize=4k" };
	static const char *const runtime[] = { "workloads.0.runtime=10s" };
	static const char *const far[] = { "workloads.0.zzzz=1" };

	SET_ERROR(wl, typo, "--set workloads.0.queu_depth=8: "
		  "workloads[0].queu_depth: ", "did you mean `queue_depth`?");
	SET_ERROR(wl, dash, "--set workloads.0.Queue-Depth=8: ",
		  "did you mean `queue_depth`?");
	SET_ERROR(wl, fio_bs, "--set workloads.0.blocksize=4k: ",
		  "did you mean `size`? (fio's blocksize)");
	SET_ERROR(wl, runtime, "--set workloads.0.runtime=10s: ",
		  "did you mean `run.duration`?");
	SET_ERROR(wl, far, "--set workloads.0.zzzz=1: workloads[0].zzzz: ",
		  "unknown key (expected one of:");
	TEXT_ERROR("devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
		   "    kind: storag\n    device: d\n",
		   "t.yaml:5:11: workloads[0].kind: ", "\"storag\" is not a "
		   "choice; did you mean `storage`?");
}

/* An error that an override causes names the override, even when the
 * rule it breaks involves a key of the file. */
static void test_override_blamed(void)
{
	static const char *const short_run[] = { "run.duration=50ms" };
	static const char *const few_cpus[] = { "machine.cpus=2" };
	static const char *const bare_time[] = { "run.duration=100" };
	const char *text = "machine:\n  cpus: 8\ndevices:\n  - name: d\n"
			   "    completion_cpu: 5\nrun:\n  warmup: 100ms\n";

	SET_ERROR(text, short_run, "--set run.duration=50ms: run.warmup: ",
		  "100ms is not shorter than run.duration, 50ms");
	/* A time without a unit is refused, by the override's name: 100
	 * would be 100 ns, and the warm-up would take the blame. */
	SET_ERROR(text, bare_time, "--set run.duration=100: run.duration: ",
		  "\"100\" has no unit; only 0 may be written without one");
	SET_ERROR(text, few_cpus, "--set machine.cpus=2: "
		  "devices[0].completion_cpu: ", "CPU 5 does not exist");
}

/* A directory given as the scenario says so. */
static void test_directory(void)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX], dir[1024];

	snprintf(dir, sizeof(dir), "%s", data(""));
	CHECK(scenario_load(dir, NULL, 0, &s, err, sizeof(err)));
	CHECK(strstr(err, "cannot read: is a directory") != NULL);
}

static void test_override_scalar_nested_list(void)
{
	static const char *const ov[] = {
		"machine.cpus=8",                       /* scalar */
		"machine.costs.map_call=1.5us",     /* nested, new map */
		"workloads[0].queue_depth=64",          /* list entry [N] */
		"workloads.0.size=4k-256k",             /* list entry .N */
		"swiotlb.dynamic=true",                 /* new key */
		"devices.1.name=eth0",                  /* new entry */
		"devices.1.kind=nic",
		"description=a: b # not a comment",     /* taken literally */
	};
	struct scenario s;

	if (!load("minimal.yaml", ov, sizeof(ov) / sizeof(ov[0]), &s))
		return;
	CHECK_EQ(s.machine.cpus, 8);
	CHECK_EQ(s.machine.costs.map_call, 1500);
	CHECK_EQ(s.workloads[0].queue_depth, 64);
	CHECK_EQ(s.workloads[0].size.dist.kind, SIZEDIST_UNIFORM);
	CHECK(!strcmp(s.workloads[0].cpus.text, "0-7"));
	CHECK(s.swiotlb.dynamic);
	CHECK_EQ(s.ndevices, 2);
	CHECK_EQ(s.devices[1].kind, SCENARIO_DEVICE_NIC);
	CHECK(!strcmp(s.description, "a: b # not a comment"));
	scenario_free(&s);
}

static void test_override_errors(void)
{
	static const char *const bad_key[] = { "machine.cpuz=8" };
	static const char *const bad_value[] = { "machine.cpus=0" };
	static const char *const kind_key[] = { "workloads.0.ring_size=8" };
	static const char *const no_eq[] = { "machine.cpus" };
	static const char *const too_far[] = { "devices.3.name=x" };
	static const char *const mapping[] = { "swiotlb=1" };
	static const char *const half[] = { "devices.0.name=d",
					    "workloads.0.name=w" };
	static const char *const fine[] = { "machine.cpus=2" };
	const char *wl = "devices:\n  - {name: d}\nworkloads:\n  - name: w\n"
			 "    kind: storage\n    device: d\n";

	SET_ERROR("", bad_key, "--set machine.cpuz=8: machine.cpuz: ",
		  "unknown key; did you mean `cpus`? (expected one of: cpus, "
		  "memory");
	SET_ERROR("", bad_value, "--set machine.cpus=0: machine.cpus: ",
		  "\"0\" is out of range");
	SET_ERROR(wl, kind_key, "--set workloads.0.ring_size=8: "
		  "workloads[0].ring_size: ", "not a key of a storage "
		  "workload");
	SET_ERROR("", no_eq, "--set machine.cpus: ",
		  "not of the form key.path=value");
	SET_ERROR("", too_far, "--set devices.3.name=x: devices: ",
		  "no entry 3, the list has 0");
	SET_ERROR("", mapping, "--set swiotlb=1: swiotlb: ", "a mapping");
	SET_ERROR("", half, "--set workloads.0.name=w: workloads[0].kind: ",
		  "missing");
	/* An error in the file is still reported at its place. */
	SET_ERROR("machine:\n  memory: lots\n", fine,
		  "t.yaml:2:11: machine.memory: ", "not a number");
}

/* Dumps s, loads the dump, and checks both agree (and dump the same). */
static void round_trip(const struct scenario *s)
{
	char path[] = "/tmp/swsim-scenario-XXXXXX";
	char err[SCENARIO_ERR_MAX];
	char *text1 = NULL, *text2 = NULL;
	size_t len1 = 0, len2 = 0;
	struct scenario back;
	FILE *f, *m1, *m2;
	int fd = mkstemp(path);

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		tu_fail(__FILE__, __LINE__, "cannot make %s", path);
		return;
	}
	CHECK(!scenario_dump_yaml(s, f));
	fclose(f);
	if (scenario_load(path, NULL, 0, &back, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "reload: %s", err);
		unlink(path);
		return;
	}
	unlink(path);
	CHECK(scenario_equal(s, &back));
	m1 = open_memstream(&text1, &len1);
	m2 = open_memstream(&text2, &len2);
	CHECK(!scenario_dump_yaml(s, m1) && !scenario_dump_yaml(&back, m2));
	fclose(m1);
	fclose(m2);
	CHECK(len1 == len2 && !strcmp(text1, text2));
	free(text1);
	free(text2);
	scenario_free(&back);
}

static void test_round_trip(void)
{
	static const char *const files[] = {
		"minimal.yaml", "full.yaml", "param.yaml",
	};
	static const char *const ov[] = {
		"workloads.0.size=lognormal:64k,1.5",
		"devices.0.jitter_cv=0.37",
		"devices.0.bandwidth=3.3GB/s", "workloads.0.rate=1234.5/s",
	};
	struct scenario s, other;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!load(files[i], NULL, 0, &s))
			continue;
		round_trip(&s);
		scenario_free(&s);
	}
	if (load("minimal.yaml", ov, sizeof(ov) / sizeof(ov[0]), &s)) {
		round_trip(&s);
		/* scenario_equal tells different scenarios apart. */
		if (load("minimal.yaml", ov, 3, &other)) {
			CHECK(!scenario_equal(&s, &other));
			scenario_free(&other);
		}
		scenario_free(&s);
	}
}

/* How docs/scenario-keys.md is brought back in step (its opening says so
 * too). */
#define REGENERATE_KEYS \
	"regenerate it in the source folder (built in build/): sed -i " \
	"'/^<!-- generated/q' docs/scenario-keys.md && " \
	"build/swiotlb-sim validate --reference >> docs/scenario-keys.md"

/* The whole text a command prints on stdout (malloc'd; NULL when it could
 * not run or failed). */
static char *command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r"), *m;
	char *text = NULL;
	size_t len = 0;
	int ch;

	if (!p)
		return NULL;
	m = open_memstream(&text, &len);
	while ((ch = getc(p)) != EOF)
		putc(ch, m);
	fclose(m);
	if (pclose(p) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void test_reference(void)
{
	const char *src = getenv("SWSIM_SOURCE_DIR");
	const char *bin = getenv("SWSIM_BINARY");
	char path[1024], cmd[1200], *text = NULL, *docs, *printed;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	scenario_write_reference(f);
	fclose(f);
	CHECK(strstr(text, "`workloads[]`") != NULL);
	CHECK(strstr(text, "| `min_align_mask` | mask 2^n-1 | 0 (nvme: "
			   "0xfff) |") != NULL);
	CHECK(strstr(text, "| `ring_size` | integer, >= 1 | `1024` | "
			   "(network) ") != NULL);
	/* docs/scenario-keys.md carries this text, verbatim. */
	snprintf(path, sizeof(path), "%s/docs/scenario-keys.md",
		 src ? src : ".");
	docs = tu_file_text(path);
	if (!strstr(docs, text))
		tu_fail(__FILE__, __LINE__, "%s lacks the output of "
			"scenario_write_reference(); " REGENERATE_KEYS, path);
	free(docs);
	/* The command the docs give to regenerate it prints the same. */
	snprintf(cmd, sizeof(cmd), "'%s' validate --reference",
		 bin && *bin ? bin : "./swiotlb-sim");
	printed = command_output(cmd);
	if (!printed || strcmp(printed, text))
		tu_fail(__FILE__, __LINE__, "%s does not print "
			"scenario_write_reference()'s text", cmd);
	free(printed);
	free(text);
}

static void test_missing_file(void)
{
	struct scenario s;
	char err[SCENARIO_ERR_MAX];

	CHECK(scenario_load(data("no-such.yaml"), NULL, 0, &s, err,
			    sizeof(err)));
	CHECK(strstr(err, "no-such.yaml: cannot read: ") != NULL);
}

int main(void)
{
	RUN(test_minimal_defaults);
	RUN(test_empty_document);
	RUN(test_full);
	RUN(test_param);
	RUN(test_units);
	RUN(test_value_grammars);
	RUN(test_error_unknown_key);
	RUN(test_error_wrong_type);
	RUN(test_error_zero_cpus);
	RUN(test_error_negative_size);
	RUN(test_error_bad_mask);
	RUN(test_error_unknown_device);
	RUN(test_error_small_pool);
	RUN(test_error_syntax);
	RUN(test_error_duplicate_device);
	RUN(test_error_param_with_slabs);
	RUN(test_error_kind_key);
	RUN(test_error_cross_checks);
	RUN(test_all_errors_at_once);
	RUN(test_error_limit);
	RUN(test_did_you_mean);
	RUN(test_override_blamed);
	RUN(test_directory);
	RUN(test_override_scalar_nested_list);
	RUN(test_override_errors);
	RUN(test_round_trip);
	RUN(test_reference);
	RUN(test_missing_file);
	return tu_finish();
}
