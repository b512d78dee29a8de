#!/usr/bin/env python3
"""Benchmark (not a test): the highest packet rate each live capturer sustains with zero drops when
a SIP+RTP capture is replayed onto loopback with tcpreplay, and the CPU time and peak RSS of the
capturing process at that rate: `sipscope capture -i lo`, `sngrep -NqF -d lo` and
`tcpdump -i lo -w /dev/null`, in turn, in the same run, on the same file. Writes a block between
<!-- live:begin --> and <!-- live:end --> in BENCHMARKS.md (issue 4).

The capture is made once by ../shared/bench/make_big_pcap.py in a scratch directory (never the
repo) and its Ethernet addresses are zeroed with tcprewrite, as on real loopback traffic (sngrep
sees none of the generator's 02:00:... frames on lo; with zero addresses it sees all of them).
Every capturer gets the same BPF filter (the generator's address ranges), so other traffic on lo
does not count. For each capturer: one replay at --topspeed; if that drops, the --pps rate is
bisected between 0 and the top speed reached, then the best rate is replayed once more to
confirm. Needs root (capture, tcpreplay), tcpreplay, tcprewrite, sngrep, tcpdump.

Usage: sudo tests/bench/live_bench.py [--calls 6000] [--rtp-per-call 10] [--steps 6]
       [--sipscope build/sipscope] [--scratch /tmp/sipscope-livebench] [--out BENCHMARKS.md]
       [--tools sipscope,sipscope-small,sngrep,tcpdump] [--no-write]"""
import argparse, json, os, platform, re, signal, shutil, struct, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GEN = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench", "make_big_pcap.py"))
FILTER = "net 10.0.0.0/8 or net 172.16.0.0/12"  # make_big_pcap.py's caller and callee ranges
BEGIN, END = "<!-- live:begin", "<!-- live:end -->"
READY_S = 15      # a capturer must open its packet socket within this
SETTLE_S = 0.5    # after the socket appears (filter set, loop entered)
DRAIN_S = 2.0     # after the replay, before the stop signal: time to empty the buffers
STOP_S = 90       # after the stop signal, the process must have exited
MIN_PPS = 2000    # bisection floor
TOOLS = ["sipscope", "sipscope-small", "sngrep", "tcpdump"]


