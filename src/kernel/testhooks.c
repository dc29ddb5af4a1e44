// SPDX-License-Identifier: GPL-2.0
/*
 * testhooks.c - fault injection and widened race windows for the VM tests.
 *
 * Built only with CRAM_TEST_HOOKS=y (Kbuild; scripts/vmtest sets it); the module
 * users build and install contains none of this, and tests/host/build.sh checks that.
 * Each hook turns a window that is too narrow to hit by chance into one a test hits
 * every time, or makes a failure happen on demand, so a test can show the fault
 * and then show it handled.
 *
 * Module parameters (all test_*, bounded):
 *   test_hook_hold      the loader stops at each of its steps until the test lets it
 *                       on: step 1 before arming, step 1 + i after the i-th hook
 *                       registration; so swap traffic runs against a partly installed
 *                       set of hooks for as long as the test needs, and zswap can be
 *                       switched on meanwhile. test_hook_step (read-only) is the step
 *                       it waits at (0: none), test_hook_go (runtime) the last step
 *                       it may pass; a step not let on within 60 s passes with a
 *                       warning, so a broken test cannot hold insmod forever
 *   test_fail_hook      registering this hook fails with -EBUSY: a function name, or
 *                       "last" for whichever registration comes last
 *   test_load_last      register the load hook after the store hook: the unsafe
 *                       order, kept so the tests show what the real order prevents
 *   test_fail_prepare   writing zswap's "enabled" parameter fails, as if refused
 *   test_tail_delay_ms  (runtime) each store replacement sleeps this long inside its
 *                       SRCU section, then spins as long after leaving it: the window
 *                       unload must wait out (0..1000)
 *   test_hibernation_with_cxl  while cram is loaded, do not count this many bound
 *                       cxl_mem devices (0..8): the kernel refuses hibernation and
 *                       suspend to RAM outright while any is bound (CONFIG_CXL_SUSPEND),
 *                       which would keep the tests from reaching cram's PM notifier and
 *                       syscore step; a region whose device is not driven by cxl_mem
 *                       (set up by firmware) looks like this
 *   test_arm_over_zswap  load although zswap holds pages: what a zswap_store() still
 *                       running across arming leaves behind, which cram's checks
 *                       cannot see (zswap_api.c), made without the race
 *   test_pool_limit_pages  the pool's limit is at most this many pages (0: off), so
 *                       the soak reaches writeback alike on a guest of 1 or 2 GiB
 *   test_region_any_window  accept a region outside every CXL window (an emulated
 *                       NVDIMM): the in-guest benchmark's RAM-backed stand-in for the
 *                       device, since QEMU emulates CXL memory access by access
 * debugfs files:
 *   fail_loads          the next N CXL loads fail as if the memory were poisoned
 *   wb_delay_ms         hold each writeback batch this long after its entries are
 *                       claimed and their old copies made, before the bios are sent:
 *                       loads, frees and stores of those slots race writes in flight
 *   cxl_load_delay_us   a CXL-tier load waits this long (0..2000) after finding its
 *                       entry, before copying: the window in which the writeback
 *                       worker may erase and free the page it is about to read
 *   wb_no_wait          a store going to disk does not wait for cram's write in
 *                       flight to the same slot (cram_wb_wait): shows the lost update
 *                       that wait prevents
 *   fail_subpage        every tier refuses the page at this index (1..511) of each
 *                       large folio, after taking the pages before it: the all-or-
 *                       nothing store must take those back out (0: off)
 *   bind_delay_ms       a probe of the register block's PCI function waits this long
 *                       (0..2000) after finding no device bound, before mapping: two
 *                       functions bound at once both get there, unless the probes
 *                       are serialised (cram_dev_bind_lock)
 *   cxl_zero_now        a freed region page is zeroed at once, in the freer's task,
 *                       and goes to its CPU's cache, on top: the CPU's next store
 *                       takes that page back. The zeroing worker would do the same a
 *                       tick later on whichever CPU it runs: with this, a test that
 *                       frees and stores again on one CPU reuses the page every time
 *   arm_during_drain    enabled=Y is taken while a drain runs: the lost page the
 *                       refusal prevents (a slot stored again on its old region page
 *                       while the drain's write of the old copy is in flight)
 *   devN_distance       (N: a device's index in region=) the distance placement uses
 *                       from any page to device N instead of node_distance() (0: the
 *                       real one; 1..255): the emulated machine cannot give its CXL
 *                       windows distinct distances (the kernel reads the SLIT before
 *                       it makes their nodes, so each is REMOTE_DISTANCE from every
 *                       CPU node), so the tests set them here
 *   contend_alloc_ms    writing N (1..1000) holds the CXL allocator's lock for N ms,
 *                       spinning, in the writer's task: stores on other CPUs wait
 *                       for it inside their per-CPU cache section (on PREEMPT_RT
 *                       that section must be preemptible: cxl_tier.c)
 *
 * Context: the registration hooks run at init (may sleep); tail_sleep runs in the
 * store path (process context, may sleep); tail_spin and fail_load in any context.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "cram.h"
#include "compat.h"

static bool cram_test_hook_hold;
module_param_named(test_hook_hold, cram_test_hook_hold, bool, 0444);
MODULE_PARM_DESC(test_hook_hold,
		 "test hook: the loader stops before arming and after each hook registration until test_hook_go lets it on");

static unsigned int cram_test_hook_step;
module_param_named(test_hook_step, cram_test_hook_step, uint, 0444);
MODULE_PARM_DESC(test_hook_step, "test hook: the loader's step it waits at (0: none)");

static unsigned int cram_test_hook_go;
module_param_named(test_hook_go, cram_test_hook_go, uint, 0644);
MODULE_PARM_DESC(test_hook_go, "test hook: with test_hook_hold, the last step the loader may pass");

static char *cram_test_fail_hook = "";
module_param_named(test_fail_hook, cram_test_fail_hook, charp, 0444);
MODULE_PARM_DESC(test_fail_hook,
		 "test hook: registering this hooked function fails with EBUSY (a name, or \"last\")");

static bool cram_test_load_last;
module_param_named(test_load_last, cram_test_load_last, bool, 0444);
MODULE_PARM_DESC(test_load_last, "test hook: register the load hook after the store hook (unsafe order)");

static bool cram_test_fail_prepare_param;
module_param_named(test_fail_prepare, cram_test_fail_prepare_param, bool, 0444);
MODULE_PARM_DESC(test_fail_prepare, "test hook: writing zswap's enabled parameter fails");

static struct cram_bounded_uint cram_test_tail_delay = { 0, 0, 1000 };
module_param_cb(test_tail_delay_ms, &cram_bounded_uint_ops, &cram_test_tail_delay, 0644);
MODULE_PARM_DESC(test_tail_delay_ms,
		 "test hook: each store sleeps this long inside cram, then spins as long after leaving it (ms)");

static struct cram_bounded_uint cram_test_hibernation_with_cxl = { 0, 0, 8 };
module_param_cb(test_hibernation_with_cxl, &cram_bounded_uint_ops,
		&cram_test_hibernation_with_cxl, 0444);
MODULE_PARM_DESC(test_hibernation_with_cxl,
		 "test hook: let the kernel hibernate although this many cxl_mem devices are bound");

static struct cram_bounded_uint cram_test_pool_pages = { 0, 0, 1 << 24 };
module_param_cb(test_pool_limit_pages, &cram_bounded_uint_ops, &cram_test_pool_pages, 0444);
MODULE_PARM_DESC(test_pool_limit_pages,
		 "test hook: the pool's limit is at most this many pages, whatever max_pool_percent gives (0: off)");

u64 cram_test_pool_limit(u64 limit)
{
	return cram_test_pool_pages.val ? min_t(u64, limit, cram_test_pool_pages.val) : limit;
}

static bool cram_test_over_zswap;
module_param_named(test_arm_over_zswap, cram_test_over_zswap, bool, 0444);
MODULE_PARM_DESC(test_arm_over_zswap,
		 "test hook: load although zswap holds pages (the arming window's leftovers)");

bool cram_test_arm_over_zswap(void)
{
	return cram_test_over_zswap;
}

static bool cram_test_any_window;
module_param_named(test_region_any_window, cram_test_any_window, bool, 0444);
MODULE_PARM_DESC(test_region_any_window,
		 "test hook: accept a region outside every CXL window (the benchmark's RAM-backed NVDIMM)");

bool cram_test_region_any_window(void)
{
	return cram_test_any_window;
}

static atomic_t cram_test_fail_loads = ATOMIC_INIT(0);
static u32 cram_test_wb_delay_ms;
static bool cram_test_wb_skip_wait;
static u32 cram_test_cxl_load_delay_us;
static u32 cram_test_fail_subpage_index;
static u32 cram_test_bind_delay_ms;
static bool cram_test_cxl_zero_at_once;
static bool cram_test_arm_in_drain;
static unsigned int cram_test_nr_registered;

/* The files of this one; cxl_tier.c makes contend_alloc_ms and devN_distance. */
void cram_test_debugfs_init(struct dentry *root)
{
	debugfs_create_atomic_t("fail_loads", 0600, root, &cram_test_fail_loads);
	debugfs_create_u32("wb_delay_ms", 0600, root, &cram_test_wb_delay_ms);
	debugfs_create_bool("wb_no_wait", 0600, root, &cram_test_wb_skip_wait);
	debugfs_create_u32("cxl_load_delay_us", 0600, root, &cram_test_cxl_load_delay_us);
	debugfs_create_u32("fail_subpage", 0600, root, &cram_test_fail_subpage_index);
	debugfs_create_u32("bind_delay_ms", 0600, root, &cram_test_bind_delay_ms);
	debugfs_create_bool("cxl_zero_now", 0600, root, &cram_test_cxl_zero_at_once);
	debugfs_create_bool("arm_during_drain", 0600, root, &cram_test_arm_in_drain);
}

