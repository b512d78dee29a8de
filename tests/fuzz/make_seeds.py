#!/usr/bin/env python3
"""Builds the fuzz seed corpora under tests/fuzz/corpus/<target>/ from the real captures in
tests/data (classic pcap files): SIP messages (fuzz_sip), SDP bodies (fuzz_sdp), frame sequences
with their link type (fuzz_net) and whole calls' message sequences (fuzz_dialog). Deterministic;
run by hand when tests/data changes. Usage: make_seeds.py"""
import glob, gzip, hashlib, os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
OUT = os.path.join(HERE, "corpus")
LT_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 12: 6, 14: 7, 228: 8, 229: 9}
START = re.compile(rb"(?:[A-Z]{3,9} sips?:|SIP/2\.0 \d\d\d )")


def frames(path):
    raw = open(path, "rb").read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    magic = struct.unpack("<I", raw[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        return None, []
    lt = struct.unpack("<I", raw[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(raw):
        cl = struct.unpack("<I", raw[off + 8:off + 12])[0]
        out.append(raw[off + 16:off + 16 + cl])
        off += 16 + cl
    return lt, out


def save(target, blob):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main():
    for cap in sorted(glob.glob(os.path.join(DATA, "*.pcap")) + glob.glob(os.path.join(DATA, "*.pcap.gz"))):
        lt, frs = frames(cap)
        if lt not in LT_INDEX:
            continue
        msgs = []
        for fr in frs:
            m = START.search(fr)
            if m and m.start() < 120:
                msgs.append(fr[m.start():])
        for m in msgs[:25]:
            save("fuzz_sip", m)
            body = m.split(b"\r\n\r\n", 1)
            if len(body) == 2 and body[1].startswith(b"v=0"):
                save("fuzz_sdp", body[1])
        for i in range(0, len(msgs), 7):
            save("fuzz_dialog", b"\xff".join(msgs[i:i + 7]))
        for i in range(0, min(len(frs), 60), 15):
            blob = bytes([LT_INDEX[lt]]) + b"".join(struct.pack(">H", len(f)) + f for f in frs[i:i + 15])
            save("fuzz_net", blob[:16000])


main()
