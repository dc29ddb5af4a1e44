// SPDX-License-Identifier: GPL-2.0
/*
 * devquery - the emulated device's "vendor tool": prints its telemetry as `key value`
 * lines, read from the text page the device model publishes (tests/devmodel/cramdev.c
 * dm_publish_text), not from the CRAMDEV1 registers. It is the source command of
 * cram-agent in the VM tests (tools/cram-agent.c: a source's values must be measured
 * after it starts): it waits until the model has begun a scan after it started (the
 * scan count moved twice), then prints that scan, minus the count. Exits 1 if the
 * model does not scan within 2 s (no values are better than old ones).
 *
 * usage: devquery /sys/bus/pci/devices/DDDD:BB:DD.F/resource2
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TEXT_OFF	0x1000
#define TEXT_MAX	512
#define MAP_LEN		0x2000

/* One stable copy of the page (seqcount even and unchanged); 0 on success */
static int read_text(const char *map, char *out)
{
	const uint64_t *seqp = (const uint64_t *)(map + TEXT_OFF);
	const char *page = map + TEXT_OFF + 8;
	uint64_t seq;
	int tries, i;

	for (tries = 0; tries < 1000; tries++) {
		seq = __atomic_load_n(seqp, __ATOMIC_ACQUIRE);
		if (seq & 1 || !seq)
			goto again;
		for (i = 0; i < TEXT_MAX - 1; i++)	/* each byte a load of the device */
			out[i] = __atomic_load_n(&page[i], __ATOMIC_RELAXED);
		out[TEXT_MAX - 1] = '\0';
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(seqp, __ATOMIC_RELAXED) == seq)
			return 0;
again:
		usleep(1000);
	}
	return -1;
}

static unsigned long long scan_of(const char *text)
{
	return strncmp(text, "scan ", 5) ? 0 : strtoull(text + 5, NULL, 10);
}

int main(int argc, char **argv)
{
	char text[TEXT_MAX];
	unsigned long long first;
	const char *p;
	int fd, waited;

	if (argc != 2) {
		fprintf(stderr, "usage: devquery PCI-RESOURCE-FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_SYNC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, MAP_LEN, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (read_text(p, text))
		return 1;
	first = scan_of(text);
	for (waited = 0; waited < 2000; waited += 5) {
		if (read_text(p, text))
			return 1;
		if (scan_of(text) >= first + 2) {
			fputs(strchr(text, '\n') + 1, stdout);
			return 0;
		}
		usleep(5000);
	}
	fprintf(stderr, "devquery: the device has not scanned for 2 s\n");
	return 1;
}
