// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - the one-word state of each tier (see cram/state.h).
 */
#include "cram/state.h"

enum cram_tier_state cram_cxl_state(const struct cram_cxl_facts *f)
{
	if (!f->present)
		return CRAM_TIER_OFF;
	if (f->gone)
		return CRAM_TIER_GONE;
	if (!f->enabled)
		return CRAM_TIER_DISABLED;
	if (!f->telemetry) {
		if (!f->trusted)
			return CRAM_TIER_NO_TELEMETRY;
	} else if (f->safe_mode) {
		return CRAM_TIER_SAFE_MODE;
	} else if (f->gate_closed) {
		return CRAM_TIER_WATERMARK;
	}
	return f->full ? CRAM_TIER_FULL : CRAM_TIER_ACTIVE;
}

enum cram_tier_state cram_cxl_tier_state(const enum cram_tier_state *devs, unsigned int nr)
{
	enum cram_tier_state best = CRAM_TIER_OFF;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (devs[i] > best && devs[i] < CRAM_TIER_NR_STATES)
			best = devs[i];
	return best;
}

enum cram_tier_state cram_pool_state(bool pool_on, bool enabled, bool limit_hit)
{
	if (!pool_on)
		return CRAM_TIER_OFF;
	if (!enabled)
		return CRAM_TIER_DISABLED;
	return limit_hit ? CRAM_TIER_FULL : CRAM_TIER_ACTIVE;
}

const char *cram_tier_state_name(enum cram_tier_state state)
{
	static const char *const names[CRAM_TIER_NR_STATES] = {
		[CRAM_TIER_OFF] = "off",
		[CRAM_TIER_GONE] = "gone",
		[CRAM_TIER_DISABLED] = "disabled",
		[CRAM_TIER_NO_TELEMETRY] = "no_telemetry",
		[CRAM_TIER_SAFE_MODE] = "safe_mode",
		[CRAM_TIER_WATERMARK] = "watermark",
		[CRAM_TIER_FULL] = "full",
		[CRAM_TIER_ACTIVE] = "active",
	};

	return state < CRAM_TIER_NR_STATES ? names[state] : "unknown";
}
