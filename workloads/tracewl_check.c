/* workloads/tracewl_check.c - what trace replay checks beyond optrace's
 * per-line syntax: devices against the machine, map lines' CPU and size,
 * sync sizes, and the whole-file pass that runs them before the replay. */
#include "workloads/tracewl_impl.h"

#include "base/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void tw_line_error(char *err, size_t errlen, const char *path,
		   const struct optrace_line *l, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%lu: ", path, l->lineno);

	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static const struct tw_dev *devtab_find(const struct tw_devtab *tab,
					const char *name)
{
	for (size_t i = 0; i < tab->n; i++)
		if (!strcmp(tab->devs[i].name, name))
			return &tab->devs[i];
	return NULL;
}

/* The machine name a trace's device name stands for. */
static const char *machine_name(const struct tracewl *tw, const char *name)
{
	for (size_t i = 0; i < tw->cfg.ndevnames; i++)
		if (!strcmp(tw->cfg.devnames[i].trace, name))
			return tw->cfg.devnames[i].machine;
	return name;
}

/* "a, b, c" of the machine's devices, for messages. */
static void list_devices(struct machine *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < machine_ndevices(m) && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 machine_device_name(machine_device_at(m, i)));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

struct machine_device *tw_dev_declare(const struct tracewl *tw,
				      struct tw_devtab *tab, const char *path,
				      const struct optrace_line *l, char *err,
				      size_t errlen)
{
	const char *mname = machine_name(tw, l->name);
	struct machine_device *dev = machine_device_find(tw->m, mname);
	char names[160];

	if (devtab_find(tab, l->name)) {
		tw_line_error(err, errlen, path, l,
			      "device \"%s\" declared twice", l->name);
		return NULL;
	}
	if (!dev) {
		list_devices(tw->m, names, sizeof(names));
		tw_line_error(err, errlen, path, l,
			      "device \"%s\"%s%s%s is not in the machine "
			      "(it has: %s)", l->name,
			      mname != l->name ? " (named \"" : "",
			      mname != l->name ? mname : "",
			      mname != l->name ? "\")" : "", names);
		return NULL;
	}
	if (tab->n == tab->cap) {
		size_t cap = tab->cap ? 2 * tab->cap : 4;
		void *p = realloc(tab->devs, cap * sizeof(*tab->devs));

		if (!p) {
			char why[128];

			error_oom(why, sizeof(why), cap * sizeof(*tab->devs),
				  "table of %zu devices", cap);
			tw_line_error(err, errlen, path, l, "%s", why);
			return NULL;
		}
		tab->devs = p;
		tab->cap = cap;
	}
	strcpy(tab->devs[tab->n].name, l->name);
	tab->devs[tab->n++].dev = dev;
	return dev;
}

void tw_devtab_free(struct tw_devtab *tab)
{
	free(tab->devs);
	*tab = (struct tw_devtab){ 0 };
}

struct machine_device *tw_check_map(const struct tracewl *tw,
				    const struct tw_devtab *tab,
				    const char *path,
				    const struct optrace_line *l, char *err,
				    size_t errlen)
{
	const struct tw_dev *d = devtab_find(tab, l->name);
	uint64_t max;

	if (!d) {
		tw_line_error(err, errlen, path, l,
			      "unknown device \"%s\" (no dev line declared it)",
			      l->name);
		return NULL;
	}
	if (l->cpu >= machine_ncpus(tw->m)) {
		tw_line_error(err, errlen, path, l,
			      "cpu=%" PRIu64 ": the machine has %u CPUs",
			      l->cpu, machine_ncpus(tw->m));
		return NULL;
	}
	max = machine_device_max_segment(d->dev);
	if (l->size > max) {
		tw_line_error(err, errlen, path, l,
			      "size=%" PRIu64 ": above the largest map device "
			      "\"%s\" can make (%" PRIu64 " bytes), so it "
			      "could never succeed", l->size, l->name, max);
		return NULL;
	}
	return d->dev;
}

uint64_t tw_check_sync(const char *path, const struct optrace_line *l,
		       uint64_t map_size, char *err, size_t errlen)
{
	if (l->size > map_size) {
		tw_line_error(err, errlen, path, l,
			      "sync size=%" PRIu64 ": larger than mapping id=%"
			      PRIu64 " (%" PRIu64 " bytes)", l->size, l->id,
			      map_size);
		return 0;
	}
	return l->size ? l->size : map_size;
}

/* One line of the checking pass; `live` maps ids to their sizes. */
static int check_line(const struct tracewl *tw, struct tw_devtab *tab,
		      struct idmap *live, const char *path,
		      const struct optrace_line *l, char *err, size_t errlen)
{
	size_t size;

	switch (l->op) {
	case OPTRACE_DEV:
		return tw_dev_declare(tw, tab, path, l, err, errlen) ? 0 : -1;
	case OPTRACE_MAP:
		if (!tw_check_map(tw, tab, path, l, err, errlen))
			return -1;
		if (idmap_get(live, l->id, NULL)) {
			tw_line_error(err, errlen, path, l, "id=%" PRIu64
				      " is already live", l->id);
			return -1;
		}
		if (idmap_put(live, l->id, (size_t)l->size)) {
			char why[128];

			error_oom(why, sizeof(why), idmap_grow_bytes(live),
				  "table of live ids");
			tw_line_error(err, errlen, path, l, "%s", why);
			return -1;
		}
		return 0;
	case OPTRACE_UNMAP:
	case OPTRACE_SYNC:
		if (!idmap_get(live, l->id, &size)) {
			tw_line_error(err, errlen, path, l, "id=%" PRIu64
				      " is not a live mapping", l->id);
			return -1;
		}
		if (l->op == OPTRACE_UNMAP)
			idmap_del(live, l->id);
		else if (!tw_check_sync(path, l, size, err, errlen))
			return -1;
		return 0;
	default:
		return 0;
	}
}

int tw_prevalidate(const struct tracewl *tw, char *err, size_t errlen)
{
	struct optrace_reader rd;
	struct optrace_line l;
	struct tw_devtab tab = { 0 };
	struct idmap live;
	FILE *f = fopen(tw->cfg.path, "r");
	int got, rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", tw->cfg.path,
			 strerror(errno));
		return -1;
	}
	optrace_reader_init(&rd, f, tw->cfg.path, true);
	idmap_init(&live);
	while ((got = optrace_next(&rd, &l)) == 1)
		if (check_line(tw, &tab, &live, rd.path, &l, err, errlen)) {
			rc = -1;
			break;
		}
	if (got < 0) {
		snprintf(err, errlen, "%s", rd.err);
		rc = -1;
	}
	idmap_free(&live);
	tw_devtab_free(&tab);
	optrace_reader_free(&rd);
	fclose(f);
	return rc;
}
