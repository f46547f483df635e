#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# First payloads the parser cannot read (issue 9, class 3; DESIGN.md
# sections 2 "Trust" and 6): on a port where a domain rule expects TLS or
# HTTP (80, 443), only a well-formed ClientHello with one host_name or a
# well-formed HTTP/1.x request head with one Host passes, even to an address
# learned for the allowed name.  Requests a server may read differently from
# the parser are refused as "malformed"; a payload that is neither TLS nor
# HTTP as "domain-unknown".  The address-only path (ssh to git.test:22) takes
# only payloads that do not begin like TLS or HTTP.
#
#   agent netns (policed)                   net netns (servers, all on ::)
#     veth0 192.0.2.1/24    <---------->      veth1 .2 / ::2    www.allowed.test
#           2001:db8::1/64                          .5 / ::5    git.test
#                                                   .53 / ::53  dnsmasq (pinned resolver)
#   clients: dig (resolve first,            tlsprobe.py: TLS on 443, HTTP on 80 and 22
#   so that the addresses are learned);     (else line echo); logs every connection,
#   tlsprobe.py: python ssl and HTTP,       its first bytes, its SNI and Host
#   and "raw": bytes from a file, sent
#   over a plain TCP socket
#
#   policy: default reject; allow dns .53, ::53; allow domain www.allowed.test
#   (80, 443); allow domain git.test port 22; domain-binding dns (the default)
#
# Payloads (written below; each malformed one differs from the well-formed
# request or the real ClientHello in one way):
#   http-ok          GET /ok HTTP/1.1, CRLF, Host www.allowed.test (baseline, 80)
#   tls-ok           python ssl's ClientHello, SNI www.allowed.test (baseline, 443)
#   ssh              "SSH-2.0-OpenSSH_9.2p1 Debian\r\n" (baseline on git.test:22)
#   http-barelf      http-ok with LF line ends                        80  malformed
#   http-obsfold     a folded header line (obs-fold)                  80  malformed
#   http-twohost     Host www.allowed.test twice                      80  malformed
#   http-absform     GET http://www.allowed.test/ok HTTP/1.1          80  malformed
#   http-connect     CONNECT www.allowed.test:80 HTTP/1.1             80  malformed
#   tls-sni2         tls-ok with two host_name entries (both allowed) 443 malformed
#   tls-sni2-evil    ... www.allowed.test, then evil.test             443 malformed
#   tls-ext2         a second server_name extension (evil.test)       443 malformed
#   random           200 random bytes, the first 0x8c                 443 domain-unknown
#   ssh              the ssh banner                                   443, 80 domain-unknown
#   http-barelf-git  GET / HTTP/1.1 with LF line ends                 git.test:22 malformed
#
# First, without a policy, every payload reaches the server (its log shows
# the bytes): so the server-side checks below can fail.  Then, v4 and v6, the
# baselines pass and each refused payload is reset after the handshake
# within 4 s, the server gets no byte of it, and "egresskctl monitor
# --json" gives the reason (one event per refused flow, in order: the
# refused payloads go out one after another from one process).
source "$(dirname "$0")/lib.sh"

TP="python3 -I -S $LIB_DIR/tlsprobe.py"
RES4=192.0.2.53 RES6=2001:db8::53 WWW4=$API4 WWW6=$API6 GIT4=192.0.2.5 GIT6=2001:db8::5
TLSLOG=$TMPD/tlsprobe.log DNSLOG=$TMPD/dnsmasq.log MON=$TMPD/monitor.json PL=$TMPD/payloads

require_built
module_load || bail "module loads"
topo_basic
for n in 5 53; do addr "$NET" veth1 192.0.2.$n/24 2001:db8::$n/64 || bail "net address .$n"; done

# ------------------------------------------------------------------ payloads
mkdir -p "$PL"
python3 -I -S - "$PL" <<'PYEOF' || bail "write the payloads"
import os, ssl, struct, sys
out = sys.argv[1]
NAME = "www.allowed.test"

def w(name, data):
    open(os.path.join(out, name), "wb").write(data)

ok = "GET /ok HTTP/1.1\r\nHost: %s\r\nUser-Agent: strict\r\nConnection: close\r\n\r\n" % NAME
w("http-ok", ok.encode())
w("http-barelf", ok.replace("\r\n", "\n").encode())
w("http-obsfold", ok.replace("User-Agent: strict\r\n", "User-Agent: strict\r\n folded\r\n").encode())
w("http-twohost", ok.replace("Host: %s\r\n" % NAME, "Host: %s\r\nHost: %s\r\n" % (NAME, NAME)).encode())
w("http-absform", ok.replace("GET /ok ", "GET http://%s/ok " % NAME).encode())
w("http-connect", ("CONNECT %s:80 HTTP/1.1\r\nHost: %s:80\r\nConnection: close\r\n\r\n"
                   % (NAME, NAME)).encode())
