// SPDX-License-Identifier: GPL-2.0
/*
 * cramstat - what cram holds and how its tiers are doing, on one screen.
 *
 *   cramstat [-c] [-w SECONDS [-n COUNT]] [--json | --prometheus [-o FILE]] [--root DIR]
 *
 * Reads /sys/module/cram/stats/ and parameters/ (anyone may) and, when readable,
 * /sys/kernel/debug/cram/ (root) for the detail: the device's registers and
 * watermarks, declines, writeback, the pool's size classes. Without debugfs it shows
 * the summary and says what it left out. docs/ABI.md documents every value.
 *
 * With several CXL devices (stats/devices/NAME/) it shows a row per device beside
 * the tiers' totals; --json gives them under "devices", --prometheus as cram_device_*
 * series with a device="NAME" label.
 *
 * --prometheus writes every value in the Prometheus text format (metric names
 * below, at prom_name()), to stdout or, with -o, atomically to FILE (a temporary
 * file renamed over it) for node_exporter's textfile collector. cram_up is 0, alone,
 * while cram is not loaded: with -w the exporter keeps writing, never a stale value.
 *
 * Plain C and libc: the same source builds for a distro system (make cramstat) and,
 * static, for the busybox test VM.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define MAX_VALUES	768
#define MAX_CLASSES	256
#define MAX_DEVS	8	/* cram's CRAM_MAX_REGIONS */
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * One value read from a file: group (sysfs, param, stat, dev, pool, cfg, and d0..d7
 * for stats/devices/NAME/ in devs[] order) and name; its text whole, however long
 * (6.1's hooks_live line is over 100 characters).
 */
struct value {
	char group[8];
	char name[48];
	char *text;
};

struct class_row {
	uint64_t col[7];	/* class size pages/zspage objs/zspage zspages objects free */
};

static const char *const class_cols[7] = {
	"class", "size", "pages_per_zspage", "objs_per_zspage", "zspages", "objects",
	"free_slots",
};

static struct value values[MAX_VALUES];
static int nr_values;
static struct class_row classes[MAX_CLASSES];
static int nr_classes;
static bool have_debugfs;
static char version[32];
static char devs[MAX_DEVS][256];	/* the CXL devices' names, sorted */
static const char *const dev_groups[MAX_DEVS] = { "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7" };
static int nr_devs;

static const char *root = "";
static char sys_dir[4096], dbg_dir[4096];

/*** reading ***/

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static void add_value(const char *group, const char *name, const char *text)
{
	struct value *v;

	if (nr_values == MAX_VALUES)
		return;
	v = &values[nr_values];
	v->text = strdup(text);
	if (!v->text)
		return;		/* out of memory: the value is left out */
	nr_values++;
	snprintf(v->group, sizeof(v->group), "%s", group);
	snprintf(v->name, sizeof(v->name), "%s", name);
}

static void drop_values(void)
{
	while (nr_values)
		free(values[--nr_values].text);
}

static const char *get(const char *group, const char *name)
{
	int i;

	for (i = 0; i < nr_values; i++)
		if (!strcmp(values[i].group, group) && !strcmp(values[i].name, name))
			return values[i].text;
	return NULL;
}

/* Is s a plain decimal that fits in 64 bits (what the kernel prints with %llu)? */
static bool is_u64(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (!n || s[n] || n > 20 || (s[0] == '0' && n > 1))
		return false;
	return n < 20 || strcmp(s, "18446744073709551615") <= 0;
}

/* The number a value starts with (decimal, 0x hex); 0: missing, not one, past 64 bits */
static uint64_t num(const char *group, const char *name)
{
	const char *t = get(group, name);
	uint64_t v;

	if (!t || !isdigit((unsigned char)*t))
		return 0;
	errno = 0;
	v = strtoull(t, NULL, 0);
	return errno ? 0 : v;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	trim(buf);
	return 0;
}

/* Every file of a directory (one value each, its first line whole) into group. */
static int read_dir(const char *group, const char *dir)
{
	char path[4352], *text = NULL;
	struct dirent *de;
	size_t len = 0;
	DIR *d = opendir(dir);
	FILE *f;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)	/* devices/: read_devs() */
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (getline(&text, &len, f) < 0 && text)
			text[0] = '\0';
		fclose(f);
		if (text) {
			trim(text);
			add_value(group, de->d_name, text);
		}
	}
	free(text);
	closedir(d);
	return 0;
}

