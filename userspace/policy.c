// SPDX-License-Identifier: GPL-2.0
/*
 * The policy-file parser (DESIGN.md section 3).  Every line is checked, every
 * error is collected as "file:line: message", and a policy with any error
 * yields no rules, so nothing half-checked can reach the kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy.h"

#define MAX_WORDS 16

/*
 * Settings: a directive that sets one value for the whole policy.  Each may
 * appear more than once (in the file or its includes) only with the same
 * value; a conflicting line is an error that names the first one.
 */
enum setting_id {
	S_MODE,
	S_DEFAULT,
	S_DNS_FILTER,
	S_BINDING,
	S_TTL_FLOOR,
	S_TTL_CEILING,
	S_COUNT
};

static const char *const setting_kw[S_COUNT] = {
	[S_MODE] = "mode",
	[S_DEFAULT] = "default",
	[S_DNS_FILTER] = "dns filter",
	[S_BINDING] = "domain-binding",
	[S_TTL_FLOOR] = "dns ttl-floor",
	[S_TTL_CEILING] = "dns ttl-ceiling",
};

struct setting {
	bool set;
	uint32_t value;
	char *file;	/* where it was first set */
	int line;
	unsigned int seq;	/* order among settings lines, to name the later one */
};

struct parse_ctx {
	struct egk_policy *pol;
	struct egk_diag *diag;
	char *stack[EGK_MAX_INCLUDE_DEPTH + 2];	/* realpaths of open files */
	int depth;
	struct setting settings[S_COUNT];
	unsigned int nsettings;
	bool too_many_rules;
	bool too_many_ranges;
	bool too_many_domains;
	size_t ndomains;	/* domain and dns-name rules so far */
	size_t total_ranges;	/* port ranges in all rules so far */
};

void egk_policy_init(struct egk_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = EGRESSK_MODE_ENFORCE;
	p->def = EGRESSK_DEFAULT_REJECT;
	p->dns_filter = EGRESSK_DNS_FILTER_ON;
	p->binding = EGRESSK_BINDING_DNS;
	p->ttl_floor = EGRESSK_DNS_TTL_FLOOR_DEFAULT;
	p->ttl_ceiling = EGRESSK_DNS_TTL_CEILING_DEFAULT;
}

static void free_rules(struct egk_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].ranges);
		free(p->rules[i].name);
	}
	free(p->rules);
	p->rules = NULL;
	p->nrules = 0;
	p->cap = 0;
}

void egk_policy_free(struct egk_policy *p)
{
	free_rules(p);
}

int egk_policy_add_rule(struct egk_policy *p, const struct egk_rule *r)
{
	struct egk_rule *slot;

	if (p->nrules == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		struct egk_rule *n = realloc(p->rules, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->rules = n;
		p->cap = ncap;
	}
	slot = &p->rules[p->nrules];
	*slot = *r;
	slot->ranges = NULL;
	slot->name = NULL;
	if (r->nranges) {
		slot->ranges = malloc(r->nranges * sizeof(*slot->ranges));
		if (!slot->ranges)
			return -ENOMEM;
		memcpy(slot->ranges, r->ranges, r->nranges * sizeof(*slot->ranges));
	}
	if (r->name) {
		slot->name = strdup(r->name);
		if (!slot->name) {
			free(slot->ranges);
			return -ENOMEM;
		}
	}
	p->nrules++;
	return 0;
}

void egk_diag_free(struct egk_diag *d)
{
	for (int i = 0; i < d->nmsgs; i++)
		free(d->msgs[i]);
	memset(d, 0, sizeof(*d));
}

void egk_diag_print(const struct egk_diag *d, FILE *f)
{
	for (int i = 0; i < d->nmsgs; i++)
		fprintf(f, "%s\n", d->msgs[i]);
	if (d->total > d->nmsgs)
		fprintf(f, "... and %d more errors; fix the ones above first\n",
			d->total - d->nmsgs);
}

__attribute__((format(printf, 4, 5)))
static void report(struct parse_ctx *c, const char *file, int line,
		   const char *fmt, ...)
{
	char msg[1024];
	char *full;
	va_list ap;

	c->diag->total++;
	if (c->diag->nmsgs >= EGK_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (asprintf(&full, "%s:%d: %s", file, line, msg) < 0)
		return;
	c->diag->msgs[c->diag->nmsgs++] = full;
}

/* ---- tokens ---------------------------------------------------------- */

static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p)
			*p++ = '\0';
	}
}

/* A decimal number without sign or leading junk; -1 when not one. */
static long parse_uint(const char *s, long max)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -2;
	}
	return v;
}

/* ---- addresses ------------------------------------------------------- */

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, 12) == 0;
}

/*
 * PREFIX: IPv4 or IPv6 address with optional /len.  A v4-mapped IPv6 prefix
 * (::ffff:a.b.c.d/96 or longer) becomes the IPv4 rule it means: a v6 socket
 * talking to a mapped address sends IPv4 packets, which IPv4 rules judge.
 */
