/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A matcher built only on egressk_name_normalize() and
 * egressk_name_next_suffix(), walking suffixes the way the kernel's
 * hash-per-label lookup will.  Tests and fuzz_name compare it with the
 * reference egressk_domain_match().
 */
#ifndef EGRESSK_SUFFIX_MATCHER_H
#define EGRESSK_SUFFIX_MATCHER_H

#include <string.h>
#include "../../kmod/parse.h"

static inline bool suffix_matcher(const char *pattern, const char *name)
{
	char p[EGRESSK_NAME_BUF], n[EGRESSK_NAME_BUF];
	size_t pl, nl, off;
	bool self = true, sub = false;

	if (pattern[0] == '*' && pattern[1] == '.') {
		pattern += 2;
		self = false;
		sub = true;
	} else if (pattern[0] == '.') {
		pattern++;
		sub = true;
	}
	if (egressk_name_normalize(pattern, strlen(pattern), p, sizeof(p), &pl) ||
	    egressk_name_normalize(name, strlen(name), n, sizeof(n), &nl))
		return false;
	for (off = 0; off < nl; off = egressk_name_next_suffix(n, nl, off))
		if (nl - off == pl && memcmp(n + off, p, pl) == 0)
			return off == 0 ? self : sub;
	return false;
}

#endif
