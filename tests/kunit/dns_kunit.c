// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite egressk_dns: the DNS message parser of kmod/parse.c inside a
 * real kernel build.  The cases are the table in tests/parsers/dns_cases.h
 * (staged next to this file by run.sh), shared with the userspace tests, so
 * both builds check the same behaviours; each case's description names the
 * regression it guards (compression loops, forward pointers, pointers into
 * the header, truncation, counts over the data, 64-byte labels, 256-byte
 * names, CNAME chains in and out of order, too long and looping, RDLENGTH
 * that does not fit A or AAAA, classes other than IN, QR on a query,
 * QDCOUNT 0 and 2, TCP framing with short and long lengths).
 * Contract: kmod/parse.h; decisions: docs/parsers.md.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "parse.h"
#include "dns_cases.h"

static void dns_desc(const struct dns_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dns_table, dns_cases, dns_desc);

struct dns_answer {
	int rc;
	size_t len;
	struct egressk_dns_msg msg;
	char name[EGRESSK_NAME_BUF];
};

static void dns_parse(struct dns_answer *a, bool response, const u8 *b, size_t n)
{
	a->len = 0;
	a->rc = (response ? egressk_dns_parse_response : egressk_dns_parse_query)
		(b, n, &a->msg, a->name, sizeof(a->name), &a->len);
}

static void dns_table_test(struct kunit *test)
{
	const struct dns_case *c = test->param_value;
	struct dns_build *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct dns_answer *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct dns_answer *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	bool response = c->kind == DNS_RESPONSE;
	u8 *framed;
	const u8 *m;
	size_t mlen, k, need;
	int rc;

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, p);
	dns_build(d, c->msg);
	KUNIT_ASSERT_FALSE_MSG(test, d->bad, "the notation of this case is broken");
	m = d->b;
	mlen = d->n;
	if (c->kind == DNS_TCP_QUERY) {
		framed = kunit_kzalloc(test, d->n + 2, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, framed);
		framed[0] = d->n >> 8;
		framed[1] = d->n;
		memcpy(framed + 2, d->b, d->n);
		rc = egressk_dns_tcp_message(framed, d->n + 2, &m, &mlen);
		KUNIT_ASSERT_EQ(test, rc, 0);
		KUNIT_EXPECT_EQ(test, mlen, d->n);
		KUNIT_EXPECT_EQ(test, egressk_dns_tcp_message(framed, d->n + 1, &m, &mlen),
				-EAGAIN);
		rc = egressk_dns_tcp_message(framed, d->n + 2, &m, &mlen);
	} else if (c->kind == DNS_FRAMED_QUERY) {
		rc = egressk_dns_tcp_message(d->b, d->n, &m, &mlen);
		if (rc) {
			KUNIT_EXPECT_EQ_MSG(test, rc, c->rc, "tcp_message");
			return;
		}
	}

	dns_parse(a, response, m, mlen);
	KUNIT_EXPECT_EQ_MSG(test, a->rc, c->rc, "parse");
	if (a->rc == 0 && c->rc == 0) {
		if (c->qname)
			KUNIT_EXPECT_STREQ(test, a->name, c->qname);
		else
			KUNIT_EXPECT_EQ(test, a->len, c->qlen);
		KUNIT_EXPECT_EQ(test, a->len, strlen(a->name));
		KUNIT_EXPECT_TRUE(test, egressk_name_valid(a->name, a->len));
	} else {
		KUNIT_EXPECT_EQ(test, a->name[0], '\0');
	}
	if (a->rc != 0 && a->rc != -EILSEQ)
		return;

	/*
	 * Truncation: every prefix that cuts the message (a response's answer
	 * section included) is INVALID; the rest of a response is not read.
	 */
	need = mlen;
	if (response) {
		struct egressk_dns_iter it;
		struct egressk_dns_rr rr;

		egressk_dns_answers(&a->msg, &it);
		while (!egressk_dns_next_answer(&it, &rr))
			;
		need = it.pos;
	}
	for (k = 0; k < mlen; k++) {
		dns_parse(p, response, m, k);
		if (p->rc != (k < need ? -EINVAL : a->rc)) {
			KUNIT_FAIL(test, "prefix %zu/%zu gives %d", k, mlen, p->rc);
			break;
		}
	}

	if (response && c->rc == a->rc) {
		struct egressk_dns_addr *addrs = kunit_kcalloc(test, 16, sizeof(*addrs), GFP_KERNEL);
		char *got = kunit_kzalloc(test, 512, GFP_KERNEL);
		int n;

		KUNIT_ASSERT_NOT_NULL(test, addrs);
		KUNIT_ASSERT_NOT_NULL(test, got);
		n = egressk_dns_answer_addrs(&a->msg, addrs, 16);
		KUNIT_EXPECT_EQ_MSG(test, n, c->addrs, "answer_addrs");
		if (n >= 0 && c->want) {
			dns_format_addrs(addrs, n, got, 512);
			KUNIT_EXPECT_STREQ(test, got, c->want);
		}
		KUNIT_EXPECT_EQ(test, egressk_dns_answer_addrs(&a->msg, NULL, 0), n);
	}
}

/* Arguments the hooks could get wrong: no crash, -EINVAL. */
static void dns_bad_args_test(struct kunit *test)
{
	struct egressk_dns_msg msg;
	char name[8];
	size_t len;
	const u8 *m;

	KUNIT_EXPECT_EQ(test, egressk_dns_parse_query(NULL, 0, &msg, name, sizeof(name), &len),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, egressk_dns_parse_response(NULL, 12, &msg, name, sizeof(name), &len),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, egressk_dns_tcp_message(NULL, 2, &m, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, egressk_dns_answer_addrs(NULL, NULL, 0), -EINVAL);
}

static struct kunit_case egressk_dns_cases[] = {
	KUNIT_CASE_PARAM(dns_table_test, dns_table_gen_params),
	KUNIT_CASE(dns_bad_args_test),
	{}
};

static struct kunit_suite egressk_dns_suite = {
	.name = "egressk_dns",
	.test_cases = egressk_dns_cases,
};

kunit_test_suite(egressk_dns_suite);
