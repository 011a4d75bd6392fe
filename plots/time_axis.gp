# plots/time_axis.gp - the simulated-time x axis of a chart over the run:
# from 0 to the run's duration, the end of the warm-up marked (figures in
# summary.json cover the time after it; the CSV files the whole run).
if (duration > 0) set xrange [0:duration]
if (warmup > 0) {
    set arrow 90 from first warmup, graph 0 to first warmup, graph 1 nohead front lc rgb "#666666" dt 2 lw 1.5
    set label 90 "end of warm-up" at first warmup, graph 0.5 rotate by 90 center front tc rgb "#444444" offset -0.8,0
}
