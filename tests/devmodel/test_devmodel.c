// SPDX-License-Identifier: GPL-2.0
/*
 * test_devmodel.c - unit tests of the device model's footprint calculation (checked
 * against liblz4 called directly) and of its scan (only changed pages are
 * recompressed), plus the scan's cost in ms per GiB, cold and warm.
 */
#include <lz4.h>
#include <stdlib.h>
#include <time.h>

#include "../unit/tap.h"
#include "footprint.h"
#include "scan.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* kind 0 text-like, 1 random, 2 one repeated word, 3 half zero half random, 4 zero */
static void fill(uint8_t *p, int kind)
{
	static const char words[] = "the quick brown fox jumps over the lazy swap device ";
	uint64_t w = next_rand() | 1;
	int k;

	for (k = 0; k < DM_PAGE; k += 8) {
		switch (kind) {
		case 0:
			for (int j = 0; j < 8; j++)
				p[k + j] = words[(k + j + next_rand() % 3) % (sizeof(words) - 1)];
			continue;
		case 1:
			w = next_rand();
			break;
		case 3:
			w = k < DM_PAGE / 2 ? 0 : next_rand();
			break;
		case 4:
			w = 0;
			break;
		}
		memcpy(p + k, &w, 8);
	}
}

static uint32_t lz4_direct(const uint8_t *p, uint32_t granule)
{
	char out[LZ4_COMPRESSBOUND(DM_PAGE)];
	int len = LZ4_compress_default((const char *)p, out, DM_PAGE, sizeof(out));

	if (len >= DM_PAGE)
		return DM_PAGE;
	return (len + granule - 1) / granule * granule;
}

static void test_footprint_matches_lz4(void)
{
	static const char *const names[] = { "text", "random", "repeated word", "half zero" };
	char scratch[DM_SCRATCH], what[96];
	uint8_t page[DM_PAGE];
	uint32_t fp, granule;
	int kind;

	for (granule = 64; granule <= 256; granule *= 4) {
		for (kind = 0; kind < 4; kind++) {
			fill(page, kind);
			fp = dm_page_footprint(page, granule, scratch);
			snprintf(what, sizeof(what), "%s page, granule %u: lz4 size rounded up (%u)",
				 names[kind], granule, fp);
			tap_is_u64(fp, lz4_direct(page, granule), what);
			tap_ok(fp % granule == 0 && fp <= DM_PAGE, "  a whole number of granules, <= 4096");
		}
	}
	fill(page, 1);
	tap_is_u64(dm_page_footprint(page, 64, scratch), DM_PAGE, "random page costs a whole page");
	fill(page, 2);
	tap_ok(dm_page_footprint(page, 64, scratch) <= 128, "repeated-word page costs <= 2 granules");
	fill(page, 4);
	tap_is_u64(dm_page_footprint(page, 64, scratch), 0, "zero page costs nothing");
	page[4095] = 1;
	tap_is_u64(dm_page_footprint(page, 64, scratch), lz4_direct(page, 64),
		   "one byte set in the last position: not a zero page");
	tap_ok(dm_page_footprint(page, 64, scratch) > 0, "  and costs something");
}

static void test_scan_recompresses_only_changed_pages(void)
{
	enum { N = 256 };
	uint8_t *mem = calloc(N, DM_PAGE);
	struct dm_pages p;
	struct dm_scan_result r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 };
	uint64_t i, want = 0;
	char scratch[DM_SCRATCH];

	dm_pages_init(&p, N, 64);
	for (i = 0; i < N; i++) {
		fill(mem + i * DM_PAGE, i % 5);
		want += dm_page_footprint(mem + i * DM_PAGE, 64, scratch);
	}
	dm_scan_range(&p, mem, 0, N, &r1);
	tap_is_u64(r1.phys_used, want, "scan: PHYS_USED is the sum of page footprints");
	tap_is_u64(r1.logical_used, (N - N / 5) * (uint64_t)DM_PAGE, "scan: LOGICAL_USED counts non-zero pages");
	tap_is_u64(r1.compressed, N - N / 5, "first scan compresses every non-zero page");
	dm_scan_range(&p, mem, 0, N, &r2);
	tap_is_u64(r2.compressed, 0, "second scan of unchanged memory compresses nothing");
	tap_is_u64(r2.phys_used, want, "  and publishes the same PHYS_USED");
	fill(mem + 1 * DM_PAGE, 0);	/* random -> text */
	mem[7 * DM_PAGE + 100] ^= 0xff;	/* text page 5*1+... a one-byte change */
	memset(mem + 6 * DM_PAGE, 0, DM_PAGE);	/* random -> zero */
	dm_scan_range(&p, mem, 0, N, &r3);
	tap_is_u64(r3.compressed, 2, "after changing 3 pages (one now zero): 2 recompressed");
	tap_ok(r3.phys_used < want, "  and PHYS_USED fell (random pages became text and zero)");
	dm_scan_range(&p, mem, 0, 10, &r4);
	tap_ok(r4.phys_used < r3.phys_used, "a partial range counts only its pages");
	dm_pages_free(&p);
	free(mem);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Not an assertion on time: prints what a scan costs, for the notes. */
static void bench_scan_cost(void)
{
	enum { N = 32768 };	/* 128 MiB */
	uint8_t *mem = malloc((size_t)N * DM_PAGE);
	struct dm_scan_result cold = { 0 }, warm = { 0 };
	struct timespec t0;
	struct dm_pages p;
	double c_ms, w_ms;
	uint64_t i;

	for (i = 0; i < N; i++)
		fill(mem + i * DM_PAGE, i % 5);
	dm_pages_init(&p, N, 64);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dm_scan_range(&p, mem, 0, N, &cold);
	c_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dm_scan_range(&p, mem, 0, N, &warm);
	w_ms = ms_since(&t0);
	tap_is_u64(warm.phys_used, cold.phys_used, "bench: warm scan agrees with cold scan");
	printf("# scan cost, mixed data (4/5 non-zero): cold (all compressed) %.0f ms/GiB, warm (hash only) %.0f ms/GiB; ratio %.2f:1\n",
	       c_ms * 8, w_ms * 8, (double)cold.logical_used / cold.phys_used);
	dm_pages_free(&p);
	free(mem);
}

int main(void)
{
	test_footprint_matches_lz4();
	test_scan_recompresses_only_changed_pages();
	bench_scan_cost();
	return tap_done();
}
