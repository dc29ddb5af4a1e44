// SPDX-License-Identifier: GPL-2.0
/*
 * pool.c - layout and accounting of the DRAM fallback pool (see cram/pool.h).
 *
 * Context: nothing here sleeps; allocation goes through the caller's ops. Every
 * operation is O(1), or bounded by one zspage's objects (CRAM_POOL_MAX_OBJS): the
 * partial zspages of a class sit in fullness groups (zsmalloc's), so allocation
 * takes the fullest and compaction empties the emptiest without walking a list,
 * and each class counts its free slots. Locking: none; the caller serialises.
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
	bool under_reclaim;
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

/* The class of an object of len bytes (header excluded), or -EINVAL if too big. */
int cram_pool_class_of(u32 len)
{
	u32 size = len + CRAM_POOL_HDR;

	if (len > CRAM_POOL_MAX_LEN)
		return -EINVAL;
	if (size < CRAM_POOL_MIN_OBJ)
		size = CRAM_POOL_MIN_OBJ;
	return (int)((size - CRAM_POOL_MIN_OBJ + CRAM_POOL_ALIGN - 1) / CRAM_POOL_ALIGN);
}

void cram_pool_init(struct cram_pool *pool, const struct cram_pool_ops *ops, void *ctx)
{
	unsigned int i, g;

	memset(pool, 0, sizeof(*pool));
	pool->ops = ops;
	pool->ctx = ctx;
	cl_init(&pool->lru);
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class *c = &pool->classes[i];

		c->size = CRAM_POOL_MIN_OBJ + i * CRAM_POOL_ALIGN;
		c->pages_per_zspage = (u8)best_pages_per_zspage(c->size);
		c->objs_per_zspage = (u16)(c->pages_per_zspage * CRAM_POOL_PAGE / c->size);
		for (g = 0; g < CRAM_POOL_NR_GROUPS; g++)
			cl_init(&c->partial[g]);
		cl_init(&c->full);
	}
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

static u32 data_offset(const struct cram_pool *pool, const struct cram_pool_handle *h)
{
	return h->idx * pool->classes[h->zspage->class_idx].size + CRAM_POOL_HDR;
}

void cram_pool_write(struct cram_pool *pool, const struct cram_pool_handle *h,
		     const void *src)
{
	zspage_copy(h->zspage, data_offset(pool, h), (void *)src, h->len, true);
}

/* The object's bytes: in place when in one page, else copied into bounce. */
const void *cram_pool_data(struct cram_pool *pool, const struct cram_pool_handle *h,
			   void *bounce)
{
	u32 off = data_offset(pool, h);
	u32 in = off % CRAM_POOL_PAGE;

	if (in + h->len <= CRAM_POOL_PAGE)
		return (char *)h->zspage->pages[off / CRAM_POOL_PAGE] + in;
	zspage_copy(h->zspage, off, bounce, h->len, false);
	return bounce;
}

/*** zspages ***/

static void zspage_free(struct cram_pool *pool, struct cram_zspage *zs)
{
	struct cram_pool_class *c = &pool->classes[zs->class_idx];
	unsigned int i;

	class_unlink(c, zs);
	cl_del(&zs->lru_link);
	for (i = 0; i < c->pages_per_zspage; i++)
		pool->ops->free_page(pool->ctx, zs->pages[i]);
	pool->nr_pages -= c->pages_per_zspage;
	c->nr_zspages--;
	pool->ops->free_zspage(pool->ctx, zs);
}

static struct cram_zspage *zspage_create(struct cram_pool *pool, unsigned int class_idx)
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
		zs->pages[i] = pool->ops->alloc_page(pool->ctx);
		if (!zs->pages[i])
			goto fail;
	}
	zs->free_head = IDX_NIL;
	for (i = c->objs_per_zspage; i-- > 0;)
		push_free(pool, zs, i);
	pool->nr_pages += c->pages_per_zspage;
	c->nr_zspages++;
	class_link(c, zs);
	cl_add_head(&zs->lru_link, &pool->lru);
	return zs;
fail:
	while (i-- > 0)
		pool->ops->free_page(pool->ctx, zs->pages[i]);
	pool->ops->free_zspage(pool->ctx, zs);
	return NULL;
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

int cram_pool_alloc(struct cram_pool *pool, struct cram_pool_handle *h, u32 len)
{
	int class_idx = cram_pool_class_of(len);
	struct cram_pool_class *c;
	struct cram_zspage *zs;

	if (class_idx < 0)
		return class_idx;
	c = &pool->classes[class_idx];
	zs = fullest_partial(c) ?: zspage_create(pool, (unsigned int)class_idx);
	if (!zs)
		return -ENOMEM;
	slot_take(pool, zs, h);
	h->len = (u16)len;
	cl_move_head(&zs->lru_link, &pool->lru);
	c->nr_objs++;
	pool->nr_objs++;
	pool->stored_bytes += len;
	return 0;
}

