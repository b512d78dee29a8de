#!/usr/bin/env python3
"""Benchmark: sipscope import vs sngrep vs tcpdump (libpcap's own read speed) on the same
captures, in the same run, several times each; writes medians of CPU time, wall time and peak
RSS, with the ratios, into BENCHMARKS.md. Not part of the test suite.

Captures are made with ../shared/bench/make_big_pcap.py into a scratch directory (never the repo).
Usage: tests/bench/run_bench.py [--sizes 10000,30000,200000] [--runs 3] [--rtp-heavy N]
       [--ours-only 1000000] [--sipscope build/sipscope] [--out BENCHMARKS.md]
       [--scratch /tmp/sipscope-bench]
--ours-only sizes run sipscope alone (peak RSS and CPU at sizes where sngrep needs gigabytes)."""
import argparse, json, os, platform, resource, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GEN = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench", "make_big_pcap.py"))


def measure(cmd, stdin=subprocess.DEVNULL):
    """Runs cmd once; returns (wall_s, cpu_s, peak_rss_kb) of the child alone."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_RDWR)
        os.dup2(fd, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def median_of(runs, fn):
    vals = [fn() for _ in range(runs)]
    return tuple(statistics.median(v[i] for v in vals) for i in range(3))


def make_capture(scratch, calls, rtp):
    path = os.path.join(scratch, f"bench_{calls}c_{rtp}rtp.pcap")
    summ = path + ".json"
    if not os.path.exists(path):
        subprocess.run([sys.executable, GEN, "--calls", str(calls), "--rtp-per-call", str(rtp),
                        "-o", path, "--summary", summ], check=True, stdout=subprocess.DEVNULL)
    return path, json.load(open(summ))


def bench_file(args, path, ours_only=False):
    db = os.path.join(args.scratch, "bench.db")

    def sipscope():
        for f in (db, db + "-wal", db + "-shm", db + ".spool"):
            if os.path.exists(f):
                os.unlink(f)
        return measure([args.sipscope, "import", "-q", path, "--db", db])

    if ours_only:
        return {"sipscope": median_of(args.runs, sipscope)}
    res = {
        "sipscope": median_of(args.runs, sipscope),
        "sngrep": median_of(args.runs, lambda: measure(
            ["sngrep", "-NqF", "-l", "1048576", "-I", path])),
        "tcpdump": median_of(args.runs, lambda: measure(
            ["tcpdump", "-r", path, "-w", "/dev/null"])),
    }
    return res


def version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return out.strip().splitlines()[0]
    except OSError:
        return "not found"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,30000,200000")
    ap.add_argument("--rtp-heavy", type=int, default=20000, help="calls in the RTP-heavy capture (0: skip)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ours-only", default="", help="SIP-only sizes run with sipscope alone")
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build", "sipscope"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--scratch", default="/tmp/sipscope-bench")
    args = ap.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    cases = [("SIP only", int(n), 0, False) for n in args.sizes.split(",") if n]
    if args.rtp_heavy:
        cases.append(("RTP heavy", args.rtp_heavy, 50, False))
    cases += [("SIP only", int(n), 0, True) for n in args.ours_only.split(",") if n]
    rows = []
    args.load = [os.getloadavg()[0]]
    for label, calls, rtp, alone in cases:
        path, summ = make_capture(args.scratch, calls, rtp)
        print(f"{label} {calls} calls: {summ['packets']} packets ...", file=sys.stderr)
        res = bench_file(args, path, alone)
        args.load.append(os.getloadavg()[0])
        rows.append((label, calls, summ, os.path.getsize(path), res))
        print(json.dumps(res), file=sys.stderr)
    write_report(args, rows)


def write_report(args, rows):
    L = []
    L.append("# Benchmarks\n")
    L.append(f"Made by `tests/bench/run_bench.py` on {time.strftime('%Y-%m-%d')}; "
             f"median of {args.runs} runs each, page cache warm, all tools on the same file in the same run.\n")
    L.append(f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') >> 30} GiB, {platform.platform()}")
    L.append(f"- sipscope {version([args.sipscope, '--version'])} "
             f"(`sipscope import -q FILE --db fresh.db`: on-disk DB, WAL, raw bytes in the spool)")
    L.append(f"- {version(['sngrep', '-V'])}: `sngrep -NqF -l 1048576 -I FILE`")
    L.append(f"- {version(['tcpdump', '--version'])}: `tcpdump -r FILE -w /dev/null` (the floor: libpcap reading the file)")
    L.append("- captures: `../shared/bench/make_big_pcap.py --calls N --rtp-per-call K` (SIP only: K=0; RTP heavy: K=50)")
    L.append(f"- load average (1 min) at the start and after each capture: "
             f"{', '.join(f'{x:.1f}' for x in args.load)} (wall times are only comparable within a run)")
    L.append(f"- command: `tests/bench/run_bench.py --sizes {args.sizes} --rtp-heavy {args.rtp_heavy} "
             f"--runs {args.runs}" + (f" --ours-only {args.ours_only}" if args.ours_only else "") + "`\n")
    L.append("CPU = user + system seconds of the process; RSS = peak resident set size.\n")
    L.append("| capture | calls | packets | SIP msgs | MB | tool | CPU s | wall s | peak RSS MB | sngrep CPU / ours | our wall / tcpdump | our CPU / tcpdump |")
    L.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, calls, summ, size, res in rows:
        ours, sng, tcp = res["sipscope"], res.get("sngrep"), res.get("tcpdump")
        for tool in [t for t in ("sipscope", "sngrep", "tcpdump") if t in res]:
            w, c, rss = res[tool]
            r1 = f"{sng[1] / ours[1]:.1f}x" if tool == "sipscope" and sng else ""
            r2 = f"{ours[0] / tcp[0]:.1f}x" if tool == "sipscope" and tcp else ""
            r3 = f"{ours[1] / tcp[1]:.1f}x" if tool == "sipscope" and tcp else ""
            L.append(f"| {label} | {calls} | {summ['packets']} | {summ['sip_messages']} | {size / 1e6:.0f} | "
                     f"{tool} | {c:.2f} | {w:.2f} | {rss / 1024:.0f} | {r1} | {r2} | {r3} |")
    block = "<!-- bench:begin (written by tests/bench/run_bench.py) -->\n" + "\n".join(L[1:]) + \
        "\n<!-- bench:end -->"
    old = open(args.out).read() if os.path.exists(args.out) else "# Benchmarks\n\n<!-- bench:begin -->\n<!-- bench:end -->\n"
    b, e = old.find("<!-- bench:begin"), old.find("<!-- bench:end -->")
    new = old[:b] + block + old[e + len("<!-- bench:end -->"):] if b >= 0 and e > b else old + "\n" + block + "\n"
    with open(args.out, "w") as f:
        f.write(new)
    print(f"updated {args.out}", file=sys.stderr)


main()
