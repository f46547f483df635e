#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet sockets (DESIGN.md section 2): frames from AF_PACKET sockets
# (SOCK_RAW, SOCK_DGRAM, PACKET_QDISC_BYPASS) are dropped at NF_NETDEV_EGRESS
# on every device of a policed namespace, unless the policy says "allow raw".
# A receiver (AF_PACKET, in the peer namespace) looks for each frame's tag.
#
#   agent netns (policed)                 net netns (receivers, tcp 80 server)
#     veth0 192.0.2.1/24   <---------->  veth1 192.0.2.2/24
#     veth4 (created after apply) <--->  veth5
#     veth6 (moved in after apply) <->   veth7
#     lo    (packet socket to itself)
#
#   free netns (never policed)
#     fveth0 10.99.0.1/24  <---------->  fveth1 10.99.0.2/24 (in net)
#
# Each frame is Ethernet + IPv4 + UDP to the peer's MAC and IP, port 9999,
# with a unique payload tag.  The policies allow that destination: the
# host-side guard on the peers (test_guard.sh) judges what the frames claim,
# so here only the packet-socket hook decides.
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80

PKT=$TMPD/pkt.py
cat >"$PKT" <<'PYEOF'
# pkt.py send IFACE DSTMAC SRCIP DSTIP TAG raw|dgram|bypass
# pkt.py recv IFACE TAG GRACE READYFILE DONEFILE
import os, socket, struct, sys, time

ETH_P_IP, ETH_P_ALL = 0x0800, 0x0003
SOL_PACKET, PACKET_QDISC_BYPASS = 263, 20

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

def ip_udp(src, dst, payload):
    udp = struct.pack("!HHHH", 40000, 9999, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))

def send(iface, dstmac, src, dst, tag, kind="raw"):
    pkt = ip_udp(src, dst, tag.encode())
    if kind == "dgram":
        s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        dest = (iface, ETH_P_IP, 0, 0, mac(dstmac))
        frame = pkt
    else:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        if kind == "bypass":
            s.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
        src_mac = open("/sys/class/net/%s/address" % iface).read().strip()
        frame = mac(dstmac) + mac(src_mac) + struct.pack("!H", ETH_P_IP) + pkt
        dest = (iface, ETH_P_IP)
    errs = []
    for _ in range(3):
        try:
            s.sendto(frame, dest)
        except OSError as e:
            errs.append(e.strerror)
        time.sleep(0.05)
    print("sent %s on %s: %s" % (kind, iface, "errors " + ",".join(errs) if errs else "no error"))

def recv(iface, tag, grace, ready, done):
    # wait until the sender says it sent (DONE exists), then GRACE seconds
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    t = tag.encode()
    hard_end = time.time() + 300
    end = None
    while True:
        now = time.time()
        if end is None and os.path.exists(done):
            end = now + float(grace)
        if (end is not None and now >= end) or now >= hard_end:
            # a late wake-up must not miss a frame already queued
            s.setblocking(False)
            try:
                while True:
                    if t in s.recv(65535):
                        print("got frame tagged %s on %s" % (tag, iface))
                        sys.exit(0)
            except BlockingIOError:
                pass
            print("no frame tagged %s on %s" % (tag, iface))
            sys.exit(1)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if t in data:
            print("got frame tagged %s on %s" % (tag, iface))
            sys.exit(0)

if sys.argv[1] == "send":
    send(*sys.argv[2:])
else:
    recv(*sys.argv[2:])
PYEOF

PY="python3 -I -S $PKT"
# nsx NS CMD...: run CMD in netns NS ("host": the initial one)
nsx() {
	local n=$1; shift
	if [ "$n" = host ]; then "$@"; else ip netns exec "$n" "$@"; fi
}
mac_of() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/[a-z]* \([0-9a-f:]*\).*/\1/p'; }

