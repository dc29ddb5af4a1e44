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
#include <linux/spinlock.h>
#include <linux/atomic.h>

typedef spinlock_t cram_lock_t;
#define cram_lock_init(l)		spin_lock_init(l)
#define cram_lock(l)			spin_lock(l)
#define cram_unlock(l)			spin_unlock(l)
#define cram_xchg_u8(p, v)		xchg(p, v)
#define cram_load_u8(p)			READ_ONCE(*(p))
#define cram_xchg_u32(p, v)		xchg(p, v)
#define cram_load_u32(p)		READ_ONCE(*(p))
#define cram_try_cmpxchg(p, o, n)	try_cmpxchg(p, o, n)	/* u8 or u32 */
#define cram_load_u64(p)		READ_ONCE(*(p))
#define cram_store_u64(p, v)		WRITE_ONCE(*(p), v)
typedef atomic64_t cram_counter_t;
#define cram_counter_set(c, v)		atomic64_set(c, v)
#define cram_counter_inc(c)		atomic64_inc(c)
#define cram_counter_sub(c, n)		atomic64_sub(n, c)
#define cram_counter_read(c)		((u64)atomic64_read(c))
#define cram_counter_add_return(c, n)	((u64)atomic64_add_return(n, c))
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#define U64_MAX UINT64_MAX
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))

#include <pthread.h>
typedef pthread_mutex_t cram_lock_t;
#define cram_lock_init(l)		pthread_mutex_init(l, NULL)
#define cram_lock(l)			pthread_mutex_lock(l)
#define cram_unlock(l)			pthread_mutex_unlock(l)
#define cram_xchg_u8(p, v)		__atomic_exchange_n(p, v, __ATOMIC_ACQ_REL)
#define cram_load_u8(p)			__atomic_load_n(p, __ATOMIC_RELAXED)
#define cram_xchg_u32(p, v)		__atomic_exchange_n(p, v, __ATOMIC_ACQ_REL)
#define cram_load_u32(p)		__atomic_load_n(p, __ATOMIC_RELAXED)
#define cram_try_cmpxchg(p, o, n) \
	__atomic_compare_exchange_n(p, o, n, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)
#define cram_load_u64(p)		__atomic_load_n(p, __ATOMIC_RELAXED)
#define cram_store_u64(p, v)		__atomic_store_n(p, v, __ATOMIC_RELAXED)
typedef u64 cram_counter_t;
#define cram_counter_set(c, v)		__atomic_store_n(c, v, __ATOMIC_RELAXED)
#define cram_counter_inc(c)		((void)__atomic_add_fetch(c, 1, __ATOMIC_RELAXED))
#define cram_counter_sub(c, n)		((void)__atomic_sub_fetch(c, n, __ATOMIC_RELAXED))
#define cram_counter_read(c)		__atomic_load_n(c, __ATOMIC_RELAXED)
#define cram_counter_add_return(c, n)	__atomic_add_fetch(c, n, __ATOMIC_SEQ_CST)
#endif

#define CRAM_PAGE_SIZE 4096ULL

#endif /* CRAM_CORE_TYPES_H */
