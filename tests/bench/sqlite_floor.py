#!/usr/bin/env python3
"""Floor: what SQLite alone costs to write the rows of an import (issue 8). With the sqlite3
command-line tool, makes fresh on-disk databases holding exactly the CREATE TABLE/INDEX statements
of store/schema.sql.h for calls, messages and sdp_media (parsed from its C string literals, macros
expanded, at run time: this follows the schema), with the PRAGMAs of store/db.c, and times
INSERT ... SELECT ... FROM generate_series of realistic rows: (a) calls only, one transaction;
(b) calls + messages + sdp_media, transactions of ~--txn-rows rows (store/writer.h WRITER_BATCH),
each a range of calls with their messages and SDP rows. No parsing, binding API or spool: a lower
bound for any implementation writing these rows. CPU (user + sys of sqlite3, os.wait4) and wall
time: medians of --runs runs. Prints markdown for BENCHMARKS.md (edits nothing); the SQL stays in
--scratch (calls_only.sql, all_tables.sql). Not part of the test suite.
Usage: tests/bench/sqlite_floor.py [--calls 200000] [--msgs-per-call 6.4] [--sdp-per-call 2]
       [--runs 3] [--txn-rows 5000 (0: one transaction)] [--scratch /tmp/sipscope-floor]
       [--pcap FILE (also times `tcpdump -r FILE -w /dev/null`, for the ratios)]"""
import argparse, json, os, platform, re, shutil, sqlite3, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(ROOT, "store", "schema.sql.h")
TABLES = ("calls", "messages", "sdp_media")
PRAGMAS = "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;\n"
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|/\*.*?\*/|//[^\n]*|\w+|\n|\S', re.S)
T = "1700000000000000000+value*{pc}"  # a call's start, epoch ns: {pc} ns between calls
CALLS = ("INSERT INTO calls(id,capture,call_id,method,from_uri,to_uri,src,dst,transport,start_ns,end_ns,"
         "messages,final_status,state,init_cseq,invite_ns,ring_ns,answer_ns,bye_ns) SELECT value,1,"
         "printf('%08x%08x-%04x-%08d@10.0.0.1',value*2654435761%4294967296,value*40503%4294967296,"
         "value%65536,value),'INVITE',printf('sip:caller%06d@pbx.example.com',value),"
         "printf('sip:callee%06d@pbx.example.com',value),'10.1.2.3:5060','10.4.5.6:5060','UDP',"
         f"{T},{T}+30000000000,(value*{{k}}+{{n}}-1)/{{n}}-((value-1)*{{k}}+{{n}}-1)/{{n}},200,'COMPLETED',1,"
         f"{T},{T}+100000000,{T}+2000000000,{T}+30000000000 FROM generate_series({{a}},{{b}});")
MSGS = ("INSERT INTO messages(id,call,capture,frame,idx,ts_ns,src,dst,transport,cseq,method,status,reason,"
        "cseq_method,flags,ua,raw_off,raw_len) SELECT value,(value-1)*{n}/{k}+1,1,value,0,"
        "1700000000000000000+value*{step},iif(value%2,'10.1.2.3:5060','10.4.5.6:5060'),"
        "iif(value%2,'10.4.5.6:5060','10.1.2.3:5060'),'UDP',iif((value-1)%6=5,2,1),"
        "CASE (value-1)%6 WHEN 0 THEN 'INVITE' WHEN 4 THEN 'ACK' WHEN 5 THEN 'BYE' END,"
        "CASE (value-1)%6 WHEN 1 THEN 100 WHEN 2 THEN 180 WHEN 3 THEN 200 END,"
        "CASE (value-1)%6 WHEN 1 THEN 'Trying' WHEN 2 THEN 'Ringing' WHEN 3 THEN 'OK' END,"
        "CASE (value-1)%6 WHEN 4 THEN 'ACK' WHEN 5 THEN 'BYE' ELSE 'INVITE' END,"
        "iif((value-1)%3=0,2,0),'SIPp',(value-1)*600,600 FROM generate_series({m0},{m1});")
# sdp_media row r belongs to message m = (r-1)*k/j+1, whose rows are ceil((m-1)*j/k)+1 .. ceil(m*j/k)
SDP = ("INSERT INTO sdp_media(message,idx,media,addr,port,proto,formats,direction,rtcp_port) "
       "SELECT (value-1)*{k}/{j}+1,value-1-(((value-1)*{k}/{j})*{j}+{k}-1)/{k},'audio','10.1.2.3',"
       "10000+value%20000*2,'RTP/AVP','0 8 101','sendrecv',NULL FROM generate_series({s0},{s1});")


