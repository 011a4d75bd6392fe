/* tests/run_fixture.h - what the run-pipeline tests share: a scratch folder,
 * loading the example scenarios, running one into a folder, reading the
 * result files (CSV columns by name, numbers from summary.json), and running
 * the swiotlb-sim binary ($SWSIM_BINARY) with its output captured. */
#ifndef SWSIM_TESTS_RUN_FIXTURE_H
#define SWSIM_TESTS_RUN_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "base/outfile.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "tests/testutil.h"

static char rf_base[256];

static inline const char *rf_source(void)
{
	const char *src = getenv("SWSIM_SOURCE_DIR");

	return src && *src ? src : ".";
}

/* A fresh scratch folder for this test program. */
static inline bool rf_setup(void)
{
	snprintf(rf_base, sizeof(rf_base), "/tmp/swsim-test-XXXXXX");
	if (!mkdtemp(rf_base)) {
		fprintf(stderr, "cannot make a scratch folder: %s\n",
			strerror(errno));
		return false;
	}
	return true;
}

static inline int rf_remove_entry(const char *path, const struct stat *st,
				  int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void rf_teardown(void)
{
	nftw(rf_base, rf_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void rf_subdir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", rf_base, name);
}

/* scenarios/<name>.yaml with overrides. */
static inline bool rf_load(const char *name, const char *const *ov,
			   size_t nov, struct scenario *s)
{
	char path[1024], err[SCENARIO_ERR_MAX];

	snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", rf_source(), name);
	if (scenario_load(path, ov, nov, s, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "load %s: %s", name, err);
		return false;
	}
	return true;
}

/* Runs s quietly into dir. */
static inline bool rf_run(const struct scenario *s, const char *dir)
{
	struct run_options o = { .scenario_path = "scenario.yaml",
				 .outdir = dir, .quiet = true };
	char err[1024];

	if (run_scenario(s, &o, err, sizeof(err))) {
		tu_fail(__FILE__, __LINE__, "run %s: %s", s->name, err);
		return false;
	}
	return true;
}

/* The whole file, NUL-terminated (malloc'd), or NULL. */
static inline char *rf_read(const char *dir, const char *name, size_t *len)
{
	char path[OUTFILE_PATH_MAX];
	FILE *f;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int ch;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	while ((ch = getc(f)) != EOF) {
		if (n + 1 >= cap) {
			char *more = realloc(buf, cap ? 2 * cap : 4096);

			if (!more)
				break;
			buf = more;
			cap = cap ? 2 * cap : 4096;
		}
		buf[n++] = (char)ch;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static inline size_t rf_file_size(const char *dir, const char *name)
{
	char path[OUTFILE_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static inline bool rf_same_file(const char *a, const char *b, const char *name)
{
	size_t la = 0, lb = 0;
	char *x = rf_read(a, name, &la), *y = rf_read(b, name, &lb);
	bool same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

static inline bool rf_file_contains(const char *dir, const char *name,
				    const char *text)
{
	char *s = rf_read(dir, name, NULL);
	bool found = s && strstr(s, text);

	free(s);
	return found;
}

static inline bool rf_file_starts_with(const char *dir, const char *name,
				       const char *prefix)
{
	size_t len;
	char *s = rf_read(dir, name, &len);
	bool ok = s && len >= strlen(prefix) &&
		  !memcmp(s, prefix, strlen(prefix));

	free(s);
	return ok;
}

/* ---- summary.json ---------------------------------------------------------- */

/* The number after "key": that follows `"within": {` (the summary's first
 * "key" when within is NULL); a test failure and 0 when there is none. */
static inline uint64_t rf_json_after(const char *dir, const char *within,
				     const char *key, int line)
{
	char *s = rf_read(dir, "summary.json", NULL), pat[256];
	const char *at = s;
	unsigned long long v = 0;

	if (s && within) {
		snprintf(pat, sizeof(pat), "%s", within);
		at = strstr(s, pat);
	}
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	at = at ? strstr(at, pat) : NULL;
	if (!at || sscanf(at + strlen(pat), "%llu", &v) != 1)
		tu_fail(__FILE__, line, "summary.json in %s: no %s after %s",
			dir, key, within ? within : "the start");
	free(s);
	return v;
}

/* A number of a section ("totals", "pool") of summary.json, or of the top
 * level when section is NULL. */
static inline uint64_t rf_json_u64_at(const char *dir, const char *section,
				      const char *key, int line)
{
	char within[128];

	if (!section)
		return rf_json_after(dir, NULL, key, line);
	snprintf(within, sizeof(within), "\"%s\": {", section);
	return rf_json_after(dir, within, key, line);
}
#define rf_json_u64(dir, section, key) \
	rf_json_u64_at(dir, section, key, __LINE__)

/* A number in a device's entry of summary.json's "devices". */
static inline uint64_t rf_json_dev_at(const char *dir, const char *device,
				      const char *key, int line)
{
	char within[128];

	snprintf(within, sizeof(within), "{\"name\": \"%s\", \"bounce\"",
		 device);
	return rf_json_after(dir, within, key, line);
}
#define rf_json_dev_u64(dir, device, key) \
	rf_json_dev_at(dir, device, key, __LINE__)

/* summary.json parsed (release with json_free); false after a test failure. */
static inline bool rf_json_load(const char *dir, struct json *j)
{
	size_t len;
	char *text = rf_read(dir, "summary.json", &len), err[256];
	bool ok = text && !json_parse(text, len, j, err, sizeof(err));

	if (!ok)
		tu_fail(__FILE__, __LINE__, "%s/summary.json: %s", dir,
			text ? err : "cannot read");
	free(text);
	return ok;
}

/* The sum of a number over the entries of an array of summary.json. */
static inline double rf_json_sum(const struct json *j, const char *array,
				 const char *key)
{
	const struct json *a = json_get(j, array);
	double sum = 0;

	for (size_t i = 0; a && a->type == JSON_ARRAY && i < a->n; i++)
		sum += json_number(&a->items[i], key, 0);
	return sum;
}

/* ---- CSV files --------------------------------------------------------------- */

struct rf_csv {
	char *text;                /* the file, cut into fields in place */
	char *header;              /* the header line as written */
	char *col[256];            /* column names */
	size_t ncols;
	char ***row;               /* row[r][c] */
	size_t nrows;
	size_t bad_rows;           /* rows without ncols fields (not kept) */
};

static inline size_t rf_split(char *line, char **out, size_t max)
{
	size_t n = 0;

	for (char *p = line; ; p++) {
		if (n < max)
			out[n] = p;
		n++;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p = '\0';
	}
}

static inline bool rf_csv_read(struct rf_csv *t, const char *dir,
			       const char *name)
{
	char *line, *next;

	memset(t, 0, sizeof(*t));
	t->text = rf_read(dir, name, NULL);
	if (!t->text || !*t->text) {
		tu_fail(__FILE__, __LINE__, "%s/%s: missing or empty", dir,
			name);
		free(t->text);
		return false;
	}
	next = strchr(t->text, '\n');
	if (next)
		*next++ = '\0';
	t->header = strdup(t->text);
	t->ncols = rf_split(t->text, t->col, 256);
	for (line = next; line && *line; line = next) {
		char **fields = calloc(t->ncols + 1, sizeof(*fields));
		char ***rows = realloc(t->row, (t->nrows + 1) * sizeof(*rows));

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!fields || !rows) {
			free(fields);
			t->bad_rows++;
			break;
		}
		t->row = rows;
		if (rf_split(line, fields, t->ncols + 1) != t->ncols) {
			free(fields);
			t->bad_rows++;
			continue;
		}
		t->row[t->nrows++] = fields;
	}
	return true;
}

static inline void rf_csv_free(struct rf_csv *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		free(t->row[r]);
	free(t->row);
	free(t->header);
	free(t->text);
}

static inline const char *rf_csv_str(const struct rf_csv *t, size_t r,
				     const char *col)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!strcmp(t->col[c], col))
			return t->row[r][c];
	tu_fail(__FILE__, __LINE__, "no column %s", col);
	return "";
}

static inline uint64_t rf_csv_u64(const struct rf_csv *t, size_t r,
				  const char *col)
{
	return strtoull(rf_csv_str(t, r, col), NULL, 10);
}

/* ---- the binary ----------------------------------------------------------------- */

/* Runs $SWSIM_BINARY with argv (argv[0] is ignored), stdout and stderr
 * into out and err (NUL-terminated, cut to their size); returns the exit
 * status, or -1 when it could not run. */
static inline int rf_cli(const char *const *argv, char *out, size_t outlen,
			 char *err, size_t errlen)
{
	const char *bin = getenv("SWSIM_BINARY");
	char opath[300], epath[300];
	int status, ofd, efd;
	pid_t pid;
	char *s;

	if (!bin || !*bin)
		bin = "./swiotlb-sim";
	snprintf(opath, sizeof(opath), "%s/cli-out", rf_base);
	snprintf(epath, sizeof(epath), "%s/cli-err", rf_base);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		ofd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		efd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (ofd < 0 || efd < 0 || dup2(ofd, 1) < 0 || dup2(efd, 2) < 0)
			_exit(126);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	s = rf_read(rf_base, "cli-out", NULL);
	snprintf(out, outlen, "%s", s ? s : "");
	free(s);
	s = rf_read(rf_base, "cli-err", NULL);
	snprintf(err, errlen, "%s", s ? s : "");
	free(s);
	return WEXITSTATUS(status);
}

#endif
