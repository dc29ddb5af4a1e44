#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 38-cpu-caches.t - each CPU's cache of free region pages. A CPU taken offline gives
# back the pages its cache holds: with cpu1 offline the whole region can still be
# filled (region_pages_used reaches region_pages), and region_caches shows cpu1
# holding none. Its unused ledger credit comes back too (reserved_unused within one
# CPU's batch). Pages stored from cpu1 read back intact after it went away; online
# again, it stores again. Then stores on cpu1 wait for the allocator's lock, held on
# cpu0 (test hook contend_alloc_ms), inside their cache section: on PREEMPT_RT,
# where that lock sleeps, a section with preemption off would schedule in atomic
# context (the console scan's "BUG: scheduling while atomic"). A 4 MiB physical
# range keeps "the whole region" small.
# Kernel lines: one. The caches and the ledger are cram's own code, alike on every line.
# PREEMPT_RT: yes
. /cram/tests/lib.sh
plan 18

caches=/sys/kernel/debug/cram/region_caches
online=/sys/devices/system/cpu/cpu1/online
cached() { awk -v c="cpu$1" '$1 == c { print $2, $3 }' $caches; }
dmesg -c > /dev/null
dax_release
is "insmod region=4M@$CRAM_DAX_START pool=N" \
	"$(kmodload $CRAM_KO "region=4M@$CRAM_DAX_START pool=N")" loaded
total=$(cram_stat region_pages)

# Pages stored from cpu1 come from its cache, which takes them 16 at a time: unless
# the count stored is a multiple of 16 it keeps some. A run that frees its pages
# (they come back through the zeroing worker, on any CPU) changes the count: retry.
taskset -p -c 1 $$ > /dev/null
hold_start a 2M 3 41
i=0
while [ "$(cached 1)" = "online 0" ] && [ $i -lt 6 ]; do
	in_memcg 2M swapstress 3 $((50 + i)) > /dev/null 2>&1
	i=$((i + 1))
done
taskset -p -c 0-1 $$ > /dev/null
c1=$(cached 1)
like "cpu1's cache holds free region pages ($c1)" "$c1" '^online [1-9][0-9]*$'
check "cpu1 goes offline" sh -c "echo 0 > $online"
is "  and its cache is empty: the pages went back" "$(cached 1)" "offline 0"
unused=$(dev_stat reserved_unused)
check "  its ledger credit too: reserved_unused within one CPU's batch ($unused)" \
	test "$unused" -le 16
hold_release a
like "pages stored from cpu1 read back intact" "$(tail -n 1 /tmp/a.out)" '^pages 768 mismatches 0 '

# every page of the region can be allocated with cpu1 gone
full0=$(cram_stat decline_region_full)
hold_start b 2M 8 42
used=$(cram_stat region_pages_used)
is "the whole region fills with cpu1 offline ($used of $total)" "$used" "$total"
check "  and further stores are declined as region full" \
	test "$(cram_stat decline_region_full)" -gt "$full0"
hold_release b
like "  the workload reads back intact" "$(tail -n 1 /tmp/b.out)" '^pages 2048 mismatches 0 '

check "cpu1 comes back online" sh -c "echo 1 > $online"
stores0=$(cram_stat stores)
r=$(taskset -c 1 sh -c ". /cram/tests/lib.sh; in_memcg 2M swapstress 3 43" 2>&1)
like "  a workload on cpu1 reads back intact" "$r" '^pages 768 mismatches 0 '
check "  through the CXL tier" test "$(cram_stat stores)" -gt "$stores0"

# the allocator's lock held on cpu0, 50 ms at a time, while cpu1 stores
stores0=$(cram_stat stores)
taskset -c 1 sh -c ". /cram/tests/lib.sh; in_memcg 2M swapstress 6 44" > /tmp/c.out 2>&1 &
pid=$! holds=0
taskset -p -c 0 $$ > /dev/null
while kill -0 $pid 2> /dev/null; do
	echo 50 > /sys/kernel/debug/cram/contend_alloc_ms && holds=$((holds + 1))
done
taskset -p -c 0-1 $$ > /dev/null
wait $pid
like "stores on cpu1 against the allocator's lock held $holds times read back intact" \
	"$(tail -n 1 /tmp/c.out)" '^pages 1536 mismatches 0 '
stores=$(( $(cram_stat stores) - stores0 ))
check "  through the CXL tier ($stores stores: each 16th refills from the shared list)" \
	test "$stores" -gt 256
is "  no sleeping in atomic context" "$(dmesg | grep -a 'scheduling while atomic\|invalid context')" ""

swap_cycle
zeroed
is "cram holds nothing" "$(cram_stat stored_pages)" 0
check "rmmod" rmmod cram
dax_return > /dev/null 2>&1
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
