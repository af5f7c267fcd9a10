#!/usr/bin/env bash
# Soak: 3 minutes of mixed load on Polycache with -Xmx256m -XX:+AlwaysPreTouch (not a test).
#
#   bench/soak.sh [SECONDS=180] [THREADS=16]
#
# Hits, misses, HEADs, new uploads, repeated uploads (409) and /health + /v1/stats, from
# bench/lib/soak.py. Reports the errors (must be 0: any unexpected status or connection error)
# and the server's RSS every 5 s, which must level off. Appends one summary row to
# bench/results/soak.csv (date,commit,nproc,loadavg,seconds,threads,requests,errors,rss first/max/last
# in KiB) and keeps the series in bench/results/soak-<run>.csv.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"
SOAK_SECONDS=${1:-180}
SOAK_THREADS=${2:-16}
SOAK_PORT=${SOAK_PORT:-38189}
SOAK_ARTIFACTS=${SOAK_ARTIFACTS:-4000}   # half stored first, half uploaded during the load

command -v zstd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zstd >/dev/null; }
mkdir -p "$RUN_DIR" "$BENCH_DIR/results"
trap cleanup EXIT
trap 'exit 130' INT TERM
ensure_war

GEN=$WORK_DIR/soak-gen-$RUN_ID
mkdir -p "$GEN"
log "generating $SOAK_ARTIFACTS artifacts of about 4 KiB and 64 KiB"
python3 "$BENCH_DIR/lib/artifacts.py" small "$GEN" $((SOAK_ARTIFACTS * 3 / 4)) 4096 >/dev/null
# COUNT is the total the folder should hold: the second call adds a quarter of 64 KiB ones.
python3 "$BENCH_DIR/lib/artifacts.py" small "$GEN" "$SOAK_ARTIFACTS" 65536 >/dev/null
shuf "$GEN/keys.txt" -o "$GEN/keys.txt" --random-source=<(yes)

start_polycache soak "$SOAK_PORT" "$RUN_DIR/store" -Xmx256m -XX:+AlwaysPreTouch
PID=$(server_pid soak)
SERIES=$BENCH_DIR/results/soak-$RUN_ID.csv
log "load: $SOAK_SECONDS s, $SOAK_THREADS threads, load average $(loadavg)"
set +e
python3 "$BENCH_DIR/lib/soak.py" "$SOAK_PORT" "$SOAK_SECONDS" "$SOAK_THREADS" "$GEN" "$PID" "$SERIES" | tee "$RUN_DIR/soak.out"
STATUS=${PIPESTATUS[0]}
set -e
SUMMARY=$(grep '^summary:' "$RUN_DIR/soak.out" || echo "summary: none")
REQUESTS=$(sed -n 's/^summary: \([0-9]*\) requests.*/\1/p' <<< "$SUMMARY")
ERRORS=$(sed -n 's/.*, \([0-9]*\) errors,.*/\1/p' <<< "$SUMMARY")
RSS=$(awk -F, 'NR==2{first=$2} NR>1{if($2>max)max=$2; last=$2} END{print first "," max "," last}' "$SERIES")
OUT=$BENCH_DIR/results/soak.csv
[ -f "$OUT" ] || echo "date,commit,nproc,loadavg,seconds,threads,requests,errors,rss_first_kib,rss_max_kib,rss_last_kib" > "$OUT"
echo "$(date -u +%FT%TZ),$COMMIT,$(nproc),$(cut -d' ' -f1 /proc/loadavg),$SOAK_SECONDS,$SOAK_THREADS,${REQUESTS:-0},${ERRORS:-?},$RSS" | tee -a "$OUT"
grep -c 'SEVERE\|Exception' "$RUN_DIR/soak.log" | sed 's/^/server log lines with SEVERE or Exception: /' >&2 || true
rm -rf "$GEN"
exit "$STATUS"
