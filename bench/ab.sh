#!/usr/bin/env bash
# Two builds of Polycache side by side, interleaved round by round on the same machine, for a
# change's "no regression" check when the machine is not quiet enough for absolute figures:
# whatever else runs slows both alike. Rows: GET of 4 KiB artifacts (64 connections) and PUT of
# 4 KiB artifacts (8 connections), each after a warm-up. The builds go first by turns, round by
# round (use an even ROUNDS for a balanced run).
#
#   bench/ab.sh OLD.war NEW.war            prints one line per row and round, then the medians
#
# Settings (environment): ROUNDS=4, DURATION=10, WARMUP=60, ENTRIES=1000, PUT_CONNS=8 (connections of
# the PUT row; 1 shows an upload's latency alone), PUT_PROTOCOL=polykit (verified uploads to
# /v1/artifacts) or turbo (opaque uploads to /turbo/v8/artifacts, team "bench"), ports 38191 and 38192.
# Needs wrk, zstd and python3 (bench/run.sh installs them). Servers listen on 127.0.0.1, under
# `timeout`, and are stopped on exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
OLD=$(realpath "$1") NEW=$(realpath "$2")
ROUNDS=${ROUNDS:-4} DURATION=${DURATION:-10} WARMUP=${WARMUP:-60} ENTRIES=${ENTRIES:-1000} PUT_CONNS=${PUT_CONNS:-8}
case ${PUT_PROTOCOL:-polykit} in
    polykit) PUT_PATH=/v1/artifacts/ PUT_QUERY= ;;
    turbo) PUT_PATH=/turbo/v8/artifacts/ PUT_QUERY='?teamId=bench' ;;
    *) echo "PUT_PROTOCOL is polykit or turbo" >&2; exit 2 ;;
esac
PORTS=(38191 38192) WARS=("$OLD" "$NEW") NAMES=(old new)
ART=$BENCH_DIR/lib/artifacts.py
WORK=$(mktemp -d /tmp/polycache-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

for i in 0 1; do
    mkdir -p "$WORK/${NAMES[$i]}"
    timeout -k 10 3600 java -jar "${WARS[$i]}" --bind 127.0.0.1 --port "${PORTS[$i]}" \
        --storage-dir "$WORK/${NAMES[$i]}/storage" --public --log-level warn > "$WORK/${NAMES[$i]}/log" 2>&1 &
    PIDS+=($!)
done
for i in 0 1; do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:${PORTS[$i]}/health" >/dev/null && break; sleep 1; done
done

python3 "$ART" small "$WORK/small" "$ENTRIES" 4096 >/dev/null
python3 "$ART" large "$WORK/put" 4096 >/dev/null
for i in 0 1; do
    while read -r key; do
        printf 'url = "http://127.0.0.1:%s/v1/artifacts/%s"\nupload-file = "%s/small/%s.zst"\noutput = "/dev/null"\n' \
            "${PORTS[$i]}" "$key" "$WORK" "$key"
    done < "$WORK/small/keys.txt" > "$WORK/upload.cfg"
    curl -s --no-progress-meter --parallel --parallel-max 8 -w '%{http_code}\n' -K "$WORK/upload.cfg" | sort | uniq -c | tr '\n' ' '
    echo "<- uploads to ${NAMES[$i]}"
done

get() { wrk -t2 -c64 -d"$2s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" "http://127.0.0.1:$1" -- "$WORK/small/keys.txt" /v1/artifacts/; }
put() { wrk -t"$(( PUT_CONNS < 2 ? 1 : 2 ))" -c"$PUT_CONNS" -d"$2s" --timeout 30s -s "$BENCH_DIR/lib/put.lua" "http://127.0.0.1:$1" -- "$WORK/put" "$3" "$PUT_PATH" "$PUT_QUERY"; }
field() { grep '^BENCH' | tr ' ' '\n' | sed -n "s/^$1=//p"; }

for i in 0 1; do get "${PORTS[$i]}" "$WARMUP" >/dev/null; put "${PORTS[$i]}" "$WARMUP" "ffa$(openssl rand -hex 23 | cut -c1-45)" >/dev/null; done
declare -A results
for r in $(seq 1 "$ROUNDS"); do
    # The two go first by turns: the build measured second in a round had the lower PUT p99 in
    # 6 rounds of 6 whichever build it was (two A/Bs of the same pair, swapped), so a fixed order
    # would credit that to a build.
    order="0 1"; [ $((r % 2)) = 0 ] && order="1 0"
    for i in $order; do
        g=$(get "${PORTS[$i]}" "$DURATION" | field rps)
        line=$(put "${PORTS[$i]}" "$DURATION" "ffb$(openssl rand -hex 23 | cut -c1-45)")
        p=$(field rps <<< "$line"); p50=$(field p50_ms <<< "$line"); p99=$(field p99_ms <<< "$line"); e=$(field errors <<< "$line")
        # every PUT must be a 201 (a refused upload is not an upload)
        [ "$e" = 0 ] || { echo "round $r ${NAMES[$i]}: $e of the PUTs failed; stopping" >&2; exit 1; }
        results[get-$i]+="$g "; results[put-$i]+="$p "
        echo "round $r ${NAMES[$i]}: GET 4 KiB ${g} req/s, PUT 4 KiB (${PUT_PROTOCOL:-polykit}) ${p} uploads/s at $PUT_CONNS connections, p50 ${p50} ms, p99 ${p99} ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for row in get put; do
    o=$(echo "${results[$row-0]}" | median); n=$(echo "${results[$row-1]}" | median)
    echo "median $row: old $o, new $n, new/old $(awk -v o="$o" -v n="$n" 'BEGIN { printf "%.2f", n / o }')"
done
