// SPDX-License-Identifier: GPL-2.0
/*
 * swapbench - the in-guest benchmark's workload (make bench, tests/vm/bench.sh):
 * THREADS threads fill MB of anonymous memory with pages of known content, push it
 * all out with MADV_PAGEOUT (reclaim's own path: the swap cache, the active swap
 * back end's store), then read every page back and compare. Three phases, timed
 * apart: fill, page-out (until the kernel's Writeback is drained, so a disk's
 * asynchronous writes are counted), check (every page swapped in once).
 *
 * Why MADV_PAGEOUT and not a memory cgroup limited below MB: zswap charges its
 * compressed copies to the cgroup of the page's owner, so under such a limit zswap
 * alone keeps the cgroup over its limit and throttles it (6.12: a 32 MiB cgroup with
 * 128 MiB of pages made no progress for minutes), and the comparison would measure
 * that. cram's tiers, zram and the disk are not charged to the cgroup.
 *
 * usage: swapbench [-t THREADS] [-c CORPUS]... [-x CMD] MB SEED
 *   -c FILE: real-file pages (ELF binaries, modules) for the "binary" quarter;
 *      without one, that quarter is generated machine-code-like bytes
 *   -x CMD: run CMD (sh -c) between the page-out and the check, outside the timings
 *      (the benchmark reads the back end's memory use there, while pages are out)
 * Page i (of the whole buffer) is, by i % 8: 0 zero; 1, 2, 3 text (words from a
 * small dictionary, ~3:1 under lz4); 4, 5, 6 binary (a corpus page); 7 random
 * (incompressible). Each non-zero page starts with its index and the seed, so no two
 * pages are equal and a page landing in the wrong place is caught.
 *
 * Output, one line:
 *   swapbench threads T pages P swapped S fill_ms F pageout_ms O check_ms C mismatches M
 * S is the buffer's pages out of RAM (VmSwap) after the page-out: the check reads
 * each of them in once. Exit 0 iff M == 0.
 * Only the buffer is swappable: the rest of the program is locked in RAM.
 */
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define PAGE 4096
#define MAX_THREADS 16

static unsigned char *mem, *corpus;
static uint64_t pages, corpus_pages, seed;
static unsigned int threads = 1;
static pthread_barrier_t barrier;
static uint64_t mismatches[MAX_THREADS];

