// SPDX-License-Identifier: GPL-2.0
/*
 * test_devregs.c - unit tests of src/core/devregs.c: the seqcount read, the sanity
 * rules, which block describes cram's memory, the projection of physical use, the watermarks and the gate, and a
 * simulation of driver and device under adversarial interleavings that checks the
 * projection is never optimistic (and that the same check catches a driver which
 * counts a page as written before its copy is complete).
 */
#include <stdlib.h>

#include "cram/devregs.h"
#include "cram/ledger.h"
#include "tap.h"

#define PG CRAM_PAGE_SIZE

/*** a register block in memory ***/

static u64 mem_regs[CRAM_REGS_SIZE / 8];

struct torn_ctx {
	unsigned int reads;		/* reads so far */
	unsigned int publish_at;	/* after this many reads, the device publishes */
	unsigned int publishes_left;
};

static u64 read_mem(void *ctx, u32 off)
{
	struct torn_ctx *t = ctx;

	if (t && t->publishes_left && ++t->reads == t->publish_at) {
		/* the device publishes a new scan in the middle of our read */
		mem_regs[CRAM_REG_PHYS_USED / 8] += PG;
		mem_regs[CRAM_REG_HEARTBEAT / 8]++;
		mem_regs[CRAM_REG_SEQ / 8] += 2;
		t->publishes_left--;
		t->reads = 0;
	}
	return __atomic_load_n(&mem_regs[off / 8], __ATOMIC_ACQUIRE);
}

static void good_regs(void)
{
	memset(mem_regs, 0, sizeof(mem_regs));
	mem_regs[CRAM_REG_MAGIC / 8] = CRAM_REGS_MAGIC;
	mem_regs[CRAM_REG_VERSION_GRANULE / 8] = 1 | (64ULL << 32);
	mem_regs[CRAM_REG_LOGICAL_CAP / 8] = 512ULL << 20;
	mem_regs[CRAM_REG_PHYS_CAP / 8] = 128ULL << 20;
	mem_regs[CRAM_REG_PHYS_USED / 8] = 10ULL << 20;
	mem_regs[CRAM_REG_LOGICAL_USED / 8] = 40ULL << 20;
	mem_regs[CRAM_REG_SEQ / 8] = 42;
	mem_regs[CRAM_REG_STATUS_SCAN_MS / 8] = CRAM_STATUS_READY | (100ULL << 32);
	mem_regs[CRAM_REG_WARN_WM / 8] = 100ULL << 20;
	mem_regs[CRAM_REG_CRIT_WM / 8] = 120ULL << 20;
	mem_regs[CRAM_REG_HOST_WRITE_SEQ / 8] = 7;
	mem_regs[CRAM_REG_SCANNED_WRITE_SEQ / 8] = 5;
	mem_regs[CRAM_REG_HEARTBEAT / 8] = 99;
}

static void test_regs_read_decodes_every_field(void)
{
	struct cram_regs r;

	good_regs();
	tap_is_u64(cram_regs_read(&r, read_mem, NULL), 0, "stable block: read succeeds");
	tap_is_u64(r.magic, CRAM_REGS_MAGIC, "  magic");
	tap_is_u64(r.version, 1, "  version (low half of 0x08)");
	tap_is_u64(r.granule, 64, "  granule (high half of 0x08)");
	tap_is_u64(r.logical_cap, 512ULL << 20, "  logical_cap");
	tap_is_u64(r.phys_cap, 128ULL << 20, "  phys_cap");
	tap_is_u64(r.phys_used, 10ULL << 20, "  phys_used");
	tap_is_u64(r.status, CRAM_STATUS_READY, "  status (low half of 0x38)");
	tap_is_u64(r.scan_ms, 100, "  scan_ms (high half of 0x38)");
	tap_is_u64(r.crit_wm, 120ULL << 20, "  crit_wm");
	tap_is_u64(r.scanned_write_seq, 5, "  scanned_write_seq");
	tap_is_u64(r.heartbeat, 99, "  heartbeat");
	tap_is_u64(r.seq, 42, "  seq");
}

static void test_regs_read_gives_up_while_publishing(void)
{
	struct cram_regs r;

	good_regs();
	mem_regs[CRAM_REG_SEQ / 8] = 43;	/* odd: the device never finishes */
	tap_is_u64(cram_regs_read(&r, read_mem, NULL), (u64)-EAGAIN,
		   "SEQ stuck odd: read gives up with -EAGAIN (bounded)");
}

