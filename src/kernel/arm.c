// SPDX-License-Identifier: GPL-2.0
/*
 * arm.c - arming: cram replaces zswap, so before the hooks go live zswap must be off
 * and hold nothing, and ftrace must be on. Checks early (cram_arm_check, before
 * anything is set up), then installs this kernel's hook table (src/compat/<api>_api.c)
 * as init's last step (cram_arm). Between the hook entries (compat) and the hook
 * mechanism (hooks.c): the one file that hands the table to the mechanism.
 *
 * Context: init only, process context, may sleep. Locking: kernel_param_lock(NULL)
 * (built-ins' parameters: zswap's "enabled") from the last check to the last hook.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/moduleparam.h>

#include "compat.h"
#include "cram.h"

/*
 * zswap's stored pages, read from its counter (the one /proc/meminfo's Zswapped:
 * shows): a variable, not a file, because arming reads it under
 * kernel_param_lock(NULL), and reading a seq_file there inverts the order sysfs
 * reads take (seq_file lock -> kernfs -> param lock; lockdep reported it).
 */
static int cram_zswap_empty(const void *stored_pages)
{
	unsigned long pages = cram_zswap_stored_pages(stored_pages);

	if (pages && cram_test_arm_over_zswap()) {
		pr_info("test hook: loading over the %lu pages zswap holds\n", pages);
		return 0;
	}
	if (pages) {
		pr_err("zswap still holds %lu pages: swapoff and swapon the swap devices (or reboot) before loading cram\n",
		       pages);
		return -EBUSY;
	}
	return 0;
}

/*
 * Before anything is set up: refuse early, with the reason, when zswap is in use or
 * ftrace is switched off. The latter before any symbol is resolved: kprobes on
 * ftrace registered and removed while kernel.ftrace_enabled is 0 leave ftrace's
 * records inconsistent (seen on 6.12: a WARNING at the next registration, then
 * ftrace and kprobes disabled for good).
 */
int cram_arm_check(void)
{
	const void *stored;
	char buf[8];
	int err;

	err = cram_read_text("/proc/sys/kernel/ftrace_enabled", buf, sizeof(buf));
	if (!err && buf[0] == '0') {
		pr_err("sysctl kernel.ftrace_enabled is 0: cram redirects the swap path with ftrace; set it to 1 and load again\n");
		return -EBUSY;
	}
	err = cram_read_text("/sys/module/zswap/parameters/enabled", buf, sizeof(buf));
	if (!err && buf[0] != 'N') {
		pr_err("zswap is enabled: cram replaces it; run 'echo N > /sys/module/zswap/parameters/enabled' (and boot without zswap.enabled=1)\n");
		return -EBUSY;
	}
	stored = cram_zswap_counter();
	if (!stored)
		return -ENOENT;
	return cram_zswap_empty(stored) ?: cram_hooks_prepare();
}

/*
 * The last step of init: install the hooks while zswap provably holds nothing and
 * cannot be switched on. Writes to a built-in's parameters (zswap's "enabled") are
 * serialised by kernel_param_lock(NULL), held here from the check to the last hook;
 * zswap's flag and counter are read directly, as sysfs would need the same lock and
 * no file may be read under it (see cram_zswap_empty). Once the hooks
 * are live zswap_store never runs again. What this cannot see, a zswap_store that
 * read "enabled" before it was switched off and is still running, leaves its page
 * with zswap, to read and free (zswap_api.c; docs/DESIGN.md).
 */
int cram_arm(void)
{
	const bool *zswap_on = cram_sym_data("zswap_enabled");
	const void *stored = cram_zswap_counter();
	int err;

	if (!zswap_on) {
		pr_err("kernel variable zswap_enabled not found: this kernel is not supported (needs CONFIG_ZSWAP, CONFIG_KALLSYMS_ALL)\n");
		return -ENOENT;
	}
	if (!stored)
		return -ENOENT;
	cram_test_hold_step();
	kernel_param_lock(NULL);
	if (READ_ONCE(*zswap_on)) {
		pr_err("zswap was enabled while cram was loading: cram replaces it; run 'echo N > /sys/module/zswap/parameters/enabled' and load cram again\n");
		err = -EBUSY;
	} else {
		err = cram_zswap_empty(stored) ?:
		      cram_hooks_install(cram_hook_defs, cram_nr_hook_defs);
	}
	kernel_param_unlock(NULL);
	return err;
}
