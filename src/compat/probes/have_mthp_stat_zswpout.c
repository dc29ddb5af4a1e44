// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MTHP_STAT_ZSWPOUT: zswap_store takes large folios whole (6.13+; it counts them
 * per size as MTHP_STAT_ZSWPOUT), and the kernel invalidates every slot it frees.
 */
#include <linux/mm.h>	/* huge_mm.h is not self-contained */

static const int probe __used = MTHP_STAT_ZSWPOUT;
