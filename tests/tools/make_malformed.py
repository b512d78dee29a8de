#!/usr/bin/env python3
"""Writes tests/data/malformed_sip.pcap: one valid SIP call (UDP) mixed with malformed SIP that
sipscope must store, flag and survive: broken start lines, Content-Length larger and smaller
than the body, 500 headers with the Call-ID after them, NUL bytes, invalid UTF-8, ANSI escape
sequences in From, and a 100 KB header sent over TCP in 1460-byte segments.
Deterministic (fixed timestamps); standard library only. Usage: make_malformed.py OUT.pcap"""
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

def ip4(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload

def eth(payload):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + payload

def udp(sp, dp, data):
    return struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data

def tcp(sp, dp, seq, ack, flags, data):
    return struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data

A, B = [10, 0, 0, 1], [10, 0, 0, 2]
frames = []
t = [1700000000.0]

def add(frame, dt=0.01):
    t[0] += dt
    frames.append((t[0], frame))

def sip_udp(text, sp=5060, dp=5060, src=A, dst=B, dt=0.01):
    data = text if isinstance(text, bytes) else text.encode()
    add(eth(ip4(src, dst, 17, udp(sp, dp, data), len(frames) + 1)), dt)

def msg(start, callid, cseq, extra=b"", body=b"", cl=None, tag_to=False):
    h = [start,
         b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + callid.encode() + cseq.split()[0].encode(),
         b"From: <sip:alice@10.0.0.1>;tag=a1",
         b"To: <sip:bob@10.0.0.2>" + (b";tag=b1" if tag_to else b""),
         b"Call-ID: " + callid.encode(),
         b"CSeq: " + cseq.encode()]
    if extra:
        h.append(extra)
    h.append(b"Content-Length: %d" % (len(body) if cl is None else cl))
    return b"\r\n".join(h) + b"\r\n\r\n" + body

sdp = b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
# 1. a valid call
cid = "valid-1@10.0.0.1"
sip_udp(msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", cid, "1 INVITE", b"Content-Type: application/sdp", sdp))
sip_udp(msg(b"SIP/2.0 100 Trying", cid, "1 INVITE"), 5060, 5060, B, A)
sip_udp(msg(b"SIP/2.0 180 Ringing", cid, "1 INVITE", tag_to=True), 5060, 5060, B, A)
# 2. broken start lines: a status outside 100..699 (SIP-shaped: stored, flagged) and a garbled
# one (not SIP for tshark either: skipped)
sip_udp(msg(b"SIP/2.0 099 Too Low", "bad-status@10.0.0.1", "1 OPTIONS"))
sip_udp(msg(b"SIP/2.0 2x0 Broken", "bad-start@10.0.0.1", "1 INVITE"))
# 3. Content-Length larger than the body, 4. smaller
sip_udp(msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", "cl-long@10.0.0.1", "1 INVITE", body=b"v=0\r\n", cl=999))
sip_udp(msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", "cl-short@10.0.0.1", "1 INVITE", body=b"v=0\r\nxxxxxxxx\r\n", cl=3))
sip_udp(msg(b"SIP/2.0 200 OK", cid, "1 INVITE", b"Contact: <sip:bob@10.0.0.2>", tag_to=True), 5060, 5060, B, A)
# 5. 500 headers with the Call-ID after them
many = b"\r\n".join(b"X-H%d: v%d" % (i, i) for i in range(500))
start = b"OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-m\r\nFrom: <sip:alice@10.0.0.1>;tag=m\r\nTo: <sip:bob@10.0.0.2>\r\nCSeq: 1 OPTIONS\r\n"
sip_udp(start + many + b"\r\nCall-ID: many-hdrs@10.0.0.1\r\nContent-Length: 0\r\n\r\n")
# 6. NUL bytes, 7. invalid UTF-8, 8. ANSI escapes in From
sip_udp(msg(b"MESSAGE sip:bob@10.0.0.2 SIP/2.0", "nul-1@10.0.0.1", "1 MESSAGE", b"Subject: a\x00b\x00c", b"hi"))
sip_udp(msg(b"MESSAGE sip:bob@10.0.0.2 SIP/2.0", "utf8-1@10.0.0.1", "1 MESSAGE", b"Subject: \xff\xfe\xc3\x28 bad", b"hi"))
ansi = msg(b"OPTIONS sip:bob@10.0.0.2 SIP/2.0", "ansi-1@10.0.0.1", "1 OPTIONS")
ansi = ansi.replace(b"From: <sip:alice@10.0.0.1>", b"From: \"\x1b[2J\x1b[31mEvil\x07\" <sip:\x1b]0;pwn\x07evil@10.0.0.1>")
sip_udp(ansi)
sip_udp(msg(b"ACK sip:bob@10.0.0.2 SIP/2.0", cid, "1 ACK", tag_to=True))
# 9. a 100 KB header over TCP, in 1460-byte segments, after a handshake
big = msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", "big-hdr@10.0.0.1", "1 INVITE", b"X-Big: " + b"a" * 102400)
big = big.replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP")
isn, rsn = 1000, 5000
add(eth(ip4(A, B, 6, tcp(40000, 5060, isn, 0, 0x02, b""), 900)))
add(eth(ip4(B, A, 6, tcp(5060, 40000, rsn, isn + 1, 0x12, b""), 901)))
add(eth(ip4(A, B, 6, tcp(40000, 5060, isn + 1, rsn + 1, 0x10, b""), 902)))
off = 0
while off < len(big):
    seg = big[off:off + 1460]
    add(eth(ip4(A, B, 6, tcp(40000, 5060, isn + 1 + off, rsn + 1, 0x18, seg), 903 + off // 1460)), 0.001)
    off += len(seg)
sip_udp(msg(b"BYE sip:bob@10.0.0.2 SIP/2.0", cid, "2 BYE", tag_to=True), dt=1.0)
sip_udp(msg(b"SIP/2.0 200 OK", cid, "2 BYE", tag_to=True), 5060, 5060, B, A)

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for ts, fr in frames:
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)
