/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * egressk: per-network-namespace egress allowlists enforced at NF_INET_LOCAL_OUT.
 *
 * This header is the whole contract between kmod/egressk.ko and any userspace
 * client (userspace/egresskctl is the reference one).  It is a generic netlink
 * family named EGRESSK_GENL_NAME that lives in the initial network namespace
 * only.  Every command needs CAP_NET_ADMIN in the initial user namespace.
 *
 * Targets
 * -------
 * A command that acts on one network namespace names it with
 * EGRESSK_A_NETNS_FD: a file descriptor of the sender's that refers to the
 * namespace (/proc/PID/ns/net, /run/netns/NAME, or one opened through a pidfd).
 * The kernel answers with the namespace's identity, EGRESSK_A_NETNS_INODE plus
 * EGRESSK_A_NETNS_COOKIE; the cookie is never reused while the system runs.
 * The initial namespace is refused as a target unless EGRESSK_F_FORCE is set in
 * EGRESSK_A_FLAGS.
 *
 * Loading a policy: a chunked transaction
 * ---------------------------------------
 * A nested attribute cannot exceed 64 KiB and a message cannot exceed the
 * socket buffer, so a policy is sent in pieces and swapped in atomically:
 *
 *   EGRESSK_CMD_TXN_BEGIN    open a transaction on this netlink port
 *     EGRESSK_A_NETNS_FD       u32, required
 *     EGRESSK_A_FLAGS          u32, EGRESSK_F_*            (optional)
 *     EGRESSK_A_MODE           u8,  enum egressk_mode      (optional, default enforce)
 *     EGRESSK_A_DEFAULT        u8,  enum egressk_default   (optional, default reject)
 *     EGRESSK_A_POLICY_FLAGS   u32, EGRESSK_POLICY_F_*     (optional)
 *     EGRESSK_A_DNS_FILTER     u8,  enum egressk_dns_filter (optional, default on)
 *     EGRESSK_A_DOMAIN_BINDING u8,  enum egressk_domain_binding
 *                                   (optional, default dns)
 *     EGRESSK_A_DNS_TTL_FLOOR  u32, seconds, 1..EGRESSK_DNS_TTL_MAX
 *                                   (optional, default EGRESSK_DNS_TTL_FLOOR_DEFAULT)
 *     EGRESSK_A_DNS_TTL_CEILING u32, seconds, 1..EGRESSK_DNS_TTL_MAX and
 *                                   >= the floor (optional, default
 *                                   EGRESSK_DNS_TTL_CEILING_DEFAULT)
 *
 *   EGRESSK_CMD_TXN_ADD      append rules to the open transaction (repeat)
 *     EGRESSK_A_RULES          nest, required
 *       EGRESSK_A_RULE           nest, one per rule, see "Rule" below
 *       EGRESSK_A_RULE           ...
 *
 *   EGRESSK_CMD_TXN_COMMIT   compile the staged rules and swap them in
 *     EGRESSK_A_NETNS_FD       u32, required; must name the namespace given
 *                              to TXN_BEGIN (checked by cookie)
 *     EGRESSK_A_RULE_COUNT     u32, required; the number of rules the client
 *                              sent, so a lost chunk can never commit a
 *                              partial policy
 *   reply (EGRESSK_CMD_TXN_COMMIT):
 *     EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE, EGRESSK_A_POLICY_VERSION,
 *     EGRESSK_A_GUARDS
 *
 *   EGRESSK_CMD_TXN_ABORT    drop the open transaction (no attributes)
 *
 * One transaction may be open per netlink port (a second TXN_BEGIN on the
 * same port fails with -EBUSY).  It is dropped on commit, on abort, on any
 * error, and when the port's socket closes.  The number of open
 * transactions, of staged rules and of port ranges in all are bounded
 * (EGRESSK_MAX_TXNS: -ENOSPC; EGRESSK_MAX_RULES, EGRESSK_MAX_RANGES_TOTAL:
 * -E2BIG); a commit either installs the whole policy or leaves the previous
 * one in force.
 *
 * Rule
 * ----
 *   EGRESSK_A_RULE                 nest
 *     EGRESSK_RULE_A_ACTION          u8,  enum egressk_action, required
 *     EGRESSK_RULE_A_KIND            u8,  enum egressk_rule_kind, required
 *     EGRESSK_RULE_A_ADDR4           be32             } exactly one, required for
 *     EGRESSK_RULE_A_ADDR6           16 bytes, binary } CIDR and DNS rules
 *     EGRESSK_RULE_A_PREFIXLEN       u8, 0..32 or 0..128, required for CIDR
 *                                    (host bits must be zero); DNS rules are
 *                                    host routes and must omit it or give 32/128
 *     EGRESSK_RULE_A_PROTO           u8, enum egressk_proto (optional, any)
 *     EGRESSK_RULE_A_PORTS           nest (optional; only with tcp or udp)
 *       EGRESSK_PORT_A_RANGE           nest, at most EGRESSK_MAX_PORT_RANGES
 *         EGRESSK_RANGE_A_FIRST          u16, required
 *         EGRESSK_RANGE_A_LAST           u16, required, >= FIRST
 *     EGRESSK_RULE_A_NAME            string, NUL-terminated, required for DOMAIN
 *                                    rules and refused for others
 *     EGRESSK_RULE_A_ID              u32  (kernel to user only: position in the policy)
 *     EGRESSK_RULE_A_HITS            u64  (kernel to user only: flows matched)
 *     EGRESSK_RULE_A_PAD             (alignment padding for u64)
 *
 *   EGRESSK_RULE_KIND_DNS is the policy line "allow dns ADDRESS": it must be an
 *   allow rule with no PROTO or PORTS, and means udp and tcp port 53 to that
 *   address.  Keeping it as its own kind lets "show" print the line back.
 *
 *   EGRESSK_RULE_KIND_DNS_NAME is "allow dns-name NAME": an allow rule with
 *   EGRESSK_RULE_A_NAME (the same patterns as a domain rule) and nothing else.
 *   It lets queries for NAME pass the query-name filter; it allows no
 *   connection and teaches no address.
 *
 *   EGRESSK_RULE_KIND_DOMAIN is "allow domain NAME [port SPEC]": an allow rule
 *   with EGRESSK_RULE_A_NAME and no address, prefix length or PROTO other than
 *   tcp.  NAME is "example.com" (exactly that name), ".example.com" (the name
 *   and every subdomain) or "*.example.com" (subdomains at any depth, not the
 *   name); the kernel lowercases it and drops one trailing dot, and refuses a
 *   name that is not 1..253 characters of labels of 1..63 [a-z0-9-_].  Without
 *   PORTS it covers tcp 80 and 443; the dump then omits PORTS too.  A TCP flow
 *   on a covered port to an address no CIDR rule allows is decided by its
 *   first payload: the TLS ClientHello's SNI or the HTTP/1.x Host header must
 *   match a domain rule that covers the port.  At most
 *   EGRESSK_MAX_DOMAIN_RULES per policy (domain and dns-name rules together).
 *
 * DNS (DESIGN.md section 3)
 * ---
 *   With any DNS rule present the resolvers are pinned: udp and tcp 53, and
 *   853 (DNS over TLS) unless a CIDR rule with an explicit port list allows
 *   it, go only to the DNS rules' addresses (reason DNS_UNPINNED).  With
 *   the query-name filter on, every query to port 53 (loopback included) must
 *   be one well-formed question whose name a domain or dns-name rule covers;
 *   single-label names pass unless the filter is strict.  Answers from a
 *   pinned resolver, on a non-loopback device, to a query the hook saw leave
 *   (ID, port and name) teach the addresses of names a domain rule covers,
 *   for the TTL clamped to [floor, ceiling].  With domain-binding dns, a
 *   TCP flow on a domain-rule port needs a learned (or CIDR-allowed)
 *   destination, and its SNI or Host must match a rule that also covers a
 *   name learned for that destination; a first payload that is neither
 *   TLS nor HTTP passes to a learned destination (ssh to github.com:22).
 *
 *   EGRESSK_CMD_LEARNED_GET  dump; request: EGRESSK_A_NETNS_FD (required)
 *     One message per learned (address, name):
 *       EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE,
 *       EGRESSK_A_LEARNED nest:
 *         EGRESSK_LEARNED_A_ADDR4 / EGRESSK_LEARNED_A_ADDR6
 *         EGRESSK_LEARNED_A_NAME      string, the question name answered
 *         EGRESSK_LEARNED_A_EXPIRES   u32, seconds until it expires (0:
 *                                     expired; the next GC pass, within a
 *                                     second, drops it.  New flows no longer
 *                                     match it; established ones never
 *                                     needed it)
 *         EGRESSK_LEARNED_A_RULE_ID   u32, the domain rule that covers the
 *                                     name now (absent when none does)
 *     -ENOENT when the namespace has no policy.
 *
 * Reading state
 * -------------
 *   EGRESSK_CMD_POLICY_GET   dump; request: EGRESSK_A_NETNS_FD (required)
 *     The dump pins one policy version.  The first message is the header:
 *       EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE, EGRESSK_A_POLICY_VERSION,
 *       EGRESSK_A_MODE, EGRESSK_A_DEFAULT, EGRESSK_A_POLICY_FLAGS,
 *       EGRESSK_A_RULE_COUNT, EGRESSK_A_DNS_FILTER, EGRESSK_A_DOMAIN_BINDING,
 *       EGRESSK_A_DNS_TTL_FLOOR, EGRESSK_A_DNS_TTL_CEILING (always present)
 *     Every later message carries EGRESSK_A_RULES with EGRESSK_A_RULE nests
 *     (including EGRESSK_RULE_A_ID and EGRESSK_RULE_A_HITS).
 *     -ENOENT when the namespace has no policy.  Errors found while the
 *     dump starts (no policy, a bad fd) come back as a plain NLMSG_ERROR:
 *     Linux 6.1 passes no extack to a dump's start callback, so these carry
 *     no message; attribute validation errors do carry one.
 *
 *   EGRESSK_CMD_STATS_GET    doit; request: EGRESSK_A_NETNS_FD (required)
 *   reply: EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE,
 *          EGRESSK_A_POLICY_VERSION, EGRESSK_A_MODE, EGRESSK_A_RULE_COUNT,
 *          EGRESSK_A_GUARDS,
 *          EGRESSK_A_STATS nest of EGRESSK_STATS_A_* u64 counters
 *          (clients must ignore counters they do not know, so new
 *          ones can be added)
 *     -ENOENT when the namespace has no policy (its counters go with it).
 *     Per-rule hits come from EGRESSK_CMD_POLICY_GET.
 *
 *   EGRESSK_CMD_POLICY_DEL   doit; request: EGRESSK_A_NETNS_FD (required),
 *                            EGRESSK_A_FLAGS (optional, EGRESSK_F_FORCE)
 *     Removes the policy; the namespace is unrestricted again.
 *     -ENOENT when it had none.
 *
 *   EGRESSK_CMD_NETNS_LIST   dump, no attributes; one message per policed
 *                            namespace:
 *     EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE, EGRESSK_A_POLICY_VERSION,
 *     EGRESSK_A_MODE, EGRESSK_A_DEFAULT, EGRESSK_A_RULE_COUNT, EGRESSK_A_STATS,
 *     EGRESSK_A_GUARDS
 *
 *   EGRESSK_A_GUARDS (u32, kernel to user only) counts the namespace's
 *   uplinks whose host-side peer carries the guard (DESIGN.md section 2):
 *   the peers of its veth pairs and netkit devices.  0 means nothing
 *   outside the namespace re-checks what it sends (macvlan, ipvlan, host
 *   network).  A guard stays with its pair when the uplink is moved out of
 *   the namespace, and is counted here until the pair goes.
 *
 * Events
 * ------
 *   Multicast group EGRESSK_MCGRP_EVENTS (joining needs CAP_NET_ADMIN).
 *   EGRESSK_CMD_EVENT, sent for every packet the policy rejects or drops, and
 *   in audit mode for every one it would have (rate-limited per namespace):
 *     EGRESSK_A_NETNS_INODE, EGRESSK_A_NETNS_COOKIE,
 *     EGRESSK_A_EVENT nest:
 *       EGRESSK_EVENT_A_VERDICT    u8,  enum egressk_verdict
 *       EGRESSK_EVENT_A_REASON     u8,  enum egressk_reason
 *       EGRESSK_EVENT_A_FAMILY     u8,  AF_INET or AF_INET6; 0 (AF_UNSPEC)
 *                                  when unknown (a non-IP packet-socket frame)
 *       EGRESSK_EVENT_A_PROTO      u8,  IP protocol number (0 when unknown)
 *       EGRESSK_EVENT_A_DADDR4 / EGRESSK_EVENT_A_DADDR6
 *                                  (absent when the family is unknown)
 *       EGRESSK_EVENT_A_DPORT      u16 (tcp and udp only)
 *       EGRESSK_EVENT_A_RULE_ID    u32 (when a deny rule matched)
 *       EGRESSK_EVENT_A_IFINDEX    u32 (packet-socket frames and the
 *                                  guard's drops only: the device in the
 *                                  namespace, for the guard the uplink)
 *       EGRESSK_EVENT_A_ETHERTYPE  u16, host order (packet-socket frames,
 *                                  and the guard's drops of non-IP frames:
 *                                  the frame's protocol)
 *       EGRESSK_EVENT_A_NAME       string (domain-inspected flows whose
 *                                  first payload named a host: the SNI or
 *                                  Host, lowercased; refused DNS queries:
 *                                  the question name)
 *   Packet-socket frames (reason RAW_SOCKET, seen at NF_NETDEV_EGRESS) carry
 *   what their own IP header claims, when they have one: they are forged by
 *   definition.  So do the host-side guard's events (reasons GUARD_SOURCE,
 *   GUARD_DEST, verdict DROP or AUDIT): the frame's headers as they left
 *   the namespace.  Clients must ignore event attributes they do not know.
 *
 * Errors come back as negative errno with an extack message that says what
 * was wrong; egresskctl prints it.
 */
