// SPDX-License-Identifier: GPL-2.0
/*
 * test_pool.c - unit tests of the fallback pool's layout (src/core/pool.c): class
 * selection, packing, free/reuse, LRU order, deferred frees under reclaim,
 * compaction, compaction's cost with millions of objects, a randomised run against a
 * shadow copy, and the memory efficiency on a generated corpus (the same on every
 * machine) compressed with liblz4.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <lz4.h>

#include "cram/pool.h"
#include "tap.h"

/*** ops backed by malloc, counting what is live ***/

static long live_pages, live_zspages, live_zspage_bytes;
static size_t zspage_size;

/* what kmalloc would really hand out for a descriptor of size bytes */
static long kmalloc_size(size_t size)
{
	long b = 8;

	while ((size_t)b < size)
		b *= 2;
	return b;
}

static int last_nid = -2;	/* the node the last page was asked on */
static int nid_asks;		/* pages asked for */

static void *t_alloc_page(void *ctx, int nid)
{
	(void)ctx;
	live_pages++;
	last_nid = nid;
	nid_asks++;
	return malloc(CRAM_POOL_PAGE);
}

static void t_free_page(void *ctx, void *page)
{
	(void)ctx;
	live_pages--;
	free(page);
}

static void *t_alloc_zspage(void *ctx, size_t size)
{
	(void)ctx;
	live_zspages++;
	live_zspage_bytes += kmalloc_size(size);
	zspage_size = size;
	return malloc(size);
}

static void t_free_zspage(void *ctx, void *zs)
{
	(void)ctx;
	live_zspages--;
	live_zspage_bytes -= kmalloc_size(zspage_size);
	free(zs);
}

static const struct cram_pool_ops t_ops = {
	.alloc_page = t_alloc_page,
	.free_page = t_free_page,
	.alloc_zspage = t_alloc_zspage,
	.free_zspage = t_free_zspage,
};

/* The "entry" a caller would keep: its handle and what it stored. */
struct obj {
	struct cram_pool_handle h;
	u32 seed;
	bool live;
};

static void fill(u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed * 31 + i * 7 + (i >> 8));
}

static int store(struct cram_pool *p, struct obj *o, u32 len, u32 seed)
{
	u8 buf[CRAM_POOL_PAGE];
	int err;

	fill(buf, len, seed);
	err = cram_pool_store(p, &o->h, buf, len, -1);
	if (err)
		return err;
	o->seed = seed;
	o->live = true;
	return 0;
}

static bool intact(struct cram_pool *p, const struct obj *o)
{
	u8 want[CRAM_POOL_PAGE], got[CRAM_POOL_PAGE];

	fill(want, o->h.len, o->seed);
	return cram_pool_read(p, &o->h, NULL, got) == o->h.len && !memcmp(got, want, o->h.len);
}

static void drop(struct cram_pool *p, struct obj *o)
{
	cram_pool_free(p, &o->h);
	o->live = false;
}

static struct cram_pool_usage usage(struct cram_pool *p)
{
	struct cram_pool_usage u;

	cram_pool_usage(p, &u);
	return u;
}

/* reclaim reports handles' addresses when ops name no owner */
static struct obj *obj_of(u64 owner)
{
	return (struct obj *)((char *)(uintptr_t)owner - offsetof(struct obj, h));
}

static u64 class_zspages(struct cram_pool *p, u32 len)
{
	struct cram_pool_class_stats st;

	cram_pool_class_stats(p, (unsigned int)cram_pool_class_index(p, len), &st);
	return st.nr_zspages;
}

/*** tests ***/

