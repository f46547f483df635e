/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-built DNS messages for the DNS parser tests, shared by the userspace
 * unit tests (tests/parsers/test_dns.c) and KUnit (tests/kunit/dns_kunit.c):
 * one table, two runners.  Expected values are written from the contract
 * in kmod/parse.h and RFC 1035 / 3596 / 9267, never taken from the parser.
 *
 * A message is written in a small notation, tokens separated by one space:
 *   h:ID:FLAGS:QD:AN:NS:AR   header            n:NAME   labels + root ("n:." root)
 *   l:LEN:CHAR  one label of LEN x CHAR     z        the root byte
 *   p:OFF       a compression pointer       b:HEX    raw bytes
 *   w:N  d:N    16- and 32-bit numbers      q:TYPE:CLASS  question tail
 *   rr:TYPE:CLASS:TTL  record fields up to RDLENGTH
 *   a:A.B.C.D   RDLENGTH 4 + address        6:HEX32  RDLENGTH 16 + address
 *   c:NAME      RDLENGTH + uncompressed name
 *   {  }        a 16-bit length over the bytes between
 *   pc:N        N pointers: the first to 12, each next to the one before
 * Numbers are decimal, or hex with 0x.
 */
#ifndef EGRESSK_DNS_CASES_H
#define EGRESSK_DNS_CASES_H

#define DNS_BUILD_MAX	2048

struct dns_build {
	u8 b[DNS_BUILD_MAX];
	size_t n;
	size_t open[4];
	int depth;
	bool bad;		/* overflow or a notation error: the case fails */
};

static void db_u8(struct dns_build *d, unsigned int v)
{
	if (d->n >= DNS_BUILD_MAX) {
		d->bad = true;
		return;
	}
	d->b[d->n++] = (u8)v;
}

static void db_u16(struct dns_build *d, unsigned int v)
{
	db_u8(d, v >> 8);
	db_u8(d, v);
}

static const char *db_num(struct dns_build *d, const char *s, unsigned long *v)
{
	unsigned int base = 10, digit;
	bool any = false;

	*v = 0;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (;; s++, any = true) {
		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = *s - 'a' + 10;
		else
			break;
		*v = *v * base + digit;
	}
	if (!any)
		d->bad = true;
	return s;
}

/* Numbers separated by @sep; returns how many were read. */
static int db_nums(struct dns_build *d, const char *s, char sep,
		   unsigned long *v, int max)
{
	int i;

	for (i = 0; i < max; i++) {
		s = db_num(d, s, &v[i]);
		if (*s != sep)
			return i + 1;
		s++;
	}
	return i;
}

static int db_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void db_name(struct dns_build *d, const char *s, size_t len)
{
	size_t i = 0, start;

	if (len == 1 && s[0] == '.') {
		db_u8(d, 0);
		return;
	}
	while (i < len) {
		start = i;
		while (i < len && s[i] != '.')
			i++;
		db_u8(d, i - start);
		while (start < i)
			db_u8(d, s[start++]);
		i++;
	}
	db_u8(d, 0);
}

