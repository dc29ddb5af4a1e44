#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 10-module.t - cram.ko behaves like a real module: loads with good parameters,
# rejects each bad one at insmod with EINVAL and a dmesg line naming it, validates
# runtime writes (state unchanged on error), keeps debugfs root-only, unloads clean.
# PREEMPT_RT: yes
. /cram/tests/lib.sh
plan 52

params=/sys/module/cram/parameters
dbg=/sys/kernel/debug/cram
dmesg -c > /dev/null

# --- defaults
is "insmod with defaults" "$(kmodload $CRAM_KO)" loaded
is "default high_wm_pct" "$(cat $params/high_wm_pct)" 90
is "default low_wm_pct" "$(cat $params/low_wm_pct)" 80
is "default region is empty" "$(cat $params/region)" ""
is "region parameter is read-only" "$(stat -c %a $params/region)" 444
check "debugfs directory exists" test -d $dbg
is "debugfs config is root-only" "$(stat -c %a $dbg/config)" 400
check_fails "debugfs config unreadable for nobody" \
	setpriv --reuid=65534 --regid=65534 --clear-groups cat $dbg/config
config=$(cat $dbg/config)
like "config shows no region" "$config" '^region: none$'
like "config shows high watermark" "$config" '^high_wm_pct: 90$'
if grep -qw zswap_store /proc/kallsyms; then want_api=zswap; else want_api=frontswap; fi
like "compat probe picked this kernel's hook API ($want_api)" "$config" "^hook_api: $want_api\$"
like "load message in dmesg" "$(dmesg)" 'cram: loaded \(hook API'

# --- runtime writes: validated, state unchanged on error
check "runtime high_wm_pct=95 accepted" sh -c "echo 95 > $params/high_wm_pct"
is "high_wm_pct now 95" "$(cat $params/high_wm_pct)" 95
like "debugfs follows the change" "$(cat $dbg/config)" '^high_wm_pct: 95$'
check_fails "runtime low_wm_pct=0 rejected" sh -c "echo 0 > $params/low_wm_pct"
check_fails "runtime low_wm_pct=95 (not below high) rejected" sh -c "echo 95 > $params/low_wm_pct"
check_fails "runtime high_wm_pct=80 (not above low) rejected" sh -c "echo 80 > $params/high_wm_pct"
check_fails "runtime high_wm_pct=101 rejected" sh -c "echo 101 > $params/high_wm_pct"
check_fails "runtime high_wm_pct=abc rejected" sh -c "echo abc > $params/high_wm_pct"
is "low_wm_pct unchanged after rejected writes" "$(cat $params/low_wm_pct)" 80
is "high_wm_pct unchanged after rejected writes" "$(cat $params/high_wm_pct)" 95
like "rejected write explained in dmesg" "$(dmesg)" \
	'cram: low_wm_pct=95 rejected: low watermark must be below the high watermark'
check_fails "region cannot be changed at runtime" sh -c "echo dax0.0 > $params/region"

# --- unload
check "rmmod" rmmod cram
check_fails "module gone from /sys/module" test -e /sys/module/cram
check_fails "debugfs directory removed" test -e $dbg

# --- every bad parameter fails insmod with EINVAL and a dmesg line naming it
refuse "high_wm_pct=0" EINVAL 'cram: high_wm_pct=0 rejected: watermark must be 1\.\.100'
refuse "high_wm_pct=101" EINVAL 'cram: high_wm_pct=101 rejected'
refuse "low_wm_pct=abc" EINVAL 'cram: low_wm_pct=abc rejected: not a number'
refuse "low_wm_pct=90" EINVAL 'cram: low_wm_pct=90 high_wm_pct=90 rejected: low watermark must be below'
refuse "high_wm_pct=70" EINVAL 'cram: low_wm_pct=80 high_wm_pct=70 rejected'
refuse "region=dax0" EINVAL 'cram: region=dax0 rejected: not a device-dax name'
refuse "region=4095@0x100000" EINVAL 'cram: region=4095@0x100000 rejected: start and size must be multiples of 4096'
refuse "region=0@0x100000" EINVAL 'cram: region=0@0x100000 rejected: size is zero'
refuse "region=512M" EINVAL 'cram: region=512M rejected: expected daxX\.Y or SIZE@START'
refuse "regs=0000:00:03" EINVAL 'cram: regs=0000:00:03 rejected: expected auto, none, provider or a PCI function name'
check_fails "no module left behind by rejected loads" test -e /sys/module/cram

# --- good non-default parameters (region= is claimed for real: 30-cxl-tier.t)
is "insmod low=50 high=95" "$(kmodload $CRAM_KO "low_wm_pct=50 high_wm_pct=95")" loaded
like "config shows low watermark 50" "$(cat $dbg/config)" '^low_wm_pct: 50$'
check "rmmod" rmmod cram

is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