w("http-barelf-git", b"GET / HTTP/1.1\nHost: git.test\nConnection: close\n\n")
w("ssh", b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n")
rnd = bytearray(os.urandom(200))
rnd[0] = 0x8C          # neither a TLS record (0x16) nor a method's first letter
w("random", bytes(rnd))

# a real ClientHello (python's ssl, SNI NAME), then edited
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, bio = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, bio, server_side=False, server_hostname=NAME)
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
rec = bio.read()
assert rec[0] == 0x16 and len(rec) == 5 + int.from_bytes(rec[3:5], "big"), "one handshake record"
hs = rec[5:]
assert hs[0] == 1 and len(hs) == 4 + int.from_bytes(hs[1:4], "big"), "one ClientHello"
body = hs[4:]
i = 2 + 32                                        # legacy_version, random
i += 1 + body[i]                                  # session id
i += 2 + int.from_bytes(body[i:i + 2], "big")     # cipher suites
i += 1 + body[i]                                  # compression methods
head, ext_len = body[:i], int.from_bytes(body[i:i + 2], "big")
assert i + 2 + ext_len == len(body), "extensions end the ClientHello"
exts, j = [], i + 2
while j < len(body):
    t, n = struct.unpack("!HH", body[j:j + 4])
    exts.append((t, body[j + 4:j + 4 + n]))
    j += 4 + n

def hello(exts):
    e = b"".join(struct.pack("!HH", t, len(d)) + d for t, d in exts)
    b = head + struct.pack("!H", len(e)) + e
    h = b"\x01" + len(b).to_bytes(3, "big") + b
    return rec[:3] + struct.pack("!H", len(h)) + h

def sni(*names):
    entries = b"".join(b"\0" + struct.pack("!H", len(n)) + n.encode() for n in names)
    return struct.pack("!H", len(entries)) + entries

k = [t for t, _ in exts].index(0)
assert exts[k][1] == sni(NAME), "the server_name extension holds one host_name"
assert hello(exts) == rec, "taking the ClientHello apart and back together changes nothing"
w("tls-ok", rec)
w("tls-sni2", hello(exts[:k] + [(0, sni(NAME, NAME))] + exts[k + 1:]))
w("tls-sni2-evil", hello(exts[:k] + [(0, sni(NAME, "evil.test"))] + exts[k + 1:]))
w("tls-ext2", hello(exts[:k + 1] + [(0, sni("evil.test"))] + exts[k + 1:]))
PYEOF

# refused payloads: FILE PORT HOST(www|git) REASON
ATTACKS="http-barelf 80 www malformed
http-obsfold 80 www malformed
http-twohost 80 www malformed
http-absform 80 www malformed
http-connect 80 www malformed
tls-sni2 443 www malformed
tls-sni2-evil 443 www malformed
tls-ext2 443 www malformed
random 443 www domain-unknown
ssh 443 www domain-unknown
ssh 80 www domain-unknown
http-barelf-git 22 git malformed"

# ------------------------------------------------------------------ servers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=egressk-test -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" \
	>"$TMPD/req.out" 2>&1 || bail "self-signed certificate" "$(cat "$TMPD/req.out")"
ip netns exec "$NET" $TP serve --tls 443 --http 80,22 --cert "$TMPD/cert.pem" --key "$TMPD/key.pem" \
	--log "$TLSLOG" --ready "$TMPD/tlsprobe.ready" >"$TMPD/tlsprobe.out" 2>&1 &
_pids+=($!)
ip netns exec "$NET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
	--user=root --group=root --pid-file="$TMPD/dnsmasq.pid" --listen-address="$RES4,$RES6" \
	--bind-interfaces --log-queries --log-facility="$DNSLOG" --local=/test/ --local-ttl=300 \
	--host-record=www.allowed.test,$WWW4,$WWW6,300 \
	--host-record=git.test,$GIT4,$GIT6,300 >"$TMPD/dnsmasq.out" 2>&1 &
