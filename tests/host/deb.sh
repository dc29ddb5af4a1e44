#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deb.sh KVER... - cram's Debian packages, as an administrator gets them: built with
# Debian's tools (scripts/make-deb, lintian-clean), installed with apt into a copy of
# a clean Debian 12 chroot (minbase; apt brings dkms, the compiler and the tools'
# dependencies) that has only the kernels' headers unpacked, and into a copy of the
# Debian 13 build chroot for its kernels. DKMS must have built and installed cram.ko
# for every kernel, with the kernel's vermagic; purge must remove every file the
# packages installed and every module DKMS built. The maintainer scripts, run with
# their calls logged: an upgrade stops nothing, a removal of cram-tools stops cram.
# The host's own /lib/modules and dpkg database are never touched.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$CRAM_TOP/dkms.conf")
mkdir -p "$CRAM_BUILD"
tmp=$(mktemp -d "$CRAM_BUILD/deb-test.XXXXXX")
# a chroot copy is removed only when nothing is mounted under it (scripts/chroot
# unmounts its binds of the project and the kernel cache on exit)
remove_tree() {
	if grep -qF " $1/" /proc/mounts; then
		echo "# not removing $1: still mounted under it" >&2
		return 1
	fi
	rm -rf "$1"
}
trap 'remove_tree "$tmp"' EXIT

"$CRAM_TOP/scripts/make-deb" "$tmp/debs" > "$tmp/make-deb.log" 2>&1
tap_result $? "make-deb: cram-dkms and cram-tools built, lintian reports nothing" \
	"$(tail -n 30 "$tmp/make-deb.log")"
[ -f "$tmp/debs/cram-dkms_${ver}_all.deb" ] || { tap_done; exit 1; }

