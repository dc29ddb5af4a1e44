// SPDX-License-Identifier: GPL-2.0
/*
 * region.c - claim the CXL memory the tier lives in, exclusively, and map it.
 *
 * The range comes from the region= parameter: a device-dax instance (its range is
 * read from /sys/bus/dax/devices/daxX.Y/{resource,size}: the dax bus and struct
 * dev_dax are private to the kernel) or a physical SIZE@START. Before taking it:
 *   - the size rules of src/core/config.c (cram_region_range_check);
 *   - no byte of it may be System RAM (e.g. onlined by kmem);
 *   - all of it must lie in one CXL window (IORES_DESC_CXL in /proc/iomem);
 *   - request_mem_region_exclusive() must succeed: it fails while any driver
 *     (device_dax, kmem, another cram) holds part of the range, and once it
 *     succeeds nobody else, /dev/mem included, can take or map it.
 * Then it is mapped write-back (memremap): swap pages are copied in and out by the
 * CPU; the copy routines in cxl_tier.c choose the store type.
 *
 * Identity, for binding the register block that describes this memory (device.c,
 * devregs.h): the serial of the CXL memory device the range is on. The CXL region
 * whose host physical range (regionN/resource, size) holds it, if it has one way,
 * names its endpoint decoder in target0; the decoder's port links to the memdev
 * (uport), whose serial attribute is the device's. By address, not by sysfs path:
 * a dax instance hangs under its CXL region on 6.12 (dax_cxl) but under the nvdimm
 * bridge on 6.1 (pmem). Interleaved regions, and ranges in no region, have none (0).
 * And the number of CXL memory devices in the machine (memN in /sys/bus/cxl/devices).
 *
 * Watch: the claim keeps device-dax and kmem off the range, not the CXL core, which
 * stops decoding it when it resets the region's decoders (cxl destroy-region, a
 * memdev or its PCI function unbound). The devices whose unbinding or deletion comes
 * before that reset are named at claim; a notifier on the CXL bus hands the first
 * such event to the region's owner (r->lost: cxl_tier.c drains the region's pages
 * while the range still decodes). Several regions share one notifier.
 *
 * Context: claim, release, watch and unwatch run at module init/exit (process
 * context, may sleep). The notifier runs in the remover's process context, with the
 * device's lock held, and may sleep; unwatch waits for it. Locking: cram_watch_lock
 * (mutex) guards the watched array and serialises the regions' drains; the notifier
 * holds it while r->lost runs, so it nests outside cxl_tier.c's and writeback.c's
 * locks; bus_unregister_notifier is never called under it.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/numa.h>
#include <linux/slab.h>

#include "compat.h"
#include "cram.h"

#define DAX_SYSFS "/sys/bus/dax/devices/"
#define CXL_SYSFS "/sys/bus/cxl/devices/"

static int cram_dax_range(const char *name, u64 *start, u64 *size)
{
	char path[64];
	u64 more;
	int err;

	snprintf(path, sizeof(path), DAX_SYSFS "%s/resource", name);
	err = cram_read_u64(path, start);
	if (err == -ENOENT) {
		pr_err("region=%s: no such device-dax instance (see ls %s)\n", name, DAX_SYSFS);
		return -ENODEV;
	}
	if (err)
		goto bad;
	snprintf(path, sizeof(path), DAX_SYSFS "%s/size", name);
	err = cram_read_u64(path, size);
	if (err)
		goto bad;
	/* a dax instance made of several ranges lists mapping0, mapping1, ... */
	snprintf(path, sizeof(path), DAX_SYSFS "%s/mapping1/start", name);
	if (cram_read_u64(path, &more) != -ENOENT) {
		pr_err("region=%s: made of several physical ranges; cram needs one (recreate it with daxctl)\n",
		       name);
		return -EINVAL;
	}
	return 0;
bad:
	pr_err("region=%s: cannot read its range from %s (%d)\n", name, path, err);
	return err;
}

static int cram_cxl_window_covers(struct resource *res, void *arg)
{
	struct resource *want = arg;

	/* the walk hands over each window clipped to the range asked for */
	if (res->start == want->start && res->end == want->end)
		want->flags |= IORESOURCE_BUSY;
	return 0;
}

static bool cram_range_is_cxl(u64 start, u64 size)
{
	struct resource want = DEFINE_RES_MEM(start, size);

	want.flags = 0;
	walk_iomem_res_desc(IORES_DESC_CXL, IORESOURCE_MEM, start, start + size - 1,
			    &want, cram_cxl_window_covers);
	return want.flags & IORESOURCE_BUSY;
}

