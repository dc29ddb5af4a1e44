# SPDX-License-Identifier: GPL-2.0
# platform.sh - guest side of the emulated machine: loads the kernel's CXL/DAX modules,
# turns the CXL device into a device-dax instance, enables swap on the virtio disk,
# finds the register BAR, and records what it found in /run/cram/platform.env for the
# tests. Sourced by init. It reports problems but does not judge them: 00-platform.t
# asserts the result.
#
#   cxl=ram   (kernels with CXL RAM regions, 6.12): volatile memdev -> RAM region
#             created through sysfs (bookworm's cxl-cli cannot) -> dax0.0 -> devdax
#   cxl=pmem  (6.1): persistent memdev -> pmem region -> devdax namespace
# kmem is never loaded: it would online the region as System RAM for good.

CXL_SYS=/sys/bus/cxl/devices

say() { echo "cram-guest: $*"; }

wait_for() {	# wait_for PATH [SECONDS]
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(( ${2:-10} * 10 )) ]; do
		usleep 100000
		i=$((i + 1))
	done
	[ -e "$1" ] || say "timed out waiting for $1"
}

load_modules() {
	for m in "$@"; do
		modprobe "$m" || say "modprobe $m failed"
	done
}

sysfs_write() {	# sysfs_write FILE VALUE
	echo "$2" > "$1" || say "FAILED: echo $2 > $1"
}

setup_cxl_ram() {
	load_modules cxl_acpi cxl_pci cxl_mem device_dax dax_cxl
	wait_for $CXL_SYS/mem0
	wait_for $CXL_SYS/decoder0.0/create_ram_region
	ep=$(cd $CXL_SYS && ls -d endpoint*/decoder*.0 2>/dev/null | head -n 1)
	ep=${ep#*/}
	[ -n "$ep" ] || { say "no endpoint decoder for mem0"; return; }
	size=$(cat $CXL_SYS/mem0/ram/size)
	region=$(cat $CXL_SYS/decoder0.0/create_ram_region)
	sysfs_write $CXL_SYS/decoder0.0/create_ram_region "$region"
	sysfs_write $CXL_SYS/"$region"/interleave_granularity "$(cat $CXL_SYS/decoder0.0/interleave_granularity)"
	sysfs_write $CXL_SYS/"$region"/interleave_ways 1
	sysfs_write $CXL_SYS/"$ep"/mode ram
	sysfs_write $CXL_SYS/"$ep"/dpa_size "$size"
	sysfs_write $CXL_SYS/"$region"/size "$size"
	sysfs_write $CXL_SYS/"$region"/target0 "$ep"
	sysfs_write $CXL_SYS/"$region"/commit 1
	sysfs_write /sys/bus/cxl/drivers/cxl_region/bind "$region"
	wait_for /sys/bus/dax/devices/dax0.0
	daxctl reconfigure-device --mode=devdax dax0.0 > /dev/null || say "daxctl devdax failed"
}

setup_cxl_pmem() {
	load_modules cxl_acpi cxl_pci cxl_mem cxl_pmem nd_pmem dax_pmem device_dax
	wait_for $CXL_SYS/mem0
	wait_for $CXL_SYS/decoder0.0
	cxl create-region -m -t pmem -d decoder0.0 -w 1 mem0 > /dev/null || say "cxl create-region failed"
	nd_region=$(ls /sys/bus/nd/devices/ 2>/dev/null | grep '^region' | head -n 1)
	ndctl create-namespace -r "$nd_region" -m devdax -a 2M > /dev/null ||
		say "ndctl create-namespace failed"
	wait_for /sys/bus/dax/devices/dax0.0
}

find_regs_bar() {	# the ivshmem-plain device (1af4:1110) carrying the register block
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x1af4:0x1110" ] && echo "$d" && return
	done
}

platform_setup() {
	mkdir -p /run/cram
	load_modules virtio_pci virtio_blk lz4_compress	# lz4_compress: cram's pool needs it
	case $1 in
	ram) setup_cxl_ram ;;
	pmem) setup_cxl_pmem ;;
	*) say "no CXL setup requested" ;;
	esac
	wait_for /dev/vda
	mkswap /dev/vda > /dev/null && swapon /dev/vda || say "swap on /dev/vda failed"

	region=$(cd $CXL_SYS 2>/dev/null && ls -d region* 2>/dev/null | head -n 1)
	dax=/sys/bus/dax/devices/dax0.0
	cat > /run/cram/platform.env <<EOV
CRAM_CXL_MODE=$1
CRAM_CXL_REGION=$region
CRAM_CXL_REGION_START=$(cat $CXL_SYS/"$region"/resource 2>/dev/null)
CRAM_CXL_REGION_SIZE=$(cat $CXL_SYS/"$region"/size 2>/dev/null)
CRAM_DAX=dax0.0
CRAM_DAX_START=$(cat $dax/resource 2>/dev/null)
CRAM_DAX_SIZE=$(cat $dax/size 2>/dev/null)
CRAM_REGS=$(find_regs_bar)
CRAM_SWAP=/dev/vda
EOV
	sed 's/^/cram-guest: /' /run/cram/platform.env
}
