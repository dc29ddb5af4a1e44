#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 80-region-gone.t - the CXL tools cannot pull device B's region out from under cram:
#   (a) device-dax cannot take the range back (daxctl reconfigure-device is refused);
#   (b) the region's driver unbound (cxl disable-region, the first step of cxl
#       destroy-region): cram drains before the call returns, and stays off it; and
#       it refuses to load on a disabled region (whose decoders could reset unseen);
#   (c) commit=0 on a bound region (its decoders reset once its driver is released);
#   (d) the memdev's PCI function unbound (its endpoint decoder, and the region's
#       decode, go with it).
# Each with a verifying workload's pages held in B's CXL memory: they read back
# intact, from disk. Without the watch (region.c) (c) and (d) read back the memory
# of a range nothing decodes any more. Runs late: it leaves B without a region.
# Kernel lines: one. The CXL core's order of events is alike from 6.1 to 7.3
# (docs/DESIGN.md); passes on 6.1 (a pmem region) and 7.3 with --every-line.
. /cram/tests/lib.sh
plan 34

dax=$CRAM_DAX_B
cxl=/sys/bus/cxl/devices
daxstart=$(cat /sys/bus/dax/devices/$dax/resource)
for r in $cxl/region*; do	# the region holding the dax instance (6.1: a pmem region)
	[ $((daxstart)) -ge $(($(cat $r/resource))) ] &&
		[ $((daxstart)) -lt $(($(cat $r/resource) + $(cat $r/size))) ] && region=${r##*/}
done
dec=$(cat $cxl/$region/target0)
mem=$(basename "$(readlink -f $cxl/$dec/../uport)")
pci=$(basename "$(dirname "$(readlink -f $cxl/$mem)")")
start=$(cat $cxl/$region/resource) size=$(cat $cxl/$region/size)
diag "B: $dax in $region, endpoint decoder $dec of $mem, PCI $pci"

load() {	# load WHAT: insmod cram on B's dax instance
	daxctl disable-device $dax > /dev/null 2>&1
	dmesg -c > /dev/null
	is "$1: insmod region=$dax pool=N" "$(kmodload $CRAM_KO "region=$dax pool=N")" loaded
}

# removal WHAT SEED CMD...: hold a workload's pages in B, remove with CMD, check that
# cram drained first and that the workload reads back intact
removal() {
	what=$1 seed=$2
	shift 2
	hold_start gone 16M 32 "$seed"
	held=$(cram_stat region_pages_used)
	check "$what: pages held in B's CXL memory ($held)" test "$held" -gt 2048
	check "$what: $*" "$@"
	like "  dmesg: cram drained first" "$(dmesg)" \
		"cram: CXL [a-z0-9.]+ is [a-z ]+: the CXL core stops decoding region $dax after this; writing its [0-9]+ pages to the swap device first"
	like "  dmesg: and all of it reached the disk" "$(dmesg)" \
		"cram: CXL [a-z0-9.]+: cram's pages are on the swap device; region $dax is out of use"
	hold_release gone
	like "  the workload reads back intact" "$(cat /tmp/gone.out)" '^pages 8192 mismatches 0 '
	is "  cxl_state gone, nothing left in CXL memory" \
		"$(cat /sys/module/cram/stats/cxl_state) $(cram_stat region_pages_used)" "gone 0"
}

load "(a)"
like "(a) cram watches $region, $dec and $mem" "$(dmesg)" \
	"cram: region=$dax: watching [0-9]+ devices on the CXL bus \\($region "
check_fails "(a) daxctl reconfigure-device -m devdax $dax is refused" \
	daxctl reconfigure-device -m devdax $dax
check_fails "  and so is binding device_dax" sh -c "echo $dax > /sys/bus/dax/drivers/device_dax/bind"

removal "(b) disable-region" 81 sh -c "echo $region > /sys/bus/cxl/drivers/cxl_region/unbind"
echo Y > /sys/module/cram/parameters/enabled
gone=$(cram_stat decline_region_gone)
r=$(in_memcg 16M swapstress 24 82 2>&1)
like "(b) re-armed: a workload reads back intact" "$r" '^pages 6144 mismatches 0 '
check "  with no page in B ($(cram_stat region_pages_used) used, $(( $(cram_stat decline_region_gone) - gone )) declined)" \
	test "$(cram_stat region_pages_used)" = 0 -a "$(cram_stat decline_region_gone)" -gt "$gone"
check "(b) rmmod" rmmod cram
refuse "region=$size@$start" ENODEV \
	"cram: region=$start: CXL $region is disabled \\(no driver bound\\); enable it first"
check "(b) the region comes back: bind it again" \
	sh -c "echo $region > /sys/bus/cxl/drivers/cxl_region/bind && sleep 1 && test -e /sys/bus/dax/devices/$dax"

load "(c)"
removal "(c) commit=0" 83 sh -c "echo 0 > $cxl/$region/commit"
check "(c) rmmod" rmmod cram
check "(c) the region comes back: commit it again and bind it" \
	sh -c "echo 1 > $cxl/$region/commit && echo $region > /sys/bus/cxl/drivers/cxl_region/bind && sleep 1 && test -e /sys/bus/dax/devices/$dax"

load "(d)"
removal "(d) PCI unbind of $mem's function" 84 \
	sh -c "echo $pci > /sys/bus/pci/drivers/cxl_pci/unbind"
check "(d) rmmod" rmmod cram
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
