// SPDX-License-Identifier: GPL-2.0
/*
 * Denial and audit events: a small EGRESSK_CMD_EVENT message multicast to
 * EGRESSK_MCGRP_EVENTS in init_net (joining needs CAP_NET_ADMIN).  Runs in
 * the hook: GFP_ATOMIC, rate-limited per namespace, and a failure only
 * bumps events_lost; it never changes the verdict.
 */
#include "egressk.h"

#include <linux/socket.h>

/* Bursts of 200 events, then 100 per second, per namespace. */
#define EGRESSK_EVENT_INTERVAL	HZ
#define EGRESSK_EVENT_BURST	200

void egressk_event_init(struct egressk_net *en)
{
	ratelimit_state_init(&en->event_rs, EGRESSK_EVENT_INTERVAL,
			     EGRESSK_EVENT_BURST);
	/* this limiter guards messages, not printk: stay quiet */
	ratelimit_set_flags(&en->event_rs, RATELIMIT_MSG_ON_RELEASE);
}

static size_t egressk_event_size(void)
{
	return nla_total_size(sizeof(u32)) +		/* NETNS_INODE */
	       nla_total_size_64bit(sizeof(u64)) +	/* NETNS_COOKIE */
	       nla_total_size(0) +			/* EVENT nest */
	       4 * nla_total_size(sizeof(u8)) +		/* verdict..proto */
	       nla_total_size(sizeof(struct in6_addr)) +	/* DADDR */
	       nla_total_size(sizeof(u16)) +		/* DPORT */
	       nla_total_size(sizeof(u32)) +		/* RULE_ID */
	       nla_total_size(sizeof(u32)) +		/* IFINDEX */
	       nla_total_size(sizeof(u16)) +		/* ETHERTYPE */
	       nla_total_size(EGRESSK_NAME_BUF);	/* NAME */
}

static int egressk_event_fill(struct sk_buff *skb, const struct net *net,
			      const struct egressk_event *ev)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &egressk_genl_family, 0,
			  EGRESSK_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (egressk_nl_put_ids(skb, net->ns.inum, net->net_cookie))
		goto nla_failure;
	nest = nla_nest_start(skb, EGRESSK_A_EVENT);
	if (!nest)
		goto nla_failure;
	if (nla_put_u8(skb, EGRESSK_EVENT_A_VERDICT, ev->verdict) ||
	    nla_put_u8(skb, EGRESSK_EVENT_A_REASON, ev->reason) ||
	    nla_put_u8(skb, EGRESSK_EVENT_A_FAMILY, ev->family) ||
	    nla_put_u8(skb, EGRESSK_EVENT_A_PROTO, ev->proto))
		goto nla_failure;
	if (ev->family == AF_INET) {
		if (nla_put_in_addr(skb, EGRESSK_EVENT_A_DADDR4, ev->daddr.a4))
			goto nla_failure;
	} else if (ev->family == AF_INET6) {
		if (nla_put_in6_addr(skb, EGRESSK_EVENT_A_DADDR6,
				     &ev->daddr.a6))
			goto nla_failure;
	}
	if (ev->has_port &&
	    nla_put_u16(skb, EGRESSK_EVENT_A_DPORT, ev->dport))
		goto nla_failure;
	if (ev->rule_id != CIDR_NONE &&
	    nla_put_u32(skb, EGRESSK_EVENT_A_RULE_ID, ev->rule_id))
		goto nla_failure;
	if (ev->ifindex &&
	    nla_put_u32(skb, EGRESSK_EVENT_A_IFINDEX, ev->ifindex))
		goto nla_failure;
	if (ev->ethertype &&
	    nla_put_u16(skb, EGRESSK_EVENT_A_ETHERTYPE, ev->ethertype))
		goto nla_failure;
	if (ev->name && nla_put_string(skb, EGRESSK_EVENT_A_NAME, ev->name))
		goto nla_failure;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

nla_failure:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

void egressk_event_emit(const struct net *net, const struct egressk_policy *p,
			struct egressk_net *en, const struct egressk_event *ev)
{
	struct sk_buff *skb;
	int err;

	if (!genl_has_listeners(&egressk_genl_family, &init_net, 0))
		return;
	if (!__ratelimit(&en->event_rs))
		goto lost;

	skb = genlmsg_new(egressk_event_size(), GFP_ATOMIC);
	if (!skb)
		goto lost;
	if (egressk_event_fill(skb, net, ev)) {
		nlmsg_free(skb);
		goto lost;
	}
	/* consumes skb; -ESRCH only means the last listener just left */
	err = genlmsg_multicast_netns(&egressk_genl_family, &init_net, skb, 0,
				      0, GFP_ATOMIC);
	if (err && err != -ESRCH)
		goto lost;
	return;

lost:
	egressk_count(p, events_lost);
}
