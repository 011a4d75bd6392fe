/* machine/costs.h - every default of the machine model, named once, with where
 * the figure comes from; struct machine_costs carries them so that a
 * configuration can override each one.
 *
 * Figures marked "measured here" come from ../shared/costs.md (a 2-core Xeon,
 * gcc 12 -O2). Figures marked "guess" have no published source: they are
 * order-of-magnitude choices and the parameter exists to be swept.
 * Times are integer nanoseconds; bandwidths are bytes per nanosecond (= GB/s),
 * where 0 means "no transfer cost at all".
 */
#ifndef SWSIM_MACHINE_COSTS_H
#define SWSIM_MACHINE_COSTS_H

#include <stdint.h>

/* ---- DMA-API calls, on the issuing CPU --------------------------------- */

/* dma_map_page() that bounces, minus the search and the copy: the call
 * chain dma_map_page_attrs -> dma_direct_map_page -> swiotlb_map ->
 * swiotlb_tbl_map_single, its checks and tracepoints. Guess. The only
 * published whole-call figure is the IOMMU path's ~1.0 us (dma_map_benchmark),
 * which also allocates an IOVA and writes page tables; the direct path does
 * neither, so we take a tenth. Sweep 50-1000. */
#define COST_MAP_CALL_NS 100
/* dma_unmap_page() minus the pool lookup, the copy and the release. Guess,
 * by the same reasoning against the IOMMU path's ~1.3 us. */
#define COST_UNMAP_CALL_NS 100
/* dma_sync_single_for_{cpu,device}() minus the lookup and the copy: a
 * shorter chain than map/unmap. Guess. */
#define COST_SYNC_CALL_NS 50

/* ---- the allocator's search, turned into time --------------------------- */

/* One area tried: pick the index, read the area's counters, set up the
 * scan. Together with the two below this makes a 4 KiB map + unmap cost
 * ~55-66 ns including both lock round trips, as measured here for the
 * kernel's own swiotlb functions compiled in userspace. */
#define COST_AREA_TRY_NS 5
/* One slot examined by the search: one load of slot->list and a compare,
 * mostly cache-hot (measured here, see above). */
#define COST_SLOT_EXAMINE_NS 2
/* One slot taken or given back: writes of list, orig_addr, alloc_size,
 * pad_slots (measured here, see above; the 512 B-256 KiB mix's ~265 ns per
 * map + unmap pair is dominated by these writes). */
#define COST_SLOT_WRITE_NS 2
/* One step of swiotlb_find_pool()'s walk of the pool list (an RCU list
 * entry: load start/end, compare). Every unmap and sync pays it. Guess:
 * one mostly-cached line per step. */
#define COST_POOL_STEP_NS 5

/* ---- bounce copy -------------------------------------------------------- */

/* memcpy with data from DRAM, one core: ~6-7 GB/s (4 KiB in ~0.66 us,
 * 256 KiB in ~37 us), measured here. Bounce buffers are written by devices
 * and read once, so DRAM, not cache, is the usual case; cache-hot copies
 * run at ~42 GB/s (also measured here) and can be set instead. */
#define COST_COPY_BYTES_PER_NS 6.5

/* ---- area spinlocks ----------------------------------------------------- */

/* Uncontended spin_lock_irqsave + unlock: ~10 ns, pthread spinlock
 * measured here. Paid by every hold. */
#define COST_LOCK_NS 10
/* The lock's cache line moving from the last holder's CPU: ~40 ns per
 * handoff, measured here with two threads contending. */
#define COST_LOCK_HANDOFF_NS 40
/* One line of slot metadata moving from the last holder's CPU: the same
 * cross-core transfer as the lock line, so the same ~40 ns. */
#define COST_SLOT_LINE_TRANSFER_NS 40
/* sizeof(struct io_tlb_slot) on x86-64 (orig_addr 8 + alloc_size 8 +
 * list 2 + pad_slots 2, padded to 24) and the x86 cache line: how many
 * lines a run of slots covers. Structure facts, not measurements. */
#define SLOT_META_BYTES 24
#define CACHE_LINE_BYTES 64

/* ---- interrupts --------------------------------------------------------- */

/* A device completion's interrupt on its CPU: entry, the driver's handler,
 * the block/net completion up to where the caller unmaps. Guess: ~1 us;
 * interrupts in a confidential VM cost more (#VC / posted-interrupt exits),
 * so sweep 0.5-5 us. */
#define COST_IRQ_NS 1000

/* An interrupt that finds its CPU idle: the CPU leaves the idle state and
 * the scheduler switches to the task the interrupt wakes (fio asleep in
 * io_getevents, a socket reader). Two published parts: a C1 exit of 1-2 us
 * (drivers/idle/intel_idle.c tables, exit_latency: Skylake-SP C1 2 us,
 * Ice Lake-SP C1 1 us; C1E 4-10 us and C6 128-133 us when the idle governor
 * goes deeper) and a context switch of ~1-2 us (E. Bendersky, "Measuring
 * context switching and memory overheads for Linux threads", 2018; lmbench
 * lat_ctx). Sum of the shallow ends: 3 us; sweep 2-140 us. */
