// SPDX-License-Identifier: GPL-2.0
/*
 * egressk: TLS ClientHello SNI, HTTP/1.x Host and domain-name parsing.
 *
 * Hostile input: every byte read is checked against the buffer's length, no
 * length field is trusted before it is checked against its container, and
 * nothing here allocates, sleeps, recurses or keeps state between calls.
 * See kmod/parse.h for the contract and docs/parsers.md for the decisions.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#endif

#include "parse.h"

#define TLS_CONTENT_HANDSHAKE		22
#define TLS_HANDSHAKE_CLIENT_HELLO	1
#define TLS_RECORD_HEADER		5
#define TLS_RECORD_MAX			16384	/* 2^14, RFC 8446 §5.1 */
#define TLS_EXT_SERVER_NAME		0
#define TLS_SNI_HOST_NAME		0

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static char lower_ascii(u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : (char)c;
}

static bool is_digit(u8 c)
{
	return c >= '0' && c <= '9';
}

const char *egressk_parse_result_name(int result)
{
	switch (result) {
	case EGRESSK_PARSE_FOUND:
		return "found";
	case EGRESSK_PARSE_NEED_MORE:
		return "need-more";
	case EGRESSK_PARSE_NONE:
		return "none";
	case EGRESSK_PARSE_INVALID:
		return "invalid";
	}
	return "?";
}

/* ------------------------------------------------------------------ names */

static bool is_label_char(char c)
{
	/*
	 * Letters, digits, hyphen, and underscore: underscores are not LDH,
	 * but real hostnames carry them (legacy S3 buckets, internal hosts)
	 * and browsers and curl send them, so rules must be able to name them.
	 */
	return (c >= 'a' && c <= 'z') || is_digit((u8)c) || c == '-' || c == '_';
}

/* Validate name[0..len) without a trailing dot; @fold_case accepts A-Z. */
static bool name_check(const char *name, size_t len, bool fold_case)
{
	size_t i, label_start = 0;
	bool label_all_digits = true;

	if (len == 0 || len > EGRESSK_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = fold_case ? lower_ascii((u8)name[i]) : name[i];

		if (c == '.') {
			size_t label_len = i - label_start;

			if (label_len == 0 || label_len > EGRESSK_LABEL_MAX ||
			    name[label_start] == '-' || name[i - 1] == '-')
				return false;
			label_start = i + 1;
			label_all_digits = true;
			continue;
		}
		if (!is_label_char(c))
			return false;
		if (!is_digit((u8)c))
			label_all_digits = false;
	}
	if (len - label_start == 0 || len - label_start > EGRESSK_LABEL_MAX ||
	    name[label_start] == '-' || name[len - 1] == '-')
		return false;
	/* An all-numeric last label would make "10.0.0.1" a name. */
	return !label_all_digits;
}

bool egressk_name_valid(const char *name, size_t len)
{
	if (!name)
		return false;
	return name_check(name, len, false);
}

int egressk_name_normalize(const char *raw, size_t raw_len, char *out,
			   size_t out_size, size_t *out_len)
{
	size_t i;

	if (!raw || !out || !out_len)
		return -EINVAL;
	if (raw_len > 0 && raw[raw_len - 1] == '.')
		raw_len--;
	if (!name_check(raw, raw_len, true))
		return -EINVAL;
	if (raw_len >= out_size)
		return -ENAMETOOLONG;
	for (i = 0; i < raw_len; i++)
		out[i] = lower_ascii((u8)raw[i]);
	out[raw_len] = '\0';
	*out_len = raw_len;
	return 0;
}

size_t egressk_name_next_suffix(const char *name, size_t len, size_t off)
{
	size_t i;

	for (i = off; i < len; i++)
		if (name[i] == '.')
			return i + 1;
	return len;
}

static bool equal_fold(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower_ascii((u8)a[i]) != lower_ascii((u8)b[i]))
			return false;
	return true;
}

bool egressk_domain_match(const char *pattern, const char *name)
{
	size_t plen, nlen;
	bool match_self = true, match_sub = false;

	if (!pattern || !name)
		return false;
	/* +2: room for a wildcard prefix and a trailing dot. */
	plen = strnlen(pattern, EGRESSK_NAME_MAX + 3);
	nlen = strnlen(name, EGRESSK_NAME_MAX + 2);

	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		pattern += 2;
		plen -= 2;
		match_self = false;
		match_sub = true;
	} else if (plen >= 1 && pattern[0] == '.') {
		pattern++;
		plen--;
		match_sub = true;
	}
	if (plen > 0 && pattern[plen - 1] == '.')
		plen--;
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (!name_check(pattern, plen, true) || !name_check(name, nlen, true))
		return false;

	if (nlen == plen)
		return match_self && equal_fold(name, pattern, plen);
	/* The byte before the suffix must be a dot: "evilexample.com". */
	if (nlen > plen && match_sub)
		return name[nlen - plen - 1] == '.' &&
		       equal_fold(name + nlen - plen, pattern, plen);
	return false;
}

