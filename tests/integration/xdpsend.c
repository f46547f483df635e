// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsend: send Ethernet frames through an AF_XDP socket, the way a process
 * holding only CAP_NET_RAW can transmit past every netfilter hook of its
 * namespace (test_guard.sh builds and runs it in the guest).
 *
 *   xdpsend IFNAME HEXFRAME [COUNT]
 *
 * Binds a TX-only AF_XDP socket in copy mode to queue 0 of IFNAME (no XDP
 * program needed to transmit), writes the frame COUNT times (default 3) and
 * waits for the completions.  Prints "sent N completed M" and exits 0 when
 * every frame completed, 1 when some did not, 2 on a setup error (errno in
 * the message; EAFNOSUPPORT: the kernel has no CONFIG_XDP_SOCKETS).
 * Only the uapi header linux/if_xdp.h is used: no libbpf or libxdp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_xdp.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define FRAME_SIZE	2048
#define NUM_FRAMES	16
#define RING_SIZE	16	/* a power of two */

struct ring {
	uint32_t *producer;
	uint32_t *consumer;
	void *desc;
	void *map;
	size_t map_len;
};

static int die(const char *what)
{
	fprintf(stderr, "xdpsend: %s: %s\n", what, strerror(errno));
	return 2;
}

static int map_ring(int fd, const struct xdp_ring_offset *off, size_t elem,
		    off_t pgoff, struct ring *r)
{
	r->map_len = off->desc + RING_SIZE * elem;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED)
		return -1;
	r->producer = (uint32_t *)((char *)r->map + off->producer);
	r->consumer = (uint32_t *)((char *)r->map + off->consumer);
	r->desc = (char *)r->map + off->desc;
	return 0;
}

static int parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > max || n < 28)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return (int)(n / 2);
}

int main(int argc, char **argv)
{
	struct xdp_umem_reg reg = { 0 };
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp = { 0 };
	struct ring tx, cq;
	unsigned char frame[FRAME_SIZE];
	socklen_t optlen = sizeof(off);
	int fd, len, count = 3, i, ring = RING_SIZE;
	uint32_t done = 0, prod;
	unsigned int ifindex;
	void *umem;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xdpsend IFNAME HEXFRAME [COUNT]\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		return die(argv[1]);
	len = parse_hex(argv[2], frame, sizeof(frame));
	if (len < 0) {
		fprintf(stderr, "xdpsend: HEXFRAME must be 14..%d bytes of hex\n", FRAME_SIZE);
		return 2;
	}
	if (argc == 4)
		count = atoi(argv[3]);
	if (count < 1 || count > NUM_FRAMES)
		count = 3;

	fd = socket(AF_XDP, SOCK_RAW, 0);
	if (fd < 0)
		return die("socket(AF_XDP)");
	umem = mmap(NULL, NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (umem == MAP_FAILED)
		return die("mmap umem");
	reg.addr = (uintptr_t)umem;
	reg.len = NUM_FRAMES * FRAME_SIZE;
	reg.chunk_size = FRAME_SIZE;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)))
		return die("XDP_UMEM_REG");
	/* bind wants both umem rings even for a socket that only sends */
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_TX_RING, &ring, sizeof(ring)))
		return die("ring sizes");
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return die("XDP_MMAP_OFFSETS");
	if (map_ring(fd, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING, &tx) ||
	    map_ring(fd, &off.cr, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING, &cq))
		return die("mmap rings");

	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = 0;
	sxdp.sxdp_flags = XDP_COPY;
	if (bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		return die("bind (copy mode, queue 0)");

	prod = *tx.producer;
	for (i = 0; i < count; i++) {
		struct xdp_desc *d = &((struct xdp_desc *)tx.desc)[(prod + i) & (RING_SIZE - 1)];

		memcpy((char *)umem + (size_t)i * FRAME_SIZE, frame, len);
		d->addr = (uint64_t)i * FRAME_SIZE;
		d->len = len;
		d->options = 0;
	}
	__atomic_store_n(tx.producer, prod + count, __ATOMIC_RELEASE);
	/* copy mode transmits from sendmsg's context */
	if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
		return die("sendto (kick)");

	for (i = 0; i < 50 && done < (uint32_t)count; i++) {
		uint32_t cprod = __atomic_load_n(cq.producer, __ATOMIC_ACQUIRE);
		uint32_t ccons = *cq.consumer;

		done += cprod - ccons;
		__atomic_store_n(cq.consumer, cprod, __ATOMIC_RELEASE);
		if (done < (uint32_t)count) {
			usleep(20000);
			if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
			    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
				return die("sendto (kick)");
		}
	}
	printf("sent %d completed %u\n", count, done);
	close(fd);
	return done == (uint32_t)count ? 0 : 1;
}
