#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the bundled VM and show egressk's main job, a policed
# "agent" namespace (tests/integration/demo/guest.sh): the policy; the API
# server reached by address and the package registry by name, resolved
# through the one pinned resolver; everything else refused at once: other
# addresses, DNS queries for other names (tunnelling), other resolvers, the
# allowed name sent to another address (fronting); the counters.  Needs
# 'make' first (make demo does it).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE/../.."
for f in kmod/egressk.ko userspace/egresskctl; do
	[ -e "$f" ] || { echo "demo: $f is not built; run 'make'" >&2; exit 1; }
done
echo "Booting Debian's kernel in QEMU with kmod/egressk.ko (a minute or two under emulation)..."
exec "$HERE/vm/run.sh" "$HERE/demo/guest.sh"