/* Lines "name value..." (or "name: value..."): the rest of the line is the value. */
static int read_pairs(const char *group, const char *file)
{
	char path[4352], *line = NULL, *sep;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dbg_dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (getline(&line, &len, f) >= 0) {
		trim(line);
		sep = strchr(line, ' ');
		if (!sep || sep == line)	/* no value, or no name */
			continue;
		if (sep[-1] == ':')
			sep[-1] = '\0';
		*sep++ = '\0';
		while (*sep == ' ')
			sep++;
		add_value(group, line, sep);
	}
	free(line);
	fclose(f);
	return 0;
}

static void read_classes(void)
{
	char path[4352], line[256];
	struct class_row *r;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pool_classes", dbg_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (nr_classes < MAX_CLASSES && fgets(line, sizeof(line), f)) {
		r = &classes[nr_classes];
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			   " %" SCNu64 " %" SCNu64, &r->col[0], &r->col[1], &r->col[2],
			   &r->col[3], &r->col[4], &r->col[5], &r->col[6]) == 7)
			nr_classes++;
	}
	fclose(f);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* stats/devices/NAME/ into groups d0, d1, ... in the order of their sorted names */
static void read_devs(void)
{
	char path[sizeof(sys_dir) + sizeof(devs[0]) + 32];
	struct dirent *de;
	DIR *d;
	int i;

	nr_devs = 0;
	snprintf(path, sizeof(path), "%s/stats/devices", sys_dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && nr_devs < MAX_DEVS)
		if (de->d_name[0] != '.')
			snprintf(devs[nr_devs++], sizeof(devs[0]), "%s", de->d_name);
	closedir(d);
	qsort(devs, nr_devs, sizeof(devs[0]), cmp_names);
	for (i = 0; i < nr_devs; i++) {
		snprintf(path, sizeof(path), "%s/stats/devices/%.255s", sys_dir, devs[i]);
		read_dir(dev_groups[i], path);
	}
}

/* A fresh sample of everything; -1 when cram is not loaded. */
static int sample(void)
{
	char path[4352], text[32];

	drop_values();
	nr_classes = 0;
	snprintf(path, sizeof(path), "%s/stats", sys_dir);
	if (read_dir("sysfs", path))
		return -1;
	read_devs();
	snprintf(path, sizeof(path), "%s/parameters", sys_dir);
	read_dir("param", path);
	snprintf(path, sizeof(path), "%s/version", sys_dir);
	if (read_line(path, version, sizeof(version)))
		snprintf(version, sizeof(version), "?");
	snprintf(path, sizeof(path), "%s/drain", sys_dir);
	if (!read_line(path, text, sizeof(text)))	/* root only */
		add_value("ctl", "drain", text);
	have_debugfs = !read_pairs("stat", "stats");
	if (have_debugfs) {
		read_pairs("dev", "device");
		read_pairs("pool", "pool");
		read_pairs("cfg", "config");
		read_classes();
	}
	return 0;
}

/*** the numbers an operator asks for first ***/

struct tier {
	const char *state;
	uint64_t pages, logical, physical;
	bool unknown;		/* physical bytes not known: a device that never read sane */
};

