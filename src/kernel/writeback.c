// SPDX-License-Identifier: GPL-2.0
/*
 * writeback.c - when the DRAM pool passes its limit, a worker writes the objects of
 * its coldest zspage back to their swap slots on disk and frees the zspage (the
 * zspage-LRU writeback of the zsmalloc writeback series).
 *
 * The kernel's own writeback helpers (__swap_writepage, __read_swap_cache_async) are
 * sealed under IBT on 6.12, so the worker writes with its own bios: each object is
 * decompressed into one of the worker's pages and written to the sectors of its own
 * slot (the slot belongs to the entry until it is invalidated), found through the
 * swap device's extents as the kernel's swap_page_sector() finds them. The device is
 * reached through the kernel's swap_info[] (a variable, resolved at load) and kept
 * with a reference on si->users for as long as the bio is in flight, so swapoff
 * waits for it before it drops the extents and the block device.
 *
 * An object is first compacted away if it can be (no I/O); then written back. Only
 * a completed write erases the entry: an object whose write fails stays in the pool
 * and its zspage goes back on the LRU. Entries under writeback and the slots in
 * flight: see swap.c's header. Swapfiles on filesystems with swap_rw (NFS) are not
 * written back.
 *
 * Drain (cram_wb_drain, /sys/module/cram/drain) uses the same path for every page
 * cram holds, CXL pages included: stores are disarmed first, then passes of the
 * drain work write each slot's page and drop the entry once the write has ended.
 *
 * Context: the works run on an ordered WQ_MEM_RECLAIM workqueue and may sleep; the
 * queue is freezable, so no writeback starts while hibernation builds its image; bios are
 * allocated GFP_NOIO from fs_bio_set (mempool-backed); the pages are the worker's
 * own, allocated at load. cram_wb_wait() is called by the store path (may sleep).
 * The bio completion runs in interrupt context and touches only its slot and the
 * batch's counter.
 * Locking: cram_wb.inflight_lock (spinlock) guards the slots' swp, and nests
 * inside nothing of cram's; tree and pool locks are taken by swap.c/dram_tier.c.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/rbtree.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "cram.h"

#define CRAM_WB_BATCH		16	/* pages in flight at once */
#define CRAM_WB_RUN_ZSPAGES	64	/* zspages per worker run, then requeue */
#define CRAM_WB_COMPACT_STEP	4	/* zspages compacted per lock hold */

struct cram_wb_slot {
	unsigned long swp;		/* 0: unused (offset 0 is the swap header) */
	void *entry;			/* claimed: a pool entry or a CXL value entry */
	struct swap_info_struct *si;	/* holding a reference on si->users */
	struct page *page;
	void *erased;			/* a CXL entry written and taken out: to free */
	sector_t sector;		/* where the slot is on the swap device */
	blk_status_t status;
};

static struct {
	struct workqueue_struct *wq;
	struct work_struct work;
	struct swap_info_struct **swap_info;	/* the kernel's swap_info[] */
	const void *swap_bdev_ops;	/* 7.3+: si->ops of devices cram can write */
	unsigned long *swps;			/* slots of the zspage under reclaim */
	void *buf;				/* one compressed object */
	struct cram_wb_slot slots[CRAM_WB_BATCH];
	spinlock_t inflight_lock;		/* slots[].swp, nr_inflight */
	unsigned int nr_inflight;		/* slots with swp set */
	wait_queue_head_t inflight_wq;
	atomic_t pending;
	struct completion done;
	struct work_struct drain_work;		/* one drain pass */
	unsigned int drain_dev;			/* its pages: CRAM_HELD_ANY, or a device's */
	unsigned int drained;			/* pages the pass wrote */
	unsigned int found;			/* slots the pass found */
} cram_wb;

static DEFINE_MUTEX(cram_wb_drain_lock);	/* one drain at a time */

/*** slots in flight ***/

static void cram_wb_inflight_set(struct cram_wb_slot *slot, unsigned long swp)
{
	spin_lock(&cram_wb.inflight_lock);
	slot->swp = swp;
	WRITE_ONCE(cram_wb.nr_inflight, cram_wb.nr_inflight + 1);
	spin_unlock(&cram_wb.inflight_lock);
}

