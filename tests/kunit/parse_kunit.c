// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites egressk_tls and egressk_http: the stream parsers of
 * kmod/parse.c on hostile input, inside a real kernel build (kernel headers,
 * kernel string helpers, kernel stack).  Contract: kmod/parse.h and
 * docs/parsers.md.
 *
 * Inputs are real ClientHellos and HTTP requests recorded by
 * tests/parsers/record-fixtures.sh (embedded at build time by
 * gen_fixtures.py, expected names from the sidecar files) and hand-built
 * messages.  Expected results are written from the contract, never taken
 * from the parser.  Every case also checks prefix consistency: a prefix of
 * the input gives NEED_MORE or the whole input's answer, never another one.
 */
#include <kunit/test.h>
#include <linux/ctype.h>
#include <linux/string.h>

#include "parse.h"
#include "fixtures.h"

#define F EGRESSK_PARSE_FOUND
#define M EGRESSK_PARSE_NEED_MORE
#define N EGRESSK_PARSE_NONE
#define I EGRESSK_PARSE_INVALID

#define BUILD_CAP	(64 * 1024)

typedef int (*parse_fn)(const u8 *buf, size_t len, char *name,
			size_t name_size, size_t *name_len);

struct answer {
	int rc;
	size_t len;
	char name[EGRESSK_NAME_BUF];
};

static struct answer run_parser(parse_fn fn, const u8 *buf, size_t len)
{
	struct answer a = { .len = 0 };

	a.rc = fn(buf, len, a.name, sizeof(a.name), &a.len);
	return a;
}

/* The answer for @buf[0..len) is @rc (and @name for FOUND). */
static void expect_answer(struct kunit *test, parse_fn fn, const u8 *buf,
			  size_t len, int rc, const char *name, const char *what)
{
	struct answer a = run_parser(fn, buf, len);

	KUNIT_EXPECT_EQ_MSG(test, a.rc, rc, "%s: got %s, want %s", what,
			    egressk_parse_result_name(a.rc),
			    egressk_parse_result_name(rc));
	if (a.rc == F && rc == F) {
		KUNIT_EXPECT_STREQ_MSG(test, a.name, name, "%s", what);
		KUNIT_EXPECT_EQ_MSG(test, a.len, strlen(name), "%s", what);
		KUNIT_EXPECT_TRUE(test, egressk_name_valid(a.name, a.len));
	}
}

/*
 * Prefix consistency: every prefix of @buf gives NEED_MORE or exactly the
 * full answer.  With @strict, every proper prefix must be NEED_MORE (a cut
 * message that ends with the input).  Long inputs are sampled every @step.
 */
static void expect_prefixes(struct kunit *test, parse_fn fn, const u8 *buf,
			    size_t len, bool strict, const char *what)
{
	struct answer full = run_parser(fn, buf, len);
	size_t k, step = len > 4096 ? 61 : 1, bad = 0;

	for (k = 0; k < len && bad < 3; k += step) {
		struct answer a = run_parser(fn, buf, k);

		if (a.rc == M)
			continue;
		if (!strict && a.rc == full.rc &&
		    (a.rc != F || !strcmp(a.name, full.name)))
			continue;
		bad++;
		KUNIT_FAIL(test, "%s: prefix of %zu/%zu bytes gives %s (%s), whole input %s",
			   what, k, len, egressk_parse_result_name(a.rc),
			   a.rc == F ? a.name : "-", egressk_parse_result_name(full.rc));
	}
}

/* ------------------------------------------------ a ClientHello builder */

struct wbuf {
	u8 *b;
	size_t len;
	size_t cap;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		w->len = w->cap + 1;	/* poisoned: checked by the caller */
		return;
	}
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void put_fill(struct wbuf *w, u8 byte, size_t n)
{
	while (n--)
		put(w, &byte, 1);
}

static void put_be(struct wbuf *w, u32 v, int bytes)
{
	while (bytes--) {
		u8 b = v >> (8 * bytes);

		put(w, &b, 1);
	}
}

/* Reserve a @bytes-wide length field; close_len() fills it in. */
static size_t open_len(struct wbuf *w, int bytes)
{
	size_t at = w->len;

	put_be(w, 0, bytes);
	return at;
}

static void close_len(struct wbuf *w, size_t at, int bytes, int adjust)
{
	u32 v = w->len - at - bytes + adjust;
	int i;

	if (w->len > w->cap)
		return;
	for (i = bytes - 1; i >= 0; i--, v >>= 8)
		w->b[at + i] = v & 0xff;
}

