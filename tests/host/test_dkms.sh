#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The module builds through DKMS against the installed Debian headers, the way
# 'make dkms-install' sets it up (dkms.conf at the top, Kbuild descending into
# kmod/).  Runs on the host: it only builds, nothing is loaded.  Uses its own
# package version so that a real 'make dkms-install' is left alone, and
# removes everything it added.
set -u
cd "$(dirname "$0")/../.."
REPO=$(pwd)
pass=0 fail=0 skip=0
ok()  { echo "PASS: dkms: $1"; pass=$((pass + 1)); }
nok() { echo "FAIL: dkms: $1${2:+ ($2)}"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed, $skip skipped"; [ $fail -eq 0 ]; exit $?; }

if ! command -v dkms >/dev/null; then nok "dkms is installed" "run 'make deps'"; finish; fi
if [ "$(id -u)" -ne 0 ]; then nok "running as root (dkms writes /usr/src and /var/lib/dkms)"; finish; fi
KVER=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n1 | cut -d/ -f4)
[ -n "$KVER" ] || { nok "kernel headers are installed" "run 'make deps'"; finish; }

base=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
VER=$base.dkmstest
SRC=/usr/src/egressk-$VER
cleanup() {
	dkms remove -m egressk -v "$VER" --all >/dev/null 2>&1
	rm -rf "$SRC" "/var/lib/dkms/egressk/$VER"
}
trap cleanup EXIT
cleanup

# the same file list as 'make dkms-install', without build products
mkdir -p "$SRC"
tar -C "$REPO" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='*.order' --exclude='Module.symvers' --exclude='.*.d' \
	-cf - Kbuild dkms.conf kmod uapi | tar -C "$SRC" -xf -
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$VER\"/" "$SRC/dkms.conf"

log=$(mktemp)
if dkms add -m egressk -v "$VER" >"$log" 2>&1; then ok "dkms add"
else nok "dkms add" "$(tail -n3 "$log" | tr '\n' ' ')"; fi

start=$(date +%s)
if dkms build -m egressk -v "$VER" -k "$KVER" >"$log" 2>&1; then
	ok "dkms build against $KVER headers ($(( $(date +%s) - start ))s)"
else
	nok "dkms build against $KVER headers" "see below"
	tail -n 20 "$log" | sed 's/^/    | /'
	mk=/var/lib/dkms/egressk/$VER/build/make.log
	[ -f "$mk" ] && grep -E 'error|Error' "$mk" | head -n 10 | sed 's/^/    make.log| /'
fi

ko=$(find "/var/lib/dkms/egressk/$VER/$KVER" -name 'egressk.ko*' 2>/dev/null | head -n1)
if [ -n "$ko" ]; then ok "dkms produced egressk.ko"; else nok "dkms produced egressk.ko"; fi
if [ -n "$ko" ] && [ "$(modinfo -F vermagic "$ko" | awk '{print $1}')" = "$KVER" ]; then
	ok "its vermagic is $KVER"
else
	nok "its vermagic is $KVER" "${ko:+$(modinfo -F vermagic "$ko")}"
fi
if dkms status -m egressk -v "$VER" 2>/dev/null | grep -q built; then ok "dkms status says built"
else nok "dkms status says built" "$(dkms status -m egressk -v "$VER" 2>&1)"; fi

if dkms remove -m egressk -v "$VER" --all >"$log" 2>&1; then ok "dkms remove"
else nok "dkms remove" "$(tail -n3 "$log" | tr '\n' ' ')"; fi
rm -f "$log"
finish
