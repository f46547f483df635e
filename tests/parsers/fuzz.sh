#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run the libFuzzer harnesses (clang, ASan + UBSan) for the parsers.
#
# Usage: tests/parsers/fuzz.sh [SECONDS] [HARNESS...]
#   SECONDS   fuzzing time per harness after the seed corpus ran (default 60)
#   HARNESS   tls http name domain dns (default: all)
# Environment: EGRESSK_FUZZ_DIR  where binaries, corpora and crash files go
#              (default /tmp/egressk-fuzz; corpora grow across runs)
#
# Seeds come from fixtures/ (the recorded ClientHellos and HTTP requests and
# their sidecar names) and fixtures/dns/ (recorded DNS queries and responses).
# Prints one line per harness:
#   fuzz <harness>: ok, <N> execs in <S> s, corpus <C>
#   fuzz <harness>: CRASH, input saved as <file>
# and exits non-zero if any harness crashed or failed to build.
# Needs: clang-14 libclang-rt-14-dev (libFuzzer runtime)

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SECS=${1:-60}
shift || true
HARNESSES=${*:-tls http name domain dns}
DIR=${EGRESSK_FUZZ_DIR:-/tmp/egressk-fuzz}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang)}
mkdir -p "$DIR/bin"

seed() {	# HARNESS CORPUSDIR
	local h=$1 c=$2 f base
	mkdir -p "$c"
	for f in "$HERE"/fixtures/*.bin; do
		base=${f%.bin}
		case $h in
		tls) [ -e "$base.sni" ] && cp "$f" "$c/fixture-$(basename "$base")" ;;
		http) [ -e "$base.host" ] && cp "$f" "$c/fixture-$(basename "$base")" ;;
		name)
			for s in "$base.sni" "$base.host"; do
				[ -s "$s" ] || continue
				n=$(head -1 "$s")
				printf '%s\n%s' "$n" "$n" > "$c/exact-$(basename "$base")"
				printf '.fixture.egressk.test\n%s' "$n" > "$c/dot-$(basename "$base")"
				printf '*.egressk.test.\n%s' "${n^^}" > "$c/star-$(basename "$base")"
			done ;;
		domain)	# two bytes of port (443, 80, 8443), then [pattern\n]name
			for s in "$base.sni" "$base.host"; do
				[ -s "$s" ] || continue
				n=$(head -1 "$s")
				printf '\x01\xbb%s' "$n" > "$c/name-$(basename "$base")"
				printf '\x00\x50.egressk.test\n%s' "$n" > "$c/dot-$(basename "$base")"
				printf '\x20\xfb*.fixture.egressk.test\n%s' "$n" > "$c/star-$(basename "$base")"
			done ;;
		esac
	done
	if [ "$h" = dns ]; then	# mode byte (bit 0: TCP framing), then the message
		for f in "$HERE"/fixtures/dns/*.bin; do
			[ -e "$f" ] || continue
			case $f in
			*-tcp-*) printf '\x01' ;;
			*) printf '\x00' ;;
			esac | cat - "$f" > "$c/fixture-$(basename "$f" .bin)"
		done
	fi
	if [ "$h" = domain ]; then
		printf '\x01\xbbevilexample.com' > "$c/evil"
		printf '\x01\xbbx.a.api.example.com' > "$c/nested"
		printf '\x1f\x40*.example.com\nb.a.api.example.com' > "$c/pattern"
	fi
	if [ "$h" = name ]; then
		printf '.example.com\nevilexample.com' > "$c/evil"
		printf 'xn--bcher-kva.example\nXN--BCHER-KVA.example.' > "$c/puny"
	fi
}

status=0
for h in $HARNESSES; do
	bin=$DIR/bin/fuzz_$h
	if ! "$CLANG" -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I "$SRC/uapi" -o "$bin" "$HERE/fuzz_$h.c" \
		"$SRC/kmod/parse.c" "$SRC/kmod/domain.c" \
		>"$DIR/build_$h.log" 2>&1; then
		echo "fuzz $h: BUILD FAILED ($(head -3 "$DIR/build_$h.log" | tr '\n' ' '))"
		status=1
		continue
	fi
	corpus=$DIR/corpus_$h
	seed "$h" "$corpus"
	mkdir -p "$DIR/crashes_$h"
	log=$DIR/fuzz_$h.log
	dict=()
	[ -e "$HERE/fuzz_$h.dict" ] && dict=(-dict="$HERE/fuzz_$h.dict")
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		"${dict[@]}" -artifact_prefix="$DIR/crashes_$h/" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc -ne 0 ]; then
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
		echo "fuzz $h: CRASH, input saved as ${art:-?} (log $log)"
		grep -m3 -E 'ERROR|invariant failed|runtime error' "$log" | sed 's/^/  /'
		status=1
	else
		echo "fuzz $h: ok, ${execs:-?} execs in $SECS s, corpus $(ls "$corpus" | wc -l)"
	fi
done
exit $status