_pids+=($!)
wait_for 20 test -e "$TMPD/tlsprobe.ready" || bail "tlsprobe.py server starts" "$(cat "$TMPD/tlsprobe.out")"
wait_for 20 sh -c "ip netns exec '$NET' ss -Hlun 'src $RES4 and sport = :53' | grep -q ." ||
	bail "dnsmasq listens on $RES4" "$(cat "$TMPD/dnsmasq.out")"

# ------------------------------------------------------------------ helpers
tp() { ip netns exec "$AGENT" $TP "$@"; }
adig() { ip netns exec "$AGENT" dig +tries=1 +time=6 "$@"; }
dig_has() {
	local want=$1 out; shift
	out=$(adig +short "$@") || { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -qxF "$want"
}
ctr() { "$CTL" stats --netns-name "$AGENT" | awk -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }'; }
# learned_as ADDR NAME: "show --learned" lists ADDR for NAME
learned_as() {
	local out; out=$("$CTL" show --netns-name "$AGENT" --learned) || { echo "$out"; return 1; }
	echo "$out" | awk -v a="$1" -v n="$2" '$1 == a { print } $1 == a && $2 == n { f = 1 } END { exit !f }'
}

srv_mark() { wc -l <"$TLSLOG"; }
# srv_peer MARK PORT ADDR LPORT: the server's log lines since MARK for the
# connection to PORT from the agent's local port LPORT (in ADDR's family;
# the server's dual-stack socket names an IPv4 peer [::ffff:A.B.C.D]:PORT)
srv_peer() {
	local peer=$A4:$4 mapped="[::ffff:$A4]:$4"
	case "$3" in *:*) peer="[$A6]:$4" mapped=$peer ;; esac
	tail -n +$(($1 + 1)) "$TLSLOG" | awk -v p="$2" -v a="$peer" -v b="$mapped" \
		'$2 == p && ($3 == a || $3 == b)' | cut -c1-200
}
# srv_peer_has MARK PORT ADDR LPORT ERE: one of them matches ERE
srv_peer_has() { srv_peer "$1" "$2" "$3" "$4" | tee /dev/stderr | grep -qE "$5"; }

# send_all LIST OUT TIMEOUT: one python process (a start-up each is slow
# under emulation) sends each "FILE ADDR PORT" of LIST over a TCP
# connection of its own and waits for an answer; OUT gets one line each:
#   NAME ADDR PORT LOCALPORT WORD SECONDS STAGE: DETAIL
# with netprobe.py's words (ok: an answer or a clean close; refused: a
# reset or a write error; timeout) and the stage (connect, send, answer).
send_all() {
	ip netns exec "$AGENT" python3 -I -S -c '
import errno, socket, sys, time
timeout = float(sys.argv[2])
for line in open(sys.argv[1]):
    f, addr, port = line.split()
    start, stage, lport = time.monotonic(), "connect", 0
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.settimeout(timeout)
    try:
        s.connect((addr, int(port)))
        lport = s.getsockname()[1]
        stage = "send"
        s.sendall(open(f, "rb").read())
        stage = "answer"
        word, detail = "ok", "answer=%d" % len(s.recv(65536))
    except socket.timeout:
        word, detail = "timeout", "timed-out"
    except OSError as e:
        detail = errno.errorcode.get(e.errno, str(e.errno))
        word = "refused" if e.errno in (errno.ECONNREFUSED, errno.ECONNRESET,
                                        errno.EPIPE) else "error"
    s.close()
    print(f.rsplit("/", 1)[-1], addr, port, lport, word,
          "%.3f" % (time.monotonic() - start), stage + ":", detail, flush=True)
' "$1" "$3" >"$2" 2>&1
}
# payload_list V [LIST]: "FILE ADDR PORT" for each "NAME PORT HOST ..." of
# LIST (default: $ATTACKS) in family V
payload_list() {
	local v=$1 f port host rest A
	while read -r -u 3 f port host rest; do
		A=$WWW4; [ "$host" = git ] && A=$GIT4
		[ $v = 6 ] && { A=$WWW6; [ "$host" = git ] && A=$GIT6; }
		echo "$PL/$f $A $port"
	done 3<<<"${2:-$ATTACKS}"
}

"$CTL" monitor --netns-name "$AGENT" --json >"$MON" 2>"$TMPD/monitor.err" &
MONPID=$!; _pids+=($MONPID)
mon_mark() { wc -l <"$MON"; }

