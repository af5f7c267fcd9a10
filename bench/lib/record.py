#!/usr/bin/env python3
"""Appends one measured figure to bench/results/results.csv (creating it with a header).

usage: record.py CSV RUN_ID COMMIT LOADAVG BENCH SERVER PARAMS METRIC VALUE UNIT COMMAND
"""
import csv
import datetime
import os
import sys

FIELDS = ["run_id", "date", "commit", "nproc", "loadavg", "bench", "server", "params",
          "metric", "value", "unit", "command"]

path, run_id, commit, loadavg, bench, server, params, metric, value, unit, command = sys.argv[1:12]
new = not os.path.exists(path) or os.path.getsize(path) == 0
with open(path, "a", newline="") as f:
    w = csv.writer(f)
    if new:
        w.writerow(FIELDS)
    w.writerow([run_id, datetime.datetime.now().astimezone().isoformat(timespec="seconds"), commit,
                os.cpu_count(), loadavg, bench, server, params, metric, value, unit, command])