static void test_regs_read_retries_a_torn_snapshot(void)
{
	struct torn_ctx t = { .publish_at = 8, .publishes_left = 3 };
	struct cram_regs r;

	good_regs();
	tap_is_u64(cram_regs_read(&r, read_mem, &t), 0,
		   "three publishes in the middle of reads: read still succeeds");
	tap_is_u64(r.seq, 42 + 6, "  and returns the last published snapshot");
	tap_is_u64(r.phys_used, (10ULL << 20) + 3 * PG, "  whose PHYS_USED matches its SEQ");
	tap_is_u64(r.heartbeat, 99 + 3, "  and whose HEARTBEAT matches its SEQ");

	good_regs();
	t = (struct torn_ctx){ .publish_at = 8, .publishes_left = 1000 };
	tap_is_u64(cram_regs_read(&r, read_mem, &t), (u64)-EAGAIN,
		   "a device that publishes during every read: read gives up");
}

/*** identity: which block describes cram's memory ***/

static void test_version2_serial_is_read(void)
{
	struct cram_regs r;

	good_regs();
	mem_regs[CRAM_REG_SERIAL / 8] = 0xca01;
	cram_regs_read(&r, read_mem, NULL);
	tap_is_u64(r.serial, 0, "version 1: SERIAL (0x70) is not part of the block");
	mem_regs[CRAM_REG_VERSION_GRANULE / 8] = 2 | (64ULL << 32);
	cram_regs_read(&r, read_mem, NULL);
	tap_is_u64(r.serial, 0xca01, "version 2: SERIAL read from 0x70");
	tap_ok(!cram_regs_insane(&r, 512ULL << 20, 7), "  a sane version 2 block passes");
}

static void test_identity_binds_only_the_right_block(void)
{
	static const char wrong[] = "it describes another CXL memory device than the one cram's region is on";
	static const char v1[] = "it names no CXL memory device (version 1 or SERIAL 0) and there are several: use regs=";
	static const char unknown[] = "cram's region is on no one known CXL memory device and there are several: use regs=";
	static const struct {
		u64 block_serial;	/* 0: a version 1 block */
		u64 region_serial;
		unsigned int memdevs;
		bool named;
		const char *why;	/* NULL: bound */
		const char *what;
	} cases[] = {
		{ 0xa, 0xa, 2, false, NULL, "v2, serials equal, two devices: bound" },
		{ 0xa, 0xb, 2, false, wrong, "v2, serials differ: refused" },
		{ 0xa, 0xb, 1, false, wrong, "v2, serials differ, one device: refused" },
		{ 0xa, 0xb, 2, true, wrong, "v2, serials differ, named by regs=: refused" },
		{ 0, 0xb, 1, false, NULL, "v1, one device: bound (no choice to get wrong)" },
		{ 0, 0xb, 2, false, v1, "v1, two devices: refused" },
		{ 0, 0xb, 2, true, NULL, "v1, two devices, named by regs=: bound" },
		{ 0xa, 0, 2, false, unknown, "v2, region's device unknown, two devices: refused" },
		{ 0xa, 0, 2, true, NULL, "v2, region's device unknown, named: bound" },
		{ 0xa, 0, 1, false, NULL, "v2, region's device unknown, one device: bound" },
		{ 0, 0, 0, false, v1, "v1, no CXL memory device found: refused" },
	};
	struct cram_region_identity id;
	struct cram_regs r;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		good_regs();
		if (cases[i].block_serial) {
			mem_regs[CRAM_REG_VERSION_GRANULE / 8] = 2 | (64ULL << 32);
			mem_regs[CRAM_REG_SERIAL / 8] = cases[i].block_serial;
		}
		cram_regs_read(&r, read_mem, NULL);
		id = (struct cram_region_identity){ .serial = cases[i].region_serial,
			.memdevs = cases[i].memdevs, .named = cases[i].named };
		why = cram_regs_identity(&r, &id);
		if (cases[i].why)
			tap_is_str(why, cases[i].why, cases[i].what);
		else
			tap_ok(!why, cases[i].what);
	}
	good_regs();
	mem_regs[CRAM_REG_MAGIC / 8] = 0;
	cram_regs_read(&r, read_mem, NULL);
	id = (struct cram_region_identity){ .memdevs = 1, .named = true };
	tap_ok(cram_regs_identity(&r, &id) != NULL, "no magic: never bound, even when named");
}

