# SPDX-License-Identifier: GPL-2.0
# bench.sh - the in-guest benchmark (make bench; scripts/vmtest --bench): one boot, the
# same verifying workload (swapbench) back to back against every swap back end:
#   none      no swap device: nothing leaves RAM, the workload's own cost
#   disk      the virtio swap disk alone
#   zswap     zswap, lz4, zsmalloc, in front of the disk
#   zram      a zram disk (lz4) as the only swap device
#   pool      cram, DRAM pool only (no region), in front of the disk
#   cxl       cram, CXL tier only (pool=N), on the RAM-backed NVDIMM standing in for the
#             device (test_region_any_window), its register block bound: every store
#             pays the device accounting
#   pool-1tree, cxl-1tree  the same with the one-tree build (/cram/cram-1tree.ko, make
#             CRAM_TREES=1): one xarray per swap device, as before the split by 64 MiB
# (cram.bench_backends, a comma list, picks some; the -1tree ones only when named), at
# 1 and 2 threads,
# cram.bench_reps times each (kernel command line; rounds: every
# back end once per round, so a slow minute of the host hits all of them alike). The
# workload writes BENCH_MB MiB and pushes all of it out with MADV_PAGEOUT (why not a
# memory cgroup limit: tests/vm/bin/swapbench.c).
# One line per run on stdout (the host's scripts/bench-report reads them):
#   bench: BACKEND swapbench threads T pages P swapped S fill_ms F pageout_ms O
#          check_ms C mismatches M dram_bytes D stored N phys_bytes B
# dram_bytes: the back end's own DRAM (zswap pool_total_size, zram mem_used_total,
# cram's pool pages) plus the growth of the kernel's Slab while the pages are out (the
# back ends' entries and trees); stored: pages the back end holds then; phys_bytes: the
# device's physical use (the model's PHYS_USED) beyond what it was before the run.
# On a kernel with /proc/lock_stat (CONFIG_LOCK_STAT: the debug kernel), cram's runs
# also print tree_contentions C tree_acquisitions A: its trees' xa_lock (lockdep
# class "cram_tree") over the run.
# Timings are TCG timings: relative only (scripts/bench-report labels them so).
. /cram/tests/lib.sh

MB=${BENCH_MB:-128}
REPS=3 BACKENDS="none disk zswap zram pool cxl"
for arg in $(cat /proc/cmdline); do	# scripts/vmtest: CRAM_BENCH_REPS, CRAM_BENCH_BACKENDS
	case $arg in
	cram.bench_reps=?*) REPS=${arg#*=} ;;
	cram.bench_backends=?*) BACKENDS=$(echo "${arg#*=}" | tr ',' ' ') ;;
	esac
done
ZSWAP=/sys/module/zswap/parameters
CORPUS="/cram/cram.ko /bin/busybox $(ls /lib/modules/*/kernel/*/*/*.ko 2>/dev/null | head -n 20)"

say() { echo "# $*"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo; }
zram_stat() { awk -v i="$1" '{ print $i }' /sys/block/zram0/mm_stat; }
zswap_stat() { cat /sys/kernel/debug/zswap/"$1"; }

# The back end's DRAM and stored pages right now, while the workload's pages are out.
snapshot() {	# snapshot TIER -> /tmp/bench.snap
	case $1 in
	zswap) dram=$(zswap_stat pool_total_size) stored=$(zswap_stat stored_pages) ;;
	zram) dram=$(zram_stat 3) stored=$(( $(zram_stat 1) / 4096 + $(zram_stat 6) )) ;;
	pool) dram=$(( $(pool_stat pool_pages) * 4096 )) stored=$(cram_stat stored_pages) ;;
	cxl) dram=0 stored=$(cram_stat stored_pages) ;;
	*) dram=0 stored=0 ;;
	esac
	phys=0
	if [ "$1" = cxl ]; then	# once the model has scanned every write cram made
		i=0
		while [ "$(dev_stat reg_scanned_write_seq)" -lt "$(dev_stat reg_host_write_seq)" ] &&
		      [ $i -lt 600 ]; do
			usleep 100000
			i=$((i + 1))
		done
		phys=$(( $(dev_stat reg_phys_used) - $(cat /tmp/bench.phys_base) ))
	fi
	echo "dram_bytes $((dram + $(meminfo Slab) - $(cat /tmp/bench.slab_base))) stored $stored phys_bytes $phys" \
		> /tmp/bench.snap
}

setup() {	# setup BACKEND
	case $(tier "$1") in
	none) swapoff "$CRAM_SWAP" ;;
	zswap)
		echo lz4 > $ZSWAP/compressor
		[ ! -e $ZSWAP/zpool ] || echo zsmalloc > $ZSWAP/zpool
		echo 1 > $ZSWAP/enabled ;;
	zram)
		swapoff "$CRAM_SWAP"
		modprobe zram num_devices=1
		echo lz4 > /sys/block/zram0/comp_algorithm
		echo 512M > /sys/block/zram0/disksize
		mkswap /dev/zram0 > /dev/null && swapon /dev/zram0 ;;
	pool)
		loaded "$(kmodload "$(ko "$1")" "pool=Y")" ;;
	cxl)
		daxctl disable-device "$CRAM_DAX" > /dev/null 2>&1
		loaded "$(kmodload "$(ko "$1")" "region=$CRAM_DAX regs=${CRAM_REGS##*/} test_region_any_window=1 pool=N")" ||
			return 1
		[ "$(dev_stat bound)" = 1 ] || { echo "register block not bound"; return 1; }
		zeroed > /dev/null
		dev_stat reg_phys_used > /tmp/bench.phys_base ;;
	esac
}

