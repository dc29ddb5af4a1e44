// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - cram.ko: module init/exit and module parameters.
 *
 * Init order: validate parameters, check zswap is off and empty (cram replaces it),
 * claim the CXL regions, bind each device's register block, the DRAM pool and its
 * writeback worker, the watch on the CXL bus for the regions' removal, debugfs and
 * the sysfs summary, the PM notifier, then the hooks, last, so cram sees no swap
 * traffic before it is ready (swap.c: cram_swap_arm).
 * Exit undoes it in reverse; hooks.c makes sure no task is still inside cram, and
 * entries hold module references, so none is left at exit.
 *
 * Context: init, exit and parameter writes run in process context and may sleep.
 * Parameter writes, at load and through /sys/module/cram/parameters, are serialised
 * by the kernel's param lock (kernel_param_lock(THIS_MODULE)); readers of more than
 * one parameter take it too, so they see a consistent low/high pair.
 *
 * The validation rules themselves live in src/core/config.c (unit-tested).
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "cram.h"
#include "compat.h"

/*** parameters ***/

static char cram_region_arg[CRAM_REGION_LIST_MAX];
static struct cram_region_list cram_regions;
static unsigned int cram_high_wm_pct = 90;
static unsigned int cram_low_wm_pct = 80;
/* false while parameters are applied at load: the low/high pair is checked in init */
static bool cram_params_live;

/* Values written through sysfs end in a newline: keep it out of messages. */
int cram_arg_len(const char *val)
{
	size_t len = strlen(val);

	return len && val[len - 1] == '\n' ? len - 1 : len;
}

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

/*
 * high_wm_pct / low_wm_pct: each must be 1..100; once the module is live a write must
 * also keep low < high (at load, init checks the pair once every value is in).
 */
static int cram_wm_set(const char *val, const struct kernel_param *kp)
{
	bool is_high = kp->arg == &cram_high_wm_pct;
	unsigned int pct, low, high;
	const char *why;

	if (kstrtouint(val, 0, &pct)) {
		pr_err("%s=%.*s rejected: not a number\n", kp->name, cram_arg_len(val), val);
		return -EINVAL;
	}
	low = is_high ? cram_low_wm_pct : pct;
	high = is_high ? pct : cram_high_wm_pct;
	if (cram_wm_pct_check(pct, &why) ||
	    (cram_params_live && cram_wm_pair_check(low, high, &why))) {
		pr_err("%s=%.*s rejected: %s\n", kp->name, cram_arg_len(val), val, why);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = pct;
	return 0;
}

static const struct kernel_param_ops cram_wm_ops = {
	.set = cram_wm_set,	/* rejects 0, > 100, and low >= high */
	.get = param_get_uint,
};
module_param_cb(high_wm_pct, &cram_wm_ops, &cram_high_wm_pct, 0644);
MODULE_PARM_DESC(high_wm_pct,
		 "stop CXL placements above this % of the device's physical capacity (1..100, default 90)");
module_param_cb(low_wm_pct, &cram_wm_ops, &cram_low_wm_pct, 0644);
MODULE_PARM_DESC(low_wm_pct,
		 "after stopping, resume CXL placements below this % of physical capacity (1..high_wm_pct-1, default 80)");

/* A number within [min, max]; anything else is rejected and the value kept. */
static int cram_bounded_uint_set(const char *val, const struct kernel_param *kp)
{
	struct cram_bounded_uint *b = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < b->min || v > b->max) {
		pr_err("%s=%.*s rejected: must be a number in %u..%u\n", kp->name,
		       cram_arg_len(val), val, b->min, b->max);
		return -EINVAL;
	}
	WRITE_ONCE(b->val, v);
	return 0;
}

static int cram_bounded_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct cram_bounded_uint *b = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%u\n", READ_ONCE(b->val));
}

const struct kernel_param_ops cram_bounded_uint_ops = {
	.set = cram_bounded_uint_set,
	.get = cram_bounded_uint_get,
};

void cram_config_snapshot(struct cram_config *cfg)
{
	kernel_param_lock(THIS_MODULE);
	cfg->regions = cram_regions;
	cfg->high_wm_pct = cram_high_wm_pct;
	cfg->low_wm_pct = cram_low_wm_pct;
	kernel_param_unlock(THIS_MODULE);
}

/*** init / exit ***/

static int __init cram_init(void)
{
	const char *why;
	int err;

	if (cram_wm_pair_check(cram_low_wm_pct, cram_high_wm_pct, &why)) {
		pr_err("low_wm_pct=%u high_wm_pct=%u rejected: %s\n",
		       cram_low_wm_pct, cram_high_wm_pct, why);
		return -EINVAL;
	}

	err = cram_swap_arm_check();
	if (err)
		return err;

	cram_swap_init();
	err = cram_cxl_init(&cram_regions);	/* the regions, then their register blocks */
	if (err)
		return err;

	err = cram_dram_init();
	if (err)
		goto fail_dram;
	err = cram_wb_init();
	if (err)
		goto fail_wb;
	err = cram_cxl_watch_init();	/* its drain needs the writeback worker */
	if (err)
		goto fail_watch;

	/* debugfs is detail: without it (debugfs=off, lockdown) cram still works */
	err = cram_debugfs_init();
	if (err)
		pr_warn("no /sys/kernel/debug/cram (%d): debugfs is off or locked down; /sys/module/cram/stats still shows what cram holds\n",
			err);
	err = cram_sysfs_init();
	if (err) {
		pr_err("cannot create /sys/module/cram/stats: %d\n", err);
		goto fail_sysfs;
	}

	kernel_param_lock(THIS_MODULE);
	cram_params_live = true;
	kernel_param_unlock(THIS_MODULE);

	err = cram_pm_init();
	if (err)
		goto fail_pm;

	/*
	 * Last: from here on every swap store, load and invalidate runs through cram.
	 * Until the store hook is live cram holds nothing, so failing here unwinds it all.
	 */
	err = cram_swap_arm();
	if (err)
		goto fail_hooks;

	pr_info("loaded (hook API %s, region %s, watermarks %u%%/%u%%)\n", CRAM_HOOK_API,
		cram_region_arg[0] ? cram_region_arg : "none", cram_low_wm_pct, cram_high_wm_pct);
	return 0;

fail_hooks:
	cram_pm_exit();
fail_pm:
	cram_sysfs_exit();
fail_sysfs:
	cram_debugfs_exit();
	cram_cxl_watch_exit();
fail_watch:
	cram_wb_exit();
fail_wb:
	cram_dram_exit();
fail_dram:
	cram_swap_exit();
	cram_cxl_exit();
	return err;
}

static void __exit cram_exit(void)
{
	cram_hooks_remove();
	cram_pm_exit();
	cram_sysfs_exit();
	cram_debugfs_exit();
	cram_cxl_watch_exit();	/* waits for a drain under way */
	cram_wb_exit();
	cram_dram_exit();
	cram_swap_exit();
	cram_cxl_exit();	/* zeroes what is freed, then lets the register blocks go */
	pr_info("unloaded\n");
}

module_init(cram_init);
module_exit(cram_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("cram developers");
MODULE_DESCRIPTION("Swap tier on hardware-compressed CXL memory, with a compressed DRAM fallback pool");
MODULE_VERSION(CRAM_VERSION);
