// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - each compressing device's telemetry, and the admission of every page the
 * CXL tier places on it. One struct cram_dev per region (cram_dev_create, from
 * cxl_tier.c), each with its own register block, ledger, gate and safe mode: one
 * device's state never stops another's placements.
 *
 * The register block (include/cram/devregs.h) is BAR2 of a PCI function: in the
 * emulated machine an ivshmem-plain device (1af4:1110) fed by tests/devmodel/. cram
 * binds it as a PCI driver (no MODULE_DEVICE_TABLE: nothing autoloads cram for a
 * generic ivshmem device), only when BAR2 starts with the magic "CRAMDEV1", only a
 * block that describes the memory cram's region is on (cram_regs_identity(): its
 * SERIAL is the region's CXL memory device's; see devregs.h for blocks that cannot
 * say), and one per region; regs= can name the function, or say none, per region. A
 * probed block goes to the first region without one whose identity it matches. A
 * bound block whose identity stops matching puts its device in safe mode.
 *
 * A poller reads the block every SCAN_MS/2 (10 ms..1 s) with the seqcount rule,
 * judges it (cram_regs_insane(), heartbeat) and publishes a snapshot under a seqlock;
 * the store path reads that snapshot and never the device. A snapshot of any age
 * gives a projection that is never optimistic (devregs.h), so only the device's
 * liveness depends on the poller: a snapshot older than twice the heartbeat limit
 * refuses placements too.
 *
 * Safe mode (no new placements; loads and frees go on): bad magic or version, an
 * absurd field, FAULT/OVERFLOW/not READY status, a block that never reads stable,
 * or a heartbeat unchanged for max(5 x SCAN_MS, 1 s). It ends as soon as a poll finds
 * the block sane with a moving heartbeat. Entering and leaving are logged.
 *
 * Writes: every write of a region page (a copy in, or the zeroing of a freed page) is
 * reserved before it starts (cram_dev_write_begin, or the reservation admission
 * makes) and counted as written after it is complete and fenced (cram_dev_write_done),
 * in per-CPU counts (include/cram/ledger.h). The poller alone writes HOST_WRITE_SEQ,
 * their sum, so the register has one writer and a store writes no register. Without
 * a device the counters still run; nothing reads them.
 *
 * Providers (provider.c, include/cram/telemetry.h): with regs=provider the source of
 * the snapshot is what a provider last published (cram_dev_push) instead of the
 * register block, judged by the same poller and rules; the provider takes a mark
 * (cram_dev_mark) where a block reads HOST_WRITE_SEQ. An event (cram_dev_event)
 * closes the gate, and a store is refused while the view's snapshot does not cover
 * every event (cram_dev_event_pending).
 *
 * Context: cram_dev_admit(), cram_dev_write_*() never sleep (store path and, for
 * frees, atomic context under the PTE lock or si->lock) and never run in interrupt
 * context; they use this CPU's counts with preemption off. cram_dev_event() and
 * cram_dev_mark() run in any context, hard IRQ included (atomics and per-CPU reads
 * only); cram_dev_push() in any but hard IRQ. Probe, remove, attach, detach, the
 * poller and debugfs and sysfs reads run in process context. Locking: a device's
 * d->lock (seqlock) is taken only by its poller (writer) and by readers for a
 * snapshot copy; d->push_lock (raw, IRQs off: a provider may publish from a timer or
 * with IRQs off) only around a copy of the pushed snapshot; nothing nests inside
 * either. The poller takes the module's param lock (the watermarks) outside them.
 * A bound device is published (d->live) under cram_srcu: remove() and detach
 * unpublish it and wait for every store path and debugfs reader inside cram before
 * unmapping. cram_dev_bind_lock (mutex) serialises probe, remove, attach and detach:
 * the driver core holds only the device's own lock, so two functions (sysfs bind,
 * hotplug) may probe at once; it nests inside that device lock (and a provider
 * file's lock) and takes nothing of cram's but the above.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include "cram.h"
#include "cram/devregs.h"
#include "cram/ledger.h"
#include "cram/telemetry.h"

#define CRAM_DEV_VENDOR		0x1af4	/* ivshmem-plain, in the emulated machine */
#define CRAM_DEV_DEVICE		0x1110
#define CRAM_DEV_BAR		2

static char cram_regs_arg[CRAM_REGION_LIST_MAX] = "auto";
static struct cram_regs_list cram_regs_list = { .nr = 1, .name = { "auto" } };

static int cram_regs_arg_set(const char *val, const struct kernel_param *kp)
{
	struct cram_regs_list list;
	const char *why = "too long";

	if (strlen(val) >= sizeof(cram_regs_arg) || cram_regs_list_parse(val, &list, &why)) {
		pr_err("regs=%.*s rejected: %s\n", cram_arg_len(val), val, why);
		return -EINVAL;
	}
	strscpy(cram_regs_arg, val, sizeof(cram_regs_arg));
	strim(cram_regs_arg);
	cram_regs_list = list;
	return 0;
}

static int cram_regs_arg_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", cram_regs_arg[0] ? cram_regs_arg : "auto");
}

static const struct kernel_param_ops cram_regs_arg_ops = {
	.set = cram_regs_arg_set,	/* auto, none, provider or DDDD:BB:DD.F, or a list */
	.get = cram_regs_arg_get,
};

