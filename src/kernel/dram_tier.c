// SPDX-License-Identifier: GPL-2.0
/*
 * dram_tier.c - the compressed DRAM pool, for pages the CXL tier refuses: the page
 * is compressed with the kernel's lz4 and stored as an object of the pool
 * (src/core/pool.c: size classes, zspages of order-0 pages, LRU); a page of one
 * repeated word is stored as that word, in the entry, with no pool memory. Pages
 * that compress worse than max_compressed_pct go to disk. Past max_pool_percent of
 * RAM the pool takes nothing until the writeback worker (writeback.c) has brought it
 * below accept_threshold_percent of its limit (zswap's hysteresis).
 *
 * Memory per object: a 24-byte entry (kmem_cache) and the object (header included);
 * per zspage a descriptor. Per CPU: lz4's work memory (16 KiB) and one page.
 *
 * Context: store and load in process context (they take the per-CPU mutex, as zswap
 * does, and may sleep there); cram_dram_free in atomic context (invalidate), never
 * sleeps. Pool pages and entries are allocated without sleeping (GFP_NOWAIT), with no
 * spinlock held.
 * Locking, outer to inner:
 *   cram_dram_cpu.lock (mutex) -> tree xa_lock (swap.c) -> a pool class's lock
 * The class locks (src/core/pool.c, one per size class, as zsmalloc's) guard the
 * pool's layout and the handles; they are leaves, held for list and slot changes
 * only: no allocation, compression or copy runs under one (a copy pins its zspage).
 * A load holds its tree's lock while it copies the object out, so writeback (which
 * erases entries under that lock) cannot free the entry under it; decompression
 * runs after it is dropped. The limit is checked without a lock (the page count is
 * an atomic counter): racing stores may take the pool past it by a zspage each.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "cram.h"

static bool cram_pool_on = true;
module_param_named(pool, cram_pool_on, bool, 0644);
MODULE_PARM_DESC(pool,
		 "compress pages the CXL tier refuses into a DRAM pool (Y, default); N: they go to disk");

static struct cram_bounded_uint cram_max_pool_percent = { 20, 1, 100 };
module_param_cb(max_pool_percent, &cram_bounded_uint_ops, &cram_max_pool_percent, 0644);
MODULE_PARM_DESC(max_pool_percent,
		 "pool limit, % of RAM (1..100, default 20); above it the coldest objects are written back to disk");

static struct cram_bounded_uint cram_accept_pct = { 90, 1, 100 };
module_param_cb(accept_threshold_percent, &cram_bounded_uint_ops, &cram_accept_pct, 0644);
MODULE_PARM_DESC(accept_threshold_percent,
		 "after hitting its limit the pool takes pages again below this % of the limit (1..100, default 90)");

static struct cram_bounded_uint cram_lz4_accel = { 1, 1, 64 };
module_param_cb(lz4_acceleration, &cram_bounded_uint_ops, &cram_lz4_accel, 0644);
MODULE_PARM_DESC(lz4_acceleration,
		 "lz4 acceleration: 1 (default) compresses best, higher is faster and compresses less (1..64)");

static struct cram_bounded_uint cram_max_compressed_pct = { 90, 10, 99 };
module_param_cb(max_compressed_pct, &cram_bounded_uint_ops, &cram_max_compressed_pct, 0644);
MODULE_PARM_DESC(max_compressed_pct,
		 "pages that do not compress below this % of a page go to disk (10..99, default 90)");

struct cram_dram_cpu {
	struct mutex lock;	/* the buffers below, while this task uses them */
	void *lz4_mem;
	u8 *buf;		/* compressed page out, object copied in */
};

static struct cram_dram_cpu __percpu *cram_dram_cpus;
static struct kmem_cache *cram_entry_cache;
static struct cram_pool cram_dram_pool;	/* locks inside */
static bool cram_dram_limit_hit;		/* READ_ONCE/WRITE_ONCE: a hint */
static atomic64_t cram_dram_same_filled;	/* live same-filled entries */

/*** pool memory ***/

/* On the stored page's node when it has one (preferred, not required: zswap's way) */
static void *cram_dram_alloc_page(void *ctx, int nid)
{
	gfp_t gfp = GFP_NOWAIT | __GFP_NORETRY | __GFP_NOWARN;
	struct page *page = nid < 0 ? alloc_page(gfp) : alloc_pages_node(nid, gfp, 0);

	return page ? page_address(page) : NULL;
}

