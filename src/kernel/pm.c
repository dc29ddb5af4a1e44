// SPDX-License-Identifier: GPL-2.0
/*
 * pm.c - hibernation and suspend to RAM never lose a page.
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
 *
 * Suspend to RAM (and standby) may power the CXL device off as well: the kernel
 * refuses both while a memdev is bound to cxl_mem (CONFIG_CXL_SUSPEND), but not for
 * a region whose device is not (set up by firmware, or claimed by physical range
 * with cxl_mem unbound). cram refuses them itself while the tier holds a page, from
 * a syscore suspend step: those run only for standby and S3, after every task is
 * frozen and every device suspended, on one CPU with interrupts off, so the count it
 * reads cannot change under it, and a refusal unwinds the whole suspend (the writer
 * of /sys/power/state gets EBUSY). Suspend to idle is let through, as the kernel
 * lets it through with cxl_mem bound: nothing powers memory off in s2idle (the CXL
 * device stays in D0; cxl_pci has no suspend callback). syscore steps also run when
 * hibernation makes its image; pm_suspend_target_state (PM_SUSPEND_ON then) tells
 * them apart, and the notifier above has emptied and closed the tier by then.
 *
 * Context: the notifier runs in process context (the task writing
 * /sys/power/state, under system_transition_mutex) and may sleep. The syscore step
 * runs with interrupts off and never sleeps.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/notifier.h>
#include <linux/suspend.h>

#include "cram.h"
#include "compat.h"

static int cram_pm_hibernate_prepare(void)
{
	struct cram_cxl_usage u;

	cram_cxl_set_closed(true);
	synchronize_srcu(&cram_srcu);	/* a store admitted before the close has ended */
	cram_cxl_usage(CRAM_CXL_ALL, &u);
	if (!u.used)
		return 0;
	cram_cxl_set_closed(false);
	pr_err("hibernation refused: the CXL tier holds %llu pages and CXL memory does not survive hibernation; drain cram first (echo 1 > /sys/module/cram/drain)\n",
	       u.used);
	return -EBUSY;
}

/* The last step before standby or S3 (see above); 0 lets it happen. */
static int cram_pm_suspend_check(void)
{
	struct cram_cxl_usage u;

	if (pm_suspend_target_state == PM_SUSPEND_ON)	/* hibernation's image */
		return 0;
	cram_cxl_usage(CRAM_CXL_ALL, &u);
	if (!u.used)
		return 0;
	pr_err("suspend to RAM refused: the CXL tier holds %llu pages and CXL memory may lose power in %s; drain cram first (echo 1 > /sys/module/cram/drain), or suspend to idle (echo s2idle > /sys/power/mem_sleep)\n",
	       u.used, pm_suspend_target_state == PM_SUSPEND_MEM ? "S3" : "standby");
	return -EBUSY;
}

CRAM_SYSCORE(cram_pm_syscore, cram_pm_suspend_check);

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

	if (err)
		return err;
	cram_syscore_register(&cram_pm_syscore);
	cram_test_pm_init();
	return 0;
}

void cram_pm_exit(void)
{
	cram_test_pm_exit();
	cram_syscore_unregister(&cram_pm_syscore);
	unregister_pm_notifier(&cram_pm_nb);
}
