// SPDX-License-Identifier: GPL-2.0
/* apply, show, clear, check: a namespace's policy. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "caps.h"
#include "cmd.h"
#include "netlink.h"
#include "policy.h"

/* How messages name a policy file: "-" is standard input. */
static const char *policy_label(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/* Parse @path; on errors print them and return EXIT_USAGE. */
static int load_policy_file(const char *path, struct egk_policy *p)
{
	struct egk_diag d;

	if (egk_policy_parse_file(path, p, &d)) {
		egk_diag_print(&d, stderr);
		fprintf(stderr, "egresskctl: %d error%s in %s; nothing was %s\n", d.total,
			d.total == 1 ? "" : "s", policy_label(path),
			"loaded");
		egk_diag_free(&d);
		egk_policy_free(p);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct egk_policy p;
	struct cmd_args a;
	int ret;

	ret = cmd_parse(argc, argv, 0, 1, 1, &a);
	if (ret)
		return ret;
	ret = load_policy_file(a.pos[0], &p);
	if (ret)
		return ret;
	printf("# %s: valid, %zu rule%s\n", policy_label(a.pos[0]),
	       p.nrules, p.nrules == 1 ? "" : "s");
	egk_policy_print(stdout, &p);
	/* advice only: the file is valid, so the exit status stays 0 */
	fflush(stdout);
	egk_policy_warn(&p, policy_label(a.pos[0]), stderr);
	egk_policy_free(&p);
	return EXIT_OK;
}

/*
 * apply --pid/--docker: a process holding CAP_NET_ADMIN or CAP_SYS_ADMIN can
 * work around egressk (DESIGN.md section 6).  Warn, one line each, or with
 * --strict refuse: EXIT_RUNTIME, since the target's state and not the command
 * line is at fault.  --strict fails closed when the set cannot be read.
 */
static int check_target_caps(const struct cmd_args *a, const struct egk_target_proc *proc)
{
	char who[320], names[64], why[128];
	uint64_t eff;
	int err;

	if (proc->dir < 0)
		return EXIT_OK;		/* --netns, --netns-name: no process */
	if (a->target.kind == TARGET_DOCKER)
		snprintf(who, sizeof(who), "container %s (PID %d)", a->target.arg, proc->pid);
	else
		snprintf(who, sizeof(who), "process %d", proc->pid);
	err = caps_read_reachable(proc->dir, &eff);
	if (err) {
		if (err == -ENOENT || err == -ESRCH)
			snprintf(why, sizeof(why), "the process exited");
		else if (err == -EBADMSG)
			snprintf(why, sizeof(why), "/proc/%d/status has no readable CapEff, CapPrm or CapBnd line",
				 proc->pid);
		else
			snprintf(why, sizeof(why), "/proc/%d/status: %s", proc->pid, strerror(-err));
		if (a->strict) {
			die_msg("apply --strict: cannot read the capabilities of %s (%s); the policy was not applied: retry, or apply without --strict",
				who, why);
			return EXIT_RUNTIME;
		}
		fprintf(stderr, "warning: the capabilities of %s could not be checked (%s); it may hold CAP_NET_ADMIN or CAP_SYS_ADMIN\n",
			who, why);
		return EXIT_OK;
	}
	eff &= EGK_CAPS_RISKY;
	if (eff && a->strict) {
		caps_names(eff, names, sizeof(names));
		die_msg("apply --strict: %s holds %s; the policy was not applied: drop %s, or apply without --strict",
			who, names, (eff & (eff - 1)) ? "them" : "it");
		return EXIT_RUNTIME;
	}
	caps_warn(stderr, eff, who);
	return EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	struct egk_target_proc proc;
	struct egk_policy p;
	struct egk_ident id;
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, fd, err;

	ret = cmd_parse(argc, argv, ARG_TARGET | ARG_STRICT, 1, 1, &a);
	if (ret)
		return ret;
	if (a.strict && a.target.kind != TARGET_PID && a.target.kind != TARGET_DOCKER) {
		die_msg("apply: --strict needs --pid or --docker: a namespace given by path or name has no process whose capabilities could be checked");
		return EXIT_USAGE;
	}
	/* Parse first: an invalid policy is reported even without the module. */
	ret = load_policy_file(a.pos[0], &p);
	if (ret)
		return ret;
	nl = cmd_connect_target_proc(&a, true, &fd, &proc, &ret);
	if (!nl)
		goto out_policy;
	ret = check_target_caps(&a, &proc);
	if (proc.dir >= 0)
		close(proc.dir);
	if (ret)
		goto out_target;
	err = egk_nl_apply(nl, fd, cmd_target_flags(&a), &p, &id);
	if (err) {
		ret = cmd_nl_error(nl, err, "apply", &a);
	} else {
		printf("applied %zu rule%s to netns inode %u (cookie %llu), policy version %llu\n",
		       p.nrules, p.nrules == 1 ? "" : "s", id.inode,
		       (unsigned long long)id.cookie, (unsigned long long)id.version);
		/* check's advice, after the fact: the policy is loaded all the same */
		fflush(stdout);
		egk_policy_warn(&p, policy_label(a.pos[0]), stderr);
		if (id.has_guards && !id.guards)
			fprintf(stderr, "warning: netns inode %u has no host-side veth peer (macvlan, ipvlan or host network): the guard cannot police this namespace; what leaves it past LOCAL_OUT (AF_XDP sockets, or nft, tc and tunnels set up inside it) is not checked again\n",
				id.inode);
		ret = EXIT_OK;
	}
out_target:
	close(fd);
	egk_nl_close(nl);
out_policy:
	egk_policy_free(&p);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	struct egk_policy p;
	struct egk_ident id;
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, fd, err;

	ret = cmd_parse(argc, argv, ARG_TARGET | ARG_JSON | ARG_LEARNED, 0, 0, &a);
	if (ret)
		return ret;
	nl = cmd_connect_target(&a, false, &fd, &ret);
	if (!nl)
		return ret;
	if (a.learned) {
		ret = cmd_show_learned(&a, nl, fd);
		close(fd);
		egk_nl_close(nl);
		return ret;
	}
	err = egk_nl_policy_get(nl, fd, cmd_target_flags(&a), &p, &id);
	if (err) {
		ret = cmd_nl_error(nl, err, "show", &a);
	} else if (a.json) {
		struct json_object *o = egk_policy_to_json(&p, true);
		struct json_object *ns = json_object_new_object();

		json_object_object_add(ns, "inode", json_object_new_int64(id.inode));
		json_object_object_add(ns, "cookie", json_object_new_uint64(id.cookie));
		json_object_object_add(o, "netns", ns);
		json_object_object_add(o, "version", json_object_new_uint64(id.version));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		ret = EXIT_OK;
	} else {
		printf("# egressk policy of netns inode %u cookie %llu, version %llu, %zu rule%s\n",
		       id.inode, (unsigned long long)id.cookie, (unsigned long long)id.version,
		       p.nrules, p.nrules == 1 ? "" : "s");
		egk_policy_print(stdout, &p);
		ret = EXIT_OK;
	}
	egk_policy_free(&p);
	close(fd);
	egk_nl_close(nl);
	return ret;
}

int cmd_clear(int argc, char **argv)
{
	struct cmd_args a;
	struct egk_nl *nl;
	int ret, fd, err;

	ret = cmd_parse(argc, argv, ARG_TARGET, 0, 0, &a);
	if (ret)
		return ret;
	nl = cmd_connect_target(&a, true, &fd, &ret);
	if (!nl)
		return ret;
	err = egk_nl_policy_del(nl, fd, cmd_target_flags(&a));
	if (err) {
		ret = cmd_nl_error(nl, err, "clear", &a);
	} else {
		printf("cleared the policy of netns inode %u; it is unrestricted now\n",
		       target_inode(fd));
		ret = EXIT_OK;
	}
	close(fd);
	egk_nl_close(nl);
	return ret;
}
