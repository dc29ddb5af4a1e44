#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.sh KVER... - dkms add, build, install and remove cram for each kernel, the way
# an administrator would, but in throw-away DKMS trees: the source, the DKMS state and
# the install tree all live in a temporary directory, so the host's /lib/modules is
# never touched. Checks that the installed module's vermagic equals that of the
# kernel's own modules, and that remove takes it away again.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$CRAM_TOP/dkms.conf")
# under the project: kernels of newer suites run DKMS in their chroot, which sees it
mkdir -p "$CRAM_BUILD"
tmp=$(mktemp -d "$CRAM_BUILD/dkms-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for kver in "$@"; do
	suite=$(kver_suite "$kver")
	tree=$tmp/$kver
	mkdir -p "$tree/src/cram-$ver" "$tree/dkms" "$tree/install/$kver"
	(cd "$CRAM_TOP" && cp -a Kbuild Makefile dkms.conf include src scripts "$tree/src/cram-$ver/")
	dkms() { in_suite "$suite" env dkms "$@" --sourcetree "$tree/src" --dkmstree "$tree/dkms" \
		--installtree "$tree/install" > "$tmp/dkms.log" 2>&1; }
	kdir=$(kernel_dir "$kver")
	dkms add -m cram -v "$ver"
	tap_result $? "$kver: dkms add cram/$ver$([ "$suite" = host ] || echo " (in the $suite chroot)")" \
		"$(cat "$tmp/dkms.log")"
	dkms build -m cram -v "$ver" -k "$kver" --kernelsourcedir "$kdir/usr/src/linux-headers-$kver"
	tap_result $? "$kver: dkms build" "$(cat "$tmp/dkms.log")"
	makelog=$tree/dkms/cram/$ver/$kver/x86_64/log/make.log
	if grep -q 'LD \[M\].*cram\.ko' "$makelog" 2>/dev/null; then
		grep -E 'warning:|error:' "$makelog" > "$tmp/warnings"
	else
		echo "no make.log showing cram.ko linked: $makelog" > "$tmp/warnings"
	fi
	tap_result $([ -s "$tmp/warnings" ] && echo 1 || echo 0) "$kver: dkms build log shows cram.ko linked, no warnings" "$(cat "$tmp/warnings")"

	dkms install -m cram -v "$ver" -k "$kver" --no-depmod
	tap_result $? "$kver: dkms install" "$(cat "$tmp/dkms.log")"
	ko=$(find "$tree/install/$kver" -name 'cram.ko*' | head -n 1)
	tap_result $([ -n "$ko" ] && echo 0 || echo 1) "$kver: installed under updates/dkms (${ko#"$tree/install/"})"
	want=$(modinfo -F vermagic "$(find "$kdir/lib/modules/$kver/kernel/drivers/block" -name 'virtio_blk.ko*')")
	got=$(modinfo -F vermagic "$ko" 2>/dev/null)
	tap_result $([ -n "$got" ] && [ "$got" = "$want" ] && echo 0 || echo 1) \
		"$kver: installed vermagic matches the kernel's own modules ($got)"
	[ "$got" = "$want" ] || echo "#   kernel's: '$want'"
	dkms status -m cram -v "$ver" -k "$kver"
	tap_result $(grep -q ': installed' "$tmp/dkms.log" && echo 0 || echo 1) "$kver: dkms status says installed" "$(cat "$tmp/dkms.log")"

	dkms remove -m cram -v "$ver" -k "$kver" --no-depmod
	tap_result $? "$kver: dkms remove" "$(cat "$tmp/dkms.log")"
	left=$(find "$tree/install/$kver" -name 'cram.ko*')
	tap_result $([ -z "$left" ] && echo 0 || echo 1) "$kver: module gone after remove"
done
tap_done
