# plots/pool_use.gp - pool use over time: used slots, the high-water mark and
# the pool size as lines, with dynamic pool additions marked.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/pool_use.".fmt
set title "swiotlb pool use"
set xlabel "simulated time (s)"
set ylabel "slots (2 KiB each)"
set yrange [0:*]
set offsets 0, 0, graph 0.25, 0
set key top right
load plotdir."/time_axis.gp"
events = dir."/events.csv"
t(c) = column(c) / 1e9
# `pools_added` is passed by `swiotlb-sim plot` (run by hand: assume some).
if (!exists("pools_added")) pools_added = 1
series = dir."/timeseries.csv"
if (pools_added > 0) {
    plot series using (t("time_ns")):"hiwater" with steps lw 1.5 dt 2 lc rgb "#d95f02" title "high-water mark", \
         "" using (t("time_ns")):"used_slots" with lines lw 1.5 lc rgb "#1b9e77" title "used slots", \
         "" using (t("time_ns")):"nslabs" with steps lw 2 lc rgb "#444444" title "pool size (all pools)", \
         events using (t("time_ns")):(strcol("kind") eq "pool_added" ? column("pool_slots") : NaN) \
                with points pt 9 ps 1.6 lc rgb "#7570b3" title "pool added"
} else {
    plot series using (t("time_ns")):"hiwater" with steps lw 1.5 dt 2 lc rgb "#d95f02" title "high-water mark", \
         "" using (t("time_ns")):"used_slots" with lines lw 1.5 lc rgb "#1b9e77" title "used slots", \
         "" using (t("time_ns")):"nslabs" with steps lw 2 lc rgb "#444444" title "pool size (all pools)"
}