module_param_cb(regs, &cram_regs_arg_ops, NULL, 0444);
MODULE_PARM_DESC(regs,
		 "each device's telemetry: auto (default: a 1af4:1110 PCI function whose BAR2 holds a CRAMDEV1 block describing the region), none (no telemetry), provider (a telemetry provider: a vendor driver or cram-agent), or a PCI name 0000:00:03.0; one word for all regions, or one entry per region= entry (auto,0000:00:05.0)");

static unsigned int cram_high_wm_pct = 90;
static unsigned int cram_low_wm_pct = 80;
/* false while parameters are applied at load: the low/high pair is checked in init */
static bool cram_params_live;

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

static bool cram_trust_capacity;
module_param_named(trust_capacity, cram_trust_capacity, bool, 0644);
MODULE_PARM_DESC(trust_capacity,
		 "without a register block, the CXL memory does not compress (plain RAM): place pages without telemetry (default N: no telemetry, no CXL placements). Ignored while a device reports telemetry, and once one has been bound");

/*
 * At init, before anything else: the low/high pair, which each write keeps from now
 * on. Process context.
 */
int cram_dev_check_params(void)
{
	const char *why;
	int err = 0;

	kernel_param_lock(THIS_MODULE);
	if (cram_wm_pair_check(cram_low_wm_pct, cram_high_wm_pct, &why)) {
		pr_err("low_wm_pct=%u high_wm_pct=%u rejected: %s\n",
		       cram_low_wm_pct, cram_high_wm_pct, why);
		err = -EINVAL;
	}
	cram_params_live = !err;
	kernel_param_unlock(THIS_MODULE);
	return err;
}

/* The watermarks now, a consistent pair (the param lock). Process context. */
static void cram_dev_watermarks(unsigned int *high_pct, unsigned int *low_pct)
{
	kernel_param_lock(THIS_MODULE);
	*high_pct = cram_high_wm_pct;
	*low_pct = cram_low_wm_pct;
	kernel_param_unlock(THIS_MODULE);
}

/* debugfs config: the watermarks' lines */
void cram_dev_config_show(struct seq_file *m)
{
	unsigned int high, low;

	cram_dev_watermarks(&high, &low);
	seq_printf(m, "high_wm_pct: %u\nlow_wm_pct: %u\n", high, low);
}

/* What the store path acts on: the poller's verdict on the last read. */
struct cram_dev_view {
	struct cram_regs snap;		/* last sane snapshot */
	unsigned long snap_at;		/* jiffies when it was taken */
	u64 high, low;			/* watermarks in bytes, for snap */
	u64 events;			/* the provider's events snap covers */
	const char *safe_reason;	/* NULL: not in safe mode */
};

/*
 * What a store reads: the admission's inputs, derived from the view when the poller
 * publishes it, so a store copies these 56 bytes under the seqcount and not the
 * whole view (160 bytes, the registers debugfs shows).
 */
struct cram_dev_gauge {
	struct cram_ledger_gauge acct;	/* of snap, and the watermarks */
	unsigned long stale_at;		/* jiffies: snap too old to act on after this */
	u64 events;			/* the view's: a later event closes the gate */
	bool safe;			/* safe_reason set */
};

struct cram_dev {
	const struct cram_region *region;	/* the memory it gates (cxl_tier.c's) */
	char regs[CRAM_REGS_NAME_MAX];	/* regs= for it: auto, none or a PCI name */
	struct pci_dev *pdev;
	void __iomem *mapping;		/* the register block (BAR2) */
	bool for_provider;		/* regs=provider */
	bool provided;			/* a provider is attached (provider.c) */
	char source[48];		/* the bound source, for logs: a PCI name, provider NAME */
	struct cram_dev __rcu *live;	/* this struct once bound; NULL: no device */
	struct delayed_work poll;

	seqlock_t lock;			/* protects view and gauge */
	struct cram_dev_gauge gauge;
	struct cram_dev_view view;

	/* a provider's last snapshot, for the poller to judge (provider.c publishes) */
	raw_spinlock_t push_lock;	/* protects pushed, pushed_events, pushes */
	struct cram_regs pushed;
	u64 pushed_events;		/* its mark's events */
	u64 pushes;			/* snapshots published: the provider's heartbeat */
	atomic64_t events;		/* signalled by the provider, any context */

	/* poller-only */
	struct cram_regs last;		/* last read, sane or not */
	u64 last_heartbeat;
	unsigned long heartbeat_at;
	u64 safe_entries;

	bool ever_bound;		/* a block was bound during this load */
	struct cram_region_identity want;	/* the memory a block must describe */
	struct cram_ledger ledger;	/* page writes reserved (+ cpus) */
	struct cram_ledger_cpu __percpu *cpus;
	struct cram_gate gate;
};

/* Every device, in region= order: probe looks for the one a block describes */
static struct cram_dev *cram_devs[CRAM_MAX_REGIONS];
static unsigned int cram_nr_devs;

static struct workqueue_struct *cram_dev_wq;

/*** writes ***/

void cram_dev_write_begin(struct cram_dev *d)
{
	cram_ledger_reserve(&d->ledger, get_cpu_ptr(d->cpus));
	put_cpu_ptr(d->cpus);
}

void cram_dev_write_cancel(struct cram_dev *d)
{
	cram_ledger_cancel(&d->ledger, get_cpu_ptr(d->cpus));
	put_cpu_ptr(d->cpus);
}

/* cpu is offline (its hotplug dead callback, cxl_tier.c): its credit comes back. */
void cram_dev_cpu_dead(struct cram_dev *d, unsigned int cpu)
{
	cram_ledger_cpu_gone(&d->ledger, per_cpu_ptr(d->cpus, cpu));
}

