// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace state and the policy lifecycle in one namespace:
 * attach (conntrack, hooks, counters, module reference) on the first policy,
 * atomic replacement, and detach on clear or namespace exit.  Attach and
 * detach also hook every device (netdev.c) and the host-side peer of every
 * uplink (guard.c), so they run under rtnl, taken before the config mutex.
 *
 * A namespace without a policy has no hooks and no counters.
 */
#include "egressk.h"

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/netfilter/nf_conntrack.h>

/* serialises every writer of policy and transaction state (egressk.h) */
DEFINE_MUTEX(egressk_config_mutex);
unsigned int egressk_net_id __read_mostly;

static struct egressk_policy *egressk_policy_deref(struct egressk_net *en)
{
	return rcu_dereference_protected(en->policy,
					 lockdep_is_held(&egressk_config_mutex));
}

static int egressk_attach(struct net *net, struct egressk_net *en)
{
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	/* held while any policy is loaded: rmmod must fail, not fail open */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	en->stats = alloc_percpu(struct egressk_stats);
	if (!en->stats) {
		err = -ENOMEM;
		goto err_module;
	}

	err = nf_ct_netns_get(net, NFPROTO_INET);
	if (err)
		goto err_stats;

	/* what DNS answers teach (the flow GC work also ages it) */
	err = egressk_learn_init(en);
	if (err)
		goto err_ct;

	/* connections seen starting on the uplink: their replies pass */
	err = egressk_inbound_init(en);
	if (err)
		goto err_learn;

	/* the table the hooks keep domain-inspected flows in */
	err = egressk_flows_init(net, en);
	if (err)
		goto err_inbound;

	err = nf_register_net_hooks(net, egressk_nf_ops,
				    ARRAY_SIZE(egressk_nf_ops));
	if (err)
		goto err_flows;

	/* packet sockets: one NETDEV_EGRESS hook per device */
	err = egressk_netdev_attach(net, en);
	if (err)
		goto err_hooks;

	/* the host-side guard on the peer of every uplink */
	err = egressk_guard_attach(net, en);
	if (err)
		goto err_devhooks;

	WRITE_ONCE(en->attached, true);
	return 0;

err_devhooks:
	egressk_netdev_detach(net, en);
err_hooks:
	nf_unregister_net_hooks(net, egressk_nf_ops, ARRAY_SIZE(egressk_nf_ops));
	synchronize_net();
err_flows:
	egressk_flows_destroy(en);
err_inbound:
	egressk_inbound_destroy(en);
err_learn:
	egressk_learn_destroy(en);
err_ct:
	nf_ct_netns_put(net, NFPROTO_INET);
err_stats:
	free_percpu(en->stats);
	en->stats = NULL;
err_module:
	module_put(THIS_MODULE);
	return err;
}

/* Exact reverse of egressk_attach, plus unpublishing the policy. */
static void egressk_detach(struct net *net, struct egressk_net *en)
{
	struct egressk_policy *old;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);
	if (!en->attached)
		return;

	old = rcu_replace_pointer(en->policy, NULL,
				  lockdep_is_held(&egressk_config_mutex));
	egressk_guard_detach(net, en);
	egressk_netdev_detach(net, en);
	nf_unregister_net_hooks(net, egressk_nf_ops, ARRAY_SIZE(egressk_nf_ops));

	/* no hook and no RCU reader can still see the counters after this */
	synchronize_net();
	/* flows hold ct references: drop them before conntrack's own exit */
	egressk_flows_destroy(en);
	egressk_inbound_destroy(en);
	egressk_learn_destroy(en);
	nf_ct_netns_put(net, NFPROTO_INET);
	if (old)
		egressk_policy_put(old);
	free_percpu(en->stats);
	en->stats = NULL;
	WRITE_ONCE(en->attached, false);
	module_put(THIS_MODULE);
}

/*
 * Publish @p in @net, replacing any previous policy atomically.  Consumes
 * the caller's reference on @p on success only.  The first policy in a
 * namespace attaches it, which needs rtnl: the caller says whether it took
 * rtnl (before the config mutex); -EAGAIN if it did not and must.
 */
int egressk_policy_install(struct net *net, struct egressk_policy *p,
			   bool rtnl_held)
{
	struct egressk_net *en = egressk_pernet(net);
	struct egressk_policy *old;
	int err;

	lockdep_assert_held(&egressk_config_mutex);

	if (!en->attached) {
		if (WARN_ON_ONCE(!rtnl_held))
			return -EAGAIN;
		err = egressk_attach(net, en);
		if (err)
			return err;
	}

	p->version = ++en->version;
	p->stats = en->stats;
	old = rcu_replace_pointer(en->policy, p,
				  lockdep_is_held(&egressk_config_mutex));
	if (old)
		egressk_policy_put(old);	/* freed after a grace period */
	return 0;
}

