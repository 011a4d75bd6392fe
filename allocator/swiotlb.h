/* allocator/swiotlb.h - the allocator core: a userspace swiotlb that picks the
 * same slots as Linux 6.12's kernel/dma/swiotlb.c, with no notion of time.
 *
 * Contract: every call is synchronous and deterministic. Besides its answer,
 * each map/unmap/alloc/free call fills a struct swiotlb_work that says how
 * much work the kernel would have done (areas tried and which, slots
 * examined, pools walked, transient pool made, growth asked for); the
 * simulator turns that into time. Nothing here locks: the caller serialises.
 * Names follow the kernel's (pool, area, slot, nslabs, min_align_mask,
 * pad_slots, transient) so the two can be read side by side.
 */
#ifndef SWSIM_ALLOCATOR_SWIOTLB_H
#define SWSIM_ALLOCATOR_SWIOTLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IO_TLB_SHIFT 11
#define IO_TLB_SIZE (1UL << IO_TLB_SHIFT)          /* one slot: 2 KiB */
#define IO_TLB_SEGSIZE 128                          /* slots per segment */
#define IO_TLB_DEFAULT_NSLABS 32768UL               /* 64 MiB */
#define IO_TLB_MIN_SLABS ((1UL << 20) >> IO_TLB_SHIFT) /* 1 MiB */
/* Largest pool this program accepts (32 GiB): guards against a typo that
 * would make us allocate terabytes of slot metadata. */
#define SWIOTLB_MAX_NSLABS (1UL << 24)
#define SWIOTLB_MAP_ERROR UINT64_MAX                /* DMA_MAPPING_ERROR */
#define SWIOTLB_DEFAULT_START 0x80000000ULL
/* MAX_PAGE_ORDER on x86 with 4 KiB pages: dynamic pools of at most 4 MiB. */
#define SWIOTLB_DEFAULT_MAX_PAGE_ORDER 10

/* The kernel's `swiotlb=NSLABS[,NAREAS][,force|noforce]` parameter. */
struct swiotlb_param {
	bool nslabs_set;
	uint64_t nslabs;     /* as written, before alignment */
	bool nareas_set;
	uint64_t nareas;     /* as written; 0 counts as 1 */
	bool force;
	bool noforce;
};

/* Parses SPEC; returns 0, or -1 with a message in err. An empty SPEC is the
 * kernel's default (no parameter). */
int swiotlb_parse_param(const char *spec, struct swiotlb_param *out,
			char *err, size_t errlen);

struct swiotlb_boot_config {
	unsigned int cpus;             /* num_possible_cpus() */
	struct swiotlb_param param;
	/* swiotlb_adjust_size() as arch code calls it before init (the CoCo
	 * rule); 0 for none. Ignored when the parameter set NSLABS. */
	uint64_t adjust_size_bytes;
	bool dynamic;                  /* CONFIG_SWIOTLB_DYNAMIC and can_grow */
	uint64_t start;                /* default pool's physical address */
	uint64_t page_size;            /* power of two, >= 4096 */
	unsigned int max_page_order;   /* caps a dynamic pool's size */
};

/* Fills cfg with the kernel's defaults for a machine of `cpus` CPUs. */
void swiotlb_boot_config_init(struct swiotlb_boot_config *cfg, unsigned cpus);

/* One area: its own lock in the kernel, its own search index and count. */
struct io_tlb_area {
	uint64_t used;
	uint32_t index;
};

/* What an unmap reads of a slot, in 8 bytes. The kernel's io_tlb_slot
 * (24 bytes) also holds the free-run count, which is derived here from the
 * pool's used bits (swiotlb_slot_free_run()), and the original address,
 * which only the kernel's bounce copy reads: the simulator copies no data,
 * so it keeps none. 8 bytes and a bit a slot in all (a 1 GiB pool: 4.1 MiB
 * of metadata), small enough to stay in a core's cache. */
struct io_tlb_slot {
	uint32_t alloc_size;   /* bytes from this slot to the mapping's end */
	uint16_t pad_slots;    /* padding slots before a mapping's first slot */
};

