#!/usr/bin/env bash
# Chart of the latest run in bench/results/deps-*.csv -> docs/benchmarks-deps.png (gnuplot-nox).
# Left: row 6, time to node_modules (disk and tmpfs checkouts); right: row 7, bundle assembly.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p docs
R=bench/results
T=$(mktemp -d /tmp/bd-chart.XXXXXX)
trap 'rm -rf "$T"' EXIT
csv() { # file -> TSV of the latest run's seconds rows: subject, param, mean, stddev
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
last = rows[-1]["date"]
for r in rows:
    if r["date"] == last and r["metric"] == "seconds":
        print(f'{r["subject"]}\t{r["param"]}\t{r["value"]}\t{r["stddev"] or 0}\t{last}')
PY
}
csv $R/deps-node-modules.csv > "$T/row6.tsv"
csv $R/deps-assembly.csv > "$T/row7.tsv"
for fs in disk tmpfs; do
  grep "fs=$fs" "$T/row6.tsv" | awk -F'\t' -v OFS='\t' '{ print $1, $3, $4 }' > "$T/row6-$fs.tsv"
done
paste "$T/row6-disk.tsv" "$T/row6-tmpfs.tsv" | awk -F'\t' -v OFS='\t' '{ print $1, $2, $3, $5, $6 }' > "$T/row6.dat"
awk -F'\t' -v OFS='\t' '{ print $1, $3, $4 }' "$T/row7.tsv" > "$T/row7.dat"
DATE=$(cut -f5 "$T/row6.tsv" | head -1)
DATE7=$(cut -f5 "$T/row7.tsv" | head -1)
gnuplot <<GP
set terminal pngcairo size 1200,520 font "sans,11"
set output "docs/benchmarks-deps.png"
set multiplot layout 1,2 title "Polycache dependency cache (nproc $(nproc)): row 6 from the run of $DATE, row 7 from $DATE7"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set xtics rotate by -20 noenhanced
set key top right
set ylabel "seconds (mean ± stddev, lower is better)"
set title "Row 6: time to node_modules, 465 packages" noenhanced
set yrange [0:*]
set offsets 0,0,0.15,0
plot "$T/row6.dat" using 2:3:xtic(1) title "checkout on disk (ext4)" lc rgb "#4472c4", \
     "" using 4:5 title "checkout on tmpfs" lc rgb "#ed7d31"
set title "Row 7: bundle ZIP assembly, 10,041 files"
set key off
plot "$T/row7.dat" using 2:3:xtic(1) lc rgb "#70ad47"
unset multiplot
GP
echo "docs/benchmarks-deps.png"