#ifndef _UAPI_LINUX_EGRESSK_H
#define _UAPI_LINUX_EGRESSK_H

#include <linux/types.h>

#define EGRESSK_GENL_NAME	"egressk"
#define EGRESSK_GENL_VERSION	1
#define EGRESSK_MCGRP_EVENTS	"events"

/* Bounds the kernel enforces; a client may check them early. */
#define EGRESSK_MAX_RULES	262144	/* rules in one policy */
#define EGRESSK_MAX_PORT_RANGES	64	/* port ranges in one rule */
#define EGRESSK_MAX_TXNS	32	/* transactions open at once */
#define EGRESSK_MAX_RANGES_TOTAL 1048576 /* port ranges in one policy, all rules */
#define EGRESSK_MAX_DOMAIN_RULES 65536	/* domain rules in one policy */
#define EGRESSK_MAX_LEARNED	4096	/* learned addresses in one netns */
#define EGRESSK_LEARNED_NAMES	4	/* names kept per learned address */
#define EGRESSK_DNS_TTL_FLOOR_DEFAULT	600	/* seconds */
#define EGRESSK_DNS_TTL_CEILING_DEFAULT	86400	/* seconds */
#define EGRESSK_DNS_TTL_MAX	604800	/* a week */
#define EGRESSK_DOMAIN_NAME_MAX	255	/* EGRESSK_RULE_A_NAME bytes, without the NUL */

