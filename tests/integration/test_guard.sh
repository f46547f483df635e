#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The host-side guard (DESIGN.md section 2, "The guard"; issue 9, class 5):
# an NF_NETDEV_INGRESS hook on the host-side peer of the policed namespace's
# veth drops what leaves with a source that is not the namespace's own or
# for a destination the policy does not allow, whatever the namespace did
# to its packets after LOCAL_OUT.  The agent runs as root with every
# capability, so it can reconfigure its own namespace at will.
#
#   agent netns (policed)                          net netns (the host side)
#     veth0 192.0.2.1/24 2001:db8::1/64  <------>  veth1  <- the guard
#       nft postrouting rewrite, tc pedit,           192.0.2.2 "api"  2001:db8::2
#       seg6 encap route, br0 + tap0,                192.0.2.3 "other" 2001:db8::3
#       AF_XDP, ifb redirect, VLAN veth0.5           veth1.5 192.0.3.2 (VLAN 5)
#       packet and raw sockets ("allow raw")         servers: tcp 80, udp 53 and
#     nveth1 10.77.0.1/24 <-> nest netns             7000-7020 (echo)
#       (made from inside;    nveth0 10.77.0.2       witness: nft counters at
#        ip_forward=1)
#     mv0 macvlan on veth0 -> macv netns 192.0.2.50  prerouting (priority -500)
#     veth4 (created after apply)  <------------>  veth5
#     veth6 (then moved to free2 netns) <------->  veth7 198.18.0.2/24
#
#   bare netns (policed): only a dummy device, no veth peer to guard
#
# Each attack first runs with no policy, and the witness in the net
# namespace counts its packets (so the check can fail); then with a policy
# that allows only the api address, nothing arrives and "egresskctl monitor
# --json" names guard-destination or guard-source.
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
for m in veth bridge tun macvlan 8021q ifb sch_ingress cls_u32 act_pedit act_csum \
	act_mirred nf_tables; do
	modprobe "$m" 2>/dev/null
done
topo_basic
serve "$NET" --tcp 80 --udp 53,7000-7020
MON=$TMPD/monitor.json
PY="python3 -I -S $TMPD/frames.py"

# ------------------------------------------------------------------ helpers
cat >"$TMPD/frames.py" <<'PYEOF'
# frames.py hex|packet|tap|rawip|udpreset ...: forged Ethernet/IPv4/UDP frames
#   hex DSTMAC SRCMAC SRC DST DPORT            print the frame as hex
#   packet IFACE DSTMAC SRC DST DPORT          AF_PACKET SOCK_RAW, 3 times
#   tap IFACE DSTMAC SRC DST DPORT             written into tap IFACE, 3 times
#   rawip SRC DST DPORT                        IP_HDRINCL raw socket, 3 times
#   udpreset DST PORT                          connected UDP: ok when the
#                                              ICMP port unreachable arrives
import fcntl, os, socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip_udp(src, dst, dport):
    payload = b"egressk-guard-test"
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + udp

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))

def frame(dstmac, srcmac, src, dst, dport):
    return mac(dstmac) + mac(srcmac) + b"\x08\x00" + ip_udp(src, dst, int(dport))

def ifmac(iface):
    return open("/sys/class/net/%s/address" % iface).read().strip()

def report(errs):
    print("sent: " + (", ".join(errs) if errs else "no error"))

cmd, a = sys.argv[1], sys.argv[2:]
errs = []
if cmd == "hex":
    print(frame(*a).hex())
elif cmd == "packet":
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    f = frame(a[1], ifmac(a[0]), *a[2:])
    for _ in range(3):
        try:
            s.sendto(f, (a[0], 0x0800))
        except OSError as e:
            errs.append(e.strerror)
        time.sleep(0.05)
    report(errs)
