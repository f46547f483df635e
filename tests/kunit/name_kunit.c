// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite egressk_name: domain-name validation, normalisation, suffix
 * iteration and rule matching (kmod/parse.c, contract in kmod/parse.h and
 * docs/parsers.md "Domain names and matching").
 *
 * Every expected value below is written from that contract, not taken from
 * the code.  The matcher rows are checked twice: against the reference
 * matcher egressk_domain_match() and against the kernel's hash table
 * matcher (kmod/domain.c), so the two can never drift apart.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/string.h>

#include "domain.h"
#include "parse.h"

/* A name built at run time: @labels labels of @label_len 'a's ... */
struct built_name {
	unsigned int total;	/* total length; the last label is shortened */
	unsigned int label_len;
};

/*
 * Fill @buf with labels of label_len letters separated by dots, @total
 * characters in all (the last label takes what is left).  Letters only, so
 * the all-digits rule never interferes.
 */
static size_t build_name(char *buf, size_t size, const struct built_name *b)
{
	size_t i, in_label = 0;

	if (b->total + 1 > size)
		return 0;
	for (i = 0; i < b->total; i++) {
		if (in_label == b->label_len && i + 1 < b->total) {
			buf[i] = '.';
			in_label = 0;
			continue;
		}
		buf[i] = 'a' + (i % 26);
		in_label++;
	}
	buf[b->total] = '\0';
	return b->total;
}

/* ------------------------------------------------------- name_valid */

struct name_valid_case {
	const char *desc;
	const char *name;	/* NULL: use @built */
	struct built_name built;
	bool valid;
	/*
	 * Invalid as a normalised name but a valid name to match: the matcher
	 * folds case and drops one trailing dot itself.
	 */
	bool matchable;
};

static const struct name_valid_case name_valid_cases[] = {
	{ "two-labels", "example.com", {}, true },
	{ "single-label", "localhost", {}, true },
	{ "deep-name", "a.b.c.d.e.example.com", {}, true },
	{ "digits-inside", "web01.example.com", {}, true },
	{ "hyphen-inside-label", "my-host.example.com", {}, true },
	/* Regression: S3-style and internal names carry '_'; rules must name them. */
	{ "underscore-allowed", "my_bucket.example.com", {}, true },
	{ "punycode-as-written", "xn--bcher-kva.example", {}, true },
	{ "all-digit-inner-label", "123.example.com", {}, true },
	{ "digit-letter-last-label", "example.1a", {}, true },
	/* Regression: a dotted IPv4 address must never be a name (cidr rules). */
	{ "ipv4-literal-rejected", "10.0.0.1", {}, false },
	{ "all-digit-last-label", "example.123", {}, false },
	{ "empty", "", {}, false },
	{ "uppercase-not-normalised", "Example.com", {}, false, true },
	/* Normalised names never keep the trailing dot. */
	{ "trailing-dot", "example.com.", {}, false, true },
	{ "leading-dot", ".example.com", {}, false },
	{ "empty-label", "example..com", {}, false },
	{ "label-starts-with-hyphen", "-a.example.com", {}, false },
	{ "label-ends-with-hyphen", "a-.example.com", {}, false },
	{ "last-label-ends-with-hyphen", "example.co-", {}, false },
	{ "wildcard", "*.example.com", {}, false },
	{ "space", "exa mple.com", {}, false },
	{ "slash", "example.com/x", {}, false },
	{ "colon-port", "example.com:443", {}, false },
	{ "at-userinfo", "user@example.com", {}, false },
	{ "high-bit-byte", "ex\xc3\xa4mple.com", {}, false },
	{ "label-63-ok", NULL, { 63 + 1 + 3, 63 }, true },
	/* Regression: an off-by-one in the label limit lets 64-char labels in. */
	{ "label-64-rejected", NULL, { 64 + 1 + 3, 64 }, false },
	{ "total-253-ok", NULL, { 253, 63 }, true },
	{ "total-254-rejected", NULL, { 254, 63 }, false },
	{ "total-1-ok", "a", {}, true },
};

