# SPDX-License-Identifier: GPL-2.0
# scripts/lib.sh - shared helpers for cram's host scripts (sourced, not run).
#
# Every path the scripts write to is derived here, so a reader sees them at once:
#   CRAM_CACHE  downloaded kernel images, guest tools (survives `make clean`)
#   CRAM_BUILD  per-kernel module builds, initramfs images, VM logs

CRAM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CRAM_CACHE=${CRAM_CACHE:-/var/cache/cram}
CRAM_BUILD=${CRAM_BUILD:-$CRAM_TOP/build}

# Console lines that mean the guest kernel complained; any one fails a boot. Most
# reports start with BUG: or WARNING:; the checkers' own first lines are named as
# well (lockdep, RCU, might_sleep, the page allocator, refcount_t, list debugging),
# so a kernel that words one differently is still caught. The guest's dmesg_bad uses
# the same list (mkinitramfs copies it in).
CRAM_CONSOLE_BAD='BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic|UBSAN|KASAN|kernel BUG'
CRAM_CONSOLE_BAD+='|possible circular locking|possible recursive locking|inconsistent lock state'
CRAM_CONSOLE_BAD+='|suspicious RCU usage|Invalid wait context|sleeping function called from invalid context'
CRAM_CONSOLE_BAD+='|[Bb]ad page state|refcount_t: |list_(add|del) corruption'

die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (installs packages, boots VMs)"; }

# Kernel lines: Debian 12's 6.1 and 6.12 come from the host's own package lists;
# Debian 13's 6.12 (6.12-trixie) and trixie-backports' 7.3 from the trixie chroot,
# sid's 7.2 from the sid chroot (scripts/chroot), which also build modules for them
# with their own compilers (gcc-14, gcc-16).
#   kver_suite KVER   -> host | trixie | sid   (where KVER's packages and compiler are)
kver_suite() {
	case "$1" in
	*+deb13-*) echo trixie ;;
	*+deb14-*) echo sid ;;
	*) echo host ;;
	esac
}

# The lines make check tests: CRAM_KERNELS (lines or ABI names; `make check
# KERNELS=...`), "all" for every supported line; by default 6.1, 6.12 and 7.3 and
# their PREEMPT_RT flavours (rt-amd64).
CRAM_LINES_DEFAULT="6.1 6.12 7.3 6.1-rt 6.12-rt 7.3-rt"
CRAM_LINES_ALL="6.1 6.12 6.12-trixie 7.3 7.2 6.1-rt 6.12-rt 7.3-rt"
kernel_lines() {
	case "${CRAM_KERNELS:-default}" in
	default) echo $CRAM_LINES_DEFAULT ;;
	all) echo $CRAM_LINES_ALL ;;
	*) echo $CRAM_KERNELS ;;
	esac
}

# Run CMD with SUITE's package lists and tools: on the host, or in its chroot.
in_suite() {	# in_suite SUITE CMD...
	local suite=$1
	shift
	if [ "$suite" = host ]; then "$@"; else "$CRAM_TOP/scripts/chroot" "$suite" "$@"; fi
}

# Newest kernel ABI of one line, from the package lists its suite has now.
#   newest_kver 6.1         -> 6.1.0-41-amd64
#   newest_kver 6.12        -> 6.12.57+deb12-amd64
#   newest_kver 6.12-trixie -> 6.12.118+deb13-amd64
#   newest_kver 7.3         -> 7.3.4+deb13-amd64
#   newest_kver 7.2         -> 7.2.13+deb14-amd64 (sid)
#   newest_kver 6.12-rt     -> 6.12.118+deb12-rt-amd64 (PREEMPT_RT; 6.1-rt, 7.3-rt alike)
newest_kver() {
	local re suite=host
	case "$1" in
	6.1)  re='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.1-rt) re='^linux-headers-6\.1\.0-[0-9]+-rt-amd64$' ;;
	6.12-rt) re='^linux-headers-6\.12\.[0-9]+\+deb12-rt-amd64$' ;;
	7.3-rt) re='^linux-headers-7\.3\.[0-9]+\+deb13-rt-amd64$' suite=trixie ;;
	6.12) re='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
	6.12-trixie) re='^linux-headers-6\.12\.[0-9]+\+deb13-amd64$' suite=trixie ;;
	7.3)  re='^linux-headers-7\.3\.[0-9]+\+deb13-amd64$' suite=trixie ;;
	7.2)  re='^linux-headers-7\.2\.[0-9]+\+deb14-amd64$' suite=sid ;;
	*) die "unknown kernel line '$1' (known: $CRAM_LINES_ALL)" ;;
	esac
	in_suite "$suite" apt-cache search --names-only "$re" | awk '{print $1}' |
		sed -e 's/^linux-headers-//' | sort -V | tail -n 1
}

# Map a kernel line or a full ABI name to the full ABI name.
resolve_kver() {
	case "$1" in
	6.1|6.12|6.12-trixie|7.3|7.2|*-rt) newest_kver "$1" ;;
	*-amd64) echo "$1" ;;
	*) die "kernel '$1' is neither a line ($CRAM_LINES_ALL) nor an ABI name (…-amd64)" ;;
	esac
}

kernel_dir() { echo "$CRAM_CACHE/kernels/$1"; }

# Which kernels the VM tests boot: every one but the PREEMPT_RT flavours, of which
# 6.12's (7.3's too with KERNELS=all). Debian's RT kernels have no device-dax (it
# needs transparent huge pages); 6.12's and 7.3's have CXL RAM regions, claimed by
# physical range (scripts/vmtest: ramphys); 6.1's has neither: built, never booted.
vm_boots() {	# vm_boots KVER
	case "$1:${CRAM_KERNELS:-default}" in
	6.12.*-rt-amd64:* | 7.*-rt-amd64:all) return 0 ;;
	*-rt-amd64:*) return 1 ;;
	esac
}

is_rt() { case "$1" in *-rt-amd64) return 0 ;; *) return 1 ;; esac; }

# The kernel that runs the VM tests which do not depend on the kernel line, and the
# harness's self-test boots: line CRAM_ONCE_LINE (6.12: Debian 12's newer kernel, a
# CXL RAM region as a server's) if one of KVER... is of it, else the first of them.
once_kver() {	# once_kver LINE|KVER...
	local want k
	want=$(resolve_kver "${CRAM_ONCE_LINE:-6.12}")
	for k in "$@"; do
		[ "$(resolve_kver "$k")" != "$want" ] || { echo "$want"; return; }
	done
	resolve_kver "$1"
}

# TAP for the host tests: tap_result STATUS DESC [DIAGNOSTIC-TEXT]; tap_done at the end
# prints the plan and returns non-zero if anything failed.
tap_n=0 tap_failed=0
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | tail -n 40 | sed 's/^/#   /'
	fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}
