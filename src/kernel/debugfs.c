// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/cram/: detail for root (debugfs itself is 0700).
 *
 * Files:
 *   config   effective configuration: parsed region, watermarks, hook API of this
 *            kernel (from the build-time probes), IBT mode
 *   stats    one "name value" line per counter (counts of calls and outcomes), then
 *            the current state: stored_pages, region_pages, region_pages_used,
 *            region_pages_free, region_bad_frees
 *   device   the compressing device (device.c): binding, safe mode and why, the
 *            watermarks and gate, projected use, the registers as read now
 *   pool     the DRAM pool (dram_tier.c): pages, limit, objects, compressed bytes,
 *            same-filled pages, compaction; its outcomes and writeback are in stats
 *   pool_classes  one line per size class in use: object size, zspage length and
 *            capacity, zspages, objects, free slots
 *   region_caches  free region pages in each possible CPU's cache: "cpuN
 *            online|offline PAGES" (a CPU going offline gives its pages back)
 *   test hooks (testhooks.c), in the VM tests' build only
 *
 * Context: created in init, removed in exit (process context); reads run in process
 * context and take no locks of cram's own.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "cram.h"
#include "compat.h"

static struct dentry *cram_debugfs_root;

/* each part of cram shows the configuration it owns */
static int cram_config_show(struct seq_file *m, void *unused)
{
	cram_cxl_config_show(m);
	cram_dev_config_show(m);
	seq_printf(m, "hook_api: %s\n", CRAM_HOOK_API);
	seq_printf(m, "large_folios: %s\n", CRAM_LARGE_FOLIOS ? "whole" : "declined");
	cram_hooks_show(m);
	seq_printf(m, "ibt: kernel %s, strict %s\n",
		   IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? "yes" : "no",
		   cram_ibt_strict ? "yes" : "no");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cram_config);

static int cram_stats_show(struct seq_file *m, void *unused)
{
	enum cram_stat stat;
	struct cram_cxl_usage u;

	for (stat = 0; stat < CRAM_NR_STATS; stat++)
		seq_printf(m, "%s %llu\n", cram_stat_name(stat), cram_stat_read(stat));
	cram_cxl_usage(CRAM_CXL_ALL, &u);
	/* the region_ lines sum the devices; devices/NAME/region shows each */
	seq_printf(m, "stored_pages %llu\n", cram_swap_nr_stored());
	seq_printf(m, "region_pages %llu\n", u.total);
	seq_printf(m, "region_pages_used %llu\n", u.used);
	seq_printf(m, "region_pages_free %llu\n", u.total - u.used - u.zeroing);
	seq_printf(m, "region_pages_zeroing %llu\n", u.zeroing);
	seq_printf(m, "region_bad_frees %llu\n", u.bad_frees);
	seq_printf(m, "devices %u\n", cram_cxl_nr_devs());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cram_stats);

/* devices/NAME/ files: m->private is the device's index, as a pointer */
static int cram_region_caches_show(struct seq_file *m, void *unused)
{
	cram_cxl_caches_show(m, (unsigned long)m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cram_region_caches);

static int cram_region_show(struct seq_file *m, void *unused)
{
	cram_cxl_region_show(m, (unsigned long)m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cram_region);
DEFINE_SHOW_ATTRIBUTE(cram_dev);
DEFINE_SHOW_ATTRIBUTE(cram_dram);
DEFINE_SHOW_ATTRIBUTE(cram_dram_classes);

/*
 * devices/NAME/{device,region,region_caches} for each CXL device (NAME: its region=
 * entry); device and region_caches at the top are the first device's, as before
 * cram had several.
 */
static void cram_debugfs_devices(struct dentry *root)
{
	struct dentry *devices, *dir;
	unsigned long i;

	if (!cram_cxl_present())
		return;
	debugfs_create_file("device", 0400, root, cram_cxl_dev(0), &cram_dev_fops);
	debugfs_create_file("region_caches", 0400, root, (void *)0UL, &cram_region_caches_fops);
	devices = debugfs_create_dir("devices", root);
	for (i = 0; i < cram_cxl_nr_devs(); i++) {
		dir = debugfs_create_dir(cram_cxl_region_info(i)->name, devices);
		debugfs_create_file("device", 0400, dir, cram_cxl_dev(i), &cram_dev_fops);
		debugfs_create_file("region", 0400, dir, (void *)i, &cram_region_fops);
		debugfs_create_file("region_caches", 0400, dir, (void *)i,
				    &cram_region_caches_fops);
	}
}

int cram_debugfs_init(void)
{
	struct dentry *root;

	root = debugfs_create_dir("cram", NULL);
	if (IS_ERR(root))
		return PTR_ERR(root);
	debugfs_create_file("config", 0400, root, NULL, &cram_config_fops);
	debugfs_create_file("stats", 0400, root, NULL, &cram_stats_fops);
	debugfs_create_file("pool", 0400, root, NULL, &cram_dram_fops);
	debugfs_create_file("pool_classes", 0400, root, NULL, &cram_dram_classes_fops);
	cram_debugfs_devices(root);
	cram_test_debugfs_init(root);
	cram_cxl_test_debugfs_init(root);
	cram_debugfs_root = root;
	return 0;
}

void cram_debugfs_exit(void)
{
	debugfs_remove_recursive(cram_debugfs_root);
}
