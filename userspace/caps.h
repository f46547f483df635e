/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capabilities of an apply target's process: the ones that let a
 * container work around egressk, read from /proc/PID/status.
 */
#ifndef EGRESSKCTL_CAPS_H
#define EGRESSKCTL_CAPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Capability numbers from <linux/capability.h>, spelt out so that the
 * parser and its tests need no kernel header. */
#define EGK_CAP_NET_ADMIN	12
#define EGK_CAP_SYS_ADMIN	21

/* The capabilities apply warns about (and --strict refuses). */
#define EGK_CAPS_RISKY	((1ull << EGK_CAP_NET_ADMIN) | (1ull << EGK_CAP_SYS_ADMIN))

/*
 * Find the line "FIELD:<tabs or spaces><1 to 16 hex digits>\n" in the first
 * @len bytes of @buf (the text of /proc/PID/status, not NUL-terminated) and
 * store its value in *@mask.  Returns 0, -ENOENT when no line names FIELD,
 * or -EINVAL when the line is malformed, cut off (no newline) or repeated:
 * a caller that must fail closed treats both errors alike.
 */
int caps_parse_status(const char *buf, size_t len, const char *field, uint64_t *mask);

/*
 * Read the effective set (CapEff) of the process whose /proc/PID directory
 * is open as @procdir.  Reads through that directory reach only the process
 * it was opened for: once that process is gone they fail, even if its PID
 * has been reused.  Returns 0, -EBADMSG when the file has no well-formed
 * CapEff line, or the negative errno of the failed open or read.
 */
int caps_read_effective(int procdir, uint64_t *mask);

/*
 * What the process holds or can come to hold: its effective, permitted and
 * bounding sets together.  A process can drop a capability from its
 * effective set and raise it again, and root in a container regains its
 * bounding set on every exec: the effective set alone says too little.
 * Same returns as caps_read_effective(), for any of the three lines.
 */
int caps_read_reachable(int procdir, uint64_t *mask);

/* "CAP_NET_ADMIN", "CAP_NET_ADMIN and CAP_SYS_ADMIN": the risky
 * capabilities in @mask, in @buf ("" when there are none). */
void caps_names(uint64_t mask, char *buf, size_t len);

/*
 * Print one line per risky capability in @mask to @f, "warning: WHO holds
 * CAP_X: what it lets WHO do, and what egressk does about it".  Returns the
 * number of lines printed.
 */
int caps_warn(FILE *f, uint64_t mask, const char *who);

#endif
