# SPDX-License-Identifier: GPL-2.0
# lib.sh - TAP helpers for the guest tests (sourced). Each test file prints its own
# plan; a failing check prints what it expected and what it saw.
#   plan N | pass DESC | fail DESC | diag TEXT
#   check DESC CMD...         ok when CMD exits 0 (its output shown on failure)
#   check_fails DESC CMD...   ok when CMD exits non-zero
#   is DESC GOT WANT          string equality
#   like DESC GOT ERE         extended-regex match
#   refuse PARAMS ERRNO ERE   insmod cram.ko PARAMS fails with ERRNO and a new
#                             dmesg line matches ERE (two results)
#   host_check FILE OFF TEXT  ask the host to verify, after the VM stops, that
#                             backing file FILE (cxl, cxl-b, regs, regs-b) holds TEXT at OFF, or,
#                             with OFF "count>=N", holds TEXT at least N times
#   wait_value ERE S CMD...   wait up to S seconds until CMD's output matches ERE
#   swap_cycle                swapoff + swapon: every slot freed
#   workloads (in_memcg, hold_start, hold_release, thrash_start, thrash_stop) and
#   device helpers (devctl, dev_stat, dev_line, wait_dev): further down
. /run/cram/platform.env
CRAM_KO=/cram/cram.ko
tap_n=0
# The debug kernel (scripts/debug-kernel: KASAN, lockdep) runs several times slower:
# windows a test opens with a delay are this many times wider there.
case $(uname -r) in
*cramdebug*) CRAM_SLOW=4 ;;
*) CRAM_SLOW=1 ;;
esac

plan() { echo "1..$1"; }
# Where a test's time goes: a result that took 5 s or more since the previous one says
# so (builtin read: no fork per result).
read -r _tap_t _ < /proc/uptime
_tap_t=${_tap_t%.*}
tap_took() {
	local t
	read -r t _ < /proc/uptime
	t=${t%.*}
	[ $((t - _tap_t)) -lt 5 ] || echo "#   ($((t - _tap_t)) s)"
	_tap_t=$t
}
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; tap_took; }
fail() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; tap_took; }
diag() { printf '%s\n' "$*" | sed 's/^/#   /'; }

# Helpers keep their state in _tap_* names: tests own every other variable name.
check() {
	_tap_desc=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		pass "$_tap_desc"
	else
		fail "$_tap_desc"
		diag "command: $*" "$_tap_out"
	fi
}

check_fails() {
	_tap_desc=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		fail "$_tap_desc"
		diag "command succeeded but should not have: $*" "$_tap_out"
	else
		pass "$_tap_desc"
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

refuse() {
	dmesg -c > /dev/null
	like "insmod $1 fails with $2" "$(kmodload $CRAM_KO "$1")" "^error $2"
	like "  dmesg says why" "$(dmesg)" "$3"
}

# Kernel messages of the kind that mean the kernel is unhappy.
# the host's console check (scripts/lib.sh CRAM_CONSOLE_BAD), on the guest's dmesg
dmesg_bad() { dmesg | grep -aEf /cram/tests/console-bad.ere; }

# Run CMD in a memory cgroup limited to LIMIT (in M), so its pages are swapped out.
# Reclaim starts at 3/4 of it (memory.high, which throttles instead of killing): the
# rest is room for pages still being written to a slow swap disk under TCG, which a
# hard limit alone turns into a memcg OOM kill.
#   in_memcg LIMIT CMD...
in_memcg() {
	_tap_cg=/sys/fs/cgroup/cram-test
	[ -f /sys/fs/cgroup/cgroup.procs ] || mount -t cgroup2 none /sys/fs/cgroup
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $_tap_cg
	echo max > $_tap_cg/memory.high
	echo "$1" > $_tap_cg/memory.max
	echo $(( ${1%M} * 3 / 4 ))M > $_tap_cg/memory.high
	shift
	sh -c 'echo $$ > '$_tap_cg'/cgroup.procs && exec "$@"' sh "$@"
}

# The region the tests hand cram, $CRAM_CLAIM: dax0.0, or SIZE@START on a kernel with
# no device-dax (PREEMPT_RT), is taken from device-dax first and given back after:
#   dax_release            daxctl disable-device (quiet; nothing to do without dax)
#   dax_return             daxctl enable-device (its status; 0 without dax)
dax_release() { [ -z "$CRAM_DAX" ] || daxctl disable-device "$CRAM_DAX" > /dev/null 2>&1; }
dax_return() { [ -z "$CRAM_DAX" ] || daxctl enable-device "$CRAM_DAX"; }

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
cram_stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/cram/stats; }
pool_stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/cram/pool; }

