/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool.h - layout and accounting of the DRAM fallback pool (zsmalloc-like).
 *
 * Objects (compressed pages) live in zspages: 1..4 order-0 pages treated as one byte
 * range, so an object may span two pages and a class packs its zspage to within
 * less than one object of its end (measured: tests/unit/test_pool.c). Size classes
 * every CRAM_POOL_ALIGN bytes; each class picks the zspage length that wastes least.
 *
 * Every object starts with an 8-byte header: when allocated, a pointer to its handle
 * (struct cram_pool_handle, kept by the caller, e.g. in its swap entry); when free,
 * a tagged free-list link. The handle says where the object is now, so objects can
 * move (compaction) and the header says whose object this is (writeback).
 *
 * LRU: zspages, most recently allocated into first. Reclaim takes the coldest zspage
 * off the LRU and the class lists and marks it under reclaim: nothing is allocated in
 * it, it is not compacted, and objects freed meanwhile are only marked (deferred), so
 * the zspage's memory and headers stay valid until cram_pool_reclaim_end().
 *
 * Memory: pages and zspage descriptors come from the caller's ops; the pool allocates
 * nothing else. Context: no function sleeps (unless ops do). Locking: none inside;
 * the caller serialises every call on one pool (the kernel: one spinlock).
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
	void *(*alloc_page)(void *ctx);		/* one zeroed-or-not 4 KiB page */
	void (*free_page)(void *ctx, void *page);
	void *(*alloc_zspage)(void *ctx, size_t size);	/* a descriptor */
	void (*free_zspage)(void *ctx, void *zspage);
};

struct cram_pool_class {
	u32 size;		/* object size, header included */
	u8 pages_per_zspage;
	u16 objs_per_zspage;
	/* zspages with free slots, by fullness: [g] holds those with inuse * NR / objs == g */
	struct cram_list partial[CRAM_POOL_NR_GROUPS];
	struct cram_list full;
	u64 nr_free_slots;	/* free slots of the zspages on the partial lists */
	u64 nr_zspages;		/* including those under reclaim */
	u64 nr_objs;		/* allocated, not freed (a deferred free is freed) */
};

struct cram_pool {
	const struct cram_pool_ops *ops;
	void *ctx;
	struct cram_pool_class classes[CRAM_POOL_NR_CLASSES];
	struct cram_list lru;		/* head: most recently allocated into */
	u64 nr_pages;
	u64 nr_objs;
	u64 stored_bytes;		/* sum of handle->len */
	u64 nr_moved;			/* objects moved by compaction */
	u64 nr_compacted_zspages;	/* zspages emptied by compaction */
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

int cram_pool_alloc(struct cram_pool *pool, struct cram_pool_handle *h, u32 len);
void cram_pool_free(struct cram_pool *pool, struct cram_pool_handle *h);
void cram_pool_write(struct cram_pool *pool, const struct cram_pool_handle *h,
		     const void *src);
const void *cram_pool_data(struct cram_pool *pool, const struct cram_pool_handle *h,
			   void *bounce);

struct cram_zspage *cram_pool_reclaim_begin(struct cram_pool *pool,
					    struct cram_pool_handle **handles,
					    unsigned int *nr);
bool cram_pool_reclaim_end(struct cram_pool *pool, struct cram_zspage *zspage);
bool cram_pool_handle_in(const struct cram_pool_handle *h, const struct cram_zspage *zspage);

u64 cram_pool_compact(struct cram_pool *pool, unsigned int max_zspages);
void cram_pool_class_stats(const struct cram_pool *pool, unsigned int class,
			   struct cram_pool_class_stats *st);

#endif /* CRAM_POOL_H */
