#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 99-cxl-residue.t - the pages cram holds are really in the CXL device's memory: a
# workload is left swapped out through cram when the VM powers off, and the host
# counts its pages in the device's backing file. Runs last: it leaves them there.
. /cram/tests/lib.sh
plan 4

daxctl disable-device $CRAM_DAX > /dev/null 2>&1
is "insmod region=$CRAM_DAX trust_capacity=1 ibt_strict=1" \
	"$(kmodload $CRAM_KO "region=$CRAM_DAX trust_capacity=1 ibt_strict=1 pool=N")" loaded
hold_start residue 24M 48 99	# never released
is "workload filled 48 MiB in a 24 MiB cgroup" "$(head -n 1 /tmp/residue.out)" filled
held=$(cram_stat stored_pages)
check "cram holds its pages ($held)" test "$held" -gt 4096
# Every page of the workload's buffer carries "swapstress:SEED:" after its index; the
# program locks itself in RAM, but memory it allocates later (stdio's buffer) may be
# among the pages held, without it.
host_check cxl "count>=$((held - 64))" "swapstress:99:"
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