#define COST_IDLE_WAKEUP_NS 3000

/* ---- the I/O stack outside the DMA API, per request --------------------- */

/* Published per-I/O CPU figures for IRQ-driven block I/O on NVMe (the whole
 * path, DMA map included, no swiotlb): J. Axboe, "Faster IO through
 * io_uring" (Kernel Recipes 2019): libaio 608K 4 KiB random reads per
 * second on one core at QD128, ~1.6 us per I/O (io_uring polled 1620K);
 * PhotonLibOS "File IO Performance": fio libaio, one job, 4 KiB randread
 * QD128, 279K IOPS at 100% CPU, ~3.6 us per I/O. No publication splits
 * submission from completion; 60/40 of ~2 us is taken, the interrupt
 * (COST_IRQ_NS) and the DMA calls being charged apart. Device kinds nvme
 * and generic share these figures (no published figure for others; the
 * SCSI and virtio paths are longer: sweep 1-10 us). */
/* fio's io_submit of one I/O, the block layer (bio, request, tag) and the
 * driver's queue_rq up to the doorbell, DMA maps excluded. */
#define COST_STORAGE_SUBMIT_NS 1200
/* After the interrupt: the driver's completion queue entry, the request's
 * end, the aio event and fio's reap, DMA unmaps excluded. */
#define COST_STORAGE_COMPLETE_NS 800
/* Per network packet. M. Majkowski, "How to receive a million packets per
 * second" (Cloudflare blog, 2015): the Linux stack reaches ~1M small UDP
 * packets/s only spread over several RX queues and receiving processes,
 * a few us of CPU per packet (driver, stack, recvmmsg), and ~50K packets/s
 * per core is called the practical limit of an application that does
 * something with them. Taken at the low end; sweep 0.5-20 us. */
/* A packet sent: the send path (socket, qdisc, the driver's xmit) before
 * its DMA map. */
#define COST_NET_TX_NS 1500
/* A packet received: the driver's receive, GRO, the stack up to the
 * socket and the reader, after its unmap. */
#define COST_NET_RX_NS 2000

/* ---- transient pools ---------------------------------------------------- */

/* Making a transient pool in swiotlb_find_slots(): gen_pool allocation
 * from the atomic pool, kmalloc(GFP_NOWAIT) of the pool, slot and area
 * arrays, slot initialisation, list_add_rcu under the device's lock.
 * Guess: ~2 us. */
#define COST_TRANSIENT_CREATE_NS 2000
/* Per page of a transient pool, on top of the above. 0 by default: in a
 * confidential VM, swiotlb_alloc_tlb() takes GFP_NOWAIT allocations from
 * the atomic pool, whose pages were decrypted when the atomic pool was
 * filled ("because decrypting may block"), so Linux 6.12 decrypts nothing
 * here. Set it to COST_PAGE_DECRYPT_NS to model a kernel that does. */
#define COST_TRANSIENT_PAGE_NS 0
/* Freeing a transient pool at unmap: list_del_rcu under the device's lock,
 * the RCU callback's gen_pool_free and kfree. Guess: ~1 us. */
#define COST_TRANSIENT_FREE_NS 1000

/* ---- dynamic growth (the background worker) ------------------------------ */

/* From schedule_work() to swiotlb_dyn_alloc() running on a kworker. Guess:
 * a kworker wake-up, ~20 us. */
#define COST_GROW_QUEUE_NS 20000
/* One alloc_pages() try at a given order, before success or the halving
 * retry (a high-order allocation may compact). Guess: ~5 us. */
#define COST_GROW_ATTEMPT_NS 5000
/* Per 4 KiB page of a successful pool allocation: struct page set-up and
 * the pool's slot initialisation. Guess: ~250 ns. */
#define COST_PAGE_ALLOC_NS 250
/* Per page, set_memory_decrypted() in SEV-SNP / TDX: no published per-page
 * figure (one SNP page-state-change exit carries <= 253 entries, Linux
 * batches 64, plus a TLB flush, plus MapGPA on TDX; see costs.md). Guess at
 * the low end of the 1-50 us range costs.md says to sweep. */
#define COST_PAGE_DECRYPT_NS 5000
/* Chance that one alloc_pages() try fails, so the worker halves the size
 * (swiotlb_dyn_pool_shrink) and tries again; after the 1 MiB try fails the
 * growth fails. 0: memory is never fragmented enough to fail. */
#define DEFAULT_GROW_ATTEMPT_FAIL_PROB 0.0

/* ---- atomic pool --------------------------------------------------------- */

/* The DMA atomic pool transient pools come from: kernel/dma/pool.c sizes it
 * 128 KiB per GiB of memory, at most one MAX_PAGE_ORDER block (4 MiB on
 * x86 with 4 KiB pages). 4 MiB is the size of a guest of 32 GiB or more. */
#define DEFAULT_ATOMIC_POOL_BYTES (4ULL << 20)

/* ---- devices ------------------------------------------------------------- */

/* NVMe io_queue_depth default (drivers/nvme/host/pci.c). */
#define DEFAULT_DEVICE_QUEUE_DEPTH 1024
/* Fixed service latency: a fast NVMe read is ~10-80 us; we take the fast
 * end so that the host side, not the device, is what the default studies.
 * Guess. */
