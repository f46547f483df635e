// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the domain rule table (kmod/domain.c).
 * Input: two bytes of TCP port (big endian), then "name" or "pattern\nname".
 *
 *  - The name goes through a fixed table of rules (nested suffixes, all
 *    three kinds, several rules on one base, explicit and default ports).
 *    The answer must equal a brute-force reference built on
 *    egressk_domain_match(): among the rules that match and cover the port,
 *    the longest base, then the lowest id.  A name egressk_name_valid()
 *    refuses matches nothing.  libFuzzer's buffer is exactly the input, so
 *    ASan reports any read past the name.
 *  - With a pattern: domain_pattern_split() must give a valid base inside
 *    the pattern with the kind its prefix says, and a one-rule table built
 *    from it must agree with egressk_domain_match(pattern, name), and match
 *    its own base and a subdomain the way its kind says.
 */
#include "fuzz_common.h"
#include "../../kmod/domain.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

struct fuzz_rule {
	const char *pattern;
	u32 id;
	struct cidr_port_range ports;	/* {0, 0}: the defaults */
};

static const struct fuzz_rule fuzz_rules[] = {
	{ "example.com", 7, { 0, 0 } },
	{ ".example.com", 9, { 0, 0 } },
	{ "*.api.example.com", 3, { 443, 443 } },
	{ "a.api.example.com", 12, { 8000, 8999 } },
	{ "a.api.example.com", 11, { 0, 0 } },
	{ "*.a", 5, { 0, 65535 } },
	{ "b.a", 4, { 22, 22 } },
	{ ".fixture.egressk.test", 20, { 0, 0 } },
	{ "*.egressk.test", 21, { 1, 1024 } },
	{ "curl.fixture.egressk.test", 22, { 443, 443 } },
	{ ".xn--bcher-kva.example", 30, { 0, 0 } },
	{ "_acme.example.org", 31, { 80, 80 } },
	{ "com", 40, { 0, 0 } },
};
#define NR_FUZZ_RULES (sizeof(fuzz_rules) / sizeof(fuzz_rules[0]))

static struct domain_table fixed;

static bool rule_covers(const struct fuzz_rule *r, u16 port)
{
	if (!r->ports.first && !r->ports.last)
		return port == DOMAIN_DEFAULT_PORT_HTTP || port == DOMAIN_DEFAULT_PORT_HTTPS;
	return port >= r->ports.first && port <= r->ports.last;
}

static void build_fixed(void)
{
	struct domain_rule_in in[NR_FUZZ_RULES];
	size_t i, bl;

	memset(in, 0, sizeof(in));
	for (i = 0; i < NR_FUZZ_RULES; i++) {
		const struct fuzz_rule *r = &fuzz_rules[i];
		const char *base;

		FUZZ_ASSERT(domain_pattern_split(r->pattern, strlen(r->pattern), &base,
						 &bl, &in[i].kind) == 0);
		in[i].base = base;
		in[i].base_len = (u8)bl;
		in[i].id = r->id;
		if (r->ports.first || r->ports.last) {
			in[i].nr_ranges = 1;
			in[i].ranges = &r->ports;
		}
	}
	FUZZ_ASSERT(domain_table_build_seed(&fixed, in, NR_FUZZ_RULES, 0x5eedf00dULL) == 0);
}

/* The brute-force answer for a valid, normalised, NUL-terminated name. */
static u32 reference(const char *name, u16 port)
{
	u32 best = DOMAIN_NONE;
	size_t best_len = 0, i;

	for (i = 0; i < NR_FUZZ_RULES; i++) {
		const struct fuzz_rule *r = &fuzz_rules[i];
		const char *base = r->pattern;
		size_t bl;

		if (!rule_covers(r, port) || !egressk_domain_match(r->pattern, name))
			continue;
		base += base[0] == '*' ? 2 : base[0] == '.' ? 1 : 0;
		bl = strlen(base);
		if (best == DOMAIN_NONE || bl > best_len || (bl == best_len && r->id < best)) {
			best = r->id;
			best_len = bl;
		}
	}
	return best;
}

