/* tests/oom/test_oom.c - every allocation of the project made to fail in
 * turn, the way SQLite tests its error paths: an allocator boot, the event
 * engine under load, a scenario load and the `run` command are each done
 * once to count their allocations, then again with the Nth failing, for
 * every N (SWSIM_OOM_RUN_STRIDE=K tries every Kth of the run's, for a run
 * made longer by hand). Each must fail cleanly: an "out of memory: WHAT
 * (N bytes)" error (the run's command exits 1 with it), no leak (in the
 * sanitizer build: the heap as each round found it, and LeakSanitizer),
 * no output folder and no temporary one left behind.
 *
 * How the allocations fail: this program is linked with --wrap for
 * malloc, calloc, realloc, strdup, strndup, open_memstream and getline, so
 * the calls the project's own code makes (its static libraries and this
 * file) come here, while those inside libc, libyaml, libcyaml and GSL do
 * not (out of scope: the project cannot choose how they fail). Nothing in
 * the project's code is there for the test, and a new allocation site is
 * covered without a change.
 */
#include "allocator/swiotlb.h"
#include "base/error.h"
#include "base/outfile.h"
#include "cli/cmd_run.h"
#include "engine/engine.h"
#include "scenario/scenario.h"
#include "tests/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define OOM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_ASAN 1
#endif
#endif

#ifdef OOM_ASAN
#include <sanitizer/lsan_interface.h>

/* The sanitizer runtime's (GCC ships no header with it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* ---- the failing allocator ---------------------------------------------- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_open_memstream(char **buf, size_t *size);
ssize_t __real_getline(char **line, size_t *n, FILE *f);

static struct {
	const char *phase;	/* which loop runs */
	const char *trap;	/* "PHASE:N": stop a debugger there */
	bool armed;
	long calls;		/* allocations since arming */
	long fail_at;		/* the one that fails; 0: none */
} inject;

/* Counts one allocation; true when it is the one to fail. */
static bool fails_now(void)
{
	char here[128];

	if (!inject.armed || ++inject.calls != inject.fail_at)
		return false;
	snprintf(here, sizeof(here), "%s:%ld", inject.phase, inject.fail_at);
	if (inject.trap && !strcmp(here, inject.trap))
		raise(SIGTRAP);	/* SWSIM_OOM_TRAP: see the failing call */
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t size)
{
	return fails_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fails_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return fails_now() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return fails_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fails_now() ? NULL : __real_strndup(s, n);
}

FILE *__wrap_open_memstream(char **buf, size_t *size)
{
	return fails_now() ? NULL : __real_open_memstream(buf, size);
}

/* getline() allocates its buffer on the first call; later calls grow it
 * only for a longer line, which this cannot tell in advance. */
ssize_t __wrap_getline(char **line, size_t *n, FILE *f)
{
	if (!*line && fails_now())
		return -1;
	return __real_getline(line, n, f);
}

static void arm(long fail_at)
{
	inject.calls = 0;
	inject.fail_at = fail_at;
	inject.armed = true;
}

/* Disarms; returns the allocations made while armed. */
static long disarm(void)
{
	inject.armed = false;
	return inject.calls;
}

/* ---- the loop ------------------------------------------------------------ */

/* One thing the test makes fail: 0, or -1 with the error in err. */
typedef int (*phase_fn)(char *err, size_t errlen);

/* Whatever a phase may have left behind; true when it is clean. */
typedef bool (*leftover_fn)(void);

#define ERR_MAX 4096

/* Bytes allocated now: a round that leaves more than it found leaked.
 * Only the sanitizer's allocator counts exactly (glibc's keeps freed
 * blocks in caches it reports as used); elsewhere always 0. */
static size_t heap_in_use(void)
{
#ifdef OOM_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return 0;
#endif
}

/* LeakSanitizer's verdict, with the leaks' stacks on stderr: dearer (a
 * scan of all memory), so once per loop. */
static bool lsan_leaks(void)
{
#ifdef OOM_ASAN
	return __lsan_do_recoverable_leak_check() != 0;
#else
	return false;
#endif
}

/* The policy's wording, docs/errors.md. */
static bool oom_message(const char *err)
{
	return strstr(err, "out of memory: ") && strstr(err, " bytes)");
}

/* Runs fn once to count its allocations, then again with the Nth failing
 * for N = 1, 1 + stride, ... (stride 1: every one). Each round must end
 * with -1, the policy's message, nothing left behind and the heap as it
 * found it; LeakSanitizer looks once at the end. */
