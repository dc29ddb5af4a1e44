// SPDX-License-Identifier: GPL-2.0
/*
 * mempoke - write or read a string through a shared mapping of a device or file
 * (/dev/daxX.Y, a PCI BAR's sysfs resourceN), for VM tests that check where bytes land.
 *
 * usage: mempoke PATH MAPLEN OFFSET write STRING
 *        mempoke PATH MAPLEN OFFSET read LEN
 * MAPLEN must suit the device (devdax: a multiple of its alignment, e.g. 2M).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t maplen, off, len;
	unsigned char *p;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: mempoke PATH MAPLEN OFFSET write STRING|read LEN\n");
		return 2;
	}
	maplen = strtoull(argv[2], NULL, 0);
	off = strtoull(argv[3], NULL, 0);
	len = strcmp(argv[4], "write") ? strtoull(argv[5], NULL, 0) : strlen(argv[5]);
	if (!len || off > maplen || len > maplen - off) {
		fprintf(stderr, "mempoke: range %zu+%zu outside the %zu-byte mapping\n",
			off, len, maplen);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_SYNC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!strcmp(argv[4], "write")) {
		memcpy(p + off, argv[5], len);
		if (msync(p, maplen, MS_SYNC))
			perror("msync");
	} else {
		fwrite(p + off, 1, len, stdout);
		putchar('\n');
	}
	munmap(p, maplen);
	close(fd);
	return 0;
}