enum egressk_cmd {
	EGRESSK_CMD_UNSPEC,
	EGRESSK_CMD_TXN_BEGIN,
	EGRESSK_CMD_TXN_ADD,
	EGRESSK_CMD_TXN_COMMIT,
	EGRESSK_CMD_TXN_ABORT,
	EGRESSK_CMD_POLICY_GET,
	EGRESSK_CMD_POLICY_DEL,
	EGRESSK_CMD_NETNS_LIST,
	EGRESSK_CMD_STATS_GET,
	EGRESSK_CMD_EVENT,
	EGRESSK_CMD_LEARNED_GET,

	__EGRESSK_CMD_MAX,
	EGRESSK_CMD_MAX = __EGRESSK_CMD_MAX - 1
};

/* EGRESSK_A_FLAGS */
#define EGRESSK_F_FORCE		(1U << 0)	/* allow the initial netns as target */
#define EGRESSK_F_ALL		(EGRESSK_F_FORCE)

/* EGRESSK_A_POLICY_FLAGS */
#define EGRESSK_POLICY_F_ALLOW_RAW	(1U << 0)	/* "allow raw" */
#define EGRESSK_POLICY_F_ALL		(EGRESSK_POLICY_F_ALLOW_RAW)

/* EGRESSK_A_DNS_FILTER: "dns filter off | on | strict" */
enum egressk_dns_filter {
	EGRESSK_DNS_FILTER_OFF,
	EGRESSK_DNS_FILTER_ON,		/* dotted names need a rule */
	EGRESSK_DNS_FILTER_STRICT,	/* single-label names too */
	__EGRESSK_DNS_FILTER_MAX,
	EGRESSK_DNS_FILTER_MAX = __EGRESSK_DNS_FILTER_MAX - 1
};

