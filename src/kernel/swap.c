// SPDX-License-Identifier: GPL-2.0
/*
 * swap.c - what cram does with each swap operation, whatever the kernel's hook API
 * (the adapters in src/compat/ translate zswap's or frontswap's calls into these).
 *
 * Entries: xarrays indexed by swap offset, as zswap keeps them, and like zswap's split
 * per 64 MiB of swap space so that one swap device is not one lock (cram/trees.h).
 * A large folio's slots are aligned to its size, at most a PMD, so they are in one
 * range; code that walks several slots still looks each one's tree up. A CXL-tier
 * entry is an xarray value entry holding the region page number, so a store
 * allocates nothing but xarray nodes (zswap allocates those and an entry). A pool
 * entry is a pointer to a struct cram_pool_entry (dram_tier.c), 24 bytes.
 *
 * Admission, in order: large folios only where the kernel stores them whole and
 * invalidates every slot it frees (CRAM_LARGE_FOLIOS, 6.13+; 6.12 frees large swap
 * ranges without invalidating them); nothing while disarmed (enabled=N); the CXL tier
 * only with a region, and then only as the device's telemetry allows (device.c:
 * watermarks, safe mode; without telemetry only with trust_capacity=Y); what the
 * CXL tier refuses, the DRAM pool (dram_tier.c) when pool=Y. A large folio goes
 * whole into one tier: pages a tier took before refusing one are taken back out.
 * A folio no tier takes goes to the swap device, and any older entry at its
 * offsets is erased first so it cannot shadow the newer copy on disk.
 *
 * Writeback (writeback.c) writes a pool object to its slot on disk and then erases
 * its entry. While the write is in flight the entry is marked CRAM_PE_WB; whoever
 * removes such an entry from the tree (invalidate, a newer store, an exclusive
 * load) marks it CRAM_PE_ORPHAN instead of freeing it, and the worker frees it when
 * the write ends. A store that goes to disk first waits for a write in flight to
 * its slot, so the disk never gets the old data after the new.
 *
 * Lifetime: while cram holds any page it holds one reference on the module (taken
 * by the first page held, with try_module_get, which fails once rmmod has begun;
 * dropped by the last: cram_hold/cram_release), so rmmod fails with EBUSY while cram
 * holds pages; swapoff reads them all back. lsmod's use count is 1 then.
 *
 * Context: cram_swap_store/load run in process context (stores in reclaim, often
 * PF_MEMALLOC) and may sleep: a pool store or load takes the per-CPU lz4 mutex
 * (dram_tier.c, as zswap does), and a store that goes to disk first waits for a
 * writeback in flight to its slot (cram_wb_wait). They never sleep to allocate:
 * xarray nodes (one per 64 offsets), pool pages and pool entries are GFP_NOWAIT
 * (reclaim runs with PF_MEMALLOC, so reserves are open to it; zswap allocates its
 * entry and nodes with GFP_KERNEL); a failed allocation sends the page to disk. The
 * CXL path (admission, allocator, copy) never sleeps. cram_swap_invalidate runs in
 * atomic context (under the PTE lock or si->lock) and never sleeps: xa_erase and
 * the frees only. All run inside cram_enter()/cram_leave() (SRCU).
 *
 * /proc/vmstat: pages cram stores and loads count as zswpout/zswpin, as zswap's do.
 * Locking, outer to inner:
 *   the kernel's si->lock (6.1 invalidate_page) or PTE lock (invalidate)
 *   -> cram_dram_cpu.lock (mutex; pool store and load, never under a spinlock)
 *   -> tree xa_lock -> a pool class's lock (src/core/pool.c: a load or writeback
 *      finding and pinning an object to copy out, dram_tier.c)
 * Leaves, never taken under xa_lock and taking nothing inside: the CXL allocator's
 * lock (src/core/ralloc.c, inside a get_cpu_ptr section), the writeback in-flight
 * lock (writeback.c), the device's seqlock (device.c), cram_hold_lock (IRQs saved:
 * the last page's free may run with them off). Entries are freed after
 * xa_unlock. Process context only, outside every lock of cram's: the module's param
 * lock (parameter writes, the device poller's config snapshot) and, while arming,
 * kernel_param_lock(NULL) around the hook installation (ftrace's and kprobes' locks
 * nest inside it). The pool flags of an entry (CRAM_PE_WB, CRAM_PE_ORPHAN) change
 * under xa_lock. The kernel serialises operations on one offset (folio lock, swap
 * count), as zswap relies on; cram re-checks with xa_cmpxchg where an exclusive
 * load frees.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/vmstat.h>
#include <linux/xarray.h>

#include "compat.h"
#include "cram.h"
#include "cram/trees.h"

static bool cram_enabled = true;

static void cram_swap_arm_stores(void)
{
	WRITE_ONCE(cram_enabled, true);
}

/* Y is refused while a drain runs (it reads N then, and ends disarmed). */
static int cram_enabled_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("enabled=%.*s rejected: not Y or N\n", cram_arg_len(val), val);
		return -EINVAL;
	}
	if (!on) {
		WRITE_ONCE(cram_enabled, false);
		return 0;
	}
	if (cram_test_arm_during_drain()) {
		cram_swap_arm_stores();
		return 0;
	}
	if (cram_wb_unless_draining(cram_swap_arm_stores)) {
		pr_err("enabled=Y refused: a drain is running and leaves cram disarmed; write Y once it has ended\n");
		return -EBUSY;
	}
	return 0;
}

