/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ibt.h - may cram call a resolved, non-exported kernel function through a pointer?
 *
 * On kernels built with CONFIG_X86_KERNEL_IBT, a CPU that enforces IBT traps (#CP) on
 * an indirect call to a function that does not start with ENDBR64, and at boot the
 * kernel "seals" every function whose address is never taken by overwriting its ENDBR.
 * Such calls are allowed only when the target still starts with ENDBR64 and we are
 * not in strict mode. Strict mode behaves as if every resolved function were sealed,
 * on every kernel, IBT or not: tests on CPUs and kernels without IBT then run the
 * paths an enforcing machine would take (a refused call), and see every call made.
 */
#ifndef CRAM_IBT_H
#define CRAM_IBT_H

#include "cram/core_types.h"

#define CRAM_ENDBR64 { 0xf3, 0x0f, 0x1e, 0xfa }

bool cram_ibt_call_allowed(const u8 *target, bool ibt_kernel, bool strict);

#endif /* CRAM_IBT_H */