static int parse_prefix(const char *s, struct egk_rule *r, bool allow_len,
			char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int maxlen;
	long plen;

	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
		return -1;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = AF_INET6;
		maxlen = 128;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	plen = maxlen;
	if (slash) {
		if (!allow_len) {
			plen = parse_uint(slash + 1, 255);
			if (plen != maxlen) {
				snprintf(err, errlen,
					 "'%s': a resolver is one address, not a prefix", s);
				return -1;
			}
		}
		plen = parse_uint(slash + 1, 255);
		if (plen < 0 || plen > maxlen) {
			snprintf(err, errlen,
				 "'%s': prefix length must be 0..%d", s, maxlen);
			return -1;
		}
	}
	r->prefixlen = (uint8_t)plen;

	/* host bits must be zero */
	{
		uint8_t net[16];
		int bytes = maxlen / 8;
		bool bad = false;

		memcpy(net, r->addr, sizeof(net));
		for (int i = 0; i < bytes; i++) {
			int bit0 = i * 8;
			uint8_t mask;

			if (bit0 + 8 <= plen)
				mask = 0xff;
			else if (bit0 >= plen)
				mask = 0;
			else
				mask = (uint8_t)(0xff << (8 - (plen - bit0)));
			if (net[i] & ~mask)
				bad = true;
			net[i] &= mask;
		}
		if (bad) {
			char nbuf[INET6_ADDRSTRLEN];

			inet_ntop(r->family, net, nbuf, sizeof(nbuf));
			snprintf(err, errlen,
				 "'%s' has host bits set; the network is %s/%ld",
				 s, nbuf, plen);
			return -1;
		}
	}

	if (r->family == AF_INET6 && is_v4_mapped(r->addr) && plen >= 96) {
		uint8_t v4[4];

		memcpy(v4, r->addr + 12, 4);
		memset(r->addr, 0, sizeof(r->addr));
		memcpy(r->addr, v4, 4);
		r->family = AF_INET;
		r->prefixlen = (uint8_t)(plen - 96);
	}
	return 0;
}

/* SPEC: N, N-M, or a comma list of these; ports are 1..65535. */
static int parse_ports(const char *spec, struct egk_rule *r,
		       struct egk_port_range *out, char *err, size_t errlen)
{
	const char *p = spec;
	int n = 0;

	if (!*spec) {
		snprintf(err, errlen, "'port' needs a port, a range N-M or a comma list");
		return -1;
	}
	while (*p) {
		char item[32];
		const char *comma = strchr(p, ',');
		size_t ilen = comma ? (size_t)(comma - p) : strlen(p);
		char *dash;
		long first, last;

		if (ilen == 0) {
			snprintf(err, errlen, "port list '%s' has an empty item", spec);
			return -1;
		}
		if (ilen >= sizeof(item)) {
			snprintf(err, errlen, "'%.*s' is not a port or port range",
				 (int)(ilen > 40 ? 40 : ilen), p);
			return -1;
		}
		memcpy(item, p, ilen);
		item[ilen] = '\0';
		dash = strchr(item, '-');
		if (dash)
			*dash = '\0';
		first = parse_uint(item, 99999999);
		last = dash ? parse_uint(dash + 1, 99999999) : first;
		if (dash)
			*dash = '-';
		if (first == -1 || last == -1 || (dash && !dash[1])) {
			snprintf(err, errlen, "'%s' is not a port or port range N-M", item);
			return -1;
		}
		if (first < 1 || first > 65535 || last < 1 || last > 65535) {
			snprintf(err, errlen, "port '%s' is out of range 1-65535", item);
			return -1;
		}
		if (first > last) {
			snprintf(err, errlen,
				 "port range '%s' is backwards; write %ld-%ld", item, last, first);
			return -1;
		}
		if (n == EGRESSK_MAX_PORT_RANGES) {
			snprintf(err, errlen,
				 "too many port ranges (at most %d per rule); split the rule",
				 EGRESSK_MAX_PORT_RANGES);
			return -1;
		}
		out[n].first = (uint16_t)first;
		out[n].last = (uint16_t)last;
		n++;
		p += ilen;
		if (*p == ',') {
			p++;
			if (!*p) {
				snprintf(err, errlen, "port list '%s' ends with a comma", spec);
				return -1;
			}
		}
	}
	r->nranges = (uint8_t)n;
	r->ranges = out;
	return 0;
}

/*
 * Domain names.  A pattern is "example.com" (that name), ".example.com" (the
 * name and every subdomain) or "*.example.com" (subdomains only).  The base
 * name after the "." or "*." follows the kernel's rules (kmod/parse.h):
 * 1..253 characters, labels of 1..63 from [a-z0-9-_] not starting or ending
 * with '-', and a last label that is not all digits.  Case does not matter and
 * one trailing dot is dropped.
 */
