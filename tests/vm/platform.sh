# SPDX-License-Identifier: GPL-2.0
# platform.sh - guest side of the emulated machine: loads the kernel's CXL/DAX modules,
# turns the CXL device into a device-dax instance, enables swap on the virtio disk,
# finds the register BAR, and records what it found in /run/cram/platform.env for the
# tests. Sourced by init. It reports problems but does not judge them: 00-platform.t
# asserts the result.
#
#   cxl=ram   (kernels with CXL RAM regions, 6.12): volatile memdev -> RAM region
#             created through sysfs (not tried with cxl-cli 76.1's -t ram) -> daxN.0 -> devdax
#   cxl=ramphys (PREEMPT_RT: no device-dax): the same RAM regions, claimed by their
#             physical range; CRAM_DAX is empty and CRAM_DAX_START/SIZE are region A's
#   cxl=pmem  (6.1): persistent memdev -> pmem region -> devdax namespace
#   cxl=nvdimm (the benchmark's machine): no CXL; an NVDIMM -> devdax namespace dax0.0
# Two devices, each in its own window: A (serial 0xcafe0001) becomes dax0.0, the
# tests' device, with the first register block; B (0xcafe0002) dax1.0 with the second.
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

# The memdev with this serial (memN numbering follows the asynchronous probe order).
memdev_of() {	# memdev_of SERIAL
	for m in $CXL_SYS/mem*; do
		[ "$(cat "$m/serial" 2>/dev/null)" = "$1" ] && echo "${m##*/}" && return
	done
	say "no memdev with serial $1"
}

