/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy files (DESIGN.md section 3): the in-memory form, the parser and the
 * printer.  No netlink here; netlink.c converts to and from attributes.
 */
#ifndef EGRESSKCTL_POLICY_H
#define EGRESSKCTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/egressk.h>

#define EGK_MAX_ERRORS		20	/* error messages kept per parse */
#define EGK_MAX_INCLUDE_DEPTH	8	/* nested includes */
#define EGK_MAX_LINE		4096	/* bytes per policy line */
#define EGK_DOMAIN_BASE_MAX	253	/* a domain pattern's name, without "." or "*." */
#define EGK_DOMAIN_LABEL_MAX	63	/* one label of it */

struct egk_port_range {
	uint16_t first;
	uint16_t last;
};

struct egk_rule {
	uint8_t action;		/* enum egressk_action */
	uint8_t kind;		/* enum egressk_rule_kind */
	uint8_t family;		/* AF_INET or AF_INET6; 0 for domain rules */
	uint8_t prefixlen;
	uint8_t proto;		/* enum egressk_proto */
	uint8_t nranges;
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	struct egk_port_range *ranges;	/* nranges entries, heap */
	char *name;		/* domain and dns-name rules: the normalised pattern, heap */
	uint32_t id;		/* read back from the kernel */
	uint64_t hits;		/* read back from the kernel */
};

struct egk_policy {
	uint8_t mode;		/* enum egressk_mode */
	uint8_t def;		/* enum egressk_default */
	uint32_t flags;		/* EGRESSK_POLICY_F_* */
	uint8_t dns_filter;	/* enum egressk_dns_filter */
	uint8_t binding;	/* enum egressk_domain_binding */
	uint32_t ttl_floor;	/* seconds, 1..EGRESSK_DNS_TTL_MAX */
	uint32_t ttl_ceiling;	/* seconds, >= ttl_floor */
	struct egk_rule *rules;
	size_t nrules;
	size_t cap;
};

/* Error messages, each "file:line: message". */
struct egk_diag {
	char *msgs[EGK_MAX_ERRORS];
	int nmsgs;	/* kept */
	int total;	/* found, including those not kept */
};

void egk_policy_init(struct egk_policy *p);
void egk_policy_free(struct egk_policy *p);
/* Append a copy of @r (its ranges and name are copied). Returns 0 or -ENOMEM. */
int egk_policy_add_rule(struct egk_policy *p, const struct egk_rule *r);
void egk_diag_free(struct egk_diag *d);
/* Print every kept message to @f, plus "... and N more errors". */
void egk_diag_print(const struct egk_diag *d, FILE *f);

/*
 * Parse the policy file @path ("-" reads stdin, named "<stdin>", with
 * includes relative to the current directory).  Returns 0, or the number of
 * errors (>0) with messages in @d; on error @p holds no rules.
 */
int egk_policy_parse_file(const char *path, struct egk_policy *p,
			  struct egk_diag *d);
/*
 * Parse @text named @name; includes resolve relative to @basedir.
 * Same result convention as egk_policy_parse_file().
 */
int egk_policy_parse_string(const char *name, const char *basedir,
			    const char *text, struct egk_policy *p,
			    struct egk_diag *d);

/*
 * Check a domain pattern as written in a policy ("Example.COM.", ".a.b",
 * "*.a.b") and write its normalised form to @out (lowercase, one trailing
 * dot dropped, the leading "." or "*." kept; @outlen at least
 * EGRESSK_DOMAIN_NAME_MAX + 1).  Returns 0, or -1 with a message that
 * quotes @in in @err.
 */
int egk_domain_normalize(const char *in, char *out, size_t outlen,
			 char *err, size_t errlen);
/* True if @s is a valid pattern already in normalised form. */
bool egk_domain_is_normal(const char *s);

/* Big enough for the longest rule line: 64 ranges of "65535-65535," after a
 * 255-character domain pattern. */
#define EGK_RULE_TEXT_MAX	1280

/* Render one rule as its policy line ("allow cidr 10.0.0.0/8 tcp port 443"). */
void egk_rule_format(const struct egk_rule *r, char *buf, size_t len);
/* Render the prefix alone ("10.0.0.0/8", a bare address for host routes). */
void egk_prefix_format(const struct egk_rule *r, char *buf, size_t len);
/* mode, default, the DNS settings, allow raw and every rule, one per line;
 * a valid policy file. */
void egk_policy_print(FILE *f, const struct egk_policy *p);

/*
 * Advice about a valid policy that will not work as its author likely
 * means: "NAME: warning: ..." lines to @f (NAME is the file, or <stdin>).
 * Returns how many were printed.
 */
int egk_policy_warn(const struct egk_policy *p, const char *name, FILE *f);

const char *egk_mode_name(unsigned int mode);
const char *egk_dns_filter_name(unsigned int v);
const char *egk_binding_name(unsigned int v);
const char *egk_rule_kind_name(unsigned int kind);
const char *egk_default_name(unsigned int def);
const char *egk_proto_name(unsigned int proto);
const char *egk_action_name(unsigned int action);

struct json_object;
/* {"mode","default","allow_raw","dns_filter","domain_binding","dns_ttl_floor",
 * "dns_ttl_ceiling","rules":[...]}; rules carry id and hits when
 * @with_counters. */
struct json_object *egk_policy_to_json(const struct egk_policy *p,
				       bool with_counters);

#endif
