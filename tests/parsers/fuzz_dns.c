// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the DNS parser: egressk_dns_parse_query(),
 * egressk_dns_parse_response(), the answer iterator, egressk_dns_name() and
 * egressk_dns_answer_addrs().  Input: one mode byte, then the message.
 * Mode bit 0: the message is framed for TCP (egressk_dns_tcp_message first).
 * The name buffer size comes from the mode byte's upper bits.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static bool in_input(const u8 *data, size_t size, const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + n <= size; i++)
		if (!memcmp(data + i, p, n))
			return true;
	return false;
}

static void check_name_rc(int rc, const char *name, size_t len)
{
	FUZZ_ASSERT(rc == 0 || rc == -EILSEQ || rc == -ENAMETOOLONG || rc == -EINVAL);
	if (rc == 0) {
		FUZZ_ASSERT(len < EGRESSK_NAME_BUF && strlen(name) == len);
		FUZZ_ASSERT(egressk_name_valid(name, len));
	} else {
		FUZZ_ASSERT(name[0] == '\0');
	}
}

static void one(bool response, const u8 *m, size_t n, size_t small)
{
	char name[EGRESSK_NAME_BUF + 8], sname[EGRESSK_NAME_BUF + 8];
	struct egressk_dns_msg msg, msg2;
	struct egressk_dns_iter it;
	struct egressk_dns_rr rr;
	struct egressk_dns_addr a[4];
	size_t len = (size_t)-1, slen = (size_t)-1, i;
	int rc, src, cnt, k;

	memset(name, 0x7e, sizeof(name));
	rc = (response ? egressk_dns_parse_response : egressk_dns_parse_query)
		(m, n, &msg, name, EGRESSK_NAME_BUF, &len);
	FUZZ_ASSERT((u8)name[EGRESSK_NAME_BUF] == 0x7e);
	FUZZ_ASSERT(rc != -ENAMETOOLONG);	/* 254 bytes always fit */
	check_name_rc(rc, name, len);

	/* A smaller buffer: no write past it; the same name or -ENAMETOOLONG. */
	memset(sname, 0x7e, sizeof(sname));
	src = (response ? egressk_dns_parse_response : egressk_dns_parse_query)
		(m, n, &msg2, sname, small, &slen);
	for (i = small; i < sizeof(sname); i++)
		FUZZ_ASSERT((u8)sname[i] == 0x7e);
	if (rc == 0 && len < small)
		FUZZ_ASSERT(src == 0 && slen == len && !strcmp(sname, name));
	else if (rc == 0)
		FUZZ_ASSERT(src == -ENAMETOOLONG);
	else
		FUZZ_ASSERT(src == rc);

	if (rc != 0 && rc != -EILSEQ)
		return;
	FUZZ_ASSERT(msg.qdcount == 1 && !!(msg.flags & EGRESSK_DNS_F_QR) == response);
	/* A query ends exactly at @n: no prefix of it is a query. */
	if (!response)
		FUZZ_ASSERT(egressk_dns_parse_query(m, n - 1, &msg2, sname, sizeof(sname),
						    &slen) == -EINVAL);
	if (!response)
		return;

	cnt = 0;
	egressk_dns_answers(&msg, &it);
	while (!(k = egressk_dns_next_answer(&it, &rr))) {
		cnt++;
		k = egressk_dns_name(&msg, rr.owner_off, sname, sizeof(sname), &slen);
		FUZZ_ASSERT(k != -EINVAL);	/* validated by the parse */
		check_name_rc(k, sname, slen);
		if (rr.type == EGRESSK_DNS_TYPE_CNAME) {
			k = egressk_dns_name(&msg, rr.target_off, sname, sizeof(sname), &slen);
			FUZZ_ASSERT(k != -EINVAL);
			check_name_rc(k, sname, slen);
		}
		FUZZ_ASSERT(rr.ttl <= 0x7fffffffu);
		FUZZ_ASSERT((size_t)rr.rdata_off + rr.rdlength <= n);
	}
	FUZZ_ASSERT(k == -ENOENT && cnt == msg.ancount);

	memset(a, 0x7e, sizeof(a));
	k = egressk_dns_answer_addrs(&msg, a, 3);
	FUZZ_ASSERT(k >= 0 || k == -EINVAL || k == -ELOOP || k == -E2BIG);
	FUZZ_ASSERT(((const u8 *)&a[3])[0] == 0x7e);
	FUZZ_ASSERT(egressk_dns_answer_addrs(&msg, NULL, 0) == k);
	if (k > 0) {
		FUZZ_ASSERT(k <= msg.ancount);
		for (i = 0; i < (size_t)k && i < 3; i++) {
			size_t alen = a[i].type == EGRESSK_DNS_TYPE_A ? 4 : 16;

			FUZZ_ASSERT(a[i].type == EGRESSK_DNS_TYPE_A ||
				    a[i].type == EGRESSK_DNS_TYPE_AAAA);
			/* Nothing invented: the address is in the message. */
			FUZZ_ASSERT(in_input(m, n, a[i].addr, alen));
		}
	}
	if (msg.qclass != EGRESSK_DNS_CLASS_IN)
		FUZZ_ASSERT(k <= 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const u8 *m;
	size_t n, small;
	int rc;

	if (size < 1)
		return 0;
	small = 1 + (data[0] >> 1) % EGRESSK_NAME_BUF;
	m = data + 1;
	n = size - 1;
	if (data[0] & 1) {
		rc = egressk_dns_tcp_message(m, n, &m, &n);
		FUZZ_ASSERT(rc == 0 || rc == -EAGAIN || rc == -EINVAL);
		if (rc)
			return 0;
		FUZZ_ASSERT(m == data + 3 && n + 2 <= size - 1);
	}
	one(false, m, n, small);
	one(true, m, n, small);
	return 0;
}
