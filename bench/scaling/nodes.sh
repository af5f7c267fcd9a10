#!/usr/bin/env bash
# 4 Polycache nodes over one S3Proxy 4.0.0 bucket, all on 127.0.0.1, and one nginx with a front
# (round robin, keep-alive to the nodes) in front of node 1, nodes 1-2 and nodes 1-4. Counts S3
# requests per upload, per cold read and during warm reads (from S3Proxy's own metrics), then
# measures warm-hit latency (one connection) and throughput (32 connections) of 4 KiB Polykit
# artifacts through node 1 directly and through each front, interleaved in ROUNDS rounds, so
# that the machine's drifting load falls on every configuration alike.
#
#   mvn -B -q -DskipTests package            # the WAR, and S3Proxy's jar in target/s3proxy/
#   flock /work/bench.lock nice -n -5 bench/scaling/nodes.sh
#
# Settings (environment): FRONT_NODES ("1 2 4"), ENTRIES (1000), ROUNDS (3), DURATION (10 s per
# measured run), WARMUP (20 s of the same load per front first, not measured), NODE_XMX (384m). Results are appended
# to bench/results/scaling-nodes.csv, each row with the load average before it.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(dirname "$BENCH_DIR")
WORK_DIR=${WORK_DIR:-/tmp/polycache-bench-nodes}
RESULTS=${RESULTS:-$BENCH_DIR/results/scaling-nodes.csv}
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"

FRONT_NODES=${FRONT_NODES:-"1 2 4"}   # nginx fronts: in front of node 1, nodes 1-2, nodes 1-4
FRONTS="direct $FRONT_NODES"            # "direct": clients talk to node 1 itself
MAX_NODES=$(tr ' ' '\n' <<< "$FRONT_NODES" | sort -n | tail -1)
ROUNDS=${ROUNDS:-3}
ENTRIES=${ENTRIES:-1000}
NODE_XMX=${NODE_XMX:-384m}
LB_PORT=${LB_PORT:-38210}  # fronts listen on LB_PORT + N
S3_PORT=${S3_PORT:-38191}
S3_METRICS_PORT=${S3_METRICS_PORT:-38192}
NODE_PORT0=${NODE_PORT0:-38200}

# shellcheck source=../lib/s3.sh
source "$BENCH_DIR/lib/s3.sh"

# start_balancer: one nginx, one listening port per front: nodes 1..N for N in FRONT_NODES.
start_balancer() {
    local prefix=$RUN_DIR/lb n i conf=""
    mkdir -p "$prefix/logs" "$prefix/tmp"
    for n in $FRONT_NODES; do
        conf+="    upstream nodes$n {"$'\n'
        for i in $(seq 1 "$n"); do conf+="        server 127.0.0.1:$((NODE_PORT0 + i));"$'\n'; done
        conf+="        keepalive 64;"$'\n'"    }"$'\n'
        conf+="    server {
        listen 127.0.0.1:$((LB_PORT + n));
        client_max_body_size 0;
        location / {
            proxy_pass http://nodes$n;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_request_buffering off;
        }
    }"$'\n'
    done
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
$conf}
EOF
    timeout -k 10 "$SERVER_TIMEOUT" /usr/sbin/nginx -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' \
        > "$RUN_DIR/lb.log" 2>&1 &
    SERVER_PID[lb]=$!
    for n in $FRONT_NODES; do wait_http "http://127.0.0.1:$((LB_PORT + n))/health"; done
    log "nginx in front of nodes 1..N for N in $FRONT_NODES, on ports $LB_PORT+N"
}

# front_port FRONT: "direct" is node 1 itself; "N" is nginx in front of nodes 1..N.
front_port() { if [ "$1" = direct ]; then echo $((NODE_PORT0 + 1)); else echo $((LB_PORT + $1)); fi; }
front_label() { if [ "$1" = direct ]; then echo "nodes=1;front=none"; else echo "nodes=$1;front=nginx"; fi; }

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
for i in $(seq 1 "$MAX_NODES"); do start_node "node$i" $((NODE_PORT0 + i)) "bench-$RUN_ID/"; done
for i in $(seq 1 "$MAX_NODES"); do wait_http "http://127.0.0.1:$((NODE_PORT0 + i))/health"; done
log "$MAX_NODES nodes up over one bucket"
start_balancer

# S3 requests per upload: every key once, through node 1.
PC_PORT=$(front_port direct)
s3_counts > "$RUN_DIR/s3.before"
before=$(loadavg)
upload_files polycache "$RUN_DIR/keys.txt" "$SMALL_DIR"
s3_counts > "$RUN_DIR/s3.after"
delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
log "$ENTRIES uploads: S3 requests $delta"
record nodes-s3-per-upload polycache "entries=$ENTRIES" PutObject \
    "$(awk -v a="$(s3_op_count "$delta" PutObject)" -v n="$ENTRIES" 'BEGIN { printf "%.2f", a / n }')" \
    requests/upload "curl -T PUT x $ENTRIES; S3: $delta" "$before"

# S3 requests per cold read: every key through every node directly, which also fills every
# local tier, so that the rows below measure warm hits.
s3_counts > "$RUN_DIR/s3.before"
before=$(loadavg)
for i in $(seq 1 "$MAX_NODES"); do get_all "http://127.0.0.1:$((NODE_PORT0 + i))" "$RUN_DIR/keys.txt"; done
s3_counts > "$RUN_DIR/s3.after"
delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
log "$((ENTRIES * MAX_NODES)) cold reads (each key on each node): S3 requests $delta"
record nodes-s3-per-cold-read polycache "entries=$ENTRIES" GetObject \
    "$(awk -v a="$(s3_op_count "$delta" GetObject)" -v n="$((ENTRIES * MAX_NODES))" 'BEGIN { printf "%.2f", a / n }')" \
    requests/read "curl GET x $((ENTRIES * MAX_NODES)); S3: $delta" "$before"

# Warm hits: every front warmed up, then interleaved rounds (direct, 1, 2, 4, direct, ...).
for front in $FRONTS; do
    PC_PORT=$(front_port "$front")
    mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 32 "$WARMUP")
    wrk "${args[@]}" > /dev/null
done
s3_counts > "$RUN_DIR/s3.before"
before=$(loadavg)
for round in $(seq 1 "$ROUNDS"); do
    for front in $FRONTS; do
        PC_PORT=$(front_port "$front")
        mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 1 1 "$DURATION")
        run_wrk nodes-warm-hit-1conn polycache "$(front_label "$front");size=$SMALL_SIZE;round=$round" 0 "${args[@]}"
        mapfile -t args < <(wrk_get_args polycache "$RUN_DIR/keys.txt" 2 32 "$DURATION")
        run_wrk nodes-warm-hit-32conns polycache "$(front_label "$front");size=$SMALL_SIZE;round=$round" 0 "${args[@]}"
    done
done
s3_counts > "$RUN_DIR/s3.after"
delta=$(s3_delta "$RUN_DIR/s3.before" "$RUN_DIR/s3.after")
log "S3 requests during all warm runs: $delta"
record nodes-s3-during-warm-reads polycache "entries=$ENTRIES;rounds=$ROUNDS" GetObject \
    "$(s3_op_count "$delta" GetObject)" requests "the wrk runs above; S3: $delta" "$before"
log "done; results in $RESULTS"
