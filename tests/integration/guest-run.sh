#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/integration/run.sh: runs in the VM, runs each test in
# turn, and ends with "N passed, N failed, N skipped" summed over all tests.
#
#   guest-run.sh [test_x.sh ...]      (default: every test_*.sh, sorted)
#
# Between tests it checks that the test left nothing behind: the module must
# unload (no policy still loaded, no reference leaked).  Each test loads the
# module itself.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE/../.."

tests=()
if [ $# -eq 0 ]; then
	for t in "$HERE"/test_*.sh; do tests+=("$t"); done
else
	for t in "$@"; do
		t=$(basename "$t")
		tests+=("$HERE/$t")
	done
fi

P=0 F=0 S=0
# the guest has no DNS and no outside network; tests never need either
sysctl -qw kernel.panic_on_oops=0 2>/dev/null
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "=== $name"
	if [ ! -f "$t" ]; then
		echo "FAIL: $name: no such test"; F=$((F + 1)); continue
	fi
	start=$(date +%s.%N)
	out=/tmp/guest-run.$name.out
	timeout --kill-after=10 "${EGRESSK_TEST_TIMEOUT:-900}" bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
	if [ -z "$line" ]; then
		echo "FAIL: $name: printed no 'N passed, N failed' line (exit $rc)"
		F=$((F + 1))
	else
		read -r p f s <<<"$(echo "$line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/')"
		P=$((P + p)); F=$((F + f)); S=$((S + ${s:-0}))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "FAIL: $name: exited $rc with no failure reported"; F=$((F + 1))
		fi
	fi
	[ "$rc" -eq 124 ] && echo "FAIL: $name: timed out" && F=$((F + 1))
	echo "=== $name: ${secs}s"
	# every namespace the test made must be gone, and with it every policy:
	# the module must then unload.  Namespace teardown is asynchronous.
	if grep -q '^egressk ' /proc/modules; then
		i=0
		until rmmod egressk 2>/dev/null; do
			i=$((i + 1))
			if [ $i -ge 100 ]; then
				echo "FAIL: $name: egressk still busy 10 s after the test (a policy or reference left behind)"
				F=$((F + 1))
				egresskctl=userspace/egresskctl
				[ -x $egresskctl ] && $egresskctl list 2>&1 | head -n 5 | sed 's/^/    | /'
				break
			fi
			sleep 0.1
		done
	fi
	ip -all netns delete 2>/dev/null
done
echo "$P passed, $F failed, $S skipped"
[ $F -eq 0 ]
