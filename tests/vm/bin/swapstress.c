// SPDX-License-Identifier: GPL-2.0
/*
 * swapstress - write patterned anonymous pages, let the kernel swap them, read every
 * byte back and compare. Run it in a memory cgroup limited well below MB so that most
 * pages really leave RAM.
 *
 * usage: swapstress [-p PATTERN] [-n PASSES] [-f FORKS] [-s] [-H] [-m ADVICE] MB SEED
 *                   [HOLD_FILE]
 *   with HOLD_FILE: after filling, print "filled" and wait until HOLD_FILE exists
 *   (lets a test load or unload cram between swap-out and swap-in).
 *   -p mixed (default): patterns cycle per page (below);
 *      quarter: 1000 random bytes then zeros, about 4:1 under lz4;
 *      random: incompressible;
 *      shift: blocks of 1 MiB alternate quarter / random, and swap roles every
 *      pass (compressibility changes over time and across the buffer);
 *      fill: every page one repeated non-zero word, nothing else (same-filled;
 *      these pages carry no index or "swapstress:" text)
 *   -n PASSES: rewrite and check the whole buffer PASSES times (seed + pass)
 *   -f FORKS: after filling, fork FORKS children that each check the whole buffer
 *      before the parent does: pages swapped out before the fork are swap entries
 *      mapped by several processes (a shared swap count), read in by several
 *   -s: the buffer is a shared anonymous mapping (shmem: swapped by shmem's path)
 *   -H: let the kernel back the buffer with large folios (THP, mTHP sizes enabled
 *      in /sys/kernel/mm/transparent_hugepage/); by default it is MADV_NOHUGEPAGE
 *   -m cold|pageout: after each fill, madvise the buffer MADV_COLD (reclaim takes
 *      it first) or MADV_PAGEOUT (swapped out now, no memory limit needed), as the
 *      kernel's mm selftests drive swap-out
 * Output: "pages N mismatches M first_bad P" (P = -1 when none; M counts the
 * children's mismatches too); exit 0 iff M == 0.
 * Only the buffer is swappable: the program locks the rest of itself in RAM, what it
 * maps later included (stdio's buffer), as pages are first touched.
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
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define PAGE 4096

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

enum pattern { MIXED, QUARTER, RANDOM, SHIFT, FILL };

static enum pattern pattern = MIXED;
static unsigned int pass;
static unsigned int forks;
static int shared, huge;
static int advice = -1;		/* -m: MADV_COLD or MADV_PAGEOUT after each fill */

/* 0 text-like, 1 random, 2 repeated word, 3 half zero, 4 quarter random, 5 same-filled */
static int kind_of(size_t i)
{
	switch (pattern) {
	case FILL:
		return 5;
	case QUARTER:
		return 4;
	case RANDOM:
		return 1;
	case SHIFT:
		return (i / 256 + pass) % 2 ? 1 : 4;
	default:
		return i % 4;
	}
}

