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
};

/* EGRESSK_STATS_A_*: packets, then flows of domain inspection */
struct egk_counters {
	uint64_t allowed, rejected, dropped, audited, raw_rejected, events_lost, malformed;
	uint64_t flows_inspected, flows_domain_allowed, flows_domain_rejected;
	uint64_t flows_hold_limit, flows_hold_timeout, flows_table_full;
	uint64_t flows_policy_cut, flows_active;
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
/* Decode an EGRESSK_CMD_EVENT message; -EINVAL when it is not one. */
int egk_nl_read_event(struct nl_msg *msg, struct egk_event *ev);
size_t egk_nl_chunk_end(const struct egk_policy *p, size_t start);

#endif