static void cram_dram_free_page(void *ctx, void *addr)
{
	free_page((unsigned long)addr);
}

static void *cram_dram_alloc_zspage(void *ctx, size_t size)
{
	return kmalloc(size, GFP_NOWAIT | __GFP_NOWARN);
}

static void cram_dram_free_zspage(void *ctx, void *zspage)
{
	kfree(zspage);
}

/* Reclaim reports an object by its swap slot (the entry may be freed right after). */
static u64 cram_dram_owner(void *ctx, const struct cram_pool_handle *h)
{
	return container_of(h, struct cram_pool_entry, handle)->swp;
}

static const struct cram_pool_ops cram_dram_ops = {
	.alloc_page = cram_dram_alloc_page,
	.free_page = cram_dram_free_page,
	.alloc_zspage = cram_dram_alloc_zspage,
	.free_zspage = cram_dram_free_zspage,
	.owner = cram_dram_owner,
};

/*** limit ***/

static u64 cram_dram_limit_pages(void)
{
	return cram_test_pool_limit(totalram_pages() * READ_ONCE(cram_max_pool_percent.val) / 100);
}

static u64 cram_dram_accept_pages(void)
{
	return cram_dram_limit_pages() * READ_ONCE(cram_accept_pct.val) / 100;
}

/* Pages the pool holds beyond where it takes pages again (> 0: write back). */
long cram_dram_pages_over_target(void)
{
	long over = (long)cram_pool_nr_pages(&cram_dram_pool) - (long)cram_dram_accept_pages();

	if (over <= 0)
		WRITE_ONCE(cram_dram_limit_hit, false);
	return over;
}

/* May the pool grow? (zswap's hysteresis; racing stores may each add a zspage) */
static bool cram_dram_room(void)
{
	u64 pages = cram_pool_nr_pages(&cram_dram_pool);
	bool hit;

	if (READ_ONCE(cram_dram_limit_hit) && pages >= cram_dram_accept_pages())
		return false;
	hit = pages >= cram_dram_limit_pages();
	if (hit != READ_ONCE(cram_dram_limit_hit))
		WRITE_ONCE(cram_dram_limit_hit, hit);
	return !hit;
}

/*** store ***/

static bool cram_same_filled(const void *src, unsigned long *word)
{
	const unsigned long *w = src;
	unsigned int i;

	for (i = 1; i < PAGE_SIZE / sizeof(*w); i++)
		if (w[i] != w[0])
			return false;
	*word = w[0];
	return true;
}

static struct cram_pool_entry *cram_entry_alloc(unsigned long swp)
{
	struct cram_pool_entry *e = kmem_cache_alloc(cram_entry_cache,
						     GFP_NOWAIT | __GFP_NOWARN);

	if (e) {
		memset(e, 0, sizeof(*e));
		e->swp = swp;
	}
	return e;
}

/* Compress src into the CPU's buffer; 0: does not fit under the cut-off. */
static int cram_compress(struct cram_dram_cpu *cpu, const void *src)
{
	int max = PAGE_SIZE * READ_ONCE(cram_max_compressed_pct.val) / 100;

	return LZ4_compress_fast(src, cpu->buf, PAGE_SIZE, min_t(int, max, CRAM_POOL_MAX_LEN),
				 READ_ONCE(cram_lz4_accel.val), cpu->lz4_mem);
}

static enum cram_stat cram_dram_store_object(struct cram_dram_cpu *cpu, const void *src,
					     int nid, struct cram_pool_entry *e)
{
	int len;

	len = cram_compress(cpu, src);
	if (len <= 0)
		return CRAM_STAT_POOL_REJECT_POOR;
	if (!cram_dram_room())	/* the caller has the writeback worker make room */
		return CRAM_STAT_POOL_REJECT_LIMIT;
	if (cram_pool_store(&cram_dram_pool, &e->handle, cpu->buf, len, nid))
		return CRAM_STAT_POOL_REJECT_NOMEM;
	return CRAM_STAT_POOL_STORES;
}

/*
 * Store page (slot swp) in the pool. On POOL_STORES or POOL_SAME_FILLED *entry is
 * the new entry, for the caller's tree; any other outcome is why the pool refused.
 */
enum cram_stat cram_dram_store(unsigned long swp, struct page *page,
			       struct cram_pool_entry **entry)
{
	struct cram_dram_cpu *cpu;
	struct cram_pool_entry *e;
	enum cram_stat outcome;
	unsigned long word;
	void *src;

