// SPDX-License-Identifier: GPL-2.0
/*
 * cxl_tier.c - the CXL tier: one device object (struct cram_cxl) per region= entry,
 * each owning its claimed region (region.c), cram's own page allocator over it
 * (src/core/ralloc.c, per-CPU caches), its telemetry (device.c), its zeroing work and
 * its fate; the choice of device for each page (src/core/place.c: nearest to the
 * page's node among those that admit it); the copies in and out.
 *
 * A CXL entry is a handle, device index << 32 | region page (cram_cxl_handle), so a
 * swap tree's value entry names its device. Devices are set up at load and stay
 * until unload: the array never changes while hooks run.
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
 * (0.12 % of the region), and one struct cram_cxl per device; nothing is allocated
 * after init.
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
 * A region taken away (cram_cxl_region_lost, from region.c's watch): stores to that
 * device stop, a drain writes its pages to their swap slots while the range still
 * decodes (writeback.c, only this device's entries; the other devices go on taking
 * pages), then loads of what could not be written fail and zeroing stops touching
 * the range. Once per device (its fate); region.c's notifier calls it under its
 * watch lock, one region at a time, outside the drain's lock (writeback.c).
 *
 * CPU hotplug: a CPU going offline leaves up to CRAM_RALLOC_CACHE free pages in each
 * device's cache; its dead callback (on another CPU, after the CPU stopped; may
 * sleep) gives them back to the global lists, and the CPU's unused ledger credit
 * back to each device's count (cram_dev_cpu_dead).
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/spinlock.h>	/* before local_lock.h: on PREEMPT_RT it needs spinlock_t */
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/numa.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cacheflush.h>

#include "cram.h"
#include "cram/place.h"
#include "cram/ralloc.h"

static bool cram_nt_store = true;
module_param_named(nt_store, cram_nt_store, bool, 0644);
MODULE_PARM_DESC(nt_store,
		 "copy pages into CXL memory with non-temporal stores (Y, default) or plain stores (N), for comparison");

static char cram_region_arg[CRAM_REGION_LIST_MAX];
static struct cram_region_list cram_regions;

static int cram_region_set(const char *val, const struct kernel_param *kp)
{
	struct cram_region_list list;
	const char *why;

	if (cram_region_list_parse(val, &list, &why)) {
		pr_err("region=%.*s rejected: %s\n", cram_arg_len(val), val, why);
		return -EINVAL;
	}
	strscpy(cram_region_arg, val, sizeof(cram_region_arg));
	strim(cram_region_arg);
	cram_regions = list;
	return 0;
}

static int cram_region_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", cram_region_arg);
}

static const struct kernel_param_ops cram_region_ops = {
	.set = cram_region_set,	/* rejects anything but "", daxX.Y, SIZE@START, lists of them */
	.get = cram_region_get,
};

/* 0444: the region is claimed at load; changing it needs a reload */
module_param_cb(region, &cram_region_ops, NULL, 0444);
MODULE_PARM_DESC(region,
		 "CXL memory to own: a device-dax name (dax0.0) or a physical range SIZE@START (512M@0x110000000), or several, one per CXL device, comma-separated (dax0.0,dax1.0; up to 8); empty: no CXL tier");

/* One CPU's cache of free region pages, and what keeps it to one task (above) */
struct cram_cxl_cpu {
	local_lock_t lock;
	struct cram_ralloc_cache cache;
	u64 stores;		/* pages placed on the device from this CPU */
};

/* the region, taken away under cram by the CXL core: cram_cxl_region_lost() */
enum cram_cxl_fate { CRAM_CXL_HERE, CRAM_CXL_LEAVING, CRAM_CXL_GONE };

/* One CXL device: its region and everything cram keeps for it */
struct cram_cxl {
	struct cram_region region;
	struct cram_dev *dev;		/* its telemetry and admission (device.c) */
	struct cram_ralloc alloc;
	struct cram_cxl_cpu __percpu *cpus;
	u32 *next;
	u8 *state;
	unsigned int idx;		/* in cram_cxls[], and in its handles */
	int nid;			/* the region's NUMA node; NUMA_NO_NODE: not known */
	enum cram_cxl_fate fate;
	struct delayed_work zero_work;
};

