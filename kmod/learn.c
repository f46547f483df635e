// SPDX-License-Identifier: GPL-2.0
/*
 * What DNS taught one network namespace (DESIGN.md sections 2 and 3).
 *
 * Two bounded tables, created when the namespace is attached and freed when
 * it is detached, after its hooks are gone:
 *
 *  - queries: questions that left through the uplink for a pinned
 *    resolver and whose name a domain rule covers, keyed by (conntrack
 *    entry, resolver, local port, ID, type, name); each holds a reference
 *    on its ct.  An answer is only learned from if it matches one; the
 *    first match marks it answered, and a second answer to it is counted
 *    and ignored until it is forgotten EGRESSK_DNS_ANSWERED_KEEP later.  At
 *    most EGRESSK_MAX_DNS_QUERIES, each forgotten after
 *    EGRESSK_DNS_QUERY_TIMEOUT.  Only DNS packets touch it, under the lock.
 *
 *  - addresses: an rhashtable keyed by (family, address), each node holding
 *    up to EGRESSK_LEARNED_NAMES names with their expiry.  The hooks read it
 *    under RCU without locks.  A node is immutable except for its expiry
 *    words (u64, written with WRITE_ONCE): a new name replaces the whole node
 *    (rhashtable_replace_fast, the old one freed after a grace period).  At
 *    most EGRESSK_MAX_LEARNED nodes; when full, new addresses are not learned
 *    (fail closed: their flows are refused, the caller counts it).
 *
 * Names are stored, not rule ids, because rule ids are positions in one
 * policy: after a re-apply the same names are matched against the new rules.
 *
 * Writers (answers in softirq, queries in process or softirq context, the
 * GC work) serialise on egressk_learn.lock with BH disabled.  Every
 * allocation is GFP_ATOMIC and its failure only means "not learned".
 */
#include "egressk.h"

#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>

#include "parse.h"

#define EGRESSK_DNS_QUERY_HASH_BITS	6

struct egressk_learn_key {
	union egressk_addr addr;	/* IPv4: a4, the rest zero */
	u8 family;
	u8 pad[3];
};

struct egressk_learn_name {
	u64 expires;		/* jiffies64; may be raised in place */
	u16 off;		/* into egressk_learned.names */
	u8 len;
};

struct egressk_learned {
	struct rhash_head node;
	struct egressk_learn_key key;
	struct rcu_head rcu;
	u8 nr;
	struct egressk_learn_name slot[EGRESSK_LEARNED_NAMES];
	char names[];		/* @nr NUL-terminated names */
};

struct egressk_dns_query {
	struct hlist_node node;
	u64 expires;		/* jiffies64 */
	struct nf_conn *ct;	/* the query's connection; referenced */
	struct mem_cgroup *memcg;	/* the sender's, referenced; or NULL */
	union egressk_addr server;
	u8 family;
	u8 len;
	bool answered;		/* kept a little longer to count a second answer */
	u16 sport;
	u16 id;
	u16 qtype;
	char name[];		/* @len bytes, NUL-terminated */
};

struct egressk_learn {
	spinlock_t lock;		/* writers of both tables */
	struct rhashtable addrs;	/* struct egressk_learned */
	atomic_t nr_addrs;
	u32 nr_queries;
	struct hlist_head queries[1 << EGRESSK_DNS_QUERY_HASH_BITS];
};

static const struct rhashtable_params egressk_learn_params = {
	.key_len = sizeof(struct egressk_learn_key),
	.key_offset = offsetof(struct egressk_learned, key),
	.head_offset = offsetof(struct egressk_learned, node),
	.automatic_shrinking = true,
};

static struct egressk_learn_key egressk_learn_key(u8 family,
						  const union egressk_addr *a)
{
	struct egressk_learn_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	if (family == AF_INET)
		k.addr.a4 = a->a4;
	else
		k.addr.a6 = a->a6;
	return k;
}

static bool egressk_addr_eq(u8 family, const union egressk_addr *a,
			    const union egressk_addr *b)
{
	return family == AF_INET ? a->a4 == b->a4 :
				   ipv6_addr_equal(&a->a6, &b->a6);
}

int egressk_learn_init(struct egressk_net *en)
{
	struct egressk_learn *l;
	int err, i;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	spin_lock_init(&l->lock);
	for (i = 0; i < ARRAY_SIZE(l->queries); i++)
		INIT_HLIST_HEAD(&l->queries[i]);
	err = rhashtable_init(&l->addrs, &egressk_learn_params);
	if (err) {
		kfree(l);
		return err;
	}
	en->learn = l;
	return 0;
}