/* a + b, or UINT64_MAX where that would wrap (made-up or corrupt values) */
static uint64_t sum(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void tiers(struct tier *cxl, struct tier *pool, struct tier *total)
{
	cxl->state = get("sysfs", "cxl_state");
	cxl->pages = num("sysfs", "cxl_stored_pages");
	cxl->logical = num("sysfs", "cxl_logical_bytes");
	/*
	 * Without telemetry the CXL memory is trusted not to compress (trust_capacity);
	 * a bound device that never read sane tells nothing.
	 */
	cxl->physical = num("sysfs", "device_phys_cap_bytes") ?
			num("sysfs", "device_phys_used_bytes") : cxl->logical;
	cxl->unknown = !num("sysfs", "device_phys_cap_bytes") && num("sysfs", "device_bound");
	pool->state = get("sysfs", "pool_state");
	pool->pages = num("sysfs", "pool_stored_pages");
	pool->logical = num("sysfs", "pool_logical_bytes");
	pool->physical = num("sysfs", "pool_physical_bytes");
	pool->unknown = false;
	total->state = NULL;
	total->pages = sum(cxl->pages, pool->pages);
	total->logical = sum(cxl->logical, pool->logical);
	total->physical = sum(cxl->physical, pool->physical);
	total->unknown = cxl->unknown && cxl->pages;
}

/* logical / physical, or -1 when nothing is stored, it costs nothing, or unknown */
static double ratio(const struct tier *t)
{
	if (t->unknown || !t->logical || !t->physical)
		return -1;
	return (double)t->logical / (double)t->physical;
}

/*** screen ***/

static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	else
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	return buf;
}

static void print_tier(const char *name, const struct tier *t)
{
	char lg[32], ph[32], r[16] = "-";

	if (ratio(t) >= 0)
		snprintf(r, sizeof(r), "%.2f", ratio(t));
	printf("%-6s %-13s %10" PRIu64 " %11s %11s %6s\n", name, t->state ? t->state : "",
	       t->pages, human(t->logical, lg, sizeof(lg)),
	       t->unknown ? "?" : human(t->physical, ph, sizeof(ph)), r);
}

/* A value of device i (stats/devices/NAME/) */
static const char *dev_get(int i, const char *name)
{

	return get(dev_groups[i], name);
}

static uint64_t dev_num(int i, const char *name)
{

	return num(dev_groups[i], name);
}

/* One row per CXL device: its own state and values, never summed. */
static void print_devices(void)
{
	char ph[32], cap[32];
	int i;

	if (!nr_devs)
		return;
	printf("%-12s %-13s %10s %10s %11s %11s %s\n", "DEVICE", "STATE", "PAGES", "STORES",
	       "PHYSICAL", "CAPACITY", "SERIAL");
	for (i = 0; i < nr_devs; i++)
		printf("%-12s %-13s %10" PRIu64 " %10" PRIu64 " %11s %11s %s\n", devs[i],
		       dev_get(i, "cxl_state") ?: "?", dev_num(i, "cxl_stored_pages"),
		       dev_num(i, "cxl_stores"),
		       human(dev_num(i, "device_phys_used_bytes"), ph, sizeof(ph)),
		       human(dev_num(i, "device_phys_cap_bytes"), cap, sizeof(cap)),
		       dev_get(i, "device_serial") ?: "?");
}

static void print_device(void)
{
	uint64_t cap = num("dev", "reg_phys_cap"), used = num("dev", "reg_phys_used");
	char a[32], b[32], c[32], d[32];

	if (!num("dev", "bound")) {
		printf("device: none bound (regs=%s): %s\n", get("param", "regs") ?: "?",
		       num("dev", "trust_capacity") ? "trust_capacity=Y, placing without telemetry" :
		       "no telemetry, no CXL placements");
		return;
	}
	printf("device %s: status %s, safe mode %s (entered %" PRIu64 " times)\n",
	       get("dev", "regs"), get("dev", "reg_status") ?: "?",
	       num("dev", "safe_mode") ? get("dev", "safe_reason") : "no",
	       num("dev", "safe_mode_entries"));
	printf("  physical %s used of %s (%.1f%%), logical %s, overflow events %" PRIu64 "\n",
	       human(used, a, sizeof(a)), human(cap, b, sizeof(b)),
	       cap ? 100.0 * (double)used / (double)cap : 0.0,
	       human(num("dev", "reg_logical_used"), c, sizeof(c)),
	       num("dev", "reg_overflow_events"));
	printf("  watermarks: high %s (%" PRIu64 "%%), low %s (%" PRIu64 "%%); projected %s; gate %s (closed %" PRIu64 " times)\n",
	       human(num("dev", "high_wm_bytes"), a, sizeof(a)), num("param", "high_wm_pct"),
	       human(num("dev", "low_wm_bytes"), b, sizeof(b)), num("param", "low_wm_pct"),
	       human(num("dev", "projected_used"), d, sizeof(d)), get("dev", "gate") ?: "?",
	       num("dev", "gate_closings"));
	if (!strcmp(get("dev", "reg_read") ?: "", "torn")) {
		printf("  registers: torn read (the device is mid-update or stuck), not shown\n");
		return;
	}
	printf("  registers: seq %" PRIu64 ", heartbeat %" PRIu64 ", scan %" PRIu64
	       " ms, host writes %" PRIu64 ", scanned %" PRIu64 ", snapshot age %" PRIu64 " ms\n",
	       num("dev", "reg_seq"), num("dev", "reg_heartbeat"), num("dev", "reg_scan_ms"),
	       num("dev", "reg_host_write_seq"), num("dev", "reg_scanned_write_seq"),
	       num("dev", "snapshot_age_ms"));
}

