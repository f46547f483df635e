/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test macro set: named cases, CHECK that records failures, and a
 * summary line "N passed, N failed, N skipped".  A case passes only if it ran
 * at least one CHECK and none failed, so a case cannot pass vacuously.
 */
#ifndef TINYTEST_H
#define TINYTEST_H

#include <stdio.h>

static int tt_passed, tt_failed, tt_skipped;
static int tt_case_checks, tt_case_failures;
static const char *tt_case_name;
static int tt_verbose;

#define CASE_BEGIN(name_)                                                     \
	do {                                                                  \
		tt_case_name = (name_);                                       \
		tt_case_checks = 0;                                           \
		tt_case_failures = 0;                                         \
	} while (0)

#define CASE_END()                                                            \
	do {                                                                  \
		if (tt_case_failures || !tt_case_checks) {                    \
			tt_failed++;                                          \
			printf("FAIL: %s%s\n", tt_case_name,                  \
			       tt_case_checks ? "" : " (no checks ran)");     \
		} else {                                                      \
			tt_passed++;                                          \
			if (tt_verbose)                                       \
				printf("PASS: %s\n", tt_case_name);           \
		}                                                             \
	} while (0)

#define SKIP(name_, ...)                                                      \
	do {                                                                  \
		tt_skipped++;                                                 \
		printf("SKIP: %s: ", (name_));                                \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
	} while (0)

/* CHECK(cond, fmt, ...): the message says what was expected. */
#define CHECK(cond_, ...)                                                     \
	do {                                                                  \
		tt_case_checks++;                                             \
		if (!(cond_)) {                                               \
			tt_case_failures++;                                   \
			printf("  %s: %s:%d: ", tt_case_name, __FILE__,       \
			       __LINE__);                                     \
			printf(__VA_ARGS__);                                  \
			printf("\n");                                         \
		}                                                             \
	} while (0)

#define TT_SUMMARY()                                                          \
	(printf("%d passed, %d failed, %d skipped\n", tt_passed, tt_failed,   \
		tt_skipped),                                                  \
	 tt_failed ? 1 : 0)

#endif /* TINYTEST_H */
