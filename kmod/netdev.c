// SPDX-License-Identifier: GPL-2.0
/*
 * Packet sockets (DESIGN.md section 2): an NF_NETDEV_EGRESS hook on every
 * device of a policed namespace, loopback included, drops frames sent by
 * AF_PACKET sockets (SOCK_RAW, SOCK_DGRAM, SOCK_PACKET, with or without
 * PACKET_QDISC_BYPASS: af_packet runs the egress hook on both paths) unless
 * the policy says "allow raw".  Everything else passes after two loads and
 * a compare.
 *
 * One struct egressk_devhook per device, kept on the namespace's list.
 * Writers hold rtnl and egressk_config_mutex, in that order: attach and
 * detach (pernet.c) and the netdevice notifier below.  The notifier follows
 * devices: NETDEV_REGISTER (created in, or moved into, the namespace),
 * NETDEV_UNREGISTER (destroyed, or moved out), and NETDEV_PRE_UP, which
 * refuses to bring up a device that has no hook (fail closed: a device moved
 * in whose hook could not be registered stays down).
 *
 * No device reference is held: a device on the list cannot be freed before
 * its NETDEV_UNREGISTER notification, which takes it off the list first.
 */
#include "egressk.h"

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netdevice.h>
#include <linux/netfilter_netdev.h>
#include <linux/notifier.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/sock.h>

struct egressk_devhook {
	struct list_head list;
	struct rcu_head rcu;
	struct nf_hook_ops ops;		/* ops.dev is the device */
};

/* A frame some AF_PACKET socket sent (never a kernel-made one). */
static bool egressk_from_packet_socket(const struct sk_buff *skb)
{
	const struct sock *sk = skb->sk;

	return sk && sk_fullsock(sk) && sk->sk_family == PF_PACKET;
}

/* Ports of a TCP or UDP header at @off, when readable. */
static void egressk_netdev_ports(const struct sk_buff *skb, unsigned int off,
				 struct egressk_event *ev)
{
	__be16 _ports[2];
	const __be16 *ports;

	if (ev->proto != IPPROTO_TCP && ev->proto != IPPROTO_UDP)
		return;
	ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
	if (!ports)
		return;
	ev->has_port = true;
	ev->dport = ntohs(ports[1]);
}

/*
 * Best effort description of a forged frame for the event: what its IP
 * header claims, if it has one.  Family 0 when it is not IPv4/IPv6 or
 * cannot be read; the ethertype and the device are always reported.
 */
static void egressk_netdev_describe(const struct sk_buff *skb,
				    const struct net_device *dev,
				    struct egressk_event *ev)
{
	int noff = skb_network_offset(skb);

	ev->ifindex = dev->ifindex;
	ev->ethertype = ntohs(skb->protocol);
	if (noff < 0)
		return;

	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4)
			return;
		ev->family = AF_INET;
		ev->proto = iph->protocol;
		ev->daddr.a4 = iph->daddr;
		if (iph->ihl >= 5 && !(iph->frag_off & htons(IP_OFFSET)))
			egressk_netdev_ports(skb, noff + iph->ihl * 4, ev);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, noff, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return;
		ev->family = AF_INET6;
		ev->proto = ip6h->nexthdr;
		ev->daddr.a6 = ip6h->daddr;
		egressk_netdev_ports(skb, noff + sizeof(*ip6h), ev);
	}
}

static unsigned int egressk_netdev_hook(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	const struct egressk_policy *p;
	struct egressk_event ev;
	struct egressk_net *en;

	if (likely(!egressk_from_packet_socket(skb)))
		return NF_ACCEPT;

	en = egressk_pernet(state->net);
	p = rcu_dereference(en->policy);
	if (!p || (p->flags & EGRESSK_POLICY_F_ALLOW_RAW))
		return NF_ACCEPT;

	memset(&ev, 0, sizeof(ev));
	ev.reason = EGRESSK_REASON_RAW_SOCKET;
	ev.rule_id = CIDR_NONE;
	egressk_netdev_describe(skb, state->out, &ev);

	if (p->mode == EGRESSK_MODE_AUDIT) {
		egressk_count(p, audited);
		ev.verdict = EGRESSK_VERDICT_AUDIT;
		egressk_event_emit(state->net, p, en, &ev);
		return NF_ACCEPT;
	}

	/* the sender's sendmsg() sees ENOBUFS (NET_XMIT_DROP) */
	egressk_count(p, raw_rejected);
	ev.verdict = EGRESSK_VERDICT_REJECT;
	egressk_event_emit(state->net, p, en, &ev);
	return NF_DROP;
}

static struct egressk_devhook *egressk_devhook_find(struct egressk_net *en,
						    const struct net_device *dev)
{
	struct egressk_devhook *h;

	list_for_each_entry(h, &en->devhooks, list)
		if (h->ops.dev == dev)
			return h;
	return NULL;
}

/* Hook @dev; already hooked is success.  Caller: rtnl + config mutex. */
static int egressk_devhook_add(struct net *net, struct egressk_net *en,
			       struct net_device *dev)
{
	struct egressk_devhook *h;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	if (egressk_devhook_find(en, dev))
		return 0;
	if (en->nr_devhooks >= EGRESSK_MAX_DEVHOOKS)
		return -ENOSPC;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->ops.hook = egressk_netdev_hook;
	h->ops.pf = NFPROTO_NETDEV;
	h->ops.hooknum = NF_NETDEV_EGRESS;
	h->ops.priority = EGRESSK_NETDEV_PRIORITY;
	h->ops.dev = dev;

