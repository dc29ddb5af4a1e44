// SPDX-License-Identifier: GPL-2.0
/*
 * place.c - the placement rule for several CXL devices (include/cram/place.h).
 * An insertion sort of at most CRAM_PLACE_MAX_DEVS candidates: for the one or two
 * devices of a socket, a few compares per store.
 */
#include "cram/place.h"

/* a goes before b */
static bool place_before(const struct cram_place_dev *a, unsigned int ia,
			 const struct cram_place_dev *b, unsigned int ib)
{
	if (a->distance != b->distance)
		return a->distance < b->distance;
	if (a->room != b->room)
		return a->room > b->room;
	return ia < ib;
}

unsigned int cram_place_order(const struct cram_place_dev *devs, unsigned int nr, u8 *order)
{
	unsigned int i, j, n = 0;
	u8 prev;

	if (nr > CRAM_PLACE_MAX_DEVS)
		nr = CRAM_PLACE_MAX_DEVS;
	for (i = 0; i < nr; i++) {
		if (!devs[i].admits || !devs[i].room)
			continue;
		for (j = n; j > 0; j--) {
			prev = order[j - 1];
			if (!place_before(&devs[i], i, &devs[prev], prev))
				break;
			order[j] = prev;
		}
		order[j] = i;
		n++;
	}
	return n;
}