static void test_classes(void)
{
	struct cram_pool p;
	unsigned int i, worst = 0;

	tap_is_u64(cram_pool_class_of(0), 0, "len 0 -> smallest class");
	tap_is_u64(cram_pool_class_of(CRAM_POOL_MIN_OBJ - CRAM_POOL_HDR), 0,
		   "len 24 + header fits the 32-byte class");
	tap_is_u64(cram_pool_class_of(CRAM_POOL_MIN_OBJ - CRAM_POOL_HDR + 1), 1,
		   "len 25 -> the 48-byte class");
	tap_is_u64(cram_pool_class_of(1000), (1008 - 32 + 15) / 16, "len 1000 -> class of 1008");
	tap_is_u64(cram_pool_class_of(CRAM_POOL_MAX_LEN), CRAM_POOL_NR_CLASSES - 1,
		   "largest len -> last class");
	tap_ok(cram_pool_class_of(CRAM_POOL_MAX_LEN + 1) == -EINVAL, "len past a page: EINVAL");

	cram_pool_init(&p, &t_ops, NULL);
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class_stats st;
		unsigned int k, bytes, waste;

		cram_pool_class_stats(&p, i, &st);
		bytes = st.pages_per_zspage * CRAM_POOL_PAGE;
		waste = bytes - st.objs_per_zspage * st.size;
		if (waste >= st.size || st.size != CRAM_POOL_MIN_OBJ + i * CRAM_POOL_ALIGN)
			worst = i + 1;
		for (k = 1; k <= CRAM_POOL_MAX_PAGES; k++)	/* no length wastes less */
			if ((k * CRAM_POOL_PAGE) % st.size * (u64)bytes < (u64)waste * k * CRAM_POOL_PAGE)
				worst = i + 1;
	}
	tap_is_u64(worst, 0, "every class: size = 32 + 16 i, zspage length with least waste");
}

/* Same zspage length and object count: merging two such classes costs nothing. */
static bool same_geometry(const struct cram_pool_class *a, const struct cram_pool_class *b)
{
	return a->pages_per_zspage == b->pages_per_zspage &&
	       a->objs_per_zspage == b->objs_per_zspage;
}

/* Every class's own counts are zero (a free charged to the wrong class shows here). */
static unsigned int classes_not_empty(struct cram_pool *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class_stats st;

		cram_pool_class_stats(p, i, &st);
		n += st.nr_zspages || st.nr_objs;
	}
	return n;
}

/*
 * Size classes of one zspage geometry are stored as the largest of them: the same
 * memory per object, fewer part-filled zspages (one object of every size class).
 */
static void test_class_merging(void)
{
	static struct obj o[CRAM_POOL_NR_CLASSES];
	unsigned int members[CRAM_POOL_NR_CLASSES] = { 0 };
	unsigned int i, nr_serving = 0, bad = 0, failed = 0;
	struct cram_pool p;
	u32 len;

	cram_pool_init(&p, &t_ops, NULL);
	for (len = 0; len <= CRAM_POOL_MAX_LEN; len++) {
		int idx = cram_pool_class_index(&p, len);
		const struct cram_pool_class *c = &p.classes[idx];
		const struct cram_pool_class *sc = &p.classes[cram_pool_class_of(len)];

		if (c->size < len + CRAM_POOL_HDR || c->size < sc->size || !same_geometry(c, sc) ||
		    p.class_index[idx] != idx)
			bad++;
	}
	tap_is_u64(bad, 0, "every len: stored in a class as big, of its size class's geometry");
	/* complete: neighbours share a storing class exactly when their geometry allows */
	for (i = 0, bad = 0; i + 1 < CRAM_POOL_NR_CLASSES; i++)
		bad += (p.class_index[i] == p.class_index[i + 1]) !=
		       same_geometry(&p.classes[i], &p.classes[p.class_index[i + 1]]);
	tap_is_u64(bad, 0, "each storing class is the largest of its run of one geometry");
	tap_ok(cram_pool_class_index(&p, CRAM_POOL_MAX_LEN + 1) == -EINVAL, "len past a page: EINVAL");
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		len = CRAM_POOL_MIN_OBJ + i * CRAM_POOL_ALIGN - CRAM_POOL_HDR;
		failed += store(&p, &o[i], len, i) != 0;
		nr_serving += !members[cram_pool_class_index(&p, len)]++;
	}
	tap_is_u64(failed, 0, "one object of every size class stored");
	tap_is_u64(nr_serving, 119, "119 of the 255 size classes store objects (4 KiB pages, 8-page zspages)");
	for (i = 0, bad = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class_stats st;

		cram_pool_class_stats(&p, i, &st);
		bad += st.nr_objs != members[i] ||
		       st.nr_zspages != (members[i] + st.objs_per_zspage - 1) / st.objs_per_zspage;
	}
	tap_is_u64(bad, 0, "each class holds its members in as few zspages as they need");
	for (i = 0, bad = 0; i < CRAM_POOL_NR_CLASSES; i++)
		bad += !intact(&p, &o[i]);
	tap_is_u64(bad, 0, "every object reads back intact");
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++)
		drop(&p, &o[i]);
	tap_is_u64(classes_not_empty(&p), 0, "all freed: every class's own counts are zero");
	tap_is_u64(live_pages + live_zspages, 0, "every page and descriptor given back");
}

