#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 37-large-folios.t - large (mTHP) folios, every byte checked. Where the kernel stores
# them whole (config "large_folios: whole", 6.13+: zswap_store takes a whole folio and
# the kernel invalidates every slot it frees), cram stores each folio whole in one
# tier: the CXL tier, then the pool with the CXL gate closed, for 64 kB and 16 kB
# folios. The kernel's own per-size counters show each folio went whole either way:
# zswpout (cram took it) plus swpout (written to disk) = folios offered. The pool
# refuses folios holding an incompressible page after taking the pages before it:
# they are taken back out and go to disk. A folio whose page 3 every tier refuses
# (test hook fail_subpage) is taken back out of both tiers and goes to disk whole:
# cram then holds no entry for any of its pages. Where cram declines them
# ("declined": 6.12, and 6.1, which has no mTHP sizes), they go to disk whole.
# Loads of what was stored whole are exclusive on 7.x: cram keeps no copy.
. /cram/tests/lib.sh
plan 32

thp=/sys/kernel/mm/transparent_hugepage
dbg=/sys/kernel/debug/cram
params=/sys/module/cram/parameters
dmesg -c > /dev/null
# Up to 6.12 only a swap device without seek cost (SWP_SOLIDSTATE) takes large
# folios whole; virtio-blk says it rotates, so say it does not (read at swapon)
rot=/sys/block/${CRAM_SWAP#/dev/}/queue/rotational
swapoff $CRAM_SWAP && echo 0 > $rot && swapon $CRAM_SWAP
daxctl disable-device $CRAM_DAX > /dev/null 2>&1
is "insmod region=$CRAM_DAX (telemetry, pool on)" "$(kmodload $CRAM_KO "region=$CRAM_DAX")" \
	loaded
mode=$(sed -n 's/^large_folios: //p' $dbg/config)
case $(uname -r) in	# what the build-time probe must have found
[1-6].*) is "config: large folios declined on $(uname -r)" "$mode" declined ;;
*) is "config: large folios stored whole on $(uname -r)" "$mode" whole ;;
esac

# the sizes' settings now ("[always] madvise never"), restored at the end
saved=$(for d in $thp/hugepages-*kB; do
	[ -f "$d/enabled" ] && echo "$d $(sed 's/.*\[\(.*\)\].*/\1/' "$d/enabled")"
done)
# use_size SIZE: only SIZE (64kB, 16kB, 2048kB) backs new anonymous memory; fails
# where the kernel has no such size (6.1 has no mTHP sizes)
# (anonymous memory cannot use every size: those refuse the write)
use_size() {
	[ -d "$thp/hugepages-$1" ] || return 1
	for d in $thp/hugepages-*kB; do
		echo never 2> /dev/null > "$d/enabled"
	done
	echo always > "$thp/hugepages-$1/enabled"
}
mthp() { cat "$thp/hugepages-$1/stats/$2" 2> /dev/null || echo 0; }
taken() { echo $(( $(cram_stat stores) + $(cram_stat pool_stores) + $(cram_stat pool_same_filled) )); }