/* n writes' stores are complete and fenced (wmb) before this is called. */
void cram_dev_write_done(struct cram_dev *d, unsigned int n)
{
	cram_ledger_done(get_cpu_ptr(d->cpus), n);
	put_cpu_ptr(d->cpus);
}

/* The CPUs' counts summed: written never counts a write before it is complete. */
static struct cram_ledger_sum cram_dev_ledger_sum(struct cram_dev *d)
{
	struct cram_ledger_sum sum = {};
	int cpu;

	for_each_possible_cpu(cpu)
		cram_ledger_sum_cpu(&sum, per_cpu_ptr(d->cpus, cpu));
	return sum;
}

static u64 cram_dev_written(struct cram_dev *d)
{
	return cram_dev_ledger_sum(d).written;
}

/*
 * Tell the device how many writes are complete; returns the count written. Only the
 * poller, probe and remove call it (never two at once: probe and remove are
 * serialised by the driver core and stop the poller first), so the register never
 * goes back.
 */
static u64 cram_dev_publish_written(struct cram_dev *d)
{
	u64 written = cram_dev_written(d);

	smp_mb();	/* the writes the counts were read from, before the register */
	writeq(written, d->mapping + CRAM_REG_HOST_WRITE_SEQ);
	return written;
}

/*** admission ***/

static unsigned long cram_dev_stale_jiffies(u32 scan_ms)
{
	return msecs_to_jiffies(max(5U * scan_ms, 1000U));
}

static void cram_dev_view_read(struct cram_dev *d, struct cram_dev_view *v)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&d->lock);
		*v = d->view;
	} while (read_seqretry(&d->lock, seq));
}

static unsigned long cram_dev_view_stale_at(const struct cram_dev_view *v)
{
	return v->snap_at + 2 * cram_dev_stale_jiffies(v->snap.scan_ms);
}

/* Safe mode, or a snapshot too old to act on (the poller may be stuck). */
static bool cram_dev_view_unsafe(const struct cram_dev_view *v)
{
	return v->safe_reason || time_after(jiffies, cram_dev_view_stale_at(v));
}

/* Under the write side of d->lock: the store's part of the view just written */
static void cram_dev_gauge_set(struct cram_dev *d)
{
	const struct cram_dev_view *v = &d->view;

	d->gauge = (struct cram_dev_gauge){
		.acct = {
			.phys_used = v->snap.phys_used,
			.scanned_write_seq = v->snap.scanned_write_seq,
			.high = v->high,
			.low = v->low,
		},
		.stale_at = cram_dev_view_stale_at(v),
		.events = v->events,
		.safe = v->safe_reason,
	};
}

static void cram_dev_gauge_read(struct cram_dev *d, struct cram_dev_gauge *g)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&d->lock);
		*g = d->gauge;
	} while (read_seqretry(&d->lock, seq));
}

/*
 * An event the view's snapshot does not cover: the provider saw a threshold crossed
 * after the measurement began. Its gate is closed (cram_dev_event); it stays shut
 * until a snapshot taken after the event is judged.
 */
static bool cram_dev_event_pending(struct cram_dev *d, const struct cram_dev_gauge *g)
{
	return (u64)atomic64_read(&d->events) != g->events;
}

/* trust plain memory only: a compressing device that went away is not that */
static bool cram_dev_trusted(struct cram_dev *d)
{
	/* regs=provider says the memory compresses: a provider is awaited, never trusted */
	return READ_ONCE(cram_trust_capacity) && !READ_ONCE(d->ever_bound) &&
	       !d->for_provider;
}

/*
 * May the CXL tier place one more page? CRAM_STAT_STORES: yes, and the write is
 * reserved (the caller ends it with cram_dev_write_done or _cancel); else the reason.
 */
enum cram_stat cram_dev_admit(struct cram_dev *d)
{
	struct cram_dev_gauge g;
	bool admit;

	if (!srcu_dereference(d->live, &cram_srcu)) {
		if (!cram_dev_trusted(d))
			return CRAM_STAT_DECLINE_UNTRUSTED;
		cram_dev_write_begin(d);
		return CRAM_STAT_STORES;
	}
	cram_dev_gauge_read(d, &g);
	if (g.safe || time_after(jiffies, g.stale_at))	/* cram_dev_view_unsafe() */
		return CRAM_STAT_DECLINE_SAFE_MODE;
	if (unlikely(cram_dev_event_pending(d, &g)))
		return CRAM_STAT_DECLINE_WATERMARK;
	admit = cram_ledger_admit(&d->ledger, get_cpu_ptr(d->cpus), &d->gate, &g.acct);
	put_cpu_ptr(d->cpus);
	return admit ? CRAM_STAT_STORES : CRAM_STAT_DECLINE_WATERMARK;
}

/*
 * Pages the device may still take as its last snapshot projects them, for the choice
 * between devices (src/core/place.c): 0 when it would not admit now (no telemetry
 * and not trusted, safe mode, stale, gate closed, at its high watermark); U64_MAX
 * for trusted plain memory. A hint read without reserving: cram_dev_admit decides.
 * Never sleeps.
 */
