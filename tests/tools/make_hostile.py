#!/usr/bin/env python3
"""Writes tests/data/hostile_sip.pcap: SIP calls whose wire text attacks every export format:
reason phrases, Call-IDs, From display names, User-Agents and SDP carrying <script>, quotes,
backticks, "-->", Mermaid/PlantUML keywords (end, note over, participant, @enduml, %%{init}%%),
'#', ';', ANSI escapes, bare CR, folded header lines, and extension methods named like keywords.
Transports: UDP/IPv4, UDP/IPv6 and TCP/IPv4 (so the pcap export writes all three). Also three
B2BUA legs for `ladder --related`: leg-b names leg-a in X-CID, leg-c shares leg-b's
P-Charging-Vector icid-value, and leg-d shares only an all-zero Session-ID (not a link).
Deterministic (fixed timestamps); standard library only. Usage: make_hostile.py OUT.pcap"""
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
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload

def ip6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, bytes(src),
                       bytes(dst)) + payload

def eth(payload, v6=False):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + (b"\x86\xdd" if v6 else b"\x08\x00") + payload

def udp(sp, dp, data):
    return struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data

def tcp(sp, dp, seq, ack, flags, data):
    return struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data

A, B = [10, 0, 0, 1], [10, 0, 0, 2]
A6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
B6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]
frames = []
t = [1700000100.0]

def add(frame, dt=0.01):
    t[0] += dt
    frames.append((t[0], frame))

def sip_udp(data, fwd=True, v6=False, dt=0.01):
    if v6:
        s, d = (A6, B6) if fwd else (B6, A6)
        add(eth(ip6(s, d, 17, udp(5060, 5060, data)), True), dt)
    else:
        s, d = (A, B) if fwd else (B, A)
        add(eth(ip4(s, d, 17, udp(5060, 5060, data), len(frames) + 1)), dt)

EVIL = (b"<script>alert(1)</script> \"dq\" 'sq' `bt` --> end note over @enduml participant "
        b"%%{init: {'theme':'dark'}}%% #x; a;b \x1b[31mred\x1b[0m \\n <img:http://x.invalid/a.png>"
        b" **bold** [[http://x.invalid]]")

def msg(start, callid, cseq, extra=(), body=b"", fwd=True, tag_to=False, via="UDP 10.0.0.1:5060"):
    h = [start,
         b"Via: SIP/2.0/" + via.encode() + b";branch=z9hG4bK-" + cseq.split()[0].encode() +
         callid[:8].replace(b"<", b"x").replace(b'"', b"q"),
         b"From: \"" + EVIL.replace(b'"', b"'") + b"\"\r\n  <sip:alice@10.0.0.1>;tag=a1",
         b"To: <sip:bob@10.0.0.2>" + (b";tag=b1" if tag_to else b""),
         b"Call-ID: " + callid,
         b"CSeq: " + cseq.encode(),
         b"User-Agent: evil</pre><script>alert(2)</script>\r\n\t-->\x1b]0;title\x07"]
    h.extend(extra)
    if body:
        h.append(b"Content-Type: application/sdp")
    h.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(h) + b"\r\n\r\n" + body

SDP = (b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=<script>alert(3)</script>\r\n"
       b"c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n"
       b"a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n")