/*** sanity rules ***/

static void test_insane_registers_are_named(void)
{
	static const struct {
		u32 off;
		u64 val;
		const char *why;
	} cases[] = {
		{ CRAM_REG_MAGIC, 0x4141414141414141ULL, "bad magic (not CRAMDEV1)" },
		{ CRAM_REG_VERSION_GRANULE, 3 | (64ULL << 32), "unsupported register block version" },
		{ CRAM_REG_VERSION_GRANULE, 0 | (64ULL << 32), "unsupported register block version" },
		{ CRAM_REG_VERSION_GRANULE, 1 | (48ULL << 32), "granule not a power of two up to 4096" },
		{ CRAM_REG_VERSION_GRANULE, 1, "granule not a power of two up to 4096" },
		{ CRAM_REG_PHYS_CAP, 0, "PHYS_CAP is zero" },
		{ CRAM_REG_PHYS_CAP, 1ULL << 40, "PHYS_CAP larger than LOGICAL_CAP" },
		{ CRAM_REG_LOGICAL_CAP, 128ULL << 20, "LOGICAL_CAP smaller than the region cram owns" },
		{ CRAM_REG_PHYS_USED, (256ULL << 20) + 2, "PHYS_USED more than twice PHYS_CAP" },
		{ CRAM_REG_LOGICAL_USED, 1ULL << 40, "LOGICAL_USED larger than LOGICAL_CAP" },
		{ CRAM_REG_SCANNED_WRITE_SEQ, 8, "SCANNED_WRITE_SEQ ahead of the pages cram has written" },
		{ CRAM_REG_STATUS_SCAN_MS, CRAM_STATUS_READY, "SCAN_MS not within 1..60000" },
		{ CRAM_REG_STATUS_SCAN_MS, 0 | (100ULL << 32), "device not ready" },
		{ CRAM_REG_STATUS_SCAN_MS, CRAM_STATUS_READY | CRAM_STATUS_FAULT | (100ULL << 32),
		  "device reports a fault" },
		{ CRAM_REG_STATUS_SCAN_MS, CRAM_STATUS_READY | CRAM_STATUS_OVERFLOW | (100ULL << 32),
		  "device reports overflow (physical capacity exceeded)" },
	};
	struct cram_regs r;
	char what[128];
	size_t i;

	good_regs();
	cram_regs_read(&r, read_mem, NULL);
	tap_ok(!cram_regs_insane(&r, 512ULL << 20, 7), "a sane block passes");
	tap_ok(!cram_regs_insane(&r, 256ULL << 20, 5),
	       "  also for a smaller region, and with SCANNED_WRITE_SEQ == pages written");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		good_regs();
		mem_regs[cases[i].off / 8] = cases[i].val;
		cram_regs_read(&r, read_mem, NULL);
		snprintf(what, sizeof(what), "insane: %s", cases[i].why);
		tap_is_str(cram_regs_insane(&r, 512ULL << 20, 7), cases[i].why, what);
	}
}

/*** projection, watermarks, gate ***/

static void test_projection_charges_unscanned_pages_in_full(void)
{
	struct cram_regs r = { .phys_used = 1000, .scanned_write_seq = 10 };

	tap_is_u64(cram_project_used(&r, 10), 1000, "nothing reserved since the scan: PHYS_USED");
	tap_is_u64(cram_project_used(&r, 13), 1000 + 3 * PG, "3 pages since the scan: 3 full pages more");
	tap_is_u64(cram_project_used(&r, 4), U64_MAX,
		   "fewer reserved than scanned (counters disagree): nothing admitted");
	r.scanned_write_seq = 0;
	tap_is_u64(cram_project_used(&r, 1ULL << 60), U64_MAX,
		   "a projection past 64 bits saturates instead of wrapping to a small number");
	r.phys_used = U64_MAX - PG;
	tap_is_u64(cram_project_used(&r, 2), U64_MAX, "  also when PHYS_USED is near the top");
	/* the store's form (device.c keeps only the two registers): the same answers */
	tap_is_u64(cram_project_bytes(1000, 10, 13), 1000 + 3 * PG,
		   "from the two registers: 3 pages since the scan, 3 full pages more");
	tap_is_u64(cram_project_bytes(1000, 10, 4), U64_MAX,
		   "  fewer reserved than scanned: nothing admitted");
	tap_is_u64(cram_project_bytes(U64_MAX - PG, 0, 2), U64_MAX, "  saturates");
}

