/* SPDX-License-Identifier: GPL-2.0 */
/*
 * egressk: parsers for the first payload of a TCP flow, and domain names.
 *
 * Everything here is a pure function over caller-owned memory: no allocation,
 * no global state, no recursion, every read bounds-checked.  The same source
 * (kmod/parse.c) is built into egressk.ko and, through kmod/parse_compat.h,
 * into the userspace unit tests and libFuzzer harnesses (tests/parsers/).
 * docs/parsers.md explains the decisions in more detail.
 *
 * Stream parsers
 * --------------
 * egressk_parse_tls_sni() and egressk_parse_http_host() take the first @len
 * bytes the client sent on a TCP connection (the caller concatenates held
 * segments in sequence order) and return one of enum egressk_parse_result:
 *
 *   EGRESSK_PARSE_FOUND      the message is complete and well formed and names
 *                            a host: @name holds it lowercased, without a
 *                            trailing dot, NUL-terminated, *@name_len = strlen,
 *                            and egressk_name_valid(name, *name_len) is true.
 *   EGRESSK_PARSE_NEED_MORE  the bytes so far are a valid prefix; the decision
 *                            needs more.  Only returned when
 *                            len < EGRESSK_PARSE_MAX_INPUT, so a caller that
 *                            holds up to that many bytes always gets a final
 *                            answer.
 *   EGRESSK_PARSE_NONE       a complete, well-formed message without a name
 *                            (ClientHello without host_name SNI, HTTP/1.0
 *                            without Host, Host with an IP literal or empty).
 *   EGRESSK_PARSE_INVALID    not this protocol, malformed, ambiguous, or the
 *                            decision would need more than
 *                            EGRESSK_PARSE_MAX_INPUT bytes.
 *
 * @name and @name_len are written only for FOUND (@name may be scribbled on
 * otherwise).  @name_size should be at least EGRESSK_NAME_BUF; a name that
 * does not fit is INVALID.  Bytes after the end of the message are ignored.
 *
 * Domain names
 * ------------
 * A normalised name is lowercase, has no trailing dot, and is what
 * egressk_name_valid() accepts: 1..253 characters, labels of 1..63 characters
 * from [a-z0-9-_], no label starting or ending with '-', and a last label that
 * is not all digits (so dotted IPv4 addresses are never names).  Punycode
 * ("xn--") labels are taken as written, without IDNA decoding.
 *
 * A hash-per-label matcher walks a name's suffixes, longest first, with
 * egressk_name_next_suffix():
 *
 *	for (off = 0; off < len; off = egressk_name_next_suffix(name, len, off))
 *		probe(name + off, len - off, off == 0);
 *
 * "example.com" rules match a probe with off == 0, "*.example.com" rules a
 * probe with off > 0, ".example.com" rules either.  Because suffixes start at
 * label boundaries, "evilexample.com" never yields "example.com".
 *
 * DNS messages
 * ------------
 * egressk_dns_parse_query() and egressk_dns_parse_response() take one whole
 * DNS message (a UDP payload, or the bytes egressk_dns_tcp_message() found
 * behind a TCP length prefix).  They fill a struct egressk_dns_msg, which
 * points into @buf (keep @buf alive while the msg is used), and return:
 *
 *   0              well formed, and the question name is a normalised name
 *                  (as above) in @name, NUL-terminated, *@name_len = strlen.
 *   -EILSEQ        well formed, but the question name is not one
 *                  egressk_name_valid() accepts (the root ".", bytes outside
 *                  [A-Za-z0-9-_] such as a '.' inside a label, a label
 *                  starting or ending with '-', an all-digit last label).
 *                  @msg is filled; @name is "" and *@name_len is 0.  No
 *                  domain rule can cover such a name.
 *   -ENAMETOOLONG  well formed, valid name, but it does not fit @name_size.
 *   -EINVAL        malformed, truncated, or not a message of that kind.
 *
 * A query has QR 0, opcode QUERY, QDCOUNT 1, ANCOUNT 0 and NSCOUNT 0; its
 * additional records (EDNS OPT, cookies) are walked and must end exactly at
 * @len.  A response has QR 1, opcode QUERY, QDCOUNT 1, and an answer section
 * whose ANCOUNT records are all present and well formed; the authority and
 * additional sections are not read.  Names: labels of 1..63 bytes, at most
 * 255 bytes on the wire (RFC 1035 §2.3.4), compression pointers (§4.1.4)
 * that point into the message body and strictly before themselves, at most
 * EGRESSK_DNS_MAX_JUMPS of them per name.  Label types 01 and 10 are
 * INVALID.  Messages longer than 65535 bytes are INVALID.
 *
 * Answers: egressk_dns_answers() starts an iterator over a parsed response;
 * egressk_dns_next_answer() returns 0 and the next record, -ENOENT after the
 * last, -EINVAL if the record is malformed (A or AAAA of class IN whose
 * RDLENGTH is not 4 or 16, CNAME whose target does not fill RDLENGTH exactly).
 * Owner and target names are decoded with egressk_dns_name(), which has the
 * same 0/-EILSEQ/-ENAMETOOLONG/-EINVAL contract as the question.
 *
 * egressk_dns_answer_addrs() is what learning uses: starting at the question
 * name, it follows CNAME records of class IN inside this answer section (any
 * order, at most EGRESSK_DNS_CNAME_MAX hops) and reports the A and AAAA
 * records of class IN owned by the final name.  Every other record is
 * ignored.  The RCODE is not looked at: the caller checks it.
 */
