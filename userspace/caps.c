// SPDX-License-Identifier: GPL-2.0
/*
 * The capabilities of apply's target process (DESIGN.md section 6: "apply
 * warns about NET_ADMIN and SYS_ADMIN holders").  The effective set comes
 * from the CapEff line of /proc/PID/status; the parser is a pure function
 * over the file's bytes so that the unit tests can feed it any text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"

/* /proc/PID/status is a few KiB, but its Groups: line comes before CapEff
 * and can hold 65536 groups (about 720 KiB): read it whole, up to this. */
#define STATUS_MAX	(4u << 20)

static const struct risky_cap {
	unsigned int bit;
	const char *name;
	const char *effect;	/* after "WHO holds NAME: " */
} risky_caps[] = {
	{ EGK_CAP_NET_ADMIN, "CAP_NET_ADMIN",
	  "it can reconfigure its own network namespace after egressk's LOCAL_OUT check "
	  "(nft or tc rewriting packets, tunnels, SRv6 routes, tun/tap/macvlan devices); "
	  "the host-side guard on its veth peer re-checks the source and destination of "
	  "every frame leaving, so rewritten packets to disallowed destinations are still "
	  "dropped there, but traffic to allowed destinations can be reshaped (e.g. "
	  "tunnelled inside an allowed connection), and without a host-side veth peer "
	  "(macvlan, ipvlan, host network) there is no guard; drop CAP_NET_ADMIN unless "
	  "the container needs it" },
	{ EGK_CAP_SYS_ADMIN, "CAP_SYS_ADMIN",
	  "it can create nested namespaces and move devices between them, mount, and use "
	  "BPF in ways that forge what egressk treats as the container's uplink (DNS "
	  "answers and inbound connections arriving on a device it controls); egressk "
	  "does not defend against a container holding CAP_SYS_ADMIN: drop it" },
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value part of one line (after "FIELD:"), without its newline. */
static int parse_mask(const char *s, size_t len, uint64_t *mask)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	while (i < len && (s[i] == '\t' || s[i] == ' '))
		i++;
	for (; i < len; i++, digits++) {
		int d = hex_digit(s[i]);

		if (d < 0 || digits == 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits)
		return -EINVAL;
	*mask = v;
	return 0;
}

int caps_parse_status(const char *buf, size_t len, const char *field, uint64_t *mask)
{
	size_t flen = strlen(field), pos = 0;
	bool found = false;
	uint64_t v = 0;

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;

		if (llen > flen && !memcmp(line, field, flen) && line[flen] == ':') {
			/* a line without its newline was cut off: its number
			 * may be missing digits */
			if (!nl || found)
				return -EINVAL;
			if (parse_mask(line + flen + 1, llen - flen - 1, &v))
				return -EINVAL;
			found = true;
		}
		pos += llen + 1;
	}
	if (!found)
		return -ENOENT;
	*mask = v;
	return 0;
}

static int caps_read_fields(int procdir, const char *const *fields, size_t n,
			    uint64_t *mask)
{
	size_t len = 0, cap = 8192;
	char *buf = NULL;
	int fd, ret;

	fd = openat(procdir, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len == cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			if (cap > STATUS_MAX) {
				ret = -EFBIG;
				goto out;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/* no line, or a malformed one: not an error of the read itself */
	*mask = 0;
	ret = 0;
	for (size_t i = 0; i < n && !ret; i++) {
		uint64_t m;

		ret = caps_parse_status(buf, len, fields[i], &m) ? -EBADMSG : 0;
		*mask |= m;
	}
out:
	free(buf);
	close(fd);
	return ret;
}

int caps_read_effective(int procdir, uint64_t *mask)
{
	static const char *const eff[] = { "CapEff" };

	return caps_read_fields(procdir, eff, 1, mask);
}

int caps_read_reachable(int procdir, uint64_t *mask)
{
	static const char *const all[] = { "CapEff", "CapPrm", "CapBnd" };

	return caps_read_fields(procdir, all, 3, mask);
}

void caps_names(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(risky_caps) / sizeof(risky_caps[0]); i++) {
		int n;

		if (!(mask & (1ull << risky_caps[i].bit)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? " and " : "",
			     risky_caps[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

int caps_warn(FILE *f, uint64_t mask, const char *who)
{
	int lines = 0;

	for (size_t i = 0; i < sizeof(risky_caps) / sizeof(risky_caps[0]); i++) {
		if (!(mask & (1ull << risky_caps[i].bit)))
			continue;
		fprintf(f, "warning: %s holds %s: %s\n", who, risky_caps[i].name,
			risky_caps[i].effect);
		lines++;
	}
	return lines;
}
