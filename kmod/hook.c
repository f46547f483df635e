// SPDX-License-Identifier: GPL-2.0
/*
 * The NF_INET_LOCAL_OUT and FORWARD hooks (IPv4 and IPv6).  They run after conntrack,
 * mangle rerouting and DNAT (priority LAST - 1), read the policy under the
 * RCU read lock that nf_hook holds, and allocate nothing except what a
 * reject or an event needs.  Packets CIDR rules decide take no locks; the
 * first payload of a domain-inspected flow takes its entry's lock and may
 * allocate that entry (flow.c).
 *
 * Order of checks (DESIGN.md section 2 and 3):
 *  1. no policy: accept
 *  2. user raw socket without "allow raw": refuse, loopback included
 *  3. leaves through loopback (skb_dst()->dev): accept, except DNS queries
 *     when the query-name filter is on (dns.c)
 *  4. IPv4 source route / IPv6 routing header with segments left: refuse
 *  5. a reply of a connection recorded as started on the uplink
 *     (inbound.c): accept; conntrack's direction alone proves nothing
 *  6. the kernel's IPv6 ND/MLD to link-local or multicast, IGMP to
 *     multicast: accept (never for user raw sockets, "allow raw" or not)
 *  7. parse the transport header; a TCP flow with a domain verdict is
 *     decided by its flow entry (flow.c)
 *  8. the CIDR rules; DNS ports (pinning, the query filter: dns.c); then
 *     domain rules for the ports they cover, with domain-binding dns a SYN
 *     only to an address learned from DNS
 *
 * The LOCAL_IN hooks that learn from DNS answers are in dns.c.
 */
#include "egressk.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/dst.h>
#include <net/ndisc.h>
#include <net/netfilter/nf_conntrack.h>
#include <asm/unaligned.h>

static void egressk_fill_event(struct egressk_event *ev,
			       const struct egressk_pkt *pkt, u8 verdict,
			       u8 reason, u32 rule_id, const char *name)
{
	memset(ev, 0, sizeof(*ev));
	ev->name = name;
	ev->verdict = verdict;
	ev->reason = reason;
	ev->family = pkt->family;
	ev->proto = pkt->l4proto;
	ev->has_port = pkt->has_port;
	ev->dport = pkt->dport;
	ev->rule_id = rule_id;
	ev->daddr = pkt->daddr;
}

/* Headers could not be read: fail closed, whatever the mode. */
static unsigned int egressk_malformed(const struct net *net,
				      const struct egressk_policy *p,
				      const struct egressk_pkt *pkt)
{
	struct egressk_event ev;

	egressk_count(p, malformed);
	egressk_fill_event(&ev, pkt, EGRESSK_VERDICT_REJECT,
			   EGRESSK_REASON_MALFORMED, CIDR_NONE, NULL);
	egressk_event_emit(net, p, egressk_pernet(net), &ev);
	return NF_DROP;
}

/*
 * The packet is not allowed: apply the mode and the default action.  @name
 * (the flow's SNI or Host, or NULL) goes into the event.
 */