static void egressk_learned_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/* The namespace is detaching: no hook and no GC run any more. */
void egressk_learn_destroy(struct egressk_net *en)
{
	struct egressk_learn *l = en->learn;
	struct egressk_dns_query *q;
	struct hlist_node *tmp;
	int i;

	if (!l)
		return;
	en->learn = NULL;
	rhashtable_free_and_destroy(&l->addrs, egressk_learned_free, NULL);
	for (i = 0; i < ARRAY_SIZE(l->queries); i++)
		hlist_for_each_entry_safe(q, tmp, &l->queries[i], node) {
			nf_ct_put(q->ct);
			mem_cgroup_put(q->memcg);
			kfree(q);
		}
	kfree(l);
}

u32 egressk_learn_count(struct egressk_net *en)
{
	return en->learn ? atomic_read(&en->learn->nr_addrs) : 0;
}

/* ------------------------------------------------------------- queries */

static struct hlist_head *egressk_query_bucket(struct egressk_learn *l,
					       u16 sport, u16 id)
{
	return &l->queries[hash_32(((u32)sport << 16) | id,
				   EGRESSK_DNS_QUERY_HASH_BITS)];
}

static void egressk_query_drop(struct egressk_learn *l,
			       struct egressk_dns_query *q)
{
	lockdep_assert_held(&l->lock);
	hlist_del(&q->node);
	l->nr_queries--;
	nf_ct_put(q->ct);
	mem_cgroup_put(q->memcg);
	kfree(q);
}

/* Under the lock: forget queries nobody answered in time. */
static void egressk_query_expire(struct egressk_learn *l, u64 now)
{
	struct egressk_dns_query *q;
	struct hlist_node *tmp;
	int i;

	lockdep_assert_held(&l->lock);
	for (i = 0; i < ARRAY_SIZE(l->queries); i++)
		hlist_for_each_entry_safe(q, tmp, &l->queries[i], node)
			if (time_after64(now, q->expires))
				egressk_query_drop(l, q);
}

void egressk_learn_query(struct egressk_net *en, struct nf_conn *ct,
			 u8 family, const union egressk_addr *server,
			 u16 sport, u16 id, u16 qtype, const char *name,
			 size_t len)
{
	struct egressk_learn *l = en->learn;
	struct egressk_dns_query *q;
	u64 now = get_jiffies_64();

	if (!l || !ct || len > EGRESSK_NAME_MAX)
		return;
	/* sent by a task of the container: charged to its memory cgroup */
	q = kmalloc(struct_size(q, name, len + 1),
		    GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!q)
		return;		/* its answer will not be learned from */
	nf_conntrack_get(&ct->ct_general);
	q->ct = ct;
	/*
	 * The answer is learned from in softirq, where no task is charged:
	 * remember whose memory cgroup the learned addresses belong to.
	 */
	q->memcg = in_task() && current->mm ?
		   get_mem_cgroup_from_mm(current->mm) : NULL;
	q->answered = false;
	q->expires = now + EGRESSK_DNS_QUERY_TIMEOUT;
	q->server = *server;
	q->family = family;
	q->sport = sport;
	q->id = id;
	q->qtype = qtype;
	q->len = len;
	memcpy(q->name, name, len);
	q->name[len] = '\0';

	spin_lock_bh(&l->lock);
	if (l->nr_queries >= EGRESSK_MAX_DNS_QUERIES)
		egressk_query_expire(l, now);
	if (l->nr_queries >= EGRESSK_MAX_DNS_QUERIES) {
		spin_unlock_bh(&l->lock);
		nf_ct_put(ct);
		mem_cgroup_put(q->memcg);
		kfree(q);
		return;
	}
	hlist_add_head(&q->node, egressk_query_bucket(l, sport, id));
	l->nr_queries++;
	spin_unlock_bh(&l->lock);
}