u64 cram_dev_room(struct cram_dev *d)
{
	struct cram_dev_gauge g;
	u64 used;

	if (!srcu_dereference(d->live, &cram_srcu))
		return cram_dev_trusted(d) ? U64_MAX : 0;
	cram_dev_gauge_read(d, &g);
	if (g.safe || time_after(jiffies, g.stale_at) || READ_ONCE(d->gate.closed) ||
	    cram_dev_event_pending(d, &g))
		return 0;
	used = cram_project_bytes(g.acct.phys_used, g.acct.scanned_write_seq,
				  cram_ledger_reserved(&d->ledger));
	return used < g.acct.high ? (g.acct.high - used) >> PAGE_SHIFT : 0;
}

/*** the poller ***/

static u64 cram_dev_read(void *ctx, u32 off)
{
	return readq((void __iomem __force *)ctx + off);
}

/*
 * Why the device cannot be trusted now, or NULL. written: the HOST_WRITE_SEQ last
 * published (a provider's: the count read after its snapshot), the most the device
 * can have scanned. Updates the heartbeat record.
 */
static const char *cram_dev_judge(struct cram_dev *d, const struct cram_regs *r, int err,
				  u64 written)
{
	const struct cram_region *region = d->region;
	const char *why;

	if (err == -ENODATA)
		return "no snapshot from the provider yet";
	if (err)
		return "register block never reads stable (SEQ odd or changing)";
	/* a provider was matched to the region when it registered */
	why = (d->provided ? NULL : cram_regs_identity(r, &d->want)) ?:
	      cram_regs_insane(r, region->base ? region->size : 0, written);
	if (why)
		return why;
	if (r->heartbeat != d->last_heartbeat) {
		d->last_heartbeat = r->heartbeat;
		d->heartbeat_at = jiffies;
		return NULL;
	}
	if (time_after(jiffies, d->heartbeat_at + cram_dev_stale_jiffies(r->scan_ms)))
		return "heartbeat stopped (device not scanning)";
	return NULL;
}

static void cram_dev_log_transition(struct cram_dev *d, const char *old, const char *now)
{
	const char *name = d->source;

	if (now && old != now) {
		if (!old)
			d->safe_entries++;
		pr_warn("device %s: safe mode: %s; no new CXL placements, pages held are still served\n",
			name, now);
	} else if (!now && old) {
		pr_info("device %s: telemetry sane again (was: %s); CXL placements resume\n",
			name, old);
	}
}

/*
 * The source's snapshot now: the register block's, or the provider's last (-ENODATA:
 * none yet); *events, the provider's events it covers.
 */
static int cram_dev_read_source(struct cram_dev *d, struct cram_regs *r, u64 *events)
{
	unsigned long flags;
	int err = 0;

	if (d->mapping) {
		*events = 0;	/* a register block signals none */
		return cram_regs_read(r, cram_dev_read, (void __force *)d->mapping);
	}
	raw_spin_lock_irqsave(&d->push_lock, flags);
	if (d->pushes) {
		*r = d->pushed;
		*events = d->pushed_events;
	} else {
		memset(r, 0, sizeof(*r));
		*events = 0;
		err = -ENODATA;
	}
	raw_spin_unlock_irqrestore(&d->push_lock, flags);
	return err;
}

static void cram_dev_poll_once(struct cram_dev *d)
{
	unsigned int high_pct, low_pct;
	const char *why, *old;
	struct cram_regs r;
	u64 high, low, written, events;
	int err;

	/*
	 * A register block is told the count before it is read; a provider's mark was
	 * taken before it published, so the count is read after its snapshot (else a
	 * mark taken in between would look ahead of it: SCANNED_WRITE_SEQ insane).
	 */
	if (d->mapping) {
		written = cram_dev_publish_written(d);
		err = cram_dev_read_source(d, &r, &events);
	} else {
		err = cram_dev_read_source(d, &r, &events);
		written = cram_dev_written(d);
	}
	why = cram_dev_judge(d, &r, err, written);
	d->last = r;
	cram_dev_watermarks(&high_pct, &low_pct);
	cram_wm_bytes(&r, high_pct, low_pct, &high, &low);

	/*
	 * A snapshot that covers new events starts with the gate closed, before stores
	 * can see it: a store racing an event may have reopened it, and the gate's
	 * hysteresis (reopen under low) must apply from the covering snapshot on.
	 */
	if (!why && events != d->view.events)
		cram_xchg_u8(&d->gate.closed, 1);
	write_seqlock(&d->lock);
	if (!why) {
		d->view.snap = r;
		d->view.snap_at = jiffies;
		d->view.high = high;
		d->view.low = low;
		d->view.events = events;
	}
	old = d->view.safe_reason;
	d->view.safe_reason = why;
	cram_dev_gauge_set(d);
	write_sequnlock(&d->lock);
	cram_dev_log_transition(d, old, why);
	/* reopen without waiting for a store (debugfs shows the truth), unless an event is newer */
	if (!why && events == (u64)atomic64_read(&d->events))
		cram_gate_settle(&d->gate, cram_project_used(&r, cram_ledger_reserved(&d->ledger)),
				 low);
}

static unsigned long cram_dev_poll_interval(const struct cram_dev *d)
{
	/* a provider that has not published: its publish kicks the poller */
	u32 ms = d->provided && !d->last.scan_ms ? 1000 : d->last.scan_ms / 2;

	return msecs_to_jiffies(clamp(ms, 10U, 1000U));
}

static void cram_dev_poll(struct work_struct *work)
{
	struct cram_dev *d = container_of(to_delayed_work(work), struct cram_dev, poll);

	cram_dev_poll_once(d);
	queue_delayed_work(cram_dev_wq, &d->poll, cram_dev_poll_interval(d));
}

