// SPDX-License-Identifier: GPL-2.0
/*
 * cxl_tier.c - the CXL tier's pages: the claimed region (region.c), cram's own page
 * allocator over it (src/core/ralloc.c, per-CPU caches) and the copies in and out.
 *
 * Copies in use non-temporal stores (memcpy_flushcache, movnti) unless nt_store=N:
 * a compressing device should see whole lines written, not a read-for-ownership of
 * every line followed by a write-back. Copies out use copy_mc_to_kernel(), so a
 * poisoned line becomes an error for that one page instead of a machine-check panic.
 * A freed page is zeroed before it is handed back to the allocator: a compressing
 * device reclaims zeroed space, and the page is never reused before it is zeroed.
 * The zeroing is off the fault path: cram_cxl_free() reserves the zeroing write for
 * the device's accounting and defers the page (src/core/ralloc.c: lock-free, O(1));
 * the zeroing worker takes the whole list, zeroes a batch, reports the batch's
 * writes done with one register write and frees its pages. Deferred pages are not
 * allocatable, so "never reused before zeroed" holds; they count as neither held nor
 * free (debugfs region_pages_zeroing). Every copy and zeroing reaches the device
 * (fenced non-temporal stores, or plain stores written back from the cache) before
 * the page is published or freed.
 *
 * Memory: next[] (4 bytes) and state[] (1 byte) per region page, allocated at init
 * (0.12 % of the region); nothing is allocated after init.
 *
 * Context: cram_cxl_init/exit/flush at module init/exit (may sleep). cram_cxl_store,
 * cram_cxl_load and cram_cxl_free never sleep and may run in atomic context
 * (invalidate frees under the PTE lock or a cluster lock, IRQs possibly off:
 * queue_delayed_work is safe there). The zeroing worker runs in process context on its own
 * WQ_MEM_RECLAIM queue and may sleep between batches. Never called from interrupt
 * context.
 *
 * Locking: cram_cxl_cpu.lock (a local lock) -> the allocator's spinlock (a->lock,
 * taken briefly once per batch of pages). The local lock keeps a CPU's cache to one
 * task: it disables preemption on a normal kernel and is a per-CPU lock, with
 * migration disabled, on PREEMPT_RT, where a->lock is a sleeping lock and must not be
 * taken with preemption off. cram_cxl_free takes neither (the deferred list is
 * lock-free), so it stays safe in atomic context on both.
 *
 * The region taken away (cram_cxl_region_lost, from region.c's watch): stores stop,
 * a drain empties the tier while the range still decodes, then loads of what could
 * not be written fail and zeroing stops touching the range. cram_cxl_lost_lock
 * makes it once only; it nests outside the drain's lock (writeback.c).
 *
 * CPU hotplug: a CPU going offline leaves up to CRAM_RALLOC_CACHE free pages in its
 * cache; its dead callback (on another CPU, after the CPU stopped; may sleep) gives
 * them back to the global list, and the CPU's unused ledger credit back to the
 * device's count (cram_dev_cpu_dead).
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/spinlock.h>	/* before local_lock.h: on PREEMPT_RT it needs spinlock_t */
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cacheflush.h>

#include "cram.h"
#include "cram/ralloc.h"

static bool cram_nt_store = true;
module_param_named(nt_store, cram_nt_store, bool, 0644);
MODULE_PARM_DESC(nt_store,
		 "copy pages into CXL memory with non-temporal stores (Y, default) or plain stores (N), for comparison");

/* One CPU's cache of free region pages, and what keeps it to one task (above) */
struct cram_cxl_cpu {
	local_lock_t lock;
	struct cram_ralloc_cache cache;
};

static struct cram_region cram_cxl_region;
static struct cram_ralloc cram_cxl_alloc;
static struct cram_cxl_cpu __percpu *cram_cxl_cpus;
static int cram_cxl_hp_state = -1;	/* the dynamic hotplug state, once set up */
static u32 *cram_cxl_next;
static u8 *cram_cxl_state;
static bool cram_cxl_closed;	/* no new pages: hibernation is under way (pm.c) */
/* the region, taken away under cram by the CXL core: cram_cxl_region_lost() */
static enum { CRAM_CXL_HERE, CRAM_CXL_LEAVING, CRAM_CXL_GONE } cram_cxl_fate;
static DEFINE_MUTEX(cram_cxl_lost_lock);
static struct workqueue_struct *cram_cxl_zero_wq;
static void cram_cxl_zero_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cram_cxl_zero_work, cram_cxl_zero_work_fn);
/*
 * The worker starts a tick after the first page of a batch is freed, not at once:
 * frees arrive one per swap-in, and waking a worker for each cost more than the
 * zeroing (in-guest benchmark: docs/PERFORMANCE.md). A tick's frees then wait to
 * be zeroed, neither held nor allocatable (region_pages_zeroing).
 */