static void dns_build(struct dns_build *d, const char *text)
{
	const char *s = text;

	memset(d, 0, sizeof(*d));
	while (*s) {
		const char *e = s;
		unsigned long v[6];
		size_t tl;
		int i, k;

		if (*s == ' ') {
			s++;
			continue;
		}
		while (*e && *e != ' ')
			e++;
		tl = e - s;
		if (s[0] == 'h' && s[1] == ':') {
			if (db_nums(d, s + 2, ':', v, 6) != 6)
				d->bad = true;
			for (i = 0; i < 6; i++)
				db_u16(d, v[i]);
		} else if (s[0] == 'n' && s[1] == ':') {
			db_name(d, s + 2, tl - 2);
		} else if (s[0] == 'l' && s[1] == ':') {
			if (db_nums(d, s + 2, ':', v, 1) != 1)
				d->bad = true;
			db_u8(d, v[0]);
			for (k = 0; k < (int)v[0]; k++)
				db_u8(d, s[tl - 1]);
		} else if (tl == 1 && s[0] == 'z') {
			db_u8(d, 0);
		} else if (s[0] == 'p' && s[1] == ':') {
			db_num(d, s + 2, v);
			db_u16(d, 0xc000 | v[0]);
		} else if (s[0] == 'p' && s[1] == 'c' && s[2] == ':') {
			db_num(d, s + 3, v);
			for (k = 0; k < (int)v[0]; k++)
				db_u16(d, 0xc000 | (k ? d->n - 2 : 12));
		} else if (s[0] == 'b' && s[1] == ':') {
			for (k = 2; k + 1 < (int)tl; k += 2) {
				if (db_hex(s[k]) < 0 || db_hex(s[k + 1]) < 0)
					d->bad = true;
				db_u8(d, db_hex(s[k]) << 4 | db_hex(s[k + 1]));
			}
		} else if (s[0] == 'w' && s[1] == ':') {
			db_num(d, s + 2, v);
			db_u16(d, v[0]);
		} else if (s[0] == 'd' && s[1] == ':') {
			db_num(d, s + 2, v);
			db_u16(d, v[0] >> 16);
			db_u16(d, v[0]);
		} else if (s[0] == 'q' && s[1] == ':') {
			if (db_nums(d, s + 2, ':', v, 2) != 2)
				d->bad = true;
			db_u16(d, v[0]);
			db_u16(d, v[1]);
		} else if (s[0] == 'r' && s[1] == 'r' && s[2] == ':') {
			if (db_nums(d, s + 3, ':', v, 3) != 3)
				d->bad = true;
			db_u16(d, v[0]);
			db_u16(d, v[1]);
			db_u16(d, v[2] >> 16);
			db_u16(d, v[2]);
		} else if (s[0] == 'a' && s[1] == ':') {
			if (db_nums(d, s + 2, '.', v, 4) != 4)
				d->bad = true;
			db_u16(d, 4);
			for (i = 0; i < 4; i++)
				db_u8(d, v[i]);
		} else if (s[0] == '6' && s[1] == ':') {
			if (tl != 34)
				d->bad = true;
			db_u16(d, 16);
			for (k = 2; k + 1 < (int)tl; k += 2)
				db_u8(d, db_hex(s[k]) << 4 | db_hex(s[k + 1]));
		} else if (s[0] == 'c' && s[1] == ':') {
			size_t at = d->n;

			db_u16(d, 0);
			db_name(d, s + 2, tl - 2);
			if (!d->bad) {
				d->b[at] = (d->n - at - 2) >> 8;
				d->b[at + 1] = d->n - at - 2;
			}
		} else if (tl == 1 && s[0] == '{') {
			if (d->depth == 4)
				d->bad = true;
			else
				d->open[d->depth++] = d->n;
			db_u16(d, 0);
		} else if (tl == 1 && s[0] == '}') {
			if (d->depth == 0) {
				d->bad = true;
			} else if (!d->bad) {
				size_t at = d->open[--d->depth];

				d->b[at] = (d->n - at - 2) >> 8;
				d->b[at + 1] = d->n - at - 2;
			}
		} else {
			d->bad = true;
		}
		s = *e ? e + 1 : e;
	}
	if (d->depth)
		d->bad = true;
}

enum dns_kind {
	DNS_QUERY,		/* egressk_dns_parse_query */
	DNS_RESPONSE,		/* egressk_dns_parse_response + answer_addrs */
	DNS_TCP_QUERY,		/* a correct length prefix is added, then as QUERY */
	DNS_FRAMED_QUERY,	/* the notation holds the prefix: tcp_message, then QUERY */
};

struct dns_case {
	const char *desc;	/* what it checks: the regression it guards */
	enum dns_kind kind;
	const char *msg;
	int rc;			/* parse result (tcp_message's when not 0) */
	const char *qname;	/* rc 0: the question name; NULL: see qlen */
	int addrs;		/* responses: answer_addrs() result */
	const char *want;	/* responses: the addresses, "A/TTL ..." */
	size_t qlen;		/* rc 0 and qname NULL: the name's length */
};

