# SPDX-License-Identifier: GPL-2.0
# chart.gp - the benchmark chart (bench/run.sh draws it): end-to-end drop
# rate by configuration on the left, micro ns/packet by rule count on the
# right. Called as:
#   gnuplot -c bench/chart.gp E2E.dat MICRO.dat OUT.png
# E2E.dat:   label <TAB> Mpps per CPU-second <TAB> Mpps wall clock
# MICRO.dat: rules <TAB> xdp_filter (C), dst tier <TAB> HASH variant <TAB> floor
#            <TAB> xdp-tools -f udp <TAB> xdp-tools -f tcp,udp  (ns, udp4 blocked)
e2e = ARG1
micro = ARG2
set terminal pngcairo size 1400,560 font "DejaVu Sans,11" noenhanced
set output ARG3
set datafile separator "\t"
set multiplot layout 1,2 title "xdp_filter benchmark (make bench)" font ",14"

set title "End-to-end drop rate, UDP over veth (median)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "dropped Mpps"
set yrange [0:*]
set grid ytics
set xtics rotate by -30 scale 0 font ",10"
set key top right
set offsets 0, 0, graph 0.08, 0
plot e2e using 2:xtic(1) title "per CPU-second (headline)" lc rgb "#1f77b4", \
     '' using 3 title "wall clock (VM shared)" lc rgb "#aec7e8", \
     '' using ($0 - 0.17):2:(sprintf("%.2f", $2)) with labels offset 0,0.7 font ",9" notitle, \
     '' using ($0 + 0.17):3:(sprintf("%.2f", $3)) with labels offset 0,0.7 font ",9" notitle

set title "Micro: ns/packet by rule count (udp4 blocked, BPF_PROG_TEST_RUN)"
unset style
set style data linespoints
set logscale x 10
set xrange [0.5:20000]
set xtics ("1" 1, "10" 10, "100" 100, "1,000" 1000, "10,000" 10000) norotate font ",10"
set ylabel "median ns/packet"
set xlabel "rules"
set offsets 0, 0, 0, 0
set yrange [0:170]
set key top left box opaque
plot micro using 1:2 title "xdp_filter (dst tier)" lw 2 pt 7 lc rgb "#1f77b4", \
     '' using 1:3 title "HASH variant" lw 2 pt 5 lc rgb "#ff7f0e", \
     '' using 1:5 title "xdp-tools -f udp (1 rule)" with lines dt 2 lw 2 lc rgb "#2ca02c", \
     '' using 1:6 title "xdp-tools -f tcp,udp (1 rule)" with lines dt 2 lw 2 lc rgb "#d62728", \
     '' using 1:4 title "empty program (floor)" with lines dt 3 lw 2 lc rgb "#555555"
unset multiplot
