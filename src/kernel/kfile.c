// SPDX-License-Identifier: GPL-2.0
/*
 * kfile.c - read and write small sysfs/procfs files from the module. cram learns a
 * few facts through the files userspace sees (zswap's state, a dax device's range)
 * because the kernel variables behind them are private, or sealed under IBT.
 *
 * Context: process context only (may sleep); no locks.
 */
#include <linux/fs.h>
#include <linux/slab.h>

#include "cram.h"

static ssize_t cram_file_io(const char *path, bool write, void *buf, size_t len)
{
	struct file *file;
	loff_t pos = 0;
	ssize_t n;

	file = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	n = write ? kernel_write(file, buf, len, &pos) : kernel_read(file, buf, len, &pos);
	filp_close(file, NULL);
	return n;
}

/* Read up to len - 1 bytes of path into buf, NUL-terminated. */
int cram_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n = cram_file_io(path, false, buf, len - 1);

	if (n < 0)
		return n;
	buf[n] = '\0';
	return 0;
}

/* Read a file holding one unsigned number (decimal or 0x-hex), as sysfs prints it. */
int cram_read_u64(const char *path, u64 *val)
{
	char buf[32];
	int err;

	err = cram_read_text(path, buf, sizeof(buf));
	if (err)
		return err;
	return kstrtoull(strim(buf), 0, val);
}

int cram_write_text(const char *path, const char *text)
{
	ssize_t n = cram_file_io(path, true, (void *)text, strlen(text));

	return n < 0 ? n : 0;
}