/* "label: a N, b N, ..." for the debugfs stats named; label NULL: ", a N, ..." */
static void print_counts(const char *label, const char *prefix, const char *const *names)
{
	char key[64];
	int i;

	if (label)
		printf("%s:", label);
	for (i = 0; names[i]; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, names[i]);
		printf("%s %s %" PRIu64, i || !label ? "," : "", names[i], num("stat", key));
	}
	printf("\n");
}

static void print_classes(void)
{
	int i;

	if (!have_debugfs)
		return;
	printf("\n class   size pages/zspage objs/zspage  zspages  objects  free_slots\n");
	for (i = 0; i < nr_classes; i++)
		printf("%6" PRIu64 " %6" PRIu64 " %12" PRIu64 " %11" PRIu64 " %8" PRIu64
		       " %8" PRIu64 " %11" PRIu64 "\n", classes[i].col[0], classes[i].col[1],
		       classes[i].col[2], classes[i].col[3], classes[i].col[4],
		       classes[i].col[5], classes[i].col[6]);
	if (!nr_classes)
		printf("  (no size class in use)\n");
}

static void print_screen(bool with_classes)
{
	static const char *const declines[] = { "watermark", "safe_mode", "untrusted",
		"region_full", "nomem", "large_folio", "disabled", "no_tier", "unloading",
		"hibernation", NULL };
	static const char *const rejects[] = { "compress_poor", "limit", "nomem", NULL };
	static const char *const wb[] = { "failures", "raced", "orphaned", "waits", NULL };
	static const char *const loads[] = { "hits", "misses", "errors", NULL };
	struct tier cxl, pool, total;

	tiers(&cxl, &pool, &total);
	printf("cram %s: enabled %s, region %s, pool %s\n", version,
	       get("param", "enabled") ?: "?", *(get("param", "region") ?: "") ?
	       get("param", "region") : "none", get("param", "pool") ?: "?");
	printf("%-6s %-13s %10s %11s %11s %6s\n", "TIER", "STATE", "PAGES", "LOGICAL",
	       "PHYSICAL", "RATIO");
	print_tier("cxl", &cxl);
	print_tier("pool", &pool);
	print_tier("total", &total);
	print_devices();
	printf("written back to the swap device: %" PRIu64 " pages\n",
	       num("sysfs", "written_back_pages"));
	if (!strcmp(get("ctl", "drain") ?: "", "draining"))
		printf("DRAINING to the swap device: %" PRIu64 " pages written, %" PRIu64
		       " still held; stores disarmed\n", num("stat", "drained_pages"),
		       num("sysfs", "stored_pages"));
	if (!have_debugfs) {
		printf("(device registers, watermarks, declines and writeback detail need root: %s)\n",
		       dbg_dir);
		return;
	}
	printf("\n");
	print_device();
	print_counts("declines", "decline_", declines);
	print_counts("pool rejects", "pool_reject_", rejects);
	printf("pool: %" PRIu64 " pages (limit %" PRIu64 ", accept again below %" PRIu64
	       "), %" PRIu64 " objects, %" PRIu64 " same-filled, %" PRIu64 " compacted pages\n",
	       num("pool", "pool_pages"), num("pool", "pool_limit_pages"),
	       num("pool", "pool_accept_pages"), num("pool", "stored_objects"),
	       num("pool", "same_filled_pages"), num("stat", "pool_compacted_pages"));
	printf("writeback: written %" PRIu64 ", drained %" PRIu64,
	       num("stat", "written_back_pages"), num("stat", "drained_pages"));
	print_counts(NULL, "writeback_", wb);
	print_counts("loads", "load_", loads);
	if (with_classes)
		print_classes();
}

