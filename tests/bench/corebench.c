// SPDX-License-Identifier: GPL-2.0
/*
 * corebench - what one swapped-out page costs cram, natively, in one process and one
 * run: the CXL tier's store and load and the DRAM pool's store and load, next to the
 * copy limit (memcpy) and lz4 alone, on zero, text, binary, random pages and a corpus
 * of this machine's files, at 1 and 2 threads. QEMU's CXL memory is emulated MMIO and
 * says nothing about speed: this runs on ordinary DRAM (an anonymous mapping stands
 * for the region), which is what the CPU side of a store costs on real hardware too.
 *
 * The portable core is the module's own code, linked in: src/core/ralloc.c (the
 * region's page allocator, one cache per thread as per CPU), src/core/ledger.c and
 * src/core/devregs.c (the device's write counts per CPU and the admission:
 * cram_ledger_admit, cram_project_bytes, cram_gate_admit), src/core/pool.c (the pool,
 * with liblz4 as lib/lz4 in the kernel). What the kernel glue adds per page around
 * them is done here the way the module does it, and named where it is done
 * (cxl_tier.c, device.c, dram_tier.c, swap.c): the device's gauge copied under a
 * seqcount, the statistics (per CPU) and the pages-held count. Ops *_shared run the
 * glue as it was before this was changed, to measure the change against: the shared
 * statistics, a module reference per page, shared reserved/written atomics and a
 * HOST_WRITE_SEQ register write per page (a plain store here: an uncached MMIO write
 * costs more on real hardware). Not measured: the xarray (one insert or erase per
 * page, the kernel's own code) and the ftrace trampoline.
 *
 * Copies are the kernel's: in, non-temporal (movnti + sfence, memcpy_flushcache) or
 * plain + clflushopt (nt_store=N); out, rep movsb (copy_mc_to_kernel on a CPU with
 * ERMS). "memcpy" is glibc's, the fastest this CPU copies a page.
 *
 * usage: corebench [-t THREADS] [-r REPS] [-n PAGES] [-o OP] [-d DATA]
 *   -t  1, 2 or "1,2" (default): threads, each on its own pages and cache
 *   -r  repetitions (default 7): median and spread (max-min over median) reported
 *   -n  pages per thread per repetition (default 4096: 16 MiB)
 *   -o  only this operation (e.g. cxl_store; for valgrind --tool=callgrind)
 *   -d  only this data set (zero, text, binary, random, corpus)
 * Output: one markdown table row per operation, data set and thread count, then the
 * ratios the project's goals are stated in (docs/PERFORMANCE.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <immintrin.h>
#include <lz4.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cram/devregs.h"
#include "cram/ledger.h"
#include "cram/place.h"
#include "cram/pool.h"
#include "cram/ralloc.h"
#include "ntcopy.h"

#define PAGE		4096
#define MAX_THREADS	2
#define MAX_REPS	31
#define NR_STATS	40	/* swap.c's counters: one shared array */

/*** the module's per-page glue, as it does it ***/

/*
 * device.c: struct cram_dev's hot part: the view (the registers, for debugfs) and
 * the gauge a store reads, under their seqcount, the counters
 */
struct dev_view {
	struct cram_regs snap;
	unsigned long snap_at;
	u64 high, low;
	const char *safe_reason;
};

struct dev_gauge {	/* struct cram_dev_gauge */
	struct cram_ledger_gauge acct;
	unsigned long stale_at;
	bool safe;
};

static struct {
	unsigned int seq;
	struct dev_gauge gauge;
	struct dev_view view;
	struct cram_ledger ledger;
	u64 reserved, written;	/* *_shared: atomic64_t, side by side, as they were */
	struct cram_gate gate;
} dev = { .ledger = { .batch = CRAM_LEDGER_BATCH } };

/* device.c cram_ledger_cpus: one per thread, each on its own line as per CPU */
static struct {
	_Alignas(64) struct cram_ledger_cpu c;
} ledger_cpus[MAX_THREADS];
static __thread struct cram_ledger_cpu *this_ledger;

static unsigned long jiffies;	/* read, never advanced: the snapshot stays fresh */

static u64 *host_write_seq;		/* the register block's HOST_WRITE_SEQ (writeq) */
static __thread u64 stats_cpu[NR_STATS];	/* swap.c cram_stats: per CPU (this_cpu_inc) */
static u64 nr_stored;			/* swap.c cram_nr_stored: the pages held */

/*
 * The glue before per-CPU statistics and one module reference (kept to measure the
 * change against, ops *_shared): one statistics array shared by all CPUs, and a
 * module reference per page on THIS_MODULE's refcount, next to cram_nr_stored.
 */
static bool shared_glue;
static u64 stats[NR_STATS], module_refs;

