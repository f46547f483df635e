// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for egressk_parse_http_host(). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_res full;

	fuzz_run(egressk_parse_http_host, data, size, &full);
	fuzz_prefixes(egressk_parse_http_host, data, size, &full);
	fuzz_small_buffer(egressk_parse_http_host, data, size, &full);
	/* A FOUND name appears, case-folded, in the input: nothing invented. */
	if (full.rc == EGRESSK_PARSE_FOUND) {
		size_t i, j;
		bool seen = false;

		for (i = 0; !seen && i + full.len <= size; i++) {
			for (j = 0; j < full.len; j++) {
				u8 c = data[i + j];

				if (c >= 'A' && c <= 'Z')
					c += 'a' - 'A';
				if (c != (u8)full.name[j])
					break;
			}
			seen = j == full.len;
		}
		FUZZ_ASSERT(seen);
	}
	return 0;
}
