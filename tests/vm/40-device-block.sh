# SPDX-License-Identifier: GPL-2.0
# 40-device-block.sh - 40-device.t's end with the register block (sourced): unload; a
# bad block at load is not taken; without telemetry, no placement unless trusted.
# 13 results.
check "rmmod" rmmod cram
devctl corrupt-magic
sleep 1
dmesg -c > /dev/null
is "insmod while the magic is corrupt" "$(kmodload $CRAM_KO "region=$dax ibt_strict=1 pool=N")" loaded
like "  dmesg: not a cram register block" "$(dmesg)" 'BAR2 holds no cram register block'
is "  no device bound" "$(dev_stat bound)" 0
stores=$(cram_stat stores)
r=$(in_memcg 12M swapstress 16 51 2>&1)
like "  a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
is "  no telemetry, no trust: nothing placed" "$(cram_stat stores)" "$stores"
check "  declined as untrusted" test "$(cram_stat decline_untrusted)" -gt 1024
swap_cycle
check "rmmod" rmmod cram
devctl restore-magic
is "insmod regs=none trust_capacity=1" \
	"$(kmodload $CRAM_KO "region=$dax regs=none trust_capacity=1 ibt_strict=1 pool=N")" loaded
is "  regs=none: no device bound" "$(dev_stat bound)" 0
r=$(in_memcg 12M swapstress 16 52 2>&1)
like "  trusted without telemetry: a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
check "  and went to CXL memory ($(cram_stat stores) stores)" test "$(cram_stat stores)" -gt 1024
swap_cycle
check "rmmod" rmmod cram
