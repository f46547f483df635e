// SPDX-License-Identifier: GPL-2.0
/*
 * Rejection helpers for the LOCAL_OUT hooks.  They run in the hook with only
 * rcu_read_lock held (no egressk lock), allocate with GFP_ATOMIC inside the
 * nf_reject helpers, and the caller drops the original packet whether or not
 * the reply could be built (fail closed).
 */
#include "egressk.h"

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/ip6_checksum.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

/*
 * A TCP segment of a refused flow: send a RST to the local socket.  The RST
 * comes back through LOCAL_OUT via loopback and passes there.
 */
void egressk_reject_tcp_reset(struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	if (state->pf == NFPROTO_IPV4)
		nf_send_reset(state->net, skb->sk, skb, state->hook);
	else
		nf_send_reset6(state->net, skb->sk, skb, state->hook);
}

/*
 * UDP, ICMP and the rest: ICMP "administratively prohibited" back to the
 * sender, so a connected socket sees an error on its next call as well.
 */
void egressk_reject_unreach(struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	if (state->pf == NFPROTO_IPV4)
		nf_send_unreach(skb, ICMP_PKT_FILTERED, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_ADM_PROHIBITED,
				 state->hook);
}

/* A bare RST with @oth's ports and sequence numbers; the caller adds IP. */
static void egressk_reset_tcphdr(struct tcphdr *th, const struct tcphdr *oth)
{
	memset(th, 0, sizeof(*th));
	th->source = oth->source;
	th->dest = oth->dest;
	th->seq = oth->seq;
	th->ack_seq = oth->ack_seq;
	th->ack = oth->ack;
	th->rst = 1;
	th->doff = sizeof(*th) / 4;
}

static struct sk_buff *egressk_reset_alloc(const struct sk_buff *oldskb,
					   size_t iplen)
{
	struct sk_buff *nskb;

	nskb = alloc_skb(iplen + sizeof(struct tcphdr) + LL_MAX_HEADER,
			 GFP_ATOMIC);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, LL_MAX_HEADER);
	skb_dst_set(nskb, dst_clone(skb_dst(oldskb)));
	nskb->mark = oldskb->mark;
	nskb->ip_summed = CHECKSUM_NONE;
	return nskb;
}

/*
 * A refused TCP flow that completed its handshake: reset the remote end as
 * well, so a server does not keep a half-open connection waiting for bytes
 * that will never come (a single-threaded server would stop answering).
 * The RST takes the refused segment's own addresses, ports and sequence
 * number, so it is in the peer's window, and leaves through ip_local_out:
 * conntrack sees the flow close, and this module's hook lets bare RSTs of
 * refused flows pass.  Best effort: nothing is sent if memory is short.
 */
void egressk_reject_tcp_reset_peer(struct sk_buff *oldskb,
				   const struct nf_hook_state *state,
				   unsigned int thoff)
{
	const struct tcphdr *oth;
	struct tcphdr _oth, *th;
	struct sk_buff *nskb;

	oth = skb_header_pointer(oldskb, thoff, sizeof(_oth), &_oth);
	if (!oth || oth->rst || oth->syn || !skb_dst(oldskb))
		return;

	if (state->pf == NFPROTO_IPV4) {
		const struct iphdr *oiph = ip_hdr(oldskb);
		struct iphdr *iph;

		nskb = egressk_reset_alloc(oldskb, sizeof(*iph));
		if (!nskb)
			return;
		skb_reset_network_header(nskb);
		iph = skb_put_zero(nskb, sizeof(*iph));
		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->tos = oiph->tos;
		iph->frag_off = htons(IP_DF);
		iph->ttl = oiph->ttl;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = oiph->saddr;
		iph->daddr = oiph->daddr;
		skb_reset_transport_header(nskb);
		th = skb_put(nskb, sizeof(*th));
		egressk_reset_tcphdr(th, oth);
		th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
					 csum_partial(th, sizeof(*th), 0));
		iph->tot_len = htons(nskb->len);
		ip_send_check(iph);
		nskb->protocol = htons(ETH_P_IP);
		ip_local_out(state->net, NULL, nskb);
	} else {
		const struct ipv6hdr *oip6h = ipv6_hdr(oldskb);
		struct ipv6hdr *ip6h;

		nskb = egressk_reset_alloc(oldskb, sizeof(*ip6h));
		if (!nskb)
			return;
		skb_reset_network_header(nskb);
		ip6h = skb_put_zero(nskb, sizeof(*ip6h));
		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = oip6h->hop_limit;
		ip6h->saddr = oip6h->saddr;
		ip6h->daddr = oip6h->daddr;
		skb_reset_transport_header(nskb);
		th = skb_put(nskb, sizeof(*th));
		egressk_reset_tcphdr(th, oth);
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
					    sizeof(*th), IPPROTO_TCP,
					    csum_partial(th, sizeof(*th), 0));
		ip6h->payload_len = htons(sizeof(*th));
		nskb->protocol = htons(ETH_P_IPV6);
		ip6_local_out(state->net, NULL, nskb);
	}
}
