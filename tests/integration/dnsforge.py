#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A forging DNS server for the DNS-control integration test (test_dns.sh).
Stdlib only; run with python3 -I -S.

  dnsforge.py serve --listen ADDR [--listen ADDR ...] [--port 53]
                    [--a ADDR] [--aaaa ADDR] [--ttl N] [--log FILE]
                    [--ready FILE] [--delay S]
                    [--second-a ADDR] [--second-aaaa ADDR]

  Answers every UDP query, whatever its name, as if it were authoritative:
  type A with --a, type AAAA with --aaaa (NOERROR and no answer when the
  option is absent or the type is another one).  The answer echoes the
  query's ID and question, so a stub resolver (glibc, dig) accepts it.
  Each query is logged, flushed at once:
    query NAME TYPE from PEER id=ID answered=N
  The test runs it inside the policed namespace on a loopback address: the
  module must never learn from an answer it sees on loopback.

  --delay S      answer S seconds after the query (a slow resolver, which
                 a forged answer can race: test_dns_forge.sh)
  --second-a, --second-aaaa ADDR
                 right after the answer, send a second response to the same
                 query (same ID and question) carrying these addresses, for
                 A and AAAA queries respectively; logged as
                   second NAME TYPE to PEER id=ID answered=N
  Without these options the server answers at once, once.
"""
import argparse
import socket
import struct
import sys
import threading
import time

TYPES = {1: "A", 28: "AAAA", 5: "CNAME", 16: "TXT", 255: "ANY"}


def parse_question(msg):
    """(id, flags, name, qtype, qclass, end of question) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1 or flags & 0x8000:
        return None
    labels, i = [], 12
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("latin-1"))
        i += 1 + n
    if i + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[i:i + 4])
    return qid, flags, ".".join(labels), qtype, qclass, i + 4


def answer(msg, q, a4, a6, ttl):
    qid, flags, name, qtype, qclass, end = q
    rdata = []
    if qtype == 1 and a4:
        rdata = [(1, socket.inet_pton(socket.AF_INET, a)) for a in a4]
    elif qtype == 28 and a6:
        rdata = [(28, socket.inet_pton(socket.AF_INET6, a)) for a in a6]
    # QR, AA, RD copied, RA
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080
    out = struct.pack("!HHHHHH", qid, rflags, 1, len(rdata), 0, 0) + msg[12:end]
    for t, data in rdata:
        # the name as a pointer to the question at offset 12
        out += struct.pack("!HHHIH", 0xC00C, t, 1, ttl, len(data)) + data
    return out, len(rdata)


def serve(args):
    logf = open(args.log, "a", buffering=1) if args.log else sys.stdout
    lock = threading.Lock()

    def log(line):
        with lock:
            logf.write(line + "\n")
            logf.flush()

    def loop(addr):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, args.port))
        while True:
            msg, peer = s.recvfrom(65535)
            q = parse_question(msg)
            if not q:
                log("malformed from %s len=%d" % (peer[0], len(msg)))
                continue
            out, n = answer(msg, q, args.a, args.aaaa, args.ttl)
            log("query %s %s from %s id=%d answered=%d"
                % (q[2], TYPES.get(q[3], str(q[3])), peer[0], q[0], n))
            if args.delay > 0:
                threading.Timer(args.delay, reply, (s, msg, q, out, peer)).start()
            else:
                reply(s, msg, q, out, peer)

    def reply(s, msg, q, out, peer):
        try:
            s.sendto(out, peer)
        except OSError as e:
            log("sendto %s: %s" % (peer[0], e))
        if not (args.second_a or args.second_aaaa):
            return
        out2, n2 = answer(msg, q, args.second_a, args.second_aaaa, args.ttl)
        try:
            s.sendto(out2, peer)
            log("second %s %s to %s id=%d answered=%d"
                % (q[2], TYPES.get(q[3], str(q[3])), peer[0], q[0], n2))
        except OSError as e:
            log("sendto %s: %s" % (peer[0], e))

    for addr in args.listen:
        threading.Thread(target=loop, args=(addr,), daemon=True).start()
    time.sleep(0.2)
    log("serving " + " ".join(args.listen))
    if args.ready:
        open(args.ready, "w").close()
    while True:
        time.sleep(3600)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("serve")
    q.add_argument("--listen", action="append", required=True)
    q.add_argument("--port", type=int, default=53)
    q.add_argument("--a", action="append", default=[])
    q.add_argument("--aaaa", action="append", default=[])
    q.add_argument("--ttl", type=int, default=300)
    q.add_argument("--log")
    q.add_argument("--ready")
    q.add_argument("--delay", type=float, default=0)
    q.add_argument("--second-a", action="append", default=[])
    q.add_argument("--second-aaaa", action="append", default=[])
    q.set_defaults(func=serve)
    args = p.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
