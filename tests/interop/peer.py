#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The kernel's side of the synfin interop checks (tests/interop/run.sh).

Runs inside the test's network namespace. Every socket has a timeout; every
subcommand prints one "OK ..." line and exits 0, or prints "FAIL ..." and
exits 1.
"""
import hashlib
import os
import socket
import sys
import threading
import time

T = 20.0  # seconds: the bound on any single socket operation


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def recv_all(s, limit=1 << 30):
    chunks = []
    n = 0
    while n < limit:
        b = s.recv(65536)
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b"".join(chunks)


def echo(host, port, nbytes, half_close=False):
    """Send nbytes to an echo server and check they come back.
    half_close: shutdown(SHUT_WR) after sending, then read to EOF (the server
    must keep sending after our FIN). Otherwise read nbytes and close first."""
    data = os.urandom(nbytes)
    s = socket.create_connection((host, port), timeout=T)
    got = bytearray()

    def reader():
        try:
            while len(got) < nbytes or half_close:
                b = s.recv(65536)
                if not b:
                    break
                got.extend(b)
        except OSError as e:
            got.extend(b"")
            print("reader error", e, flush=True)

    th = threading.Thread(target=reader)
    th.start()
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    th.join(T * 2)
    if bytes(got) != data:
        fail("echo: sent %d bytes, got back %d, equal=%s" % (nbytes, len(got), bytes(got) == data))
    s.close()
    print("OK echo %d bytes%s" % (nbytes, " after half-close" if half_close else ""), flush=True)


def accept_one(addr, port):
    """Listen on addr:port, say LISTENING, and accept one connection."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(4)
    ls.settimeout(T)
    print("LISTENING", flush=True)
    c, peer = ls.accept()
    c.settimeout(T)
    return ls, c, peer


def server(addr, port, tail):
    """Accept one connection, read to EOF, then answer with the SHA-256 of
    what came and tail extra bytes, and close (the peer closed first)."""
    ls, c, peer = accept_one(addr, port)
    data = recv_all(c)
    c.sendall(("sha256=%s n=%d\n" % (hashlib.sha256(data).hexdigest(), len(data))).encode())
    c.sendall(b"t" * tail)
    c.close()
    ls.close()
    print("OK served %s:%d, got %d bytes" % (peer[0], peer[1], len(data)), flush=True)


def oob_echo(host, port):
    """Send "abc", then "!" as urgent data (MSG_OOB), then "xyz", half-close,
    and read the echo: a receiver that keeps urgent bytes inline (RFC 6093)
    echoes all seven in order."""
    s = socket.create_connection((host, port), timeout=T)
    s.sendall(b"abc")
    time.sleep(0.05)
    s.send(b"!", socket.MSG_OOB)
    time.sleep(0.05)
    s.sendall(b"xyz")
    s.shutdown(socket.SHUT_WR)
    got = recv_all(s)
    s.close()
    if got != b"abc!xyz":
        fail("oob_echo: got %r" % got)
    print("OK oob_echo: %r came back inline" % got, flush=True)


def oob_server(addr, port, nbytes):
    """Accept one connection whose data is all urgent (nbytes of it): the
    kernel, urgent data not inline, gives the last byte only to MSG_OOB and
    the rest to ordinary reads. Prints both."""
    ls, c, _ = accept_one(addr, port)
    normal = b""
    deadline = time.time() + T
    while len(normal) < nbytes - 1 and time.time() < deadline:
        b = c.recv(nbytes)
        if not b:
            break
        normal += b
    oob = b""
    while not oob and time.time() < deadline:
        try:
            oob = c.recv(1, socket.MSG_OOB)
        except (BlockingIOError, OSError):
            time.sleep(0.02)
    rest = recv_all(c)
    c.close()
    ls.close()
    print("OK oob_server normal=%r oob=%r rest=%r" % (normal, oob, rest), flush=True)


def refused(host, port):
    s = socket.socket()
    s.settimeout(T)
    try:
        s.connect((host, port))
    except ConnectionRefusedError:
        print("OK ECONNREFUSED", flush=True)
        return
    except OSError as e:
        fail("connect: %r" % e)
    fail("connect succeeded")


