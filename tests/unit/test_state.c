// SPDX-License-Identifier: GPL-2.0
/*
 * test_state.c - unit tests of src/core/state.c: the tier state word operators see.
 */
#include "cram/state.h"
#include "tap.h"

static const char *cxl(struct cram_cxl_facts f)
{
	return cram_tier_state_name(cram_cxl_state(&f));
}

static void test_cxl_states(void)
{
	struct cram_cxl_facts ok = { .present = true, .enabled = true, .telemetry = true };
	struct cram_cxl_facts f;

	tap_is_str(cxl(ok), "active", "region, enabled, sane telemetry: active");
	f = ok;
	f.present = false;
	f.enabled = false;
	f.safe_mode = true;
	tap_is_str(cxl(f), "off", "no region: off, whatever else is true");
	f = ok;
	f.gone = true;
	f.enabled = false;
	f.full = true;
	tap_is_str(cxl(f), "gone", "region removed: gone, outranks disabled (a drain disarmed it)");
	f = ok;
	f.enabled = false;
	f.gate_closed = true;
	tap_is_str(cxl(f), "disabled", "enabled=N outranks the watermark");
	f = ok;
	f.telemetry = false;
	tap_is_str(cxl(f), "no_telemetry", "no register block, not trusted");
	f.trusted = true;
	tap_is_str(cxl(f), "active", "no register block, trust_capacity=Y: active");
	f.full = true;
	tap_is_str(cxl(f), "full", "trusted and every page used: full");
	f = ok;
	f.trusted = true;
	f.safe_mode = true;
	f.gate_closed = true;
	tap_is_str(cxl(f), "safe_mode", "safe mode outranks the gate (trust ignored)");
	f.safe_mode = false;
	f.full = true;
	tap_is_str(cxl(f), "watermark", "a closed gate outranks a full region");
	f.gate_closed = false;
	tap_is_str(cxl(f), "full", "gate open, no free page: full");
}

static void test_tier_over_devices(void)
{
	enum cram_tier_state two[] = { CRAM_TIER_WATERMARK, CRAM_TIER_ACTIVE };
	enum cram_tier_state stuck[] = { CRAM_TIER_SAFE_MODE, CRAM_TIER_GONE };
	enum cram_tier_state bad[] = { CRAM_TIER_NR_STATES, CRAM_TIER_FULL };

	tap_is_str(cram_tier_state_name(cram_cxl_tier_state(two, 0)), "off", "no device: off");
	tap_is_str(cram_tier_state_name(cram_cxl_tier_state(two, 1)), "watermark",
		   "one device: its state");
	tap_is_str(cram_tier_state_name(cram_cxl_tier_state(two, 2)), "active",
		   "one at its watermark, one active: the tier takes pages");
	tap_is_str(cram_tier_state_name(cram_cxl_tier_state(stuck, 2)), "safe_mode",
		   "safe mode and gone: the better reason shows");
	tap_is_str(cram_tier_state_name(cram_cxl_tier_state(bad, 2)), "full",
		   "an out-of-range state is ignored");
}

static void test_pool_states(void)
{
	tap_is_str(cram_tier_state_name(cram_pool_state(false, true, true)), "off",
		   "pool=N: off");
	tap_is_str(cram_tier_state_name(cram_pool_state(true, false, true)), "disabled",
		   "enabled=N: disabled");
	tap_is_str(cram_tier_state_name(cram_pool_state(true, true, true)), "full",
		   "limit hit: full");
	tap_is_str(cram_tier_state_name(cram_pool_state(true, true, false)), "active",
		   "under the limit: active");
}

static void test_names(void)
{
	enum cram_tier_state s;
	int named = 1;

	for (s = 0; s < CRAM_TIER_NR_STATES; s++)
		named &= cram_tier_state_name(s) != NULL &&
			 strcmp(cram_tier_state_name(s), "unknown") != 0;
	tap_ok(named, "every state has a name");
	tap_is_str(cram_tier_state_name(CRAM_TIER_NR_STATES), "unknown",
		   "out-of-range state: unknown");
}

int main(void)
{
	test_cxl_states();
	test_tier_over_devices();
	test_pool_states();
	test_names();
	return tap_done();
}
