#!/usr/bin/env python3
"""Carry the SIP of a real UDP capture over SCTP (RFC 4168), for the SCTP tests.

Usage: make_sctp.py IN.pcap OUT.pcap [--idata] [--frag-over N] [--frag-size N] [--bundle-ms MS]

Why a converter: this machine's kernel has no SCTP (no sctp module, `socket(..., IPPROTO_SCTP)`
fails with "Protocol not supported"), so neither SIPp (-t s1), Kamailio (listen=sctp:...) nor
python can make real SCTP traffic here. IN is a real capture of SIPp traffic (classic pcap,
EN10MB, IPv4 or IPv6 without extension headers); every UDP datagram that holds a SIP message
becomes SCTP user data between the same addresses and ports, with the same timestamp; every other
frame (RTP, ...) is copied unchanged. Per address/port pair an association is opened first
(INIT, INIT ACK, COOKIE ECHO, COOKIE ACK, 1 microsecond apart just before its first message) and
shut down after the last frame (SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE). Each message is one
DATA chunk (RFC 9260 §3.3.1: TSN per direction, stream 0, SSN per direction, PPID 0, ordered), or
with --idata one I-DATA chunk (RFC 8260: MID, FSN). A SACK for the peer's last TSN is bundled
before the data when the peer sent data since the last SACK. Messages longer than --frag-over
bytes (default 500) are cut into --frag-size (256) byte fragments sent in consecutive packets
1 microsecond apart (B ... E flags); a message that follows the previous one in the same
direction within --bundle-ms (5) ms is bundled in the same packet, at its own (later) time.
CRC32c checksums are computed (RFC 9260 Appendix A). Standard library only.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewrap import read_pcap, split_ethernet, write_pcap  # noqa: E402

SIP_STARTS = (b"SIP/2.0 ", b"INVITE ", b"ACK ", b"BYE ", b"CANCEL ", b"OPTIONS ", b"REGISTER ",
              b"PRACK ", b"SUBSCRIBE ", b"NOTIFY ", b"PUBLISH ", b"INFO ", b"REFER ", b"MESSAGE ",
              b"UPDATE ")


def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


CRC_T = crc32c_table()


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = CRC_T[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def ip_csum(h):
    s = sum(struct.unpack(f">{len(h) // 2}H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def chunk(ctype, flags, body):
    ln = 4 + len(body)
    return struct.pack(">BBH", ctype, flags, ln) + body + b"\0" * ((-ln) % 4)


def sctp_packet(sport, dport, vtag, chunks):
    p = struct.pack(">HHII", sport, dport, vtag, 0) + b"".join(chunks)
    c = crc32c(p)
    return p[:8] + struct.pack("<I", c) + p[12:]


class Side:
    def __init__(self, vtag, tsn):
        self.vtag = vtag      # the tag the PEER must put in packets sent to this side
        self.next_tsn = tsn   # next TSN this side sends
        self.ssn = 0
        self.mid = 0
        self.unacked = None   # last TSN received from the peer and not yet SACKed


class Assoc:
    def __init__(self, a, b, n):
        self.ends = {a: Side(0x10000000 + n, 1000 * (n + 1)), b: Side(0x20000000 + n, 5000 * (n + 1))}


class Frame:
    def __init__(self, sec, nsec, macs, etype, iphdr, v6):
        self.sec, self.nsec, self.macs, self.etype, self.iphdr, self.v6 = sec, nsec, macs, etype, iphdr, v6


def build(fr, swap, sport, dport, vtag, chunks, ts):
    """An Ethernet frame with fr's IP header (addresses swapped when swap) and an SCTP packet."""
    sctp = sctp_packet(sport, dport, vtag, chunks)
    if fr.v6:
        ip = fr.iphdr[:4] + struct.pack(">HBB", len(sctp), 132, fr.iphdr[7]) + fr.iphdr[8:40]
    else:
        h = bytearray(fr.iphdr[:20])
        h[0] = 0x45
        h[2:4] = struct.pack(">H", 20 + len(sctp))
        h[6:8] = b"\x40\x00"
        h[9] = 132
        h[10:12] = b"\0\0"
        h[10:12] = struct.pack(">H", ip_csum(bytes(h)))
        ip = bytes(h)
    if swap:
        ip = swap_addrs(ip, fr.v6)
    data = fr.macs + struct.pack(">H", fr.etype) + ip + sctp
    return (ts[0], ts[1], data, len(data))


def swap_addrs(ip, v6):
    if v6:
        return ip[:8] + ip[24:40] + ip[8:24] + ip[40:]
    h = bytearray(ip[:20])
    h[12:16], h[16:20] = ip[16:20], ip[12:16]
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack(">H", ip_csum(bytes(h)))
    return bytes(h) + ip[20:]


