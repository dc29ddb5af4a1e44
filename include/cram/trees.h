/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trees.h - which of a swap type's trees holds a slot, and the order a walk of them
 * resumes in (src/kernel/swap.c keeps the trees). Slots are split by 64 MiB range of
 * offsets, as zswap splits its trees, so one swap device is not one lock: range r in
 * tree r % CRAM_TREES_PER_TYPE. cram sees no swapon to size them by, so a device
 * over 1 GiB (16 ranges) shares the trees round-robin.
 *
 * Context: pure functions.
 */
#ifndef CRAM_TREES_H
#define CRAM_TREES_H

#include "cram/core_types.h"

#define CRAM_TREE_SHIFT		14	/* 16384 slots, 64 MiB: SWAP_ADDRESS_SPACE_SHIFT */
#ifndef CRAM_TREES_PER_TYPE	/* make CRAM_TREES=1: the benchmark's one-tree build */
#define CRAM_TREES_PER_TYPE	16
#endif
#if CRAM_TREES_PER_TYPE < 1
#error "CRAM_TREES_PER_TYPE must be at least 1"
#endif

/* The tree (0..CRAM_TREES_PER_TYPE-1) holding slot offset. */
static inline unsigned int cram_tree_of(u64 offset)
{
	return (offset >> CRAM_TREE_SHIFT) % CRAM_TREES_PER_TYPE;
}

/*
 * The first offset after offset that is in offset's tree: a walk that goes tree by
 * tree resumes there (its next range starts CRAM_TREES_PER_TYPE - 1 ranges on).
 */
static inline u64 cram_tree_next(u64 offset)
{
	u64 next = offset + 1;

	if (next >> CRAM_TREE_SHIFT != offset >> CRAM_TREE_SHIFT)
		next += (u64)(CRAM_TREES_PER_TYPE - 1) << CRAM_TREE_SHIFT;
	return next;
}

#endif /* CRAM_TREES_H */