int egressk_learn_answered(struct egressk_net *en, const struct nf_conn *ct,
			   u8 family, const union egressk_addr *server,
			   u16 dport, u16 id, u16 qtype, const char *name,
			   size_t len, struct mem_cgroup **memcg)
{
	struct egressk_learn *l = en->learn;
	struct egressk_dns_query *q;
	u64 now = get_jiffies_64();
	int ret = EGRESSK_ANSWER_UNASKED;

	if (!l)
		return ret;
	spin_lock_bh(&l->lock);
	hlist_for_each_entry(q, egressk_query_bucket(l, dport, id), node) {
		if (q->ct != ct || q->family != family || q->sport != dport ||
		    q->id != id || q->qtype != qtype || q->len != len ||
		    !egressk_addr_eq(family, &q->server, server) ||
		    memcmp(q->name, name, len))
			continue;
		if (time_after64(now, q->expires)) {
			egressk_query_drop(l, q);
			break;
		}
		if (q->answered) {
			ret = EGRESSK_ANSWER_DUPLICATE;
			break;
		}
		/* only a second answer soon after is worth telling apart */
		q->answered = true;
		q->expires = min(q->expires, now + EGRESSK_DNS_ANSWERED_KEEP);
		/* the caller charges what it learns to it, then puts it */
		*memcg = q->memcg;
		q->memcg = NULL;
		ret = EGRESSK_ANSWER_FIRST;
		break;
	}
	spin_unlock_bh(&l->lock);
	return ret;
}

/* ----------------------------------------------------------- addresses */

/*
 * A copy of @old (may be NULL) without its expired names, plus @name until
 * @expires.  When every slot is taken, the name that expires first goes.
 */
static struct egressk_learned *
egressk_learned_build(const struct egressk_learned *old,
		      const struct egressk_learn_key *key, const char *name,
		      size_t len, u64 expires, u64 now)
{
	struct egressk_learn_name keep[EGRESSK_LEARNED_NAMES];
	const char *keep_name[EGRESSK_LEARNED_NAMES];
	struct egressk_learned *n;
	size_t bytes = len + 1;
	u32 i, nk = 0, off;

	for (i = 0; old && i < old->nr; i++) {
		u64 e = READ_ONCE(old->slot[i].expires);

		if (time_after64(now, e))
			continue;
		keep[nk] = old->slot[i];
		keep[nk].expires = e;
		keep_name[nk] = old->names + old->slot[i].off;
		nk++;
	}
	if (nk == EGRESSK_LEARNED_NAMES) {
		u32 first = 0;

		for (i = 1; i < nk; i++)
			if (time_before64(keep[i].expires, keep[first].expires))
				first = i;
		keep[first] = keep[nk - 1];
		keep_name[first] = keep_name[nk - 1];
		nk--;
	}
	for (i = 0; i < nk; i++)
		bytes += keep[i].len + 1;

	/* charged to the active memcg: the querying task's (dns.c) */
	n = kzalloc(struct_size(n, names, bytes),
		    GFP_ATOMIC | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!n)
		return NULL;
	n->key = *key;
	off = 0;
	for (i = 0; i < nk; i++) {
		n->slot[i] = keep[i];
		n->slot[i].off = off;
		memcpy(n->names + off, keep_name[i], keep[i].len + 1);
		off += keep[i].len + 1;
	}
	n->slot[nk].expires = expires;
	n->slot[nk].off = off;
	n->slot[nk].len = len;
	memcpy(n->names + off, name, len);
	n->names[off + len] = '\0';
	n->nr = nk + 1;
	return n;
}

int egressk_learn_addr(struct egressk_net *en, u8 family,
		       const union egressk_addr *addr, const char *name,
		       size_t len, u32 seconds)
{
	struct egressk_learn *l = en->learn;
	struct egressk_learn_key key = egressk_learn_key(family, addr);
	u64 now = get_jiffies_64();
	u64 expires = now + (u64)seconds * HZ;
	struct egressk_learned *old, *n;
	int err = 0;
	u32 i;

	if (!l || !len || len > EGRESSK_NAME_MAX)
		return -EINVAL;

	spin_lock_bh(&l->lock);
	old = rhashtable_lookup_fast(&l->addrs, &key, egressk_learn_params);
	if (old) {
		for (i = 0; i < old->nr; i++) {
			struct egressk_learn_name *s = &old->slot[i];

			if (s->len != len || memcmp(old->names + s->off, name, len))
				continue;
			/* a shorter TTL never cuts a name short */
			if (time_after64(expires, READ_ONCE(s->expires)))
				WRITE_ONCE(s->expires, expires);
			goto out;
		}
	} else if (atomic_read(&l->nr_addrs) >= EGRESSK_MAX_LEARNED) {
		err = -ENOSPC;
		goto out;
	}

	n = egressk_learned_build(old, &key, name, len, expires, now);
	if (!n) {
		err = -ENOMEM;
		goto out;
	}
	if (old) {
		err = rhashtable_replace_fast(&l->addrs, &old->node, &n->node,
					      egressk_learn_params);
		if (!err)
			kfree_rcu(old, rcu);
	} else {
		err = rhashtable_insert_fast(&l->addrs, &n->node,
					     egressk_learn_params);
		if (!err)
			atomic_inc(&l->nr_addrs);
	}
	if (err)
		kfree(n);
out:
	spin_unlock_bh(&l->lock);
	return err;
}

