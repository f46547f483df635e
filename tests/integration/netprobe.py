#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Network peer for the integration tests: real sockets, timed, with the
outcome as both a word on stdout and an exit status.

  netprobe.py serve [--tcp PORTS] [--udp PORTS]   TCP: HTTP/1.0 answer to an
        HTTP request, else line echo; UDP: echo.  Binds :: (dual stack).
  netprobe.py tcp ADDR PORT [--timeout S]         one connect (+ roundtrip)
  netprobe.py udp ADDR PORT [--timeout S] [--connect]   sendto + echo reply
  netprobe.py udperr ADDR PORT                    connected UDP: send, then
        recv; ok when the recv reports the ICMP error (EHOSTUNREACH/EACCES)
  netprobe.py icmp ADDR [--raw] [--timeout S]     one echo request (ping
        socket, or SOCK_RAW with --raw)
  netprobe.py hold ADDR PORT --trigger FILE [--timeout S]   connect, one
        roundtrip, print "connected", wait for FILE, then another roundtrip
  netprobe.py loop ADDR PORT --duration S [--until FILE] [--ready FILE]   connect+roundtrip
        in a loop; prints "loop ok=N failed=M first_error=..."

Outcome words and exit status:
  ok 0 | refused 1 (ECONNREFUSED, ECONNRESET, EPERM, EACCES, ...) |
  timeout 2 | error 3 (anything else).
