#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 70-safety.t - the ways a swap tier could lose a page without a word, each opened
# wide by a test hook (CRAM_TEST_HOOKS build) and shown closed:
#   (a) ftrace cannot be switched off under cram (its ops are PERMANENT);
#   (b) the hooks go live load/invalidate first, store last: a store is never made
#       that a load cannot find (the unsafe order, kept as a test hook, shows the
#       loss); a registration that fails unwinds with nothing lost (test_hook_hold
#       stops the loader at each step for as long as the test needs);
#   (c) unload waits for tasks still in cram's code, in front of and behind its SRCU
#       section;
#   (d) arming is all-or-nothing: zswap's "enabled" must be written, and zswap
#       switched on while cram loads makes it refuse; pages zswap still holds
#       (a zswap_store() running across arming) are read and freed by zswap;
#   (e) hibernation is refused while the CXL tier holds pages, and runs with the tier
#       closed when it holds none; so is suspend to RAM (pm_test "core": devices
#       suspended, CPUs offline, syscore steps run, no power-off), while suspend to
#       idle goes ahead with pages held;
#   (f) drain writes every page cram holds, both tiers, to its slot on disk: rmmod
#       then works without swapoff, and the workloads read back from disk intact;
#   (g) a drain racing a workload's swap-ins frees no CXL page a load is copying;
#   (h) a drain cannot be undone by arming: enabled=Y is refused while it runs.
# PREEMPT_RT: with KERNELS=all
. /cram/tests/lib.sh
plan 101

ftrace=/proc/sys/kernel/ftrace_enabled
zswap=/sys/module/zswap/parameters/enabled
cxl="region=$CRAM_CLAIM trust_capacity=1"
if grep -q ' zswap_store$' /proc/kallsyms; then
	store_fn=zswap_store api=zswap
else
	store_fn=zswap_frontswap_store api=frontswap
fi
dax_release
dmesg -c > /dev/null

# --- (a) kernel.ftrace_enabled=0 is refused while cram holds pages
is "insmod $cxl" "$(kmodload $CRAM_KO "$cxl")" loaded
hold_start perm 16M 40 41
held=$(cram_stat stored_pages)
check "cram holds the workload's pages ($held)" test "$held" -gt 4096
r=$(sh -c "echo 0 > $ftrace" 2>&1)
# 7.3 deprecated the switch: the kernel itself refuses it (EOPNOTSUPP), with or without cram
like "sysctl kernel.ftrace_enabled=0 is refused (EBUSY; 7.3+: not supported at all)" "$r" \
	'busy|not supported'
is "  ftrace stays on" "$(cat $ftrace)" 1
hold_release perm
like "  the held workload reads back intact" "$(tail -n 1 /tmp/perm.out)" '^pages 10240 mismatches 0 '
swap_cycle
check "rmmod" rmmod cram
if r=$(sh -c "echo 0 > $ftrace" 2>&1); then
	pass "without cram, ftrace can be switched off"
	dmesg -c > /dev/null
	like "insmod while ftrace is off fails with EBUSY" "$(kmodload $CRAM_KO "$cxl")" '^error EBUSY'
	like "  dmesg says why" "$(dmesg)" 'cram: sysctl kernel.ftrace_enabled is 0: cram redirects'
	check "ftrace back on" sh -c "echo 1 > $ftrace"
else
	like "without cram the kernel refuses it too: the switch no longer turns ftrace off" "$r" \
		'not supported'
	is "  ftrace stays on" "$(cat $ftrace)" 1
	is "  so cram loads (nothing to refuse)" "$(kmodload $CRAM_KO "$cxl")" loaded
	check "  rmmod" rmmod cram
fi