static const char *const words[] = {
	"the ", "page ", "swap ", "memory ", "of ", "and ", "device ", "kernel ",
	"compressed ", "to ", "a ", "is ", "in ", "cache ", "line ", "store ",
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(unsigned char *p, uint64_t i)
{
	uint64_t s = (seed ^ (i * 0x9e3779b97f4a7c15ull)) | 1, *q = (uint64_t *)p;
	size_t off = 16, n;
	const char *w;

	switch (i % 8) {
	case 0:
		memset(p, 0, PAGE);
		return;
	case 1: case 2: case 3:
		while (off < PAGE) {
			w = words[next(&s) % 16];
			n = strlen(w);
			if (n > PAGE - off)
				n = PAGE - off;
			memcpy(p + off, w, n);
			off += n;
		}
		break;
	case 4: case 5: case 6:
		if (corpus_pages) {
			memcpy(p, corpus + (i % corpus_pages) * PAGE, PAGE);
			break;
		}
		/* short opcodes, small immediates, repeated registers */
		for (; off < PAGE; off++)
			p[off] = (next(&s) & 3) ? (unsigned char)(0x40 + (s >> 20) % 16) : 0;
		break;
	default:
		for (off = 0; off < PAGE / 8; off++)
			q[off] = next(&s);
		break;
	}
	q[0] = i;
	q[1] = seed;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* Each thread fills, pages out, then checks its own contiguous share. */
static void *worker(void *arg)
{
	uint64_t t = (uintptr_t)arg, share = pages / threads, i, bad = 0;
	unsigned char want[PAGE];

	for (i = t * share; i < (t + 1) * share; i++)
		fill(mem + i * PAGE, i);
	pthread_barrier_wait(&barrier);	/* fill done */
	if (madvise(mem + t * share * PAGE, share * PAGE, MADV_PAGEOUT))
		perror("madvise(MADV_PAGEOUT)");
	pthread_barrier_wait(&barrier);	/* page-out done */
	pthread_barrier_wait(&barrier);	/* drained, VmSwap read: check */
	for (i = t * share; i < (t + 1) * share; i++) {
		fill(want, i);
		bad += memcmp(mem + i * PAGE, want, PAGE) != 0;
	}
	mismatches[t] = bad;
	return NULL;
}

/* FIELD's value in kB in a /proc file of "Field:   N kB" lines */
static uint64_t proc_kb(const char *path, const char *field)
{
	char line[128], fmt[64];
	unsigned long long kb = 0;
	FILE *f = fopen(path, "r");

	snprintf(fmt, sizeof(fmt), "%s: %%llu", field);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Swap writes still in flight (a disk's are asynchronous): wait for them. */
static void writeback_drain(void)
{
	while (proc_kb("/proc/meminfo", "Writeback"))
		usleep(1000);
}

/* posix_spawn: no copy of the locked address space, unlike fork() */
static void run_cmd(const char *cmd)
{
	char *const argv[] = { "sh", "-c", (char *)cmd, NULL };
	char *const envp[] = { "PATH=/cram/bin:/bin:/sbin:/usr/bin:/usr/sbin", NULL };
	pid_t pid;
	int status;

	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp)) {
		perror("posix_spawn");
		return;
	}
	waitpid(pid, &status, 0);
}

/* Appends FILE's whole pages to the corpus (read before mlockall: it stays in RAM). */
static int corpus_add(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	uint64_t n;

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return -1;
	}
	n = st.st_size / PAGE;
	corpus = realloc(corpus, (corpus_pages + n) * PAGE);
	if (!corpus || read(fd, corpus + corpus_pages * PAGE, n * PAGE) != (ssize_t)(n * PAGE)) {
		perror(path);
		return -1;
	}
	corpus_pages += n;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t tid[MAX_THREADS];
	uint64_t t0, t1, t2, t3, t4, swapped, bad = 0;
	const char *cmd = NULL;
	unsigned int t;
	int opt;

	while ((opt = getopt(argc, argv, "t:c:x:")) != -1) {
		if (opt == 't')
			threads = atoi(optarg);
		else if (opt == 'x')
			cmd = optarg;
		else if (opt != 'c' || corpus_add(optarg))
			goto usage;
	}
	if (argc - optind != 2 || threads < 1 || threads > MAX_THREADS)
		goto usage;
	pages = strtoull(argv[optind], NULL, 0) * (1 << 20) / PAGE / threads * threads;
	seed = strtoull(argv[optind + 1], NULL, 0);
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {
		perror("mlockall");
		return 2;
	}
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || munlock(mem, pages * PAGE)) {
		perror("mmap/munlock");
		return 2;
	}
	madvise(mem, pages * PAGE, MADV_NOHUGEPAGE);
	pthread_barrier_init(&barrier, NULL, threads + 1);
	t0 = ms_now();
	for (t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, worker, (void *)(uintptr_t)t);
	pthread_barrier_wait(&barrier);
	t1 = ms_now();
	pthread_barrier_wait(&barrier);
	writeback_drain();
	t2 = ms_now();
	swapped = proc_kb("/proc/self/status", "VmSwap") / 4;
	if (cmd)
		run_cmd(cmd);
	t3 = ms_now();
	pthread_barrier_wait(&barrier);
	for (t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		bad += mismatches[t];
	}
	t4 = ms_now();
	printf("swapbench threads %u pages %llu swapped %llu fill_ms %llu pageout_ms %llu check_ms %llu mismatches %llu\n",
	       threads, (unsigned long long)pages, (unsigned long long)swapped,
	       (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1),
	       (unsigned long long)(t4 - t3), (unsigned long long)bad);
	return bad != 0;
usage:
	fprintf(stderr, "usage: swapbench [-t THREADS] [-c CORPUS]... [-x CMD] MB SEED\n");
	return 2;
}
