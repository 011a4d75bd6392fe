/* tests/cli/test_run_cli.c - the `run`, `validate` and `plot` command lines
 * ($SWSIM_BINARY): one test per class of bad input (exit status and a
 * one-line message), an older result left byte for byte when a run cannot
 * happen, and a good run's summary and charts. */
#define _GNU_SOURCE
#include "run/plot.h"
#include "tests/run_fixture.h"
#include "tests/testutil.h"

#include <dirent.h>

#define OUT_MAX 8192

static char out[OUT_MAX], err[OUT_MAX];

static const char *example(const char *name)
{
	static char path[4][1024];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 1024, "%s/scenarios/%s.yaml", rf_source(), name);
	return p;
}

/* stderr is exactly `want` and one line, nothing on stdout. */
static void expect_line(int rc, int want_rc, const char *want, int line)
{
	if (rc != want_rc)
		tu_fail(__FILE__, line, "exit status %d, expected %d (stderr: "
			"%s)", rc, want_rc, err);
	if (strncmp(err, want, strlen(want)))
		tu_fail(__FILE__, line, "stderr \"%s\" does not start with "
			"\"%s\"", err, want);
	if (!strchr(err, '\n') || strchr(err, '\n')[1] != '\0')
		tu_fail(__FILE__, line, "stderr \"%s\" is not one line", err);
	if (out[0])
		tu_fail(__FILE__, line, "stdout not empty: \"%s\"", out);
	tu_checks += 4;
}

#define CLI(...) rf_cli((const char *const[]){ "swiotlb-sim", __VA_ARGS__, \
					       NULL }, out, OUT_MAX, err, \
			OUT_MAX)

/* --set with an unknown key, a bad value, no "=": status 1, the override
 * named in the message. */
static void test_bad_set(void)
{
	const char *s = example("default");
	int rc;

	rc = CLI("run", s, "--set", "machine.cpuz=8");
	expect_line(rc, 1, "--set machine.cpuz=8: machine.cpuz: unknown key; "
		    "did you mean `cpus`? (expected one of: cpus, memory, "
		    "page_size, slot_lines, profile, cpu_slowdown, host_cores, "
		    "hz, costs)\n", __LINE__);
	rc = CLI("run", s, "--set=machine.cpus=0");
	expect_line(rc, 1, "--set machine.cpus=0: machine.cpus: ", __LINE__);
	rc = CLI("validate", s, "--set", "devices.0.bounce=sometimes");
	expect_line(rc, 1, "--set devices.0.bounce=sometimes: "
		    "devices[0].bounce: ", __LINE__);
	rc = CLI("run", s, "--set", "machine.cpus");
	expect_line(rc, 1, "--set machine.cpus: not of the form "
		    "key.path=value", __LINE__);
}

/* An unknown option, a missing value, no scenario, two scenarios:
 * status 2, "see --help". */
static void test_usage_errors(void)
{
	const char *s = example("default");
	int rc;

	rc = CLI("run", s, "--bogus");
	expect_line(rc, 2, "swiotlb-sim run: unknown option \"--bogus\" "
		    "(see --help)\n", __LINE__);
	rc = CLI("validate", "-x", s);
	expect_line(rc, 2, "swiotlb-sim validate: unknown option \"-x\" "
		    "(see --help)\n", __LINE__);
	rc = CLI("run", s, "-o");
	expect_line(rc, 2, "swiotlb-sim run: missing value after \"-o\" "
		    "(see --help)\n", __LINE__);
	rc = CLI("run");
	expect_line(rc, 2, "swiotlb-sim run: no scenario file given (see "
		    "--help)\n", __LINE__);
	rc = CLI("run", s, s);
	expect_line(rc, 2, "swiotlb-sim run: unexpected argument ", __LINE__);
	rc = CLI("plot");
	expect_line(rc, 2, "swiotlb-sim plot: no run directory given (see "
		    "--help)\n", __LINE__);
}

/* A scenario file that is not there: status 1, the file and the reason. */
static void test_missing_file(void)
{
	int rc;

	rc = CLI("run", "/nonexistent/x.yaml");
	expect_line(rc, 1, "/nonexistent/x.yaml: cannot read: No such file or "
		    "directory\n", __LINE__);
	rc = CLI("validate", "/nonexistent/x.yaml");
	expect_line(rc, 1, "/nonexistent/x.yaml: cannot read: ", __LINE__);
	rc = CLI("plot", "/nonexistent/run");
	expect_line(rc, 1, "/nonexistent/run: not a readable run directory",
		    __LINE__);
}

