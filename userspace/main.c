// SPDX-License-Identifier: GPL-2.0
/*
 * egresskctl: global options, the subcommand table, and the argument and
 * error conventions every subcommand shares (DESIGN.md section 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "netlink.h"

#define EGRESSKCTL_VERSION "0.1"

static int cmd_help(int argc, char **argv);

static const struct subcommand {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "apply",   cmd_apply,   "apply  TARGET FILE|-       atomically replace TARGET's policy\n"
				  "  egresskctl apply  TARGET --strict FILE|-   refuse a --pid/--docker process holding CAP_NET_ADMIN or CAP_SYS_ADMIN" },
	{ "show",    cmd_show,    "show   TARGET [--json]     print the loaded policy (itself a valid policy file)\n"
				  "  egresskctl show   TARGET --learned [--json]   the addresses learned from DNS answers" },
	{ "clear",   cmd_clear,   "clear  TARGET              remove the policy (the netns is unrestricted again)" },
	{ "list",    cmd_list,    "list   [--json]            every policed netns with its mode, rule count and counters" },
	{ "stats",   cmd_stats,   "stats  TARGET [--json]     counters, hits per rule, learned addresses" },
	{ "monitor", cmd_monitor, "monitor [TARGET] [--json]  stream denial and audit events, one per line" },
	{ "check",   cmd_check,   "check  FILE|-              validate a policy without loading it" },
	{ "help",    cmd_help,    "help                       this text" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: egresskctl [--help|--version] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  egresskctl %s\n", subcommands[i].help);
	fprintf(f,
		"\nTARGET: --pid PID | --netns PATH | --netns-name NAME | --docker NAME|ID   [--force]\n"
		"  --force allows the host's own network namespace as TARGET (this polices the host).\n"
		"  apply --pid/--docker warns on stderr when the process holds CAP_NET_ADMIN or\n"
		"  CAP_SYS_ADMIN (it can work around egressk); --strict refuses instead.\n"
		"\nexit status: 0 success, 1 runtime failure (module not loaded, target gone,\n"
		"permission), 2 usage error or invalid policy.\n"
		"Presets (include preset:NAME) are looked up in $EGRESSK_PRESET_DIR, presets/ next\n"
		"to egresskctl, then /usr/share/egressk/presets.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

void die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("egresskctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cmd_parse(int argc, char **argv, unsigned int accepts, int min_pos, int max_pos,
	      struct cmd_args *a)
{
	static const struct option opts[] = {
		{ "pid",        required_argument, NULL, 'p' },
		{ "netns",      required_argument, NULL, 'n' },
		{ "netns-name", required_argument, NULL, 'N' },
		{ "docker",     required_argument, NULL, 'd' },
		{ "force",      no_argument,       NULL, 'f' },
		{ "json",       no_argument,       NULL, 'j' },
		{ "learned",    no_argument,       NULL, 'l' },
		{ "strict",     no_argument,       NULL, 's' },
		{ "help",       no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool targets = accepts & (ARG_TARGET | ARG_TARGET_OPT);
	const char *cmd = argv[0];
	int c, li = -1;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	/* "+": stop at the first non-option is not wanted: FILE may come first */
	while ((c = getopt_long(argc, argv, ":h", opts, &li)) != -1) {
		enum target_kind kind = TARGET_NONE;

		switch (c) {
		case 'p': kind = TARGET_PID; break;
		case 'n': kind = TARGET_NETNS; break;
		case 'N': kind = TARGET_NETNS_NAME; break;
		case 'd': kind = TARGET_DOCKER; break;
		case 'f':
			if (!targets)
				goto bad_opt;
			a->target.force = true;
			li = -1;
			continue;
		case 'j':
			if (!(accepts & ARG_JSON))
				goto bad_opt;
			a->json = true;
			li = -1;
			continue;
		case 'l':
			if (!(accepts & ARG_LEARNED))
				goto bad_opt;
			a->learned = true;
			li = -1;
			continue;
		case 's':
			if (!(accepts & ARG_STRICT))
				goto bad_opt;
			a->strict = true;
			li = -1;
			continue;
		case 'h':
			for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
				if (!strcmp(subcommands[i].name, cmd))
					printf("usage: egresskctl %s\nTARGET: --pid PID | --netns PATH | --netns-name NAME | --docker NAME|ID   [--force]\n",
					       subcommands[i].help);
			exit(EXIT_OK);
		case ':':
			die_msg("%s: option '%s' needs an argument; see 'egresskctl %s --help'",
				cmd, argv[optind - 1], cmd);
			return EXIT_USAGE;
		default:
			goto bad_opt;
		}
		if (!targets)
			goto bad_opt;
		if (a->target.kind != TARGET_NONE) {
			die_msg("%s: give exactly one TARGET (--pid, --netns, --netns-name or --docker)", cmd);
			return EXIT_USAGE;
		}
		a->target.kind = kind;
		a->target.arg = optarg;
		li = -1;
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	if ((accepts & ARG_TARGET) && a->target.kind == TARGET_NONE) {
		die_msg("%s needs a TARGET: --pid PID, --netns PATH, --netns-name NAME or --docker NAME; see 'egresskctl %s --help'",
			cmd, cmd);
		return EXIT_USAGE;
	}
	if (a->target.kind != TARGET_NONE) {
		char err[512];

		if (target_validate(&a->target, err, sizeof(err)) < 0) {
			die_msg("%s: %s", cmd, err);
			return EXIT_USAGE;
		}
	}
	if (a->target.force && a->target.kind == TARGET_NONE) {
		die_msg("%s: --force goes with a TARGET", cmd);
		return EXIT_USAGE;
	}
	if (a->npos < min_pos) {
		die_msg("%s: missing argument; see 'egresskctl %s --help'", cmd, cmd);
		return EXIT_USAGE;
	}
	if (a->npos > max_pos) {
		die_msg("%s: unexpected argument '%s'; see 'egresskctl %s --help'",
			cmd, a->pos[max_pos], cmd);
		return EXIT_USAGE;
	}
	return 0;

bad_opt:
	if (li >= 0)
		die_msg("%s: unknown or misplaced option '--%s'; see 'egresskctl %s --help'",
			cmd, opts[li].name, cmd);
	else
		die_msg("%s: unknown or misplaced option '%s'; see 'egresskctl %s --help'",
			cmd, argv[optind - 1], cmd);
	return EXIT_USAGE;
}