#ifndef EGRESSK_PARSE_H
#define EGRESSK_PARSE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "parse_compat.h"
#endif

/* Longest name (without trailing dot) and the buffer that holds it plus NUL. */
#define EGRESSK_NAME_MAX	253
#define EGRESSK_NAME_BUF	(EGRESSK_NAME_MAX + 1)
#define EGRESSK_LABEL_MAX	63

/*
 * Most stream bytes a parser looks at.  The caller holds at most this much of
 * an undecided flow: at this length the answer is never NEED_MORE.
 */
#define EGRESSK_PARSE_MAX_INPUT	16384

enum egressk_parse_result {
	EGRESSK_PARSE_FOUND = 0,
	EGRESSK_PARSE_NEED_MORE,
	EGRESSK_PARSE_NONE,
	EGRESSK_PARSE_INVALID,
};

/* For logs and tests: "found", "need-more", "none", "invalid". */
const char *egressk_parse_result_name(int result);

/*
 * TLS: one ClientHello at the start of the stream, possibly fragmented over
 * several handshake (content type 22) records.  FOUND and NONE are only given
 * once the whole ClientHello is present and every length in it agrees.
 */
int egressk_parse_tls_sni(const u8 *buf, size_t len, char *name,
			  size_t name_size, size_t *name_len);

/*
 * HTTP/1.0 and HTTP/1.1: the request line and header block up to the empty
 * line.  Only origin-form ("/path") and asterisk-form targets are accepted.
 */
int egressk_parse_http_host(const u8 *buf, size_t len, char *name,
			    size_t name_size, size_t *name_len);

/*
 * What the first bytes of a stream claim to be, whether or not they parse:
 * EGRESSK_STREAM_TLS (a handshake record), EGRESSK_STREAM_HTTP (a method
 * of letters and '-' followed by a space) or EGRESSK_STREAM_OTHER (ssh, anything else).
 * A domain rule's address-only path is only for OTHER (docs/parsers.md).
 */
enum egressk_stream_kind {
	EGRESSK_STREAM_OTHER = 0,
	EGRESSK_STREAM_TLS,
	EGRESSK_STREAM_HTTP,
};

int egressk_stream_kind(const u8 *buf, size_t len);

/* True if name[0..len) is a valid normalised name (see above). */
bool egressk_name_valid(const char *name, size_t len);

/*
 * Normalise raw[0..raw_len) (lowercase, drop one trailing dot) into @out,
 * NUL-terminated, and validate it.  Returns 0 with *out_len set, -EINVAL for
 * an invalid name, -ENAMETOOLONG if it does not fit in @out_size.
 */
int egressk_name_normalize(const char *raw, size_t raw_len, char *out,
			   size_t out_size, size_t *out_len);

/*
 * Offset of the next shorter label suffix of name[0..len) after the suffix
 * starting at @off, or @len when @off is the last label.
 */
size_t egressk_name_next_suffix(const char *name, size_t len, size_t off);

/*
 * Reference matcher, NUL-terminated strings, case- and trailing-dot-
 * insensitive.  @pattern is "example.com" (exactly that name),
 * ".example.com" (the name and every subdomain) or "*.example.com" (every
 * subdomain, not the name).  An invalid pattern or name never matches.
 */
bool egressk_domain_match(const char *pattern, const char *name);

/* ------------------------------------------------------------------ DNS */