	e = cram_entry_alloc(swp);
	if (!e)
		return CRAM_STAT_POOL_REJECT_NOMEM;
	src = kmap_local_page(page);
	if (cram_same_filled(src, &word)) {
		e->handle.owner_flags = CRAM_PE_SAME;
		e->fill = word;
		atomic64_inc(&cram_dram_same_filled);
		outcome = CRAM_STAT_POOL_SAME_FILLED;
	} else {
		cpu = raw_cpu_ptr(cram_dram_cpus);
		mutex_lock(&cpu->lock);	/* may migrate: the mutex, not the CPU, owns buf */
		outcome = cram_dram_store_object(cpu, src, page_to_nid(page), e);
		mutex_unlock(&cpu->lock);
	}
	kunmap_local(src);
	if (outcome != CRAM_STAT_POOL_STORES && outcome != CRAM_STAT_POOL_SAME_FILLED) {
		kmem_cache_free(cram_entry_cache, e);
		return outcome;
	}
	*entry = e;
	return outcome;
}

/*** load ***/

int cram_dram_decompress(const void *src, u32 len, void *dst)
{
	int n = LZ4_decompress_safe(src, dst, len, PAGE_SIZE);

	return n == PAGE_SIZE ? 0 : -EIO;
}

/*
 * Fill page from the pool entry at offset of tree. -ENOENT: no pool entry there any
 * more (writeback has just put it on disk); -EIO: the object does not decompress.
 */
int cram_dram_load(struct xarray *tree, pgoff_t offset, struct page *page)
{
	struct cram_dram_cpu *cpu = raw_cpu_ptr(cram_dram_cpus);
	struct cram_pool_entry *e;
	unsigned long fill = 0;
	void *dst;
	u32 len = 0;
	int err = 0;

	mutex_lock(&cpu->lock);
	xa_lock(tree);
	e = xa_load(tree, offset);
	if (!e || xa_is_value(e))
		err = -ENOENT;
	else if (e->handle.owner_flags & CRAM_PE_SAME)
		fill = e->fill;
	else
		len = cram_pool_read(&cram_dram_pool, &e->handle, NULL, cpu->buf);
	xa_unlock(tree);
	if (!err) {
		dst = kmap_local_page(page);
		if (len)
			err = cram_dram_decompress(cpu->buf, len, dst);
		else
			memset64(dst, fill, PAGE_SIZE / sizeof(u64));
		kunmap_local(dst);
	}
	mutex_unlock(&cpu->lock);
	return err;
}

/*** free, writeback support ***/

/* Atomic context: never sleeps. The entry has left its tree. */
void cram_dram_free(struct cram_pool_entry *e)
{
	if (e->handle.owner_flags & CRAM_PE_SAME)
		atomic64_dec(&cram_dram_same_filled);
	else
		cram_pool_free(&cram_dram_pool, &e->handle);
	kmem_cache_free(cram_entry_cache, e);
}

/*
 * Under the tree's lock (swap.c), for writing e's page to disk: a same-filled page
 * into page (*len untouched); an object's compressed bytes into buf (*len) if it is
 * in zs (the zspage under reclaim, which holds no same-filled pages), or with zs
 * NULL, wherever it is. False: not in zs.
 */
bool cram_dram_copy_out(struct cram_pool_entry *e, struct cram_zspage *zs, void *page,
			void *buf, u32 *len)
{
	int n;

	if (e->handle.owner_flags & CRAM_PE_SAME) {
		if (zs)
			return false;
		memset64(page, e->fill, PAGE_SIZE / sizeof(u64));
		return true;
	}
	n = cram_pool_read(&cram_dram_pool, &e->handle, zs, buf);
	if (n < 0)
		return false;
	*len = n;
	return true;
}

/* The coldest zspage, and the swap slots of its objects (swps: CRAM_POOL_MAX_OBJS). */
struct cram_zspage *cram_dram_reclaim_begin(unsigned long *swps, unsigned int *nr)
{
	static u64 owners[CRAM_POOL_MAX_OBJS];	/* the writeback worker's */
	struct cram_zspage *zs;
	unsigned int i;

	zs = cram_pool_reclaim_begin(&cram_dram_pool, owners, nr);
	for (i = 0; i < *nr; i++)
		swps[i] = owners[i];
	return zs;
}

bool cram_dram_reclaim_end(struct cram_zspage *zs)
{
	return cram_pool_reclaim_end(&cram_dram_pool, zs);
}

