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

# A first segment reordered around egressk's hook: the namespace's own nft
# queues the flow's segments to userspace (NFQUEUE, CAP_NET_ADMIN), which
# lets the second segment (a complete request for the allowed name) go on
# at once and the first one (a request for another name) only later.
# Inspection starts at the initial sequence number + 1, so what egressk
# judges is what the server reads first.
NFQ=$TMPD/nfq.py
cat >"$NFQ" <<'PYEOF'
# nfq.py QUEUE MARK READY: accept every packet of the queue at once, except
# those carrying MARK, which are accepted 1.5 s after they came
import os, socket, struct, sys, time
qnum, mark, ready = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 3, 0, 1, 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)	# NETLINK_NETFILTER
s.bind((0, 0))
seq = 0
def attr(t, data):
    a = struct.pack("=HH", 4 + len(data), t) + data
    return a + b"\0" * ((4 - len(a) % 4) % 4)
def send(mtype, attrs, flags=NLM_F_REQUEST):
    global seq
    seq += 1
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(qnum)) + attrs
    s.send(struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | mtype,
                       flags, seq, 0) + body)
# bind the queue (NFQNL_CFG_CMD_BIND), copy whole packets
send(NFQNL_MSG_CONFIG, attr(1, struct.pack("!BxH", 1, 0)))
send(NFQNL_MSG_CONFIG, attr(2, struct.pack("!IB", 0xffff, 2)))
open(ready, "w").close()
held = []
def verdict(pid):
    send(NFQNL_MSG_VERDICT, attr(2, struct.pack("!II", 1, pid)))	# NF_ACCEPT
s.settimeout(0.1)
end = time.time() + 20
while time.time() < end:
    for t, pid in list(held):
        if time.time() >= t:
            verdict(pid)
            held.remove((t, pid))
            print("released the marked segment", flush=True)
    try:
        buf = s.recv(70000)
    except socket.timeout:
        continue
    off = 0
    while off + 16 <= len(buf):
        ln, mtype = struct.unpack_from("=IH", buf, off)
        if ln < 16:
            break
        if mtype == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            pid, payload, a = None, b"", off + 20
            while a + 4 <= off + ln:
                alen, atype = struct.unpack_from("=HH", buf, a)
                if alen < 4:
                    break
                data = buf[a + 4:a + alen]
                if atype & 0x7fff == 1:
                    pid = struct.unpack("!I", data[:4])[0]
                elif atype & 0x7fff == 10:
                    payload = data
                a += (alen + 3) & ~3
            if pid is not None:
                if mark in payload:
                    held.append((time.time() + 1.5, pid))
                    print("holding the marked segment", flush=True)
                else:
                    verdict(pid)
        off += (ln + 3) & ~3
PYEOF

reorder() {
	local dst=$1 ready=$TMPD/nfq.ready.$RANDOM
	modprobe nfnetlink_queue 2>/dev/null; modprobe nft_queue 2>/dev/null
	ip netns exec "$AGENT" nft -f - <<EOF || { nok "nft queue in the agent"; return; }
table inet egkq {
	chain out { type filter hook output priority 0; tcp dport 80 queue num 7; }
}
EOF
	ip netns exec "$AGENT" python3 -I -S "$NFQ" 7 EVILMARK "$ready" >"$TMPD/nfq.out" 2>&1 &
	local qpid=$!
	_pids+=($qpid)
	wait_for 10 test -e "$ready" || { nok "NFQUEUE consumer starts" "$(cat "$TMPD/nfq.out")"; return; }
	: >"$LOG"
	ip netns exec "$AGENT" python3 -I -S - "$dst" >"$TMPD/cli.out" 2>&1 <<'PYEOF'
import socket, sys, time
addr = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(5)
s.connect((addr, 80))
s.send(b"GET /late HTTP/1.1\r\nHost: www.evilxxx.test\r\nX-Mark: EVILMARK\r\n\r\n")
time.sleep(0.1)
s.send(b"GET /judged HTTP/1.1\r\nHost: www.allowed.test\r\n\r\n")
try:
    print("answer", s.recv(100)[:12])
except OSError as e:
    print("error", e.strerror or e)
PYEOF
	sleep 2
	kill $qpid 2>/dev/null
	ip netns exec "$AGENT" nft delete table inet egkq
	grep -q "released the marked segment" "$TMPD/nfq.out" ||
		{ nok "reorder to $dst: the queue released the first segment after the second" \
			"$(cat "$TMPD/nfq.out")"; return; }
}

# the witness works: without a policy the first segment reaches the server
ctl clear --netns-name "$AGENT" >/dev/null 2>&1
reorder $OTHER4
wait_for 5 grep -q EVILMARK "$LOG" &&
	ok "reordered first segment: without a policy the server reads it" ||
	nok "reordered first segment: without a policy the server reads it" \
		"$(cut -c1-160 "$LOG"); queue: $(cat "$TMPD/nfq.out")"
for dst in $OTHER4 $OTHER6; do
	apply "$AGENT" "$POL" >/dev/null || bail "apply the policy"
	reorder $dst
	sleep 1
	if grep -q EVILMARK "$LOG"; then
		nok "reordered first segment to $dst: the server never reads unjudged bytes" \
			"$(cut -c1-160 "$LOG")"
	else
		ok "reordered first segment to $dst: the server never reads unjudged bytes"
	fi
	n=$(stat_num "$AGENT" '^flows_domain_rejected$')
	[ "${n:-0}" -ge 1 ] &&
		ok "reordered first segment to $dst: judged when it came (flows_domain_rejected $n)" ||
		nok "reordered first segment to $dst: judged when it came" \
			"flows_domain_rejected '${n:-}'; client: $(cat "$TMPD/cli.out")"
	ctl clear --netns-name "$AGENT" >/dev/null 2>&1
done
