// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite egressk_cidr: the CIDR rule compiler and O(log n) lookup of
 * kmod/cidr.c, in a real kernel (kvmalloc, sort()).
 *
 * Semantics under test (DESIGN §3, kmod/cidr.h):
 *  - a rule matches when the address is inside its prefix and the protocol
 *    matches (any matches every protocol; tcp/udp rules with ports match
 *    only a known port inside one of their ranges);
 *  - a matching deny beats every matching allow, whatever the prefix
 *    lengths; without deny, a matching allow gives ALLOW; else no match;
 *  - the reported rule is one of the winning action's matching rules with
 *    the longest prefix (the innermost).
 *
 * Hand-written policies check named behaviours with expected verdicts and
 * rule ids written from those semantics.  Random policies with thousands of
 * prefixes are checked against a brute-force linear reference in this file.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/prandom.h>
#include <linux/string.h>

#include "cidr.h"

#define NO_MATCH	(-1)

/* ------------------------------------------------------------- helpers */

/* The network bits of a /@plen prefix in a @width-bit family. */
static struct cidr_key net_mask(unsigned int width, unsigned int plen)
{
	struct cidr_key m = { 0, 0 };
	unsigned int bit;

	/* Bit-by-bit on purpose: independent of the shift tricks in cidr.c. */
	for (bit = 0; bit < plen; bit++) {
		unsigned int from_top = bit + (128 - width);

		if (from_top < 64)
			m.hi |= 1ULL << (63 - from_top);
		else
			m.lo |= 1ULL << (127 - from_top);
	}
	return m;
}

static bool key_in_prefix(const struct cidr_key *addr, const struct cidr_key *net,
			  unsigned int width, unsigned int plen)
{
	struct cidr_key m = net_mask(width, plen);

	return !((addr->hi ^ net->hi) & m.hi) && !((addr->lo ^ net->lo) & m.lo);
}

/* "10.1.2.3" or "2001:db8::1", optionally "/len"; returns the width. */
static unsigned int parse_addr(struct kunit *test, const char *s,
			       struct cidr_key *k, unsigned int *plen)
{
	const char *slash = strchr(s, '/');
	const char *end = slash ? slash : s + strlen(s);
	u8 a[16];
	unsigned int width;

	if (in4_pton(s, end - s, a, -1, NULL)) {
		width = 32;
		k->hi = 0;
		k->lo = (u64)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	} else if (in6_pton(s, end - s, a, -1, NULL)) {
		int i;

		width = 128;
		k->hi = 0;
		k->lo = 0;
		for (i = 0; i < 8; i++) {
			k->hi = k->hi << 8 | a[i];
			k->lo = k->lo << 8 | a[8 + i];
		}
	} else {
		KUNIT_FAIL(test, "test table: bad address \"%s\"", s);
		return 0;
	}
	*plen = width;
	if (slash && kstrtouint(slash + 1, 10, plen))
		KUNIT_FAIL(test, "test table: bad prefix length in \"%s\"", s);
	return width;
}

/* "80,443,8000-8080" into @out; returns the number of ranges. */
static u32 parse_ports(struct kunit *test, const char *spec,
		       struct cidr_port_range *out, u32 max)
{
	u32 n = 0;
	char buf[64], *p = buf, *tok;

	if (!spec)
		return 0;
	strscpy(buf, spec, sizeof(buf));
	while ((tok = strsep(&p, ",")) && n < max) {
		char *dash = strchr(tok, '-');
		u16 first, last;

		if (dash)
			*dash = '\0';
		if (kstrtou16(tok, 10, &first) ||
		    kstrtou16(dash ? dash + 1 : tok, 10, &last))
			KUNIT_FAIL(test, "test table: bad port spec \"%s\"", spec);
		out[n].first = first;
		out[n].last = last;
		n++;
	}
	return n;
}

/* What a built table allocated, index included. */
static u64 table_bytes(const struct cidr_table *t)
{
	return (u64)t->nr_iv * (sizeof(*t->iv_start) + sizeof(*t->iv_node)) +
	       (t->nr_iv ? ((u64)t->idx_max + 2) * sizeof(*t->iv_idx) : 0) +
	       (u64)t->nr_nodes * sizeof(*t->nodes) +
	       (u64)t->nr_ports * sizeof(*t->ports);
}

/* --------------------------------------------- the brute-force reference */

static bool ref_rule_matches(const struct cidr_rule_in *r, unsigned int width,
			     const struct cidr_key *addr, enum cidr_proto proto,
			     bool has_port, u16 port)
{
	u32 i;

	if (!key_in_prefix(addr, &r->addr, width, r->prefixlen))
		return false;
	if (r->proto == CIDR_PROTO_ANY)
		return true;
	if (r->proto != proto)
		return false;
	if (!r->nr_ranges)
		return true;
	if (!has_port)
		return false;
	for (i = 0; i < r->nr_ranges; i++)
		if (port >= r->ranges[i].first && port <= r->ranges[i].last)
			return true;
	return false;
}

/* Verdict by a linear scan; *best_plen: longest matching prefix of it. */
static int ref_lookup(const struct cidr_rule_in *rules, u32 nr, unsigned int width,
		      const struct cidr_key *addr, enum cidr_proto proto,
		      bool has_port, u16 port, int *best_plen)
{
	int plen[CIDR_NR_ACTIONS] = { -1, -1 };
	u32 i;

	for (i = 0; i < nr; i++)
		if (ref_rule_matches(&rules[i], width, addr, proto, has_port, port) &&
		    (int)rules[i].prefixlen > plen[rules[i].action])
			plen[rules[i].action] = rules[i].prefixlen;
	if (plen[CIDR_DENY] >= 0) {
		*best_plen = plen[CIDR_DENY];
		return CIDR_DENY;
	}
	*best_plen = plen[CIDR_ALLOW];
	return plen[CIDR_ALLOW] >= 0 ? CIDR_ALLOW : NO_MATCH;
}

/*
 * Compare cidr_lookup() with the reference for one probe.  The reported id
 * must name a rule that matches, has the winning action and the innermost
 * prefix.  Returns false (once reported) on a mismatch.
 */