/*
 * Under cram_dev_bind_lock, a source (block or provider) just taken: the first poll
 * judges it before the device is published to the store path, then the poller runs.
 */
static void cram_dev_go_live(struct cram_dev *d)
{
	WRITE_ONCE(d->ever_bound, true);
	d->heartbeat_at = jiffies;
	d->last_heartbeat = 0;
	cram_dev_poll_once(d);	/* the state is known before the first placement */
	rcu_assign_pointer(d->live, d);
	queue_delayed_work(cram_dev_wq, &d->poll, cram_dev_poll_interval(d));
}

/* Under cram_dev_bind_lock: the poller stopped and no reader left inside the device. */
static void cram_dev_go_dark(struct cram_dev *d)
{
	cancel_delayed_work_sync(&d->poll);
	RCU_INIT_POINTER(d->live, NULL);
	synchronize_srcu(&cram_srcu);	/* no store path or debugfs reader still reads it */
}

/*** the PCI driver ***/

static bool cram_dev_wants_block(const struct cram_dev *d)
{
	return strcmp(d->regs, "none") && !d->for_provider;
}

static bool cram_dev_wants_provider(const struct cram_dev *d)
{
	return d->for_provider;
}

/* May this function be d's block, as regs= says? */
static bool cram_dev_wanted(const struct cram_dev *d, struct pci_dev *pdev)
{
	if (!strcmp(d->regs, "auto"))
		return true;
	return !strcasecmp(d->regs, pci_name(pdev));
}

static int cram_dev_map(struct cram_dev *d, struct pci_dev *pdev)
{
	void __iomem *regs;
	u64 magic;
	int err;

	if (pci_resource_len(pdev, CRAM_DEV_BAR) < CRAM_REGS_SIZE)
		return -ENODEV;
	err = pci_enable_device_mem(pdev);
	if (err)
		return err;
	err = pci_request_region(pdev, CRAM_DEV_BAR, "cram");
	if (err)
		goto fail_disable;
	regs = pci_iomap(pdev, CRAM_DEV_BAR, PAGE_SIZE);
	if (!regs) {
		err = -ENOMEM;
		goto fail_release;
	}
	magic = readq(regs + CRAM_REG_MAGIC);
	if (magic != CRAM_REGS_MAGIC) {
		pr_info("PCI %s: BAR%d holds no cram register block (magic %#llx): not taken\n",
			pci_name(pdev), CRAM_DEV_BAR, magic);
		err = -ENODEV;
		goto fail_unmap;
	}
	d->mapping = regs;
	return 0;

fail_unmap:
	pci_iounmap(pdev, regs);
fail_release:
	pci_release_region(pdev, CRAM_DEV_BAR);
fail_disable:
	pci_disable_device(pdev);
	return err;
}

/*
 * Make cram's count of completed writes and the device's HOST_WRITE_SEQ one count
 * (cram_write_seq_bind): continue a value an earlier load of cram left (both of
 * cram's counters move by the same amount, so nothing is charged twice); on a rebind
 * they are already equal; a value behind cram's or absurdly ahead is overwritten.
 * A write that completes meanwhile is counted in written, and the first poll, before
 * the device is live, publishes the whole count.
 */
static void cram_dev_bind_write_seq(struct cram_dev *d, struct pci_dev *pdev)
{
	u64 seq = readq(d->mapping + CRAM_REG_HOST_WRITE_SEQ);
	u64 written = cram_dev_written(d);
	bool rewrite;
	u64 ahead = cram_write_seq_bind(seq, written, &rewrite);

	cram_ledger_advance(&d->ledger, get_cpu_ptr(d->cpus), ahead);
	put_cpu_ptr(d->cpus);
	if (!rewrite)
		return;
	pr_warn("device %s: HOST_WRITE_SEQ %llu does not continue cram's count %llu: rewritten; placements wait for the device's next scan\n",
		pci_name(pdev), seq, written);
	cram_dev_publish_written(d);
}

/*
 * Refuse a block that says it describes other memory. One that does not read stable
 * yet is bound: every poll judges its identity again (safe mode until it passes).
 */
static int cram_dev_check_identity(struct cram_dev *d, struct pci_dev *pdev)
{
	struct cram_regs r;
	const char *why;

	if (cram_regs_read(&r, cram_dev_read, (void __force *)d->mapping))
		return 0;
	why = cram_regs_identity(&r, &d->want);
	if (!why)
		return 0;
	/* another device's block is expected on a machine with several; a named one is not */
	if (d->want.named)
		pr_err("PCI %s: register block v%u (serial %#llx) not taken for region=%s: %s\n",
		       pci_name(pdev), r.version, r.serial, d->region->name, why);
	else
		pr_info("PCI %s: register block v%u (serial %#llx) not taken for region=%s: %s\n",
			pci_name(pdev), r.version, r.serial, d->region->name, why);
	return -ENODEV;
}

static void cram_dev_unmap(struct cram_dev *d, struct pci_dev *pdev)
{
	pci_iounmap(pdev, d->mapping);
	pci_release_region(pdev, CRAM_DEV_BAR);
	pci_disable_device(pdev);
	d->mapping = NULL;
}

static DEFINE_MUTEX(cram_dev_bind_lock);