/* -------------------------------------------------------------------- TLS */

/*
 * A forward-only reader over the handshake byte stream carried in the
 * payloads of consecutive handshake records.  Offsets are into @buf; hs_pos
 * counts handshake bytes consumed, the coordinate every length in the
 * ClientHello is checked against.
 */
struct tls_stream {
	const u8 *buf;
	size_t len;		/* usable bytes: min(caller's len, MAX_INPUT) */
	bool capped;		/* the caller's len reached MAX_INPUT */
	size_t pos;		/* next payload byte */
	size_t rec_end;		/* end of the current record's payload */
	size_t hs_pos;		/* handshake bytes consumed */
	int err;		/* 0, or the result to return */
};

static bool tls_fail(struct tls_stream *s, int result)
{
	if (!s->err)
		s->err = result;
	return false;
}

static bool tls_eof(struct tls_stream *s)
{
	return tls_fail(s, s->capped ? EGRESSK_PARSE_INVALID :
				       EGRESSK_PARSE_NEED_MORE);
}

/* Make s->pos point at an available payload byte, opening records. */
static bool tls_fragment(struct tls_stream *s)
{
	if (s->err)
		return false;
	if (s->pos == s->rec_end) {
		const u8 *h = s->buf + s->rec_end;
		size_t avail = s->len - s->rec_end;
		size_t rlen;

		/* Judge each header byte as soon as it arrives. */
		if (avail >= 1 && h[0] != TLS_CONTENT_HANDSHAKE)
			return tls_fail(s, EGRESSK_PARSE_INVALID);
		if (avail >= 2 && h[1] != 3)
			return tls_fail(s, EGRESSK_PARSE_INVALID);
		if (avail < TLS_RECORD_HEADER)
			return tls_eof(s);
		rlen = (size_t)h[3] << 8 | h[4];
		/* Zero-length handshake fragments are forbidden (RFC 8446 §5.1). */
		if (rlen == 0 || rlen > TLS_RECORD_MAX)
			return tls_fail(s, EGRESSK_PARSE_INVALID);
		s->pos = s->rec_end + TLS_RECORD_HEADER;
		s->rec_end = s->pos + rlen;
	}
	if (s->pos >= s->len)
		return tls_eof(s);
	return true;
}

static bool tls_u8(struct tls_stream *s, u8 *v)
{
	if (!tls_fragment(s))
		return false;
	*v = s->buf[s->pos++];
	s->hs_pos++;
	return true;
}

static bool tls_uint(struct tls_stream *s, unsigned int bytes, u32 *v)
{
	u8 b;

	*v = 0;
	while (bytes--) {
		if (!tls_u8(s, &b))
			return false;
		*v = *v << 8 | b;
	}
	return true;
}

static bool tls_skip(struct tls_stream *s, size_t n)
{
	while (n) {
		size_t take;

		if (!tls_fragment(s))
			return false;
		take = min_size(n, min_size(s->rec_end, s->len) - s->pos);
		s->pos += take;
		s->hs_pos += take;
		n -= take;
	}
	return true;
}

/* The next @n handshake bytes must lie within @end. */
static bool tls_within(struct tls_stream *s, size_t n, size_t end)
{
	if (s->hs_pos > end || n > end - s->hs_pos)
		return tls_fail(s, EGRESSK_PARSE_INVALID);
	return true;
}

/* Copy a HostName of @n bytes, lowercased, one trailing dot dropped. */
static int tls_copy_name(struct tls_stream *s, size_t n, char *name,
			 size_t name_size, size_t *name_len)
{
	size_t i, stored = 0;
	bool overflow = false;
	u8 c;

	for (i = 0; i < n; i++) {
		if (!tls_u8(s, &c))
			return s->err;
		if (stored < name_size - 1)
			name[stored++] = lower_ascii(c);
		else if (!(i == n - 1 && c == '.'))
			overflow = true;
	}
	if (overflow)
		return EGRESSK_PARSE_INVALID;
	if (stored == n && name[stored - 1] == '.')
		stored--;
	name[stored] = '\0';
	if (!egressk_name_valid(name, stored))
		return EGRESSK_PARSE_INVALID;
	*name_len = stored;
	return EGRESSK_PARSE_FOUND;
}

/*
 * server_name extension body (RFC 6066 §3).  Entries of unknown name types
 * are skipped, assuming the 2-byte length every implementation uses.  A
 * second host_name entry is INVALID: RFC 6066 forbids it, and two names
 * would let the server pick a different one than we checked.
 */
