// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the DNS message parser in kmod/parse.c: recorded dnsmasq
 * exchanges (tests/parsers/fixtures/dns/, see record-dns-fixtures.sh) and
 * the hand-built table in dns_cases.h, which KUnit runs too.
 *
 *   test_dns FIXTURE_DIR [-v]      ends with "N passed, N failed, N skipped"
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/parse.h"
#include "tinytest.h"
#include "dns_cases.h"

static const char *fixture_dir;

static int inet_pton6(const char *s, u8 *out);

struct parsed {
	int rc;
	struct egressk_dns_msg msg;
	char name[EGRESSK_NAME_BUF];
	size_t len;
};

static struct parsed parse(bool response, const u8 *b, size_t n)
{
	struct parsed p;

	memset(&p, 0, sizeof(p));
	p.len = (size_t)-1;
	p.rc = (response ? egressk_dns_parse_response : egressk_dns_parse_query)
		(b, n, &p.msg, p.name, sizeof(p.name), &p.len);
	return p;
}

static const char *en(int rc)
{
	static char buf[4][32];
	static int i;
	const char *s;

	switch (rc) {
	case 0: s = "0"; break;
	case -EINVAL: s = "-EINVAL"; break;
	case -EILSEQ: s = "-EILSEQ"; break;
	case -ENAMETOOLONG: s = "-ENAMETOOLONG"; break;
	case -EAGAIN: s = "-EAGAIN"; break;
	case -ELOOP: s = "-ELOOP"; break;
	case -ENOENT: s = "-ENOENT"; break;
	case -E2BIG: s = "-E2BIG"; break;
	default:
		i = (i + 1) % 4;
		snprintf(buf[i], sizeof(buf[i]), "%d", rc);
		return buf[i];
	}
	return s;
}

/* End of the answer section of a parsed response, by walking it. */
static size_t answer_end(const struct egressk_dns_msg *msg)
{
	struct egressk_dns_iter it;
	struct egressk_dns_rr rr;

	egressk_dns_answers(msg, &it);
	while (!egressk_dns_next_answer(&it, &rr))
		;
	return it.pos;
}

/*
 * Every proper prefix of a message that parsed is INVALID, except, for a
 * response, the prefixes that keep the whole answer section (the authority
 * and additional sections are not read): those give the same answer.
 */
static void check_prefixes(bool response, const u8 *b, size_t n, const struct parsed *full)
{
	size_t k, need = n, bad = 0;

	if (response && (full->rc == 0 || full->rc == -EILSEQ))
		need = answer_end(&full->msg);
	for (k = 0; k < n && bad < 3; k++) {
		struct parsed p = parse(response, b, k);
		int want = k < need ? -EINVAL : full->rc;

		if (p.rc != want || (want == 0 && strcmp(p.name, full->name))) {
			bad++;
			CHECK(0, "prefix %zu/%zu: %s, want %s", k, n, en(p.rc), en(want));
		}
	}
	CHECK(bad == 0, "prefixes");
}

/* Iterate the answers: ANCOUNT records, names that decode, then -ENOENT. */
static void check_iter(const struct egressk_dns_msg *msg)
{
	struct egressk_dns_iter it;
	struct egressk_dns_rr rr;
	char nm[EGRESSK_NAME_BUF];
	size_t nl;
	int rc, n = 0, nrc;

	egressk_dns_answers(msg, &it);
	while (!(rc = egressk_dns_next_answer(&it, &rr))) {
		n++;
		nrc = egressk_dns_name(msg, rr.owner_off, nm, sizeof(nm), &nl);
		CHECK(nrc == 0 || nrc == -EILSEQ, "owner of answer %d: %s", n, en(nrc));
		if (rr.type == EGRESSK_DNS_TYPE_CNAME) {
			nrc = egressk_dns_name(msg, rr.target_off, nm, sizeof(nm), &nl);
			CHECK(nrc == 0 || nrc == -EILSEQ, "CNAME target of answer %d: %s", n, en(nrc));
		}
	}
	CHECK(rc == -ENOENT, "iterator ends with %s, want -ENOENT", en(rc));
	CHECK(n == msg->ancount, "iterated %d answers, ANCOUNT %u", n, msg->ancount);
	CHECK(egressk_dns_next_answer(&it, &rr) == -ENOENT, "stays at the end");
}

