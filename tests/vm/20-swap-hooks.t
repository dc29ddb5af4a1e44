#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 20-swap-hooks.t - cram's hooks take every swap store, load and invalidate on this
# kernel (zswap entry points on 6.12, frontswap on 6.1), without changing a byte: with
# no tier admitting pages yet, every store is declined to disk. Strict IBT mode by
# what it does: on 6.1 cram passes swapoff on to zswap's original through a resolved
# pointer, which ibt_strict=1 refuses; on 6.12 cram makes no such call at all.
# Pages swapped out before cram was loaded come back; the kernel stays sound after
# rmmod; loading is refused while zswap is enabled.
# PREEMPT_RT: yes
. /cram/tests/lib.sh
plan 28

dmesg -c > /dev/null
zswap=/sys/module/zswap/parameters/enabled

# --- cram replaces zswap: refuse to load while zswap is on
echo Y > $zswap
like "insmod with zswap enabled fails with EBUSY" "$(kmodload $CRAM_KO)" '^error EBUSY'
like "  dmesg says how to fix it" "$(dmesg)" 'cram: zswap is enabled: cram replaces it'
# ... or while it still holds pages after being switched off (MADV_PAGEOUT, no tight
# limit: zswap's compressed copies are charged to the cgroup, and on 7.3 a 24 MiB one
# stays over memory.high and throttles the workload for minutes)
hold_start z 256M 48 5 -m pageout
echo N > $zswap
zswapped=$(awk '$1 == "Zswapped:" { print $2 }' /proc/meminfo)
check "zswap took pages while enabled (Zswapped: $zswapped kB)" test "$zswapped" -gt 0
dmesg -c > /dev/null
like "insmod while zswap holds pages fails with EBUSY" "$(kmodload $CRAM_KO)" '^error EBUSY'
like "  dmesg says how to fix it" "$(dmesg)" 'cram: zswap still holds [0-9]+ pages'
[ -e /sys/module/cram ] && rmmod cram
hold_release z
swapoff /dev/vda && swapon /dev/vda
is "swapoff/swapon emptied zswap" "$(awk '$1 == "Zswapped:" { print $2 }' /proc/meminfo)" 0

# --- pages swapped out before cram is loaded
hold_start pre 24M 64 7
pre_out=/tmp/pre.out
is "workload filled 64 MiB in a 24 MiB cgroup" "$(head -n 1 $pre_out)" filled
out_before=$(vmstat pswpout)
check "pages went to the swap device before cram ($out_before pages)" test "$out_before" -gt 8192

is "insmod pool=N ibt_strict=1" "$(kmodload $CRAM_KO "pool=N ibt_strict=1")" loaded
hold_release pre
like "pages swapped out before loading read back intact" "$(tail -n 1 $pre_out)" \
	'^pages 16384 mismatches 0 '
# zswap's entry points see every swap-in and slot free; frontswap (6.1) only calls its
# backend for slots its bitmap says the backend holds, so with nothing stored: none.
if grep -q '^hook_api: zswap' /sys/kernel/debug/cram/config; then
	check "  through cram's load hook ($(cram_stat load_calls) calls)" \
		test "$(cram_stat load_calls)" -gt 0
else
	is "  frontswap passed no load to cram: it holds nothing" "$(cram_stat load_calls)" 0
fi

# --- swap traffic while loaded
stores=$(cram_stat store_calls)
r=$(in_memcg 24M swapstress 64 11 2>&1)
like "64 MiB workload in a 24 MiB cgroup reads back intact" "$r" '^pages 16384 mismatches 0 '
stored=$(( $(cram_stat store_calls) - stores ))
check "cram saw the stores ($stored)" test "$stored" -gt 8192
declined=$(( $(cram_stat decline_no_tier) + $(cram_stat decline_large_folio) ))
is "every store declined: no tier admits pages yet" "$declined" "$(cram_stat store_calls)"
if grep -q '^hook_api: zswap' /sys/kernel/debug/cram/config; then
	check "cram saw the invalidates ($(cram_stat invalidate_calls))" \
		test "$(cram_stat invalidate_calls)" -gt 0
else
	is "frontswap passed no invalidate to cram: it holds nothing" \
		"$(cram_stat invalidate_calls)" 0
fi
check "the pages went to the swap device" test "$(vmstat pswpout)" -gt $((out_before + 8192))
is "cram served no load itself" "$(cram_stat load_misses)" "$(cram_stat load_calls)"

# --- swapoff/swapon with cram loaded
dmesg -c > /dev/null
check "swapoff with cram loaded" swapoff /dev/vda
check "swapon again" swapon /dev/vda
calls="$(cram_stat resolved_calls) refused $(cram_stat resolved_calls_refused)"
if grep -q '^hook_api: zswap' /sys/kernel/debug/cram/config; then
	is "6.12: no call through a resolved pointer (nothing to chain; strict changes nothing)" \
		"$calls" "0 refused 0"
	is "  dmesg names no refused call" "$(dmesg | grep -c 'refusing indirect call')" 0
else
	like "6.1 strict: the call to zswap's swapoff was refused, none made" "$calls" \
		'^0 refused [1-9]'
	like "  dmesg names it" "$(dmesg)" \
		'refusing indirect call to zswap_frontswap_invalidate_area: ibt_strict treats it as sealed'
fi

# --- unload, and the kernel's own path still works
check "rmmod" rmmod cram
r=$(in_memcg 24M swapstress 64 13 2>&1)
like "after rmmod, swap still returns every byte" "$r" '^pages 16384 mismatches 0 '
like "insmod again, not strict" "$(kmodload $CRAM_KO "pool=N")" '^loaded'
r=$(in_memcg 24M swapstress 32 17 2>&1)
like "  and swap works through the new hooks" "$r" '^pages 8192 mismatches 0 '
swap_cycle
calls="$(cram_stat resolved_calls) refused $(cram_stat resolved_calls_refused)"
if grep -q '^hook_api: zswap' /sys/kernel/debug/cram/config; then
	is "6.12, not strict: still no call through a resolved pointer" "$calls" "0 refused 0"
else
	like "6.1, not strict: swapoff was passed on to zswap's original" "$calls" \
		'^[1-9][0-9]* refused 0$'
fi
check "rmmod again" rmmod cram
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
