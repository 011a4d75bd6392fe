/* cli/replay.c - the replay command: op traces in, the allocator's answers
 * out, exactly as tests/conformance/FORMAT.md prints them. */
#include "cli/replay.h"

#include "allocator/swiotlb.h"
#include "base/error.h"
#include "base/idmap.h"
#include "traces/optrace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct replay_dev {
	char name[OPTRACE_NAME_MAX];
	struct swiotlb_dev dev;
};

struct replay {
	struct optrace_reader rd;
	FILE *out;
	struct io_tlb_mem *mem;
	bool booted, noforce;
	uint64_t cpus;
	struct replay_dev *devs;
	size_t ndevs, devs_cap;
	struct idmap live;          /* mapping id -> index into `maps` */
	struct replay_map { size_t dev; uint64_t addr; } *maps;
	size_t nmaps, maps_cap;
	size_t *free_maps;          /* reusable entries of `maps` */
	size_t nfree;
};

static struct replay_dev *find_dev(struct replay *rp, const char *name)
{
	for (size_t i = 0; i < rp->ndevs; i++)
		if (!strcmp(rp->devs[i].name, name))
			return &rp->devs[i];
	return NULL;
}

static int do_boot(struct replay *rp, const struct optrace_line *l)
{
	struct swiotlb_boot_config cfg;
	char err[256];

	if (rp->booted) {
		optrace_error(&rp->rd, "boot given twice");
		return -1;
	}
	swiotlb_boot_config_init(&cfg, (unsigned)l->cpus);
	cfg.dynamic = l->dynamic;
	cfg.page_size = l->page_size;
	if (l->start)
		cfg.start = l->start;
	if (swiotlb_parse_param(l->spec, &cfg.param, err, sizeof(err)) ||
	    !(rp->mem = swiotlb_boot(&cfg, err, sizeof(err)))) {
		optrace_error(&rp->rd, "%s", err);
		return -1;
	}
	rp->booted = true;
	rp->noforce = cfg.param.noforce;
	rp->cpus = l->cpus;
	if (!rp->mem->pools) {
		fprintf(rp->out, "boot nslabs=0 nareas=0 area_nslabs=0\n");
		return 0;
	}
	fprintf(rp->out, "boot nslabs=%" PRIu32 " nareas=%" PRIu32
		" area_nslabs=%" PRIu32 "\n", rp->mem->pools->nslabs,
		rp->mem->pools->nareas, rp->mem->pools->area_nslabs);
	return 0;
}

static int do_dev(struct replay *rp, const struct optrace_line *l)
{
	struct replay_dev *d;

	if (find_dev(rp, l->name)) {
		optrace_error(&rp->rd, "device \"%s\" declared twice", l->name);
		return -1;
	}
	if (rp->ndevs == rp->devs_cap) {
		size_t cap = rp->devs_cap ? 2 * rp->devs_cap : 8;
		void *p = realloc(rp->devs, cap * sizeof(*rp->devs));
		char why[128];

		if (!p) {
			error_oom(why, sizeof(why), cap * sizeof(*rp->devs),
				  "table of %zu devices", cap);
			optrace_error(&rp->rd, "%s", why);
			return -1;
		}
		rp->devs = p;
		rp->devs_cap = cap;
	}
	d = &rp->devs[rp->ndevs++];
	strcpy(d->name, l->name);
	swiotlb_dev_init(&d->dev, rp->mem, (uint32_t)l->min_align_mask,
			 l->seg_boundary);
	return 0;
}

/* Records a live mapping; returns -1 with the reader's error when memory
 * runs out. */
static int remember_map(struct replay *rp, uint64_t id, size_t dev,
			uint64_t addr)
{
	char why[128];

	size_t slot;

	if (rp->nfree) {
		slot = rp->free_maps[--rp->nfree];
	} else {
		if (rp->nmaps == rp->maps_cap) {
			size_t cap = rp->maps_cap ? 2 * rp->maps_cap : 1024;
			void *p = realloc(rp->maps, cap * sizeof(*rp->maps));
			void *q = realloc(rp->free_maps, cap * sizeof(size_t));

			if (p)
				rp->maps = p;
			if (q)
				rp->free_maps = q;
			if (!p || !q) {
				error_oom(why, sizeof(why), cap *
					  (p ? sizeof(size_t) :
					   sizeof(*rp->maps)),
					  "table of %zu mappings", cap);
				optrace_error(&rp->rd, "%s", why);
				return -1;
			}
			rp->maps_cap = cap;
		}
		slot = rp->nmaps++;
	}
	rp->maps[slot].dev = dev;
	rp->maps[slot].addr = addr;
	if (!idmap_put(&rp->live, id, slot))
		return 0;
	error_oom(why, sizeof(why), idmap_grow_bytes(&rp->live),
		  "table of live ids");
	optrace_error(&rp->rd, "%s", why);
	return -1;
}

