// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the target capability check (userspace/caps.c): the CapEff
 * parser on status texts, the warning lines, and reading a live process's
 * set, compared with what capget(2) says.  No kernel module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "test.h"

#define NET_RAW		(1ull << 13)
#define NET_ADMIN	(1ull << EGK_CAP_NET_ADMIN)
#define SYS_ADMIN	(1ull << EGK_CAP_SYS_ADMIN)

/* The head of a real /proc/PID/status around the capability lines; the
 * other Cap* lines differ from CapEff so a parser reading the wrong line
 * fails. */
#define STATUS_HEAD	"Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n" \
			"Uid:\t0\t0\t0\t0\nGroups:\t0 1 2 3 4 6 10 11 20 26 27\n"
#define CAPS(inh, prm, eff, bnd) \
	"CapInh:\t" inh "\nCapPrm:\t" prm "\nCapEff:\t" eff "\nCapBnd:\t" bnd \
	"\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\n"

struct parse_case {
	const char *name;
	const char *text;
	int want_ret;
	uint64_t want_mask;
	bool net_admin, sys_admin;	/* what apply must see */
	const char *guards;		/* the regression the case guards */
};

static const struct parse_case parse_cases[] = {
	{ "full set of a root process (CAP_LAST_CAP 40)",
	  STATUS_HEAD CAPS("0000000000000000", "000001ffffffffff", "000001ffffffffff", "000001ffffffffff"),
	  0, 0x000001ffffffffffull, true, true, "the common case: both found" },
	{ "all 64 bits set",
	  STATUS_HEAD CAPS("0000000000000000", "ffffffffffffffff", "ffffffffffffffff", "ffffffffffffffff"),
	  0, UINT64_MAX, true, true, "the top nibble is not lost to a 63-bit shift" },
	{ "Docker's default set: NET_RAW, no NET_ADMIN or SYS_ADMIN",
	  STATUS_HEAD CAPS("0000000000000000", "00000000a80425fb", "00000000a80425fb", "00000000a80425fb"),
	  0, 0x00000000a80425fbull, false, false, "no warning for a default container" },
	{ "Docker's default set plus NET_ADMIN (--cap-add NET_ADMIN)",
	  STATUS_HEAD CAPS("0000000000000000", "00000000a80435fb", "00000000a80435fb", "00000000a80435fb"),
	  0, 0x00000000a80435fbull, true, false, "bit 12 read as NET_ADMIN" },
	{ "Docker's default set plus SYS_ADMIN",
	  STATUS_HEAD CAPS("0000000000000000", "00000000a82425fb", "00000000a82425fb", "00000000a82425fb"),
	  0, 0x00000000a82425fbull, false, true, "bit 21 read as SYS_ADMIN" },
	{ "CapEff differs from CapPrm and CapBnd: CapEff counts",
	  STATUS_HEAD CAPS("0000000000001000", "000001ffffffffff", "00000000a80425fb", "000001ffffffffff"),
	  0, 0x00000000a80425fbull, false, false, "the effective set is the one read, not a neighbour" },
	{ "empty effective set (a non-root user)",
	  STATUS_HEAD CAPS("0000000000000000", "0000000000000000", "0000000000000000", "000001ffffffffff"),
	  0, 0, false, false, "zero is a value, not an error" },
	{ "short number and spaces instead of a tab", "CapEff:   3000\n",
	  0, 0x3000, true, false, "only the digits count, not their padding" },
	{ "upper-case hex digits", "CapEff:\t00000000A80435FB\n",
	  0, 0x00000000a80435fbull, true, false, "either case of hex" },
	{ "the last line", "Name:\tx\nCapEff:\t0000000000201000\n",
	  0, 0x201000, true, true, "a match at the end of the buffer" },
	{ "missing CapEff line",
	  STATUS_HEAD "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n",
	  -ENOENT, 0, false, false, "no line is not an empty set" },
	{ "empty text", "", -ENOENT, 0, false, false, "nothing read" },
	{ "CapEff only inside another line", "XCapEff:\t000001ffffffffff\nFoo: CapEff:\t1\n",
	  -ENOENT, 0, false, false, "a field matches at the start of a line only" },
	{ "a longer field name that starts with CapEff", "CapEffective:\t0000000000001000\n",
	  -ENOENT, 0, false, false, "the colon ends the name" },
	{ "no digits", "CapEff:\t\n", -EINVAL, 0, false, false, "an empty value is malformed" },
	{ "not hex", "CapEff:\t00000000a80425fg\n", -EINVAL, 0, false, false, "a stray character" },
	{ "0x prefix", "CapEff:\t0x1000\n", -EINVAL, 0, false, false, "only the kernel's format" },
	{ "17 digits", "CapEff:\t00000000000000001\n", -EINVAL, 0, false, false,
	  "no overflow past 64 bits" },
	{ "trailing text", "CapEff:\t0000000000001000 x\n", -EINVAL, 0, false, false,
	  "the number is the whole value" },
	{ "negative", "CapEff:\t-1\n", -EINVAL, 0, false, false, "no sign" },
	{ "cut off before its newline", "Name:\tx\nCapEff:\t00000000000010", -EINVAL, 0, false, false,
	  "a truncated read may have lost digits" },
	{ "two CapEff lines",
	  "CapEff:\t0000000000000000\nCapEff:\t0000000000001000\n", -EINVAL, 0, false, false,
	  "an ambiguous file is refused, not read either way" },
};