static void test_packing_and_spanning(void)
{
	static struct obj o[300];
	struct cram_pool p;
	struct cram_pool_class_stats st;
	unsigned int i, bad = 0, spanning = 0;
	u32 len = 1400;		/* 1408-byte objects: 8 pages hold 23 */

	cram_pool_init(&p, &t_ops, NULL);
	cram_pool_class_stats(&p, (unsigned int)cram_pool_class_index(&p, len), &st);
	tap_is_u64(st.pages_per_zspage, 8, "1408-byte class uses 8-page zspages");
	tap_is_u64(st.objs_per_zspage, 23, "... holding 23 objects (384 bytes unused of 32 KiB)");
	for (i = 0; i < 300; i++)
		if (store(&p, &o[i], len, i))
			bad++;
	for (i = 0; i < 300; i++) {
		u32 off = o[i].h.idx * st.size + CRAM_POOL_HDR;

		spanning += off / CRAM_POOL_PAGE != (off + len - 1) / CRAM_POOL_PAGE;
		bad += !intact(&p, &o[i]);
	}
	tap_is_u64(bad, 0, "300 objects stored and read back intact");
	tap_ok(spanning > 0, "some objects span two pages and still read back");
	tap_is_u64(cram_pool_nr_pages(&p), (300 + 22) / 23 * 8, "pages = ceil(300 / 23) zspages x 8");
	tap_is_u64(usage(&p).nr_objs, 300, "nr_objs");
	tap_is_u64(usage(&p).stored_bytes, 300ULL * len, "stored_bytes");
	tap_is_u64(live_pages, cram_pool_nr_pages(&p), "pool's page count = pages the ops handed out");
	for (i = 0; i < 300; i++)
		drop(&p, &o[i]);
	tap_is_u64(cram_pool_nr_pages(&p), 0, "all freed: no pages");
	tap_is_u64(live_pages + live_zspages, 0, "every page and descriptor given back");
}

static void test_free_reuse(void)
{
	static struct obj o[64];
	struct cram_pool p;
	unsigned int i;
	u64 pages;

	cram_pool_init(&p, &t_ops, NULL);
	for (i = 0; i < 64; i++)
		store(&p, &o[i], 500, i);
	pages = cram_pool_nr_pages(&p);
	for (i = 0; i < 64; i += 2)
		drop(&p, &o[i]);
	tap_is_u64(cram_pool_nr_pages(&p), pages, "half freed, spread over zspages: pages kept");
	for (i = 0; i < 64; i += 2)
		store(&p, &o[i], 500, 1000 + i);
	tap_is_u64(cram_pool_nr_pages(&p), pages, "re-stored into the freed slots: no new pages");
	for (i = 0; i < 64; i++)
		if (!intact(&p, &o[i]))
			break;
	tap_is_u64(i, 64, "old and new objects intact");
	for (i = 0; i < 64; i++)
		drop(&p, &o[i]);
	tap_is_u64(live_pages + live_zspages, 0, "nothing left");
}

static void test_lru_order(void)
{
	struct obj a, b, c, extra;
	u64 hs[CRAM_POOL_MAX_OBJS];
	struct cram_zspage *zs;
	struct cram_pool p;
	unsigned int nr;

	cram_pool_init(&p, &t_ops, NULL);
	store(&p, &a, 100, 1);		/* three classes, three zspages */
	store(&p, &b, 700, 2);
	store(&p, &c, 2000, 3);
	store(&p, &extra, 100, 4);	/* a's zspage allocated into again: hottest */
	zs = cram_pool_reclaim_begin(&p, hs, &nr);
	tap_ok(zs && nr == 1 && obj_of(hs[0]) == &b, "coldest zspage first: b's");
	tap_ok(!cram_pool_reclaim_end(&p, zs), "b still there: zspage kept, back at LRU head");
	zs = cram_pool_reclaim_begin(&p, hs, &nr);
	tap_ok(zs && nr == 1 && obj_of(hs[0]) == &c, "then c's");
	cram_pool_reclaim_end(&p, zs);
	zs = cram_pool_reclaim_begin(&p, hs, &nr);
	tap_ok(zs && nr == 2 && a.h.zspage == zs && extra.h.zspage == zs,
	       "then a's, with both of its objects");
	cram_pool_reclaim_end(&p, zs);
	drop(&p, &a);
	drop(&p, &b);
	drop(&p, &c);
	drop(&p, &extra);
	tap_ok(!cram_pool_reclaim_begin(&p, hs, &nr) && nr == 0, "empty pool: nothing to reclaim");
	tap_is_u64(live_pages + live_zspages, 0, "nothing left");
}

