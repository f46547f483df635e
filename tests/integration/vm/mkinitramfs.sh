#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the small busybox initramfs that boots Debian's kernel in
# QEMU for the integration tests (DESIGN.md section 5).
#
#   tests/integration/vm/mkinitramfs.sh KVER      prints the path of the image
#
# The image holds a static busybox, the virtio and 9p modules of KVER (always
# uncompressed: busybox insmod cannot read .ko.xz), and three scripts:
#   /init              loads the modules, mounts the host root read-only over
#                      9p at /host, prepares /host (proc, sys, dev, tmpfs on
#                      /run and /tmp) and chroots into it to run stage2
#   /egressk-modprobe  /proc/sys/kernel/modprobe points here, so that kernel
#                      module autoloading (request_module) runs the host's
#                      modprobe inside the chroot
#   /stage2.sh         copied to /host/run/egressk-vm/; runs the test command
#                      given on the kernel command line, prints the kernel log
#                      and a summary line "EGRESSK-VM-RESULT rc=N"
#
# Cached outside the work tree in $EGRESSK_CACHE (default /var/cache/egressk),
# keyed by the kernel version and a hash of this file, which holds every
# script that goes into the image.
set -euo pipefail

KVER=${1:?usage: mkinitramfs.sh KVER}
CACHE=${EGRESSK_CACHE:-/var/cache/egressk}
MODDIR=/lib/modules/$KVER
SELF=$(readlink -f "$0")

[ -d "$MODDIR" ] || { echo "mkinitramfs: $MODDIR missing; install linux-image-$KVER" >&2; exit 1; }
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || { echo "mkinitramfs: busybox missing; run 'make deps'" >&2; exit 1; }
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' && \
   ! ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic'; then
	echo "mkinitramfs: $BUSYBOX is not static; install busybox-static" >&2; exit 1
fi

hash=$(cat "$SELF" "$BUSYBOX" | sha256sum | cut -c1-16)
out=$CACHE/initramfs-$KVER-$hash.cpio.gz
if [ -s "$out" ]; then echo "$out"; exit 0; fi

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{bin,sbin,dev,proc,sys,host,modules,etc,root}
cp "$BUSYBOX" "$work/bin/busybox"
mknod -m 600 "$work/dev/console" c 5 1
mknod -m 666 "$work/dev/null" c 1 3

# Load order matters: insmod resolves nothing by itself.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	 9pnet 9pnet_virtio netfs fscache 9p"
n=0
for m in $MODULES; do
	f=$(find "$MODDIR/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" \
		-o -name "$m.ko.gz" | head -n1)
	if [ -z "$f" ]; then
		# built in (=y) kernels have nothing to load
		grep -q "/$m.ko" "$MODDIR/modules.builtin" 2>/dev/null && continue
		echo "mkinitramfs: module $m not found under $MODDIR" >&2; exit 1
	fi
	n=$((n + 1))
	dst=$work/modules/$(printf '%02d' $n)-$m.ko
	case "$f" in
	*.xz)  xz -dc "$f" >"$dst" ;;
	*.zst) zstd -dcq "$f" >"$dst" ;;
	*.gz)  gzip -dc "$f" >"$dst" ;;
	*)     cp "$f" "$dst" ;;
	esac
done

cat >"$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
fail() { echo "EGRESSK-VM-INIT-ERROR: $*"; echo "EGRESSK-VM-RESULT rc=125"; poweroff -f; }
for m in /modules/*.ko; do
	insmod "$m" || fail "insmod $m"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host ||
	fail "mount 9p hostroot (is -virtfs ...,mount_tag=hostroot given?)"
echo /egressk-modprobe >/proc/sys/kernel/modprobe
# A work tree under a directory that gets a fresh tmpfs below (a CI clone in
# /tmp, say) is named by egressk_vm.keep=: hold on to it before the tmpfs
# hides it, then put it back at the same path.
keep=
for a in $(cat /proc/cmdline); do
	case "$a" in egressk_vm.keep=*) keep=${a#egressk_vm.keep=} ;; esac
done
if [ -n "$keep" ]; then
	mkdir -p /keep && mount -o bind "/host$keep" /keep || fail "bind $keep"
fi
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm 2>/dev/null
mount -t devpts -o newinstance,ptmxmode=0666 devpts /host/dev/pts
mount -t tmpfs -o mode=1777 shm /host/dev/shm
mount -t tmpfs -o mode=0755 run /host/run
mount -t tmpfs -o mode=1777 tmp /host/tmp
mount -t tmpfs -o mode=0755 vartmp /host/var/tmp 2>/dev/null
mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup 2>/dev/null
if [ -n "$keep" ]; then
	mkdir -p "/host$keep" && mount -o bind /keep "/host$keep" || fail "restore $keep"
fi
mkdir -p /host/run/egressk-vm /host/run/lock
cp /stage2.sh /host/run/egressk-vm/stage2.sh
chroot /host /bin/sh /run/egressk-vm/stage2.sh
echo "EGRESSK-VM-INIT-DONE"
sync
poweroff -f
INIT

cat >"$work/egressk-modprobe" <<'MP'
#!/bin/busybox sh
exec /bin/chroot /host /sbin/modprobe "$@"
MP

cat >"$work/stage2.sh" <<'STAGE2'
# Runs inside the chroot (the host's root, read-only).  The command comes from
# the kernel command line: egressk_vm.cmd=<base64 of a shell command line>,
# egressk_vm.cwd=<directory>.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 TERM=dumb PYTHONDONTWRITEBYTECODE=1
export EGRESSK_IN_VM=1
cmd= cwd=/
for a in $(cat /proc/cmdline); do
	case "$a" in
	egressk_vm.cmd=*) cmd=$(echo "${a#egressk_vm.cmd=}" | base64 -d) ;;
	egressk_vm.cwd=*) cwd=${a#egressk_vm.cwd=} ;;
	esac
done
ip link set lo up
hostname egressk-vm 2>/dev/null
echo "EGRESSK-VM-START kernel=$(uname -r) cwd=$cwd"
echo "EGRESSK-VM-CMD $cmd"
cd "$cwd" || { echo "EGRESSK-VM-RESULT rc=126"; exit 0; }
if [ -z "$cmd" ]; then echo "no egressk_vm.cmd= on the kernel command line"; rc=126
else /bin/bash -c "$cmd" </dev/null; rc=$?
fi
cd /
sync
echo "EGRESSK-DMESG-BEGIN"
dmesg
echo "EGRESSK-DMESG-END"
echo "EGRESSK-VM-RESULT rc=$rc"
STAGE2

chmod 0755 "$work/init" "$work/egressk-modprobe"
(cd "$work" && find . -print | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
