// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - cram.ko: module init and exit, the one place that knows every part.
 *
 * Init order: check the watermark pair (device.c), check zswap is off and empty (cram replaces it),
 * claim the CXL regions, bind each device's register block, the DRAM pool and its
 * writeback worker, the watch on the CXL bus for the regions' removal, debugfs and
 * the sysfs summary, the PM notifier, then the hooks, so cram sees no swap traffic
 * before it is ready (arm.c: cram_arm), and last /dev/cram-telemetry, once nothing
 * can fail (an open file must not outlive a failed load).
 * Exit undoes it in reverse; hooks.c makes sure no task is still inside cram, and
 * entries hold module references, so none is left at exit.
 *
 * Context: init and exit run in process context and may sleep. Each module parameter
 * lives in the file that uses it (region: cxl_tier.c; regs, watermarks,
 * trust_capacity: device.c; ...), validated by the rules of src/core/config.c; writes
 * are serialised by the kernel's param lock, which readers of more than one take too.
 * Nothing calls back into this file.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "cram.h"
#include "compat.h"

/*** init / exit ***/

static int __init cram_init(void)
{
	int err;

	err = cram_dev_check_params();
	if (err)
		return err;

	err = cram_arm_check();
	if (err)
		return err;

	cram_swap_init();
	err = cram_cxl_init();	/* the regions, then their register blocks */
	if (err)
		return err;

	err = cram_dram_init();
	if (err)
		goto fail_dram;
	err = cram_wb_init();
	if (err)
		goto fail_wb;
	err = cram_cxl_watch_init(cram_wb_drain_device);	/* needs the writeback worker */
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

	err = cram_pm_init();
	if (err)
		goto fail_pm;

	/*
	 * Last: from here on every swap store, load and invalidate runs through cram.
	 * Until the store hook is live cram holds nothing, so failing here unwinds it all.
	 */
	err = cram_arm();
	if (err)
		goto fail_hooks;

	cram_provider_init();	/* /dev/cram-telemetry: last, once nothing can fail */
	pr_info("loaded (hook API %s, %u CXL devices)\n", CRAM_HOOK_API, cram_cxl_nr_devs());
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
	cram_provider_exit();	/* no file open (each holds the module), no provider module */
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
