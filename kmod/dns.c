// SPDX-License-Identifier: GPL-2.0
/*
 * DNS control (DESIGN.md sections 2, 3 and 6).
 *
 * LOCAL_OUT (called from hook.c for udp and tcp 53 and 853):
 *  - pinning: with "allow dns" rules present, 53 goes only to their
 *    addresses, and 853 (DNS over TLS, which no filter can read) only where
 *    a CIDR rule with an explicit port list allows it;
 *  - the query-name filter: every message to port 53 must be one
 *    well-formed question whose name a domain or dns-name rule covers
 *    (single labels pass unless "strict").  On loopback too: Docker's
 *    embedded resolver at 127.0.0.11 forwards upstream from inside the
 *    container's namespace, but what reaches it first is the client's query;
 *  - remembering queries to a pinned resolver for names a domain rule
 *    covers, so that their answers can be learned from (learn.c).
 *  Refusals fail at once (EPERM on the send, plus ICMP or RST in reject
 *  mode) whatever the default, so resolvers give up instead of retrying.
 *
 * LOCAL_IN (egressk_dns_in_v4/v6): answers from a pinned resolver,
 * arriving on the uplink (egressk_dev_uplink) for a local unicast address,
 * in the reply direction of the connection a remembered query left on
 * through the uplink (ct, resolver, port, ID, type, name), for a name a
 * domain rule covers, teach their A and AAAA
 * addresses (CNAME chains inside the answer followed by the parser) for the
 * TTL clamped to the policy's floor and ceiling.  Nothing here drops a
 * packet: an answer that teaches nothing is still delivered.
 *
 * DNS over TCP: each segment must hold whole messages, each behind its
 * 2-byte length (RFC 1035 section 4.2.2).  Stub resolvers write the prefix
 * and the query in one call; a query split over segments is refused, and an
 * answer split over segments is not learned from (docs/decisions.md).
 */
#include "egressk.h"

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <net/netfilter/nf_conntrack.h>
#include <asm/unaligned.h>

#include "parse.h"

#define EGRESSK_DNS_PORT	53

/*
 * @len bytes of @skb from @off: a pointer into the linear area, or a copy
 * in *@owned (GFP_ATOMIC; the caller kfree()s it).  NULL when the bytes are
 * not there or the copy failed.
 */
static const u8 *egressk_dns_bytes(const struct sk_buff *skb, u32 off,
				   u32 len, u8 **owned)
{
	*owned = NULL;
	if (!len || len > EGRESSK_DNS_MSG_MAX + 2 || off > skb->len ||
	    len > skb->len - off)
		return NULL;
	if (off + len <= skb_headlen(skb))
		return skb->data + off;
	*owned = kmalloc(len, GFP_ATOMIC | __GFP_NOWARN);
	if (!*owned)
		return NULL;
	if (skb_copy_bits(skb, off, *owned, len)) {
		kfree(*owned);
		*owned = NULL;
		return NULL;
	}
	return *owned;
}

/*
 * The next whole message of a DNS-over-TCP segment at *@buf (*@len bytes
 * left): 0 with @msg and @mlen set and the segment advanced past it, or
 * the error of egressk_dns_tcp_message() (a message split over segments).
 */
static int egressk_dns_tcp_next(const u8 **buf, u32 *len, const u8 **msg,
				size_t *mlen)
{
	int err = egressk_dns_tcp_message(*buf, *len, msg, mlen);

	if (err)
		return err;
	*buf = *msg + *mlen;
	*len -= *mlen + 2;
	return 0;
}

/* ------------------------------------------------------------- queries */

struct egressk_dns_query_ctx {
	struct egressk_net *en;
	const struct egressk_policy *p;
	const struct egressk_pkt *pkt;
	struct nf_conn *ct;	/* the query's connection, when remembering */
	bool remember;		/* a pinned resolver: remember the question */
	char name[EGRESSK_NAME_BUF];
};

