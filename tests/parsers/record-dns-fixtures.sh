#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Record real DNS queries and responses for the DNS parser tests.
#
# dnsmasq serves a small test zone (egressk.test) on 127.0.0.1 on an
# ephemeral high port, with no upstream.  Each client's query goes through a
# one-shot python3 proxy that forwards it to dnsmasq and writes both
# directions as they were on the wire:
#
#   fixtures/dns/<fixture>.query.bin      the query (UDP payload, or the TCP
#   fixtures/dns/<fixture>.response.bin   bytes with their 2-byte length prefix)
#   fixtures/dns/<fixture>.expect         what the test must find (below)
#
# The .expect file is written from this script's zone definition, never from
# the parser or from dig's output:
#   proto udp|tcp
#   qname NAME | -          (-: not a name egressk_name_valid accepts)
#   qtype N
#   rcode N
#   addr A|AAAA ADDRESS TTL (zero or more; dnsmasq rotates RRsets, so any order)
#
# Usage: [FIXTURE_DIR=dir] tests/parsers/record-dns-fixtures.sh
# Needs: dnsmasq (Debian dnsmasq-base), dig (dnsutils), python3.  Only
# loopback is used.

set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=${FIXTURE_DIR:-$HERE/fixtures}/dns
TMP=$(mktemp -d)
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$FIX"
for tool in dnsmasq dig python3; do
	PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null || {
		echo "record-dns: $tool missing (apt-get install dnsmasq-base dnsutils python3)" >&2
		exit 1
	}
done
DNSMASQ=$(PATH=$PATH:/usr/sbin command -v dnsmasq)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cat > "$TMP/proxy.py" <<'PY'
# proxy.py PROTO LISTEN_PORT UPSTREAM_PORT OUT_PREFIX READY_FILE
# Forward one DNS exchange to dnsmasq and save both directions.
import os, socket, sys
proto, lport, uport, out, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]

def recv_tcp_msg(s):
    data = b""
    while len(data) < 2 or len(data) < 2 + int.from_bytes(data[:2], "big"):
        chunk = s.recv(65537)
        if not chunk:
            break
        data += chunk
    return data

if proto == "udp":
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", lport))
    open(ready, "w").close()
    srv.settimeout(20)
    query, client = srv.recvfrom(65535)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    up.sendto(query, ("127.0.0.1", uport))
    resp, _ = up.recvfrom(65535)
    srv.sendto(resp, client)
else:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", lport))
    srv.listen(1)
    open(ready, "w").close()
    srv.settimeout(20)
    conn, _ = srv.accept()
    conn.settimeout(5)
    query = recv_tcp_msg(conn)
    up = socket.create_connection(("127.0.0.1", uport), timeout=5)
    up.sendall(query)
    resp = recv_tcp_msg(up)
    conn.sendall(resp)
    conn.close()
with open(out + ".query.bin", "wb") as f:
    f.write(query)
with open(out + ".response.bin", "wb") as f:
    f.write(resp)
PY

# A stub query built by hand, the way a minimal resolver library does:
# one question, RD set, no EDNS, mixed case (DNS 0x20) in the name.
cat > "$TMP/pyquery.py" <<'PY'
import socket, struct, sys
port, name, qtype = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("127.0.0.1", port))
s.recvfrom(65535)
PY

TTL=300
DPORT=$(free_port)
"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--no-poll --listen-address=127.0.0.1 --bind-interfaces --port="$DPORT" \
	--user="$(id -un)" --pid-file="$TMP/dnsmasq.pid" --log-facility=- --log-queries \
	--local=/egressk.test/ --local-ttl=$TTL \
	--host-record=www.egressk.test,192.0.2.10,2001:db8::10 \
	--host-record=multi.egressk.test,192.0.2.21 \
	--host-record=multi.egressk.test,192.0.2.22 \
	--host-record=multi.egressk.test,192.0.2.23 \
	--address=/wild.egressk.test/192.0.2.30 \
	--cname=alias.egressk.test,www.egressk.test \
	--cname=chain.egressk.test,alias.egressk.test \
	--srv-host=_http._tcp.egressk.test,www.egressk.test,80 \
	--txt-record=txt.egressk.test,"egressk fixture" \
	>"$TMP/dnsmasq.log" 2>&1 &
