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

#include <json-c/json.h>

#include "learned.h"
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

/* ---- DNS control ------------------------------------------------------ */

/* Parse a request built by egk_nl_txn_begin_msg() into @tb. */
static int parse_req(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, EGRESSK_A_MAX, NULL);
}

static void test_txn_begin(void)
{
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	struct egk_policy p;
	struct egk_diag d;
	struct nl_msg *msg;
	struct genlmsghdr *gh;
	int n;

	/* the defaults are sent explicitly */
	n = egk_policy_parse_string("t.pol", ".", "allow cidr 10.0.0.0/8\n", &p, &d);
	msg = egk_nl_txn_begin_msg(30, 7, EGRESSK_F_FORCE, &p);
	CHECK(n == 0 && msg && parse_req(msg, tb) == 0, "netlink: TXN_BEGIN builds and parses",
	      "n=%d", n);
	if (!msg)
		goto out;
	gh = nlmsg_data(nlmsg_hdr(msg));
	CHECK(gh->cmd == EGRESSK_CMD_TXN_BEGIN && nlmsg_hdr(msg)->nlmsg_type == 30,
	      "netlink: TXN_BEGIN command and family", "cmd=%u", gh->cmd);
	CHECK(tb[EGRESSK_A_NETNS_FD] && nla_get_u32(tb[EGRESSK_A_NETNS_FD]) == 7 &&
	      tb[EGRESSK_A_FLAGS] && nla_get_u32(tb[EGRESSK_A_FLAGS]) == EGRESSK_F_FORCE &&
	      tb[EGRESSK_A_MODE] && tb[EGRESSK_A_DEFAULT] && tb[EGRESSK_A_POLICY_FLAGS],
	      "netlink: TXN_BEGIN keeps fd, flags, mode, default, policy flags", "missing");
	CHECK(tb[EGRESSK_A_DNS_FILTER] && nla_len(tb[EGRESSK_A_DNS_FILTER]) == 1 &&
	      nla_get_u8(tb[EGRESSK_A_DNS_FILTER]) == EGRESSK_DNS_FILTER_ON &&
	      tb[EGRESSK_A_DOMAIN_BINDING] && nla_len(tb[EGRESSK_A_DOMAIN_BINDING]) == 1 &&
	      nla_get_u8(tb[EGRESSK_A_DOMAIN_BINDING]) == EGRESSK_BINDING_DNS &&
	      tb[EGRESSK_A_DNS_TTL_FLOOR] && nla_len(tb[EGRESSK_A_DNS_TTL_FLOOR]) == 4 &&
	      nla_get_u32(tb[EGRESSK_A_DNS_TTL_FLOOR]) == EGRESSK_DNS_TTL_FLOOR_DEFAULT &&
	      tb[EGRESSK_A_DNS_TTL_CEILING] && nla_len(tb[EGRESSK_A_DNS_TTL_CEILING]) == 4 &&
	      nla_get_u32(tb[EGRESSK_A_DNS_TTL_CEILING]) == EGRESSK_DNS_TTL_CEILING_DEFAULT,
	      "netlink: TXN_BEGIN sends the default DNS settings (u8, u8, u32, u32)",
	      "wrong DNS attributes");
	nlmsg_free(msg);
	egk_policy_free(&p);
	egk_diag_free(&d);

	n = egk_policy_parse_string("t.pol", ".",
		"dns filter strict\ndomain-binding none\ndns ttl-floor 30\ndns ttl-ceiling 90\n",
		&p, &d);
	msg = egk_nl_txn_begin_msg(30, 7, 0, &p);
	CHECK(n == 0 && msg && parse_req(msg, tb) == 0 && !tb[EGRESSK_A_FLAGS] &&
	      tb[EGRESSK_A_DNS_FILTER] &&
	      nla_get_u8(tb[EGRESSK_A_DNS_FILTER]) == EGRESSK_DNS_FILTER_STRICT &&
	      tb[EGRESSK_A_DOMAIN_BINDING] &&
	      nla_get_u8(tb[EGRESSK_A_DOMAIN_BINDING]) == EGRESSK_BINDING_NONE &&
	      tb[EGRESSK_A_DNS_TTL_FLOOR] && nla_get_u32(tb[EGRESSK_A_DNS_TTL_FLOOR]) == 30 &&
	      tb[EGRESSK_A_DNS_TTL_CEILING] && nla_get_u32(tb[EGRESSK_A_DNS_TTL_CEILING]) == 90,
	      "netlink: TXN_BEGIN sends the policy's DNS settings", "wrong DNS attributes");
	nlmsg_free(msg);
	p.dns_filter = EGRESSK_DNS_FILTER_OFF;
	msg = egk_nl_txn_begin_msg(30, 7, 0, &p);
	CHECK(msg && parse_req(msg, tb) == 0 && tb[EGRESSK_A_DNS_FILTER] &&
	      nla_get_u8(tb[EGRESSK_A_DNS_FILTER]) == EGRESSK_DNS_FILTER_OFF,
	      "netlink: TXN_BEGIN sends dns filter off (0) too", "missing");
	nlmsg_free(msg);
out:
	egk_policy_free(&p);
	egk_diag_free(&d);
}