# A back end's tier: pool-1tree and cxl-1tree are pool and cxl with another build.
tier() { echo "${1%-1tree}"; }
ko() { [ "$(tier "$1")" = "$1" ] && echo "$CRAM_KO" || echo /cram/cram-1tree.ko; }
is_cram() { [ "$(tier "$1")" = pool ] || [ "$(tier "$1")" = cxl ]; }

loaded() { [ "$1" = loaded ] || { echo "insmod: $1"; dmesg | tail -n 3; return 1; }; }

teardown() {	# teardown BACKEND
	case $(tier "$1") in
	none) swapon "$CRAM_SWAP" ;;
	zswap) echo 0 > $ZSWAP/enabled ;;
	zram)
		swapoff /dev/zram0 && echo 1 > /sys/block/zram0/reset
		swapon "$CRAM_SWAP" ;;
	pool | cxl)
		# 6.1 frees swap slots in per-CPU batches: cram still holds the pages of
		# slots waiting there; swapoff frees them all (and reads back none)
		swapoff "$CRAM_SWAP" && swapon "$CRAM_SWAP"
		if ! rmmod cram; then	# every later run would go through cram
			echo "bench-error: $1: rmmod cram failed, stopping: $(cram_stat stored_pages) pages held"
			exit 1
		fi
		[ "$(tier "$1")" = pool ] || daxctl enable-device "$CRAM_DAX" > /dev/null 2>&1 ;;
	esac
}

# cram's tree locks over one run, where the kernel keeps lock statistics. lockdep
# registers a class at its first acquisition, in the slot of a class freed at an
# earlier rmmod, and keeps that slot's counts (6.12): the reset comes after a 1 MiB
# round trip has taken the trees' lock once.
lock_stat_reset() {	# cram loaded
	[ -w /proc/lock_stat ] || return 0
	swapbench 1 1 > /dev/null
	echo 0 > /proc/lock_stat
}
lock_stat_trees() {
	[ -r /proc/lock_stat ] || return 0
	awk '$1 == "cram_tree:" { c = $3; a = $9 }
	     END { printf " tree_contentions %d tree_acquisitions %d", c, a }' /proc/lock_stat
}

run() {	# run BACKEND THREADS SEED
	if ! why=$(setup "$1"); then
		echo "bench-error: $1: $why" | tr '\n' ' '; echo
		teardown "$1" 2> /dev/null
		return
	fi
	! is_cram "$1" || lock_stat_reset
	meminfo Slab > /tmp/bench.slab_base
	rm -f /tmp/bench.snap
	out=$(swapbench -t "$2" -x "sh /cram/tests/bench.sh snapshot $(tier "$1")" \
		$(for f in $CORPUS; do echo "-c $f"; done) "$MB" "$3")
	locks=
	! is_cram "$1" || locks=$(lock_stat_trees)
	echo "bench: $1 $out $(cat /tmp/bench.snap 2>/dev/null || echo snapshot missing)$locks"
	teardown "$1"
	sync; echo 3 > /proc/sys/vm/drop_caches
}

if [ "${1:-}" = snapshot ]; then	# swapbench -x: between fill and check
	snapshot "$2"
	exit 0
fi

# The swap disk as a server's is, solid state (virtio-blk says rotational): the swap
# core then gives each CPU a cluster of its own, consecutive ones 64 MiB apart, so
# CPUs swap into different 64 MiB ranges, the unit the swap cache, zswap and cram
# split their trees by. On a rotational disk every CPU takes the next slot of one
# sequence (6.12 mm/swapfile.c: setup_clusters and the cluster allocator only for
# SWP_SOLIDSTATE).
rotational=/sys/block/${CRAM_SWAP#/dev/}/queue/rotational
swapoff "$CRAM_SWAP"
echo 0 > "$rotational"
swapon "$CRAM_SWAP"

say "cram in-guest benchmark, kernel $(uname -r), $(nproc) CPUs, TCG: relative only"
say "swap disk: $(grep "^$CRAM_SWAP " /proc/swaps | awk '{ print $1, $3 / 1024, "MiB" }'), rotational $(cat "$rotational")"
say "working set ${MB} MiB, all of it paged out (MADV_PAGEOUT) and read back, $REPS rounds"
echo "bench-info: kernel $(uname -r) cpus $(nproc) mb $MB reps $REPS"
for round in $(seq 1 "$REPS"); do
	for threads in 1 2; do
		for b in $BACKENDS; do
			run "$b" "$threads" "$((round * 10 + threads))"
		done
	done
done