static void check_pattern(const u8 *pat, size_t plen, const u8 *name, size_t nlen,
			  u16 port)
{
	char pstr[EGRESSK_NAME_MAX + 8], nstr[EGRESSK_NAME_BUF], probe[EGRESSK_NAME_BUF + 2];
	struct domain_rule_in in;
	struct domain_table t;
	const char *base;
	size_t bl;
	u8 kind;
	u32 got;
	bool valid_name = egressk_name_valid((const char *)name, nlen);

	if (domain_pattern_split((const char *)pat, plen, &base, &bl, &kind))
		return;
	FUZZ_ASSERT(base >= (const char *)pat && base + bl == (const char *)pat + plen);
	FUZZ_ASSERT(egressk_name_valid(base, bl));
	FUZZ_ASSERT(kind == (plen - bl == 2 ? DOMAIN_SUBDOMAINS :
			     plen - bl == 1 ? DOMAIN_SUFFIX : DOMAIN_EXACT));
	FUZZ_ASSERT(plen - bl <= 2);

	memset(&in, 0, sizeof(in));
	in.base = base;
	in.base_len = (u8)bl;
	in.kind = kind;
	in.id = 1;
	FUZZ_ASSERT(domain_table_build_seed(&t, &in, 1, plen) == 0);

	/* Agreement with the reference on the name, on a default port. */
	memcpy(pstr, pat, plen);
	pstr[plen] = '\0';
	got = domain_table_match(&t, (const char *)name, nlen, 443);
	if (!valid_name) {
		FUZZ_ASSERT(got == DOMAIN_NONE);
	} else {
		memcpy(nstr, name, nlen);
		nstr[nlen] = '\0';
		FUZZ_ASSERT((got == 1) == egressk_domain_match(pstr, nstr));
	}
	FUZZ_ASSERT(domain_table_match(&t, (const char *)name, nlen, port) ==
		    (port == 80 || port == 443 ? got : DOMAIN_NONE));

	/* The base itself, and one label more. */
	FUZZ_ASSERT(domain_table_match(&t, base, bl, 80) ==
		    (kind == DOMAIN_SUBDOMAINS ? DOMAIN_NONE : 1));
	if (bl + 2 <= EGRESSK_NAME_MAX) {
		probe[0] = 'q';
		probe[1] = '.';
		memcpy(probe + 2, base, bl);
		FUZZ_ASSERT(domain_table_match(&t, probe, bl + 2, 443) ==
			    (kind == DOMAIN_EXACT ? DOMAIN_NONE : 1));
	}
	domain_table_free(&t);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const u8 *name, *nl;
	size_t nlen;
	u16 port;
	u32 got;

	if (!fixed.nr_buckets)
		build_fixed();
	if (size < 2)
		return 0;
	port = (u16)(data[0] << 8 | data[1]);
	data += 2;
	size -= 2;
	nl = memchr(data, '\n', size);
	name = nl ? nl + 1 : data;
	nlen = nl ? size - (size_t)(nl - data) - 1 : size;

	got = domain_table_match(&fixed, (const char *)name, nlen, port);
	if (got != DOMAIN_NONE)
		FUZZ_ASSERT(domain_table_covers_port(&fixed, port));
	if (egressk_name_valid((const char *)name, nlen)) {
		char nstr[EGRESSK_NAME_BUF];

		memcpy(nstr, name, nlen);
		nstr[nlen] = '\0';
		FUZZ_ASSERT(got == reference(nstr, port));
	} else {
		FUZZ_ASSERT(got == DOMAIN_NONE);
	}

	if (nl)
		check_pattern(data, (size_t)(nl - data), name, nlen, port);
	return 0;
}
