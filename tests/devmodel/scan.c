// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - a pass over the device's memory. A page is hashed every pass (one read,
 * at memory speed) and recompressed only when its hash changed, so a pass over
 * unchanged memory costs a read of it.
 */
#include <stdlib.h>

#include "footprint.h"
#include "scan.h"

int dm_pages_init(struct dm_pages *p, uint64_t nr, uint32_t granule)
{
	p->nr = nr;
	p->granule = granule;
	p->hash = calloc(nr, sizeof(*p->hash));
	p->fp = calloc(nr, sizeof(*p->fp));
	return p->hash && p->fp ? 0 : -1;
}

void dm_pages_free(struct dm_pages *p)
{
	free(p->hash);
	free(p->fp);
}

void dm_scan_range(struct dm_pages *p, const uint8_t *mem, uint64_t first, uint64_t last,
		   struct dm_scan_result *res)
{
	const uint8_t *page;
	uint64_t i, h;
	int nonzero;

	for (i = first; i < last && i < p->nr; i++) {
		page = mem + i * DM_PAGE;
		h = dm_page_hash(page, &nonzero);
		if (!nonzero) {
			p->fp[i] = 0;
			p->hash[i] = 0;
			continue;
		}
		if (h != p->hash[i] || !p->fp[i]) {
			p->fp[i] = dm_nonzero_footprint(page, p->granule, p->scratch);
			p->hash[i] = h;
			res->compressed++;
		}
		res->phys_used += p->fp[i];
		res->logical_used += DM_PAGE;
	}
}
