// SPDX-License-Identifier: GPL-2.0
/*
 * The host-side guard (DESIGN.md section 2, "The guard").
 *
 * LOCAL_OUT runs inside the policed namespace, and a container holding
 * CAP_NET_ADMIN there can reconfigure it: nft or tc rewrite packets after
 * the hook, an SRv6 or tunnel route sends an outer packet that never passes
 * LOCAL_OUT, a bridge forwards frames written into a tap, a nested
 * namespace forwards through a macvlan.  AF_XDP sockets (CAP_NET_RAW only)
 * transmit past every netfilter hook of the namespace.  All of it leaves
 * through the namespace's uplink (egressk_dev_uplink: the container's end
 * of a veth pair or netkit) and arrives on its peer, in a namespace the
 * container cannot reach.  An NF_NETDEV_INGRESS hook on that peer judges
 * every frame again:
 *
 *  - the IP source must be an address configured in the policed namespace
 *    now, link-local included (else reason GUARD_SOURCE);
 *  - the destination must be one LOCAL_OUT allows (else GUARD_DEST): a CIDR
 *    allow with its ports (a deny wins); DNS (53, 853) only where the
 *    resolver pinning lets it go; a TCP port of a domain rule to an
 *    address learned for such a rule, or on a connection whose domain
 *    verdict is "allow" (flow.c), or to any address with domain-binding
 *    none (LOCAL_OUT's SNI/Host check is the enforcement there); or a reply
 *    of a connection recorded as inbound (inbound.c).  At this hook the
 *    frame has no conntrack entry (veth scrubs it), so the guard looks its
 *    tuple up in the policed namespace's table: a REPLY-direction match of
 *    a recorded connection passes, and so does an ICMP error whose quoted
 *    packet is the ORIGINAL direction of one, sent back to that packet's
 *    source.  What the table does not know is judged as outbound;
 *  - the kernel's link-level traffic passes: ARP, IPv6 ND and MLD to
 *    link-local or multicast destinations (from the unspecified address
 *    too: DAD, early MLD), ND with hop limit 255 to the host side's own
 *    addresses (a neighbour advertisement answering the gateway), IGMP to
 *    multicast;
 *  - other ethertypes, and VLAN-tagged frames, only with "allow raw".  The
 *    core takes one VLAN tag off before this hook (skb_vlan_untag() in
 *    __netif_receive_skb_core(), 6.1 to 7.x), so a tagged IP packet is
 *    still judged as IP here; ethertypes that carry IP packets a host-side
 *    stack may route (a second VLAN tag, PPPoE session, MPLS) never pass.
 *
 * The guard reads headers only (skb_header_pointer), allocates nothing and
 * takes no lock: the policy, the learned addresses and the tables it
 * consults are read under the RCU read lock nf_hook holds.  Frames it lets
 * through are not counted (LOCAL_OUT counted them); drops count
 * guard_dropped, and in audit mode what it would drop counts audited and
 * passes.  It never rejects: there is no socket on this side to tell.
 *
 * Guards follow the pair, not the uplink's namespace.  One struct
 * egressk_guard per peer, on two lists: the policed namespace's
 * (egressk_net.guards, for detach and the count) and the peer namespace's
 * (egressk_net.hosted, to find it when the peer goes).  Writers hold rtnl
 * and egressk_config_mutex, in that order: attach and detach (pernet.c) and
 * the netdevice notifier (netdev.c calls egressk_guard_event()):
 *
 *  - attach guards the peer of every uplink; NETDEV_REGISTER and
 *    NETDEV_PRE_UP of either end guard a pair that becomes an uplink of a
 *    policed namespace (a veth pair is tied only after both ends register,
 *    so PRE_UP is where a new pair is first seen; a device that cannot get
 *    its guard may not come up, which fails closed: a veth whose peer or
 *    itself is down carries nothing);
 *  - NETDEV_UNREGISTER of the peer (destroyed, or moved: moving calls
 *    UNREGISTER in the old namespace first) removes the guard;
 *  - the uplink leaving the namespace does not: the guard keeps judging by
 *    the namespace it was made for, so a container that moves its uplink
 *    into a namespace of its own (CAP_NET_ADMIN there and over its own)
 *    still fails the source check.  An uplink entering another policed
 *    namespace hands the guard over to that one.
 * No device reference is held: a peer on the lists cannot be freed before
 * its NETDEV_UNREGISTER, which takes the guard off first.  Deleting a veth
 * deletes both ends, so a guard never outlives its uplink by more than one
 * unregister batch; it keeps only the uplink's ifindex, for events.
 */
