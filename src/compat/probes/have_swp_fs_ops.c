// SPDX-License-Identifier: GPL-2.0
/* HAVE_SWP_FS_OPS: a swap file doing its own I/O is flagged SWP_FS_OPS (until 7.2). */
#include <linux/swap.h>

static const unsigned long probe __used = SWP_FS_OPS;