/* Under cram_dev_bind_lock, for a device without a block: pdev, if it passes every check. */
static int cram_dev_bind(struct cram_dev *d, struct pci_dev *pdev)
{
	int err;

	cram_test_bind_delay();
	err = cram_dev_map(d, pdev);
	if (err)
		return err;
	err = cram_dev_check_identity(d, pdev);
	if (err) {
		cram_dev_unmap(d, pdev);
		return err;
	}
	cram_dev_bind_write_seq(d, pdev);
	d->pdev = pdev;
	strscpy(d->source, pci_name(pdev), sizeof(d->source));
	pci_set_drvdata(pdev, d);
	cram_dev_go_live(d);
	pr_info("device %s: register block v%u (serial %#llx) for region %s, physical capacity %llu MiB of %llu MiB, scan %u ms%s\n",
		pci_name(pdev), d->last.version, d->last.serial, d->region->name,
		d->last.phys_cap >> 20,
		d->last.logical_cap >> 20, d->last.scan_ms,
		d->view.safe_reason ? " (in safe mode)" : "");
	return 0;
}

/*
 * A block goes to a device (region) without one that wants this function and whose
 * region it describes: first to one whose regs= names it, then, in region= order, to
 * one whose regs= is auto.
 */
static int cram_dev_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int i, pass;
	bool tried = false;
	struct cram_dev *d;
	int err = -ENODEV;

	mutex_lock(&cram_dev_bind_lock);
	for (pass = 0; pass < 2 && err; pass++) {
		for (i = 0; i < cram_nr_devs && err; i++) {
			d = cram_devs[i];
			if (!d->pdev && cram_dev_wanted(d, pdev) &&
			    pass == !strcmp(d->regs, "auto")) {
				tried = true;
				err = cram_dev_bind(d, pdev);
			}
		}
	}
	for (i = 0; i < cram_nr_devs && !tried; i++) {
		d = cram_devs[i];
		if (d->pdev && d->pdev != pdev && cram_dev_wanted(d, pdev)) {
			pr_info("PCI %s: cram already uses %s's register block for region %s: not taken\n",
				pci_name(pdev), pci_name(d->pdev), d->region->name);
			break;
		}
	}
	mutex_unlock(&cram_dev_bind_lock);
	return err;	/* -ENODEV: not ours, the driver core logs no failure for it */
}

static void cram_dev_remove(struct pci_dev *pdev)
{
	struct cram_dev *d = pci_get_drvdata(pdev);

	mutex_lock(&cram_dev_bind_lock);
	cram_dev_go_dark(d);
	/* the count so far, for a later bind to continue: writes from now are unbound */
	cram_dev_publish_written(d);
	cram_dev_unmap(d, pdev);
	d->pdev = NULL;
	pci_set_drvdata(pdev, NULL);
	mutex_unlock(&cram_dev_bind_lock);
	pr_info("device %s: released; without telemetry no new CXL placements on %s until it is bound again\n",
		pci_name(pdev), d->region->name);
}

static const struct pci_device_id cram_dev_ids[] = {
	{ PCI_DEVICE(CRAM_DEV_VENDOR, CRAM_DEV_DEVICE) },
	{ }
};

static struct pci_driver cram_dev_driver = {
	.name = "cram",
	.id_table = cram_dev_ids,
	.probe = cram_dev_probe,
	.remove = cram_dev_remove,
};

/*** providers (provider.c): the source is what one publishes ***/

/* The device with regs=provider for region (its region= entry), or serial's. */
static struct cram_dev *cram_dev_find_provided(const char *region, u64 serial)
{
	struct cram_dev *d;
	unsigned int i;

	for (i = 0; i < cram_nr_devs; i++) {
		d = cram_devs[i];
		if (!cram_dev_wants_provider(d))
			continue;
		if (region && region[0]) {
			if (!strcmp(d->region->name, region))
				return d;
		} else if (serial && d->want.serial == serial) {
			return d;
		}
	}
	return NULL;
}

/* Process context. ERR_PTR(-ENODEV): no such region with regs=provider; -EBUSY: taken */
struct cram_dev *cram_dev_provider_attach(const char *region, u64 serial, const char *name)
{
	struct cram_dev *d;

	mutex_lock(&cram_dev_bind_lock);
	d = cram_dev_find_provided(region, serial);
	if (!d || !cram_dev_wq) {
		mutex_unlock(&cram_dev_bind_lock);
		return ERR_PTR(-ENODEV);
	}
	if (d->provided) {
		mutex_unlock(&cram_dev_bind_lock);
		return ERR_PTR(-EBUSY);
	}
	raw_spin_lock_irq(&d->push_lock);
	d->pushes = 0;		/* safe mode until this provider's first snapshot */
	raw_spin_unlock_irq(&d->push_lock);
	d->provided = true;
	snprintf(d->source, sizeof(d->source), "provider:%s", name);
	cram_dev_go_live(d);
	pr_info("device %s: telemetry provider for region %s\n", d->source, d->region->name);
	mutex_unlock(&cram_dev_bind_lock);
	return d;
}

/* Process context: placements stop; pages held are still loaded and freed. */
void cram_dev_provider_detach(struct cram_dev *d)
{
	mutex_lock(&cram_dev_bind_lock);
	cram_dev_go_dark(d);
	d->provided = false;
	pr_info("device %s: provider gone; without telemetry no new CXL placements on %s until one registers\n",
		d->source, d->region->name);
	mutex_unlock(&cram_dev_bind_lock);
}

/* Any context: what a measurement that starts after this must cover. */
struct cram_telemetry_mark cram_dev_mark(struct cram_dev *d)
{
	return (struct cram_telemetry_mark){
		.events = atomic64_read(&d->events),
		.written = cram_dev_written(d),
	};
}

