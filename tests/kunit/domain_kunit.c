// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite egressk_domain: the domain rule table of kmod/domain.c
 * (domain_pattern_split, domain_table_build, domain_table_match) in a real
 * kernel (kvmalloc, sort(), get_random_u64()).
 *
 * Semantics under test (DESIGN §3, kmod/domain.h):
 *  - "x" matches the name x only, ".x" x and every subdomain, "*.x" every
 *    subdomain but not x; suffixes start at label boundaries;
 *  - a rule without ports covers tcp 80 and 443, otherwise its ranges;
 *  - among the rules that match and cover the port, the longest base wins,
 *    then the lowest id;
 *  - names are normalised by the caller: anything egressk_name_valid()
 *    refuses, a length of 0 or above 253, matches nothing.
 *
 * Expected ids are written from those semantics.  The random rows check
 * large tables by construction and small random tables against a
 * brute-force reference over egressk_domain_match().
 */
#include <kunit/test.h>
#include <linux/egressk.h>
#include <linux/errno.h>
#include <linux/prandom.h>
#include <linux/string.h>

#include "domain.h"

#define NO	DOMAIN_NONE
#define ANY	DOMAIN_ANY_PORT
#define MAX_RULES	6
#define MAX_PROBES	10

struct rule_row {
	const char *pattern;
	u32 id;
	u8 nr_ports;			/* 0: default tcp 80 and 443 */
	struct cidr_port_range ports[3];
};

struct probe_row {
	const char *name;
	u32 port;			/* ANY: domain_table_match_any() */
	u32 want;
	int len;			/* 0: strlen(name) */
};

struct policy_case {
	const char *desc;
	struct rule_row rules[MAX_RULES];
	struct probe_row probes[MAX_PROBES];
};

#define R(p, i)			{ p, i, 0, {} }
#define RP(p, i, a, b)		{ p, i, 1, { { a, b } } }
#define RP2(p, i, a, b, c, d)	{ p, i, 2, { { a, b }, { c, d } } }

