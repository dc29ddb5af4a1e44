#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 00-platform.t - the emulated machine is what every other test assumes: a CXL-backed
# device-dax instance whose bytes land in the host's backing file, the register BAR,
# a second CXL device with its own dax instance and register BAR, swap on the virtio
# disk, zswap off.
. /cram/tests/lib.sh
plan 17

expected=$(sed -n 's/.*cram\.kver=\([^ ]*\).*/\1/p' /proc/cmdline)
is "guest runs the kernel the host asked for" "$(uname -r)" "$expected"

if [ "$CRAM_CXL_MODE" = ram ]; then
	is "CXL RAM region committed" "$(cat /sys/bus/cxl/devices/$CRAM_CXL_REGION/commit 2>&1)" 1
	is "CXL region is volatile (ram)" \
		"$(cat /sys/bus/cxl/devices/$CRAM_CXL_REGION/mode 2>/dev/null || echo ram)" ram
else
	check "CXL pmem region exists" test -d "/sys/bus/cxl/devices/$CRAM_CXL_REGION"
	like "pmem region backs an nd region" "$(ls /sys/bus/nd/devices/ 2>&1)" '^region[0-9]+'
fi
like "CXL region has a host physical address" "$CRAM_CXL_REGION_START" '^0x[0-9a-f]+$'
check "dax0.0 exists" test -d /sys/bus/dax/devices/dax0.0
is "dax0.0 is bound to device_dax" \
	"$(basename "$(readlink /sys/bus/dax/devices/dax0.0/driver)")" device_dax
check "/dev/dax0.0 is a character device" test -c /dev/dax0.0
check "dax0.0 has at least 256 MiB" test "$CRAM_DAX_SIZE" -ge $((256 << 20))
like "/proc/iomem shows the CXL window" "$(cat /proc/iomem)" 'CXL Window'
is "two CXL memory devices, serials 0xcafe0001 and 0xcafe0002" \
	"$(cat /sys/bus/cxl/devices/mem*/serial | sort | tr '\n' ' ')" "0xcafe0001 0xcafe0002 "
check "device B: $CRAM_DAX_B exists" test -d /sys/bus/dax/devices/$CRAM_DAX_B
check "device B: its register BAR is the second ivshmem" test -n "$CRAM_REGS_B"

# A marker written through devdax must appear at the matching offset of the host's
# backing file (file offset = HPA - region start). It sits 1 MiB before the end: cram
# fills its region from the start, and zeroes what it frees.
marker="cram-dax-$(cat /proc/sys/kernel/random/uuid)"
dax_off=$((CRAM_DAX_SIZE - (1 << 20)))
file_off=$((CRAM_DAX_START + dax_off - CRAM_CXL_REGION_START))
check "marker written through /dev/dax0.0" mempoke /dev/dax0.0 "$CRAM_DAX_SIZE" $dax_off write "$marker"
host_check cxl $file_off "$marker"

check "register BAR (ivshmem 1af4:1110) present" test -n "$CRAM_REGS"
is "register BAR2 is 1 MiB" "$(stat -c %s "$CRAM_REGS/resource2" 2>&1)" $((1 << 20))
regs_marker="cram-regs-$(cat /proc/sys/kernel/random/uuid)"
mempoke "$CRAM_REGS/resource2" $((1 << 20)) $((0x800)) write "$regs_marker"
host_check regs $((0x800)) "$regs_marker"

regs_marker_b="cram-regs-b-$(cat /proc/sys/kernel/random/uuid)"
mempoke "$CRAM_REGS_B/resource2" $((1 << 20)) $((0x800)) write "$regs_marker_b"
host_check regs-b $((0x800)) "$regs_marker_b"

like "swap active on /dev/vda" "$(cat /proc/swaps)" '^/dev/vda '
is "zswap disabled" "$(cat /sys/module/zswap/parameters/enabled)" N
