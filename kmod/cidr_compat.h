/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel services the pure CIDR lookup code needs, so that cidr.c
 * also builds in userspace (unit tests, callgrind) with -I pointing here.
 */
#ifndef _EGRESSK_CIDR_COMPAT_H
#define _EGRESSK_CIDR_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/sort.h>
#include <linux/slab.h>
#include <linux/mm.h>

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
#else /* userspace build */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdbool.h>
#include <errno.h>

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
#endif

#endif /* _EGRESSK_CIDR_COMPAT_H */
