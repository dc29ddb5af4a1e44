// SPDX-License-Identifier: GPL-2.0
/*
 * test_config.c - unit tests of src/core/config.c: the module parameter rules.
 */
#include "cram/config.h"
#include "tap.h"

static void test_region_empty_means_no_cxl_tier(void)
{
	struct cram_region_spec s;
	const char *why = NULL;

	tap_is_u64(cram_region_parse("", &s, &why), 0, "empty region is accepted");
	tap_is_u64(s.kind, CRAM_REGION_NONE, "empty region: kind none");
	tap_is_u64(cram_region_parse("\n", &s, &why), 0, "lone newline (sysfs write) is empty");
	tap_is_u64(s.kind, CRAM_REGION_NONE, "lone newline: kind none");
}

static void test_region_devdax_names(void)
{
	static const char *const good[] = { "dax0.0", "dax12.3", "dax1.10\n" };
	static const char *const bad[] = { "dax", "dax0", "dax0.", "dax.0", "daxa.0",
					   "dax0.0x", "dax0..0", "dax0.0 ", "dax-1.0",
					   "dax000000000000000.0" };
	struct cram_region_spec s;
	const char *why;
	char what[96];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(what, sizeof(what), "devdax name '%s' accepted", good[i]);
		tap_is_u64(cram_region_parse(good[i], &s, &why), 0, what);
		tap_is_u64(s.kind, CRAM_REGION_DEVDAX, "  kind devdax");
	}
	tap_is_str(s.dax_name, "dax1.10", "trailing newline stripped from name");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		snprintf(what, sizeof(what), "bad devdax name '%s' rejected", bad[i]);
		tap_is_u64(cram_region_parse(bad[i], &s, &why), (uint64_t)-EINVAL, what);
		tap_ok(why && *why, "  with a reason");
	}
}

static void test_region_phys_ranges(void)
{
	struct cram_region_spec s;
	const char *why;

	tap_is_u64(cram_region_parse("512M@0x110000000", &s, &why), 0, "512M@0x110000000 accepted");
	tap_is_u64(s.kind, CRAM_REGION_PHYS, "  kind phys");
	tap_is_u64(s.start, 0x110000000ULL, "  start");
	tap_is_u64(s.size, 512ULL << 20, "  size");
	tap_is_u64(cram_region_parse("0x20000000@4G", &s, &why), 0, "hex size, G start accepted");
	tap_is_u64(s.start, 4ULL << 30, "  start 4G");
	tap_is_u64(s.size, 0x20000000ULL, "  size 0x20000000");
	tap_is_u64(cram_region_parse("4096@8192\n", &s, &why), 0, "decimal with newline accepted");
	tap_is_u64(s.size, 4096, "  size 4096");
}

static void test_region_range_rules(void)
{
	const char *why;

	tap_is_u64(cram_region_range_check(0x110000000ULL, 512ULL << 20, &why), 0,
		   "512 MiB at 0x110000000 is a usable region");
	tap_is_u64(cram_region_range_check(0, CRAM_REGION_MIN_BYTES, &why), 0,
		   "exactly the minimum size is usable");
	why = NULL;
	tap_is_u64(cram_region_range_check(0, CRAM_REGION_MIN_BYTES - 4096, &why),
		   (uint64_t)-EINVAL, "one page under the minimum is refused");
	tap_ok(why && strstr(why, "1 MiB"), "  saying the minimum");
	tap_is_u64(cram_region_range_check(0x1000, (1ULL << 20) + 512, &why), (uint64_t)-EINVAL,
		   "size not a page multiple is refused");
	tap_is_u64(cram_region_range_check(0x800, 1ULL << 20, &why), (uint64_t)-EINVAL,
		   "start not page aligned is refused");
	tap_is_u64(cram_region_range_check(0, CRAM_REGION_MAX_PAGES * 4096, &why), 0,
		   "the largest allocator-addressable region is usable");
	why = NULL;
	tap_is_u64(cram_region_range_check(0, (CRAM_REGION_MAX_PAGES + 1) * 4096, &why),
		   (uint64_t)-EINVAL, "one page more than the allocator can number is refused");
	tap_ok(why && strstr(why, "16 TiB"), "  saying the maximum");
	tap_is_u64(cram_region_range_check(0xfffffffffff00000ULL, 2ULL << 20, &why),
		   (uint64_t)-EINVAL, "a range wrapping past 2^64 is refused");
}

