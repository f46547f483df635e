#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow state: replies to inbound connections pass; an outbound connection
# opened before "apply" is not taken for a reply afterwards; "default drop" is
# silent; "mode audit" lets everything through but counts it.
#
#   agent netns (policed, tcp 9000 server)   net netns (tcp 80 server, clients)
#     veth0 192.0.2.1/24   <-------->        veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#           2001:db8::1/64                         2001:db8::2/64, 2001:db8::3/64
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80
serve "$AGENT" --tcp 9000

NOTHING=$(policy nothing <<EOF
# allows nothing at all
default reject
EOF
)

# An outbound connection that exists before the policy: after apply, its next
# segment must not pass as a "reply".
rm -f "$TMPD/go"
ip netns exec "$AGENT" $PROBE hold $OTHER4 80 --trigger "$TMPD/go" --timeout 3 >"$TMPD/hold.out" 2>&1 &
holdpid=$!; _pids+=($holdpid)
if wait_for 10 grep -q connected "$TMPD/hold.out"; then ok "pre-existing connection established"
else nok "pre-existing connection established" "$(cat "$TMPD/hold.out")"; fi
check_rc "apply a policy that allows nothing" 0 apply "$AGENT" "$NOTHING"
touch "$TMPD/go"
wait $holdpid; hrc=$?
info "pre-existing connection after apply: $(tail -n1 "$TMPD/hold.out")"
if [ $hrc -ne 0 ]; then ok "pre-existing outbound connection fails after apply"
else nok "pre-existing outbound connection fails after apply" "$(tail -n1 "$TMPD/hold.out")"; fi
if [ $hrc -eq 1 ]; then ok "...with an error (reset), not a hang"
else nok "...with an error (reset), not a hang" "$(tail -n1 "$TMPD/hold.out")"; fi

# Replies to connections that come in pass under a policy that allows nothing.
check "blocked: agent -> api" tcp_refused_fast "$AGENT" $API4 80
check "inbound v4: net -> agent server answered" tcp_ok "$NET" $A4 9000
check "inbound v6: net -> agent server answered" tcp_ok "$NET" $A6 9000
check "inbound: curl-like request/response from net" \
	ip netns exec "$NET" curl -sf --max-time 5 -o /dev/null http://$A4:9000/
check "still blocked afterwards: agent -> api" tcp_refused_fast "$AGENT" $API4 80

# default drop: silent, the connect times out instead of failing fast
DROP=$(policy drop <<EOF
default drop
allow cidr $API4 tcp port 80
EOF
)
check_rc "apply default drop" 0 apply "$AGENT" "$DROP"
check "default drop: allowed api:80 still connects" tcp_ok "$AGENT" $API4 80
out=$(probe "$AGENT" tcp $OTHER4 80 --timeout 2); rc=$?
info "default drop, blocked connect: $out"
if [ $rc -eq 2 ]; then ok "default drop: blocked connect times out (no error sent)"
else nok "default drop: blocked connect times out (no error sent)" "$out"; fi
out=$(probe "$AGENT" udp $OTHER4 5353 --timeout 1); rc=$?
if [ $rc -eq 2 ]; then ok "default drop: blocked udp sendto succeeds silently (no reply)"
else nok "default drop: blocked udp sendto succeeds silently (no reply)" "$out"; fi
d=$(stat_num "$AGENT" '^dropped')
if [ "${d:-0}" -gt 0 ] 2>/dev/null; then ok "dropped counter counts them ($d)"
else nok "dropped counter counts them" "got '$d'"; fi

# audit: everything passes, and what enforce would block is counted
AUDIT=$(policy audit <<EOF
mode audit
allow cidr $API4 tcp port 80
EOF
)
check_rc "apply mode audit" 0 apply "$AGENT" "$AUDIT"
a0=$(stat_num "$AGENT" '^audit')
check "audit: unlisted other:80 still connects" tcp_ok "$AGENT" $OTHER4 80
check "audit: unlisted [other]:80 still connects" tcp_ok "$AGENT" $OTHER6 80
check "audit: listed api:80 connects" tcp_ok "$AGENT" $API4 80
a1=$(stat_num "$AGENT" '^audit')
info "audited $a0 -> $a1"
if [ "${a1:-0}" -gt "${a0:-0}" ] 2>/dev/null; then ok "audit: audited counter grows"
else nok "audit: audited counter grows" "$a0 -> $a1"; fi
check "list shows the namespace in audit mode" sh -c "'$CTL' list | grep -qi audit"
