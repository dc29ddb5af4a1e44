// SPDX-License-Identifier: GPL-2.0
/*
 * slotrewrite - give pages to swap, then rewrite them and send the new contents out
 * to the same swap slots while an older copy's write may still be in flight, and
 * check which copy the swap device keeps.
 *
 * usage: slotrewrite PAGES SEED GO_FILE DONE_FILE
 *   1. writes PAGES pages of generation 1 and pushes them out (MADV_PAGEOUT);
 *      prints "stored"
 *   2. once GO_FILE exists: reads them back (checking generation 1), writes
 *      generation 2 and pushes it out; the pages keep their swap slots (they stay in
 *      the swap cache), so these are newer writes to the slots; prints "rewritten"
 *   3. once DONE_FILE exists, checks generation 2; the test drops the pages' clean
 *      swap-cache copies first (memory.reclaim), so that this reads the swap device
 * Output: "gen1 mismatches M1", then "pages N mismatches M resident R" (R: pages
 * still in memory when the last check began, by mincore); exit 0 iff M1 == M == 0.
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

static size_t check(unsigned char *mem, size_t pages, uint64_t seed, unsigned int gen)
{
	uint64_t want[PAGE / 8];
	size_t i, bad = 0;

	for (i = 0; i < pages; i++) {
		fill(want, seed, gen, i);
		bad += memcmp(mem + i * PAGE, want, PAGE) != 0;
	}
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
	unsigned char *mem;
	uint64_t seed;

	if (argc != 5) {
		fprintf(stderr, "usage: slotrewrite PAGES SEED GO_FILE DONE_FILE\n");
		return 2;
	}
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
	bad1 = check(mem, pages, seed, 1);
	printf("gen1 mismatches %zu\n", bad1);
	write_gen(mem, pages, seed, 2);
	page_out(mem, pages);
	printf("rewritten\n");
	fflush(stdout);

	wait_for(argv[4]);
	res = resident(mem, pages);
	bad2 = check(mem, pages, seed, 2);
	printf("pages %zu mismatches %zu resident %zu\n", pages, bad2, res);
	return bad1 || bad2;
}