static void test_dns_name_rules(void)
{
	struct egk_policy p, back;
	struct egk_diag d;
	struct nl_msg *msg;
	struct nlattr *a;
	int rem, n, i = 0;

	n = egk_policy_parse_string("t.pol", ".",
		"allow dns-name .In-Addr.Arpa.\nallow dns-name *.example.org\nallow dns-name db\n"
		"allow domain .github.com\n", &p, &d);
	CHECK(n == 0 && p.nrules == 4, "netlink: dns-name policy parses", "n=%d", n);
	msg = encode(&p, 0, p.nrules);
	nla_for_each_nested(a, rules_nest(msg), rem) {
		struct nlattr *tb[EGRESSK_RULE_A_MAX + 1];
		static const char *const want[] = { ".in-addr.arpa", "*.example.org", "db" };
		char name[80];
		int k;

		if (i >= 3)
			break;
		nla_parse_nested(tb, EGRESSK_RULE_A_MAX, a, NULL);
		snprintf(name, sizeof(name), "netlink: dns-name rule %d is KIND, ACTION and NAME only", i);
		CHECK(tb[EGRESSK_RULE_A_ACTION] &&
		      nla_get_u8(tb[EGRESSK_RULE_A_ACTION]) == EGRESSK_ACTION_ALLOW &&
		      tb[EGRESSK_RULE_A_KIND] &&
		      nla_get_u8(tb[EGRESSK_RULE_A_KIND]) == EGRESSK_RULE_KIND_DNS_NAME &&
		      tb[EGRESSK_RULE_A_NAME] &&
		      nla_len(tb[EGRESSK_RULE_A_NAME]) == (int)strlen(want[i]) + 1 &&
		      !memcmp(nla_data(tb[EGRESSK_RULE_A_NAME]), want[i], strlen(want[i]) + 1),
		      name, "wrong attribute set");
		for (k = 0; k <= EGRESSK_RULE_A_MAX; k++)
			if (tb[k] && k != EGRESSK_RULE_A_ACTION && k != EGRESSK_RULE_A_KIND &&
			    k != EGRESSK_RULE_A_NAME)
				break;
		snprintf(name, sizeof(name), "netlink: dns-name rule %d has no other attribute", i);
		CHECK(k > EGRESSK_RULE_A_MAX, name, "attribute %d present", k);
		i++;
	}
	CHECK(i == 3, "netlink: three dns-name rules encoded", "i=%d", i);

	egk_policy_init(&back);
	nla_for_each_nested(a, rules_nest(msg), rem) {
		struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
		struct egk_rule r;

		if (egk_nl_read_rule(a, &r, ranges) < 0 || egk_policy_add_rule(&back, &r) < 0)
			break;
	}
	CHECK(back.nrules == 4, "netlink: dns-name rules decode", "%zu", back.nrules);
	for (size_t k = 0; k < back.nrules && k < p.nrules; k++) {
		char want[EGK_RULE_TEXT_MAX], got[EGK_RULE_TEXT_MAX], name[96];

		egk_rule_format(&p.rules[k], want, sizeof(want));
		egk_rule_format(&back.rules[k], got, sizeof(got));
		snprintf(name, sizeof(name), "netlink: dns-name policy rule %zu survives encoding", k);
		CHECK_STR(got, want, name);
	}
	CHECK(back.nrules == 4 && back.rules[0].kind == EGRESSK_RULE_KIND_DNS_NAME &&
	      back.rules[0].proto == EGRESSK_PROTO_ANY && back.rules[0].nranges == 0,
	      "netlink: a decoded dns-name rule has no protocol or ports", "kind=%u proto=%u",
	      back.nrules ? back.rules[0].kind : 0, back.nrules ? back.rules[0].proto : 0);
	CHECK(egk_nl_chunk_end(&p, 0) == 4, "netlink: dns-name rules fit one chunk", "end=%zu",
	      egk_nl_chunk_end(&p, 0));
	nlmsg_free(msg);
	egk_policy_free(&back);
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* 5000 longest dns-name rules stay under the nest limit */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		for (int k = 0; k < 5000; k++)
			fprintf(f, "allow dns-name *.%063d.%063d.%062d.a%060dz\n", k, k, k, k);
		fclose(f);
		egk_policy_parse_string("t.pol", ".", text, &p, &d);
		CHECK(p.nrules == 5000, "netlink: 5000 longest dns-name rules parse", "nrules=%zu",
		      p.nrules);
		check_chunks("netlink: long dns-name rules chunk under 64 KiB", &p, 500);
		egk_policy_free(&p);
		egk_diag_free(&d);
		free(text);
	}
}

