/* SPDX-License-Identifier: GPL-2.0 */
/*
 * provider.h - the in-kernel telemetry provider API (EXPORT_SYMBOL_GPL), for a vendor
 * driver that reads a compressing CXL device's telemetry its own way (mailbox, vendor
 * registers, threshold interrupts) and gives it to cram. The contract, what cram does
 * with each value, is at the top of cram/telemetry.h and in docs/ABI.md;
 * examples/provider/cram_example_provider.c uses every call.
 *
 * cram must be loaded with regs=provider for the region (one entry of a list).
 *
 *   p = cram_provider_register("region0", 0, "acme");	   may sleep
 *   loop:
 *	mark = cram_provider_begin(p);			   any context
 *	... the device measures (starting after this) ...
 *	t.mark = mark; cram_provider_publish(p, &t);	   may not be called in hard IRQ
 *   from the threshold interrupt:
 *	cram_provider_event(p);				   any context, hard IRQ too
 *   cram_provider_unregister(p);			   may sleep
 *
 * register: the region by its region= entry (e.g. "region0" or "dax0.0"), or, when
 * region is NULL or "", by its CXL memory device's serial. Returns ERR_PTR: -ENODEV no
 * such region with regs=provider, -EBUSY it has a provider. Until the first snapshot
 * the region is in safe mode. unregister: placements on the region stop (pages held
 * are still loaded and freed); no call on p may run during or after it.
 * publish: 0, or -EINVAL for a malformed snapshot (cram_tm_malformed), which is not
 * taken. A well-formed snapshot is taken even when its values are insane: the region
 * is then in safe mode, as the device said. Calls on one p are serialised by the
 * caller, except event, which may run concurrently with begin and publish; none may
 * run during or after unregister (p is freed).
 */
#ifndef CRAM_PROVIDER_H
#define CRAM_PROVIDER_H

#include "cram/telemetry.h"

struct cram_provider;

struct cram_provider *cram_provider_register(const char *region, u64 serial, const char *name);
void cram_provider_unregister(struct cram_provider *p);
struct cram_telemetry_mark cram_provider_begin(struct cram_provider *p);
int cram_provider_publish(struct cram_provider *p, const struct cram_telemetry *t);
void cram_provider_event(struct cram_provider *p);

#endif /* CRAM_PROVIDER_H */
