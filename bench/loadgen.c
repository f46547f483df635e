// SPDX-License-Identifier: GPL-2.0
/*
 * Load generators for bench/guest-bench.sh.  Every loop is bounded in time
 * and in count.
 *
 *   loadgen serve PORT MAXSECONDS
 *       TCP server on [::]:PORT (IPv4 too): accept, read the request, write a
 *       64-byte reply, wait for the client to close, close.  A request that
 *       starts with a TLS handshake record header (0x16 0x03) is read whole
 *       (5 + the record length, at most 16 KiB) before the reply, as a TLS
 *       server must have the whole ClientHello; the server speaks no TLS.
 *       Exits after MAXSECONDS.
 *   loadgen conn ADDR PORT SECONDS [NSFILE]
 *       New-connection loop for SECONDS (at most 10,000,000 attempts):
 *       socket, connect, send a 32-byte request, read the 64-byte reply,
 *       close with RST (SO_LINGER 0, so no TIME_WAIT piles up).  With
 *       NSFILE (one /run/netns path per line) each connection is opened in
 *       the next namespace of the list, round robin (setns before socket).
 *       Prints "ok=N fail=N refused=N secs=S rate=OK/S attempts_rate=ALL/S".
 *   loadgen first ADDR PORT SECONDS FILE [fin]
 *       The same loop as conn, but the request is the content of FILE (at
 *       most 16 KiB; a recorded TLS ClientHello), written with one write().
 *       A connection counts as ok when the 64-byte reply came back.  Same
 *       output line as conn.  With "fin" each connection is closed the
 *       ordinary way (FIN, the client keeps TIME_WAIT) instead of with RST.
 *   loadgen udp ADDR PORT SECONDS
 *       sendmmsg() of 64-byte datagrams, 64 per call, unconnected, for
 *       SECONDS (at most 2^31 datagrams).  Prints "sent=N errors=N secs=S pps=R".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_addr(const char *s, int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "loadgen: bad address %s\n", s);
	return -1;
}

static void timeouts(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * The first read of a request; when it begins a TLS handshake record, read on
 * until the whole record is in (or the buffer is full, or the peer stops).
 */
static ssize_t read_request(int c, char *buf, size_t size)
{
	ssize_t got = read(c, buf, size), r;
	size_t want;

	if (got < 5 || buf[0] != 0x16 || buf[1] != 0x03)
		return got;
	want = 5 + (((unsigned char)buf[3] << 8) | (unsigned char)buf[4]);
	if (want > size)
		want = size;
	while ((size_t)got < want && (r = read(c, buf + got, want - got)) > 0)
		got += r;
	return (size_t)got == want ? got : -1;
}

static int serve(int port, int maxsec)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int one = 1, zero = 0, fd;
	static char buf[16384 + 5];
	char reply[64];

	memset(reply, 'r', sizeof(reply));
	signal(SIGPIPE, SIG_IGN);
	alarm(maxsec);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return perror("socket"), 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1024))
		return perror("bind/listen"), 1;
	printf("listening on [::]:%d\n", port);
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			continue;
		}
		timeouts(c, 2000);
		if (read_request(c, buf, sizeof(buf)) > 0 &&
		    write(c, reply, sizeof(reply)) == sizeof(reply))
			while (read(c, buf, sizeof(buf)) > 0)
				;
		close(c);
	}
}

