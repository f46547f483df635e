#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own validation of what egresskctl never sends (uapi strict
# netlink: range policies, required and refused attributes, extack messages).
# userspace/nlcheck (tests/integration/nlcheck.c) sends one crafted request
# per case through the same libnl code as egresskctl and prints
# "errno=N msg=EXTACK"; each case checks both the errno and the message.
# Then a policy with every DNS setting at an edge and a dns-name rule loads,
# and show prints them back.
#
#   agent netns (the target of every request; no traffic)
source "$(dirname "$0")/lib.sh"
require_built
NLCHECK=$REPO/userspace/nlcheck
[ -x "$NLCHECK" ] || bail "userspace/nlcheck is built (make)"
module_load || bail "module loads"
ns_create AGENT agent
NSPATH=/run/netns/$AGENT

# expect CASE ERRNO MESSAGE-REGEX: what the kernel answers
expect() {
	local out
	out=$("$NLCHECK" "$NSPATH" "$1" 2>&1)
	if echo "$out" | grep -Eq "^errno=$2 msg=.*$3"; then
		ok "$1: errno $2, '$(echo "$out" | sed 's/^errno=[0-9]* msg=//')'"
	else
		nok "$1: errno $2 and a message matching /$3/" "got: $out"
	fi
}
EINVAL=22 ERANGE=34 ENOENT=2

# TXN_BEGIN settings
expect ttl-floor-above-ceiling $EINVAL 'floor is above the ceiling'
expect ttl-floor-above-default-ceiling $EINVAL 'floor is above the ceiling'
expect ttl-floor-zero $ERANGE 'out of range'
expect ttl-ceiling-over-max $ERANGE 'out of range'
expect dns-filter-out-of-range $ERANGE 'out of range'
expect binding-out-of-range $ERANGE 'out of range'
expect learned-from-user $EINVAL 'kernel-to-user only'
expect guards-from-user $EINVAL 'kernel-to-user only'
expect settings-valid 0 ''
# dns-name rules in TXN_ADD
expect dns-name-valid 0 ''
expect dns-name-with-ports $EINVAL 'dns-name rule takes no protocol or ports'
expect dns-name-with-proto $EINVAL 'dns-name rule takes no protocol or ports'
expect dns-name-with-address $EINVAL 'takes a name, not an address'
expect dns-name-deny $EINVAL 'can only allow'
expect dns-name-without-name $EINVAL 'without a name'
expect dns-name-bad-name $EINVAL 'not a domain name'
expect cidr-with-name $EINVAL 'only domain and dns-name rules take a name'
# no policy: the learned table has nothing to show (a dump's start carries
# no extack on 6.1, so only the errno)
expect learned-get $ENOENT ''

# the same settings through egresskctl load and come back from the kernel
P=$(policy edge <<EOF
allow dns 192.0.2.53
allow dns-name .Example.COM.
allow domain .pkg.test
dns filter strict
domain-binding none
dns ttl-floor 1
dns ttl-ceiling 604800
EOF
)
check_rc "a policy with every DNS setting at an edge loads" 0 apply "$AGENT" "$P"
ctl show --netns-name "$AGENT" >"$TMPD/show.out" 2>&1
for line in 'allow dns-name .example.com' 'dns filter strict' 'domain-binding none' \
	'dns ttl-floor 1' 'dns ttl-ceiling 604800'; do
	check "show prints '$line' back (as the kernel holds it)" grep -qx "$line" "$TMPD/show.out"
done
check "show --learned on a fresh policy lists nothing" \
	sh -c "! '$CTL' show --netns-name '$AGENT' --learned | grep -q '192\\.0\\.2\\.'"
ctl clear --netns-name "$AGENT" >/dev/null
check_rc "show --learned without a policy: exit 1" 1 ctl show --netns-name "$AGENT" --learned
