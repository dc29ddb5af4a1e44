// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ralloc.c - the CXL region's page allocator (src/core/ralloc.c) fed any
 * sequence of allocations, frees, wild and double frees and cache drains over several
 * per-CPU caches, against a shadow of which pages are handed out:
 *   - a page is never handed out twice, and always inside the region;
 *   - the region is full (-ENOSPC) for a cache only when every page is handed out or
 *     cached by another CPU (what a cache holds is not taken from it: at most
 *     CRAM_RALLOC_CACHE pages per other CPU);
 *   - a wrong free (out of range, not allocated, twice) is refused and counted and
 *     leaves the lists intact: the allocator never finds its own lists corrupt
 *     (-EFAULT) afterwards;
 *   - a deferred page (freed for later: the module zeroes it first) is never handed
 *     out until its owner takes the deferred list and frees it; the list holds
 *     exactly the pages deferred since the last take, each once; deferring a page
 *     not held, or twice, is refused and counted;
 *   - the used count equals the shadow's (deferred pages count as used).
 *
 * Input: a 2-byte region size, then operations.
 */
#include "cram/ralloc.h"
#include "fuzz.h"

#define MAX_PAGES	2048
#define NR_CACHES	4

static u32 next_link[MAX_PAGES];
static u8 state[MAX_PAGES];
static bool held[MAX_PAGES];
static bool deferred[MAX_PAGES];
static unsigned int nr_deferred;
static u32 held_list[MAX_PAGES];	/* pages handed out, in any order */
static unsigned int nr_held;

static struct cram_ralloc_cache caches[NR_CACHES];

static void take(struct cram_ralloc *a, struct cram_ralloc_cache *c)
{
	u32 page = CRAM_RALLOC_NIL;
	int ret = cram_ralloc_get(a, c, &page);
	u64 cached = 0;
	unsigned int i;

	if (ret == -ENOSPC) {
		for (i = 0; i < NR_CACHES; i++)
			cached += caches[i].count;
		fuzz_check(nr_held + nr_deferred + cached == a->nr_pages && !c->count,
			   "full with %u of %llu pages handed out, %u deferred, %llu cached",
			   nr_held, (unsigned long long)a->nr_pages, nr_deferred,
			   (unsigned long long)cached);
		return;
	}
	fuzz_check(!ret, "get: %d (lists corrupt)", ret);
	fuzz_check(page < a->nr_pages && !held[page] && !deferred[page], "page %u handed out %s",
		   page, page >= a->nr_pages ? "outside the region" :
		   held[page] ? "twice" : "while deferred");
	held[page] = true;
	held_list[nr_held++] = page;
}

static void give_back(struct cram_ralloc *a, struct cram_ralloc_cache *c, unsigned int pick,
		      bool defer)
{
	u32 page;
	int ret;

	if (!nr_held)
		return;
	pick %= nr_held;
	page = held_list[pick];
	held_list[pick] = held_list[--nr_held];
	held[page] = false;
	if (!defer) {
		fuzz_check(!cram_ralloc_put(a, c, page), "put of held page %u refused", page);
		return;
	}
	ret = cram_ralloc_defer(a, page);
	fuzz_check(ret == !nr_deferred, "defer of page %u: %d with %u deferred", page, ret,
		   nr_deferred);
	deferred[page] = true;
	nr_deferred++;
}

/* The deferred list's owner: take it whole, free every page on it. */
static void take_deferred(struct cram_ralloc *a, struct cram_ralloc_cache *c)
{
	u32 page = cram_ralloc_take_deferred(a), next;
	unsigned int n = 0;

	for (; page != CRAM_RALLOC_NIL; page = next) {
		fuzz_check(page < a->nr_pages && deferred[page] && n < nr_deferred,
			   "deferred list holds page %u, not deferred (or listed twice)", page);
		next = cram_ralloc_deferred_next(a, page);
		fuzz_check(!cram_ralloc_put_deferred(a, c, page), "put_deferred of %u refused", page);
		deferred[page] = false;
		n++;
	}
	fuzz_check(n == nr_deferred, "deferred list held %u of %u pages", n, nr_deferred);
	nr_deferred = 0;
	fuzz_check(cram_counter_read(&a->nr_deferred) == 0, "nr_deferred not back to 0");
}