static const struct kernel_param_ops cram_enabled_ops = {
	.set = cram_enabled_set,
	.get = param_get_bool,
};
module_param_cb(enabled, &cram_enabled_ops, &cram_enabled, 0644);
MODULE_PARM_DESC(enabled,
		 "take new pages (Y, default); N disarms: stores go to disk, loads and invalidates are still served until cram holds nothing; Y is refused while a drain runs");

static struct xarray cram_trees[MAX_SWAPFILES][CRAM_TREES_PER_TYPE];

/*
 * Pages held (entries, and pages admitted to a store still under way), and the one
 * module reference held while there are any: the count leaves and reaches zero only
 * under cram_hold_lock, taking or dropping the reference there, so "count > 0" and
 * "reference held" are one fact; every other change is one atomic add. Stores from
 * all CPUs share this one line, but no longer the module's refcount as well.
 */
static atomic64_t cram_nr_stored;
static DEFINE_SPINLOCK(cram_hold_lock);

u64 cram_swap_nr_stored(void)
{
	return atomic64_read(&cram_nr_stored);
}

bool cram_swap_enabled(void)
{
	return READ_ONCE(cram_enabled);
}

/*
 * One lockdep class for every tree, by name: lockdep reports and /proc/lock_stat
 * (make bench on a LOCK_STAT kernel counts its contentions) say "cram_tree".
 */
static struct lock_class_key cram_tree_lock_key;

void cram_swap_init(void)
{
	unsigned int type, i;

	for (type = 0; type < MAX_SWAPFILES; type++)
		for (i = 0; i < CRAM_TREES_PER_TYPE; i++) {
			xa_init(&cram_trees[type][i]);
			lockdep_set_class_and_name(&cram_trees[type][i].xa_lock,
						   &cram_tree_lock_key, "cram_tree");
		}
}

/* Module exit: entries hold module references, so none can be left here. */
void cram_swap_exit(void)
{
	unsigned int type, i;

	WARN_ON(atomic64_read(&cram_nr_stored));
	for (type = 0; type < MAX_SWAPFILES; type++)
		for (i = 0; i < CRAM_TREES_PER_TYPE; i++)
			xa_destroy(&cram_trees[type][i]);
}

/*** entries ***/

/* The tree holding this slot (type: the kernel's own, < MAX_SWAPFILES) */
static struct xarray *cram_tree(unsigned int type, pgoff_t offset)
{
	return &cram_trees[type][cram_tree_of(offset)];
}

