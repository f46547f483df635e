#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run the egressk KUnit suites in a UML kernel (docs/kunit.md).
#
#   tests/kunit/run.sh [FILTER_GLOB]      default: egressk_*
#
# Environment:
#   EGRESSK_KUNIT_CACHE  cache directory (default /var/cache/egressk/kunit, or
#                        ~/.cache/egressk/kunit when that is not writable)
#   EGRESSK_KUNIT_JOBS   make -j (default: number of CPUs)
#   KERNEL_SOURCE        linux-source tarball (default: newest
#                        /usr/src/linux-source-*.tar.xz, Debian linux-source-6.1)
#
# The kernel tree is extracted once per source package version into the cache
# and reused; the build directory lives next to it, so a warm run only
# recompiles what changed.  The tree gets net/egressk (copies of tests/kunit/
# and kmod/ files, the uapi header, and a generated fixtures.h) and one line
# each in net/Kconfig and net/Makefile.  Output: PASS/FAIL/SKIP per case and a last
# line "N passed, N failed[, N skipped]"; exit status non-zero on any failure,
# build error or missing kernel source.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
FILTER=${1:-egressk_*}
CACHE=${EGRESSK_KUNIT_CACHE:-/var/cache/egressk/kunit}
# Not root and no access to /var/cache: fall back to the user's cache.
if [ -z "${EGRESSK_KUNIT_CACHE:-}" ]; then
	if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
		CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/egressk/kunit
	fi
fi
JOBS=${EGRESSK_KUNIT_JOBS:-$(nproc)}
# Suites this run must see; a missing one is a failure (crash, bad filter).
EXPECTED_SUITES=(egressk_tls egressk_http egressk_name egressk_cidr egressk_domain egressk_dns)

die() {   # die MESSAGE: a setup/build error is one failure, not a skip
	echo "FAIL: kunit: $*"
	echo "0 passed, 1 failed"
	exit 1
}

tarball=${KERNEL_SOURCE:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)}
[ -n "$tarball" ] && [ -f "$tarball" ] ||
	die "no kernel source: install the Debian package linux-source-6.1 (/usr/src/linux-source-*.tar.xz)"
pkg=$(basename "$tarball" .tar.xz)                     # linux-source-6.1
version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	version=$(stat -c %Y "$tarball")                # not from a package: key on mtime
for tool in python3 make gcc bc bison flex; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install bc bison flex libelf-dev libssl-dev python3 gcc make)"
done

key="$CACHE/$pkg-$version"
tree="$key/$pkg"
build="$key/build"
mkdir -p "$key" || die "cannot create $key"
exec 9>"$key/lock"
flock 9 || die "cannot lock $key/lock"

t0=$(date +%s)
if [ ! -f "$tree/.egressk-extracted" ]; then
	echo "# extracting $tarball into $key (once per source version)"
	rm -rf "$key/extract.tmp" "$tree"
	mkdir -p "$key/extract.tmp"
	tar -xJf "$tarball" -C "$key/extract.tmp" || die "extracting $tarball failed"
	mv "$key/extract.tmp/$pkg" "$tree" && rmdir "$key/extract.tmp" || die "unexpected layout in $tarball"
	touch "$tree/.egressk-extracted"
fi

# Hook net/egressk into the tree, idempotently.
grep -q '^source "net/egressk/Kconfig"' "$tree/net/Kconfig" ||
	sed -i '/^source "net\/netfilter\/Kconfig"/a source "net/egressk/Kconfig"' "$tree/net/Kconfig"
grep -q '^obj-y += egressk/' "$tree/net/Makefile" ||
	sed -i '$a obj-y += egressk/' "$tree/net/Makefile"
grep -q '^source "net/egressk/Kconfig"' "$tree/net/Kconfig" || die "could not patch net/Kconfig"

