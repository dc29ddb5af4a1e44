/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ralloc.h - cram's page allocator over the owned CXL region.
 *
 * Pages are numbered 0..nr_pages-1 (offset >> 12 inside the region). A global free
 * list (LIFO, linked through next[]) sits behind small per-CPU caches, so most
 * allocations and frees touch only the caller's cache; the global lock is taken once
 * per CRAM_RALLOC_BATCH pages. Every operation is O(1) (a batch is bounded).
 *
 * A per-page state byte (state[]) is changed only by atomic exchange, so a page freed
 * twice, or freed without being allocated, is detected even when two CPUs race; the
 * offending free is refused and counted.
 *
 * Deferred frees: a page whose release needs work first (the module zeroes freed CXL
 * pages) is pushed on a lock-free list instead (cram_ralloc_defer: O(1), any
 * context) and stays unavailable, DEFERRED, until its owner takes the whole list
 * (cram_ralloc_take_deferred), does the work and frees each page with
 * cram_ralloc_put_deferred. The list links through next[], which only free pages
 * use otherwise; a page is deferred at most once (the state exchange guards it), and
 * taking the whole list at once leaves no ABA window for the pushes.
 *
 * Pages in use (USED: holding a caller's data) are counted exactly, in one counter,
 * not derived from the lists' counts: a page moving between the deferred list, a
 * cache and the global list is briefly in two counts or none, and a reader summing
 * them (the hibernation guard, which must never see fewer pages than are held) could
 * count up to a batch twice. The counter is raised before cram_ralloc_get returns a
 * page (before its owner writes it) and lowered after the page stops being USED, so
 * it may count a page already freed, never miss one that holds data.
 *
 * Memory: the caller supplies next[] (u32 per page) and state[] (u8 per page) and one
 * struct cram_ralloc_cache per CPU; the allocator allocates nothing.
 *
 * Context: cram_ralloc_get/put never sleep; they may be called in atomic context. The
 * caller must keep the cache private for the duration of a call (the kernel disables
 * preemption around it with get_cpu_ptr(); tests use one cache per thread).
 * Locking: a->lock only, never held across calls.
 */
#ifndef CRAM_RALLOC_H
#define CRAM_RALLOC_H

#include "cram/core_types.h"

#define CRAM_RALLOC_BATCH	16
#define CRAM_RALLOC_CACHE	(2 * CRAM_RALLOC_BATCH)
#define CRAM_RALLOC_NIL		0xffffffffU

enum cram_page_state {
	CRAM_PAGE_FREE = 0,
	CRAM_PAGE_USED = 1,
	CRAM_PAGE_DEFERRED = 2,	/* freed, on the deferred list, not reusable yet */
};

struct cram_ralloc_cache {
	u32 count;
	u32 pages[CRAM_RALLOC_CACHE];
};

struct cram_ralloc {
	cram_lock_t lock;
	u32 free_head;		/* global free list, under lock */
	u64 nr_global_free;	/* pages on the global list, under lock */
	u64 nr_pages;
	u32 *next;		/* free-list links, under lock */
	u8 *state;		/* enum cram_page_state, atomic exchange only */
	cram_counter_t bad_frees;	/* double or wild frees refused */
	u32 deferred;		/* head of the deferred list (cmpxchg/xchg only) */
	cram_counter_t nr_deferred;	/* pages deferred, not yet put */
	cram_counter_t nr_used;		/* pages handed out and not freed (USED) */
};

int cram_ralloc_init(struct cram_ralloc *a, u64 nr_pages, u32 *next, u8 *state);
void cram_ralloc_cache_init(struct cram_ralloc_cache *c);
int cram_ralloc_get(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 *page);
int cram_ralloc_put(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page);
void cram_ralloc_drain(struct cram_ralloc *a, struct cram_ralloc_cache *c);
int cram_ralloc_defer(struct cram_ralloc *a, u32 page);
u32 cram_ralloc_take_deferred(struct cram_ralloc *a);
u32 cram_ralloc_deferred_next(const struct cram_ralloc *a, u32 page);
int cram_ralloc_put_deferred(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page);
u64 cram_ralloc_nr_free_global(struct cram_ralloc *a);
u64 cram_ralloc_nr_used(struct cram_ralloc *a);
u64 cram_ralloc_nr_deferred(struct cram_ralloc *a);

#endif /* CRAM_RALLOC_H */
