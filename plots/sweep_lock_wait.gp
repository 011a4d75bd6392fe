# plots/sweep_lock_wait.gp - a sweep: CPU time spent waiting for area locks
# against the area count (log scale), one line per combination of the
# other varied keys, with 95% confidence intervals, from the sweep's
# chart_areas.csv.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
if (!exists("name")) name = "sweep"
data = dir."/chart_areas.csv"
set output dir."/sweep_lock_wait.".fmt
set title name.": area-lock wait against area count (mean and 95% CI)" noenhanced
set xlabel "swiotlb areas (log scale)"
set ylabel "lock wait (% of CPU time)"
set logscale x 2
set key top right noenhanced
stats data using 3 nooutput
top = STATS_max
set yrange [0:(top > 0 ? top * 1.15 : 1)]
set offsets graph 0.04, graph 0.04, 0, 0
plot for [i=0:STATS_blocks-1] data index i using 2:3 with linespoints lw 2 pt 7 lc i+1 title columnheader(1), \
     for [i=0:STATS_blocks-1] data index i using 2:3:4 with yerrorbars lw 1.5 pt 7 lc i+1 notitle
