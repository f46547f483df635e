#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Record the first bytes real clients send, for the parser tests.
#
# For every client a one-shot listener on 127.0.0.1 (python3, below) accepts one
# connection, reads what the client sends until it goes quiet (the client is then
# waiting for a ServerHello or a response that never comes), writes those bytes to
# fixtures/<client>.bin and closes.  The name the client was told to use goes to
# fixtures/<client>.sni (TLS) or fixtures/<client>.host (HTTP); an empty sidecar means
# "the client was told not to send a name".  The tests compare the parser's answer with
# the sidecar, so the expected value comes from this recording, not from the parser.
#
# Only loopback is used.  A client that is not installed is recorded as
# fixtures/<client>.missing with the reason; the test prints a SKIP for it.
#
# Usage: [FIXTURE_DIR=dir] tests/parsers/record-fixtures.sh [CLIENT...]
#   clients: curl openssl openssl-tls12 openssl-nosni python node go chromium
#            curl-http python-http chromium-http
# Needs: python3 curl openssl nodejs golang-go chromium (Debian packages)

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=${FIXTURE_DIR:-$HERE/fixtures}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$FIX"

cat > "$TMP/listen.py" <<'PY'
import socket, sys, time
out, portfile = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.settimeout(60)
conn, _ = srv.accept()
data = b""
conn.settimeout(1.0)
deadline = time.time() + 10
while len(data) < 65536 and time.time() < deadline:
    try:
        chunk = conn.recv(65536)
    except socket.timeout:
        if data:
            break
        continue
    if not chunk:
        break
    data += chunk
conn.close()
srv.close()
with open(out, "wb") as f:
    f.write(data)
PY

# start_listener OUTFILE -> sets PORT and LPID
start_listener() {
	rm -f "$TMP/port"
	python3 "$TMP/listen.py" "$1" "$TMP/port" &
	LPID=$!
	for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	PORT=$(cat "$TMP/port")
}

missing() {	# CLIENT REASON
	echo "$2" > "$FIX/$1.missing"
	rm -f "$FIX/$1.bin" "$FIX/$1.sni" "$FIX/$1.host"
	echo "record: $1: SKIPPED: $2" >&2
}

# record CLIENT KIND(sni|host) NAME COMMAND... ; @PORT@ in the command is replaced
record() {
	local client=$1 kind=$2 name=$3; shift 3
	local out=$TMP/$client.bin args=() a
	start_listener "$out"
	for a in "$@"; do args+=("${a//@PORT@/$PORT}"); done
	timeout 30 "${args[@]}" </dev/null >"$TMP/$client.log" 2>&1 &
	local cpid=$!
	wait "$LPID"
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
	if [ ! -s "$out" ]; then
		missing "$client" "client sent nothing (see: ${args[*]})"
		return
	fi
	cp "$out" "$FIX/$client.bin"
	printf '%s\n' "$name" > "$FIX/$client.$kind"
	rm -f "$FIX/$client.missing"
	echo "record: $client: $(stat -c %s "$FIX/$client.bin") bytes, $kind '$name'"
}

have() { command -v "$1" >/dev/null 2>&1; }

rec_curl() {
	have curl || { missing curl "curl not installed (apt-get install curl)"; return; }
	local n=curl.fixture.egressk.test
	record curl sni $n curl -sk --max-time 8 --resolve "$n:@PORT@:127.0.0.1" "https://$n:@PORT@/"
}
rec_openssl() {
	have openssl || { missing openssl "openssl not installed"; return; }
	record openssl sni openssl.fixture.egressk.test \
		openssl s_client -connect 127.0.0.1:@PORT@ -servername openssl.fixture.egressk.test
}
rec_openssl_tls12() {
	have openssl || { missing openssl-tls12 "openssl not installed"; return; }
	record openssl-tls12 sni tls12.openssl.fixture.egressk.test \
		openssl s_client -tls1_2 -connect 127.0.0.1:@PORT@ -servername tls12.openssl.fixture.egressk.test
}
rec_openssl_nosni() {
	have openssl || { missing openssl-nosni "openssl not installed"; return; }
	record openssl-nosni sni "" openssl s_client -connect 127.0.0.1:@PORT@ -noservername
}
rec_python() {
	cat > "$TMP/client.py" <<'PY'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
try:
    ctx.wrap_socket(s, server_hostname=sys.argv[2])
except Exception:
    pass
PY
	record python sni python.fixture.egressk.test python3 "$TMP/client.py" @PORT@ python.fixture.egressk.test
}
rec_node() {
	have node || { missing node "nodejs not installed (apt-get install nodejs)"; return; }
	cat > "$TMP/client.js" <<'JS'
const tls = require('tls');
const s = tls.connect({host: '127.0.0.1', port: +process.argv[2], servername: process.argv[3],
                       rejectUnauthorized: false});
s.on('error', () => process.exit(0));
s.on('close', () => process.exit(0));
JS
	record node sni node.fixture.egressk.test node "$TMP/client.js" @PORT@ node.fixture.egressk.test
}
rec_go() {
	have go || { missing go "golang-go not installed (apt-get install golang-go)"; return; }
	mkdir -p "$TMP/goc"
	cat > "$TMP/goc/main.go" <<'GO'
package main

import (
	"crypto/tls"
	"os"
)

func main() {
	c, err := tls.Dial("tcp", "127.0.0.1:"+os.Args[1], &tls.Config{ServerName: os.Args[2], InsecureSkipVerify: true})
	if err == nil {
		c.Close()
	}
}
GO
	if ! (cd "$TMP/goc" && GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off \
		go build -o client main.go) >"$TMP/gobuild.log" 2>&1; then
		missing go "go build failed: $(tail -1 "$TMP/gobuild.log")"; return
	fi
	record go sni go.fixture.egressk.test "$TMP/goc/client" @PORT@ go.fixture.egressk.test
}
chromium_cmd() {	# NAME URL -> CMD array
	CMD=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		"--user-data-dir=$TMP/chromium-profile-$RANDOM"
		"--host-resolver-rules=MAP $1 127.0.0.1" --dump-dom "$2")
}
rec_chromium() {
	have chromium || { missing chromium "chromium not installed (apt-get install chromium)"; return; }
	local n=chromium.fixture.egressk.test
	chromium_cmd $n "https://$n:@PORT@/"
	record chromium sni $n "${CMD[@]}"
}
rec_curl_http() {
	have curl || { missing curl-http "curl not installed"; return; }
	local n=curl-http.fixture.egressk.test
	record curl-http host $n curl -s --max-time 8 --resolve "$n:@PORT@:127.0.0.1" "http://$n:@PORT@/x?y=1"
}
rec_python_http() {
	cat > "$TMP/httpclient.py" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=8)
c.putrequest("GET", "/index.html", skip_host=True)
c.putheader("Host", sys.argv[2] + ":" + sys.argv[1])
c.putheader("User-Agent", "egressk-fixture")
c.endheaders()
try:
    c.getresponse()
except Exception:
    pass
PY
	record python-http host python-http.fixture.egressk.test python3 "$TMP/httpclient.py" @PORT@ python-http.fixture.egressk.test
}
rec_chromium_http() {
	have chromium || { missing chromium-http "chromium not installed (apt-get install chromium)"; return; }
	local n=chromium-http.fixture.egressk.test
	chromium_cmd $n "http://$n:@PORT@/"
	record chromium-http host $n "${CMD[@]}"
}

ALL="curl openssl openssl-tls12 openssl-nosni python node go chromium curl-http python-http chromium-http"
for c in ${@:-$ALL}; do
	"rec_${c//-/_}"
done
