#!/usr/bin/env bash
# Dependency-cache benchmarks (issue 8, rows 5, 6 and 7), Polycache and its peers in one run:
#   5. POST /v1/cache answered from the cache (cache hit): requests/s and p99, wrk, 1/16/64 connections
#   6. time to node_modules for bench/deps/project (465 packages): (a) Polycache download + unzip,
#      (b) npm ci with a warm npm cache (plain, and --prefer-offline), (c) npm ci through a warm
#      Verdaccio with an empty npm cache; then, for pnpm and Yarn (Berry, nodeLinker node-modules),
#      Polycache download + unzip vs pnpm install --frozen-lockfile with a warm store and
#      yarn install --immutable with a warm cache, the releases the server provisioned;
#      hyperfine, interleaved rounds
#   7. bundle assembly: the GET that rebuilds the bundle ZIP (index and blobs present, ZIP deleted)
#      vs zip -qry of the same installed tree; hyperfine, interleaved rounds
# Everything listens on 127.0.0.1 only, every step is bounded in time, and a trap stops what the
# script started and removes its scratch directory.
#
# Usage: bench/deps/run.sh [--quick] [--no-install] [--only 5|6|7]...
#   --quick       short runs for development (not for the published table)
#   --no-install  do not apt-get/npm install the peers (they must already be there)
# Environment: BD_PORT (18431), BD_VPORT (18432), BD_ROUNDS (3), BD_RUNS6 (1) and BD_RUNS7 (3) runs of each
#   command per round, BD_WRK_SECONDS (15), BD_FS ("disk tmpfs": where the row 6 checkout is), BD_JAVA_OPTS,
#   BD_MANAGERS ("npm pnpm yarn": row 6's managers), BD_PNPM (12.23.0), BD_YARN (4.18.1)
# Appends to bench/results/deps-hit.csv, deps-node-modules.csv, deps-assembly.csv:
#   date,commit,nproc,loadavg,row,subject,param,metric,value,stddev,runs,command
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DEPS=$ROOT/bench/deps
RESULTS=$ROOT/bench/results

QUICK=0; INSTALL=1; ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-install) INSTALL=0 ;;
    --only) shift; ONLY="$ONLY $1" ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

PORT=${BD_PORT:-18431}
MANAGERS=${BD_MANAGERS:-npm pnpm yarn}
PNPM_V=${BD_PNPM:-12.23.0}
YARN_V=${BD_YARN:-4.18.1}
wants_manager() { [[ " $MANAGERS " == *" $1 "* ]]; }
FSLIST=${BD_FS:-disk tmpfs}
VPORT=${BD_VPORT:-18432}
if [ $QUICK = 1 ]; then
  ROUNDS=${BD_ROUNDS:-1}; RUNS6=${BD_RUNS6:-1}; RUNS7=${BD_RUNS7:-2}; WRK_SECONDS=${BD_WRK_SECONDS:-5}; WARM_SECONDS=2
else
  ROUNDS=${BD_ROUNDS:-3}; RUNS6=${BD_RUNS6:-1}; RUNS7=${BD_RUNS7:-3}; WRK_SECONDS=${BD_WRK_SECONDS:-15}; WARM_SECONDS=5
fi

log() { echo "[deps-bench $(date -u +%T)] $*" >&2; }

# ---------------------------------------------------------------- peers and tools
if [ $INSTALL = 1 ]; then
  missing=()
  for tool in wrk:wrk hyperfine:hyperfine zip:zip unzip:unzip gnuplot:gnuplot-nox curl:curl \
              jq:jq python3:python3 java:openjdk-17-jdk-headless mvn:maven node:nodejs npm:npm; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    timeout 600 apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  if [ ! -x "$DEPS/verdaccio/node_modules/.bin/verdaccio" ]; then
    log "npm install verdaccio into bench/deps/verdaccio"
    (cd "$DEPS/verdaccio" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
if [ ! -f target/polycache.war ] || [ -n "$(find src pom.xml -newer target/polycache.war -print -quit)" ]; then
  log "building target/polycache.war"
  timeout 900 mvn -B -q -DskipTests package
fi

NODE_V=$(node --version | sed 's/^v//')
NPM_V=$(npm --version 2>/dev/null)
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml bench/deps || echo -dirty)
NPROC=$(nproc)
RUN_DATE=$(date -u +%FT%TZ)

