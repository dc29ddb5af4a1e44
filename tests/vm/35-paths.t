#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 35-paths.t - the swap paths a plain anonymous workload never takes, through each of
# cram's tiers (CXL, then the pool with the CXL gate closed), every byte checked:
#   fork-shared anonymous pages (one swap entry, several mappers, read by each),
#   shmem (shared anonymous memory: shmem_writepage and the shmem swap-in path),
#   madvise-driven swap-out (MADV_PAGEOUT with no memory limit; MADV_COLD under one),
#   and loads that leave cram's copy in place: 6.1's frontswap loads always do; 6.12
#   does for a swap device with synchronous I/O (brd), whose swap-ins of a slot with
#   one user bypass the swap cache; 7.x never does (every swap-in goes through it).
# PREEMPT_RT: with KERNELS=all
. /cram/tests/lib.sh
plan 33

params=/sys/module/cram/parameters
dmesg -c > /dev/null
dax_release
is "insmod region=$CRAM_CLAIM (telemetry, pool on)" "$(kmodload $CRAM_KO "region=$CRAM_CLAIM")" \
	loaded

# paths TIER STAT: every workload once (24 MiB; 6144 pages); STAT (stores or
# pool_stores) must grow by at least a third of each workload's pages, i.e. TIER took them
paths() {
	_s0=$(cram_stat "$2")
	r=$(in_memcg 16M swapstress -f 3 24 81 2>&1)
	like "$1: fork-shared pages read back intact by three children and the parent" \
		"$r" '^pages 6144 mismatches 0 '
	_s1=$(cram_stat "$2")
	check "  $1 took them ($((_s1 - _s0)) $2)" test $((_s1 - _s0)) -gt 2048
	r=$(in_memcg 16M swapstress -s 24 82 2>&1)
	like "$1: shmem pages read back intact" "$r" '^pages 6144 mismatches 0 '
	_s0=$(cram_stat "$2")
	check "  $1 took them ($((_s0 - _s1)) $2)" test $((_s0 - _s1)) -gt 2048
	_out0=$(vmstat zswpout)
	r=$(swapstress -m pageout 24 83 2>&1)
	like "$1: MADV_PAGEOUT pages (no memory limit) read back intact" "$r" \
		'^pages 6144 mismatches 0 '
	_s1=$(cram_stat "$2")
	check "  $1 took them ($((_s1 - _s0)) $2; zswpout +$(( $(vmstat zswpout) - _out0 )))" \
		test $((_s1 - _s0)) -gt 2048
	r=$(in_memcg 16M swapstress -m cold -n 2 24 84 2>&1)
	like "$1: MADV_COLD pages, two passes, read back intact" "$r" '^pages 6144 mismatches 0 '
	_s0=$(cram_stat "$2")
	check "  $1 took them ($((_s0 - _s1)) $2)" test $((_s0 - _s1)) -gt 2048
}

paths "CXL tier" stores
is "  no load failed" "$(cram_stat load_errors)" 0
# the CXL gate closes at once: what follows goes to the pool
echo 1 > $params/low_wm_pct
echo 2 > $params/high_wm_pct
paths "pool" pool_stores
is "  no load failed" "$(cram_stat load_errors)" 0
echo 90 > $params/high_wm_pct
echo 70 > $params/low_wm_pct

# --- loads that keep cram's copy: a swap device with synchronous I/O
check "modprobe brd (a 128 MiB RAM disk)" modprobe brd rd_nr=1 rd_size=131072
check "mkswap /dev/ram0" mkswap /dev/ram0
check "swap moves to /dev/ram0" sh -c "swapon /dev/ram0 && swapoff $CRAM_SWAP"
kept0=$(cram_stat load_hits_kept) hits0=$(cram_stat load_hits)
r=$(in_memcg 16M swapstress 24 85 2>&1)
like "24 MiB through cram on a brd swap device reads back intact" "$r" '^pages 6144 mismatches 0 '
kept=$(( $(cram_stat load_hits_kept) - kept0 )) hits=$(( $(cram_stat load_hits) - hits0 ))
case $(uname -r) in
[1-6].*)
	check "  loads left cram's copy in place ($kept of $hits hits)" test "$kept" -gt 1024 ;;
*)	# from 7.1 every swap-in goes through the swap cache: zswap's loads are exclusive
	check "  7.x: every load was exclusive: cram kept none ($kept of $hits hits)" \
		test "$kept" = 0 -a "$hits" -gt 1024 ;;
esac
r=$(in_memcg 16M swapstress -f 2 24 86 2>&1)
like "  and fork-shared pages there (swap count 2: through the swap cache)" "$r" \
	'^pages 6144 mismatches 0 '
check "swap back to $CRAM_SWAP" sh -c "swapon $CRAM_SWAP && swapoff /dev/ram0"
is "cram holds nothing of /dev/ram0" "$(cram_stat stored_pages)" 0
check "rmmod brd" rmmod brd

check "swapoff" swapoff $CRAM_SWAP
check "rmmod" rmmod cram
check "swapon" swapon $CRAM_SWAP
check "${CRAM_DAX:-the region} can be enabled again" dax_return
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
