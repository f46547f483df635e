// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/parse.c: real ClientHellos and HTTP requests recorded
 * by record-fixtures.sh, hand-built TLS messages, and table-driven HTTP and
 * domain-name cases; and the domain rule table of kmod/domain.c, by hand and
 * against the reference matcher egressk_domain_match().  Expected values come from the fixture sidecars (what
 * the recording script told the client) or from the RFCs and the decisions
 * in docs/parsers.md, never from running the parser.
 *
 * Usage: test_parsers FIXTURE_DIR [-v]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/parse.h"
#include "tinytest.h"
#include "../../kmod/domain.h"
#include "../../uapi/linux/egressk.h"

#define BIG 40000

static const char *fixture_dir;

/* ------------------------------------------------------------ helpers */

struct res {
	int rc;
	char name[EGRESSK_NAME_BUF];
	size_t len;
};

static struct res tls(const u8 *b, size_t n)
{
	struct res r;

	memset(&r, 0, sizeof(r));
	r.rc = egressk_parse_tls_sni(b, n, r.name, sizeof(r.name), &r.len);
	return r;
}

static struct res http(const u8 *b, size_t n)
{
	struct res r;

	memset(&r, 0, sizeof(r));
	r.rc = egressk_parse_http_host(b, n, r.name, sizeof(r.name), &r.len);
	return r;
}

static const char *rn(int rc)
{
	return egressk_parse_result_name(rc);
}

/* Read a whole file; returns length or -1. */
static long slurp(const char *path, u8 *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size, f);
	fclose(f);
	return (long)n;
}

/* Sidecar: first line, without newline. */
static int sidecar(const char *client, const char *ext, char *out, size_t size)
{
	char path[512];
	long n;

	snprintf(path, sizeof(path), "%s/%s.%s", fixture_dir, client, ext);
	n = slurp(path, (u8 *)out, size - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/*
 * Concatenate the payloads of the leading handshake records of @in: the
 * ClientHello's handshake bytes, independent of the parser's own reader.
 */
static size_t deframe(const u8 *in, size_t n, u8 *out)
{
	size_t pos = 0, o = 0;

	while (pos + 5 <= n && in[pos] == 22) {
		size_t rl = (size_t)in[pos + 3] << 8 | in[pos + 4];

		if (pos + 5 + rl > n)
			break;
		memcpy(out + o, in + pos + 5, rl);
		o += rl;
		pos += 5 + rl;
	}
	return o;
}

/* Wrap handshake bytes into records of at most @chunk payload bytes. */
static size_t frame(const u8 *hs, size_t n, size_t chunk, u8 *out)
{
	size_t pos = 0, o = 0;

	while (pos < n) {
		size_t take = n - pos < chunk ? n - pos : chunk;

		out[o++] = 22;
		out[o++] = 3;
		out[o++] = 1;
		out[o++] = (u8)(take >> 8);
		out[o++] = (u8)take;
		memcpy(out + o, hs + pos, take);
		o += take;
		pos += take;
	}
	return o;
}

/* ---------------------------------------------- ClientHello builder */

struct bld {
	u8 b[BIG];
	size_t n;
};

static void put8(struct bld *b, unsigned int v) { b->b[b->n++] = (u8)v; }
static void put16(struct bld *b, unsigned int v) { put8(b, v >> 8); put8(b, v); }
static void put24(struct bld *b, unsigned int v) { put8(b, v >> 16); put16(b, v); }
static void putmem(struct bld *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}
static size_t open16(struct bld *b) { put16(b, 0); return b->n; }
static void close16(struct bld *b, size_t at)
{
	size_t l = b->n - at;

	b->b[at - 2] = (u8)(l >> 8);
	b->b[at - 1] = (u8)l;
}

/* A server_name extension with entries "T:name" (T = type digit). */
static void ext_sni(struct bld *b, const char *const *entries, int count)
{
	size_t e, l;
	int i;

	put16(b, 0);
	e = open16(b);
	l = open16(b);
	for (i = 0; i < count; i++) {
		put8(b, entries[i][0] - '0');
		put16(b, strlen(entries[i] + 2));
		putmem(b, entries[i] + 2, strlen(entries[i] + 2));
	}
	close16(b, l);
	close16(b, e);
}

static void ext_opaque(struct bld *b, unsigned int type, size_t len)
{
	put16(b, type);
	put16(b, len);
	memset(b->b + b->n, 0x5a, len);
	b->n += len;
}

/* Handshake message: ClientHello with the given extension block bytes. */
static void hello(struct bld *hs, const u8 *exts, size_t ext_len, bool no_ext)
{
	size_t body, e;
	u8 random[32];

	memset(random, 0x42, sizeof(random));
	hs->n = 0;
	put8(hs, 1);
	put24(hs, 0);
	body = hs->n;
	put16(hs, 0x0303);
	putmem(hs, random, 32);
	put8(hs, 32);
	putmem(hs, random, 32);
	put16(hs, 4);
	put16(hs, 0x1301);
	put16(hs, 0x1302);
	put8(hs, 1);
	put8(hs, 0);
	if (!no_ext) {
		e = open16(hs);
		putmem(hs, exts, ext_len);
		close16(hs, e);
	}
	hs->b[1] = (u8)((hs->n - body) >> 16);
	hs->b[2] = (u8)((hs->n - body) >> 8);
	hs->b[3] = (u8)(hs->n - body);
}

static struct bld ex, hs, rec;

/* Build records (chunk 16384) for a hello with extension block @ex. */
static struct res tls_of_exts(void)
{
	hello(&hs, ex.b, ex.n, false);
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	return tls(rec.b, rec.n);
}

static void expect(struct res r, int rc, const char *name)
{
	CHECK(r.rc == rc, "result %s, expected %s", rn(r.rc), rn(rc));
	if (rc == EGRESSK_PARSE_FOUND && r.rc == rc) {
		CHECK(strcmp(r.name, name) == 0, "name '%s', expected '%s'",
		      r.name, name);
		CHECK(r.len == strlen(name), "name_len %zu, expected %zu",
		      r.len, strlen(name));
	}
}

/* --------------------------------------------------- fixture tests */

static u8 fbuf[BIG], hsbuf[BIG], rbuf[4 * BIG];

static void fixture_tls(const char *client)
{
	char want[512], nm[600];
	int want_rc;
	long n;
	size_t i, hl, rl;
	static const size_t chunks[] = { 1, 7, 100, 16384 };
	char path[512];

	snprintf(nm, sizeof(nm), "tls fixture %s", client);
	if (sidecar(client, "sni", want, sizeof(want))) {
		char why[400] = "fixture not recorded";

		sidecar(client, "missing", why, sizeof(why));
		SKIP(nm, "%s", why);
		return;
	}
	want_rc = want[0] ? EGRESSK_PARSE_FOUND : EGRESSK_PARSE_NONE;
	snprintf(path, sizeof(path), "%s/%s.bin", fixture_dir, client);
	n = slurp(path, fbuf, sizeof(fbuf));

	CASE_BEGIN(nm);
	CHECK(n > 0, "cannot read %s", path);
	if (n > 0)
		expect(tls(fbuf, n), want_rc, want);
	CASE_END();

	snprintf(nm, sizeof(nm), "tls fixture %s: every truncation is need-more", client);
	CASE_BEGIN(nm);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		struct res r = tls(fbuf, i);

		CHECK(r.rc == EGRESSK_PARSE_NEED_MORE, "cut at %zu: %s", i, rn(r.rc));
	}
	CASE_END();

	snprintf(nm, sizeof(nm), "tls fixture %s: trailing bytes ignored", client);
	CASE_BEGIN(nm);
	memset(fbuf + n, 0xff, 100);
	expect(tls(fbuf, n + 100), want_rc, want);
	CASE_END();

	hl = deframe(fbuf, n, hsbuf);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t cut;
		bool over;

		rl = frame(hsbuf, hl, chunks[i], rbuf);
		over = rl > EGRESSK_PARSE_MAX_INPUT;
		snprintf(nm, sizeof(nm), "tls fixture %s: re-framed into %zu-byte records%s",
			 client, chunks[i], over ? " (over the 16 KiB bound)" : "");
		CASE_BEGIN(nm);
		CHECK(hl > 40, "deframe found only %zu handshake bytes", hl);
		expect(tls(rbuf, rl), over ? EGRESSK_PARSE_INVALID : want_rc, want);
		/* Every cut of the re-framed stream: need-more (or invalid
		 * once the bound is reached), never an answer. */
		for (cut = 0; cut < rl; cut += chunks[i] < 7 ? 3 : 1) {
			struct res r = tls(rbuf, cut);
			int e = cut >= EGRESSK_PARSE_MAX_INPUT ?
				EGRESSK_PARSE_INVALID : EGRESSK_PARSE_NEED_MORE;

			CHECK(r.rc == e, "cut at %zu: %s, expected %s", cut,
			      rn(r.rc), rn(e));
			if (r.rc != e)
				break;
		}
		CASE_END();
	}

	if (!want[0])
		return;

	snprintf(nm, sizeof(nm), "tls fixture %s: upper-case SNI is lowercased", client);
	CASE_BEGIN(nm);
	{
		u8 *at = memmem(fbuf, n, want, strlen(want));
		size_t k;

		CHECK(at != NULL, "name '%s' not in the recording", want);
		for (k = 0; at && k < strlen(want); k++)
			if (at[k] >= 'a' && at[k] <= 'z')
				at[k] -= 'a' - 'A';
		expect(tls(fbuf, n), EGRESSK_PARSE_FOUND, want);
		for (k = 0; at && k < strlen(want); k++)
			at[k] = (u8)want[k];
	}
	CASE_END();

	snprintf(nm, sizeof(nm), "tls fixture %s: handshake length +1 is invalid", client);
	CASE_BEGIN(nm);
	{
		u32 L = (u32)hsbuf[1] << 16 | hsbuf[2] << 8 | hsbuf[3];

		L++;
		hsbuf[1] = (u8)(L >> 16); hsbuf[2] = (u8)(L >> 8); hsbuf[3] = (u8)L;
		hsbuf[hl] = 0;
		rl = frame(hsbuf, hl + 1, 16384, rbuf);
		expect(tls(rbuf, rl), EGRESSK_PARSE_INVALID, "");
		L--;
		hsbuf[1] = (u8)(L >> 16); hsbuf[2] = (u8)(L >> 8); hsbuf[3] = (u8)L;
	}
	CASE_END();

	snprintf(nm, sizeof(nm), "tls fixture %s: a non-handshake record inside the hello is invalid", client);
	CASE_BEGIN(nm);
	rl = frame(hsbuf, hl, 100, rbuf);
	rbuf[105] = 20;		/* second record becomes change_cipher_spec */
	expect(tls(rbuf, rl), EGRESSK_PARSE_INVALID, "");
	CASE_END();
}

