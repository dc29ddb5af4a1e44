#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lint.sh - kernel style (checkpatch, from Debian's linux-source-6.12) on every C file,
# the src/core purity rule (no <linux/...>), and syntax of every shell script.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$CRAM_TOP" || exit 1

checkpatch=$("$CRAM_TOP/scripts/fetch-checkpatch")
# Module code gets --strict; userspace test code the default level (it uses libc types).
# core_types.h is where libc types are mapped to kernel ones, so it must name them.
for f in $(find src include tests tools -name '*.[ch]' | sort); do
	case $f in
	include/cram/core_types.h) opts="--strict --ignore PREFER_KERNEL_TYPES,NEW_TYPEDEFS" ;;
	src/*|include/*) opts=--strict ;;
	*) opts= ;;
	esac
	out=$("$checkpatch" --no-tree --terse --show-types $opts -f "$f" 2>&1 | grep -v '^total:')
	tap_result $([ -z "$out" ] && echo 0 || echo 1) "checkpatch ${opts:+$opts }$f" "$out"
done

out=$(grep -n '#include <linux/' src/core/*.c)
tap_result $([ -z "$out" ] && echo 0 || echo 1) "src/core includes no <linux/...> headers" "$out"

for f in scripts/* tests/host/*.sh tests/unit/*.sh .ci/*; do
	case $(head -n 1 "$f") in
	*bash*) out=$(bash -n "$f" 2>&1) ;;
	*) continue ;;
	esac
	tap_result $? "bash -n $f" "$out"
done
for f in tests/vm/init tests/vm/*.sh tests/vm/*.t; do
	out=$(busybox sh -n "$f" 2>&1)
	tap_result $? "busybox sh -n $f" "$out"
done
tap_done