static int cram_range_check(const char *name, u64 start, u64 size)
{
	const char *why;

	if (cram_region_range_check(start, size, &why)) {
		pr_err("region=%s (%#llx-%#llx) rejected: %s\n", name, start, start + size - 1,
		       why);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("region=%s (%#llx-%#llx) rejected: it is System RAM (onlined by kmem?); cram needs memory the kernel does not use\n",
		       name, start, start + size - 1);
		return -EINVAL;
	}
	if (!cram_range_is_cxl(start, size) && !cram_test_region_any_window()) {
		pr_err("region=%s (%#llx-%#llx) rejected: not inside one CXL window (see 'CXL Window' in /proc/iomem)\n",
		       name, start, start + size - 1);
		return -EINVAL;
	}
	return 0;
}

/*** identity ***/

#define CRAM_MAX_CXL_REGIONS	32

/* One pass over /sys/bus/cxl/devices: memdevs counted, regions listed. */
struct cram_cxl_scan {
	struct dir_context ctx;
	unsigned int memdevs;
	unsigned int nr_regions;
	unsigned int regions[CRAM_MAX_CXL_REGIONS];	/* N of regionN */
};

static bool cram_cxl_scan_entry(struct dir_context *ctx, const char *name, int len,
				loff_t off, u64 ino, unsigned int type)
{
	struct cram_cxl_scan *scan = container_of(ctx, struct cram_cxl_scan, ctx);
	char buf[24];
	unsigned int id;

	if (len >= sizeof(buf))
		return true;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (len > 3 && !strncmp(buf, "mem", 3) && isdigit(buf[3]))
		scan->memdevs++;
	else if (sscanf(buf, "region%u", &id) == 1 && scan->nr_regions < CRAM_MAX_CXL_REGIONS)
		scan->regions[scan->nr_regions++] = id;
	return true;
}

static void cram_cxl_scan(struct cram_cxl_scan *scan)
{
	struct file *dir = filp_open(CXL_SYSFS, O_RDONLY | O_DIRECTORY, 0);

	scan->ctx.actor = cram_cxl_scan_entry;
	if (IS_ERR(dir))
		return;		/* no CXL bus: no CXL memory device */
	iterate_dir(dir, &scan->ctx);
	filp_close(dir, NULL);
}

/* The serial of the memdev behind region id when it has one way (ways), or 0. */
static u64 cram_cxl_region_serial(unsigned int id, unsigned int ways)
{
	char target[32], path[96];
	u64 serial;

	if (ways != 1)
		return 0;	/* several devices (or not known): no one serial */
	snprintf(path, sizeof(path), CXL_SYSFS "region%u/target0", id);
	if (cram_read_text(path, target, sizeof(target)))
		return 0;
	snprintf(path, sizeof(path), CXL_SYSFS "%s/../uport/serial", strim(target));
	if (cram_read_u64(path, &serial))
		return 0;
	return serial;
}

/* The CXL region (N of regionN) that holds [start, start + size), or -1. */
static int cram_range_region(const struct cram_cxl_scan *scan, u64 start, u64 size)
{
	u64 rstart, rsize;
	char path[96];
	unsigned int i;

	for (i = 0; i < scan->nr_regions; i++) {
		snprintf(path, sizeof(path), CXL_SYSFS "region%u/resource", scan->regions[i]);
		if (cram_read_u64(path, &rstart))
			continue;
		snprintf(path, sizeof(path), CXL_SYSFS "region%u/size", scan->regions[i]);
		if (cram_read_u64(path, &rsize))
			continue;
		if (start >= rstart && start - rstart + size <= rsize)
			return scan->regions[i];
	}
	return -1;
}

/*** watch: learning that the CXL core takes the range away ***/

#if IS_ENABLED(CONFIG_CXL_BUS)
CRAM_IMPORT_NS_CXL();	/* cxl_bus_type (and the tests' cxl_mem_active_inc/dec) */

/* the regions whose devices the notifier matches; cram_watch_lock guards the array */
static struct cram_region *cram_watched[CRAM_MAX_REGIONS];
static unsigned int cram_nr_watched;
static DEFINE_MUTEX(cram_watch_lock);

static void cram_watch_add(struct cram_region *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->nr_watched; i++)
		if (!strcmp(r->watched[i], name))
			return;
	if (r->nr_watched < CRAM_REGION_WATCHED)
		strscpy(r->watched[r->nr_watched++], name, CRAM_REGION_DEV_NAME);
	else
		pr_warn("region=%s: too many CXL devices to watch; %s is not\n", r->name, name);
}

