#!/usr/bin/env python3
"""Benchmark (not a test): the interactive UI on a history of 1,000,000 calls, driven in tmux
(80x24): time from the launch of `sipscope --db DB` to the first screen showing calls, and time
from the End key to the screen showing the last call. Writes a block between <!-- tui:begin -->
and <!-- tui:end --> in BENCHMARKS.md (issue 6).

The history is made once and cached: tests/data/pub01_udp_basic_rtp.pcap is imported (real rows,
the full schema), then --calls rows are generated straight into the calls table with one SQL
statement (docs/schema.md; distinct Call-IDs, start times 5 ms apart, a mix of methods, states
and codes). The list reads only the calls table, so no messages rows are generated.

Usage: tests/bench/tui_bench.py [--calls 1000000] [--runs 3] [--sipscope build/sipscope]
       [--scratch /tmp/sipscope-tuibench] [--out BENCHMARKS.md] [--no-write]"""
import argparse, os, platform, shutil, sqlite3, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SEED = os.path.join(ROOT, "tests", "data", "pub01_udp_basic_rtp.pcap")
BEGIN, END = "<!-- tui:begin", "<!-- tui:end -->"
POLL_S = 0.005
LIMIT_S = 120

GEN_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :calls)
INSERT INTO calls(capture, call_id, method, from_uri, to_uri, src, dst, transport, start_ns,
                  end_ns, messages, final_status, state, init_cseq, invite_ns, ring_ns, answer_ns,
                  bye_ns, rtp_streams)
SELECT :cap, printf('bench-%07d@sipscope.invalid', i),
       CASE i % 10 WHEN 0 THEN 'REGISTER' WHEN 1 THEN 'OPTIONS' ELSE 'INVITE' END,
       printf('sip:user%d@10.%d.%d.%d', i % 5000, i / 65536 % 256, i / 256 % 256, i % 256),
       printf('sip:svc%d@172.16.%d.%d', i % 700, i / 256 % 256, i % 256),
       printf('10.%d.%d.%d:5060', i / 65536 % 256, i / 256 % 256, i % 256),
       printf('172.16.%d.%d:5060', i / 256 % 256, i % 256), 'UDP',
       :t0 + i * 5000000, :t0 + i * 5000000 + 30000000000,
       CASE WHEN i % 10 < 2 THEN 2 WHEN i % 7 = 0 THEN 4 ELSE 7 END,
       CASE WHEN i % 10 < 2 THEN 200 WHEN i % 7 = 0 THEN 486 ELSE 200 END,
       CASE WHEN i % 10 < 2 THEN 'completed' WHEN i % 7 = 0 THEN 'rejected' ELSE 'completed' END,
       1, :t0 + i * 5000000, :t0 + i * 5000000 + 500000000,
       CASE WHEN i % 10 >= 2 AND i % 7 <> 0 THEN :t0 + i * 5000000 + 2000000000 END,
       CASE WHEN i % 10 >= 2 AND i % 7 <> 0 THEN :t0 + i * 5000000 + 30000000000 END,
       CASE WHEN i % 10 >= 2 AND i % 7 <> 0 THEN 2 ELSE 0 END
