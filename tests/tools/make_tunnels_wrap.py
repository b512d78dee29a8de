#!/usr/bin/env python3
"""Wrap the frames of a real Ethernet capture in tunnel headers, layer by layer.

Usage: make_tunnels_wrap.py IN.pcap OUT.pcap LAYER[,LAYER...]

For the encapsulations this machine's kernel cannot make (it has no gre, gretap, ipip, sit,
ip6tnl, ip6gre or erspan link types; see make_tunnels.sh, which makes the VXLAN captures with
real kernel tunnels) and for GTP-U, which has no easy real generator. IN is a real capture
(classic pcap, EN10MB) of SIPp/Kamailio traffic from tests/data; every frame is kept with its
timestamp and bytes, only headers are added around it. Layers apply from the innermost
outwards, left to right; each works on the current packet, an Ethernet frame ("eth") or an IP
packet ("ip"), and the result is finally put in an outer Ethernet frame:

  ip4        IPv4 outer header, protocol 4 (IPv4 in IPv4, RFC 2003) or 41 (IPv6 in IPv4, RFC 4213)
  ip6        IPv6 outer header, next header 4 or 41 (RFC 2473)
  gre        IPv4 + GRE with checksum, key and sequence number (RFC 2784/2890), type 0x0800/0x86DD
  gre6       IPv6 + plain GRE
  gre-mpls   IPv4 + GRE (key) type 0x8847 + a 2-label MPLS stack (RFC 4023, RFC 3032)
  gre-teb    eth -> IPv4 + GRE (key) type 0x6558, transparent Ethernet bridging
  erspan1    eth -> IPv4 + GRE 0x88BE without sequence number (ERSPAN type I)
  erspan2    eth -> IPv4 + GRE (sequence) 0x88BE + ERSPAN type II header
  erspan3    eth -> IPv4 + GRE (sequence) 0x22EB + ERSPAN type III header with the
             8-byte platform-specific sub-header (O bit)
  vxlan      eth -> IPv4 + UDP 4789 + VXLAN (RFC 7348)
  gtpu       IPv4 + UDP 2152 + GTP-U v1 G-PDU with sequence number and a PDU session container
             extension header (3GPP TS 29.281, TS 38.415)
  qinq       eth -> eth with an 802.1ad S-tag 300 and an 802.1Q C-tag 20 (IEEE 802.1ad)
An "ip" layer given an Ethernet frame uses its IP packet (VLAN tags dropped); non-IP frames are
then dropped (counted). Outer addresses: 203.0.113.(10+k) -> 203.0.113.(20+k) and
2001:db8:ff::(10+k) -> 2001:db8:ff::(20+k) for layer k (0 innermost), so the direction of the
inner packet gives the direction of the outer one. Checksums (IPv4, GRE, UDP) are computed.
Python standard library only; prints a one-line summary on stderr.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewrap import read_pcap, split_ethernet, write_pcap  # noqa: E402

MACS = bytes.fromhex("020000000a01020000000a02")
LAYERS = ("ip4", "ip6", "gre", "gre6", "gre-mpls", "gre-teb", "erspan1", "erspan2", "erspan3",
          "vxlan", "gtpu", "qinq")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f">{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Ctx:
    def __init__(self):
        self.seq = 0
        self.fwd = True  # direction of the inner packet (A->B)


def addrs4(k, fwd):
    a, b = bytes([203, 0, 113, 10 + k]), bytes([203, 0, 113, 20 + k])
    return (a, b) if fwd else (b, a)


def addrs6(k, fwd):
    base = bytes.fromhex("20010db800ff000000000000000000")
    a, b = base + bytes([10 + k]), base + bytes([20 + k])
    return (a, b) if fwd else (b, a)


def ipv4(k, fwd, proto, payload, ident):
    src, dst = addrs4(k, fwd)
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return h + payload


def ipv6(k, fwd, nh, payload):
    src, dst = addrs6(k, fwd)
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def udp4(k, fwd, sport, dport, payload, ident):
    src, dst = addrs4(k, fwd)
    ln = 8 + len(payload)
    pseudo = src + dst + struct.pack(">BBH", 0, 17, ln)
    u = struct.pack(">HHHH", sport, dport, ln, 0) + payload
    c = csum(pseudo + u) or 0xFFFF
    return ipv4(k, fwd, 17, u[:6] + struct.pack(">H", c) + u[8:], ident)


def gre(flags_csum, key, seq, ptype, payload):
    flags = (0x8000 if flags_csum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    opts = b""
    if flags_csum:
        opts += b"\0\0\0\0"
    if key is not None:
        opts += struct.pack(">I", key)
    if seq is not None:
        opts += struct.pack(">I", seq)
    g = struct.pack(">HH", flags, ptype) + opts + payload
    if flags_csum:
        g = g[:4] + struct.pack(">H", csum(g)) + g[6:]
    return g


def ip_version(p):
    return p[0] >> 4


def as_ip(kind, pkt):
    """The IP packet of the current packet, or None (non-IP Ethernet frame)."""
    if kind == "ip":
        return pkt
    sp = split_ethernet(pkt)
    if sp is None or sp[1] not in (0x0800, 0x86DD):
        return None
    return sp[2]


def as_eth(kind, pkt):
    if kind == "eth":
        return pkt
    return MACS + struct.pack(">H", 0x0800 if ip_version(pkt) == 4 else 0x86DD) + pkt


def wrap(layer, k, kind, pkt, c):
    """Applies one layer; returns (kind, packet) or None to drop the frame."""
    c.seq += 1
    ident = c.seq
    if layer in ("ip4", "ip6", "gre", "gre6", "gre-mpls", "gtpu"):
        ip = as_ip(kind, pkt)
        if ip is None:
            return None
        v = ip_version(ip)
        inner_proto = 4 if v == 4 else 41
        etype = 0x0800 if v == 4 else 0x86DD
        if layer == "ip4":
            return "ip", ipv4(k, c.fwd, inner_proto, ip, ident)
        if layer == "ip6":
            return "ip", ipv6(k, c.fwd, inner_proto, ip)
        if layer == "gre":
            return "ip", ipv4(k, c.fwd, 47, gre(True, 0x1000 + k, c.seq, etype, ip), ident)
        if layer == "gre6":
            return "ip", ipv6(k, c.fwd, 47, gre(False, None, None, etype, ip))
        if layer == "gre-mpls":
            labels = struct.pack(">II", (16001 << 12) | (0 << 9) | 64, (20 << 12) | 0x100 | 64)
            return "ip", ipv4(k, c.fwd, 47, gre(False, 7, None, 0x8847, labels + ip), ident)
        # gtpu: E and S set, sequence number, PDU session container (type 0x85, 1 unit), end
        ext = bytes([1, 0x00, 0x01, 0x00])  # length 1 (4 bytes), content, next type 0
        body = struct.pack(">HBB", c.seq & 0xFFFF, 0, 0x85) + ext + ip
        g = struct.pack(">BBHI", 0x30 | 0x04 | 0x02, 0xFF, len(body), 0x1234 + k) + body
        return "ip", udp4(k, c.fwd, 2152, 2152, g, ident)
    eth = as_eth(kind, pkt)
    if layer == "qinq":
        sp = split_ethernet(eth)
        if sp is None:
            return None
        return "eth", sp[0] + struct.pack(">HHHHH", 0x88A8, 300, 0x8100, 20, sp[1]) + sp[2]
    if layer == "gre-teb":
        return "ip", ipv4(k, c.fwd, 47, gre(False, 0x42, None, 0x6558, eth), ident)
    if layer == "erspan1":
        return "ip", ipv4(k, c.fwd, 47, gre(False, None, None, 0x88BE, eth), ident)
    if layer == "erspan2":
        hdr = struct.pack(">HHI", (1 << 12) | 100, (0 << 13) | (3 << 11) | 123, 0)
        return "ip", ipv4(k, c.fwd, 47, gre(False, None, c.seq, 0x88BE, hdr + eth), ident)
    if layer == "erspan3":
        w0 = struct.pack(">HH", (2 << 12) | 100, 321)
        ts = struct.pack(">I", (c.seq * 1000) & 0xFFFFFFFF)
        w2 = struct.pack(">HBB", 0, (0 << 2) | 0, (5 << 4) | 1)  # SGT, P/FT=0 (Ethernet), HW ID, O=1
        sub = struct.pack(">II", 0x00010000, 0)  # platform-specific sub-header (type 1)
        return "ip", ipv4(k, c.fwd, 47, gre(False, None, c.seq, 0x22EB, w0 + ts + w2 + sub + eth), ident)
    if layer == "vxlan":
        v = struct.pack(">II", 0x08000000, 42 << 8) + eth
        return "ip", udp4(k, c.fwd, 40000 + (c.seq % 1000), 4789, v, ident)
    raise SystemExit(f"make_tunnels_wrap: unknown layer {layer}")


def direction(pkt):
    """True when the frame's IP source sorts before its destination (a stable A->B sense)."""
    sp = split_ethernet(pkt)
    if sp is None or sp[1] not in (0x0800, 0x86DD):
        return True
    ip = sp[2]
    if sp[1] == 0x0800 and len(ip) >= 20:
        return ip[12:16] <= ip[16:20]
    if len(ip) >= 40:
        return ip[8:24] <= ip[24:40]
    return True


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    src, dst, spec = sys.argv[1:]
    layers = spec.split(",")
    for lay in layers:
        if lay not in LAYERS:
            print(f"make_tunnels_wrap: unknown layer {lay} (one of {', '.join(LAYERS)})", file=sys.stderr)
            return 2
    linktype, snaplen, frames = read_pcap(src)
    if linktype != 1:
        print(f"make_tunnels_wrap: {src}: link type {linktype}, expected EN10MB (1)", file=sys.stderr)
        return 1
    c = Ctx()
    out, dropped = [], 0
    for sec, nsec, incl, orig, data in frames:
        c.fwd = direction(data)
        kind, pkt = "eth", data
        for k, lay in enumerate(layers):
            r = wrap(lay, k, kind, pkt, c)
            if r is None:
                break
            kind, pkt = r
        else:
            eth = as_eth(kind, pkt)
            out.append((sec, nsec, eth, orig - incl + len(eth)))
            continue
        dropped += 1
    write_pcap(dst, 1, 262144, out)
    print(f"make_tunnels_wrap: {src} -> {dst}: {spec}, {len(out)} frames, {dropped} non-IP dropped",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
