# plots/full_events.gp - "swiotlb buffer is full" events per sample interval,
# as impulses, with the first one annotated.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/full_events.".fmt
set title "swiotlb-full events (failed maps) per sample interval"
set xlabel "simulated time (s)"
set ylabel "failed maps per interval"
set yrange [0:*]
# `first_full` (seconds) is passed by `swiotlb-sim plot` from events.csv;
# run by hand, the first interval with a failure stands in for it.
first_t = exists("first_full") ? first_full : -1
total = 0
pick(t, n) = (first_t < 0 && n > 0) ? t : first_t
stats dir."/timeseries.csv" using (total = total + column("full_events"), \
      first_t = pick(column("time_ns") / 1e9, column("full_events")), 0) nooutput
set key top right
load plotdir."/time_axis.gp"
if (first_t >= 0) {
    set arrow 1 from first_t, graph 0.9 to first_t, graph 0 lc rgb "#e7298a" lw 1.5
    set label 1 sprintf("first at %.4g s", first_t) at first_t, graph 0.93 tc rgb "#e7298a" offset 0.5,0
} else {
    set label 1 "no swiotlb-full events" at graph 0.5, graph 0.5 center font ",16"
    set yrange [0:1]
}
plot dir."/timeseries.csv" using (column("time_ns") / 1e9):"full_events" with impulses lw 2 lc rgb "#e7298a" \
     title sprintf("full events (total %d, whole run)", total)
