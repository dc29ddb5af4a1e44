// SPDX-License-Identifier: GPL-2.0
/*
 * kmodload - load a module with finit_module(2) and report the exact errno, so VM
 * tests can assert "rejected with EINVAL" rather than "insmod failed somehow".
 *
 * usage: kmodload FILE.ko ["param=value ..."]
 * prints "loaded" (exit 0) or "error ENAME (N)" (exit 1); usage errors exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case ENOEXEC: return "ENOEXEC";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENXIO: return "ENXIO";
	case ERANGE: return "ERANGE";
	default: return "E?";
	}
}

int main(int argc, char **argv)
{
	const char *params = argc > 2 ? argv[2] : "";
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: kmodload FILE.ko [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		int e = errno;

		printf("error %s (%d): %s\n", errno_name(e), e, strerror(e));
		return 1;
	}
	printf("loaded\n");
	return 0;
}
