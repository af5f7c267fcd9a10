#!/usr/bin/env bash
# Small GETs from a storage directory of many entries: two builds of Polycache and nginx serving
# the very same entry files, interleaved round by round (issue 19, goal 1, on a machine that is
# not quiet). The entries are placed by `lib/artifacts.py mass` (bench/startup.sh leaves a million
# in /tmp/polycache-startup); both builds serve them through a storage directory of their own
# whose entries/ is a link to the shared one (reads only: one directory, one process is the rule
# for writes), and nginx from the same files by their shard path (`alias .../entries/polykit/`,
# `GET /e/aa/bb/<key>`; nginx sends the file whole, so its responses carry the ~90-byte entry
# trailer on top of the 4 KiB body: 2% more bytes than Polycache's).
#
#   flock /work/bench.lock bench/reads-ab.sh OLD.war NEW.war STORAGE KEYS PATHS [COUNT]
#
# KEYS and PATHS: mass-keys.txt and mass-paths.txt; COUNT: read only the first COUNT keys (the
# whole store stays there). Settings: ROUNDS=3, DURATION=10, WARMUP=60, CONNS=64, ports
# 38193-38195; OLD_OPTS and NEW_OPTS: JVM options of each build (the same WAR twice with two
# settings is an A/B of the setting). Prints one line per server and round, then the medians and ratios.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
OLD=$(realpath "$1") NEW=$(realpath "$2") STORAGE=$(realpath "$3") KEYS=$4 PATHS=$5 COUNT=${6:-0}
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10} WARMUP=${WARMUP:-60} CONNS=${CONNS:-64}
WORK=$(mktemp -d /tmp/polycache-reads-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
if [ "$COUNT" -gt 0 ]; then
    head -n "$COUNT" "$KEYS" > "$WORK/keys.txt"; head -n "$COUNT" "$PATHS" > "$WORK/paths.txt"
else
    cp "$KEYS" "$WORK/keys.txt"; cp "$PATHS" "$WORK/paths.txt"
fi
entries=$(wc -l < "$WORK/keys.txt")
chmod -R a+rX "$STORAGE/entries"

NAMES=(old new nginx) PORTS=(38193 38194 38195)
for i in 0 1; do
    mkdir -p "$WORK/${NAMES[$i]}/storage"
    ln -s "$STORAGE/entries" "$WORK/${NAMES[$i]}/storage/entries"
    war=$OLD opts=${OLD_OPTS:-}; [ "$i" = 1 ] && war=$NEW opts=${NEW_OPTS:-}
    # shellcheck disable=SC2086 # options are words
    timeout -k 10 3600 java $opts -jar "$war" --bind 127.0.0.1 --port "${PORTS[$i]}" \
        --storage-dir "$WORK/${NAMES[$i]}/storage" --public --log-level warn > "$WORK/${NAMES[$i]}/log" 2>&1 &
    PIDS+=($!)
done
mkdir -p "$WORK/nginx/logs"
# shellcheck source=lib/nginx.sh
source "$BENCH_DIR/lib/nginx.sh"
nginx_static_conf "$WORK/nginx" "${PORTS[2]}" /e/ "$STORAGE/entries/polykit" > "$WORK/nginx/nginx.conf"
timeout -k 10 3600 /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' > "$WORK/nginx/out" 2>&1 &
PIDS+=($!)
for i in 0 1; do
    for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:${PORTS[$i]}/health" >/dev/null && break; sleep 1; done
    curl -sf "http://127.0.0.1:${PORTS[$i]}/health" >/dev/null || { echo "${NAMES[$i]} did not start" >&2; exit 1; }
done
k=$(head -1 "$WORK/keys.txt") p=$(head -1 "$WORK/paths.txt")
for url in "http://127.0.0.1:${PORTS[0]}/v1/artifacts/$k" "http://127.0.0.1:${PORTS[1]}/v1/artifacts/$k" "http://127.0.0.1:${PORTS[2]}/e/$p"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] || { echo "no 200 from $url" >&2; exit 1; }
done

get() { # index seconds
    local list=$WORK/keys.txt prefix=/v1/artifacts/
    [ "$1" = 2 ] && list=$WORK/paths.txt prefix=/e/
    wrk -t2 -c"$CONNS" -d"$2s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" "http://127.0.0.1:${PORTS[$1]}" -- "$list" "$prefix"
}
field() { grep '^BENCH' | tr ' ' '\n' | sed -n "s/^$1=//p"; }
for i in 0 1 2; do get "$i" "$WARMUP" > /dev/null; done
declare -A rps p99
for r in $(seq 1 "$ROUNDS"); do
    for i in 0 1 2; do
        line=$(get "$i" "$DURATION")
        rps[$i]+="$(field rps <<< "$line") "; p99[$i]+="$(field p99_ms <<< "$line") "
        echo "round $r ${NAMES[$i]}: $(field rps <<< "$line") req/s, p50 $(field p50_ms <<< "$line") ms, p99 $(field p99_ms <<< "$line") ms, errors $(field errors <<< "$line") ($entries entries read of $(wc -l < "$KEYS") stored, $CONNS connections, load $(cut -d' ' -f1-3 /proc/loadavg))"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
o=$(median <<< "${rps[0]}") n=$(median <<< "${rps[1]}") x=$(median <<< "${rps[2]}")
po=$(median <<< "${p99[0]}") pn=$(median <<< "${p99[1]}") px=$(median <<< "${p99[2]}")
echo "median req/s: old $o, new $n, nginx $x; new/old $(awk -v a="$n" -v b="$o" 'BEGIN{printf "%.2f", a/b}'), new/nginx $(awk -v a="$n" -v b="$x" 'BEGIN{printf "%.2f", a/b}'), old/nginx $(awk -v a="$o" -v b="$x" 'BEGIN{printf "%.2f", a/b}')"
echo "median p99 ms: old $po, new $pn, nginx $px"
