# plots/pool_use.gp - pool use over time: used slots, the high-water mark and
# the pool size as lines, with dynamic pool additions marked.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
set output dir."/pool_use.".fmt
set title "swiotlb pool use"
set xlabel "simulated time (s)"
set ylabel "slots (2 KiB each)"
set yrange [0:*]
events = dir."/events.csv"
plot dir."/timeseries.csv" using "time_s":"pool_slots" with steps lw 2 lc rgb "#444444" title "pool size", \
     "" using "time_s":"hiwater_slots" with steps lw 1.5 dt 2 lc rgb "#d95f02" title "high-water mark", \
     "" using "time_s":"used_slots" with lines lw 1.5 lc rgb "#1b9e77" title "used slots", \
     events using "time_s":(strcol("kind") eq "pool_added" ? column("pool_slots") : NaN) \
            with points pt 9 ps 1.6 lc rgb "#7570b3" title "pool added"
