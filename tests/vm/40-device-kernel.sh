# SPDX-License-Identifier: GPL-2.0
# 40-device-kernel.sh - 40-device.t's end with the example in-kernel provider
# (sourced): unregistered with pages held, placements stop and loads go on; an event
# from its hard-IRQ threshold timer closes the gate at once, and it stays closed until
# a snapshot taken after the event. 16 results.
hold_start k 24M 32 53 -p quarter
held=$(cram_stat stored_pages)
check "(k) cram holds pages ($held)" test "$held" -gt 2048
check "(k) rmmod the provider with pages held" provider_stop
is "(k) no telemetry bound" "$(dev_stat bound)" 0
like "(k) dmesg: placements stop" "$(dmesg)" 'cram: device provider:example: provider gone'
without_provider k

# a snapshot every 10 s: an event stays uncovered long enough to see the gate shut.
# The model reports 3 x PHYS_CAP for a moment: the threshold timer sees it cross half.
provider_start period_ms=10000 event_pct=50
check "(k) the provider is back: safe mode ends" wait_dev safe_mode '^0$'
devctl garbage
check "(k) its threshold timer signalled an event" wait_dev events '^1$'
devctl sane
is "(k) the gate closed at once" "$(dev_stat gate)" closed
stores=$(cram_stat stores) wm=$(cram_stat decline_watermark)
r=$(in_memcg 12M swapstress 16 55 2>&1)
if [ "$(dev_stat events_covered)" = 0 ]; then	# the next snapshot is 10 s away
	is "(k) until a snapshot covers the event, nothing is placed" "$(cram_stat stores)" "$stores"
else
	fail "(k) the workload outlasted the provider's 10 s period: nothing shown"
fi
check "(k) declined at the gate ($(( $(cram_stat decline_watermark) - wm )))" \
	test "$(cram_stat decline_watermark)" -gt "$wm"
check "(k) a snapshot taken after the event covers it" wait_dev events_covered '^1$' 15
r=$(in_memcg 12M swapstress 16 56 2>&1)
check "(k) then placements resume" test "$(cram_stat stores)" -gt "$stores"
swap_cycle
check "rmmod the provider" provider_stop
check "rmmod" rmmod cram
