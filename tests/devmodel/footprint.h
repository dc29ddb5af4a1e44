/* SPDX-License-Identifier: GPL-2.0 */
/*
 * footprint.h - what a compressing device spends on one 4 KiB page, and how the
 * model notices that a page changed.
 */
#ifndef CRAM_DEVMODEL_FOOTPRINT_H
#define CRAM_DEVMODEL_FOOTPRINT_H

#include <stdint.h>

#define DM_PAGE 4096

/* Scratch space dm_page_footprint() needs (LZ4_compressBound(4096)). */
#define DM_SCRATCH 4200

/*
 * Physical bytes the page costs: 0 for an all-zero page, else its lz4-compressed size
 * rounded up to granule, never more than the page itself (stored raw).
 */
uint32_t dm_page_footprint(const void *page, uint32_t granule, char *scratch);

/* The same for a page already known to be non-zero (the scan has hashed it). */
uint32_t dm_nonzero_footprint(const void *page, uint32_t granule, char *scratch);

/*
 * One pass over the page: *nonzero says whether any byte is set; returns a 64-bit
 * hash of the contents (4 independent lanes, so the pass runs at memory speed).
 */
uint64_t dm_page_hash(const void *page, int *nonzero);

#endif
