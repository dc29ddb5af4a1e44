// SPDX-License-Identifier: GPL-2.0
/*
 * syms.c - the private kernel functions cram depends on, resolved once at load.
 *
 * kallsyms_lookup_name is not exported (and is sealed on IBT kernels), so each
 * function is found by registering a kprobe on its name: the kprobe core fills in
 * kp.addr (the fentry site, sym+4 on IBT kernels), which is what ftrace needs.
 * sprint_symbol() (exported) then confirms the name and gives the offset back to
 * the function's start. A symbol that cannot be resolved fails insmod, naming it.
 *
 * Data symbols (cram_sym_data): register_kprobe() looks the name up before it finds
 * the address is not text and fails; the looked-up address stays in kp.addr, and
 * sprint_symbol() must name it exactly, or it is not used.
 *
 * Calls through a resolved pointer go through cram_sym_callable() only (the IBT
 * rule, src/core/ibt.c), which counts them (resolved_calls, _refused). Only the
 * frontswap adapter (6.1, no IBT) makes any: to zswap's originals; on the zswap API
 * (6.12, IBT) there is nothing to chain to.
 *
 * Context: cram_syms_resolve() at init (may sleep); cram_sym_callable() any context.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>

#include "cram.h"
#include "cram/ibt.h"

bool cram_ibt_strict;
module_param_named(ibt_strict, cram_ibt_strict, bool, 0444);
MODULE_PARM_DESC(ibt_strict,
		 "refuse every call through a resolved kernel pointer, as if IBT had sealed its target (on every kernel; only 6.1 makes such calls: to zswap's originals) (default N)");

/* Parse "name+0xOFF/0xSIZE [module]" as printed by sprint_symbol(). */
static int cram_sym_offset(unsigned long addr, const char *name, unsigned long *offset)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	size_t len = strlen(name);

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || buf[len] != '+')
		return -ENOENT;
	slash = strchr(buf + len + 1, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	return kstrtoul(buf + len + 1, 16, offset);
}

int cram_sym_resolve(struct cram_sym *sym)
{
	struct kprobe kp = { .symbol_name = sym->name };
	unsigned long offset;
	int err;

	err = register_kprobe(&kp);
	if (err)
		goto not_found;
	sym->ftrace_ip = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	err = cram_sym_offset(sym->ftrace_ip, sym->name, &offset);
	if (err)
		goto not_found;
	sym->start = sym->ftrace_ip - offset;
	return 0;

not_found:
	pr_err("kernel function %s not found (%d): this kernel is not supported (needs CONFIG_ZSWAP, CONFIG_KPROBES, CONFIG_DYNAMIC_FTRACE)\n",
	       sym->name, err);
	return -ENOENT;
}

/* The address of a kernel variable (needs CONFIG_KALLSYMS_ALL), or NULL. */
void *cram_sym_data(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long offset;

	if (!register_kprobe(&kp)) {	/* text, not data: not what was asked for */
		unregister_kprobe(&kp);
		return NULL;
	}
	if (!kp.addr || cram_sym_offset((unsigned long)kp.addr, name, &offset) || offset)
		return NULL;
	return kp.addr;
}

bool cram_sym_callable(const struct cram_sym *sym)
{
	if (cram_ibt_call_allowed((const u8 *)sym->start,
				  IS_ENABLED(CONFIG_X86_KERNEL_IBT), cram_ibt_strict)) {
		cram_stat_inc(CRAM_STAT_RESOLVED_CALLS);
		return true;
	}
	cram_stat_inc(CRAM_STAT_RESOLVED_CALLS_REFUSED);
	pr_warn_ratelimited("refusing indirect call to %s: %s\n", sym->name,
			    cram_ibt_strict ? "ibt_strict treats it as sealed" :
					      "sealed under IBT");
	return false;
}

/* The address of zswap's count of stored pages (compat.h reads it), or NULL, said. */
const void *cram_zswap_counter(void)
{
	const void *addr = cram_sym_data("zswap_stored_pages");

	if (!addr)
		pr_err("kernel variable zswap_stored_pages not found: this kernel is not supported (needs CONFIG_ZSWAP, CONFIG_KALLSYMS_ALL)\n");
	return addr;
}
