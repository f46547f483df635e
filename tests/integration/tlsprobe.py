#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TLS and HTTP peers for the domain-rule integration test (test_domain.sh).
Stdlib only; run with python3 -I -S.

Server (one process, any number of ports, IPv4 and IPv6 on ::):

  tlsprobe.py serve --cert C --key K --log FILE [--tls PORTS] [--http PORTS]
                    [--ready FILE] [--page PATH=FILE ...] [--bind ADDR ...]

  Every connection is logged, one line per event, flushed at once:
    accept LPORT PEER                 the handshake completed
    data LPORT PEER len=N             the first payload byte(s) arrived
    flight LPORT PEER len=N kind=K first=...   the whole first message (TLS
                                      record or HTTP head; non-printable
                                      bytes as '.')
    sni LPORT PEER NAME               the TLS server saw this SNI
    req LPORT PEER METHOD PATH host=H one HTTP request (inside TLS or not)
    nodata LPORT PEER                 closed or timed out before any byte
    tls-error LPORT PEER ...          the TLS handshake failed
  So "no data line for this peer/port" means no payload byte reached the
  server.  TLS ports speak TLS (self-signed cert) when the first byte is
  0x16, HTTP when the first bytes are an HTTP request, else echo; HTTP ports
  speak HTTP or echo.  HTTP answers are keep-alive "200 ok PATH", or FILE
  as text/html for a PATH given with --page.  --bind (repeatable) listens
  on those addresses only (one socket per address and port) instead of ::,
  so that two servers can share a port on different addresses of one
  namespace and each log shows only its own addresses' connections.

Clients (each prints "<word> <seconds> <detail>", netprobe.py's words and
exit status: ok 0, refused 1, timeout 2, error 3):

  tlsprobe.py tls ADDR PORT --sni NAME|--no-sni [--path P] [common options]
        TLS handshake (no certificate check) plus one HTTP request
  tlsprobe.py http ADDR PORT --host NAME [--path P] [common options]
        one plain HTTP/1.1 request
  tlsprobe.py raw ADDR PORT --file F [--replace OLD NEW] [common options]
        send F's bytes (a recorded ClientHello), ok once the server answers
        anything (or closes cleanly), refused on a reset
  tlsprobe.py stall ADDR PORT [--bytes N] [--timeout S]
        send the first N bytes of a ClientHello and nothing more; waits for
        the connection to be reset
  common options:
    --split N --delay S   write the first N bytes, sleep S, write the rest
                          (TCP_NODELAY is set, so these are two segments)
    --tfo                 send the first message in the SYN (sendto with
                          MSG_FASTOPEN; needs net.ipv4.tcp_fastopen & 5)
    --alpn-pad N          (tls) ALPN protocol names adding N bytes to the
                          ClientHello
    --hold FILE           after the first request print "connected", wait
                          for FILE to exist, then send a second request
                          (PATH-2) on the same connection
    --timeout S           per operation (default 5)
    --getaddrinfo [--family 4|6]   ADDR is a host name: resolve it with
                          getaddrinfo() (the system resolver, so the netns's
                          /etc/resolv.conf), print "resolved NAME ADDR", and
                          connect to the first address (test_dns.sh)
  The detail of a failure says where it happened: "connect: ECONNREFUSED",
  "after-connect: ECONNRESET", or with --tfo "tfo-sendto: ..." (connect and
  first write in one call).
