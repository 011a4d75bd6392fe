/* allocator/swiotlb.h - the allocator core: a userspace swiotlb that picks the
 * same slots as Linux 6.12's kernel/dma/swiotlb.c, with no notion of time.
 *
 * Contract: every call is synchronous and deterministic. Besides its answer,
 * each map/unmap/alloc/free call fills a struct swiotlb_work that says how
 * much work the kernel would have done (areas tried and which, slots
 * examined, pools walked, transient pool made or refused, growth asked
 * for); the simulator turns that into time, and learns from it alone what
 * happened. Nothing here locks: the caller serialises.
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
/* The kernel's struct io_tlb_slot on x86-64 (orig_addr, alloc_size, list,
 * pad_slots: 8 + 8 + 2 + 2 bytes, padded to 24) and the x86 cache line:
 * the layout at which struct swiotlb_work counts slot-metadata lines,
 * whatever this allocator stores. */
#define SWIOTLB_KERNEL_SLOT_BYTES 24
#define SWIOTLB_CACHE_LINE_BYTES 64
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

/**
 * swiotlb_parse_param() - read the swiotlb= boot parameter
 * @spec:	the parameter's value; NULL or "" is the kernel's default (no
 *		parameter)
 * @out:	filled with what @spec says, every field set
 * @err:	where a message goes on failure (may be NULL)
 * @errlen:	size of @err
 *
 * Unlike the kernel, which ignores what it cannot read, a trailing word
 * other than force/noforce is an error, as are counts above what this
 * simulator supports.
 *
 * Return: 0, or -1 with the reason in @err.
 */
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
	/* For tests: the search looks at every candidate one by one, as the
	 * kernel's loop does, instead of passing over refused runs at once.
	 * The slots chosen and the work reported must not change. */
	bool walk_every_candidate;
};

/**
 * swiotlb_boot_config_init() - the kernel's defaults for a machine
 * @cfg:	filled in whole
 * @cpus:	num_possible_cpus(), which sizes the areas unless swiotlb=
 *		does
 */
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
 * takes them from the bounded atomic pool). Default: always succeed. A
 * refusal reaches the caller in the map's work report, not through these. */
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
	bool walk_every_candidate;   /* test hook, see swiotlb_boot_config */
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

/* Which slot-metadata writes a work report describes. */
enum swiotlb_writes_kind {
	SWIOTLB_WRITES_NONE,       /* none: a failed map, a transient pool's
				      deletion, a lookup that found nothing */
	SWIOTLB_WRITES_MAP,        /* swiotlb_tbl_map_single() took slots */
	SWIOTLB_WRITES_ALLOC,      /* swiotlb_alloc() took slots */
	SWIOTLB_WRITES_RELEASE,    /* swiotlb_release_slots() freed slots */
};

/* The work one call did. visit[] keeps the first SWIOTLB_WORK_VISITS area
 * searches in order; the totals count them all.
 *
 * The slot-metadata writes are the kernel's (swiotlb_search_pool_area(),
 * swiotlb_tbl_map_single(), swiotlb_release_slots()), given as the range
 * written and the length of the walk back; swiotlb_work_writes() counts
 * them. Under the area lock, slots are taken by writing list and
 * alloc_size of each (padding included), then walking back from the slot
 * before them over the free slots of their segment, rewriting each one's
 * list; they are freed by writing list, orig_addr, alloc_size and
 * pad_slots of each (padding included; the counts go on from the free run
 * after them when it is in the same segment, which changes the values
 * written, not how many), then walking back the same way. After the lock,
 * a map writes orig_addr of each slot from its first real one, and
 * pad_slots of that one; swiotlb_alloc() writes neither. */
