#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# man.sh CRAMSTAT - the manual pages: cram(4) generated from docs/ABI.md and
# docs/OPERATIONS.md (scripts/gen-man) keeps every name those pages document;
# cramstat(8), cram-setup(8) and cram-agent(8) name every option their usage lists;
# man renders all four without a warning.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
cramstat=$(realpath "${1:?usage: man.sh CRAMSTAT}")
top=$(realpath "$(dirname "$0")/../..")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$top/scripts/gen-man" "$tmp/cram.4"
tap_result $? "scripts/gen-man writes cram(4)"
for page in "$tmp/cram.4" "$top/man/cramstat.8" "$top/man/cram-setup.8" "$top/man/cram-agent.8"; do
	out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 > "$tmp/${page##*/}.txt")
	tap_result $([ -z "$out" ] && [ -s "$tmp/${page##*/}.txt" ] && echo 0 || echo 1) \
		"man renders ${page##*/} without a warning" "$out"
done

# every `name` in ABI.md's tables and every message of OPERATIONS.md section 8, in the
# rendered text (words joined again where man hyphenated or filled them)
flat=$(tr -d '\n ‐-' < "$tmp/cram.4.txt")
missing=$(python3 - "$top/docs/ABI.md" "$top/docs/OPERATIONS.md" <<'PY' | while read -r name; do
import re, sys
abi = open(sys.argv[1]).read()
ops = open(sys.argv[2]).read()
ops = ops[ops.index("## 8. Troubleshooting"):]
for doc in (abi, ops):
    for row in re.findall(r"^\| *`([^`]+)`", doc, re.M):
        print(row)
PY
	key=$(printf '%s' "$name" | tr -d '\n ‐-')
	case $flat in *"$key"*) ;; *) echo "$name" ;; esac
done)
tap_result $([ -z "$missing" ] && echo 0 || echo 1) \
	"cram(4) has every name ABI.md's tables and every message OPERATIONS.md lists" "$missing"

# every option in the tools' usage, in their pages
opts() { grep -oE -- '(^|[[ |])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u; }
missing=$("$cramstat" --help | opts | while read -r o; do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$top/man/cramstat.8" || echo "$o"
done)
tap_result $([ -z "$missing" ] && echo 0 || echo 1) "cramstat(8) has every option of --help" "$missing"
missing=$("$top/scripts/cram-setup" --help 2>&1 | opts | while read -r o; do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$top/man/cram-setup.8" || echo "$o"
done)
tap_result $([ -z "$missing" ] && echo 0 || echo 1) "cram-setup(8) has every option of its usage" "$missing"
make -s -C "$top" build/cram-agent > /dev/null
missing=$("$top/build/cram-agent" --help 2>&1 | opts | while read -r o; do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$top/man/cram-agent.8" || echo "$o"
done)
tap_result $([ -z "$missing" ] && echo 0 || echo 1) "cram-agent(8) has every option of its usage" "$missing"
tap_done