static const struct policy_case policy_cases[] = {
	/* Regression: an exact rule must not act as a suffix rule. */
	{ "exact-name-only", { R("example.com", 1) },
	  { { "example.com", 443, 1 }, { "example.com", 80, 1 },
	    { "www.example.com", 443, NO }, { "com", 443, NO },
	    { "evilexample.com", 443, NO } } },
	/* Regression: the classic suffix bug, "evilexample.com" ends in "example.com". */
	{ "suffix-needs-label-boundary", { R(".example.com", 2) },
	  { { "example.com", 443, 2 }, { "www.example.com", 443, 2 },
	    { "a.b.c.example.com", 80, 2 }, { "evilexample.com", 443, NO },
	    { "www.evilexample.com", 443, NO }, { "xexample.com", 443, NO },
	    { "example.com.evil.net", 443, NO } } },
	/* Regression: "*.x" must not match x itself (DESIGN §3). */
	{ "subdomains-not-self", { R("*.example.com", 3) },
	  { { "example.com", 443, NO }, { "www.example.com", 443, 3 },
	    { "a.b.example.com", 443, 3 }, { "evilexample.com", 443, NO } } },
	/* Regression: the matcher must not fold case or drop dots behind the parsers' back. */
	{ "names-already-normalised", { R(".example.com", 1) },
	  { { "WWW.example.com", 443, NO }, { "example.com.", 443, NO },
	    { "www.example.com", 443, 1 } } },
	/* Regression: nr_ranges 0 must expand to exactly tcp 80 and 443. */
	{ "default-ports-80-443", { R("example.com", 1) },
	  { { "example.com", 79, NO }, { "example.com", 81, NO },
	    { "example.com", 442, NO }, { "example.com", 444, NO },
	    { "example.com", 8080, NO }, { "example.com", 0, NO },
	    { "example.com", 65535, NO }, { "example.com", 443, 1 } } },
	/* Regression: explicit ranges replace the defaults, edges included. */
	{ "explicit-ranges", { RP2("example.com", 1, 8000, 8080, 9000, 9000) },
	  { { "example.com", 8000, 1 }, { "example.com", 8080, 1 },
	    { "example.com", 9000, 1 }, { "example.com", 7999, NO },
	    { "example.com", 8081, NO }, { "example.com", 443, NO },
	    { "example.com", 80, NO } } },
	/* Regression: bit 0 and bit 65535 of the port map. */
	{ "port-edges", { RP("lo.example", 1, 0, 1), RP("hi.example", 2, 65534, 65535) },
	  { { "lo.example", 0, 1 }, { "lo.example", 2, NO }, { "hi.example", 65535, 2 },
	    { "hi.example", 65533, NO }, { "hi.example", 0, NO } } },
	/* Regression: all rules on one base are kept, not only the first. */
	{ "several-rules-one-name", { RP("api.example.com", 5, 443, 443),
				      RP("api.example.com", 6, 8443, 8443),
				      RP("api.example.com", 7, 22, 23) },
	  { { "api.example.com", 443, 5 }, { "api.example.com", 8443, 6 },
	    { "api.example.com", 23, 7 }, { "api.example.com", 80, NO } } },
	/* Regression: the longest suffix wins even with a higher id. */
	{ "most-specific-wins", { R(".example.com", 1), R("*.api.example.com", 20),
				  R("a.api.example.com", 30) },
	  { { "a.api.example.com", 443, 30 }, { "b.api.example.com", 443, 20 },
	    { "x.a.api.example.com", 443, 20 }, { "api.example.com", 443, 1 },
	    { "example.com", 443, 1 } } },
	/* Regression: a longer base whose rules do not cover the port must not hide a shorter one. */
	{ "specific-other-port-falls-back", { R(".example.com", 1),
					      RP("*.api.example.com", 20, 8443, 8443) },
	  { { "b.api.example.com", 443, 1 }, { "b.api.example.com", 8443, 20 },
	    { "api.example.com", 8443, NO } } },
	/* Regression: on one base, the lowest id among the rules that apply. */
	{ "same-base-lowest-id", { R("example.com", 7), R(".example.com", 3),
				   R("*.example.com", 1) },
	  { { "example.com", 443, 3 }, { "www.example.com", 443, 1 } } },
	{ "same-base-lowest-applicable-id", { R("*.example.com", 1), R("example.com", 2),
					      R(".example.com", 3) },
	  { { "example.com", 443, 2 }, { "www.example.com", 443, 1 } } },
	/* Regression: duplicate rules and ids in any order build and match. */
	{ "duplicates-any-order", { R(".b.example", 9), R("a.b.example", 4),
				    R(".b.example", 2), R("a.b.example", 4) },
	  { { "a.b.example", 443, 4 }, { "b.example", 443, 2 }, { "c.b.example", 80, 2 } } },
	{ "top-level-suffix", { R(".com", 1) },
	  { { "example.com", 443, 1 }, { "com", 443, 1 }, { "example.org", 443, NO } } },
	{ "single-label", { R("localhost", 1), R("*.internal", 2) },
	  { { "localhost", 443, 1 }, { "a.localhost", 443, NO },
	    { "internal", 443, NO }, { "db.internal", 443, 2 } } },
	{ "underscore-digits-punycode", { R("_acme.example.com", 1),
					  R(".xn--bcher-kva.example", 2), R("web01.example.com", 3) },
	  { { "_acme.example.com", 443, 1 }, { "shop.xn--bcher-kva.example", 443, 2 },
	    { "web01.example.com", 443, 3 }, { "web02.example.com", 443, NO } } },
	/* Regression: invalid names never match, even when a suffix would. */
	{ "invalid-names", { R(".example.com", 1) },
	  { { "a..example.com", 443, NO }, { ".example.com", 443, NO },
	    { "-a.example.com", 443, NO }, { "a b.example.com", 443, NO },
	    { "*.example.com", 443, NO }, { "10.0.0.1", 443, NO } } },
	/* Regression: @len bounds the name; bytes after it are not read or used. */
	{ "length-bounds-name", { R("example.com", 1) },
	  { { "example.comX", 443, 1, 11 }, { "example.com.", 443, 1, 11 },
	    { "example.com", 443, NO, 10 }, { "www.example.com", 443, NO, 4 } } },
	/*
	 * Regression: the DNS query filter must let a rule's name resolve
	 * whatever ports the rule has (ssh-only rules included), with the
	 * kinds and label boundaries of a port match.
	 */
	{ "any-port-for-the-dns-filter", { RP("git.example", 1, 22, 22), R("*.sub.example", 2),
					   R(".all.example", 3) },
	  { { "git.example", 443, NO }, { "git.example", ANY, 1 },
	    { "x.git.example", ANY, NO }, { "sub.example", ANY, NO },
	    { "a.b.sub.example", ANY, 2 }, { "all.example", ANY, 3 },
	    { "x.all.example", ANY, 3 }, { "evilall.example", ANY, NO } } },
	/* Regression: an empty table matches nothing and covers no port. */
	{ "empty-table", { },
	  { { "example.com", 443, NO }, { "a", 80, NO } } },
};

