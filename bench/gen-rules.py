#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the rule sets of the benchmark, the same content in four forms.

    gen-rules.py OUTDIR SPEC...      SPEC is rand:N, mix:N, so:N or dom:N

For each SPEC it writes OUTDIR/SPEC-NAME.{egressk,ipset,ipt-set,ipt-lin,nft}:
  rand:N  N-1 random IPv4 prefixes (/24../32 inside distinct random /24s,
          outside 0/8, 10/8, 127/8, 198.51.100/24, 203.0.113/24, 224/3)
          plus the server 198.51.100.200/32;
  mix:N   a cloud-provider-like mix: 70% IPv4 /12../24 and 30% IPv6 /32../48
          (inside 2600::/8..2a00::/8, never 2001:db8::/32), non-overlapping,
          plus the server;
  so:N    N-1 random prefixes plus the scale-out server 2001:db8:100::1/128
          (egressk form only);
  dom:N   domain rules, egressk form only: dom-N.egressk is `default reject`
          with N-2 random names (half exact, half `.suffix`, 2-4 labels, none
          under egressk.test) plus the two names the SNI workload sends
          (curl.fixture.egressk.test, chromium.fixture.egressk.test, the SNIs
          of tests/parsers/fixtures/{curl,chromium}.bin), on the default ports
          80 and 443, `domain-binding none` (SNI alone); dom-N-cidr.egressk
          is the same plus `allow cidr` of the server, so the same flows are
          allowed on their address instead; dom-N-dns.egressk is the same N
          rules under `domain-binding dns` with the bench's resolver pinned
          (`allow dns 192.0.2.53`), so flows need the server's address
          learned from its answers as well (block D).
