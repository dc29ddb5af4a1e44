// SPDX-License-Identifier: GPL-2.0
/*
 * cram_example_provider.c - a telemetry provider outside cram.ko, as a vendor driver
 * would be one (include/cram/provider.h). Built only for the tests (make
 * CRAM_TEST_HOOKS=y); it is the proof that the exported API suffices, and the shape
 * to copy.
 *
 * Its "device" is the emulated machine's compressing device: it maps the PCI
 * function's BAR2 (pci=) and reads the CRAMDEV1 registers there as a vendor driver
 * reads its own, without HOST_WRITE_SEQ (a real device knows nothing of cram's
 * writes): it takes a mark, waits until the device has begun a scan after it (the
 * heartbeat moved twice), and publishes that scan's result with the mark. A block
 * whose magic is gone is reported as a device fault; a device that stops scanning is
 * not reported at all (cram's heartbeat rule notices). With event_pct, an hrtimer in
 * hard IRQ context (as a threshold interrupt would run) watches PHYS_USED and signals
 * an event when it crosses event_pct of PHYS_CAP (with signal=N it only records when,
 * in crossed_ns and crossed_used, for tests/vm/gate-latency.sh).
 *
 *   modprobe cram regs=provider ...; insmod cram_example_provider.ko pci=0000:00:03.0
 *
 * Context: init and exit may sleep; the snapshot work runs in process context; the
 * hrtimer in hard IRQ (or, with event_pct=0, never). Nothing is shared between them
 * but the mapping, read only.
 */
#define pr_fmt(fmt) "cram_example_provider: " fmt

#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/workqueue.h>

#include "cram/provider.h"

static char *pci;
module_param(pci, charp, 0444);
MODULE_PARM_DESC(pci, "the device's PCI function, e.g. 0000:00:03.0 (required)");
static char *region = "";
module_param(region, charp, 0444);
MODULE_PARM_DESC(region, "cram's region= entry this device backs (default: by the device's serial)");
static unsigned int period_ms = 50;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "a snapshot at least this often (default 50)");
static unsigned int event_pct;
module_param(event_pct, uint, 0444);
MODULE_PARM_DESC(event_pct, "watch for PHYS_USED crossing this % of PHYS_CAP (0: do not watch)");
static bool signal = true;
module_param(signal, bool, 0444);
MODULE_PARM_DESC(signal, "signal an event on a crossing (default Y; N: only record it, for tests/vm/gate-latency.sh)");
/* the last crossing seen: when (CLOCK_MONOTONIC ns) and PHYS_USED then */
static unsigned long long crossed_ns, crossed_used;
module_param(crossed_ns, ullong, 0444);
MODULE_PARM_DESC(crossed_ns, "when the watch last saw a crossing (ns, CLOCK_MONOTONIC)");
module_param(crossed_used, ullong, 0444);
MODULE_PARM_DESC(crossed_used, "PHYS_USED at that crossing (bytes)");

#define EXAMPLE_BAR		2
#define EXAMPLE_EVENT_NS	(1000 * 1000)	/* the "interrupt" fires within 1 ms */

static struct pci_dev *example_pdev;
static void __iomem *example_regs;
static struct cram_provider *example_provider;
static struct delayed_work example_work;
static struct hrtimer example_timer;
static bool example_over;	/* hrtimer only */

static u64 example_reg(u32 off)
{
	return readq(example_regs + off);
}

/* One stable read of the fields a vendor would have (SEQ even and unchanged) */
static int example_measure(struct cram_telemetry *t)
{
	unsigned int tries;
	u64 seq, v;

	for (tries = 0; tries < 64; tries++) {
		seq = example_reg(CRAM_REG_SEQ);
		if (seq & 1)
			continue;
		t->phys_cap = example_reg(CRAM_REG_PHYS_CAP);
		t->phys_used = example_reg(CRAM_REG_PHYS_USED);
		t->logical_cap = example_reg(CRAM_REG_LOGICAL_CAP);
		t->logical_used = example_reg(CRAM_REG_LOGICAL_USED);
		t->crit = example_reg(CRAM_REG_CRIT_WM);
		v = example_reg(CRAM_REG_STATUS_SCAN_MS);
		t->status = (u32)v;
		if (example_reg(CRAM_REG_SEQ) == seq)
			return 0;
	}
	return -EAGAIN;
}

/* Wait until a scan has begun after now (the heartbeat moves at each scan's end). */
static bool example_wait_fresh_scan(void)
{
	u64 hb = example_reg(CRAM_REG_HEARTBEAT);
	unsigned int waited;

	for (waited = 0; waited < 2000; waited += 5) {
		if (example_reg(CRAM_REG_HEARTBEAT) - hb >= 2)
			return true;
		usleep_range(5000, 6000);
	}
	return false;
}

