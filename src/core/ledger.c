// SPDX-License-Identifier: GPL-2.0
/*
 * ledger.c - per-CPU counts of the host's page writes into the device's memory
 * (include/cram/ledger.h: why the shared count is never below the writes started,
 * and why the summed written count is safe to publish).
 */
#include "cram/ledger.h"

/* One credit from cpu's own, or a new batch from the shared count. */
void cram_ledger_reserve(struct cram_ledger *l, struct cram_ledger_cpu *cpu)
{
	u64 credit = cram_load_u64(&cpu->credit);

	if (!credit) {
		cram_counter_add_return(&l->reserved, l->batch);
		credit = l->batch;
	}
	cram_store_u64(&cpu->credit, credit - 1);
}

bool cram_ledger_admit(struct cram_ledger *l, struct cram_ledger_cpu *cpu,
		       struct cram_gate *gate, const struct cram_ledger_gauge *g)
{
	u64 projected;

	/* the credit is in the shared count already: read it after taking one */
	cram_ledger_reserve(l, cpu);
	projected = cram_project_bytes(g->phys_used, g->scanned_write_seq,
				       cram_counter_read(&l->reserved));
	if (cram_gate_admit(gate, projected, g->high, g->low))
		return true;
	/* refused: all of this CPU's credit goes back, so a closed gate is not held by it */
	cram_counter_sub(&l->reserved, cram_load_u64(&cpu->credit) + 1);
	cram_store_u64(&cpu->credit, 0);
	return false;
}

void cram_ledger_cancel(struct cram_ledger *l, struct cram_ledger_cpu *cpu)
{
	u64 credit = cram_load_u64(&cpu->credit);

	/* a write reserved on another CPU: keep this one's credit within a batch */
	if (credit >= l->batch)
		cram_counter_sub(&l->reserved, 1);
	else
		cram_store_u64(&cpu->credit, credit + 1);
}

void cram_ledger_done(struct cram_ledger_cpu *cpu, u64 n)
{
	cram_store_u64(&cpu->written, cram_load_u64(&cpu->written) + n);
}

void cram_ledger_advance(struct cram_ledger *l, struct cram_ledger_cpu *cpu, u64 n)
{
	cram_counter_add_return(&l->reserved, n);
	cram_ledger_done(cpu, n);
}

void cram_ledger_cpu_gone(struct cram_ledger *l, struct cram_ledger_cpu *cpu)
{
	u64 credit = cram_load_u64(&cpu->credit);

	cram_store_u64(&cpu->credit, 0);
	cram_counter_sub(&l->reserved, credit);
}

u64 cram_ledger_reserved(const struct cram_ledger *l)
{
	return cram_counter_read(&l->reserved);
}

void cram_ledger_sum_cpu(struct cram_ledger_sum *sum, const struct cram_ledger_cpu *cpu)
{
	sum->written += cram_load_u64(&cpu->written);
	sum->credit += cram_load_u64(&cpu->credit);
}
