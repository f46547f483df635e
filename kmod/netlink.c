// SPDX-License-Identifier: GPL-2.0
/*
 * The "egressk" generic netlink family (uapi/linux/egressk.h).  It lives in
 * init_net only, every command needs CAP_NET_ADMIN in the initial user
 * namespace, and every attribute is validated strictly.
 */
#include "egressk.h"

#include <linux/file.h>
#include <linux/proc_ns.h>
#include <linux/rtnetlink.h>
#include <linux/socket.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "egressk needs GENL_MCAST_CAP_NET_ADMIN so that only admins see events"
#endif

/* Index of EGRESSK_MCGRP_EVENTS in egressk_mcgrps; events.c uses 0. */
enum egressk_mcgrp_idx {
	EGRESSK_MCGRP_IDX_EVENTS,
};

/* attributes the kernel sends but never accepts */
#define EGRESSK_OUTPUT_ONLY { .type = NLA_REJECT, \
	.reject_message = "attribute is kernel-to-user only" }

static struct netlink_range_validation egressk_rule_count_range = {
	.min = 0,
	.max = EGRESSK_MAX_RULES,
};

static struct netlink_range_validation egressk_ttl_range = {
	.min = 1,
	.max = EGRESSK_DNS_TTL_MAX,
};

static const struct nla_policy egressk_range_policy[EGRESSK_RANGE_A_MAX + 1] = {
	[EGRESSK_RANGE_A_FIRST] = { .type = NLA_U16 },
	[EGRESSK_RANGE_A_LAST] = { .type = NLA_U16 },
};

static const struct nla_policy egressk_port_policy[EGRESSK_PORT_A_MAX + 1] = {
	[EGRESSK_PORT_A_RANGE] = NLA_POLICY_NESTED(egressk_range_policy),
};

static const struct nla_policy egressk_rule_policy[EGRESSK_RULE_A_MAX + 1] = {
	[EGRESSK_RULE_A_PAD] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_RULE_A_ACTION] = NLA_POLICY_RANGE(NLA_U8, EGRESSK_ACTION_ALLOW,
						   EGRESSK_ACTION_MAX),
	[EGRESSK_RULE_A_KIND] = NLA_POLICY_RANGE(NLA_U8, EGRESSK_RULE_KIND_CIDR,
						 EGRESSK_RULE_KIND_MAX),
	[EGRESSK_RULE_A_ADDR4] = { .type = NLA_BE32 },
	[EGRESSK_RULE_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[EGRESSK_RULE_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[EGRESSK_RULE_A_PROTO] = NLA_POLICY_MAX(NLA_U8, EGRESSK_PROTO_MAX),
	[EGRESSK_RULE_A_PORTS] = NLA_POLICY_NESTED(egressk_port_policy),
	[EGRESSK_RULE_A_ID] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_RULE_A_HITS] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_RULE_A_NAME] = { .type = NLA_NUL_STRING,
				  .len = EGRESSK_DOMAIN_NAME_MAX },
};

/* EGRESSK_A_RULES holds EGRESSK_A_RULE nests only. */
static const struct nla_policy egressk_rules_policy[EGRESSK_A_RULE + 1] = {
	[EGRESSK_A_RULE] = NLA_POLICY_NESTED(egressk_rule_policy),
};

static const struct nla_policy egressk_policy[EGRESSK_A_MAX + 1] = {
	[EGRESSK_A_NETNS_FD] = { .type = NLA_U32 },
	[EGRESSK_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, EGRESSK_F_ALL),
	[EGRESSK_A_MODE] = NLA_POLICY_MAX(NLA_U8, EGRESSK_MODE_MAX),
	[EGRESSK_A_DEFAULT] = NLA_POLICY_MAX(NLA_U8, EGRESSK_DEFAULT_MAX),
	[EGRESSK_A_POLICY_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						   EGRESSK_POLICY_F_ALL),
	[EGRESSK_A_RULE_COUNT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &egressk_rule_count_range),
	[EGRESSK_A_DNS_FILTER] = NLA_POLICY_MAX(NLA_U8, EGRESSK_DNS_FILTER_MAX),
	[EGRESSK_A_DOMAIN_BINDING] = NLA_POLICY_MAX(NLA_U8, EGRESSK_BINDING_MAX),
	[EGRESSK_A_DNS_TTL_FLOOR] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &egressk_ttl_range),
	[EGRESSK_A_DNS_TTL_CEILING] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &egressk_ttl_range),
	/*
	 * Rules are validated (strictly, against egressk_rules_policy) by the
	 * TXN_ADD handler rather than by the genl core, so that any bad rule
	 * also ends the transaction, as the uapi promises.
	 */
	[EGRESSK_A_RULES] = { .type = NLA_NESTED },
	/* kernel to user only */
	[EGRESSK_A_PAD] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_NETNS_INODE] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_NETNS_COOKIE] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_POLICY_VERSION] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_RULE] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_STATS] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_EVENT] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_LEARNED] = EGRESSK_OUTPUT_ONLY,
	[EGRESSK_A_GUARDS] = EGRESSK_OUTPUT_ONLY,
};

/*
 * Resolve EGRESSK_A_NETNS_FD (a descriptor of the sender's: doit and dump
 * start run in its context).  With @modify, the initial namespace needs
 * EGRESSK_F_FORCE.  Returns a referenced net or an ERR_PTR.
 */