/* EGRESSK_A_DOMAIN_BINDING: "domain-binding dns | none" */
enum egressk_domain_binding {
	EGRESSK_BINDING_DNS,		/* destinations must be learned from DNS */
	EGRESSK_BINDING_NONE,		/* the SNI or Host alone decides */
	__EGRESSK_BINDING_MAX,
	EGRESSK_BINDING_MAX = __EGRESSK_BINDING_MAX - 1
};

enum egressk_mode {
	EGRESSK_MODE_ENFORCE,
	EGRESSK_MODE_AUDIT,
	__EGRESSK_MODE_MAX,
	EGRESSK_MODE_MAX = __EGRESSK_MODE_MAX - 1
};

enum egressk_default {
	EGRESSK_DEFAULT_REJECT,
	EGRESSK_DEFAULT_DROP,
	__EGRESSK_DEFAULT_MAX,
	EGRESSK_DEFAULT_MAX = __EGRESSK_DEFAULT_MAX - 1
};

enum egressk_action {
	EGRESSK_ACTION_UNSPEC,
	EGRESSK_ACTION_ALLOW,
	EGRESSK_ACTION_DENY,
	__EGRESSK_ACTION_MAX,
	EGRESSK_ACTION_MAX = __EGRESSK_ACTION_MAX - 1
};

