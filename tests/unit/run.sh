#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Userspace unit tests: builds egresskctl and the parser tests, runs the
# parser tests (under valgrind with VALGRIND=1), then CLI tests against the
# built binary.  No kernel module is needed.  Ends with one line:
# "N passed, N failed[, N skipped]", and exits non-zero on any failure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(mktemp -d /tmp/egk-unit-build.XXXXXX)
trap 'rm -rf "$build"' EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
skip() { echo "SKIP: $1"; skipped=$((skipped + 1)); }

summary() {
	local line="$passed passed, $failed failed"
	[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
	echo "$line"
	[ "$failed" -eq 0 ]
	exit $?
}

if make -s -C "$top/userspace" >"$build/make.log" 2>&1; then
	pass "build egresskctl"
else
	cat "$build/make.log"; fail "build egresskctl"; summary
fi
ctl="$top/userspace/egresskctl"

CFLAGS="-O1 -g -Wall -Wextra -Werror -std=gnu11 -I$top/uapi -I$top/userspace -I$here"
if ${CC:-cc} $CFLAGS $(pkg-config --cflags json-c) -o "$build/test_policy" \
	"$here/test_policy.c" "$top/userspace/policy.c" "$top/userspace/policy_print.c" \
	$(pkg-config --libs json-c) 2>"$build/cc.log"; then
	pass "build test_policy"
else
	cat "$build/cc.log"; fail "build test_policy"; summary
fi

if ${CC:-cc} $CFLAGS -o "$build/test_target" "$here/test_target.c" "$top/userspace/target.c" \
	2>"$build/cct.log"; then
	pass "build test_target"
else
	cat "$build/cct.log"; fail "build test_target"; summary
fi

if ${CC:-cc} $CFLAGS -o "$build/test_caps" "$here/test_caps.c" "$top/userspace/caps.c" \
	2>"$build/ccc.log"; then
	pass "build test_caps"
else
	cat "$build/ccc.log"; fail "build test_caps"; summary
fi

NL_FLAGS=$(pkg-config --cflags --libs libnl-3.0 libnl-genl-3.0 json-c)
if ${CC:-cc} $CFLAGS -o "$build/test_netlink" "$here/test_netlink.c" "$top/userspace/netlink.c" \
	"$top/userspace/policy.c" "$top/userspace/policy_print.c" "$top/userspace/learned.c" $NL_FLAGS 2>"$build/ccn.log"; then
	pass "build test_netlink"
else
	cat "$build/ccn.log"; fail "build test_netlink"; summary
fi

# --- parser tests (C) ---
runner=()
if [ "${VALGRIND:-0}" = 1 ]; then
	runner=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
		--error-exitcode=99)
fi

# run_c NAME [valgrind]: run a C test binary and add its counts
run_c() {
	local name=$1 use=("${runner[@]}") rc cp cf
	[ "${2:-}" = novalgrind ] && use=()
	(cd "$build" && "${use[@]}" "./$name") >"$build/$name.out" 2>&1
	rc=$?
	grep -v '^[0-9]* passed, [0-9]* failed$' "$build/$name.out"
	read -r cp _ cf _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$build/$name.out" | tail -1 | tr -d ',')
	if [ -z "${cp:-}" ]; then
		fail "$name did not finish (exit $rc)"
		return
	fi
	passed=$((passed + cp)); failed=$((failed + cf))
	if [ "$rc" -eq 99 ]; then
		fail "valgrind found errors in $name"
	elif [ "$rc" -ne 0 ] && [ "$cf" -eq 0 ]; then
		fail "$name exited $rc with no failed check"
	fi
}

run_c test_policy
run_c test_netlink
# pidfd_open is not implemented in valgrind, so never under it
run_c test_target novalgrind
run_c test_caps

# --- CLI tests against the built binary ---
t=$build/cli
mkdir -p "$t/sub"
cat >"$t/good.pol" <<'POL'
# a good policy
mode audit
default drop
allow cidr 10.0.0.0/8 tcp port 443,8000-8100
include sub/more.pol
POL
echo "allow dns 192.0.2.53" >"$t/sub/more.pol"
printf 'allow cidr 10.0.0.0/8\nallow cidr 10.0.0.1/8\nmode bogus\n' >"$t/bad.pol"

