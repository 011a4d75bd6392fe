/* tests/workloads/test_tracewl.c - trace replay with exact expectations: the example
 * trace's answers (bounce addresses, a map retried until an unmap frees
 * room, ops queued behind it), abandoning, reading in step with the clock,
 * rebased times, and FILE:LINE errors for malformed traces. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/machine_fixture.h"
#include "workloads/tracewl.h"

static struct machine_device_config devs[2];
static const struct tracewl_devname eth0_is_nic0[] = { { "eth0", "nic0" } };

/* 2 CPUs, 256 slots in one area, nic0 and nvme0 (min_align_mask 0xfff). */
static bool example_machine(struct fixture *f, bool costs)
{
	struct machine_config cfg;

	fixture_config(&cfg, 2, 256, 1, false);
	quiet_device(&devs[0], "nic0");
	quiet_device(&devs[1], "nvme0");
	devs[1].min_align_mask = 0xfff;
	if (costs) {
		machine_costs_init(&cfg.costs);
		machine_device_config_init(&devs[0], "nic0");
		machine_device_config_init(&devs[1], "nvme0");
		devs[1].min_align_mask = 0xfff;
	}
	cfg.devices = devs;
	cfg.ndevices = 2;
	return fixture_new(f, &cfg);
}

static char *example_path(void)
{
	const char *src = getenv("SWSIM_SOURCE_DIR");
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/tests/data/example.optrace", src ? src : ".");
	return p;
}

/* A trace in a temporary file; the caller unlinks and frees the path. */
static char *temp_trace(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	FILE *f;
	int fd;

	snprintf(path, 4096, "%s/swsim-tracewl-XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "cannot make %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static struct workload *trace_new(struct fixture *f,
				  const struct tracewl_config *tc)
{
	char err[512] = "";
	struct workload *w = tracewl_new(f->m, "trace0", tc, err, sizeof(err));

	if (!w)
		fprintf(stderr, "tracewl_new: %s\n", err);
	return w;
}

static const char example_answers[] =
	"0 map 1 0x80000000\n"
	"0 map 2 0x80000800\n"
	"1000 map 3 0x80001000\n"
	"5000 sync 1\n"
	"5200 unmap 1\n"
	"6000 map 4 0x80002200\n"
	"7000 map 5 0x80003000\n"
	"7000 map 6 0x80040000\n"
	"8000 map 7 FULL\n"
	"28000 map 7 FULL\n"
	"30000 sync 5\n"
	"30000 unmap 5\n"
	"48000 map 7 0x80003000\n"
	"48000 sync 7\n"
	"48000 unmap 7\n"
	"50000 sync 4\n"           /* an unmap releases an event later */
	"50000 unmap 3\n"
	"50000 unmap 4\n"
	"60000 sync 2\n"
	"70000 unmap 2\n"
	"70000 unmap 6\n";

/* The example with every cost 0: each op's answer at its own time. The
 * addresses are the allocator's (the same as `swiotlb-sim replay` of the
 * untimed sequence): map 4 keeps its 0x200 offset under min_align_mask;
 * map 7 fails at 8000 and at its first retry (28000), and succeeds at
 * 48000 in the segment unmap 5 freed at 30000. */
static void test_example_answers(void)
{
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = example_path(), *buf = NULL, err[512] = "";
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const struct tracewl_counters *c;

	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	tc.devnames = eth0_is_nic0;
	tc.ndevnames = 1;
	tc.answers = out;
	w = trace_new(&f, &tc);
	if (!w)
		goto out_machine;
	CHECK(workload_start(w, err, sizeof(err)) == 0);
	machine_run_until(f.m, 7000);
	CHECK_EQ(machine_mem(f.m)->used, 1 + 2 + 1 + 120 + 120);
	machine_run(f.m);
	fflush(out);
	CHECK(buf && strcmp(buf, example_answers) == 0);
	if (buf && strcmp(buf, example_answers))
		fprintf(stderr, "answers:\n%s", buf);
	c = tracewl_counters(w);
	CHECK(tracewl_error(w) == NULL);
	CHECK(c->done);
	CHECK_EQ(c->op_lines, 19);
	CHECK_EQ(c->ignored_lines, 1);
	CHECK_EQ(c->dev_mismatches, 0);
	CHECK_EQ(c->maps_ok, 7);
	CHECK_EQ(c->map_attempts_failed, 2);
	CHECK_EQ(c->maps_abandoned, 0);
	CHECK_EQ(c->deferred_ops, 2);
	CHECK_EQ(c->unmaps_done, 7);
	CHECK_EQ(c->syncs_done, 5);
	CHECK_EQ(c->live, 0);
	CHECK_EQ(w->stats.requests_issued, 19);
	CHECK_EQ(w->stats.requests_completed, 19);
	CHECK_EQ(w->stats.maps, 9);
	CHECK_EQ(w->stats.map_failures, 2);
	CHECK_EQ(w->stats.requeues, 2);
	CHECK_EQ(w->stats.requeue_wait_ns, 40000);
	CHECK_EQ(w->stats.unmaps, 7);
	CHECK_EQ(w->stats.syncs, 5);
	CHECK_EQ(w->stats.latency.max, 40000);      /* map 7 */
	CHECK_EQ(workload_in_flight(w), 0);
	CHECK_EQ(machine_live_mappings(f.m), 0);
	CHECK_EQ(machine_mem(f.m)->used, 0);
	CHECK_EQ(stats_counters(machine_stats(f.m))->full_events, 2);
	workload_destroy(w);
out_machine:
	fixture_free(&f);
out:
	fclose(out);
	free(buf);
	free(path);
}

/* The same trace with the default costs: time now passes in every call,
 * but every op still completes and nothing is left mapped. */
static void test_example_with_costs(void)
{
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = example_path(), err[512] = "";
	const struct tracewl_counters *c;

	if (!example_machine(&f, true))
		goto out;
	tracewl_config_init(&tc, path);
	tc.devnames = eth0_is_nic0;
	tc.ndevnames = 1;
	w = trace_new(&f, &tc);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) == 0);
		machine_run(f.m);
		c = tracewl_counters(w);
		CHECK(c->done);
		CHECK_EQ(c->maps_ok, 7);
		CHECK(c->map_attempts_failed >= 1);
		CHECK_EQ(c->unmaps_done, 7);
		CHECK_EQ(c->syncs_done, 5);
		CHECK_EQ(w->stats.requests_completed, 19);
		CHECK_EQ(machine_live_mappings(f.m), 0);
		CHECK(machine_now(f.m) > 70000);
		workload_destroy(w);
	}
	fixture_free(&f);