static bool check_probe(struct kunit *test, const struct cidr_table *t,
			const struct cidr_rule_in *rules, u32 nr, unsigned int width,
			const struct cidr_key *addr, enum cidr_proto proto,
			bool has_port, u16 port, const char *what)
{
	struct cidr_result got = cidr_lookup(t, addr, proto, has_port, port);
	int best_plen, want = ref_lookup(rules, nr, width, addr, proto, has_port,
					 port, &best_plen);
	const struct cidr_rule_in *r = NULL;
	u32 i;

	if (got.verdict != want) {
		KUNIT_FAIL(test, "%s: %016llx%016llx proto %d port %s%u: verdict %d, reference %d",
			   what, addr->hi, addr->lo, proto, has_port ? "" : "unknown/",
			   port, got.verdict, want);
		return false;
	}
	if (want == NO_MATCH) {
		if (got.rule_id != CIDR_NONE) {
			KUNIT_FAIL(test, "%s: no match but rule id %u", what, got.rule_id);
			return false;
		}
		return true;
	}
	for (i = 0; i < nr; i++)
		if (rules[i].id == got.rule_id)
			r = &rules[i];
	if (!r || r->action != want || r->prefixlen != best_plen ||
	    !ref_rule_matches(r, width, addr, proto, has_port, port)) {
		KUNIT_FAIL(test, "%s: %016llx%016llx proto %d port %u: rule id %u is not an innermost matching rule of the verdict (want /%d)",
			   what, addr->hi, addr->lo, proto, port, got.rule_id, best_plen);
		return false;
	}
	return true;
}

/* --------------------------------------------------- cidr_policy (named) */

struct rule_spec {
	const char *prefix;
	u8 action;
	u8 proto;
	const char *ports;
};

struct probe_spec {
	const char *addr;
	u8 proto;		/* enum cidr_proto */
	int port;		/* -1: unknown (non-first fragment) */
	int verdict;		/* NO_MATCH, CIDR_ALLOW, CIDR_DENY */
	u32 rule;		/* 1-based index into the rules; 0 with NO_MATCH */
};

#define MAX_RULES	8
#define MAX_PROBES	12

struct policy_case {
	const char *desc;
	struct rule_spec rules[MAX_RULES];	/* ends at prefix == NULL */
	struct probe_spec probes[MAX_PROBES];	/* ends at addr == NULL */
};

#define A CIDR_ALLOW
#define D CIDR_DENY
#define ANY CIDR_PROTO_ANY
#define TCP CIDR_PROTO_TCP
#define UDP CIDR_PROTO_UDP
#define ICMP CIDR_PROTO_ICMP
#define OTHER CIDR_PROTO_OTHER