static int conn(const char *addr, int port, double secs, const char *nsfile,
		const char *reqfile, int fin)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct linger lg = { 1, 0 };
	static char req[16384];
	char rep[64];
	ssize_t reqlen = 32;
	long ok = 0, fail = 0, refused = 0, n;
	int nsfd[4096], nns = 0, one = 1;
	double t0, t;

	if (parse_addr(addr, port, &ss, &sl))
		return 2;
	memset(req, 'q', reqlen);
	if (reqfile) {
		int rf = open(reqfile, O_RDONLY | O_CLOEXEC);

		if (rf < 0)
			return perror(reqfile), 2;
		reqlen = read(rf, req, sizeof(req));
		close(rf);
		if (reqlen <= 0 || reqlen == (ssize_t)sizeof(req))
			return fprintf(stderr, "loadgen: %s: empty or over %zu bytes\n",
				       reqfile, sizeof(req) - 1), 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (nsfile) {
		char line[512];
		FILE *f = fopen(nsfile, "r");

		if (!f)
			return perror(nsfile), 2;
		while (nns < 4096 && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (!*line)
				continue;
			nsfd[nns] = open(line, O_RDONLY | O_CLOEXEC);
			if (nsfd[nns] < 0)
				return perror(line), 2;
			nns++;
		}
		fclose(f);
		if (!nns)
			return fprintf(stderr, "no namespaces in %s\n", nsfile), 2;
	}
	t0 = now();
	for (n = 0; n < 10000000; n++) {
		int fd, got = 0, r;

		if ((n & 7) == 0 && now() - t0 >= secs)
			break;
		if (nns && setns(nsfd[n % nns], CLONE_NEWNET))
			return perror("setns"), 2;
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			return perror("socket"), 2;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		timeouts(fd, 1000);
		if (connect(fd, (struct sockaddr *)&ss, sl)) {
			if (errno == ECONNREFUSED || errno == EPERM ||
			    errno == EHOSTUNREACH || errno == ENETUNREACH)
				refused++;
			else
				fail++;
			close(fd);
			continue;
		}
		if (write(fd, req, reqlen) == reqlen)
			while (got < (int)sizeof(rep) &&
			       (r = read(fd, rep + got, sizeof(rep) - got)) > 0)
				got += r;
		if (!fin)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		if (got == sizeof(rep))
			ok++;
		else
			fail++;
	}
	t = now() - t0;
	printf("ok=%ld fail=%ld refused=%ld secs=%.3f rate=%.1f attempts_rate=%.1f\n",
	       ok, fail, refused, t, ok / t, (ok + fail + refused) / t);
	return 0;
}

static int udp(const char *addr, int port, double secs)
{
	enum { B = 64 };
	struct sockaddr_storage ss;
	socklen_t sl;
	struct mmsghdr m[B];
	struct iovec iov[B];
	char payload[64];
	long sent = 0, errors = 0, calls;
	double t0, t;
	int fd, i;

	if (parse_addr(addr, port, &ss, &sl))
		return 2;
	memset(payload, 'u', sizeof(payload));
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return perror("socket"), 2;
	memset(m, 0, sizeof(m));
	for (i = 0; i < B; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = sizeof(payload);
		m[i].msg_hdr.msg_name = &ss;
		m[i].msg_hdr.msg_namelen = sl;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now();
	for (calls = 0; calls < (1L << 31) / B; calls++) {
		int r;

		if ((calls & 3) == 0 && now() - t0 >= secs)
			break;
		r = sendmmsg(fd, m, B, 0);
		if (r < 0)
			errors++;
		else
			sent += r;
	}
	t = now() - t0;
	printf("sent=%ld errors=%ld secs=%.3f pps=%.1f\n", sent, errors, t, sent / t);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 5 && !strcmp(argv[1], "conn"))
		return conn(argv[2], atoi(argv[3]), atof(argv[4]), argc > 5 ? argv[5] : NULL, NULL, 0);
	if (argc >= 6 && !strcmp(argv[1], "first"))
		return conn(argv[2], atoi(argv[3]), atof(argv[4]), NULL, argv[5],
			    argc > 6 && !strcmp(argv[6], "fin"));
	if (argc >= 5 && !strcmp(argv[1], "udp"))
		return udp(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: loadgen serve PORT MAXSECONDS | conn ADDR PORT SECONDS [NSFILE] | first ADDR PORT SECONDS FILE [fin] | udp ADDR PORT SECONDS\n");
	return 2;
}