/*
 * Hold nr more pages: false only when cram held none and rmmod has begun (the
 * reference cannot be taken). Any context, never sleeps.
 */
static bool cram_hold(unsigned int nr)
{
	unsigned long flags;
	bool held = true;

	if (atomic64_add_unless(&cram_nr_stored, nr, 0))
		return true;	/* held before, and still: the reference is there */
	spin_lock_irqsave(&cram_hold_lock, flags);
	if (atomic64_read(&cram_nr_stored) || try_module_get(THIS_MODULE))
		atomic64_add(nr, &cram_nr_stored);
	else
		held = false;
	spin_unlock_irqrestore(&cram_hold_lock, flags);
	return held;
}

/* Let go of nr pages; the last one drops the module reference. Never sleeps. */
static void cram_release(unsigned int nr)
{
	s64 held = atomic64_read(&cram_nr_stored);
	unsigned long flags;

	while (held > nr)	/* not the last: no lock */
		if (atomic64_try_cmpxchg(&cram_nr_stored, &held, held - nr))
			return;
	spin_lock_irqsave(&cram_hold_lock, flags);
	if (!atomic64_sub_return(nr, &cram_nr_stored))
		module_put(THIS_MODULE);
	spin_unlock_irqrestore(&cram_hold_lock, flags);
}

/* Never sleeps: runs under the kernel's PTE lock or si->lock on invalidate. */
static void cram_entry_free(void *entry)
{
	if (xa_is_value(entry))
		cram_cxl_free(xa_to_value(entry));
	else
		cram_dram_free(entry);
	cram_release(1);
}

/* For the writeback worker: a CXL entry cram_swap_wb_finish() took out. */
void cram_swap_entry_free(void *entry)
{
	cram_entry_free(entry);
}

/*
 * Under the tree's lock, for an entry that has just left the tree: the entry, for
 * the caller to free after unlocking, or NULL when there is nothing to free (no
 * entry, or one under writeback, which the worker frees when its write ends).
 */
static void *cram_entry_detached(struct xarray *tree, void *entry)
{
	struct cram_pool_entry *e = entry;

	lockdep_assert_held(&tree->xa_lock);
	if (!entry || xa_is_value(entry) || !(e->handle.owner_flags & CRAM_PE_WB))
		return entry;
	e->handle.owner_flags |= CRAM_PE_ORPHAN;
	return NULL;
}

/* Remove the entry at offset (only if it is still expected, when given) for freeing. */
static void *cram_tree_take(struct xarray *tree, pgoff_t offset, void *expected)
{
	void *entry;

	xa_lock(tree);
	if (expected)
		entry = __xa_cmpxchg(tree, offset, expected, NULL, 0) == expected ? expected : NULL;
	else
		entry = __xa_erase(tree, offset);
	entry = cram_entry_detached(tree, entry);
	xa_unlock(tree);
	return entry;
}

/* Publish entry at offset; an older entry there is replaced and freed. */
static int cram_tree_insert(struct xarray *tree, pgoff_t offset, void *entry)
{
	void *old;

	xa_lock(tree);
	old = __xa_store(tree, offset, entry, GFP_NOWAIT | __GFP_NOWARN);
	if (!xa_is_err(old))
		old = cram_entry_detached(tree, old);
	xa_unlock(tree);
	if (xa_is_err(old))
		return -ENOMEM;
	if (old) {
		cram_entry_free(old);
		cram_stat_inc(CRAM_STAT_STALE_REPLACED);
	}
	return 0;
}

/* Erase and free every entry at offset..offset+nr_pages-1; returns how many were freed. */
static unsigned int cram_tree_erase(unsigned int type, pgoff_t offset, unsigned int nr_pages)
{
	unsigned int i, freed = 0;
	void *entry;

	for (i = 0; i < nr_pages; i++) {
		entry = cram_tree_take(cram_tree(type, offset + i), offset + i, NULL);
		if (entry) {
			cram_entry_free(entry);
			freed++;
		}
	}
	return freed;
}