def tadd(ts, us):
    ns = ts[0] * 1000000000 + ts[1] + us * 1000
    return (ns // 1000000000, ns % 1000000000)


def main():
    ap = argparse.ArgumentParser(description="SIP over UDP -> SIP over SCTP")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--idata", action="store_true", help="I-DATA chunks (RFC 8260) instead of DATA")
    ap.add_argument("--frag-over", type=int, default=500)
    ap.add_argument("--frag-size", type=int, default=256)
    ap.add_argument("--bundle-ms", type=float, default=5.0)
    a = ap.parse_args()
    linktype, snaplen, frames = read_pcap(a.input)
    if linktype != 1:
        raise SystemExit(f"make_sctp: {a.input}: link type {linktype}, expected EN10MB (1)")
    # pass 1: SIP datagrams
    items = []
    for idx, (sec, nsec, incl, orig, data) in enumerate(frames):
        sp = split_ethernet(data)
        sip = None
        if sp and sp[1] in (0x0800, 0x86DD) and incl == orig:
            ip = sp[2]
            v6 = sp[1] == 0x86DD
            hl = 40 if v6 else (ip[0] & 15) * 4
            proto = ip[6] if v6 else ip[9]
            if proto == 17 and len(ip) >= hl + 8 and (v6 or (struct.unpack(">H", ip[6:8])[0] & 0x3FFF) == 0):
                payload = ip[hl + 8:]
                if payload.startswith(SIP_STARTS):
                    srca, dsta = (ip[8:24], ip[24:40]) if v6 else (ip[12:16], ip[16:20])
                    sport, dport = struct.unpack(">HH", ip[hl:hl + 4])
                    fr = Frame(sec, nsec, sp[0], sp[1], ip[:hl], v6)
                    sip = (fr, (srca, sport), (dsta, dport), payload)
        items.append((sec, nsec, incl, orig, data, sip))
    assocs, order = {}, []
    out = []
    last_sent = {}  # (assoc key, sender) -> (index in out, ts) of the last data packet
    nmsg = nfrag = nbundle = 0
    for sec, nsec, incl, orig, data, sip in items:
        if sip is None:
            out.append((sec, nsec, data, orig))
            continue
        fr, s, d, payload = sip
        key = tuple(sorted([s, d]))
        ts = (sec, nsec)
        if key not in assocs:
            asc = Assoc(s, d, len(assocs))
            assocs[key] = (asc, fr, s, d)
            order.append(key)
            ia, ib = asc.ends[s], asc.ends[d]
            init = struct.pack(">IIHHI", ia.vtag, 65536, 10, 10, ia.next_tsn)
            iack = struct.pack(">IIHHI", ib.vtag, 65536, 10, 10, ib.next_tsn) + \
                struct.pack(">HH", 7, 12) + b"cookie00"
            t0 = tadd(ts, -4)
            out.append(build(fr, False, s[1], d[1], 0, [chunk(1, 0, init)], t0))
            out.append(build(fr, True, d[1], s[1], ia.vtag, [chunk(2, 0, iack)], tadd(ts, -3)))
            out.append(build(fr, False, s[1], d[1], ib.vtag, [chunk(10, 0, b"cookie00")], tadd(ts, -2)))
            out.append(build(fr, True, d[1], s[1], ia.vtag, [chunk(11, 0, b"")], tadd(ts, -1)))
        asc = assocs[key][0]
        me, peer = asc.ends[s], asc.ends[d]
        pieces = [payload]
        if len(payload) > a.frag_over:
            pieces = [payload[i:i + a.frag_size] for i in range(0, len(payload), a.frag_size)]
        nmsg += 1
        for k, piece in enumerate(pieces):
            flags = (2 if k == 0 else 0) | (1 if k == len(pieces) - 1 else 0)
            tsn = me.next_tsn
            me.next_tsn += 1
            if a.idata:
                fsn_or_ppid = 0 if k == 0 else k
                body = struct.pack(">IHHII", tsn, 0, 0, me.mid, fsn_or_ppid) + piece
                ch = chunk(64, flags, body)
            else:
                body = struct.pack(">IHHI", tsn, 0, me.ssn, 0) + piece
                ch = chunk(0, flags, body)
            peer.unacked = tsn
            chunks = []
            if me.unacked is not None:
                chunks.append(chunk(3, 0, struct.pack(">IIHH", me.unacked, 65536, 0, 0)))
                me.unacked = None
            chunks.append(ch)
            pts = tadd(ts, k)
            prev = last_sent.get((key, s))
            if (len(pieces) == 1 and prev is not None and prev[2] == 1 and
                    (pts[0] - prev[1][0]) * 1e3 + (pts[1] - prev[1][1]) / 1e6 <= a.bundle_ms and
                    prev[0] == len(out) - 1):
                # bundle into the previous packet of this direction (sent now, at the later time)
                old = out[prev[0]]
                sctp_old = old[2][14 + len(fr.iphdr):]
                merged = sctp_packet(s[1], d[1], peer.vtag, [sctp_old[12:]] + chunks)
                pkt = build(fr, False, s[1], d[1], peer.vtag, [merged[12:]], pts)
                out[prev[0]] = pkt
                last_sent[(key, s)] = (prev[0], pts, 0)
                nbundle += 1
            else:
                out.append(build(fr, False, s[1], d[1], peer.vtag, chunks, pts))
                last_sent[(key, s)] = (len(out) - 1, pts, 1 if len(pieces) == 1 else 0)
            if len(pieces) > 1:
                nfrag += 1
        me.ssn += 1
        me.mid += 1
    end = (out[-1][0], out[-1][1]) if out else (0, 0)
    for n, key in enumerate(order):
        asc, fr, s, d = assocs[key]
        ia, ib = asc.ends[s], asc.ends[d]
        t = tadd(end, 1 + 3 * n)
        out.append(build(fr, False, s[1], d[1], ib.vtag,
                         [chunk(7, 0, struct.pack(">I", ib.next_tsn - 1))], t))
        out.append(build(fr, True, d[1], s[1], ia.vtag, [chunk(8, 0, b"")], tadd(t, 1)))
        out.append(build(fr, False, s[1], d[1], ib.vtag, [chunk(14, 0, b"")], tadd(t, 2)))
    write_pcap(a.output, 1, 262144, out)
    print(f"make_sctp: {a.input} -> {a.output}: {len(assocs)} associations, {nmsg} SIP messages "
          f"({'I-DATA' if a.idata else 'DATA'}), {nfrag} fragmented, {nbundle} bundled; "
          f"{len(out)} frames", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
