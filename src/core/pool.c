// SPDX-License-Identifier: GPL-2.0
/*
 * pool.c - layout and accounting of the DRAM fallback pool (see cram/pool.h).
 *
 * Context: nothing here sleeps; allocation goes through the caller's ops. Every
 * operation is O(1), or bounded by one zspage's objects (CRAM_POOL_MAX_OBJS): the
 * partial zspages of a class sit in fullness groups (zsmalloc's), so allocation
 * takes the fullest and compaction empties the emptiest without walking a list,
 * and each class counts its free slots; reclaim looks at each class's coldest zspage
 * (CRAM_POOL_NR_CLASSES). Locking (cram/pool.h): the class lock, a leaf, around
 * list and slot changes only; ops are called and objects copied with no lock held.
 * Functions named *_locked run under their class's lock.
 */
#include "cram/pool.h"

#define HDR_FREE	1ULL	/* header = next free index << 3 | HDR_FREE */
#define HDR_DEFERRED	2ULL	/* freed while its zspage is under reclaim */
#define HDR_TAGS	7ULL
#define IDX_NIL		0xffffU

struct cram_zspage {
	void *pages[CRAM_POOL_MAX_PAGES];
	struct cram_list class_link;	/* partial or full list; unlinked under reclaim */
	struct cram_list lru_link;	/* unlinked under reclaim */
	u16 class_idx;
	u16 inuse;			/* live objects (deferred frees not counted) */
	u16 nr_deferred;
	u16 free_head;
	u16 listed_free;		/* free slots counted in its class's nr_free_slots */
	u16 pins;			/* copies in or out under way: compaction keeps off */
	bool under_reclaim;
	u64 stamp;			/* the pool's clock when last allocated into */
};

/*** lists ***/

static void cl_init(struct cram_list *l)
{
	l->next = l;
	l->prev = l;
}

static bool cl_empty(const struct cram_list *l)
{
	return l->next == l;
}

static void cl_del(struct cram_list *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	cl_init(e);
}

static void cl_add_head(struct cram_list *e, struct cram_list *head)
{
	e->next = head->next;
	e->prev = head;
	head->next->prev = e;
	head->next = e;
}

static void cl_move_head(struct cram_list *e, struct cram_list *head)
{
	cl_del(e);
	cl_add_head(e, head);
}

#define zspage_of(ptr, member) \
	((struct cram_zspage *)((char *)(ptr) - offsetof(struct cram_zspage, member)))

/*** a class's lists: full, or a partial fullness group ***/

/* Put zs (not under reclaim: no deferred frees) on the list its fullness says. */
static void class_link(struct cram_pool_class *c, struct cram_zspage *zs)
{
	if (zs->free_head == IDX_NIL) {
		cl_add_head(&zs->class_link, &c->full);
		return;
	}
	cl_add_head(&zs->class_link, &c->partial[zs->inuse * CRAM_POOL_NR_GROUPS /
						 c->objs_per_zspage]);
	zs->listed_free = c->objs_per_zspage - zs->inuse;
	c->nr_free_slots += zs->listed_free;
}

static void class_unlink(struct cram_pool_class *c, struct cram_zspage *zs)
{
	cl_del(&zs->class_link);
	c->nr_free_slots -= zs->listed_free;
	zs->listed_free = 0;
}

/* Its fullness changed: to the head of the list it now belongs on. */
static void class_relink(struct cram_pool_class *c, struct cram_zspage *zs)
{
	class_unlink(c, zs);
	class_link(c, zs);
}

/* The fullest partial zspage (allocation fills it first), or NULL. */
static struct cram_zspage *fullest_partial(struct cram_pool_class *c)
{
	unsigned int g = CRAM_POOL_NR_GROUPS;

	while (g-- > 0)
		if (!cl_empty(&c->partial[g]))
			return zspage_of(c->partial[g].next, class_link);
	return NULL;
}

/* A partial zspage of the emptiest group (compaction empties it), or NULL. */
static struct cram_zspage *emptiest_partial(struct cram_pool_class *c)
{
	unsigned int g;