u32 egressk_learn_rule(struct egressk_net *en, const struct egressk_policy *p,
		       u8 family, const union egressk_addr *daddr, u16 port,
		       u32 want)
{
	struct egressk_learn *l = en->learn;
	struct egressk_learn_key key;
	struct egressk_learned *n;
	const char *pattern = NULL;
	u64 now;
	u32 i;

	if (!l || !atomic_read(&l->nr_addrs))
		return DOMAIN_NONE;
	key = egressk_learn_key(family, daddr);
	n = rhashtable_lookup(&l->addrs, &key, egressk_learn_params);
	if (!n)
		return DOMAIN_NONE;
	if (want != DOMAIN_NONE)
		pattern = &p->names[p->rules[want].name_off];

	now = get_jiffies_64();
	for (i = 0; i < n->nr; i++) {
		struct egressk_learn_name *s = &n->slot[i];
		const char *name = n->names + s->off;
		u64 e = READ_ONCE(s->expires), keep;
		u32 rule;

		if (time_after64(now, e))
			continue;
		if (pattern)
			rule = egressk_domain_match(pattern, name) ? want :
								     DOMAIN_NONE;
		else
			rule = domain_table_match(&p->domains, name, s->len,
						  port);
		if (rule == DOMAIN_NONE)
			continue;
		/* in use: alive for at least the floor from now */
		keep = now + (u64)p->ttl_floor * HZ;
		if (time_after64(keep, e))
			WRITE_ONCE(s->expires, keep);
		return rule;
	}
	return DOMAIN_NONE;
}

/* ------------------------------------------------------------ GC, dump */

/* True when every name of @n has expired. */
static bool egressk_learned_over(const struct egressk_learned *n, u64 now)
{
	u32 i;

	for (i = 0; i < n->nr; i++)
		if (!time_after64(now, READ_ONCE(n->slot[i].expires)))
			return false;
	return true;
}

/* From the flow GC work, every EGRESSK_FLOW_GC_INTERVAL. */
void egressk_learn_gc(struct egressk_net *en)
{
	struct egressk_learn *l = en->learn;
	struct rhashtable_iter iter;
	struct egressk_learned *n;
	u64 now = get_jiffies_64();

	if (!l)
		return;
	spin_lock_bh(&l->lock);
	egressk_query_expire(l, now);
	spin_unlock_bh(&l->lock);

	if (!atomic_read(&l->nr_addrs))
		return;
	rhashtable_walk_enter(&l->addrs, &iter);
	rhashtable_walk_start(&iter);
	while ((n = rhashtable_walk_next(&iter))) {
		if (IS_ERR(n)) {
			if (PTR_ERR(n) == -EAGAIN)
				continue;
			break;
		}
		if (!egressk_learned_over(n, now))
			continue;
		spin_lock_bh(&l->lock);
		/* a writer may have replaced it with a fresher node */
		if (!rhashtable_remove_fast(&l->addrs, &n->node,
					    egressk_learn_params)) {
			atomic_dec(&l->nr_addrs);
			kfree_rcu(n, rcu);
		}
		spin_unlock_bh(&l->lock);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/* Is the GC needed: anything learned or asked. */
bool egressk_learn_busy(struct egressk_net *en)
{
	struct egressk_learn *l = en->learn;

	return l && (atomic_read(&l->nr_addrs) || READ_ONCE(l->nr_queries));
}

int egressk_learn_walk(struct egressk_net *en, egressk_learn_visit_t visit,
		       void *arg)
{
	struct egressk_learn *l = en->learn;
	struct rhashtable_iter iter;
	struct egressk_learned *n;
	u64 now = get_jiffies_64();
	int err = 0;

	if (!l)
		return 0;
	rhashtable_walk_enter(&l->addrs, &iter);
	rhashtable_walk_start(&iter);
	while (!err && (n = rhashtable_walk_next(&iter))) {
		u32 i;

		if (IS_ERR(n)) {
			if (PTR_ERR(n) == -EAGAIN)
				continue;
			break;
		}
		for (i = 0; !err && i < n->nr; i++) {
			u64 e = READ_ONCE(n->slot[i].expires);
			u32 left = time_after64(e, now) ?
				   DIV_ROUND_UP_ULL(e - now, HZ) : 0;

			err = visit(arg, n->key.family, &n->key.addr,
				    n->names + n->slot[i].off, left);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return err;
}