static void cram_wb_inflight_clear(struct cram_wb_slot *slot)
{
	spin_lock(&cram_wb.inflight_lock);
	slot->swp = 0;
	WRITE_ONCE(cram_wb.nr_inflight, cram_wb.nr_inflight - 1);
	spin_unlock(&cram_wb.inflight_lock);
	wake_up_all(&cram_wb.inflight_wq);
}

static bool cram_wb_inflight(unsigned long first, unsigned int nr)
{
	bool busy = false;
	unsigned int i;

	spin_lock(&cram_wb.inflight_lock);
	for (i = 0; i < CRAM_WB_BATCH && !busy; i++)
		busy = cram_wb.slots[i].swp >= first && cram_wb.slots[i].swp < first + nr;
	spin_unlock(&cram_wb.inflight_lock);
	return busy;
}

/* The store path, before the kernel writes slots offset..+nr: no older write lands after. */
void cram_wb_wait(unsigned int type, pgoff_t offset, unsigned int nr_pages)
{
	unsigned long first = swp_entry(type, offset).val;

	if (!READ_ONCE(cram_wb.nr_inflight) || !cram_wb_inflight(first, nr_pages))
		return;
	cram_stat_inc(CRAM_STAT_WRITEBACK_WAITS);
	if (cram_test_wb_no_wait())
		return;	/* the VM test that shows what this wait prevents */
	wait_event(cram_wb.inflight_wq, !cram_wb_inflight(first, nr_pages));
}

/*** one page ***/

/* swap_page_sector(): the slot's first sector, through the device's extents. */
static int cram_wb_sector(struct swap_info_struct *si, pgoff_t offset, sector_t *sector)
{
	struct rb_node *rb = si->swap_extent_root.rb_node;

	while (rb) {
		struct swap_extent *se = rb_entry(rb, struct swap_extent, rb_node);

		if (offset < se->start_page) {
			rb = rb->rb_left;
		} else if (offset >= se->start_page + se->nr_pages) {
			rb = rb->rb_right;
		} else {
			*sector = (se->start_block + offset - se->start_page) << (PAGE_SHIFT - 9);
			return 0;
		}
	}
	return -ENOENT;
}

/* The swap device of slot swp, referenced, if cram can write to it. */
static struct swap_info_struct *cram_wb_get_device(unsigned long swp, sector_t *sector)
{
	swp_entry_t slot = { .val = swp };
	struct swap_info_struct *si;

	si = READ_ONCE(cram_wb.swap_info[swp_type(slot)]);
	if (!si || !percpu_ref_tryget_live(&si->users))
		return NULL;	/* swapoff under way */
	if ((si->flags & SWP_WRITEOK) && cram_swap_bdev_io(si, cram_wb.swap_bdev_ops) &&
	    si->bdev && !cram_wb_sector(si, swp_offset(slot), sector))
		return si;
	percpu_ref_put(&si->users);
	return NULL;
}

static void cram_wb_end_io(struct bio *bio)
{
	struct cram_wb_slot *slot = bio->bi_private;

	slot->status = bio->bi_status;
	bio_put(bio);
	if (atomic_dec_and_test(&cram_wb.pending))
		complete(&cram_wb.done);
}

/* Claim slot swp's entry and put its page into slot's page; the write is not sent yet. */
static int cram_wb_prepare(struct cram_wb_slot *slot, unsigned long swp, struct cram_zspage *zs,
			   unsigned int dev)
{
	void *page = page_address(slot->page);
	struct swap_info_struct *si;
	u32 len;

	si = cram_wb_get_device(swp, &slot->sector);
	if (!si)
		return -ENODEV;
	cram_wb_inflight_set(slot, swp);	/* before the claim: see cram_wb_wait */
	slot->entry = cram_swap_wb_claim(swp, zs, dev, page, cram_wb.buf, &len);
	if (!slot->entry) {
		cram_stat_inc(CRAM_STAT_WRITEBACK_RACED);
		goto unclaimed;
	}
	if (len && cram_dram_decompress(cram_wb.buf, len, page)) {
		pr_err_ratelimited("swap slot %#lx: pool object corrupt, not written back\n", swp);
		cram_swap_wb_finish(swp, slot->entry, false);
		cram_stat_inc(CRAM_STAT_WRITEBACK_FAILURES);
		goto unclaimed;
	}
	slot->si = si;
	slot->status = BLK_STS_OK;
	return 0;

unclaimed:
	cram_wb_inflight_clear(slot);
	percpu_ref_put(&si->users);
	return -ENOENT;
}

