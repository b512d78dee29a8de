#!/usr/bin/env python3
"""stats_truth.py: checks `sipscope stats --json` output against tshark-derived .truth.json files.

Usage: stats_truth.py [--since NS] [--until NS] STATS.json TRUTH.json...
Compares, summed over the truth files (captures imported together), the message count
(sip_message_count: messages without a Call-ID included), the per-code response counts
(sip_responses; the reason must be the registered phrase for the codes in KNOWN, the class "Nxx"
for 100..699, null outside), the per-method request counts (sip_requests), the call count
(call_count) and calls_by_state summing to the calls. The summary counts are cross-checked with
the truth's sip_messages[] list. With --since/--until (epoch nanoseconds, inclusive) only the
messages in the window count, and the calls whose first message is in it.
Prints one line per mismatch; exit 0 when everything matches, 1 otherwise.
"""
import collections
import json
import sys

# A few registered reason phrases (RFC 3261 §21 and the IANA registry), to catch a reason taken
# from the wire or from the wrong row.
KNOWN = {100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
         183: "Session Progress", 200: "OK", 302: "Moved Temporarily",
         401: "Unauthorized", 404: "Not Found", 407: "Proxy Authentication Required",
         486: "Busy Here", 487: "Request Terminated", 503: "Service Unavailable", 603: "Decline"}


def epoch_ns(text):
    sec, _, frac = text.partition(".")
    return int(sec) * 1000000000 + int((frac + "000000000")[:9])


def expected_one(truth, since, until):
    """(messages, Counter code, Counter method, calls, problems) for one truth file."""
    msgs = truth["sip_messages"]
    problems = []
    for key, n in (("sip_message_count", len(msgs)),
                   ("call_count", len({m["call_id"] for m in msgs if m["call_id"]}))):
        if truth[key] != n:
            problems.append("truth: %s %d != %d from the message list" % (key, truth[key], n))
    firsts = {}
    for m in msgs:
        if m["call_id"]:
            firsts.setdefault(m["call_id"], epoch_ns(m["epoch"]))
    inside = [m for m in msgs if since <= epoch_ns(m["epoch"]) <= until]
    codes = collections.Counter(int(m["status_code"]) for m in inside if m["type"] == "response")
    methods = collections.Counter(m["method"] for m in inside if m["type"] == "request")
    calls = sum(1 for t in firsts.values() if since <= t <= until)
    if since == 0 and until == 1 << 63:
        if dict(codes) != {int(k): v for k, v in truth["sip_responses"].items()}:
            problems.append("truth: sip_responses != the message list")
        if dict(methods) != truth["sip_requests"]:
            problems.append("truth: sip_requests != the message list")
    return len(inside), codes, methods, calls, problems


def expected(truths, since, until):
    n, codes, methods, calls, problems = 0, collections.Counter(), collections.Counter(), 0, []
    for t in truths:
        a, b, c, d, e = expected_one(t, since, until)
        n, calls = n + a, calls + d
        codes.update(b)
        methods.update(c)
        problems += e
    return n, dict(codes), dict(methods), calls, problems


def check(truths, got, since, until):
    n, responses, requests, calls, problems = expected(truths, since, until)
    if got.get("messages") != n:
        problems.append("messages: got %s, want %d" % (got.get("messages"), n))
    got_codes = {}
    for r in got.get("responses", []):
        code = r["code"]
        got_codes[code] = r["count"]
        want_class = "%dxx" % (code // 100) if 100 <= code <= 699 else None
        if r.get("class") != want_class:
            problems.append("response %d: class %r, want %r" % (code, r.get("class"), want_class))
        if code in KNOWN and r.get("reason") != KNOWN[code]:
            problems.append("response %d: reason %r, want %r" % (code, r.get("reason"), KNOWN[code]))
    if got_codes != responses:
        problems.append("responses: got %s, want %s" % (got_codes, responses))
    codes = [r["code"] for r in got.get("responses", [])]
    if codes != sorted(codes):
        problems.append("responses not sorted by code: %s" % codes)
    if got.get("requests") != requests:
        problems.append("requests: got %s, want %s" % (got.get("requests"), requests))
    if got.get("calls") != calls:
        problems.append("calls: got %s, want %d" % (got.get("calls"), calls))
    states = got.get("calls_by_state", {})
    if sum(states.values()) != got.get("calls"):
        problems.append("calls_by_state %s does not sum to calls %s" % (states, got.get("calls")))
    for key in ("asr", "setup_time", "user_agents"):
        if key not in got:
            problems.append("key %s missing" % key)
    return problems


def main():
    args = sys.argv[1:]
    since, until = 0, 1 << 63
    while len(args) >= 2 and args[0] in ("--since", "--until"):
        if args[0] == "--since":
            since = int(args[1])
        else:
            until = int(args[1])
        args = args[2:]
    if len(args) < 2:
        print("usage: stats_truth.py [--since NS] [--until NS] STATS.json TRUTH.json...")
        return 2
    with open(args[0]) as f:
        got = json.load(f)
    truths = []
    for path in args[1:]:
        with open(path) as f:
            truths.append(json.load(f))
    problems = check(truths, got, since, until)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
