// SPDX-License-Identifier: GPL-2.0
/* list, stats: what the policed namespaces are doing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"
#include "learned.h"
#include "netlink.h"
#include "policy.h"

/* Every counter by its name in text and JSON, in the uapi's order. */
static const struct {
	const char *name;
	size_t off;
} counters[] = {
#define C(f) { #f, offsetof(struct egk_counters, f) }
	C(allowed), C(rejected), C(dropped), C(audited), C(raw_rejected),
	C(events_lost), C(malformed),
	C(flows_inspected), C(flows_domain_allowed), C(flows_domain_rejected),
	C(flows_hold_limit), C(flows_hold_timeout), C(flows_table_full),
	C(flows_policy_cut), C(flows_active),
	C(dns_queries), C(dns_refused), C(dns_unpinned), C(dns_learned),
	C(dns_learn_full), C(dns_ignored), C(flows_not_learned), C(learned_active),
	C(inbound_active), C(inbound_full), C(dns_duplicate), C(guard_dropped),
#undef C
};

static uint64_t counter(const struct egk_counters *c, size_t i)
{
	return *(const uint64_t *)((const char *)c + counters[i].off);
}

static struct json_object *counters_json(const struct egk_counters *c)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		json_object_object_add(o, counters[i].name,
				       json_object_new_uint64(counter(c, i)));
	return o;
}

static struct json_object *netns_json(const struct egk_ident *id)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "inode", json_object_new_int64(id->inode));
	json_object_object_add(o, "cookie", json_object_new_uint64(id->cookie));
	return o;
}

static void print_list_header(void)
{
	printf("%-12s %-20s %-8s %-8s %8s %6s %12s %12s %12s %12s\n", "INODE", "COOKIE",
	       "MODE", "DEFAULT", "RULES", "GUARDS", "ALLOWED", "REJECTED", "DROPPED",
	       "AUDITED");
}

/* The guard count as list and stats print it: "-" from a module without one. */
static void guards_text(const struct egk_ident *id, char *buf, size_t len)
{
	if (id->has_guards)
		snprintf(buf, len, "%u", id->guards);
	else
		snprintf(buf, len, "-");
}

static void add_guards_json(struct json_object *o, const struct egk_ident *id)
{
	if (id->has_guards)
		json_object_object_add(o, "guards", json_object_new_int64(id->guards));
}

struct list_out {
	struct json_object *arr;	/* NULL for text */
	int count;
};

static void list_one(const struct egk_ns_state *st, void *arg)
{
	struct list_out *out = arg;
	char guards[16];

	if (!out->arr && out->count == 0)
		print_list_header();
	out->count++;
	if (out->arr) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "netns", netns_json(&st->id));
		json_object_object_add(o, "version", json_object_new_uint64(st->id.version));
		json_object_object_add(o, "mode", json_object_new_string(egk_mode_name(st->mode)));
		json_object_object_add(o, "default",
				       json_object_new_string(egk_default_name(st->def)));
		json_object_object_add(o, "rule_count", json_object_new_int64(st->rule_count));
		add_guards_json(o, &st->id);
		json_object_object_add(o, "counters", counters_json(&st->stats));
		json_object_array_add(out->arr, o);
		return;
	}
	guards_text(&st->id, guards, sizeof(guards));
	printf("%-12u %-20llu %-8s %-8s %8u %6s %12llu %12llu %12llu %12llu\n",
	       st->id.inode, (unsigned long long)st->id.cookie, egk_mode_name(st->mode),
	       egk_default_name(st->def), st->rule_count, guards,
	       (unsigned long long)st->stats.allowed, (unsigned long long)st->stats.rejected,
	       (unsigned long long)st->stats.dropped, (unsigned long long)st->stats.audited);
}

int cmd_list(int argc, char **argv)
{
	struct list_out out = { 0 };
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, err;

	ret = cmd_parse(argc, argv, ARG_JSON, 0, 0, &a);
	if (ret)
		return ret;
	nl = cmd_connect(&ret);
	if (!nl)
		return ret;
	if (a.json)
		out.arr = json_object_new_array();
	/* the header is printed with the first row, so an error prints none */
	err = egk_nl_list(nl, list_one, &out);
	if (err) {
		ret = cmd_nl_error(nl, err, "list", NULL);
	} else {
		if (!out.arr && out.count == 0)
			print_list_header();
		if (out.arr)
			puts(json_object_to_json_string_ext(out.arr, JSON_C_TO_STRING_PLAIN));
		ret = EXIT_OK;
	}
	json_object_put(out.arr);
	egk_nl_close(nl);
	return ret;
}

/* ---- learned addresses ------------------------------------------------ */

/* A module that predates DNS control has no LEARNED_GET. */
static bool learned_unsupported(int err)
{
	return err == -EOPNOTSUPP;
}

