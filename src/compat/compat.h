/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the one place where kernel differences are resolved. Feature macros come
 * from build-time compile tests (one per file in src/compat/probes/, run by
 * scripts/compat-probe into gen/compat_probes.h), never from version numbers.
 */
#ifndef CRAM_COMPAT_H
#define CRAM_COMPAT_H

#include <linux/ftrace.h>
#include <linux/swap.h>		/* zswap_stored_pages on 6.1 */

#include "compat_probes.h"

#ifdef HAVE_ZSWAP_STORE
#include <linux/zswap.h>	/* zswap_stored_pages since zswap_store (6.5+) */
#endif

#if defined(HAVE_ZSWAP_STORE)
#define CRAM_HOOK_API "zswap"		/* zswap_store/load/invalidate */
#elif defined(HAVE_FRONTSWAP)
#define CRAM_HOOK_API "frontswap"	/* frontswap_ops */
#else
#error "cram: this kernel has neither frontswap nor zswap_store: unsupported"
#endif

/* 6.1 calls it ftrace_instruction_pointer_set() */
#ifndef HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER
#define ftrace_regs_set_instruction_pointer(fregs, ip) \
	ftrace_instruction_pointer_set(fregs, ip)
#endif

/*
 * zswap's count of stored pages, at an address found with cram_sym_data() (it is not
 * exported): atomic_t up to 6.12, atomic_long_t later. The header's declaration gives
 * the type without referencing the symbol.
 */
#define cram_zswap_stored_pages(addr) \
	((unsigned long)READ_ONCE(((typeof(zswap_stored_pages) *)(addr))->counter))

/*
 * CONFIG_CXL_SUSPEND's count of bound cxl_mem devices (drivers/cxl/core/suspend.c,
 * built in, exported to namespace CXL, declared only in drivers/cxl/cxlmem.h): the
 * tests' build uses it (testhooks.c).
 */
void cxl_mem_active_inc(void);
void cxl_mem_active_dec(void);

#endif /* CRAM_COMPAT_H */
