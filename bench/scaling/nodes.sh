#!/usr/bin/env bash
# 1, 2 and 4 Polycache nodes over one S3Proxy 4.0.0 bucket, all on 127.0.0.1, nginx in front of
# 2 and 4 (round robin, keep-alive to the nodes). For each node count: S3 requests per upload,
# per cold read and during warm reads (from S3Proxy's own metrics), then warm-hit latency (one
# connection) and throughput (32 connections) of 4 KiB Polykit artifacts through the front.
#
#   mvn -B -q -DskipTests package            # the WAR, and S3Proxy's jar in target/s3proxy/
#   flock /work/bench.lock nice -n -5 bench/scaling/nodes.sh
#
# Settings (environment): NODE_COUNTS ("1 2 4"), ENTRIES (1000), DURATION (10 s per measured
# run), WARMUP (20 s of the same load first, not measured), NODE_XMX (384m). Results are appended
# to bench/results/scaling-nodes.csv, each row with the load average before it.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(dirname "$BENCH_DIR")
WORK_DIR=${WORK_DIR:-/tmp/polycache-bench-nodes}
RESULTS=${RESULTS:-$BENCH_DIR/results/scaling-nodes.csv}
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"

NODE_COUNTS=${NODE_COUNTS:-"1 2 4"}
ENTRIES=${ENTRIES:-1000}
NODE_XMX=${NODE_XMX:-384m}
S3PROXY_JAR=${S3PROXY_JAR:-$REPO/target/s3proxy/s3proxy.jar}
LB_PORT=${LB_PORT:-38190}
S3_PORT=${S3_PORT:-38191}
S3_METRICS_PORT=${S3_METRICS_PORT:-38192}
NODE_PORT0=${NODE_PORT0:-38200}
BUCKET=bench
export AWS_ACCESS_KEY_ID=bench-identity AWS_SECRET_ACCESS_KEY=bench-credential
ART=$BENCH_DIR/lib/artifacts.py
SMALL_DIR=$GEN_DIR/small-$SMALL_SIZE

[ -f "$WAR" ] || die "$WAR is missing: mvn -B -q -DskipTests package"
[ -f "$S3PROXY_JAR" ] || die "$S3PROXY_JAR is missing: mvn -B -q -DskipTests package copies it"
command -v wrk >/dev/null || die "wrk is missing"
trap cleanup EXIT
mkdir -p "$RUN_DIR"

start_s3proxy() {
    local data=$RUN_DIR/s3
    mkdir -p "$data/$BUCKET"   # the filesystem provider's bucket is a directory
    cat > "$RUN_DIR/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
s3proxy.metrics.enabled=true
s3proxy.metrics.host=127.0.0.1
s3proxy.metrics.port=$S3_METRICS_PORT
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data
EOF
    timeout -k 10 "$SERVER_TIMEOUT" java -Xmx512m -jar "$S3PROXY_JAR" --properties "$RUN_DIR/s3proxy.properties" \
        > "$RUN_DIR/s3proxy.log" 2>&1 &
    SERVER_PID[s3proxy]=$!
    wait_http "http://127.0.0.1:$S3_PORT/"
    log "S3Proxy up on 127.0.0.1:$S3_PORT (metrics on $S3_METRICS_PORT)"
}

# s3_counts: "operation count" per line, from S3Proxy's request-duration histogram counts.
s3_counts() {
    curl -s --max-time 10 "http://127.0.0.1:$S3_METRICS_PORT/metrics" | python3 -c '
import re, sys, collections
counts = collections.Counter()
for line in sys.stdin:
    m = re.match(r"^(\w+)_count\{([^}]*)\} ([0-9.eE+]+)$", line.strip())
    if m:
        op = re.search(r"(?:s3_operation|operation)=\"([^\"]+)\"", m.group(2))
        if op:
            counts[op.group(1)] += int(float(m.group(3)))
for op, n in sorted(counts.items()):
    print(op, n)'
}

# s3_delta BEFORE_FILE AFTER_FILE: "Op=n ..." for the operations that changed, or "none".
s3_delta() {
    awk 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; if (d != 0) { printf "%s%s=%d", sep, $1, d; sep = " " } }
         END { if (sep == "") printf "none" }' "$1" "$2"
}

# s3_op_count DELTA OP: the count of one operation in a delta line (0 if absent).
s3_op_count() { grep -oE "(^| )$2=[0-9]+" <<< "$1" | cut -d= -f2 || echo 0; }

start_node() {
    local name=$1 port=$2 prefix=$3
    port_free "$port" || die "port $port is taken"
    mkdir -p "$RUN_DIR/$name"
    timeout -k 10 "$SERVER_TIMEOUT" java -Xmx"$NODE_XMX" -jar "$WAR" --bind 127.0.0.1 --port "$port" \
        --storage-dir "$RUN_DIR/$name" --public --log-level warn \
        --polycache.s3.bucket="$BUCKET" --polycache.s3.endpoint="http://127.0.0.1:$S3_PORT" \
        --polycache.s3.region=us-east-1 --polycache.s3.pathStyle=true --polycache.s3.prefix="$prefix" \
        > "$RUN_DIR/$name.log" 2>&1 &
    SERVER_PID[$name]=$!
}

