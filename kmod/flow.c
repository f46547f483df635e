// SPDX-License-Identifier: GPL-2.0
/*
 * Domain-inspected TCP flows (DESIGN.md section 2).
 *
 * A TCP flow on a port some domain rule covers, to an address no CIDR rule
 * decides, completes its handshake and is then decided by its first payload:
 * the TLS ClientHello's SNI or the HTTP/1.x Host header.  Until the verdict
 * is known no payload byte leaves: segments are taken with NF_STOLEN (TCP
 * sees success and keeps its copy for retransmission), kept in sequence
 * order, and either re-injected through the hook's okfn or freed.
 *
 * State lives in a per-netns rhashtable keyed by the conntrack entry; each
 * entry holds a reference on its ct, so the key cannot be freed or reused
 * while the entry exists.  Readers (the hooks) look entries up under RCU; an
 * entry's mutable fields are guarded by its own spinlock, and nothing is
 * sent or re-injected while that lock is held.
 *
 * A GC work item, armed while the table is not empty, reaps entries whose ct
 * is dying or expired or whose TCP connection is closed (TIME_WAIT, CLOSE),
 * and rejects flows still undecided after EGRESSK_HOLD_TIMEOUT.  Detaching the namespace (policy removal or netns
 * pre_exit) frees everything, after the hooks are gone.
 *
 * Everything fails closed: a full table, a failed allocation, a missing ct,
 * a hold bound or a timeout rejects the flow and bumps a counter.
 */
#include "egressk.h"

#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>

#include "parse.h"

enum egressk_flow_state {
	EGRESSK_FLOW_PENDING,	/* first payload held, no verdict yet */
	EGRESSK_FLOW_ALLOWED,
	EGRESSK_FLOW_REJECTED,
	EGRESSK_FLOW_DEAD,	/* unlinked; RCU readers may still see it */
};

/* The parse buffer starts this big and doubles up to the parser's limit. */
#define EGRESSK_FLOW_BUF_MIN	2048

struct egressk_flow {
	struct rhash_head node;
	struct nf_conn *ct;		/* the key; referenced */
	spinlock_t lock;		/* everything below */
	u8 state;			/* enum egressk_flow_state */
	u8 reason;			/* REJECTED: enum egressk_reason */
	bool audited;			/* ALLOWED only because of audit mode */
	u8 name_len;			/* 0: no name seen */
	u32 rule_id;			/* ALLOWED: domain rule or CIDR_NONE */
	u64 version;			/* the policy the verdict was made under */
	unsigned long deadline;		/* PENDING: jiffies */
	/* PENDING only */
	struct sk_buff_head held;	/* in sequence order */
	u32 next_seq;			/* first stream byte not yet seen */
	u32 buf_len, buf_cap;
	u8 *buf;			/* the stream so far, for the parsers */
	struct sock *sk;		/* referenced, passed to okfn */
	int (*okfn)(struct net *, struct sock *, struct sk_buff *);
	struct net *net;
	struct rcu_head rcu;
	/* set once, before the verdict; immutable afterwards */
	char name[EGRESSK_NAME_BUF];
};

static const struct rhashtable_params egressk_flow_params = {
	.head_offset = offsetof(struct egressk_flow, node),
	.key_offset = offsetof(struct egressk_flow, ct),
	.key_len = sizeof(struct nf_conn *),
	.automatic_shrinking = true,
};

/* What leaves the PENDING state, handled after the lock is dropped. */
struct egressk_flow_out {
	struct sk_buff_head skbs;
	struct sock *sk;
	u8 *buf;
	int (*okfn)(struct net *, struct sock *, struct sk_buff *);
	struct net *net;
};

static void egressk_flow_take_pending(struct egressk_flow *f,
				      struct egressk_flow_out *out)
{
	lockdep_assert_held(&f->lock);
	__skb_queue_head_init(&out->skbs);
	skb_queue_splice_init(&f->held, &out->skbs);
	out->sk = f->sk;
	out->buf = f->buf;
	out->okfn = f->okfn;
	out->net = f->net;
	f->sk = NULL;
	f->buf = NULL;
	f->buf_len = 0;
	f->buf_cap = 0;
}

