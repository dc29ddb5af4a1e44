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
#define pr_fmt(fmt) "cram: " fmt

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
	cram_test_tail_sleep();
	cram_leave(idx);
	cram_test_tail_spin();
	return stored;
}

/* cram's answer for one folio: 0 filled, -ENOENT not cram's, -EIO cannot deliver. */
static int cram_zswap_fill(struct folio *folio)
{
	unsigned int type = swp_type(folio->swap);
	pgoff_t offset = swp_offset(folio->swap);
	bool exclusive = folio_test_swapcache(folio);
	int idx = cram_enter();
	int err;

	if (folio_test_large(folio))	/* not with zswap_ever_enabled set, see below */
		err = cram_swap_holds(type, offset, folio_nr_pages(folio)) ? -EIO : -ENOENT;
	else
		err = cram_swap_load(type, offset, folio_page(folio, 0), exclusive);
	cram_leave(idx);
	if (!err) {
		if (exclusive)
			folio_mark_dirty(folio);
		folio_mark_uptodate(folio);
	}
	return err;
}

#ifdef HAVE_ZSWAP_LOAD_INT
/*
 * zswap_load's contract from 6.15 on, as mm/zswap.c keeps it: 0 filled, uptodate and
 * unlocked; -ENOENT not cram's, the folio still locked (the kernel reads the disk);
 * another error: unlocked, not uptodate, the task gets SIGBUS.
 */
static int cram_zswap_load(struct folio *folio)
{
	int err = cram_zswap_fill(folio);

	if (err != -ENOENT)
		folio_unlock(folio);
	return err;
}
#else
/*
 * true and uptodate: filled (and dirty when exclusive, as zswap_load does).
 * true, not uptodate: cram holds the slot but cannot deliver it (unreadable, or a
 * large folio cram holds only part of); the kernel reports an I/O error (SIGBUS),
 * exactly as zswap does. false: not cram's, the kernel reads the disk.
 */
static bool cram_zswap_load(struct folio *folio)
{
	return cram_zswap_fill(folio) != -ENOENT;
}
#endif

static void cram_zswap_invalidate(swp_entry_t swp)
{
	int idx = cram_enter();

	cram_swap_invalidate(swp_type(swp), swp_offset(swp));
	cram_leave(idx);
}

/*
 * The swap-in path reads large folios only while zswap_never_enabled(); a folio cram
 * holds part of could not be filled. Writing zswap's "enabled" parameter after boot
 * creates zswap's pool, which sets zswap_ever_enabled for good, and writing N keeps
 * zswap off: the static key itself is a private symbol. Without it cram must not arm.
 */
int cram_hooks_prepare(void)
{
	int err = cram_test_prepare_fault() ?:
		  cram_write_text("/sys/module/zswap/parameters/enabled", "N");

	if (err)
		pr_err("cannot write zswap's enabled parameter (%d): without it the kernel may swap in large folios cram cannot fill; not loading\n",
		       err);
	return err;
}

/*
 * ftrace calls a replacement with the hooked function's arguments, by address: a
 * prototype that drifted from the kernel's would still build and link. So each is
 * checked against the kernel's declaration here.
 */
static_assert(__same_type(&zswap_store, &cram_zswap_store));
static_assert(__same_type(&zswap_load, &cram_zswap_load));
static_assert(__same_type(&zswap_invalidate, &cram_zswap_invalidate));

const struct cram_hook_def cram_hook_defs[] = {
	{ "zswap_store", cram_zswap_store, .stores = true },
	{ "zswap_load", cram_zswap_load },
	{ "zswap_invalidate", cram_zswap_invalidate },
};

const unsigned int cram_nr_hook_defs = ARRAY_SIZE(cram_hook_defs);

#endif /* HAVE_ZSWAP_STORE */
