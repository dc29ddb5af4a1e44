#!/bin/sh
. /cram/tests/lib.sh
plan 3
diag "$(ls /sys/devices/system/node/)"
for n in /sys/devices/system/node/node*; do diag "$n: $(cat $n/distance) cpus $(cat $n/cpulist)"; done
for d in $CRAM_DAX $CRAM_DAX_B; do diag "$d: target_node $(cat /sys/bus/dax/devices/$d/target_node 2>&1) numa_node $(cat /sys/bus/dax/devices/$d/numa_node 2>&1)"; done
daxctl disable-device $CRAM_DAX > /dev/null 2>&1
daxctl disable-device $CRAM_DAX_B > /dev/null 2>&1
is "insmod two" "$(kmodload $CRAM_KO "region=$CRAM_DAX,$CRAM_DAX_B pool=N")" loaded
diag "$(dmesg | grep cram)"
r=$(in_memcg 16M swapstress 24 5 2>&1)
like "workload" "$r" '^pages 6144 mismatches 0 '
for d in $CRAM_DAX $CRAM_DAX_B; do diag "$(cat /sys/kernel/debug/cram/devices/$d/region)"; diag "$(grep -v '^reg_' /sys/kernel/debug/cram/devices/$d/device)"; diag "$(grep . /sys/module/cram/stats/devices/$d/*)"; done
diag "$(grep . /sys/module/cram/stats/*)"
check "rmmod" rmmod cram