#define EGRESSK_DNS_HEADER	12	/* RFC 1035 §4.1.1 */
#define EGRESSK_DNS_MSG_MAX	65535	/* a TCP length prefix's range */
#define EGRESSK_DNS_WIRE_NAME_MAX 255	/* RFC 1035 §2.3.4, with length bytes */
#define EGRESSK_DNS_MAX_JUMPS	64	/* compression pointers per name */
#define EGRESSK_DNS_CNAME_MAX	8	/* CNAME hops followed per answer */
#define EGRESSK_DNS_MAX_ANSWERS	256	/* answer records egressk_dns_answer_addrs reads */

/* The second header word (RFC 1035 §4.1.1). */
#define EGRESSK_DNS_F_QR	0x8000
#define EGRESSK_DNS_F_OPCODE	0x7800	/* >> 11; 0 is QUERY */
#define EGRESSK_DNS_F_AA	0x0400
#define EGRESSK_DNS_F_TC	0x0200
#define EGRESSK_DNS_F_RD	0x0100
#define EGRESSK_DNS_F_RA	0x0080
#define EGRESSK_DNS_F_RCODE	0x000f

#define EGRESSK_DNS_TYPE_A	1
#define EGRESSK_DNS_TYPE_CNAME	5
#define EGRESSK_DNS_TYPE_AAAA	28	/* RFC 3596 §2.1 */
#define EGRESSK_DNS_CLASS_IN	1

struct egressk_dns_msg {
	const u8 *buf;		/* the message, not the TCP prefix */
	size_t len;
	u16 id;
	u16 flags;		/* EGRESSK_DNS_F_* */
	u8 rcode;		/* flags & EGRESSK_DNS_F_RCODE */
	u16 qdcount, ancount, nscount, arcount;
	u16 qtype, qclass;
	u16 qname_off;		/* the question's name, on the wire */
	u16 an_off;		/* first answer record */
};

struct egressk_dns_iter {
	const struct egressk_dns_msg *msg;
	size_t pos;		/* next record */
	u16 left;		/* records not yet returned */
};

struct egressk_dns_rr {
	u16 owner_off;		/* owner name, for egressk_dns_name() */
	u16 type, rclass;
	u32 ttl;		/* seconds; a TTL with the top bit set reads 0 (RFC 2181 §8) */
	u16 rdlength, rdata_off;
	u16 target_off;		/* CNAME: the target name */
	u8 addr[16];		/* A of class IN: 4 bytes, AAAA: 16 */
};

struct egressk_dns_addr {
	u16 type;		/* EGRESSK_DNS_TYPE_A or _AAAA */
	u32 ttl;
	u8 addr[16];		/* network order; A uses the first 4 bytes */
};

/*
 * TCP framing (RFC 1035 §4.2.2): @buf holds the start of a DNS-over-TCP
 * stream.  Returns 0 with *@msg and *@msg_len set to the first message (bytes
 * after it belong to the next one), -EAGAIN if the 2-byte length or the
 * message is not all there yet, -EINVAL for a zero length.
 */
int egressk_dns_tcp_message(const u8 *buf, size_t len, const u8 **msg,
			    size_t *msg_len);

int egressk_dns_parse_query(const u8 *buf, size_t len,
			    struct egressk_dns_msg *msg, char *name,
			    size_t name_size, size_t *name_len);

int egressk_dns_parse_response(const u8 *buf, size_t len,
			       struct egressk_dns_msg *msg, char *name,
			       size_t name_size, size_t *name_len);

/*
 * Decode the (possibly compressed) name at wire offset @off of @msg:
 * 0, -EILSEQ, -ENAMETOOLONG or -EINVAL as for the question.  @name is ""
 * unless the result is 0.
 */
int egressk_dns_name(const struct egressk_dns_msg *msg, size_t off,
		     char *name, size_t name_size, size_t *name_len);

void egressk_dns_answers(const struct egressk_dns_msg *msg,
			 struct egressk_dns_iter *it);

int egressk_dns_next_answer(struct egressk_dns_iter *it,
			    struct egressk_dns_rr *rr);

/*
 * The A and AAAA addresses the question name resolves to inside this
 * answer.  Stores the first @max of them in @out, in answer order, and
 * returns how many there are (which may exceed @max), or -EINVAL (malformed
 * answer section, two CNAMEs for one owner) or -ELOOP (a CNAME chain longer
 * than EGRESSK_DNS_CNAME_MAX, which includes every loop) or -E2BIG (ANCOUNT
 * over EGRESSK_DNS_MAX_ANSWERS).  On error @out may have been written and
 * must be ignored.  A question of a class other than IN gives 0.
 */
int egressk_dns_answer_addrs(const struct egressk_dns_msg *msg,
			     struct egressk_dns_addr *out, size_t max);

#endif /* EGRESSK_PARSE_H */