# 1. an INVITE rejected with hostile reason phrases (UDP/IPv4)
cid = b"hostile-1@10.0.0.1"
sip_udp(msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", cid, "1 INVITE", body=SDP))
sip_udp(msg(b"SIP/2.0 100 <script>alert(1)</script>", cid, "1 INVITE"), fwd=False)
sip_udp(msg(b"SIP/2.0 180 end\r", cid, "1 INVITE", tag_to=True), fwd=False)
sip_udp(msg(b"SIP/2.0 486 " + EVIL, cid, "1 INVITE", tag_to=True), fwd=False)
sip_udp(msg(b"ACK sip:bob@10.0.0.2 SIP/2.0", cid, "1 ACK", tag_to=True))

# 2. a Call-ID made of legal word characters that are markup everywhere (RFC 3261 section 25.1)
cid2 = b"<script>x</script>\"'`--%%{init}%%@enduml"
sip_udp(msg(b"OPTIONS sip:bob@10.0.0.2 SIP/2.0", cid2, "1 OPTIONS"))
sip_udp(msg(b"SIP/2.0 200 OK --> @enduml \"", cid2, "1 OPTIONS", tag_to=True), fwd=False)

# 3. extension methods named like diagram keywords, over UDP/IPv6
cid3 = b"keywords-3@2001:db8::1"
sip_udp(msg(b"END sip:bob@[2001:db8::2] SIP/2.0", cid3, "1 END", via="UDP [2001:db8::1]:5060"),
        v6=True)
sip_udp(msg(b"SIP/2.0 200 participant h0", cid3, "1 END", tag_to=True,
            via="UDP [2001:db8::1]:5060"), fwd=False, v6=True)
sip_udp(msg(b"NOTE sip:bob@[2001:db8::2] SIP/2.0", cid3, "2 NOTE", via="UDP [2001:db8::1]:5060"),
        v6=True)
sip_udp(msg(b"SIP/2.0 501 %%{init}%% `x` #59; &#60; &lt;", cid3, "2 NOTE", tag_to=True,
            via="UDP [2001:db8::1]:5060"), fwd=False, v6=True)

# 4. MESSAGE over TCP (handshake first) with a hostile 202
cid4 = b"tcp-4@10.0.0.1"
isn, rsn = 7000, 9000
add(eth(ip4(A, B, 6, tcp(40000, 5060, isn, 0, 0x02, b""), 900)))
add(eth(ip4(B, A, 6, tcp(5060, 40000, rsn, isn + 1, 0x12, b""), 901)))
add(eth(ip4(A, B, 6, tcp(40000, 5060, isn + 1, rsn + 1, 0x10, b""), 902)))
m1 = msg(b"MESSAGE sip:bob@10.0.0.2 SIP/2.0", cid4, "1 MESSAGE", via="TCP 10.0.0.1:40000")
m2 = msg(b"SIP/2.0 202 Accepted</title><b>", cid4, "1 MESSAGE", tag_to=True, via="TCP 10.0.0.1:40000")
add(eth(ip4(A, B, 6, tcp(40000, 5060, isn + 1, rsn + 1, 0x18, m1), 903)))
add(eth(ip4(B, A, 6, tcp(5060, 40000, rsn + 1, isn + 1 + len(m1), 0x18, m2), 904)))

# 5. B2BUA legs: a -> (X-CID) b -> (icid-value) c; d has an all-zero Session-ID only
C = [10, 0, 0, 3]
def leg(callid, extra, src, dst, dt=0.01):
    data = msg(b"INVITE sip:bob@10.0.0.2 SIP/2.0", callid, "1 INVITE", extra=extra)
    add(eth(ip4(src, dst, 17, udp(5060, 5060, data), len(frames) + 1)), dt)
    data = msg(b"SIP/2.0 603 Decline", callid, "1 INVITE", tag_to=True)
    add(eth(ip4(dst, src, 17, udp(5060, 5060, data), len(frames) + 1)), dt)
leg(b"leg-a@10.0.0.1", [b"Session-ID: 00000000000000000000000000000000"], A, B)
leg(b"leg-b@10.0.0.2", [b"X-CID: leg-a@10.0.0.1",
                        b"P-Charging-Vector: icid-value=\"icid-77\";icid-generated-at=10.0.0.2"], B, C)
leg(b"leg-c@10.0.0.3", [b"P-Charging-Vector: icid-value=icid-77;orig-ioi=x"], C, A)
leg(b"leg-d@10.0.0.3", [b"Session-ID: 00000000000000000000000000000000;remote=1"], C, B)

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for ts, fr in frames:
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)
