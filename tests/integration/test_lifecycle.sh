#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle and access: exit codes 0/1/2, module not loaded, rmmod refused
# while a policy is loaded, netns deletion frees the policy, the initial netns
# needs --force, unprivileged users and root inside the policed netns are
# refused, every TARGET form, list and stats (text and --json).
#
#   agent netns (policed)                net netns (tcp 80 server)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#   second netns "spare" (no devices): policed, then deleted
#   the initial netns: policed only with --force, with an allow-everything policy
source "$(dirname "$0")/lib.sh"
require_built
module_unload || bail "module unloads before the test"

# --- module not loaded
check_rc "list without the module: exit 1" 1 ctl list
check "...and says to modprobe egressk" grep -qi 'modprobe' "$_last_out"

module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80
P=$(policy p <<EOF
allow cidr $API4 tcp port 80
EOF
)

# --- exit codes
check_rc "usage: no subcommand -> 2" 2 ctl
check_rc "usage: unknown subcommand -> 2" 2 ctl frobnicate
check_rc "usage: apply without a target -> 2" 2 ctl apply "$P"
check_rc "usage: apply without a file -> 2" 2 ctl apply --netns-name "$AGENT"
check_rc "usage: unknown option -> 2" 2 ctl list --bogus
check_rc "target gone: --netns-name nosuchns -> 1" 1 ctl apply --netns-name nosuchns-$$ "$P"
check_rc "target gone: --pid of no process -> 1" 1 ctl show --pid 4194000
rc=0; ctl apply --netns-name "$AGENT" "$TMPD/nonexistent.policy" >"$TMPD/nofile.out" 2>&1 || rc=$?
if [ $rc -eq 1 ] || [ $rc -eq 2 ]; then ok "missing policy file -> exit 1 or 2 (got $rc)"
else nok "missing policy file -> exit 1 or 2" "exit $rc"; fi
check_rc "show with no policy loaded -> 1" 1 ctl show --netns-name "$AGENT"
check_rc "clear with no policy loaded -> 1" 1 ctl clear --netns-name "$AGENT"

# --- every TARGET form reaches the same namespace
check_rc "apply --netns-name" 0 ctl apply --netns-name "$AGENT" "$P"
check "policy in force (other blocked)" tcp_refused_fast "$AGENT" $OTHER4 80
check_rc "show --netns PATH" 0 ctl show --netns "/run/netns/$AGENT"
ip netns exec "$AGENT" sleep 600 & sleeper=$!; _pids+=($sleeper)
# "ip netns exec" enters the netns after the fork: wait until it has
in_agent_ns() { [ "$(stat -L -c %i "/proc/$1/ns/net")" = "$(stat -L -c %i "/run/netns/$AGENT")" ]; }
wait_for 10 in_agent_ns $sleeper || nok "the sleeper entered $AGENT"
check_rc "show --pid PID (a process in the netns)" 0 ctl show --pid $sleeper
check "--pid shows the same policy as --netns-name" \
	sh -c "[ \"\$('$CTL' show --pid $sleeper)\" = \"\$('$CTL' show --netns-name '$AGENT')\" ]"
check_rc "stats --netns PATH" 0 ctl stats --netns "/run/netns/$AGENT"
if command -v docker >/dev/null 2>&1; then
	skip "--docker NAME" "needs a running dockerd in the guest; not part of this suite yet"
else
	skip "--docker NAME" "docker.io is not installed"
fi

# --- list and stats
check_rc "list exits 0" 0 ctl list
ino=$(stat -L -c %i "/run/netns/$AGENT")
check "list shows the policed netns (inode $ino)" grep -qw "$ino" "$_last_out"
check "list --json is valid JSON" sh -c "'$CTL' list --json | python3 -c 'import json,sys; json.load(sys.stdin)'"
check "list --json names the netns inode" sh -c "'$CTL' list --json | grep -qw $ino"
check_rc "stats exits 0" 0 ctl stats --netns-name "$AGENT"
check "stats --json is valid JSON" sh -c "'$CTL' stats --netns-name '$AGENT' --json | python3 -c 'import json,sys; json.load(sys.stdin)'"