/*
 * Any context but hard IRQ (mod_delayed_work): the poller judges the snapshot at
 * once; -EINVAL: malformed, not taken.
 */
int cram_dev_push(struct cram_dev *d, const struct cram_telemetry *t)
{
	struct cram_telemetry_mark now = cram_dev_mark(d);
	const char *why = cram_tm_malformed(t, &now);
	unsigned long flags;
	struct cram_regs r;

	if (why) {
		pr_warn_ratelimited("device %s: snapshot refused: %s\n", d->source, why);
		return -EINVAL;
	}
	raw_spin_lock_irqsave(&d->push_lock, flags);
	cram_tm_to_regs(t, d->want.serial, ++d->pushes, &r);
	d->pushed = r;
	d->pushed_events = t->mark.events;
	raw_spin_unlock_irqrestore(&d->push_lock, flags);
	mod_delayed_work(cram_dev_wq, &d->poll, 0);
	return 0;
}

/*
 * Any context, hard IRQ included (atomics only): the provider saw a threshold
 * crossed. The gate closes, and every store that reads the count after this is
 * refused (cram_dev_event_pending) until a snapshot measured after it is judged; that
 * snapshot starts with the gate closed (cram_dev_poll_once).
 */
void cram_dev_event(struct cram_dev *d)
{
	atomic64_inc(&d->events);
	if (!cram_xchg_u8(&d->gate.closed, 1))
		cram_counter_inc(&d->gate.closings);
}

/* Does region= have as many regs= entries as it needs? Before any cram_dev_create. */
int cram_dev_check_regs(unsigned int nr_regions)
{
	const char *why;

	if (!cram_regs_list_check(&cram_regs_list, nr_regions, &why))
		return 0;
	pr_err("regs=%s rejected for %u regions: %s\n", cram_regs_arg, nr_regions, why);
	return -EINVAL;
}

/* The telemetry of region r, the idx-th of region=; its block is bound by cram_dev_init. */
struct cram_dev *cram_dev_create(const struct cram_region *r, unsigned int idx)
{
	const char *regs = cram_regs_for(&cram_regs_list, idx), *why;
	struct cram_dev *d;