static void run_parse(const struct parse_case *c)
{
	uint64_t mask = 0xdeadbeef;
	int ret = caps_parse_status(c->text, strlen(c->text), "CapEff", &mask);

	if (c->want_ret) {
		CHECK(ret == c->want_ret, c->name, "ret %d, want %d (%s)", ret, c->want_ret, c->guards);
		return;
	}
	CHECK(ret == 0 && mask == c->want_mask &&
	      !!(mask & NET_ADMIN) == c->net_admin && !!(mask & SYS_ADMIN) == c->sys_admin,
	      c->name, "ret %d mask %016" PRIx64 ", want %016" PRIx64 " (%s)", ret, mask,
	      c->want_mask, c->guards);
}

/* caps_warn's lines for @mask, in @buf. */
static int warn_lines(uint64_t mask, char *buf, size_t len)
{
	FILE *f;
	int n;

	memset(buf, 0, len);	/* fmemopen writes no NUL when nothing is written */
	f = fmemopen(buf, len, "w");
	if (!f)
		return -1;
	n = caps_warn(f, mask, "container agent (PID 42)");
	fclose(f);
	return n;
}

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;

	for (const char *l = s; *l; ) {
		const char *nl = strchr(l, '\n');

		if (!strncmp(l, prefix, strlen(prefix)))
			n++;
		if (!nl)
			break;
		l = nl + 1;
	}
	return n;
}

static void test_warnings(void)
{
	char buf[4096], names[64];
	int n;

	n = warn_lines(0x00000000a80425fbull, buf, sizeof(buf));
	CHECK(n == 0 && buf[0] == '\0', "Docker's default set gets no warning",
	      "%d lines: %s", n, buf);

	n = warn_lines(0x00000000a80435fbull, buf, sizeof(buf));
	CHECK(n == 1 && count_lines(buf, "warning: container agent (PID 42) holds CAP_NET_ADMIN: ") == 1 &&
	      strstr(buf, "host-side guard") && strstr(buf, "macvlan, ipvlan, host network") &&
	      !strstr(buf, "CAP_SYS_ADMIN"),
	      "NET_ADMIN: one line naming the target, the guard and its gaps", "%d lines: %s", n, buf);

	n = warn_lines(0x00000000a82425fbull, buf, sizeof(buf));
	CHECK(n == 1 && count_lines(buf, "warning: container agent (PID 42) holds CAP_SYS_ADMIN: ") == 1 &&
	      strstr(buf, "does not defend against") && !strstr(buf, "CAP_NET_ADMIN"),
	      "SYS_ADMIN: one line saying egressk does not defend against it", "%d lines: %s", n, buf);

	n = warn_lines(UINT64_MAX, buf, sizeof(buf));
	CHECK(n == 2 && count_lines(buf, "warning: ") == 2 &&
	      strstr(buf, "CAP_NET_ADMIN") < strstr(buf, "CAP_SYS_ADMIN"),
	      "a full set: two lines, NET_ADMIN first", "%d lines: %s", n, buf);

	caps_names(NET_ADMIN | NET_RAW, names, sizeof(names));
	CHECK_STR(names, "CAP_NET_ADMIN", "caps_names: NET_ADMIN alone (NET_RAW is not named)");
	caps_names(NET_ADMIN | SYS_ADMIN, names, sizeof(names));
	CHECK_STR(names, "CAP_NET_ADMIN and CAP_SYS_ADMIN", "caps_names: both");
	caps_names(NET_RAW, names, sizeof(names));
	CHECK_STR(names, "", "caps_names: none");
	caps_names(NET_ADMIN | SYS_ADMIN, names, 20);
	CHECK(strlen(names) < 20, "caps_names: a short buffer stays terminated", "[%s]", names);
}

/* This process's effective set as the kernel reports it through capget. */
static int capget_effective(uint64_t *eff)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	/* zeroed: valgrind marks only the first of the two as written */
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	return 0;
}