#define DEFAULT_DEVICE_LATENCY_NS 10000
/* Transfer rate per request: a PCIe 3.0 x4 NVMe, ~3 GB/s. */
#define DEFAULT_DEVICE_BYTES_PER_NS 3.0
/* pci_device_add() sets dma_set_seg_boundary(dev, 0xffffffff). */
#define DEFAULT_DEVICE_SEG_BOUNDARY 0xffffffffULL
/* A 64-bit capable device. */
#define DEFAULT_DEVICE_DMA_MASK UINT64_MAX
/* No min_align_mask (NVMe sets 0xfff; set it per device). */
#define DEFAULT_DEVICE_MIN_ALIGN_MASK 0

/* ---- the kernel ------------------------------------------------------------ */

/* CONFIG_HZ of Debian's amd64 kernels (CONFIG_HZ_250=y), the ground
 * truth's. */
#define DEFAULT_HZ 250

/* ---- statistics ----------------------------------------------------------- */

/* One time-series row per 10 ms of simulated time (the ground truth sampled
 * io_tlb_used every 100 ms; ten times finer costs little). */
#define DEFAULT_SAMPLE_INTERVAL_NS 10000000ULL
/* Event-log entries kept; more are counted as dropped. Bounds memory in
 * runs that fail millions of maps (~40 MB at the default). */
#define DEFAULT_EVENT_LOG_LIMIT 1000000
/* The run seed when none is given. */
#define DEFAULT_SEED 1

/* ---- machine profiles ------------------------------------------------------ */

/* Where the CPUs run. HOST: the defaults above, and no page decryption
 * (set_memory_decrypted() does nothing outside a confidential guest).
 * VM: a KVM guest without posted interrupts: every interrupt adds an
 * external-interrupt exit and an EOI exit, ~1 us each (the average
 * service times of SystemTap's kvm_service_time example); J. Gordon et
 * al., "ELI: Bare-Metal Performance for I/O Virtualization" (ASPLOS 2012)
 * measure exits on every interrupt at 1.3-1.6x the throughput cost. An
 * idle vCPU halts and is woken by the host scheduler: no published
 * figure (KVM polls before halting to avoid it, Documentation/virt/kvm/
 * halt-polling.rst); sweep 5-50 us. COCO_VM: a TDX or SEV-SNP guest: its
 * interrupts and halts go through #VE/#VC handlers and the TDX module or
 * GHCB protocol: no published per-interrupt figure; sweep 3-10 us and
 * 10-100 us; page decryption as COST_PAGE_DECRYPT_NS. Cache-line and lock
 * handoffs stay the host's (vCPUs of one socket; 100-200 ns when vCPUs
 * float across sockets, chipsandcheese "Core to Core Latency Data on
 * Large Systems", 2023: sweep), and so does the copy bandwidth (no
 * published figure for memory encryption's cost to a memcpy). */
enum machine_profile {
	MACHINE_PROFILE_HOST,
	MACHINE_PROFILE_VM,
	MACHINE_PROFILE_COCO_VM,
};
#define COST_VM_IRQ_NS 3000
#define COST_VM_IDLE_WAKEUP_NS 10000
#define COST_COCO_IRQ_NS 5000
#define COST_COCO_IDLE_WAKEUP_NS 20000

/* The machine's time costs; machine_costs_init() fills in the defaults
 * above, and a configuration overrides any field afterwards. */
struct machine_costs {
	uint64_t map_call_ns, unmap_call_ns, sync_call_ns;
	uint64_t area_try_ns, slot_examine_ns, slot_write_ns, pool_step_ns;
	double copy_bytes_per_ns;
	uint64_t lock_ns, lock_handoff_ns, slot_line_transfer_ns;
	uint64_t slot_meta_bytes, cache_line_bytes;
	uint64_t irq_ns, idle_wakeup_ns;
	uint64_t transient_create_ns, transient_page_ns, transient_free_ns;
	uint64_t grow_queue_ns, grow_attempt_ns, page_alloc_ns, page_decrypt_ns;
};

void machine_costs_init(struct machine_costs *costs);
/* The defaults, then the profile's figures over them. */
void machine_costs_profile(struct machine_costs *costs,
			   enum machine_profile profile);
/* Every time cost multiplied by `factor` (> 0) and the copy bandwidth
 * divided by it: a CPU `factor` times slower (an emulated or overloaded
 * one). Structure facts (slot and line sizes) stay. */
void machine_costs_scale(struct machine_costs *costs, double factor);
/* ns * factor, rounded to the nearest ns. */
uint64_t costs_scaled_ns(uint64_t ns, double factor);

/* Time to move `bytes` at `bytes_per_ns`, rounded up; 0 when the rate is
 * 0 (free). */
uint64_t costs_transfer_ns(uint64_t bytes, double bytes_per_ns);

/* Cache lines that `nslots` consecutive slots' metadata cover. */
uint64_t costs_slot_lines(const struct machine_costs *costs, uint64_t nslots);

#endif
