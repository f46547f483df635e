#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, guest side (tests/integration/demo.sh boots the VM that runs it).
#
#   agent netns (policed by egressk)      net netns ("the internet")
#     veth0 192.0.2.1/24   <-------->    veth1 192.0.2.2 api.example, 192.0.2.3 other.example
#           2001:db8::1/64                     2001:db8::2 api.example, 2001:db8::3 other.example
source "$(dirname "$0")/../lib.sh"
POLICY=$LIB_DIR/demo/agent.policy
heading() { printf '\n=== %s ===\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
require_built
module_load || bail "egressk.ko loads"
topo_basic
serve "$NET" --tcp 80
RESOLVE=(--resolve api.example:80:$API4 --resolve other.example:80:$OTHER4)

heading "1. An agent's network namespace, and the policy for it"
echo "namespace: $AGENT (a container's netns would be named with --pid or --docker)"
run cat "$POLICY"

heading "2. Apply it from the host"
run "$CTL" apply --netns-name "$AGENT" "$POLICY"
echo "(exit $?)"
run "$CTL" show --netns-name "$AGENT"

heading "3. The agent reaches its API server"
start=$(now)
run ip netns exec "$AGENT" curl -sS --max-time 5 "${RESOLVE[@]}" http://api.example/
rc=$?
echo "curl exit $rc after $(elapsed "$start")s"
check "allowed curl to api.example succeeds" [ $rc -eq 0 ]

heading "4. Anything else is refused at once"
start=$(now)
run ip netns exec "$AGENT" curl -sS --max-time 5 "${RESOLVE[@]}" http://other.example/
rc=$?
t=$(elapsed "$start")
echo "curl exit $rc after ${t}s"
check "blocked curl to other.example fails (exit $rc)" [ $rc -ne 0 ]
check "blocked curl fails fast (${t}s < 1s), not by timeout" lt "$t" 1.0
start=$(now)
run ip netns exec "$AGENT" curl -sS --max-time 5 "http://[$OTHER6]/"
rc=$?
echo "curl exit $rc after $(elapsed "$start")s"
check "blocked IPv6 curl fails" [ $rc -ne 0 ]

heading "5. What egressk counted"
run "$CTL" stats --netns-name "$AGENT"
run "$CTL" list

heading "6. Remove the policy: the namespace is unrestricted again"
run "$CTL" clear --netns-name "$AGENT"
run ip netns exec "$AGENT" curl -sS --max-time 5 "${RESOLVE[@]}" http://other.example/
check "after clear, other.example is reachable" [ $? -eq 0 ]
echo
