// SPDX-License-Identifier: GPL-2.0
/*
 * Domain rule compiler and matcher; see domain.h for the data layout.  Pure
 * code: it builds in the kernel and in userspace (cidr_compat.h,
 * parse_compat.h).
 *
 * Hashing.  A suffix's hash is computed by feeding its bytes from the last
 * to the first into a seeded 64-bit state, then finishing the state with the
 * suffix length.  Walking a name from its end therefore passes through the
 * state of every label suffix ("com", "example.com", "www.example.com") on
 * the way, so all suffix hashes of a name cost one pass over it, and the
 * table probes once per label.  The compiler hashes each base name the same
 * way.  The seed is per table, so the bucket layout of a given policy is not
 * predictable from outside.
 *
 * Compile cost is O(n log n) in rules plus O(r log r) in port ranges.
 */
#include <linux/egressk.h>

#include "domain.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define DOMAIN_HASH_MUL		0x100000001b3ULL	/* FNV-1a 64 prime */
#define DOMAIN_PORT_MAP_BYTES	(65536 / 8)
/* Port ranges in one table: the policy bound plus the expanded defaults. */
#define DOMAIN_MAX_RANGES	((u64)EGRESSK_MAX_RANGES_TOTAL + \
				 2ULL * EGRESSK_MAX_DOMAIN_RULES)

static inline u64 domain_hash_step(u64 h, u8 c)
{
	return (h ^ c) * DOMAIN_HASH_MUL;
}

