# Shared by bench/run.sh: settings, peers, servers, recording. Sourced, not run.
# shellcheck shell=bash
# shellcheck source=nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx.sh"

# ---- settings (environment overrides) -------------------------------------------------------
DURATION=${DURATION:-10}              # seconds per measured wrk run
WARMUP=${WARMUP:-20}                  # seconds of warm-up per server before measuring (the JVM needs it)
WARMUP_MAX=${WARMUP_MAX:-90}           # small-read warm-up goes on until steady, at most this long
ROUNDS=${ROUNDS:-3}                   # interleaved rounds (polycache, nginx, turbo, polycache, ...)
SMALL_ENTRIES=${SMALL_ENTRIES:-1000}  # 4 KiB artifacts stored for the small-read rows
SMALL_SIZE=${SMALL_SIZE:-4096}
LARGE_SIZE=${LARGE_SIZE:-268435456}   # 256 MiB
WRITE_WRK=${WRITE_WRK:-"4096:8 1048576:4"}   # wrk PUT rows, SIZE:CONNS
# Warm-up of each server before the first wrk PUT row (WARMUP before the others). Polycache's
# 4 KiB uploads went from 400 to 840-870 uploads/s in the first 50 s of load and to 1,750-1,940
# after 100 s, while the JIT compiled the upload path on the two loaded cores.
WRITE_WARMUP=${WRITE_WARMUP:-120}
# Polycache's cache bound. The script deletes every server's uploads between rows, Polycache's
# behind its back like the peers' (see clear_written), so its ledger goes on counting them and
# passes this bound during a run; it then evicts entries whose files are gone, which costs a
# failed unlink each. Letting it evict its own uploads instead (a 12g bound, run
# 20261203T035118) measured the deletion of two hundred 5 KiB files per 1 MiB upload inside
# Polycache's time (45 uploads/s against nginx's 800) while the peers' deletions were not timed.
PC_CACHE=${PC_CACHE:-40g}
# put_warmup SIZE FIRST: seconds of upload warm-up for bodies of SIZE bytes, FIRST=1 for the first
# upload row of a run. Bodies over 64 KiB never get more than WARMUP: nginx and
# turborepo-remote-cache keep every upload (no size limit), and 120 s of 1 MiB uploads at their
# 0.7-1 GB/s fills this machine's disk (ENOSPC in a run of the 1 MiB Turborepo rows alone).
put_warmup() {
    if [ "$2" = 1 ] && [ "$1" -le 65536 ]; then echo "$WRITE_WARMUP"; else echo "$WARMUP"; fi
}
WRITE_LARGE_RUNS=${WRITE_LARGE_RUNS:-3} # 256 MiB uploads per server per round (hyperfine --runs)
MEM_SIZE=${MEM_SIZE:-1073741824}      # 1 GiB per upload in the memory row
MEM_PARALLEL=${MEM_PARALLEL:-8}
MEM_XMX=${MEM_XMX:-256m}
SCALE_DURATION=${SCALE_DURATION:-5}
SCALE_CONNS=${SCALE_CONNS:-"1 4 16 64 256"}
SCALE_ENTRIES=${SCALE_ENTRIES:-"1000 10000 100000"}
SCALE_PREFILL_LIMIT=${SCALE_PREFILL_LIMIT:-600} # seconds a prefill level may take; beyond, stop there
SERVER_TIMEOUT=${SERVER_TIMEOUT:-10800}  # hard bound on any server this script starts: longer than `all` (about 100 min)
PEERS=${PEERS:-"polycache nginx turbo"}
WORK_DIR=${WORK_DIR:-/tmp/polycache-bench}
PC_PORT=${PC_PORT:-38181}
NGINX_PORT=${NGINX_PORT:-38182}
TURBO_PORT=${TURBO_PORT:-38183}
MEM_PORT=${MEM_PORT:-38184}
TURBO_TOKEN=bench-token
TURBO_TEAM=bench
TURBO_VERSION=${TURBO_VERSION:-2.12.0}

