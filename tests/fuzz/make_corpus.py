#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the seed corpora of the fuzz targets (run once; the output is checked in).

fuzz_wire: well-formed IPv4/IPv6 TCP datagrams with options and data, fragments, extension headers.
fuzz_stack: event scripts that open connections and push segments at them, and fragments for reassembly.
"""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp(sport, dport, seq, ack, flags, win, opts=b"", payload=b""):
    opts += b"\0" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, 0) + opts + payload


def v4(src, dst, seg):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(pseudo + seg)
    return hdr + seg[:16] + struct.pack("!H", c) + seg[18:]


def v6(src, dst, seg):
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, 64, bytes(src), bytes(dst))
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(seg), 6)
    c = csum(pseudo + seg)
    return hdr + seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp4(src, dst, typ, code, quote):
    body = struct.pack("!BBHI", typ, code, 0, 0) + quote
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 64, 1, 0, bytes(src), bytes(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + body


def icmp6(src, dst, typ, code, quote):
    body = struct.pack("!BBHI", typ, code, 0, 0) + quote
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), 58, 64, bytes(src), bytes(dst)) + body


def frag4(dgram, ident, off, length, more):
    """Fragment [off, off + length) of an IPv4 datagram's data (RFC 791 §3.2)."""
    hl = (dgram[0] & 15) * 4
    hdr = bytearray(dgram[:hl])
    struct.pack_into("!HHH", hdr, 2, hl + length, ident, (0x2000 if more else 0) | off // 8)
    struct.pack_into("!H", hdr, 10, 0)
    struct.pack_into("!H", hdr, 10, csum(bytes(hdr)))
    return bytes(hdr) + dgram[hl + off:hl + off + length]


def frag6(dgram, ident, off, length, more):
    """Fragment [off, off + length) of an IPv6 datagram's payload (RFC 8200 §4.5)."""
    hdr = bytearray(dgram[:40])
    nh = hdr[6]
    hdr[6] = 44
    struct.pack_into("!H", hdr, 4, 8 + length)
    return bytes(hdr) + struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident) + dgram[40 + off:40 + off + length]


def with_ext(dgram, first, ext):
    """An IPv6 datagram with extension headers ext (the last naming its old Next Header) after its header."""
    hdr = bytearray(dgram[:40])
    hdr[6] = first
    struct.pack_into("!H", hdr, 4, len(dgram) - 40 + len(ext))
    return bytes(hdr) + ext + dgram[40:]


def raw(dgram):
    """A fuzz_stack step: raw bytes (kind 0, then a length byte)."""
    assert len(dgram) < 256
    return bytes([0, len(dgram)]) + dgram


def advance(ms):
    return bytes([1, ms >> 8, ms & 0xFF])


A4, B4 = [192, 0, 2, 2], [192, 0, 2, 1]
A6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]
B6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
MSS = b"\x02\x04\x05\xb4"
ALL = MSS + b"\x04\x02\x08\x0a\x00\x00\x10\x00\x00\x00\x00\x00\x01\x03\x03\x07"
SACK = b"\x01\x01\x05\x0a\x00\x00\x13\x88\x00\x00\x17\x70"

wire = {
    "syn_v4": v4(A4, B4, tcp(40000, 80, 1000, 0, 0x02, 65535, ALL)),
    "synack_v6": v6(A6, B6, tcp(40000, 80, 1000, 2001, 0x12, 65535, MSS)),
    "data_v4": v4(A4, B4, tcp(40000, 80, 1001, 2001, 0x18, 500, b"", b"hello world")),
    "sack_v4": v4(A4, B4, tcp(40000, 80, 1001, 2001, 0x10, 500, SACK)),
    "fin_v6": v6(A6, B6, tcp(40000, 80, 1001, 2001, 0x11, 500)),
    "rst_v4": v4(A4, B4, tcp(40000, 80, 1001, 0, 0x04, 0)),
    # errors about a segment B sent to A: port unreachable, packet too big
    "icmp_unreach_v4": icmp4(A4, B4, 3, 3, v4(B4, A4, tcp(80, 40000, 2000, 1001, 0x12, 65535, MSS))[:28]),
    "icmp_too_big_v6": icmp6(A6, B6, 2, 0, v6(B6, A6, tcp(80, 40000, 2000, 1001, 0x18, 500, b"", b"x" * 64))),
}
SYN4 = v4(A4, B4, tcp(40000, 80, 1000, 0, 0x02, 65535, ALL))
SYN6 = v6(A6, B6, tcp(40000, 80, 1000, 0, 0x02, 65535, ALL))
wire.update({
    "frag_first_v4": frag4(SYN4, 7, 0, 24, True),
    "frag_last_v4": frag4(SYN4, 7, 24, 16, False),
    "frag_first_v6": frag6(SYN6, 7, 0, 24, True),
    "frag_last_v6": frag6(SYN6, 7, 24, 16, False),
    "frag_atomic_v6": frag6(SYN6, 7, 0, 40, False),
    "rh0_v6": with_ext(SYN6, 43, bytes([6, 2, 0, 1, 0, 0, 0, 0]) + bytes(16)),
    "dstopts_chain_v6": with_ext(SYN6, 60, bytes([60, 0, 1, 4, 0, 0, 0, 0]) * 7 + bytes([6, 0, 1, 4, 0, 0, 0, 0])),
})


