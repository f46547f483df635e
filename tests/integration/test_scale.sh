#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A 100,000-rule policy: random non-overlapping prefixes (IPv4 and IPv6)
# generated here, loaded through the chunked transaction; the load time is
# measured and printed, and the policy is checked to be in force.  Then a
# policy over the kernel's rule limit is refused and changes nothing.  Last,
# policies of 10 and 10,000 domain rules load and decide alike.
#
#   agent netns (policed)                net netns (tcp 80 server)
#     veth0 192.0.2.1/24   <-------->   veth1 192.0.2.2/24 (api, listed), 192.0.2.3/24 (other)
#     PICK/32 via 192.0.2.2                   PICK/32: an address inside one random listed prefix
source "$(dirname "$0")/lib.sh"
require_built
module_load || bail "module loads"
topo_basic
serve "$NET" --tcp 80

N=${EGRESSK_SCALE_RULES:-100000}
gen() {   # gen COUNT FILE PICKFILE: COUNT-1 random rules + the api server
	python3 -I -S - "$1" "$2" "$3" "$API4" <<'PY'
# Plain integers, no ipaddress module: this runs under emulation.
import random, sys
count, out, pick, api = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rnd = random.Random(20261124)
# first octets never used: 0, 10, 127, 192 (192.0.2.0/24 lives there), 198
# (198.51.100.0/24), 203 (203.0.113.0/24), 224 and up
bad_first = {0, 10, 127, 192, 198, 203} | set(range(224, 256))
tails = ("", " tcp", " tcp port 443", " udp port 53,123", " tcp port 8000-8100")
plens = (24, 24, 25, 26, 28, 32)
n4 = (count - 1) * 4 // 5
seen, lines, picked = set(), [], None
while len(seen) < n4:
    base = rnd.getrandbits(24)            # a /24, so no two rules overlap
    if base in seen or (base >> 16) in bad_first:
        continue
    seen.add(base)
    plen = rnd.choice(plens)
    host = rnd.getrandbits(plen - 24) << (32 - plen) if plen > 24 else 0
    a = (base << 8) | host
    tail = rnd.choice(tails)
    txt = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
    if plen != 32:
        txt += "/%d" % plen
    lines.append("allow cidr %s%s\n" % (txt, tail))
    if picked is None and tail == "" and plen <= 30:
        picked = "%s %d.%d.%d.%d\n" % (txt, a >> 24, (a >> 16) & 255, (a >> 8) & 255, (a & 255) + 1)
seen6 = set()
while len(seen6) < count - 1 - n4:
    g = rnd.getrandbits(32)               # 2a00:XXXX:XXXX::/48, one each
    if g in seen6:
        continue
    seen6.add(g)
    lines.append("allow cidr 2a00:%x:%x::/%d\n" % (g >> 16, g & 0xFFFF, rnd.choice((48, 56, 64))))
rnd.shuffle(lines)
with open(out, "w") as f:
    f.write("# %d generated rules\n" % count)
    f.writelines(lines)
    f.write("allow cidr %s tcp port 80\n" % api)
open(pick, "w").write(picked)
PY
}

start=$(now)
gen "$N" "$TMPD/big.policy" "$TMPD/pick" || bail "generate $N rules"
info "generated $N rules in $(elapsed "$start")s"
check "the generated policy has $N rules" \
	test "$(grep -c '^allow' "$TMPD/big.policy")" -eq "$N"
read -r PICKNET PICK <"$TMPD/pick"
addr "$NET" veth1 "$PICK/32"
ip -n "$AGENT" route add "$PICK/32" via $API4
check "before the policy: the picked address $PICK ($PICKNET) is reachable" tcp_ok "$AGENT" "$PICK" 80

start=$(now)
check_rc "apply $N rules" 0 apply "$AGENT" "$TMPD/big.policy"
t=$(elapsed "$start")
info "loaded $N rules in ${t}s (egresskctl apply wall time, parse + netlink + compile, under emulation)"

