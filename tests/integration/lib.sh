#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-style helpers for the egressk integration tests.  Source it at the
# top of a test_*.sh; it runs in the VM guest (tests/integration/vm/run.sh).
#
#   check "what" CMD...        PASS when CMD exits 0, else FAIL (with its output)
#   check_fail "what" CMD...   PASS when CMD exits non-zero
#   check_rc "what" RC CMD...  PASS when CMD exits with exactly RC
#   skip "what" "why"          a counted SKIP line
#   info "text"                an INFO line (measurements)
#
# On exit the test prints "N passed, N failed, N skipped", kills the servers it
# started, deletes the namespaces it made, and exits 1 if anything failed.
set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
KO=$REPO/kmod/egressk.ko
CTL=$REPO/userspace/egresskctl
# -I -S: stdlib only, and a much faster start under emulation
PROBE="python3 -I -S $LIB_DIR/netprobe.py"
TEST_NAME=$(basename "$0" .sh)
TMPD=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")
_last_out=$TMPD/last.out

_pass=0 _fail=0 _skip=0
_pids=() _netns=()

# ------------------------------------------------------------------ reporting
_show_output() {
	[ -s "$_last_out" ] && head -n 15 "$_last_out" | sed 's/^/    | /'
	return 0
}

check() {
	local what=$1 rc=0; shift
	"$@" >"$_last_out.new" 2>&1 || rc=$?
	mv -f "$_last_out.new" "$_last_out"
	if [ "$rc" -eq 0 ]; then
		echo "PASS: $TEST_NAME: $what"; _pass=$((_pass + 1)); return 0
	fi
	echo "FAIL: $TEST_NAME: $what (exit $rc: $*)"; _show_output
	_fail=$((_fail + 1)); return 1
}

check_fail() {
	local what=$1 rc=0; shift
	"$@" >"$_last_out.new" 2>&1 || rc=$?
	mv -f "$_last_out.new" "$_last_out"
	if [ "$rc" -ne 0 ]; then
		echo "PASS: $TEST_NAME: $what"; _pass=$((_pass + 1)); return 0
	fi
	echo "FAIL: $TEST_NAME: $what (succeeded but should have failed: $*)"; _show_output
	_fail=$((_fail + 1)); return 1
}

check_rc() {
	local what=$1 want=$2 rc=0; shift 2
	"$@" >"$_last_out.new" 2>&1 || rc=$?
	mv -f "$_last_out.new" "$_last_out"
	if [ "$rc" -eq "$want" ]; then
		echo "PASS: $TEST_NAME: $what"; _pass=$((_pass + 1)); return 0
	fi
	echo "FAIL: $TEST_NAME: $what (exit $rc, want $want: $*)"; _show_output
	_fail=$((_fail + 1)); return 1
}

# pass/fail from a condition computed by the test
ok()  { echo "PASS: $TEST_NAME: $1"; _pass=$((_pass + 1)); }
nok() { echo "FAIL: $TEST_NAME: $1${2:+ ($2)}"; _fail=$((_fail + 1)); return 1; }

skip() { echo "SKIP: $TEST_NAME: $1 (${2:-no reason given})"; _skip=$((_skip + 1)); }
info() { echo "INFO: $TEST_NAME: $*"; }

# Output of the last check*, for a test that wants to look at it; a check on
# "$_last_out" itself (check "..." grep X "$_last_out") reads the previous one.
last_output() { cat "$_last_out"; }

# fatal: a failure that makes the rest of the test meaningless
bail() { nok "$1" "${2:-}"; exit 1; }

_cleanup() {
	local rc=$? p n
	trap - EXIT
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	for n in "${_netns[@]}"; do
		# processes still inside would keep the netns (and its policy) alive
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$TMPD"
	[ "$rc" -ne 0 ] && [ $_fail -eq 0 ] && { echo "FAIL: $TEST_NAME: exited with status $rc"; _fail=$((_fail + 1)); }
	echo "$_pass passed, $_fail failed, $_skip skipped"
	[ $_fail -eq 0 ] && exit 0
	exit 1
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ time
now() { date +%s.%N; }
# elapsed START -> seconds since START, 3 decimals
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# lt A B -> true when A < B (floating point)
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# ------------------------------------------------------------------ product
require_built() {
	[ -f "$KO" ] || bail "kmod/egressk.ko is built" "run 'make module' before the tests"
	[ -x "$CTL" ] || bail "userspace/egresskctl is built" "run 'make userspace' before the tests"
}

module_loaded() { grep -q '^egressk ' /proc/modules; }

module_load() {
	local dep
	module_loaded && return 0
	for dep in $(modinfo -F depends "$KO" | tr ',' ' '); do
		modprobe "$dep" || { echo "modprobe $dep failed" >&2; return 1; }
	done
	insmod "$KO"
}

module_unload() {
	module_loaded || return 0
	rmmod egressk
}

ctl() { "$CTL" "$@"; }

# policy NAME <<EOF ... EOF -> writes $TMPD/NAME.policy, prints its path
policy() { local f=$TMPD/$1.policy; cat >"$f"; echo "$f"; }

# apply NS FILE: apply a policy to a namespace made by ns_create
apply() { "$CTL" apply --netns-name "$1" "$2"; }

# ------------------------------------------------------------------ namespaces
# ns_create VAR BASE: make netns "BASE-<pid>", store its name in VAR
ns_create() {
	local __var=$1 name=$2-$$
	ip netns add "$name" || bail "ip netns add $name"
	_netns+=("$name")
	ip -n "$name" link set lo up
	ip netns exec "$name" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
	printf -v "$__var" '%s' "$name"
}

ns_delete() {
	local n=$1 i
	ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$n" || return 1
	for i in "${!_netns[@]}"; do [ "${_netns[$i]}" = "$n" ] && unset '_netns[$i]'; done
	return 0
}

# veth_pair NS1 DEV1 NS2 DEV2
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# addr NS DEV ADDR/LEN...  (IPv6 with nodad)
addr() {
	local ns=$1 dev=$2 a; shift 2
	for a in "$@"; do
		case "$a" in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad || return 1 ;;
		*)   ip -n "$ns" addr add "$a" dev "$dev" || return 1 ;;
		esac
	done
}

