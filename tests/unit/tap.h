/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a minimal TAP producer for cram's userspace unit tests.
 *
 * Each check prints "ok N - what" or "not ok N - what" plus what was expected and
 * seen; tap_done() prints the plan and returns the exit status.
 */
#ifndef CRAM_TAP_H
#define CRAM_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *what)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, what);
	return cond;
}

#define tap_is_u64(got, want, what) do {					\
	uint64_t g_ = (got), w_ = (want);					\
	if (!tap_ok(g_ == w_, what))						\
		printf("#   expected %" PRIu64 " (%#" PRIx64 "), got %" PRIu64	\
		       " (%#" PRIx64 ")\n", w_, w_, g_, g_);			\
} while (0)

#define tap_is_str(got, want, what) do {					\
	const char *g_ = (got), *w_ = (want);					\
	if (!tap_ok(g_ && w_ && !strcmp(g_, w_), what))				\
		printf("#   expected '%s', got '%s'\n", w_ ? w_ : "(null)",	\
		       g_ ? g_ : "(null)");					\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* CRAM_TAP_H */