unsigned int egressk_block(struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   const struct egressk_policy *p,
			   const struct egressk_pkt *pkt,
			   u8 reason, u32 rule_id, const char *name)
{
	struct egressk_net *en = egressk_pernet(state->net);
	struct egressk_event ev;
	bool fail_fast;

	if (p->mode == EGRESSK_MODE_AUDIT) {
		egressk_count(p, audited);
		egressk_fill_event(&ev, pkt, EGRESSK_VERDICT_AUDIT, reason,
				   rule_id, name);
		egressk_event_emit(state->net, p, en, &ev);
		return NF_ACCEPT;
	}

	/*
	 * The sender gets EPERM whatever the default: raw sockets, source
	 * routes, QUIC, whose clients must fail at once to fall back to TCP,
	 * and refused DNS, so that resolvers give up instead of retrying
	 * (with "default reject", QUIC and DNS also get the ICMP or RST below).
	 */
	fail_fast = reason == EGRESSK_REASON_RAW_SOCKET ||
		    reason == EGRESSK_REASON_SOURCE_ROUTE ||
		    (p->dflt == EGRESSK_DEFAULT_DROP &&
		     (reason == EGRESSK_REASON_QUIC ||
		      reason == EGRESSK_REASON_DNS_UNPINNED ||
		      reason == EGRESSK_REASON_DNS_NAME ||
		      reason == EGRESSK_REASON_DNS_MALFORMED));
	/* a forwarded packet has no local sender to hand EPERM to */
	if (fail_fast && state->hook == NF_INET_LOCAL_OUT) {
		if (reason == EGRESSK_REASON_RAW_SOCKET)
			egressk_count(p, raw_rejected);
		else
			egressk_count(p, rejected);
		egressk_fill_event(&ev, pkt, EGRESSK_VERDICT_REJECT, reason,
				   rule_id, name);
		egressk_event_emit(state->net, p, en, &ev);
		/* a connect() fails at once instead of retrying its SYN */
		if (pkt->l4proto == IPPROTO_TCP && pkt->has_port &&
		    pkt->tcp_syn)
			return NF_DROP_ERR(-ECONNREFUSED);
		return NF_DROP;
	}

	if (p->dflt == EGRESSK_DEFAULT_DROP) {
		/* silent: the sender sees success */
		egressk_count(p, dropped);
		egressk_fill_event(&ev, pkt, EGRESSK_VERDICT_DROP, reason,
				   rule_id, name);
		egressk_event_emit(state->net, p, en, &ev);
		kfree_skb(skb);
		return NF_STOLEN;
	}

	egressk_count(p, rejected);
	egressk_fill_event(&ev, pkt, EGRESSK_VERDICT_REJECT, reason, rule_id,
			   name);
	egressk_event_emit(state->net, p, en, &ev);

	if (pkt->l4proto == IPPROTO_TCP && pkt->has_port) {
		/*
		 * connect() fails at once (see tcp_connect); with data too.
		 * A forwarded SYN has no local socket: its sender gets a RST.
		 */
		if (pkt->tcp_syn && state->hook == NF_INET_LOCAL_OUT)
			return NF_DROP_ERR(-ECONNREFUSED);
		egressk_reject_tcp_reset(skb, state);
		return NF_DROP;
	}
	egressk_reject_unreach(skb, state);
	return NF_DROP;
}

static bool egressk_leaves_via_loopback(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);

	return dst && dst->dev && (dst->dev->flags & IFF_LOOPBACK);
}

/*
 * FORWARD: what arrives on the uplink and is forwarded to a nested
 * namespace is inbound traffic (its connections are recorded at
 * PRE_ROUTING), not egress; only what leaves the nested side is judged.
 */
static bool egressk_forwarded_in(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_FORWARD && egressk_dev_uplink(state->in);
}

/* A user raw socket; the kernel's own ICMP/TCP control sockets are exempt. */
static bool egressk_from_user_raw(const struct sk_buff *skb)
{
	const struct sock *sk = skb->sk;

	return sk && sk_fullsock(sk) && sk->sk_type == SOCK_RAW &&
	       !sk->sk_kern_sock;
}

/*
 * A reply of a connection egressk saw start from outside (inbound.c): it
 * passes.  Conntrack's direction alone proves nothing, since a forged
 * first packet over loopback makes the other direction a "reply"; so does
 * an ICMP error about such a packet (RELATED, with the same ct).  No ct,
 * an untracked or invalid packet, anything unrecorded: outbound.
 */
static bool egressk_inbound_reply(struct egressk_net *en,
				  const struct sk_buff *skb,
				  struct nf_conn **ctp)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	*ctp = ct;
	if (!ct || CTINFO2DIR(ctinfo) != IP_CT_DIR_REPLY)
		return false;
	return egressk_inbound_has(en, ct);
}

/* Read ports and SYN; false when the header is truncated. */
static bool egressk_parse_l4(const struct sk_buff *skb, unsigned int thoff,
			     struct egressk_pkt *pkt)
{
	if (pkt->l4proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(_th) / 4 ||
		    thoff + th->doff * 4 > skb->len)
			return false;
		pkt->sport = ntohs(th->source);
		pkt->dport = ntohs(th->dest);
		pkt->tcp_syn = th->syn && !th->ack;
		pkt->tcp_rst = th->rst;
		pkt->thoff = thoff;
		pkt->tcp_seq = ntohl(th->seq);
		pkt->payload_off = thoff + th->doff * 4;
		pkt->payload_len = skb->len - pkt->payload_off;
		pkt->has_port = true;
	} else if (pkt->l4proto == IPPROTO_UDP ||
		   pkt->l4proto == IPPROTO_UDPLITE) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		pkt->sport = ntohs(uh->source);
		pkt->dport = ntohs(uh->dest);
		pkt->thoff = thoff;
		pkt->has_port = pkt->l4proto == IPPROTO_UDP;
	}
	return true;
}

