#!/usr/bin/env bash
# The S3 tier against its two references, all on 127.0.0.1 (issue 19, goal 6):
#   warm: GET of 4 KiB Polykit artifacts (random key, 64 connections, wrk) from a node over an
#         S3Proxy 4.0.0 bucket whose local tier holds them all, against a node on its own disk
#         holding the same artifacts (goal: within 10%);
#   cold: every one of COLD_ENTRIES artifacts read once (curl --parallel, COLD_PARALLEL at a time)
#         through a node over the bucket whose local tier was just emptied (every read a GET of
#         the object, verified, written to the local tier and served), against the same objects
#         read straight from S3Proxy with presigned URLs (goal: >= 0.9x S3Proxy's own GET). Each
#         round restarts the node (to empty its tier) and first reads another COLD_ENTRIES keys
#         once through both, unmeasured, so that neither JVM is measured before its JIT warmed up.
# Both in ROUNDS interleaved rounds; S3 requests per cold read counted from S3Proxy's metrics.
#
#   mvn -B -q -DskipTests package            # the WAR, and S3Proxy's jar in target/s3proxy/
#   flock /work/bench.lock nice -n -5 bench/scaling/s3-tier.sh
#
# Settings (environment): ENTRIES (1000, warm), COLD_ENTRIES (5000), COLD_PARALLEL (16),
# ROUNDS (3), DURATION (10 s per warm run), WARMUP (30 s per node first), NODE_XMX (512m).
# A/B of the cold read: WAR_B="other.war ..." adds, in every round, the same cold read through a
# node started from each of those WARs (rows "polycache-s3@<file name>", before the node from
# target/, each after its own warm-up reads); WAR_A=path.war replaces target/polycache.war (copy
# it, so that a build during the run changes nothing). WARM=0 leaves the warm rows out. PROFILE=cpu|wall attaches
# async-profiler (bench/profile.sh fetches it) to the node from target/ during its measured cold
# reads only; the split goes to bench/results/profile-async-<run>-s3-cold-<round>.txt.
# Results are appended to bench/results/s3-tier.csv, each row with the load average before it.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(dirname "$BENCH_DIR")
WORK_DIR=${WORK_DIR:-/tmp/polycache-bench-s3-tier}
RESULTS=${RESULTS:-$BENCH_DIR/results/s3-tier.csv}
WARMUP=${WARMUP:-30}
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"

ENTRIES=${ENTRIES:-1000}
COLD_ENTRIES=${COLD_ENTRIES:-5000}
COLD_PARALLEL=${COLD_PARALLEL:-16}
NODE_XMX=${NODE_XMX:-512m}
S3_PORT=${S3_PORT:-38291}
S3_METRICS_PORT=${S3_METRICS_PORT:-38292}
DISK_PORT=${DISK_PORT:-38293}
NODE_PORT=${NODE_PORT:-38294}
PREFIX=bench-$RUN_ID/
# shellcheck source=../lib/s3.sh
source "$BENCH_DIR/lib/s3.sh"

WARM=${WARM:-1}
WAR_B=${WAR_B:-}
WAR=${WAR_A:-$WAR}
PROFILE=${PROFILE:-}
for war in $WAR_B; do [ -f "$war" ] || die "$war (WAR_B) is missing"; done
AP_LIB=$BENCH_DIR/.peers/async-profiler-3.0/linux-x64/libasyncProfiler.so
if [ -n "$PROFILE" ]; then
    [ -f "$AP_LIB" ] || die "no $AP_LIB: run bench/profile.sh once (it fetches async-profiler 3.0)"
    command -v jcmd >/dev/null || die "jcmd is missing"
fi

# node_up [WAR]: (re)starts the node over the bucket (from target/ or WAR), its local tier empty.
node_up() {
    stop_server s3node
    rm -rf "$RUN_DIR/s3node/local-tier"
    local war=$WAR
    WAR=${1:-$WAR}
    start_node s3node "$NODE_PORT" "$PREFIX" --polycache.s3.retention=none
    WAR=$war
    wait_http "http://127.0.0.1:$NODE_PORT/health"
}

# profiler start|stop FILE: async-profiler in the running node (attached by jcmd), PROFILE mode.
profiler() {
    local opts
    if [ "$1" = start ]; then opts="start,event=$PROFILE,interval=1ms,file=$2"; else opts="stop,collapsed,file=$2"; fi
    jcmd "$(server_pid s3node)" JVMTI.agent_load "$AP_LIB" "\"$opts\"" > /dev/null
}