static struct cram_cxl *cram_cxls[CRAM_MAX_REGIONS];
static unsigned int cram_nr_cxls;
static int cram_cxl_hp_state = -1;	/* the dynamic hotplug state, once set up */
static bool cram_cxl_closed;	/* no new pages: hibernation is under way (pm.c) */
static struct workqueue_struct *cram_cxl_zero_wq;
/* writes one device's pages to their swap slots: writeback.c's, from cram_cxl_watch_init */
static int (*cram_cxl_drain)(unsigned int dev);
/*
 * The worker starts a tick after the first page of a batch is freed, not at once:
 * frees arrive one per swap-in, and waking a worker for each cost more than the
 * zeroing (in-guest benchmark: docs/PERFORMANCE.md). A tick's frees then wait to
 * be zeroed, neither held nor allocatable (region_pages_zeroing).
 */
#define CRAM_CXL_ZERO_DELAY	1	/* jiffies */

#define CRAM_CXL_ZERO_BATCH	16	/* pages zeroed per fence and register write */

/* A node cram cannot place (no NUMA information): farther than any real distance */
#define CRAM_CXL_FAR		255

bool cram_cxl_present(void)
{
	return cram_nr_cxls;
}

unsigned int cram_cxl_nr_devs(void)
{
	return cram_nr_cxls;
}

static unsigned long cram_cxl_handle(const struct cram_cxl *c, u32 page)
{
	return (unsigned long)c->idx << CRAM_CXL_PAGE_BITS | page;
}

/* The device of a handle cram made; NULL for one it did not (a bug: callers warn) */
static struct cram_cxl *cram_cxl_of(unsigned long handle)
{
	unsigned long idx = cram_cxl_handle_dev(handle);

	return idx < cram_nr_cxls ? cram_cxls[idx] : NULL;
}

static void *cram_cxl_addr(const struct cram_cxl *c, u32 page)
{
	return c->region.base + ((size_t)page << PAGE_SHIFT);
}

static void cram_cxl_zero_work_fn(struct work_struct *work);

static void cram_cxl_free_dev(struct cram_cxl *c)
{
	if (c->dev)
		cram_dev_destroy(c->dev);
	free_percpu(c->cpus);
	kvfree(c->next);
	kvfree(c->state);
	cram_region_release(&c->region);
	kfree(c);
}

/*
 * cpu is offline: nobody uses its caches or its ledger credit until it comes back
 * (it starts again from empty), so both are given back from here. May sleep.
 */
static int cram_cxl_cpu_dead(unsigned int cpu)
{
	struct cram_cxl *c;
	unsigned int i;

	for (i = 0; i < cram_nr_cxls; i++) {
		c = cram_cxls[i];
		cram_ralloc_drain(&c->alloc, &per_cpu_ptr(c->cpus, cpu)->cache);
		cram_dev_cpu_dead(c->dev, cpu);
	}
	return 0;
}

static void cram_cxl_region_lost(struct cram_region *r, const char *dev, const char *event);

/* Claim region i and set up its allocator and telemetry; may sleep. */
static int cram_cxl_add(unsigned int i, const struct cram_region_spec *spec)
{
	struct cram_cxl *c;
	u64 nr_pages;
	int cpu, err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->idx = i;
	INIT_DELAYED_WORK(&c->zero_work, cram_cxl_zero_work_fn);
	err = cram_region_claim(spec, &c->region);
	if (err) {
		kfree(c);
		return err;
	}
	c->region.lost = cram_cxl_region_lost;
	c->nid = c->region.nid;
	nr_pages = c->region.size >> PAGE_SHIFT;
	c->next = kvmalloc_array(nr_pages, sizeof(*c->next), GFP_KERNEL);
	c->state = kvmalloc_array(nr_pages, sizeof(*c->state), GFP_KERNEL);
	c->cpus = alloc_percpu(struct cram_cxl_cpu);
	if (!c->next || !c->state || !c->cpus) {
		pr_err("region=%s: no memory for the page tables of its %llu pages\n",
		       c->region.name, nr_pages);
		err = -ENOMEM;
		goto fail;
	}
	err = cram_ralloc_init(&c->alloc, nr_pages, c->next, c->state);
	if (err)	/* cannot happen: cram_region_range_check bounds nr_pages */
		goto fail;
	for_each_possible_cpu(cpu) {
		local_lock_init(&per_cpu_ptr(c->cpus, cpu)->lock);
		cram_ralloc_cache_init(&per_cpu_ptr(c->cpus, cpu)->cache);
	}
	c->dev = cram_dev_create(&c->region, i);
	if (IS_ERR(c->dev)) {
		err = PTR_ERR(c->dev);
		c->dev = NULL;
		goto fail;
	}
	cram_cxls[i] = c;
	pr_info("CXL tier: region %s, %#llx-%#llx, %llu pages, node %d\n", c->region.name,
		c->region.start, c->region.start + c->region.size - 1, nr_pages, c->nid);
	return 0;
fail:
	cram_cxl_free_dev(c);
	return err;
}

