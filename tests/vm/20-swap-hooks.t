#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 20-swap-hooks.t - cram's hooks take every swap store, load and invalidate on this
# kernel (zswap entry points on 6.12, frontswap on 6.1), in strict IBT mode, without
# changing a byte: with no tier admitting pages yet, every store is declined to disk.
# Pages swapped out before cram was loaded come back; the kernel stays sound after
# rmmod; loading is refused while zswap is enabled.
. /cram/tests/lib.sh
plan 26

dmesg -c > /dev/null
zswap=/sys/module/zswap/parameters/enabled

# --- cram replaces zswap: refuse to load while zswap is on
echo Y > $zswap
like "insmod with zswap enabled fails with EBUSY" "$(kmodload $CRAM_KO)" '^error EBUSY'
like "  dmesg says how to fix it" "$(dmesg)" 'cram: zswap is enabled: cram replaces it'
# ... or while it still holds pages after being switched off
hold_start z 24M 48 5
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
like "config says strict IBT mode" "$(cat /sys/kernel/debug/cram/config)" 'strict yes'
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
check "swapoff with cram loaded" swapoff /dev/vda
check "swapon again" swapon /dev/vda

# --- unload, and the kernel's own path still works
check "rmmod" rmmod cram
r=$(in_memcg 24M swapstress 64 13 2>&1)
like "after rmmod, swap still returns every byte" "$r" '^pages 16384 mismatches 0 '
like "insmod again" "$(kmodload $CRAM_KO "pool=N ibt_strict=1")" '^loaded'
r=$(in_memcg 24M swapstress 32 17 2>&1)
like "  and swap works through the new hooks" "$r" '^pages 8192 mismatches 0 '
check "rmmod again" rmmod cram
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
