// SPDX-License-Identifier: GPL-2.0
/* HAVE_ZSWAP_STORE: zswap's entry points are called directly by the swap core (6.5+). */
#include <linux/zswap.h>

static bool (*probe)(struct folio *) __used = zswap_store;