void cram_pool_free(struct cram_pool *pool, struct cram_pool_handle *h)
{
	struct cram_zspage *zs = h->zspage;
	struct cram_pool_class *c = &pool->classes[zs->class_idx];

	c->nr_objs--;
	pool->nr_objs--;
	pool->stored_bytes -= h->len;
	zs->inuse--;
	if (zs->under_reclaim) {
		/* reclaim may still read this header: keep the slot until it ends */
		*obj_header(pool, zs, h->idx) = HDR_DEFERRED;
		zs->nr_deferred++;
		return;
	}
	push_free(pool, zs, h->idx);
	if (!zs->inuse)
		zspage_free(pool, zs);
	else
		class_relink(c, zs);
}

bool cram_pool_handle_in(const struct cram_pool_handle *h, const struct cram_zspage *zspage)
{
	return h->zspage == zspage;
}

/*** reclaim (writeback of the coldest zspage) ***/

/*
 * Take the least recently allocated-into zspage off the LRU and its class, and list
 * the handles of its objects (handles[] holds CRAM_POOL_MAX_OBJS). NULL: pool empty.
 * The handles stay valid only while the caller keeps them from being freed (the
 * kernel: under its pool lock); afterwards, use them only to find their owners.
 */
struct cram_zspage *cram_pool_reclaim_begin(struct cram_pool *pool,
					    struct cram_pool_handle **handles,
					    unsigned int *nr)
{
	struct cram_zspage *zs;
	unsigned int idx, objs;

	*nr = 0;
	if (cl_empty(&pool->lru))
		return NULL;
	zs = zspage_of(pool->lru.prev, lru_link);
	cl_del(&zs->lru_link);
	class_unlink(&pool->classes[zs->class_idx], zs);
	zs->under_reclaim = true;
	objs = pool->classes[zs->class_idx].objs_per_zspage;
	for (idx = 0; idx < objs; idx++) {
		u64 hdr = *obj_header(pool, zs, idx);

		if (!(hdr & HDR_TAGS))
			handles[(*nr)++] = (struct cram_pool_handle *)(uintptr_t)hdr;
	}
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
	unsigned int idx;

	zs->under_reclaim = false;
	for (idx = 0; zs->nr_deferred && idx < c->objs_per_zspage; idx++) {
		if (*obj_header(pool, zs, idx) == HDR_DEFERRED) {
			push_free(pool, zs, idx);
			zs->nr_deferred--;
		}
	}
	if (!zs->inuse) {
		zspage_free(pool, zs);
		return true;
	}
	class_link(c, zs);
	cl_add_head(&zs->lru_link, &pool->lru);
	return false;
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
	pool->nr_moved++;
}

/*
 * Empty a zspage of the emptiest group of class c into the fullest others, if their
 * free slots can take its objects. O(its objects): no list is walked.
 */
static bool compact_one(struct cram_pool *pool, struct cram_pool_class *c)
{
	struct cram_zspage *src = emptiest_partial(c);
	unsigned int idx;

	if (!src || c->nr_free_slots - src->listed_free < src->inuse)
		return false;
	class_unlink(c, src);	/* so slot_take never picks it */
	for (idx = 0; idx < c->objs_per_zspage && src->inuse; idx++) {
		if (*obj_header(pool, src, idx) & HDR_TAGS)
			continue;
		move_object(pool, src, idx, fullest_partial(c));
	}
	zspage_free(pool, src);
	pool->nr_compacted_zspages++;
	return true;
}

/*
 * Move objects until no class has a zspage that the others' free slots can take, or
 * max_zspages zspages have been emptied (bounds the time under the caller's lock).
 * Returns the pages freed.
 */
u64 cram_pool_compact(struct cram_pool *pool, unsigned int max_zspages)
{
	u64 before = pool->nr_pages;
	unsigned int i, done = 0;

	for (i = 0; i < CRAM_POOL_NR_CLASSES && done < max_zspages; i++)
		while (done < max_zspages && compact_one(pool, &pool->classes[i]))
			done++;
	return before - pool->nr_pages;
}

/*** teardown, stats ***/

void cram_pool_destroy(struct cram_pool *pool)
{
	while (!cl_empty(&pool->lru))
		zspage_free(pool, zspage_of(pool->lru.next, lru_link));
	pool->nr_objs = 0;
	pool->stored_bytes = 0;
}

void cram_pool_class_stats(const struct cram_pool *pool, unsigned int class,
			   struct cram_pool_class_stats *st)
{
	const struct cram_pool_class *c = &pool->classes[class];

	st->size = c->size;
	st->pages_per_zspage = c->pages_per_zspage;
	st->objs_per_zspage = c->objs_per_zspage;
	st->nr_zspages = c->nr_zspages;
	st->nr_objs = c->nr_objs;
}
