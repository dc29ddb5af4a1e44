// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/module/cram/stats/: what cram holds and whether each tier takes
 * pages, one value per file, readable by anyone (0444), so monitoring needs neither
 * root nor debugfs. debugfs (debugfs.c) keeps the detail. docs/ABI.md lists them.
 *
 *   stored_pages            pages cram holds, both tiers
 *   cxl_state               off|gone|disabled|no_telemetry|safe_mode|watermark|full|
 *                           active: the best of the devices' (the tier takes pages
 *                           when one does)
 *   cxl_stored_pages        region pages holding swapped pages, all devices
 *   cxl_logical_bytes       cxl_stored_pages in bytes
 *   cxl_region_pages        pages of the regions cram owns
 *   device_bound            register blocks bound (a block's values may still be 0:
 *                           it never read sane)
 *   device_phys_cap_bytes   the devices' PHYS_CAP, summed (0: no telemetry)
 *   device_phys_used_bytes  their PHYS_USED, the compressed footprint
 *   device_logical_used_bytes  their LOGICAL_USED (non-zero pages x 4096)
 *   pool_state              off|disabled|full|active
 *   pool_stored_pages       pages in the DRAM pool (objects and same-filled pages)
 *   pool_logical_bytes      pool_stored_pages in bytes
 *   pool_physical_bytes     DRAM the pool uses (its pages)
 *   pool_compressed_bytes   the compressed size of the objects
 *   written_back_pages      pool pages written to the swap device since load
 *
 * The device values are the last sane snapshots the store path acts on.
 *
 * devices/NAME/ (NAME: the region= entry, dax0.0) holds each CXL device's own:
 * cxl_state, cxl_stored_pages, cxl_region_pages, cxl_stores (pages placed since
 * load), device_bound, device_phys_cap_bytes, device_phys_used_bytes,
 * device_logical_used_bytes, gate_closings, safe_mode_entries, node (the region's
 * NUMA node, -1: not known) and device_serial (0x...: the block's SERIAL).
 *
 * /sys/module/cram/drain (0600) is the one control here: see drain_store().
 *
 * Context: reads run in process context; each gathers one summary (the pool's lock,
 * an SRCU read section for the device) and never sleeps inside cram. The directory
 * is created in init before the hooks and removed in exit after them; kernfs drains
 * readers before the files go.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "cram.h"
#include "cram/state.h"

struct cram_summary {
	u64 stored_pages;
	u64 cxl_stored_pages, cxl_logical_bytes, cxl_region_pages, cxl_stores;
	u64 device_bound;
	u64 device_phys_cap_bytes, device_phys_used_bytes, device_logical_used_bytes;
	u64 gate_closings, safe_mode_entries;
	u64 device_serial;		/* one device's only */
	u64 pool_stored_pages, pool_logical_bytes, pool_physical_bytes;
	u64 pool_compressed_bytes;
	u64 written_back_pages;
	enum cram_tier_state cxl_state, pool_state;
};

/* Device dev's part of s (CXL fields summed), and its state. */
static enum cram_tier_state cram_summary_add_dev(struct cram_summary *s, unsigned int dev)
{
	struct cram_dev_summary d;
	struct cram_cxl_usage u;
	struct cram_cxl_facts facts;

	cram_cxl_usage(dev, &u);
	cram_dev_summary(cram_cxl_dev(dev), &d);
	s->cxl_stored_pages += u.used;
	s->cxl_logical_bytes += u.used * PAGE_SIZE;
	s->cxl_region_pages += u.total;
	s->cxl_stores += u.stores;
	s->device_bound += d.bound;
	s->device_phys_cap_bytes += d.phys_cap;
	s->device_phys_used_bytes += d.phys_used;
	s->device_logical_used_bytes += d.logical_used;
	s->gate_closings += d.gate_closings;
	s->safe_mode_entries += d.safe_entries;
	s->device_serial = d.serial;
	facts = (struct cram_cxl_facts) {
		.present = true,
		.gone = cram_cxl_dev_gone(dev),
		.enabled = cram_swap_enabled(),
		.telemetry = d.bound,
		.trusted = d.trusted,
		.safe_mode = d.safe_mode,
		.gate_closed = d.gate_closed,
		.full = u.total && u.used >= u.total,
	};
	return cram_cxl_state(&facts);
}

/* The whole summary: every device's CXL fields summed, the pool's, the totals. */
static void cram_summary_read(struct cram_summary *s)
{
	enum cram_tier_state states[CRAM_MAX_REGIONS];
	struct cram_dram_usage pool;
	unsigned int i, nr = cram_cxl_nr_devs();

	memset(s, 0, sizeof(*s));
	for (i = 0; i < nr; i++)
		states[i] = cram_summary_add_dev(s, i);
	s->cxl_state = cram_cxl_tier_state(states, nr);
	cram_dram_usage(&pool);
	s->stored_pages = cram_swap_nr_stored();
	s->pool_stored_pages = pool.objs + pool.same_filled;
	s->pool_logical_bytes = s->pool_stored_pages * PAGE_SIZE;
	s->pool_physical_bytes = pool.pages * PAGE_SIZE;
	s->pool_compressed_bytes = pool.bytes;
	s->written_back_pages = cram_stat_read(CRAM_STAT_WRITEBACKS);
	s->pool_state = cram_pool_state(cram_dram_active(), cram_swap_enabled(),
					pool.limit_hit);
}

static struct kobject *cram_stats_kobj;
static struct kobject *cram_devices_kobj;
static struct kobject *cram_dev_kobjs[CRAM_MAX_REGIONS];	/* stats/devices/NAME */

/* The summary a directory shows: the whole one, or one device's (devices/NAME). */
static void cram_summary_of(struct kobject *kobj, struct cram_summary *s)
{
	unsigned int i;

	for (i = 0; i < cram_cxl_nr_devs(); i++) {
		if (cram_dev_kobjs[i] == kobj) {
			memset(s, 0, sizeof(*s));
			s->cxl_state = cram_summary_add_dev(s, i);
			return;
		}
	}
	cram_summary_read(s);
}

enum cram_summary_fmt { CRAM_FMT_U64, CRAM_FMT_STATE, CRAM_FMT_HEX };

/* A file shows one field of the summary: a number, a state's name, or a hex number. */
struct cram_summary_attr {
	struct kobj_attribute attr;
	size_t offset;		/* of the field in struct cram_summary */
	enum cram_summary_fmt fmt;
};

static ssize_t cram_summary_show(struct kobject *kobj, struct kobj_attribute *attr,
				 char *buf)
{
	const struct cram_summary_attr *sa =
		container_of(attr, struct cram_summary_attr, attr);
	struct cram_summary s;
	const void *field;

	cram_summary_of(kobj, &s);
	field = (const char *)&s + sa->offset;
	if (sa->fmt == CRAM_FMT_STATE)
		return sysfs_emit(buf, "%s\n",
				  cram_tier_state_name(*(const enum cram_tier_state *)field));
	if (sa->fmt == CRAM_FMT_HEX)
		return sysfs_emit(buf, "%#llx\n", *(const u64 *)field);
	return sysfs_emit(buf, "%llu\n", *(const u64 *)field);
}

#define CRAM_SUMMARY_ATTR_FMT(field, format) {					\
	.attr = { .attr = { .name = #field, .mode = 0444 },			\
		  .show = cram_summary_show },					\
	.offset = offsetof(struct cram_summary, field),				\
	.fmt = format,								\
}

#define CRAM_SUMMARY_ATTR(field, state)						\
	CRAM_SUMMARY_ATTR_FMT(field, (state) ? CRAM_FMT_STATE : CRAM_FMT_U64)

static struct cram_summary_attr cram_summary_attrs[] = {
	CRAM_SUMMARY_ATTR(stored_pages, false),
	CRAM_SUMMARY_ATTR(cxl_state, true),
	CRAM_SUMMARY_ATTR(cxl_stored_pages, false),
	CRAM_SUMMARY_ATTR(cxl_logical_bytes, false),
	CRAM_SUMMARY_ATTR(cxl_region_pages, false),
	CRAM_SUMMARY_ATTR(device_bound, false),
	CRAM_SUMMARY_ATTR(device_phys_cap_bytes, false),
	CRAM_SUMMARY_ATTR(device_phys_used_bytes, false),
	CRAM_SUMMARY_ATTR(device_logical_used_bytes, false),
	CRAM_SUMMARY_ATTR(pool_state, true),
	CRAM_SUMMARY_ATTR(pool_stored_pages, false),
	CRAM_SUMMARY_ATTR(pool_logical_bytes, false),
	CRAM_SUMMARY_ATTR(pool_physical_bytes, false),
	CRAM_SUMMARY_ATTR(pool_compressed_bytes, false),
	CRAM_SUMMARY_ATTR(written_back_pages, false),
};

static struct attribute *cram_summary_attr_list[ARRAY_SIZE(cram_summary_attrs) + 1];

static const struct attribute_group cram_summary_group = {
	.attrs = cram_summary_attr_list,
};

static struct cram_summary_attr cram_dev_attrs[] = {
	CRAM_SUMMARY_ATTR(cxl_state, true),
	CRAM_SUMMARY_ATTR(cxl_stored_pages, false),
	CRAM_SUMMARY_ATTR(cxl_region_pages, false),
	CRAM_SUMMARY_ATTR(cxl_stores, false),
	CRAM_SUMMARY_ATTR(device_bound, false),
	CRAM_SUMMARY_ATTR(device_phys_cap_bytes, false),
	CRAM_SUMMARY_ATTR(device_phys_used_bytes, false),
	CRAM_SUMMARY_ATTR(device_logical_used_bytes, false),
	CRAM_SUMMARY_ATTR(gate_closings, false),
	CRAM_SUMMARY_ATTR(safe_mode_entries, false),
	CRAM_SUMMARY_ATTR_FMT(device_serial, CRAM_FMT_HEX),
};

static struct attribute *cram_dev_attr_list[ARRAY_SIZE(cram_dev_attrs) + 1];

static const struct attribute_group cram_dev_group = {
	.attrs = cram_dev_attr_list,
};

/* stats/devices/NAME/ for each CXL device; on failure the caller removes stats/ whole */
static int cram_sysfs_devices(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cram_dev_attrs); i++)
		cram_dev_attr_list[i] = &cram_dev_attrs[i].attr.attr;
	cram_devices_kobj = kobject_create_and_add("devices", cram_stats_kobj);
	if (!cram_devices_kobj)
		return -ENOMEM;
	for (i = 0; i < cram_cxl_nr_devs(); i++) {
		cram_dev_kobjs[i] = kobject_create_and_add(cram_cxl_region_info(i)->name,
							   cram_devices_kobj);
		if (!cram_dev_kobjs[i])
			return -ENOMEM;
		err = sysfs_create_group(cram_dev_kobjs[i], &cram_dev_group);
		if (err)
			return err;
	}
	return 0;
}