static void name_valid_desc(const struct name_valid_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(name_valid, name_valid_cases, name_valid_desc);

static void name_valid_test(struct kunit *test)
{
	const struct name_valid_case *c = test->param_value;
	char buf[300];
	const char *name = c->name;
	size_t len;

	if (!name) {
		len = build_name(buf, sizeof(buf), &c->built);
		KUNIT_ASSERT_EQ(test, len, (size_t)c->built.total);
		name = buf;
	}
	len = strlen(name);
	KUNIT_EXPECT_EQ_MSG(test, egressk_name_valid(name, len), c->valid,
			    "name \"%s\" (%zu chars)", name, len);
	/*
	 * The length argument, not a NUL, bounds the name: the same bytes
	 * followed by junk give the same answer when @len excludes the junk.
	 */
	if (len + 2 <= sizeof(buf)) {
		memmove(buf, name, len);
		buf[len] = '!';
		buf[len + 1] = 'x';
		KUNIT_EXPECT_EQ_MSG(test, egressk_name_valid(buf, len), c->valid,
				    "\"%s\" followed by junk", name);
	}
}

/* --------------------------------------------------- name_normalize */

struct normalize_case {
	const char *desc;
	const char *raw;
	size_t out_size;	/* 0: EGRESSK_NAME_BUF */
	int ret;
	const char *out;
};

static const struct normalize_case normalize_cases[] = {
	{ "already-normal", "example.com", 0, 0, "example.com" },
	{ "uppercase-folded", "WWW.Example.COM", 0, 0, "www.example.com" },
	{ "one-trailing-dot-dropped", "example.com.", 0, 0, "example.com" },
	{ "upper-and-trailing-dot", "API.Example.Org.", 0, 0, "api.example.org" },
	/* Only one dot is dropped: "example.com.." has an empty label. */
	{ "two-trailing-dots-invalid", "example.com..", 0, -EINVAL, NULL },
	{ "lone-dot-invalid", ".", 0, -EINVAL, NULL },
	{ "empty-invalid", "", 0, -EINVAL, NULL },
	{ "ipv4-invalid", "192.0.2.1", 0, -EINVAL, NULL },
	{ "ipv4-trailing-dot-invalid", "192.0.2.1.", 0, -EINVAL, NULL },
	{ "wildcard-invalid", "*.example.com", 0, -EINVAL, NULL },
	{ "underscore-kept", "My_Bucket.S3.example", 0, 0, "my_bucket.s3.example" },
	/* Exactly fits: 11 chars + NUL in 12 bytes. */
	{ "fits-exactly", "example.com", 12, 0, "example.com" },
	/* Regression: no room for the NUL must not write past @out. */
	{ "one-byte-short", "example.com", 11, -ENAMETOOLONG, NULL },
	{ "trailing-dot-fits-without-it", "example.com.", 12, 0, "example.com" },
};

static void normalize_desc(const struct normalize_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(normalize, normalize_cases, normalize_desc);

static void name_normalize_test(struct kunit *test)
{
	const struct normalize_case *c = test->param_value;
	size_t size = c->out_size ? c->out_size : EGRESSK_NAME_BUF;
	char out[EGRESSK_NAME_BUF + 8];
	size_t out_len = 12345;
	int ret;

	memset(out, 0x5a, sizeof(out));
	ret = egressk_name_normalize(c->raw, strlen(c->raw), out, size, &out_len);
	KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "raw \"%s\"", c->raw);
	/* Nothing may be written past the buffer the caller declared. */
	KUNIT_EXPECT_EQ(test, out[size], (char)0x5a);
	if (c->ret == 0 && ret == 0) {
		KUNIT_EXPECT_STREQ(test, out, c->out);
		KUNIT_EXPECT_EQ(test, out_len, strlen(c->out));
		KUNIT_EXPECT_TRUE(test, egressk_name_valid(out, out_len));
		/* Idempotent: a normalised name normalises to itself. */
		{
			char again[EGRESSK_NAME_BUF];
			size_t again_len;

			KUNIT_EXPECT_EQ(test, egressk_name_normalize(out, out_len, again,
								     sizeof(again), &again_len), 0);
			KUNIT_EXPECT_STREQ(test, again, out);
		}
	}
}

/* -------------------------------------------------------- next_suffix */

struct suffix_case {
	const char *desc;
	const char *name;
	const char *walk;	/* the suffixes, longest first, '|' separated */
};

static const struct suffix_case suffix_cases[] = {
	{ "four-labels", "a.b.example.com", "a.b.example.com|b.example.com|example.com|com" },
	{ "two-labels", "example.com", "example.com|com" },
	{ "one-label", "localhost", "localhost" },
	/* Regression: suffixes start at label boundaries, never mid-label. */
	{ "evil-prefix-not-a-boundary", "evilexample.com", "evilexample.com|com" },
	{ "single-char-labels", "a.b.c", "a.b.c|b.c|c" },
};

static void suffix_desc(const struct suffix_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(suffix, suffix_cases, suffix_desc);

static void name_next_suffix_test(struct kunit *test)
{
	const struct suffix_case *c = test->param_value;
	size_t len = strlen(c->name), off = 0, steps = 0;
	const char *want = c->walk;

	while (off < len) {
		const char *bar = strchr(want, '|');
		size_t wlen = bar ? (size_t)(bar - want) : strlen(want);

		KUNIT_ASSERT_LT_MSG(test, steps, (size_t)EGRESSK_NAME_MAX, "walk does not end");
		KUNIT_ASSERT_GT_MSG(test, wlen, (size_t)0, "more suffixes than expected at %zu", off);
		KUNIT_EXPECT_EQ(test, len - off, wlen);
		KUNIT_EXPECT_TRUE_MSG(test, !strncmp(c->name + off, want, wlen),
				      "suffix at %zu is \"%s\", want \"%.*s\"",
				      off, c->name + off, (int)wlen, want);
		want = bar ? bar + 1 : want + wlen;
		off = egressk_name_next_suffix(c->name, len, off);
		steps++;
	}
	KUNIT_EXPECT_EQ(test, off, len);
	KUNIT_EXPECT_STREQ_MSG(test, want, "", "fewer suffixes than expected");
}

/* ------------------------------------------------------- domain_match */

struct match_case {
	const char *desc;
	const char *pattern;
	const char *name;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "exact-equal", "example.com", "example.com", true },
	{ "exact-not-subdomain", "example.com", "www.example.com", false },
	{ "exact-not-parent", "www.example.com", "example.com", false },
	{ "exact-case-insensitive", "Example.COM", "EXAMPLE.com", true },
	{ "exact-trailing-dot-name", "example.com", "example.com.", true },
	{ "exact-trailing-dot-pattern", "example.com.", "example.com", true },
	{ "dot-matches-self", ".example.com", "example.com", true },
	{ "dot-matches-child", ".example.com", "www.example.com", true },
	{ "dot-matches-deep", ".example.com", "a.b.c.example.com", true },
	/* Regression: the classic suffix bug; "evilexample.com" ends in "example.com". */
	{ "dot-rejects-evil-prefix", ".example.com", "evilexample.com", false },
	{ "dot-rejects-evil-sub", ".example.com", "www.evilexample.com", false },
	{ "dot-rejects-other-tld", ".example.com", "example.com.evil.net", false },
	{ "star-matches-child", "*.example.com", "www.example.com", true },
	{ "star-matches-deep", "*.example.com", "a.b.example.com", true },
	/* "*.x" is every subdomain, not x itself (DESIGN §3). */
	{ "star-rejects-self", "*.example.com", "example.com", false },
	{ "star-rejects-evil-prefix", "*.example.com", "evilexample.com", false },
	{ "star-case-insensitive", "*.Example.com", "WWW.example.COM.", true },
	{ "exact-rejects-evil-prefix", "example.com", "evilexample.com", false },
	{ "tld-dot-pattern", ".com", "example.com", true },
	{ "different-names", "example.org", "example.com", false },
	{ "longer-pattern-than-name", ".www.example.com", "example.com", false },
	/* Invalid patterns or names never match, whatever the text. */
	{ "invalid-pattern-star-mid", "www.*.com", "www.x.com", false },
	{ "invalid-pattern-double-star", "**.example.com", "a.example.com", false },
	{ "invalid-pattern-empty", "", "example.com", false },
	{ "invalid-pattern-lone-dot", ".", "example.com", false },
	{ "invalid-pattern-star-only", "*.", "example.com", false },
	{ "invalid-name-empty", "example.com", "", false },
	{ "invalid-name-ipv4", ".0.1", "10.0.0.1", false },
	{ "invalid-name-empty-label", ".example.com", "a..example.com", false },
	{ "invalid-name-space", ".example.com", "a b.example.com", false },
	{ "underscore-subdomain", ".example.com", "_acme.example.com", true },
};

static void match_desc(const struct match_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(match, match_cases, match_desc);

/*
 * The kernel's matcher itself: split and normalise the pattern as the policy
 * code does, build a one-rule table (default ports) and match the name,
 * normalised as the parsers return it, on tcp/443.  A pattern the table
 * cannot hold matches nothing.  egressk_domain suite (domain_kunit.c) tests
 * the table with many rules.
 */
static bool table_match(struct kunit *test, const char *pattern, const char *name)
{
	char pat[DOMAIN_PATTERN_BUF], nm[EGRESSK_NAME_BUF];
	struct domain_rule_in r = {};
	struct domain_table t;
	size_t plen, blen, nlen;
	const char *base;
	u32 id;

	if (domain_pattern_normalize(pattern, strlen(pattern), pat, sizeof(pat), &plen) ||
	    domain_pattern_split(pat, plen, &base, &blen, &r.kind) ||
	    egressk_name_normalize(name, strlen(name), nm, sizeof(nm), &nlen))
		return false;
	r.base = base;
	r.base_len = blen;
	r.id = 42;
	KUNIT_EXPECT_EQ(test, domain_table_build(&t, &r, 1), 0);
	id = domain_table_match(&t, nm, nlen, 443);
	domain_table_free(&t);
	return id == 42;
}

static void domain_match_test(struct kunit *test)
{
	const struct match_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, egressk_domain_match(c->pattern, c->name), c->match,
			    "egressk_domain_match(\"%s\", \"%s\")", c->pattern, c->name);
	KUNIT_EXPECT_EQ_MSG(test, table_match(test, c->pattern, c->name), c->match,
			    "domain_table (\"%s\", \"%s\")", c->pattern, c->name);
}

/*
 * Over the name_valid table: a valid name matches itself and ".name", never
 * "*.name"; an invalid one matches nothing, not even itself.
 */
static void match_self_test(struct kunit *test)
{
	const struct name_valid_case *c = test->param_value;
	char name[300], pat[302];
	size_t len;

	if (c->name) {
		strscpy(name, c->name, sizeof(name));
	} else {
		len = build_name(name, sizeof(name), &c->built);
		KUNIT_ASSERT_EQ(test, len, (size_t)c->built.total);
	}
	if (!c->valid && !c->matchable) {
		KUNIT_EXPECT_FALSE_MSG(test, egressk_domain_match(name, name),
				       "invalid \"%s\" matched itself", name);
		return;
	}
	KUNIT_EXPECT_TRUE_MSG(test, egressk_domain_match(name, name), "\"%s\"", name);
	snprintf(pat, sizeof(pat), ".%s", name);
	KUNIT_EXPECT_TRUE_MSG(test, egressk_domain_match(pat, name), "\"%s\"", pat);
	snprintf(pat, sizeof(pat), "*.%s", name);
	KUNIT_EXPECT_FALSE_MSG(test, egressk_domain_match(pat, name), "\"%s\"", pat);
}

static struct kunit_case egressk_name_cases[] = {
	KUNIT_CASE_PARAM(name_valid_test, name_valid_gen_params),
	KUNIT_CASE_PARAM(name_normalize_test, normalize_gen_params),
	KUNIT_CASE_PARAM(name_next_suffix_test, suffix_gen_params),
	KUNIT_CASE_PARAM(domain_match_test, match_gen_params),
	KUNIT_CASE_PARAM(match_self_test, name_valid_gen_params),
	{}
};

static struct kunit_suite egressk_name_suite = {
	.name = "egressk_name",
	.test_cases = egressk_name_cases,
};

kunit_test_suites(&egressk_name_suite);
