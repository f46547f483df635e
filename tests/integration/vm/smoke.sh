#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Smoke test of the VM harness itself: namespaces, a veth pair, an HTTP server
# in one netns reached with curl from another, and module autoloading through
# the chroot.  Run: tests/integration/vm/run.sh tests/integration/vm/smoke.sh
#
#   a (netns)                      b (netns)
#     veth0 192.0.2.1/24 <------> veth1 192.0.2.2/24  python3 -m http.server
set -u
pass=0 fail=0
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then echo "PASS: $d"; pass=$((pass+1)); else echo "FAIL: $d"; fail=$((fail+1)); fi; }
check "modprobe veth" modprobe veth
check "ip netns add" ip netns add a
ip netns add b
check "veth pair" ip link add veth0 netns a type veth peer name veth1 netns b
ip -n a addr add 192.0.2.1/24 dev veth0; ip -n a link set veth0 up; ip -n a link set lo up
ip -n b addr add 192.0.2.2/24 dev veth1; ip -n b link set veth1 up; ip -n b link set lo up
ip netns exec b python3 -m http.server -b 192.0.2.2 8080 -d /usr/share >/dev/null 2>&1 &
srv=$!
for _ in $(seq 50); do ip netns exec a curl -s -o /dev/null http://192.0.2.2:8080/ && break; sleep 0.1; done
check "curl across veth" ip netns exec a curl -sf -o /dev/null --max-time 5 http://192.0.2.2:8080/
check "request_module autoload (nft -> nf_tables)" nft list tables
check "nf_tables loaded" grep -q '^nf_tables ' /proc/modules
kill $srv; ip netns del a; ip netns del b
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