# --- (b) installation order, each step held open by a test hook: the loader waits at
# each step (before arming, after each registration) until the test lets it on
params=/sys/module/cram/parameters
live() { sed -n 's/^hooks_live://p' /sys/kernel/debug/cram/config 2> /dev/null; }
step_now() { cat $params/test_hook_step 2> /dev/null; }
# wait_step: until the held loader waits at a step (0), or it has loaded (1)
wait_step() {
	_i=$((600 * CRAM_SLOW))
	while [ $_i -gt 0 ]; do
		[ "$(step_now)" -gt 0 ] 2> /dev/null && return 0
		[ "$(cat /sys/module/cram/initstate 2> /dev/null)" != live ] || return 1
		sleep 0.1
		_i=$((_i - 1))
	done
	return 1
}
# let_on UNTIL-FN [EACH-CMD]: let the held loader on one step at a time, running
# EACH-CMD at every step, until UNTIL-FN's hook is live (the loader then waits at its
# next step; with UNTIL-FN "", until it has loaded). let_all: no more steps.
let_on() {
	_n=0
	while [ $_n -lt 20 ] && wait_step; do
		_step=$(step_now)
		[ -z "$1" ] || ! live | grep -qw "$1" || return 0
		[ -z "${2:-}" ] || $2
		echo "$_step" > $params/test_hook_go
		while [ "$(step_now)" = "$_step" ]; do sleep 0.05; done
		_n=$((_n + 1))
	done
	[ -z "$1" ]
}
let_all() { echo 1000 > $params/test_hook_go; }
# The unsafe order: a workload that swaps while only the store hook is live, for as
# long as it takes to push its pages out and read them back.
kmodload $CRAM_KO "$cxl test_load_last=1 test_hook_hold=1" > /tmp/unsafe.out &
loader=$!
check "unsafe order (test_load_last=1): the store hook goes live" let_on "$store_fn"
stores=$(( $(cram_stat stores) + $(cram_stat pool_stores) ))
r=$(swapstress -m pageout 16 51 2>&1)	# out now and back at once: while the loader waits
check "  cram took pages ($(( $(cram_stat stores) + $(cram_stat pool_stores) - stores )))" \
	test $(( $(cram_stat stores) + $(cram_stat pool_stores) )) -gt "$stores"
check_fails "  before the load hook was live ($(live))" sh -c "echo '$(live)' | grep -q '_load'"
let_all
wait $loader
like "  and reads back wrong data: pages are lost ($r)" "$r" ' mismatches [1-9]'
swap_cycle
check "rmmod" rmmod cram

# cram's order, while a workload thrashes: at each step of the loader, 8 MiB go out
# and come back at once (a page stored while its load could not find it is lost)
stores() { echo $(( $(cram_stat stores) + $(cram_stat pool_stores) )); }
traffic() { echo $(( $(vmstat pswpout) + $(vmstat pswpin) + $(vmstat zswpout) + $(vmstat zswpin) )); }
round_trip() {
	steps=$((steps + 1))
	_r=$(swapstress -m pageout 8 $((60 + steps)) 2>&1)
	echo "$_r" | grep -q '^pages 2048 mismatches 0 ' || lost="$lost step $steps: $_r;"
}

thrash_start safe 16M 24
t0=$(traffic)
thrashing() { [ "$(traffic)" -gt "$t0" ] && echo y; }
check "a workload thrashes" wait_value y 60 thrashing
steps=0 lost=
kmodload $CRAM_KO "$cxl test_hook_hold=1" > /tmp/safe.out &
loader=$!
let_on "" round_trip
wait $loader
is "insmod test_hook_hold=1 (cram's order)" "$(cat /tmp/safe.out)" loaded
check "  8 MiB out and back at each of its steps ($steps)" test "$steps" -ge 4
is "  every one read back intact" "$lost" ""
wait_value '^[1-9]' 60 stores
check "  cram takes pages ($(stores))" test "$(stores)" -gt 0
thrash_stop safe
r=$(thrash_result safe)
like "  every run of the thrashing workload read back intact ($r)" "$r" '^runs [1-9][0-9]* bad 0$'
swap_cycle
check "rmmod" rmmod cram

thrash_start fail 16M 24
dmesg -c > /dev/null
like "a failing last registration (store) fails insmod with EBUSY" \
	"$(kmodload $CRAM_KO "$cxl test_fail_hook=last")" '^error EBUSY'
like "  dmesg names it" "$(dmesg)" "cram: cannot redirect $store_fn"
check_fails "  no module left behind" test -e /sys/module/cram
like "a failing first registration fails insmod with EBUSY" \
	"$(kmodload $CRAM_KO "$cxl test_fail_hook=${store_fn%_store}_load")" '^error EBUSY'
