// SPDX-License-Identifier: GPL-2.0
/*
 * runas - run a command as another user and group, with no supplementary groups:
 * the guest's busybox has no setpriv --reuid. Lets VM tests read cram's files as an
 * unprivileged user.
 *
 * usage: runas UID CMD [ARGS...]   (the group is the same number as the user)
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long id;

	if (argc < 3) {
		fprintf(stderr, "usage: runas UID CMD [ARGS...]\n");
		return 2;
	}
	id = strtol(argv[1], &end, 10);
	if (*end || id <= 0) {
		fprintf(stderr, "runas: bad uid '%s'\n", argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) || setgid((gid_t)id) || setuid((uid_t)id)) {
		perror("runas");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