static struct net *egressk_nl_target(struct nlattr **attrs, bool modify,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *fd_attr = attrs[EGRESSK_A_NETNS_FD];
	u32 flags = 0;
	struct net *net;
	u32 fd;

	if (!fd_attr) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, EGRESSK_A_NETNS_FD);
		NL_SET_ERR_MSG(extack, "missing EGRESSK_A_NETNS_FD (target namespace)");
		return ERR_PTR(-EINVAL);
	}
	fd = nla_get_u32(fd_attr);
	if (fd > INT_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, fd_attr, "netns fd out of range");
		return ERR_PTR(-EBADF);
	}
	net = get_net_ns_by_fd(fd);
	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(extack, fd_attr,
				    "EGRESSK_A_NETNS_FD is not an open network namespace file descriptor");
		return net;
	}
	if (attrs[EGRESSK_A_FLAGS])
		flags = nla_get_u32(attrs[EGRESSK_A_FLAGS]);
	if (modify && net_eq(net, &init_net) && !(flags & EGRESSK_F_FORCE)) {
		put_net(net);
		NL_SET_ERR_MSG_ATTR(extack, fd_attr,
				    "refusing to police the initial network namespace (the host); pass --force");
		return ERR_PTR(-EPERM);
	}
	return net;
}

/* A namespace's identity (dumps that no longer hold the net keep the ids). */
int egressk_nl_put_ids(struct sk_buff *skb, u32 inum, u64 cookie)
{
	if (nla_put_u32(skb, EGRESSK_A_NETNS_INODE, inum) ||
	    nla_put_u64_64bit(skb, EGRESSK_A_NETNS_COOKIE, cookie,
			      EGRESSK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int egressk_nl_put_identity(struct sk_buff *skb, const struct net *net)
{
	return egressk_nl_put_ids(skb, net->ns.inum, net->net_cookie);
}

static int egressk_nl_put_stats(struct sk_buff *skb,
				const struct egressk_stats __percpu *pcpu,
				struct egressk_net *en)
{
	struct egressk_stats s;
	struct nlattr *nest;

	egressk_stats_sum(pcpu, &s);
	nest = nla_nest_start(skb, EGRESSK_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EGRESSK_STATS_A_ALLOWED, s.allowed,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_REJECTED, s.rejected,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DROPPED, s.dropped,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_AUDITED, s.audited,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_RAW_REJECTED, s.raw_rejected,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_EVENTS_LOST, s.events_lost,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_MALFORMED, s.malformed,
			      EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_INSPECTED,
			      s.flows_inspected, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_DOMAIN_ALLOWED,
			      s.flows_domain_allowed, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_DOMAIN_REJECTED,
			      s.flows_domain_rejected, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_HOLD_LIMIT,
			      s.flows_hold_limit, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_HOLD_TIMEOUT,
			      s.flows_hold_timeout, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_TABLE_FULL,
			      s.flows_table_full, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_POLICY_CUT,
			      s.flows_policy_cut, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_ACTIVE,
			      atomic_read(&en->nr_flows), EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_QUERIES,
			      s.dns_queries, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_REFUSED,
			      s.dns_refused, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_UNPINNED,
			      s.dns_unpinned, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_LEARNED,
			      s.dns_learned, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_LEARN_FULL,
			      s.dns_learn_full, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_IGNORED,
			      s.dns_ignored, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_FLOWS_NOT_LEARNED,
			      s.flows_not_learned, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_LEARNED_ACTIVE,
			      egressk_learn_count(en), EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_INBOUND_ACTIVE,
			      atomic_read(&en->nr_inbound), EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_INBOUND_FULL,
			      s.inbound_full, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_DNS_DUPLICATE,
			      s.dns_duplicate, EGRESSK_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, EGRESSK_STATS_A_GUARD_DROPPED,
			      s.guard_dropped, EGRESSK_STATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- transactions ---- */

static int egressk_nl_txn_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct egressk_net *ien = egressk_pernet(&init_net);
	struct egressk_settings set = {
		.mode = EGRESSK_MODE_ENFORCE,
		.dflt = EGRESSK_DEFAULT_REJECT,
		.dns_filter = EGRESSK_DNS_FILTER_ON,
		.binding = EGRESSK_BINDING_DNS,
		.ttl_floor = EGRESSK_DNS_TTL_FLOOR_DEFAULT,
		.ttl_ceiling = EGRESSK_DNS_TTL_CEILING_DEFAULT,
	};
	struct nlattr **a = info->attrs;
	struct net *net;
	int err;

	if (a[EGRESSK_A_MODE])
		set.mode = nla_get_u8(a[EGRESSK_A_MODE]);
	if (a[EGRESSK_A_DEFAULT])
		set.dflt = nla_get_u8(a[EGRESSK_A_DEFAULT]);
	if (a[EGRESSK_A_POLICY_FLAGS])
		set.flags = nla_get_u32(a[EGRESSK_A_POLICY_FLAGS]);
	if (a[EGRESSK_A_DNS_FILTER])
		set.dns_filter = nla_get_u8(a[EGRESSK_A_DNS_FILTER]);
	if (a[EGRESSK_A_DOMAIN_BINDING])
		set.binding = nla_get_u8(a[EGRESSK_A_DOMAIN_BINDING]);
	if (a[EGRESSK_A_DNS_TTL_FLOOR])
		set.ttl_floor = nla_get_u32(a[EGRESSK_A_DNS_TTL_FLOOR]);
	if (a[EGRESSK_A_DNS_TTL_CEILING])
		set.ttl_ceiling = nla_get_u32(a[EGRESSK_A_DNS_TTL_CEILING]);
	if (set.ttl_floor > set.ttl_ceiling) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    a[EGRESSK_A_DNS_TTL_FLOOR] ?: a[EGRESSK_A_DNS_TTL_CEILING],
				    "the DNS TTL floor is above the ceiling");
		return -EINVAL;
	}

	net = egressk_nl_target(info->attrs, true, info->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);

	mutex_lock(&egressk_config_mutex);
	err = egressk_txn_begin(ien, info->snd_portid, net->net_cookie, &set,
				info->extack);
	mutex_unlock(&egressk_config_mutex);
	put_net(net);
	return err;
}

/*
 * A domain or dns-name rule's pattern: an optional "." or "*." and a name,
 * normalised (lowercase, no trailing dot) into @name, r->name_len set.
 */
static int egressk_nl_parse_domain(struct nlattr **tb, const struct nlattr *nla,
				   struct egressk_rule *r, char *name,
				   struct netlink_ext_ack *extack)
{
	const struct nlattr *na = tb[EGRESSK_RULE_A_NAME];
	bool dns_name = r->kind == EGRESSK_RULE_KIND_DNS_NAME;
	size_t len;

	if (r->action != EGRESSK_ACTION_ALLOW) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_ACTION],
				    "domain and dns-name rules can only allow");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, EGRESSK_RULE_A_NAME)) {
		NL_SET_ERR_MSG(extack, "domain or dns-name rule without a name");
		return -EINVAL;
	}
	if (tb[EGRESSK_RULE_A_ADDR4] || tb[EGRESSK_RULE_A_ADDR6] ||
	    tb[EGRESSK_RULE_A_PREFIXLEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a domain or dns-name rule takes a name, not an address or prefix length");
		return -EINVAL;
	}
	if (dns_name && (tb[EGRESSK_RULE_A_PROTO] || tb[EGRESSK_RULE_A_PORTS])) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a dns-name rule takes no protocol or ports (it only lets the name be resolved)");
		return -EINVAL;
	}
	if (tb[EGRESSK_RULE_A_PROTO] &&
	    nla_get_u8(tb[EGRESSK_RULE_A_PROTO]) != EGRESSK_PROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_PROTO],
				    "domain rules are TCP only (the first payload must be TLS or HTTP)");
		return -EINVAL;
	}
	r->proto = EGRESSK_PROTO_TCP;

	if (domain_pattern_normalize(nla_data(na), strnlen(nla_data(na), nla_len(na)),
				     name, DOMAIN_PATTERN_BUF, &len)) {
		NL_SET_ERR_MSG_ATTR(extack, na,
				    "not a domain name: labels of 1-63 letters, digits, '-' or '_', at most 253 characters, optionally led by '.' or '*.'");
		return -EINVAL;
	}
	r->name_len = len;
	return 0;
}

