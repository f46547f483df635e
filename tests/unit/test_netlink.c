// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of egresskctl's netlink encoding (userspace/netlink.c) without
 * a kernel: rules encode to the attribute tree uapi/linux/egressk.h
 * documents and decode back, and TXN_ADD chunks stay under the 64 KiB nest
 * limit whatever the rules look like.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

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

	/* domain rules with the longest names (255 with "*.") and 64 port ranges */
	text = NULL;
	f = open_memstream(&text, &len);
	for (int i = 0; i < 2000; i++) {
		fprintf(f, "allow domain *.%063d.%063d.%062d.a%060dz port ", i, i, i, i);
		for (int k = 0; k < EGRESSK_MAX_PORT_RANGES; k++)
			fprintf(f, "%s%d", k ? "," : "", 1000 + k);
		fputc('\n', f);
	}
	fclose(f);
	egk_policy_parse_string("t.pol", ".", text, &p, &d);
	CHECK(p.nrules == 2000 && strlen(p.rules[0].name) == EGRESSK_DOMAIN_NAME_MAX,
	      "netlink: 2000 longest domain rules of 64 ranges parse", "nrules=%zu msg=%s",
	      p.nrules, d.nmsgs ? d.msgs[0] : "");
	check_chunks("netlink: long domain rules chunk under 64 KiB", &p, 500);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(text);

	/* and the shortest: 500 a chunk */
	text = NULL;
	f = open_memstream(&text, &len);
	for (int i = 0; i < 5000; i++)
		fprintf(f, "allow domain h%d.example\n", i);
	fclose(f);
	egk_policy_parse_string("t.pol", ".", text, &p, &d);
	check_chunks("netlink: 5000 short domain rules chunk by 500", &p, 500);
	CHECK(egk_nl_chunk_end(&p, 0) == 500, "netlink: a short-domain chunk holds 500 rules",
	      "end=%zu", egk_nl_chunk_end(&p, 0));
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(text);
}

/* Domain rules: ACTION, KIND, NAME (NUL-terminated), optional PORTS; no
 * address, prefix length or protocol. */