static void test_deferred_free(void)
{
	static struct obj o[16];
	u64 hs[CRAM_POOL_MAX_OBJS];
	struct cram_pool_class_stats st;
	struct cram_zspage *zs;
	struct cram_pool p;
	struct obj late;
	unsigned int i, n, nr;
	u64 zspages;

	cram_pool_init(&p, &t_ops, NULL);
	cram_pool_class_stats(&p, (unsigned int)cram_pool_class_index(&p, 3000), &st);
	n = st.objs_per_zspage;			/* 3008-byte objects: 4 in 3 pages */
	tap_ok(n >= 4 && n <= 16, "a class with 4..16 objects per zspage");
	for (i = 0; i < n; i++)			/* one full zspage */
		store(&p, &o[i], 3000, i);
	zs = cram_pool_reclaim_begin(&p, hs, &nr);
	tap_is_u64(nr, n, "reclaim lists every object of the zspage");
	for (i = 0; i < n / 2; i++)		/* "written back": freed during reclaim */
		drop(&p, &o[i]);
	tap_is_u64(usage(&p).nr_objs, n - n / 2, "deferred frees leave the live count");
	tap_ok(intact(&p, &o[n / 2]) && intact(&p, &o[n - 1]),
	       "the rest still readable during reclaim");
	zspages = class_zspages(&p, 3000);
	store(&p, &late, 3000, 99);
	tap_ok(late.h.zspage != zs && class_zspages(&p, 3000) == zspages + 1,
	       "no allocation lands in a zspage under reclaim (freed slots not reused)");
	drop(&p, &o[n / 2]);
	tap_ok(!cram_pool_reclaim_end(&p, zs), "some objects failed writeback: zspage kept");
	for (i = n / 2 + 1; i < n; i++)
		tap_ok(intact(&p, &o[i]), "survivor intact after reclaim ends");
	store(&p, &o[0], 3000, 50);
	tap_ok(o[0].h.zspage == zs, "deferred slots reusable after reclaim");
	zs = cram_pool_reclaim_begin(&p, hs, &nr);
	for (i = 0; i < nr; i++) {		/* this time everything gets written */
		drop(&p, obj_of(hs[i]));
	}
	tap_ok(cram_pool_reclaim_end(&p, zs), "all freed during reclaim: zspage freed at its end");
	for (i = 0; i < 16; i++)
		if (o[i].live)
			drop(&p, &o[i]);
	if (late.live)
		drop(&p, &late);
	tap_is_u64(usage(&p).nr_objs, 0, "no objects");
	tap_is_u64(live_pages + live_zspages, 0, "nothing left");
}

static void test_compaction(void)
{
	static struct obj o[400];
	struct cram_pool p;
	unsigned int i, bad = 0;
	u64 before, freed;

	cram_pool_init(&p, &t_ops, NULL);
	for (i = 0; i < 400; i++)
		store(&p, &o[i], 300 + (i % 3) * 1000, i);
	for (i = 0; i < 400; i++)
		if (i % 4)
			drop(&p, &o[i]);		/* 3 of 4 gone, every zspage sparse */
	before = cram_pool_nr_pages(&p);
	freed = cram_pool_compact(&p, 1);
	tap_ok(freed > 0 && freed <= CRAM_POOL_MAX_PAGES && usage(&p).nr_compacted_zspages == 1,
	       "a budget of one zspage empties exactly one");
	freed += cram_pool_compact(&p, ~0U);
	tap_ok(freed > 0 && cram_pool_nr_pages(&p) == before - freed, "compaction frees pages");
	tap_ok(usage(&p).nr_moved > 0, "... by moving objects");
	for (i = 0; i < 400; i += 4)
		bad += !intact(&p, &o[i]);
	tap_is_u64(bad, 0, "moved objects intact through their handles");
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		struct cram_pool_class_stats st;

		cram_pool_class_stats(&p, i, &st);
		if (st.nr_zspages * st.objs_per_zspage - st.nr_objs >= 2ULL * st.objs_per_zspage)
			bad++;
	}
	tap_is_u64(bad, 0, "after compaction no class has two zspages' worth of free slots");
	tap_is_u64(cram_pool_compact(&p, ~0U), 0, "compacting again frees nothing");
	for (i = 0; i < 400; i += 4)
		drop(&p, &o[i]);
	tap_is_u64(live_pages + live_zspages, 0, "nothing left");
}