enum cidr_proto egressk_pkt_class(const struct egressk_pkt *pkt)
{
	switch (pkt->l4proto) {
	case IPPROTO_TCP:
		return CIDR_PROTO_TCP;
	case IPPROTO_UDP:
		return CIDR_PROTO_UDP;
	case IPPROTO_ICMP:
		return pkt->family == AF_INET ? CIDR_PROTO_ICMP : CIDR_PROTO_OTHER;
	case IPPROTO_ICMPV6:
		return pkt->family == AF_INET6 ? CIDR_PROTO_ICMP : CIDR_PROTO_OTHER;
	default:
		return CIDR_PROTO_OTHER;
	}
}

/*
 * Steps 7 and 8, shared by both families.  A deny rule beats everything; a
 * CIDR allow comes next; then domain rules, for TCP on a port they cover
 * (the first payload decides, flow.c) and for UDP on such a port (QUIC:
 * refused at once, so HTTP/3 clients fall back to TCP).
 */
static unsigned int egressk_decide(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   const struct egressk_policy *p,
				   const struct egressk_pkt *pkt,
				   struct nf_conn *ct)
{
	struct egressk_net *en = egressk_pernet(state->net);
	struct cidr_result res;
	unsigned int verdict;
	bool found;

	/*
	 * A bare RST no socket sent: netfilter's own reject, egressk's answer
	 * to a refused forwarded SYN among them (to the nested namespace, not
	 * over loopback).  It only ends a connection, and the host-side guard
	 * still judges where it goes.
	 */
	if (pkt->l4proto == IPPROTO_TCP && pkt->has_port && pkt->tcp_rst &&
	    !pkt->payload_len && !skb->sk)
		return NF_ACCEPT;

	/* a flow with a domain verdict: one lookup, and no rule lookup */
	if (pkt->l4proto == IPPROTO_TCP && pkt->has_port && !pkt->tcp_syn &&
	    egressk_flow_tracked(en)) {
		verdict = egressk_flow_verdict(skb, state, p, pkt, ct, &found);
		if (found)
			return verdict;
	}

	res = egressk_policy_lookup(p, pkt->family, &pkt->key,
				    egressk_pkt_class(pkt), pkt->has_port,
				    pkt->dport);

	/* hits count flows: the first packet of a flow is unconfirmed */
	if (res.rule_id != CIDR_NONE && (!ct || !nf_ct_is_confirmed(ct)))
		atomic64_inc(&p->hits[res.rule_id]);

	if (egressk_dns_port(pkt))
		return egressk_dns_out(skb, state, p, pkt, &res);

	if (res.verdict == CIDR_ALLOW) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}
	if (res.verdict != CIDR_DENY && pkt->has_port &&
	    domain_table_covers_port(&p->domains, pkt->dport)) {
		/*
		 * domain-binding dns: a connection only to an address a
		 * pinned resolver returned for a name some rule on this port
		 * covers; its first payload then decides (flow.c)
		 */
		if (pkt->l4proto == IPPROTO_TCP && pkt->tcp_syn &&
		    p->binding == EGRESSK_BINDING_DNS &&
		    egressk_learn_rule(en, p, pkt->family, &pkt->daddr,
				       pkt->dport, DOMAIN_NONE) == DOMAIN_NONE) {
			egressk_count(p, flows_not_learned);
			return egressk_block(skb, state, p, pkt,
					     EGRESSK_REASON_NOT_LEARNED,
					     CIDR_NONE, NULL);
		}
		if (pkt->l4proto == IPPROTO_TCP)
			return egressk_flow_inspect(skb, state, p, pkt, ct);
		if (pkt->l4proto == IPPROTO_UDP)
			return egressk_block(skb, state, p, pkt,
					     EGRESSK_REASON_QUIC, CIDR_NONE,
					     NULL);
	}
	return egressk_block(skb, state, p, pkt,
			     res.verdict == CIDR_DENY ?
			     EGRESSK_REASON_DENY_RULE : EGRESSK_REASON_DEFAULT,
			     res.rule_id, NULL);
}

/*
 * Loopback stays inside the namespace and passes, except a DNS query to a
 * resolver listening there (Docker's 127.0.0.11): it forwards the query
 * upstream from this same namespace, so its name is filtered here.
 */