enum hello_flags {
	H_BROWSER_EXTS		= 1 << 0,  /* GREASE, ECH- and ML-KEM-sized exts first */
	H_NO_EXTENSIONS		= 1 << 1,  /* TLS 1.2 style: ends after compression */
	H_OTHER_ENTRY_FIRST	= 1 << 2,  /* a name_type 1 entry before host_name */
	H_ONLY_OTHER_ENTRY	= 1 << 3,  /* a name_type 1 entry and no host_name */
	H_TWO_HOST_ENTRIES	= 1 << 4,
	H_DUP_SNI_EXT		= 1 << 5,
	H_EMPTY_HOST_ENTRY	= 1 << 6,
	H_EMPTY_SNI_LIST	= 1 << 7,
	H_SNI_LIST_LONG		= 1 << 8,  /* list length one more than the extension */
	H_EXT_BLOCK_LONG	= 1 << 9,
	H_EXT_BLOCK_SHORT	= 1 << 10,
	H_SESSION_ID_33		= 1 << 11,
	H_CIPHERS_ODD		= 1 << 12,
	H_CIPHERS_EMPTY		= 1 << 13,
	H_NO_COMPRESSION	= 1 << 14,
	H_SERVER_HELLO_TYPE	= 1 << 15,
	H_LEGACY_VERSION_2	= 1 << 16,
	H_RECORD_APPDATA	= 1 << 17, /* first record has content type 23 */
	H_RECORD_MAJOR_2	= 1 << 18,
	H_EMPTY_RECORD_FIRST	= 1 << 19,
	H_CCS_AFTER_FIRST	= 1 << 20, /* change_cipher_spec between fragments */
	H_TRAILING_RECORD	= 1 << 21, /* the rest of the flight after the hello */
	H_ENTRY_LEN_LONG	= 1 << 22, /* host_name length runs past the extension */
	H_SNI_AFTER_PADDING	= 1 << 23, /* with @padding: SNI is the last extension */
	H_SNI_EXT_LEN_LONG	= 1 << 24, /* extension length runs past the block */
};

struct hello_spec {
	const char *sni;	/* host_name bytes (NULL: no server_name ext) */
	size_t sni_len;		/* 0: strlen(sni) */
	u32 flags;
	size_t padding;		/* bytes of an unknown extension (type 0x7a7a) */
	size_t record_size;	/* handshake bytes per record; 0: one record */
	size_t cut;		/* feed only this many bytes; 0: all */
};

static void put_sni_ext(struct wbuf *w, const struct hello_spec *h)
{
	size_t ext, list, entry;
	size_t sni_len = h->sni_len ? h->sni_len : strlen(h->sni);

	put_be(w, 0x0000, 2);			/* server_name */
	ext = open_len(w, 2);
	list = open_len(w, 2);
	if (!(h->flags & H_EMPTY_SNI_LIST)) {
		if (h->flags & (H_OTHER_ENTRY_FIRST | H_ONLY_OTHER_ENTRY)) {
			put_be(w, 1, 1);
			put_be(w, 4, 2);
			put(w, "abcd", 4);
		}
		if (!(h->flags & H_ONLY_OTHER_ENTRY)) {
			put_be(w, 0, 1);		/* host_name */
			entry = open_len(w, 2);
			if (!(h->flags & H_EMPTY_HOST_ENTRY))
				put(w, h->sni, sni_len);
			close_len(w, entry, 2, (h->flags & H_ENTRY_LEN_LONG) ? 5 : 0);
		}
		if (h->flags & H_TWO_HOST_ENTRIES) {
			put_be(w, 0, 1);
			put_be(w, 13, 2);
			put(w, "other.example", 13);
		}
	}
	close_len(w, list, 2, (h->flags & H_SNI_LIST_LONG) ? 1 : 0);
	close_len(w, ext, 2, (h->flags & H_SNI_EXT_LEN_LONG) ? 3 : 0);
}