def reset(host, port, step1, step2):
    """Echo one byte, let the test restart synfin, then send again: RST."""
    s = socket.create_connection((host, port), timeout=T)
    s.sendall(b"a")
    if s.recv(1) != b"a":
        fail("no echo before the restart")
    open(step1, "w").close()
    deadline = time.time() + T
    while not os.path.exists(step2):
        if time.time() > deadline:
            fail("the test did not restart synfin")
        time.sleep(0.05)
    try:
        s.sendall(b"b")
        b = s.recv(1)
    except ConnectionResetError:
        print("OK ECONNRESET", flush=True)
        return
    except OSError as e:
        fail("after restart: %r" % e)
    fail("after restart: recv gave %r" % b)


def discard(host, port, nbytes):
    """RFC 863: send nbytes, half-close; nothing may come back before EOF."""
    s = socket.create_connection((host, port), timeout=T)
    s.sendall(b"x" * nbytes)
    s.shutdown(socket.SHUT_WR)
    got = recv_all(s)
    s.close()
    if got:
        fail("discard server sent %d bytes" % len(got))
    print("OK discard %d bytes, nothing back, EOF" % nbytes, flush=True)


def chargen(host, port, nbytes):
    """RFC 864: 72 printable characters a line, each line starting one
    character further along the 95 printable ones, then CR LF."""
    def char(o):
        pos = o % 74
        return 32 + (o // 74 + pos) % 95 if pos < 72 else (13 if pos == 72 else 10)
    want = bytes(char(o) for o in range(nbytes))
    s = socket.create_connection((host, port), timeout=T)
    got = recv_all(s, nbytes)
    s.close()
    if got[:nbytes] != want:
        fail("chargen pattern differs (%d bytes read)" % len(got))
    print("OK chargen %d bytes of the RFC 864 pattern" % nbytes, flush=True)


def many(host, port, n):
    results = [None] * n

    def one(i):
        try:
            s = socket.create_connection((host, port), timeout=T)
            msg = b"client %d\n" % i
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = s.recv(100)
                if not b:
                    break
                got += b
            s.close()
            results[i] = "ok" if got == msg else "bad echo %r" % got
        except OSError as e:
            results[i] = repr(e)

    ths = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(T * 2)
    bad = [(i, r) for i, r in enumerate(results) if r != "ok"]
    if bad:
        fail("%d of %d clients failed: %s" % (len(bad), n, bad[:5]))
    print("OK %d clients connected and echoed" % n, flush=True)


def http_get(s, path):
    s.sendall(b"GET %s HTTP/1.1\r\nHost: synfin\r\nConnection: close\r\n\r\n" % path.encode())
    return recv_all(s)


def keepalive(host, port):
    """HTTP persistence (RFC 9112 §9.3): three pipelined requests on one
    connection answered in order, the last with Connection: close ending it;
    a request split into one-byte segments; HTTP/1.0 closing by default and
    persisting with Connection: keep-alive."""
    def conn():
        s = socket.create_connection((host, port), timeout=5.0)
        return s
    s = conn()
    s.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: synfin\r\n\r\n"
              b"GET / HTTP/1.1\r\nHost: synfin\r\n\r\n"
              b"GET /bytes/5 HTTP/1.1\r\nHost: synfin\r\nConnection: close\r\n\r\n")
    r = recv_all(s)
    s.close()
    parts = r.split(b"HTTP/1.1 200 OK\r\n")
    if len(parts) != 4 or not parts[1].endswith(b"\r\n\r\nabcdefghij") or not r.endswith(b"abcde") \
            or b"Connection: close" not in parts[3] or b"Connection: close" in parts[1] + parts[2]:
        fail("pipelined requests: %r" % r[:200])
    s = conn()
    for b in b"GET /bytes/3 HTTP/1.1\r\nConnection: close\r\n\r\n":
        s.send(bytes([b]))
        time.sleep(0.002)
    r = recv_all(s)
    s.close()
    if not r.endswith(b"\r\n\r\nabc"):
        fail("request in one-byte segments: %r" % r[:100])
    s = conn()
    s.sendall(b"GET /bytes/2 HTTP/1.0\r\n\r\n")
    r = recv_all(s)  # the server closes: HTTP/1.0 does not persist by default
    s.close()
    if not (r.startswith(b"HTTP/1.1 200") and b"Connection: close" in r and r.endswith(b"ab")):
        fail("HTTP/1.0: %r" % r[:100])
    s = conn()
    s.sendall(b"GET /bytes/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    time.sleep(0.2)
    s.sendall(b"GET /bytes/3 HTTP/1.0\r\n\r\n")
    r = recv_all(s)
    s.close()
    if r.count(b"200 OK") != 2 or b"Connection: keep-alive" not in r or not r.endswith(b"abc"):
        fail("HTTP/1.0 keep-alive: %r" % r[:200])
    # Idle: the server (--idle-timeout 2) closes a persistent connection
    # after 2 s without a request, not before.
    s = conn()
    s.settimeout(10.0)
    s.sendall(b"GET /bytes/1 HTTP/1.1\r\n\r\n")
    t0 = time.monotonic()
    r = recv_all(s)
    idle = time.monotonic() - t0
    s.close()
    if not r.endswith(b"\r\n\r\na") or not 1.8 <= idle <= 5:
        fail("idle timeout: closed after %.1f s: %r" % (idle, r[:100]))
    print("OK 3 pipelined requests on one connection, a request in 1-byte segments, HTTP/1.0 with and without"
          " keep-alive, an idle connection closed after %.1f s" % idle, flush=True)


def twreuse(host, port, lport, expect):
    """First connection from lport: GET / (synfin closes first: TIME-WAIT on
    its side). Then reconnect from the same lport."""
    def sock():
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("192.0.2.1", lport))
        s.settimeout(3.0)
        return s
    s = sock()
    s.connect((host, port))
    r = http_get(s, "/")
    s.close()
    if not r.startswith(b"HTTP/1.1 200"):
        fail("first GET: %r" % r[:40])
    time.sleep(0.5)  # the kernel's LAST-ACK is over; synfin is in TIME-WAIT
    s = sock()
    try:
        s.connect((host, port))
        r = http_get(s, "/")
        outcome = "accept" if r.startswith(b"HTTP/1.1 200") else "bad"
    except (socket.timeout, ConnectionError) as e:
        outcome = "refuse"
        print("second connect: %r" % e, flush=True)
    s.close()
    if outcome != expect:
        fail("reconnect on the same 4-tuple: %s, expected %s" % (outcome, expect))
    print("OK reconnect in TIME-WAIT: %s" % outcome, flush=True)


