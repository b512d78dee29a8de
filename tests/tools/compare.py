#!/usr/bin/env python3
"""Compare sipscope with a tshark-derived truth file, call by call and message by message.

Usage: compare.py SIPSCOPE CAPTURE TRUTH [--max-diffs N] [--timeout S] [--sipscope-arg ARG]...
(--sipscope-arg adds ARG to every sipscope command, e.g. --sipscope-arg=--vxlan-port=8472.)

Runs `SIPSCOPE calls -r CAPTURE --db :memory: --json` and, for every call,
`SIPSCOPE ladder CALLID -r CAPTURE --db :memory: --format json`, and checks:
  * the set of Call-IDs is exactly the truth's (missing and extra ones are errors);
  * per call: `messages` == truth message_count; `final_status` == the CLI.md rule
    computed from the truth's sip_messages (the final response >= 200 to the initial
    request or its last retry: same method, no To tag);
  * per call, the ladder's ordered messages against the truth's: label (method, or
    the status code as a string), timestamp within 1 microsecond, src, dst and
    transport (WS/WSS/TLS are counted as TCP, the carrier tshark reports).
Prints `NAME: X/Y calls exact, E extra [ok|FAIL]` and the first differences;
exit status 0 when everything matches, 1 otherwise, 2 on usage errors.
Standard library only; independent of anything outside tests/.
"""
import argparse
import json
import os
import subprocess
import sys


def run(args, timeout):
    try:
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout}s"
    except OSError as e:
        return None, "", str(e)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def rc_text(rc):
    if rc is None:
        return "did not run"
    if rc < 0:
        return f"killed by signal {-rc}"
    return f"rc={rc}"


def epoch_us(s):
    """Truth epoch string ("sec.fraction", up to ns) -> integer microseconds (truncated)."""
    s = str(s)
    neg = s.startswith("-")
    sec, _, frac = s.lstrip("-").partition(".")
    v = int(sec or 0) * 1000000 + int((frac + "000000")[:6])
    return -v if neg else v


def float_us(x):
    return int(round(float(x) * 1e6))


def truth_final_status(truth, call_id):
    """CLI.md final_status, from the truth's sip_messages (falls back to calls[].final_status)."""
    sm = truth.get("sip_messages")
    if not sm:
        return truth["calls"][call_id].get("final_status")
    msgs = [m for m in sm if m.get("call_id") == call_id]
    reqs = [m for m in msgs if m.get("type") == "request"]
    if not reqs:
        return None
    method = reqs[0].get("method")
    tries = [m for m in reqs if m.get("method") == method and not m.get("to_tag")]
    if not tries:
        return None
    last = tries[-1]
    for m in msgs:
        if m.get("type") != "response":
            continue
        code = m.get("status_code")
        if code is None or int(code) < 200:
            continue
        if m.get("cseq") == last.get("cseq") and m.get("cseq_method") == method:
            return int(code)
    return None


def truth_label(tm):
    return str(tm["msg"]).split(" ", 1)[0]


def got_label(gm):
    if gm.get("status") is not None:
        return str(gm.get("status"))
    return gm.get("method")


def norm_transport(t):
    t = str(t or "").upper()
    return "TCP" if t in ("WS", "WSS", "TLS") else t


def compare_ladder(gms, tms):
    """First difference between ladder messages and truth messages, or None."""
    if len(gms) != len(tms):
        # still point at the first differing message to make the report useful
        for i, (g, t) in enumerate(zip(gms, tms)):
            if got_label(g) != truth_label(t) or abs(float_us(g.get("ts", 0)) - epoch_us(t["epoch"])) > 1:
                return (f"ladder has {len(gms)} msgs, truth {len(tms)}; first mismatch at msg {i}: "
                        f"{got_label(g)}@{g.get('ts')} != {truth_label(t)}@{t['epoch']}")
        return f"ladder has {len(gms)} msgs, truth {len(tms)}"
    for i, (g, t) in enumerate(zip(gms, tms)):
        gl, tl = got_label(g), truth_label(t)
        if gl != tl:
            return f"msg {i}: label {gl} != {tl}"
        try:
            gts = float_us(g.get("ts"))
        except (TypeError, ValueError):
            return f"msg {i}: ts {g.get('ts')!r} is not a number"
        if abs(gts - epoch_us(t["epoch"])) > 1:
            return f"msg {i} ({tl}): ts {g.get('ts')} != {t['epoch']}"
        if g.get("src") != t["src"] or g.get("dst") != t["dst"]:
            return f"msg {i} ({tl}): {g.get('src')} -> {g.get('dst')} != {t['src']} -> {t['dst']}"
        if norm_transport(g.get("transport")) != norm_transport(t["transport"]):
            return f"msg {i} ({tl}): transport {g.get('transport')} != {t['transport']}"
    return None