# expect NAME WANT_RC [grep-pattern-in-stdout+stderr] -- CMD...
expect() {
	local name=$1 want=$2 pat=$3; shift 4
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; output: $(echo "$out" | head -3 | tr '\n' '|')"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name: output lacks /$pat/: $(echo "$out" | head -3 | tr '\n' '|')"
	else
		pass "$name"
	fi
}

expect "cli: --help exits 0" 0 "^usage: egresskctl" -- "$ctl" --help
expect "cli: help lists apply" 0 "egresskctl apply  TARGET FILE" -- "$ctl" help
expect "cli: no arguments exits 2" 2 "usage:" -- "$ctl"
expect "cli: unknown subcommand exits 2" 2 "unknown command 'frobnicate'" -- "$ctl" frobnicate
expect "cli: unknown option exits 2" 2 "unknown or misplaced option" -- "$ctl" list --bogus
expect "cli: apply without target exits 2" 2 "needs a TARGET" -- "$ctl" apply "$t/good.pol"
expect "cli: two targets exit 2" 2 "exactly one TARGET" -- "$ctl" show --pid 1 --netns-name x
expect "cli: check without file exits 2" 2 "missing argument" -- "$ctl" check
expect "cli: check rejects a target option" 2 "misplaced option" -- "$ctl" check --pid 1 "$t/good.pol"
expect "cli: check good file exits 0" 0 "valid, 2 rules" -- "$ctl" check "$t/good.pol"
expect "cli: check prints the canonical policy" 0 "^allow cidr 10.0.0.0/8 tcp port 443,8000-8100$" -- "$ctl" check "$t/good.pol"
expect "cli: check bad file exits 2" 2 "bad.pol:2: '10.0.0.1/8' has host bits set" -- "$ctl" check "$t/bad.pol"
expect "cli: check reports every error" 2 "bad.pol:3: " -- "$ctl" check "$t/bad.pol"
expect "cli: check counts errors" 2 "2 errors in .*bad.pol" -- "$ctl" check "$t/bad.pol"
expect "cli: check from stdin" 0 "<stdin>: valid, 1 rule" -- sh -c "echo 'allow cidr ::1' | '$ctl' check -"
expect "cli: stdin errors say <stdin>" 2 "^<stdin>:1: " -- sh -c "echo 'allow cidr ::1/200' | '$ctl' check -"
expect "cli: stdin include is cwd-relative" 0 "valid, 1 rule" -- sh -c "cd '$t' && echo 'include sub/more.pol' | '$ctl' check -"
expect "cli: check missing file exits 2" 2 "cannot open" -- "$ctl" check "$t/absent.pol"
expect "cli: include preset:github is valid" 0 "^allow domain \\.github\\.com$" -- sh -c "echo 'include preset:github' | '$ctl' check -"
expect "cli: a domain rule prints normalised" 0 "^allow domain \\*\\.example\\.com port 443,8443$" -- sh -c "echo 'allow domain *.Example.COM. port 443,8443' | '$ctl' check -"
expect "cli: domain udp is refused, TCP only" 2 "^<stdin>:1: domain rules are TCP only" -- sh -c "echo 'allow domain a.example udp' | '$ctl' check -"
expect "cli: deny domain is refused" 2 "^<stdin>:2: 'deny domain' does not exist" -- sh -c "printf 'allow domain a.example\ndeny domain a.example\n' | '$ctl' check -"
# DNS control: settings, dns-name rules, check's warnings
expect "cli: check prints the DNS settings" 0 "^dns filter on$" -- "$ctl" check "$t/good.pol"
expect "cli: check prints the ttl floor" 0 "^dns ttl-floor 600$" -- "$ctl" check "$t/good.pol"
expect "cli: check prints domain-binding" 0 "^domain-binding dns$" -- "$ctl" check "$t/good.pol"
expect "cli: a dns-name rule prints normalised" 0 "^allow dns-name \\.in-addr\\.arpa$" -- sh -c "echo 'allow dns-name .In-Addr.Arpa.' | '$ctl' check -"
expect "cli: dns filter strict is printed" 0 "^dns filter strict$" -- sh -c "echo 'dns filter strict' | '$ctl' check -"
expect "cli: conflicting dns filter exits 2" 2 "^<stdin>:2: 'dns filter off' conflicts with 'dns filter on' at <stdin>:1" -- sh -c "printf 'dns filter on\ndns filter off\n' | '$ctl' check -"
expect "cli: ttl floor above ceiling exits 2" 2 "^<stdin>:2: 'dns ttl-ceiling 60' is below 'dns ttl-floor 120' at <stdin>:1" -- sh -c "printf 'dns ttl-floor 120\ndns ttl-ceiling 60\n' | '$ctl' check -"
expect "cli: dns-name with a port exits 2" 2 "^<stdin>:1: dns-name rules take no protocol or port" -- sh -c "echo 'allow dns-name a.example port 53' | '$ctl' check -"
# stderr_of NAME WANT_RC PATTERN|'' CMD...: stderr alone matches PATTERN, or is empty for ''
stderr_of() {
	local name=$1 want=$2 pat=$3; shift 3
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; stderr: $(echo "$err" | head -3 | tr '\n' '|')"
	elif [ -z "$pat" ] && [ -n "$err" ]; then
		fail "$name: stderr not empty: $(echo "$err" | head -3 | tr '\n' '|')"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$err"; then
		fail "$name: stderr lacks /$pat/: $(echo "$err" | head -3 | tr '\n' '|')"
	else
		pass "$name"
	fi
}
printf 'allow domain .github.com\n' >"$t/nodns.pol"
stderr_of "cli: check warns of domain rules without a pinned resolver (exit 0)" 0 \
	"^.*nodns.pol: warning: domain rules with domain-binding dns need a pinned resolver \('allow dns ADDRESS'\): no address is learned without one, so every domain flow is refused$" \
	"$ctl" check "$t/nodns.pol"