enum egressk_rule_kind {
	EGRESSK_RULE_KIND_UNSPEC,
	EGRESSK_RULE_KIND_CIDR,		/* allow|deny cidr PREFIX [PROTO] [port SPEC] */
	EGRESSK_RULE_KIND_DNS,		/* allow dns ADDRESS */
	EGRESSK_RULE_KIND_DOMAIN,	/* allow domain NAME [port SPEC] */
	EGRESSK_RULE_KIND_DNS_NAME,	/* allow dns-name NAME */
	__EGRESSK_RULE_KIND_MAX,
	EGRESSK_RULE_KIND_MAX = __EGRESSK_RULE_KIND_MAX - 1
};

/* EGRESSK_RULE_A_PROTO; "icmp" means ICMPv6 in an IPv6 rule. */
enum egressk_proto {
	EGRESSK_PROTO_ANY,
	EGRESSK_PROTO_TCP,
	EGRESSK_PROTO_UDP,
	EGRESSK_PROTO_ICMP,
	__EGRESSK_PROTO_MAX,
	EGRESSK_PROTO_MAX = __EGRESSK_PROTO_MAX - 1
};

enum egressk_verdict {
	EGRESSK_VERDICT_ALLOW,
	EGRESSK_VERDICT_REJECT,
	EGRESSK_VERDICT_DROP,
	EGRESSK_VERDICT_AUDIT,		/* audit mode: enforce would have blocked it */
	__EGRESSK_VERDICT_MAX,
	EGRESSK_VERDICT_MAX = __EGRESSK_VERDICT_MAX - 1
};

