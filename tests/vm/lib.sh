# SPDX-License-Identifier: GPL-2.0
# lib.sh - TAP helpers for the guest tests (sourced). Each test file prints its own
# plan; a failing check prints what it expected and what it saw.
#   plan N | pass DESC | fail DESC | diag TEXT
#   check DESC CMD...         ok when CMD exits 0 (its output shown on failure)
#   check_fails DESC CMD...   ok when CMD exits non-zero
#   is DESC GOT WANT          string equality
#   like DESC GOT ERE         extended-regex match
#   host_check FILE OFF TEXT  ask the host to verify, after the VM stops, that
#                             backing file FILE (cxl|regs) holds TEXT at OFF
. /run/cram/platform.env
CRAM_KO=/cram/cram.ko
tap_n=0

plan() { echo "1..$1"; }
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
fail() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
diag() { printf '%s\n' "$*" | sed 's/^/#   /'; }

check() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		diag "command: $*" "$out"
	fi
}

check_fails() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		fail "$desc"
		diag "command succeeded but should not have: $*" "$out"
	else
		pass "$desc"
	fi
}

is() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		diag "expected: '$3'" "got:      '$2'"
	fi
}

like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		pass "$1"
	else
		fail "$1"
		diag "expected to match: /$3/" "got: '$2'"
	fi
}

host_check() { echo "# host-check: $1 $2 $3"; }

# Kernel messages of the kind that mean the kernel is unhappy.
dmesg_bad() { dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|UBSAN|KASAN'; }
