// SPDX-License-Identifier: GPL-2.0
/*
 * test_telemetry.c - unit tests of src/core/telemetry.c: what /dev/cram-telemetry
 * refuses and with which errno, what makes a snapshot malformed, a snapshot as the
 * register-block form the devregs rules judge (so an insane value is caught as a
 * block's would be), and the agent's source lines.
 */
#include "cram/telemetry.h"
#include "tap.h"

static struct cram_telemetry_msg msg(u32 kind, u64 seq)
{
	struct cram_telemetry_msg m = { .abi = CRAM_TELEMETRY_ABI, .kind = kind, .seq = seq };

	memcpy(m.region, "dax0.0", 7);
	memcpy(m.name, "test", 5);
	return m;
}

static void test_msg_refusals(void)
{
	struct cram_tm_file fresh = { 0 }, attached = { .last_seq = 5, .attached = true };
	struct cram_telemetry_msg m = msg(CRAM_TM_ATTACH, 1);
	const char *why = NULL;

	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), 0, "attach by region: accepted");
	m.abi = 2;
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "another ABI: EINVAL");
	tap_is_str(why, "unknown ABI version", "  and says so");
	m = msg(0, 1);
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "kind 0: EINVAL");
	m = msg(CRAM_TM_EVENT + 1, 1);
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "kind 4: EINVAL");
	m = msg(CRAM_TM_ATTACH, 0);
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-ESTALE, "seq 0 on a fresh file: ESTALE");
	m = msg(CRAM_TM_ATTACH, 1);
	memset(m.region, 'x', sizeof(m.region));
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "unterminated region: EINVAL");
	m = msg(CRAM_TM_ATTACH, 1);
	m.name[0] = '\0';
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "empty name: EINVAL");
	m = msg(CRAM_TM_ATTACH, 1);
	m.region[0] = '\0';
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-EINVAL, "neither region nor serial");
	m.serial = 0xcafe0001;
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), 0, "attach by serial: accepted");
	m = msg(CRAM_TM_SNAPSHOT, 1);
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-ENOTCONN, "snapshot before attach");
	m = msg(CRAM_TM_EVENT, 1);
	tap_is_u64(cram_tm_msg_check(&m, &fresh, &why), (u64)-ENOTCONN, "event before attach");
	m = msg(CRAM_TM_ATTACH, 6);
	tap_is_u64(cram_tm_msg_check(&m, &attached, &why), (u64)-EISCONN, "second attach");
	m = msg(CRAM_TM_SNAPSHOT, 5);
	tap_is_u64(cram_tm_msg_check(&m, &attached, &why), (u64)-ESTALE, "same seq again: ESTALE");
	m.seq = 6;
	tap_is_u64(cram_tm_msg_check(&m, &attached, &why), 0, "next seq: accepted");
	m.seq = 1000;
	tap_is_u64(cram_tm_msg_check(&m, &attached, &why), 0, "a gap in seq: accepted");
}

static struct cram_telemetry good_t(void)
{
	return (struct cram_telemetry){
		.phys_cap = 16 << 20, .phys_used = 2 << 20, .logical_cap = 512 << 20,
		.logical_used = 8 << 20, .status = CRAM_STATUS_READY, .period_ms = 50,
		.mark = { .written = 100, .events = 2 },
	};
}

static void test_malformed(void)
{
	struct cram_telemetry_mark now = { .written = 100, .events = 2 };
	struct cram_telemetry t = good_t();

	tap_ok(!cram_tm_malformed(&t, &now), "a good snapshot is well-formed");
	t.period_ms = 0;
	tap_ok(cram_tm_malformed(&t, &now) != NULL, "period 0: malformed");
	t.period_ms = 60001;
	tap_ok(cram_tm_malformed(&t, &now) != NULL, "period 60001: malformed");
	t = good_t();
	t.status |= 1u << 7;
	tap_ok(cram_tm_malformed(&t, &now) != NULL, "an unknown status bit: malformed");
	t = good_t();
	t.mark.written = 101;
	tap_ok(cram_tm_malformed(&t, &now) != NULL, "a mark ahead of cram's writes: malformed");
	t = good_t();
	t.mark.events = 3;
	tap_ok(cram_tm_malformed(&t, &now) != NULL, "a mark ahead of cram's events: malformed");
	t = good_t();
	t.phys_used = 1ULL << 40;	/* insane, but well-formed: judged later */
	tap_ok(!cram_tm_malformed(&t, &now), "insane values are not malformed (judged later)");
}

