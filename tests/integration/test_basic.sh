#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Allow and deny over IPv4 and IPv6, neighbour discovery under "default
# reject", fast ECONNREFUSED, deny beating allow, loopback, counters.
#
#   agent netns (policed)                net netns (servers on tcp 80, 8080)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#           2001:db8::1/64                    2001:db8::2/64 (api), 2001:db8::3/64 (other)
#     lo: server on 127.0.0.1/::1 tcp 9000, and on its own 192.0.2.1
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80,8080
serve "$AGENT" --tcp 9000

# Before any policy everything is reachable: the tests below can fail.
check "no policy: api v4 reachable" tcp_ok "$AGENT" $API4 80
check "no policy: other v4 reachable" tcp_ok "$AGENT" $OTHER4 80
check "no policy: other v6 reachable" tcp_ok "$AGENT" $OTHER6 80

P=$(policy basic <<EOF
# the agent may reach the api server only
default reject
allow cidr $API4 tcp port 80,8080
allow cidr $API6/128 tcp port 80
deny cidr $API4 tcp port 8080
EOF
)
check_rc "apply exits 0" 0 apply "$AGENT" "$P"

check "v4 allowed: api:80 connects" tcp_ok "$AGENT" $API4 80
check "v4 allowed: curl http://api/ succeeds" \
	ip netns exec "$AGENT" curl -sf --max-time 5 -o /dev/null http://$API4/
check "v4 denied: other:80 refused in under 1 s" tcp_refused_fast "$AGENT" $OTHER4 80
check "deny beats allow: api:8080 refused" tcp_refused_fast "$AGENT" $API4 8080

# curl's own view of a blocked connection: "Couldn't connect" at once.
# The time is curl's own (-w), so process start-up under emulation is not in it.
rc=0
t=$(ip netns exec "$AGENT" curl -s --max-time 5 -o /dev/null -w '%{time_total}' http://$OTHER4/) || rc=$?
info "blocked curl: exit $rc after ${t}s"
if [ $rc -eq 7 ]; then ok "curl to a blocked address fails with exit 7 (couldn't connect)"
else nok "curl to a blocked address fails with exit 7 (couldn't connect)" "exit $rc"; fi
if lt "${t:-9}" 1.0; then ok "blocked curl fails in under 1 s"; else nok "blocked curl fails in under 1 s" "${t}s"; fi

# IPv6: the neighbour cache is empty, so this connect needs neighbour
# solicitations to leave under "default reject".
ip -n "$AGENT" -6 neigh flush all
check "v6 allowed (needs neighbour discovery): [api]:80 connects" tcp_ok "$AGENT" $API6 80
check "v6: the api neighbour entry was resolved" \
	sh -c "ip -n '$AGENT' -6 neigh show $API6 | grep -Eq 'REACHABLE|STALE|DELAY|PROBE'"
check "v6 denied: [other]:80 refused in under 1 s" tcp_refused_fast "$AGENT" $OTHER6 80
check "v6 denied: [api]:8080 (no rule for that port) refused" tcp_refused_fast "$AGENT" $API6 8080
check "v6 allowed: curl http://[api]/ succeeds" \
	ip netns exec "$AGENT" curl -sf --max-time 5 -o /dev/null "http://[$API6]/"

# Loopback always passes, whatever the policy says.
check "loopback 127.0.0.1 passes" tcp_ok "$AGENT" 127.0.0.1 9000
check "loopback ::1 passes" tcp_ok "$AGENT" ::1 9000
check "own address (routed through lo) passes" tcp_ok "$AGENT" $A4 9000

# The other namespace is not policed.
check "the net namespace is not policed" tcp_ok "$NET" $A4 9000

# Counters: a blocked connect counts as rejected, an allowed one as allowed,
# and the matching rule's hit counter moves by one flow.
check "stats --json is valid JSON" sh -c "'$CTL' stats --netns-name '$AGENT' --json | python3 -c 'import json,sys; json.load(sys.stdin)'"
hits() { { ctl show --netns-name "$AGENT" --json 2>/dev/null || ctl stats --netns-name "$AGENT" --json; } | json_num 'hits'; }
r0=$(stat_num "$AGENT" '^rejected') a0=$(stat_num "$AGENT" '^allowed') h0=$(hits)
tcp_refused_fast "$AGENT" $OTHER4 80 >/dev/null
tcp_ok "$AGENT" $API4 80 >/dev/null
r1=$(stat_num "$AGENT" '^rejected') a1=$(stat_num "$AGENT" '^allowed') h1=$(hits)
info "rejected $r0 -> $r1, allowed $a0 -> $a1, rule hits $h0 -> $h1"
if [ "${r1:-0}" -gt "${r0:-0}" ] 2>/dev/null; then ok "rejected counter grows on a blocked connect"
else nok "rejected counter grows on a blocked connect" "$r0 -> $r1"; fi
if [ "${a1:-0}" -gt "${a0:-0}" ] 2>/dev/null; then ok "allowed counter grows on an allowed connect"
else nok "allowed counter grows on an allowed connect" "$a0 -> $a1"; fi
if [ "${h1:-0}" -eq $(( ${h0:-0} + 1 )) ] 2>/dev/null; then ok "rule hits grow by exactly one flow per connection"
else nok "rule hits grow by exactly one flow per connection" "$h0 -> $h1"; fi

check_rc "clear exits 0" 0 ctl clear --netns-name "$AGENT"
check "after clear: other:80 reachable again" tcp_ok "$AGENT" $OTHER4 80
check "after clear: [other]:80 reachable again" tcp_ok "$AGENT" $OTHER6 80
