#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Protocols and ports: tcp vs udp rules, port ranges and lists, UDP errors
# (sendto fails at once with EPERM), ICMP echo through ping sockets, raw
# sockets rejected unless "allow raw".
#
#   agent netns (policed)                net netns (servers)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api), 192.0.2.3/24 (other)
#           2001:db8::1/64                    2001:db8::2/64 (api), 2001:db8::3/64 (other)
#   ping_group_range 0..2^31: ICMP     tcp 7999-8003,8080,8081  udp 5353,5354
#   datagram ("ping") sockets allowed
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 7999-8003,8080,8081 --udp 5353,5354
# ICMP echo without raw sockets (what unprivileged ping uses)
ip netns exec "$AGENT" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

check "no policy: udp echo works" udp_ok "$AGENT" $API4 5353
check "no policy: ping socket echo works" probe "$AGENT" icmp $API4
check "no policy: raw socket echo works" probe "$AGENT" icmp $API4 --raw

P=$(policy ports <<EOF
allow cidr $API4 tcp port 8000-8002,8080
allow cidr $API4 udp port 5353
allow cidr $API6 udp port 5353
allow cidr $API4 icmp
allow cidr $API6 icmp
EOF
)
check_rc "apply" 0 apply "$AGENT" "$P"

for p in 8000 8001 8002 8080; do
	check "tcp port $p (in range/list) allowed" tcp_ok "$AGENT" $API4 $p
done
for p in 7999 8003 8081; do
	check "tcp port $p (outside range/list) refused fast" tcp_refused_fast "$AGENT" $API4 $p
done

check "udp 5353 (udp rule) allowed, echo comes back" udp_ok "$AGENT" $API4 5353
check "udp 5353 over v6 allowed" udp_ok "$AGENT" $API6 5353
check "udp 5354: sendto fails at once (EPERM)" udp_eperm_fast "$AGENT" $API4 5354
check "udp 5354 v6: sendto fails at once" udp_eperm_fast "$AGENT" $API6 5354
check "udp to an unlisted address fails at once" udp_eperm_fast "$AGENT" $OTHER4 5353
check "connected udp to a blocked port fails at once" udp_eperm_fast "$AGENT" $API4 5354 --connect
probe "$AGENT" udp $API4 5354 --timeout 3 >"$TMPD/udp.out" 2>&1
check "the udp error is EPERM" grep -q EPERM "$TMPD/udp.out"
check "connected udp: ICMP admin-prohibited reaches the socket (v4)" probe "$AGENT" udperr $API4 5354
check "connected udp: ICMPv6 admin-prohibited reaches the socket (v6)" probe "$AGENT" udperr $API6 5354
check "a tcp-only port is not open to udp (udp 8080 refused)" udp_eperm_fast "$AGENT" $API4 8080
check "a udp-only port is not open to tcp (tcp 5353 refused)" tcp_refused_fast "$AGENT" $API4 5353

check "icmp echo (ping socket) to api allowed" probe "$AGENT" icmp $API4
check "icmpv6 echo (ping socket) to api allowed" probe "$AGENT" icmp $API6
check_fail "icmp echo to other blocked" probe "$AGENT" icmp $OTHER4 --timeout 1
check_fail "icmpv6 echo to other blocked" probe "$AGENT" icmp $OTHER6 --timeout 1
check_fail "raw socket icmp to api blocked without 'allow raw'" probe "$AGENT" icmp $API4 --raw --timeout 1
check_fail "raw socket icmpv6 to api blocked without 'allow raw'" probe "$AGENT" icmp $API6 --raw --timeout 1
r=$(stat_num "$AGENT" 'raw')
if [ "${r:-0}" -gt 0 ] 2>/dev/null; then ok "raw_rejected counter counts them ($r)"
else nok "raw_rejected counter counts them" "got '$r'"; fi

P2=$(policy raw <<EOF
allow raw
allow cidr $API4 icmp
allow cidr $API6 icmp
EOF
)
check_rc "apply with 'allow raw'" 0 apply "$AGENT" "$P2"
check "raw socket icmp to api allowed with 'allow raw'" probe "$AGENT" icmp $API4 --raw
check "raw socket icmpv6 to api allowed with 'allow raw'" probe "$AGENT" icmp $API6 --raw
check_fail "'allow raw' does not open other addresses (raw icmp to other)" \
	probe "$AGENT" icmp $OTHER4 --raw --timeout 1
check "'allow raw' does not open tcp" tcp_refused_fast "$AGENT" $API4 8080
