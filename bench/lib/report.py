#!/usr/bin/env python3
"""Turns bench/results/results.csv into the table of docs/benchmarks.md and its chart.

usage: report.py RESULTS_CSV [RUN_ID]

For every benchmark and body size it takes the latest run that measured it (or RUN_ID), the
median over the interleaved rounds for each server, and writes:
  bench/results/latest.md        the markdown table (also printed)
  docs/benchmarks.md             the same table, between the markers <!-- table:start/end -->
  bench/results/chart-*.dat      the chart's data
  docs/benchmarks.png            the chart (gnuplot)
"""
import collections
import csv
import os
import re
import statistics
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH_DIR)
SERVERS = ["polycache", "nginx", "turbo"]
LABEL = {"polycache": "Polycache", "nginx": "nginx", "turbo": "turborepo-remote-cache"}

path = sys.argv[1]
only_run = sys.argv[2] if len(sys.argv) > 2 else None
rows = list(csv.DictReader(open(path)))
if only_run:
    rows = [r for r in rows if r["run_id"] == only_run]

# the latest run of each benchmark, by the time in its id (some ids carry a prefix, such as
# "turbo-20261201T201410": compared as strings, a prefix would outrank every later run)
def run_time(run_id):
    m = re.search(r"\d{8}T\d{6}$", run_id)
    return m.group(0) if m else ""


def group(r):
    """A benchmark's rows of one body size come from one run: (bench, "size=N" or "")."""
    return r["bench"], next((x for x in r["params"].split(";") if x.startswith("size=")), "")


latest = {}
for r in rows:
    if run_time(r["run_id"]) >= run_time(latest.get(group(r), "")):
        latest[group(r)] = r["run_id"]
rows = [r for r in rows if r["run_id"] == latest[group(r)]]
runs = collections.defaultdict(set)  # bench -> the runs its rows come from
for r in rows:
    runs[r["bench"]].add(r["run_id"])


def params_key(p):
    return ";".join(x for x in p.split(";") if not x.startswith("round="))


errors = collections.defaultdict(float)  # (bench, params, server) -> failed requests, all rounds
for r in rows:
    if r["metric"] == "errors" and float(r["value"]) > 0:
        errors[(r["bench"], ";".join(x for x in r["params"].split(";") if not x.startswith("round=")),
                r["server"])] += float(r["value"])
values = collections.defaultdict(list)   # (bench, params, metric, server) -> [values]
loads = collections.defaultdict(list)    # bench -> [1-min load before each measurement]
commands = {}
for r in rows:
    values[(r["bench"], params_key(r["params"]), r["metric"], r["server"])].append(float(r["value"]))
    loads[r["bench"]].append(float(r["loadavg"].split()[0]))
    commands.setdefault((r["bench"], r["server"]), r["command"])


def med(bench, params, metric, server):
    v = values.get((bench, params, metric, server))
    return statistics.median(v) if v else None


def param(p, name):
    m = re.search(r"(?:^|;)" + name + r"=([^;]+)", p)
    return m.group(1) if m else None