	for (g = 0; g < CRAM_POOL_NR_GROUPS; g++)
		if (!cl_empty(&c->partial[g]))
			return zspage_of(c->partial[g].next, class_link);
	return NULL;
}

/*** classes ***/

/* zsmalloc's rule: the zspage length (pages) that leaves the smallest tail unused. */
static unsigned int best_pages_per_zspage(u32 size)
{
	unsigned int pages, best = 1;
	u32 best_used = 0;

	for (pages = 1; pages <= CRAM_POOL_MAX_PAGES; pages++) {
		u32 bytes = pages * CRAM_POOL_PAGE;
		u32 used_pct = (u32)((u64)(bytes - bytes % size) * 1000 / bytes);

		if (used_pct > best_used) {
			best_used = used_pct;
			best = pages;
		}
	}
	return best;
}

/* The size class of an object of len bytes (header excluded), or -EINVAL if too big. */
int cram_pool_class_of(u32 len)
{
	u32 size = len + CRAM_POOL_HDR;

	if (len > CRAM_POOL_MAX_LEN)
		return -EINVAL;
	if (size < CRAM_POOL_MIN_OBJ)
		size = CRAM_POOL_MIN_OBJ;
	return (int)((size - CRAM_POOL_MIN_OBJ + CRAM_POOL_ALIGN - 1) / CRAM_POOL_ALIGN);
}

/* From the top down: a class joins the next one up when their geometry is the same. */
static void merge_classes(struct cram_pool *pool)
{
	const struct cram_pool_class *c = pool->classes;
	unsigned int i = CRAM_POOL_NR_CLASSES - 1;

	pool->class_index[i] = (u16)i;
	while (i--)
		pool->class_index[i] = c[i].pages_per_zspage == c[i + 1].pages_per_zspage &&
				       c[i].objs_per_zspage == c[i + 1].objs_per_zspage ?
				       pool->class_index[i + 1] : (u16)i;
}

void cram_pool_init(struct cram_pool *pool, const struct cram_pool_ops *ops, void *ctx)
{
	unsigned int i, g;

	memset(pool, 0, sizeof(*pool));
	pool->ops = ops;
	pool->ctx = ctx;
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class *c = &pool->classes[i];

		cram_lock_init(&c->lock);
		cl_init(&c->lru);
		c->size = CRAM_POOL_MIN_OBJ + i * CRAM_POOL_ALIGN;
		c->pages_per_zspage = (u8)best_pages_per_zspage(c->size);
		c->objs_per_zspage = (u16)(c->pages_per_zspage * CRAM_POOL_PAGE / c->size);
		for (g = 0; g < CRAM_POOL_NR_GROUPS; g++)
			cl_init(&c->partial[g]);
		cl_init(&c->full);
	}
	merge_classes(pool);
}

/*
 * The class that stores objects of len bytes: its size class, or the largest of the
 * size classes above it with the same zspage length and object count (zsmalloc
 * merges them likewise). Such classes cost the same memory per object, so merging
 * them wastes nothing and leaves fewer part-filled zspages: 119 classes store
 * objects instead of 255. -EINVAL if len is too big.
 */
int cram_pool_class_index(const struct cram_pool *pool, u32 len)
{
	int size_class = cram_pool_class_of(len);

	return size_class < 0 ? size_class : pool->class_index[size_class];
}

/*** objects inside a zspage ***/

static u64 *obj_header(const struct cram_pool *pool, const struct cram_zspage *zs,
		       unsigned int idx)
{
	u32 off = idx * pool->classes[zs->class_idx].size;

	/* off is a multiple of 16: the header never spans two pages */
	return (u64 *)((char *)zs->pages[off / CRAM_POOL_PAGE] + off % CRAM_POOL_PAGE);
}

static void push_free(struct cram_pool *pool, struct cram_zspage *zs, unsigned int idx)
{
	*obj_header(pool, zs, idx) = (u64)zs->free_head << 3 | HDR_FREE;
	zs->free_head = (u16)idx;
}