/* Parse and validate one EGRESSK_A_RULE nest into @r, @ranges and @name. */
static int egressk_nl_parse_rule(const struct nlattr *nla,
				 struct egressk_rule *r,
				 struct cidr_port_range *ranges, char *name,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[EGRESSK_RULE_A_MAX + 1];
	struct nlattr *rt[EGRESSK_RANGE_A_MAX + 1];
	struct nlattr *pos;
	unsigned int max_plen;
	int err, rem;

	err = nla_parse_nested(tb, EGRESSK_RULE_A_MAX, nla, egressk_rule_policy,
			       extack);
	if (err)
		return err;

	if (NL_REQ_ATTR_CHECK(extack, nla, tb, EGRESSK_RULE_A_ACTION)) {
		NL_SET_ERR_MSG(extack, "rule without an action");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, EGRESSK_RULE_A_KIND)) {
		NL_SET_ERR_MSG(extack, "rule without a kind");
		return -EINVAL;
	}
	memset(r, 0, sizeof(*r));
	r->action = nla_get_u8(tb[EGRESSK_RULE_A_ACTION]);
	r->kind = nla_get_u8(tb[EGRESSK_RULE_A_KIND]);

	if (egressk_rule_named(r)) {
		err = egressk_nl_parse_domain(tb, nla, r, name, extack);
		if (err)
			return err;
		goto ports;
	}
	if (tb[EGRESSK_RULE_A_NAME]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_NAME],
				    "only domain and dns-name rules take a name");
		return -EINVAL;
	}

	if (!!tb[EGRESSK_RULE_A_ADDR4] == !!tb[EGRESSK_RULE_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "a rule needs exactly one of ADDR4 and ADDR6");
		return -EINVAL;
	}
	if (tb[EGRESSK_RULE_A_ADDR4]) {
		r->family = AF_INET;
		r->addr.a4 = nla_get_in_addr(tb[EGRESSK_RULE_A_ADDR4]);
		max_plen = 32;
	} else {
		r->family = AF_INET6;
		r->addr.a6 = nla_get_in6_addr(tb[EGRESSK_RULE_A_ADDR6]);
		max_plen = 128;
	}

	if (r->kind == EGRESSK_RULE_KIND_DNS) {
		if (r->action != EGRESSK_ACTION_ALLOW) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_ACTION],
					    "a dns rule can only allow");
			return -EINVAL;
		}
		if (tb[EGRESSK_RULE_A_PROTO] || tb[EGRESSK_RULE_A_PORTS]) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "a dns rule takes no protocol or ports (it means udp and tcp 53)");
			return -EINVAL;
		}
		if (tb[EGRESSK_RULE_A_PREFIXLEN] &&
		    nla_get_u8(tb[EGRESSK_RULE_A_PREFIXLEN]) != max_plen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_PREFIXLEN],
					    "a dns rule names one address (prefix length 32 or 128)");
			return -EINVAL;
		}
		r->prefixlen = max_plen;
		r->proto = EGRESSK_PROTO_ANY;
		return 0;
	}

	if (NL_REQ_ATTR_CHECK(extack, nla, tb, EGRESSK_RULE_A_PREFIXLEN)) {
		NL_SET_ERR_MSG(extack, "cidr rule without a prefix length");
		return -EINVAL;
	}
	r->prefixlen = nla_get_u8(tb[EGRESSK_RULE_A_PREFIXLEN]);
	if (r->prefixlen > max_plen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_PREFIXLEN],
				    "prefix length longer than 32 for an IPv4 address");
		return -ERANGE;
	}
	if (r->family == AF_INET) {
		__be32 mask = r->prefixlen ?
			htonl(~0U << (32 - r->prefixlen)) : 0;

		if (r->addr.a4 & ~mask) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_ADDR4],
					    "host bits set: the address is not the start of its prefix");
			return -EINVAL;
		}
	} else {
		struct in6_addr masked;

		ipv6_addr_prefix(&masked, &r->addr.a6, r->prefixlen);
		if (!ipv6_addr_equal(&masked, &r->addr.a6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_ADDR6],
					    "host bits set: the address is not the start of its prefix");
			return -EINVAL;
		}
	}

	if (tb[EGRESSK_RULE_A_PROTO])
		r->proto = nla_get_u8(tb[EGRESSK_RULE_A_PROTO]);
