#!/usr/bin/env python3
"""Re-encapsulate the packets of a real Ethernet capture under another link type / file format.

Usage: rewrap.py MODE IN.pcap OUT [--af6 N] [--svid N] [--cvid N]

IN is a classic pcap (either byte order, microsecond or nanosecond magic) whose link
type is EN10MB (802.1Q/802.1ad tags in it are understood). MODE:

  null       LINKTYPE_NULL (0): BSD loopback, 4-byte address family in host byte order
             (the file is written little-endian, so is the AF): AF_INET 2, AF_INET6
             --af6 (default 30 = macOS; 24 NetBSD/OpenBSD, 28 FreeBSD). Non-IP frames dropped.
  raw        LINKTYPE_RAW (101): the bare IPv4/IPv6 packet. Non-IP frames dropped.
  ipv4       LINKTYPE_IPV4 (228): bare IPv4 packets only; IPv6 and non-IP frames dropped.
  qinq       EN10MB with an 802.1ad S-tag (0x88a8, --svid, default 300) and an 802.1Q C-tag
             (0x8100, --cvid, default 20) in front of the original EtherType (existing tags
             are replaced).
  pcapng-ns  pcapng, one SHB, one IDB (EN10MB, if_tsresol = 9: nanoseconds) and one Enhanced
             Packet Block per frame; frames unchanged.
  gzip       the input file itself, gzip-compressed (mtime 0, reproducible).

Timestamps, frame order, captured/original lengths (adjusted by the header size change)
and payload bytes are kept; only the link-layer header changes. Prints a one-line
summary on stderr. Python standard library only.
"""
import argparse
import gzip
import struct
import sys

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)


def read_pcap(path):
    """Yields (ts_sec, ts_nsec, caplen, origlen, data); returns link type via .linktype attr."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise SystemExit(f"rewrap: {path}: not a pcap file")
        magic = hdr[:4]
        if magic == b"\xd4\xc3\xb2\xa1":
            bo, nsec = "<", False
        elif magic == b"\x4d\x3c\xb2\xa1":
            bo, nsec = "<", True
        elif magic == b"\xa1\xb2\xc3\xd4":
            bo, nsec = ">", False
        elif magic == b"\xa1\xb2\x3c\x4d":
            bo, nsec = ">", True
        else:
            raise SystemExit(f"rewrap: {path}: not a classic pcap file (pcapng is not accepted as input)")
        _, _, _, _, snaplen, linktype = struct.unpack(bo + "HHiIII", hdr[4:24])
        linktype &= 0x0FFFFFFF
        frames = []
        while True:
            rh = f.read(16)
            if not rh:
                break
            if len(rh) < 16:
                raise SystemExit(f"rewrap: {path}: truncated record header")
            sec, frac, incl, orig = struct.unpack(bo + "IIII", rh)
            data = f.read(incl)
            if len(data) < incl:
                raise SystemExit(f"rewrap: {path}: truncated record")
            frames.append((sec, frac if nsec else frac * 1000, incl, orig, data))
    return linktype, snaplen, frames


def split_ethernet(data):
    """(dst+src 12 bytes, ethertype, payload) with any VLAN tags removed; None if too short."""
    if len(data) < 14:
        return None
    off = 12
    etype = struct.unpack(">H", data[off:off + 2])[0]
    while etype in VLAN_TPIDS and len(data) >= off + 6:
        off += 4
        etype = struct.unpack(">H", data[off:off + 2])[0]
    return data[:12], etype, data[off + 2:], off + 2


def write_pcap(path, linktype, snaplen, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for sec, nsec, data, orig in records:
            f.write(struct.pack("<IIII", sec, nsec // 1000, len(data), orig))
            f.write(data)


def _opt(code, value):
    pad = (-len(value)) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def write_pcapng_ns(path, linktype, snaplen, frames, comment):
    with open(path, "wb") as f:
        shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        shb += _opt(4, b"rewrap.py (sipscope tests)") + _opt(1, comment.encode()) + _opt(0, b"")
        f.write(_block(0x0A0D0D0A, shb))
        idb = struct.pack("<HHI", linktype, 0, snaplen)
        idb += _opt(2, b"eth0") + _opt(9, bytes([9])) + _opt(0, b"")
        f.write(_block(0x00000001, idb))
        for sec, nsec, incl, orig, data in frames:
            ts = sec * 1000000000 + nsec
            pad = (-len(data)) % 4
            epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), orig) + data + b"\0" * pad
            f.write(_block(0x00000006, epb))


def main():
    ap = argparse.ArgumentParser(description="re-encapsulate an Ethernet pcap")
    ap.add_argument("mode", choices=["null", "raw", "ipv4", "qinq", "pcapng-ns", "gzip"])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--af6", type=int, default=30, help="AF_INET6 value for null (24, 28 or 30)")
    ap.add_argument("--svid", type=int, default=300)
    ap.add_argument("--cvid", type=int, default=20)
    a = ap.parse_args()

    if a.mode == "gzip":
        with open(a.input, "rb") as f:
            raw = f.read()
        with open(a.output, "wb") as out:
            with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as g:
                g.write(raw)
        print(f"rewrap: {a.input} -> {a.output}: gzip, {len(raw)} -> compressed", file=sys.stderr)
        return 0

    linktype, snaplen, frames = read_pcap(a.input)
    if linktype != 1:
        raise SystemExit(f"rewrap: {a.input}: link type {linktype}, expected EN10MB (1)")

    if a.mode == "pcapng-ns":
        write_pcapng_ns(a.output, 1, snaplen, frames,
                        f"re-encapsulation of {a.input.rsplit('/', 1)[-1]}: timestamps in ns")
        print(f"rewrap: {a.input} -> {a.output}: pcapng (if_tsresol=9), {len(frames)} frames",
              file=sys.stderr)
        return 0

    out, dropped = [], 0
    for sec, nsec, incl, orig, data in frames:
        sp = split_ethernet(data)
        if sp is None:
            dropped += 1
            continue
        macs, etype, payload, hlen = sp
        if a.mode == "qinq":
            hdr = macs + struct.pack(">HHHH", 0x88A8, a.svid & 0x0FFF, 0x8100, a.cvid & 0x0FFF) \
                + struct.pack(">H", etype)
        elif etype not in (ETH_IPV4, ETH_IPV6) or (a.mode == "ipv4" and etype != ETH_IPV4):
            dropped += 1
            continue
        elif a.mode == "null":
            hdr = struct.pack("<I", 2 if etype == ETH_IPV4 else a.af6)
        else:
            hdr = b""
        newdata = hdr + payload
        out.append((sec, nsec, newdata, orig - hlen + len(hdr)))
    lt = {"null": 0, "raw": 101, "ipv4": 228, "qinq": 1}[a.mode]
    write_pcap(a.output, lt, max(snaplen, 65535) if a.mode == "qinq" else snaplen, out)
    print(f"rewrap: {a.input} -> {a.output}: {a.mode} (linktype {lt}), {len(out)} frames, "
          f"{dropped} non-IP frames dropped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