/* The names in a folder, sorted, one per line (to compare listings). */
static void listing(const char *dir, char *buf, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static const char *const run_files[] = {
	"timeseries.csv", "events.csv", "area_use.csv", "latency.csv",
	"summary.json", "scenario.resolved.yaml",
};

/* A run into a folder that holds an older result, which fails (a bad
 * scenario, a workload the machine refuses, an output folder that is not a
 * run's): the older result stays byte for byte, and no other folder (no
 * temporary one) appears beside it. */
static void test_failed_run_leaves_result(void)
{
	char dir[4096], keep[4096], before[4096], after[4096];
	const char *s = example("coco-network");
	static const char *const bad[][2] = {
		{ "--set", "machine.cpus=0" },               /* the loader */
		{ "--set", "workloads.0.ring_size=70000" },  /* the workload */
		{ "--set", "swiotlb.param=1x" },             /* the parameter */
	};
	int rc;

	rf_subdir(dir, sizeof(dir), "old-result");
	rf_subdir(keep, sizeof(keep), "old-copy");
	rc = CLI("run", s, "-q", "-o", dir, "--set", "run.duration=5ms",
		 "--set", "run.warmup=0");
	CHECK_EQ(rc, 0);
	rc = CLI("run", s, "-q", "-o", keep, "--set", "run.duration=5ms",
		 "--set", "run.warmup=0");
	CHECK_EQ(rc, 0);
	listing(rf_base, before, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = CLI("run", s, "-q", "-o", dir, bad[i][0], bad[i][1]);
		CHECK_EQ(rc, 1);
		CHECK(strchr(err, '\n') && !strchr(err, '\n')[1]);
		for (size_t f = 0; f < 6; f++)
			if (!rf_same_file(dir, keep, run_files[f]))
				tu_fail(__FILE__, __LINE__, "%s: %s changed",
					bad[i][1], run_files[f]);
		listing(rf_base, after, sizeof(after));
		if (strcmp(before, after))
			tu_fail(__FILE__, __LINE__, "%s: the scratch folder "
				"changed:\n%s---\n%s", bad[i][1], before, after);
		tu_checks += 2;
	}
}

/* -o naming a folder that holds something else: refused before running,
 * the folder untouched. */
static void test_output_not_a_run(void)
{
	char dir[4096], file[4200];
	FILE *f;
	int rc;

	rf_subdir(dir, sizeof(dir), "user-folder");
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/notes.txt", dir);
	f = fopen(file, "w");
	if (f) {
		fputs("mine\n", f);
		fclose(f);
	}
	rc = CLI("run", example("mapbench"), "-o", dir);
	expect_line(rc, 1, example("mapbench"), __LINE__);
	CHECK(strstr(err, "exists and is not a run directory") != NULL);
	CHECK(rf_file_contains(dir, "notes.txt", "mine\n"));
	CHECK_EQ(rf_file_size(dir, "summary.json"), 0);
}

/* A good run: the human summary on stdout, nothing on stderr, all files;
 * a second run replaces the first; --quiet prints nothing; --plot renders
 * the charts when gnuplot is there. */
static void test_good_run(void)
{
	char dir[4096];
	int rc;

	rf_subdir(dir, sizeof(dir), "good");
	rc = CLI("run", example("legacy-32bit-device"), "-o", dir, "--set",
		 "run.duration=10ms", "--set", "run.warmup=2ms");
	CHECK_EQ(rc, 0);
	static const char head[] = "scenario legacy-32bit-device: 0.010 s "
				   "simulated (0.002 s warm-up), seed 1\n";
	CHECK(!strncmp(out, head, strlen(head)));
	CHECK(strstr(out, " not bounced; ") != NULL);
	CHECK(strstr(out, "\nverdict: ") != NULL);
	CHECK(strstr(out, "\nresults: ") != NULL);
	CHECK_EQ(err[0], '\0');
	for (size_t f = 0; f < 6; f++)
		CHECK(rf_file_size(dir, run_files[f]) > 0);
	rc = CLI("run", example("mapbench"), "-o", dir, "-q", "--plot",
		 "--set", "run.duration=5ms");
	CHECK_EQ(rc, 0);
	CHECK_EQ(out[0], '\0');
	CHECK(rf_file_contains(dir, "summary.json", "\"name\": \"mapbench\""));
	if (!plot_have_gnuplot()) {
		printf("gnuplot not installed: --plot not checked\n");
		return;
	}
	CHECK(rf_file_starts_with(dir, "pool_use.png", "\x89PNG"));
	CHECK(rf_file_contains(dir, "map_latency.svg", "<svg"));
	rc = CLI("plot", dir);
	CHECK_EQ(rc, 0);
	CHECK_EQ(err[0], '\0');
}

int main(void)
{
	if (!rf_setup())
		return 1;
	RUN(test_bad_set);
	RUN(test_usage_errors);
	RUN(test_missing_file);
	RUN(test_failed_run_leaves_result);
	RUN(test_output_not_a_run);
	RUN(test_good_run);
	rf_teardown();
	return tu_finish();
}
