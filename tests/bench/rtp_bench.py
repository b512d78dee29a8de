#!/usr/bin/env python3
"""RTP path benchmark (issue 5): RTP packets per second through dissect + stream statistics, next
to sngrep on the same file. Not part of the test suite.

Method: the RTP-heavy capture, and the same capture with its RTP removed by tcpdump (a UDP payload
whose first byte has RTP version 2, `udp[8] & 0xc0 = 0x80`; SIP starts with a letter). Each tool
reads both files several times; the RTP path's cost is the CPU difference between them divided by
the RTP packets removed, the SIP path's cost the CPU of the SIP-only file per SIP message (both
include libpcap's read, which tcpdump's own read of each file shows). Writes the medians into
BENCHMARKS.md between <!-- bench-rtp:begin --> and <!-- bench-rtp:end -->.

Usage: tests/bench/rtp_bench.py [--capture F | --calls 20000 --rtp-per-call 50] [--runs 3]
       [--sipscope build/sipscope] [--out BENCHMARKS.md] [--scratch /tmp/sipscope-rtp-bench]"""
import argparse, json, os, platform, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GEN = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench", "make_big_pcap.py"))


def measure(cmd):
    """(wall_s, cpu_s, peak_rss_kb) of one run of cmd (stdio to /dev/null)."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_RDWR)
        for i in (0, 1, 2):
            os.dup2(fd, i)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def median(runs, fn):
    vals = [fn() for _ in range(runs)]
    return tuple(statistics.median(v[i] for v in vals) for i in range(3))


def count_packets(path):
    """Packets in path, from tcpdump's "N packets" line."""
    out = subprocess.run(["tcpdump", "-r", path, "-w", "/dev/null", "--count"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    for line in out.splitlines():
        w = line.split()
        if len(w) >= 2 and w[0].isdigit() and w[1].startswith("packet"):
            return int(w[0])
    raise SystemExit(f"cannot count packets of {path}: {out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--capture")
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rtp-per-call", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build", "sipscope"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--scratch", default="/tmp/sipscope-rtp-bench")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the report from the last run's SCRATCH/results.json")
    a = ap.parse_args()
    saved = os.path.join(a.scratch, "results.json")
    if a.report_only:
        r = json.load(open(saved))
        res = {tuple(k.split("/")): v for k, v in r["res"].items()}
        write(a, r["full"], r["n_full"], r["n_sip"], res, r["load"])
        return
    os.makedirs(a.scratch, exist_ok=True)
    full = a.capture
    if not full:
        full = os.path.join(a.scratch, f"rtp_{a.calls}c_{a.rtp_per_call}.pcap")
        if not os.path.exists(full):
            subprocess.run([sys.executable, GEN, "--calls", str(a.calls), "--rtp-per-call",
                            str(a.rtp_per_call), "-o", full], check=True, stdout=subprocess.DEVNULL)
    sip = os.path.join(a.scratch, "sip_only.pcap")
    subprocess.run(["tcpdump", "-r", full, "-w", sip, "not (udp and (udp[8] & 0xc0) = 0x80)"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n_full, n_sip = count_packets(full), count_packets(sip)
    db = os.path.join(a.scratch, "bench.db")

    def ours(path):
        def run():
            for f in (db, db + "-wal", db + "-shm", db + ".spool"):
                if os.path.exists(f):
                    os.unlink(f)
            return measure([a.sipscope, "import", "-q", path, "--db", db])
        return run

    res = {}
    for name, path in (("full", full), ("sip", sip)):
        res[("sipscope", name)] = median(a.runs, ours(path))
        res[("sngrep", name)] = median(a.runs, lambda: measure(["sngrep", "-NqF", "-l", "1048576",
                                                                 "-I", path]))
        res[("tcpdump", name)] = median(a.runs, lambda: measure(["tcpdump", "-r", path, "-w",
                                                                  "/dev/null"]))
        print(name, {k[0]: v for k, v in res.items() if k[1] == name}, file=sys.stderr)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    with open(saved, "w") as f:
        json.dump({"full": full, "n_full": n_full, "n_sip": n_sip, "load": load,
                   "res": {"/".join(k): v for k, v in res.items()}}, f)
    write(a, full, n_full, n_sip, res, load)


def write(a, full, n_full, n_sip, res, load):
    rtp = n_full - n_sip
    L = [f"Made by `tests/bench/rtp_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
         f"median of {a.runs} runs each.",
         "",
         f"**The machine was shared**: {os.cpu_count()} cores used at the same time by other helpers "
         f"building and testing (load average {' '.join(load)} when the run ended), so the wall "
         "times are inflated and the CPU times somewhat noisy; compare the tools with each other, "
         "measured in the same run, rather than with other tables.",
         "",
         f"- capture: `{os.path.basename(full)}` ({os.path.getsize(full) / 1e6:.0f} MB, "
         f"`make_big_pcap.py` RTP heavy): {n_full} packets, of which {rtp} RTP and {n_sip} SIP; "
         "the SIP-only file is the same capture with the RTP removed by tcpdump",
         f"- {platform.machine()}, {platform.platform()}; sipscope `import -q FILE --db fresh.db`; "
         "sngrep `-NqF -l 1048576 -I FILE`; tcpdump `-r FILE -w /dev/null` (libpcap's read)",
         "",
         "| tool | CPU s full | CPU s SIP only | RTP path: us / RTP pkt | RTP pkts / CPU-s | SIP path: us / SIP msg | RTP pkt cost / SIP msg cost |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tool in ("sipscope", "sngrep", "tcpdump"):
        cf, cs = res[(tool, "full")][1], res[(tool, "sip")][1]
        d = max(cf - cs, 1e-9)
        us_rtp, us_sip = d / rtp * 1e6, cs / n_sip * 1e6
        L.append(f"| {tool} | {cf:.2f} | {cs:.2f} | {us_rtp:.2f} | {rtp / d:,.0f} | {us_sip:.2f} | "
                 f"{us_rtp / us_sip:.2f} |")
    block = "<!-- bench-rtp:begin (written by tests/bench/rtp_bench.py) -->\n" + "\n".join(L) + \
        "\n<!-- bench-rtp:end -->"
    old = open(a.out).read()
    b, e = old.find("<!-- bench-rtp:begin"), old.find("<!-- bench-rtp:end -->")
    if b >= 0 and e > b:
        new = old[:b] + block + old[e + len("<!-- bench-rtp:end -->"):]
    else:
        new = old.rstrip("\n") + "\n\n## RTP path: packets per second (issue 5)\n\n" + block + "\n"
    with open(a.out, "w") as f:
        f.write(new)
    print(f"updated {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