	err = nf_register_net_hook(net, &h->ops);
	if (err) {
		kfree(h);
		return err;
	}
	list_add_tail(&h->list, &en->devhooks);
	en->nr_devhooks++;
	return 0;
}

static void egressk_devhook_del(struct net *net, struct egressk_net *en,
				struct egressk_devhook *h)
{
	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	nf_unregister_net_hook(net, &h->ops);
	list_del(&h->list);
	en->nr_devhooks--;
	/* packets in flight only use the hook function, but stay safe */
	kfree_rcu(h, rcu);
}

/*
 * Uplinks (egressk_dev_uplink in egressk.h): the devices the host put in
 * the namespace.  At attach, every device that already has its peer in
 * another namespace; later, a device created in or moved into the
 * namespace by a task of the initial namespace (the runtime: dockerd, a
 * CNI plugin, the operator's ip).  Its peer may not be linked yet at
 * NETDEV_REGISTER (veth registers both ends first), so the peer is checked
 * when the device is used.  Caller: rtnl.
 */
static void egressk_uplink_add(struct egressk_net *en, struct net_device *dev)
{
	int i, slot = -1;

	ASSERT_RTNL();
	for (i = 0; i < EGRESSK_MAX_UPLINKS; i++) {
		if (en->uplinks[i] == dev)
			return;
		if (!en->uplinks[i] && slot < 0)
			slot = i;
	}
	if (slot < 0) {
		/* fail closed: nothing arriving on it is trusted */
		net_warn_ratelimited("more than %d host-made devices in a policed namespace: %s is not an uplink\n",
				     EGRESSK_MAX_UPLINKS, dev->name);
		return;
	}
	WRITE_ONCE(en->uplinks[slot], dev);
}

static void egressk_uplink_del(struct egressk_net *en,
			       const struct net_device *dev)
{
	int i;

	ASSERT_RTNL();
	for (i = 0; i < EGRESSK_MAX_UPLINKS; i++)
		if (en->uplinks[i] == dev)
			WRITE_ONCE(en->uplinks[i], NULL);
}

/* The task changing devices runs in the initial namespace: the host. */
static bool egressk_host_task(void)
{
	return !current->nsproxy || net_eq(current->nsproxy->net_ns, &init_net);
}

/* Hook every device of @net.  All or nothing.  Caller: rtnl + config mutex. */
int egressk_netdev_attach(struct net *net, struct egressk_net *en)
{
	struct net_device *dev, *peer;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	for_each_netdev(net, dev) {
		err = egressk_devhook_add(net, en, dev);
		if (err) {
			egressk_netdev_detach(net, en);
			return err;
		}
		if (!dev->netdev_ops->ndo_get_peer_dev)
			continue;
		peer = dev->netdev_ops->ndo_get_peer_dev(dev);
		if (peer && !net_eq(dev_net(peer), net))
			egressk_uplink_add(en, dev);
	}
	return 0;
}

/* Unhook every device of @net.  Caller: rtnl + config mutex. */
void egressk_netdev_detach(struct net *net, struct egressk_net *en)
{
	struct egressk_devhook *h, *tmp;

	ASSERT_RTNL();
	lockdep_assert_held(&egressk_config_mutex);

	list_for_each_entry_safe(h, tmp, &en->devhooks, list)
		egressk_devhook_del(net, en, h);
	WARN_ON_ONCE(en->nr_devhooks);
	memset(en->uplinks, 0, sizeof(en->uplinks));
}

static int egressk_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct net *net = dev_net(dev);
	struct egressk_net *en = egressk_pernet(net);
	struct egressk_devhook *h;
	int err = 0;

	if (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER &&
	    event != NETDEV_PRE_UP && event != NETDEV_DOWN)
		return NOTIFY_DONE;
	/* before the guards, which guard the peers of uplinks */
	if (READ_ONCE(en->attached)) {
		if (event == NETDEV_REGISTER && egressk_host_task())
			egressk_uplink_add(en, dev);
		else if (event == NETDEV_UNREGISTER)
			egressk_uplink_del(en, dev);
	}
	/* host-side guards: either end of a pair, in any namespace */
	if (event != NETDEV_DOWN) {
		err = egressk_guard_event(event, dev);
		if (err)
			return notifier_from_errno(err);
	}
	/* attached only changes under rtnl, which every notifier holds */
	if (!READ_ONCE(en->attached))
		return NOTIFY_DONE;
	/* held segments do not keep a device that goes down (flow.c) */
	if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER)
		egressk_flows_dev_down(en, dev);
	if (event == NETDEV_DOWN)
		return NOTIFY_DONE;

	mutex_lock(&egressk_config_mutex);
	if (!en->attached)
		goto out;
	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_PRE_UP:
		/*
		 * A new device fails to register.  A device moved in ignores
		 * the error (dev_change_net_namespace), but it arrives down,
		 * and PRE_UP retries and then refuses to bring it up.
		 */
		err = egressk_devhook_add(net, en, dev);
		if (err)
			net_warn_ratelimited("no packet-socket hook on %s (%d): refusing it in a policed namespace\n",
					     dev->name, err);
		break;
	case NETDEV_UNREGISTER:
		h = egressk_devhook_find(en, dev);
		if (h)
			egressk_devhook_del(net, en, h);
		break;
	}
out:
	mutex_unlock(&egressk_config_mutex);
	return notifier_from_errno(err);
}

struct notifier_block egressk_netdev_notifier = {
	.notifier_call = egressk_netdev_event,
};
