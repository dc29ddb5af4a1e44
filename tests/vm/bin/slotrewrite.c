// SPDX-License-Identifier: GPL-2.0
/*
 * slotrewrite - give pages to swap, then rewrite them and send the new contents out
 * to the same swap slots while an older copy's write may still be in flight, and
 * check which copy the swap device keeps.
 *
 * usage: slotrewrite [-r ROUNDS] PAGES SEED GO_FILE DONE_FILE
 *   1. writes PAGES pages of generation 1 and pushes them out (MADV_PAGEOUT);
 *      prints "stored"
 *   2. once GO_FILE exists: reads them back (checking generation 1), writes
 *      generation 2 and pushes it out; the pages keep their swap slots (they stay in
 *      the swap cache), so these are newer writes to the slots; prints "rewritten".
 *      With -r: page by page, ROUNDS times each (read, check, write the next
 *      generation, push that one page out), so each store of a page follows its
 *      load at once, on the same CPU as a rule: a tier that frees the page's old
 *      copy at the load can hand the same place back to the store
 *   3. once DONE_FILE exists, checks the last generation (2, or 1 + ROUNDS); the
 *      test drops the pages' clean swap-cache copies first (memory.reclaim), so
 *      that this reads the swap device
 * Output: "gen1 mismatches M1" (every read in step 2), then "pages N mismatches M
 * resident R" (R: pages still in memory when the last check began, by mincore);
 * exit 0 iff M1 == M == 0.
 * Only the buffer is swappable (the rest is locked as it is touched).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE 4096

/* Page i of generation gen: words from a xorshift seeded by (seed, gen, i). */
static void fill(uint64_t *w, uint64_t seed, unsigned int gen, size_t i)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)gen << 56 ^ i ^ 0x5bd1e995;
	size_t k;

	w[0] = i;
	w[1] = gen;
	for (k = 2; k < PAGE / 8; k++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		w[k] = k % 4 ? 0 : s;	/* compressible: the pool takes it */
	}
}

static int page_bad(const unsigned char *page, uint64_t seed, unsigned int gen, size_t i)
{
	uint64_t want[PAGE / 8];

	fill(want, seed, gen, i);
	return memcmp(page, want, PAGE) != 0;
}

static size_t check(unsigned char *mem, size_t pages, uint64_t seed, unsigned int gen)
{
	size_t i, bad = 0;

	for (i = 0; i < pages; i++)
		bad += page_bad(mem + i * PAGE, seed, gen, i);
	return bad;
}

static void write_gen(unsigned char *mem, size_t pages, uint64_t seed, unsigned int gen)
{
	size_t i;

	for (i = 0; i < pages; i++)
		fill((uint64_t *)(mem + i * PAGE), seed, gen, i);
}

static void wait_for(const char *path)
{
	while (access(path, F_OK))
		usleep(20000);
}

static void page_out(unsigned char *mem, size_t pages)
{
	if (madvise(mem, pages * PAGE, MADV_PAGEOUT))
		perror("madvise(MADV_PAGEOUT)");
}

/* Step 2 with -r: each page in turn, rounds times; returns the reads that were bad. */
static size_t rewrite_by_page(unsigned char *mem, size_t pages, uint64_t seed,
			      unsigned int rounds)
{
	unsigned int gen;
	size_t i, bad = 0;

	for (i = 0; i < pages; i++) {
		for (gen = 1; gen <= rounds; gen++) {
			bad += page_bad(mem + i * PAGE, seed, gen, i);
			fill((uint64_t *)(mem + i * PAGE), seed, gen + 1, i);
			page_out(mem + i * PAGE, 1);
		}
	}
	return bad;
}

static size_t resident(unsigned char *mem, size_t pages)
{
	unsigned char *vec = malloc(pages);
	size_t i, n = 0;

	if (!vec || mincore(mem, pages * PAGE, vec))
		return pages;
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

int main(int argc, char **argv)
{
	size_t pages, bad1, bad2, res;
	unsigned int rounds = 0;
	unsigned char *mem;
	uint64_t seed;
	int c;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		rounds = c == 'r' ? strtoul(optarg, NULL, 0) : 0;
		if (!rounds)
			break;
	}
	if (c != -1 || argc - optind != 4) {
		fprintf(stderr, "usage: slotrewrite [-r ROUNDS] PAGES SEED GO_FILE DONE_FILE\n");
		return 2;
	}
	argv += optind - 1;
	pages = strtoull(argv[1], NULL, 0);
	seed = strtoull(argv[2], NULL, 0);
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (!pages || mem == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || munlock(mem, pages * PAGE))
		perror("mlockall");
	madvise(mem, pages * PAGE, MADV_NOHUGEPAGE);

	write_gen(mem, pages, seed, 1);
	page_out(mem, pages);
	printf("stored\n");
	fflush(stdout);

	wait_for(argv[3]);
	if (rounds) {
		bad1 = rewrite_by_page(mem, pages, seed, rounds);
	} else {
		bad1 = check(mem, pages, seed, 1);
		write_gen(mem, pages, seed, 2);
		page_out(mem, pages);
		rounds = 1;
	}
	printf("gen1 mismatches %zu\n", bad1);
	printf("rewritten\n");
	fflush(stdout);

	wait_for(argv[4]);
	res = resident(mem, pages);
	bad2 = check(mem, pages, seed, 1 + rounds);
	printf("pages %zu mismatches %zu resident %zu\n", pages, bad2, res);
	return bad1 || bad2;
}
