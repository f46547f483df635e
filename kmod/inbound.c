// SPDX-License-Identifier: GPL-2.0
/*
 * Connections that started outside the namespace (DESIGN.md section 2,
 * Trust).
 *
 * Conntrack's direction says who sent a connection's first packet, not
 * where it came from: a process in the namespace can send over loopback
 * from any source address (IPV6_FREEBIND needs no privilege,
 * IP_TRANSPARENT only CAP_NET_RAW) to its own address, and the opposite
 * direction of that entry is then a "reply" to any destination.  So the
 * hooks trust only what egressk saw itself: the PRE_ROUTING hooks below
 * record a connection whose first packet arrives on the namespace's uplink
 * (egressk_dev_uplink), and only the replies of recorded connections pass
 * LOCAL_OUT, FORWARD and the host-side guard without a rule.
 *
 * The record is an rhashtable keyed by the conntrack entry; each entry
 * holds a reference on its ct, so the key cannot be freed or reused while
 * it exists.  Readers look it up under RCU; writers are the hook (insert,
 * softirq) and the GC work (removal), serialised by the rhashtable's own
 * bucket locks.  At most EGRESSK_MAX_INBOUND entries: when full, or when an
 * entry cannot be allocated, the connection's first packet is dropped and
 * counted (fail closed: the peer retries or gives up, and no connection
 * runs whose replies would then be refused midway).
 *
 * The GC (flow.c's work) drops entries whose ct is dying or expired, whose
 * TCP connection is closed, or that were never confirmed (the first packet
 * was dropped later in the stack).
 */
#include "egressk.h"

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <net/netfilter/nf_conntrack.h>

/* A first packet that is not confirmed after this was dropped on its way. */
#define EGRESSK_INBOUND_CONFIRM_TIMEOUT	(30 * HZ)

struct egressk_inbound {
	struct rhash_head node;
	struct nf_conn *ct;		/* the key; referenced */
	unsigned long born;		/* jiffies */
	struct rcu_head rcu;
};

static const struct rhashtable_params egressk_inbound_params = {
	.head_offset = offsetof(struct egressk_inbound, node),
	.key_offset = offsetof(struct egressk_inbound, ct),
	.key_len = sizeof(struct nf_conn *),
	.automatic_shrinking = true,
};

int egressk_inbound_init(struct egressk_net *en)
{
	atomic_set(&en->nr_inbound, 0);
	return rhashtable_init(&en->inbound, &egressk_inbound_params);
}

static void egressk_inbound_free_rcu(struct rcu_head *head)
{
	struct egressk_inbound *e = container_of(head, struct egressk_inbound,
						 rcu);

	nf_ct_put(e->ct);
	kfree(e);
}

static void egressk_inbound_destroy_one(void *ptr, void *arg)
{
	struct egressk_inbound *e = ptr;

	nf_ct_put(e->ct);
	kfree(e);
}

/* The namespace is detaching: no hook and no GC run any more. */
void egressk_inbound_destroy(struct egressk_net *en)
{
	rhashtable_free_and_destroy(&en->inbound, egressk_inbound_destroy_one,
				    NULL);
	atomic_set(&en->nr_inbound, 0);
}

bool egressk_inbound_has(struct egressk_net *en, const struct nf_conn *ct)
{
	return ct && atomic_read(&en->nr_inbound) &&
	       rhashtable_lookup(&en->inbound, &ct, egressk_inbound_params);
}

static bool egressk_inbound_over(const struct egressk_inbound *e)
{
	const struct nf_conn *ct = e->ct;
	u8 st;

	if (nf_ct_is_dying(ct) || nf_ct_is_expired(ct))
		return true;
	if (!nf_ct_is_confirmed(ct))
		return time_after(jiffies,
				  e->born + EGRESSK_INBOUND_CONFIRM_TIMEOUT);
	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return false;
	st = READ_ONCE(ct->proto.tcp.state);
	return st == TCP_CONNTRACK_TIME_WAIT || st == TCP_CONNTRACK_CLOSE;
}

/* The GC work (flow.c): drop the records of connections that are over. */
void egressk_inbound_gc(struct egressk_net *en)
{
	struct rhashtable_iter iter;
	struct egressk_inbound *e;

	if (!atomic_read(&en->nr_inbound))
		return;
	rhashtable_walk_enter(&en->inbound, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;	/* resized under us */
			break;
		}
		if (!egressk_inbound_over(e))
			continue;
		if (!rhashtable_remove_fast(&en->inbound, &e->node,
					    egressk_inbound_params)) {
			atomic_dec(&en->nr_inbound);
			call_rcu(&e->rcu, egressk_inbound_free_rcu);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/*
 * Record @ct.  NF_ACCEPT, or NF_DROP when it cannot be recorded (counted).
 * Runs in softirq: the allocation is charged to no task, and bounded by
 * EGRESSK_MAX_INBOUND instead (docs/kernel.md).
 */
static unsigned int egressk_inbound_record(struct egressk_net *en,
					   const struct egressk_policy *p,
					   struct nf_conn *ct)
{
	struct egressk_inbound *e, *old;

	if (atomic_inc_return(&en->nr_inbound) > EGRESSK_MAX_INBOUND)
		goto err_full;
	e = kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!e)
		goto err_full;
	nf_conntrack_get(&ct->ct_general);
	e->ct = ct;
	e->born = jiffies;

	old = rhashtable_lookup_get_insert_fast(&en->inbound, &e->node,
						egressk_inbound_params);
	if (old) {
		/* a retransmitted first packet: already recorded */
		nf_ct_put(ct);
		kfree(e);
		atomic_dec(&en->nr_inbound);
		if (IS_ERR(old))
			goto err_count;
		return NF_ACCEPT;
	}
	egressk_gc_kick(en);
	return NF_ACCEPT;

err_full:
	atomic_dec(&en->nr_inbound);
err_count:
	egressk_count(p, inbound_full);
	return NF_DROP;
}

/*
 * PRE_ROUTING, after conntrack: the first packet of a connection, arriving
 * on the uplink.  A TCP connection must start with a SYN; a mid-stream
 * pickup (conntrack's loose mode) proves nothing and is not recorded.
 */
unsigned int egressk_inbound_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct egressk_net *en = egressk_pernet(state->net);
	const struct egressk_policy *p;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	p = rcu_dereference(en->policy);
	if (!p)
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct))
		return NF_ACCEPT;
	if (!egressk_dev_uplink(state->in))
		return NF_ACCEPT;
	if (nf_ct_protonum(ct) == IPPROTO_TCP &&
	    (READ_ONCE(ct->proto.tcp.state) != TCP_CONNTRACK_SYN_SENT ||
	     (READ_ONCE(ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].flags) &
	      IP_CT_TCP_FLAG_BE_LIBERAL)))
		return NF_ACCEPT;
	return egressk_inbound_record(en, p, ct);
}
