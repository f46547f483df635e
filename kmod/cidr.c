// SPDX-License-Identifier: GPL-2.0
/*
 * CIDR rule compiler and lookup; see cidr.h for the data layout.  Pure code:
 * it builds in the kernel and in userspace (cidr_compat.h).
 *
 * Compile cost is O(n log n) in rules plus port ranges (two sorts and linear
 * sweeps).  Lookup is a bucket of the first-level index, a binary search over
 * the intervals of that bucket (O(log n) at worst, a step or two when the
 * addresses spread out), plus a walk of at most width + 1 parents.
 */
#include "cidr.h"

#ifndef __KERNEL__
#include <string.h>
#endif

#define CIDR_MAX_DEPTH	129	/* distinct prefix lengths of one family + 1 */

static inline int cidr_key_cmp(const struct cidr_key *a,
			       const struct cidr_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* The host part of a prefix of @plen bits in a @width-bit family. */
static struct cidr_key cidr_host_mask(unsigned int width, unsigned int plen)
{
	unsigned int host = width - plen;
	struct cidr_key m = { 0, 0 };

	if (host == 0)
		return m;
	if (host < 64) {
		m.lo = ~0ULL >> (64 - host);
		return m;
	}
	m.lo = ~0ULL;
	if (host > 64)
		m.hi = ~0ULL >> (128 - host);
	return m;
}

/* @k + 1; false when it wraps past the top of the address space. */
static bool cidr_key_inc(struct cidr_key *k)
{
	if (++k->lo)
		return true;
	return ++k->hi != 0;
}

struct cidr_prefix_ref {
	struct cidr_key first;
	u32 rule;
	u8 prefixlen;
};

static int cidr_prefix_ref_cmp(const void *a, const void *b)
{
	const struct cidr_prefix_ref *x = a, *y = b;
	int c = cidr_key_cmp(&x->first, &y->first);

	if (c)
		return c;
	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

struct cidr_port_ref {
	u32 node;
	u8 action;
	u8 proto;
	u16 first;
	u16 last;
	u32 id;
};

static int cidr_port_ref_cmp(const void *a, const void *b)
{
	const struct cidr_port_ref *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->action != y->action)
		return x->action < y->action ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void cidr_set_init(struct cidr_match_set *s)
{
	s->any_id = CIDR_NONE;
	s->tcp_all_id = CIDR_NONE;
	s->udp_all_id = CIDR_NONE;
	s->icmp_id = CIDR_NONE;
	s->tcp_off = 0;
	s->tcp_nr = 0;
	s->udp_off = 0;
	s->udp_nr = 0;
}

static inline void cidr_min_id(u32 *slot, u32 id)
{
	if (id < *slot)
		*slot = id;
}

static int cidr_rule_check(const struct cidr_rule_in *r, unsigned int width)
{
	struct cidr_key m;
	u32 i;

	if (r->prefixlen > width || r->action >= CIDR_NR_ACTIONS ||
	    r->proto > CIDR_PROTO_ICMP || r->id == CIDR_NONE)
		return -EINVAL;
	if (width == 32 && (r->addr.hi || (r->addr.lo >> 32)))
		return -EINVAL;
	m = cidr_host_mask(width, r->prefixlen);
	if ((r->addr.hi & m.hi) || (r->addr.lo & m.lo))
		return -EINVAL;
	if (r->nr_ranges && r->proto != CIDR_PROTO_TCP &&
	    r->proto != CIDR_PROTO_UDP)
		return -EINVAL;
	for (i = 0; i < r->nr_ranges; i++)
		if (r->ranges[i].first > r->ranges[i].last)
			return -EINVAL;
	return 0;
}

/* Record that the innermost node changes to @node at @start. */
static void cidr_emit(struct cidr_table *t, const struct cidr_key *start,
		      u32 node)
{
	u32 n = t->nr_iv;

	if (n && !cidr_key_cmp(&t->iv_start[n - 1], start)) {
		/* the previous interval was empty: replace it */
		t->iv_node[n - 1] = node;
		if (n >= 2 && t->iv_node[n - 2] == node)
			t->nr_iv--;
		return;
	}
	if (n && t->iv_node[n - 1] == node)
		return;
	t->iv_start[n] = *start;
	t->iv_node[n] = node;
	t->nr_iv++;
}

static int cidr_build_nodes(struct cidr_table *t, unsigned int width,
			    const struct cidr_rule_in *rules, u32 nr_rules,
			    u32 *rule_node)
{
	struct cidr_prefix_ref *refs;
	u32 stack[CIDR_MAX_DEPTH];
	struct cidr_key pos;
	u32 i, n, depth;

	refs = cidr_alloc_array(nr_rules, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < nr_rules; i++) {
		refs[i].first = rules[i].addr;
		refs[i].prefixlen = rules[i].prefixlen;
		refs[i].rule = i;
	}
	cidr_sort(refs, nr_rules, sizeof(*refs), cidr_prefix_ref_cmp);

	n = 0;
	for (i = 0; i < nr_rules; i++)
		if (!i || cidr_key_cmp(&refs[i].first, &refs[i - 1].first) ||
		    refs[i].prefixlen != refs[i - 1].prefixlen)
			n++;

	t->nodes = cidr_alloc_array(n, sizeof(*t->nodes));
	t->iv_start = cidr_alloc_array(2 * (size_t)n + 1, sizeof(*t->iv_start));
	t->iv_node = cidr_alloc_array(2 * (size_t)n + 1, sizeof(*t->iv_node));
	if (!t->nodes || !t->iv_start || !t->iv_node) {
		cidr_free(refs);
		return -ENOMEM;
	}

	n = 0;
	for (i = 0; i < nr_rules; i++) {
		struct cidr_node *node;
		struct cidr_key m;

		if (i && !cidr_key_cmp(&refs[i].first, &refs[i - 1].first) &&
		    refs[i].prefixlen == refs[i - 1].prefixlen) {
			rule_node[refs[i].rule] = n - 1;
			continue;
		}
		node = &t->nodes[n];
		m = cidr_host_mask(width, refs[i].prefixlen);
		node->first = refs[i].first;
		node->last.hi = refs[i].first.hi | m.hi;
		node->last.lo = refs[i].first.lo | m.lo;
		node->prefixlen = refs[i].prefixlen;
		node->parent = CIDR_NONE;
		node->deny_in_chain = 0;
		cidr_set_init(&node->set[CIDR_ALLOW]);
		cidr_set_init(&node->set[CIDR_DENY]);
		rule_node[refs[i].rule] = n++;
	}
	t->nr_nodes = n;
	cidr_free(refs);

	/*
	 * Sorted by start then length, a node's enclosing prefixes are exactly
	 * the stack entries that have not ended before it starts (laminarity).
	 * The same sweep records where the innermost covering node changes.
	 */
	pos.hi = 0;
	pos.lo = 0;
	cidr_emit(t, &pos, CIDR_NONE);
	depth = 0;
	for (i = 0; i < n; i++) {
		struct cidr_node *node = &t->nodes[i];

		while (depth &&
		       cidr_key_cmp(&t->nodes[stack[depth - 1]].last,
				    &node->first) < 0) {
			pos = t->nodes[stack[depth - 1]].last;
			cidr_key_inc(&pos);	/* cannot wrap: node starts later */
			depth--;
			cidr_emit(t, &pos, depth ? stack[depth - 1] : CIDR_NONE);
		}
		if (depth >= CIDR_MAX_DEPTH)
			return -EINVAL;	/* not laminar: impossible for prefixes */
		node->parent = depth ? stack[depth - 1] : CIDR_NONE;
		cidr_emit(t, &node->first, i);
		stack[depth++] = i;
	}
	while (depth) {
		pos = t->nodes[stack[depth - 1]].last;
		if (!cidr_key_inc(&pos))
			break;	/* reaches the top of the address space */
		depth--;
		cidr_emit(t, &pos, depth ? stack[depth - 1] : CIDR_NONE);
	}
	return 0;
}

/* The 64 bits of @k that the index cuts into buckets. */
static inline u64 cidr_idx_word(const struct cidr_table *t,
				const struct cidr_key *k)
{
	return t->idx_v4 ? k->lo : k->hi;
}

/*
 * The first-level index.  Bucket b covers the index words
 * [idx_base + (b << idx_shift), idx_base + ((b + 1) << idx_shift)); idx[b]
 * is the interval holding the smallest key of that range (0 for bucket 0,
 * which also takes every word below idx_base), idx[idx_max + 1] the last
 * interval.  So a key of bucket b lies in one of idx[b] .. idx[b + 1].
 */
static int cidr_build_index(struct cidr_table *t, unsigned int width)
{
	unsigned int bits = 0;
	u64 span = 0, nb, b;
	u32 i;

	t->idx_v4 = width == 32;
	t->idx_base = 0;
	t->idx_shift = 0;
	if (t->nr_iv >= 2) {
		/* iv_start[0] is always 0; the rest share the words in use */
		t->idx_base = cidr_idx_word(t, &t->iv_start[1]);
		span = cidr_idx_word(t, &t->iv_start[t->nr_iv - 1]) - t->idx_base;
	}
	/* the largest 2^bits <= nr_iv, capped: one or two intervals a bucket */
	while (bits < CIDR_IDX_MAX_BITS && (2ULL << bits) <= t->nr_iv)
		bits++;
	while (t->idx_shift < 63 && (span >> t->idx_shift) >> bits)
		t->idx_shift++;
	nb = (span >> t->idx_shift) + 1;	/* <= 2^bits */
	t->idx_max = nb - 1;

	t->iv_idx = cidr_alloc_array(nb + 1, sizeof(*t->iv_idx));
	if (!t->iv_idx)
		return -ENOMEM;
	t->iv_idx[0] = 0;
	for (b = 1, i = 0; b < nb; b++) {
		u64 w = t->idx_base + (b << t->idx_shift);	/* <= last word */
		struct cidr_key k = { t->idx_v4 ? 0 : w, t->idx_v4 ? w : 0 };

		while (i + 1 < t->nr_iv && cidr_key_cmp(&t->iv_start[i + 1], &k) <= 0)
			i++;
		t->iv_idx[b] = i;
	}
	t->iv_idx[nb] = t->nr_iv - 1;
	return 0;
}

static int cidr_build_ports(struct cidr_table *t,
			    const struct cidr_rule_in *rules, u32 nr_rules,
			    const u32 *rule_node)
{
	struct cidr_port_ref *refs;
	size_t total = 0, k = 0, i;

	for (i = 0; i < nr_rules; i++)
		total += rules[i].nr_ranges;
	if (!total)
		return 0;

	refs = cidr_alloc_array(total, sizeof(*refs));
	t->ports = cidr_alloc_array(total, sizeof(*t->ports));
	if (!refs || !t->ports) {
		cidr_free(refs);
		return -ENOMEM;
	}
	for (i = 0; i < nr_rules; i++) {
		u32 j;

		for (j = 0; j < rules[i].nr_ranges; j++, k++) {
			refs[k].node = rule_node[i];
			refs[k].action = rules[i].action;
			refs[k].proto = rules[i].proto;
			refs[k].first = rules[i].ranges[j].first;
			refs[k].last = rules[i].ranges[j].last;
			refs[k].id = rules[i].id;
		}
	}
	cidr_sort(refs, total, sizeof(*refs), cidr_port_ref_cmp);

	/*
	 * Within one (node, action, proto) group, make the intervals disjoint:
	 * a range overlapping the previous output only contributes its tail,
	 * tagged with its own id (the id reported always names a rule that
	 * matches).
	 */
	for (i = 0; i < total; ) {
		struct cidr_match_set *s = &t->nodes[refs[i].node].set[refs[i].action];
		u32 off = t->nr_ports;
		size_t j;

		for (j = i; j < total && refs[j].node == refs[i].node &&
			    refs[j].action == refs[i].action &&
			    refs[j].proto == refs[i].proto; j++) {
			struct cidr_port_iv *prev = t->nr_ports > off ?
				&t->ports[t->nr_ports - 1] : NULL;
			struct cidr_port_iv *out;

			if (prev && refs[j].first <= prev->last) {
				if (refs[j].last <= prev->last)
					continue;
				out = &t->ports[t->nr_ports++];
				out->first = prev->last + 1;
			} else {
				out = &t->ports[t->nr_ports++];
				out->first = refs[j].first;
			}
			out->last = refs[j].last;
			out->id = refs[j].id;
		}
		if (refs[i].proto == CIDR_PROTO_TCP) {
			s->tcp_off = off;
			s->tcp_nr = t->nr_ports - off;
		} else {
			s->udp_off = off;
			s->udp_nr = t->nr_ports - off;
		}
		i = j;
	}
	cidr_free(refs);
	return 0;
}

static bool cidr_set_has_rules(const struct cidr_match_set *s)
{
	return s->any_id != CIDR_NONE || s->tcp_all_id != CIDR_NONE ||
	       s->udp_all_id != CIDR_NONE || s->icmp_id != CIDR_NONE ||
	       s->tcp_nr || s->udp_nr;
}

int cidr_table_build(struct cidr_table *t, unsigned int width,
		     const struct cidr_rule_in *rules, u32 nr_rules)
{
	u32 *rule_node;
	u32 i;
	int err;

	memset(t, 0, sizeof(*t));
	if (width != 32 && width != 128)
		return -EINVAL;
	if (!nr_rules)
		return 0;
	for (i = 0; i < nr_rules; i++) {
		err = cidr_rule_check(&rules[i], width);
		if (err)
			return err;
	}

	rule_node = cidr_alloc_array(nr_rules, sizeof(*rule_node));
	if (!rule_node)
		return -ENOMEM;

	err = cidr_build_nodes(t, width, rules, nr_rules, rule_node);
	if (err)
		goto err_free;
	err = cidr_build_index(t, width);
	if (err)
		goto err_free;

	for (i = 0; i < nr_rules; i++) {
		const struct cidr_rule_in *r = &rules[i];
		struct cidr_match_set *s = &t->nodes[rule_node[i]].set[r->action];

		if (r->nr_ranges)
			continue;
		switch (r->proto) {
		case CIDR_PROTO_TCP:
			cidr_min_id(&s->tcp_all_id, r->id);
			break;
		case CIDR_PROTO_UDP:
			cidr_min_id(&s->udp_all_id, r->id);
			break;
		case CIDR_PROTO_ICMP:
			cidr_min_id(&s->icmp_id, r->id);
			break;
		default:
			cidr_min_id(&s->any_id, r->id);
			break;
		}
	}

	err = cidr_build_ports(t, rules, nr_rules, rule_node);
	if (err)
		goto err_free;

	/* parents sort before their children */
	for (i = 0; i < t->nr_nodes; i++) {
		struct cidr_node *node = &t->nodes[i];

		node->deny_in_chain = cidr_set_has_rules(&node->set[CIDR_DENY]) ||
			(node->parent != CIDR_NONE &&
			 t->nodes[node->parent].deny_in_chain);
	}
	cidr_free(rule_node);
	return 0;

err_free:
	cidr_free(rule_node);
	cidr_table_free(t);
	return err;
}

void cidr_table_free(struct cidr_table *t)
{
	cidr_free(t->iv_start);
	cidr_free(t->iv_node);
	cidr_free(t->iv_idx);
	cidr_free(t->nodes);
	cidr_free(t->ports);
	memset(t, 0, sizeof(*t));
}

static u32 cidr_port_search(const struct cidr_port_iv *iv, u32 nr, u16 port)
{
	u32 lo = 0, hi = nr;

	/* first interval with first > port, then step back one */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (iv[mid].first <= port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && port <= iv[lo - 1].last)
		return iv[lo - 1].id;
	return CIDR_NONE;
}

/* The most specific rule of @s that matches, or CIDR_NONE. */
static u32 cidr_set_match(const struct cidr_table *t,
			  const struct cidr_match_set *s,
			  enum cidr_proto proto, bool has_port, u16 port)
{
	u32 id;

	switch (proto) {
	case CIDR_PROTO_TCP:
		if (has_port && s->tcp_nr) {
			id = cidr_port_search(t->ports + s->tcp_off, s->tcp_nr, port);
			if (id != CIDR_NONE)
				return id;
		}
		if (s->tcp_all_id != CIDR_NONE)
			return s->tcp_all_id;
		break;
	case CIDR_PROTO_UDP:
		if (has_port && s->udp_nr) {
			id = cidr_port_search(t->ports + s->udp_off, s->udp_nr, port);
			if (id != CIDR_NONE)
				return id;
		}
		if (s->udp_all_id != CIDR_NONE)
			return s->udp_all_id;
		break;
	case CIDR_PROTO_ICMP:
		if (s->icmp_id != CIDR_NONE)
			return s->icmp_id;
		break;
	default:
		break;
	}
	return s->any_id;
}

struct cidr_result cidr_lookup(const struct cidr_table *t,
			       const struct cidr_key *addr,
			       enum cidr_proto proto, bool has_port, u16 port)
{
	struct cidr_result res = { .verdict = -1, .rule_id = CIDR_NONE };
	u32 lo, hi, node;
	u64 w, b;

	if (!t->nr_iv)
		return res;
	/* the bucket of the key, clamped at both ends */
	w = cidr_idx_word(t, addr);
	b = w >= t->idx_base ? (w - t->idx_base) >> t->idx_shift : 0;
	if (b > t->idx_max)
		b = t->idx_max;
	/* iv_start[iv_idx[b]] <= addr: search the intervals after it */
	lo = t->iv_idx[b] + 1;
	hi = t->iv_idx[b + 1] + 1;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (cidr_key_cmp(&t->iv_start[mid], addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	node = t->iv_node[lo - 1];

	/*
	 * Innermost first: a deny anywhere on the chain wins, else the
	 * innermost allow.  Once an allow is found, stop where no deny can
	 * follow.
	 */
	for (; node != CIDR_NONE; node = t->nodes[node].parent) {
		const struct cidr_node *n = &t->nodes[node];
		u32 id;

		if (!n->deny_in_chain && res.verdict == CIDR_ALLOW)
			break;
		id = cidr_set_match(t, &n->set[CIDR_DENY], proto, has_port, port);
		if (id != CIDR_NONE) {
			res.verdict = CIDR_DENY;
			res.rule_id = id;
			return res;
		}
		if (res.verdict == -1) {
			id = cidr_set_match(t, &n->set[CIDR_ALLOW], proto,
					    has_port, port);
			if (id != CIDR_NONE) {
				res.verdict = CIDR_ALLOW;
				res.rule_id = id;
			}
		}
	}
	return res;
}
