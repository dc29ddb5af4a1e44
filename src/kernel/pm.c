// SPDX-License-Identifier: GPL-2.0
/*
 * pm.c - hibernation never loses a page.
 *
 * The CXL region is volatile memory outside the hibernation image: after S4 it holds
 * whatever the device powers up with, so a page cram kept there would come back
 * wrong. The DRAM pool is ordinary kernel memory and is saved in the image.
 *
 * On PM_HIBERNATION_PREPARE (before tasks are frozen and before the kernel frees
 * memory for the image, which swaps pages out through cram) the CXL tier closes to
 * new pages, stores already inside cram are waited for, and then:
 *   - the tier holds pages: hibernation is refused (-EBUSY to the writer of
 *     /sys/power/state) with a dmesg line saying how to empty it, and the tier
 *     reopens;
 *   - it holds none: hibernation goes ahead with the tier closed (stores go to the
 *     pool or the disk), and it reopens on PM_POST_HIBERNATION.
 * Refusing rather than draining: a drain writes every page to disk and can take
 * long, and it leaves cram disarmed; the operator drains first
 * (/sys/module/cram/drain, docs/OPERATIONS.md) and then hibernates.
 *
 * Context: the notifier runs in process context (the task writing
 * /sys/power/state, under system_transition_mutex) and may sleep.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/notifier.h>
#include <linux/suspend.h>

#include "cram.h"

static int cram_pm_hibernate_prepare(void)
{
	u64 total, used;

	cram_cxl_set_closed(true);
	synchronize_srcu(&cram_srcu);	/* a store admitted before the close has ended */
	cram_cxl_usage(&total, &used, NULL);
	if (!used)
		return 0;
	cram_cxl_set_closed(false);
	pr_err("hibernation refused: the CXL tier holds %llu pages and CXL memory does not survive hibernation; drain cram first (echo 1 > /sys/module/cram/drain)\n",
	       used);
	return -EBUSY;
}

static int cram_pm_notify(struct notifier_block *nb, unsigned long event, void *unused)
{
	switch (event) {
	case PM_HIBERNATION_PREPARE:
		return notifier_from_errno(cram_pm_hibernate_prepare());
	case PM_POST_HIBERNATION:
		cram_cxl_set_closed(false);
		return NOTIFY_OK;
	default:
		return NOTIFY_DONE;
	}
}

static struct notifier_block cram_pm_nb = {
	.notifier_call = cram_pm_notify,
};

int cram_pm_init(void)
{
	int err = register_pm_notifier(&cram_pm_nb);

	if (!err)
		cram_test_pm_init();
	return err;
}

void cram_pm_exit(void)
{
	cram_test_pm_exit();
	unregister_pm_notifier(&cram_pm_nb);
}