#define CRAM_CXL_ZERO_DELAY	1	/* jiffies */

#define CRAM_CXL_ZERO_BATCH	16	/* pages zeroed per fence and register write */

bool cram_cxl_present(void)
{
	return cram_cxl_region.base;
}

static void *cram_cxl_addr(u32 page)
{
	return cram_cxl_region.base + ((size_t)page << PAGE_SHIFT);
}

static void cram_cxl_free_tables(void)
{
	if (cram_cxl_zero_wq)
		destroy_workqueue(cram_cxl_zero_wq);	/* runs what is queued first */
	cram_cxl_zero_wq = NULL;
	free_percpu(cram_cxl_cpus);
	kvfree(cram_cxl_next);
	kvfree(cram_cxl_state);
	cram_cxl_cpus = NULL;
	cram_cxl_next = NULL;
	cram_cxl_state = NULL;
}

/*
 * cpu is offline: nobody uses its cache or its ledger credit until it comes back
 * (it starts again from empty), so both are given back from here. May sleep.
 */
static int cram_cxl_cpu_dead(unsigned int cpu)
{
	cram_ralloc_drain(&cram_cxl_alloc, &per_cpu_ptr(cram_cxl_cpus, cpu)->cache);
	cram_dev_cpu_dead(cpu);
	return 0;
}

int cram_cxl_init(const struct cram_region_spec *spec)
{
	u64 nr_pages;
	int cpu, err;

	if (spec->kind == CRAM_REGION_NONE)
		return 0;
	err = cram_region_claim(spec, &cram_cxl_region);
	if (err)
		return err;
	nr_pages = cram_cxl_region.size >> PAGE_SHIFT;
	cram_cxl_next = kvmalloc_array(nr_pages, sizeof(*cram_cxl_next), GFP_KERNEL);
	cram_cxl_state = kvmalloc_array(nr_pages, sizeof(*cram_cxl_state), GFP_KERNEL);
	cram_cxl_cpus = alloc_percpu(struct cram_cxl_cpu);
	/* zeroing frees the region's pages: a rescuer keeps it going under pressure */
	cram_cxl_zero_wq = alloc_workqueue("cram_zero", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!cram_cxl_next || !cram_cxl_state || !cram_cxl_cpus || !cram_cxl_zero_wq) {
		pr_err("no memory for the page tables of a %llu-page region\n", nr_pages);
		err = -ENOMEM;
		goto fail;
	}
	err = cram_ralloc_init(&cram_cxl_alloc, nr_pages, cram_cxl_next, cram_cxl_state);
	if (err)	/* cannot happen: cram_region_range_check bounds nr_pages */
		goto fail;
	for_each_possible_cpu(cpu) {
		local_lock_init(&per_cpu_ptr(cram_cxl_cpus, cpu)->lock);
		cram_ralloc_cache_init(&per_cpu_ptr(cram_cxl_cpus, cpu)->cache);
	}
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "cram/cxl:dead", NULL,
					cram_cxl_cpu_dead);
	if (err < 0) {
		pr_err("cannot register for CPU hotplug: %d\n", err);
		goto fail;
	}
	cram_cxl_hp_state = err;
	pr_info("CXL tier: region %s, %#llx-%#llx, %llu pages\n", cram_cxl_region.name,
		cram_cxl_region.start, cram_cxl_region.start + cram_cxl_region.size - 1, nr_pages);
	return 0;
fail:
	cram_cxl_free_tables();
	cram_region_release(&cram_cxl_region);
	return err;
}

/*
 * Zero every page freed so far, now: at unload, before the device's driver goes, so
 * the device is told of every zeroing. May sleep.
 */
void cram_cxl_flush(void)
{
	if (cram_cxl_zero_wq)
		flush_delayed_work(&cram_cxl_zero_work);
}

/* Called once no entry refers to the region (module refs guarantee it). */
void cram_cxl_exit(void)
{
	if (!cram_cxl_present())
		return;
	cpuhp_remove_state_nocalls(cram_cxl_hp_state);
	cram_cxl_hp_state = -1;
	cram_cxl_free_tables();
	cram_region_release(&cram_cxl_region);
}

/*
 * Copy a page in (or zero it: src NULL) so that, after the caller's wmb(), it has
 * reached the device before anyone looks: before the entry is visible, the page is
 * reused, or the device is told it is written (cram_dev_write_done). That last one
 * is the capacity bound: a write counted in HOST_WRITE_SEQ must be one the device's
 * next scan can see. Non-temporal stores bypass the cache and wmb() (sfence) orders
 * them; plain stores leave the lines in the CPU's cache, so they are written back
 * (clflushopt, fenced by clflush_cache_range) first.
 */
