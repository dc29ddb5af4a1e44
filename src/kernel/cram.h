/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cram.h - declarations shared between the files of cram.ko.
 */
#ifndef CRAM_KERNEL_H
#define CRAM_KERNEL_H

#include <linux/atomic.h>
#include <linux/srcu.h>
#include <linux/types.h>

#include "cram/config.h"
#include "cram/pool.h"

struct page;

/*** param.c: what module parameters share (each lives in the file that uses it) ***/

/* A runtime-tunable number with its range: module_param_cb(name, &ops, &param, 0644) */
struct cram_bounded_uint {
	unsigned int val;
	unsigned int min, max;
};

#include <linux/moduleparam.h>
extern const struct kernel_param_ops cram_bounded_uint_ops;
/* the length of a parameter value without the newline sysfs writes end in */
int cram_arg_len(const char *val);

/*** syms.c: private kernel functions, resolved at load ***/

struct cram_sym {
	const char *name;
	unsigned long start;		/* first byte of the function */
	unsigned long ftrace_ip;	/* its fentry site, for ftrace */
};

extern bool cram_ibt_strict;
int cram_sym_resolve(struct cram_sym *sym);
void *cram_sym_data(const char *name);
bool cram_sym_callable(const struct cram_sym *sym);
const void *cram_zswap_counter(void);

/*** arm.c: the checks before the hooks go live, and their installation ***/

int cram_arm_check(void);
int cram_arm(void);

/*** hooks.c: ftrace redirects; the table comes from src/compat/<api>_api.c ***/

#define CRAM_MAX_HOOKS 4

struct pt_regs;
struct cram_hook_def {
	const char *name;	/* kernel function redirected */
	void *replacement;	/* cram's function with the same signature */
	bool stores;		/* the store hook: registered after all the others */
	/* true: this call goes to the original (its arguments in regs); any context */
	bool (*passes)(const struct pt_regs *regs);
};

extern const struct cram_hook_def cram_hook_defs[];
extern const unsigned int cram_nr_hook_defs;

int cram_hooks_install(const struct cram_hook_def *defs, unsigned int nr);
int cram_hooks_prepare(void);	/* per API, before arming (src/compat/<api>_api.c) */
void cram_hooks_remove(void);
const struct cram_sym *cram_hook_original(unsigned int idx);
struct seq_file;
void cram_hooks_show(struct seq_file *m);

/* Every replacement runs between these, so unload can wait for it (hooks.c). */
extern struct srcu_struct cram_srcu;

static inline int cram_enter(void)
	__acquires(&cram_srcu)
{
	return srcu_read_lock(&cram_srcu);
}

static inline void cram_leave(int idx)
	__releases(&cram_srcu)
{
	srcu_read_unlock(&cram_srcu, idx);
}

/*** testhooks.c: fault injection for the VM tests, in CRAM_TEST_HOOKS builds only ***/

struct dentry;
#ifdef CRAM_TEST_HOOKS
void cram_test_debugfs_init(struct dentry *root);
void cram_test_pm_init(void);
void cram_test_pm_exit(void);
int cram_test_hook_register_fault(const char *name);
void cram_test_hook_registered(void);
bool cram_test_hook_deferred(const char *name);
void cram_test_hold_step(void);
int cram_test_prepare_fault(void);
void cram_test_tail_sleep(void);
void cram_test_tail_spin(void);
bool cram_test_fail_load(void);
void cram_test_wb_delay(void);
bool cram_test_wb_no_wait(void);
bool cram_test_cxl_zero_now(void);
void cram_test_bind_delay(void);
bool cram_test_arm_during_drain(void);
void cram_test_cxl_load_delay(void);
bool cram_test_fail_subpage(unsigned int index);
bool cram_test_region_any_window(void);
bool cram_test_arm_over_zswap(void);
u64 cram_test_pool_limit(u64 limit);
void cram_cxl_test_debugfs_init(struct dentry *root);	/* cxl_tier.c's */
#else
static inline void cram_test_debugfs_init(struct dentry *root) { }
static inline void cram_test_pm_init(void) { }
static inline void cram_test_pm_exit(void) { }
static inline int cram_test_hook_register_fault(const char *name) { return 0; }
static inline void cram_test_hook_registered(void) { }
static inline bool cram_test_hook_deferred(const char *name) { return false; }
static inline void cram_test_hold_step(void) { }
static inline int cram_test_prepare_fault(void) { return 0; }
static inline void cram_test_tail_sleep(void) { }
static inline void cram_test_tail_spin(void) { }
static inline bool cram_test_fail_load(void) { return false; }
static inline void cram_test_wb_delay(void) { }
static inline bool cram_test_wb_no_wait(void) { return false; }
static inline bool cram_test_cxl_zero_now(void) { return false; }
static inline void cram_test_bind_delay(void) { }
static inline bool cram_test_arm_during_drain(void) { return false; }
static inline void cram_test_cxl_load_delay(void) { }
static inline bool cram_test_fail_subpage(unsigned int index) { return false; }
static inline bool cram_test_region_any_window(void) { return false; }
static inline bool cram_test_arm_over_zswap(void) { return false; }
static inline u64 cram_test_pool_limit(u64 limit) { return limit; }
static inline void cram_cxl_test_debugfs_init(struct dentry *root) { }
#endif