#include "egressk.h"

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

/* Before any other ingress hook of the host side can forward the frame. */
#define EGRESSK_GUARD_PRIORITY		INT_MIN
/* Extension headers walked before a frame is refused as unreadable. */
#define EGRESSK_GUARD_MAX_EXTHDRS	16
/* The ICMP or ICMPv6 header before the quoted packet of an error. */
#define EGRESSK_GUARD_ICMP_HLEN		8
#define EGRESSK_GUARD_DNS_PORT		53

struct egressk_guard {
	struct list_head list;		/* the policed namespace's guards */
	struct list_head hosted;	/* the peer's namespace's hosted */
	struct rcu_head rcu;
	struct net *net;		/* the policed namespace */
	int ifindex;			/* the uplink, in @net (events) */
	struct nf_hook_ops ops;		/* ops.dev: the peer; ops.priv: this */
};

/* ------------------------------------------------------------- sources */

/* @addr is configured in @net now (RCU reader). */
static bool egressk_guard_local4(struct net *net, __be32 addr)
{
	return __ip_dev_find(net, addr, false);
}

/* Link-local included, tentative included (banned flags 0). */
static bool egressk_guard_local6(struct net *net, const struct in6_addr *addr)
{
	return ipv6_chk_addr_and_flags(net, addr, NULL, true, 0, 0);
}

/* --------------------------------------------------------- destinations */

/* Ports of a TCP or UDP header at @thoff; false when it is unreadable. */
static bool egressk_guard_ports(const struct sk_buff *skb, unsigned int thoff,
				struct egressk_pkt *pkt)
{
	__be16 _ports[2];
	const __be16 *ports;

	if (pkt->l4proto != IPPROTO_TCP && pkt->l4proto != IPPROTO_UDP)
		return true;
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return false;
	pkt->sport = ntohs(ports[0]);
	pkt->dport = ntohs(ports[1]);
	pkt->has_port = true;
	return true;
}

/* DNS (53, 853): where LOCAL_OUT's resolver pinning lets it go (dns.c). */
static bool egressk_guard_dns_ok(const struct egressk_policy *p,
				 const struct cidr_result *res, u16 dport)
{
	const struct egressk_rule *r;

	if (res->verdict != CIDR_ALLOW)
		return false;
	if (!p->nr_resolvers)
		return true;
	if (res->rule_id == CIDR_NONE)
		return false;
	r = &p->rules[res->rule_id];
	if (dport == EGRESSK_GUARD_DNS_PORT)
		return r->kind == EGRESSK_RULE_KIND_DNS;
	return r->kind == EGRESSK_RULE_KIND_CIDR && r->nr_ranges;
}

/* An ICMP or ICMPv6 error (it quotes the packet it is about). */
static bool egressk_guard_icmp_error(const struct sk_buff *skb,
				     const struct egressk_pkt *pkt,
				     unsigned int thoff)
{
	u8 _type;
	const u8 *type;

	if (pkt->l4proto != (pkt->family == AF_INET ? IPPROTO_ICMP :
			     IPPROTO_ICMPV6))
		return false;
	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type)
		return false;
	if (pkt->family == AF_INET)
		return icmp_is_err(*type);
	return !(*type & ICMPV6_INFOMSG_MASK);
}

static bool egressk_guard_addr_eq(const struct egressk_pkt *pkt,
				  const union nf_inet_addr *a)
{
	if (pkt->family == AF_INET)
		return pkt->daddr.a4 == a->ip;
	return ipv6_addr_equal(&pkt->daddr.a6, &a->in6);
}

