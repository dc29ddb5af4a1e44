# SPDX-License-Identifier: GPL-2.0
# demo.sh - what `make demo` shows on the console: the emulated CXL machine, cram
# loaded on it, its parameters and debugfs.
. /run/cram/platform.env
show() { echo; echo "\$ $*"; sh -c "$*" 2>&1; }

echo "=== cram demo on $(uname -r) ==="
show "cat /run/cram/platform.env"
show "grep -E 'CXL|dax|region' /proc/iomem"
show "daxctl list"
show "cat /proc/swaps"
show "modinfo /cram/cram.ko"
show "insmod /cram/cram.ko region=$CRAM_DAX high_wm_pct=90 low_wm_pct=75"
show "grep . /sys/module/cram/parameters/*"
show "ls -l /sys/kernel/debug/cram/"
show "cat /sys/kernel/debug/cram/config"
show "dmesg | grep cram:"
show "rmmod cram"
echo
echo "=== demo done ==="
