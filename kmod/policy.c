// SPDX-License-Identifier: GPL-2.0
/*
 * The policy compiler: turns a staged transaction into an immutable
 * egressk_policy (process context, GFP_KERNEL), and the policy's lifetime
 * (refcount, freed after an RCU grace period).
 */
#include "egressk.h"

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/socket.h>
#include <asm/unaligned.h>

/* "allow dns ADDRESS" is udp and tcp port 53 */
static const struct cidr_port_range egressk_dns_rule_port = { 53, 53 };

static void egressk_policy_free(struct egressk_policy *p)
{
	cidr_table_free(&p->v4);
	cidr_table_free(&p->v6);
	domain_table_free(&p->domains);
	domain_table_free(&p->dns_names);
	kvfree(p->names);
	kvfree(p->hits);
	kvfree(p->rules);
	kvfree(p->ranges);
	kfree(p);
}

static void egressk_policy_free_rcu(struct rcu_head *head)
{
	/* kvfree of vmalloc memory is deferred by vfree in softirq context */
	egressk_policy_free(container_of(head, struct egressk_policy, rcu));
}

void egressk_policy_put(struct egressk_policy *p)
{
	if (p && refcount_dec_and_test(&p->ref))
		call_rcu(&p->rcu, egressk_policy_free_rcu);
}

/* Caller holds rcu_read_lock and found @p through egressk_net.policy. */
bool egressk_policy_tryget(struct egressk_policy *p)
{
	return refcount_inc_not_zero(&p->ref);
}

static struct cidr_key egressk_rule_key(const struct egressk_rule *r)
{
	struct cidr_key k;

	if (r->family == AF_INET) {
		k.hi = 0;
		k.lo = be32_to_cpu(r->addr.a4);
	} else {
		k.hi = get_unaligned_be64(&r->addr.a6.s6_addr[0]);
		k.lo = get_unaligned_be64(&r->addr.a6.s6_addr[8]);
	}
	return k;
}

static u8 egressk_cidr_proto(u8 proto)
{
	switch (proto) {
	case EGRESSK_PROTO_TCP:
		return CIDR_PROTO_TCP;
	case EGRESSK_PROTO_UDP:
		return CIDR_PROTO_UDP;
	case EGRESSK_PROTO_ICMP:
		return CIDR_PROTO_ICMP;
	default:
		return CIDR_PROTO_ANY;
	}
}

/* Fill the compiler input for rules of @family; returns entries written. */
static u32 egressk_fill_input(const struct egressk_policy *p, u8 family,
			      struct cidr_rule_in *in)
{
	u32 i, n = 0;

	for (i = 0; i < p->nr_rules; i++) {
		const struct egressk_rule *r = &p->rules[i];
		struct cidr_rule_in *e = &in[n];

		if (egressk_rule_named(r) || r->family != family)
			continue;
		e->addr = egressk_rule_key(r);
		e->prefixlen = r->prefixlen;
		e->action = r->action == EGRESSK_ACTION_DENY ? CIDR_DENY : CIDR_ALLOW;
		e->id = i;
		if (r->kind == EGRESSK_RULE_KIND_DNS) {
			e->proto = CIDR_PROTO_UDP;
			e->nr_ranges = 1;
			e->ranges = &egressk_dns_rule_port;
			in[n + 1] = *e;
			in[n + 1].proto = CIDR_PROTO_TCP;
			n += 2;
			continue;
		}
		e->proto = egressk_cidr_proto(r->proto);
		e->nr_ranges = r->nr_ranges;
		e->ranges = r->nr_ranges ? &p->ranges[r->ranges_off] : NULL;
		n++;
	}
	return n;
}

/*
 * Compile the named rules of @kind (EGRESSK_RULE_KIND_DOMAIN or _DNS_NAME)
 * into @t.  dns-name rules have no ports; the filter matches them on any.
 */
static int egressk_build_names(struct egressk_policy *p, u8 kind,
			       struct domain_table *t)
{
	struct domain_rule_in *in;
	u32 i, n = 0, want = 0;
	int err;

	for (i = 0; i < p->nr_rules; i++)
		want += p->rules[i].kind == kind;
	if (!want)
		return domain_table_build(t, NULL, 0);
	in = kvmalloc_array(want, sizeof(*in), GFP_KERNEL_ACCOUNT);
	if (!in)
		return -ENOMEM;
	for (i = 0; i < p->nr_rules; i++) {
		const struct egressk_rule *r = &p->rules[i];
		struct domain_rule_in *e = &in[n];
		const char *base;
		size_t base_len;

		if (r->kind != kind)
			continue;
		err = domain_pattern_split(&p->names[r->name_off], r->name_len,
					   &base, &base_len, &e->kind);
		if (err)
			goto out;
		e->base = base;
		e->base_len = base_len;
		e->id = i;
		e->nr_ranges = r->nr_ranges;
		e->ranges = r->nr_ranges ? &p->ranges[r->ranges_off] : NULL;
		n++;
	}
	err = domain_table_build(t, in, n);
out:
	kvfree(in);
	return err;
}

