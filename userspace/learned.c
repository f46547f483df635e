// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering the addresses learned from DNS answers (LEARNED_GET), for
 * "show --learned" and "stats": a table and JSON.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>

#include "learned.h"

/* The pattern of the rule the entry names, or NULL. */
static const char *rule_pattern(const struct egk_policy *p, const struct egk_learned *l)
{
	if (!l->has_rule_id)
		return NULL;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].id == l->rule_id && p->rules[i].name)
			return p->rules[i].name;
	return NULL;
}

static void learned_addr(const struct egk_learned *l, char *buf, size_t len)
{
	if (!inet_ntop(l->family, l->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static void learned_expiry(const struct egk_learned *l, char *buf, size_t len)
{
	if (l->expires)
		snprintf(buf, len, "%us", l->expires);
	else
		snprintf(buf, len, "expired");
}

void egk_learned_print(FILE *f, const struct egk_learned_list *ll, const struct egk_policy *p,
		       const char *indent)
{
	int aw = 7, nw = 4, ew = 7;
	char addr[INET6_ADDRSTRLEN], exp[32];

	for (size_t i = 0; i < ll->n; i++) {
		learned_addr(&ll->v[i], addr, sizeof(addr));
		learned_expiry(&ll->v[i], exp, sizeof(exp));
		if ((int)strlen(addr) > aw)
			aw = (int)strlen(addr);
		if ((int)strlen(ll->v[i].name) > nw)
			nw = (int)strlen(ll->v[i].name);
		if ((int)strlen(exp) > ew)
			ew = (int)strlen(exp);
	}
	fprintf(f, "%s%-*s  %-*s  %-*s  %s\n", indent, aw, "ADDRESS", nw, "NAME", ew, "EXPIRES", "RULE");
	for (size_t i = 0; i < ll->n; i++) {
		const char *pat = rule_pattern(p, &ll->v[i]);

		learned_addr(&ll->v[i], addr, sizeof(addr));
		learned_expiry(&ll->v[i], exp, sizeof(exp));
		fprintf(f, "%s%-*s  %-*s  %-*s  %s\n", indent, aw, addr, nw,
		       ll->v[i].name[0] ? ll->v[i].name : "-", ew, exp, pat ? pat : "-");
	}
}

struct json_object *egk_learned_to_json(const struct egk_learned_list *ll,
					const struct egk_policy *p)
{
	struct json_object *arr = json_object_new_array();
	char addr[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < ll->n; i++) {
		const struct egk_learned *l = &ll->v[i];
		struct json_object *o = json_object_new_object();
		const char *pat = rule_pattern(p, l);

		learned_addr(l, addr, sizeof(addr));
		json_object_object_add(o, "address", json_object_new_string(addr));
		json_object_object_add(o, "family", json_object_new_string(
			l->family == AF_INET6 ? "ipv6" : "ipv4"));
		json_object_object_add(o, "name", json_object_new_string(l->name));
		json_object_object_add(o, "expires", json_object_new_int64(l->expires));
		json_object_object_add(o, "expired", json_object_new_boolean(l->expires == 0));
		if (l->has_rule_id)
			json_object_object_add(o, "rule_id", json_object_new_int64(l->rule_id));
		json_object_object_add(o, "rule", pat ? json_object_new_string(pat) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}