/*
 * What the policed namespace's conntrack knows of the frame: a reply (or
 * an ICMP error about a packet) of a connection recorded as inbound, or,
 * with @domain, a packet of a connection whose domain verdict is "allow"
 * under the policy in force.  A flow is trusted only without DNAT: then
 * its original tuple is the destination LOCAL_OUT judged, and a frame
 * carrying that tuple goes there.  RCU reader.
 */
static bool egressk_guard_conntrack(const struct egressk_guard *g,
				    struct egressk_net *en,
				    const struct egressk_policy *p,
				    const struct sk_buff *skb,
				    const struct egressk_pkt *pkt,
				    unsigned int thoff, bool later, bool domain)
{
	u16 l3num = pkt->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	const struct nf_conntrack_tuple_hash *h;
	unsigned int off = skb_network_offset(skb);
	struct nf_conntrack_tuple tuple;
	bool inbound, flows, err, ok;
	struct nf_conn *ct;

	inbound = atomic_read(&en->nr_inbound);
	flows = domain && egressk_flow_tracked(en);
	if ((!inbound && !flows) || later)
		return false;
	err = egressk_guard_icmp_error(skb, pkt, thoff);
	if (err) {
		if (!inbound)
			return false;
		off = thoff + EGRESSK_GUARD_ICMP_HLEN;
	}
	if (!nf_ct_get_tuplepr(skb, off, l3num, g->net, &tuple))
		return false;
	/* an error goes back to the source of the packet it quotes */
	if (err && !egressk_guard_addr_eq(pkt, &tuple.src.u3))
		return false;
	h = nf_conntrack_find_get(g->net, &nf_ct_zone_dflt, &tuple);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	if (err)
		ok = NF_CT_DIRECTION(h) == IP_CT_DIR_ORIGINAL &&
		     egressk_inbound_has(en, ct);
	else if (NF_CT_DIRECTION(h) == IP_CT_DIR_REPLY)
		ok = egressk_inbound_has(en, ct);
	else
		ok = flows && !(READ_ONCE(ct->status) & IPS_DST_NAT) &&
		     egressk_flow_allowed(en, ct, p->version);
	nf_ct_put(ct);
	return ok;
}

/*
 * The destination check, both families: 0 when LOCAL_OUT would let the
 * frame go where it goes.  @later: an IP fragment after the first (no
 * transport header), judged by the rules without ports, as LOCAL_OUT
 * judges one.
 */
static u8 egressk_guard_dest(const struct egressk_guard *g,
			     struct egressk_net *en,
			     const struct egressk_policy *p,
			     const struct sk_buff *skb,
			     const struct egressk_pkt *pkt, unsigned int thoff,
			     bool later)
{
	struct cidr_result res;
	bool domain;

	res = egressk_policy_lookup(p, pkt->family, &pkt->key,
				    egressk_pkt_class(pkt), pkt->has_port,
				    pkt->dport);
	if (egressk_dns_port(pkt)) {
		if (egressk_guard_dns_ok(p, &res, pkt->dport))
			return 0;
	} else if (res.verdict == CIDR_ALLOW) {
		return 0;
	}
	domain = res.verdict != CIDR_DENY && pkt->l4proto == IPPROTO_TCP &&
		 pkt->has_port &&
		 domain_table_covers_port(&p->domains, pkt->dport);
	if (domain && p->binding == EGRESSK_BINDING_NONE)
		return 0;
	if (egressk_guard_conntrack(g, en, p, skb, pkt, thoff, later, domain))
		return 0;
	if (domain && egressk_learn_rule(en, p, pkt->family, &pkt->daddr,
					 pkt->dport, DOMAIN_NONE) != DOMAIN_NONE)
		return 0;
	return EGRESSK_REASON_GUARD_DEST;
}

/* ---------------------------------------------------------------- IPv4 */