/*
 * The chromium fixture must exercise what DESIGN §5 describes, or the tests
 * above prove less than they claim: walk its extensions with code independent
 * of the parser.
 */
static void chromium_fixture_shape(void)
{
	char path[512], want[512];
	size_t hl, q, sni_index = 0, count = 0, key_share = 0;
	bool grease = false, ech = false;
	long n;

	if (sidecar("chromium", "sni", want, sizeof(want))) {
		SKIP("tls fixture chromium: shape", "fixture not recorded");
		return;
	}
	snprintf(path, sizeof(path), "%s/chromium.bin", fixture_dir);
	n = slurp(path, fbuf, sizeof(fbuf));
	CASE_BEGIN("tls fixture chromium: over 1,500 bytes, GREASE, ECH, ML-KEM-size key share, SNI not first");
	CHECK(n > 1500, "only %ld bytes", n);
	hl = n > 0 ? deframe(fbuf, n, hsbuf) : 0;
	q = 4 + 2 + 32;
	if (hl > q + 1) {
		q += 1 + hsbuf[q];
		q += 2 + ((size_t)hsbuf[q] << 8 | hsbuf[q + 1]);
		q += 1 + hsbuf[q];
		q += 2;
		while (q + 4 <= hl) {
			unsigned int t = hsbuf[q] << 8 | hsbuf[q + 1];
			size_t l = (size_t)hsbuf[q + 2] << 8 | hsbuf[q + 3];

			if ((t & 0x0f0f) == 0x0a0a && (t >> 8) == (t & 0xff))
				grease = true;
			if (t == 0xfe0d)
				ech = true;
			if (t == 0x0033)
				key_share = l;
			if (t == 0)
				sni_index = count;
			count++;
			q += 4 + l;
		}
	}
	CHECK(count >= 15, "%zu extensions", count);
	CHECK(grease, "no GREASE extension");
	CHECK(ech, "no ECH (0xfe0d) extension");
	CHECK(key_share >= 1000, "key_share only %zu bytes", key_share);
	CHECK(sni_index > 0, "SNI is the first extension");
	CASE_END();
}

static void fixture_http(const char *client)
{
	char want[512], nm[600], path[512];
	long n;
	size_t i;

	snprintf(nm, sizeof(nm), "http fixture %s", client);
	if (sidecar(client, "host", want, sizeof(want))) {
		char why[400] = "fixture not recorded";

		sidecar(client, "missing", why, sizeof(why));
		SKIP(nm, "%s", why);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.bin", fixture_dir, client);
	n = slurp(path, fbuf, sizeof(fbuf));
	CASE_BEGIN(nm);
	CHECK(n > 0, "cannot read %s", path);
	if (n > 0)
		expect(http(fbuf, n), EGRESSK_PARSE_FOUND, want);
	CASE_END();

	snprintf(nm, sizeof(nm), "http fixture %s: every truncation is need-more", client);
	CASE_BEGIN(nm);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		struct res r = http(fbuf, i);

		CHECK(r.rc == EGRESSK_PARSE_NEED_MORE, "cut at %zu: %s", i, rn(r.rc));
	}
	CASE_END();

	snprintf(nm, sizeof(nm), "http fixture %s: the same bytes are not TLS", client);
	CASE_BEGIN(nm);
	expect(tls(fbuf, n), EGRESSK_PARSE_INVALID, "");
	CASE_END();
}

/* ------------------------------------------------- synthetic TLS */

