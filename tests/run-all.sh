#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the test suites and add up their results.
#
#   tests/run-all.sh [unit|parsers|kunit|integration|host ...]   (default: all of them)
#
#   unit         tests/unit/run.sh          userspace unit tests (no VM)
#   parsers      tests/parsers/run.sh       parser tests on real ClientHellos, fuzz smoke
#   host         tests/host/*.sh            host-side checks (DKMS build)
#   kunit        tests/kunit/run.sh         KUnit suites
#   integration  tests/integration/run.sh   the VM suite
#
# Every runner must end with "N passed, N failed[, N skipped]".  A runner that
# is missing, crashes, or prints no such line counts as a failure.  The last
# line is "N passed, N failed, N skipped"; the exit status is non-zero if
# anything failed.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE/.."

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit parsers host kunit integration)

P=0 F=0 S=0
summary=()

add() {   # add SUITE PASSED FAILED SKIPPED NOTE
	P=$((P + $2)); F=$((F + $3)); S=$((S + $4))
	summary+=("$(printf '  %-24s %4d passed, %3d failed, %3d skipped  %s' "$1" "$2" "$3" "$4" "${5:-}")")
}

# run_suite NAME CMD...: run a runner, stream its output, take its count line
run_suite() {
	local name=$1 out rc line p f s start secs; shift
	out=$(mktemp)
	echo "===== $name: $*"
	start=$(date +%s)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$out" | tail -n1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "FAIL: $name: the runner printed no 'N passed, N failed' line (exit $rc)"
		add "$name" 0 1 0 "(crashed: exit $rc, ${secs}s)"
		return
	fi
	read -r p f s <<<"$(echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/')"
	s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: the runner exited $rc but reported no failure"
		f=1
	fi
	add "$name" "$p" "$f" "$s" "(${secs}s)"
}

for suite in "${suites[@]}"; do
	case $suite in
	unit)
		if [ -f tests/unit/run.sh ]; then run_suite unit bash tests/unit/run.sh
		else echo "FAIL: unit: tests/unit/run.sh does not exist"; add unit 0 1 0 "(missing)"
		fi ;;
	parsers)
		if [ -f tests/parsers/run.sh ]; then run_suite parsers bash tests/parsers/run.sh
		else echo "FAIL: parsers: tests/parsers/run.sh does not exist"; add parsers 0 1 0 "(missing)"
		fi ;;
	host)
		found=0
		for t in tests/host/*.sh; do
			[ -f "$t" ] || continue
			found=1
			run_suite "host/$(basename "$t" .sh)" bash "$t"
		done
		[ $found -eq 1 ] || { echo "FAIL: host: no tests/host/*.sh"; add host 0 1 0 "(missing)"; } ;;
	kunit)
		if [ -f tests/kunit/run.sh ]; then run_suite kunit bash tests/kunit/run.sh
		else echo "SKIP: kunit (no KUnit suites yet)"; add kunit 0 0 1 "(no KUnit suites yet)"
		fi ;;
	integration)
		run_suite integration bash tests/integration/run.sh ;;
	*)
		echo "usage: $0 [unit|parsers|kunit|integration|host ...]" >&2; exit 2 ;;
	esac
done

echo "===== summary"
printf '%s\n' "${summary[@]}"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
