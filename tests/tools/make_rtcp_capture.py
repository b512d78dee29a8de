#!/usr/bin/env python3
"""make_rtcp_capture.py OUT.pcap: a synthetic SIP call with RTP both ways and RTCP as a real
endpoint sends it (RFC 3550 §6.4: every second each side sends an SR whose report block is
about the other side's SSRC, with fraction lost / cumulative lost from the RTP it actually
received, interarrival jitter, and LSR/DLSR taken from the last SR it received), plus an RFC 3611
XR VoIP metrics block from one side. Addresses: A 10.0.0.1 (RTP 40000, RTCP 40001), B 10.0.0.2
(RTP 50000, RTCP 50001 announced with a=rtcp). B->A loses every 25th RTP packet. The file is the
input; tshark decodes it independently for the truth (tests/it/test_rtcp)."""
import struct, sys

A, B = "10.0.0.1", "10.0.0.2"
T0 = 1767225600.0  # 2026-01-01 00:00:00 UTC
SSRC_A, SSRC_B = 0xA1A1A1A1, 0xB2B2B2B2


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, ip4(src), ip4(dst))
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + iph + udp


def sip(first, cid, cseq, src, dst, sdp=None, tag_to=True):
    body = sdp or ""
    h = [first, f"Via: SIP/2.0/UDP {src}:5060;branch=z9hG4bK{cseq}{len(first)}",
         f"From: <sip:alice@{A}>;tag=a1", f"To: <sip:bob@{B}>" + (";tag=b1" if tag_to else ""),
         f"Call-ID: {cid}", f"CSeq: {cseq}", "Max-Forwards: 70"]
    if sdp:
        h.append("Content-Type: application/sdp")
    h.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(h) + "\r\n\r\n" + body).encode()


def sdp_of(ip, port, rtcp=None):
    s = f"v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\n"
    if rtcp:
        s += f"a=rtcp:{rtcp}\r\n"
    return s + "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"


def ntp(t):
    sec = int(t) + 2208988800
    frac = int((t - int(t)) * (1 << 32)) & 0xFFFFFFFF
    return sec, frac


class Receiver:
    """RFC 3550 A.1/A.8 receiver state for one incoming stream."""

    def __init__(self):
        self.base = self.max = None
        self.received = self.prior_exp = self.prior_recv = 0
        self.jitter = 0.0
        self.transit = None

    def packet(self, seq, ts, arrival):
        if self.base is None:
            self.base = self.max = seq
        self.max = max(self.max, seq)
        self.received += 1
        transit = arrival * 8000 - ts
        if self.transit is not None:
            d = abs(transit - self.transit)
            self.jitter += (d - self.jitter) / 16
        self.transit = transit

    def block(self, ssrc, lsr, dlsr):
        expected = self.max - self.base + 1
        lost = expected - self.received
        exp_int, recv_int = expected - self.prior_exp, self.received - self.prior_recv
        self.prior_exp, self.prior_recv = expected, self.received
        lost_int = exp_int - recv_int
        frac = (lost_int << 8) // exp_int if exp_int and lost_int > 0 else 0
        return struct.pack("!IIIIII", ssrc, (frac << 24) | (lost & 0xFFFFFF), self.max,
                           int(self.jitter), lsr, dlsr)


def sr(sender, t, pkts, octets, ts, blk):
    sec, frac = ntp(t)
    body = struct.pack("!IIIIII", sender, sec, frac, ts, pkts, octets) + blk
    return struct.pack("!BBH", 0x81, 200, len(body) // 4) + body


def xr_voip(sender, about, loss, rtt, r, moslq, moscq):
    blk = struct.pack("!IBBBBHHHHBBBBBBBBBBHHH", about, loss, 0, 0, 0, 0, 0, rtt, 30, 127, 127,
                      127, 127, r, 127, moslq, moscq, 0, 0, 40, 80, 120)
    body = struct.pack("!I", sender) + struct.pack("!BBH", 7, 0, len(blk) // 4) + blk
    return struct.pack("!BBH", 0x80, 207, len(body) // 4) + body


def main(out):
    cid = "rtcp-call-1@10.0.0.1"
    pk = []  # (time, frame bytes)
    pk.append((0.0, frame(A, 5060, B, 5060, sip(f"INVITE sip:bob@{B} SIP/2.0", cid, "1 INVITE", A,
                                                B, sdp_of(A, 40000), tag_to=False))))
    pk.append((0.1, frame(B, 5060, A, 5060, sip("SIP/2.0 200 OK", cid, "1 INVITE", A, B,
                                                sdp_of(B, 50000, 50001)))))
    pk.append((0.11, frame(A, 5060, B, 5060, sip(f"ACK sip:bob@{B} SIP/2.0", cid, "1 ACK", A, B))))
    recv = {SSRC_A: Receiver(), SSRC_B: Receiver()}  # keyed by the stream's sender
    last_sr = {}  # receiver side -> (middle 32 bits of the last SR's NTP, arrival)
    sent = {SSRC_A: 0, SSRC_B: 0}
    events = []
    for i in range(150):
        t = 0.2 + i * 0.02
        events.append((t + 0.0003 * (i % 4), "rtp", SSRC_A, i))
        if i % 25 != 24:
            events.append((t + 0.001 + 0.0011 * (i % 5), "rtp", SSRC_B, i))
    for k in range(1, 3):
        events.append((0.2 + k * 1.0 + 0.005, "rtcp", SSRC_A, k))
        events.append((0.2 + k * 1.0 + 0.305, "rtcp", SSRC_B, k))
    events.sort()
    for t, kind, who, n in events:
        src, dst = (A, B) if who == SSRC_A else (B, A)
        if kind == "rtp":
            ts = 160 * n
            hdr = struct.pack("!BBHII", 0x80, 0, 1000 + n, ts, who)
            sport, dport = (40000, 50000) if who == SSRC_A else (50000, 40000)
            pk.append((t, frame(src, sport, dst, dport, hdr + b"\xff" * 160)))
            recv[who].packet(1000 + n, ts, t)
            sent[who] += 1
            continue
        other = SSRC_B if who == SSRC_A else SSRC_A
        lsr, dlsr = 0, 0
        if who in last_sr:
            mid, at = last_sr[who]
            lsr, dlsr = mid, int((t - at - 0.04) * 65536)  # 20 ms each way
        blk = recv[other].block(other, lsr, dlsr)
        payload = sr(who, T0 + t, sent[who], 160 * sent[who], 160 * sent[who], blk)
        if who == SSRC_A:
            payload += xr_voip(who, other, 10 + n, 12 * n, 80 + n, 40 + n, 38 + n)
        sport, dport = (40001, 50001) if who == SSRC_A else (50001, 40001)
        pk.append((t, frame(src, sport, dst, dport, payload)))
        sec, frac = ntp(T0 + t)
        last_sr[other] = (((sec & 0xFFFF) << 16) | (frac >> 16), t)  # the other side receives it
    pk.append((3.5, frame(A, 5060, B, 5060, sip(f"BYE sip:bob@{B} SIP/2.0", cid, "2 BYE", A, B))))
    pk.append((3.51, frame(B, 5060, A, 5060, sip("SIP/2.0 200 OK", cid, "2 BYE", A, B))))
    pk.sort(key=lambda x: x[0])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, b in pk:
            ts = T0 + t
            f.write(struct.pack("<IIII", int(ts), int(round((ts - int(ts)) * 1e6)), len(b), len(b)))
            f.write(b)


if __name__ == "__main__":
    main(sys.argv[1])