def fragment_script(whole, frag):
    """Reassembly's ways, one identification each: whole in order and out of
    order, an overlap and what follows it, a duplicate, a partial datagram
    left to time out."""
    return (raw(frag(whole, 1, 0, 24, True)) + raw(frag(whole, 1, 24, 16, False))
            + raw(frag(whole, 2, 24, 8, True)) + raw(frag(whole, 2, 32, 8, False)) + raw(frag(whole, 2, 0, 24, True))
            + raw(frag(whole, 3, 0, 24, True)) + raw(frag(whole, 3, 16, 16, True)) + raw(frag(whole, 3, 32, 8, False))
            + raw(frag(whole, 4, 24, 16, False)) + raw(frag(whole, 4, 24, 16, False)) + raw(frag(whole, 4, 0, 24, True))
            + raw(frag(whole, 5, 0, 24, True)) + advance(31000) + advance(31000) + raw(frag(whole, 5, 24, 16, False)))


stack = {
    "fragments_v4": fragment_script(SYN4, frag4),
    "fragments_v6": fragment_script(SYN6, frag6),
    # first fragments of distinct datagrams, more than the caps hold: the oldest are evicted
    "fragment_flood": b"".join(raw(frag4(SYN4, i, 0, 24, True)) for i in range(64)),
    # step kinds (first byte % 8): 0 raw, 1 advance, 2-3 api call, 4-6 structured segment, 7 ICMP error
    # about the stack's last datagram: after the handshake and data, packet too big for MTU 1280 and 68
    "path_mtu": bytes([4, 0x00, 0x02, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 0, 0, 0, 0, 1, 5, 0xB4, 0, 0, 0, 0, 0]
                      + [4, 0x30, 0x10, 0xFF, 0xFF, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                      + [2, 3, 0, 0, 0] + [1, 0, 200] + [2, 5, 1, 0x10, 0]
                      + [7, 0, 0, 0, 5, 0, 0] + [7, 0, 0, 0, 0, 68, 0] + [1, 0x27, 0x10] + [1, 0x27, 0x10]),
    "handshake": bytes([4, 0x00, 0x02, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 0, 0, 0, 0, 1, 5, 0xB4, 0, 0, 0, 0, 0]
                       + [4, 0x30, 0x10, 0xFF, 0xFF, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                       + [2, 3, 0, 0, 0] + [1, 0, 200] + [2, 5, 1, 0, 0, 1, 0]),
    "timers": bytes([1, 0xFF, 0xFF] * 6 + [2, 8, 1, 0, 0]),
    "api": bytes([2, 0, 5, 0, 0, 2, 4, 5, 0x13, 0x88, 3, 13, 0, 0, 0, 3, 9, 5, 0, 0]),
    "segments": bytes(range(256)),
}
api = {
    # 4-byte calls: [op|stack bit, handle, arg hi, arg lo]; ops 20-28 let time pass
    "listen_connect": bytes([0x80, 0, 0, 0, 0x81, 4, 0, 0, 0x82, 4, 5, 0, 0, 0, 0, 0, 4, 4, 1, 0,
                             20, 0, 0, 10, 0x83, 4, 0, 0, 5, 4, 0, 100, 20, 0, 0, 10, 0x86, 5, 1, 0,
                             8, 4, 0, 0, 20, 0, 0, 50]),
    "options": bytes([0, 0, 0, 0, 10, 4, 1, 0, 13, 4, 1, 5, 14, 4, 0, 64, 15, 4, 1, 0, 16, 4, 3, 232, 9, 4, 0, 0]),
    # connected, then data both ways with the queries, a peek and buffers and MSS changed on the connection
    "queries": bytes([0x80, 0, 0, 0, 0x81, 4, 0, 0, 0x82, 4, 5, 0, 0, 0, 0, 0, 4, 4, 1, 0,
                      20, 0, 0, 10, 0x83, 4, 0, 0, 5, 4, 0, 100, 20, 0, 0, 10, 0x9e, 5, 3, 0,
                      0x9d, 5, 1, 100, 0x9f, 5, 3, 16, 0x8c, 5, 2, 0, 0x9f, 5, 2, 1, 30, 4, 1, 0,
                      0x86, 5, 0, 50, 5, 4, 0x40, 0, 0x9e, 5, 2, 0, 29, 4, 0, 0, 20, 0, 0, 50]),
}
for name, items in (("fuzz_wire", wire), ("fuzz_stack", stack), ("fuzz_api", api)):
    d = os.path.join(here, "corpus", name)
    os.makedirs(d, exist_ok=True)
    for k, v in items.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)
