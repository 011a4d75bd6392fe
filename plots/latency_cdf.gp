# plots/latency_cdf.gp - map latency distribution (issue to return) as a CDF
# on a log time axis, from latency.csv.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/map_latency.".fmt
set title "map latency (issue to return), cumulative distribution"
set xlabel "latency (µs, log scale)"
set ylabel "share of maps at or below"
set logscale x
set yrange [0:1.02]
set key bottom right
plot dir."/latency.csv" using (column("upper_ns")/1000.0):"cumulative" with steps lw 2 lc rgb "#1b9e77" title "map latency"