static void cram_erase_stale(unsigned int type, pgoff_t offset, unsigned int nr_pages)
{
	unsigned int freed = cram_tree_erase(type, offset, nr_pages);

	if (freed)
		cram_stat_add(CRAM_STAT_STALE_ERASED, freed);
}

static void cram_note_disarmed(void)
{
	if (!READ_ONCE(cram_enabled))
		cram_stat_inc(CRAM_STAT_CALLS_WHILE_DISARMED);
}

/*** store ***/

/*
 * May cram take this folio at all? On CRAM_STAT_STORES the caller holds its pages
 * (cram_hold), each for the entry it may become.
 */
static enum cram_stat cram_admit(unsigned int nr_pages)
{
	if (nr_pages > 1 && !CRAM_LARGE_FOLIOS)
		return CRAM_STAT_DECLINE_LARGE_FOLIO;
	if (!READ_ONCE(cram_enabled))
		return CRAM_STAT_DECLINE_DISABLED;
	if (!cram_hold(nr_pages))
		return CRAM_STAT_DECLINE_UNLOADING;
	return CRAM_STAT_STORES;
}

static enum cram_stat cram_store_cxl(struct xarray *tree, pgoff_t offset, struct page *page)
{
	enum cram_stat outcome;
	unsigned long handle;
	void *src;

	if (!cram_cxl_present())
		return CRAM_STAT_DECLINE_NO_TIER;
	src = kmap_local_page(page);
	outcome = cram_cxl_store(src, page_to_nid(page), &handle);
	kunmap_local(src);
	if (outcome != CRAM_STAT_STORES)
		return outcome;
	if (cram_tree_insert(tree, offset, xa_mk_value(handle))) {
		cram_cxl_free(handle);
		return CRAM_STAT_DECLINE_NOMEM;
	}
	return CRAM_STAT_STORES;
}

static enum cram_stat cram_store_pool(struct xarray *tree, unsigned int type, pgoff_t offset,
				      struct page *page)
{
	struct cram_pool_entry *e;
	enum cram_stat outcome;

	outcome = cram_dram_store(swp_entry(type, offset).val, page, &e);
	if (outcome == CRAM_STAT_POOL_REJECT_LIMIT)
		cram_wb_kick();	/* the coldest objects to disk, to make room */
	if (outcome != CRAM_STAT_POOL_STORES && outcome != CRAM_STAT_POOL_SAME_FILLED)
		return outcome;
	if (cram_tree_insert(tree, offset, e)) {
		cram_dram_free(e);
		return CRAM_STAT_POOL_REJECT_NOMEM;
	}
	return outcome;
}

/* A tier as a folio's store sees it (a flag, not a function pointer: no indirect call) */
struct cram_tier {
	bool pool;
	enum cram_stat taken;	/* a page stored (the pool: or POOL_SAME_FILLED) */
	enum cram_stat nomem;	/* the test hook's refusal */
};

static const struct cram_tier cram_cxl_tier = {
	.pool = false,
	.taken = CRAM_STAT_STORES,
	.nomem = CRAM_STAT_DECLINE_NOMEM,
};

static const struct cram_tier cram_pool_tier = {
	.pool = true,
	.taken = CRAM_STAT_POOL_STORES,
	.nomem = CRAM_STAT_POOL_REJECT_NOMEM,
};

static enum cram_stat cram_store_page(const struct cram_tier *tier, struct xarray *tree,
				      unsigned int type, pgoff_t offset, struct page *page)
{
	if (tier->pool)
		return cram_store_pool(tree, type, offset, page);
	return cram_store_cxl(tree, offset, page);
}

/*
 * Take the n pages stored at offset back out (a large folio a tier could not take
 * whole). Their holds return to the caller, which still needs one per page; a pool
 * entry under writeback keeps its own (the worker frees it).
 */