enum egressk_reason {
	EGRESSK_REASON_UNSPEC,
	EGRESSK_REASON_DEFAULT,		/* no rule allowed it */
	EGRESSK_REASON_DENY_RULE,	/* a deny rule matched */
	EGRESSK_REASON_RAW_SOCKET,	/* raw or packet socket without "allow raw" */
	EGRESSK_REASON_SOURCE_ROUTE,	/* IPv4 source route or IPv6 routing header */
	EGRESSK_REASON_MALFORMED,	/* headers could not be read */
	EGRESSK_REASON_DOMAIN_MISMATCH,	/* the SNI or Host matches no domain rule for this port */
	EGRESSK_REASON_DOMAIN_NO_NAME,	/* a ClientHello without SNI, a request without Host */
	EGRESSK_REASON_DOMAIN_UNKNOWN,	/* the first payload is neither TLS nor HTTP/1.x, or malformed */
	EGRESSK_REASON_HOLD_LIMIT,	/* undecided flow held more than the per-flow bound */
	EGRESSK_REASON_HOLD_TIMEOUT,	/* undecided flow stalled past the hold timeout */
	EGRESSK_REASON_FLOW_LIMIT,	/* no flow state: table full, no memory or no conntrack */
	EGRESSK_REASON_QUIC,		/* UDP to a domain-rule port (clients fall back to TCP) */
	EGRESSK_REASON_POLICY_CHANGED,	/* a re-applied policy no longer allows the flow's name */
	EGRESSK_REASON_DNS_UNPINNED,	/* DNS (53, 853) to an address no "allow dns" names */
	EGRESSK_REASON_DNS_NAME,	/* a query for a name no domain or dns-name rule covers */
	EGRESSK_REASON_DNS_MALFORMED,	/* port 53 traffic that is not one well-formed query */
	EGRESSK_REASON_NOT_LEARNED,	/* domain-binding dns: the destination was not learned for the name's rule */
	EGRESSK_REASON_GUARD_SOURCE,	/* host-side guard: the frame's source is not one of the namespace's addresses */
	EGRESSK_REASON_GUARD_DEST,	/* host-side guard: the destination is outside the allowed set (rewritten after LOCAL_OUT, AF_XDP, tunnels), or the frame cannot be judged */
	__EGRESSK_REASON_MAX,
	EGRESSK_REASON_MAX = __EGRESSK_REASON_MAX - 1
};

enum egressk_attr {
	EGRESSK_A_UNSPEC,
	EGRESSK_A_PAD,
	EGRESSK_A_NETNS_FD,		/* u32 */
	EGRESSK_A_NETNS_INODE,		/* u32 */
	EGRESSK_A_NETNS_COOKIE,		/* u64 */
	EGRESSK_A_FLAGS,		/* u32, EGRESSK_F_* */
	EGRESSK_A_MODE,			/* u8, enum egressk_mode */
	EGRESSK_A_DEFAULT,		/* u8, enum egressk_default */
	EGRESSK_A_POLICY_FLAGS,		/* u32, EGRESSK_POLICY_F_* */
	EGRESSK_A_POLICY_VERSION,	/* u64, bumps on every commit in a netns */
	EGRESSK_A_RULE_COUNT,		/* u32 */
	EGRESSK_A_RULES,		/* nest of EGRESSK_A_RULE */
	EGRESSK_A_RULE,			/* nest of EGRESSK_RULE_A_* */
	EGRESSK_A_STATS,		/* nest of EGRESSK_STATS_A_* */
	EGRESSK_A_EVENT,		/* nest of EGRESSK_EVENT_A_* */
	EGRESSK_A_DNS_FILTER,		/* u8, enum egressk_dns_filter */
	EGRESSK_A_DOMAIN_BINDING,	/* u8, enum egressk_domain_binding */
	EGRESSK_A_DNS_TTL_FLOOR,	/* u32, seconds */
	EGRESSK_A_DNS_TTL_CEILING,	/* u32, seconds */
	EGRESSK_A_LEARNED,		/* nest of EGRESSK_LEARNED_A_* */
	EGRESSK_A_GUARDS,		/* u32, kernel to user: guarded uplinks */

