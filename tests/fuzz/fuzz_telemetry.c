// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_telemetry.c - a telemetry provider (src/core/telemetry.c) sending anything, in
 * any order, driven the way src/kernel/provider.c and device.c drive it: each message
 * is checked (cram_tm_msg_check) and only then acted on; a snapshot is checked for
 * form (cram_tm_malformed), turned into the register-block form and judged by the
 * block's rules; an event closes the gate until a snapshot whose mark covers it;
 * stores reserve a page, are admitted or not, then complete or cancel.
 *
 * Checked on every step, the rules restated independently:
 *   - a refused message changes nothing (the file's seq and attachment, the view);
 *     an accepted one has the ABI, a known kind, a greater seq, and the state that
 *     kind needs (attached or not; names terminated);
 *   - no page is admitted without a sane view, nor while an event is not covered by
 *     the view's snapshot, and an admitted page is charged in full (the fuzz_devregs
 *     property): phys_used + (reserved - mark.written) x 4096 <= high;
 *   - high <= phys_cap (and <= crit when given), low < high.
 *
 * Input: high %, low %, region pages; then operations.
 */
#include "cram/config.h"
#include "cram/telemetry.h"
#include "fuzz.h"

struct model {
	struct cram_tm_file file;
	unsigned int high_pct, low_pct;
	u64 region_bytes;
	u64 reserved, written, inflight;
	u64 events, heartbeat;
	struct cram_telemetry_mark mark;	/* the last one the provider took */
	bool sane;
	struct cram_regs view;
	u64 view_events, high, low;
	struct cram_gate gate;
};

static void take_snapshot(struct model *m, const struct cram_telemetry *t)
{
	struct cram_telemetry_mark now = { .written = m->written, .events = m->events };
	const char *why = cram_tm_malformed(t, &now);
	struct cram_regs r;

	if (why) {
		fuzz_check(!t->period_ms || t->period_ms > 60000 || t->mark.written > m->written ||
			   t->mark.events > m->events || (t->status & ~0x1fu),
			   "a well-formed snapshot refused: %s", why);
		return;
	}
	cram_tm_to_regs(t, 0, ++m->heartbeat, &r);
	if (cram_regs_insane(&r, m->region_bytes, m->written)) {
		m->sane = false;	/* safe mode, as the device said */
		return;
	}
	fuzz_check(r.phys_cap && r.phys_cap <= r.logical_cap && r.status & CRAM_STATUS_READY &&
		   !(r.status & (CRAM_STATUS_FAULT | CRAM_STATUS_OVERFLOW)) &&
		   r.scanned_write_seq <= m->written && r.logical_cap >= m->region_bytes,
		   "an insane snapshot judged sane");
	m->view = r;
	m->view_events = t->mark.events;
	m->sane = true;
	cram_wm_bytes(&r, m->high_pct, m->low_pct, &m->high, &m->low);
	fuzz_check(m->high <= r.phys_cap && (!r.crit_wm || m->high <= r.crit_wm) &&
		   (m->low < m->high || !m->high), "watermarks: high %llu low %llu cap %llu",
		   (unsigned long long)m->high, (unsigned long long)m->low,
		   (unsigned long long)r.phys_cap);
	if (m->view_events == m->events)
		cram_gate_settle(&m->gate, cram_project_used(&r, m->reserved), m->low);
}

static void message(struct model *m, struct fuzz_in *in, bool shaped)
{
	struct cram_telemetry_msg msg;
	struct cram_tm_file before = m->file;
	const char *why;

	fuzz_take(in, &msg, sizeof(msg));
	if (shaped) {	/* mostly well-formed, to get past the checks */
		msg.abi = CRAM_TELEMETRY_ABI;
		msg.kind = 1 + msg.kind % 3;
		msg.seq = m->file.last_seq + 1 + msg.seq % 3;
		msg.region[sizeof(msg.region) - 1] = msg.name[sizeof(msg.name) - 1] = '\0';
		if (msg.t.period_ms & 1)
			msg.t.mark = m->mark;
		msg.t.period_ms %= 60002;
	}
	if (cram_tm_msg_check(&msg, &m->file, &why)) {
		fuzz_check(!memcmp(&before, &m->file, sizeof(before)), "a refusal changed the file");
		return;
	}
	fuzz_check(msg.abi == CRAM_TELEMETRY_ABI && msg.kind >= 1 && msg.kind <= 3 &&
		   msg.seq > before.last_seq, "accepted: abi %u kind %u seq %llu after %llu",
		   msg.abi, msg.kind, (unsigned long long)msg.seq,
		   (unsigned long long)before.last_seq);
	fuzz_check((msg.kind == CRAM_TM_ATTACH) == !before.attached, "attach state");
	if (msg.kind == CRAM_TM_ATTACH)
		fuzz_check(memchr(msg.region, 0, sizeof(msg.region)) && msg.name[0] &&
			   memchr(msg.name, 0, sizeof(msg.name)) && (msg.region[0] || msg.serial),
			   "an attach with bad names accepted");
	m->file.last_seq = msg.seq;
	if (msg.kind == CRAM_TM_ATTACH)
		m->file.attached = true;
	else if (msg.kind == CRAM_TM_SNAPSHOT)
		take_snapshot(m, &msg.t);
	else {		/* CRAM_TM_EVENT: cram_dev_event */
		m->events++;
		cram_xchg_u8(&m->gate.closed, 1);
	}
}

static void admit(struct model *m)
{
	bool was_closed = m->gate.closed, ok;
	__uint128_t charged;

	if (!m->sane || m->view_events != m->events)
		return;		/* the kernel declines: safe mode, or an event not covered */
	m->reserved++;
	ok = cram_gate_admit(&m->gate, cram_project_used(&m->view, m->reserved), m->high, m->low);
	if (!ok) {
		m->reserved--;
		return;
	}
	charged = (__uint128_t)m->view.phys_used +
		  (__uint128_t)(m->reserved - m->view.scanned_write_seq) * CRAM_PAGE_SIZE;
	fuzz_check(m->reserved > m->view.scanned_write_seq && charged <= m->high,
		   "admitted with %llu charged, high %llu",
		   (unsigned long long)(charged > UINT64_MAX ? UINT64_MAX : charged),
		   (unsigned long long)m->high);
	fuzz_check(!was_closed || charged - CRAM_PAGE_SIZE < m->low, "a closed gate reopened");
	m->inflight++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct model m = { 0 };
	const char *why;

	m.high_pct = fuzz_u8(&in);
	m.low_pct = fuzz_u8(&in);
	if (cram_wm_pair_check(m.low_pct, m.high_pct, &why)) {	/* insmod refuses */
		m.high_pct = 90;
		m.low_pct = 80;
	}
	m.region_bytes = (u64)fuzz_u16(&in) << 12;
	while (in.left) {
		switch (fuzz_u8(&in) % 7) {
		case 0:
			message(&m, &in, false);
			break;
		case 1:
			message(&m, &in, true);
			break;
		case 2:		/* the provider takes a mark */
			m.mark = (struct cram_telemetry_mark){ m.written, m.events };
			break;
		case 3:
		case 4:
			admit(&m);
			break;
		case 5:		/* a placement's copy is complete */
			if (m.inflight) {
				m.inflight--;
				m.written++;
			}
			break;
		case 6:		/* a placement failed after admission */
			if (m.inflight) {
				m.inflight--;
				m.reserved--;
			}
			break;
		}
	}
	return 0;
}
