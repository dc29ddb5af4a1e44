// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - parsing and validation of cram's module parameters.
 *
 * Context: pure functions, no allocation, no locking; callable from any context.
 *
 * region= accepts:
 *   ""            no CXL tier
 *   daxX.Y        a device-dax instance (the CXL RAM region's, or a devdax namespace)
 *   SIZE@START    a physical range, as in the kernel's memmap=; numbers in C syntax
 *                 (0x..., decimal) with an optional K, M or G suffix
 *   A,B,...       several of the above, one per CXL device (up to CRAM_MAX_REGIONS)
 */
#include "cram/config.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse one unsigned number with an optional K/M/G suffix from *p, advancing *p.
 * Rejects empty numbers and anything that would overflow 64 bits.
 */
static int parse_size(const char **p, u64 *out)
{
	const char *s = *p;
	unsigned int base = 10, shift = 0;
	u64 v = 0;
	int d, n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	while ((d = hex_value(*s)) >= 0 && (unsigned int)d < base) {
		if (v > (U64_MAX - (u64)d) / base)
			return -EINVAL;
		v = v * base + (u64)d;
		s++;
		n++;
	}
	if (!n)
		return -EINVAL;
	switch (*s) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift)
		s++;
	if (shift && v > (U64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	*p = s;
	return 0;
}

/* "dax" digits "." digits, nothing else: the names the dax bus gives its devices. */
static bool is_dax_name(const char *s)
{
	int n;

	if (strncmp(s, "dax", 3))
		return false;
	s += 3;
	for (n = 0; is_digit(*s); n++)
		s++;
	if (!n || *s++ != '.')
		return false;
	for (n = 0; is_digit(*s); n++)
		s++;
	return n && !*s;
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

int cram_region_parse(const char *arg, struct cram_region_spec *spec, const char **why)
{
	size_t len = strlen(arg);
	const char *p = arg;

	memset(spec, 0, sizeof(*spec));
	/* sysfs and modprobe.conf values may carry a trailing newline */
	if (len && arg[len - 1] == '\n')
		len--;
	if (!len)
		return 0;
	if (len >= CRAM_REGION_ARG_MAX)
		return fail(why, "too long: expected daxX.Y or SIZE@START");

	if (!strncmp(arg, "dax", 3)) {
		if (len >= sizeof(spec->dax_name))
			return fail(why, "device-dax name too long");
		memcpy(spec->dax_name, arg, len);
		spec->dax_name[len] = '\0';
		if (!is_dax_name(spec->dax_name))
			return fail(why, "not a device-dax name: expected daxX.Y, e.g. dax0.0");
		spec->kind = CRAM_REGION_DEVDAX;
		return 0;
	}

	if (parse_size(&p, &spec->size) || *p++ != '@' || parse_size(&p, &spec->start) ||
	    (size_t)(p - arg) != len)
		return fail(why, "expected daxX.Y or SIZE@START, e.g. 512M@0x110000000");
	if (!spec->size)
		return fail(why, "size is zero");
	if ((spec->start | spec->size) & (CRAM_PAGE_SIZE - 1))
		return fail(why, "start and size must be multiples of 4096");
	if (spec->start + spec->size < spec->start)
		return fail(why, "range wraps past the end of the address space");
	spec->kind = CRAM_REGION_PHYS;
	return 0;
}

/*
 * Copy the comma-separated field at *p to buf (NUL-terminated), advancing *p past it.
 * -EINVAL when it does not fit or holds a newline (one may end only the whole list).
 */
static int next_field(const char **p, const char *end, char *buf, size_t size)
{
	const char *s = *p, *comma = s;

	while (comma < end && *comma != ',')
		comma++;
	if ((size_t)(comma - s) >= size || memchr(s, '\n', comma - s))
		return -EINVAL;
	memcpy(buf, s, comma - s);
	buf[comma - s] = '\0';
	*p = comma < end ? comma + 1 : end;
	return 0;
}

static size_t arg_len(const char *arg)
{
	size_t len = strlen(arg);

	return len && arg[len - 1] == '\n' ? len - 1 : len;
}

static bool regions_overlap(const struct cram_region_spec *a, const struct cram_region_spec *b)
{
	if (a->kind != b->kind)
		return false;	/* a dax instance's range is known only at load */
	if (a->kind == CRAM_REGION_DEVDAX)
		return !strcmp(a->dax_name, b->dax_name);
	return a->start < b->start + b->size && b->start < a->start + a->size;
}

int cram_region_list_parse(const char *arg, struct cram_region_list *list, const char **why)
{
	size_t len = arg_len(arg);
	const char *p = arg, *end = arg + len;
	char field[CRAM_REGION_ARG_MAX];
	struct cram_region_spec *spec;
	unsigned int i;

	memset(list, 0, sizeof(*list));
	if (!len)
		return 0;
	if (len >= CRAM_REGION_LIST_MAX)
		return fail(why, "too long: at most 255 characters");
	if (end[-1] == ',')
		return fail(why, "an empty region at the end of the list");
	do {
		if (list->nr == CRAM_MAX_REGIONS)
			return fail(why, "more than 8 regions");
		if (next_field(&p, end, field, sizeof(field)))
			return fail(why, "a region too long, or a newline in the list");
		if (!field[0])
			return fail(why, "an empty region in the list (two commas, or one first)");
		spec = &list->spec[list->nr];
		if (cram_region_parse(field, spec, why))
			return -EINVAL;
		for (i = 0; i < list->nr; i++)
			if (regions_overlap(&list->spec[i], spec))
				return fail(why, "the same region twice, or overlapping ranges");
		list->nr++;
	} while (p < end);
	return 0;
}

int cram_region_range_check(u64 start, u64 size, const char **why)
{
	if ((start | size) & (CRAM_PAGE_SIZE - 1))
		return fail(why, "start and size must be multiples of 4096");
	if (size < CRAM_REGION_MIN_BYTES)
		return fail(why, "region smaller than 1 MiB");
	if (size / CRAM_PAGE_SIZE > CRAM_REGION_MAX_PAGES)
		return fail(why, "region larger than 16 TiB (2^32 - 2 pages)");
	if (start + size < start)
		return fail(why, "range wraps past the end of the address space");
	return 0;
}

/* DDDD:BB:DD.F, hex digits, function 0..7: how the kernel names PCI functions. */
static bool is_pci_name(const char *s, size_t len)
{
	static const char shape[] = "hhhh:hh:hh.f";
	size_t i;

	if (len != sizeof(shape) - 1)
		return false;
	for (i = 0; i < len; i++) {
		if (shape[i] == 'h' && hex_value(s[i]) < 0)
			return false;
		if (shape[i] == 'f' && (s[i] < '0' || s[i] > '7'))
			return false;
		if (shape[i] != 'h' && shape[i] != 'f' && s[i] != shape[i])
			return false;
	}
	return true;
}

int cram_regs_dev_parse(const char *arg, char name[CRAM_REGS_NAME_MAX], const char **why)
{
	size_t len = strlen(arg);

	if (len && arg[len - 1] == '\n')
		len--;
	if (!len || (len == 4 && !strncmp(arg, "auto", 4))) {
		memcpy(name, "auto", 5);
		return 0;
	}
	if (len == 4 && !strncmp(arg, "none", 4)) {
		memcpy(name, "none", 5);
		return 0;
	}
	if (len == 8 && !strncmp(arg, "provider", 8)) {
		memcpy(name, "provider", 9);
		return 0;
	}
	if (!is_pci_name(arg, len))
		return fail(why,
			    "expected auto, none, provider or a PCI function name like 0000:00:03.0");
	memcpy(name, arg, len);
	name[len] = '\0';
	return 0;
}

int cram_regs_list_parse(const char *arg, struct cram_regs_list *list, const char **why)
{
	size_t len = arg_len(arg);
	const char *p = arg, *end = arg + len;
	char field[CRAM_REGS_NAME_MAX];

	memset(list, 0, sizeof(*list));
	if (!len) {
		memcpy(list->name[0], "auto", 5);
		list->nr = 1;
		return 0;
	}
	if (end[-1] == ',')
		return fail(why, "an empty entry at the end of the list");
	do {
		if (list->nr == CRAM_MAX_REGIONS)
			return fail(why, "more than 8 entries (one per region)");
		if (next_field(&p, end, field, sizeof(field)) || !field[0])
			return fail(why,
				    "each: auto, none, provider or a PCI name like 0000:00:03.0");
		if (cram_regs_dev_parse(field, list->name[list->nr], why))
			return -EINVAL;	/* *why says what this entry should be */
		list->nr++;
	} while (p < end);
	return 0;
}

static bool is_word(const char *name)
{
	return !strcmp(name, "auto") || !strcmp(name, "none") || !strcmp(name, "provider");
}

int cram_regs_list_check(const struct cram_regs_list *list, unsigned int nr_regions,
			 const char **why)
{
	unsigned int i, j;

	if (list->nr == 1 && (is_word(list->name[0]) || nr_regions <= 1))
		return 0;
	if (list->nr != nr_regions)
		return fail(why, "one entry per region= entry needed (or auto or none for all)");
	for (i = 0; i < list->nr; i++)
		for (j = 0; j < i; j++)
			if (!is_word(list->name[i]) && !strcmp(list->name[i], list->name[j]))
				return fail(why, "one register block named for two regions");
	return 0;
}

const char *cram_regs_for(const struct cram_regs_list *list, unsigned int i)
{
	return list->nr == 1 ? list->name[0] : list->name[i];
}

int cram_regs_interleave_check(unsigned int ways, const char *regs, const char **why)
{
	/* a provider reports for the region as a whole, however it is interleaved */
	if (ways <= 1 || !strcmp(regs, "none") || !strcmp(regs, "provider"))
		return 0;
	return fail(why,
		    "interleaved: no one device's register block bounds it (regs=none or provider)");
}

int cram_wm_pct_check(unsigned int pct, const char **why)
{
	if (pct < 1 || pct > 100)
		return fail(why, "watermark must be 1..100 (% of physical capacity)");
	return 0;
}

int cram_wm_pair_check(unsigned int low_pct, unsigned int high_pct, const char **why)
{
	if (cram_wm_pct_check(low_pct, why) || cram_wm_pct_check(high_pct, why))
		return -EINVAL;
	if (low_pct >= high_pct)
		return fail(why, "low watermark must be below the high watermark");
	return 0;
}
