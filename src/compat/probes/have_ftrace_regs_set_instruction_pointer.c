// SPDX-License-Identifier: GPL-2.0
/* HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER: the 6.7+ name of the ftrace IP setter. */
#include <linux/ftrace.h>

static void __used probe(struct ftrace_regs *fregs)
{
	ftrace_regs_set_instruction_pointer(fregs, 0);
}
