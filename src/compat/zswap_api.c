// SPDX-License-Identifier: GPL-2.0
/*
 * zswap_api.c - cram behind zswap's entry points (6.5+; Debian's 6.12), which the swap
 * core calls directly: swap_writepage -> zswap_store, swap_read_folio -> zswap_load,
 * slot freeing -> zswap_invalidate. cram's functions replace them while loaded; the
 * originals are never called (they are sealed under IBT).
 *
 * Context (see shared/HOOKS.md): store and load with the folio locked, may sleep;
 * invalidate in atomic context.
 */
#include "compat.h"

#ifdef HAVE_ZSWAP_STORE

#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/zswap.h>

#include "cram.h"

static bool cram_zswap_store(struct folio *folio)
{
	int idx = cram_enter();
	bool stored;

	stored = cram_swap_store(swp_type(folio->swap), swp_offset(folio->swap),
				 folio_page(folio, 0), folio_nr_pages(folio));
	cram_leave(idx);
	return stored;
}

/* On success: filled, uptodate, and dirty when exclusive (as zswap_load does). */
static bool cram_zswap_load(struct folio *folio)
{
	bool exclusive = folio_test_swapcache(folio);
	int idx = cram_enter();
	bool loaded;

	loaded = cram_swap_load(swp_type(folio->swap), swp_offset(folio->swap),
				folio_page(folio, 0), exclusive);
	cram_leave(idx);
	if (loaded) {
		if (exclusive)
			folio_mark_dirty(folio);
		folio_mark_uptodate(folio);
	}
	return loaded;
}

static void cram_zswap_invalidate(swp_entry_t swp)
{
	int idx = cram_enter();

	cram_swap_invalidate(swp_type(swp), swp_offset(swp));
	cram_leave(idx);
}

const struct cram_hook_def cram_hook_defs[] = {
	{ "zswap_store", cram_zswap_store },
	{ "zswap_load", cram_zswap_load },
	{ "zswap_invalidate", cram_zswap_invalidate },
};

const unsigned int cram_nr_hook_defs = ARRAY_SIZE(cram_hook_defs);

#endif /* HAVE_ZSWAP_STORE */