static void fail_each(const char *name, phase_fn fn, leftover_fn clean,
		      long stride)
{
	static char err[ERR_MAX];
	long count, tried = 0, bad = 0;
	size_t heap;
	int rc;

	inject.phase = name;
	arm(0);
	rc = fn(err, sizeof(err));
	count = disarm();
	if (rc) {
		tu_fail(__FILE__, __LINE__, "%s fails with no failure made: %s",
			name, err);
		return;
	}
	CHECK(count > 0);
	CHECK(clean());
	for (long n = 1; n <= count && bad < 5; n += stride, tried++) {
		bool left, grew;

		err[0] = '\0';
		heap = heap_in_use();
		arm(n);
		rc = fn(err, sizeof(err));
		disarm();
		left = !clean();
		grew = heap_in_use() != heap;
		if (rc != -1 || !oom_message(err) || left || grew) {
			tu_fail(__FILE__, __LINE__, "%s, allocation %ld of %ld "
				"failing: status %d, error \"%s\"%s%s", name, n,
				count, rc, err, left ? ", output left behind" :
				"", grew ? ", memory leaked" : "");
			bad++;
		}
	}
	CHECK(!lsan_leaks());
	printf("%s: %ld allocations, failed %ld of them in turn\n", name,
	       count, tried);
}

static bool nothing_left(void)
{
	return true;
}

/* ---- (a) an allocator boot ---------------------------------------------- */

/* Boot, a grown pool, a restricted pool and a transient pool: every
 * allocation in allocator/boot.c and search.c. */
static int allocator_life(char *err, size_t errlen)
{
	struct swiotlb_boot_config cfg;
	struct io_tlb_mem *mem, *restricted = NULL;
	struct swiotlb_dev dev;
	struct swiotlb_work w;
	bool oom;
	int rc = -1;

	swiotlb_boot_config_init(&cfg, 4);
	cfg.dynamic = true;
	cfg.param.nslabs_set = true;
	cfg.param.nslabs = 256;
	cfg.param.nareas_set = true;
	cfg.param.nareas = 1;
	mem = swiotlb_boot(&cfg, err, errlen);
	if (!mem)
		return -1;
	if (!swiotlb_grow(mem, 0, 256, &oom, err, errlen))
		goto out;
	restricted = swiotlb_restricted_create(0x40000000, 1 << 20, 4096, err,
					       errlen);
	if (!restricted)
		goto out;
	/* Whole segments until both pools are full: then a transient pool
	 * takes the next. */
	swiotlb_dev_init(&dev, mem, 0, UINT64_MAX);
	w.transient_made = false;
	for (int i = 0; i < 8 && !w.transient_made; i++)
		if (swiotlb_tbl_map_single(&dev, 0, 0x100000, IO_TLB_SEGSIZE *
					   IO_TLB_SIZE, 0, &w) ==
		    SWIOTLB_MAP_ERROR)
			break;
	if (w.oom_bytes)
		error_oom(err, errlen, w.oom_bytes, "transient pool");
	else if (!w.transient_made)
		snprintf(err, errlen, "no transient pool was made");
	else
		rc = 0;
	swiotlb_dev_release(&dev);
out:
	swiotlb_mem_free(restricted);
	swiotlb_mem_free(mem);
	return rc;
}

/* ---- (b) the event engine under load ------------------------------------- */

/* Dense, then sparse, then dense again (level 0 changes width twice), with
 * a mass cancel (a purge): every allocating path of the queue. */
struct churn {
	uint64_t fired, next;
	sim_event_id cancel[4000];
};

static uint64_t mix(uint64_t x)	/* splitmix64's finaliser */
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void churn_fire(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct churn *c = subject;
	uint64_t r = mix(arg);

	if (++c->fired < 12000)
		sim_post_in(eng, r % 1000, churn_fire, c, c->next++);
	else if (c->fired < 14000)
		sim_post_in(eng, 40 + r % 211, churn_fire, c, c->next++);
	else if (c->fired < 20000 && sim_pending(eng) < 2000)
		for (int i = 0; i < 4; i++)
			sim_post_in(eng, mix(r + i) % 1000, churn_fire, c,
				    c->next++);
}