def compare(sipscope, capture, truth, timeout=120, max_ladders=None, sipscope_args=()):
    """Returns (lines, ok)."""
    sargs = list(sipscope_args)
    name = os.path.basename(capture)
    tcalls = truth.get("calls", {})
    ids = sorted(tcalls)
    rc, out, err = run([sipscope, "calls", "-r", capture, "--db", ":memory:", "--json"] + sargs, timeout)
    if rc != 0:
        return [f"{name}: 0/{len(ids)} calls exact, 0 extra [FAIL]",
                f"   calls {rc_text(rc)}: {err.strip()[:200]}"], False
    try:
        rows = json.loads(out)
        if not isinstance(rows, list):
            raise ValueError("not a JSON array")
        got = {}
        dups = []
        for c in rows:
            cid = c["call_id"]
            if cid in got:
                dups.append(cid)
            got[cid] = c
    except (ValueError, KeyError, TypeError) as e:
        return [f"{name}: 0/{len(ids)} calls exact, 0 extra [FAIL]",
                f"   calls --json output is not a valid call list: {e}"], False
    bad = []
    if dups:
        bad.append(("*", f"call ids listed more than once: {dups[:3]}"))
    extra = sorted(i for i in got if i not in tcalls)
    checked = 0
    exact = 0
    for cid in ids:
        tc = tcalls[cid]
        gc = got.get(cid)
        if gc is None:
            bad.append((cid, "missing"))
            continue
        if gc.get("messages") != tc["message_count"]:
            bad.append((cid, f"messages {gc.get('messages')} != {tc['message_count']}"))
            continue
        ef = truth_final_status(truth, cid)
        if gc.get("final_status") != ef:
            bad.append((cid, f"final_status {gc.get('final_status')} != {ef}"))
            continue
        if max_ladders is not None and checked >= max_ladders:
            exact += 1
            continue
        checked += 1
        rc, lo, le = run([sipscope, "ladder", cid, "-r", capture, "--db", ":memory:", "--format", "json"]
                         + sargs, timeout)
        if rc != 0:
            bad.append((cid, f"ladder {rc_text(rc)}: {le.strip()[:120]}"))
            continue
        try:
            lad = json.loads(lo)
            gms = lad["messages"]
        except (ValueError, KeyError, TypeError) as e:
            bad.append((cid, f"ladder json invalid: {e}"))
            continue
        diff = compare_ladder(gms, tc["messages"])
        if diff:
            bad.append((cid, diff))
            continue
        exact += 1
    ok = not bad and not extra
    lines = [f"{name}: {exact}/{len(ids)} calls exact, {len(extra)} extra [{'ok' if ok else 'FAIL'}]"]
    for cid, why in bad[:5]:
        lines.append(f"   {cid}: {why}")
    if len(bad) > 5:
        lines.append(f"   ... {len(bad) - 5} more differing calls")
    if extra:
        lines.append(f"   extra call ids, e.g. {extra[:3]}")
    return lines, ok


def main():
    ap = argparse.ArgumentParser(description="compare sipscope calls/ladder with a truth file")
    ap.add_argument("sipscope")
    ap.add_argument("capture")
    ap.add_argument("truth")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per sipscope run")
    ap.add_argument("--max-ladders", type=int, default=None,
                    help="check at most N ladders (default: every call)")
    ap.add_argument("--sipscope-arg", action="append", default=[],
                    help="an extra argument for every sipscope command (repeatable)")
    a = ap.parse_args()
    for p in (a.sipscope, a.capture, a.truth):
        if not os.path.exists(p):
            print(f"compare: {p}: no such file", file=sys.stderr)
            return 2
    try:
        with open(a.truth, encoding="utf-8") as f:
            truth = json.load(f)
    except (OSError, ValueError) as e:
        print(f"compare: {a.truth}: {e}", file=sys.stderr)
        return 2
    if "calls" not in truth:
        print(f"compare: {a.truth}: no 'calls' key", file=sys.stderr)
        return 2
    lines, ok = compare(a.sipscope, a.capture, truth, a.timeout, a.max_ladders, a.sipscope_arg)
    print("\n".join(lines))
    sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
