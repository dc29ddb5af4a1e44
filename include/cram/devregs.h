/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devregs.h - the compressing device's register block (versions 1 and 2) and the
 * rules cram applies to it: which block describes cram's memory, consistent reads,
 * sanity checks, the conservative projection of physical use and the watermark gate
 * with hysteresis. Shared by the module
 * (src/kernel/device.c), the device model (tests/devmodel/) and the unit tests.
 *
 * Layout (little-endian, naturally aligned; shared/DESIGN.md section 4):
 *   0x00 MAGIC "CRAMDEV1"   0x08 VERSION (u32)     0x0c GRANULE (u32)
 *   0x10 LOGICAL_CAP        0x18 PHYS_CAP          0x20 PHYS_USED
 *   0x28 LOGICAL_USED       0x30 SEQ (odd: update in progress)
 *   0x38 STATUS (u32)       0x3c SCAN_MS (u32)     0x40 WARN_WM
 *   0x48 CRIT_WM            0x50 OVERFLOW_EVENTS   0x58 HOST_WRITE_SEQ (driver)
 *   0x60 SCANNED_WRITE_SEQ  0x68 HEARTBEAT
 *   0x70 SERIAL (version 2: the serial number of the CXL memory device the block
 *        describes, as its memdev reports it; 0 = not known)
 *
 * Identity (cram_regs_identity): a block may gate placements only into the memory it
 * describes. A version 2 block with a SERIAL is bound only to a region on that device.
 * A block that cannot say (version 1, SERIAL 0), or a region whose device cram cannot
 * tell (not a CXL region, or interleaved over several devices), is bound only when
 * there is no choice to get wrong (one CXL memory device in the machine) or the
 * operator named the block (regs=).
 *
 * The projection (why it is never optimistic): the driver counts a page as reserved
 * before it starts copying into it, and adds it to HOST_WRITE_SEQ only once the copy
 * is complete and ordered. The device reads HOST_WRITE_SEQ before a scan and
 * publishes it as SCANNED_WRITE_SEQ next to that scan's PHYS_USED. At least
 * SCANNED_WRITE_SEQ pages were complete when the scan began, so the scan saw their
 * final contents (later changes to them are frees, which zero and only shrink); at
 * most reserved - SCANNED_WRITE_SEQ pages were not, and each is charged a full page.
 * Hence PHYS_USED + (reserved - SCANNED_WRITE_SEQ) * 4096 >= real use, however old
 * the snapshot. tests/unit/test_devregs.c checks this under adversarial interleavings.
 *
 * Context: pure functions on caller-owned data, no allocation, no locking. The gate
 * (struct cram_gate) is updated by concurrent callers without a lock: the projection,
 * not the gate flag, is what keeps use under the high watermark.
 */
#ifndef CRAM_DEVREGS_H
#define CRAM_DEVREGS_H

#include "cram/core_types.h"

#define CRAM_REGS_MAGIC		0x315645444d415243ULL	/* "CRAMDEV1" read as LE u64 */
#define CRAM_REGS_VERSION	2	/* the newest; 1 is read too */
#define CRAM_REGS_SIZE		0x78	/* version 2's; version 1's ends at 0x70 */

#define CRAM_REG_MAGIC			0x00
#define CRAM_REG_VERSION_GRANULE	0x08	/* VERSION low half, GRANULE high half */
#define CRAM_REG_LOGICAL_CAP		0x10
#define CRAM_REG_PHYS_CAP		0x18
#define CRAM_REG_PHYS_USED		0x20
#define CRAM_REG_LOGICAL_USED		0x28
#define CRAM_REG_SEQ			0x30
#define CRAM_REG_STATUS_SCAN_MS		0x38	/* STATUS low half, SCAN_MS high half */
#define CRAM_REG_WARN_WM		0x40
#define CRAM_REG_CRIT_WM		0x48
#define CRAM_REG_OVERFLOW_EVENTS	0x50
#define CRAM_REG_HOST_WRITE_SEQ		0x58
#define CRAM_REG_SCANNED_WRITE_SEQ	0x60
#define CRAM_REG_HEARTBEAT		0x68
#define CRAM_REG_SERIAL			0x70	/* version 2 */

#define CRAM_STATUS_READY	BIT(0)
#define CRAM_STATUS_WARN	BIT(1)
#define CRAM_STATUS_CRIT	BIT(2)
#define CRAM_STATUS_OVERFLOW	BIT(3)
#define CRAM_STATUS_FAULT	BIT(4)

/* A seqcount read gives up after this many torn or in-progress attempts. */
#define CRAM_REGS_READ_TRIES	64

