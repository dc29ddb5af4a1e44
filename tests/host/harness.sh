#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# harness.sh [KVER] - the VM harness's verdicts, tested on made-up guest logs and, with
# KVER, on real boots that stall or time out: a harness that reported success for a
# guest that never booted would make every VM test void.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
summary() { printf '%b' "$2" | awk -v k=K -v want="$1" -f "$CRAM_TOP/scripts/tap-summary.awk"; }
expect() {	# expect DESC COUNT-OF-NOT-OK OUTPUT
	local got
	got=$(printf '%s
' "$3" | grep -c '^not ok')
	tap_result $([ "$got" = "$2" ] && echo 0 || echo 1) "$1" \
		"$(printf 'expected %s failing result(s), got %s:
%s' "$2" "$got" "$3")"
}

good='# cram-test: begin a.t\n1..2\nok 1 - x\nok 2 - y\n# cram-test: end a.t rc=0 secs=1\n# cram-guest: done\n'
expect "a clean run passes" 0 "$(summary a.t "$good")"
results=$(summary a.t "$good" | grep -c '^ok - K/a.t: [xy]$')
expect "every guest result is reported ($results of 2)" 0 "$([ "$results" = 2 ] || echo 'not ok')"
expect "a failing check fails" 1 \
	"$(summary a.t '# cram-test: begin a.t\n1..2\nok 1 - x\nnot ok 2 - y\n# cram-test: end a.t rc=0 secs=1\n# cram-guest: done\n')"
expect "a missing plan fails" 1 \
	"$(summary a.t '# cram-test: begin a.t\nok 1 - x\n# cram-test: end a.t rc=0 secs=1\n# cram-guest: done\n')"
expect "fewer results than planned fails" 1 \
	"$(summary a.t '# cram-test: begin a.t\n1..3\nok 1 - x\n# cram-test: end a.t rc=0 secs=1\n# cram-guest: done\n')"
expect "a non-zero exit fails" 1 \
	"$(summary a.t '# cram-test: begin a.t\n1..1\nok 1 - x\n# cram-test: end a.t rc=1 secs=1\n# cram-guest: done\n')"
expect "a test cut off by a timeout or crash fails, and so does the run" 2 \
	"$(summary a.t '# cram-test: begin a.t\n1..2\nok 1 - x\n')"
expect "a wanted test that never started fails" 1 "$(summary 'a.t b.t' "$good")"
expect "a guest that never booted fails every wanted test and the run" 3 "$(summary 'a.t b.t' '')"
expect "carriage returns from the serial line are ignored" 0 \
	"$(summary a.t '# cram-test: begin a.t\r\n1..1\r\nok 1 - x\r\n# cram-test: end a.t rc=0 secs=0\r\n# cram-guest: done\r\n')"

console_bad() { printf '%s\n' "$1" | grep -aEc "$CRAM_CONSOLE_BAD"; }
bad_log='[ 1.0] WARNING: CPU: 0 PID: 1 at mm/x.c:1
[ 1.1] Call Trace:
[ 2.0] BUG: kernel NULL pointer dereference
[ 3.0] Oops: 0000 [#1] SMP
[ 4.0] general protection fault'
[ "$(console_bad "$bad_log")" = 5 ] && [ "$(console_bad '[ 1.0] cram: loaded')" = 0 ]
tap_result $? "console check catches WARNING, Call Trace, BUG, Oops, GPF and passes a clean log"
# The checkers' first lines, without the BUG:/WARNING: a kernel usually puts in front
while IFS= read -r report; do
	[ "$(console_bad "[ 5.0] $report")" = 1 ]
	tap_result $? "console check catches: $report"
done <<'EOR'
possible circular locking dependency detected
possible recursive locking detected
inconsistent lock state
suspicious RCU usage
[ Invalid wait context ]
sleeping function called from invalid context at mm/slab.h:1
Bad page state in process swapstress  pfn:1234
refcount_t: underflow; use-after-free.
list_add corruption. prev->next should be next (ffff888000000000), but was 0.
list_del corruption, ffff888000000000->next is LIST_POISON1 (dead000000000100)
KASAN: slab-use-after-free in cram_swap_load+0x1/0x2
UBSAN: array-index-out-of-bounds in src/kernel/swap.c:1:2
EOR
# The in-guest benchmark's report (scripts/bench-report) on made-up results: medians
# over rounds, rates from the page-out and from the check beyond the no-swap one.
bench_dir=$(mktemp -d)
cat > "$bench_dir/bench.txt" <<'EOB'
bench-info: kernel K cpus 2 mb 4 reps 3
bench: none swapbench threads 1 pages 1000 swapped 0 fill_ms 9 pageout_ms 5 check_ms 100 mismatches 0 dram_bytes 0 stored 0 phys_bytes 0
bench: zswap swapbench threads 1 pages 1000 swapped 1000 fill_ms 9 pageout_ms 1000 check_ms 600 mismatches 0 dram_bytes 2000000 stored 1000 phys_bytes 0
bench: cxl swapbench threads 1 pages 1000 swapped 1000 fill_ms 9 pageout_ms 250 check_ms 350 mismatches 0 dram_bytes 20000 stored 1000 phys_bytes 2000000
bench: cxl swapbench threads 1 pages 1000 swapped 1000 fill_ms 9 pageout_ms 9999 check_ms 350 mismatches 0 dram_bytes 20000 stored 1000 phys_bytes 2000000
bench: cxl swapbench threads 1 pages 1000 swapped 1000 fill_ms 9 pageout_ms 200 check_ms 350 mismatches 0 dram_bytes 20000 stored 1000 phys_bytes 2000000
EOB
report=$("$CRAM_TOP/scripts/bench-report" "$bench_dir/bench.txt" "$bench_dir" 2>&1)
want='| cxl | 1 | 3 | 1000 | 250 | 350 | 4000 | 4000 | 4.00 | 2.00 | 20 | 2000 |'
printf '%s\n' "$report" | grep -qxF "$want"
tap_result $? "bench-report: medians, out/s and in/s, ratios to zswap, bytes per page" \
	"expected the row $want in:
$report"
printf '%s\n' "$report" | grep -q 'TCG, relative only'
tap_result $? "bench-report labels its figures TCG, relative only"
[ -s "$bench_dir/guest-K.png" ] && [ -s "$bench_dir/guest-K.md" ]
tap_result $? "bench-report writes its table and its plot" "$(ls -l "$bench_dir")"
# a LOCK_STAT kernel's runs (the debug kernel): tree lock waits per 1000 acquisitions
cat > "$bench_dir/bench.txt" <<'EOB'
bench-info: kernel K cpus 2 mb 4 reps 1
bench: cxl-1tree swapbench threads 2 pages 1000 swapped 1000 fill_ms 9 pageout_ms 250 check_ms 350 mismatches 0 dram_bytes 0 stored 1000 phys_bytes 2000000 tree_contentions 3 tree_acquisitions 1500
EOB
report=$("$CRAM_TOP/scripts/bench-report" "$bench_dir/bench.txt" "$bench_dir" 2>/dev/null)
want='| cxl-1tree | 2 | 1 | 1000 | 250 | 350 | 4000 | 2857 | - | - | 0 | 2000 | 2.00 |'
printf '%s\n' "$report" | grep -qxF "$want"
tap_result $? "bench-report: tree lock waits per 1k acquisitions, phys/page of the one-tree build" \
	"expected the row $want in:
$report"
rm -rf "$bench_dir"

# Real boots, cut short on purpose. Each run injects one fault per attempt
# (CRAM_VM_FAULT, scripts/vmtest), so a run whose first attempt is retried shows how
# both faults are judged, and that there is no third attempt: a stall (no sign of
# life within 1 s) then QEMU dying before init; a kernel complaint before the
# platform, then the emulator frozen (retried: the emulator's fault, not the
# guest's). Then a whole-boot timeout of 3 s (shorter than boot + tests), and a
# guest spinning in silence (a hang of its own, not retried).
retries() {	# retries OUTPUT: the RETRY lines' reasons, one a line
	printf '%s\n' "$1" | sed -n 's/.*RETRY: \(.*\) (attempt \([12]\),.*/\2 \1/p'
}
unexpected() { printf 'not ok\n%s\n' "$(printf '%s\n' "$1" | grep -v '^ok' | sed 's/^/#   /')"; }
if [ -n "${1:-}" ]; then
	logs=$(mktemp -d)
	out=$(CRAM_VM_FAULT="stall crash" "$CRAM_TOP/scripts/vmtest" -k "$1" -t 10-module.t --logs "$logs" 2>&1)
	rc=$?
	expect "stalled boot, then QEMU dying: exit status non-zero ($rc)" 0 "$([ $rc != 0 ] || echo 'not ok')"
	expect "stalled boot: retried, and said so; QEMU dying before init: said so; no third boot" 0 \
		"$([ "$(retries "$out")" = "$(printf '1 boot stalled before init or the platform\n2 boot died (QEMU) before init or the platform')" ] ||
		   unexpected "$out")"
	expect "stalled boot, then QEMU dying: boot, test and run reported failed" 3 "$out"
	out=$(CRAM_VM_TIMEOUT=3 "$CRAM_TOP/scripts/vmtest" -k "$1" -t 10-module.t --logs "$logs" 2>&1)
	rc=$?
	expect "timed-out boot: exit status non-zero ($rc)" 0 "$([ $rc != 0 ] || echo 'not ok')"
	expect "timed-out boot: said TIMEOUT" 0 \
		"$(printf '%s\n' "$out" | grep -q 'TIMEOUT after 3s' || echo 'not ok')"
	expect "timed-out boot: test and run reported failed" 2 \
		"$(printf '%s\n' "$out" | grep -v 'booted to init')"
	# a guest silent past CRAM_VM_HANG: the emulator frozen (QEMU stopped) is retried
	# once; a guest spinning in user space is a hang of the guest's own, not retried
	out=$(CRAM_VM_FAULT="splat freeze" CRAM_VM_HANG=15 "$CRAM_TOP/scripts/vmtest" -k "$1" -t 10-module.t --logs "$logs" 2>&1)
	rc=$?
	expect "kernel complaint before the platform, then a frozen emulator: exit status non-zero ($rc)" 0 \
		"$([ $rc != 0 ] || echo 'not ok')"
	expect "kernel complaint before the platform: retried, and said so" 0 \
		"$(retries "$out" | grep -qx '1 the kernel complained before the platform was up (cram not loaded)' ||
		   unexpected "$out")"
	expect "frozen emulator: found silent, blamed on the emulator (retry said), no third boot" 0 \
		"$(printf '%s\n' "$out" | grep -q 'HUNG: .*monitor does not answer' &&
		   [ "$(retries "$out" | sed -n 2p)" = '2 the emulator stopped running the guest' ] &&
		   [ "$(retries "$out" | wc -l)" = 2 ] || unexpected "$out")"
	out=$(CRAM_VM_FAULT=spin CRAM_VM_HANG=15 "$CRAM_TOP/scripts/vmtest" -k "$1" -t 10-module.t --logs "$logs" 2>&1)
	rc=$?
	expect "spinning guest: exit status non-zero ($rc)" 0 "$([ $rc != 0 ] || echo 'not ok')"
	expect "spinning guest: a hang with a vCPU running, not retried" 0 \
		"$(printf '%s\n' "$out" | grep -q 'HUNG: .*vCPUs running: .*HLT=0' &&
		   ! printf '%s\n' "$out" | grep -q 'RETRY: ' || unexpected "$out")"
	expect "spinning guest: its NMI panic is on the console, the test never started" 3 "$out"
	rm -rf "$logs"
fi
tap_done
