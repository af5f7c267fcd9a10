#!/usr/bin/env bash
# CPU profiles of Polycache with async-profiler: Java, JVM and kernel frames, one sample per
# millisecond of CPU on any thread (JFR, in `bench/run.sh profile`, sees only Java code running
# on Java threads, so a syscall, an fsync or a native SHA-256 is invisible to it).
#
#   bench/profile.sh [small-get] [small-put] [large-put] [turbo-put]   (default: the first three)
#
# For each load: Polycache starts with the profiler attached, gets the load (warm-up included:
# the JIT's share shows as its own role), stops; bench/lib/collapsed_top.py writes the split by
# thread role and by activity to bench/results/profile-async-<run>-<load>.txt. Not timed and
# not part of `bench/run.sh all`: run it on its own, on a quiet machine.
# async-profiler 3.0 comes from Maven Central (tools.profiler:async-profiler), into bench/.peers.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
source "$BENCH_DIR/lib/common.sh"
ART=$BENCH_DIR/lib/artifacts.py
PORT=${PROFILE_PORT:-38187}
SECONDS_OF_LOAD=${PROFILE_SECONDS:-60}
AP_VERSION=3.0
AP_LIB=$BENCH_DIR/.peers/async-profiler-$AP_VERSION/linux-x64/libasyncProfiler.so

ensure_profiler() {
    [ -f "$AP_LIB" ] && return 0
    local jar=$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
    [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION
    mkdir -p "$(dirname "$(dirname "$AP_LIB")")"
    (cd "$(dirname "$(dirname "$AP_LIB")")" && unzip -q -o "$jar" 'linux-x64/*')
    [ -f "$AP_LIB" ] || die "no $AP_LIB in $jar"
}

# put_keys FILE DIR: PUT DIR/<key>.zst for every key in FILE, 8 at a time.
put_keys() {
    local cfg=$RUN_DIR/put.cfg key
    while read -r key; do
        printf 'url = "http://127.0.0.1:%s/v1/artifacts/%s"\nupload-file = "%s/%s.zst"\noutput = "/dev/null"\n' \
            "$PORT" "$key" "$2" "$key"
    done < "$1" > "$cfg"
    local codes
    codes=$(curl -s --no-progress-meter --parallel --parallel-max 8 -H "Content-Type: application/octet-stream" -w '%{http_code}\n' -K "$cfg")
    [ "$(grep -cvE '^201$' <<< "$codes" || true)" = 0 ] || die "some uploads failed: $(sort <<< "$codes" | uniq -c | tr '\n' ' ')"
}

profile_one() {
    local load=$1 collapsed=$RUN_DIR/$1.collapsed out=$BENCH_DIR/results/profile-async-$RUN_ID-$1.txt
    local url=http://127.0.0.1:$PORT line requests dir key
    start_polycache "profile-$load" "$PORT" "$RUN_DIR/store-$load" \
        "-agentpath:$AP_LIB=start,event=cpu,interval=1ms,collapsed,file=$collapsed"
    case $load in
        small-get)
            # the first 1,000 keys, as row 1 (the generated set may hold more from a scaling run)
            python3 "$ART" small "$GEN_DIR/small-4096" 1000 4096
            head -n 1000 "$GEN_DIR/small-4096/keys.txt" > "$RUN_DIR/keys.txt"
            put_keys "$RUN_DIR/keys.txt" "$GEN_DIR/small-4096"
            line=$(wrk -t2 -c64 -d"${SECONDS_OF_LOAD}s" -s "$BENCH_DIR/lib/get.lua" "$url" -- \
                "$RUN_DIR/keys.txt" /v1/artifacts/ | grep '^BENCH')
            ;;
        small-put)
            dir=$WORK_DIR/large-4096
            [ -f "$dir/shared.zst" ] || python3 "$ART" large "$dir" 4096
            line=$(wrk -t2 -c8 -d"${SECONDS_OF_LOAD}s" --timeout 30s -s "$BENCH_DIR/lib/put.lua" "$url" -- \
                "$dir" "ffb$(openssl rand -hex 23 | cut -c1-45)" /v1/artifacts/ | grep '^BENCH')
            ;;
        turbo-put)
            # 4 KiB PUTs on the Turborepo protocol (opaque bodies: no verification), 16 connections
            dir=$WORK_DIR/large-4096
            [ -f "$dir/shared.zst" ] || python3 "$ART" large "$dir" 4096
            line=$(wrk -t2 -c16 -d"${SECONDS_OF_LOAD}s" --timeout 30s -s "$BENCH_DIR/lib/put.lua" "$url" -- \
                "$dir" "ffb$(openssl rand -hex 23 | cut -c1-45)" /turbo/v8/artifacts/ "?teamId=bench" | grep '^BENCH')
            ;;
        large-put)
            dir=$WORK_DIR/large-$LARGE_SIZE
            [ -f "$dir/shared.zst" ] || python3 "$ART" large "$dir" "$LARGE_SIZE"
            local n=0 end=$(( $(date +%s) + SECONDS_OF_LOAD ))
            while [ "$(date +%s)" -lt "$end" ]; do
                key=$(python3 "$ART" key)
                { python3 "$ART" head "$dir" "$key"; cat "$dir/shared.zst"; } > "$RUN_DIR/body.zst"
                curl -sf -o /dev/null -H 'Content-Type: application/octet-stream' -T "$RUN_DIR/body.zst" \
                    "$url/v1/artifacts/$key" || die "upload failed"
                n=$((n + 1))
            done
            line="BENCH requests=$n (curl -T, one at a time, ${SECONDS_OF_LOAD} s)"
            ;;
        *) die "unknown load $load" ;;
    esac
    stop_server "profile-$load"   # the profiler writes its file as the JVM exits
    requests=$(sed -nE 's/^BENCH requests=([0-9]+).*/\1/p' <<< "$line")
    { echo "# async-profiler cpu 1 ms, $load, run $RUN_ID, commit $COMMIT, load $(loadavg)"
      echo "$line"
      python3 "$BENCH_DIR/lib/collapsed_top.py" "$collapsed" "$requests"; } > "$out"
    log "profile of $load: $out"
}

main() {
    [ $# -gt 0 ] || set -- small-get small-put large-put
    ensure_tools
    ensure_war
    ensure_profiler
    mkdir -p "$RUN_DIR" "$GEN_DIR"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    local load
    for load in "$@"; do
        profile_one "$load"
    done
}

main "$@"