# A swapstress run held between swap-out and read-back (one at a time):
#   hold_start NAME LIMIT MB SEED [OPT...]  start it in the test cgroup (OPT: swapstress
#                                   options, e.g. -p quarter), return once it has
#                                   written every page; its output goes to /tmp/NAME.out
#   hold_release NAME               let it read back; returns its exit status
hold_start() {
	_tap_name=$1 _tap_limit=$2 _tap_mb=$3 _tap_seed=$4
	shift 4
	rm -f "/tmp/$_tap_name.go" "/tmp/$_tap_name.out"	# an old "filled" must not count
	in_memcg "$_tap_limit" swapstress "$@" "$_tap_mb" "$_tap_seed" "/tmp/$_tap_name.go" \
		> "/tmp/$_tap_name.out" 2>&1 &
	_tap_held=$!
	_tap_i=0
	while ! grep -q filled "/tmp/$_tap_name.out" && [ $_tap_i -lt 600 ]; do
		sleep 1
		_tap_i=$((_tap_i + 1))
	done
}

hold_release() {
	touch "/tmp/$1.go"
	wait $_tap_held
}

# A verifying workload rerun until stopped, a new seed each run (one at a time):
#   thrash_start NAME LIMIT MB [OPT...]   start it in the test cgroup
#   thrash_stop NAME                      stop after the current run (not in $(...):
#                                         it waits for the shell's own child)
#   thrash_result NAME                    "runs R bad B": B runs read back wrong data
thrash_start() {
	_tap_name=$1 _tap_limit=$2 _tap_mb=$3
	shift 3
	rm -f "/tmp/$_tap_name.stop" "/tmp/$_tap_name.log"
	(
		_tap_seed=1000
		while [ ! -e "/tmp/$_tap_name.stop" ]; do
			in_memcg "$_tap_limit" swapstress "$@" "$_tap_mb" $_tap_seed \
				>> "/tmp/$_tap_name.log" 2>&1
			_tap_seed=$((_tap_seed + 1))
		done
	) &
	_tap_thrash=$!
}

thrash_stop() {
	touch "/tmp/$1.stop"
	wait $_tap_thrash
}

thrash_result() {
	awk '$1 == "pages" { runs++; if ($4 != 0) bad++ } END { printf "runs %d bad %d\n", runs, bad }' \
		"/tmp/$1.log"
}

# The compressing device (tests/devmodel/cramdev on the host) and cram's view of it:
#   devctl CMD...          send the device model a command (freeze, thaw,
#                          corrupt-magic, restore-magic, garbage, sane, phys-cap SIZE,
#                          version 1|2, serial N, restart SECS)
#   devctl_b CMD...        the same to the model of device B (dax1.0)
#   dev_stat NAME          a value of /sys/kernel/debug/cram/device (first word)
#   dev_line NAME          the whole value (e.g. safe_reason)
#   wait_dev NAME ERE [S]  wait up to S seconds (default 5) until NAME matches ERE
devctl() { echo "$*" > /dev/ttyS2; }
devctl_b() { echo "$*" > /dev/ttyS3; }
dev_stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/kernel/debug/cram/device; }
dev_line() { sed -n "s/^$1 //p" /sys/kernel/debug/cram/device; }
wait_dev() { wait_value "$2" "${3:-5}" dev_stat "$1"; }

# Freed CXL pages are zeroed by a worker, off the fault path: wait until it has
# caught up (the device then has every zeroing counted; its next scans see them).
zeroed() { wait_value '^0$' 10 cram_stat region_pages_zeroing; }
# Pages cram wrote that the device has not scanned yet (0 with no device bound); wait
# until it has scanned them all, and cram polled that.
scan_lag() {
	_tap_w=$(dev_stat written) _tap_s=$(dev_stat reg_scanned_write_seq)
	echo $(( ${_tap_w:-0} - ${_tap_s:-${_tap_w:-0}} ))
}
scanned() { wait_value '^0$' 10 scan_lag && sleep 0.5; }
# Why stores went elsewhere: every decline counter that is not zero.
declines() { awk '$1 ~ /^decline_/ && $2 != 0 { printf "%s %s ", $1, $2 }' /sys/kernel/debug/cram/stats; }

# wait_value ERE S CMD...: wait up to S seconds until the output of CMD matches ERE
wait_value() {
	_tap_ere=$1 _tap_i=$(($2 * 10))
	shift 2
	while ! "$@" | grep -Eq -- "$_tap_ere"; do
		[ $_tap_i -le 0 ] && return 1
		sleep 0.1
		_tap_i=$((_tap_i - 1))
	done
}

# Pages of an exited workload may stay in the swap cache, their slots (and cram's
# copies) allocated until reclaim gets to them, as with zswap: swapoff takes every
# page back in, which frees every slot.
# A workload just killed may still be exiting: its pages cannot come back then.
swap_cycle() {
	swapoff $CRAM_SWAP 2> /dev/null || { sleep 2 && swapoff $CRAM_SWAP; } && swapon $CRAM_SWAP
}