static void example_snapshot(struct work_struct *work)
{
	/* the next snapshot comes after the period and two of the device's scans */
	u32 scan_ms = example_reg(CRAM_REG_STATUS_SCAN_MS) >> 32;
	struct cram_telemetry t = { .period_ms = period_ms + 2 * min(scan_ms, 1000U) };

	t.mark = cram_provider_begin(example_provider);
	if (example_reg(CRAM_REG_MAGIC) != CRAM_REGS_MAGIC) {
		t.status = CRAM_STATUS_FAULT;	/* the device is not itself */
		t.phys_cap = 1;
		cram_provider_publish(example_provider, &t);
	} else if (example_wait_fresh_scan() && !example_measure(&t)) {
		cram_provider_publish(example_provider, &t);
	}	/* else: not scanning, nothing to say; cram's heartbeat rule acts */
	schedule_delayed_work(&example_work, msecs_to_jiffies(period_ms));
}

static enum hrtimer_restart example_threshold(struct hrtimer *timer)
{
	u64 cap = example_reg(CRAM_REG_PHYS_CAP), used = example_reg(CRAM_REG_PHYS_USED);
	bool over = cap && used / event_pct >= cap / 100;

	if (over && !example_over) {
		if (signal)
			cram_provider_event(example_provider);
		WRITE_ONCE(crossed_used, used);
		WRITE_ONCE(crossed_ns, ktime_get_ns());
	}
	example_over = over;
	hrtimer_forward_now(timer, ns_to_ktime(EXAMPLE_EVENT_NS));
	return HRTIMER_RESTART;
}

static int example_map(void)
{
	unsigned int dom, bus, dev, fn;
	int err;

	if (!pci || sscanf(pci, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4) {
		pr_err("pci=%s: expected a PCI function like 0000:00:03.0\n", pci ?: "");
		return -EINVAL;
	}
	example_pdev = pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(dev, fn));
	if (!example_pdev)
		return -ENODEV;
	err = pci_enable_device_mem(example_pdev);
	if (err)
		goto put;
	err = pci_request_region(example_pdev, EXAMPLE_BAR, "cram_example_provider");
	if (err)
		goto disable;
	example_regs = pci_iomap(example_pdev, EXAMPLE_BAR, PAGE_SIZE);
	if (example_regs)
		return 0;
	err = -ENOMEM;
	pci_release_region(example_pdev, EXAMPLE_BAR);
disable:
	pci_disable_device(example_pdev);
put:
	pci_dev_put(example_pdev);
	return err;
}

static void example_unmap(void)
{
	pci_iounmap(example_pdev, example_regs);
	pci_release_region(example_pdev, EXAMPLE_BAR);
	pci_disable_device(example_pdev);
	pci_dev_put(example_pdev);
}

static int __init example_init(void)
{
	int err;

	if (!period_ms || period_ms > 60000 || event_pct > 100) {
		pr_err("period_ms must be 1..60000 and event_pct 0..100\n");
		return -EINVAL;
	}
	err = example_map();
	if (err)
		return err;
	if (example_reg(CRAM_REG_MAGIC) != CRAM_REGS_MAGIC) {	/* not our device */
		pr_err("pci=%s: BAR%d is not the device's register block\n", pci, EXAMPLE_BAR);
		example_unmap();
		return -ENODEV;
	}
	example_provider = cram_provider_register(region,
						  example_reg(CRAM_REG_SERIAL), "example");
	if (IS_ERR(example_provider)) {
		err = PTR_ERR(example_provider);
		pr_err("cram refused the provider: %d (is regs=provider set for the region?)\n", err);
		example_unmap();
		return err;
	}
	INIT_DELAYED_WORK(&example_work, example_snapshot);
	schedule_delayed_work(&example_work, 0);
	if (event_pct) {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
		hrtimer_setup(&example_timer, example_threshold, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_HARD);
#else
		hrtimer_init(&example_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
		example_timer.function = example_threshold;
#endif
		hrtimer_start(&example_timer, ns_to_ktime(EXAMPLE_EVENT_NS), HRTIMER_MODE_REL_HARD);
	}
	return 0;
}

static void __exit example_exit(void)
{
	if (event_pct)
		hrtimer_cancel(&example_timer);
	cancel_delayed_work_sync(&example_work);
	cram_provider_unregister(example_provider);
	example_unmap();
}

module_init(example_init);
module_exit(example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cram: an example telemetry provider (tests only)");