static void policy_desc(const struct policy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(policy, policy_cases, policy_desc);

static int build_rows(struct kunit *test, struct domain_table *t,
		      const struct rule_row *rows, bool random_seed, u64 seed)
{
	struct domain_rule_in in[MAX_RULES];
	u32 n;

	memset(in, 0, sizeof(in));
	for (n = 0; n < MAX_RULES && rows[n].pattern; n++) {
		const char *base;
		size_t bl;

		KUNIT_ASSERT_EQ_MSG(test, domain_pattern_split(rows[n].pattern,
							       strlen(rows[n].pattern),
							       &base, &bl, &in[n].kind), 0,
				    "pattern \"%s\"", rows[n].pattern);
		in[n].base = base;
		in[n].base_len = bl;
		in[n].id = rows[n].id;
		in[n].nr_ranges = rows[n].nr_ports;
		in[n].ranges = rows[n].ports;
	}
	if (random_seed)
		return domain_table_build(t, in, n);
	return domain_table_build_seed(t, in, n, seed);
}

static void domain_policy_test(struct kunit *test)
{
	const struct policy_case *c = test->param_value;
	static const u64 seeds[] = { 0, 1, 0x9e3779b97f4a7c15ULL };
	unsigned int s, k;

	/* Three fixed seeds and a random one: the answers never depend on the layout. */
	for (s = 0; s <= ARRAY_SIZE(seeds); s++) {
		struct domain_table t;
		bool rnd = s == ARRAY_SIZE(seeds);

		KUNIT_ASSERT_EQ(test, build_rows(test, &t, c->rules, rnd, rnd ? 0 : seeds[s]), 0);
		for (k = 0; k < MAX_PROBES && c->probes[k].name; k++) {
			const struct probe_row *p = &c->probes[k];
			size_t len = p->len ? p->len : strlen(p->name);

			u32 got = p->port == ANY ?
				  domain_table_match_any(&t, p->name, len) :
				  domain_table_match(&t, p->name, len, p->port);

			KUNIT_EXPECT_EQ_MSG(test, got, p->want,
					    "\"%.*s\" port %u, seed #%u",
					    (int)len, p->name, p->port, s);
		}
		domain_table_free(&t);
	}
}

/* ------------------------------------------------------------- split */

struct split_case {
	const char *desc;
	const char *pattern;
	int ret;
	const char *base;
	u8 kind;
};

static const struct split_case split_cases[] = {
	{ "exact", "example.com", 0, "example.com", DOMAIN_EXACT },
	{ "dot-suffix", ".example.com", 0, "example.com", DOMAIN_SUFFIX },
	{ "star-subdomains", "*.example.com", 0, "example.com", DOMAIN_SUBDOMAINS },
	{ "star-one-label", "*.a", 0, "a", DOMAIN_SUBDOMAINS },
	{ "empty", "", -EINVAL },
	{ "lone-dot", ".", -EINVAL },
	{ "star-dot", "*.", -EINVAL },
	{ "star-only", "*", -EINVAL },
	/* Regression: only "*." is a wildcard prefix; "*x" is not a pattern. */
	{ "star-no-dot", "*example.com", -EINVAL },
	{ "double-star", "**.example.com", -EINVAL },
	{ "two-wildcards", "*.*.example.com", -EINVAL },
	{ "two-dots", "..example.com", -EINVAL },
	{ "inner-star", "www.*.com", -EINVAL },
	/* The policy code normalises first; split validates the base as given. */
	{ "uppercase", "Example.com", -EINVAL },
	{ "trailing-dot", "example.com.", -EINVAL },
	/* Regression: an address is never a domain rule. */
	{ "ipv4", "10.0.0.1", -EINVAL },
};

static void split_desc(const struct split_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(split, split_cases, split_desc);

static void domain_split_test(struct kunit *test)
{
	const struct split_case *c = test->param_value;
	const char *base = NULL;
	size_t bl = 0;
	u8 kind = 99;
	int ret;

	ret = domain_pattern_split(c->pattern, strlen(c->pattern), &base, &bl, &kind);
	KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "\"%s\"", c->pattern);
	if (ret || c->ret)
		return;
	KUNIT_EXPECT_EQ(test, bl, strlen(c->base));
	KUNIT_EXPECT_TRUE(test, !memcmp(base, c->base, bl));
	KUNIT_EXPECT_PTR_EQ(test, base + bl, c->pattern + strlen(c->pattern));
	KUNIT_EXPECT_EQ(test, kind, c->kind);
}

/* ------------------------------------------------------------- build */

static const struct cidr_port_range port_ok = { 22, 22 }, port_bad = { 90, 80 };

struct build_case {
	const char *desc;
	struct domain_rule_in rule;
	u32 nr_rules;		/* 1, or more to test the bound */
	int ret;
};

static const struct build_case build_cases[] = {
	{ "valid-default-ports", { "example.com", 11, DOMAIN_EXACT, 1 }, 1, 0 },
	{ "valid-explicit-port", { "example.com", 11, DOMAIN_SUFFIX, 1, 1, &port_ok }, 1, 0 },
	/* Regression: the backstop must refuse names the matcher could never see. */
	{ "uppercase-base", { "Example.com", 11, DOMAIN_EXACT, 1 }, 1, -EINVAL },
	{ "empty-base", { "example.com", 0, DOMAIN_EXACT, 1 }, 1, -EINVAL },
	{ "base-with-trailing-dot", { "example.com.", 12, DOMAIN_EXACT, 1 }, 1, -EINVAL },
	{ "unknown-kind", { "example.com", 11, 3, 1 }, 1, -EINVAL },
	{ "range-first-after-last", { "example.com", 11, DOMAIN_EXACT, 1, 1, &port_bad }, 1, -EINVAL },
	{ "ranges-missing", { "example.com", 11, DOMAIN_EXACT, 1, 2, NULL }, 1, -EINVAL },
	/* Regression: the table is bounded by the uapi limit. */
	{ "over-max-rules", { "example.com", 11, DOMAIN_EXACT, 1 },
	  EGRESSK_MAX_DOMAIN_RULES + 1, -E2BIG },
};

static void build_desc(const struct build_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(build, build_cases, build_desc);

static void domain_build_test(struct kunit *test)
{
	const struct build_case *c = test->param_value;
	struct domain_table t;
	int ret;

	memset(&t, 0x5a, sizeof(t));
	/* Only the first rule is read before the bound is checked. */
	ret = domain_table_build(&t, &c->rule, c->nr_rules);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (ret) {
		/* Left empty: matches nothing, safe to free. */
		KUNIT_EXPECT_EQ(test, t.nr_buckets, 0U);
		KUNIT_EXPECT_PTR_EQ(test, t.port_map, (u8 *)NULL);
		KUNIT_EXPECT_EQ(test, domain_table_match(&t, "example.com", 11, 443), NO);
	} else {
		KUNIT_EXPECT_EQ(test, domain_table_match(&t, "example.com", 11,
							 c->rule.nr_ranges ? 22 : 443),
				c->rule.id);
		KUNIT_EXPECT_TRUE(test, domain_table_covers_port(&t, c->rule.nr_ranges ? 22 : 80));
		KUNIT_EXPECT_FALSE(test, domain_table_covers_port(&t, 8080));
	}
	domain_table_free(&t);
}

/* ------------------------------------------------------------ random */

struct random_case {
	const char *desc;
	u32 nr_rules;		/* 0: the differential row */
	u32 seed;
};

static const struct random_case random_cases[] = {
	/* Regression: lookups must not degrade or miss as the table grows. */
	{ "10-rules", 10, 1 },
	{ "1000-rules", 1000, 2 },
	{ "10000-rules", 10000, 3 },
	/* Regression: the hash walk must agree with the string reference. */
	{ "differential-small-tables", 0, 4 },
};

static void random_desc(const struct random_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(random, random_cases, random_desc);

static size_t rnd_label(struct rnd_state *rs, char *out, u32 min, u32 max)
{
	size_t n = min + prandom_u32_state(rs) % (max - min + 1), i;

	for (i = 0; i < n; i++)
		out[i] = 'a' + prandom_u32_state(rs) % 26;
	return n;
}

#define BASE_SIZE 32

/*
 * Three-label bases "<6-10>.<4-8>.test": none is a label suffix of
 * another, so each rule's own probes have exactly one right answer.
 */
static void random_big(struct kunit *test, const struct random_case *c,
		       struct rnd_state *rs)
{
	struct domain_rule_in *in;
	struct cidr_port_range *ranges;
	char *bases, probe[64];
	struct domain_table t;
	u32 i, bad = 0;

	in = kunit_kcalloc(test, c->nr_rules, sizeof(*in), GFP_KERNEL);
	ranges = kunit_kcalloc(test, c->nr_rules, sizeof(*ranges), GFP_KERNEL);
	bases = kunit_kcalloc(test, c->nr_rules, BASE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, in && ranges && bases);
	for (i = 0; i < c->nr_rules; i++) {
		char *b = bases + i * BASE_SIZE;
		size_t l = rnd_label(rs, b, 6, 10);

		b[l++] = '.';
		l += rnd_label(rs, b + l, 4, 8);
		memcpy(b + l, ".test", 5);
		in[i].base = b;
		in[i].base_len = l + 5;
		in[i].kind = i % 3;
		in[i].id = c->nr_rules - i;	/* ids not in base order */
		if (i % 2) {
			ranges[i].first = ranges[i].last = 1000 + prandom_u32_state(rs) % 1000;
			in[i].nr_ranges = 1;
			in[i].ranges = &ranges[i];
		}
	}
	KUNIT_ASSERT_EQ(test, domain_table_build(&t, in, c->nr_rules), 0);
	KUNIT_EXPECT_EQ(test, t.nr_entries, c->nr_rules);
	KUNIT_EXPECT_GE(test, t.nr_buckets, 2 * t.nr_entries);

	for (i = 0; i < c->nr_rules && bad < 5; i++) {
		u16 port = in[i].nr_ranges ? ranges[i].first : (i % 4 ? 443 : 80);
		u32 want_self = in[i].kind == DOMAIN_SUBDOMAINS ? NO : in[i].id;
		u32 want_sub = in[i].kind == DOMAIN_EXACT ? NO : in[i].id;
		u32 self, sub;

		probe[0] = 'x';
		probe[1] = '.';
		memcpy(probe + 2, in[i].base, in[i].base_len);
		self = domain_table_match(&t, in[i].base, in[i].base_len, port);
		sub = domain_table_match(&t, probe, in[i].base_len + 2, port);
		if (self != want_self || sub != want_sub) {
			bad++;
			KUNIT_FAIL(test, "rule %u \"%.*s\" kind %u: self %d sub %d, want %d %d", i,
				   in[i].base_len, in[i].base, in[i].kind, self, sub,
				   want_self, want_sub);
		}
		/* A port the rule does not cover. */
		if (domain_table_match(&t, in[i].base, in[i].base_len,
				       in[i].nr_ranges ? 443 : 1000) != NO) {
			bad++;
			KUNIT_FAIL(test, "rule %u matched on a port it does not cover", i);
		}
	}
	/* Non-names: other TLD, too few labels, a random middle label too long for a base. */
	for (i = 0; i < 3000 && bad < 5; i++) {
		size_t l = rnd_label(rs, probe, 1, 10);

		if (i % 3 == 0) {
			memcpy(probe + l, ".test.org", 9);
			l += 9;
		} else if (i % 3 == 1) {
			memcpy(probe + l, ".test", 5);
			l += 5;
		} else {
			probe[l++] = '.';
			l += rnd_label(rs, probe + l, 11, 14);
			probe[l++] = '.';
			l += rnd_label(rs, probe + l, 4, 8);
			memcpy(probe + l, ".test", 5);
			l += 5;
		}
		if (domain_table_match(&t, probe, l, 443) != NO ||
		    domain_table_match(&t, probe, l, 1500) != NO) {
			bad++;
			KUNIT_FAIL(test, "non-name \"%.*s\" matched", (int)l, probe);
		}
	}
	kunit_info(test, "%u rules, %u buckets, %llu bytes", c->nr_rules, t.nr_buckets,
		   domain_table_bytes(&t));
	domain_table_free(&t);
}

static size_t rnd_dname(struct rnd_state *rs, char *out)
{
	static const char *const labels[] = { "a", "b", "ab", "x-y", "c0", "example", "com" };
	size_t n = 1 + prandom_u32_state(rs) % 4, i, l = 0;

	for (i = 0; i < n; i++) {
		const char *lb = labels[prandom_u32_state(rs) % ARRAY_SIZE(labels)];

		if (i)
			out[l++] = '.';
		memcpy(out + l, lb, strlen(lb));
		l += strlen(lb);
	}
	out[l] = '\0';
	return l;
}

/* Small random tables from a tiny label alphabet, against egressk_domain_match(). */
static void random_differential(struct kunit *test, struct rnd_state *rs)
{
	u32 iter, bad = 0, hits = 0;

	for (iter = 0; iter < 5000 && bad < 5; iter++) {
		char pats[MAX_RULES][48], name[96];
		struct domain_rule_in in[MAX_RULES];
		struct cidr_port_range rr[MAX_RULES];
		u32 n = 1 + prandom_u32_state(rs) % MAX_RULES, i, want = NO, got;
		u16 port = prandom_u32_state(rs) % 3 ? 443 : 8080;
		size_t want_len = 0, nl;
		struct domain_table t;

		memset(in, 0, sizeof(in));
		for (i = 0; i < n; i++) {
			static const char *const prefix[] = { "", ".", "*." };
			const char *base;
			size_t bl;

			strscpy(pats[i], prefix[prandom_u32_state(rs) % 3], sizeof(pats[i]));
			rnd_dname(rs, pats[i] + strlen(pats[i]));
			KUNIT_ASSERT_EQ(test, domain_pattern_split(pats[i], strlen(pats[i]), &base,
								   &bl, &in[i].kind), 0);
			in[i].base = base;
			in[i].base_len = bl;
			in[i].id = prandom_u32_state(rs) % 8;
			if (prandom_u32_state(rs) % 2) {
				rr[i].first = prandom_u32_state(rs) % 2 ? 443 : 8000;
				rr[i].last = rr[i].first + prandom_u32_state(rs) % 200;
				in[i].nr_ranges = 1;
				in[i].ranges = &rr[i];
			}
		}
		/* Half the names are built on a rule's base, so matches are common. */
		nl = rnd_dname(rs, name);
		if (prandom_u32_state(rs) % 2) {
			const struct domain_rule_in *r = &in[prandom_u32_state(rs) % n];

			if (prandom_u32_state(rs) % 2)
				nl = 0;
			else
				name[nl++] = '.';
			memcpy(name + nl, r->base, r->base_len);
			nl += r->base_len;
			name[nl] = '\0';
		}
		for (i = 0; i < n; i++) {
			bool ports = in[i].nr_ranges ?
				port >= rr[i].first && port <= rr[i].last :
				port == 80 || port == 443;

			if (!ports || !egressk_domain_match(pats[i], name))
				continue;
			if (want == NO || in[i].base_len > want_len ||
			    (in[i].base_len == want_len && in[i].id < want)) {
				want = in[i].id;
				want_len = in[i].base_len;
			}
		}
		KUNIT_ASSERT_EQ(test, domain_table_build(&t, in, n), 0);
		got = domain_table_match(&t, name, nl, port);
		domain_table_free(&t);
		hits += want != NO;
		if (got != want) {
			bad++;
			KUNIT_FAIL(test, "\"%s\" port %u: got %d, want %d (first rule \"%s\")",
				   name, port, got, want, pats[0]);
		}
	}
	/* The tiny alphabet must make matches common, or this row proves little. */
	KUNIT_EXPECT_GT(test, hits, 1000U);
}

static void domain_random_test(struct kunit *test)
{
	const struct random_case *c = test->param_value;
	struct rnd_state rs;

	prandom_seed_state(&rs, c->seed);
	if (c->nr_rules)
		random_big(test, c, &rs);
	else
		random_differential(test, &rs);
}

static struct kunit_case egressk_domain_cases[] = {
	KUNIT_CASE_PARAM(domain_policy_test, policy_gen_params),
	KUNIT_CASE_PARAM(domain_split_test, split_gen_params),
	KUNIT_CASE_PARAM(domain_build_test, build_gen_params),
	KUNIT_CASE_PARAM(domain_random_test, random_gen_params),
	{}
};

static struct kunit_suite egressk_domain_suite = {
	.name = "egressk_domain",
	.test_cases = egressk_domain_cases,
};

kunit_test_suites(&egressk_domain_suite);