/* Random operations against the shadow copies in o[], with invariants checked. */
static void test_random(void)
{
	enum { N = 3000, STEPS = 200000 };
	static struct obj o[N];
	u64 hs[CRAM_POOL_MAX_OBJS];
	struct cram_zspage *zs = NULL;
	struct cram_pool p;
	unsigned int i, step, bad = 0, live = 0, reclaims = 0;
	u64 bytes = 0;

	srand(7);
	cram_pool_init(&p, &t_ops, NULL);
	for (step = 0; step < STEPS; step++) {
		unsigned int r = (unsigned int)rand();
		struct obj *ob = &o[r % N];

		if (r % 1000 == 0) {
			if (zs) {
				cram_pool_reclaim_end(&p, zs);
				zs = NULL;
			} else {
				zs = cram_pool_reclaim_begin(&p, hs, &i);
				reclaims++;
				for (; i-- > 0;)	/* write back about half */
					if (rand() & 1) {
						ob = obj_of(hs[i]);
						bytes -= ob->h.len;
						drop(&p, ob);
						live--;
					}
			}
		} else if (r % 997 == 0) {
			cram_pool_compact(&p, 4);
		} else if (ob->live) {
			bad += !intact(&p, ob);
			bytes -= ob->h.len;
			drop(&p, ob);
			live--;
		} else if (!store(&p, ob, (r >> 8) % (CRAM_POOL_MAX_LEN + 1), step)) {
			bytes += ob->h.len;
			live++;
		}
	}
	if (zs)
		cram_pool_reclaim_end(&p, zs);
	tap_ok(reclaims > 50, "random run interleaved reclaims");
	tap_is_u64(bad, 0, "random alloc/free/reclaim/compact: every object intact");
	tap_is_u64(usage(&p).nr_objs, live, "nr_objs matches the shadow");
	tap_is_u64(usage(&p).stored_bytes, bytes, "stored_bytes matches the shadow");
	tap_is_u64(live_pages, cram_pool_nr_pages(&p), "page accounting matches the ops");
	for (i = 0; i < N; i++)
		if (o[i].live)
			drop(&p, &o[i]);
	tap_is_u64(classes_not_empty(&p), 0, "every class's own counts back to zero (mixed lengths per class)");
	tap_is_u64(live_pages + live_zspages, 0, "nothing left");
}

/*** memory efficiency on real files ***/

struct corpus {
	struct cram_pool pool;
	struct cram_pool_handle *handles;
	u64 nr, cap, input_pages, same_filled, too_big, compressed;
	u64 nospan_pages[CRAM_POOL_NR_CLASSES];
};

static bool same_filled(const u8 *page)
{
	const u64 *w = (const u64 *)page;
	unsigned int i;

	for (i = 1; i < CRAM_POOL_PAGE / 8; i++)
		if (w[i] != w[0])
			return false;
	return true;
}

static void corpus_page(struct corpus *c, const u8 *page)
{
	char dst[CRAM_POOL_PAGE];
	int len;

	c->input_pages++;
	if (same_filled(page)) {
		c->same_filled++;
		return;
	}
	len = LZ4_compress_default((const char *)page, dst, CRAM_POOL_PAGE,
				   CRAM_POOL_MAX_LEN * 9 / 10);	/* cram's default cut-off */
	if (len <= 0) {
		c->too_big++;
		return;
	}
	if (c->nr == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->handles = realloc(c->handles, c->cap * sizeof(*c->handles));
	}
	if (cram_pool_store(&c->pool, &c->handles[c->nr], dst, (u32)len, -1))
		return;
	c->compressed += (u64)len;
	c->nr++;
}

/*
 * A corpus generated from a fixed seed, the same on every machine, so the figure is
 * comparable run to run. Page kinds in the proportions of a mixed anonymous heap:
 * text (words from a small vocabulary, about 2:1 under lz4), records (small counters
 * and pointers sharing their high bits, about 4:1), a random head then zeros (any
 * length: every size class gets objects), sparse words in zeros (tiny objects) and
 * random (over the cut-off: to disk). Ratios are printed.
 */