static void test_region_phys_rejects(void)
{
	static const char *const bad[] = {
		"512M", "@0x1000", "512M@", "0@0x1000", "4095@0", "4096@4095", "1M@0x1001",
		"512X@0", "512M@0x1000 junk", "-4096@0", "0x@0", "18446744073709551616@0",
		"17179869184G@0", "8K@0xfffffffffffff000", "4096@0x10000000000000000",
		"this-is-a-very-long-argument-that-is-longer-than-sixty-four-bytes-total",
	};
	struct cram_region_spec s;
	const char *why;
	char what[160];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		snprintf(what, sizeof(what), "bad range '%s' rejected", bad[i]);
		tap_is_u64(cram_region_parse(bad[i], &s, &why), (uint64_t)-EINVAL, what);
		tap_ok(why && *why, "  with a reason");
	}
	tap_is_u64(cram_region_parse("0@0x1000", &s, &why), (uint64_t)-EINVAL, "zero size");
	tap_is_str(why, "size is zero", "  says size is zero");
	tap_is_u64(cram_region_parse("4096@4095", &s, &why), (uint64_t)-EINVAL, "unaligned");
	tap_is_str(why, "start and size must be multiples of 4096", "  says why");
	tap_is_u64(cram_region_parse("8K@0xfffffffffffff000", &s, &why), (uint64_t)-EINVAL,
		   "wrapping range");
	tap_is_str(why, "range wraps past the end of the address space", "  says it wraps");
}

static void test_watermarks(void)
{
	const char *why;

	tap_is_u64(cram_wm_pct_check(1, &why), 0, "1% is a valid watermark");
	tap_is_u64(cram_wm_pct_check(100, &why), 0, "100% is a valid watermark");
	tap_is_u64(cram_wm_pct_check(0, &why), (uint64_t)-EINVAL, "0% rejected");
	tap_is_u64(cram_wm_pct_check(101, &why), (uint64_t)-EINVAL, "101% rejected");
	tap_is_u64(cram_wm_pct_check(~0u, &why), (uint64_t)-EINVAL, "UINT_MAX rejected");
	tap_is_u64(cram_wm_pair_check(80, 90, &why), 0, "low 80 < high 90 accepted");
	tap_is_u64(cram_wm_pair_check(99, 100, &why), 0, "low 99 < high 100 accepted");
	tap_is_u64(cram_wm_pair_check(90, 90, &why), (uint64_t)-EINVAL, "low == high rejected");
	tap_is_str(why, "low watermark must be below the high watermark", "  says why");
	tap_is_u64(cram_wm_pair_check(95, 90, &why), (uint64_t)-EINVAL, "low > high rejected");
	tap_is_u64(cram_wm_pair_check(0, 90, &why), (uint64_t)-EINVAL, "low 0 rejected in pair");
	tap_is_u64(cram_wm_pair_check(80, 101, &why), (uint64_t)-EINVAL,
		   "high 101 rejected in pair");
}

static void test_regs_dev_names(void)
{
	static const char *const bad[] = { "0000:00:03", "0000:00:03.8", "000:00:03.0",
					   "0000:0g:03.0", "0000-00-03.0", "any", "0000:00:03.0x",
					   "auto2" };
	char name[CRAM_REGS_NAME_MAX], what[96];
	const char *why;
	size_t i;

	tap_is_u64(cram_regs_dev_parse("", name, &why), 0, "regs empty accepted");
	tap_is_str(name, "auto", "  means auto");
	tap_is_u64(cram_regs_dev_parse("none\n", name, &why), 0, "regs=none accepted");
	tap_is_str(name, "none", "  none");
	tap_is_u64(cram_regs_dev_parse("0000:0a:1F.7", name, &why), 0, "regs=0000:0a:1F.7 accepted");
	tap_is_str(name, "0000:0a:1F.7", "  name kept");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		snprintf(what, sizeof(what), "regs=%s rejected", bad[i]);
		tap_is_u64(cram_regs_dev_parse(bad[i], name, &why), (uint64_t)-EINVAL, what);
		tap_ok(why && *why, "  with a reason");
	}
}

static void test_region_lists(void)
{
	static const char *const bad[] = {
		",", "dax0.0,", ",dax0.0", "dax0.0,,dax1.0", "dax0.0,dax0.0",
		"dax0.0,dax1.0,dax2.0,dax3.0,dax4.0,dax5.0,dax6.0,dax7.0,dax8.0",
		"1M@0x100000,1M@0x180000", "dax0.0,dax1", "dax0.0 ,dax1.0", "dax0.0\n,dax1.0",
	};
	struct cram_region_list l;
	const char *why;
	char what[160];
	size_t i;

	tap_is_u64(cram_region_list_parse("", &l, &why), 0, "empty list accepted");
	tap_is_u64(l.nr, 0, "  no region");
	tap_is_u64(cram_region_list_parse("dax0.0\n", &l, &why), 0, "one region accepted");
	tap_is_u64(l.nr, 1, "  one region");
	tap_is_str(l.spec[0].dax_name, "dax0.0", "  its name");
	tap_is_u64(cram_region_list_parse("dax0.0,dax1.0\n", &l, &why), 0, "two dax regions");
	tap_is_u64(l.nr, 2, "  two");
	tap_is_str(l.spec[1].dax_name, "dax1.0", "  the second, newline stripped");
	tap_is_u64(cram_region_list_parse("1M@0x100000,dax1.0,1M@0x200000", &l, &why), 0,
		   "ranges and dax mixed, adjacent ranges");
	tap_is_u64(l.nr, 3, "  three");
	tap_is_u64(l.spec[2].start, 0x200000, "  the third's start");
	tap_is_u64(cram_region_list_parse(
		"dax0.0,dax1.0,dax2.0,dax3.0,dax4.0,dax5.0,dax6.0,dax7.0", &l, &why), 0,
		"eight regions accepted");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		snprintf(what, sizeof(what), "region list '%s' rejected", bad[i]);
		tap_is_u64(cram_region_list_parse(bad[i], &l, &why), (uint64_t)-EINVAL, what);
		tap_ok(why && *why, "  with a reason");
	}
}