	if (WARN_ON_ONCE(idx >= CRAM_MAX_REGIONS || cram_devs[idx]))
		return ERR_PTR(-EINVAL);
	if (cram_regs_interleave_check(r->ways, regs, &why)) {
		pr_err("region=%s rejected: %s (%u ways)\n", r->name, why, r->ways);
		return ERR_PTR(-EINVAL);
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->cpus = alloc_percpu(struct cram_ledger_cpu);
	if (!d->cpus) {
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	seqlock_init(&d->lock);
	raw_spin_lock_init(&d->push_lock);
	d->ledger.batch = CRAM_LEDGER_BATCH;
	INIT_DELAYED_WORK(&d->poll, cram_dev_poll);
	d->region = r;
	strscpy(d->regs, regs, sizeof(d->regs));
	d->for_provider = !strcmp(d->regs, "provider");
	d->want = (struct cram_region_identity){
		.serial = r->serial,
		.memdevs = r->memdevs,
		.named = strcmp(d->regs, "auto") && strcmp(d->regs, "none"),
	};
	cram_devs[idx] = d;
	cram_nr_devs = max(cram_nr_devs, idx + 1);
	return d;
}

/* After cram_dev_exit: no block is bound, no poller runs. */
void cram_dev_destroy(struct cram_dev *d)
{
	unsigned int i;

	for (i = 0; i < CRAM_MAX_REGIONS; i++)
		if (cram_devs[i] == d)
			cram_devs[i] = NULL;
	while (cram_nr_devs && !cram_devs[cram_nr_devs - 1])
		cram_nr_devs--;
	free_percpu(d->cpus);
	kfree(d);
}

static bool cram_dev_driver_registered;

static void cram_dev_log_unbound(void)
{
	struct cram_dev *d;
	unsigned int i;

	for (i = 0; i < cram_nr_devs; i++) {
		d = cram_devs[i];
		if (cram_dev_wants_provider(d))
			pr_info("region %s: waiting for a telemetry provider (regs=provider): no CXL placements on it until one publishes\n",
				d->region->name);
		else if (!d->pdev)
			pr_info("region %s: no device register block (regs=%s): no telemetry, no CXL placements on it%s\n",
				d->region->name, d->regs,
				cram_trust_capacity ? " unless trust_capacity=Y" : "");
	}
}

/*
 * Bind the register blocks of the devices created (probe runs for each function);
 * providers attach later (cram_dev_provider_attach).
 */
int cram_dev_init(void)
{
	unsigned int i, wanted = 0, blocks = 0;
	int err;

	for (i = 0; i < cram_nr_devs; i++) {
		wanted += strcmp(cram_devs[i]->regs, "none") != 0;
		blocks += cram_dev_wants_block(cram_devs[i]);
	}
	if (!wanted)
		return 0;
	/*
	 * The pollers must run under memory pressure: a rescuer thread guarantees it.
	 * Unbound: they have no per-CPU data, and from 6.17 a queue must say which it is.
	 */
	cram_dev_wq = alloc_workqueue("cram", WQ_MEM_RECLAIM | WQ_UNBOUND, cram_nr_devs);
	if (!cram_dev_wq)
		return -ENOMEM;
	if (blocks) {
		err = pci_register_driver(&cram_dev_driver);
		if (err) {
			pr_err("cannot register the device driver: %d\n", err);
			destroy_workqueue(cram_dev_wq);
			cram_dev_wq = NULL;
			return err;
		}
		cram_dev_driver_registered = true;
	}
	cram_dev_log_unbound();
	return 0;
}

/*
 * After every provider has detached: an open /dev/cram-telemetry file and a provider
 * module each hold a reference on cram, so none is attached when it unloads.
 */
void cram_dev_exit(void)
{
	if (!cram_dev_wq)
		return;
	if (cram_dev_driver_registered)
		pci_unregister_driver(&cram_dev_driver);
	cram_dev_driver_registered = false;
	destroy_workqueue(cram_dev_wq);
	cram_dev_wq = NULL;
}

/*** summary (sysfs) ***/

/* The device as the store path sees it now: process context, may not sleep. */
void cram_dev_summary(struct cram_dev *d, struct cram_dev_summary *s)
{
	struct cram_dev_view v;
	struct cram_dev *live;
	int idx;

	memset(s, 0, sizeof(*s));
	s->trusted = cram_dev_trusted(d);
	s->gate_closed = READ_ONCE(d->gate.closed);
	s->gate_closings = atomic64_read(&d->gate.closings);
	s->safe_entries = READ_ONCE(d->safe_entries);
	idx = srcu_read_lock(&cram_srcu);
	live = srcu_dereference(d->live, &cram_srcu);
	if (live) {
		cram_dev_view_read(live, &v);
		s->bound = true;
		s->safe_mode = cram_dev_view_unsafe(&v);
		s->phys_cap = v.snap.phys_cap;
		s->phys_used = v.snap.phys_used;
		s->logical_used = v.snap.logical_used;
		s->serial = v.snap.serial;
	}
	srcu_read_unlock(&cram_srcu, idx);
}

/*** debugfs ***/

static void cram_dev_show_regs(struct seq_file *m, const struct cram_regs *r)
{
	seq_printf(m, "reg_magic %#llx\nreg_version %u\nreg_granule %u\n", r->magic,
		   r->version, r->granule);
	seq_printf(m, "reg_logical_cap %llu\nreg_phys_cap %llu\nreg_phys_used %llu\n",
		   r->logical_cap, r->phys_cap, r->phys_used);
	seq_printf(m, "reg_logical_used %llu\nreg_seq %llu\nreg_status %#x\nreg_scan_ms %u\n",
		   r->logical_used, r->seq, r->status, r->scan_ms);
	seq_printf(m, "reg_warn_wm %llu\nreg_crit_wm %llu\nreg_overflow_events %llu\n",
		   r->warn_wm, r->crit_wm, r->overflow_events);
	seq_printf(m, "reg_host_write_seq %llu\nreg_scanned_write_seq %llu\nreg_heartbeat %llu\n",
		   r->host_write_seq, r->scanned_write_seq, r->heartbeat);
	seq_printf(m, "reg_serial %#llx\n", r->serial);
}

static void cram_dev_show_state(struct seq_file *m, struct cram_dev *d, u64 reserved)
{
	struct cram_dev_view v;
	struct cram_regs now;
	const char *reason;
	u64 events;
	int err;

	cram_dev_view_read(d, &v);
	/* as admission judges it: a snapshot too old to act on is safe mode too */
	if (!cram_dev_view_unsafe(&v))
		reason = "none";
	else
		reason = v.safe_reason ?: "snapshot stale (the poller has not read the device)";
	seq_printf(m, "safe_mode %d\nsafe_reason %s\nsafe_mode_entries %llu\n",
		   cram_dev_view_unsafe(&v), reason, d->safe_entries);
	seq_printf(m, "high_wm_bytes %llu\nlow_wm_bytes %llu\nprojected_used %llu\n", v.high,
		   v.low, cram_project_used(&v.snap, reserved));
	seq_printf(m, "snapshot_age_ms %u\n", jiffies_to_msecs(jiffies - v.snap_at));
	seq_printf(m, "events %llu\nevents_covered %llu\n", (u64)atomic64_read(&d->events),
		   v.events);
	/* the source as it reads now, not the last sane snapshot */
	err = cram_dev_read_source(d, &now, &events);
	seq_printf(m, "reg_read %s\n", err == -ENODATA ? "none" : err ? "torn" : "ok");
	if (!err)	/* a torn read is not a state of the device */
		cram_dev_show_regs(m, &now);
}

/* debugfs devices/NAME/device (m->private: the device): one "name value" per line. */
int cram_dev_show(struct seq_file *m, void *unused)
{
	struct cram_dev *d = m->private;
	u64 reserved = cram_ledger_reserved(&d->ledger);
	struct cram_ledger_sum sum = cram_dev_ledger_sum(d);
	struct cram_dev *live;
	int idx;

	seq_printf(m, "region %s\ntrust_capacity %d\n", d->region->name,
		   READ_ONCE(cram_trust_capacity));
	seq_printf(m, "reserved %llu\nreserved_unused %llu\nwritten %llu\n", reserved, sum.credit,
		   sum.written);
	seq_printf(m, "gate %s\ngate_closings %llu\n",
		   READ_ONCE(d->gate.closed) ? "closed" : "open",
		   (u64)atomic64_read(&d->gate.closings));
	idx = srcu_read_lock(&cram_srcu);	/* remove() waits before unmapping */
	live = srcu_dereference(d->live, &cram_srcu);
	seq_printf(m, "bound %d\nregs %s\n", !!live, live ? live->source : "none");
	if (live)
		cram_dev_show_state(m, live, reserved);
	srcu_read_unlock(&cram_srcu, idx);
	return 0;
}
