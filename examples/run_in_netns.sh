#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run one of the TUN examples against the kernel's TCP, inside a network
# namespace of its own (always deleted afterwards): the TUN device, the
# kernel's 192.0.2.1/24 and the example's 192.0.2.2 exist only in there,
# with no route out.
#
#   examples/run_in_netns.sh echo|http EXAMPLE_BINARY
#
# echo: python3 sends messages of 1 byte to 100 KB on two connections at
# once and checks each comes back exactly, then half-closes and expects
# the server's FIN. http: curl fetches two URLs over one connection (one
# connect counted), python3 sends pipelined, split, HTTP/1.0, close and
# garbage requests. Either way the example must then stop on SIGTERM and
# exit 0. Needs root, /dev/net/tun, iproute2, python3 (and curl for http).
set -u
MODE=${1:?usage: run_in_netns.sh echo|http EXAMPLE_BINARY}
BIN=$(readlink -f "${2:?usage: run_in_netns.sh echo|http EXAMPLE_BINARY}")
NS="sfex$$"
DEV=sfex0
K=192.0.2.1 # the kernel
S=192.0.2.2 # the example
WORK=$(mktemp -d /tmp/synfin-example.XXXXXX)
PID=

cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns delete "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # then the EXIT trap cleans up

NX() { ip netns exec "$NS" "$@"; }
die() {
	echo "FAIL: $*"
	echo "--- example's output:"; cat "$WORK/out" "$WORK/err" 2>/dev/null
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root for ip netns and TUN"
ip netns add "$NS" || die "ip netns add"
NX ip link set lo up
NX ip tuntap add dev $DEV mode tun || die "ip tuntap add"
NX sysctl -qw net.ipv6.conf.$DEV.disable_ipv6=1 2>/dev/null # no IPv6 chatter on the device
NX ip addr add $K/24 dev $DEV
NX ip link set $DEV up

case $MODE in
echo) PORT=7 ;;
http) PORT=80 ;;
*) die "unknown mode $MODE" ;;
esac
# `ip netns exec` execs the program, so $PID is the example itself.
ip netns exec "$NS" "$BIN" $DEV $S $PORT >"$WORK/out" 2>"$WORK/err" &
PID=$!
for ((i = 0; i < 100; i++)); do
	grep -q "on $S port $PORT" "$WORK/out" 2>/dev/null && break
	kill -0 "$PID" 2>/dev/null || die "the example exited at once"
	sleep 0.05
done
[ "$i" -lt 100 ] || die "the example did not start within 5 s"

check_echo() {
	NX timeout 60 python3 - "$S" "$PORT" <<'PY'
import os, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
def conn():
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    return s
def recv_exactly(s, n):
    got = bytearray()
    while len(got) < n:
        b = s.recv(min(65536, n - len(got)))
        if not b:
            raise SystemExit(f"FAIL: end of stream after {len(got)} of {n} bytes")
        got += b
    return bytes(got)
a, b = conn(), conn()
msgs = [b"hello\n", b"x", os.urandom(1000), os.urandom(1460), os.urandom(100 * 1024), b"bye\n"]
for i, m in enumerate(msgs):
    for s in (a, b) if i % 2 == 0 else (b, a):
        s.sendall(m)
    for s in (a, b):
        back = recv_exactly(s, len(m))
        if back != m:
            raise SystemExit(f"FAIL: a {len(m)}-byte message came back different")
# Our FIN: the server echoes nothing more and sends its own.
for s in (a, b):
    s.shutdown(socket.SHUT_WR)
    if s.recv(1) != b"":
        raise SystemExit("FAIL: data after the echo instead of the server's FIN")
    s.close()
print(f"OK: {len(msgs)} messages, up to {max(map(len, msgs))} bytes, echoed exactly on two connections")
PY
}

