// SPDX-License-Identifier: GPL-2.0
/*
 * telemetry.c - checking what a telemetry provider sends, and turning a snapshot into
 * the register block form every rule of devregs.c judges. The contract is at the top
 * of include/cram/telemetry.h.
 *
 * Context: any; no allocation, no sleeping, no locks.
 */
#include "cram/telemetry.h"

/* the ABI's size: no padding anywhere, the same on 32- and 64-bit userspace */
struct cram_tm_size_check {
	char msg_is_152[sizeof(struct cram_telemetry_msg) == 152 ? 1 : -1];
	char mark_is_16[sizeof(struct cram_telemetry_mark) == 16 ? 1 : -1];
};

#define CRAM_STATUS_KNOWN	(CRAM_STATUS_READY | CRAM_STATUS_WARN | CRAM_STATUS_CRIT | \
				 CRAM_STATUS_OVERFLOW | CRAM_STATUS_FAULT)

static int refuse(const char **why, const char *reason, int err)
{
	*why = reason;
	return err;
}

/* A NUL-terminated name in its field: empty allowed when may_be_empty */
static bool name_ok(const char *name, bool may_be_empty)
{
	size_t len = strnlen(name, CRAM_TELEMETRY_NAME_MAX);

	return len < CRAM_TELEMETRY_NAME_MAX && (len || may_be_empty);
}

static int attach_check(const struct cram_telemetry_msg *m, const char **why)
{
	if (!name_ok(m->region, true) || !name_ok(m->name, false))
		return refuse(why, "attach: region and name must be NUL-terminated, name not empty",
			      -EINVAL);
	if (!m->region[0] && !m->serial)
		return refuse(why, "attach: give a region name or a serial", -EINVAL);
	return 0;
}

int cram_tm_msg_check(const struct cram_telemetry_msg *m, const struct cram_tm_file *f,
		      const char **why)
{
	if (m->abi != CRAM_TELEMETRY_ABI)
		return refuse(why, "unknown ABI version", -EINVAL);
	if (m->kind < CRAM_TM_ATTACH || m->kind > CRAM_TM_EVENT)
		return refuse(why, "unknown message kind", -EINVAL);
	if (m->seq <= f->last_seq)
		return refuse(why, "sequence number not greater than the last", -ESTALE);
	if (m->kind == CRAM_TM_ATTACH && f->attached)
		return refuse(why, "already attached", -EISCONN);
	if (m->kind == CRAM_TM_ATTACH)
		return attach_check(m, why);
	if (!f->attached)
		return refuse(why, "not attached to a region", -ENOTCONN);
	return 0;
}

const char *cram_tm_malformed(const struct cram_telemetry *t,
			      const struct cram_telemetry_mark *now)
{
	if (!t->period_ms || t->period_ms > 60000)
		return "period_ms not within 1..60000";
	if (t->status & ~CRAM_STATUS_KNOWN)
		return "unknown status bits";
	if (t->mark.written > now->written || t->mark.events > now->events)
		return "mark ahead of cram's counts (not one cram gave)";
	return NULL;
}

void cram_tm_to_regs(const struct cram_telemetry *t, u64 serial, u64 heartbeat,
		     struct cram_regs *r)
{
	*r = (struct cram_regs){
		.magic = CRAM_REGS_MAGIC,
		.version = CRAM_REGS_VERSION,
		.granule = 1,		/* bytes, as the provider counts them */
		.logical_cap = t->logical_cap,
		.phys_cap = t->phys_cap,
		.phys_used = t->phys_used,
		.logical_used = t->logical_used,
		.status = t->status,
		.scan_ms = t->period_ms,
		.crit_wm = t->crit,
		.host_write_seq = t->mark.written,
		.scanned_write_seq = t->mark.written,
		.heartbeat = heartbeat,
		.serial = serial,
	};
}

/*** the agent's source lines ***/

enum {
	SRC_PHYS_CAP, SRC_PHYS_USED, SRC_LOGICAL_CAP, SRC_LOGICAL_USED,	/* required */
	SRC_CRIT, SRC_STATUS, SRC_EVENT, SRC_KEYS,
	SRC_REQUIRED = 0xf
};

static const char *const source_keys[SRC_KEYS] = {
	"phys_cap", "phys_used", "logical_cap", "logical_used", "crit", "status", "event",
};

/* A decimal u64, the whole of s: 0, or -EINVAL (empty, not a digit, overflow) */
static int parse_u64(const char *s, u64 *v)
{
	u64 n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (U64_MAX - (u64)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (u64)(*s - '0');
	}
	*v = n;
	return 0;
}

static int parse_status(const char *s, u32 *status)
{
	static const struct { const char *word; u32 bits; } words[] = {
		{ "ok", CRAM_STATUS_READY },
		{ "fault", CRAM_STATUS_READY | CRAM_STATUS_FAULT },
		{ "overflow", CRAM_STATUS_READY | CRAM_STATUS_OVERFLOW },
		{ "not-ready", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcmp(s, words[i].word)) {
			*status = words[i].bits;
			return 0;
		}
	}
	return -EINVAL;
}

static int source_value(struct cram_tm_source *s, unsigned int key, const char *val)
{
	u64 v;

	if (key == SRC_STATUS)
		return parse_status(val, &s->t.status);
	if (parse_u64(val, &v))
		return -EINVAL;
	if (key == SRC_EVENT) {
		if (v > 1)
			return -EINVAL;
		s->event = v;
		return 0;
	}
	switch (key) {
	case SRC_PHYS_CAP:
		s->t.phys_cap = v;
		break;
	case SRC_PHYS_USED:
		s->t.phys_used = v;
		break;
	case SRC_LOGICAL_CAP:
		s->t.logical_cap = v;
		break;
	case SRC_LOGICAL_USED:
		s->t.logical_used = v;
		break;
	default:	/* SRC_CRIT */
		s->t.crit = v;
	}
	return 0;
}

int cram_tm_source_line(struct cram_tm_source *s, const char *line, const char **why)
{
	const char *space = strchr(line, ' ');
	size_t klen = space ? (size_t)(space - line) : strlen(line);
	unsigned int key;

	for (key = 0; key < SRC_KEYS; key++)
		if (strlen(source_keys[key]) == klen && !strncmp(line, source_keys[key], klen))
			break;
	if (key == SRC_KEYS)
		return 0;	/* not ours: a vendor tool prints more */
	if (s->seen & BIT(key))
		return refuse(why, "a key given twice", -EINVAL);
	if (!space || source_value(s, key, space + 1))
		return refuse(why, "a value that is not a decimal number (or status word)",
			      -EINVAL);
	s->seen |= BIT(key);
	return 0;
}

int cram_tm_source_done(struct cram_tm_source *s, const char **why)
{
	if ((s->seen & SRC_REQUIRED) != SRC_REQUIRED)
		return refuse(why, "phys_cap, phys_used, logical_cap and logical_used are required",
			      -EINVAL);
	if (!(s->seen & BIT(SRC_STATUS)))
		s->t.status = CRAM_STATUS_READY;
	return 0;
}