/* Rebinding a register block: cram's count and HOST_WRITE_SEQ become one count. */
static void test_write_seq_bind(void)
{
	bool rewrite;

	tap_is_u64(cram_write_seq_bind(500, 0, &rewrite), 500,
		   "first bind: continue the count an earlier load left");
	tap_ok(!rewrite, "  without rewriting it");
	tap_is_u64(cram_write_seq_bind(500, 500, &rewrite), 0,
		   "rebind: the device has cram's count: counters unchanged (not doubled)");
	tap_ok(!rewrite, "  nothing rewritten");
	tap_is_u64(cram_write_seq_bind(100, 500, &rewrite), 0, "device behind cram (reset): no move");
	tap_ok(rewrite, "  cram's count is written to the device");
	tap_is_u64(cram_write_seq_bind(U64_MAX, 500, &rewrite), 0, "garbage far ahead: no move");
	tap_ok(rewrite, "  rewritten");
	tap_is_u64(cram_write_seq_bind(500 + CRAM_WRITE_SEQ_MAX_JUMP, 500, &rewrite),
		   CRAM_WRITE_SEQ_MAX_JUMP, "the largest jump believed");
	cram_write_seq_bind(501 + CRAM_WRITE_SEQ_MAX_JUMP, 500, &rewrite);
	tap_ok(rewrite, "  one more is not");
	/* found by fuzz_devregs: jumps, bind after bind, could carry the count to 2^64 */
	tap_is_u64(cram_write_seq_bind(CRAM_WRITE_SEQ_MAX, CRAM_WRITE_SEQ_MAX - 1, &rewrite), 1,
		   "a count up to CRAM_WRITE_SEQ_MAX is continued");
	cram_write_seq_bind(CRAM_WRITE_SEQ_MAX + 1, CRAM_WRITE_SEQ_MAX - 1, &rewrite);
	tap_ok(rewrite, "  one beyond it is rewritten, however small the jump");
}

static void test_watermarks_in_bytes(void)
{
	struct cram_regs r = { .phys_cap = 1000 * PG };
	u64 high, low;

	cram_wm_bytes(&r, 90, 80, &high, &low);
	tap_is_u64(high, 900 * PG, "high 90% of PHYS_CAP");
	tap_is_u64(low, 800 * PG, "low 80% of PHYS_CAP");
	r.crit_wm = 450 * PG;
	cram_wm_bytes(&r, 90, 80, &high, &low);
	tap_is_u64(high, 450 * PG, "CRIT_WM below high caps high");
	tap_is_u64(low, 400 * PG, "  and low scales with it (80/90 of CRIT_WM)");
	r.crit_wm = 950 * PG;
	cram_wm_bytes(&r, 90, 80, &high, &low);
	tap_is_u64(high, 900 * PG, "CRIT_WM above high: high stays");
	r = (struct cram_regs){ .phys_cap = ~0ULL };
	cram_wm_bytes(&r, 100, 99, &high, &low);
	tap_is_u64(high, ~0ULL, "100% of a 2^64-1 PHYS_CAP does not overflow");
	tap_ok(low < high, "  low stays below high");
	/* found by fuzz_devregs: 3% and 2% of 50 bytes both round down to 1 */
	r = (struct cram_regs){ .phys_cap = 50 };
	cram_wm_bytes(&r, 3, 2, &high, &low);
	tap_is_u64(high, 1, "3% of 50 bytes: high 1");
	tap_ok(low < high, "  low still below high when both round to the same byte");
	r = (struct cram_regs){ .phys_cap = 10 };
	cram_wm_bytes(&r, 5, 1, &high, &low);
	tap_ok(high == 0 && low == 0, "5% of 10 bytes: high 0, low 0 (nothing is admitted)");
}

