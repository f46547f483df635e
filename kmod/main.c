// SPDX-License-Identifier: GPL-2.0
/*
 * egressk: module init and exit only.
 */
#include "egressk.h"

#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/netdevice.h>

static int __init egressk_init(void)
{
	int err;

	err = register_pernet_subsys(&egressk_net_ops);
	if (err)
		goto err_out;

	err = netlink_register_notifier(&egressk_netlink_notifier);
	if (err)
		goto err_pernet;

	/* follows devices into and out of policed namespaces (netdev.c) */
	err = register_netdevice_notifier(&egressk_netdev_notifier);
	if (err)
		goto err_notifier;

	err = genl_register_family(&egressk_genl_family);
	if (err)
		goto err_netdev;

	pr_info("loaded\n");
	return 0;

err_netdev:
	unregister_netdevice_notifier(&egressk_netdev_notifier);
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
	 * No policy is loaded here: each one holds a module reference, so no
	 * device hook is left either.  Exact reverse of init: stop new
	 * commands first, then the notifiers, then per-netns state (which
	 * drops staged transactions), and wait for RCU callbacks that free
	 * policies before the code they run goes away.
	 */
	genl_unregister_family(&egressk_genl_family);
	unregister_netdevice_notifier(&egressk_netdev_notifier);
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
