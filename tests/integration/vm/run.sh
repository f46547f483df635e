#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one script inside a QEMU guest booting Debian's kernel, with the host's
# root filesystem mounted read-only (DESIGN.md section 5).
#
#   tests/integration/vm/run.sh SCRIPT [ARGS...]
#
# SCRIPT runs as root in the guest's initial namespaces, in the current
# directory, through bash.  It must live on the host filesystem outside /tmp
# and /run (the guest mounts fresh tmpfs there); the work tree is fine.  In the
# guest only /tmp, /run, /var/tmp and /dev/shm are writable.
#
# The serial console is streamed to stdout (without the final kernel log dump)
# and saved whole to the log file.  Exit status:
#   the script's own exit status, when the guest reported one and its kernel
#   log is clean;
#   1    the script passed but the guest kernel logged BUG/WARNING/Oops/...
#   124  the VM did not finish within EGRESSK_VM_TIMEOUT seconds
#   125  the guest printed no summary line (boot failure, panic, ...)
#
# Environment:
#   EGRESSK_VM_TIMEOUT  seconds before the VM is killed (default 1500)
#   EGRESSK_VM_LOG      console log file (default build/vm/<script>.<time>.<pid>.log)
#   EGRESSK_KVER        kernel version to boot (default: kmod/egressk.ko's
#                       vermagic, else the newest /boot/vmlinuz-*-amd64)
#   EGRESSK_VM_MEM      guest memory in MiB (default 2048)
#   EGRESSK_VM_SMP      guest CPUs (default 2)
#   EGRESSK_VM_APPEND   extra kernel command line arguments
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)

usage() { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in -h|--help) sed -n '3,30s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