static void cram_cxl_fill(u32 page, const void *src)
{
	void *dst = cram_cxl_addr(page);

	if (cram_nt_store) {
		memcpy_flushcache(dst, src ?: page_address(ZERO_PAGE(0)), PAGE_SIZE);
	} else {
		if (src)
			memcpy(dst, src, PAGE_SIZE);
		else
			memset(dst, 0, PAGE_SIZE);
		clflush_cache_range(dst, PAGE_SIZE);
	}
}

/*
 * Place a copy of src on the device if its telemetry allows (device.c). Returns
 * CRAM_STAT_STORES and the page holding the copy, or why not. Never sleeps.
 */
enum cram_stat cram_cxl_store(const void *src, u32 *page)
{
	enum cram_stat admit;
	int err;

	if (READ_ONCE(cram_cxl_fate) != CRAM_CXL_HERE)
		return CRAM_STAT_DECLINE_REGION_GONE;
	if (READ_ONCE(cram_cxl_closed))
		return CRAM_STAT_DECLINE_HIBERNATION;
	admit = cram_dev_admit();	/* reserves the write when it admits */
	if (admit != CRAM_STAT_STORES)
		return admit;
	local_lock(&cram_cxl_cpus->lock);
	err = cram_ralloc_get(&cram_cxl_alloc, this_cpu_ptr(&cram_cxl_cpus->cache), page);
	local_unlock(&cram_cxl_cpus->lock);
	if (err) {
		cram_dev_write_cancel();
		return CRAM_STAT_DECLINE_REGION_FULL;
	}
	cram_cxl_fill(*page, src);
	wmb();	/* complete before the entry and HOST_WRITE_SEQ */
	cram_dev_write_done(1);
	return CRAM_STAT_STORES;
}

/*
 * Returns 0, or -EIO if part of the page could not be read (poison), or its region is
 * gone. Never sleeps.
 */
int cram_cxl_load(u32 page, void *dst)
{
	if (READ_ONCE(cram_cxl_fate) == CRAM_CXL_GONE || cram_test_fail_load())
		return -EIO;
	if (copy_mc_to_kernel(dst, cram_cxl_addr(page), PAGE_SIZE))
		return -EIO;
	return 0;
}

/* Zero n deferred pages, tell the device, make them allocatable again. */
static void cram_cxl_zero_batch(const u32 *pages, unsigned int n)
{
	struct cram_ralloc_cache *cache;
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && READ_ONCE(cram_cxl_fate) != CRAM_CXL_GONE; i++)
		cram_cxl_fill(pages[i], NULL);
	wmb();	/* zeroed before HOST_WRITE_SEQ says so, and before any reuse */
	cram_dev_write_done(n);
	local_lock(&cram_cxl_cpus->lock);
	cache = this_cpu_ptr(&cram_cxl_cpus->cache);
	for (i = 0; i < n; i++)
		err |= cram_ralloc_put_deferred(&cram_cxl_alloc, cache, pages[i]);
	local_unlock(&cram_cxl_cpus->lock);
	WARN_ONCE(err, "cram: a deferred region page was not deferred\n");
}

/* Zero every deferred page; may_sleep: between batches (the worker). */
static void cram_cxl_zero_deferred(bool may_sleep)
{
	u32 pages[CRAM_CXL_ZERO_BATCH], page;
	unsigned int n = 0;

	page = cram_ralloc_take_deferred(&cram_cxl_alloc);
	while (page != CRAM_RALLOC_NIL) {
		pages[n++] = page;
		page = cram_ralloc_deferred_next(&cram_cxl_alloc, page);
		if (n == CRAM_CXL_ZERO_BATCH || page == CRAM_RALLOC_NIL) {
			cram_cxl_zero_batch(pages, n);
			n = 0;
			if (may_sleep)
				cond_resched();
		}
	}
}

static void cram_cxl_zero_work_fn(struct work_struct *work)
{
	cram_cxl_zero_deferred(true);
}

/*
 * The page's copy is no longer needed: it is zeroed, so the device reclaims its
 * space, then given back to the allocator, by the zeroing worker. The zeroing is
 * counted for the device from now on. O(1); never sleeps.
 */
void cram_cxl_free(u32 page)
{
	int ret;

	cram_dev_write_begin();
	ret = cram_ralloc_defer(&cram_cxl_alloc, page);
	if (ret < 0) {
		cram_dev_write_cancel();
		WARN_ONCE(1, "cram: region page %u freed twice or never allocated\n", page);
		return;
	}
	if (cram_test_cxl_zero_now())	/* this CPU's next store takes the page back */
		cram_cxl_zero_deferred(false);
	else if (ret)	/* the list was empty: the worker may be idle (or past its take) */
		queue_delayed_work(cram_cxl_zero_wq, &cram_cxl_zero_work, CRAM_CXL_ZERO_DELAY);
}