static unsigned int pop_free(struct cram_pool *pool, struct cram_zspage *zs)
{
	unsigned int idx = zs->free_head;

	zs->free_head = (u16)(*obj_header(pool, zs, idx) >> 3);
	return idx;
}

/*
 * Copy len bytes between a flat buffer and the zspage's byte range at off, across
 * page boundaries. to_zspage selects the direction.
 */
static void zspage_copy(struct cram_zspage *zs, u32 off, void *buf, u32 len,
			bool to_zspage)
{
	char *p = buf;

	while (len) {
		char *page = zs->pages[off / CRAM_POOL_PAGE];
		u32 in = off % CRAM_POOL_PAGE;
		u32 n = CRAM_POOL_PAGE - in < len ? CRAM_POOL_PAGE - in : len;

		if (to_zspage)
			memcpy(page + in, p, n);
		else
			memcpy(p, page + in, n);
		p += n;
		off += n;
		len -= n;
	}
}

static struct cram_pool_class *class_of_handle(struct cram_pool *pool,
					       const struct cram_pool_handle *h)
{
	/* from the length, not the zspage, which compaction may change under us */
	return &pool->classes[cram_pool_class_index(pool, h->len)];
}

/*
 * Copy the object of h (in zs, pinned by the caller: it stays put) in or out with
 * no lock held; then unpin.
 */
static void object_copy_unpin(struct cram_pool_class *c, struct cram_zspage *zs, u16 idx,
			      void *buf, u32 len, bool to_zspage)
{
	zspage_copy(zs, idx * c->size + CRAM_POOL_HDR, buf, len, to_zspage);
	cram_lock(&c->lock);
	zs->pins--;
	cram_unlock(&c->lock);
}

/*** zspages ***/

/* Take an empty zspage out of its class; zspage_release() then gives its memory back. */
static void zspage_unlink_locked(struct cram_pool_class *c, struct cram_zspage *zs)
{
	class_unlink(c, zs);
	cl_del(&zs->lru_link);
	c->nr_zspages--;
}

/* No lock held: the zspage is no longer reachable. */
static void zspage_release(struct cram_pool *pool, struct cram_zspage *zs)
{
	unsigned int i, n = pool->classes[zs->class_idx].pages_per_zspage;

	for (i = 0; i < n; i++)
		pool->ops->free_page(pool->ctx, zs->pages[i]);
	cram_counter_sub(&pool->nr_pages, n);
	pool->ops->free_zspage(pool->ctx, zs);
}

/* A new zspage with every slot free, not in its class yet. No lock held. */
static struct cram_zspage *zspage_create(struct cram_pool *pool, unsigned int class_idx,
					 int nid)
{
	struct cram_pool_class *c = &pool->classes[class_idx];
	struct cram_zspage *zs;
	unsigned int i;

	zs = pool->ops->alloc_zspage(pool->ctx, sizeof(*zs));
	if (!zs)
		return NULL;
	memset(zs, 0, sizeof(*zs));
	zs->class_idx = (u16)class_idx;
	cl_init(&zs->class_link);
	cl_init(&zs->lru_link);
	for (i = 0; i < c->pages_per_zspage; i++) {
		zs->pages[i] = pool->ops->alloc_page(pool->ctx, nid);
		if (!zs->pages[i])
			goto fail;
	}
	zs->free_head = IDX_NIL;
	for (i = c->objs_per_zspage; i-- > 0;)
		push_free(pool, zs, i);
	cram_counter_add_return(&pool->nr_pages, c->pages_per_zspage);
	return zs;
fail:
	while (i-- > 0)
		pool->ops->free_page(pool->ctx, zs->pages[i]);
	pool->ops->free_zspage(pool->ctx, zs);
	return NULL;
}

static void zspage_link_locked(struct cram_pool_class *c, struct cram_zspage *zs)
{
	c->nr_zspages++;
	class_link(c, zs);
	cl_add_head(&zs->lru_link, &c->lru);
}