/*
 * Allocated only now, one at a time: a bio held unsubmitted while the next one waits
 * on fs_bio_set's mempool could wait for itself (a plug is flushed when we sleep).
 */
static void cram_wb_submit(struct cram_wb_slot *slot)
{
	struct bio *bio;

	bio = bio_alloc(slot->si->bdev, 1, REQ_OP_WRITE | REQ_SWAP, GFP_NOIO);
	bio->bi_iter.bi_sector = slot->sector;
	bio->bi_end_io = cram_wb_end_io;
	bio->bi_private = slot;
	__bio_add_page(bio, slot->page, PAGE_SIZE, 0);
	atomic_inc(&cram_wb.pending);
	submit_bio(bio);
}

static bool cram_wb_complete(struct cram_wb_slot *slot, bool drain)
{
	bool written = slot->status == BLK_STS_OK;

	slot->erased = cram_swap_wb_finish(slot->swp, slot->entry, written);
	if (written) {
		cram_stat_inc(drain ? CRAM_STAT_DRAINED : CRAM_STAT_WRITEBACKS);
	} else {
		cram_stat_inc(CRAM_STAT_WRITEBACK_FAILURES);
		pr_warn_ratelimited("writeback of swap slot %#lx failed (%d): the page stays in cram\n",
				    slot->swp, blk_status_to_errno(slot->status));
	}
	percpu_ref_put(&slot->si->users);
	cram_wb_inflight_clear(slot);
	return written;
}

/*
 * CXL entries the batch took out of their trees (drain), freed once no load can still
 * be copying from their region pages: every load runs inside a hook's SRCU section.
 * Freeing at once zeroed pages under loads that had found them (6.1, a drain racing
 * a workload's swap-ins: 215 of 12288 pages read back wrong).
 */
static void cram_wb_free_erased(unsigned int used)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < used; i++)
		any |= !!cram_wb.slots[i].erased;
	if (!any)
		return;
	synchronize_srcu_expedited(&cram_srcu);
	for (i = 0; i < used; i++) {
		if (cram_wb.slots[i].erased)
			cram_swap_entry_free(cram_wb.slots[i].erased);
		cram_wb.slots[i].erased = NULL;
	}
}

/*
 * Write up to CRAM_WB_BATCH slots at once: objects of zs (pool reclaim), or with zs
 * NULL any page cram holds (drain). Returns how many were written.
 */
static unsigned int cram_wb_batch(const unsigned long *swps, unsigned int nr,
				  struct cram_zspage *zs, unsigned int dev)
{
	unsigned int i, used = 0, written = 0;
	struct blk_plug plug;

	for (i = 0; i < nr; i++)
		if (!cram_wb_prepare(&cram_wb.slots[used], swps[i], zs, dev))
			used++;
	if (used)	/* claimed, old copies ready to go: loads, frees and stores race them */
		cram_test_wb_delay();
	atomic_set(&cram_wb.pending, 1);
	reinit_completion(&cram_wb.done);
	blk_start_plug(&plug);
	for (i = 0; i < used; i++)
		cram_wb_submit(&cram_wb.slots[i]);
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&cram_wb.pending))
		wait_for_completion(&cram_wb.done);
	for (i = 0; i < used; i++)
		written += cram_wb_complete(&cram_wb.slots[i], !zs);
	cram_wb_free_erased(used);
	return written;
}

