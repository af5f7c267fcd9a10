#!/usr/bin/env bash
# Row 7 what-if (not part of the table): AssemblyExperiment.java's modes and zip -qry on one tree.
# Usage: bench/deps/assembly-whatif.sh TREE_DIR [RUNS=5]   (TREE_DIR holds node_modules/)
# Needs target/polycache.war (for commons-compress). Prints TSV: mode, median s, min s, max s, bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
TREE=$(cd "$1" && pwd); RUNS=${2:-5}
S=$(mktemp -d /tmp/bd-whatif.XXXXXX)
trap 'rm -rf "$S"' EXIT
(cd "$S" && unzip -q -o "$OLDPWD/target/polycache.war" 'WEB-INF/lib/commons-*.jar')
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
timeout 900 java -cp "$S/WEB-INF/lib/*" bench/deps/AssemblyExperiment.java "$TREE" "$S" "$RUNS"
t=()
for i in $(seq "$RUNS"); do
  rm -f "$S/peer.zip"
  s0=$(date +%s%N); (cd "$TREE" && zip -qry "$S/peer.zip" node_modules); s1=$(date +%s%N)
  t+=("$(( (s1 - s0) / 1000000 ))")
done
printf '%s\n' "${t[@]}" | sort -n | awk -v b="$(stat -c %s "$S/peer.zip")" '{ a[NR] = $1 } END {
  printf "zip-qry\t%.3f\t%.3f\t%.3f\t%d\n", a[int((NR + 1) / 2)] / 1000, a[1] / 1000, a[NR] / 1000, b }'