/* ------------------------------------------------------------ the table */

static void run_case(const struct dns_case *c)
{
	static struct dns_build d;
	static u8 framed[DNS_BUILD_MAX + 2];
	const u8 *m;
	size_t mlen;
	struct parsed p;
	bool response = c->kind == DNS_RESPONSE;
	int rc;

	CASE_BEGIN(c->desc);
	dns_build(&d, c->msg);
	CHECK(!d.bad, "the notation of this case is broken");
	m = d.b;
	mlen = d.n;
	if (c->kind == DNS_TCP_QUERY) {
		framed[0] = d.n >> 8;
		framed[1] = d.n;
		memcpy(framed + 2, d.b, d.n);
		rc = egressk_dns_tcp_message(framed, d.n + 2, &m, &mlen);
		CHECK(rc == 0 && mlen == d.n && m == framed + 2, "tcp framing: %s", en(rc));
		/* Every shorter prefix of the framed bytes needs more. */
		for (size_t k = 0; k < d.n + 2; k++) {
			const u8 *m2;
			size_t l2;

			rc = egressk_dns_tcp_message(framed, k, &m2, &l2);
			if (rc != -EAGAIN) {
				CHECK(0, "framed prefix %zu: %s, want -EAGAIN", k, en(rc));
				break;
			}
		}
	} else if (c->kind == DNS_FRAMED_QUERY) {
		rc = egressk_dns_tcp_message(d.b, d.n, &m, &mlen);
		if (rc) {
			CHECK(rc == c->rc, "tcp_message: %s, want %s", en(rc), en(c->rc));
			CASE_END();
			return;
		}
	}
	p = parse(response, m, mlen);
	CHECK(p.rc == c->rc, "parse: %s, want %s", en(p.rc), en(c->rc));
	if (p.rc == 0 && c->rc == 0) {
		if (c->qname)
			CHECK(!strcmp(p.name, c->qname), "name '%s', want '%s'", p.name, c->qname);
		else
			CHECK(p.len == c->qlen && strlen(p.name) == c->qlen,
			      "name length %zu, want %zu", p.len, c->qlen);
		CHECK(p.len == strlen(p.name) && egressk_name_valid(p.name, p.len),
		      "a valid name of name_len bytes");
	} else {
		CHECK(p.name[0] == '\0', "name is empty unless 0 (got '%s')", p.name);
	}
	if (p.rc == 0 || p.rc == -EILSEQ)
		check_prefixes(response, m, mlen, &p);
	if (response && (p.rc == 0 || p.rc == -EILSEQ) && c->rc == p.rc) {
		struct egressk_dns_addr a[16];
		char got[512];
		int n;

		check_iter(&p.msg);
		n = egressk_dns_answer_addrs(&p.msg, a, 16);
		CHECK(n == c->addrs, "answer_addrs %s, want %s", en(n), en(c->addrs));
		if (n >= 0 && c->want) {
			dns_format_addrs(a, n, got, sizeof(got));
			CHECK(!strcmp(got, c->want), "addresses '%s', want '%s'", got, c->want);
		}
		/* max 0 with out NULL counts without storing. */
		CHECK(egressk_dns_answer_addrs(&p.msg, NULL, 0) == n, "count-only call agrees");
	}
	CASE_END();
}

/* ------------------------------------------------------------ fixtures */

struct expect {
	char proto[8];
	char qname[EGRESSK_NAME_BUF];
	unsigned int qtype, rcode;
	char addrs[1024];
	int naddrs;
};

static long slurp(const char *path, u8 *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size, f);
	fclose(f);
	return (long)n;
}

