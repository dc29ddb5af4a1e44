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
 * region= names one region or several, comma-separated (dax0.0,dax1.0), one per CXL
 * device cram places pages on: each must parse as above, none may be empty, and no
 * two may name the same dax instance or overlapping ranges. nr 0: no CXL tier.
 */
#define CRAM_MAX_REGIONS	8
#define CRAM_REGION_LIST_MAX	256
struct cram_region_list {
	unsigned int nr;
	struct cram_region_spec spec[CRAM_MAX_REGIONS];
};

int cram_region_list_parse(const char *arg, struct cram_region_list *list, const char **why);
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
 * "provider" (telemetry from a provider that registers for the region: a vendor
 * driver or /dev/cram-telemetry, include/cram/telemetry.h), or a PCI name
 * DDDD:BB:DD.F. On success name holds the word or the PCI name.
 */
#define CRAM_REGS_NAME_MAX 16
int cram_regs_dev_parse(const char *arg, char name[CRAM_REGS_NAME_MAX], const char **why);

/*
 * With several regions, regs= is one word for all (auto, none) or one entry per
 * region in region='s order (auto, none or a PCI name each: regs=auto,0000:00:05.0).
 */
struct cram_regs_list {
	unsigned int nr;
	char name[CRAM_MAX_REGIONS][CRAM_REGS_NAME_MAX];
};

int cram_regs_list_parse(const char *arg, struct cram_regs_list *list, const char **why);
/*
 * Once both are known (at load): does the list fit nr_regions, naming no block twice?
 * cram_regs_for() is then region i's entry.
 */
int cram_regs_list_check(const struct cram_regs_list *list, unsigned int nr_regions,
			 const char **why);
const char *cram_regs_for(const struct cram_regs_list *list, unsigned int i);

/*
 * May a region interleaved over ways CXL memory devices (1: one device; 0: in no CXL
 * region) have telemetry regs (its cram_regs_for entry)? A register block describes
 * one device, and an interleaved region puts a share of every page on each: no one
 * block bounds its use. So only regs=none (no telemetry; placements then need
 * trust_capacity=Y, for memory that does not compress) or regs=provider (whose
 * provider reports for the region as a whole) is accepted for one.
 */
int cram_regs_interleave_check(unsigned int ways, const char *regs, const char **why);

int cram_wm_pct_check(unsigned int pct, const char **why);
int cram_wm_pair_check(unsigned int low_pct, unsigned int high_pct, const char **why);

#endif /* CRAM_CONFIG_H */