stderr_of "cli: a preset alone gets the resolver warning" 0 "^<stdin>: warning: domain rules with domain-binding dns need a pinned resolver" \
	sh -c "echo 'include preset:github' | '$ctl' check -"
stderr_of "cli: no warning with a pinned resolver" 0 "" \
	sh -c "printf 'include preset:github\nallow dns 192.0.2.53\n' | '$ctl' check -"
stderr_of "cli: no warning with domain-binding none" 0 "" \
	sh -c "printf 'allow domain .github.com\ndomain-binding none\n' | '$ctl' check -"
stderr_of "cli: check warns of a filter with no name rule (exit 0)" 0 \
	"^<stdin>: warning: dns filter on with no domain or dns-name rule: every query for a dotted name will be refused" \
	sh -c "echo 'allow dns 192.0.2.53' | '$ctl' check -"
stderr_of "cli: no filter warning with the filter off" 0 "" \
	sh -c "printf 'allow dns 192.0.2.53\ndns filter off\n' | '$ctl' check -"
printf 'mode audit\nallow cidr 10.0.0.0/8 tcp port 443\n' >"$t/cidr.pol"
stderr_of "cli: no warning for a cidr-only file" 0 "" "$ctl" check "$t/cidr.pol"
# check's output is a policy that checks to the same text
printf 'dns filter strict\ndomain-binding none\ndns ttl-floor 30\ndns ttl-ceiling 90\nallow dns-name .ip6.arpa\nallow dns 2001:db8::53\nallow domain github.com port 22\n' >"$t/dns.pol"
if "$ctl" check "$t/dns.pol" 2>/dev/null | "$ctl" check - 2>/dev/null | grep -v '^#' >"$t/dnsrt2" &&
   "$ctl" check "$t/dns.pol" 2>/dev/null | grep -v '^#' >"$t/dnsrt1" && cmp -s "$t/dnsrt1" "$t/dnsrt2" &&
   grep -qx 'dns ttl-ceiling 90' "$t/dnsrt1" && grep -qx 'allow dns-name .ip6.arpa' "$t/dnsrt1"; then
	pass "cli: a DNS policy's check output round-trips"
else
	fail "cli: a DNS policy's check output does not round-trip"
fi
expect "cli: help lists show --learned" 0 "show   TARGET --learned" -- "$ctl" help
expect "cli: --learned goes with show only" 2 "misplaced option '--learned'" -- "$ctl" stats --pid 1 --learned
expect "cli: check takes no --learned" 2 "misplaced option '--learned'" -- "$ctl" check --learned "$t/good.pol"
expect "cli: show --learned needs a TARGET" 2 "show needs a TARGET" -- "$ctl" show --learned