static void test_domain(void)
{
	struct egk_policy p, back;
	struct egk_diag d;
	struct nl_msg *msg;
	struct nlattr *a;
	int rem, n, i = 0;

	n = egk_policy_parse_string("t.pol", ".",
		"allow domain .GitHub.com.\n"
		"allow domain *.example.org port 443,8000-8100\n"
		"allow domain exact.example tcp port 22\n", &p, &d);
	CHECK(n == 0 && p.nrules == 3, "netlink: domain policy parses", "n=%d", n);
	msg = encode(&p, 0, p.nrules);
	nla_for_each_nested(a, rules_nest(msg), rem) {
		struct nlattr *tb[EGRESSK_RULE_A_MAX + 1];
		const char *want = i == 0 ? ".github.com" : i == 1 ? "*.example.org" : "exact.example";
		char name[80];

		nla_parse_nested(tb, EGRESSK_RULE_A_MAX, a, NULL);
		snprintf(name, sizeof(name), "netlink: domain rule %d attribute set", i);
		CHECK(tb[EGRESSK_RULE_A_ACTION] &&
		      nla_get_u8(tb[EGRESSK_RULE_A_ACTION]) == EGRESSK_ACTION_ALLOW &&
		      tb[EGRESSK_RULE_A_KIND] &&
		      nla_get_u8(tb[EGRESSK_RULE_A_KIND]) == EGRESSK_RULE_KIND_DOMAIN &&
		      !tb[EGRESSK_RULE_A_ADDR4] && !tb[EGRESSK_RULE_A_ADDR6] &&
		      !tb[EGRESSK_RULE_A_PREFIXLEN] && !tb[EGRESSK_RULE_A_PROTO] &&
		      !tb[EGRESSK_RULE_A_ID] && !tb[EGRESSK_RULE_A_HITS] &&
		      (i == 0) == !tb[EGRESSK_RULE_A_PORTS],
		      name, "wrong attribute set");
		snprintf(name, sizeof(name), "netlink: domain rule %d NAME is the NUL-terminated pattern", i);
		CHECK(tb[EGRESSK_RULE_A_NAME] &&
		      nla_len(tb[EGRESSK_RULE_A_NAME]) == (int)strlen(want) + 1 &&
		      !memcmp(nla_data(tb[EGRESSK_RULE_A_NAME]), want, strlen(want) + 1),
		      name, "len=%d", tb[EGRESSK_RULE_A_NAME] ? nla_len(tb[EGRESSK_RULE_A_NAME]) : -1);
		i++;
	}
	CHECK(i == 3, "netlink: three domain rules encoded", "i=%d", i);

	egk_policy_init(&back);
	nla_for_each_nested(a, rules_nest(msg), rem) {
		struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
		struct egk_rule r;

		if (egk_nl_read_rule(a, &r, ranges) < 0 || egk_policy_add_rule(&back, &r) < 0)
			break;
	}
	CHECK(back.nrules == 3, "netlink: domain rules decode", "%zu", back.nrules);
	for (size_t k = 0; k < back.nrules && k < p.nrules; k++) {
		char want[EGK_RULE_TEXT_MAX], got[EGK_RULE_TEXT_MAX], name[64];

		egk_rule_format(&p.rules[k], want, sizeof(want));
		egk_rule_format(&back.rules[k], got, sizeof(got));
		snprintf(name, sizeof(name), "netlink: domain rule %zu survives encoding", k);
		CHECK_STR(got, want, name);
		snprintf(name, sizeof(name), "netlink: decoded domain rule %zu is tcp", k);
		CHECK(back.rules[k].kind == EGRESSK_RULE_KIND_DOMAIN &&
		      back.rules[k].proto == EGRESSK_PROTO_TCP, name, "kind=%u proto=%u",
		      back.rules[k].kind, back.rules[k].proto);
	}
	/* the decoded policy prints as a policy file that parses back */
	{
		struct egk_policy again;
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		egk_policy_print(f, &back);
		fclose(f);
		n = egk_policy_parse_string("show.pol", ".", text, &again, &d);
		CHECK(n == 0 && again.nrules == 3 && strstr(text, "allow domain .github.com\n") &&
		      strstr(text, "allow domain *.example.org port 443,8000-8100\n") &&
		      strstr(text, "allow domain exact.example port 22\n"),
		      "netlink: show of decoded domain rules is a valid policy", "n=%d text=[%s]", n,
		      text);
		egk_policy_free(&again);
		egk_diag_free(&d);
		free(text);
	}
	nlmsg_free(msg);
	egk_policy_free(&back);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* A domain rule from the kernel is printed as a policy line: anything that is
 * not a NUL-terminated pattern in normal form is refused. */
static int decode_raw(const void *name, int len, bool with_name)
{
	struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *rule;
	struct egk_rule r;
	int err;

	rule = nla_nest_start(msg, EGRESSK_A_RULE);
	nla_put_u8(msg, EGRESSK_RULE_A_ACTION, EGRESSK_ACTION_ALLOW);
	nla_put_u8(msg, EGRESSK_RULE_A_KIND, EGRESSK_RULE_KIND_DOMAIN);
	if (with_name)
		nla_put(msg, EGRESSK_RULE_A_NAME, len, name);
	nla_nest_end(msg, rule);
	err = egk_nl_read_rule((struct nlattr *)nlmsg_data(nlmsg_hdr(msg)), &r, ranges);
	nlmsg_free(msg);
	return err;
}

static void test_domain_decode_checks(void)
{
	CHECK(decode_raw(".a.example", 11, true) == 0, "netlink: decode accepts a normal name",
	      "refused");
	CHECK(decode_raw(NULL, 0, false) == -EPROTO,
	      "netlink: decode refuses a domain rule without NAME", "accepted");
	CHECK(decode_raw("a.example", 9, true) == -EPROTO,
	      "netlink: decode refuses a NAME without its NUL", "accepted");
	CHECK(decode_raw("a\0b.example", 12, true) == -EPROTO,
	      "netlink: decode refuses a NAME with an inner NUL", "accepted");
	CHECK(decode_raw("A.example", 10, true) == -EPROTO,
	      "netlink: decode refuses a NAME not in normal form", "accepted");
	CHECK(decode_raw("a.example\nallow raw", 20, true) == -EPROTO,
	      "netlink: decode refuses a NAME that would inject a policy line", "accepted");
	CHECK(decode_raw("", 1, true) == -EPROTO, "netlink: decode refuses an empty NAME",
	      "accepted");
}

/* Events: the new reasons pass through, NAME is copied and made safe. */
static struct nl_msg *event(uint8_t reason, const void *name, int len)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *e;
	uint8_t daddr[4] = { 192, 0, 2, 7 };

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 30, 0, 0, EGRESSK_CMD_EVENT,
		    EGRESSK_GENL_VERSION);
	nla_put_u32(msg, EGRESSK_A_NETNS_INODE, 4026532141U);
	nla_put_u64(msg, EGRESSK_A_NETNS_COOKIE, 2);
	e = nla_nest_start(msg, EGRESSK_A_EVENT);
	nla_put_u8(msg, EGRESSK_EVENT_A_VERDICT, EGRESSK_VERDICT_REJECT);
	nla_put_u8(msg, EGRESSK_EVENT_A_REASON, reason);
	nla_put_u8(msg, EGRESSK_EVENT_A_FAMILY, AF_INET);
	nla_put_u8(msg, EGRESSK_EVENT_A_PROTO, 6);
	nla_put(msg, EGRESSK_EVENT_A_DADDR4, 4, daddr);
	nla_put_u16(msg, EGRESSK_EVENT_A_DPORT, 443);
	if (name)
		nla_put(msg, EGRESSK_EVENT_A_NAME, len, name);
	nla_nest_end(msg, e);
	return msg;
}

