#!/usr/bin/env python3
"""Derive a ground-truth file (SIP messages and calls) from a capture using only tshark.

Usage: make_truth.py CAPTURE [-o OUT.truth.json] [--tshark PATH] [--decode-as RULE]...
(--decode-as passes tshark's -d RULE, e.g. udp.port==8472,vxlan for a VXLAN on another port.)

tshark runs with its default preferences (IP defragmentation and TCP reassembly on,
SIP heuristics on, single pass) and `-n`; its PDML output of the frames that match
`sip` is parsed here. The schema is the one of the corpus truth files
(tests/data/README.md): `file`, `link_type`, `sip_message_count`, `call_count`,
`calls{...}`, `sip_messages[...]` and the summary counters.

Rules (same conventions as the corpus):
  * one entry per SIP message; several SIP messages in one TCP frame get
    index_in_frame 0, 1, ...; a message rebuilt from IP fragments / TCP segments is
    reported at the frame that completed it (with ip_fragment_frames /
    tcp_segment_frames);
  * SIP quoted inside ICMP/ICMPv6 errors is not a SIP message (only counted in
    sip_quoted_in_icmp_errors);
  * src/dst are "ip:port", IPv6 as "[addr]:port";
  * messages without a Call-ID are listed in sip_messages but form no call;
  * calls[].final_status is CLI.md's final_status: the final response (>=200) to the
    call's initial request, or to the last retry of it (same method, no To tag).

Exit status: 0 ok, 1 usage/file error, 3 tshark could not read the capture.
Python standard library only; no dependency on anything outside this directory.
"""
import argparse
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

LINKTYPE_NAMES = {
    0: "NULL", 1: "EN10MB", 9: "PPP", 12: "RAW", 101: "RAW", 104: "C_HDLC", 105: "IEEE802_11",
    108: "LOOP", 113: "LINUX_SLL", 127: "IEEE802_11_RADIO", 228: "IPV4", 229: "IPV6",
    276: "LINUX_SLL2",
}
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
EXIT_TSHARK = 3  # exit status when tshark cannot read the capture


# ---------------------------------------------------------------- file header / capinfos