out:
	free(path);
}

/* A map that can never fit is abandoned after max_retries; the sync and
 * unmap queued behind it are dropped with it. */
static void test_abandon(void)
{
	static const char text[] =
		"dev name=nic0\n"
		"map id=1 cpu=0 dev=nic0 orig=0 size=262144 t=0\n"
		"map id=2 cpu=0 dev=nic0 orig=0 size=262144 t=0\n"
		"map id=3 cpu=1 dev=nic0 orig=0 size=4096 t=100\n"
		"sync id=3 dir=device t=200\n"
		"unmap id=3 t=300\n"
		"unmap id=1 t=1000000\n"
		"unmap id=2 t=1000000\n";
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = temp_trace(text), *buf = NULL, err[512] = "";
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const struct tracewl_counters *c;

	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	tc.max_retries = 2;
	tc.retry_delay_ns = 1000;
	tc.answers = out;
	w = trace_new(&f, &tc);
	if (!w)
		goto out_machine;
	CHECK(workload_start(w, err, sizeof(err)) == 0);
	machine_run(f.m);
	fflush(out);
	CHECK(buf && strcmp(buf,
		"0 map 1 0x80000000\n"
		"0 map 2 0x80040000\n"
		"100 map 3 FULL\n"
		"1100 map 3 FULL\n"
		"2100 map 3 FULL\n"
		"2100 map 3 ABANDONED\n"
		"2100 skip sync 3\n"
		"2100 skip unmap 3\n"
		"1000000 unmap 1\n"
		"1000000 unmap 2\n") == 0);
	c = tracewl_counters(w);
	CHECK_EQ(c->maps_abandoned, 1);
	CHECK_EQ(c->skipped_ops, 2);
	CHECK_EQ(w->stats.drops, 3);
	CHECK_EQ(w->stats.requeues, 2);
	CHECK_EQ(w->stats.requests_issued, 7);
	CHECK_EQ(w->stats.requests_completed, 4);
	CHECK_EQ(workload_in_flight(w), 0);
	CHECK_EQ(machine_live_mappings(f.m), 0);
	workload_destroy(w);
out_machine:
	fixture_free(&f);
out:
	fclose(out);
	free(buf);
	unlink(path);
	free(path);
}

/* stop() while a map waits to retry: it is abandoned at its retry, and
 * no op after the stop is issued. */