static void test_gate_hysteresis(void)
{
	struct cram_gate g = { 0 };
	u64 high = 100 * PG, low = 80 * PG;

	tap_ok(cram_gate_admit(&g, 50 * PG, high, low), "well under high: admitted");
	tap_ok(cram_gate_admit(&g, 100 * PG, high, low), "exactly at high: admitted");
	tap_ok(!cram_gate_admit(&g, 101 * PG, high, low), "one page past high: refused");
	tap_is_u64(g.closings, 1, "  the gate closed once");
	tap_ok(!cram_gate_admit(&g, 95 * PG, high, low), "closed: back under high is not enough");
	tap_ok(!cram_gate_admit(&g, 81 * PG, high, low), "closed: use 80 pages (== low) still refused");
	tap_ok(cram_gate_admit(&g, 80 * PG, high, low), "use under low: reopens and admits");
	tap_ok(cram_gate_admit(&g, 99 * PG, high, low), "open again: admitted up to high");
	tap_ok(!cram_gate_admit(&g, 120 * PG, high, low), "past high again: refused");
	tap_is_u64(g.closings, 2, "  closed twice in all");
	cram_gate_settle(&g, 80 * PG, low);
	tap_ok(g.closed, "settle: use at low keeps the gate closed");
	cram_gate_settle(&g, 79 * PG, low);
	tap_ok(!g.closed, "settle: use under low reopens it without a store");
	cram_gate_settle(&g, 200 * PG, low);
	tap_ok(!g.closed, "settle never closes an open gate");
	/* found by fuzz_telemetry: a sane PHYS_CAP near 2^64 at high_wm_pct=100 */
	tap_ok(!cram_gate_admit(&g, U64_MAX, U64_MAX, U64_MAX - PG),
	       "an overflowed projection (U64_MAX) is refused even under high = U64_MAX");
}

/*** driver and device, interleaved ***/

#define SIM_PAGES	64
#define SIM_HOSTS	3
#define SIM_CHUNKS	4
/*
 * The oldest snapshot the module admits against, in device scans: device.c goes to
 * safe mode once its view is 2 x max(5 x SCAN_MS, 1 s) old, i.e. 10 scan periods.
 */
#define SIM_MAX_AGE_SCANS	10

/* sim_run() flags */
#define SIM_COUNT_EARLY	BIT(0)	/* the bug: count a page written before its copy ends */
#define SIM_BATCH	2	/* the ledger's per-CPU batch: the module's 16 would fill */
				/* this 16-page device with unused reservations alone */
#define SIM_STALE	BIT(1)	/* admit against a view up to SIM_MAX_AGE_SCANS old */
#define SIM_IGNORE_AGE	BIT(2)	/* the bug: project as if the snapshot were current */

enum sim_state { IDLE, COPY };

struct sim_host {
	enum sim_state state;
	int page, chunk;
	bool freeing;
	u64 target;
	struct cram_ledger_cpu cpu;	/* each host is a CPU */
};

struct sim {
	u64 cur[SIM_PAGES];		/* what the device would see in each page now */
	bool used[SIM_PAGES];
	u64 actual;			/* sum of cur[] */
	struct cram_ledger ledger;	/* the driver's counts (and each host's cpu) */
	u64 hws_reg;			/* HOST_WRITE_SEQ, as the poller last wrote it */
	struct cram_regs pub;		/* the last published scan */
	struct cram_regs view;		/* SIM_STALE: what the driver admits against */
	unsigned int view_age, view_max_age;	/* in scans published since the view */
	unsigned int flags;
	u64 scan_sum, scan_hws;		/* the scan in progress */
	int scan_pos;
	struct cram_gate gate;
	struct sim_host host[SIM_HOSTS];
	u64 high, low, max_over_projection, max_over_high, admitted, refused;
	unsigned int rng;
};

static unsigned int sim_rand(struct sim *s, unsigned int n)
{
	s->rng = s->rng * 1103515245 + 12345;
	return (s->rng >> 8) % n;
}

static void sim_set(struct sim *s, int p, u64 v)
{
	s->actual = s->actual - s->cur[p] + v;
	s->cur[p] = v;
}

static int sim_pick(struct sim *s, bool want_used)
{
	int p, i;

	for (i = 0, p = sim_rand(s, SIM_PAGES); i < SIM_PAGES; i++, p = (p + 1) % SIM_PAGES)
		if (s->used[p] == want_used)
			return p;
	return -1;
}

static u64 sim_written(const struct sim *s)
{
	struct cram_ledger_sum sum = { 0, 0 };
	int i;

	for (i = 0; i < SIM_HOSTS; i++)
		cram_ledger_sum_cpu(&sum, &s->host[i].cpu);
	return sum.written;
}

