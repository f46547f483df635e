// SPDX-License-Identifier: GPL-2.0
/*
 * Resolving TARGET to a network namespace fd.  For --pid the process is
 * pinned with a pidfd first and checked to be alive after its namespace was
 * opened, so a PID recycled in between cannot redirect the policy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

void target_describe(const struct egk_target *t, char *buf, size_t len)
{
	static const char *const opt[] = {
		[TARGET_NONE] = "", [TARGET_PID] = "--pid", [TARGET_NETNS] = "--netns",
		[TARGET_NETNS_NAME] = "--netns-name", [TARGET_DOCKER] = "--docker",
	};

	snprintf(buf, len, "%s %s", opt[t->kind], t->arg ? t->arg : "");
}

uint32_t target_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

bool target_is_initial(int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || stat("/proc/1/ns/net", &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Open the netns of @pid through its /proc/PID directory, and hand that
 * directory back in *@procdir when it is not NULL (reads through it reach
 * this process or fail, never a process that reused the PID).
 */
static int open_pid(pid_t pid, const char *shown, int *procdir, char *err, size_t errlen,
		    int *status)
{
	char path[64];
	int pidfd, dir, fd;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		*status = EXIT_RUNTIME;
		if (errno == ESRCH || errno == EINVAL)
			snprintf(err, errlen, "no such process %s; check the PID", shown);
		else if (errno == ENOSYS)
			snprintf(err, errlen,
				 "pidfd_open is not available (Linux 5.3 or later is needed; valgrind lacks it too)");
		else
			snprintf(err, errlen, "cannot open process %s: %s", shown, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = dir < 0 ? -1 : openat(dir, "ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		*status = EXIT_RUNTIME;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (e == ENOENT || e == ESRCH)
			snprintf(err, errlen, "process %s exited; check the PID", shown);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen,
				 "permission denied opening %s: egresskctl needs CAP_NET_ADMIN and ptrace access (run as root on the host)",
				 path);
		else
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		if (dir >= 0)
			close(dir);
		close(pidfd);
		return -1;
	}
	/* Still the process we pinned?  Then the namespace (and the
	 * directory) are its own. */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		*status = EXIT_RUNTIME;
		snprintf(err, errlen, "process %s exited while its namespace was opened; retry", shown);
		close(fd);
		close(dir);
		close(pidfd);
		return -1;
	}
	close(pidfd);
	if (procdir)
		*procdir = dir;
	else
		close(dir);
	return fd;
}

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*out = (pid_t)v;
	return 0;
}

/* Run docker inspect without a shell; the container's PID on success. */
static int docker_pid(const char *name, pid_t *out, char *err, size_t errlen, int *status)
{
	int outp[2], errp[2];
	char obuf[64] = "", ebuf[512] = "";
	ssize_t n;
	size_t olen = 0, elen = 0;
	int wstatus;
	pid_t child;

	*status = EXIT_RUNTIME;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	child = fork();
	if (child < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		char *const argv[] = { "docker", "inspect", "-f", "{{.State.Pid}}",
				       (char *)name, NULL };

		dup2(outp[1], STDOUT_FILENO);
		dup2(errp[1], STDERR_FILENO);
		execvp("docker", argv);
		dprintf(STDERR_FILENO, "exec docker: %s", strerror(errno));
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	/* small outputs: read stdout fully, then stderr */
	while (olen < sizeof(obuf) - 1 &&
	       (n = read(outp[0], obuf + olen, sizeof(obuf) - 1 - olen)) > 0)
		olen += (size_t)n;
	while (elen < sizeof(ebuf) - 1 &&
	       (n = read(errp[0], ebuf + elen, sizeof(ebuf) - 1 - elen)) > 0)
		elen += (size_t)n;
	close(outp[0]);
	close(errp[0]);
	obuf[olen] = ebuf[elen] = '\0';
	while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
		;
	for (char *p = ebuf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) == 127) {
		snprintf(err, errlen, "cannot run docker (%s); is it installed and in PATH?", ebuf);
		return -1;
	}
	if (WEXITSTATUS(wstatus) != 0) {
		snprintf(err, errlen, "docker inspect %s failed: %s", name, ebuf);
		return -1;
	}
	obuf[strcspn(obuf, "\n")] = '\0';
	if (!strcmp(obuf, "0")) {
		snprintf(err, errlen, "container %s is not running; start it first", name);
		return -1;
	}
	if (parse_pid(obuf, out) < 0) {
		snprintf(err, errlen, "docker inspect %s printed '%s', not a PID", name, obuf);
		return -1;
	}
	return 0;
}