# ---------------------------------------------------------------- scratch, processes, cleanup
WORK=$(mktemp -d /tmp/bd-run.XXXXXX)
SHM=$(mktemp -d /dev/shm/bd-run.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url seconds
  local i
  for i in $(seq "$2"); do curl -sf -o /dev/null "$1" && return 0; sleep 1; done
  echo "no answer from $1 after $2 s" >&2; return 1
}

csv_q() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }
record() { # file row subject param metric value stddev runs command
  local file=$RESULTS/$1; shift
  [ -f "$file" ] || echo "date,commit,nproc,loadavg,row,subject,param,metric,value,stddev,runs,command" > "$file"
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "$RUN_DATE,$COMMIT,$NPROC,$load,$1,$2,$3,$4,$5,$6,$7,$(csv_q "$8")" | tee -a "$file" >&2
}
# --quick results are development figures: they go to the scratch directory, not bench/results
[ $QUICK = 1 ] && RESULTS=$WORK/results
mkdir -p "$RESULTS"

# ---------------------------------------------------------------- Polycache
log "starting Polycache on 127.0.0.1:$PORT (storage $WORK/store)"
# shellcheck disable=SC2086
# (pnpm and yarn are provisioned from the npm registry; npm stays the host's, whose versions the POST names)
java ${BD_JAVA_OPTS:-} -jar target/polycache.war --port "$PORT" --storage-dir "$WORK/store" --public \
  --polycache.toolchains.provision=true \
  > "$WORK/polycache.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/health" 120

PROJECT=$DEPS/project
PACKAGES=$(jq '[.packages | keys[] | select(startswith("node_modules/"))] | length' "$PROJECT/package-lock.json")
VERSIONS="{\"node\":\"$NODE_V\",\"npm\":\"$NPM_V\"}"
post_cache() {
  curl -sf --max-time 900 "http://127.0.0.1:$PORT/v1/cache" -F manager=npm -F "versions=$VERSIONS" \
    -F "file=@$PROJECT/package.json" -F "file=@$PROJECT/package-lock.json"
}
# The npm bundle is what rows 5, 7 and row 6's npm part use; a run of pnpm/yarn only skips it.
if want 5 || want 7 || { want 6 && wants_manager npm; }; then
log "priming the dependency cache (one install on the server, cache miss)"
t0=$(date +%s.%N)
ANSWER=$(post_cache)
t1=$(date +%s.%N)
HASH=$(jq -r .hash <<<"$ANSWER")
URL=$(jq -r .download_url <<<"$ANSWER")
BUNDLE=$WORK/store/bundles/${HASH:0:2}/${HASH:2:2}/$HASH.zip
log "first POST (install on the server) took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; bundle $HASH"
[ "$(post_cache | jq -r .cache_hit)" = true ] || { echo "second POST is not a cache hit" >&2; exit 1; }
curl -sf --max-time 300 -o "$WORK/bundle.zip" "$URL"
[ -f "$BUNDLE" ] || { echo "bundle not at $BUNDLE" >&2; exit 1; }
BUNDLE_BYTES=$(stat -c %s "$BUNDLE")

# the installed tree, as a checkout gets it from the bundle (row 7's zip input, and a check of row 6)
mkdir -p "$WORK/tree"
(cd "$WORK/tree" && unzip -q "$WORK/bundle.zip")
TREE_FILES=$(find "$WORK/tree/node_modules" -type f | wc -l)
TREE_LINKS=$(find "$WORK/tree/node_modules" -type l | wc -l)
TREE_BYTES=$(du -sb "$WORK/tree/node_modules" | cut -f1)
log "bundle: $BUNDLE_BYTES bytes; tree: $TREE_FILES files, $TREE_LINKS links, $TREE_BYTES bytes"
fi