static u64 corpus_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void corpus_text(u8 *page, u64 *s)
{
	static const char *const words[] = {
		"the ", "page ", "swap ", "memory ", "of ", "and ", "device ", "to ", "a ",
		"compressed ", "is ", "in ", "kernel ", "that ", "for ", "pool ", "with ",
		"region ", "cache ", "writeback ", "entry ", "slot ", "on ", "it ", "\n",
		"function ", "return ", "struct ", "int ", "if ", "while ", "{ ", "} ", "; ",
	};
	unsigned int n = 0;

	while (n < CRAM_POOL_PAGE) {
		const char *w = words[corpus_next(s) % ARRAY_SIZE(words)];
		size_t len = strlen(w);

		len = len < CRAM_POOL_PAGE - n ? len : CRAM_POOL_PAGE - n;
		memcpy(page + n, w, len);
		n += len;
	}
}

static void corpus_records(u8 *page, u64 *s)
{
	u64 *w = (u64 *)page, base = 0xffff888000000000ULL + (corpus_next(s) & 0xfffff000);
	unsigned int i;

	for (i = 0; i < CRAM_POOL_PAGE / 8; i += 4) {	/* { next, prev, count, flags } */
		w[i] = base + (corpus_next(s) & 0xfff) * 64;
		w[i + 1] = base + (corpus_next(s) & 0xfff) * 64;
		w[i + 2] = corpus_next(s) % 1000;
		w[i + 3] = 1ULL << (corpus_next(s) % 8);
	}
}

static void corpus_generated_page(u8 *page, u64 *s)
{
	unsigned int kind = corpus_next(s) % 10, i, n;

	memset(page, 0, CRAM_POOL_PAGE);
	if (kind < 3) {
		corpus_text(page, s);
	} else if (kind < 6) {
		corpus_records(page, s);
	} else if (kind < 8) {		/* random head, zero tail: any object size */
		n = corpus_next(s) % CRAM_POOL_PAGE;
		for (i = 0; i < n; i++)
			page[i] = (u8)corpus_next(s);
	} else if (kind < 9) {		/* sparse words */
		for (i = 0; i < 16; i++)
			((u64 *)page)[corpus_next(s) % (CRAM_POOL_PAGE / 8)] = corpus_next(s);
	} else {
		for (i = 0; i < CRAM_POOL_PAGE / 8; i++)
			((u64 *)page)[i] = corpus_next(s);
	}
}

/* What a layout whose objects never span pages would need for the same objects. */
static u64 nospan_pages(const struct corpus *c)
{
	u64 total = 0, per_class[CRAM_POOL_NR_CLASSES] = { 0 };
	u64 i;

	for (i = 0; i < c->nr; i++)
		per_class[cram_pool_class_of(c->handles[i].len)]++;
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		u64 per_page = CRAM_POOL_PAGE / c->pool.classes[i].size;

		total += (per_class[i] + per_page - 1) / per_page;
	}
	return total;
}