npresets=0
for p in "$top"/userspace/presets/*; do
	npresets=$((npresets + 1))
	name=$(basename "$p")
	expect "cli: preset $name passes check" 0 "^# .*$name: valid, [0-9]+ rules?$" -- "$ctl" check "$p"
	# every directive line of the preset comes back as a domain rule
	want=$(grep -cvE '^[[:space:]]*(#|$)' "$p")
	got=$("$ctl" check "$p" 2>/dev/null | grep -c '^allow domain ')
	if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then
		pass "cli: preset $name is $want domain rules"
	else
		fail "cli: preset $name: $got domain rules printed, $want lines"
	fi
	expect "cli: include preset:$name" 0 "valid, $want rules?" -- sh -c "echo 'include preset:$name' | '$ctl' check -"
	# check's output is itself a policy that checks to the same rules
	if "$ctl" check "$p" 2>/dev/null | "$ctl" check - 2>/dev/null | grep -v '^#' >"$t/rt2" &&
	   "$ctl" check "$p" 2>/dev/null | grep -v '^#' >"$t/rt1" && cmp -s "$t/rt1" "$t/rt2"; then
		pass "cli: preset $name: check output round-trips"
	else
		fail "cli: preset $name: check output does not round-trip"
	fi
done
if [ "$npresets" -ge 6 ]; then pass "cli: the six presets are there"; else fail "cli: only $npresets presets"; fi
expect "cli: apply of an invalid policy exits 2 before netlink" 2 "bad.pol:2:" -- "$ctl" apply --pid 1 "$t/bad.pol"
expect "cli: list takes no TARGET" 2 "misplaced option '--pid'" -- "$ctl" list --json --pid 1
expect "cli: --pid needs a number" 2 "--pid needs a positive process ID" -- "$ctl" show --pid abc
expect "cli: --netns-name with a slash" 2 "not a namespace name" -- "$ctl" clear --netns-name ../x
expect "cli: --force without TARGET" 2 "--force goes with a TARGET" -- "$ctl" monitor --force
# apply --strict: only apply takes it, and only with a process to inspect
expect "cli: help lists apply --strict" 0 "egresskctl apply  TARGET --strict FILE" -- "$ctl" help
expect "cli: --strict with --netns-name exits 2" 2 "^egresskctl: apply: --strict needs --pid or --docker" -- "$ctl" apply --strict --netns-name x "$t/good.pol"
expect "cli: --strict with --netns exits 2" 2 "^egresskctl: apply: --strict needs --pid or --docker" -- "$ctl" apply --netns /proc/self/ns/net "$t/good.pol" --strict
expect "cli: show rejects --strict" 2 "misplaced option '--strict'" -- "$ctl" show --strict --pid 1
expect "cli: clear rejects --strict" 2 "misplaced option '--strict'" -- "$ctl" clear --strict --pid 1
expect "cli: check rejects --strict" 2 "misplaced option '--strict'" -- "$ctl" check --strict "$t/good.pol"

one_line() {	# NAME CMD...: the command fails with exactly one line on stderr
	local name=$1; shift
	local n
	n=$("$@" 2>&1 >/dev/null | wc -l)
	if [ "$n" -eq 1 ]; then pass "$name"; else fail "$name: $n lines on stderr"; fi
}
one_line "cli: a target error is one line" "$ctl" show --pid 0
one_line "cli: a usage error is one line" "$ctl" frobnicate

if [ -e /sys/module/egressk ]; then
	skip "cli: apply without the module (the egressk module is loaded here)"
	skip "cli: list without the module (the egressk module is loaded here)"
else
	expect "cli: apply without the module exits 1" 1 "^egresskctl: egressk module not loaded: run 'modprobe egressk'$" -- "$ctl" apply --force --pid $$ "$t/good.pol"
	expect "cli: list without the module exits 1" 1 "egressk module not loaded" -- "$ctl" list
	expect "cli: monitor without the module exits 1" 1 "egressk module not loaded" -- "$ctl" monitor --json
	expect "cli: show --learned without the module exits 1" 1 "egressk module not loaded" -- "$ctl" show --learned --json --pid $$
	one_line "cli: module-not-loaded is one line" "$ctl" list
fi

summary