start_balancer() {
    local n=$1 prefix=$RUN_DIR/lb i servers=""
    mkdir -p "$prefix/logs" "$prefix/tmp"
    for i in $(seq 1 "$n"); do servers+="        server 127.0.0.1:$((NODE_PORT0 + i));"$'\n'; done
    cat > "$prefix/nginx.conf" <<EOF
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    upstream polycache {
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$LB_PORT;
        client_max_body_size 0;
        location / {
            proxy_pass http://polycache;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_request_buffering off;
        }
    }
}
EOF
    timeout -k 10 "$SERVER_TIMEOUT" /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' \
        > "$RUN_DIR/lb.log" 2>&1 &
    SERVER_PID[lb]=$!
    wait_http "http://127.0.0.1:$LB_PORT/health"
    log "nginx in front of $n nodes on 127.0.0.1:$LB_PORT"
}

# get_all URL KEYS_FILE: GETs every key once (8 in parallel); dies on anything but 200.
get_all() {
    local url=$1 keys=$2 cfg codes bad
    cfg=$(mktemp "$RUN_DIR/get.XXXXXX")
    sed "s|.*|url = \"$url/v1/artifacts/&\"\noutput = \"/dev/null\"|" "$keys" > "$cfg"
    codes=$(curl -s --no-progress-meter --parallel --parallel-max 8 -w '%{http_code}\n' -K "$cfg")
    rm -f "$cfg"
    bad=$(grep -cvE '^200$' <<< "$codes" || true)
    [ "$bad" = 0 ] || die "$bad reads from $url failed: $(sort <<< "$codes" | uniq -c | tr '\n' ' ')"
}

python3 "$ART" small "$SMALL_DIR" "$ENTRIES" "$SMALL_SIZE"
head -n "$ENTRIES" "$SMALL_DIR/keys.txt" > "$RUN_DIR/keys.txt"
start_s3proxy

for n in $NODE_COUNTS; do
    label="nodes=$n"
    log "---- $n node(s) over one S3Proxy (load $(loadavg))"
    for i in $(seq 1 "$n"); do start_node "node$i" $((NODE_PORT0 + i)) "n$n-$RUN_ID/"; done
    for i in $(seq 1 "$n"); do wait_http "http://127.0.0.1:$((NODE_PORT0 + i))/health"; done
    if [ "$n" -eq 1 ]; then
        PC_PORT=$((NODE_PORT0 + 1)) # one node: clients talk to it directly
    else
        start_balancer "$n"
        PC_PORT=$LB_PORT
    fi
    front=$(peer_url polycache)

    s3_counts > "$RUN_DIR/s3.before"
    before=$(loadavg)
    upload_files polycache "$RUN_DIR/keys.txt" "$SMALL_DIR"
    s3_counts > "$RUN_DIR/s3.after"
    delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
    log "$ENTRIES uploads through $front: S3 requests $delta"
    record nodes-s3-per-upload polycache "$label;entries=$ENTRIES" PutObject \
        "$(awk -v a="$(s3_op_count "$delta" PutObject)" -v n="$ENTRIES" 'BEGIN { printf "%.2f", a / n }')" \
        requests/upload "curl -T PUT x $ENTRIES; S3: $delta" "$before"

    # Cold reads: every key through every node directly, so that each local tier holds them all.
    s3_counts > "$RUN_DIR/s3.before"
    before=$(loadavg)
    for i in $(seq 1 "$n"); do get_all "http://127.0.0.1:$((NODE_PORT0 + i))" "$RUN_DIR/keys.txt"; done
    s3_counts > "$RUN_DIR/s3.after"
    delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
    log "$((ENTRIES * n)) cold reads (each key on each node): S3 requests $delta"
    record nodes-s3-per-cold-read polycache "$label;entries=$ENTRIES" GetObject \
        "$(awk -v a="$(s3_op_count "$delta" GetObject)" -v n="$((ENTRIES * n))" 'BEGIN { printf "%.2f", a / n }')" \
        requests/read "curl GET x $((ENTRIES * n)); S3: $delta" "$before"

    # Warm hits through the front: warm-up (not measured), then latency and throughput.
    mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 32 "$WARMUP")
    wrk "${args[@]}" > /dev/null
    s3_counts > "$RUN_DIR/s3.before"
    mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 1 1 "$DURATION")
    run_wrk nodes-warm-hit-1conn polycache "$label;size=$SMALL_SIZE;conns=1" 0 "${args[@]}"
    mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 32 "$DURATION")
    run_wrk nodes-warm-hit-32conns polycache "$label;size=$SMALL_SIZE;conns=32" 0 "${args[@]}"
    s3_counts > "$RUN_DIR/s3.after"
    delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
    log "S3 requests during the warm runs: $delta"
    record nodes-s3-during-warm-reads polycache "$label;entries=$ENTRIES" requests \
        "$(s3_op_count "$delta" GetObject)" GetObject "wrk runs above; S3: $delta" "$before"

    stop_server lb
    for i in $(seq 1 "$n"); do stop_server "node$i"; done
done
log "done; results in $RESULTS"