/* A dns-name rule from the kernel: NAME in normal form, no PORTS. */
static int decode_dns_name(const void *name, int len, bool with_ports)
{
	struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *rule, *ports, *range;
	struct egk_rule r;
	int err;

	rule = nla_nest_start(msg, EGRESSK_A_RULE);
	nla_put_u8(msg, EGRESSK_RULE_A_ACTION, EGRESSK_ACTION_ALLOW);
	nla_put_u8(msg, EGRESSK_RULE_A_KIND, EGRESSK_RULE_KIND_DNS_NAME);
	if (name)
		nla_put(msg, EGRESSK_RULE_A_NAME, len, name);
	if (with_ports) {
		ports = nla_nest_start(msg, EGRESSK_RULE_A_PORTS);
		range = nla_nest_start(msg, EGRESSK_PORT_A_RANGE);
		nla_put_u16(msg, EGRESSK_RANGE_A_FIRST, 53);
		nla_put_u16(msg, EGRESSK_RANGE_A_LAST, 53);
		nla_nest_end(msg, range);
		nla_nest_end(msg, ports);
	}
	nla_put_u32(msg, EGRESSK_RULE_A_ID, 9);
	nla_nest_end(msg, rule);
	err = egk_nl_read_rule((struct nlattr *)nlmsg_data(nlmsg_hdr(msg)), &r, ranges);
	if (!err && (r.id != 9 || r.kind != EGRESSK_RULE_KIND_DNS_NAME))
		err = -EINVAL;
	nlmsg_free(msg);
	return err;
}

static void test_dns_name_decode_checks(void)
{
	CHECK(decode_dns_name(".in-addr.arpa", 14, false) == 0,
	      "netlink: decode accepts a dns-name rule with its id", "refused");
	CHECK(decode_dns_name(NULL, 0, false) == -EPROTO,
	      "netlink: decode refuses a dns-name rule without NAME", "accepted");
	CHECK(decode_dns_name("In-Addr.arpa", 13, false) == -EPROTO,
	      "netlink: decode refuses a dns-name NAME not in normal form", "accepted");
	CHECK(decode_dns_name("a.example\nallow raw", 20, false) == -EPROTO,
	      "netlink: decode refuses a dns-name NAME that would inject a line", "accepted");
	CHECK(decode_dns_name("a.example", 10, true) == -EPROTO,
	      "netlink: decode refuses a dns-name rule with ports", "accepted");
}