static u8 egressk_guard_v4(const struct egressk_guard *g,
			   struct egressk_net *en,
			   const struct egressk_policy *p,
			   const struct sk_buff *skb, struct egressk_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb), thoff;
	struct iphdr _iph;
	const struct iphdr *iph;
	bool later;

	pkt->family = AF_INET;
	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5) {
		pkt->family = 0;
		return EGRESSK_REASON_GUARD_DEST;
	}
	pkt->l4proto = iph->protocol;
	pkt->daddr.a4 = iph->daddr;
	pkt->key.hi = 0;
	pkt->key.lo = be32_to_cpu(iph->daddr);

	/* the kernel's IGMP reports, also before an address is configured */
	if (iph->protocol == IPPROTO_IGMP && ipv4_is_multicast(iph->daddr) &&
	    (!iph->saddr || egressk_guard_local4(g->net, iph->saddr)))
		return 0;
	thoff = nhoff + iph->ihl * 4;
	later = iph->frag_off & htons(IP_OFFSET);
	if (!later && !egressk_guard_ports(skb, thoff, pkt))
		return EGRESSK_REASON_GUARD_DEST;
	if (!egressk_guard_local4(g->net, iph->saddr))
		return EGRESSK_REASON_GUARD_SOURCE;
	/* a source route hides the real destination (hook.c refuses it) */
	if (egressk_ipv4_source_routed(skb, iph))
		return EGRESSK_REASON_GUARD_DEST;
	return egressk_guard_dest(g, en, p, skb, pkt, thoff, later);
}

/* ---------------------------------------------------------------- IPv6 */

/*
 * Walk the extension headers after the fixed header: the transport
 * protocol (or -1 when a header is unreadable or there are too many), its
 * offset in *@thoff, whether this is a fragment after the first, and
 * whether a routing header still has segments to visit (the real
 * destination is then one of them, not the address in the header).
 */
static int egressk_guard_v6_walk(const struct sk_buff *skb, unsigned int nhoff,
				 u8 nexthdr, unsigned int *thoff, bool *later,
				 bool *routed)
{
	unsigned int off = nhoff + sizeof(struct ipv6hdr);
	int i;

	for (i = 0; i < EGRESSK_GUARD_MAX_EXTHDRS; i++) {
		struct ipv6_opt_hdr _h;
		const struct ipv6_opt_hdr *h;

		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
			h = skb_header_pointer(skb, off, sizeof(_h), &_h);
			if (!h)
				return -1;
			if (nexthdr == NEXTHDR_ROUTING) {
				struct ipv6_rt_hdr _rt;
				const struct ipv6_rt_hdr *rt;

				rt = skb_header_pointer(skb, off, sizeof(_rt),
							&_rt);
				if (!rt)
					return -1;
				if (rt->segments_left)
					*routed = true;
			}
			off += nexthdr == NEXTHDR_AUTH ? ipv6_authlen(h) :
							 ipv6_optlen(h);
			nexthdr = h->nexthdr;
			break;
		case NEXTHDR_FRAGMENT: {
			struct frag_hdr _fh;
			const struct frag_hdr *fh;

			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return -1;
			off += sizeof(*fh);
			if (fh->frag_off & htons(IP6_OFFSET)) {
				*later = true;
				*thoff = off;
				return fh->nexthdr;
			}
			nexthdr = fh->nexthdr;
			break;
		}
		default:
			*thoff = off;
			return nexthdr;
		}
	}
	return -1;
}

/*
 * ND and MLD that always pass (hook.c lets the kernel's own go): to
 * link-local or multicast destinations; and ND with hop limit 255 to an
 * address of the host side itself (a neighbour advertisement answering a
 * solicitation from the gateway's global address).  Not ND to any unicast
 * address, as at LOCAL_OUT: here anyone may have built the frame, and a
 * router forwards ICMPv6 of any type.
 */
static bool egressk_guard_nd(struct net *host, const struct sk_buff *skb,
			     unsigned int thoff, const struct ipv6hdr *ip6h)
{
	bool on_link = ipv6_addr_type(&ip6h->daddr) &
		       (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_MULTICAST);
	u8 _type;
	const u8 *type;

	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type)
		return false;
	if (*type >= NDISC_ROUTER_SOLICITATION && *type <= NDISC_REDIRECT)
		return on_link || (ip6h->hop_limit == 255 &&
				   egressk_guard_local6(host, &ip6h->daddr));
	return on_link && ((*type >= ICMPV6_MGM_QUERY &&
			    *type <= ICMPV6_MGM_REDUCTION) ||
			   *type == ICMPV6_MLD2_REPORT);
}

