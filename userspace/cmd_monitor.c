// SPDX-License-Identifier: GPL-2.0
/* monitor: one line (or one JSON object) per denial or audit event. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"
#include "netlink.h"
#include "policy.h"

struct mon {
	bool json;
	uint32_t inode;		/* 0: every namespace */
};

static const char *verdict_name(unsigned int v)
{
	switch (v) {
	case EGRESSK_VERDICT_ALLOW:  return "allow";
	case EGRESSK_VERDICT_REJECT: return "reject";
	case EGRESSK_VERDICT_DROP:   return "drop";
	case EGRESSK_VERDICT_AUDIT:  return "audit";
	}
	return "unknown";
}

static const char *reason_name(unsigned int r)
{
	switch (r) {
	case EGRESSK_REASON_DEFAULT:      return "default";
	case EGRESSK_REASON_DENY_RULE:    return "deny-rule";
	case EGRESSK_REASON_RAW_SOCKET:   return "raw-socket";
	case EGRESSK_REASON_SOURCE_ROUTE: return "source-route";
	case EGRESSK_REASON_MALFORMED:    return "malformed";
	case EGRESSK_REASON_DOMAIN_MISMATCH: return "domain-mismatch";
	case EGRESSK_REASON_DOMAIN_NO_NAME:  return "domain-no-name";
	case EGRESSK_REASON_DOMAIN_UNKNOWN:  return "domain-unknown";
	case EGRESSK_REASON_HOLD_LIMIT:      return "hold-limit";
	case EGRESSK_REASON_HOLD_TIMEOUT:    return "hold-timeout";
	case EGRESSK_REASON_FLOW_LIMIT:      return "flow-limit";
	case EGRESSK_REASON_QUIC:            return "quic";
	case EGRESSK_REASON_POLICY_CHANGED:  return "policy-changed";
	case EGRESSK_REASON_DNS_UNPINNED:    return "dns-unpinned";
	case EGRESSK_REASON_DNS_NAME:        return "dns-name";
	case EGRESSK_REASON_DNS_MALFORMED:   return "dns-malformed";
	case EGRESSK_REASON_NOT_LEARNED:     return "not-learned";
	case EGRESSK_REASON_GUARD_SOURCE:    return "guard-source";
	case EGRESSK_REASON_GUARD_DEST:      return "guard-destination";
	}
	return "unspec";
}

static void proto_name(unsigned int p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP:    snprintf(buf, len, "tcp"); break;
	case IPPROTO_UDP:    snprintf(buf, len, "udp"); break;
	case IPPROTO_ICMP:   snprintf(buf, len, "icmp"); break;
	case IPPROTO_ICMPV6: snprintf(buf, len, "icmpv6"); break;
	default:             snprintf(buf, len, "%u", p); break;
	}
}

static bool on_event(const struct egk_event *ev, void *arg)
{
	const struct mon *m = arg;
	char addr[INET6_ADDRSTRLEN] = "-", proto[16], ts[40];
	struct timespec now;
	struct tm tm;

	if (m->inode && ev->inode != m->inode)
		return true;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	{
		char base[24];
		size_t n = strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);

		base[n] = '\0';
		snprintf(ts, sizeof(ts), "%s.%03dZ", base, (int)(now.tv_nsec / 1000000) % 1000);
	}
	if (ev->has_daddr)
		inet_ntop(ev->family, ev->daddr, addr, sizeof(addr));
	proto_name(ev->proto, proto, sizeof(proto));
	if (m->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time", json_object_new_string(ts));
		json_object_object_add(o, "verdict", json_object_new_string(verdict_name(ev->verdict)));
		json_object_object_add(o, "reason", json_object_new_string(reason_name(ev->reason)));
		json_object_object_add(o, "netns_inode", json_object_new_int64(ev->inode));
		json_object_object_add(o, "netns_cookie", json_object_new_uint64(ev->cookie));
		json_object_object_add(o, "family", json_object_new_string(
			ev->family == AF_INET6 ? "ipv6" : "ipv4"));
		json_object_object_add(o, "proto", json_object_new_string(proto));
		json_object_object_add(o, "daddr", ev->has_daddr ? json_object_new_string(addr) : NULL);
		if (ev->has_dport)
			json_object_object_add(o, "dport", json_object_new_int(ev->dport));
		if (ev->has_rule_id)
			json_object_object_add(o, "rule_id", json_object_new_int64(ev->rule_id));
		if (ev->has_name)
			json_object_object_add(o, "name", json_object_new_string(ev->name));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("%s %s reason=%s netns=%u cookie=%llu proto=%s dst=%s", ts,
		       verdict_name(ev->verdict), reason_name(ev->reason), ev->inode,
		       (unsigned long long)ev->cookie, proto, addr);
		if (ev->has_dport)
			printf(" dport=%u", ev->dport);
		if (ev->has_rule_id)
			printf(" rule=%u", ev->rule_id);
		/* netlink.c kept only [a-z0-9._-] in it */
		if (ev->has_name)
			printf(" name=%s", ev->name);
		putchar('\n');
	}
	fflush(stdout);
	return true;
}

int cmd_monitor(int argc, char **argv)
{
	struct mon m = { 0 };
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, fd = -1, err;

	ret = cmd_parse(argc, argv, ARG_TARGET_OPT | ARG_JSON, 0, 0, &a);
	if (ret)
		return ret;
	m.json = a.json;
	nl = cmd_connect(&ret);
	if (!nl)
		return ret;
	if (a.target.kind != TARGET_NONE) {
		/* The open fd keeps the namespace, and so its inode, alive: the
		 * inode filter cannot match a different namespace meanwhile. */
		fd = cmd_open_target(&a, false);
		if (fd < 0) {
			egk_nl_close(nl);
			return -fd;
		}
		m.inode = target_inode(fd);
	}
	err = egk_nl_monitor(nl, on_event, &m);
	ret = err ? cmd_nl_error(nl, err, "monitor", &a) : EXIT_OK;
	if (fd >= 0)
		close(fd);
	egk_nl_close(nl);
	return ret;
}