static void cram_store_undo(unsigned int type, pgoff_t offset, unsigned int n)
{
	atomic64_add(n, &cram_nr_stored);	/* the caller holds more: never from 0 */
	cram_tree_erase(type, offset, n);
	cram_stat_inc(CRAM_STAT_LARGE_FOLIO_UNDONE);
}

/*
 * Store every page of a folio with one tier, or none: a large folio lives in one
 * tier whole or goes to disk whole, as zswap_store keeps it (6.13+). Counts the
 * pages taken, or the first refusal; returns whether the tier took the folio.
 */
static bool cram_store_folio(const struct cram_tier *tier, unsigned int type, pgoff_t offset,
			     struct page *page, unsigned int nr_pages)
{
	unsigned int i, same_filled = 0;
	enum cram_stat outcome;

	for (i = 0; i < nr_pages; i++) {
		if (cram_test_fail_subpage(i)) {
			outcome = tier->nomem;
		} else {
			outcome = cram_store_page(tier, cram_tree(type, offset + i), type,
						  offset + i, nth_page(page, i));
			if (outcome == CRAM_STAT_POOL_SAME_FILLED) {
				same_filled++;
				continue;
			}
		}
		if (outcome != tier->taken) {
			cram_stat_inc(outcome);
			if (i)
				cram_store_undo(type, offset, i);
			return false;
		}
	}
	/* counted once the folio is kept whole: pages taken back out never count */
	count_vm_events(ZSWPOUT, nr_pages);
	if (same_filled < nr_pages)
		cram_stat_add(tier->taken, nr_pages - same_filled);
	if (same_filled)
		cram_stat_add(CRAM_STAT_POOL_SAME_FILLED, same_filled);
	if (nr_pages > 1)
		cram_stat_inc(CRAM_STAT_LARGE_FOLIO_STORES);
	return true;
}

bool cram_swap_store(unsigned int type, pgoff_t offset, struct page *page,
		     unsigned int nr_pages)
{
	enum cram_stat outcome;

	cram_stat_inc(CRAM_STAT_STORE_CALLS);
	if (nr_pages > 1)
		cram_stat_inc(CRAM_STAT_LARGE_FOLIO_CALLS);
	cram_note_disarmed();
	outcome = cram_admit(nr_pages);
	if (outcome != CRAM_STAT_STORES) {
		cram_stat_inc(outcome);
		goto to_disk;
	}
	if (cram_store_folio(&cram_cxl_tier, type, offset, page, nr_pages))
		return true;
	if (cram_dram_active() &&
	    cram_store_folio(&cram_pool_tier, type, offset, page, nr_pages))
		return true;
	cram_release(nr_pages);
to_disk:
	/* the kernel writes this folio to disk: an older copy here must not shadow it */
	cram_erase_stale(type, offset, nr_pages);
	cram_wb_wait(type, offset, nr_pages);	/* nor an older write land after it */
	return false;
}

/*** load / invalidate ***/

/* Does cram hold any of these slots? (a large folio cannot be loaded in part) */
bool cram_swap_holds(unsigned int type, pgoff_t offset, unsigned int nr_pages)
{
	unsigned int i;

	for (i = 0; i < nr_pages; i++)
		if (xa_load(cram_tree(type, offset + i), offset + i))
			return true;
	return false;
}

static int cram_load_cxl(void *entry, struct page *page)
{
	void *dst = kmap_local_page(page);
	int err;

	cram_test_cxl_load_delay();
	err = cram_cxl_load(xa_to_value(entry), dst);

	kunmap_local(dst);
	return err;
}

/*
 * Fill page from cram's copy. exclusive: the page goes to the swap cache, so the
 * entry is freed (the kernel keeps the data, dirty). Returns 0, -ENOENT when cram
 * does not hold the slot, -EIO when the copy could not be read (poison, or a pool
 * object that does not decompress): the entry stays, so the slot keeps failing
 * rather than reading stale disk blocks.
 */
