/* tests/sweep/test_sweep_run.c - sweeps that run: points as `swiotlb-sim run`
 * children ($SWSIM_BINARY), the recommendation on a workload whose
 * in-flight high-water mark is known, failing points that do not stop the
 * others, resuming after the driver is killed (exactly the missing points
 * run), SIGTERM, and --collect on exported jobs (run through the Slurm
 * array script) giving the same sweep.csv as the sweep that ran them
 * itself. */
#define _GNU_SOURCE
#include "base/outfile.h"
#include "sweep/sweep.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_point.h"
#include "tests/testutil.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Four mapbench threads, one a CPU, each holding a 40-page (80-slot)
 * mapping: a map fits in one 128-slot segment, one map a segment, so the
 * pool needs 4 segments (512 slabs) and the high-water mark is exactly
 * 4 x 80 = 320 slots. */
static const char mapbench_yaml[] =
	"name: known\n"
	"machine: {cpus: 4}\n"
	"swiotlb: {areas: 1, force: true}\n"
	"devices:\n  - {name: dev0}\n"
	"workloads:\n"
	"  - {name: bench, kind: mapbench, device: dev0, threads: 4,\n"
	"     granule: 40, delay: 20us}\n"
	"run: {duration: 3ms, sample_interval: 1ms}\n"
	"sweep:\n"
	"  replications: 2\n"
	"  vary:\n"
	"    - {key: swiotlb.slabs, values: \"128..1024*2\"}\n";

static char workdir[] = "/tmp/swsim-sweep-run-XXXXXX";
static char scenario_path[256];

static const char *binary(void)
{
	const char *b = getenv("SWSIM_BINARY");

	return b && *b ? b : "build/swiotlb-sim";
}

struct captured {
	char *out, *msgs;
	size_t outlen, msglen;
	FILE *fo, *fm;
};

/* Runs a sweep in this process with the options given; out and msgs
 * captured. */
static int sweep(struct captured *c, const char *outdir, enum sweep_mode mode,
		 const char *exe, unsigned jobs, const char *const *sets,
		 size_t nsets)
{
	struct sweep_options o = {
		.mode = mode, .scenario = scenario_path, .sets = sets,
		.nsets = nsets, .outdir = outdir, .jobs = jobs,
		.exe = exe ? exe : binary(),
	};
	int rc;

	memset(c, 0, sizeof(*c));
	c->fo = open_memstream(&c->out, &c->outlen);
	c->fm = open_memstream(&c->msgs, &c->msglen);
	o.out = c->fo;
	o.msgs = c->fm;
	rc = sweep_execute(&o);
	fclose(c->fo);
	fclose(c->fm);
	return rc;
}

static void captured_free(struct captured *c)
{
	free(c->out);
	free(c->msgs);
}

static void test_known_high_water(void)
{
	char dir[512], path[600], *csv, *rec;
	struct captured c;

	snprintf(dir, sizeof(dir), "%s/known", workdir);
	CHECK_EQ(sweep(&c, dir, SWEEP_RUN, NULL, 2, NULL, 0), 0);
	CHECK(strstr(c.msgs, "8 points: 8 run, 0 reused, 0 failed") != NULL);
	CHECK(strstr(c.out, "  swiotlb=512,1 (1 MiB)\n") != NULL);
	snprintf(path, sizeof(path), "%s/recommendation.txt", dir);
	rec = tu_file_text(path);
	CHECK(!strcmp(rec, c.out));
	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	csv = tu_file_text(path);
	/* 128 and 256 slabs run out; from 512 on, the high-water mark is
	 * the 320 slots in flight in every replication (a zero-width
	 * interval). */
	CHECK(strstr(csv, "\n128,2,") && !strstr(csv, "\n128,2,0,"));
	CHECK(strstr(csv, "\n256,2,") && !strstr(csv, "\n256,2,0,"));
	CHECK(strstr(csv, "\n512,2,0,0,0,0,320,0,") != NULL);
	CHECK(strstr(csv, "\n1024,2,0,0,0,0,320,0,") != NULL);
	/* Each replication ran with its own seed, the one sweep_seed()
	 * derives from run.seed (1). */
	for (uint32_t r = 0; r < 2; r++) {
		struct sweep_result res;
		struct scenario s;
		char err[512];

		snprintf(path, sizeof(path), "%s/points/slabs=512_r%u", dir, r);
		if (sweep_point_load(path, &s, NULL, &res, err, sizeof(err))) {
			tu_fail(__FILE__, __LINE__, "%s", err);
			continue;
		}
		CHECK_EQ(res.seed, sweep_seed(1, r));
		scenario_free(&s);
	}
	CHECK(sweep_seed(1, 0) != sweep_seed(1, 1));
	snprintf(path, sizeof(path), "%s/failures.txt", dir);
	CHECK(access(path, F_OK) != 0);
	free(csv);
	free(rec);
	captured_free(&c);

	/* Again: every point is reused, and the files are the same. */
	CHECK_EQ(sweep(&c, dir, SWEEP_RUN, NULL, 2, NULL, 0), 0);
	CHECK(strstr(c.msgs, "8 points: 0 run, 8 reused, 0 failed") != NULL);
	captured_free(&c);
}

