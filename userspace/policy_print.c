// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering a policy: as a policy file (so "show" output can be fed back to
 * "apply") and as JSON (json-c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "policy.h"

const char *egk_mode_name(unsigned int mode)
{
	return mode == EGRESSK_MODE_AUDIT ? "audit" :
	       mode == EGRESSK_MODE_ENFORCE ? "enforce" : "unknown";
}

const char *egk_default_name(unsigned int def)
{
	return def == EGRESSK_DEFAULT_DROP ? "drop" :
	       def == EGRESSK_DEFAULT_REJECT ? "reject" : "unknown";
}

const char *egk_dns_filter_name(unsigned int v)
{
	switch (v) {
	case EGRESSK_DNS_FILTER_OFF:    return "off";
	case EGRESSK_DNS_FILTER_ON:     return "on";
	case EGRESSK_DNS_FILTER_STRICT: return "strict";
	}
	return "unknown";
}

const char *egk_binding_name(unsigned int v)
{
	return v == EGRESSK_BINDING_DNS ? "dns" :
	       v == EGRESSK_BINDING_NONE ? "none" : "unknown";
}

const char *egk_proto_name(unsigned int proto)
{
	switch (proto) {
	case EGRESSK_PROTO_ANY:  return "any";
	case EGRESSK_PROTO_TCP:  return "tcp";
	case EGRESSK_PROTO_UDP:  return "udp";
	case EGRESSK_PROTO_ICMP: return "icmp";
	}
	return "unknown";
}

const char *egk_action_name(unsigned int action)
{
	return action == EGRESSK_ACTION_ALLOW ? "allow" :
	       action == EGRESSK_ACTION_DENY ? "deny" : "unknown";
}

void egk_prefix_format(const struct egk_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int full = r->family == AF_INET ? 32 : 128;

	if (!inet_ntop(r->family, r->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (r->prefixlen == full)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, r->prefixlen);
}

static size_t format_ports(const struct egk_rule *r, char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < r->nranges && off < len; i++) {
		const struct egk_port_range *pr = &r->ranges[i];

		if (pr->first == pr->last)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						i ? "," : "", pr->first);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%u-%u",
						i ? "," : "", pr->first, pr->last);
	}
	return off;
}

void egk_rule_format(const struct egk_rule *r, char *buf, size_t len)
{
	char prefix[INET6_ADDRSTRLEN + 8];
	size_t off;

	if (r->kind == EGRESSK_RULE_KIND_DOMAIN) {
		off = (size_t)snprintf(buf, len, "allow domain %s", r->name ? r->name : "?");
		if (off < len && r->nranges) {
			off += (size_t)snprintf(buf + off, len - off, " port ");
			if (off < len)
				format_ports(r, buf + off, len - off);
		}
		return;
	}
	if (r->kind == EGRESSK_RULE_KIND_DNS_NAME) {
		snprintf(buf, len, "allow dns-name %s", r->name ? r->name : "?");
		return;
	}
	egk_prefix_format(r, prefix, sizeof(prefix));
	if (r->kind == EGRESSK_RULE_KIND_DNS) {
		snprintf(buf, len, "allow dns %s", prefix);
		return;
	}
	off = (size_t)snprintf(buf, len, "%s cidr %s", egk_action_name(r->action), prefix);
	if (off < len && r->proto != EGRESSK_PROTO_ANY)
		off += (size_t)snprintf(buf + off, len - off, " %s", egk_proto_name(r->proto));
	if (off < len && r->nranges) {
		off += (size_t)snprintf(buf + off, len - off, " port ");
		if (off < len)
			format_ports(r, buf + off, len - off);
	}
}