static void cram_cxl_free_all(void)
{
	unsigned int i;

	if (cram_cxl_zero_wq)
		destroy_workqueue(cram_cxl_zero_wq);	/* runs what is queued first */
	cram_cxl_zero_wq = NULL;
	for (i = 0; i < CRAM_MAX_REGIONS; i++) {
		if (cram_cxls[i])
			cram_cxl_free_dev(cram_cxls[i]);
		cram_cxls[i] = NULL;
	}
	cram_nr_cxls = 0;
}

/*
 * Claim every region of the list, or none: a region that cannot be claimed fails the
 * load (its message names it). Then bind the register blocks (device.c).
 */
int cram_cxl_init(void)
{
	const struct cram_region_list *regions = &cram_regions;
	unsigned int i;
	int err;

	if (!regions->nr)
		return 0;
	err = cram_dev_check_regs(regions->nr);
	if (err)
		return err;
	/* zeroing frees the regions' pages: a rescuer keeps it going under pressure */
	cram_cxl_zero_wq = alloc_workqueue("cram_zero", WQ_UNBOUND | WQ_MEM_RECLAIM,
					   regions->nr);
	if (!cram_cxl_zero_wq)
		return -ENOMEM;
	for (i = 0; i < regions->nr; i++) {
		err = cram_cxl_add(i, &regions->spec[i]);
		if (err)
			goto fail;
	}
	cram_nr_cxls = regions->nr;
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "cram/cxl:dead", NULL,
					cram_cxl_cpu_dead);
	if (err < 0) {
		pr_err("cannot register for CPU hotplug: %d\n", err);
		goto fail;
	}
	cram_cxl_hp_state = err;
	err = cram_dev_init();	/* after every region: each block must describe one */
	if (err)
		goto fail_hp;
	return 0;
fail_hp:
	cpuhp_remove_state_nocalls(cram_cxl_hp_state);
	cram_cxl_hp_state = -1;
fail:
	cram_cxl_free_all();
	return err;
}

/*
 * Zero every page freed so far, now: at unload, before the devices' drivers go, so
 * each device is told of every zeroing. May sleep.
 */
void cram_cxl_flush(void)
{
	unsigned int i;

	for (i = 0; i < cram_nr_cxls; i++)
		flush_delayed_work(&cram_cxls[i]->zero_work);
}

