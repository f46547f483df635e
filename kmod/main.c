// SPDX-License-Identifier: GPL-2.0
/*
 * egressk: module init and exit only.
 */
#include "egressk.h"

#include <linux/module.h>
#include <linux/netlink.h>

static int __init egressk_init(void)
{
	int err;

	err = register_pernet_subsys(&egressk_net_ops);
	if (err)
		goto err_out;

	err = netlink_register_notifier(&egressk_netlink_notifier);
	if (err)
		goto err_pernet;

	err = genl_register_family(&egressk_genl_family);
	if (err)
		goto err_notifier;

	pr_info("loaded\n");
	return 0;

err_notifier:
	netlink_unregister_notifier(&egressk_netlink_notifier);
err_pernet:
	unregister_pernet_subsys(&egressk_net_ops);
err_out:
	return err;
}

static void __exit egressk_exit(void)
{
	/*
	 * No policy is loaded here: each one holds a module reference.  Stop
	 * new commands first, then the notifier, then per-netns state (which
	 * drops staged transactions), and wait for RCU callbacks that free
	 * policies before the code they run goes away.
	 */
	genl_unregister_family(&egressk_genl_family);
	netlink_unregister_notifier(&egressk_netlink_notifier);
	synchronize_net();
	unregister_pernet_subsys(&egressk_net_ops);
	rcu_barrier();
}

module_init(egressk_init);
module_exit(egressk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("egressk: per-network-namespace egress allowlists at LOCAL_OUT");
MODULE_ALIAS_GENL_FAMILY(EGRESSK_GENL_NAME);
