/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All of egresskctl's netlink: the egressk generic netlink family through
 * libnl-genl-3.  Functions return 0 or a negative errno; the kernel's extack
 * message (or a local explanation) is then in egk_nl_message().
 */
#ifndef EGRESSKCTL_NETLINK_H
#define EGRESSKCTL_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct egk_nl;

struct egk_ident {
	uint32_t inode;
	uint64_t cookie;
	uint64_t version;
	/* EGRESSK_A_GUARDS: uplinks whose host-side peer is guarded (commit,
	 * stats and list replies; absent from a module without the guard) */
	uint32_t guards;
	bool has_guards;
};

/* EGRESSK_STATS_A_*: packets, then flows of domain inspection, then DNS */
struct egk_counters {
	uint64_t allowed, rejected, dropped, audited, raw_rejected, events_lost, malformed;
	uint64_t flows_inspected, flows_domain_allowed, flows_domain_rejected;
	uint64_t flows_hold_limit, flows_hold_timeout, flows_table_full;
	uint64_t flows_policy_cut, flows_active;
	uint64_t dns_queries, dns_refused, dns_unpinned, dns_learned, dns_learn_full;
	uint64_t dns_ignored, flows_not_learned, learned_active;
	uint64_t inbound_active, inbound_full, dns_duplicate, guard_dropped;
};

/* One EGRESSK_CMD_LEARNED_GET entry: an address learned for a name. */
struct egk_learned {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	/* EGRESSK_LEARNED_A_NAME, with any byte outside [a-z0-9._-] made '?' */
	char name[EGRESSK_DOMAIN_NAME_MAX + 1];
	uint32_t expires;	/* seconds from now; 0: expired (dropped at the next GC) */
	uint32_t rule_id;
	bool has_rule_id;
};

struct egk_learned_list {
	struct egk_learned *v;
	size_t n, cap;
	uint32_t inode;		/* from the replies, when any came */
	uint64_t cookie;
};

/* One policed namespace: a NETNS_LIST entry or a STATS_GET reply. */
struct egk_ns_state {
	struct egk_ident id;
	uint8_t mode;
	uint8_t def;
	bool has_def;
	uint32_t rule_count;
	struct egk_counters stats;
};

struct egk_event {
	uint32_t inode;
	uint64_t cookie;
	uint8_t verdict, reason, family, proto;
	uint8_t daddr[16];
	bool has_daddr;
	uint16_t dport;
	bool has_dport;
	uint32_t rule_id;
	bool has_rule_id;
	/* EGRESSK_EVENT_A_NAME, with any byte outside [a-z0-9._-] made '?' */
	char name[EGRESSK_DOMAIN_NAME_MAX + 1];
	bool has_name;
};

/*
 * Connect and resolve the family.  -ENOENT: the family is absent (the message
 * says whether the module is missing or lives in another netns).
 */
int egk_nl_open(struct egk_nl **out);

/*
 * Tests only: send @cmd (NLM_F_DUMP with @dump) with the attributes @put
 * adds, exactly as given, so the kernel's own validation can be checked.
 */
struct nl_msg;
int egk_nl_raw(struct egk_nl *nl, uint8_t cmd, bool dump,
	       int (*put)(struct nl_msg *msg, void *arg), void *arg);
void egk_nl_close(struct egk_nl *nl);
/* The last error's explanation: extack message from the kernel, or local. */
const char *egk_nl_message(const struct egk_nl *nl);
/* Message of a failed egk_nl_open() (the handle does not exist then). */
const char *egk_nl_open_message(void);

/* TXN_BEGIN, TXN_ADD chunks, TXN_COMMIT; TXN_ABORT on any failure. */
int egk_nl_apply(struct egk_nl *nl, int netns_fd, uint32_t flags,
		 const struct egk_policy *p, struct egk_ident *out);
/* POLICY_GET dump: header and every rule (with id and hits), in id order. */
int egk_nl_policy_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		      struct egk_policy *p, struct egk_ident *out);
/* LEARNED_GET dump into @out (sorted by name, then address); free it with
 * egk_learned_list_free().  -ENOENT: no policy; -EOPNOTSUPP or -EINVAL from a
 * module without the command. */
int egk_nl_learned_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		       struct egk_learned_list *out);
void egk_learned_list_free(struct egk_learned_list *l);
int egk_nl_policy_del(struct egk_nl *nl, int netns_fd, uint32_t flags);
int egk_nl_stats_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		     struct egk_ns_state *out);
/* NETNS_LIST dump; @fn is called once per policed namespace. */
int egk_nl_list(struct egk_nl *nl,
		void (*fn)(const struct egk_ns_state *st, void *arg), void *arg);
/* Join EGRESSK_MCGRP_EVENTS and call @fn per event until it returns false
 * or an error occurs. */
int egk_nl_monitor(struct egk_nl *nl,
		   bool (*fn)(const struct egk_event *ev, void *arg), void *arg);

/* Exposed for the unit tests: the attribute encoding of one rule (an
 * EGRESSK_A_RULE nest), its decoding (a domain rule's name then points into
 * @nest; egk_policy_add_rule() copies it), and where a TXN_ADD chunk that
 * starts at rule @start ends (exclusive). */
struct nl_msg;
struct nlattr;
int egk_nl_put_rule(struct nl_msg *msg, const struct egk_rule *r);
int egk_nl_read_rule(struct nlattr *nest, struct egk_rule *r,
		     struct egk_port_range *ranges);
/* Decode one LEARNED_GET reply message; -EPROTO when it has no entry. */
int egk_nl_read_learned(struct nl_msg *msg, struct egk_learned *l);
/* Decode a POLICY_GET header or rules message into @p and @id (exposed for
 * the tests: the DNS settings fall back to the defaults when absent). */
int egk_nl_read_policy_msg(struct nl_msg *msg, struct egk_policy *p, struct egk_ident *id);
/* The TXN_BEGIN request for @p to generic netlink family @family (exposed
 * for the tests); NULL without memory. */
struct nl_msg *egk_nl_txn_begin_msg(int family, int netns_fd, uint32_t flags,
				    const struct egk_policy *p);
/* Decode an EGRESSK_CMD_EVENT message; -EINVAL when it is not one. */
int egk_nl_read_event(struct nl_msg *msg, struct egk_event *ev);
size_t egk_nl_chunk_end(const struct egk_policy *p, size_t start);

#endif
