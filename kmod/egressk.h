/* SPDX-License-Identifier: GPL-2.0 */
/*
 * egressk internal header: per-netns state, the compiled policy, and the
 * interfaces between the module's files.  Include it first in every .c file
 * so that pr_fmt applies everywhere.
 */
#ifndef _EGRESSK_H
#define _EGRESSK_H

#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/ratelimit.h>
#include <linux/in6.h>
#include <linux/netfilter.h>
#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/genetlink.h>

#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>

#include <linux/egressk.h>
#include "cidr.h"
#include "domain.h"

/*
 * Every writer of policy and transaction state holds this mutex: netlink
 * commands, the netlink release notifier, the netdevice notifier and netns
 * exit.  Lock order:
 * genl_mutex -> rtnl_mutex -> egressk_config_mutex -> (nf_hook_mutex,
 * conntrack's own).  Nothing takes rtnl while holding the config mutex.
 * Attaching or detaching a namespace (its per-device hooks) needs rtnl too.
 */
extern struct mutex egressk_config_mutex;

union egressk_addr {
	__be32 a4;
	struct in6_addr a6;
};

/* One staged or installed rule, as userspace sent it (for dumps). */
struct egressk_rule {
	union egressk_addr addr;
	u32 ranges_off;		/* into the owner's ranges array */
	u16 nr_ranges;
	u32 name_off;		/* domain rules: into the owner's names, NUL-terminated */
	u8 name_len;		/* domain rules: the pattern, without the NUL */
	u8 family;		/* AF_INET or AF_INET6 */
	u8 prefixlen;
	u8 action;		/* enum egressk_action */
	u8 kind;		/* enum egressk_rule_kind */
	u8 proto;		/* enum egressk_proto */
};

/* Domain and dns-name rules carry a name and no address. */
static inline bool egressk_rule_named(const struct egressk_rule *r)
{
	return r->kind == EGRESSK_RULE_KIND_DOMAIN ||
	       r->kind == EGRESSK_RULE_KIND_DNS_NAME;
}

/* Per-CPU packet counters, summed on read. */
struct egressk_stats {
	u64 allowed;
	u64 rejected;
	u64 dropped;
	u64 audited;
	u64 raw_rejected;
	u64 events_lost;
	u64 malformed;
	u64 flows_inspected;
	u64 flows_domain_allowed;
	u64 flows_domain_rejected;
	u64 flows_hold_limit;
	u64 flows_hold_timeout;
	u64 flows_table_full;
	u64 flows_policy_cut;
	u64 dns_queries;
	u64 dns_refused;
	u64 dns_unpinned;
	u64 dns_learned;
	u64 dns_learn_full;
	u64 dns_ignored;
	u64 flows_not_learned;
	u64 inbound_full;
	u64 dns_duplicate;
	u64 guard_dropped;
};

/* The policy-wide settings a transaction carries (TXN_BEGIN). */
struct egressk_settings {
	u8 mode;		/* enum egressk_mode */
	u8 dflt;		/* enum egressk_default */
	u8 dns_filter;		/* enum egressk_dns_filter */
	u8 binding;		/* enum egressk_domain_binding */
	u32 flags;		/* EGRESSK_POLICY_F_* */
	u32 ttl_floor;		/* seconds */
	u32 ttl_ceiling;	/* seconds, >= ttl_floor */
};

/*
 * A compiled policy.  Immutable once published; readers find it through
 * egressk_net.policy under RCU, a dump pins it with @ref.  The last put frees
 * it after a grace period.  Rule ids are indexes into @rules and @hits.
 */
struct egressk_policy {
	refcount_t ref;
	struct rcu_head rcu;
	u64 version;
	u8 mode;		/* enum egressk_mode */
	u8 dflt;		/* enum egressk_default */
	u32 flags;		/* EGRESSK_POLICY_F_* */
	u8 dns_filter;		/* enum egressk_dns_filter */
	u8 binding;		/* enum egressk_domain_binding */
	u32 ttl_floor;		/* seconds */
	u32 ttl_ceiling;	/* seconds */
	u32 nr_rules;
	u32 nr_ranges;
	u32 nr_resolvers;	/* "allow dns" rules: resolvers are pinned */
	struct egressk_rule *rules;
	struct cidr_port_range *ranges;
	char *names;		/* domain patterns, NUL-terminated */
	atomic64_t *hits;	/* flows per rule, not per CPU */
	/*
	 * The netns counters, valid while this policy is published and for
	 * one grace period after (egressk_detach frees them after
	 * synchronize_net).  Only readers under RCU may touch it.
	 */
	struct egressk_stats __percpu *stats;
	struct cidr_table v4;
	struct cidr_table v6;
	struct domain_table domains;
	struct domain_table dns_names;	/* "allow dns-name": any port */
};