/*** JSON ***/

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			printf("\\u%04x", (unsigned char)*s);	/* valid JSON whatever the bytes */
		else
			putchar(*s);
	}
	putchar('"');
}

/* Decimal numbers as JSON numbers (as num() reads them), the rest as strings. */
static void json_value(const char *s)
{
	if (is_u64(s))
		fputs(s, stdout);
	else
		json_string(s);
}

/* "key":{...} with group's values (comma: one before it) */
static void json_object(const char *key, const char *group, bool comma)
{
	bool first = true;
	int i;

	printf("%s", comma ? "," : "");
	json_string(key);
	printf(":{");
	for (i = 0; i < nr_values; i++) {
		if (strcmp(values[i].group, group))
			continue;
		printf("%s", first ? "" : ",");
		json_string(values[i].name);
		putchar(':');
		json_value(values[i].text);
		first = false;
	}
	putchar('}');
}

static void json_group(const char *key, const char *group)
{
	json_object(key, group, true);
}

/* "devices":{"NAME":{...},...}, one object per CXL device */
static void json_devices(void)
{
	int i;

	printf(",\"devices\":{");
	for (i = 0; i < nr_devs; i++)
		json_object(devs[i], dev_groups[i], i > 0);
	putchar('}');
}

static void json_tier(const char *name, const struct tier *t, bool comma)
{
	printf("\"%s\":{", name);
	if (t->state) {
		printf("\"state\":");
		json_string(t->state);
		putchar(',');
	}
	printf("\"stored_pages\":%" PRIu64 ",\"logical_bytes\":%" PRIu64 ",\"physical_bytes\":",
	       t->pages, t->logical);
	if (t->unknown)
		printf("null");
	else
		printf("%" PRIu64, t->physical);
	printf(",\"ratio\":");
	if (ratio(t) >= 0)
		printf("%.3f", ratio(t));
	else
		printf("null");
	printf("}%s", comma ? "," : "");
}

static void print_json(void)
{
	struct tier cxl, pool, total;
	int i, c;

	tiers(&cxl, &pool, &total);
	printf("{\"version\":");
	json_string(version);
	printf(",\"debugfs\":%s,\"tiers\":{", have_debugfs ? "true" : "false");
	json_tier("cxl", &cxl, true);
	json_tier("pool", &pool, true);
	json_tier("total", &total, false);
	printf("},\"written_back_pages\":%" PRIu64, num("sysfs", "written_back_pages"));
	json_group("summary", "sysfs");
	json_devices();
	json_group("params", "param");
	json_group("control", "ctl");
	if (have_debugfs) {
		json_group("stats", "stat");
		json_group("device", "dev");
		json_group("pool", "pool");
		json_group("config", "cfg");
		printf(",\"pool_classes\":[");
		for (i = 0; i < nr_classes; i++) {
			printf("%s{", i ? "," : "");
			for (c = 0; c < 7; c++)
				printf("%s\"%s\":%" PRIu64, c ? "," : "", class_cols[c],
				       classes[i].col[c]);
			putchar('}');
		}
		putchar(']');
	}
	printf("}\n");
}

/*** Prometheus text format ***/

/*
 * Names: cram_ + the value's name for the sysfs summary (and drain); cram_param_ for
 * the parameters; cram_debugfs_stats_, _device_ and _pool_ for debugfs' files (their
 * names overlap the summary's). Counters (values that
 * only grow) end in _total; milliseconds and microseconds become seconds, register
 * byte counts get _bytes; text becomes an _info series with the text as a label.
 */
struct prom_counter {
	const char *group, *name;
};

static const struct prom_counter prom_counters[] = {
	{ "sysfs", "written_back_pages" },
	{ "dN", "cxl_stores" }, { "dN", "gate_closings" }, { "dN", "safe_mode_entries" },
	{ "dev", "written" }, { "dev", "gate_closings" }, { "dev", "safe_mode_entries" },
	{ "dev", "reg_overflow_events" }, { "dev", "reg_host_write_seq" },
	{ "dev", "reg_scanned_write_seq" }, { "dev", "reg_heartbeat" },
	{ "pool", "moved_objects" }, { "pool", "compacted_zspages" },
};