ports:
	if (!tb[EGRESSK_RULE_A_PORTS])
		return 0;

	if (r->proto != EGRESSK_PROTO_TCP && r->proto != EGRESSK_PROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_PORTS],
				    "ports need protocol tcp or udp");
		return -EINVAL;
	}
	nla_for_each_nested(pos, tb[EGRESSK_RULE_A_PORTS], rem) {
		u16 first, last;

		if (r->nr_ranges >= EGRESSK_MAX_PORT_RANGES) {
			NL_SET_ERR_MSG_ATTR(extack, pos,
					    "more than EGRESSK_MAX_PORT_RANGES port ranges in one rule");
			return -E2BIG;
		}
		err = nla_parse_nested(rt, EGRESSK_RANGE_A_MAX, pos,
				       egressk_range_policy, extack);
		if (err)
			return err;
		if (NL_REQ_ATTR_CHECK(extack, pos, rt, EGRESSK_RANGE_A_FIRST) ||
		    NL_REQ_ATTR_CHECK(extack, pos, rt, EGRESSK_RANGE_A_LAST)) {
			NL_SET_ERR_MSG(extack, "port range needs FIRST and LAST");
			return -EINVAL;
		}
		first = nla_get_u16(rt[EGRESSK_RANGE_A_FIRST]);
		last = nla_get_u16(rt[EGRESSK_RANGE_A_LAST]);
		if (first > last) {
			NL_SET_ERR_MSG_ATTR(extack, pos,
					    "port range with FIRST above LAST");
			return -ERANGE;
		}
		ranges[r->nr_ranges].first = first;
		ranges[r->nr_ranges].last = last;
		r->nr_ranges++;
	}
	if (!r->nr_ranges) {
		NL_SET_ERR_MSG_ATTR(extack, tb[EGRESSK_RULE_A_PORTS],
				    "empty port list");
		return -EINVAL;
	}
	return 0;
}

static int egressk_nl_txn_add(struct sk_buff *skb, struct genl_info *info)
{
	struct egressk_net *ien = egressk_pernet(&init_net);
	struct cidr_port_range *ranges;
	struct egressk_txn *txn;
	struct egressk_rule r;
	struct nlattr *pos;
	int err = 0, rem;
	char *name;

	if (GENL_REQ_ATTR_CHECK(info, EGRESSK_A_RULES)) {
		GENL_SET_ERR_MSG(info, "missing EGRESSK_A_RULES");
		return -EINVAL;
	}
	ranges = kmalloc_array(EGRESSK_MAX_PORT_RANGES, sizeof(*ranges),
			       GFP_KERNEL);
	name = kmalloc(DOMAIN_PATTERN_BUF, GFP_KERNEL);
	if (!ranges || !name) {
		kfree(ranges);
		kfree(name);
		return -ENOMEM;
	}

	mutex_lock(&egressk_config_mutex);
	txn = egressk_txn_find(ien, info->snd_portid);
	if (!txn) {
		GENL_SET_ERR_MSG(info,
				 "no transaction open on this socket; send TXN_BEGIN first");
		err = -ENOENT;
		goto out_unlock;
	}
	err = nla_validate_nested(info->attrs[EGRESSK_A_RULES], EGRESSK_A_RULE,
				  egressk_rules_policy, info->extack);
	if (err) {
		egressk_txn_drop(ien, txn);
		goto out_unlock;
	}
	nla_for_each_nested(pos, info->attrs[EGRESSK_A_RULES], rem) {
		err = egressk_nl_parse_rule(pos, &r, ranges, name,
					    info->extack);
		if (!err)
			err = egressk_txn_append(txn, &r, ranges,
						 egressk_rule_named(&r) ?
						 name : NULL, info->extack);
		if (err) {
			/* a transaction with a bad chunk can never commit */
			egressk_txn_drop(ien, txn);
			break;
		}
	}
out_unlock:
	mutex_unlock(&egressk_config_mutex);
	kfree(ranges);
	kfree(name);
	return err;
}