static void test_to_regs_is_judged_as_a_block(void)
{
	struct cram_telemetry t = good_t();
	struct cram_regs r;

	cram_tm_to_regs(&t, 0xcafe0001, 7, &r);
	tap_ok(!cram_regs_insane(&r, 256 << 20, 100), "a good snapshot is sane");
	tap_is_u64(r.scanned_write_seq, 100, "its mark is what the use covers");
	tap_is_u64(r.heartbeat, 7, "its count is the heartbeat");
	tap_is_u64(cram_project_used(&r, 110), (2 << 20) + 10 * 4096,
		   "projection: 10 writes after the mark charged in full");
	t.phys_used = 3 * t.phys_cap;
	cram_tm_to_regs(&t, 0, 8, &r);
	tap_is_str(cram_regs_insane(&r, 256 << 20, 100), "PHYS_USED more than twice PHYS_CAP",
		   "insane use: the block's reason");
	t = good_t();
	t.status = CRAM_STATUS_READY | CRAM_STATUS_FAULT;
	cram_tm_to_regs(&t, 0, 9, &r);
	tap_is_str(cram_regs_insane(&r, 256 << 20, 100), "device reports a fault", "a fault");
	t = good_t();
	t.logical_cap = 1 << 20;
	cram_tm_to_regs(&t, 0, 9, &r);
	tap_ok(cram_regs_insane(&r, 256 << 20, 100) != NULL, "logical cap under the region: insane");
	t = good_t();
	t.crit = 4 << 20;
	cram_tm_to_regs(&t, 0, 9, &r);
	{
		u64 high, low;

		cram_wm_bytes(&r, 90, 80, &high, &low);
		tap_is_u64(high, 4 << 20, "the device's crit caps the high watermark");
	}
}

static int feed(struct cram_tm_source *s, const char *text)
{
	char line[128];
	const char *why, *p = text;
	size_t n;

	while (*p) {
		n = strcspn(p, "\n");
		memcpy(line, p, n);
		line[n] = '\0';
		if (cram_tm_source_line(s, line, &why))
			return -1;
		p += n + (p[n] == '\n');
	}
	return cram_tm_source_done(s, &why);
}

static void test_source_lines(void)
{
	struct cram_tm_source s = { 0 };

	tap_is_u64(feed(&s, "vendor acme\nphys_cap 100\nphys_used 5\nlogical_cap 400\nlogical_used 9\n"),
		   0, "the four keys, and a vendor's own line ignored");
	tap_is_u64(s.t.phys_cap, 100, "  phys_cap");
	tap_is_u64(s.t.logical_used, 9, "  logical_used");
	tap_is_u64(s.t.status, CRAM_STATUS_READY, "  status ok when not given");
	tap_ok(!s.event, "  no event");
	memset(&s, 0, sizeof(s));
	tap_is_u64(feed(&s, "phys_cap 100\nphys_used 5\nlogical_cap 400\nlogical_used 9\nstatus fault\nevent 1\ncrit 80"),
		   0, "status, event, crit");
	tap_ok(s.t.status & CRAM_STATUS_FAULT, "  fault");
	tap_ok(s.event, "  event");
	tap_is_u64(s.t.crit, 80, "  crit");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap 100\nphys_used 5\nlogical_cap 400\n") != 0,
	       "a required key missing: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap 100\nphys_cap 100\n") != 0, "a key twice: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap 1e9\n") != 0, "not decimal: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap 18446744073709551616\n") != 0, "2^64: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap 18446744073709551615\nphys_used 0\nlogical_cap 1\nlogical_used 0") == 0,
	       "2^64 - 1: taken (the rules judge it)");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "phys_cap\n") != 0, "no value: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "status maybe\n") != 0, "an unknown status word: refused");
	memset(&s, 0, sizeof(s));
	tap_ok(feed(&s, "event 2\n") != 0, "event 2: refused");
}

int main(void)
{
	test_msg_refusals();
	test_malformed();
	test_to_regs_is_judged_as_a_block();
	test_source_lines();
	return tap_done();
}
