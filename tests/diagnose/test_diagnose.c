/* tests/diagnose/test_diagnose.c - the verdicts of `explain` by the
 * allocator's rules: a map larger than a segment is too large whatever the
 * pool; fewer free slots than it needs is full, with a bigger pool that
 * fits; a nearly full pool is too small; a lightly used one is
 * fragmentation; fills fail more the fuller the pool; the pool model follows
 * the log (restricted, grown, areas, the NVMe mask); all deterministic. */
#include "diagnose/diagnose.h"
#include "tests/testutil.h"

#include <string.h>

static struct diag_log log_;
static struct diag_report rep;
static char err[512];

static const struct diag_options opts = { .fills = 20, .seed = 1 };

static void add(const char *line)
{
	struct kmsg_line l;

	CHECK_EQ(kmsg_parse(line, &l, err, sizeof(err)), 1);
	diag_log_add(&log_, &l, line);
}

/* A fresh log holding one full message. */
static const struct diag_group *one_full(const char *driver, uint64_t sz,
					 uint64_t total, uint64_t used)
{
	char line[256];

	diag_log_init(&log_);
	snprintf(line, sizeof(line), "%s 0000:00:04.0: swiotlb buffer is full "
		 "(sz: %llu bytes), total %llu (slots), used %llu (slots)",
		 driver, (unsigned long long)sz, (unsigned long long)total,
		 (unsigned long long)used);
	add(line);
	return &log_.groups[0];
}

static int explain(const struct diag_group *g)
{
	int rc = diag_explain(&log_, g, &opts, &rep, err, sizeof(err));

	if (rc)
		tu_fail(__FILE__, __LINE__, "diag_explain: %s", err);
	return rc;
}

/* 2 MiB against 256 KiB segments: no pool helps, no fill is run. */
static void test_too_large(void)
{
	explain(one_full("nvme", 2u << 20, 32768, 10));
	CHECK_EQ(rep.verdict, DIAG_TOO_LARGE);
	CHECK_EQ(rep.nslots, 1024);
	CHECK(!rep.have_here && !rep.fit_nslabs);
	/* Exactly one segment is not too large. */
	explain(one_full("ahci", 256u << 10, 32768, 32700));
	CHECK(rep.verdict != DIAG_TOO_LARGE);
}

/* 100 slots free, 128 needed: full; the fit is a bigger power of two. */
static void test_full(void)
{
	explain(one_full("ahci", 256u << 10, 4096, 3996));
	CHECK_EQ(rep.verdict, DIAG_FULL);
	CHECK(rep.fit_nslabs >= 8192);
	CHECK(rep.fit_nslabs && !(rep.fit_nslabs & (rep.fit_nslabs - 1)));
	CHECK(rep.at_fit.failed <= DIAG_FITS_SHARE * rep.at_fit.fills);
	/* used above total, as the unlocked count can be. */
	explain(one_full("ahci", 4096, 4096, 4100));
	CHECK_EQ(rep.verdict, DIAG_FULL);
}

/* 196 free slots, a 64-slot map: free in count, mostly not in one run. */
static void test_too_small(void)
{
	explain(one_full("ahci", 128u << 10, 4096, 3900));
	CHECK_EQ(rep.verdict, DIAG_TOO_SMALL);
	CHECK(rep.at_max.failed >= rep.at_max.fills / 2);
	CHECK_EQ(rep.at_max.fills, 20);
	CHECK(rep.fit_nslabs >= 8192);
	CHECK(!strcmp(diag_verdict_name(&rep), "pool too small"));
}

/* 3% used: no random fill reproduces the failure. */
static void test_fragmented(void)
{
	explain(one_full("ahci", 4096, 32768, 1024));
	CHECK_EQ(rep.verdict, DIAG_FRAGMENTED);
	CHECK(rep.have_here && rep.have_alternatives);
	CHECK_EQ(rep.at_max.failed, 0);
	CHECK_EQ(rep.doubled.nslabs, 65536);
	/* The fills got to the used slots, give or take a map. */
	CHECK(rep.at_max.used_reached >= 1024 - 128);
	CHECK(rep.at_max.used_reached <= 1024 + 128);
}