"""
import argparse
import errno
import os
import socket
import sys
import time

REFUSED = {errno.ECONNREFUSED, errno.ECONNRESET, errno.EPERM, errno.EACCES,
           errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EPIPE,
           errno.ECONNABORTED}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def ports(spec):
    out = []
    for part in filter(None, (spec or "").split(",")):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def printable(b, limit=4096):
    return "".join(chr(c) if 33 <= c < 127 else "." for c in b[:limit])


# ---------------------------------------------------------------- server
def serve(args):
    import ssl
    import threading

    lock = threading.Lock()
    logf = open(args.log, "a", buffering=1)

    def log(*words):
        line = " ".join(str(w) for w in words)
        with lock:
            logf.write(line + "\n")
            logf.flush()

    def peer_of(sock):
        try:
            p = sock.getpeername()
            return "[%s]:%d" % (p[0], p[1]) if ":" in p[0] else "%s:%d" % p[:2]
        except OSError:
            return "?"

    pages = dict(x.split("=", 1) for x in args.page)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)

    def on_sni(sslsock, name, _ctx):
        log("sni", sslsock.getsockname()[1], peer_of(sslsock), name)

    ctx.sni_callback = on_sni

    def complete(data):
        """The first message is whole (TLS record, HTTP head)."""
        if data[:1] == b"\x16":
            return len(data) >= 5 and len(data) >= 5 + int.from_bytes(data[3:5], "big")
        word = data.split(b" ", 1)[0]
        if b" " in data[:16] and word.isalpha() and word.isupper():
            return b"\r\n\r\n" in data
        if len(data) < 8 and data.isalpha() and data.isupper():
            return False    # the start of a request line
        return True         # something else: echo it

    def looks_http(data):
        return data.split(b" ", 1)[0] in (b"GET", b"HEAD", b"POST", b"PUT",
                                          b"OPTIONS", b"DELETE", b"CONNECT")

    def http_loop(s, lport, peer):
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                more = s.recv(65536)
                if not more:
                    return
                buf += more
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            method, path = (parts + ["", ""])[:2]
            version = parts[2] if len(parts) > 2 else ""
            hdrs = {}
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            log("req", lport, peer, method, path, "host=" + hdrs.get("host", "-"))
            body = ("ok %s\n" % path).encode()
            ctype = b"text/plain"
            if path in pages:
                body, ctype = open(pages[path], "rb").read(), b"text/html"
            close = hdrs.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
                      b"Content-Length: %d\r\nConnection: %s\r\n\r\n%s"
                      % (ctype, len(body), b"close" if close else b"keep-alive", body))
            if close:
                return

    def handle(conn, lport, tls_port):
        peer = peer_of(conn)
        log("accept", lport, peer)
        conn.settimeout(30)
        data = b""
        try:
            end = time.monotonic() + 3
            while True:
                chunk = conn.recv(65536, socket.MSG_PEEK)
                if not chunk:
                    break
                if not data:
                    log("data", lport, peer, "len=%d" % len(chunk))
                data = chunk
                if complete(data) or time.monotonic() > end:
                    break
                time.sleep(0.02)
            if not data:
                log("nodata", lport, peer)
                return
            kind = "tls" if data[:1] == b"\x16" else "http" if looks_http(data) else "other"
            log("flight", lport, peer, "len=%d" % len(data), "kind=" + kind,
                "first=" + printable(data))
            if kind == "tls" and tls_port:
                try:
                    s = ctx.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    log("tls-error", lport, peer, repr(e)[:200])
                    return
                http_loop(s, lport, peer)
            elif kind == "http":
                http_loop(conn, lport, peer)
            else:
                while True:     # echo
                    d = conn.recv(65536)
                    if not d:
                        return
                    conn.sendall(d)
        except socket.timeout:
            if not data:
                log("nodata", lport, peer)
        except (OSError, ssl.SSLError):
            if not data:
                log("nodata", lport, peer)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def listener(port, tls_port, addr="::"):
        srv = socket.socket(family_of(addr), socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if addr == "::":
            srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        elif ":" in addr:
            srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
        except OSError:
            pass
        srv.bind((addr, port))
        srv.listen(128)
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=handle, args=(conn, port, tls_port),
                             daemon=True).start()

    for addr in args.bind or ["::"]:
        for p in ports(args.tls):
            threading.Thread(target=listener, args=(p, True, addr), daemon=True).start()
        for p in ports(args.http):
            threading.Thread(target=listener, args=(p, False, addr), daemon=True).start()
    time.sleep(0.2)
    log("serving", "tls=" + (args.tls or "-"), "http=" + (args.http or "-"))
    if args.ready:
        open(args.ready, "w").close()
    while True:
        time.sleep(3600)


# ---------------------------------------------------------------- clients
class Fail(Exception):
    def __init__(self, stage, exc):
        super().__init__(stage)
        self.stage, self.exc = stage, exc


def report(word, start, detail=""):
    print(f"{word} {time.monotonic() - start:.3f} {detail}".rstrip(), flush=True)
    return {"ok": 0, "refused": 1, "timeout": 2}.get(word, 3)


def outcome(start, stage, exc):
    if isinstance(exc, socket.gaierror):
        return report("error", start, "%s: getaddrinfo: %s" % (stage, exc))
    if isinstance(exc, socket.timeout):
        return report("timeout", start, "%s: timed out" % stage)
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        word = "refused" if exc.errno in REFUSED else "error"
        return report(word, start, "%s: %s" % (stage, name))
    return report("error", start, "%s: %r" % (stage, exc))


class Conn:
    """A TCP connection whose first message is sent the way the options
    say (split, fast open); the stage names where a failure happened."""

    def __init__(self, args):
        self.args = args
        self.sock = None
        self.stage = "connect"

    def resolve(self):
        """The destination: ADDR itself, or with --getaddrinfo the first
        address getaddrinfo() returns for the name ADDR (the system resolver,
        so /etc/resolv.conf), printed as "resolved NAME ADDR"."""
        a = self.args
        if not getattr(a, "getaddrinfo", False):
            return family_of(a.addr), a.addr
        self.stage = "resolve"
        fam = {"4": socket.AF_INET, "6": socket.AF_INET6}.get(a.family, socket.AF_UNSPEC)
        infos = socket.getaddrinfo(a.addr, a.port, fam, socket.SOCK_STREAM)
        addr = infos[0][4][0]
        print("resolved %s %s" % (a.addr, addr), flush=True)
        self.stage = "connect"
        return infos[0][0], addr

    def open_with(self, first):
        a = self.args
        fam, dest = self.resolve()
        self.sock = s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if getattr(a, "tfo", False):
            # blocking: the kernel connects inside sendto; an alarm bounds it
            self.stage = "tfo-sendto"
            import signal
            signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(
                socket.timeout("timed out")))
            signal.alarm(int(a.timeout) + 1)
            try:
                n = s.sendto(first, socket.MSG_FASTOPEN, (dest, a.port))
            finally:
                signal.alarm(0)
            self.stage = "after-connect"
            s.settimeout(a.timeout)
            if n < len(first):
                s.sendall(first[n:])
            return
        s.settimeout(a.timeout)
        s.connect((dest, a.port))
        self.stage = "after-connect"
        self.send_first(first)

    def send_first(self, first):
        a = self.args
        n = getattr(a, "split", 0) or 0
        if n and n < len(first):
            self.sock.sendall(first[:n])
            time.sleep(a.delay)
            self.sock.sendall(first[n:])
        else:
            self.sock.sendall(first)


def http_request(host, path, close=False):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlsprobe\r\nAccept: */*\r\n"
            "Connection: %s\r\n\r\n" % (path, host, "close" if close else "keep-alive")
            ).encode()


def read_response(recv):
    """Read one HTTP response with Content-Length through recv(); return
    (status line, body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        more = recv()
        if not more:
            raise ConnectionResetError(errno.ECONNRESET, "closed before a response")
        buf += more
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(body) < length:
        more = recv()
        if not more:
            raise ConnectionResetError(errno.ECONNRESET, "closed inside a response")
        body += more
    return lines[0], body[:length]


def check_response(status, body, path):
    if " 200 " not in status + " " or ("ok %s" % path).encode() not in body:
        raise ValueError("unexpected response %r %r" % (status, body[:80]))


def wait_trigger(path):
    print("connected", flush=True)
    while not os.path.exists(path):
        time.sleep(0.05)


def alpn_names(pad):
    names, total = [], 0
    i = 0
    while total < pad:
        n = ("egressk-pad-%d-" % i).ljust(200, "x")
        names.append(n)
        total += len(n) + 1
        i += 1
    return names


def tls_client(args):
    import ssl
    start = time.monotonic()
    c = Conn(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.alpn_pad:
        ctx.set_alpn_protocols(alpn_names(args.alpn_pad))
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_side=False,
                       server_hostname=None if args.no_sni else args.sni)
    host = args.sni or args.addr

    def recv():
        d = c.sock.recv(65536)
        if d:
            inc.write(d)
        else:
            inc.write_eof()
        return d

    def flush():
        d = out.read()
        if d:
            c.sock.sendall(d)

    def tls_recv():
        while True:
            try:
                return obj.read(65536)
            except ssl.SSLWantReadError:
                flush()
                if not recv():
                    return b""
            except ssl.SSLZeroReturnError:
                return b""

    try:
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = out.read()
        c.open_with(hello)
        while True:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                flush()
                if not recv():
                    raise ConnectionResetError(errno.ECONNRESET, "eof in handshake")
        flush()
        c.stage = "request"
        obj.write(http_request(host, args.path))
        flush()
        check_response(*read_response(tls_recv), args.path)
        detail = "hello=%d" % len(hello)
        if args.hold:
            wait_trigger(args.hold)
            start = time.monotonic()
            c.stage = "second-request"
            obj.write(http_request(host, args.path + "-2"))
            flush()
            check_response(*read_response(tls_recv), args.path + "-2")
        return report("ok", start, detail)
    except (ssl.SSLError, ValueError) as e:
        return report("error", start, "%s: %r" % (c.stage, e))
    except Exception as e:
        return outcome(start, c.stage, e)
    finally:
        if c.sock:
            c.sock.close()


def http_client(args):
    start = time.monotonic()
    c = Conn(args)
    recv = lambda: c.sock.recv(65536)   # noqa: E731
    try:
        c.open_with(http_request(args.host, args.path))
        c.stage = "response"
        check_response(*read_response(recv), args.path)
        if args.hold:
            wait_trigger(args.hold)
            start = time.monotonic()
            c.stage = "second-request"
            c.sock.sendall(http_request(args.host, args.path + "-2"))
            check_response(*read_response(recv), args.path + "-2")
        return report("ok", start)
    except ValueError as e:
        return report("error", start, "%s: %r" % (c.stage, e))
    except Exception as e:
        return outcome(start, c.stage, e)
    finally:
        if c.sock:
            c.sock.close()


def raw_client(args):
    start = time.monotonic()
    data = open(args.file, "rb").read()
    if args.replace:
        old, new = (x.encode() for x in args.replace)
        if len(old) != len(new) or old not in data:
            return report("error", start, "--replace: %r not in the file or lengths differ" % old)
        data = data.replace(old, new)
    c = Conn(args)
    try:
        c.open_with(data)
        c.stage = "answer"
        got = c.sock.recv(65536)
        return report("ok", start, "sent=%d answer=%d" % (len(data), len(got)))
    except Exception as e:
        return outcome(start, c.stage, e)
    finally:
        if c.sock:
            c.sock.close()


# A ClientHello prefix: record header, then the start of a handshake header.
STALL_BYTES = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32))