/* Called once no entry refers to a region (module refs guarantee it). */
void cram_cxl_exit(void)
{
	if (!cram_cxl_present())
		return;
	cram_cxl_flush();	/* every zeroing reported while the blocks are bound */
	cram_dev_exit();
	cpuhp_remove_state_nocalls(cram_cxl_hp_state);
	cram_cxl_hp_state = -1;
	cram_cxl_free_all();
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
static void cram_cxl_fill(struct cram_cxl *c, u32 page, const void *src)
{
	void *dst = cram_cxl_addr(c, page);

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

/* Place src on device c if its telemetry allows: CRAM_STAT_STORES, or why not. */
static enum cram_stat cram_cxl_store_on(struct cram_cxl *c, const void *src,
					unsigned long *handle)
{
	enum cram_stat admit;
	u32 page;
	int err;

	if (READ_ONCE(c->fate) != CRAM_CXL_HERE)
		return CRAM_STAT_DECLINE_REGION_GONE;
	admit = cram_dev_admit(c->dev);	/* reserves the write when it admits */
	if (admit != CRAM_STAT_STORES)
		return admit;
	local_lock(&c->cpus->lock);
	err = cram_ralloc_get(&c->alloc, this_cpu_ptr(&c->cpus->cache), &page);
	if (!err)
		this_cpu_inc(c->cpus->stores);
	local_unlock(&c->cpus->lock);
	if (err) {
		cram_dev_write_cancel(c->dev);
		return CRAM_STAT_DECLINE_REGION_FULL;
	}
	cram_cxl_fill(c, page, src);
	wmb();	/* complete before the entry and HOST_WRITE_SEQ */
	cram_dev_write_done(c->dev, 1);
	*handle = cram_cxl_handle(c, page);
	return CRAM_STAT_STORES;
}

#ifdef CRAM_TEST_HOOKS
/* devN_distance (testhooks.c): 0, or the distance placement uses for device N */
static u32 cram_cxl_test_distance[CRAM_MAX_REGIONS];

static u32 cram_cxl_distance_set(const struct cram_cxl *c)
{
	return min_t(u32, READ_ONCE(cram_cxl_test_distance[c->idx]), CRAM_CXL_FAR);
}
#else
static u32 cram_cxl_distance_set(const struct cram_cxl *c)
{
	return 0;
}
#endif

/* From a page of node nid to device c */
static u32 cram_cxl_distance(int nid, const struct cram_cxl *c)
{
	u32 set = cram_cxl_distance_set(c);

	if (set)
		return set;
	if (nid == NUMA_NO_NODE || c->nid == NUMA_NO_NODE)
		return CRAM_CXL_FAR;
	return node_distance(nid, c->nid);
}

/* The devices that may take a page of node nid, best first (src/core/place.c). */
static unsigned int cram_cxl_order(int nid, u8 *order)
{
	struct cram_place_dev devs[CRAM_MAX_REGIONS];
	struct cram_cxl *c;
	unsigned int i;

	for (i = 0; i < cram_nr_cxls; i++) {
		c = cram_cxls[i];
		devs[i].distance = cram_cxl_distance(nid, c);
		devs[i].room = READ_ONCE(c->fate) == CRAM_CXL_HERE ? cram_dev_room(c->dev) : 0;
		devs[i].admits = devs[i].room;
	}
	return cram_place_order(devs, cram_nr_cxls, order);
}

/*
 * Place a copy of src, a page of node nid, on the nearest device that takes it.
 * Returns CRAM_STAT_STORES and the handle of the copy, or why no device took it:
 * the last refusal. Never sleeps.
 */
enum cram_stat cram_cxl_store(const void *src, int nid, unsigned long *handle)
{
	enum cram_stat outcome = CRAM_STAT_DECLINE_NO_TIER;
	u8 order[CRAM_MAX_REGIONS];
	unsigned int i, n;

	if (READ_ONCE(cram_cxl_closed))
		return CRAM_STAT_DECLINE_HIBERNATION;
	if (cram_nr_cxls == 1)
		return cram_cxl_store_on(cram_cxls[0], src, handle);
	n = cram_cxl_order(nid, order);
	for (i = 0; i < n && outcome != CRAM_STAT_STORES; i++)
		outcome = cram_cxl_store_on(cram_cxls[order[i]], src, handle);
	/* none had room: each says why (and one whose gate just opened may take it) */
	for (i = 0; !n && i < cram_nr_cxls && outcome != CRAM_STAT_STORES; i++)
		outcome = cram_cxl_store_on(cram_cxls[i], src, handle);
	return outcome;
}

/*
 * Returns 0, or -EIO if part of the page could not be read (poison), or its region is
 * gone. Never sleeps.
 */
int cram_cxl_load(unsigned long handle, void *dst)
{
	struct cram_cxl *c = cram_cxl_of(handle);

	if (WARN_ON_ONCE(!c))
		return -EIO;
	if (READ_ONCE(c->fate) == CRAM_CXL_GONE || cram_test_fail_load())
		return -EIO;
	if (copy_mc_to_kernel(dst, cram_cxl_addr(c, cram_cxl_handle_page(handle)), PAGE_SIZE))
		return -EIO;
	return 0;
}

/* Zero n deferred pages of c, tell the device, make them allocatable again. */
static void cram_cxl_zero_batch(struct cram_cxl *c, const u32 *pages, unsigned int n)
{
	struct cram_ralloc_cache *cache;
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && READ_ONCE(c->fate) != CRAM_CXL_GONE; i++)
		cram_cxl_fill(c, pages[i], NULL);
	wmb();	/* zeroed before HOST_WRITE_SEQ says so, and before any reuse */
	cram_dev_write_done(c->dev, n);
	local_lock(&c->cpus->lock);
	cache = this_cpu_ptr(&c->cpus->cache);
	for (i = 0; i < n; i++)
		err |= cram_ralloc_put_deferred(&c->alloc, cache, pages[i]);
	local_unlock(&c->cpus->lock);
	WARN_ONCE(err, "cram: a deferred region page was not deferred\n");
}

/* Zero every deferred page of c; may_sleep: between batches (the worker). */
static void cram_cxl_zero_deferred(struct cram_cxl *c, bool may_sleep)
{
	u32 pages[CRAM_CXL_ZERO_BATCH], page;
	unsigned int n = 0;

	page = cram_ralloc_take_deferred(&c->alloc);
	while (page != CRAM_RALLOC_NIL) {
		pages[n++] = page;
		page = cram_ralloc_deferred_next(&c->alloc, page);
		if (n == CRAM_CXL_ZERO_BATCH || page == CRAM_RALLOC_NIL) {
			cram_cxl_zero_batch(c, pages, n);
			n = 0;
			if (may_sleep)
				cond_resched();
		}
	}
}

static void cram_cxl_zero_work_fn(struct work_struct *work)
{
	cram_cxl_zero_deferred(container_of(to_delayed_work(work), struct cram_cxl, zero_work),
			       true);
}

/*
 * The page's copy is no longer needed: it is zeroed, so the device reclaims its
 * space, then given back to the allocator, by the zeroing worker. The zeroing is
 * counted for the device from now on. O(1); never sleeps.
 */
void cram_cxl_free(unsigned long handle)
{
	struct cram_cxl *c = cram_cxl_of(handle);
	int ret;

	if (WARN_ONCE(!c, "cram: CXL handle %#lx names no device\n", handle))
		return;
	cram_dev_write_begin(c->dev);
	ret = cram_ralloc_defer(&c->alloc, cram_cxl_handle_page(handle));
	if (ret < 0) {
		cram_dev_write_cancel(c->dev);
		WARN_ONCE(1, "cram: region %s page %u freed twice or never allocated\n",
			  c->region.name, cram_cxl_handle_page(handle));
		return;
	}
	if (cram_test_cxl_zero_now())	/* this CPU's next store takes the page back */
		cram_cxl_zero_deferred(c, false);
	else if (ret)	/* the list was empty: the worker may be idle (or past its take) */
		queue_delayed_work(cram_cxl_zero_wq, &c->zero_work, CRAM_CXL_ZERO_DELAY);
}

/* Stores admitted before a close may still be copying: callers wait for them. */
void cram_cxl_set_closed(bool closed)
{
	WRITE_ONCE(cram_cxl_closed, closed);
}

/* Is every device's region gone (and is there one)? */
bool cram_cxl_gone(void)
{
	unsigned int i;

	for (i = 0; i < cram_nr_cxls; i++)
		if (READ_ONCE(cram_cxls[i]->fate) == CRAM_CXL_HERE)
			return false;
	return cram_nr_cxls;
}

/* Is device dev's region gone, or going? */
bool cram_cxl_dev_gone(unsigned int dev)
{
	return dev < cram_nr_cxls && READ_ONCE(cram_cxls[dev]->fate) != CRAM_CXL_HERE;
}

/*
 * The CXL core is taking a region's memory away (region.c's watch: a device that
 * decodes it is unbinding or being deleted) and stops decoding it once this returns.
 * So, while it still decodes: stores to it stop, every page cram holds on it is
 * written to its swap slot (a drain of this device's pages; the other devices go on
 * taking pages), the freed pages are zeroed. Then loads of any page the drain could
 * not write fail (-EIO) instead of reading what the range reads after, and zeroing
 * stops touching it. Once per device; a second watched device going waits (region.c's
 * watch lock) for the first's drain. Process context (the remover's, holding the device's lock);
 * may sleep, for as long as the drain writes.
 */
static void cram_cxl_region_lost(struct cram_region *r, const char *dev, const char *event)
{
	struct cram_cxl *c = container_of(r, struct cram_cxl, region);
	u64 used;
	int err;

	if (c->fate != CRAM_CXL_HERE)
		return;
	WRITE_ONCE(c->fate, CRAM_CXL_LEAVING);
	synchronize_srcu(&cram_srcu);	/* no store still placing a page on it */
	used = cram_ralloc_nr_used(&c->alloc);
	pr_warn("CXL %s is %s: the CXL core stops decoding region %s after this; writing its %llu pages to the swap device first; region %s takes no pages until cram is reloaded\n",
		dev, event, r->name, used, r->name);
	err = cram_cxl_drain(c->idx);
	flush_delayed_work(&c->zero_work);	/* zeroed while the memory still decodes */
	WRITE_ONCE(c->fate, CRAM_CXL_GONE);
	synchronize_srcu(&cram_srcu);	/* and no load is still copying from it */
	used = cram_ralloc_nr_used(&c->alloc);
	if (used)
		pr_crit("CXL %s: %llu pages of region %s could not be written to the swap device (drain: %d) and are lost: reading them back fails with an I/O error\n",
			dev, used, r->name, err);
	else
		pr_info("CXL %s: cram's pages are on the swap device; region %s is out of use\n",
			dev, r->name);
}

/*
 * After the rest of cram is up: drain (writeback.c's cram_wb_drain_device, handed
 * down by main.c, so this tier does not call up into writeback) needs its worker.
 */
int cram_cxl_watch_init(int (*drain)(unsigned int dev))
{
	unsigned int i;
	int err;

	cram_cxl_drain = drain;
	for (i = 0; i < cram_nr_cxls; i++) {
		err = cram_region_watch(&cram_cxls[i]->region);
		if (err) {
			while (i--)
				cram_region_unwatch(&cram_cxls[i]->region);
			return err;
		}
	}
	return 0;
}

void cram_cxl_watch_exit(void)
{
	unsigned int i;

	for (i = 0; i < cram_nr_cxls; i++)
		cram_region_unwatch(&cram_cxls[i]->region);
}

/* One device's pages: see cram_cxl_usage() */
static void cram_cxl_dev_usage(struct cram_cxl *c, struct cram_cxl_usage *u)
{
	u64 used = min(cram_ralloc_nr_used(&c->alloc), c->alloc.nr_pages);
	int cpu;

	/*
	 * used is counted exactly (never fewer than the pages holding data: the
	 * hibernation guard relies on it); deferred (freed, not zeroed yet) is read apart
	 * from it, so the two may overlap by the frees in progress.
	 */
	u->total += c->alloc.nr_pages;
	u->used += used;
	u->zeroing += min(cram_ralloc_nr_deferred(&c->alloc), c->alloc.nr_pages - used);
	for_each_possible_cpu(cpu)
		u->stores += READ_ONCE(per_cpu_ptr(c->cpus, cpu)->stores);
	u->bad_frees += cram_counter_read(&c->alloc.bad_frees);
}

/*
 * Pages holding copies (used), of total; pages waiting to be zeroed are neither used
 * nor free. dev: one device's (index), or CRAM_CXL_ALL for their sums.
 */
void cram_cxl_usage(unsigned int dev, struct cram_cxl_usage *u)
{
	unsigned int i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < cram_nr_cxls; i++)
		if (dev == CRAM_CXL_ALL || dev == i)
			cram_cxl_dev_usage(cram_cxls[i], u);
}