/* Spread the state over all bits, so that the low bits pick buckets well. */
static inline u64 domain_hash_finish(u64 h, size_t len)
{
	h ^= (u64)len * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static u64 domain_hash(u64 seed, const char *s, size_t len)
{
	u64 h = seed;
	size_t i = len;

	while (i > 0)
		h = domain_hash_step(h, (u8)s[--i]);
	return domain_hash_finish(h, len);
}

/* How many bytes of @pattern are its "." or "*." prefix. */
static size_t domain_prefix_len(const char *pattern, size_t len)
{
	if (len >= 2 && pattern[0] == '*' && pattern[1] == '.')
		return 2;
	if (len >= 1 && pattern[0] == '.')
		return 1;
	return 0;
}

int domain_pattern_normalize(const char *raw, size_t raw_len, char *out,
			     size_t out_size, size_t *out_len)
{
	size_t plen, len;
	int err;

	if (!raw || !out || !out_len)
		return -EINVAL;
	plen = domain_prefix_len(raw, raw_len);
	if (out_size <= plen)
		return -ENAMETOOLONG;
	memcpy(out, raw, plen);
	err = egressk_name_normalize(raw + plen, raw_len - plen, out + plen,
				     out_size - plen, &len);
	if (err)
		return err;
	*out_len = plen + len;
	return 0;
}

int domain_pattern_split(const char *pattern, size_t len,
			 const char **base, size_t *base_len, u8 *kind)
{
	size_t plen;

	if (!pattern || !base || !base_len || !kind)
		return -EINVAL;
	plen = domain_prefix_len(pattern, len);
	if (!egressk_name_valid(pattern + plen, len - plen))
		return -EINVAL;
	*base = pattern + plen;
	*base_len = len - plen;
	*kind = plen == 2 ? DOMAIN_SUBDOMAINS :
		plen == 1 ? DOMAIN_SUFFIX : DOMAIN_EXACT;
	return 0;
}

/* --------------------------------------------------------------- build */

/* A rule reference, sorted so that rules on one base name are adjacent. */
struct domain_ref {
	const char *base;
	u32 id;
	u32 idx;		/* into the caller's rules */
	u8 base_len;
};

static int domain_ref_cmp(const void *a, const void *b)
{
	const struct domain_ref *x = a, *y = b;
	int c;

	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	c = memcmp(x->base, y->base, x->base_len);
	if (c)
		return c;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	/* Same id twice: keep the caller's order, so the build is stable. */
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

static int domain_range_cmp(const void *a, const void *b)
{
	const struct cidr_port_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return 0;
}

static void domain_port_map_set(u8 *map, u32 first, u32 last)
{
	/* Partial bytes bit by bit, whole bytes at once. */
	while (first <= last && (first & 7)) {
		map[first >> 3] |= 1U << (first & 7);
		first++;
	}
	if (first + 7 <= last) {
		u32 whole = (last + 1 - first) >> 3;

		memset(map + (first >> 3), 0xff, whole);
		first += whole << 3;
	}
	while (first <= last) {
		map[first >> 3] |= 1U << (first & 7);
		first++;
	}
}

/*
 * Set the port map from the table's ranges: sort a copy, merge overlapping
 * and adjacent ranges, set each merged range once.  O(r log r + 8 KiB)
 * whatever the ranges, where setting every range directly could cost
 * 8 KiB per range.
 */
static int domain_port_map_fill(struct domain_table *t, u32 nr_ranges)
{
	struct cidr_port_range *tmp;
	u32 i, first, last;

	tmp = cidr_alloc_array(nr_ranges, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, t->ranges, (size_t)nr_ranges * sizeof(*tmp));
	cidr_sort(tmp, nr_ranges, sizeof(*tmp), domain_range_cmp);
	first = tmp[0].first;
	last = tmp[0].last;
	for (i = 1; i < nr_ranges; i++) {
		if (tmp[i].first <= last + 1) {
			if (tmp[i].last > last)
				last = tmp[i].last;
			continue;
		}
		domain_port_map_set(t->port_map, first, last);
		first = tmp[i].first;
		last = tmp[i].last;
	}
	domain_port_map_set(t->port_map, first, last);
	cidr_free(tmp);
	return 0;
}

static int domain_rules_check(const struct domain_rule_in *rules, u32 nr_rules,
			      u64 *nr_ranges)
{
	u64 total = 0;
	u32 i, j;

	if (nr_rules > EGRESSK_MAX_DOMAIN_RULES)
		return -E2BIG;
	if (nr_rules && !rules)
		return -EINVAL;
	for (i = 0; i < nr_rules; i++) {
		const struct domain_rule_in *r = &rules[i];

		if (r->kind > DOMAIN_SUBDOMAINS || !r->base || !r->base_len ||
		    !egressk_name_valid(r->base, r->base_len))
			return -EINVAL;
		if (!r->nr_ranges) {
			total += 2;
			continue;
		}
		if (!r->ranges)
			return -EINVAL;
		for (j = 0; j < r->nr_ranges; j++)
			if (r->ranges[j].first > r->ranges[j].last)
				return -EINVAL;
		total += r->nr_ranges;
		if (total > DOMAIN_MAX_RANGES)
			return -E2BIG;
	}
	*nr_ranges = total;
	return 0;
}

void domain_table_free(struct domain_table *t)
{
	if (!t)
		return;
	cidr_free(t->buckets);
	cidr_free(t->entries);
	cidr_free(t->rules);
	cidr_free(t->ranges);
	cidr_free(t->names);
	cidr_free(t->port_map);
	memset(t, 0, sizeof(*t));
}

/* Fill entries, rules, ranges and names from the sorted references. */
static void domain_table_fill(struct domain_table *t,
			      const struct domain_rule_in *rules,
			      const struct domain_ref *refs, u32 nr_rules)
{
	static const struct cidr_port_range defaults[] = {
		{ DOMAIN_DEFAULT_PORT_HTTP, DOMAIN_DEFAULT_PORT_HTTP },
		{ DOMAIN_DEFAULT_PORT_HTTPS, DOMAIN_DEFAULT_PORT_HTTPS },
	};
	u32 i, name_off = 0, range_off = 0;
	struct domain_entry *e = NULL;

	t->nr_entries = 0;
	for (i = 0; i < nr_rules; i++) {
		const struct domain_rule_in *in = &rules[refs[i].idx];
		const struct cidr_port_range *src = in->ranges;
		struct domain_rule *r = &t->rules[i];
		u32 n = in->nr_ranges;

		if (!e || e->name_len != refs[i].base_len ||
		    memcmp(t->names + e->name_off, refs[i].base, e->name_len)) {
			e = &t->entries[t->nr_entries++];
			e->hash = domain_hash(t->seed, refs[i].base, refs[i].base_len);
			e->name_off = name_off;
			e->name_len = refs[i].base_len;
			e->rules_off = i;
			e->nr_rules = 0;
			e->next = DOMAIN_NONE;
			memcpy(t->names + name_off, refs[i].base, refs[i].base_len);
			name_off += refs[i].base_len;
		}
		e->nr_rules++;
		if (!n) {
			src = defaults;
			n = 2;
		}
		r->id = in->id;
		r->kind = in->kind;
		r->ranges_off = range_off;
		r->nr_ranges = n;
		memcpy(t->ranges + range_off, src, (size_t)n * sizeof(*src));
		range_off += n;
	}
}

int domain_table_build_seed(struct domain_table *t,
			    const struct domain_rule_in *rules, u32 nr_rules,
			    u64 seed)
{
	struct domain_ref *refs = NULL;
	u64 nr_ranges = 0, names_len = 0;
	u32 i, nb;
	int err;

	memset(t, 0, sizeof(*t));
	err = domain_rules_check(rules, nr_rules, &nr_ranges);
	if (err || !nr_rules)
		return err;

	refs = cidr_alloc_array(nr_rules, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0; i < nr_rules; i++) {
		refs[i].base = rules[i].base;
		refs[i].base_len = rules[i].base_len;
		refs[i].id = rules[i].id;
		refs[i].idx = i;
		names_len += rules[i].base_len;
	}
	cidr_sort(refs, nr_rules, sizeof(*refs), domain_ref_cmp);

	/* Sized for the worst case (every base distinct); at most 16 MiB. */
	t->seed = seed;
	t->nr_rules = nr_rules;
	t->entries = cidr_alloc_array(nr_rules, sizeof(*t->entries));
	t->rules = cidr_alloc_array(nr_rules, sizeof(*t->rules));
	t->ranges = cidr_alloc_array(nr_ranges, sizeof(*t->ranges));
	t->names = cidr_alloc_array(names_len, 1);
	t->port_map = cidr_zalloc_array(DOMAIN_PORT_MAP_BYTES, 1);
	err = -ENOMEM;
	if (!t->entries || !t->rules || !t->ranges || !t->names || !t->port_map)
		goto fail;
	domain_table_fill(t, rules, refs, nr_rules);

	/* Load factor at most 1/2: chains stay short. */
	for (nb = 2; nb < 2 * t->nr_entries; nb <<= 1)
		;
	t->buckets = cidr_alloc_array(nb, sizeof(*t->buckets));
	if (!t->buckets)
		goto fail;
	t->nr_buckets = nb;
	for (i = 0; i < nb; i++)
		t->buckets[i] = DOMAIN_NONE;
	for (i = 0; i < t->nr_entries; i++) {
		u32 b = (u32)t->entries[i].hash & (nb - 1);

		t->entries[i].next = t->buckets[b];
		t->buckets[b] = i;
	}

	err = domain_port_map_fill(t, (u32)nr_ranges);
	if (err)
		goto fail;
	cidr_free(refs);
	return 0;

fail:
	cidr_free(refs);
	domain_table_free(t);
	return err;
}

int domain_table_build(struct domain_table *t,
		       const struct domain_rule_in *rules, u32 nr_rules)
{
	return domain_table_build_seed(t, rules, nr_rules, cidr_random_u64());
}

u64 domain_table_bytes(const struct domain_table *t)
{
	u64 names = 0;
	u32 i;

	if (!t || !t->nr_rules)
		return 0;
	for (i = 0; i < t->nr_entries; i++)
		names += t->entries[i].name_len;
	return (u64)t->nr_buckets * sizeof(*t->buckets) +
	       (u64)t->nr_rules * (sizeof(*t->entries) + sizeof(*t->rules)) +
	       (u64)(t->rules[t->nr_rules - 1].ranges_off +
		     t->rules[t->nr_rules - 1].nr_ranges) * sizeof(*t->ranges) +
	       names + DOMAIN_PORT_MAP_BYTES;
}

/* --------------------------------------------------------------- match */

static bool domain_rule_covers(const struct domain_table *t,
			       const struct domain_rule *r, u32 port)
{
	const struct cidr_port_range *pr = t->ranges + r->ranges_off;
	u32 i;

	if (port == DOMAIN_ANY_PORT)
		return true;
	for (i = 0; i < r->nr_ranges; i++)
		if (port >= pr[i].first && port <= pr[i].last)
			return true;
	return false;
}

/*
 * Probe for the suffix name[off..len) whose hash is @h.  The lowest-id rule
 * on that base whose kind allows this offset and whose ports cover @port,
 * or DOMAIN_NONE.
 */
static u32 domain_probe(const struct domain_table *t, u64 h, const char *name,
			size_t off, size_t len, u32 port)
{
	size_t slen = len - off;
	u32 i = t->buckets[(u32)h & (t->nr_buckets - 1)];

	for (; i != DOMAIN_NONE; i = t->entries[i].next) {
		const struct domain_entry *e = &t->entries[i];
		const struct domain_rule *r;
		u32 k;

		if (e->hash != h || e->name_len != slen ||
		    memcmp(t->names + e->name_off, name + off, slen))
			continue;
		r = t->rules + e->rules_off;
		for (k = 0; k < e->nr_rules; k++, r++) {
			if (r->kind == DOMAIN_EXACT && off != 0)
				continue;
			if (r->kind == DOMAIN_SUBDOMAINS && off == 0)
				continue;
			if (domain_rule_covers(t, r, port))
				return r->id;
		}
		return DOMAIN_NONE;	/* base names are unique in the table */
	}
	return DOMAIN_NONE;
}

static u32 domain_match(const struct domain_table *t, const char *name,
			size_t len, u32 port)
{
	u32 best = DOMAIN_NONE, id;
	u64 h;
	size_t i;

	if (!t || !name || !t->nr_buckets || len == 0 || len > EGRESSK_NAME_MAX)
		return DOMAIN_NONE;
	if ((port != DOMAIN_ANY_PORT && !domain_table_covers_port(t, port)) ||
	    !egressk_name_valid(name, len))
		return DOMAIN_NONE;

	/*
	 * From the end of the name: on reaching a dot at i, the state holds
	 * the suffix name[i + 1..len).  Shorter suffixes are probed first, so
	 * a later (longer, more specific) match replaces an earlier one.
	 */
	h = t->seed;
	for (i = len; i > 0; i--) {
		if (name[i - 1] == '.') {
			id = domain_probe(t, domain_hash_finish(h, len - i),
					  name, i, len, port);
			if (id != DOMAIN_NONE)
				best = id;
		}
		h = domain_hash_step(h, (u8)name[i - 1]);
	}
	id = domain_probe(t, domain_hash_finish(h, len), name, 0, len, port);
	return id != DOMAIN_NONE ? id : best;
}

u32 domain_table_match(const struct domain_table *t, const char *name,
		       size_t len, u16 port)
{
	return domain_match(t, name, len, port);
}

u32 domain_table_match_any(const struct domain_table *t, const char *name,
			   size_t len)
{
	return domain_match(t, name, len, DOMAIN_ANY_PORT);
}
