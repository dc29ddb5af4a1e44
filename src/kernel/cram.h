/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cram.h - declarations shared between the files of cram.ko.
 */
#ifndef CRAM_KERNEL_H
#define CRAM_KERNEL_H

#include "cram/config.h"

/* Effective configuration, owned by main.c (module parameters). */
struct cram_config {
	struct cram_region_spec region;
	unsigned int high_wm_pct;
	unsigned int low_wm_pct;
};

void cram_config_snapshot(struct cram_config *cfg);

int cram_debugfs_init(void);
void cram_debugfs_exit(void);

#endif /* CRAM_KERNEL_H */
