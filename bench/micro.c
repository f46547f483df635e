// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace microbenchmark of the code egressk shares with the kernel, for
 * callgrind instruction counts (bench/run.sh runs it under
 * `valgrind --tool=callgrind --toggle-collect=bench_*`).
 *
 *   micro cidr N LOOKUPS SEED [mixed|hit|miss]
 *                                build a table of N random IPv4 prefixes
 *                                (plus one /32), then LOOKUPS lookups: hits
 *                                (an address inside a listed prefix),
 *                                misses (random addresses), or half each
 *                                (default); the lookups run in
 *                                bench_cidr_lookups()
 *   micro domain LOOKUPS         egressk_domain_match() over a fixed set of
 *                                pattern/name pairs, in bench_domain_match()
 *   micro dtable N LOOKUPS SEED hit|miss
 *                                build a domain_table of N ".<a>.<b>.com"
 *                                rules, then LOOKUPS four-label names that
 *                                match a random rule (hit) or none (miss), in
 *                                bench_domain_table()
 *   micro sni FILE LOOKUPS       egressk_parse_tls_sni() over one ClientHello,
 *                                in bench_sni_parse()
 *   micro dnsq N QUERIES SEED hit|miss|parse
 *                                the DNS query filter's work per query
 *                                (kmod/dns.c, egressk_dns_query_check):
 *                                egressk_dns_parse_query() then
 *                                domain_table_match_any() against a table
 *                                of N rules shaped as dtable's, over
 *                                QUERIES queries laid out as dig sends
 *                                them (RD+AD, one question of type A, an
 *                                EDNS OPT record with an 8-byte cookie;
 *                                names as dtable's), in bench_dns_query();
 *                                "parse" skips the match
 *
 * Without valgrind it prints the wall time per operation too (not used for
 * targets: the machines are noisy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cidr.h"
#include "domain.h"
#include "parse.h"

static u64 rng_state;
static u64 rnd(void)
{
	/* xorshift64*: deterministic, no libc state */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

volatile u32 sink;

__attribute__((noinline)) void bench_cidr_lookups(const struct cidr_table *t,
		const struct cidr_key *keys, u32 n)
{
	u32 i, acc = 0;

	for (i = 0; i < n; i++) {
		struct cidr_result r = cidr_lookup(t, &keys[i], CIDR_PROTO_TCP,
						   true, 443);
		acc += r.rule_id;
	}
	sink = acc;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int run_cidr(u32 n, u32 lookups, u64 seed, const char *kind)
{
	struct cidr_rule_in *rules = calloc(n + 1, sizeof(*rules));
	struct cidr_key *keys = calloc(lookups, sizeof(*keys));
	u32 *bases = calloc(n + 1, sizeof(*bases));
	struct cidr_table t;
	u32 i, nb = 0, hits = 0;
	double t0, t1;
	int err;

	if (!rules || !keys || !bases)
		return 1;
	rng_state = seed | 1;
	/* distinct random /24 bases (as the guest benchmark), prefix /24../32 */
	while (nb < n) {
		u32 b = (u32)rnd() >> 8, j;

		if ((b >> 16) == 0 || (b >> 16) == 10 || (b >> 16) == 127 ||
		    (b >> 16) >= 224 || b == (198u << 16 | 51 << 8 | 100))
			continue;
		bases[nb++] = b;
		(void)j;
	}
	qsort(bases, nb, sizeof(u32), cmp_u32);
	for (i = 1, nb = 1; i < n; i++)
		if (bases[i] != bases[nb - 1])
			bases[nb++] = bases[i];
	for (i = 0; i < nb; i++) {
		static const u8 plens[] = { 24, 24, 25, 26, 28, 32 };
		u8 pl = plens[rnd() % 6];
		u32 a = bases[i] << 8;

		if (pl > 24)
			a |= ((u32)rnd() & ((1u << (pl - 24)) - 1)) << (32 - pl);
		rules[i].addr.hi = 0;
		rules[i].addr.lo = a;
		rules[i].prefixlen = pl;
		rules[i].action = CIDR_ALLOW;
		rules[i].proto = CIDR_PROTO_ANY;
		rules[i].id = i;
	}
	/* the server */
	rules[nb].addr.lo = 198u << 24 | 51 << 16 | 100 << 8 | 2;
	rules[nb].prefixlen = 32;
	rules[nb].id = nb;
	nb++;
	err = cidr_table_build(&t, 32, rules, nb);
	if (err) {
		fprintf(stderr, "cidr_table_build: %d\n", err);
		return 1;
	}
	for (i = 0; i < lookups; i++) {
		int hit = !strcmp(kind, "hit") ? 1 : !strcmp(kind, "miss") ? 0 : (i & 1);

		if (hit) {	/* hit: first address of a random rule */
			keys[i] = rules[rnd() % nb].addr;
		} else {	/* miss (almost always): random address */
			keys[i].hi = 0;
			keys[i].lo = (u32)rnd();
		}
	}
	t0 = now();
	bench_cidr_lookups(&t, keys, lookups);
	t1 = now();
	for (i = 0; i < lookups; i++)
		hits += cidr_lookup(&t, &keys[i], CIDR_PROTO_TCP, true, 443).verdict == CIDR_ALLOW;
	printf("cidr kind=%s table_bytes=%llu rules=%u intervals=%u nodes=%u lookups=%u hits=%u ns_per_lookup=%.1f\n",
	       kind, (unsigned long long)t.nr_iv * (sizeof(struct cidr_key) + sizeof(u32)) +
	       (unsigned long long)t.nr_nodes * sizeof(struct cidr_node) +
	       (unsigned long long)t.nr_ports * sizeof(struct cidr_port_iv), nb, t.nr_iv, t.nr_nodes, lookups, hits, (t1 - t0) * 1e9 / lookups);
	cidr_table_free(&t);
	free(rules);
	free(keys);
	free(bases);
	return 0;
}

static const char *const dom_pairs[][2] = {
	{ ".example.com", "www.example.com" },
	{ ".example.com", "example.com" },
	{ "*.example.com", "a.b.c.example.com" },
	{ "*.example.com", "example.org" },
	{ "api.github.com", "api.github.com" },
	{ ".githubusercontent.com", "objects.githubusercontent.com" },
	{ ".pypi.org", "files.pythonhosted.org" },
	{ "registry.npmjs.org", "registry.npmjs.org." },
	{ ".amazonaws.com", "s3.eu-west-1.AMAZONAWS.com" },
	{ ".debian.org", "deb.debian.org" },
};
#define NR_DOM (sizeof(dom_pairs) / sizeof(dom_pairs[0]))

__attribute__((noinline)) void bench_domain_match(u32 n)
{
	u32 i, acc = 0;

	for (i = 0; i < n; i++)
		acc += egressk_domain_match(dom_pairs[i % NR_DOM][0],
					    dom_pairs[i % NR_DOM][1]);
	sink = acc;
}

__attribute__((noinline)) void bench_domain_table(const struct domain_table *t,
		const char *names, const u8 *lens, u32 n)
{
	u32 i, acc = 0;

	for (i = 0; i < n; i++)
		acc += domain_table_match(t, names + (size_t)i * 64, lens[i], 443);
	sink = acc;
}

static size_t rnd_label(char *out, u32 min, u32 max)
{
	size_t n = min + rnd() % (max - min + 1), i;

	for (i = 0; i < n; i++)
		out[i] = 'a' + rnd() % 26;
	return n;
}

/*
 * @n suffix rules ".<6-10>.<4-8>.com" from @seed into @t; @bases holds n
 * 32-byte names and @rules n entries, both kept by the caller.  Leaves the
 * generator seeded for the caller's probes.
 */
static int build_random_table(struct domain_table *t, u32 n, u64 seed,
			      char *bases, struct domain_rule_in *rules)
{
	u32 i;

	rng_state = seed | 1;
	for (i = 0; i < n; i++) {
		char *b = bases + (size_t)i * 32;
		size_t l = rnd_label(b, 6, 10);

		b[l++] = '.';
		l += rnd_label(b + l, 4, 8);
		memcpy(b + l, ".com", 4);
		rules[i].base = b;
		rules[i].base_len = l + 4;
		rules[i].kind = DOMAIN_SUFFIX;
		rules[i].id = i;
	}
	if (domain_table_build(t, rules, n)) {
		fprintf(stderr, "domain_table_build failed\n");
		return 1;
	}
	return 0;
}

/* Names are "<4>.<6-10>.<4-8>.com", about 24 bytes: the same shape for hits and misses. */
static int run_dtable(u32 n, u32 lookups, u64 seed, const char *kind)
{
	char *bases = calloc(n, 32), *names = calloc(lookups, 64);
	struct domain_rule_in *rules = calloc(n, sizeof(*rules));
	u8 *lens = calloc(lookups, 1);
	struct domain_table t;
	u32 i, hits = 0;
	double t0, t1;
	int hit = !strcmp(kind, "hit");

	if (!bases || !names || !rules || !lens)
		return 1;
	if (build_random_table(&t, n, seed, bases, rules))
		return 1;
	for (i = 0; i < lookups; i++) {
		char *nm = names + (size_t)i * 64;
		size_t l = rnd_label(nm, 4, 4);

		nm[l++] = '.';
		if (hit) {
			const struct domain_rule_in *r = &rules[rnd() % n];

			memcpy(nm + l, r->base, r->base_len);
			l += r->base_len;
		} else {	/* a random base (almost surely no rule) */
			l += rnd_label(nm + l, 6, 10);
			nm[l++] = '.';
			l += rnd_label(nm + l, 4, 8);
			memcpy(nm + l, ".com", 4);
			l += 4;
		}
		lens[i] = (u8)l;
	}
	t0 = now();
	bench_domain_table(&t, names, lens, lookups);
	t1 = now();
	for (i = 0; i < lookups; i++)
		hits += domain_table_match(&t, names + (size_t)i * 64, lens[i], 443) != DOMAIN_NONE;
	printf("dtable kind=%s rules=%u buckets=%u table_bytes=%llu lookups=%u hits=%u ns_per_lookup=%.1f\n",
	       kind, n, t.nr_buckets, (unsigned long long)domain_table_bytes(&t), lookups, hits,
	       (t1 - t0) * 1e9 / lookups);
	domain_table_free(&t);
	free(bases);
	free(names);
	free(rules);
	free(lens);
	return 0;
}

__attribute__((noinline)) void bench_sni_parse(const u8 *buf, size_t len, u32 n)
{
	char name[256];
	size_t nl;
	u32 i, acc = 0;

	for (i = 0; i < n; i++)
		acc += egressk_parse_tls_sni(buf, len, name, sizeof(name), &nl) + (u32)nl;
	sink = acc;
}

struct dnsq { u8 wire[96]; u8 len; };

__attribute__((noinline)) void bench_dns_query(const struct domain_table *t,
		const struct dnsq *q, u32 n, int match)
{
	struct egressk_dns_msg m;
	char name[256];
	size_t nl;
	u32 i, acc = 0;

	for (i = 0; i < n; i++) {
		nl = 0;
		if (egressk_dns_parse_query(q[i].wire, q[i].len, &m, name, sizeof(name), &nl))
			continue;
		acc += match ? domain_table_match_any(t, name, nl) : (u32)nl;
	}
	sink = acc;
}

/* A dotted name into DNS wire labels at @out; returns the bytes written. */
static size_t to_wire(const char *nm, size_t l, u8 *out)
{
	size_t i = 0, o = 0;

	while (i < l) {
		size_t j = i;

		while (j < l && nm[j] != '.')
			j++;
		out[o++] = (u8)(j - i);
		memcpy(out + o, nm + i, j - i);
		o += j - i;
		i = j + 1;
	}
	out[o++] = 0;
	return o;
}

static int run_dnsq(u32 n, u32 nq, u64 seed, const char *kind)
{
	static const u8 hdr[12] = { 0, 0, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1 };
	static const u8 tail[4 + 11 + 12] = {
		0, 1, 0, 1,					/* A, IN */
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 12,	/* OPT, 1232 */
		0, 10, 0, 8, 0xd4, 0xcb, 0xe6, 0x8f, 0x8d, 0x8f, 0x01, 0x72 };	/* COOKIE */
	char *bases = calloc(n, 32), nm[64];
	struct domain_rule_in *rules = calloc(n, sizeof(*rules));
	struct dnsq *q = calloc(nq, sizeof(*q));
	struct domain_table t;
	struct egressk_dns_msg m;
	char name[256];
	size_t nl;
	u32 i, hits = 0, bytes = 0;
	int hit = !strcmp(kind, "hit"), match = strcmp(kind, "parse") != 0;
	double t0, t1;

	if (!bases || !rules || !q)
		return 1;
	if (build_random_table(&t, n, seed, bases, rules))
		return 1;
	for (i = 0; i < nq; i++) {
		size_t l = rnd_label(nm, 4, 4), o;

		nm[l++] = '.';
		if (hit) {
			const struct domain_rule_in *r = &rules[rnd() % n];

			memcpy(nm + l, r->base, r->base_len);
			l += r->base_len;
		} else {
			l += rnd_label(nm + l, 6, 10);
			nm[l++] = '.';
			l += rnd_label(nm + l, 4, 8);
			memcpy(nm + l, ".com", 4);
			l += 4;
		}
		memcpy(q[i].wire, hdr, sizeof(hdr));
		q[i].wire[0] = (u8)rnd();
		q[i].wire[1] = (u8)rnd();
		o = sizeof(hdr) + to_wire(nm, l, q[i].wire + sizeof(hdr));
		memcpy(q[i].wire + o, tail, sizeof(tail));
		q[i].len = (u8)(o + sizeof(tail));
		bytes += q[i].len;
	}
	t0 = now();
	bench_dns_query(&t, q, nq, match);
	t1 = now();
	for (i = 0; i < nq; i++) {
		nl = 0;
		if (!egressk_dns_parse_query(q[i].wire, q[i].len, &m, name, sizeof(name), &nl) &&
		    domain_table_match_any(&t, name, nl) != DOMAIN_NONE)
			hits++;
	}
	printf("dnsq kind=%s rules=%u queries=%u avg_bytes=%.1f hits=%u ns_per_query=%.1f\n",
	       kind, n, nq, (double)bytes / nq, hits, (t1 - t0) * 1e9 / nq);
	domain_table_free(&t);
	free(bases);
	free(rules);
	free(q);
	return 0;
}

int main(int argc, char **argv)
{
	double t0;

	if (argc >= 5 && !strcmp(argv[1], "cidr"))
		return run_cidr(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				strtoull(argv[4], NULL, 0), argc > 5 ? argv[5] : "mixed");
	if (argc >= 5 && !strcmp(argv[1], "dtable"))
		return run_dtable(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				  strtoull(argv[4], NULL, 0), argc > 5 ? argv[5] : "hit");
	if (argc >= 5 && !strcmp(argv[1], "dnsq"))
		return run_dnsq(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				strtoull(argv[4], NULL, 0), argc > 5 ? argv[5] : "hit");
	if (argc >= 3 && !strcmp(argv[1], "domain")) {
		u32 n = strtoul(argv[2], NULL, 0);

		t0 = now();
		bench_domain_match(n);
		printf("domain pairs=%zu matches=%u ns_per_match=%.1f\n", NR_DOM,
		       n, (now() - t0) * 1e9 / n);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "sni")) {
		static u8 buf[65536];
		FILE *f = fopen(argv[2], "rb");
		size_t len;
		char name[256];
		size_t nl = 0;
		u32 n = strtoul(argv[3], NULL, 0);
		int r;

		if (!f) {
			perror(argv[2]);
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		r = egressk_parse_tls_sni(buf, len, name, sizeof(name), &nl);
		t0 = now();
		bench_sni_parse(buf, len, n);
		printf("sni file=%s bytes=%zu result=%s name=%.*s parses=%u ns_per_parse=%.1f\n",
		       argv[2], len, egressk_parse_result_name(r), (int)nl, name, n,
		       (now() - t0) * 1e9 / n);
		return 0;
	}
	fprintf(stderr, "usage: micro cidr N LOOKUPS SEED [mixed|hit|miss] | domain N |"
		" dtable N LOOKUPS SEED [hit|miss] | sni FILE N |"
		" dnsq N QUERIES SEED [hit|miss|parse]\n");
	return 2;
}
