#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lint.sh - kernel style (checkpatch, from Debian's linux-source-6.12) on every C file,
# the src/core purity rule (no <linux/...>), kernel messages (prefixed, each explained
# in docs/OPERATIONS.md), and syntax of every shell script.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$CRAM_TOP" || exit 1

checkpatch=$("$CRAM_TOP/scripts/fetch-checkpatch")
# Module code gets --strict; userspace test code the default level (it uses libc types).
# core_types.h is where libc types are mapped to kernel ones, so it must name them.
# compat.h declares kernel objects the kernel's headers keep private, as the kernel
# defines them: cxl_bus_type is not const up to 6.12 (and 6.1's bus API takes it so).
for f in $(find src include tests tools -name '*.[ch]' | sort); do
	case $f in
	include/cram/core_types.h) opts="--strict --ignore PREFER_KERNEL_TYPES,NEW_TYPEDEFS" ;;
	src/compat/compat.h) opts="--strict --ignore CONST_STRUCT" ;;
	src/*|include/*) opts=--strict ;;
	*) opts= ;;
	esac
	out=$("$checkpatch" --no-tree --terse --show-types $opts -f "$f" 2>&1 | grep -v '^total:')
	tap_result $([ -z "$out" ] && echo 0 || echo 1) "checkpatch ${opts:+$opts }$f" "$out"
done

out=$(grep -n '#include <linux/' src/core/*.c)
tap_result $([ -z "$out" ] && echo 0 || echo 1) "src/core includes no <linux/...> headers" "$out"

# Kernel messages: every file that prints sets the "cram: " prefix, and
# docs/OPERATIONS.md explains every message and every reason a message can carry.
out=$(for f in src/kernel/*.c src/compat/*.c; do
	grep -qE '\bpr_[a-z_]+\(' "$f" || continue
	grep -q '^#define pr_fmt(fmt) "cram: " fmt' "$f" || echo "$f: prints without pr_fmt \"cram: \""
done
grep -n 'WARN[_A-Z]*([^"]*"' src/kernel/*.c src/compat/*.c | grep -v '"cram: ' | sed 's/$/: WARN text without "cram: "/')
tap_result $([ -z "$out" ] && echo 0 || echo 1) "every kernel message is prefixed cram:" "$out"
out=$(python3 - docs/OPERATIONS.md src/kernel/*.c src/compat/*.c src/core/config.c src/core/devregs.c <<'PY'
import re, sys
doc = open(sys.argv[1]).read()
for path in sys.argv[2:]:
    src = open(path).read()
    # messages: the longest literal run between format specifiers must be in the doc
    for m in re.finditer(r'\b(?:pr_\w+|WARN_ONCE\(\w+,)\s*\(?\s*"((?:[^"\\]|\\.)*)"', src):
        text = m.group(1).replace('\\n', '').replace('cram: ', '')
        parts = re.split(r'%[-#0-9.*]*(?:ll|l|z)?[a-z%]', text)
        key = max(parts, key=len).strip(' ;:(),')
        if len(key) >= 8 and key not in doc:
            print(f'{path}: message not in {sys.argv[1]}: "{text}" (looked for "{key}")')
    # reasons: sentences printed inside messages (config rules, safe mode), returned
    # or kept in a named array
    for m in re.finditer(r'(?:return|fail\(why,|\[\] =\n\t) ?"((?:[^"\\]|\\.)*)"', src):
        if m.group(1) not in doc:
            print(f'{path}: reason not in {sys.argv[1]}: "{m.group(1)}"')
PY
)
tap_result $([ -z "$out" ] && echo 0 || echo 1) "docs/OPERATIONS.md explains every kernel message and reason" "$out"

for f in scripts/* tests/host/*.sh tests/unit/*.sh tests/fuzz/run .ci/*; do
	case $(head -n 1 "$f") in
	*bash*) out=$(bash -n "$f" 2>&1) ;;
	*/bin/sh*) out=$({ dash -n "$f" && busybox sh -n "$f"; } 2>&1) ;;
	*) continue ;;
	esac
	tap_result $? "bash -n $f" "$out"
done
for f in tests/vm/init tests/vm/*.sh tests/vm/*.t; do
	out=$(busybox sh -n "$f" 2>&1)
	tap_result $? "busybox sh -n $f" "$out"
done
tap_done
