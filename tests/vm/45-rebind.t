#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 45-rebind.t - unbinding and binding the device's register block (which
# docs/OPERATIONS.md recommends for a device that went away) keeps cram's accounting
# one count with the device's: 20 times unbind, bind, write pages. After each bind
# HOST_WRITE_SEQ equals cram's count of written pages, and once the device has
# scanned, the projection is within one page of PHYS_USED. (It used to add the
# device's count again at every bind: doubled counters, a projection charged for
# writes that never happened, and in the end one past 64 bits.) With the device
# unbound, trust_capacity=Y does not bring placements back: it is for plain memory.
. /cram/tests/lib.sh
plan 11

drv=/sys/bus/pci/drivers/cram
pci=${CRAM_REGS##*/}
daxctl disable-device $CRAM_DAX > /dev/null 2>&1
dmesg -c > /dev/null
is "insmod region=$CRAM_DAX pool=N" "$(kmodload $CRAM_KO "region=$CRAM_DAX pool=N")" loaded
hold_start rebind 24M 32 61
check "pages held in CXL memory ($(cram_stat region_pages_used))" \
	test "$(cram_stat region_pages_used)" -gt 2048
bad= i=0
while [ $i -lt 20 ]; do
	echo "$pci" > $drv/unbind
	echo "$pci" > $drv/bind
	w=$(dev_stat written) seq=$(dev_stat reg_host_write_seq)
	[ "$w" = "$seq" ] || bad="$bad bind$i:written=$w,HOST_WRITE_SEQ=$seq"
	wait_dev reg_scanned_write_seq "^$w\$" 5 || bad="$bad bind$i:not-scanned"
	proj=$(dev_stat projected_used) used=$(dev_stat reg_phys_used)
	[ $((proj - used)) -le 4096 ] || bad="$bad bind$i:projected=$proj,PHYS_USED=$used"
	in_memcg 24M swapstress 16 $((70 + i)) > /tmp/rebind.run || bad="$bad run$i:$(cat /tmp/rebind.run)"
	i=$((i + 1))
done
is "20 rebinds: cram's count = HOST_WRITE_SEQ, projection within a page of PHYS_USED" "$bad" ""
check "  writes went on between them ($(dev_stat written) pages)" test "$(dev_stat written)" -gt 4096

# trust_capacity does not stand in for a compressing device that went away
echo Y > /sys/module/cram/parameters/trust_capacity
echo "$pci" > $drv/unbind
stores=$(cram_stat stores) untrusted=$(cram_stat decline_untrusted)
r=$(in_memcg 24M swapstress 16 90 2>&1)
like "device unbound, trust_capacity=Y: a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
is "  no page placed in CXL memory" "$(cram_stat stores)" "$stores"
check "  declined as untrusted ($(( $(cram_stat decline_untrusted) - untrusted )))" \
	test "$(cram_stat decline_untrusted)" -gt "$untrusted"
like "  cxl_state says so" "$(cat /sys/module/cram/stats/cxl_state)" '^no_telemetry$'
echo "$pci" > $drv/bind
r=$(in_memcg 24M swapstress 16 91 2>&1)
check "bound again: placements resume" test "$(cram_stat stores)" -gt "$stores"
echo N > /sys/module/cram/parameters/trust_capacity
hold_release rebind
like "the held workload reads back intact" "$(tail -n 1 /tmp/rebind.out)" '^pages 8192 mismatches 0 '
swap_cycle
check "rmmod" rmmod cram