# read_once NAME URLS_FILE: GETs every URL once, COLD_PARALLEL at a time; prints
# "rate p50_ms p99_ms" and dies on anything but 200.
read_once() {
    local name=$1 urls=$2 cfg out t0 t1 bad
    cfg=$RUN_DIR/read-once-$name.cfg
    sed 's|.*|url = "&"\noutput = "/dev/null"|' "$urls" > "$cfg"
    t0=$(date +%s.%N)
    out=$(curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$COLD_PARALLEL" \
        -w '%{http_code} %{time_total}\n' -K "$cfg")
    t1=$(date +%s.%N)
    bad=$(awk '$1 != 200' <<< "$out" | wc -l)
    [ "$bad" = 0 ] || die "$bad reads of $name failed: $(awk '{ print $1 }' <<< "$out" | sort | uniq -c | tr '\n' ' ')"
    awk '{ print $2 * 1000 }' <<< "$out" | sort -n | awk -v n="$(wc -l < "$urls")" -v a="$t0" -v z="$t1" '
        { ms[NR] = $1 }
        END { printf "%.0f %.2f %.2f\n", n / (z - a), ms[int(NR * 0.5) + 1], ms[int(NR * 0.99) + 1] }'
}

python3 "$ART" small "$SMALL_DIR" $((2 * COLD_ENTRIES)) "$SMALL_SIZE"
head -n "$ENTRIES" "$SMALL_DIR/keys.txt" > "$RUN_DIR/keys.txt"
head -n $((2 * COLD_ENTRIES)) "$SMALL_DIR/keys.txt" > "$RUN_DIR/bucket-keys.txt"
head -n "$COLD_ENTRIES" "$RUN_DIR/bucket-keys.txt" > "$RUN_DIR/cold-keys.txt"
tail -n "$COLD_ENTRIES" "$RUN_DIR/bucket-keys.txt" > "$RUN_DIR/warmup-keys.txt"
start_s3proxy
[ "$WARM" != 1 ] || start_polycache disk "$DISK_PORT" "$RUN_DIR/disk" -Xmx"$NODE_XMX"
node_up
log "S3Proxy, a node on its disk (:$DISK_PORT) and a node over the bucket (:$NODE_PORT) are up"

[ "$WARM" != 1 ] || PC_PORT=$DISK_PORT upload_files polycache "$RUN_DIR/keys.txt" "$SMALL_DIR"
PC_PORT=$NODE_PORT upload_files polycache "$RUN_DIR/bucket-keys.txt" "$SMALL_DIR"
log "$ENTRIES artifacts on the disk node, $((2 * COLD_ENTRIES)) in the bucket"

sed "s|.*|http://127.0.0.1:$NODE_PORT/v1/artifacts/&|" "$RUN_DIR/cold-keys.txt" > "$RUN_DIR/node-urls.txt"
sed "s|.*|http://127.0.0.1:$NODE_PORT/v1/artifacts/&|" "$RUN_DIR/warmup-keys.txt" > "$RUN_DIR/node-warmup-urls.txt"
sed "s|.*|http://127.0.0.1:$NODE_PORT/v1/artifacts/&|" "$RUN_DIR/keys.txt" > "$RUN_DIR/warm-urls.txt"

# ---- cold: a fresh node per round against S3Proxy itself ------------------------------------
peers_cold=""
for war in $WAR_B; do peers_cold="$peers_cold polycache-s3@$war"; done
peers_cold="$peers_cold polycache-s3 s3proxy"
for round in $(seq 1 "$ROUNDS"); do
    # presigned for this round (they expire after an hour)
    python3 "$BENCH_DIR/lib/presign.py" "http://127.0.0.1:$S3_PORT" "$BUCKET" "${PREFIX}entries/polykit/" \
        "$RUN_DIR/cold-keys.txt" > "$RUN_DIR/s3-urls.txt"
    python3 "$BENCH_DIR/lib/presign.py" "http://127.0.0.1:$S3_PORT" "$BUCKET" "${PREFIX}entries/polykit/" \
        "$RUN_DIR/warmup-keys.txt" > "$RUN_DIR/s3-warmup-urls.txt"
    for peer in $peers_cold; do
        tag=$(tr '/@' '__' <<< "$peer")
        case $peer in
            polycache-s3@*) node_up "${peer#*@}"; read_once warmup-polycache-s3-b "$RUN_DIR/node-warmup-urls.txt" > /dev/null ;;
            polycache-s3) node_up; read_once warmup-polycache-s3 "$RUN_DIR/node-warmup-urls.txt" > /dev/null ;;
            s3proxy) read_once warmup-s3proxy "$RUN_DIR/s3-warmup-urls.txt" > /dev/null ;;
        esac
        before=$(loadavg)
        s3_counts > "$RUN_DIR/s3.before"
        if [ "$peer" = s3proxy ]; then
            read -r rate p50 p99 < <(read_once "$peer" "$RUN_DIR/s3-urls.txt")
        elif [ "$peer" = polycache-s3 ] && [ -n "$PROFILE" ]; then
            profiler start "$RUN_DIR/s3-cold-$round.collapsed"
            read -r rate p50 p99 < <(read_once "$tag" "$RUN_DIR/node-urls.txt")
            profiler stop "$RUN_DIR/s3-cold-$round.collapsed"
            { echo "# async-profiler $PROFILE 1 ms, s3-cold (the node's measured cold reads), run $RUN_ID round $round, commit $COMMIT, load $before"
              echo "BENCH requests=$COLD_ENTRIES ($rate reads/s, $COLD_PARALLEL in parallel)"
              python3 "$BENCH_DIR/lib/collapsed_top.py" "$RUN_DIR/s3-cold-$round.collapsed" "$COLD_ENTRIES"
            } > "$BENCH_DIR/results/profile-async-$RUN_ID-s3-cold-$round.txt"
            [ "${BENCH_KEEP:-0}" != 1 ] || log "collapsed stacks: $RUN_DIR/s3-cold-$round.collapsed"
        else
            read -r rate p50 p99 < <(read_once "$tag" "$RUN_DIR/node-urls.txt")
        fi
        s3_counts > "$RUN_DIR/s3.after"
        delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
        params="size=$SMALL_SIZE;entries=$COLD_ENTRIES;parallel=$COLD_PARALLEL;round=$round"
        label=$peer
        case $peer in
            polycache-s3@*) label=polycache-s3; params="$params;war=$(basename "${peer#*@}")" ;;
            polycache-s3) [ -z "${WAR_A:-}" ] || params="$params;war=$(basename "$WAR_A")" ;;
        esac
        cmd="curl --parallel --parallel-max $COLD_PARALLEL, each of $COLD_ENTRIES keys once; S3: $delta"
        log "cold $peer round $round: $rate reads/s, p50 $p50 ms, p99 $p99 ms; S3 $delta (load $before)"
        record s3-tier-cold "$label" "$params" rps "$rate" req/s "$cmd" "$before"
        record s3-tier-cold "$label" "$params" p50 "$p50" ms "$cmd" "$before"
        record s3-tier-cold "$label" "$params" p99 "$p99" ms "$cmd" "$before"
        record s3-tier-cold "$label" "$params" GetObject \
            "$(awk -v a="$(s3_op_count "$delta" GetObject)" -v n="$COLD_ENTRIES" 'BEGIN { printf "%.2f", a / n }')" \
            requests/read "$cmd" "$before"
    done