/* A POLICY_GET header message, with or without the DNS attributes. */
static struct nl_msg *policy_header(bool with_dns)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 30, 0, 0, EGRESSK_CMD_POLICY_GET,
		    EGRESSK_GENL_VERSION);
	nla_put_u32(msg, EGRESSK_A_NETNS_INODE, 4026532141U);
	nla_put_u64(msg, EGRESSK_A_NETNS_COOKIE, 2);
	nla_put_u64(msg, EGRESSK_A_POLICY_VERSION, 5);
	nla_put_u8(msg, EGRESSK_A_MODE, EGRESSK_MODE_AUDIT);
	nla_put_u8(msg, EGRESSK_A_DEFAULT, EGRESSK_DEFAULT_DROP);
	nla_put_u32(msg, EGRESSK_A_POLICY_FLAGS, 0);
	nla_put_u32(msg, EGRESSK_A_RULE_COUNT, 0);
	if (with_dns) {
		nla_put_u8(msg, EGRESSK_A_DNS_FILTER, EGRESSK_DNS_FILTER_OFF);
		nla_put_u8(msg, EGRESSK_A_DOMAIN_BINDING, EGRESSK_BINDING_NONE);
		nla_put_u32(msg, EGRESSK_A_DNS_TTL_FLOOR, 45);
		nla_put_u32(msg, EGRESSK_A_DNS_TTL_CEILING, 450);
	}
	return msg;
}

static void test_policy_header(void)
{
	struct egk_policy p;
	struct egk_ident id;
	struct nl_msg *msg;
	int err;

	egk_policy_init(&p);
	memset(&id, 0, sizeof(id));
	msg = policy_header(true);
	err = egk_nl_read_policy_msg(msg, &p, &id);
	CHECK(err == 0 && p.mode == EGRESSK_MODE_AUDIT && p.def == EGRESSK_DEFAULT_DROP &&
	      p.dns_filter == EGRESSK_DNS_FILTER_OFF && p.binding == EGRESSK_BINDING_NONE &&
	      p.ttl_floor == 45 && p.ttl_ceiling == 450 && id.inode == 4026532141U &&
	      id.version == 5,
	      "netlink: POLICY_GET header carries the DNS settings",
	      "err=%d filter=%u binding=%u floor=%u ceiling=%u", err, p.dns_filter, p.binding,
	      p.ttl_floor, p.ttl_ceiling);
	nlmsg_free(msg);
	egk_policy_free(&p);

	egk_policy_init(&p);
	msg = policy_header(false);
	err = egk_nl_read_policy_msg(msg, &p, &id);
	CHECK(err == 0 && p.mode == EGRESSK_MODE_AUDIT &&
	      p.dns_filter == EGRESSK_DNS_FILTER_ON && p.binding == EGRESSK_BINDING_DNS &&
	      p.ttl_floor == EGRESSK_DNS_TTL_FLOOR_DEFAULT &&
	      p.ttl_ceiling == EGRESSK_DNS_TTL_CEILING_DEFAULT,
	      "netlink: a header without them (older module) gives the defaults",
	      "err=%d filter=%u binding=%u floor=%u ceiling=%u", err, p.dns_filter, p.binding,
	      p.ttl_floor, p.ttl_ceiling);
	nlmsg_free(msg);
	/* what show prints of it is a valid policy with those settings */
	{
		struct egk_policy again;
		struct egk_diag d;
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		int n;

		egk_policy_print(f, &p);
		fclose(f);
		n = egk_policy_parse_string("show.pol", ".", text, &again, &d);
		CHECK(n == 0 && strstr(text, "dns filter on\n") &&
		      strstr(text, "domain-binding dns\n") && strstr(text, "dns ttl-floor 600\n") &&
		      strstr(text, "dns ttl-ceiling 86400\n"),
		      "netlink: show of a header prints the DNS settings as policy lines",
		      "n=%d text=[%s]", n, text);
		egk_policy_free(&again);
		egk_diag_free(&d);
		free(text);
	}
	egk_policy_free(&p);
}

/* A LEARNED_GET reply message. */
static struct nl_msg *learned(int family, const void *name, int namelen, uint32_t expires,
			      long rule_id)
{
	static const uint8_t a4[4] = { 140, 82, 112, 3 };
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *e;

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 30, 0, 0, EGRESSK_CMD_LEARNED_GET,
		    EGRESSK_GENL_VERSION);
	nla_put_u32(msg, EGRESSK_A_NETNS_INODE, 4026532141U);
	nla_put_u64(msg, EGRESSK_A_NETNS_COOKIE, 2);
	e = nla_nest_start(msg, EGRESSK_A_LEARNED);
	if (family == AF_INET)
		nla_put(msg, EGRESSK_LEARNED_A_ADDR4, 4, a4);
	else if (family == AF_INET6)
		nla_put(msg, EGRESSK_LEARNED_A_ADDR6, 16, a6);
	if (name)
		nla_put(msg, EGRESSK_LEARNED_A_NAME, namelen, name);
	nla_put_u32(msg, EGRESSK_LEARNED_A_EXPIRES, expires);
	if (rule_id >= 0)
		nla_put_u32(msg, EGRESSK_LEARNED_A_RULE_ID, (uint32_t)rule_id);
	nla_nest_end(msg, e);
	return msg;
}