# folios TIER SIZE SEED ALL: 16 MiB of SIZE folios paged out (MADV_PAGEOUT), read back.
# ALL=all: TIER takes every folio; some: some (the pool refuses a folio holding
# a page that does not compress: the swapstress pattern mixes such pages in).
folios() {
	_tier=$1 _size=$2
	if ! use_size "$_size"; then
		pass "$_tier, $_size: no such mTHP size on $(uname -r)"
		pass "  (nothing to check)"
		pass "  (nothing to check)"
		pass "  (nothing to check)"
		return
	fi
	_whole0=$(cram_stat large_folio_stores) _calls0=$(cram_stat large_folio_calls)
	_zout0=$(mthp "$_size" zswpout) _out0=$(mthp "$_size" swpout)
	_kept0=$(cram_stat load_hits_kept) _undone0=$(cram_stat large_folio_undone)
	r=$(swapstress -H -m pageout 16 "$3" 2>&1)
	like "$_tier, $_size folios: 16 MiB paged out and read back intact" "$r" \
		'^pages 4096 mismatches 0 '
	_whole=$(( $(cram_stat large_folio_stores) - _whole0 ))
	_calls=$(( $(cram_stat large_folio_calls) - _calls0 ))
	_zout=$(( $(mthp "$_size" zswpout) - _zout0 ))
	_out=$(( $(mthp "$_size" swpout) - _out0 ))
	_kept=$(( $(cram_stat load_hits_kept) - _kept0 ))
	_undone=$(( $(cram_stat large_folio_undone) - _undone0 ))
	if [ "$mode" = whole ]; then
		if [ "$4" = all ]; then
			check "  $_tier stored every one whole ($_whole of $_calls)" \
				test "$_whole" -gt 64 -a "$_whole" = "$_calls"
		else
			check "  $_tier stored some whole ($_whole of $_calls; $_undone taken back)" \
				test "$_whole" -gt 16
		fi
		is "  the kernel: $_zout zswap stores of $_size, $_out written whole to disk" \
			"$_zout $_out" "$_whole $((_calls - _whole))"
		is "  every load was exclusive: cram kept no copy" "$_kept" 0
	else
		is "  cram stored none whole" "$_whole" 0
		check "  cram's hook saw them ($_calls) and declined them" \
			test "$_calls" -gt 64 -a "$(cram_stat decline_large_folio)" -gt 0
		check "  they went to disk whole ($_out)" test "$_out" -gt 64
	fi
}

folios "CXL tier" 64kB 91 all
folios "CXL tier" 16kB 92 all
# the CXL gate closes at once: what follows goes to the pool
echo 1 > $params/low_wm_pct
echo 2 > $params/high_wm_pct
folios "pool" 64kB 93 some
folios "pool" 16kB 94 some
echo 90 > $params/high_wm_pct
echo 70 > $params/low_wm_pct
check "the CXL gate reopens" wait_dev gate '^open$' 10
is "no load failed" "$(cram_stat load_errors)" 0

# --- all or nothing: page 3 of every large folio is refused by both tiers
echo 3 > $dbg/fail_subpage
use_size 64kB || use_size 2048kB
held0=$(cram_stat stored_pages) taken0=$(taken) undone0=$(cram_stat large_folio_undone)
whole0=$(cram_stat large_folio_stores) calls0=$(cram_stat large_folio_calls)
stale0=$(( $(cram_stat stale_replaced) + $(cram_stat stale_erased) ))
zout0=$(vmstat zswpout)
hold_start u 256M 16 95 -H -m pageout
zout=$(( $(vmstat zswpout) - zout0 ))
calls=$(( $(cram_stat large_folio_calls) - calls0 ))
undone=$(( $(cram_stat large_folio_undone) - undone0 ))
held=$(( $(cram_stat stored_pages) - held0 )) taken=$(( $(taken) - taken0 ))
if [ "$mode" = whole ]; then
	check "each tier took pages 0-2 and gave them back ($undone undone, $calls folios)" \
		test "$calls" -gt 64 -a "$undone" = $((2 * calls))
else
	is "nothing to undo where large folios are declined ($calls folios)" "$undone" 0
fi
is "  no large folio stored whole" "$(( $(cram_stat large_folio_stores) - whole0 ))" 0
is "  no page a tier took was left for the next one or the disk path to erase" \
	"$(( $(cram_stat stale_replaced) + $(cram_stat stale_erased) - stale0 ))" 0
is "  cram holds exactly the pages its tiers kept ($held)" "$held" "$taken"
is "  /proc/vmstat zswpout counts those, not the pages given back" "$zout" "$held"
hold_release u
like "  the workload reads back intact (from disk)" "$(tail -n 1 /tmp/u.out)" \
	'^pages 4096 mismatches 0 '
echo 0 > $dbg/fail_subpage

echo "$saved" | while read -r d v; do
	[ -n "$d" ] && echo "$v" 2> /dev/null > "$d/enabled"
done
check "swapoff" swapoff $CRAM_SWAP
is "cram holds nothing" "$(cram_stat stored_pages)" 0
check "rmmod" rmmod cram
echo 1 > $rot
check "swapon" swapon $CRAM_SWAP
check "$CRAM_DAX can be enabled again" daxctl enable-device $CRAM_DAX
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