/* Write back the coldest zspage; false when nothing could be written. */
static bool cram_wb_zspage(void)
{
	unsigned int i, nr, written = 0;
	struct cram_zspage *zs;

	zs = cram_dram_reclaim_begin(cram_wb.swps, &nr);
	if (!zs)
		return false;
	for (i = 0; i < nr; i += CRAM_WB_BATCH)
		written += cram_wb_batch(cram_wb.swps + i,
					 min_t(unsigned int, nr - i, CRAM_WB_BATCH), zs,
					 CRAM_HELD_ANY);
	cram_dram_reclaim_end(zs);
	return written;
}

static void cram_wb_work(struct work_struct *work)
{
	unsigned int zspages = 0, fruitless = 0;
	u64 freed;

	while (cram_dram_pages_over_target() > 0) {
		freed = cram_dram_compact(CRAM_WB_COMPACT_STEP);	/* bounded per lock hold */
		if (freed) {
			cram_stat_add(CRAM_STAT_POOL_COMPACTED_PAGES, freed);
			cond_resched();
			continue;
		}
		if (!cram_wb.swap_info || fruitless >= 4)
			return;	/* nothing writable: stores are refused until frees make room */
		if (++zspages > CRAM_WB_RUN_ZSPAGES) {
			queue_work(cram_wb.wq, &cram_wb.work);	/* let others run */
			return;
		}
		fruitless = cram_wb_zspage() ? 0 : fruitless + 1;
		cond_resched();
	}
}

void cram_wb_kick(void)
{
	if (cram_wb.wq)
		queue_work(cram_wb.wq, &cram_wb.work);
}

/*** drain: every page cram holds, to its slot ***/

/* One pass over every tree, on the worker (it owns the slots and buffers). */
static void cram_wb_drain_work(struct work_struct *work)
{
	unsigned long next = 0;
	unsigned int nr;

	do {
		nr = cram_swap_held_slots(&next, cram_wb.swps, CRAM_WB_BATCH, cram_wb.drain_dev);
		cram_wb.found += nr;
		cram_wb.drained += cram_wb_batch(cram_wb.swps, nr, NULL, cram_wb.drain_dev);
		cond_resched();
	} while (nr == CRAM_WB_BATCH);
}

/*
 * Write every page cram holds to its slot on the swap device and drop it, with new
 * stores disarmed (enabled=N, and it stays so). Passes repeat while they make
 * progress: a page loaded back (6.1) or freed meanwhile needs no write. 0: cram
 * holds nothing; -EINTR: a signal stopped it (interruptible only); -EIO: some
 * pages could not be written (I/O error, swapoff under way, a swap file on NFS, an
 * unreadable CXL page); -ENODEV: the swap devices cannot be reached at all (no
 * swap_info). Context: process context (the writer of /sys/module/cram/drain, or
 * the remover of the CXL region: not interruptible), may sleep.
 */
int cram_wb_drain(bool interruptible)
{
	u64 before;
	int err = 0;

	if (!cram_wb.swap_info)
		return cram_swap_nr_stored() ? -ENODEV : 0;
	if (!interruptible)
		mutex_lock(&cram_wb_drain_lock);
	else if (mutex_lock_interruptible(&cram_wb_drain_lock))
		return -EINTR;
	cram_swap_disarm();
	while (cram_swap_nr_stored()) {
		if (interruptible && signal_pending(current)) {
			err = -EINTR;
			break;
		}
		before = cram_swap_nr_stored();
		cram_wb.drained = 0;
		cram_wb.drain_dev = CRAM_HELD_ANY;
		queue_work(cram_wb.wq, &cram_wb.drain_work);
		flush_work(&cram_wb.drain_work);
		if (!cram_wb.drained && cram_swap_nr_stored() >= before) {
			err = -EIO;
			break;
		}
	}
	mutex_unlock(&cram_wb_drain_lock);
	return err;
}

/*
 * Write every page cram holds on device dev to its slot and drop it, while the other
 * devices and the pool go on taking pages: stores no longer reach dev (its region is
 * leaving, cxl_tier.c), so none of its pages is reused and an entry taken out by its
 * value is the one written. Passes repeat while they find and write pages. 0: dev
 * holds nothing; -EIO: some pages could not be written; -ENODEV: no swap_info.
 * Process context (the remover of the CXL region), may sleep.
 */