static void test_regs_lists(void)
{
	struct cram_regs_list l;
	const char *why;

	tap_is_u64(cram_regs_list_parse("", &l, &why), 0, "empty regs= is auto");
	tap_is_str(cram_regs_for(&l, 3), "auto", "  for every region");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), 0, "  fits two regions");
	tap_is_u64(cram_regs_list_parse("none\n", &l, &why), 0, "none");
	tap_is_str(cram_regs_for(&l, 1), "none", "  for every region");
	tap_is_u64(cram_regs_list_parse("auto,0000:00:05.0", &l, &why), 0, "a list of two");
	tap_is_str(cram_regs_for(&l, 1), "0000:00:05.0", "  the second region's");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), 0, "  fits two regions");
	tap_is_u64(cram_regs_list_check(&l, 3, &why), (uint64_t)-EINVAL, "  not three");
	tap_is_u64(cram_regs_list_parse("0000:00:05.0", &l, &why), 0, "one PCI name");
	tap_is_u64(cram_regs_list_check(&l, 1, &why), 0, "  fits one region");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), (uint64_t)-EINVAL,
		   "  not two: which one would it be?");
	tap_is_u64(cram_regs_list_parse("0000:00:05.0,0000:00:05.0", &l, &why), 0,
		   "the same name twice parses");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), (uint64_t)-EINVAL,
		   "  but one block for two regions is refused");
	tap_is_u64(cram_regs_list_parse("none,none", &l, &why), 0, "none twice");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), 0, "  is fine");
	tap_is_u64(cram_regs_list_parse("provider,provider", &l, &why), 0, "provider twice");
	tap_is_u64(cram_regs_list_check(&l, 2, &why), 0, "  is fine (one provider per region)");
	tap_is_str(l.name[1], "provider", "  the word kept");
	tap_is_u64(cram_regs_list_parse("auto,", &l, &why), (uint64_t)-EINVAL, "trailing comma");
	tap_is_u64(cram_regs_list_parse(",auto", &l, &why), (uint64_t)-EINVAL, "empty first");
	tap_is_u64(cram_regs_list_parse("auto,bogus", &l, &why), (uint64_t)-EINVAL,
		   "a bad entry");
	tap_is_u64(cram_regs_list_parse("\n,auto", &l, &why), (uint64_t)-EINVAL,
		   "a newline inside the list");
	tap_is_u64(cram_regs_list_parse("none,none,none,none,none,none,none,none,none", &l,
					&why), (uint64_t)-EINVAL, "nine entries");
}

static void test_regs_interleave(void)
{
	const char *why = NULL;

	tap_is_u64(cram_regs_interleave_check(0, "auto", &why), 0, "no CXL region: any regs");
	tap_is_u64(cram_regs_interleave_check(1, "auto", &why), 0, "one way: auto");
	tap_is_u64(cram_regs_interleave_check(1, "0000:00:05.0", &why), 0, "one way: a name");
	tap_is_u64(cram_regs_interleave_check(2, "auto", &why), (uint64_t)-EINVAL,
		   "two ways: auto refused");
	tap_ok(why && *why, "  with a reason");
	tap_is_u64(cram_regs_interleave_check(4, "0000:00:05.0", &why), (uint64_t)-EINVAL,
		   "four ways: a named block refused too");
	tap_is_u64(cram_regs_interleave_check(2, "none", &why), 0, "two ways: regs=none accepted");
	tap_is_u64(cram_regs_interleave_check(2, "provider", &why), 0,
		   "two ways: regs=provider accepted (it reports for the region)");
}

int main(void)
{
	test_region_empty_means_no_cxl_tier();
	test_region_devdax_names();
	test_region_phys_ranges();
	test_region_phys_rejects();
	test_region_range_rules();
	test_watermarks();
	test_regs_dev_names();
	test_region_lists();
	test_regs_lists();
	test_regs_interleave();
	return tap_done();
}