static const struct cram_regs *sim_view(const struct sim *s)
{
	return s->flags & SIM_STALE ? &s->view : &s->pub;
}

/* The driver's projection: against the newest scan, or (SIM_STALE) its older view. */
static u64 sim_projection(const struct sim *s)
{
	const struct cram_regs *v = sim_view(s);
	u64 reserved = cram_ledger_reserved(&s->ledger);

	if (s->flags & SIM_IGNORE_AGE)	/* only writes still in flight are unscanned */
		return v->phys_used + (reserved - sim_written(s)) * PG;
	return cram_project_used(v, reserved);
}

/* The module's admission (cram_dev_admit), or the one that ignores the view's age. */
static bool sim_admit(struct sim *s, struct sim_host *h)
{
	const struct cram_regs *v = sim_view(s);
	struct cram_ledger_gauge g = { v->phys_used, v->scanned_write_seq, s->high, s->low };

	if (!(s->flags & SIM_IGNORE_AGE))
		return cram_ledger_admit(&s->ledger, &h->cpu, &s->gate, &g);
	cram_ledger_reserve(&s->ledger, &h->cpu);
	if (cram_gate_admit(&s->gate, sim_projection(s), s->high, s->low))
		return true;
	cram_ledger_cancel(&s->ledger, &h->cpu);
	return false;
}

/* The poller: HOST_WRITE_SEQ = the CPUs' written counts, summed. */
static void sim_poll(struct sim *s)
{
	s->hws_reg = sim_written(s);
}

static void sim_host_start(struct sim *s, struct sim_host *h)
{
	bool store = sim_rand(s, 10) < 6;
	int p = sim_pick(s, !store);

	if (p < 0)
		return;
	/* every write to a region page is reserved first */
	if (!store) {
		cram_ledger_reserve(&s->ledger, &h->cpu);
	} else if (!sim_admit(s, h)) {
		s->refused++;
		return;
	}
	s->used[p] = true;	/* taken: no other host picks it until it is freed */
	h->page = p;
	h->freeing = !store;
	h->chunk = 0;
	/* a stored page compresses to anything from nothing to a whole page */
	h->target = store ? sim_rand(s, 65) * 64 : 0;
	s->admitted += store;
	h->state = COPY;
	if (s->flags & SIM_COUNT_EARLY && store) {	/* the bug under test */
		cram_ledger_done(&h->cpu, 1);
		sim_poll(s);
	}
}

static void sim_host_step(struct sim *s, struct sim_host *h)
{
	switch (h->state) {
	case IDLE:
		sim_host_start(s, h);
		break;
	case COPY:
		if (++h->chunk < SIM_CHUNKS) {
			/* mid-copy any footprint; mid-zeroing no more than before */
			sim_set(s, h->page, h->freeing ? sim_rand(s, s->cur[h->page] / 64 + 1) * 64 :
				sim_rand(s, 65) * 64);
			break;
		}
		sim_set(s, h->page, h->target);
		if (h->freeing)
			s->used[h->page] = false;
		if (!(s->flags & SIM_COUNT_EARLY) || h->freeing)
			cram_ledger_done(&h->cpu, 1);
		h->state = IDLE;
		break;
	}
}

/* One device step scans a few pages: a scan may start and end within one copy. */
static void sim_device_step(struct sim *s)
{
	int n;

	if (s->scan_pos == 0)
		s->scan_hws = s->hws_reg;	/* read HOST_WRITE_SEQ before the scan */
	for (n = sim_rand(s, 16) + 1; n && s->scan_pos < SIM_PAGES; n--)
		s->scan_sum += s->cur[s->scan_pos++];
	if (s->scan_pos == SIM_PAGES) {
		s->pub.phys_used = s->scan_sum;
		s->pub.scanned_write_seq = s->scan_hws;
		s->scan_sum = 0;
		s->scan_pos = 0;
		/* the poller takes a new view only every few scans: the device scans on */
		if (++s->view_age > s->view_max_age) {
			s->view = s->pub;
			s->view_age = 0;
			s->view_max_age = sim_rand(s, SIM_MAX_AGE_SCANS + 1);
		}
	}
}