thrash_stop fail
r=$(thrash_result fail)
like "  the workload read back intact throughout ($r)" "$r" '^runs [1-9][0-9]* bad 0$'
like "cram loads again after the failures" "$(kmodload $CRAM_KO "$cxl")" '^loaded'
check "  rmmod" rmmod cram

# --- (c) unload while tasks sleep inside cram and spin behind its SRCU section
is "insmod pool=N test_tail_delay_ms=1000" "$(kmodload $CRAM_KO "pool=N test_tail_delay_ms=1000")" loaded
thrash_start tail 16M 24
calls=$(cram_stat store_calls)
stores_since() { echo $(( $(cram_stat store_calls) - $1 )); }
wait_value '^([2-9]|[1-9][0-9]+)$' 60 stores_since "$calls"
check "  stores are going through cram ($(stores_since "$calls"))" test "$(stores_since "$calls")" -ge 2
i=0
while [ -e /sys/module/cram ] && [ $i -lt 50 ]; do
	rmmod cram 2> /dev/null || sleep 0.1
	i=$((i + 1))
done
check_fails "rmmod in the middle of stores" test -e /sys/module/cram
runs=$(grep -c '^pages' /tmp/tail.log)
wait_value "^$((runs + 1))\$" 120 grep -c '^pages' /tmp/tail.log	# one whole run after it
thrash_stop tail
r=$(thrash_result tail)
like "  every run read back intact ($r)" "$r" '^runs [1-9][0-9]* bad 0$'
is "  kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""

# --- (d) arming is all-or-nothing
if [ $api = zswap ]; then
	refuse "test_fail_prepare=1" EACCES "cram: cannot write zswap's enabled parameter .*not loading"
else
	pass "6.1 writes nothing to zswap (frontswap: no large-folio swap-in)"
	is "  test_fail_prepare=1 loads" "$(kmodload $CRAM_KO "test_fail_prepare=1")" loaded
	rmmod cram
fi
dmesg -c > /dev/null
kmodload $CRAM_KO "pool=N test_hook_hold=1" > /tmp/arm.out &
loader=$!
wait_value '^1$' $((60 * CRAM_SLOW)) step_now	# before arming
echo Y > $zswap
let_all
wait $loader
like "zswap switched on while cram loads: insmod fails with EBUSY" "$(cat /tmp/arm.out)" '^error EBUSY'
like "  dmesg says why" "$(dmesg)" 'cram: zswap was enabled while cram was loading'
echo N > $zswap
zswapped() { awk '$1 == "Zswapped:" { print $2 }' /proc/meminfo; }
is "  zswap holds nothing" "$(zswapped)" 0
# The arming window: a zswap_store() still running when cram's checks find zswap
# empty leaves its page in zswap, where cram's load would miss it (the kernel then
# reads the disk). test_arm_over_zswap makes that state without the race: cram loads
# over pages zswap holds. Their loads and invalidates go on to zswap, so the
# workload reads back intact and zswap ends empty.
echo Y > $zswap
hold_start zw 16M 24 59
check "zswap holds the workload's pages ($(zswapped) kB)" test "$(zswapped)" -gt 0
echo N > $zswap
is "insmod test_arm_over_zswap=1" "$(kmodload $CRAM_KO "$cxl test_arm_over_zswap=1")" loaded
hold_release zw
like "  the workload reads back intact, zswap's pages from zswap" "$(tail -n 1 /tmp/zw.out)" \
	'^pages 6144 mismatches 0 '
passed=zswap_passed
[ $api = zswap ] || passed=load_chained	# 6.1: what cram does not hold is chained
check "  its loads went on to zswap ($passed $(cram_stat $passed))" test "$(cram_stat $passed)" -gt 0
check "  cram stored pages meanwhile ($(cram_stat stores))" test "$(cram_stat stores)" -gt 0
# a slot whose page stayed in the swap cache is freed with it, later: swapoff frees all
# (6.1: freed slots also wait in the slot cache)
swap_cycle
is "  zswap holds nothing (after swapoff)" "$(zswapped)" 0
check "  rmmod" rmmod cram

