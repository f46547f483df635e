#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Forged DNS answers (issue 9, class 2; DESIGN.md sections 2 "Trust" and 6):
# an answer teaches an address only when its query left through the
# namespace's uplink to a pinned resolver and the answer came back on the
# uplink, to a local unicast address, in the reply direction of the same
# conntrack entry, with the same ID, type and question, and only the first
# time.  Every attack below tries to teach the "forged" address (OTHER, where
# a witness server listens) for www.allowed.test; none may succeed.
#
#   agent netns (policed)                          net netns (servers)
#     veth0 192.0.2.1/24    <------------------>     veth1 (the uplink's peer)
#           2001:db8::1/64                             .2  / ::2   www.allowed.test: tlsprobe "real"
#     lo    (a) forged answers from the                .3  / ::3   the forged address: tlsprobe
#               resolver's address                                 "witness", bound to it alone
#     fakeres0 <-> fakeres1  (b) a veth pair made                  (logs every connection, its
#               inside: AF_PACKET forger on fakeres1               first bytes, SNI, Host)
#     fakedns0  (c) a tun: forger on its fd            .53 / ::53  dnsmasq, the pinned resolver:
#     nest0 -------> nest netns (f)                                www.allowed.test -> .2/::2,
#                     nest1: dnsforge.py on .53, ::53              witness.allowed.test -> .3/::3
#                                                      .56 / ::56  dnsforge.py --delay 3 (pinned):
#   policy: default reject; allow dns .53 .56 .57                  every A/AAAA -> .2/::2, late
#   (v4 and v6); allow domain www.allowed.test,        .57 / ::57  dnsforge.py --second-a (pinned):
#   witness.allowed.test; domain-binding dns                       .2/::2, then a second answer
#   (the default)                                                  .3/::3 to the same query
#
# Baseline (the test can fail): when a pinned resolver really answers the
# forged address (witness.allowed.test), it is learned (show --learned) and
# TLS and HTTP from the agent reach the witness.  Then, after each attack,
# v4 and v6: the forged address is not learned, a TLS (SNI www.allowed.test)
# and an HTTP (Host www.allowed.test) connection to it are refused at
# connect with the monitor reason not-learned, and the witness logs nothing.
# Each attack also shows that its forged answer did reach the client (the
# client printed it), so "not learned" is the kernel's doing:
#   a. loopback: the agent answers its own query (same ports, ID, question)
#      from a socket bound to the resolver's address: IP_TRANSPARENT (v4,
#      root) and IPV6_FREEBIND (v6, uid 65534, no capability; the namespace
#      has ip_unprivileged_port_start=0, Docker's default).  The resolver
#      (.56) answers 3 s late, so the forged answer arrives first; the real
#      answer is still learned after it (dns_ignored grows, dns_duplicate
#      does not).
#   b. a veth pair made inside the namespace, the pinned resolver's address
#      routed into it (/32, /128); the far end answers with an AF_PACKET
#      socket ("allow raw" in the policy for this part, or its frames would
#      be dropped at NETDEV_EGRESS).  Both ends are in the agent namespace:
#      the far end has no stack of its own to bind the resolver's address
#      in without making it local to the near end too.
#   c. a tun device, the resolver's address routed into it; the answer is
#      written into the tun fd.
#   d. a resolver that answers twice (real, then forged): the first is
#      learned, the second counted in dns_duplicate.
#   e. off-path answers from the resolver's namespace (raw socket): to the
#      broadcast address (v4) or ff02::1 (v6), from port 5353 instead of 53,
#      and to another local port than the query's.
#   f. a veth pair into a nested namespace, made from inside the agent
#      namespace after apply (CAP_SYS_ADMIN; "apply" warns about it): its
#      peer is in another namespace, as the uplink's is, but the host did
#      not put it there, so it is not the uplink; dnsforge.py answers in
#      the nested namespace.
source "$(dirname "$0")/lib.sh"

TP="python3 -I -S $LIB_DIR/tlsprobe.py"
FORGE="python3 -I -S $LIB_DIR/dnsforge.py"
ATTACK="python3 -I -S $LIB_DIR/dnsattack.py"
RES4=192.0.2.53 RES6=2001:db8::53 SLOW4=192.0.2.56 SLOW6=2001:db8::56 DUP4=192.0.2.57 DUP6=2001:db8::57
WWW4=$API4 WWW6=$API6		# www.allowed.test
FAKE4=$OTHER4 FAKE6=$OTHER6	# the forged address, where the witness listens
SLOW_DELAY=3
WITLOG=$TMPD/witness.log REALLOG=$TMPD/real.log DNSLOG=$TMPD/dnsmasq.log MON=$TMPD/monitor.json