static u8 egressk_guard_v6(const struct egressk_guard *g,
			   struct egressk_net *en,
			   const struct egressk_policy *p,
			   const struct sk_buff *skb, struct net *host,
			   struct egressk_pkt *pkt)
{
	unsigned int nhoff = skb_network_offset(skb), thoff = 0;
	bool later = false, routed = false;
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	int nexthdr;

	pkt->family = AF_INET6;
	ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6) {
		pkt->family = 0;
		return EGRESSK_REASON_GUARD_DEST;
	}
	pkt->l4proto = ip6h->nexthdr;
	pkt->daddr.a6 = ip6h->daddr;
	pkt->key.hi = (u64)ntohl(ip6h->daddr.s6_addr32[0]) << 32 |
		      ntohl(ip6h->daddr.s6_addr32[1]);
	pkt->key.lo = (u64)ntohl(ip6h->daddr.s6_addr32[2]) << 32 |
		      ntohl(ip6h->daddr.s6_addr32[3]);

	nexthdr = egressk_guard_v6_walk(skb, nhoff, ip6h->nexthdr, &thoff,
					&later, &routed);
	if (nexthdr < 0)
		return EGRESSK_REASON_GUARD_DEST;
	pkt->l4proto = nexthdr;

	if (nexthdr == IPPROTO_ICMPV6 && !later && !routed &&
	    egressk_guard_nd(host, skb, thoff, ip6h) &&
	    (ipv6_addr_any(&ip6h->saddr) ||
	     egressk_guard_local6(g->net, &ip6h->saddr)))
		return 0;
	if (!later && !egressk_guard_ports(skb, thoff, pkt))
		return EGRESSK_REASON_GUARD_DEST;
	if (!egressk_guard_local6(g->net, &ip6h->saddr))
		return EGRESSK_REASON_GUARD_SOURCE;
	if (routed)
		return EGRESSK_REASON_GUARD_DEST;
	return egressk_guard_dest(g, en, p, skb, pkt, thoff, later);
}

/* ---------------------------------------------------------------- hook */

/* 0 when the frame may leave, else the reason to drop it. */
static u8 egressk_guard_judge(const struct egressk_guard *g,
			      struct egressk_net *en,
			      const struct egressk_policy *p,
			      const struct sk_buff *skb, struct net *host,
			      struct egressk_pkt *pkt)
{
	bool raw = p->flags & EGRESSK_POLICY_F_ALLOW_RAW;
	u8 reason;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		reason = egressk_guard_v4(g, en, p, skb, pkt);
		break;
	case htons(ETH_P_IPV6):
		reason = egressk_guard_v6(g, en, p, skb, host, pkt);
		break;
	case htons(ETH_P_ARP):
		reason = 0;
		break;
	case htons(ETH_P_8021Q):
	case htons(ETH_P_8021AD):
	case htons(ETH_P_QINQ1):
	case htons(ETH_P_QINQ2):
	case htons(ETH_P_QINQ3):
	case htons(ETH_P_PPP_SES):
	case htons(ETH_P_MPLS_UC):
	case htons(ETH_P_MPLS_MC):
		return EGRESSK_REASON_GUARD_DEST;
	default:
		return raw ? 0 : EGRESSK_REASON_GUARD_DEST;
	}
	/* judged as IP first, so that the event says what the tag carried */
	if (!reason && skb_vlan_tag_present(skb) && !raw)
		reason = EGRESSK_REASON_GUARD_DEST;
	return reason;
}