static const struct policy_case policy_cases[] = {
	{ "v4-empty-policy-matches-nothing", {},
	  { { "10.0.0.1", TCP, 443, NO_MATCH }, { "0.0.0.0", OTHER, -1, NO_MATCH } } },
	/* First and last address of a prefix, and the neighbours outside it. */
	{ "v4-slash24-boundaries", { { "10.1.2.0/24", A, ANY } },
	  { { "10.1.2.0", TCP, 80, A, 1 }, { "10.1.2.255", TCP, 80, A, 1 },
	    { "10.1.1.255", TCP, 80, NO_MATCH }, { "10.1.3.0", TCP, 80, NO_MATCH } } },
	{ "v4-slash0-matches-every-address", { { "0.0.0.0/0", A, ANY } },
	  { { "0.0.0.0", UDP, 53, A, 1 }, { "255.255.255.255", UDP, 53, A, 1 },
	    { "192.0.2.1", OTHER, -1, A, 1 } } },
	{ "v4-slash32-is-one-host", { { "192.0.2.7/32", A, ANY } },
	  { { "192.0.2.7", TCP, 1, A, 1 }, { "192.0.2.6", TCP, 1, NO_MATCH },
	    { "192.0.2.8", TCP, 1, NO_MATCH } } },
	{ "v4-slash1-upper-half", { { "128.0.0.0/1", A, ANY } },
	  { { "127.255.255.255", TCP, 1, NO_MATCH }, { "128.0.0.0", TCP, 1, A, 1 },
	    { "255.255.255.255", TCP, 1, A, 1 } } },
	/* Regression: interval end computed by +1 must not wrap at the top. */
	{ "v4-prefix-at-top-of-space", { { "255.255.255.0/24", A, ANY } },
	  { { "255.255.255.255", TCP, 1, A, 1 }, { "255.255.254.255", TCP, 1, NO_MATCH } } },
	{ "v4-prefix-at-bottom-of-space", { { "0.0.0.0/8", D, ANY } },
	  { { "0.0.0.0", TCP, 1, D, 1 }, { "0.255.255.255", TCP, 1, D, 1 },
	    { "1.0.0.0", TCP, 1, NO_MATCH } } },
	{ "v4-deny-nested-in-allow", { { "10.0.0.0/8", A, ANY }, { "10.1.0.0/16", D, ANY } },
	  { { "10.1.2.3", TCP, 443, D, 2 }, { "10.1.0.0", TCP, 443, D, 2 },
	    { "10.1.255.255", TCP, 443, D, 2 }, { "10.0.255.255", TCP, 443, A, 1 },
	    { "10.2.0.0", TCP, 443, A, 1 }, { "11.0.0.0", TCP, 443, NO_MATCH } } },
	/* Deny beats allow even when the allow is more specific (DESIGN §3). */
	{ "v4-outer-deny-beats-inner-allow", { { "10.0.0.0/8", D, ANY }, { "10.1.0.0/16", A, ANY } },
	  { { "10.1.2.3", TCP, 443, D, 1 }, { "10.9.0.0", UDP, 53, D, 1 } } },
	{ "v4-same-prefix-deny-beats-allow", { { "10.0.0.0/8", A, ANY }, { "10.0.0.0/8", D, ANY } },
	  { { "10.0.0.1", TCP, 22, D, 2 } } },
	{ "v4-innermost-allow-reported", { { "10.0.0.0/8", A, ANY }, { "10.1.0.0/16", A, ANY } },
	  { { "10.1.0.1", TCP, 22, A, 2 }, { "10.2.0.1", TCP, 22, A, 1 } } },
	{ "v4-innermost-deny-reported", { { "10.0.0.0/8", D, ANY }, { "10.1.0.0/16", D, ANY },
					   { "10.1.1.0/24", A, ANY } },
	  { { "10.1.1.1", TCP, 22, D, 2 }, { "10.2.0.1", TCP, 22, D, 1 } } },
	/* Regression: a /32 deny deep in a chain of alternating actions. */
	{ "v4-deep-alternating-chain", { { "10.0.0.0/8", A, ANY }, { "10.1.0.0/16", D, ANY },
					 { "10.1.2.0/24", A, ANY }, { "10.1.2.3/32", D, ANY } },
	  { { "10.1.2.3", TCP, 1, D, 4 }, { "10.1.2.4", TCP, 1, D, 2 },
	    { "10.2.0.0", TCP, 1, A, 1 } } },
	{ "v4-disjoint-siblings-and-gap", { { "10.0.0.0/24", A, ANY }, { "10.0.2.0/24", A, ANY } },
	  { { "10.0.0.255", TCP, 1, A, 1 }, { "10.0.1.0", TCP, 1, NO_MATCH },
	    { "10.0.1.255", TCP, 1, NO_MATCH }, { "10.0.2.0", TCP, 1, A, 2 } } },
	{ "v4-tcp-port-set", { { "10.0.0.0/8", A, TCP, "80,443,8000-8080" } },
	  { { "10.0.0.1", TCP, 80, A, 1 }, { "10.0.0.1", TCP, 443, A, 1 },
	    { "10.0.0.1", TCP, 8000, A, 1 }, { "10.0.0.1", TCP, 8080, A, 1 },
	    { "10.0.0.1", TCP, 7999, NO_MATCH }, { "10.0.0.1", TCP, 8081, NO_MATCH },
	    { "10.0.0.1", TCP, 81, NO_MATCH }, { "10.0.0.1", UDP, 80, NO_MATCH },
	    { "10.0.0.1", ICMP, -1, NO_MATCH } } },
	/* Regression: a non-first fragment has no port: port rules cannot match. */
	{ "v4-unknown-port-skips-port-rules", { { "10.0.0.0/8", A, TCP, "80" } },
	  { { "10.0.0.1", TCP, -1, NO_MATCH }, { "10.0.0.1", TCP, 80, A, 1 } } },
	{ "v4-port-0-and-65535", { { "0.0.0.0/0", A, UDP, "0" }, { "0.0.0.0/0", A, UDP, "65535" } },
	  { { "1.2.3.4", UDP, 0, A, 1 }, { "1.2.3.4", UDP, 65535, A, 2 },
	    { "1.2.3.4", UDP, 1, NO_MATCH }, { "1.2.3.4", UDP, 65534, NO_MATCH } } },
	{ "v4-proto-any-matches-all-protocols", { { "10.0.0.0/8", A, ANY } },
	  { { "10.0.0.1", TCP, 1, A, 1 }, { "10.0.0.1", UDP, 1, A, 1 },
	    { "10.0.0.1", ICMP, -1, A, 1 }, { "10.0.0.1", OTHER, -1, A, 1 },
	    { "10.0.0.1", TCP, -1, A, 1 } } },
	{ "v4-icmp-rule-only-icmp", { { "10.0.0.0/8", A, ICMP } },
	  { { "10.0.0.1", ICMP, -1, A, 1 }, { "10.0.0.1", TCP, 1, NO_MATCH },
	    { "10.0.0.1", OTHER, -1, NO_MATCH } } },
	{ "v4-tcp-rule-without-ports-all-ports", { { "10.0.0.0/8", A, TCP } },
	  { { "10.0.0.1", TCP, 0, A, 1 }, { "10.0.0.1", TCP, 65535, A, 1 },
	    { "10.0.0.1", TCP, -1, A, 1 }, { "10.0.0.1", UDP, 1, NO_MATCH } } },
	{ "v4-deny-port-inside-allowed-prefix", { { "10.0.0.0/8", A, ANY }, { "10.0.0.0/8", D, TCP, "25" } },
	  { { "10.0.0.1", TCP, 25, D, 2 }, { "10.0.0.1", TCP, 26, A, 1 },
	    { "10.0.0.1", UDP, 25, A, 1 }, { "10.0.0.1", TCP, -1, A, 1 } } },
	{ "v4-deny-other-proto-leaves-allow", { { "10.0.0.0/8", D, UDP }, { "10.1.0.0/16", A, TCP } },
	  { { "10.1.0.1", TCP, 443, A, 2 }, { "10.1.0.1", UDP, 443, D, 1 },
	    { "10.1.0.1", ICMP, -1, NO_MATCH } } },
	/* Overlapping port sets on nested prefixes: the deny range wins inside it. */
	{ "v4-nested-port-ranges", { { "10.0.0.0/8", A, TCP, "1-1024" }, { "10.1.0.0/16", D, TCP, "22" } },
	  { { "10.1.0.1", TCP, 22, D, 2 }, { "10.1.0.1", TCP, 21, A, 1 },
	    { "10.2.0.1", TCP, 22, A, 1 }, { "10.1.0.1", TCP, 1025, NO_MATCH } } },
	{ "v6-slash64-boundaries", { { "2001:db8:0:1::/64", A, ANY } },
	  { { "2001:db8:0:1::", TCP, 443, A, 1 },
	    { "2001:db8:0:1:ffff:ffff:ffff:ffff", TCP, 443, A, 1 },
	    { "2001:db8:0:0:ffff:ffff:ffff:ffff", TCP, 443, NO_MATCH },
	    { "2001:db8:0:2::", TCP, 443, NO_MATCH } } },
	/* Regression: prefixes that end just past / just before the 64-bit key halves. */
	{ "v6-slash65-across-key-halves", { { "2001:db8::8000:0:0:0/65", A, ANY } },
	  { { "2001:db8::8000:0:0:0", TCP, 1, A, 1 },
	    { "2001:db8::ffff:ffff:ffff:ffff", TCP, 1, A, 1 },
	    { "2001:db8::7fff:ffff:ffff:ffff", TCP, 1, NO_MATCH },
	    { "2001:db8:0:1::", TCP, 1, NO_MATCH } } },
	{ "v6-slash63-across-key-halves", { { "2001:db8:0:2::/63", A, ANY } },
	  { { "2001:db8:0:2::", TCP, 1, A, 1 },
	    { "2001:db8:0:3:ffff:ffff:ffff:ffff", TCP, 1, A, 1 },
	    { "2001:db8:0:1:ffff:ffff:ffff:ffff", TCP, 1, NO_MATCH },
	    { "2001:db8:0:4::", TCP, 1, NO_MATCH } } },
	{ "v6-slash0-matches-every-address", { { "::/0", D, ANY } },
	  { { "::", TCP, 1, D, 1 }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", TCP, 1, D, 1 } } },
	{ "v6-slash128-is-one-host", { { "2001:db8::7/128", A, ANY } },
	  { { "2001:db8::7", TCP, 1, A, 1 }, { "2001:db8::6", TCP, 1, NO_MATCH },
	    { "2001:db8::8", TCP, 1, NO_MATCH } } },
	{ "v6-prefix-at-top-of-space", { { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", A, ANY } },
	  { { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", TCP, 1, A, 1 },
	    { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff", TCP, 1, NO_MATCH } } },
	{ "v6-deny-nested-in-allow", { { "2001:db8::/32", A, ANY }, { "2001:db8:bad::/48", D, ANY } },
	  { { "2001:db8:bad::1", TCP, 443, D, 2 }, { "2001:db8:bad:ffff::", TCP, 443, D, 2 },
	    { "2001:db8:bae::", TCP, 443, A, 1 }, { "2001:db9::", TCP, 443, NO_MATCH } } },
	{ "v6-icmpv6-and-ports", { { "2001:db8::/32", A, ICMP }, { "2001:db8::/32", A, TCP, "443" } },
	  { { "2001:db8::1", ICMP, -1, A, 1 }, { "2001:db8::1", TCP, 443, A, 2 },
	    { "2001:db8::1", TCP, 80, NO_MATCH } } },
};

static void policy_desc(const struct policy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cidr_policy, policy_cases, policy_desc);

static void cidr_policy_test(struct kunit *test)
{
	const struct policy_case *c = test->param_value;
	struct cidr_rule_in rules[MAX_RULES] = {};
	struct cidr_port_range ranges[MAX_RULES][8];
	struct cidr_table t = {};
	unsigned int width = 0, w, plen, i;
	u32 nr = 0;
	int ret;

	for (i = 0; i < MAX_RULES && c->rules[i].prefix; i++, nr++) {
		const struct rule_spec *s = &c->rules[i];

		w = parse_addr(test, s->prefix, &rules[i].addr, &plen);
		KUNIT_ASSERT_TRUE_MSG(test, !width || w == width, "mixed families in table");
		width = w;
		rules[i].prefixlen = plen;
		rules[i].action = s->action;
		rules[i].proto = s->proto;
		rules[i].id = 100 + i;
		rules[i].ranges = ranges[i];
		rules[i].nr_ranges = parse_ports(test, s->ports, ranges[i], 8);
	}
	if (!width)
		width = strchr(c->probes[0].addr, ':') ? 128 : 32;
	ret = cidr_table_build(&t, width, rules, nr);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "cidr_table_build");

	for (i = 0; i < MAX_PROBES && c->probes[i].addr; i++) {
		const struct probe_spec *p = &c->probes[i];
		struct cidr_key addr;
		struct cidr_result r;
		char what[96];

		w = parse_addr(test, p->addr, &addr, &plen);
		KUNIT_EXPECT_EQ(test, w, width);
		r = cidr_lookup(&t, &addr, p->proto, p->port >= 0, p->port < 0 ? 0 : p->port);
		snprintf(what, sizeof(what), "%s proto %u port %d", p->addr, p->proto, p->port);
		KUNIT_EXPECT_EQ_MSG(test, r.verdict, p->verdict, "%s", what);
		KUNIT_EXPECT_EQ_MSG(test, r.rule_id,
				    p->verdict == NO_MATCH ? CIDR_NONE : 100 + p->rule - 1,
				    "%s", what);
		/* The hand-written expectation and the reference must agree too. */
		check_probe(test, &t, rules, nr, width, &addr, p->proto, p->port >= 0,
			    p->port < 0 ? 0 : p->port, what);
	}
	cidr_table_free(&t);
}

/* --------------------------------------------------- cidr_build (errors) */

struct build_case {
	const char *desc;
	unsigned int width;
	struct cidr_rule_in rule;
	u32 nr_rules;
	int ret;
};

static const struct cidr_port_range port_80 = { 80, 80 };
static const struct cidr_port_range port_backwards = { 90, 80 };

static const struct build_case build_cases[] = {
	{ "v4-valid-rule", 32, { { 0, 0x0a000000 }, 8, A, ANY, 1 }, 1, 0 },
	{ "empty-rule-set", 32, {}, 0, 0 },
	{ "v6-slash0-valid", 128, { { 0, 0 }, 0, D, ANY, 1 }, 1, 0 },
	/* Backstops: callers validate first, but a bad rule must never build. */
	{ "v4-host-bits-set", 32, { { 0, 0x0a000001 }, 8, A, ANY, 1 }, 1, -EINVAL },
	{ "v4-prefix-33", 32, { { 0, 0x0a000000 }, 33, A, ANY, 1 }, 1, -EINVAL },
	{ "v4-address-above-32-bits", 32, { { 0, 0x10a000000ULL }, 32, A, ANY, 1 }, 1, -EINVAL },
	{ "v6-prefix-129", 128, { { 0, 0 }, 129, A, ANY, 1 }, 1, -EINVAL },
	{ "v6-host-bits-in-low-half", 128, { { 0x20010db800000000ULL, 1 }, 64, A, ANY, 1 }, 1, -EINVAL },
	{ "ports-with-proto-any", 32, { { 0, 0 }, 0, A, ANY, 1, 1, &port_80 }, 1, -EINVAL },
	{ "ports-with-icmp", 32, { { 0, 0 }, 0, A, ICMP, 1, 1, &port_80 }, 1, -EINVAL },
	{ "port-range-backwards", 32, { { 0, 0 }, 0, A, TCP, 1, 1, &port_backwards }, 1, -EINVAL },
	{ "bad-action", 32, { { 0, 0 }, 0, 7, ANY, 1 }, 1, -EINVAL },
	{ "proto-other-in-rule", 32, { { 0, 0 }, 0, A, OTHER, 1 }, 1, -EINVAL },
	/* CIDR_NONE is the "no rule" id of a result; a rule cannot carry it. */
	{ "rule-id-none", 32, { { 0, 0 }, 0, A, ANY, CIDR_NONE }, 1, -EINVAL },
};

static void build_desc(const struct build_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cidr_build, build_cases, build_desc);

static void cidr_build_test(struct kunit *test)
{
	const struct build_case *c = test->param_value;
	struct cidr_table t;
	struct cidr_result r;
	int ret;

	/* Garbage in: the contract says @t is set up (or emptied) by the build. */
	memset(&t, 0x5a, sizeof(t));
	ret = cidr_table_build(&t, c->width, &c->rule, c->nr_rules);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (ret) {
		/* "On error @t is left empty": nothing to look up, nothing to free. */
		KUNIT_EXPECT_EQ(test, t.nr_iv, 0U);
		KUNIT_EXPECT_EQ(test, t.nr_nodes, 0U);
		KUNIT_EXPECT_EQ(test, t.nr_ports, 0U);
		if (t.nr_iv)
			return;		/* a lookup would read garbage */
	}
	/* The rule's own first address: its action if built, else no match. */
	r = cidr_lookup(&t, &c->rule.addr, CIDR_PROTO_TCP, true, 80);
	KUNIT_EXPECT_EQ(test, r.verdict, ret || !c->nr_rules ? NO_MATCH : (int)c->rule.action);
	cidr_table_free(&t);
}

/* ------------------------------------------ cidr_random vs. the reference */

struct random_case {
	const char *desc;
	unsigned int width;
	u32 nr_rules;
	u64 seed;
	bool ports;		/* tcp/udp rules with port sets, icmp rules */
	unsigned int bases;	/* addresses are drawn near this many bases */
	unsigned int min_plen, max_plen;
};

static const struct random_case random_cases[] = {
	{ "v4-4000-prefixes-any-proto", 32, 4000, 1, false, 64, 0, 32 },
	{ "v4-4000-prefixes-ports-protos", 32, 4000, 2, true, 64, 4, 32 },
	/* Few bases: deep nesting, many prefixes sharing a first address. */
	{ "v4-3000-heavily-nested", 32, 3000, 3, true, 4, 8, 32 },
	{ "v4-2000-host-routes", 32, 2000, 4, true, 16, 28, 32 },
	{ "v6-4000-prefixes-any-proto", 128, 4000, 5, false, 64, 0, 128 },
	{ "v6-4000-prefixes-ports-protos", 128, 4000, 6, true, 64, 16, 128 },
	{ "v6-3000-around-64-bit-split", 128, 3000, 7, true, 8, 56, 72 },
	{ "v4-10-prefixes-sparse", 32, 10, 8, true, 1024, 0, 32 },
};

static void random_desc(const struct random_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cidr_random, random_cases, random_desc);

static u64 rnd64(struct rnd_state *s)
{
	return (u64)prandom_u32_state(s) << 32 | prandom_u32_state(s);
}

static u32 rnd_below(struct rnd_state *s, u32 n)
{
	return n ? prandom_u32_state(s) % n : 0;
}

/* An address near one of the bases: keep the top bits, randomise the rest. */
static struct cidr_key rnd_addr(struct rnd_state *s, const struct cidr_key *bases,
				unsigned int nr_bases, unsigned int width)
{
	struct cidr_key k = bases[rnd_below(s, nr_bases)];
	struct cidr_key m = net_mask(width, rnd_below(s, width + 1));
	u64 hi = rnd64(s), lo = rnd64(s);

	k.hi = (k.hi & m.hi) | (hi & ~m.hi);
	k.lo = (k.lo & m.lo) | (lo & ~m.lo);
	if (width == 32) {
		k.hi = 0;
		k.lo &= 0xffffffffULL;
	}
	return k;
}

static struct cidr_key key_add(struct cidr_key k, int d)
{
	u64 lo = k.lo + (s64)d;

	if (d > 0 && lo < k.lo)
		k.hi++;
	if (d < 0 && lo > k.lo)
		k.hi--;
	k.lo = lo;
	return k;
}

static void cidr_random_test(struct kunit *test)
{
	const struct random_case *c = test->param_value;
	struct cidr_rule_in *rules;
	struct cidr_port_range *ranges;
	struct cidr_key *bases;
	struct cidr_rule_in *reversed;
	struct cidr_table t = {}, t_rev = {};
	struct rnd_state rs;
	u32 i, probes = 0, failures = 0, order_failures = 0;
	u64 nr_ranges;
	static const u8 protos[] = { CIDR_PROTO_TCP, CIDR_PROTO_UDP, CIDR_PROTO_ICMP,
				     CIDR_PROTO_OTHER };

	prandom_seed_state(&rs, c->seed);
	rules = kunit_kcalloc(test, c->nr_rules, sizeof(*rules), GFP_KERNEL);
	ranges = kunit_kcalloc(test, c->nr_rules * 3, sizeof(*ranges), GFP_KERNEL);
	bases = kunit_kcalloc(test, c->bases, sizeof(*bases), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rules);
	KUNIT_ASSERT_NOT_NULL(test, ranges);
	KUNIT_ASSERT_NOT_NULL(test, bases);
	for (i = 0; i < c->bases; i++) {
		bases[i].hi = c->width == 32 ? 0 : rnd64(&rs);
		bases[i].lo = c->width == 32 ? prandom_u32_state(&rs) : rnd64(&rs);
	}

	for (i = 0; i < c->nr_rules; i++) {
		struct cidr_rule_in *r = &rules[i];
		struct cidr_key m;
		u32 k;

		r->prefixlen = c->min_plen + rnd_below(&rs, c->max_plen - c->min_plen + 1);
		r->addr = rnd_addr(&rs, bases, c->bases, c->width);
		m = net_mask(c->width, r->prefixlen);
		r->addr.hi &= m.hi;
		r->addr.lo &= m.lo;
		/* About one rule in four denies. */
		r->action = rnd_below(&rs, 4) ? CIDR_ALLOW : CIDR_DENY;
		r->id = i + 1;
		r->proto = CIDR_PROTO_ANY;
		if (c->ports) {
			r->proto = rnd_below(&rs, 4);	/* any, tcp, udp, icmp */
			if ((r->proto == CIDR_PROTO_TCP || r->proto == CIDR_PROTO_UDP) &&
			    rnd_below(&rs, 2)) {
				r->ranges = &ranges[i * 3];
				r->nr_ranges = 1 + rnd_below(&rs, 3);
				for (k = 0; k < r->nr_ranges; k++) {
					/* Small port space so ranges overlap often. */
					u16 a = rnd_below(&rs, 64), b = a + rnd_below(&rs, 16);

					if (!rnd_below(&rs, 8)) {
						a = 0;
						b = 65535;
					}
					ranges[i * 3 + k].first = a;
					ranges[i * 3 + k].last = b;
				}
			}
		}
	}
	KUNIT_ASSERT_EQ(test, cidr_table_build(&t, c->width, rules, c->nr_rules), 0);

	/*
	 * No unbounded tables: what the build allocated stays within the
	 * bound the policy code uses to refuse oversized policies up front.
	 */
	for (i = 0, nr_ranges = 0; i < c->nr_rules; i++)
		nr_ranges += rules[i].nr_ranges;
	KUNIT_EXPECT_LE(test, table_bytes(&t), cidr_table_bound_bytes(c->nr_rules, nr_ranges));

	/* "Build from rules in any order": the reversed list gives the same verdicts. */
	reversed = kunit_kcalloc(test, c->nr_rules, sizeof(*reversed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reversed);
	for (i = 0; i < c->nr_rules; i++)
		reversed[i] = rules[c->nr_rules - 1 - i];
	KUNIT_ASSERT_EQ(test, cidr_table_build(&t_rev, c->width, reversed, c->nr_rules), 0);

	/*
	 * Probes: random addresses near the bases, and the first and last
	 * address of rules and their outside neighbours (the boundaries).
	 */
	for (i = 0; i < 3000 + 4 * min(c->nr_rules, 600U) && failures < 5; i++) {
		struct cidr_key addr;
		u8 proto = c->ports ? protos[rnd_below(&rs, 4)] : CIDR_PROTO_TCP;
		bool has_port = rnd_below(&rs, 8) != 0;
		u16 port = rnd_below(&rs, 8) ? rnd_below(&rs, 80) : prandom_u32_state(&rs);

		if (i < 3000) {
			addr = rnd_addr(&rs, bases, c->bases, c->width);
		} else {
			const struct cidr_rule_in *r = &rules[(i - 3000) / 4];
			struct cidr_key m = net_mask(c->width, r->prefixlen);
			struct cidr_key last = { r->addr.hi | ~m.hi, r->addr.lo | ~m.lo };

			if (c->width == 32) {
				last.hi = 0;
				last.lo &= 0xffffffffULL;
			}
			switch ((i - 3000) % 4) {
			case 0: addr = r->addr; break;
			case 1: addr = last; break;
			case 2: addr = key_add(r->addr, -1); break;
			default: addr = key_add(last, 1); break;
			}
			if (c->width == 32 && (addr.hi || addr.lo >> 32))
				continue;	/* wrapped outside the family */
		}
		if (proto == CIDR_PROTO_ICMP || proto == CIDR_PROTO_OTHER)
			has_port = false;
		probes++;
		if (!check_probe(test, &t, rules, c->nr_rules, c->width, &addr, proto,
				 has_port, has_port ? port : 0, c->desc))
			failures++;
		if (order_failures < 3 &&
		    cidr_lookup(&t, &addr, proto, has_port, has_port ? port : 0).verdict !=
		    cidr_lookup(&t_rev, &addr, proto, has_port, has_port ? port : 0).verdict) {
			order_failures++;
			KUNIT_FAIL(test, "%016llx%016llx: verdict depends on rule order",
				   addr.hi, addr.lo);
		}
	}
	kunit_info(test, "%s: %u rules, %u intervals, %u nodes, %u probes", c->desc,
		   c->nr_rules, t.nr_iv, t.nr_nodes, probes);
	KUNIT_EXPECT_GT(test, probes, 3000U);
	cidr_table_free(&t);
	cidr_table_free(&t_rev);
}

/* ------------------------------------------- cidr_index (first level) */

/*
 * The index must not change a single verdict: probe every bucket at its
 * edges (the first key of a bucket and the key before it), the first and
 * last address of the family, every rule's edges and random keys, and
 * compare with the reference.  Also check the index's own invariants and
 * its memory bound.
 */
enum index_kind {
	IX_SPREAD,		/* prefixes in distinct, spread-out /24s */
	IX_IN_SLASH8,		/* many /24s (and /32s) inside 10.0.0.0/8 */
	IX_V6_LOW_BITS,		/* hosts of one /64: keys differ only in lo */
	IX_V6_CLOUD,		/* /32../48 under a few /16s, as cloud ranges */
	IX_EDGES,		/* prefixes at the first and last address */
	IX_WHOLE,		/* one /0: a single interval */
};

struct index_case {
	const char *desc;
	unsigned int width;
	u32 nr_rules;
	enum index_kind kind;
	u64 seed;
	u32 max_bucket;		/* most intervals one bucket may hold, 0: any */
};

static const struct index_case index_cases[] = {
	{ "v4-empty-table", 32, 0, IX_SPREAD, 1 },
	{ "v6-empty-table", 128, 0, IX_SPREAD, 1 },
	{ "v4-one-interval", 32, 1, IX_WHOLE, 1 },
	{ "v6-one-interval", 128, 1, IX_WHOLE, 1 },
	{ "v4-one-prefix", 32, 1, IX_SPREAD, 2 },
	{ "v6-one-prefix", 128, 1, IX_SPREAD, 2 },
	{ "v4-first-and-last-address", 32, 40, IX_EDGES, 3 },
	{ "v6-first-and-last-address", 128, 40, IX_EDGES, 4 },
	{ "v4-10-spread", 32, 10, IX_SPREAD, 5 },
	{ "v4-200-spread", 32, 200, IX_SPREAD, 6, 16 },
	{ "v4-3000-spread", 32, 3000, IX_SPREAD, 7, 16 },
	{ "v6-3000-spread", 128, 3000, IX_SPREAD, 8, 16 },
	/* Clustered: the buckets span only the words in use. */
	{ "v4-3000-slash24s-in-one-slash8", 32, 3000, IX_IN_SLASH8, 9, 64 },
	{ "v6-3000-cloud-like", 128, 3000, IX_V6_CLOUD, 10 },
	/* All in one index word: one bucket, the search does the work. */
	{ "v6-2000-keys-differ-in-low-bits", 128, 2000, IX_V6_LOW_BITS, 11 },
	/* Large: the index is capped at 2^CIDR_IDX_MAX_BITS buckets. */
	{ "v4-100000-spread-capped-index", 32, 100000, IX_SPREAD, 12, 32 },
};

static void index_desc(const struct index_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cidr_index, index_cases, index_desc);

static struct cidr_key family_last(unsigned int width)
{
	struct cidr_key k = { width == 32 ? 0 : ~0ULL, width == 32 ? 0xffffffffULL : ~0ULL };

	return k;
}

static void ix_rule(struct cidr_rule_in *r, unsigned int width, u64 hi, u64 lo,
		    unsigned int plen, u8 action, u32 id)
{
	struct cidr_key m = net_mask(width, plen);

	r->addr.hi = hi & m.hi;
	r->addr.lo = lo & m.lo;
	r->prefixlen = plen;
	r->action = action;
	r->proto = CIDR_PROTO_ANY;
	r->id = id;
}

/* Fill @rules; true when they are disjoint and sorted by address. */
static bool ix_gen(const struct index_case *c, struct rnd_state *rs,
		   struct cidr_rule_in *rules)
{
	static const u16 tops[] = { 0x2600, 0x2604, 0x2606, 0x2a00, 0x2a01, 0x2a05 };
	unsigned int w = c->width;
	u32 i, n = c->nr_rules;
	u64 stride = n ? ((w == 32 ? 1ULL << 24 : 1ULL << 40) / n) : 0;

	for (i = 0; i < n; i++) {
		struct cidr_rule_in *r = &rules[i];
		u8 act = rnd_below(rs, 4) ? CIDR_ALLOW : CIDR_DENY;
		u64 x = rnd64(rs), y = rnd64(rs);

		switch (c->kind) {
		case IX_SPREAD:
			/* one /24 (v4) or /40 (v6) per stride, prefixes inside it */
			x = i * stride + rnd64(rs) % stride;
			if (w == 32)
				ix_rule(r, w, 0, x << 8 | (y & 0xff), 24 + rnd_below(rs, 9), act, i + 1);
			else
				ix_rule(r, w, x << 24 | (y >> 40), y, 40 + rnd_below(rs, 89), act, i + 1);
			break;
		case IX_IN_SLASH8:
			if (!i)
				ix_rule(r, w, 0, 10ULL << 24, 8, CIDR_ALLOW, 1);
			else
				ix_rule(r, w, 0, 10ULL << 24 | (x & 0xffffff),
					rnd_below(rs, 4) ? 24 : 32, act, i + 1);
			break;
		case IX_V6_LOW_BITS:
			if (!i)
				ix_rule(r, w, 0x20010db800000000ULL, 0, 64, CIDR_ALLOW, 1);
			else
				ix_rule(r, w, 0x20010db800000000ULL, y,
					96 + rnd_below(rs, 33), act, i + 1);
			break;
		case IX_V6_CLOUD:
			ix_rule(r, w, (u64)tops[rnd_below(rs, ARRAY_SIZE(tops))] << 48 | x >> 16,
				0, 32 + rnd_below(rs, 17), act, i + 1);
			break;
		case IX_EDGES:
			switch (i) {
			case 0:	/* the first address */
				ix_rule(r, w, 0, 0, w, CIDR_ALLOW, 1);
				break;
			case 1:	/* the last address, denied inside an allowed /24 */
				ix_rule(r, w, ~0ULL, ~0ULL >> (w == 32 ? 32 : 0), w, CIDR_DENY, 2);
				break;
			case 2:
				ix_rule(r, w, ~0ULL, ~0ULL >> (w == 32 ? 32 : 0), w - 8, CIDR_ALLOW, 3);
				break;
			case 3:
				ix_rule(r, w, 0, 0, 8, CIDR_DENY, 4);
				break;
			case 4:	/* the upper half */
				ix_rule(r, w, 1ULL << 63, 1ULL << 31, 1, CIDR_ALLOW, 5);
				break;
			default:
				ix_rule(r, w, x, w == 32 ? y >> 32 : y, rnd_below(rs, w + 1), act, i + 1);
				break;
			}
			break;
		case IX_WHOLE:
			ix_rule(r, w, 0, 0, 0, CIDR_ALLOW, i + 1);
			break;
		}
	}
	return c->kind == IX_SPREAD;
}

/* The rule that may match @k among disjoint @rules sorted by address. */
static u32 ix_candidate(const struct cidr_rule_in *rules, u32 nr, const struct cidr_key *k)
{
	u32 lo = 0, hi = nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct cidr_key *a = &rules[mid].addr;

		if (a->hi < k->hi || (a->hi == k->hi && a->lo <= k->lo))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : nr;
}

struct ix_ctx {
	struct kunit *test;
	const struct index_case *c;
	const struct cidr_table *t;
	const struct cidr_rule_in *rules;
	bool disjoint;
	u32 probes, failures;
};

static void ix_probe(struct ix_ctx *x, struct cidr_key k, const char *what)
{
	const struct cidr_rule_in *rules = x->rules;
	u32 nr = x->c->nr_rules;

	if (x->c->width == 32 && (k.hi || k.lo >> 32))
		return;		/* stepped outside the family */
	if (x->failures >= 5)
		return;
	if (x->disjoint) {
		u32 j = ix_candidate(x->rules, nr, &k);

		rules = j < nr ? &x->rules[j] : x->rules;
		nr = j < nr ? 1 : 0;
	}
	x->probes++;
	if (!check_probe(x->test, x->t, rules, nr, x->c->width, &k, CIDR_PROTO_TCP,
			 true, 443, what))
		x->failures++;
}

static struct cidr_key ix_word_key(const struct cidr_table *t, u64 w)
{
	struct cidr_key k = { t->idx_v4 ? 0 : w, t->idx_v4 ? w : 0 };

	return k;
}

static void cidr_index_test(struct kunit *test)
{
	const struct index_case *c = test->param_value;
	struct cidr_key last = family_last(c->width), zero = { 0, 0 };
	struct ix_ctx x = { .test = test, .c = c };
	struct cidr_rule_in *rules;
	struct cidr_table t = {};
	struct rnd_state rs;
	u32 i, b, max_load = 0, step;

	prandom_seed_state(&rs, c->seed);
	/* kvcalloc: 100,000 rules are more than kmalloc gives at once */
	rules = kvcalloc(c->nr_rules ?: 1, sizeof(*rules), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rules);
	x.disjoint = ix_gen(c, &rs, rules);
	KUNIT_EXPECT_EQ(test, cidr_table_build(&t, c->width, rules, c->nr_rules), 0);
	if (test->status == KUNIT_FAILURE)
		goto out;
	x.t = &t;
	x.rules = rules;

	/* invariants */
	KUNIT_EXPECT_LE(test, table_bytes(&t), cidr_table_bound_bytes(c->nr_rules, 0));
	if (!t.nr_iv) {
		KUNIT_EXPECT_EQ(test, c->nr_rules, 0U);
		KUNIT_EXPECT_PTR_EQ(test, t.iv_idx, NULL);
	} else {
		KUNIT_EXPECT_NOT_NULL(test, t.iv_idx);
		if (!t.iv_idx)
			goto out_free;
		KUNIT_EXPECT_LE(test, t.idx_max + 1, 1U << CIDR_IDX_MAX_BITS);
		KUNIT_EXPECT_LE(test, t.idx_max + 1, t.nr_iv);
		KUNIT_EXPECT_LE(test, ((u64)t.idx_max + 2) * sizeof(u32),
				4ULL * ((1 << CIDR_IDX_MAX_BITS) + 1));
		KUNIT_EXPECT_EQ(test, t.iv_idx[0], 0U);
		KUNIT_EXPECT_EQ(test, t.iv_idx[t.idx_max + 1], t.nr_iv - 1);
		for (b = 0; b <= t.idx_max; b++) {
			if (t.iv_idx[b] > t.iv_idx[b + 1]) {
				KUNIT_FAIL(test, "bucket %u: index goes down (%u > %u)",
					   b, t.iv_idx[b], t.iv_idx[b + 1]);
				break;
			}
			max_load = max(max_load, t.iv_idx[b + 1] - t.iv_idx[b] + 1);
		}
		if (c->max_bucket)
			KUNIT_EXPECT_LE_MSG(test, max_load, c->max_bucket,
					    "%u intervals in %u buckets", t.nr_iv, t.idx_max + 1);
	}
	if (c->nr_rules >= 100000)	/* 2N intervals > 2^16: the cap applies */
		KUNIT_EXPECT_GT(test, t.idx_max + 1, 1U << (CIDR_IDX_MAX_BITS - 1));
	if (c->nr_rules == 200)		/* a small policy keeps a small index */
		KUNIT_EXPECT_LE(test, (t.idx_max + 2) * sizeof(u32), 4U * (2 * 200 + 2));

	/* the first and last address of the family */
	ix_probe(&x, zero, "first address");
	ix_probe(&x, last, "last address");

	/* bucket edges: the first key of each bucket, the key before it, one inside */
	step = t.nr_iv && t.idx_max > 20000 ? 7 : 1;
	for (b = 0; t.nr_iv && b <= t.idx_max + 1; b += step) {
		u64 w = t.idx_base + ((u64)b << t.idx_shift);
		struct cidr_key k;

		if (b && (w >> t.idx_shift) != ((t.idx_base >> t.idx_shift) + b))
			break;	/* past the top of the word space */
		k = ix_word_key(&t, w);
		ix_probe(&x, k, "first key of a bucket");
		ix_probe(&x, key_add(k, -1), "key before a bucket");
		ix_probe(&x, key_add(ix_word_key(&t, w + (rnd64(&rs) &
				((1ULL << t.idx_shift) - 1))), prandom_u32_state(&rs)),
			 "key inside a bucket");
	}

	/* every rule's edges (a sample of them in big tables) */
	step = c->nr_rules > 4000 ? c->nr_rules / 4000 : 1;
	for (i = 0; i < c->nr_rules; i += step) {
		const struct cidr_rule_in *r = &rules[i];
		struct cidr_key m = net_mask(c->width, r->prefixlen);
		struct cidr_key end = { r->addr.hi | ~m.hi, r->addr.lo | ~m.lo };

		if (c->width == 32) {
			end.hi = 0;
			end.lo &= 0xffffffffULL;
		}
		ix_probe(&x, r->addr, "first address of a rule");
		ix_probe(&x, end, "last address of a rule");
		if (r->addr.hi || r->addr.lo)
			ix_probe(&x, key_add(r->addr, -1), "key before a rule");
		if (end.hi != last.hi || end.lo != last.lo)
			ix_probe(&x, key_add(end, 1), "key after a rule");
	}

	/* random keys */
	for (i = 0; i < 2000; i++) {
		struct cidr_key k = { c->width == 32 ? 0 : rnd64(&rs),
				      c->width == 32 ? prandom_u32_state(&rs) : rnd64(&rs) };

		ix_probe(&x, k, "random key");
	}
	kunit_info(test, "%s: %u rules, %u intervals, %u buckets (shift %u), at most %u intervals a bucket, %u probes",
		   c->desc, c->nr_rules, t.nr_iv, t.nr_iv ? t.idx_max + 1 : 0,
		   (unsigned int)t.idx_shift, max_load, x.probes);
	KUNIT_EXPECT_EQ(test, x.failures, 0U);
out_free:
	cidr_table_free(&t);
out:
	kvfree(rules);
}

static struct kunit_case egressk_cidr_cases[] = {
	KUNIT_CASE_PARAM(cidr_policy_test, cidr_policy_gen_params),
	KUNIT_CASE_PARAM(cidr_build_test, cidr_build_gen_params),
	KUNIT_CASE_PARAM(cidr_random_test, cidr_random_gen_params),
	KUNIT_CASE_PARAM(cidr_index_test, cidr_index_gen_params),
	{}
};

static struct kunit_suite egressk_cidr_suite = {
	.name = "egressk_cidr",
	.test_cases = egressk_cidr_cases,
};

kunit_test_suites(&egressk_cidr_suite);