void cram_test_pm_init(void)
{
	unsigned int i;

	for (i = 0; i < cram_test_hibernation_with_cxl.val; i++)
		cxl_mem_active_dec();
}

void cram_test_pm_exit(void)
{
	unsigned int i;

	for (i = 0; i < cram_test_hibernation_with_cxl.val; i++)
		cxl_mem_active_inc();
}

int cram_test_hook_register_fault(const char *name)
{
	bool last = cram_test_nr_registered + 1 == cram_nr_hook_defs;

	if (strcmp(cram_test_fail_hook, name) &&
	    (strcmp(cram_test_fail_hook, "last") || !last))
		return 0;
	pr_info("test hook: registration of %s fails\n", name);
	return -EBUSY;
}

/* Polled, not woken: a parameter write has no hook, and 20 ms is nothing to a test. */
void cram_test_hold_step(void)
{
	unsigned long end = jiffies + 60 * HZ;
	unsigned int step;

	if (!cram_test_hook_hold)
		return;
	step = cram_test_nr_registered + 1;
	WRITE_ONCE(cram_test_hook_step, step);
	while (READ_ONCE(cram_test_hook_go) < step && time_before(jiffies, end))
		msleep(20);
	if (READ_ONCE(cram_test_hook_go) < step)
		pr_warn("test hook: loader step %u not let on within 60 s: going on\n", step);
	WRITE_ONCE(cram_test_hook_step, 0);
}

