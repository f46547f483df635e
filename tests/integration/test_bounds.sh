#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Bounded and attributable (issue 9, class 7): what a policed namespace
# makes egressk allocate is charged to the container's memory cgroup, held
# segments do not outlive their device, and a namespace without a policy
# leaves without egressk's locks.
#
#   agent netns (policed)                       net netns
#     veth0 192.0.2.1/24   <------------->        veth1 192.0.2.2 (api, allowed
#           2001:db8::1/64                               by address), .3 (other)
#     clients run in cgroup egk-held or           tcp 443 and 9443: accept and read
#     egk-plain (cgroup v2, memory controller)
#
# Two cgroups open the same number of connections and write the same
# partial ClientHello: egk-held to a domain-rule port (egressk holds the
# bytes in a flow entry and a 2 KiB parse buffer, in the sender's context)
# and egk-plain to an address a CIDR rule allows (no flow state).  The
# difference in their slab memory is egressk's, and must be there.
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 443,9443

CG=/sys/fs/cgroup
if ! grep -q " $CG cgroup2 " /proc/mounts; then
	mount -t cgroup2 none "$CG" || bail "mount cgroup2"
fi
grep -qw memory "$CG/cgroup.controllers" || bail "the memory controller" "$(cat $CG/cgroup.controllers)"
echo +memory >"$CG/cgroup.subtree_control" 2>/dev/null
for g in egk-held egk-plain; do
	mkdir -p "$CG/$g" || bail "cgroup $g"
done
cleanup_cg() { for g in egk-held egk-plain; do rmdir "$CG/$g" 2>/dev/null; done; }

HOLD=$TMPD/hold.py
CH=$REPO/tests/parsers/fixtures/chromium.bin
[ -s "$CH" ] || bail "the recorded chromium ClientHello" "$CH"
cat >"$HOLD" <<'PYEOF'
# hold.py ADDR PORT N READY DONE CLIENTHELLO: N connections, each writes the
# first 1,500 bytes of a recorded ClientHello (about 2 KB: undecided until
# the rest comes) and keeps its socket until DONE
import os, socket, sys, time
addr, port, n, ready, done, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
first = open(ch, "rb").read()[:1500]
socks = []
for _ in range(n):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((addr, port))
    s.send(first)
    socks.append(s)
open(ready, "w").close()
end = time.time() + 60
while not os.path.exists(done) and time.time() < end:
    time.sleep(0.05)
PYEOF

slab() { awk '$1 == "slab_unreclaimable" { print $2 }' "$CG/$1/memory.stat"; }

# run_in CGROUP ADDR PORT: start the client inside CGROUP, wait until it holds
run_in() {
	local g=$1 ready=$TMPD/ready.$1 done=$TMPD/done.$1
	rm -f "$ready" "$done"
	# join the cgroup first: "ip netns exec" remounts /sys without it
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$CG/$g" \
		ip netns exec "$AGENT" python3 -I -S "$HOLD" "$2" "$3" "$N" "$ready" "$done" "$CH" \
		>"$TMPD/$g.out" 2>&1 &
	_pids+=($!)
	wait_for 60 test -e "$ready"
}

N=120
POL=$(policy bounds <<EOF
allow cidr $API4 tcp port 9443
allow domain www.allowed.test port 443
domain-binding none
EOF
)
apply "$AGENT" "$POL" || bail "apply"

# the held batch first, read at once: its flows end at the 5 s hold timeout
base_h=$(slab egk-held) base_p=$(slab egk-plain)
run_in egk-held $API4 443 || bail "held clients start" "$(cat $TMPD/egk-held.out)"
d_h=$(( $(slab egk-held) - base_h ))
held=$(stat_num "$AGENT" '^flows_active$')
run_in egk-plain $API4 9443 || bail "plain clients start" "$(cat $TMPD/egk-plain.out)"
d_p=$(( $(slab egk-plain) - base_p ))
info "flows_active $held"
[ "${held:-0}" -ge "$N" ] && ok "$N partial ClientHellos are held ($held flows)" ||
	nok "$N partial ClientHellos are held" "flows_active '${held:-}'"
