// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of egresskctl's netlink encoding (userspace/netlink.c) without
 * a kernel: rules encode to the attribute tree uapi/linux/egressk.h
 * documents and decode back, and TXN_ADD chunks stay under the 64 KiB nest
 * limit whatever the rules look like.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "netlink.h"
#include "policy.h"
#include "test.h"

static struct nl_msg *encode(const struct egk_policy *p, size_t from, size_t to)
{
	struct nl_msg *msg = nlmsg_alloc_size(256 * 1024);
	struct nlattr *nest;

	nest = nla_nest_start(msg, EGRESSK_A_RULES);
	for (size_t i = from; i < to; i++)
		if (egk_nl_put_rule(msg, &p->rules[i]) < 0) {
			nlmsg_free(msg);
			return NULL;
		}
	nla_nest_end(msg, nest);
	return msg;
}

static struct nlattr *rules_nest(struct nl_msg *msg)
{
	return (struct nlattr *)nlmsg_data(nlmsg_hdr(msg));
}

static void test_round_trip(void)
{
	struct egk_policy p, back;
	struct egk_diag d;
	struct nl_msg *msg;
	struct nlattr *a;
	int rem, n;

	n = egk_policy_parse_string("t.pol", ".",
		"allow cidr 10.0.0.0/8 tcp port 80,443,8000-8100\n"
		"deny cidr 2001:db8::/32 udp\n"
		"allow cidr 0.0.0.0/0 icmp\n"
		"allow cidr ::1\n"
		"allow dns 192.0.2.53\n"
		"allow dns 2001:4860:4860::8888\n", &p, &d);
	CHECK(n == 0, "netlink: test policy parses", "n=%d", n);
	msg = encode(&p, 0, p.nrules);
	egk_policy_init(&back);
	nla_for_each_nested(a, rules_nest(msg), rem) {
		struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
		struct egk_rule r;

		if (nla_type(a) != EGRESSK_A_RULE || egk_nl_read_rule(a, &r, ranges) < 0 ||
		    egk_policy_add_rule(&back, &r) < 0)
			break;
	}
	CHECK(back.nrules == p.nrules, "netlink: every rule decodes", "%zu of %zu",
	      back.nrules, p.nrules);
	for (size_t i = 0; i < back.nrules && i < p.nrules; i++) {
		char want[256], got[256], name[64];

		egk_rule_format(&p.rules[i], want, sizeof(want));
		egk_rule_format(&back.rules[i], got, sizeof(got));
		snprintf(name, sizeof(name), "netlink: rule %zu survives encoding", i);
		CHECK_STR(got, want, name);
	}

	/* the attribute tree of the uapi header */
	{
		struct nlattr *tb[EGRESSK_RULE_A_MAX + 1];
		int i = 0;

		nla_for_each_nested(a, rules_nest(msg), rem) {
			nla_parse_nested(tb, EGRESSK_RULE_A_MAX, a, NULL);
			switch (i++) {
			case 0:
				CHECK(tb[EGRESSK_RULE_A_ADDR4] && nla_len(tb[EGRESSK_RULE_A_ADDR4]) == 4 &&
				      !tb[EGRESSK_RULE_A_ADDR6] && tb[EGRESSK_RULE_A_PREFIXLEN] &&
				      nla_get_u8(tb[EGRESSK_RULE_A_PREFIXLEN]) == 8 &&
				      nla_get_u8(tb[EGRESSK_RULE_A_ACTION]) == EGRESSK_ACTION_ALLOW &&
				      nla_get_u8(tb[EGRESSK_RULE_A_KIND]) == EGRESSK_RULE_KIND_CIDR &&
				      nla_get_u8(tb[EGRESSK_RULE_A_PROTO]) == EGRESSK_PROTO_TCP &&
				      tb[EGRESSK_RULE_A_PORTS] && !tb[EGRESSK_RULE_A_ID] &&
				      !tb[EGRESSK_RULE_A_HITS],
				      "netlink: v4 cidr rule attributes", "wrong attribute set");
				break;
			case 1:
				CHECK(tb[EGRESSK_RULE_A_ADDR6] && nla_len(tb[EGRESSK_RULE_A_ADDR6]) == 16 &&
				      !tb[EGRESSK_RULE_A_ADDR4] && !tb[EGRESSK_RULE_A_PORTS] &&
				      nla_get_u8(tb[EGRESSK_RULE_A_ACTION]) == EGRESSK_ACTION_DENY,
				      "netlink: v6 deny rule attributes", "wrong attribute set");
				break;
			case 3:
				CHECK(!tb[EGRESSK_RULE_A_PROTO], "netlink: proto any is omitted",
				      "PROTO present");
				break;
			case 4:
				CHECK(nla_get_u8(tb[EGRESSK_RULE_A_KIND]) == EGRESSK_RULE_KIND_DNS &&
				      !tb[EGRESSK_RULE_A_PROTO] && !tb[EGRESSK_RULE_A_PORTS] &&
				      !tb[EGRESSK_RULE_A_PREFIXLEN] && tb[EGRESSK_RULE_A_ADDR4],
				      "netlink: dns rule has only action, kind and address",
				      "wrong attribute set");
				break;
			}
		}
	}
	/* port ranges: EGRESSK_PORT_A_RANGE nests of FIRST and LAST u16 */
	{
		struct nlattr *tb[EGRESSK_RULE_A_MAX + 1], *rt[EGRESSK_RANGE_A_MAX + 1], *pr;
		int rem2, k = 0, ok = 1;
		static const uint16_t want[3][2] = { { 80, 80 }, { 443, 443 }, { 8000, 8100 } };

		nla_parse_nested(tb, EGRESSK_RULE_A_MAX, (struct nlattr *)nla_data(rules_nest(msg)), NULL);
		nla_for_each_nested(pr, tb[EGRESSK_RULE_A_PORTS], rem2) {
			if (nla_type(pr) != EGRESSK_PORT_A_RANGE || k >= 3) {
				ok = 0;
				break;
			}
			nla_parse_nested(rt, EGRESSK_RANGE_A_MAX, pr, NULL);
			if (!rt[EGRESSK_RANGE_A_FIRST] || !rt[EGRESSK_RANGE_A_LAST] ||
			    nla_len(rt[EGRESSK_RANGE_A_FIRST]) != 2 ||
			    nla_get_u16(rt[EGRESSK_RANGE_A_FIRST]) != want[k][0] ||
			    nla_get_u16(rt[EGRESSK_RANGE_A_LAST]) != want[k][1])
				ok = 0;
			k++;
		}
		CHECK(ok && k == 3, "netlink: port ranges encode as FIRST/LAST nests", "k=%d ok=%d", k, ok);
	}
	nlmsg_free(msg);
	egk_policy_free(&back);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* Chunks cover the policy in order and each rules nest stays < 64 KiB. */
static void check_chunks(const char *name, const struct egk_policy *p, size_t want_max_rules)
{
	size_t start = 0, chunks = 0, biggest = 0, most = 0;
	int ok = 1;

	while (start < p->nrules) {
		size_t end = egk_nl_chunk_end(p, start);
		struct nl_msg *msg;
		size_t len;

		if (end <= start) {
			ok = 0;
			break;
		}
		msg = encode(p, start, end);
		if (!msg) {
			ok = 0;
			break;
		}
		len = nla_len(rules_nest(msg)) + 4;
		if (len > biggest)
			biggest = len;
		if (end - start > most)
			most = end - start;
		nlmsg_free(msg);
		chunks++;
		start = end;
	}
	CHECK(ok && start == p->nrules && biggest < 65535 && most <= want_max_rules, name,
	      "ok=%d covered=%zu/%zu biggest nest=%zu most rules=%zu chunks=%zu", ok, start,
	      p->nrules, biggest, most, chunks);
}

static void test_chunks(void)
{
	struct egk_policy p;
	struct egk_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	for (int i = 0; i < 3000; i++) {
		fprintf(f, "allow cidr 2001:db8:%x::/48 tcp port ", i);
		for (int k = 0; k < EGRESSK_MAX_PORT_RANGES; k++)
			fprintf(f, "%s%d-%d", k ? "," : "", 1000 + k * 10, 1005 + k * 10);
		fputc('\n', f);
	}
	fclose(f);
	egk_policy_parse_string("t.pol", ".", text, &p, &d);
	CHECK(p.nrules == 3000, "netlink: 3000 rules of 64 ranges parse", "nrules=%zu", p.nrules);
	check_chunks("netlink: big rules chunk under 64 KiB", &p, 500);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	for (int i = 0; i < 100000; i++)
		fprintf(f, "allow cidr %d.%d.%d.0/24\n", 1 + i / 65536, (i / 256) % 256, i % 256);
	fclose(f);
	egk_policy_parse_string("t.pol", ".", text, &p, &d);
	check_chunks("netlink: 100000 small rules chunk by 500", &p, 500);
	CHECK(egk_nl_chunk_end(&p, 0) == 500, "netlink: a small-rule chunk holds 500 rules",
	      "end=%zu", egk_nl_chunk_end(&p, 0));
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(text);
}

int main(void)
{
	test_round_trip();
	test_chunks();
	return test_summary();
}
