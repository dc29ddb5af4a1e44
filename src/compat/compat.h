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
#include <linux/syscore_ops.h>

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
 * Large folios. From 6.13 the kernel offers zswap_store whole mTHP folios, which
 * zswap stores all or nothing (it counts them as MTHP_STAT_ZSWPOUT), and frees
 * every slot of a large folio with zswap_invalidate: cram stores them whole, in one
 * tier. 6.12's zswap_store refuses them, and its put_swap_folio() frees a large
 * folio's slots without zswap_invalidate: an entry there would outlive its slot.
 * cram declines.
 */
#ifdef HAVE_MTHP_STAT_ZSWPOUT
#define CRAM_LARGE_FOLIOS	true
#else
#define CRAM_LARGE_FOLIOS	false
#endif

/* nth_page() went away in 6.18, when a folio's pages became contiguous in the memmap */
#ifndef nth_page
#define nth_page(page, n)	((page) + (n))
#endif

/* A symbol namespace is named bare up to 6.12, as a string literal from 6.13. */
#ifdef HAVE_MODULE_IMPORT_NS_IDENT
#define CRAM_IMPORT_NS_CXL()	MODULE_IMPORT_NS(CXL)
#else
#define CRAM_IMPORT_NS_CXL()	MODULE_IMPORT_NS("CXL")
#endif

/*
 * Can cram write a swap device's slots with its own bios (the block device under its
 * extents), or does a filesystem do the device's I/O (NFS: swap_rw)? Up to 7.2 such
 * a device is flagged SWP_FS_OPS; from 7.3 its si->ops is the filesystem's, not the
 * kernel's swap_bdev_ops (not exported: its address comes from cram_sym_data()).
 */
#ifdef HAVE_SWP_FS_OPS
#define cram_swap_bdev_ops_name	NULL
static inline bool cram_swap_bdev_io(const struct swap_info_struct *si, const void *bdev_ops)
{
	return !(si->flags & SWP_FS_OPS);
}
#else
#define cram_swap_bdev_ops_name	"swap_bdev_ops"
static inline bool cram_swap_bdev_io(const struct swap_info_struct *si, const void *bdev_ops)
{
	return bdev_ops && (const void *)si->ops == bdev_ops;
}
#endif

/*
 * zswap's count of stored pages, at an address found with cram_sym_data() (it is not
 * exported): atomic_t up to 6.12, atomic_long_t later. The header's declaration gives
 * the type without referencing the symbol.
 */
#define cram_zswap_stored_pages(addr) \
	((unsigned long)READ_ONCE(((typeof(zswap_stored_pages) *)(addr))->counter))

/*
 * A syscore suspend callback (pm.c): registered as its own struct syscore_ops and
 * called without arguments up to 6.1; registered through a struct syscore, whose
 * data it gets, on Debian's 6.12.118 and 7.x. CRAM_SYSCORE(name, fn) defines the
 * registration object name, whose suspend step calls int fn(void).
 */
#ifdef HAVE_REGISTER_SYSCORE
#define CRAM_SYSCORE(name, fn)							\
	static int name##_suspend(void *data) { return fn(); }			\
	static const struct syscore_ops name##_ops = { .suspend = name##_suspend };	\
	static struct syscore name = { .ops = &name##_ops }
#define cram_syscore_register(s)	register_syscore(s)
#define cram_syscore_unregister(s)	unregister_syscore(s)
#else
#define CRAM_SYSCORE(name, fn)							\
	static int name##_suspend(void) { return fn(); }			\
	static struct syscore_ops name = { .suspend = name##_suspend }
#define cram_syscore_register(s)	register_syscore_ops(s)
#define cram_syscore_unregister(s)	unregister_syscore_ops(s)
#endif

/*
 * CONFIG_CXL_SUSPEND's count of bound cxl_mem devices (drivers/cxl/core/suspend.c,
 * built in, exported to namespace CXL, declared only in drivers/cxl/cxlmem.h): the
 * tests' build uses it (testhooks.c).
 */
void cxl_mem_active_inc(void);
void cxl_mem_active_dec(void);

/*
 * The CXL bus (drivers/cxl/core/port.c: built in on Debian's kernels, exported to
 * namespace CXL, declared only in drivers/cxl/cxl.h): region.c watches it for the
 * removal of the devices that decode cram's region. Declared as 6.1 and 6.12 define
 * it, not const (7.x's is const; the symbol is the same), as 6.1's bus API takes it.
 */
extern struct bus_type cxl_bus_type;

#endif /* CRAM_COMPAT_H */
