/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test harness: CHECK() records one named assertion, prints
 * "PASS: name" or "FAIL: name: why", and test_summary() prints the final
 * "N passed, N failed" line and gives the exit status.
 */
#ifndef EGRESSK_TEST_H
#define EGRESSK_TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond, name, ...)						\
	do {								\
		if (cond) {						\
			test_passed++;					\
			printf("PASS: %s\n", (name));			\
		} else {						\
			test_failed++;					\
			printf("FAIL: %s: ", (name));			\
			printf(__VA_ARGS__);				\
			printf(" (%s:%d)\n", __FILE__, __LINE__);	\
		}							\
	} while (0)

static inline const char *test_str_or_null(const char *s)
{
	return s ? s : "(null)";
}

#define CHECK_STR(got, want, name)					\
	CHECK(!strcmp(test_str_or_null(got), (want)), name,		\
	      "got [%s], want [%s]", test_str_or_null(got), (want))

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
