/* SPDX-License-Identifier: GPL-2.0 */
/*
 * telemetry.h - what a telemetry provider tells cram about one region's device, and
 * the message /dev/cram-telemetry takes (docs/ABI.md "Telemetry providers"). Shared by
 * the module (src/kernel/device.c, provider.c), in-kernel providers
 * (include/cram/provider.h), the agent (tools/cram-agent.c) and the unit and fuzz
 * tests; fixed-size u64/u32 fields (core_types.h), no implicit padding, so 32- and
 * 64-bit userspace write the same bytes.
 *
 * The contract. A provider reports physical capacity, physical use, logical capacity
 * and logical use, and which of cram's page writes that use already covers: before it
 * starts a measurement it asks cram for a mark (cram_provider_begin(), or a read() of
 * the character device) and reports the mark's written count with the result. The
 * device's measurement must begin after the mark was taken, so every write the mark
 * counts is in it; cram charges every later write at a full page (devregs.h: the
 * projection is then never optimistic, however old the snapshot). A snapshot promises
 * the next within period_ms: one not followed by another within max(5 x period_ms,
 * 1 s) puts the region in safe mode (heartbeat stopped). Every snapshot is judged by
 * the rules a CRAMDEV1 register block's is (cram_regs_insane); an insane one puts the
 * region in safe mode, as it says. An event (threshold crossed) closes the region's
 * gate at once; placements stay closed until a snapshot whose mark was taken after
 * the event shows use under the low watermark.
 *
 * Context: pure functions on caller-owned data.
 */
#ifndef CRAM_TELEMETRY_H
#define CRAM_TELEMETRY_H

#include "cram/devregs.h"

/* A mark: taken before a measurement, reported with its result */
struct cram_telemetry_mark {
	u64 written;	/* cram's page writes completed so far on the region */
	u64 events;	/* events signalled so far */
};

/* One region's telemetry, as a provider measured it */
struct cram_telemetry {
	u64 phys_cap;		/* bytes the device can store physically (> 0) */
	u64 phys_used;		/* bytes it stores physically, measured after mark */
	u64 logical_cap;	/* bytes it advertises (>= cram's region) */
	u64 logical_used;	/* bytes written to it, as it counts them */
	u64 crit;		/* the device's own limit in bytes, 0: none */
	struct cram_telemetry_mark mark;	/* taken before the measurement began */
	u32 status;		/* CRAM_STATUS_* of devregs.h: READY, and FAULT etc. */
	u32 period_ms;		/* the next snapshot within this: 1..60000 */
};

/* The character device's message: write(2) exactly sizeof(struct cram_telemetry_msg) */
#define CRAM_TELEMETRY_ABI	1
#define CRAM_TELEMETRY_NAME_MAX	32

enum cram_telemetry_kind {
	CRAM_TM_ATTACH = 1,	/* become the provider of region (or serial's region) */
	CRAM_TM_SNAPSHOT = 2,	/* t */
	CRAM_TM_EVENT = 3,	/* a threshold was crossed: close the gate now */
};

struct cram_telemetry_msg {
	u32 abi;		/* CRAM_TELEMETRY_ABI */
	u32 kind;		/* enum cram_telemetry_kind */
	u64 seq;		/* greater than the last message's on this file */
	char region[CRAM_TELEMETRY_NAME_MAX];	/* attach: region= entry, or "" */
	u64 serial;		/* attach with region "": the memdev's serial */
	char name[CRAM_TELEMETRY_NAME_MAX];	/* attach: the provider's name, for logs */
	struct cram_telemetry t;	/* snapshot */
};

/* What one open file has done, for cram_tm_msg_check */
struct cram_tm_file {
	u64 last_seq;
	bool attached;
};

/*
 * Is this message one to act on, given what the file has done? 0, or a negative errno
 * and *why: -EINVAL malformed (ABI, kind, an unterminated or empty name, a malformed
 * snapshot), -ESTALE seq not greater than the last, -ENOTCONN a snapshot or event
 * before attach, -EISCONN a second attach. A refused message changes nothing.
 */
int cram_tm_msg_check(const struct cram_telemetry_msg *m, const struct cram_tm_file *f,
		      const char **why);

/*
 * Is t well-formed (period_ms in range, no unknown status bit, its mark not ahead of
 * now)? NULL, or why not. Its values are judged later, as a register block's are.
 */
const char *cram_tm_malformed(const struct cram_telemetry *t,
			      const struct cram_telemetry_mark *now);

/*
 * t as a register block snapshot, for the rules of devregs.h: serial, the region's
 * (the provider was matched to it); heartbeat, the count of snapshots published.
 */
void cram_tm_to_regs(const struct cram_telemetry *t, u64 serial, u64 heartbeat,
		     struct cram_regs *r);

/*
 * The agent's source (tools/cram-agent.c): a command that prints `key value` lines,
 * values in decimal bytes. phys_cap, phys_used, logical_cap and logical_used are
 * required; crit (bytes, 0 none), status (ok, fault, overflow or not-ready; default
 * ok) and event (1: a threshold was crossed) are optional; other keys are ignored, so
 * a vendor tool's own output can be used as it is.
 */
struct cram_tm_source {
	struct cram_telemetry t;	/* mark and period_ms: the agent's */
	unsigned int seen;		/* bit per required key */
	bool event;
};

/* One line (without its newline). 0, or -EINVAL and why: a bad value or a key twice. */
int cram_tm_source_line(struct cram_tm_source *s, const char *line, const char **why);
/* After the last line: every required key seen? 0 (status ok if not given), or -EINVAL. */
int cram_tm_source_done(struct cram_tm_source *s, const char **why);

#endif /* CRAM_TELEMETRY_H */