def stall_client(args):
    start = time.monotonic()
    c = Conn(args)
    try:
        c.open_with(STALL_BYTES[:args.bytes])
        c.stage = "stalled"
        got = c.sock.recv(65536)
        return report("error", start, "stalled: got %d bytes, no reset" % len(got))
    except Exception as e:
        return outcome(start, c.stage, e)
    finally:
        if c.sock:
            c.sock.close()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("serve")
    q.add_argument("--tls", default="")
    q.add_argument("--http", default="")
    q.add_argument("--cert", required=True)
    q.add_argument("--key", required=True)
    q.add_argument("--log", required=True)
    q.add_argument("--ready")
    q.add_argument("--page", action="append", default=[], metavar="PATH=FILE",
                   help="answer PATH with FILE as text/html")
    q.add_argument("--bind", action="append", default=[], metavar="ADDR",
                   help="listen on ADDR only (repeatable; default ::)")
    q.set_defaults(func=serve)

    def common(q):
        q.add_argument("addr")
        q.add_argument("port", type=int)
        q.add_argument("--timeout", type=float, default=5)
        q.add_argument("--split", type=int, default=0)
        q.add_argument("--delay", type=float, default=0.2)
        q.add_argument("--tfo", action="store_true")
        q.add_argument("--hold")
        q.add_argument("--getaddrinfo", action="store_true")
        q.add_argument("--family", choices=("4", "6"))

    q = sub.add_parser("tls")
    common(q)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--sni")
    g.add_argument("--no-sni", action="store_true")
    q.add_argument("--path", default="/")
    q.add_argument("--alpn-pad", type=int, default=0)
    q.set_defaults(func=tls_client)
    q = sub.add_parser("http")
    common(q)
    q.add_argument("--host", required=True)
    q.add_argument("--path", default="/")
    q.set_defaults(func=http_client)
    q = sub.add_parser("raw")
    common(q)
    q.add_argument("--file", required=True)
    q.add_argument("--replace", nargs=2, metavar=("OLD", "NEW"))
    q.set_defaults(func=raw_client)
    q = sub.add_parser("stall")
    common(q)
    q.add_argument("--bytes", type=int, default=3)
    q.set_defaults(func=stall_client)
    args = p.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
