/* tests/cli/test_replay_errors.c - the replay command on malformed traces: one
 * "FILE:LINE: message" naming the culprit, and only earlier answers printed. */
#include "cli/replay.h"
#include "tests/testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_PATH "traces/bad.trace"

/* Four good lines (a comment, boot, dev, map) and their answers; a bad line
 * after them is line 5. A `stats` after the bad line must never answer. */
#define PREFIX "# four good lines first\n"                               \
	"boot cpus=4 swiotlb=1024\n"                                     \
	"dev name=nvme0 min_align_mask=0xfff\n"                          \
	"map id=1 cpu=0 dev=nvme0 orig=0x1234000 size=8192\n"
#define PREFIX_OUT "boot nslabs=1024 nareas=4 area_nslabs=256\n"         \
	"map 1 0x80000000\n"
#define AFTER_BAD "stats\n"
#define BAD(line) PREFIX line "\n" AFTER_BAD, 5, PREFIX_OUT

struct bad_case {
	const char *trace;
	unsigned line;          /* the bad line's number */
	const char *out;        /* the answers of the lines before it */
	const char *says[3];    /* what the message must mention */
};

/* What one in-memory replay produced. */
struct replay_result {
	int status;
	char *out, *err;
	size_t outlen, errlen;
};

static struct replay_result replay_string(const char *trace, bool check)
{
	struct replay_result r = { 0 };
	char *text = strdup(trace);
	FILE *in = text ? fmemopen(text, strlen(text), "r") : NULL;
	FILE *out = open_memstream(&r.out, &r.outlen);
	FILE *err = open_memstream(&r.err, &r.errlen);

	if (!in || !out || !err) {
		fprintf(stderr, "cannot set up in-memory streams\n");
		exit(1);
	}
	r.status = replay_trace(in, TRACE_PATH, out, err, check);
	fclose(in);
	fclose(out);
	fclose(err);
	free(text);
	return r;
}

static void result_free(struct replay_result *r)
{
	free(r->out);
	free(r->err);
}

/* err is exactly one line: "PATH:LINE: message" holding every `says`. */
static void check_error_line(const char *err, const char *path, unsigned line,
			     const char *const says[3])
{
	char prefix[256];
	size_t len = strlen(err);
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "%s:%u: ",
				       path, line);

	CHECK(len > plen && err[len - 1] == '\n');
	CHECK(strchr(err, '\n') == err + len - 1);
	CHECK(!strncmp(err, prefix, plen));
	for (int i = 0; i < 3 && says[i]; i++)
		CHECK(len > plen && strstr(err + plen, says[i]) != NULL);
}

static void expect_error(const struct bad_case *c, bool check)
{
	struct replay_result r = replay_string(c->trace, check);
	int before = tu_failures;

	CHECK(r.status != 0);
	check_error_line(r.err, TRACE_PATH, c->line, c->says);
	CHECK(!strcmp(r.out, c->out));
	if (tu_failures != before)
		fprintf(stderr, "  trace:\n%s  got err: %s  got out:\n%s",
			c->trace, r.err, r.out);
	result_free(&r);
}