struct swiotlb_work {
	uint32_t areas_tried;
	uint32_t nvisits;          /* valid entries of visit[] */
	uint64_t slots_examined;
	/* map: pools in the list the search goes over (1 without
	 * CONFIG_SWIOTLB_DYNAMIC, else all of them, found early or not);
	 * unmap and free: list entries swiotlb_find_pool() stepped over */
	uint32_t pools_searched;
	uint32_t nslots;           /* slots taken or given back */
	uint32_t pool_id, area;    /* where the slots were taken or given back */
	bool transient_made;
	bool transient_freed;
	/* The transient source refused the pages (the map then failed). */
	bool transient_refused;
	bool growth_requested;
	uint8_t writes;            /* enum swiotlb_writes_kind */
	uint8_t walk_back;         /* free slots before `slot` in its
				      segment, each one's list rewritten */
	uint16_t pad_slots;        /* writes == MAP: padding slots of the
				      nslots */
	/* Host memory a transient pool's bookkeeping needed and did not get:
	 * the map failed for that, not for want of slots; the caller makes it
	 * an error. 0: none. */
	uint64_t oom_bytes;
	/* Every call resets the fields above; those below hold only when
	 * the ones above say so (resetting them too would cost every call). */
	uint32_t slot;             /* writes: the first of the nslots written
				      (padding included), in pool_id */
	/* Bytes of transient-pool pages asked for (made or refused) or given
	 * back, when a flag above says a transient pool was involved. */
	uint64_t transient_bytes;
	struct swiotlb_area_visit visit[SWIOTLB_WORK_VISITS];
};

/* Slot metadata written, counted at the kernel's layout: slots[i] at byte
 * SWIOTLB_KERNEL_SLOT_BYTES * i of the pool's slots array, which the
 * kernel allocates page aligned (memblock_alloc(..., PAGE_SIZE) at boot,
 * __get_free_pages() for late and dynamic pools), so line-aligned. */
struct swiotlb_slot_writes {
	uint32_t slots;            /* slots one or more of whose fields are
				      written */
	uint32_t lines;            /* distinct cache lines those writes touch */
};

struct swiotlb_writes {
	struct swiotlb_slot_writes locked;   /* under the area lock */
	struct swiotlb_slot_writes unlocked; /* after it (maps only) */
	uint32_t unlocked_new_lines;         /* of unlocked.lines, those no
						locked write touched */
};

/* Where the kernel's struct io_tlb_slot keeps its fields. */
#define SWIOTLB_KSLOT_ORIG_ADDR 0
#define SWIOTLB_KSLOT_ALLOC_SIZE 8
#define SWIOTLB_KSLOT_LIST 16
#define SWIOTLB_KSLOT_PAD_SLOTS 18
#define SWIOTLB_KSLOT_FIELDS_END 20

/* The cache line holding byte `byte` of slots[slot] in the kernel. */
static inline uint64_t swiotlb_kslot_line(uint32_t slot, uint32_t byte)
{
	return ((uint64_t)slot * SWIOTLB_KERNEL_SLOT_BYTES + byte) /
	       SWIOTLB_CACHE_LINE_BYTES;
}

/**
 * swiotlb_work_writes() - count the slot-metadata writes of a work report
 * @w:	a report filled by a map, unmap, alloc or free
 *
 * Arithmetic on the range and the walk back the report gives, no pool
 * needed. Between the fields a run of writes touches lie gaps of 22 bytes
 * at most, less than a line, so it touches every line of its span.
 *
 * Return: the slots written under the lock and after it, and the distinct
 * lines each set touches; all zero for SWIOTLB_WRITES_NONE.
 */