FROM n
"""


def make_history(a):
    os.makedirs(a.scratch, exist_ok=True)
    db = os.path.join(a.scratch, f"history_{a.calls}.db")
    if os.path.exists(db):
        return db
    tmp = db + ".new"
    for suffix in ("", "-wal", "-shm", ".spool"):
        if os.path.exists(tmp + suffix):
            os.unlink(tmp + suffix)
    subprocess.run([a.sipscope, "import", "-q", SEED, "--db", tmp], check=True)
    c = sqlite3.connect(tmp)
    cap, last = c.execute("SELECT max(capture), max(end_ns) FROM calls").fetchone()
    t0 = time.monotonic()
    with c:
        c.execute(GEN_SQL, {"calls": a.calls, "cap": cap, "t0": last + 1000000000})
        c.execute("UPDATE captures SET calls = calls + ? WHERE id = ?", (a.calls, cap))
    print(f"generated {a.calls} calls in {time.monotonic() - t0:.1f} s", flush=True)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    for suffix in ("", ".spool"):
        if os.path.exists(tmp + suffix):
            os.replace(tmp + suffix, db + suffix)
    return db


def tmux(*args, check=True):
    return subprocess.run(["tmux"] + list(args), check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout


def wait_screen(sess, pred, t_from):
    """Polls the pane until pred(lines) holds; returns seconds since t_from."""
    end = time.monotonic() + LIMIT_S
    while time.monotonic() < end:
        lines = tmux("capture-pane", "-p", "-t", sess).splitlines()
        if pred(lines):
            return time.monotonic() - t_from
        time.sleep(POLL_S)
    raise SystemExit(f"tui_bench: screen never matched; last screen:\n" + "\n".join(lines))


def row_index(line):
    f = line.split()
    return int(f[0].lstrip("*")) if f and f[0].lstrip("*").isdigit() else None


def one_run(a, db, total):
    sess = f"tuibench_{os.getpid()}"
    tmux("kill-session", "-t", sess, check=False)
    cmd = f"env TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 {a.sipscope} --db {db}; sleep 600"
    t0 = time.monotonic()
    tmux("new-session", "-d", "-s", sess, "-x", "80", "-y", "24", cmd)
    try:
        first = wait_screen(sess, lambda L: any(row_index(x) == 1 for x in L[2:]), t0)
        t1 = time.monotonic()
        tmux("send-keys", "-t", sess, "End")
        last = wait_screen(sess, lambda L: any(row_index(x) == total for x in L[2:]), t1)
        tmux("send-keys", "-t", sess, "q")
    finally:
        tmux("kill-session", "-t", sess, check=False)
    print(f"  first screen {first * 1000:.0f} ms, End {last * 1000:.0f} ms", flush=True)
    return first, last


def write_block(path, text):
    old = open(path).read()
    b, e = old.find(BEGIN), old.find(END)
    if b < 0 or e < b:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers")
    with open(path + ".tmp", "w") as f:
        f.write(old[:b] + text + old[e + len(END):])
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build", "sipscope"))
    ap.add_argument("--scratch", default="/tmp/sipscope-tuibench")
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--no-write", dest="write", action="store_false")
    a = ap.parse_args()
    a.sipscope = os.path.abspath(a.sipscope)
    if not shutil.which("tmux"):
        raise SystemExit("tui_bench: tmux not installed")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load0 = os.getloadavg()[0]
    db = make_history(a)
    total = sqlite3.connect(db).execute("SELECT count(*) FROM calls").fetchone()[0]
    print(f"history {db}: {total} calls", flush=True)
    res = [one_run(a, db, total) for _ in range(a.runs)]
    load1 = os.getloadavg()[0]
    firsts, lasts = [r[0] * 1000 for r in res], [r[1] * 1000 for r in res]
    ver = subprocess.run([a.sipscope, "--version"], stdout=subprocess.PIPE, text=True).stdout
    tv = tmux("-V").strip()
    mb = os.path.getsize(db) / 2**20
    L = [f"{BEGIN} (written by tests/bench/tui_bench.py) -->",
         f"Made by `tests/bench/tui_bench.py` on {started} UTC: {ver.strip()}, {tv}, "
         f"{platform.machine()}, {os.cpu_count()} vCPU, Linux {platform.release()}; the machine "
         f"was **busy** (load average {load0:.1f} at the start, {load1:.1f} at the end: other jobs "
         f"shared the 2 vCPUs). History: {total:,} calls ({mb:,.0f} MB database, page cache "
         f"warm): one real import of tests/data/pub01_udp_basic_rtp.pcap plus {a.calls:,} call "
         f"rows generated with SQL into the calls table. Driven in tmux at 80x24; times from "
         f"`tmux new-session` (launch of `sipscope --db DB`) or from `send-keys End` until "
         f"`capture-pane` shows row 1, or row {total:,}; {a.runs} runs.",
         "",
         "| action | median | runs |",
         "| --- | ---: | --- |",
         f"| launch to the first screen with calls | {statistics.median(firsts):.0f} ms | "
         + ", ".join(f"{x:.0f}" for x in firsts) + " ms |",
         f"| End: the last call on screen | {statistics.median(lasts):.0f} ms | "
         + ", ".join(f"{x:.0f}" for x in lasts) + " ms |",
         "",
         f"Reproduce: `tests/bench/tui_bench.py --calls {a.calls}` after a release build (the "
         f"history is cached in {a.scratch}).",
         END]
    text = "\n".join(L)
    print(text)
    if a.write:
        write_block(a.out, text)
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