/*** kfile.c: small sysfs/procfs files, read and written from the module ***/

int cram_read_text(const char *path, char *buf, size_t len);
int cram_read_u64(const char *path, u64 *val);
int cram_write_text(const char *path, const char *text);

/*** region.c: the CXL memory cram owns ***/

#define CRAM_REGION_WATCHED	64	/* region, root decoder and port, 3 per way (of 16) */
#define CRAM_REGION_DEV_NAME	20	/* "decoder12.3", "endpoint17", "mem4" */

struct cram_region {
	char name[24];		/* daxX.Y, or the start address for SIZE@START */
	/* cram_region_watch: called when a watched device goes (process context) */
	void (*lost)(struct cram_region *r, const char *dev, const char *event);
	phys_addr_t start;
	u64 size;
	void *base;		/* write-back mapping; NULL: not claimed */
	u64 serial;		/* its CXL memory device's serial; 0: not known */
	unsigned int ways;	/* CXL memory devices it is interleaved over; 0: not known */
	int nid;		/* its NUMA node; NUMA_NO_NODE: not known */
	unsigned int memdevs;	/* CXL memory devices in the machine */
	/* devices on the CXL bus whose removal takes the range away (region.c) */
	char watched[CRAM_REGION_WATCHED][CRAM_REGION_DEV_NAME];
	unsigned int nr_watched;
};

int cram_region_claim(const struct cram_region_spec *spec, struct cram_region *r);
void cram_region_release(struct cram_region *r);
int cram_region_watch(struct cram_region *r);
void cram_region_unwatch(struct cram_region *r);

/*** cxl_tier.c: the CXL devices; pages placed, allocated and copied ***/

/*
 * A CXL entry in a swap tree is a handle: the device's index (region= order) above
 * CRAM_CXL_PAGE_BITS, the region page below. An xarray value holds 63 bits.
 */
#define CRAM_CXL_PAGE_BITS	32
#define CRAM_CXL_ALL		(~0U)	/* cram_cxl_usage(): every device */
static_assert(BITS_PER_LONG == 64, "a CXL handle needs 64-bit longs");

static inline unsigned int cram_cxl_handle_dev(unsigned long handle)
{
	return handle >> CRAM_CXL_PAGE_BITS;
}

static inline u32 cram_cxl_handle_page(unsigned long handle)
{
	return (u32)handle;
}

struct cram_cxl_usage {
	u64 total, used, zeroing;	/* region pages; zeroing: freed, not zeroed yet */
	u64 stores;			/* pages placed since load */
	u64 bad_frees;
};

enum cram_stat;
struct cram_dev;
int cram_cxl_init(void);
void cram_cxl_config_show(struct seq_file *m);
void cram_cxl_exit(void);
bool cram_cxl_present(void);
unsigned int cram_cxl_nr_devs(void);
enum cram_stat cram_cxl_store(const void *src, int nid, unsigned long *handle);
int cram_cxl_load(unsigned long handle, void *dst);
void cram_cxl_free(unsigned long handle);
void cram_cxl_usage(unsigned int dev, struct cram_cxl_usage *u);
void cram_cxl_caches_show(struct seq_file *m, unsigned int dev);
void cram_cxl_region_show(struct seq_file *m, unsigned int dev);
void cram_cxl_flush(void);
void cram_cxl_set_closed(bool closed);
bool cram_cxl_gone(void);
bool cram_cxl_dev_gone(unsigned int dev);
int cram_cxl_watch_init(int (*drain)(unsigned int dev));
void cram_cxl_watch_exit(void);
const struct cram_region *cram_cxl_region_info(unsigned int dev);
struct cram_dev *cram_cxl_dev(unsigned int dev);

/*** device.c: each device's telemetry and the admission of CXL placements ***/

