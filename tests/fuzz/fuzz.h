/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what cram's libFuzzer targets share: reading the fuzzer's bytes as a
 * sequence of operations, and failing loudly on a broken property.
 *
 * A target reads its input front to back with fuzz_u8()..fuzz_u64(); once the bytes
 * run out every read returns 0, so any input, even an empty one, is a complete run.
 * fuzz_check() aborts on a broken property: libFuzzer then saves the input as a
 * crash artifact, like a sanitizer report.
 */
#ifndef CRAM_FUZZ_H
#define CRAM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline void fuzz_take(struct fuzz_in *in, void *out, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memset(out, 0, n);
	memcpy(out, in->p, k);
	in->p += k;
	in->left -= k;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

#define fuzz_check(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "property violated at %s:%d: %s\n  ",		\
			__FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

#endif /* CRAM_FUZZ_H */
