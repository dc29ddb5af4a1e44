// SPDX-License-Identifier: GPL-2.0
/*
 * ralloc.c - page allocator over the owned CXL region (see cram/ralloc.h).
 *
 * Context: no function here sleeps or allocates; all may run in atomic context.
 * Locking: a->lock protects free_head, nr_global_free and next[] of free pages; state[]
 * is changed by atomic exchange only; next[] of deferred pages belongs to the deferred
 * list (pushed with cmpxchg, taken whole with xchg); a cache belongs to its caller for
 * the call.
 */
#include "cram/ralloc.h"

int cram_ralloc_init(struct cram_ralloc *a, u64 nr_pages, u32 *next, u8 *state)
{
	u64 i;

	if (!nr_pages || nr_pages >= CRAM_RALLOC_NIL)
		return -EINVAL;
	cram_lock_init(&a->lock);
	a->nr_pages = nr_pages;
	a->next = next;
	a->state = state;
	cram_counter_set(&a->bad_frees, 0);
	cram_counter_set(&a->nr_deferred, 0);
	cram_counter_set(&a->nr_used, 0);
	a->deferred = CRAM_RALLOC_NIL;
	/* ascending order, so a fresh region fills from its start */
	for (i = 0; i < nr_pages; i++) {
		next[i] = i + 1 < nr_pages ? (u32)(i + 1) : CRAM_RALLOC_NIL;
		state[i] = CRAM_PAGE_FREE;
	}
	a->free_head = 0;
	a->nr_global_free = nr_pages;
	return 0;
}

void cram_ralloc_cache_init(struct cram_ralloc_cache *c)
{
	c->count = 0;
}

/*
 * Move up to CRAM_RALLOC_BATCH pages from the global list into an empty cache, stacked
 * so that they are handed out in list order (a fresh region fills from its start).
 */
static void refill(struct cram_ralloc *a, struct cram_ralloc_cache *c)
{
	u32 n, i;

	cram_lock(&a->lock);
	n = a->nr_global_free < CRAM_RALLOC_BATCH ? (u32)a->nr_global_free : CRAM_RALLOC_BATCH;
	for (i = n; i > 0; i--) {
		c->pages[i - 1] = a->free_head;
		a->free_head = a->next[a->free_head];
	}
	a->nr_global_free -= n;
	cram_unlock(&a->lock);
	c->count = n;
}

/* Return the oldest n cached pages to the global list. */
static void flush(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 n)
{
	u32 i;

	cram_lock(&a->lock);
	for (i = 0; i < n; i++) {
		a->next[c->pages[i]] = a->free_head;
		a->free_head = c->pages[i];
	}
	a->nr_global_free += n;
	cram_unlock(&a->lock);
	c->count -= n;
	memmove(c->pages, c->pages + n, c->count * sizeof(c->pages[0]));
}

/*
 * Returns 0 and *page, or -ENOSPC when the global list and this cache are empty (the
 * caller declines): other CPUs' caches may still hold up to CRAM_RALLOC_CACHE free
 * pages each, which are not taken from them.
 */
int cram_ralloc_get(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 *page)
{
	u8 free = CRAM_PAGE_FREE;

	if (!c->count)
		refill(a, c);
	if (!c->count)
		return -ENOSPC;
	*page = c->pages[--c->count];
	/*
	 * A free-list page that is not FREE means the lists are corrupt: never hand it
	 * out, and leave its state to whoever owns it.
	 */
	if (!cram_try_cmpxchg(&a->state[*page], &free, CRAM_PAGE_USED))
		return -EFAULT;
	cram_counter_inc(&a->nr_used);
	return 0;
}

/*
 * Move page from one state to another, atomically: a page out of range or in any
 * other state (a double or wild free) is refused, counted and left as it is.
 */
static int transition(struct cram_ralloc *a, u32 page, u8 from, u8 to)
{
	if (page >= a->nr_pages || !cram_try_cmpxchg(&a->state[page], &from, to)) {
		cram_counter_inc(&a->bad_frees);
		return -EINVAL;
	}
	return 0;
}

static void cache_put(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page)
{
	if (c->count == CRAM_RALLOC_CACHE)
		flush(a, c, CRAM_RALLOC_BATCH);
	c->pages[c->count++] = page;
}

/*
 * Returns 0, or -EINVAL for a page out of range or not allocated (double free):
 * such a free is refused, counted in bad_frees and leaves every list untouched.
 */
int cram_ralloc_put(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page)
{
	int err = transition(a, page, CRAM_PAGE_USED, CRAM_PAGE_FREE);

	if (!err) {
		cram_counter_sub(&a->nr_used, 1);
		cache_put(a, c, page);
	}
	return err;
}

/*
 * Free page later: push it on the deferred list. Returns 1 when the list was empty
 * (the caller makes sure its owner will take it), 0 otherwise, or -EINVAL as
 * cram_ralloc_put (a page not allocated, or already deferred).
 */
int cram_ralloc_defer(struct cram_ralloc *a, u32 page)
{
	u32 head;

	if (transition(a, page, CRAM_PAGE_USED, CRAM_PAGE_DEFERRED))
		return -EINVAL;
	cram_counter_inc(&a->nr_deferred);
	cram_counter_sub(&a->nr_used, 1);
	head = cram_load_u32(&a->deferred);
	do {
		a->next[page] = head;	/* published by the cmpxchg (full barrier) */
	} while (!cram_try_cmpxchg(&a->deferred, &head, page));
	return head == CRAM_RALLOC_NIL;
}

/* The whole deferred list, for its owner to walk: the first page, or CRAM_RALLOC_NIL. */
u32 cram_ralloc_take_deferred(struct cram_ralloc *a)
{
	return cram_xchg_u32(&a->deferred, CRAM_RALLOC_NIL);
}

/* The page after page on a taken list: read it before page is put. */
u32 cram_ralloc_deferred_next(const struct cram_ralloc *a, u32 page)
{
	return a->next[page];
}

/* Free a page taken off the deferred list. Returns 0, or -EINVAL as cram_ralloc_put. */
int cram_ralloc_put_deferred(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page)
{
	int err = transition(a, page, CRAM_PAGE_DEFERRED, CRAM_PAGE_FREE);

	if (!err) {
		cram_counter_sub(&a->nr_deferred, 1);
		cache_put(a, c, page);
	}
	return err;
}

/* Give every cached page back to the global list (CPU going away, teardown). */
void cram_ralloc_drain(struct cram_ralloc *a, struct cram_ralloc_cache *c)
{
	if (c->count)
		flush(a, c, c->count);
}

/* Free pages on the global list (not counting those in per-CPU caches). */
u64 cram_ralloc_nr_free_global(struct cram_ralloc *a)
{
	u64 free;

	cram_lock(&a->lock);
	free = a->nr_global_free;
	cram_unlock(&a->lock);
	return free;
}

/*
 * Pages USED (holding data): never fewer than are held at the moment of the read (see
 * cram/ralloc.h); exact when no get, put or defer is in progress.
 */
u64 cram_ralloc_nr_used(struct cram_ralloc *a)
{
	return cram_counter_read(&a->nr_used);
}

/* Pages freed but not reusable yet (deferred, not yet put). */
u64 cram_ralloc_nr_deferred(struct cram_ralloc *a)
{
	return cram_counter_read(&a->nr_deferred);
}
