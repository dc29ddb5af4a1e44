#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 47-identity.t - two CXL memory devices, A (dax0.0, serial 0xcafe0001, the first
# register block) and B (dax1.0, 0xcafe0002, the second): cram binds only the block
# that describes the device its region is on.
#   (a) region on A: A's block bound, B's refused with the reason
#   (b) region on B: B's block bound, and it is B's device that counts cram's pages
#   (c) the wrong pairing named with regs=: refused all the same, no telemetry
#   (d) version 1 blocks (no SERIAL) with two devices: refused unless named
#   (e) the bound block's SERIAL changes: safe mode until it is back
#   (f) both blocks' functions bound at once: one probe at a time, A's bound
# Kernel lines: one. Which register block describes which device: cram's own logic.
. /cram/tests/lib.sh
plan 44

pa=${CRAM_REGS##*/} pb=${CRAM_REGS_B##*/}
a=0xcafe0001 b=0xcafe0002
bound() { dev_line regs; }
scanned_past() { [ "$(dev_stat reg_scanned_write_seq)" -gt "$1" ] && echo yes; }
daxctl disable-device $CRAM_DAX > /dev/null 2>&1
daxctl disable-device $CRAM_DAX_B > /dev/null 2>&1
devctl phys-cap 128M
dmesg -c > /dev/null

# --- (a) region on A
is "(a) insmod region=$CRAM_DAX" "$(kmodload $CRAM_KO "region=$CRAM_DAX")" loaded
like "(a) dmesg: the region is on device $a, one of 2" "$(dmesg)" \
	"cram: region=$CRAM_DAX: on the CXL memory device with serial $a \\(2 in the machine\\)"
is "(a) A's block ($pa) is bound" "$(bound)" "$pa"
is "(a)   its SERIAL is A's" "$(dev_stat reg_serial)" $a
like "(a) B's block is not taken (A's was bound first)" "$(dmesg)" \
	"cram: PCI $pb: cram already uses $pa's register block for region $CRAM_DAX: not taken"
check "(a) rmmod" rmmod cram

# --- (b) region on B
dmesg -c > /dev/null
is "(b) insmod region=$CRAM_DAX_B" "$(kmodload $CRAM_KO "region=$CRAM_DAX_B")" loaded
is "(b) B's block ($pb) is bound" "$(bound)" "$pb"
is "(b)   its SERIAL is B's" "$(dev_stat reg_serial)" $b
like "(b) A's block is refused" "$(dmesg)" "cram: PCI $pa: register block v2 \\(serial $a\\) not taken"
check "(b) safe mode off" wait_dev safe_mode '^0$'
scanned0=$(dev_stat reg_scanned_write_seq)
r=$(in_memcg 16M swapstress -p quarter 32 71 2>&1)
like "(b) a workload reads back intact" "$r" '^pages 8192 mismatches 0 '
check "(b) cram placed pages on B ($(cram_stat stores))" test "$(cram_stat stores)" -gt 1024
check "(b) B's device scanned them (SCANNED_WRITE_SEQ $scanned0 -> $(dev_stat reg_scanned_write_seq))" \
	wait_value '^yes$' 5 scanned_past $((scanned0 + 1024))
swap_cycle
check "(b) rmmod" rmmod cram

# --- (c) the wrong pairing, named
dmesg -c > /dev/null
is "(c) insmod region=$CRAM_DAX_B regs=$pa (A's block)" \
	"$(kmodload $CRAM_KO "region=$CRAM_DAX_B regs=$pa")" loaded
is "(c) nothing bound" "$(dev_stat bound)" 0
like "(c) dmesg says why" "$(dmesg)" "cram: PCI $pa: register block v2 \\(serial $a\\) not taken for region=$CRAM_DAX_B: it describes another"
stores=$(cram_stat stores)
r=$(in_memcg 16M swapstress 16 72 2>&1)
like "(c) a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
is "(c) no page placed on B without its telemetry" "$(cram_stat stores)" "$stores"
swap_cycle
check "(c) rmmod" rmmod cram

# --- (d) version 1 blocks: no identity
devctl version 1
devctl_b version 1
sleep 1	# the models read commands every scan (100 ms)
dmesg -c > /dev/null
is "(d) v1 blocks, region=$CRAM_DAX: loads" "$(kmodload $CRAM_KO "region=$CRAM_DAX")" loaded
is "(d)   nothing bound" "$(dev_stat bound)" 0
like "(d)   dmesg: it does not say, name it" "$(dmesg)" \
	"not taken for region=$CRAM_DAX: it names no CXL memory device \\(version 1 or SERIAL 0\\) and there are several: use regs="
check "(d) rmmod" rmmod cram
is "(d) named with regs=$pa: loads" "$(kmodload $CRAM_KO "region=$CRAM_DAX regs=$pa")" loaded
is "(d)   A's v1 block bound" "$(bound) v$(dev_stat reg_version)" "$pa v1"
devctl version 2
devctl_b version 2
check "(d) rmmod" rmmod cram

# --- (e) the bound block's SERIAL changes
is "(e) insmod region=$CRAM_DAX" "$(kmodload $CRAM_KO "region=$CRAM_DAX")" loaded
check "(e) bound, safe mode off" wait_dev safe_mode '^0$'
devctl serial 0xcafe0009
check "(e) SERIAL 0xcafe0009: safe mode" wait_dev safe_mode '^1$'
like "(e)   the reason" "$(dev_line safe_reason)" 'describes another CXL memory device'
devctl serial $a
check "(e) SERIAL back: safe mode ends" wait_dev safe_mode '^0$'
check "(e) rmmod" rmmod cram

# --- (f) both functions bound at once: the driver core holds only each device's own
# lock, so their probes run side by side; bind_delay_ms holds each one between
# finding no block bound and mapping its own. Serialised, A's is bound and B's then
# finds it; unserialised, both would map and check, and the loser unmap the winner's.
drv=/sys/bus/pci/drivers/cram
is "(f) insmod region=$CRAM_DAX" "$(kmodload $CRAM_KO "region=$CRAM_DAX")" loaded
echo "$pa" > $drv/unbind
dmesg -c > /dev/null
echo 1000 > /sys/kernel/debug/cram/bind_delay_ms
sh -c "echo $pa > $drv/bind" 2> /dev/null &
sh -c "echo $pb > $drv/bind" 2> /dev/null &
wait
echo 0 > /sys/kernel/debug/cram/bind_delay_ms
is "(f) A's block is bound" "$(bound)" "$pa"
is "(f)   its SERIAL is A's" "$(dev_stat reg_serial)" $a
is "(f)   the driver holds A's function only" "$(ls $drv | grep -c '^0000:')" 1
like "(f) B's is not taken" "$(dmesg)" "cram: PCI $pb: (cram already uses $pa's register block for region $CRAM_DAX: not taken|register block v2 \\(serial $b\\) not taken)"
check "(f) safe mode off" wait_dev safe_mode '^0$'
r=$(in_memcg 16M swapstress -p quarter 16 73 2>&1)
like "(f) a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
swap_cycle
check "(f) rmmod" rmmod cram

# --- cram-setup names the device's serial and the block cram bound for it
out=$(cram-setup --module $CRAM_KO --dax $CRAM_DAX_B 2>&1)
like "cram-setup --dax $CRAM_DAX_B: finds B's serial" "$out" "CXL memory: $CRAM_DAX_B .*device serial $b\)"
like "  and reports B's block bound" "$out" "telemetry for $CRAM_DAX_B: register block $pb, device serial $b"
rmmod cram
daxctl enable-device $CRAM_DAX_B > /dev/null 2>&1