/*
 * debugfs devices/NAME/region_caches: free pages each possible CPU holds in its
 * cache, one "cpuN online|offline PAGES" line each (a snapshot).
 */
void cram_cxl_caches_show(struct seq_file *m, unsigned int dev)
{
	struct cram_cxl *c = dev < cram_nr_cxls ? cram_cxls[dev] : NULL;
	int cpu;

	if (!c)
		return;
	for_each_possible_cpu(cpu)
		seq_printf(m, "cpu%d %s %u\n", cpu, cpu_online(cpu) ? "online" : "offline",
			   READ_ONCE(per_cpu_ptr(c->cpus, cpu)->cache.count));
}

/* debugfs devices/NAME/region: the device's region and its pages */
void cram_cxl_region_show(struct seq_file *m, unsigned int dev)
{
	struct cram_cxl *c = dev < cram_nr_cxls ? cram_cxls[dev] : NULL;
	struct cram_cxl_usage u;
	static const char *const fates[] = { "here", "leaving", "gone" };

	if (!c)
		return;
	cram_cxl_usage(dev, &u);
	seq_printf(m, "name %s\nstart %#llx\nsize %llu\nnode %d\nserial %#llx\nfate %s\n",
		   c->region.name, (u64)c->region.start, c->region.size, c->nid,
		   c->region.serial, fates[READ_ONCE(c->fate)]);
	seq_printf(m, "pages %llu\npages_used %llu\npages_free %llu\npages_zeroing %llu\n",
		   u.total, u.used, u.total - u.used - u.zeroing, u.zeroing);
	seq_printf(m, "stores %llu\nbad_frees %llu\n", u.stores, u.bad_frees);
}