# --- (e) hibernation (pm_test "freezer": the whole preparation, memory freed, no power-off)
memdevs=$(ls -d /sys/bus/cxl/devices/mem* | wc -l)	# each one bound forbids hibernation
is "insmod $cxl pool=N test_hibernation_with_cxl=$memdevs" \
	"$(kmodload $CRAM_KO "$cxl pool=N test_hibernation_with_cxl=$memdevs")" loaded
like "the kernel offers hibernation" "$(cat /sys/power/state)" 'disk'
echo freezer > /sys/power/pm_test
hold_start hib 16M 32 43
used=$(cram_stat region_pages_used)
check "the CXL tier holds pages ($used)" test "$used" -gt 2048
dmesg -c > /dev/null
r=$(sh -c 'echo disk > /sys/power/state' 2>&1)
like "hibernation is refused (EBUSY)" "$r" 'busy'
like "  dmesg says why" "$(dmesg)" "cram: hibernation refused: the CXL tier holds [0-9]+ pages.*drain cram first"
hold_release hib
like "  the held workload reads back intact" "$(tail -n 1 /tmp/hib.out)" '^pages 8192 mismatches 0 '
swap_cycle
is "the CXL tier is empty" "$(cram_stat region_pages_used)" 0
swapstress 160 45 /tmp/big.go > /tmp/big.out 2>&1 &
big=$!
while ! grep -q filled /tmp/big.out 2> /dev/null; do sleep 0.5; done
echo 0 > /sys/power/image_size
stores0=$(cram_stat stores) closed0=$(cram_stat decline_hibernation) out0=$(vmstat pswpout)
check "hibernation goes ahead when the CXL tier is empty" sh -c 'echo disk > /sys/power/state'
closed=$(( $(cram_stat decline_hibernation) - closed0 ))
check "  memory was freed by swapping ($(( $(vmstat pswpout) - out0 )) pages)" \
	test "$(vmstat pswpout)" -gt "$out0"
check "  the CXL tier declined those stores ($closed)" test "$closed" -gt 0
is "  and placed none" "$(cram_stat stores)" "$stores0"
touch /tmp/big.go
wait $big
like "  the workload reads back intact" "$(tail -n 1 /tmp/big.out)" '^pages 40960 mismatches 0 '
r=$(in_memcg 16M swapstress 24 47 2>&1)
like "after hibernation the CXL tier takes pages again" "$r" '^pages 6144 mismatches 0 '
check "  ($(( $(cram_stat stores) - stores0 )) stores)" test "$(cram_stat stores)" -gt "$stores0"

# suspend to RAM: the kernel's own refusal (cxl_mem bound) is discounted as above
delay=/sys/module/suspend/parameters/pm_test_delay
[ ! -w $delay ] || echo 1 > $delay
like "the kernel offers suspend to RAM" "$(cat /sys/power/mem_sleep)" 'deep'
mem_sleep=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/power/mem_sleep)
echo deep > /sys/power/mem_sleep
echo core > /sys/power/pm_test
hold_start s3 16M 32 48
check "the CXL tier holds pages ($(cram_stat region_pages_used))" \
	test "$(cram_stat region_pages_used)" -gt 2048
dmesg -c > /dev/null
r=$(sh -c 'echo mem > /sys/power/state' 2>&1)
like "suspend to RAM is refused (EBUSY)" "$r" 'busy'
like "  dmesg says why" "$(dmesg)" "cram: suspend to RAM refused: the CXL tier holds [0-9]+ pages.* in S3; drain cram first"
echo devices > /sys/power/pm_test
check "suspend to idle goes ahead with the pages held" sh -c 'echo freeze > /sys/power/state'
hold_release s3
like "  the held workload reads back intact" "$(tail -n 1 /tmp/s3.out)" '^pages 8192 mismatches 0 '
swap_cycle
echo core > /sys/power/pm_test
check "suspend to RAM goes ahead when the CXL tier is empty" sh -c 'echo mem > /sys/power/state'
echo "$mem_sleep" > /sys/power/mem_sleep
echo none > /sys/power/pm_test
swap_cycle
check "rmmod" rmmod cram