/* The device named so on the CXL bus, and its ancestors there. */
static void cram_watch_lineage(struct cram_region *r, const char *name)
{
	struct device *dev, *d;

	dev = bus_find_device_by_name(&cxl_bus_type, NULL, name);
	if (!dev)
		return;
	for (d = dev; d && d->bus == &cxl_bus_type; d = d->parent)
		cram_watch_add(r, dev_name(d));
	put_device(dev);
}

/* The name of the directory a sysfs path leads to, through its links. */
static int cram_sysfs_name(const char *path, char *buf, size_t len)
{
	struct name_snapshot name;
	struct path p;
	int err;

	err = kern_path(path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	take_dentry_name_snapshot(&name, p.dentry);
	strscpy(buf, name.name.name, len);
	release_dentry_name_snapshot(&name);
	path_put(&p);
	return 0;
}

/*
 * What to watch for region N. The CXL core stops decoding a region's range when it
 * resets its decoders: at commit=0, once the region driver is released (cxl
 * destroy-region runs disable-region, that release, first), and when a target's
 * endpoint decoder goes, which follows its memdev's or a port's removal (PCI unbind,
 * cxl disable-memdev, an unbound port driver). Each of those devices is deleted or
 * unbound before the reset: the region and its ancestors (root decoder, root port),
 * each target's endpoint decoder and its ancestors (endpoint, switch and root ports),
 * each target's memdev.
 */
static void cram_watch_region(struct cram_region *r, unsigned int id)
{
	char name[CRAM_REGION_DEV_NAME], path[96], target[32];
	u64 ways, i;

	snprintf(name, sizeof(name), "region%u", id);
	cram_watch_lineage(r, name);
	snprintf(path, sizeof(path), CXL_SYSFS "region%u/interleave_ways", id);
	if (cram_read_u64(path, &ways))
		ways = 0;
	for (i = 0; i < ways; i++) {
		snprintf(path, sizeof(path), CXL_SYSFS "region%u/target%llu", id, i);
		if (cram_read_text(path, target, sizeof(target)) || !*strim(target))
			continue;
		cram_watch_lineage(r, strim(target));
		snprintf(path, sizeof(path), CXL_SYSFS "%s/../uport", strim(target));
		if (!cram_sysfs_name(path, name, sizeof(name)))
			cram_watch_add(r, name);
	}
}

static int cram_watch_event(struct notifier_block *nb, unsigned long action, void *data)
{
	const char *event = action == BUS_NOTIFY_DEL_DEVICE ? "being deleted" :
			    "unbinding from its driver";
	struct device *dev = data;
	struct cram_region *r;
	unsigned int i, j;

	if (action != BUS_NOTIFY_DEL_DEVICE && action != BUS_NOTIFY_UNBIND_DRIVER)
		return NOTIFY_DONE;
	mutex_lock(&cram_watch_lock);	/* one region's drain at a time */
	for (j = 0; j < CRAM_MAX_REGIONS; j++) {
		r = cram_watched[j];
		for (i = 0; r && i < r->nr_watched; i++) {
			if (!strcmp(dev_name(dev), r->watched[i])) {
				r->lost(r, dev_name(dev), event);
				break;
			}
		}
	}
	mutex_unlock(&cram_watch_lock);
	return NOTIFY_DONE;
}

static struct notifier_block cram_watch_nb = { .notifier_call = cram_watch_event };

/*
 * From here until cram_region_unwatch, the removal of a watched device calls r->lost
 * (from the remover's context, with that device's lock held, before the decoders
 * reset). A region disabled before the notifier was in place would give no notice at
 * all: it must still be bound once it is. The notifier is registered with the first
 * region watched and unregistered with the last. Process context (init and exit,
 * one at a time).
 */
int cram_region_watch(struct cram_region *r)
{
	char path[64];
	unsigned int i;
	int err;

	if (!r->nr_watched)
		return 0;	/* no CXL region holds the range: nothing to watch */
	snprintf(path, sizeof(path), CXL_SYSFS "%s/driver", r->watched[0]);
	if (cram_sysfs_name(path, path, sizeof(path))) {
		pr_err("region=%s: CXL %s is disabled (no driver bound); enable it first (cxl enable-region %s)\n",
		       r->name, r->watched[0], r->watched[0]);
		return -ENODEV;
	}
	if (!cram_nr_watched) {
		err = bus_register_notifier(&cxl_bus_type, &cram_watch_nb);
		if (err) {
			pr_err("region=%s: cannot watch the CXL bus for its removal: %d\n",
			       r->name, err);
			return err;
		}
	}
	mutex_lock(&cram_watch_lock);
	for (i = 0; cram_watched[i]; i++)
		;	/* a free place: there are CRAM_MAX_REGIONS, one per region */
	cram_watched[i] = r;
	cram_nr_watched++;
	mutex_unlock(&cram_watch_lock);
	pr_info("region=%s: watching %u devices on the CXL bus (%s ...) for its removal\n",
		r->name, r->nr_watched, r->watched[0]);
	return 0;
}

/* Waits for a notifier call under way (the last one). Process context. */
void cram_region_unwatch(struct cram_region *r)
{
	bool last = false, found = false;
	unsigned int i;

	mutex_lock(&cram_watch_lock);	/* waits for a drain under way */
	for (i = 0; i < CRAM_MAX_REGIONS; i++) {
		if (cram_watched[i] == r) {
			cram_watched[i] = NULL;
			found = true;
		}
	}
	if (found)
		last = !--cram_nr_watched;
	mutex_unlock(&cram_watch_lock);
	if (last)	/* outside the lock: the notifier takes it */
		bus_unregister_notifier(&cxl_bus_type, &cram_watch_nb);
}
#else
static void cram_watch_region(struct cram_region *r, unsigned int id) { }
int cram_region_watch(struct cram_region *r) { return 0; }
void cram_region_unwatch(struct cram_region *r) { }
#endif

/*
 * The region's NUMA node: a dax instance's target_node (the node its memory would
 * join), else the node the firmware gave the range (SRAT, or a CXL window's own).
 */
static int cram_region_node(const struct cram_region *r, bool devdax)
{
	char path[64], text[16];
	int nid;

	snprintf(path, sizeof(path), DAX_SYSFS "%s/target_node", r->name);
	if (devdax && !cram_read_text(path, text, sizeof(text)) &&
	    !kstrtoint(strim(text), 0, &nid) && nid >= 0 && nid < MAX_NUMNODES)
		return nid;
	return phys_to_target_node(r->start);
}

static void cram_region_identify(struct cram_region *r)
{
	struct cram_cxl_scan scan = { };
	char path[64];
	int region;
	u64 ways;

	cram_cxl_scan(&scan);
	r->memdevs = scan.memdevs;
	region = cram_range_region(&scan, r->start, r->size);
	if (region >= 0) {
		snprintf(path, sizeof(path), CXL_SYSFS "region%d/interleave_ways", region);
		if (!cram_read_u64(path, &ways) && ways <= CRAM_REGION_WATCHED)
			r->ways = ways;
		r->serial = cram_cxl_region_serial(region, r->ways);
		cram_watch_region(r, region);
	}
	if (r->serial)
		pr_info("region=%s: on the CXL memory device with serial %#llx (%u in the machine)\n",
			r->name, r->serial, r->memdevs);
	else
		pr_info("region=%s: its CXL memory device is not known (%u in the machine)\n",
			r->name, r->memdevs);
}

int cram_region_claim(const struct cram_region_spec *spec, struct cram_region *r)
{
	u64 start = spec->start, size = spec->size;
	int err;

	memset(r, 0, sizeof(*r));
	if (spec->kind == CRAM_REGION_DEVDAX) {
		strscpy(r->name, spec->dax_name, sizeof(r->name));
		err = cram_dax_range(r->name, &start, &size);
		if (err)
			return err;
	} else {
		snprintf(r->name, sizeof(r->name), "%#llx", start);
	}
	err = cram_range_check(r->name, start, size);
	if (err)
		return err;

	if (!request_mem_region_exclusive(start, size, "cram")) {
		pr_err("region=%s (%#llx-%#llx) is busy: another driver holds part of it (see /proc/iomem)%s\n",
		       r->name, start, start + size - 1, spec->kind == CRAM_REGION_DEVDAX ?
		       "; release it with 'daxctl disable-device' first" : "");
		return -EBUSY;
	}
	r->base = memremap(start, size, MEMREMAP_WB);
	if (!r->base) {
		pr_err("region=%s: cannot map %#llx-%#llx write-back\n", r->name, start,
		       start + size - 1);
		release_mem_region(start, size);
		return -ENOMEM;
	}
	r->start = start;
	r->size = size;
	r->nid = cram_region_node(r, spec->kind == CRAM_REGION_DEVDAX);
	cram_region_identify(r);
	return 0;
}

void cram_region_release(struct cram_region *r)
{
	if (!r->base)
		return;
	memunmap(r->base);
	release_mem_region(r->start, r->size);
	r->base = NULL;
}