static int tls_server_name(struct tls_stream *s, size_t ext_len, char *name,
			   size_t name_size, size_t *name_len)
{
	size_t end = s->hs_pos + ext_len;
	bool have_host = false;
	u32 list_len, entry_len;
	u8 type;
	int ret;

	if (ext_len < 2)
		return EGRESSK_PARSE_INVALID;
	if (!tls_uint(s, 2, &list_len))
		return s->err;
	if (list_len == 0 || list_len != end - s->hs_pos)
		return EGRESSK_PARSE_INVALID;
	while (s->hs_pos < end) {
		if (!tls_within(s, 3, end) || !tls_u8(s, &type) ||
		    !tls_uint(s, 2, &entry_len))
			return s->err;
		if (entry_len == 0 || !tls_within(s, entry_len, end))
			return EGRESSK_PARSE_INVALID;
		if (type != TLS_SNI_HOST_NAME) {
			if (!tls_skip(s, entry_len))
				return s->err;
			continue;
		}
		if (have_host)
			return EGRESSK_PARSE_INVALID;
		have_host = true;
		ret = tls_copy_name(s, entry_len, name, name_size, name_len);
		if (ret != EGRESSK_PARSE_FOUND)
			return ret;
	}
	return have_host ? EGRESSK_PARSE_FOUND : EGRESSK_PARSE_NONE;
}

int egressk_parse_tls_sni(const u8 *buf, size_t len, char *name,
			  size_t name_size, size_t *name_len)
{
	struct tls_stream s = { 0 };
	size_t hello_end, ext_end;
	bool seen_sni = false, found = false;
	size_t found_len = 0;
	u32 v, ext_type, ext_len;
	u8 b;
	int ret;

	if ((!buf && len) || !name || name_size == 0 || !name_len)
		return EGRESSK_PARSE_INVALID;
	s.buf = buf;
	s.len = min_size(len, EGRESSK_PARSE_MAX_INPUT);
	s.capped = len >= EGRESSK_PARSE_MAX_INPUT;

	/* Handshake header: msg_type(1) length(3).  SSLv2 hellos fail here. */
	if (!tls_u8(&s, &b))
		return s.err;
	if (b != TLS_HANDSHAKE_CLIENT_HELLO)
		return EGRESSK_PARSE_INVALID;
	if (!tls_uint(&s, 3, &v))
		return s.err;
	if (v > EGRESSK_PARSE_MAX_INPUT - 4)
		return EGRESSK_PARSE_INVALID;
	hello_end = 4 + (size_t)v;

	/* legacy_version(2) random(32) */
	if (!tls_within(&s, 34, hello_end) || !tls_uint(&s, 2, &v))
		return s.err;
	if (v >> 8 != 3)
		return EGRESSK_PARSE_INVALID;
	if (!tls_skip(&s, 32))
		return s.err;

	/* legacy_session_id<0..32> */
	if (!tls_within(&s, 1, hello_end) || !tls_u8(&s, &b))
		return s.err;
	if (b > 32 || !tls_within(&s, b, hello_end) || !tls_skip(&s, b))
		return s.err ? s.err : EGRESSK_PARSE_INVALID;

	/* cipher_suites<2..2^16-2> */
	if (!tls_within(&s, 2, hello_end) || !tls_uint(&s, 2, &v))
		return s.err;
	if (v < 2 || (v & 1) || !tls_within(&s, v, hello_end) || !tls_skip(&s, v))
		return s.err ? s.err : EGRESSK_PARSE_INVALID;

	/* legacy_compression_methods<1..2^8-1> */
	if (!tls_within(&s, 1, hello_end) || !tls_u8(&s, &b))
		return s.err;
	if (b < 1 || !tls_within(&s, b, hello_end) || !tls_skip(&s, b))
		return s.err ? s.err : EGRESSK_PARSE_INVALID;

	/* A (pre-TLS 1.3) ClientHello may end here: no extensions, no SNI. */
	if (s.hs_pos == hello_end)
		return EGRESSK_PARSE_NONE;

	/* extensions<0..2^16-1> must fill the rest of the hello exactly. */
	if (!tls_within(&s, 2, hello_end) || !tls_uint(&s, 2, &v))
		return s.err;
	ext_end = s.hs_pos + v;
	if (ext_end != hello_end)
		return EGRESSK_PARSE_INVALID;

	while (s.hs_pos < ext_end) {
		if (!tls_within(&s, 4, ext_end) || !tls_uint(&s, 2, &ext_type) ||
		    !tls_uint(&s, 2, &ext_len))
			return s.err;
		if (!tls_within(&s, ext_len, ext_end))
			return s.err;
		if (ext_type != TLS_EXT_SERVER_NAME) {
			/* GREASE, ECH, key shares, ...: length-checked, skipped. */
			if (!tls_skip(&s, ext_len))
				return s.err;
			continue;
		}
		/* Duplicate extensions are forbidden (RFC 8446 §4.2). */
		if (seen_sni)
			return EGRESSK_PARSE_INVALID;
		seen_sni = true;
		ret = tls_server_name(&s, ext_len, name, name_size, &found_len);
		if (ret == EGRESSK_PARSE_FOUND)
			found = true;
		else if (ret != EGRESSK_PARSE_NONE)
			return ret;
	}

	/* Only now is the whole ClientHello present and consistent. */
	if (!found)
		return EGRESSK_PARSE_NONE;
	*name_len = found_len;
	return EGRESSK_PARSE_FOUND;
}