# --- who may talk to the module
check_rc "unprivileged user refused: exit 1" 1 \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" list
check "...with a permission message" grep -Eqi 'permi|privilege|CAP_NET_ADMIN|root' "$_last_out"
check_rc "unprivileged user cannot clear: exit 1" 1 \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" clear --netns "/run/netns/$AGENT"
check "...and the policy is still in force" tcp_refused_fast "$AGENT" $OTHER4 80
check_rc "root inside the policed netns: exit 1" 1 ip netns exec "$AGENT" "$CTL" list
check "...told egressk is not reachable from this namespace" \
	grep -qi 'not reachable from this network namespace' "$_last_out"
check_rc "root inside the policed netns cannot clear: exit 1" 1 \
	ip netns exec "$AGENT" "$CTL" clear --pid 1
check "...and the policy is still in force" tcp_refused_fast "$AGENT" $OTHER4 80

# --- the initial namespace
ALL=$(policy all <<EOF
allow cidr 0.0.0.0/0
allow cidr ::/0
allow raw
EOF
)
rc=0; ctl apply --pid 1 "$ALL" >"$TMPD/init.out" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then ok "initial netns refused without --force (exit $rc)"
else nok "initial netns refused without --force"; fi
check "...with a message that mentions --force" grep -q -- '--force' "$TMPD/init.out"
check_rc "initial netns accepted with --force" 0 ctl apply --pid 1 --force "$ALL"
check "initial netns policy visible in show" sh -c "'$CTL' show --pid 1 --force || '$CTL' show --pid 1"
check_rc "clear the initial netns with --force" 0 ctl clear --pid 1 --force

# --- rmmod while a policy is loaded
rc=0; rmmod egressk >"$TMPD/rmmod.out" 2>&1 || rc=$?
if [ $rc -ne 0 ] && module_loaded; then ok "rmmod refused while a policy is loaded"
else nok "rmmod refused while a policy is loaded" "rmmod exit $rc"; fi
check "...with EBUSY (in use)" grep -Eqi 'in use|busy' "$TMPD/rmmod.out"
check "...and the policy is still in force" tcp_refused_fast "$AGENT" $OTHER4 80

# --- netns deletion frees the policy
ns_create SPARE spare
check_rc "apply to a second netns" 0 ctl apply --netns-name "$SPARE" "$P"
sino=$(stat -L -c %i "/run/netns/$SPARE")
check "list shows it (inode $sino)" sh -c "'$CTL' list | grep -qw $sino"
check "delete the second netns" ns_delete "$SPARE"
check "list no longer shows it after the netns is gone" \
	wait_for 10 sh -c "! '$CTL' list | grep -qw $sino"

# --- clear, then the module unloads; a deleted policed netns left nothing
check_rc "clear the agent policy" 0 ctl clear --netns-name "$AGENT"
check "after clear: other reachable" tcp_ok "$AGENT" $OTHER4 80
check "list no longer shows the agent" sh -c "! '$CTL' list | grep -qw $ino"
check "rmmod succeeds once no policy is loaded" wait_for 10 rmmod egressk
check "module is gone" sh -c "! grep -q '^egressk ' /proc/modules"

# a policed netns deleted while loaded also lets the module go
module_load || bail "module reloads"
ns_create SPARE2 spare2
check_rc "apply to a third netns" 0 ctl apply --netns-name "$SPARE2" "$P"
check "rmmod refused while it is policed" sh -c "! rmmod egressk 2>/dev/null"
check "delete the policed netns" ns_delete "$SPARE2"
check "rmmod succeeds after the policed netns is deleted" wait_for 10 rmmod egressk