/* A commit that fails before it looks at the transaction still ends it. */
static void egressk_nl_txn_fail(struct genl_info *info)
{
	struct egressk_net *ien = egressk_pernet(&init_net);
	struct egressk_txn *txn;

	mutex_lock(&egressk_config_mutex);
	txn = egressk_txn_find(ien, info->snd_portid);
	if (txn)
		egressk_txn_drop(ien, txn);
	mutex_unlock(&egressk_config_mutex);
}

static int egressk_nl_txn_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct egressk_net *ien = egressk_pernet(&init_net);
	struct egressk_policy *p;
	struct egressk_txn *txn;
	struct sk_buff *msg;
	struct net *net;
	u64 version;
	u32 guards;
	bool rtnl;
	void *hdr;
	u32 count;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, EGRESSK_A_RULE_COUNT)) {
		GENL_SET_ERR_MSG(info, "missing EGRESSK_A_RULE_COUNT");
		egressk_nl_txn_fail(info);
		return -EINVAL;
	}
	count = nla_get_u32(info->attrs[EGRESSK_A_RULE_COUNT]);

	/* the init_net check was made at TXN_BEGIN; the cookie binds it */
	net = egressk_nl_target(info->attrs, false, info->extack);
	if (IS_ERR(net)) {
		egressk_nl_txn_fail(info);
		return PTR_ERR(net);
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_net;
	}
	hdr = genlmsg_put_reply(msg, info, &egressk_genl_family, 0,
				EGRESSK_CMD_TXN_COMMIT);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_msg;
	}

	/*
	 * The first policy in a namespace hooks its devices, which needs
	 * rtnl, taken before the config mutex.  genl_mutex serialises every
	 * command (no parallel_ops) and @net is pinned, so "attached" cannot
	 * change between this check and the install.  Replacing a policy
	 * does not take rtnl.
	 */
	rtnl = !READ_ONCE(egressk_pernet(net)->attached);
	if (rtnl)
		rtnl_lock();
	mutex_lock(&egressk_config_mutex);
	txn = egressk_txn_find(ien, info->snd_portid);
	if (!txn) {
		GENL_SET_ERR_MSG(info,
				 "no transaction open on this socket; send TXN_BEGIN first");
		err = -ENOENT;
		goto out_unlock;
	}
	if (txn->cookie != net->net_cookie) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EGRESSK_A_NETNS_FD],
				    "the namespace differs from the one given to TXN_BEGIN");
		err = -EINVAL;
		goto out_drop;
	}
	if (txn->nr_rules != count) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[EGRESSK_A_RULE_COUNT],
				    "rule count differs from the number of rules staged (a chunk was lost?)");
		err = -EINVAL;
		goto out_drop;
	}
	p = egressk_policy_build(txn, info->extack);
	if (IS_ERR(p)) {
		err = PTR_ERR(p);
		goto out_drop;
	}
	err = egressk_policy_install(net, p, rtnl);
	if (err == -EPERM)	/* guard.c: an ifb device is up there */
		NL_SET_ERR_MSG(info->extack,
			       "the namespace has an ifb device up: what it re-injects skips the host-side guard; delete it, then apply");
	else if (err)
		NL_SET_ERR_MSG(info->extack,
			       "could not attach to the namespace (conntrack, hooks, a device hook or a host-side guard)");
	if (err) {
		egressk_policy_put(p);
		goto out_drop;
	}
	version = p->version;
	guards = egressk_pernet(net)->nr_guards;
	egressk_txn_drop(ien, txn);
	mutex_unlock(&egressk_config_mutex);
	if (rtnl)
		rtnl_unlock();

	if (egressk_nl_put_identity(msg, net) ||
	    nla_put_u64_64bit(msg, EGRESSK_A_POLICY_VERSION, version,
			      EGRESSK_A_PAD) ||
	    nla_put_u32(msg, EGRESSK_A_GUARDS, guards)) {
		/* installed: only the reply is lost */
		err = -EMSGSIZE;
		goto out_msg;
	}
	genlmsg_end(msg, hdr);
	put_net(net);
	return genlmsg_reply(msg, info);

out_drop:
	egressk_txn_drop(ien, txn);
out_unlock:
	mutex_unlock(&egressk_config_mutex);
	if (rtnl)
		rtnl_unlock();
out_msg:
	nlmsg_free(msg);
out_net:
	put_net(net);
	return err;
}

static int egressk_nl_txn_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct egressk_net *ien = egressk_pernet(&init_net);
	struct egressk_txn *txn;
	int err = 0;

	mutex_lock(&egressk_config_mutex);
	txn = egressk_txn_find(ien, info->snd_portid);
	if (txn) {
		egressk_txn_drop(ien, txn);
	} else {
		GENL_SET_ERR_MSG(info, "no transaction open on this socket");
		err = -ENOENT;
	}
	mutex_unlock(&egressk_config_mutex);
	return err;
}

/* ---- policy dump ---- */

