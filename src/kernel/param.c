// SPDX-License-Identifier: GPL-2.0
/*
 * param.c - what the module parameters of every part of cram share: a bounded
 * number's ops, and the length of a value without the newline sysfs writes end in.
 * Each parameter lives in the file that uses it; this file calls nothing of cram's.
 *
 * Context: parameter writes and reads, process context, under the kernel's param lock.
 */
#define pr_fmt(fmt) "cram: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "cram.h"

/* Values written through sysfs end in a newline: keep it out of messages. */
int cram_arg_len(const char *val)
{
	size_t len = strlen(val);

	return len && val[len - 1] == '\n' ? len - 1 : len;
}

/* A number within [min, max]; anything else is rejected and the value kept. */
static int cram_bounded_uint_set(const char *val, const struct kernel_param *kp)
{
	struct cram_bounded_uint *b = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < b->min || v > b->max) {
		pr_err("%s=%.*s rejected: must be a number in %u..%u\n", kp->name,
		       cram_arg_len(val), val, b->min, b->max);
		return -EINVAL;
	}
	WRITE_ONCE(b->val, v);
	return 0;
}

static int cram_bounded_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct cram_bounded_uint *b = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%u\n", READ_ONCE(b->val));
}

const struct kernel_param_ops cram_bounded_uint_ops = {
	.set = cram_bounded_uint_set,
	.get = cram_bounded_uint_get,
};
