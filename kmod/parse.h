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

#endif /* EGRESSK_PARSE_H */