require_built
module_load || bail "module loads"
topo_basic
for n in 53 56 57; do addr "$NET" veth1 192.0.2.$n/24 2001:db8::$n/64 || bail "net address .$n"; done
# an unprivileged process may bind port 53 (Docker sets this in containers)
ip netns exec "$AGENT" sysctl -qw net.ipv4.ip_unprivileged_port_start=0 ||
	bail "agent ip_unprivileged_port_start=0"

# ------------------------------------------------------------------ servers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=egressk-test -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" \
	>"$TMPD/req.out" 2>&1 || bail "self-signed certificate" "$(cat "$TMPD/req.out")"
tlsprobe_start() {	# NAME LOG ADDR...
	local name=$1 log=$2 a binds=(); shift 2
	for a in "$@"; do binds+=(--bind "$a"); done
	ip netns exec "$NET" $TP serve --tls 443 --http 80 --cert "$TMPD/cert.pem" --key "$TMPD/key.pem" \
		--log "$log" --ready "$TMPD/$name.ready" "${binds[@]}" >"$TMPD/$name.out" 2>&1 &
	_pids+=($!)
}
tlsprobe_start witness "$WITLOG" $FAKE4 $FAKE6
tlsprobe_start real "$REALLOG" $WWW4 $WWW6
ip netns exec "$NET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--user=root --group=root --pid-file="$TMPD/dnsmasq.pid" --listen-address="$RES4,$RES6" \
	--bind-interfaces --log-queries --log-facility="$DNSLOG" --local=/test/ --local-ttl=300 \
	--host-record=www.allowed.test,$WWW4,$WWW6,300 \
	--host-record=witness.allowed.test,$FAKE4,$FAKE6,300 >"$TMPD/dnsmasq.out" 2>&1 &
_pids+=($!)
forge_start() {	# NAME ADDR4 ADDR6 OPTIONS...
	local name=$1 a4=$2 a6=$3; shift 3
	ip netns exec "$NET" $FORGE serve --listen "$a4" --listen "$a6" --a $WWW4 --aaaa $WWW6 \
		"$@" --log "$TMPD/$name.log" --ready "$TMPD/$name.ready" >"$TMPD/$name.out" 2>&1 &
	_pids+=($!)
}
forge_start slow $SLOW4 $SLOW6 --delay $SLOW_DELAY
forge_start dup $DUP4 $DUP6 --second-a $FAKE4 --second-aaaa $FAKE6
for n in witness real slow dup; do
	wait_for 20 test -e "$TMPD/$n.ready" || bail "$n server starts" "$(cat "$TMPD/$n.out")"
done
wait_for 20 sh -c "ip netns exec '$NET' ss -Hlun 'src $RES4 and sport = :53' | grep -q ." ||
	bail "dnsmasq listens on $RES4" "$(cat "$TMPD/dnsmasq.out")"

