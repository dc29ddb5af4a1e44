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
 * Context: claim and release run at module init/exit (process context, may sleep).
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/slab.h>

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

/* The serial of the memdev behind a region of one way, or 0. */
static u64 cram_cxl_region_serial(unsigned int id)
{
	char target[32], path[96];
	u64 ways, serial;

	snprintf(path, sizeof(path), CXL_SYSFS "region%u/interleave_ways", id);
	if (cram_read_u64(path, &ways) || ways != 1)
		return 0;	/* several devices: no one serial */
	snprintf(path, sizeof(path), CXL_SYSFS "region%u/target0", id);
	if (cram_read_text(path, target, sizeof(target)))
		return 0;
	snprintf(path, sizeof(path), CXL_SYSFS "%s/../uport/serial", strim(target));
	if (cram_read_u64(path, &serial))
		return 0;
	return serial;
}

/* The serial of the one CXL memory device whose region holds [start, start + size). */
static u64 cram_range_serial(const struct cram_cxl_scan *scan, u64 start, u64 size)
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
			return cram_cxl_region_serial(scan->regions[i]);
	}
	return 0;
}

static void cram_region_identify(struct cram_region *r)
{
	struct cram_cxl_scan scan = { };

	cram_cxl_scan(&scan);
	r->memdevs = scan.memdevs;
	r->serial = cram_range_serial(&scan, r->start, r->size);
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