DPID=$!
for _ in $(seq 50); do
	dig +tries=1 +time=1 -p "$DPORT" @127.0.0.1 www.egressk.test >/dev/null 2>&1 && break
	sleep 0.1
done

# record FIXTURE PROTO QNAME(expected, or -) QTYPE RCODE "ADDR..." CLIENT ARGS...
# @PORT@ in ARGS is replaced by the proxy's port.
record() {
	local fx=$1 proto=$2 qname=$3 qtype=$4 rcode=$5 addrs=$6 a args=()
	shift 6
	local port
	port=$(free_port)
	rm -f "$TMP/ready"
	python3 "$TMP/proxy.py" "$proto" "$port" "$DPORT" "$TMP/$fx" "$TMP/ready" &
	local ppid=$!
	for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	for a in "$@"; do args+=("${a//@PORT@/$port}"); done
	"${args[@]}" >"$TMP/$fx.client.log" 2>&1 || true
	if ! wait "$ppid" || [ ! -s "$TMP/$fx.response.bin" ]; then
		echo "record-dns: $fx: no exchange captured" >&2
		cat "$TMP/$fx.client.log" >&2
		exit 1
	fi
	mv "$TMP/$fx.query.bin" "$TMP/$fx.response.bin" "$FIX/"
	{
		echo "proto $proto"
		echo "qname $qname"
		echo "qtype $qtype"
		echo "rcode $rcode"
		for a in $addrs; do echo "addr ${a//,/ }"; done
	} >"$FIX/$fx.expect"
	echo "record-dns: $fx: query $(stat -c %s "$FIX/$fx.query.bin") bytes, response $(stat -c %s "$FIX/$fx.response.bin") bytes"
}

DIG=(dig +tries=1 +retry=0 +time=3 -p @PORT@ @127.0.0.1)
WWW4="A,192.0.2.10,$TTL"
WWW6="AAAA,2001:db8::10,$TTL"

record dig-a udp www.egressk.test 1 0 "$WWW4" "${DIG[@]}" www.egressk.test A
record dig-noedns-a udp www.egressk.test 1 0 "$WWW4" "${DIG[@]}" +noedns www.egressk.test A
record dig-cookie-aaaa udp www.egressk.test 28 0 "$WWW6" "${DIG[@]}" +cookie www.egressk.test AAAA
record dig-upper udp www.egressk.test 1 0 "$WWW4" "${DIG[@]}" WWW.Egressk.TEST A
record dig-cname udp alias.egressk.test 1 0 "$WWW4" "${DIG[@]}" alias.egressk.test A
record dig-cname-chain udp chain.egressk.test 28 0 "$WWW6" "${DIG[@]}" chain.egressk.test AAAA
record dig-multi udp multi.egressk.test 1 0 \
	"A,192.0.2.21,$TTL A,192.0.2.22,$TTL A,192.0.2.23,$TTL" "${DIG[@]}" multi.egressk.test A
record dig-wild udp deep.sub.wild.egressk.test 1 0 "A,192.0.2.30,$TTL" \
	"${DIG[@]}" deep.sub.wild.egressk.test A
record dig-nxdomain udp nothere.egressk.test 1 3 "" "${DIG[@]}" nothere.egressk.test A
record dig-srv udp _http._tcp.egressk.test 33 0 "" "${DIG[@]}" _http._tcp.egressk.test SRV
record dig-txt udp txt.egressk.test 16 0 "" "${DIG[@]}" txt.egressk.test TXT
record dig-root udp - 2 5 "" "${DIG[@]}" . NS
record dig-tcp-cname tcp chain.egressk.test 1 0 "$WWW4" "${DIG[@]}" +tcp chain.egressk.test A
record dig-tcp-multi tcp multi.egressk.test 1 0 \
	"A,192.0.2.21,$TTL A,192.0.2.22,$TTL A,192.0.2.23,$TTL" "${DIG[@]}" +tcp multi.egressk.test A
record python-0x20 udp www.egressk.test 1 0 "$WWW4" python3 "$TMP/pyquery.py" @PORT@ wWw.EgReSsK.tEsT 1
echo "record-dns: dnsmasq $("$DNSMASQ" --version | head -1 | awk '{print $3}'), $(dig -v 2>&1)"
