// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - redirect the kernel's swap entry points to cram with ftrace.
 *
 * Each hook is an IPMODIFY ftrace_ops on one resolved function; its callback moves
 * the instruction pointer to cram's replacement, which then runs in place of the
 * original with the original's arguments (reached by RET, not an indirect call, so
 * the redirect itself is IBT-safe). Calls made by cram itself (chaining on 6.1) are
 * let through to the original.
 *
 * The replacements run inside cram_srcu read sections. Removal: unregister every
 * ops (ftrace waits until no task is in the callback or trampoline), then
 * synchronize_srcu(), so no task is inside cram when its code and data go away.
 *
 * Context: install/remove at init/exit (may sleep); the callback runs wherever the
 * hooked function is called (atomic for invalidate) and takes no locks.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/ftrace.h>
#include <linux/module.h>

#include "cram.h"
#include "compat.h"

DEFINE_SRCU(cram_srcu);

struct cram_hook {
	const struct cram_hook_def *def;
	struct cram_sym sym;
	struct ftrace_ops ops;
	bool registered;
};

static struct cram_hook cram_hooks[CRAM_MAX_HOOKS];
static unsigned int cram_nr_installed;

static void notrace cram_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct cram_hook *hook = container_of(ops, struct cram_hook, ops);

	if (within_module(parent_ip, THIS_MODULE))
		return;
	ftrace_regs_set_instruction_pointer(fregs, (unsigned long)hook->def->replacement);
}

const struct cram_sym *cram_hook_original(unsigned int idx)
{
	return &cram_hooks[idx].sym;
}

static int cram_hook_register(struct cram_hook *hook)
{
	int err;

	hook->ops.func = cram_ftrace_thunk;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
			  FTRACE_OPS_FL_IPMODIFY;
	err = ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 0, 0);
	if (err) {
		pr_err("cannot trace %s (%d)\n", hook->sym.name, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		pr_err("cannot redirect %s (%d)%s\n", hook->sym.name, err,
		       err == -EBUSY ? ": another IPMODIFY user (livepatch?) owns it" : "");
		ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 1, 0);
		return err;
	}
	hook->registered = true;
	return 0;
}

static void cram_hook_unregister(struct cram_hook *hook)
{
	if (!hook->registered)
		return;
	unregister_ftrace_function(&hook->ops);
	ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 1, 0);
	hook->registered = false;
}

/* Resolve every hooked function first: a missing one fails before anything changes. */
int cram_hooks_install(void)
{
	unsigned int i;
	int err;

	if (WARN_ON(cram_nr_hook_defs > CRAM_MAX_HOOKS))
		return -EINVAL;
	for (i = 0; i < cram_nr_hook_defs; i++) {
		cram_hooks[i].def = &cram_hook_defs[i];
		cram_hooks[i].sym = (struct cram_sym){ .name = cram_hook_defs[i].name };
		err = cram_sym_resolve(&cram_hooks[i].sym);
		if (err)
			return err;
	}
	for (i = 0; i < cram_nr_hook_defs; i++) {
		err = cram_hook_register(&cram_hooks[i]);
		if (err) {
			cram_nr_installed = i;
			cram_hooks_remove();
			return err;
		}
	}
	cram_nr_installed = cram_nr_hook_defs;
	return 0;
}

void cram_hooks_remove(void)
{
	unsigned int i = cram_nr_installed;

	while (i--)
		cram_hook_unregister(&cram_hooks[i]);
	cram_nr_installed = 0;
	synchronize_srcu(&cram_srcu);
}
