/* SPDX-License-Identifier: GPL-2.0 */
/* TARGET: which network namespace a command acts on, opened as an fd. */
#ifndef EGRESSKCTL_TARGET_H
#define EGRESSKCTL_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum target_kind {
	TARGET_NONE,
	TARGET_PID,
	TARGET_NETNS,
	TARGET_NETNS_NAME,
	TARGET_DOCKER,
};

struct egk_target {
	enum target_kind kind;
	const char *arg;
	bool force;
};

/*
 * Open @t's network namespace.  Returns an fd, or -1 with a one-line
 * explanation in @err and the exit status (1 runtime, 2 usage) in *status.
 */
int target_open(const struct egk_target *t, char *err, size_t errlen, int *status);

/* The process behind a --pid or --docker TARGET. */
struct egk_target_proc {
	int pid;	/* 0 for --netns and --netns-name */
	int dir;	/* /proc/PID of the process pinned while its namespace was
			 * opened, or -1; reads through it reach that process or
			 * fail, never one that reused the PID */
};

/* target_open, and for --pid and --docker the process in *@proc (the
 * caller closes proc->dir when it is not -1). */
int target_open_proc(const struct egk_target *t, struct egk_target_proc *proc, char *err,
		     size_t errlen, int *status);
/* Syntax only (no system access): 0, or -1 with a message in @err. */
int target_validate(const struct egk_target *t, char *err, size_t errlen);
/* "--pid 123" etc., for messages. */
void target_describe(const struct egk_target *t, char *buf, size_t len);
/* The inode of the namespace behind @fd (0 on error). */
uint32_t target_inode(int fd);
/* True when @fd is the namespace of PID 1 as seen here (the host). */
bool target_is_initial(int fd);

#endif