/* A transaction staged by one netlink port (kept in init_net's state). */
struct egressk_txn {
	struct list_head list;
	u32 portid;
	u64 cookie;		/* target netns */
	struct egressk_settings set;
	u32 nr_rules, cap_rules;
	u32 nr_ranges, cap_ranges;
	u32 nr_domains;
	u32 names_len, cap_names;
	struct egressk_rule *rules;
	struct cidr_port_range *ranges;
	char *names;
};

#define EGRESSK_MAX_UPLINKS	8	/* uplinks of one netns (netdev.c) */

/* Per network namespace state (net_generic). */
struct egressk_net {
	struct egressk_policy __rcu *policy;
	struct egressk_stats __percpu *stats;	/* while attached */
	u64 version;		/* bumps on every commit, never reset */
	bool attached;		/* hooks, conntrack and module ref held */
	struct ratelimit_state event_rs;
	/* transactions: used in init_net only, where the family lives */
	struct list_head txns;
	u32 nr_txns;
	/* NETDEV_EGRESS hooks (netdev.c): rtnl + config mutex while attached */
	struct list_head devhooks;
	u32 nr_devhooks;
	/*
	 * Host-side guards (guard.c), rtnl + config mutex: the ones made for
	 * this namespace (while attached), and the ones hooked on devices of
	 * this namespace for others (any namespace, policed or not).
	 */
	struct list_head guards;
	u32 nr_guards;
	struct list_head hosted;
	/* domain-inspected flows (flow.c), valid while attached */
	struct net *net;
	struct rhashtable flows;
	atomic_t nr_flows;
	atomic_t nr_pending;
	struct delayed_work flow_gc;
	/* DNS: pending queries and learned addresses (learn.c), while attached */
	struct egressk_learn *learn;
	/* connections seen starting from outside (inbound.c), while attached */
	struct rhashtable inbound;
	atomic_t nr_inbound;
	/*
	 * Devices the host put here (egressk_dev_uplink), compared by
	 * identity only, never dereferenced through here.  Written under
	 * rtnl (netdev.c), read under RCU.
	 */
	struct net_device *uplinks[EGRESSK_MAX_UPLINKS];
};

/* pernet.c */
extern unsigned int egressk_net_id;
extern struct pernet_operations egressk_net_ops;

static inline struct egressk_net *egressk_pernet(const struct net *net)
{
	return net_generic(net, egressk_net_id);
}

int egressk_policy_install(struct net *net, struct egressk_policy *p,
			   bool rtnl_held);
int egressk_policy_remove(struct net *net);
void egressk_stats_sum(const struct egressk_stats __percpu *pcpu,
		       struct egressk_stats *sum);

#define egressk_count(p, field) this_cpu_inc((p)->stats->field)

/* policy.c */
struct egressk_policy *egressk_policy_build(struct egressk_txn *txn,
					    struct netlink_ext_ack *extack);
void egressk_policy_put(struct egressk_policy *p);
bool egressk_policy_tryget(struct egressk_policy *p);
struct cidr_result egressk_policy_lookup(const struct egressk_policy *p,
					 u8 family, const struct cidr_key *key,
					 enum cidr_proto proto, bool has_port,
					 u16 port);

/* txn.c */
extern struct notifier_block egressk_netlink_notifier;
struct egressk_txn *egressk_txn_find(struct egressk_net *ien, u32 portid);
int egressk_txn_begin(struct egressk_net *ien, u32 portid, u64 cookie,
		      const struct egressk_settings *set,
		      struct netlink_ext_ack *extack);
int egressk_txn_append(struct egressk_txn *txn, const struct egressk_rule *r,
		       const struct cidr_port_range *ranges, const char *name,
		       struct netlink_ext_ack *extack);
