/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ledger.h - the host's count of its page writes into the device's memory: how many
 * may have started (reserved) and how many are complete (written), kept per CPU so a
 * store touches no cache line another CPU writes. Shared by the module
 * (src/kernel/device.c), the unit tests and the native benchmark.
 *
 * reserved is what the projection (devregs.h) charges in full until a scan covers
 * it, so it must never be below the writes that may have started. A CPU takes
 * reservations from the shared count a batch at a time and uses them one by one from
 * its own credit; a cancelled write gives its credit back (to the shared count when
 * the CPU's credit is a full batch: a write reserved on another CPU). So
 *	reserved = writes started and not cancelled + the CPUs' unused credits,
 * never less than the writes started, and more by at most a batch per CPU (the
 * module's: CRAM_LEDGER_BATCH pages, 64 KiB): that much headroom under the high
 * watermark is what taking the shared line off every store costs.
 *
 * written is each CPU's count of its writes complete and fenced; their sum, read in
 * any order while they move, is never more than the writes complete at the end of
 * the read, and never less than a sum read before. One writer (the poller) publishes
 * it as HOST_WRITE_SEQ; a store writes no register. The device learns of a write up
 * to one poll late, and the projection charges it in full meanwhile: conservative.
 *
 * Context: every function but the sums and cram_ledger_cpu_gone runs on the CPU that
 * owns cpu, which cannot change under it (preemption off: the caller's business), and
 * never from interrupt context (cpu's fields are changed by plain read-modify-write).
 * The sums may run anywhere; cram_ledger_cpu_gone once cpu is offline. Nothing sleeps
 * or allocates; the shared count is one atomic.
 */
#ifndef CRAM_LEDGER_H
#define CRAM_LEDGER_H

#include "cram/core_types.h"
#include "cram/devregs.h"

#define CRAM_LEDGER_BATCH	16	/* reservations a CPU takes at a time */

struct cram_ledger {
	cram_counter_t reserved;	/* handed to CPUs: started, or unused credit */
	u64 batch;			/* taken at a time: CRAM_LEDGER_BATCH (tests: less) */
};

struct cram_ledger_cpu {		/* one per CPU; written only by its CPU */
	u64 credit;			/* reserved in the shared count, not yet used */
	u64 written;			/* this CPU's writes complete and fenced */
};

/* What the device may be charged for: admission's inputs from the poller's gauge. */
struct cram_ledger_gauge {
	u64 phys_used, scanned_write_seq;	/* the last sane scan */
	u64 high, low;				/* watermarks in bytes */
};

/* Reserve one write that must happen (zeroing a freed page): no admission. */
void cram_ledger_reserve(struct cram_ledger *l, struct cram_ledger_cpu *cpu);

/*
 * Reserve one write for a new placement, if the gate admits it with every
 * reservation counted (cram_project_bytes, cram_gate_admit). true: reserved, the
 * caller ends it with cram_ledger_done or cram_ledger_cancel. false: refused, and
 * this CPU's unused credit is given back to the shared count.
 */
bool cram_ledger_admit(struct cram_ledger *l, struct cram_ledger_cpu *cpu,
		       struct cram_gate *gate, const struct cram_ledger_gauge *g);

/* A reserved write that will not happen. */
void cram_ledger_cancel(struct cram_ledger *l, struct cram_ledger_cpu *cpu);

/* n reserved writes are complete and fenced. */
void cram_ledger_done(struct cram_ledger_cpu *cpu, u64 n);

/*
 * Move both counts forward by n, as if n writes had been made and completed: binding
 * a device whose HOST_WRITE_SEQ continues an earlier count (cram_write_seq_bind).
 */
void cram_ledger_advance(struct cram_ledger *l, struct cram_ledger_cpu *cpu, u64 n);

/*
 * cpu went offline: its unused credit goes back to the shared count. Runs on another
 * CPU (the hotplug dead callback), which is safe: nothing runs on cpu any more.
 */
void cram_ledger_cpu_gone(struct cram_ledger *l, struct cram_ledger_cpu *cpu);
/* The shared count: what the projection charges. */
u64 cram_ledger_reserved(const struct cram_ledger *l);

/* Sums over the CPUs: add one CPU's counts (start from zero). */
struct cram_ledger_sum {
	u64 written, credit;
};

void cram_ledger_sum_cpu(struct cram_ledger_sum *sum, const struct cram_ledger_cpu *cpu);

#endif /* CRAM_LEDGER_H */
