#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 43-provider-irq.t - a provider found by its device's serial, and its event from hard
# IRQ: the example provider registers with no region name (cram matches the serial
# its register block reports to the region's CXL memory device), its threshold
# hrtimer (HRTIMER_MODE_REL_HARD: hard IRQ context, on PREEMPT_RT too) signals an
# event when the device model reports 3 x PHYS_CAP, and the gate stays closed until a
# snapshot taken after it. Before the provider attaches nothing is placed, though
# trust_capacity=1.
# Kernel lines: one. On RT the region is claimed by its physical range, and an event
# from a hard-IRQ timer is what RT makes different:
# PREEMPT_RT: yes
. /cram/tests/lib.sh
plan 16

regs_pci=${CRAM_REGS##*/}
dmesg -c > /dev/null
dax_release
devctl phys-cap 64M
is "insmod region=$CRAM_CLAIM regs=provider trust_capacity=1" \
	"$(kmodload $CRAM_KO "region=$CRAM_CLAIM regs=provider trust_capacity=1 pool=N")" loaded
like "  dmesg: waiting for a provider" "$(dmesg)" 'waiting for a telemetry provider \(regs=provider\)'
# regs=provider says the memory compresses: trust_capacity never applies to it
r=$(in_memcg 12M swapstress 16 60 2>&1)
like "before a provider attaches a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
is "  and nothing is placed, trust_capacity=1 or not" "$(cram_stat stores)" 0
swap_cycle
# a snapshot every 10 s: an event stays uncovered long enough to be seen
check "the example provider registers by serial (region not named)" \
	insmod /cram/cram_example_provider.ko pci=$regs_pci period_ms=10000 event_pct=50
check "  its first snapshot: safe mode ends" wait_dev safe_mode '^0$'
r=$(in_memcg 12M swapstress -p quarter 16 61 2>&1)
like "a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
stores=$(cram_stat stores)
check "  and went to CXL memory ($stores stores)" test "$stores" -gt 1024
swap_cycle
devctl garbage
check "the hard-IRQ watch signalled an event" wait_dev events '^1$'
devctl sane
is "  the gate closed at once" "$(dev_stat gate)" closed
r=$(in_memcg 12M swapstress 16 62 2>&1)
if [ "$(dev_stat events_covered)" = 0 ]; then
	is "  until a snapshot covers it nothing is placed" "$(cram_stat stores)" "$stores"
else
	fail "  the workload outlasted the provider's 10 s period: nothing shown"
fi
like "  the workload reads back intact" "$r" '^pages 4096 mismatches 0 '
check "a snapshot after the event covers it" wait_dev events_covered '^1$' 15
swap_cycle
check "rmmod the provider" rmmod cram_example_provider
check "rmmod" rmmod cram
dax_return > /dev/null 2>&1
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
