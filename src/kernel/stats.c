// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - cram's event counters (enum cram_stat, cram.h): what each swap operation
 * came to, for debugfs stats and the sysfs summary. Every part of cram counts here;
 * this file calls nothing of cram's.
 *
 * Context: any, interrupts included (this_cpu ops); reads sum the CPUs' counts.
 */
#include <linux/percpu.h>

#include "cram.h"

/* Statistics: per CPU, so counting costs no shared cache line; summed to read. */
struct cram_stats_cpu {
	u64 n[CRAM_NR_STATS];
};

static DEFINE_PER_CPU(struct cram_stats_cpu, cram_stats);

/* Names as an operator would ask for them (zswap's style). */
static const char *const cram_stat_names[CRAM_NR_STATS] = {
	[CRAM_STAT_STORE_CALLS] = "store_calls",
	[CRAM_STAT_STORES] = "stores",
	[CRAM_STAT_DECLINE_DISABLED] = "decline_disabled",
	[CRAM_STAT_DECLINE_NO_TIER] = "decline_no_tier",
	[CRAM_STAT_DECLINE_UNTRUSTED] = "decline_untrusted",
	[CRAM_STAT_DECLINE_SAFE_MODE] = "decline_safe_mode",
	[CRAM_STAT_DECLINE_WATERMARK] = "decline_watermark",
	[CRAM_STAT_DECLINE_LARGE_FOLIO] = "decline_large_folio",
	[CRAM_STAT_LARGE_FOLIO_CALLS] = "large_folio_calls",
	[CRAM_STAT_LARGE_FOLIO_STORES] = "large_folio_stores",
	[CRAM_STAT_LARGE_FOLIO_UNDONE] = "large_folio_undone",
	[CRAM_STAT_DECLINE_REGION_FULL] = "decline_region_full",
	[CRAM_STAT_DECLINE_NOMEM] = "decline_nomem",
	[CRAM_STAT_DECLINE_UNLOADING] = "decline_unloading",
	[CRAM_STAT_DECLINE_HIBERNATION] = "decline_hibernation",
	[CRAM_STAT_DECLINE_REGION_GONE] = "decline_region_gone",
	[CRAM_STAT_POOL_STORES] = "pool_stores",
	[CRAM_STAT_POOL_SAME_FILLED] = "pool_same_filled",
	[CRAM_STAT_POOL_REJECT_POOR] = "pool_reject_compress_poor",
	[CRAM_STAT_POOL_REJECT_LIMIT] = "pool_reject_limit",
	[CRAM_STAT_POOL_REJECT_NOMEM] = "pool_reject_nomem",
	[CRAM_STAT_POOL_LOAD_HITS] = "pool_load_hits",
	[CRAM_STAT_WRITEBACKS] = "written_back_pages",
	[CRAM_STAT_DRAINED] = "drained_pages",
	[CRAM_STAT_WRITEBACK_FAILURES] = "writeback_failures",
	[CRAM_STAT_WRITEBACK_RACED] = "writeback_raced",
	[CRAM_STAT_WRITEBACK_ORPHANED] = "writeback_orphaned",
	[CRAM_STAT_WRITEBACK_WAITS] = "writeback_waits",
	[CRAM_STAT_POOL_COMPACTED_PAGES] = "pool_compacted_pages",
	[CRAM_STAT_STALE_REPLACED] = "stale_replaced",
	[CRAM_STAT_STALE_ERASED] = "stale_erased",
	[CRAM_STAT_LOAD_CALLS] = "load_calls",
	[CRAM_STAT_LOAD_HITS] = "load_hits",
	[CRAM_STAT_LOAD_KEPT] = "load_hits_kept",
	[CRAM_STAT_LOAD_MISSES] = "load_misses",
	[CRAM_STAT_LOAD_CHAINED] = "load_chained",
	[CRAM_STAT_ZSWAP_PASSED] = "zswap_passed",
	[CRAM_STAT_RESOLVED_CALLS] = "resolved_calls",
	[CRAM_STAT_RESOLVED_CALLS_REFUSED] = "resolved_calls_refused",
	[CRAM_STAT_LOAD_ERRORS] = "load_errors",
	[CRAM_STAT_INVALIDATE_CALLS] = "invalidate_calls",
	[CRAM_STAT_INVALIDATE_HITS] = "invalidate_hits",
	[CRAM_STAT_INVALIDATE_AREA_CALLS] = "invalidate_area_calls",
	[CRAM_STAT_INVALIDATE_AREA_FREED] = "invalidate_area_freed",
	[CRAM_STAT_CALLS_WHILE_DISARMED] = "calls_while_disarmed",
};

/* this_cpu ops: safe against preemption and interrupts, any context */
void cram_stat_inc(enum cram_stat stat)
{
	this_cpu_inc(cram_stats.n[stat]);
}

void cram_stat_add(enum cram_stat stat, u64 n)
{
	this_cpu_add(cram_stats.n[stat], n);
}

/* Monotonic counters: a sum taken while others count is a value they passed through. */
u64 cram_stat_read(enum cram_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&cram_stats, cpu)->n[stat]);
	return sum;
}

const char *cram_stat_name(enum cram_stat stat)
{
	return cram_stat_names[stat];
}