#ifdef CRAM_TEST_HOOKS
/*
 * The CXL tier's test hooks (testhooks.c lists them all). contend_alloc_ms: hold the
 * first device's allocator lock for ms, as a CPU moving a batch does, only far
 * longer, so stores on other CPUs wait for it in their refill: with preemption off
 * there, PREEMPT_RT's sleeping lock would schedule in atomic context. Spins
 * (mdelay): a spinlock holder must not sleep.
 */
static int cram_cxl_test_contend_set(void *unused, u64 ms)
{
	if (!ms || ms > 1000)
		return -EINVAL;
	if (!cram_cxl_present())
		return 0;
	cram_lock(&cram_cxls[0]->alloc.lock);
	mdelay(ms);
	cram_unlock(&cram_cxls[0]->alloc.lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cram_cxl_test_contend_fops, NULL, cram_cxl_test_contend_set, "%llu\n");

void cram_cxl_test_debugfs_init(struct dentry *root)
{
	unsigned int i;
	char name[24];

	debugfs_create_file_unsafe("contend_alloc_ms", 0200, root, NULL,
				   &cram_cxl_test_contend_fops);
	for (i = 0; i < cram_nr_cxls; i++) {
		snprintf(name, sizeof(name), "dev%u_distance", i);
		debugfs_create_u32(name, 0600, root, &cram_cxl_test_distance[i]);
	}
}
#endif

/* debugfs config: each region as parsed ("region: ...") and, once claimed, its range */
void cram_cxl_config_show(struct seq_file *m)
{
	const struct cram_region_spec *spec;
	unsigned int i;

	kernel_param_lock(THIS_MODULE);	/* a consistent list (it is read-only: tidiness) */
	if (!cram_regions.nr)
		seq_puts(m, "region: none\n");
	for (i = 0; i < cram_regions.nr; i++) {
		spec = &cram_regions.spec[i];
		if (spec->kind == CRAM_REGION_DEVDAX)
			seq_printf(m, "region: devdax %s\n", spec->dax_name);
		else
			seq_printf(m, "region: phys %#llx-%#llx (%llu bytes)\n", spec->start,
				   spec->start + spec->size - 1, spec->size);
		if (i < cram_nr_cxls)
			seq_printf(m, "region_claimed: %#llx-%#llx\n",
				   (u64)cram_cxls[i]->region.start,
				   (u64)cram_cxls[i]->region.start + cram_cxls[i]->region.size - 1);
	}
	kernel_param_unlock(THIS_MODULE);
}

/* Device dev's region, or NULL */
const struct cram_region *cram_cxl_region_info(unsigned int dev)
{
	return dev < cram_nr_cxls ? &cram_cxls[dev]->region : NULL;
}

/* Device dev's telemetry, or NULL */
struct cram_dev *cram_cxl_dev(unsigned int dev)
{
	return dev < cram_nr_cxls ? cram_cxls[dev]->dev : NULL;
}