static inline struct swiotlb_writes swiotlb_work_writes(
	const struct swiotlb_work *w)
{
	struct swiotlb_writes r = { { 0, 0 }, { 0, 0 }, 0 };
	uint32_t first = w->slot - w->walk_back;
	uint32_t last = w->slot + w->nslots - 1;
	bool release = w->writes == SWIOTLB_WRITES_RELEASE;
	uint64_t from, to;

	if (w->writes == SWIOTLB_WRITES_NONE)
		return r;
	/* The walk back writes list alone; the range, from alloc_size (or,
	 * freed, orig_addr) of its first slot to list (or pad_slots) of its
	 * last. */
	from = w->walk_back ?
	       swiotlb_kslot_line(first, SWIOTLB_KSLOT_LIST) :
	       swiotlb_kslot_line(w->slot, release ? SWIOTLB_KSLOT_ORIG_ADDR :
						     SWIOTLB_KSLOT_ALLOC_SIZE);
	to = swiotlb_kslot_line(last, release ? SWIOTLB_KSLOT_FIELDS_END - 1 :
						SWIOTLB_KSLOT_LIST + 1);
	r.locked.slots = w->nslots + w->walk_back;
	r.locked.lines = (uint32_t)(to - from + 1);
	if (w->writes == SWIOTLB_WRITES_MAP) {
		/* orig_addr of every real slot, pad_slots of the first. */
		uint32_t data = w->slot + w->pad_slots;
		uint64_t u_from, u_to, pad_to;

		u_from = swiotlb_kslot_line(data, SWIOTLB_KSLOT_ORIG_ADDR);
		u_to = swiotlb_kslot_line(last, SWIOTLB_KSLOT_ORIG_ADDR + 7);
		pad_to = swiotlb_kslot_line(data, SWIOTLB_KSLOT_PAD_SLOTS + 1);
		u_to = pad_to > u_to ? pad_to : u_to;
		r.unlocked.slots = w->nslots - w->pad_slots;
		r.unlocked.lines = (uint32_t)(u_to - u_from + 1);
		/* Only lines before the locked ones can be new: the unlocked
		 * writes end no further than the locked ones do. */
		r.unlocked_new_lines = u_from < from ? (uint32_t)(from - u_from)
						     : 0;
	}
	return r;
}

/**
 * swiotlb_boot() - boot the allocator the kernel's way
 * @cfg:	the machine and the swiotlb= parameter
 * @err:	where a message goes on failure (may be NULL)
 * @errlen:	size of @err
 *
 * Sizes the default pool as swiotlb_init_remap() does (the parameter, the
 * arch adjustment, one area per CPU rounded up to a power of two, at least
 * a segment per area) and creates it. After `noforce` the mem has no pool
 * (nslabs 0) and every map fails.
 *
 * Return: the allocator, to be freed with swiotlb_mem_free(); NULL with a
 * message in @err for a bad configuration or when memory runs out.
 */
struct io_tlb_mem *swiotlb_boot(const struct swiotlb_boot_config *cfg,
				char *err, size_t errlen);

/**
 * swiotlb_mem_free() - free an allocator and its pools
 * @mem:	from swiotlb_boot() or swiotlb_restricted_create(); NULL is a
 *		no-op. Devices' transient pools are not its own: release them
 *		first (swiotlb_dev_release()).
 */
void swiotlb_mem_free(struct io_tlb_mem *mem);

/**
 * swiotlb_set_env() - install where transient pools' pages come from
 * @mem:	the allocator
 * @env:	copied; its hooks are called during maps and unmaps that make
 *		or free a transient pool
 */
void swiotlb_set_env(struct io_tlb_mem *mem, const struct swiotlb_env *env);

/**
 * swiotlb_dev_init() - swiotlb's view of a device
 * @dev:	filled in whole, with no transient pool
 * @mem:	the allocator the device maps from (dev->dma_io_tlb_mem)
 * @min_align_mask:	dma_get_min_align_mask(): address bits a bounce
 *			buffer keeps from the original
 * @seg_boundary:	dma_get_seg_boundary(), of the form 2^k - 1
 */
void swiotlb_dev_init(struct swiotlb_dev *dev, struct io_tlb_mem *mem,
		      uint32_t min_align_mask, uint64_t seg_boundary);

/**
 * swiotlb_dev_release() - free a device's transient pools
 * @dev:	the device; for teardown only (its mappings there are gone)
 */
void swiotlb_dev_release(struct swiotlb_dev *dev);

/**
 * swiotlb_tbl_map_single() - take a bounce buffer
 * @dev:	the mapping device
 * @cpu:	the CPU the map runs on (raw_smp_processor_id()): where the
 *		area search starts
 * @orig_addr:	the original buffer's physical address; 0 means none, and
 *		then min_align_mask is not matched
 * @mapping_size:	bytes to bounce, at least 1
 * @alloc_align_mask:	alignment of the whole allocation, 0 or 2^k - 1
 * @work:	required; reset, then filled with the work done
 *
 * Searches the areas (and in dynamic mode the pools, then a transient
 * pool) as the kernel does, takes the slots, padding slots included, and
 * records the padding in the first real slot.
 *
 * Return: the bounce address (its min_align_mask bits those of
 * @orig_addr), or SWIOTLB_MAP_ERROR when nothing fits ("swiotlb buffer is
 * full").
 */
