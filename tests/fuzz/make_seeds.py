#!/usr/bin/env python3
"""Builds the fuzz seed corpora under tests/fuzz/corpus/<target>/ from the real captures in
tests/data (classic pcap files): SIP messages (fuzz_sip), SDP bodies (fuzz_sdp), frame sequences
with their link type (fuzz_net), whole calls' message sequences (fuzz_dialog), capture files cut
to their first records (fuzz_pcap: pcap, pcapng, gzip) and an SDP body followed by the RTP/RTCP
packets of the captures (fuzz_rtp). Deterministic;
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


PCAP_SEED_MAX = 12000  # bytes of a capture kept as a fuzz_pcap seed (whole records/blocks)


def pcap_prefix(raw):
    """The file header and as many whole records (pcap) or blocks (pcapng) as fit."""
    magic = raw[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        off = 24
        while off + 16 <= len(raw):
            cl = struct.unpack("<I", raw[off + 8:off + 12])[0]
            if off + 16 + cl > PCAP_SEED_MAX:
                break
            off += 16 + cl
        return raw[:off]
    if magic == b"\x0a\x0d\x0d\x0a":
        off = 0
        while off + 12 <= len(raw):
            bl = struct.unpack("<I", raw[off + 4:off + 8])[0]
            if bl < 12 or off + bl > PCAP_SEED_MAX:
                break
            off += bl
        return raw[:off]
    return None


def pcap_seeds():
    for cap in sorted(glob.glob(os.path.join(DATA, "*.pcap*"))):
        raw = open(cap, "rb").read()
        gz = cap.endswith(".gz")
        if gz:
            raw = gzip.decompress(raw)
        cut = pcap_prefix(raw)
        if not cut:
            continue
        save("fuzz_pcap", gzip.compress(cut, mtime=0) if gz else cut)
    # a big-endian classic pcap and a microsecond one, from the first little-endian capture
    first = pcap_prefix(open(os.path.join(DATA, "pub04_udp_rejects_sll2.pcap"), "rb").read())
    hdr = struct.unpack("<IHHiIII", first[:24])
    be = struct.pack(">IHHiIII", *hdr)
    off = 24
    while off + 16 <= len(first):
        rec = struct.unpack("<IIII", first[off:off + 16])
        be += struct.pack(">IIII", *rec) + first[off + 16:off + 16 + rec[2]]
        off += 16 + rec[2]
    save("fuzz_pcap", be)


def udp_payloads(lt, frs):
    """UDP payloads of Ethernet/SLL2 IPv4 frames as (src port, dst port, bytes)."""
    for fr in frs:
        if lt == 1:
            off, et = 14, fr[12:14]
            while et == b"\x81\x00" and len(fr) >= off + 4:
                et, off = fr[off + 2:off + 4], off + 4
        elif lt == 276:
            off, et = 20, fr[0:2]
        elif lt == 113:
            off, et = 16, fr[14:16]
        else:
            continue
        if et != b"\x08\x00" or len(fr) < off + 28 or fr[off + 9] != 17:
            continue
        ihl = (fr[off] & 15) * 4
        u = off + ihl
        sp, dp, ul = struct.unpack(">HHH", fr[u:u + 6])
        yield sp, dp, fr[u + 8:u + ul]


def rtp_seeds():
    for cap in sorted(glob.glob(os.path.join(DATA, "*.pcap"))):
        lt, frs = frames(cap)
        sdps = []
        for fr in frs:
            i = fr.find(b"\r\n\r\nv=0")
            if i >= 0:
                sdps.append(fr[i + 4:])
        if not sdps:
            continue
        pkts = [p for sp, dp, p in udp_payloads(lt, frs)
                if len(p) >= 12 and p[0] >> 6 == 2 and 5060 not in (sp, dp) and sp > 1024]
        if not pkts:
            continue
        for k in range(0, min(len(pkts), 400), 100):
            blob = sdps[0] + b"\xff"
            for j, p in enumerate(pkts[k:k + 100]):
                blob += bytes([(j * 0x10) & 0xB0, 20]) + struct.pack(">H", len(p)) + p
            save("fuzz_rtp", blob)


main()
pcap_seeds()
rtp_seeds()