static bool read_expect(const char *path, struct expect *e)
{
	FILE *f = fopen(path, "r");
	char line[512], kind[8], addr[48];
	unsigned int ttl;

	if (!f)
		return false;
	memset(e, 0, sizeof(*e));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "proto %7s", e->proto) == 1 ||
		    sscanf(line, "qname %253s", e->qname) == 1 ||
		    sscanf(line, "qtype %u", &e->qtype) == 1 ||
		    sscanf(line, "rcode %u", &e->rcode) == 1)
			continue;
		if (sscanf(line, "addr %7s %47s %u", kind, addr, &ttl) == 3) {
			u8 raw[16];
			char one[80];
			size_t at = strlen(e->addrs);

			if (!strcmp(kind, "A")) {
				snprintf(one, sizeof(one), "%s/%u", addr, ttl);
			} else {
				int k;
				size_t o = 0;

				if (inet_pton6(addr, raw) != 1)
					return fclose(f), false;
				for (k = 0; k < 16; k++)
					o += snprintf(one + o, sizeof(one) - o, "%02x", raw[k]);
				snprintf(one + o, sizeof(one) - o, "/%u", ttl);
			}
			snprintf(e->addrs + at, sizeof(e->addrs) - at, "%s%s", at ? " " : "", one);
			e->naddrs++;
		}
	}
	fclose(f);
	return e->proto[0] && e->qname[0];
}

/* Hand-rolled so the test needs no <arpa/inet.h> quirks: full or "::" forms. */
static int inet_pton6(const char *s, u8 *out)
{
	unsigned int groups[8], head = 0, tail = 0, tailg[8], v;
	const char *gap = strstr(s, "::");
	int i;

	memset(out, 0, 16);
	for (const char *p = s; *p && (!gap || p < gap);) {
		if (sscanf(p, "%x", &v) != 1 || head == 8)
			return 0;
		groups[head++] = v;
		p = strchr(p, ':');
		if (!p || p == gap)
			break;
		p++;
	}
	if (gap) {
		for (const char *p = gap + 2; *p;) {
			if (sscanf(p, "%x", &v) != 1 || tail == 8)
				return 0;
			tailg[tail++] = v;
			p = strchr(p, ':');
			if (!p)
				break;
			p++;
		}
	}
	if (head + tail > 8 || (!gap && head != 8))
		return 0;
	for (i = 0; i < (int)head; i++) {
		out[2 * i] = groups[i] >> 8;
		out[2 * i + 1] = groups[i];
	}
	for (i = 0; i < (int)tail; i++) {
		out[16 - 2 * (tail - i)] = tailg[i] >> 8;
		out[16 - 2 * (tail - i) + 1] = tailg[i];
	}
	return 1;
}

