# plots/latency_cdf.gp - map latency distribution (issue to return) as a CDF
# on a log time axis, from latency.csv.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/map_latency.".fmt
# `latency_rows` is passed by `swiotlb-sim plot` (run by hand: assume some).
if (!exists("latency_rows")) latency_rows = 1
# Ranges first: `stats` filters by the ranges in force.
if (latency_rows > 0) {
    stats dir."/latency.csv" using (column("lower_ns")/1000.0) name "LO" nooutput
    stats dir."/latency.csv" using (column("upper_ns")/1000.0) name "HI" nooutput
    stats dir."/latency.csv" using "cumulative" name "CUM" nooutput
}
set title "map latency (issue to return), cumulative distribution"
set xlabel "latency (µs, log scale)"
set ylabel "share of maps at or below"
set logscale x
set yrange [0:1.02]
set key bottom right
if (latency_rows > 0) {
    # From the lowest bin's lower edge to the highest bin's upper edge, so
    # that a run whose maps all fall in one bin still has an x range; and
    # the rise to the first bin's share, which `steps` does not draw.
    set xrange [LO_min / 1.5 : HI_max * 1.5]
    set arrow 5 from HI_min, 0 to HI_min, CUM_min nohead lw 2 lc rgb "#1b9e77"
    plot dir."/latency.csv" using (column("upper_ns")/1000.0):"cumulative" with steps lw 2 lc rgb "#1b9e77" title "map latency"
} else {
    set xrange [0.1:1000]
    set key off
    set label 1 "no maps after the warm-up" at graph 0.5, graph 0.5 center font ",16"
    plot -1 notitle
}