static int engine_load(char *err, size_t errlen)
{
	struct sim_engine *eng = sim_engine_new();
	struct churn *c = calloc(1, sizeof(*c));
	const char *what;
	size_t bytes;
	int rc = 0;

	if (!eng || !c) {
		error_oom(err, errlen, eng ? sizeof(*c) : sim_engine_bytes(),
			  "test state");
		free(c);
		sim_engine_free(eng);
		return -1;
	}
	for (int i = 0; i < 3000; i++)
		sim_post_at(eng, mix((uint64_t)i) % 1000, churn_fire, c,
			    c->next++);
	/* More cancelled than live: the queue purges them. */
	for (int i = 0; i < 4000; i++)
		c->cancel[i] = sim_schedule_at(eng, 500 + (uint64_t)i * 7,
					       churn_fire, c, 0);
	for (int i = 0; i < 4000; i++)
		sim_cancel(eng, c->cancel[i]);
	sim_run(eng);
	if (sim_out_of_memory(eng, &what, &bytes)) {
		/* Nothing fires any more, and time stays where it stopped. */
		sim_time_t now = sim_now(eng);

		rc = error_oom(err, errlen, bytes, "%s", what);
		if (sim_run(eng) || sim_run_until(eng, now + 1000) ||
		    sim_now(eng) != now)
			snprintf(err, errlen, "the engine ran on after %s",
				 what);
	} else if (c->fired < 20000 || sim_pending(eng)) {
		rc = -1;
		snprintf(err, errlen, "%llu events fired, %zu left",
			 (unsigned long long)c->fired, sim_pending(eng));
	}
	free(c);
	sim_engine_free(eng);
	return rc;
}

/* ---- (c) a scenario load -------------------------------------------------- */

static char scenario_full[4096], scenario_run[4096];

/* The scenario that sets every key, and overrides of every kind. */
static int scenario_load_full(char *err, size_t errlen)
{
	static const char *const sets[] = {
		"swiotlb.slabs=4096",
		"devices.0.queue_depth=64",
		"workloads.0.size=4k:50,64k:50",
		"workloads.0.cpus=0-7",
		"workloads.3.name=bench2",
		"run.seed=7",
	};
	struct scenario s;

	if (scenario_load(scenario_full, sets, sizeof(sets) / sizeof(sets[0]),
			  &s, err, errlen))
		return -1;
	scenario_free(&s);
	return 0;
}

/* ---- (d) the run command -------------------------------------------------- */

static char scratch[256], outdir[300];

/* Nothing in the scratch folder but the captured stderr and a complete run
 * in outdir, which the command leaves when it failed only after putting
 * it in place (printing the summary); that is removed for the next round. */
static bool no_partial_output(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;
	bool clean = true;
	char summary[400];

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "out") && strcmp(e->d_name, "stderr"))
			clean = false;
	closedir(d);
	snprintf(summary, sizeof(summary), "%s/summary.json", outdir);
	if (access(outdir, F_OK) == 0 && access(summary, F_OK) != 0)
		clean = false;
	remove_tree(outdir);
	return clean;
}

/* `swiotlb-sim run`, its stdout dropped and its stderr (the error) read
 * back into err. */
static int run_command(char *err, size_t errlen)
{
	char *argv[] = { "run", scenario_run, "-o", outdir, NULL };
	char errpath[300];
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int fd, rc;
	FILE *f;
	size_t n;

	snprintf(errpath, sizeof(errpath), "%s/stderr", scratch);
	fflush(stdout);
	fflush(stderr);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	rc = cmd_run(4, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	f = fopen(errpath, "r");
	n = f ? fread(err, 1, errlen - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	unlink(errpath);
	return rc == 0 ? 0 : rc == 1 ? -1 : rc;
}

static long run_stride = 1;

static void test_allocator_boot(void)
{
	fail_each("allocator boot", allocator_life, nothing_left, 1);
}

static void test_engine_under_load(void)
{
	fail_each("engine under load", engine_load, nothing_left, 1);
}

static void test_scenario_load(void)
{
	fail_each("scenario load", scenario_load_full, nothing_left, 1);
}

static void test_run_command(void)
{
	fail_each("run command", run_command, no_partial_output, run_stride);
}

int main(void)
{
	const char *src = getenv("SWSIM_SOURCE_DIR");

	src = src && *src ? src : ".";
	snprintf(scenario_full, sizeof(scenario_full),
		 "%s/tests/data/scenarios/full.yaml", src);
	snprintf(scenario_run, sizeof(scenario_run), "%s/tests/oom/run.yaml",
		 src);
	snprintf(scratch, sizeof(scratch), "/tmp/swsim-oom-XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(outdir, sizeof(outdir), "%s/out", scratch);
	inject.trap = getenv("SWSIM_OOM_TRAP");
	/* Every N by default; a stride for a run made longer by hand. */
	if (getenv("SWSIM_OOM_RUN_STRIDE") &&
	    atol(getenv("SWSIM_OOM_RUN_STRIDE")) > 0)
		run_stride = atol(getenv("SWSIM_OOM_RUN_STRIDE"));
	RUN(test_allocator_boot);
	RUN(test_engine_under_load);
	RUN(test_scenario_load);
	RUN(test_run_command);
	remove_tree(scratch);
	return tu_finish();
}