void cram_test_hook_registered(void)
{
	cram_test_nr_registered++;
	cram_test_hold_step();
}

bool cram_test_hook_deferred(const char *name)
{
	return cram_test_load_last && strstr(name, "_load");
}

int cram_test_prepare_fault(void)
{
	return cram_test_fail_prepare_param ? -EACCES : 0;
}

void cram_test_tail_sleep(void)
{
	unsigned int ms = READ_ONCE(cram_test_tail_delay.val);

	if (ms)
		msleep(ms);
}

/*
 * Busy, yielding the CPU each millisecond as a preemptible kernel would preempt it
 * (so SRCU's and the rest of the kernel's work goes on): neither is a voluntary
 * context switch, so a task here is not in a quiescent state for RCU Tasks.
 */
void cram_test_tail_spin(void)
{
	unsigned int ms = READ_ONCE(cram_test_tail_delay.val), i;

	for (i = 0; i < ms; i++) {
		mdelay(1);
		cond_resched();
	}
}

bool cram_test_fail_load(void)
{
	return atomic_add_unless(&cram_test_fail_loads, -1, 0);
}

void cram_test_wb_delay(void)
{
	u32 ms = READ_ONCE(cram_test_wb_delay_ms);

	if (ms)
		msleep(ms);
}

bool cram_test_wb_no_wait(void)
{
	return READ_ONCE(cram_test_wb_skip_wait);
}

void cram_test_bind_delay(void)
{
	u32 ms = min(READ_ONCE(cram_test_bind_delay_ms), 2000U);

	if (ms)
		msleep(ms);
}

bool cram_test_cxl_zero_now(void)
{
	return READ_ONCE(cram_test_cxl_zero_at_once);
}

bool cram_test_arm_during_drain(void)
{
	return READ_ONCE(cram_test_arm_in_drain);
}

void cram_test_cxl_load_delay(void)
{
	u32 us = min(READ_ONCE(cram_test_cxl_load_delay_us), 2000U);

	if (us)
		udelay(us);
}

bool cram_test_fail_subpage(unsigned int index)
{
	return index && index == READ_ONCE(cram_test_fail_subpage_index);
}
