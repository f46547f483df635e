/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure domain-rule compiler and matcher.  Like cidr.c it depends only on
 * cidr_compat.h (allocation, sort) and parse.h (name validation, label
 * walking), so the userspace tests, KUnit and the callgrind benchmarks build
 * the same file.
 *
 * A policy's "allow domain" rules compile into one immutable table:
 *  - a hash table keyed by the rule's base name (the pattern without its
 *    leading "." or "*."), one entry per distinct base name, holding every
 *    rule on that name with its kind and ports;
 *  - a 65,536-bit map of the ports any domain rule covers, so the hook can
 *    tell in O(1) whether a TCP port is inspected at all.
 *
 * Matching walks the name's label suffixes ("a.b.example.com",
 * "b.example.com", "example.com", "com"), computing every suffix hash in one
 * right-to-left pass over the name, and probes the table once per suffix:
 * at most one expected probe per label, whatever the number of rules.
 * Because suffixes start at label boundaries, "evilexample.com" never probes
 * "example.com".
 */
#ifndef _EGRESSK_DOMAIN_H
#define _EGRESSK_DOMAIN_H

#include "cidr_compat.h"
#include "cidr.h"		/* struct cidr_port_range */
#include "parse.h"

#define DOMAIN_NONE	0xffffffffU	/* no rule */
#define DOMAIN_ANY_PORT	0x10000U	/* internal: a match that ignores ports */

/* How a rule's pattern relates to its base name. */
enum domain_kind {
	DOMAIN_EXACT,		/* "example.com": that name only */
	DOMAIN_SUFFIX,		/* ".example.com": the name and all subdomains */
	DOMAIN_SUBDOMAINS,	/* "*.example.com": subdomains only, any depth */
};

/* The ports a rule without explicit ports covers (tcp). */
#define DOMAIN_DEFAULT_PORT_HTTP	80
#define DOMAIN_DEFAULT_PORT_HTTPS	443

/* One rule as the compiler sees it. */
struct domain_rule_in {
	const char *base;	/* normalised base name, not NUL-terminated */
	u8 base_len;		/* 1..EGRESSK_NAME_MAX */
	u8 kind;		/* enum domain_kind */
	u32 id;			/* reported on a match */
	u32 nr_ranges;		/* 0: tcp 80 and 443 */
	const struct cidr_port_range *ranges;
};

/* A rule on one base name, as stored in the table. */
struct domain_rule {
	u32 id;
	u8 kind;
	u32 ranges_off;		/* into domain_table.ranges */
	u32 nr_ranges;		/* never 0 in the table: defaults are expanded */
};

/* One distinct base name. */
struct domain_entry {
	u64 hash;
	u32 name_off;		/* into domain_table.names */
	u8 name_len;
	u32 rules_off;		/* into domain_table.rules, sorted by id */
	u32 nr_rules;
	u32 next;		/* chain in the bucket, DOMAIN_NONE ends it */
};

struct domain_table {
	u32 nr_rules;
	u32 nr_entries;
	u32 nr_buckets;		/* power of two, or 0 when empty */
	u64 seed;		/* per-table hash seed */
	u32 *buckets;		/* nr_buckets entry indexes or DOMAIN_NONE */
	struct domain_entry *entries;
	struct domain_rule *rules;
	struct cidr_port_range *ranges;
	char *names;
	u8 *port_map;		/* 8192 bytes: bit p set if some rule covers p */
};

/* Room for a normalised pattern: "*." plus the longest name plus NUL. */
#define DOMAIN_PATTERN_BUF	(EGRESSK_NAME_BUF + 2)

/*
 * Normalise a pattern as written (an optional "." or "*." and a name in any
 * case, with at most one trailing dot) into @out: the prefix kept, the name
 * as egressk_name_normalize() makes it, NUL-terminated, *@out_len set.
 * @out_size should be at least DOMAIN_PATTERN_BUF.  0, -EINVAL for an
 * invalid name, -ENAMETOOLONG if it does not fit.
 */
int domain_pattern_normalize(const char *raw, size_t raw_len, char *out,
			     size_t out_size, size_t *out_len);

/*
 * Split a normalised pattern ("example.com", ".example.com",
 * "*.example.com") into its base name and kind.  0, or -EINVAL when the
 * base is not a valid name (egressk_name_valid()).
 */
int domain_pattern_split(const char *pattern, size_t len,
			 const char **base, size_t *base_len, u8 *kind);

/*
 * Build @t from @rules (any order; several rules may share a base name).
 * Returns 0, -ENOMEM, -E2BIG for more than EGRESSK_MAX_DOMAIN_RULES rules
 * (or an absurd number of port ranges), or -EINVAL when a rule's base is not
 * a valid normalised name, its kind is unknown or a port range has
 * first > last (callers validate first; this is a backstop).  On error @t
 * is left empty.  An empty rule set builds an
 * empty table that matches nothing and covers no port.
 */
int domain_table_build(struct domain_table *t,
		       const struct domain_rule_in *rules, u32 nr_rules);
/*
 * The same with a caller-chosen hash seed, for tests and fuzzers that need
 * a reproducible layout; domain_table_build() takes a random one
 * (cidr_random_u64(): get_random_u64() in the kernel).
 */
int domain_table_build_seed(struct domain_table *t,
			    const struct domain_rule_in *rules, u32 nr_rules,
			    u64 seed);
void domain_table_free(struct domain_table *t);

/* True if some rule covers TCP @port.  O(1). */
static inline bool domain_table_covers_port(const struct domain_table *t,
					    u16 port)
{
	return t->port_map && (t->port_map[port >> 3] & (1U << (port & 7)));
}

/*
 * The rule that allows @name (normalised, as the parsers return it) on TCP
 * @port, or DOMAIN_NONE.  The most specific match wins: the longest
 * matching suffix, and among rules on the same base name, the lowest id.
 * Never allocates, never sleeps, never recurses; one hash probe per label,
 * and no read outside [@name, @name + @len).  A @len of 0 or above
 * EGRESSK_NAME_MAX, or a name egressk_name_valid() refuses, matches nothing.
 */
u32 domain_table_match(const struct domain_table *t, const char *name,
		       size_t len, u16 port);

/*
 * The same, ignoring ports: the rule that covers @name on any port.  The
 * DNS query filter asks this (a name may be resolved if some rule covers
 * it), and dns-name rules, which have no ports, are only matched this way.
 */
u32 domain_table_match_any(const struct domain_table *t, const char *name,
			   size_t len);

/* Bytes the table holds (for stats and the memory bound). */
u64 domain_table_bytes(const struct domain_table *t);

#endif /* _EGRESSK_DOMAIN_H */