# frame_arrives SNDNS SNDDEV RCVNS RCVDEV SRCIP DSTIP KIND [GRACE]:
# the receiver in RCVNS on RCVDEV sees the tagged frame sent from SNDNS
# (succeeds when it arrives; prints both sides).  The receiver gives up GRACE
# seconds after the sender has finished, so a slow start under emulation can
# not make a frame look dropped.
_tagn=0
frame_arrives() {
	local sns=$1 sdev=$2 rns=$3 rdev=$4 src=$5 dst=$6 kind=$7 t=${8:-2}
	local tag ready done pid rc=0 dmac
	_tagn=$((_tagn + 1)); tag=egk$$x$_tagn
	ready=$TMPD/ready.$_tagn done=$TMPD/done.$_tagn
	dmac=$(mac_of "$rns" "$rdev")
	ip netns exec "$rns" $PY recv "$rdev" "$tag" "$t" "$ready" "$done" &
	pid=$!
	wait_for 90 test -e "$ready" || { kill $pid 2>/dev/null; echo "receiver did not start"; return 2; }
	nsx "$sns" $PY send "$sdev" "$dmac" "$src" "$dst" "$tag" "$kind"
	touch "$done"
	wait $pid || rc=$?
	return $rc
}
# frame_dropped ...: same arguments, succeeds when the frame never arrives
frame_dropped() {
	local rc=0
	frame_arrives "$@" 1.5 || rc=$?
	[ $rc -eq 1 ]
}

modprobe veth 2>/dev/null
ns_create FREE free
veth_pair "$FREE" fveth0 "$NET" fveth1 || bail "free veth pair"
addr "$FREE" fveth0 10.99.0.1/24 || bail "free address"
addr "$NET" fveth1 10.99.0.2/24 || bail "free peer address"

# ------------------------------------------------------------ no policy
check "no policy: SOCK_RAW frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw
check "no policy: SOCK_DGRAM frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 dgram
check "no policy: QDISC_BYPASS frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 bypass
check "no policy: frame on lo seen on lo" \
	frame_arrives "$AGENT" lo "$AGENT" lo 127.0.0.1 127.0.0.1 raw

# ------------------------------------------------------------ enforce
P=$(policy enforce <<EOF
default reject
allow cidr $API4 tcp port 80
allow cidr $API4 udp port 9999
EOF
)
check_rc "apply (no 'allow raw') exits 0" 0 apply "$AGENT" "$P"

MON=$TMPD/monitor.out
bg "$CTL" monitor --netns-name "$AGENT" >"$MON" 2>&1
sleep 0.5
r0=$(stat_num "$AGENT" 'raw')
check "policed: SOCK_RAW frame dropped" \
	frame_dropped "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw
check "policed: the sender's sendto fails (ENOBUFS)" grep -q "errors" "$_last_out"
r1=$(stat_num "$AGENT" 'raw')
info "raw_rejected $r0 -> $r1"
if [ "${r1:-0}" -gt "${r0:-0}" ] 2>/dev/null; then ok "raw_rejected counts dropped frames ($r0 -> $r1)"
else nok "raw_rejected counts dropped frames" "$r0 -> $r1"; fi
check "policed: SOCK_DGRAM frame dropped" \
	frame_dropped "$AGENT" veth0 "$NET" veth1 $A4 $API4 dgram
check "policed: PACKET_QDISC_BYPASS frame dropped" \
	frame_dropped "$AGENT" veth0 "$NET" veth1 $A4 $API4 bypass
check "policed: packet socket on lo dropped too" \
	frame_dropped "$AGENT" lo "$AGENT" lo 127.0.0.1 127.0.0.1 raw
check "policed: allowed TCP over the same device still works" tcp_ok "$AGENT" $API4 80
check "policed: disallowed TCP still refused" tcp_refused_fast "$AGENT" $OTHER4 80
check "inbound frames into the policed netns still arrive" \
	frame_arrives "$NET" veth1 "$AGENT" veth0 $API4 $A4 raw
check "unpoliced netns: SOCK_RAW frame arrives" \
	frame_arrives "$FREE" fveth0 "$NET" fveth1 10.99.0.1 10.99.0.2 raw
check "unpoliced netns: QDISC_BYPASS frame arrives" \
	frame_arrives "$FREE" fveth0 "$NET" fveth1 10.99.0.1 10.99.0.2 bypass
sleep 0.5
check "monitor reports a raw-socket event" grep -q "raw-socket" "$MON"

