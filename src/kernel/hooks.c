// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - redirect the kernel's swap entry points to cram with ftrace.
 *
 * Each hook is an IPMODIFY ftrace_ops on one resolved function; its callback moves
 * the instruction pointer to cram's replacement, which then runs in place of the
 * original with the original's arguments (reached by RET, not an indirect call, so
 * the redirect itself is IBT-safe). Calls made by cram itself (chaining on 6.1) are
 * let through to the original, and so are calls a hook's passes() picks (zswap's own
 * pages from the arming window, zswap_api.c).
 *
 * The ops are FTRACE_OPS_FL_PERMANENT, as livepatch's are: while cram is loaded the
 * kernel refuses `sysctl kernel.ftrace_enabled=0`, which would otherwise switch every
 * redirect off at once and let the kernel read slots cram holds from the disk.
 *
 * Installation order: every hook that finds or drops what cram holds (load,
 * invalidate) goes live before the store hook, and the store hook is the last step
 * of init. Until it is live cram holds nothing, so a load or invalidate that reaches
 * cram early only misses; and a failing registration can unwind everything, since
 * no entry can exist yet.
 *
 * Removal (unload, or init failing): unregister every ops, then wait for every task
 * that may still be in cram's code:
 *   1. synchronize_rcu_tasks(): a task that was sent to a replacement but has not
 *      reached cram_enter() yet cannot sleep voluntarily before it does; once every
 *      task has done so, each is inside the SRCU section or gone.
 *   2. synchronize_srcu(): every replacement body has returned from cram_leave().
 *   3. synchronize_rcu_tasks() again: between cram_leave() and its RET a task cannot
 *      sleep voluntarily either, so this waits until it has left the module text.
 * (ftrace_shutdown() does step 1 itself for module-allocated ops on preemptible
 * kernels; cram does not rely on that detail.)
 *
 * Context: install/remove at init/exit (process context, may sleep); the callback
 * runs wherever the hooked function is called (atomic for invalidate) and takes no
 * locks.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>

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
static unsigned int cram_nr_hooks;	/* of the table installed */

static void notrace cram_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct cram_hook *hook = container_of(ops, struct cram_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);	/* SAVE_REGS: always there */

	if (within_module(parent_ip, THIS_MODULE))
		return;
	if (hook->def->passes && regs && hook->def->passes(regs))
		return;
	ftrace_regs_set_instruction_pointer(fregs, (unsigned long)hook->def->replacement);
}

const struct cram_sym *cram_hook_original(unsigned int idx)
{
	return &cram_hooks[idx].sym;
}

/* EBUSY from register_ftrace_function: ftrace switched off, or another owner */
static const char *cram_hook_busy_why(int err)
{
	char buf[4];

	if (err != -EBUSY)
		return "";
	/* PERMANENT ops are refused while ftrace is off */
	if (!cram_read_text("/proc/sys/kernel/ftrace_enabled", buf, sizeof(buf)) &&
	    buf[0] == '0')
		return ": sysctl kernel.ftrace_enabled is 0; cram needs it on";
	return ": another IPMODIFY user (livepatch?) owns it";
}

static int cram_hook_register(struct cram_hook *hook)
{
	int err;

	hook->ops.func = cram_ftrace_thunk;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
			  FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT;
	err = ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 0, 0);
	if (err) {
		pr_err("cannot trace %s (%d)\n", hook->sym.name, err);
		return err;
	}
	err = cram_test_hook_register_fault(hook->sym.name) ?:
	      register_ftrace_function(&hook->ops);
	if (err) {
		pr_err("cannot redirect %s (%d)%s\n", hook->sym.name, err, cram_hook_busy_why(err));
		ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 1, 0);
		return err;
	}
	WRITE_ONCE(hook->registered, true);
	cram_test_hook_registered();
	return 0;
}

static void cram_hook_unregister(struct cram_hook *hook)
{
	if (!hook->registered)
		return;
	unregister_ftrace_function(&hook->ops);
	ftrace_set_filter_ip(&hook->ops, hook->sym.ftrace_ip, 1, 0);
	WRITE_ONCE(hook->registered, false);
}

/* 0: finds or drops what cram holds; 1: stores; 2: a test hook's unsafe order */
static unsigned int cram_hook_stage(const struct cram_hook_def *def)
{
	if (cram_test_hook_deferred(def->name))
		return 2;
	return def->stores ? 1 : 0;
}

/* Stage by stage, in table order within a stage. */
static int cram_hooks_register(void)
{
	unsigned int stage, i;
	int err;

	for (stage = 0; stage < 3; stage++) {
		for (i = 0; i < cram_nr_hooks; i++) {
			if (cram_hook_stage(cram_hooks[i].def) != stage)
				continue;
			err = cram_hook_register(&cram_hooks[i]);
			if (err)
				return err;
		}
	}
	return 0;
}

/* debugfs config: "hooks_live: F ..." the kernel functions redirected now, in order. */
void cram_hooks_show(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "hooks_live:");
	for (i = 0; i < cram_nr_hooks; i++)
		if (READ_ONCE(cram_hooks[i].registered))
			seq_printf(m, " %s", cram_hooks[i].sym.name);
	seq_putc(m, '\n');
}

/*
 * Install the hooks of defs[0..nr) (this kernel's table, arm.c hands it down).
 * Resolve every hooked function first: a missing one fails before anything changes.
 */
int cram_hooks_install(const struct cram_hook_def *defs, unsigned int nr)
{
	unsigned int i;
	int err;

	if (WARN_ON(nr > CRAM_MAX_HOOKS))
		return -EINVAL;
	cram_nr_hooks = nr;
	for (i = 0; i < nr; i++) {
		cram_hooks[i].def = &defs[i];
		cram_hooks[i].sym = (struct cram_sym){ .name = defs[i].name };
		err = cram_sym_resolve(&cram_hooks[i].sym);
		if (err)
			return err;
	}
	err = cram_hooks_register();
	if (err)
		cram_hooks_remove();
	return err;
}

void cram_hooks_remove(void)
{
	unsigned int i = cram_nr_hooks;

	while (i--)
		cram_hook_unregister(&cram_hooks[i]);
	synchronize_rcu_tasks();	/* every task sent to cram is inside cram_enter() */
	synchronize_srcu(&cram_srcu);	/* ... and has left cram_leave() */
	synchronize_rcu_tasks();	/* ... and has returned from the replacement */
}