/* ------------------------------------------------------------------- HTTP */

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(u8 c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
	case '+': case '-': case '.': case '^': case '_': case '`': case '|':
	case '~':
		return true;
	}
	return false;
}

static bool is_hex(u8 c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ":" *DIGIT, or nothing; RFC 9110 §4.2.3 allows an empty port. */
static bool http_port_ok(const u8 *p, size_t len)
{
	u32 port = 0;
	size_t i;

	if (len == 0)
		return true;
	if (p[0] != ':' || len > 6)
		return false;
	for (i = 1; i < len; i++) {
		if (!is_digit(p[i]))
			return false;
		port = port * 10 + (p[i] - '0');
	}
	return port <= 65535;
}

/* Dotted-quad IPv4 literal, each part 0..255 without leading zeros. */
static bool http_is_ipv4(const u8 *p, size_t len)
{
	unsigned int parts = 0, digits = 0, value = 0;
	size_t i;

	for (i = 0; i <= len; i++) {
		if (i == len || p[i] == '.') {
			if (digits == 0 || value > 255)
				return false;
			parts++;
			digits = 0;
			value = 0;
			continue;
		}
		if (!is_digit(p[i]) || (digits == 1 && value == 0) || ++digits > 3)
			return false;
		value = value * 10 + (p[i] - '0');
	}
	return parts == 4;
}

static bool only_digits_and_dots(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_digit(p[i]) && p[i] != '.')
			return false;
	return true;
}

/* Host field value, OWS already trimmed: uri-host [ ":" port ]. */
static int http_host_value(const u8 *v, size_t len, char *name,
			   size_t name_size, size_t *name_len)
{
	size_t i;

	/* RFC 9112 §3.2: empty when the target URI has no authority. */
	if (len == 0)
		return EGRESSK_PARSE_NONE;

	if (v[0] == '[') {
		/* IPv6 literal: syntax-checked, carries no domain name. */
		for (i = 1; i < len && v[i] != ']'; i++)
			if (!is_hex(v[i]) && v[i] != ':' && v[i] != '.')
				return EGRESSK_PARSE_INVALID;
		if (i == len || i < 3 || !http_port_ok(v + i + 1, len - i - 1))
			return EGRESSK_PARSE_INVALID;
		return EGRESSK_PARSE_NONE;
	}

	for (i = 0; i < len && v[i] != ':'; i++)
		;
	if (!http_port_ok(v + i, len - i))
		return EGRESSK_PARSE_INVALID;
	if (only_digits_and_dots(v, i))
		return http_is_ipv4(v, i) ? EGRESSK_PARSE_NONE :
					    EGRESSK_PARSE_INVALID;
	if (egressk_name_normalize((const char *)v, i, name, name_size,
				   name_len))
		return EGRESSK_PARSE_INVALID;
	return EGRESSK_PARSE_FOUND;
}

int egressk_stream_kind(const u8 *buf, size_t len)
{
	size_t i = 0;

	if (!buf || !len)
		return EGRESSK_STREAM_OTHER;
	/* a TLS record of content type 22 (handshake) */
	if (buf[0] == 0x16)
		return EGRESSK_STREAM_TLS;
	/*
	 * An HTTP request line: a method, then SP.  Methods are tokens, but
	 * every registered one is letters and '-' (RFC 9110 §9, the IANA
	 * registry); an ssh banner ("SSH-2.0-OpenSSH_9.2p1 Debian") has
	 * digits and dots before its first space.
	 */
	while (i < len && ((buf[i] >= 'A' && buf[i] <= 'Z') ||
			   (buf[i] >= 'a' && buf[i] <= 'z') || buf[i] == '-'))
		i++;
	if (i > 0 && i < len && buf[i] == ' ')
		return EGRESSK_STREAM_HTTP;
	return EGRESSK_STREAM_OTHER;
}

