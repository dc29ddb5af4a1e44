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

struct page;

/*** main.c: effective configuration (module parameters) ***/

struct cram_config {
	struct cram_region_spec region;
	unsigned int high_wm_pct;
	unsigned int low_wm_pct;
};

void cram_config_snapshot(struct cram_config *cfg);

/*** syms.c: private kernel functions, resolved at load ***/

struct cram_sym {
	const char *name;
	unsigned long start;		/* first byte of the function */
	unsigned long ftrace_ip;	/* its fentry site, for ftrace */
};

extern bool cram_ibt_strict;
int cram_sym_resolve(struct cram_sym *sym);
bool cram_sym_callable(const struct cram_sym *sym);

/*** hooks.c: ftrace redirects; the table comes from src/compat/<api>_api.c ***/

#define CRAM_MAX_HOOKS 4

struct cram_hook_def {
	const char *name;	/* kernel function redirected */
	void *replacement;	/* cram's function with the same signature */
};

extern const struct cram_hook_def cram_hook_defs[];
extern const unsigned int cram_nr_hook_defs;

int cram_hooks_install(void);
int cram_hooks_prepare(void);	/* per API, before arming (src/compat/<api>_api.c) */
void cram_hooks_remove(void);
const struct cram_sym *cram_hook_original(unsigned int idx);

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

/*** kfile.c: small sysfs/procfs files, read and written from the module ***/

int cram_read_text(const char *path, char *buf, size_t len);
int cram_read_u64(const char *path, u64 *val);
int cram_write_text(const char *path, const char *text);

/*** region.c: the CXL memory cram owns ***/

struct cram_region {
	char name[24];		/* daxX.Y, or the start address for SIZE@START */
	phys_addr_t start;
	u64 size;
	void *base;		/* write-back mapping; NULL: not claimed */
};

int cram_region_claim(const struct cram_region_spec *spec, struct cram_region *r);
void cram_region_release(struct cram_region *r);

/*** cxl_tier.c: pages of the region, admitted, allocated and copied ***/

enum cram_stat;
extern atomic_t cram_cxl_fail_loads;
int cram_cxl_init(const struct cram_region_spec *spec);
void cram_cxl_exit(void);
bool cram_cxl_present(void);
enum cram_stat cram_cxl_store(const void *src, u32 *page);
int cram_cxl_load(u32 page, void *dst);
void cram_cxl_free(u32 page);
void cram_cxl_usage(u64 *total, u64 *used);
u64 cram_cxl_bad_frees(void);
const struct cram_region *cram_cxl_region_info(void);

/*** device.c: the device's telemetry and the admission of CXL placements ***/

struct seq_file;
int cram_dev_init(void);
void cram_dev_exit(void);
enum cram_stat cram_dev_admit(void);
void cram_dev_write_begin(void);
void cram_dev_write_cancel(void);
void cram_dev_write_done(void);
int cram_dev_show(struct seq_file *m, void *unused);

/*** swap.c: what cram does with each swap operation, whatever the hook API ***/

/* Counters; a store ends in exactly one of STORES or DECLINE_*. */
enum cram_stat {
	CRAM_STAT_STORE_CALLS,
	CRAM_STAT_STORES,
	CRAM_STAT_DECLINE_DISABLED,
	CRAM_STAT_DECLINE_NO_TIER,
	CRAM_STAT_DECLINE_UNTRUSTED,
	CRAM_STAT_DECLINE_SAFE_MODE,
	CRAM_STAT_DECLINE_WATERMARK,
	CRAM_STAT_DECLINE_LARGE_FOLIO,
	CRAM_STAT_DECLINE_REGION_FULL,
	CRAM_STAT_DECLINE_NOMEM,
	CRAM_STAT_DECLINE_UNLOADING,
	CRAM_STAT_STALE_REPLACED,
	CRAM_STAT_STALE_ERASED,
	CRAM_STAT_LOAD_CALLS,
	CRAM_STAT_LOAD_HITS,
	CRAM_STAT_LOAD_MISSES,
	CRAM_STAT_LOAD_CHAINED,
	CRAM_STAT_LOAD_ERRORS,
	CRAM_STAT_INVALIDATE_CALLS,
	CRAM_STAT_INVALIDATE_HITS,
	CRAM_STAT_INVALIDATE_AREA_CALLS,
	CRAM_STAT_INVALIDATE_AREA_FREED,
	CRAM_STAT_CALLS_WHILE_DISARMED,
	CRAM_NR_STATS
};

void cram_stat_inc(enum cram_stat stat);
u64 cram_stat_read(enum cram_stat stat);
const char *cram_stat_name(enum cram_stat stat);

u64 cram_swap_nr_stored(void);

void cram_swap_init(void);
void cram_swap_exit(void);
int cram_swap_arm_check(void);
bool cram_swap_store(unsigned int type, pgoff_t offset, struct page *page,
		     unsigned int nr_pages);
bool cram_swap_holds(unsigned int type, pgoff_t offset, unsigned int nr_pages);
int cram_swap_load(unsigned int type, pgoff_t offset, struct page *page, bool exclusive);
void cram_swap_invalidate(unsigned int type, pgoff_t offset);
void cram_swap_invalidate_area(unsigned int type);

/*** debugfs.c ***/

int cram_debugfs_init(void);
void cram_debugfs_exit(void);

#endif /* CRAM_KERNEL_H */