static void test_events(void)
{
	struct egk_event ev;
	struct nl_msg *msg;
	int err;

	msg = event(EGRESSK_REASON_DOMAIN_MISMATCH, "evil.example", 13);
	err = egk_nl_read_event(msg, &ev);
	CHECK(err == 0 && ev.reason == EGRESSK_REASON_DOMAIN_MISMATCH && ev.has_name &&
	      !strcmp(ev.name, "evil.example") && ev.has_dport && ev.dport == 443 &&
	      ev.has_daddr && ev.daddr[3] == 7 && ev.inode == 4026532141U && ev.cookie == 2,
	      "netlink: event with a name decodes", "err=%d reason=%u name=%s", err, ev.reason,
	      ev.name);
	nlmsg_free(msg);

	msg = event(EGRESSK_REASON_DOMAIN_UNKNOWN, NULL, 0);
	err = egk_nl_read_event(msg, &ev);
	CHECK(err == 0 && !ev.has_name && ev.reason == EGRESSK_REASON_DOMAIN_UNKNOWN,
	      "netlink: event without a name has none", "err=%d has_name=%d", err, ev.has_name);
	nlmsg_free(msg);

	msg = event(EGRESSK_REASON_POLICY_CHANGED, "a b\n\x1b[31mX.example\"", 20);
	err = egk_nl_read_event(msg, &ev);
	CHECK(err == 0 && ev.has_name && !strcmp(ev.name, "a?b???31m?.example?"),
	      "netlink: event name is made safe to print", "err=%d name=[%s]", err, ev.name);
	nlmsg_free(msg);

	/* no NUL, and longer than the buffer: cut, still terminated */
	{
		char big[400];

		memset(big, 'a', sizeof(big));
		msg = event(EGRESSK_REASON_HOLD_TIMEOUT, big, sizeof(big));
		err = egk_nl_read_event(msg, &ev);
		CHECK(err == 0 && strlen(ev.name) == EGRESSK_DOMAIN_NAME_MAX,
		      "netlink: an over-long event name is cut", "err=%d len=%zu", err,
		      strlen(ev.name));
		nlmsg_free(msg);
	}

	/* not an event: refused */
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 30, 0, 0, EGRESSK_CMD_STATS_GET,
		    EGRESSK_GENL_VERSION);
	CHECK(egk_nl_read_event(msg, &ev) == -EINVAL, "netlink: a non-event is not decoded",
	      "decoded");
	nlmsg_free(msg);
}

int main(void)
{
	test_round_trip();
	test_domain();
	test_domain_decode_checks();
	test_events();
	test_chunks();
	return test_summary();
}