/* A value the scenario rejects fails its points before they run; a child
 * that exits non-zero or crashes fails its point; the others finish and
 * the status says some failed. */
static void test_failing_points(void)
{
	static const char *const sets[] = {
		"sweep.vary.0.values=64,256,512,1024",
		"sweep.replications=1",
	};
	char dir[512], wrapper[600], path[700], *fail;
	struct captured c;
	FILE *f;

	snprintf(wrapper, sizeof(wrapper), "%s/flaky.sh", workdir);
	f = fopen(wrapper, "w");
	fprintf(f, "#!/bin/sh\n"
		"case \"$*\" in\n"
		"*swiotlb.slabs=256*) echo 'boom: this point always fails' >&2;"
		" exit 3;;\n"
		"*swiotlb.slabs=1024*) kill -SEGV $$;;\n"
		"esac\nexec '%s' \"$@\"\n", binary());
	fclose(f);
	chmod(wrapper, 0755);
	snprintf(dir, sizeof(dir), "%s/failing", workdir);
	CHECK_EQ(sweep(&c, dir, SWEEP_RUN, wrapper, 2, sets, 2), 1);
	CHECK(strstr(c.msgs, "4 points: 1 run, 0 reused, 3 failed") != NULL);
	CHECK(strstr(c.msgs, "point slabs=64_r0 failed (swiotlb.slabs=64 "
		      "run.seed=1): ") != NULL);
	CHECK(strstr(c.msgs, "run.seed=1): --set swiotlb.slabs=64: "
		      "swiotlb.slabs: \"64\" is smaller than one segment")
	      != NULL);
	CHECK(strstr(c.msgs, "point slabs=256_r0 failed (swiotlb.slabs=256 "
		      "run.seed=1): exit status 3: boom: this point always "
		      "fails") != NULL);
	CHECK(strstr(c.msgs, "point slabs=1024_r0 failed (swiotlb.slabs=1024 "
		      "run.seed=1): killed by signal 11") != NULL);
	snprintf(path, sizeof(path), "%s/points/slabs=512_r0/summary.json",
		 dir);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/failures.txt", dir);
	fail = tu_file_text(path);
	CHECK(strstr(fail, "slabs=256_r0\tswiotlb.slabs=256 run.seed=1\t"
		      "exit status 3") != NULL);
	free(fail);
	snprintf(path, sizeof(path), "%s/sweep.csv", dir);
	fail = tu_file_text(path);
	CHECK(strstr(fail, "\n512,1,0,") && strstr(fail, "\n256,0,nan,nan,"));
	free(fail);
	captured_free(&c);
}

/* Counts finished points and remembers their summary.json inodes. */
static size_t finished_points(const char *dir, ino_t *inode, char **names,
			      size_t max)
{
	char points[600], path[1200];
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	snprintf(points, sizeof(points), "%s/points", dir);
	d = opendir(points);
	while (d && (e = readdir(d)) && n < max) {
		struct stat st;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp-"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/summary.json", points,
			 e->d_name);
		if (stat(path, &st))
			continue;
		if (inode)
			inode[n] = st.st_ino;
		if (names)
			names[n] = strdup(e->d_name);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Starts a sweep in a child process; returns its pid. */
static pid_t start_sweep(const char *dir, const char *const *sets,
			 size_t nsets)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct captured c;

		_exit(sweep(&c, dir, SWEEP_RUN, NULL, 1, sets, nsets));
	}
	return pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

/* The driver is killed (SIGKILL: no chance to clean up) after a few
 * points; the sweep run again runs exactly the points that had not
 * finished and reuses the others untouched. */
static void test_resume_after_kill(void)
{
	static const char *const sets[] = {
		"sweep.vary.0.values=512..4096*2",
		"sweep.replications=3",
		"run.duration=10ms",
	};
	enum { N = 12 };
	char dir[512], want[128];
	ino_t before[N], after[N];
	char *names[N], *after_names[N];
	size_t done, now;
	struct captured c;
	pid_t pid;
	int status;

	snprintf(dir, sizeof(dir), "%s/resume", workdir);
	pid = start_sweep(dir, sets, 3);
	for (int i = 0; i < 3000 && finished_points(dir, NULL, NULL, N) < 3;
	     i++)
		sleep_ms(2);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status));
	sleep_ms(100);                 /* its child gets SIGTERM and dies */
	done = finished_points(dir, before, names, N);
	CHECK(done >= 3 && done < N);
	CHECK_EQ(sweep(&c, dir, SWEEP_RUN, NULL, 2, sets, 3), 0);
	snprintf(want, sizeof(want), "%d points: %zu run, %zu reused, 0 failed",
		 N, N - done, done);
	if (!strstr(c.msgs, want))
		tu_fail(__FILE__, __LINE__, "\"%s\" does not say \"%s\"",
			c.msgs, want);
	captured_free(&c);
	now = finished_points(dir, after, after_names, N);
	CHECK_EQ(now, N);
	for (size_t i = 0; i < done; i++)
		for (size_t j = 0; j < now; j++)
			if (!strcmp(names[i], after_names[j]) &&
			    before[i] != after[j])
				tu_fail(__FILE__, __LINE__, "%s ran again",
					names[i]);
	for (size_t i = 0; i < done; i++)
		free(names[i]);
	for (size_t j = 0; j < now; j++)
		free(after_names[j]);
}

