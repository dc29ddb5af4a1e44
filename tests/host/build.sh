#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KVER... - cram.ko builds against each Debian kernel with no compiler
# warning, and its modinfo documents every parameter; the VM tests' build
# (CRAM_TEST_HOOKS=y), every file of it checked by sparse as it compiles, has no
# compiler or sparse warning either, and none of its test hooks is in the module
# users install. Kernels of newer suites build in their chroot, with their own
# compiler (scripts/chroot, lib.sh kver_suite).
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

for kver in "$@"; do
	suite=$(kver_suite "$kver")
	log=$CRAM_BUILD/check/build-$kver.log
	mkdir -p "${log%/*}"
	rm -rf "$CRAM_BUILD/$kver" "$CRAM_BUILD/$kver-testhooks"
	in_suite "$suite" make -j"$(nproc)" -C "$CRAM_TOP" KVER="$kver" module > "$log" 2>&1
	tap_result $? "$kver: cram.ko builds" "$(tail -n 30 "$log")"
	grep -E 'warning:|error:' "$log" > "$log.warnings"
	tap_result $([ -s "$log.warnings" ] && echo 1 || echo 0) "$kver: build has no warnings" "$(cat "$log.warnings")"

	ko=$CRAM_BUILD/$kver/cram.ko
	tap_result $([ "$(modinfo -F vermagic "$ko" | awk '{print $1}')" = "$kver" ] && echo 0 || echo 1) \
		"$kver: vermagic names $kver"
	params=$(grep -ohE 'module_param(_cb|_named)?\([a-z_0-9]+' "$CRAM_TOP"/src/kernel/*.c |
		sed 's/.*(//' | grep -v '^test_' | sort -u)
	undocumented=
	for p in $params; do
		modinfo -F parm "$ko" | grep -q "^$p:." || undocumented="$undocumented $p"
	done
	tap_result $([ -z "$undocumented" ] && [ -n "$params" ] && echo 0 || echo 1) \
		"$kver: modinfo describes every parameter ($(echo $params | tr ' ' ','))"
	[ -z "$undocumented" ] || echo "#   undocumented:$undocumented"
	hooks=$( (modinfo -F parm "$ko" | grep '^test_'; nm "$ko" | grep -w 'cram_test_[a-z_]*') | head -n 5)
	tap_result $([ -z "$hooks" ] && echo 0 || echo 1) "$kver: no test hook in the module users install" "$hooks"

	# sparse checks each file as it is compiled (C=1): the test build has every
	# file of the product's and testhooks.c, so one pass checks both
	tlog=$log.testhooks
	in_suite "$suite" make -j"$(nproc)" -C "$CRAM_TOP" KVER="$kver" CRAM_TEST_HOOKS=y C=1 CHECK=sparse \
		module > "$tlog" 2>&1
	tap_result $? "$kver: the VM tests' build (CRAM_TEST_HOOKS=y) builds" "$(tail -n 30 "$tlog")"
	grep -E 'warning:|error:' "$tlog" > "$tlog.warnings"
	tap_result $([ -s "$tlog.warnings" ] && echo 1 || echo 0) \
		"$kver: it has no compiler or sparse warning" "$(cat "$tlog.warnings")"
	hooks=$(modinfo -F parm "$CRAM_BUILD/$kver-testhooks/cram.ko" | grep -c '^test_')
	tap_result $([ "$hooks" -gt 0 ] && echo 0 || echo 1) "$kver: and has the test hooks ($hooks parameters)"
done
tap_done