static bool label_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* At most 60 characters of @s for a message, with "..." when cut. */
#define QUOTE(s) (strlen(s) > 60 ? 57 : (int)strlen(s)), (s), (strlen(s) > 60 ? "..." : "")

int egk_domain_normalize(const char *in, char *out, size_t outlen,
			 char *err, size_t errlen)
{
	size_t plen = 0, len, label = 0, lstart = 0, o;
	bool digits = true;
	const char *base;

	if (in[0] == '*' && in[1] == '.')
		plen = 2;
	else if (in[0] == '.')
		plen = 1;
	base = in + plen;
	len = strlen(base);
	if (len && base[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(err, errlen,
			 "'%.*s%s' is not a domain name; write example.com, .example.com (with subdomains) or *.example.com (subdomains only)",
			 QUOTE(in));
		return -1;
	}
	if (len > EGK_DOMAIN_BASE_MAX) {
		snprintf(err, errlen, "'%.*s%s' is longer than %d characters", QUOTE(in),
			 EGK_DOMAIN_BASE_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char ch = (char)tolower((unsigned char)base[i]);

		if (ch == '.') {
			if (label == 0) {
				snprintf(err, errlen, "'%.*s%s' has an empty label (two dots in a row)",
					 QUOTE(in));
				return -1;
			}
			if (base[i - 1] == '-') {
				snprintf(err, errlen, "'%.*s%s': label '%.*s' ends with '-'", QUOTE(in),
					 (int)label, base + lstart);
				return -1;
			}
			label = 0;
			lstart = i + 1;
			digits = true;
			continue;
		}
		if (ch == '*') {
			snprintf(err, errlen,
				 "'%.*s%s': '*' may only lead the name, as in '*.example.com'",
				 QUOTE(in));
			return -1;
		}
		if (!label_char(ch)) {
			unsigned char uc = (unsigned char)base[i];

			if (uc > 0x20 && uc < 0x7f)
				snprintf(err, errlen,
					 "'%.*s%s': '%c' is not allowed in a domain name (letters, digits, '-', '_' and '.'; a leading '.' or '*.')",
					 QUOTE(in), uc);
			else
				snprintf(err, errlen,
					 "'%.*s%s': byte 0x%02x is not allowed in a domain name (letters, digits, '-', '_' and '.'; internationalised names are written as xn--)",
					 QUOTE(in), uc);
			return -1;
		}
		if (label == 0 && ch == '-') {
			size_t l = strcspn(base + i, ".");

			snprintf(err, errlen, "'%.*s%s': label '%.*s' starts with '-'", QUOTE(in),
				 (int)(l > 63 ? 63 : l), base + i);
			return -1;
		}
		if (++label > EGK_DOMAIN_LABEL_MAX) {
			snprintf(err, errlen, "'%.*s%s' has a label longer than %d characters",
				 QUOTE(in), EGK_DOMAIN_LABEL_MAX);
			return -1;
		}
		if (ch < '0' || ch > '9')
			digits = false;
	}
	if (label == 0) {
		snprintf(err, errlen, "'%.*s%s' has an empty label (two dots in a row)", QUOTE(in));
		return -1;
	}
	if (base[len - 1] == '-') {
		snprintf(err, errlen, "'%.*s%s': label '%.*s' ends with '-'", QUOTE(in),
			 (int)label, base + lstart);
		return -1;
	}
	if (digits) {
		snprintf(err, errlen,
			 "'%.*s%s': the last label '%.*s' is all digits, so this is not a domain name; an address belongs in a cidr rule",
			 QUOTE(in), (int)label, base + lstart);
		return -1;
	}
	if (plen + len >= outlen) {
		snprintf(err, errlen, "'%.*s%s' is too long", QUOTE(in));
		return -1;
	}
	memcpy(out, in, plen);
	for (o = 0; o < len; o++)
		out[plen + o] = (char)tolower((unsigned char)base[o]);
	out[plen + len] = '\0';
	return 0;
}

bool egk_domain_is_normal(const char *s)
{
	char out[EGRESSK_DOMAIN_NAME_MAX + 1], err[512];

	return egk_domain_normalize(s, out, sizeof(out), err, sizeof(err)) == 0 &&
	       !strcmp(out, s);
}

/* ---- directives ------------------------------------------------------ */

static int parse_proto(const char *s)
{
	if (!strcmp(s, "tcp"))
		return EGRESSK_PROTO_TCP;
	if (!strcmp(s, "udp"))
		return EGRESSK_PROTO_UDP;
	if (!strcmp(s, "icmp"))
		return EGRESSK_PROTO_ICMP;
	if (!strcmp(s, "any"))
		return EGRESSK_PROTO_ANY;
	return -1;
}

static void add_rule(struct parse_ctx *c, const char *file, int line,
		     const struct egk_rule *r)
{
	if (c->too_many_rules)
		return;
	if (c->pol->nrules >= EGRESSK_MAX_RULES) {
		report(c, file, line, "too many rules (at most %d per policy)",
		       EGRESSK_MAX_RULES);
		c->too_many_rules = true;
		return;
	}
#ifdef EGRESSK_MAX_RANGES_TOTAL
	if (c->too_many_ranges)
		return;
	if (c->total_ranges + r->nranges > EGRESSK_MAX_RANGES_TOTAL) {
		report(c, file, line,
		       "too many port ranges in the policy (at most %d in all rules); merge rules",
		       EGRESSK_MAX_RANGES_TOTAL);
		c->too_many_ranges = true;
		return;
	}
#endif
	c->total_ranges += r->nranges;
	if (egk_policy_add_rule(c->pol, r) < 0)
		report(c, file, line, "out of memory");
}

/* allow|deny cidr PREFIX [PROTO] [port SPEC] */
static void do_cidr(struct parse_ctx *c, const char *file, int line,
		    uint8_t action, char **w, int n)
{
	struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
	struct egk_rule r = { .action = action, .kind = EGRESSK_RULE_KIND_CIDR };
	char err[512];
	int i = 3;

	if (n < 3) {
		report(c, file, line, "'%s cidr' needs a prefix, e.g. '%s cidr 10.0.0.0/8 tcp port 443'",
		       w[0], w[0]);
		return;
	}
	if (parse_prefix(w[2], &r, true, err, sizeof(err))) {
		report(c, file, line, "%s", err);
		return;
	}
	if (i < n && strcmp(w[i], "port")) {
		int proto = parse_proto(w[i]);

		if (proto < 0) {
			report(c, file, line, "unknown protocol '%s'; use tcp, udp, icmp or any", w[i]);
			return;
		}
		r.proto = (uint8_t)proto;
		i++;
	}
	if (i < n && !strcmp(w[i], "port")) {
		if (r.proto != EGRESSK_PROTO_TCP && r.proto != EGRESSK_PROTO_UDP) {
			report(c, file, line, "'port' needs protocol tcp or udp before it");
			return;
		}
		if (i + 1 >= n) {
			report(c, file, line, "'port' needs a port, a range N-M or a comma list");
			return;
		}
		if (parse_ports(w[i + 1], &r, ranges, err, sizeof(err))) {
			report(c, file, line, "%s", err);
			return;
		}
		i += 2;
	}
	if (i < n) {
		report(c, file, line, "unexpected '%s'; the form is '%s cidr PREFIX [tcp|udp|icmp|any] [port SPEC]'",
		       w[i], w[0]);
		return;
	}
	add_rule(c, file, line, &r);
}

/*
 * Domain and dns-name rules share EGRESSK_MAX_DOMAIN_RULES; @what names the
 * kinds in the error and @note follows the limit.  Reported once: later
 * rules are dropped silently.
 */
static void add_named_rule(struct parse_ctx *c, const char *file, int line,
			   struct egk_rule *r, char *name, const char *what,
			   const char *note)
{
	if (c->too_many_domains)
		return;
	if (c->ndomains >= EGRESSK_MAX_DOMAIN_RULES) {
		report(c, file, line,
		       "too many %s (at most %d per policy%s); '.example.com' covers a name and all its subdomains in one rule",
		       what, EGRESSK_MAX_DOMAIN_RULES, note);
		c->too_many_domains = true;
		return;
	}
	c->ndomains++;
	r->name = name;
	add_rule(c, file, line, r);
}

/*
 * allow domain NAME [tcp] [port SPEC]: TCP only; without ports the kernel
 * covers 80 and 443 (no PORTS attribute is sent).  Any port is accepted: on
 * every covered port the first payload must be a TLS ClientHello or an
 * HTTP/1.x request naming an allowed host, or, with domain-binding dns,
 * anything else sent to an address learned for a covered name (ssh).
 */
static void do_domain(struct parse_ctx *c, const char *file, int line,
		      char **w, int n)
{
	struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
	struct egk_rule r = { .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DOMAIN,
			      .proto = EGRESSK_PROTO_TCP };
	char name[EGRESSK_DOMAIN_NAME_MAX + 1];
	char err[512];
	int i = 3;

	if (n < 3) {
		report(c, file, line, "'allow domain' needs a name, e.g. 'allow domain .github.com'");
		return;
	}
	if (egk_domain_normalize(w[2], name, sizeof(name), err, sizeof(err))) {
		report(c, file, line, "%s", err);
		return;
	}
	if (i < n && strcmp(w[i], "port")) {
		int proto = parse_proto(w[i]);

		if (proto == EGRESSK_PROTO_UDP) {
			report(c, file, line,
			       "domain rules are TCP only: UDP to their ports (QUIC) is refused so that clients fall back to TCP; drop 'udp'");
			return;
		}
		if (proto >= 0 && proto != EGRESSK_PROTO_TCP) {
			report(c, file, line, "domain rules are TCP only; drop '%s'", w[i]);
			return;
		}
		if (proto < 0) {
			report(c, file, line,
			       "unexpected '%s'; the form is 'allow domain NAME [port SPEC]'", w[i]);
			return;
		}
		i++;
	}
	if (i < n && !strcmp(w[i], "port")) {
		if (i + 1 >= n) {
			report(c, file, line, "'port' needs a port, a range N-M or a comma list");
			return;
		}
		if (parse_ports(w[i + 1], &r, ranges, err, sizeof(err))) {
			report(c, file, line, "%s", err);
			return;
		}
		i += 2;
	}
	if (i < n) {
		report(c, file, line, "unexpected '%s'; the form is 'allow domain NAME [port SPEC]'",
		       w[i]);
		return;
	}
	add_named_rule(c, file, line, &r, name, "domain rules", "");
}

static void parse_file_stream(struct parse_ctx *c, FILE *f, const char *file,
			      const char *basedir);
static void do_include(struct parse_ctx *c, const char *file, int line,
		       const char *arg, const char *basedir);

static void setting_text(enum setting_id id, uint32_t v, char *buf, size_t len)
{
	switch (id) {
	case S_MODE:       snprintf(buf, len, "%s", egk_mode_name(v)); break;
	case S_DEFAULT:    snprintf(buf, len, "%s", egk_default_name(v)); break;
	case S_DNS_FILTER: snprintf(buf, len, "%s", egk_dns_filter_name(v)); break;
	case S_BINDING:    snprintf(buf, len, "%s", egk_binding_name(v)); break;
	default:           snprintf(buf, len, "%u", v); break;
	}
}

static void set_setting(struct parse_ctx *c, const char *file, int line,
			enum setting_id id, uint32_t value)
{
	struct setting *s = &c->settings[id];

	if (s->set) {
		if (s->value != value) {
			char now[32], first[32];

			setting_text(id, value, now, sizeof(now));
			setting_text(id, s->value, first, sizeof(first));
			report(c, file, line, "'%s %s' conflicts with '%s %s' at %s:%d; keep one",
			       setting_kw[id], now, setting_kw[id], first,
			       s->file ? s->file : "?", s->line);
		}
		return;
	}
	s->set = true;
	s->value = value;
	s->file = strdup(file);
	s->line = line;
	s->seq = c->nsettings++;
	switch (id) {
	case S_MODE:        c->pol->mode = (uint8_t)value; break;
	case S_DEFAULT:     c->pol->def = (uint8_t)value; break;
	case S_DNS_FILTER:  c->pol->dns_filter = (uint8_t)value; break;
	case S_BINDING:     c->pol->binding = (uint8_t)value; break;
	case S_TTL_FLOOR:   c->pol->ttl_floor = value; break;
	case S_TTL_CEILING: c->pol->ttl_ceiling = value; break;
	case S_COUNT:       break;
	}
}

/* The floor may not exceed the ceiling, once every line has been read. */
static void check_ttl_bounds(struct parse_ctx *c)
{
	const struct setting *fl = &c->settings[S_TTL_FLOOR];
	const struct setting *ce = &c->settings[S_TTL_CEILING];
	uint32_t floor = c->pol->ttl_floor, ceiling = c->pol->ttl_ceiling;

	if (floor <= ceiling)
		return;
	if (fl->set && ce->set) {
		if (fl->seq > ce->seq)
			report(c, fl->file, fl->line,
			       "'dns ttl-floor %u' is above 'dns ttl-ceiling %u' at %s:%d; the floor must not exceed the ceiling",
			       floor, ceiling, ce->file, ce->line);
		else
			report(c, ce->file, ce->line,
			       "'dns ttl-ceiling %u' is below 'dns ttl-floor %u' at %s:%d; the floor must not exceed the ceiling",
			       ceiling, floor, fl->file, fl->line);
	} else if (fl->set) {
		report(c, fl->file, fl->line,
		       "'dns ttl-floor %u' is above the default 'dns ttl-ceiling %u'; lower the floor or add a 'dns ttl-ceiling' line",
		       floor, ceiling);
	} else if (ce->set) {
		report(c, ce->file, ce->line,
		       "'dns ttl-ceiling %u' is below the default 'dns ttl-floor %u'; raise the ceiling or add a 'dns ttl-floor' line",
		       ceiling, floor);
	}
}

/*
 * allow dns-name NAME: queries for NAME pass the DNS filter.  The same
 * patterns as domain rules; no protocol, port or address.
 */
static void do_dns_name(struct parse_ctx *c, const char *file, int line,
			char **w, int n)
{
	struct egk_rule r = { .action = EGRESSK_ACTION_ALLOW, .kind = EGRESSK_RULE_KIND_DNS_NAME };
	char err[512], name[EGRESSK_DOMAIN_NAME_MAX + 1];
	struct egk_rule tmp;

	if (n < 3) {
		report(c, file, line, "'allow dns-name' needs a name, e.g. 'allow dns-name .in-addr.arpa'");
		return;
	}
	if (parse_prefix(w[2], &tmp, true, err, sizeof(err)) == 0 || strchr(w[2], ':')) {
		report(c, file, line,
		       "'%.*s%s' is an address: 'allow dns-name' takes a name (a resolver is 'allow dns ADDRESS')",
		       QUOTE(w[2]));
		return;
	}
	if (egk_domain_normalize(w[2], name, sizeof(name), err, sizeof(err))) {
		report(c, file, line, "%s", err);
		return;
	}
	if (n > 3) {
		if (!strcmp(w[3], "port") || parse_proto(w[3]) >= 0)
			report(c, file, line,
			       "dns-name rules take no protocol or port: they only let queries for the name through the dns filter; to allow connections write 'allow domain NAME [port SPEC]'");
		else
			report(c, file, line, "unexpected '%s'; the form is 'allow dns-name NAME'", w[3]);
		return;
	}
	add_named_rule(c, file, line, &r, name, "domain and dns-name rules",
		       ", both kinds together");
}

/* dns filter off|on|strict, dns ttl-floor SECONDS, dns ttl-ceiling SECONDS */
static void do_dns_setting(struct parse_ctx *c, const char *file, int line,
			   char **w, int n)
{
	if (n >= 2 && !strcmp(w[1], "filter")) {
		int v = -1;

		if (n == 3 && !strcmp(w[2], "off"))
			v = EGRESSK_DNS_FILTER_OFF;
		else if (n == 3 && !strcmp(w[2], "on"))
			v = EGRESSK_DNS_FILTER_ON;
		else if (n == 3 && !strcmp(w[2], "strict"))
			v = EGRESSK_DNS_FILTER_STRICT;
		if (v < 0) {
			report(c, file, line, "the form is 'dns filter off|on|strict'");
			return;
		}
		set_setting(c, file, line, S_DNS_FILTER, (uint32_t)v);
	} else if (n >= 2 && (!strcmp(w[1], "ttl-floor") || !strcmp(w[1], "ttl-ceiling"))) {
		bool floor = !strcmp(w[1], "ttl-floor");
		long v;

		if (n != 3) {
			report(c, file, line, "the form is 'dns %s SECONDS'", w[1]);
			return;
		}
		v = parse_uint(w[2], EGRESSK_DNS_TTL_MAX);
		if (v == -1) {
			report(c, file, line,
			       "'%.*s%s' is not a number of seconds; the form is 'dns %s SECONDS'",
			       QUOTE(w[2]), w[1]);
			return;
		}
		if (v < 1) {
			report(c, file, line,
			       "'dns %s %.*s%s' is out of range: 1-%d seconds (a week)", w[1],
			       QUOTE(w[2]), EGRESSK_DNS_TTL_MAX);
			return;
		}
		set_setting(c, file, line, floor ? S_TTL_FLOOR : S_TTL_CEILING, (uint32_t)v);
	} else {
		report(c, file, line,
		       "the form is 'dns filter off|on|strict', 'dns ttl-floor SECONDS' or 'dns ttl-ceiling SECONDS'");
	}
}

static void parse_line(struct parse_ctx *c, char *buf, const char *file,
		       int line, const char *basedir)
{
	char *w[MAX_WORDS];
	int n = split_words(buf, w, MAX_WORDS);

	if (n == 0)
		return;
	if (n < 0) {
		report(c, file, line, "too many words on one line");
		return;
	}
	if (!strcmp(w[0], "mode")) {
		int v = -1;

		if (n == 2 && !strcmp(w[1], "enforce"))
			v = EGRESSK_MODE_ENFORCE;
		else if (n == 2 && !strcmp(w[1], "audit"))
			v = EGRESSK_MODE_AUDIT;
		if (v < 0) {
			report(c, file, line, "the form is 'mode enforce' or 'mode audit'");
			return;
		}
		set_setting(c, file, line, S_MODE, (uint32_t)v);
	} else if (!strcmp(w[0], "default")) {
		int v = -1;

		if (n == 2 && !strcmp(w[1], "reject"))
			v = EGRESSK_DEFAULT_REJECT;
		else if (n == 2 && !strcmp(w[1], "drop"))
			v = EGRESSK_DEFAULT_DROP;
		if (v < 0) {
			report(c, file, line, "the form is 'default reject' or 'default drop'");
			return;
		}
		set_setting(c, file, line, S_DEFAULT, (uint32_t)v);
	} else if (!strcmp(w[0], "allow") || !strcmp(w[0], "deny")) {
		bool allow = w[0][0] == 'a';
		uint8_t action = allow ? EGRESSK_ACTION_ALLOW : EGRESSK_ACTION_DENY;

		if (n < 2) {
			report(c, file, line, "'%s' needs a rule: cidr%s", w[0],
			       allow ? ", domain, dns, dns-name or raw" : "");
			return;
		}
		if (!strcmp(w[1], "cidr")) {
			do_cidr(c, file, line, action, w, n);
		} else if (!allow && !strcmp(w[1], "domain")) {
			report(c, file, line,
			       "'deny domain' does not exist: domain rules can only allow (a name no rule allows is refused anyway); use 'deny cidr' for addresses");
		} else if (!allow && !strcmp(w[1], "dns-name")) {
			report(c, file, line,
			       "'deny dns-name' does not exist: with the dns filter on, a query no domain or dns-name rule covers is refused anyway");
		} else if (!allow) {
			report(c, file, line, "'deny %s' does not exist; only 'deny cidr ...' does", w[1]);
		} else if (!strcmp(w[1], "raw")) {
			if (n != 2)
				report(c, file, line, "'allow raw' takes no arguments");
			else
				c->pol->flags |= EGRESSK_POLICY_F_ALLOW_RAW;
		} else if (!strcmp(w[1], "dns")) {
			struct egk_rule r = { .action = EGRESSK_ACTION_ALLOW,
					      .kind = EGRESSK_RULE_KIND_DNS };
			char err[512];

			if (n != 3) {
				report(c, file, line, "the form is 'allow dns ADDRESS'");
				return;
			}
			if (parse_prefix(w[2], &r, false, err, sizeof(err))) {
				report(c, file, line, "%s", err);
				return;
			}
			add_rule(c, file, line, &r);
		} else if (!strcmp(w[1], "domain")) {
			do_domain(c, file, line, w, n);
		} else if (!strcmp(w[1], "dns-name")) {
			do_dns_name(c, file, line, w, n);
		} else {
			report(c, file, line, "unknown rule 'allow %s'; use cidr, domain, dns, dns-name or raw", w[1]);
		}
	} else if (!strcmp(w[0], "dns")) {
		do_dns_setting(c, file, line, w, n);
	} else if (!strcmp(w[0], "domain-binding")) {
		int v = -1;

		if (n == 2 && !strcmp(w[1], "dns"))
			v = EGRESSK_BINDING_DNS;
		else if (n == 2 && !strcmp(w[1], "none"))
			v = EGRESSK_BINDING_NONE;
		if (v < 0) {
			report(c, file, line, "the form is 'domain-binding dns|none'");
			return;
		}
		set_setting(c, file, line, S_BINDING, (uint32_t)v);
	} else if (!strcmp(w[0], "include")) {
		if (n != 2) {
			report(c, file, line, "the form is 'include FILE' or 'include preset:NAME'");
			return;
		}
		do_include(c, file, line, w[1], basedir);
	} else {
		report(c, file, line,
		       "unknown directive '%s'; expected mode, default, allow, deny, dns, domain-binding or include", w[0]);
	}
}

static void parse_file_stream(struct parse_ctx *c, FILE *f, const char *file,
			      const char *basedir)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int line = 0;

	while ((len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len > EGK_MAX_LINE) {
			report(c, file, line, "line is longer than %d bytes", EGK_MAX_LINE);
			continue;
		}
		if (memchr(buf, '\0', (size_t)len)) {
			report(c, file, line, "line contains a NUL byte; is this a policy file?");
			continue;
		}
		parse_line(c, buf, file, line, basedir);
	}
	if (ferror(f))
		report(c, file, line + 1, "read error: %s", strerror(errno));
	free(buf);
}

static char *dir_of(const char *path)
{
	char *copy = strdup(path);
	char *slash;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (!slash) {
		free(copy);
		return strdup(".");
	}
	if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	return copy;
}

/* The presets directory: $EGRESSK_PRESET_DIR, presets/ next to the binary,
 * then /usr/share/egressk/presets.  Writes the file path to @out. */
static bool find_preset(const char *name, char *out, size_t outlen)
{
	const char *env = getenv("EGRESSK_PRESET_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if ((size_t)snprintf(out, outlen, "%s/%s", env, name) >= outlen)
			return false;
		return access(out, F_OK) == 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(out, outlen, "%s/presets/%s", exe, name) < outlen &&
			    access(out, F_OK) == 0)
				return true;
		}
	}
	snprintf(out, outlen, "/usr/share/egressk/presets/%s", name);
	return access(out, F_OK) == 0;
}

