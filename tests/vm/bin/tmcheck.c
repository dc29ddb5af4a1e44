// SPDX-License-Identifier: GPL-2.0
/*
 * tmcheck - what /dev/cram-telemetry does with bad input: every kind of wrong message
 * is refused with its errno and changes nothing (include/cram/telemetry.h,
 * src/kernel/provider.c). Prints one "case result" line per message, result an errno
 * name or "ok", then whether the region's telemetry changed; 42-agent.t compares the
 * whole output with what it expects.
 *
 * usage: tmcheck REGION     (cram loaded with regs=provider for REGION, no provider)
 *        tmcheck --open     just open the device (for the permission checks)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cram/telemetry.h"

#define DEVICE "/dev/cram-telemetry"
#define DEBUGFS "/sys/kernel/debug/cram/device"

static int fd;

static const char *err_name(int err)
{
	switch (err) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENOTCONN: return "ENOTCONN";
	case EISCONN: return "EISCONN";
	case ESTALE: return "ESTALE";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	default: return strerror(err);
	}
}

static void show(const char *what, ssize_t ret, size_t want)
{
	printf("%s %s\n", what, err_name(ret == (ssize_t)want ? 0 : ret < 0 ? errno : EIO));
}

static void send(const char *what, struct cram_telemetry_msg *m)
{
	show(what, write(fd, m, sizeof(*m)), sizeof(*m));
}

/* A debugfs value of the region's device, e.g. reg_heartbeat */
static unsigned long long dev_value(const char *key)
{
	char line[256], k[64];
	unsigned long long v = 0, x;
	FILE *f = fopen(DEBUGFS, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", k, &x) == 2 && !strcmp(k, key))
			v = x;
	if (f)
		fclose(f);
	return v;
}

static struct cram_telemetry_msg msg(unsigned int kind, u64 seq)
{
	return (struct cram_telemetry_msg){ .abi = CRAM_TELEMETRY_ABI, .kind = kind, .seq = seq };
}

static void before_attach(const char *region)
{
	struct cram_telemetry_msg m = msg(CRAM_TM_ATTACH, 1);
	struct cram_telemetry_mark mark;
	char junk[sizeof(m) + 8] = { 0 };

	show("short-write", write(fd, junk, 10), 10);
	show("long-write", write(fd, junk, sizeof(junk)), sizeof(junk));
	show("mark-before-attach", read(fd, &mark, sizeof(mark)), sizeof(mark));
	m.kind = CRAM_TM_SNAPSHOT;
	send("snapshot-before-attach", &m);
	m = msg(CRAM_TM_ATTACH, 1);
	m.abi = 2;
	send("attach-abi-2", &m);
	m.abi = CRAM_TELEMETRY_ABI;
	m.kind = 9;
	send("kind-9", &m);
	m.kind = CRAM_TM_ATTACH;
	memcpy(m.name, "tmcheck", 8);
	memcpy(m.region, "nosuch", 7);
	send("attach-nosuch", &m);
	memset(m.region, 'x', sizeof(m.region));
	send("attach-unterminated", &m);
	memset(m.region, 0, sizeof(m.region));
	send("attach-nothing", &m);
	snprintf(m.region, sizeof(m.region), "%s", region);
	m.name[0] = '\0';
	send("attach-no-name", &m);
}

int main(int argc, char **argv)
{
	struct cram_telemetry_msg m, good;
	struct cram_telemetry_mark mark;
	unsigned long long hb, events;
	int i;

	if (argc != 2)
		return 2;
	fd = open(DEVICE, O_RDWR);
	if (!strcmp(argv[1], "--open")) {
		printf("open %s\n", err_name(fd < 0 ? errno : 0));
		return 0;
	}
	if (fd < 0) {
		perror(DEVICE);
		return 1;
	}
	before_attach(argv[1]);
	m = msg(CRAM_TM_ATTACH, 5);
	snprintf(m.region, sizeof(m.region), "%s", argv[1]);
	memcpy(m.name, "tmcheck", 8);
	send("attach", &m);
	m.seq = 6;
	send("attach-again", &m);
	show("mark-short", read(fd, &mark, 8), 8);
	show("mark", read(fd, &mark, sizeof(mark)), sizeof(mark));

	good = msg(CRAM_TM_SNAPSHOT, 7);
	good.t = (struct cram_telemetry){ .phys_cap = 16 << 20, .phys_used = 1 << 20,
		.logical_cap = 512 << 20, .status = CRAM_STATUS_READY, .period_ms = 1000,
		.mark = mark };
	send("snapshot", &good);
	usleep(200000);	/* the poller applies it */
	hb = dev_value("reg_heartbeat");
	events = dev_value("events");

	m = good;
	send("snapshot-same-seq", &m);
	m.seq = 3;
	send("snapshot-older-seq", &m);
	m.seq = 8;
	m.t.period_ms = 0;
	send("period-0", &m);
	m.t.period_ms = 60001;
	send("period-60001", &m);
	m.t = good.t;
	m.t.status |= 1u << 9;
	send("status-unknown-bit", &m);
	m.t = good.t;
	m.t.mark.written += 1000000;
	send("mark-written-ahead", &m);
	m.t = good.t;
	m.t.mark.events += 1;
	send("mark-events-ahead", &m);
	srand(42);
	for (i = 0; i < 1000; i++) {
		unsigned char *b = (unsigned char *)&m;
		size_t j;

		for (j = 0; j < sizeof(m); j++)
			b[j] = rand();
		if (m.abi == CRAM_TELEMETRY_ABI)
			m.abi++;
		if (write(fd, &m, sizeof(m)) >= 0 || errno != EINVAL)
			break;
	}
	printf("random-1000 %s\n", i == 1000 ? "EINVAL" : "accepted");
	printf("state %s\n", dev_value("reg_heartbeat") == hb && dev_value("events") == events ?
	       "unchanged" : "CHANGED");
	m = msg(CRAM_TM_EVENT, 20);
	send("event", &m);
	printf("events +%llu\n", dev_value("events") - events);
	return 0;
}
