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
