// SPDX-License-Identifier: GPL-2.0
/*
 * devregs.c - reading and judging the compressing device's telemetry: the seqcount
 * read, the sanity rules, the conservative projection and the watermark gate. The
 * why of each rule is in include/cram/devregs.h.
 *
 * Context: any; no allocation, no sleeping, no locks. cram_regs_read() calls the
 * caller's read function, which must complete each read before the next (readq
 * does; the unit tests use acquire loads).
 */
#include "cram/devregs.h"

static void cram_regs_read_fields(struct cram_regs *r, cram_reg_read_fn read, void *ctx)
{
	u64 v;

	r->magic = read(ctx, CRAM_REG_MAGIC);
	v = read(ctx, CRAM_REG_VERSION_GRANULE);
	r->version = (u32)v;
	r->granule = (u32)(v >> 32);
	r->logical_cap = read(ctx, CRAM_REG_LOGICAL_CAP);
	r->phys_cap = read(ctx, CRAM_REG_PHYS_CAP);
	r->phys_used = read(ctx, CRAM_REG_PHYS_USED);
	r->logical_used = read(ctx, CRAM_REG_LOGICAL_USED);
	v = read(ctx, CRAM_REG_STATUS_SCAN_MS);
	r->status = (u32)v;
	r->scan_ms = (u32)(v >> 32);
	r->warn_wm = read(ctx, CRAM_REG_WARN_WM);
	r->crit_wm = read(ctx, CRAM_REG_CRIT_WM);
	r->overflow_events = read(ctx, CRAM_REG_OVERFLOW_EVENTS);
	r->host_write_seq = read(ctx, CRAM_REG_HOST_WRITE_SEQ);
	r->scanned_write_seq = read(ctx, CRAM_REG_SCANNED_WRITE_SEQ);
	r->heartbeat = read(ctx, CRAM_REG_HEARTBEAT);
	r->serial = r->version >= 2 ? read(ctx, CRAM_REG_SERIAL) : 0;
}

int cram_regs_read(struct cram_regs *r, cram_reg_read_fn read, void *ctx)
{
	unsigned int tries;
	u64 seq;

	for (tries = 0; tries < CRAM_REGS_READ_TRIES; tries++) {
		seq = read(ctx, CRAM_REG_SEQ);
		if (seq & 1)
			continue;	/* the device is publishing */
		cram_regs_read_fields(r, read, ctx);
		if (read(ctx, CRAM_REG_SEQ) == seq) {
			r->seq = seq;
			return 0;
		}
	}
	return -EAGAIN;
}

static const char cram_why_other_device[] =
	"it describes another CXL memory device than the one cram's region is on";
static const char cram_why_unnamed_block[] =
	"it names no CXL memory device (version 1 or SERIAL 0) and there are several: use regs=";
static const char cram_why_unknown_region[] =
	"cram's region is on no one known CXL memory device and there are several: use regs=";

const char *cram_regs_identity(const struct cram_regs *r, const struct cram_region_identity *id)
{
	if (r->magic != CRAM_REGS_MAGIC)
		return "bad magic (not CRAMDEV1)";
	if (r->version < 1 || r->version > CRAM_REGS_VERSION)
		return "unsupported register block version";
	if (r->serial && id->serial)
		return r->serial == id->serial ? NULL : cram_why_other_device;
	if (id->named || id->memdevs == 1)
		return NULL;	/* the operator's word, or no choice to get wrong */
	return r->serial ? cram_why_unknown_region : cram_why_unnamed_block;
}

static bool is_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

const char *cram_regs_insane(const struct cram_regs *r, u64 region_bytes, u64 host_written)
{
	if (r->magic != CRAM_REGS_MAGIC)
		return "bad magic (not CRAMDEV1)";
	if (r->version < 1 || r->version > CRAM_REGS_VERSION)
		return "unsupported register block version";
	if (r->status & CRAM_STATUS_FAULT)
		return "device reports a fault";
	if (!(r->status & CRAM_STATUS_READY))
		return "device not ready";
	if (r->status & CRAM_STATUS_OVERFLOW)
		return "device reports overflow (physical capacity exceeded)";
	if (!is_pow2(r->granule) || r->granule > CRAM_PAGE_SIZE)
		return "granule not a power of two up to 4096";
	if (!r->phys_cap)
		return "PHYS_CAP is zero";
	if (r->phys_cap > r->logical_cap)
		return "PHYS_CAP larger than LOGICAL_CAP";
	if (r->logical_cap < region_bytes)
		return "LOGICAL_CAP smaller than the region cram owns";
	if (r->phys_used / 2 > r->phys_cap)
		return "PHYS_USED more than twice PHYS_CAP";
	if (r->logical_used > r->logical_cap)
		return "LOGICAL_USED larger than LOGICAL_CAP";
	if (r->scanned_write_seq > host_written)
		return "SCANNED_WRITE_SEQ ahead of the pages cram has written";
	if (!r->scan_ms || r->scan_ms > 60000)
		return "SCAN_MS not within 1..60000";
	return NULL;
}

u64 cram_project_bytes(u64 phys_used, u64 scanned_write_seq, u64 reserved)
{
	u64 unscanned;

	if (reserved < scanned_write_seq)
		return U64_MAX;
	unscanned = reserved - scanned_write_seq;
	if (unscanned > (U64_MAX - phys_used) / CRAM_PAGE_SIZE)
		return U64_MAX;
	return phys_used + unscanned * CRAM_PAGE_SIZE;
}

u64 cram_project_used(const struct cram_regs *r, u64 reserved)
{
	return cram_project_bytes(r->phys_used, r->scanned_write_seq, reserved);
}

u64 cram_write_seq_bind(u64 device_seq, u64 written, bool *rewrite)
{
	*rewrite = device_seq < written || device_seq - written > CRAM_WRITE_SEQ_MAX_JUMP ||
		   device_seq > CRAM_WRITE_SEQ_MAX;
	return *rewrite ? 0 : device_seq - written;
}

void cram_wm_bytes(const struct cram_regs *r, unsigned int high_pct, unsigned int low_pct,
		   u64 *high, u64 *low)
{
	/* percentages are 1..100 (config.c), so neither product overflows below 2^57 */
	*high = r->phys_cap / 100 * high_pct + r->phys_cap % 100 * high_pct / 100;
	*low = r->phys_cap / 100 * low_pct + r->phys_cap % 100 * low_pct / 100;
	if (r->crit_wm && r->crit_wm < *high) {
		*low = r->crit_wm / high_pct * low_pct;
		*high = r->crit_wm;
	}
	/* rounding down ties them below 100 bytes of capacity (found by fuzz_devregs) */
	if (*low >= *high)
		*low = *high ? *high - 1 : 0;
}

bool cram_gate_admit(struct cram_gate *g, u64 projected, u64 high, u64 low)
{
	u64 before = projected > CRAM_PAGE_SIZE ? projected - CRAM_PAGE_SIZE : 0;

	if (cram_load_u8(&g->closed)) {
		if (before >= low)
			return false;
		cram_xchg_u8(&g->closed, 0);
	}
	/* U64_MAX: the projection overflowed or contradicts itself, even under high = U64_MAX */
	if (projected > high || projected == U64_MAX) {
		if (!cram_xchg_u8(&g->closed, 1))
			cram_counter_inc(&g->closings);
		return false;
	}
	return true;
}

void cram_gate_settle(struct cram_gate *g, u64 projected, u64 low)
{
	if (cram_load_u8(&g->closed) && projected < low)
		cram_xchg_u8(&g->closed, 0);
}