static void test_learned(void)
{
	struct egk_learned l;
	struct nl_msg *msg;
	int err;

	msg = learned(AF_INET, "github.com", 11, 412, 3);
	err = egk_nl_read_learned(msg, &l);
	CHECK(err == 0 && l.family == AF_INET && l.addr[0] == 140 && l.addr[3] == 3 &&
	      !strcmp(l.name, "github.com") && l.expires == 412 && l.has_rule_id &&
	      l.rule_id == 3,
	      "netlink: a learned IPv4 entry decodes", "err=%d name=%s expires=%u rule=%u", err,
	      l.name, l.expires, l.rule_id);
	nlmsg_free(msg);

	msg = learned(AF_INET6, "api.example", 12, 0, -1);
	err = egk_nl_read_learned(msg, &l);
	CHECK(err == 0 && l.family == AF_INET6 && l.addr[0] == 0x20 && l.addr[15] == 1 &&
	      !strcmp(l.name, "api.example") && l.expires == 0 && !l.has_rule_id,
	      "netlink: an expired IPv6 entry without a rule decodes", "err=%d has_rule=%d", err,
	      l.has_rule_id);
	nlmsg_free(msg);

	msg = learned(AF_INET, "a b\n\x1b[1mX.example", 19, 5, 0);
	err = egk_nl_read_learned(msg, &l);
	CHECK(err == 0 && !strcmp(l.name, "a?b???1m?.example") && l.has_rule_id && l.rule_id == 0,
	      "netlink: a learned name is made safe to print; rule 0 is a rule", "err=%d name=[%s]",
	      err, l.name);
	nlmsg_free(msg);

	msg = learned(0, "github.com", 11, 5, 1);
	CHECK(egk_nl_read_learned(msg, &l) == -EPROTO,
	      "netlink: a learned entry without an address is refused", "accepted");
	nlmsg_free(msg);

	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 30, 0, 0, EGRESSK_CMD_LEARNED_GET,
		    EGRESSK_GENL_VERSION);
	nla_put_u32(msg, EGRESSK_A_NETNS_INODE, 1);
	CHECK(egk_nl_read_learned(msg, &l) == -EPROTO,
	      "netlink: a message without a LEARNED nest is no entry", "accepted");
	nlmsg_free(msg);
}