/* 12-byte headers: a query with RD, a response with RD RA. */
#define QH		"h:0x1234:0x0100:1:0:0:0 "
#define RH(an)		"h:0x1234:0x8180:1:" #an ":0:0 "
#define QWWW		"n:www.example.com q:1:1 "	/* 21 bytes: answers start at 33 */
#define OPT		" z w:41 w:1232 d:0 w:0"	/* EDNS OPT, RFC 6891 */
#define CN(o, t)	" n:" o " rr:5:1:60 c:" t
#define AREC(o, a)	" n:" o " rr:1:1:300 a:" a
#define N63(c)		"l:63:" c " "

static const struct dns_case dns_cases[] = {
	/* ---------------------------------------------------------- queries */
	{ "query: plain A question", DNS_QUERY, QH QWWW, 0, "www.example.com", 0, NULL, 0 },
	{ "query: 0x20 mixed case is lowercased", DNS_QUERY,
	  QH "n:wWw.ExAmPlE.CoM q:28:1", 0, "www.example.com", 0, NULL, 0 },
	{ "query: EDNS OPT in the additional section is accepted", DNS_QUERY,
	  "h:0x1234:0x0100:1:0:0:1 " QWWW OPT, 0, "www.example.com", 0, NULL, 0 },
	{ "query: _srv._tcp labels are names (underscore allowed)", DNS_QUERY,
	  QH "n:_http._tcp.example.com q:33:1", 0, "_http._tcp.example.com", 0, NULL, 0 },
	{ "query: single-label name (Docker service name)", DNS_QUERY,
	  QH "n:db q:1:1", 0, "db", 0, NULL, 0 },
	{ "query: QR set is not a query", DNS_QUERY,
	  "h:0x1234:0x8100:1:0:0:0 " QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "query: opcode NOTIFY is not QUERY", DNS_QUERY,
	  "h:0x1234:0x2000:1:0:0:0 " QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "query: opcode UPDATE is not QUERY", DNS_QUERY,
	  "h:0x1234:0x2800:1:0:0:0 " QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "query: QDCOUNT 0", DNS_QUERY, "h:0x1234:0x0100:0:0:0:0", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: QDCOUNT 2 with two questions", DNS_QUERY,
	  "h:0x1234:0x0100:2:0:0:0 " QWWW "n:evil.example q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: ANCOUNT 1 (data riding in the answer section)", DNS_QUERY,
	  "h:0x1234:0x0100:1:1:0:0 " QWWW AREC("x.example", "192.0.2.1"), -EINVAL, NULL, 0, NULL, 0 },
	{ "query: NSCOUNT 1", DNS_QUERY,
	  "h:0x1234:0x0100:1:0:1:0 " QWWW AREC("x.example", "192.0.2.1"), -EINVAL, NULL, 0, NULL, 0 },
	{ "query: a byte after the question", DNS_QUERY, QH QWWW "b:00", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: ARCOUNT 1 with no record (count over the data)", DNS_QUERY,
	  "h:0x1234:0x0100:1:0:0:1 " QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "query: ARCOUNT 2 with one record", DNS_QUERY,
	  "h:0x1234:0x0100:1:0:0:2 " QWWW OPT, -EINVAL, NULL, 0, NULL, 0 },
	{ "query: OPT RDLENGTH past the end", DNS_QUERY,
	  "h:0x1234:0x0100:1:0:0:1 " QWWW " z w:41 w:1232 d:0 w:4", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: root name is well formed but not a name", DNS_QUERY,
	  QH "n:. q:2:1", -EILSEQ, NULL, 0, NULL, 0 },
	{ "query: '.' inside a label is not confused with a separator", DNS_QUERY,
	  QH "b:03612e62 n:com q:1:1", -EILSEQ, NULL, 0, NULL, 0 },
	{ "query: space and NUL bytes in a label", DNS_QUERY,
	  QH "b:0461200062 n:com q:1:1", -EILSEQ, NULL, 0, NULL, 0 },
	{ "query: all-digit last label (an address, not a name)", DNS_QUERY,
	  QH "n:10.0.0.1 q:1:1", -EILSEQ, NULL, 0, NULL, 0 },
	{ "query: label starting with '-'", DNS_QUERY, QH "n:-a.example q:1:1", -EILSEQ, NULL, 0, NULL, 0 },
	{ "query: reverse lookup name is a name", DNS_QUERY,
	  QH "n:1.0.0.127.in-addr.arpa q:12:1", 0, "1.0.0.127.in-addr.arpa", 0, NULL, 0 },
	{ "query: 63-byte label", DNS_QUERY, QH N63("a") "n:com q:1:1", 0, NULL, 0, NULL, 67 },
	{ "query: 64-byte label (length byte 0x40 is label type 01)", DNS_QUERY,
	  QH "l:64:a n:com q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: label type 10 (0x80)", DNS_QUERY, QH "b:8061 n:com q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: 255-byte wire name (253 characters)", DNS_QUERY,
	  QH N63("a") N63("b") N63("c") "l:61:d z q:1:1", 0, NULL, 0, NULL, 253 },
	{ "query: 256-byte wire name", DNS_QUERY,
	  QH N63("a") N63("b") N63("c") "l:62:d z q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: compression pointer into the header", DNS_QUERY,
	  QH "p:0 q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: forward compression pointer", DNS_QUERY,
	  QH "l:3:w p:20 q:1:1 n:x", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: self pointer", DNS_QUERY, QH "p:12 q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: header only, 11 bytes", DNS_QUERY, "b:1234010000010000000000", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: name without its root byte", DNS_QUERY, QH "l:3:w", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: label running past the end", DNS_QUERY, QH "b:0577", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: QCLASS cut", DNS_QUERY, QH "n:www.example.com w:1 b:00", -EINVAL, NULL, 0, NULL, 0 },
	{ "query: pointer cut after its first byte", DNS_QUERY, QH "l:1:a b:c0", -EINVAL, NULL, 0, NULL, 0 },

	/* ---------------------------------------------------------- TCP */
	{ "tcp: framed query", DNS_TCP_QUERY, QH QWWW, 0, "www.example.com", 0, NULL, 0 },
	{ "tcp: length one more than the bytes: need more", DNS_FRAMED_QUERY,
	  "w:34 " QH QWWW, -EAGAIN, NULL, 0, NULL, 0 },
	{ "tcp: length one less: the message is cut", DNS_FRAMED_QUERY,
	  "w:32 " QH QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "tcp: one byte of length: need more", DNS_FRAMED_QUERY, "b:00", -EAGAIN, NULL, 0, NULL, 0 },
	{ "tcp: zero length", DNS_FRAMED_QUERY, "w:0 " QH QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "tcp: length under a header", DNS_FRAMED_QUERY, "w:11 " QH QWWW, -EINVAL, NULL, 0, NULL, 0 },
	{ "tcp: two queries back to back: the first one", DNS_FRAMED_QUERY,
	  "w:33 " QH QWWW " w:33 " QH "n:two.example.com q:1:1", 0, "www.example.com", 0, NULL, 0 },

	/* ---------------------------------------------------------- responses */
	{ "response: A, owner compressed to the question", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:1:1:300 a:192.0.2.1", 0, "www.example.com",
	  1, "192.0.2.1/300", 0 },
	{ "response: AAAA (RFC 3596)", DNS_RESPONSE,
	  RH(1) "n:www.example.com q:28:1 p:12 rr:28:1:60 6:20010db8000000000000000000000001",
	  0, "www.example.com", 1, "20010db8000000000000000000000001/60", 0 },
	{ "response: several A and AAAA in answer order", DNS_RESPONSE,
	  RH(3) QWWW "p:12 rr:1:1:10 a:192.0.2.1 p:12 rr:28:1:20 "
	  "6:20010db8000000000000000000000002 p:12 rr:1:1:30 a:192.0.2.3",
	  0, "www.example.com", 3,
	  "192.0.2.1/10 20010db8000000000000000000000002/20 192.0.2.3/30", 0 },
	{ "response: owner matched ignoring case", DNS_RESPONSE,
	  RH(1) QWWW AREC("WWW.Example.COM", "192.0.2.1"), 0, "www.example.com",
	  1, "192.0.2.1/300", 0 },
	{ "response: CNAME chain in order", DNS_RESPONSE,
	  RH(3) QWWW CN("www.example.com", "cdn.example.net")
	  CN("cdn.example.net", "edge.cdn.example.net") AREC("edge.cdn.example.net", "192.0.2.7"),
	  0, "www.example.com", 1, "192.0.2.7/300", 0 },
	{ "response: CNAME chain out of order", DNS_RESPONSE,
	  RH(3) QWWW AREC("edge.cdn.example.net", "192.0.2.7")
	  CN("cdn.example.net", "edge.cdn.example.net") CN("www.example.com", "cdn.example.net"),
	  0, "www.example.com", 1, "192.0.2.7/300", 0 },
	{ "response: 8 CNAME hops are followed", DNS_RESPONSE,
	  RH(9) QWWW CN("www.example.com", "c1.x") CN("c1.x", "c2.x") CN("c2.x", "c3.x")
	  CN("c3.x", "c4.x") CN("c4.x", "c5.x") CN("c5.x", "c6.x") CN("c6.x", "c7.x")
	  CN("c7.x", "c8.x") AREC("c8.x", "192.0.2.8"), 0, "www.example.com", 1,
	  "192.0.2.8/300", 0 },
	{ "response: 9 CNAME hops are too long", DNS_RESPONSE,
	  RH(10) QWWW CN("www.example.com", "c1.x") CN("c1.x", "c2.x") CN("c2.x", "c3.x")
	  CN("c3.x", "c4.x") CN("c4.x", "c5.x") CN("c5.x", "c6.x") CN("c6.x", "c7.x")
	  CN("c7.x", "c8.x") CN("c8.x", "c9.x") AREC("c9.x", "192.0.2.9"),
	  0, "www.example.com", -ELOOP, NULL, 0 },
	{ "response: CNAME loop of two", DNS_RESPONSE,
	  RH(2) QWWW CN("www.example.com", "b.example") CN("b.example", "www.example.com"),
	  0, "www.example.com", -ELOOP, NULL, 0 },
	{ "response: CNAME to itself", DNS_RESPONSE,
	  RH(1) QWWW CN("www.example.com", "WWW.example.com"), 0, "www.example.com", -ELOOP, NULL, 0 },
	{ "response: two CNAMEs for one owner", DNS_RESPONSE,
	  RH(2) QWWW CN("www.example.com", "a.example") CN("www.example.com", "b.example"),
	  0, "www.example.com", -EINVAL, NULL, 0 },
	{ "response: unrelated records ignored, chain's address kept", DNS_RESPONSE,
	  RH(4) QWWW AREC("evil.example", "198.51.100.1") CN("www.example.com", "cdn.example")
	  AREC("cdn.example", "192.0.2.2") AREC("www.example.com.evil", "198.51.100.2"),
	  0, "www.example.com", 1, "192.0.2.2/300", 0 },
	{ "response: A beside a CNAME for the question name is ignored", DNS_RESPONSE,
	  RH(3) QWWW AREC("www.example.com", "198.51.100.3") CN("www.example.com", "cdn.example")
	  AREC("cdn.example", "192.0.2.2"), 0, "www.example.com", 1, "192.0.2.2/300", 0 },
	{ "response: CNAME only, no address", DNS_RESPONSE,
	  RH(1) QWWW CN("www.example.com", "cdn.example"), 0, "www.example.com", 0, "", 0 },
	{ "response: suffix or prefix of the name does not match", DNS_RESPONSE,
	  RH(2) QWWW AREC("example.com", "198.51.100.4") AREC("a.www.example.com", "198.51.100.5"),
	  0, "www.example.com", 0, "", 0 },
	{ "response: A with RDLENGTH 5", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:1:1:300 w:5 b:c000020100", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: AAAA with RDLENGTH 4", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:28:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: class CH A with another RDATA size is skipped", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:1:3:300 w:5 b:c000020100", 0, "www.example.com", 0, "", 0 },
	{ "response: class CH A of 4 bytes for the name is not learned", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:1:3:300 a:192.0.2.1", 0, "www.example.com", 0, "", 0 },
	{ "response: question of class CH learns nothing", DNS_RESPONSE,
	  RH(1) "n:www.example.com q:1:3 p:12 rr:1:1:300 a:192.0.2.1",
	  0, "www.example.com", 0, "", 0 },
	{ "response: TTL with the top bit set reads 0 (RFC 2181 §8)", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:1:1:0x80000001 a:192.0.2.1", 0, "www.example.com",
	  1, "192.0.2.1/0", 0 },
	{ "response: QR clear", DNS_RESPONSE,
	  "h:0x1234:0x0180:1:1:0:0 " QWWW "p:12 rr:1:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: QDCOUNT 0 (FORMERR style)", DNS_RESPONSE,
	  "h:0x1234:0x8181:0:0:0:0", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: QDCOUNT 2", DNS_RESPONSE,
	  "h:0x1234:0x8180:2:0:0:0 " QWWW "n:evil.example q:1:1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: ANCOUNT over the records present", DNS_RESPONSE,
	  RH(2) QWWW "p:12 rr:1:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: RDLENGTH past the end", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:16:1:300 w:9 b:0161", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: record fields cut", DNS_RESPONSE,
	  RH(1) QWWW "p:12 w:1 w:1 w:0", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: owner is a self pointer", DNS_RESPONSE,
	  RH(1) QWWW "p:33 rr:1:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: two-pointer cycle", DNS_RESPONSE,
	  RH(1) QWWW "p:35 p:33 rr:1:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: owner points into the header", DNS_RESPONSE,
	  RH(1) QWWW "p:4 rr:1:1:300 a:192.0.2.1", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: CNAME target runs past RDLENGTH", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:5:1:60 w:3 n:cdn.example", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: CNAME with a byte after its target", DNS_RESPONSE,
	  RH(1) QWWW "p:12 rr:5:1:60 w:6 n:cdn b:00", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: CNAME target compressed into the question's suffix", DNS_RESPONSE,
	  RH(2) QWWW "p:12 rr:5:1:60 w:2 p:16 p:16 rr:1:1:5 a:192.0.2.9",
	  0, "www.example.com", 1, "192.0.2.9/5", 0 },
	{ "response: 64 pointer jumps in a name are allowed", DNS_RESPONSE,
	  RH(2) QWWW "p:12 rr:16:1:0 { pc:63 } p:169 rr:1:1:7 a:192.0.2.64",
	  0, "www.example.com", 1, "192.0.2.64/7", 0 },
	{ "response: 65 pointer jumps are too many", DNS_RESPONSE,
	  RH(2) QWWW "p:12 rr:16:1:0 { pc:64 } p:171 rr:1:1:7 a:192.0.2.65", -EINVAL, NULL, 0, NULL, 0 },
	{ "response: authority and additional sections are not read", DNS_RESPONSE,
	  "h:0x1234:0x8180:1:1:5:5 " QWWW "p:12 rr:1:1:300 a:192.0.2.1 b:ff",
	  0, "www.example.com", 1, "192.0.2.1/300", 0 },
	{ "response: NXDOMAIN is parsed, RCODE left to the caller", DNS_RESPONSE,
	  "h:0x1234:0x8183:1:0:0:0 " QWWW, 0, "www.example.com", 0, "", 0 },
	{ "response: root question well formed, not a name", DNS_RESPONSE,
	  "h:0x1234:0x8185:1:0:0:0 n:. q:2:1", -EILSEQ, NULL, 0, NULL, 0 },
};

#undef QH
#undef RH
#undef QWWW
#undef OPT
#undef CN
#undef AREC
#undef N63

/* "A/TTL A/TTL": dotted quads for A, 32 hex digits for AAAA. */
static void dns_format_addrs(const struct egressk_dns_addr *a, int n,
			     char *out, size_t size)
{
	size_t at = 0;
	int i, k;

	out[0] = '\0';
	for (i = 0; i < n && at < size; i++) {
		if (i)
			at += snprintf(out + at, size - at, " ");
		if (at >= size)
			break;
		if (a[i].type == EGRESSK_DNS_TYPE_A)
			at += snprintf(out + at, size - at, "%u.%u.%u.%u",
				       a[i].addr[0], a[i].addr[1], a[i].addr[2], a[i].addr[3]);
		else
			for (k = 0; k < 16 && at < size; k++)
				at += snprintf(out + at, size - at, "%02x", a[i].addr[k]);
		if (at < size)
			at += snprintf(out + at, size - at, "/%u", a[i].ttl);
	}
}

#endif /* EGRESSK_DNS_CASES_H */