/* The handshake message (type, length, body) into @w. */
static void build_client_hello(struct wbuf *w, const struct hello_spec *h)
{
	size_t msg, exts, n;

	put_be(w, (h->flags & H_SERVER_HELLO_TYPE) ? 2 : 1, 1);
	msg = open_len(w, 3);
	put_be(w, (h->flags & H_LEGACY_VERSION_2) ? 0x0202 : 0x0303, 2);
	for (n = 0; n < 32; n++)
		put_be(w, 0xa0 + n, 1);			/* random */
	n = (h->flags & H_SESSION_ID_33) ? 33 : 32;
	put_be(w, n, 1);
	put_fill(w, 0x55, n);
	if (h->flags & H_CIPHERS_EMPTY) {
		put_be(w, 0, 2);
	} else if (h->flags & H_CIPHERS_ODD) {
		put_be(w, 3, 2);
		put_be(w, 0x130113, 3);
	} else {
		put_be(w, 6, 2);
		put_be(w, 0x1a1a, 2);			/* GREASE suite */
		put_be(w, 0x1301, 2);
		put_be(w, 0x1302, 2);
	}
	if (h->flags & H_NO_COMPRESSION) {
		put_be(w, 0, 1);
	} else {
		put_be(w, 1, 1);
		put_be(w, 0, 1);
	}
	if (!(h->flags & H_NO_EXTENSIONS)) {
		exts = open_len(w, 2);
		if (h->flags & H_BROWSER_EXTS) {
			put_be(w, 0x0a0a, 2);		/* GREASE, empty */
			put_be(w, 0, 2);
			put_be(w, 0xfe0d, 2);		/* ECH (GREASE), 282 bytes */
			put_be(w, 282, 2);
			put_fill(w, 0xec, 282);
			put_be(w, 0x0033, 2);		/* key_share, X25519MLKEM768-sized */
			put_be(w, 1263, 2);
			put_fill(w, 0x4b, 1263);
		}
		if (h->padding && !(h->flags & H_SNI_AFTER_PADDING) && h->sni)
			put_sni_ext(w, h);
		if (h->padding) {
			put_be(w, 0x7a7a, 2);
			put_be(w, h->padding, 2);
			put_fill(w, 0, h->padding);
		}
		if (h->sni && (!h->padding || (h->flags & H_SNI_AFTER_PADDING)))
			put_sni_ext(w, h);
		if (h->sni && (h->flags & H_DUP_SNI_EXT))
			put_sni_ext(w, h);
		put_be(w, 0x002b, 2);			/* supported_versions */
		put_be(w, 3, 2);
		put_be(w, 0x020304, 3);
		close_len(w, exts, 2, (h->flags & H_EXT_BLOCK_LONG) ? 1 :
				      (h->flags & H_EXT_BLOCK_SHORT) ? -1 : 0);
	}
	close_len(w, msg, 3, 0);
}

static void put_record(struct wbuf *w, u8 type, u8 major, const u8 *p, size_t n)
{
	put_be(w, type, 1);
	put_be(w, major, 1);
	put_be(w, 0x01, 1);
	put_be(w, n, 2);
	put(w, p, n);
}

/* Frame @hs[0..len) into handshake records of @size bytes (0: 16384). */
static void frame_records(struct wbuf *w, const u8 *hs, size_t len, size_t size,
			  u32 flags)
{
	size_t off = 0, rec = 0;

	if (!size || size > 16384)
		size = 16384;
	if (flags & H_EMPTY_RECORD_FIRST)
		put_record(w, 22, 3, NULL, 0);
	while (off < len) {
		size_t n = min(size, len - off);

		put_record(w, rec == 0 && (flags & H_RECORD_APPDATA) ? 23 : 22,
			   rec == 0 && (flags & H_RECORD_MAJOR_2) ? 2 : 3, hs + off, n);
		if (rec == 0 && (flags & H_CCS_AFTER_FIRST))
			put_record(w, 20, 3, (const u8 *)"\x01", 1);
		off += n;
		rec++;
	}
	if (flags & H_TRAILING_RECORD)
		put_record(w, 23, 3, (const u8 *)"early data after the hello", 26);
}

/* ------------------------------------------------------- tls_synthetic */

struct tls_case {
	const char *desc;
	struct hello_spec hello;
	int rc;
	const char *name;
};

