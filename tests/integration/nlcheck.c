// SPDX-License-Identifier: GPL-2.0
/*
 * nlcheck: send the egressk family requests that egresskctl never would, so
 * that test_netlink_validation.sh can check the kernel's own validation and
 * its extack messages (egresskctl validates first, so its tests never reach
 * these paths).
 *
 *   nlcheck NETNS_PATH CASE
 *
 * Prints one line, "errno=N msg=EXTACK" (N is the positive errno, 0 for
 * success), and exits 0 when the request could be sent at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/egressk.h>

#include "netlink.h"

static int netns_fd = -1;

/* What one case adds to TXN_BEGIN, and the rule TXN_ADD then sends. */
struct nlcase {
	const char *name;
	const char *what;
	int floor, ceiling;		/* -1: absent */
	int filter, binding;		/* -1: absent */
	bool learned_attr;		/* send the output-only EGRESSK_A_LEARNED */
	bool guards_attr;		/* send the output-only EGRESSK_A_GUARDS */
	bool add;			/* then TXN_ADD one rule: */
	int action, kind;
	const char *name_attr;		/* NULL: absent */
	bool addr4, ports, proto;
	bool learned_dump;		/* instead: LEARNED_GET */
};

#define BEGIN(f, c, fi, b)	.floor = f, .ceiling = c, .filter = fi, .binding = b
#define OK_BEGIN		BEGIN(-1, -1, -1, -1)

static const struct nlcase cases[] = {
	{ "ttl-floor-above-ceiling", "floor 100 > ceiling 50", BEGIN(100, 50, -1, -1) },
	{ "ttl-floor-above-default-ceiling", "floor 90000, no ceiling", BEGIN(90000, -1, -1, -1) },
	{ "ttl-floor-zero", "floor 0", BEGIN(0, -1, -1, -1) },
	{ "ttl-ceiling-over-max", "ceiling a week + 1 s", BEGIN(-1, EGRESSK_DNS_TTL_MAX + 1, -1, -1) },
	{ "dns-filter-out-of-range", "filter 3", BEGIN(-1, -1, EGRESSK_DNS_FILTER_MAX + 1, -1) },
	{ "binding-out-of-range", "binding 2", BEGIN(-1, -1, -1, EGRESSK_BINDING_MAX + 1) },
	{ "settings-valid", "every setting at an edge", BEGIN(1, EGRESSK_DNS_TTL_MAX,
		EGRESSK_DNS_FILTER_STRICT, EGRESSK_BINDING_NONE) },
	{ "learned-from-user", "EGRESSK_A_LEARNED sent by user", OK_BEGIN, .learned_attr = true },
	{ "guards-from-user", "EGRESSK_A_GUARDS sent by user", OK_BEGIN, .guards_attr = true },
	{ "dns-name-valid", "allow dns-name .Example.COM.", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = ".Example.COM." },
	{ "dns-name-with-ports", "dns-name with PORTS", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = "a.test", .ports = true },
	{ "dns-name-with-proto", "dns-name with PROTO", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = "a.test", .proto = true },
	{ "dns-name-with-address", "dns-name with ADDR4", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = "a.test", .addr4 = true },
	{ "dns-name-deny", "deny dns-name", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_DENY, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = "a.test" },
	{ "dns-name-without-name", "dns-name, no NAME", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME },
	{ "dns-name-bad-name", "dns-name a..test", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME,
	  .name_attr = "a..test" },
	{ "cidr-with-name", "a cidr rule with NAME", OK_BEGIN, .add = true,
	  .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_CIDR,
	  .name_attr = "a.test", .addr4 = true },
	{ "learned-get", "LEARNED_GET", .learned_dump = true },
};