def _open_maybe_gz(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_linktypes(path):
    """LINKTYPE numbers of the file: the pcap header's, or every pcapng IDB's (in order)."""
    with _open_maybe_gz(path) as f:
        data = f.read(1 << 20)
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return [struct.unpack("<I", data[20:24])[0] & 0x0FFFFFFF]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return [struct.unpack(">I", data[20:24])[0] & 0x0FFFFFFF]
    if magic == b"\x0a\x0d\x0d\x0a":
        out = []
        bo = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(bo + "II", data[off:off + 8])
            if blen < 12:
                break
            if btype == 0x0A0D0D0A:
                bo = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                btype, blen = struct.unpack(bo + "II", data[off:off + 8])
            elif btype == 1:
                out.append(struct.unpack(bo + "H", data[off + 8:off + 10])[0])
            off += blen
        return out
    return []


def capinfos(path):
    """(file type, encapsulation, packet count) from capinfos, or Nones if unavailable."""
    exe = shutil.which("capinfos")
    if not exe:
        return None, None, None
    r = subprocess.run([exe, "-T", "-r", "-t", "-E", "-c", "-M", path],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = r.stdout.decode("utf-8", "replace").strip().splitlines()
    if not line:
        return None, None, None
    parts = line[-1].split("\t")
    if len(parts) < 4:
        return None, None, None
    try:
        cnt = int(parts[3])
    except ValueError:
        cnt = None
    return parts[1], parts[2], cnt


# ---------------------------------------------------------------- PDML parsing

def _show(el):
    return el.get("show")


def _first(el, name):
    for f in el.iter("field"):
        if f.get("name") == name:
            return f
    return None


def _first_show(el, name):
    f = _first(el, name)
    return _show(f) if f is not None else None


def _to_int(s):
    if s is None:
        return None
    try:
        return int(s, 0) if s.lower().startswith("0x") else int(s)
    except ValueError:
        return None


def _fmt_addr(ip, port):
    if ip is None:
        return None
    if ":" in ip:
        ip = f"[{ip}]"
    return f"{ip}:{port}" if port is not None else ip


def _sdp_of(sip_el):
    sdp = None
    for p in sip_el.iter("proto"):
        if p.get("name") == "sdp":
            sdp = p
            break
    if sdp is None:
        return None
    conn, media, formats, attrs = [], [], [], []
    cur_media = None
    for f in sdp.iter("field"):
        n = f.get("name")
        s = f.get("show")
        if n == "sdp.connection_info.address":
            conn.append(s)
        elif n == "sdp.media.media":
            cur_media = {"media": s, "port": None}
            media.append(cur_media)
        elif n == "sdp.media.port" and cur_media is not None and cur_media["port"] is None:
            cur_media["port"] = _to_int(s)
        elif n == "sdp.media.format":
            formats.append(s)
        elif n in ("sdp.media_attr", "sdp.session_attr") and s in DIRECTIONS:
            attrs.append(s)
    return {"connection": conn, "media": media, "formats": formats, "attributes": attrs}


def _sip_message(sip_el):
    """Fields of one <proto name="sip"> element."""
    m = {}
    req = _first(sip_el, "sip.Request-Line")
    st = _first(sip_el, "sip.Status-Line")
    if req is not None:
        m["type"] = "request"
        m["method"] = _first_show(req, "sip.Method")
        m["request_uri"] = _first_show(req, "sip.r-uri")
        if m["method"] is None or m["request_uri"] is None:
            parts = (_show(req) or "").split(" ")
            if m["method"] is None and parts:
                m["method"] = parts[0] or None
            if m["request_uri"] is None and len(parts) > 1:
                m["request_uri"] = parts[1]
    elif st is not None:
        m["type"] = "response"
        code = _to_int(_first_show(st, "sip.Status-Code"))
        parts = (_show(st) or "").split(" ", 2)
        if code is None and len(parts) > 1:
            code = _to_int(parts[1])
        m["status_code"] = code
        m["reason"] = parts[2] if len(parts) > 2 else None
    else:
        m["type"] = "unknown"
    m["call_id"] = _first_show(sip_el, "sip.Call-ID")
    cseq = _first(sip_el, "sip.CSeq")
    m["cseq"] = _to_int(_first_show(sip_el, "sip.CSeq.seq")) if cseq is not None else None
    m["cseq_method"] = _first_show(sip_el, "sip.CSeq.method")
    m["from_tag"] = _first_show(sip_el, "sip.from.tag")
    m["to_tag"] = _first_show(sip_el, "sip.to.tag")
    vias = [f for f in sip_el.iter("field") if f.get("name") == "sip.Via"]
    m["via_count"] = len(vias)
    m["top_via_branch"] = _first_show(vias[0], "sip.Via.branch") if vias else None
    m["content_length"] = _to_int(_first_show(sip_el, "sip.Content-Length"))
    m["resent"] = (_first_show(sip_el, "sip.resend") or "0") in ("1", "True", "true")
    m["sdp"] = _sdp_of(sip_el)
    m["_malformed"] = any(p.get("name") == "_ws.malformed" for p in sip_el.iter("proto")) or \
        any((f.get("name") or "").startswith("_ws.malformed") for f in sip_el.iter("field"))
    return m


def _frame_numbers(el, name):
    return [_to_int(f.get("show")) for f in el.iter("field") if f.get("name") == name]


def parse_packet(pkt, stats):
    """SIP messages of one PDML <packet> (top-level protocol list)."""
    frame = epoch = trel = None
    caplen = wirelen = None
    ip_src = ip_dst = None
    sport = dport = None
    transport = None
    in_icmp = False
    pending_frag = None
    pending_seg = None
    msgs = []
    for proto in pkt.findall("proto"):
        name = proto.get("name")
        if name == "frame":
            frame = _to_int(_first_show(proto, "frame.number"))
            epoch = _first_show(proto, "frame.time_epoch")
            tr = _first_show(proto, "frame.time_relative")
            trel = float(tr) if tr is not None else None
            caplen = _to_int(_first_show(proto, "frame.cap_len"))
            wirelen = _to_int(_first_show(proto, "frame.len"))
            continue
        if name in ("icmp", "icmpv6"):
            in_icmp = True
            continue
        if name == "_ws.malformed":
            if msgs and not in_icmp:
                msgs[-1]["_malformed"] = True
            continue
        if in_icmp and name != "sip":
            continue
        if name in ("ip", "ipv6"):
            ip_src = _first_show(proto, name + ".src")
            ip_dst = _first_show(proto, name + ".dst")
        elif name == "udp":
            transport = "UDP"
            sport = _to_int(_first_show(proto, "udp.srcport"))
            dport = _to_int(_first_show(proto, "udp.dstport"))
        elif name == "tcp":
            transport = "TCP"
            sport = _to_int(_first_show(proto, "tcp.srcport"))
            dport = _to_int(_first_show(proto, "tcp.dstport"))
        elif name == "sctp":
            # each further chunk of a bundled SCTP packet opens another "sctp" element without
            # the ports: keep those of the common header
            transport = "SCTP"
            if _first(proto, "sctp.srcport") is not None:
                sport = _to_int(_first_show(proto, "sctp.srcport"))
                dport = _to_int(_first_show(proto, "sctp.dstport"))
        if name != "sip":
            for fname in ("ip.fragment", "ipv6.fragment"):
                fr = _frame_numbers(proto, fname)
                if fr:
                    pending_frag = fr
            seg = _frame_numbers(proto, "tcp.segment")
            if seg:
                pending_seg = seg
            continue
        # a SIP message
        if in_icmp:
            stats["quoted_in_icmp"] += 1
            continue
        m = _sip_message(proto)
        m["frame"] = frame
        m["index_in_frame"] = len(msgs)
        m["epoch"] = epoch
        m["time_relative"] = trel
        m["src"] = _fmt_addr(ip_src, sport)
        m["dst"] = _fmt_addr(ip_dst, dport)
        m["transport"] = transport
        if pending_frag:
            m["ip_fragment_frames"] = pending_frag
            pending_frag = None
        if pending_seg:
            m["tcp_segment_frames"] = pending_seg
            pending_seg = None
        m["frame_truncated"] = caplen is not None and wirelen is not None and caplen < wirelen
        msgs.append(m)
    return msgs


KEY_ORDER = ["frame", "index_in_frame", "epoch", "time_relative", "src", "dst", "transport", "type",
             "method", "request_uri", "status_code", "reason", "call_id", "cseq", "cseq_method",
             "from_tag", "to_tag", "via_count", "top_via_branch", "content_length", "resent", "sdp",
             "ip_fragment_frames", "tcp_segment_frames", "frame_truncated", "malformed"]


def _ordered(m):
    out = {}
    for k in KEY_ORDER:
        if k == "malformed":
            out[k] = bool(m.get("_malformed"))
        elif k in m:
            out[k] = m[k]
    return out


def sip_messages_of(capture, tshark="tshark", decode_as=()):
    cmd = [tshark, "-r", capture, "-n", "-T", "pdml", "-Y", "sip"]
    for d in decode_as:
        cmd += ["-d", d]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stats = {"quoted_in_icmp": 0}
    msgs = []
    try:
        for ev, el in ET.iterparse(proc.stdout, events=("end",)):
            if el.tag == "packet":
                msgs.extend(_ordered(m) for m in parse_packet(el, stats))
                el.clear()
    except ET.ParseError as e:
        proc.kill()
        proc.wait()
        print(f"make_truth: cannot parse tshark output for {capture}: {e}", file=sys.stderr)
        raise SystemExit(EXIT_TSHARK)
    err = proc.stderr.read().decode("utf-8", "replace")
    rc = proc.wait()
    if rc != 0:
        err = "\n".join(l for l in err.splitlines() if not l.startswith("Running as user"))
        print(f"make_truth: tshark cannot read {capture} (rc={rc}): {err.strip()[:300]}", file=sys.stderr)
        raise SystemExit(EXIT_TSHARK)
    return msgs, stats


# ---------------------------------------------------------------- calls

def msg_label(m):
    if m["type"] == "request":
        return m.get("method")
    if m["type"] == "response":
        r = m.get("reason")
        return f"{m.get('status_code')} {r}" if r else str(m.get("status_code"))
    return None


def final_status(msgs):
    """CLI.md: final response (>=200) to the initial request or to its last retry (same method,
    no To tag). In-dialog requests (To tag present) never count."""
    reqs = [m for m in msgs if m["type"] == "request"]
    if not reqs:
        return None
    method = reqs[0].get("method")
    retries = [m for m in reqs if m.get("method") == method and not m.get("to_tag")]
    if not retries:
        return None
    last = retries[-1]
    for m in msgs:
        if m["type"] != "response":
            continue
        code = m.get("status_code")
        if code is None or code < 200:
            continue
        if m.get("cseq") == last.get("cseq") and m.get("cseq_method") == method:
            return code
    return None


def invite_transactions(msgs):
    txs = {}
    order = []
    for m in msgs:
        if m.get("cseq_method") != "INVITE":
            continue
        key = (m.get("top_via_branch"), m.get("cseq"))
        if m["type"] == "request" and m.get("method") == "INVITE":
            t = txs.get(key)
            if t is None:
                t = {"cseq": m.get("cseq"), "branch": m.get("top_via_branch"), "request_frame": m["frame"],
                     "src": m["src"], "dst": m["dst"], "retransmissions": 0, "provisional": [],
                     "final_code": None, "final_reason": None, "final_frame": None}
                txs[key] = t
                order.append(key)
            else:
                t["retransmissions"] += 1
        elif m["type"] == "response":
            t = txs.get(key)
            if t is None:
                continue
            code = m.get("status_code")
            if code is None:
                continue
            if code < 200:
                if code not in t["provisional"]:
                    t["provisional"].append(code)
            elif t["final_code"] is None:
                t["final_code"] = code
                t["final_reason"] = m.get("reason")
                t["final_frame"] = m["frame"]
    return [txs[k] for k in order]


def build_calls(messages):
    by_id = {}
    for m in messages:
        cid = m.get("call_id")
        if cid is None:
            continue
        by_id.setdefault(cid, []).append(m)
    calls = {}
    for cid, msgs in by_id.items():
        reqs = [m for m in msgs if m["type"] == "request"]
        txs = invite_transactions(msgs)
        calls[cid] = {
            "call_id": cid,
            "message_count": len(msgs),
            "first_method": reqs[0].get("method") if reqs else None,
            "invite_transactions": txs,
            "invite_final_codes": [t["final_code"] for t in txs],
            "methods": sorted({m.get("method") for m in reqs if m.get("method")}),
            "endpoints": sorted({" <-> ".join(sorted([m["src"] or "", m["dst"] or ""])) for m in msgs}),
            "messages": [{"frame": m["frame"], "epoch": m["epoch"], "src": m["src"], "dst": m["dst"],
                          "transport": m["transport"], "msg": msg_label(m),
                          "cseq": f"{m.get('cseq')} {m.get('cseq_method')}"} for m in msgs],
            "final_status": final_status(msgs),
        }
    return calls


# ---------------------------------------------------------------- main

def tshark_version(tshark):
    try:
        r = subprocess.run([tshark, "-v"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        first = r.stdout.decode("utf-8", "replace").splitlines()[0]
        m = re.search(r"\d+\.\d+\.\d+", first)
        return m.group(0) if m else "?"
    except Exception:
        return "?"


def make_truth(capture, tshark="tshark", decode_as=()):
    msgs, stats = sip_messages_of(capture, tshark, decode_as)
    lts = read_linktypes(capture)
    ftype, encap, npkts = capinfos(capture)
    reqs, resps = {}, {}
    for m in msgs:
        if m["type"] == "request":
            reqs[m.get("method")] = reqs.get(m.get("method"), 0) + 1
        elif m["type"] == "response":
            k = str(m.get("status_code"))
            resps[k] = resps.get(k, 0) + 1
    frames = {}
    for m in msgs:
        frames[m["frame"]] = frames.get(m["frame"], 0) + 1
    calls = build_calls(msgs)
    lt_names = [LINKTYPE_NAMES.get(n, f"LINKTYPE_{n}") for n in lts]
    return {
        "file": os.path.basename(capture),
        "generator": f"tests/tools/make_truth.py (tshark {tshark_version(tshark)})",
        "file_format": ftype,
        "link_type": lt_names[0] if lt_names else None,
        "link_types_all": sorted(set(lt_names), key=lt_names.index),
        "linktype_numbers": sorted(set(lts), key=lts.index),
        "encapsulation": encap,
        "packet_count": npkts,
        "sip_frames": len(frames),
        "sip_quoted_in_icmp_errors": stats["quoted_in_icmp"],
        "sip_message_count": len(msgs),
        "sip_requests": dict(sorted(reqs.items(), key=lambda kv: str(kv[0]))),
        "sip_responses": dict(sorted(resps.items())),
        "sip_udp_messages": sum(1 for m in msgs if m["transport"] == "UDP"),
        "sip_tcp_messages": sum(1 for m in msgs if m["transport"] == "TCP"),
        "sip_retransmissions": sum(1 for m in msgs if m["resent"]),
        "sip_messages_from_ip_fragments": sum(1 for m in msgs if m.get("ip_fragment_frames")),
        "sip_messages_from_tcp_reassembly": sum(1 for m in msgs if m.get("tcp_segment_frames")),
        "sip_frames_with_several_messages": sum(1 for n in frames.values() if n > 1),
        "sip_messages_in_truncated_frames": sum(1 for m in msgs if m["frame_truncated"]),
        "sip_messages_malformed": sum(1 for m in msgs if m["malformed"]),
        "sip_messages_without_call_id": sum(1 for m in msgs if m.get("call_id") is None),
        "call_count": len(calls),
        "invite_call_count": sum(1 for c in calls.values() if c["first_method"] == "INVITE"),
        "calls": calls,
        "sip_messages": msgs,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("-o", "--output", help="output file (default: stdout; '-' = stdout)")
    ap.add_argument("--tshark", default=os.environ.get("TSHARK", "tshark"))
    ap.add_argument("--decode-as", action="append", default=[], help="tshark -d rule (repeatable)")
    a = ap.parse_args()
    if not shutil.which(a.tshark):
        print(f"make_truth: {a.tshark}: not found", file=sys.stderr)
        return 1
    if not os.path.isfile(a.capture):
        print(f"make_truth: {a.capture}: no such file", file=sys.stderr)
        return 1
    truth = make_truth(a.capture, a.tshark, a.decode_as)
    text = json.dumps(truth, indent=1, ensure_ascii=False) + "\n"
    if a.output and a.output != "-":
        tmp = a.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