/* debugfs stats that are levels, not events */
static const char *const prom_stat_gauges[] = {
	"stored_pages", "region_pages", "region_pages_used", "region_pages_free",
	"region_pages_zeroing",
};

/* device registers and values in bytes whose names do not say so */
static const char *const prom_dev_bytes[] = {
	"projected_used", "reg_logical_cap", "reg_phys_cap", "reg_phys_used",
	"reg_logical_used", "reg_warn_wm", "reg_crit_wm",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool prom_is_counter(const struct value *v)
{
	size_t i;

	const char *group = v->group[0] == 'd' && isdigit((unsigned char)v->group[1]) ?
			    "dN" : v->group;	/* every device's alike */

	if (!strcmp(group, "stat"))
		return !in_list(v->name, prom_stat_gauges, ARRAY_LEN(prom_stat_gauges));
	for (i = 0; i < ARRAY_LEN(prom_counters); i++)
		if (!strcmp(group, prom_counters[i].group) &&
		    !strcmp(v->name, prom_counters[i].name))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* The groups exported, in output order: their metric prefix and the file they come from */
struct prom_group {
	const char *group, *prefix, *where;
};

static const struct prom_group prom_groups[] = {
	{ "sysfs", "cram_", "/sys/module/cram/stats" },
	{ "param", "cram_param_", "/sys/module/cram/parameters" },
	{ "ctl", "cram_", "/sys/module/cram" },
	{ "stat", "cram_debugfs_stats_", "debugfs cram/stats" },
	{ "dev", "cram_debugfs_device_", "debugfs cram/device" },
	{ "pool", "cram_debugfs_pool_", "debugfs cram/pool" },
};

/* The metric name for v (without _total), and the factor its value is scaled by. */
static void prom_name(const struct prom_group *pg, const struct value *v, char *out,
		      size_t len, double *scale)
{
	size_t n;
	char *c;

	snprintf(out, len, "%s%s", pg->prefix, v->name);
	for (c = out; *c; c++)	/* the kernel's names are already snake case */
		if (!isalnum((unsigned char)*c))
			*c = '_';
	*scale = 1;
	n = strlen(out);
	if (ends_with(out, "_ms") || ends_with(out, "_us")) {
		*scale = out[n - 2] == 'm' ? 1e-3 : 1e-6;
		snprintf(out + n - 3, len - (n - 3), "_seconds");
	} else if (!strcmp(v->group, "dev") &&
		   in_list(v->name, prom_dev_bytes, ARRAY_LEN(prom_dev_bytes))) {
		snprintf(out + n, len - n, "_bytes");
	}
}

/* A label value: backslash, double quote and newline escaped, other controls dropped. */
static void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
			fputc(*s, f);
	}
}

/* A number as the kernel wrote it (decimal, 0x hex, Y/N), into *out; false: text. */
static bool prom_number(const char *text, double *out)
{
	char *end;
	uint64_t v;

	if (!strcmp(text, "Y") || !strcmp(text, "N")) {
		*out = text[0] == 'Y';
		return true;
	}
	/*
	 * hex is how cram prints identifiers and bit fields (serial, magic, status):
	 * labels of an info series, not floats that lose their low bits
	 */
	if (!isdigit((unsigned char)*text) || !strncmp(text, "0x", 2))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end)
		return false;
	*out = (double)v;
	return true;
}

/*
 * The # HELP and # TYPE lines of v's metric family; its full name (with _info for
 * text, _total for a counter) into name, and the factor its value is scaled by.
 */
