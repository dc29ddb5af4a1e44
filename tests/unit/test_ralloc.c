// SPDX-License-Identifier: GPL-2.0
/*
 * test_ralloc.c - unit tests of the region page allocator (src/core/ralloc.c).
 */
#include <pthread.h>
#include <stdlib.h>

#include "cram/ralloc.h"
#include "tap.h"

struct region {
	struct cram_ralloc a;
	u32 *next;
	u8 *state;
};

static void region_init(struct region *r, u64 nr_pages)
{
	r->next = calloc(nr_pages, sizeof(*r->next));
	r->state = calloc(nr_pages, sizeof(*r->state));
	if (!r->next || !r->state || cram_ralloc_init(&r->a, nr_pages, r->next, r->state)) {
		printf("Bail out! region of %llu pages\n", (unsigned long long)nr_pages);
		exit(1);
	}
}

static void region_free(struct region *r)
{
	free(r->next);
	free(r->state);
}

static void test_alloc_free_round_trip(void)
{
	struct cram_ralloc_cache c;
	struct region r;
	u32 p, q;

	region_init(&r, 64);
	cram_ralloc_cache_init(&c);
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), 0, "alloc from a fresh region");
	tap_is_u64(p, 0, "  fresh region fills from page 0");
	tap_is_u64(r.state[p], CRAM_PAGE_USED, "  page marked used");
	tap_is_u64(cram_ralloc_nr_used(&r.a, &c, 1), 1, "  one page in use");
	tap_is_u64(cram_ralloc_put(&r.a, &c, p), 0, "free it");
	tap_is_u64(r.state[p], CRAM_PAGE_FREE, "  page marked free");
	tap_is_u64(cram_ralloc_nr_used(&r.a, &c, 1), 0, "  no page in use");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &q), 0, "alloc again");
	tap_is_u64(q, p, "  the cache hands back the page just freed (LIFO, cache-warm)");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), 0, "alloc a second page");
	tap_is_u64(p, 1, "  which is page 1: ascending fill");
	region_free(&r);
}

static void test_alloc_exhaustion_declines(void)
{
	struct cram_ralloc_cache c;
	struct region r;
	u8 seen[100] = { 0 };
	int i, distinct = 0, err = 0;
	u32 p;

	region_init(&r, 100);
	cram_ralloc_cache_init(&c);
	for (i = 0; i < 100; i++) {
		err |= cram_ralloc_get(&r.a, &c, &p);
		if (p < 100 && !seen[p]++)
			distinct++;
	}
	tap_is_u64(err, 0, "100 allocations from a 100-page region succeed");
	tap_is_u64(distinct, 100, "  and return 100 distinct pages");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), (uint64_t)-ENOSPC, "101st allocation: -ENOSPC");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), (uint64_t)-ENOSPC, "  and stays -ENOSPC");
	tap_is_u64(cram_ralloc_put(&r.a, &c, 42), 0, "free page 42");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), 0, "  then an allocation succeeds");
	tap_is_u64(p, 42, "  and gets page 42");
	region_free(&r);
}

static void test_double_free_detected(void)
{
	struct cram_ralloc_cache c;
	struct region r;
	u32 p, q;

	region_init(&r, 8);
	cram_ralloc_cache_init(&c);
	cram_ralloc_get(&r.a, &c, &p);
	tap_is_u64(cram_ralloc_put(&r.a, &c, p), 0, "first free accepted");
	tap_is_u64(cram_ralloc_put(&r.a, &c, p), (uint64_t)-EINVAL, "double free refused");
	tap_is_u64(cram_counter_read(&r.a.bad_frees), 1, "  and counted");
	tap_is_u64(cram_ralloc_put(&r.a, &c, 5), (uint64_t)-EINVAL,
		   "free of a never-allocated page refused");
	tap_is_u64(cram_ralloc_put(&r.a, &c, 8), (uint64_t)-EINVAL, "free past the region refused");
	tap_is_u64(cram_counter_read(&r.a.bad_frees), 3, "  all counted");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &q), 0, "allocation after refused frees works");
	tap_is_u64(cram_ralloc_get(&r.a, &c, &p), 0, "  and another");
	tap_ok(p != q, "  the double-freed page was not handed out twice");
	tap_is_u64(cram_ralloc_nr_used(&r.a, &c, 1), 2, "  accounting: 2 pages used");
	region_free(&r);
}