static const char name_253[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
	"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
	"ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
static const char name_254[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
	"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
	"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
static const char label_64[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example";

static const struct tls_case tls_cases[] = {
	{ "minimal-sni", { "example.com" }, F, "example.com" },
	{ "sni-uppercase-folded", { "WWW.Example.COM" }, F, "www.example.com" },
	{ "sni-trailing-dot-dropped", { "example.com." }, F, "example.com" },
	/* Regression: SNI behind ~1.5 KiB of browser extensions (chromium 156). */
	{ "sni-after-browser-extensions", { "example.com", 0, H_BROWSER_EXTS }, F, "example.com" },
	{ "sni-last-after-padding", { "example.com", 0, H_SNI_AFTER_PADDING, 1000 }, F, "example.com" },
	{ "sni-first-before-padding", { "example.com", 0, 0, 1000 }, F, "example.com" },
	{ "no-sni-extension", { NULL }, N, NULL },
	{ "no-extensions-tls12", { NULL, 0, H_NO_EXTENSIONS }, N, NULL },
	{ "other-name-type-skipped", { "example.com", 0, H_OTHER_ENTRY_FIRST }, F, "example.com" },
	{ "only-other-name-type", { "example.com", 0, H_ONLY_OTHER_ENTRY }, N, NULL },
	/* Regression: two names would let the server pick one we never checked. */
	{ "two-host-name-entries", { "example.com", 0, H_TWO_HOST_ENTRIES }, I, NULL },
	{ "duplicate-sni-extension", { "example.com", 0, H_DUP_SNI_EXT }, I, NULL },
	{ "empty-host-name-entry", { "example.com", 0, H_EMPTY_HOST_ENTRY }, I, NULL },
	{ "empty-server-name-list", { "example.com", 0, H_EMPTY_SNI_LIST }, I, NULL },
	{ "server-name-list-too-long", { "example.com", 0, H_SNI_LIST_LONG }, I, NULL },
	{ "host-name-runs-past-extension", { "example.com", 0, H_ENTRY_LEN_LONG }, I, NULL },
	{ "sni-extension-runs-past-block", { "example.com", 0, H_SNI_EXT_LEN_LONG }, I, NULL },
	{ "extension-block-too-long", { "example.com", 0, H_EXT_BLOCK_LONG }, I, NULL },
	/* Bytes between the extensions and the end of the hello: not ours to skip. */
	{ "extension-block-too-short", { "example.com", 0, H_EXT_BLOCK_SHORT }, I, NULL },
	{ "sni-ipv4-literal", { "192.0.2.1" }, I, NULL },
	{ "sni-wildcard", { "*.example.com" }, I, NULL },
	/* Regression: a NUL must not truncate the name to "example.com". */
	{ "sni-embedded-nul", { "example.com\0.evil.net", 21 }, I, NULL },
	{ "sni-space", { "exa mple.com" }, I, NULL },
	{ "sni-253-chars", { name_253 }, F, name_253 },
	{ "sni-254-chars", { name_254 }, I, NULL },
	{ "sni-label-64-chars", { label_64 }, I, NULL },
	{ "session-id-33-bytes", { "example.com", 0, H_SESSION_ID_33 }, I, NULL },
	{ "cipher-suites-odd-length", { "example.com", 0, H_CIPHERS_ODD }, I, NULL },
	{ "cipher-suites-empty", { "example.com", 0, H_CIPHERS_EMPTY }, I, NULL },
	{ "no-compression-methods", { "example.com", 0, H_NO_COMPRESSION }, I, NULL },
	{ "server-hello-type", { "example.com", 0, H_SERVER_HELLO_TYPE }, I, NULL },
	{ "legacy-version-major-2", { "example.com", 0, H_LEGACY_VERSION_2 }, I, NULL },
	{ "record-type-application-data", { "example.com", 0, H_RECORD_APPDATA }, I, NULL },
	{ "record-major-version-2", { "example.com", 0, H_RECORD_MAJOR_2 }, I, NULL },
	/* RFC 8446 §5.1: zero-length handshake fragments are forbidden. */
	{ "zero-length-record-first", { "example.com", 0, H_EMPTY_RECORD_FIRST }, I, NULL },
	/* Regression: a foreign record between fragments must not be skipped. */
	{ "ccs-between-fragments", { "example.com", 0, H_CCS_AFTER_FIRST, 0, 20 }, I, NULL },
	{ "split-1-byte-records", { "example.com", 0, H_BROWSER_EXTS, 0, 1 }, F, "example.com" },
	{ "split-7-byte-records", { "example.com", 0, H_BROWSER_EXTS, 0, 7 }, F, "example.com" },
	/* The SNI's own bytes straddle a record boundary. */
	{ "split-inside-name", { "straddle.example.com", 0, 0, 0, 100 }, F, "straddle.example.com" },
	{ "split-100-byte-records", { "example.com", 0, H_BROWSER_EXTS, 0, 100 }, F, "example.com" },
	{ "bytes-after-hello-ignored", { "example.com", 0, H_TRAILING_RECORD }, F, "example.com" },
	{ "cut-mid-name", { "example.com", 0, 0, 0, 0, 60 }, M, NULL },
	{ "cut-after-record-header", { "example.com", 0, 0, 0, 0, 5 }, M, NULL },
	{ "cut-one-byte", { "example.com", 0, 0, 0, 0, 1 }, M, NULL },
	/*
	 * The 16 KiB bound: a hello that needs more than 16384 stream bytes
	 * (here 1-byte records, 6 stream bytes per handshake byte) must get a
	 * final answer at 16384, never NEED_MORE.
	 */
	{ "bound-minus-one-needs-more", { "example.com", 0, H_SNI_AFTER_PADDING, 4000, 1, 16383 }, M, NULL },
	{ "bound-reached-invalid", { "example.com", 0, H_SNI_AFTER_PADDING, 4000, 1, 16384 }, I, NULL },
	{ "bound-exceeded-invalid", { "example.com", 0, H_SNI_AFTER_PADDING, 4000, 1 }, I, NULL },
	{ "hello-length-over-bound", { "example.com", 0, H_SNI_AFTER_PADDING, 16400, 0, 100 }, I, NULL },
	{ "big-hello-within-bound", { "example.com", 0, H_SNI_AFTER_PADDING, 12000 }, F, "example.com" },
};

static void tls_desc(const struct tls_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tls_synthetic, tls_cases, tls_desc);

/* Build the stream for @h into a test-managed buffer; returns its length. */
static size_t build_tls_stream(struct kunit *test, const struct hello_spec *h, u8 **out)
{
	struct wbuf hs = { .cap = BUILD_CAP }, rec = { .cap = 2 * BUILD_CAP };

	hs.b = kunit_kzalloc(test, hs.cap, GFP_KERNEL);
	rec.b = kunit_kzalloc(test, rec.cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hs.b);
	KUNIT_ASSERT_NOT_NULL(test, rec.b);
	build_client_hello(&hs, h);
	KUNIT_ASSERT_LE_MSG(test, hs.len, hs.cap, "builder overflow");
	frame_records(&rec, hs.b, hs.len, h->record_size, h->flags);
	KUNIT_ASSERT_LE_MSG(test, rec.len, rec.cap, "builder overflow");
	*out = rec.b;
	return rec.len;
}

static void tls_synthetic_test(struct kunit *test)
{
	const struct tls_case *c = test->param_value;
	u8 *buf;
	size_t len = build_tls_stream(test, &c->hello, &buf);

	if (c->hello.cut) {
		KUNIT_ASSERT_LE(test, c->hello.cut, len);
		len = c->hello.cut;
	}
	expect_answer(test, egressk_parse_tls_sni, buf, len, c->rc, c->name, c->desc);
	/* A cut hello is NEED_MORE until the whole hello is there. */
	expect_prefixes(test, egressk_parse_tls_sni, buf, len,
			(c->rc == F || c->rc == N) && !(c->hello.flags & H_TRAILING_RECORD),
			c->desc);
	/* Not HTTP either. */
	if (len > 0)
		expect_answer(test, egressk_parse_http_host, buf, len, I, NULL, "as HTTP");
}

/* --------------------------------------------------------- tls_fixture */

static void fixture_desc(const struct egressk_fixture *f, char *desc)
{
	strscpy(desc, f->client, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tls_fixture, egressk_tls_fixtures, fixture_desc);
KUNIT_ARRAY_PARAM(tls_sni_fixture, egressk_tls_sni_fixtures, fixture_desc);
KUNIT_ARRAY_PARAM(http_fixture, egressk_http_fixtures, fixture_desc);

/*
 * Linux 6.1 prints no SKIP directive on the result line of one row of a
 * parameterised case, so say it in a diagnostic line that ktap.py turns into
 * a counted SKIP, then skip.
 */
#define skip_row(test, fmt, ...) do {					\
		kunit_info(test, "SKIP: " fmt, ##__VA_ARGS__);		\
		kunit_skip(test, fmt, ##__VA_ARGS__);			\
	} while (0)

static void skip_missing(struct kunit *test, const struct egressk_fixture *f)
{
	if (f->skip)
		skip_row(test, "fixture %s not recorded: %s", f->client, f->skip);
}

/* The recorded hello gives the name the client was told to send. */
static void tls_fixture_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_answer(test, egressk_parse_tls_sni, f->data, f->len,
		      f->expect[0] ? F : N, f->expect, f->client);
}

/* Every truncation of a real hello is NEED_MORE (prefix consistency). */
static void tls_fixture_truncated_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_prefixes(test, egressk_parse_tls_sni, f->data, f->len, true, f->client);
}

/*
 * Record boundaries are invisible: the hello re-framed into records of 1, 7,
 * 100 and 16384 bytes gives the same answer.  Regression: a reader that
 * assumes the hello sits in one record (or in one segment) misses the SNI of
 * a 2 KiB chromium hello.
 */
static void tls_fixture_reframed_test(struct kunit *test)
{
	static const size_t sizes[] = { 1, 7, 100, 16384 };
	const struct egressk_fixture *f = test->param_value;
	struct wbuf hs = { .cap = BUILD_CAP }, rec = { .cap = 2 * BUILD_CAP };
	size_t off = 0, want = SIZE_MAX, i;
	char what[64];

	skip_missing(test, f);
	hs.b = kunit_kzalloc(test, hs.cap, GFP_KERNEL);
	rec.b = kunit_kzalloc(test, rec.cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hs.b);
	KUNIT_ASSERT_NOT_NULL(test, rec.b);
	/* Collect the handshake bytes of the ClientHello from the records. */
	while (hs.len < want && off + 5 <= f->len && f->data[off] == 22) {
		size_t n = (size_t)f->data[off + 3] << 8 | f->data[off + 4];

		KUNIT_ASSERT_LE(test, off + 5 + n, f->len);
		put(&hs, f->data + off + 5, n);
		off += 5 + n;
		if (want == SIZE_MAX && hs.len >= 4)
			want = 4 + ((size_t)hs.b[1] << 16 | hs.b[2] << 8 | hs.b[3]);
	}
	KUNIT_ASSERT_GE_MSG(test, hs.len, want, "fixture %s: hello incomplete", f->client);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		rec.len = 0;
		frame_records(&rec, hs.b, want, sizes[i], 0);
		KUNIT_ASSERT_LE(test, rec.len, rec.cap);
		snprintf(what, sizeof(what), "%s in %zu-byte records", f->client, sizes[i]);
		expect_answer(test, egressk_parse_tls_sni, rec.b, rec.len,
			      f->expect[0] ? F : N, f->expect, what);
	}
}

/* SNI case is folded on real hellos too (RFC 6066: case-insensitive). */
static void tls_fixture_uppercase_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;
	size_t n = strlen(f->expect), i, at = SIZE_MAX;
	u8 *copy;

	skip_missing(test, f);
	KUNIT_ASSERT_GT_MSG(test, n, (size_t)0, "fixture %s in the SNI table sends no SNI", f->client);
	for (i = 0; i + n <= f->len; i++)
		if (!memcmp(f->data + i, f->expect, n)) {
			at = i;
			break;
		}
	KUNIT_ASSERT_NE_MSG(test, at, SIZE_MAX, "name not found in fixture %s", f->client);
	copy = kunit_kmalloc(test, f->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, f->data, f->len);
	for (i = 0; i < n; i++)
		copy[at + i] = toupper(copy[at + i]);
	expect_answer(test, egressk_parse_tls_sni, copy, f->len, F, f->expect, f->client);
}

/*
 * A name that does not fit @name_size is INVALID and nothing is written past
 * @name_size.  Regression: the trailing-dot and NUL bookkeeping is where an
 * off-by-one overflow of the caller's buffer would hide.
 */
static void tls_fixture_small_buffer_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;
	size_t n = strlen(f->expect), out_len = 0;
	char name[EGRESSK_NAME_BUF + 1];
	int rc;

	skip_missing(test, f);
	KUNIT_ASSERT_GT_MSG(test, n, (size_t)0, "fixture %s in the SNI table sends no SNI", f->client);
	memset(name, 0x5a, sizeof(name));
	rc = egressk_parse_tls_sni(f->data, f->len, name, n, &out_len);
	KUNIT_EXPECT_EQ_MSG(test, rc, I, "name_size %zu for a %zu-char name", n, n);
	KUNIT_EXPECT_EQ(test, name[n], (char)0x5a);
	memset(name, 0x5a, sizeof(name));
	rc = egressk_parse_tls_sni(f->data, f->len, name, n + 1, &out_len);
	KUNIT_EXPECT_EQ_MSG(test, rc, F, "name_size %zu for a %zu-char name", n + 1, n);
	KUNIT_EXPECT_EQ(test, name[n + 1], (char)0x5a);
	if (rc == F)
		KUNIT_EXPECT_STREQ(test, name, f->expect);
}