static void egressk_flow_out_free(struct egressk_flow_out *out)
{
	__skb_queue_purge(&out->skbs);
	kfree(out->buf);
	if (out->sk)
		sock_put(out->sk);
}

/* Send the held segments on, in order, as nf_reinject does for NF_QUEUE. */
static void egressk_flow_out_reinject(struct egressk_flow_out *out)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&out->skbs))) {
		local_bh_disable();
		out->okfn(out->net, out->sk, skb);
		local_bh_enable();
	}
	egressk_flow_out_free(out);
}

static void egressk_flow_free_rcu(struct rcu_head *head)
{
	struct egressk_flow *f = container_of(head, struct egressk_flow, rcu);

	nf_ct_put(f->ct);
	kfree(f);
}

/* Unlink @f and free it after a grace period. */
static void egressk_flow_unlink(struct egressk_net *en, struct egressk_flow *f)
{
	struct egressk_flow_out out;
	bool was_pending;

	spin_lock_bh(&f->lock);
	if (f->state == EGRESSK_FLOW_DEAD) {
		spin_unlock_bh(&f->lock);
		return;
	}
	was_pending = f->state == EGRESSK_FLOW_PENDING;
	egressk_flow_take_pending(f, &out);
	WRITE_ONCE(f->state, EGRESSK_FLOW_DEAD);
	spin_unlock_bh(&f->lock);

	if (!rhashtable_remove_fast(&en->flows, &f->node, egressk_flow_params))
		atomic_dec(&en->nr_flows);
	if (was_pending)
		atomic_dec(&en->nr_pending);
	egressk_flow_out_free(&out);
	call_rcu(&f->rcu, egressk_flow_free_rcu);
}

/* A flow still undecided past its deadline: reject it (GC). */
static void egressk_flow_expire(struct egressk_net *en, struct egressk_flow *f)
{
	struct egressk_flow_out out;

	spin_lock_bh(&f->lock);
	if (f->state != EGRESSK_FLOW_PENDING ||
	    !time_after(jiffies, f->deadline)) {
		spin_unlock_bh(&f->lock);
		return;
	}
	egressk_flow_take_pending(f, &out);
	f->reason = EGRESSK_REASON_HOLD_TIMEOUT;
	WRITE_ONCE(f->state, EGRESSK_FLOW_REJECTED);
	spin_unlock_bh(&f->lock);

	atomic_dec(&en->nr_pending);
	/* GC runs only while attached, so the counters exist */
	this_cpu_inc(en->stats->flows_hold_timeout);
	/* TCP retransmits what it thinks it sent, and that gets the RST */
	egressk_flow_out_free(&out);
}

/*
 * The connection can carry no more payload: its ct is dying or expired, or
 * TCP reached TIME_WAIT or CLOSE.  A closed connection keeps its ct for two
 * minutes (TIME_WAIT); keeping its entry as long would let a client that
 * opens and closes connections fill the table.  A stray packet of a reaped
 * flow finds no entry: without payload it passes, with payload it starts a
 * new inspection that cannot parse mid-stream bytes and is refused.
 */
static bool egressk_flow_over(const struct nf_conn *ct)
{
	u8 st;

	if (nf_ct_is_dying(ct) || nf_ct_is_expired(ct))
		return true;
	st = READ_ONCE(ct->proto.tcp.state);
	return st == TCP_CONNTRACK_TIME_WAIT || st == TCP_CONNTRACK_CLOSE;
}

/* Under @f->lock: a held segment goes out through, or came in on, @dev. */
static bool egressk_flow_holds_dev(struct egressk_flow *f,
				   const struct net_device *dev)
{
	struct sk_buff *skb;

	lockdep_assert_held(&f->lock);
	skb_queue_walk(&f->held, skb) {
		const struct dst_entry *dst = skb_dst(skb);

		if (skb->dev == dev || (dst && dst->dev == dev))
			return true;
	}
	return false;
}