struct cram_regs {
	u64 magic;
	u32 version;
	u32 granule;
	u64 logical_cap;
	u64 phys_cap;
	u64 phys_used;
	u64 logical_used;
	u64 seq;
	u32 status;
	u32 scan_ms;
	u64 warn_wm;
	u64 crit_wm;
	u64 overflow_events;
	u64 host_write_seq;
	u64 scanned_write_seq;
	u64 heartbeat;
	u64 serial;			/* version 2; 0 in a version 1 block */
};

/* Reads the 64-bit register at byte offset off (the module: readq; tests: memory). */
typedef u64 (*cram_reg_read_fn)(void *ctx, u32 off);

/*
 * One consistent snapshot: SEQ even and unchanged across the read. Returns 0, or
 * -EAGAIN when no stable snapshot came in CRAM_REGS_READ_TRIES attempts.
 */
int cram_regs_read(struct cram_regs *r, cram_reg_read_fn read, void *ctx);

/* What cram knows of the memory its region is on, for cram_regs_identity(). */
struct cram_region_identity {
	u64 serial;		/* its CXL memory device's serial; 0: not known */
	unsigned int memdevs;	/* CXL memory devices in the machine */
	bool named;		/* the operator named the block (regs=DDDD:BB:DD.F) */
};

/*
 * May this block gate placements into cram's region (rules at the top of this
 * file)? NULL if so, else why not (a sentence for dmesg).
 */
const char *cram_regs_identity(const struct cram_regs *r, const struct cram_region_identity *id);

/*
 * Is this snapshot one cram may act on? NULL if so, else why not (a sentence for
 * dmesg and debugfs). region_bytes: size of the region cram owns on the device;
 * host_written: pages cram has completed so far (what it wrote to HOST_WRITE_SEQ).
 */
const char *cram_regs_insane(const struct cram_regs *r, u64 region_bytes, u64 host_written);

/*
 * Physical bytes in use, never an underestimate (see the top of this file). U64_MAX
 * (nothing may be admitted) when the counters contradict each other (fewer pages
 * reserved than the device says it scanned) or the sum would not fit in 64 bits.
 */
u64 cram_project_used(const struct cram_regs *r, u64 reserved);
/* The same from the two registers it reads (a store keeps only those) */
u64 cram_project_bytes(u64 phys_used, u64 scanned_write_seq, u64 reserved);

/*
 * HOST_WRITE_SEQ values further ahead of cram's count than MAX_JUMP, or above MAX,
 * are not believed. MAX keeps cram's counters (reserved >= written >= SCANNED) far
 * from wrapping: a device could otherwise carry them to 2^64 jump by jump, over many
 * rebinds, and a wrapped count would charge an admitted page nothing.
 */
#define CRAM_WRITE_SEQ_MAX_JUMP	0x10000000000ULL	/* 2^40 pages: 4 PiB of writes */
#define CRAM_WRITE_SEQ_MAX	0x4000000000000000ULL	/* 2^62 pages */

/*
 * Binding a register block: from now on the device's HOST_WRITE_SEQ and cram's count
 * of completed writes (written) must be equal. When the device's value is a plausible
 * continuation of cram's (an earlier load of cram left it ahead), returns how far
 * cram's counters move forward to continue it; on a rebind it is equal, 0. Otherwise
 * (behind cram's: writes while it was unbound, a reset device; or implausibly far
 * ahead: garbage) returns 0 and sets *rewrite: cram writes its own count to
 * HOST_WRITE_SEQ; until a scan reflects it the projection charges every write since
 * the last scan, or the sanity rules see SCANNED_WRITE_SEQ ahead (safe mode).
 */
u64 cram_write_seq_bind(u64 device_seq, u64 written, bool *rewrite);

/*
 * Watermarks in bytes of physical capacity: high = high_pct of PHYS_CAP, capped by
 * the device's CRIT_WM when it gives one; low = low_pct of PHYS_CAP, scaled down
 * with high when CRIT_WM caps it, so low < high always.
 */
void cram_wm_bytes(const struct cram_regs *r, unsigned int high_pct, unsigned int low_pct,
		   u64 *high, u64 *low);

/* The admission gate: open until a page would cross high, then closed until use < low. */
struct cram_gate {
	u8 closed;			/* changed by atomic exchange only */
	cram_counter_t closings;	/* times it closed */
};

/*
 * May one more page go to the device? projected: cram_project_used() with the page
 * already counted as reserved. Closes the gate when it must refuse; reopens it once
 * the use without this page is under low.
 */
bool cram_gate_admit(struct cram_gate *g, u64 projected, u64 high, u64 low);

/* Reopen a closed gate once use (projected, nothing new reserved) is under low. */
void cram_gate_settle(struct cram_gate *g, u64 projected, u64 low);

#endif /* CRAM_DEVREGS_H */
