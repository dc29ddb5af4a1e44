/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - the one-word state of each tier that operators read in
 * /sys/module/cram/stats/ and cramstat: why a tier takes pages or not, most
 * fundamental reason first (a tier that is off is not also "full").
 */
#ifndef CRAM_STATE_H
#define CRAM_STATE_H

#include "cram/core_types.h"

enum cram_tier_state {
	CRAM_TIER_OFF,		/* not configured: no region, or pool=N */
	CRAM_TIER_GONE,		/* CXL: its region was removed under cram; drained */
	CRAM_TIER_DISABLED,	/* enabled=N: holds pages, takes no new ones */
	CRAM_TIER_NO_TELEMETRY,	/* CXL: no register block and trust_capacity=N */
	CRAM_TIER_SAFE_MODE,	/* CXL: the device's telemetry cannot be trusted */
	CRAM_TIER_WATERMARK,	/* CXL: above the high watermark, until below low */
	CRAM_TIER_FULL,		/* CXL: every region page used; pool: at its limit */
	CRAM_TIER_ACTIVE,	/* takes pages */
	CRAM_TIER_NR_STATES
};

struct cram_cxl_facts {
	bool present;		/* a region is claimed */
	bool gone;		/* the region was removed (disabled, destroyed, unbound) */
	bool enabled;		/* enabled=Y */
	bool telemetry;		/* a register block is bound */
	bool trusted;		/* trust_capacity=Y (counts only without telemetry) */
	bool safe_mode;		/* telemetry insane or stale */
	bool gate_closed;	/* the watermark gate refuses placements */
	bool full;		/* no free region page */
};

enum cram_tier_state cram_cxl_state(const struct cram_cxl_facts *f);
/*
 * The CXL tier's state over its devices: the best of theirs (the enum ascends from
 * off to active), since the tier takes a page when any device does. OFF for none.
 */
enum cram_tier_state cram_cxl_tier_state(const enum cram_tier_state *devs, unsigned int nr);
enum cram_tier_state cram_pool_state(bool pool_on, bool enabled, bool limit_hit);
const char *cram_tier_state_name(enum cram_tier_state state);

#endif /* CRAM_STATE_H */