void egk_policy_print(FILE *f, const struct egk_policy *p)
{
	char buf[EGK_RULE_TEXT_MAX];

	fprintf(f, "mode %s\n", egk_mode_name(p->mode));
	fprintf(f, "default %s\n", egk_default_name(p->def));
	fprintf(f, "dns filter %s\n", egk_dns_filter_name(p->dns_filter));
	fprintf(f, "dns ttl-floor %u\n", p->ttl_floor);
	fprintf(f, "dns ttl-ceiling %u\n", p->ttl_ceiling);
	fprintf(f, "domain-binding %s\n", egk_binding_name(p->binding));
	if (p->flags & EGRESSK_POLICY_F_ALLOW_RAW)
		fprintf(f, "allow raw\n");
	for (size_t i = 0; i < p->nrules; i++) {
		egk_rule_format(&p->rules[i], buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
}

static struct json_object *port_json(unsigned int first, unsigned int last)
{
	struct json_object *pr = json_object_new_object();

	json_object_object_add(pr, "first", json_object_new_int((int)first));
	json_object_object_add(pr, "last", json_object_new_int((int)last));
	return pr;
}

const char *egk_rule_kind_name(unsigned int kind)
{
	switch (kind) {
	case EGRESSK_RULE_KIND_CIDR:     return "cidr";
	case EGRESSK_RULE_KIND_DNS:      return "dns";
	case EGRESSK_RULE_KIND_DOMAIN:   return "domain";
	case EGRESSK_RULE_KIND_DNS_NAME: return "dns-name";
	}
	return "unknown";
}

static struct json_object *rule_to_json(const struct egk_rule *r, bool with_counters)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	char prefix[INET6_ADDRSTRLEN + 8];
	char text[EGK_RULE_TEXT_MAX];
	char a[INET6_ADDRSTRLEN];

	if (with_counters)
		json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "action", json_object_new_string(egk_action_name(r->action)));
	json_object_object_add(o, "kind", json_object_new_string(egk_rule_kind_name(r->kind)));
	if (r->kind == EGRESSK_RULE_KIND_DOMAIN) {
		/* ports are the ones covered: without a port list, 80 and 443 */
		json_object_object_add(o, "name", json_object_new_string(r->name ? r->name : ""));
		json_object_object_add(o, "proto", json_object_new_string("tcp"));
		for (int i = 0; i < r->nranges; i++)
			json_object_array_add(ports, port_json(r->ranges[i].first, r->ranges[i].last));
		if (!r->nranges) {
			json_object_array_add(ports, port_json(80, 80));
			json_object_array_add(ports, port_json(443, 443));
		}
		json_object_object_add(o, "ports", ports);
		json_object_object_add(o, "default_ports", json_object_new_boolean(!r->nranges));
		goto tail;
	}
	if (r->kind == EGRESSK_RULE_KIND_DNS_NAME) {
		/* a name for the dns filter: no protocol, no ports */
		json_object_put(ports);
		json_object_object_add(o, "name", json_object_new_string(r->name ? r->name : ""));
		goto tail;
	}
	json_object_object_add(o, "family", json_object_new_string(
		r->family == AF_INET ? "ipv4" : "ipv6"));
	if (!inet_ntop(r->family, r->addr, a, sizeof(a)))
		a[0] = '\0';
	json_object_object_add(o, "address", json_object_new_string(a));
	json_object_object_add(o, "prefixlen", json_object_new_int(r->prefixlen));
	snprintf(prefix, sizeof(prefix), "%s/%u", a, r->prefixlen);
	json_object_object_add(o, "prefix", json_object_new_string(prefix));
	json_object_object_add(o, "proto", json_object_new_string(egk_proto_name(r->proto)));
	for (int i = 0; i < r->nranges; i++)
		json_object_array_add(ports, port_json(r->ranges[i].first, r->ranges[i].last));
	json_object_object_add(o, "ports", ports);
tail:
	if (with_counters)
		json_object_object_add(o, "hits", json_object_new_uint64(r->hits));
	egk_rule_format(r, text, sizeof(text));
	json_object_object_add(o, "text", json_object_new_string(text));
	return o;
}

struct json_object *egk_policy_to_json(const struct egk_policy *p, bool with_counters)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rules = json_object_new_array();

	json_object_object_add(o, "mode", json_object_new_string(egk_mode_name(p->mode)));
	json_object_object_add(o, "default", json_object_new_string(egk_default_name(p->def)));
	json_object_object_add(o, "allow_raw",
			       json_object_new_boolean(!!(p->flags & EGRESSK_POLICY_F_ALLOW_RAW)));
	json_object_object_add(o, "dns_filter",
			       json_object_new_string(egk_dns_filter_name(p->dns_filter)));
	json_object_object_add(o, "domain_binding",
			       json_object_new_string(egk_binding_name(p->binding)));
	json_object_object_add(o, "dns_ttl_floor", json_object_new_int64(p->ttl_floor));
	json_object_object_add(o, "dns_ttl_ceiling", json_object_new_int64(p->ttl_ceiling));
	for (size_t i = 0; i < p->nrules; i++)
		json_object_array_add(rules, rule_to_json(&p->rules[i], with_counters));
	json_object_object_add(o, "rules", rules);
	return o;
}
