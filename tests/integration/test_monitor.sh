#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# egresskctl monitor: every blocked connection of a burst becomes one event
# line (text and JSON) with the verdict, reason, destination and rule; an
# allowed connection makes none; audit mode reports what enforce would
# block; a TARGET filter hides other namespaces' events; an unprivileged user
# cannot watch.
#
#   agent netns (policed)                net netns (servers on tcp 80, 8080)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#           2001:db8::1/64                    2001:db8::2/64, 2001:db8::3/64
#
#   other netns (policed with the same policy, no links: for the filter)
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80,8080
ns_create OTHERNS other

P=$(policy monitor <<EOF
default reject
allow cidr $API4 tcp port 80
deny cidr $API4 tcp port 8080
EOF
)
check_rc "apply exits 0" 0 apply "$AGENT" "$P"
check_rc "apply to a second namespace exits 0" 0 apply "$OTHERNS" "$P"

# monitor_start NAME ARGS...: egresskctl monitor in the background, output in
# $TMPD/NAME.out; returns once its netlink socket is open and it had a
# moment to join the group.
monitor_start() {
	local name=$1 pid; shift
	"$CTL" monitor "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	pid=$!
	_pids+=("$pid")
	printf -v "MON_$name" '%s' "$pid"
	wait_for 10 sh -c "ls -l /proc/$pid/fd 2>/dev/null | grep -q socket"
	sleep 1
}
monitor_stop() {
	local var="MON_$1"
	kill "${!var}" 2>/dev/null
	wait "${!var}" 2>/dev/null
}

monitor_start text --netns-name "$AGENT"
monitor_start json --json
monitor_start filtered --netns-name "$OTHERNS"

# A burst of five blocked connections: three by the default, two by the deny
# rule, back to back.  Then one allowed connection, which makes no event.
for _ in 1 2 3; do tcp_refused_fast "$AGENT" $OTHER4 80 >/dev/null; done
for _ in 1 2; do tcp_refused_fast "$AGENT" $API4 8080 >/dev/null; done
tcp_ok "$AGENT" $API4 80 >/dev/null
wait_for 10 sh -c "[ \$(grep -c . '$TMPD/text.out') -ge 5 ]"
sleep 1
monitor_stop text; monitor_stop json; monitor_stop filtered
while read -r line; do info "event: $line"; done <"$TMPD/text.out"

n_default=$(grep -c "reject reason=default .*dst=$OTHER4 dport=80\$" "$TMPD/text.out")
n_deny=$(grep -c "reject reason=deny.* dst=$API4 dport=8080 rule=1\$" "$TMPD/text.out")
n_allowed=$(grep -c "dst=$API4 dport=80\$" "$TMPD/text.out")
if [ "$n_default" -eq 3 ]; then ok "three default rejections, three events"
else nok "three default rejections, three events" "saw $n_default"; fi
if [ "$n_deny" -eq 2 ]; then ok "two deny-rule rejections, two events naming rule 1"
else nok "two deny-rule rejections, two events naming rule 1" "saw $n_deny"; fi
if [ "$n_allowed" -eq 0 ]; then ok "the allowed connection made no event"
else nok "the allowed connection made no event" "saw $n_allowed"; fi

check "monitor --json: five or more lines, each a reject of tcp" python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) >= 5, len(lines)
for l in lines:
    o = json.loads(l)
    assert o["verdict"] == "reject" and o["proto"] == "tcp", o
' "$TMPD/json.out"
if [ ! -s "$TMPD/filtered.out" ]; then ok "a monitor filtered to another namespace saw none of them"
else nok "a monitor filtered to another namespace saw none of them" "$(head -n1 "$TMPD/filtered.out")"; fi

# Audit mode: the connection goes through, and the event says "audit".
A=$(policy audit <<EOF
mode audit
allow cidr $API4 tcp port 80
EOF
)
check_rc "apply an audit policy exits 0" 0 apply "$AGENT" "$A"
monitor_start audit --netns-name "$AGENT"
check "audit: a connection enforce would block goes through" tcp_ok "$AGENT" $OTHER4 80
wait_for 10 grep -q . "$TMPD/audit.out"
monitor_stop audit
check "audit: the event says audit, reason default" \
	grep -q "audit reason=default .*dst=$OTHER4 dport=80" "$TMPD/audit.out"

# Which hosts a container contacts is not for unprivileged eyes.
check_rc "monitor as an unprivileged user exits 1" 1 \
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" monitor

check_rc "clear the agent exits 0" 0 ctl clear --netns-name "$AGENT"
check_rc "clear the other namespace exits 0" 0 ctl clear --netns-name "$OTHERNS"