static int put_begin(struct nl_msg *msg, void *arg)
{
	const struct nlcase *c = arg;

	if (nla_put_u32(msg, EGRESSK_A_NETNS_FD, (uint32_t)netns_fd) < 0)
		return -1;
	if (c->learned_dump)
		return 0;
	if (c->floor >= 0 && nla_put_u32(msg, EGRESSK_A_DNS_TTL_FLOOR, (uint32_t)c->floor) < 0)
		return -1;
	if (c->ceiling >= 0 && nla_put_u32(msg, EGRESSK_A_DNS_TTL_CEILING, (uint32_t)c->ceiling) < 0)
		return -1;
	if (c->filter >= 0 && nla_put_u8(msg, EGRESSK_A_DNS_FILTER, (uint8_t)c->filter) < 0)
		return -1;
	if (c->binding >= 0 && nla_put_u8(msg, EGRESSK_A_DOMAIN_BINDING, (uint8_t)c->binding) < 0)
		return -1;
	/*
	 * As a plain attribute: libnl drops an empty nest, and one with
	 * NLA_F_NESTED is refused for that flag before its type is looked at
	 */
	if (c->learned_attr && nla_put_u32(msg, EGRESSK_A_LEARNED, 1) < 0)
		return -1;
	if (c->guards_attr && nla_put_u32(msg, EGRESSK_A_GUARDS, 1) < 0)
		return -1;
	return 0;
}

static int put_rule(struct nl_msg *msg, void *arg)
{
	const struct nlcase *c = arg;
	struct nlattr *rules, *rule, *ports, *range;

	rules = nla_nest_start(msg, EGRESSK_A_RULES);
	rule = rules ? nla_nest_start(msg, EGRESSK_A_RULE) : NULL;
	if (!rule ||
	    nla_put_u8(msg, EGRESSK_RULE_A_ACTION, (uint8_t)c->action) < 0 ||
	    nla_put_u8(msg, EGRESSK_RULE_A_KIND, (uint8_t)c->kind) < 0)
		return -1;
	if (c->name_attr && nla_put_string(msg, EGRESSK_RULE_A_NAME, c->name_attr) < 0)
		return -1;
	if (c->addr4 && (nla_put_u32(msg, EGRESSK_RULE_A_ADDR4, htonl(0xc0000201)) < 0 ||
			 nla_put_u8(msg, EGRESSK_RULE_A_PREFIXLEN, 32) < 0))
		return -1;
	if (c->proto && nla_put_u8(msg, EGRESSK_RULE_A_PROTO, EGRESSK_PROTO_TCP) < 0)
		return -1;
	if (c->ports) {
		ports = nla_nest_start(msg, EGRESSK_RULE_A_PORTS);
		range = ports ? nla_nest_start(msg, EGRESSK_PORT_A_RANGE) : NULL;
		if (!range || nla_put_u16(msg, EGRESSK_RANGE_A_FIRST, 53) < 0 ||
		    nla_put_u16(msg, EGRESSK_RANGE_A_LAST, 53) < 0)
			return -1;
		nla_nest_end(msg, range);
		nla_nest_end(msg, ports);
	}
	nla_nest_end(msg, rule);
	nla_nest_end(msg, rules);
	return 0;
}

static void report(int err, struct egk_nl *nl)
{
	printf("errno=%d msg=%s\n", -err, egk_nl_message(nl));
}

int main(int argc, char **argv)
{
	const struct nlcase *c = NULL;
	struct egk_nl *nl;
	size_t i;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: nlcheck NETNS_PATH CASE\ncases:\n");
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			fprintf(stderr, "  %-34s %s\n", cases[i].name, cases[i].what);
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(argv[2], cases[i].name))
			c = &cases[i];
	if (!c) {
		fprintf(stderr, "nlcheck: unknown case '%s'\n", argv[2]);
		return 2;
	}
	netns_fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0) {
		perror(argv[1]);
		return 2;
	}
	err = egk_nl_open(&nl);
	if (err) {
		fprintf(stderr, "nlcheck: %s\n", egk_nl_open_message());
		return 2;
	}

	if (c->learned_dump) {
		err = egk_nl_raw(nl, EGRESSK_CMD_LEARNED_GET, true, put_begin, (void *)c);
	} else {
		err = egk_nl_raw(nl, EGRESSK_CMD_TXN_BEGIN, false, put_begin, (void *)c);
		if (!err && c->add)
			err = egk_nl_raw(nl, EGRESSK_CMD_TXN_ADD, false, put_rule, (void *)c);
	}
	report(err, nl);
	egk_nl_close(nl);
	close(netns_fd);
	return 0;
}
