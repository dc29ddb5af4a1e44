// SPDX-License-Identifier: GPL-2.0
/*
 * ibt.c - the one rule for indirect calls to resolved kernel functions (cram/ibt.h).
 *
 * Context: pure; reads 4 bytes of the target's text.
 */
#include "cram/ibt.h"

bool cram_ibt_call_allowed(const u8 *target, bool ibt_kernel, bool strict)
{
	static const u8 endbr64[] = CRAM_ENDBR64;

	if (strict)
		return false;	/* as if sealed, on any kernel: the refusal path runs */
	if (!ibt_kernel)
		return true;	/* nothing is sealed */
	return !memcmp(target, endbr64, sizeof(endbr64));
}