static unsigned int egressk_guard_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct egressk_guard *g = priv;
	struct egressk_net *en = egressk_pernet(g->net);
	const struct egressk_policy *p;
	struct egressk_pkt pkt;
	struct egressk_event ev;
	u8 reason;

	p = rcu_dereference(en->policy);
	if (!p)
		return NF_ACCEPT;	/* detaching: the guard goes next */

	memset(&pkt, 0, sizeof(pkt));
	reason = egressk_guard_judge(g, en, p, skb, state->net, &pkt);
	if (likely(!reason))
		return NF_ACCEPT;

	memset(&ev, 0, sizeof(ev));
	ev.reason = reason;
	ev.family = pkt.family;
	ev.proto = pkt.family ? pkt.l4proto : 0;
	ev.has_port = pkt.has_port;
	ev.dport = pkt.dport;
	ev.rule_id = CIDR_NONE;
	ev.daddr = pkt.daddr;
	ev.ifindex = g->ifindex;
	if (!pkt.family)
		ev.ethertype = ntohs(skb->protocol);

	if (p->mode == EGRESSK_MODE_AUDIT) {
		egressk_count(p, audited);
		ev.verdict = EGRESSK_VERDICT_AUDIT;
		egressk_event_emit(g->net, p, en, &ev);
		return NF_ACCEPT;
	}
	egressk_count(p, guard_dropped);
	ev.verdict = EGRESSK_VERDICT_DROP;
	egressk_event_emit(g->net, p, en, &ev);
	return NF_DROP;
}

/* ------------------------------------------------------------- writers */

/*
 * The guard's blind spot: an ifb device marks what it re-injects "skip tc
 * classification" (ifb_ri_tasklet() sets skb->tc_skip_classify), the mark
 * survives the veth crossing (skb_scrub_packet() leaves it), and the peer's
 * receive path then skips its ingress hooks, this one included
 * (__netif_receive_skb_core(), 6.1 to 7.x; ifb is the only setter).  A
 * container could redirect its egress through one and past the guard, so
 * a policed namespace may not have an ifb device up.
 */
static bool egressk_guard_blind_spot(const struct net_device *dev)
{
	return dev->rtnl_link_ops && dev->rtnl_link_ops->kind &&
	       !strcmp(dev->rtnl_link_ops->kind, "ifb");
}

/*
 * The other end of @dev's pair when it lives in another namespace, else
 * NULL.  Caller holds rtnl, which keeps the peer from being unregistered,
 * let alone freed.
 */
static struct net_device *egressk_guard_far_end(struct net_device *dev)
{
	struct net_device *peer = NULL;

	ASSERT_RTNL();
	if (!dev->netdev_ops->ndo_get_peer_dev)
		return NULL;
	rcu_read_lock();
	peer = dev->netdev_ops->ndo_get_peer_dev(dev);
	if (peer && net_eq(dev_net(peer), dev_net(dev)))
		peer = NULL;
	rcu_read_unlock();
	return peer;
}

/* The peer of @dev when @dev is an uplink of its namespace, else NULL. */
static struct net_device *egressk_guard_peer(struct net_device *dev)
{
	bool uplink;

	ASSERT_RTNL();
	rcu_read_lock();
	uplink = egressk_dev_uplink(dev);
	rcu_read_unlock();
	return uplink ? egressk_guard_far_end(dev) : NULL;
}

/* The guard on @peer, from its namespace's state @hen. */
static struct egressk_guard *egressk_guard_find(struct egressk_net *hen,
						const struct net_device *peer)
{
	struct egressk_guard *g;

	list_for_each_entry(g, &hen->hosted, hosted)
		if (g->ops.dev == peer)
			return g;
	return NULL;
}

static void egressk_guard_del(struct egressk_guard *g)
{
	struct net_device *peer = g->ops.dev;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	/* the peer is still in the namespace it was hooked in */
	nf_unregister_net_hook(dev_net(peer), &g->ops);
	list_del(&g->list);
	egressk_pernet(g->net)->nr_guards--;
	list_del(&g->hosted);
	/* frames in flight may still run the hook with this as priv */
	kfree_rcu(g, rcu);
}

/*
 * Guard @peer, the peer of @uplink, an uplink of policed @net.  Already
 * guarded for @net is success; a guard made for another namespace (the
 * uplink came from there) is replaced once the new one is in place.
 * Caller: rtnl + config mutex.
 */
