#!/usr/bin/env bash
# The cost of one janitor round (shared-store retention) over N entries on S3Proxy 4.0:
# a round with nothing to evict, then one evicting a tenth. Run under the bench lock:
#   flock /work/bench.lock nice -n -5 bench/janitor-round.sh 10000
# Appends to bench/results/janitor-round.csv: date,commit,nproc,loadavg,what,entries,evicted,ms,requests
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
mvn -B -q -o -DskipTests test-compile
[ -f target/s3proxy/s3proxy.jar ] || mvn -B -q -o process-test-resources
CP="target/classes:target/test-classes:$(mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
OUT=bench/results/janitor-round.csv
[ -f "$OUT" ] || echo "date,commit,nproc,loadavg,what,entries,evicted,ms,requests" > "$OUT"
PREFIX="$(date -u +%FT%TZ),$(git rev-parse --short HEAD),$(nproc),$(cut -d' ' -f1 /proc/loadavg)"
java -Xmx1g -cp "$CP" io.polycache.store.s3.JanitorRoundBench "$N" "$DIR" | while IFS= read -r line; do
  echo "$PREFIX,$line" | tee -a "$OUT"
done