static void fill(unsigned char *p, uint64_t seed, size_t i)
{
	static const char words[] = "the quick brown fox jumps over the lazy swap device ";
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + i + 1, w;
	size_t k;

	switch (kind_of(i)) {
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
	case 5:
		w = next(&s) | 1;
		for (k = 0; k < PAGE; k += 8)
			memcpy(p + k, &w, 8);
		if (kind_of(i) == 5)
			return;
		break;
	case 4:
		memset(p, 0, PAGE);
		for (k = 0; k < 1000; k += 8) {
			w = next(&s);
			memcpy(p + k, &w, 8);
		}
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

static int parse_args(int argc, char **argv, unsigned int *passes)
{
	int c;

	while ((c = getopt(argc, argv, "p:n:f:sHm:")) != -1) {
		if (c == 'm') {
			if (!strcmp(optarg, "cold"))
				advice = MADV_COLD;
			else if (!strcmp(optarg, "pageout"))
				advice = MADV_PAGEOUT;
			else
				return -1;
		} else if (c == 'n') {
			*passes = strtoul(optarg, NULL, 0);
		} else if (c == 'f') {
			forks = strtoul(optarg, NULL, 0);
		} else if (c == 's') {
			shared = 1;
		} else if (c == 'H') {
			huge = 1;
		} else if (c == 'p') {
			if (!strcmp(optarg, "quarter"))
				pattern = QUARTER;
			else if (!strcmp(optarg, "random"))
				pattern = RANDOM;
			else if (!strcmp(optarg, "shift"))
				pattern = SHIFT;
			else if (!strcmp(optarg, "fill"))
				pattern = FILL;
			else if (strcmp(optarg, "mixed"))
				return -1;
		} else {
			return -1;
		}
	}
	return argc - optind < 2 || argc - optind > 3 || !*passes ? -1 : optind;
}

/* Mismatches of one check of the whole buffer; the first bad page in *first_bad. */
static size_t check(const unsigned char *mem, size_t pages, uint64_t seed, long *first_bad)
{
	unsigned char want[PAGE];
	size_t i, bad = 0;

	for (i = 0; i < pages; i++) {
		fill(want, seed, i);
		if (memcmp(mem + i * PAGE, want, PAGE)) {
			if (*first_bad < 0 || (long)i < *first_bad)
				*first_bad = (long)i;
			bad++;
		}
	}
	return bad;
}

/* FORKS children check the buffer; their counts come back through *shared_bad. */
static size_t check_in_children(const unsigned char *mem, size_t pages, uint64_t seed,
				size_t *shared_bad)
{
	unsigned int k;
	size_t failed = 0;
	int status;
	long first = -1;
	pid_t pid;

	for (k = 0; k < forks; k++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			failed++;
			continue;
		}
		if (!pid) {
			__atomic_add_fetch(shared_bad, check(mem, pages, seed, &first),
					   __ATOMIC_SEQ_CST);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;	/* a child that died checked nothing: count it */
	return failed + __atomic_load_n(shared_bad, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	size_t pages, i, bad = 0;
	long first_bad = -1;
	unsigned char *mem;
	size_t *shared_bad;
	unsigned int passes = 1;
	const char *hold;
	uint64_t seed;
	int arg = parse_args(argc, argv, &passes);

	if (arg < 0) {
		fprintf(stderr, "usage: swapstress [-p mixed|quarter|random|shift|fill] [-n PASSES] [-f FORKS] [-s] [-H] [-m cold|pageout] MB SEED [HOLD_FILE]\n");
		return 2;
	}
	pages = strtoull(argv[arg], NULL, 0) * (1 << 20) / PAGE;
	seed = strtoull(argv[arg + 1], NULL, 0);
	hold = argv[arg + 2];	/* NULL when absent */
	/* the children's count: shared, and locked in RAM like the rest of the program */
	shared_bad = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_bad == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	/*
	 * Keep the program's own stack, data and text in RAM: only the buffer mapped
	 * below is swapped, so every page that leaves RAM is a checked one (a test that
	 * corrupts one swapped page then sees a mismatch, not a crash).
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {	/* stdio's buffer too */
		perror("mlockall");
		return 2;
	}
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || munlock(mem, pages * PAGE)) {
		perror("mmap/munlock");
		return 2;
	}
	madvise(mem, pages * PAGE, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < pages; i++)
			fill(mem + i * PAGE, seed + pass, i);
		if (advice >= 0 && madvise(mem, pages * PAGE, advice)) {
			perror("madvise");
			return 2;
		}
		if (hold && pass == 0) {
			printf("filled\n");
			fflush(stdout);
			while (access(hold, F_OK))
				usleep(100000);
		}
		__atomic_store_n(shared_bad, 0, __ATOMIC_SEQ_CST);
		if (forks)
			bad += check_in_children(mem, pages, seed + pass, shared_bad);
		bad += check(mem, pages, seed + pass, &first_bad);
	}
	printf("pages %zu mismatches %zu first_bad %ld\n", pages, bad, first_bad);
	return bad ? 1 : 0;
}