elif cmd == "tap":
    fd = os.open("/dev/net/tun", os.O_RDWR)
    # TUNSETIFF, IFF_TAP | IFF_NO_PI
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", a[0].encode(), 0x0002 | 0x1000))
    time.sleep(0.3)   # the bridge port comes up with the carrier
    f = frame(a[1], "02:00:00:00:00:99", *a[2:])
    for _ in range(3):
        try:
            os.write(fd, f)
        except OSError as e:
            errs.append(e.strerror)
        time.sleep(0.05)
    time.sleep(0.2)
    os.close(fd)
    report(errs)
elif cmd == "rawip":
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(3):
        try:
            s.sendto(ip_udp(a[0], a[1], int(a[2])), (a[1], 0))
        except OSError as e:
            errs.append(e.strerror)
        time.sleep(0.05)
    report(errs)
elif cmd == "udpreset":
    s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((a[0], int(a[1])))
    s.send(b"ping")
    try:
        s.recv(100)
        print("data"); sys.exit(1)
    except ConnectionRefusedError:
        print("refused: the ICMP port unreachable arrived"); sys.exit(0)
    except OSError as e:
        print("error", e); sys.exit(1)
PYEOF

mac_of() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
NETMAC=$(mac_of "$NET" veth1)
AGENTMAC=$(mac_of "$AGENT" veth0)
ax() { ip netns exec "$AGENT" "$@"; }

