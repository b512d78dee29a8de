#!/usr/bin/env python3
"""hep_check.py: truth and comparisons for tests/it/test_hep.

  pcap-sip FILE            the SIP messages of a capture as tshark dissects them (UDP payloads
                           of frames tshark calls SIP): JSON list of [src, dst, payload-hex]
  hep-sip FILE PORT        the HEP packets sent to udp PORT in a capture, decoded by this file's
                           own HEP v3 reader (written from the specification, independent of
                           sipscope; tshark 4.0 has no HEP dissector): same JSON, and checks
                           that every correlation id equals the SIP Call-ID
  dbtext FILE              the rows of a Kamailio sipcapture db_text table: same JSON
  same-msgs A B            exit 0 when two such JSON files hold the same multiset
  same-calls A B [TOL]     exit 0 when two `sipscope calls --json` outputs agree on every call
                           (call_id, method, from, to, src, dst, messages, final_status, state,
                           rtp_streams), start/end within TOL seconds (default 0.001)
"""
import json, re, subprocess, sys
from collections import Counter


def ep(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def pcap_sip(path):
    out = subprocess.run(["tshark", "-r", path, "-n", "-Y", "sip && udp", "-T", "fields",
                          "-E", "separator=/t", "-e", "ip.src", "-e", "ipv6.src", "-e",
                          "udp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport",
                          "-e", "udp.payload"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        s4, s6, sp, d4, d6, dp, pl = line.split("\t")
        rows.append([ep(s4 or s6, sp), ep(d4 or d6, dp), pl.replace(":", "").lower()])
    return rows


def hep3_decode(b):
    """One HEP v3 packet -> dict; raises ValueError on anything malformed."""
    if b[:4] != b"HEP3":
        raise ValueError("not HEP3")
    total = int.from_bytes(b[4:6], "big")
    if total > len(b) or total < 6:
        raise ValueError("bad total length")
    off, f = 6, {}
    while off < total:
        if off + 6 > total:
            raise ValueError("cut chunk header")
        vendor = int.from_bytes(b[off:off + 2], "big")
        typ = int.from_bytes(b[off + 2:off + 4], "big")
        ln = int.from_bytes(b[off + 4:off + 6], "big")
        if ln < 6 or off + ln > total:
            raise ValueError("lying chunk length")
        if vendor == 0:
            f[typ] = b[off + 6:off + ln]
        off += ln
    import ipaddress
    if 3 in f:
        src, dst = str(ipaddress.IPv4Address(f[3])), str(ipaddress.IPv4Address(f[4]))
    else:
        src, dst = str(ipaddress.IPv6Address(f[5])), str(ipaddress.IPv6Address(f[6]))
    return {"src": ep(src, int.from_bytes(f[7], "big")),
            "dst": ep(dst, int.from_bytes(f[8], "big")),
            "payload": f[15], "cid": f.get(17, b""), "id": int.from_bytes(f.get(12, b""), "big"),
            "name": f.get(19, b"").decode("latin-1")}


def hep_sip(path, port):
    out = subprocess.run(["tshark", "-r", path, "-n", "-Y", f"udp.dstport == {port} && !icmp", "-T",
                          "fields", "-e", "udp.payload"], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines():
        h = hep3_decode(bytes.fromhex(line.replace(":", "")))
        m = re.search(rb"^(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]*)", h["payload"], re.M | re.I)
        if not m or m.group(1).strip() != h["cid"]:
            sys.exit(f"correlation id {h['cid']!r} is not the Call-ID")
        rows.append([h["src"], h["dst"], h["payload"].hex()])
    return rows


def dbtext(path):
    """Kamailio db_text: a header line of columns, then rows with ':' separators; '\\:',
    '\\n', '\\r', '\\t', '\\\\' are escapes."""
    lines = open(path, "rb").read().split(b"\n")
    cols = [re.match(rb"([a-z_0-9]+)\(", c).group(1).decode() for c in lines[0].split()]
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        vals, cur, i = [], bytearray(), 0
        while i < len(line):
            c = line[i:i + 1]
            if c == b"\\" and i + 1 < len(line):
                cur += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(line[i + 1:i + 2],
                                                                    line[i + 1:i + 2])
                i += 2
                continue
            if c == b":":
                vals.append(bytes(cur))
                cur = bytearray()
            else:
                cur += c
            i += 1
        vals.append(bytes(cur))
        r = dict(zip(cols, vals))
        rows.append([ep(r["source_ip"].decode(), int(r["source_port"])),
                     ep(r["destination_ip"].decode(), int(r["destination_port"])),
                     r["msg"].hex()])
    return rows


def same_msgs(a, b):
    A = Counter(tuple(x) for x in json.load(open(a)))
    B = Counter(tuple(x) for x in json.load(open(b)))
    if A == B and A:
        print(f"same {sum(A.values())} messages")
        return 0
    print(f"{sum(A.values())} vs {sum(B.values())} messages; only in first: "
          f"{len(A - B)}, only in second: {len(B - A)}")
    for k in list((A - B).keys())[:2] + list((B - A).keys())[:2]:
        print(" ", k[0], k[1], bytes.fromhex(k[2])[:60])
    return 1


KEYS = ["call_id", "method", "from", "to", "src", "dst", "messages", "final_status", "state",
        "rtp_streams"]


def same_calls(a, b, tol):
    A = {c["call_id"]: c for c in json.load(open(a))}
    B = {c["call_id"]: c for c in json.load(open(b))}
    bad = []
    if set(A) != set(B) or not A:
        bad.append(f"call ids differ: {len(A)} vs {len(B)}")
    for cid in set(A) & set(B):
        for k in KEYS:
            if A[cid].get(k) != B[cid].get(k):
                bad.append(f"{cid} {k}: {A[cid].get(k)!r} vs {B[cid].get(k)!r}")
        for k in ("start", "end"):
            if abs(A[cid][k] - B[cid][k]) > tol:
                bad.append(f"{cid} {k}: {A[cid][k]} vs {B[cid][k]}")
    for line in bad[:10]:
        print(line)
    if not bad:
        print(f"same {len(A)} calls")
    return 1 if bad else 0


def main():
    cmd = sys.argv[1]
    if cmd == "pcap-sip":
        json.dump(pcap_sip(sys.argv[2]), sys.stdout)
    elif cmd == "hep-sip":
        json.dump(hep_sip(sys.argv[2], sys.argv[3]), sys.stdout)
    elif cmd == "dbtext":
        json.dump(dbtext(sys.argv[2]), sys.stdout)
    elif cmd == "same-msgs":
        sys.exit(same_msgs(sys.argv[2], sys.argv[3]))
    elif cmd == "same-calls":
        sys.exit(same_calls(sys.argv[2], sys.argv[3],
                            float(sys.argv[4]) if len(sys.argv) > 4 else 0.001))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
