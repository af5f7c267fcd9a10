#!/usr/bin/env bash
# Polycache benchmarks, side by side with nginx and turborepo-remote-cache, on 127.0.0.1.
#
#   bench/run.sh [small-reads|large-reads|writes|memory|scaling|million|s3-tier|turbo|jersey-cost|profile|deps|all|report] ...
#
# Several sub-benchmarks may be named; `all` runs them in order and then `report`.
# Settings come from the environment (DURATION, ROUNDS, ... see bench/lib/common.sh and
# bench/README.md). Results are appended to bench/results/results.csv.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"

ART=$BENCH_DIR/lib/artifacts.py

# ---- fixtures -------------------------------------------------------------------------------
SMALL_DIR=$GEN_DIR/small-$SMALL_SIZE
SMALL_PUT_LIMIT=${SMALL_PUT_LIMIT:-2000}  # the first N go through each server's PUT; the rest are placed on disk
SMALL_LOADED=0   # how many of SMALL_DIR's keys the running servers hold

# load_small N: makes sure N small artifacts exist and every peer serves the first N.
load_small() {
    local n=$1 t0
    python3 "$ART" small "$SMALL_DIR" "$n" "$SMALL_SIZE"
    if [ "$SMALL_LOADED" -lt "$n" ]; then
        local delta=$RUN_DIR/keys-delta.txt
        sed -n "$((SMALL_LOADED + 1)),${n}p" "$SMALL_DIR/keys.txt" > "$delta"
        t0=$(date +%s.%N)
        if [ "$SMALL_LOADED" -lt "$SMALL_PUT_LIMIT" ]; then
            # uploaded through each server's API; the upload rate is recorded as a bonus
            sed -n "$((SMALL_LOADED + 1)),$(( n < SMALL_PUT_LIMIT ? n : SMALL_PUT_LIMIT ))p" "$SMALL_DIR/keys.txt" > "$delta"
            for peer in $PEERS; do
                # nginx takes them as WebDAV PUTs and serves them back from its own directory
                local t1 count before
                count=$(wc -l < "$delta")
                before=$(loadavg)
                t1=$(date +%s.%N)
                upload_files "$peer" "$delta" "$SMALL_DIR"
                local rate
                rate=$(awk -v n="$count" -v a="$t1" -v z="$(date +%s.%N)" 'BEGIN { printf "%.1f", n / (z - a) }')
                log "stored $count small artifacts in $peer through its API: $rate uploads/s"
                record small-uploads "$peer" "size=$SMALL_SIZE;parallel=8;count=$count" rate "$rate" uploads/s \
                    "curl --parallel --parallel-max 8 -T <file> PUT, $count files" "$before"
            done
            SMALL_LOADED=$(( n < SMALL_PUT_LIMIT ? n : SMALL_PUT_LIMIT ))
        fi
        if [ "$SMALL_LOADED" -lt "$n" ]; then
            # beyond SMALL_PUT_LIMIT: files placed in each server's storage layout directly
            sed -n "$((SMALL_LOADED + 1)),${n}p" "$SMALL_DIR/keys.txt" > "$delta"
            log "placing $(wc -l < "$delta") more small artifacts straight into the storage directories"
            python3 "$ART" seed "$SMALL_DIR" "$delta" polycache "$PC_STORAGE"
            python3 "$ART" seed "$SMALL_DIR" "$delta" turbo "$TURBO_STORAGE/$TURBO_TEAM"
            python3 "$ART" seed "$SMALL_DIR" "$delta" nginx "$RUN_DIR/nginx/dav/put"
        fi
        open_for_nginx
        SMALL_LOADED=$n
        log "$n small artifacts stored per peer ($(awk -v a="$t0" -v z="$(date +%s.%N)" 'BEGIN { printf "%.0f", z - a }') s)"
    fi
    head -n "$n" "$SMALL_DIR/keys.txt" > "$RUN_DIR/keys-$n.txt"
}

# large_parts SIZE: the shared frame + head template for artifacts of SIZE bytes of output.
large_parts() {
    local size=$1 dir=$WORK_DIR/large-$1
    if [ ! -f "$dir/shared.zst" ] || [ ! -f "$dir/head.prefix" ] || [ ! -f "$dir/head.suffix" ]; then
        log "generating the parts of $size-byte artifacts in $dir"
        python3 "$ART" large "$dir" "$size"
    fi
    echo "$dir"
}

# write_body DIR KEY OUT: a full artifact for KEY.
write_body() { { python3 "$ART" head "$1" "$2"; cat "$1/shared.zst"; } > "$3"; }

# Warm-up for the small-read rows: the same load as the measurement, in 5 s runs, for at least
# WARMUP seconds and until two runs in a row agree within 10% (at most WARMUP_MAX seconds).
# A JVM on two busy cores needs a minute or more before its hot paths are compiled; warm_up does
# it once per run, warm_steady for every set of keys (Polycache's small-entry cache fills with
# the entries read, as nginx's page cache holds the files just placed).
WARMED_SMALL=0
warm_up() {
    [ "$WARMED_SMALL" = 0 ] || return 0
    WARMED_SMALL=1
    warm_steady "$1"
}