static void sim_run(struct sim *s, unsigned int seed, unsigned int steps, unsigned int flags)
{
	/* a device with a quarter of the region's size in physical capacity */
	struct cram_regs caps = { .phys_cap = SIM_PAGES * PG / 4 };
	u64 proj;
	unsigned int i, who;

	memset(s, 0, sizeof(*s));
	s->ledger.batch = SIM_BATCH;
	s->flags = flags;
	s->rng = seed;
	cram_wm_bytes(&caps, 90, 80, &s->high, &s->low);
	for (i = 0; i < steps; i++) {
		who = sim_rand(s, SIM_HOSTS + 2);
		if (who < SIM_HOSTS)
			sim_host_step(s, &s->host[who]);
		else if (who == SIM_HOSTS)
			sim_device_step(s);
		else
			sim_poll(s);
		proj = sim_projection(s);
		if (s->actual > proj && s->actual - proj > s->max_over_projection)
			s->max_over_projection = s->actual - proj;
		if (s->actual > s->high && s->actual - s->high > s->max_over_high)
			s->max_over_high = s->actual - s->high;
	}
}

struct sim_totals {
	u64 worst_proj, worst_high, admitted, refused, closings, max_age_seen;
};

static void sim_seeds(struct sim *s, unsigned int flags, struct sim_totals *t)
{
	unsigned int seed;

	memset(t, 0, sizeof(*t));
	for (seed = 1; seed <= 40; seed++) {
		sim_run(s, seed, 50000, flags);
		t->worst_proj = t->worst_proj > s->max_over_projection ? t->worst_proj :
			       s->max_over_projection;
		t->worst_high = t->worst_high > s->max_over_high ? t->worst_high : s->max_over_high;
		t->admitted += s->admitted;
		t->refused += s->refused;
		t->closings += s->gate.closings;
	}
}

static void test_projection_never_optimistic_under_interleaving(void)
{
	static struct sim s;
	struct sim_totals t;

	sim_seeds(&s, 0, &t);
	tap_ok(t.admitted > 10000 && t.refused > 1000 && t.closings > 100,
	       "simulation exercised admissions, refusals and gate closings");
	printf("#   %llu admitted, %llu refused, %llu closings\n", (unsigned long long)t.admitted,
	       (unsigned long long)t.refused, (unsigned long long)t.closings);
	tap_is_u64(t.worst_proj, 0, "40 x 50000 interleaved steps: real use never above the projection");
	tap_is_u64(t.worst_high, 0, "  and never above the high watermark");

	sim_seeds(&s, SIM_COUNT_EARLY, &t);
	tap_ok(t.worst_proj > 0,
	       "the same check catches a driver that counts a page written before its copy ends");
}

/*
 * The driver admits against a view up to SIM_MAX_AGE_SCANS scans old (the oldest
 * device.c acts on) while the device scans on: every write since the view's scan is
 * charged in full and no free since is credited, so the bound holds however old.
 */
static void test_projection_holds_on_stale_snapshots(void)
{
	static struct sim s;
	struct sim_totals t;

	sim_seeds(&s, SIM_STALE, &t);
	tap_ok(t.admitted > 10000 && t.refused > 1000 && t.closings > 100,
	       "stale views (up to 10 scans old): admissions, refusals and closings exercised");
	printf("#   %llu admitted, %llu refused, %llu closings\n", (unsigned long long)t.admitted,
	       (unsigned long long)t.refused, (unsigned long long)t.closings);
	tap_is_u64(t.worst_proj, 0, "  real use never above the projection from a stale view");
	tap_is_u64(t.worst_high, 0, "  and never above the high watermark");

	sim_seeds(&s, SIM_STALE | SIM_IGNORE_AGE, &t);
	tap_ok(t.worst_proj > 0 && t.worst_high > 0,
	       "the check catches a projection that treats an old snapshot as current");
	printf("#   over the projection by up to %llu bytes, over high by up to %llu\n",
	       (unsigned long long)t.worst_proj, (unsigned long long)t.worst_high);
}

int main(void)
{
	test_regs_read_decodes_every_field();
	test_regs_read_gives_up_while_publishing();
	test_regs_read_retries_a_torn_snapshot();
	test_version2_serial_is_read();
	test_identity_binds_only_the_right_block();
	test_insane_registers_are_named();
	test_projection_charges_unscanned_pages_in_full();
	test_write_seq_bind();
	test_watermarks_in_bytes();
	test_gate_hysteresis();
	test_projection_never_optimistic_under_interleaving();
	test_projection_holds_on_stale_snapshots();
	return tap_done();
}
