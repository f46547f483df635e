#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# egressk benchmark, host side (see docs/performance.md).
#
#   bench/run.sh [--quick] [--no-vm] [--from-log LOG] [--only BLOCKS] [--rounds N]
#
# 1. builds bench/loadgen and bench/micro, copies the built module and
#    egresskctl to build/bench/bin (so a rebuild of the tree during the run
#    cannot change what is measured), and generates the rule sets
#    (bench/gen-rules.py) into build/bench/rules, and the ClientHellos of the
#    SNI workload (tests/parsers/fixtures/{curl,chromium,go}.bin) into
#    build/bench/hello;
# 2. runs the userspace microbenchmarks under valgrind --tool=callgrind
#    (CIDR lookup, domain match, SNI parse, DNS query filter);
# 3. boots ONE QEMU guest (tests/integration/vm/run.sh) that runs
#    bench/guest-bench.sh; its BENCH lines come back on the serial console;
# 4. bench/analyze.py writes bench/results/<date>-<kernel>[-quick].md and the
#    PNG plots next to it.
#
# --quick: 5 rounds, 10..10k rules, 50 namespaces (a few minutes).
# Full: 15 rounds, 10..100k rules, 1,000 namespaces.
# --no-vm: microbenchmarks only.  --from-log LOG: re-analyse a console log.
# --only BLOCKS: only these guest blocks (comma-separated: M,S,P,L,R,O,T,D;
# T is the SNI workload, D its DNS-binding configurations, measured in T's
# rounds), no callgrind; the report is named ...-only-BLOCKS.
# --rounds N: N paired rounds instead of the mode's 5 or 15.
# Needs: gcc, valgrind, python3, qemu-system-x86, iperf3, ipset, nftables,
# iptables, gnuplot (optional, for the plots).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
MODE=full NOVM=0 FROMLOG= ONLY= ROUNDS=-
while [ $# -gt 0 ]; do
	case $1 in
	--quick) MODE=quick ;;
	--no-vm) NOVM=1 ;;
	--from-log) FROMLOG=$(readlink -f "$2"); shift ;;
	--only) ONLY=$(echo "$2" | tr -d ' ' | tr a-z A-Z); shift ;;
	--rounds) ROUNDS=$2; shift ;;
	-h|--help) sed -n '3,30s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
BB=$REPO/build/bench
mkdir -p "$BB/bin" "$BB/rules" "$HERE/results"
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
start=$(date +%s)
stamp=$(date +%Y%m%d-%H%M%S)

# ------------------------------------------------------------------ build
gcc -O2 -Wall -Wextra -o "$BB/bin/loadgen" "$HERE/loadgen.c"
gcc -O2 -g -Wall -I "$REPO/kmod" -I "$REPO/uapi" -o "$BB/bin/micro" "$HERE/micro.c" \
	"$REPO/kmod/cidr.c" "$REPO/kmod/parse.c" "$REPO/kmod/domain.c"
if [ $NOVM = 0 ] && [ -z "$FROMLOG" ]; then
	if [ ! -f "$REPO/kmod/egressk.ko" ] || [ ! -x "$REPO/userspace/egresskctl" ]; then
		make -C "$REPO" module userspace
	fi
	cp "$REPO/kmod/egressk.ko" "$REPO/userspace/egresskctl" "$BB/bin/"
	# the guest reads its script over 9p while it runs: give it a copy nobody edits
	cp "$HERE/guest-bench.sh" "$BB/guest-bench.sh"
	mkdir -p "$BB/hello"
	cp "$REPO"/tests/parsers/fixtures/{curl,chromium,go}.bin "$BB/hello/"
	if [ "$MODE" = full ]; then specs="rand:10 rand:1000 rand:10000 rand:100000 mix:10000 so:200 dom:10 dom:10000"
	else specs="rand:10 rand:1000 rand:10000 mix:10000 so:200 dom:10 dom:10000"; fi
	echo "bench/run.sh: generating rule sets ($specs)"
	$PY "$HERE/gen-rules.py" "$BB/rules" $specs
fi

# ------------------------------------------------------------------ callgrind
MICRO=$BB/micro.$stamp.txt
: >"$MICRO"
cg() {	# cg KEY FUNCTION ARGS...: instructions inside FUNCTION, one line KEY ir=N
	local key=$1 fn=$2 out; shift 2
	out=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$fn" \
		"$BB/bin/micro" "$@" >"$out.stdout" 2>/dev/null
	echo "$key ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$out") $(cat "$out.stdout")" >>"$MICRO"
	rm -f "$out" "$out.stdout"
}
if [ -n "$ONLY" ]; then echo "bench/run.sh: --only $ONLY: no callgrind"; else
echo "bench/run.sh: callgrind microbenchmarks"
LOOKUPS=20000
for n in 10 100 1000 10000 100000; do
	for kind in mixed hit miss; do
		cg "cidr n=$n lookups=$LOOKUPS" bench_cidr_lookups cidr $n $LOOKUPS 7 $kind
	done
done
cg "domain n=20000" bench_domain_match domain 20000
for n in 10 10000; do
	for kind in hit miss; do
		cg "dtable n=$n lookups=$LOOKUPS" bench_domain_table dtable $n $LOOKUPS 7 $kind
	done
done
for f in curl python go node openssl chromium; do
	cg "sni fixture=$f n=2000" bench_sni_parse sni "$REPO/tests/parsers/fixtures/$f.bin" 2000
done
# the DNS query filter's work per query: parse + domain_table_match_any
for n in 10 10000; do
	for kind in hit miss parse; do
		cg "dnsq n=$n queries=$LOOKUPS" bench_dns_query dnsq $n $LOOKUPS 7 $kind
	done
done
fi
cat "$MICRO"

# ------------------------------------------------------------------ guest
LOG=
if [ -n "$FROMLOG" ]; then
	LOG=$FROMLOG
elif [ $NOVM = 0 ]; then
	LOG=$BB/console.$MODE.$stamp.log
	mem=2048; [ "$MODE" = full ] && mem=4096
	EGRESSK_VM_LOG=$LOG EGRESSK_VM_MEM=${EGRESSK_VM_MEM:-$mem} EGRESSK_VM_TIMEOUT=${EGRESSK_VM_TIMEOUT:-3600} \
		EGRESSK_KVER=${EGRESSK_KVER:-$(modinfo -F vermagic "$BB/bin/egressk.ko" | awk '{print $1}')} \
		"$REPO/tests/integration/vm/run.sh" "$BB/guest-bench.sh" "$MODE" "$BB" "$ROUNDS" "$ONLY" |
		grep --line-buffered -v '^BENCH ' || true
	grep -q '^EGRESSK-VM-RESULT rc=0' "$LOG" || echo "bench/run.sh: WARNING: the guest run did not finish cleanly (see $LOG)"
fi

elapsed=$(( $(date +%s) - start ))
$PY "$HERE/analyze.py" --micro "$MICRO" ${LOG:+--log "$LOG"} --mode "$([ $NOVM = 1 ] && echo micro || echo "$MODE")" \
	${ONLY:+--tag "only-$(echo "$ONLY" | tr , -)"} --outdir "$HERE/results" --host-secs "$elapsed" --host "$(uname -n) $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