check_http() {
	local out
	out=$(NX timeout 30 curl -sS --max-time 10 -o "$WORK/body1" -o "$WORK/body2" -w '%{http_code} %{num_connects}\n' \
		"http://$S:$PORT/first" "http://$S:$PORT/second") || die "curl failed"
	echo "curl: $(echo $out)"
	[ "$(echo $out)" = "200 1 200 0" ] || die "curl: expected two 200s over one connection, got: $out"
	grep -qx "request 1 on this connection: GET /first" "$WORK/body1" &&
		grep -qx "request 2 on this connection: GET /second" "$WORK/body2" || die "curl: wrong bodies"
	NX timeout 60 python3 - "$S" "$PORT" <<'PY'
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
def conn():
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    return s
class Reader:
    def __init__(self, s): self.s, self.buf = s, b""
    def fill(self):
        b = self.s.recv(65536)
        if not b: raise EOFError
        self.buf += b
    def response(self):
        while b"\r\n\r\n" not in self.buf: self.fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        fields = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(fields["content-length"])
        while len(self.buf) < n: self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return int(lines[0].split()[1]), fields, body.decode()
    def closed(self):
        try:
            while True: self.fill()
        except EOFError: return self.buf == b""
def expect(cond, what):
    if not cond: raise SystemExit("FAIL: " + what)
req = lambda path, extra="": f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()

# Three requests in one send (pipelined), answered in order on one connection.
s = conn(); r = Reader(s)
s.sendall(req("/a") + req("/b") + b"POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + req("/d"))
for i, path in enumerate(["GET /a", "GET /b", "POST /c", "GET /d"], 1):
    code, f, body = r.response()
    expect(code == 200 and body == f"request {i} on this connection: {path}\n", f"pipelined {path}: {code} {body!r}")
# A request split across segments, a byte at a time (TCP_NODELAY: one segment each).
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for ch in req("/split"):
    s.send(bytes([ch])); time.sleep(0.002)
code, f, body = r.response()
expect(code == 200 and body == "request 5 on this connection: GET /split\n", f"split request: {code} {body!r}")
# Connection: close is answered, then the server closes.
s.sendall(req("/last", "Connection: close\r\n"))
code, f, body = r.response()
expect(code == 200 and f.get("connection") == "close" and r.closed(), "Connection: close not honoured")
s.close()

# HTTP/1.0: closed after the answer unless it asks for keep-alive.
s = conn(); r = Reader(s)
s.sendall(b"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /old2 HTTP/1.0\r\n\r\n")
code, f, _ = r.response()
expect(code == 200 and f.get("connection", "").lower() == "keep-alive", "HTTP/1.0 keep-alive")
code, f, _ = r.response()
expect(code == 200 and r.closed(), "HTTP/1.0 without keep-alive not closed")
s.close()

# Garbage: 400, then the connection closes.
for bad in [b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET /x HTTP/1.1\r\nHost x\r\n\r\n",
            b"GET /x HTTP/1.1\r\n\r\n", b"GET  /x HTTP/1.1\r\nHost: x\r\n\r\n"]:
    s = conn(); r = Reader(s)
    s.sendall(bad)
    code, f, _ = r.response()
    expect(code == 400 and r.closed(), f"{bad!r}: got {code}, wanted 400 and a close")
    s.close()
# A head that never ends is not held without bound: 431 and a close.
s = conn(); r = Reader(s)
try:
    s.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n" + b"X-Filler: " + b"a" * 20000 + b"\r\n\r\n")
except (BrokenPipeError, ConnectionResetError):
    pass
code, f, _ = r.response()
expect(code == 431, f"oversized head: got {code}, wanted 431")
s.close()
print("OK: pipelined, split, POST body, Connection: close, HTTP/1.0, 400s and 431")
PY
}

case $MODE in
echo) check_echo || die "echo check" ;;
http) check_http || die "http check" ;;
esac

# SIGTERM: the example must stop by itself and exit 0.
kill -TERM "$PID"
timeout 5 tail --pid="$PID" -f /dev/null 2>/dev/null || die "still running 5 s after SIGTERM"
wait "$PID"
rc=$?
PID=
[ $rc = 0 ] || die "exit status $rc after SIGTERM"
echo "OK: stopped cleanly on SIGTERM"
