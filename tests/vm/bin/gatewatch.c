// SPDX-License-Identifier: GPL-2.0
/*
 * gatewatch - how long cram's gate takes to close once the device's use crosses the
 * high watermark from outside cram's projection (tests/vm/gate-latency.sh): reads the
 * device's physical use from debugfs, tells the device model (its control port) that
 * the physical capacity is now FACTOR_PCT % of that use, then reads debugfs until the
 * gate is closed. The crossing is published when the registers, read live by debugfs
 * (cram bound to the block), show the new capacity; with the example provider, when
 * its 1 ms watch saw it (its crossed_ns and crossed_used parameters). Prints the time
 * from the command and from the crossing to the gate closed, the pages cram admitted
 * after the command, and how far the device's use grew past what the crossing
 * reported (its next scans, 300 ms later: bytes cram placed after the report).
 *
 * usage: gatewatch CTL-TTY FACTOR_PCT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEVICE "/sys/kernel/debug/cram/device"
#define STATS "/sys/kernel/debug/cram/stats"
#define EXAMPLE "/sys/module/cram_example_provider/parameters/"

static unsigned long long value(const char *path, const char *key, char *word)
{
	char line[256], k[64], w[64];
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %63s", k, w) != 2 || strcmp(k, key))
			continue;
		v = strtoull(w, NULL, 0);
		if (word)
			snprintf(word, 64, "%s", w);
	}
	if (f)
		fclose(f);
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long long param(const char *name)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), EXAMPLE "%s", name);
	f = fopen(path, "r");
	if (f && fscanf(f, "%llu", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long used, cap, stores0, stores1, used_pub = 0, used_after;
	char gate[64] = "";
	double t0, t1, t_pub = 0;
	FILE *ctl;

	if (argc != 3)
		return 2;
	ctl = fopen(argv[1], "w");
	if (!ctl)
		return 1;
	used = value(DEVICE, "reg_phys_used", NULL);
	cap = used / 100 * strtoul(argv[2], NULL, 0);
	stores0 = value(STATS, "stores", NULL);
	t0 = now_ms();
	fprintf(ctl, "phys-cap %llu\n", cap);
	fflush(ctl);
	do {
		value(DEVICE, "gate", gate);
		t1 = now_ms();
		if (!t_pub && value(DEVICE, "reg_phys_cap", NULL) == cap) {
			t_pub = t1;
			used_pub = value(DEVICE, "reg_phys_used", NULL);
		}
	} while (strcmp(gate, "closed") && t1 - t0 < 10000);
	stores1 = value(STATS, "stores", NULL);
	if (param("crossed_ns")) {	/* the example's watch saw it first */
		t_pub = param("crossed_ns") / 1e6;
		used_pub = param("crossed_used");
	}
	usleep(300000);
	used_after = value(DEVICE, "reg_phys_used", NULL);
	printf("cmd_ms %.1f crossing_ms %.1f admitted_pages %llu grew_after_crossing %lld cap %llu gate %s\n",
	       t1 - t0, t_pub ? t1 - t_pub : -1.0, stores1 - stores0,
	       (long long)(used_after - used_pub), cap, gate);
	return strcmp(gate, "closed") != 0;
}