/* 0 when the query may leave, else the reason to refuse it. */
static u8 egressk_dns_query_check(struct egressk_dns_query_ctx *c,
				  const u8 *msg, size_t len)
{
	const struct egressk_policy *p = c->p;
	struct egressk_dns_msg m;
	size_t nlen = 0;
	u32 rule;
	int err;

	err = egressk_dns_parse_query(msg, len, &m, c->name, sizeof(c->name),
				      &nlen);
	egressk_count(p, dns_queries);
	if (err == -EILSEQ) {
		/* the root (a resolver priming itself) has no label at all */
		if (m.qname_off < len && msg[m.qname_off] == 0 &&
		    p->dns_filter != EGRESSK_DNS_FILTER_STRICT)
			return 0;
		return EGRESSK_REASON_DNS_NAME;
	}
	if (err)
		return EGRESSK_REASON_DNS_MALFORMED;

	rule = domain_table_match_any(&p->domains, c->name, nlen);
	if (rule != DOMAIN_NONE) {
		if (c->remember && (m.qtype == EGRESSK_DNS_TYPE_A ||
				    m.qtype == EGRESSK_DNS_TYPE_AAAA)) {
			egressk_learn_query(c->en, c->ct, c->pkt->family,
					    &c->pkt->daddr, c->pkt->sport, m.id,
					    m.qtype, c->name, nlen);
			egressk_gc_kick(c->en);
		}
		return 0;
	}
	if (domain_table_match_any(&p->dns_names, c->name, nlen) != DOMAIN_NONE)
		return 0;
	/* service names on a Docker network: one label */
	if (!memchr(c->name, '.', nlen) &&
	    p->dns_filter != EGRESSK_DNS_FILTER_STRICT)
		return 0;
	return EGRESSK_REASON_DNS_NAME;
}

/*
 * Check every query in the payload of @skb (a UDP datagram, or a TCP
 * segment of whole length-prefixed messages).  NF_ACCEPT, or the verdict
 * of the refusal.
 */