warm_steady() {
    local keys=$1 peer start prev rps line
    [ "$WARMUP" -gt 0 ] || return 0
    for peer in $PEERS; do
        start=$(date +%s) prev=0
        while :; do
            mapfile -t args < <(wrk_get_args "$peer" "$keys" 2 64 5)
            line=$(wrk "${args[@]}" | grep '^BENCH ')
            rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<< "$line")
            if [ $(( $(date +%s) - start )) -ge "$WARMUP" ] \
                && awk -v a="$prev" -v b="$rps" 'BEGIN { exit !(a > 0 && (b - a) / a < 0.1 && (a - b) / a < 0.1) }'; then
                break
            fi
            if [ $(( $(date +%s) - start )) -ge "$WARMUP_MAX" ]; then
                log "warm-up of $peer: not steady after $WARMUP_MAX s (last $prev -> $rps req/s)"
                break
            fi
            prev=$rps
        done
        log "warm-up of $peer: $(( $(date +%s) - start )) s, last two runs $prev -> $rps req/s"
    done
}

# ---- 1. small reads -------------------------------------------------------------------------
bench_small_reads() {
    log "== small reads: GET of ${SMALL_SIZE}-byte artifacts, 64 connections, ${ROUNDS}x${DURATION}s"
    start_peers
    load_small "$SMALL_ENTRIES"
    local keys=$RUN_DIR/keys-$SMALL_ENTRIES.txt r peer
    warm_up "$keys"
    for r in $(seq 1 "$ROUNDS"); do
        for peer in $PEERS; do
            mapfile -t args < <(wrk_get_args "$peer" "$keys" 2 64 "$DURATION")
            run_wrk small-reads "$peer" "size=$SMALL_SIZE;conns=64;entries=$SMALL_ENTRIES;round=$r" 0 "${args[@]}"
        done
    done
}

# ---- 2. large reads -------------------------------------------------------------------------
bench_large_reads() {
    log "== large reads: GET of a $LARGE_SIZE-byte artifact, ${ROUNDS}x${DURATION}s"
    start_peers
    local dir key keys r peer conns
    dir=$(large_parts "$LARGE_SIZE")
    key=$(python3 "$ART" key)
    write_body "$dir" "$key" "$RUN_DIR/$key.zst"   # upload_files sends DIR/<key>.zst
    keys=$RUN_DIR/keys-large.txt
    echo "$key" > "$keys"
    for peer in $PEERS; do
        upload_files "$peer" "$keys" "$RUN_DIR"
    done
    rm -f "$RUN_DIR/$key.zst"
    open_for_nginx
    local size
    size=$(curl -s -o /dev/null -w '%{size_download}' "$(peer_url polycache)/v1/artifacts/$key")
    log "artifact body: $size bytes"
    for peer in $PEERS; do   # warm-up: one pass each, to fill the page cache and the JIT
        mapfile -t args < <(wrk_get_args "$peer" "$keys" 1 1 "$WARMUP")
        wrk "${args[@]}" > /dev/null
    done
    for r in $(seq 1 "$ROUNDS"); do
        for conns in 1 4; do
            for peer in $PEERS; do
                mapfile -t args < <(wrk_get_args "$peer" "$keys" "$(( conns < 2 ? 1 : 2 ))" "$conns" "$DURATION")
                run_wrk large-reads "$peer" "size=$size;conns=$conns;round=$r" 0 "${args[@]}"
            done
        done
    done
}

# ---- 3. writes ------------------------------------------------------------------------------
clear_written() {
    # clear_written SIZE: uploads of SIZE bytes of earlier rows are deleted so the disk does not
    # fill; every upload in a row still goes to a fresh key. Polycache's too, behind its back:
    # its ledger keeps counting them until it passes PC_CACHE and evicts them (a failed unlink
    # each; before f01199e one such eviction round took every writer's time for seconds).
    # Uploads of 64 KiB or less wait for clear_small_written: on an ext4 without a journal (this
    # machine's) the inode allocator skips every inode freed in the last one to six minutes
    # (recently_deleted() in fs/ext4/ialloc.c), so after tens of thousands of deletions each
    # file created costs a scan over them, and the row after a deletion, the other server's,
    # pays for it (find_get_block and recently_deleted in
    # bench/results/profile-async-20261201T200848-turbo-put.txt).
    [ "$1" -gt 65536 ] || return 0
    delete_written +64k
}

written_id() {
    # A fresh run id for put.lua, whose uploads' keys start with it: ffb, so delete_written
    # finds them.
    echo "ffb$(openssl rand -hex 23 | cut -c1-45)"
}

body_size() {
    # body_size PARTS_DIR: the bytes of one upload put.lua makes from large_parts' files (its
    # header with the 64-character hash, then the shared compressed outputs).
    echo $(( $(stat -c %s "$1/head.prefix") + 64 + $(stat -c %s "$1/head.suffix") + $(stat -c %s "$1/shared.zst") ))
}

delete_written() {
    # delete_written SIZE_TEST: every server's written uploads (keys starting with ffb) whose
    # size passes find's -size SIZE_TEST. (find, not a glob: past ~30,000 names rm's argument
    # list is too long.)
    find "$PC_STORAGE/entries" -name 'ffb*' -size "$1" -delete 2>/dev/null || true
    local dir
    for dir in "$RUN_DIR/nginx/dav/put" "$TURBO_STORAGE/$TURBO_TEAM"; do
        [ ! -d "$dir" ] || find "$dir" -maxdepth 1 -name 'ffb*' -size "$1" -delete
    done
}

