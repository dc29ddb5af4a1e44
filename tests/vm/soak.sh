# SPDX-License-Identifier: GPL-2.0
# soak.sh - everything at once, for CRAM_SOAK_SECS seconds, every byte verified: run
# by `scripts/vmtest --soak SECS` (make soak: 10 minutes per kernel, on a boot of its
# own with 4 vCPUs and 1 GiB of RAM) and by make check at the end of each kernel's
# test boot (`scripts/vmtest --with-soak 60`: 2 vCPUs, 2 GiB, after every other test
# but 99-*). In one memory cgroup, concurrently:
#   stress-ng --vm --vm-method all --verify (Debian's, copied in with its libraries)
#   swapstress loops: mixed data; fork-shared (children read swap entries the parent
#   also maps); shmem (a shared anonymous mapping); large folios (mTHP sizes enabled
#   where the kernel has them) with data whose compressibility shifts every pass
# swapping to the partition and to a swap file on ext4 at the same priority, the
# DRAM pool capped at 10 MiB so writeback runs, the device's physical capacity
# tight (16 MiB in all: as the data's compressibility shifts, the gate closes and reopens,
# and the pool takes what the device cannot), and the device model restarted
# half-way (dead for 3 s: safe mode, then recovery). With device B's dax instance
# still there (make soak's own boot; make check's 80-region-gone.t takes B's region
# away before), cram runs on both devices, B as tight as A, and both must take pages.
# The harness adds: no overflow event in the device model, console clean.
. /cram/tests/lib.sh	# platform.env, in_memcg, cram_stat, devctl, dev_stat
secs=${CRAM_SOAK_SECS:-120}
plan 28

thp=/sys/kernel/mm/transparent_hugepage
# large folios swapped out whole, to disk or (zswpout: 6.13+) to cram: THP (/proc/vmstat)
# and each mTHP size (6.10+)
large_out() {
	{ vmstat thp_swpout; cat $thp/hugepages-*/stats/swpout $thp/hugepages-*/stats/zswpout \
		2> /dev/null; } |
		awk '{ n += $1 } END { print n + 0 }'
}

# --- swap: the partition and a swap file on ext4, used in turn
swapoff "$CRAM_SWAP"
# non-rotational, as SSDs are: a large folio then gets a swap cluster of its own
for q in /sys/block/vda/queue/rotational /sys/block/vdb/queue/rotational; do echo 0 > $q; done
modprobe ext4 2> /dev/null	# built in on the debug kernel
check "mkfs.ext4 on the second disk" /usr/bin/mkfs.ext4 -q -F /dev/vdb
mkdir -p /mnt/ext4
check "mount it as ext4" mount -t ext4 /dev/vdb /mnt/ext4
check "a 160 MiB swap file on it" sh -c 'dd if=/dev/zero of=/mnt/ext4/swapfile bs=1M count=160 2>/dev/null &&
	chmod 600 /mnt/ext4/swapfile && mkswap /mnt/ext4/swapfile > /dev/null'
# util-linux's swapon (busybox's takes no priority)
check "swapon the partition and the file at one priority" \
	sh -c "/usr/bin/swapon -p 5 $CRAM_SWAP && /usr/bin/swapon -p 5 /mnt/ext4/swapfile"
is "  two swap areas" "$(tail -n +2 /proc/swaps | wc -l)" 2

# --- large folios: every mTHP size the kernel offers (6.10+), else THP only; the
# settings now ("always [madvise] never") are restored at the end
thp_saved=$(for f in $thp/enabled $thp/hugepages-*kB/enabled; do
	[ -f "$f" ] && echo "$f $(sed 's/.*\[\(.*\)\].*/\1/' "$f")"
done)
mthp=0
for d in $thp/hugepages-*kB; do	# sizes anonymous memory cannot use refuse the write
	[ -d "$d" ] && [ "${d##*-}" != 2048kB ] && echo always 2> /dev/null > "$d/enabled" &&
		mthp=$((mthp + 1))
done
echo always > $thp/enabled

# --- tight devices (nothing is stored yet: 16 MiB in all, so the pool fills and
# writes back) and cram with a small pool
regions=$CRAM_DAX cap=16M
[ -z "$CRAM_DAX_B" ] || [ ! -e "/sys/bus/dax/devices/$CRAM_DAX_B" ] ||
	regions=$CRAM_DAX,$CRAM_DAX_B cap=8M
devctl phys-cap $cap
devctl_b phys-cap $cap
for d in $(echo "$regions" | tr ',' ' '); do daxctl disable-device "$d" > /dev/null 2>&1; done
# the pool's limit 10 MiB (1 % of a 1 GiB guest) on the test boot's 2 GiB too
is "insmod region=$regions max_pool_percent=1 test_pool_limit_pages=2560" \
	"$(kmodload $CRAM_KO "region=$regions max_pool_percent=1 test_pool_limit_pages=2560")" loaded