static int egressk_guard_add(struct net *net, struct egressk_net *en,
			     const struct net_device *uplink,
			     struct net_device *peer)
{
	struct egressk_net *hen = egressk_pernet(dev_net(peer));
	struct egressk_guard *g, *old;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	old = egressk_guard_find(hen, peer);
	if (old && old->net == net)
		return 0;
	if (en->nr_guards >= EGRESSK_MAX_GUARDS)
		return -ENOSPC;

	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	g->net = net;
	g->ifindex = uplink->ifindex;
	g->ops.hook = egressk_guard_hook;
	g->ops.pf = NFPROTO_NETDEV;
	g->ops.hooknum = NF_NETDEV_INGRESS;
	g->ops.priority = EGRESSK_GUARD_PRIORITY;
	g->ops.dev = peer;
	g->ops.priv = g;

	err = nf_register_net_hook(dev_net(peer), &g->ops);
	if (err) {
		kfree(g);
		return err;
	}
	list_add_tail(&g->list, &en->guards);
	en->nr_guards++;
	list_add_tail(&g->hosted, &hen->hosted);
	if (old)
		egressk_guard_del(old);
	return 0;
}

/* Guard the peer of every uplink of @net.  All or nothing. */
int egressk_guard_attach(struct net *net, struct egressk_net *en)
{
	struct net_device *dev, *peer;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	for_each_netdev(net, dev) {
		if (egressk_guard_blind_spot(dev) && (dev->flags & IFF_UP)) {
			net_warn_ratelimited("ifb device %s is up in the namespace: what it re-injects skips the host-side guard; not policing it\n",
					     dev->name);
			err = -EPERM;
			goto err_detach;
		}
		peer = egressk_guard_peer(dev);
		if (!peer)
			continue;
		err = egressk_guard_add(net, en, dev, peer);
		if (err)
			goto err_detach;
	}
	return 0;

err_detach:
	egressk_guard_detach(net, en);
	return err;
}

/* Remove every guard made for @net.  Caller: rtnl + config mutex. */
void egressk_guard_detach(struct net *net, struct egressk_net *en)
{
	struct egressk_guard *g, *tmp;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	list_for_each_entry_safe(g, tmp, &en->guards, list)
		egressk_guard_del(g);
	WARN_ON_ONCE(en->nr_guards);
}

/*
 * The netdevice notifier's part for guards (netdev.c); runs under rtnl.
 * The unlocked looks at "attached" and at the hosted list are exact: both
 * change only under rtnl too.  Returns 0 or the error that refuses a
 * device (REGISTER, PRE_UP).
 */
int egressk_guard_event(unsigned long event, struct net_device *dev)
{
	struct egressk_net *en = egressk_pernet(dev_net(dev)), *pen;
	struct net_device *peer;
	struct egressk_guard *g;
	int err = 0;

	ASSERT_RTNL();
	switch (event) {
	case NETDEV_UNREGISTER:
		if (list_empty(&en->hosted))
			return 0;
		mutex_lock(&egressk_config_mutex);
		g = egressk_guard_find(en, dev);
		if (g)
			egressk_guard_del(g);
		mutex_unlock(&egressk_config_mutex);
		return 0;
	case NETDEV_REGISTER:
	case NETDEV_PRE_UP:
		break;
	default:
		return 0;
	}

	/* created in, or brought up in, a policed namespace: refused */
	if (READ_ONCE(en->attached) && egressk_guard_blind_spot(dev)) {
		net_warn_ratelimited("refusing ifb device %s in a policed namespace: what it re-injects skips the host-side guard\n",
				     dev->name);
		return -EPERM;
	}

	peer = egressk_guard_far_end(dev);
	if (!peer)
		return 0;
	pen = egressk_pernet(dev_net(peer));
	if (!READ_ONCE(en->attached) && !READ_ONCE(pen->attached))
		return 0;

	mutex_lock(&egressk_config_mutex);
	/* @dev is an uplink of a policed namespace: guard its peer */
	if (en->attached && egressk_guard_peer(dev))
		err = egressk_guard_add(dev_net(dev), en, dev, peer);
	/* @dev is the peer of one: guard @dev itself */
	if (!err && pen->attached && egressk_guard_peer(peer))
		err = egressk_guard_add(dev_net(peer), pen, peer, dev);
	mutex_unlock(&egressk_config_mutex);
	if (err)
		net_warn_ratelimited("no host-side guard for %s (%d): refusing it while its pair serves a policed namespace\n",
				     dev->name, err);
	return err;
}
