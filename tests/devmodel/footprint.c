// SPDX-License-Identifier: GPL-2.0
/*
 * footprint.c - the device model's per-page cost: lz4 (the same algorithm as the
 * kernel's) per 4 KiB page, rounded up to the device's allocation granule.
 */
#include <lz4.h>
#include <string.h>

#include "footprint.h"

uint32_t dm_page_footprint(const void *page, uint32_t granule, char *scratch)
{
	int nonzero;

	dm_page_hash(page, &nonzero);
	return nonzero ? dm_nonzero_footprint(page, granule, scratch) : 0;
}

uint32_t dm_nonzero_footprint(const void *page, uint32_t granule, char *scratch)
{
	int len = LZ4_compress_default(page, scratch, DM_PAGE, DM_SCRATCH);

	if (len <= 0 || len >= DM_PAGE)
		return DM_PAGE;		/* incompressible: stored as it is */
	return ((uint32_t)len + granule - 1) / granule * granule;
}

uint64_t dm_page_hash(const void *page, int *nonzero)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h[4] = { 1, 2, 3, 4 }, any = 0, w[4];
	const unsigned char *p = page;
	int i, j;

	for (i = 0; i < DM_PAGE; i += 32) {
		memcpy(w, p + i, 32);
		for (j = 0; j < 4; j++) {
			any |= w[j];
			h[j] = (h[j] ^ w[j]) * k;
			h[j] ^= h[j] >> 29;
		}
	}
	*nonzero = any != 0;
	return h[0] ^ (h[1] * 3) ^ (h[2] * 5) ^ (h[3] * 7);
}