/* Take a free slot of zs for handle h (zs is on a partial list of its class). */
static void slot_take(struct cram_pool *pool, struct cram_zspage *zs,
		      struct cram_pool_handle *h)
{
	h->zspage = zs;
	h->idx = (u16)pop_free(pool, zs);
	*obj_header(pool, zs, h->idx) = (u64)(uintptr_t)h;
	zs->inuse++;
	class_relink(&pool->classes[zs->class_idx], zs);
}

/* A zspage with a free slot, the fullest; a new one made with the lock dropped. */
static struct cram_zspage *partial_or_new_locked(struct cram_pool *pool,
						 struct cram_pool_class *c, unsigned int class_idx,
						 int nid)
{
	struct cram_zspage *zs = fullest_partial(c);

	if (zs)
		return zs;
	cram_unlock(&c->lock);
	zs = zspage_create(pool, class_idx, nid);
	cram_lock(&c->lock);
	if (!zs)
		return NULL;
	zs->stamp = cram_counter_read(&pool->clock);	/* as new as any on the LRU */
	zspage_link_locked(c, zs);
	/* another store may have made room meanwhile: fill the fullest first all the same */
	return fullest_partial(c);
}

int cram_pool_store(struct cram_pool *pool, struct cram_pool_handle *h, const void *src,
		    u32 len, int nid)
{
	int class_idx = cram_pool_class_index(pool, len);
	struct cram_pool_class *c;
	struct cram_zspage *zs;

	if (class_idx < 0)
		return class_idx;
	c = &pool->classes[class_idx];
	cram_lock(&c->lock);
	zs = partial_or_new_locked(pool, c, (unsigned int)class_idx, nid);
	if (!zs) {
		cram_unlock(&c->lock);
		return -ENOMEM;
	}
	slot_take(pool, zs, h);
	h->len = (u16)len;
	zs->stamp = cram_counter_add_return(&pool->clock, 1);
	cl_move_head(&zs->lru_link, &c->lru);
	c->nr_objs++;
	c->stored_bytes += len;
	zs->pins++;
	cram_unlock(&c->lock);
	object_copy_unpin(c, zs, h->idx, (void *)src, len, true);
	return 0;
}

void cram_pool_free(struct cram_pool *pool, struct cram_pool_handle *h)
{
	struct cram_pool_class *c = class_of_handle(pool, h);
	struct cram_zspage *zs, *empty = NULL;

	cram_lock(&c->lock);
	zs = h->zspage;
	c->nr_objs--;
	c->stored_bytes -= h->len;
	zs->inuse--;
	if (zs->under_reclaim) {
		/* reclaim may still read this header: keep the slot until it ends */
		*obj_header(pool, zs, h->idx) = HDR_DEFERRED;
		zs->nr_deferred++;
	} else {
		push_free(pool, zs, h->idx);
		if (!zs->inuse) {
			zspage_unlink_locked(c, zs);
			empty = zs;
		} else {
			class_relink(c, zs);
		}
	}
	cram_unlock(&c->lock);
	if (empty)
		zspage_release(pool, empty);
}

int cram_pool_read(struct cram_pool *pool, const struct cram_pool_handle *h,
		   const struct cram_zspage *zspage, void *buf)
{
	struct cram_pool_class *c = class_of_handle(pool, h);
	struct cram_zspage *zs;
	u16 idx;

	cram_lock(&c->lock);
	zs = h->zspage;
	if (zspage && zs != zspage) {
		cram_unlock(&c->lock);
		return -ENOENT;
	}
	idx = h->idx;
	zs->pins++;
	cram_unlock(&c->lock);
	object_copy_unpin(c, zs, idx, buf, h->len, false);
	return h->len;
}

/*** reclaim (writeback of the coldest zspage) ***/

static u64 owner_of(struct cram_pool *pool, const struct cram_pool_handle *h)
{
	return pool->ops->owner ? pool->ops->owner(pool->ctx, h) : (u64)(uintptr_t)h;
}