static bool valid_preset_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* Parse an opened file whose realpath is @real, tracking it on the stack. */
static void parse_tracked(struct parse_ctx *c, FILE *f, const char *name,
			  char *real, const char *basedir)
{
	c->stack[c->depth++] = real;
	parse_file_stream(c, f, name, basedir);
	c->depth--;
}

static void do_include(struct parse_ctx *c, const char *file, int line,
		       const char *arg, const char *basedir)
{
	char path[PATH_MAX];
	char *real, *dir;
	FILE *f;

	if (!strncmp(arg, "preset:", 7)) {
		const char *name = arg + 7;

		if (!valid_preset_name(name) || name[0] == '.') {
			report(c, file, line, "'%s' is not a preset name", arg);
			return;
		}
		if (!find_preset(name, path, sizeof(path))) {
			report(c, file, line,
			       "no preset named '%s' (looked in $EGRESSK_PRESET_DIR, presets/ next to egresskctl, /usr/share/egressk/presets)",
			       name);
			return;
		}
	} else if (arg[0] == '/') {
		if ((size_t)snprintf(path, sizeof(path), "%s", arg) >= sizeof(path)) {
			report(c, file, line, "include path is too long");
			return;
		}
	} else {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", basedir, arg) >= sizeof(path)) {
			report(c, file, line, "include path is too long");
			return;
		}
	}
	if (c->depth > EGK_MAX_INCLUDE_DEPTH) {
		report(c, file, line, "includes nest deeper than %d levels", EGK_MAX_INCLUDE_DEPTH);
		return;
	}
	real = realpath(path, NULL);
	if (!real) {
		report(c, file, line, "cannot include '%s' (%s): %s", arg, path, strerror(errno));
		return;
	}
	for (int i = 0; i < c->depth; i++) {
		if (c->stack[i] && !strcmp(c->stack[i], real)) {
			report(c, file, line, "include cycle: '%s' includes itself again", path);
			free(real);
			return;
		}
	}
	f = fopen(path, "r");
	if (!f) {
		report(c, file, line, "cannot include '%s' (%s): %s", arg, path, strerror(errno));
		free(real);
		return;
	}
	dir = dir_of(path);
	parse_tracked(c, f, path, real, dir ? dir : ".");
	free(dir);
	free(real);
	fclose(f);
}