int cram_swap_load(unsigned int type, pgoff_t offset, struct page *page, bool exclusive)
{
	struct xarray *tree = cram_tree(type, offset);
	void *entry;
	int err;

	cram_stat_inc(CRAM_STAT_LOAD_CALLS);
	cram_note_disarmed();
	entry = xa_load(tree, offset);
	if (!entry)
		goto miss;
	if (xa_is_value(entry))
		err = cram_load_cxl(entry, page);
	else
		err = cram_dram_load(tree, offset, page);	/* looks it up again, locked */
	if (err == -ENOENT)	/* written back meanwhile: the disk has it */
		goto miss;
	if (err) {
		cram_stat_inc(CRAM_STAT_LOAD_ERRORS);
		pr_err_ratelimited("swap type %u offset %lu: %s: I/O error for this page\n",
				   type, offset, xa_is_value(entry) ?
				   "CXL memory unreadable (poison?)" : "pool object corrupt");
		return err;
	}
	cram_stat_inc(CRAM_STAT_LOAD_HITS);
	if (!xa_is_value(entry))
		cram_stat_inc(CRAM_STAT_POOL_LOAD_HITS);
	count_vm_event(ZSWPIN);
	if (exclusive) {
		entry = cram_tree_take(tree, offset, entry);
		if (entry)
			cram_entry_free(entry);
	} else {
		cram_stat_inc(CRAM_STAT_LOAD_KEPT);	/* the slot's owner still reads it */
	}
	return 0;
miss:
	cram_stat_inc(CRAM_STAT_LOAD_MISSES);
	return -ENOENT;
}

/* Atomic context: never sleeps. */
void cram_swap_invalidate(unsigned int type, pgoff_t offset)
{
	void *entry;

	cram_stat_inc(CRAM_STAT_INVALIDATE_CALLS);
	cram_note_disarmed();
	entry = cram_tree_take(cram_tree(type, offset), offset, NULL);
	if (entry) {
		cram_entry_free(entry);
		cram_stat_inc(CRAM_STAT_INVALIDATE_HITS);
	}
}

/* swapoff (6.1): everything of this type goes. Counted: swapoff should leave none. */
void cram_swap_invalidate_area(unsigned int type)
{
	struct xarray *tree;
	unsigned long offset;
	unsigned int i;
	void *entry;

	cram_stat_inc(CRAM_STAT_INVALIDATE_AREA_CALLS);
	for (i = 0; i < CRAM_TREES_PER_TYPE; i++) {
		tree = &cram_trees[type][i];
		xa_for_each(tree, offset, entry) {
			entry = cram_tree_take(tree, offset, entry);
			if (entry) {
				cram_entry_free(entry);
				cram_stat_inc(CRAM_STAT_INVALIDATE_AREA_FREED);
			}
		}
	}
}

/*** writeback and drain (writeback.c) ***/

/* Is entry one of device dev's pages (or any entry, for CRAM_HELD_ANY)? */
static bool cram_entry_on(void *entry, unsigned int dev)
{
	return dev == CRAM_HELD_ANY ||
	       (xa_is_value(entry) && cram_cxl_handle_dev(xa_to_value(entry)) == dev);
}

/*
 * Claim slot swp's entry for a write to its slot on disk and copy its page out,
 * under the tree's lock so the entry cannot be freed meanwhile: a CXL page into page;
 * a same-filled pool page, as its word, into page; a pool object's compressed bytes
 * into buf (*len, for the caller to decompress into page; 0 otherwise). A pool entry
 * is marked CRAM_PE_WB (see the header). zs: only an object in that zspage (the
 * pool's reclaim); NULL: a drain's entry. dev: CRAM_HELD_ANY, any entry (the pool's
 * reclaim, and the whole drain, with stores disarmed), or only a CXL entry of device
 * dev (its region leaving, stores to it stopped): either way a CXL entry still in
 * the tree when the write ends is the one that was copied, since its page cannot
 * have been stored again meanwhile. Returns the entry, for cram_swap_wb_finish(), or
 * NULL: nothing to write.
 */
