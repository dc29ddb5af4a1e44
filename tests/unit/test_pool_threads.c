// SPDX-License-Identifier: GPL-2.0
/*
 * test_pool_threads.c - the pool's class locks and pins (src/core/pool.c) under
 * concurrency, the way the module uses them: two threads store, read back and free
 * their own objects while a third reclaims the coldest zspages (reading objects
 * through reclaim's owners and "writing back" half of them) and compacts. Each
 * thread's objects have a lock standing for the swap tree's: a read or a writeback
 * holds it while it copies the object out, a free takes the object out under it and
 * frees after, a store fills the object first and publishes it under it. A slot
 * being freed or stored is its taker's until it is done, as a swap entry is (the
 * module allocates a new entry per store). Every read is checked byte for byte.
 * Built under ASan and ThreadSanitizer.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cram/pool.h"
#include "tap.h"

#define WORKERS		2
#define OBJS		512	/* per worker */
#define STEPS		60000	/* per worker */

enum obj_state { EMPTY, LIVE, BUSY };	/* BUSY: being stored or freed */

struct obj {
	struct cram_pool_handle h;
	unsigned int worker, idx;
	u32 seed;
	enum obj_state state;	/* under its worker's tree lock */
};

static struct cram_pool pool;
static struct obj objs[WORKERS][OBJS];
static pthread_mutex_t tree[WORKERS];
static long live_pages;
static u64 bad, reads, reclaimed, written_back, stale_owner;
static int stop;

static void *t_alloc_page(void *ctx, int nid)
{
	(void)ctx;
	(void)nid;	/* one node here */
	__atomic_add_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	return malloc(CRAM_POOL_PAGE);
}

static void t_free_page(void *ctx, void *page)
{
	(void)ctx;
	__atomic_sub_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	free(page);
}

static void *t_alloc_zspage(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void t_free_zspage(void *ctx, void *zs)
{
	(void)ctx;
	free(zs);
}

/* Under the class lock, for a live object: which worker's slot (never freed here). */
static u64 t_owner(void *ctx, const struct cram_pool_handle *h)
{
	const struct obj *o = (const struct obj *)((const char *)h - offsetof(struct obj, h));

	(void)ctx;
	return (u64)o->worker * OBJS + o->idx;
}

static const struct cram_pool_ops t_ops = {
	.alloc_page = t_alloc_page,
	.free_page = t_free_page,
	.alloc_zspage = t_alloc_zspage,
	.free_zspage = t_free_zspage,
	.owner = t_owner,
};

static void fill(u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed * 131 + i * 7 + (i >> 8));
}

