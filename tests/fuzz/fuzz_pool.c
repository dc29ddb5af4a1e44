// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_pool.c - the fallback pool's allocator (src/core/pool.c) fed any sequence of
 * alloc, free, read, reclaim (begin, write back, free meanwhile, end), compact and
 * failing page allocations, used the way src/kernel/pool.c uses it, and checked
 * against a shadow copy of every live object:
 *   - every read, every object reclaim lists and every object after a compaction
 *     returns the bytes written;
 *   - reclaim lists exactly the live objects of its zspage, and no allocation lands
 *     in a zspage under reclaim;
 *   - the counters (objects, bytes, pages) equal what the shadow and the page ops say,
 *     also after a failed allocation; destroy returns every page.
 *
 * Input: operations, one byte each plus their arguments.
 */
#include "cram/pool.h"
#include "fuzz.h"

#define NR_SLOTS	512
#define NR_RECLAIMS	2

struct slot {
	struct cram_pool_handle h;
	bool live;
	u8 data[CRAM_POOL_MAX_LEN];
};

struct reclaim {
	struct cram_zspage *zs;	/* NULL: not in progress */
	u64 handles[CRAM_POOL_MAX_OBJS];	/* reclaim's owners: the handles' addresses */
	unsigned int nr;
};

static struct slot slots[NR_SLOTS];
static struct reclaim reclaims[NR_RECLAIMS];
static struct cram_pool pool;
static long live_pages, fail_in;	/* fail_in > 0: that many more pages succeed */
static u8 bounce[CRAM_POOL_MAX_LEN];

static void *f_alloc_page(void *ctx, int nid)
{
	(void)ctx;
	(void)nid;	/* one node here */
	if (fail_in > 0 && !--fail_in)
		return NULL;
	live_pages++;
	return malloc(CRAM_POOL_PAGE);
}

static void f_free_page(void *ctx, void *page)
{
	(void)ctx;
	live_pages--;
	free(page);
}

static void *f_alloc_zspage(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void f_free_zspage(void *ctx, void *zs)
{
	(void)ctx;
	free(zs);
}

static const struct cram_pool_ops f_ops = {
	.alloc_page = f_alloc_page,
	.free_page = f_free_page,
	.alloc_zspage = f_alloc_zspage,
	.free_zspage = f_free_zspage,
};

static struct slot *slot_of(u64 owner)
{
	struct cram_pool_handle *h = (struct cram_pool_handle *)(uintptr_t)owner;
	size_t i = (size_t)((char *)h - (char *)slots) / sizeof(slots[0]);

	fuzz_check(i < NR_SLOTS && &slots[i].h == h, "a handle the caller never gave: %p",
		   (void *)h);
	return &slots[i];
}

static bool under_reclaim(const struct cram_zspage *zs)
{
	unsigned int r;

	for (r = 0; r < NR_RECLAIMS; r++)
		if (reclaims[r].zs == zs)
			return true;
	return false;
}

static void check_bytes(struct slot *s, const char *when)
{
	int n = cram_pool_read(&pool, &s->h, NULL, bounce);

	fuzz_check(n == s->h.len && !memcmp(bounce, s->data, s->h.len),
		   "slot %ld (%u bytes): wrong bytes %s", (long)(s - slots), s->h.len, when);
}

static void check_counters(void)
{
	u64 objs = 0, bytes = 0, class_objs = 0;
	struct cram_pool_class_stats st;
	struct cram_pool_usage u;
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++) {
		if (slots[i].live) {
			objs++;
			bytes += slots[i].h.len;
		}
	}
	for (i = 0; i < CRAM_POOL_NR_CLASSES; i++) {
		cram_pool_class_stats(&pool, i, &st);
		class_objs += st.nr_objs;
	}
	cram_pool_usage(&pool, &u);
	fuzz_check(u.nr_objs == objs && u.stored_bytes == bytes,
		   "pool counts %llu objects, %llu bytes; the shadow %llu, %llu",
		   (unsigned long long)u.nr_objs, (unsigned long long)u.stored_bytes,
		   (unsigned long long)objs, (unsigned long long)bytes);
	fuzz_check(class_objs == objs, "classes count %llu objects, the shadow %llu",
		   (unsigned long long)class_objs, (unsigned long long)objs);
	fuzz_check(u.nr_pages == (u64)live_pages, "pool counts %llu pages, the ops gave %ld",
		   (unsigned long long)u.nr_pages, live_pages);
}

