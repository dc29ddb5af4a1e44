// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_config.c - every parameter parser and validator of src/core/config.c fed any
 * bytes, each checked against a reference written independently here: a different
 * shape of the same grammar (matcher first, then numbers summed in 128 bits), so a
 * missed case in either shows as a disagreement, not only as a crash.
 *
 * Input: the first 16 bytes are four u32 numbers (watermarks, range checks), the
 * rest is the parameter text (up to its first NUL).
 */
#include <ctype.h>

#include "cram/config.h"
#include "fuzz.h"

/* A number in the grammar: 0x/0X + hex digits, or decimal digits; then K/M/G. */
static const char *ref_number(const char *s, __uint128_t *v)
{
	int base = 10, digits = 0;

	*v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		*v = *v * base + d;
		if (*v > UINT64_MAX)
			*v = (__uint128_t)UINT64_MAX + 1;	/* saturate: too big either way */
	}
	if (!digits)
		return NULL;
	if (*s && strchr("kmg", tolower((unsigned char)*s))) {
		*v <<= 10 * (strchr("kmg", tolower((unsigned char)*s)) - "kmg" + 1);
		s++;
	}
	return s;
}

static bool ref_dax_name(const char *s)
{
	const char *dot;

	if (strncmp(s, "dax", 3))
		return false;
	dot = strchr(s, '.');
	if (!dot || dot == s + 3 || !dot[1])
		return false;
	return strspn(s + 3, "0123456789") == (size_t)(dot - s - 3) &&
	       strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

/* The expected outcome of cram_region_parse(text): kind, or -1 for -EINVAL. */
static int ref_region(const char *text, u64 *size, u64 *start)
{
	char s[256];
	size_t len = strlen(text);
	const char *p;
	__uint128_t a, b;

	if (len && text[len - 1] == '\n')
		len--;
	if (!len)
		return CRAM_REGION_NONE;
	if (len >= CRAM_REGION_ARG_MAX)
		return -1;
	memcpy(s, text, len);
	s[len] = '\0';
	if (!strncmp(s, "dax", 3))
		return len < 16 && ref_dax_name(s) ? CRAM_REGION_DEVDAX : -1;
	p = ref_number(s, &a);
	if (!p || *p++ != '@')
		return -1;
	p = ref_number(p, &b);
	if (!p || *p || a > UINT64_MAX || b > UINT64_MAX || !a || (a | b) % 4096 ||
	    a + b > UINT64_MAX)
		return -1;
	*size = (u64)a;
	*start = (u64)b;
	return CRAM_REGION_PHYS;
}

static void check_region(const char *text)
{
	u64 want_size = 0, want_start = 0;
	int want = ref_region(text, &want_size, &want_start);
	struct cram_region_spec spec;
	const char *why = NULL;
	int ret = cram_region_parse(text, &spec, &why);

	fuzz_check(ret == 0 || ret == -EINVAL, "region '%s': returned %d", text, ret);
	if (want < 0) {
		fuzz_check(ret == -EINVAL && why && *why,
			   "region '%s': accepted (kind %d), the reference refuses", text, spec.kind);
		return;
	}
	fuzz_check(ret == 0, "region '%s': refused (%s), the reference accepts", text, why);
	fuzz_check((int)spec.kind == want, "region '%s': kind %d, want %d", text, spec.kind, want);
	if (want == CRAM_REGION_PHYS)
		fuzz_check(spec.size == want_size && spec.start == want_start,
			   "region '%s': %#llx@%#llx, want %#llx@%#llx", text,
			   (unsigned long long)spec.size, (unsigned long long)spec.start,
			   (unsigned long long)want_size, (unsigned long long)want_start);
	if (want == CRAM_REGION_DEVDAX) {
		size_t n = strnlen(spec.dax_name, sizeof(spec.dax_name));

		fuzz_check(n < sizeof(spec.dax_name) && !strncmp(spec.dax_name, text, n) &&
			   (text[n] == '\0' || (text[n] == '\n' && !text[n + 1])),
			   "region '%s': device name '%.16s'", text, spec.dax_name);
	}
}

static bool ref_pci_name(const char *s, size_t len)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	/* %x would take signs, spaces and 0x: require the exact characters first */
	if (len != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isxdigit((unsigned char)s[i]))
			return false;
	return sscanf(s, "%4x:%2x:%2x.%1u%c", &dom, &bus, &dev, &fn, &tail) == 4 && fn < 8;
}

static void check_regs_dev(const char *text)
{
	char name[CRAM_REGS_NAME_MAX + 8], want[64];
	size_t len = strlen(text);
	const char *why = NULL;
	int ret;

	memset(name, 0x5a, sizeof(name));
	ret = cram_regs_dev_parse(text, name, &why);
	if (len && text[len - 1] == '\n')
		len--;
	if (len >= sizeof(want)) {
		want[0] = '\0';
	} else {
		memcpy(want, text, len);
		want[len] = '\0';
	}
	if (!len || !strcmp(want, "auto") || !strcmp(want, "none") || !strcmp(want, "provider") ||
	    ref_pci_name(want, len)) {
		fuzz_check(ret == 0, "regs '%s': refused (%s)", text, why);
		fuzz_check(!strcmp(name, len ? want : "auto"), "regs '%s': name '%.16s'",
			   text, name);
		fuzz_check(name[CRAM_REGS_NAME_MAX] == 0x5a, "regs '%s': wrote past the name",
			   text);
	} else {
		fuzz_check(ret == -EINVAL && why && *why, "regs '%s': accepted as '%.16s'",
			   text, name);
	}
}

