// SPDX-License-Identifier: GPL-2.0
/*
 * test_ibt.c - unit tests of the indirect-call rule (src/core/ibt.c).
 */
#include "cram/ibt.h"
#include "tap.h"

int main(void)
{
	static const u8 endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x44, 0x00 };
	static const u8 sealed[] = { 0x0f, 0x1f, 0x40, 0xd6, 0x0f, 0x1f, 0x44, 0x00 };
	static const u8 plain[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55, 0x48, 0x89 };

	tap_ok(cram_ibt_call_allowed(plain, false, false),
	       "kernel without IBT: a function without ENDBR may be called");
	tap_ok(!cram_ibt_call_allowed(plain, false, true),
	       "kernel without IBT, strict mode: refused as if sealed (the refusal path runs)");
	tap_ok(!cram_ibt_call_allowed(endbr, false, true),
	       "kernel without IBT, strict mode: even an ENDBR function");
	tap_ok(cram_ibt_call_allowed(endbr, true, false),
	       "IBT kernel: a function starting with ENDBR64 may be called");
	tap_ok(!cram_ibt_call_allowed(sealed, true, false),
	       "IBT kernel: a sealed function (ENDBR replaced by a NOP) may not");
	tap_ok(!cram_ibt_call_allowed(plain, true, false),
	       "IBT kernel: a function without ENDBR may not");
	tap_ok(!cram_ibt_call_allowed(endbr, true, true),
	       "IBT kernel, strict mode: even an ENDBR function is treated as sealed");
	return tap_done();
}
