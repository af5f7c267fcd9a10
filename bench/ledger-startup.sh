#!/usr/bin/env bash
# Start-up accounting cost: snapshot load of N entries, and a scan of M artifacts on disk.
# Usage: bench/ledger-startup.sh [N=1000000] [M=100000]
# Appends to bench/results/ledger-startup.csv: date,commit,nproc,loadavg,what,entries,ms
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
M=${2:-100000}
mvn -B -q -DskipTests test-compile
CP="target/classes:target/test-classes:$(mvn -B -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
OUT=bench/results/ledger-startup.csv
[ -f "$OUT" ] || echo "date,commit,nproc,loadavg,what,entries,ms" > "$OUT"
PREFIX="$(date -u +%FT%TZ),$(git rev-parse --short HEAD),$(nproc),$(cut -d' ' -f1 /proc/loadavg)"
java -Xmx1g -cp "$CP" io.polycache.bench.LedgerStartup "$N" "$M" "$DIR" | while IFS= read -r line; do
  echo "$PREFIX,$line" | tee -a "$OUT"
done