RESULTS=${RESULTS:-$BENCH_DIR/results/results.csv}
RUN_ID=${RUN_ID:-$(date +%Y%m%dT%H%M%S)}
RUN_DIR=$WORK_DIR/run-$RUN_ID       # server storage, configs, logs: removed on exit
GEN_DIR=$WORK_DIR/gen               # generated small artifacts: kept between runs
WAR=$REPO/target/polycache.war
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain -- src pom.xml 2>/dev/null)" ]; then COMMIT=$COMMIT-dirty; fi

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- tools and peers ------------------------------------------------------------------------
ensure_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v zstd >/dev/null || missing+=(zstd)
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    [ -x /usr/sbin/nginx ] && /usr/sbin/nginx -V 2>&1 | grep -q http_dav_module || missing+=(nginx-extras)
    command -v curl >/dev/null || missing+=(curl)
    command -v node >/dev/null || missing+=(nodejs npm)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    local turbo=$BENCH_DIR/.peers/turbo
    if [ ! -f "$turbo/node_modules/turborepo-remote-cache/dist/cli.js" ]; then
        log "installing turborepo-remote-cache@$TURBO_VERSION into $turbo"
        mkdir -p "$turbo"
        [ -f "$turbo/package.json" ] || echo '{"name":"polycache-bench-peers","private":true}' > "$turbo/package.json"
        (cd "$turbo" && npm install --no-audit --no-fund --loglevel=error "turborepo-remote-cache@$TURBO_VERSION" >/dev/null)
    fi
}

ensure_war() {
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$WAR" ]; then
        log "building $WAR"
        (cd "$REPO" && mvn -B -q -DskipTests package)
    fi
}

# ---- processes ------------------------------------------------------------------------------
# Every server runs under `timeout`, so even an abandoned run ends; the exit trap stops them.
declare -A SERVER_PID=()   # name -> pid of its `timeout` wrapper