# ------------------------------------------------------------------ helpers
tp() { ip netns exec "$AGENT" $TP "$@"; }
atk() { ip netns exec "$AGENT" $ATTACK "$@"; }
adig() { ip netns exec "$AGENT" dig +tries=1 +time=6 "$@"; }
# dig_has WANT DIG-ARGS: the answer (+short) lists WANT
dig_has() {
	local want=$1 out; shift
	out=$(adig +short "$@") || { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -qxF "$want"
}
br() { case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

# counters: "egresskctl stats" text lines "NAME VALUE"
ctr() { "$CTL" stats --netns-name "$AGENT" | awk -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }'; }
# grew WHAT NAME BEFORE / same WHAT NAME BEFORE
grew() {
	local n; n=$(ctr "$2")
	if [ -n "$n" ] && [ "$n" -gt "${3:-0}" ] 2>/dev/null; then ok "$1 ($2 $3 -> $n)"
	else nok "$1" "$2 ${3:-?} -> ${n:-missing}"; fi
}
same() {
	local n; n=$(ctr "$2")
	if [ -n "$n" ] && [ "$n" = "$3" ]; then ok "$1 ($2 stays $n)"
	else nok "$1" "$2 $3 -> ${n:-missing}"; fi
}

# learned entries: "show --learned" text, a line "ADDRESS NAME EXPIRES RULE"
# per entry (awk, not python: python starts slowly under emulation)
learned_list() { "$CTL" show --netns-name "$AGENT" --learned; }
# learned_entries ADDR: prints ADDR's entries; fails when there are none
learned_entries() {
	local out; out=$(learned_list) || { echo "show --learned failed: $out"; return 2; }
	echo "$out" | awk -v a="$1" '$1 == a { print; f = 1 } END { if (!f) print "no entry for " a; exit !f }'
}
# learned_as ADDR NAME: one of ADDR's entries names NAME
learned_as() {
	local out; out=$(learned_list) || { echo "show --learned failed: $out"; return 1; }
	echo "$out" | awk -v a="$1" -v n="$2" '$1 == a { print } $1 == a && $2 == n { f = 1 } END { exit !f }'
}
# not_learned ADDR: the listing works and has no entry for ADDR
not_learned() {
	local rc=0
	learned_entries "$1" || rc=$?
	[ $rc -eq 1 ]
}

# the witness's log since MARK shows no connection at all
wit_mark() { wc -l <"$WITLOG"; }
wit_quiet() {
	tail -n +$(($1 + 1)) "$WITLOG" | cut -c1-160
	! tail -n +$(($1 + 1)) "$WITLOG" | grep -qE '^(accept|data|flight|sni|req|nodata) '
}
# srv_got LOG MARK PORT HOST: since MARK, LOG shows a request on PORT with Host HOST
srv_got() {
	tail -n +$(($2 + 1)) "$1" | cut -c1-160
	tail -n +$(($2 + 1)) "$1" | grep -qE "^req $3 .* host=$4\$"
}

# egresskctl monitor --json in the background, for the whole test
"$CTL" monitor --netns-name "$AGENT" --json >"$MON" 2>"$TMPD/monitor.err" &
MONPID=$!; _pids+=($MONPID)
mon_mark() { wc -l <"$MON"; }
# mon_has MARK REASON DADDR DPORT: an event since MARK says so (json-c's
# plain output: no blanks; grep, as python starts slowly under emulation)
mon_has() {
	tail -n +$(($1 + 1)) "$MON" | grep -F "\"reason\":\"$2\"" | grep -F "\"daddr\":\"$3\"" |
		grep -E "\"dport\":$4[,}]"
}
mon_wait() { wait_for 5 mon_has "$@"; mon_has "$@" || { tail -n 3 "$MON"; return 1; }; }

# attacker_payoff WHAT: with the forged addresses not learned, the
# attacker's flows to them (TLS with SNI www.allowed.test on 443, HTTP with
# Host www.allowed.test on 80; v4 and v6, one process) are refused at
# connect, monitor says not-learned, and the witness sees no connection
attacker_payoff() {
	local what=$1 m mm F p out=$TMPD/payoff.${1%% *}
	m=$(wit_mark) mm=$(mon_mark)
	atk connect $FAKE4,443,www.allowed.test $FAKE4,80,www.allowed.test \
		$FAKE6,443,www.allowed.test $FAKE6,80,www.allowed.test >"$out" 2>&1
	sed 's/^/    | /' "$out"
	for F in $FAKE4 $FAKE6; do
		for p in 443 80; do
			check "$what: $([ $p = 443 ] && echo "TLS (SNI" || echo "HTTP (Host") www.allowed.test) to the forged $F:$p refused at connect, at once" \
				awk -v a=$F -v p=$p '$1 == a && $2 == p { f = 1; if ($3 == "refused" && $5 == "connect:" && $6 == "ECONNREFUSED" && $4 < 1) ok = 1 }
					END { exit !(f && ok) }' "$out"
			check "$what: monitor: not-learned for $F:$p" mon_wait "$mm" not-learned $F $p
		done
	done
	sleep 0.2
	check "$what: the witness on $FAKE4 and $FAKE6 saw no connection" wit_quiet "$m"
}

# answers in a dnsattack.py client's output, in arrival order
answers() { grep '^answer ' "$1" | sed 's/^/    /' >&2; grep '^answer ' "$1"; }
# nth_answer_has FILE N ADDR: the Nth answer (1-based) carries ADDR
nth_answer_has() { answers "$1" | sed -n "$2p" | grep -qE "addrs=([^ ]*,)?$3(,|\$)"; }

POL_BASE="default reject
allow dns $RES4
allow dns $RES6
allow dns $SLOW4
allow dns $SLOW6
allow dns $DUP4
allow dns $DUP6
allow domain www.allowed.test
allow domain witness.allowed.test"
POL=$(policy forge <<<"$POL_BASE")
POL_RAW=$(policy forge-raw <<<"$POL_BASE
allow raw")
# fresh_policy [FILE]: clear and apply again, so that nothing learned
# before is left; the forged and real addresses must then be unlearned
fresh_policy() {
	local f=${1:-$POL} a
	check_rc "clear before the next attack" 0 ctl clear --netns-name "$AGENT"
	check_rc "apply $(basename "$f" .policy) again" 0 apply "$AGENT" "$f" ||
		bail "the policy applies"
	for a in $FAKE4 $FAKE6 $WWW4 $WWW6; do
		not_learned $a >/dev/null || nok "fresh policy: $a is not learned" "$(learned_entries $a)"
	done
}

# dump state after a section that failed
_fail_mark=0
section_end() {
	[ $_fail -gt $_fail_mark ] && {
		echo "    | --- $1 failed: egresskctl stats"
		"$CTL" stats --netns-name "$AGENT" 2>&1 | grep -E '^(dns|learned|flows_not)' | sed 's/^/    | /'
		echo "    | --- show --learned"
		"$CTL" show --netns-name "$AGENT" --learned 2>&1 | head -n 20 | sed 's/^/    | /'
	}
	_fail_mark=$_fail
}

# ------------------------------------------------------------------ fixtures, no policy
check "plumbing: dnsmasq answers www.allowed.test with $WWW4" dig_has $WWW4 @$RES4 www.allowed.test
check "plumbing: dnsmasq answers witness.allowed.test AAAA with $FAKE6 (v6)" \
	dig_has $FAKE6 @$RES6 AAAA witness.allowed.test
t0=$(now)
check "plumbing: the slow resolver answers $WWW4" dig_has $WWW4 @$SLOW4 www.allowed.test
t=$(elapsed "$t0")
lt $((SLOW_DELAY - 1)) "$t" && ok "plumbing: ... after its delay ($t s)" ||
	nok "plumbing: ... after its delay of $SLOW_DELAY s" "answered after $t s"
check "plumbing: the witness answers TLS on $FAKE4 without a policy" tp tls $FAKE4 443 --sni x.test --path /p0
check "plumbing: ... and the real server on $WWW6" tp tls $WWW6 443 --sni x.test --path /p0
check "plumbing: the witness's log shows that connection" grep -q '^sni 443 .* x.test$' "$WITLOG"

check_rc "apply the policy" 0 apply "$AGENT" "$POL" || bail "the policy applies"
wait_for 10 sh -c "ls -l /proc/$MONPID/fd 2>/dev/null | grep -q socket" &&
	sleep 1 && kill -0 $MONPID 2>/dev/null && ok "egresskctl monitor --json runs" ||
	nok "egresskctl monitor --json runs" "$(cat "$TMPD/monitor.err")"
section_end "setup"

# ------------------------------------------------------------------ baseline
# A pinned resolver answering the forged address for real: learned, and the
# witness gets the connections.  So the checks after each attack can fail.
for v in 4 6; do
	F=$FAKE4 R=$RES4 T=A; [ $v = 6 ] && F=$FAKE6 R=$RES6 T=AAAA
	check "baseline v$v: dnsmasq answers witness.allowed.test $T with $F" dig_has $F @$R $T witness.allowed.test
	check "baseline v$v: show --learned lists $F for witness.allowed.test" learned_as $F witness.allowed.test
	m=$(wit_mark)
	check "baseline v$v: TLS (SNI witness.allowed.test) to $F works" \
		tp tls $F 443 --sni witness.allowed.test --path /base-v$v
	check "baseline v$v: HTTP (Host witness.allowed.test) to $F works" \
		tp http $F 80 --host witness.allowed.test --path /base-v$v-http
	check "baseline v$v: the witness logged the TLS request" srv_got "$WITLOG" "$m" 443 witness.allowed.test
	check "baseline v$v: the witness logged the HTTP request" srv_got "$WITLOG" "$m" 80 witness.allowed.test
done
section_end "baseline"

# ------------------------------------------------------------------ a. loopback
fresh_policy
for v in 4 6; do
	S=$SLOW4 F=$FAKE4 W=$WWW4 OWN=$A4 T=A; [ $v = 6 ] && S=$SLOW6 F=$FAKE6 W=$WWW6 OWN=$A6 T=AAAA
	i0=$(ctr dns_ignored) d0=$(ctr dns_duplicate)
	out=$TMPD/loop.v$v
	if [ $v = 4 ]; then
		how="IP_TRANSPARENT, root"
		atk loopforge $S www.allowed.test --type $T --own $OWN --forged $F \
			--wait $((SLOW_DELAY + 3)) >"$out" 2>&1
	else
		how="IPV6_FREEBIND, uid 65534"
		ip netns exec "$AGENT" setpriv --reuid=65534 --regid=65534 --clear-groups \
			$ATTACK loopforge $S www.allowed.test --type $T --own $OWN --forged $F \
			--wait $((SLOW_DELAY + 3)) >"$out" 2>&1
	fi
	sed 's/^/    | /' "$out"
	check "a v$v: the forged answer left a socket bound to $S:53 ($how)" grep -q '^forged-sent ' "$out"
	if [ $v = 6 ]; then
		check "a v6: the forger ran as uid 65534 with no capability" \
			grep -q '^whoami uid=65534 capeff=0000000000000000$' "$out"
	fi
	check "a v$v: the query socket got the forged answer ($F) first" nth_answer_has "$out" 1 "$F"
	check "a v$v: ... and the slow resolver's real answer ($W) after it" nth_answer_has "$out" 2 "$W"
	check "a v$v: the forged $F is not learned" not_learned $F
	check "a v$v: the real answer, 3 s after the forged one, is learned ($W)" learned_as $W www.allowed.test
	grew "a v$v: dns_ignored counts the loopback answer" dns_ignored "$i0"
	same "a v$v: the forged answer did not count as the query's answer" dns_duplicate "$d0"
done
attacker_payoff "a (loopback)"
section_end "a. loopback"

# ------------------------------------------------------------------ b. veth pair inside
fresh_policy "$POL_RAW"
veth_ok=0
if ip -n "$AGENT" link add fakeres0 type veth peer name fakeres1 &&
	ip -n "$AGENT" link set fakeres0 up && ip -n "$AGENT" link set fakeres1 up; then
	MAC=$(ip -n "$AGENT" -j link show fakeres1 | python3 -I -S -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	check "b: route $RES4/32 and $RES6/128 into fakeres0 (neighbour: fakeres1's $MAC)" sh -c "
		ip -n '$AGENT' route add $RES4/32 dev fakeres0 &&
		ip -n '$AGENT' neigh replace $RES4 lladdr $MAC dev fakeres0 nud permanent &&
		ip -n '$AGENT' -6 route add $RES6/128 dev fakeres0 &&
		ip -n '$AGENT' -6 neigh replace $RES6 lladdr $MAC dev fakeres0 nud permanent" && veth_ok=1
else
	nok "b: a veth pair inside the agent namespace"
fi
if [ $veth_ok = 1 ]; then
	ip netns exec "$AGENT" $ATTACK l3forge --packet fakeres1 --a $FAKE4 --aaaa $FAKE6 \
		--log "$TMPD/veth.log" --ready "$TMPD/veth.ready" >"$TMPD/veth.out" 2>&1 &
	vethpid=$!; _pids+=($vethpid)
	wait_for 20 test -e "$TMPD/veth.ready" || nok "b: the AF_PACKET forger starts" "$(cat "$TMPD/veth.out")"
	for v in 4 6; do
		R=$RES4 F=$FAKE4 T=A; [ $v = 6 ] && R=$RES6 F=$FAKE6 T=AAAA
		i0=$(ctr dns_ignored) md=$(wc -l <"$DNSLOG")
		check "b v$v: dig @$R gets the forged answer $F (from fakeres1)" dig_has $F @$R $T www.allowed.test
		check "b v$v: the forger read the query on fakeres1" \
			grep -q "^query www.allowed.test $T from .* via fakeres1 answered=1" "$TMPD/veth.log"
		check "b v$v: dnsmasq got no query (the resolver's address was routed away)" \
			sh -c "! tail -n +$((md + 1)) '$DNSLOG' | grep 'query\['"
		check "b v$v: the forged $F is not learned" not_learned $F
		grew "b v$v: dns_ignored counts the answer from the in-namespace veth" dns_ignored "$i0"
		done
	attacker_payoff "b (veth pair inside)"
	kill $vethpid 2>/dev/null
fi
ip -n "$AGENT" link del fakeres0 2>/dev/null
section_end "b. veth pair inside"

# ------------------------------------------------------------------ c. tun
fresh_policy
# the guest's /dev is a devtmpfs: the node appears when the module loads
modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod -m 666 /dev/net/tun c 10 200; }
ip netns exec "$AGENT" $ATTACK l3forge --tun fakedns0 --a $FAKE4 --aaaa $FAKE6 \
	--log "$TMPD/tun.log" --ready "$TMPD/tun.ready" >"$TMPD/tun.out" 2>&1 &
tunpid=$!; _pids+=($tunpid)
if wait_for 20 test -e "$TMPD/tun.ready" &&
	check "c: tun fakedns0 up, $RES4/32 and $RES6/128 routed into it" sh -c "
		ip -n '$AGENT' link set fakedns0 up &&
		ip -n '$AGENT' route add $RES4/32 dev fakedns0 &&
		ip -n '$AGENT' -6 route add $RES6/128 dev fakedns0"; then
	for v in 4 6; do
		R=$RES4 F=$FAKE4 T=A; [ $v = 6 ] && R=$RES6 F=$FAKE6 T=AAAA
		i0=$(ctr dns_ignored) md=$(wc -l <"$DNSLOG")
		check "c v$v: dig @$R gets the forged answer $F (written into the tun)" dig_has $F @$R $T www.allowed.test
		check "c v$v: the forger read the query from the tun" \
			grep -q "^query www.allowed.test $T from .* via fakedns0 answered=1" "$TMPD/tun.log"
		check "c v$v: dnsmasq got no query" sh -c "! tail -n +$((md + 1)) '$DNSLOG' | grep 'query\['"
		check "c v$v: the forged $F is not learned" not_learned $F
		grew "c v$v: dns_ignored counts the answer from the tun" dns_ignored "$i0"
	done
	attacker_payoff "c (tun)"
else
	nok "c: the tun forger starts" "$(cat "$TMPD/tun.out")"
fi
kill $tunpid 2>/dev/null; wait $tunpid 2>/dev/null	# the tun and its routes go with it
section_end "c. tun"

# ------------------------------------------------------------------ d. a second answer
fresh_policy
for v in 4 6; do
	D=$DUP4 F=$FAKE4 W=$WWW4 T=A; [ $v = 6 ] && D=$DUP6 F=$FAKE6 W=$WWW6 T=AAAA
	d0=$(ctr dns_duplicate)
	out=$TMPD/dup.v$v
	atk query $D www.allowed.test --type $T --wait 2 >"$out" 2>&1
	sed 's/^/    | /' "$out"
	check "d v$v: the first answer carries the real $W" nth_answer_has "$out" 1 "$W"
	check "d v$v: the second answer to the same query carries $F" nth_answer_has "$out" 2 "$F"
	check "d v$v: the first answer is learned ($W)" learned_as $W www.allowed.test
	check "d v$v: the second one is not ($F)" not_learned $F
	grew "d v$v: dns_duplicate counts the second answer" dns_duplicate "$d0"
	m=$(wc -l <"$REALLOG")
	check "d v$v: TLS (SNI www.allowed.test) to the learned $W works" \
		tp tls $W 443 --sni www.allowed.test --path /dup-v$v
	check "d v$v: ... the real server logged it" srv_got "$REALLOG" "$m" 443 www.allowed.test
done
attacker_payoff "d (second answer)"
section_end "d. duplicate"

# ------------------------------------------------------------------ e. off-path answers
fresh_policy
for v in 4 6; do
	S=$SLOW4 F=$FAKE4 W=$WWW4 OWN=$A4 B=192.0.2.255 T=A
	[ $v = 6 ] && S=$SLOW6 F=$FAKE6 W=$WWW6 OWN=$A6 B=ff02::1 T=AAAA
	P=$((40000 + RANDOM % 20000)) ID=$((1 + RANDOM))
	i0=$(ctr dns_ignored)
	rm -f "$TMPD/spoof.go"
	ip netns exec "$NET" $ATTACK spoof $S www.allowed.test --type $T --id $ID --forged $F \
		--send "$B,$P,53" --send "$OWN,$P,5353" --send "$OWN,$((P + 1)),53" \
		--ifname veth1 --trigger "$TMPD/spoof.go" >"$TMPD/spoof.v$v" 2>&1 &
	spid=$!; _pids+=($spid)
	out=$TMPD/offpath.v$v
	atk query $S www.allowed.test --type $T --sport $P --id $ID --extra-port $((P + 1)) \
		--wait $((SLOW_DELAY + 3)) --trigger "$TMPD/spoof.go" >"$out" 2>&1
	wait $spid
	sed 's/^/    | /' "$TMPD/spoof.v$v" "$out"
	check "e v$v: the answer to $B:$P (from $S:53) reached the query socket" \
		grep -q "^answer port=$P from [^ ]*:53 to $B .*addrs=$F" "$out"
	check "e v$v: the answer from $S:5353 reached it" \
		grep -q "^answer port=$P from [^ ]*:5353 to $OWN .*addrs=$F" "$out"
	check "e v$v: the answer to port $((P + 1)) reached a second socket" \
		grep -q "^answer port=$((P + 1)) from [^ ]*:53 to $OWN .*addrs=$F" "$out"
	check "e v$v: the slow resolver's real answer came last" sh -c "grep '^answer ' '$out' | tail -n1 | grep -q 'addrs=$W\$'"
	check "e v$v: the forged $F is not learned" not_learned $F
	check "e v$v: the real answer is learned ($W)" learned_as $W www.allowed.test
	grew "e v$v: dns_ignored counts the broadcast/multicast and other-port answers" dns_ignored "$i0"
done
attacker_payoff "e (off-path)"
section_end "e. off-path"

# ------------------------------------------------------------------ f. nested namespace
# With CAP_SYS_ADMIN a container can make a namespace of its own and a veth
# pair into it, whose peer is in another namespace just like the uplink's.
# Only devices the host put there are the uplink (paired when the policy
# was applied, or created or moved in later by a task of the initial
# namespace): the pair is made from inside the agent namespace, after
# apply, as the container would make it.
fresh_policy
ns_create NEST nest
if check "f: a veth pair made from inside the agent namespace into a nested one; $RES4/32, $RES6/128 routed into it" sh -c "
	ip netns exec '$AGENT' ip link add nest0 type veth peer name nest1 netns '$NEST' &&
	ip -n '$AGENT' link set nest0 up && ip -n '$NEST' link set nest1 up &&
	ip -n '$NEST' addr add $RES4/24 dev nest1 && ip -n '$NEST' addr add $RES6/64 dev nest1 nodad &&
	ip -n '$AGENT' route add $RES4/32 dev nest0 && ip -n '$AGENT' -6 route add $RES6/128 dev nest0"; then
	# IPv6 neighbour discovery answers only for the asked device's own
	# addresses, and $A6 is on veth0: the nested side learns nest0's by hand
	MAC=$(ip -n "$AGENT" -j link show nest0 | python3 -I -S -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	check "f: the nested namespace reaches $A6 through nest0 ($MAC)" \
		ip -n "$NEST" -6 neigh replace $A6 lladdr "$MAC" dev nest1 nud permanent
	ip netns exec "$NEST" $FORGE serve --listen $RES4 --listen $RES6 --a $FAKE4 --aaaa $FAKE6 \
		--log "$TMPD/nest.log" --ready "$TMPD/nest.ready" >"$TMPD/nest.out" 2>&1 &
	_pids+=($!)
	wait_for 20 test -e "$TMPD/nest.ready" || nok "f: dnsforge.py starts in the nested namespace" "$(cat "$TMPD/nest.out")"
	for v in 4 6; do
		R=$RES4 F=$FAKE4 T=A; [ $v = 6 ] && R=$RES6 F=$FAKE6 T=AAAA
		i0=$(ctr dns_ignored) md=$(wc -l <"$DNSLOG")
		check "f v$v: dig @$R gets the nested resolver's answer $F" dig_has $F @$R $T www.allowed.test
		check "f v$v: the nested resolver logged the query" grep -q "^query www.allowed.test $T from " "$TMPD/nest.log"
		check "f v$v: dnsmasq got no query" sh -c "! tail -n +$((md + 1)) '$DNSLOG' | grep 'query\['"
		check "f v$v: the forged $F is not learned" not_learned $F
		grew "f v$v: dns_ignored counts the answer from the nested namespace's veth" dns_ignored "$i0"
	done
	attacker_payoff "f (nested namespace)"
fi
ip -n "$AGENT" link del nest0 2>/dev/null
section_end "f. nested namespace"

check_rc "clear the policy" 0 ctl clear --netns-name "$AGENT"
