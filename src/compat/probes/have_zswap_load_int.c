// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ZSWAP_LOAD_INT: zswap_load() returns int (0 filled, the folio unlocked by it;
 * -ENOENT not zswap's, still locked; other errors unlocked, not uptodate), not bool.
 */
#include <linux/zswap.h>

static int (*probe)(struct folio *) __used = zswap_load;