Every client line is "<word> <elapsed seconds> <detail>".
"""
import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

REFUSED = {errno.ECONNREFUSED, errno.ECONNRESET, errno.EPERM, errno.EACCES,
           errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EPIPE,
           errno.ECONNABORTED}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def report(word, start, detail=""):
    print(f"{word} {time.monotonic() - start:.3f} {detail}".rstrip(), flush=True)
    return {"ok": 0, "refused": 1, "timeout": 2}.get(word, 3)


def classify(exc):
    if isinstance(exc, socket.timeout):
        return "timeout", "timed out"
    if isinstance(exc, OSError) and exc.errno in REFUSED:
        return "refused", errno.errorcode.get(exc.errno, str(exc.errno))
    if isinstance(exc, OSError) and exc.errno is not None:
        return "error", errno.errorcode.get(exc.errno, str(exc.errno))
    return "error", repr(exc)


def ports(spec):
    out = []
    for part in filter(None, (spec or "").split(",")):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


# ---------------------------------------------------------------- servers
def serve(args):
    # imported here: they cost start-up time that the clients don't need
    import socketserver
    import threading

    class TCPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            s = self.request
            s.settimeout(10)
            try:
                data = s.recv(4096)
                if data[:4] in (b"GET ", b"HEAD", b"POST"):
                    while b"\r\n\r\n" not in data:
                        more = s.recv(4096)
                        if not more:
                            break
                        data += more
                    body = b"hello from netprobe\n"
                    s.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                              b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                              % (len(body), body))
                    return
                while data:
                    s.sendall(data)
                    data = s.recv(4096)
            except OSError:
                pass


    class TCPServer(socketserver.ThreadingTCPServer):
        address_family = socket.AF_INET6
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 128

        def server_bind(self):
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()


    def udp_echo(port):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        while True:
            data, peer = s.recvfrom(65535)
            try:
                s.sendto(data, peer)
            except OSError:
                pass

    threads = []
    for p in ports(args.tcp):
        srv = TCPServer(("::", p), TCPHandler)
        threads.append(threading.Thread(target=srv.serve_forever, daemon=True))
    for p in ports(args.udp):
        threads.append(threading.Thread(target=udp_echo, args=(p,), daemon=True))
    for t in threads:
        t.start()
    print("serving", flush=True)
    if args.ready:
        open(args.ready, "w").close()
    while True:
        time.sleep(3600)


# ---------------------------------------------------------------- clients
def roundtrip(s, payload=b"ping\n"):
    s.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionResetError(errno.ECONNRESET, "closed by peer")
        got += chunk


def tcp(args):
    start = time.monotonic()
    s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    try:
        s.connect((args.addr, args.port))
        roundtrip(s)
        return report("ok", start)
    except Exception as e:
        return report(*classify(e)[:1], start, classify(e)[1])
    finally:
        s.close()


def udp(args):
    start = time.monotonic()
    s = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    try:
        if args.connect:
            s.connect((args.addr, args.port))
            s.send(b"ping")
        else:
            s.sendto(b"ping", (args.addr, args.port))
        s.recv(4096)
        return report("ok", start)
    except Exception as e:
        return report(*classify(e)[:1], start, classify(e)[1])
    finally:
        s.close()


def udperr(args):
    """Connected UDP to a blocked port: the send fails (EPERM), and the ICMP
    administratively-prohibited error then reaches the socket (recv fails)."""
    start = time.monotonic()
    s = socket.socket(family_of(args.addr), socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    s.connect((args.addr, args.port))
    first = second = "none"
    try:
        s.send(b"ping")
    except OSError as e:
        first = errno.errorcode.get(e.errno, str(e.errno))
    try:
        s.recv(4096)
        second = "data"
    except socket.timeout:
        second = "timeout"
    except OSError as e:
        second = errno.errorcode.get(e.errno, str(e.errno))
    word = "ok" if second in ("EHOSTUNREACH", "EACCES") else "error"
    return report(word, start, "send=%s recv=%s" % (first, second))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp(args):
    start = time.monotonic()
    v6 = ":" in args.addr
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    kind = socket.SOCK_RAW if args.raw else socket.SOCK_DGRAM
    try:
        s = socket.socket(fam, kind, proto)
    except OSError as e:
        return report("error", start, "socket: " + errno.errorcode.get(e.errno, str(e)))
    s.settimeout(args.timeout)
    ident = os.getpid() & 0xFFFF
    typ = 128 if v6 else 8
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, 1) + b"egressk-probe"
    if not v6:   # the kernel computes the ICMPv6 checksum itself
        hdr = hdr[:2] + struct.pack("!H", checksum(hdr)) + hdr[4:]
    try:
        s.sendto(hdr, (args.addr, 0))
        deadline = time.monotonic() + args.timeout
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            data = s.recv(4096)
            if args.raw and not v6:
                data = data[(data[0] & 0xF) * 4:]
            if data and data[0] == (129 if v6 else 0):
                return report("ok", start)
    except Exception as e:
        return report(*classify(e)[:1], start, classify(e)[1])


def hold(args):
    start = time.monotonic()
    s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    try:
        s.connect((args.addr, args.port))
        roundtrip(s)
    except Exception as e:
        return report("error", start, "first roundtrip: " + classify(e)[1])
    print("connected", flush=True)
    while not os.path.exists(args.trigger):
        time.sleep(0.05)
    start = time.monotonic()
    try:
        roundtrip(s, b"again\n")
        return report("ok", start)
    except Exception as e:
        return report(*classify(e)[:1], start, classify(e)[1])


def loop(args):
    ok = failed = 0
    first = ""
    end = time.monotonic() + args.duration
    while time.monotonic() < end and not (args.until and os.path.exists(args.until)):
        s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((args.addr, args.port))
            roundtrip(s)
            ok += 1
            if ok == 1 and args.ready:
                open(args.ready, "w").close()
        except Exception as e:
            failed += 1
            first = first or classify(e)[1]
        finally:
            s.close()
    print(f"loop ok={ok} failed={failed} first_error={first or '-'}", flush=True)
    return 0 if failed == 0 and ok > 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("serve")
    q.add_argument("--tcp", default="")
    q.add_argument("--udp", default="")
    q.add_argument("--ready", help="file to create once listening")
    q.set_defaults(func=serve)
    for name, func in (("tcp", tcp), ("udp", udp)):
        q = sub.add_parser(name)
        q.add_argument("addr")
        q.add_argument("port", type=int)
        q.add_argument("--timeout", type=float, default=3)
        if name == "udp":
            q.add_argument("--connect", action="store_true")
        q.set_defaults(func=func)
    q = sub.add_parser("udperr")
    q.add_argument("addr")
    q.add_argument("port", type=int)
    q.add_argument("--timeout", type=float, default=1)
    q.set_defaults(func=udperr)
    q = sub.add_parser("icmp")
    q.add_argument("addr")
    q.add_argument("--raw", action="store_true")
    q.add_argument("--timeout", type=float, default=2)
    q.set_defaults(func=icmp)
    q = sub.add_parser("hold")
    q.add_argument("addr")
    q.add_argument("port", type=int)
    q.add_argument("--trigger", required=True)
    q.add_argument("--timeout", type=float, default=3)
    q.set_defaults(func=hold)
    q = sub.add_parser("loop")
    q.add_argument("addr")
    q.add_argument("port", type=int)
    q.add_argument("--duration", type=float, default=5)
    q.add_argument("--until", help="stop early once this file exists")
    q.add_argument("--ready", help="create this file after the first round trip")
    q.set_defaults(func=loop)
    args = p.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