static void test_stop_abandons_retry(void)
{
	static const char text[] =
		"dev name=nic0\n"
		"map id=1 cpu=0 dev=nic0 orig=0 size=262144 t=0\n"
		"map id=2 cpu=0 dev=nic0 orig=0 size=262144 t=0\n"
		"map id=3 cpu=0 dev=nic0 orig=0 size=2048 t=10\n"
		"unmap id=1 t=50000\n";
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = temp_trace(text), err[512] = "";

	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	w = trace_new(&f, &tc);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) == 0);
		machine_run_until(f.m, 100);
		workload_stop(w);
		machine_run(f.m);
		CHECK_EQ(tracewl_counters(w)->maps_abandoned, 1);
		CHECK_EQ(tracewl_counters(w)->op_lines, 3);
		CHECK(!tracewl_counters(w)->done);
		CHECK_EQ(machine_now(f.m), 20010);
		CHECK_EQ(w->stats.drops, 1);
		CHECK_EQ(workload_in_flight(w), 0);
		CHECK_EQ(machine_live_mappings(f.m), 2);
		workload_destroy(w);
	}
	fixture_free(&f);
out:
	unlink(path);
	free(path);
}

/* A long trace is read in step with the clock, and rebase_time starts it
 * at its first op's time. */
static void test_read_in_step(void)
{
	const uint64_t base = 5000000000ULL, n = 20000;
	char *text = malloc(n * 160 + 64), *path;
	size_t used = 0;
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char err[512] = "";

	used += (size_t)sprintf(text, "dev name=nic0\n");
	for (uint64_t i = 0; i < n; i++)
		used += (size_t)sprintf(text + used,
			"map id=%llu cpu=%llu dev=nic0 orig=0x1000 size=1500 "
			"t=%llu\nunmap id=%llu t=%llu\n",
			(unsigned long long)i, (unsigned long long)(i % 2),
			(unsigned long long)(base + i * 1000),
			(unsigned long long)i,
			(unsigned long long)(base + i * 1000 + 500));
	path = temp_trace(text);
	free(text);
	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	tc.rebase_time = true;
	w = trace_new(&f, &tc);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) == 0);
		CHECK_EQ(tracewl_counters(w)->op_lines, 1);    /* map 0 at 0 */
		machine_run_until(f.m, 10 * 1000 + 499);
		CHECK_EQ(tracewl_counters(w)->op_lines, 2 * 10 + 1);
		CHECK_EQ(tracewl_counters(w)->live, 1);
		machine_run(f.m);
		CHECK(tracewl_counters(w)->done);
		CHECK_EQ(tracewl_counters(w)->op_lines, 2 * n);
		CHECK_EQ(machine_now(f.m), (n - 1) * 1000 + 500);
		CHECK_EQ(w->stats.requests_completed, 2 * n);
		CHECK_EQ(machine_live_mappings(f.m), 0);
		workload_destroy(w);
	}
	fixture_free(&f);
out:
	unlink(path);
	free(path);
}

/* start() of a malformed trace fails with "PATH:LINE: msg" and issues
 * nothing (prevalidate); without prevalidate the run stops at that line
 * after issuing the ops before it. */
static void expect_error(const char *text, unsigned long line,
			 const char *msg, bool prevalidate)
{
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = temp_trace(text), err[512] = "", want[4200];
	const char *got;

	snprintf(want, sizeof(want), "%s:%lu: %s", path, line, msg);
	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	tc.prevalidate = prevalidate;
	w = trace_new(&f, &tc);
	if (!w)
		goto out_machine;
	if (prevalidate) {
		CHECK(workload_start(w, err, sizeof(err)) != 0);
		got = err;
		CHECK_EQ(stats_counters(machine_stats(f.m))->maps, 0);
	} else {
		if (workload_start(w, err, sizeof(err)) == 0)
			machine_run(f.m);
		got = tracewl_error(w) ? tracewl_error(w) : "";
		CHECK(w->stopped);
		/* The ops before the bad line were issued (a map counts in
		 * maps once answered, and the failure stops the machine). */
		if (line > 2)
			CHECK_EQ(w->stats.requests_issued, 1);
	}
	CHECK(strncmp(got, want, strlen(want)) == 0);
	if (strncmp(got, want, strlen(want)))
		fprintf(stderr, "  want \"%s\"\n  got  \"%s\"\n", want, got);
	workload_destroy(w);
out_machine:
	fixture_free(&f);
out:
	unlink(path);
	free(path);
}

#define HEAD "dev name=nic0\nmap id=1 cpu=0 dev=nic0 orig=0 size=4096 t=100\n"

