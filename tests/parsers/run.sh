#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# egressk parser suite: unit tests, sanitizers, valgrind, a kernel compile
# check and a libFuzzer smoke pass.  Ends with one line
#   N passed, N failed, N skipped
# and exits non-zero if anything failed.
#
# Debian packages this suite needs:
#   gcc clang-14 libclang-rt-14-dev valgrind make
#   linux-headers-amd64 (kernel compile check; SKIP when absent)
#   python3 curl openssl nodejs golang-go chromium (only to re-record fixtures)
#
# Environment:
#   FUZZ_SMOKE_SECONDS   fuzzing time per harness (default 10)
#   KDIR                 kernel build tree (default: newest /lib/modules/*/build)
#   EGRESSK_FUZZ_DIR     fuzz work directory (default /tmp/egressk-fuzz)
#   FIXTURE_DIR          fixtures for the unit tests (default tests/parsers/fixtures)

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
CLANG=$(command -v clang-14 || command -v clang)
FIXTURES=${FIXTURE_DIR:-$HERE/fixtures}
PASSED=0 FAILED=0 SKIPPED=0

pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP: $*"; }

# Add the counts from a runner's "N passed, N failed, N skipped" line.
count_from() {	# LOGFILE
	local line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then
		fail "no summary line in $1"
		return
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + ${s:-0}))
}

UNIT_SRC=("$HERE/test_parsers.c" "$SRC/kmod/parse.c" "$SRC/kmod/domain.c")
WARN=(-std=gnu11 -Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes -I "$SRC/uapi")

# 1. Unit tests built with ASan + UBSan; every case counts.
if [ -z "$CLANG" ]; then
	fail "clang not found (apt-get install clang-14)"
elif "$CLANG" "${WARN[@]}" -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-o "$OUT/test_asan" "${UNIT_SRC[@]}" >"$OUT/build_asan.log" 2>&1; then
	"$OUT/test_asan" "$FIXTURES" >"$OUT/unit.log" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP|  )' "$OUT/unit.log"
	count_from "$OUT/unit.log"
	[ $rc -eq 0 ] || grep -q ' [1-9][0-9]* failed' "$OUT/unit.log" || fail "unit tests exited $rc"
else
	fail "build unit tests with clang ASan+UBSan:"; cat "$OUT/build_asan.log"
fi

# 1b. The DNS parser tests (test_dns.c: dnsmasq fixtures and dns_cases.h),
#     ASan+UBSan, then gcc -O2 under valgrind.
DNS_SRC=("$HERE/test_dns.c" "$SRC/kmod/parse.c")
if [ -n "$CLANG" ] && "$CLANG" "${WARN[@]}" -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -o "$OUT/dns_asan" "${DNS_SRC[@]}" >"$OUT/build_dns.log" 2>&1; then
	"$OUT/dns_asan" "$FIXTURES" >"$OUT/dns.log" 2>&1
	rc=$?
	grep -E '^(FAIL|SKIP|  )' "$OUT/dns.log"
	count_from "$OUT/dns.log"
	[ $rc -eq 0 ] || grep -q ' [1-9][0-9]* failed' "$OUT/dns.log" || fail "DNS tests exited $rc"
else
	fail "build DNS tests with clang ASan+UBSan:"; cat "$OUT/build_dns.log"
fi
if gcc "${WARN[@]}" -g -O2 -o "$OUT/dns_gcc" "${DNS_SRC[@]}" >"$OUT/build_dns_gcc.log" 2>&1; then
	if command -v valgrind >/dev/null; then
		if valgrind -q --error-exitcode=99 "$OUT/dns_gcc" "$FIXTURES" >"$OUT/dns_vg.log" 2>&1; then
			pass "DNS tests (gcc -O2 -Werror) under valgrind: no errors, all cases pass"
		else
			fail "DNS tests under valgrind (rc $?):"; grep -E '==[0-9]+==|FAIL' "$OUT/dns_vg.log" | head -20
		fi
	fi
else
	fail "gcc -Werror build of the DNS tests:"; cat "$OUT/build_dns_gcc.log"
fi

# 2. The same tests, gcc -O2 -Werror, under valgrind: no memory errors.
if gcc "${WARN[@]}" -g -O2 -o "$OUT/test_gcc" "${UNIT_SRC[@]}" >"$OUT/build_gcc.log" 2>&1; then
	pass "gcc -Wall -Wextra -Werror build of parse.c, domain.c and the unit tests"
	if command -v valgrind >/dev/null; then
		if valgrind -q --error-exitcode=99 --leak-check=full "$OUT/test_gcc" "$FIXTURES" \
			>"$OUT/valgrind.log" 2>&1; then
			pass "unit tests under valgrind: no errors, all cases pass"
		else
			fail "unit tests under valgrind (rc $?):"; grep -E '==[0-9]+==|FAIL' "$OUT/valgrind.log" | head -20
		fi
	else
		skip "valgrind not installed (apt-get install valgrind)"
	fi
else
	fail "gcc -Werror build:"; cat "$OUT/build_gcc.log"
fi

# 3. parse.c and domain.c as kernel code, W=1, in a throwaway module outside
#    the tree.
KDIR=${KDIR:-$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -1)}
if [ -n "$KDIR" ] && [ -e "$KDIR/Makefile" ]; then
	mkdir "$OUT/kcheck"
	cp "$SRC"/kmod/{parse.c,parse.h,domain.c,domain.h,cidr.h,cidr_compat.h} "$OUT/kcheck/"
	printf 'obj-m := parsecheck.o\nparsecheck-y := parse.o domain.o\nccflags-y := -fstack-usage -I%s\n' \
		"$SRC/uapi" >"$OUT/kcheck/Kbuild"
	make -C "$KDIR" M="$OUT/kcheck" W=1 modules >"$OUT/kcheck.log" 2>&1
	if [ -e "$OUT/kcheck/parse.o" ] && [ -e "$OUT/kcheck/domain.o" ] &&
	   ! grep -E 'warning:|error:' "$OUT/kcheck.log" | grep -v 'MODULE_LICENSE' | grep -q .; then
		pass "kernel build of parse.c and domain.c with W=1 against $KDIR: no warnings"
	else
		fail "kernel build of parse.c and domain.c with W=1:"; grep -E 'warning|error' "$OUT/kcheck.log" | head -20
	fi
	# Small stack frames: nothing above 256 bytes.
	for f in parse domain; do
		if [ -e "$OUT/kcheck/$f.su" ]; then
			big=$(awk -F'\t' '$2 + 0 > 256' "$OUT/kcheck/$f.su")
			if [ -z "$big" ]; then
				pass "kernel stack frames of $f.c <= 256 bytes (max $(cut -f2 "$OUT/kcheck/$f.su" | sort -n | tail -1))"
			else
				fail "stack frames over 256 bytes: $big"
			fi
		else
			skip "no stack usage file for $f.c from the kernel build"
		fi
	done
else
	skip "kernel compile check: no kernel headers (apt-get install linux-headers-amd64)"
fi

# 4. libFuzzer smoke pass: the seed corpus, then a few seconds per harness.
if [ -n "$CLANG" ]; then
	"$HERE/fuzz.sh" "${FUZZ_SMOKE_SECONDS:-10}" >"$OUT/fuzz.log" 2>&1
	while read -r line; do
		case $line in
		"fuzz "*": ok"*) pass "$line" ;;
		"fuzz "*) fail "$line" ;;
		"  "*) echo "$line" ;;
		esac
	done <"$OUT/fuzz.log"
else
	skip "fuzz smoke: clang not found"
fi

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
