/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by main.c and the subcommand files. */
#ifndef EGRESSKCTL_CMD_H
#define EGRESSKCTL_CMD_H

#include <stdbool.h>

#include "target.h"

enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	/* module not loaded, target gone, permission */
	EXIT_USAGE = 2,		/* bad command line or invalid policy */
};

/* What a subcommand accepts besides positional arguments. */
#define ARG_TARGET	(1u << 0)	/* TARGET options, required */
#define ARG_TARGET_OPT	(1u << 1)	/* TARGET options, optional */
#define ARG_JSON	(1u << 2)
#define ARG_LEARNED	(1u << 3)	/* show --learned */
#define ARG_STRICT	(1u << 4)	/* apply --strict */

struct cmd_args {
	struct egk_target target;
	bool json;
	bool learned;
	bool strict;
	int npos;
	char **pos;
};

struct egk_nl;

/* Parse argv[1..] of a subcommand; returns 0 or EXIT_USAGE (message printed). */
int cmd_parse(int argc, char **argv, unsigned int accepts, int min_pos, int max_pos,
	      struct cmd_args *a);
/* Print "egresskctl: <msg>" to stderr as one line. */
void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Open the target's netns fd; returns fd or -exit status (message printed).
 * @modify: the command changes the policy, so the host's own netns needs
 * --force (the kernel checks this too; checking here says it earlier). */
int cmd_open_target(const struct cmd_args *a, bool modify);
/* cmd_open_target, and for --pid and --docker the process in *@proc (the
 * caller closes proc->dir when it is not -1; NULL: not wanted). */
int cmd_open_target_proc(const struct cmd_args *a, bool modify, struct egk_target_proc *proc);
/* Connect to egressk; NULL and *status set (message printed) on failure. */
struct egk_nl *cmd_connect(int *status);
/* Connect, then open the target (connecting first, so "module not loaded"
 * comes before any target error); NULL and *status set on failure, with
 * nothing left open. */
struct egk_nl *cmd_connect_target(const struct cmd_args *a, bool modify, int *fd,
				  int *status);
/* cmd_connect_target with the target's process, as cmd_open_target_proc. */
struct egk_nl *cmd_connect_target_proc(const struct cmd_args *a, bool modify, int *fd,
				       struct egk_target_proc *proc, int *status);
/* Print a failed request's error and return its exit status. */
int cmd_nl_error(struct egk_nl *nl, int err, const char *what, const struct cmd_args *a);
/* The flags every target request carries. */
unsigned int cmd_target_flags(const struct cmd_args *a);

/* show TARGET --learned [--json], on an open connection and target fd. */
int cmd_show_learned(const struct cmd_args *a, struct egk_nl *nl, int fd);

int cmd_apply(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_clear(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