void *cram_swap_wb_claim(unsigned long swp, struct cram_zspage *zs, unsigned int dev,
			 void *page, void *buf, u32 *len)
{
	swp_entry_t slot = { .val = swp };
	struct xarray *tree = cram_tree(swp_type(slot), swp_offset(slot));
	struct cram_pool_entry *e;
	void *entry;

	*len = 0;
	xa_lock(tree);
	entry = xa_load(tree, swp_offset(slot));
	if (!entry || !cram_entry_on(entry, dev)) {	/* another device's: armed, not ours */
		entry = NULL;
	} else if (xa_is_value(entry)) {
		if (zs || cram_cxl_load(xa_to_value(entry), page))
			entry = NULL;	/* an unreadable page stays: its loads fail */
	} else {
		e = entry;
		if (!(e->handle.owner_flags & CRAM_PE_WB) &&
		    cram_dram_copy_out(e, zs, page, buf, len))
			e->handle.owner_flags |= CRAM_PE_WB;
		else
			entry = NULL;
	}
	xa_unlock(tree);
	return entry;
}

/*
 * The write of entry's page to its slot has ended. Written: the disk has the page, so
 * the entry goes (if it is still there) and the next load reads the disk. Not
 * written: it stays. A pool entry orphaned meanwhile is only freed.
 * A CXL entry taken out of the tree is returned, not freed: a load that found it
 * before may still be copying from its region page (loads take no lock; the kernel
 * serialises them with invalidates and stores of the slot, not with this worker),
 * so the caller frees it only after synchronize_srcu(). NULL: nothing to free.
 */
void *cram_swap_wb_finish(unsigned long swp, void *entry, bool written)
{
	swp_entry_t slot = { .val = swp };
	struct xarray *tree = cram_tree(swp_type(slot), swp_offset(slot));
	struct cram_pool_entry *e = entry;
	void *to_free = NULL;

	if (xa_is_value(entry))
		return written ? cram_tree_take(tree, swp_offset(slot), entry) : NULL;
	xa_lock(tree);
	if (e->handle.owner_flags & CRAM_PE_ORPHAN) {
		to_free = e;
		cram_stat_inc(CRAM_STAT_WRITEBACK_ORPHANED);
	} else if (written) {
		__xa_erase(tree, swp_offset(slot));
		to_free = e;
	} else {
		e->handle.owner_flags &= ~CRAM_PE_WB;
	}
	xa_unlock(tree);
	if (to_free)
		cram_entry_free(to_free);
	return NULL;
}

/*
 * Up to max slots (swap entry values) cram holds, from *next on, which it advances:
 * every slot, or those whose page is on device dev.
 */
unsigned int cram_swap_held_slots(unsigned long *next, unsigned long *swps, unsigned int max,
				  unsigned int dev)
{
	swp_entry_t pos = { .val = *next };
	unsigned int type = swp_type(pos), nr = 0;
	unsigned long offset = swp_offset(pos);
	unsigned int i = cram_tree_of(offset);
	void *entry;

	/* type by type, tree by tree: a cursor's offset names the tree it is in */
	for (; type < MAX_SWAPFILES; type++, i = 0, offset = 0) {
		for (; i < CRAM_TREES_PER_TYPE; i++, offset = 0) {
			xa_for_each_start(&cram_trees[type][i], offset, entry, offset) {
				if (!cram_entry_on(entry, dev))
					continue;
				swps[nr++] = swp_entry(type, offset).val;
				if (nr == max) {
					*next = swp_entry(type, cram_tree_next(offset)).val;
					return nr;
				}
			}
		}
	}
	return nr;	/* fewer than max: the walk is complete */
}

/* Drain: no new pages from now on, and every store already admitted has ended. */
void cram_swap_disarm(void)
{
	WRITE_ONCE(cram_enabled, false);
	synchronize_srcu(&cram_srcu);
}