# A RAM region of one way on MEM, in whichever root decoder (window) reaches it.
ram_region() {	# ram_region MEM
	ep=
	for e in $CXL_SYS/endpoint*; do
		[ "$(readlink -f "$e/uport")" = "$(readlink -f "$CXL_SYS/$1")" ] && ep=${e##*/}
	done
	[ -n "$ep" ] || { say "no endpoint port for $1"; return; }
	ep=$(cd $CXL_SYS && ls -d $ep/decoder*.0 | head -n 1)
	ep=${ep#*/}
	size=$(cat $CXL_SYS/$1/ram/size)
	sysfs_write $CXL_SYS/"$ep"/mode ram
	sysfs_write $CXL_SYS/"$ep"/dpa_size "$size"
	for rd in $(cd $CXL_SYS && ls -d decoder0.* 2>/dev/null); do
		[ -e $CXL_SYS/$rd/create_ram_region ] || continue
		region=$(cat $CXL_SYS/$rd/create_ram_region)
		echo "$region" > $CXL_SYS/$rd/create_ram_region 2>/dev/null || continue
		sysfs_write $CXL_SYS/"$region"/interleave_granularity "$(cat $CXL_SYS/$rd/interleave_granularity)"
		sysfs_write $CXL_SYS/"$region"/interleave_ways 1
		sysfs_write $CXL_SYS/"$region"/size "$size"
		if echo "$ep" > $CXL_SYS/"$region"/target0 2>/dev/null; then
			sysfs_write $CXL_SYS/"$region"/commit 1
			sysfs_write /sys/bus/cxl/drivers/cxl_region/bind "$region"
			return
		fi
		echo "$region" > $CXL_SYS/$rd/delete_region	# this window does not reach $1
	done
	say "no root decoder reaches $1"
}

setup_cxl_ram() {
	load_modules cxl_acpi cxl_pci cxl_mem device_dax dax_cxl
	wait_for $CXL_SYS/mem1
	wait_for $CXL_SYS/decoder0.1/create_ram_region
	n=0
	for sn in 0xcafe0001 0xcafe0002; do
		ram_region "$(memdev_of $sn)"
		wait_for /sys/bus/dax/devices/dax$n.0
		daxctl reconfigure-device --mode=devdax dax$n.0 > /dev/null || say "daxctl devdax dax$n.0 failed"
		n=$((n + 1))
	done
}

setup_cxl_ramphys() {
	load_modules cxl_acpi cxl_pci cxl_mem
	wait_for $CXL_SYS/mem1
	wait_for $CXL_SYS/decoder0.1/create_ram_region
	for sn in 0xcafe0001 0xcafe0002; do
		ram_region "$(memdev_of $sn)"
	done
}

setup_cxl_pmem() {
	load_modules cxl_acpi cxl_pci cxl_mem cxl_pmem nd_pmem dax_pmem device_dax
	wait_for $CXL_SYS/mem1
	wait_for $CXL_SYS/decoder0.1
	for sn in 0xcafe0001 0xcafe0002; do
		mem=$(memdev_of $sn)
		for rd in $(cd $CXL_SYS && ls -d decoder0.*); do
			cxl create-region -m -t pmem -d $rd -w 1 $mem > /dev/null 2>&1 && break
		done
		nd_region=$(ls /sys/bus/nd/devices/ 2>/dev/null | grep '^region' | sort | tail -n 1)
		ndctl create-namespace -r "$nd_region" -m devdax -a 2M > /dev/null ||
			say "ndctl create-namespace on $nd_region ($mem) failed"
	done
	wait_for /sys/bus/dax/devices/dax0.0
	wait_for /sys/bus/dax/devices/dax1.0
}

# The benchmark's machine (scripts/vmtest --bench): one emulated NVDIMM, RAM-backed,
# as a device-dax instance, in place of the CXL memory QEMU emulates access by access.
setup_nvdimm() {
	load_modules nfit nd_pmem dax_pmem device_dax
	wait_for /sys/bus/nd/devices/namespace0.0
	ndctl create-namespace -f -e namespace0.0 -m devdax -a 2M > /dev/null ||
		say "ndctl create-namespace on namespace0.0 failed"
	wait_for /sys/bus/dax/devices/dax0.0
}

find_regs_bar() {	# find_regs_bar N: the Nth (from 1) ivshmem-plain device (1af4:1110)
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x1af4:0x1110" ] && echo "$d"
	done | sed -n "$1p"
}

platform_setup() {
	mkdir -p /run/cram
	load_modules virtio_pci virtio_blk lz4_compress	# lz4_compress: cram's pool needs it
	case $1 in
	ram) setup_cxl_ram ;;
	ramphys) setup_cxl_ramphys ;;
	pmem) setup_cxl_pmem ;;
	nvdimm) setup_nvdimm ;;
	*) say "no CXL setup requested" ;;
	esac
	wait_for /dev/vda
	mkswap /dev/vda > /dev/null && swapon /dev/vda || say "swap on /dev/vda failed"

	region=$(cd $CXL_SYS 2>/dev/null && ls -d region* 2>/dev/null | head -n 1)
	dax=/sys/bus/dax/devices/dax0.0 dax_name=dax0.0 dax_b=dax1.0
	[ "$1" != ramphys ] || dax=$CXL_SYS/$region dax_name= dax_b=
	start=$(cat $dax/resource 2>/dev/null) size=$(cat $dax/size 2>/dev/null)
	cat > /run/cram/platform.env <<EOV
CRAM_CXL_MODE=$1
CRAM_CXL_REGION=$region
CRAM_CXL_REGION_START=$(cat $CXL_SYS/"$region"/resource 2>/dev/null)
CRAM_CXL_REGION_SIZE=$(cat $CXL_SYS/"$region"/size 2>/dev/null)
CRAM_DAX=$dax_name
CRAM_DAX_START=$start
CRAM_DAX_SIZE=$size
CRAM_CLAIM=${dax_name:-$size@$start}
CRAM_REGS=$(find_regs_bar 1)
CRAM_DAX_B=$dax_b
CRAM_REGS_B=$(find_regs_bar 2)
CRAM_SWAP=/dev/vda
EOV
	sed 's/^/cram-guest: /' /run/cram/platform.env
}
