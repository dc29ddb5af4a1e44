// SPDX-License-Identifier: GPL-2.0
/*
 * test_ledger.c - unit tests of src/core/ledger.c: the shared reservation count is
 * never below the writes started and never above them by more than a batch per CPU,
 * whatever the order of reservations, cancels (also on another CPU) and completions;
 * admission counts every reservation and gives a refused one back; the summed
 * written count never runs ahead of the writes complete; a CPU gone offline gives
 * back exactly its unused credit. Then the same with real
 * threads (also built under ThreadSanitizer).
 */
#include <pthread.h>
#include <stdlib.h>

#include "cram/ledger.h"
#include "tap.h"

#define PG CRAM_PAGE_SIZE
#define NCPU 4

static struct cram_ledger_sum sum_of(const struct cram_ledger_cpu *cpu, int n)
{
	struct cram_ledger_sum s = { 0, 0 };
	int i;

	for (i = 0; i < n; i++)
		cram_ledger_sum_cpu(&s, &cpu[i]);
	return s;
}

static void test_batches_and_credit(void)
{
	struct cram_ledger l = { .batch = 16 };
	struct cram_ledger_cpu cpu[2] = { { 0, 0 }, { 0, 0 } };
	int i;

	cram_ledger_reserve(&l, &cpu[0]);
	tap_is_u64(cram_ledger_reserved(&l), 16, "the first reservation takes a batch");
	tap_is_u64(cpu[0].credit, 15, "  and leaves the rest as the CPU's credit");
	for (i = 0; i < 15; i++)
		cram_ledger_reserve(&l, &cpu[0]);
	tap_is_u64(cram_ledger_reserved(&l), 16, "15 more come from the credit: the shared count stays");
	cram_ledger_reserve(&l, &cpu[0]);
	tap_is_u64(cram_ledger_reserved(&l), 32, "the 17th takes the next batch");
	cram_ledger_cancel(&l, &cpu[0]);
	tap_is_u64(cpu[0].credit, 16, "a cancel gives the credit back");
	cram_ledger_cancel(&l, &cpu[0]);
	tap_is_u64(cram_ledger_reserved(&l), 31,
		   "  to the shared count once the CPU holds a full batch (reserved on another CPU)");
	tap_is_u64(cpu[0].credit, 16, "  so no CPU holds more than a batch");
	cram_ledger_done(&cpu[0], 3);
	cram_ledger_done(&cpu[1], 2);
	tap_is_u64(sum_of(cpu, 2).written, 5, "written is the CPUs' sum");
	cram_ledger_advance(&l, &cpu[1], 100);
	tap_is_u64(cram_ledger_reserved(&l), 131, "advance moves reserved");
	tap_is_u64(sum_of(cpu, 2).written, 105, "  and written by the same amount");
}

/* A CPU taken offline with unused credit: the shared count loses exactly that. */
static void test_cpu_gone(void)
{
	struct cram_ledger l = { .batch = 16 };
	struct cram_ledger_cpu cpu[2] = { { 0, 0 }, { 0, 0 } };
	int i;

	for (i = 0; i < 3; i++)
		cram_ledger_reserve(&l, &cpu[0]);
	cram_ledger_reserve(&l, &cpu[1]);
	tap_is_u64(cram_ledger_reserved(&l), 32, "two CPUs took a batch each");
	cram_ledger_cpu_gone(&l, &cpu[1]);
	tap_is_u64(cram_ledger_reserved(&l), 17,
		   "a CPU gone gives its 15 unused back: 3 + 1 started, 13 credit on the other");
	tap_is_u64(cpu[1].credit, 0, "  and holds none");
	cram_ledger_reserve(&l, &cpu[1]);
	tap_is_u64(cram_ledger_reserved(&l), 33, "  when it comes back it takes a new batch");
}

/* Random reservations, cancels (any CPU), completions: the bound, step by step. */
static void test_reserved_bounds_under_any_order(void)
{
	struct cram_ledger l = { .batch = 16 };
	struct cram_ledger_cpu cpu[NCPU];
	u64 started = 0, complete = 0, low_viol = 0, high_viol = 0, max_slack = 0;
	unsigned int rng = 7;
	int step, c;

	memset(cpu, 0, sizeof(cpu));
	for (step = 0; step < 200000; step++) {
		rng = rng * 1103515245 + 12345;
		c = (rng >> 8) % NCPU;
		switch ((rng >> 16) % 4) {
		case 0:
		case 1:
			cram_ledger_reserve(&l, &cpu[c]);
			started++;
			break;
		case 2:	/* the write ends, on this CPU or another */
			if (started > complete) {
				if ((rng >> 20) & 1) {
					cram_ledger_done(&cpu[c], 1);
					complete++;
				} else {
					cram_ledger_cancel(&l, &cpu[c]);
					started--;
				}
			}
			break;
		default:
			break;
		}
		if (cram_ledger_reserved(&l) < started)
			low_viol++;
		else if (cram_ledger_reserved(&l) - started > max_slack)
			max_slack = cram_ledger_reserved(&l) - started;
		if (cram_ledger_reserved(&l) - started != sum_of(cpu, NCPU).credit)
			high_viol++;
	}
	tap_is_u64(low_viol, 0, "200000 random steps: reserved never below the writes started");
	tap_is_u64(high_viol, 0, "  reserved - started is exactly the CPUs' unused credit");
	tap_ok(max_slack <= 16 * NCPU, "  which never exceeds a batch per CPU");
	printf("#   largest unused credit seen: %llu of %d\n", (unsigned long long)max_slack,
	       16 * NCPU);
	tap_is_u64(sum_of(cpu, NCPU).written, complete, "  written sums the completions");
}