	__EGRESSK_A_MAX,
	EGRESSK_A_MAX = __EGRESSK_A_MAX - 1
};

enum egressk_rule_attr {
	EGRESSK_RULE_A_UNSPEC,
	EGRESSK_RULE_A_PAD,
	EGRESSK_RULE_A_ACTION,		/* u8, enum egressk_action */
	EGRESSK_RULE_A_KIND,		/* u8, enum egressk_rule_kind */
	EGRESSK_RULE_A_ADDR4,		/* be32 */
	EGRESSK_RULE_A_ADDR6,		/* 16 bytes, network order */
	EGRESSK_RULE_A_PREFIXLEN,	/* u8 */
	EGRESSK_RULE_A_PROTO,		/* u8, enum egressk_proto */
	EGRESSK_RULE_A_PORTS,		/* nest of EGRESSK_PORT_A_RANGE */
	EGRESSK_RULE_A_ID,		/* u32, kernel to user */
	EGRESSK_RULE_A_HITS,		/* u64, kernel to user */
	EGRESSK_RULE_A_NAME,		/* string, domain rules */

	__EGRESSK_RULE_A_MAX,
	EGRESSK_RULE_A_MAX = __EGRESSK_RULE_A_MAX - 1
};

enum egressk_port_attr {
	EGRESSK_PORT_A_UNSPEC,
	EGRESSK_PORT_A_RANGE,		/* nest of EGRESSK_RANGE_A_* */

	__EGRESSK_PORT_A_MAX,
	EGRESSK_PORT_A_MAX = __EGRESSK_PORT_A_MAX - 1
};

enum egressk_range_attr {
	EGRESSK_RANGE_A_UNSPEC,
	EGRESSK_RANGE_A_FIRST,		/* u16 */
	EGRESSK_RANGE_A_LAST,		/* u16 */

	__EGRESSK_RANGE_A_MAX,
	EGRESSK_RANGE_A_MAX = __EGRESSK_RANGE_A_MAX - 1
};