/* Stores admitted before a close may still be copying: callers wait for them. */
void cram_cxl_set_closed(bool closed)
{
	WRITE_ONCE(cram_cxl_closed, closed);
}

bool cram_cxl_gone(void)
{
	return READ_ONCE(cram_cxl_fate) != CRAM_CXL_HERE;
}

/*
 * The CXL core is taking the region's memory away (region.c's watch: a device that
 * decodes it is unbinding or being deleted) and stops decoding it once this returns.
 * So, while it still decodes: stores stop, every page cram holds is written to its
 * swap slot (a drain: it disarms cram), the freed pages are zeroed. Then loads of
 * any page the drain could not write fail (-EIO) instead of reading what the range
 * reads after, and zeroing stops touching it. Once only; a second watched device
 * going waits here for the first's drain. Process context (the remover's, holding
 * the device's lock); may sleep, for as long as the drain writes.
 */
void cram_cxl_region_lost(const char *dev, const char *event)
{
	u64 total, used;
	int err;

	mutex_lock(&cram_cxl_lost_lock);
	if (cram_cxl_fate != CRAM_CXL_HERE)
		goto out;
	WRITE_ONCE(cram_cxl_fate, CRAM_CXL_LEAVING);
	cram_cxl_usage(&total, &used, NULL);
	pr_warn("CXL %s is %s: the CXL core stops decoding region %s after this; draining cram first (%llu pages in CXL memory); cram stays disarmed and takes no CXL pages until reloaded\n",
		dev, event, cram_cxl_region.name, used);
	err = cram_wb_drain(false);
	cram_cxl_flush();	/* zeroed while the memory still decodes */
	WRITE_ONCE(cram_cxl_fate, CRAM_CXL_GONE);
	synchronize_srcu(&cram_srcu);	/* and no load is still copying from it */
	cram_cxl_usage(&total, &used, NULL);
	if (used)
		pr_crit("CXL %s: %llu pages of region %s could not be written to the swap device (drain: %d) and are lost: reading them back fails with an I/O error\n",
			dev, used, cram_cxl_region.name, err);
	else
		pr_info("CXL %s: cram's pages are on the swap device; region %s is out of use (cxl_state gone)\n",
			dev, cram_cxl_region.name);
out:
	mutex_unlock(&cram_cxl_lost_lock);
}

/* After the rest of cram is up (the drain needs the writeback worker). */
int cram_cxl_watch_init(void)
{
	return cram_cxl_present() ? cram_region_watch(&cram_cxl_region) : 0;
}

void cram_cxl_watch_exit(void)
{
	cram_region_unwatch(&cram_cxl_region);
}

/*
 * Pages holding copies (used), of total; pages waiting to be zeroed (*zeroing, if
 * asked for) are neither used nor free.
 */
void cram_cxl_usage(u64 *total, u64 *used, u64 *zeroing)
{
	*total = 0;
	*used = 0;
	if (zeroing)
		*zeroing = 0;
	if (!cram_cxl_present())
		return;
	/*
	 * used is counted exactly (never fewer than the pages holding data: the
	 * hibernation guard relies on it); deferred (freed, not zeroed yet) is read apart
	 * from it, so the two may overlap by the frees in progress.
	 */
	*total = cram_cxl_alloc.nr_pages;
	*used = min(cram_ralloc_nr_used(&cram_cxl_alloc), *total);
	if (zeroing)
		*zeroing = min(cram_ralloc_nr_deferred(&cram_cxl_alloc), *total - *used);
}

/*
 * debugfs region_caches: free pages each possible CPU holds in its cache, one
 * "cpuN online|offline PAGES" line each (read while they change: a snapshot).
 */
void cram_cxl_caches_show(struct seq_file *m)
{
	int cpu;

	if (!cram_cxl_present())
		return;
	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%d %s %u\n", cpu, cpu_online(cpu) ? "online" : "offline",
			   READ_ONCE(per_cpu_ptr(cram_cxl_cpus, cpu)->cache.count));
}

#ifdef CRAM_TEST_HOOKS
/*
 * testhooks.c's contend_alloc_ms: hold the allocator's lock for ms, as a CPU moving a
 * batch does, only far longer, so stores on other CPUs wait for it in their refill:
 * with preemption off there, PREEMPT_RT's sleeping lock would schedule in atomic
 * context. Spins (mdelay): a spinlock holder must not sleep.
 */
void cram_test_hold_alloc_lock(unsigned int ms)
{
	if (!cram_cxl_present())
		return;
	cram_lock(&cram_cxl_alloc.lock);
	mdelay(ms);
	cram_unlock(&cram_cxl_alloc.lock);
}
#endif

u64 cram_cxl_bad_frees(void)
{
	return cram_cxl_present() ? cram_counter_read(&cram_cxl_alloc.bad_frees) : 0;
}

const struct cram_region *cram_cxl_region_info(void)
{
	return &cram_cxl_region;
}