# ------------------------------------------------------------------ without a policy
# Every payload reaches the server when nothing stands in the way: the
# server's log, which names the peer, shows bytes from each connection.
# Whether the server answers (it may not answer a malformed request) does
# not matter here.
{ payload_list 4; payload_list 6; } >"$TMPD/plumb.list"
m=$(srv_mark)
send_all "$TMPD/plumb.list" "$TMPD/plumb.out" 0.5
while read -r -u 3 f addr port lport word rest; do
	v=4; case "$addr" in *:*) v=6 ;; esac
	check "plumbing v$v: without a policy $f reaches $addr:$port (the server logs its bytes)" \
		wait_for 5 srv_peer_has "$m" $port $addr $lport '^data '
done 3<"$TMPD/plumb.out"
n_plumb=$(grep -c . "$TMPD/plumb.out")
[ "$n_plumb" -eq "$(grep -c . "$TMPD/plumb.list")" ] && ok "plumbing: every payload was sent ($n_plumb)" ||
	nok "plumbing: every payload was sent" "$(cat "$TMPD/plumb.out")"

# ------------------------------------------------------------------ policy, resolution
POL=$(policy strict <<EOF
default reject
allow dns $RES4
allow dns $RES6
allow domain www.allowed.test
allow domain git.test port 22
EOF
)
check_rc "apply the policy" 0 apply "$AGENT" "$POL" || bail "the policy applies"
wait_for 10 sh -c "ls -l /proc/$MONPID/fd 2>/dev/null | grep -q socket" &&
	sleep 1 && kill -0 $MONPID 2>/dev/null && ok "egresskctl monitor --json runs" ||
	nok "egresskctl monitor --json runs" "$(cat "$TMPD/monitor.err")"
check "resolve www.allowed.test (A, v4 transport)" dig_has $WWW4 @$RES4 www.allowed.test
check "resolve www.allowed.test (AAAA, v6 transport)" dig_has $WWW6 @$RES6 AAAA www.allowed.test
check "resolve git.test (A)" dig_has $GIT4 @$RES4 git.test
check "resolve git.test (AAAA)" dig_has $GIT6 @$RES6 AAAA git.test
for a in $WWW4 $WWW6; do check "show --learned lists $a for www.allowed.test" learned_as $a www.allowed.test; done
for a in $GIT4 $GIT6; do check "show --learned lists $a for git.test" learned_as $a git.test; done

# ------------------------------------------------------------------ baselines
for v in 4 6; do
	W=$WWW4; [ $v = 6 ] && W=$WWW6
	m=$(srv_mark)
	check "baseline v$v: python HTTP/1.1, Host www.allowed.test, to $W:80" \
		tp http $W 80 --host www.allowed.test --path /v$v-http
	check "baseline v$v: python ssl ClientHello, SNI www.allowed.test, to $W:443" \
		tp tls $W 443 --sni www.allowed.test --path /v$v-tls
	check "baseline v$v: ... the server logged the request" \
		grep -qE "^req 80 .* GET /v$v-http host=www.allowed.test\$" "$TLSLOG"
	check "baseline v$v: ... and the SNI" sh -c "tail -n +$((m + 1)) '$TLSLOG' | grep -qE '^sni 443 .* www.allowed.test\$'"
done
# the same sender as the refused payloads below, with the well-formed ones
BASE="http-ok 80 www
tls-ok 443 www
ssh 22 git"
{ payload_list 4 "$BASE"; payload_list 6 "$BASE"; } >"$TMPD/base.list"
m=$(srv_mark)
send_all "$TMPD/base.list" "$TMPD/base.out" 5
sed 's/^/    | /' "$TMPD/base.out"
while read -r -u 3 f addr port lport word secs stage detail; do
	v=4; case "$addr" in *:*) v=6 ;; esac
	case $f in
	http-ok) want="^req 80 .* GET /ok host=www.allowed.test\$" what="the request" ;;
	tls-ok)  want="^sni 443 .* www.allowed.test\$" what="the SNI" ;;
	ssh)     want="^flight 22 .* first=SSH-2.0-OpenSSH_9.2p1.Debian" what="the banner" ;;
	esac
	[ "$word" = ok ] && ok "baseline v$v: $f over a plain TCP socket to $addr:$port ($secs s, $detail)" ||
		nok "baseline v$v: $f over a plain TCP socket to $addr:$port" "$word $secs $stage $detail"
	check "baseline v$v: ... the server logged $what" wait_for 5 srv_peer_has "$m" $port $addr $lport "$want"
done 3<"$TMPD/base.out"
[ "$(grep -c . "$TMPD/base.out")" -eq 6 ] && ok "baseline: six payloads sent" ||
	nok "baseline: six payloads sent" "$(cat "$TMPD/base.out")"