/* SIGTERM: the driver stops launching, kills its children, exits 143. */
static void test_sigterm(void)
{
	static const char *const sets[] = {
		"sweep.vary.0.values=512..4096*2",
		"sweep.replications=50",
		"run.duration=10ms",
	};
	char dir[512];
	pid_t pid;
	int status;

	snprintf(dir, sizeof(dir), "%s/term", workdir);
	pid = start_sweep(dir, sets, 3);
	for (int i = 0; i < 3000 && finished_points(dir, NULL, NULL, 200) < 2;
	     i++)
		sleep_ms(2);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
	CHECK(finished_points(dir, NULL, NULL, 200) < 200);
}

/* Exported jobs run one by one through the Slurm script, then --collect:
 * the same sweep.csv, recommendation and chart data as the sweep that ran
 * its points itself. */
static void test_export_collect(void)
{
	static const char *const sets[] = { "run.duration=2ms" };
	static const char *const files[] = {
		"sweep.csv", "recommendation.txt", "chart_pool.csv",
	};
	char here[512], there[512], cmd[1200], path[600], path2[600];
	char *jobs, *a, *b;
	struct captured c;
	FILE *m;

	snprintf(here, sizeof(here), "%s/inproc", workdir);
	snprintf(there, sizeof(there), "%s/exported", workdir);
	CHECK_EQ(sweep(&c, here, SWEEP_RUN, NULL, 2, sets, 1), 0);
	captured_free(&c);
	CHECK_EQ(sweep(&c, there, SWEEP_EXPORT_SLURM, NULL, 0, sets, 1), 0);
	CHECK(strstr(c.msgs, "8 of 8 points to run") != NULL);
	captured_free(&c);
	snprintf(path, sizeof(path), "%s/jobs.txt", there);
	jobs = tu_file_text(path);
	CHECK(strstr(jobs, " run ") && strstr(jobs, " --set run.duration=2ms "
			   "--set swiotlb.slabs=128 --set run.seed=1 --quiet\n"));
	free(jobs);
	snprintf(path, sizeof(path), "%s/sweep.slurm", there);
	jobs = tu_file_text(path);
	CHECK(strstr(jobs, "#SBATCH --array=1-8\n") != NULL);
	CHECK(strstr(jobs, "${SLURM_ARRAY_TASK_ID}p") != NULL);
	free(jobs);
	/* Each array task as Slurm would start it (the #SBATCH lines are
	 * comments to sh). */
	snprintf(cmd, sizeof(cmd), "for i in 1 2 3 4 5 6 7 8; do "
		 "SLURM_ARRAY_TASK_ID=$i sh '%s/sweep.slurm' || exit 1; done",
		 there);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "SLURM_ARRAY_TASK_ID=9 sh '%s/sweep.slurm' "
		 "2>/dev/null", there);
	CHECK(system(cmd) != 0);
	m = fopen("/dev/null", "w");
	CHECK_EQ(sweep_collect(there, false, m, m), 0);
	fclose(m);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", here, files[i]);
		snprintf(path2, sizeof(path2), "%s/%s", there, files[i]);
		a = tu_file_text(path);
		b = tu_file_text(path2);
		if (!*a || strcmp(a, b))
			tu_fail(__FILE__, __LINE__, "%s differs:\n%s\n---\n%s",
				files[i], a, b);
		free(a);
		free(b);
	}
	/* Exporting again: nothing left to run. */
	CHECK_EQ(sweep(&c, there, SWEEP_EXPORT_PARALLEL, NULL, 0, sets, 1), 0);
	CHECK(strstr(c.msgs, "0 of 8 points to run") != NULL);
	captured_free(&c);
}

int main(void)
{
	FILE *f;

	if (!mkdtemp(workdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(scenario_path, sizeof(scenario_path), "%s/known.yaml",
		 workdir);
	f = fopen(scenario_path, "w");
	fputs(mapbench_yaml, f);
	fclose(f);
	RUN(test_known_high_water);
	RUN(test_failing_points);
	RUN(test_resume_after_kill);
	RUN(test_sigterm);
	RUN(test_export_collect);
	if (!tu_failures)
		remove_tree(workdir);
	else
		fprintf(stderr, "left %s for a look\n", workdir);
	return tu_finish();
}