static void op_alloc(struct slot *s, u32 len, u8 fill)
{
	u32 i;
	int ret;

	if (s->live)
		return;
	for (i = 0; i < len && i < CRAM_POOL_MAX_LEN; i++)
		s->data[i] = (u8)(fill + i * 7 + (i >> 8));
	ret = cram_pool_store(&pool, &s->h, s->data, len, -1);
	if (len > CRAM_POOL_MAX_LEN) {
		fuzz_check(ret == -EINVAL, "alloc of %u bytes: %d", len, ret);
		return;
	}
	if (ret) {
		fuzz_check(ret == -ENOMEM && fail_in == 0, "alloc of %u bytes: %d", len, ret);
		return;
	}
	fuzz_check(s->h.len == len && !under_reclaim(s->h.zspage),
		   "alloc of %u bytes: len %u, in a zspage under reclaim: %d", len, s->h.len,
		   under_reclaim(s->h.zspage));
	s->live = true;
}

static void op_free(struct slot *s)
{
	if (!s->live)
		return;
	cram_pool_free(&pool, &s->h);
	s->live = false;
}

static void op_reclaim_begin(struct reclaim *rc)
{
	unsigned int i, in_zs = 0;

	if (rc->zs)
		return;
	rc->zs = cram_pool_reclaim_begin(&pool, rc->handles, &rc->nr);
	if (!rc->zs) {
		fuzz_check(!rc->nr, "an empty reclaim listed %u objects", rc->nr);
		return;
	}
	for (i = 0; i < rc->nr; i++) {
		struct slot *s = slot_of(rc->handles[i]);

		fuzz_check(s->live && s->h.zspage == rc->zs,
			   "reclaim listed slot %ld, not a live object of its zspage",
			   (long)(s - slots));
		check_bytes(s, "read by reclaim");
	}
	for (i = 0; i < NR_SLOTS; i++)
		in_zs += slots[i].live && slots[i].h.zspage == rc->zs;
	fuzz_check(in_zs == rc->nr, "reclaim listed %u of its zspage's %u objects", rc->nr,
		   in_zs);
}

/* The object was written to disk: free it, unless it was freed (and maybe reused). */
static void op_writeback(struct reclaim *rc, unsigned int pick)
{
	struct slot *s;

	if (!rc->zs || !rc->nr)
		return;
	s = slot_of(rc->handles[pick % rc->nr]);
	if (s->live && s->h.zspage == rc->zs)
		op_free(s);
}

static void op_reclaim_end(struct reclaim *rc)
{
	struct cram_zspage *zs = rc->zs;
	unsigned int i, left = 0;
	bool freed;

	if (!zs)
		return;
	for (i = 0; i < NR_SLOTS; i++)
		left += slots[i].live && slots[i].h.zspage == zs;
	rc->zs = NULL;
	freed = cram_pool_reclaim_end(&pool, zs);
	fuzz_check(freed == !left, "reclaim end: zspage freed %d with %u objects left", freed,
		   left);
}

static void check_all_bytes(const char *when)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (slots[i].live)
			check_bytes(&slots[i], when);
}

static void reset(void)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		slots[i].live = false;
	memset(reclaims, 0, sizeof(reclaims));
	live_pages = 0;
	fail_in = 0;
	cram_pool_init(&pool, &f_ops, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int i;

	reset();
	while (in.left) {
		u8 op = fuzz_u8(&in);
		struct slot *s = &slots[fuzz_u16(&in) % NR_SLOTS];

		switch (op % 10) {
		case 0:
		case 1:		/* small objects fill zspages of many objects */
			op_alloc(s, op % 2 ? fuzz_u8(&in) : fuzz_u16(&in) % (CRAM_POOL_MAX_LEN + 16),
				 (u8)(s - slots));
			break;
		case 2:
			op_alloc(s, fuzz_u8(&in), op);
			/* a run of allocations to reach full zspages quickly */
			for (i = 1; i < 16; i++)
				op_alloc(&slots[(s - slots + i) % NR_SLOTS], (u32)i * 13 + op, op);
			break;
		case 3:
			op_free(s);
			break;
		case 4:
			if (s->live)
				check_bytes(s, "read");
			break;
		case 5:
			op_reclaim_begin(&reclaims[op / 10 % NR_RECLAIMS]);
			break;
		case 6:
			op_writeback(&reclaims[op / 10 % NR_RECLAIMS], (unsigned int)(s - slots));
			break;
		case 7:
			op_reclaim_end(&reclaims[op / 10 % NR_RECLAIMS]);
			break;
		case 8:
			cram_pool_compact(&pool, op / 10 % 4 + 1);
			check_all_bytes("after compaction");
			break;
		case 9:		/* the next page allocations fail */
			fail_in = op / 10 % 8 + 1;
			break;
		}
		check_counters();
	}
	check_all_bytes("at the end");
	for (i = 0; i < NR_RECLAIMS; i++)
		op_reclaim_end(&reclaims[i]);
	cram_pool_destroy(&pool);
	fuzz_check(!live_pages && !cram_pool_nr_pages(&pool), "destroy left %ld pages", live_pages);
	return 0;
}