def schema_sql(path=HEADER):
    """CREATE TABLE/INDEX statements of TABLES in SCHEMA_V1; returns (statements, notes, skipped)."""
    toks = [t for t in TOKEN.findall(open(path).read().replace("\\\n", "")) if not t.startswith(("/*", "//"))]
    macros, v1, i = {}, None, 0
    while i < len(toks) - 2:
        if toks[i] == "#" and toks[i + 1] == "define":
            j = toks.index("\n", i)
            macros[toks[i + 2]], i = toks[i + 3:j], j
        elif toks[i] == "SCHEMA_V1" and toks[i + 1] == "[":
            j = toks.index(";", i)
            v1, i = toks[toks.index("=", i) + 1:j], j
        i += 1

    def expand(ts):  # string literals concatenated, macros expanded; KeyError on anything else
        return "".join(re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), t[1:-1])
                       if t[0] == '"' else expand(macros[t]) for t in ts if t != "\n")
    try:
        sql = expand(v1)
    except (KeyError, TypeError) as e:
        raise SystemExit(f"{path}: SCHEMA_V1 not found or holds more than strings and macros ({e!r})")
    stmts, cur = [], ""
    for piece in sql.split(";"):
        cur += piece + ";"
        if sqlite3.complete_statement(cur):
            stmts.append(cur.strip())
            cur = ""
    keep, notes, skipped = [], {t: [] for t in TABLES}, []
    for s in stmts:
        tab = re.match(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", s, re.I)
        idx = re.match(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+ON\s+(\w+)", s, re.I)
        if tab and tab[1] in TABLES:
            keep.append(s)
            pk = re.search(r",\s*(PRIMARY\s+KEY\s*\([^)]*\))\s*\)\s*(WITHOUT\s+ROWID)?", s, re.I)
            notes[tab[1]] += [" ".join(x for x in pk.groups() if x)] if pk else []
        elif idx and idx[2] in TABLES:
            keep.append(s)
            notes[idx[2]].append(idx[1])
        elif re.search(r"\bON\s+(%s)\b" % "|".join(TABLES), s, re.I):
            skipped.append(re.sub(r"\s+", " ", s.split(" BEGIN")[0]))
    if sum(bool(re.match(r"CREATE\s+TABLE", s, re.I)) for s in keep) != len(TABLES):
        raise SystemExit(f"{path}: SCHEMA_V1 does not create all of {TABLES}")
    return keep, notes, skipped


def measure(cmd, stdin=None):
    """Runs cmd once (stdin from a file); returns (wall_s, cpu_s) of the child alone."""
    t0 = time.monotonic()
    with open(stdin or os.devnull) as f, subprocess.Popen(cmd, stdin=f, stdout=subprocess.DEVNULL,
                                                          stderr=subprocess.PIPE) as p:
        err, (_, status, ru) = p.stderr.read(), os.wait4(p.pid, 0)
        wall, p.returncode = time.monotonic() - t0, os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}: {err.decode(errors='replace')}")
    return wall, ru.ru_utime + ru.ru_stime


def run_case(args, name, schema, script, counts):
    """Runs script (kept as scratch/name.sql) on --runs fresh databases; median (wall, cpu)."""
    db, sql, res = os.path.join(args.scratch, "floor.db"), os.path.join(args.scratch, name + ".sql"), []
    with open(sql, "w") as f:
        f.write(PRAGMAS + script + "\n")
    for _ in range(args.runs):
        for x in filter(os.path.exists, (db, db + "-wal", db + "-shm")):
            os.unlink(x)
        subprocess.run(["sqlite3", "-bail", db], input="PRAGMA journal_mode=WAL;\n" + "\n".join(schema),
                       text=True, check=True, stdout=subprocess.DEVNULL)  # not timed
        res.append(measure(["sqlite3", "-bail", db], stdin=sql))
    got = subprocess.run(["sqlite3", db, ";".join(f"SELECT count(*) FROM {t}" for t in counts)],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    if [int(x) for x in got] != list(counts.values()):
        raise SystemExit(f"row counts {got}, expected {list(counts.values())}")
    os.unlink(db)
    return tuple(statistics.median(r[i] for r in res) for i in range(2))


def version(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip() or "?"
    except OSError:
        return "not found"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for opt, typ, default in (("--calls", int, 200000), ("--msgs-per-call", float, 6.4),
                              ("--sdp-per-call", float, 2), ("--runs", int, 3), ("--txn-rows", int, 5000),
                              ("--scratch", str, "/tmp/sipscope-floor"), ("--pcap", str, None)):
        ap.add_argument(opt, type=typ, default=default)
    args = ap.parse_args()
    n, pc = args.calls, 1000000  # 1000 calls per second
    k, j = round(n * args.msgs_per_call), round(n * args.sdp_per_call)
    if n < 1 or args.runs < 1 or (j and not k) or not shutil.which("sqlite3"):
        ap.error("needs the sqlite3 tool, --calls and --runs >= 1, and messages if there are SDP rows")
    os.makedirs(args.scratch, exist_ok=True)
    schema, notes, skipped = schema_sql()
    step = n if args.txn_rows <= 0 else max(1, args.txn_rows * n // (n + k + j))  # calls per transaction
    script = []
    for a in range(1, n + 1, step):
        b = min(a + step - 1, n)
        m0, m1 = -(-(a - 1) * k // n) + 1, -(-b * k // n)  # messages of calls 1..c: 1..ceil(c*k/n)
        s0, s1 = -(-(m0 - 1) * j // k) + 1 if k else 1, -(-m1 * j // k) if k else 0
        script += ["BEGIN;", CALLS.format(a=a, b=b, n=n, k=k, pc=pc)]
        script += [MSGS.format(n=n, k=k, step=pc * n // k, m0=m0, m1=m1)] if m1 >= m0 else []
        script += [SDP.format(k=k, j=j, s0=s0, s1=s1)] if s1 >= s0 else []
        script.append("COMMIT;")
    txns = script.count("BEGIN;")
    txn = f"{txns} transactions of {step} calls (~{(n + k + j) * step // n} rows)" if txns > 1 else "1 transaction"
    load, rows = [os.getloadavg()[0]], []
    for label, name, sql, counts in (
            ("(a) calls only, 1 transaction", "calls_only",
             f"BEGIN;\n{CALLS.format(a=1, b=n, n=n, k=k, pc=pc)}\nCOMMIT;", {"calls": n}),
            (f"(b) calls + messages + sdp_media, {txn}", "all_tables", "\n".join(script),
             {"calls": n, "messages": k, "sdp_media": j})):
        print(f"{label}: {sum(counts.values())} rows ...", file=sys.stderr)
        rows.append((label, sum(counts.values()), run_case(args, name, schema, sql, counts)))
        load.append(os.getloadavg()[0])
    tcp, summ = None, {}
    if args.pcap:
        res = [measure(["tcpdump", "-r", args.pcap, "-w", "/dev/null"]) for _ in range(args.runs)]
        tcp = tuple(statistics.median(r[i] for r in res) for i in range(2))
        summ = json.load(open(args.pcap + ".json")) if os.path.exists(args.pcap + ".json") else {}
        load.append(os.getloadavg()[0])
    git = version(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "store/schema.sql.h"]).split()[0]
    dirty = version(["git", "-C", ROOT, "status", "--porcelain", "--", "store/schema.sql.h"]) != "?"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 30
    L = [f"Made by `{' '.join(['tests/bench/sqlite_floor.py'] + sys.argv[1:])}`"
         f" on {time.strftime('%Y-%m-%d')}; median of {args.runs} runs each, each in a fresh on-disk database.\n",
         f"- machine: {platform.machine()}, {os.cpu_count()} cores, {mem} GiB, {platform.platform()}",
         f"- sqlite3 {version(['sqlite3', '--version']).splitlines()[0]} (command-line tool; `INSERT ... "
         "SELECT ... FROM generate_series`, one per table and transaction: no parsing, no binding API, no spool)",
         f"- schema: store/schema.sql.h ({git}{', modified in the working tree' if dirty else ''}), "
         "CREATE TABLE/INDEX for " + "; ".join(f"{t}: {', '.join(v) or 'no index'}" for t, v in notes.items())
         + f"; left out: {len(skipped)} trigger(s) on them (DELETE only) and the other tables",
         "- PRAGMAs as store/db.c: journal_mode=WAL, synchronous=NORMAL, cache_size=-16384, temp_store=MEMORY",
         f"- rows: {n} calls, {k} messages ({args.msgs_per_call:g}/call), {j} sdp_media ({args.sdp_per_call:g}"
         "/call); a call's messages are contiguous (real captures interleave calls: the floor)",
         f"- load average (1 min) at the start and after each case: {', '.join(f'{x:.1f}' for x in load)}"]
    if tcp:
        what = f"{summ.get('calls')} calls, {summ.get('sip_messages')} SIP messages, " if summ else ""
        L.append(f"- {version(['tcpdump', '--version']).splitlines()[0]}: `tcpdump -r {args.pcap} -w /dev/null` "
                 f"({what}{os.path.getsize(args.pcap) / 1e6:.0f} MB)")
        if summ.get("calls") != n or summ.get("sip_messages") != k:
            L.append(f"- note: the capture does not hold exactly {n} calls and {k} SIP messages: "
                     "the ratios compare different amounts of work")
    L += ["", "| case | rows | CPU s | wall s |" + (" wall / tcpdump wall | CPU / tcpdump CPU |" if tcp else ""),
          "| --- | ---: | ---: | ---: |" + (" ---: | ---: |" if tcp else "")]
    for label, nrows, (w, c) in rows:
        ratios = f" {w / tcp[0]:.2f}x | {c / tcp[1]:.2f}x |" if tcp else ""
        L.append(f"| {label} | {nrows} | {c:.2f} | {w:.2f} |{ratios}")
    if tcp:
        L.append(f"| `tcpdump -r` the capture | {summ.get('packets', '')} | {tcp[1]:.2f} | {tcp[0]:.2f} | | |")
    print("\n".join(L))


main()
