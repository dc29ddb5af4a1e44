#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 60-ops.t - what an operator sees and does:
#   (a) cram-setup finds the CXL device-dax instance, --dry-run changes nothing, a
#       failure leaves nothing half done (swap checked first, device_dax gets the
#       device back), --module applies modprobe.d's options, and it loads cram
#       through modprobe with /etc/modprobe.d/cram.conf
#   (b) /sys/module/cram/stats is readable without root; cramstat works without root
#   (c) cramstat's numbers match known workloads: 48 MiB of ~4:1 pages in the CXL tier
#       (pages, bytes, the device's footprint and ratio), then, above the watermark,
#       in the DRAM pool (pages, pool memory, ratio, size classes)
#   (d) tier states follow the gate, safe mode, enabled=N and pool=N
#   (e) every runtime-writable parameter rejects bad values (EINVAL, value kept) and
#       takes good ones; read-only ones refuse writes
#   (f) docs/ABI.md names every parameter, sysfs file, debugfs file and value
# Kernel lines: one. The tools, cramstat's figures, tier states and parameter
# validation are cram's own; the swap paths under them are tested on every line.
. /cram/tests/lib.sh
plan 175

sys=/sys/module/cram/stats
params=/sys/module/cram/parameters
dbg=/sys/kernel/debug/cram
dax=$CRAM_DAX
abi=/cram/docs/ABI.md
sysval() { cat $sys/$1; }
as_nobody() { runas 65534 "$@"; }
# jget JSON OBJECT KEY: KEY in the first (flat) object named OBJECT of cramstat --json
jget() {
	printf '%s\n' "$1" | awk -v o="\"$2\":{" -v k="\"$3\":" '{
		i = index($0, o); if (!i) exit
		s = substr($0, i + length(o)); s = substr(s, 1, index(s, "}") - 1)
		n = split(s, f, ",")
		for (j = 1; j <= n; j++)
			if (index(f[j], k) == 1) { v = substr(f[j], length(k) + 1); gsub(/"/, "", v); print v }
	}'
}
# within X LO HI: LO <= X <= HI (decimals)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
wait_state() { wait_value "$2" 10 sysval "$1"; }	# wait_state FILE ERE: up to 10 s
dmesg -c > /dev/null
devctl phys-cap 128M

# --- (a) cram-setup
daxctl enable-device $dax > /dev/null 2>&1
is "(a) start: $dax belongs to device_dax" "$(basename "$(readlink /sys/bus/dax/devices/$dax/driver)")" device_dax
like "(a) with two CXL devices it will not guess" "$(cram-setup --dry-run 2>&1)" \
	"several CXL device-dax instances: $dax $CRAM_DAX_B; name them with --dax \\(a list, or all\\)"
out=$(cram-setup --dry-run --dax $dax --module $CRAM_KO --swap $CRAM_SWAP pool=Y 2>&1)
is "(a) --dry-run exits 0" $? 0
like "(a) --dry-run finds $dax" "$out" "^cram-setup: CXL memory: $dax \\("
like "(a) --dry-run would release it from device_dax" "$out" "^\\+ daxctl disable-device $dax\$"
like "(a) --dry-run would load cram with it, region= last" "$out" "^\\+ insmod $CRAM_KO pool=Y region=$dax\$"
check_fails "(a) --dry-run loaded nothing" test -e /sys/module/cram
is "(a) --dry-run left $dax to device_dax" "$(basename "$(readlink /sys/bus/dax/devices/$dax/driver)")" device_dax
like "(a) without --module it uses modprobe" "$(cram-setup --dry-run --dax $dax 2>&1)" "^\\+ modprobe -- cram region=$dax\$"
for a in --dax=$dax --dry-run=yes -x=1 9x=1 high-wm=1; do	# not options, not parameters
	cram-setup --dry-run $a > /dev/null 2>&1
	is "(a) '$a': bad usage, exit 2" $? 2
done
out=$(cram-setup --dry-run --dax $dax --module $CRAM_KO no_such_param=1 2>&1)
is "(a) no_such_param=1: exit 1" $? 1
like "(a)   cram has no such parameter" "$out" 'no_such_param=1: cram has no parameter no_such_param'
mkdir -p /etc/modprobe.d
echo "options cram region=dax9.9" > /etc/modprobe.d/cram-region.conf
like "(a) modprobe.d's region= does not override the device checked" \
	"$(cram-setup --dry-run --dax $dax --module $CRAM_KO 2>&1)" "^\\+ insmod $CRAM_KO region=dax9.9 region=$dax\$"
rm /etc/modprobe.d/cram-region.conf
printf 'CRAM_DAX=%s   # the device\r\n  CRAM_PARAMS="high_wm_pct=85 pool=Y"  # two\r\nCRAM_SWAP= \r\n' $dax > /tmp/crlf.conf
like "(a) a config with CRLF, blanks and comments after values is read as meant" \
	"$(cram-setup --dry-run --module $CRAM_KO --config /tmp/crlf.conf 2>&1)" \
	"^\\+ insmod $CRAM_KO high_wm_pct=85 pool=Y region=$dax\$"
# a stop (systemd's TERM) while cram-setup releases the device: it goes back to
# device_dax (a daxctl that releases it, then stalls; insmod is busybox's own)
mkdir -p /tmp/slow
printf '#!/bin/sh\ncase $1 in disable-device) /usr/bin/daxctl "$@"; echo $$ > /tmp/slow/pid; exec sleep 30 ;; esac\nexec /usr/bin/daxctl "$@"\n' \
	> /tmp/slow/daxctl
chmod +x /tmp/slow/daxctl
rm -f /tmp/slow/pid
PATH=/tmp/slow:$PATH cram-setup --dax $dax --module $CRAM_KO > /tmp/slow/out 2>&1 &
setup=$!
wait_value . 10 sh -c 'cat /tmp/slow/pid 2> /dev/null'
kill -TERM $setup
kill "$(cat /tmp/slow/pid)"
wait $setup
is "(a) TERM while it releases the device: exit 1" $? 1
like "(a)   says so" "$(cat /tmp/slow/out)" 'interrupted: nothing loaded'
is "(a)   $dax is back with device_dax" "$(basename "$(readlink /sys/bus/dax/devices/$dax/driver)")" device_dax
# --wait: a device that comes up later, as at boot (B's region disabled, enabled again)
bstart=$(($(cat /sys/bus/dax/devices/$CRAM_DAX_B/resource)))
for r in /sys/bus/cxl/devices/region*; do
	[ $bstart -ge $(($(cat $r/resource))) ] &&
		[ $bstart -lt $(($(cat $r/resource) + $(cat $r/size))) ] && bregion=${r##*/}
done
echo $bregion > /sys/bus/cxl/drivers/cxl_region/unbind
check_fails "(a) $CRAM_DAX_B is gone with $bregion disabled" test -e /sys/bus/dax/devices/$CRAM_DAX_B
cram-setup --dry-run --wait 20 --dax $CRAM_DAX_B > /tmp/wait.out 2>&1 &
w=$!
sleep 1
echo $bregion > /sys/bus/cxl/drivers/cxl_region/bind
wait $w
is "(a) --wait 20 for $CRAM_DAX_B while $bregion comes up: exit 0" $? 0
like "(a)   it says what it waits for" "$(cat /tmp/wait.out)" "waiting up to 20 s for $CRAM_DAX_B"
like "(a)   and goes on once it is there" "$(cat /tmp/wait.out)" "^cram-setup: CXL memory: $CRAM_DAX_B \\("
out=$(cram-setup --dry-run --dax none --module $CRAM_KO pool=Y 2>&1)
is "(a) --dax none: exit 0" $? 0
like "(a)   the DRAM pool alone" "$out" 'no CXL memory \(--dax none\): cram runs with its DRAM pool alone'
like "(a)   loaded with no region" "$out" "^\\+ insmod $CRAM_KO pool=Y region=\$"
modprobe zram num_devices=1 && echo 8M > /sys/block/zram0/disksize && mkswap /dev/zram0 > /dev/null &&
	/usr/bin/swapon -p 100 /dev/zram0
like "(a) zram the first swap device: a warning" "$(cram-setup --dry-run --dax $dax 2>&1)" \
	'warning: the first swap device, /dev/zram0, is zram'
swapoff /dev/zram0
out=$(cram-setup --dry-run --wait 1 --dax dax9.9 2>&1)
is "(a) --wait 1 for dax9.9: exit 1" $? 1
like "(a)   names what did not come" "$out" 'dax9.9 did not appear within 1 s'

out=$(cram-setup --dax dax9.9 2>&1)
is "(a) --dax dax9.9: exit 1" $? 1
like "(a)   and says why" "$out" 'dax9.9: no such device-dax instance'
out=$(cram-setup region=$dax 2>&1)
like "(a) region= is refused (--dax names it)" "$out" 'name the device with --dax'
cram-setup --bogus > /dev/null 2>&1
is "(a) bad option: exit 2" $? 2
cram-setup --dry-run --stop --wait 5 > /dev/null 2>&1
is "(a) --stop with --wait: bad usage, exit 2" $? 2
like "(a) not root: refused" "$(as_nobody cram-setup --dry-run 2>&1)" 'must run as root'
out=$(cram-setup --dax $dax --module $CRAM_KO --swap /dev/nonexistent 2>&1)
like "(a) a missing swap device fails first" "$out" '--swap /dev/nonexistent: no such block device'
is "(a)   $dax still belongs to device_dax" "$(basename "$(readlink /sys/bus/dax/devices/$dax/driver)")" device_dax
ln -sf $CRAM_SWAP /tmp/swap-link
out=$(cram-setup --dax $dax --module $CRAM_KO --swap /tmp/swap-link high_wm_pct=500 2>&1)
is "(a) a failing insmod (high_wm_pct=500): exit 1" $? 1
like "(a)   the swap device is found active by its resolved path" "$out" 'swap on /tmp/swap-link already'
like "(a)   says why" "$out" 'insmod failed: see dmesg'
is "(a)   and gives $dax back to device_dax" "$(basename "$(readlink /sys/bus/dax/devices/$dax/driver)")" device_dax
check_fails "(a)   no module left" test -e /sys/module/cram

mkdir -p /lib/modules/$(uname -r)/extra /etc/modprobe.d
cp $CRAM_KO /lib/modules/$(uname -r)/extra/cram.ko
depmod
cp /cram/etc/cram.conf /etc/modprobe.d/cram.conf
echo "options cram lz4_acceleration=3" > /etc/modprobe.d/cram-test.conf
like "(a) --module applies modprobe.d's options, the command line last" \
	"$(cram-setup --dry-run --dax $dax --module $CRAM_KO high_wm_pct=85 2>&1)" \
	"^\\+ insmod $CRAM_KO lz4_acceleration=3 .*max_pool_percent=20 .* high_wm_pct=85 region=$dax\$"
out=$(cram-setup --dax $dax --swap $CRAM_SWAP high_wm_pct=85 2>&1)
is "(a) cram-setup loads cram" $? 0
diag "$out"
is "(a) region= is what it found" "$(cat $params/region)" $dax
is "(a) command line: high_wm_pct=85" "$(cat $params/high_wm_pct)" 85
is "(a) example cram.conf: low_wm_pct=80, max_pool_percent=20" \
	"$(cat $params/low_wm_pct) $(cat $params/max_pool_percent)" "80 20"
is "(a) /etc/modprobe.d read: lz4_acceleration=3" "$(cat $params/lz4_acceleration)" 3
like "(a) run again: already loaded" "$(cram-setup 2>&1)" 'already loaded \(region=dax'
out=$(cram-setup --dax dax9.9 2>&1)
is "(a) already loaded on another device than --dax names: exit 1" $? 1
like "(a)   and says so" "$out" "already loaded on region=$dax, not dax9.9"
echo N > $params/enabled	# as a stop whose drain failed leaves it
out=$(cram-setup 2>&1)
is "(a) loaded but disarmed: run again, exit 0" $? 0
is "(a)   armed again" "$(cat $params/enabled)" Y
like "(a)   and says so" "$out" 'loaded but disarmed \(enabled=N: a failed stop\?\): armed again'
out=$(cram-setup high_wm_pct=88 pool=1 2>&1)
is "(a) loaded, run with high_wm_pct=88 pool=1: applied, exit 0" "$? $(cat $params/high_wm_pct)" "0 88"
out=$(cram-setup ibt_strict=Y 2>&1)
is "(a) loaded, run with ibt_strict=Y (set at load only): exit 1" $? 1
like "(a)   and says why" "$out" 'ibt_strict=Y: cram is loaded with ibt_strict=N, and ibt_strict can be set at load only'
echo 90 > $params/high_wm_pct
echo 1 > $params/lz4_acceleration

# --- (b) without root
nfiles=$(find $sys -type f | wc -l)
is "(b) 15 summary files and 11 of the one device's" "$nfiles" 26
is "(b) nobody reads every one" "$(find $sys -type f | as_nobody xargs cat | wc -l)" "$nfiles"
check_fails "(b) nobody cannot read debugfs" as_nobody cat $dbg/stats
out=$(as_nobody cramstat)
like "(b) cramstat as nobody: tiers" "$out" '^cxl +active +0 '
like "(b) cramstat as nobody: says the detail needs root" "$out" 'need root'
is "(b) idle: stored_pages 0" "$(sysval stored_pages)" 0
is "(b) idle: pool active" "$(sysval pool_state)" active
is "(b) region pages: all of $dax" "$(sysval cxl_region_pages)" $((CRAM_DAX_SIZE / 4096))
check "(b) device capacity: 128 MiB" wait_state device_phys_cap_bytes "^$((128 << 20))\$"
j=$(cramstat --json)
is "(b) idle: total ratio null" "$(jget "$j" total ratio)" null

# --- (c) 48 MiB of ~4:1 pages in a 16 MiB cgroup: the CXL tier takes what is swapped
scanned
base=$(sysval device_phys_used_bytes)
diag "PHYS_USED before: $base"
hold_start a 16M 48 61 -p quarter
check "(c) the device scanned every page cram wrote" scanned
j=$(cramstat --json)
pages=$(sysval cxl_stored_pages)
check "(c) CXL tier holds 29..48 MiB ($pages pages)" test "$pages" -ge 7500 -a "$pages" -le 12288
is "(c) cramstat cxl pages = sysfs" "$(jget "$j" cxl stored_pages)" "$pages"
is "(c) sysfs cxl pages = region pages used" "$pages" "$(cram_stat region_pages_used)"
is "(c) stored_pages = debugfs stored_pages" "$(sysval stored_pages)" "$(cram_stat stored_pages)"
is "(c) cramstat cxl logical = pages x 4096" "$(jget "$j" cxl logical_bytes)" $((pages * 4096))
phys=$(jget "$j" cxl physical_bytes)
is "(c) cramstat cxl physical = the device's PHYS_USED" "$phys" "$(dev_stat reg_phys_used)"
ratio=$(jget "$j" cxl ratio)
check "(c) cxl ratio $ratio within 3.0..4.5 (1000 random bytes per page, lz4)" \
	within "$ratio" 3.0 4.5
like "(c) cxl state active" "$(jget "$j" cxl state)" '^active$'
is "(c) pool holds nothing" "$(jget "$j" pool stored_pages) $(jget "$j" pool ratio)" "0 null"
like "(c) screen: cxl line" "$(cramstat)" "^cxl +active +$pages +[0-9.]+ MiB +[0-9.]+ MiB +[0-9.]+\$"
hold_release a
like "(c) workload a reads back intact" "$(tail -n 1 /tmp/a.out)" '^pages 12288 mismatches 0 '
swap_cycle
is "(c) after swapoff: nothing stored" "$(sysval stored_pages) $(sysval cxl_stored_pages)" "0 0"

# --- (c) above a 2 % watermark the pool takes the pages the device refuses
zeroed && scanned	# the swapoff's frees are zeroed and scanned: nothing projected
echo 1 > $params/low_wm_pct
echo 2 > $params/high_wm_pct
hold_start b 16M 48 62 -p quarter
check "(c) the device scanned every page cram wrote" scanned
j=$(cramstat --json)
cxl=$(sysval cxl_stored_pages)
pool=$(sysval pool_stored_pages)
is "(c) cxl state: watermark" "$(jget "$j" cxl state) $(sysval cxl_state)" "watermark watermark"
check "(c) the tiers hold 29..48 MiB between them ($cxl + $pool)" \
	test $((cxl + pool)) -ge 7500 -a $((cxl + pool)) -le 12288
check "(c) the pool took most ($pool pages)" test "$pool" -gt "$cxl"
is "(c) cramstat pool pages = sysfs" "$(jget "$j" pool stored_pages)" "$pool"
is "(c) sysfs pool pages = objects + same-filled" "$pool" \
	$(($(pool_stat stored_objects) + $(pool_stat same_filled_pages)))
is "(c) cramstat pool physical = pool pages x 4096" "$(jget "$j" pool physical_bytes)" \
	$(($(pool_stat pool_pages) * 4096))
is "(c) cramstat pool logical = pages x 4096" "$(jget "$j" pool logical_bytes)" $((pool * 4096))
ratio=$(jget "$j" pool ratio)
check "(c) pool ratio $ratio within 3.0..4.2 (lz4, 16-byte classes)" within "$ratio" 3.0 4.2
is "(c) total pages = cxl + pool" "$(jget "$j" total stored_pages)" $((cxl + pool))
is "(c) total logical = cxl + pool" "$(jget "$j" total logical_bytes)" \
	$(($(jget "$j" cxl logical_bytes) + $(jget "$j" pool logical_bytes)))
check "(c) cramstat counts watermark declines ($(jget "$j" stats decline_watermark))" \
	test "$(jget "$j" stats decline_watermark)" -gt 0
is "(c) cramstat pool_stores = debugfs" "$(jget "$j" stats pool_stores)" "$(cram_stat pool_stores)"
out=$(cramstat)
like "(c) screen: cxl line says watermark" "$out" "^cxl +watermark +$cxl "
like "(c) screen: pool line" "$out" "^pool +active +$pool "
like "(c) screen: declines by watermark" "$out" '^declines: watermark [1-9]'
like "(c) screen: device and gate" "$out" 'gate (open|closed) \(closed [1-9][0-9]* times\)'
objs=$(cramstat -c | awk '/free_slots/ { t = 1; next } t && NF == 7 { s += $6 } END { print s + 0 }')
is "(c) -c: objects over the size classes = pool objects" "$objs" "$(pool_stat stored_objects)"
like "(c) -c: the quarter pages' class (about 1 KiB objects)" "$(cramstat -c)" \
	'^ +[0-9]+ +10[0-9][0-9] +[0-9]+ +[0-9]+ +[1-9]'
is "(c) --json -w 1 -n 2: two samples" "$(cramstat --json -w 1 -n 2 | grep -c '^{')" 2
is "(c) -w 1 -n 2: two screens" "$(cramstat -w 1 -n 2 | grep -c '^TIER')" 2
# --prometheus against the kernel's own files: a value that moved between the two
# reads (the device scans on) is read again, up to 5 times
prom_mismatches() {	# the sysfs summary files, parameters and debugfs counters that differ
	_p=$(cramstat --prometheus) _bad=
	for _f in $(find $sys -maxdepth 1 -type f) $params/high_wm_pct $params/pool; do
		_n=${_f##*/} _v=$(cat "$_f")
		case $_f in $params/*) _n=param_$_n ;; esac
		case $_v in
		Y) _v=1 ;;
		N) _v=0 ;;
		*[!0-9]*) _n=${_n}_info{value=\"$_v\"} _v=1 ;;
		esac
		printf '%s\n' "$_p" | grep -qxF "cram_$_n $_v" ||
			printf '%s\n' "$_p" | grep -qxF "cram_${_n}_total $_v" || _bad="$_bad $_n=$_v"
	done
	for _n in store_calls stores pool_stores decline_watermark load_hits; do
		printf '%s\n' "$_p" | grep -qxF "cram_debugfs_stats_${_n}_total $(cram_stat $_n)" ||
			_bad="$_bad stats/$_n"
	done
	echo "$_bad"
}
i=0
while bad=$(prom_mismatches) && [ -n "$bad" ] && [ $i -lt 5 ]; do i=$((i + 1)); sleep 0.2; done
is "(c) --prometheus: every summary value, two parameters and five counters as the kernel's files say" \
	"$bad" ""
cramstat --prometheus -o /tmp/cram.prom -w 1 -n 2
like "(c) --prometheus -o: the file holds a sample" "$(grep -c '^# TYPE cram_' /tmp/cram.prom)" '^[1-9][0-9]+$'
is "(c) --prometheus -o: no temporary file left" "$(ls /tmp/cram.prom.* 2> /dev/null)" ""
hold_release b
like "(c) workload b reads back intact" "$(tail -n 1 /tmp/b.out)" '^pages 12288 mismatches 0 '
swap_cycle
is "(c) after swapoff: both tiers empty" \
	"$(sysval stored_pages) $(sysval cxl_stored_pages) $(sysval pool_stored_pages)" "0 0 0"
echo 90 > $params/high_wm_pct
echo 80 > $params/low_wm_pct

# --- (d) states
devctl freeze
check "(d) frozen device: cxl safe_mode" wait_state cxl_state '^safe_mode$'
like "(d) cramstat shows why" "$(cramstat)" 'safe mode heartbeat stopped'
devctl thaw
check "(d) thawed: safe mode ends" wait_state cxl_state '^(active|watermark)$'
echo N > $params/enabled
is "(d) enabled=N: both tiers disabled" "$(sysval cxl_state) $(sysval pool_state)" \
	"disabled disabled"
echo Y > $params/enabled
echo N > $params/pool
is "(d) pool=N: pool off" "$(sysval pool_state)" off
echo Y > $params/pool

# --- (e) runtime writes
# bad_write PARAM VALUE: refused with EINVAL, PARAM keeps its value
bad_write() {
	_before=$(cat $params/$1)
	_err=$(sh -c "echo '$2' > $params/$1" 2>&1)
	if [ $? != 0 ] && echo "$_err" | grep -q 'Invalid argument' &&
	   [ "$(cat $params/$1)" = "$_before" ]; then
		pass "(e) $1=$2 refused, $1 stays $_before"
	else
		fail "(e) $1=$2 refused, $1 stays $_before"
		diag "write said: $_err" "value now: $(cat $params/$1)"
	fi
}
# good_write PARAM VALUE: taken and read back, then the old value is restored
good_write() {
	_before=$(cat $params/$1)
	echo "$2" > $params/$1
	is "(e) $1=$2 taken" "$(cat $params/$1)" "$2"
	echo "$_before" > $params/$1
}
bad_write enabled maybe
bad_write trust_capacity 2
bad_write nt_store x
bad_write pool x
bad_write high_wm_pct 0
bad_write high_wm_pct 101
bad_write high_wm_pct abc
bad_write high_wm_pct 80
bad_write low_wm_pct 0
bad_write low_wm_pct 90
bad_write max_pool_percent 0
bad_write max_pool_percent 101
bad_write max_pool_percent -1
bad_write accept_threshold_percent 0
bad_write accept_threshold_percent 101
bad_write lz4_acceleration 0
bad_write lz4_acceleration 65
bad_write max_compressed_pct 9
bad_write max_compressed_pct 100
like "(e) dmesg says why" "$(dmesg)" 'cram: high_wm_pct=80 rejected: .*low'
like "(e) dmesg gives the range" "$(dmesg)" 'cram: max_pool_percent=101 rejected: must be a number in 1\.\.100'
good_write high_wm_pct 95
good_write low_wm_pct 50
good_write max_pool_percent 5
good_write accept_threshold_percent 50
good_write lz4_acceleration 8
good_write max_compressed_pct 50
good_write trust_capacity Y
good_write nt_store Y
for p in region regs ibt_strict; do
	_before=$(cat $params/$p)
	sh -c "echo x > $params/$p" 2> /dev/null && _st=taken || _st=refused
	is "(e) read-only $p: write refused, value kept" "$_st $(cat $params/$p)" "refused $_before"
done

# --- (f) docs/ABI.md names everything
# undocumented LIST...: the names that ABI.md does not mention as `name`
undocumented() { for n in "$@"; do grep -q "\`$n\`" $abi || echo "$n"; done; }
is "(f) every parameter" "$(undocumented $(ls $params))" ""
is "(f) every sysfs summary file" "$(undocumented $(ls $sys) $(ls $sys/devices/$CRAM_DAX))" ""
is "(f) every debugfs file" \
	"$(undocumented $(ls $dbg | sed 's/^dev[0-9]*_distance$/devN_distance/') $(ls $dbg/devices/$CRAM_DAX | sed 's|^|devices/NAME/|'))" ""
is "(f) every counter in stats" "$(undocumented $(awk '{ print $1 }' $dbg/stats))" ""
is "(f) every value in device" "$(undocumented $(awk '{ print $1 }' $dbg/device))" ""
is "(f) every value in pool" "$(undocumented $(awk '{ print $1 }' $dbg/pool))" ""
is "(f) every line of config" "$(undocumented $(awk -F: '{ print $1 }' $dbg/config))" ""

# --- (g) cram.service's commands (etc/systemd/cram.service), as the busybox guest
# allows: no systemd, so its ExecStop and ExecStart lines are run as they are
svc=/cram/etc/cram.service
stop=$(sed -n 's|^ExecStop=/usr/sbin/||p' $svc) start=$(sed -n 's|^ExecStart=/usr/sbin/||p' $svc)
dax_driver() { basename "$(readlink /sys/bus/dax/devices/$dax/driver)"; }
hold_start g 24M 32 63
held=$(sysval stored_pages)
check "(g) cram holds pages before the service stops ($held)" test "$held" -gt 2048
out=$($stop 2>&1)
is "(g) ExecStop ($stop): exit 0" $? 0
diag "$out"
like "(g)   it drained the pages cram held" "$out" "writing the $held pages cram holds"
check_fails "(g)   cram is unloaded" test -e /sys/module/cram
is "(g)   $dax is back with device_dax" "$(dax_driver)" device_dax
hold_release g
like "(g)   the workload reads back intact, from the swap device" "$(tail -n 1 /tmp/g.out)" \
	'^pages 8192 mismatches 0 '
mkdir -p /etc/default
sed "s|^CRAM_DAX=.*|CRAM_DAX=$dax|" /cram/etc/default-cram > /etc/default/cram
# zswap holding pages: the service refuses to start, and says why
zs=/sys/module/zswap/parameters
echo lz4 > $zs/compressor
[ ! -e $zs/zpool ] || echo zsmalloc > $zs/zpool
echo Y > $zs/enabled
hold_start z 24M 32 64
zheld=$(cat /sys/kernel/debug/zswap/stored_pages)
check "(g) zswap holds pages ($zheld)" test "$zheld" -gt 0
out=$($start 2>&1)
is "(g) ExecStart while zswap holds pages: exit 1" $? 1
like "(g)   and says why" "$out" "zswap holds [0-9]+ pages: cram cannot load"
check_fails "(g)   cram is not loaded" test -e /sys/module/cram
is "(g)   $dax stays with device_dax" "$(dax_driver)" device_dax
hold_release z
like "(g)   zswap's workload reads back intact" "$(tail -n 1 /tmp/z.out)" '^pages 8192 mismatches 0 '
echo N > $zs/enabled
swap_cycle	# zswap's pages back: none left
out=$($start 2>&1)
is "(g) ExecStart ($start): exit 0" $? 0
diag "$out"
is "(g)   region from CRAM_DAX" "$(cat $params/region)" "$dax"
is "(g)   parameters from CRAM_PARAMS" \
	"$(cat $params/high_wm_pct) $(cat $params/low_wm_pct) $(cat $params/max_pool_percent)" "90 80 20"
echo "CRAM_BOGUS=1" >> /etc/default/cram
like "(g) a config with an unknown setting is refused, saying which" "$(cram-setup --dry-run --config /etc/default/cram 2>&1)" \
	"unknown setting 'CRAM_BOGUS=1'"
rm -f /etc/default/cram
out=$(cram-setup --dry-run --stop 2>&1)
like "(g) ExecStop with cram holding $(sysval stored_pages) pages: drains all the same (it disarms first)" \
	"$out" '^\+ sh -c echo 1 > /sys/module/cram/drain$'
mkdir -p /tmp/stub	# systemd says the machine is shutting down
printf '#!/bin/sh\n[ "$1" = is-system-running ] && echo stopping\n' > /tmp/stub/systemctl
chmod +x /tmp/stub/systemctl
out=$(PATH=/tmp/stub:$PATH cram-setup --stop 2>&1)
is "(g) ExecStop at shutdown: exit 0" $? 0
like "(g)   cram stays loaded, for swapoff to read from" "$out" \
	'shutting down: cram stays loaded, swapoff reads its [0-9]+ pages back from it'
check "(g)   no drain, no rmmod" test -e /sys/module/cram -a "$(cat $params/enabled)" = Y

# --- unload as OPERATIONS.md says
swapoff $CRAM_SWAP
check "rmmod cram" rmmod cram
swapon $CRAM_SWAP
rm -f /lib/modules/$(uname -r)/extra/cram.ko /etc/modprobe.d/cram*.conf
is "every kernel message about cram carries the cram: prefix" \
	"$(dmesg | grep -i cram | grep -v 'cram: ')" ""
is "kernel log has no BUG/WARNING/Oops" "$(dmesg_bad)" ""