info "slab_unreclaimable grew by $d_h bytes (held) and $d_p bytes (plain)"
# a flow entry (512) and a 2 KiB parse buffer each: expect a quarter at
# least (on a loaded machine the first flows may time out before the read)
want=$(( N * 2560 / 4 ))
[ $(( d_h - d_p )) -ge $want ] &&
	ok "the flows' memory is charged to the sender's cgroup (+$(( d_h - d_p )) bytes, want >= $want)" ||
	nok "the flows' memory is charged to the sender's cgroup" \
		"held +$d_h, plain +$d_p, want a difference >= $want"

# The device goes down: the held segments and their buffers go at once,
# not at the 5 s hold timeout.  A fresh batch, taken down as soon as it is
# held (the first batch may be near its timeout by now).
touch "$TMPD/done.egk-held" "$TMPD/done.egk-plain"
ctl clear --netns-name "$AGENT" >/dev/null
apply "$AGENT" "$POL" >/dev/null || bail "apply"
N=40
run_in egk-held $API4 443 || bail "second held batch starts" "$(cat $TMPD/egk-held.out)"
ip -n "$AGENT" link set veth0 down
t0=$(now)
held=$(stat_num "$AGENT" '^flows_active$')
info "flows_active $held when veth0 went down"
sleep 6
to=$(stat_num "$AGENT" '^flows_hold_timeout$')
info "flows_hold_timeout $to, $(elapsed "$t0") s after veth0 went down"
if [ "${held:-0}" -lt $(( N / 2 )) ]; then
	nok "veth0 down: the held flows end at once, not at the hold timeout" \
		"only ${held:-0} of $N flows were held when it went down"
elif [ "${to:-1}" -eq 0 ]; then
	ok "veth0 down: the $held held flows end at once, not at the hold timeout"
else
	nok "veth0 down: the held flows end at once, not at the hold timeout" "$to hold timeouts"
fi
ip -n "$AGENT" link set veth0 up
touch "$TMPD/done.egk-held" "$TMPD/done.egk-plain"
sleep 1
ctl clear --netns-name "$AGENT" >/dev/null

# A namespace without a policy goes away without egressk's locks: the
# function tracer, on pre_exit and rtnl_lock only, shows who calls rtnl_lock
# (egressk takes its config mutex only under rtnl).
T=/sys/kernel/tracing
touch "$TMPD/done.egk-held" "$TMPD/done.egk-plain"
grep -q " $T tracefs " /proc/mounts || mount -t tracefs nodev $T 2>/dev/null
if [ ! -w $T/set_ftrace_filter ] || ! grep -qw function $T/available_tracers; then
	skip "netns exit takes no lock without a policy" "no function tracer in this kernel"
elif ! echo "egressk_net_pre_exit rtnl_lock" >$T/set_ftrace_filter 2>/dev/null; then
	skip "netns exit takes no lock without a policy" "egressk_net_pre_exit is not traceable"
else
	: >$T/trace
	echo function >$T/current_tracer
	echo 1 >$T/tracing_on
	ip netns add "egk-churn-$$" && ip netns del "egk-churn-$$"
	wait_for 20 grep -q "egressk_net_pre_exit <-" $T/trace
	grep "egressk_net_pre_exit" $T/trace >"$TMPD/trace.unpoliced"
	# and one with a policy, which must take them (the trace can fail)
	ns_create CHURN churn
	apply "$CHURN" "$POL" >/dev/null || nok "apply to the churn namespace"
	ns_delete "$CHURN"
	wait_for 20 grep -q "rtnl_lock <-egressk_net_pre_exit" $T/trace
	grep "egressk_net_pre_exit" $T/trace >"$TMPD/trace.policed"
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	if ! grep -q "egressk_net_pre_exit <-" "$TMPD/trace.unpoliced"; then
		nok "netns exit without a policy takes neither rtnl nor egressk's mutex" \
			"pre_exit was not traced"
	elif grep -q "rtnl_lock <-egressk_net_pre_exit" "$TMPD/trace.unpoliced"; then
		nok "netns exit without a policy takes neither rtnl nor egressk's mutex" \
			"$(grep -E '<-egressk_net_pre_exit' "$TMPD/trace.unpoliced" | head -3)"
	else
		ok "netns exit without a policy takes neither rtnl nor egressk's mutex"
	fi
	grep -q "rtnl_lock <-egressk_net_pre_exit" "$TMPD/trace.policed" &&
		ok "netns exit with a policy does take them (the trace sees locks)" ||
		nok "netns exit with a policy does take them (the trace sees locks)" \
			"$(grep -c . "$TMPD/trace.policed") trace lines"
fi
cleanup_cg
