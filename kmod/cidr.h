/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure CIDR rule compiler and lookup.  No kernel dependencies beyond
 * cidr_compat.h, so that userspace tests and benchmarks build the same file.
 *
 * Addresses are 128-bit keys in host order: an IPv4 address is {0, addr},
 * an IPv6 address is {first 8 bytes, last 8 bytes}.  One table serves one
 * family; the caller builds one table per family.
 *
 * Compiled form (immutable once built):
 *  - nodes: one per distinct prefix, sorted by (first address, prefix
 *    length).  CIDR prefixes are laminar (nested or disjoint), so each node
 *    has at most one innermost enclosing node, its parent; a parent always
 *    sorts before its children.
 *  - intervals: sorted disjoint address intervals covering the address
 *    space, each naming the innermost node that covers it (or none).
 *  - a first-level index over the intervals: the "index word" of a key (the
 *    address for IPv4, the top 64 bits for IPv6) is cut into buckets of
 *    2^idx_shift words starting at idx_base (the word of the first interval
 *    that starts above 0; words below it clamp to bucket 0, words past the
 *    last bucket clamp to it).  Bucket b lists the intervals idx[b] ..
 *    idx[b + 1] (both inclusive) that can hold a key of that bucket.  There
 *    are at most 2^CIDR_IDX_MAX_BITS buckets and at most one per interval
 *    (the bucket count is the largest power of two not above the interval
 *    count, then shrunk to the span of the words in use), so about one or
 *    two intervals per bucket when addresses spread out.
 *  - per node and action, the protocol-wide rule ids plus sorted disjoint
 *    port intervals for tcp and udp, each tagged with a rule id.
 *
 * Lookup: the bucket of the key, a binary search over its few intervals,
 * then a walk up the parent chain (at most width + 1 nodes, independent of the number of rules) with a
 * binary search over port intervals at each step.
 */
#ifndef _EGRESSK_CIDR_H
#define _EGRESSK_CIDR_H

#include "cidr_compat.h"

#define CIDR_NONE	0xffffffffU	/* no node, no rule */

/*
 * At most 2^16 buckets: the index of one table is at most
 * 4 * (2^16 + 1) bytes (256 KiB + 4), and never more than 4 bytes per
 * interval plus 4, so a small policy gets a small index.
 */
#define CIDR_IDX_MAX_BITS	16

struct cidr_key {
	u64 hi;
	u64 lo;
};

enum cidr_action {
	CIDR_ALLOW,
	CIDR_DENY,
	CIDR_NR_ACTIONS
};

enum cidr_proto {
	CIDR_PROTO_ANY,
	CIDR_PROTO_TCP,
	CIDR_PROTO_UDP,
	CIDR_PROTO_ICMP,
	CIDR_PROTO_OTHER,	/* only as a lookup argument */
};

struct cidr_port_range {
	u16 first;
	u16 last;
};

/* One rule as the compiler sees it; a rule with ranges has proto tcp/udp. */
struct cidr_rule_in {
	struct cidr_key addr;	/* host bits must be zero */
	u8 prefixlen;
	u8 action;		/* enum cidr_action */
	u8 proto;		/* enum cidr_proto, not OTHER */
	u32 id;			/* reported on a match */
	u32 nr_ranges;
	const struct cidr_port_range *ranges;
};

struct cidr_port_iv {
	u16 first;
	u16 last;
	u32 id;
};

struct cidr_match_set {
	u32 any_id;		/* proto any */
	u32 tcp_all_id;		/* tcp, no ports */
	u32 udp_all_id;		/* udp, no ports */
	u32 icmp_id;		/* icmp / icmpv6 */
	u32 tcp_off, tcp_nr;	/* port intervals in cidr_table.ports */
	u32 udp_off, udp_nr;
};

struct cidr_node {
	struct cidr_key first;
	struct cidr_key last;
	u32 parent;
	u8 prefixlen;
	u8 deny_in_chain;	/* this node or an ancestor has deny rules */
	struct cidr_match_set set[CIDR_NR_ACTIONS];
};

struct cidr_table {
	u32 nr_iv;
	u32 nr_nodes;
	u32 nr_ports;
	u32 idx_max;			/* last bucket of the index */
	u64 idx_base;			/* index word where bucket 0 starts */
	u8 idx_shift;			/* log2 of the index words per bucket */
	bool idx_v4;			/* index word: lo (IPv4) or hi (IPv6) */
	struct cidr_key *iv_start;	/* nr_iv, ascending */
	u32 *iv_node;			/* nr_iv, node index or CIDR_NONE */
	u32 *iv_idx;			/* idx_max + 2 when nr_iv, else NULL */
	struct cidr_node *nodes;
	struct cidr_port_iv *ports;
};

struct cidr_result {
	int verdict;		/* -1 no match, else enum cidr_action */
	u32 rule_id;		/* CIDR_NONE when verdict is -1 */
};

/*
 * Build @t from @rules (any order).  @width is 32 or 128.  Returns 0 or
 * -ENOMEM / -EINVAL (a prefix longer than @width or host bits set: callers
 * validate first, this is a backstop).  On error @t is left empty.
 */
int cidr_table_build(struct cidr_table *t, unsigned int width,
		     const struct cidr_rule_in *rules, u32 nr_rules);
void cidr_table_free(struct cidr_table *t);

/*
 * @has_port false means the port is unknown (non-first fragment): only
 * rules without ports can match.  Never allocates, never sleeps.
 */
struct cidr_result cidr_lookup(const struct cidr_table *t,
			       const struct cidr_key *addr,
			       enum cidr_proto proto, bool has_port, u16 port);

/*
 * Bytes a table for @nr_rules rules with @nr_ranges port ranges may use:
 * per rule at most one node and two intervals, one interval more per table,
 * and the index (at most one u32 per interval, capped at
 * 2^CIDR_IDX_MAX_BITS, plus one).
 */
static inline u64 cidr_table_bound_bytes(u64 nr_rules, u64 nr_ranges)
{
	u64 nr_iv = 2 * nr_rules + 1;
	u64 nr_idx = nr_iv < (1ULL << CIDR_IDX_MAX_BITS) ?
		     nr_iv : (1ULL << CIDR_IDX_MAX_BITS);

	if (!nr_rules)
		return 0;
	return nr_rules * sizeof(struct cidr_node) +
	       nr_iv * (sizeof(struct cidr_key) + sizeof(u32)) +
	       (nr_idx + 1) * sizeof(u32) +
	       nr_ranges * sizeof(struct cidr_port_iv);
}

#endif /* _EGRESSK_CIDR_H */
