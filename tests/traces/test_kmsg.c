/* tests/traces/test_kmsg.c - the swiotlb's kernel log lines read back: every
 * message shape Linux prints (format strings of kernel/dma/swiotlb.c and
 * lib/ratelimit.c), with and without dmesg timestamps, under journalctl's
 * and /dev/kmsg's prefixes; other lines ignored; bad numbers refused. */
#include "tests/testutil.h"
#include "traces/kmsg.h"

#include <stdio.h>
#include <string.h>

static struct kmsg_line l;
static char err[256];

static int parse(const char *line)
{
	err[0] = '\0';
	return kmsg_parse(line, &l, err, sizeof(err));
}

static void test_full(void)
{
	CHECK_EQ(parse("[  812.120031] nvme 0000:00:04.0: swiotlb buffer is "
		       "full (sz: 262144 bytes), total 32768 (slots), used "
		       "1024 (slots)"), 1);
	CHECK_EQ(l.kind, KMSG_FULL);
	CHECK(l.has_time && l.time_s > 812.12 && l.time_s < 812.1201);
	CHECK(!strcmp(l.driver, "nvme"));
	CHECK(!strcmp(l.device, "0000:00:04.0"));
	CHECK(l.has_counts);
	CHECK_EQ(l.sz, 262144);
	CHECK_EQ(l.total, 32768);
	CHECK_EQ(l.used, 1024);

	/* No timestamp, used above total (read without the locks). */
	CHECK_EQ(parse("virtio_blk virtio1: swiotlb buffer is full (sz: 4096 "
		       "bytes), total 1024 (slots), used 1030 (slots)\n"), 1);
	CHECK(!l.has_time);
	CHECK(!strcmp(l.driver, "virtio_blk") && !strcmp(l.device, "virtio1"));
	CHECK_EQ(l.used, 1030);

	/* journalctl -k: syslog fields before dev_printk's prefix. */
	CHECK_EQ(parse("Mar 03 10:12:01 vm kernel: mlx5_core 0000:3b:00.0: "
		       "swiotlb buffer is full (sz: 2048 bytes), total 524288 "
		       "(slots), used 524200 (slots)"), 1);
	CHECK(!strcmp(l.driver, "mlx5_core"));
	CHECK(!strcmp(l.device, "0000:3b:00.0"));
	CHECK(!l.has_time);

	/* dmesg -T (a date, not seconds) and dmesg -r's level. */
	CHECK_EQ(parse("[Mon Mar  3 10:12:01 2025] nvme 0000:00:04.0: swiotlb "
		       "buffer is full (sz: 8192 bytes), total 2048 (slots), "
		       "used 2040 (slots)"), 1);
	CHECK(!l.has_time && !strcmp(l.driver, "nvme"));
	CHECK_EQ(parse("<4>[   12.500000] ahci 0000:00:1f.2: swiotlb buffer is "
		       "full (sz: 65536 bytes), total 32768 (slots), used "
		       "32760 (slots)"), 1);
	CHECK(l.has_time && l.time_s == 12.5 && !strcmp(l.driver, "ahci"));

	/* A device with no driver bound: dev_printk prints "" then a space. */
	CHECK_EQ(parse("[    5.000000]  0000:00:05.0: swiotlb buffer is full "
		       "(sz: 4096 bytes), total 1024 (slots), used 1 (slots)"),
		 1);
	CHECK(!l.driver[0] && !strcmp(l.device, "0000:00:05.0"));

	/* Before Linux 5.0 the message ended after the size. */
	CHECK_EQ(parse("[ 3.2] ahci 0000:00:1f.2: swiotlb buffer is full (sz: "
		       "65536 bytes)"), 1);
	CHECK(!l.has_counts && l.sz == 65536);
}

static void test_boot_lines(void)
{
	CHECK_EQ(parse("[    1.215133] software IO TLB: mapped [mem "
		       "0x000000007bfdf000-0x000000008bfdf000] (256MB)"), 1);
	CHECK_EQ(l.kind, KMSG_MAPPED);
	CHECK_EQ(l.start, 0x7bfdf000);
	CHECK_EQ(l.end, 0x8bfdf000);
	CHECK_EQ(l.value, 256);
	CHECK_EQ(parse("[    0.004387] software IO TLB: SWIOTLB bounce buffer "
		       "size adjusted to 245MB"), 1);
	CHECK_EQ(l.kind, KMSG_ADJUSTED);
	CHECK_EQ(l.value, 245);
	CHECK_EQ(parse("software IO TLB: SWIOTLB bounce buffer size roundup to "
		       "256MB"), 1);
	CHECK_EQ(l.kind, KMSG_ROUNDUP);
	CHECK_EQ(parse("software IO TLB: SWIOTLB bounce buffer size adjusted "
		       "262144 -> 131072 slabs"), 1);
	CHECK_EQ(l.kind, KMSG_SHRUNK);
	CHECK_EQ(l.value, 262144);
	CHECK_EQ(l.value_to, 131072);
	CHECK_EQ(parse("[    0.298763] software IO TLB: area num 16."), 1);
	CHECK_EQ(l.kind, KMSG_AREAS);
	CHECK_EQ(l.value, 16);
	CHECK_EQ(parse("[    3.1] software IO TLB: Memory encryption is active "
		       "and system is using DMA bounce buffers"), 1);
	CHECK_EQ(l.kind, KMSG_ENCRYPTED);
	CHECK_EQ(parse("[  817.121000] swiotlb_tbl_map_single: 112 callbacks "
		       "suppressed"), 1);
	CHECK_EQ(l.kind, KMSG_SUPPRESSED);
	CHECK_EQ(l.value, 112);
	CHECK_EQ(parse("[    9.0] nvme 0000:00:04.0: Can not allocate SWIOTLB "
		       "buffer earlier and can't now provide you with the DMA "
		       "bounce buffer"), 1);
	CHECK_EQ(l.kind, KMSG_NO_POOL);
	CHECK(!strcmp(l.device, "0000:00:04.0"));
}

/* Other lines are not errors; swiotlb lines with bad numbers are. */
static void test_other_and_bad(void)
{
	CHECK_EQ(parse("[    0.000000] Linux version 6.12.9-amd64"), 0);
	CHECK_EQ(parse("software IO TLB: tearing down default memory pool"), 0);
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(parse("nvme 0000:00:04.0: swiotlb buffer is full (sz: lots "
		       "bytes)"), -1);
	CHECK(strstr(err, "sz: N bytes") != NULL);
	CHECK_EQ(parse("nvme 0000:00:04.0: swiotlb buffer is full (sz: 4096 "
		       "bytes), total x (slots), used 1 (slots)"), -1);
	CHECK_EQ(parse("nvme 0000:00:04.0: swiotlb buffer is full (sz: 4096 "
		       "bytes), total 0 (slots), used 0 (slots)"), -1);
	CHECK_EQ(parse("software IO TLB: mapped [mem 0x2000-0x1000] (0MB)"),
		 -1);
	CHECK_EQ(parse("software IO TLB: area num many."), -1);
	CHECK_EQ(parse("software IO TLB: SWIOTLB bounce buffer size adjusted "
		       "to MB"), -1);
	CHECK(!strcmp(kmsg_kind_name(KMSG_FULL), "full"));
}

int main(void)
{
	RUN(test_full);
	RUN(test_boot_lines);
	RUN(test_other_and_bad);
	return tu_finish();
}