void egressk_txn_drop(struct egressk_net *ien, struct egressk_txn *txn);
void egressk_txn_drop_all(struct egressk_net *ien);

/*
 * The namespace's hooks: LOCAL_OUT and FORWARD v4 and v6 (hook.c),
 * PRE_ROUTING v4 and v6 (inbound.c), LOCAL_IN v4 and v6 (dns.c).
 */
extern const struct nf_hook_ops egressk_nf_ops[8];

/*
 * The namespace's uplink: the container's end of a pair (veth, netkit)
 * whose other end the host holds.  What arrives on it came from outside.
 * A device is one when it has a peer in another namespace and was there
 * when the policy was applied, or was created in or moved into the
 * namespace later by a task of the initial namespace (the container
 * runtime).  So loopback, tun/tap, dummy devices, and the veth pairs a
 * container makes for namespaces nested in it are not uplinks, even when
 * their other end sits in another (nested) namespace (netdev.c).
 * RCU reader.
 */
static inline bool egressk_dev_uplink(struct net_device *dev)
{
	struct net_device *peer;
	struct egressk_net *en;
	int i;

	if (!dev || (dev->flags & IFF_LOOPBACK) ||
	    !dev->netdev_ops->ndo_get_peer_dev)
		return false;
	en = egressk_pernet(dev_net(dev));
	for (i = 0; i < EGRESSK_MAX_UPLINKS; i++)
		if (READ_ONCE(en->uplinks[i]) == dev)
			break;
	if (i == EGRESSK_MAX_UPLINKS)
		return false;
	peer = dev->netdev_ops->ndo_get_peer_dev(dev);
	return peer && !net_eq(dev_net(peer), dev_net(dev));
}

/*
 * inbound.c: connections whose first packet egressk saw arrive on the
 * uplink (PRE_ROUTING).  Only their replies pass LOCAL_OUT, FORWARD and the
 * host-side guard without a rule; everything else is judged as outbound,
 * whatever conntrack's direction says (DESIGN.md section 2, Trust).
 */
#define EGRESSK_MAX_INBOUND		65536	/* connections in one netns */

int egressk_inbound_init(struct egressk_net *en);
void egressk_inbound_destroy(struct egressk_net *en);
void egressk_inbound_gc(struct egressk_net *en);
/* RCU reader: @ct was recorded as started from outside. */
bool egressk_inbound_has(struct egressk_net *en, const struct nf_conn *ct);
/* PRE_ROUTING, both families */
unsigned int egressk_inbound_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state);

/* What the verdict needs to know about one packet (hook.c, flow.c). */
struct egressk_pkt {
	u8 family;
	u8 l4proto;		/* final IP protocol */
	bool has_port;		/* tcp/udp header read (not a later fragment) */
	bool tcp_syn;		/* SYN without ACK */
	bool tcp_rst;
	u16 sport;
	u16 dport;
	u32 thoff;		/* tcp: offset of the TCP header from skb->data */
	u32 tcp_seq;		/* tcp: sequence number of the first payload byte */
	u32 payload_off;	/* tcp: offset of the payload from skb->data */
	u32 payload_len;	/* tcp: payload bytes (a GSO packet: all of them) */
	struct cidr_key key;
	union egressk_addr daddr;
};

unsigned int egressk_block(struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   const struct egressk_policy *p,
			   const struct egressk_pkt *pkt,
			   u8 reason, u32 rule_id, const char *name);
/* hook.c, for the host-side guard too */
struct iphdr;
enum cidr_proto egressk_pkt_class(const struct egressk_pkt *pkt);
/* 1 when an LSRR/SSRR option is present, 0 if not, -1 when malformed. */
int egressk_ipv4_source_routed(const struct sk_buff *skb,
			       const struct iphdr *iph);

/*
 * flow.c: domain-inspected TCP flows, keyed by conntrack entry.  Limits are
 * per network namespace; docs/kernel.md states the memory they bound.
 */
