/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - validation of cram's configuration (module parameters), kept in
 * src/core/ so the rules are unit-tested in userspace and the module applies the
 * very same code.
 *
 * Every checker returns 0 or -EINVAL; on -EINVAL *why points to a static sentence
 * saying what is wrong, for the caller to print.
 */
#ifndef CRAM_CONFIG_H
#define CRAM_CONFIG_H

#include "cram/core_types.h"

#define CRAM_REGION_ARG_MAX 64

enum cram_region_kind {
	CRAM_REGION_NONE,	/* no CXL tier configured */
	CRAM_REGION_DEVDAX,	/* a device-dax instance, "daxX.Y" */
	CRAM_REGION_PHYS,	/* a physical range, "SIZE@START" */
};

struct cram_region_spec {
	enum cram_region_kind kind;
	char dax_name[16];	/* CRAM_REGION_DEVDAX */
	u64 start;		/* CRAM_REGION_PHYS: bytes, page aligned */
	u64 size;		/* CRAM_REGION_PHYS: bytes, page aligned, > 0 */
};

int cram_region_parse(const char *arg, struct cram_region_spec *spec, const char **why);
/*
 * The CXL tier's region, once its range is known (from sysfs for daxX.Y, from the
 * parameter for SIZE@START): page aligned, at least CRAM_REGION_MIN_BYTES, and no
 * more pages than the region allocator can number (u32, see cram/ralloc.h).
 */
#define CRAM_REGION_MIN_BYTES	(1024ULL * 1024)
#define CRAM_REGION_MAX_PAGES	0xfffffffeULL
int cram_region_range_check(u64 start, u64 size, const char **why);

/*
 * regs= names the register block's PCI function: "auto" (or empty: the first
 * 1af4:1110 function whose BAR2 holds a cram register block), "none" (no telemetry),
 * or a PCI name DDDD:BB:DD.F. On success name holds "auto", "none" or the PCI name.
 */
#define CRAM_REGS_NAME_MAX 16
int cram_regs_dev_parse(const char *arg, char name[CRAM_REGS_NAME_MAX], const char **why);

int cram_wm_pct_check(unsigned int pct, const char **why);
int cram_wm_pair_check(unsigned int low_pct, unsigned int high_pct, const char **why);

#endif /* CRAM_CONFIG_H */