static void test_admission_counts_every_reservation(void)
{
	struct cram_ledger l = { .batch = 4 };
	struct cram_ledger_cpu cpu[2] = { { 0, 0 }, { 0, 0 } };
	struct cram_gate gate = { 0, 0 };
	/* device empty, scanned nothing; high 10 pages, low 8 */
	struct cram_ledger_gauge g = { 0, 0, 10 * PG, 8 * PG };
	u64 admitted = 0;

	while (cram_ledger_admit(&l, &cpu[admitted % 2], &gate, &g))
		admitted++;
	tap_is_u64(admitted, 8, "high 10 pages, two CPUs taking batches of 4: 8 admitted (a 3rd batch crosses)");
	tap_is_u64(cram_ledger_reserved(&l), admitted,
		   "  the refused CPU gave its batch back: reserved = admitted");
	tap_is_u64(sum_of(cpu, 2).credit, 0, "  no credit left idle");
	tap_is_u64(gate.closed, 1, "  and the gate closed");
	tap_ok(!cram_ledger_admit(&l, &cpu[1], &gate, &g) && cram_ledger_reserved(&l) == admitted,
	       "  the other CPU is refused too, and gives its batch back");
	g.scanned_write_seq = cram_ledger_reserved(&l);	/* a scan covered everything */
	g.phys_used = 2 * PG;				/* ... and it compressed well */
	tap_ok(cram_ledger_admit(&l, &cpu[0], &gate, &g),
	       "once a scan shows use under low, admission resumes");
}

/*** real threads: the invariants hold while CPUs race (run under TSan too) ***/

#define THREADS 2
#define OPS 200000

static struct cram_ledger tl = { .batch = 16 };
static struct cram_ledger_cpu tcpu[THREADS];
static u64 t_started[THREADS], t_done[THREADS];	/* each thread's own writes, complete */
static int t_stop, t_fence;

static void *writer(void *arg)
{
	long me = (long)arg;
	unsigned int rng = me + 1;
	int i;

	for (i = 0; i < OPS; i++) {
		rng = rng * 1103515245 + 12345;
		cram_ledger_reserve(&tl, &tcpu[me]);
		if ((rng >> 16) % 8 == 0) {
			cram_ledger_cancel(&tl, &tcpu[me]);
			continue;
		}
		t_started[me]++;
		/* the write is complete (and fenced) before the ledger says so */
		__atomic_store_n(&t_done[me], t_done[me] + 1, __ATOMIC_SEQ_CST);
		cram_ledger_done(&tcpu[me], 1);
	}
	return NULL;
}

/* The poller: a summed written count never exceeds the completions, never falls. */
static void *poller(void *arg)
{
	u64 last = 0, done, *bad = arg;
	struct cram_ledger_sum s;
	int i;

	while (!__atomic_load_n(&t_stop, __ATOMIC_ACQUIRE)) {
		s = sum_of(tcpu, THREADS);
		__atomic_fetch_add(&t_fence, 0, __ATOMIC_SEQ_CST);	/* device.c: smp_mb() */
		done = 0;	/* read after the sum: a write it counts was complete */
		for (i = 0; i < THREADS; i++)
			done += __atomic_load_n(&t_done[i], __ATOMIC_SEQ_CST);
		if (s.written > done || s.written < last)
			(*bad)++;
		last = s.written;
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t w[THREADS], p;
	u64 bad = 0, started = 0;
	long i;

	pthread_create(&p, NULL, poller, &bad);
	for (i = 0; i < THREADS; i++)
		pthread_create(&w[i], NULL, writer, (void *)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i], NULL);
	__atomic_store_n(&t_stop, 1, __ATOMIC_RELEASE);
	pthread_join(p, NULL);
	for (i = 0; i < THREADS; i++)
		started += t_started[i];
	tap_is_u64(bad, 0, "2 threads racing a poller: the summed written count never ran ahead or back");
	tap_is_u64(sum_of(tcpu, THREADS).written, started, "  and ends at every write made");
	tap_is_u64(cram_ledger_reserved(&tl) - started, sum_of(tcpu, THREADS).credit,
		   "  reserved = writes made + unused credit");
	tap_ok(sum_of(tcpu, THREADS).credit <= 16 * THREADS, "  at most a batch per thread unused");
}

int main(void)
{
	test_batches_and_credit();
	test_cpu_gone();
	test_reserved_bounds_under_any_order();
	test_admission_counts_every_reservation();
	test_threads();
	return tap_done();
}