uint64_t swiotlb_tbl_map_single(struct swiotlb_dev *dev, unsigned int cpu,
				uint64_t orig_addr, size_t mapping_size,
				uint32_t alloc_align_mask,
				struct swiotlb_work *work);

/**
 * swiotlb_tbl_unmap_single() - give a bounce buffer back
 * @dev:	the device that mapped it
 * @tlb_addr:	an address swiotlb_tbl_map_single() returned for @dev,
 *		still live
 * @work:	required; reset, then filled with the work done
 *
 * Frees the mapping's slots with its padding, or deletes the transient
 * pool that held it. An address in no pool of @dev changes nothing.
 */
void swiotlb_tbl_unmap_single(struct swiotlb_dev *dev, uint64_t tlb_addr,
			      struct swiotlb_work *work);

/**
 * swiotlb_find_pool() - the pool holding an address
 * @dev:	the device (its allocator's pools are looked at, then its own
 *		transient ones)
 * @paddr:	any address
 * @steps:	if not NULL, the list entries walked: the kernel's cost of
 *		every unmap and sync
 *
 * Return: the pool, or NULL when @paddr is in none of them.
 */
struct io_tlb_pool *swiotlb_find_pool(const struct swiotlb_dev *dev,
				      uint64_t paddr, uint32_t *steps);

/**
 * swiotlb_prefetch_release() - warm the caches for a coming unmap
 * @dev:	the device
 * @tlb_addr:	a live mapping's address that will be unmapped soon
 *
 * A hint for the simulator, between an unmap's start and its release: asks
 * the CPU to fetch the slot state the release reads and writes, which has
 * usually left the caches since the map. Changes nothing.
 */
void swiotlb_prefetch_release(const struct swiotlb_dev *dev,
			      uint64_t tlb_addr);

/**
 * swiotlb_is_transient_addr() - whether an address is in a transient pool
 * @dev:	the device whose pools are looked at
 * @addr:	any address
 *
 * Return: true when @addr lies in one of @dev's transient pools.
 */
bool swiotlb_is_transient_addr(const struct swiotlb_dev *dev, uint64_t addr);

/**
 * swiotlb_dyn_pool_nslabs() - the size the growth worker asks for first
 * @mem:	the allocator
 *
 * Return: the boot size capped by max_page_order, as swiotlb_dyn_alloc()
 * asks swiotlb_alloc_pool().
 */
uint64_t swiotlb_dyn_pool_nslabs(const struct io_tlb_mem *mem);

/**
 * swiotlb_dyn_pool_shrink() - the next try after a failed pool allocation
 * @nslabs:	the size that failed
 *
 * Return: half of @nslabs rounded up to a segment, or 0 when @nslabs was
 * already the 1 MiB minimum (the worker gives up).
 */
uint64_t swiotlb_dyn_pool_shrink(uint64_t nslabs);

/**
 * swiotlb_grow() - add a pool, as the growth worker does when it succeeds
 * @mem:	a dynamic allocator (can_grow)
 * @start:	the pool's physical address, page aligned and overlapping no
 *		other pool; 0 picks a fresh one
 * @nslabs:	a positive multiple of IO_TLB_SEGSIZE
 * @oom:	if not NULL, set to whether a failure is for want of host
 *		memory (not the kernel's rules: the caller makes it an error)
 * @err:	where a message goes on failure (may be NULL)
 * @errlen:	size of @err
 *
 * The pool gets the boot area count, limited to its whole segments, and
 * goes at the head of the list, where searches look first.
 *
 * Return: the new pool, or NULL with a message in @err.
 */
struct io_tlb_pool *swiotlb_grow(struct io_tlb_mem *mem, uint64_t start,
				 uint64_t nslabs, bool *oom, char *err,
				 size_t errlen);

