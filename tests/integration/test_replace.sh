#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy replacement: atomic under load, invalid policies change nothing
# (exit 2), and "show" prints a policy that re-applies to the same thing.
#
#   agent netns (policed, client loop)   net netns (tcp 80, 443 servers)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#           2001:db8::1/64                    2001:db8::2/64, 2001:db8::3/64
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80,443

A=$(policy a <<EOF
allow cidr $API4 tcp port 80
allow cidr $API6 tcp port 80
EOF
)
B=$(policy b <<EOF
# the same server through other rules, plus some noise
allow cidr 192.0.2.0/30 tcp port 1-1000
deny cidr $OTHER4
allow cidr 2001:db8::/64 tcp port 80,443
allow dns 198.51.100.53
EOF
)
check_rc "apply A" 0 apply "$AGENT" "$A"

# Atomic replace: connections to the api server never fail while the policy
# flips between A and B over and over.
N=${EGRESSK_REAPPLIES:-30}
ip netns exec "$AGENT" $PROBE loop $API4 80 --duration 600 --until "$TMPD/stop" \
	--ready "$TMPD/loop.ready" >"$TMPD/loop.out" 2>&1 &
looppid=$!; _pids+=($looppid)
# the re-applies start once the client runs (a loaded emulated machine can
# take seconds to start python, longer than the 30 re-applies)
wait_for 60 test -e "$TMPD/loop.ready" || info "the loop client made no connection within 60 s"
n=0 bad=0
while [ $n -lt "$N" ]; do
	if [ $((n % 2)) -eq 0 ]; then f=$B; else f=$A; fi
	apply "$AGENT" "$f" >/dev/null 2>&1 || bad=$((bad + 1))
	n=$((n + 1))
done
touch "$TMPD/stop"
wait $looppid; lrc=$?
info "$n re-applies during the loop; client: $(cat "$TMPD/loop.out")"
if [ $bad -eq 0 ]; then ok "$n re-applies all succeeded"
else nok "re-applies all succeeded" "$bad of $n failed"; fi
if [ $lrc -eq 0 ] && ! grep -q 'ok=[0-9] ' "$TMPD/loop.out"; then ok "no connection failed during $n re-applies (at least 10 made)"
else nok "no connection failed during $n re-applies" "$(cat "$TMPD/loop.out")"; fi
check "after the loop: other still blocked" tcp_refused_fast "$AGENT" $OTHER4 80

# Invalid policies: exit 2, an error naming file:line, the old policy stays.
check_rc "apply A again" 0 apply "$AGENT" "$A"
v0=$(ctl show --netns-name "$AGENT")
bad_policy() {   # bad_policy "what" <<EOF ...
	local f rc=0
	f=$(policy "bad$RANDOM")
	"$CTL" apply --netns-name "$AGENT" "$f" >"$TMPD/bad.out" 2>&1 || rc=$?
	if [ $rc -eq 2 ]; then ok "invalid policy ($1) refused with exit 2"
	else nok "invalid policy ($1) refused with exit 2" "exit $rc: $(head -n2 "$TMPD/bad.out")"; fi
	if [ -s "$TMPD/bad.out" ]; then ok "invalid policy ($1): an error is printed"
	else nok "invalid policy ($1): an error is printed"; fi
	if [ "$(ctl show --netns-name "$AGENT")" = "$v0" ]; then ok "invalid policy ($1): old policy still loaded"
	else nok "invalid policy ($1): old policy still loaded"; fi
	check "invalid policy ($1): old policy still enforced (api ok)" tcp_ok "$AGENT" $API4 80
	check "invalid policy ($1): old policy still enforced (other blocked)" \
		tcp_refused_fast "$AGENT" $OTHER4 80
}
bad_policy "syntax error" <<EOF
allow cidr $OTHER4 tcp port 80
allow cidr 300.1.2.3/8
EOF
grep -q ':2' "$TMPD/bad.out" && ok "the parse error names the line (:2)" ||
	nok "the parse error names the line (:2)" "$(head -n1 "$TMPD/bad.out")"
bad_policy "port on icmp" <<EOF
allow cidr $OTHER4 icmp port 80
EOF
bad_policy "prefix length too long" <<EOF
allow cidr $OTHER4/33
EOF
bad_policy "reversed port range" <<EOF
allow cidr $OTHER4 tcp port 90-80
EOF
bad_policy "more than 64 port ranges in one rule" <<EOF
allow cidr $OTHER4 tcp port $(seq -s, 1 2 131)
EOF
bad_policy "unknown directive" <<EOF
allow cidr $OTHER4 tcp port 80
permit everything
EOF

# show round trip: the output is a valid policy that re-applies to itself
check_rc "apply B" 0 apply "$AGENT" "$B"
ctl show --netns-name "$AGENT" >"$TMPD/show1.policy" 2>"$TMPD/show.err"
check "show prints B" test -s "$TMPD/show1.policy"
check_rc "show output re-applies cleanly" 0 apply "$AGENT" "$TMPD/show1.policy"
ctl show --netns-name "$AGENT" >"$TMPD/show2.policy"
# comments (a header with the version, say) may differ; the directives may not
grep -v '^#' "$TMPD/show1.policy" >"$TMPD/show1.rules"
grep -v '^#' "$TMPD/show2.policy" >"$TMPD/show2.rules"
check "show after re-apply is identical (comments aside)" cmp "$TMPD/show1.rules" "$TMPD/show2.rules"
check "round-tripped policy still allows api:80" tcp_ok "$AGENT" $API4 80
check "round-tripped policy still denies other" tcp_refused_fast "$AGENT" $OTHER4 80
check "round-tripped policy still allows [api]:443" tcp_ok "$AGENT" $API6 443
check "show --json is valid JSON" sh -c "'$CTL' show --netns-name '$AGENT' --json | python3 -c 'import json,sys; json.load(sys.stdin)'"
check_rc "policy from stdin ('-') applies" 0 sh -c "'$CTL' apply --netns-name '$AGENT' - <'$A'"
check "stdin policy in force: [other]:443 blocked" tcp_refused_fast "$AGENT" $OTHER6 443