static void wrong_defer(struct cram_ralloc *a, u32 page)
{
	u64 before = cram_counter_read(&a->bad_frees);

	if (page < a->nr_pages && held[page])
		return;
	fuzz_check(cram_ralloc_defer(a, page) == -EINVAL, "wrong defer of %u accepted", page);
	fuzz_check(cram_counter_read(&a->bad_frees) == before + 1, "wrong defer not counted");
}

static void wrong_free(struct cram_ralloc *a, struct cram_ralloc_cache *c, u32 page)
{
	u64 before = cram_counter_read(&a->bad_frees);

	if (page < a->nr_pages && held[page])
		return;		/* a free of a page someone holds is not detectable */
	fuzz_check(cram_ralloc_put(a, c, page) == -EINVAL, "wrong free of %u accepted", page);
	fuzz_check(cram_counter_read(&a->bad_frees) == before + 1, "wrong free not counted");
}

/* Pages on the global list and in the caches: the free pages, counted another way. */
static u64 listed_free(struct cram_ralloc *a, const struct cram_ralloc_cache *c)
{
	u64 free = cram_ralloc_nr_free_global(a);
	unsigned int i;

	for (i = 0; i < NR_CACHES; i++)
		free += c[i].count;
	return free;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u64 nr_pages = fuzz_u16(&in) % MAX_PAGES + 1;
	struct cram_ralloc a;
	unsigned int i;

	memset(held, 0, sizeof(held));
	memset(deferred, 0, sizeof(deferred));
	nr_held = nr_deferred = 0;
	fuzz_check(!cram_ralloc_init(&a, nr_pages, next_link, state), "init of %llu pages",
		   (unsigned long long)nr_pages);
	for (i = 0; i < NR_CACHES; i++)
		cram_ralloc_cache_init(&caches[i]);
	while (in.left) {
		u8 op = fuzz_u8(&in);
		struct cram_ralloc_cache *c = &caches[op / 8 % NR_CACHES];

		if (op & 0x80) {	/* deferred frees (bits 3-4 still pick the cache) */
			switch (op % 4) {
			case 0:
			case 1:
				give_back(&a, c, fuzz_u16(&in), true);
				break;
			case 2:
				take_deferred(&a, c);
				break;
			case 3:
				wrong_defer(&a, fuzz_u16(&in) % (MAX_PAGES + 16));
				break;
			}
			goto check;
		}
		switch (op % 8) {
		case 0:
		case 1:
			take(&a, c);
			break;
		case 2:		/* a burst: caches refill and flush in batches */
			for (i = fuzz_u8(&in); i > 0; i--)
				take(&a, c);
			break;
		case 3:
			give_back(&a, c, fuzz_u16(&in), false);
			break;
		case 4:
			for (i = fuzz_u8(&in); i > 0; i--)
				give_back(&a, c, fuzz_u16(&in), false);
			break;
		case 5:
			wrong_free(&a, c, fuzz_u16(&in) % (MAX_PAGES + 16));
			break;
		case 6:
			wrong_free(&a, c, fuzz_u32(&in));
			break;
		case 7:
			cram_ralloc_drain(&a, c);
			break;
		}
check:
		fuzz_check(cram_ralloc_nr_used(&a) == nr_held &&
			   cram_ralloc_nr_deferred(&a) == nr_deferred &&
			   listed_free(&a, caches) + nr_held + nr_deferred == a.nr_pages,
			   "used count %llu, deferred %llu, on lists %llu; %u handed out, %u deferred",
			   (unsigned long long)cram_ralloc_nr_used(&a),
			   (unsigned long long)cram_ralloc_nr_deferred(&a),
			   (unsigned long long)listed_free(&a, caches), nr_held, nr_deferred);
	}
	return 0;
}