check "policy in force: listed api server reachable" tcp_ok "$AGENT" $API4 80
check "policy in force: address in a listed prefix ($PICKNET) reachable" tcp_ok "$AGENT" "$PICK" 80
check "policy in force: unlisted other refused" tcp_refused_fast "$AGENT" $OTHER4 80
check "policy in force: unlisted [other] refused" tcp_refused_fast "$AGENT" $OTHER6 80
cnt=$(ctl list --json | json_num 'rule')
info "list --json rule count: $cnt"
if [ "${cnt:-0}" -ge "$N" ] 2>/dev/null; then ok "list reports $N rules"
else nok "list reports $N rules" "got '$cnt'"; fi

start=$(now)
ctl show --netns-name "$AGENT" >"$TMPD/big.show" 2>&1
info "show of $N rules took $(elapsed "$start")s"
check "show prints all $N rules" test "$(grep -c '^allow' "$TMPD/big.show")" -ge "$N"

# Over the limit (EGRESSK_MAX_RULES = 262144): refused with exit 2, old policy stays.
if [ "${EGRESSK_SCALE_OVER:-1}" = 1 ]; then
	python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(262145):
        f.write("allow cidr 10.%d.%d.%d\n" % (i >> 16, (i >> 8) & 255, i & 255))
' "$TMPD/over.policy"
	start=$(now)
	check_rc "262,145 rules (over EGRESSK_MAX_RULES) refused with exit 2" 2 \
		apply "$AGENT" "$TMPD/over.policy"
	info "refusing the oversized policy took $(elapsed "$start")s"
	check "...the $N-rule policy is still in force (api ok)" tcp_ok "$AGENT" $API4 80
	check "...the $N-rule policy is still in force (other refused)" tcp_refused_fast "$AGENT" $OTHER4 80
	rules_now() { [ "$(ctl list --json | json_num 'rule')" -eq "$1" ]; }
	check "...and still has $N rules" rules_now "$N"
fi

# Domain rules: 10 and 10,000 of them, the real name last.  Both must load and
# decide the same way; how fast they match is measured by the callgrind
# microbenchmark (bench/micro.c: instructions per match for 10 and 10k).
gen_domains() {   # gen_domains COUNT FILE
	python3 -I -S - "$1" "$2" <<'PY'
import random, sys
count, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20261202)
alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
names = set()
while len(names) < count - 1:
    labels = ["".join(rnd.choice(alpha) for _ in range(rnd.randint(3, 12)))
              for _ in range(rnd.randint(2, 4))]
    names.add(rnd.choice(("", ".", "*.")) + ".".join(labels) + ".test")
with open(out, "w") as f:
    for n in sorted(names):
        f.write("allow domain %s\n" % n)
    f.write("allow domain .last.test\n")
    # SNI/Host matching alone: no resolver in this test (test_dns.sh binds)
    f.write("domain-binding none\n")
PY
}
for n in 10 10000; do
	gen_domains $n "$TMPD/dom$n.policy" || bail "generate $n domain rules"
	start=$(now)
	check_rc "apply $n domain rules" 0 apply "$AGENT" "$TMPD/dom$n.policy"
	info "loaded $n domain rules in $(elapsed "$start")s (egresskctl apply wall time, under emulation)"
	check "$n domain rules: www.last.test (the last rule) allowed by Host on an unlisted address" \
		ip netns exec "$AGENT" curl -sf --max-time 5 -o /dev/null \
		--resolve www.last.test:80:$OTHER4 http://www.last.test/
	check_fail "$n domain rules: www.notlisted.test refused" \
		ip netns exec "$AGENT" curl -sf --max-time 5 -o /dev/null \
		--resolve www.notlisted.test:80:$OTHER4 http://www.notlisted.test/
	check "$n domain rules: show prints them all" \
		test "$(ctl show --netns-name "$AGENT" | grep -c '^allow domain')" -eq "$n"
done