/*
 * @dev is going down or away: undecided flows holding a segment routed
 * through it are refused and their segments freed now, as nf_queue drops
 * its entries, instead of keeping the route and the device pinned until
 * the hold timeout.  Process context (the netdevice notifier).
 */
void egressk_flows_dev_down(struct egressk_net *en, const struct net_device *dev)
{
	struct rhashtable_iter iter;
	struct egressk_flow_out out;
	struct egressk_flow *f;

	if (!atomic_read(&en->nr_pending))
		return;
	rhashtable_walk_enter(&en->flows, &iter);
	rhashtable_walk_start(&iter);
	while ((f = rhashtable_walk_next(&iter))) {
		if (IS_ERR(f)) {
			if (PTR_ERR(f) == -EAGAIN)
				continue;
			break;
		}
		spin_lock_bh(&f->lock);
		if (f->state != EGRESSK_FLOW_PENDING ||
		    !egressk_flow_holds_dev(f, dev)) {
			spin_unlock_bh(&f->lock);
			continue;
		}
		egressk_flow_take_pending(f, &out);
		f->reason = EGRESSK_REASON_FLOW_LIMIT;
		WRITE_ONCE(f->state, EGRESSK_FLOW_REJECTED);
		spin_unlock_bh(&f->lock);
		atomic_dec(&en->nr_pending);
		egressk_flow_out_free(&out);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void egressk_flow_gc(struct work_struct *work)
{
	struct egressk_net *en = container_of(to_delayed_work(work),
					      struct egressk_net, flow_gc);
	struct rhashtable_iter iter;
	struct egressk_flow *f;

	rhashtable_walk_enter(&en->flows, &iter);
	rhashtable_walk_start(&iter);
	while ((f = rhashtable_walk_next(&iter))) {
		if (IS_ERR(f)) {
			if (PTR_ERR(f) == -EAGAIN)
				continue;	/* resized under us */
			break;
		}
		if (egressk_flow_over(f->ct))
			egressk_flow_unlink(en, f);
		else if (READ_ONCE(f->state) == EGRESSK_FLOW_PENDING &&
			 time_after(jiffies, f->deadline))
			egressk_flow_expire(en, f);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);

	egressk_learn_gc(en);
	egressk_inbound_gc(en);
	if (atomic_read(&en->nr_flows) || egressk_learn_busy(en) ||
	    atomic_read(&en->nr_inbound))
		queue_delayed_work(system_power_efficient_wq, &en->flow_gc,
				   EGRESSK_FLOW_GC_INTERVAL);
}

void egressk_gc_kick(struct egressk_net *en)
{
	if (!delayed_work_pending(&en->flow_gc))
		queue_delayed_work(system_power_efficient_wq, &en->flow_gc,
				   EGRESSK_FLOW_GC_INTERVAL);
}

int egressk_flows_init(struct net *net, struct egressk_net *en)
{
	en->net = net;
	atomic_set(&en->nr_flows, 0);
	atomic_set(&en->nr_pending, 0);
	INIT_DELAYED_WORK(&en->flow_gc, egressk_flow_gc);
	return rhashtable_init(&en->flows, &egressk_flow_params);
}

static void egressk_flow_destroy_one(void *ptr, void *arg)
{
	struct egressk_flow *f = ptr;
	struct egressk_flow_out out;

	spin_lock_bh(&f->lock);
	egressk_flow_take_pending(f, &out);
	spin_unlock_bh(&f->lock);
	egressk_flow_out_free(&out);
	nf_ct_put(f->ct);
	kfree(f);
}

/*
 * The namespace is detaching: its hooks are unregistered and no hook runs
 * any more (the caller waited with synchronize_net).  Held segments are
 * freed, not sent: TCP retransmits them, unpoliced now.
 */
void egressk_flows_destroy(struct egressk_net *en)
{
	cancel_delayed_work_sync(&en->flow_gc);
	rhashtable_free_and_destroy(&en->flows, egressk_flow_destroy_one, NULL);
	atomic_set(&en->nr_flows, 0);
	atomic_set(&en->nr_pending, 0);
}

/*
 * Under @f->lock: re-decide a decided flow under a newer policy @p.  A flow
 * stays allowed only if a CIDR rule now allows its address, or a domain
 * rule that covers its port still matches its name.  A rejected flow stays
 * rejected (its socket already got a RST).
 */
static void egressk_flow_recheck(struct egressk_flow *f,
				 const struct egressk_policy *p,
				 const struct egressk_pkt *pkt)
{
	struct egressk_net *en = egressk_pernet(f->net);
	struct cidr_result res;
	u32 rule = CIDR_NONE;
	bool allow = false;

	lockdep_assert_held(&f->lock);
	if (f->state != EGRESSK_FLOW_ALLOWED)
		goto out;

	res = egressk_policy_lookup(p, pkt->family, &pkt->key, CIDR_PROTO_TCP,
				    true, pkt->dport);
	if (res.verdict == CIDR_ALLOW) {
		allow = true;
	} else if (res.verdict != CIDR_DENY && f->name_len &&
		   domain_table_covers_port(&p->domains, pkt->dport)) {
		rule = domain_table_match(&p->domains, f->name, f->name_len,
					  pkt->dport);
		allow = rule != DOMAIN_NONE;
	} else if (res.verdict != CIDR_DENY && !f->name_len &&
		   f->rule_id != CIDR_NONE &&
		   p->binding == EGRESSK_BINDING_DNS) {
		/* allowed by its learned address alone: still learned? */
		rule = egressk_learn_rule(en, p, pkt->family, &pkt->daddr,
					  pkt->dport, DOMAIN_NONE);
		allow = rule != DOMAIN_NONE;
	}

	f->audited = false;
	if (!allow && p->mode == EGRESSK_MODE_AUDIT) {
		allow = true;
		f->audited = true;
	}
	if (allow) {
		f->rule_id = rule;
	} else {
		f->reason = EGRESSK_REASON_POLICY_CHANGED;
		WRITE_ONCE(f->state, EGRESSK_FLOW_REJECTED);
		egressk_count(p, flows_policy_cut);
	}
out:
	/* readers check the version first: publish the state before it */
	smp_store_release(&f->version, p->version);
}

/*
 * Map a parse result that names no allowed host to a reject reason: a
 * stream that claims to be TLS or HTTP but does not parse (bare LF, obs-fold,
 * two Hosts, two SNIs, absolute-form...) is malformed; one that is neither
 * is unknown.
 */
static u8 egressk_flow_parse_reason(const struct egressk_flow *f, int res)
{
	switch (res) {
	case EGRESSK_PARSE_FOUND:
		return EGRESSK_REASON_DOMAIN_MISMATCH;
	case EGRESSK_PARSE_NONE:
		return EGRESSK_REASON_DOMAIN_NO_NAME;
	default:
		/* at the parser's limit the answer is final: a hold bound */
		if (f->buf_len >= EGRESSK_PARSE_MAX_INPUT)
			return EGRESSK_REASON_HOLD_LIMIT;
		return egressk_stream_kind(f->buf, f->buf_len) ==
		       EGRESSK_STREAM_OTHER ? EGRESSK_REASON_DOMAIN_UNKNOWN :
					      EGRESSK_REASON_MALFORMED;
	}
}

/*
 * The address-only path of domain-binding dns: a first payload that is
 * neither TLS nor HTTP (ssh to github.com:22) passes to an address a pinned
 * resolver returned for a name a rule on this port covers.  Never on 80 or
 * 443, where every domain rule expects TLS or HTTP, and never for a stream
 * that claims to be TLS or HTTP but does not parse: servers may read such
 * bytes differently from the parser (docs/parsers.md).
 */
static bool egressk_flow_address_only(const struct egressk_flow *f, int res,
				      u16 dport)
{
	return res == EGRESSK_PARSE_INVALID &&
	       f->buf_len < EGRESSK_PARSE_MAX_INPUT &&
	       dport != 80 && dport != 443 &&
	       egressk_stream_kind(f->buf, f->buf_len) == EGRESSK_STREAM_OTHER;
}

static int egressk_flow_parse(struct egressk_flow *f)
{
	size_t len = 0;
	int res;

	/* a TLS record starts with content type 22 (handshake) */
	if (f->buf[0] == 0x16)
		res = egressk_parse_tls_sni(f->buf, f->buf_len, f->name,
					    sizeof(f->name), &len);
	else
		res = egressk_parse_http_host(f->buf, f->buf_len, f->name,
					      sizeof(f->name), &len);
	f->name_len = res == EGRESSK_PARSE_FOUND ? len : 0;
	if (!f->name_len)
		f->name[0] = '\0';
	return res;
}

/* Append the stream bytes of @skb from @from (a stream position) on. */
static int egressk_flow_append(struct egressk_flow *f,
			       const struct sk_buff *skb,
			       const struct egressk_pkt *pkt, u32 from)
{
	u32 skip = from - pkt->tcp_seq;
	u32 n = min_t(u32, pkt->payload_len - skip,
		      EGRESSK_PARSE_MAX_INPUT - f->buf_len);

	if (!n)
		return 0;
	if (f->buf_len + n > f->buf_cap) {
		u32 cap = max_t(u32, EGRESSK_FLOW_BUF_MIN,
				roundup_pow_of_two(f->buf_len + n));
		u8 *nb;

		cap = min_t(u32, cap, EGRESSK_PARSE_MAX_INPUT);
		nb = krealloc(f->buf, cap,
			      GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
		if (!nb)
			return -ENOMEM;
		f->buf = nb;
		f->buf_cap = cap;
	}
	if (skb_copy_bits(skb, pkt->payload_off + skip, f->buf + f->buf_len, n))
		return -EFAULT;
	f->buf_len += n;
	return 0;
}

/*
 * Under @f->lock (released here): end the PENDING state of @f with @st,
 * ALLOWED or REJECTED, under policy @p, and send the held segments on in
 * order (allowed) or free them (rejected).
 */
static void egressk_flow_settle(struct egressk_net *en, struct egressk_flow *f,
				const struct egressk_policy *p, u8 st,
				u32 rule, u8 reason, bool audited)
	__releases(&f->lock)
{
	struct egressk_flow_out out;

	egressk_flow_take_pending(f, &out);
	f->rule_id = rule;
	f->reason = reason;
	f->audited = audited;
	WRITE_ONCE(f->state, st);
	/* readers check the version first: publish the state before it */
	smp_store_release(&f->version, p->version);
	spin_unlock_bh(&f->lock);

	atomic_dec(&en->nr_pending);
	if (st == EGRESSK_FLOW_ALLOWED)
		egressk_flow_out_reinject(&out);
	else
		egressk_flow_out_free(&out);
}

/*
 * Block a packet of a refused flow.  Its handshake passed, so the server
 * holds a connection too: when the local socket gets its RST, the server
 * gets one as well (reject.c).
 */
static unsigned int egressk_flow_block(struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       const struct egressk_policy *p,
				       const struct egressk_pkt *pkt,
				       u8 reason, u32 rule, const char *name)
{
	unsigned int verdict;

	verdict = egressk_block(skb, state, p, pkt, reason, rule, name);
	/* NF_DROP: reject mode (drop mode stole and freed the skb) */
	if (verdict == NF_DROP)
		egressk_reject_tcp_reset_peer(skb, state, pkt->thoff);
	return verdict;
}

/*
 * A payload segment of a PENDING flow, with @f->lock held (released here).
 * Holds the segment, parses what the flow sent so far, and once that
 * decides, re-injects or frees every held segment.
 */
static unsigned int egressk_flow_hold(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct egressk_policy *p,
				      const struct egressk_pkt *pkt,
				      struct egressk_flow *f)
	__releases(&f->lock)
{
	struct egressk_net *en = egressk_pernet(state->net);
	u32 end = pkt->tcp_seq + pkt->payload_len;
	u32 rule = CIDR_NONE;
	u8 reason;
	int res;

	lockdep_assert_held(&f->lock);

	if (time_after(jiffies, f->deadline)) {
		reason = EGRESSK_REASON_HOLD_TIMEOUT;
		egressk_count(p, flows_hold_timeout);
		goto reject;
	}
	/* a retransmission of bytes already held: TCP still has them */
	if (!after(end, f->next_seq)) {
		spin_unlock_bh(&f->lock);
		consume_skb(skb);
		return NF_STOLEN;
	}
	/*
	 * A gap: an earlier segment never reached this hook.  Local TCP sends
	 * in order, so this is rare; discard it and TCP resends it in order.
	 */
	if (after(pkt->tcp_seq, f->next_seq)) {
		spin_unlock_bh(&f->lock);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	if (skb_queue_len(&f->held) >= EGRESSK_HOLD_MAX_SEGS) {
		reason = EGRESSK_REASON_HOLD_LIMIT;
		egressk_count(p, flows_hold_limit);
		goto reject;
	}
	/*
	 * The bytes judged must be the bytes sent.  Pages the sender still
	 * owns (MSG_ZEROCOPY, io_uring zero-copy sends, splice or sendfile
	 * of a file it can write) can change between this parse and the
	 * transmit: copy them into the skb's own head first.  In place, so
	 * what is held, re-injected or accepted below is that copy.
	 */
	if ((skb_zcopy(skb) || skb_has_shared_frag(skb)) &&
	    skb_linearize(skb)) {
		reason = EGRESSK_REASON_FLOW_LIMIT;
		egressk_count(p, flows_table_full);
		goto reject;
	}
	if (egressk_flow_append(f, skb, pkt, f->next_seq)) {
		reason = EGRESSK_REASON_FLOW_LIMIT;
		egressk_count(p, flows_table_full);
		goto reject;
	}
	f->next_seq = end;

	res = egressk_flow_parse(f);
	if (res == EGRESSK_PARSE_NEED_MORE &&
	    f->buf_len < EGRESSK_PARSE_MAX_INPUT) {
		/* the held segment keeps its route until re-injected */
		skb_dst_force(skb);
		if (!skb_dst(skb)) {
			spin_unlock_bh(&f->lock);
			kfree_skb(skb);	/* TCP resends it */
			return NF_STOLEN;
		}
		__skb_queue_tail(&f->held, skb);
		spin_unlock_bh(&f->lock);
		return NF_STOLEN;
	}

	if (res == EGRESSK_PARSE_FOUND)
		rule = domain_table_match(&p->domains, f->name, f->name_len,
					  pkt->dport);
	if (p->binding == EGRESSK_BINDING_DNS) {
		if (rule != DOMAIN_NONE &&
		    egressk_learn_rule(en, p, pkt->family, &pkt->daddr,
				       pkt->dport, rule) == DOMAIN_NONE) {
			/* the name is allowed, but not at this address */
			reason = EGRESSK_REASON_NOT_LEARNED;
			egressk_count(p, flows_not_learned);
			rule = CIDR_NONE;
			goto reject;
		}
		if (egressk_flow_address_only(f, res, pkt->dport))
			rule = egressk_learn_rule(en, p, pkt->family,
						  &pkt->daddr, pkt->dport,
						  DOMAIN_NONE);
	}
	if (rule == DOMAIN_NONE ||
	    (res != EGRESSK_PARSE_FOUND &&
	     !(p->binding == EGRESSK_BINDING_DNS &&
	       egressk_flow_address_only(f, res, pkt->dport)))) {
		reason = egressk_flow_parse_reason(f, res);
		if (reason == EGRESSK_REASON_HOLD_LIMIT)
			egressk_count(p, flows_hold_limit);
		else
			egressk_count(p, flows_domain_rejected);
		rule = CIDR_NONE;
		goto reject;
	}

	/* allowed: earlier segments go first, then this one */
	egressk_flow_settle(en, f, p, EGRESSK_FLOW_ALLOWED, rule, 0, false);
	atomic64_inc(&p->hits[rule]);
	egressk_count(p, flows_domain_allowed);
	egressk_count(p, allowed);
	return NF_ACCEPT;

reject:
	if (p->mode == EGRESSK_MODE_AUDIT)
		/* audit: report, and let the flow run as if allowed */
		egressk_flow_settle(en, f, p, EGRESSK_FLOW_ALLOWED, CIDR_NONE,
				    0, true);
	else
		egressk_flow_settle(en, f, p, EGRESSK_FLOW_REJECTED, CIDR_NONE,
				    reason, false);
	/* the name is immutable now that the flow is decided */
	return egressk_flow_block(skb, state, p, pkt, reason, rule,
				  f->name_len ? f->name : NULL);
}

/*
 * The host-side guard's question (guard.c): the same lock-free test as the
 * fast path of egressk_flow_verdict().  A flow not yet re-decided under a
 * new policy is not allowed here; LOCAL_OUT re-decides it on its next
 * packet.
 */
bool egressk_flow_allowed(struct egressk_net *en, const struct nf_conn *ct,
			  u64 version)
{
	struct egressk_flow *f;

	f = rhashtable_lookup(&en->flows, &ct, egressk_flow_params);
	/* pairs with the settling smp_store_release() of the version */
	return f && smp_load_acquire(&f->version) == version &&
	       READ_ONCE(f->state) == EGRESSK_FLOW_ALLOWED;
}

/*
 * A packet of a flow that may be in the table.  *@found is false when it is
 * not; the caller then goes on with the rules.  Decided flows under the
 * current policy cost this one lookup and no lock.
 */
unsigned int egressk_flow_verdict(struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  const struct egressk_policy *p,
				  const struct egressk_pkt *pkt,
				  struct nf_conn *ct, bool *found)
{
	struct egressk_net *en = egressk_pernet(state->net);
	struct egressk_flow *f;
	u8 st, reason;

	*found = false;
	if (!ct)
		return NF_ACCEPT;
	f = rhashtable_lookup(&en->flows, &ct, egressk_flow_params);
	if (!f)
		return NF_ACCEPT;
	*found = true;

	if (smp_load_acquire(&f->version) == p->version &&
	    READ_ONCE(f->state) == EGRESSK_FLOW_ALLOWED) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}

	spin_lock_bh(&f->lock);
	st = f->state;
	if (st == EGRESSK_FLOW_PENDING) {
		if (!pkt->payload_len) {
			/* a pure ACK, FIN or RST carries nothing to hold */
			spin_unlock_bh(&f->lock);
			egressk_count(p, allowed);
			return NF_ACCEPT;
		}
		return egressk_flow_hold(skb, state, p, pkt, f);
	}
	if (st != EGRESSK_FLOW_DEAD && f->version != p->version)
		egressk_flow_recheck(f, p, pkt);
	st = f->state;
	reason = f->reason;
	spin_unlock_bh(&f->lock);

	/*
	 * A bare RST can only end the flow: let it pass, the peer reset of a
	 * refused flow (reject.c) among them.
	 */
	if (st == EGRESSK_FLOW_ALLOWED ||
	    (pkt->tcp_rst && !pkt->payload_len)) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}
	if (st == EGRESSK_FLOW_DEAD)
		reason = EGRESSK_REASON_FLOW_LIMIT;	/* its ct is dying */
	return egressk_flow_block(skb, state, p, pkt, reason, CIDR_NONE,
				  f->name_len ? f->name : NULL);
}

/*
 * Where inspection starts: the first stream byte the peer has not
 * acknowledged, as conntrack saw the peer's ACKs (its SYN-ACK acknowledges
 * the initial sequence number + 1).  Not the first payload this hook sees:
 * a segment held back before this hook (dropped by the namespace's own
 * rules, then retransmitted once a later segment was judged) would reach
 * the server ahead of the judged bytes.  False when conntrack has not seen
 * the peer acknowledge anything.
 */
static bool egressk_flow_anchor(const struct sk_buff *skb,
				const struct nf_conn *ct, u32 *anchor)
{
	const struct ip_ct_tcp_state *peer;
	enum ip_conntrack_info ctinfo;

	nf_ct_get(skb, &ctinfo);
	peer = &ct->proto.tcp.seen[!CTINFO2DIR(ctinfo)];
	if (!(READ_ONCE(peer->flags) & IP_CT_TCP_FLAG_MAXACK_SET))
		return false;
	*anchor = READ_ONCE(peer->td_maxack);
	return true;
}

/*
 * A TCP packet on a domain-rule port that no CIDR rule decided and no flow
 * entry covers yet.  The handshake passes; the first payload creates the
 * entry and is held.
 */
unsigned int egressk_flow_inspect(struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  const struct egressk_policy *p,
				  const struct egressk_pkt *pkt,
				  struct nf_conn *ct)
{
	struct egressk_net *en = egressk_pernet(state->net);
	struct egressk_flow *f, *old;
	struct sock *sk = skb->sk;
	u32 anchor;

	if (pkt->tcp_syn) {
		/*
		 * Data in the SYN (TCP Fast Open) would leave before any
		 * verdict.  Failing the send makes the kernel fall back to a
		 * plain SYN and send the data after the handshake
		 * (tcp_send_syn_data).
		 */
		if (pkt->payload_len)
			return NF_DROP;
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}
	if (!pkt->payload_len) {
		egressk_count(p, allowed);
		return NF_ACCEPT;
	}

	/* a forwarded flow has no socket to hand held segments back to */
	if (!ct || !sk || !sk_fullsock(sk) ||
	    !egressk_flow_anchor(skb, ct, &anchor))
		goto err_limit;
	if (atomic_inc_return(&en->nr_flows) > EGRESSK_MAX_FLOWS)
		goto err_flows;
	if (atomic_inc_return(&en->nr_pending) > EGRESSK_MAX_PENDING)
		goto err_pending;
	/* the sending task's context: charged to the container's memcg */
	f = kzalloc(sizeof(*f), GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!f)
		goto err_pending;

	spin_lock_init(&f->lock);
	skb_queue_head_init(&f->held);
	f->state = EGRESSK_FLOW_PENDING;
	f->rule_id = CIDR_NONE;
	f->version = p->version;
	f->deadline = jiffies + EGRESSK_HOLD_TIMEOUT;
	f->next_seq = anchor;
	f->okfn = state->okfn;
	f->net = state->net;
	sock_hold(sk);
	f->sk = sk;
	nf_conntrack_get(&ct->ct_general);
	f->ct = ct;

	/* locked before it is visible, so a racing packet waits for us */
	spin_lock_bh(&f->lock);
	old = rhashtable_lookup_get_insert_fast(&en->flows, &f->node,
						egressk_flow_params);
	if (old) {
		spin_unlock_bh(&f->lock);
		sock_put(sk);
		nf_ct_put(ct);
		kfree(f);
		atomic_dec(&en->nr_pending);
		atomic_dec(&en->nr_flows);
		if (IS_ERR(old))
			goto err_limit;
		/* another CPU created it first (cannot happen for one socket) */
		spin_lock_bh(&old->lock);
		if (old->state != EGRESSK_FLOW_PENDING) {
			spin_unlock_bh(&old->lock);
			goto err_limit;
		}
		return egressk_flow_hold(skb, state, p, pkt, old);
	}
	egressk_count(p, flows_inspected);
	egressk_gc_kick(en);
	return egressk_flow_hold(skb, state, p, pkt, f);

err_pending:
	atomic_dec(&en->nr_pending);
err_flows:
	atomic_dec(&en->nr_flows);
err_limit:
	egressk_count(p, flows_table_full);
	return egressk_flow_block(skb, state, p, pkt, EGRESSK_REASON_FLOW_LIMIT,
			     CIDR_NONE, NULL);
}
