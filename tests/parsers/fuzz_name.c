// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the name functions.  Input: "pattern\nname".
 * Checks the reference matcher against the real rule table (kmod/domain.c,
 * after normalising both sides), and the algebra of the three rule kinds on
 * every valid name.  fuzz_domain.c fuzzes the table itself.
 */
#include "fuzz_common.h"
#include "../../kmod/domain.h"

/* The pattern as a one-rule table; the name normalised as the parsers do. */
static bool table_match(const char *pattern, const char *name)
{
	char pat[DOMAIN_PATTERN_BUF], n[EGRESSK_NAME_BUF];
	struct domain_rule_in r;
	struct domain_table t;
	size_t pl, bl, nl;
	const char *base;
	u32 id;

	memset(&r, 0, sizeof(r));
	if (domain_pattern_normalize(pattern, strlen(pattern), pat, sizeof(pat), &pl) ||
	    domain_pattern_split(pat, pl, &base, &bl, &r.kind) ||
	    egressk_name_normalize(name, strlen(name), n, sizeof(n), &nl))
		return false;
	r.base = base;
	r.base_len = (u8)bl;
	r.id = 5;
	FUZZ_ASSERT(domain_table_build_seed(&t, &r, 1, bl) == 0);
	id = domain_table_match(&t, n, nl, 80);
	domain_table_free(&t);
	return id == 5;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char pattern[600], name[600], norm[EGRESSK_NAME_BUF], again[EGRESSK_NAME_BUF];
	char rule[EGRESSK_NAME_BUF + 8];
	const u8 *nl = memchr(data, '\n', size);
	size_t pl, nlen, l1, l2;
	bool ref;

	if (!nl)
		return 0;
	pl = (size_t)(nl - data);
	nlen = size - pl - 1;
	if (pl >= sizeof(pattern) || nlen >= sizeof(name))
		return 0;
	memcpy(pattern, data, pl);
	pattern[pl] = '\0';
	memcpy(name, nl + 1, nlen);
	name[nlen] = '\0';

	ref = egressk_domain_match(pattern, name);
	FUZZ_ASSERT(ref == table_match(pattern, name));

	/* Normalisation: valid output, idempotent, valid() means normalised. */
	if (egressk_name_normalize(name, strlen(name), norm, sizeof(norm), &l1) == 0) {
		FUZZ_ASSERT(egressk_name_valid(norm, l1) && strlen(norm) == l1);
		FUZZ_ASSERT(egressk_name_normalize(norm, l1, again, sizeof(again), &l2) == 0);
		FUZZ_ASSERT(l1 == l2 && memcmp(norm, again, l1) == 0);

		/* The three rule kinds applied to the name itself. */
		FUZZ_ASSERT(egressk_domain_match(norm, name));
		snprintf(rule, sizeof(rule), ".%s", norm);
		FUZZ_ASSERT(egressk_domain_match(rule, name));
		snprintf(rule, sizeof(rule), "*.%s", norm);
		FUZZ_ASSERT(!egressk_domain_match(rule, name));
		/* A match through a suffix rule needs a label boundary. */
		if (ref && pattern[0] == '.') {
			size_t ps = strlen(pattern);
			size_t base = ps - 1 - (pattern[ps - 1] == '.');

			FUZZ_ASSERT(base <= l1);
			FUZZ_ASSERT(base == l1 || norm[l1 - base - 1] == '.');
		}
	} else {
		FUZZ_ASSERT(!ref);
	}
	if (egressk_name_valid(name, strlen(name)))
		FUZZ_ASSERT(egressk_name_normalize(name, strlen(name), norm, sizeof(norm), &l1) == 0 &&
			    strcmp(norm, name) == 0);
	return 0;
}
