// SPDX-License-Identifier: GPL-2.0
/*
 * egresskctl's netlink code, confined to this file.  Every request is sent
 * with NLM_F_ACK and the answer is read until its ACK, error or NLMSG_DONE,
 * through one callback set, so a reply and its ACK arriving in one read are
 * handled alike.  NETLINK_EXT_ACK is enabled by hand (libnl 3.7 has no helper)
 * and the extack message is read from the NLMSG_ERROR / NLMSG_DONE TLVs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A TXN_ADD chunk: at most this many rules and this many bytes of rules,
 * well under both the 64 KiB nest limit and the socket buffer. */
#define CHUNK_RULES	500
#define CHUNK_BYTES	(48 * 1024)
#define MSG_SIZE	(64 * 1024 + 4096)

struct egk_nl {
	struct nl_sock *sk;
	int family;
	char msg[512];
};

static char open_msg[256];

const char *egk_nl_message(const struct egk_nl *nl)
{
	return nl->msg;
}

const char *egk_nl_open_message(void)
{
	return open_msg;
}

static int nlerr_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM:		return -EPERM;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	default:		return -EIO;
	}
}

int egk_nl_open(struct egk_nl **out)
{
	struct egk_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, err;
	struct stat st;

	*out = NULL;
	if (!nl) {
		snprintf(open_msg, sizeof(open_msg), "out of memory");
		return -ENOMEM;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		snprintf(open_msg, sizeof(open_msg), "out of memory");
		return -ENOMEM;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		snprintf(open_msg, sizeof(open_msg),
			 "cannot open a generic netlink socket: %s", nl_geterror(err));
		egk_nl_close(nl);
		return nlerr_to_errno(err);
	}
	/* Extended ACKs carry the kernel's explanation; capped ACKs keep
	 * error replies small (our requests can be 64 KiB). */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	nl_socket_enable_msg_peek(nl->sk);

	nl->family = genl_ctrl_resolve(nl->sk, EGRESSK_GENL_NAME);
	if (nl->family < 0) {
		if (stat("/sys/module/egressk", &st) == 0)
			snprintf(open_msg, sizeof(open_msg),
				 "egressk is not reachable from this network namespace; run egresskctl on the host");
		else
			snprintf(open_msg, sizeof(open_msg),
				 "egressk module not loaded: run 'modprobe egressk'");
		egk_nl_close(nl);
		return -ENOENT;
	}
	*out = nl;
	return 0;
}

void egk_nl_close(struct egk_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* ---- request/answer machinery ---------------------------------------- */

struct req {
	struct egk_nl *nl;
	int (*valid)(struct nl_msg *msg, void *arg);	/* returns 0 or -errno */
	void *arg;
	int err;
	bool done;
};

/* Copy NLMSGERR_ATTR_MSG from the TLVs at @tlv (@len bytes). */
static void read_extack(struct egk_nl *nl, void *tlv, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, tlv, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->msg, tb[NLMSGERR_ATTR_MSG], sizeof(nl->msg));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req *rq = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	int paylen = (int)hdr->nlmsg_len - NLMSG_HDRLEN;
	int off;

	(void)who;
	rq->err = e->error ? e->error : -EIO;
	rq->done = true;
	if (hdr->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = (hdr->nlmsg_flags & NLM_F_CAPPED) ? (int)sizeof(*e)
			: (int)sizeof(e->error) + (int)e->msg.nlmsg_len;
		if (off < paylen)
			read_extack(rq->nl, (char *)e + NLMSG_ALIGN(off), paylen - NLMSG_ALIGN(off));
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;

	(void)msg;
	rq->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	int paylen = nlmsg_datalen(hdr);

	rq->done = true;
	if (paylen >= (int)sizeof(int)) {
		int err = *(int *)nlmsg_data(hdr);

		if (err < 0) {
			rq->err = err;
			if (hdr->nlmsg_flags & NLM_F_ACK_TLVS)
				read_extack(rq->nl, (char *)nlmsg_data(hdr) + NLMSG_ALIGN(sizeof(int)),
					    paylen - (int)NLMSG_ALIGN(sizeof(int)));
		}
	}
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req *rq = arg;
	int err;

	if (!rq->valid)
		return NL_OK;
	err = rq->valid(msg, rq->arg);
	if (err < 0) {
		rq->err = err;
		rq->done = true;
		return NL_STOP;
	}
	return NL_OK;
}

/* Send @msg (consumed) and read until its ACK, error or DONE. */
static int transact(struct egk_nl *nl, struct nl_msg *msg,
		    int (*valid)(struct nl_msg *, void *), void *arg)
{
	struct req rq = { .nl = nl, .valid = valid, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_CUSTOM);
	int err;

	nl->msg[0] = '\0';
	if (!cb) {
		nlmsg_free(msg);
		snprintf(nl->msg, sizeof(nl->msg), "out of memory");
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &rq);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &rq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &rq);

	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		snprintf(nl->msg, sizeof(nl->msg), "sending to egressk failed: %s", nl_geterror(err));
		nl_cb_put(cb);
		return nlerr_to_errno(err);
	}
	while (!rq.done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (rq.done)
			break;
		if (err < 0) {
			snprintf(nl->msg, sizeof(nl->msg), "reading from egressk failed: %s",
				 nl_geterror(err));
			rq.err = nlerr_to_errno(err);
			break;
		}
	}
	nl_cb_put(cb);
	return rq.err;
}