/**
 * swiotlb_restricted_create() - a restricted DMA pool
 * @base:	its physical address, page aligned
 * @size:	bytes, a positive multiple of @page_size
 * @page_size:	a power of two, 4096 or more
 * @err:	where a message goes on failure (may be NULL)
 * @errlen:	size of @err
 *
 * As rmem_swiotlb_device_init() makes one: one area, every map bounced,
 * swiotlb_alloc() allowed, no growth.
 *
 * Return: the allocator, to be freed with swiotlb_mem_free(); NULL with a
 * message in @err.
 */
struct io_tlb_mem *swiotlb_restricted_create(uint64_t base, uint64_t size,
					     uint64_t page_size, char *err,
					     size_t errlen);

/**
 * swiotlb_alloc() - a page-aligned buffer from a restricted pool
 * @dev:	a device of a restricted pool
 * @cpu:	the CPU the call runs on
 * @size:	bytes; the buffer is aligned to its size rounded up to a power
 *		of two pages, as page blocks are
 * @work:	required; reset, then filled with the work done
 *
 * Return: the buffer's address, or SWIOTLB_MAP_ERROR when nothing fits.
 */
uint64_t swiotlb_alloc(struct swiotlb_dev *dev, unsigned int cpu, size_t size,
		       struct swiotlb_work *work);

/**
 * swiotlb_free() - give back a buffer of swiotlb_alloc()
 * @dev:	the device that allocated it
 * @addr:	the buffer's address
 * @work:	required; reset, then filled with the work done
 *
 * Return: true, or false when @addr is in no pool of @dev.
 */
bool swiotlb_free(struct swiotlb_dev *dev, uint64_t addr,
		  struct swiotlb_work *work);

/**
 * swiotlb_max_mapping_size() - the largest map a device can ask for
 * @dev:	the device
 *
 * Return: a segment's bytes, less what min_align_mask may cost at its
 * start.
 */
size_t swiotlb_max_mapping_size(const struct swiotlb_dev *dev);

/* debugfs: io_tlb_nslabs, io_tlb_used, io_tlb_used_hiwater,
 * io_tlb_transient_nslabs. */
struct swiotlb_counters {
	uint64_t nslabs, used, hiwater, transient_nslabs;
};

/**
 * swiotlb_counters() - the debugfs counters
 * @mem:	the allocator
 *
 * Return: slabs of all non-transient pools, slots in use (transient pools
 * whole), the high-water mark of that use, slabs of transient pools.
 */
struct swiotlb_counters swiotlb_counters(const struct io_tlb_mem *mem);

/**
 * swiotlb_reset_hiwater() - what writing 0 to io_tlb_used_hiwater does
 * @mem:	the allocator; the next map raises the mark to the use again
 */
void swiotlb_reset_hiwater(struct io_tlb_mem *mem);

/**
 * swiotlb_largest_free_run() - the largest map that could succeed now
 * @mem:	the allocator
 *
 * O(nslabs), a run at a time: for samplers, not hot paths.
 *
 * Return: the longest run of free slots inside one segment, over all
 * non-transient pools (at most IO_TLB_SEGSIZE).
 */
uint32_t swiotlb_largest_free_run(const struct io_tlb_mem *mem);

/**
 * swiotlb_slot_free_run() - the kernel's slots[slot].list
 * @pool:	a pool
 * @slot:	an index below @pool->nslabs
 *
 * Return: free slots from @slot to the next used one, its segment's end or
 * the pool's end; 0 for a used slot.
 */
uint32_t swiotlb_slot_free_run(const struct io_tlb_pool *pool, uint32_t slot);

/**
 * swiotlb_check() - check every invariant
 * @mem:	the allocator
 * @err:	where the first violation is described (may be NULL)
 * @errlen:	size of @err
 *
 * Free slots hold no mapping's record; per-area and total used counts
 * agree with the used bits; the high-water mark is not below the use.
 * O(nslabs).
 *
 * Return: 0, or -1 with the first violation in @err.
 */
int swiotlb_check(const struct io_tlb_mem *mem, char *err, size_t errlen);

#endif
