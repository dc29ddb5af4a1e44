// SPDX-License-Identifier: GPL-2.0
/*
 * frontswap_api.c - cram behind frontswap (Debian's 6.1), whose one backend is always
 * zswap: cram redirects zswap's frontswap functions. What cram does not hold is
 * chained to zswap's original (6.1 has no IBT), so anything zswap holds stays
 * reachable; stores are never chained: a page cram declines goes to disk.
 *
 * frontswap keeps its own per-slot bitmap: it invalidates an old copy before a store
 * to the same slot, and loads are not exclusive (the entry lives until invalidated).
 *
 * Context: store/load may sleep; invalidate_page runs under si->lock (atomic);
 * invalidate_area at swapoff.
 */
#include "compat.h"

#ifdef HAVE_FRONTSWAP

#include <linux/frontswap.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>

#include "cram.h"

enum { HOOK_STORE, HOOK_LOAD, HOOK_INVALIDATE_PAGE, HOOK_INVALIDATE_AREA };

typedef int (*cram_fs_load_fn)(unsigned int, pgoff_t, struct page *);
typedef void (*cram_fs_invalidate_page_fn)(unsigned int, pgoff_t);
typedef void (*cram_fs_invalidate_area_fn)(unsigned int);

static int cram_fs_store(unsigned int type, pgoff_t offset, struct page *page)
{
	int idx = cram_enter();
	bool stored;

	stored = cram_swap_store(type, offset, page, thp_nr_pages(page));
	cram_test_tail_sleep();
	cram_leave(idx);
	cram_test_tail_spin();
	return stored ? 0 : -1;
}

/*
 * frontswap has no error return (anything but 0 reads the disk slot, which holds
 * another page's old data when cram held this one): an unreadable page reads back
 * as zeros, reported in dmesg by cram_swap_load.
 */
static int cram_fs_load(unsigned int type, pgoff_t offset, struct page *page)
{
	const struct cram_sym *zswap_load = cram_hook_original(HOOK_LOAD);
	int idx = cram_enter();
	int err, ret = -1;

	err = cram_swap_load(type, offset, page, false);
	if (err == -EIO)
		clear_highpage(page);
	if (err != -ENOENT) {
		ret = 0;
	} else if (cram_sym_callable(zswap_load)) {
		ret = ((cram_fs_load_fn)zswap_load->start)(type, offset, page);
		if (!ret)
			cram_stat_inc(CRAM_STAT_LOAD_CHAINED);
	}
	cram_leave(idx);
	return ret;
}

static void cram_fs_invalidate_page(unsigned int type, pgoff_t offset)
{
	const struct cram_sym *orig = cram_hook_original(HOOK_INVALIDATE_PAGE);
	int idx = cram_enter();

	cram_swap_invalidate(type, offset);
	if (cram_sym_callable(orig))
		((cram_fs_invalidate_page_fn)orig->start)(type, offset);
	cram_leave(idx);
}

static void cram_fs_invalidate_area(unsigned int type)
{
	const struct cram_sym *orig = cram_hook_original(HOOK_INVALIDATE_AREA);
	int idx = cram_enter();

	cram_swap_invalidate_area(type);
	if (cram_sym_callable(orig))
		((cram_fs_invalidate_area_fn)orig->start)(type);
	cram_leave(idx);
}

int cram_hooks_prepare(void)
{
	return 0;	/* nothing to prepare: 6.1 swaps in order-0 pages only */
}

/*
 * ftrace calls a replacement with the hooked function's arguments, by address: a
 * prototype that drifted from the kernel's would still build and link. zswap's
 * functions are static; their types are those of frontswap_ops, which they fill.
 */
#define CRAM_FS_OPS ((struct frontswap_ops *)NULL)
static_assert(__same_type(CRAM_FS_OPS->store, &cram_fs_store));
static_assert(__same_type(CRAM_FS_OPS->load, &cram_fs_load));
static_assert(__same_type(CRAM_FS_OPS->invalidate_page, &cram_fs_invalidate_page));
static_assert(__same_type(CRAM_FS_OPS->invalidate_area, &cram_fs_invalidate_area));

const struct cram_hook_def cram_hook_defs[] = {
	[HOOK_STORE] = { "zswap_frontswap_store", cram_fs_store, .stores = true },
	[HOOK_LOAD] = { "zswap_frontswap_load", cram_fs_load },
	[HOOK_INVALIDATE_PAGE] = { "zswap_frontswap_invalidate_page", cram_fs_invalidate_page },
	[HOOK_INVALIDATE_AREA] = { "zswap_frontswap_invalidate_area", cram_fs_invalidate_area },
};

const unsigned int cram_nr_hook_defs = ARRAY_SIZE(cram_hook_defs);

#endif /* HAVE_FRONTSWAP */
