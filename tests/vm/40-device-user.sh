# SPDX-License-Identifier: GPL-2.0
# 40-device-user.sh - 40-device.t's end with cram-agent (sourced): an agent that
# stops puts the region in safe mode within its timeout; one killed detaches (no
# placements, loads go on, byte-exact); restarted, placements resume. Then what
# /dev/cram-telemetry refuses (tmcheck). 21 results.
hold_start u 24M 32 53 -p quarter
held=$(cram_stat stored_pages)
check "(u) cram holds pages ($held)" test "$held" -gt 2048
kill -STOP $agent_pid
check "(u) agent stopped: safe mode within 3 s (timeout 1 s)" wait_dev safe_mode '^1$' 3
like "(u) debugfs says why" "$(dev_line safe_reason)" 'heartbeat stopped'
kill -CONT $agent_pid
check "(u) agent continued: safe mode ends" wait_dev safe_mode '^0$'
provider_stop KILL
check "(u) agent killed: no telemetry bound" wait_dev bound '^0$'
without_provider u
provider_start
check "(u) agent restarted: sane again" wait_dev safe_mode '^0$'
r=$(in_memcg 12M swapstress 16 55 2>&1)
like "(u) a workload reads back intact" "$r" '^pages 4096 mismatches 0 '
check "(u) placements resumed" test "$(cram_stat stores)" -gt "$stores"
swap_cycle
provider_stop TERM
check "(u) agent stopped: detached" wait_dev bound '^0$'

# --- a source that hangs: killed at max(4 x period, 1 s), nothing published; SIGTERM
# ends the agent at once
: > /tmp/agent.log
cram-agent --region $dax --period 50 --name hung --source "sleep 60" 2>> /tmp/agent.log &
agent_pid=$!
check "(h) an agent whose source hangs attaches" wait_dev bound '^1$'
alive() {	# a process that exited is a zombie until the shell waits for it
	case $(cut -d' ' -f3 /proc/"$1"/stat 2> /dev/null) in ''|Z) echo gone ;; *) echo alive ;; esac
}
check "(h) its source is killed after 1 s" wait_value 'timed out: killed' 3 cat /tmp/agent.log
like "(h) nothing published: safe mode" "$(dev_line safe_reason)" 'no snapshot from the provider yet'
kill -TERM $agent_pid
check "(h) SIGTERM ends the agent within a second" wait_value '^gone$' 1 alive $agent_pid
wait $agent_pid 2> /dev/null
check "(h) and it detached" wait_dev bound '^0$'

# --- what the character device refuses, and that it changes nothing
want="short-write EINVAL
long-write EINVAL
mark-before-attach ENOTCONN
snapshot-before-attach ENOTCONN
attach-abi-2 EINVAL
kind-9 EINVAL
attach-nosuch ENODEV
attach-unterminated EINVAL
attach-nothing EINVAL
attach-no-name EINVAL
attach ok
attach-again EISCONN
mark-short EINVAL
mark ok
snapshot ok
snapshot-same-seq ESTALE
snapshot-older-seq ESTALE
period-0 EINVAL
period-60001 EINVAL
status-unknown-bit EINVAL
mark-written-ahead EINVAL
mark-events-ahead EINVAL
random-1000 EINVAL
state unchanged
event ok
events +1"
is "(t) /dev/cram-telemetry refuses each bad message with its errno, state unchanged" \
	"$(tmcheck $dax)" "$want"
is "(t) the node is root's alone (0600)" "$(runas 65534 tmcheck --open)" "open EACCES"
chmod 0666 /dev/cram-telemetry
is "(t) and opening needs CAP_SYS_ADMIN" "$(runas 65534 tmcheck --open)" "open EPERM"
chmod 0600 /dev/cram-telemetry
check "rmmod" rmmod cram