struct seq_file;
int cram_dev_check_params(void);
void cram_dev_config_show(struct seq_file *m);
int cram_dev_check_regs(unsigned int nr_regions);
struct cram_dev *cram_dev_create(const struct cram_region *r, unsigned int idx);
void cram_dev_destroy(struct cram_dev *d);
int cram_dev_init(void);
void cram_dev_exit(void);
enum cram_stat cram_dev_admit(struct cram_dev *d);
u64 cram_dev_room(struct cram_dev *d);
void cram_dev_write_begin(struct cram_dev *d);
void cram_dev_write_cancel(struct cram_dev *d);
void cram_dev_write_done(struct cram_dev *d, unsigned int n);
void cram_dev_cpu_dead(struct cram_dev *d, unsigned int cpu);
int cram_dev_show(struct seq_file *m, void *unused);	/* m->private: the device */
/* telemetry providers (provider.c drives these; device.c owns the state) */
struct cram_telemetry;
struct cram_telemetry_mark;
struct cram_dev *cram_dev_provider_attach(const char *region, u64 serial, const char *name);
void cram_dev_provider_detach(struct cram_dev *d);
struct cram_telemetry_mark cram_dev_mark(struct cram_dev *d);
int cram_dev_push(struct cram_dev *d, const struct cram_telemetry *t);
void cram_dev_event(struct cram_dev *d);
void cram_provider_init(void);
void cram_provider_exit(void);

struct cram_dev_summary {
	bool bound;		/* a register block is bound */
	bool trusted;		/* trust_capacity=Y */
	bool safe_mode;		/* as admission judges it (insane or stale) */
	bool gate_closed;
	u64 gate_closings, safe_entries;
	u64 phys_cap, phys_used, logical_used;	/* bytes, last sane snapshot */
	u64 serial;		/* the block's SERIAL (0: none given) */
};

void cram_dev_summary(struct cram_dev *d, struct cram_dev_summary *s);

/*** swap.c: what cram does with each swap operation, whatever the hook API ***/

/*
 * Counters. A store (a call: one folio) ends in STORES (CXL tier) or one DECLINE_*
 * (why the CXL tier did not take it); a folio the CXL tier declined then ends in
 * POOL_STORES, POOL_SAME_FILLED or one POOL_REJECT_* when the pool is on (except
 * large folios declined, disarmed and unloading, which never reach it). A folio no
 * tier took goes to disk. STORES, POOL_STORES and POOL_SAME_FILLED count pages: a
 * large folio taken whole adds each of its pages (and one LARGE_FOLIO_STORES).
 */
enum cram_stat {
	CRAM_STAT_STORE_CALLS,
	CRAM_STAT_STORES,
	CRAM_STAT_DECLINE_DISABLED,
	CRAM_STAT_DECLINE_NO_TIER,
	CRAM_STAT_DECLINE_UNTRUSTED,
	CRAM_STAT_DECLINE_SAFE_MODE,
	CRAM_STAT_DECLINE_WATERMARK,
	CRAM_STAT_DECLINE_LARGE_FOLIO,
	CRAM_STAT_LARGE_FOLIO_CALLS,
	CRAM_STAT_LARGE_FOLIO_STORES,
	CRAM_STAT_LARGE_FOLIO_UNDONE,
	CRAM_STAT_DECLINE_REGION_FULL,
	CRAM_STAT_DECLINE_NOMEM,
	CRAM_STAT_DECLINE_UNLOADING,
	CRAM_STAT_DECLINE_HIBERNATION,
	CRAM_STAT_DECLINE_REGION_GONE,
	CRAM_STAT_POOL_STORES,
	CRAM_STAT_POOL_SAME_FILLED,
	CRAM_STAT_POOL_REJECT_POOR,
	CRAM_STAT_POOL_REJECT_LIMIT,
	CRAM_STAT_POOL_REJECT_NOMEM,
	CRAM_STAT_POOL_LOAD_HITS,
	CRAM_STAT_WRITEBACKS,
	CRAM_STAT_DRAINED,
	CRAM_STAT_WRITEBACK_FAILURES,
	CRAM_STAT_WRITEBACK_RACED,
	CRAM_STAT_WRITEBACK_ORPHANED,
	CRAM_STAT_WRITEBACK_WAITS,
	CRAM_STAT_POOL_COMPACTED_PAGES,
	CRAM_STAT_STALE_REPLACED,
	CRAM_STAT_STALE_ERASED,
	CRAM_STAT_LOAD_CALLS,
	CRAM_STAT_LOAD_HITS,
	CRAM_STAT_LOAD_KEPT,
	CRAM_STAT_LOAD_MISSES,
	CRAM_STAT_LOAD_CHAINED,
	CRAM_STAT_ZSWAP_PASSED,
	CRAM_STAT_RESOLVED_CALLS,
	CRAM_STAT_RESOLVED_CALLS_REFUSED,
	CRAM_STAT_LOAD_ERRORS,
	CRAM_STAT_INVALIDATE_CALLS,
	CRAM_STAT_INVALIDATE_HITS,
	CRAM_STAT_INVALIDATE_AREA_CALLS,
	CRAM_STAT_INVALIDATE_AREA_FREED,
	CRAM_STAT_CALLS_WHILE_DISARMED,
	CRAM_NR_STATS
};

