#!/usr/bin/env python3
"""Rewrites the UDP ports of one media direction in a classic pcap (Ethernet, IPv4), to make a
capture where RTP goes to a port no SDP announced (tests/it/test_rtp_unannounced).

usage: rewrite_rtp_ports.py IN OUT SRC_IP:SRC_PORT DST_IP:DST_PORT NEW_SRC_PORT NEW_DST_PORT

Every UDP datagram from SRC_IP:SRC_PORT to DST_IP:DST_PORT gets the new ports; its UDP checksum
is set to 0 (none, allowed over IPv4, RFC 768). Nothing else changes (the SIP and its SDP stay as
they were, so the SDP still announces the old ports). Prints the number of datagrams rewritten."""
import struct
import sys

ETH_IPV4 = 0x0800
ETH_VLAN = (0x8100, 0x88A8)


def split_ep(s):
    ip, port = s.rsplit(":", 1)
    return bytes(int(x) for x in ip.split(".")), int(port)


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    src, dst = split_ep(sys.argv[3]), split_ep(sys.argv[4])
    new_sp, new_dp = int(sys.argv[5]), int(sys.argv[6])
    data = open(sys.argv[1], "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D) or struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit(f"{sys.argv[1]}: not a little-endian classic pcap of Ethernet frames")
    out = bytearray(data[:24])
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        pkt = bytearray(data[off + 16:off + 16 + incl])
        e = 12
        while e + 2 <= len(pkt) and struct.unpack("!H", pkt[e:e + 2])[0] in ETH_VLAN:
            e += 4
        if e + 2 <= len(pkt) and struct.unpack("!H", pkt[e:e + 2])[0] == ETH_IPV4:
            ip = e + 2
            ihl = (pkt[ip] & 0x0F) * 4
            frag = struct.unpack("!H", pkt[ip + 6:ip + 8])[0] & 0x3FFF
            if pkt[ip + 9] == 17 and frag == 0 and len(pkt) >= ip + ihl + 8:
                u = ip + ihl
                sp, dp = struct.unpack("!HH", pkt[u:u + 4])
                if (bytes(pkt[ip + 12:ip + 16]), sp) == src and (bytes(pkt[ip + 16:ip + 20]), dp) == dst:
                    pkt[u:u + 4] = struct.pack("!HH", new_sp, new_dp)
                    pkt[u + 6:u + 8] = b"\0\0"
                    n += 1
        out += data[off:off + 16] + pkt
        off += 16 + incl
    open(sys.argv[2], "wb").write(out)
    print(n)


if __name__ == "__main__":
    main()