stores0=$(cram_stat stores) pool0=$(cram_stat pool_stores) wb0=$(cram_stat written_back_pages)
large0=$(cram_stat large_folio_calls) out0=$(large_out)
closings0=$(dev_stat gate_closings) safe0=$(dev_stat safe_mode_entries)

# --- the load, for $secs seconds
end=$(( $(cut -d. -f1 /proc/uptime) + secs ))
running() { [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; }
loop() {	# loop NAME SWAPSTRESS-ARGS...: rerun with a new seed until the end
	_name=$1 _seed=1
	shift
	: > "/tmp/soak-$_name.log"
	while running; do
		in_memcg 64M swapstress "$@" $_seed >> "/tmp/soak-$_name.log" 2>&1
		_seed=$((_seed + 1))
	done
}
runs() { grep -c '^pages ' "/tmp/soak-$1.log"; }
bad() { grep '^pages ' "/tmp/soak-$1.log" | grep -vc ' mismatches 0 '; }
results() { echo "runs $(runs "$1") bad $(bad "$1") ($(grep -v '^pages ' "/tmp/soak-$1.log" | head -n 3))"; }

in_memcg 64M true	# the cgroup exists before the workloads race to make it
in_memcg 64M stress-ng --vm 2 --vm-bytes 16M --vm-method all --verify --timeout "${secs}s" \
	--metrics-brief > /tmp/soak-stress-ng.log 2>&1 &
stress=$!
loop mixed 48 &
loop forked -f 3 16 &
loop shmem -s 16 &
loop large -H -p shift -n 2 16 &
(sleep $((secs / 2)) && devctl restart 3) &	# the device model dies, a new one starts
wait $stress
stress_rc=$?
wait

# --- verdicts
is "stress-ng --vm --vm-method all --verify: exit 0" "$stress_rc" 0
check_fails "  and no verify failure in its log" grep -qE ' fail: |failed: [1-9]' /tmp/soak-stress-ng.log
diag "$(grep -E 'vm |successful|passed' /tmp/soak-stress-ng.log | tail -n 3)"
for w in mixed forked shmem large; do
	check "swapstress $w: ran ($(runs $w) runs)" test "$(runs $w)" -gt 0
	is "  every run read back intact ($(results $w))" "$(bad $w)" 0
done
check "the CXL tier took pages ($(( $(cram_stat stores) - stores0 )))" \
	test "$(cram_stat stores)" -gt "$stores0"
took=0
for d in $(echo "$regions" | tr ',' ' '); do
	[ "$(cat /sys/module/cram/stats/devices/$d/cxl_stores)" -gt 0 ] && took=$((took + 1))
done
is "  every device of region=$regions took pages" "$took" "$(echo "$regions" | tr ',' ' ' | wc -w)"
check "the pool took pages ($(( $(cram_stat pool_stores) - pool0 )))" \
	test "$(cram_stat pool_stores)" -gt "$pool0"
check "the pool wrote back ($(( $(cram_stat written_back_pages) - wb0 )) pages)" \
	test "$(cram_stat written_back_pages)" -gt "$wb0"
check "the gate closed and reopened ($(( $(dev_stat gate_closings) - closings0 )) closings)" \
	test "$(dev_stat gate_closings)" -gt "$closings0"
check "the device model's restart put cram in safe mode" \
	test "$(dev_stat safe_mode_entries)" -gt "$safe0"
check "  and it recovered" wait_dev safe_mode '^0$' 10
diag "mTHP sizes enabled: $mthp (none before 6.10: THP only)"
check "large folios were swapped out whole ($(( $(large_out) - out0 )))" \
	test "$(large_out)" -gt "$out0"
check "  and reached cram's store hook ($(( $(cram_stat large_folio_calls) - large0 )) calls: $(sed -n 's/^large_folios: //p' /sys/kernel/debug/cram/config), $(cram_stat large_folio_stores) stored whole, $(cram_stat decline_large_folio) declined)" \
	test "$(cram_stat large_folio_calls)" -gt "$large0"
check "swapoff both areas" sh -c "swapoff /mnt/ext4/swapfile && swapoff $CRAM_SWAP"
diag "$(grep -E 'pool_(pages|bytes|limit)|stored' /sys/kernel/debug/cram/pool)"
is "  cram holds nothing" "$(cram_stat stored_pages)" 0
check "rmmod" rmmod cram
umount /mnt/ext4
swapon "$CRAM_SWAP"
# what later tests of the same boot expect: the device's full capacity, THP as it was
devctl phys-cap 128M
devctl_b phys-cap 128M
echo "$thp_saved" | while read -r f v; do [ -z "$f" ] || echo "$v" 2> /dev/null > "$f"; done