static void test_read(void)
{
	uint64_t mask = 0, want = 0;
	int dir, ret;

	dir = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = dir < 0 ? -errno : caps_read_effective(dir, &mask);
	CHECK(ret == 0 && capget_effective(&want) == 0 && mask == want,
	      "this process's CapEff matches capget", "ret %d mask %016" PRIx64 " capget %016" PRIx64,
	      ret, mask, want);
	if (dir >= 0)
		close(dir);

	/* a /proc/PID directory outlives its process: reads through it fail
	 * from then on (fail closed), they never find a new process */
	{
		char path[64];
		pid_t child = fork();

		if (child == 0) {
			pause();
			_exit(0);
		}
		snprintf(path, sizeof(path), "/proc/%d", (int)child);
		dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ret = dir < 0 ? -errno : caps_read_effective(dir, &mask);
		CHECK(ret == 0, "a live child's set is read", "ret %d", ret);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		ret = dir < 0 ? -errno : caps_read_effective(dir, &mask);
		CHECK(ret < 0 && ret != -EBADMSG, "the reaped child's set cannot be read",
		      "ret %d", ret);
		if (dir >= 0)
			close(dir);
	}

	/* a status file without a well-formed CapEff line: -EBADMSG, never a
	 * set (an unset mask read as "no capabilities" would fail open) */
	{
		char tmpl[] = "/tmp/egk-caps-XXXXXX", path[64] = "";
		const char *bodies[] = {
			STATUS_HEAD "CapPrm:\t000001ffffffffff\n",
			STATUS_HEAD "CapEff:\t000001ffffffffffff\n",
		};

		for (size_t i = 0; i < 2 && mkdtemp(tmpl); i++) {
			FILE *f;

			snprintf(path, sizeof(path), "%s/status", tmpl);
			f = fopen(path, "w");
			if (f) {
				fputs(bodies[i], f);
				fclose(f);
			}
			dir = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			mask = 0;
			ret = caps_read_effective(dir, &mask);
			CHECK(ret == -EBADMSG, i ? "a status file with a malformed CapEff: -EBADMSG"
						 : "a status file without CapEff: -EBADMSG",
			      "ret %d mask %016" PRIx64, ret, mask);
			close(dir);
			unlink(path);
			rmdir(tmpl);
			strcpy(tmpl, "/tmp/egk-caps-XXXXXX");
		}
	}

	/* a Groups: line of thousands of groups comes before CapEff (and
	 * CAP_SETGID, in Docker's default set, can set them): the whole file
	 * is read, not its first page */
	{
		char tmpl[] = "/tmp/egk-caps-XXXXXX", path[64] = "";
		FILE *f = NULL;

		if (mkdtemp(tmpl)) {
			snprintf(path, sizeof(path), "%s/status", tmpl);
			f = fopen(path, "w");
		}
		if (f) {
			fputs("Name:\tagent\nGroups:\t", f);
			for (int g = 100000; g < 110000; g++)
				fprintf(f, "%d ", g);
			fputs("\n" CAPS("0000000000000000", "00000000a80435fb", "00000000a80435fb",
					"00000000a80435fb"), f);
			fclose(f);
		}
		dir = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		mask = 0;
		ret = dir < 0 ? -errno : caps_read_effective(dir, &mask);
		CHECK(ret == 0 && mask == 0x00000000a80435fbull,
		      "CapEff after 60 KiB of groups is read", "ret %d mask %016" PRIx64, ret, mask);
		if (dir >= 0)
			close(dir);
		unlink(path);
		rmdir(tmpl);
	}

	/* reachable: a capability only in the bounding set counts (root in
	 * the container regains it on exec), and so does one only permitted */
	{
		char tmpl[] = "/tmp/egk-caps-XXXXXX", path[64] = "";
		FILE *f = NULL;

		if (mkdtemp(tmpl)) {
			snprintf(path, sizeof(path), "%s/status", tmpl);
			f = fopen(path, "w");
		}
		if (f) {
			fputs(STATUS_HEAD CAPS("0000000000000000", "0000000000200000",
					       "0000000000000000", "00000000a80435fb"), f);
			fclose(f);
		}
		dir = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		mask = 0;
		ret = dir < 0 ? -errno : caps_read_effective(dir, &mask);
		CHECK(ret == 0 && mask == 0, "effective: an empty CapEff reads empty",
		      "ret %d mask %016" PRIx64, ret, mask);
		ret = dir < 0 ? -errno : caps_read_reachable(dir, &mask);
		CHECK(ret == 0 && mask == 0x00000000a82435fbull,
		      "reachable: CapEff | CapPrm | CapBnd (SYS_ADMIN only permitted, NET_ADMIN only bounding)",
		      "ret %d mask %016" PRIx64, ret, mask);
		if (dir >= 0)
			close(dir);
		unlink(path);
		rmdir(tmpl);
	}

	/* a directory with no status file: the open's errno comes back */
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = caps_read_effective(dir, &mask);
	CHECK(ret == -ENOENT, "no status file: -ENOENT", "ret %d", ret);
	close(dir);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		run_parse(&parse_cases[i]);

	/* the length bounds the parse: the same line, cut before its newline */
	{
		const char *s = "CapEff:\t0000000000001000\nCapBnd:\t000001ffffffffff\n";
		uint64_t mask;

		CHECK(caps_parse_status(s, strlen("CapEff:\t00000000000010"), "CapEff", &mask) == -EINVAL,
		      "the parse stops at len", "read past len");
	}
	test_warnings();
	test_read();
	return test_summary();
}