static void test_corpus_efficiency(void)
{
	const u64 nr_pages = 65536;	/* 256 MiB of input */
	struct corpus c = { 0 };
	double pages_ratio, total_ratio;
	u64 pool_bytes, meta_bytes, i, seed = 0x6372616d;	/* "cram" */
	u8 page[CRAM_POOL_PAGE];

	cram_pool_init(&c.pool, &t_ops, NULL);
	for (i = 0; i < nr_pages; i++) {
		corpus_generated_page(page, &seed);
		corpus_page(&c, page);
	}
	tap_ok(c.nr > 50000, "corpus: more than 50000 compressed pages (generated, fixed seed)");
	pool_bytes = cram_pool_nr_pages(&c.pool) * CRAM_POOL_PAGE;
	/* per object: the caller's entry (the kernel's is at most CRAM_POOL_ENTRY_BYTES) */
	meta_bytes = c.nr * CRAM_POOL_ENTRY_BYTES + (u64)live_zspage_bytes;
	pages_ratio = (double)pool_bytes / (double)c.compressed;
	total_ratio = (double)(pool_bytes + meta_bytes) / (double)c.compressed;
	printf("# corpus: %llu input pages, %llu same-filled, %llu over the cut-off, %llu stored\n",
	       (unsigned long long)c.input_pages, (unsigned long long)c.same_filled,
	       (unsigned long long)c.too_big, (unsigned long long)c.nr);
	printf("# compressed %llu bytes (%.2f:1), pool %llu pages: %.4f bytes of pool per compressed byte, %.4f with metadata\n",
	       (unsigned long long)c.compressed,
	       (double)c.nr * CRAM_POOL_PAGE / (double)c.compressed,
	       (unsigned long long)cram_pool_nr_pages(&c.pool), pages_ratio, total_ratio);
	printf("# objects never spanning pages would need %llu pages: %.4f\n",
	       (unsigned long long)nospan_pages(&c),
	       (double)nospan_pages(&c) * CRAM_POOL_PAGE / (double)c.compressed);
	tap_ok(pages_ratio <= 1.05, "pool pages <= 1.05 x compressed bytes on the corpus");
	tap_ok(total_ratio <= 1.07, "with per-object and per-zspage metadata <= 1.07 x");
	for (i = 0; i < c.nr; i++)
		cram_pool_free(&c.pool, &c.handles[i]);
	free(c.handles);
	tap_is_u64(live_pages + live_zspages, 0, "corpus pool emptied");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * 2M objects of 500 bytes, every other one freed: 125k half-full zspages in one
 * class. A compaction call runs under the kernel's pool spinlock, so its cost must not
 * grow with the pool: choosing the zspage to empty walked the partial list (27 ms a
 * call in this ASan build on a project machine), now it takes a fullness group's head
 * (0.008 ms).
 */
static void test_compaction_scale(void)
{
	const unsigned int nr = 2000000, calls = 200;
	static const u8 obj500[500];
	struct cram_pool_handle *h = calloc(nr, sizeof(*h));
	u64 freed = 0, pages_before;
	struct cram_pool pool;
	double t0, per_call;
	unsigned int i;
	bool ok = true;

	cram_pool_init(&pool, &t_ops, NULL);
	for (i = 0; i < nr && ok; i++)
		ok = !cram_pool_store(&pool, &h[i], obj500, 500, -1);
	tap_ok(ok, "scale: 2M objects of 500 bytes allocated");
	for (i = 0; i < nr; i += 2)
		cram_pool_free(&pool, &h[i]);
	pages_before = cram_pool_nr_pages(&pool);
	t0 = now_ms();
	for (i = 0; i < calls; i++)
		freed += cram_pool_compact(&pool, 4);
	per_call = (now_ms() - t0) / calls;
	printf("# scale: %u compaction calls on %llu pages: %.3f ms a call, %llu pages freed\n",
	       calls, (unsigned long long)pages_before, per_call, (unsigned long long)freed);
	tap_ok(freed >= calls * 4 / 2, "scale: each call empties zspages");
	tap_ok(per_call < 1.0, "scale: a compaction call takes under 1 ms with 125k partial zspages");
	for (i = 1; i < nr; i += 2)
		if (h[i].zspage)
			cram_pool_free(&pool, &h[i]);
	tap_is_u64(cram_pool_nr_pages(&pool), 0, "scale: pool empty after freeing everything");
	free(h);
}

/* A new zspage's pages come from the stored page's node; a partial one is filled first */
static void test_node_of_new_zspages(void)
{
	struct cram_pool pool;
	struct cram_pool_handle h[3];
	u8 buf[600];
	int asks;

	memset(buf, 0x5a, sizeof(buf));
	cram_pool_init(&pool, &t_ops, NULL);
	tap_is_u64(cram_pool_store(&pool, &h[0], buf, sizeof(buf), 1), 0, "store, node 1");
	tap_is_u64((u64)last_nid, 1, "  its new zspage's pages asked on node 1");
	asks = nid_asks;
	tap_is_u64(cram_pool_store(&pool, &h[1], buf, sizeof(buf), 0), 0, "store, node 0");
	tap_is_u64((u64)(nid_asks - asks), 0, "  fills the partial zspage: no page asked");
	cram_pool_destroy(&pool);
	cram_pool_init(&pool, &t_ops, NULL);
	tap_is_u64(cram_pool_store(&pool, &h[2], buf, sizeof(buf), -1), 0, "store, no node");
	tap_is_u64((u64)(long)last_nid, (u64)(long)-1, "  asked on any node (-1)");
	cram_pool_destroy(&pool);
}

int main(void)
{
	test_classes();
	test_class_merging();
	test_packing_and_spanning();
	test_free_reuse();
	test_lru_order();
	test_deferred_free();
	test_compaction();
	test_compaction_scale();
	test_random();
	test_corpus_efficiency();
	test_node_of_new_zspages();
	return tap_done();
}