def sh(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout


def make_capture(a):
    os.makedirs(a.scratch, exist_ok=True)
    base = os.path.join(a.scratch, f"live_{a.calls}c_{a.rtp_per_call}rtp")
    raw, pcap, summ = base + ".gen.pcap", base + ".pcap", base + ".json"
    if not (os.path.exists(pcap) and os.path.exists(summ)):
        subprocess.run([sys.executable, GEN, "--calls", str(a.calls), "--rtp-per-call",
                        str(a.rtp_per_call), "-o", raw, "--summary", summ], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["tcprewrite", "--enet-dmac=00:00:00:00:00:00",
                        "--enet-smac=00:00:00:00:00:00", "-i", raw, "-o", pcap + ".tmp"],
                       check=True)
        os.replace(pcap + ".tmp", pcap)
        os.unlink(raw)
    return pcap, json.load(open(summ))


def pcap_records(path):
    """Number of packet records in a classic pcap file (sngrep's -O output)."""
    n = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return 0
        end = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return n
            incl = struct.unpack(end + "IIII", rec)[2]
            f.seek(incl, 1)
            n += 1


def packet_inodes():
    inodes = set()
    with open("/proc/net/packet") as f:
        next(f)
        for line in f:
            parts = line.split()
            if parts:
                inodes.add(parts[-1])
    return inodes


def has_packet_socket(pid):
    """True once the process holds an AF_PACKET socket (libpcap activated the device)."""
    want = packet_inodes()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in want:
                return True
    except OSError:
        pass
    return False


class Tool:
    """A capturer: its command line, and how its drops are read after it stopped."""

    def __init__(self, name, a, run_dir, summary):
        self.name, self.a, self.dir, self.summary = name, a, run_dir, summary

    def cmd(self):
        f = FILTER.split()
        if self.name.startswith("sipscope"):
            db = os.path.join(self.dir, "live.db")
            for suffix in ("", "-wal", "-shm", ".spool"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
            small = ["-B", "2048", "--ring-mb", "2"] if self.name == "sipscope-small" else []
            return [self.a.sipscope, "capture", "-i", "lo", "--db", db] + small + f
        if self.name == "sngrep":
            self.out = os.path.join(self.dir, "sngrep-out.pcap")
            if os.path.exists(self.out):
                os.unlink(self.out)
            return ["sngrep", "-NqF", "-d", "lo", "-O", self.out] + f
        return ["tcpdump", "-i", "lo", "-w", "/dev/null"] + f

    def display_cmd(self):
        c = self.cmd()
        c = ["sipscope" if x == self.a.sipscope else x for x in c]
        c = ["DB" if x.endswith("live.db") else ("OUT.pcap" if x.endswith("sngrep-out.pcap") else x)
             for x in c]
        i = c.index("net")
        return " ".join(c[:i]) + " '" + FILTER + "'"

    def drops(self, out, err, sent):
        """(drops, detail): drops 0 means nothing lost. Reads what the tool printed."""
        s = self.summary
        if self.name.startswith("sipscope"):
            m = re.search(r"captured on lo: (\d+) packets received, (\d+) dropped by sipscope "
                          r"\(ring full\), (\d+) dropped by the kernel, (\d+) dropped by the "
                          r"interface; (\d+) sip messages, (\d+) calls", out)
            if not m:
                return None, "no summary line: " + (err.strip()[:200] or out[-200:])
            rcv, ring, kern, ifd, sip, calls = map(int, m.groups())
            lost = ring + kern + ifd + max(0, sent - rcv)
            return lost, (f"received {rcv}/{sent}, ring {ring}, kernel {kern}, if {ifd}; "
                          f"stored {sip}/{s['sip_messages']} SIP, {calls}/{s['calls']} calls")
        if self.name == "sngrep":
            if not os.path.exists(self.out):
                return None, "no -O file: " + err.strip()[:200]
            n = pcap_records(self.out)
            return max(0, s["sip_messages"] - n), f"-O file {n}/{s['sip_messages']} SIP packets"
        cap = re.search(r"(\d+) packets captured", err)
        kern = re.search(r"(\d+) packets dropped by kernel", err)
        ifd = re.search(r"(\d+) packets dropped by interface", err)
        if not cap or not kern:
            return None, "no statistics: " + err.strip()[:200]
        n, k, i = int(cap.group(1)), int(kern.group(1)), int(ifd.group(1)) if ifd else 0
        return k + i + max(0, sent - n), f"captured {n}/{sent}, kernel {k}, if {i}"


def replay(pcap, pps):
    rate = ["--topspeed"] if pps is None else ["--pps", str(int(pps))]
    r = subprocess.run(["tcpreplay", "-q", "-i", "lo"] + rate + [pcap], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    sent = re.search(r"Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds", r.stdout)
    rated = re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", r.stdout)
    if r.returncode != 0 or not sent or not rated:
        raise SystemExit("tcpreplay failed: " + r.stdout[-400:])
    return int(sent.group(1)), float(sent.group(3)), float(rated.group(1))


def wait_exit(pid, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        p, status, ru = os.wait4(pid, os.WNOHANG)
        if p == pid:
            return status, ru
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    _, status, ru = os.wait4(pid, 0)
    return status, ru


def one_run(tool, pcap, pps):
    """Capturer up, replay, drain, SIGTERM, wait4. Returns a result dict."""
    cmd = tool.cmd()
    out_p, err_p = os.path.join(tool.dir, "cap.out"), os.path.join(tool.dir, "cap.err")
    with open(out_p, "w") as fo, open(err_p, "w") as fe:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)
    t0 = time.monotonic()
    while not has_packet_socket(p.pid):
        if p.poll() is not None or time.monotonic() - t0 > READY_S:
            p.kill()
            raise SystemExit(f"{tool.name} did not start: {open(err_p).read()[:300]}")
        time.sleep(0.05)
    time.sleep(SETTLE_S)
    sent, secs, rated = replay(pcap, pps)
    time.sleep(DRAIN_S)
    os.kill(p.pid, signal.SIGTERM)
    status, ru = wait_exit(p.pid, STOP_S)
    p.returncode = os.waitstatus_to_exitcode(status)
    out, err = open(out_p).read(), open(err_p).read()
    lost, detail = tool.drops(out, err, sent)
    res = {"pps_asked": pps, "pps": rated, "sent": sent, "secs": secs,
           "cpu": ru.ru_utime + ru.ru_stime, "rss_kib": ru.ru_maxrss, "lost": lost,
           "detail": detail, "rc": p.returncode}
    ok = lost == 0 and p.returncode == 0
    res["ok"] = ok
    asked = "top" if pps is None else f"{int(pps)}"
    print(f"  {tool.name:14} asked {asked:>7} got {rated:9.0f} pps  "
          f"{'OK  ' if ok else 'DROP'} {detail}; cpu {res['cpu']:.2f} s, "
          f"rss {ru.ru_maxrss / 1024:.0f} MiB", flush=True)
    return res


def find_max(tool, pcap, a):
    """Top speed; if it drops, bisection on the rates tcpreplay really reached (an OK run raises
    the lower bound to its rate, a run with drops lowers the upper bound to its rate); then the
    best rate again; if that drops, up to two retries at 80 % of the rate before."""
    runs = [one_run(tool, pcap, None)]
    best = runs[0] if runs[0]["ok"] else None
    if best is None:
        lo, hi = 0.0, runs[0]["pps"]
        for _ in range(a.steps):
            r = (lo + hi) / 2 if lo else hi / 2
            if r < MIN_PPS:
                break
            res = one_run(tool, pcap, r)
            runs.append(res)
            if res["ok"]:
                lo = max(lo, res["pps"])
                if best is None or res["pps"] > best["pps"]:
                    best = res
            else:
                hi = min(hi, res["pps"])
            if lo and (hi <= lo or hi - lo <= a.precision * hi):
                break
    confirmed, tries = None, 0
    while a.confirm and best is not None and tries < 4:
        again = one_run(tool, pcap, best["pps_asked"])
        runs.append(again)
        tries += 1
        confirmed = again["ok"]
        if confirmed:
            break
        r, best = again["pps"] * 0.8, None  # dropped on the re-run: 80 % until a rate holds
        while r >= MIN_PPS and tries < 4:
            res = one_run(tool, pcap, r)
            runs.append(res)
            tries += 1
            if res["ok"]:
                best, confirmed = res, None  # not re-run yet
                break
            r *= 0.8
    return best, confirmed, runs


def versions(a):
    v = {}
    v["sipscope"] = sh([a.sipscope, "--version"]).strip()
    v["sngrep"] = sh(["sngrep", "-V"]).splitlines()[0].strip()
    td = sh(["tcpdump", "--version"]).splitlines()
    v["tcpdump"] = td[0].strip()
    v["libpcap"] = td[1].strip() if len(td) > 1 else "?"
    v["tcpreplay"] = sh(["tcpreplay", "-V"]).splitlines()[0].strip()
    return v


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} vCPU ({cpu}), {mem:.0f} GiB, " \
           f"Linux {platform.release()}"


def fmt_rate(best, top):
    if best is None:
        return f"< {MIN_PPS:,}"
    if best["pps_asked"] is None:
        return f"≥ {best['pps']:,.0f} (top speed, no drop)"
    return f"{best['pps']:,.0f}"


def block(a, summ, res, vers, load0, load1, started):
    L = [f"{BEGIN} (written by tests/bench/live_bench.py) -->",
         f"Made by `tests/bench/live_bench.py` on {started} UTC; all capturers in turn in the same "
         f"run, on the same replayed file.",
         "",
         f"- machine: {machine()}; " + (
             f"**busy**: other jobs shared the CPUs (load average {load0:.1f} at the start, "
             f"{load1:.1f} at the end)" if max(load0, load1) > 1.5 else
             f"otherwise idle (load average {load0:.1f} at the start, {load1:.1f} at the end)") +
         "; tcpreplay itself runs on the same CPUs, so the rates are lower bounds of what the "
         "capturers alone could take",
         f"- versions: {vers['sipscope']}, {vers['sngrep']}, {vers['tcpdump']} ({vers['libpcap']}), "
         f"{vers['tcpreplay']}",
         f"- capture: `make_big_pcap.py --calls {a.calls} --rtp-per-call {a.rtp_per_call}` → "
         f"{summ['packets']:,} packets ({summ['sip_messages']:,} SIP, {summ['rtp_packets']:,} RTP, "
         f"{summ['calls']:,} calls, {summ['bytes'] / 1e6:.1f} MB), Ethernet addresses zeroed "
         f"with `tcprewrite --enet-dmac=00:00:00:00:00:00 --enet-smac=00:00:00:00:00:00` as on "
         f"real loopback traffic (with the generator's addresses sngrep sees none of the frames on "
         f"lo)",
         f"- replay: `tcpreplay -q -i lo --topspeed FILE`, and if that drops, `--pps N` bisected "
         f"({a.steps} steps at most, floor {MIN_PPS} pps, stop within {a.precision:.0%}); the best "
         f"rate replayed once more to confirm (if that drops: 80 % of it, until a rate holds twice, "
         f"4 extra runs at most); the rate given is tcpreplay's own \"Rated\" figure",
         f"- each capturer starts fresh for each replay (a new database for sipscope), gets "
         f"{DRAIN_S:.0f} s after the replay to empty its buffers, then SIGTERM; CPU (user+sys) and "
         f"peak RSS from `os.wait4` of the capturing process, for the whole run at that rate",
         "",
         "| capturer | command | highest rate with zero drops (pps) | confirmed | CPU s | CPU µs/packet "
         "| peak RSS |",
         "| --- | --- | ---: | --- | ---: | ---: | ---: |"]
    for name, (tool, best, confirmed, runs) in res.items():
        if best is None:
            L.append(f"| {name} | `{tool.display_cmd()}` | {fmt_rate(None, None)} | – | – | – | – |")
            continue
        conf = "not re-run" if confirmed is None else ("yes" if confirmed else "**no**")
        L.append(f"| {name} | `{tool.display_cmd()}` | {fmt_rate(best, runs[0])} | {conf} | "
                 f"{best['cpu']:.2f} | {best['cpu'] / best['sent'] * 1e6:.1f} | "
                 f"{best['rss_kib'] / 1024:.0f} MiB |")
    L += ["", "Every replay of the run (requested rate → tcpreplay's rate: result):", ""]
    for name, (tool, best, confirmed, runs) in res.items():
        parts = []
        for r in runs:
            asked = "top" if r["pps_asked"] is None else f"{r['pps_asked']:,.0f}"
            what = "0 lost" if r["ok"] else (f"{r['lost']:,} lost" if r["lost"] is not None
                                             else "no figures")
            parts.append(f"{asked} → {r['pps']:,.0f}: {what}")
        L.append(f"- {name}: " + "; ".join(parts))
    L += ["",
          "How drops were determined:",
          "",
          "- sipscope: its closing statistics line (`captured on lo: R packets received, A dropped "
          "by sipscope (ring full), K dropped by the kernel, I dropped by the interface; ...`): "
          "A + K + I must be 0 and R must equal the packets tcpreplay sent. `-q` is not used because "
          "it also silences that line, so the one line per ended call goes to a file (part of the "
          "measured cost). `sipscope-small` is the same with `-B 2048 --ring-mb 2` (a 2 MiB kernel "
          "buffer like tcpdump's and sngrep's defaults, and a 2 MiB ring): with the defaults (32 MiB "
          "kernel buffer, 64 MiB ring) a burst of this length can be absorbed by the buffers, so the "
          "small variant shows the rate the threads keep up with.",
          "- sngrep: it prints no capture statistics, so it writes what it captured with "
          "`-O OUT.pcap` (the SIP packets of the dialogs it keeps) and the records in that file are "
          f"compared with the generator's SIP message count ({summ['sip_messages']:,}); a loss of "
          "RTP packets alone is invisible to this check (sngrep is run without `-r`).",
          "- tcpdump: its closing lines on SIGTERM: `N packets captured` must equal the packets sent "
          "and `M packets dropped by kernel` (and `by interface` when printed) must be 0.",
          "",
          f"Reproduce (as root, from the repository, after a release build): `tests/bench/live_bench.py "
          f"--calls {a.calls} --rtp-per-call {a.rtp_per_call}` (about {a.est_min} minute{'s' if a.est_min > 1 else ''} on this "
          f"machine; the capture is cached in {a.scratch}).",
          END]
    return "\n".join(L)


def write_block(path, text):
    old = open(path).read()
    b, e = old.find(BEGIN), old.find(END)
    if b < 0 or e < b:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers")
    new = old[:b] + text + old[e + len(END):]
    with open(path + ".tmp", "w") as f:
        f.write(new)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=6000)
    ap.add_argument("--rtp-per-call", type=int, default=10)
    ap.add_argument("--steps", type=int, default=6, help="bisection steps at most per capturer")
    ap.add_argument("--precision", type=float, default=0.1)
    ap.add_argument("--no-confirm", dest="confirm", action="store_false")
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build", "sipscope"))
    ap.add_argument("--scratch", default="/tmp/sipscope-livebench")
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--no-write", dest="write", action="store_false")
    a = ap.parse_args()
    a.sipscope = os.path.abspath(a.sipscope)
    for t in ("tcpreplay", "tcprewrite", "sngrep", "tcpdump"):
        if not shutil.which(t):
            raise SystemExit(f"live_bench: {t} not installed")
    if os.geteuid() != 0:
        raise SystemExit("live_bench: run as root (live capture and tcpreplay on lo)")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    t_start = time.monotonic()
    load0 = os.getloadavg()[0]
    pcap, summ = make_capture(a)
    print(f"capture {pcap}: {summ['packets']} packets, {summ['sip_messages']} SIP, "
          f"{summ['calls']} calls", flush=True)
    res = {}
    for name in a.tools.split(","):
        if name not in TOOLS:
            raise SystemExit(f"live_bench: unknown tool {name} (known: {', '.join(TOOLS)})")
        run_dir = os.path.join(a.scratch, name)
        os.makedirs(run_dir, exist_ok=True)
        tool = Tool(name, a, run_dir, summ)
        print(f"{name}: {tool.display_cmd()}", flush=True)
        best, confirmed, runs = find_max(tool, pcap, a)
        res[name] = (tool, best, confirmed, runs)
    load1 = os.getloadavg()[0]
    a.est_min = max(1, round((time.monotonic() - t_start) / 60))
    text = block(a, summ, res, versions(a), load0, load1, started)
    print(text)
    if a.write:
        write_block(a.out, text)
        print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
