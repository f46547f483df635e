#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# apply --pid reads the target process's effective capabilities: it warns
# when the process holds CAP_NET_ADMIN or CAP_SYS_ADMIN, and with --strict
# refuses (exit 1) without loading anything, also when the set cannot be
# read.  --strict needs a process: with --netns-name it is a usage error
# (exit 2).
#
#   DFL netns (to be policed)      NADM netns (to be policed)      SADM netns (to be policed)
#     sleep, Docker's default        sleep, Docker's default         sleep, Docker's default
#     capability set (setpriv)       set + CAP_NET_ADMIN             set + CAP_SYS_ADMIN
#
#   UNR netns (to be policed)
#     sleep, default set + CAP_NET_ADMIN; egresskctl runs in a private mount
#     namespace where a bind mount hides its /proc/PID/status
#
# No links: only the namespaces and their processes matter here.
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
command -v setpriv >/dev/null || bail "setpriv (util-linux) is installed"

# Docker's default capabilities (CapEff 00000000a80425fb): NET_RAW, no
# NET_ADMIN or SYS_ADMIN.
DOCKER_CAPS=chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod,audit_write,setfcap

# start_capped VAR NS EXTRA CAPEFF: a sleep in NS whose bounding set (and so,
# as root, its effective set) is Docker's default plus EXTRA (",+net_admin");
# waits until the process shows CAPEFF, so the set-up itself is checked.
start_capped() {
	local __var=$1 ns=$2 extra=$3 want=$4 pid
	ip netns exec "$ns" setpriv --inh-caps=-all \
		--bounding-set="-all,+${DOCKER_CAPS//,/,+}$extra" -- sleep 600 &
	pid=$!
	_pids+=($pid)
	wait_for 10 grep -qx "CapEff:"$'\t'"$want" /proc/$pid/status ||
		bail "setpriv started a process in $ns with CapEff $want" \
			"$(grep CapEff /proc/$pid/status 2>&1)"
	printf -v "$__var" '%s' "$pid"
}