def fmt(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def mib(nbytes):
    n = int(nbytes)
    return f"{n / 1048576:.0f} MiB" if n >= 1048576 else f"{n / 1024:.0f} KiB"


def params_of(bench, metric):
    seen = []
    for (b, p, m, s) in values:
        if b == bench and m == metric and p not in seen:
            seen.append(p)
    return seen


lines = []
add = lines.append
add("| # | row | metric | Polycache | nginx | turborepo-remote-cache | Polycache / nginx | Polycache / turbo |")
add("|---|---|---|---:|---:|---:|---:|---:|")
chart = []   # (label, polycache/nginx, turbo/nginx)


def row(no, name, bench, params, metric, unit, digits=0, higher_better=True, chart_label=None):
    p, n, t = (med(bench, params, metric, s) for s in SERVERS)
    add(f"| {no} | {name} | {unit} | {fmt(p, digits)} | {fmt(n, digits)} | {fmt(t, digits)} "
        f"| {ratio(p, n)} | {ratio(p, t)} |")
    if chart_label and n:
        chart.append((chart_label, (p or 0) / n, (t or 0) / n))


for p in params_of("small-reads", "rps"):
    what = f"GET {mib(param(p, 'size'))}, {param(p, 'conns')} conns, {param(p, 'entries')} entries"
    row(1, "small reads: " + what, "small-reads", p, "rps", "req/s", chart_label="reads\\n4 KiB")
    row(1, "small reads: " + what, "small-reads", p, "p99", "p99 ms", 1, higher_better=False)
for p in params_of("large-reads", "mbps"):
    c = param(p, "conns")
    row(2, f"large reads: GET {mib(param(p, 'size'))}, {c} conn{'s' if c != '1' else ''}", "large-reads", p,
        "mbps", "MB/s", chart_label=f"reads\\n256M {c}c" if int(param(p, "size")) > 1e8 else f"reads\\nlarge {c}c")
for p in params_of("writes", "mbps"):
    size = mib(param(p, "size"))
    if int(param(p, "size")) < 65536:   # small uploads: the count is the figure
        row(3, f"writes: PUT {size} (Polycache verifies), {param(p, 'conns')} conns", "writes", p, "rps",
            "uploads/s", chart_label=f"writes\\n{size.replace(' KiB', 'K')}")
        row(3, f"writes: PUT {size} (Polycache verifies), {param(p, 'conns')} conns", "writes", p, "p99",
            "p99 ms", 1, higher_better=False)
        continue
    row(3, f"writes: PUT {size} (Polycache verifies), {param(p, 'conns')} conn", "writes", p, "mbps", "MB/s",
        1, chart_label=f"writes\\n{size.replace(' MiB', 'M')}")
for p in params_of("small-uploads", "rate"):
    row(3, f"small writes, cold: PUT {mib(param(p, 'size'))} right after start, {param(p, 'parallel')} parallel (curl), {param(p, 'count')} files",
        "small-uploads", p, "rate", "uploads/s")
for p in params_of("memory", "vmhwm"):
    up, down = med("memory", p, "uploads_ok", "polycache"), med("memory", p, "downloads_ok", "polycache")
    peak = med("memory", p, "vmhwm", "polycache")
    idle = med("memory", p, "rss_idle", "polycache")
    pu, pd = med("memory", p, "rss_peak_uploads", "polycache"), med("memory", p, "rss_peak_downloads", "polycache")
    n = param(p, "parallel")
    add(f"| 4 | memory: -Xmx{param(p, 'xmx')}, {n}×{mib(param(p, 'size'))} up then {n}× down "
        f"| peak RSS MiB (VmHWM) | {fmt(peak / 1024 if peak else None)} | – | – | – | – |")
    add(f"| 4 | memory: idle / peak in uploads / peak in downloads | RSS MiB "
        f"| {fmt(idle / 1024 if idle else None)} / {fmt(pu / 1024 if pu else None)} / {fmt(pd / 1024 if pd else None)} "
        f"| – | – | – | – |")
    add(f"| 4 | memory: transfers completed (up, down) | count | {fmt(up)} / {n}, {fmt(down)} / {n} | – | – | – | – |")
    add(f"| 4 | memory: aggregate upload / download | MB/s "
        f"| {fmt(med('memory', p, 'upload_mbps', 'polycache'))} / {fmt(med('memory', p, 'download_mbps', 'polycache'))} "
        f"| – | – | – | – |")
for p in params_of("scaling-conns", "rps"):
    row("8", f"scaling: GET {mib(param(p, 'size'))}, {param(p, 'conns')} conns", "scaling-conns", p, "rps", "req/s")
for p in params_of("scaling-conns", "p99"):
    row("8", f"scaling: GET {mib(param(p, 'size'))}, {param(p, 'conns')} conns", "scaling-conns", p, "p99", "p99 ms", 1)
for p in params_of("scaling-entries", "rps"):
    row("8", f"scaling: GET {mib(param(p, 'size'))}, {int(param(p, 'entries')):,} entries stored", "scaling-entries",
        p, "rps", "req/s")
for p in params_of("million", "rps"):
    what = f"GET {mib(param(p, 'size'))}, {int(param(p, 'entries')):,} entries stored, {param(p, 'conns')} conns"
    row("8", what + " (nginx: the same files)", "million", p, "rps", "req/s")
    row("8", what + " (nginx: the same files)", "million", p, "p99", "p99 ms", 1, higher_better=False)

if params_of("turbo-get", "rps") or params_of("turbo-put", "rps"):
    add("")
    add("The Turborepo protocol (row 9): the same wrk scripts, bodies, hashes and team against Polycache's "
        "`/turbo/v8` and turborepo-remote-cache's `/v8`. Bodies are opaque on this protocol: neither side "
        "verifies them.")
    add("")
    add("| request | conns | metric | Polycache | turborepo-remote-cache | Polycache / turbo |")
    add("|---|---:|---|---:|---:|---:|")
    for bench, verb in [("turbo-get", "GET"), ("turbo-put", "PUT")]:
        for p in sorted(params_of(bench, "rps"), key=lambda p: (int(param(p, "size")), int(param(p, "conns")))):
            what = f"{verb} {mib(param(p, 'size'))}"
            for metric, unit, digits in [("rps", "req/s", 0), ("p99", "p99 ms", 1)]:
                a, b = med(bench, p, metric, "polycache"), med(bench, p, metric, "turbo")
                add(f"| {what} | {param(p, 'conns')} | {unit} | {fmt(a, digits)} | {fmt(b, digits)} | {ratio(a, b)} |")

if params_of("jersey-cost", "rps"):
    add("")
    add("Experiment (not a product row): the same GET on the same embedded Tomcat, from the same files, "
        "through Polycache (its read filter behind the metrics, key and size-limit filters; Jersey before "
        "commit 746d408) and through a plain servlet (`bench/experiments/PlainGet.java`), bodies copied or, "
        "from 48 KiB, sent with Tomcat's sendfile, or, small ones, from memory after one read of each (a map "
        "lookup and the write: the most any application on this Tomcat can do for a small read), with nginx "
        "in the same rounds. Each server gets WARMUP seconds of warm-up here, not the adaptive warm-up of row 1.")
    add("")
    add("| request | metric | Polycache | plain servlet | plain servlet + sendfile | plain servlet from memory | nginx "
        "| plain / Polycache | sendfile / Polycache | memory / Polycache | Polycache / nginx | memory / nginx |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in params_of("jersey-cost", "rps"):
        what = "GET " + mib(param(p, "size")) + ", " + param(p, "conns") + " conn" + ("s" if param(p, "conns") != "1" else "")
        for metric, unit, digits in [("rps", "req/s", 0), ("mbps", "MB/s", 0), ("p99", "p99 ms", 1)]:
            if param(p, "what") == "small" and metric == "mbps":
                continue
            if param(p, "what") == "large" and metric == "rps":
                continue
            a, b, c, m, n = (med("jersey-cost", p, metric, s)
                             for s in ["polycache", "plain", "plain-sendfile", "plain-memory", "nginx"])
            add(f"| {what} | {unit} | {fmt(a, digits)} | {fmt(b, digits)} | {fmt(c, digits)} | {fmt(m, digits)} "
                f"| {fmt(n, digits)} | {ratio(b, a)} | {ratio(c, a)} | {ratio(m, a)} | {ratio(a, n)} | {ratio(m, n)} |")

add("")
add("Runs: " + "; ".join(
    f"{b} {', '.join(f'`{run}`' for run in sorted(runs[b], key=run_time))} "
    f"(1-min load before each measurement {min(loads[b]):.1f}–{max(loads[b]):.1f})"
    for b in sorted(runs)))
if errors:
    add("**Failed requests** (wrk's non-2xx answers and socket errors, over all rounds): the rows they belong to "
        "do not measure what they say. " + "; ".join(
            f"{b} {s} `{p}`: {int(n):,}" for (b, p, s), n in sorted(errors.items())))
commit = {r["commit"] for r in rows}
nproc = {r["nproc"] for r in rows}
add(f"Commit {', '.join(sorted(commit))}; nproc {', '.join(sorted(nproc))}. Medians over the interleaved rounds.")
table = "\n".join(lines)
print(table)

os.makedirs(os.path.join(BENCH_DIR, "results"), exist_ok=True)
with open(os.path.join(BENCH_DIR, "results", "latest.md"), "w") as f:
    f.write(table + "\n")

doc = os.path.join(REPO, "docs", "benchmarks.md")
if os.path.exists(doc):
    text = open(doc).read()
    start, end = "<!-- table:start -->", "<!-- table:end -->"
    if start in text and end in text:
        text = text[:text.index(start) + len(start)] + "\n" + table + "\n" + text[text.index(end):]
        open(doc, "w").write(text)

# ---- chart ------------------------------------------------------------------------------------
res = os.path.join(BENCH_DIR, "results")
with open(os.path.join(res, "chart-relative.dat"), "w") as f:
    f.write("# label polycache/nginx turbo/nginx\n")
    for label, p, t in chart:
        f.write(f'"{label}" {p:.4f} {t:.4f}\n')


def series(bench, name):
    out = collections.defaultdict(dict)
    for (b, p, m, s), v in values.items():
        if b == bench and m == "rps":
            out[int(param(p, name))][s] = statistics.median(v)
    return out


for bench, name in [("scaling-conns", "conns"), ("scaling-entries", "entries")]:
    data = series(bench, name)
    with open(os.path.join(res, f"chart-{bench}.dat"), "w") as f:
        f.write(f"# {name} " + " ".join(SERVERS) + "\n")
        for x in sorted(data):
            f.write(f"{x} " + " ".join(str(data[x].get(s, "NaN")) for s in SERVERS) + "\n")

gp = os.path.join(BENCH_DIR, "lib", "chart.gp")
png = os.path.join(REPO, "docs", "benchmarks.png")
try:
    subprocess.run(["gnuplot", "-e", f"resdir='{res}'; out='{png}'", gp], check=True)
    print(f"\nchart: {png}", file=sys.stderr)
except (OSError, subprocess.CalledProcessError) as e:
    print(f"no chart: {e}", file=sys.stderr)