static unsigned int egressk_loopback_out(struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 const struct egressk_policy *p,
					 struct egressk_pkt *pkt,
					 unsigned int thoff)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	if ((pkt->l4proto != IPPROTO_UDP && pkt->l4proto != IPPROTO_TCP) ||
	    !egressk_parse_l4(skb, thoff, pkt) || pkt->dport != 53)
		return NF_ACCEPT;
	/* a resolver in the namespace answering a client on port 53 */
	ct = nf_ct_get(skb, &ctinfo);
	if (ct && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return NF_ACCEPT;
	return egressk_dns_loopback_out(skb, state, p, pkt);
}

/* 1 when an LSRR/SSRR option is present, 0 if not, -1 when malformed. */
int egressk_ipv4_source_routed(const struct sk_buff *skb,
			       const struct iphdr *iph)
{
	unsigned int len = iph->ihl * 4 - sizeof(*iph), i = 0;
	u8 _opt[MAX_IPOPTLEN];
	const u8 *opt;

	if (!len)
		return 0;
	opt = skb_header_pointer(skb, skb_network_offset(skb) + sizeof(*iph),
				 len, _opt);
	if (!opt)
		return -1;
	while (i < len) {
		u8 type = opt[i], olen;

		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		if (type == IPOPT_LSRR || type == IPOPT_SSRR)
			return 1;
		i += olen;
	}
	return 0;
}

static unsigned int egressk_hook_v4(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct egressk_net *en = egressk_pernet(state->net);
	const struct egressk_policy *p;
	struct egressk_pkt pkt = { .family = AF_INET };
	const struct iphdr *iph;
	struct nf_conn *ct;
	int srr;

	p = rcu_dereference(en->policy);
	if (!p || egressk_forwarded_in(state))
		return NF_ACCEPT;

	iph = ip_hdr(skb);
	pkt.l4proto = iph->protocol;
	pkt.daddr.a4 = iph->daddr;
	pkt.key.hi = 0;
	pkt.key.lo = be32_to_cpu(iph->daddr);

	/* before the loopback exemption: a raw socket forges anything there */
	if (egressk_from_user_raw(skb) &&
	    !(p->flags & EGRESSK_POLICY_F_ALLOW_RAW))
		return egressk_block(skb, state, p, &pkt,
				     EGRESSK_REASON_RAW_SOCKET, CIDR_NONE, NULL);

	if (egressk_leaves_via_loopback(skb)) {
		if (p->dns_filter == EGRESSK_DNS_FILTER_OFF || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return NF_ACCEPT;
		return egressk_loopback_out(skb, state, p, &pkt,
					    skb_network_offset(skb) +
					    iph->ihl * 4);
	}

	if (iph->ihl < 5)
		return egressk_malformed(state->net, p, &pkt);
	srr = egressk_ipv4_source_routed(skb, iph);
	if (srr < 0)
		return egressk_malformed(state->net, p, &pkt);
	if (srr) {
		/* ports and SYN for the event and a fast failure, if readable */
		if (!(iph->frag_off & htons(IP_OFFSET)))
			egressk_parse_l4(skb, skb_network_offset(skb) +
					 iph->ihl * 4, &pkt);
		return egressk_block(skb, state, p, &pkt,
				     EGRESSK_REASON_SOURCE_ROUTE, CIDR_NONE, NULL);
	}

	if (egressk_inbound_reply(en, skb, &ct)) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}

	/* IGMP reports from the kernel, to multicast groups only */
	if (pkt.l4proto == IPPROTO_IGMP && !egressk_from_user_raw(skb) &&
	    ipv4_is_multicast(iph->daddr))
		return NF_ACCEPT;

	/* a later fragment has no transport header: only port-less rules */
	if (!(iph->frag_off & htons(IP_OFFSET)) &&
	    !egressk_parse_l4(skb, skb_network_offset(skb) + iph->ihl * 4, &pkt))
		return egressk_malformed(state->net, p, &pkt);

	return egressk_decide(skb, state, p, &pkt, ct);
}

/*
 * ND (133-137) and MLD (130-132, 143) to link-local or multicast
 * destinations.  Also ND with hop limit 255 to any destination: a neighbour
 * advertisement answering a solicitation from a global address goes to that
 * unicast address, and without it inbound IPv6 from on-link peers fails.
 * Hop limit 255 means "never routed" (RFC 4861), and only the kernel's own
 * packets get here: the caller passes no user raw socket's, "allow raw" or
 * not.
 */
