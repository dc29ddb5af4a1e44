// SPDX-License-Identifier: GPL-2.0
/* HAVE_FRONTSWAP: the frontswap backend API exists (6.1; removed in 6.5). */
#include <linux/frontswap.h>

static struct frontswap_ops probe_ops __used;
