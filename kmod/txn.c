// SPDX-License-Identifier: GPL-2.0
/*
 * Staged transactions: one per netlink port, kept in init_net's state (the
 * genl family lives there only).  Storage grows by doubling with kvrealloc
 * and is bounded by EGRESSK_MAX_RULES, EGRESSK_MAX_RANGES_TOTAL and
 * EGRESSK_MAX_TXNS.  A transaction is dropped on commit, abort, error, and
 * when its socket closes (NETLINK_URELEASE).
 */
#include "egressk.h"

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/notifier.h>

#define EGRESSK_TXN_MIN_CAP	64

struct egressk_txn *egressk_txn_find(struct egressk_net *ien, u32 portid)
{
	struct egressk_txn *txn;

	lockdep_assert_held(&egressk_config_mutex);
	list_for_each_entry(txn, &ien->txns, list)
		if (txn->portid == portid)
			return txn;
	return NULL;
}

int egressk_txn_begin(struct egressk_net *ien, u32 portid, u64 cookie,
		      const struct egressk_settings *set,
		      struct netlink_ext_ack *extack)
{
	struct egressk_txn *txn;

	lockdep_assert_held(&egressk_config_mutex);

	if (egressk_txn_find(ien, portid)) {
		NL_SET_ERR_MSG(extack,
			       "a transaction is already open on this socket; commit or abort it first");
		return -EBUSY;
	}
	if (ien->nr_txns >= EGRESSK_MAX_TXNS) {
		NL_SET_ERR_MSG(extack,
			       "too many policy transactions open at once (EGRESSK_MAX_TXNS); retry later");
		return -ENOSPC;
	}
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn) {
		NL_SET_ERR_MSG(extack, "out of memory opening a transaction");
		return -ENOMEM;
	}
	txn->portid = portid;
	txn->cookie = cookie;
	txn->set = *set;
	list_add_tail(&txn->list, &ien->txns);
	ien->nr_txns++;
	return 0;
}

/* Make room for @more elements of @size in *@arr of capacity *@cap. */
static int egressk_grow(void **arr, u32 *cap, u32 used, u32 more,
			size_t size, u32 limit)
{
	u32 want = *cap ? *cap : EGRESSK_TXN_MIN_CAP;
	void *n;

	if (used + more <= *cap)
		return 0;
	while (want < used + more)
		want = want > limit / 2 ? limit : want * 2;
	n = kvrealloc(*arr, (size_t)*cap * size, (size_t)want * size,
		      GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = want;
	return 0;
}

/* Room for every domain pattern of the largest policy, NULs included. */
#define EGRESSK_MAX_NAMES_BYTES \
	(EGRESSK_MAX_DOMAIN_RULES * (EGRESSK_DOMAIN_NAME_MAX + 1))

/*
 * @name: the normalised pattern of a domain or dns-name rule (r->name_len
 * bytes), else NULL.
 */
int egressk_txn_append(struct egressk_txn *txn, const struct egressk_rule *r,
		       const struct cidr_port_range *ranges, const char *name,
		       struct netlink_ext_ack *extack)
{
	struct egressk_rule *dst;
	int err;

	lockdep_assert_held(&egressk_config_mutex);

	if (txn->nr_rules >= EGRESSK_MAX_RULES) {
		NL_SET_ERR_MSG(extack,
			       "policy has more than EGRESSK_MAX_RULES rules");
		return -E2BIG;
	}
	if (r->nr_ranges > EGRESSK_MAX_RANGES_TOTAL - txn->nr_ranges) {
		NL_SET_ERR_MSG(extack,
			       "policy has too many port ranges in all (EGRESSK_MAX_RANGES_TOTAL)");
		return -E2BIG;
	}

	if (name && txn->nr_domains >= EGRESSK_MAX_DOMAIN_RULES) {
		NL_SET_ERR_MSG(extack,
			       "policy has more than EGRESSK_MAX_DOMAIN_RULES domain and dns-name rules");
		return -E2BIG;
	}

	err = egressk_grow((void **)&txn->rules, &txn->cap_rules, txn->nr_rules,
			   1, sizeof(*txn->rules), EGRESSK_MAX_RULES);
	if (!err && name)
		err = egressk_grow((void **)&txn->names, &txn->cap_names,
				   txn->names_len, r->name_len + 1, 1,
				   EGRESSK_MAX_NAMES_BYTES);
	if (!err && r->nr_ranges)
		err = egressk_grow((void **)&txn->ranges, &txn->cap_ranges,
				   txn->nr_ranges, r->nr_ranges,
				   sizeof(*txn->ranges),
				   EGRESSK_MAX_RANGES_TOTAL);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory staging rules");
		return err;
	}

	dst = &txn->rules[txn->nr_rules++];
	*dst = *r;
	dst->ranges_off = txn->nr_ranges;
	if (r->nr_ranges) {
		memcpy(&txn->ranges[txn->nr_ranges], ranges,
		       r->nr_ranges * sizeof(*ranges));
		txn->nr_ranges += r->nr_ranges;
	}
	if (name) {
		dst->name_off = txn->names_len;
		memcpy(&txn->names[txn->names_len], name, r->name_len);
		txn->names[txn->names_len + r->name_len] = '\0';
		txn->names_len += r->name_len + 1;
		txn->nr_domains++;
	}
	return 0;
}

void egressk_txn_drop(struct egressk_net *ien, struct egressk_txn *txn)
{
	lockdep_assert_held(&egressk_config_mutex);

	list_del(&txn->list);
	ien->nr_txns--;
	kvfree(txn->rules);
	kvfree(txn->ranges);
	kvfree(txn->names);
	kfree(txn);
}

void egressk_txn_drop_all(struct egressk_net *ien)
{
	struct egressk_txn *txn, *tmp;

	lockdep_assert_held(&egressk_config_mutex);
	list_for_each_entry_safe(txn, tmp, &ien->txns, list)
		egressk_txn_drop(ien, txn);
}

/* A generic netlink socket in init_net closed: drop what it staged. */
static int egressk_netlink_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct egressk_txn *txn;
	struct egressk_net *ien;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net) || !n->portid)
		return NOTIFY_DONE;

	ien = egressk_pernet(&init_net);
	mutex_lock(&egressk_config_mutex);
	txn = egressk_txn_find(ien, n->portid);
	if (txn)
		egressk_txn_drop(ien, txn);
	mutex_unlock(&egressk_config_mutex);
	return NOTIFY_DONE;
}

struct notifier_block egressk_netlink_notifier = {
	.notifier_call = egressk_netlink_event,
};