static void prom_header(FILE *f, const struct prom_group *pg, const struct value *v,
			char *name, size_t len, double *scale)
{
	bool counter = prom_is_counter(v);
	size_t n;
	double x;

	prom_name(pg, v, name, len, scale);
	n = strlen(name);
	if (!prom_number(v->text, &x)) {
		snprintf(name + n, len - n, "_info");
		fprintf(f, "# HELP %s %s %s, as text in the value label (docs/ABI.md)\n",
			name, pg->where, v->name);
		fprintf(f, "# TYPE %s gauge\n", name);
		return;
	}
	snprintf(name + n, len - n, "%s", counter ? "_total" : "");
	fprintf(f, "# HELP %s %s %s (docs/ABI.md)\n", name, pg->where, v->name);
	fprintf(f, "# TYPE %s %s\n", name, counter ? "counter" : "gauge");
}

/* One sample of family name: v's value, with the label device="dev" unless NULL. */
static void prom_sample(FILE *f, const char *name, const char *dev, const struct value *v,
			double scale)
{
	double x;

	fputs(name, f);
	if (dev) {
		fputs("{device=\"", f);
		prom_label(f, dev);
		fputc('"', f);
	}
	if (!prom_number(v->text, &x)) {
		fprintf(f, "%svalue=\"", dev ? "," : "{");
		prom_label(f, *v->text ? v->text : "none");	/* never an empty label */
		fprintf(f, "\"} 1\n");
		return;
	}
	if (dev)
		fputc('}', f);
	if (scale == 1)
		fprintf(f, " %.17g\n", x);
	else
		fprintf(f, " %.9g\n", x * scale);
}

static void prom_value(FILE *f, const struct prom_group *pg, const struct value *v)
{
	char name[112];
	double scale;

	prom_header(f, pg, v, name, sizeof(name), &scale);
	prom_sample(f, name, NULL, v, scale);
}

/* Has an earlier value the same group and name? (one metric per name: the first) */
static bool seen_before(int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (!strcmp(values[j].group, values[i].group) &&
		    !strcmp(values[j].name, values[i].name))
			return true;
	return false;
}

/*
 * cram_device_NAME{device="DEV"}: a family per file of stats/devices/DEV/, a sample
 * per device; text (cxl_state, device_serial) as _info series with a value label.
 * The first device's value decides a family's kind; a device whose value is of the
 * other kind is left out of it.
 */
static void prom_devices(FILE *f)
{
	static const struct prom_group pg = {
		"d0", "cram_device_", "/sys/module/cram/stats/devices/DEV"
	};
	const struct value *v, *w;
	char name[112];
	double scale, x;
	bool text;
	int i, j, d;

	for (i = 0; i < nr_values; i++) {
		v = &values[i];
		if (strcmp(v->group, "d0") || seen_before(i))
			continue;
		prom_header(f, &pg, v, name, sizeof(name), &scale);
		text = !prom_number(v->text, &x);
		for (d = 0; d < nr_devs; d++) {
			for (j = 0; j < nr_values; j++) {
				w = &values[j];
				if (!strcmp(w->group, dev_groups[d]) && !strcmp(w->name, v->name) &&
				    text == !prom_number(w->text, &x)) {
					prom_sample(f, name, devs[d], w, scale);
					break;
				}
			}
		}
	}
}

static void prom_classes(FILE *f)
{
	static const char *const help[3] = {
		"zspages of the pool's size class", "objects stored in the size class",
		"free object slots in the size class's zspages",
	};
	int i, c;

	for (c = 0; c < 3; c++) {
		fprintf(f, "# HELP cram_debugfs_pool_class_%s %s (debugfs cram/pool_classes)\n",
			class_cols[4 + c], help[c]);
		fprintf(f, "# TYPE cram_debugfs_pool_class_%s gauge\n", class_cols[4 + c]);
		for (i = 0; i < nr_classes; i++)
			fprintf(f, "cram_debugfs_pool_class_%s{class=\"%" PRIu64 "\",size_bytes=\"%" PRIu64
				"\"} %" PRIu64 "\n", class_cols[4 + c], classes[i].col[0],
				classes[i].col[1], classes[i].col[4 + c]);
	}
}