/* The class whose coldest zspage is the coldest of all, or NULL: nothing on an LRU. */
static struct cram_pool_class *coldest_class(struct cram_pool *pool)
{
	struct cram_pool_class *c, *best = NULL;
	u64 best_stamp = U64_MAX, stamp;
	unsigned int i;

	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		c = &pool->classes[i];
		cram_lock(&c->lock);
		stamp = cl_empty(&c->lru) ? U64_MAX : zspage_of(c->lru.prev, lru_link)->stamp;
		cram_unlock(&c->lock);
		if (stamp < best_stamp) {
			best_stamp = stamp;
			best = c;
		}
	}
	return best;
}

/*
 * Take the least recently allocated-into zspage off its class's LRU and lists, and
 * report its objects' owners (owners[] holds CRAM_POOL_MAX_OBJS). Owners, not
 * handles: an object may be freed, and its handle with it, as soon as the lock
 * drops. NULL: the pool is empty (or was emptied while this looked).
 */
struct cram_zspage *cram_pool_reclaim_begin(struct cram_pool *pool, u64 *owners,
					    unsigned int *nr)
{
	struct cram_pool_class *c = coldest_class(pool);
	struct cram_zspage *zs;
	unsigned int idx;
	u64 hdr;

	*nr = 0;
	if (!c)
		return NULL;
	cram_lock(&c->lock);
	if (cl_empty(&c->lru)) {
		cram_unlock(&c->lock);
		return NULL;
	}
	zs = zspage_of(c->lru.prev, lru_link);
	cl_del(&zs->lru_link);
	class_unlink(c, zs);
	zs->under_reclaim = true;
	for (idx = 0; idx < c->objs_per_zspage; idx++) {
		hdr = *obj_header(pool, zs, idx);
		if (!(hdr & HDR_TAGS))
			owners[(*nr)++] = owner_of(pool, (struct cram_pool_handle *)(uintptr_t)hdr);
	}
	cram_unlock(&c->lock);
	return zs;
}

/*
 * Reclaim of zs is over: deferred frees become free slots. Returns true when the
 * zspage was emptied and freed; else it goes back to its class and to the LRU head
 * (what could not be written back is not retried at once).
 */
bool cram_pool_reclaim_end(struct cram_pool *pool, struct cram_zspage *zs)
{
	struct cram_pool_class *c = &pool->classes[zs->class_idx];
	bool empty;
	unsigned int idx;

	cram_lock(&c->lock);
	zs->under_reclaim = false;
	for (idx = 0; zs->nr_deferred && idx < c->objs_per_zspage; idx++) {
		if (*obj_header(pool, zs, idx) == HDR_DEFERRED) {
			push_free(pool, zs, idx);
			zs->nr_deferred--;
		}
	}
	empty = !zs->inuse;
	if (empty) {
		zspage_unlink_locked(c, zs);	/* its lists: already off since reclaim began */
	} else {
		class_link(c, zs);
		zs->stamp = cram_counter_add_return(&pool->clock, 1);
		cl_add_head(&zs->lru_link, &c->lru);
	}
	cram_unlock(&c->lock);
	if (empty)
		zspage_release(pool, zs);
	return empty;
}

/*** compaction ***/

static void move_object(struct cram_pool *pool, struct cram_zspage *src, unsigned int idx,
			struct cram_zspage *dst)
{
	u32 size = pool->classes[src->class_idx].size;
	struct cram_pool_handle *h;
	u32 from = idx * size;
	u32 left = size;
	u32 to;

	h = (struct cram_pool_handle *)(uintptr_t)*obj_header(pool, src, idx);
	slot_take(pool, dst, h);
	to = h->idx * size;
	while (left) {	/* page by page on both sides, no bounce buffer */
		u32 fin = from % CRAM_POOL_PAGE, tin = to % CRAM_POOL_PAGE;
		u32 n = left;

		if (CRAM_POOL_PAGE - fin < n)
			n = CRAM_POOL_PAGE - fin;
		if (CRAM_POOL_PAGE - tin < n)
			n = CRAM_POOL_PAGE - tin;
		memcpy((char *)dst->pages[to / CRAM_POOL_PAGE] + tin,
		       (char *)src->pages[from / CRAM_POOL_PAGE] + fin, n);
		from += n;
		to += n;
		left -= n;
	}
	src->inuse--;
	pool->classes[src->class_idx].nr_moved++;
}

