// SPDX-License-Identifier: GPL-2.0
/*
 * cramdev - a model of a compressing CXL memory device, run on the host next to QEMU.
 *
 * It maps the file behind the guest's CXL memory (file offset = device physical
 * address) and the file behind the ivshmem BAR the guest sees as the device's
 * register block (include/cram/devregs.h). Every SCAN_MS it reads HOST_WRITE_SEQ,
 * scans the memory (lz4 per 4 KiB page, rounded up to the granule, zero pages free,
 * only changed pages recompressed; holes of the file are skipped) and publishes
 * PHYS_USED, LOGICAL_USED, status and watermarks under the SEQ seqcount, with
 * SCANNED_WRITE_SEQ = the HOST_WRITE_SEQ read before the scan. Whenever a scan finds
 * PHYS_USED > PHYS_CAP it counts an overflow event: on real hardware, data loss.
 * It also prints the same telemetry as text at 0x1000 of the register file, a second
 * channel (dm_publish_text) for the userspace provider's tests.
 *
 * usage: cramdev --mem FILE --regs FILE [--phys-cap SIZE] [--scan-ms N]
 *                [--granule N] [--warn-pct P] [--crit-pct P] [--ctl FILE]
 *                [--stats FILE] [--version 1|2] [--serial N] [--once]
 *   --phys-cap  physical capacity (default: a quarter of the memory file)
 *   --version   the register block version it speaks (default 2: with SERIAL)
 *   --serial    SERIAL: the serial of the CXL memory device it models (QEMU's sn=)
 *   --ctl       a file the guest writes commands to (a QEMU serial port), one per
 *               line: freeze | thaw (stop/resume publishing and the heartbeat),
 *               corrupt-magic | restore-magic, garbage | sane (PHYS_USED reported
 *               as 3 x PHYS_CAP), phys-cap SIZE, version 1|2, serial N,
 *               restart SECS (the model dies:
 *               nothing is published for SECS seconds, then a fresh model, the
 *               same program with the same arguments, starts from a new scan;
 *               commands already read are skipped; the physical capacity and the
 *               overflow events seen so far carry over)
 *   --stats     written at exit: scans, overflow_events, max_phys_used, ...
 *   --once      one scan, print the result, exit (no register file needed)
 * SIGTERM/SIGINT end it (stats written).
 */
#define _GNU_SOURCE	/* SEEK_DATA, SEEK_HOLE */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cram/devregs.h"
#include "footprint.h"
#include "scan.h"

#define DM_TEXT_OFF	0x1000	/* the text telemetry page, in the register file */
#define DM_TEXT_MAX	512

struct dm {
	const uint8_t *mem;
	int mem_fd;
	uint64_t mem_size;
	uint64_t *regs;
	struct dm_pages pages;
	uint64_t phys_cap;
	unsigned int scan_ms, warn_pct, crit_pct, version;
	uint64_t serial;
	int frozen, bad_magic, garbage;
	uint64_t text_seq;
	uint64_t seq, heartbeat, scans, overflow_events, max_phys_used, max_logical_used;
	uint64_t last_phys_used, compressed_pages;
	double scan_ms_total;
	FILE *ctl;
	const char *ctl_path;
	long ctl_off;
	unsigned int restart_secs;	/* a restart was asked for */
};

static int dm_stop;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&dm_stop, 1, __ATOMIC_RELAXED);
}