int egressk_policy_remove(struct net *net)
{
	struct egressk_net *en = egressk_pernet(net);

	lockdep_assert_held(&egressk_config_mutex);

	if (!egressk_policy_deref(en))
		return -ENOENT;
	egressk_detach(net, en);
	return 0;
}

void egressk_stats_sum(const struct egressk_stats __percpu *pcpu,
		       struct egressk_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	if (!pcpu)
		return;
	for_each_possible_cpu(cpu) {
		const struct egressk_stats *s = per_cpu_ptr(pcpu, cpu);

		sum->allowed += READ_ONCE(s->allowed);
		sum->rejected += READ_ONCE(s->rejected);
		sum->dropped += READ_ONCE(s->dropped);
		sum->audited += READ_ONCE(s->audited);
		sum->raw_rejected += READ_ONCE(s->raw_rejected);
		sum->events_lost += READ_ONCE(s->events_lost);
		sum->malformed += READ_ONCE(s->malformed);
		sum->flows_inspected += READ_ONCE(s->flows_inspected);
		sum->flows_domain_allowed += READ_ONCE(s->flows_domain_allowed);
		sum->flows_domain_rejected += READ_ONCE(s->flows_domain_rejected);
		sum->flows_hold_limit += READ_ONCE(s->flows_hold_limit);
		sum->flows_hold_timeout += READ_ONCE(s->flows_hold_timeout);
		sum->flows_table_full += READ_ONCE(s->flows_table_full);
		sum->flows_policy_cut += READ_ONCE(s->flows_policy_cut);
		sum->dns_queries += READ_ONCE(s->dns_queries);
		sum->dns_refused += READ_ONCE(s->dns_refused);
		sum->dns_unpinned += READ_ONCE(s->dns_unpinned);
		sum->dns_learned += READ_ONCE(s->dns_learned);
		sum->dns_learn_full += READ_ONCE(s->dns_learn_full);
		sum->dns_ignored += READ_ONCE(s->dns_ignored);
		sum->flows_not_learned += READ_ONCE(s->flows_not_learned);
		sum->inbound_full += READ_ONCE(s->inbound_full);
		sum->dns_duplicate += READ_ONCE(s->dns_duplicate);
		sum->guard_dropped += READ_ONCE(s->guard_dropped);
	}
}

static int __net_init egressk_net_init(struct net *net)
{
	struct egressk_net *en = egressk_pernet(net);

	RCU_INIT_POINTER(en->policy, NULL);
	en->stats = NULL;
	en->version = 0;
	en->attached = false;
	INIT_LIST_HEAD(&en->txns);
	en->nr_txns = 0;
	INIT_LIST_HEAD(&en->devhooks);
	en->nr_devhooks = 0;
	INIT_LIST_HEAD(&en->guards);
	en->nr_guards = 0;
	INIT_LIST_HEAD(&en->hosted);
	en->learn = NULL;
	egressk_event_init(en);
	return 0;
}

/*
 * The namespace is going away: drop its policy, hooks and conntrack
 * reference before conntrack's own exit runs.  A namespace that never had
 * a policy (most of a build farm's churn) takes no lock at all: nothing can
 * attach it now, since attaching needs a reference on it.
 */
static void __net_exit egressk_net_pre_exit(struct net *net)
{
	struct egressk_net *en = egressk_pernet(net);

	if (!READ_ONCE(en->attached))
		return;
	rtnl_lock();
	mutex_lock(&egressk_config_mutex);
	egressk_detach(net, en);
	mutex_unlock(&egressk_config_mutex);
	rtnl_unlock();
}

static void __net_exit egressk_net_exit(struct net *net)
{
	struct egressk_net *en = egressk_pernet(net);

	WARN_ON_ONCE(READ_ONCE(en->attached));
	WARN_ON_ONCE(!list_empty(&en->devhooks));
	WARN_ON_ONCE(!list_empty(&en->guards));
	/* its devices are gone, and the guards on them with them */
	WARN_ON_ONCE(!list_empty(&en->hosted));
	/* only init_net has transactions, and only at module unload */
	if (!net_eq(net, &init_net))
		return;
	mutex_lock(&egressk_config_mutex);
	egressk_txn_drop_all(en);
	mutex_unlock(&egressk_config_mutex);
}

struct pernet_operations egressk_net_ops = {
	.init = egressk_net_init,
	.pre_exit = egressk_net_pre_exit,
	.exit = egressk_net_exit,
	.id = &egressk_net_id,
	.size = sizeof(struct egressk_net),
};
