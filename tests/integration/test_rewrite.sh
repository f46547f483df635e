#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Bytes that change after inspection (issue 9, class 4; DESIGN.md
# section 2, Trust): the bytes a domain verdict judged must be the bytes the
# server gets.
#
#  - sendfile(2) of a file the sender can write, and MSG_ZEROCOPY from a
#    buffer it owns: the held segment points at pages the sender rewrites
#    while egressk waits for the rest of the request.  egressk copies such
#    segments before it parses them.
#
#   agent netns (policed: www.allowed.test         net netns
#   on 80, domain-binding none)
#     veth0 192.0.2.1/24     <---------------->      veth1 192.0.2.3/24 ("other")
#           2001:db8::1/64                                 2001:db8::3/64
#     client: python (sendfile, MSG_ZEROCOPY)      recorder on :80: logs every
#                                                  byte of every connection
#
# The witness is the recorder's log: the forbidden name must never be in it.
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic

REC=$TMPD/recorder.py
LOG=$TMPD/recorder.log
cat >"$REC" <<'PYEOF'
# recorder.py PORT LOG READY: log everything each connection sends
import socket, sys, threading
port, logf, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
def handle(c, peer):
    c.settimeout(3)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        if data:
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    except OSError:
        pass
    with lock, open(logf, "a") as f:
        f.write("conn %s %r\n" % (peer[0], data))
    c.close()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", port))
s.listen(64)
open(ready, "w").close()
while True:
    c, peer = s.accept()
    threading.Thread(target=handle, args=(c, peer), daemon=True).start()
PYEOF
ip netns exec "$NET" python3 -I -S "$REC" 80 "$LOG" "$TMPD/rec.ready" >/dev/null 2>&1 &
_pids+=($!)
wait_for 15 test -e "$TMPD/rec.ready" || bail "recorder starts"
touch "$LOG"

CLI=$TMPD/client.py
cat >"$CLI" <<'PYEOF'
# client.py MODE ADDR: the request names www.allowed.test when judged;
# MODE says how the sender changes it to www.evilxxx.test afterwards.
import mmap, os, socket, sys, tempfile, time
mode, addr = sys.argv[1], sys.argv[2]
SO_ZEROCOPY, MSG_ZEROCOPY = 60, 0x4000000
pad = b"X-Pad: " + b"p" * 1200 + b"\r\n"
good = b"GET /" + mode.encode() + b" HTTP/1.1\r\nHost: www.allowed.test\r\n" + pad
evil = b"GET /" + mode.encode() + b" HTTP/1.1\r\nHost: www.evilxxx.test\r\n" + pad
assert len(good) == len(evil)
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(5)
s.connect((addr, 80))
if mode == "sendfile":
    f = tempfile.TemporaryFile()
    f.write(good)
    f.flush()
    os.sendfile(s.fileno(), f.fileno(), 0, len(good))
    time.sleep(0.05)
    os.pwrite(f.fileno(), evil, 0)	# the page cache page the skb points at
elif mode == "zerocopy":
    s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY, 1)
    m = mmap.mmap(-1, 4096)
    m[:len(good)] = good
    s.send(memoryview(m)[:len(good)], MSG_ZEROCOPY)
    time.sleep(0.05)
    m[:len(evil)] = evil		# the user page the skb points at
s.send(b"\r\n")
try:
    print("answer", s.recv(100)[:12])
except OSError as e:
    print("error", e.strerror or e)
PYEOF

POL=$(policy rewrite <<EOF
allow domain www.allowed.test port 80
domain-binding none
EOF
)

# rewrite MODE ADDR: run the client without and with the policy
rewrite() {
	local mode=$1 dst=$2 v
	: >"$LOG"
	ctl clear --netns-name "$AGENT" >/dev/null 2>&1
	ip netns exec "$AGENT" python3 -I -S "$CLI" "$mode" "$dst" >"$TMPD/cli.out" 2>&1
	wait_for 5 grep -q "/$mode" "$LOG" &&
		ok "$mode to $dst: without a policy the request reaches the recorder" ||
		nok "$mode to $dst: without a policy the request reaches the recorder" \
			"$(cat "$TMPD/cli.out")"
	apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
	: >"$LOG"
	ip netns exec "$AGENT" python3 -I -S "$CLI" "$mode" "$dst" >"$TMPD/cli.out" 2>&1
	wait_for 5 grep -q "/$mode" "$LOG"
	if grep -q "evilxxx" "$LOG"; then
		nok "$mode to $dst: the recorder never gets the name changed after the verdict" \
			"$(cut -c1-160 "$LOG")"
	elif grep -q "/$mode HTTP/1.1\\\\r\\\\nHost: www.allowed.test" "$LOG"; then
		ok "$mode to $dst: the recorder gets exactly the judged request"
	else
		nok "$mode to $dst: the recorder gets exactly the judged request" \
			"client: $(cat "$TMPD/cli.out"); log: $(cut -c1-160 "$LOG")"
	fi
}

rewrite sendfile $OTHER4
rewrite sendfile $OTHER6
rewrite zerocopy $OTHER4
rewrite zerocopy $OTHER6
