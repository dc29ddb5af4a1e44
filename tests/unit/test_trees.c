// SPDX-License-Identifier: GPL-2.0
/*
 * test_trees.c - cram/trees.h: slots split by 64 MiB range over a swap type's trees,
 * and the cursor a tree-by-tree walk (swap.c cram_swap_held_slots, the drain)
 * resumes from: it stays in the slot's tree and skips none of that tree's slots.
 * Built twice: with the module's 16 trees and as the benchmark's one-tree build
 * (make CRAM_TREES=1; build/unit/test_trees_1tree).
 */
#include "cram/trees.h"
#include "tap.h"

#define RANGE (1ULL << CRAM_TREE_SHIFT)

static void test_ranges_go_round_robin(void)
{
	tap_is_u64(cram_tree_of(0), 0, "slot 0 in tree 0");
	tap_is_u64(cram_tree_of(RANGE - 1), 0, "the whole first 64 MiB in tree 0");
	tap_is_u64(cram_tree_of(RANGE), 1 % CRAM_TREES_PER_TYPE,
		   "the second 64 MiB in the next tree");
	tap_is_u64(cram_tree_of(CRAM_TREES_PER_TYPE * RANGE), 0,
		   "past 1 GiB the ranges share the trees again");
}

/* Every offset of 4 rounds of ranges: next() stays in the tree and skips nothing. */
static void test_cursor_skips_nothing(void)
{
	u64 end = 4 * CRAM_TREES_PER_TYPE * RANGE, o, n, wrong_tree = 0, skipped = 0;
	u64 visited[CRAM_TREES_PER_TYPE] = { 0 };
	unsigned int t;

	for (o = 0; o < end; o++) {
		n = cram_tree_next(o);
		if (cram_tree_of(n) != cram_tree_of(o) || n <= o)
			wrong_tree++;
	}
	/* walk each tree from its first slot by next(): it must meet every slot it holds */
	for (t = 0; t < CRAM_TREES_PER_TYPE; t++)
		for (o = (u64)t * RANGE; o < end; o = cram_tree_next(o))
			visited[t]++;
	for (t = 0; t < CRAM_TREES_PER_TYPE; t++)
		if (visited[t] != end / CRAM_TREES_PER_TYPE)
			skipped++;
	tap_is_u64(wrong_tree, 0, "4 GiB of slots: the next slot is always further on, in the same tree");
	tap_is_u64(skipped, 0, "  and walking a tree by it meets each of its slots once");
}

int main(void)
{
	test_ranges_go_round_robin();
	test_cursor_skips_nothing();
	return tap_done();
}
