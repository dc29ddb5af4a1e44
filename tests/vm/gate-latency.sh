#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gate-latency.sh - how soon cram's gate closes when the device's use crosses the high
# watermark for a reason cram's projection cannot see (the device lost capacity: the
# model is told PHYS_CAP = 150 % of its use, with high_wm_pct=50), and how many pages
# it admitted meanwhile, with the telemetry polled (CRAMDEV1, cram's poller every
# SCAN_MS/2), event-driven (the example provider's hard-IRQ threshold timer, 1 ms) and
# from a provider's snapshots alone (every 50 ms; its watch only records the time). An
# incompressible workload swaps out through cram the whole time. gatewatch prints the
# time from the command and from the crossing's publication to the gate closed
# (tests/vm/bin/gatewatch.c); the first includes the model's own delay. Not a test (TCG), run by
# hand: scripts/vmtest -k 6.12 -t gate-latency.sh; docs/PERFORMANCE.md has the numbers.
# The harness checks the model never saw its use above its capacity.
. /cram/tests/lib.sh
reps=${GATE_REPS:-7}
plan $((3 * reps))
dax=$CRAM_DAX
regs_pci=${CRAM_REGS##*/}
daxctl disable-device $dax > /dev/null 2>&1

for mode in polled event snapshot; do
	params="region=$dax pool=N high_wm_pct=50 low_wm_pct=40"
	[ $mode = polled ] || params="$params regs=provider"
	devctl phys-cap 256M
	kmodload $CRAM_KO "$params" > /dev/null
	case $mode in
	event) insmod /cram/cram_example_provider.ko pci=$regs_pci region=$dax event_pct=50 ;;
	snapshot) insmod /cram/cram_example_provider.ko pci=$regs_pci region=$dax event_pct=50 signal=N ;;
	esac
	wait_dev safe_mode '^0$' 10
	rep=0
	while [ $rep -lt $reps ]; do
		rep=$((rep + 1))
		devctl phys-cap 256M
		wait_dev reg_phys_cap "^$((256 << 20))\$" 5
		wait_value '^open$' 10 dev_stat gate
		in_memcg 16M swapstress -p random 64 $rep > /tmp/g.out 2>&1 &
		wait_value '^([4-9][0-9]{3}|[0-9]{5,})$' 60 cram_stat stored_pages > /dev/null
		r=$(gatewatch /dev/ttyS2 150)
		wait
		like "$mode $rep: gate closed; $r" "$r" ' gate closed$'
		diag "$mode $rep workload: $(tail -n 1 /tmp/g.out)"
		echo "# result $mode $r" >&2
		swap_cycle
	done
	[ $mode = polled ] || rmmod cram_example_provider
	rmmod cram
done
devctl phys-cap 256M
daxctl enable-device $dax > /dev/null
