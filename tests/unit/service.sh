#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# service.sh - etc/systemd/cram.service as systemd reads it: `systemd-analyze verify`
# in a throw-away root holding the system's own units and cram's files where the
# unit names them (its man pages on MANPATH), with no complaint; and a unit broken on
# purpose is caught.
# The same for cram-exporter.service and cram-agent@.service. The VM test (60-ops.t) runs cram.service's
# ExecStart and ExecStop commands.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
top=$(realpath "$(dirname "$0")/../..")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

root=$tmp/root
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/usr/sbin" "$root/etc/default"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
install -m 0755 "$top/scripts/cram-setup" "$root/usr/sbin/cram-setup"
install -m 0644 "$top/etc/default/cram" "$root/etc/default/cram"
# Documentation= names man pages: verify looks them up (with man, on MANPATH)
mkdir -p "$tmp/man/man4" "$tmp/man/man8"
"$top/scripts/gen-man" "$tmp/man/man4/cram.4"
cp "$top/man/cramstat.8" "$top/man/cram-setup.8" "$tmp/man/man8/"
export MANPATH=$tmp/man
verify() {	# verify UNIT-FILE: systemd-analyze's output, or nothing
	install -m 0644 "$1" "$root/etc/systemd/system/cram.service"
	(cd "$tmp" && systemd-analyze verify --root="$root" "$root/etc/systemd/system/cram.service" 2>&1) ||
		echo "(exit $?)"
}
out=$(verify "$top/etc/systemd/cram.service")
tap_result $([ -z "$out" ] && echo 0 || echo 1) "systemd-analyze verify cram.service: no complaint" "$out"

sed 's|^ExecStop=/usr/sbin/cram-setup|ExecStop=/usr/sbin/cram-stop|; s|^Type=oneshot|Type=oneshott|' \
	"$top/etc/systemd/cram.service" > "$tmp/broken.service"
out=$(verify "$tmp/broken.service")
tap_result $([ -n "$out" ] && echo 0 || echo 1) "a unit with a missing command and a bad Type is caught" "$out"

# the unit hands cram-setup the file it installs, and cram-setup reads every key in it
start=$(sed -n 's/^ExecStart=//p' "$top/etc/systemd/cram.service")
stop=$(sed -n 's/^ExecStop=//p' "$top/etc/systemd/cram.service")
tap_result $([ "$start" = "/usr/sbin/cram-setup --wait 120 --config /etc/default/cram" ] && echo 0 || echo 1) \
	"ExecStart: cram-setup --wait 120 --config /etc/default/cram" "$start"
tap_result $([ "$stop" = "/usr/sbin/cram-setup --stop" ] && echo 0 || echo 1) \
	"ExecStop: cram-setup --stop" "$stop"
# the exporter's unit, with cramstat where it names it
install -D -m 0755 /bin/true "$root/usr/bin/cramstat"
install -D -m 0755 /bin/mkdir "$root/bin/mkdir"
install -m 0644 "$top/etc/systemd/cram.service" "$root/etc/systemd/system/cram.service"
install -m 0644 "$top/etc/systemd/cram-exporter.service" "$root/etc/systemd/system/"
out=$(cd "$tmp" && systemd-analyze verify --root="$root" \
	"$root/etc/systemd/system/cram-exporter.service" 2>&1) || out="$out (exit $?)"
tap_result $([ -z "$out" ] && echo 0 || echo 1) "systemd-analyze verify cram-exporter.service: no complaint" "$out"

# the agent's template unit, as an instance, with cram-agent and its settings in place
install -D -m 0755 /bin/true "$root/usr/sbin/cram-agent"
install -m 0644 "$top/etc/default/cram-agent" "$root/etc/default/cram-agent"
install -m 0644 "$top/etc/systemd/cram-agent@.service" "$root/etc/systemd/system/"
cp "$top/man/cram-agent.8" "$tmp/man/man8/"
out=$(cd "$tmp" && systemd-analyze verify --root="$root" \
	"$root/etc/systemd/system/cram-agent@dax0.0.service" 2>&1) || out="$out (exit $?)"
tap_result $([ -z "$out" ] && echo 0 || echo 1) "systemd-analyze verify cram-agent@dax0.0.service: no complaint" "$out"
keys=$(sed -n 's/^\(CRAM_[A-Z_]*\)=.*/\1/p' "$top/etc/default/cram-agent" | sort | tr '\n' ' ')
used=$(grep -o '${CRAM_[A-Z_]*}' "$top/etc/systemd/cram-agent@.service" | tr -d '${}' | sort | tr '\n' ' ')
tap_result $([ "$keys" = "$used" ] && echo 0 || echo 1) \
	"etc/default/cram-agent sets exactly what cram-agent@.service uses ($keys)" "$keys / $used"

keys=$(sed -n 's/^\(CRAM_[A-Z]*\)=.*/\1/p' "$top/etc/default/cram" | sort | tr '\n' ' ')
tap_result $([ "$keys" = "CRAM_DAX CRAM_PARAMS CRAM_SWAP " ] && echo 0 || echo 1) \
	"etc/default/cram sets exactly what cram-setup reads" "$keys"
tap_done