clear_small_written() {
    # Once every server's small-upload rounds are done, their uploads go too: with the warm-up
    # that is millions of 5 KiB files (nginx keeps every one, 28 GB in run 20261202T235008),
    # and a run that keeps them until it ends filled this machine's disk in the 1 MiB row
    # (turborepo-remote-cache: ENOSPC). The rows right after pay the inode allocator's cost
    # described above; they create a file per 1 MiB or more, not per 5 KiB.
    delete_written -65k
    log "small uploads deleted; disk: $(df -h --output=used,avail "$WORK_DIR" | tail -1)"
}

bench_writes() {
    log "== writes: PUT of verified artifacts"
    start_peers
    local dir r peer size run_id
    # wrk rows: SIZE:CONNS pairs. Keys of written artifacts start with ffb, so clear_written
    # can find them.
    local spec conns first=1
    for spec in $WRITE_WRK; do
        size=${spec%%:*} conns=${spec#*:}
        dir=$(large_parts "$size")
        size=$(body_size "$dir")
        for peer in $PEERS; do   # warm-up (see put_warmup)
            run_id=$(written_id)
            wrk -t2 -c"$conns" -d"$(put_warmup "$size" "$first")s" -s "$BENCH_DIR/lib/put.lua" "$(peer_url "$peer")" -- \
                "$dir" "$run_id" "$(peer_put_prefix "$peer")" "$(peer_suffix "$peer")" "$(peer_auth "$peer")" > /dev/null
        done
        first=0   # the upload path is compiled by now
        clear_written "$size"
        for r in $(seq 1 "$ROUNDS"); do
            for peer in $PEERS; do
                run_id=$(written_id)
                sync
                run_wrk writes "$peer" "size=$size;conns=$conns;round=$r" "$size" \
                    -t2 -c"$conns" -d"${DURATION}s" --timeout 30s -s "$BENCH_DIR/lib/put.lua" "$(peer_url "$peer")" -- \
                    "$dir" "$run_id" "$(peer_put_prefix "$peer")" "$(peer_suffix "$peer")" "$(peer_auth "$peer")"
                clear_written "$size"
            done
        done
        [ "$size" -gt 65536 ] || clear_small_written
    done

    # 256 MiB: hyperfine, one curl upload per run; the prepare step builds the body for a fresh
    # key and syncs, so every run starts with no dirty pages left by the previous one.
    dir=$(large_parts "$LARGE_SIZE")
    size=$(body_size "$dir")
    local body=$RUN_DIR/upload.zst keyfile=$RUN_DIR/upload.key json prepare cmd auth
    prepare="k=ffb\$(openssl rand -hex 31 | cut -c1-61); echo \$k > $keyfile; python3 $ART head $dir \$k > $body; cat $dir/shared.zst >> $body; sync"
    for r in $(seq 1 "$ROUNDS"); do
        for peer in $PEERS; do
            auth=$(peer_auth "$peer")
            cmd="curl -sf -o /dev/null -H 'Content-Type: application/octet-stream'${auth:+ -H 'Authorization: $auth'} -T $body '$(peer_url "$peer")$(peer_put_prefix "$peer")'\$(cat $keyfile)'$(peer_suffix "$peer")'"
            json=$RUN_DIR/hyperfine.json
            local before
            before=$(loadavg)
            hyperfine --style none --runs "$WRITE_LARGE_RUNS" --warmup "$(( r == 1 ? 1 : 0 ))" \
                --prepare "$prepare" --export-json "$json" "$cmd" > "$RUN_DIR/hyperfine.out" 2>&1 \
                || die "hyperfine failed for $peer: $(tail -5 "$RUN_DIR/hyperfine.out")"
            local median mbps
            median=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json")
            mbps=$(awk -v b="$size" -v s="$median" 'BEGIN { printf "%.2f", b / s / 1e6 }')
            log "writes $peer size=$size: median $median s, $mbps MB/s (load $before)"
            local full
            full="hyperfine --runs $WRITE_LARGE_RUNS --prepare \"$prepare\" \"$cmd\""
            record writes "$peer" "size=$size;conns=1;round=$r" mbps "$mbps" MB/s "$full" "$before"
            record writes "$peer" "size=$size;conns=1;round=$r" seconds "$median" s "$full" "$before"
            clear_written "$size"
        done
    done
    rm -f "$body"
}

# ---- 4. memory ------------------------------------------------------------------------------
SAMPLER_PID=""
bench_memory() {
    log "== memory: -Xmx$MEM_XMX, $MEM_PARALLEL concurrent $MEM_SIZE-byte uploads, then downloads"
    mkdir -p "$RUN_DIR"
    local storage=$RUN_DIR/memory dir pid samples=$RUN_DIR/memory-rss.txt i keys=() before transfers=()
    dir=$(large_parts "$MEM_SIZE")
    start_polycache memory "$MEM_PORT" "$storage" "-Xmx$MEM_XMX"
    pid=$(server_pid memory)
    # Sample the resident set every 100 ms; VmHWM is the kernel's own peak.
    ( while [ -r "/proc/$pid/status" ]; do
        awk -v t="$(date +%s.%N)" '/^VmRSS|^VmHWM/ { v[$1] = $2 } END { print t, v["VmRSS:"], v["VmHWM:"] }' "/proc/$pid/status"
        sleep 0.1
      done > "$samples" 2>/dev/null ) &
    SAMPLER_PID=$!
    local base_rss
    sleep 0.5
    base_rss=$(tail -1 "$samples" | cut -d' ' -f2)
    for i in $(seq 1 "$MEM_PARALLEL"); do keys+=("$(python3 "$ART" key)"); done
    before=$(loadavg)
    local t0 t1 t2 codes=$RUN_DIR/memory-codes.txt
    : > "$codes"
    t0=$(date +%s.%N)
    for key in "${keys[@]}"; do
        # chunked upload from a pipe: no 1 GiB file per key on disk
        { { python3 "$ART" head "$dir" "$key"; cat "$dir/shared.zst"; } \
            | curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/octet-stream' \
                -T - "http://127.0.0.1:$MEM_PORT/v1/artifacts/$key" >> "$codes"; } &
        transfers+=($!)
    done
    wait_all "${transfers[@]}"
    transfers=()
    t1=$(date +%s.%N)
    local up_rss_peak
    up_rss_peak=$(awk -v t0="$t0" '$1 >= t0 && $2 > m { m = $2 } END { print m }' "$samples")
    for key in "${keys[@]}"; do
        curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "http://127.0.0.1:$MEM_PORT/v1/artifacts/$key" >> "$codes" &
        transfers+=($!)
    done
    wait_all "${transfers[@]}"
    t2=$(date +%s.%N)
    sleep 0.3
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    local ok_up ok_down down_rss_peak hwm body mbps_up mbps_down
    ok_up=$(grep -c '^201$' "$codes" || true)
    ok_down=$(grep -c '^200 ' "$codes" || true)
    down_rss_peak=$(awk -v t1="$t1" '$1 >= t1 && $2 > m { m = $2 } END { print m }' "$samples")
    hwm=$(awk '$3 > m { m = $3 } END { print m }' "$samples")
    body=$(body_size "$dir")
    mbps_up=$(awk -v n="$MEM_PARALLEL" -v b="$body" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.2f", n * b / (z - a) / 1e6 }')
    mbps_down=$(awk -v n="$MEM_PARALLEL" -v b="$body" -v a="$t1" -v z="$t2" 'BEGIN { printf "%.2f", n * b / (z - a) / 1e6 }')
    log "memory: uploads $ok_up/$MEM_PARALLEL ok ($mbps_up MB/s), downloads $ok_down/$MEM_PARALLEL ok ($mbps_down MB/s)"
    log "memory: RSS idle ${base_rss} kB, peak during uploads ${up_rss_peak} kB, during downloads ${down_rss_peak} kB, VmHWM ${hwm} kB"
    grep -v '^201$' "$codes" | grep -v "^200 $body\$" | head -3 >&2 || true
    local params="size=$body;parallel=$MEM_PARALLEL;xmx=$MEM_XMX" cmd
    cmd="java -Xmx$MEM_XMX -jar polycache.war --max-size 2g; $MEM_PARALLEL x (artifacts.py head | curl -T - PUT) then $MEM_PARALLEL x curl GET; RSS from /proc/PID/status every 100 ms"
    record memory polycache "$params" uploads_ok "$ok_up" count "$cmd" "$before"
    record memory polycache "$params" downloads_ok "$ok_down" count "$cmd" "$before"
    record memory polycache "$params" rss_idle "$base_rss" kB "$cmd" "$before"
    record memory polycache "$params" rss_peak_uploads "$up_rss_peak" kB "$cmd" "$before"
    record memory polycache "$params" rss_peak_downloads "$down_rss_peak" kB "$cmd" "$before"
    record memory polycache "$params" vmhwm "$hwm" kB "$cmd" "$before"
    record memory polycache "$params" upload_mbps "$mbps_up" MB/s "$cmd" "$before"
    record memory polycache "$params" download_mbps "$mbps_down" MB/s "$cmd" "$before"
    stop_server memory
    rm -rf "$storage"
}

wait_all() { local j; for j in "$@"; do wait "$j" || true; done; }

# ---- 8. scaling -----------------------------------------------------------------------------
bench_scaling() {
    log "== scaling: small reads by connections ($SCALE_CONNS) and by stored entries ($SCALE_ENTRIES)"
    start_peers
    load_small "$SMALL_ENTRIES"
    local keys=$RUN_DIR/keys-$SMALL_ENTRIES.txt c peer n t0
    warm_up "$keys"
    for c in $SCALE_CONNS; do
        for peer in $PEERS; do
            mapfile -t args < <(wrk_get_args "$peer" "$keys" "$(( c < 2 ? 1 : 2 ))" "$c" "$SCALE_DURATION")
            run_wrk scaling-conns "$peer" "size=$SMALL_SIZE;conns=$c;entries=$SMALL_ENTRIES" 0 "${args[@]}"
        done
    done
    for n in $SCALE_ENTRIES; do
        t0=$(date +%s)
        load_small "$n"
        warm_steady "$RUN_DIR/keys-$n.txt"
        for peer in $PEERS; do
            mapfile -t args < <(wrk_get_args "$peer" "$RUN_DIR/keys-$n.txt" 2 64 "$SCALE_DURATION")
            run_wrk scaling-entries "$peer" "size=$SMALL_SIZE;conns=64;entries=$n" 0 "${args[@]}"
        done
        if [ $(( $(date +%s) - t0 )) -gt "$SCALE_PREFILL_LIMIT" ]; then
            log "level $n took over $SCALE_PREFILL_LIMIT s; not going further"
            break
        fi
    done
}

# ---- 9. the Turborepo protocol: Polycache's /turbo/v8 against turborepo-remote-cache ---------
# Same wrk scripts, same bodies, same hexadecimal hashes and team against both. Bodies are
# opaque on this protocol (turbo sends a zstd tar), so neither side verifies anything; a PUT of
# a hash replaces on both. GET: TURBO_GET_ENTRIES artifacts of each size, random key per
# request. PUT: a fresh hash per request (put.lua), uploads of earlier runs cleared in between.
TURBO_CONNS=${TURBO_CONNS:-"1 4 16 64 256"}
TURBO_SIZES=${TURBO_SIZES:-"4096 1048576"}
TURBO_GET_ENTRIES=${TURBO_GET_ENTRIES:-1000}
TURBO_ROUNDS=${TURBO_ROUNDS:-$ROUNDS}
TURBO_DURATION=${TURBO_DURATION:-5}
# PUT of 1 MiB at 256 connections moves 256 MiB per wave: a short run would end before the first
# wave does (wrk counts completed requests only)
TURBO_LARGE_PUT_DURATION=${TURBO_LARGE_PUT_DURATION:-12}
TURBO_PEERS="pcturbo turbo"

bench_turbo() {
    log "== Turborepo protocol: GET and PUT of $TURBO_SIZES bytes, $TURBO_CONNS connections, ${TURBO_ROUNDS}x${TURBO_DURATION}s"
    mkdir -p "$RUN_DIR"
    [ -n "${SERVER_PID[polycache]:-}" ] || start_polycache polycache "$PC_PORT" "$PC_STORAGE"
    [ -n "${SERVER_PID[turbo]:-}" ] || start_turbo "$TURBO_STORAGE"
    local size n dir keys peer r c run_id threads pdir secs first=1
    for size in $TURBO_SIZES; do
        n=$TURBO_GET_ENTRIES
        [ "$size" -le 65536 ] || n=$(( TURBO_GET_ENTRIES / 16 > 16 ? TURBO_GET_ENTRIES / 16 : 16 ))
        dir=$GEN_DIR/turbo-$size
        python3 "$ART" small "$dir" "$n" "$size"
        keys=$RUN_DIR/turbo-keys-$size.txt
        head -n "$n" "$dir/keys.txt" > "$keys"
        for peer in $TURBO_PEERS; do
            upload_files "$peer" "$keys" "$dir"
        done
        log "$n artifacts of $size bytes stored through each server's PUT"
        for peer in $TURBO_PEERS; do   # warm-up: the measured load, WARMUP seconds
            mapfile -t args < <(wrk_get_args "$peer" "$keys" 2 64 "$WARMUP")
            wrk "${args[@]}" > /dev/null
        done
        for r in $(seq 1 "$TURBO_ROUNDS"); do
            for c in $TURBO_CONNS; do
                threads=$(( c < 2 ? 1 : 2 ))
                for peer in $TURBO_PEERS; do
                    mapfile -t args < <(wrk_get_args "$peer" "$keys" "$threads" "$c" "$TURBO_DURATION")
                    run_wrk turbo-get "$(turbo_server "$peer")" "size=$size;conns=$c;entries=$n;round=$r" 0 "${args[@]}"
                done
            done
        done
        pdir=$(large_parts "$size")
        size=$(body_size "$pdir")
        for peer in $TURBO_PEERS; do   # warm-up of the upload path (see put_warmup)
            run_id=$(written_id)
            wrk -t2 -c8 -d"$(put_warmup "$size" "$first")s" --timeout 30s -s "$BENCH_DIR/lib/put.lua" "$(peer_url "$peer")" -- \
                "$pdir" "$run_id" "$(peer_put_prefix "$peer")" "$(peer_suffix "$peer")" "$(peer_auth "$peer")" > /dev/null
        done
        first=0   # the upload path is compiled by now
        clear_written "$size"
        # turborepo-remote-cache keeps a team in one flat directory, which the warm-up grew by
        # hundreds of thousands of names: it gets a fresh one, its best case (the old one is moved
        # aside, not deleted: see clear_written). Its GET artifacts of this size are no longer needed.
        mv "$TURBO_STORAGE/$TURBO_TEAM" "$TURBO_STORAGE/$TURBO_TEAM-before-$size-puts" && mkdir "$TURBO_STORAGE/$TURBO_TEAM"
        secs=$TURBO_DURATION
        [ "$size" -le 65536 ] || secs=$TURBO_LARGE_PUT_DURATION
        for r in $(seq 1 "$TURBO_ROUNDS"); do
            for c in $TURBO_CONNS; do
                threads=$(( c < 2 ? 1 : 2 ))
                for peer in $TURBO_PEERS; do
                    run_id=$(written_id)
                    sync
                    run_wrk turbo-put "$(turbo_server "$peer")" "size=$size;conns=$c;round=$r" "$size" \
                        -t"$threads" -c"$c" -d"${secs}s" --timeout 60s -s "$BENCH_DIR/lib/put.lua" "$(peer_url "$peer")" -- \
                        "$pdir" "$run_id" "$(peer_put_prefix "$peer")" "$(peer_suffix "$peer")" "$(peer_auth "$peer")"
                    clear_written "$size"
                done
            done
        done
        # As in bench_writes: the small uploads go once their rows are done. Kept, Polycache's
        # filled its bound in run 20261203T040837 and each 1 MiB upload after them deleted about
        # two hundred of them (47-265 uploads/s from 64 connections on), while the peers kept
        # theirs untouched.
        [ "$size" -gt 65536 ] || clear_small_written
    done
}

# The server column a Turborepo row is recorded under.
turbo_server() { case $1 in pcturbo) echo polycache ;; *) echo "$1" ;; esac; }

# ---- experiment: what Jersey costs on the GET path, and what sendfile gives --------------------
# PlainGet (bench/experiments) is a plain servlet on the same embedded Tomcat 10.1 with the
# launcher's connector settings, answering GET /v1/artifacts/{key} from Polycache's own files
# with the same headers. Three instances: bodies copied through the servlet stream, bodies of
# 48 KiB or more sent with Tomcat's sendfile, and small bodies answered from memory after one
# read (the most this Tomcat can do for a small read, whatever the application). nginx serves
# the small row too, in the same rounds. Not product code: it shows the headroom.
PLAIN_PORT=${PLAIN_PORT:-38185}
SENDFILE_PORT=${SENDFILE_PORT:-38186}
MEMORY_PORT=${MEMORY_PORT:-38190}
start_plain() {
    local name=$1 port=$2 mode=${3:-copy} jars=$RUN_DIR/launcher-jars
    port_free "$port" || die "port $port is taken"
    if [ ! -d "$jars" ]; then
        mkdir -p "$jars"
        (cd "$jars" && unzip -q -j "$WAR" 'WEB-INF/launcher/*.jar')
    fi
    timeout -k 10 "$SERVER_TIMEOUT" java -cp "$jars/*" "$BENCH_DIR/experiments/PlainGet.java" "$port" "$PC_STORAGE" "$mode" \
        > "$RUN_DIR/$name.log" 2>&1 &
    SERVER_PID[$name]=$!
    wait_http "http://127.0.0.1:$port/v1/artifacts/00000000000000000000000000000000"
    log "$name up on 127.0.0.1:$port ($mode)"
}

bench_jersey_cost() {
    log "== experiment: Polycache vs a plain servlet on the same Tomcat, same files"
    start_peers
    [ -n "${SERVER_PID[plain]:-}" ] || start_plain plain "$PLAIN_PORT" copy
    [ -n "${SERVER_PID[plain-sendfile]:-}" ] || start_plain plain-sendfile "$SENDFILE_PORT" sendfile
    [ -n "${SERVER_PID[plain-memory]:-}" ] || start_plain plain-memory "$MEMORY_PORT" memory
    load_small "$SMALL_ENTRIES"
    local keys=$RUN_DIR/keys-$SMALL_ENTRIES.txt r s port dir key lkeys=$RUN_DIR/keys-large-exp.txt
    # In `all` the write and Turborepo rows come first, and their uploads (counted by the
    # ledger after the script deleted them) pass the cache bound (PC_CACHE): the small entries
    # may have been evicted since. Both servers must find every key: store the missing ones
    # again (the plain servlet reads the same files).
    local missing=$RUN_DIR/keys-missing.txt
    while read -r key; do
        [ "$(curl -s -o /dev/null -I -w '%{http_code}' "http://127.0.0.1:$PC_PORT/v1/artifacts/$key")" = 200 ] || echo "$key"
    done < "$keys" > "$missing"
    if [ -s "$missing" ]; then
        log "storing again $(wc -l < "$missing") of the $SMALL_ENTRIES small entries, evicted since they were loaded"
        upload_files polycache "$missing" "$SMALL_DIR"
    fi
    dir=$(large_parts "$LARGE_SIZE")
    key=$(python3 "$ART" key)
    write_body "$dir" "$key" "$RUN_DIR/$key.zst"
    echo "$key" > "$lkeys"
    upload_files polycache "$lkeys" "$RUN_DIR"
    rm -f "$RUN_DIR/$key.zst"
    local -A port_of=([polycache]=$PC_PORT [plain]=$PLAIN_PORT [plain-sendfile]=$SENDFILE_PORT [plain-memory]=$MEMORY_PORT)
    local small_servers="polycache plain plain-sendfile plain-memory" large_servers="polycache plain plain-sendfile"
    # nginx reads the small entries it was given by load_small: the same bodies, by their file path.
    [[ " $PEERS " == *" nginx "* ]] && small_servers+=" nginx"
    small_args() { # small_args SERVER THREADS CONNS SECONDS
        if [ "$1" = nginx ]; then
            wrk_get_args nginx "$keys" "$2" "$3" "$4"
        else
            printf '%s\n' -t"$2" -c"$3" -d"$4s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" "http://127.0.0.1:${port_of[$1]}" -- "$keys" /v1/artifacts/
        fi
    }
    for s in $small_servers; do
        mapfile -t args < <(small_args "$s" 2 64 "$WARMUP")
        wrk "${args[@]}" > /dev/null
    done
    for s in $large_servers; do
        wrk -t1 -c1 -d"${WARMUP}s" -s "$BENCH_DIR/lib/get.lua" "http://127.0.0.1:${port_of[$s]}" -- "$lkeys" /v1/artifacts/ > /dev/null
    done
    for r in $(seq 1 "$ROUNDS"); do
        for s in $small_servers; do
            mapfile -t args < <(small_args "$s" 2 64 "$DURATION")
            run_wrk jersey-cost "$s" "what=small;size=$SMALL_SIZE;conns=64;round=$r" 0 "${args[@]}"
        done
        for s in $large_servers; do
            run_wrk jersey-cost "$s" "what=large;size=$LARGE_SIZE;conns=1;round=$r" 0 \
                -t1 -c1 -d"${DURATION}s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" "http://127.0.0.1:${port_of[$s]}" -- "$lkeys" /v1/artifacts/
        done
    done
    stop_server plain
    stop_server plain-sendfile
    stop_server plain-memory
}

# ---- profiling: JFR recordings of Polycache under each load ---------------------------------
# One Polycache with a JFR recording per load; the summaries (lib/jfr_top.py) go to
# bench/results/profile-<run>-<load>.txt. Not timed: run it on its own, after the figures.
PROFILE_PORT=${PROFILE_PORT:-38187}
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
profile_one() {
    local load=$1 storage=$RUN_DIR/profile-$1 jfr=$RUN_DIR/profile-$1.jfr out
    out=$BENCH_DIR/results/profile-$RUN_ID-$load.txt
    start_polycache "profile-$load" "$PROFILE_PORT" "$storage" \
        "-XX:StartFlightRecording=filename=$jfr,settings=profile"
    local url=http://127.0.0.1:$PROFILE_PORT dir key
    case $load in
        small-get)
            python3 "$ART" small "$SMALL_DIR" "$SMALL_ENTRIES" "$SMALL_SIZE"
            head -n "$SMALL_ENTRIES" "$SMALL_DIR/keys.txt" > "$RUN_DIR/profile-keys.txt"
            PC_PORT=$PROFILE_PORT upload_files polycache "$RUN_DIR/profile-keys.txt" "$SMALL_DIR"
            wrk -t2 -c64 -d"${WARMUP_MAX}s" -s "$BENCH_DIR/lib/get.lua" "$url" -- "$RUN_DIR/profile-keys.txt" /v1/artifacts/ > /dev/null
            jcmd "$(server_pid "profile-$load")" JFR.stop > /dev/null 2>&1 || true
            jcmd "$(server_pid "profile-$load")" JFR.start "filename=$jfr" settings=profile > /dev/null
            wrk -t2 -c64 -d"${PROFILE_SECONDS}s" -s "$BENCH_DIR/lib/get.lua" "$url" -- "$RUN_DIR/profile-keys.txt" /v1/artifacts/ | grep '^BENCH' > "$out.wrk"
            ;;
        large-get)
            dir=$(large_parts "$LARGE_SIZE")
            key=$(python3 "$ART" key)
            write_body "$dir" "$key" "$RUN_DIR/$key.zst"
            echo "$key" > "$RUN_DIR/profile-keys.txt"
            PC_PORT=$PROFILE_PORT upload_files polycache "$RUN_DIR/profile-keys.txt" "$RUN_DIR"
            rm -f "$RUN_DIR/$key.zst"
            jcmd "$(server_pid "profile-$load")" JFR.stop > /dev/null 2>&1 || true
            jcmd "$(server_pid "profile-$load")" JFR.start "filename=$jfr" settings=profile > /dev/null
            wrk -t1 -c1 -d"${PROFILE_SECONDS}s" -s "$BENCH_DIR/lib/get.lua" "$url" -- "$RUN_DIR/profile-keys.txt" /v1/artifacts/ | grep '^BENCH' > "$out.wrk"
            ;;
        small-put|large-put)
            local size=4096 conns=8
            [ "$load" = large-put ] && size=$LARGE_SIZE conns=1
            dir=$(large_parts "$size")
            wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d10s -s "$BENCH_DIR/lib/put.lua" "$url" -- "$dir" "$(written_id)" /v1/artifacts/ > /dev/null
            jcmd "$(server_pid "profile-$load")" JFR.stop > /dev/null 2>&1 || true
            jcmd "$(server_pid "profile-$load")" JFR.start "filename=$jfr" settings=profile > /dev/null
            wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${PROFILE_SECONDS}s" --timeout 60s -s "$BENCH_DIR/lib/put.lua" "$url" -- "$dir" "$(written_id)" /v1/artifacts/ | grep '^BENCH' > "$out.wrk"
            ;;
    esac
    jcmd "$(server_pid "profile-$load")" JFR.dump "filename=$jfr" > /dev/null
    stop_server "profile-$load"
    { echo "# $load, run $RUN_ID, commit $COMMIT, load $(loadavg)"; cat "$out.wrk"; python3 "$BENCH_DIR/lib/jfr_top.py" "$jfr" 40; } > "$out"
    rm -f "$out.wrk"
    rm -rf "$storage"
    log "profile of $load: $out"
}