# ---------------------------------------------------------------- row 5: cache hit
if want 5; then
  BOUNDARY=polycachebenchboundary7MA4YWxkTrZu0gW
  BODY=$WORK/hit-body.multipart
  {
    printf -- '--%s\r\nContent-Disposition: form-data; name="manager"\r\n\r\nnpm\r\n' "$BOUNDARY"
    printf -- '--%s\r\nContent-Disposition: form-data; name="versions"\r\n\r\n%s\r\n' "$BOUNDARY" "$VERSIONS"
    for f in package.json package-lock.json; do
      printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\nContent-Type: application/json\r\n\r\n' "$BOUNDARY" "$f"
      cat "$PROJECT/$f"
      printf '\r\n'
    done
    printf -- '--%s--\r\n' "$BOUNDARY"
  } > "$BODY"
  check=$(curl -sf "http://127.0.0.1:$PORT/v1/cache" -H "Content-Type: multipart/form-data; boundary=$BOUNDARY" \
    --data-binary "@$BODY")
  [ "$(jq -r .hash <<<"$check")" = "$HASH" ] && [ "$(jq -r .cache_hit <<<"$check")" = true ] \
    || { echo "prebuilt body is not a hit on $HASH: $check" >&2; exit 1; }
  log "row 5: body $(stat -c %s "$BODY") bytes; warm-up ${WARM_SECONDS}s"
  export BD_BODY=$BODY BD_BOUNDARY=$BOUNDARY
  timeout $((WARM_SECONDS + 30)) wrk -t2 -c16 -d"${WARM_SECONDS}s" -s "$DEPS/post.lua" \
    "http://127.0.0.1:$PORT/v1/cache" > /dev/null
  to_ms() { # wrk latency like 1.23ms / 456.00us / 1.02s
    awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0;
                           else if (v ~ /m$/) printf "%.3f", v*60000; else printf "%.3f", v*1000 }'
  }
  for c in 1 16 64; do
    t=$(( c < 2 ? 1 : 2 ))
    cmd="wrk -t$t -c$c -d${WRK_SECONDS}s --latency -s bench/deps/post.lua http://127.0.0.1:$PORT/v1/cache"
    out=$(timeout $((WRK_SECONDS + 60)) wrk -t$t -c$c -d"${WRK_SECONDS}s" --latency -s "$DEPS/post.lua" \
      "http://127.0.0.1:$PORT/v1/cache")
    echo "$out" > "$WORK/wrk-$c.txt"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errors=$(awk '/Non-2xx or 3xx responses:/ { n = $NF } /Socket errors/ { e = 1 } END { print (n ? n : 0) + 0 }' <<<"$out")
    total=$(awk '/requests in/ { print $1 }' <<<"$out")
    record deps-hit.csv 5 polycache "c=$c" requests_per_s "$rps" "" "$total" "$cmd"
    record deps-hit.csv 5 polycache "c=$c" p50_ms "$p50" "" "$total" "$cmd"
    record deps-hit.csv 5 polycache "c=$c" p99_ms "$p99" "" "$total" "$cmd"
    record deps-hit.csv 5 polycache "c=$c" non_2xx "$errors" "" "$total" "$cmd"
    grep -q 'Socket errors' <<<"$out" && log "wrk c=$c: $(grep 'Socket errors' <<<"$out")"
  done
  [ "$(post_cache | jq -r .cache_hit)" = true ] || { echo "not a cache hit after row 5" >&2; exit 1; }
fi

# ---------------------------------------------------------------- Verdaccio (row 6c)
if want 6 && wants_manager npm; then
  log "starting Verdaccio on 127.0.0.1:$VPORT (storage $WORK/verdaccio)"
  mkdir -p "$WORK/verdaccio"
  cat > "$WORK/verdaccio/config.yaml" <<EOF
storage: $WORK/verdaccio/storage
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    # keep the proxy warm for the whole run: no revalidation of cached metadata
    maxage: 60m
packages:
  '@*/*':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