cleanup() {
    local status=$? name file
    if [ "$status" != 0 ] && [ -d "$RUN_DIR" ]; then
        # The run dies with its servers' logs otherwise: show why a server stopped answering.
        for file in "$RUN_DIR"/*.log; do
            [ -s "$file" ] || continue
            log "last lines of $(basename "$file"):"
            tail -n 30 "$file" | sed 's/^/    /' >&2
        done
    fi
    for name in "${!SERVER_PID[@]}"; do
        kill -TERM "${SERVER_PID[$name]}" 2>/dev/null || true
    done
    for name in "${!SERVER_PID[@]}"; do
        wait "${SERVER_PID[$name]}" 2>/dev/null || true
    done
    [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null || true
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        rm -rf "$RUN_DIR"
        rm -rf "$WORK_DIR"/large-*   # big generated artifacts; the small ones are cheap to keep
    fi
}

stop_server() {
    local name=$1
    [ -n "${SERVER_PID[$name]:-}" ] || return 0
    kill -TERM "${SERVER_PID[$name]}" 2>/dev/null || true
    wait "${SERVER_PID[$name]}" 2>/dev/null || true
    unset "SERVER_PID[$name]"
}

# The process the `timeout` wrapper runs (the JVM, nginx master, node).
server_pid() { pgrep -P "${SERVER_PID[$1]}" | head -1; }

wait_http() {
    local url=$1 i
    for i in $(seq 1 240); do
        if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
        sleep 0.25
    done
    die "no answer from $url after 60 s"
}

port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_polycache NAME PORT STORAGE [JVM options...]
start_polycache() {
    local name=$1 port=$2 storage=$3; shift 3
    port_free "$port" || die "port $port is taken"
    mkdir -p "$storage"
    timeout -k 10 "$SERVER_TIMEOUT" java "$@" -jar "$WAR" --bind 127.0.0.1 --port "$port" \
        --storage-dir "$storage" --public --max-size 2g --max-cache-size "$PC_CACHE" --log-level warn \
        > "$RUN_DIR/$name.log" 2>&1 &
    SERVER_PID[$name]=$!
    wait_http "http://127.0.0.1:$port/health"
    log "$name up on 127.0.0.1:$port (pid $(server_pid "$name"))"
}

# nginx: serves Polycache's own artifact files (same bytes, same paths) and takes WebDAV PUTs.
start_nginx() {
    local storage=$1 prefix=$RUN_DIR/nginx
    port_free "$NGINX_PORT" || die "port $NGINX_PORT is taken"
    mkdir -p "$prefix/logs" "$prefix/tmp" "$prefix/dav/put"
    chown -R nobody:nogroup "$prefix/tmp" "$prefix/dav"
    { nginx_conf_head "$prefix"; cat <<EOF; } > "$prefix/nginx.conf"
    client_body_temp_path $prefix/dav/.body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    types { application/zstd zst; }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        # the same URL as Polycache, answered from the same bytes, as nginx's own PUTs stored them
        location /v1/artifacts/ {
            alias $prefix/dav/put/;
        }
        # plain WebDAV PUT, no verification
        location /put/ {
            root $prefix/dav;
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
        }
    }
}
EOF
    timeout -k 10 "$SERVER_TIMEOUT" /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' \
        > "$RUN_DIR/nginx.log" 2>&1 &
    SERVER_PID[nginx]=$!
    wait_http "http://127.0.0.1:$NGINX_PORT/"
    log "nginx up on 127.0.0.1:$NGINX_PORT"
}

# start_static_nginx NAME PORT LOCATION DIR: nginx sending the files of DIR under LOCATION (a
# second nginx beside the one above, for rows over a store of their own), same http settings.
start_static_nginx() {
    local name=$1 port=$2 location=$3 dir=$4 prefix=$RUN_DIR/$1
    port_free "$port" || die "port $port is taken"
    mkdir -p "$prefix/logs"
    nginx_static_conf "$prefix" "$port" "$location" "$dir" > "$prefix/nginx.conf"
    timeout -k 10 "$SERVER_TIMEOUT" /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' \
        > "$RUN_DIR/$name.log" 2>&1 &
    SERVER_PID[$name]=$!
    wait_http "http://127.0.0.1:$port/"
    log "$name up on 127.0.0.1:$port"
}

start_turbo() {
    local storage=$1
    port_free "$TURBO_PORT" || die "port $TURBO_PORT is taken"
    mkdir -p "$storage"
    # LOG_LEVEL=warn: Polycache logs no line per request either.
    env HOST=127.0.0.1 PORT="$TURBO_PORT" STORAGE_PROVIDER=local STORAGE_PATH="$storage" \
        STORAGE_PATH_USE_TMP_FOLDER=false TURBO_TOKEN="$TURBO_TOKEN" LOG_LEVEL=warn \
        BODY_LIMIT=2147483648 NODE_ENV=production \
        timeout -k 10 "$SERVER_TIMEOUT" node "$BENCH_DIR/.peers/turbo/node_modules/turborepo-remote-cache/dist/cli.js" \
        > "$RUN_DIR/turbo.log" 2>&1 &
    SERVER_PID[turbo]=$!
    wait_http "http://127.0.0.1:$TURBO_PORT/"
    log "turborepo-remote-cache up on 127.0.0.1:$TURBO_PORT"
}

# ---- per-peer addressing --------------------------------------------------------------------
# For each peer: base URL, GET path prefix/suffix, PUT path prefix/suffix, Authorization value.
peer_url() {
    case $1 in
        polycache|pcturbo) echo "http://127.0.0.1:$PC_PORT" ;;
        nginx) echo "http://127.0.0.1:$NGINX_PORT" ;;
        turbo) echo "http://127.0.0.1:$TURBO_PORT" ;;
    esac
}
# pcturbo: Polycache through its Turborepo protocol (/turbo/v8), same team and hashes as turbo.
peer_get_prefix() { case $1 in turbo) echo /v8/artifacts/ ;; pcturbo) echo /turbo/v8/artifacts/ ;; *) echo /v1/artifacts/ ;; esac; }
peer_put_prefix() { case $1 in turbo) echo /v8/artifacts/ ;; pcturbo) echo /turbo/v8/artifacts/ ;; nginx) echo /put/ ;; *) echo /v1/artifacts/ ;; esac; }
peer_suffix() { case $1 in turbo|pcturbo) echo "?teamId=$TURBO_TEAM" ;; *) echo "" ;; esac; }
peer_auth() { case $1 in turbo) echo "Bearer $TURBO_TOKEN" ;; *) echo "" ;; esac; }
peer_label() {
    case $1 in
        polycache) echo "Polycache" ;;
        pcturbo) echo "Polycache (/turbo/v8)" ;;
        nginx) echo "nginx" ;;
        turbo) echo "turborepo-remote-cache" ;;
    esac
}

# ---- the servers of the read/write rows -----------------------------------------------------
PC_STORAGE=$RUN_DIR/polycache
TURBO_STORAGE=$RUN_DIR/turbo

start_peers() {
    mkdir -p "$RUN_DIR"
    [ -n "${SERVER_PID[polycache]:-}" ] || start_polycache polycache "$PC_PORT" "$PC_STORAGE"
    [ -n "${SERVER_PID[nginx]:-}" ] || start_nginx "$PC_STORAGE"
    [ -n "${SERVER_PID[turbo]:-}" ] || start_turbo "$TURBO_STORAGE"
}

# Files Polycache writes are private to its user; nginx's workers run as nobody.
open_for_nginx() { chmod -R a+rX "$RUN_DIR/nginx/dav" 2>/dev/null || true; }

# upload_files PEER KEYS_FILE DIR: PUTs DIR/<key>.zst for every key (8 in parallel, one curl).
upload_files() {
    local peer=$1 keys=$2 dir=$3 cfg url auth codes bad key
    cfg=$(mktemp "$RUN_DIR/upload.XXXXXX")
    url=$(peer_url "$peer")$(peer_put_prefix "$peer")
    while read -r key; do
        printf 'url = "%s%s%s"\nupload-file = "%s/%s.zst"\noutput = "/dev/null"\n' \
            "$url" "$key" "$(peer_suffix "$peer")" "$dir" "$key"
    done < "$keys" > "$cfg"
    auth=$(peer_auth "$peer")
    codes=$(curl -s --no-progress-meter --parallel --parallel-max 8 -H "Content-Type: application/octet-stream" \
        ${auth:+-H "Authorization: $auth"} -w '%{http_code}\n' -K "$cfg")
    rm -f "$cfg"
    bad=$(grep -cvE '^(200|201|202|204)$' <<< "$codes" || true)
    [ "$bad" = 0 ] || die "$bad uploads to $peer failed: $(sort <<< "$codes" | uniq -c | tr '\n' ' ')"
}

# ---- measuring ------------------------------------------------------------------------------
# record BENCH SERVER PARAMS METRIC VALUE UNIT COMMAND [LOADAVG]
record() {
    python3 "$BENCH_DIR/lib/record.py" "$RESULTS" "$RUN_ID" "$COMMIT" "${8:-$(loadavg)}" \
        "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}

quote_cmd() { local out="" a; for a in "$@"; do out+="$(printf '%q' "$a") "; done; echo "${out% }"; }

# run_wrk BENCH SERVER PARAMS BODY_BYTES wrk-args...   (BODY_BYTES: request body size, 0 for GET)
# Records rps, p50, p99 and MB/s (response bytes for GET, request bodies for PUT).
run_wrk() {
    local bench=$1 server=$2 params=$3 body=$4; shift 4
    local before out line cmd
    before=$(loadavg)
    cmd=$(quote_cmd wrk "$@")
    out=$(wrk "$@") || die "wrk failed: $cmd"
    line=$(grep '^BENCH ' <<< "$out") || die "no BENCH line from: $cmd"
    local kv w_requests w_seconds w_rps w_mbps w_p50_ms w_p99_ms w_errors
    for kv in ${line#BENCH }; do printf -v "w_${kv%%=*}" '%s' "${kv#*=}"; done
    local requests=$w_requests seconds=$w_seconds rps=$w_rps p50=$w_p50_ms p99=$w_p99_ms errors=$w_errors mbps
    if [ "$body" -gt 0 ]; then
        mbps=$(awk -v r="$requests" -v b="$body" -v s="$seconds" 'BEGIN { printf "%.2f", r * b / s / 1e6 }')
    else
        mbps=$w_mbps
    fi
    log "$bench $server $params: $rps req/s, p99 $p99 ms, $mbps MB/s, errors $errors (load $before)"
    [ "$errors" = 0 ] || log "WARNING: $errors errors in $bench $server $params"
    record "$bench" "$server" "$params" rps "$rps" req/s "$cmd" "$before"
    record "$bench" "$server" "$params" p50 "$p50" ms "$cmd" "$before"
    record "$bench" "$server" "$params" p99 "$p99" ms "$cmd" "$before"
    record "$bench" "$server" "$params" mbps "$mbps" MB/s "$cmd" "$before"
    record "$bench" "$server" "$params" errors "$errors" count "$cmd" "$before"
}

# wrk_get SERVER KEYS_FILE THREADS CONNS SECONDS -> prints the wrk argument list
wrk_get_args() {
    local peer=$1 keys=$2 threads=$3 conns=$4 secs=$5
    printf '%s\n' -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/lib/get.lua" \
        "$(peer_url "$peer")" -- "$keys" "$(peer_get_prefix "$peer")" "$(peer_suffix "$peer")" "$(peer_auth "$peer")"
}
