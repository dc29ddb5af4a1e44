#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 48-devices.t - cram on both CXL devices of the machine at once (region=A,B), each
# with its own register block, allocator, gate and safe mode:
#   (a) each region binds its own block (by serial); both take pages
#   (b) placement by distance: the nearer device takes every page, either way round
#   (c) the nearer device in safe mode (frozen heartbeat): pages go to the other
#   (d) the nearer device at its high watermark: the rest goes to the other, and the
#       first never passes its physical capacity (the harness checks the model)
#   (e) stress-ng --verify with pages across both
#   (f) B's region taken away under cram: B's pages are written to disk, A goes on
#   (g) register blocks crossed in regs= are refused; bad lists and a region that
#       cannot be claimed fail the load, naming it, with nothing half-loaded
#   (h) cram-setup --dax all loads cram on both; --stop gives both back
# Byte-exact by checksum in every case. The emulated machine cannot give its CXL
# windows distinct NUMA distances (the kernel reads the SLIT before it makes their
# nodes: each is REMOTE_DISTANCE from every CPU node), so (b)-(d) set each device's
# distance through the test hook devN_distance.
# Kernel lines: one. Placement, per-device state and the drain of one device are
# cram's own logic.
. /cram/tests/lib.sh
plan 56

a=$CRAM_DAX b=$CRAM_DAX_B
pa=${CRAM_REGS##*/} pb=${CRAM_REGS_B##*/}
dbg=/sys/kernel/debug/cram
stats=/sys/module/cram/stats
cxl=/sys/bus/cxl/devices
# dstat DEV NAME: a value of device DEV's stats/devices/DEV/ file
dstat() { cat $stats/devices/$1/$2; }
# bdev NAME: a value of device B's debugfs device file (dev_stat reads A's)
bdev() { awk -v k="$1" '$1 == k { print $2 }' $dbg/devices/$b/device; }
# work WHAT SEED: a verifying workload; sets da, db: pages each device took meanwhile
work() {
	_a0=$(dstat $a cxl_stores) _b0=$(dstat $b cxl_stores)
	r=$(in_memcg 16M swapstress 24 "$2" 2>&1)
	like "$1: the workload reads back intact" "$r" '^pages 6144 mismatches 0 '
	da=$(( $(dstat $a cxl_stores) - _a0 )) db=$(( $(dstat $b cxl_stores) - _b0 ))
}
load() {
	daxctl disable-device $a > /dev/null 2>&1
	daxctl disable-device $b > /dev/null 2>&1
	dmesg -c > /dev/null
	is "$1: insmod region=$a,$b $2" "$(kmodload $CRAM_KO "region=$a,$b pool=N $2")" loaded
}

# --- (a) one block each
load "(a)"
like "(a) $a binds its block" "$(dmesg)" \
	"cram: device $pa: register block v2 \\(serial 0xcafe0001\\) for region $a"
like "(a) $b binds its own" "$(dmesg)" \
	"cram: device $pb: register block v2 \\(serial 0xcafe0002\\) for region $b"
is "(a) both bound, both active" \
	"$(cat $stats/device_bound) $(dstat $a cxl_state) $(dstat $b cxl_state)" "2 active active"
is "(a) serials shown per device" "$(dstat $a device_serial) $(dstat $b device_serial)" \
	"0xcafe0001 0xcafe0002"
work "(a)" 481
check "(a) at equal distance both take pages ($a $da, $b $db)" test "$da" -gt 0 -a "$db" -gt 0
is "(a) the totals are the sum" "$(cat $stats/cxl_region_pages)" \
	"$(( $(dstat $a cxl_region_pages) + $(dstat $b cxl_region_pages) ))"

# --- (b) the nearer device takes every page
echo 20 > $dbg/dev0_distance
echo 10 > $dbg/dev1_distance
work "(b) $b nearer" 482
check "(b) $b nearer: $b took them all ($a $da, $b $db)" test "$da" = 0 -a "$db" -gt 2048
echo 10 > $dbg/dev0_distance
echo 20 > $dbg/dev1_distance
work "(b) $a nearer" 483
check "(b) $a nearer: $a took them all ($a $da, $b $db)" test "$db" = 0 -a "$da" -gt 2048

# --- (c) the nearer device (A) in safe mode
devctl freeze
check "(c) $a: safe mode (heartbeat stopped)" wait_dev safe_mode '^1$' 10
is "(c) $a's state; the tier stays active" \
	"$(dstat $a cxl_state) $(dstat $b cxl_state) $(cat $stats/cxl_state)" \
	"safe_mode active active"
work "(c)" 484
check "(c) $b took the pages ($a $da, $b $db)" test "$da" = 0 -a "$db" -gt 2048
devctl thaw
check "(c) $a: safe mode ends" wait_dev safe_mode '^0$' 10
is "(c) one safe-mode entry, on $a only" \
	"$(dstat $a safe_mode_entries) $(dstat $b safe_mode_entries)" "1 0"

# --- (d) the nearer device (A) at its high watermark
zeroed
devctl phys-cap 4M
check "(d) $a: the model took phys-cap 4M" wait_dev reg_phys_cap "^$((4 << 20))\$"
swap_cycle
hold_start devices 16M 32 485 -p random
held_a=$(dstat $a cxl_stored_pages) held_b=$(dstat $b cxl_stored_pages)
check "(d) $a's gate closed ($(dstat $a gate_closings) closings)" test "$(dstat $a gate_closings)" -gt 0
check "(d) $a holds what fits in 4 MiB, $b the rest ($a $held_a, $b $held_b)" \
	test "$held_a" -gt 0 -a "$held_a" -le 1024 -a "$held_b" -gt 2048
check "(d) $a's physical use stayed under its capacity" \
	test "$(dev_stat reg_phys_used)" -le $((4 << 20))
hold_release devices
like "(d) incompressible: the held workload reads back intact" "$(cat /tmp/devices.out)" \
	'^pages 8192 mismatches 0 '
swap_cycle
devctl phys-cap 128M
check "(d) $a: the model took phys-cap 128M" wait_dev reg_phys_cap "^$((128 << 20))\$"
echo 0 > $dbg/dev0_distance
echo 0 > $dbg/dev1_distance

# --- (e) stress-ng across both
_a0=$(dstat $a cxl_stores) _b0=$(dstat $b cxl_stores)
in_memcg 24M stress-ng --vm 2 --vm-bytes 16M --vm-method all --verify --timeout 20s \
	--metrics-brief > /tmp/devices-stress-ng.log 2>&1
is "(e) stress-ng --vm --vm-method all --verify: exit 0" "$?" 0
check_fails "(e) no verify failure in its log" grep -qE ' fail: |failed: [1-9]' /tmp/devices-stress-ng.log
check "(e) both devices took pages ($a $(( $(dstat $a cxl_stores) - _a0 )), $b $(( $(dstat $b cxl_stores) - _b0 )))" \
	test "$(dstat $a cxl_stores)" -gt "$_a0" -a "$(dstat $b cxl_stores)" -gt "$_b0"

# --- (f) B's region taken away: B drained, A goes on
daxstart=$(cat /sys/bus/dax/devices/$b/resource)
for r in $cxl/region*; do
	[ $((daxstart)) -ge $(($(cat $r/resource))) ] &&
		[ $((daxstart)) -lt $(($(cat $r/resource) + $(cat $r/size))) ] && region=${r##*/}
done
swap_cycle
hold_start devices 16M 32 486
held_a=$(dstat $a cxl_stored_pages) held_b=$(dstat $b cxl_stored_pages)
check "(f) pages held on both ($a $held_a, $b $held_b)" test "$held_a" -gt 0 -a "$held_b" -gt 0
check "(f) unbind $region (B's)" sh -c "echo $region > /sys/bus/cxl/drivers/cxl_region/unbind"
like "(f) dmesg: B's pages written to disk first" "$(dmesg)" \
	"cram: CXL $region is unbinding from its driver: the CXL core stops decoding region $b after this; writing its [0-9]+ pages to the swap device first"
like "(f) dmesg: all of them" "$(dmesg)" "cram's pages are on the swap device; region $b is out of use"
is "(f) $b gone and empty, $a still holds its pages, cram armed" \
	"$(dstat $b cxl_state) $(dstat $b cxl_stored_pages) $(dstat $a cxl_stored_pages) $(cat /sys/module/cram/parameters/enabled)" \
	"gone 0 $held_a Y"
hold_release devices
like "(f) the held workload reads back intact" "$(cat /tmp/devices.out)" '^pages 8192 mismatches 0 '
work "(f) after" 487
check "(f) $a takes the new pages, $b none ($a $da, $b $db)" test "$da" -gt 2048 -a "$db" = 0
is "(f) the tier is active on $a" "$(cat $stats/cxl_state)" active
swap_cycle
check "(f) rmmod" rmmod cram
check "(f) $region comes back: bind it again" \
	sh -c "echo $region > /sys/bus/cxl/drivers/cxl_region/bind && sleep 1 && test -e /sys/bus/dax/devices/$b"

# --- (g) crossed blocks, bad lists, a region that cannot be claimed
load "(g) crossed" "regs=$pb,$pa"
like "(g) B's block refused for $a" "$(dmesg)" \
	"cram: PCI $pb: register block v2 \\(serial 0xcafe0002\\) not taken for region=$a"
like "(g) A's block refused for $b" "$(dmesg)" \
	"cram: PCI $pa: register block v2 \\(serial 0xcafe0001\\) not taken for region=$b"
is "(g) neither bound: no telemetry on either" \
	"$(cat $stats/device_bound) $(dstat $a cxl_state) $(dstat $b cxl_state)" \
	"0 no_telemetry no_telemetry"
check "(g) rmmod" rmmod cram
refuse "region=$a,$a" EINVAL "cram: region=$a,$a rejected: the same region twice, or overlapping ranges"
refuse "region=$a,$b regs=$pa" EINVAL \
	"cram: regs=$pa rejected for 2 regions: one entry per region= entry needed \\(or auto or none for all\\)"
daxctl enable-device $b > /dev/null 2>&1
refuse "region=$a,$b" EBUSY "cram: region=$b \\(0x[0-9a-f]+-0x[0-9a-f]+\\) is busy"
check "(g) nothing half-loaded: $a can be enabled again" daxctl enable-device $a
check "(g) both back to device-dax" test -e /dev/$a -a -e /dev/$b

# --- (h) cram-setup --dax all, and --stop gives both back
out=$(cram-setup --dax all --module $CRAM_KO pool=N 2>&1)
like "(h) cram-setup --dax all: loads cram on both" "$out" "cram-setup: cram is on $a,$b; watch"
like "  and names each one's block" "$out" "telemetry for $b: register block $pb, device serial 0xcafe0002"
is "(h) region= is the list" "$(cat /sys/module/cram/parameters/region)" "$a,$b"
out=$(cram-setup --stop 2>&1)
check "(h) cram-setup --stop: unloaded, both back to device-dax ($out)" \
	test ! -e /sys/module/cram -a -e /dev/$a -a -e /dev/$b
like "(g) no kernel complaint" "$(dmesg_bad | head -n 3)" '^$'