/* Refuse an fd that is not a network namespace (ioctl NS_GET_NSTYPE). */
static int check_netns(int fd, const char *what, char *err, size_t errlen, int *status)
{
	int type;

	if (fd < 0)
		return fd;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 || type != CLONE_NEWNET) {
		close(fd);
		*status = EXIT_USAGE;
		snprintf(err, errlen, "%s is not a network namespace (want /proc/PID/ns/net or /run/netns/NAME)",
			 what);
		return -1;
	}
	return fd;
}

int target_validate(const struct egk_target *t, char *err, size_t errlen)
{
	pid_t pid;

	switch (t->kind) {
	case TARGET_PID:
		if (parse_pid(t->arg, &pid) < 0) {
			snprintf(err, errlen, "--pid needs a positive process ID, not '%s'", t->arg);
			return -1;
		}
		break;
	case TARGET_NETNS_NAME:
		if (!t->arg[0] || strchr(t->arg, '/') || !strcmp(t->arg, ".") ||
		    !strcmp(t->arg, "..")) {
			snprintf(err, errlen, "'%s' is not a namespace name (see 'ip netns list')", t->arg);
			return -1;
		}
		break;
	case TARGET_DOCKER:
		if (!t->arg[0] || t->arg[0] == '-') {
			snprintf(err, errlen, "'%s' is not a container name or ID", t->arg);
			return -1;
		}
		break;
	case TARGET_NETNS:
		if (!t->arg[0]) {
			snprintf(err, errlen, "--netns needs a path such as /proc/PID/ns/net");
			return -1;
		}
		break;
	case TARGET_NONE:
		break;
	}
	return 0;
}

int target_open_proc(const struct egk_target *t, struct egk_target_proc *proc, char *err,
		     size_t errlen, int *status)
{
	char path[PATH_MAX];
	pid_t pid = 0;
	int fd;

	if (proc) {
		proc->pid = 0;
		proc->dir = -1;
	}
	*status = EXIT_USAGE;
	if (t->kind != TARGET_NONE && target_validate(t, err, errlen) < 0)
		return -1;
	*status = EXIT_RUNTIME;
	switch (t->kind) {
	case TARGET_PID:
		if (parse_pid(t->arg, &pid) < 0)
			return -1;
		break;
	case TARGET_DOCKER:
		if (docker_pid(t->arg, &pid, err, errlen, status) < 0)
			return -1;
		break;
	case TARGET_NETNS_NAME:
		snprintf(path, sizeof(path), "/run/netns/%s", t->arg);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				snprintf(err, errlen,
					 "no network namespace named %s (see 'ip netns list')", t->arg);
			else
				snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		return check_netns(fd, path, err, errlen, status);
	case TARGET_NETNS:
		fd = open(t->arg, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open network namespace %s: %s", t->arg,
				 strerror(errno));
			return -1;
		}
		return check_netns(fd, t->arg, err, errlen, status);
	case TARGET_NONE:
	default:
		*status = EXIT_USAGE;
		snprintf(err, errlen,
			 "a TARGET is needed: --pid PID, --netns PATH, --netns-name NAME or --docker NAME");
		return -1;
	}
	/* --pid and --docker */
	fd = open_pid(pid, t->arg, proc ? &proc->dir : NULL, err, errlen, status);
	if (fd >= 0 && proc)
		proc->pid = (int)pid;
	return fd;
}

int target_open(const struct egk_target *t, char *err, size_t errlen, int *status)
{
	return target_open_proc(t, NULL, err, errlen, status);
}
