// SPDX-License-Identifier: GPL-2.0
/*
 * swap.c - what cram does with each swap operation, whatever the kernel's hook API
 * (the adapters in src/compat/ translate zswap's or frontswap's calls into these).
 *
 * Tiers: none admits a page yet (the CXL tier needs the device telemetry or an
 * explicit trust parameter; the DRAM pool comes later), so every store is declined
 * and the kernel writes the page to the swap device, as DESIGN.md requires without
 * telemetry. Loads and invalidates find nothing of cram's.
 *
 * Context: cram_swap_store/load may sleep (reclaim, swap-in); cram_swap_invalidate
 * runs in atomic context (under the PTE lock or si->lock) and must not. All run inside
 * cram_enter()/cram_leave() (SRCU). Counters are atomic; no locks yet.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "cram.h"

static atomic64_t cram_stats[CRAM_NR_STATS];

/* Names as an operator would ask for them (zswap's style). */
static const char *const cram_stat_names[CRAM_NR_STATS] = {
	[CRAM_STAT_STORE_CALLS] = "store_calls",
	[CRAM_STAT_DECLINE_NO_TIER] = "decline_no_tier",
	[CRAM_STAT_DECLINE_LARGE_FOLIO] = "decline_large_folio",
	[CRAM_STAT_LOAD_CALLS] = "load_calls",
	[CRAM_STAT_LOAD_MISSES] = "load_misses",
	[CRAM_STAT_LOAD_CHAINED] = "load_chained",
	[CRAM_STAT_INVALIDATE_CALLS] = "invalidate_calls",
	[CRAM_STAT_INVALIDATE_AREA_CALLS] = "invalidate_area_calls",
};

void cram_stat_inc(enum cram_stat stat)
{
	atomic64_inc(&cram_stats[stat]);
}

u64 cram_stat_read(enum cram_stat stat)
{
	return atomic64_read(&cram_stats[stat]);
}

const char *cram_stat_name(enum cram_stat stat)
{
	return cram_stat_names[stat];
}

/*** arming: cram replaces zswap, so zswap must be off and hold nothing ***/

static int cram_read_text(const char *path, char *buf, size_t len)
{
	struct file *file;
	loff_t pos = 0;
	ssize_t n;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_read(file, buf, len - 1, &pos);
	filp_close(file, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return 0;
}

/* Reads only exported interfaces: zswap's own variables are sealed under IBT. */
int cram_swap_arm_check(void)
{
	char *buf, *line;
	unsigned long kb = 0;
	int err;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = cram_read_text("/sys/module/zswap/parameters/enabled", buf, PAGE_SIZE);
	if (!err && buf[0] != 'N') {
		pr_err("zswap is enabled: cram replaces it; run 'echo N > /sys/module/zswap/parameters/enabled' (and boot without zswap.enabled=1)\n");
		err = -EBUSY;
		goto out;
	}
	err = cram_read_text("/proc/meminfo", buf, PAGE_SIZE);
	if (err)
		goto out;
	line = strstr(buf, "\nZswapped:");
	if (line && sscanf(line, "\nZswapped: %lu", &kb) == 1 && kb) {
		pr_err("zswap still holds %lu kB: swapoff and swapon the swap devices (or reboot) before loading cram\n",
		       kb);
		err = -EBUSY;
	}
out:
	kfree(buf);
	return err;
}

/*** the swap operations ***/

bool cram_swap_store(unsigned int type, pgoff_t offset, struct page *page,
		     unsigned int nr_pages)
{
	cram_stat_inc(CRAM_STAT_STORE_CALLS);
	if (nr_pages > 1) {
		/* 6.12 frees large swap ranges without invalidating them: never hold one */
		cram_stat_inc(CRAM_STAT_DECLINE_LARGE_FOLIO);
		return false;
	}
	cram_stat_inc(CRAM_STAT_DECLINE_NO_TIER);
	return false;
}

bool cram_swap_load(unsigned int type, pgoff_t offset, struct page *page, bool exclusive)
{
	cram_stat_inc(CRAM_STAT_LOAD_CALLS);
	cram_stat_inc(CRAM_STAT_LOAD_MISSES);
	return false;
}

void cram_swap_invalidate(unsigned int type, pgoff_t offset)
{
	cram_stat_inc(CRAM_STAT_INVALIDATE_CALLS);
}

void cram_swap_invalidate_area(unsigned int type)
{
	cram_stat_inc(CRAM_STAT_INVALIDATE_AREA_CALLS);
}
