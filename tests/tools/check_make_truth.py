#!/usr/bin/env python3
"""Validate make_truth.py against the stored truth files.

Usage: check_make_truth.py [DATA_DIR] [--strict]

For every DATA_DIR/NAME.truth.json that has its capture beside it, runs make_truth.py
on the capture and requires that the regenerated truth reproduces the stored one
exactly for what the comparison uses:
  * link_type, sip_message_count, call_count, the set of Call-IDs;
  * per call: message_count, final_status, and the ordered messages' msg, epoch,
    src, dst, transport (plus frame and cseq);
  * per SIP message (file order): frame, index_in_frame, epoch, src, dst, transport,
    type, method, status_code, reason, call_id, cseq, cseq_method, from_tag, to_tag,
    top_via_branch, resent.
Other keys (summary counters, invite_transactions, sdp, ...) are compared too and
reported; they only fail the check with --strict.
Exit 0 when every file matches, 1 otherwise. Needs tshark.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXTS = (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz", ".cap")
CALL_MSG_KEYS = ("frame", "epoch", "src", "dst", "transport", "msg", "cseq")
SIP_KEYS = ("frame", "index_in_frame", "epoch", "src", "dst", "transport", "type", "method",
            "status_code", "reason", "call_id", "cseq", "cseq_method", "from_tag", "to_tag",
            "top_via_branch", "resent")
SOFT_TOP = ("file_format", "link_types_all", "linktype_numbers", "encapsulation", "packet_count",
            "sip_frames", "sip_quoted_in_icmp_errors", "sip_requests", "sip_responses",
            "sip_udp_messages", "sip_tcp_messages", "sip_retransmissions",
            "sip_messages_from_ip_fragments", "sip_messages_from_tcp_reassembly",
            "sip_frames_with_several_messages", "sip_messages_in_truncated_frames",
            "sip_messages_malformed", "sip_messages_without_call_id", "invite_call_count")
SOFT_CALL = ("first_method", "invite_transactions", "invite_final_codes", "methods", "endpoints")
SOFT_SIP = ("time_relative", "request_uri", "via_count", "content_length", "sdp",
            "ip_fragment_frames", "tcp_segment_frames", "frame_truncated", "malformed")


def capture_for(truth_path):
    stem = truth_path[: -len(".truth.json")]
    for e in EXTS:
        if os.path.isfile(stem + e):
            return stem + e
    if os.path.isfile(stem) and stem.endswith(EXTS):
        return stem
    return None


def compare(old, new):
    hard, soft = [], []
    for k in ("link_type", "sip_message_count", "call_count"):
        if old.get(k) != new.get(k):
            hard.append(f"{k}: stored {old.get(k)!r} != made {new.get(k)!r}")
    for k in SOFT_TOP:
        if k in old and old.get(k) != new.get(k):
            soft.append(f"{k}: stored {old.get(k)!r} != made {new.get(k)!r}")
    oc, nc = old.get("calls", {}), new.get("calls", {})
    if set(oc) != set(nc):
        hard.append(f"call ids: missing {sorted(set(oc) - set(nc))[:3]}, extra {sorted(set(nc) - set(oc))[:3]}")
    for cid in sorted(set(oc) & set(nc)):
        a, b = oc[cid], nc[cid]
        for k in ("message_count", "final_status"):
            if a.get(k) != b.get(k):
                hard.append(f"call {cid}: {k} stored {a.get(k)!r} != made {b.get(k)!r}")
        am, bm = a.get("messages", []), b.get("messages", [])
        if len(am) != len(bm):
            hard.append(f"call {cid}: {len(am)} messages stored, {len(bm)} made")
        for i, (x, y) in enumerate(zip(am, bm)):
            d = [k for k in CALL_MSG_KEYS if x.get(k) != y.get(k)]
            if d:
                hard.append(f"call {cid} msg {i}: " + ", ".join(f"{k} {x.get(k)!r} != {y.get(k)!r}" for k in d))
                break
        for k in SOFT_CALL:
            if k in a and a.get(k) != b.get(k):
                soft.append(f"call {cid}: {k} stored {a.get(k)!r} != made {b.get(k)!r}")
    osm, nsm = old.get("sip_messages", []), new.get("sip_messages", [])
    if len(osm) != len(nsm):
        hard.append(f"sip_messages: {len(osm)} stored, {len(nsm)} made")
    for i, (x, y) in enumerate(zip(osm, nsm)):
        d = [k for k in SIP_KEYS if x.get(k) != y.get(k)]
        if d:
            hard.append(f"sip_messages[{i}] (frame {x.get('frame')}): "
                        + ", ".join(f"{k} {x.get(k)!r} != {y.get(k)!r}" for k in d))
        ds = [k for k in SOFT_SIP if (k in x or k in y) and x.get(k) != y.get(k)]
        if ds:
            soft.append(f"sip_messages[{i}] (frame {x.get('frame')}): "
                        + ", ".join(f"{k} {x.get(k)!r} != {y.get(k)!r}" for k in ds))
    return hard, soft


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict = "--strict" in sys.argv
    data = args[0] if args else os.path.join(HERE, "..", "data")
    if not shutil.which("tshark"):
        print("check_make_truth: tshark not installed", file=sys.stderr)
        return 1
    truths = sorted(f for f in os.listdir(data) if f.endswith(".truth.json"))
    if not truths:
        print(f"check_make_truth: no truth files in {data}", file=sys.stderr)
        return 1
    failed = 0
    for t in truths:
        tp = os.path.join(data, t)
        cap = capture_for(tp)
        if not cap:
            print(f"{t}: no capture beside it [skip]")
            continue
        r = subprocess.run([sys.executable, os.path.join(HERE, "make_truth.py"), cap],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            print(f"{os.path.basename(cap)}: make_truth failed: {r.stderr.decode().strip()[:200]} [FAIL]")
            failed += 1
            continue
        new = json.loads(r.stdout)
        with open(tp) as f:
            old = json.load(f)
        hard, soft = compare(old, new)
        bad = hard or (strict and soft)
        ncalls = len(old.get("calls", {}))
        print(f"{os.path.basename(cap)}: {ncalls} calls, {len(old.get('sip_messages', []))} messages, "
              f"{len(hard)} differences, {len(soft)} minor [{'FAIL' if bad else 'ok'}]")
        for line in hard[:5]:
            print("   " + line)
        for line in soft[:5]:
            print("   (minor) " + line)
        failed += bool(bad)
    print(f"check_make_truth: {len(truths) - failed}/{len(truths)} files reproduced")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
