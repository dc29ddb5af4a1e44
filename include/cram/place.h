/* SPDX-License-Identifier: GPL-2.0 */
/*
 * place.h - which CXL device takes a page, when cram has several (one or more per
 * socket, each its own NUMA node): the devices that admit a page, nearest to the
 * page's node first (the kernel's node_distance()), a tie to the one with the most
 * projected room, then to the lower index, so the order is stable. The store path
 * tries them in this order: a device that refuses at its admission (its gate closed
 * between the snapshot and the store) passes the page to the next, and when none
 * takes it the DRAM pool does. A device that does not admit (safe mode, at its
 * watermark, region gone) or has no room is left out; one device's state never
 * stops the others.
 *
 * Context: any (reads only its arguments, allocates nothing, takes no lock).
 */
#ifndef CRAM_PLACE_H
#define CRAM_PLACE_H

#include "cram/core_types.h"

#define CRAM_PLACE_MAX_DEVS	16

struct cram_place_dev {
	u32 distance;	/* node_distance(page's node, the device's node) */
	u64 room;	/* pages its projection can still admit; 0: none */
	bool admits;	/* its gate is open: telemetry sane, under its watermark */
};

/*
 * The devices of devs[0..nr) that may take the page, best first, as indices into
 * order[]; returns how many. Only the first CRAM_PLACE_MAX_DEVS are looked at.
 */
unsigned int cram_place_order(const struct cram_place_dev *devs, unsigned int nr, u8 *order);

#endif /* CRAM_PLACE_H */