# The standard two-namespace topology:
#
#   AGENT netns (policed)               NET netns (servers)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 ("api"), 192.0.2.3/24 ("other")
#           2001:db8::1/64                    2001:db8::2/64 ("api"), 2001:db8::3/64 ("other")
#     198.51.100.0/24 via 192.0.2.2           198.51.100.2/24, .3/24
#
# Sets AGENT and NET.  The addresses are documentation prefixes: they exist
# only on these veths.
A4=192.0.2.1 API4=192.0.2.2 OTHER4=192.0.2.3 FAR4=198.51.100.2 FAR4B=198.51.100.3
A6=2001:db8::1 API6=2001:db8::2 OTHER6=2001:db8::3
topo_basic() {
	modprobe veth 2>/dev/null
	ns_create AGENT agent
	ns_create NET net
	veth_pair "$AGENT" veth0 "$NET" veth1 || bail "veth pair"
	addr "$AGENT" veth0 $A4/24 $A6/64 || bail "agent addresses"
	addr "$NET" veth1 $API4/24 $OTHER4/24 $FAR4/24 $FAR4B/24 $API6/64 $OTHER6/64 ||
		bail "net addresses"
	ip -n "$AGENT" route add 198.51.100.0/24 via $API4 || bail "agent route"
}

# ------------------------------------------------------------------ servers
# serve NS [--tcp PORTS] [--udp PORTS]: netprobe server on :: in NS, waits
# until it listens
serve() {
	local ns=$1 ready; shift
	ready=$TMPD/ready.$RANDOM$RANDOM
	ip netns exec "$ns" $PROBE serve "$@" --ready "$ready" >/dev/null 2>&1 &
	_pids+=($!)
	wait_for 15 test -e "$ready" || bail "netprobe server in $ns ($*) starts"
}

# http_server NS PORT: python3 -m http.server on :: serving $TMPD/www
http_server() {
	mkdir -p "$TMPD/www"; echo "hello from http.server" >"$TMPD/www/index.html"
	ip netns exec "$1" python3 -m http.server --bind :: --directory "$TMPD/www" "$2" \
		>/dev/null 2>&1 &
	_pids+=($!)
	wait_for 15 ip netns exec "$1" ss -Htln "sport = :$2" | grep -q . ||
		bail "http.server in $1 on port $2 starts"
}

bg() { "$@" & _pids+=($!); }

# wait_for SECONDS CMD...: poll CMD every 0.1 s
wait_for() {
	local end; end=$(awk -v n="$(now)" -v t="$1" 'BEGIN { printf "%.0f", (n + t) * 10 }'); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(awk -v n="$(now)" 'BEGIN { printf "%.0f", n * 10 }')" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# ------------------------------------------------------------------ probes
# probe NS tcp|udp|icmp ARGS...: run netprobe in NS; prints "<word> <secs> ..."
probe() { local ns=$1; shift; ip netns exec "$ns" $PROBE "$@"; }

# tcp_ok NS ADDR PORT: connect and roundtrip succeed
tcp_ok() { probe "$1" tcp "$2" "$3" --timeout 5; }
# tcp_refused_fast NS ADDR PORT: connect fails with an error in under 1 s
tcp_refused_fast() {
	local out rc=0
	out=$(probe "$1" tcp "$2" "$3" --timeout 5) || rc=$?
	echo "$out"
	[ "$rc" -eq 1 ] && lt "$(echo "$out" | awk '{print $2}')" 1.0
}
# tcp_blocked NS ADDR PORT: connect does not succeed (refused or timeout)
tcp_blocked() { ! probe "$1" tcp "$2" "$3" --timeout "${4:-3}"; }

udp_ok() { probe "$1" udp "$2" "$3" --timeout 3; }
# udp_eperm_fast NS ADDR PORT: sendto fails at once (EPERM or similar)
udp_eperm_fast() {
	local out rc=0
	out=$(probe "$1" udp "$2" "$3" --timeout 3 ${4:-}) || rc=$?
	echo "$out"
	[ "$rc" -eq 1 ] && lt "$(echo "$out" | awk '{print $2}')" 1.0
}

# json_ok: stdin is valid JSON
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)'; }

# json_num KEYRE: sum of every number in stdin's JSON whose key matches the
# regular expression KEYRE (case-insensitive), at any depth
json_num() {
	python3 -c '
import json, re, sys
pat = re.compile(sys.argv[1], re.I)
total = 0
def walk(v):
    global total
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (int, float)) and not isinstance(x, bool) and pat.search(k):
                total += x
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.load(sys.stdin))
print(total)' "$1"
}

# stat_num NS KEYRE: a counter from "egresskctl stats --json"
stat_num() { "$CTL" stats --netns-name "$1" --json | json_num "$2"; }