#define EGRESSK_MAX_FLOWS		16384	/* entries in one netns */
#define EGRESSK_MAX_PENDING		1024	/* undecided flows in one netns */
#define EGRESSK_HOLD_MAX_SEGS		32	/* segments held for one flow */
#define EGRESSK_HOLD_TIMEOUT		(5 * HZ)	/* to decide a flow */
#define EGRESSK_FLOW_GC_INTERVAL	HZ

int egressk_flows_init(struct net *net, struct egressk_net *en);
/* Arm the GC work (flows, DNS queries and learned addresses) if idle. */
void egressk_gc_kick(struct egressk_net *en);
void egressk_flows_destroy(struct egressk_net *en);
/* @dev goes down: free held segments routed through it (netdev.c). */
void egressk_flows_dev_down(struct egressk_net *en,
			    const struct net_device *dev);
/* Any flow entries at all: the hook skips the table lookup when not. */
static inline bool egressk_flow_tracked(struct egressk_net *en)
{
	return atomic_read(&en->nr_flows) > 0;
}

/*
 * The host-side guard (guard.c), an RCU reader: @ct's flow has an "allow"
 * verdict made under policy @version.
 */
bool egressk_flow_allowed(struct egressk_net *en, const struct nf_conn *ct,
			  u64 version);

unsigned int egressk_flow_verdict(struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  const struct egressk_policy *p,
				  const struct egressk_pkt *pkt,
				  struct nf_conn *ct, bool *found);
unsigned int egressk_flow_inspect(struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  const struct egressk_policy *p,
				  const struct egressk_pkt *pkt,
				  struct nf_conn *ct);

/*
 * learn.c: what DNS taught, per network namespace.  Queries seen leaving
 * (to match answers against) and the addresses answers returned, each with
 * the names it was learned for.  Both tables are bounded; writers take
 * egressk_learn.lock (BH), readers of learned addresses use RCU only.
 */
#define EGRESSK_MAX_DNS_QUERIES		1024	/* queries awaiting an answer */
#define EGRESSK_DNS_QUERY_TIMEOUT	(15 * HZ)
#define EGRESSK_DNS_ANSWERED_KEEP	(2 * HZ)	/* to count second answers */
#define EGRESSK_DNS_LEARN_PER_ANSWER	64	/* addresses read from one answer */

struct egressk_learn;
struct nf_conn;
int egressk_learn_init(struct egressk_net *en);
void egressk_learn_destroy(struct egressk_net *en);
void egressk_learn_gc(struct egressk_net *en);
u32 egressk_learn_count(struct egressk_net *en);
/*
 * Remember a query that left through the uplink, on connection @ct, to a
 * pinned resolver, for a name a domain rule covers.
 */
void egressk_learn_query(struct egressk_net *en, struct nf_conn *ct,
			 u8 family, const union egressk_addr *server,
			 u16 sport, u16 id, u16 qtype, const char *name,
			 size_t len);
enum {
	EGRESSK_ANSWER_UNASKED,		/* no such query, or it timed out */
	EGRESSK_ANSWER_FIRST,		/* learn from it */
	EGRESSK_ANSWER_DUPLICATE,	/* that query was answered already */
};
/*
 * An answer on connection @ct from @server to local port @dport, for
 * question @name: EGRESSK_ANSWER_FIRST when it answers a remembered query
 * for the first time (then its addresses may be learned for @name, charged
 * to *@memcg, the querying task's memory cgroup or NULL, which the caller
 * puts with mem_cgroup_put()).
 */
struct mem_cgroup;
int egressk_learn_answered(struct egressk_net *en, const struct nf_conn *ct,
			   u8 family, const union egressk_addr *server,
			   u16 dport, u16 id, u16 qtype, const char *name,
			   size_t len, struct mem_cgroup **memcg);
/*
 * Learn @addr for @name for @seconds (the caller clamps the TTL); -ENOSPC
 * when the table is full, -ENOMEM.  A name already known is only extended.
 */
int egressk_learn_addr(struct egressk_net *en, u8 family,
		       const union egressk_addr *addr, const char *name,
		       size_t len, u32 seconds);
/* Anything learned or awaiting an answer: the GC work must keep running. */
bool egressk_learn_busy(struct egressk_net *en);
/*
 * Binding (RCU reader): the domain rule that lets a flow go to @daddr on
 * TCP @port.  @want is the rule the flow's SNI or Host matched: it must
 * also cover a live name learned for @daddr.  With @want DOMAIN_NONE, any
 * rule that covers a learned name on @port will do (SYNs, payloads that are
 * neither TLS nor HTTP).  DOMAIN_NONE when there is none.  A hit keeps the
 * name alive for at least the policy's TTL floor.
 */
