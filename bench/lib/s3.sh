# S3Proxy 4.0 and Polycache nodes over one of its buckets, for the benchmarks under scaling/.
# Sourced after lib/common.sh, with S3_PORT, S3_METRICS_PORT and NODE_XMX set; checks what the
# benchmark needs, sets the bucket and its credentials, and stops every server on exit. Not run.
# shellcheck shell=bash

S3PROXY_JAR=${S3PROXY_JAR:-$REPO/target/s3proxy/s3proxy.jar}
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

# start_node NAME PORT PREFIX [--name=value ...]: a node over the bucket (not waited for).
start_node() {
    local name=$1 port=$2 prefix=$3; shift 3
    port_free "$port" || die "port $port is taken"
    mkdir -p "$RUN_DIR/$name"
    timeout -k 10 "$SERVER_TIMEOUT" java -Xmx"$NODE_XMX" -jar "$WAR" --bind 127.0.0.1 --port "$port" \
        --storage-dir "$RUN_DIR/$name" --public --log-level warn \
        --polycache.s3.bucket="$BUCKET" --polycache.s3.endpoint="http://127.0.0.1:$S3_PORT" \
        --polycache.s3.region=us-east-1 --polycache.s3.pathStyle=true --polycache.s3.prefix="$prefix" "$@" \
        > "$RUN_DIR/$name.log" 2>&1 &
    SERVER_PID[$name]=$!
}