u64 cram_dram_compact(unsigned int max_zspages)
{
	return cram_pool_compact(&cram_dram_pool, max_zspages);
}

bool cram_dram_active(void)
{
	return READ_ONCE(cram_pool_on);
}

/* The counts, each class's read under its lock: not one instant for the whole pool. */
void cram_dram_usage(struct cram_dram_usage *u)
{
	struct cram_pool_usage pu;

	cram_pool_usage(&cram_dram_pool, &pu);
	u->pages = pu.nr_pages;
	u->objs = pu.nr_objs;
	u->bytes = pu.stored_bytes;
	u->moved = pu.nr_moved;
	u->compacted = pu.nr_compacted_zspages;
	u->limit_hit = READ_ONCE(cram_dram_limit_hit);
	u->same_filled = atomic64_read(&cram_dram_same_filled);
}

/*** debugfs ***/

int cram_dram_show(struct seq_file *m, void *unused)
{
	struct cram_dram_usage u;

	cram_dram_usage(&u);
	seq_printf(m, "enabled %d\n", cram_dram_active());
	seq_printf(m, "pool_pages %llu\n", u.pages);
	seq_printf(m, "pool_limit_pages %llu\n", cram_dram_limit_pages());
	seq_printf(m, "pool_accept_pages %llu\n", cram_dram_accept_pages());
	seq_printf(m, "limit_hit %d\n", u.limit_hit);
	seq_printf(m, "stored_objects %llu\n", u.objs);
	seq_printf(m, "compressed_bytes %llu\n", u.bytes);
	seq_printf(m, "same_filled_pages %llu\n", u.same_filled);
	seq_printf(m, "moved_objects %llu\n", u.moved);
	seq_printf(m, "compacted_zspages %llu\n", u.compacted);
	return 0;
}

int cram_dram_classes_show(struct seq_file *m, void *unused)
{
	struct cram_pool_class_stats st;
	unsigned int i;

	seq_puts(m, "class  size pages/zspage objs/zspage  zspages  objects  free_slots\n");
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		cram_pool_class_stats(&cram_dram_pool, i, &st);
		if (!st.nr_zspages)
			continue;
		seq_printf(m, "%5u %5u %12u %11u %8llu %8llu %11llu\n", i, st.size,
			   st.pages_per_zspage, st.objs_per_zspage, st.nr_zspages, st.nr_objs,
			   st.nr_zspages * st.objs_per_zspage - st.nr_objs);
	}
	return 0;
}

/*** init / exit ***/

static void cram_dram_free_cpus(void)
{
	int cpu;

	if (!cram_dram_cpus)
		return;
	for_each_possible_cpu(cpu) {
		struct cram_dram_cpu *c = per_cpu_ptr(cram_dram_cpus, cpu);

		kfree(c->lz4_mem);
		kfree(c->buf);
	}
	free_percpu(cram_dram_cpus);
	cram_dram_cpus = NULL;
}

int cram_dram_init(void)
{
	int cpu;

	BUILD_BUG_ON(sizeof(struct cram_pool_entry) > CRAM_POOL_ENTRY_BYTES);
	cram_pool_init(&cram_dram_pool, &cram_dram_ops, NULL);
	cram_entry_cache = KMEM_CACHE(cram_pool_entry, 0);
	cram_dram_cpus = alloc_percpu(struct cram_dram_cpu);
	if (!cram_entry_cache || !cram_dram_cpus)
		goto nomem;
	for_each_possible_cpu(cpu) {
		struct cram_dram_cpu *c = per_cpu_ptr(cram_dram_cpus, cpu);

		mutex_init(&c->lock);
		c->lz4_mem = kmalloc(LZ4_MEM_COMPRESS, GFP_KERNEL);
		c->buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!c->lz4_mem || !c->buf)
			goto nomem;
	}
	return 0;
nomem:
	pr_err("no memory for the DRAM pool's per-CPU buffers\n");
	cram_dram_exit();
	return -ENOMEM;
}

/* Module exit: entries hold module references, so the pool is empty here. */
void cram_dram_exit(void)
{
	struct cram_pool_usage pu;

	cram_pool_usage(&cram_dram_pool, &pu);
	WARN_ON(pu.nr_objs || atomic64_read(&cram_dram_same_filled));
	cram_pool_destroy(&cram_dram_pool);
	cram_dram_free_cpus();
	kmem_cache_destroy(cram_entry_cache);
	cram_entry_cache = NULL;
}
