# SPDX-License-Identifier: GPL-2.0
# demo.sh - what `make demo` shows on the console: the emulated CXL machine,
# cram-setup finding the device-dax region and loading cram, which binds the register
# block of that device (two devices, two blocks); a workload held swapped out in the CXL tier, shown by cramstat;
# the DRAM pool taking what the device refuses; the view without root; then swapoff
# (every byte read back and checked) and unload.
. /cram/tests/lib.sh	# platform.env, hold_start (workloads held swapped out)
show() { echo; echo "\$ $*"; sh -c "$*" 2>&1; }

echo "=== cram demo on $(uname -r) ==="
show "cat /run/cram/platform.env"
show "grep -E 'CXL|dax|region' /proc/iomem"
show "cat /proc/swaps"
show "modinfo /cram/cram.ko"
echo
echo "# two CXL devices: cram-setup will not guess; --dry-run shows what it would do"
show "cram-setup --dry-run --module /cram/cram.ko"
show "cram-setup --dry-run --dax $CRAM_DAX --module /cram/cram.ko"
echo "# the host runs a model of each compressing device: cram binds the register block"
echo "# whose SERIAL is the serial of the device its region is on"
show "cram-setup --dax $CRAM_DAX --module /cram/cram.ko"
show "grep . /sys/module/cram/parameters/*"
show "grep cram /proc/iomem"
show "cramstat"
echo
echo "# 64 MiB of patterned pages in a 24 MiB memory cgroup, held swapped out"
hold_start a 24M 64 42
show "grep -E '^(pswpout|pswpin|zswpout|zswpin) ' /proc/vmstat"
echo "# cramstat: pages per tier, what they cost on the device, the device's registers"
show "cramstat"
echo
echo "# lower the watermarks: what the device refuses is compressed into the DRAM pool"
p=/sys/module/cram/parameters
show "echo 1 > $p/low_wm_pct; echo 2 > $p/high_wm_pct"
hold_start b 24M 48 44
show "cramstat -c"
echo "# any user can read the summary (no debugfs needed)"
show "runas 65534 cramstat"
show "grep . /sys/module/cram/stats/*"
echo
echo "# rmmod is refused while cram holds pages; swapoff brings them back"
show "rmmod cram"
echo max > /sys/fs/cgroup/cram-test/memory.max
show "swapoff $CRAM_SWAP"
touch /tmp/a.go /tmp/b.go
wait
show "cat /tmp/a.out /tmp/b.out"
show "cramstat --json"
show "echo 90 > $p/high_wm_pct; echo 80 > $p/low_wm_pct"
show "rmmod cram"
show "daxctl enable-device $CRAM_DAX"
show "dmesg | grep cram:"
echo
echo "=== demo done ==="
