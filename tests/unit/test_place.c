// SPDX-License-Identifier: GPL-2.0
/*
 * test_place.c - unit tests of src/core/place.c: the placement rule for several CXL
 * devices, as a table of distances, gate states and rooms -> the order tried.
 */
#include "cram/place.h"
#include "tap.h"

#define ADMITS	true
#define REFUSES	false

struct place_case {
	const char *what;
	unsigned int nr;
	struct cram_place_dev devs[CRAM_PLACE_MAX_DEVS + 2];
	const char *want;	/* the indices tried, in order: "1 0"; "" for none */
};

static const struct place_case cases[] = {
	{ "one device that admits", 1, { { 10, 100, ADMITS } }, "0" },
	{ "no device", 0, { { 0 } }, "" },
	{ "the nearest first", 2, { { 20, 500, ADMITS }, { 10, 100, ADMITS } }, "1 0" },
	{ "nearer beats more room", 2, { { 10, 1, ADMITS }, { 11, 1000000, ADMITS } }, "0 1" },
	{ "equally near: the most room first", 2,
	  { { 10, 100, ADMITS }, { 10, 200, ADMITS } }, "1 0" },
	{ "equally near, equal room: the lower index", 3,
	  { { 10, 100, ADMITS }, { 10, 100, ADMITS }, { 10, 100, ADMITS } }, "0 1 2" },
	{ "the nearest refuses (gate closed): the next", 2,
	  { { 10, 100, REFUSES }, { 20, 100, ADMITS } }, "1" },
	{ "the nearest has no room: the next", 2,
	  { { 10, 0, ADMITS }, { 20, 100, ADMITS } }, "1" },
	{ "none admits: none (the pool takes the page)", 3,
	  { { 10, 100, REFUSES }, { 20, 0, ADMITS }, { 30, 5, REFUSES } }, "" },
	{ "two sockets, two devices each, page on socket 1", 4,
	  { { 21, 900, ADMITS }, { 21, 950, ADMITS }, { 10, 100, ADMITS }, { 10, 50, ADMITS } },
	  "2 3 1 0" },
	{ "socket 1's devices both out: socket 0's, most room first", 4,
	  { { 21, 900, ADMITS }, { 21, 950, ADMITS }, { 10, 100, REFUSES }, { 10, 0, ADMITS } },
	  "1 0" },
	{ "local node (distance 10) among remote ones", 3,
	  { { 32, 1, ADMITS }, { 10, 1, ADMITS }, { 20, 1, ADMITS } }, "1 2 0" },
	{ "room is compared in full (past 2^32)", 2,
	  { { 10, 1ULL << 32, ADMITS }, { 10, (1ULL << 32) + 1, ADMITS } }, "1 0" },
	{ "only the first CRAM_PLACE_MAX_DEVS are looked at", CRAM_PLACE_MAX_DEVS + 2,
	  { [CRAM_PLACE_MAX_DEVS] = { 10, 100, ADMITS }, [CRAM_PLACE_MAX_DEVS + 1] = { 10, 100, ADMITS } },
	  "" },
};

static void order_text(const u8 *order, unsigned int n, char *buf, size_t len)
{
	unsigned int i;
	int at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at >= 0 && (size_t)at < len; i++)
		at += snprintf(buf + at, len - at, "%s%u", i ? " " : "", order[i]);
}

static void test_table(void)
{
	u8 order[CRAM_PLACE_MAX_DEVS + 2];
	char got[64];
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(order, 0xee, sizeof(order));
		n = cram_place_order(cases[i].devs, cases[i].nr, order);
		order_text(order, n, got, sizeof(got));
		tap_is_str(got, cases[i].want, cases[i].what);
	}
}

/* Every device in the answer admits and has room; every such device is in it, once. */
static void test_every_candidate_once(void)
{
	struct cram_place_dev devs[CRAM_PLACE_MAX_DEVS];
	u8 order[CRAM_PLACE_MAX_DEVS];
	unsigned int round, i, n, want, seen, bad = 0;
	u64 s = 0x9e3779b97f4a7c15ULL;

	for (round = 0; round < 10000; round++) {
		want = 0;
		for (i = 0; i < CRAM_PLACE_MAX_DEVS; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			devs[i].distance = 10 + s % 4;
			devs[i].room = (s >> 8) % 3;
			devs[i].admits = (s >> 16) & 1;
			want += devs[i].admits && devs[i].room;
		}
		n = cram_place_order(devs, CRAM_PLACE_MAX_DEVS, order);
		seen = 0;
		for (i = 0; i < n; i++) {
			bad += !devs[order[i]].admits || !devs[order[i]].room;
			bad += !!(seen & 1U << order[i]);
			seen |= 1U << order[i];
			if (i && (devs[order[i]].distance < devs[order[i - 1]].distance ||
				  (devs[order[i]].distance == devs[order[i - 1]].distance &&
				   devs[order[i]].room > devs[order[i - 1]].room)))
				bad++;
		}
		bad += n != want;
	}
	tap_is_u64(bad, 0, "10 000 random sets of 16: each candidate once, none other, in order");
}

int main(void)
{
	test_table();
	test_every_candidate_once();
	return tap_done();
}