static int do_map(struct replay *rp, const struct optrace_line *l)
{
	struct replay_dev *d = find_dev(rp, l->name);
	struct swiotlb_work work;
	uint64_t addr;

	if (!d) {
		optrace_error(&rp->rd, "unknown device \"%s\"", l->name);
		return -1;
	}
	if (l->cpu >= rp->cpus) {
		optrace_error(&rp->rd, "cpu=%" PRIu64 ": the machine has %" PRIu64
			      " CPUs", l->cpu, rp->cpus);
		return -1;
	}
	if (idmap_get(&rp->live, l->id, NULL)) {
		optrace_error(&rp->rd, "id=%" PRIu64 " is already live", l->id);
		return -1;
	}
	addr = swiotlb_tbl_map_single(&d->dev, (unsigned)l->cpu, l->orig,
				      l->size, (uint32_t)l->align, &work);
	if (work.oom_bytes) {
		char why[128];

		error_oom(why, sizeof(why), work.oom_bytes, "transient pool");
		optrace_error(&rp->rd, "%s", why);
		return -1;
	}
	if (addr == SWIOTLB_MAP_ERROR) {
		fprintf(rp->out, "map %" PRIu64 " FULL\n", l->id);
		return 0;
	}
	if (remember_map(rp, l->id, (size_t)(d - rp->devs), addr))
		return -1;
	if (work.transient_made)
		fprintf(rp->out, "map %" PRIu64 " TRANSIENT\n", l->id);
	else
		fprintf(rp->out, "map %" PRIu64 " 0x%" PRIx64 "\n", l->id, addr);
	return 0;
}

static int do_unmap(struct replay *rp, const struct optrace_line *l)
{
	struct swiotlb_work work;
	size_t slot;

	if (!idmap_get(&rp->live, l->id, &slot)) {
		optrace_error(&rp->rd, "id=%" PRIu64 " is not a live mapping",
			      l->id);
		return -1;
	}
	swiotlb_tbl_unmap_single(&rp->devs[rp->maps[slot].dev].dev,
				 rp->maps[slot].addr, &work);
	idmap_del(&rp->live, l->id);
	rp->free_maps[rp->nfree++] = slot;
	fprintf(rp->out, "unmap %" PRIu64 "\n", l->id);
	return 0;
}

static int do_grow(struct replay *rp, const struct optrace_line *l)
{
	struct io_tlb_pool *pool;
	char err[256];

	if (rp->noforce || !rp->mem->can_grow) {
		optrace_error(&rp->rd, "grow needs dynamic=1 at boot (and no "
			      "noforce)");
		return -1;
	}
	if (!l->start || l->start % rp->mem->page_size) {
		optrace_error(&rp->rd, "start=0x%" PRIx64 ": not a multiple of "
			      "the page size", l->start);
		return -1;
	}
	pool = swiotlb_grow(rp->mem, l->start, l->nslabs, NULL, err,
			    sizeof(err));
	if (!pool) {
		optrace_error(&rp->rd, "%s", err);
		return -1;
	}
	fprintf(rp->out, "grow nslabs=%" PRIu32 " nareas=%" PRIu32 "\n",
		pool->nslabs, pool->nareas);
	return 0;
}

static int do_stats(struct replay *rp)
{
	struct swiotlb_counters c = swiotlb_counters(rp->mem);

	fprintf(rp->out, "stats nslabs=%" PRIu64 " used=%" PRIu64 " hiwater=%"
		PRIu64 " transient=%" PRIu64 "\n", c.nslabs, c.used, c.hiwater,
		c.transient_nslabs);
	return 0;
}

static int do_op(struct replay *rp, const struct optrace_line *l)
{
	if (!rp->booted && l->op != OPTRACE_BOOT) {
		optrace_error(&rp->rd, "the first op must be boot");
		return -1;
	}
	switch (l->op) {
	case OPTRACE_BOOT: return do_boot(rp, l);
	case OPTRACE_DEV: return do_dev(rp, l);
	case OPTRACE_MAP: return do_map(rp, l);
	case OPTRACE_UNMAP: return do_unmap(rp, l);
	case OPTRACE_GROW: return do_grow(rp, l);
	case OPTRACE_STATS: return do_stats(rp);
	case OPTRACE_SYNC: break;
	}
	optrace_error(&rp->rd, "sync is only for timed traces");
	return -1;
}

static void replay_free(struct replay *rp)
{
	for (size_t i = 0; i < rp->ndevs; i++)
		swiotlb_dev_release(&rp->devs[i].dev);
	swiotlb_mem_free(rp->mem);
	free(rp->devs);
	free(rp->maps);
	free(rp->free_maps);
	idmap_free(&rp->live);
	optrace_reader_free(&rp->rd);
}

int replay_trace(FILE *in, const char *path, FILE *out, FILE *errout,
		 bool check)
{
	struct replay rp = { 0 };
	struct optrace_line line;
	char err[256];
	int got, status = 0;

	optrace_reader_init(&rp.rd, in, path, false);
	rp.out = out;
	idmap_init(&rp.live);
	while ((got = optrace_next(&rp.rd, &line)) == 1) {
		if (do_op(&rp, &line))
			break;
		if (check && rp.mem && swiotlb_check(rp.mem, err, sizeof(err))) {
			optrace_error(&rp.rd, "invariant broken after this op: %s",
				      err);
			break;
		}
	}
	if (!rp.rd.failed && !rp.booted)
		optrace_error(&rp.rd, "no boot op in the trace");
	if (rp.rd.failed) {
		fflush(out);
		fprintf(errout, "%s\n", rp.rd.err);
		status = 1;
	}
	replay_free(&rp);
	return status;
}

int cmd_replay(int argc, char **argv)
{
	bool check = false;
	const char *path = NULL;
	FILE *in;
	int status;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: swiotlb-sim replay [--check] FILE|-\n"
			       "Replays an op trace (boot, dev, map, unmap, grow, stats)\n"
			       "against the allocator core and prints one answer per op.\n"
			       "  --check  verify the allocator's invariants after every op\n");
			return 0;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "swiotlb-sim replay: unexpected argument \"%s\"\n",
				argv[i]);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "swiotlb-sim replay: no trace given (FILE or -)\n");
		return 2;
	}
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "%s: cannot open: %m\n", path);
		return 1;
	}
	status = replay_trace(in, path, stdout, stderr, check);
	if (in != stdin)
		fclose(in);
	return status;
}