void cram_stat_inc(enum cram_stat stat);
void cram_stat_add(enum cram_stat stat, u64 n);
u64 cram_stat_read(enum cram_stat stat);
const char *cram_stat_name(enum cram_stat stat);

u64 cram_swap_nr_stored(void);
bool cram_swap_enabled(void);

void cram_swap_init(void);
void cram_swap_exit(void);

bool cram_swap_store(unsigned int type, pgoff_t offset, struct page *page,
		     unsigned int nr_pages);
bool cram_swap_holds(unsigned int type, pgoff_t offset, unsigned int nr_pages);
int cram_swap_load(unsigned int type, pgoff_t offset, struct page *page, bool exclusive);
void cram_swap_invalidate(unsigned int type, pgoff_t offset);
void cram_swap_invalidate_area(unsigned int type);
void *cram_swap_wb_claim(unsigned long swp, struct cram_zspage *zs, unsigned int dev,
			 void *page, void *buf,
			 u32 *len);
void *cram_swap_wb_finish(unsigned long swp, void *entry, bool written);
void cram_swap_entry_free(void *entry);
#define CRAM_HELD_ANY	(~0U)	/* cram_swap_held_slots(): every slot, not one device's */
unsigned int cram_swap_held_slots(unsigned long *next, unsigned long *swps, unsigned int max,
				  unsigned int dev);
void cram_swap_disarm(void);

/*** dram_tier.c: the compressed DRAM pool for pages the CXL tier refuses ***/

#define CRAM_PE_SAME	BIT(0)	/* same-filled: fill is the word, no pool memory */
#define CRAM_PE_WB	BIT(1)	/* being written back: the writeback worker holds it */
#define CRAM_PE_ORPHAN	BIT(2)	/* left its tree during writeback: the worker frees it */

/* A pool entry in a swap tree (a pointer; CXL entries are xarray values). */
struct cram_pool_entry {
	struct cram_pool_handle handle;	/* .owner_flags: CRAM_PE_*, under the tree's lock */
	union {
		unsigned long swp;	/* pool object: its swap slot, for writeback */
		unsigned long fill;	/* CRAM_PE_SAME */
	};
};

struct xarray;
int cram_dram_init(void);
void cram_dram_exit(void);
bool cram_dram_active(void);
enum cram_stat cram_dram_store(unsigned long swp, struct page *page,
			       struct cram_pool_entry **entry);
int cram_dram_load(struct xarray *tree, pgoff_t offset, struct page *page);
void cram_dram_free(struct cram_pool_entry *e);
bool cram_dram_copy_out(struct cram_pool_entry *e, struct cram_zspage *zs, void *page,
			void *buf, u32 *len);
int cram_dram_decompress(const void *src, u32 len, void *dst);
struct cram_zspage *cram_dram_reclaim_begin(unsigned long *swps, unsigned int *nr);
bool cram_dram_reclaim_end(struct cram_zspage *zs);
long cram_dram_pages_over_target(void);
u64 cram_dram_compact(unsigned int max_zspages);

struct cram_dram_usage {
	u64 pages;		/* pool pages (DRAM) */
	u64 objs;		/* compressed objects */
	u64 bytes;		/* their compressed bytes */
	u64 same_filled;	/* pages held as one word */
	u64 moved, compacted;	/* by compaction, since load */
	bool limit_hit;		/* refusing until under the accept threshold */
};

void cram_dram_usage(struct cram_dram_usage *u);
int cram_dram_show(struct seq_file *m, void *unused);
int cram_dram_classes_show(struct seq_file *m, void *unused);

/*** writeback.c: the coldest pool objects back to their swap slots on disk ***/

int cram_wb_init(void);
void cram_wb_exit(void);
void cram_wb_kick(void);
void cram_wb_wait(unsigned int type, pgoff_t offset, unsigned int nr_pages);
int cram_wb_drain(bool interruptible);
int cram_wb_drain_device(unsigned int dev);
bool cram_wb_draining(void);
int cram_wb_unless_draining(void (*arm)(void));

/*** pm.c: hibernation ***/

int cram_pm_init(void);
void cram_pm_exit(void);

/*** debugfs.c ***/

int cram_debugfs_init(void);
void cram_debugfs_exit(void);

/*** sysfs.c: /sys/module/cram/stats/, the summary readable without root ***/

int cram_sysfs_init(void);
void cram_sysfs_exit(void);

#endif /* CRAM_KERNEL_H */