EOF
  "$DEPS/verdaccio/node_modules/.bin/verdaccio" --config "$WORK/verdaccio/config.yaml" \
    --listen "127.0.0.1:$VPORT" > "$WORK/verdaccio.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$VPORT/-/ping" 60

  CO=$WORK/checkout           # where the warm-up installs run
  mkdir -p "$CO"
  cp "$PROJECT/package.json" "$PROJECT/package-lock.json" "$CO/"
  NPM_FLAGS="--ignore-scripts --no-audit --no-fund --loglevel=error --update-notifier=false"
  log "warming the npm cache (one npm ci from the registry)"
  (cd "$CO" && timeout 600 npm ci $NPM_FLAGS --cache "$WORK/npm-cache" >/dev/null)
  log "warming Verdaccio (one npm ci through it, empty npm cache)"
  (cd "$CO" && timeout 600 npm ci $NPM_FLAGS --cache "$WORK/npm-cache-v" --registry "http://127.0.0.1:$VPORT/" >/dev/null)
  [ "$(find "$CO/node_modules" -type f | wc -l)" -gt 1000 ] || { echo "npm ci gave no tree" >&2; exit 1; }

  # the checkout on the disk (ext4 here, like a CI workspace), and on tmpfs, which takes the
  # file system's cost of creating ~10,000 files out of the comparison
  for FS in $FSLIST; do
    if [ "$FS" = tmpfs ]; then CO=$SHM/checkout; else CO=$WORK/checkout-disk; fi
    mkdir -p "$CO"
    cp "$PROJECT/package.json" "$PROJECT/package-lock.json" "$CO/"
    A="cd $CO && curl -sf -o deps.zip \$(curl -sf http://127.0.0.1:$PORT/v1/cache -F manager=npm -F 'versions=$VERSIONS' -F file=@package.json -F file=@package-lock.json | jq -r .download_url) && unzip -q deps.zip && rm deps.zip"
    B="cd $CO && npm ci $NPM_FLAGS --cache $WORK/npm-cache"
    BPO="cd $CO && npm ci $NPM_FLAGS --prefer-offline --cache $WORK/npm-cache"
    C="cd $CO && npm ci $NPM_FLAGS --cache $WORK/npm-cache-v --registry http://127.0.0.1:$VPORT/"
    # The tree (and Verdaccio's npm cache) the previous command left is moved aside, not
    # deleted: a fresh checkout has no tree to delete, and on this disk (ext4, online discard)
    # the deletion of 10,000 files landed in the next command. With rm -rf in the prepare step
    # an unzip took 3.1 s first in a round and 8.5-10 s after npm ci runs (system time 8-9.4 s);
    # moved aside, 0.98-1.12 s, and npm ci 14 s instead of 18-19 s. The trash goes with the
    # scratch directories at exit. sync: no command pays for the write-back of the one before.
    TRASH=$(dirname "$CO")/trash WTRASH=$WORK/trash-cache
    mkdir -p "$TRASH" "$WTRASH"
    PREP="{ [ ! -e $CO/node_modules ] || mv $CO/node_modules \$(mktemp -d $TRASH/t.XXXXXX)/; } && rm -f $CO/deps.zip && sync"
    PREPC="$PREP && { [ ! -e $WORK/npm-cache-v ] || mv $WORK/npm-cache-v \$(mktemp -d $WTRASH/t.XXXXXX)/; } && sync"
    # a fresh checkout restored by (a) is a working tree
    bash -c "$PREP && $A" && [ -x "$CO/node_modules/.bin/jest" ] && (cd "$CO" && node_modules/.bin/jest --version >/dev/null) \
      || { echo "the Polycache bundle did not restore a working node_modules" >&2; exit 1; }
    names=(polycache-unzip npm-ci-warm npm-ci-warm-prefer-offline npm-ci-verdaccio)
    cmds=("$A" "$B" "$BPO" "$C")
    preps=("$PREP" "$PREP" "$PREP" "$PREPC")
    for r in $(seq "$ROUNDS"); do
      # interleaved: each round runs every command RUNS times, the order rotating between rounds
      hf_prep=(); hf_name=(); hf_cmd=()
      for i in 0 1 2 3; do
        k=$(( (i + r - 1) % 4 ))
        hf_prep+=(--prepare "${preps[$k]}"); hf_name+=(--command-name "${names[$k]}"); hf_cmd+=("${cmds[$k]}")
      done
      log "row 6 ($FS) round $r/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
      timeout 1800 hyperfine --shell=bash --style basic --runs "$RUNS6" "${hf_prep[@]}" "${hf_name[@]}" \
        --export-json "$WORK/row6-$FS-$r.json" "${hf_cmd[@]}" >&2
    done
    for i in 0 1 2 3; do
      line=$(python3 "$DEPS/aggregate.py" "$WORK"/row6-$FS-*.json | awk -F'\t' -v n="${names[$i]}" '$1 == n')
      record deps-node-modules.csv 6 "${names[$i]}" "packages=$PACKAGES;fs=$FS" seconds "$(cut -f2 <<<"$line")" \
        "$(cut -f3 <<<"$line")" "$(cut -f6 <<<"$line")" "prepare: ${preps[$i]} ; ${cmds[$i]}"
    done
  done