/*
 * Empty a zspage of the emptiest group of class c into the fullest others, if their
 * free slots can take its objects and nothing is being copied in or out of it.
 * O(its objects): no list is walked. Returns the emptied zspage, unlinked, for
 * zspage_release() once the lock is dropped; NULL if none.
 */
static struct cram_zspage *compact_one_locked(struct cram_pool *pool,
					      struct cram_pool_class *c)
{
	struct cram_zspage *src = emptiest_partial(c);
	unsigned int idx;

	if (!src || src->pins || c->nr_free_slots - src->listed_free < src->inuse)
		return NULL;
	class_unlink(c, src);	/* so slot_take never picks it */
	for (idx = 0; idx < c->objs_per_zspage && src->inuse; idx++) {
		if (*obj_header(pool, src, idx) & HDR_TAGS)
			continue;
		move_object(pool, src, idx, fullest_partial(c));
	}
	zspage_unlink_locked(c, src);
	c->nr_compacted_zspages++;
	return src;
}

/*
 * Move objects until no class has a zspage that the others' free slots can take, or
 * max_zspages zspages have been emptied (bounds the time under a class lock, and
 * in all). Returns the pages freed.
 */
u64 cram_pool_compact(struct cram_pool *pool, unsigned int max_zspages)
{
	struct cram_pool_class *c;
	struct cram_zspage *zs;
	unsigned int i, done = 0;
	u64 freed = 0;

	for (i = 0; i < CRAM_POOL_NR_CLASSES && done < max_zspages; i++) {
		c = &pool->classes[i];
		do {
			cram_lock(&c->lock);
			zs = compact_one_locked(pool, c);
			cram_unlock(&c->lock);
			if (zs) {
				zspage_release(pool, zs);
				freed += c->pages_per_zspage;
				done++;
			}
		} while (zs && done < max_zspages);
	}
	return freed;
}

/*** teardown, stats ***/

/* Teardown: nothing else runs on the pool; zspages under reclaim are the caller's. */
void cram_pool_destroy(struct cram_pool *pool)
{
	struct cram_pool_class *c;
	struct cram_zspage *zs;
	unsigned int i;

	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		c = &pool->classes[i];
		while (!cl_empty(&c->lru)) {
			zs = zspage_of(c->lru.next, lru_link);
			zspage_unlink_locked(c, zs);
			zspage_release(pool, zs);
		}
		c->nr_objs = 0;
		c->stored_bytes = 0;
	}
}

void cram_pool_class_stats(struct cram_pool *pool, unsigned int class,
			   struct cram_pool_class_stats *st)
{
	struct cram_pool_class *c = &pool->classes[class];

	st->size = c->size;
	st->pages_per_zspage = c->pages_per_zspage;
	st->objs_per_zspage = c->objs_per_zspage;
	cram_lock(&c->lock);
	st->nr_zspages = c->nr_zspages;
	st->nr_objs = c->nr_objs;
	cram_unlock(&c->lock);
}

void cram_pool_usage(struct cram_pool *pool, struct cram_pool_usage *u)
{
	struct cram_pool_class *c;
	unsigned int i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		c = &pool->classes[i];
		cram_lock(&c->lock);
		u->nr_objs += c->nr_objs;
		u->stored_bytes += c->stored_bytes;
		u->nr_moved += c->nr_moved;
		u->nr_compacted_zspages += c->nr_compacted_zspages;
		cram_unlock(&c->lock);
	}
	u->nr_pages = cram_pool_nr_pages(pool);
}

u64 cram_pool_nr_pages(const struct cram_pool *pool)
{
	return cram_counter_read(&pool->nr_pages);
}
