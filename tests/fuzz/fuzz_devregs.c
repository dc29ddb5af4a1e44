// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_devregs.c - the device's telemetry (src/core/devregs.c) fed any register
 * contents and any sequence of snapshots, driven the way src/kernel/device.c drives
 * it: the poller writes HOST_WRITE_SEQ, reads a snapshot (the device may publish in
 * the middle of the read), judges identity and sanity and recomputes the watermarks;
 * stores reserve a page, ask the gate, then complete or cancel their write; binding
 * continues or rewrites HOST_WRITE_SEQ.
 *
 * Checked on every step, independently of the code under test (128-bit arithmetic,
 * the rules restated):
 *   - a snapshot read while the device publishes is one whole block, never a mix;
 *   - a block that fails a safety rule (magic, version, READY/FAULT/OVERFLOW, zero or
 *     impossible PHYS_CAP, LOGICAL_CAP below the region, SCANNED_WRITE_SEQ ahead of
 *     the completed writes, another device's SERIAL) never becomes the view;
 *   - no page is admitted without a sane view, and an admitted page is charged in
 *     full: PHYS_USED + (reserved - SCANNED_WRITE_SEQ) x 4096 <= high, with the page
 *     itself among the reserved ones;
 *   - high <= PHYS_CAP and <= CRIT_WM when the device gives one; low < high.
 *
 * Input: a 24-byte header (identity, watermarks, region size), then operations.
 */
#include "cram/config.h"
#include "cram/devregs.h"
#include "fuzz.h"

#define NR_WORDS (CRAM_REGS_SIZE / 8)
#define W(reg) ((reg) / 8)

struct model {
	/* the device */
	u64 block[NR_WORDS];
	u64 next_block[NR_WORDS];	/* published after switch_at reads, if non-zero */
	unsigned int reads, switch_at;
	/* the driver */
	struct cram_region_identity want;
	unsigned int high_pct, low_pct;
	u64 region_bytes;
	u64 reserved, written, inflight;
	bool sane;			/* the view holds a snapshot judged sane */
	struct cram_regs view;
	u64 high, low;
	struct cram_gate gate;
};

static u64 model_read(void *ctx, u32 off)
{
	struct model *m = ctx;

	if (m->switch_at && ++m->reads == m->switch_at) {
		memcpy(m->block, m->next_block, sizeof(m->block));
		m->switch_at = 0;
	}
	return m->block[off / 8];
}

static void good_block(u64 *b)
{
	memset(b, 0, NR_WORDS * 8);
	b[W(CRAM_REG_MAGIC)] = CRAM_REGS_MAGIC;
	b[W(CRAM_REG_VERSION_GRANULE)] = 2 | (64ULL << 32);
	b[W(CRAM_REG_LOGICAL_CAP)] = 512ULL << 20;
	b[W(CRAM_REG_PHYS_CAP)] = 128ULL << 20;
	b[W(CRAM_REG_PHYS_USED)] = 10ULL << 20;
	b[W(CRAM_REG_STATUS_SCAN_MS)] = CRAM_STATUS_READY | (100ULL << 32);
	b[W(CRAM_REG_SEQ)] = 2;
	b[W(CRAM_REG_SERIAL)] = 0xcafe0001;
}

/* The fields of a block as the layout in cram/devregs.h gives them. */
static bool snapshot_is_block(const struct cram_regs *r, const u64 *b)
{
	u32 version = (u32)b[W(CRAM_REG_VERSION_GRANULE)];

	return r->magic == b[W(CRAM_REG_MAGIC)] && r->version == version &&
	       r->granule == b[W(CRAM_REG_VERSION_GRANULE)] >> 32 &&
	       r->logical_cap == b[W(CRAM_REG_LOGICAL_CAP)] &&
	       r->phys_cap == b[W(CRAM_REG_PHYS_CAP)] &&
	       r->phys_used == b[W(CRAM_REG_PHYS_USED)] &&
	       r->logical_used == b[W(CRAM_REG_LOGICAL_USED)] &&
	       r->seq == b[W(CRAM_REG_SEQ)] &&
	       r->status == (u32)b[W(CRAM_REG_STATUS_SCAN_MS)] &&
	       r->scan_ms == b[W(CRAM_REG_STATUS_SCAN_MS)] >> 32 &&
	       r->warn_wm == b[W(CRAM_REG_WARN_WM)] && r->crit_wm == b[W(CRAM_REG_CRIT_WM)] &&
	       r->overflow_events == b[W(CRAM_REG_OVERFLOW_EVENTS)] &&
	       r->host_write_seq == b[W(CRAM_REG_HOST_WRITE_SEQ)] &&
	       r->scanned_write_seq == b[W(CRAM_REG_SCANNED_WRITE_SEQ)] &&
	       r->heartbeat == b[W(CRAM_REG_HEARTBEAT)] &&
	       r->serial == (version >= 2 ? b[W(CRAM_REG_SERIAL)] : 0);
}

/* The rules a view must pass, restated: what keeps the device from overcommitting. */
static void check_sane_view(const struct model *m, const struct cram_regs *r)
{
	fuzz_check(r->magic == CRAM_REGS_MAGIC && r->version >= 1 && r->version <= 2,
		   "magic %#llx version %u", (unsigned long long)r->magic, r->version);
	fuzz_check((r->status & (CRAM_STATUS_READY | CRAM_STATUS_FAULT | CRAM_STATUS_OVERFLOW))
		   == CRAM_STATUS_READY, "status %#x", r->status);
	fuzz_check(r->phys_cap && r->phys_cap <= r->logical_cap &&
		   m->region_bytes <= r->logical_cap, "phys_cap %llu logical_cap %llu",
		   (unsigned long long)r->phys_cap, (unsigned long long)r->logical_cap);
	fuzz_check(r->scanned_write_seq <= m->written, "scanned %llu > written %llu",
		   (unsigned long long)r->scanned_write_seq, (unsigned long long)m->written);
	if (r->serial && m->want.serial)
		fuzz_check(r->serial == m->want.serial, "serial %#llx bound to %#llx",
			   (unsigned long long)r->serial, (unsigned long long)m->want.serial);
	else
		fuzz_check(m->want.named || m->want.memdevs == 1,
			   "an anonymous block bound among %u devices", m->want.memdevs);
}

static void check_watermarks(const struct model *m, const struct cram_regs *r)
{
	u64 exact = (u64)((__uint128_t)r->phys_cap * m->high_pct / 100);

	fuzz_check(m->high <= exact, "high %llu above %u%% of PHYS_CAP %llu",
		   (unsigned long long)m->high, m->high_pct, (unsigned long long)r->phys_cap);
	fuzz_check(!r->crit_wm || m->high <= r->crit_wm, "high %llu above CRIT_WM %llu",
		   (unsigned long long)m->high, (unsigned long long)r->crit_wm);
	fuzz_check(m->low < m->high || !m->high, "low %llu not below high %llu",
		   (unsigned long long)m->low, (unsigned long long)m->high);
}

static void poll(struct model *m, unsigned int switch_at)
{
	struct cram_regs r;
	const char *why;
	int err;

	m->block[W(CRAM_REG_HOST_WRITE_SEQ)] = m->written;
	m->reads = 0;
	m->switch_at = switch_at;
	if (switch_at && m->next_block[W(CRAM_REG_SEQ)] == m->block[W(CRAM_REG_SEQ)])
		m->next_block[W(CRAM_REG_SEQ)] += 2;	/* a publication changes SEQ */
	m->next_block[W(CRAM_REG_HOST_WRITE_SEQ)] = m->written;
	memset(&r, 0, sizeof(r));
	err = cram_regs_read(&r, model_read, m);
	m->switch_at = 0;
	if (!err)
		fuzz_check(snapshot_is_block(&r, m->block) ||
			   (switch_at && snapshot_is_block(&r, m->next_block)),
			   "a torn snapshot: seq %llu", (unsigned long long)r.seq);
	why = err ? "unstable" : cram_regs_identity(&r, &m->want) ?:
	      cram_regs_insane(&r, m->region_bytes, m->written);
	if (why) {
		m->sane = false;
		return;
	}
	check_sane_view(m, &r);
	m->view = r;
	cram_wm_bytes(&r, m->high_pct, m->low_pct, &m->high, &m->low);
	check_watermarks(m, &r);
	m->sane = true;
	cram_gate_settle(&m->gate, cram_project_used(&r, m->reserved), m->low);
}

static void admit(struct model *m)
{
	bool was_closed = m->gate.closed, ok;
	__uint128_t charged;

	if (!m->sane)
		return;		/* the kernel declines: safe mode */
	m->reserved++;
	ok = cram_gate_admit(&m->gate, cram_project_used(&m->view, m->reserved), m->high, m->low);
	if (!ok) {
		m->reserved--;
		return;
	}
	fuzz_check(m->reserved > m->view.scanned_write_seq,
		   "admitted page not charged: reserved %llu, scanned %llu",
		   (unsigned long long)m->reserved,
		   (unsigned long long)m->view.scanned_write_seq);
	charged = (__uint128_t)m->view.phys_used +
		  (__uint128_t)(m->reserved - m->view.scanned_write_seq) * CRAM_PAGE_SIZE;
	fuzz_check(charged <= m->high, "admitted with %llu charged, high %llu",
		   (unsigned long long)(charged > UINT64_MAX ? UINT64_MAX : charged),
		   (unsigned long long)m->high);
	fuzz_check(!was_closed || charged - CRAM_PAGE_SIZE < m->low,
		   "a closed gate reopened at %llu, low %llu",
		   (unsigned long long)(charged - CRAM_PAGE_SIZE), (unsigned long long)m->low);
	m->inflight++;
}

static void rebind(struct model *m)
{
	u64 dev = m->block[W(CRAM_REG_HOST_WRITE_SEQ)];
	bool rewrite;
	u64 ahead = cram_write_seq_bind(dev, m->written, &rewrite);

	fuzz_check(rewrite == (dev < m->written || dev - m->written > CRAM_WRITE_SEQ_MAX_JUMP ||
			       dev > CRAM_WRITE_SEQ_MAX),
		   "binding at %llu with %llu written: rewrite %d", (unsigned long long)dev,
		   (unsigned long long)m->written, rewrite);
	m->reserved += ahead;
	m->written += ahead;
	fuzz_check(rewrite || m->written == dev, "the device's count was not continued");
	if (rewrite)
		m->block[W(CRAM_REG_HOST_WRITE_SEQ)] = m->written;
	m->sane = false;	/* a bind starts without a view */
}

static void setup(struct model *m, struct fuzz_in *in)
{
	u8 id = fuzz_u8(in);
	const char *why;

	memset(m, 0, sizeof(*m));
	good_block(m->block);
	good_block(m->next_block);
	m->want.serial = id & 1 ? 0 : 0xcafe0001;
	m->want.memdevs = id >> 1 & 3;
	m->want.named = id & 8;
	m->high_pct = fuzz_u8(in);
	m->low_pct = fuzz_u8(in);
	if (cram_wm_pair_check(m->low_pct, m->high_pct, &why)) {	/* insmod refuses */
		m->high_pct = 90;
		m->low_pct = 70;
	}
	m->region_bytes = (u64)fuzz_u32(in) << 12;
	/* where binds may have left the count: up to CRAM_WRITE_SEQ_MAX */
	m->written = (fuzz_u64(in) >> fuzz_u8(in) % 64) % (CRAM_WRITE_SEQ_MAX + 1);
	m->reserved = m->written;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct model m;
	unsigned int word;

	setup(&m, &in);
	while (in.left) {
		switch (fuzz_u8(&in) % 9) {
		case 0:		/* the device changes one register */
			word = fuzz_u8(&in) % NR_WORDS;
			m.block[word] = fuzz_u64(&in);
			break;
		case 1:		/* ... or prepares one to publish during the next read */
			word = fuzz_u8(&in) % NR_WORDS;
			m.next_block[word] = fuzz_u64(&in);
			break;
		case 2:		/* an honest scan: what it read, at some compressed size */
			m.block[W(CRAM_REG_SCANNED_WRITE_SEQ)] = m.block[W(CRAM_REG_HOST_WRITE_SEQ)];
			m.block[W(CRAM_REG_PHYS_USED)] = (u64)fuzz_u32(&in) << 8;
			m.block[W(CRAM_REG_SEQ)] += 2;
			m.block[W(CRAM_REG_HEARTBEAT)]++;
			break;
		case 3:
			poll(&m, fuzz_u8(&in) % 24);
			break;
		case 4:
		case 5:
			admit(&m);
			break;
		case 6:		/* a placement's copy is complete */
			if (m.inflight) {
				m.inflight--;
				m.written++;
			}
			break;
		case 7:		/* a placement failed after admission */
			if (m.inflight) {
				m.inflight--;
				m.reserved--;
			}
			break;
		case 8:
			rebind(&m);
			break;
		}
	}
	return 0;
}
