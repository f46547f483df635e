/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel services the pure rule tables need (allocation, sort, a
 * random seed), so that cidr.c and domain.c also build in userspace (unit
 * tests, fuzzers, callgrind) with -I pointing here.
 */
#ifndef _EGRESSK_CIDR_COMPAT_H
#define _EGRESSK_CIDR_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/sort.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>

static inline void *cidr_alloc_array(size_t n, size_t size)
{
	return kvmalloc_array(n, size, GFP_KERNEL);
}

static inline void *cidr_zalloc_array(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void cidr_free(const void *p)
{
	kvfree(p);
}

static inline void cidr_sort(void *base, size_t n, size_t size,
			     int (*cmp)(const void *, const void *))
{
	sort(base, n, size, cmp, NULL);
}

/* A per-table hash seed (domain.c). */
static inline u64 cidr_random_u64(void)
{
	return get_random_u64();
}
#else /* userspace build */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdbool.h>
#include <errno.h>
#include <sys/random.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

static inline void *cidr_alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc((n * size) != 0 ? n * size : 1);
}

static inline void *cidr_zalloc_array(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

static inline void cidr_free(const void *p)
{
	free((void *)p);
}

static inline void cidr_sort(void *base, size_t n, size_t size,
			     int (*cmp)(const void *, const void *))
{
	qsort(base, n, size, cmp);
}

/* getrandom(2); a fixed value if it fails (tests pass their own seed). */
static inline u64 cidr_random_u64(void)
{
	u64 v = 0x6567726573736bULL;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = 0x6567726573736bULL;
	return v;
}
#endif

#endif /* _EGRESSK_CIDR_COMPAT_H */
