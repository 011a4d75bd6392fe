/* tests/cli/test_explain_cli.c - `swiotlb-sim explain` ($SWSIM_BINARY):
 * lines as arguments and on stdin, the verdict in the text, JSON that
 * parses, a starter scenario that loads and runs, and one-line errors. */
#define _GNU_SOURCE
#include "base/json.h"
#include "tests/run_fixture.h"
#include "tests/testutil.h"

#define OUT_MAX 65536

static char out[OUT_MAX], err[OUT_MAX];

#define CLI(...) rf_cli((const char *const[]){ "swiotlb-sim", __VA_ARGS__, \
					       NULL }, out, OUT_MAX, err, \
			OUT_MAX)

static const char too_large[] =
	"[  812.120031] nvme 0000:00:04.0: swiotlb buffer is full (sz: 2097152 "
	"bytes), total 32768 (slots), used 1024 (slots)";

static const char coco_log[] =
	"[    0.000000] Linux version 6.12.9-amd64\n"
	"[    0.004387] software IO TLB: SWIOTLB bounce buffer size adjusted "
	"to 64MB\n"
	"[    0.298763] software IO TLB: area num 4.\n"
	"[    1.215133] software IO TLB: mapped [mem 0x000000007bfdf000-"
	"0x000000007ffdf000] (64MB)\n"
	"[    3.100000] software IO TLB: Memory encryption is active and "
	"system is using DMA bounce buffers\n"
	"[  812.120031] nvme 0000:00:04.0: swiotlb buffer is full (sz: 131072 "
	"bytes), total 32768 (slots), used 32700 (slots)\n";

/* Runs explain with `input` on stdin (a file in the scratch folder). */
static int cli_stdin(const char *input, const char *args)
{
	char in[300], cmd[2048];
	const char *bin = getenv("SWSIM_BINARY");
	FILE *f;
	int status;
	char *s;

	snprintf(in, sizeof(in), "%s/stdin.txt", rf_base);
	f = fopen(in, "w");
	if (!f)
		return -1;
	fputs(input, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' explain %s < '%s' > '%s/o' 2> '%s/e'",
		 bin ? bin : "./swiotlb-sim", args, in, rf_base, rf_base);
	status = system(cmd);
	s = rf_read(rf_base, "o", NULL);
	snprintf(out, sizeof(out), "%s", s ? s : "");
	free(s);
	s = rf_read(rf_base, "e", NULL);
	snprintf(err, sizeof(err), "%s", s ? s : "");
	free(s);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_argument_line(void)
{
	CHECK_EQ(CLI("explain", too_large), 0);
	CHECK(strstr(out, "verdict: too large for any pool") != NULL);
	CHECK(strstr(out, "dma_max_mapping_size()") != NULL);
	/* nvme's mask: 256 KiB less 4 KiB. */
	CHECK(strstr(out, "252 KiB for this device") != NULL);
	CHECK(!err[0]);
}

/* A whole dmesg on stdin: the CoCo machine and a pool too small. */
static void test_stdin_log(void)
{
	CHECK_EQ(cli_stdin(coco_log, "--fills 20"), 0);
	CHECK(strstr(out, "boot pool: 32768 slots (64 MiB)") != NULL);
	CHECK(strstr(out, "areas: 4 asked for") != NULL);
	CHECK(strstr(out, "confidential VM") != NULL);
	CHECK(strstr(out, "verdict: pool too small") ||
	      strstr(out, "verdict: pool full"));
	CHECK(strstr(out, "swiotlb=65536 (128 MiB)") != NULL);
	CHECK(strstr(out, "6% rule") != NULL);
	/* Same input, same output. */
	{
		char first[OUT_MAX];

		memcpy(first, out, sizeof(first));
		CHECK_EQ(cli_stdin(coco_log, "--fills 20"), 0);
		CHECK(!strcmp(first, out));
	}
}

static void test_json(void)
{
	struct json j;
	char jerr[256];

	CHECK_EQ(cli_stdin(coco_log, "--fills 10 --format json"), 0);
	CHECK_EQ(json_parse(out, strlen(out), &j, jerr, sizeof(jerr)), 0);
	CHECK_EQ(json_number(&j, "machine.boot_nslabs", 0), 32768);
	CHECK_EQ(json_number(&j, "machine.nareas_asked", 0), 4);
	CHECK_EQ(json_number(&j, "lines", 0), 6);
	CHECK_EQ(json_number(&j, "recognised", 0), 5);
	json_free(&j);
}

/* The starter scenario loads, names the device and pool, and runs. */
static void test_scenario(void)
{
	char path[300], dir[300], args[700];
	struct scenario s;
	char serr[SCENARIO_ERR_MAX];

	snprintf(path, sizeof(path), "%s/starter.yaml", rf_base);
	snprintf(args, sizeof(args), "--fills 10 --scenario '%s'", path);
	CHECK_EQ(cli_stdin(coco_log, args), 0);
	if (scenario_load(path, NULL, 0, &s, serr, sizeof(serr))) {
		tu_fail(__FILE__, __LINE__, "starter: %s", serr);
		return;
	}
	CHECK(!strcmp(s.name, "starter"));
	CHECK(s.swiotlb.coco);
	CHECK_EQ(s.swiotlb.slabs, 32768);
	CHECK_EQ(s.swiotlb.areas, 4);
	CHECK_EQ(s.ndevices, 1);
	CHECK(!strcmp(s.devices[0].name, "0000:00:04.0"));
	CHECK_EQ(s.nworkloads, 1);
	scenario_free(&s);
	snprintf(dir, sizeof(dir), "%s/starter-run", rf_base);
	CHECK_EQ(CLI("run", path, "-o", dir, "--quiet", "--set",
		     "run.duration=5ms", "--set", "run.warmup=0"), 0);
	/* The 6% rule, which still applies to swiotlb=32768, must not have
	 * made the pool bigger than the log's. */
	CHECK_EQ(rf_json_u64_at(dir, "pool", "boot_nslabs", __LINE__), 32768);
}

/* Bad input: one line, a non-zero exit, no scenario left behind. */
static void test_errors(void)
{
	char path[300];

	CHECK_EQ(CLI("explain", "nvme x: swiotlb buffer is full (sz: many "
		     "bytes)"), 1);
	CHECK(!strncmp(err, "argument 1: swiotlb buffer is full: cannot read",
		       47));
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);
	CHECK_EQ(cli_stdin("[ 0.0] Linux version 6.12\nhello\n", ""), 1);
	CHECK(strstr(err, "no swiotlb message in 2 line(s)") != NULL);
	CHECK_EQ(CLI("explain", "--bogus"), 2);
	CHECK(strstr(err, "unknown option \"--bogus\"") != NULL);
	CHECK_EQ(CLI("explain", "--fills"), 2);
	CHECK_EQ(CLI("explain", "--min-align-mask", "0x1000", too_large), 2);
	snprintf(path, sizeof(path), "%s/none.yaml", rf_base);
	CHECK_EQ(CLI("explain", "--scenario", path,
		     "software IO TLB: area num 4."), 1);
	CHECK(strstr(err, "needs a \"swiotlb buffer is full\" message"));
	CHECK(access(path, F_OK) != 0);
	CHECK_EQ(CLI("explain", "--help"), 0);
	CHECK(strstr(out, "usage: swiotlb-sim explain") != NULL);
}

int main(void)
{
	if (!rf_setup())
		return 1;
	RUN(test_argument_line);
	RUN(test_stdin_log);
	RUN(test_json);
	RUN(test_scenario);
	RUN(test_errors);
	rf_teardown();
	return tu_finish();
}