/* Per-namespace counters, all u64. Packets unless the name says flows. */
enum egressk_stats_attr {
	EGRESSK_STATS_A_UNSPEC,
	EGRESSK_STATS_A_PAD,
	EGRESSK_STATS_A_ALLOWED,	/* packets let through by a rule or as replies */
	EGRESSK_STATS_A_REJECTED,	/* packets refused with an error or RST */
	EGRESSK_STATS_A_DROPPED,	/* packets dropped silently (default drop) */
	EGRESSK_STATS_A_AUDITED,	/* audit mode: packets enforce would block */
	EGRESSK_STATS_A_RAW_REJECTED,	/* packets from raw sockets and frames from packet sockets refused */
	EGRESSK_STATS_A_EVENTS_LOST,	/* events not sent (rate limit or memory) */
	EGRESSK_STATS_A_MALFORMED,	/* packets dropped: headers unreadable */
	EGRESSK_STATS_A_FLOWS_INSPECTED,	/* flows whose first payload was held for a domain verdict */
	EGRESSK_STATS_A_FLOWS_DOMAIN_ALLOWED,	/* flows a domain rule allowed */
	EGRESSK_STATS_A_FLOWS_DOMAIN_REJECTED,	/* flows refused on their name (mismatch, none, not TLS/HTTP) */
	EGRESSK_STATS_A_FLOWS_HOLD_LIMIT,	/* flows refused: held bytes or segments over the bound */
	EGRESSK_STATS_A_FLOWS_HOLD_TIMEOUT,	/* flows refused: stalled undecided past the timeout */
	EGRESSK_STATS_A_FLOWS_TABLE_FULL,	/* flows refused: flow table full, no memory, no conntrack */
	EGRESSK_STATS_A_FLOWS_POLICY_CUT,	/* flows cut because a new policy no longer allows them */
	EGRESSK_STATS_A_FLOWS_ACTIVE,		/* gauge: entries in the flow table now */
	EGRESSK_STATS_A_DNS_QUERIES,		/* queries the filter read (loopback included) */
	EGRESSK_STATS_A_DNS_REFUSED,		/* queries refused: name not covered, or malformed */
	EGRESSK_STATS_A_DNS_UNPINNED,		/* DNS packets to an unpinned resolver refused */
	EGRESSK_STATS_A_DNS_LEARNED,		/* (address, name) pairs learned or refreshed from answers */
	EGRESSK_STATS_A_DNS_LEARN_FULL,		/* addresses not learned: the learned table was full */
	EGRESSK_STATS_A_DNS_IGNORED,		/* answers not learned from: loopback, unpinned, unasked, no rule */
	EGRESSK_STATS_A_FLOWS_NOT_LEARNED,	/* flows refused: destination not learned for the rule */
	EGRESSK_STATS_A_LEARNED_ACTIVE,		/* gauge: learned addresses now */
	EGRESSK_STATS_A_INBOUND_ACTIVE,		/* gauge: connections recorded as started from outside */
	EGRESSK_STATS_A_INBOUND_FULL,		/* inbound connections refused: their table was full or no memory */
	EGRESSK_STATS_A_DNS_DUPLICATE,		/* answers ignored: their query was already answered */
	EGRESSK_STATS_A_GUARD_DROPPED,		/* frames the host-side guard dropped */

	__EGRESSK_STATS_A_MAX,
	EGRESSK_STATS_A_MAX = __EGRESSK_STATS_A_MAX - 1
};

/* EGRESSK_A_LEARNED */
enum egressk_learned_attr {
	EGRESSK_LEARNED_A_UNSPEC,
	EGRESSK_LEARNED_A_ADDR4,	/* be32 */
	EGRESSK_LEARNED_A_ADDR6,	/* 16 bytes */
	EGRESSK_LEARNED_A_NAME,		/* string */
	EGRESSK_LEARNED_A_EXPIRES,	/* u32, seconds from now; 0: expired */
	EGRESSK_LEARNED_A_RULE_ID,	/* u32 */

	__EGRESSK_LEARNED_A_MAX,
	EGRESSK_LEARNED_A_MAX = __EGRESSK_LEARNED_A_MAX - 1
};

enum egressk_event_attr {
	EGRESSK_EVENT_A_UNSPEC,
	EGRESSK_EVENT_A_VERDICT,	/* u8, enum egressk_verdict */
	EGRESSK_EVENT_A_REASON,		/* u8, enum egressk_reason */
	EGRESSK_EVENT_A_FAMILY,		/* u8, AF_INET or AF_INET6 */
	EGRESSK_EVENT_A_PROTO,		/* u8, IP protocol number */
	EGRESSK_EVENT_A_DADDR4,		/* be32 */
	EGRESSK_EVENT_A_DADDR6,		/* 16 bytes */
	EGRESSK_EVENT_A_DPORT,		/* u16 */
	EGRESSK_EVENT_A_RULE_ID,	/* u32 */
	EGRESSK_EVENT_A_IFINDEX,	/* u32, packet-socket frames */
	EGRESSK_EVENT_A_ETHERTYPE,	/* u16, host order, packet-socket frames */
	EGRESSK_EVENT_A_NAME,		/* string: the SNI or Host of a domain-inspected flow */

	__EGRESSK_EVENT_A_MAX,
	EGRESSK_EVENT_A_MAX = __EGRESSK_EVENT_A_MAX - 1
};

#endif /* _UAPI_LINUX_EGRESSK_H */