fi

# ---------------------------------------------------------------- row 6, pnpm and Yarn
# Per manager: (a) the same Polycache restore as npm's, with the manager's lockfile; (b) the
# manager's own frozen install with a warm store/cache (filled by one install first), run by the
# release the server provisioned (same bytes, same version), scripts off like the server's.
# pnpm's store is on the checkout's file system (its best case: it hard-links from the store);
# (b') pnpm-install-warm-copy is the same with --package-import-method=copy, what pnpm does when
# the store is on another file system (a cache volume). Yarn Berry installs node_modules
# (nodeLinker node-modules, as the server does for a project without .yarnrc.yml) from its
# global cache.
if want 6; then
  for M in pnpm yarn; do
    wants_manager "$M" || continue
    case $M in
      pnpm) MV=$PNPM_V LOCK=pnpm-lock.yaml
            ENTRY=$WORK/store/toolchains/pnpm-$MV/node_modules/pnpm/bin/pnpm ;;
      yarn) MV=$YARN_V LOCK=yarn.lock
            ENTRY=$WORK/store/toolchains/yarnpkg-cli-dist-$MV/node_modules/@yarnpkg/cli-dist/bin/yarn.js ;;
    esac
    MVERSIONS="{\"node\":\"$NODE_V\",\"$M\":\"$MV\"}"
    post_m() {
      curl -sf --max-time 900 "http://127.0.0.1:$PORT/v1/cache" -F manager="$M" -F "versions=$MVERSIONS" \
        -F "file=@$PROJECT/package.json" -F "file=@$PROJECT/$LOCK"
    }
    log "priming the dependency cache for $M $MV (one install on the server, cache miss)"
    t0=$(date +%s.%N)
    post_m > "$WORK/$M-answer.json" || { echo "the $M install on the server failed" >&2; exit 1; }
    t1=$(date +%s.%N)
    log "first $M POST took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; bundle $(jq -r .hash "$WORK/$M-answer.json")"
    [ "$(post_m | jq -r .cache_hit)" = true ] || { echo "second $M POST is not a cache hit" >&2; exit 1; }
    if [ "$M" = pnpm ]; then
      if [ -f "$ENTRY.cjs" ]; then ENTRY=$ENTRY.cjs; else ENTRY=$ENTRY.mjs; fi
    fi
    [ -f "$ENTRY" ] || { echo "no provisioned $M at $ENTRY" >&2; exit 1; }

    for FS in $FSLIST; do
      if [ "$FS" = tmpfs ]; then BASE=$SHM; else BASE=$WORK; fi
      CO=$BASE/checkout-$M
      mkdir -p "$CO" "$BASE/trash-$M"
      cp "$PROJECT/package.json" "$PROJECT/$LOCK" "$CO/"
      A="cd $CO && curl -sf -o deps.zip \$(curl -sf http://127.0.0.1:$PORT/v1/cache -F manager=$M -F 'versions=$MVERSIONS' -F file=@package.json -F file=@$LOCK | jq -r .download_url) && unzip -q deps.zip && rm deps.zip"
      case $M in
        pnpm) B="cd $CO && node $ENTRY install --frozen-lockfile --ignore-scripts --store-dir $BASE/pnpm-store --cache-dir $BASE/pnpm-cache --reporter=silent --config.update-notifier=false --config.manage-package-manager-versions=false" ;;
        yarn) B="cd $CO && HOME=$WORK/yarn-home YARN_IGNORE_PATH=1 YARN_NODE_LINKER=node-modules YARN_ENABLE_GLOBAL_CACHE=true YARN_GLOBAL_FOLDER=$BASE/yarn-global YARN_ENABLE_SCRIPTS=false YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=false node $ENTRY install --immutable >/dev/null" ;;
      esac
      # the previous tree (and Yarn's install state in .yarn/) moved aside, as for npm
      PREP="for d in node_modules .yarn; do [ ! -e $CO/\$d ] || mv $CO/\$d \$(mktemp -d $BASE/trash-$M/t.XXXXXX)/; done && rm -f $CO/deps.zip && sync"
      mkdir -p "$WORK/yarn-home"
      log "warming the $M store/cache ($FS)"
      bash -c "$PREP && $B" >/dev/null
      [ -x "$CO/node_modules/.bin/jest" ] || { echo "$M install gave no node_modules/.bin/jest" >&2; exit 1; }
      bash -c "$PREP && $A" && [ -x "$CO/node_modules/.bin/jest" ] && (cd "$CO" && node_modules/.bin/jest --version >/dev/null) \
        || { echo "the Polycache $M bundle did not restore a working node_modules" >&2; exit 1; }
      names=("polycache-unzip-$M" "$M-install-warm")
      cmds=("$A" "$B")
      if [ "$M" = pnpm ]; then
        names+=("pnpm-install-warm-copy"); cmds+=("$B --package-import-method=copy")
      fi
      n=${#cmds[@]}
      for r in $(seq "$ROUNDS"); do
        # interleaved, the order rotating between rounds
        hf=()
        for i in $(seq 0 $((n - 1))); do
          k=$(( (i + r - 1) % n ))
          hf+=(--prepare "$PREP" --command-name "${names[$k]}")
        done
        hf+=(--export-json "$WORK/row6-$M-$FS-$r.json")
        for i in $(seq 0 $((n - 1))); do hf+=("${cmds[$(( (i + r - 1) % n ))]}"); done
        log "row 6 $M ($FS) round $r/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
        timeout 1800 hyperfine --shell=bash --style basic --runs "$RUNS6" "${hf[@]}" >&2
      done
      for i in $(seq 0 $((n - 1))); do
        line=$(python3 "$DEPS/aggregate.py" "$WORK"/row6-$M-$FS-*.json | awk -F'\t' -v n="${names[$i]}" '$1 == n')
        record deps-node-modules.csv 6 "${names[$i]}" "packages=$PACKAGES;fs=$FS;$M=$MV" seconds "$(cut -f2 <<<"$line")" \
          "$(cut -f3 <<<"$line")" "$(cut -f6 <<<"$line")" "prepare: $PREP ; ${cmds[$i]}"
      done
    done
  done
fi

# ---------------------------------------------------------------- row 7: bundle assembly
if want 7; then
  OURS="curl -sf -o /dev/null $URL"
  PEER="cd $WORK/tree && zip -qry $WORK/peer.zip node_modules"
  names7=(polycache-assemble zip-qry)
  cmds7=("$OURS" "$PEER")
  preps7=("rm -f $BUNDLE" "rm -f $WORK/peer.zip")
  for r in $(seq "$ROUNDS"); do
    log "row 7 round $r/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ $((r % 2)) = 1 ]; then o=(0 1); else o=(1 0); fi
    timeout 1800 hyperfine --shell=bash --style basic --runs "$RUNS7" \
      --prepare "${preps7[${o[0]}]}" --prepare "${preps7[${o[1]}]}" \
      --command-name "${names7[${o[0]}]}" --command-name "${names7[${o[1]}]}" \
      --export-json "$WORK/row7-$r.json" "${cmds7[${o[0]}]}" "${cmds7[${o[1]}]}" >&2
    [ -f "$BUNDLE" ] || { echo "the GET did not rebuild $BUNDLE" >&2; exit 1; }
  done
  for i in 0 1; do
    line=$(python3 "$DEPS/aggregate.py" "$WORK"/row7-*.json | awk -F'\t' -v n="${names7[$i]}" '$1 == n')
    record deps-assembly.csv 7 "${names7[$i]}" "files=$TREE_FILES" seconds "$(cut -f2 <<<"$line")" \
      "$(cut -f3 <<<"$line")" "$(cut -f6 <<<"$line")" "prepare: ${preps7[$i]} ; ${cmds7[$i]}"
  done
  record deps-assembly.csv 7 polycache-assemble "files=$TREE_FILES" zip_bytes "$BUNDLE_BYTES" "" 1 "stat -c %s $BUNDLE"
  record deps-assembly.csv 7 zip-qry "files=$TREE_FILES" zip_bytes "$(stat -c %s "$WORK/peer.zip")" "" 1 "stat -c %s peer.zip"
fi
log "done; results in bench/results/deps-*.csv"
