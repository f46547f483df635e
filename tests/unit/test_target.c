// SPDX-License-Identifier: GPL-2.0
/* Unit tests of TARGET resolution (userspace/target.c); no kernel module. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"
#include "test.h"

struct case_ {
	const char *name;
	enum target_kind kind;
	const char *arg;
	int want_status;	/* 0: opens */
	const char *phrase;
};

static void run(const struct case_ *c)
{
	struct egk_target t = { .kind = c->kind, .arg = c->arg };
	char err[512] = "";
	int status = -1, fd;

	fd = target_open(&t, err, sizeof(err), &status);
	if (c->want_status == 0) {
		CHECK(fd >= 0, c->name, "did not open: %s", err);
	} else {
		CHECK(fd < 0 && status == c->want_status && strstr(err, c->phrase), c->name,
		      "fd=%d status=%d err=[%s] want %d [%s]", fd, status, err, c->want_status,
		      c->phrase);
	}
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char self[32], nsdir[] = "/tmp/egk-target-XXXXXX";
	struct stat a, b;
	int fd, status;
	char err[512];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	{
		const struct case_ cases[] = {
			{ "--pid of this process opens", TARGET_PID, self, 0, NULL },
			{ "--pid 0 is a usage error", TARGET_PID, "0", 2, "positive process ID" },
			{ "--pid abc is a usage error", TARGET_PID, "abc", 2, "positive process ID" },
			{ "--pid 12x is a usage error", TARGET_PID, "12x", 2, "positive process ID" },
			{ "--pid of no process", TARGET_PID, "2147483646", 1, "no such process" },
			{ "--netns /proc/self/ns/net opens", TARGET_NETNS, "/proc/self/ns/net", 0, NULL },
			{ "--netns of a missing path", TARGET_NETNS, "/nonexistent/ns", 1,
			  "cannot open network namespace /nonexistent/ns" },
			{ "--netns of a file that is no netns", TARGET_NETNS, "/etc/hostname", 2,
			  "is not a network namespace" },
			{ "--netns of another namespace type", TARGET_NETNS, "/proc/self/ns/uts", 2,
			  "is not a network namespace" },
			{ "--netns-name that does not exist", TARGET_NETNS_NAME, "egk-absent-ns", 1,
			  "no network namespace named egk-absent-ns (see 'ip netns list')" },
			{ "--netns-name with a slash", TARGET_NETNS_NAME, "../etc", 2,
			  "not a namespace name" },
			{ "--docker with a dash", TARGET_DOCKER, "-x", 2, "not a container name" },
			{ "no target", TARGET_NONE, NULL, 2, "a TARGET is needed" },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run(&cases[i]);
	}

	/* the fd is the namespace of the process named */
	{
		struct egk_target t = { .kind = TARGET_PID, .arg = self };

		fd = target_open(&t, err, sizeof(err), &status);
		CHECK(fd >= 0 && fstat(fd, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 &&
		      a.st_ino == b.st_ino && target_inode(fd) == (uint32_t)b.st_ino,
		      "--pid fd is that process's netns", "fd=%d err=%s", fd, err);
		if (fd >= 0)
			close(fd);
	}

	/* target_open_proc: the process behind --pid, and none behind --netns */
	{
		struct egk_target t = { .kind = TARGET_PID, .arg = self };
		struct egk_target_proc proc = { .pid = -1, .dir = -2 };
		struct stat d, s;

		fd = target_open_proc(&t, &proc, err, sizeof(err), &status);
		CHECK(fd >= 0 && proc.pid == (int)getpid() && proc.dir >= 0 &&
		      fstat(proc.dir, &d) == 0 && stat("/proc/self/", &s) == 0 &&
		      d.st_ino == s.st_ino && d.st_dev == s.st_dev,
		      "--pid: the process and its /proc directory", "fd=%d pid=%d dir=%d err=%s",
		      fd, proc.pid, proc.dir, err);
		if (fd >= 0)
			close(fd);
		if (proc.dir >= 0)
			close(proc.dir);

		t.kind = TARGET_NETNS;
		t.arg = "/proc/self/ns/net";
		proc.pid = -1;
		proc.dir = -2;
		fd = target_open_proc(&t, &proc, err, sizeof(err), &status);
		CHECK(fd >= 0 && proc.pid == 0 && proc.dir == -1, "--netns: no process",
		      "fd=%d pid=%d dir=%d err=%s", fd, proc.pid, proc.dir, err);
		if (fd >= 0)
			close(fd);

		t.kind = TARGET_PID;
		t.arg = "2147483646";
		proc.pid = -1;
		proc.dir = -2;
		fd = target_open_proc(&t, &proc, err, sizeof(err), &status);
		CHECK(fd < 0 && proc.pid == 0 && proc.dir == -1, "--pid of no process: no process",
		      "fd=%d pid=%d dir=%d", fd, proc.pid, proc.dir);
	}

	/* a child that exited and was reaped is no longer found */
	{
		pid_t child = fork();
		char pidbuf[32];
		struct egk_target t = { .kind = TARGET_PID, .arg = pidbuf };

		if (child == 0)
			_exit(0);
		waitpid(child, NULL, 0);
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)child);
		fd = target_open(&t, err, sizeof(err), &status);
		CHECK(fd < 0 && status == 1 && strstr(err, "no such process"),
		      "--pid of a reaped child", "fd=%d err=%s", fd, err);
		if (fd >= 0)
			close(fd);
	}

	/* docker not in PATH: a clear message, exit status 1 */
	if (mkdtemp(nsdir)) {
		char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
		struct egk_target t = { .kind = TARGET_DOCKER, .arg = "agent1" };

		setenv("PATH", nsdir, 1);
		fd = target_open(&t, err, sizeof(err), &status);
		CHECK(fd < 0 && status == 1 && strstr(err, "cannot run docker"),
		      "--docker without docker in PATH", "fd=%d err=%s", fd, err);
		if (old)
			setenv("PATH", old, 1);
		free(old);

		/* a fake docker that prints a PID of 0: container not running */
		{
			char path[128];
			FILE *f;

			snprintf(path, sizeof(path), "%s/docker", nsdir);
			f = fopen(path, "w");
			fprintf(f, "#!/bin/sh\n[ \"$1 $2 $3\" = 'inspect -f {{.State.Pid}}' ] || exit 3\n"
				   "case \"$4\" in stopped) echo 0;; mine) echo %d;; *) echo \"Error: No such object: $4\" >&2; exit 1;; esac\n",
				(int)getpid());
			fclose(f);
			chmod(path, 0755);
			old = strdup(getenv("PATH"));
			setenv("PATH", nsdir, 1);
			t.arg = "stopped";
			fd = target_open(&t, err, sizeof(err), &status);
			CHECK(fd < 0 && status == 1 && strstr(err, "container stopped is not running"),
			      "--docker of a stopped container", "fd=%d err=%s", fd, err);
			t.arg = "ghost";
			fd = target_open(&t, err, sizeof(err), &status);
			CHECK(fd < 0 && status == 1 && strstr(err, "No such object: ghost"),
			      "--docker of an unknown container passes docker's message on",
			      "fd=%d err=%s", fd, err);
			t.arg = "mine";
			fd = target_open(&t, err, sizeof(err), &status);
			CHECK(fd >= 0 && target_inode(fd) == (uint32_t)b.st_ino,
			      "--docker resolves through the container's PID", "fd=%d err=%s", fd, err);
			if (fd >= 0)
				close(fd);
			{
				struct egk_target_proc proc = { .pid = -1, .dir = -1 };

				fd = target_open_proc(&t, &proc, err, sizeof(err), &status);
				CHECK(fd >= 0 && proc.pid == (int)getpid() && proc.dir >= 0,
				      "--docker: the container's process comes back", "fd=%d pid=%d err=%s",
				      fd, proc.pid, err);
				if (fd >= 0)
					close(fd);
				if (proc.dir >= 0)
					close(proc.dir);
			}
			setenv("PATH", old, 1);
			free(old);
			unlink(path);
		}
		rmdir(nsdir);
	}
	return test_summary();
}