u32 egressk_learn_rule(struct egressk_net *en, const struct egressk_policy *p,
		       u8 family, const union egressk_addr *daddr, u16 port,
		       u32 want);
/*
 * LEARNED_GET: call @visit for every (address, name, seconds left) under
 * RCU (@visit must not sleep); stops at its first non-zero return.
 */
typedef int (*egressk_learn_visit_t)(void *arg, u8 family,
				     const union egressk_addr *addr,
				     const char *name, u32 expires);
int egressk_learn_walk(struct egressk_net *en, egressk_learn_visit_t visit,
		       void *arg);

/*
 * dns.c: DNS at LOCAL_OUT (pinning, the query-name filter, remembering
 * queries) and LOCAL_IN (learning from answers).
 */
static inline bool egressk_dns_port(const struct egressk_pkt *pkt)
{
	return pkt->has_port &&
	       (pkt->l4proto == IPPROTO_UDP || pkt->l4proto == IPPROTO_TCP) &&
	       (pkt->dport == 53 || pkt->dport == 853);
}
struct cidr_result;
unsigned int egressk_dns_out(struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct egressk_policy *p,
			     const struct egressk_pkt *pkt,
			     const struct cidr_result *res);
unsigned int egressk_dns_loopback_out(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct egressk_policy *p,
				      const struct egressk_pkt *pkt);
unsigned int egressk_dns_in_v4(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);
unsigned int egressk_dns_in_v6(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

/* netdev.c: packet-socket frames at NF_NETDEV_EGRESS */
#define EGRESSK_MAX_DEVHOOKS	4096	/* devices hooked in one netns */
#define EGRESSK_NETDEV_PRIORITY	(INT_MAX - 1)
extern struct notifier_block egressk_netdev_notifier;
int egressk_netdev_attach(struct net *net, struct egressk_net *en);
void egressk_netdev_detach(struct net *net, struct egressk_net *en);

/*
 * guard.c: an NF_NETDEV_INGRESS hook on the peer of every uplink of a
 * policed namespace, in the peer's (host-side) namespace.  Writers hold
 * rtnl and the config mutex.
 */
#define EGRESSK_MAX_GUARDS	1024	/* uplinks guarded for one netns */
int egressk_guard_attach(struct net *net, struct egressk_net *en);
void egressk_guard_detach(struct net *net, struct egressk_net *en);
/* The netdevice notifier's part (netdev.c): 0 or the error refusing @dev. */
int egressk_guard_event(unsigned long event, struct net_device *dev);

/* reject.c */
struct nf_hook_state;
void egressk_reject_tcp_reset(struct sk_buff *skb,
			      const struct nf_hook_state *state);
void egressk_reject_unreach(struct sk_buff *skb,
			    const struct nf_hook_state *state);
void egressk_reject_tcp_reset_peer(struct sk_buff *oldskb,
				   const struct nf_hook_state *state,
				   unsigned int thoff);

/* events.c */
struct egressk_event {
	u8 verdict;		/* enum egressk_verdict */
	u8 reason;		/* enum egressk_reason */
	u8 family;
	u8 proto;		/* IP protocol number */
	bool has_port;
	u16 dport;
	u32 rule_id;		/* CIDR_NONE: none */
	union egressk_addr daddr;	/* only for AF_INET, AF_INET6 */
	u32 ifindex;		/* 0: not reported (NETDEV_EGRESS only) */
	u16 ethertype;		/* host order; 0: not reported */
	const char *name;	/* NUL-terminated SNI or Host, or NULL */
};

void egressk_event_init(struct egressk_net *en);
void egressk_event_emit(const struct net *net, const struct egressk_policy *p,
			struct egressk_net *en, const struct egressk_event *ev);

/* netlink.c */
extern struct genl_family egressk_genl_family;
int egressk_nl_put_ids(struct sk_buff *skb, u32 inum, u64 cookie);

#endif /* _EGRESSK_H */