bench_profile() {
    log "== profiles (JFR) of Polycache: ${PROFILE_LOADS:-small-get large-get small-put large-put}"
    mkdir -p "$RUN_DIR"
    local load
    for load in ${PROFILE_LOADS:-small-get large-get small-put large-put}; do
        profile_one "$load"
    done
}

# ---- 10. a million entries (issue 19, goals 5 and 1) -----------------------------------------
# bench/startup.sh on its store of MILLION 4 KiB entries (start-up after a clean stop and after
# kill -9, results/startup.csv; it places the entries the first time, about a minute per
# million), then GETs of random keys of that store at 64 connections: Polycache (a storage
# directory whose entries/ is a link to the store's) against nginx sending the very same files by
# their shard path (nginx's responses carry the ~90-byte entry trailer on top of the body). Every
# entry file is read once first, so that both find the store in the page cache; each server then
# gets MILLION_WARMUP seconds of the same reads (Polycache's small-entry cache fills in them).
MILLION=${MILLION:-1000000}
MILLION_DIR=${MILLION_DIR:-/tmp/polycache-startup}
MILLION_PC_PORT=${MILLION_PC_PORT:-38188}
MILLION_NGINX_PORT=${MILLION_NGINX_PORT:-38189}
MILLION_WARMUP=${MILLION_WARMUP:-60}