# witness: one named nft counter per attack, in the net namespace's
# prerouting, before anything else there (priority -500)
ip netns exec "$NET" nft -f - <<EOF || bail "witness table in the net namespace"
table inet wit {
	chain pre { type filter hook prerouting priority -500; policy accept; }
}
EOF
# wit NAME MATCH...: a counter for what MATCH matches (named w_NAME: some
# names are nft keywords)
wit() {
	local n=w_$1; shift
	ip netns exec "$NET" nft add counter inet wit "$n" &&
		ip netns exec "$NET" nft add rule inet wit pre "$@" counter name "$n"
}
wit_get() {
	ip netns exec "$NET" nft list counter inet wit "w_$1" |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
# arrives NAME CMD...: run CMD; what NAME matches arrives in the net namespace
arrives() {
	local n=$1 b a; shift
	b=$(wit_get "$n"); "$@"; sleep 0.5; a=$(wit_get "$n")
	echo "witness $n: $b -> $a"
	[ "${a:-0}" -gt "${b:-0}" ]
}
# stays_away NAME CMD...: run CMD; nothing NAME matches arrives
stays_away() {
	local n=$1 b a; shift
	b=$(wit_get "$n"); "$@"; sleep 0.5; a=$(wit_get "$n")
	echo "witness $n: $b -> $a"
	[ -n "$a" ] && [ "$a" -eq "$b" ]
}
# mon_has REASON DADDR [DPORT]: the monitor printed such an event
mon_has() {
	python3 -c '
import json, sys
reason, daddr = sys.argv[2], sys.argv[3]
dport = int(sys.argv[4]) if len(sys.argv) > 4 else None
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("reason") == reason and e.get("daddr") == daddr and \
       (dport is None or e.get("dport") == dport):
        sys.exit(0)
sys.exit(1)' "$MON" "$@"
}
# policed ATTACK WITNESS REASON DADDR [DPORT]: with the policy the witness
# counts nothing, the monitor names REASON, and guard_dropped grows
policed() {
	local atk=$1 w=$2 reason=$3 g0 g1; shift 3
	g0=$(stat_num "$AGENT" '^guard_dropped$')
	check "policed: $atk: nothing arrives" stays_away "$w" "atk_$atk"
	check "policed: $atk: monitor says $reason for $*" wait_for 5 mon_has "$reason" "$@"
	g1=$(stat_num "$AGENT" '^guard_dropped$')
	if [ "$reason" = default ]; then return 0; fi
	if [ "${g1:-0}" -gt "${g0:-0}" ] 2>/dev/null; then ok "policed: $atk: guard_dropped grows ($g0 -> $g1)"
	else nok "policed: $atk: guard_dropped grows" "$g0 -> $g1"; fi
}
unpoliced() {
	check "no policy: $1: the bytes arrive" arrives "$2" "atk_$1"
}

# ------------------------------------------------------------------ attacks
# 1. nft in the agent's postrouting rewrites the destination after LOCAL_OUT
wit nft4 ip daddr $OTHER4 udp dport 7001 || bail "witness nft4"
atk_nft4() {
	ax nft -f - <<EOF
table ip egkatk {
	chain post { type filter hook postrouting priority 0; policy accept;
		ip daddr $API4 udp dport 7001 ip daddr set $OTHER4
	}
}
EOF
	probe "$AGENT" udp $API4 7001 --timeout 1
	ax nft delete table ip egkatk
}
wit nft6 ip6 daddr $OTHER6 udp dport 7001 || bail "witness nft6"
atk_nft6() {
	ax nft -f - <<EOF
table ip6 egkatk {
	chain post { type filter hook postrouting priority 0; policy accept;
		ip6 daddr $API6 udp dport 7001 ip6 daddr set $OTHER6
	}
}
EOF
	probe "$AGENT" udp $API6 7001 --timeout 1
	ax nft delete table ip6 egkatk
}
# the resolver pinning too: a query to the pinned resolver rewritten to another
wit dns ip daddr $OTHER4 udp dport 53 || bail "witness dns"
atk_dns() {
	ax nft -f - <<EOF
table ip egkatk {
	chain post { type filter hook postrouting priority 0; policy accept;
		ip daddr $API4 udp dport 53 ip daddr set $OTHER4
	}
}
EOF
	probe "$AGENT" udp $API4 53 --timeout 1
	ax nft delete table ip egkatk
}

# 2. tc pedit on veth0's egress
wit tc ip daddr $OTHER4 udp dport 7002 || bail "witness tc"
atk_tc() {
	ax tc qdisc add dev veth0 clsact
	ax tc filter add dev veth0 egress protocol ip prio 1 u32 match ip dst $API4/32 \
		match ip dport 7002 0xffff action pedit ex munge ip dst set $OTHER4 pipe \
		action csum ip4h and udp
	probe "$AGENT" udp $API4 7002 --timeout 1
	ax tc qdisc del dev veth0 clsact
}

# 3. an SRv6 encap route: the outer packet never passes LOCAL_OUT
# (net.netfilter.nf_hooks_lwtunnel is 0), only the inner one to the api
wit seg6 ip6 daddr $OTHER6 ip6 nexthdr 43 || bail "witness seg6"
atk_seg6() {
	ip -n "$AGENT" -6 route add $API6/128 encap seg6 mode encap segs $OTHER6 dev veth0
	probe "$AGENT" udp $API6 7003 --timeout 1
	ip -n "$AGENT" -6 route del $API6/128
}

# 4. frames written into a tap bridged with the uplink: no IP hook sees them
wit tapdst ip daddr $OTHER4 udp dport 7004 || bail "witness tapdst"
wit tapsrc ip saddr 192.0.2.99 udp dport 7005 || bail "witness tapsrc"
tap_up() {
	ip -n "$AGENT" link add br0 type bridge forward_delay 0 &&
		ip -n "$AGENT" link set veth0 master br0 &&
		ip -n "$AGENT" link set br0 up &&
		ip -n "$AGENT" tuntap add tap0 mode tap &&
		ip -n "$AGENT" link set tap0 master br0 &&
		ip -n "$AGENT" link set tap0 up
}
tap_down() {
	ip -n "$AGENT" link del tap0
	ip -n "$AGENT" link set veth0 nomaster
	ip -n "$AGENT" link del br0
}
atk_tapdst() { tap_up; ax $PY tap tap0 "$NETMAC" $A4 $OTHER4 7004; tap_down; }
atk_tapsrc() { tap_up; ax $PY tap tap0 "$NETMAC" 192.0.2.99 $API4 7005; tap_down; }

# 5. forged sources: a packet socket and a raw socket ("allow raw" lets
# both past LOCAL_OUT and NETDEV_EGRESS)
wit pktsrc ip saddr 192.0.2.98 udp dport 7006 || bail "witness pktsrc"
wit rawsrc ip saddr 192.0.2.97 udp dport 7007 || bail "witness rawsrc"
atk_pktsrc() { ax $PY packet veth0 "$NETMAC" 192.0.2.98 $API4 7006; }
atk_rawsrc() { ax $PY rawip 192.0.2.97 $API4 7007; }

# 6. a nested namespace forwarding through the agent: the agent makes the
# pair itself, as a container would (a pair made by the host is an uplink,
# and what arrives on it is inbound, not the agent's egress)
ns_create NEST nest
ax sysctl -qw net.ipv4.ip_forward=1 || bail "ip_forward in the agent"
nest_up() {
	ax ip link add nveth1 type veth peer name nveth0 netns "$NEST" &&
		addr "$AGENT" nveth1 10.77.0.1/24 && addr "$NEST" nveth0 10.77.0.2/24 &&
		ip -n "$AGENT" link set nveth1 up && ip -n "$NEST" link set nveth0 up &&
		ip -n "$NEST" route add default via 10.77.0.1
}
nest_down() { ip -n "$AGENT" link del nveth1; }
wit nestother ip saddr 10.77.0.2 ip daddr $OTHER4 udp dport 7008 || bail "witness nestother"
wit nestapi ip saddr 10.77.0.2 ip daddr $API4 udp dport 7009 || bail "witness nestapi"
atk_nestother() { nest_up; probe "$NEST" udp $OTHER4 7008 --timeout 1; nest_down; }
atk_nestapi() { nest_up; probe "$NEST" udp $API4 7009 --timeout 1; nest_down; }

# 7. a macvlan on the uplink, moved into a namespace of its own
wit macv ip saddr 192.0.2.50 udp dport 7010 || bail "witness macv"
atk_macv() {
	local mv
	mv=macv-$$
	ip netns add "$mv" && _netns+=("$mv")
	ip -n "$AGENT" link add mv0 link veth0 type macvlan mode bridge &&
		ip -n "$AGENT" link set mv0 netns "$mv" &&
		ip -n "$mv" addr add 192.0.2.50/24 dev mv0 &&
		ip -n "$mv" link set mv0 up &&
		probe "$mv" udp $API4 7010 --timeout 1
	ip netns del "$mv"
}

# 8. AF_XDP: transmits past every netfilter hook of the namespace
XDPSEND=$TMPD/xdpsend
if cc -O2 -Wall -o "$XDPSEND" "$LIB_DIR/xdpsend.c" 2>"$TMPD/xdpsend.cc"; then
	XDP=1
else
	XDP=0
	info "xdpsend.c does not build: $(head -n 3 "$TMPD/xdpsend.cc" | tr '\n' ' ')"
fi
wit xdp ip daddr $OTHER4 udp dport 7011 || bail "witness xdp"
atk_xdp() { ax "$XDPSEND" veth0 "$($PY hex "$NETMAC" "$AGENTMAC" $A4 $OTHER4 7011)"; }

# 9. an ifb device re-injects veth0's egress; ifb marks what it re-sends
# "skip tc classification", which used to skip the peer's ingress hooks
wit ifb ip daddr $OTHER4 udp dport 7012 || bail "witness ifb"
atk_ifb() {
	ax ip link add ifb0 type ifb && ax ip link set ifb0 up || return 0
	ax tc qdisc add dev veth0 clsact
	ax tc filter add dev veth0 egress protocol ip prio 1 u32 match ip dst $API4/32 \
		match ip dport 7012 0xffff action pedit ex munge ip dst set $OTHER4 pipe \
		action csum ip4h and udp pipe action mirred egress redirect dev ifb0
	probe "$AGENT" udp $API4 7012 --timeout 1
	ax tc qdisc del dev veth0 clsact
	ax ip link del ifb0
}

# 10. a VLAN-tagged frame (the policy allows its IP destination)
# No IPv6 and no ARP on it (permanent neighbours): its router solicitations
# and ARP probes, tagged, would be dropped too, in the middle of the checks
# of legitimate traffic.
ip -n "$AGENT" link add link veth0 name veth0.5 type vlan id 5 &&
	ip -n "$NET" link add link veth1 name veth1.5 type vlan id 5 &&
	ax sh -c 'echo 1 >/proc/sys/net/ipv6/conf/veth0.5/disable_ipv6' &&
	ip netns exec "$NET" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/veth1.5/disable_ipv6' &&
	addr "$AGENT" veth0.5 192.0.3.1/24 && addr "$NET" veth1.5 192.0.3.2/24 &&
	ip -n "$AGENT" neigh add 192.0.3.2 lladdr "$NETMAC" dev veth0.5 nud permanent &&
	ip -n "$NET" neigh add 192.0.3.1 lladdr "$AGENTMAC" dev veth1.5 nud permanent &&
	ip -n "$AGENT" link set veth0.5 up && ip -n "$NET" link set veth1.5 up ||
	bail "VLAN 5 devices"
wit vlan ip daddr 192.0.3.2 udp dport 7013 || bail "witness vlan"
atk_vlan() { probe "$AGENT" udp 192.0.3.2 7013 --timeout 1; }

# ------------------------------------------------------------------ no policy
for a in nft4 nft6 dns tc seg6 tapdst tapsrc pktsrc rawsrc nestother nestapi macv \
	ifb vlan; do
	unpoliced $a $a
done
if [ $XDP = 1 ]; then
	unpoliced xdp xdp
	info "AF_XDP without a policy: $(last_output | head -n 2 | tr '\n' ' ')"
fi

# ------------------------------------------------------------------ the policy
API_ONLY="default reject
dns filter off
allow dns $API4
allow cidr $API4 tcp port 80
allow cidr $API6 tcp port 80
allow cidr $API4 udp port 7000-7020
allow cidr $API6 udp port 7000-7020
allow cidr 192.0.3.2/32 udp port 7013"
P=$(policy api <<<"$API_ONLY")
check_rc "apply the api-only policy" 0 apply "$AGENT" "$P"
check "apply prints no no-peer warning for a namespace with a veth peer" \
	sh -c "! grep -q 'no host-side veth peer' '$_last_out'"
list_guards() {
	local ino
	ino=$(stat -L -c %i "/run/netns/$1")
	"$CTL" list --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["netns"]["inode"] == int(sys.argv[1]):
        print(e.get("guards", "missing")); break
else:
    print("not listed")' "$ino"
}
guards_are() { local g; g=$(list_guards "$1"); echo "guards: $g (want $2)"; [ "$g" = "$2" ]; }
# veth0 (peer veth1 in net) is the uplink
check "list --json: the agent has 1 guarded uplink" guards_are "$AGENT" 1
check "list (text) has a GUARDS column" sh -c "'$CTL' list | head -n1 | grep -qw GUARDS"
check "stats --json reports the guard count" sh -c "'$CTL' stats --netns-name '$AGENT' --json | grep -q '\"guards\":1'"

bg "$CTL" monitor --netns-name "$AGENT" --json >"$MON" 2>&1
sleep 0.5

# ------------------------------------------------------------------ legitimate traffic
g0=$(stat_num "$AGENT" '^guard_dropped$')
check "policed: TCP to the api address (v4) passes the guard" tcp_ok "$AGENT" $API4 80
check "policed: TCP to the api address (v6, after ND) passes the guard" tcp_ok "$AGENT" $API6 80
check "policed: UDP to the pinned resolver (port 53) passes the guard" udp_ok "$AGENT" $API4 53
check "policed: disallowed TCP is still refused at LOCAL_OUT" tcp_refused_fast "$AGENT" $OTHER4 80
serve "$AGENT" --tcp 8080 --udp 8081
check "policed: an inbound TCP connection (v4) and its replies" tcp_ok "$NET" $A4 8080
check "policed: an inbound TCP connection (v6) and its replies" tcp_ok "$NET" $A6 8080
check "policed: inbound UDP and its reply" udp_ok "$NET" $A4 8081
check "policed: the ICMP port unreachable for inbound UDP reaches the sender" \
	ip netns exec "$NET" $PY udpreset $A4 9
check "policed: an inbound ping is answered" probe "$NET" icmp $A4 --raw
check "policed: an inbound ping (v6) is answered" probe "$NET" icmp $A6 --raw
g1=$(stat_num "$AGENT" '^guard_dropped$')
if [ "${g1:-x}" = "${g0:-y}" ]; then ok "policed: the guard dropped none of it (guard_dropped $g1)"
else nok "policed: the guard dropped none of it" "guard_dropped $g0 -> $g1: $(grep guard- "$MON" | tr '\n' ' ')"; fi

# ------------------------------------------------------------------ attacks, policed
policed nft4 nft4 guard-destination $OTHER4 7001
policed nft6 nft6 guard-destination $OTHER6 7001
policed dns dns guard-destination $OTHER4 53
policed tc tc guard-destination $OTHER4 7002
policed seg6 seg6 guard-destination $OTHER6
policed tapdst tapdst guard-destination $OTHER4 7004
policed tapsrc tapsrc guard-source $API4 7005
check "policed: after the bridge is gone, TCP to the api works again" tcp_ok "$AGENT" $API4 80
policed nestother nestother default $OTHER4 7008
policed nestapi nestapi guard-source $API4 7009
policed macv macv guard-source $API4 7010
check_fail "policed: an ifb device cannot be created in the namespace" \
	ax ip link add ifb0 type ifb
check "policed: so the ifb redirect gets nothing past the guard" stays_away ifb atk_ifb
ip link add ifb9 type ifb || bail "ifb9 in the initial namespace"
check "an ifb device moved into the policed namespace arrives (down)" \
	ip link set ifb9 netns "$AGENT"
check_fail "... and may not come up there" ax ip link set ifb9 up
ax ip link del ifb9 2>/dev/null
policed vlan vlan guard-destination 192.0.3.2 7013
if [ $XDP = 1 ]; then
	policed xdp xdp guard-destination $OTHER4 7011
else
	skip "AF_XDP: the guard drops what an AF_XDP socket sends" "xdpsend.c did not build in the guest"
fi

# forged sources with "allow raw"
P=$(policy raw <<<"$API_ONLY
allow raw")
check_rc "apply the api-only policy with 'allow raw'" 0 apply "$AGENT" "$P"
policed pktsrc pktsrc guard-source $API4 7006
policed rawsrc rawsrc guard-source $API4 7007

# ------------------------------------------------------------------ audit
P=$(policy audit <<<"mode audit
$API_ONLY")
check_rc "apply the api-only policy in audit mode" 0 apply "$AGENT" "$P"
a0=$(stat_num "$AGENT" '^audited$')
check "audit: the rewritten packet arrives" arrives nft4 atk_nft4
a1=$(stat_num "$AGENT" '^audited$')
if [ "${a1:-0}" -gt "${a0:-0}" ] 2>/dev/null; then ok "audit: audited counts it ($a0 -> $a1)"
else nok "audit: audited counts it" "$a0 -> $a1"; fi
P=$(policy api2 <<<"$API_ONLY")
check_rc "back to enforce" 0 apply "$AGENT" "$P"

# ------------------------------------------------------------------ devices that come and go
check "a veth pair created after apply gets a guard" \
	sh -c "ip link add veth4 netns '$AGENT' type veth peer name veth5 netns '$NET' &&
	       ip -n '$AGENT' link set veth4 up && ip -n '$NET' link set veth5 up"
check "list: 2 guarded uplinks" guards_are "$AGENT" 2
check "deleting the host-side peer removes its guard" ip -n "$NET" link del veth5
check "list: 1 guarded uplink" guards_are "$AGENT" 1

# an uplink moved out into a namespace of the agent's keeps its guard
ns_create FREE2 free2
ip link add veth6 netns "$AGENT" type veth peer name veth7 netns "$NET" &&
	ip -n "$AGENT" link set veth6 up && ip -n "$NET" link set veth7 up &&
	addr "$NET" veth7 198.18.0.2/24 || bail "veth6/veth7"
check "list: 2 guarded uplinks with veth6" guards_are "$AGENT" 2
check "veth6 moved from the agent into another namespace" \
	sh -c "ip -n '$AGENT' link set veth6 netns '$FREE2' && ip -n '$FREE2' addr add 198.18.0.1/24 dev veth6 &&
	       ip -n '$FREE2' link set veth6 up"
wit moved ip saddr 198.18.0.1 udp dport 7014 || bail "witness moved"
atk_moved() { probe "$FREE2" udp 198.18.0.2 7014 --timeout 1; }
policed moved moved guard-source 198.18.0.2 7014
check "list: the moved uplink's guard is still counted" guards_are "$AGENT" 2
check "deleting the moved uplink removes its guard" ip -n "$FREE2" link del veth6
check "list: 1 guarded uplink again" guards_are "$AGENT" 1

# ------------------------------------------------------------------ no veth peer
ns_create BARE bare
ip -n "$BARE" link add d0 type dummy && addr "$BARE" d0 10.66.0.1/24 &&
	ip -n "$BARE" link set d0 up || bail "dummy device"
P=$(policy bare <<<"default reject
allow cidr 10.66.0.0/24")
check_rc "apply to a namespace with only a dummy device" 0 apply "$BARE" "$P"
check "... warns that no host-side veth peer can be guarded" \
	grep -q "no host-side veth peer (macvlan, ipvlan or host network)" "$_last_out"
check "list --json: 0 guards for it" guards_are "$BARE" 0
check "list (text): its GUARDS column says 0" \
	sh -c "'$CTL' list | awk -v i=\$(stat -L -c %i /run/netns/'$BARE') '\$1 == i { print \$6 }' | grep -qx 0"

# ------------------------------------------------------------------ clear, exit
check_rc "clear the agent's policy" 0 ctl clear --netns-name "$AGENT"
check "after clear: the rewritten packet arrives again" arrives nft4 atk_nft4
P=$(policy api3 <<<"$API_ONLY")
ax ip link add ifb2 type ifb && ax ip link set ifb2 up || bail "ifb2 up in the agent"
check_fail "apply refuses a namespace with an ifb device up" apply "$AGENT" "$P"
check "... and says why" grep -q "ifb device up: what it re-injects skips the host-side guard" "$_last_out"
ax ip link del ifb2
check_rc "re-apply" 0 apply "$AGENT" "$P"
check "list: 1 guarded uplink after re-apply" guards_are "$AGENT" 1
ns_create GONE gone
veth_pair "$GONE" gveth0 "$NET" gveth1 || bail "gone veth pair"
check_rc "apply to a namespace that is then deleted" 0 apply "$GONE" "$P"
check "deleting a policed namespace with a guarded peer" ns_delete "$GONE"
ns_create FAR far
check "a pair from the agent to another namespace, made by the host" \
	sh -c "ip link add hveth0 netns '$AGENT' type veth peer name hveth1 netns '$FAR' &&
	       ip -n '$AGENT' link set hveth0 up && ip -n '$FAR' link set hveth1 up"
check "list: 2 guarded uplinks with hveth0" guards_are "$AGENT" 2
check "deleting the namespace at the far end of a guarded pair" ns_delete "$FAR"
check "list: the agent keeps 1 guarded uplink" guards_are "$AGENT" 1

for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
_pids=()