/*
 * Compile @txn into a new policy holding one reference.  The staged arrays
 * move into the policy, so @txn is empty afterwards whatever the outcome.
 * Rules were validated when they were staged; the compiler re-checks
 * structure and fails with -EINVAL if that was bypassed.
 */
struct egressk_policy *egressk_policy_build(struct egressk_txn *txn,
					    struct netlink_ext_ack *extack)
{
	struct cidr_rule_in *in = NULL;
	struct egressk_policy *p;
	u32 i, n4 = 0, n6 = 0;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		NL_SET_ERR_MSG(extack, "out of memory compiling the policy");
		return ERR_PTR(-ENOMEM);
	}
	refcount_set(&p->ref, 1);
	p->mode = txn->set.mode;
	p->dflt = txn->set.dflt;
	p->flags = txn->set.flags;
	p->dns_filter = txn->set.dns_filter;
	p->binding = txn->set.binding;
	p->ttl_floor = txn->set.ttl_floor;
	p->ttl_ceiling = txn->set.ttl_ceiling;
	p->nr_rules = txn->nr_rules;
	p->nr_ranges = txn->nr_ranges;
	p->rules = txn->rules;
	p->ranges = txn->ranges;
	p->names = txn->names;
	txn->rules = NULL;
	txn->ranges = NULL;
	txn->names = NULL;
	txn->nr_domains = 0;
	txn->names_len = 0;
	txn->cap_names = 0;
	txn->nr_rules = 0;
	txn->cap_rules = 0;
	txn->nr_ranges = 0;
	txn->cap_ranges = 0;

	err = -ENOMEM;
	if (p->nr_rules) {
		p->hits = kvcalloc(p->nr_rules, sizeof(*p->hits),
				   GFP_KERNEL_ACCOUNT);
		if (!p->hits)
			goto err_nomem;
	}

	for (i = 0; i < p->nr_rules; i++) {
		u32 w = p->rules[i].kind == EGRESSK_RULE_KIND_DNS ? 2 : 1;

		if (p->rules[i].kind == EGRESSK_RULE_KIND_DNS)
			p->nr_resolvers++;
		if (egressk_rule_named(&p->rules[i]))
			continue;
		if (p->rules[i].family == AF_INET)
			n4 += w;
		else
			n6 += w;
	}
	if (n4 + n6) {
		in = kvmalloc_array(n4 + n6, sizeof(*in), GFP_KERNEL_ACCOUNT);
		if (!in)
			goto err_nomem;
	}

	n4 = egressk_fill_input(p, AF_INET, in);
	err = cidr_table_build(&p->v4, 32, in, n4);
	if (err)
		goto err_build;
	n6 = egressk_fill_input(p, AF_INET6, in ? in + n4 : NULL);
	err = cidr_table_build(&p->v6, 128, in ? in + n4 : NULL, n6);
	if (err)
		goto err_build;
	err = egressk_build_names(p, EGRESSK_RULE_KIND_DOMAIN, &p->domains);
	if (!err)
		err = egressk_build_names(p, EGRESSK_RULE_KIND_DNS_NAME,
					  &p->dns_names);
	if (err == -EINVAL) {
		NL_SET_ERR_MSG(extack, "a staged domain rule is not a valid name");
		goto err_free;
	}
	if (err)
		goto err_nomem;
	kvfree(in);
	return p;

err_build:
	if (err == -EINVAL) {
		NL_SET_ERR_MSG(extack, "a staged rule is not a valid prefix");
		goto err_free;
	}
err_nomem:
	NL_SET_ERR_MSG(extack, "out of memory compiling the policy");
err_free:
	kvfree(in);
	egressk_policy_free(p);
	return ERR_PTR(err);
}

/* The hot path: no locks, no allocation.  Caller holds rcu_read_lock. */
struct cidr_result egressk_policy_lookup(const struct egressk_policy *p,
					 u8 family, const struct cidr_key *key,
					 enum cidr_proto proto, bool has_port,
					 u16 port)
{
	return cidr_lookup(family == AF_INET ? &p->v4 : &p->v6, key, proto,
			   has_port, port);
}
