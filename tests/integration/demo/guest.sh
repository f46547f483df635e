#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, guest side (tests/integration/demo.sh boots the VM that runs it).
#
#   agent netns (policed by egressk)      net netns ("the internet")
#     veth0 192.0.2.1/24   <-------->    veth1 192.0.2.2 api.example, 192.0.2.3 other.example
#           2001:db8::1/64                     2001:db8::2 api.example, 2001:db8::3 other.example
source "$(dirname "$0")/../lib.sh"
TEST_NAME=demo
POLICY=$LIB_DIR/demo/agent.policy
heading() { printf '\n=== %s ===\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
require_built
module_load || bail "egressk.ko loads"
topo_basic
serve "$NET" --tcp 80
# other.example's address also serves TLS (self-signed) for any name
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -subj /CN=demo -days 1 2>/dev/null
ip netns exec "$NET" python3 -I -S "$LIB_DIR/tlsprobe.py" serve --cert "$TMPD/cert.pem" \
	--key "$TMPD/key.pem" --log "$TMPD/tls.log" --tls 443 --ready "$TMPD/tls.ready" \
	>"$TMPD/tls.out" 2>&1 &
_pids+=($!)
wait_for 20 test -e "$TMPD/tls.ready" || bail "the TLS server starts" "$(cat "$TMPD/tls.out")"
RESOLVE=(--resolve api.example:80:$API4 --resolve other.example:80:$OTHER4)
TLS_RESOLVE=(--resolve registry.pkg.example:443:$OTHER4 --resolve evil.example:443:$OTHER4)

heading "1. An agent's network namespace, and the policy for it"
echo "namespace: $AGENT (a container's netns would be named with --pid or --docker)"
run cat "$POLICY"

heading "2. Apply it from the host"
run "$CTL" apply --netns-name "$AGENT" "$POLICY"
echo "(exit $?)"
run "$CTL" show --netns-name "$AGENT"

heading "3. The agent reaches its API server"
# curl -w reports curl's own timing (process start-up under emulation excluded)
W='\n[curl: %{time_total}s]\n'
run ip netns exec "$AGENT" curl -sS --max-time 5 -w "$W" "${RESOLVE[@]}" http://api.example/
rc=$?
echo "(exit $rc)"
check "allowed curl to api.example succeeds" [ $rc -eq 0 ]

heading "4. Anything else is refused at once"
out=$(ip netns exec "$AGENT" curl -sS --max-time 5 -w "$W" "${RESOLVE[@]}" http://other.example/ 2>&1)
rc=$?
printf '$ ip netns exec %s curl -sS --max-time 5 http://other.example/\n%s\n(exit %s)\n' "$AGENT" "$out" "$rc"
t=$(echo "$out" | sed -n 's/^\[curl: \(.*\)s\]$/\1/p')
check "blocked curl to other.example fails (exit $rc)" [ $rc -ne 0 ]
check "blocked curl fails fast (${t}s < 1s), not by timeout" lt "${t:-9}" 1.0
run ip netns exec "$AGENT" curl -sS --max-time 5 -w "$W" "http://[$OTHER6]/"
rc=$?
echo "(exit $rc)"
check "blocked IPv6 curl fails" [ $rc -ne 0 ]

heading "5. Domain rules: the TLS server name decides, whatever the address"
echo "registry.pkg.example and evil.example are the same server ($OTHER4), which no cidr rule allows."
run ip netns exec "$AGENT" curl -ksS --max-time 5 -w "$W" "${TLS_RESOLVE[@]}" https://registry.pkg.example/
rc=$?
echo "(exit $rc)"
check "curl to registry.pkg.example (allowed by name) succeeds" [ $rc -eq 0 ]
out=$(ip netns exec "$AGENT" curl -ksS --max-time 5 -w "$W" "${TLS_RESOLVE[@]}" https://evil.example/ 2>&1)
rc=$?
printf '$ ip netns exec %s curl -ksS --max-time 5 https://evil.example/\n%s\n(exit %s)\n' "$AGENT" "$out" "$rc"
t=$(echo "$out" | sed -n 's/^\[curl: \(.*\)s\]$/\1/p')
check "curl to evil.example (same address, other name) is reset (exit $rc)" [ $rc -ne 0 ]
check "...at once (${t}s < 1s)" lt "${t:-9}" 1.0
check "...and its ClientHello never reached the server" \
	bash -c "! grep -q 'evil.example' '$TMPD/tls.log'"

heading "6. What egressk counted"
run "$CTL" stats --netns-name "$AGENT"
run "$CTL" list

heading "7. Remove the policy: the namespace is unrestricted again"
run "$CTL" clear --netns-name "$AGENT"
run ip netns exec "$AGENT" curl -sS --max-time 5 "${RESOLVE[@]}" http://other.example/
check "after clear, other.example is reachable" [ $? -eq 0 ]
echo