static int finish(struct parse_ctx *c)
{
	check_ttl_bounds(c);
	for (int i = 0; i < S_COUNT; i++)
		free(c->settings[i].file);
	if (c->diag->total) {
		free_rules(c->pol);
		return c->diag->total;
	}
	return 0;
}

int egk_policy_parse_file(const char *path, struct egk_policy *p,
			  struct egk_diag *d)
{
	struct parse_ctx c = { .pol = p, .diag = d };
	char *dir, *real;
	FILE *f;

	egk_policy_init(p);
	memset(d, 0, sizeof(*d));
	if (!strcmp(path, "-")) {
		parse_tracked(&c, stdin, "<stdin>", NULL, ".");
		return finish(&c);
	}
	f = fopen(path, "r");
	if (!f) {
		report(&c, path, 0, "cannot open: %s", strerror(errno));
		return finish(&c);
	}
	real = realpath(path, NULL);
	dir = dir_of(path);
	parse_tracked(&c, f, path, real, dir ? dir : ".");
	free(dir);
	free(real);
	fclose(f);
	return finish(&c);
}

int egk_policy_parse_string(const char *name, const char *basedir,
			    const char *text, struct egk_policy *p,
			    struct egk_diag *d)
{
	struct parse_ctx c = { .pol = p, .diag = d };
	FILE *f;