/* The sample (up: cram was read), or cram_up 0 alone when cram is not loaded. */
static void print_prometheus(FILE *f, bool up)
{
	size_t g;
	int i;

	fprintf(f, "# HELP cram_up 1 when the cram module is loaded and was read\n");
	fprintf(f, "# TYPE cram_up gauge\ncram_up %d\n", up);
	if (!up)
		return;
	fprintf(f, "# HELP cram_info the loaded cram module's version\n");
	fprintf(f, "# TYPE cram_info gauge\ncram_info{version=\"");
	prom_label(f, version);
	fprintf(f, "\"} 1\n");
	fprintf(f, "# HELP cram_debugfs_readable 1 when the detail (debugfs, root) was read\n");
	fprintf(f, "# TYPE cram_debugfs_readable gauge\ncram_debugfs_readable %d\n",
		have_debugfs);
	for (g = 0; g < ARRAY_LEN(prom_groups); g++)
		for (i = 0; i < nr_values; i++)
			if (!strcmp(values[i].group, prom_groups[g].group) && !seen_before(i))
				prom_value(f, &prom_groups[g], &values[i]);
	prom_devices(f);
	if (have_debugfs)
		prom_classes(f);
}

/*
 * Write the sample (print_prometheus) to path through a temporary file renamed over
 * it: never half, never a stale sample.
 */
static int prom_write_file(const char *path, bool up)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	fchmod(fd, 0644);	/* node_exporter reads it as another user */
	print_prometheus(f, up);
	if (fflush(f) || fsync(fd) || ferror(f)) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	fclose(f);
	if (rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

/*** main ***/

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cramstat [-c] [-w SECONDS [-n COUNT]] [--json | --prometheus [-o FILE]]\n"
		"                [--root DIR]\n"
		"  -c            also the DRAM pool's size classes (root)\n"
		"  -w SECONDS    refresh every SECONDS (1..3600) until interrupted\n"
		"  -n COUNT      with -w: stop after COUNT samples\n"
		"  --json        one JSON object per sample, for scripts\n"
		"  --prometheus  every value in the Prometheus text format\n"
		"  -o FILE       with --prometheus: write FILE atomically (node_exporter's\n"
		"                textfile collector), each sample replacing the last\n"
		"  --root DIR    read DIR/sys/... instead of /sys (testing)\n"
		"Values: docs/ABI.md. The detail (device, declines, writeback) needs root.\n");
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out < min || *out > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long interval = 0, count = 0, n;
	bool json = false, prom = false, with_classes = false, clear, up;
	const char *out_file = NULL;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "cw:n:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			with_classes = true;
			break;
		case 'w':
			if (parse_uint(optarg, 1, 3600, &interval)) {
				fprintf(stderr, "cramstat: -w %s: want seconds, 1..3600\n", optarg);
				return 2;
			}
			break;
		case 'n':
			if (parse_uint(optarg, 1, ULONG_MAX, &count)) {
				fprintf(stderr, "cramstat: -n %s: want a count >= 1\n", optarg);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			prom = true;
			break;
		case 'o':
			out_file = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (count && !interval) || (json && prom) || (out_file && !prom)) {
		usage(stderr);
		return 2;
	}
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys/module/cram", root);
	snprintf(dbg_dir, sizeof(dbg_dir), "%s/sys/kernel/debug/cram", root);
	clear = interval && !json && !prom && isatty(STDOUT_FILENO);

	for (n = 1;; n++) {
		up = !sample();
		if (!up) {
			fprintf(stderr, "cramstat: cram is not loaded (no %s/stats)\n", sys_dir);
			if (!prom)
				return 1;
		}
		if (clear)
			printf("\033[H\033[2J");
		if (out_file) {
			err = prom_write_file(out_file, up);
			if (err) {
				fprintf(stderr, "cramstat: cannot write %s: %s\n", out_file,
					strerror(-err));
				return 1;
			}
		} else if (prom) {
			print_prometheus(stdout, up);
		} else if (json) {
			print_json();
		} else {
			print_screen(with_classes);
		}
		if (fflush(stdout) || ferror(stdout)) {	/* a full disk, a closed pipe */
			fprintf(stderr, "cramstat: cannot write the output: %s\n", strerror(errno));
			return 1;
		}
		/* an exporter keeps going (cram_up 0) while cram is away; once, it says so */
		if (!interval || (count && n >= count))
			return up ? 0 : 1;
		if (!json && !prom && !clear)
			printf("\n");
		sleep((unsigned int)interval);
	}
}