/* show --learned and stats: the table and JSON, rules found by id */
static void test_learned_render(void)
{
	struct egk_learned_list ll = { 0 };
	struct egk_learned v[3];
	struct egk_policy p;
	struct egk_diag d;
	struct json_object *o, *e, *x;
	struct nl_msg *msg;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	egk_policy_parse_string("t.pol", ".",
		"allow dns 192.0.2.53\nallow domain .github.com\nallow domain api.example port 443\n",
		&p, &d);
	for (size_t i = 0; i < p.nrules; i++)
		p.rules[i].id = (uint32_t)i;	/* as the dump numbers them */
	msg = learned(AF_INET, "github.com", 11, 412, 1);
	egk_nl_read_learned(msg, &v[0]);
	nlmsg_free(msg);
	msg = learned(AF_INET6, "api.example", 12, 0, 2);
	egk_nl_read_learned(msg, &v[1]);
	nlmsg_free(msg);
	msg = learned(AF_INET, "gone.example", 13, 30, -1);
	egk_nl_read_learned(msg, &v[2]);
	nlmsg_free(msg);
	ll.v = v;
	ll.n = 3;

	f = open_memstream(&out, &len);
	egk_learned_print(f, &ll, &p, "  ");
	fclose(f);
	CHECK(out && !strncmp(out, "  ADDRESS ", 10) && strstr(out, "NAME") &&
	      strstr(out, "EXPIRES") && strstr(out, "RULE\n"),
	      "learned: the table has a header", "out=[%s]", out);
	CHECK(out && strstr(out, "\n  140.82.112.3  ") && strstr(out, " github.com ") &&
	      strstr(out, " 412s ") && strstr(out, " .github.com\n"),
	      "learned: a row gives address, name, expiry and the rule's pattern", "out=[%s]", out);
	CHECK(out && strstr(out, "2001:db8::1") && strstr(out, "expired  api.example\n"),
	      "learned: expiry 0 reads expired", "out=[%s]", out);
	CHECK(out && strstr(out, " gone.example ") && strstr(out, " 30s") && strstr(out, "  -\n"),
	      "learned: no rule prints -", "out=[%s]", out);
	free(out);

	o = egk_learned_to_json(&ll, &p);
	e = json_object_array_get_idx(o, 0);
	CHECK(json_object_array_length(o) == 3 && e &&
	      json_object_object_get_ex(e, "address", &x) &&
	      !strcmp(json_object_get_string(x), "140.82.112.3") &&
	      json_object_object_get_ex(e, "family", &x) &&
	      !strcmp(json_object_get_string(x), "ipv4") &&
	      json_object_object_get_ex(e, "name", &x) &&
	      !strcmp(json_object_get_string(x), "github.com") &&
	      json_object_object_get_ex(e, "expires", &x) && json_object_get_int(x) == 412 &&
	      json_object_object_get_ex(e, "expired", &x) && !json_object_get_boolean(x) &&
	      json_object_object_get_ex(e, "rule_id", &x) && json_object_get_int(x) == 1 &&
	      json_object_object_get_ex(e, "rule", &x) &&
	      !strcmp(json_object_get_string(x), ".github.com"),
	      "learned: JSON entry", "%s", json_object_to_json_string(o));
	e = json_object_array_get_idx(o, 1);
	CHECK(e && json_object_object_get_ex(e, "expired", &x) && json_object_get_boolean(x) &&
	      json_object_object_get_ex(e, "family", &x) &&
	      !strcmp(json_object_get_string(x), "ipv6"),
	      "learned: JSON expired IPv6 entry", "%s", json_object_to_json_string(o));
	e = json_object_array_get_idx(o, 2);
	CHECK(e && !json_object_object_get_ex(e, "rule_id", NULL) &&
	      json_object_object_get_ex(e, "rule", &x) && x == NULL,
	      "learned: JSON entry without a rule has rule null", "%s",
	      json_object_to_json_string(o));
	json_object_put(o);

	/* an empty list: the header alone, and [] */
	ll.n = 0;
	out = NULL;
	f = open_memstream(&out, &len);
	egk_learned_print(f, &ll, &p, "");
	fclose(f);
	CHECK(out && !strncmp(out, "ADDRESS", 7) && !strchr(out, '\n')[1],
	      "learned: an empty table is its header", "out=[%s]", out);
	free(out);
	o = egk_learned_to_json(&ll, &p);
	CHECK(json_object_array_length(o) == 0, "learned: empty JSON array", "len=%zu",
	      json_object_array_length(o));
	json_object_put(o);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

static void test_dns_events(void)
{
	static const struct {
		uint8_t reason;
		const char *name;
	} cases[] = {
		{ EGRESSK_REASON_DNS_UNPINNED, NULL },
		{ EGRESSK_REASON_DNS_NAME, "x7f3a9.tunnel.evil.example" },
		{ EGRESSK_REASON_DNS_MALFORMED, NULL },
		{ EGRESSK_REASON_NOT_LEARNED, "github.com" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct egk_event ev;
		struct nl_msg *msg;
		char name[80];
		int err;

		msg = event(cases[i].reason, cases[i].name,
			    cases[i].name ? (int)strlen(cases[i].name) + 1 : 0);
		err = egk_nl_read_event(msg, &ev);
		snprintf(name, sizeof(name), "netlink: DNS event reason %u decodes", cases[i].reason);
		CHECK(err == 0 && ev.reason == cases[i].reason &&
		      ev.has_name == (cases[i].name != NULL) &&
		      (!cases[i].name || !strcmp(ev.name, cases[i].name)),
		      name, "err=%d reason=%u name=%s", err, ev.reason, ev.name);
		nlmsg_free(msg);
	}
}

int main(void)
{
	test_round_trip();
	test_domain();
	test_domain_decode_checks();
	test_events();
	test_chunks();
	test_txn_begin();
	test_dns_name_rules();
	test_dns_name_decode_checks();
	test_policy_header();
	test_learned();
	test_learned_render();
	test_dns_events();
	return test_summary();
}