struct egressk_dump_ctx {
	struct egressk_policy *policy;	/* pinned */
	u64 cookie;
	u32 inum;
	u32 next;			/* next rule to send */
	bool header_sent;
};

static struct egressk_dump_ctx *egressk_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct egressk_dump_ctx) > sizeof(cb->ctx));
	return (struct egressk_dump_ctx *)cb->ctx;
}

static int egressk_nl_policy_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct egressk_dump_ctx *ctx = egressk_dump_ctx(cb);
	struct egressk_policy *p;
	struct net *net;

	memset(ctx, 0, sizeof(*ctx));
	net = egressk_nl_target(info->attrs, false, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);

	rcu_read_lock();
	p = rcu_dereference(egressk_pernet(net)->policy);
	if (p && !egressk_policy_tryget(p))
		p = NULL;
	rcu_read_unlock();

	ctx->inum = net->ns.inum;
	ctx->cookie = net->net_cookie;
	put_net(net);
	if (!p) {
		NL_SET_ERR_MSG(cb->extack,
			       "no policy is loaded in this network namespace");
		return -ENOENT;
	}
	ctx->policy = p;
	return 0;
}

static int egressk_nl_policy_get_done(struct netlink_callback *cb)
{
	struct egressk_dump_ctx *ctx = egressk_dump_ctx(cb);

	egressk_policy_put(ctx->policy);
	ctx->policy = NULL;
	return 0;
}

static int egressk_nl_put_rule(struct sk_buff *skb,
			       const struct egressk_policy *p, u32 id)
{
	const struct egressk_rule *r = &p->rules[id];
	struct nlattr *nest, *ports, *range;
	u32 i;

	nest = nla_nest_start(skb, EGRESSK_A_RULE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, EGRESSK_RULE_A_ACTION, r->action) ||
	    nla_put_u8(skb, EGRESSK_RULE_A_KIND, r->kind))
		goto cancel;
	if (egressk_rule_named(r)) {
		if (nla_put_string(skb, EGRESSK_RULE_A_NAME,
				   &p->names[r->name_off]))
			goto cancel;
	} else if (r->family == AF_INET) {
		if (nla_put_in_addr(skb, EGRESSK_RULE_A_ADDR4, r->addr.a4) ||
		    nla_put_u8(skb, EGRESSK_RULE_A_PREFIXLEN, r->prefixlen))
			goto cancel;
	} else if (nla_put_in6_addr(skb, EGRESSK_RULE_A_ADDR6, &r->addr.a6) ||
		   nla_put_u8(skb, EGRESSK_RULE_A_PREFIXLEN, r->prefixlen)) {
		goto cancel;
	}
	if (nla_put_u32(skb, EGRESSK_RULE_A_ID, id) ||
	    nla_put_u64_64bit(skb, EGRESSK_RULE_A_HITS,
			      atomic64_read(&p->hits[id]), EGRESSK_RULE_A_PAD))
		goto cancel;
	if (r->kind == EGRESSK_RULE_KIND_CIDR &&
	    nla_put_u8(skb, EGRESSK_RULE_A_PROTO, r->proto))
		goto cancel;
	if (r->nr_ranges) {
		ports = nla_nest_start(skb, EGRESSK_RULE_A_PORTS);
		if (!ports)
			goto cancel;
		for (i = 0; i < r->nr_ranges; i++) {
			const struct cidr_port_range *pr =
				&p->ranges[r->ranges_off + i];

			range = nla_nest_start(skb, EGRESSK_PORT_A_RANGE);
			if (!range ||
			    nla_put_u16(skb, EGRESSK_RANGE_A_FIRST, pr->first) ||
			    nla_put_u16(skb, EGRESSK_RANGE_A_LAST, pr->last))
				goto cancel;
			nla_nest_end(skb, range);
		}
		nla_nest_end(skb, ports);
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int egressk_nl_policy_get_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	struct egressk_dump_ctx *ctx = egressk_dump_ctx(cb);
	const struct egressk_policy *p = ctx->policy;
	struct nlattr *rules;
	u32 start;
	void *hdr;

	if (ctx->header_sent && ctx->next >= p->nr_rules)
		return 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &egressk_genl_family, NLM_F_MULTI,
			  EGRESSK_CMD_POLICY_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (!ctx->header_sent) {
		if (egressk_nl_put_ids(skb, ctx->inum, ctx->cookie) ||
		    nla_put_u64_64bit(skb, EGRESSK_A_POLICY_VERSION, p->version,
				      EGRESSK_A_PAD) ||
		    nla_put_u8(skb, EGRESSK_A_MODE, p->mode) ||
		    nla_put_u8(skb, EGRESSK_A_DEFAULT, p->dflt) ||
		    nla_put_u32(skb, EGRESSK_A_POLICY_FLAGS, p->flags) ||
		    nla_put_u32(skb, EGRESSK_A_RULE_COUNT, p->nr_rules) ||
		    nla_put_u8(skb, EGRESSK_A_DNS_FILTER, p->dns_filter) ||
		    nla_put_u8(skb, EGRESSK_A_DOMAIN_BINDING, p->binding) ||
		    nla_put_u32(skb, EGRESSK_A_DNS_TTL_FLOOR, p->ttl_floor) ||
		    nla_put_u32(skb, EGRESSK_A_DNS_TTL_CEILING, p->ttl_ceiling)) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
		ctx->header_sent = true;
		return skb->len;
	}

	rules = nla_nest_start(skb, EGRESSK_A_RULES);
	if (!rules) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	start = ctx->next;
	while (ctx->next < p->nr_rules &&
	       !egressk_nl_put_rule(skb, p, ctx->next))
		ctx->next++;
	if (ctx->next == start) {
		/* one rule does not fit an empty message: cannot happen */
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, rules);
	genlmsg_end(skb, hdr);
	return skb->len;
}

