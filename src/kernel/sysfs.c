// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/module/cram/stats/: what cram holds and whether each tier takes
 * pages, one value per file, readable by anyone (0444), so monitoring needs neither
 * root nor debugfs. debugfs (debugfs.c) keeps the detail. docs/ABI.md lists them.
 *
 *   stored_pages            pages cram holds, both tiers
 *   cxl_state               off|gone|disabled|no_telemetry|safe_mode|watermark|full|
 *                           active
 *   cxl_stored_pages        region pages holding swapped pages
 *   cxl_logical_bytes       cxl_stored_pages in bytes
 *   cxl_region_pages        pages of the region cram owns
 *   device_bound            1: a register block is bound (its values may still be 0:
 *                           it never read sane)
 *   device_phys_cap_bytes   the device's PHYS_CAP (0: no telemetry)
 *   device_phys_used_bytes  the device's PHYS_USED, compressed footprint of the device
 *   device_logical_used_bytes  the device's LOGICAL_USED (non-zero pages x 4096)
 *   pool_state              off|disabled|full|active
 *   pool_stored_pages       pages in the DRAM pool (objects and same-filled pages)
 *   pool_logical_bytes      pool_stored_pages in bytes
 *   pool_physical_bytes     DRAM the pool uses (its pages)
 *   pool_compressed_bytes   the compressed size of the objects
 *   written_back_pages      pool pages written to the swap device since load
 *
 * The device values are the last sane snapshot the store path acts on.
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
	u64 cxl_stored_pages, cxl_logical_bytes, cxl_region_pages;
	u64 device_bound;
	u64 device_phys_cap_bytes, device_phys_used_bytes, device_logical_used_bytes;
	u64 pool_stored_pages, pool_logical_bytes, pool_physical_bytes;
	u64 pool_compressed_bytes;
	u64 written_back_pages;
	enum cram_tier_state cxl_state, pool_state;
};

static void cram_summary_read(struct cram_summary *s)
{
	struct cram_dev_summary dev;
	struct cram_dram_usage pool;
	struct cram_cxl_facts facts;
	u64 total, used;

	cram_cxl_usage(&total, &used, NULL);
	cram_dev_summary(&dev);
	cram_dram_usage(&pool);

	s->stored_pages = cram_swap_nr_stored();
	s->cxl_stored_pages = used;
	s->cxl_logical_bytes = used * PAGE_SIZE;
	s->cxl_region_pages = total;
	s->device_bound = dev.bound;
	s->device_phys_cap_bytes = dev.phys_cap;
	s->device_phys_used_bytes = dev.phys_used;
	s->device_logical_used_bytes = dev.logical_used;
	s->pool_stored_pages = pool.objs + pool.same_filled;
	s->pool_logical_bytes = s->pool_stored_pages * PAGE_SIZE;
	s->pool_physical_bytes = pool.pages * PAGE_SIZE;
	s->pool_compressed_bytes = pool.bytes;
	s->written_back_pages = cram_stat_read(CRAM_STAT_WRITEBACKS);

	facts = (struct cram_cxl_facts) {
		.present = cram_cxl_present(),
		.gone = cram_cxl_gone(),
		.enabled = cram_swap_enabled(),
		.telemetry = dev.bound,
		.trusted = dev.trusted,
		.safe_mode = dev.safe_mode,
		.gate_closed = dev.gate_closed,
		.full = total && used >= total,
	};
	s->cxl_state = cram_cxl_state(&facts);
	s->pool_state = cram_pool_state(cram_dram_active(), facts.enabled, pool.limit_hit);
}

/* A file shows one u64 field of the summary, or one state field as its name. */
struct cram_summary_attr {
	struct kobj_attribute attr;
	size_t offset;		/* of the field in struct cram_summary */
	bool is_state;
};

static ssize_t cram_summary_show(struct kobject *kobj, struct kobj_attribute *attr,
				 char *buf)
{
	const struct cram_summary_attr *sa =
		container_of(attr, struct cram_summary_attr, attr);
	struct cram_summary s;
	const void *field;

	cram_summary_read(&s);
	field = (const char *)&s + sa->offset;
	if (sa->is_state)
		return sysfs_emit(buf, "%s\n",
				  cram_tier_state_name(*(const enum cram_tier_state *)field));
	return sysfs_emit(buf, "%llu\n", *(const u64 *)field);
}

#define CRAM_SUMMARY_ATTR(field, state) {					\
	.attr = { .attr = { .name = #field, .mode = 0444 },			\
		  .show = cram_summary_show },					\
	.offset = offsetof(struct cram_summary, field),				\
	.is_state = state,							\
}

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

static struct kobject *cram_stats_kobj;

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
		err = sysfs_create_file(&THIS_MODULE->mkobj.kobj, &cram_drain_attr.attr);
	if (err) {
		kobject_put(cram_stats_kobj);
		cram_stats_kobj = NULL;
	}
	return err;
}

void cram_sysfs_exit(void)
{
	sysfs_remove_file(&THIS_MODULE->mkobj.kobj, &cram_drain_attr.attr);
	kobject_put(cram_stats_kobj);	/* removes the group with the directory */
}