/* A pool of nslabs 2 KiB slots. */
struct io_tlb_pool {
	uint32_t id;           /* 0 for the default pool; unique per mem */
	uint64_t start, end;   /* physical range [start, end) */
	uint32_t nslabs;
	uint32_t nareas;
	uint32_t area_nslabs;
	uint32_t area_shift;   /* log2(area_nslabs) when a power of two, or 0 */
	bool transient;
	struct io_tlb_area *areas;
	struct io_tlb_slot *slots;
	/* One bit per slot, set while the slot is used. The kernel's free-run
	 * counts (slots[i].list) follow from it (swiotlb_slot_free_run()). */
	uint64_t *used_map;
	struct io_tlb_pool *next; /* list link: newest first */
};

/* Optional hooks for where transient pools' pages come from (a CoCo VM
 * takes them from the bounded atomic pool). Default: always succeed. */
struct swiotlb_env {
	bool (*transient_alloc)(void *ctx, uint64_t bytes);
	void (*transient_free)(void *ctx, uint64_t bytes);
	void *ctx;
};

/* struct io_tlb_mem: the allocator (the default one, or a restricted pool). */
struct io_tlb_mem {
	struct io_tlb_pool *pools;   /* newest first; default pool last */
	uint32_t npools;
	uint64_t nslabs;             /* all non-transient pools */
	uint32_t default_nareas;     /* boot area count before limiting */
	uint64_t default_nslabs;     /* boot slab count: a grown pool's size */
	bool dynamic, can_grow, for_alloc;
	uint64_t page_size;
	unsigned int max_page_order;
	uint64_t used, hiwater, transient_nslabs; /* debugfs counters */
	uint32_t next_pool_id;
	uint64_t next_dyn_phys;      /* where the next allocated pool goes */
	struct swiotlb_env env;
};

/* A device as swiotlb sees it. Transient pools hang off the device. */
struct swiotlb_dev {
	struct io_tlb_mem *mem;       /* dev->dma_io_tlb_mem */
	uint32_t min_align_mask;      /* dma_get_min_align_mask() */
	uint64_t seg_boundary;        /* dma_get_seg_boundary(), 2^k - 1 */
	struct io_tlb_pool *transient;
};

/* One area search: which pool's which area, and how many slots it looked at. */
struct swiotlb_area_visit {
	uint32_t pool_id;
	uint32_t area;
	uint32_t slots_examined;
};

#define SWIOTLB_WORK_VISITS 64

/* The work one call did. visit[] keeps the first SWIOTLB_WORK_VISITS area
 * searches in order; the totals count them all. */
struct swiotlb_work {
	uint32_t areas_tried;
	uint64_t slots_examined;
	uint32_t pools_searched;   /* map: pools whose areas were searched;
				      unmap/sync: list steps to find the pool */
	uint32_t nslots;           /* slots taken or given back */
	uint32_t pool_id, area;    /* where the slots were taken or given back */
	bool transient_made;
	bool transient_freed;
	bool growth_requested;
	/* Host memory a transient pool's bookkeeping needed and did not get:
	 * the map failed for that, not for want of slots; the caller makes it
	 * an error. 0: none. */
	uint64_t oom_bytes;
	uint32_t nvisits;
	struct swiotlb_area_visit visit[SWIOTLB_WORK_VISITS]; /* keep last */
};

/* Boots the allocator the kernel's way. Returns NULL with a message in err
 * when the configuration cannot be built (bad values, out of memory).
 * After `noforce` the mem has no pool (nslabs 0) and every map fails. */
struct io_tlb_mem *swiotlb_boot(const struct swiotlb_boot_config *cfg,
				char *err, size_t errlen);
void swiotlb_mem_free(struct io_tlb_mem *mem);
void swiotlb_set_env(struct io_tlb_mem *mem, const struct swiotlb_env *env);

void swiotlb_dev_init(struct swiotlb_dev *dev, struct io_tlb_mem *mem,
		      uint32_t min_align_mask, uint64_t seg_boundary);
/* Releases the device's transient pools (for teardown only). */
void swiotlb_dev_release(struct swiotlb_dev *dev);

/* swiotlb_tbl_map_single(): bounce buffer for [orig_addr, +mapping_size)
 * mapped on `cpu`. Returns the bounce address or SWIOTLB_MAP_ERROR ("swiotlb
 * buffer is full"). work is required. */
uint64_t swiotlb_tbl_map_single(struct swiotlb_dev *dev, unsigned int cpu,
				uint64_t orig_addr, size_t mapping_size,
				uint32_t alloc_align_mask,
				struct swiotlb_work *work);
