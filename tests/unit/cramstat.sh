#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# cramstat.sh CRAMSTAT - cramstat against made-up /sys trees with known values:
# the tiers' pages, bytes and ratios it derives, its JSON (parsed by python3), its
# Prometheus text (checked by promtool, from Debian's prometheus package: fetched,
# not installed), the screen, the view without root (no debugfs), -w/-n, -o, and its
# errors.
# In the VM, tests/vm/60-ops.t checks it against real workloads.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
cramstat=$(realpath "${1:?usage: cramstat.sh CRAMSTAT}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# put DIR NAME=VALUE...: one file per value (sysfs)
put() {
	local dir=$1 kv
	shift
	mkdir -p "$dir"
	for kv in "$@"; do printf '%s\n' "${kv#*=}" > "$dir/${kv%%=*}"; done
}

# a value longer than any line buffer (6.1's hooks_live is 106 characters)
long=$(printf 'frontswap_store+0x0/0x10:ftrace %.0s' $(seq 1 40))
long=${long% }

# A loaded cram: CXL 1000 pages on 1600 KiB of device (2.5:1), pool 500 pages in
# 100 pool pages (5:1), so the total is 6000 KiB logical on 2000 KiB (3:1).
mktree() {
	local r=$1 sys=$1/sys/module/cram dbg=$1/sys/kernel/debug/cram
	put "$sys/stats" stored_pages=1500 cxl_state=active cxl_stored_pages=1000 device_bound=1 \
		cxl_logical_bytes=4096000 cxl_region_pages=65536 \
		device_phys_cap_bytes=268435456 device_phys_used_bytes=1638400 \
		device_logical_used_bytes=4096000 pool_state=full pool_stored_pages=500 \
		pool_logical_bytes=2048000 pool_physical_bytes=409600 \
		pool_compressed_bytes=390000 written_back_pages=77
	# two CXL devices, their sums above: dax1.0 at its watermark
	put "$sys/stats/devices/dax0.0" cxl_state=active cxl_stored_pages=600 cxl_stores=9000 \
		cxl_region_pages=32768 device_bound=1 device_phys_cap_bytes=134217728 \
		device_phys_used_bytes=983040 gate_closings=0 safe_mode_entries=2 \
		device_serial=0xcafe0001
	put "$sys/stats/devices/dax1.0" cxl_state=watermark cxl_stored_pages=400 cxl_stores=700 \
		cxl_region_pages=32768 device_bound=1 device_phys_cap_bytes=134217728 \
		device_phys_used_bytes=655360 gate_closings=3 safe_mode_entries=0 \
		device_serial=0xcafe0002
	put "$sys/parameters" enabled=Y pool=Y region=dax0.0 regs=auto high_wm_pct=90 \
		low_wm_pct=80 max_pool_percent=20
	echo 0.6.0 > "$sys/version"
	echo idle > "$sys/drain"
	mkdir -p "$dbg"
	printf '%s\n' "store_calls 2000" "stores 1000" "decline_watermark 12" \
		"decline_safe_mode 3" "pool_stores 480" "pool_same_filled 20" \
		"pool_reject_compress_poor 9" "written_back_pages 77" "drained_pages 5" \
		"writeback_raced 2" \
		"load_hits 40" "load_misses 5" "load_errors 0" > "$dbg/stats"
	printf '%s\n' "trust_capacity 0" "gate open" "gate_closings 4" "bound 1" \
		"regs 0000:00:03.0" "safe_mode 1" 'safe_reason heartbeat "stopped"' \
		"safe_mode_entries 2" "high_wm_bytes 241591910" "low_wm_bytes 214748364" \
		"projected_used 1642496" "reg_status 0x1" "reg_phys_cap 268435456" \
		"reg_serial 0xcafe000000000001" \
		"reg_phys_used 1638400" "reg_logical_used 4096000" "reg_heartbeat 99" \
		"snapshot_age_ms 1500" > "$dbg/device"
	printf '%s\n' "enabled 1" "pool_pages 100" "pool_limit_pages 100" \
		"pool_accept_pages 90" "limit_hit 1" "stored_objects 480" \
		"compressed_bytes 390000" "same_filled_pages 20" > "$dbg/pool"
	printf '%s\n' "region: devdax dax0.0" "high_wm_pct: 90" "hook_api: zswap" \
		"hooks_live: $long" > "$dbg/config"
	printf '%s\n' "class  size pages/zspage objs/zspage  zspages  objects  free_slots" \
		"   63  1040            1           3       10       28           2" \
		"  100  1632            2           5       30      150           0" \
		> "$dbg/pool_classes"
}

# json_is DESC JSON PY-EXPR WANT: python3 evaluates EXPR on the parsed object j
json_is() {
	local got
	got=$(printf '%s' "$2" | python3 -c "import json,sys; j=json.load(sys.stdin); print($3)" 2>&1)
	tap_result $([ "$got" = "$4" ] && echo 0 || echo 1) "$1" "expected '$4', got '$got'"
}

# out_has DESC TEXT ERE
out_has() {
	printf '%s\n' "$2" | grep -Eq -- "$3"
	tap_result $? "$1" "no line matches /$3/ in:
$2"
}

mktree "$tmp/full"
json=$("$cramstat" --root "$tmp/full" --json)
tap_result $? "--json exits 0"
json_is "JSON parses, debugfs seen" "$json" "j['debugfs']" True
json_is "cxl: pages from cxl_stored_pages" "$json" "j['tiers']['cxl']['stored_pages']" 1000
json_is "cxl: physical is the device's PHYS_USED" "$json" \
	"j['tiers']['cxl']['physical_bytes']" 1638400
json_is "cxl: ratio 2.5" "$json" "j['tiers']['cxl']['ratio']" 2.5
json_is "cxl: state" "$json" "j['tiers']['cxl']['state']" active
json_is "pool: ratio 5" "$json" "j['tiers']['pool']['ratio']" 5.0
json_is "pool: state full" "$json" "j['tiers']['pool']['state']" full
json_is "total: 1500 pages" "$json" "j['tiers']['total']['stored_pages']" 1500
json_is "total: ratio 3" "$json" "j['tiers']['total']['ratio']" 3.0
json_is "written back" "$json" "j['written_back_pages']" 77
json_is "debugfs counters as numbers" "$json" "j['stats']['decline_watermark']" 12
json_is "hex stays a string" "$json" "j['device']['reg_status']" 0x1
json_is "quotes in a value survive" "$json" "j['device']['safe_reason']" 'heartbeat "stopped"'
json_is "config 'name: value' lines" "$json" "j['config']['hook_api']" zswap
json_is "a ${#long}-character value whole" "$json" "j['config']['hooks_live']" "$long"
json_is "parameters" "$json" "j['params']['region']" dax0.0
json_is "pool classes: two rows" "$json" "len(j['pool_classes'])" 2
json_is "pool classes: columns" "$json" "j['pool_classes'][1]['objs_per_zspage']" 5
json_is "devices: one object each" "$json" "sorted(j['devices'])" "['dax0.0', 'dax1.0']"
json_is "devices: each its own state" "$json" "j['devices']['dax1.0']['cxl_state']" watermark
json_is "devices: each its own pages, not summed" "$json" \
	"j['devices']['dax0.0']['cxl_stored_pages']" 600
json_is "devices: the serial a string" "$json" "j['devices']['dax1.0']['device_serial']" 0xcafe0002
json_is "devices: not in the summary" "$json" "'devices' in j['summary']" False

screen=$("$cramstat" --root "$tmp/full")
tap_result $? "screen exits 0"
out_has "screen: cxl line" "$screen" '^cxl +active +1000 +3\.9 MiB +1\.6 MiB +2\.50$'
out_has "screen: pool line" "$screen" '^pool +full +500 +2\.0 MiB +400\.0 KiB +5\.00$'
out_has "screen: total line" "$screen" '^total +1500 +5\.9 MiB +2\.0 MiB +3\.00$'
out_has "screen: a row per device" "$screen" \
	'^dax0\.0 +active +600 +9000 +960\.0 KiB +128\.0 MiB 0xcafe0001$'
out_has "  the other's own" "$screen" \
	'^dax1\.0 +watermark +400 +700 +640\.0 KiB +128\.0 MiB 0xcafe0002$'
out_has "screen: safe mode and why" "$screen" 'safe mode heartbeat "stopped" \(entered 2 times\)'
out_has "screen: declines" "$screen" '^declines: watermark 12, safe_mode 3,'
out_has "screen: writeback" "$screen" '^writeback: written 77, drained 5, failures 0, raced 2,'
printf '%s\n' "$screen" | grep -q 'DRAINING'
tap_result $([ $? = 1 ] && echo 0 || echo 1) "no drain line while idle"
json_is "drain state in JSON" "$json" "j['control']['drain']" idle
echo draining > "$tmp/full/sys/module/cram/drain"
screen=$("$cramstat" --root "$tmp/full")
out_has "screen: a drain under way, with progress" "$screen" \
	'^DRAINING to the swap device: 5 pages written, 1500 still held; stores disarmed$'
echo idle > "$tmp/full/sys/module/cram/drain"
screen=$("$cramstat" --root "$tmp/full")
out_has "screen: watermarks" "$screen" 'high 230\.4 MiB \(90%\), low 204\.8 MiB \(80%\)'
printf '%s\n' "$screen" | grep -q 'free_slots'
tap_result $([ $? = 1 ] && echo 0 || echo 1) "no class table without -c"
classes=$("$cramstat" --root "$tmp/full" -c)
out_has "-c: class table row" "$classes" '^ +100 +1632 +2 +5 +30 +150 +0$'

# Without root: no debugfs, the summary only, and it says what is missing.
mktree "$tmp/user"
rm -rf "$tmp/user/sys/kernel/debug"
screen=$("$cramstat" --root "$tmp/user")
tap_result $? "without debugfs: exits 0"
out_has "without debugfs: tiers still shown" "$screen" '^cxl +active +1000 '
out_has "without debugfs: says detail needs root" "$screen" 'need root'
json=$("$cramstat" --root "$tmp/user" --json)
json_is "without debugfs: JSON says so" "$json" "j['debugfs']" False
json_is "without debugfs: no stats object" "$json" "'stats' in j" False

# trust_capacity (no telemetry): the CXL memory is plain RAM, ratio 1
mktree "$tmp/trust"
put "$tmp/trust/sys/module/cram/stats" device_phys_cap_bytes=0 device_phys_used_bytes=0 device_bound=0
json=$("$cramstat" --root "$tmp/trust" --json)
json_is "no telemetry: cxl physical = logical" "$json" "j['tiers']['cxl']['ratio']" 1.0
# a bound device that never read sane: physical bytes unknown, not 1:1
put "$tmp/trust/sys/module/cram/stats" device_bound=1
json=$("$cramstat" --root "$tmp/trust" --json)
json_is "device never sane: cxl ratio unknown" "$json" "j['tiers']['cxl']['ratio']" None
json_is "  physical unknown" "$json" "j['tiers']['cxl']['physical_bytes']" None
json_is "  total ratio unknown too" "$json" "j['tiers']['total']['ratio']" None
screen=$("$cramstat" --root "$tmp/trust")
out_has "  screen: physical ?" "$screen" '^cxl +active +1000 +3\.9 MiB +\? +-$'
# a torn register read: the registers are not shown as values
printf '%s\n' "reg_read torn" >> "$tmp/full/sys/kernel/debug/cram/device"
screen=$("$cramstat" --root "$tmp/full")
out_has "torn read: said, registers not shown" "$screen" '^  registers: torn read'
mktree "$tmp/full"
# nothing stored (the device's few bytes of its own still cost): no ratio
put "$tmp/full/sys/module/cram/stats" cxl_stored_pages=0 cxl_logical_bytes=0 \
	pool_stored_pages=0 pool_logical_bytes=0 pool_physical_bytes=0 \
	device_phys_used_bytes=128
json=$("$cramstat" --root "$tmp/full" --json)
json_is "empty: ratio null" "$json" "j['tiers']['total']['ratio']" None
json_is "empty: the device's bytes still shown" "$json" "j['tiers']['cxl']['physical_bytes']" 128
mktree "$tmp/full"

# Odd contents (sysfs and debugfs are the kernel's, but a tool must not trust them):
# a line with no name, bytes that are not ASCII, the largest 64-bit value and one past it.
mktree "$tmp/odd"
dbg=$tmp/odd/sys/kernel/debug/cram
printf '%s\n' " leading_space 5" "store_calls 18446744073709551615" \
	"load_calls 18446744073709551616" "stores 7" > "$dbg/stats"
printf 'safe_reason caf\xe9 \xff\x01\n' >> "$dbg/device"
put "$tmp/odd/sys/module/cram/stats" stored_pages=18446744073709551615 \
	cxl_stored_pages=18446744073709551615
put "$tmp/odd/sys/module/cram/parameters" region=
json=$("$cramstat" --root "$tmp/odd" --json)
tap_result $? "odd contents: --json exits 0 (under ASan: no read before a line)"
json_is "  a line without a name is skipped" "$json" "'' in j['stats'] or ' leading_space' in j['stats']" False
json_is "  non-ASCII bytes escaped: the JSON parses" "$json" "j['device']['safe_reason']" \
	"$(printf 'caf\xc3\xa9 \xc3\xbf\x01')"
json_is "  2^64-1 is a number in the stats" "$json" "j['stats']['store_calls']" 18446744073709551615
json_is "  and in the summary" "$json" "j['summary']['stored_pages']" 18446744073709551615
json_is "  2^64 is a string" "$json" "j['stats']['load_calls']" 18446744073709551616
json_is "  (as a string)" "$json" "type(j['stats']['load_calls']).__name__" str
json_is "  a total past 2^64 stays at 2^64-1, not wrapped" "$json" \
	"j['tiers']['total']['stored_pages']" 18446744073709551615
out_has "  prom: an empty text value is labelled none" "$("$cramstat" --root "$tmp/odd" --prometheus)" \
	'^cram_param_region_info\{value="none"\} 1$'
"$cramstat" --root "$tmp/odd" > /dev/null
tap_result $? "odd contents: the screen exits 0"

# --prometheus: promtool accepts it (names, HELP/TYPE, counters' _total), values as given
promtool=$("$(dirname "$0")/../../scripts/fetch-promtool" 2> "$tmp/fetch.err")
tap_result $? "promtool fetched (scripts/fetch-promtool)" "$(cat "$tmp/fetch.err")"
mktree "$tmp/full"
prom=$("$cramstat" --root "$tmp/full" --prometheus)
tap_result $? "--prometheus exits 0"
out=$(printf '%s\n' "$prom" | "$promtool" check metrics 2>&1)
tap_result $? "promtool check metrics: no problem" "$out"
out_has "prom: a summary gauge" "$prom" '^cram_stored_pages 1500$'
out_has "  with HELP naming its file" "$prom" '^# HELP cram_stored_pages /sys/module/cram/stats stored_pages'
out_has "  and TYPE" "$prom" '^# TYPE cram_stored_pages gauge$'
out_has "prom: a summary counter" "$prom" '^cram_written_back_pages_total 77$'
out_has "prom: a device gauge, labelled" "$prom" '^cram_device_cxl_stored_pages\{device="dax0\.0"\} 600$'
out_has "  the other device's" "$prom" '^cram_device_cxl_stored_pages\{device="dax1\.0"\} 400$'
tap_result $([ "$(printf '%s\n' "$prom" | grep -c '^# TYPE cram_device_cxl_stored_pages ')" = 1 ] \
	&& echo 0 || echo 1) "  one TYPE line for both"
out_has "prom: a device counter" "$prom" '^cram_device_gate_closings_total\{device="dax1\.0"\} 3$'
out_has "prom: a device's state as a label" "$prom" \
	'^cram_device_cxl_state_info\{device="dax1\.0",value="watermark"\} 1$'
out_has "prom: the serial a label of an info series, not a float" "$prom" \
	'^cram_device_device_serial_info\{device="dax0\.0",value="0xcafe0001"\} 1$'
out_has "prom: a state as a label" "$prom" '^cram_cxl_state_info\{value="active"\} 1$'
out_has "prom: a parameter Y as 1" "$prom" '^cram_param_enabled 1$'
out_has "prom: a debugfs counter" "$prom" '^cram_debugfs_stats_decline_watermark_total 12$'
out_has "  of counter type" "$prom" '^# TYPE cram_debugfs_stats_decline_watermark_total counter$'
out_has "prom: hex (a bit field) is an info label, not a float" "$prom" \
	'^cram_debugfs_device_reg_status_info\{value="0x1"\} 1$'
out_has "prom: a serial past 2^53 is a label, every digit kept" "$prom" \
	'^cram_debugfs_device_reg_serial_info\{value="0xcafe000000000001"\} 1$'
out_has "prom: a register in bytes says so" "$prom" '^cram_debugfs_device_reg_phys_used_bytes 1638400$'
out_has "prom: milliseconds as seconds" "$prom" '^cram_debugfs_device_snapshot_age_seconds 1\.5$'
out_has "prom: quotes escaped in a label" "$prom" \
	'^cram_debugfs_device_safe_reason_info\{value="heartbeat \\"stopped\\""\} 1$'
out_has "prom: pool classes labelled" "$prom" \
	'^cram_debugfs_pool_class_objects\{class="100",size_bytes="1632"\} 150$'
out_has "prom: the version" "$prom" '^cram_info\{version="0\.6\.0"\} 1$'
prom=$("$cramstat" --root "$tmp/user" --prometheus)
out=$(printf '%s\n' "$prom" | "$promtool" check metrics 2>&1)
tap_result $? "prom without debugfs: promtool accepts it" "$out"
out_has "  says debugfs was not read" "$prom" '^cram_debugfs_readable 0$'
printf '%s\n' "$prom" | grep -q '^cram_debugfs_stats'
tap_result $([ $? = 1 ] && echo 0 || echo 1) "  and has no debugfs values"
prom=$("$cramstat" --root "$tmp/odd" --prometheus)
out=$(printf '%s\n' "$prom" | "$promtool" check metrics 2>&1)
tap_result $? "prom, odd contents (non-ASCII, 2^64): promtool accepts it" "$out"
"$cramstat" --root "$tmp/full" --prometheus -o "$tmp/cram.prom" -w 1 -n 2
tap_result $? "-o FILE -w 1 -n 2: exits 0"
cmp -s "$tmp/cram.prom" <("$cramstat" --root "$tmp/full" --prometheus)
tap_result $? "  the file holds a whole sample, as stdout would"
out=$(ls "$tmp"/cram.prom.* 2> /dev/null)
tap_result $([ -z "$out" ] && echo 0 || echo 1) "  no temporary file left" "$out"
out=$("$cramstat" --root "$tmp/full" --prometheus -o "$tmp/nodir/cram.prom" 2>&1)
tap_result $([ $? = 1 ] && echo 0 || echo 1) "-o into a missing directory: exit 1" "$out"
out_has "  and says why" "$out" 'cannot write .*No such file or directory'

out=$("$cramstat" --root "$tmp/full" --json -w 1 -n 2 | wc -l)
tap_result $([ "$out" = 2 ] && echo 0 || echo 1) "-w 1 -n 2: two samples" "got $out lines"

out=$("$cramstat" --root "$tmp/none" 2>&1)
tap_result $([ $? = 1 ] && echo 0 || echo 1) "cram not loaded: exit 1" "$out"
out_has "  and says so" "$out" 'cram is not loaded'
out_has "prom: cram_up 1 when cram is read" "$("$cramstat" --root "$tmp/full" --prometheus)" '^cram_up 1$'
prom=$("$cramstat" --root "$tmp/none" --prometheus 2> /dev/null)
tap_result $([ $? = 1 ] && echo 0 || echo 1) "prom, cram not loaded: exit 1" "$prom"
tap_result $([ "$(printf '%s\n' "$prom" | grep -v '^#')" = "cram_up 0" ] && echo 0 || echo 1) \
	"  cram_up 0, and no other value" "$prom"
out=$(printf '%s\n' "$prom" | "$promtool" check metrics 2>&1)
tap_result $? "  promtool accepts it" "$out"
"$cramstat" --root "$tmp/full" --prometheus -o "$tmp/up.prom"
"$cramstat" --root "$tmp/none" --prometheus -o "$tmp/up.prom" -w 1 -n 2 2> /dev/null
tap_result $([ $? = 1 ] && echo 0 || echo 1) "-o FILE -w 1 -n 2, cram gone: every sample written, exit 1"
tap_result $([ "$(grep -v '^#' "$tmp/up.prom")" = "cram_up 0" ] && echo 0 || echo 1) \
	"  the file says cram_up 0, with no stale value" "$(head -n 5 "$tmp/up.prom")"
for form in "" --json --prometheus; do
	# shellcheck disable=SC2086
	out=$("$cramstat" --root "$tmp/full" $form 2>&1 > /dev/full)
	tap_result $([ $? = 1 ] && echo 0 || echo 1) "output ${form:-(screen)} to a full disk: exit 1" "$out"
done
for bad in "-w 0" "-w x" "-w 3601" "-n 2" "-w 1 -n 0" "extra" "--bogus" "--json --prometheus" \
	"-o $tmp/x"; do
	# shellcheck disable=SC2086
	out=$("$cramstat" --root "$tmp/full" $bad 2>&1)
	tap_result $([ $? = 2 ] && echo 0 || echo 1) "bad usage '$bad': exit 2" "$out"
done
tap_done