A miss address (203.0.113.1) is in none of them.  Deterministic (seeded).
"""
import bisect
import ipaddress
import os
import random
import sys

SERVER4 = "198.51.100.200"
SERVER6 = "2001:db8:100::1"
RESOLVER4 = "192.0.2.53"  # dnsmasq in the server netns (block D)
BAD_FIRST = {0, 10, 127, 198, 203} | set(range(224, 256))


def rand_v4(rnd, n):
    seen, out = set(), []
    while len(out) < n:
        base = rnd.getrandbits(24)
        if base in seen or (base >> 16) in BAD_FIRST:
            continue
        seen.add(base)
        plen = rnd.choice((24, 24, 25, 26, 28, 32))
        host = rnd.getrandbits(plen - 24) << (32 - plen) if plen > 24 else 0
        out.append((4, (base << 8) | host, plen))
    return out


class Disjoint:
    """Non-overlapping intervals, for the mix (nft interval sets refuse overlaps)."""

    def __init__(self):
        self.starts, self.ends = [], []

    def add(self, lo, hi):
        i = bisect.bisect_right(self.starts, hi)
        if i and self.ends[i - 1] >= lo:
            return False
        self.starts.insert(i, lo)
        self.ends.insert(i, hi)
        return True


def mix(rnd, n):
    n4 = n * 7 // 10
    out, d4, d6 = [], Disjoint(), Disjoint()
    while len(out) < n4:
        r = rnd.random()
        plen = rnd.randint(12, 15) if r < 0.02 else rnd.randint(16, 19) if r < 0.25 else rnd.randint(20, 24)
        a = rnd.getrandbits(32) >> (32 - plen) << (32 - plen)
        if (a >> 24) in BAD_FIRST or (a >> 24) == 192:
            continue
        if d4.add(a, a | ((1 << (32 - plen)) - 1)):
            out.append((4, a, plen))
    while len(out) < n:
        plen = rnd.randint(32, 48)
        top = rnd.choice((0x2600, 0x2604, 0x2606, 0x2a00, 0x2a01, 0x2a05, 0x2406, 0x2404))
        a = (top << 112) | (rnd.getrandbits(plen - 16) << (128 - plen))
        if d6.add(a, a | ((1 << (128 - plen)) - 1)):
            out.append((6, a, plen))
    rnd.shuffle(out)
    return out


def txt(fam, a, plen):
    ip = ipaddress.IPv4Address(a) if fam == 4 else ipaddress.IPv6Address(a)
    return "%s/%d" % (ip, plen)


def write(outdir, name, rules, server, full=True):
    srv = (4, int(ipaddress.IPv4Address(server)), 32) if ":" not in server else \
        (6, int(ipaddress.IPv6Address(server)), 128)
    rules = rules + [srv]
    p = os.path.join(outdir, name)
    with open(p + ".egressk", "w") as f:
        f.write("# %s: %d rules\nmode enforce\ndefault reject\n" % (name, len(rules)))
        f.writelines("allow cidr %s\n" % txt(*r) for r in rules)
    if not full:
        return
    v4 = [txt(*r) for r in rules if r[0] == 4]
    v6 = [txt(*r) for r in rules if r[0] == 6]
    with open(p + ".ipset", "w") as f:
        f.write("create a4 hash:net family inet hashsize 4096 maxelem 1048576\n")
        f.writelines("add a4 %s\n" % x for x in v4)
        if v6:
            f.write("create a6 hash:net family inet6 hashsize 4096 maxelem 1048576\n")
            f.writelines("add a6 %s\n" % x for x in v6)
    # iptables-restore input for the ipset configuration (both families)
    for fam, setname, suffix in ((4, "a4", ".ipt-set"), (6, "a6", ".ip6t-set")):
        with open(p + suffix, "w") as f:
            f.write("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o lo -j ACCEPT\n")
            if (fam == 4 and v4) or (fam == 6 and v6):
                f.write("-A OUTPUT -m set --match-set %s dst -j ACCEPT\n" % setname)
            if fam == 6:
                f.write("-A OUTPUT -p ipv6-icmp -j ACCEPT\n")  # neighbour discovery
            f.write("-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n-A OUTPUT -j REJECT\nCOMMIT\n")
    if len(rules) <= 5000:
        with open(p + ".ipt-lin", "w") as f:
            f.write("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o lo -j ACCEPT\n")
            f.writelines("-A OUTPUT -d %s -j ACCEPT\n" % x for x in v4)
            f.write("-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n-A OUTPUT -j REJECT\nCOMMIT\n")
    with open(p + ".nft", "w") as f:
        f.write("table inet bench {\n"
                "  set a4 { type ipv4_addr; flags interval; }\n"
                "  set a6 { type ipv6_addr; flags interval; }\n"
                "  chain out {\n"
                "    type filter hook output priority 0; policy accept;\n"
                "    oif \"lo\" accept\n"
                "    ip daddr @a4 accept\n"
                "    ip6 daddr @a6 accept\n"
                "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept\n"
                "    meta l4proto tcp reject with tcp reset\n"
                "    reject\n  }\n}\n")
        for setname, xs in (("a4", v4), ("a6", v6)):
            for i in range(0, len(xs), 2000):
                f.write("add element inet bench %s { %s }\n" % (setname, ", ".join(xs[i:i + 2000])))


SNI_NAMES = ("curl.fixture.egressk.test", "chromium.fixture.egressk.test")


def rand_label(rnd, lo, hi):
    return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(lo, hi)))


def write_domains(outdir, n, rnd):
    names, seen = [], set(SNI_NAMES)
    while len(names) < n - len(SNI_NAMES):
        labels = [rand_label(rnd, 3, 10) for _ in range(rnd.randint(1, 3))]
        name = ".".join(labels + [rnd.choice(("com", "net", "org", "io", "dev", "cloud"))])
        if name in seen:
            continue
        seen.add(name)
        names.append(("." if rnd.random() < 0.5 else "") + name)
    names += SNI_NAMES
    rnd.shuffle(names)
    for suffix, what, binding, extra in (
            ("", "SNI alone", "none", ""),
            ("-cidr", "SNI alone, the server allowed by CIDR", "none", "allow cidr %s/32\n" % SERVER4),
            ("-dns", "bound to addresses learned from the pinned resolver", "dns", "allow dns %s\n" % RESOLVER4)):
        with open(os.path.join(outdir, "dom-%d%s.egressk" % (n, suffix)), "w") as f:
            f.write("# dom-%d%s: %d domain rules, %s\n"
                    "mode enforce\ndefault reject\ndomain-binding %s\n%s" % (n, suffix, n, what, binding, extra))
            f.writelines("allow domain %s\n" % x for x in names)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for spec in sys.argv[2:]:
        kind, n = spec.split(":")
        n = int(n)
        rnd = random.Random("egressk-bench-%s-%d" % (kind, n))
        if kind == "rand":
            write(outdir, "rand-%d" % n, rand_v4(rnd, n - 1), SERVER4)
        elif kind == "mix":
            write(outdir, "mix-%d" % n, mix(rnd, n - 1), SERVER4)
        elif kind == "so":
            write(outdir, "so-%d" % n, rand_v4(rnd, n - 1), SERVER6, full=False)
        elif kind == "dom":
            write_domains(outdir, n, rnd)
        else:
            sys.exit("unknown spec " + spec)


if __name__ == "__main__":
    main()