static void test_errors(void)
{
	for (int pv = 1; pv >= 0; pv--) {
		expect_error(HEAD "unmap id=2 t=200\n", 3,
			     "id=2 is not a live mapping", pv);
		expect_error(HEAD "map id=2 cpu=0 dev=nic0 orig=0 size=1 "
			     "t=50\n", 3,
			     "t=50 is before the previous op's t=100", pv);
		expect_error("dev name=eth0\n", 1, "device \"eth0\" is not in "
			     "the machine (it has: nic0, nvme0)", pv);
		expect_error(HEAD "map id=2 cpu=0 dev=sda orig=0 size=1 "
			     "t=200\n", 3, "unknown device \"sda\"", pv);
		expect_error(HEAD "map id=1 cpu=0 dev=nic0 orig=0 size=1 "
			     "t=200\n", 3, "id=1 is already live", pv);
		expect_error(HEAD "map id=2 cpu=2 dev=nic0 orig=0 size=1 "
			     "t=200\n", 3, "cpu=2: the machine has 2 CPUs", pv);
		expect_error(HEAD "map id=2 cpu=0 dev=nic0 orig=0 size=262145 "
			     "t=200\n", 3, "size=262145: above the largest map",
			     pv);
		expect_error(HEAD "sync id=1 dir=cpu size=8192 t=200\n", 3,
			     "sync size=8192: larger than mapping id=1", pv);
		expect_error(HEAD "unmap id=1\n", 3, "unmap needs t=", pv);
		expect_error(HEAD "dev name=nic0\n", 3,
			     "device \"nic0\" declared twice", pv);
		expect_error(HEAD "sync id=1 dir=to_device t=300\n", 3,
			     "dir=to_device: expected cpu or device", pv);
	}
}

/* A dev line whose attributes differ from the machine's is counted; the
 * machine's are used. The JSON carries the counters. */
static void test_dev_mismatch_and_json(void)
{
	static const char text[] =
		"dev name=nic0 min_align_mask=0xfff\n"
		"dev name=nvme0 min_align_mask=0xfff\n"
		"map id=1 cpu=0 dev=nic0 orig=0x200 size=512 t=0\n"
		"unmap id=1 t=10\n";
	struct fixture f;
	struct tracewl_config tc;
	struct workload *w;
	char *path = temp_trace(text), *ans = NULL, *json = NULL;
	char err[512] = "";
	size_t alen = 0, jlen = 0;
	FILE *aout = open_memstream(&ans, &alen);
	FILE *jout = open_memstream(&json, &jlen);

	if (!example_machine(&f, false))
		goto out;
	tracewl_config_init(&tc, path);
	tc.answers = aout;
	w = trace_new(&f, &tc);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) == 0);
		machine_run(f.m);
		CHECK_EQ(tracewl_counters(w)->dev_mismatches, 1);
		fflush(aout);
		/* nic0 has no min_align_mask: the offset is not kept. */
		CHECK(ans && !strcmp(ans, "0 map 1 0x80000000\n"
					  "10 unmap 1\n"));
		CHECK_EQ(workload_write_json(w, jout), 0);
		fflush(jout);
		CHECK(json && strstr(json, "\"kind\": \"trace\"") != NULL);
		CHECK(json && strstr(json, "\"done\": true, "
					 "\"error\": null") != NULL);
		CHECK(json && strstr(json, "\"dev_mismatches\": 1") != NULL);
		workload_destroy(w);
	}
	fixture_free(&f);
out:
	fclose(aout);
	fclose(jout);
	free(ans);
	free(json);
	unlink(path);
	free(path);
}

static void test_config_errors(void)
{
	struct fixture f;
	struct tracewl_config tc;
	char err[256] = "";
	struct workload *w;

	if (!example_machine(&f, false))
		return;
	tracewl_config_init(&tc, NULL);
	CHECK(tracewl_new(f.m, "t", &tc, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no trace file given") != NULL);
	tracewl_config_init(&tc, "/nonexistent/x.optrace");
	w = tracewl_new(f.m, "t", &tc, err, sizeof(err));
	CHECK(w != NULL);
	if (w) {
		CHECK(workload_start(w, err, sizeof(err)) != 0);
		CHECK(strstr(err, "/nonexistent/x.optrace: cannot open"));
		workload_destroy(w);
	}
	fixture_free(&f);
}

int main(void)
{
	RUN(test_example_answers);
	RUN(test_example_with_costs);
	RUN(test_abandon);
	RUN(test_stop_abandons_retry);
	RUN(test_read_in_step);
	RUN(test_errors);
	RUN(test_dev_mismatch_and_json);
	RUN(test_config_errors);
	return tu_finish();
}