# ------------------------------------------------------------------ refused payloads
# In one process, one after the other: so the monitor's events come in the
# same order, one per refused flow.
{ payload_list 4; payload_list 6; } >"$TMPD/attack.list"
reasons=$(awk '{ print $4 }' <<<"$ATTACKS")
reasons=$(printf '%s\n%s\n' "$reasons" "$reasons")
n=$(grep -c . "$TMPD/attack.list")
r0=$(ctr flows_domain_rejected) m=$(srv_mark) mm=$(mon_mark)
send_all "$TMPD/attack.list" "$TMPD/attack.out" 5
sleep 0.5	# let the server log what it might have got
mon_count() { [ "$(tail -n +$((mm + 1)) "$MON" | grep -c .)" -ge "$1" ]; }
wait_for 10 mon_count $n
k=0
while read -r -u 3 f addr port lport word secs stage detail; do
	k=$((k + 1))
	v=4; case "$addr" in *:*) v=6 ;; esac
	H=www.allowed.test; case "$f" in *-git) H=git.test ;; esac
	reason=$(sed -n "${k}p" <<<"$reasons")
	echo "    | $f $addr $port $lport $word $secs $stage $detail"
	if [ "$word" = refused ] && [ "$stage" != connect: ] && lt "$secs" 4 &&
		{ [ "$detail" = ECONNRESET ] || [ "$detail" = EPIPE ]; }; then
		ok "v$v: $f to $H $addr:$port: reset after the handshake ($secs s, $stage $detail)"
	else
		nok "v$v: $f to $H $addr:$port: reset after the handshake" "$word $secs $stage $detail"
	fi
	check "v$v: $f to $addr:$port: monitor reason $reason (event $k)" \
		sh -c "tail -n +$((mm + 1)) '$MON' | sed -n '${k}p' | tee /dev/stderr |
			grep -F '\"reason\":\"$reason\"' | grep -F '\"daddr\":\"$addr\"' | grep -qE '\"dport\":$port[,}]'"
done 3<"$TMPD/attack.out"
[ "$k" -eq "$n" ] && ok "all $n refused payloads were sent" || nok "all $n refused payloads were sent" "$k lines"
# The server side: egressk resets the server's end of a refused flow too,
# often before the server asks for its peer's address (then logged as
# "?"), so the log is read per port: not one byte arrived on any of the
# refused connections, which the server did see.  (Not necessarily all of
# them: that RST can overtake the client's last handshake ACK on the way,
# through another CPU's backlog, and then the server never had the
# connection.)
srv_port() { tail -n +$((m + 1)) "$TLSLOG" | awk -v p="$1" '$2 == p'; }
srv_accepts() { [ "$(srv_port "$1" | grep -c '^accept ')" -ge "$2" ]; }
for port in 80 443 22; do
	want=$(awk -v p=$port '$3 == p' "$TMPD/attack.list" | grep -c .)
	wait_for 10 srv_accepts $port "$want"
	got=$(srv_port $port | grep -c '^accept ')
	[ "$got" -ge 1 ] && [ "$got" -le "$want" ] &&
		ok "server: it accepted refused connections on port $port ($got of $want)" ||
		nok "server: it accepted refused connections on port $port" "$got accept lines, $want connections"
	check "server: no byte of any refused payload arrived on port $port" \
		sh -c "! tail -n +$((m + 1)) '$TLSLOG' | awk '\$2 == $port' | grep -E '^(data|flight|sni|req) '"
done
e=$(tail -n +$((mm + 1)) "$MON" | grep -c .)
[ "$e" -eq "$n" ] && ok "monitor: one event per refused flow ($e)" || nok "monitor: one event per refused flow" "$e events, $n flows"
r1=$(ctr flows_domain_rejected)
[ -n "$r1" ] && [ $((r1 - r0)) -eq $n ] && ok "flows_domain_rejected counts the $n refused flows ($r0 -> $r1)" ||
	nok "flows_domain_rejected counts the $n refused flows" "$r0 -> ${r1:-missing}"

# the allowed name still works afterwards, on both ports
check "after: python ssl to www.allowed.test $WWW4:443 still works" tp tls $WWW4 443 --sni www.allowed.test --path /after
check "after: ssh banner to git.test [$GIT6]:22 still works" tp raw $GIT6 22 --file "$PL/ssh"

check_rc "clear the policy" 0 ctl clear --netns-name "$AGENT"