static bool egressk_ipv6_always_pass(const struct sk_buff *skb,
				     unsigned int thoff,
				     const struct ipv6hdr *ip6h)
{
	bool on_link = ipv6_addr_type(&ip6h->daddr) &
		       (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_MULTICAST);
	u8 _type;
	const u8 *type;

	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type)
		return false;
	if (*type >= NDISC_ROUTER_SOLICITATION && *type <= NDISC_REDIRECT)
		return on_link || ip6h->hop_limit == 255;
	return on_link && ((*type >= ICMPV6_MGM_QUERY &&
			    *type <= ICMPV6_MGM_REDUCTION) ||
			   *type == ICMPV6_MLD2_REPORT);
}

static unsigned int egressk_hook_v6(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct egressk_net *en = egressk_pernet(state->net);
	const struct egressk_policy *p;
	struct egressk_pkt pkt = { .family = AF_INET6 };
	const struct ipv6hdr *ip6h;
	unsigned int thoff = 0;
	unsigned short fragoff;
	int flags = IP6_FH_F_SKIP_RH;
	struct nf_conn *ct;
	int nexthdr, srh;

	p = rcu_dereference(en->policy);
	if (!p || egressk_forwarded_in(state))
		return NF_ACCEPT;

	ip6h = ipv6_hdr(skb);
	pkt.l4proto = ip6h->nexthdr;
	pkt.daddr.a6 = ip6h->daddr;
	pkt.key.hi = get_unaligned_be64(&ip6h->daddr.s6_addr[0]);
	pkt.key.lo = get_unaligned_be64(&ip6h->daddr.s6_addr[8]);

	/* before the loopback exemption: a raw socket forges anything there */
	if (egressk_from_user_raw(skb) &&
	    !(p->flags & EGRESSK_POLICY_F_ALLOW_RAW))
		return egressk_block(skb, state, p, &pkt,
				     EGRESSK_REASON_RAW_SOCKET, CIDR_NONE, NULL);

	if (egressk_leaves_via_loopback(skb)) {
		if (p->dns_filter == EGRESSK_DNS_FILTER_OFF)
			return NF_ACCEPT;
		nexthdr = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
		if (nexthdr < 0 || fragoff)
			return NF_ACCEPT;
		pkt.l4proto = nexthdr;
		return egressk_loopback_out(skb, state, p, &pkt, thoff);
	}

	/* the first routing header that still has segments to visit */
	srh = ipv6_find_hdr(skb, &thoff, NEXTHDR_ROUTING, NULL, &flags);
	if (srh != NEXTHDR_ROUTING && srh != -ENOENT)
		return egressk_malformed(state->net, p, &pkt);

	thoff = 0;
	nexthdr = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
	if (nexthdr < 0)
		return egressk_malformed(state->net, p, &pkt);
	pkt.l4proto = nexthdr;

	if (srh == NEXTHDR_ROUTING) {
		/* ports and SYN for the event and a fast failure */
		if (!fragoff)
			egressk_parse_l4(skb, thoff, &pkt);
		return egressk_block(skb, state, p, &pkt,
				     EGRESSK_REASON_SOURCE_ROUTE, CIDR_NONE, NULL);
	}

	if (egressk_inbound_reply(en, skb, &ct)) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}

	/* "allow raw" lifts no destination check: the kernel's own ND/MLD */
	if (nexthdr == IPPROTO_ICMPV6 && !fragoff && !egressk_from_user_raw(skb) &&
	    egressk_ipv6_always_pass(skb, thoff, ip6h))
		return NF_ACCEPT;

	if (!fragoff && !egressk_parse_l4(skb, thoff, &pkt))
		return egressk_malformed(state->net, p, &pkt);

	return egressk_decide(skb, state, p, &pkt, ct);
}

/*
 * LOCAL_OUT and FORWARD share the hooks: a nested namespace forwarding
 * through this one is policed like the namespace's own sockets.  (A
 * forwarded flow has no socket to hold segments for, so domain rules refuse
 * it: flow.c.)  PRE_ROUTING runs right after conntrack, to record the
 * connections that start on the uplink before anything else may drop or
 * rewrite their first packet.
 */
const struct nf_hook_ops egressk_nf_ops[8] = {
	{
		.hook = egressk_hook_v4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = egressk_hook_v6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_LAST - 1,
	},
	{
		.hook = egressk_hook_v4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = egressk_hook_v6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_LAST - 1,
	},
	{
		.hook = egressk_inbound_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook = egressk_inbound_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK + 1,
	},
	/* learning from DNS answers, after every filter that may drop them */
	{
		.hook = egressk_dns_in_v4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = egressk_dns_in_v6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_LAST - 1,
	},
};
