/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool.h - layout and accounting of the DRAM fallback pool (zsmalloc-like).
 *
 * Objects (compressed pages) live in zspages: 1..8 order-0 pages treated as one byte
 * range, so an object may span two pages and a class packs its zspage to within
 * less than one object of its end (measured: tests/unit/test_pool.c). Size classes
 * every CRAM_POOL_ALIGN bytes; each class picks the zspage length that wastes least,
 * and size classes with the same zspage length and object count are stored as the
 * largest of them (cram_pool_class_index).
 *
 * Every object starts with an 8-byte header: when allocated, a pointer to its handle
 * (struct cram_pool_handle, kept by the caller, e.g. in its swap entry); when free,
 * a tagged free-list link. The handle says where the object is now, so objects can
 * move (compaction) and the header says whose object this is (writeback).
 *
 * LRU: zspages, most recently allocated into first: each class keeps its own list,
 * and a zspage carries the pool's clock (a counter) from its last allocation, so
 * reclaim takes the coldest of the classes' coldest. Reclaim takes that zspage off
 * the LRU and the class lists and marks it under reclaim: nothing is allocated in
 * it, it is not compacted, and objects freed meanwhile are only marked (deferred), so
 * the zspage's memory and headers stay valid until cram_pool_reclaim_end().
 *
 * Memory: pages and zspage descriptors come from the caller's ops, called with no
 * lock held; the pool allocates nothing else.
 *
 * Locking (inside the pool): one lock per class (zsmalloc's) guards the class's
 * lists and counts, its zspages and the handles of its objects; a handle's class
 * follows from its length, and compaction moves objects only within their class.
 * No call holds two class locks, and none is held while copying an object or calling
 * ops: a copy in or out pins the object's zspage (under the lock; compaction does not
 * empty a pinned zspage), so the object stays where it is while the lock is dropped.
 * The page count and the clock are atomic counters. The caller keeps an object from
 * being freed while it reads or stores it (the kernel: a store's object is not
 * published yet; a load holds its swap tree's lock). Context: no function sleeps
 * (unless ops do); every class lock is a leaf.
 */
#ifndef CRAM_POOL_H
#define CRAM_POOL_H

#include "cram/core_types.h"

#define CRAM_POOL_PAGE		4096U
#define CRAM_POOL_ALIGN		16U	/* class granularity, zsmalloc's on 4 KiB pages */
#define CRAM_POOL_HDR		8U	/* per-object header */
#define CRAM_POOL_MIN_OBJ	32U
#define CRAM_POOL_MAX_OBJ	CRAM_POOL_PAGE
#define CRAM_POOL_MAX_LEN	(CRAM_POOL_MAX_OBJ - CRAM_POOL_HDR)
#define CRAM_POOL_NR_CLASSES	((CRAM_POOL_MAX_OBJ - CRAM_POOL_MIN_OBJ) / CRAM_POOL_ALIGN + 1)
#define CRAM_POOL_MAX_PAGES	8U	/* pages per zspage: zsmalloc's default chain */
#define CRAM_POOL_MAX_OBJS	(CRAM_POOL_MAX_PAGES * CRAM_POOL_PAGE / CRAM_POOL_MIN_OBJ)
#define CRAM_POOL_NR_GROUPS	8U	/* partial zspages by fullness (zsmalloc's groups) */
/* The most a caller's per-object entry may take (the module checks at build time). */
#define CRAM_POOL_ENTRY_BYTES	24U

struct cram_list {
	struct cram_list *next, *prev;
};

struct cram_zspage;

/* Where an object is; owned by the caller, updated by the pool when it moves. */
struct cram_pool_handle {
	struct cram_zspage *zspage;
	u16 idx;		/* object index inside the zspage */
	u16 len;		/* bytes stored (without the header) */
	u32 owner_flags;	/* the caller's; the pool never touches it */
};

struct cram_pool_ops {
	/* one zeroed-or-not 4 KiB page, on node nid if it can (-1: any) */
	void *(*alloc_page)(void *ctx, int nid);
	void (*free_page)(void *ctx, void *page);
	void *(*alloc_zspage)(void *ctx, size_t size);	/* a descriptor */
	void (*free_zspage)(void *ctx, void *zspage);
	/* what reclaim reports for an object: its owner (NULL: the handle's address) */
	u64 (*owner)(void *ctx, const struct cram_pool_handle *h);
};

struct cram_pool_class {
	cram_lock_t lock;	/* everything below but the constants, and the zspages */
	u32 size;		/* object size, header included */
	u8 pages_per_zspage;
	u16 objs_per_zspage;
	/* zspages with free slots, by fullness: [g] holds those with inuse * NR / objs == g */
	struct cram_list partial[CRAM_POOL_NR_GROUPS];
	struct cram_list full;
	struct cram_list lru;	/* head: most recently allocated into */
	u64 nr_free_slots;	/* free slots of the zspages on the partial lists */
	u64 nr_zspages;		/* including those under reclaim */
	u64 nr_objs;		/* allocated, not freed (a deferred free is freed) */
	u64 stored_bytes;	/* sum of its handles' len */
	u64 nr_moved;		/* objects moved by compaction */
	u64 nr_compacted_zspages;	/* zspages emptied by compaction */
};

struct cram_pool {
	const struct cram_pool_ops *ops;
	void *ctx;
	struct cram_pool_class classes[CRAM_POOL_NR_CLASSES];
	u16 class_index[CRAM_POOL_NR_CLASSES];	/* size class -> the class storing it */
	cram_counter_t nr_pages;	/* pages the ops handed out and not taken back */
	cram_counter_t clock;		/* allocations so far: the LRU's order */
};

/* The pool's counts, summed over its classes (each class's read under its lock). */
struct cram_pool_usage {
	u64 nr_pages, nr_objs, stored_bytes, nr_moved, nr_compacted_zspages;
};

struct cram_pool_class_stats {
	u32 size;
	u32 pages_per_zspage;
	u32 objs_per_zspage;
	u64 nr_zspages;
	u64 nr_objs;
};

void cram_pool_init(struct cram_pool *pool, const struct cram_pool_ops *ops, void *ctx);
void cram_pool_destroy(struct cram_pool *pool);	/* frees every zspage; for teardown */
int cram_pool_class_of(u32 len);
int cram_pool_class_index(const struct cram_pool *pool, u32 len);

/*
 * Store len bytes of src as a new object; h says where. A new zspage it needs takes
 * its pages from node nid (the stored page's, as zsmalloc's zs_malloc does; -1: any);
 * a partial zspage of any node is filled first. 0, -EINVAL (too long), -ENOMEM.
 */
int cram_pool_store(struct cram_pool *pool, struct cram_pool_handle *h, const void *src,
		    u32 len, int nid);
void cram_pool_free(struct cram_pool *pool, struct cram_pool_handle *h);
/*
 * Copy the object's bytes into buf (h->len of them). With zspage (reclaim's), only
 * an object in that zspage: -ENOENT if it is elsewhere. Returns the length copied.
 */
int cram_pool_read(struct cram_pool *pool, const struct cram_pool_handle *h,
		   const struct cram_zspage *zspage, void *buf);

/*
 * Take the coldest zspage off the LRU for writeback, and report its objects' owners
 * (ops->owner) in owners[] (CRAM_POOL_MAX_OBJS). NULL: nothing to reclaim.
 */
struct cram_zspage *cram_pool_reclaim_begin(struct cram_pool *pool, u64 *owners,
					    unsigned int *nr);
bool cram_pool_reclaim_end(struct cram_pool *pool, struct cram_zspage *zspage);

u64 cram_pool_compact(struct cram_pool *pool, unsigned int max_zspages);
void cram_pool_class_stats(struct cram_pool *pool, unsigned int class,
			   struct cram_pool_class_stats *st);
void cram_pool_usage(struct cram_pool *pool, struct cram_pool_usage *u);
u64 cram_pool_nr_pages(const struct cram_pool *pool);

#endif /* CRAM_POOL_H */