script=$(readlink -f "$1") || usage
shift
[ -f "$script" ] || { echo "vm/run.sh: $script: no such file" >&2; exit 2; }
# The guest mounts fresh tmpfs on these; a work tree below one of them (a CI
# clone in /tmp) is bound back in at the same path (egressk_vm.keep=), any
# other script there would vanish.
keep=
case "$REPO" in
/tmp/*|/run/*|/var/tmp/*|/dev/shm/*) keep=$REPO ;;
esac
case "$script" in
"$REPO"/*) ;;
/tmp/*|/run/*|/var/tmp/*|/dev/shm/*)
	echo "vm/run.sh: $script is under a directory the guest replaces with tmpfs;" \
	     "put it in the work tree" >&2; exit 2 ;;
esac

# --- kernel -----------------------------------------------------------------
pick_kver() {
	local k
	if [ -n "${EGRESSK_KVER:-}" ]; then echo "$EGRESSK_KVER"; return; fi
	if [ -f "$REPO/kmod/egressk.ko" ]; then
		k=$(modinfo -F vermagic "$REPO/kmod/egressk.ko" 2>/dev/null | awk '{print $1}')
		if [ -n "$k" ] && [ -f "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k" ]; then
			echo "$k"; return
		fi
		[ -n "$k" ] && echo "vm/run.sh: kmod/egressk.ko is built for $k, which has no" \
			"/boot/vmlinuz-$k; falling back to the newest kernel" >&2
	fi
	for f in $(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -rV); do
		k=${f#/boot/vmlinuz-}
		[ -d "/lib/modules/$k/kernel" ] && { echo "$k"; return; }
	done
}
KVER=$(pick_kver)
[ -n "$KVER" ] || { echo "vm/run.sh: no Debian kernel in /boot; run 'make deps'" >&2; exit 125; }
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "vm/run.sh: cannot read $KERNEL (run as root)" >&2; exit 125; }
INITRD=$("$HERE/mkinitramfs.sh" "$KVER") || exit 125

# --- command line -----------------------------------------------------------
cmd=$(printf '%q ' /bin/bash "$script" "$@")
b64=$(printf '%s' "$cmd" | base64 -w0)
cwd=$(pwd)
case "$cwd" in *[[:space:]]*) echo "vm/run.sh: the current directory has spaces" >&2; exit 2 ;; esac
append="console=ttyS0 quiet panic=-1 printk.time=1 net.ifnames=0 mitigations=off"
append+=" egressk_vm.cwd=$cwd egressk_vm.cmd=$b64${keep:+ egressk_vm.keep=$keep} ${EGRESSK_VM_APPEND:-}"
if [ ${#append} -gt 2000 ]; then
	echo "vm/run.sh: command too long for the kernel command line (${#append} bytes)" >&2; exit 2
fi

# KVM only where the CPU offers virtualisation: some hosts expose a
# /dev/kvm whose guests never get past the BIOS.  EGRESSK_VM_ACCEL=tcg|kvm
# overrides the choice.
case ${EGRESSK_VM_ACCEL:-auto} in
kvm) use_kvm=1 ;;
tcg) use_kvm=0 ;;
*) use_kvm=0
   if [ -w /dev/kvm ] && grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo; then use_kvm=1; fi ;;
esac
if [ "$use_kvm" = 1 ]; then accel=(-enable-kvm -cpu host)
else accel=(-accel tcg,thread=multi -cpu "${EGRESSK_VM_CPU:-max}")
fi

timeout_s=${EGRESSK_VM_TIMEOUT:-2400}
# one log per run: other runs may share the work tree
log=${EGRESSK_VM_LOG:-$REPO/build/vm/$(basename "$script" .sh).$(date +%Y%m%d-%H%M%S).$$.log}
mkdir -p "$(dirname "$log")"

echo "vm/run.sh: booting $KVER (${accel[*]}), timeout ${timeout_s}s, log $log"
start=$(date +%s)
# stdin from /dev/null: CI has none, and qemu must not read the terminal.
timeout --kill-after=10 "$timeout_s" \
	qemu-system-x86_64 -machine q35 "${accel[@]}" \
		-smp "${EGRESSK_VM_SMP:-2}" -m "${EGRESSK_VM_MEM:-2048}" \
		-nographic -no-reboot -nic none \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-append "$append" </dev/null 2>&1 |
	sed -u 's/\r$//' | tee "$log" |
	sed -u '/^EGRESSK-DMESG-BEGIN/,/^EGRESSK-DMESG-END/d'   # (mawk would buffer its input)
qrc=${PIPESTATUS[0]:-125}   # unset only if the pipeline was interrupted
elapsed=$(( $(date +%s) - start ))

# --- verdict ----------------------------------------------------------------
rc_line=$(grep -a '^EGRESSK-VM-RESULT rc=' "$log" | tail -n1)
# Kernel messages: the dump between the markers, plus timestamped console
# lines (a panic never reaches the dump).
kernel_bad=$( { sed -n '/^EGRESSK-DMESG-BEGIN/,/^EGRESSK-DMESG-END/p' "$log";
		grep -a -E '^\[ *[0-9]+\.[0-9]+\]' "$log"; } |
	grep -a -E 'BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|refcount_t|list_add corruption|list_del corruption|Kernel panic|kernel BUG|Call Trace|soft lockup|hard LOCKUP|blocked for more than|rcu_.*stall|self-detected stall|stack-protector|double free|use-after-free|slab-out-of-bounds|bad page state|unreferenced object' |
	sort -u | head -n 40)

if [ -n "$kernel_bad" ]; then
	echo "vm/run.sh: the guest kernel log shows problems:"
	printf '%s\n' "$kernel_bad" | sed 's/^/  kernel: /'
fi

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "vm/run.sh: FAIL: VM timed out after ${timeout_s}s (log $log)"
	exit 124
fi
if [ -z "$rc_line" ]; then
	echo "vm/run.sh: FAIL: the guest printed no summary line (qemu exit $qrc, ${elapsed}s; log $log)"
	grep -a -E 'EGRESSK-VM-INIT-ERROR|Kernel panic|end Kernel panic' "$log" | head -n5
	exit 125
fi
grc=${rc_line#EGRESSK-VM-RESULT rc=}
echo "vm/run.sh: guest exit status $grc, ${elapsed}s in the VM"
[ "$grc" -ne 0 ] && exit "$grc"
[ -n "$kernel_bad" ] && exit 1
exit 0