	egk_policy_init(p);
	memset(d, 0, sizeof(*d));
	if (!*text)
		return 0;
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f) {
		report(&c, name, 0, "cannot read: %s", strerror(errno));
		return finish(&c);
	}
	parse_tracked(&c, f, name, NULL, basedir);
	fclose(f);
	return finish(&c);
}

/* ---- advice ------------------------------------------------------------ */

int egk_policy_warn(const struct egk_policy *p, const char *name, FILE *f)
{
	bool domain = false, dns_name = false, dns = false;
	int n = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		switch (p->rules[i].kind) {
		case EGRESSK_RULE_KIND_DOMAIN:   domain = true; break;
		case EGRESSK_RULE_KIND_DNS_NAME: dns_name = true; break;
		case EGRESSK_RULE_KIND_DNS:      dns = true; break;
		}
	}
	if (domain && p->binding == EGRESSK_BINDING_DNS && !dns) {
		fprintf(f, "%s: warning: domain rules with domain-binding dns need a pinned resolver ('allow dns ADDRESS'): no address is learned without one, so every domain flow is refused\n",
			name);
		n++;
	}
	if (p->dns_filter != EGRESSK_DNS_FILTER_OFF && dns && !domain && !dns_name) {
		fprintf(f, "%s: warning: dns filter %s with no domain or dns-name rule: every query for %s will be refused; add 'allow dns-name NAME' lines or 'dns filter off'\n",
			name, egk_dns_filter_name(p->dns_filter),
			p->dns_filter == EGRESSK_DNS_FILTER_STRICT ? "any name" : "a dotted name");
		n++;
	}
	return n;
}