/* swiotlb_tbl_unmap_single(): frees the mapping at tlb_addr (an address the
 * map returned and that is still live). */
void swiotlb_tbl_unmap_single(struct swiotlb_dev *dev, uint64_t tlb_addr,
			      struct swiotlb_work *work);
/* swiotlb_find_pool(): the pool holding paddr, or NULL; *steps counts the
 * list entries walked (the kernel's cost of every unmap and sync). */
struct io_tlb_pool *swiotlb_find_pool(const struct swiotlb_dev *dev,
				      uint64_t paddr, uint32_t *steps);
/* A hint for a caller that will unmap the live mapping at tlb_addr soon
 * (the simulator, between an unmap's start and its release): asks the CPU
 * to fetch the slot state the release reads and writes, which has usually
 * left the caches since the map. Changes nothing. */
void swiotlb_prefetch_release(const struct swiotlb_dev *dev,
			      uint64_t tlb_addr);
/* Whether a map of this size was served by a transient pool. */
bool swiotlb_is_transient_addr(const struct swiotlb_dev *dev, uint64_t addr);

/* Dynamic growth, as the background worker does it. swiotlb_dyn_pool_nslabs
 * gives the size the worker asks for first (the boot size capped by
 * max_page_order); swiotlb_dyn_pool_shrink the next smaller try, 0 when none
 * is left (below 1 MiB). swiotlb_grow adds a pool of nslabs at start (0:
 * pick a fresh address) at the head of the list; returns the pool or NULL
 * with a message, and *oom (may be NULL) says whether that is for want of
 * host memory (not the kernel's rules: the caller makes it an error). */
uint64_t swiotlb_dyn_pool_nslabs(const struct io_tlb_mem *mem);
uint64_t swiotlb_dyn_pool_shrink(uint64_t nslabs);
struct io_tlb_pool *swiotlb_grow(struct io_tlb_mem *mem, uint64_t start,
				 uint64_t nslabs, bool *oom, char *err,
				 size_t errlen);

/* Restricted DMA pool (one area, force bounce, for_alloc). size must be a
 * multiple of the page size. */
struct io_tlb_mem *swiotlb_restricted_create(uint64_t base, uint64_t size,
					     uint64_t page_size, char *err,
					     size_t errlen);
/* swiotlb_alloc()/swiotlb_free() of page-aligned buffers from a restricted
 * pool; alloc returns SWIOTLB_MAP_ERROR when nothing fits. */
uint64_t swiotlb_alloc(struct swiotlb_dev *dev, unsigned int cpu, size_t size,
		       struct swiotlb_work *work);
bool swiotlb_free(struct swiotlb_dev *dev, uint64_t addr,
		  struct swiotlb_work *work);

/* swiotlb_max_mapping_size(): the largest map a device can ask for. */
size_t swiotlb_max_mapping_size(const struct swiotlb_dev *dev);

/* debugfs: io_tlb_nslabs, io_tlb_used, io_tlb_used_hiwater,
 * io_tlb_transient_nslabs. hiwater can be reset to the current use. */
struct swiotlb_counters {
	uint64_t nslabs, used, hiwater, transient_nslabs;
};
struct swiotlb_counters swiotlb_counters(const struct io_tlb_mem *mem);
void swiotlb_reset_hiwater(struct io_tlb_mem *mem);

/* Longest run of free slots any single map could take (at most a segment),
 * over all non-transient pools. O(nslabs): for samplers, not hot paths. */
uint32_t swiotlb_largest_free_run(const struct io_tlb_mem *mem);

/* The kernel's slots[slot].list for a slot of the pool: free slots from it
 * to the next used slot, its segment's end or the pool's end (0: used). */
uint32_t swiotlb_slot_free_run(const struct io_tlb_pool *pool, uint32_t slot);

/* Checks every invariant: free slots hold no mapping's record, per-area
 * and total used counts agree with the used bits. Returns 0, or -1 with
 * the first violation described in err. O(nslabs). */
int swiotlb_check(const struct io_tlb_mem *mem, char *err, size_t errlen);

/* For tests: true makes the search look at every candidate one by one,
 * as the kernel's loop does, instead of passing over refused runs at once;
 * the slots chosen and the work reported must not change. */
extern bool swiotlb_walk_every_candidate;

#endif