static void die(const char *what)
{
	fprintf(stderr, "cramdev: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end && strchr("KkMmGg", *end)) {
		v <<= strchr("Kk", *end) ? 10 : strchr("Mm", *end) ? 20 : 30;
		end++;
	}
	if (*end && *end != '\n' && *end != '\r') {
		fprintf(stderr, "cramdev: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*** the scan ***/

static void dm_scan(struct dm *d, struct dm_scan_result *res)
{
	off_t off = 0, data, hole;

	memset(res, 0, sizeof(*res));
	/* only the file's data extents: holes are zero and cost nothing */
	while (off < (off_t)d->mem_size) {
		data = lseek(d->mem_fd, off, SEEK_DATA);
		if (data < 0)
			break;	/* ENXIO: no data after off */
		hole = lseek(d->mem_fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = d->mem_size;
		dm_scan_range(&d->pages, d->mem, data / DM_PAGE,
			      (hole + DM_PAGE - 1) / DM_PAGE, res);
		off = hole;
	}
	d->compressed_pages += res->compressed;
}

/*** publishing ***/

static void reg_set(struct dm *d, uint32_t off, uint64_t v)
{
	__atomic_store_n(&d->regs[off / 8], v, __ATOMIC_RELEASE);
}

/*
 * The same telemetry through a second channel, as a vendor's tool would print it: a
 * text page at DM_TEXT_OFF of the same file, "key value" lines after a u64 seqcount
 * (odd while it changes). No HOST_WRITE_SEQ here: a reader that needs to know which
 * writes a value covers waits for the scan count to move twice (tests/vm/bin/devquery).
 * The register block's magic corrupted is the device's fault here.
 */
static void dm_publish_text(struct dm *d, const struct dm_scan_result *res, uint64_t crit,
			    uint32_t status)
{
	char text[DM_TEXT_MAX];
	const char *state = d->bad_magic ? "fault" : (status & CRAM_STATUS_OVERFLOW) ? "overflow" :
			    "ok";
	int len;

	len = snprintf(text, sizeof(text),
		       "scan %llu\nphys_cap %llu\nphys_used %llu\nlogical_cap %llu\nlogical_used %llu\ncrit %llu\nstatus %s\n",
		       (unsigned long long)d->heartbeat, (unsigned long long)d->phys_cap,
		       (unsigned long long)(d->garbage ? 3 * d->phys_cap : res->phys_used),
		       (unsigned long long)d->mem_size, (unsigned long long)res->logical_used,
		       (unsigned long long)crit, state);
	reg_set(d, DM_TEXT_OFF, ++d->text_seq);	/* odd */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy((char *)d->regs + DM_TEXT_OFF + 8, text, (size_t)len + 1);
	reg_set(d, DM_TEXT_OFF, ++d->text_seq);	/* even: stable */
}

static void dm_publish(struct dm *d, const struct dm_scan_result *res, uint64_t scanned_seq)
{
	uint64_t warn = d->phys_cap / 100 * d->warn_pct;
	uint64_t crit = d->phys_cap / 100 * d->crit_pct;
	uint32_t status = CRAM_STATUS_READY;

	if (res->phys_used >= warn)
		status |= CRAM_STATUS_WARN;
	if (res->phys_used >= crit)
		status |= CRAM_STATUS_CRIT;
	if (res->phys_used > d->phys_cap)
		status |= CRAM_STATUS_OVERFLOW;
	reg_set(d, CRAM_REG_SEQ, ++d->seq);	/* odd: update in progress */
	reg_set(d, CRAM_REG_MAGIC, d->bad_magic ? 0x2121454741424147ULL : CRAM_REGS_MAGIC);
	reg_set(d, CRAM_REG_VERSION_GRANULE, d->version | (uint64_t)d->pages.granule << 32);
	if (d->version >= 2)
		reg_set(d, CRAM_REG_SERIAL, d->serial);
	reg_set(d, CRAM_REG_LOGICAL_CAP, d->mem_size);
	reg_set(d, CRAM_REG_PHYS_CAP, d->phys_cap);
	reg_set(d, CRAM_REG_PHYS_USED, d->garbage ? 3 * d->phys_cap : res->phys_used);
	reg_set(d, CRAM_REG_LOGICAL_USED, res->logical_used);
	reg_set(d, CRAM_REG_STATUS_SCAN_MS, status | (uint64_t)d->scan_ms << 32);
	reg_set(d, CRAM_REG_WARN_WM, warn);
	reg_set(d, CRAM_REG_CRIT_WM, crit);
	reg_set(d, CRAM_REG_OVERFLOW_EVENTS, d->overflow_events);
	reg_set(d, CRAM_REG_SCANNED_WRITE_SEQ, scanned_seq);
	reg_set(d, CRAM_REG_HEARTBEAT, ++d->heartbeat);
	reg_set(d, CRAM_REG_SEQ, ++d->seq);	/* even: stable */
	dm_publish_text(d, res, crit, status);
}

/*** test control: commands from the guest ***/

static void dm_command(struct dm *d, char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (!*line)
		return;
	fprintf(stderr, "cramdev: command '%s'\n", line);
	if (!strcmp(line, "freeze"))
		d->frozen = 1;
	else if (!strcmp(line, "thaw"))
		d->frozen = 0;
	else if (!strcmp(line, "corrupt-magic"))
		d->bad_magic = 1;
	else if (!strcmp(line, "restore-magic"))
		d->bad_magic = 0;
	else if (!strcmp(line, "garbage"))
		d->garbage = 1;
	else if (!strcmp(line, "sane"))
		d->garbage = 0;
	else if (!strncmp(line, "phys-cap ", 9))
		d->phys_cap = parse_size(line + 9);
	else if (!strncmp(line, "version ", 8) && strtoul(line + 8, NULL, 0) - 1 < CRAM_REGS_VERSION)
		d->version = strtoul(line + 8, NULL, 0);
	else if (!strncmp(line, "serial ", 7))
		d->serial = strtoull(line + 7, NULL, 0);
	else if (!strncmp(line, "restart ", 8))
		d->restart_secs = strtoul(line + 8, NULL, 0) ?: 1;
	else
		fprintf(stderr, "cramdev: unknown command '%s'\n", line);
}

static void dm_poll_ctl(struct dm *d)
{
	char line[128];
	struct stat st;

	if (!d->ctl_path)
		return;
	if (!d->ctl) {
		d->ctl = fopen(d->ctl_path, "r");
		if (!d->ctl)
			return;
	}
	if (fstat(fileno(d->ctl), &st) == 0 && st.st_size < d->ctl_off)
		d->ctl_off = 0;	/* QEMU truncated it when it opened it */
	fseek(d->ctl, d->ctl_off, SEEK_SET);
	/* whole lines only: a partial one is read again next time */
	while (!d->restart_secs && fgets(line, sizeof(line), d->ctl) && strchr(line, '\n')) {
		d->ctl_off = ftell(d->ctl);
		dm_command(d, line);
	}
	clearerr(d->ctl);
}

static void dm_write_stats(struct dm *d, const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fprintf(f, "scans %llu\noverflow_events %llu\nmax_phys_used %llu\nmax_logical_used %llu\n"
		"last_phys_used %llu\nphys_cap %llu\ncompressed_pages %llu\nscan_ms_avg %.2f\n",
		(unsigned long long)d->scans, (unsigned long long)d->overflow_events,
		(unsigned long long)d->max_phys_used, (unsigned long long)d->max_logical_used,
		(unsigned long long)d->last_phys_used, (unsigned long long)d->phys_cap,
		(unsigned long long)d->compressed_pages,
		d->scans ? d->scan_ms_total / d->scans : 0.0);
	fclose(f);
	if (rename(tmp, path))
		die(path);
}

static void dm_one_pass(struct dm *d)
{
	struct dm_scan_result res;
	uint64_t hws = __atomic_load_n(&d->regs[CRAM_REG_HOST_WRITE_SEQ / 8], __ATOMIC_ACQUIRE);
	double t0 = now_ms();

	dm_scan(d, &res);
	d->scan_ms_total += now_ms() - t0;
	d->scans++;
	d->last_phys_used = res.phys_used;
	if (res.phys_used > d->max_phys_used)
		d->max_phys_used = res.phys_used;
	if (res.logical_used > d->max_logical_used)
		d->max_logical_used = res.logical_used;
	if (res.phys_used > d->phys_cap && !d->overflow_events++)
		fprintf(stderr, "cramdev: OVERFLOW (first): physical use %llu > capacity %llu\n",
			(unsigned long long)res.phys_used, (unsigned long long)d->phys_cap);
	if (!d->frozen)
		dm_publish(d, &res, hws);
}

/* One scan every scan_ms; a scan that took longer starts the next one at once. */
static void dm_sleep_until_next(struct timespec *next, unsigned int scan_ms)
{
	struct timespec now;

	next->tv_nsec += (long)scan_ms * 1000000L;
	next->tv_sec += next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > next->tv_sec ||
	    (now.tv_sec == next->tv_sec && now.tv_nsec > next->tv_nsec))
		*next = now;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static void *map_file(const char *path, uint64_t *size, int prot, int *fd_out)
{
	struct stat st;
	void *p;
	int fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die(path);
	*size = st.st_size;
	p = mmap(NULL, st.st_size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die(path);
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return p;
}

/*
 * The model dies and a fresh one starts: the same program and arguments, plus where
 * to resume reading commands, the physical capacity (the hardware's, not the
 * model's state) and the overflow events seen so far (later options win, so a
 * second restart works the same way).
 */
static void dm_restart(struct dm *d, int argc, char **argv)
{
	char from[32], events[32], cap[32];
	char **args = calloc(argc + 7, sizeof(*args));

	if (!args)
		die("restart");
	memcpy(args, argv, argc * sizeof(*args));
	snprintf(from, sizeof(from), "%ld", d->ctl_off);
	snprintf(events, sizeof(events), "%llu", (unsigned long long)d->overflow_events);
	snprintf(cap, sizeof(cap), "%llu", (unsigned long long)d->phys_cap);
	args[argc] = "--ctl-from";
	args[argc + 1] = from;
	args[argc + 2] = "--overflows";
	args[argc + 3] = events;
	args[argc + 4] = "--phys-cap";
	args[argc + 5] = cap;
	fprintf(stderr, "cramdev: restart: dead for %u s\n", d->restart_secs);
	sleep(d->restart_secs);
	execv("/proc/self/exe", args);
	die("execv");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", 1, NULL, 'm' }, { "regs", 1, NULL, 'r' }, { "phys-cap", 1, NULL, 'p' },
		{ "scan-ms", 1, NULL, 's' }, { "granule", 1, NULL, 'g' },
		{ "warn-pct", 1, NULL, 'w' }, { "crit-pct", 1, NULL, 'c' },
		{ "ctl", 1, NULL, 'C' }, { "stats", 1, NULL, 'S' }, { "once", 0, NULL, 'o' },
		{ "ctl-from", 1, NULL, 'F' }, { "overflows", 1, NULL, 'O' },
		{ "version", 1, NULL, 'V' }, { "serial", 1, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mem_path = NULL, *regs_path = NULL, *stats_path = NULL;
	struct dm d = { .scan_ms = 100, .warn_pct = 80, .crit_pct = 95,
			.version = CRAM_REGS_VERSION };
	uint64_t granule = 64, regs_size;
	struct timespec next;
	int once = 0, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mem_path = optarg;
			break;
		case 'r':
			regs_path = optarg;
			break;
		case 'p':
			d.phys_cap = parse_size(optarg);
			break;
		case 's':
			d.scan_ms = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			granule = parse_size(optarg);
			break;
		case 'w':
			d.warn_pct = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			d.crit_pct = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			d.ctl_path = optarg;
			break;
		case 'S':
			stats_path = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'V':
			d.version = strtoul(optarg, NULL, 0);
			break;
		case 'N':
			d.serial = strtoull(optarg, NULL, 0);
			break;
		case 'F':
			d.ctl_off = strtol(optarg, NULL, 0);
			break;
		case 'O':
			d.overflow_events = strtoull(optarg, NULL, 0);
			break;
		default:
			return 2;
		}
	}
	if (!mem_path || (!regs_path && !once) || !d.scan_ms || !granule ||
	    (granule & (granule - 1)) || granule > DM_PAGE || d.warn_pct > 100 || d.crit_pct > 100 ||
	    d.version < 1 || d.version > CRAM_REGS_VERSION) {
		fprintf(stderr, "usage: cramdev --mem FILE --regs FILE [--phys-cap SIZE] [--scan-ms N] [--granule POW2] [--warn-pct P] [--crit-pct P] [--ctl FILE] [--stats FILE] [--version 1|2] [--serial N] [--once]\n");
		return 2;
	}
	d.mem = map_file(mem_path, &d.mem_size, PROT_READ, &d.mem_fd);
	if (!d.phys_cap)
		d.phys_cap = d.mem_size / 4;
	if (dm_pages_init(&d.pages, d.mem_size / DM_PAGE, granule))
		die("page table");
	if (once) {
		static uint64_t fake_regs[(DM_TEXT_OFF + 8 + DM_TEXT_MAX) / 8];
		struct dm_scan_result res;
		double t0 = now_ms();

		d.regs = fake_regs;
		dm_scan(&d, &res);
		printf("pages %llu logical_used %llu phys_used %llu compressed %llu ms %.1f\n",
		       (unsigned long long)d.pages.nr, (unsigned long long)res.logical_used,
		       (unsigned long long)res.phys_used, (unsigned long long)res.compressed,
		       now_ms() - t0);
		return 0;
	}
	d.regs = map_file(regs_path, &regs_size, PROT_READ | PROT_WRITE, NULL);
	if (regs_size < DM_TEXT_OFF + 8 + DM_TEXT_MAX) {
		fprintf(stderr, "cramdev: %s: smaller than the register block\n", regs_path);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "cramdev: %s: %llu bytes, phys_cap %llu, scan %u ms, granule %llu, block v%u serial %#llx\n",
		mem_path, (unsigned long long)d.mem_size, (unsigned long long)d.phys_cap,
		d.scan_ms, (unsigned long long)granule, d.version, (unsigned long long)d.serial);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&dm_stop, __ATOMIC_RELAXED)) {
		dm_poll_ctl(&d);
		if (d.restart_secs)
			dm_restart(&d, argc, argv);
		dm_one_pass(&d);
		dm_sleep_until_next(&next, d.scan_ms);
	}
	if (stats_path)
		dm_write_stats(&d, stats_path);
	fprintf(stderr, "cramdev: stopped after %llu scans, %llu overflow events\n",
		(unsigned long long)d.scans, (unsigned long long)d.overflow_events);
	return 0;
}