/*
 * The list forms, against a reference that splits with strtok-free pointer walking:
 * the text (its trailing newline dropped) cut at every comma, each part judged alone
 * by the references above, then the list's own rules (at most 8, none empty, no two
 * dax names alike, no two ranges overlapping; for regs=, no empty entry).
 */
static int ref_split(const char *text, char parts[][256], int max)
{
	size_t len = strlen(text);
	const char *p, *end;
	int n = 0;

	if (len && text[len - 1] == '\n')
		len--;
	if (!len)
		return 0;
	if (len >= CRAM_REGION_LIST_MAX)
		return -1;
	for (p = text, end = text + len;; p++) {
		const char *c = memchr(p, ',', end - p);
		size_t l = (c ? c : end) - p;

		if (n == max || !l || l >= 256 || memchr(p, '\n', l))
			return -1;
		memcpy(parts[n], p, l);
		parts[n++][l] = '\0';
		if (!c)
			return n;
		p = c;
	}
}

static void check_region_list(const char *text)
{
	static char parts[CRAM_MAX_REGIONS + 1][256];
	u64 size[CRAM_MAX_REGIONS + 1], start[CRAM_MAX_REGIONS + 1];
	int kind[CRAM_MAX_REGIONS + 1], n = ref_split(text, parts, CRAM_MAX_REGIONS + 1);
	bool want = n >= 0 && n <= CRAM_MAX_REGIONS;
	struct cram_region_list l;
	const char *why = NULL;
	int i, j, ret;

	for (i = 0; want && i < n; i++) {
		kind[i] = ref_region(parts[i], &size[i], &start[i]);
		want = kind[i] > CRAM_REGION_NONE;
		for (j = 0; want && j < i; j++)
			want = kind[i] != kind[j] ||
			       (kind[i] == CRAM_REGION_DEVDAX ? strcmp(parts[i], parts[j]) :
				start[i] >= start[j] + size[j] || start[j] >= start[i] + size[i]);
	}
	memset(&l, 0x5a, sizeof(l));
	ret = cram_region_list_parse(text, &l, &why);
	fuzz_check(want ? ret == 0 && l.nr == (unsigned int)n : ret == -EINVAL && why && *why,
		   "region list '%s': %d (%s), the reference %s %d", text, ret, why ? why : "",
		   want ? "accepts" : "refuses", n);
}

static void check_regs_list(const char *text)
{
	static char parts[CRAM_MAX_REGIONS + 1][256];
	int i, n = ref_split(text, parts, CRAM_MAX_REGIONS + 1);
	bool want = n >= 0 && n <= CRAM_MAX_REGIONS;
	char name[CRAM_REGS_NAME_MAX];
	struct cram_regs_list l;
	const char *why = NULL;
	int ret;

	for (i = 0; want && i < n; i++)
		want = !cram_regs_dev_parse(parts[i], name, &why);
	ret = cram_regs_list_parse(text, &l, &why);
	fuzz_check(want ? ret == 0 && l.nr == (unsigned int)(n ? n : 1) :
		   ret == -EINVAL && why && *why,
		   "regs list '%s': %d, the reference %s", text, ret, want ? "accepts" : "refuses");
}

static void check_watermarks(unsigned int low, unsigned int high)
{
	const char *why = NULL;
	bool want = low >= 1 && high <= 100 && low < high;

	fuzz_check(!cram_wm_pct_check(high, &why) == (high >= 1 && high <= 100),
		   "high_wm %u", high);
	fuzz_check(!cram_wm_pair_check(low, high, &why) == want, "low_wm %u high_wm %u",
		   low, high);
}

static void check_range(u64 start, u64 size)
{
	const char *why = NULL;
	bool want = !((start | size) % 4096) && size >= CRAM_REGION_MIN_BYTES &&
		    size / 4096 <= 0xfffffffeULL && (__uint128_t)start + size <= UINT64_MAX;
	int ret = cram_region_range_check(start, size, &why);

	fuzz_check((ret == 0) == want && (ret == 0 || (why && *why)),
		   "range %#llx+%#llx: %d (%s)", (unsigned long long)start,
		   (unsigned long long)size, ret, why ? why : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int low = fuzz_u32(&in), high = fuzz_u32(&in);
	u64 start = (u64)fuzz_u32(&in) << 12, rsize = (u64)fuzz_u32(&in) << 12;
	char text[256];

	/* the numbers also run unscaled, so both page-aligned and odd values are seen */
	check_watermarks(low % 128, high % 128);
	check_watermarks(low, high);
	check_range(start, rsize);
	check_range(start >> 12 | (u64)high << 44, rsize >> 12 | (u64)low << 40);
	fuzz_take(&in, text, sizeof(text) - 1);	/* zero-filled past the input */
	text[sizeof(text) - 1] = '\0';
	check_region(text);
	check_regs_dev(text);
	check_region_list(text);
	check_regs_list(text);
	return 0;
}
