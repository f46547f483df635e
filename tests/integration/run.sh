#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The integration runner: boots ONE VM that runs every test_*.sh (or the ones
# named) through guest-run.sh.  Builds nothing: run 'make' first.
#
#   tests/integration/run.sh [test_basic.sh ...]
#
# Prints every PASS/FAIL/SKIP line and ends with "N passed, N failed, N skipped".
# Exits non-zero on any failure, on a BUG/WARNING/Oops in the guest kernel log,
# on a VM timeout, or when the guest reports nothing.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$HERE/vm/run.sh" "$HERE/guest-run.sh" "$@" | tee "$out"
vmrc=${PIPESTATUS[0]}

line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n1)
if [ -z "$line" ]; then
	P=0 F=0 S=0
else
	read -r P F S <<<"$(echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')"
fi
if grep -q '^vm/run.sh: the guest kernel log shows problems' "$out"; then
	echo "FAIL: integration: the guest kernel log is free of BUG/WARNING/Oops (see above)"
	F=$((F + 1))
fi
case $vmrc in
124) echo "FAIL: integration: the VM finished before its timeout"; F=$((F + 1)) ;;
125) echo "FAIL: integration: the guest booted and reported a result"; F=$((F + 1)) ;;
esac
if [ -z "$line" ] && [ "$F" -eq 0 ]; then
	echo "FAIL: integration: the guest printed a summary (vm/run.sh exit $vmrc)"; F=1
fi
if [ "$vmrc" -ne 0 ] && [ "$F" -eq 0 ]; then
	echo "FAIL: integration: vm/run.sh exited $vmrc"; F=1
fi
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
