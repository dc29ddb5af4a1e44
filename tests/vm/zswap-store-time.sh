#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# zswap-store-time.sh - how long one zswap_store() call runs under memory pressure:
# the arming window (docs/DESIGN.md, "Arming vs zswap") is a call that read zswap's
# "enabled" as Y and is still running when cram's store hook goes live. zswap on,
# cram not loaded; function_graph times every zswap_store() while verifying
# workloads page through a memory cgroup, one in 64 kB folios (-H: 7.x stores them
# whole), one read back by two forked children at once;
# prints the count, median, 99th percentile and maximum, in microseconds. Not a
# test (TCG slows a guest several times over; a real machine's times are shorter),
# so it is run by hand: scripts/vmtest -k 6.12 -t zswap-store-time.sh
. /cram/tests/lib.sh
plan 1
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs none $T
echo Y > /sys/module/zswap/parameters/enabled
# 64 kB folios (mTHP; 6.12 declines them, 7.x compresses their 16 pages in one call)
for f in /sys/kernel/mm/transparent_hugepage/hugepages-*/enabled; do
	echo never > "$f" 2> /dev/null
done
echo always > /sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled 2> /dev/null
echo zswap_store > $T/set_ftrace_filter
echo function_graph > $T/current_tracer
echo 1 > $T/max_graph_depth
echo 65536 > $T/buffer_size_kb
echo 1 > $T/tracing_on
in_memcg 16M swapstress -H 32 1 > /tmp/w1.out 2>&1
in_memcg 16M swapstress -f 2 32 2 > /tmp/w2.out 2>&1
echo 0 > $T/tracing_on
echo "workloads: $(tail -n 1 /tmp/w1.out); $(tail -n 1 /tmp/w2.out)"
# "  1) + 12.345 us   |  zswap_store();" -> microseconds, sorted
grep 'zswap_store' $T/trace | sed -n 's/.* \([0-9.]*\) us .*/\1/p' | sort -n > /tmp/t.us
n=$(wc -l < /tmp/t.us)
echo "zswap_store calls $n, median $(sed -n "$(( (n + 1) / 2 ))p" /tmp/t.us) us," \
	"p99 $(sed -n "$(( (n * 99 + 99) / 100 ))p" /tmp/t.us) us, max $(tail -n 1 /tmp/t.us) us" \
	"(zswapped $(grep Zswapped /proc/meminfo | awk '{print $2}') kB, kernel $(uname -r))"
echo nop > $T/current_tracer
check "zswap_store was timed" test "$n" -gt 0