int cmd_show_learned(const struct cmd_args *a, struct egk_nl *nl, int fd)
{
	struct egk_learned_list ll = { 0 };
	struct egk_policy p;
	struct egk_ident id;
	int err, ret;

	/* the policy first: its rule ids name the patterns (a commit in
	 * between can make the two disagree, as for stats) */
	err = egk_nl_policy_get(nl, fd, cmd_target_flags(a), &p, &id);
	if (!err)
		err = egk_nl_learned_get(nl, fd, cmd_target_flags(a), &ll);
	if (err && learned_unsupported(err)) {
		die_msg("show: this egressk module has no learned addresses (it predates DNS control); load the module that came with this egresskctl");
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (err) {
		ret = cmd_nl_error(nl, err, "show", a);
		goto out;
	}
	if (a->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "netns", netns_json(&id));
		json_object_object_add(o, "version", json_object_new_uint64(id.version));
		json_object_object_add(o, "learned", egk_learned_to_json(&ll, &p));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		printf("# egressk learned addresses of netns inode %u cookie %llu, version %llu, %zu entr%s\n",
		       id.inode, (unsigned long long)id.cookie, (unsigned long long)id.version,
		       ll.n, ll.n == 1 ? "y" : "ies");
		egk_learned_print(stdout, &ll, &p, "");
	}
	ret = EXIT_OK;
out:
	egk_learned_list_free(&ll);
	egk_policy_free(&p);
	return ret;
}

/* ---- stats ------------------------------------------------------------- */

static void print_stats_text(const struct egk_ns_state *st, const struct egk_policy *p,
			     const struct egk_learned_list *ll)
{
	char buf[EGK_RULE_TEXT_MAX];

	printf("# egressk stats of netns inode %u cookie %llu, version %llu\n", st->id.inode,
	       (unsigned long long)st->id.cookie, (unsigned long long)st->id.version);
	printf("mode %s\n", egk_mode_name(st->mode));
	printf("rules %u\n", st->rule_count);
	guards_text(&st->id, buf, sizeof(buf));
	printf("guards %s\n", buf);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		printf("%s %llu\n", counters[i].name,
		       (unsigned long long)counter(&st->stats, i));
	for (size_t i = 0; i < p->nrules; i++) {
		egk_rule_format(&p->rules[i], buf, sizeof(buf));
		printf("rule %u hits %llu: %s\n", p->rules[i].id,
		       (unsigned long long)p->rules[i].hits, buf);
	}
	if (ll) {
		printf("learned: %zu entr%s\n", ll->n, ll->n == 1 ? "y" : "ies");
		if (ll->n)
			egk_learned_print(stdout, ll, p, "  ");
	}
}

int cmd_stats(int argc, char **argv)
{
	struct egk_learned_list ll = { 0 };
	bool have_learned = false;
	struct egk_ns_state st;
	struct egk_policy p;
	struct egk_ident id;
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, fd, err;

	ret = cmd_parse(argc, argv, ARG_TARGET | ARG_JSON, 0, 0, &a);
	if (ret)
		return ret;
	nl = cmd_connect_target(&a, false, &fd, &ret);
	if (!nl)
		return ret;
	egk_policy_init(&p);
	err = egk_nl_stats_get(nl, fd, cmd_target_flags(&a), &st);
	if (!err)
		err = egk_nl_policy_get(nl, fd, cmd_target_flags(&a), &p, &id);
	if (!err) {
		err = egk_nl_learned_get(nl, fd, cmd_target_flags(&a), &ll);
		have_learned = !err;
		/* an older module: the counters without the listing */
		if (learned_unsupported(err))
			err = 0;
	}
	if (err) {
		ret = cmd_nl_error(nl, err, "stats", &a);
		goto out;
	}
	if (a.json) {
		struct json_object *o = json_object_new_object();
		struct json_object *rules = json_object_new_array();
		char buf[EGK_RULE_TEXT_MAX];

		json_object_object_add(o, "netns", netns_json(&st.id));
		json_object_object_add(o, "version", json_object_new_uint64(st.id.version));
		json_object_object_add(o, "mode", json_object_new_string(egk_mode_name(st.mode)));
		json_object_object_add(o, "rule_count", json_object_new_int64(st.rule_count));
		add_guards_json(o, &st.id);
		json_object_object_add(o, "counters", counters_json(&st.stats));
		for (size_t i = 0; i < p.nrules; i++) {
			struct json_object *r = json_object_new_object();

			egk_rule_format(&p.rules[i], buf, sizeof(buf));
			json_object_object_add(r, "id", json_object_new_int64(p.rules[i].id));
			json_object_object_add(r, "hits", json_object_new_uint64(p.rules[i].hits));
			json_object_object_add(r, "text", json_object_new_string(buf));
			json_object_array_add(rules, r);
		}
		json_object_object_add(o, "rules", rules);
		if (have_learned)
			json_object_object_add(o, "learned", egk_learned_to_json(&ll, &p));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		print_stats_text(&st, &p, have_learned ? &ll : NULL);
	}
	ret = EXIT_OK;
out:
	egk_learned_list_free(&ll);
	egk_policy_free(&p);
	close(fd);
	egk_nl_close(nl);
	return ret;
}
