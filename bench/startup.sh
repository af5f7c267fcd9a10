#!/usr/bin/env bash
# Start-up with many entries (issue 19, goal 5): time from launching the WAR to the first
# GET of a stored entry answered 200, on a storage directory of N entries (4 KiB Polykit
# artifacts placed by `lib/artifacts.py mass`), after a clean stop and after kill -9; also how
# long the background work after it takes (store scan, check of recent entries), from the log.
#
#   flock /work/bench.lock bench/startup.sh [N=1000000]
#
# The storage directory is kept in $WORK_DIR (default /tmp/polycache-startup) for the next run
# and for `bench/run.sh` rows that want a million entries (KEEP=0 removes it). Appends to
# bench/results/startup.csv: date,commit,nproc,loadavg,entries,case,metric,ms. ROUNDS=2 (clean and kill -9 starts each).
# WAR=FILE times another build (e.g. main's, built once into a file); COMMIT=HASH then names it
# in the CSV (default: the checkout the script runs from).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
N=${1:-1000000}
WAR=$(realpath "${WAR:-$REPO/target/polycache.war}")
WORK_DIR=${WORK_DIR:-/tmp/polycache-startup}
PORT=${PORT:-38187}
ART=$BENCH_DIR/lib/artifacts.py
OUT=$BENCH_DIR/results/startup.csv
STORAGE=$WORK_DIR/storage-$N
PID=   # the JVM (not the `timeout` around it: a signal to that would not reach the JVM in time)
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
    [ "${KEEP:-1}" = 1 ] || rm -rf "$WORK_DIR"
}
trap cleanup EXIT
[ -f "$OUT" ] || echo "date,commit,nproc,loadavg,entries,case,metric,ms" > "$OUT"
COMMIT=${COMMIT:-$(git -C "$REPO" rev-parse --short HEAD)}
record() { # case metric ms
    echo "$(date -u +%FT%TZ),$COMMIT,$(nproc),$(cut -d' ' -f1 /proc/loadavg),$N,$1,$2,$3" | tee -a "$OUT"
}
now_ms() { date +%s%3N; }

mkdir -p "$WORK_DIR"
if [ ! -f "$STORAGE.done" ]; then
    rm -rf "$STORAGE" "$WORK_DIR/mass-keys.txt" "$WORK_DIR/mass-paths.txt"
    python3 "$ART" small "$WORK_DIR/small" 200 4096 > /dev/null
    t0=$(now_ms)
    python3 "$ART" mass "$WORK_DIR/small" "$N" "$STORAGE"
    echo "placed $N entries in $(( $(now_ms) - t0 )) ms"
    chmod -R a+rX "$STORAGE/entries" # bench/run.sh million: nginx's workers read them as nobody
    touch "$STORAGE.done"
fi
KEYS=$WORK_DIR/mass-keys.txt

# launch LOG: starts the server; sets PID (the JVM's) and LAUNCHED (ms)
launch() {
    local wrapper
    for _ in $(seq 1 600); do ss -ltn "sport = :$PORT" | grep -q LISTEN || break; sleep 0.1; done
    LAUNCHED=$(now_ms)
    timeout -k 10 1800 java -jar "$WAR" --bind 127.0.0.1 --port "$PORT" --storage-dir "$STORAGE" --public \
        > "$1" 2>&1 &
    wrapper=$!
    PID=
    for _ in $(seq 1 200); do PID=$(pgrep -P "$wrapper" java || true); [ -n "$PID" ] && break; sleep 0.01; done
    [ -n "$PID" ] || { echo "no JVM under $wrapper" >&2; exit 1; }
}
# gone: waits until the JVM has exited
gone() { while kill -0 "$PID" 2>/dev/null; do sleep 0.02; done; }
# first_read: ms from launch to the first 200 of a GET of a random stored entry
first_read() {
    local key url
    key=$(shuf -n 1 "$KEYS")
    url="http://127.0.0.1:$PORT/v1/artifacts/$key"
    for _ in $(seq 1 6000); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; then
            echo $(( $(now_ms) - LAUNCHED ))
            return
        fi
        kill -0 "$PID" 2>/dev/null || { echo "server died" >&2; exit 1; }
        sleep 0.02
    done
    echo "no read in 120 s" >&2
    exit 1
}
# wait_log LOG PATTERN: ms from launch until PATTERN appears in LOG (up to 20 minutes)
wait_log() {
    for _ in $(seq 1 12000); do
        grep -q "$2" "$1" && { echo $(( $(now_ms) - LAUNCHED )); return; }
        sleep 0.1
    done
    echo "no '$2' in 20 minutes" >&2
    exit 1
}
stop() {
    local t0
    t0=$(now_ms)
    kill -TERM "$PID"
    gone
    PID=
    echo $(( $(now_ms) - t0 ))
}

log=$WORK_DIR/server.log
if [ ! -f "$STORAGE/ledger.snapshot" ]; then
    # a store the ledger has never seen: scanned in the background (like after a crash)
    launch "$log"
    record first-start first-read "$(first_read)"
    record first-start scan-done "$(wait_log "$log" 'Store scan accounted')"
    record first-start clean-stop "$(stop)"
fi

for round in $(seq 1 "${ROUNDS:-2}"); do
    launch "$log"
    record clean first-read "$(first_read)"
    record clean ledger-loaded "$(wait_log "$log" 'Ledger loaded')" # in the background since issue 19
    grep -o 'Ledger loaded: .*' "$log" | head -1
    record clean clean-stop "$(stop)"

    launch "$log"
    first_read > /dev/null
    sleep 2
    kill -9 "$PID"; gone; PID=
    launch "$log"
    record kill-9 first-read "$(first_read)"
    record kill-9 scan-done "$(wait_log "$log" 'Store scan accounted')"
    record kill-9 recent-checked "$(wait_log "$log" 'After an unclean stop')"
    grep -o 'After an unclean stop: .*' "$log" | head -1
    grep -o 'Store scan accounted .*' "$log" | head -1
    record kill-9 clean-stop "$(stop)"
done
