#!/usr/bin/env bash
# Install every Debian package egressk's build, demo and tests need.
# Idempotent, and silent when everything is already installed.
set -euo pipefail

packages=(
	# build
	build-essential make gcc pkg-config
	linux-headers-amd64 libnl-3-dev libnl-genl-3-dev libjson-c-dev dkms
	# the VM test bench (DESIGN.md section 5)
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod
	# peers used by the tests and the demo
	iproute2 ethtool curl openssl python3 iptables nftables ipset socat
	netcat-openbsd procps util-linux
	# a real browser's ClientHello for the domain-rule test (test_domain.sh)
	chromium
	# DNS parser fixtures (tests/parsers/record-dns-fixtures.sh): dnsmasq, dig
	dnsmasq-base dnsutils
	# parser tests: sanitizers, libFuzzer, valgrind
	clang-14 libclang-rt-14-dev valgrind
	# benchmarks (bench/)
	iperf3 gnuplot-nox
	# KUnit: the kernel source and what kunit.py needs to build a UML kernel
	linux-source-6.1 xz-utils bc bison flex libelf-dev libssl-dev
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "egressk: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "egressk: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