int cmd_open_target_proc(const struct cmd_args *a, bool modify, struct egk_target_proc *proc)
{
	struct egk_target_proc unused;
	char err[512];
	int status, fd;

	if (!proc)
		proc = &unused;
	fd = target_open_proc(&a->target, proc, err, sizeof(err), &status);
	if (fd < 0) {
		die_msg("%s", err);
		return -status;
	}
	if (modify && !a->target.force && target_is_initial(fd)) {
		char what[300];

		target_describe(&a->target, what, sizeof(what));
		die_msg("%s is the host's network namespace; policing it polices the host: add --force if that is what you want",
			what);
		close(fd);
		fd = -EXIT_USAGE;
	}
	if ((fd < 0 || proc == &unused) && proc->dir >= 0) {
		close(proc->dir);
		proc->dir = -1;
	}
	return fd;
}

int cmd_open_target(const struct cmd_args *a, bool modify)
{
	return cmd_open_target_proc(a, modify, NULL);
}

unsigned int cmd_target_flags(const struct cmd_args *a)
{
	return a->target.force ? EGRESSK_F_FORCE : 0;
}

struct egk_nl *cmd_connect(int *status)
{
	struct egk_nl *nl;
	int err = egk_nl_open(&nl);

	if (err) {
		die_msg("%s", egk_nl_open_message());
		*status = EXIT_RUNTIME;
		return NULL;
	}
	return nl;
}

struct egk_nl *cmd_connect_target_proc(const struct cmd_args *a, bool modify, int *fd,
				       struct egk_target_proc *proc, int *status)
{
	struct egk_nl *nl = cmd_connect(status);

	if (!nl)
		return NULL;
	*fd = cmd_open_target_proc(a, modify, proc);
	if (*fd < 0) {
		*status = -*fd;
		egk_nl_close(nl);
		return NULL;
	}
	return nl;
}

struct egk_nl *cmd_connect_target(const struct cmd_args *a, bool modify, int *fd,
				  int *status)
{
	return cmd_connect_target_proc(a, modify, fd, NULL, status);
}

int cmd_nl_error(struct egk_nl *nl, int err, const char *what, const struct cmd_args *a)
{
	const char *kmsg = egk_nl_message(nl);
	char target[300] = "";

	if (a && a->target.kind != TARGET_NONE)
		target_describe(&a->target, target, sizeof(target));
	switch (-err) {
	case EPERM:
		/* GENL_ADMIN_PERM fails without a message; with one, the
		 * kernel refused this request (the host netns without
		 * --force), which the command line must change. */
		if (*kmsg) {
			die_msg("%s: egressk refused: %s", what, kmsg);
			return EXIT_USAGE;
		}
		/* fall through */
	case EACCES:
		die_msg("permission denied: egresskctl needs CAP_NET_ADMIN on the host (run it as root)");
		return EXIT_RUNTIME;
	case EINVAL:
	case ERANGE:
	case E2BIG:
		die_msg("%s: egressk rejected the request: %s", what,
			*kmsg ? kmsg : strerror(-err));
		return EXIT_USAGE;
	case ENOENT:
		die_msg("%s: %s%s%s; %s", what, *kmsg ? kmsg : "no policy is loaded",
			*target ? " for " : "", target,
			strcmp(what, "clear") ? "load one with 'egresskctl apply'"
					      : "there is nothing to clear");
		return EXIT_RUNTIME;
	case EBUSY:
	case ENOSPC:
		die_msg("%s failed: %s (%s); retry when other egresskctl runs have finished",
			what, *kmsg ? kmsg : "egressk is busy", strerror(-err));
		return EXIT_RUNTIME;
	default:
		if (*kmsg)
			die_msg("%s failed: %s (%s); see 'dmesg' for details", what, kmsg,
				strerror(-err));
		else
			die_msg("%s failed: %s; see 'dmesg' for details", what, strerror(-err));
		return EXIT_RUNTIME;
	}
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return cmd_help(0, NULL);
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("egresskctl %s (egressk genl version %d)\n", EGRESSKCTL_VERSION,
		       EGRESSK_GENL_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(subcommands[i].name, name))
			return subcommands[i].handler(argc - 1, argv + 1);
	die_msg("unknown command '%s'; run 'egresskctl --help' for the list", name);
	return EXIT_USAGE;
}