static void atomic_inc(u64 *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static void atomic_dec(u64 *c)
{
	__atomic_sub_fetch(c, 1, __ATOMIC_RELAXED);
}

static u64 atomic_inc_return(u64 *c)
{
	return __atomic_add_fetch(c, 1, __ATOMIC_SEQ_CST);
}

/* swap.c cram_stat_inc: this_cpu_inc, one plain increment of the CPU's own line */
static void stat_inc(unsigned int stat)
{
	if (shared_glue)
		atomic_inc(&stats[stat]);
	else
		stats_cpu[stat]++;
}

/* swap.c cram_hold(1) on its fast path (pages are held): atomic64_add_unless */
static void hold(void)
{
	u64 v = __atomic_load_n(&nr_stored, __ATOMIC_RELAXED);

	if (shared_glue) {	/* try_module_get, then cram_tree_insert's count */
		atomic_inc(&module_refs);
		atomic_inc(&nr_stored);
		return;
	}
	while (!__atomic_compare_exchange_n(&nr_stored, &v, v + 1, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED))
		;
}

/* swap.c cram_release(1) while others are held: a compare-and-exchange, no lock */
static void release_one(void)
{
	u64 v = __atomic_load_n(&nr_stored, __ATOMIC_RELAXED);

	if (shared_glue) {	/* cram_entry_free: the count, then module_put */
		atomic_dec(&nr_stored);
		atomic_dec(&module_refs);
		return;
	}
	while (!__atomic_compare_exchange_n(&nr_stored, &v, v - 1, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED))
		;
}

/* device.c cram_dev_gauge_read(): the gauge copied, retried on a change */
static void dev_gauge_read(struct dev_gauge *g)
{
	unsigned int seq;

	do {
		seq = __atomic_load_n(&dev.seq, __ATOMIC_ACQUIRE);
		*g = dev.gauge;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (seq & 1 || seq != __atomic_load_n(&dev.seq, __ATOMIC_RELAXED));
}

/* device.c cram_dev_admit() with a bound, sane device */
static bool dev_admit(void)
{
	struct dev_gauge g;

	dev_gauge_read(&g);
	if (g.safe || (long)(g.stale_at - jiffies) < 0)
		return false;
	if (!shared_glue)
		return cram_ledger_admit(&dev.ledger, this_ledger, &dev.gate, &g.acct);
	if (!cram_gate_admit(&dev.gate,
			     cram_project_bytes(g.acct.phys_used, g.acct.scanned_write_seq,
						atomic_inc_return(&dev.reserved)),
			     g.acct.high, g.acct.low)) {
		atomic_dec(&dev.reserved);
		return false;
	}
	return true;
}

/* device.c cram_dev_write_begin(), _cancel() and _done() */
static void dev_write_begin(void)
{
	if (shared_glue)
		atomic_inc(&dev.reserved);
	else
		cram_ledger_reserve(&dev.ledger, this_ledger);
}

static void dev_write_cancel(void)
{
	if (shared_glue)
		atomic_dec(&dev.reserved);
	else
		cram_ledger_cancel(&dev.ledger, this_ledger);
}

static void dev_write_done(u64 n)
{
	if (shared_glue)	/* and the per-page register write it made then */
		__atomic_store_n(host_write_seq,
				 __atomic_add_fetch(&dev.written, n, __ATOMIC_SEQ_CST),
				 __ATOMIC_RELAXED);
	else
		cram_ledger_done(this_ledger, n);
}

static void dev_init(u64 region_bytes)
{
	struct dev_view *v = &dev.view;

	v->snap = (struct cram_regs){
		.magic = CRAM_REGS_MAGIC, .version = 2, .granule = 64,
		.logical_cap = region_bytes, .phys_cap = region_bytes,
		.scan_ms = 100, .status = CRAM_STATUS_READY,
	};
	cram_wm_bytes(&v->snap, 95, 90, &v->high, &v->low);
	dev.gauge = (struct dev_gauge){
		.acct = { .high = v->high, .low = v->low }, .stale_at = 1000,
	};
}

/*
 * Between repetitions, nothing running: the poller published HOST_WRITE_SEQ and the
 * device scanned everything written so far into PHYS_USED (kept at 0 here).
 */
static void dev_scan(void)
{
	struct cram_ledger_sum sum = { 0, 0 };
	u64 written;
	int t;

	if (shared_glue) {	/* the counts as they were: reserved = written at rest */
		written = dev.written;
		dev.reserved = written;
	} else {
		for (t = 0; t < MAX_THREADS; t++)
			cram_ledger_sum_cpu(&sum, &ledger_cpus[t].c);
		written = sum.written;
	}
	dev.view.snap.scanned_write_seq = written;
	dev.view.snap.host_write_seq = written;
	dev.gauge.acct.scanned_write_seq = written;
}

/*** copies, as the kernel makes them ***/

static void copy_movsb(void *dst, const void *src)	/* memcpy, copy_mc_to_kernel */
{
	size_t n = PAGE;

	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static bool have_clflushopt;

__attribute__((target("clflushopt")))
static void flush_range(void *p)	/* clflush_cache_range: clflushopt where the CPU has it */
{
	char *c = p;
	size_t i;

	for (i = 0; i < PAGE; i += 64) {
		if (have_clflushopt)
			_mm_clflushopt(c + i);
		else
			_mm_clflush(c + i);
	}
	_mm_sfence();
}

/*** the region and the CXL tier (cxl_tier.c) ***/

static char *region;
static u64 region_pages;
static struct cram_ralloc alloc;
static const char *zero_page;	/* ZERO_PAGE(0) */

static void cxl_write(u32 page, const void *src, bool nt)	/* cram_cxl_write */
{
	char *dst = region + (size_t)page * PAGE;

	if (nt) {
		copy_nt(dst, src ? src : zero_page);
	} else {
		if (src)
			copy_movsb(dst, src);
		else
			memset(dst, 0, PAGE);
		flush_range(dst);
	}
	_mm_sfence();	/* wmb() */
}

/* swap.c cram_swap_store -> cram_store_cxl -> cram_cxl_store, CXL tier taking it */
static int cxl_store(struct cram_ralloc_cache *c, const void *src, u32 *page, bool nt)
{
	stat_inc(0);				/* store_calls */
	hold();					/* cram_admit */
	if (!dev_admit())
		return -1;
	if (cram_ralloc_get(&alloc, c, page)) {
		dev_write_cancel();
		return -1;
	}
	cxl_write(*page, src, nt);
	dev_write_done(1);
	stat_inc(1);				/* stores */
	return 0;
}

/* How a CXL load ends: keep the page, or free it (exclusive load) */
enum cxl_free { FREE_NONE, FREE_SYNC, FREE_DEFERRED };

static u64 zero_kicks;	/* queue_work calls: the deferred list was empty */

/*
 * cram_cxl_free as it was before deferred zeroing: zero, tell the device, free,
 * all on the fault path. Kept to measure the change against.
 */
static void cxl_free_sync(struct cram_ralloc_cache *c, u32 page)
{
	dev_write_begin();
	cxl_write(page, NULL, true);
	dev_write_done(1);
	cram_ralloc_put(&alloc, c, page);
}

/* cram_cxl_free: reserve the zeroing, defer the page, wake the worker if idle */
static void cxl_free_deferred(u32 page)
{
	dev_write_begin();
	if (cram_ralloc_defer(&alloc, page) == 1)
		atomic_inc(&zero_kicks);	/* queue_work: not timed here */
}

/* cram_cxl_zero_work_fn: batches of 16, one fence and one count each */
static u64 cxl_zero_worker(struct cram_ralloc_cache *c)
{
	u32 pages[16], page = cram_ralloc_take_deferred(&alloc);
	unsigned int n = 0, i;
	u64 done = 0;

	while (page != CRAM_RALLOC_NIL) {
		pages[n++] = page;
		page = cram_ralloc_deferred_next(&alloc, page);
		if (n < 16 && page != CRAM_RALLOC_NIL)
			continue;
		for (i = 0; i < n; i++)
			copy_nt(region + (size_t)pages[i] * PAGE, zero_page);
		_mm_sfence();
		dev_write_done(n);
		for (i = 0; i < n; i++)
			cram_ralloc_put_deferred(&alloc, c, pages[i]);
		done += n;
		n = 0;
	}
	return done;
}

/* cram_swap_load, exclusive: copy out, then cram_entry_free -> cram_cxl_free */
static void cxl_load(struct cram_ralloc_cache *c, u32 page, void *dst, enum cxl_free how)
{
	stat_inc(28);				/* load_calls */
	copy_movsb(dst, region + (size_t)page * PAGE);
	stat_inc(29);				/* load_hits */
	if (how == FREE_NONE)
		return;
	if (how == FREE_SYNC)
		cxl_free_sync(c, page);
	else
		cxl_free_deferred(page);
	release_one();				/* cram_entry_free */
}

/*** the pool (dram_tier.c) ***/

static struct cram_pool pool;	/* its class locks inside (pool.c), as in the module */
static u64 pool_pages;

/*
 * alloc_page(): the buddy allocator hands out a page it already has, from a per-CPU
 * list. Here pages come from a stack of pages touched at start, so a store does not
 * pay a page fault the kernel's store never pays (on this VM host a fault and the
 * kernel's zeroing cost more than the object's copy). One lock stands for the list.
 */
static struct {
	pthread_mutex_t lock;
	void **pages;
	size_t nr, max;
	u64 misses;		/* stack empty: a fresh, faulting page */
} page_stack = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void page_stack_fill(size_t nr)
{
	char *arena = mmap(NULL, nr * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	size_t i;

	page_stack.pages = calloc(nr, sizeof(void *));
	if (arena == MAP_FAILED || !page_stack.pages) {
		fprintf(stderr, "corebench: no memory for %zu pool pages\n", nr);
		exit(1);
	}
	for (i = 0; i < nr; i++) {
		memset(arena + i * PAGE, 0, PAGE);
		page_stack.pages[i] = arena + i * PAGE;
	}
	page_stack.nr = page_stack.max = nr;
}

static void *b_alloc_page(void *ctx, int nid)
{
	void *page = NULL;

	(void)ctx;
	(void)nid;	/* one node here */
	__atomic_add_fetch(&pool_pages, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&page_stack.lock);
	if (page_stack.nr)
		page = page_stack.pages[--page_stack.nr];
	else
		page_stack.misses++;
	pthread_mutex_unlock(&page_stack.lock);
	return page ? page : aligned_alloc(PAGE, PAGE);
}

static void b_free_page(void *ctx, void *page)
{
	(void)ctx;
	__atomic_sub_fetch(&pool_pages, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&page_stack.lock);
	if (page_stack.nr < page_stack.max) {
		page_stack.pages[page_stack.nr++] = page;
		page = NULL;
	}
	pthread_mutex_unlock(&page_stack.lock);
	free(page);	/* one of the misses' pages, once the stack is full again */
}

static void *b_alloc_zspage(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void b_free_zspage(void *ctx, void *zs)
{
	(void)ctx;
	free(zs);
}

static const struct cram_pool_ops b_ops = {
	.alloc_page = b_alloc_page,
	.free_page = b_free_page,
	.alloc_zspage = b_alloc_zspage,
	.free_zspage = b_free_zspage,
};

struct pool_entry {	/* struct cram_pool_entry: 24 bytes from a kmem_cache */
	struct cram_pool_handle h;
	u64 fill;
};

static bool same_filled(const void *src, u64 *word)	/* cram_same_filled */
{
	const u64 *w = src;
	unsigned int i;

	for (i = 1; i < PAGE / 8; i++)
		if (w[i] != w[0])
			return false;
	*word = w[0];
	return true;
}

/* cram_dram_store: entry, same-filled check, lz4 into the CPU's buffer, alloc+write */
static struct pool_entry *pool_store(const void *src, char *buf, void *lz4_state,
				     u64 *compressed)
{
	struct pool_entry *e = malloc(sizeof(*e));
	int len;

	stat_inc(0);
	hold();
	memset(e, 0, sizeof(*e));
	if (same_filled(src, &e->fill)) {
		e->h.owner_flags = 1;
		stat_inc(13);
		return e;
	}
	len = LZ4_compress_fast_extState(lz4_state, src, buf, PAGE,
					 PAGE * 90 / 100 < (int)CRAM_POOL_MAX_LEN ?
					 PAGE * 90 / 100 : (int)CRAM_POOL_MAX_LEN, 1);
	if (len <= 0) {
		free(e);
		release_one();
		return NULL;
	}
	if (cram_pool_store(&pool, &e->h, buf, (u32)len, -1)) {
		free(e);
		release_one();
		return NULL;
	}
	*compressed += (u64)len;
	stat_inc(12);				/* pool_stores */
	return e;
}

/* cram_dram_load + exclusive free (cram_dram_free) */
static int pool_load(struct pool_entry *e, void *dst, char *buf)
{
	u32 len = e->h.len;
	int n = PAGE;

	stat_inc(28);
	if (e->h.owner_flags) {
		u64 *d = dst;
		unsigned int i;

		for (i = 0; i < PAGE / 8; i++)
			d[i] = e->fill;
	} else {
		cram_pool_read(&pool, &e->h, NULL, buf);	/* under the tree's lock there */
		n = LZ4_decompress_safe(buf, dst, (int)len, PAGE);
		cram_pool_free(&pool, &e->h);
	}
	stat_inc(29);
	release_one();
	free(e);
	return n == PAGE ? 0 : -1;
}

/*** data sets ***/

enum { D_ZERO, D_TEXT, D_BINARY, D_RANDOM, D_CORPUS, NR_DATA };
static const char *const data_names[NR_DATA] = { "zero", "text", "binary", "random", "corpus" };

static char *data[NR_DATA];	/* MAX_THREADS x the pages per thread, each */
static size_t data_pages, data_fill;
static int fill_kind;

static bool wants(const char *path)
{
	size_t n = strlen(path);

	switch (fill_kind) {
	case D_TEXT:
		return (n > 2 && !strcmp(path + n - 2, ".h")) || strstr(path, "/doc/") ||
		       (n > 3 && !strcmp(path + n - 3, ".pm")) || (n > 3 && !strcmp(path + n - 3, ".py"));
	case D_BINARY:
		return strstr(path, "/bin/") || strstr(path, ".so");
	default:
		return true;
	}
}

static int take_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char *dst = data[fill_kind];
	ssize_t n;
	int fd;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode) || st->st_size < PAGE || !wants(path))
		return 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	while (data_fill < data_pages &&
	       (n = read(fd, dst + data_fill * PAGE, PAGE)) == PAGE)
		data_fill++;
	close(fd);
	return data_fill == data_pages;	/* stop the walk when full */
}

static void fill_files(int kind, const char *const *dirs)
{
	fill_kind = kind;
	data_fill = 0;
	for (; *dirs && data_fill < data_pages; dirs++)
		nftw(*dirs, take_file, 16, FTW_PHYS);
	/* a small machine: repeat what was found */
	for (size_t i = data_fill; data_fill && i < data_pages; i++)
		memcpy(data[kind] + i * PAGE, data[kind] + (i % data_fill) * PAGE, PAGE);
}

static void make_data(size_t pages)
{
	static const char *const text_dirs[] = { "/usr/include", "/usr/share/doc",
						 "/usr/share/perl5", "/usr/lib/python3", NULL };
	static const char *const bin_dirs[] = { "/usr/bin", "/usr/lib/x86_64-linux-gnu", NULL };
	static const char *const all_dirs[] = { "/usr/share", "/usr/lib", "/usr/bin",
						"/usr/include", NULL };
	u64 s = 88172645463325252ULL, *w;
	int k;

	data_pages = pages;
	for (k = 0; k < NR_DATA; k++)
		data[k] = aligned_alloc(PAGE, pages * PAGE);
	memset(data[D_ZERO], 0, pages * PAGE);
	w = (u64 *)data[D_RANDOM];
	for (size_t i = 0; i < pages * PAGE / 8; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		w[i] = s;
	}
	fill_files(D_TEXT, text_dirs);
	fill_files(D_BINARY, bin_dirs);
	fill_files(D_CORPUS, all_dirs);
}

/*** operations ***/

enum op { OP_MEMCPY, OP_MOVSB, OP_LZ4_C, OP_LZ4_D, OP_CXL_STORE, OP_CXL_STORE_SHARED,
	  OP_CXL_STORE_PLAIN, OP_CXL_STORE_COPY, OP_CXL_LOAD, OP_CXL_LOAD_SHARED, OP_CXL_LOAD_SYNC,
	  OP_CXL_LOAD_COPY, OP_CXL_ZERO, OP_POOL_STORE, OP_POOL_LOAD, OP_PLACE_ORDER, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"memcpy", "rep_movsb", "lz4_compress", "lz4_decompress", "cxl_store", "cxl_store_shared",
	"cxl_store_plain", "cxl_store_copy", "cxl_load", "cxl_load_shared", "cxl_load_sync",
	"cxl_load_copy", "cxl_zero_worker", "pool_store", "pool_load", "place_order_2dev",
};

static bool is_cxl_load(enum op op)
{
	return op == OP_CXL_LOAD || op == OP_CXL_LOAD_SHARED || op == OP_CXL_LOAD_SYNC ||
	       op == OP_CXL_LOAD_COPY ||
	       op == OP_CXL_ZERO;
}

struct worker {
	pthread_t thread;
	int id;				/* its CPU, for ledger_cpus */
	const char *src;		/* its data pages */
	size_t pages;
	struct cram_ralloc_cache cache;
	u32 *slots;			/* region pages it holds */
	struct pool_entry **entries;
	char *out;			/* its destination pages (loads, copies) */
	char buf[PAGE];
	char lz4_out[LZ4_COMPRESSBOUND(PAGE)];
	void *lz4_state;
	u64 compressed, failed, bad;	/* failed: declined or skipped; bad: wrong data */
	double ns;
};

static pthread_barrier_t start_line;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* cxl_store_copy's destination: the region page of a thread's i-th store, no allocator */
static char *copy_only_page(const struct worker *w, size_t i)
{
	return region + ((size_t)w->id * w->pages + i) * PAGE;
}

static void cxl_store_or_nil(struct worker *w, const void *src, u32 *slot, bool nt)
{
	if (cxl_store(&w->cache, src, slot, nt)) {
		*slot = CRAM_RALLOC_NIL;
		w->failed++;
	}
}

/* The untimed half of a load: the pages to load are stored first. */
static void prepare(struct worker *w, enum op op)
{
	size_t i;

	for (i = 0; i < w->pages; i++) {
		if (is_cxl_load(op))
			cxl_store_or_nil(w, w->src + i * PAGE, &w->slots[i], true);
		else if (op == OP_POOL_LOAD)
			w->entries[i] = pool_store(w->src + i * PAGE, w->buf, w->lz4_state,
						   &w->compressed);
		if (op == OP_CXL_ZERO && w->slots[i] != CRAM_RALLOC_NIL)
			cxl_load(&w->cache, w->slots[i], w->out + i * PAGE, FREE_DEFERRED);
		else if (op == OP_LZ4_D)
			w->slots[i] = (u32)LZ4_compress_fast_extState(w->lz4_state, w->src + i * PAGE,
								     w->out + i * PAGE, PAGE, PAGE, 1);
	}
}

/* What the timed loop leaves behind is released untimed. */
static void release(struct worker *w, enum op op)
{
	size_t i;

	for (i = 0; i < w->pages; i++) {
		if ((op == OP_CXL_STORE || op == OP_CXL_STORE_SHARED || op == OP_CXL_STORE_PLAIN ||
		     op == OP_CXL_LOAD_COPY) &&
		    w->slots[i] != CRAM_RALLOC_NIL)
			cxl_load(&w->cache, w->slots[i], w->out + i * PAGE, FREE_SYNC);
		else if (op == OP_POOL_STORE && w->entries[i])
			pool_load(w->entries[i], w->out + i * PAGE, w->buf);
	}
	cxl_zero_worker(&w->cache);	/* what the loads deferred */
	cram_ralloc_drain(&alloc, &w->cache);
}

/* device.c cram_dev_room(): pages a bound, sane device may still take (a hint) */
static u64 dev_room(void)
{
	struct dev_gauge g;
	u64 used;

	dev_gauge_read(&g);
	if (g.safe || (long)(g.stale_at - jiffies) < 0 || __atomic_load_n(&dev.gate.closed,
									    __ATOMIC_RELAXED))
		return 0;
	used = cram_project_bytes(g.acct.phys_used, g.acct.scanned_write_seq,
				  cram_ledger_reserved(&dev.ledger));
	return used < g.acct.high ? (g.acct.high - used) / PAGE : 0;
}

/*
 * cxl_tier.c cram_cxl_order() for two devices, one per socket: each device's room
 * read as the store path reads it (its gauge and reservations; the model has one
 * device, read twice), the page's node alternating, then the placement rule
 * (src/core/place.c). The first choice, so that nothing is optimised away. The whole
 * of what a second device adds to a store before its admission.
 */
static unsigned int place_two(size_t i)
{
	struct cram_place_dev devs[2] = {
		{ .distance = i & 1 ? 21 : 10 },
		{ .distance = i & 1 ? 10 : 21 },
	};
	u8 order[2];

	devs[0].room = dev_room();
	devs[0].admits = devs[0].room;
	devs[1].room = dev_room() - (i & 255);
	devs[1].admits = devs[1].room;
	return cram_place_order(devs, 2, order) ? order[0] : 2;
}

/*
 * Built with -fno-inline-functions-called-once, so it stays a function of its own:
 * valgrind --tool=callgrind --toggle-collect=run_op counts just the timed loop.
 */
static void run_op(struct worker *w, enum op op)
{
	size_t i;

	for (i = 0; i < w->pages; i++) {
		const char *src = w->src + i * PAGE;
		char *dst = w->out + i * PAGE;

		switch (op) {
		case OP_MEMCPY:
			memcpy(dst, src, PAGE);
			break;
		case OP_MOVSB:
			copy_movsb(dst, src);
			break;
		case OP_LZ4_C:
			w->compressed += (u64)LZ4_compress_fast_extState(w->lz4_state, src,
									 w->lz4_out, PAGE,
									 PAGE * 90 / 100, 1);
			break;
		case OP_LZ4_D:	/* an incompressible page did not fit: skipped */
			if ((int)w->slots[i] <= 0)
				w->failed++;
			else if (LZ4_decompress_safe(dst, w->buf, (int)w->slots[i], PAGE) != PAGE)
				w->bad++;
			break;
		case OP_CXL_STORE:
		case OP_CXL_STORE_SHARED:
		case OP_CXL_STORE_PLAIN:
			cxl_store_or_nil(w, src, &w->slots[i], op != OP_CXL_STORE_PLAIN);
			break;
		case OP_CXL_STORE_COPY:	/* the store's copy and fence alone, same pages */
			copy_nt(copy_only_page(w, i), src);
			_mm_sfence();
			break;
		case OP_CXL_LOAD:
		case OP_CXL_LOAD_SHARED:
		case OP_CXL_LOAD_SYNC:
		case OP_CXL_LOAD_COPY:
			if (w->slots[i] != CRAM_RALLOC_NIL)
				cxl_load(&w->cache, w->slots[i], dst,
					 op == OP_CXL_LOAD || op == OP_CXL_LOAD_SHARED ? FREE_DEFERRED :
					 op == OP_CXL_LOAD_SYNC ? FREE_SYNC : FREE_NONE);
			break;
		case OP_CXL_ZERO:	/* the whole list at once, as the worker takes it */
			if (!i)
				cxl_zero_worker(&w->cache);
			break;
		case OP_POOL_STORE:
			w->entries[i] = pool_store(src, w->buf, w->lz4_state, &w->compressed);
			w->failed += !w->entries[i];	/* does not compress: to disk */
			break;
		case OP_POOL_LOAD:
			if (!w->entries[i])
				w->failed++;
			else if (pool_load(w->entries[i], dst, w->buf))
				w->bad++;
			break;
		case OP_PLACE_ORDER:	/* two devices, one per socket: the choice alone */
			w->compressed += place_two(i);
			break;
		default:
			break;
		}
	}
}

static enum op current_op;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double t0;

	this_ledger = &ledger_cpus[w->id].c;
	prepare(w, current_op);
	pthread_barrier_wait(&start_line);
	t0 = now_ns();
	run_op(w, current_op);
	w->ns = now_ns() - t0;
	pthread_barrier_wait(&start_line);
	release(w, current_op);
	return NULL;
}

/* Verify what the loads read back: a benchmark that does not check is no evidence. */
static u64 mismatches(struct worker *w, enum op op)
{
	u64 bad = 0;
	size_t i;

	if (op == OP_CXL_STORE_COPY) {
		for (i = 0; i < w->pages; i++)
			bad += !!memcmp(copy_only_page(w, i), w->src + i * PAGE, PAGE);
		return bad;
	}
	if (!is_cxl_load(op) && op != OP_POOL_LOAD && op != OP_MEMCPY && op != OP_MOVSB)
		return 0;
	for (i = 0; i < w->pages; i++)
		if ((op != OP_POOL_LOAD || w->entries[i]) &&
		    memcmp(w->out + i * PAGE, w->src + i * PAGE, PAGE))
			bad++;
	return bad;
}

struct result {
	double ns_page[MAX_REPS];	/* per repetition: wall time per page, all threads */
	double median, spread, pages_s;
	u64 bad, failed, runs;	/* runs: pages operated on, all repetitions */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void measure(enum op op, int kind, int threads, int reps, size_t pages,
		    struct worker *ws, struct result *r)
{
	int rep, t;

	memset(r, 0, sizeof(*r));
	current_op = op;
	shared_glue = op == OP_CXL_STORE_SHARED || op == OP_CXL_LOAD_SHARED;
	for (rep = 0; rep < reps; rep++) {
		double wall = 0;

		dev_scan();
		pthread_barrier_init(&start_line, NULL, (unsigned int)threads);
		for (t = 0; t < threads; t++) {
			ws[t].src = data[kind] + (size_t)t * pages * PAGE;
			ws[t].pages = pages;
			ws[t].compressed = ws[t].failed = ws[t].bad = 0;
			pthread_create(&ws[t].thread, NULL, worker_main, &ws[t]);
		}
		for (t = 0; t < threads; t++) {
			pthread_join(ws[t].thread, NULL);
			wall = ws[t].ns > wall ? ws[t].ns : wall;
			r->failed += ws[t].failed;
			r->bad += ws[t].bad;
			r->runs += ws[t].pages;
		}
		pthread_barrier_destroy(&start_line);
		r->ns_page[rep] = wall / (double)(pages * (size_t)threads);
		/* the last repetition's loads are checked (released already: outputs stay) */
		for (t = 0; rep == reps - 1 && t < threads; t++)
			r->bad += mismatches(&ws[t], op);
	}
	qsort(r->ns_page, (size_t)reps, sizeof(double), cmp_double);
	r->median = r->ns_page[reps / 2];
	r->spread = (r->ns_page[reps - 1] - r->ns_page[0]) / r->median;
	r->pages_s = 1e9 / r->median;
}

/*** main ***/

static struct result results[NR_OPS][NR_DATA][MAX_THREADS + 1];

static void report_row(enum op op, int kind, int threads, const struct result *r)
{
	char check[64];

	if (r->bad)
		snprintf(check, sizeof(check), "**%llu WRONG**", (unsigned long long)r->bad);
	else if (r->failed)
		snprintf(check, sizeof(check), "ok; %.0f %% declined",
			 100.0 * (double)r->failed / (double)r->runs);
	else
		snprintf(check, sizeof(check), "ok");
	printf("| %-15s | %-6s | %d | %8.0f | %5.1f %% | %10.0f | %s |\n", op_names[op],
	       data_names[kind], threads, r->median, 100 * r->spread, r->pages_s, check);
}

static void ratio(const char *what, double x, const char *goal, bool met)
{
	printf("| %-52s | %6.2f | %-8s | %s |\n", what, x, goal, met ? "met" : "**not met**");
}

static void report_ratios(int threads)
{
	int k = D_CORPUS;

	printf("\n### Ratios, corpus pages, %d thread%s\n\n", threads, threads > 1 ? "s" : "");
	printf("| ratio | value | goal | |\n|---|---|---|---|\n");
#define M(op) results[op][k][threads].median
	ratio("CXL store / memcpy", M(OP_CXL_STORE) / M(OP_MEMCPY), "<= 1.5",
	      M(OP_CXL_STORE) <= 1.5 * M(OP_MEMCPY));
	ratio("  its non-temporal copy alone / memcpy", M(OP_CXL_STORE_COPY) / M(OP_MEMCPY),
	      "(info)", true);
	ratio("  CXL store / its copy alone (cram's bookkeeping)",
	      M(OP_CXL_STORE) / M(OP_CXL_STORE_COPY), "(info)", true);
	ratio("  before: the glue of session 9 (shared counters) / memcpy",
	      M(OP_CXL_STORE_SHARED) / M(OP_MEMCPY), "<= 1.5",
	      M(OP_CXL_STORE_SHARED) <= 1.5 * M(OP_MEMCPY));
	ratio("lz4 compress / CXL store", M(OP_LZ4_C) / M(OP_CXL_STORE), ">= 8",
	      M(OP_LZ4_C) >= 8 * M(OP_CXL_STORE));
	ratio("CXL load (copy, free deferred) / memcpy", M(OP_CXL_LOAD) / M(OP_MEMCPY), "<= 1.5",
	      M(OP_CXL_LOAD) <= 1.5 * M(OP_MEMCPY));
	ratio("  its copy out alone / memcpy", M(OP_CXL_LOAD_COPY) / M(OP_MEMCPY), "(info)", true);
	ratio("  CXL load / its copy out alone (cram's bookkeeping)",
	      M(OP_CXL_LOAD) / M(OP_CXL_LOAD_COPY), "(info)", true);
	ratio("  before: the glue of session 9 (shared counters) / memcpy",
	      M(OP_CXL_LOAD_SHARED) / M(OP_MEMCPY), "<= 1.5",
	      M(OP_CXL_LOAD_SHARED) <= 1.5 * M(OP_MEMCPY));
	ratio("  before: CXL load, zeroing on the fault path / memcpy",
	      M(OP_CXL_LOAD_SYNC) / M(OP_MEMCPY), "<= 1.5",
	      M(OP_CXL_LOAD_SYNC) <= 1.5 * M(OP_MEMCPY));
	if (threads == 1)	/* one worker drains the list */
		ratio("  the zeroing worker, per page / memcpy", M(OP_CXL_ZERO) / M(OP_MEMCPY),
		      "(info)", true);
	ratio("pool store / lz4 compress", M(OP_POOL_STORE) / M(OP_LZ4_C), "<= 1.1",
	      M(OP_POOL_STORE) <= 1.1 * M(OP_LZ4_C));
#undef M
}

static bool cpu_has(const char *flag)
{
	char line[4096];
	bool has = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !has && fgets(line, sizeof(line), f))
		has = !strncmp(line, "flags", 5) && strstr(line, flag);
	if (f)
		fclose(f);
	return has;
}

static bool parse_threads(const char *s, bool *want)
{
	for (; *s; s++) {
		if (*s == '1' || *s == '2')
			want[*s - '0'] = true;
		else if (*s != ',')
			return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	bool want_threads[MAX_THREADS + 1] = { false };
	const char *only_op = NULL, *only_data = NULL;
	int reps = 7, c, op, k, t;
	size_t pages = 4096;
	static struct worker ws[MAX_THREADS];
	u32 *next;
	u8 *state;
	u64 pool_bytes = 0, pool_compressed = 0;

	while ((c = getopt(argc, argv, "t:r:n:o:d:")) != -1) {
		if (c == 'r')
			reps = atoi(optarg);
		else if (c == 'n')
			pages = strtoul(optarg, NULL, 0);
		if ((c == 't' && parse_threads(optarg, want_threads)) ||
		    (c == 'r' && reps > 0 && reps <= MAX_REPS) || (c == 'n' && pages > 0))
			continue;
		if (c == 'o')
			only_op = optarg;
		else if (c == 'd')
			only_data = optarg;
		else {
			fprintf(stderr, "usage: %s [-t 1,2] [-r REPS] [-n PAGES] [-o OP] [-d DATA]\n",
				argv[0]);
			return 2;
		}
	}
	if (!want_threads[1] && !want_threads[2])
		want_threads[1] = want_threads[2] = true;
	have_clflushopt = cpu_has(" clflushopt");

	/* the region: room for every thread's pages, twice (loads store first) */
	region_pages = 2 * MAX_THREADS * pages;
	region = mmap(NULL, region_pages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	host_write_seq = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	zero_page = calloc(1, PAGE);
	next = calloc(region_pages, sizeof(*next));
	state = calloc(region_pages, 1);
	if (region == MAP_FAILED || host_write_seq == MAP_FAILED || !next || !state || !zero_page ||
	    cram_ralloc_init(&alloc, region_pages, next, state))
		return 2;
	dev_init(region_pages * PAGE * 4);
	cram_pool_init(&pool, &b_ops, NULL);
	/* every thread's pages stored at once, plus the held corpus, as pool pages */
	page_stack_fill((MAX_THREADS + 1) * pages + CRAM_POOL_NR_CLASSES * CRAM_POOL_MAX_PAGES);
	make_data(MAX_THREADS * pages);
	for (t = 0; t < MAX_THREADS; t++) {
		ws[t].id = t;
		cram_ralloc_cache_init(&ws[t].cache);
		ws[t].slots = calloc(pages, sizeof(u32));
		ws[t].entries = calloc(pages, sizeof(void *));
		ws[t].out = aligned_alloc(PAGE, pages * PAGE);
		ws[t].lz4_state = malloc((size_t)LZ4_sizeofState());
		memset(ws[t].out, 1, pages * PAGE);
	}

	printf("## corebench: %zu pages per thread, %d repetitions, median ns per page\n\n",
	       pages, reps);
	printf("| operation | data | threads | ns/page | spread | pages/s | check |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (op = 0; op < NR_OPS; op++) {
		if (only_op && strcmp(only_op, op_names[op]))
			continue;
		for (k = 0; k < NR_DATA; k++) {
			if (only_data && strcmp(only_data, data_names[k]))
				continue;
			for (t = 1; t <= MAX_THREADS; t++) {
				struct result *r = &results[op][k][t];

				/* one worker drains the shared list: a second has nothing */
				if (!want_threads[t] || (op == OP_CXL_ZERO && t > 1))
					continue;
				measure(op, k, t, reps, pages, ws, r);
				report_row(op, k, t, r);
			}
		}
	}
	/* pool memory per compressed byte: the corpus stored once more, held */
	if (!only_op && !only_data) {
		struct worker *w = &ws[0];
		size_t i;

		w->src = data[D_CORPUS];
		w->compressed = 0;
		for (i = 0; i < pages; i++)
			w->entries[i] = pool_store(w->src + i * PAGE, w->buf, w->lz4_state,
						   &w->compressed);
		pool_bytes = pool_pages * PAGE;
		pool_compressed = w->compressed;
		for (i = 0; i < pages; i++)
			if (w->entries[i])
				pool_load(w->entries[i], w->out + i * PAGE, w->buf);
		for (t = 1; t <= MAX_THREADS; t++)
			if (want_threads[t])
				report_ratios(t);
		printf("| %-52s | %6.3f | %-8s | %s |\n", "pool DRAM bytes per compressed byte (corpus)",
		       (double)pool_bytes / (double)pool_compressed, "<= 1.05",
		       pool_bytes <= 1.05 * (double)pool_compressed ? "met" : "**not met**");
	}
	if (page_stack.misses)	/* the figures above then include page faults */
		printf("\npool pages beyond the pre-touched stack: %llu\n",
		       (unsigned long long)page_stack.misses);
	for (op = 0; op < NR_OPS; op++)
		for (k = 0; k < NR_DATA; k++)
			for (t = 1; t <= MAX_THREADS; t++)
				if (results[op][k][t].bad)
					return 1;
	return 0;
}
