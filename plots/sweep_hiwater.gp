# plots/sweep_hiwater.gp - a sweep: the high-water mark of the pool against
# the pool size (log-log), one line per combination of the other varied
# keys, with 95% confidence intervals and the pool size itself as the
# ceiling, from the sweep's chart_pool.csv.
if (!exists("plotdir")) plotdir = "plots"
load plotdir."/common.gp"
if (!exists("name")) name = "sweep"
data = dir."/chart_pool.csv"
set output dir."/sweep_hiwater.".fmt
set title name.": high-water mark against pool size (mean and 95% CI)" noenhanced
set xlabel "swiotlb pool size (MiB, log scale)"
set ylabel "high-water mark (MiB, log scale)"
set logscale xy 2
set key top left Left reverse noenhanced
stats data using 2 nooutput
set xrange [STATS_min / 1.3:STATS_max * 1.3]
plot x with lines dt 2 lw 1.5 lc rgb "#888888" title "pool size (the ceiling without growth)", \
     for [i=0:STATS_blocks-1] data index i using 2:5 with linespoints lw 2 pt 7 lc i+1 title columnheader(1), \
     for [i=0:STATS_blocks-1] data index i using 2:5:6 with yerrorbars lw 1.5 pt 7 lc i+1 notitle