int egressk_parse_http_host(const u8 *buf, size_t len, char *name,
			    size_t name_size, size_t *name_len)
{
	static const char version[] = "HTTP/1.";
	const int eof = len >= EGRESSK_PARSE_MAX_INPUT ?
			EGRESSK_PARSE_INVALID : EGRESSK_PARSE_NEED_MORE;
	size_t n = min_size(len, EGRESSK_PARSE_MAX_INPUT);
	size_t i = 0, start, method_len, k;
	size_t host_off = 0, host_len = 0;
	bool http11, have_host = false;

	if ((!buf && len) || !name || name_size == 0 || !name_len)
		return EGRESSK_PARSE_INVALID;

	/* method: token SP */
	while (i < n && is_tchar(buf[i]))
		i++;
	if (i == n)
		return eof;
	if (i == 0 || buf[i] != ' ')
		return EGRESSK_PARSE_INVALID;
	method_len = i++;

	/*
	 * request-target: origin-form ("/...") or, for OPTIONS, "*".
	 * absolute-form ("http://host/") would make the target's authority,
	 * not Host, the name the server uses (RFC 9112 §3.2.2), and
	 * authority-form is CONNECT tunnelling: both are INVALID.
	 */
	start = i;
	if (i < n && buf[i] != '/' && buf[i] != '*')
		return EGRESSK_PARSE_INVALID;
	while (i < n && buf[i] > 0x20 && buf[i] < 0x7f)
		i++;
	if (i == n)
		return eof;
	if (i == start || buf[i] != ' ')
		return EGRESSK_PARSE_INVALID;
	if (buf[start] == '*' &&
	    (i - start != 1 || method_len != 7 || memcmp(buf, "OPTIONS", 7)))
		return EGRESSK_PARSE_INVALID;
	i++;

	/* HTTP-version CRLF; bare LF is INVALID (see docs/parsers.md). */
	for (k = 0; k < sizeof(version) - 1; k++, i++) {
		if (i == n)
			return eof;
		if (buf[i] != (u8)version[k])
			return EGRESSK_PARSE_INVALID;
	}
	if (i == n)
		return eof;
	if (buf[i] != '0' && buf[i] != '1')
		return EGRESSK_PARSE_INVALID;
	http11 = buf[i++] == '1';
	if (i == n)
		return eof;
	if (buf[i++] != '\r')
		return EGRESSK_PARSE_INVALID;
	if (i == n)
		return eof;
	if (buf[i++] != '\n')
		return EGRESSK_PARSE_INVALID;

	/* field-line CRLF, until an empty line */
	for (;;) {
		size_t name_start, value_start, value_end;
		bool is_host;

		if (i == n)
			return eof;
		if (buf[i] == '\r') {
			if (++i == n)
				return eof;
			if (buf[i] != '\n')
				return EGRESSK_PARSE_INVALID;
			break;
		}

		/* field-name ":" with no whitespace before the colon; a line
		 * starting with whitespace is obs-fold: both INVALID.
		 */
		name_start = i;
		while (i < n && is_tchar(buf[i]))
			i++;
		if (i == n)
			return eof;
		if (i == name_start || buf[i] != ':')
			return EGRESSK_PARSE_INVALID;
		is_host = i - name_start == 4 &&
			  equal_fold((const char *)buf + name_start, "host", 4);
		i++;

		while (i < n && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		value_start = i;
		while (i < n && buf[i] != '\r') {
			u8 c = buf[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return EGRESSK_PARSE_INVALID;
			i++;
		}
		if (i == n)
			return eof;
		value_end = i;
		while (value_end > value_start &&
		       (buf[value_end - 1] == ' ' || buf[value_end - 1] == '\t'))
			value_end--;
		if (++i == n)
			return eof;
		if (buf[i++] != '\n')
			return EGRESSK_PARSE_INVALID;

		if (is_host) {
			/* Two Host fields: servers disagree on which wins. */
			if (have_host)
				return EGRESSK_PARSE_INVALID;
			have_host = true;
			host_off = value_start;
			host_len = value_end - value_start;
		}
	}

	/* RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. */
	if (!have_host)
		return http11 ? EGRESSK_PARSE_INVALID : EGRESSK_PARSE_NONE;
	return http_host_value(buf + host_off, host_len, name, name_size,
			       name_len);
}

/* -------------------------------------------------------------------- DNS */

/*
 * DNS messages (RFC 1035 §4.1).  Names are read through a cursor that yields
 * one label at a time and follows compression pointers (§4.1.4).  A pointer
 * must land in the message body (not the 12-byte header) strictly before the
 * pointer itself, so offsets fall with every jump and no loop is possible;
 * EGRESSK_DNS_MAX_JUMPS bounds the work per name on top of that.  The wire
 * length of the labels read (length bytes included, root included) may not
 * exceed 255 (§2.3.4), and label lengths use the 00 type only: 01 (the
 * extended labels of RFC 6891 §5, withdrawn) and 10 are INVALID.
 */
struct dns_cursor {
	size_t pos;		/* next length byte or pointer */
	size_t end;		/* where the name ends in place; 0 until known */
	size_t wire;		/* wire bytes of the labels read so far */
	unsigned int jumps;
};

static void dns_cursor_init(struct dns_cursor *c, size_t off)
{
	c->pos = off;
	c->end = 0;
	c->wire = 0;
	c->jumps = 0;
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/* 1 with the next label in buf[*loff..*loff + *llen), 0 at the root, or -EINVAL. */
static int dns_label(const u8 *buf, size_t len, struct dns_cursor *c,
		     size_t *loff, size_t *llen)
{
	for (;;) {
		size_t ptr;
		u8 b;

		if (c->pos >= len)
			return -EINVAL;
		b = buf[c->pos];
		if ((b & 0xc0) == 0xc0) {
			if (len - c->pos < 2)
				return -EINVAL;
			ptr = (size_t)(b & 0x3f) << 8 | buf[c->pos + 1];
			if (ptr < EGRESSK_DNS_HEADER || ptr >= c->pos ||
			    ++c->jumps > EGRESSK_DNS_MAX_JUMPS)
				return -EINVAL;
			if (!c->end)
				c->end = c->pos + 2;
			c->pos = ptr;
			continue;
		}
		if (b & 0xc0)
			return -EINVAL;
		c->wire += 1 + (size_t)b;
		if (c->wire > EGRESSK_DNS_WIRE_NAME_MAX)
			return -EINVAL;
		if (b == 0) {
			if (!c->end)
				c->end = c->pos + 1;
			return 0;
		}
		if (b > len - c->pos - 1)
			return -EINVAL;
		*loff = c->pos + 1;
		*llen = b;
		c->pos += 1 + (size_t)b;
		return 1;
	}
}

/* Validate the name at @off; *end is where it ends in place. */
static int dns_name_skip(const u8 *buf, size_t len, size_t off, size_t *end)
{
	struct dns_cursor c;
	size_t loff, llen;
	int rc;

	dns_cursor_init(&c, off);
	while ((rc = dns_label(buf, len, &c, &loff, &llen)) > 0)
		;
	if (rc < 0)
		return rc;
	*end = c.end;
	return 0;
}

/*
 * Decode the name at @off into @name: the egressk_dns_name() contract.
 * The rules of name_check() are applied label by label, so a name that does
 * not fit @name is still told apart from one that is not representable.
 */
static int dns_name_text(const u8 *buf, size_t len, size_t off, char *name,
			 size_t name_size, size_t *name_len)
{
	struct dns_cursor c;
	size_t loff, llen, out = 0, i;
	bool bad = false, last_all_digits = false;
	int rc;

	if (name_size)
		name[0] = '\0';
	dns_cursor_init(&c, off);
	while ((rc = dns_label(buf, len, &c, &loff, &llen)) > 0) {
		const u8 *l = buf + loff;

		if (l[0] == '-' || l[llen - 1] == '-')
			bad = true;
		last_all_digits = true;
		if (out)
			out++;			/* the dot */
		for (i = 0; i < llen; i++) {
			char ch = lower_ascii(l[i]);

			if (!is_label_char(ch))
				bad = true;
			if (!is_digit((u8)ch))
				last_all_digits = false;
			if (out + i < name_size)
				name[out + i] = ch;
		}
		if (out && out - 1 < name_size)
			name[out - 1] = '.';
		out += llen;
	}
	if (rc < 0) {
		if (name_size)
			name[0] = '\0';
		return -EINVAL;
	}
	/* The root name, or something no rule can name (see parse.h). */
	if (bad || out == 0 || last_all_digits) {
		if (name_size)
			name[0] = '\0';
		return -EILSEQ;
	}
	if (out >= name_size) {
		if (name_size)
			name[0] = '\0';
		return -ENAMETOOLONG;
	}
	name[out] = '\0';
	*name_len = out;
	return 0;
}

/*
 * 1 if the names at @a and @b are equal ignoring ASCII case, 0 if not,
 * -EINVAL if either is malformed.  Cursors meeting at one offset have the
 * same rest of the name (both names were validated before, see callers).
 */
static int dns_name_eq(const u8 *buf, size_t len, size_t a, size_t b)
{
	struct dns_cursor ca, cb;
	size_t la, lb, na, nb;
	int ra, rb;

	dns_cursor_init(&ca, a);
	dns_cursor_init(&cb, b);
	for (;;) {
		if (ca.pos == cb.pos)
			return 1;
		ra = dns_label(buf, len, &ca, &la, &na);
		rb = dns_label(buf, len, &cb, &lb, &nb);
		if (ra < 0 || rb < 0)
			return -EINVAL;
		if (ra != rb)
			return 0;
		if (ra == 0)
			return 1;
		if (na != nb || !equal_fold((const char *)buf + la,
					    (const char *)buf + lb, na))
			return 0;
	}
}

/*
 * One resource record at *pos (§4.1.3), checked against @len, *pos moved
 * past it.  Class IN A and AAAA must have RDLENGTH 4 and 16 (RFC 1035
 * §3.4.1, RFC 3596 §2.2); a CNAME's target (§3.3.1) must fill RDLENGTH
 * exactly.  Other types are skipped by RDLENGTH.
 */
static int dns_rr(const u8 *buf, size_t len, size_t *pos,
		  struct egressk_dns_rr *rr)
{
	size_t end, rdata;
	int rc;

	memset(rr, 0, sizeof(*rr));
	rr->owner_off = (u16)*pos;
	rc = dns_name_skip(buf, len, *pos, &end);
	if (rc)
		return rc;
	if (len - end < 10)
		return -EINVAL;
	rr->type = get16(buf + end);
	rr->rclass = get16(buf + end + 2);
	rr->ttl = (u32)get16(buf + end + 4) << 16 | get16(buf + end + 6);
	if (rr->ttl & 0x80000000u)
		rr->ttl = 0;
	rr->rdlength = get16(buf + end + 8);
	rdata = end + 10;
	if (rr->rdlength > len - rdata)
		return -EINVAL;
	rr->rdata_off = (u16)rdata;

	if (rr->rclass == EGRESSK_DNS_CLASS_IN && rr->type == EGRESSK_DNS_TYPE_A) {
		if (rr->rdlength != 4)
			return -EINVAL;
		memcpy(rr->addr, buf + rdata, 4);
	} else if (rr->rclass == EGRESSK_DNS_CLASS_IN &&
		   rr->type == EGRESSK_DNS_TYPE_AAAA) {
		if (rr->rdlength != 16)
			return -EINVAL;
		memcpy(rr->addr, buf + rdata, 16);
	} else if (rr->type == EGRESSK_DNS_TYPE_CNAME) {
		/* Only the RDATA bytes: a target running past it is INVALID. */
		rc = dns_name_skip(buf, rdata + rr->rdlength, rdata, &end);
		if (rc || end != rdata + rr->rdlength)
			return -EINVAL;
		rr->target_off = (u16)rdata;
	}
	*pos = rdata + rr->rdlength;
	return 0;
}

int egressk_dns_tcp_message(const u8 *buf, size_t len, const u8 **msg,
			    size_t *msg_len)
{
	size_t n;

	if ((!buf && len) || !msg || !msg_len)
		return -EINVAL;
	if (len < 2)
		return -EAGAIN;
	n = get16(buf);
	if (n < EGRESSK_DNS_HEADER)
		return -EINVAL;
	if (len - 2 < n)
		return -EAGAIN;
	*msg = buf + 2;
	*msg_len = n;
	return 0;
}

/* Header and question, shared by queries and responses. */
static int dns_header(const u8 *buf, size_t len, struct egressk_dns_msg *msg,
		      bool response)
{
	size_t end;

	if (!buf || len < EGRESSK_DNS_HEADER || len > EGRESSK_DNS_MSG_MAX)
		return -EINVAL;
	memset(msg, 0, sizeof(*msg));
	msg->buf = buf;
	msg->len = len;
	msg->id = get16(buf);
	msg->flags = get16(buf + 2);
	msg->rcode = msg->flags & EGRESSK_DNS_F_RCODE;
	msg->qdcount = get16(buf + 4);
	msg->ancount = get16(buf + 6);
	msg->nscount = get16(buf + 8);
	msg->arcount = get16(buf + 10);
	if (!!(msg->flags & EGRESSK_DNS_F_QR) != response ||
	    (msg->flags & EGRESSK_DNS_F_OPCODE) || msg->qdcount != 1)
		return -EINVAL;
	msg->qname_off = EGRESSK_DNS_HEADER;
	if (dns_name_skip(buf, len, EGRESSK_DNS_HEADER, &end) || len - end < 4)
		return -EINVAL;
	msg->qtype = get16(buf + end);
	msg->qclass = get16(buf + end + 2);
	msg->an_off = (u16)(end + 4);
	return 0;
}

/* Walk @count records from *pos. */
static int dns_walk(const u8 *buf, size_t len, size_t *pos, unsigned int count)
{
	struct egressk_dns_rr rr;
	int rc;

	while (count--) {
		rc = dns_rr(buf, len, pos, &rr);
		if (rc)
			return rc;
	}
	return 0;
}

static int dns_question_name(const struct egressk_dns_msg *msg, char *name,
			     size_t name_size, size_t *name_len)
{
	return dns_name_text(msg->buf, msg->len, msg->qname_off, name,
			     name_size, name_len);
}

/*
 * What both message parsers do first: check the output arguments, clear the
 * name (it stays "" unless the result is 0) and read the header and the
 * question of a query (@response false) or a response.
 */
static int dns_parse_start(const u8 *buf, size_t len,
			   struct egressk_dns_msg *msg, char *name,
			   size_t name_size, const size_t *name_len,
			   bool response)
{
	if (!msg || !name || name_size == 0 || !name_len)
		return -EINVAL;
	name[0] = '\0';
	return dns_header(buf, len, msg, response) ? -EINVAL : 0;
}

int egressk_dns_parse_query(const u8 *buf, size_t len,
			    struct egressk_dns_msg *msg, char *name,
			    size_t name_size, size_t *name_len)
{
	size_t pos;

	if (dns_parse_start(buf, len, msg, name, name_size, name_len, false))
		return -EINVAL;
	/* Nothing may ride in sections a standard query leaves empty. */
	if (msg->ancount || msg->nscount)
		return -EINVAL;
	pos = msg->an_off;
	if (dns_walk(buf, len, &pos, msg->arcount) || pos != len)
		return -EINVAL;
	return dns_question_name(msg, name, name_size, name_len);
}

int egressk_dns_parse_response(const u8 *buf, size_t len,
			       struct egressk_dns_msg *msg, char *name,
			       size_t name_size, size_t *name_len)
{
	size_t pos;

	if (dns_parse_start(buf, len, msg, name, name_size, name_len, true))
		return -EINVAL;
	pos = msg->an_off;
	if (dns_walk(buf, len, &pos, msg->ancount))
		return -EINVAL;
	return dns_question_name(msg, name, name_size, name_len);
}

int egressk_dns_name(const struct egressk_dns_msg *msg, size_t off,
		     char *name, size_t name_size, size_t *name_len)
{
	if (!msg || !msg->buf || !name || name_size == 0 || !name_len)
		return -EINVAL;
	if (msg->len > EGRESSK_DNS_MSG_MAX || off < EGRESSK_DNS_HEADER) {
		name[0] = '\0';
		return -EINVAL;
	}
	return dns_name_text(msg->buf, msg->len, off, name, name_size, name_len);
}

void egressk_dns_answers(const struct egressk_dns_msg *msg,
			 struct egressk_dns_iter *it)
{
	it->msg = msg;
	it->pos = msg->an_off;
	it->left = msg->ancount;
}

int egressk_dns_next_answer(struct egressk_dns_iter *it,
			    struct egressk_dns_rr *rr)
{
	const struct egressk_dns_msg *msg = it->msg;
	int rc;

	if (!it->left)
		return -ENOENT;
	if (!msg || !msg->buf || msg->len > EGRESSK_DNS_MSG_MAX ||
	    it->pos < EGRESSK_DNS_HEADER) {
		it->left = 0;
		return -EINVAL;
	}
	rc = dns_rr(msg->buf, msg->len, &it->pos, rr);
	if (rc) {
		it->left = 0;	/* a malformed record ends the walk */
		return rc;
	}
	it->left--;
	return 0;
}

/*
 * The owner of the one class IN CNAME whose owner is the name at @cur:
 * 1 with *next = its target, 0 if there is none, -EINVAL if there are two
 * (RFC 2181 §10.1: a CNAME owner has no other data, so one at most).
 */
static int dns_cname_of(const struct egressk_dns_msg *msg, size_t cur,
			size_t *next)
{
	struct egressk_dns_iter it;
	struct egressk_dns_rr rr;
	int rc, found = 0;

	egressk_dns_answers(msg, &it);
	while (!(rc = egressk_dns_next_answer(&it, &rr))) {
		if (rr.type != EGRESSK_DNS_TYPE_CNAME ||
		    rr.rclass != EGRESSK_DNS_CLASS_IN)
			continue;
		rc = dns_name_eq(msg->buf, msg->len, cur, rr.owner_off);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if (found)
			return -EINVAL;
		found = 1;
		*next = rr.target_off;
	}
	return rc == -ENOENT ? found : rc;
}

int egressk_dns_answer_addrs(const struct egressk_dns_msg *msg,
			     struct egressk_dns_addr *out, size_t max)
{
	struct egressk_dns_iter it;
	struct egressk_dns_rr rr;
	size_t cur, next = 0;
	unsigned int hops = 0;
	int rc, count = 0;

	if (!msg || !msg->buf || (!out && max))
		return -EINVAL;
	if (msg->ancount > EGRESSK_DNS_MAX_ANSWERS)
		return -E2BIG;
	cur = msg->qname_off;
	/* The first pass also validates every answer record. */
	while ((rc = dns_cname_of(msg, cur, &next)) == 1) {
		if (++hops > EGRESSK_DNS_CNAME_MAX)
			return -ELOOP;
		cur = next;
	}
	if (rc < 0)
		return rc;
	if (msg->qclass != EGRESSK_DNS_CLASS_IN)
		return 0;

	egressk_dns_answers(msg, &it);
	while (!(rc = egressk_dns_next_answer(&it, &rr))) {
		if (rr.rclass != EGRESSK_DNS_CLASS_IN ||
		    (rr.type != EGRESSK_DNS_TYPE_A &&
		     rr.type != EGRESSK_DNS_TYPE_AAAA))
			continue;
		rc = dns_name_eq(msg->buf, msg->len, cur, rr.owner_off);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if ((size_t)count < max) {
			out[count].type = rr.type;
			out[count].ttl = rr.ttl;
			memcpy(out[count].addr, rr.addr, sizeof(out[count].addr));
		}
		count++;
	}
	return rc == -ENOENT ? count : rc;
}
