// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for egressk_parse_tls_sni().  Besides the common
 * invariants, the input's handshake bytes are re-framed into records of a
 * size derived from the input, and the answer must not change: record
 * boundaries are invisible to the ClientHello parser.
 */
#include "fuzz_common.h"

static u8 hs[EGRESSK_PARSE_MAX_INPUT], framed[6 * EGRESSK_PARSE_MAX_INPUT];

/* Handshake bytes of well-formed leading records; 0 if the input is not
 * entirely made of records the parser would accept. */
static size_t deframe(const u8 *in, size_t n)
{
	size_t pos = 0, o = 0;

	while (pos < n) {
		size_t rl;

		if (n - pos < 5 || in[pos] != 22 || in[pos + 1] != 3)
			return 0;
		rl = (size_t)in[pos + 3] << 8 | in[pos + 4];
		if (rl == 0 || rl > 16384 || rl > n - pos - 5)
			return 0;
		memcpy(hs + o, in + pos + 5, rl);
		o += rl;
		pos += 5 + rl;
	}
	return o;
}

static size_t frame(size_t n, size_t chunk)
{
	size_t pos = 0, o = 0;

	while (pos < n) {
		size_t take = n - pos < chunk ? n - pos : chunk;

		framed[o++] = 22;
		framed[o++] = 3;
		framed[o++] = 3;
		framed[o++] = (u8)(take >> 8);
		framed[o++] = (u8)take;
		memcpy(framed + o, hs + pos, take);
		o += take;
		pos += take;
	}
	return o;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_res full, re;
	size_t hl, fl;

	fuzz_run(egressk_parse_tls_sni, data, size, &full);
	fuzz_prefixes(egressk_parse_tls_sni, data, size, &full);
	fuzz_small_buffer(egressk_parse_tls_sni, data, size, &full);

	if (size >= EGRESSK_PARSE_MAX_INPUT)
		return 0;
	hl = deframe(data, size);
	if (!hl)
		return 0;
	fl = frame(hl, 1 + (size * 7 + data[0]) % 257);
	if (fl >= EGRESSK_PARSE_MAX_INPUT)
		return 0;
	fuzz_run(egressk_parse_tls_sni, framed, fl, &re);
	FUZZ_ASSERT(re.rc == full.rc);
	if (re.rc == EGRESSK_PARSE_FOUND)
		FUZZ_ASSERT(strcmp(re.name, full.name) == 0);
	return 0;
}