# net/egressk: copies of the sources under test and the suites.  Copies, not
# symlinks: make compares the mtime of a symlink's target, so swapping a link
# (or a file whose mtime is older than its object) would keep a stale object.
# A file is copied only when its content differs, so its mtime changes exactly
# when make must rebuild it.  Files no longer wanted (a removed suite) go.
stage="$tree/net/egressk"
[ -L "$stage" ] && rm -f "$stage"
mkdir -p "$stage"
want=("$HERE/Kconfig" "$HERE/Makefile" "$HERE"/*_kunit.c
      "$TOP/kmod/parse.c" "$TOP/kmod/parse.h" "$TOP/kmod/cidr.c" "$TOP/kmod/cidr.h"
      "$TOP/kmod/cidr_compat.h" "$TOP/kmod/domain.c" "$TOP/kmod/domain.h"
      "$TOP/tests/parsers/dns_cases.h")
declare -A wanted=([fixtures.h]=1 [uapi]=1)
stage_copy() {	# stage_copy SRC DIR: copy only when the content differs
	local dst="$2/$(basename "$1")"
	{ [ ! -L "$dst" ] && cmp -s "$1" "$dst"; } || cp --remove-destination "$1" "$2/" ||
		die "cannot copy $1 into $2"
}
for w in "${want[@]}"; do
	[ -f "$w" ] || die "missing source $w"
	wanted[$(basename "$w")]=1
	stage_copy "$w" "$stage"
done
# domain.c includes <linux/egressk.h>: the uapi header, under -I$(src)/uapi.
mkdir -p "$stage/uapi/linux"
stage_copy "$TOP/uapi/linux/egressk.h" "$stage/uapi/linux"
for f in "$stage"/*; do
	[ -n "${wanted[$(basename "$f")]:-}" ] || rm -f "$f"
done
python3 "$HERE/gen_fixtures.py" "${FIXTURE_DIR:-$TOP/tests/parsers/fixtures}" "$stage/fixtures.h" ||
	die "gen_fixtures.py failed"

cd "$tree" || die "cannot enter $tree"
# Skip make when nothing it reads changed since the last good build: a no-op
# make over the whole UML tree still costs ~30 s on 2 busy cores.
stamp=$( { echo "staging: copies v1"; cat "$HERE/kunitconfig"; cd "$stage" &&
	for f in * uapi/linux/egressk.h; do [ -f "$f" ] || continue; echo "== $f"; cat "$f"; done; } |
	sha256sum | cut -d' ' -f1)
tb=$(date +%s)
if [ -z "${EGRESSK_KUNIT_FORCE_BUILD:-}" ] && [ -x "$build/linux" ] &&
   [ "$(cat "$build/.egressk-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "# build: up to date (sources and kunitconfig unchanged; EGRESSK_KUNIT_FORCE_BUILD=1 rebuilds)"
else
	echo "# building the UML KUnit kernel in $build (-j$JOBS)"
	rm -f "$build/.egressk-stamp"
	if ! python3 tools/testing/kunit/kunit.py build --kunitconfig="$HERE/kunitconfig" \
		--build_dir="$build" --jobs "$JOBS" >"$key/build.log" 2>&1; then
		# Name the work-tree files, not their copies in the cached tree.
		tail -n 60 "$key/build.log" | sed -E \
			-e "s#$stage/([A-Za-z0-9_]+_kunit\.c|Kconfig|Makefile)#tests/kunit/\1#g" \
			-e "s#$stage/(parse|cidr|domain)([A-Za-z0-9_]*\.[ch])#kmod/\1\2#g"
		die "UML kernel build failed (log: $key/build.log)"
	fi
	grep -q '^CONFIG_EGRESSK_KUNIT_TEST=y' "$build/.config" ||
		die "CONFIG_EGRESSK_KUNIT_TEST is not set in $build/.config (Kconfig hook?)"
	echo "$stamp" >"$build/.egressk-stamp"
fi
echo "# build took $(( $(date +%s) - tb ))s (setup $(( tb - t0 ))s)"

tr=$(date +%s)
python3 tools/testing/kunit/kunit.py exec --build_dir="$build" --timeout 300 \
	--raw_output=kunit "$FILTER" >"$key/ktap.log" 2>&1
echo "# tests ran in $(( $(date +%s) - tr ))s; KTAP log: $key/ktap.log"
expected=()
[ "$FILTER" = 'egressk_*' ] && expected=("${EXPECTED_SUITES[@]}")
python3 "$HERE/ktap.py" "${expected[@]}" <"$key/ktap.log"