static u8 qbuf[70000], rbuf[70000];

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the space-separated words of @s in place: dnsmasq rotates RRsets. */
static void sort_words(char *s)
{
	char copy[1024], *w[64], *save = NULL, *t;
	int n = 0, i;
	size_t at = 0;

	snprintf(copy, sizeof(copy), "%s", s);
	for (t = strtok_r(copy, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	qsort(w, n, sizeof(w[0]), by_name);
	s[0] = '\0';
	for (i = 0; i < n; i++)
		at += sprintf(s + at, "%s%s", i ? " " : "", w[i]);
}

/* Mutations: no crash (ASan/valgrind watch), and every answer in contract. */
static void mutate(bool response, const u8 *b, size_t n)
{
	static u8 m[70000];
	static const u8 values[] = { 0x00, 0x3f, 0x40, 0xc0, 0xcc, 0xff };
	struct egressk_dns_addr a[4];
	size_t i, v;
	int bad = 0;

	for (i = 0; i < n; i++) {
		for (v = 0; v < sizeof(values); v++) {
			struct parsed p;

			memcpy(m, b, n);
			m[i] = values[v];
			p = parse(response, m, n);
			if (p.rc != 0 && p.rc != -EILSEQ && p.rc != -EINVAL)
				bad++;
			if (p.rc == 0 && !egressk_name_valid(p.name, p.len))
				bad++;
			if (response && (p.rc == 0 || p.rc == -EILSEQ)) {
				int r = egressk_dns_answer_addrs(&p.msg, a, 4);

				if (r < -E2BIG - 200 || r > 256)
					bad++;
			}
		}
	}
	CHECK(bad == 0, "%d single-byte mutations out of contract", bad);
}

static void fixture(const char *base)
{
	char path[1024], nm[300];
	struct expect e;
	long ql, rl;
	const u8 *q = qbuf, *r = rbuf;
	size_t qn, rn;
	struct parsed pq, pr;
	bool tcp;

	snprintf(path, sizeof(path), "%s/dns/%s.expect", fixture_dir, base);
	snprintf(nm, sizeof(nm), "dns fixture %s", base);
	CASE_BEGIN(nm);
	CHECK(read_expect(path, &e), "read %s", path);
	snprintf(path, sizeof(path), "%s/dns/%s.query.bin", fixture_dir, base);
	ql = slurp(path, qbuf, sizeof(qbuf));
	snprintf(path, sizeof(path), "%s/dns/%s.response.bin", fixture_dir, base);
	rl = slurp(path, rbuf, sizeof(rbuf));
	CHECK(ql > 0 && rl > 0, "read the query and response");
	if (ql <= 0 || rl <= 0) {
		CASE_END();
		return;
	}
	qn = ql;
	rn = rl;
	tcp = !strcmp(e.proto, "tcp");
	if (tcp) {
		CHECK(egressk_dns_tcp_message(qbuf, ql, &q, &qn) == 0 && qn + 2 == (size_t)ql,
		      "query: one whole TCP message");
		CHECK(egressk_dns_tcp_message(rbuf, rl, &r, &rn) == 0 && rn + 2 == (size_t)rl,
		      "response: one whole TCP message");
	}
	pq = parse(false, q, qn);
	pr = parse(true, r, rn);
	if (!strcmp(e.qname, "-")) {
		CHECK(pq.rc == -EILSEQ, "query: %s, want -EILSEQ", en(pq.rc));
		CHECK(pr.rc == -EILSEQ, "response: %s, want -EILSEQ", en(pr.rc));
	} else {
		CHECK(pq.rc == 0 && !strcmp(pq.name, e.qname), "query: %s '%s', want '%s'",
		      en(pq.rc), pq.name, e.qname);
		CHECK(pr.rc == 0 && !strcmp(pr.name, e.qname), "response: %s '%s', want '%s'",
		      en(pr.rc), pr.name, e.qname);
	}
	CHECK(pq.msg.qtype == e.qtype && pr.msg.qtype == e.qtype, "qtype %u/%u, want %u",
	      pq.msg.qtype, pr.msg.qtype, e.qtype);
	CHECK(pq.msg.qclass == EGRESSK_DNS_CLASS_IN, "qclass IN");
	CHECK(pq.msg.id == pr.msg.id, "response ID matches the query's");
	CHECK(pr.msg.rcode == e.rcode, "rcode %u, want %u", pr.msg.rcode, e.rcode);
	CHECK(!(pq.msg.flags & EGRESSK_DNS_F_QR) && (pr.msg.flags & EGRESSK_DNS_F_QR), "QR");
	/* Each parser refuses the other direction. */
	CHECK(parse(true, q, qn).rc == -EINVAL, "the query is not a response");
	CHECK(parse(false, r, rn).rc == -EINVAL, "the response is not a query");
	if (pr.rc == 0 || pr.rc == -EILSEQ) {
		struct egressk_dns_addr a[16];
		char got[1024];
		int n = egressk_dns_answer_addrs(&pr.msg, a, 16);

		check_iter(&pr.msg);
		CHECK(n == e.naddrs, "answer_addrs %s, want %d", en(n), e.naddrs);
		if (n >= 0) {
			dns_format_addrs(a, n, got, sizeof(got));
			sort_words(got);
			sort_words(e.addrs);
			CHECK(!strcmp(got, e.addrs), "addresses '%s', want '%s' (sorted)", got, e.addrs);
		}
	}
	check_prefixes(false, q, qn, &pq);
	check_prefixes(true, r, rn, &pr);
	mutate(false, q, qn);
	mutate(true, r, rn);
	CASE_END();
}


static void fixtures(void)
{
	char path[1024], *names[256];
	struct dirent *de;
	int n = 0, i;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/dns", fixture_dir);
	dir = opendir(path);
	CASE_BEGIN("dns fixtures present");
	CHECK(dir != NULL, "open %s", path);
	while (dir && (de = readdir(dir)) && n < 256) {
		size_t l = strlen(de->d_name);

		if (l > 7 && !strcmp(de->d_name + l - 7, ".expect"))
			names[n++] = strndup(de->d_name, l - 7);
	}
	if (dir)
		closedir(dir);
	CHECK(n >= 10, "%d fixtures, want at least 10", n);
	CASE_END();
	qsort(names, n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		fixture(names[i]);
		free(names[i]);
	}
}

/* ------------------------------------------------------------ the rest */

static void misc(void)
{
	static struct dns_build d;
	static u8 big[70000];
	struct egressk_dns_msg msg;
	struct egressk_dns_addr a[4];
	char name[EGRESSK_NAME_BUF + 8];
	size_t len = 0, i, n;
	int rc;

	CASE_BEGIN("dns: NULL and zero-size arguments are -EINVAL");
	dns_build(&d, "h:1:0x100:1:0:0:0 n:www.example.com q:1:1");
	CHECK(egressk_dns_parse_query(NULL, 0, &msg, name, sizeof(name), &len) == -EINVAL, "buf");
	CHECK(egressk_dns_parse_query(d.b, d.n, NULL, name, sizeof(name), &len) == -EINVAL, "msg");
	CHECK(egressk_dns_parse_query(d.b, d.n, &msg, NULL, 10, &len) == -EINVAL, "name");
	CHECK(egressk_dns_parse_query(d.b, d.n, &msg, name, 0, &len) == -EINVAL, "size");
	CHECK(egressk_dns_parse_query(d.b, d.n, &msg, name, sizeof(name), NULL) == -EINVAL, "len");
	CHECK(egressk_dns_parse_response(NULL, 0, &msg, name, sizeof(name), &len) == -EINVAL, "r");
	CHECK(egressk_dns_tcp_message(NULL, 4, NULL, NULL) == -EINVAL, "tcp");
	CHECK(egressk_dns_answer_addrs(NULL, a, 4) == -EINVAL, "addrs msg");
	CASE_END();

	CASE_BEGIN("dns: a name that does not fit name_size is -ENAMETOOLONG, no overflow");
	memset(name, 0x7e, sizeof(name));
	rc = egressk_dns_parse_query(d.b, d.n, &msg, name, 15, &len);
	CHECK(rc == -ENAMETOOLONG, "15 bytes for 15 characters: %s", en(rc));
	for (i = 15; i < sizeof(name); i++)
		CHECK(name[i] == 0x7e, "byte %zu written", i);
	CHECK(name[0] == '\0', "name emptied");
	rc = egressk_dns_parse_query(d.b, d.n, &msg, name, 16, &len);
	CHECK(rc == 0 && len == 15 && !strcmp(name, "www.example.com"), "16 bytes fit: %s", en(rc));
	/* An unrepresentable name stays -EILSEQ whatever the buffer. */
	dns_build(&d, "h:1:0x100:1:0:0:0 n:a*b.example.com q:1:1");
	CHECK(egressk_dns_parse_query(d.b, d.n, &msg, name, 3, &len) == -EILSEQ, "EILSEQ first");
	CASE_END();

	CASE_BEGIN("dns: answer_addrs reports every address, stores at most max");
	dns_build(&d, "h:1:0x8180:1:6:0:0 n:www.example.com q:1:1"
		  " p:12 rr:1:1:1 a:192.0.2.1 p:12 rr:1:1:2 a:192.0.2.2 p:12 rr:1:1:3 a:192.0.2.3"
		  " p:12 rr:1:1:4 a:192.0.2.4 p:12 rr:1:1:5 a:192.0.2.5 p:12 rr:1:1:6 a:192.0.2.6");
	memset(a, 0x55, sizeof(a));
	rc = egressk_dns_parse_response(d.b, d.n, &msg, name, sizeof(name), &len);
	CHECK(rc == 0, "parse %s", en(rc));
	rc = egressk_dns_answer_addrs(&msg, a, 3);
	CHECK(rc == 6, "6 found: %s", en(rc));
	CHECK(a[2].ttl == 3 && a[2].addr[3] == 3, "the first three stored in order");
	CHECK(a[3].ttl == 0x55555555u, "nothing past max");
	CASE_END();

	CASE_BEGIN("dns: more than EGRESSK_DNS_MAX_ANSWERS answers is -E2BIG");
	dns_build(&d, "h:1:0x8180:1:0:0:0 n:www.example.com q:1:1");
	memcpy(big, d.b, d.n);
	n = d.n;
	for (i = 0; i < EGRESSK_DNS_MAX_ANSWERS + 1; i++) {
		static const u8 rec[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 192, 0, 2, 1 };

		memcpy(big + n, rec, sizeof(rec));
		n += sizeof(rec);
	}
	big[6] = (EGRESSK_DNS_MAX_ANSWERS + 1) >> 8;
	big[7] = (u8)(EGRESSK_DNS_MAX_ANSWERS + 1);
	rc = egressk_dns_parse_response(big, n, &msg, name, sizeof(name), &len);
	CHECK(rc == 0, "a big answer parses: %s", en(rc));
	CHECK(egressk_dns_answer_addrs(&msg, a, 4) == -E2BIG, "learning refuses it");
	big[7] = (u8)EGRESSK_DNS_MAX_ANSWERS;
	rc = egressk_dns_parse_response(big, n, &msg, name, sizeof(name), &len);
	CHECK(rc == 0 && egressk_dns_answer_addrs(&msg, a, 4) == EGRESSK_DNS_MAX_ANSWERS,
	      "exactly the bound is learned");
	CASE_END();

	CASE_BEGIN("dns: messages over 65535 bytes are -EINVAL");
	memset(big, 0, sizeof(big));
	dns_build(&d, "h:1:0x100:1:0:0:0 n:www.example.com q:1:1");
	memcpy(big, d.b, d.n);
	CHECK(egressk_dns_parse_query(big, 65536, &msg, name, sizeof(name), &len) == -EINVAL,
	      "65536 bytes");
	CASE_END();

	CASE_BEGIN("dns: iterator fields of an A, AAAA and CNAME record");
	dns_build(&d, "h:7:0x8180:1:3:0:0 n:a.example q:1:1 p:12 rr:5:1:60 c:b.example"
		  " n:b.example rr:1:1:0x7fffffff a:198.51.100.9 p:12 rr:28:1:9 6:20010db8000000000000000000000009");
	rc = egressk_dns_parse_response(d.b, d.n, &msg, name, sizeof(name), &len);
	CHECK(rc == 0 && msg.id == 7 && msg.ancount == 3, "parse %s", en(rc));
	{
		struct egressk_dns_iter it;
		struct egressk_dns_rr rr;

		egressk_dns_answers(&msg, &it);
		CHECK(egressk_dns_next_answer(&it, &rr) == 0 && rr.type == 5 && rr.ttl == 60, "cname");
		CHECK(egressk_dns_name(&msg, rr.owner_off, name, sizeof(name), &len) == 0 &&
		      !strcmp(name, "a.example"), "owner '%s'", name);
		CHECK(egressk_dns_name(&msg, rr.target_off, name, sizeof(name), &len) == 0 &&
		      !strcmp(name, "b.example"), "target '%s'", name);
		CHECK(egressk_dns_next_answer(&it, &rr) == 0 && rr.type == 1 &&
		      rr.ttl == 0x7fffffffu && rr.rdlength == 4 && rr.addr[0] == 198 &&
		      rr.addr[3] == 9, "A");
		CHECK(egressk_dns_next_answer(&it, &rr) == 0 && rr.type == 28 && rr.addr[0] == 0x20 &&
		      rr.addr[15] == 9 && rr.rclass == 1, "AAAA");
		CHECK(egressk_dns_next_answer(&it, &rr) == -ENOENT, "end");
	}
	CHECK(egressk_dns_name(&msg, 5, name, sizeof(name), &len) == -EINVAL, "offset in header");
	CASE_END();
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR [-v]\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];
	tt_verbose = argc > 2 && strcmp(argv[2], "-v") == 0;
	for (i = 0; i < sizeof(dns_cases) / sizeof(dns_cases[0]); i++)
		run_case(&dns_cases[i]);
	fixtures();
	misc();
	return TT_SUMMARY();
}