# --- (f) drain
drain=/sys/module/cram/drain
is "insmod $cxl" "$(kmodload $CRAM_KO "$cxl")" loaded
hold_start dcxl 16M 32 53
check "workload A held in the CXL tier ($(cram_stat region_pages_used) pages)" \
	test "$(cram_stat region_pages_used)" -gt 2048
echo 1 > /sys/module/cram/parameters/low_wm_pct
echo 2 > /sys/module/cram/parameters/high_wm_pct
in_memcg 16M swapstress 32 55 /tmp/dpool.go > /tmp/dpool.out 2>&1 &
held_b=$!
wait_value filled 600 sh -c 'cat /tmp/dpool.out 2> /dev/null'
check "workload B held in the pool, the CXL tier at its watermark ($(pool_stat stored_objects) objects)" \
	test "$(pool_stat stored_objects)" -gt 2048
check_fails "writing 0 to drain is refused" sh -c "echo 0 > $drain"
is "drain is idle" "$(cat $drain)" idle
held=$(cram_stat stored_pages) in0=$(vmstat pswpin)
echo 5 > /sys/kernel/debug/cram/wb_delay_ms	# slow enough to watch it
rm -f /tmp/drain.rc
sh -c "echo 1 > $drain; echo \$? > /tmp/drain.rc" &
check "  a drain runs" wait_value draining 10 cat $drain
like "  cramstat shows its progress" "$(cramstat)" '^DRAINING to the swap device: [0-9]+ pages written'
wait_value '^[0-9]' 600 sh -c 'cat /tmp/drain.rc 2> /dev/null'
is "drain of $held pages ends with success" "$(cat /tmp/drain.rc)" 0
echo 0 > /sys/kernel/debug/cram/wb_delay_ms
is "  cram holds nothing" "$(cram_stat stored_pages)" 0
check "  every page written ($(cram_stat drained_pages))" test "$(cram_stat drained_pages)" -ge "$held"
is "  and it is disarmed" "$(cat /sys/module/cram/parameters/enabled)" N
check "rmmod without swapoff" rmmod cram
touch /tmp/dcxl.go /tmp/dpool.go
hold_release dcxl
like "workload A (was in CXL memory) reads back intact" "$(tail -n 1 /tmp/dcxl.out)" '^pages 8192 mismatches 0 '
wait $held_b
like "workload B (was in the pool) reads back intact" "$(tail -n 1 /tmp/dpool.out)" '^pages 8192 mismatches 0 '
check "  from the swap device ($(( $(vmstat pswpin) - in0 )) pages)" \
	test $(( $(vmstat pswpin) - in0 )) -gt 4096
# --- (g) drain while the workload reads its pages back: a load that found a CXL
# entry may still be copying from its region page when the drain's write ends; the
# page is freed (zeroed) only after every such load has left cram (the fault, before:
# 215 of 12288 pages read back wrong on 6.1). cxl_load_delay_us widens the copy window.
is "insmod $cxl" "$(kmodload $CRAM_KO "$cxl")" loaded
hold_start dread 16M 32 57
check "workload held in the CXL tier ($(cram_stat region_pages_used) pages)" \
	test "$(cram_stat region_pages_used)" -gt 2048
echo 500 > /sys/kernel/debug/cram/cxl_load_delay_us
rm -f /tmp/drain.rc
sh -c "echo 1 > $drain; echo \$? > /tmp/drain.rc" &
wait_value draining 10 cat $drain
hold_release dread
like "the workload read back intact while the drain ran" "$(tail -n 1 /tmp/dread.out)" \
	'^pages 8192 mismatches 0 '
