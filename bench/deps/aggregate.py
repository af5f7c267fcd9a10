#!/usr/bin/env python3
"""Merge hyperfine --export-json files from interleaved rounds: per command, the mean, sample
standard deviation, min, max and count of every run. Prints TSV: command, mean, stddev, min, max, n."""
import json, statistics, sys
times = {}
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
for cmd, t in times.items():
    sd = statistics.stdev(t) if len(t) > 1 else 0.0
    print(f"{cmd}\t{statistics.mean(t):.4f}\t{sd:.4f}\t{min(t):.4f}\t{max(t):.4f}\t{len(t)}")