def simopen(lport, host, port, ready):
    """connect() from lport (no listener anywhere); synfin connects to us at
    the same time. Only a simultaneous open can establish this."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("192.0.2.1", lport))
    s.setblocking(False)
    try:
        s.connect((host, port))
    except BlockingIOError:
        pass
    open(ready, "w").close()
    s.settimeout(T)
    got = b""
    while not got.endswith(b"\n"):
        b = s.recv(100)
        if not b:
            break
        got += b
    if got != b"ping\n":
        fail("simultaneous open: got %r" % got)
    s.sendall(b"pong\n")
    s.close()
    print("OK simultaneous open, exchanged ping/pong", flush=True)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "echo":
        echo(args[0], int(args[1]), int(args[2]))
    elif cmd == "halfclose":
        echo(args[0], int(args[1]), int(args[2]), half_close=True)
    elif cmd == "server":
        server(args[0], int(args[1]), int(args[2]))
    elif cmd == "oob_echo":
        oob_echo(args[0], int(args[1]))
    elif cmd == "oob_server":
        oob_server(args[0], int(args[1]), int(args[2]))
    elif cmd == "refused":
        refused(args[0], int(args[1]))
    elif cmd == "reset":
        reset(args[0], int(args[1]), args[2], args[3])
    elif cmd == "many":
        many(args[0], int(args[1]), int(args[2]))
    elif cmd == "discard":
        discard(args[0], int(args[1]), int(args[2]))
    elif cmd == "chargen":
        chargen(args[0], int(args[1]), int(args[2]))
    elif cmd == "keepalive":
        keepalive(args[0], int(args[1]))
    elif cmd == "twreuse":
        twreuse(args[0], int(args[1]), int(args[2]), args[3])
    elif cmd == "simopen":
        simopen(int(args[0]), args[1], int(args[2]), args[3])
    elif cmd == "body":
        h = hashlib.sha256()
        n = int(args[0])
        pat = bytes(range(ord("a"), ord("a") + 26)) * 2521
        i = 0
        while i < n:
            chunk = pat[: min(len(pat), n - i)]
            h.update(chunk)
            i += len(chunk)
        print(h.hexdigest())
    else:
        fail("unknown subcommand " + cmd)


if __name__ == "__main__":
    main()
