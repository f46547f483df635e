/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the few kernel facilities kmod/parse.c uses, so the
 * same parser source builds into the unit tests and the fuzz harnesses.
 * Kept deliberately tiny: fixed-width types, bool, size_t, errno values and
 * memcpy/memcmp.  Nothing here may be needed by the kernel build.
 */
#ifndef EGRESSK_PARSE_COMPAT_H
#define EGRESSK_PARSE_COMPAT_H

#ifdef __KERNEL__
#error "parse_compat.h is for userspace builds only"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#endif /* EGRESSK_PARSE_COMPAT_H */