/* ---- learned addresses ---- */

struct egressk_learned_rec {
	union egressk_addr addr;
	u32 expires;		/* seconds left */
	u32 rule;		/* DOMAIN_NONE: no rule covers the name now */
	u8 family;
	char name[EGRESSK_NAME_BUF];
};

/*
 * The dump sends a snapshot taken at its start, so that a table changing
 * under a slow reader can neither repeat nor skip entries.  Bounded by
 * EGRESSK_MAX_LEARNED * EGRESSK_LEARNED_NAMES records.
 */
struct egressk_learned_dump {
	const struct egressk_policy *policy;	/* only while snapshotting */
	struct egressk_learned_rec *recs;
	u32 nr, cap, next;
	u32 inum;
	u64 cookie;
};

static struct egressk_learned_dump **
egressk_learned_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct egressk_learned_dump *) > sizeof(cb->ctx));
	return (struct egressk_learned_dump **)cb->ctx;
}

static int egressk_nl_learned_visit(void *arg, u8 family,
				    const union egressk_addr *addr,
				    const char *name, u32 expires)
{
	struct egressk_learned_dump *d = arg;
	struct egressk_learned_rec *r;

	if (d->nr >= d->cap)
		return -ENOSPC;	/* learned after the count: next dump */
	r = &d->recs[d->nr++];
	r->family = family;
	r->addr = *addr;
	r->expires = expires;
	strscpy(r->name, name, sizeof(r->name));
	r->rule = domain_table_match_any(&d->policy->domains, r->name,
					 strlen(r->name));
	return 0;
}

static int egressk_nl_learned_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct egressk_learned_dump **dp = egressk_learned_dump_ctx(cb);
	struct egressk_learned_dump *d;
	struct egressk_net *en;
	struct net *net;
	int err = 0;

	*dp = NULL;
	net = egressk_nl_target(info->attrs, false, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	en = egressk_pernet(net);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		put_net(net);
		return -ENOMEM;
	}
	d->inum = net->ns.inum;
	d->cookie = net->net_cookie;

	/* detaching frees the table under this mutex */
	mutex_lock(&egressk_config_mutex);
	d->policy = rcu_dereference_protected(en->policy,
					      lockdep_is_held(&egressk_config_mutex));
	if (!d->policy) {
		NL_SET_ERR_MSG(cb->extack,
			       "no policy is loaded in this network namespace");
		err = -ENOENT;
		goto out;
	}
	d->cap = egressk_learn_count(en) * EGRESSK_LEARNED_NAMES;
	if (d->cap) {
		d->recs = kvmalloc_array(d->cap, sizeof(*d->recs), GFP_KERNEL);
		if (!d->recs) {
			err = -ENOMEM;
			goto out;
		}
		egressk_learn_walk(en, egressk_nl_learned_visit, d);
	}
	d->policy = NULL;
out:
	mutex_unlock(&egressk_config_mutex);
	put_net(net);
	if (err) {
		kvfree(d->recs);
		kfree(d);
		return err;
	}
	*dp = d;
	return 0;
}

static int egressk_nl_learned_get_done(struct netlink_callback *cb)
{
	struct egressk_learned_dump **dp = egressk_learned_dump_ctx(cb);

	if (*dp) {
		kvfree((*dp)->recs);
		kfree(*dp);
		*dp = NULL;
	}
	return 0;
}

static int egressk_nl_learned_get_dumpit(struct sk_buff *skb,
					 struct netlink_callback *cb)
{
	struct egressk_learned_dump *d = *egressk_learned_dump_ctx(cb);

	while (d && d->next < d->nr) {
		const struct egressk_learned_rec *r = &d->recs[d->next];
		struct nlattr *nest;
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &egressk_genl_family,
				  NLM_F_MULTI, EGRESSK_CMD_LEARNED_GET);
		if (!hdr)
			break;
		if (egressk_nl_put_ids(skb, d->inum, d->cookie))
			goto cancel;
		nest = nla_nest_start(skb, EGRESSK_A_LEARNED);
		if (!nest)
			goto cancel;
		if ((r->family == AF_INET ?
		     nla_put_in_addr(skb, EGRESSK_LEARNED_A_ADDR4, r->addr.a4) :
		     nla_put_in6_addr(skb, EGRESSK_LEARNED_A_ADDR6,
				      &r->addr.a6)) ||
		    nla_put_string(skb, EGRESSK_LEARNED_A_NAME, r->name) ||
		    nla_put_u32(skb, EGRESSK_LEARNED_A_EXPIRES, r->expires) ||
		    (r->rule != DOMAIN_NONE &&
		     nla_put_u32(skb, EGRESSK_LEARNED_A_RULE_ID, r->rule)))
			goto cancel;
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		d->next++;
		continue;
cancel:
		genlmsg_cancel(skb, hdr);
		break;
	}
	return skb->len;
}

/* ---- stats, delete, list ---- */

