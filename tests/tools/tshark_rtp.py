"""tshark's RTP stream analysis (-z rtp,streams) as Python data, for the integration tests.

streams(cap, heuristic=False) runs `tshark -n -q -z rtp,streams` (with `-o rtp.heuristic_rtp:TRUE`
when heuristic, so RTP on flows no SDP announced is found too) and returns one dict per row:
src, src_port, dst, dst_port, ssrc (int), payload (tshark's name), packets, lost, min/mean/max
delta and jitter (ms), problem (bool). first_payload_types(cap, heuristic) maps
(src, src_port, dst, dst_port, ssrc) to the payload type number of the stream's first packet;
analyse(cap, heuristic) gives both from one tshark pass."""
import re
import subprocess

ROW = re.compile(r"^\s*([0-9.]+)\s+([0-9.]+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]+)\s+"
                 r"(.+?)\s+(\d+)\s+(-?\d+) \([^)]*\)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+"
                 r"(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s*(X?)\s*$")


def _tshark(args, timeout=120):
    p = subprocess.run(["tshark", "-n", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       timeout=timeout)
    return p.stdout.decode()


def parse_streams(out):
    res = []
    for line in out.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        res.append({"start_rel": float(m[1]), "end_rel": float(m[2]), "src": m[3],
                    "src_port": int(m[4]), "dst": m[5], "dst_port": int(m[6]),
                    "ssrc": int(m[7], 16), "payload": m[8], "packets": int(m[9]),
                    "lost": int(m[10]), "min_delta_ms": float(m[11]),
                    "mean_delta_ms": float(m[12]), "max_delta_ms": float(m[13]),
                    "min_jitter_ms": float(m[14]), "mean_jitter_ms": float(m[15]),
                    "max_jitter_ms": float(m[16]), "problem": m[17] == "X"})
    return res


def _heur(heuristic):
    return ["-o", "rtp.heuristic_rtp:TRUE"] if heuristic else []


def streams(cap, heuristic=False):
    return parse_streams(_tshark(["-r", cap, *_heur(heuristic), "-q", "-z", "rtp,streams"]))


def _pts(out):
    res = {}
    for line in out.splitlines():
        f = line.split("|")
        if len(f) != 8 or not f[6] or not f[7]:
            continue
        key = (f[0] or f[1], int(f[2]), f[3] or f[4], int(f[5]), int(f[6], 16))
        res.setdefault(key, int(f[7]))
    return res


_FIELDS = ["-T", "fields", "-E", "separator=|", "-E", "occurrence=l", "-e", "ip.src", "-e",
           "ipv6.src", "-e", "udp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport",
           "-e", "rtp.ssrc", "-e", "rtp.p_type"]


def first_payload_types(cap, heuristic=False):
    return _pts(_tshark(["-r", cap, *_heur(heuristic), "-Y", "rtp", *_FIELDS]))


def analyse(cap, heuristic=False):
    """(streams(cap, heuristic), first_payload_types(cap, heuristic)) from one tshark pass."""
    out = _tshark(["-r", cap, *_heur(heuristic), "-z", "rtp,streams", "-Y", "rtp", *_FIELDS])
    return parse_streams(out), _pts(out)


def endpoint(addr, port):
    """sipscope's "ip:port" / "[v6]:port"."""
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"