# The maintainer scripts, run as dpkg runs them, with systemd "running" (a tmpfs /run
# with /run/systemd/system, in a mount namespace) and the commands they call logged
# instead of run: an upgrade of either package stops and restarts nothing (cram keeps
# running; the new version takes effect at the next restart), a removal of
# cram-tools stops cram.service while cram-setup is still there.
# maint_calls DEB SCRIPT ARG...: the calls SCRIPT makes, one per line
maint_calls() {
	local ctl=$tmp/ctl/${1##*/} stub=$tmp/stub c
	[ -d "$ctl" ] || { mkdir -p "$tmp/ctl" && dpkg-deb -e "$1" "$ctl"; }
	mkdir -p "$stub"
	for c in deb-systemd-invoke deb-systemd-helper systemctl dkms; do
		printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\n' "$c" "$tmp" > "$stub/$c"
		chmod +x "$stub/$c"
	done
	rm -f "$tmp/calls"
	[ ! -e "$ctl/$2" ] ||
		unshare -m sh -c 'mount -t tmpfs none /run && mkdir -p /run/systemd/system &&
			PATH=$0:$PATH exec sh "$@"' "$stub" "$ctl/$2" "${@:3}" > /dev/null 2>&1
	cat "$tmp/calls" 2> /dev/null
}
tools=$(ls "$tmp/debs"/cram-tools_*.deb) dkms=$(ls "$tmp/debs"/cram-dkms_*.deb)
calls=$(for deb in "$tools" "$dkms"; do	# dpkg's order for an upgrade
	maint_calls "$deb" prerm upgrade "$ver"
	maint_calls "$deb" preinst upgrade "$ver"
	maint_calls "$deb" postrm upgrade "$ver"
	maint_calls "$deb" postinst configure "$ver"
done)
tap_result $(printf '%s\n' "$calls" | grep -Eq ' (stop|restart|try-restart)( |$)' && echo 1 || echo 0) \
	"an upgrade of cram-tools and cram-dkms stops and restarts nothing" "$calls"
calls=$(maint_calls "$tools" prerm remove)
tap_result $([ "$calls" = "deb-systemd-invoke stop cram-exporter.service cram.service" ] && echo 0 || echo 1) \
	"removing cram-tools stops cram.service (a drain while cram-setup is there) and the exporter" "$calls"

# install_test SUITE KVER...: install, check each kernel's module, purge, check all gone
install_test() {
	local suite=$1 base root kver ko want got log=$tmp/$1.log
	shift
	base=$("$CRAM_TOP/scripts/chroot" "$suite" 2> "$log") ||
		{ tap_result 1 "$suite: the chroot" "$(tail -n 20 "$log")"; return; }
	root=$tmp/root-$suite
	cp -a "$base" "$root"
	in_copy() { CRAM_CHROOT_DIR=$root "$CRAM_TOP/scripts/chroot" "$suite" "$@"; }
	for kver in "$@"; do	# the headers, unpacked; no kernel installed
		mkdir -p "$root/lib/modules/$kver"
		ln -s "$(kernel_dir "$kver")/usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
	done
	# and the headers of a kernel cram does not support, where any build fails:
	# DKMS skips it (dkms.conf BUILD_EXCLUSIVE_KERNEL), the install does not fail
	mkdir -p "$root/lib/modules/5.10.0-99-amd64/build/include"
	printf 'all modules:\n\tfalse\n' > "$root/lib/modules/5.10.0-99-amd64/build/Makefile"
	# what apt would bring with the headers packages (their compiler, kbuild's pahole)
	in_copy sh -c 'apt-get update -q' > "$log" 2>&1
	deps=$(for kver in "$@"; do
		in_copy sh -c "apt-cache show linux-headers-$kver
			for kb in \$(apt-cache show linux-headers-$kver | sed -n 's/^Depends: //p' |
				grep -o 'linux-kbuild-[^ ,]*' | sort -u); do apt-cache show \$kb; done"
	done 2> /dev/null | sed -n 's/^Depends: //p' | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g' |
		grep -v '^linux-' | grep . | sort -u | tr '\n' ' ')
	in_copy sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $deps" \
		>> "$log" 2>&1
	tap_result $([ -n "$deps" ] && echo 0 || echo 1) \
		"$suite: the headers' dependencies, as apt installs them with the headers ($deps)" \
		"$(tail -n 20 "$log")"
	mkdir -p "$root/tmp/debs"
	cp "$tmp/debs"/*.deb "$root/tmp/debs/"
	in_copy sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		/tmp/debs/cram-dkms_*.deb /tmp/debs/cram-tools_*.deb' > "$log" 2>&1
	tap_result $? "$suite: apt installs cram-dkms and cram-tools with their dependencies" \
		"$(tail -n 30 "$log")"
	ko=$(find "$root/lib/modules/5.10.0-99-amd64" -name 'cram.ko*' 2> /dev/null)
	tap_result $([ -z "$ko" ] && grep -q 'BUILD_EXCLUSIVE' "$log" && echo 0 || echo 1) \
		"$suite: a kernel cram does not support (5.10) is skipped, saying why" \
		"$(grep -B2 -A3 '5\.10\.0-99' "$log" | tail -n 20)"
	for kver in "$@"; do
		ko=$(find "$root/lib/modules/$kver/updates" -name 'cram.ko*' 2> /dev/null | head -n 1)
		tap_result $([ -n "$ko" ] && echo 0 || echo 1) \
			"$suite: DKMS built and installed cram.ko for $kver (${ko#"$root"})" \
			"$(grep -A3 "$kver" "$log" | tail -n 20)"
		want=$(modinfo -F vermagic "$(find "$(kernel_dir "$kver")/lib/modules/$kver/kernel/drivers/block" \
			-name 'virtio_blk.ko*')")
		got=$(modinfo -F vermagic "$ko" 2> /dev/null)
		tap_result $([ -n "$got" ] && [ "$got" = "$want" ] && echo 0 || echo 1) \
			"$suite: $kver: the module's vermagic is the kernel's ($got)" "kernel's: $want"
	done
	in_copy dpkg -L cram-dkms cram-tools > "$tmp/files" 2>&1
	out=$(in_copy sh -c 'cramstat --help | head -n 1; cram-setup --bogus 2>&1 | head -n 1
		cram-agent 2>&1 | head -n 1; ls /etc/default/cram-agent
		ls /lib/systemd/system/cram-agent@.service /usr/share/man/man8/cram-agent.8.gz
		ls /lib/systemd/system/cram.service /lib/systemd/system/cram-exporter.service
		ls /usr/share/man/man4/cram.4.gz /etc/default/cram /usr/bin/cramstat
		ls /etc/systemd/system/*.wants/cram.service 2>&1' 2>&1)
	tap_result $(printf '%s\n' "$out" | grep -q '^Usage: cramstat' &&
		printf '%s\n' "$out" | grep -q '^usage: cram-setup' &&
		printf '%s\n' "$out" | grep -q '^usage: cram-agent' &&
		printf '%s\n' "$out" | grep -q '^/lib/systemd/system/cram-agent@.service$' &&
		printf '%s\n' "$out" | grep -q '^/usr/share/man/man8/cram-agent.8.gz$' &&
		printf '%s\n' "$out" | grep -q '^/etc/default/cram-agent$' &&
		printf '%s\n' "$out" | grep -q '^/lib/systemd/system/cram.service$' &&
		printf '%s\n' "$out" | grep -q '^/lib/systemd/system/cram-exporter.service$' &&
		printf '%s\n' "$out" | grep -q '^/usr/bin/cramstat$' &&
		printf '%s\n' "$out" | grep -q '^/usr/share/man/man4/cram.4.gz$' &&
		printf '%s\n' "$out" | grep -q 'wants/cram.service.*No such file' && echo 0 || echo 1) \
		"$suite: the tools run (cramstat, cram-setup, cram-agent); cram.service, cram-exporter.service, cram-agent@.service, man cram and cram-agent, /etc/default/cram and cram-agent installed; the unit not enabled (it needs a CXL device)" \
		"$out"
	in_copy sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q cram-dkms cram-tools' > "$log" 2>&1
	tap_result $? "$suite: apt purges both" "$(tail -n 20 "$log")"
	left=$(while read -r f; do	# directories shared with other packages stay
		[ -e "$root$f" ] || [ -L "$root$f" ] || continue
		case $f in *cram*) echo "$f" ;; *) [ -d "$root$f" ] || echo "$f" ;; esac
	done < "$tmp/files"
	find "$root/lib/modules" "$root/var/lib/dkms" -name 'cram*' 2> /dev/null | sed "s|^$root||")
	tap_result $([ -z "$left" ] && echo 0 || echo 1) \
		"$suite: nothing the packages or DKMS installed is left ($(wc -l < "$tmp/files") paths checked)" \
		"$left"
	remove_tree "$root"
}

bookworm=() trixie=()
for kver in "$@"; do
	case $(kver_suite "$kver") in
	host) bookworm+=("$kver") ;;
	trixie) trixie+=("$kver") ;;
	*) echo "# $kver: no package install test for its suite" ;;
	esac
done
[ ${#bookworm[@]} -eq 0 ] || install_test bookworm "${bookworm[@]}"
[ ${#trixie[@]} -eq 0 ] || install_test trixie "${trixie[@]}"
tap_done
