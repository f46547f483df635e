/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses: the invariants every stream parser
 * result must satisfy, whatever the input.  A violation aborts, which
 * libFuzzer reports as a crash with the input saved.
 */
#ifndef EGRESSK_FUZZ_COMMON_H
#define EGRESSK_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/parse.h"

#define FUZZ_ASSERT(cond_)                                                    \
	do {                                                                  \
		if (!(cond_)) {                                               \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n",     \
				#cond_, __FILE__, __LINE__);                  \
			abort();                                              \
		}                                                             \
	} while (0)

typedef int (*stream_parser)(const u8 *, size_t, char *, size_t, size_t *);

struct fuzz_res {
	int rc;
	char name[EGRESSK_NAME_BUF + 8];
	size_t len;
};

/* Run @parse and check what holds for any input. */
static inline void fuzz_run(stream_parser parse, const u8 *data, size_t size,
			    struct fuzz_res *r)
{
	memset(r->name, 0x7e, sizeof(r->name));
	r->len = (size_t)-1;
	r->rc = parse(data, size, r->name, EGRESSK_NAME_BUF, &r->len);
	FUZZ_ASSERT(r->rc >= EGRESSK_PARSE_FOUND && r->rc <= EGRESSK_PARSE_INVALID);
	/* Never a write past name_size. */
	FUZZ_ASSERT((u8)r->name[EGRESSK_NAME_BUF] == 0x7e);
	if (r->rc == EGRESSK_PARSE_FOUND) {
		FUZZ_ASSERT(r->len < EGRESSK_NAME_BUF);
		FUZZ_ASSERT(r->name[r->len] == '\0');
		FUZZ_ASSERT(strlen(r->name) == r->len);
		FUZZ_ASSERT(egressk_name_valid(r->name, r->len));
	}
	/* A caller holding the bound always gets a final answer. */
	if (r->rc == EGRESSK_PARSE_NEED_MORE)
		FUZZ_ASSERT(size < EGRESSK_PARSE_MAX_INPUT);
}

/*
 * Prefix consistency: a prefix of an input either needs more or already
 * gives the full input's answer (the parsers decide forward, never revise).
 */
static inline void fuzz_prefixes(stream_parser parse, const u8 *data, size_t size,
				 const struct fuzz_res *full)
{
	size_t cuts[3] = { size / 2, size ? size - 1 : 0, size / 3 };
	struct fuzz_res p;
	int i;

	for (i = 0; i < 3; i++) {
		fuzz_run(parse, data, cuts[i], &p);
		if (full->rc == EGRESSK_PARSE_NEED_MORE)
			FUZZ_ASSERT(p.rc == EGRESSK_PARSE_NEED_MORE);
		else
			FUZZ_ASSERT(p.rc == EGRESSK_PARSE_NEED_MORE || p.rc == full->rc);
		if (p.rc == EGRESSK_PARSE_FOUND)
			FUZZ_ASSERT(strcmp(p.name, full->name) == 0);
	}
}

/*
 * A smaller name buffer (size from the input's last byte): no write past it,
 * the same name when it fits, INVALID when it does not, and otherwise the
 * same answer, except that a name that overflows may be judged INVALID before
 * the rest of the message arrives.
 */
static inline void fuzz_small_buffer(stream_parser parse, const u8 *data, size_t size,
				     const struct fuzz_res *full)
{
	char small[EGRESSK_NAME_BUF + 8];
	size_t ns = size ? 1 + data[size - 1] % EGRESSK_NAME_BUF : 1;
	size_t len = (size_t)-1, i;
	int rc;

	memset(small, 0x7e, sizeof(small));
	rc = parse(data, size, small, ns, &len);
	for (i = ns; i < sizeof(small); i++)
		FUZZ_ASSERT(small[i] == 0x7e);
	if (full->rc == EGRESSK_PARSE_FOUND) {
		if (full->len < ns)
			FUZZ_ASSERT(rc == EGRESSK_PARSE_FOUND && len == full->len &&
				    memcmp(small, full->name, len + 1) == 0);
		else
			FUZZ_ASSERT(rc == EGRESSK_PARSE_INVALID);
	} else if (full->rc == EGRESSK_PARSE_NEED_MORE) {
		FUZZ_ASSERT(rc == EGRESSK_PARSE_NEED_MORE || rc == EGRESSK_PARSE_INVALID);
	} else {
		FUZZ_ASSERT(rc == full->rc);
	}
}

#endif
