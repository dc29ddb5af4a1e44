// SPDX-License-Identifier: GPL-2.0
/*
 * zswap_api.c - cram behind zswap's entry points (6.5+; Debian's 6.12), which the swap
 * core calls directly: swap_writepage -> zswap_store, swap_read_folio -> zswap_load,
 * slot freeing -> zswap_invalidate. cram's functions replace them while loaded; cram
 * never calls the originals (they are sealed under IBT), but lets a load or
 * invalidate of a page zswap still holds go on to them (the arming window, below).
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
 * The arming window (docs/DESIGN.md, "Arming vs zswap"): a zswap_store() that read
 * zswap's "enabled" before it was switched off may still be running when cram's
 * checks see zswap empty and its hooks go live; its page then sits in zswap, where
 * cram's load would miss it and the kernel read the disk. So zswap keeps what it
 * holds: a load or invalidate of a slot in zswap's tree goes to zswap's function,
 * which reads or frees its own entry. zswap holds nothing else while cram is loaded
 * (cram refuses to load over its pages, and no store reaches it after), so the tree
 * is looked at only while zswap's counter is not 0, which zswap_store raises before
 * it returns, before the page can leave the swap cache and be loaded: otherwise one
 * read of a line nobody writes. Runs in ftrace's callback: any context, no sleeping.
 */
/* mm-private: SWAP_ADDRESS_SPACE_SHIFT in 6.12's mm/swap.h, 7.x's own in mm/zswap.c */
#define CRAM_ZSWAP_TREE_SHIFT	14

static const void *cram_zswap_counter_addr;
static struct xarray **cram_zswap_trees;	/* zswap_trees[MAX_SWAPFILES] */
static const unsigned int *cram_zswap_nr_trees;	/* nr_zswap_trees[MAX_SWAPFILES] */

static bool cram_zswap_holds(swp_entry_t swp)
{
	unsigned int type = swp_type(swp);
	pgoff_t i = swp_offset(swp) >> CRAM_ZSWAP_TREE_SHIFT;
	struct xarray *trees;

	if (likely(!cram_zswap_stored_pages(cram_zswap_counter_addr)) || type >= MAX_SWAPFILES)
		return false;
	trees = READ_ONCE(cram_zswap_trees[type]);
	if (!trees || i >= READ_ONCE(cram_zswap_nr_trees[type]))
		return false;
	if (!xa_load(&trees[i], swp_offset(swp)))
		return false;
	cram_stat_inc(CRAM_STAT_ZSWAP_PASSED);
	return true;
}

static bool cram_zswap_load_passes(const struct pt_regs *regs)
{
	const struct folio *folio = (void *)regs_get_kernel_argument((struct pt_regs *)regs, 0);

	return cram_zswap_holds(folio->swap);
}

static bool cram_zswap_invalidate_passes(const struct pt_regs *regs)
{
	swp_entry_t swp = { .val = regs_get_kernel_argument((struct pt_regs *)regs, 0) };

	return cram_zswap_holds(swp);
}

static int cram_zswap_find_tree(void)
{
	cram_zswap_counter_addr = cram_zswap_counter();
	if (!cram_zswap_counter_addr)
		return -ENOENT;
	cram_zswap_trees = cram_sym_data("zswap_trees");
	cram_zswap_nr_trees = cram_sym_data("nr_zswap_trees");
	if (cram_zswap_trees && cram_zswap_nr_trees)
		return 0;
	pr_err("kernel variables zswap_trees, nr_zswap_trees not both found: this kernel is not supported (needs CONFIG_ZSWAP, CONFIG_KALLSYMS_ALL)\n");
	return -ENOENT;
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

	if (!err)
		return cram_zswap_find_tree();
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
	{ "zswap_load", cram_zswap_load, .passes = cram_zswap_load_passes },
	{ "zswap_invalidate", cram_zswap_invalidate, .passes = cram_zswap_invalidate_passes },
};

const unsigned int cram_nr_hook_defs = ARRAY_SIZE(cram_hook_defs);

#endif /* HAVE_ZSWAP_STORE */