bench_million() {
    log "== a million entries: start-up, then GET of random keys of $MILLION, 64 connections, ${ROUNDS}x${DURATION}s"
    local store=$MILLION_DIR/storage-$MILLION dir=$RUN_DIR/million t0 r peer line args
    WAR=$WAR COMMIT=$COMMIT WORK_DIR=$MILLION_DIR bash "$BENCH_DIR/startup.sh" "$MILLION" \
        | while read -r line; do log "startup: $line"; done
    [ -f "$store.done" ] || die "bench/startup.sh left no store in $store"
    t0=$(date +%s)
    find "$store/entries" -type f -print0 | xargs -0 -P2 cat > /dev/null
    log "read the store's entry files once: $(( $(date +%s) - t0 )) s"
    mkdir -p "$dir/storage"
    ln -sfn "$store/entries" "$dir/storage/entries"
    start_polycache polycache-million "$MILLION_PC_PORT" "$dir/storage"
    start_static_nginx nginx-million "$MILLION_NGINX_PORT" /e/ "$store/entries/polykit"
    local -A url=([polycache]="http://127.0.0.1:$MILLION_PC_PORT" [nginx]="http://127.0.0.1:$MILLION_NGINX_PORT")
    local -A list=([polycache]="$MILLION_DIR/mass-keys.txt" [nginx]="$MILLION_DIR/mass-paths.txt")
    local -A prefix=([polycache]=/v1/artifacts/ [nginx]=/e/)
    million_get_args() { # PEER SECONDS: uses the maps above
        printf '%s\n' -t2 -c64 -d"$2s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" "${url[$1]}" -- "${list[$1]}" "${prefix[$1]}"
    }
    for peer in polycache nginx; do
        mapfile -t args < <(million_get_args "$peer" "$MILLION_WARMUP")
        wrk "${args[@]}" > /dev/null
    done
    for r in $(seq 1 "$ROUNDS"); do
        for peer in polycache nginx; do
            mapfile -t args < <(million_get_args "$peer" "$DURATION")
            run_wrk million "$peer" "size=4096;conns=64;entries=$MILLION;round=$r" 0 "${args[@]}"
        done
    done
    stop_server polycache-million
    stop_server nginx-million
}

