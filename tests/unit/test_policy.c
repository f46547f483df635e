// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the policy parser and printer (userspace/policy.c,
 * userspace/policy_print.c): no kernel, no netlink.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "policy.h"
#include "test.h"

/* Parse @text as "t.pol"; returns the printed policy (malloc'd) or NULL. */
static char *parse_print(const char *text, struct egk_diag *d)
{
	struct egk_policy p;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (egk_policy_parse_string("t.pol", ".", text, &p, d)) {
		egk_policy_free(&p);
		return NULL;
	}
	f = open_memstream(&out, &len);
	egk_policy_print(f, &p);
	fclose(f);
	egk_policy_free(&p);
	return out;
}

/* ---- good inputs: input -> canonical printed form --------------------- */

#define DNSHDR "dns filter on\ndns ttl-floor 600\ndns ttl-ceiling 86400\ndomain-binding dns\n"
#define HDR "mode enforce\ndefault reject\n" DNSHDR

static const struct good_case {
	const char *name;
	const char *in;
	const char *out;
} good[] = {
	{ "empty policy gets the defaults", "", HDR },
	{ "comments and blank lines", "# c\n\n   \n\t# x\n", HDR },
	{ "mode audit", "mode audit\n", "mode audit\ndefault reject\n" DNSHDR },
	{ "default drop", "default drop\n", "mode enforce\ndefault drop\n" DNSHDR },
	{ "same mode twice is fine", "mode audit\nmode audit\n", "mode audit\ndefault reject\n" DNSHDR },
	{ "allow raw", "allow raw\n", HDR "allow raw\n" },
	{ "ipv4 prefix", "allow cidr 10.0.0.0/8\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "bare ipv4 is a host route", "allow cidr 192.0.2.7\n", HDR "allow cidr 192.0.2.7\n" },
	{ "ipv4 /32 prints bare", "allow cidr 192.0.2.7/32\n", HDR "allow cidr 192.0.2.7\n" },
	{ "ipv4 /0", "allow cidr 0.0.0.0/0\n", HDR "allow cidr 0.0.0.0/0\n" },
	{ "ipv6 ::1", "allow cidr ::1\n", HDR "allow cidr ::1\n" },
	{ "ipv6 2001:db8::/32", "allow cidr 2001:db8::/32\n", HDR "allow cidr 2001:db8::/32\n" },
	{ "ipv6 /0", "deny cidr ::/0\n", HDR "deny cidr ::/0\n" },
	{ "ipv6 long form is canonicalised", "allow cidr 2001:0DB8:0000:0000:0000:0000:0000:0001\n",
	  HDR "allow cidr 2001:db8::1\n" },
	{ "v4-mapped host becomes ipv4", "allow cidr ::ffff:192.0.2.1\n", HDR "allow cidr 192.0.2.1\n" },
	{ "v4-mapped prefix becomes ipv4", "allow cidr ::ffff:10.0.0.0/104\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "deny rule", "deny cidr 10.1.0.0/16\n", HDR "deny cidr 10.1.0.0/16\n" },
	{ "tcp port", "allow cidr 10.0.0.0/8 tcp port 443\n", HDR "allow cidr 10.0.0.0/8 tcp port 443\n" },
	{ "udp port range", "allow cidr 10.0.0.0/8 udp port 1000-2000\n",
	  HDR "allow cidr 10.0.0.0/8 udp port 1000-2000\n" },
	{ "port list", "allow cidr 10.0.0.0/8 tcp port 80,443,8000-8100\n",
	  HDR "allow cidr 10.0.0.0/8 tcp port 80,443,8000-8100\n" },
	{ "port N-N prints N", "allow cidr 10.0.0.0/8 tcp port 22-22\n",
	  HDR "allow cidr 10.0.0.0/8 tcp port 22\n" },
	{ "ports 1 and 65535", "allow cidr 10.0.0.0/8 tcp port 1,65535\n",
	  HDR "allow cidr 10.0.0.0/8 tcp port 1,65535\n" },
	{ "icmp", "allow cidr 10.0.0.0/8 icmp\n", HDR "allow cidr 10.0.0.0/8 icmp\n" },
	{ "icmp on ipv6", "allow cidr 2001:db8::/32 icmp\n", HDR "allow cidr 2001:db8::/32 icmp\n" },
	{ "any is the default and not printed", "allow cidr 10.0.0.0/8 any\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "tcp without port", "allow cidr 10.0.0.0/8 tcp\n", HDR "allow cidr 10.0.0.0/8 tcp\n" },
	{ "allow dns v4", "allow dns 1.1.1.1\n", HDR "allow dns 1.1.1.1\n" },
	{ "allow dns v6", "allow dns 2606:4700:4700::1111\n", HDR "allow dns 2606:4700:4700::1111\n" },
	{ "allow dns /32 is one address", "allow dns 9.9.9.9/32\n", HDR "allow dns 9.9.9.9\n" },
	{ "comment after a rule", "allow cidr 10.0.0.0/8 # intranet\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "comment glued to a word", "allow cidr 10.0.0.0/8#x\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "tabs and CRLF", "allow\tcidr\t10.0.0.0/8\r\n", HDR "allow cidr 10.0.0.0/8\n" },
	{ "no final newline", "allow cidr 10.0.0.0/8", HDR "allow cidr 10.0.0.0/8\n" },
	{ "rules keep file order", "deny cidr 10.0.0.1\nallow cidr 10.0.0.0/8\n",
	  HDR "deny cidr 10.0.0.1\nallow cidr 10.0.0.0/8\n" },
	/* domain rules: every form, normalised */
	{ "domain exact", "allow domain example.com\n", HDR "allow domain example.com\n" },
	{ "domain with subdomains", "allow domain .github.com\n", HDR "allow domain .github.com\n" },
	{ "domain subdomains only", "allow domain *.example.com\n", HDR "allow domain *.example.com\n" },
	{ "domain is lowercased", "allow domain Example.COM\n", HDR "allow domain example.com\n" },
	{ "domain trailing dot dropped", "allow domain example.com.\n", HDR "allow domain example.com\n" },
	{ "domain .X. normalised", "allow domain .GitHub.Com.\n", HDR "allow domain .github.com\n" },
	{ "domain *.X. normalised", "allow domain *.EXAMPLE.org.\n", HDR "allow domain *.example.org\n" },
	{ "domain single label", "allow domain localhost\n", HDR "allow domain localhost\n" },
	{ "domain wildcard over a TLD is what it says", "allow domain *.com.\n",
	  HDR "allow domain *.com\n" },
	{ "domain underscore", "allow domain _acme.a_b.example\n", HDR "allow domain _acme.a_b.example\n" },
	{ "domain punycode as written", "allow domain xn--bcher-kva.XN--P1AI\n",
	  HDR "allow domain xn--bcher-kva.xn--p1ai\n" },
	{ "domain digits in labels", "allow domain 1.2.3.4a\n", HDR "allow domain 1.2.3.4a\n" },
	{ "domain inner hyphens", "allow domain a--b.c-d.example\n", HDR "allow domain a--b.c-d.example\n" },
	{ "domain port", "allow domain example.com port 8443\n",
	  HDR "allow domain example.com port 8443\n" },
	{ "domain port list", "allow domain .example.com port 443,8000-8100,22-22\n",
	  HDR "allow domain .example.com port 443,8000-8100,22\n" },
	{ "domain any port is accepted", "allow domain example.com port 22\n",
	  HDR "allow domain example.com port 22\n" },
	{ "domain tcp is accepted and implied", "allow domain example.com tcp\n",
	  HDR "allow domain example.com\n" },
	{ "domain tcp port", "allow domain example.com tcp port 443\n",
	  HDR "allow domain example.com port 443\n" },
	{ "domain duplicates are kept like cidr ones",
	  "allow domain a.example\nallow domain A.example.\n",
	  HDR "allow domain a.example\nallow domain a.example\n" },
	{ "domain and cidr rules keep file order",
	  "allow domain .a.example\ndeny cidr 10.0.0.1\nallow domain b.example port 443\n",
	  HDR "allow domain .a.example\ndeny cidr 10.0.0.1\nallow domain b.example port 443\n" },
	{ "domain comment after", "allow domain .a.example # x\n", HDR "allow domain .a.example\n" },
	/* DNS control: dns-name rules and the settings */
	{ "dns-name exact", "allow dns-name example.com\n", HDR "allow dns-name example.com\n" },
	{ "dns-name with subdomains", "allow dns-name .In-Addr.ARPA.\n",
	  HDR "allow dns-name .in-addr.arpa\n" },
	{ "dns-name subdomains only", "allow dns-name *.Example.org.\n",
	  HDR "allow dns-name *.example.org\n" },
	{ "dns-name single label", "allow dns-name db\n", HDR "allow dns-name db\n" },
	{ "dns-name ip6.arpa", "allow dns-name .ip6.arpa\n", HDR "allow dns-name .ip6.arpa\n" },
	{ "dns-name and domain rules keep file order",
	  "allow domain .a.example\nallow dns-name b.example\nallow dns 192.0.2.53\n",
	  HDR "allow domain .a.example\nallow dns-name b.example\nallow dns 192.0.2.53\n" },
	{ "dns-name comment after", "allow dns-name a.example # x\n", HDR "allow dns-name a.example\n" },
	{ "dns filter off", "dns filter off\n",
	  "mode enforce\ndefault reject\ndns filter off\ndns ttl-floor 600\ndns ttl-ceiling 86400\ndomain-binding dns\n" },
	{ "dns filter on is the default", "dns filter on\n", HDR },
	{ "dns filter strict", "dns filter strict\n",
	  "mode enforce\ndefault reject\ndns filter strict\ndns ttl-floor 600\ndns ttl-ceiling 86400\ndomain-binding dns\n" },
	{ "domain-binding none", "domain-binding none\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 600\ndns ttl-ceiling 86400\ndomain-binding none\n" },
	{ "domain-binding dns is the default", "domain-binding dns\n", HDR },
	{ "ttl floor and ceiling", "dns ttl-floor 60\ndns ttl-ceiling 3600\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 60\ndns ttl-ceiling 3600\ndomain-binding dns\n" },
	{ "ttl floor 1 and ceiling a week", "dns ttl-floor 1\ndns ttl-ceiling 604800\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 1\ndns ttl-ceiling 604800\ndomain-binding dns\n" },
	{ "ttl floor equal to ceiling", "dns ttl-ceiling 300\ndns ttl-floor 300\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 300\ndns ttl-ceiling 300\ndomain-binding dns\n" },
	{ "ttl floor under the default ceiling", "dns ttl-floor 86400\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 86400\ndns ttl-ceiling 86400\ndomain-binding dns\n" },
	{ "ttl ceiling over the default floor", "dns ttl-ceiling 600\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 600\ndns ttl-ceiling 600\ndomain-binding dns\n" },
	{ "ceiling first, floor later", "dns ttl-ceiling 100\n# x\ndns ttl-floor 50\n",
	  "mode enforce\ndefault reject\ndns filter on\ndns ttl-floor 50\ndns ttl-ceiling 100\ndomain-binding dns\n" },
	{ "same dns setting twice is fine", "dns filter strict\ndns filter strict\ndomain-binding none\n"
	  "domain-binding none\ndns ttl-floor 60\ndns ttl-floor 60\n",
	  "mode enforce\ndefault reject\ndns filter strict\ndns ttl-floor 60\ndns ttl-ceiling 86400\ndomain-binding none\n" },
	{ "dns settings with tabs and comments", "dns\tfilter\toff # no filter\r\n",
	  "mode enforce\ndefault reject\ndns filter off\ndns ttl-floor 600\ndns ttl-ceiling 86400\ndomain-binding dns\n" },
	{ "every setting", "mode audit\ndefault drop\ndns filter strict\ndomain-binding none\n"
	  "dns ttl-floor 30\ndns ttl-ceiling 60\nallow raw\n",
	  "mode audit\ndefault drop\ndns filter strict\ndns ttl-floor 30\ndns ttl-ceiling 60\n"
	  "domain-binding none\nallow raw\n" },
};

static void test_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct egk_diag d;
		char *out = parse_print(good[i].in, &d);

		if (!out)
			CHECK(0, good[i].name, "unexpected error: %s", d.nmsgs ? d.msgs[0] : "?");
		else
			CHECK_STR(out, good[i].out, good[i].name);
		free(out);
		egk_diag_free(&d);
	}
}

/* ---- bad inputs: exact position and a key phrase ---------------------- */

static const struct bad_case {
	const char *name;
	const char *in;
	const char *where;	/* "t.pol:N:" */
	const char *phrase;
} bad[] = {
	{ "unknown directive", "\nfoo bar\n", "t.pol:2:", "unknown directive 'foo'" },
	{ "mode value", "mode strict\n", "t.pol:1:", "'mode enforce' or 'mode audit'" },
	{ "mode without value", "mode\n", "t.pol:1:", "'mode enforce' or 'mode audit'" },
	{ "default value", "default allow\n", "t.pol:1:", "'default reject' or 'default drop'" },
	{ "conflicting mode", "mode enforce\n# x\nmode audit\n", "t.pol:3:",
	  "conflicts with 'mode enforce' at t.pol:1" },
	{ "conflicting default", "default drop\ndefault reject\n", "t.pol:2:",
	  "conflicts with 'default drop' at t.pol:1" },
	{ "allow alone", "allow\n", "t.pol:1:", "needs a rule" },
	{ "unknown allow kind", "allow host 1.2.3.4\n", "t.pol:1:", "unknown rule 'allow host'" },
	{ "deny dns", "deny dns 1.1.1.1\n", "t.pol:1:", "'deny dns' does not exist" },
	{ "deny raw", "deny raw\n", "t.pol:1:", "'deny raw' does not exist" },
	{ "allow raw with argument", "allow raw yes\n", "t.pol:1:", "takes no arguments" },
	{ "cidr without prefix", "allow cidr\n", "t.pol:1:", "needs a prefix" },
	{ "not an address", "allow cidr example.com\n", "t.pol:1:", "not an IPv4 or IPv6 address" },
	{ "bad ipv4", "allow cidr 10.0.0.256\n", "t.pol:1:", "not an IPv4 or IPv6 address" },
	{ "bad ipv6", "allow cidr 2001:db8:::1\n", "t.pol:1:", "not an IPv4 or IPv6 address" },
	{ "empty prefix length", "allow cidr 10.0.0.0/\n", "t.pol:1:", "prefix length must be 0..32" },
	{ "v4 prefix too long", "allow cidr 10.0.0.0/33\n", "t.pol:1:", "prefix length must be 0..32" },
	{ "v6 prefix too long", "allow cidr ::/129\n", "t.pol:1:", "prefix length must be 0..128" },
	{ "signed prefix length", "allow cidr 10.0.0.0/+8\n", "t.pol:1:", "prefix length" },
	{ "v4 host bits", "allow cidr 10.0.0.1/8\n", "t.pol:1:",
	  "has host bits set; the network is 10.0.0.0/8" },
	{ "v4 host bits in the last byte", "allow cidr 192.168.1.129/25\n", "t.pol:1:",
	  "the network is 192.168.1.128/25" },
	{ "v6 host bits", "allow cidr 2001:db8::1/32\n", "t.pol:1:",
	  "the network is 2001:db8::/32" },
	{ "unknown protocol", "allow cidr 10.0.0.0/8 sctp\n", "t.pol:1:", "unknown protocol 'sctp'" },
	{ "port without proto", "allow cidr 10.0.0.0/8 port 80\n", "t.pol:1:",
	  "'port' needs protocol tcp or udp" },
	{ "port with icmp", "allow cidr 10.0.0.0/8 icmp port 80\n", "t.pol:1:",
	  "'port' needs protocol tcp or udp" },
	{ "port with any", "allow cidr 10.0.0.0/8 any port 80\n", "t.pol:1:",
	  "'port' needs protocol tcp or udp" },
	{ "port without spec", "allow cidr 10.0.0.0/8 tcp port\n", "t.pol:1:", "'port' needs a port" },
	{ "port 0", "allow cidr 10.0.0.0/8 tcp port 0\n", "t.pol:1:", "out of range 1-65535" },
	{ "port 65536", "allow cidr 10.0.0.0/8 tcp port 65536\n", "t.pol:1:", "out of range 1-65535" },
	{ "huge port", "allow cidr 10.0.0.0/8 tcp port 99999999999\n", "t.pol:1:", "out of range 1-65535" },
	{ "port range backwards", "allow cidr 10.0.0.0/8 tcp port 90-80\n", "t.pol:1:",
	  "is backwards; write 80-90" },
	{ "port range open end", "allow cidr 10.0.0.0/8 tcp port 80-\n", "t.pol:1:", "not a port" },
	{ "port range open start", "allow cidr 10.0.0.0/8 tcp port -80\n", "t.pol:1:", "not a port" },
	{ "port not a number", "allow cidr 10.0.0.0/8 tcp port http\n", "t.pol:1:", "not a port" },
	{ "empty port list item", "allow cidr 10.0.0.0/8 tcp port 80,,443\n", "t.pol:1:", "empty item" },
	{ "port list trailing comma", "allow cidr 10.0.0.0/8 tcp port 80,\n", "t.pol:1:",
	  "ends with a comma" },
	{ "port list leading comma", "allow cidr 10.0.0.0/8 tcp port ,80\n", "t.pol:1:", "empty item" },
	{ "trailing junk", "allow cidr 10.0.0.0/8 tcp port 80 extra\n", "t.pol:1:", "unexpected 'extra'" },
	{ "two protocols", "allow cidr 10.0.0.0/8 tcp udp\n", "t.pol:1:", "unexpected 'udp'" },
	{ "dns with prefix", "allow dns 10.0.0.0/8\n", "t.pol:1:", "one address, not a prefix" },
	{ "dns without address", "allow dns\n", "t.pol:1:", "'allow dns ADDRESS'" },
	{ "dns with port", "allow dns 1.1.1.1 port 53\n", "t.pol:1:", "'allow dns ADDRESS'" },
	{ "domain without name", "allow domain\n", "t.pol:1:", "'allow domain' needs a name" },
	{ "domain bad char", "allow domain exa!mple.com\n", "t.pol:1:",
	  "'exa!mple.com': '!' is not allowed in a domain name" },
	{ "domain non-ascii byte", "allow domain b\xc3\xbc" "cher.example\n", "t.pol:1:",
	  "byte 0xc3 is not allowed" },
	{ "domain empty label", "allow domain a..b\n", "t.pol:1:", "'a..b' has an empty label" },
	{ "domain double dot start", "allow domain ..a\n", "t.pol:1:", "empty label" },
	{ "domain two trailing dots", "allow domain a.com..\n", "t.pol:1:", "empty label" },
	{ "domain .*.x", "allow domain .*.example.com\n", "t.pol:1:", "'*' may only lead the name" },
	{ "domain only dot", "allow domain .\n", "t.pol:1:", "'.' is not a domain name" },
	{ "domain only star", "allow domain *\n", "t.pol:1:", "'*': '*' may only lead the name" },
	{ "domain only star dot", "allow domain *.\n", "t.pol:1:", "'*.' is not a domain name" },
	{ "domain star dot dot", "allow domain *..\n", "t.pol:1:", "'*..' is not a domain name" },
	{ "domain star in middle", "allow domain a.*.com\n", "t.pol:1:",
	  "'a.*.com': '*' may only lead the name, as in '*.example.com'" },
	{ "domain star glued", "allow domain *example.com\n", "t.pol:1:", "'*' may only lead the name" },
	{ "domain double star", "allow domain **.example.com\n", "t.pol:1:", "'*' may only lead the name" },
	{ "domain star at end", "allow domain example.*\n", "t.pol:1:", "'*' may only lead the name" },
	{ "domain label starts with -", "allow domain -a.example\n", "t.pol:1:",
	  "'-a.example': label '-a' starts with '-'" },
	{ "domain label ends with -", "allow domain a.b-.example\n", "t.pol:1:",
	  "'a.b-.example': label 'b-' ends with '-'" },
	{ "domain last label ends with -", "allow domain .a.example-\n", "t.pol:1:",
	  "label 'example-' ends with '-'" },
	{ "domain last label all digits", "allow domain 192.0.2.1\n", "t.pol:1:",
	  "the last label '1' is all digits" },
	{ "domain wildcard on an address", "allow domain *.10.0.0.1.\n", "t.pol:1:",
	  "an address belongs in a cidr rule" },
	{ "domain label too long",
	  "allow domain aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\n",
	  "t.pol:1:", "has a label longer than 63 characters" },
	{ "domain bad port", "allow domain a.com port 0\n", "t.pol:1:", "out of range" },
	{ "domain port without spec", "allow domain a.com port\n", "t.pol:1:", "'port' needs a port" },
	{ "domain backwards ports", "allow domain a.com port 443-80\n", "t.pol:1:", "backwards" },
	{ "domain udp", "allow domain a.com udp\n", "t.pol:1:",
	  "domain rules are TCP only: UDP to their ports (QUIC) is refused so that clients fall back to TCP" },
	{ "domain udp port", "allow domain a.com udp port 443\n", "t.pol:1:", "TCP only" },
	{ "domain any", "allow domain a.com any\n", "t.pol:1:", "domain rules are TCP only; drop 'any'" },
	{ "domain icmp", "allow domain a.com icmp\n", "t.pol:1:", "TCP only" },
	{ "domain extra words", "allow domain a.com port 443 extra\n", "t.pol:1:",
	  "unexpected 'extra'; the form is 'allow domain NAME [port SPEC]'" },
	{ "domain two names", "allow domain a.com b.com\n", "t.pol:1:", "unexpected 'b.com'" },
	{ "deny domain", "deny domain a.com\n", "t.pol:1:",
	  "'deny domain' does not exist: domain rules can only allow" },
	{ "dns-name bad char", "allow dns-name ex!ample.com\n", "t.pol:1:", "'!' is not allowed" },
	{ "dns-name without name", "allow dns-name\n", "t.pol:1:", "'allow dns-name' needs a name" },
	{ "dns-name empty label", "allow dns-name a..example\n", "t.pol:1:", "empty label" },
	{ "dns-name star in middle", "allow dns-name a.*.example\n", "t.pol:1:",
	  "'*' may only lead the name" },
	{ "dns-name only dot", "allow dns-name .\n", "t.pol:1:", "'.' is not a domain name" },
	{ "dns-name label starts with -", "allow dns-name -a.example\n", "t.pol:1:",
	  "label '-a' starts with '-'" },
	{ "dns-name label too long",
	  "allow dns-name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\n",
	  "t.pol:1:", "has a label longer than 63 characters" },
	{ "dns-name ipv4 address", "allow dns-name 192.0.2.1\n", "t.pol:1:",
	  "'192.0.2.1' is an address: 'allow dns-name' takes a name (a resolver is 'allow dns ADDRESS')" },
	{ "dns-name ipv6 address", "allow dns-name 2001:db8::1\n", "t.pol:1:",
	  "'2001:db8::1' is an address" },
	{ "dns-name prefix", "allow dns-name 10.0.0.0/8\n", "t.pol:1:", "is an address" },
	{ "dns-name with port", "allow dns-name a.example port 53\n", "t.pol:1:",
	  "dns-name rules take no protocol or port" },
	{ "dns-name with protocol", "allow dns-name a.example udp\n", "t.pol:1:",
	  "dns-name rules take no protocol or port" },
	{ "dns-name two names", "allow dns-name a.example b.example\n", "t.pol:1:",
	  "unexpected 'b.example'; the form is 'allow dns-name NAME'" },
	{ "deny dns-name", "deny dns-name a.example\n", "t.pol:1:", "'deny dns-name' does not exist" },
	{ "dns filter bad value", "dns filter maybe\n", "t.pol:1:", "'dns filter off|on|strict'" },
	{ "dns filter without value", "dns filter\n", "t.pol:1:", "'dns filter off|on|strict'" },
	{ "dns filter two values", "dns filter on off\n", "t.pol:1:", "'dns filter off|on|strict'" },
	{ "dns filter uppercase", "dns filter ON\n", "t.pol:1:", "'dns filter off|on|strict'" },
	{ "dns alone", "dns\n", "t.pol:1:", "'dns filter off|on|strict', 'dns ttl-floor SECONDS'" },
	{ "dns unknown setting", "dns ttl 60\n", "t.pol:1:", "'dns ttl-ceiling SECONDS'" },
	{ "domain-binding bad value", "domain-binding ip\n", "t.pol:1:", "'domain-binding dns|none'" },
	{ "domain-binding without value", "domain-binding\n", "t.pol:1:", "'domain-binding dns|none'" },
	{ "domain-binding two values", "domain-binding dns none\n", "t.pol:1:",
	  "'domain-binding dns|none'" },
	{ "conflicting dns filter", "dns filter on\n\ndns filter off\n", "t.pol:3:",
	  "'dns filter off' conflicts with 'dns filter on' at t.pol:1; keep one" },
	{ "conflicting domain-binding", "domain-binding none\ndomain-binding dns\n", "t.pol:2:",
	  "'domain-binding dns' conflicts with 'domain-binding none' at t.pol:1" },
	{ "conflicting ttl-floor", "dns ttl-floor 60\ndns ttl-floor 61\n", "t.pol:2:",
	  "'dns ttl-floor 61' conflicts with 'dns ttl-floor 60' at t.pol:1" },
	{ "conflicting ttl-ceiling", "dns ttl-ceiling 600\ndns ttl-ceiling 6000\n", "t.pol:2:",
	  "'dns ttl-ceiling 6000' conflicts with 'dns ttl-ceiling 600' at t.pol:1" },
	{ "ttl-floor 0", "dns ttl-floor 0\n", "t.pol:1:",
	  "'dns ttl-floor 0' is out of range: 1-604800 seconds" },
	{ "ttl-ceiling over a week", "dns ttl-ceiling 604801\n", "t.pol:1:",
	  "'dns ttl-ceiling 604801' is out of range: 1-604800 seconds" },
	{ "ttl-floor huge", "dns ttl-floor 99999999999999999999\n", "t.pol:1:", "out of range" },
	{ "ttl-floor negative", "dns ttl-floor -5\n", "t.pol:1:", "'-5' is not a number of seconds" },
	{ "ttl-floor with unit", "dns ttl-floor 10m\n", "t.pol:1:",
	  "'10m' is not a number of seconds; the form is 'dns ttl-floor SECONDS'" },
	{ "ttl-ceiling without value", "dns ttl-ceiling\n", "t.pol:1:",
	  "the form is 'dns ttl-ceiling SECONDS'" },
	{ "ttl-floor two values", "dns ttl-floor 1 2\n", "t.pol:1:",
	  "the form is 'dns ttl-floor SECONDS'" },
	{ "ttl floor above ceiling, floor last", "dns ttl-ceiling 600\n# x\ndns ttl-floor 900\n",
	  "t.pol:3:", "'dns ttl-floor 900' is above 'dns ttl-ceiling 600' at t.pol:1; the floor must not exceed the ceiling" },
	{ "ttl floor above ceiling, ceiling last", "dns ttl-floor 900\ndns ttl-ceiling 600\n",
	  "t.pol:2:", "'dns ttl-ceiling 600' is below 'dns ttl-floor 900' at t.pol:1; the floor must not exceed the ceiling" },
	{ "ttl floor above the default ceiling", "\ndns ttl-floor 86401\n", "t.pol:2:",
	  "'dns ttl-floor 86401' is above the default 'dns ttl-ceiling 86400'" },
	{ "ttl ceiling below the default floor", "dns ttl-ceiling 599\n", "t.pol:1:",
	  "'dns ttl-ceiling 599' is below the default 'dns ttl-floor 600'" },
	{ "include without file", "include\n", "t.pol:1:", "'include FILE'" },
	{ "include missing file", "include /nonexistent/egressk.pol\n", "t.pol:1:",
	  "cannot include '/nonexistent/egressk.pol'" },
	{ "bad preset name", "include preset:../etc\n", "t.pol:1:", "is not a preset name" },
	{ "too many words", "allow cidr 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", "t.pol:1:",
	  "too many words" },
	{ "error after good lines", "mode audit\nallow cidr 10.0.0.0/8\n\nallow cidr 300.0.0.0/8\n",
	  "t.pol:4:", "not an IPv4" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct egk_policy p;
		struct egk_diag d;
		int n = egk_policy_parse_string("t.pol", ".", bad[i].in, &p, &d);
		const char *m = d.nmsgs ? d.msgs[0] : "";

		CHECK(n == 1 && d.nmsgs == 1 && !strncmp(m, bad[i].where, strlen(bad[i].where)) &&
		      strstr(m, bad[i].phrase) && p.nrules == 0,
		      bad[i].name, "errors=%d msg=[%s] want [%s ... %s]", n, m, bad[i].where,
		      bad[i].phrase);
		egk_policy_free(&p);
		egk_diag_free(&d);
	}
}

/* Every bad line is reported, bounded, and no rule survives. */
static void test_error_collection(void)
{
	struct egk_policy p;
	struct egk_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int n;

	fprintf(f, "allow cidr 10.0.0.0/8\n");
	for (int i = 0; i < 25; i++)
		fprintf(f, "bogus %d\n", i);
	fclose(f);
	n = egk_policy_parse_string("t.pol", ".", text, &p, &d);
	CHECK(n == 25 && d.total == 25, "all errors counted", "n=%d total=%d", n, d.total);
	CHECK(d.nmsgs == EGK_MAX_ERRORS, "messages kept are bounded", "nmsgs=%d", d.nmsgs);
	CHECK(d.nmsgs >= 2 && !strncmp(d.msgs[0], "t.pol:2:", 8) && !strncmp(d.msgs[1], "t.pol:3:", 8),
	      "errors in line order", "[%s] [%s]", d.msgs[0], d.nmsgs > 1 ? d.msgs[1] : "");
	CHECK(p.nrules == 0, "no rules when any line is wrong", "nrules=%zu", p.nrules);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(text);

	n = egk_policy_parse_string("t.pol", ".", "mode x\ndefault y\nallow cidr 1.2.3.4/8\n", &p, &d);
	CHECK(n == 3 && d.nmsgs == 3 && !strncmp(d.msgs[2], "t.pol:3:", 8),
	      "three different errors reported", "n=%d", n);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* ---- structure of parsed rules ----------------------------------------- */

static void test_structure(void)
{
	struct egk_policy p;
	struct egk_diag d;
	uint8_t want6[16];
	int n;

	n = egk_policy_parse_string("t.pol", ".",
		"mode audit\ndefault drop\nallow raw\n"
		"allow cidr 10.0.0.0/8 tcp port 80,443,8000-8100\n"
		"deny cidr 2001:db8::/32 udp\n"
		"allow dns 192.0.2.53\n", &p, &d);
	CHECK(n == 0 && p.nrules == 3, "structure: parses", "n=%d nrules=%zu", n, p.nrules);
	if (n || p.nrules != 3)
		goto out;
	CHECK(p.mode == EGRESSK_MODE_AUDIT && p.def == EGRESSK_DEFAULT_DROP &&
	      p.flags == EGRESSK_POLICY_F_ALLOW_RAW, "structure: header fields",
	      "mode=%u def=%u flags=%u", p.mode, p.def, p.flags);
	CHECK(p.rules[0].family == AF_INET && p.rules[0].prefixlen == 8 &&
	      p.rules[0].addr[0] == 10 && p.rules[0].action == EGRESSK_ACTION_ALLOW &&
	      p.rules[0].kind == EGRESSK_RULE_KIND_CIDR && p.rules[0].proto == EGRESSK_PROTO_TCP,
	      "structure: v4 cidr rule", "family=%u plen=%u", p.rules[0].family, p.rules[0].prefixlen);
	CHECK(p.rules[0].nranges == 3 && p.rules[0].ranges[0].first == 80 &&
	      p.rules[0].ranges[0].last == 80 && p.rules[0].ranges[2].first == 8000 &&
	      p.rules[0].ranges[2].last == 8100, "structure: port ranges", "nranges=%u",
	      p.rules[0].nranges);
	inet_pton(AF_INET6, "2001:db8::", want6);
	CHECK(p.rules[1].family == AF_INET6 && p.rules[1].prefixlen == 32 &&
	      !memcmp(p.rules[1].addr, want6, 16) && p.rules[1].action == EGRESSK_ACTION_DENY &&
	      p.rules[1].proto == EGRESSK_PROTO_UDP && p.rules[1].nranges == 0,
	      "structure: v6 deny rule", "family=%u plen=%u", p.rules[1].family,
	      p.rules[1].prefixlen);
	CHECK(p.rules[2].kind == EGRESSK_RULE_KIND_DNS && p.rules[2].prefixlen == 32 &&
	      p.rules[2].proto == EGRESSK_PROTO_ANY && p.rules[2].addr[3] == 53,
	      "structure: dns rule", "kind=%u", p.rules[2].kind);
out:
	egk_policy_free(&p);
	egk_diag_free(&d);
}

static void test_domain_structure(void)
{
	struct egk_policy p;
	struct egk_diag d;
	int n;

	n = egk_policy_parse_string("t.pol", ".",
		"allow domain .GitHub.com.\n"
		"allow domain *.example.org port 443,8000-8100\n", &p, &d);
	CHECK(n == 0 && p.nrules == 2, "domain structure: parses", "n=%d nrules=%zu", n, p.nrules);
	if (n || p.nrules != 2)
		goto out;
	CHECK(p.rules[0].kind == EGRESSK_RULE_KIND_DOMAIN &&
	      p.rules[0].action == EGRESSK_ACTION_ALLOW && p.rules[0].proto == EGRESSK_PROTO_TCP &&
	      p.rules[0].family == 0 && p.rules[0].prefixlen == 0 && p.rules[0].nranges == 0 &&
	      p.rules[0].ranges == NULL,
	      "domain structure: allow, domain kind, tcp, no address, no ports",
	      "kind=%u action=%u proto=%u family=%u nranges=%u", p.rules[0].kind,
	      p.rules[0].action, p.rules[0].proto, p.rules[0].family, p.rules[0].nranges);
	CHECK_STR(p.rules[0].name, ".github.com", "domain structure: name is normalised");
	CHECK_STR(p.rules[1].name, "*.example.org", "domain structure: wildcard name kept");
	CHECK(p.rules[1].nranges == 2 && p.rules[1].ranges[0].first == 443 &&
	      p.rules[1].ranges[0].last == 443 && p.rules[1].ranges[1].first == 8000 &&
	      p.rules[1].ranges[1].last == 8100, "domain structure: port ranges",
	      "nranges=%u", p.rules[1].nranges);
out:
	egk_policy_free(&p);
	egk_diag_free(&d);
}

static void test_dns_structure(void)
{
	struct egk_policy p;
	struct egk_diag d;
	int n;

	n = egk_policy_parse_string("t.pol", ".", "", &p, &d);
	CHECK(n == 0 && p.dns_filter == EGRESSK_DNS_FILTER_ON && p.binding == EGRESSK_BINDING_DNS &&
	      p.ttl_floor == EGRESSK_DNS_TTL_FLOOR_DEFAULT &&
	      p.ttl_ceiling == EGRESSK_DNS_TTL_CEILING_DEFAULT,
	      "dns structure: defaults are filter on, binding dns, 600 and 86400",
	      "filter=%u binding=%u floor=%u ceiling=%u", p.dns_filter, p.binding, p.ttl_floor,
	      p.ttl_ceiling);
	egk_policy_free(&p);
	egk_diag_free(&d);

	n = egk_policy_parse_string("t.pol", ".",
		"dns filter strict\ndomain-binding none\ndns ttl-floor 30\ndns ttl-ceiling 7200\n"
		"allow dns-name .In-Addr.Arpa.\nallow domain .github.com\n", &p, &d);
	CHECK(n == 0 && p.dns_filter == EGRESSK_DNS_FILTER_STRICT &&
	      p.binding == EGRESSK_BINDING_NONE && p.ttl_floor == 30 && p.ttl_ceiling == 7200,
	      "dns structure: settings are read", "n=%d filter=%u binding=%u floor=%u ceiling=%u",
	      n, p.dns_filter, p.binding, p.ttl_floor, p.ttl_ceiling);
	CHECK(n == 0 && p.nrules == 2 && p.rules[0].kind == EGRESSK_RULE_KIND_DNS_NAME &&
	      p.rules[0].action == EGRESSK_ACTION_ALLOW && p.rules[0].family == 0 &&
	      p.rules[0].prefixlen == 0 && p.rules[0].proto == EGRESSK_PROTO_ANY &&
	      p.rules[0].nranges == 0 && p.rules[0].ranges == NULL,
	      "dns structure: dns-name rule is allow, no address, protocol or ports",
	      "n=%d nrules=%zu", n, p.nrules);
	if (n == 0 && p.nrules == 2)
		CHECK_STR(p.rules[0].name, ".in-addr.arpa", "dns structure: dns-name name normalised");
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* an error anywhere leaves no rules, whatever the settings said */
	n = egk_policy_parse_string("t.pol", ".",
		"allow dns-name a.example\ndns ttl-floor 700\ndns ttl-ceiling 650\n", &p, &d);
	CHECK(n == 1 && p.nrules == 0, "dns structure: floor over ceiling loads nothing",
	      "n=%d nrules=%zu", n, p.nrules);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* egk_domain_normalize() directly: the normal form and its length bounds. */
static void test_domain_normalize(void)
{
	char out[EGRESSK_DOMAIN_NAME_MAX + 1], err[512], in[700], want[300];
	int r;

	r = egk_domain_normalize("*.A-B.Example.", out, sizeof(out), err, sizeof(err));
	CHECK(r == 0 && !strcmp(out, "*.a-b.example"), "normalize: *.A-B.Example.",
	      "r=%d out=%s", r, r ? err : out);
	CHECK(egk_domain_is_normal(".a.example") && egk_domain_is_normal("*.a.example") &&
	      !egk_domain_is_normal("A.example") && !egk_domain_is_normal("a.example.") &&
	      !egk_domain_is_normal("a..example") && !egk_domain_is_normal(""),
	      "normalize: is_normal tells the normal form", "wrong answer");

	/* a 253-character base: four 62-character labels and a 1-character one */
	want[0] = '\0';
	for (int i = 0; i < 4; i++) {
		size_t l = strlen(want);

		memset(want + l, 'a' + i, 62);
		want[l + 62] = '.';
		want[l + 63] = '\0';
	}
	strcat(want, "z");
	CHECK(strlen(want) == EGK_DOMAIN_BASE_MAX, "normalize: test name is 253 long", "%zu",
	      strlen(want));
	snprintf(in, sizeof(in), "*.%s.", want);
	r = egk_domain_normalize(in, out, sizeof(out), err, sizeof(err));
	CHECK(r == 0 && strlen(out) == EGRESSK_DOMAIN_NAME_MAX && out[0] == '*',
	      "normalize: *. and a 253-character base fill EGRESSK_DOMAIN_NAME_MAX",
	      "r=%d len=%zu err=%s", r, r ? 0 : strlen(out), r ? err : "");
	snprintf(in, sizeof(in), ".%sz", want);
	r = egk_domain_normalize(in, out, sizeof(out), err, sizeof(err));
	CHECK(r == -1 && strstr(err, "is longer than 253 characters") && strstr(err, "...'"),
	      "normalize: a 254-character base is refused, quoted short", "r=%d err=%s", r, err);
}

/* ---- limits ------------------------------------------------------------ */

static char *port_list(int n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	fprintf(f, "allow cidr 10.0.0.0/8 tcp port ");
	for (int i = 1; i <= n; i++)
		fprintf(f, "%s%d", i > 1 ? "," : "", i * 10);
	fprintf(f, "\n");
	fclose(f);
	return s;
}

static char *many_rules(int n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	for (int i = 0; i < n; i++)
		fprintf(f, "allow cidr %d.%d.%d.0/24\n", 1 + i / 65536, (i / 256) % 256, i % 256);
	fclose(f);
	return s;
}

static char *many_domains(int n, int extra_cidr)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	for (int i = 0; i < extra_cidr; i++)
		fprintf(f, "allow cidr %d.%d.%d.0/24\n", 1 + i / 65536, (i / 256) % 256, i % 256);
	for (int i = 0; i < n; i++)
		fprintf(f, "allow domain h%d.example\n", i);
	fclose(f);
	return s;
}

static void test_domain_limits(void)
{
	struct egk_policy p;
	struct egk_diag d;
	char want[80], *s;
	int n;

	s = many_domains(EGRESSK_MAX_DOMAIN_RULES, 0);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	CHECK(n == 0 && p.nrules == EGRESSK_MAX_DOMAIN_RULES,
	      "EGRESSK_MAX_DOMAIN_RULES (65536) domain rules are accepted", "n=%d nrules=%zu msg=%s",
	      n, p.nrules, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);

	/* dns-name rules count toward the same limit */
	{
		char *t = many_domains(EGRESSK_MAX_DOMAIN_RULES, 0);
		size_t l = strlen(t);

		t = realloc(t, l + 64);
		strcpy(t + l, "allow dns-name one.too.many\n");
		n = egk_policy_parse_string("t.pol", ".", t, &p, &d);
		snprintf(want, sizeof(want), "t.pol:%d: too many domain and dns-name rules",
			 EGRESSK_MAX_DOMAIN_RULES + 1);
		CHECK(n == 1 && d.nmsgs == 1 && !strncmp(d.msgs[0], want, strlen(want)),
		      "a dns-name rule past 65536 domain rules is refused", "n=%d msg=%s", n,
		      d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		free(t);
	}
	{
		char *t = NULL;
		size_t tl = 0;
		FILE *f = open_memstream(&t, &tl);

		for (int i = 0; i < EGRESSK_MAX_DOMAIN_RULES; i++)
			fprintf(f, "allow dns-name n%d.example\n", i);
		fprintf(f, "allow domain last.example\n");
		fclose(f);
		n = egk_policy_parse_string("t.pol", ".", t, &p, &d);
		snprintf(want, sizeof(want), "t.pol:%d: too many domain rules",
			 EGRESSK_MAX_DOMAIN_RULES + 1);
		CHECK(n == 1 && d.nmsgs == 1 && !strncmp(d.msgs[0], want, strlen(want)),
		      "a domain rule past 65536 dns-name rules is refused", "n=%d msg=%s", n,
		      d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		free(t);
	}

	/* 1000 cidr rules first: the domain limit counts domain rules only */
	s = many_domains(EGRESSK_MAX_DOMAIN_RULES + 3, 1000);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	snprintf(want, sizeof(want), "t.pol:%d: too many domain rules (at most 65536 per policy)",
		 1000 + EGRESSK_MAX_DOMAIN_RULES + 1);
	CHECK(n == 1 && d.nmsgs == 1 && !strncmp(d.msgs[0], want, strlen(want)) && p.nrules == 0,
	      "one domain rule too many is refused once, at its line", "n=%d msg=%s want=%s", n,
	      d.nmsgs ? d.msgs[0] : "", want);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);
}

static void test_limits(void)
{
	struct egk_policy p;
	struct egk_diag d;
	char *s;
	int n;

	s = port_list(EGRESSK_MAX_PORT_RANGES);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	CHECK(n == 0 && p.nrules == 1 && p.rules[0].nranges == EGRESSK_MAX_PORT_RANGES,
	      "64 port ranges are accepted", "n=%d", n);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);

	s = port_list(EGRESSK_MAX_PORT_RANGES + 1);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "t.pol:1: too many port ranges"),
	      "65 port ranges are refused", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);

	s = many_rules(EGRESSK_MAX_RULES);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	CHECK(n == 0 && p.nrules == EGRESSK_MAX_RULES, "EGRESSK_MAX_RULES rules are accepted",
	      "n=%d nrules=%zu", n, p.nrules);
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);

	s = many_rules(EGRESSK_MAX_RULES + 2);
	n = egk_policy_parse_string("t.pol", ".", s, &p, &d);
	{
		char want[64];

		snprintf(want, sizeof(want), "t.pol:%d: too many rules", EGRESSK_MAX_RULES + 1);
		CHECK(n == 1 && d.nmsgs == 1 && !strncmp(d.msgs[0], want, strlen(want)) &&
		      p.nrules == 0, "one rule too many is refused once, at its line",
		      "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	}
	egk_policy_free(&p);
	egk_diag_free(&d);
	free(s);

	/* port ranges in all rules are bounded too */
	{
		int nrules = EGRESSK_MAX_RANGES_TOTAL / EGRESSK_MAX_PORT_RANGES + 1;
		char *one = port_list(EGRESSK_MAX_PORT_RANGES), *all;
		size_t l1 = strlen(one);
		char want[64];

		all = malloc(l1 * (size_t)nrules + 1);
		for (int i = 0; i < nrules; i++)
			memcpy(all + l1 * (size_t)i, one, l1);
		all[l1 * (size_t)nrules] = '\0';
		n = egk_policy_parse_string("t.pol", ".", all, &p, &d);
		snprintf(want, sizeof(want), "t.pol:%d: too many port ranges in the policy", nrules);
		CHECK(n == 1 && !strncmp(d.msgs[0], want, strlen(want)),
		      "EGRESSK_MAX_RANGES_TOTAL is enforced at the line that passes it",
		      "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		all[l1 * (size_t)(nrules - 1)] = '\0';
		n = egk_policy_parse_string("t.pol", ".", all, &p, &d);
		CHECK(n == 0 && p.nrules == (size_t)nrules - 1,
		      "exactly EGRESSK_MAX_RANGES_TOTAL port ranges are accepted", "n=%d", n);
		egk_policy_free(&p);
		egk_diag_free(&d);
		free(all);
		free(one);
	}

	{
		char *line = malloc(EGK_MAX_LINE + 100);

		memset(line, 'a', EGK_MAX_LINE + 50);
		strcpy(line + EGK_MAX_LINE + 50, "\nallow cidr 10.0.0.0/8\n");
		n = egk_policy_parse_string("t.pol", ".", line, &p, &d);
		CHECK(n == 1 && !strncmp(d.msgs[0], "t.pol:1: line is longer", 23),
		      "over-long line is refused", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		free(line);
	}

	{
		static const char nul[] = "allow cidr 10.0.0.0/8\nallow\0cidr 1.2.3.4\n";
		FILE *f;

		f = fopen("nul.pol", "w");
		fwrite(nul, 1, sizeof(nul) - 1, f);
		fclose(f);
		n = egk_policy_parse_file("nul.pol", &p, &d);
		CHECK(n == 1 && strstr(d.msgs[0], "nul.pol:2: line contains a NUL byte"),
		      "NUL byte is refused", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		unlink("nul.pol");
	}
}

/* ---- round trip: parse -> print -> parse gives the same rules ---------- */

static bool same_rules(const struct egk_policy *a, const struct egk_policy *b)
{
	if (a->mode != b->mode || a->def != b->def || a->flags != b->flags ||
	    a->dns_filter != b->dns_filter || a->binding != b->binding ||
	    a->ttl_floor != b->ttl_floor || a->ttl_ceiling != b->ttl_ceiling ||
	    a->nrules != b->nrules)
		return false;
	for (size_t i = 0; i < a->nrules; i++) {
		const struct egk_rule *x = &a->rules[i], *y = &b->rules[i];

		if ((x->name || y->name) &&
		    (!x->name || !y->name || strcmp(x->name, y->name)))
			return false;
		if (x->action != y->action || x->kind != y->kind || x->family != y->family ||
		    x->prefixlen != y->prefixlen || x->proto != y->proto ||
		    x->nranges != y->nranges || memcmp(x->addr, y->addr, 16) ||
		    (x->nranges && memcmp(x->ranges, y->ranges, x->nranges * sizeof(*x->ranges))))
			return false;
	}
	return true;
}

static void test_round_trip(void)
{
	static const char *const inputs[] = {
		"mode audit\ndefault drop\nallow raw\n"
		"allow cidr 10.0.0.0/8 tcp port 80,443,8000-8100\n"
		"deny cidr 10.1.0.0/16\nallow cidr ::1\nallow cidr 2001:db8::/32 udp port 53\n"
		"allow cidr 0.0.0.0/0 icmp\nallow dns 1.1.1.1\nallow dns 2001:4860:4860::8888\n"
		"allow cidr ::ffff:192.0.2.0/120 tcp port 1-65535\n",
		"",
		"deny cidr ::/0\n",
		"allow domain Example.COM.\nallow domain .github.com port 443,22,8000-8100\n"
		"allow domain *.Example.org tcp\nallow cidr 10.0.0.0/8\nallow domain x_y.example port 1\n",
		"dns filter strict\ndomain-binding none\ndns ttl-floor 1\ndns ttl-ceiling 604800\n"
		"allow dns-name .In-Addr.Arpa\nallow dns-name *.Ip6.arpa.\nallow dns-name db\n"
		"allow dns 192.0.2.53\nallow domain .github.com port 22,443\n",
		"dns filter off\ndns ttl-ceiling 600\ndns ttl-floor 600\nallow domain a.example\n",
		"mode audit\ndomain-binding dns\ndns filter on\nallow dns-name x.example\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct egk_policy a, b;
		struct egk_diag d1, d2;
		char *printed = NULL, name[64];
		size_t len = 0;
		FILE *f;
		int n1, n2;

		n1 = egk_policy_parse_string("a.pol", ".", inputs[i], &a, &d1);
		f = open_memstream(&printed, &len);
		egk_policy_print(f, &a);
		fclose(f);
		n2 = egk_policy_parse_string("b.pol", ".", printed, &b, &d2);
		snprintf(name, sizeof(name), "round trip %zu", i);
		CHECK(n1 == 0 && n2 == 0 && same_rules(&a, &b), name, "n1=%d n2=%d printed=[%s]",
		      n1, n2, printed);
		/* and printing again gives the same text: show | apply | show is stable */
		{
			char *again = NULL;
			size_t alen = 0;
			FILE *g = open_memstream(&again, &alen);

			egk_policy_print(g, &b);
			fclose(g);
			snprintf(name, sizeof(name), "round trip %zu prints the same text", i);
			CHECK_STR(again, printed, name);
			free(again);
		}
		egk_policy_free(&a);
		egk_policy_free(&b);
		egk_diag_free(&d1);
		egk_diag_free(&d2);
		free(printed);
	}
}

/* ---- includes ---------------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static int parse_path(const char *rel, struct egk_policy *p, struct egk_diag *d)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	return egk_policy_parse_file(path, p, d);
}

static void test_includes(void)
{
	struct egk_policy p;
	struct egk_diag d;
	char cwd[PATH_MAX], sub[PATH_MAX + 8], want[PATH_MAX + 100];
	int n;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/egk-unit-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/presets", tmpdir);
	mkdir(sub, 0700);

	write_file("main.pol", "mode audit\ninclude sub/a.pol\nallow cidr 10.0.0.0/8\n");
	write_file("sub/a.pol", "allow cidr 192.0.2.0/24\ninclude b.pol\n");
	write_file("sub/b.pol", "deny cidr 192.0.2.1\n");
	n = parse_path("main.pol", &p, &d);
	CHECK(n == 0 && p.nrules == 3 && p.mode == EGRESSK_MODE_AUDIT,
	      "include relative to the including file", "n=%d nrules=%zu msg=%s", n, p.nrules,
	      d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);

	write_file("sub/c.pol", "allow cidr 10.0.0.0/8\nallow cidr 10.0.0.1/8\n");
	write_file("err.pol", "# top\ninclude sub/c.pol\n");
	n = parse_path("err.pol", &p, &d);
	snprintf(want, sizeof(want), "%s/sub/c.pol:2: ", tmpdir);
	CHECK(n == 1 && !strncmp(d.msgs[0], want, strlen(want)),
	      "error in an included file names that file and line", "msg=%s want=%s",
	      d.nmsgs ? d.msgs[0] : "", want);
	egk_policy_free(&p);
	egk_diag_free(&d);

	write_file("cyc1.pol", "allow cidr 10.0.0.0/8\ninclude cyc2.pol\n");
	write_file("cyc2.pol", "\n\ninclude cyc1.pol\n");
	n = parse_path("cyc1.pol", &p, &d);
	snprintf(want, sizeof(want), "%s/cyc2.pol:3: include cycle", tmpdir);
	CHECK(n == 1 && !strncmp(d.msgs[0], want, strlen(want)) && p.nrules == 0,
	      "include cycle is detected", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);

	write_file("self.pol", "include ./self.pol\n");
	n = parse_path("self.pol", &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "self.pol:1: include cycle"),
	      "self include is a cycle", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* a chain of distinct files deeper than the bound */
	for (int i = 0; i <= EGK_MAX_INCLUDE_DEPTH + 2; i++) {
		char name[32], text[64];

		snprintf(name, sizeof(name), "deep%d.pol", i);
		snprintf(text, sizeof(text), "include deep%d.pol\n", i + 1);
		write_file(name, text);
	}
	write_file("deep11.pol", "allow cidr 10.0.0.0/8\n");
	n = parse_path("deep0.pol", &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "includes nest deeper than 8"),
	      "include depth is bounded", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* the same file twice (not nested) is fine */
	write_file("twice.pol", "include sub/b.pol\ninclude sub/b.pol\n");
	n = parse_path("twice.pol", &p, &d);
	CHECK(n == 0 && p.nrules == 2, "same file included twice side by side", "n=%d", n);
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* presets through EGRESSK_PRESET_DIR */
	write_file("presets/corp", "allow cidr 198.51.100.0/24 tcp port 443\n");
	write_file("preset.pol", "include preset:corp\n");
	setenv("EGRESSK_PRESET_DIR", sub, 1);
	n = parse_path("preset.pol", &p, &d);
	CHECK(n == 0 && p.nrules == 1 && p.rules[0].addr[0] == 198,
	      "preset found through EGRESSK_PRESET_DIR", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	write_file("nopreset.pol", "\ninclude preset:absent\n");
	n = parse_path("nopreset.pol", &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "nopreset.pol:2: no preset named 'absent'"),
	      "missing preset is reported", "n=%d msg=%s", n, d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	unsetenv("EGRESSK_PRESET_DIR");

	/* settings inside included files and presets count as the file's own:
	 * the same value again is fine, a different one is an error that
	 * names the first line, wherever it was */
	char want2[2 * PATH_MAX + 200];

	write_file("sub/dns.pol", "dns filter strict\ndns ttl-floor 120\nallow dns-name .corp.example\n");
	write_file("dnsinc.pol", "include sub/dns.pol\ndns filter strict\nallow dns 192.0.2.53\n");
	n = parse_path("dnsinc.pol", &p, &d);
	CHECK(n == 0 && p.dns_filter == EGRESSK_DNS_FILTER_STRICT && p.ttl_floor == 120 &&
	      p.nrules == 2 && p.rules[0].kind == EGRESSK_RULE_KIND_DNS_NAME,
	      "dns settings in an included file apply to the policy", "n=%d msg=%s", n,
	      d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	write_file("dnsconf.pol", "\ninclude sub/dns.pol\ndns filter on\n");
	n = parse_path("dnsconf.pol", &p, &d);
	snprintf(want2, sizeof(want2),
		 "%s/dnsconf.pol:3: 'dns filter on' conflicts with 'dns filter strict' at %s/sub/dns.pol:1",
		 tmpdir, tmpdir);
	CHECK(n == 1 && !strncmp(d.msgs[0], want2, strlen(want2)),
	      "a dns setting conflicting with an included one names the included line",
	      "n=%d msg=%s want=%s", n, d.nmsgs ? d.msgs[0] : "", want2);
	egk_policy_free(&p);
	egk_diag_free(&d);
	write_file("ttlinc.pol", "dns ttl-ceiling 100\ninclude sub/dns.pol\n");
	n = parse_path("ttlinc.pol", &p, &d);
	snprintf(want2, sizeof(want2),
		 "%s/sub/dns.pol:2: 'dns ttl-floor 120' is above 'dns ttl-ceiling 100' at %s/ttlinc.pol:1",
		 tmpdir, tmpdir);
	CHECK(n == 1 && !strncmp(d.msgs[0], want2, strlen(want2)),
	      "floor over ceiling across an include names both lines", "n=%d msg=%s want=%s", n,
	      d.nmsgs ? d.msgs[0] : "", want2);
	egk_policy_free(&p);
	egk_diag_free(&d);
	write_file("presets/dnscorp", "domain-binding none\nallow domain .corp.example\n");
	write_file("dnspreset.pol", "include preset:dnscorp\ndomain-binding dns\n");
	setenv("EGRESSK_PRESET_DIR", sub, 1);
	n = parse_path("dnspreset.pol", &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "dnspreset.pol:2: 'domain-binding dns' conflicts with 'domain-binding none' at ") &&
	      strstr(d.msgs[0], "presets/dnscorp:1"),
	      "a preset's domain-binding conflicts like mode does", "n=%d msg=%s", n,
	      d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
	unsetenv("EGRESSK_PRESET_DIR");

	/* stdin: includes resolve relative to the current directory */
	write_file("stdin.pol", "include sub/b.pol\nallow cidr 10.0.0.0/8\nbogus\n");
	if (getcwd(cwd, sizeof(cwd)) && chdir(tmpdir) == 0) {
		FILE *saved = stdin;

		stdin = fopen("stdin.pol", "r");
		n = egk_policy_parse_file("-", &p, &d);
		fclose(stdin);
		stdin = saved;
		CHECK(n == 1 && !strncmp(d.msgs[0], "<stdin>:3: unknown directive", 28),
		      "stdin is named <stdin> and includes are cwd-relative", "n=%d msg=%s", n,
		      d.nmsgs ? d.msgs[0] : "");
		egk_policy_free(&p);
		egk_diag_free(&d);
		if (chdir(cwd) != 0)
			perror("chdir");
	} else {
		CHECK(0, "stdin include test set-up", "chdir %s failed", tmpdir);
	}

	n = egk_policy_parse_file("/nonexistent/x.pol", &p, &d);
	CHECK(n == 1 && strstr(d.msgs[0], "/nonexistent/x.pol:0: cannot open"),
	      "missing top-level file", "msg=%s", d.nmsgs ? d.msgs[0] : "");
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* ---- JSON form --------------------------------------------------------- */

static void test_json(void)
{
	struct egk_policy p;
	struct egk_diag d;
	struct json_object *o, *rules, *r0, *v;

	egk_policy_parse_string("t.pol", ".", "mode audit\nallow cidr 10.0.0.0/8 tcp port 443,8000-8100\n",
				&p, &d);
	o = egk_policy_to_json(&p, false);
	CHECK(json_object_object_get_ex(o, "mode", &v) &&
	      !strcmp(json_object_get_string(v), "audit"), "json: mode", "mode missing");
	CHECK(json_object_object_get_ex(o, "rules", &rules) &&
	      json_object_array_length(rules) == 1, "json: one rule", "rules missing");
	r0 = json_object_array_get_idx(rules, 0);
	CHECK(r0 && json_object_object_get_ex(r0, "prefix", &v) &&
	      !strcmp(json_object_get_string(v), "10.0.0.0/8"), "json: prefix", "prefix wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "ports", &v) &&
	      json_object_array_length(v) == 2, "json: ports", "ports wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "text", &v) &&
	      !strcmp(json_object_get_string(v), "allow cidr 10.0.0.0/8 tcp port 443,8000-8100"),
	      "json: text is the policy line", "text wrong");
	json_object_put(o);
	egk_policy_free(&p);
	egk_diag_free(&d);

	egk_policy_parse_string("t.pol", ".",
		"allow domain .Example.com\nallow domain *.a.example port 8443,9000-9001\n", &p, &d);
	o = egk_policy_to_json(&p, true);
	json_object_object_get_ex(o, "rules", &rules);
	r0 = json_object_array_get_idx(rules, 0);
	CHECK(r0 && json_object_object_get_ex(r0, "kind", &v) &&
	      !strcmp(json_object_get_string(v), "domain"), "json: domain kind", "kind wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "name", &v) &&
	      !strcmp(json_object_get_string(v), ".example.com"), "json: domain name", "name wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "proto", &v) &&
	      !strcmp(json_object_get_string(v), "tcp") &&
	      !json_object_object_get_ex(r0, "address", NULL) &&
	      !json_object_object_get_ex(r0, "prefix", NULL),
	      "json: domain rule is tcp and has no address", "wrong fields");
	CHECK(r0 && json_object_object_get_ex(r0, "ports", &v) && json_object_array_length(v) == 2 &&
	      json_object_get_int(json_object_object_get(json_object_array_get_idx(v, 0), "first")) == 80 &&
	      json_object_get_int(json_object_object_get(json_object_array_get_idx(v, 1), "last")) == 443 &&
	      json_object_object_get_ex(r0, "default_ports", &v) && json_object_get_boolean(v),
	      "json: domain rule without ports lists 80 and 443 as default", "ports wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "id", NULL) &&
	      json_object_object_get_ex(r0, "hits", NULL), "json: domain rule with counters",
	      "id or hits missing");
	r0 = json_object_array_get_idx(rules, 1);
	CHECK(r0 && json_object_object_get_ex(r0, "ports", &v) && json_object_array_length(v) == 2 &&
	      json_object_get_int(json_object_object_get(json_object_array_get_idx(v, 1), "last")) == 9001 &&
	      json_object_object_get_ex(r0, "default_ports", &v) && !json_object_get_boolean(v),
	      "json: domain rule with ports", "ports wrong");
	CHECK(r0 && json_object_object_get_ex(r0, "text", &v) &&
	      !strcmp(json_object_get_string(v), "allow domain *.a.example port 8443,9000-9001"),
	      "json: domain text is the policy line", "text wrong");
	json_object_put(o);
	egk_policy_free(&p);
	egk_diag_free(&d);

	/* the DNS settings and a dns-name rule */
	egk_policy_parse_string("t.pol", ".", "", &p, &d);
	o = egk_policy_to_json(&p, false);
	CHECK(json_object_object_get_ex(o, "dns_filter", &v) &&
	      !strcmp(json_object_get_string(v), "on") &&
	      json_object_object_get_ex(o, "domain_binding", &v) &&
	      !strcmp(json_object_get_string(v), "dns") &&
	      json_object_object_get_ex(o, "dns_ttl_floor", &v) && json_object_get_int(v) == 600 &&
	      json_object_object_get_ex(o, "dns_ttl_ceiling", &v) && json_object_get_int(v) == 86400,
	      "json: default dns settings", "%s", json_object_to_json_string(o));
	json_object_put(o);
	egk_policy_free(&p);
	egk_diag_free(&d);

	egk_policy_parse_string("t.pol", ".",
		"dns filter strict\ndomain-binding none\ndns ttl-floor 5\ndns ttl-ceiling 50\n"
		"allow dns-name .In-Addr.Arpa\n", &p, &d);
	o = egk_policy_to_json(&p, true);
	CHECK(json_object_object_get_ex(o, "dns_filter", &v) &&
	      !strcmp(json_object_get_string(v), "strict") &&
	      json_object_object_get_ex(o, "domain_binding", &v) &&
	      !strcmp(json_object_get_string(v), "none") &&
	      json_object_object_get_ex(o, "dns_ttl_floor", &v) && json_object_get_int(v) == 5 &&
	      json_object_object_get_ex(o, "dns_ttl_ceiling", &v) && json_object_get_int(v) == 50,
	      "json: dns settings", "%s", json_object_to_json_string(o));
	json_object_object_get_ex(o, "rules", &rules);
	r0 = json_object_array_get_idx(rules, 0);
	CHECK(r0 && json_object_object_get_ex(r0, "kind", &v) &&
	      !strcmp(json_object_get_string(v), "dns-name") &&
	      json_object_object_get_ex(r0, "name", &v) &&
	      !strcmp(json_object_get_string(v), ".in-addr.arpa") &&
	      json_object_object_get_ex(r0, "action", &v) &&
	      !strcmp(json_object_get_string(v), "allow") &&
	      !json_object_object_get_ex(r0, "ports", NULL) &&
	      !json_object_object_get_ex(r0, "proto", NULL) &&
	      !json_object_object_get_ex(r0, "address", NULL) &&
	      json_object_object_get_ex(r0, "hits", NULL) &&
	      json_object_object_get_ex(r0, "text", &v) &&
	      !strcmp(json_object_get_string(v), "allow dns-name .in-addr.arpa"),
	      "json: dns-name rule has kind, name, hits and text only",
	      "%s", r0 ? json_object_to_json_string(r0) : "(none)");
	json_object_put(o);
	egk_policy_free(&p);
	egk_diag_free(&d);
}

/* ---- warnings (check and apply) ---------------------------------------- */

static const struct warn_case {
	const char *name;
	const char *in;
	int count;
	const char *phrase;	/* in the output, or NULL */
} warns[] = {
	{ "warn: domain rules without a pinned resolver", "allow domain .github.com\n", 1,
	  "w.pol: warning: domain rules with domain-binding dns need a pinned resolver ('allow dns ADDRESS'): no address is learned without one, so every domain flow is refused\n" },
	{ "warn: a preset-like policy without a resolver",
	  "allow domain .github.com\nallow domain .githubusercontent.com\nallow cidr 10.0.0.0/8\n", 1,
	  "need a pinned resolver" },
	{ "warn: none with a pinned resolver", "allow domain .github.com\nallow dns 192.0.2.53\n",
	  0, NULL },
	{ "warn: none with domain-binding none", "allow domain .github.com\ndomain-binding none\n",
	  0, NULL },
	{ "warn: none for dns-name rules alone", "allow dns-name .in-addr.arpa\n", 0, NULL },
	{ "warn: filter on, a resolver and no name rule", "allow dns 192.0.2.53\n", 1,
	  "w.pol: warning: dns filter on with no domain or dns-name rule: every query for a dotted name will be refused" },
	{ "warn: filter strict, a resolver and no name rule",
	  "dns filter strict\nallow dns 192.0.2.53\nallow cidr 10.0.0.0/8\n", 1,
	  "dns filter strict with no domain or dns-name rule: every query for any name will be refused" },
	{ "warn: none with the filter off", "dns filter off\nallow dns 192.0.2.53\n", 0, NULL },
	{ "warn: none with a dns-name rule", "allow dns 192.0.2.53\nallow dns-name .corp.example\n",
	  0, NULL },
	{ "warn: none with a domain rule", "allow dns 192.0.2.53\nallow domain a.example\n", 0, NULL },
	{ "warn: none for a cidr-only policy", "allow cidr 10.0.0.0/8\n", 0, NULL },
	{ "warn: none for the empty policy", "", 0, NULL },
};

static void test_warnings(void)
{
	for (size_t i = 0; i < sizeof(warns) / sizeof(warns[0]); i++) {
		struct egk_policy p;
		struct egk_diag d;
		char *out = NULL;
		size_t len = 0;
		FILE *f;
		int n, w;

		n = egk_policy_parse_string("w.pol", ".", warns[i].in, &p, &d);
		f = open_memstream(&out, &len);
		w = egk_policy_warn(&p, "w.pol", f);
		fclose(f);
		CHECK(n == 0 && w == warns[i].count &&
		      (warns[i].phrase ? strstr(out, warns[i].phrase) != NULL : len == 0),
		      warns[i].name, "n=%d warnings=%d out=[%s]", n, w, out);
		free(out);
		egk_policy_free(&p);
		egk_diag_free(&d);
	}
}

int main(void)
{
	test_good();
	test_bad();
	test_error_collection();
	test_structure();
	test_domain_structure();
	test_dns_structure();
	test_domain_normalize();
	test_limits();
	test_domain_limits();
	test_round_trip();
	test_includes();
	test_json();
	test_warnings();
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (tmpdir[0] && system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return test_summary();
}
