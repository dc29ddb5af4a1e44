// SPDX-License-Identifier: GPL-2.0
/*
 * swapstress - write patterned anonymous pages, let the kernel swap them, read every
 * byte back and compare. Run it in a memory cgroup limited well below MB so that most
 * pages really leave RAM.
 *
 * usage: swapstress MB SEED [HOLD_FILE]
 *   with HOLD_FILE: after filling, print "filled" and wait until HOLD_FILE exists
 *   (lets a test load or unload cram between swap-out and swap-in).
 * Output: "pages N mismatches M first_bad P" (P = -1 when none); exit 0 iff M == 0.
 * Only the buffer is swappable: the program locks the rest of itself in RAM.
 *
 * Page i's content is a function of (SEED, i), regenerated for the check, so no copy
 * of the data stays in memory. Every page starts with i (8 bytes) and the text
 * "swapstress:SEED:", so the host can count the pages it finds in a backing file. Patterns cycle per page: text-like, random, one
 * repeated word, half zero / half random (compressibility from ~4:1 to 1:1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(unsigned char *p, uint64_t seed, size_t i)
{
	static const char words[] = "the quick brown fox jumps over the lazy swap device ";
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + i + 1, w;
	size_t k;

	switch (i % 4) {
	case 0:
		for (k = 0; k < PAGE; k++)
			p[k] = words[(k + next(&s) % 3) % (sizeof(words) - 1)];
		break;
	case 1:
		for (k = 0; k < PAGE; k += 8) {
			w = next(&s);
			memcpy(p + k, &w, 8);
		}
		break;
	case 2:
		w = next(&s) | 1;
		for (k = 0; k < PAGE; k += 8)
			memcpy(p + k, &w, 8);
		break;
	default:
		memset(p, 0, PAGE / 2);
		for (k = PAGE / 2; k < PAGE; k += 8) {
			w = next(&s);
			memcpy(p + k, &w, 8);
		}
	}
	memcpy(p, &i, sizeof(i));	/* every page distinct, never all-zero */
	snprintf((char *)p + 8, 32, "swapstress:%llu:", (unsigned long long)seed);
}

int main(int argc, char **argv)
{
	size_t pages, i, bad = 0;
	long first_bad = -1;
	unsigned char *mem, want[PAGE];
	uint64_t seed;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: swapstress MB SEED [HOLD_FILE]\n");
		return 2;
	}
	pages = strtoull(argv[1], NULL, 0) * (1 << 20) / PAGE;
	/*
	 * Keep the program's own stack, data and text in RAM: only the buffer mapped
	 * below is swapped, so every page that leaves RAM is a checked one (a test that
	 * corrupts one swapped page then sees a mismatch, not a crash).
	 */
	if (mlockall(MCL_CURRENT)) {
		perror("mlockall");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	madvise(mem, pages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		fill(mem + i * PAGE, seed, i);
	if (argc == 4) {
		printf("filled\n");
		fflush(stdout);
		while (access(argv[3], F_OK))
			usleep(100000);
	}
	for (i = 0; i < pages; i++) {
		fill(want, seed, i);
		if (memcmp(mem + i * PAGE, want, PAGE)) {
			if (first_bad < 0)
				first_bad = (long)i;
			bad++;
		}
	}
	printf("pages %zu mismatches %zu first_bad %ld\n", pages, bad, first_bad);
	return bad ? 1 : 0;
}