# capply NAME ARGS...: egresskctl apply ARGS, stderr kept in $TMPD/NAME.err
capply() { local name=$1; shift; "$CTL" apply "$@" 2>"$TMPD/$name.err"; }
# has NAME ERE / lacks NAME ERE: that apply's stderr has (has not) a line matching
has()   { [ -f "$TMPD/$1.err" ] && grep -Eq -- "$2" "$TMPD/$1.err"; }
lacks() { [ -f "$TMPD/$1.err" ] && ! grep -Eq -- "$2" "$TMPD/$1.err"; }
# no_policy NS: show finds no policy in NS (and says so)
no_policy() {
	local out rc=0
	out=$("$CTL" show --netns-name "$1" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" -eq 1 ] && grep -q 'no policy is loaded' <<<"$out"
}

ns_create DFL caps-dfl
ns_create NADM caps-nadm
ns_create SADM caps-sadm
ns_create UNR caps-unr
start_capped PD "$DFL" "" 00000000a80425fb
start_capped PN "$NADM" ",+net_admin" 00000000a80435fb
start_capped PS "$SADM" ",+sys_admin" 00000000a82425fb
start_capped PU "$UNR" ",+net_admin" 00000000a80435fb
info "processes: default $PD, +NET_ADMIN $PN, +SYS_ADMIN $PS, unreadable +NET_ADMIN $PU"

P=$(policy caps <<EOF
default reject
allow cidr 192.0.2.0/24 tcp port 443
EOF
)

# --- Docker's default set: no capability warning, applied
check_rc "default set: apply --pid exits 0" 0 capply dfl --pid "$PD" "$P"
check "default set: no capability warning" lacks dfl 'CAP_|capabilit'
check_rc "default set: the policy is loaded" 0 ctl show --netns-name "$DFL"
check_rc "default set: apply --strict --pid exits 0" 0 capply dfl-strict --strict --pid "$PD" "$P"
check "default set: --strict prints no capability message" lacks dfl-strict 'CAP_|capabilit'

# --- NET_ADMIN: --strict refuses and loads nothing
check_rc "NET_ADMIN: apply --strict exits 1" 1 capply nadm-strict --strict --pid "$PN" "$P"
check "NET_ADMIN: --strict names the process and the capability, and says nothing was applied" \
	has nadm-strict "^egresskctl: apply --strict: process $PN holds CAP_NET_ADMIN; the policy was not applied"
check "NET_ADMIN: --strict is one line on stderr" \
	sh -c "[ \$(wc -l <'$TMPD/nadm-strict.err') -eq 1 ]"
check "NET_ADMIN: after --strict, show finds no policy" no_policy "$NADM"

# --- NET_ADMIN without --strict: a warning, applied
check_rc "NET_ADMIN: apply --pid exits 0" 0 capply nadm --pid "$PN" "$P"
check "NET_ADMIN: a warning naming the process and CAP_NET_ADMIN" \
	has nadm "^warning: process $PN holds CAP_NET_ADMIN: "
check "NET_ADMIN: the warning says what the guard catches and what it does not" \
	has nadm "host-side guard.*still dropped.*allowed destinations can be reshaped.*no guard"
check "NET_ADMIN: no CAP_SYS_ADMIN warning" lacks nadm 'CAP_SYS_ADMIN'
check_rc "NET_ADMIN: the policy is loaded" 0 ctl show --netns-name "$NADM"

# --- SYS_ADMIN
check_rc "SYS_ADMIN: apply --strict exits 1" 1 capply sadm-strict --strict --pid "$PS" "$P"
check "SYS_ADMIN: --strict names CAP_SYS_ADMIN" \
	has sadm-strict "^egresskctl: apply --strict: process $PS holds CAP_SYS_ADMIN; the policy was not applied"
check "SYS_ADMIN: after --strict, show finds no policy" no_policy "$SADM"
check_rc "SYS_ADMIN: --strict with --netns-name exits 2" 2 \
	capply sadm-netns --strict --netns-name "$SADM" "$P"
check "SYS_ADMIN: ...saying that --strict needs --pid or --docker" \
	has sadm-netns "--strict needs --pid or --docker"
check "SYS_ADMIN: after --strict --netns-name, show finds no policy" no_policy "$SADM"
check_rc "SYS_ADMIN: apply --netns-name (no process) exits 0" 0 capply sadm-ns --netns-name "$SADM" "$P"
check "SYS_ADMIN: --netns-name prints no capability message" lacks sadm-ns 'CAP_|capabilit'
check_rc "SYS_ADMIN: apply --pid exits 0" 0 capply sadm --pid "$PS" "$P"
check "SYS_ADMIN: a warning that egressk does not defend against CAP_SYS_ADMIN" \
	has sadm "^warning: process $PS holds CAP_SYS_ADMIN: .*does not defend against"
check "SYS_ADMIN: no CAP_NET_ADMIN warning" lacks sadm 'CAP_NET_ADMIN'

# --- capabilities that cannot be read: --strict fails closed, without it a
# warning.  A private mount namespace hides the process's real status file
# behind one with no CapEff line.
printf 'Name:\tsleep\nState:\tS (sleeping)\n' >"$TMPD/status"
# unreadable NAME ARGS...: egresskctl apply ARGS with PU's status hidden
unreadable() {
	local name=$1; shift
	unshare -m sh -c 'mount --bind "$1" "/proc/$2/status" && shift 2 && exec "$@"' \
		sh "$TMPD/status" "$PU" "$CTL" apply "$@" 2>"$TMPD/$name.err"
}
check_rc "unreadable: apply --strict exits 1" 1 unreadable unr-strict --strict --pid "$PU" "$P"
check "unreadable: --strict says the capabilities could not be read and nothing was applied" \
	has unr-strict "^egresskctl: apply --strict: cannot read the capabilities of process $PU \(/proc/$PU/status has no readable CapEff, CapPrm or CapBnd line\); the policy was not applied"
check "unreadable: after --strict, show finds no policy" no_policy "$UNR"
check_rc "unreadable: apply --pid exits 0" 0 unreadable unr --pid "$PU" "$P"
check "unreadable: a warning that the capabilities could not be checked" \
	has unr "^warning: the capabilities of process $PU could not be checked"
check_rc "unreadable: the policy is loaded" 0 ctl show --netns-name "$UNR"