/* Under the tree lock: the object's bytes as its owner stored them? (zs: reclaim's) */
static int check(struct obj *o, const struct cram_zspage *zs)
{
	u8 want[CRAM_POOL_PAGE], got[CRAM_POOL_PAGE];
	int n = cram_pool_read(&pool, &o->h, zs, got);

	if (n < 0)
		return n;
	fill(want, o->h.len, o->seed);
	if (n != o->h.len || memcmp(got, want, o->h.len))
		__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Called and returns with the tree lock held, but frees with it dropped (swap.c). */
static void unpublish_and_free(unsigned int w, struct obj *o)
{
	o->state = BUSY;
	pthread_mutex_unlock(&tree[w]);
	cram_pool_free(&pool, &o->h);
	pthread_mutex_lock(&tree[w]);
	o->state = EMPTY;
}

static void *worker(void *arg)
{
	unsigned int w = (unsigned int)(long)arg, rng = w + 1, step;
	u8 buf[CRAM_POOL_PAGE];
	struct obj *o;
	bool stored;
	u32 len;

	for (step = 0; step < STEPS; step++) {
		rng = rng * 1103515245 + 12345;
		o = &objs[w][(rng >> 8) % OBJS];
		pthread_mutex_lock(&tree[w]);
		if (o->state == LIVE) {
			check(o, NULL);
			if ((rng >> 20) & 1)
				unpublish_and_free(w, o);
		}
		if (o->state != EMPTY) {
			pthread_mutex_unlock(&tree[w]);
			continue;
		}
		o->state = BUSY;	/* this thread's until it publishes it */
		pthread_mutex_unlock(&tree[w]);
		len = 16 + (rng >> 4) % (CRAM_POOL_MAX_LEN - 16);
		o->seed = step * WORKERS + w;
		fill(buf, len, o->seed);
		stored = !cram_pool_store(&pool, &o->h, buf, len, -1);
		pthread_mutex_lock(&tree[w]);
		o->state = stored ? LIVE : EMPTY;
		pthread_mutex_unlock(&tree[w]);
	}
	return NULL;
}

/* The writeback worker: reclaim the coldest zspage, write back half, compact. */
static void *reclaimer(void *arg)
{
	u64 owners[CRAM_POOL_MAX_OBJS];
	unsigned int nr, i, w, rng = 99;
	struct cram_zspage *zs;
	struct obj *o;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		zs = cram_pool_reclaim_begin(&pool, owners, &nr);
		if (!zs)
			continue;
		reclaimed++;
		for (i = 0; i < nr; i++) {
			w = (unsigned int)(owners[i] / OBJS);
			o = &objs[w][owners[i] % OBJS];
			pthread_mutex_lock(&tree[w]);
			if (o->state != LIVE || check(o, zs)) {	/* gone, or stored anew elsewhere */
				stale_owner++;
				pthread_mutex_unlock(&tree[w]);
				continue;
			}
			rng = rng * 1103515245 + 12345;
			if ((rng >> 16) & 1) {
				written_back++;
				unpublish_and_free(w, o);
			}
			pthread_mutex_unlock(&tree[w]);
		}
		cram_pool_reclaim_end(&pool, zs);
	}
	return NULL;
}

/* Compaction, as often as it can: moves objects while others copy them in and out. */
static void *compactor(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		cram_pool_compact(&pool, 4);
	return NULL;
}

int main(void)
{
	pthread_t t[WORKERS], r, c;
	struct cram_pool_usage u;
	unsigned int w, i;

	cram_pool_init(&pool, &t_ops, NULL);
	for (w = 0; w < WORKERS; w++) {
		pthread_mutex_init(&tree[w], NULL);
		for (i = 0; i < OBJS; i++) {
			objs[w][i].worker = w;
			objs[w][i].idx = i;
		}
	}
	pthread_create(&r, NULL, reclaimer, NULL);
	pthread_create(&c, NULL, compactor, NULL);
	for (w = 0; w < WORKERS; w++)
		pthread_create(&t[w], NULL, worker, (void *)(long)w);
	for (w = 0; w < WORKERS; w++)
		pthread_join(t[w], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(r, NULL);
	pthread_join(c, NULL);

	printf("#   %llu reads, %llu zspages reclaimed, %llu written back, %llu owners gone\n",
	       (unsigned long long)reads, (unsigned long long)reclaimed,
	       (unsigned long long)written_back, (unsigned long long)stale_owner);
	cram_pool_usage(&pool, &u);
	printf("#   %llu objects moved by compaction, %llu zspages emptied\n",
	       (unsigned long long)u.nr_moved, (unsigned long long)u.nr_compacted_zspages);
	tap_ok(reads > 10000 && reclaimed > 10 && written_back > 10 && u.nr_moved > 1000,
	       "stores, reads, frees, reclaim, writeback and compaction ran at once");
	tap_is_u64(bad, 0, "  every object read back as stored (workers and writeback)");
	for (w = 0; w < WORKERS; w++)
		for (i = 0; i < OBJS; i++)
			if (objs[w][i].state == LIVE)
				cram_pool_free(&pool, &objs[w][i].h);
	cram_pool_usage(&pool, &u);
	tap_is_u64(u.nr_objs, 0, "  freeing what is left: no objects");
	tap_is_u64(u.nr_pages + (u64)live_pages, 0, "  and no pages, in the pool's or the ops' count");
	return tap_done();
}
