# The chart of docs/benchmarks.md, from the .dat files report.py writes.
# gnuplot -e "resdir='bench/results'; out='docs/benchmarks.png'" bench/lib/chart.gp
set terminal pngcairo size 1500,520 font "DejaVu Sans,11"
set output out
set multiplot layout 1,3 title "Polycache vs nginx vs turborepo-remote-cache (127.0.0.1, same run)" font ",13"

# 1: throughput relative to nginx, with the goals
set title "Throughput relative to nginx (nginx = 1)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:2.2]
set bmargin 5
set grid ytics
set key top right font ",9" samplen 2
set xtics rotate by 0 font ",9" offset 0,-0.3
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1 lc rgb "#555555" front
plot resdir."/chart-relative.dat" using 2:xtic(1) title "Polycache" lc rgb "#1f77b4", \
     "" using 3 title "turborepo-remote-cache" lc rgb "#2ca02c", \
     "" using ($0-0.15):2:(sprintf("%.2f", $2)) with labels offset 0,0.6 font ",8" notitle
unset arrow 1

# 2: small reads by connections
set title "Small reads (4 KiB GET) by connections"
set style data linespoints
set logscale x 2
set logscale y 10
set xlabel "connections"
set ylabel "requests/s"
set xtics auto rotate by 0 font ",10"
set key top left vertical font ",9" samplen 2
set yrange [1000:400000]
plot resdir."/chart-scaling-conns.dat" using 1:2 title "Polycache" lw 2 pt 7 lc rgb "#1f77b4", \
     "" using 1:3 title "nginx" lw 2 pt 5 lc rgb "#d62728", \
     "" using 1:4 title "turborepo-remote-cache" lw 2 pt 9 lc rgb "#2ca02c"

# 3: small reads by stored entries
set title "Small reads (4 KiB GET, 64 conns) by entries stored"
set xlabel "entries stored"
set logscale x 10
set format x "%.0s%c"
plot resdir."/chart-scaling-entries.dat" using 1:2 title "Polycache" lw 2 pt 7 lc rgb "#1f77b4", \
     "" using 1:3 title "nginx" lw 2 pt 5 lc rgb "#d62728", \
     "" using 1:4 title "turborepo-remote-cache" lw 2 pt 9 lc rgb "#2ca02c"
unset multiplot