/* A hello is not an HTTP request and a request is not a hello. */
static void tls_fixture_not_http_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_answer(test, egressk_parse_http_host, f->data, f->len, I, NULL, f->client);
}

static struct kunit_case egressk_tls_cases[] = {
	KUNIT_CASE_PARAM(tls_synthetic_test, tls_synthetic_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_test, tls_fixture_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_truncated_test, tls_fixture_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_reframed_test, tls_fixture_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_uppercase_test, tls_sni_fixture_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_small_buffer_test, tls_sni_fixture_gen_params),
	KUNIT_CASE_PARAM(tls_fixture_not_http_test, tls_fixture_gen_params),
	{}
};

static struct kunit_suite egressk_tls_suite = {
	.name = "egressk_tls",
	.test_cases = egressk_tls_cases,
};

/* ---------------------------------------------------------------- HTTP */

struct http_case {
	const char *desc;
	const char *req;
	size_t len;		/* 0: strlen(req) */
	int rc;
	const char *name;
};

static const struct http_case http_cases[] = {
	{ "get-host", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, F, "example.com" },
	{ "http10-with-host", "GET / HTTP/1.0\r\nHost: example.com\r\n\r\n", 0, F, "example.com" },
	{ "http10-without-host", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", 0, N, NULL },
	/* RFC 9112 §3.2: a 1.1 request without Host is a 400. */
	{ "http11-without-host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 0, I, NULL },
	{ "field-name-case-insensitive", "GET / HTTP/1.1\r\nhOST: example.com\r\n\r\n", 0, F, "example.com" },
	{ "value-folded-dot-dropped", "GET / HTTP/1.1\r\nHost: API.Example.COM.\r\n\r\n", 0, F, "api.example.com" },
	{ "no-space-after-colon", "GET / HTTP/1.1\r\nHost:example.com\r\n\r\n", 0, F, "example.com" },
	{ "ows-tabs-around-value", "GET / HTTP/1.1\r\nHost: \texample.com\t \r\n\r\n", 0, F, "example.com" },
	{ "port-stripped", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", 0, F, "example.com" },
	{ "empty-port", "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n", 0, F, "example.com" },
	{ "port-65535", "GET / HTTP/1.1\r\nHost: example.com:65535\r\n\r\n", 0, F, "example.com" },
	{ "port-65536", "GET / HTTP/1.1\r\nHost: example.com:65536\r\n\r\n", 0, I, NULL },
	{ "port-not-digits", "GET / HTTP/1.1\r\nHost: example.com:8o\r\n\r\n", 0, I, NULL },
	{ "host-among-headers", "POST /api?x=1 HTTP/1.1\r\nUser-Agent: k\r\nHost: a.example.net\r\nContent-Length: 2\r\n\r\nhi", 0, F, "a.example.net" },
	{ "host-last-header", "GET /p HTTP/1.1\r\nAccept: */*\r\nConnection: close\r\nHost: last.example\r\n\r\n", 0, F, "last.example" },
	{ "obs-text-in-other-value", "GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\nHost: example.com\r\n\r\n", 0, F, "example.com" },
	{ "options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, F, "example.com" },
	{ "asterisk-needs-options", "GET * HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "ipv4-literal-none", "GET / HTTP/1.1\r\nHost: 198.51.100.7:80\r\n\r\n", 0, N, NULL },
	{ "ipv4-out-of-range", "GET / HTTP/1.1\r\nHost: 198.51.100.300\r\n\r\n", 0, I, NULL },
	{ "ipv6-literal-none", "GET / HTTP/1.1\r\nHost: [2001:db8::7]:443\r\n\r\n", 0, N, NULL },
	{ "ipv6-unterminated", "GET / HTTP/1.1\r\nHost: [2001:db8::7\r\n\r\n", 0, I, NULL },
	{ "empty-host-none", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 0, N, NULL },
	/* Regression: request smuggling; servers disagree on which Host wins. */
	{ "duplicate-host", "GET / HTTP/1.1\r\nHost: good.example\r\nHost: evil.example\r\n\r\n", 0, I, NULL },
	{ "duplicate-host-equal", "GET / HTTP/1.1\r\nHost: a.example\r\nHOST: a.example\r\n\r\n", 0, I, NULL },
	/* Regression: absolute-form makes the server ignore Host (RFC 9112 §3.2.2). */
	{ "absolute-form", "GET http://evil.example/ HTTP/1.1\r\nHost: good.example\r\n\r\n", 0, I, NULL },
	{ "connect-authority-form", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", 0, I, NULL },
	/* Regression: bare LF / lone CR disagreements are a smuggling gap. */
	{ "lf-only-lines", "GET / HTTP/1.1\nHost: example.com\n\n", 0, I, NULL },
	{ "bare-lf-after-host", "GET / HTTP/1.1\r\nHost: example.com\nX: 1\r\n\r\n", 0, I, NULL },
	{ "lone-cr", "GET / HTTP/1.1\r\nHost: example.com\r\rX: 1\r\n\r\n", 0, I, NULL },
	{ "space-before-colon", "GET / HTTP/1.1\r\nHost : evil.example\r\n\r\n", 0, I, NULL },
	{ "obs-fold", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "nul-in-value", "GET / HTTP/1.1\r\nX: a\0b\r\nHost: example.com\r\n\r\n", 45, I, NULL },
	{ "del-in-value", "GET / HTTP/1.1\r\nX: a\x7f\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "userinfo-in-host", "GET / HTTP/1.1\r\nHost: good.example@evil.example\r\n\r\n", 0, I, NULL },
	{ "percent-in-host", "GET / HTTP/1.1\r\nHost: ex%61mple.com\r\n\r\n", 0, I, NULL },
	{ "wildcard-host", "GET / HTTP/1.1\r\nHost: *.example.com\r\n\r\n", 0, I, NULL },
	{ "obs-text-in-host", "GET / HTTP/1.1\r\nHost: caf\xc3\xa9.example\r\n\r\n", 0, I, NULL },
	{ "evil-suffix-kept-whole", "GET / HTTP/1.1\r\nHost: evilexample.com\r\n\r\n", 0, F, "evilexample.com" },
	{ "http2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, I, NULL },
	{ "http-1-2", "GET / HTTP/1.2\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "version-lowercase", "GET / http/1.1\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "method-not-token", "GE\"T / HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "double-space", "GET  / HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "leading-empty-line", "\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, I, NULL },
	{ "tls-record-is-not-http", "\x16\x03\x01\x00\x10", 0, I, NULL },
	{ "ssh-banner", "SSH-2.0-OpenSSH_9.2\r\n", 0, I, NULL },
	{ "body-after-head-ignored", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\nGET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 0, F, "example.com" },
	{ "head-incomplete", "GET / HTTP/1.1\r\nHost: example.com\r\n", 0, M, NULL },
	{ "head-missing-last-lf", "GET / HTTP/1.1\r\nHost: example.com\r\n\r", 0, M, NULL },
	{ "request-line-only", "GET /index.html HTTP/1.1", 0, M, NULL },
};

static void http_desc(const struct http_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(http_request, http_cases, http_desc);

static void http_request_test(struct kunit *test)
{
	const struct http_case *c = test->param_value;
	size_t len = c->len ? c->len : strlen(c->req);

	expect_answer(test, egressk_parse_http_host, (const u8 *)c->req, len,
		      c->rc, c->name, c->desc);
	expect_prefixes(test, egressk_parse_http_host, (const u8 *)c->req, len,
			false, c->desc);
}

/*
 * The 16 KiB bound: a head that has not ended is NEED_MORE below 16384
 * bytes and INVALID from 16384 on, so the flow code never holds more.
 */
struct http_bound_case {
	const char *desc;
	size_t head;		/* total head length incl. the final CRLFCRLF */
	size_t feed;		/* bytes given to the parser */
	int rc;
};

static const struct http_bound_case http_bound_cases[] = {
	{ "open-head-16383-needs-more", 20000, 16383, M },
	{ "open-head-16384-invalid", 20000, 16384, I },
	{ "open-head-20000-invalid", 20000, 20000, I },
	{ "long-head-ending-at-16000", 16000, 16000, F },
	{ "long-head-cut-at-15000", 16000, 15000, M },
};

static void http_bound_desc(const struct http_bound_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(http_bound, http_bound_cases, http_bound_desc);

static void http_bound_test(struct kunit *test)
{
	const struct http_bound_case *c = test->param_value;
	static const char start[] = "GET / HTTP/1.1\r\nHost: example.com\r\nX-Fill: ";
	u8 *buf = kunit_kmalloc(test, c->head, GFP_KERNEL);
	size_t n = strlen(start);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, start, n);
	memset(buf + n, 'x', c->head - n - 4);
	memcpy(buf + c->head - 4, "\r\n\r\n", 4);
	expect_answer(test, egressk_parse_http_host, buf, c->feed, c->rc,
		      "example.com", c->desc);
}

static void http_fixture_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_answer(test, egressk_parse_http_host, f->data, f->len, F, f->expect,
		      f->client);
}

static void http_fixture_truncated_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_prefixes(test, egressk_parse_http_host, f->data, f->len, true, f->client);
}

static void http_fixture_not_tls_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;

	skip_missing(test, f);
	expect_answer(test, egressk_parse_tls_sni, f->data, f->len, I, NULL, f->client);
}

/* As for TLS: a Host that does not fit @name_size is INVALID, no overflow. */
static void http_fixture_small_buffer_test(struct kunit *test)
{
	const struct egressk_fixture *f = test->param_value;
	size_t n = strlen(f->expect), out_len = 0;
	char name[EGRESSK_NAME_BUF + 1];
	int rc;

	skip_missing(test, f);
	memset(name, 0x5a, sizeof(name));
	rc = egressk_parse_http_host(f->data, f->len, name, n, &out_len);
	KUNIT_EXPECT_EQ_MSG(test, rc, I, "name_size %zu for a %zu-char name", n, n);
	KUNIT_EXPECT_EQ(test, name[n], (char)0x5a);
	memset(name, 0x5a, sizeof(name));
	rc = egressk_parse_http_host(f->data, f->len, name, n + 1, &out_len);
	KUNIT_EXPECT_EQ_MSG(test, rc, F, "name_size %zu for a %zu-char name", n + 1, n);
	KUNIT_EXPECT_EQ(test, name[n + 1], (char)0x5a);
	if (rc == F)
		KUNIT_EXPECT_STREQ(test, name, f->expect);
}

static struct kunit_case egressk_http_cases[] = {
	KUNIT_CASE_PARAM(http_request_test, http_request_gen_params),
	KUNIT_CASE_PARAM(http_bound_test, http_bound_gen_params),
	KUNIT_CASE_PARAM(http_fixture_test, http_fixture_gen_params),
	KUNIT_CASE_PARAM(http_fixture_truncated_test, http_fixture_gen_params),
	KUNIT_CASE_PARAM(http_fixture_small_buffer_test, http_fixture_gen_params),
	KUNIT_CASE_PARAM(http_fixture_not_tls_test, http_fixture_gen_params),
	{}
};

static struct kunit_suite egressk_http_suite = {
	.name = "egressk_http",
	.test_cases = egressk_http_cases,
};

kunit_test_suites(&egressk_tls_suite, &egressk_http_suite);
