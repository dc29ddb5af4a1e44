// SPDX-License-Identifier: GPL-2.0
/*
 * copybench - the cost of cram's two ways to copy a swapped-out page into its tier:
 * plain stores (memcpy) and non-temporal stores (movnti + sfence, what the kernel's
 * memcpy_flushcache() does on x86, cram's default, nt_store=Y), and the same for the
 * zeroing of freed pages. Run on ordinary DRAM: QEMU's CXL memory is emulated MMIO
 * and says nothing about speed.
 *
 * The destination is much larger than the last-level cache, as a CXL region is, so a
 * plain store to a line first reads it (read-for-ownership): that extra read is the
 * traffic a compressing device should not see. Non-temporal stores write whole lines
 * without reading them.
 *
 * usage: copybench [DEST_MB] [ROUNDS]    (default 1024 MiB, 3 rounds; best round kept)
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ntcopy.h"

#define PAGE 4096

static void copy_plain(void *dst, const void *src)
{
	memcpy(dst, src, PAGE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copy a small, cache-hot set of source pages over the whole destination. */
static double run(void (*copy)(void *, const void *), unsigned char *dst, size_t pages,
		  const unsigned char *src, int rounds)
{
	double best = 1e30, t;
	size_t i;
	int r;

	for (r = 0; r < rounds; r++) {
		t = now();
		for (i = 0; i < pages; i++)
			copy(dst + i * PAGE, src + (i % 16) * PAGE);
		_mm_sfence();
		t = now() - t;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoull(argv[1], NULL, 0) : 1024;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	size_t pages = mb * (1 << 20) / PAGE, i;
	unsigned char *dst, *src, *zero;
	double plain, nt, zplain, znt, gib = (double)pages * PAGE / (1 << 30);

	dst = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_POPULATE, -1, 0);
	src = aligned_alloc(PAGE, 16 * PAGE);
	zero = aligned_alloc(PAGE, 16 * PAGE);
	if (dst == MAP_FAILED || !src || !zero || rounds < 1) {
		fprintf(stderr, "usage: copybench [DEST_MB] [ROUNDS]\n");
		return 2;
	}
	for (i = 0; i < 16 * PAGE; i++)
		src[i] = (unsigned char)(i * 131 + 7);
	memset(zero, 0, 16 * PAGE);

	plain = run(copy_plain, dst, pages, src, rounds);
	nt = run(copy_nt, dst, pages, src, rounds);
	zplain = run(copy_plain, dst, pages, zero, rounds);
	znt = run(copy_nt, dst, pages, zero, rounds);

	printf("copybench: %zu MiB destination, %zu pages, best of %d\n", mb, pages, rounds);
	printf("store page, plain stores:         %6.2f GiB/s  %6.0f ns/page\n",
	       gib / plain, plain * 1e9 / pages);
	printf("store page, non-temporal stores:  %6.2f GiB/s  %6.0f ns/page\n",
	       gib / nt, nt * 1e9 / pages);
	printf("zero page,  plain stores:         %6.2f GiB/s  %6.0f ns/page\n",
	       gib / zplain, zplain * 1e9 / pages);
	printf("zero page,  non-temporal stores:  %6.2f GiB/s  %6.0f ns/page\n",
	       gib / znt, znt * 1e9 / pages);
	printf("non-temporal / plain speed: store %.2fx, zero %.2fx\n", plain / nt, zplain / znt);
	return 0;
}
