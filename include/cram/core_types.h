/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core_types.h - the few types and helpers src/core/ needs, mapped to the kernel's in
 * the module build and to libc in the userspace test build. Core code includes this
 * and cram/ headers only, never <linux/...> or libc headers directly.
 */
#ifndef CRAM_CORE_TYPES_H
#define CRAM_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#define U64_MAX UINT64_MAX
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define CRAM_PAGE_SIZE 4096ULL

#endif /* CRAM_CORE_TYPES_H */