done
[ "$WARM" = 1 ] || { log "done (WARM=0: no warm rows); results in $RESULTS"; exit 0; }

# ---- warm: the local tier against the disk node, interleaved --------------------------------
read_once warm-fill "$RUN_DIR/warm-urls.txt" > /dev/null   # every warm key into the local tier
for port in $DISK_PORT $NODE_PORT; do
    PC_PORT=$port
    mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 64 "$WARMUP")
    wrk "${args[@]}" > /dev/null
done
s3_counts > "$RUN_DIR/s3.before"
for round in $(seq 1 "$ROUNDS"); do
    for peer in polycache-disk polycache-s3; do
        if [ "$peer" = polycache-disk ]; then PC_PORT=$DISK_PORT; else PC_PORT=$NODE_PORT; fi
        mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 64 "$DURATION")
        run_wrk s3-tier-warm "$peer" "size=$SMALL_SIZE;entries=$ENTRIES;conns=64;round=$round" 0 "${args[@]}"
    done
done
s3_counts > "$RUN_DIR/s3.after"
delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
log "S3 requests during the warm runs: $delta"
record s3-tier-warm polycache-s3 "entries=$ENTRIES;rounds=$ROUNDS" GetObject \
    "$(s3_op_count "$delta" GetObject)" requests "the warm wrk runs above; S3: $delta" "$(loadavg)"
log "done; results in $RESULTS"
