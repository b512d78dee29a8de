#!/usr/bin/env python3
"""make_attack.py KIND N OUT.pcap [STEP_US]: writes a capture that attacks the reassembly and call tables
(tests/it/test_bounded). Each frame comes from one struct-packed template with a few fields
patched, so a million frames take seconds. Ethernet, classic pcap; OUT "-" is standard output.
Frames are 10 us apart (tcp, frag: a million span 10 s, inside every reassembly timeout, so only
the count and byte limits can evict), 100 us apart (calls: 150k span 15 s, inside the 60 s idle
eviction, so the call table's count limit evicts), 1 ms apart (tiny); STEP_US overrides.

  tcp    N half-open TCP streams, distinct 4-tuples: even i a SYN, odd i one data segment that
         starts a SIP message and never ends it (the framer must buffer it)
  frag   N never-completed IP fragments: the first fragment (MF set, offset 0) of N distinct
         datagrams, alternating IPv4 and IPv6 (Fragment extension header)
  calls  N INVITEs over UDP with distinct Call-IDs, never answered
  tiny   N SIP OPTIONS over UDP (a small baseline capture)
"""
import struct, sys

ETH4 = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
ETH6 = ETH4[:12] + b"\x86\xdd"
SIP_START = b"INVITE sip:bob@example.invalid SIP/2.0\r\nVia: SIP/2.0/TCP 10.9.9.9:5060\r\n"


def ip4(src, dst, proto, payload, ident=0, frag=0):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, 64,
                       proto, 0, src, dst) + payload


def addr4(i, net):
    return bytes([net, (i >> 16) & 255, (i >> 8) & 255, i & 255])


def tcp_frames(n):
    dst = bytes([192, 0, 2, 1])
    for i in range(n):
        data = SIP_START if i & 1 else b""
        flags = 0x18 if data else 0x02
        seg = struct.pack(">HHIIBBHHH", 1024 + (i % 60000), 5060, i, 0, 0x50, flags, 65535, 0,
                          0) + data
        yield ETH4 + ip4(addr4(i // 60000, 10), dst, 6, seg)


def frag_frames(n):
    udp = struct.pack(">HHHH", 5060, 5060, 8 + 1400, 0) + SIP_START[:16]  # 1400 bytes claimed
    for i in range(n):
        if i & 1 == 0:
            yield ETH4 + ip4(addr4(i >> 17, 11), bytes([192, 0, 2, 2]), 17, udp,
                             ident=i >> 1, frag=0x2000)
        else:
            src = b"\x20\x01\x0d\xb8" + bytes(8) + struct.pack(">I", i)
            dst = b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02"
            fh = struct.pack(">BBHI", 17, 0, 0x0001, i)  # next UDP, offset 0, M set, id i
            pl = fh + udp
            yield ETH6 + struct.pack(">IHBB16s16s", 0x60000000, len(pl), 44, 64, src, dst) + pl


def sip_frames(n, method):
    tmpl = (method + " sip:bob@192.0.2.3 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK%08x\r\n"
            "From: <sip:alice@198.51.100.7>;tag=%08x\r\nTo: <sip:bob@192.0.2.3>\r\n"
            "Call-ID: attack-%08x@198.51.100.7\r\nCSeq: 1 " + method + "\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    for i in range(n):
        msg = (tmpl % (i, i, i)).encode()
        udp = struct.pack(">HHHH", 5060, 5060, 8 + len(msg), 0) + msg
        yield ETH4 + ip4(bytes([198, 51, 100, 7]), bytes([192, 0, 2, 3]), 17, udp)


def main():
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    step_us = {"tcp": 10, "frag": 10, "calls": 100, "tiny": 1000}[kind]
    if len(sys.argv) > 4:
        step_us = int(sys.argv[4])
    gen = {"tcp": tcp_frames, "frag": frag_frames, "calls": lambda k: sip_frames(k, "INVITE"),
           "tiny": lambda k: sip_frames(k, "OPTIONS")}[kind](n)
    rec = struct.Struct("<IIII")
    f = sys.stdout.buffer if out == "-" else open(out, "wb", buffering=1 << 20)
    with f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t0 = 1700000000
        for i, fr in enumerate(gen):
            us = i * step_us
            f.write(rec.pack(t0 + us // 1000000, us % 1000000, len(fr), len(fr)))
            f.write(fr)


main()
