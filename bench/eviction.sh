#!/usr/bin/env bash
# Eviction on the write path: a cache bounded at CACHE (2g) is filled past its limit with 4 KiB
# artifacts, so that it evicts all along, then takes 1 MiB uploads, each of which must evict
# about two hundred of the small entries. Uploads go to the Turborepo path (opaque bodies, no
# verification), so the figures are the store's and its eviction's. Each WAR runs in turn on a
# fresh storage directory; whatever else runs slows both alike, so compare builds in one run.
#
#   bench/eviction.sh A.war [B.war ...]     one block of BENCH lines per WAR
#
# Settings (environment): CACHE=2g, FILL=60 (s of 4 KiB uploads, 8 connections), ROUNDS=3 and
# DURATION=12 (s of 1 MiB uploads, 4 connections, per round), port 38193.
# Needs wrk, zstd and python3 (bench/run.sh installs them). The server listens on 127.0.0.1,
# under `timeout`, and is stopped on exit. The storage directories are deleted at the end, not
# between WARs: hundreds of thousands of deletions slow the file creations right after them.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
CACHE=${CACHE:-2g} FILL=${FILL:-60} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-12} PORT=38193
ART=$BENCH_DIR/lib/artifacts.py
WORK=$(mktemp -d /tmp/polycache-eviction.XXXXXX)
PID=
cleanup() { [ -z "$PID" ] || kill "$PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

for size in 4096 1048576; do python3 "$ART" large "$WORK/parts-$size" "$size" > /dev/null; done
run_id() { echo "ffb$(openssl rand -hex 23 | cut -c1-45)"; }
put() { # put SIZE CONNS SECONDS: prints wrk's BENCH line
    wrk -t2 -c"$2" -d"$3s" --timeout 60s -s "$BENCH_DIR/lib/put.lua" "http://127.0.0.1:$PORT" -- \
        "$WORK/parts-$1" "$(run_id)" /turbo/v8/artifacts/ "?teamId=bench" | grep '^BENCH'
}
figures() {
    curl -s "http://127.0.0.1:$PORT/metrics" \
        | awk '/^polycache_evictions_total / { e = $2 } /^polycache_storage_entries\{kind="entry"\}/ { n = $2 }
               /^polycache_storage_used_bytes / { u = $2 } END { printf "evictions %d, entries %d, used %.0f MB\n", e, n, u / 1e6 }'
}

n=0
for war in "$@"; do
    n=$((n + 1)) store=$WORK/store-$n
    timeout -k 5 $(( FILL + ROUNDS * DURATION + 300 )) java -jar "$war" --bind 127.0.0.1 --port "$PORT" \
        --storage-dir "$store" --public --max-cache-size "$CACHE" --log-level warn > "$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.5; done
    echo "== $war (cache $CACHE)"
    echo "fill, 4 KiB, 8 conns, ${FILL}s: $(put 4096 8 "$FILL")"
    echo "after the fill: $(figures)"
    for r in $(seq 1 "$ROUNDS"); do
        echo "1 MiB, 4 conns, ${DURATION}s, round $r: $(put 1048576 4 "$DURATION")"
    done
    echo "at the end: $(figures)"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
