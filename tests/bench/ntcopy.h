/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ntcopy.h - a page copied with non-temporal stores, as the kernel's
 * memcpy_flushcache() does on x86 (movnti, 32 bytes per step; the caller fences).
 * Shared by the benchmarks so both time the same copy.
 */
#ifndef CRAM_BENCH_NTCOPY_H
#define CRAM_BENCH_NTCOPY_H

#include <immintrin.h>
#include <stddef.h>

static inline void copy_nt(void *dst, const void *src)
{
	long long *d = dst;
	const long long *s = src;
	size_t i;

	for (i = 0; i < 4096 / sizeof(*d); i += 4) {
		_mm_stream_si64(d + i, s[i]);
		_mm_stream_si64(d + i + 1, s[i + 1]);
		_mm_stream_si64(d + i + 2, s[i + 2]);
		_mm_stream_si64(d + i + 3, s[i + 3]);
	}
}

#endif /* CRAM_BENCH_NTCOPY_H */