static void test_cache_flush_and_drain(void)
{
	struct cram_ralloc_cache c1, c2;
	struct region r;
	u32 pages[CRAM_RALLOC_CACHE + 8];
	int i, err = 0;
	u32 p;

	region_init(&r, CRAM_RALLOC_CACHE + 8);
	cram_ralloc_cache_init(&c1);
	cram_ralloc_cache_init(&c2);
	for (i = 0; i < CRAM_RALLOC_CACHE + 8; i++)
		err |= cram_ralloc_get(&r.a, &c1, &pages[i]);
	tap_is_u64(err, 0, "allocate the whole region through one cache");
	for (i = 0; i < CRAM_RALLOC_CACHE + 8; i++)
		err |= cram_ralloc_put(&r.a, &c1, pages[i]);
	tap_is_u64(err, 0, "free it all through the same cache");
	tap_ok(c1.count <= CRAM_RALLOC_CACHE, "  the cache never grows past its size");
	tap_is_u64(r.a.nr_global_free + c1.count, CRAM_RALLOC_CACHE + 8, "  no page lost");
	cram_ralloc_drain(&r.a, &c1);
	tap_is_u64(c1.count, 0, "drain empties the cache");
	for (i = 0; i < CRAM_RALLOC_CACHE + 8; i++)
		err |= cram_ralloc_get(&r.a, &c2, &p);
	tap_is_u64(err, 0, "  another cache can then allocate every page");
	region_free(&r);
}

#define THREADS 4
#define ROUNDS 1000000

struct worker {
	struct region *r;
	struct cram_ralloc_cache cache;
	unsigned int seed;
	int errors;
	u32 held[64];
	int nr_held;
};

/* Random alloc/free mix; every page held is marked in a shadow map. */
static int owner_of[4096];
static pthread_barrier_t start_together;

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int i;

	pthread_barrier_wait(&start_together);
	for (i = 0; i < ROUNDS; i++) {
		u32 p;

		if (w->nr_held < 64 && (w->nr_held == 0 || rand_r(&w->seed) % 2)) {
			if (cram_ralloc_get(&w->r->a, &w->cache, &p))
				continue;	/* exhausted right now: fine */
			if (__atomic_exchange_n(&owner_of[p], 1, __ATOMIC_ACQ_REL))
				w->errors++;	/* page handed to two holders */
			w->held[w->nr_held++] = p;
		} else {
			int k = rand_r(&w->seed) % w->nr_held;

			p = w->held[k];
			w->held[k] = w->held[--w->nr_held];
			__atomic_store_n(&owner_of[p], 0, __ATOMIC_RELEASE);
			if (cram_ralloc_put(&w->r->a, &w->cache, p))
				w->errors++;
		}
	}
	return NULL;
}

static void test_concurrent_threads(void)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct cram_ralloc_cache caches[THREADS];
	struct region r;
	int i, errors = 0, held = 0;

	region_init(&r, 200);	/* fewer than THREADS * 64: exhaustion races too */
	pthread_barrier_init(&start_together, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .r = &r, .seed = 1234u + i };
		cram_ralloc_cache_init(&w[i].cache);
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
		held += w[i].nr_held;
		caches[i] = w[i].cache;
	}
	pthread_barrier_destroy(&start_together);
	tap_is_u64(errors, 0, "4 threads x 1000000 alloc/free: no page owned twice, no bad free");
	tap_is_u64(cram_ralloc_nr_used(&r.a, caches, THREADS), held,
		   "  pages in use equals pages the threads hold");
	tap_is_u64(cram_counter_read(&r.a.bad_frees), 0, "  no refused free");
	region_free(&r);
}

static void test_init_rejects_bad_sizes(void)
{
	struct cram_ralloc a;
	u32 next[1];
	u8 state[1];

	tap_is_u64(cram_ralloc_init(&a, 0, next, state), (uint64_t)-EINVAL, "0-page region refused");
	tap_is_u64(cram_ralloc_init(&a, 1ULL << 32, next, state), (uint64_t)-EINVAL,
		   "2^32-page region refused (page numbers are u32)");
}

int main(void)
{
	test_alloc_free_round_trip();
	test_alloc_exhaustion_declines();
	test_double_free_detected();
	test_cache_flush_and_drain();
	test_concurrent_threads();
	test_init_rejects_bad_sizes();
	return tap_done();
}
