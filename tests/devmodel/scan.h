/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan.h - one pass of the device model over the memory it emulates: the physical
 * footprint of every page, recompressing only pages whose contents changed.
 */
#ifndef CRAM_DEVMODEL_SCAN_H
#define CRAM_DEVMODEL_SCAN_H

#include <stdint.h>

struct dm_pages {
	uint64_t nr;		/* pages of the device */
	uint64_t *hash;		/* contents hash at the last compression, per page */
	uint32_t *fp;		/* footprint at the last compression; 0: zero page */
	uint32_t granule;
	char scratch[4200];	/* DM_SCRATCH */
};

struct dm_scan_result {
	uint64_t phys_used;	/* sum of footprints */
	uint64_t logical_used;	/* non-zero pages * 4096 */
	uint64_t compressed;	/* pages (re)compressed by this pass */
};

int dm_pages_init(struct dm_pages *p, uint64_t nr, uint32_t granule);
void dm_pages_free(struct dm_pages *p);

/* Adds pages [first, last) of mem to res; pages outside it count as zero. */
void dm_scan_range(struct dm_pages *p, const uint8_t *mem, uint64_t first, uint64_t last,
		   struct dm_scan_result *res);

#endif