int cram_wb_drain_device(unsigned int dev)
{
	unsigned int last = UINT_MAX;
	int err = 0;

	if (!cram_wb.swap_info)
		return -ENODEV;
	mutex_lock(&cram_wb_drain_lock);
	for (;;) {
		cram_wb.drained = 0;
		cram_wb.found = 0;
		cram_wb.drain_dev = dev;
		queue_work(cram_wb.wq, &cram_wb.drain_work);
		flush_work(&cram_wb.drain_work);
		if (!cram_wb.found)
			break;
		if (!cram_wb.drained && cram_wb.found >= last) {	/* no progress */
			err = -EIO;
			break;
		}
		last = cram_wb.found;
	}
	mutex_unlock(&cram_wb_drain_lock);
	return err;
}

bool cram_wb_draining(void)
{
	return mutex_is_locked(&cram_wb_drain_lock);
}

/*
 * Run arm() unless a drain runs: a drain relies on stores staying disarmed until it
 * ends (a CXL entry it wrote is taken out by its value, which a page stored again
 * meanwhile could have), and it holds its lock from disarming to the end. Returns
 * -EBUSY when one runs. Process context (a parameter write); takes no lock but the
 * drain's, and only by trying.
 */
int cram_wb_unless_draining(void (*arm)(void))
{
	if (!mutex_trylock(&cram_wb_drain_lock))
		return -EBUSY;
	arm();
	mutex_unlock(&cram_wb_drain_lock);
	return 0;
}

/*** init / exit ***/

static void cram_wb_free(void)
{
	unsigned int i;

	for (i = 0; i < CRAM_WB_BATCH; i++)
		if (cram_wb.slots[i].page)
			__free_page(cram_wb.slots[i].page);
	kfree(cram_wb.buf);
	kfree(cram_wb.swps);
	if (cram_wb.wq)
		destroy_workqueue(cram_wb.wq);
	memset(&cram_wb, 0, sizeof(cram_wb));
}

int cram_wb_init(void)
{
	unsigned int i;

	spin_lock_init(&cram_wb.inflight_lock);
	init_waitqueue_head(&cram_wb.inflight_wq);
	init_completion(&cram_wb.done);
	INIT_WORK(&cram_wb.work, cram_wb_work);
	INIT_WORK(&cram_wb.drain_work, cram_wb_drain_work);
	cram_wb.swap_info = cram_sym_data("swap_info");
	if (cram_swap_bdev_ops_name) {
		cram_wb.swap_bdev_ops = cram_sym_data(cram_swap_bdev_ops_name);
		if (!cram_wb.swap_bdev_ops)
			pr_warn("kernel variable swap_bdev_ops not found (CONFIG_KALLSYMS_ALL?): the pool cannot write back to disk; it refuses pages when full\n");
	}
	if (!cram_wb.swap_info)
		pr_warn("kernel variable swap_info not found (CONFIG_KALLSYMS_ALL?): the pool cannot write back to disk; it refuses pages when full\n");
	/* ordered: the writeback and drain works share the slots and buffers */
	cram_wb.wq = alloc_ordered_workqueue("cram_wb", WQ_MEM_RECLAIM | WQ_FREEZABLE);
	cram_wb.swps = kcalloc(CRAM_POOL_MAX_OBJS, sizeof(*cram_wb.swps), GFP_KERNEL);
	cram_wb.buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	for (i = 0; i < CRAM_WB_BATCH; i++)
		cram_wb.slots[i].page = alloc_page(GFP_KERNEL);
	for (i = 0; i < CRAM_WB_BATCH; i++)
		if (!cram_wb.slots[i].page)
			break;
	if (!cram_wb.wq || !cram_wb.swps || !cram_wb.buf || i < CRAM_WB_BATCH) {
		pr_err("no memory for the writeback worker\n");
		cram_wb_free();
		return -ENOMEM;
	}
	return 0;
}

/* No entries are left (module references), so no writeback can start again. */
void cram_wb_exit(void)
{
	if (cram_wb.wq) {
		cancel_work_sync(&cram_wb.work);
		cancel_work_sync(&cram_wb.drain_work);
	}
	cram_wb_free();
}