# devices that appear after apply
check "veth created in the policed netns after apply" \
	veth_pair "$AGENT" veth4 "$NET" veth5
check "new veth: SOCK_RAW frame dropped" \
	frame_dropped "$AGENT" veth4 "$NET" veth5 $A4 $API4 raw
ip link add veth6 type veth peer name veth7 netns "$NET" &&
	ip -n "$NET" link set veth7 up || bail "veth6/veth7"
check "veth moved into the policed netns after apply" \
	sh -c "ip link set veth6 netns '$AGENT' && ip -n '$AGENT' link set veth6 up"
check "moved-in veth: SOCK_RAW frame dropped" \
	frame_dropped "$AGENT" veth6 "$NET" veth7 $A4 $API4 raw
check "moved-in veth: QDISC_BYPASS frame dropped" \
	frame_dropped "$AGENT" veth6 "$NET" veth7 $A4 $API4 bypass
check "veth moved back out of the policed netns" \
	sh -c "ip -n '$AGENT' link set veth6 netns 1 && ip link set veth6 up"
check "moved-out veth: frame from the host arrives" \
	frame_arrives host veth6 "$NET" veth7 $A4 $API4 raw
ip link del veth6 2>/dev/null
check "veth deleted inside the policed netns" ip -n "$AGENT" link del veth4

# ------------------------------------------------------------ audit
P=$(policy audit <<EOF
mode audit
allow cidr $API4 tcp port 80
allow cidr $API4 udp port 9999
EOF
)
check_rc "apply 'mode audit'" 0 apply "$AGENT" "$P"
a0=$(stat_num "$AGENT" 'audited')
check "audit: SOCK_RAW frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw
a1=$(stat_num "$AGENT" 'audited')
if [ "${a1:-0}" -gt "${a0:-0}" ] 2>/dev/null; then ok "audit: audited counts the frames ($a0 -> $a1)"
else nok "audit: audited counts the frames" "$a0 -> $a1"; fi

# ------------------------------------------------------------ allow raw
P=$(policy raw <<EOF
default reject
allow raw
allow cidr $API4 tcp port 80
allow cidr $API4 udp port 9999
EOF
)
check_rc "apply with 'allow raw'" 0 apply "$AGENT" "$P"
r0=$(stat_num "$AGENT" 'raw')
check "allow raw: SOCK_RAW frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw
check "allow raw: SOCK_DGRAM frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 dgram
check "allow raw: QDISC_BYPASS frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 bypass
r1=$(stat_num "$AGENT" 'raw')
if [ "${r1:-0}" -eq "${r0:-0}" ] 2>/dev/null; then ok "allow raw: raw_rejected unchanged ($r1)"
else nok "allow raw: raw_rejected unchanged" "$r0 -> $r1"; fi
check "allow raw: TCP still policed" tcp_refused_fast "$AGENT" $OTHER4 80

# back to enforce, then clear
P=$(policy enforce2 <<EOF
default reject
allow cidr $API4 tcp port 80
allow cidr $API4 udp port 9999
EOF
)
check_rc "re-apply without 'allow raw'" 0 apply "$AGENT" "$P"
check "re-applied: SOCK_RAW frame dropped again" \
	frame_dropped "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw

# ------------------------------------------------------------ clear
check_rc "clear exits 0" 0 ctl clear --netns-name "$AGENT"
check "after clear: SOCK_RAW frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 raw
check "after clear: QDISC_BYPASS frame arrives" \
	frame_arrives "$AGENT" veth0 "$NET" veth1 $A4 $API4 bypass
check "after clear: frame on lo seen on lo" \
	frame_arrives "$AGENT" lo "$AGENT" lo 127.0.0.1 127.0.0.1 raw

# a policed netns deleted with devices hooked frees them (no leak, no WARN)
ns_create GONE gone
veth_pair "$GONE" gveth0 "$NET" gveth1 || bail "gone veth pair"
check_rc "apply to a netns that is then deleted" 0 apply "$GONE" "$P"
check "deleting a policed netns with hooked devices" ns_delete "$GONE"

for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
_pids=()
check "module unloads after clear" wait_for 10 rmmod egressk
