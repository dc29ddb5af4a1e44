// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_REGISTER_SYSCORE: syscore ops are registered through a struct syscore and get
 * its data pointer (Debian's 6.12.118 and 7.x); register_syscore_ops() before (6.1).
 */
#include <linux/syscore_ops.h>

static struct syscore probe_syscore __used;