static void cram_sysfs_devices_exit(void)
{
	unsigned int i;

	for (i = 0; i < CRAM_MAX_REGIONS; i++) {
		kobject_put(cram_dev_kobjs[i]);	/* removes the group with the directory */
		cram_dev_kobjs[i] = NULL;
	}
	kobject_put(cram_devices_kobj);
	cram_devices_kobj = NULL;
}

/*
 * /sys/module/cram/drain (root): write 1 to write every page cram holds to the swap
 * device (writeback.c) and disarm; the write returns when cram holds nothing, or
 * with the error that stopped it. Reads "draining" while one runs, else "idle".
 */
static ssize_t drain_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", cram_wb_draining() ? "draining" : "idle");
}

static const char *cram_drain_why(int err)
{
	if (err == -EINTR)
		return "interrupted";
	if (err == -ENODEV)
		return "swap devices unreachable (kernel variable swap_info not found)";
	return "some could not be written (I/O error, swapoff, NFS swap file, unreadable CXL page)";
}

static ssize_t drain_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t len)
{
	bool go;
	int err;

	if (kstrtobool(buf, &go) || !go)
		return -EINVAL;
	pr_info("drain: writing %llu pages to the swap device; stores disarmed (enabled=N)\n",
		cram_swap_nr_stored());
	err = cram_wb_drain(true);
	if (err) {
		pr_err("drain stopped (%d) with %llu pages still held: %s\n", err,
		       cram_swap_nr_stored(), cram_drain_why(err));
		return err;
	}
	pr_info("drain: done, cram holds nothing\n");
	return len;
}

static struct kobj_attribute cram_drain_attr = __ATTR(drain, 0600, drain_show, drain_store);

int cram_sysfs_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cram_summary_attrs); i++)
		cram_summary_attr_list[i] = &cram_summary_attrs[i].attr.attr;
	cram_stats_kobj = kobject_create_and_add("stats", &THIS_MODULE->mkobj.kobj);
	if (!cram_stats_kobj)
		return -ENOMEM;
	err = sysfs_create_group(cram_stats_kobj, &cram_summary_group);
	if (!err)
		err = cram_sysfs_devices();
	if (!err)
		err = sysfs_create_file(&THIS_MODULE->mkobj.kobj, &cram_drain_attr.attr);
	if (err) {
		cram_sysfs_devices_exit();
		kobject_put(cram_stats_kobj);
		cram_stats_kobj = NULL;
	}
	return err;
}

void cram_sysfs_exit(void)
{
	sysfs_remove_file(&THIS_MODULE->mkobj.kobj, &cram_drain_attr.attr);
	cram_sysfs_devices_exit();
	kobject_put(cram_stats_kobj);	/* removes the group with the directory */
}
