# SPDX-License-Identifier: GPL-2.0
# demo.sh - what `make demo` shows on the console: the emulated CXL machine, cram
# claiming its device-dax region and the device's register block, a workload swapping
# through the CXL tier and reading every byte back, the stats and the device's view,
# the DRAM pool taking what the device refuses, then swapoff and unload.
. /run/cram/platform.env
show() { echo; echo "\$ $*"; sh -c "$*" 2>&1; }
cg=/sys/fs/cgroup/cram-demo

echo "=== cram demo on $(uname -r) ==="
show "cat /run/cram/platform.env"
show "grep -E 'CXL|dax|region' /proc/iomem"
show "cat /proc/swaps"
show "modinfo /cram/cram.ko"
echo
echo "# cram takes the region for itself: first release it from device_dax"
show "daxctl disable-device $CRAM_DAX"
echo "# the host runs a model of a compressing device: cram binds its register block"
show "insmod /cram/cram.ko region=$CRAM_DAX"
show "grep . /sys/module/cram/parameters/*"
show "grep cram /proc/iomem"
show "cat /sys/kernel/debug/cram/config"
echo
echo "# 64 MiB of patterned pages in a 24 MiB memory cgroup: most of it is swapped out"
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p $cg
echo 24M > $cg/memory.max
show "sh -c 'echo \$\$ > $cg/cgroup.procs; exec swapstress 64 42'"
show "grep -E '^(pswpout|pswpin) ' /proc/vmstat"
show "cat /sys/kernel/debug/cram/stats"
echo
echo "# the device's view: physical use (compressed) against logical use and capacity"
show "grep -E '^(bound|safe_mode|gate|high_wm_bytes|low_wm_bytes|projected_used|reg_phys_cap|reg_phys_used|reg_logical_used|reg_overflow_events) ' /sys/kernel/debug/cram/device"
echo
echo "# lower the watermarks: what the device refuses is compressed into the DRAM pool"
p=/sys/module/cram/parameters
show "echo 1 > $p/low_wm_pct; echo 2 > $p/high_wm_pct"
show "sh -c 'echo \$\$ > $cg/cgroup.procs; exec swapstress 48 44'"
show "grep -E '^(stores|decline_watermark|pool_stores|pool_same_filled|pool_reject_compress_poor|pool_load_hits) ' /sys/kernel/debug/cram/stats"
show "cat /sys/kernel/debug/cram/pool"
show "cat /sys/kernel/debug/cram/pool_classes"
show "echo 90 > $p/high_wm_pct; echo 80 > $p/low_wm_pct"
echo
echo "# rmmod is refused while cram holds pages; swapoff brings them back"
sh -c "echo \$\$ > $cg/cgroup.procs; exec swapstress 32 43 /tmp/demo-go" > /tmp/demo.out &
while ! grep -q filled /tmp/demo.out; do sleep 1; done
show "grep -E '^(stored_pages|region_pages_used) ' /sys/kernel/debug/cram/stats"
show "rmmod cram"
echo max > $cg/memory.max
show "swapoff $CRAM_SWAP"
touch /tmp/demo-go
wait
show "cat /tmp/demo.out"
show "grep -E '^(stored_pages|region_pages_used) ' /sys/kernel/debug/cram/stats"
show "rmmod cram"
show "daxctl enable-device $CRAM_DAX"
show "dmesg | grep cram:"
echo
echo "=== demo done ==="