/* The fuller the pool, the more fills fail. */
static void test_monotone(void)
{
	struct diag_fill f = { .nslabs = 4096, .nareas = 1,
			       .probe_bytes = 64u << 10, .fills = 30,
			       .seed = 7 };
	struct diag_probe lo, hi;
	struct sizedist mix;

	CHECK_EQ(sizedist_parse("4k:1,64k:1", &mix, err, sizeof(err)), 0);
	f.sizes = &mix;
	f.used = 2000;
	CHECK_EQ(diag_fill_run(&f, &lo, err, sizeof(err)), 0);
	f.used = 3900;
	CHECK_EQ(diag_fill_run(&f, &hi, err, sizeof(err)), 0);
	CHECK(hi.failed > lo.failed);
	CHECK_EQ(hi.failed, hi.no_run + hi.misaligned);
	/* Same seed, same answer. */
	CHECK_EQ(diag_fill_run(&f, &lo, err, sizeof(err)), 0);
	CHECK_EQ(lo.failed, hi.failed);
	CHECK_EQ(lo.used_reached, hi.used_reached);
}

/* The pool as the log shows it. */
static void test_pool_model(void)
{
	diag_log_init(&log_);
	add("[ 1.0] software IO TLB: area num 16.");
	add("[ 1.2] software IO TLB: mapped [mem 0x0000000080000000-"
	    "0x0000000084000000] (64MB)");
	add("[ 9.0] virtio_net virtio0: swiotlb buffer is full (sz: 4096 "
	    "bytes), total 2048 (slots), used 2047 (slots)");
	add("[ 9.1] nvme 0000:00:04.0: swiotlb buffer is full (sz: 4096 "
	    "bytes), total 36864 (slots), used 36000 (slots)");
	add("[ 9.2] nvme 0000:00:04.0: swiotlb buffer is full (sz: 4096 "
	    "bytes), total 36864 (slots), used 36500 (slots)");
	CHECK_EQ(log_.m.boot_nslabs, 32768);
	CHECK_EQ(log_.m.nareas_asked, 16);
	CHECK_EQ(log_.ngroups, 2);
	CHECK_EQ(log_.groups[1].count, 2);
	CHECK_EQ(log_.groups[1].used_min, 36000);
	CHECK_EQ(log_.groups[1].used_max, 36500);
	/* Below the boot pool: the device's own restricted pool, one area. */
	explain(&log_.groups[0]);
	CHECK(rep.restricted && !rep.grown);
	CHECK_EQ(rep.nareas, 1);
	CHECK_EQ(rep.min_align_mask, 0);
	CHECK(rep.mask_assumed);
	/* Above it: grown pools; the nvme driver's mask is assumed. */
	explain(&log_.groups[1]);
	CHECK(rep.grown && !rep.restricted);
	CHECK_EQ(rep.nareas, 16);
	CHECK_EQ(rep.min_align_mask, 0xfff);
	CHECK(!rep.areas_assumed);
	/* A mask given wins. */
	log_.m.min_align_mask = 0;
	explain(&log_.groups[1]);
	CHECK_EQ(rep.min_align_mask, 0);
	CHECK(!rep.mask_assumed);
}

static void test_machine_lines(void)
{
	diag_log_init(&log_);
	add("software IO TLB: SWIOTLB bounce buffer size adjusted to 1024MB");
	add("swiotlb_tbl_map_single: 5 callbacks suppressed");
	add("swiotlb_tbl_map_single: 7 callbacks suppressed");
	CHECK(log_.m.coco && !log_.m.encrypted);
	CHECK_EQ(log_.m.adjusted_bytes, 1ULL << 30);
	CHECK_EQ(log_.m.suppressed, 12);
	add("software IO TLB: Memory encryption is active and system is using "
	    "DMA bounce buffers");
	CHECK(log_.m.encrypted);
}

int main(void)
{
	RUN(test_too_large);
	RUN(test_full);
	RUN(test_too_small);
	RUN(test_fragmented);
	RUN(test_monotone);
	RUN(test_pool_model);
	RUN(test_machine_lines);
	return tu_finish();
}