static struct nl_msg *new_req_family(int family, uint8_t cmd, int flags, size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 flags | NLM_F_ACK, cmd, EGRESSK_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *new_req(struct egk_nl *nl, uint8_t cmd, int flags, size_t size)
{
	return new_req_family(nl->family, cmd, flags, size);
}

static int nomem(struct egk_nl *nl, struct nl_msg *msg)
{
	nlmsg_free(msg);
	snprintf(nl->msg, sizeof(nl->msg), "out of memory building a netlink message");
	return -ENOMEM;
}

/*
 * For the kernel-validation test (tests/integration/nlcheck.c): send @cmd
 * (a dump with @dump) carrying whatever @put adds, and read the answer.
 * 0 or the kernel's negative errno, the extack in egk_nl_message().
 */
int egk_nl_raw(struct egk_nl *nl, uint8_t cmd, bool dump,
	       int (*put)(struct nl_msg *msg, void *arg), void *arg)
{
	struct nl_msg *msg = new_req(nl, cmd, dump ? NLM_F_DUMP : 0, 0);

	if (!msg || (put && put(msg, arg) < 0))
		return nomem(nl, msg);
	return transact(nl, msg, NULL, NULL);
}

/* A request naming one namespace: NETNS_FD, and FLAGS when set. */
static struct nl_msg *target_req_family(int family, uint8_t cmd, int flags,
					int netns_fd, uint32_t egk_flags)
{
	struct nl_msg *msg = new_req_family(family, cmd, flags, 0);

	if (!msg)
		return NULL;
	if (nla_put_u32(msg, EGRESSK_A_NETNS_FD, (uint32_t)netns_fd) < 0 ||
	    (egk_flags && nla_put_u32(msg, EGRESSK_A_FLAGS, egk_flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *target_req(struct egk_nl *nl, uint8_t cmd, int flags,
				 int netns_fd, uint32_t egk_flags)
{
	return target_req_family(nl->family, cmd, flags, netns_fd, egk_flags);
}

static int parse_top(struct nl_msg *msg, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, EGRESSK_A_MAX, NULL) < 0 ? -EPROTO : 0;
}

static uint8_t get_u8(struct nlattr *a, uint8_t def)
{
	return a && nla_len(a) >= 1 ? nla_get_u8(a) : def;
}

static uint16_t get_u16(struct nlattr *a)
{
	return a && nla_len(a) >= 2 ? nla_get_u16(a) : 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a && nla_len(a) >= 8 ? nla_get_u64(a) : 0;
}

static void read_ident(struct nlattr **tb, struct egk_ident *id)
{
	id->inode = get_u32(tb[EGRESSK_A_NETNS_INODE]);
	id->cookie = get_u64(tb[EGRESSK_A_NETNS_COOKIE]);
	id->version = get_u64(tb[EGRESSK_A_POLICY_VERSION]);
	id->has_guards = tb[EGRESSK_A_GUARDS] != NULL;
	id->guards = get_u32(tb[EGRESSK_A_GUARDS]);
}

/* ---- apply ----------------------------------------------------------- */

static size_t rule_size_estimate(const struct egk_rule *r)
{
	size_t ports = r->nranges ? 4 + (size_t)r->nranges * 20 : 0;

	/* nest + action + kind + name + ports */
	if (r->kind == EGRESSK_RULE_KIND_DOMAIN || r->kind == EGRESSK_RULE_KIND_DNS_NAME)
		return 4 + 8 + 8 + NLA_ALIGN(4 + (r->name ? strlen(r->name) : 0) + 1) + ports;
	/* nest + action + kind + addr + prefixlen + proto + ports */
	return 4 + 8 + 8 + (r->family == AF_INET ? 8 : 20) + 8 + 8 + ports;
}

static int put_ports(struct nl_msg *msg, const struct egk_rule *r)
{
	struct nlattr *ports, *range;

	ports = nla_nest_start(msg, EGRESSK_RULE_A_PORTS);
	if (!ports)
		return -ENOMEM;
	for (int i = 0; i < r->nranges; i++) {
		range = nla_nest_start(msg, EGRESSK_PORT_A_RANGE);
		if (!range ||
		    nla_put_u16(msg, EGRESSK_RANGE_A_FIRST, r->ranges[i].first) < 0 ||
		    nla_put_u16(msg, EGRESSK_RANGE_A_LAST, r->ranges[i].last) < 0)
			return -ENOMEM;
		nla_nest_end(msg, range);
	}
	nla_nest_end(msg, ports);
	return 0;
}

int egk_nl_put_rule(struct nl_msg *msg, const struct egk_rule *r)
{
	struct nlattr *rule;

	rule = nla_nest_start(msg, EGRESSK_A_RULE);
	if (!rule)
		return -ENOMEM;
	if (nla_put_u8(msg, EGRESSK_RULE_A_ACTION, r->action) < 0 ||
	    nla_put_u8(msg, EGRESSK_RULE_A_KIND, r->kind) < 0)
		return -ENOMEM;
	if (r->kind == EGRESSK_RULE_KIND_DOMAIN) {
		/* NAME (NUL-terminated) and PORTS only: the kernel implies tcp,
		 * and without PORTS covers 80 and 443 */
		if (!r->name || nla_put_string(msg, EGRESSK_RULE_A_NAME, r->name) < 0)
			return -ENOMEM;
		if (r->nranges && put_ports(msg, r) < 0)
			return -ENOMEM;
		nla_nest_end(msg, rule);
		return 0;
	}
	if (r->kind == EGRESSK_RULE_KIND_DNS_NAME) {
		/* NAME only: no address, protocol or ports */
		if (!r->name || nla_put_string(msg, EGRESSK_RULE_A_NAME, r->name) < 0)
			return -ENOMEM;
		nla_nest_end(msg, rule);
		return 0;
	}
	if (r->family == AF_INET) {
		if (nla_put(msg, EGRESSK_RULE_A_ADDR4, 4, r->addr) < 0)
			return -ENOMEM;
	} else if (nla_put(msg, EGRESSK_RULE_A_ADDR6, 16, r->addr) < 0) {
		return -ENOMEM;
	}
	if (r->kind == EGRESSK_RULE_KIND_CIDR) {
		if (nla_put_u8(msg, EGRESSK_RULE_A_PREFIXLEN, r->prefixlen) < 0)
			return -ENOMEM;
		if (r->proto != EGRESSK_PROTO_ANY &&
		    nla_put_u8(msg, EGRESSK_RULE_A_PROTO, r->proto) < 0)
			return -ENOMEM;
		if (r->nranges && put_ports(msg, r) < 0)
			return -ENOMEM;
	}
	nla_nest_end(msg, rule);
	return 0;
}

size_t egk_nl_chunk_end(const struct egk_policy *p, size_t start)
{
	size_t bytes = 0, i;

	for (i = start; i < p->nrules && i - start < CHUNK_RULES; i++) {
		size_t sz = rule_size_estimate(&p->rules[i]);

		if (i > start && bytes + sz > CHUNK_BYTES)
			break;
		bytes += sz;
	}
	return i;
}

static int send_chunk(struct egk_nl *nl, const struct egk_policy *p, size_t from, size_t to)
{
	struct nl_msg *msg = new_req(nl, EGRESSK_CMD_TXN_ADD, 0, MSG_SIZE);
	struct nlattr *rules;

	if (!msg)
		return nomem(nl, NULL);
	rules = nla_nest_start(msg, EGRESSK_A_RULES);
	if (!rules)
		return nomem(nl, msg);
	for (size_t i = from; i < to; i++)
		if (egk_nl_put_rule(msg, &p->rules[i]) < 0)
			return nomem(nl, msg);
	nla_nest_end(msg, rules);
	return transact(nl, msg, NULL, NULL);
}

static int commit_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EGRESSK_A_MAX + 1];

	if (parse_top(msg, tb) < 0)
		return -EPROTO;
	read_ident(tb, arg);
	return 0;
}

struct nl_msg *egk_nl_txn_begin_msg(int family, int netns_fd, uint32_t flags,
				    const struct egk_policy *p)
{
	struct nl_msg *msg = target_req_family(family, EGRESSK_CMD_TXN_BEGIN, 0, netns_fd, flags);

	/* the DNS settings are always sent, so the kernel's defaults never
	 * decide what a policy file means */
	if (!msg ||
	    nla_put_u8(msg, EGRESSK_A_MODE, p->mode) < 0 ||
	    nla_put_u8(msg, EGRESSK_A_DEFAULT, p->def) < 0 ||
	    nla_put_u32(msg, EGRESSK_A_POLICY_FLAGS, p->flags) < 0 ||
	    nla_put_u8(msg, EGRESSK_A_DNS_FILTER, p->dns_filter) < 0 ||
	    nla_put_u8(msg, EGRESSK_A_DOMAIN_BINDING, p->binding) < 0 ||
	    nla_put_u32(msg, EGRESSK_A_DNS_TTL_FLOOR, p->ttl_floor) < 0 ||
	    nla_put_u32(msg, EGRESSK_A_DNS_TTL_CEILING, p->ttl_ceiling) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int egk_nl_apply(struct egk_nl *nl, int netns_fd, uint32_t flags,
		 const struct egk_policy *p, struct egk_ident *out)
{
	struct nl_msg *msg;
	char saved[sizeof(nl->msg)];
	size_t start = 0;
	int err;

	memset(out, 0, sizeof(*out));
	msg = egk_nl_txn_begin_msg(nl->family, netns_fd, flags, p);
	if (!msg)
		return nomem(nl, NULL);
	err = transact(nl, msg, NULL, NULL);
	if (err)
		return err;

	while (start < p->nrules) {
		size_t end = egk_nl_chunk_end(p, start);

		err = send_chunk(nl, p, start, end);
		if (err)
			goto abort;
		start = end;
	}

	msg = target_req(nl, EGRESSK_CMD_TXN_COMMIT, 0, netns_fd, 0);
	if (!msg || nla_put_u32(msg, EGRESSK_A_RULE_COUNT, (uint32_t)p->nrules) < 0) {
		err = nomem(nl, msg);
		goto abort;
	}
	/* the kernel drops the transaction itself when a commit fails */
	return transact(nl, msg, commit_reply, out);

abort:
	memcpy(saved, nl->msg, sizeof(saved));
	msg = new_req(nl, EGRESSK_CMD_TXN_ABORT, 0, 0);
	if (msg)
		transact(nl, msg, NULL, NULL);
	memcpy(nl->msg, saved, sizeof(saved));
	return err;
}

/* ---- reading state --------------------------------------------------- */

int egk_nl_read_rule(struct nlattr *nest, struct egk_rule *r,
		     struct egk_port_range *ranges)
{
	struct nlattr *tb[EGRESSK_RULE_A_MAX + 1];
	struct nlattr *pr;
	int rem;

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(tb, EGRESSK_RULE_A_MAX, nest, NULL) < 0)
		return -EPROTO;
	r->action = get_u8(tb[EGRESSK_RULE_A_ACTION], 0);
	r->kind = get_u8(tb[EGRESSK_RULE_A_KIND], 0);
	if (r->kind == EGRESSK_RULE_KIND_DOMAIN || r->kind == EGRESSK_RULE_KIND_DNS_NAME) {
		struct nlattr *n = tb[EGRESSK_RULE_A_NAME];
		const char *s;
		int len;

		/* show prints it as a policy line: only a NUL-terminated
		 * pattern that is already normal form (so, safe to print) */
		if (!n)
			return -EPROTO;
		s = nla_data(n);
		len = nla_len(n);
		if (len < 2 || len > EGRESSK_DOMAIN_NAME_MAX + 1 || s[len - 1] != '\0' ||
		    strlen(s) != (size_t)len - 1 || !egk_domain_is_normal(s))
			return -EPROTO;
		r->name = (char *)s;
		if (r->kind == EGRESSK_RULE_KIND_DNS_NAME) {
			/* a dns-name rule has no protocol or ports */
			if (tb[EGRESSK_RULE_A_PORTS])
				return -EPROTO;
			r->proto = EGRESSK_PROTO_ANY;
		} else {
			r->proto = EGRESSK_PROTO_TCP;
		}
		goto ports;
	}
	if (tb[EGRESSK_RULE_A_ADDR4] && nla_len(tb[EGRESSK_RULE_A_ADDR4]) == 4) {
		r->family = AF_INET;
		memcpy(r->addr, nla_data(tb[EGRESSK_RULE_A_ADDR4]), 4);
	} else if (tb[EGRESSK_RULE_A_ADDR6] && nla_len(tb[EGRESSK_RULE_A_ADDR6]) == 16) {
		r->family = AF_INET6;
		memcpy(r->addr, nla_data(tb[EGRESSK_RULE_A_ADDR6]), 16);
	} else {
		return -EPROTO;
	}
	r->prefixlen = get_u8(tb[EGRESSK_RULE_A_PREFIXLEN], r->family == AF_INET ? 32 : 128);
	r->proto = get_u8(tb[EGRESSK_RULE_A_PROTO], EGRESSK_PROTO_ANY);
ports:
	r->id = get_u32(tb[EGRESSK_RULE_A_ID]);
	r->hits = get_u64(tb[EGRESSK_RULE_A_HITS]);
	if (tb[EGRESSK_RULE_A_PORTS]) {
		nla_for_each_nested(pr, tb[EGRESSK_RULE_A_PORTS], rem) {
			struct nlattr *rt[EGRESSK_RANGE_A_MAX + 1];

			if (nla_type(pr) != EGRESSK_PORT_A_RANGE)
				continue;
			if (r->nranges == EGRESSK_MAX_PORT_RANGES)
				return -EPROTO;
			if (nla_parse_nested(rt, EGRESSK_RANGE_A_MAX, pr, NULL) < 0)
				return -EPROTO;
			ranges[r->nranges].first = get_u16(rt[EGRESSK_RANGE_A_FIRST]);
			ranges[r->nranges].last = get_u16(rt[EGRESSK_RANGE_A_LAST]);
			r->nranges++;
		}
		r->ranges = ranges;
	}
	return 0;
}

struct get_ctx {
	struct egk_policy *p;
	struct egk_ident *id;
};

static int policy_msg(struct nl_msg *msg, void *arg)
{
	struct get_ctx *g = arg;

	return egk_nl_read_policy_msg(msg, g->p, g->id);
}

int egk_nl_read_policy_msg(struct nl_msg *msg, struct egk_policy *p, struct egk_ident *id)
{
	struct get_ctx gg = { .p = p, .id = id }, *g = &gg;
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	struct egk_port_range ranges[EGRESSK_MAX_PORT_RANGES];
	struct nlattr *a;
	int rem;

	if (parse_top(msg, tb) < 0)
		return -EPROTO;
	if (tb[EGRESSK_A_NETNS_INODE])
		read_ident(tb, g->id);
	if (tb[EGRESSK_A_MODE])
		g->p->mode = get_u8(tb[EGRESSK_A_MODE], 0);
	if (tb[EGRESSK_A_DEFAULT])
		g->p->def = get_u8(tb[EGRESSK_A_DEFAULT], 0);
	if (tb[EGRESSK_A_POLICY_FLAGS])
		g->p->flags = get_u32(tb[EGRESSK_A_POLICY_FLAGS]);
	/* absent from a module older than DNS control: the defaults stay
	 * (egk_policy_init), which is what such a module enforces */
	if (tb[EGRESSK_A_DNS_FILTER])
		g->p->dns_filter = get_u8(tb[EGRESSK_A_DNS_FILTER], EGRESSK_DNS_FILTER_ON);
	if (tb[EGRESSK_A_DOMAIN_BINDING])
		g->p->binding = get_u8(tb[EGRESSK_A_DOMAIN_BINDING], EGRESSK_BINDING_DNS);
	if (tb[EGRESSK_A_DNS_TTL_FLOOR] && get_u32(tb[EGRESSK_A_DNS_TTL_FLOOR]))
		g->p->ttl_floor = get_u32(tb[EGRESSK_A_DNS_TTL_FLOOR]);
	if (tb[EGRESSK_A_DNS_TTL_CEILING] && get_u32(tb[EGRESSK_A_DNS_TTL_CEILING]))
		g->p->ttl_ceiling = get_u32(tb[EGRESSK_A_DNS_TTL_CEILING]);
	if (!tb[EGRESSK_A_RULES])
		return 0;
	nla_for_each_nested(a, tb[EGRESSK_A_RULES], rem) {
		struct egk_rule r;

		if (nla_type(a) != EGRESSK_A_RULE)
			continue;
		if (egk_nl_read_rule(a, &r, ranges) < 0)
			return -EPROTO;
		if (egk_policy_add_rule(g->p, &r) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct egk_rule *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int egk_nl_policy_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		      struct egk_policy *p, struct egk_ident *out)
{
	struct get_ctx g = { .p = p, .id = out };
	struct nl_msg *msg;
	int err;

	egk_policy_init(p);
	memset(out, 0, sizeof(*out));
	msg = target_req(nl, EGRESSK_CMD_POLICY_GET, NLM_F_DUMP, netns_fd, flags);
	if (!msg)
		return nomem(nl, NULL);
	err = transact(nl, msg, policy_msg, &g);
	if (err == -EPROTO && !nl->msg[0])
		snprintf(nl->msg, sizeof(nl->msg), "malformed policy dump from the kernel");
	if (err)
		return err;
	if (p->nrules > 1)
		qsort(p->rules, p->nrules, sizeof(*p->rules), by_id);
	return 0;
}

/* The kernel sends a valid lowercase name; kept printable whatever it is. */
static void copy_safe_name(char *dst, size_t dstlen, struct nlattr *a)
{
	const char *s = nla_data(a);
	size_t n = 0, len = (size_t)nla_len(a);

	for (size_t i = 0; i < len && s[i] && n < dstlen - 1; i++) {
		char ch = s[i];

		dst[n++] = ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			    ch == '-' || ch == '_' || ch == '.') ? ch : '?';
	}
	dst[n] = '\0';
}

int egk_nl_read_learned(struct nl_msg *msg, struct egk_learned *l)
{
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	struct nlattr *e[EGRESSK_LEARNED_A_MAX + 1];

	memset(l, 0, sizeof(*l));
	if (parse_top(msg, tb) < 0 || !tb[EGRESSK_A_LEARNED])
		return -EPROTO;
	if (nla_parse_nested(e, EGRESSK_LEARNED_A_MAX, tb[EGRESSK_A_LEARNED], NULL) < 0)
		return -EPROTO;
	if (e[EGRESSK_LEARNED_A_ADDR4] && nla_len(e[EGRESSK_LEARNED_A_ADDR4]) == 4) {
		l->family = AF_INET;
		memcpy(l->addr, nla_data(e[EGRESSK_LEARNED_A_ADDR4]), 4);
	} else if (e[EGRESSK_LEARNED_A_ADDR6] && nla_len(e[EGRESSK_LEARNED_A_ADDR6]) == 16) {
		l->family = AF_INET6;
		memcpy(l->addr, nla_data(e[EGRESSK_LEARNED_A_ADDR6]), 16);
	} else {
		return -EPROTO;
	}
	if (e[EGRESSK_LEARNED_A_NAME])
		copy_safe_name(l->name, sizeof(l->name), e[EGRESSK_LEARNED_A_NAME]);
	l->expires = get_u32(e[EGRESSK_LEARNED_A_EXPIRES]);
	l->has_rule_id = e[EGRESSK_LEARNED_A_RULE_ID] &&
			 nla_len(e[EGRESSK_LEARNED_A_RULE_ID]) >= 4;
	l->rule_id = get_u32(e[EGRESSK_LEARNED_A_RULE_ID]);
	return 0;
}

static int learned_msg(struct nl_msg *msg, void *arg)
{
	struct egk_learned_list *out = arg;
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	int err;

	if (parse_top(msg, tb) < 0)
		return -EPROTO;
	if (tb[EGRESSK_A_NETNS_INODE]) {
		out->inode = get_u32(tb[EGRESSK_A_NETNS_INODE]);
		out->cookie = get_u64(tb[EGRESSK_A_NETNS_COOKIE]);
	}
	if (!tb[EGRESSK_A_LEARNED])
		return 0;
	if (out->n == out->cap) {
		size_t ncap = out->cap ? out->cap * 2 : 64;
		struct egk_learned *v = realloc(out->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = ncap;
	}
	err = egk_nl_read_learned(msg, &out->v[out->n]);
	if (err)
		return err;
	out->n++;
	return 0;
}

static int learned_cmp(const void *a, const void *b)
{
	const struct egk_learned *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

int egk_nl_learned_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		       struct egk_learned_list *out)
{
	struct nl_msg *msg;
	int err;

	memset(out, 0, sizeof(*out));
	msg = target_req(nl, EGRESSK_CMD_LEARNED_GET, NLM_F_DUMP, netns_fd, flags);
	if (!msg)
		return nomem(nl, NULL);
	err = transact(nl, msg, learned_msg, out);
	if (err == -EPROTO && !nl->msg[0])
		snprintf(nl->msg, sizeof(nl->msg), "malformed learned-address dump from the kernel");
	if (err) {
		egk_learned_list_free(out);
		return err;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), learned_cmp);
	return 0;
}

void egk_learned_list_free(struct egk_learned_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int egk_nl_policy_del(struct egk_nl *nl, int netns_fd, uint32_t flags)
{
	struct nl_msg *msg = target_req(nl, EGRESSK_CMD_POLICY_DEL, 0, netns_fd, flags);

	if (!msg)
		return nomem(nl, NULL);
	return transact(nl, msg, NULL, NULL);
}

static void read_state(struct nlattr **tb, struct egk_ns_state *st)
{
	struct nlattr *s[EGRESSK_STATS_A_MAX + 1];

	memset(st, 0, sizeof(*st));
	read_ident(tb, &st->id);
	st->mode = get_u8(tb[EGRESSK_A_MODE], 0);
	st->has_def = tb[EGRESSK_A_DEFAULT] != NULL;
	st->def = get_u8(tb[EGRESSK_A_DEFAULT], 0);
	st->rule_count = get_u32(tb[EGRESSK_A_RULE_COUNT]);
	if (tb[EGRESSK_A_STATS] &&
	    nla_parse_nested(s, EGRESSK_STATS_A_MAX, tb[EGRESSK_A_STATS], NULL) == 0) {
		st->stats.allowed = get_u64(s[EGRESSK_STATS_A_ALLOWED]);
		st->stats.rejected = get_u64(s[EGRESSK_STATS_A_REJECTED]);
		st->stats.dropped = get_u64(s[EGRESSK_STATS_A_DROPPED]);
		st->stats.audited = get_u64(s[EGRESSK_STATS_A_AUDITED]);
		st->stats.raw_rejected = get_u64(s[EGRESSK_STATS_A_RAW_REJECTED]);
		st->stats.events_lost = get_u64(s[EGRESSK_STATS_A_EVENTS_LOST]);
		st->stats.malformed = get_u64(s[EGRESSK_STATS_A_MALFORMED]);
		st->stats.flows_inspected = get_u64(s[EGRESSK_STATS_A_FLOWS_INSPECTED]);
		st->stats.flows_domain_allowed = get_u64(s[EGRESSK_STATS_A_FLOWS_DOMAIN_ALLOWED]);
		st->stats.flows_domain_rejected = get_u64(s[EGRESSK_STATS_A_FLOWS_DOMAIN_REJECTED]);
		st->stats.flows_hold_limit = get_u64(s[EGRESSK_STATS_A_FLOWS_HOLD_LIMIT]);
		st->stats.flows_hold_timeout = get_u64(s[EGRESSK_STATS_A_FLOWS_HOLD_TIMEOUT]);
		st->stats.flows_table_full = get_u64(s[EGRESSK_STATS_A_FLOWS_TABLE_FULL]);
		st->stats.flows_policy_cut = get_u64(s[EGRESSK_STATS_A_FLOWS_POLICY_CUT]);
		st->stats.flows_active = get_u64(s[EGRESSK_STATS_A_FLOWS_ACTIVE]);
		st->stats.dns_queries = get_u64(s[EGRESSK_STATS_A_DNS_QUERIES]);
		st->stats.dns_refused = get_u64(s[EGRESSK_STATS_A_DNS_REFUSED]);
		st->stats.dns_unpinned = get_u64(s[EGRESSK_STATS_A_DNS_UNPINNED]);
		st->stats.dns_learned = get_u64(s[EGRESSK_STATS_A_DNS_LEARNED]);
		st->stats.dns_learn_full = get_u64(s[EGRESSK_STATS_A_DNS_LEARN_FULL]);
		st->stats.dns_ignored = get_u64(s[EGRESSK_STATS_A_DNS_IGNORED]);
		st->stats.flows_not_learned = get_u64(s[EGRESSK_STATS_A_FLOWS_NOT_LEARNED]);
		st->stats.learned_active = get_u64(s[EGRESSK_STATS_A_LEARNED_ACTIVE]);
		st->stats.inbound_active = get_u64(s[EGRESSK_STATS_A_INBOUND_ACTIVE]);
		st->stats.inbound_full = get_u64(s[EGRESSK_STATS_A_INBOUND_FULL]);
		st->stats.dns_duplicate = get_u64(s[EGRESSK_STATS_A_DNS_DUPLICATE]);
		st->stats.guard_dropped = get_u64(s[EGRESSK_STATS_A_GUARD_DROPPED]);
	}
}

static int stats_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EGRESSK_A_MAX + 1];

	if (parse_top(msg, tb) < 0)
		return -EPROTO;
	read_state(tb, arg);
	return 0;
}

int egk_nl_stats_get(struct egk_nl *nl, int netns_fd, uint32_t flags,
		     struct egk_ns_state *out)
{
	struct nl_msg *msg = target_req(nl, EGRESSK_CMD_STATS_GET, 0, netns_fd, flags);

	memset(out, 0, sizeof(*out));
	if (!msg)
		return nomem(nl, NULL);
	return transact(nl, msg, stats_msg, out);
}

struct list_ctx {
	void (*fn)(const struct egk_ns_state *st, void *arg);
	void *arg;
};

static int list_msg(struct nl_msg *msg, void *arg)
{
	struct list_ctx *l = arg;
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	struct egk_ns_state st;

	if (parse_top(msg, tb) < 0)
		return -EPROTO;
	read_state(tb, &st);
	l->fn(&st, l->arg);
	return 0;
}

int egk_nl_list(struct egk_nl *nl,
		void (*fn)(const struct egk_ns_state *st, void *arg), void *arg)
{
	struct list_ctx l = { .fn = fn, .arg = arg };
	struct nl_msg *msg = new_req(nl, EGRESSK_CMD_NETNS_LIST, NLM_F_DUMP, 0);

	if (!msg)
		return nomem(nl, NULL);
	return transact(nl, msg, list_msg, &l);
}

/* ---- events ---------------------------------------------------------- */

struct mon_ctx {
	bool (*fn)(const struct egk_event *ev, void *arg);
	void *arg;
	bool stop;
};

static void copy_event_name(struct egk_event *ev, struct nlattr *a)
{
	copy_safe_name(ev->name, sizeof(ev->name), a);
	ev->has_name = ev->name[0] != '\0';
}

int egk_nl_read_event(struct nl_msg *msg, struct egk_event *ev)
{
	struct nlattr *tb[EGRESSK_A_MAX + 1];
	struct nlattr *e[EGRESSK_EVENT_A_MAX + 1];
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct genlmsghdr *gh;

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(hdr, 0))
		return -EINVAL;
	gh = nlmsg_data(hdr);
	if (gh->cmd != EGRESSK_CMD_EVENT || parse_top(msg, tb) < 0 || !tb[EGRESSK_A_EVENT])
		return -EINVAL;
	if (nla_parse_nested(e, EGRESSK_EVENT_A_MAX, tb[EGRESSK_A_EVENT], NULL) < 0)
		return -EINVAL;
	ev->inode = get_u32(tb[EGRESSK_A_NETNS_INODE]);
	ev->cookie = get_u64(tb[EGRESSK_A_NETNS_COOKIE]);
	ev->verdict = get_u8(e[EGRESSK_EVENT_A_VERDICT], 0);
	ev->reason = get_u8(e[EGRESSK_EVENT_A_REASON], 0);
	ev->family = get_u8(e[EGRESSK_EVENT_A_FAMILY], 0);
	ev->proto = get_u8(e[EGRESSK_EVENT_A_PROTO], 0);
	if (e[EGRESSK_EVENT_A_DADDR4] && nla_len(e[EGRESSK_EVENT_A_DADDR4]) == 4) {
		memcpy(ev->daddr, nla_data(e[EGRESSK_EVENT_A_DADDR4]), 4);
		ev->family = AF_INET;
		ev->has_daddr = true;
	} else if (e[EGRESSK_EVENT_A_DADDR6] && nla_len(e[EGRESSK_EVENT_A_DADDR6]) == 16) {
		memcpy(ev->daddr, nla_data(e[EGRESSK_EVENT_A_DADDR6]), 16);
		ev->family = AF_INET6;
		ev->has_daddr = true;
	}
	ev->has_dport = e[EGRESSK_EVENT_A_DPORT] != NULL;
	ev->dport = get_u16(e[EGRESSK_EVENT_A_DPORT]);
	ev->has_rule_id = e[EGRESSK_EVENT_A_RULE_ID] != NULL;
	ev->rule_id = get_u32(e[EGRESSK_EVENT_A_RULE_ID]);
	if (e[EGRESSK_EVENT_A_NAME])
		copy_event_name(ev, e[EGRESSK_EVENT_A_NAME]);
	return 0;
}

static int event_msg(struct nl_msg *msg, void *arg)
{
	struct mon_ctx *m = arg;
	struct egk_event ev;

	if (egk_nl_read_event(msg, &ev) < 0)
		return NL_SKIP;
	if (!m->fn(&ev, m->arg)) {
		m->stop = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int egk_nl_monitor(struct egk_nl *nl,
		   bool (*fn)(const struct egk_event *ev, void *arg), void *arg)
{
	struct mon_ctx m = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int grp, err;

	nl->msg[0] = '\0';
	grp = genl_ctrl_resolve_grp(nl->sk, EGRESSK_GENL_NAME, EGRESSK_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(nl->msg, sizeof(nl->msg),
			 "egressk has no '%s' multicast group; is the module the same version as egresskctl?",
			 EGRESSK_MCGRP_EVENTS);
		return -ENOENT;
	}
	err = nl_socket_add_membership(nl->sk, grp);
	if (err < 0) {
		err = nlerr_to_errno(err);
		/* joining needs CAP_NET_ADMIN: EPERM, reported as such */
		if (err != -EPERM)
			snprintf(nl->msg, sizeof(nl->msg), "cannot join the events group");
		return err;
	}
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		return -ENOMEM;
	/* multicast messages carry no sequence number of ours */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_msg, &m);
	while (!m.stop) {
		err = nl_recvmsgs(nl->sk, cb);
		if (m.stop)
			break;
		if (err < 0 && err != -NLE_INTR && err != -NLE_AGAIN) {
			/* ENOBUFS: events arrived faster than we read; go on */
			if (err == -NLE_NOMEM) {
				fprintf(stderr, "egresskctl: events were lost (receive buffer overrun)\n");
				continue;
			}
			snprintf(nl->msg, sizeof(nl->msg), "reading events failed: %s", nl_geterror(err));
			nl_cb_put(cb);
			return nlerr_to_errno(err);
		}
	}
	nl_cb_put(cb);
	return 0;
}