# ---- 11. the S3 tier (issue 19, goal 6): bench/scaling/s3-tier.sh, results/s3-tier.csv ---------
bench_s3_tier() {
    log "== the S3 tier: bench/scaling/s3-tier.sh (results in bench/results/s3-tier.csv)"
    RUN_ID=$RUN_ID bash "$BENCH_DIR/scaling/s3-tier.sh" 2>&1 | while read -r line; do log "s3-tier: $line"; done
}

# ---- main -----------------------------------------------------------------------------------
main() {
    [ $# -gt 0 ] || set -- all
    local what
    for what in "$@"; do
        case $what in
            small-reads|large-reads|writes|memory|scaling|million|s3-tier|turbo|jersey-cost|profile|deps|all|report) ;;
            *) echo "usage: bench/run.sh [small-reads|large-reads|writes|memory|scaling|million|s3-tier|turbo|jersey-cost|profile|deps|all|report]..." >&2; exit 2 ;;
        esac
    done
    if [ "$*" != report ]; then
        ensure_tools
        ensure_war
        mkdir -p "$RUN_DIR" "$GEN_DIR" "$(dirname "$RESULTS")"
        trap cleanup EXIT
        trap 'exit 130' INT TERM
        log "run $RUN_ID, commit $COMMIT, nproc $(nproc), load $(loadavg)"
    fi
    for what in "$@"; do
        case $what in
            small-reads) bench_small_reads ;;
            large-reads) bench_large_reads ;;
            writes) bench_writes ;;
            memory) bench_memory ;;
            scaling) bench_scaling ;;
            million) bench_million ;;
            s3-tier) bench_s3_tier ;;
            turbo) bench_turbo ;;
            jersey-cost) bench_jersey_cost ;;
            profile) bench_profile ;;
            deps) bash "$BENCH_DIR/deps/run.sh" ;;
            all) bench_small_reads; bench_scaling; bench_million; bench_s3_tier; bench_large_reads; bench_writes; bench_turbo; bench_jersey_cost; bench_memory
                 python3 "$BENCH_DIR/lib/report.py" "$RESULTS" "$RUN_ID" ;;
            report) python3 "$BENCH_DIR/lib/report.py" "$RESULTS" ;;
        esac
    done
}

main "$@"