static void expect_errors(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		expect_error(&cases[i], false);
		expect_error(&cases[i], true);
	}
}

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* Errors the reader finds in the line alone. */
static void test_syntax_errors(void)
{
	static const struct bad_case cases[] = {
		{ "frobnicate cpus=1\nboot cpus=1 swiotlb=512\n", 1, "",
		  { "unknown op", "\"frobnicate\"" } },
		{ BAD("mapp id=2 cpu=0 dev=nvme0 orig=0x1000 size=512"),
		  { "unknown op", "\"mapp\"" } },
		/* sync exists only in timed traces. */
		{ BAD("sync id=1 dir=cpu"), { "unknown op", "\"sync\"" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size=512 colour=red"),
		  { "unknown key", "\"colour\"" } },
		/* A key of another op is still unknown here. */
		{ BAD("unmap id=1 size=512"), { "\"size\"", "unmap" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size"),
		  { "\"size\"", "key=value" } },
		{ BAD("map id=2 id=3 cpu=0 dev=nvme0 orig=0x1000 size=512"),
		  { "\"id\"", "twice" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000"), { "map", "size=" } },
		{ "boot cpus=2\n", 1, "", { "boot", "swiotlb=" } },
		{ BAD("unmap"), { "unmap", "id=" } },
	};

	expect_errors(cases, NCASES(cases));
}

/* Numbers that do not read, or read but are out of range. */
static void test_bad_values(void)
{
	static const struct bad_case cases[] = {
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size=12x"),
		  { "size=12x", "not a number" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=-1 size=512"),
		  { "orig=-1", "not a number" } },
		{ BAD("map id=0x cpu=0 dev=nvme0 orig=0x1000 size=512"),
		  { "id=0x", "not a number" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 "
		      "size=99999999999999999999999"),
		  { "size=99999999999999999999999" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size=0"),
		  { "size=0" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size=512 align=0x1000"),
		  { "align=0x1000" } },
		{ BAD("map id=2 cpu=0 dev=nvme0 orig=0x1000 size=512 "
		      "align=0xffffffff"), { "align=0xffffffff" } },
		{ BAD("dev name=sda seg_boundary=0x3ff"), { "seg_boundary=0x3ff" } },
		{ BAD("dev name=sda seg_boundary=0x1000"),
		  { "seg_boundary=0x1000" } },
		{ "boot cpus=4 swiotlb=12,4,forse\n", 1, "",
		  { "swiotlb=12,4,forse", "\"forse\"" } },
		{ "boot cpus=0 swiotlb=512\n", 1, "", { "cpus=0" } },
		{ "boot cpus=1 swiotlb=512 dynamic=2\n", 1, "", { "dynamic=2" } },
		{ "boot cpus=1 swiotlb=512 page_size=1000\n", 1, "",
		  { "page_size=1000" } },
	};

	expect_errors(cases, NCASES(cases));
}

/* Errors that need what earlier lines set up: devices, CPUs, live ids. */
static void test_state_errors(void)
{
	static const struct bad_case cases[] = {
		{ BAD("map id=2 cpu=0 dev=sda orig=0x1000 size=512"),
		  { "unknown device", "\"sda\"" } },
		{ BAD("map id=2 cpu=4 dev=nvme0 orig=0x1000 size=512"),
		  { "cpu=4", "4 CPUs" } },
		{ BAD("unmap id=9"), { "id=9", "not a live mapping" } },
		{ BAD("map id=1 cpu=1 dev=nvme0 orig=0x1000 size=512"),
		  { "id=1", "already live" } },
		{ BAD("dev name=nvme0"), { "\"nvme0\"", "twice" } },
	};

	expect_errors(cases, NCASES(cases));
}

/* boot must come first, once; grow needs a dynamic allocator. */
static void test_boot_and_grow_errors(void)
{
	static const struct bad_case cases[] = {
		{ "dev name=sda\nboot cpus=1 swiotlb=512\n", 1, "",
		  { "first op", "boot" } },
		{ "# comment\n\nmap id=1 cpu=0 dev=a orig=0x1000 size=1\n", 3, "",
		  { "first op", "boot" } },
		{ BAD("boot cpus=4 swiotlb=1024"), { "boot", "twice" } },
		{ BAD("grow start=0x100000000 nslabs=512"),
		  { "grow", "dynamic=1" } },
		{ "boot cpus=2 swiotlb=,noforce dynamic=1\n"
		  "grow start=0x100000000 nslabs=512\nstats\n", 2,
		  "boot nslabs=0 nareas=0 area_nslabs=0\n",
		  { "grow", "noforce" } },
		{ "boot cpus=2 swiotlb=512 dynamic=1\n"
		  "grow start=0x100000000 nslabs=100\n", 2,
		  "boot nslabs=512 nareas=2 area_nslabs=256\n",
		  { "nslabs=100" } },
		{ "boot cpus=2 swiotlb=512 dynamic=1\n"
		  "grow start=0x80000000 nslabs=512\n", 2,
		  "boot nslabs=512 nareas=2 area_nslabs=256\n",
		  { "0x80000000", "overlaps" } },
	};

	expect_errors(cases, NCASES(cases));
}

/* A trace of only comments has no boot: an error, and no answers. */
static void test_no_boot(void)
{
	struct replay_result r = replay_string("# nothing here\n\n", false);

	CHECK(r.status != 0);
	CHECK(!strncmp(r.err, TRACE_PATH ":", strlen(TRACE_PATH ":")));
	CHECK(strstr(r.err, "no boot") != NULL);
	CHECK_EQ(r.outlen, 0);
	result_free(&r);
}

/* Every op, the optional forms (hex, tabs, trailing comments, blank lines)
 * and id reuse after FULL and after unmap; answers worked out by hand. */
static const char valid_trace[] =
	"# every op once\n"
	"boot cpus=2 swiotlb=0x400 dynamic=1 page_size=4096\t# 2 areas\n"
	"dev name=nic\n"
	"dev\tname=nvme0 min_align_mask=0xfff seg_boundary=0xffffffff\n"
	"\n"
	"map id=1 cpu=1 dev=nic orig=0 size=1\n"
	"map id=2 cpu=0 dev=nvme0 orig=0x1234800 size=300000\n"
	"map id=2 cpu=0 dev=nvme0 orig=0x1234800 size=4096 align=0xfff\n"
	"unmap id=1\n"
	"map id=1 cpu=1 dev=nic orig=0x5000 size=0x2000\n"
	"grow start=0x100000000 nslabs=384\n"
	"stats\n";
static const char valid_out[] =
	"boot nslabs=1024 nareas=2 area_nslabs=512\n"
	"map 1 0x80100000\n"            /* CPU 1's area starts at slot 512 */
	"map 2 FULL\n"                  /* over 256 KiB */
	"map 2 0x80000800\n"            /* a padding slot keeps bit 0x800 */
	"unmap 1\n"
	"map 1 0x80101000\n"            /* page rule skips slot 513 */
	"grow nslabs=384 nareas=2\n"
	"stats nslabs=1408 used=8 hiwater=8 transient=0\n";

static void test_valid_trace(void)
{
	for (int check = 0; check < 2; check++) {
		struct replay_result r = replay_string(valid_trace, check);

		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.errlen, 0);
		CHECK(!strcmp(r.out, valid_out));
		if (strcmp(r.out, valid_out))
			fprintf(stderr, "  got:\n%s  err: %s", r.out, r.err);
		result_free(&r);
	}
}

/* Reads a whole file into a string; NULL when it cannot. */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int c;

	if (!f || !mem) {
		if (f)
			fclose(f);
		if (mem)
			fclose(mem);
		free(buf);
		return NULL;
	}
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

/* One conformance vector through replay_trace() with the invariant check
 * on after every op: status 0, nothing on err, the expected answers. */
static void check_vector(const char *dir, const char *trace_name)
{
	char path[4096];
	int stem = (int)(strlen(trace_name) - strlen(".trace"));
	char *trace = NULL, *expected = NULL;

	/* A path too long for the buffer is reported as unreadable. */
	if (snprintf(path, sizeof(path), "%s/%s", dir, trace_name) <
	    (int)sizeof(path))
		trace = read_all(path);
	if (snprintf(path, sizeof(path), "%s/%.*s.expected", dir, stem,
		     trace_name) < (int)sizeof(path))
		expected = read_all(path);
	CHECK(trace && expected);
	if (trace && expected) {
		struct replay_result r = replay_string(trace, true);

		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.errlen, 0);
		CHECK(!strcmp(r.out, expected));
		if (r.status || strcmp(r.out, expected))
			fprintf(stderr, "  vector %s: %s", trace_name, r.err);
		result_free(&r);
	}
	free(trace);
	free(expected);
}

static void test_vectors_checked(void)
{
	const char *src = getenv("SWSIM_SOURCE_DIR");
	char dir[4096];
	struct dirent *e;
	DIR *d;
	unsigned n = 0;

	if (!src) {
		tu_fail(__FILE__, __LINE__, "SWSIM_SOURCE_DIR is not set (CTest "
			"sets it to the source tree)");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/tests/conformance/vectors", src);
	d = opendir(dir);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 6 && !strcmp(e->d_name + len - 6, ".trace")) {
			check_vector(dir, e->d_name);
			n++;
		}
	}
	if (d)
		closedir(d);
	CHECK(n >= 35);
}

/* Runs `BIN replay [--check] TRACE` with stdout and stderr into files;
 * returns the exit status, or -1 when it did not exit normally. */
static int run_binary(const char *bin, bool check, const char *trace,
		      const char *out_path, const char *err_path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen(out_path, "w", stdout) ||
		    !freopen(err_path, "w", stderr))
			_exit(126);
		if (check)
			execl(bin, bin, "replay", "--check", trace, (char *)NULL);
		else
			execl(bin, bin, "replay", trace, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Writes text to a fresh temporary file named from tmpl (XXXXXX). */
static bool write_temp(char *tmpl, const char *text)
{
	int fd = mkstemp(tmpl);
	size_t len = strlen(text);
	bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* The real binary, as CTest gives it: a bad file ends in a non-zero exit
 * status and "FILE:LINE: ..." on stderr; a good one in 0 and silence. */
static void test_binary_end_to_end(void)
{
	const char *bin = getenv("SWSIM_BINARY");
	static const char *const says[3] = { "size=12x" };
	char bad[] = "/tmp/swsim-bad-XXXXXX", good[] = "/tmp/swsim-good-XXXXXX";
	char out[] = "/tmp/swsim-out-XXXXXX", err[] = "/tmp/swsim-err-XXXXXX";

	if (!bin) {
		tu_fail(__FILE__, __LINE__, "SWSIM_BINARY is not set (CTest "
			"sets it to the swiotlb-sim binary)");
		return;
	}
	CHECK(write_temp(bad, PREFIX "map id=2 cpu=0 dev=nvme0 orig=0x1000 "
			 "size=12x\n" AFTER_BAD));
	CHECK(write_temp(good, valid_trace));
	CHECK(write_temp(out, "") && write_temp(err, ""));
	for (int check = 0; check < 2; check++) {
		char *o, *e;

		CHECK(run_binary(bin, check, bad, out, err) > 0);
		o = read_all(out);
		e = read_all(err);
		CHECK(o && e);
		if (o && e) {
			check_error_line(e, bad, 5, says);
			CHECK(!strcmp(o, PREFIX_OUT));
		}
		free(o);
		free(e);
		CHECK_EQ(run_binary(bin, check, good, out, err), 0);
		o = read_all(out);
		e = read_all(err);
		CHECK(o && e && !strcmp(o, valid_out) && !*e);
		free(o);
		free(e);
	}
	unlink(bad);
	unlink(good);
	unlink(out);
	unlink(err);
}

int main(void)
{
	RUN(test_syntax_errors);
	RUN(test_bad_values);
	RUN(test_state_errors);
	RUN(test_boot_and_grow_errors);
	RUN(test_no_boot);
	RUN(test_valid_trace);
	RUN(test_vectors_checked);
	RUN(test_binary_end_to_end);
	return tu_finish();
}