wait_value '^[0-9]' 600 sh -c 'cat /tmp/drain.rc 2> /dev/null'
is "  the drain ended with success" "$(cat /tmp/drain.rc)" 0
echo 0 > /sys/kernel/debug/cram/cxl_load_delay_us
is "  cram holds nothing" "$(cram_stat stored_pages)" 0
check "  rmmod without swapoff" rmmod cram
# --- (h) a drain cannot be undone by arming. The drain claims a slot's CXL entry and
# writes its copy to disk; when the write ends it takes the entry out by its value,
# the region page. Stores armed meanwhile, a load of the slot frees that page, a new
# store of the slot gets it back, and the drain takes out the new entry: the next
# load reads the old copy from disk. enabled=Y is refused while a drain runs.
# Shown twice: slotrewrite -r 2 reads, rewrites and pushes out its 16 pages (one
# writeback batch) page by page, twice each, while the drain's batch is held
# (wb_delay_ms); cxl_zero_now makes a freed page the next one its CPU stores to (the
# zeroing worker does that a tick later, on whichever CPU it runs), and swap-in
# reads no neighbours (page-cluster 0) that would free theirs in between. With
# arm_during_drain the Y is taken and pages read back their first copy, the fault;
# without, it is refused and they read back their last.
dbg=/sys/kernel/debug/cram
sr_pages=16
# drain_and_arm ARM SEED: slotrewrite's lines, then "armed RC" (writing Y), "seen V"
# (enabled meanwhile), "drain RC"
drain_and_arm() {
	kmodload $CRAM_KO "$cxl pool=N" > /dev/null
	echo 1 > $dbg/cxl_zero_now
	echo "$1" > $dbg/arm_during_drain
	_cluster=$(cat /proc/sys/vm/page-cluster)
	echo 0 > /proc/sys/vm/page-cluster	# a load reads one page, not its neighbours
	rm -f /tmp/sr.go /tmp/sr.done /tmp/sr.out /tmp/drain.rc
	in_memcg 64M slotrewrite -r 2 $sr_pages "$2" /tmp/sr.go /tmp/sr.done > /tmp/sr.out 2>&1 &
	_sr=$!
	wait_value stored 60 cat /tmp/sr.out
	echo "held $(cram_stat region_pages_used)"
	echo $((3000 * CRAM_SLOW)) > $dbg/wb_delay_ms
	sh -c "echo 1 > $drain; echo \$? > /tmp/drain.rc" &
	wait_value draining 10 cat $drain
	sleep $((CRAM_SLOW))	# the drain's batch is claimed and held
	echo "seen $(cat $params/enabled)"
	sh -c "echo Y > $params/enabled" 2> /dev/null
	echo "armed $?"
	touch /tmp/sr.go
	wait_value rewritten 60 cat /tmp/sr.out
	wait_value '^[0-9]' 120 sh -c 'cat /tmp/drain.rc 2> /dev/null'
	# the swap-cache copies go, once written: a page under writeback stays, and one
	# MADV_PAGEOUT skipped (still in a per-CPU LRU batch) is written by a pass first
	for _i in 1 2 3; do
		wait_value '^Writeback: +0 kB' 30 grep '^Writeback:' /proc/meminfo
		echo 64M > /sys/fs/cgroup/cram-test/memory.reclaim 2> /dev/null
	done
	touch /tmp/sr.done
	wait $_sr
	echo 0 > $dbg/wb_delay_ms
	echo 0 > $dbg/arm_during_drain
	echo 0 > $dbg/cxl_zero_now
	echo "$_cluster" > /proc/sys/vm/page-cluster
	cat /tmp/sr.out
	echo "drain $(cat /tmp/drain.rc)"
	swap_cycle
	rmmod cram
}
r=$(drain_and_arm 1 71)
diag "$r"
like "$sr_pages pages held in the CXL tier" "$r" "held $sr_pages"
like "  arm_during_drain: enabled=Y is taken during the drain" "$r" 'armed 0'
like "  every read before the last one intact" "$r" 'gen1 mismatches 0'
like "  the drain ended" "$r" 'drain 0'
stale=$(echo "$r" | sed -n 's/^pages [0-9]* mismatches \([0-9]*\) .*/\1/p')
check "  pages stored again on their old region page read back the drain's old copy ($stale of $sr_pages: the fault shown)" \
	test "${stale:-0}" -ge 1
r=$(drain_and_arm 0 72)
diag "$r"
like "$sr_pages pages held in the CXL tier" "$r" "held $sr_pages"
like "  enabled reads N during the drain" "$r" 'seen N'
like "  enabled=Y is refused during the drain" "$r" 'armed 1'
like "  dmesg says why" "$(dmesg)" 'cram: enabled=Y refused: a drain is running'
like "  every page reads back its last copy from the swap device" "$r" \
	"^pages $sr_pages mismatches 0 resident 0\$"
like "  the drain ended" "$r" 'drain 0'
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