static int egressk_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	const struct egressk_policy *p;
	struct egressk_net *en;
	struct sk_buff *msg;
	struct net *net;
	void *hdr;
	int err;

	net = egressk_nl_target(info->attrs, false, info->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	en = egressk_pernet(net);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_net;
	}
	hdr = genlmsg_put_reply(msg, info, &egressk_genl_family, 0,
				EGRESSK_CMD_STATS_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_msg;
	}

	mutex_lock(&egressk_config_mutex);
	p = rcu_dereference_protected(en->policy,
				      lockdep_is_held(&egressk_config_mutex));
	if (!p) {
		mutex_unlock(&egressk_config_mutex);
		GENL_SET_ERR_MSG(info,
				 "no policy is loaded in this network namespace");
		err = -ENOENT;
		goto out_msg;
	}
	err = -EMSGSIZE;
	if (egressk_nl_put_identity(msg, net) ||
	    nla_put_u64_64bit(msg, EGRESSK_A_POLICY_VERSION, p->version,
			      EGRESSK_A_PAD) ||
	    nla_put_u8(msg, EGRESSK_A_MODE, p->mode) ||
	    nla_put_u32(msg, EGRESSK_A_RULE_COUNT, p->nr_rules) ||
	    nla_put_u32(msg, EGRESSK_A_GUARDS, en->nr_guards) ||
	    egressk_nl_put_stats(msg, p->stats, en)) {
		mutex_unlock(&egressk_config_mutex);
		goto out_msg;
	}
	mutex_unlock(&egressk_config_mutex);
	genlmsg_end(msg, hdr);
	put_net(net);
	return genlmsg_reply(msg, info);

out_msg:
	nlmsg_free(msg);
out_net:
	put_net(net);
	return err;
}

static int egressk_nl_policy_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net;
	int err;

	net = egressk_nl_target(info->attrs, true, info->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);

	/* detaching unhooks the devices: rtnl before the config mutex */
	rtnl_lock();
	mutex_lock(&egressk_config_mutex);
	err = egressk_policy_remove(net);
	mutex_unlock(&egressk_config_mutex);
	rtnl_unlock();
	if (err == -ENOENT)
		GENL_SET_ERR_MSG(info,
				 "no policy is loaded in this network namespace");
	put_net(net);
	return err;
}

/*
 * One message per policed namespace, found by walking every namespace:
 * there is no global table of policed ones.  Resumes by position, so a
 * namespace created or destroyed during the dump may shift the walk.
 */
static int egressk_nl_netns_list_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	long skip = cb->args[0], idx = 0;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		const struct egressk_policy *p;
		void *hdr;

		if (idx++ < skip)
			continue;
		p = rcu_dereference(egressk_pernet(net)->policy);
		if (!p)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &egressk_genl_family,
				  NLM_F_MULTI, EGRESSK_CMD_NETNS_LIST);
		if (!hdr) {
			idx--;
			break;
		}
		if (egressk_nl_put_identity(skb, net) ||
		    nla_put_u64_64bit(skb, EGRESSK_A_POLICY_VERSION, p->version,
				      EGRESSK_A_PAD) ||
		    nla_put_u8(skb, EGRESSK_A_MODE, p->mode) ||
		    nla_put_u8(skb, EGRESSK_A_DEFAULT, p->dflt) ||
		    nla_put_u32(skb, EGRESSK_A_RULE_COUNT, p->nr_rules) ||
		    nla_put_u32(skb, EGRESSK_A_GUARDS,
				READ_ONCE(egressk_pernet(net)->nr_guards)) ||
		    egressk_nl_put_stats(skb, p->stats, egressk_pernet(net))) {
			genlmsg_cancel(skb, hdr);
			idx--;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

static const struct genl_ops egressk_ops[] = {
	{
		.cmd = EGRESSK_CMD_TXN_BEGIN,
		.doit = egressk_nl_txn_begin,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_TXN_ADD,
		.doit = egressk_nl_txn_add,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_TXN_COMMIT,
		.doit = egressk_nl_txn_commit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_TXN_ABORT,
		.doit = egressk_nl_txn_abort,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_POLICY_GET,
		.start = egressk_nl_policy_get_start,
		.dumpit = egressk_nl_policy_get_dumpit,
		.done = egressk_nl_policy_get_done,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_POLICY_DEL,
		.doit = egressk_nl_policy_del,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_NETNS_LIST,
		.dumpit = egressk_nl_netns_list_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_STATS_GET,
		.doit = egressk_nl_stats_get,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = EGRESSK_CMD_LEARNED_GET,
		.start = egressk_nl_learned_get_start,
		.dumpit = egressk_nl_learned_get_dumpit,
		.done = egressk_nl_learned_get_done,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group egressk_mcgrps[] = {
	[EGRESSK_MCGRP_IDX_EVENTS] = {
		.name = EGRESSK_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family egressk_genl_family __ro_after_init = {
	.name = EGRESSK_GENL_NAME,
	.version = EGRESSK_GENL_VERSION,
	.maxattr = EGRESSK_A_MAX,
	.policy = egressk_policy,
	.netnsok = false,
	.parallel_ops = false,
	/* every command validates strictly, reserved header fields too */
	.resv_start_op = EGRESSK_CMD_TXN_BEGIN,
	.module = THIS_MODULE,
	.ops = egressk_ops,
	.n_ops = ARRAY_SIZE(egressk_ops),
	.mcgrps = egressk_mcgrps,
	.n_mcgrps = ARRAY_SIZE(egressk_mcgrps),
};