static void tls_synthetic(void)
{
	static const char *const one[] = { "0:example.com" };
	static const char *const other_then_host[] = { "7:opaque-thing", "0:second.example" };
	static const char *const two_hosts[] = { "0:a.example", "0:b.example" };
	static const char *const only_other[] = { "1:foo" };
	static const char *const upper[] = { "0:WWW.Example.COM." };
	static const char *const ipv4[] = { "0:192.0.2.1" };
	static const char *const bad_char[] = { "0:exa mple.com" };
	static const char *const star[] = { "0:*.example.com" };
	static const char *const empty_label[] = { "0:a..example.com" };
	char longname[300];
	const char *ln[1] = { longname };
	struct res r;
	size_t i;

	CASE_BEGIN("tls: minimal hello with SNI");
	ex.n = 0;
	ext_sni(&ex, one, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_FOUND, "example.com");
	CASE_END();

	CASE_BEGIN("tls: SNI after GREASE and large extensions");
	ex.n = 0;
	ext_opaque(&ex, 0x0a0a, 0);
	ext_opaque(&ex, 0xfe0d, 282);	/* ECH GREASE size chromium sends */
	ext_opaque(&ex, 0x0033, 1263);	/* X25519MLKEM768 key share size */
	ext_sni(&ex, one, 1);
	ext_opaque(&ex, 0xfafa, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_FOUND, "example.com");
	CASE_END();

	CASE_BEGIN("tls: unknown name type skipped, first host_name taken");
	ex.n = 0;
	ext_sni(&ex, other_then_host, 2);
	expect(tls_of_exts(), EGRESSK_PARSE_FOUND, "second.example");
	CASE_END();

	CASE_BEGIN("tls: two host_name entries are invalid (RFC 6066 §3)");
	ex.n = 0;
	ext_sni(&ex, two_hosts, 2);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: only a non-host_name entry is none");
	ex.n = 0;
	ext_sni(&ex, only_other, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_NONE, "");
	CASE_END();

	CASE_BEGIN("tls: upper case and trailing dot normalised");
	ex.n = 0;
	ext_sni(&ex, upper, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_FOUND, "www.example.com");
	CASE_END();

	CASE_BEGIN("tls: IPv4 literal, space, wildcard, empty label in SNI are invalid");
	ex.n = 0;
	ext_sni(&ex, ipv4, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	ex.n = 0;
	ext_sni(&ex, bad_char, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	ex.n = 0;
	ext_sni(&ex, star, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	ex.n = 0;
	ext_sni(&ex, empty_label, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: 253-character name found, 254 invalid, 254 with dot found");
	/* "0:" + 4 labels of 63 'a' joined by dots = 255 chars = 253 name */
	strcpy(longname, "0:");
	for (i = 0; i < 4; i++) {
		memset(longname + strlen(longname), 'a', 63);
		longname[2 + (i + 1) * 63 + i] = '\0';
		if (i < 3)
			strcat(longname, ".");
	}
	longname[2 + 253 - 2] = '\0';		/* 251 chars */
	strcat(longname, "bc");			/* 253 chars, last label 63 */
	ex.n = 0;
	ext_sni(&ex, ln, 1);
	r = tls_of_exts();
	CHECK(r.rc == EGRESSK_PARSE_FOUND && r.len == 253, "253: %s len %zu", rn(r.rc), r.len);
	strcat(longname, ".");
	ex.n = 0;
	ext_sni(&ex, ln, 1);
	r = tls_of_exts();
	CHECK(r.rc == EGRESSK_PARSE_FOUND && r.len == 253, "253+dot: %s len %zu", rn(r.rc), r.len);
	longname[strlen(longname) - 1] = 'x';	/* 254 chars, label 64 */
	ex.n = 0;
	ext_sni(&ex, ln, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: small name buffer makes a longer name invalid");
	ex.n = 0;
	ext_sni(&ex, one, 1);
	hello(&hs, ex.b, ex.n, false);
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	{
		char small[11];
		size_t sl = 0;

		CHECK(egressk_parse_tls_sni(rec.b, rec.n, small, sizeof(small), &sl) ==
		      EGRESSK_PARSE_INVALID, "11-byte buffer for 11-char name");
		CHECK(egressk_parse_tls_sni(rec.b, rec.n, small, 12 > sizeof(small) ? sizeof(small) : 12, &sl) ==
		      EGRESSK_PARSE_INVALID, "still too small");
	}
	CASE_END();

	CASE_BEGIN("tls: no server_name extension is none");
	ex.n = 0;
	ext_opaque(&ex, 0x002b, 3);
	expect(tls_of_exts(), EGRESSK_PARSE_NONE, "");
	CASE_END();

	CASE_BEGIN("tls: hello without extension block is none");
	hello(&hs, NULL, 0, true);
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_NONE, "");
	CASE_END();

	CASE_BEGIN("tls: duplicate server_name extension is invalid");
	ex.n = 0;
	ext_sni(&ex, one, 1);
	ext_sni(&ex, one, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: length fields that disagree are invalid");
	/* ServerNameList length one short of the extension */
	ex.n = 0;
	ext_sni(&ex, one, 1);
	ex.b[5]--;
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	/* HostName length past the list */
	ex.n = 0;
	ext_sni(&ex, one, 1);
	ex.b[8]++;
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	/* extension length past the extension block */
	ex.n = 0;
	ext_opaque(&ex, 0x0017, 4);
	ex.b[3] = 5;
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	/* empty HostName, empty list */
	ex.n = 0;
	put16(&ex, 0); put16(&ex, 5); put16(&ex, 3); put8(&ex, 0); put16(&ex, 0);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	ex.n = 0;
	put16(&ex, 0); put16(&ex, 2); put16(&ex, 0);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	/* handshake length shorter than the body */
	ex.n = 0;
	ext_sni(&ex, one, 1);
	hello(&hs, ex.b, ex.n, false);
	hs.b[3]--;
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: malformed fixed fields are invalid");
	ex.n = 0;
	ext_sni(&ex, one, 1);
	hello(&hs, ex.b, ex.n, false);
	hs.b[4] = 2;				/* legacy_version 2.3 */
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	hello(&hs, ex.b, ex.n, false);
	hs.b[38] = 33;				/* session id > 32 */
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	hello(&hs, ex.b, ex.n, false);
	hs.b[72] = 3;				/* odd cipher_suites length */
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	hello(&hs, ex.b, ex.n, false);
	hs.b[77] = 0;				/* no compression methods */
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	hello(&hs, ex.b, ex.n, false);
	hs.b[0] = 2;				/* ServerHello */
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: record layer violations are invalid");
	ex.n = 0;
	ext_sni(&ex, one, 1);
	hello(&hs, ex.b, ex.n, false);
	rec.n = frame(hs.b, hs.n, 16384, rec.b);
	rec.b[0] = 23;				/* application data */
	expect(tls(rec.b, 1), EGRESSK_PARSE_INVALID, "");
	rec.b[0] = 22;
	rec.b[1] = 2;				/* record version 2.x */
	expect(tls(rec.b, 2), EGRESSK_PARSE_INVALID, "");
	rec.b[1] = 3;
	rec.b[3] = 0x40; rec.b[4] = 0x01;	/* record length 16385 */
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	{
		static const u8 zero_rec[] = { 22, 3, 1, 0, 0, 22, 3, 1, 0, 1, 1 };

		expect(tls(zero_rec, sizeof(zero_rec)), EGRESSK_PARSE_INVALID, "");
	}
	CASE_END();

	CASE_BEGIN("tls: SSLv2-compatible hello is invalid");
	{
		/* 2-byte header with the high bit, msg CLIENT-HELLO, version 3.1 */
		static const u8 v2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15,
					 0x00, 0x00, 0x00, 0x10 };

		expect(tls(v2, sizeof(v2)), EGRESSK_PARSE_INVALID, "");
		expect(tls(v2, 1), EGRESSK_PARSE_INVALID, "");
	}
	CASE_END();

	CASE_BEGIN("tls: empty input needs more, HTTP is invalid at once");
	expect(tls((const u8 *)"", 0), EGRESSK_PARSE_NEED_MORE, "");
	expect(tls((const u8 *)"G", 1), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: hello larger than the 16 KiB bound is invalid");
	ex.n = 0;
	ext_opaque(&ex, 0x0015, 16400);		/* padding */
	ext_sni(&ex, one, 1);
	expect(tls_of_exts(), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: bound reached while undecided is invalid, one byte less needs more");
	ex.n = 0;
	ext_opaque(&ex, 0x0015, 4000);
	ext_sni(&ex, one, 1);
	hello(&hs, ex.b, ex.n, false);
	rec.n = frame(hs.b, hs.n, 1, rec.b);	/* 6 bytes per handshake byte */
	CHECK(rec.n > EGRESSK_PARSE_MAX_INPUT, "test setup: %zu bytes", rec.n);
	expect(tls(rec.b, EGRESSK_PARSE_MAX_INPUT - 1), EGRESSK_PARSE_NEED_MORE, "");
	expect(tls(rec.b, EGRESSK_PARSE_MAX_INPUT), EGRESSK_PARSE_INVALID, "");
	expect(tls(rec.b, rec.n), EGRESSK_PARSE_INVALID, "");
	CASE_END();

	CASE_BEGIN("tls: NULL and zero-size arguments are invalid");
	{
		size_t l;
		char c[4];

		CHECK(egressk_parse_tls_sni(NULL, 5, c, 4, &l) == EGRESSK_PARSE_INVALID, "NULL buf");
		CHECK(egressk_parse_tls_sni(rec.b, 5, c, 0, &l) == EGRESSK_PARSE_INVALID, "size 0");
		CHECK(egressk_parse_tls_sni(rec.b, 5, NULL, 4, &l) == EGRESSK_PARSE_INVALID, "NULL name");
	}
	CASE_END();
}

/* ----------------------------------------------------------- HTTP */

struct http_case {
	const char *what;
	const char *req;
	int rc;
	const char *name;
};

#define F EGRESSK_PARSE_FOUND
#define M EGRESSK_PARSE_NEED_MORE
#define N EGRESSK_PARSE_NONE
#define I EGRESSK_PARSE_INVALID

static const struct http_case http_cases[] = {
	{ "simple GET", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", F, "example.com" },
	{ "HTTP/1.0 with Host", "GET / HTTP/1.0\r\nHost: example.com\r\n\r\n", F, "example.com" },
	{ "header name case", "GET / HTTP/1.1\r\nhOsT: example.com\r\n\r\n", F, "example.com" },
	{ "value case and trailing dot", "GET / HTTP/1.1\r\nHost: WWW.Example.COM.\r\n\r\n", F, "www.example.com" },
	{ "no whitespace after colon", "GET / HTTP/1.1\r\nHost:example.com\r\n\r\n", F, "example.com" },
	{ "tabs and trailing whitespace", "GET / HTTP/1.1\r\nHost:\t example.com \t\r\n\r\n", F, "example.com" },
	{ "port stripped", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", F, "example.com" },
	{ "empty port", "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n", F, "example.com" },
	{ "port too large", "GET / HTTP/1.1\r\nHost: example.com:65536\r\n\r\n", I, "" },
	{ "port not numeric", "GET / HTTP/1.1\r\nHost: example.com:80a\r\n\r\n", I, "" },
	{ "two colons", "GET / HTTP/1.1\r\nHost: example.com:80:80\r\n\r\n", I, "" },
	{ "IPv6 literal with port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", N, "" },
	{ "IPv6 literal", "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", N, "" },
	{ "IPv6 unterminated", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", I, "" },
	{ "IPv6 bad char", "GET / HTTP/1.1\r\nHost: [::g]\r\n\r\n", I, "" },
	{ "IPv4 literal", "GET / HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n", N, "" },
	{ "bad IPv4 literal", "GET / HTTP/1.1\r\nHost: 192.0.2.256\r\n\r\n", I, "" },
	{ "empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", N, "" },
	{ "Host among others", "POST /x?y HTTP/1.1\r\nUser-Agent: t\r\nAccept: */*\r\nHost: a.b.example\r\nContent-Length: 0\r\n\r\n", F, "a.b.example" },
	{ "obs-text in another header", "GET / HTTP/1.1\r\nX: \xc3\xa9\r\nHost: example.com\r\n\r\n", F, "example.com" },
	{ "body bytes after head ignored", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n\x16\x03\x01garbage", F, "example.com" },
	{ "underscore allowed", "GET / HTTP/1.1\r\nHost: my_bucket.example.com\r\n\r\n", F, "my_bucket.example.com" },
	{ "punycode as written", "GET / HTTP/1.1\r\nHost: xn--bcher-kva.example\r\n\r\n", F, "xn--bcher-kva.example" },
	{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n", F, "example.com" },
	{ "* with GET", "GET * HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "duplicate Host", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", I, "" },
	{ "duplicate Host same value", "GET / HTTP/1.1\r\nHost: a.example\r\nhost: a.example\r\n\r\n", I, "" },
	{ "missing Host in 1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", I, "" },
	{ "missing Host in 1.0", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", N, "" },
	{ "absolute-form", "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "authority-form CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", I, "" },
	{ "LF-only line endings", "GET / HTTP/1.1\nHost: example.com\n\n", I, "" },
	{ "bare LF inside head", "GET / HTTP/1.1\r\nHost: example.com\nX: y\r\n\r\n", I, "" },
	{ "CR without LF", "GET / HTTP/1.1\r\nHost: example.com\rX\r\n\r\n", I, "" },
	{ "space before colon", "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n", I, "" },
	{ "obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\nHost: example.com\r\n\r\n", I, "" },
	{ "HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", I, "" },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: example.com\r\n\r\n", I, "" },
	{ "lower-case version", "GET / http/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "bad method char", "G(T / HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "empty method", " / HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "two spaces", "GET  / HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "leading empty line", "\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n", I, "" },
	{ "NUL in header", "GET / HTTP/1.1\r\nX: a\0b\r\nHost: example.com\r\n\r\n", I, "" },
	{ "userinfo in Host", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", I, "" },
	{ "wildcard in Host", "GET / HTTP/1.1\r\nHost: *.example.com\r\n\r\n", I, "" },
	{ "space inside Host", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", I, "" },
	{ "evil suffix name kept whole", "GET / HTTP/1.1\r\nHost: evilexample.com\r\n\r\n", F, "evilexample.com" },
	{ "TLS bytes", "\x16\x03\x01\x02\x00\x01", I, "" },
	{ "incomplete head", "GET / HTTP/1.1\r\nHost: example.com\r\n", M, "" },
	{ "incomplete head, host seen", "GET / HTTP/1.1\r\nHost: example.com\r\n\r", M, "" },
	{ "only method", "GET", M, "" },
	{ "empty", "", M, "" },
};

/* The whole request is the string; NUL-containing cases need their length. */
static size_t case_len(const struct http_case *c)
{
	if (strcmp(c->what, "NUL in header") == 0)
		return sizeof("GET / HTTP/1.1\r\nX: a\0b\r\nHost: example.com\r\n\r\n") - 1;
	return strlen(c->req);
}

static void http_table(void)
{
	size_t i, k, n;
	char nm[300];

	for (i = 0; i < sizeof(http_cases) / sizeof(http_cases[0]); i++) {
		const struct http_case *c = &http_cases[i];

		snprintf(nm, sizeof(nm), "http: %s", c->what);
		n = case_len(c);
		CASE_BEGIN(nm);
		expect(http((const u8 *)c->req, n), c->rc, c->name);
		/* A decided request's prefixes: need-more or the same verdict */
		for (k = 0; c->rc != M && k < n; k++) {
			struct res r = http((const u8 *)c->req, k);

			if (r.rc != M && r.rc != c->rc) {
				CHECK(0, "cut at %zu: %s", k, rn(r.rc));
				break;
			}
		}
		CASE_END();
	}

	CASE_BEGIN("http: head longer than 16 KiB is invalid, shorter needs more");
	{
		static u8 big[EGRESSK_PARSE_MAX_INPUT + 100];
		size_t p = 0;

		p += sprintf((char *)big, "GET / HTTP/1.1\r\nHost: example.com\r\n");
		while (p < sizeof(big) - 10)
			p += sprintf((char *)big + p, "X-Pad: aaaaaaaaaaaaaaaaaaaaa\r\n");
		expect(http(big, EGRESSK_PARSE_MAX_INPUT - 1), M, "");
		expect(http(big, EGRESSK_PARSE_MAX_INPUT), I, "");
		expect(http(big, p), I, "");
	}
	CASE_END();
}

/*
 * What a stream claims to be: a domain rule's address-only path (ssh on a
 * listed port) is only for streams that claim neither TLS nor HTTP, so a
 * request the HTTP parser rejects can never slip through it.
 */
struct kind_case {
	const char *what;
	const char *buf;
	size_t len;
	int kind;
};

static const struct kind_case kind_cases[] = {
	{ "empty", "", 0, EGRESSK_STREAM_OTHER },
	{ "TLS record header", "\x16\x03\x01", 3, EGRESSK_STREAM_TLS },
	{ "one handshake byte", "\x16", 1, EGRESSK_STREAM_TLS },
	{ "TLS alert is not a ClientHello", "\x15\x03\x01", 3, EGRESSK_STREAM_OTHER },
	{ "GET", "GET / HTTP/1.1\r\n", 16, EGRESSK_STREAM_HTTP },
	{ "absolute-form", "GET http://evil.example/ HTTP/1.1\r\n", 35, EGRESSK_STREAM_HTTP },
	{ "CONNECT", "CONNECT evil.example:443 HTTP/1.1\r\n", 35, EGRESSK_STREAM_HTTP },
	{ "bare-LF request", "GET / HTTP/1.1\nHost: a\n\n", 25, EGRESSK_STREAM_HTTP },
	{ "lowercase method", "get / HTTP/1.1", 14, EGRESSK_STREAM_HTTP },
	{ "method with a hyphen", "VERSION-CONTROL / HTTP/1.1", 26, EGRESSK_STREAM_HTTP },
	{ "token with digits", "X1 /", 4, EGRESSK_STREAM_OTHER },
	{ "method without space yet", "GET", 3, EGRESSK_STREAM_OTHER },
	{ "ssh banner", "SSH-2.0-OpenSSH_9.2p1 Debian\r\n", 30, EGRESSK_STREAM_OTHER },
	{ "leading space", " GET / HTTP/1.1", 15, EGRESSK_STREAM_OTHER },
	{ "binary", "\x00\x01\x02 ", 4, EGRESSK_STREAM_OTHER },
};

static void kind_table(void)
{
	size_t i;
	char nm[300];

	for (i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]); i++) {
		const struct kind_case *c = &kind_cases[i];
		int got = egressk_stream_kind((const u8 *)c->buf, c->len);

		snprintf(nm, sizeof(nm), "stream kind: %s", c->what);
		CASE_BEGIN(nm);
		CHECK(got == c->kind, "got %d, want %d", got, c->kind);
		CASE_END();
	}
}

/* ---------------------------------------------------------- names */

struct name_case {
	const char *name;
	bool valid;
};

static const struct name_case name_cases[] = {
	{ "example.com", true },
	{ "a", true },
	{ "localhost", true },
	{ "xn--bcher-kva.example", true },
	{ "a-b.c_d.example", true },
	{ "_dmarc.example.com", true },
	{ "0.example.com", true },
	{ "example.123x", true },
	{ "", false },
	{ ".", false },
	{ "example.com.", false },	/* valid() takes normalised names */
	{ "Example.com", false },	/* ditto: lowercase only */
	{ ".example.com", false },
	{ "a..b", false },
	{ "-a.example", false },
	{ "a-.example", false },
	{ "a.example-", false },
	{ "a b.example", false },
	{ "*.example.com", false },
	{ "10.0.0.1", false },
	{ "example.123", false },
	{ "a/b", false },
	{ "a:80", false },
};

static void name_tests(void)
{
	char label63[70], label64[70], buf[600], out[EGRESSK_NAME_BUF];
	size_t i, l;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		char nm[200];

		snprintf(nm, sizeof(nm), "name valid: '%s' -> %s", name_cases[i].name,
			 name_cases[i].valid ? "valid" : "invalid");
		CASE_BEGIN(nm);
		CHECK(egressk_name_valid(name_cases[i].name, strlen(name_cases[i].name)) ==
		      name_cases[i].valid, "wrong verdict");
		CASE_END();
	}

	CASE_BEGIN("name: label of 63 valid, 64 invalid");
	memset(label63, 'a', 63); label63[63] = '\0';
	memset(label64, 'a', 64); label64[64] = '\0';
	snprintf(buf, sizeof(buf), "%s.example", label63);
	CHECK(egressk_name_valid(buf, strlen(buf)), "63");
	snprintf(buf, sizeof(buf), "%s.example", label64);
	CHECK(!egressk_name_valid(buf, strlen(buf)), "64");
	CASE_END();

	CASE_BEGIN("name: total 253 valid, 254 invalid");
	snprintf(buf, sizeof(buf), "%s.%s.%s.%s", label63, label63, label63, label63);
	buf[253] = '\0';
	CHECK(strlen(buf) == 253 && egressk_name_valid(buf, 253), "253");
	strcat(buf, "a");
	CHECK(!egressk_name_valid(buf, 254), "254");
	CASE_END();

	CASE_BEGIN("name: normalize lowercases and drops one trailing dot");
	CHECK(egressk_name_normalize("WWW.Example.COM.", 16, out, sizeof(out), &l) == 0 &&
	      l == 15 && strcmp(out, "www.example.com") == 0, "got '%s'", out);
	CHECK(egressk_name_normalize("example.com..", 13, out, sizeof(out), &l) == -EINVAL, "two dots");
	CHECK(egressk_name_normalize(".", 1, out, sizeof(out), &l) == -EINVAL, "root");
	CHECK(egressk_name_normalize("example.com", 11, out, 11, &l) == -ENAMETOOLONG, "no room for NUL");
	CHECK(egressk_name_normalize("example.com", 11, out, 12, &l) == 0, "exact room");
	CASE_END();

	CASE_BEGIN("name: suffixes longest first, at label boundaries");
	{
		const char *n = "a.bb.example.com";
		static const char *const want[] = { "a.bb.example.com", "bb.example.com",
						    "example.com", "com" };
		size_t off, k = 0, len = strlen(n);

		for (off = 0; off < len; off = egressk_name_next_suffix(n, len, off), k++)
			CHECK(k < 4 && strcmp(n + off, want[k]) == 0, "step %zu: '%s'", k, n + off);
		CHECK(k == 4, "%zu suffixes", k);
		CHECK(egressk_name_next_suffix("com", 3, 0) == 3, "single label");
	}
	CASE_END();
}

struct match_case {
	const char *pattern, *name;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "example.com", "example.com", true },
	{ "example.com", "EXAMPLE.com.", true },
	{ "example.com.", "example.com", true },
	{ "example.com", "www.example.com", false },
	{ "example.com", "evilexample.com", false },
	{ ".example.com", "example.com", true },
	{ ".example.com", "www.example.com", true },
	{ ".example.com", "a.b.c.example.com", true },
	{ ".example.com", "evilexample.com", false },
	{ ".example.com", "example.com.evil.net", false },
	{ ".example.com", "xexample.com", false },
	{ ".Example.COM", "WWW.example.com", true },
	{ "*.example.com", "example.com", false },
	{ "*.example.com", "www.example.com", true },
	{ "*.example.com", "a.b.example.com", true },
	{ "*.example.com", "evilexample.com", false },
	{ "*.example.com", "www.evilexample.com", false },
	{ ".com", "example.com", true },
	{ "com", "example.com", false },
	{ "example.com", "", false },
	{ "", "example.com", false },
	{ ".", "example.com", false },
	{ "*.", "example.com", false },
	{ "*", "example.com", false },
	{ "**.example.com", "a.example.com", false },
	{ "*example.com", "aexample.com", false },
	{ "www.*.com", "www.example.com", false },
	{ "example.com", "example..com", false },
	{ ".example.com", "a..example.com", false },
	{ ".example.com", ".example.com", false },
	{ "10.0.0.1", "10.0.0.1", false },
};

/*
 * Through the real table: split and normalise the pattern the way the policy
 * code will, build a one-rule table (default ports), normalise the name the
 * way the parsers do, match on tcp/443.  A pattern the table cannot hold
 * matches nothing.
 */
static bool table_match_pattern(const char *pattern, const char *name)
{
	char pat[DOMAIN_PATTERN_BUF], n[EGRESSK_NAME_BUF];
	struct domain_rule_in r = { 0 };
	struct domain_table t;
	size_t pl, bl, nl;
	const char *base;
	u32 id;

	if (domain_pattern_normalize(pattern, strlen(pattern), pat, sizeof(pat), &pl) ||
	    domain_pattern_split(pat, pl, &base, &bl, &r.kind) ||
	    egressk_name_normalize(name, strlen(name), n, sizeof(n), &nl))
		return false;
	r.base = base;
	r.base_len = (u8)bl;
	r.id = 42;
	if (domain_table_build(&t, &r, 1))
		return false;
	id = domain_table_match(&t, n, nl, 443);
	domain_table_free(&t);
	return id == 42;
}

static void match_tests(void)
{
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		char nm[300];

		snprintf(nm, sizeof(nm), "match: '%s' vs '%s' -> %s", c->pattern, c->name,
			 c->match ? "match" : "no match");
		CASE_BEGIN(nm);
		CHECK(egressk_domain_match(c->pattern, c->name) == c->match, "reference matcher");
		CHECK(table_match_pattern(c->pattern, c->name) == c->match, "domain_table");
		CASE_END();
	}
}

/* ------------------------------------------------------- domain table */

#define DNONE DOMAIN_NONE

/*
 * Ports as the policy writes them, "80", "8000-8080,9000"; NULL or "" means
 * none given (the table's default tcp 80 and 443).  Returns the count.
 */
static u32 parse_ports(const char *spec, struct cidr_port_range *out, u32 max)
{
	u32 n = 0;

	while (spec && *spec && n < max) {
		char *end;
		unsigned long a = strtoul(spec, &end, 10), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		out[n].first = (u16)a;
		out[n].last = (u16)b;
		n++;
		spec = *end == ',' ? end + 1 : end;
	}
	return n;
}

#define DT_MAX_RULES	8
#define DT_MAX_PROBES	12
#define DT_MAX_RANGES	8

struct dt_rule {
	const char *pattern;	/* "x", ".x", "*.x", normalised */
	u32 id;
	const char *ports;	/* NULL: default */
};

struct dt_probe {
	const char *name;
	u16 port;
	u32 want;
};

struct dt_case {
	const char *desc;
	struct dt_rule rules[DT_MAX_RULES];
	struct dt_probe probes[DT_MAX_PROBES];
};

static const struct dt_case dt_cases[] = {
	{ "exact rule: the name only",
	  { { "example.com", 1, NULL } },
	  { { "example.com", 443, 1 }, { "example.com", 80, 1 },
	    { "www.example.com", 443, DNONE }, { "com", 443, DNONE },
	    { "evilexample.com", 443, DNONE }, { "example.org", 443, DNONE } } },
	{ "suffix rule: the name and every subdomain",
	  { { ".example.com", 2, NULL } },
	  { { "example.com", 443, 2 }, { "www.example.com", 443, 2 },
	    { "a.b.c.example.com", 80, 2 }, { "com", 443, DNONE },
	    /* Regression: a suffix match needs a label boundary. */
	    { "evilexample.com", 443, DNONE }, { "www.evilexample.com", 443, DNONE },
	    { "xexample.com", 443, DNONE }, { "example.com.evil.net", 443, DNONE } } },
	{ "subdomains rule: subdomains only",
	  { { "*.example.com", 3, NULL } },
	  { { "example.com", 443, DNONE }, { "www.example.com", 443, 3 },
	    { "a.b.example.com", 443, 3 }, { "evilexample.com", 443, DNONE },
	    { "www.evilexample.com", 443, DNONE } } },
	{ "names must be normalised already",
	  { { ".example.com", 1, NULL } },
	  /* The parsers lowercase and drop the dot; anything else is invalid. */
	  { { "WWW.example.com", 443, DNONE }, { "example.com.", 443, DNONE },
	    { "www.example.com", 443, 1 } } },
	{ "default ports are tcp 80 and 443 only",
	  { { "example.com", 1, NULL } },
	  { { "example.com", 80, 1 }, { "example.com", 443, 1 },
	    { "example.com", 79, DNONE }, { "example.com", 81, DNONE },
	    { "example.com", 442, DNONE }, { "example.com", 444, DNONE },
	    { "example.com", 8080, DNONE }, { "example.com", 0, DNONE },
	    { "example.com", 65535, DNONE } } },
	{ "explicit ranges replace the defaults",
	  { { "example.com", 1, "8000-8080,9000" } },
	  { { "example.com", 8000, 1 }, { "example.com", 8040, 1 },
	    { "example.com", 8080, 1 }, { "example.com", 9000, 1 },
	    { "example.com", 7999, DNONE }, { "example.com", 8081, DNONE },
	    { "example.com", 9001, DNONE }, { "example.com", 443, DNONE },
	    { "example.com", 80, DNONE } } },
	{ "port range edges 0 and 65535",
	  { { "lo.example", 1, "0-1" }, { "hi.example", 2, "65534-65535" } },
	  { { "lo.example", 0, 1 }, { "lo.example", 1, 1 }, { "lo.example", 2, DNONE },
	    { "hi.example", 65535, 2 }, { "hi.example", 65534, 2 },
	    { "hi.example", 65533, DNONE }, { "hi.example", 0, DNONE } } },
	{ "several rules on one name with different ports",
	  { { "api.example.com", 5, "443" }, { "api.example.com", 6, "8443" },
	    { "api.example.com", 7, "22-23" } },
	  { { "api.example.com", 443, 5 }, { "api.example.com", 8443, 6 },
	    { "api.example.com", 22, 7 }, { "api.example.com", 23, 7 },
	    { "api.example.com", 80, DNONE }, { "api.example.com", 24, DNONE } } },
	{ "most specific suffix wins over a lower id",
	  { { ".example.com", 1, NULL }, { "*.api.example.com", 20, NULL },
	    { "a.api.example.com", 30, NULL } },
	  { { "a.api.example.com", 443, 30 }, { "b.api.example.com", 443, 20 },
	    { "x.a.api.example.com", 443, 20 }, { "api.example.com", 443, 1 },
	    { "example.com", 443, 1 }, { "other.example.com", 443, 1 } } },
	{ "a more specific rule on another port falls back",
	  { { ".example.com", 1, NULL }, { "*.api.example.com", 20, "8443" } },
	  /* Regression: the longest base with no rule for the port must not end the walk. */
	  { { "b.api.example.com", 443, 1 }, { "b.api.example.com", 8443, 20 },
	    { "api.example.com", 8443, DNONE } } },
	{ "same base: lowest id wins",
	  { { "example.com", 7, NULL }, { ".example.com", 3, NULL }, { "*.example.com", 1, NULL } },
	  { { "example.com", 443, 3 }, { "www.example.com", 443, 1 } } },
	{ "same base: lowest id among those that apply",
	  { { "*.example.com", 1, NULL }, { "example.com", 2, NULL }, { ".example.com", 3, NULL } },
	  { { "example.com", 443, 2 }, { "www.example.com", 443, 1 } } },
	{ "duplicate rules and ids in any order",
	  { { ".b.example", 9, NULL }, { "a.b.example", 4, NULL }, { ".b.example", 2, NULL },
	    { "a.b.example", 4, NULL } },
	  { { "a.b.example", 443, 4 }, { "b.example", 443, 2 }, { "c.b.example", 80, 2 } } },
	{ "top-level suffix rule",
	  { { ".com", 1, NULL } },
	  { { "example.com", 443, 1 }, { "com", 443, 1 }, { "example.org", 443, DNONE } } },
	{ "single-label names",
	  { { "localhost", 1, NULL }, { "*.internal", 2, NULL } },
	  { { "localhost", 443, 1 }, { "a.localhost", 443, DNONE },
	    { "internal", 443, DNONE }, { "db.internal", 443, 2 } } },
	{ "underscores, digits and punycode",
	  { { "_acme.example.com", 1, NULL }, { ".xn--bcher-kva.example", 2, NULL },
	    { "web01.example.com", 3, NULL } },
	  { { "_acme.example.com", 443, 1 }, { "shop.xn--bcher-kva.example", 443, 2 },
	    { "web01.example.com", 443, 3 }, { "web02.example.com", 443, DNONE } } },
	{ "invalid names never match",
	  { { ".example.com", 1, NULL } },
	  { { "a..example.com", 443, DNONE }, { ".example.com", 443, DNONE },
	    { "-a.example.com", 443, DNONE }, { "a b.example.com", 443, DNONE },
	    { "*.example.com", 443, DNONE }, { "", 443, DNONE } } },
	{ "an address-like name is not a name",
	  { { ".0.1", 1, NULL }, { ".1", 2, NULL } },
	  /* The table refuses these bases, see build errors; here: no crash. */
	  { { "10.0.0.1", 443, DNONE } } },
};

static int dt_build(struct domain_table *t, const struct dt_rule *rules, u64 seed,
		    struct cidr_port_range ranges[][DT_MAX_RANGES])
{
	struct domain_rule_in in[DT_MAX_RULES];
	u32 n = 0, i;

	memset(in, 0, sizeof(in));
	for (i = 0; i < DT_MAX_RULES && rules[i].pattern; i++) {
		const char *base;
		size_t bl;
		u8 kind;

		/* Rules whose pattern is invalid are left out. */
		if (domain_pattern_split(rules[i].pattern, strlen(rules[i].pattern),
					 &base, &bl, &kind))
			continue;
		in[n].base = base;
		in[n].base_len = (u8)bl;
		in[n].kind = kind;
		in[n].id = rules[i].id;
		in[n].nr_ranges = parse_ports(rules[i].ports, ranges[n], DT_MAX_RANGES);
		in[n].ranges = ranges[n];
		n++;
	}
	return domain_table_build_seed(t, in, n, seed);
}

/* Match @name through a copy of exactly @len bytes: ASan sees any overread. */
static u32 dt_match(const struct domain_table *t, const char *name, size_t len, u16 port)
{
	char *copy = malloc(len ? len : 1);
	u32 id;

	memcpy(copy, name, len);
	id = domain_table_match(t, copy, len, port);
	free(copy);
	return id;
}

static void domain_case_tests(void)
{
	static const u64 seeds[] = { 0, 1, 0x9e3779b97f4a7c15ULL, ~0ULL };
	size_t i, s, k;

	for (i = 0; i < sizeof(dt_cases) / sizeof(dt_cases[0]); i++) {
		const struct dt_case *c = &dt_cases[i];
		char nm[200];

		snprintf(nm, sizeof(nm), "domain table: %s", c->desc);
		CASE_BEGIN(nm);
		/* Same answers whatever the seed (bucket layout). */
		for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
			struct cidr_port_range ranges[DT_MAX_RULES][DT_MAX_RANGES];
			struct domain_table t;
			int err = dt_build(&t, c->rules, seeds[s], ranges);

			CHECK(err == 0, "build: %d", err);
			if (err)
				continue;
			for (k = 0; k < DT_MAX_PROBES && c->probes[k].name; k++) {
				const struct dt_probe *p = &c->probes[k];
				u32 got = dt_match(&t, p->name, strlen(p->name), p->port);

				CHECK(got == p->want, "seed %zu: '%s':%u -> %d, want %d", s,
				      p->name, p->port, (int)got, (int)p->want);
			}
			domain_table_free(&t);
		}
		CASE_END();
	}
}

struct split_case {
	const char *pattern;
	int ret;
	const char *base;
	u8 kind;
};

static const struct split_case split_cases[] = {
	{ "example.com", 0, "example.com", DOMAIN_EXACT },
	{ ".example.com", 0, "example.com", DOMAIN_SUFFIX },
	{ "*.example.com", 0, "example.com", DOMAIN_SUBDOMAINS },
	{ ".com", 0, "com", DOMAIN_SUFFIX },
	{ "*.a", 0, "a", DOMAIN_SUBDOMAINS },
	{ "", -EINVAL, NULL, 0 },
	{ ".", -EINVAL, NULL, 0 },
	{ "*.", -EINVAL, NULL, 0 },
	{ "*", -EINVAL, NULL, 0 },
	{ "*example.com", -EINVAL, NULL, 0 },
	{ "**.example.com", -EINVAL, NULL, 0 },
	{ "*.*.example.com", -EINVAL, NULL, 0 },
	{ "..example.com", -EINVAL, NULL, 0 },
	{ ".*.example.com", -EINVAL, NULL, 0 },
	{ "www.*.com", -EINVAL, NULL, 0 },
	/* Normalised input only: the policy code lowercases and drops the dot. */
	{ "Example.com", -EINVAL, NULL, 0 },
	{ "example.com.", -EINVAL, NULL, 0 },
	{ "10.0.0.1", -EINVAL, NULL, 0 },
	{ ".0.1", -EINVAL, NULL, 0 },
};

static void domain_split_tests(void)
{
	size_t i;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		const char *base = NULL;
		size_t bl = 999;
		u8 kind = 99;
		char nm[200];
		int ret;

		snprintf(nm, sizeof(nm), "domain pattern split: '%s' -> %d", c->pattern, c->ret);
		CASE_BEGIN(nm);
		ret = domain_pattern_split(c->pattern, strlen(c->pattern), &base, &bl, &kind);
		CHECK(ret == c->ret, "returned %d", ret);
		if (c->ret == 0 && ret == 0) {
			CHECK(bl == strlen(c->base) && !memcmp(base, c->base, bl),
			      "base '%.*s'", (int)bl, base);
			CHECK(base >= c->pattern && base + bl == c->pattern + strlen(c->pattern),
			      "base points into the pattern");
			CHECK(kind == c->kind, "kind %u", kind);
		}
		CASE_END();
	}
	CASE_BEGIN("domain pattern split: the length bounds the pattern");
	{
		const char *base;
		size_t bl;
		u8 kind;

		CHECK(domain_pattern_split(".example.com!junk", 12, &base, &bl, &kind) == 0 &&
		      bl == 11 && kind == DOMAIN_SUFFIX, "prefix of a longer buffer");
		CHECK(domain_pattern_split("*.x", 1, &base, &bl, &kind) == -EINVAL, "'*' alone");
		CHECK(domain_pattern_split(NULL, 0, &base, &bl, &kind) == -EINVAL, "NULL");
	}
	CASE_END();
}

static void domain_edge_tests(void)
{
	static const struct cidr_port_range bad_range = { 90, 80 }, one = { 22, 22 };
	struct domain_rule_in r = { "example.com", 11, DOMAIN_EXACT, 1, 0, NULL };
	struct domain_table t;
	char n253[300], n254[300];
	int err;
	u32 p;

	CASE_BEGIN("domain table: empty table matches nothing, covers no port");
	err = domain_table_build(&t, NULL, 0);
	CHECK(err == 0, "build %d", err);
	CHECK(dt_match(&t, "example.com", 11, 443) == DNONE, "match");
	for (p = 0; p < 65536; p++)
		if (domain_table_covers_port(&t, (u16)p))
			break;
	CHECK(p == 65536, "covers port %u", p);
	CHECK(domain_table_bytes(&t) == 0, "bytes");
	domain_table_free(&t);
	domain_table_free(&t);	/* twice is fine: the table is left empty */
	CASE_END();

	CASE_BEGIN("domain table: port map is the union of the rules' ports");
	{
		struct cidr_port_range rr[3] = { { 1000, 2000 }, { 1500, 3000 }, { 65535, 65535 } };
		struct domain_rule_in in[3] = {
			{ "a.example", 9, DOMAIN_EXACT, 1, 0, NULL },
			{ "b.example", 9, DOMAIN_SUFFIX, 2, 2, rr },
			{ "c.example", 9, DOMAIN_SUBDOMAINS, 3, 1, rr + 2 },
		};
		u32 bad = 65536;

		err = domain_table_build(&t, in, 3);
		CHECK(err == 0, "build %d", err);
		for (p = 0; p < 65536; p++) {
			bool want = p == 80 || p == 443 || (p >= 1000 && p <= 3000) || p == 65535;

			if (domain_table_covers_port(&t, (u16)p) != want && bad == 65536)
				bad = p;
		}
		CHECK(bad == 65536, "port %u wrong in the map", bad);
		CHECK(domain_table_bytes(&t) >= 8192, "bytes %llu",
		      (unsigned long long)domain_table_bytes(&t));
		domain_table_free(&t);
	}
	CASE_END();

	CASE_BEGIN("domain table: build refuses bad rules and leaves the table empty");
	r.base = "Example.com";
	CHECK(domain_table_build(&t, &r, 1) == -EINVAL && !t.nr_buckets && !t.entries,
	      "uppercase base");
	r.base = "example.com";
	r.base_len = 0;
	CHECK(domain_table_build(&t, &r, 1) == -EINVAL, "empty base");
	r.base_len = 11;
	r.kind = 3;
	CHECK(domain_table_build(&t, &r, 1) == -EINVAL, "unknown kind");
	r.kind = DOMAIN_EXACT;
	r.nr_ranges = 1;
	r.ranges = &bad_range;
	CHECK(domain_table_build(&t, &r, 1) == -EINVAL, "first > last");
	r.ranges = NULL;
	CHECK(domain_table_build(&t, &r, 1) == -EINVAL, "ranges NULL");
	r.ranges = &one;
	CHECK(domain_table_build(&t, NULL, 1) == -EINVAL, "rules NULL");
	CHECK(domain_table_build(&t, &r, EGRESSK_MAX_DOMAIN_RULES + 1) == -E2BIG &&
	      !t.nr_rules && !t.port_map, "more than EGRESSK_MAX_DOMAIN_RULES");
	CHECK(domain_table_build(&t, &r, 1) == 0, "the fixed rule builds");
	CHECK(dt_match(&t, "example.com", 11, 22) == 1, "and matches on its port");
	domain_table_free(&t);
	CASE_END();

	CASE_BEGIN("domain table: bad match inputs are no match");
	r.nr_ranges = 0;
	r.ranges = NULL;
	CHECK(domain_table_build(&t, &r, 1) == 0, "build");
	CHECK(domain_table_match(&t, NULL, 11, 443) == DNONE, "NULL name");
	CHECK(domain_table_match(&t, "example.com", 0, 443) == DNONE, "len 0");
	CHECK(domain_table_match(NULL, "example.com", 11, 443) == DNONE, "NULL table");
	/* @len bounds the read: the bytes after it do not count. */
	CHECK(domain_table_match(&t, "example.comX", 11, 443) == 1, "prefix of a buffer");
	CHECK(domain_table_match(&t, "example.com.", 11, 443) == 1, "dot after len");
	CHECK(domain_table_match(&t, "example.com", 10, 443) == DNONE, "cut short");
	CHECK(dt_match(&t, "example.com\0", 12, 443) == DNONE, "NUL inside len");
	memset(n254, 'a', sizeof(n254));
	CHECK(domain_table_match(&t, n254, 254, 443) == DNONE, "len 254");
	CHECK(domain_table_match(&t, n254, (size_t)-1, 443) == DNONE, "len SIZE_MAX");
	domain_table_free(&t);
	CASE_END();

	/*
	 * The DNS query filter asks whether any rule covers a name, whatever
	 * its ports: a rule on port 22 must let its name be resolved.
	 * Guards against the filter refusing names of rules off 80/443.
	 */
	CASE_BEGIN("domain table: match_any ignores ports, keeps kinds and suffix rules");
	{
		static const struct cidr_port_range p22 = { 22, 22 };
		struct domain_rule_in in[3];

		memset(in, 0, sizeof(in));
		in[0].base = "git.test";
		in[0].base_len = 8;
		in[0].kind = DOMAIN_EXACT;
		in[0].id = 5;
		in[0].nr_ranges = 1;
		in[0].ranges = &p22;
		in[1].base = "sub.test";
		in[1].base_len = 8;
		in[1].kind = DOMAIN_SUBDOMAINS;
		in[1].id = 6;
		in[2].base = "all.test";
		in[2].base_len = 8;
		in[2].kind = DOMAIN_SUFFIX;
		in[2].id = 7;
		CHECK(domain_table_build(&t, in, 3) == 0, "build");
		CHECK(domain_table_match(&t, "git.test", 8, 443) == DNONE,
		      "port 443 is not the rule's");
		CHECK(domain_table_match_any(&t, "git.test", 8) == 5, "any port");
		CHECK(domain_table_match_any(&t, "x.git.test", 10) == DNONE,
		      "exact stays exact");
		CHECK(domain_table_match_any(&t, "sub.test", 8) == DNONE,
		      "*.sub.test excludes the base");
		CHECK(domain_table_match_any(&t, "a.b.sub.test", 12) == 6,
		      "*.sub.test at any depth");
		CHECK(domain_table_match_any(&t, "all.test", 8) == 7 &&
		      domain_table_match_any(&t, "x.all.test", 10) == 7,
		      ".all.test covers the base and below");
		CHECK(domain_table_match_any(&t, "evilall.test", 12) == DNONE,
		      "label boundary");
		CHECK(domain_table_match_any(&t, "Git.test", 8) == DNONE,
		      "names come normalised: uppercase is invalid here");
		CHECK(domain_table_match_any(NULL, "git.test", 8) == DNONE,
		      "NULL table");
		domain_table_free(&t);
	}
	CASE_END();

	CASE_BEGIN("domain table: 253-character names and 63-character labels");
	{
		/* 3 labels of 63, one of 61: 63*3 + 61 + 3 dots = 253. */
		struct domain_rule_in in[2];
		size_t i;

		for (i = 0; i < 253; i++)
			n253[i] = (i % 64 == 63) ? '.' : (char)('a' + i % 26);
		n253[253] = '\0';
		memset(in, 0, sizeof(in));
		in[0].base = n253;
		in[0].base_len = 253;
		in[0].id = 1;
		in[1].base = n253 + 64;	/* the last three labels */
		in[1].base_len = 253 - 64;
		in[1].kind = DOMAIN_SUBDOMAINS;
		in[1].id = 2;
		CHECK(egressk_name_valid(n253, 253), "test name valid");
		err = domain_table_build(&t, in, 2);
		CHECK(err == 0, "build %d", err);
		CHECK(dt_match(&t, n253, 253, 443) == 1, "the full name");
		/* Not the exact name, but still a subdomain of rule 2's base. */
		CHECK(dt_match(&t, n253 + 1, 252, 443) == 2, "first character cut");
		CHECK(dt_match(&t, n253 + 64, 253 - 64, 443) == DNONE, "the base itself");
		memcpy(n254, "z.", 2);
		memcpy(n254 + 2, n253 + 64, 253 - 64);
		CHECK(dt_match(&t, n254, 253 - 64 + 2, 443) == 2, "a subdomain of it");
		domain_table_free(&t);
	}
	CASE_END();
}

/* ------------------------------------------------- large and random tables */

static u64 drng;

static u64 drnd(void)
{
	drng ^= drng >> 12;
	drng ^= drng << 25;
	drng ^= drng >> 27;
	return drng * 2685821657736338717ULL;
}

static size_t rand_label(char *out, size_t min, size_t max)
{
	size_t n = min + drnd() % (max - min + 1), i;

	for (i = 0; i < n; i++)
		out[i] = (char)('a' + drnd() % 26);
	return n;
}

#define BIG_RULES 10000

/*
 * 10,000 rules on three-label bases "<label>.<label>.test", so no base is a
 * label suffix of another and every rule's own probe has one right answer.
 */
static void domain_big_table_test(void)
{
	static char bases[BIG_RULES][32];
	static struct domain_rule_in in[BIG_RULES];
	static struct cidr_port_range ranges[BIG_RULES];
	static u32 ids[BIG_RULES];
	struct domain_table t;
	u32 i, missed = 0, wrong = 0, found = 0, covered_bad = 0;
	char probe[64];
	int err;

	drng = 0x5eed1234abcdULL;
	for (i = 0; i < BIG_RULES; i++)
		ids[i] = i;
	for (i = BIG_RULES - 1; i > 0; i--) {	/* ids in a random order */
		u32 j = drnd() % (i + 1), x = ids[i];

		ids[i] = ids[j];
		ids[j] = x;
	}
	for (i = 0; i < BIG_RULES; i++) {
		size_t l = rand_label(bases[i], 6, 10);

		bases[i][l++] = '.';
		l += rand_label(bases[i] + l, 4, 8);
		memcpy(bases[i] + l, ".test", 5);
		l += 5;
		in[i].base = bases[i];
		in[i].base_len = (u8)l;
		in[i].kind = (u8)(i % 3);
		in[i].id = ids[i];
		if (i % 2) {	/* explicit port 1000..1999 */
			ranges[i].first = ranges[i].last = (u16)(1000 + drnd() % 1000);
			in[i].nr_ranges = 1;
			in[i].ranges = &ranges[i];
		}
	}

	CASE_BEGIN("domain table: 10,000 rules, every rule found on its own ports");
	err = domain_table_build(&t, in, BIG_RULES);
	CHECK(err == 0, "build %d", err);
	/* Random bases: distinct with overwhelming odds, and for this seed. */
	CHECK(t.nr_entries == BIG_RULES, "entries %u", t.nr_entries);
	CHECK(t.nr_buckets >= 2 * t.nr_entries && !(t.nr_buckets & (t.nr_buckets - 1)),
	      "buckets %u for %u entries", t.nr_buckets, t.nr_entries);
	for (i = 0; i < BIG_RULES && !err; i++) {
		u16 port = in[i].nr_ranges ? ranges[i].first : (i % 4 ? 443 : 80);
		size_t bl = in[i].base_len;
		u32 self = dt_match(&t, in[i].base, bl, port), sub;

		probe[0] = 'x';
		probe[1] = '.';
		memcpy(probe + 2, in[i].base, bl);
		sub = dt_match(&t, probe, bl + 2, port);
		if (in[i].kind != DOMAIN_SUBDOMAINS && self == DNONE)
			missed++;
		else if (in[i].kind != DOMAIN_EXACT && sub == DNONE)
			missed++;
		else if ((in[i].kind == DOMAIN_EXACT && (self != ids[i] || sub != DNONE)) ||
			 (in[i].kind == DOMAIN_SUFFIX && (self != ids[i] || sub != ids[i])) ||
			 (in[i].kind == DOMAIN_SUBDOMAINS && (self != DNONE || sub != ids[i])))
			wrong++;
		else
			found++;
		/* A port no rule on this name covers. */
		if (dt_match(&t, in[i].base, bl, in[i].nr_ranges ? 443 : 1000) != DNONE)
			covered_bad++;
	}
	CHECK(missed == 0 && wrong == 0, "%u missed, %u wrong, %u found", missed, wrong, found);
	CHECK(covered_bad == 0, "%u matched on a port they do not cover", covered_bad);
	CASE_END();

	CASE_BEGIN("domain table: 10,000 rules, random non-names not found");
	missed = 0;
	for (i = 0; i < 30000 && !err; i++) {
		size_t l = 0;

		switch (i % 3) {
		case 0:	/* right shape, other top-level domain */
			l = rand_label(probe, 6, 10);
			memcpy(probe + l, ".test.org", 9);
			l += 9;
			break;
		case 1:	/* two labels under .test: no base is that short */
			l = rand_label(probe, 1, 20);
			memcpy(probe + l, ".test", 5);
			l += 5;
			break;
		case 2:	/* four labels, random middle: not a base's subdomain */
			l = rand_label(probe, 1, 5);
			probe[l++] = '.';
			l += rand_label(probe + l, 11, 14);	/* longer than any first base label */
			probe[l++] = '.';
			l += rand_label(probe + l, 4, 8);
			memcpy(probe + l, ".test", 5);
			l += 5;
			break;
		}
		if (dt_match(&t, probe, l, 443) != DNONE || dt_match(&t, probe, l, 1500) != DNONE)
			missed++;
	}
	CHECK(missed == 0, "%u non-names matched", missed);
	CHECK(domain_table_bytes(&t) < 100ULL * BIG_RULES, "%llu bytes for %u rules",
	      (unsigned long long)domain_table_bytes(&t), BIG_RULES);
	domain_table_free(&t);
	CASE_END();
}

/* Names and patterns from a small alphabet of labels, so that they collide. */
static size_t rand_dname(char *out)
{
	static const char *const labels[] = { "a", "b", "ab", "x-y", "c0", "example", "com" };
	size_t n = 1 + drnd() % 4, i, l = 0;

	for (i = 0; i < n; i++) {
		const char *lb = labels[drnd() % 7];

		if (i)
			out[l++] = '.';
		memcpy(out + l, lb, strlen(lb));
		l += strlen(lb);
	}
	out[l] = '\0';
	return l;
}

/*
 * Differential: random tables of 1..6 random rules against a brute-force
 * reference over egressk_domain_match(): among the rules that match the
 * name and cover the port, the longest base wins, then the lowest id.
 */
static void domain_differential_test(void)
{
	u32 iter, bad = 0, matched = 0;

	CASE_BEGIN("domain table: random tables agree with egressk_domain_match");
	drng = 0xd1ff5eedULL;
	for (iter = 0; iter < 20000; iter++) {
		char pats[6][64], name[64];
		struct domain_rule_in in[6];
		struct cidr_port_range rr[6];
		struct domain_table t;
		u32 n = 1 + drnd() % 6, i, want = DNONE, got;
		size_t want_len = 0, nl;
		u16 port = (u16)(drnd() % 3 == 0 ? 8080 : 443);

		memset(in, 0, sizeof(in));
		for (i = 0; i < n; i++) {
			const char *base;
			size_t bl;
			u8 kind;
			u32 k = drnd() % 3;

			strcpy(pats[i], k == 0 ? "" : k == 1 ? "." : "*.");
			rand_dname(pats[i] + strlen(pats[i]));
			CHECK(domain_pattern_split(pats[i], strlen(pats[i]), &base, &bl, &kind) == 0,
			      "split '%s'", pats[i]);
			in[i].base = base;
			in[i].base_len = (u8)bl;
			in[i].kind = kind;
			in[i].id = (u32)(drnd() % 8);
			if (drnd() % 2) {
				rr[i].first = (u16)(drnd() % 2 ? 443 : 8000);
				rr[i].last = (u16)(rr[i].first + drnd() % 200);
				in[i].nr_ranges = 1;
				in[i].ranges = &rr[i];
			}
		}
		nl = rand_dname(name);
		for (i = 0; i < n; i++) {
			bool ports = in[i].nr_ranges ?
				(port >= rr[i].first && port <= rr[i].last) :
				(port == 80 || port == 443);

			if (!ports || !egressk_domain_match(pats[i], name))
				continue;
			if (want == DNONE || in[i].base_len > want_len ||
			    (in[i].base_len == want_len && in[i].id < want)) {
				want = in[i].id;
				want_len = in[i].base_len;
			}
		}
		if (domain_table_build_seed(&t, in, n, drnd())) {
			bad++;
			continue;
		}
		got = dt_match(&t, name, nl, port);
		if (got != want && bad++ < 5)
			printf("  differential: name %s port %u: got %d want %d (rules %s %s %s...)\n",
			       name, port, (int)got, (int)want, pats[0], n > 1 ? pats[1] : "",
			       n > 2 ? pats[2] : "");
		matched += want != DNONE;
		domain_table_free(&t);
	}
	CHECK(bad == 0, "%u disagreements", bad);
	CHECK(matched > 1000, "only %u of the random probes matched: the test is too weak", matched);
	CASE_END();

	CASE_BEGIN("domain table: random bytes as names never crash or match wrongly");
	{
		static const struct domain_rule_in r[2] = {
			{ "a", 1, DOMAIN_SUFFIX, 1, 0, NULL },
			{ "b.a", 3, DOMAIN_EXACT, 2, 0, NULL },
		};
		struct domain_table t;
		char buf[300];

		bad = 0;
		CHECK(domain_table_build(&t, r, 2) == 0, "build");
		for (iter = 0; iter < 20000; iter++) {
			size_t len = drnd() % 260, i;
			u32 got;
			bool valid;

			for (i = 0; i < len; i++)
				buf[i] = "ab.-_A0\0\xff"[drnd() % 9];
			got = dt_match(&t, buf, len, 443);
			valid = egressk_name_valid(buf, len);
			if (!valid && got != DNONE)
				bad++;
			if (valid && got != DNONE && got != 1 && got != 2)
				bad++;
		}
		CHECK(bad == 0, "%u wrong answers", bad);
		domain_table_free(&t);
	}
	CASE_END();
}

static void domain_tests(void)
{
	domain_split_tests();
	domain_case_tests();
	domain_edge_tests();
	domain_big_table_test();
	domain_differential_test();
}

int main(int argc, char **argv)
{
	static const char *const tls_clients[] = { "curl", "openssl", "openssl-tls12",
		"openssl-nosni", "python", "node", "go", "chromium" };
	static const char *const http_clients[] = { "curl-http", "python-http", "chromium-http" };
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR [-v]\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];
	tt_verbose = argc > 2 && strcmp(argv[2], "-v") == 0;

	for (i = 0; i < sizeof(tls_clients) / sizeof(tls_clients[0]); i++)
		fixture_tls(tls_clients[i]);
	chromium_fixture_shape();
	for (i = 0; i < sizeof(http_clients) / sizeof(http_clients[0]); i++)
		fixture_http(http_clients[i]);
	tls_synthetic();
	http_table();
	kind_table();
	name_tests();
	match_tests();
	domain_tests();
	return TT_SUMMARY();
}