static unsigned int egressk_dns_queries(struct sk_buff *skb,
					const struct nf_hook_state *state,
					const struct egressk_policy *p,
					const struct egressk_pkt *pkt,
					bool enforce, bool remember)
{
	struct egressk_dns_query_ctx c = {
		.en = egressk_pernet(state->net),
		.p = p,
		.pkt = pkt,
		.remember = remember,
	};
	enum ip_conntrack_info ctinfo;
	const u8 *buf, *msg;
	unsigned int verdict;
	size_t mlen;
	u32 off, len;
	u8 *owned;
	u8 reason = 0;

	/* answers are matched to the connection the query left on */
	if (remember) {
		c.ct = nf_ct_get(skb, &ctinfo);
		if (!c.ct || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
			c.remember = false;
	}
	if (pkt->l4proto == IPPROTO_UDP) {
		off = pkt->thoff + sizeof(struct udphdr);
		len = skb->len > off ? skb->len - off : 0;
	} else {
		off = pkt->payload_off;
		len = pkt->payload_len;
		if (!len)
			return NF_ACCEPT;	/* handshake, ACK, FIN */
	}

	buf = egressk_dns_bytes(skb, off, len, &owned);
	if (!buf) {
		reason = EGRESSK_REASON_DNS_MALFORMED;
		goto out;
	}
	if (pkt->l4proto == IPPROTO_UDP) {
		reason = egressk_dns_query_check(&c, buf, len);
		goto out;
	}
	while (len && !reason) {
		if (egressk_dns_tcp_next(&buf, &len, &msg, &mlen)) {
			/* a query split over segments, or no length at all */
			egressk_count(p, dns_queries);
			reason = EGRESSK_REASON_DNS_MALFORMED;
			break;
		}
		reason = egressk_dns_query_check(&c, msg, mlen);
	}
out:
	kfree(owned);
	if (!reason || !enforce)
		return NF_ACCEPT;
	egressk_count(p, dns_refused);
	verdict = egressk_block(skb, state, p, pkt, reason, CIDR_NONE,
				c.name[0] ? c.name : NULL);
	/*
	 * TCP: the handshake passed, so the resolver holds a connection too.
	 * Reset it as well (reject mode), or a resolver that serves TCP
	 * inline waits on it until its own timeout.
	 */
	if (verdict == NF_DROP && pkt->l4proto == IPPROTO_TCP &&
	    p->dflt == EGRESSK_DEFAULT_REJECT)
		egressk_reject_tcp_reset_peer(skb, state, pkt->thoff);
	return verdict;
}

unsigned int egressk_dns_out(struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct egressk_policy *p,
			     const struct egressk_pkt *pkt,
			     const struct cidr_result *res)
{
	const struct egressk_rule *r = NULL;
	bool pinned = false, enforce, remember;
	unsigned int verdict;

	if (res->verdict == CIDR_DENY)
		return egressk_block(skb, state, p, pkt,
				     EGRESSK_REASON_DENY_RULE, res->rule_id,
				     NULL);
	if (res->verdict == CIDR_ALLOW && res->rule_id != CIDR_NONE)
		r = &p->rules[res->rule_id];

	if (p->nr_resolvers) {
		if (pkt->dport == EGRESSK_DNS_PORT)
			pinned = r && r->kind == EGRESSK_RULE_KIND_DNS;
		else	/* 853: only a rule that names its ports */
			pinned = r && r->kind == EGRESSK_RULE_KIND_CIDR &&
				 r->nr_ranges;
		if (!pinned) {
			egressk_count(p, dns_unpinned);
			return egressk_block(skb, state, p, pkt,
					     EGRESSK_REASON_DNS_UNPINNED,
					     CIDR_NONE, NULL);
		}
	} else if (res->verdict != CIDR_ALLOW) {
		return egressk_block(skb, state, p, pkt,
				     EGRESSK_REASON_DEFAULT, res->rule_id,
				     NULL);
	}

	enforce = p->dns_filter != EGRESSK_DNS_FILTER_OFF;
	/*
	 * Only a query of the namespace's own that leaves through the uplink
	 * can have an answer worth learning from: one routed into a tun or a
	 * veth pair of the container's own would be answered by it.
	 */
	remember = pinned && p->domains.nr_rules &&
		   state->hook == NF_INET_LOCAL_OUT &&
		   egressk_dev_uplink(state->out);
	if (pkt->dport == EGRESSK_DNS_PORT && (enforce || remember)) {
		verdict = egressk_dns_queries(skb, state, p, pkt, enforce,
					      remember);
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	egressk_count(p, allowed);
	return NF_ACCEPT;
}

unsigned int egressk_dns_loopback_out(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct egressk_policy *p,
				      const struct egressk_pkt *pkt)
{
	/* never remembered: only non-loopback answers are learned from */
	return egressk_dns_queries(skb, state, p, pkt, true, false);
}

/* ------------------------------------------------------------- answers */

static void egressk_dns_learn_msg(struct egressk_net *en,
				  const struct egressk_policy *p,
				  const struct nf_conn *ct, u8 family,
				  const union egressk_addr *server, u16 dport,
				  const u8 *msg, size_t len)
{
	struct mem_cgroup *memcg = NULL, *old_memcg;
	char name[EGRESSK_NAME_BUF];
	struct egressk_dns_addr *addrs;
	struct egressk_dns_msg m;
	size_t nlen;
	int n, i;

	if (egressk_dns_parse_response(msg, len, &m, name, sizeof(name), &nlen)) {
		egressk_count(p, dns_ignored);
		return;
	}
	switch (egressk_learn_answered(en, ct, family, server, dport, m.id,
				       m.qtype, name, nlen, &memcg)) {
	case EGRESSK_ANSWER_FIRST:
		break;
	case EGRESSK_ANSWER_DUPLICATE:
		egressk_count(p, dns_duplicate);
		return;
	default:
		egressk_count(p, dns_ignored);
		return;
	}
	/* NXDOMAIN, SERVFAIL...: the question is answered, nothing to learn */
	if (m.rcode)
		goto out;
	/* the policy may have changed since the question left */
	if (domain_table_match_any(&p->domains, name, nlen) == DOMAIN_NONE) {
		egressk_count(p, dns_ignored);
		goto out;
	}

	addrs = kmalloc_array(EGRESSK_DNS_LEARN_PER_ANSWER, sizeof(*addrs),
			      GFP_ATOMIC | __GFP_NOWARN);
	if (!addrs)
		goto out;
	/* what is learned is the container's memory: its querying task's */
	old_memcg = set_active_memcg(memcg);
	/* TC set: what did fit is as true as the rest; learn it */
	n = egressk_dns_answer_addrs(&m, addrs, EGRESSK_DNS_LEARN_PER_ANSWER);
	if (n < 0)
		egressk_count(p, dns_ignored);
	for (i = 0; i < min(n, EGRESSK_DNS_LEARN_PER_ANSWER); i++) {
		u32 ttl = clamp(addrs[i].ttl, p->ttl_floor, p->ttl_ceiling);
		union egressk_addr a;
		u8 af;
		int err;

		memset(&a, 0, sizeof(a));
		if (addrs[i].type == EGRESSK_DNS_TYPE_A) {
			af = AF_INET;
			memcpy(&a.a4, addrs[i].addr, 4);
		} else {
			af = AF_INET6;
			memcpy(&a.a6, addrs[i].addr, 16);
		}
		err = egressk_learn_addr(en, af, &a, name, nlen, ttl);
		if (err == -ENOSPC)
			egressk_count(p, dns_learn_full);
		else if (!err)
			egressk_count(p, dns_learned);
	}
	set_active_memcg(old_memcg);
	kfree(addrs);
	egressk_gc_kick(en);
out:
	mem_cgroup_put(memcg);
}

/*
 * An answer candidate: @thoff is the transport header, @saddr and @key the
 * sender, @local_unicast whether it is addressed to one of the namespace's
 * unicast addresses.  Always NF_ACCEPT.
 */
static unsigned int egressk_dns_in(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   u8 family, u8 l4proto, unsigned int thoff,
				   const union egressk_addr *saddr,
				   const struct cidr_key *key, bool local_unicast)
{
	struct egressk_net *en = egressk_pernet(state->net);
	const struct egressk_policy *p;
	enum ip_conntrack_info ctinfo;
	struct cidr_result res;
	struct nf_conn *ct;
	const u8 *buf, *msg;
	size_t mlen;
	u32 off, len;
	u16 dport;
	u8 *owned;

	p = rcu_dereference(en->policy);
	if (!p || !p->nr_resolvers || !p->domains.nr_rules)
		return NF_ACCEPT;

	if (l4proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh || ntohs(uh->source) != EGRESSK_DNS_PORT)
			return NF_ACCEPT;
		dport = ntohs(uh->dest);
		off = thoff + sizeof(_uh);
	} else if (l4proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th || ntohs(th->source) != EGRESSK_DNS_PORT ||
		    th->doff < sizeof(_th) / 4)
			return NF_ACCEPT;
		dport = ntohs(th->dest);
		off = thoff + th->doff * 4;
	} else {
		return NF_ACCEPT;
	}
	if (off >= skb->len)
		return NF_ACCEPT;	/* no payload: handshake, ACK */
	len = skb->len - off;

	/*
	 * Anyone in the namespace can forge an answer over loopback, or over
	 * a tun, tap or veth pair of its own: only the uplink brings answers
	 * from outside.  A broadcast or multicast "answer" answers nobody,
	 * and the answer must travel on the very connection the query left
	 * on, in its reply direction.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (!egressk_dev_uplink(state->in) || !local_unicast ||
	    skb->pkt_type != PACKET_HOST || !ct ||
	    CTINFO2DIR(ctinfo) != IP_CT_DIR_REPLY) {
		egressk_count(p, dns_ignored);
		return NF_ACCEPT;
	}
	res = egressk_policy_lookup(p, family, key,
				    l4proto == IPPROTO_UDP ? CIDR_PROTO_UDP :
							     CIDR_PROTO_TCP,
				    true, EGRESSK_DNS_PORT);
	if (res.verdict != CIDR_ALLOW || res.rule_id == CIDR_NONE ||
	    p->rules[res.rule_id].kind != EGRESSK_RULE_KIND_DNS) {
		egressk_count(p, dns_ignored);
		return NF_ACCEPT;
	}

	buf = egressk_dns_bytes(skb, off, len, &owned);
	if (!buf) {
		egressk_count(p, dns_ignored);
		return NF_ACCEPT;
	}
	if (l4proto == IPPROTO_UDP) {
		egressk_dns_learn_msg(en, p, ct, family, saddr, dport, buf,
				      len);
	} else {
		while (len) {
			if (egressk_dns_tcp_next(&buf, &len, &msg, &mlen)) {
				egressk_count(p, dns_ignored);
				break;
			}
			egressk_dns_learn_msg(en, p, ct, family, saddr, dport,
					      msg, mlen);
		}
	}
	kfree(owned);
	return NF_ACCEPT;
}

unsigned int egressk_dns_in_v4(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	union egressk_addr saddr = { .a4 = iph->saddr };
	struct cidr_key key = { .hi = 0, .lo = be32_to_cpu(iph->saddr) };
	const struct rtable *rt = skb_rtable(skb);

	/* LOCAL_IN sees reassembled datagrams */
	if (iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	return egressk_dns_in(skb, state, AF_INET, iph->protocol,
			      skb_network_offset(skb) + iph->ihl * 4, &saddr,
			      &key, rt && rt->rt_type == RTN_LOCAL);
}

unsigned int egressk_dns_in_v6(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	union egressk_addr saddr = { .a6 = ip6h->saddr };
	struct cidr_key key = {
		.hi = get_unaligned_be64(&ip6h->saddr.s6_addr[0]),
		.lo = get_unaligned_be64(&ip6h->saddr.s6_addr[8]),
	};
	unsigned int thoff = 0;
	unsigned short fragoff = 0;
	int nexthdr;

	nexthdr = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
	if ((nexthdr != IPPROTO_UDP && nexthdr != IPPROTO_TCP) || fragoff)
		return NF_ACCEPT;
	return egressk_dns_in(skb, state, AF_INET6, nexthdr, thoff, &saddr,
			      &key, !(ipv6_addr_type(&ip6h->daddr) &
				      IPV6_ADDR_MULTICAST));
}
